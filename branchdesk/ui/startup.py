"""Opening a data folder safely: one writer, a quick check, damaged files kept, backups.

Each step that needs the user asks through ``msgbox`` so that tests can answer.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path

from branchdesk.store.backup import (
    BackupError,
    EarlyCheck,
    auto_backup,
    backup_due,
    clean_leftovers,
    newest_good_backup,
    quick_check,
    set_aside_damaged,
    write_backup,
)
from branchdesk.store.location import default_data_dir
from branchdesk.store.location_check import risky_location
from branchdesk.store.lock import DataFolderLock, FolderLocked, lock_wait_seconds
from branchdesk.store.restore import restore_backup
from branchdesk.store.session import (
    DB_FILENAME,
    Database,
    NewerDatabaseError,
    Session,
    StorageError,
    disk_full,
    folder_writable,
    needs_migrating,
)
from branchdesk.ui import msgbox

log = logging.getLogger(__name__)


@dataclass
class OpenedFolder:
    """A data folder opened for the app: its session (database, lock) and what to tell."""

    session: Session
    banners: list[str] = field(default_factory=list)

    @property
    def data_dir(self) -> Path:
        return self.session.data_dir

    @property
    def db(self) -> Database:
        return self.session.db

    @property
    def lock(self) -> DataFolderLock | None:
        return self.session.lock

    @property
    def read_only(self) -> bool:
        return self.session.read_only

    def close(self) -> None:
        self.session.close()


def _offer_move(data_dir: Path, warning: str) -> Path | None:
    """Offer to move a risky data folder to the default place; return the new folder."""
    target = default_data_dir()
    if target == data_dir or (target / DB_FILENAME).exists():
        return None
    choice = msgbox.choose(
        None,
        "数据文件夹的位置不安全",
        f"{warning}\n\n可以把数据移到本机的默认位置：\n{target}",
        ["移到默认位置", "继续使用当前位置"],
    )
    if choice != 0:
        return None
    handover = target / "moved-in.bdbackup"
    try:
        target.mkdir(parents=True, exist_ok=True)
        write_backup(data_dir, handover)
        restore_backup(target, handover)
    except (BackupError, OSError) as exc:
        msgbox.error(None, "没有移动", f"移动数据时出错，原位置的数据没有改动：{exc}")
        return None
    finally:
        handover.unlink(missing_ok=True)
    msgbox.information(
        None, "已移动", f"数据已复制到 {target}。原文件夹 {data_dir} 保持原样，确认无误后可自行删除。"
    )
    return target


def _recover_damaged(data_dir: Path) -> bool:
    """Keep a damaged database aside and offer the newest good backup; False to stop."""
    db_path = data_dir / DB_FILENAME
    aside = set_aside_damaged(db_path)
    log.error("database failed the quick check; kept aside as %s", aside.name)
    good = newest_good_backup(data_dir)
    if good is not None:
        if msgbox.confirm(
            None,
            "数据文件已损坏",
            f"数据文件未通过完整性检查，已原样保留为 {aside.name}（不会删除）。\n\n"
            f"找到最近的完好备份：{good.created_at:%Y年%m月%d日 %H:%M}，"
            f"含 {good.members} 名党员、{good.meetings} 次会议、{good.activities} 次活动。\n"
            "此后录入的内容需要重新补录。是否从这份备份恢复？",
            yes="从备份恢复",
        ):
            restore_backup(data_dir, good.path)
            return True
    return msgbox.confirm(
        None,
        "数据文件已损坏",
        f"数据文件已损坏，已原样保留为 {aside.name}。"
        + ("" if good else "没有找到可用的备份。")
        + "\n是否建立一个新的空白数据？（也可以退出，稍后用“从备份恢复”导入备份文件。）",
        yes="建立空白数据",
    )


def open_data_folder(
    data_dir: Path, early_check: EarlyCheck | None = None, *, defer_check: bool = False
) -> OpenedFolder | None:
    """Open ``data_dir`` for the app, or tell the user why not and return None.

    ``early_check`` is the integrity check started while the app was loading, if any. With
    ``defer_check``, a check still running is not waited for: the session refuses every
    write until it has passed (``Session.pending_check``), and the window calls
    ``finish_integrity_check`` once it is shown. A database that needs migrating is always
    checked first, as is one without an early check.
    """
    banners: list[str] = []
    warning = risky_location(data_dir)
    if warning:
        moved = _offer_move(data_dir, warning)
        if moved is not None:
            data_dir = moved
        else:
            banners.append("数据文件夹位于网络共享或同步文件夹中，存在损坏风险。建议移到本机默认位置。")
    read_only = not folder_writable(data_dir)
    full = read_only and disk_full(data_dir / DB_FILENAME)  # to a probe, full looks read-only
    lock: DataFolderLock | None = None
    if not read_only:
        lock = DataFolderLock(data_dir)
        try:
            # A command-line backup or import holds the folder for a few seconds: wait for it.
            lock.acquire(wait=lock_wait_seconds())
        except FolderLocked as exc:
            msgbox.error(None, "数据正在使用中", exc.message)
            return None
        except StorageError as exc:  # the lock file cannot even be made (a full disk)
            msgbox.error(None, "无法打开数据", exc.message)
            return None
    db_path = data_dir / DB_FILENAME
    try:
        if not read_only and clean_leftovers(data_dir):
            early_check = None  # a restore a crash interrupted may have been completed since
        if read_only:
            if not db_path.exists():
                why = "所在的磁盘空间已满" if full else "是只读的"
                msgbox.error(None, "无法打开数据", f"数据文件夹 {data_dir} {why}，且其中没有支部数据。")
                return None
            banners.insert(
                0,
                FULL_DISK_BANNER
                if full
                else "数据文件夹是只读的：可以查看、打印和导出到其他位置，但不能修改。",
            )
        elif (
            defer_check
            and early_check is not None
            and early_check.db_path == db_path
            and not early_check.finished()
            and db_path.exists()
            and not needs_migrating(db_path)
        ):
            session = Session.open(data_dir, lock=lock)
            session.pending_check = early_check  # no write until it has passed
            return OpenedFolder(session, banners)
        elif db_path.exists() and not (
            early_check.passed()
            if early_check is not None and early_check.db_path == db_path
            else quick_check(db_path)
        ):
            if not _recover_damaged(data_dir):
                lock.release() if lock else None
                return None
        session = Session.open(data_dir, lock=lock, read_only=read_only)
    except (StorageError, BackupError) as exc:
        if isinstance(exc, NewerDatabaseError) and lock is not None:
            restored = _offer_restore_over_newer(data_dir, lock, exc)
            if restored is not None:
                return OpenedFolder(restored, banners)
        full = _open_on_full_disk(data_dir, lock, exc)
        if full is not None:  # still ours (locked): nothing else writes while it is viewed
            banners.insert(0, FULL_DISK_BANNER)
            return OpenedFolder(full, banners)
        msgbox.error(None, "无法打开数据", exc.message)
        if lock is not None:
            lock.release()
        return None
    return OpenedFolder(session, banners)


def _offer_restore_over_newer(
    data_dir: Path, lock: DataFolderLock, exc: NewerDatabaseError
) -> Session | None:
    """A database a newer version wrote (or a forged restore left): offer the newest good backup.

    The refused file is kept in a safety copy first, as before every restore; return the
    reopened session, or None when the person declined or the restore failed.
    """
    good = newest_good_backup(data_dir)
    if good is None:
        return None
    if not msgbox.confirm(
        None,
        "数据由更新版本写入",
        f"{exc.message}\n\n"
        "如果这是安装了旧版本或误恢复了备份造成的，可以从最近的完好备份恢复："
        f"{good.created_at:%Y年%m月%d日 %H:%M}，含 {good.members} 名党员、{good.meetings} 次会议、"
        f"{good.activities} 次活动。当前的数据文件会先另存为一份备份，不会删除。",
        yes="从备份恢复",
    ):
        return None
    try:
        restore_backup(data_dir, good.path)
        return Session.open(data_dir, lock=lock)
    except (StorageError, BackupError) as failed:
        msgbox.error(None, "没有恢复", failed.message)
        return None


FULL_DISK_BANNER = (
    "磁盘空间已满：可以查看、打印和导出到其他位置，但不能修改。请清理磁盘后重新打开 BranchDesk。"
)


def _open_on_full_disk(
    data_dir: Path, lock: DataFolderLock | None, exc: Exception
) -> Session | None:
    """A database that could not be opened for writing because the disk is full, read-only.

    The lock stays held (released on close), so nothing else writes while it is viewed.
    """
    db_path = data_dir / DB_FILENAME
    if isinstance(exc, NewerDatabaseError) or not db_path.is_file() or not disk_full(db_path):
        return None
    try:
        session = Session.open_read_only(data_dir)
    except StorageError:
        return None
    session.lock = lock
    return session


def recover_after_start(session: Session) -> bool:
    """The deferred check failed after the window was shown: set the file aside, offer the
    newest good backup. True when a good database is open again; False when the app must
    close (nothing was written to the damaged file: every write was refused meanwhile)."""
    session.close_database()
    recovered = _recover_damaged(session.data_dir)
    if recovered and (session.data_dir / DB_FILENAME).exists():  # a backup was restored
        session.reopen()
        session.pending_check = None
        return True
    if recovered:  # a blank database: the first start asks for the branch again
        msgbox.information(
            None,
            "需要重新打开",
            "已保留损坏的数据文件。请重新打开 BranchDesk，按提示建立新的支部数据。",
        )
    return False


def backup_if_due(data_dir: Path, *, now: dt.datetime | None = None) -> bool:
    """Take the daily automatic backup when the last one is older than a day."""
    now = now or dt.datetime.now()
    if not backup_due(data_dir, now):
        return False
    auto_backup(data_dir, now=now)
    return True
