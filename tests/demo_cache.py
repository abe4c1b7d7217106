"""Demo branches for tests: each set of arguments is written once per run, then copied.

Writing a demo branch takes 0.1-1 s of CPU and one large transaction (more on a busy disk);
a copy of its folder takes a few milliseconds. ``write_demo_branch`` here has the same
arguments and result as ``branchdesk.demo.write_demo_branch``; a folder that is not empty
goes to the real one (which refuses it, as a test may check).
"""

from __future__ import annotations

import atexit
import datetime as dt
import shutil
import tempfile
from pathlib import Path
from typing import Any

from branchdesk.demo import DemoSummary
from branchdesk.demo import write_demo_branch as _write_demo_branch

_built: dict[tuple[tuple[str, Any], ...], tuple[Path, DemoSummary]] = {}
_root: Path | None = None


def _cache_root() -> Path:
    global _root
    if _root is None:
        _root = Path(tempfile.mkdtemp(prefix="branchdesk-demo-cache-"))
        atexit.register(shutil.rmtree, _root, ignore_errors=True)
    return _root


def write_demo_branch(data_dir: Path, **options: Any) -> DemoSummary:
    """Put the demo branch these options describe into ``data_dir``, as the real one does."""
    data_dir = Path(data_dir)
    if data_dir.exists() and any(data_dir.iterdir()):
        return _write_demo_branch(data_dir, **options)
    options.setdefault("today", dt.date.today())  # the real default, made part of the key
    key = tuple(sorted(options.items()))
    if key not in _built:
        source = _cache_root() / str(len(_built))
        summary = _write_demo_branch(source, **options)
        _built[key] = (source, summary)
    source, summary = _built[key]
    shutil.copytree(source, data_dir, dirs_exist_ok=True)
    return summary
