"""Without the bundled font, printing refuses in Chinese instead of printing empty boxes.

Run in a fresh process: the test process has registered the font long ago (Qt keeps an
application font for the life of the process).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from demo_cache import write_demo_branch

RUN_WITHOUT_FONT = """
import sys
from pathlib import Path
import branchdesk.resources as resources
resources.resources_dir = lambda: Path(sys.argv[1])  # an install that lost resources/
from branchdesk.cli import main
sys.exit(main(sys.argv[2:]))
"""


@pytest.fixture(scope="module")
def branch(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("branch") / "data"
    write_demo_branch(folder, members=6, seed=2)
    return folder


def _without_font(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    empty = tmp_path / "resources"
    (empty / "fonts").mkdir(parents=True)
    return subprocess.run(
        [sys.executable, "-c", RUN_WITHOUT_FONT, str(empty), *argv],
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    )


@pytest.mark.slow
def test_a_sign_in_sheet_is_refused_without_the_font(branch, tmp_path):
    target = tmp_path / "签到表.pdf"
    done = _without_font(tmp_path, "signin", "1", "-o", str(target), "--data-dir", str(branch))
    assert done.returncode != 0
    assert "找不到随软件附带的中文字体文件" in done.stderr and "方框" in done.stderr
    assert "Traceback" not in done.stderr
    assert not target.exists()  # nothing printed in boxes


@pytest.mark.slow
def test_check_says_the_font_is_missing(branch, tmp_path):
    done = _without_font(tmp_path, "check", "--data-dir", str(branch))
    assert done.returncode == 1
    assert "找不到随软件附带的中文字体文件" in done.stderr


def test_the_font_is_in_place_in_this_install():
    from branchdesk.resources import font_problem

    assert font_problem() is None
