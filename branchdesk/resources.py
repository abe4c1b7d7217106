"""Locate bundled resources (fonts, icons) the same way in every kind of install.

``resources/`` at the top of the repository is the package ``branchdesk._resources``
(pyproject.toml maps it): an editable install reads it in place, a wheel carries it, and the
frozen bundle collects it under ``branchdesk/_resources`` (build.spec).
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

RESOURCES_PACKAGE = "branchdesk._resources"


def resources_dir() -> Path:
    # Qt and the PDF writer need real file paths: every install keeps the files on disk.
    return Path(str(importlib.resources.files(RESOURCES_PACKAGE)))


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


CJK_FONT_FILE = ("fonts", "wqy-microhei.ttc")
CJK_FONT_FAMILY = "WenQuanYi Micro Hei"


def font_problem() -> str | None:
    """Why printing cannot use the bundled CJK font, in Chinese; None when it is in place.

    Without it every Chinese character of a sign-in sheet or a record prints as an empty box,
    so printing refuses instead, and ``check`` and the window say so.
    """
    path = resource(*CJK_FONT_FILE)
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    if size < 1_000_000:  # the font is about 5 MB; an empty or cut-off file is no font
        return (
            f"找不到随软件附带的中文字体文件（{path}），签到表和会议记录无法打印："
            "中文会印成方框。请重新安装 BranchDesk。"
        )
    return None
