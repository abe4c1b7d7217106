"""Where a branch's data folder lives: ``--data-dir``, then ``BRANCHDESK_HOME``, then per user."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENV_HOME = "BRANCHDESK_HOME"


def on_windows() -> bool:
    """Whether this is Windows (one place, so tests can take the Windows paths here)."""
    return sys.platform == "win32"


def default_data_dir() -> Path:
    """Return the per-user data folder (%LOCALAPPDATA% on Windows, XDG on Linux)."""
    if on_windows():
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "BranchDesk"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "BranchDesk"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "branchdesk"


def resolve_data_dir(cli_value: str | os.PathLike[str] | None = None) -> Path:
    if cli_value:
        return Path(cli_value).expanduser().resolve()
    env = os.environ.get(ENV_HOME)
    if env:
        return Path(env).expanduser().resolve()
    return default_data_dir()


def ensure_data_dir(path: Path) -> Path:
    """Create the folder, readable by the user only where the OS allows."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path
