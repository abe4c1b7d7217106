"""Backups: consistent snapshots of the database with its attachments, in one file.

A backup file (``*.bdbackup``) is a zip holding ``manifest.json``, ``branchdesk.db`` (made
with ``VACUUM INTO``, never a copy of the live file) and ``attachments/``. Every backup is
verified — reopened and integrity-checked — before it takes its place; a backup that was
interrupted leaves only a ``*.partial`` file, which the next start removes.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import tempfile
import threading
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from branchdesk import __version__
from branchdesk.store.db import DB_FILENAME, NewerDatabaseError, StorageError
from branchdesk.store.migrations import SCHEMA_VERSION

BACKUP_SUFFIX = ".bdbackup"
BACKUP_DIR = "backups"
ATTACHMENTS_DIR = "attachments"
MANIFEST = "manifest.json"
_STAMP = "%Y%m%d-%H%M%S"


class BackupError(StorageError):
    """A backup could not be written, read or restored; the message says why."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created_at: dt.datetime
    branch: str
    members: int
    meetings: int
    activities: int
    schema_version: int
    app_version: str
    attachments: int

    def describe(self) -> str:
        return (
            f"{self.branch}，{self.created_at:%Y年%m月%d日 %H:%M} 的备份："
            f"{self.members} 名党员，{self.meetings} 次会议，{self.activities} 次活动"
        )


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _integrity_ok(db_path: Path) -> bool:
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            fk = conn.execute("PRAGMA foreign_key_check").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False
    return result == "ok" and not fk


def _counts(db_path: Path) -> dict[str, object]:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        def count(table: str, where: str = "") -> int:
            try:
                return int(conn.execute(f"SELECT count(*) FROM {table} {where}").fetchone()[0])
            except sqlite3.OperationalError:  # an older schema without the table
                return 0

        row = None
        try:
            row = conn.execute("SELECT name FROM branch WHERE id = 1").fetchone()
        except sqlite3.OperationalError:
            pass
        return {
            "branch": row[0] if row else "",
            "members": count("members", "WHERE status IN ('在册', '流动')"),
            "meetings": count("meetings"),
            "activities": count("activities"),
            "schema_version": int(conn.execute("PRAGMA user_version").fetchone()[0]),
        }
    finally:
        conn.close()


def snapshot_database(source: Path, target: Path) -> None:
    """Write a consistent, verified copy of the live database ``source`` to ``target``."""
    if target.exists():
        target.unlink()
    conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=10)
    try:
        conn.execute("VACUUM INTO ?", [str(target)])
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"无法读取数据库以备份：{exc}") from exc
    finally:
        conn.close()
    _fsync(target)
    if not _integrity_ok(target):
        raise BackupError("备份校验失败：数据库快照不完整，旧的备份保持不变")


def write_backup(data_dir: Path, target: Path, *, now: dt.datetime | None = None) -> BackupInfo:
    """Write one backup file of the data folder to ``target`` (a USB stick, the backups folder).

    The file appears at ``target`` only once it is complete and verified.
    """
    now = now or dt.datetime.now()
    source = data_dir / DB_FILENAME
    if not source.exists():
        raise BackupError(f"数据文件夹 {data_dir} 中没有支部数据，无法备份")
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="branchdesk-backup-") as work:
        snapshot = Path(work) / DB_FILENAME
        snapshot_database(source, snapshot)
        facts = _counts(snapshot)
        attachments = sorted(
            p for p in (data_dir / ATTACHMENTS_DIR).rglob("*") if p.is_file()
        ) if (data_dir / ATTACHMENTS_DIR).is_dir() else []
        manifest = {
            "format": "branchdesk-backup",
            "created_at": now.isoformat(timespec="seconds"),
            "app_version": __version__,
            **facts,
            "attachments": len(attachments),
        }
        try:
            with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
                archive.write(snapshot, DB_FILENAME)
                for path in attachments:
                    relative = path.relative_to(data_dir).as_posix()
                    archive.write(path, relative, compress_type=zipfile.ZIP_STORED)
            _fsync(partial)
            info = read_backup_info(partial)  # reopen and check before it replaces anything
            os.chmod(partial, 0o600)
            os.replace(partial, target)
        except OSError as exc:
            _remove_quietly(partial)
            if exc.errno == 28:
                raise BackupError(f"磁盘空间不足，备份没有写成（{target.parent}）；旧的备份保持不变") from exc
            raise BackupError(f"无法写入备份文件 {target}：{exc.strerror or exc}") from exc
        except BaseException:
            _remove_quietly(partial)
            raise
    return BackupInfo(**{**info.__dict__, "path": target})


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def read_backup_info(path: Path) -> BackupInfo:
    """Open a backup file and say what it holds; refuse anything else with a clear reason."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if MANIFEST not in names or DB_FILENAME not in names:
                raise BackupError(f"{path.name} 不是 BranchDesk 备份文件")
            manifest = json.loads(archive.read(MANIFEST).decode("utf-8"))
            if manifest.get("format") != "branchdesk-backup":
                raise BackupError(f"{path.name} 不是 BranchDesk 备份文件")
            if int(manifest.get("schema_version", 0)) > SCHEMA_VERSION:
                raise NewerDatabaseError(
                    f"{path.name} 由更新版本的 BranchDesk（{manifest.get('app_version')}）写入，"
                    "请先安装最新版本再恢复"
                )
            with tempfile.TemporaryDirectory(prefix="branchdesk-verify-") as work:
                archive.extract(DB_FILENAME, work)
                if not _integrity_ok(Path(work) / DB_FILENAME):
                    raise BackupError(f"备份文件 {path.name} 已损坏（数据库校验失败）")
            bad = archive.testzip()
            if bad is not None:
                raise BackupError(f"备份文件 {path.name} 已损坏（{bad} 校验失败）")
    except (zipfile.BadZipFile, OSError, ValueError, KeyError) as exc:
        raise BackupError(f"{path.name} 不是可用的 BranchDesk 备份文件（{exc}）") from exc
    return BackupInfo(
        path=path,
        created_at=dt.datetime.fromisoformat(manifest["created_at"]),
        branch=manifest.get("branch", ""),
        members=int(manifest.get("members", 0)),
        meetings=int(manifest.get("meetings", 0)),
        activities=int(manifest.get("activities", 0)),
        schema_version=int(manifest.get("schema_version", 0)),
        app_version=str(manifest.get("app_version", "")),
        attachments=int(manifest.get("attachments", 0)),
    )


def backup_dir(data_dir: Path) -> Path:
    return data_dir / BACKUP_DIR


def list_backups(data_dir: Path) -> list[tuple[Path, dt.datetime]]:
    """The automatic backups in the data folder, newest first (by the time in their name)."""
    found = []
    folder = backup_dir(data_dir)
    if folder.is_dir():
        for path in folder.glob(f"*{BACKUP_SUFFIX}"):
            parts = path.stem.rsplit("-", 2)
            try:
                stamp = dt.datetime.strptime(f"{parts[-2]}-{parts[-1]}", _STAMP)
            except (ValueError, IndexError):
                continue
            found.append((path, stamp))
    return sorted(found, key=lambda item: item[1], reverse=True)


def clean_partial_backups(data_dir: Path) -> int:
    """Remove what interrupted backups left behind; return how many files."""
    folder = backup_dir(data_dir)
    removed = 0
    if folder.is_dir():
        for path in folder.glob("*.partial"):
            _remove_quietly(path)
            removed += 1
    return removed


@dataclass(frozen=True)
class Retention:
    daily: int = 7
    weekly: int = 4
    monthly: int = 12


def to_prune(
    backups: Iterable[tuple[Path, dt.datetime]], now: dt.datetime, keep: Retention = Retention()
) -> list[Path]:
    """Pick the backups to delete: keep the newest of each of the last N days, weeks, months."""
    ordered = sorted(backups, key=lambda item: item[1], reverse=True)
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


def auto_backup(data_dir: Path, *, now: dt.datetime | None = None, keep: Retention = Retention()) -> BackupInfo:
    """Write a timestamped backup into the data folder and prune older ones by tier."""
    now = now or dt.datetime.now()
    clean_partial_backups(data_dir)
    target = backup_dir(data_dir) / f"branchdesk-{now.strftime(_STAMP)}{BACKUP_SUFFIX}"
    info = write_backup(data_dir, target, now=now)
    for path in to_prune(list_backups(data_dir), now, keep):
        _remove_quietly(path)
    return info


def last_backup_time(data_dir: Path) -> dt.datetime | None:
    backups = list_backups(data_dir)
    return backups[0][1] if backups else None


def backup_due(data_dir: Path, now: dt.datetime, *, older_than: dt.timedelta = dt.timedelta(days=1)) -> bool:
    last = last_backup_time(data_dir)
    return last is None or now - last >= older_than


def restore_backup(data_dir: Path, source: Path, *, now: dt.datetime | None = None) -> BackupInfo:
    """Replace the data folder's database and attachments with a backup's.

    The current database is backed up first (when there is one). Every connection to the
    database must be closed before calling this.
    """
    now = now or dt.datetime.now()
    info = read_backup_info(source)
    data_dir.mkdir(parents=True, exist_ok=True)
    current = data_dir / DB_FILENAME
    if current.exists():
        safety = backup_dir(data_dir) / f"restore-safety-{now.strftime(_STAMP)}{BACKUP_SUFFIX}"
        try:
            write_backup(data_dir, safety, now=now)
        except BackupError as exc:
            raise BackupError(f"恢复前无法先备份当前数据，已停止恢复：{exc.message}") from exc
    with tempfile.TemporaryDirectory(prefix="restore-", dir=data_dir) as work:
        with zipfile.ZipFile(source) as archive:
            archive.extractall(work)
        staged_db = Path(work) / DB_FILENAME
        if not _integrity_ok(staged_db):
            raise BackupError(f"备份文件 {source.name} 已损坏，当前数据保持不变")
        for suffix in ("-wal", "-shm"):
            _remove_quietly(current.with_name(current.name + suffix))
        os.replace(staged_db, current)
        os.chmod(current, 0o600)
        staged_attachments = Path(work) / ATTACHMENTS_DIR
        live_attachments = data_dir / ATTACHMENTS_DIR
        if live_attachments.exists():
            shutil.rmtree(live_attachments)
        if staged_attachments.exists():
            shutil.move(str(staged_attachments), live_attachments)
    return info


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
    """A fast start-up check (``PRAGMA quick_check``); False for a damaged file."""
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            return conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False


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


def newest_good_backup(data_dir: Path) -> BackupInfo | None:
    for path, _stamp in list_backups(data_dir):
        try:
            return read_backup_info(path)
        except BackupError:
            continue
    return None
