"""A Qt platform plugin that cannot load is explained: the missing libraries, one apt line."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from branchdesk.ui import qtsetup

LDD = """\
\tlinux-vdso.so.1 (0x00007ffd6b3f2000)
\tlibQt6XcbQpa.so.6 => /opt/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f1c9c800000)
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007f1c9c7f0000)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxkbcommon-x11.so.0 => not found
\tlibglib-2.0.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f1c9c400000)
"""


def test_missing_libraries_are_read_from_ldd():
    assert qtsetup.missing_libraries(LDD) == [
        "libxcb-icccm.so.4",
        "libxcb-keysyms.so.1",
        "libxkbcommon-x11.so.0",
        "libglib-2.0.so.0",
    ]
    assert qtsetup.missing_libraries(LDD.replace("not found", "/lib/x.so")) == []


@pytest.mark.parametrize(
    ("library", "package"),
    [
        ("libxcb-icccm.so.4", "libxcb-icccm4"),
        ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
        ("libxcb-cursor.so.0", "libxcb-cursor0"),
        ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
        ("libX11-xcb.so.1", "libx11-xcb1"),
        ("libEGL.so.1", "libegl1"),
        ("libdbus-1.so.3", "libdbus-1-3"),
        ("libglib-2.0.so.0", "libglib2.0-0"),
    ],
)
def test_each_library_maps_to_its_package(library, package):
    assert qtsetup.package_for(library) == package


def test_the_message_names_the_libraries_and_one_apt_line():
    text = qtsetup.platform_diagnosis(LDD)
    assert "libxcb-icccm.so.4" in text and "libxcb-keysyms.so.1" in text
    apt = [line.strip() for line in text.splitlines() if "apt install" in line]
    assert apt == [
        "sudo apt install libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0 libglib2.0-0"
    ]
    assert "xcb-cursor0" not in text  # Qt's misleading hint is not repeated
    assert qtsetup.platform_diagnosis("\tlibc.so.6 => /lib/libc.so.6 (0x1)\n") == ""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb plugin is Linux's")
def test_a_start_without_a_display_explains_itself_instead_of_aborting(tmp_path):
    missing = qtsetup.missing_libraries(qtsetup.run_ldd(qtsetup.platform_plugin()))
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "xcb"
    done = subprocess.run(
        [sys.executable, "-c", "from branchdesk.app import make_application; make_application()"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    if missing:  # this machine lacks some: exactly what the message must say
        assert done.returncode == 1
        assert "sudo apt install " in done.stderr
        assert all(lib in done.stderr for lib in missing)
        assert "xcb-cursor0 or libxcb-cursor0 is needed" not in done.stderr
    else:  # every library is there: Qt's own message (no display) stays
        assert "platform plugin" in done.stderr
