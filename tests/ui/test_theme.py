"""Colours live in ui/theme.py: no other ui module writes a hex colour of its own."""

from __future__ import annotations

import re
from pathlib import Path

from branchdesk.ui import theme, widgets

UI = Path(__file__).resolve().parents[2] / "branchdesk" / "ui"
HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}\b")

# Modules that still write their own colours, each with the reason.
EXCEPTIONS: dict[str, str] = {}  # module (relative to ui/) -> why it may keep a colour literal


def _modules() -> list[str]:
    return sorted(p.relative_to(UI).as_posix() for p in UI.rglob("*.py"))


def test_no_ui_module_but_the_theme_writes_a_hex_colour():
    found = {}
    for name in _modules():
        if name == "theme.py" or name in EXCEPTIONS:
            continue
        for number, line in enumerate((UI / name).read_text(encoding="utf-8").splitlines(), 1):
            if HEX_COLOUR.search(line):
                found.setdefault(name, []).append(f"{number}: {line.strip()}")
    assert found == {}, "colours outside ui/theme.py: " + repr(found)


def test_every_exception_is_a_real_module():
    assert set(EXCEPTIONS) <= set(_modules())


def test_the_theme_keeps_todays_colours_and_the_old_names():
    assert theme.BRAND_RED == "#b71c1c"
    assert (widgets.ERROR_COLOR, widgets.WARNING_COLOR, widgets.MUTED_COLOR) == (
        "#b71c1c",
        "#9a6700",
        "#5f5f5f",
    )
    assert widgets.HEADING_STYLE == "font-size: 16pt; font-weight: 600;"
    assert theme.MUTED_TEXT == "color: #5f5f5f;"
