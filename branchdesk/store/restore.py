"""从备份恢复: replace a data folder's database and attachments with a backup's.

In this order, so that a kill at any point leaves either the old data or the restored data,
whole, and never touches the live folder for a backup that would be refused:

1. the backup's entries are checked and the free disk space is counted;
2. everything is extracted into a staging directory in the data folder's temp area, the
   database is checked there (``backup_check.check_database``) and all of it is fsynced;
3. the live data is kept: a normal backup (``restore-safety-*``) when the database can be
   read, otherwise the raw file renamed ``branchdesk.db.damaged-<time>`` (never deleted);
4. the staged files are renamed into place under a journal (``workarea.begin_swap``); a swap a
   crash interrupted is completed by ``clean_leftovers`` at the next start.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import errno
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from branchdesk.store.backup import (
    _STAMP,
    BACKUP_SUFFIX,
    DamagedSourceError,
    backup_dir,
    write_backup,
)
from branchdesk.store.backup_check import (
    ATTACHMENTS_DIR,
    DEFAULT_LIMITS,
    SQLITE_HEADER,
    BackupArchive,
    BackupError,
    BackupInfo,
    BackupLimits,
    check_database,
    read_only_uri,
    size_text,
    untouched_uri,
)
from branchdesk.store.db import DB_FILENAME, folder_writable
from branchdesk.store.workarea import (
    TMP_DIR,
    LeftoverError,
    SwapStep,
    WorkDir,
    begin_swap,
    clean_leftovers,
    complete_swap,
    fsync_dir,
    fsync_file,
)

UNCHANGED = "当前数据没有改动。"
# Room left over after a restore, for the database's own journal when it is next opened.
SPACE_MARGIN = 2 << 20

MISSING, READABLE, DAMAGED = "missing", "readable", "damaged"


@dataclass(frozen=True)
class LiveData:
    """What the data folder holds before the restore."""

    state: str
    size: int  # database with its WAL, and attachments: what a safety copy takes at most
    has_attachments: bool


def _tree_size(folder: Path) -> tuple[int, bool]:
    total, any_file = 0, False
    if folder.is_dir():
        for path in folder.rglob("*"):
            with contextlib.suppress(OSError):
                if path.is_file():
                    total += path.stat().st_size
                    any_file = True
    return total, any_file


def _database_state(db_path: Path) -> str:
    if not os.path.lexists(db_path):
        return MISSING
    try:
        if db_path.stat().st_size == 0:
            return DAMAGED
        with open(db_path, "rb") as handle:
            if not handle.read(16).startswith(SQLITE_HEADER):
                return DAMAGED
    except OSError:
        return DAMAGED
    try:
        conn = sqlite3.connect(untouched_uri(db_path), uri=True, timeout=5)
        try:
            ok = conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        text = str(exc).lower()
        if "locked" in text or "busy" in text:
            raise BackupError(
                "数据文件正被另一个程序使用，不能从备份恢复。请关闭其他 BranchDesk 窗口后重试。"
                + UNCHANGED
            ) from exc
        return DAMAGED
    return READABLE if ok else DAMAGED


def inspect_live(data_dir: Path) -> LiveData:
    db_path = data_dir / DB_FILENAME
    size = 0
    for suffix in ("", "-wal"):
        with contextlib.suppress(OSError):
            size += db_path.with_name(db_path.name + suffix).stat().st_size
    attachments, has_attachments = _tree_size(data_dir / ATTACHMENTS_DIR)
    return LiveData(_database_state(db_path), size + attachments, has_attachments)


def _check_space(data_dir: Path, backup: BackupArchive, live: LiveData) -> None:
    needed = backup.database.file_size + backup.attachments_size + SPACE_MARGIN
    if live.state == READABLE:
        needed += live.size  # the copy of the current data made first
    free = shutil.disk_usage(data_dir).free
    if free < needed:
        raise BackupError(
            f"磁盘空间不足：恢复需要约 {size_text(needed)} 可用空间（含恢复前先保存的一份当前数据），"
            f"数据文件夹所在的磁盘只剩 {size_text(free)}。请清理磁盘后重试。" + UNCHANGED
        )


def _os_error(exc: OSError, data_dir: Path) -> BackupError:
    if exc.errno == errno.ENOSPC:
        return BackupError(f"磁盘空间不足，恢复没有完成（{data_dir}）。请清理磁盘后重试。" + UNCHANGED)
    if exc.errno == errno.EROFS:
        return BackupError(f"数据文件夹 {data_dir} 是只读的，不能从备份恢复。" + UNCHANGED)
    if exc.errno in (errno.EACCES, errno.EPERM):
        return BackupError(f"没有权限写入数据文件夹 {data_dir}，不能从备份恢复。" + UNCHANGED)
    where = f"（{exc.filename}）" if exc.filename else ""
    return BackupError(f"恢复时读写文件出错{where}：{exc.strerror or exc}。" + UNCHANGED)


def _stage(backup: BackupArchive, staging: Path) -> BackupInfo:
    """Extract and check the backup into ``staging/new``; everything fsynced on return."""
    new = staging / "new"
    new.mkdir(mode=0o700)
    attachments = new / ATTACHMENTS_DIR
    attachments.mkdir(mode=0o700)
    database = new / DB_FILENAME
    backup.extract_database(database)
    conn = sqlite3.connect(read_only_uri(database), uri=True)
    try:
        facts = check_database(conn, backup.name)
    finally:
        conn.close()
    # A backup is a VACUUM INTO copy, in rollback-journal mode. The live database is always
    # WAL (open_database): switched here, before the swap, a writer killed right after the
    # restore leaves a WAL, not a hot journal that read-only readers cannot roll back.
    conn = sqlite3.connect(str(database))
    try:
        conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()
    fsync_file(database)  # closing merged and removed its -wal
    folders = {attachments}
    for info in backup.attachments:
        target = attachments / info.filename.removeprefix(ATTACHMENTS_DIR + "/")
        if target.parent != attachments:
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            folders.add(target.parent)
        try:
            backup.extract(info, target)
        except FileExistsError as exc:  # two names one file on a case-insensitive disk
            raise BackupError(
                f"备份文件“{backup.name}”中的附件“{info.filename}”与另一个附件重名，不能用于恢复。"
            ) from exc
    for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
        fsync_dir(folder)
    fsync_dir(new)
    fsync_dir(staging)
    return backup.info(facts)


def _safety_path(data_dir: Path, now: dt.datetime) -> Path:
    base = f"restore-safety-{now.strftime(_STAMP)}"
    path, n = backup_dir(data_dir) / f"{base}{BACKUP_SUFFIX}", 1
    while os.path.lexists(path):
        n += 1
        path = backup_dir(data_dir) / f"{base}-{n}{BACKUP_SUFFIX}"
    return path


def _keep_live(
    data_dir: Path, live: LiveData, staging: Path, now: dt.datetime
) -> tuple[Path | None, list[SwapStep]]:
    """Keep the live data (safety copy, or set aside); return where, and the swap to do."""
    stamp = now.strftime(_STAMP)
    old = f"{TMP_DIR}/{staging.name}/old"
    db_aside = f"{old}/{DB_FILENAME}"
    attachments_aside = f"{old}/{ATTACHMENTS_DIR}"
    kept_as: Path | None = None
    state = live.state
    if state == READABLE:
        safety = _safety_path(data_dir, now)
        try:
            write_backup(data_dir, safety, now=now)
            kept_as = safety
        except DamagedSourceError:
            state = DAMAGED
        except BackupError as exc:
            raise BackupError(f"恢复前无法先备份当前数据，已停止恢复：{exc.message}" + UNCHANGED) from exc
    if state == DAMAGED:
        db_aside = f"{DB_FILENAME}.damaged-{stamp}"
        kept_as = data_dir / db_aside
    if state != READABLE and live.has_attachments:
        attachments_aside = f"{ATTACHMENTS_DIR}.before-restore-{stamp}"
        kept_as = kept_as or data_dir / attachments_aside
    new = f"{TMP_DIR}/{staging.name}/new"
    steps = [
        SwapStep(
            new=f"{new}/{DB_FILENAME}",
            live=DB_FILENAME,
            aside=tuple(
                (f"{DB_FILENAME}{suffix}", f"{db_aside}{suffix}") for suffix in ("-wal", "-shm", "")
            ),
        ),
        SwapStep(
            new=f"{new}/{ATTACHMENTS_DIR}",
            live=ATTACHMENTS_DIR,
            aside=((ATTACHMENTS_DIR, attachments_aside),),
        ),
    ]
    return kept_as, steps


def _unchanged(exc: BackupError) -> BackupError:
    if UNCHANGED in exc.message:
        return exc
    return type(exc)(f"{exc.message}{'' if exc.message.endswith('。') else '。'}{UNCHANGED}")


def restore_backup(
    data_dir: Path,
    source: Path,
    *,
    now: dt.datetime | None = None,
    limits: BackupLimits = DEFAULT_LIMITS,
) -> BackupInfo:
    """Restore ``source`` into ``data_dir``; return what it holds and where the old data went.

    Replaces the data folder's database and attachments with the backup's. Every connection
    to the database must be closed (and the folder locked) by the caller.
    """
    now = now or dt.datetime.now()
    data_dir = Path(data_dir)
    source = Path(source)
    try:
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise _os_error(exc, data_dir) from exc
    if not folder_writable(data_dir):
        raise BackupError(f"数据文件夹 {data_dir} 是只读的，不能从备份恢复。" + UNCHANGED)
    try:
        clean_leftovers(data_dir)
    except LeftoverError as exc:
        raise BackupError(exc.message) from exc
    swapping = False
    try:
        with BackupArchive.open(source, limits) as backup:
            live = inspect_live(data_dir)
            _check_space(data_dir, backup, live)
            with WorkDir(data_dir, "restore") as work:
                info = _stage(backup, work.path)
                kept_as, steps = _keep_live(data_dir, live, work.path, now)
                begin_swap(data_dir, work.path, steps)
                work.keep = swapping = True  # from here the journal owns the staging directory
                complete_swap(data_dir, work.path, steps)
                work.keep = False
    except BackupError as exc:
        if swapping:
            raise
        raise _unchanged(exc) from exc
    except OSError as exc:
        if swapping:
            raise BackupError(
                f"恢复没有完成：{exc.strerror or exc}。下次打开 BranchDesk 时会自动完成恢复；"
                f"恢复前的数据已保存在 {kept_as}。"
            ) from exc
        raise _os_error(exc, data_dir) from exc
    with contextlib.suppress(OSError):
        os.chmod(data_dir / DB_FILENAME, 0o600)
    return dataclasses.replace(info, kept_as=kept_as)
