"""Data folders in trouble: a real full disk, a real read-only folder, a crash's WAL.

The disk and the folder are a small tmpfs mounted for one test. Root can mount one (this
machine and CI run the tests as root); elsewhere, or where mounting is not allowed (a
container without the capability), the test is skipped. The mount is always undone,
whatever the test did.
"""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from branchdesk.domain.members import Member
from branchdesk.store.db import DB_FILENAME, open_database
from branchdesk.store.members import MemberRepo

LATE_MEMBER = "温晓岚"  # saved just before a crash: only in branchdesk.db-wal


def leave_unmerged_wal(data_dir: Path) -> None:
    """Leave the folder as a crash does: the newest member only in the WAL, and no -shm."""
    path = data_dir / DB_FILENAME
    db = open_database(path)
    db.execute("PRAGMA wal_autocheckpoint = 0")
    MemberRepo(db).add(Member(name=LATE_MEMBER))
    wal = path.with_name(DB_FILENAME + "-wal")
    files = {path: path.read_bytes(), wal: wal.read_bytes()}
    db.close()  # merges and removes the WAL: put the files back as they were before
    for file, content in files.items():
        file.write_bytes(content)
    path.with_name(DB_FILENAME + "-shm").unlink(missing_ok=True)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, check=False)


class Mount:
    """A tmpfs mounted at ``path``: fill it, free it, make it read-only or writable again."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fill(self, leave: int = 0) -> Path:
        """Take every free byte but about ``leave``, as a disk that has run full."""
        return fill_disk(self.path, leave)

    def free(self) -> None:
        (self.path / "filler").unlink(missing_ok=True)

    def read_only(self) -> None:
        gc.collect()  # a connection left to the garbage collector keeps a file open
        result = _run("mount", "-o", "remount,ro", str(self.path))
        if result.returncode:
            raise RuntimeError(f"remount read-only failed: {result.stderr.strip()}")

    def writable(self) -> None:
        result = _run("mount", "-o", "remount,rw", str(self.path))
        if result.returncode:
            raise RuntimeError(f"remount read-write failed: {result.stderr.strip()}")


def fill_disk(folder: Path, leave: int = 0) -> Path:
    """Fill the disk holding ``folder`` until about ``leave`` bytes are free; the filler file."""
    filler = folder / "filler"
    with open(filler, "ab", buffering=0) as handle:
        if leave:
            stat = os.statvfs(folder)
            room = max(0, stat.f_bavail * stat.f_frsize - leave)
            chunk = b"\0" * (1 << 20)
            try:
                while room > 0:
                    room -= handle.write(chunk[: min(len(chunk), room)])
            except OSError:
                pass  # full already
            return filler
        for size in (1 << 16, 4096, 512, 1):  # down to the last partial block
            try:
                while handle.write(b"\0" * size):
                    pass
            except OSError:
                pass
    return filler


@contextlib.contextmanager
def tmpfs(path: Path, size: str = "16m", mode: str = "0700") -> Iterator[Mount]:
    """Mount a tmpfs of ``size`` at ``path`` (created) for the block; skip if impossible."""
    if sys.platform != "linux" or os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root on Linux")
    path.mkdir(parents=True, exist_ok=True)
    result = _run("mount", "-t", "tmpfs", "-o", f"size={size},mode={mode}", "tmpfs", str(path))
    if result.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    try:
        yield Mount(path)
    finally:
        gc.collect()
        if _run("umount", str(path)).returncode:
            _run("umount", "-l", str(path))  # still busy: detach now, freed when closed
