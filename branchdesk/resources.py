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
