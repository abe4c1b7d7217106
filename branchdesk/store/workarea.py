"""The data folder's own temp area (``DATA/tmp``): snapshots, restore staging, partial files.

Nothing holding personal data is written to the system temp folder. Each piece of work gets
its own directory in the temp area, owner-only and locked while in use, and every ``*.partial``
output (a backup being written, here or on a USB stick) is first recorded there. A process
killed half-way therefore leaves only things ``clean_leftovers`` knows how to find; it runs
at start, before each automatic backup and before each restore, and skips what is in use.

A restore swaps the data in with a journal (``begin_swap``, ``complete_swap``): the moves are
written down first, then done; a swap a crash interrupted is completed by the next
``clean_leftovers``.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import re
import shutil
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from branchdesk.store.db import StorageError
from branchdesk.store.lock import try_lock

log = logging.getLogger(__name__)

TMP_DIR = "tmp"
PARTIAL_SUFFIX = ".partial"
JOURNAL = "restore-journal.json"
_IN_USE = ".in-use"
_RECORD_PREFIX = "partial-"
_RECORD_SUFFIX = ".path"
# What ``tempfile.TemporaryDirectory(prefix="restore-", dir=DATA)`` of older versions left.
_OLD_STAGING = re.compile(r"^restore-[a-z0-9_]{8}$")
_BACKUP_DIR = "backups"


class LeftoverError(StorageError):
    """An interrupted restore could not be completed; ``message`` is for the user."""


# -- small file-system helpers ----------------------------------------------------------------


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (a no-op where directories cannot be opened)."""
    if sys.platform == "win32":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def create_private(path: Path) -> IO[bytes]:
    """Create ``path`` for writing, owner-only (0600) from its first byte; fail if it exists."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, 0o600)
    return os.fdopen(fd, "w+b")


def remove_quietly(path: Path) -> bool:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        log.warning("could not remove %s: %s", path, exc)
        return False
    return True


def _in_use(marker: Path) -> bool:
    """Whether a live process (this one included) holds the lock on ``marker``."""
    try:
        handle = open(marker, "rb")  # noqa: SIM115 - closed right below
    except OSError:
        return False
    try:
        return not try_lock(handle)
    finally:
        handle.close()  # closing drops a lock taken just now


# -- the temp area ------------------------------------------------------------------------------


def temp_area(data_dir: Path) -> Path:
    """``DATA/tmp``, created owner-only (0700); raises OSError when it cannot be made."""
    folder = Path(data_dir) / TMP_DIR
    folder.mkdir(mode=0o700, exist_ok=True)
    if sys.platform != "win32" and folder.stat().st_mode & 0o077:
        os.chmod(folder, 0o700)
    return folder


def usable_temp_area(data_dir: Path | None) -> Path | None:
    """The temp area when the data folder exists and is writable, else None."""
    if data_dir is None or not Path(data_dir).is_dir():
        return None
    try:
        folder = temp_area(data_dir)
        probe = folder / f".probe-{uuid.uuid4().hex[:8]}"
        create_private(probe).close()
        probe.unlink()
    except OSError:
        return None
    return folder


class WorkDir:
    """``with WorkDir(data_dir, "backup") as work:`` an owner-only directory in the temp area.

    It is locked while in use, so ``clean_leftovers`` in another thread or process leaves it
    alone, and removed on exit unless ``keep`` was set (a restore whose swap must finish).
    """

    def __init__(self, data_dir: Path, kind: str) -> None:
        self.area = temp_area(data_dir)
        self.path = self.area / f"{kind}-{uuid.uuid4().hex[:12]}"
        self.keep = False
        self._marker: IO[bytes] | None = None

    def __enter__(self) -> WorkDir:
        self.path.mkdir(mode=0o700)
        try:
            self._marker = create_private(self.path / _IN_USE)
            try_lock(self._marker)
        except BaseException:
            shutil.rmtree(self.path, ignore_errors=True)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self._marker is not None:
            self._marker.close()
            self._marker = None
        if not self.keep:
            shutil.rmtree(self.path, ignore_errors=True)


class PartialFile:
    """``target.partial`` being written: 0600 from its first byte, next to ``target``.

    Before it exists, its path is recorded in the data folder's temp area (when that is
    writable), so that a kill leaves nothing the next start cannot find. ``commit()`` renames
    it over ``target``; leaving the ``with`` block without committing removes it.
    """

    def __init__(self, data_dir: Path | None, target: Path) -> None:
        self.target = Path(target)
        self.path = self.target.with_name(self.target.name + PARTIAL_SUFFIX)
        self.file: IO[bytes] | None = None
        self._area = usable_temp_area(data_dir)
        self._record: Path | None = None
        self._record_handle: IO[bytes] | None = None
        self._committed = False

    def __enter__(self) -> PartialFile:
        if self._area is not None:
            self._record = self._area / f"{_RECORD_PREFIX}{uuid.uuid4().hex[:12]}{_RECORD_SUFFIX}"
            handle = create_private(self._record)
            self._record_handle = handle
            try_lock(handle)
            handle.write(os.path.realpath(self.path).encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        try:
            if os.path.lexists(self.path):
                os.unlink(self.path)  # left by an interrupted run of an older version
            self.file = create_private(self.path)
        except BaseException:
            self._drop_record()
            raise
        return self

    def commit(self) -> None:
        assert self.file is not None
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        os.replace(self.path, self.target)
        self._committed = True
        fsync_dir(self.target.parent)

    def __exit__(self, *exc: object) -> None:
        if self.file is not None and not self.file.closed:
            with contextlib.suppress(OSError):  # a full disk fails the last flush again
                self.file.close()
        if not self._committed:
            with contextlib.suppress(OSError):
                os.unlink(self.path)
        self._drop_record()

    def _drop_record(self) -> None:
        if self._record_handle is not None:
            self._record_handle.close()
            self._record_handle = None
        if self._record is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._record)
            self._record = None


# -- the restore swap ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SwapStep:
    """Put ``new`` (in the staging directory) at ``live``, first moving ``aside`` out of the way.

    ``aside`` pairs a live path with where it goes (all relative to the data folder). A step is
    done exactly when ``new`` is gone, which makes replaying a journal safe.
    """

    new: str
    live: str
    aside: tuple[tuple[str, str], ...]


def _inside(data_dir: Path, relative: str) -> Path:
    path = Path(relative)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise LeftoverError(f"恢复记录中的路径无效：{relative}")
    return data_dir / path


def _free_name(path: Path) -> Path:
    """``path``, or ``path-2``, ``path-3``… when something is already there: never overwrite."""
    candidate, n = path, 1
    while os.path.lexists(candidate):
        n += 1
        candidate = path.with_name(f"{path.name}-{n}")
    return candidate


def _run_steps(data_dir: Path, steps: list[SwapStep]) -> None:
    for step in steps:
        new = _inside(data_dir, step.new)
        if not os.path.lexists(new):
            continue  # placed already
        for live_name, aside_name in step.aside:
            live = _inside(data_dir, live_name)
            if os.path.lexists(live):
                aside = _free_name(_inside(data_dir, aside_name))
                aside.parent.mkdir(parents=True, exist_ok=True)
                os.replace(live, aside)
        os.replace(new, _inside(data_dir, step.live))
    fsync_dir(data_dir)


def _journal_path(data_dir: Path) -> Path:
    return Path(data_dir) / TMP_DIR / JOURNAL


def _finish(data_dir: Path, staging: Path) -> None:
    journal = _journal_path(data_dir)
    os.unlink(journal)
    fsync_dir(journal.parent)
    shutil.rmtree(staging, ignore_errors=True)


def begin_swap(data_dir: Path, staging: Path, steps: list[SwapStep]) -> None:
    """Write down ``steps`` (the journal); nothing is moved yet.

    Everything in ``staging`` (inside the temp area) must already be complete and fsynced.
    From the moment this returns, a crash is completed by the next ``clean_leftovers``.
    """
    journal = _journal_path(data_dir)
    record = {
        "staging": staging.name,
        "steps": [
            {"new": step.new, "live": step.live, "aside": [list(pair) for pair in step.aside]}
            for step in steps
        ],
    }
    fresh = journal.with_name(JOURNAL + ".new")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(fresh)
    with create_private(fresh) as handle:
        handle.write(json.dumps(record, ensure_ascii=False).encode("utf-8"))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(fresh, journal)
    fsync_dir(journal.parent)


def complete_swap(data_dir: Path, staging: Path, steps: list[SwapStep]) -> None:
    """Do the moves ``begin_swap`` wrote down, then forget the journal and the staging."""
    data_dir = Path(data_dir)
    try:
        _run_steps(data_dir, steps)
    except OSError:
        # One more try (a transient error); if it fails too, the next start completes it.
        _run_steps(data_dir, steps)
    _finish(data_dir, staging)


def finish_interrupted_swap(data_dir: Path) -> bool:
    """Complete a restore that a crash interrupted mid-swap; True when there was one."""
    data_dir = Path(data_dir)
    journal = _journal_path(data_dir)
    if not journal.is_file():
        return False
    try:
        record = json.loads(journal.read_text(encoding="utf-8"))
        staging = data_dir / TMP_DIR / Path(str(record["staging"])).name
        steps = [
            SwapStep(str(s["new"]), str(s["live"]), tuple((str(a), str(b)) for a, b in s["aside"]))
            for s in record["steps"]
        ]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise LeftoverError(
            f"上次从备份恢复没有完成，恢复记录无法读取（{journal}）。"
            "为保护数据，没有做任何改动；请重新从备份恢复。"
        ) from exc
    if _in_use(staging / _IN_USE):
        return False  # a restore in progress, not a leftover
    try:
        _run_steps(data_dir, steps)
        _finish(data_dir, staging)
    except OSError as exc:
        raise LeftoverError(
            f"上次从备份恢复没有完成，现在也无法完成：{exc.strerror or exc}。"
            "请检查磁盘空间和文件夹权限后重新打开。"
        ) from exc
    log.warning("completed a restore that was interrupted (%s)", staging.name)
    return True


# -- clean-up -------------------------------------------------------------------------------------


def _partials_in_use(area: Path) -> tuple[set[str], int]:
    """Remove what recorded partial files a crash left; return those still being written."""
    in_use: set[str] = set()
    removed = 0
    for record in area.glob(f"{_RECORD_PREFIX}*{_RECORD_SUFFIX}"):
        try:
            named = record.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            named = ""
        if _in_use(record):
            in_use.add(named)
            continue
        if named.endswith(PARTIAL_SUFFIX) and not os.path.isdir(named):
            try:
                os.unlink(named)
                removed += 1
            except FileNotFoundError:
                pass
            except OSError as exc:
                log.warning("could not remove %s: %s", named, exc)
                continue  # keep the record: the next start tries again
        remove_quietly(record)
    return in_use, removed


def clean_leftovers(data_dir: Path) -> int:
    """Remove what interrupted backups and restores left; return how many things went.

    First completes a restore interrupted mid-swap (raising ``LeftoverError`` when it cannot),
    then clears the temp area, old ``restore-*`` staging folders, recorded partial files and
    ``backups/*.partial``. Anything in use by a running backup or restore is left alone.
    A read-only folder is left as it is.
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        return 0
    removed = int(finish_interrupted_swap(data_dir))
    area = data_dir / TMP_DIR
    in_use: set[str] = set()
    try:
        if area.is_dir():
            in_use, count = _partials_in_use(area)
            removed += count
            for entry in list(area.iterdir()):
                if entry.name == JOURNAL or entry.name.startswith(_RECORD_PREFIX):
                    continue
                if entry.is_dir() and _in_use(entry / _IN_USE):
                    continue
                removed += remove_quietly(entry)
            if sys.platform != "win32" and area.stat().st_mode & 0o077:
                os.chmod(area, 0o700)
        for entry in list(data_dir.iterdir()):
            if _OLD_STAGING.match(entry.name) and entry.is_dir():
                removed += remove_quietly(entry)
        backups = data_dir / _BACKUP_DIR
        if backups.is_dir():
            for partial in backups.glob(f"*{PARTIAL_SUFFIX}"):
                if os.path.realpath(partial) not in in_use:
                    removed += remove_quietly(partial)
    except OSError as exc:
        if exc.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
            raise
        log.info("leftovers in %s not cleaned: %s", data_dir, exc)
    return removed
