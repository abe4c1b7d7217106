"""Backups: consistent snapshots of the database with its attachments, in one file.

A backup file (``*.bdbackup``) is a zip holding ``manifest.json``, ``branchdesk.db`` (made
with ``VACUUM INTO``, never a copy of the live file) and ``attachments/``. The snapshot is
taken in the data folder's own temp area and the file is written as ``*.partial`` (0600)
next to its target, checked, then renamed into place; what a kill leaves behind is removed
by ``clean_leftovers`` (see ``store/workarea.py``).

The backups folder holds three kinds of copy: the automatic ones
(``branchdesk-YYYYmmdd-HHMMSS.bdbackup``), which are thinned by tier; the copies made before
each restore (``restore-safety-*``); and any other copy put there. Only the automatic ones
are ever removed by the program; the others stay until the user deletes them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import os
import re
import sqlite3
import threading
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from branchdesk import __version__
from branchdesk.store.backup_check import (
    ATTACHMENTS_DIR,
    DEFAULT_LIMITS,
    FORMAT,
    MANIFEST,
    BackupError,
    BackupInfo,
    BackupLimits,
    NewerBackupError,
    count_facts,
    read_backup_info,
    read_only_uri,
    untouched_uri,
)
from branchdesk.store.db import DB_FILENAME, connect_read_only, disk_full, is_damage
from branchdesk.store.workarea import (
    TMP_DIR,
    LeftoverError,
    PartialFile,
    WorkDir,
    clean_leftovers,
    create_private,
    fsync_file,
    usable_temp_area,
)

BACKUP_SUFFIX = ".bdbackup"
BACKUP_DIR = "backups"
_STAMP = "%Y%m%d-%H%M%S"
_AUTO_NAME = re.compile(r"^branchdesk-(\d{8}-\d{6})\.bdbackup$")
_SAFETY_NAME = re.compile(r"^restore-safety-(\d{8}-\d{6})(?:-\d+)?\.bdbackup$")
_STAMPED_NAME = re.compile(r"(\d{8}-\d{6})(?:-\d+)?\.bdbackup$")

AUTOMATIC = "automatic"  # the daily/weekly/monthly tiers, thinned by ``to_prune``
SAFETY = "safety"  # made before a restore
OTHER = "other"  # anything else the folder holds, e.g. a copy the user put there

__all__ = [
    "AUTOMATIC",
    "BACKUP_DIR",
    "BACKUP_SUFFIX",
    "DEFAULT_LIMITS",
    "OTHER",
    "SAFETY",
    "BackupError",
    "BackupFile",
    "BackupInfo",
    "BackupLimits",
    "DamagedSourceError",
    "NewerBackupError",
    "Retention",
    "auto_backup",
    "backup_files",
    "backup_kind",
    "clean_leftovers",
    "delete_backup",
    "list_backups",
    "read_backup_info",
    "to_prune",
    "write_backup",
]


class DamagedSourceError(BackupError):
    """The live database cannot be read whole, so it cannot be backed up."""


# -- the backups folder --------------------------------------------------------------------------


def backup_dir(data_dir: Path) -> Path:
    return Path(data_dir) / BACKUP_DIR


def backup_kind(path: Path) -> str:
    """``AUTOMATIC``, ``SAFETY`` or ``OTHER``, from the file's name."""
    name = Path(path).name
    if _AUTO_NAME.match(name):
        return AUTOMATIC
    if _SAFETY_NAME.match(name):
        return SAFETY
    return OTHER


@dataclass(frozen=True)
class BackupFile:
    path: Path
    created: dt.datetime  # from the name; the file's time for a copy named otherwise
    kind: str

    @property
    def automatic(self) -> bool:
        return self.kind == AUTOMATIC


def _stamp_of(path: Path) -> dt.datetime | None:
    match = _STAMPED_NAME.search(path.name)
    if match:
        try:
            return dt.datetime.strptime(match.group(1), _STAMP)
        except ValueError:
            pass
    try:
        return dt.datetime.fromtimestamp(path.stat().st_mtime)
    except (OSError, ValueError, OverflowError):
        return None


def backup_files(data_dir: Path) -> list[BackupFile]:
    """Every backup in the data folder's backups, newest first."""
    found = []
    folder = backup_dir(data_dir)
    if folder.is_dir():
        for path in folder.glob(f"*{BACKUP_SUFFIX}"):
            stamp = _stamp_of(path)
            if stamp is not None and path.is_file():
                found.append(BackupFile(path, stamp, backup_kind(path)))
    return sorted(found, key=lambda f: (f.created, f.path.name), reverse=True)


def list_backups(data_dir: Path) -> list[tuple[Path, dt.datetime]]:
    """Every backup in the data folder, newest first, with the time it was made."""
    return [(f.path, f.created) for f in backup_files(data_dir)]


def delete_backup(data_dir: Path, path: Path) -> None:
    """Delete a copy the user chose; automatic backups are left to the rotation."""
    path = Path(path)
    if path.parent.resolve() != backup_dir(data_dir).resolve() or backup_kind(path) == AUTOMATIC:
        raise BackupError("自动备份会按保留规则自动清理，不能手动删除；这里只能删除恢复前自动保存的备份和其他备份。")
    try:
        path.unlink()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise BackupError(f"无法删除备份 {path.name}：{exc.strerror or exc}") from exc


# -- writing --------------------------------------------------------------------------------------


def _folder_of(path: Path) -> Path:
    """The folder to name for ``path``: the data folder rather than its private work area."""
    for parent in path.parents:
        if parent.name == TMP_DIR:
            return parent.parent
    return path.parent


def _write_error(exc: OSError, target: Path) -> BackupError:
    folder = _folder_of(target)
    if exc.errno == errno.ENOSPC:
        return BackupError(f"磁盘空间不足，备份没有写成（{folder}）；旧的备份保持不变。")
    if exc.errno == errno.EROFS:
        return BackupError(f"备份位置 {folder} 是只读的，备份没有写成。请换一个可以写入的位置。")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return BackupError(f"没有权限在 {folder} 中写入，备份没有写成。请换一个位置。")
    return BackupError(f"无法写入备份文件 {target}：{exc.strerror or exc}")


def snapshot_database(source: Path, target: Path) -> None:
    """Write a consistent, verified copy of the live database ``source`` to ``target``.

    ``target`` must not exist or be empty; create it 0600 first so that it never is readable
    by others, not even while being written.
    """
    try:
        conn = sqlite3.connect(untouched_uri(source), uri=True, timeout=10)
        try:
            conn.execute("VACUUM INTO ?", [str(target)])
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            raise DamagedSourceError(f"数据文件已损坏，无法备份（{exc}）") from exc
        text = str(exc).lower()
        if "full" in text or ("disk i/o" in text and disk_full(target)):
            raise BackupError(
                f"磁盘空间不足，无法做数据库快照（{_folder_of(target)}）；旧的备份保持不变。"
            ) from exc
        if "locked" in text or "busy" in text:
            raise BackupError("数据正被另一个程序写入，暂时无法备份，请稍后重试。") from exc
        raise BackupError(f"无法读取数据库以备份（{exc}），旧的备份保持不变。") from exc
    fsync_file(target)
    try:
        conn = sqlite3.connect(read_only_uri(target), uri=True)
        try:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            ok = ok and not conn.execute("PRAGMA foreign_key_check").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        ok = False
    if not ok:
        raise DamagedSourceError("备份校验失败：数据库快照不完整，旧的备份保持不变")


def _snapshot_facts(snapshot: Path) -> dict[str, object]:
    conn = sqlite3.connect(read_only_uri(snapshot), uri=True)
    try:
        return count_facts(conn)
    finally:
        conn.close()


def _attachment_files(data_dir: Path) -> list[Path]:
    folder = data_dir / ATTACHMENTS_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def write_backup(data_dir: Path, target: Path, *, now: dt.datetime | None = None) -> BackupInfo:
    """Write one backup file of the data folder to ``target`` (a USB stick, the backups folder).

    The file appears at ``target`` only once it is complete and verified; until then it is
    ``target.partial``, owner-only, recorded in the data folder so that a crash leaves
    nothing the next start does not remove.
    """
    now = now or dt.datetime.now()
    data_dir = Path(data_dir)
    target = Path(target)
    source = data_dir / DB_FILENAME
    if not source.is_file():
        raise BackupError(f"数据文件夹 {data_dir} 中没有支部数据，无法备份")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.ExitStack() as stack:
            if usable_temp_area(data_dir) is not None:
                work = stack.enter_context(WorkDir(data_dir, "backup"))
                snapshot = work.path / DB_FILENAME
                create_private(snapshot).close()
            else:  # a read-only data folder: the snapshot waits beside the target
                beside_name = target.with_name(target.name + ".db")
                beside = stack.enter_context(PartialFile(None, beside_name))
                assert beside.file is not None
                beside.file.close()
                snapshot = beside.path
            snapshot_database(source, snapshot)
            facts = _snapshot_facts(snapshot)
            attachments = _attachment_files(data_dir)
            manifest = {
                "format": FORMAT,
                "created_at": now.isoformat(timespec="seconds"),
                "app_version": __version__,
                **facts,
            }
            partial = stack.enter_context(PartialFile(data_dir, target))
            assert partial.file is not None
            with zipfile.ZipFile(partial.file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
                archive.write(snapshot, DB_FILENAME)
                for path in attachments:
                    relative = path.relative_to(data_dir).as_posix()
                    archive.write(path, relative, compress_type=zipfile.ZIP_STORED)
            partial.file.flush()
            partial.file.seek(0)
            with zipfile.ZipFile(partial.file) as check:  # read it back before it replaces anything
                bad = check.testzip()
                stored = check.getinfo(DB_FILENAME).file_size
                if bad is not None or stored != snapshot.stat().st_size:
                    raise BackupError(f"备份校验失败（{bad or DB_FILENAME}），旧的备份保持不变")
            partial.commit()
    except OSError as exc:
        raise _write_error(exc, target) from exc
    except zipfile.BadZipFile as exc:
        raise BackupError(f"备份校验失败（{exc}），旧的备份保持不变") from exc
    return BackupInfo(
        path=target,
        created_at=now.replace(microsecond=0),
        branch=str(facts["branch"]),
        members=int(facts["members"]),  # type: ignore[call-overload]
        meetings=int(facts["meetings"]),  # type: ignore[call-overload]
        activities=int(facts["activities"]),  # type: ignore[call-overload]
        schema_version=int(facts["schema_version"]),  # type: ignore[call-overload]
        app_version=__version__,
        attachments=int(facts["attachments"]),  # type: ignore[call-overload]
    )


# -- rotation -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Retention:
    daily: int = 7
    weekly: int = 4
    monthly: int = 12


def to_prune(
    backups: Iterable[tuple[Path, dt.datetime]], now: dt.datetime, keep: Retention = Retention()
) -> list[Path]:
    """Pick the automatic backups to delete: keep the newest of each of the last N days, weeks,
    months. Any other copy (made before a restore, or put there by the user) is never picked."""
    ordered = sorted(
        ((path, stamp) for path, stamp in backups if backup_kind(path) == AUTOMATIC),
        key=lambda item: item[1],
        reverse=True,
    )
    kept: set[Path] = set()
    if ordered:
        kept.add(ordered[0][0])  # the newest is always kept
    tiers = (
        (keep.daily, lambda t: t.date()),
        (keep.weekly, lambda t: t.isocalendar()[:2]),
        (keep.monthly, lambda t: (t.year, t.month)),
    )
    for count, bucket_of in tiers:
        buckets: dict[object, Path] = {}
        for path, stamp in ordered:
            bucket = bucket_of(stamp)
            if bucket not in buckets:
                buckets[bucket] = path
        for bucket in list(buckets)[:count]:
            kept.add(buckets[bucket])
    return [path for path, _ in ordered if path not in kept]


def auto_backup(
    data_dir: Path, *, now: dt.datetime | None = None, keep: Retention = Retention()
) -> BackupInfo:
    """Write a timestamped backup into the data folder and thin the automatic ones by tier."""
    now = now or dt.datetime.now()
    try:
        clean_leftovers(data_dir)
    except LeftoverError as exc:
        raise BackupError(exc.message) from exc
    target = backup_dir(data_dir) / f"branchdesk-{now.strftime(_STAMP)}{BACKUP_SUFFIX}"
    info = write_backup(data_dir, target, now=now)
    for path in to_prune(list_backups(data_dir), now, keep):
        with contextlib.suppress(OSError):
            path.unlink()
    return info


def last_backup_time(data_dir: Path) -> dt.datetime | None:
    """When BranchDesk last made a backup here (automatic or before a restore)."""
    made = [f.created for f in backup_files(data_dir) if f.kind != OTHER]
    return made[0] if made else None


def backup_due(
    data_dir: Path, now: dt.datetime, *, older_than: dt.timedelta = dt.timedelta(days=1)
) -> bool:
    last = last_backup_time(data_dir)
    return last is None or now - last >= older_than


def set_aside_damaged(db_path: Path, *, now: dt.datetime | None = None) -> Path:
    """Rename a damaged database (and its journal files) so it is kept, never deleted."""
    now = now or dt.datetime.now()
    aside = db_path.with_name(f"{db_path.name}.damaged-{now.strftime(_STAMP)}")
    os.replace(db_path, aside)
    for suffix in ("-wal", "-shm"):
        journal = db_path.with_name(db_path.name + suffix)
        if journal.exists():
            os.replace(journal, aside.with_name(aside.name + suffix))
    return aside


def quick_check(db_path: Path) -> bool:
    """A fast start-up check (``PRAGMA quick_check``); False only for a damaged file.

    A full disk, a read-only folder or a lock are not damage: they answer True here and are
    told as what they are when the database is opened. Treating them as damage would set a
    healthy database aside and offer blank data instead.
    """
    try:
        opened = connect_read_only(db_path)
    except sqlite3.Error as exc:
        return not is_damage(exc)
    try:
        return opened.conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    except sqlite3.Error as exc:
        return not is_damage(exc)
    finally:
        opened.conn.close()


class EarlyCheck:
    """``quick_check`` started in a thread while the rest of the app loads.

    The check only reads (its own read-only connection), so it can run before the data
    folder is locked; the answer is waited for before the database is opened for writing.
    """

    def __init__(self, db_path: Path) -> None:
        self.db_path = Path(db_path)
        self._ok: bool | None = None
        self._thread = threading.Thread(target=self._run, name="quick-check", daemon=True)

    @classmethod
    def start(cls, db_path: Path) -> EarlyCheck:
        check = cls(db_path)
        check._thread.start()
        return check

    def _run(self) -> None:
        self._ok = quick_check(self.db_path) if self.db_path.exists() else True

    def passed(self) -> bool:
        self._thread.join()
        return bool(self._ok)

    def finished(self) -> bool:
        """True once the answer is in (``passed`` then returns at once)."""
        return not self._thread.is_alive()


def newest_good_backup(data_dir: Path) -> BackupInfo | None:
    """The newest backup in the data folder that passes every check, if any."""
    for found in backup_files(data_dir):
        try:
            return read_backup_info(found.path, data_dir=data_dir)
        except BackupError:
            continue
    return None
