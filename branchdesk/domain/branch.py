"""The branch itself: the name and superior committee every form prints."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Branch:
    name: str
    superior: str = ""  # 上级党组织
