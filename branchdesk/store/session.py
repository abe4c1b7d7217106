"""An open data folder: its database, and the proof that this process may write it.

A ``Session`` is what every write operation (``branchdesk.ops``) is given. A writable session
holds the folder's one-writer lock (``DataFolderLock``); a read-only one (a read-only folder, a
full disk) holds none and refuses every write with the usual Chinese message. The window and
the command line open one with ``Session.open``; the window's restore from backup swaps the
database underneath it with ``reopen``.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from branchdesk.store.db import (
    DB_FILENAME,
    NewerDatabaseError,
    StorageError,
    disk_full,
    folder_writable,
    needs_migrating,
    open_database,
    own_connection,
    storage_error,
)
from branchdesk.store.lock import DataFolderLock

# Primary SQLite result codes that come from the environment, not from our SQL.
_SQLITE_ENVIRONMENT = {
    3,  # SQLITE_PERM
    5,  # SQLITE_BUSY
    6,  # SQLITE_LOCKED
    8,  # SQLITE_READONLY
    10,  # SQLITE_IOERR
    11,  # SQLITE_CORRUPT
    13,  # SQLITE_FULL
    14,  # SQLITE_CANTOPEN
    26,  # SQLITE_NOTADB
}
_SQLITE_IOERR = 10
_ENVIRONMENT_WORDS = (
    "full", "locked", "busy", "readonly", "read-only", "not a database", "malformed",
    "corrupt", "unable to open", "disk i/o",
)  # fmt: skip


def read_only_error(data_dir: Path | str | None) -> StorageError:
    """The refusal of a write to a folder opened read-only."""
    where = f"（{Path(data_dir) / DB_FILENAME}）" if data_dir else ""
    return StorageError(f"数据文件夹是只读的{where}，无法保存修改。")


def database_message(exc: BaseException, path: Path | str = "") -> str | None:
    """The message for a database problem of the environment; None for anything else.

    A constraint or an API misuse is our mistake (None); a full disk, a lock, a read-only or
    damaged file is told to people.
    """
    if not isinstance(exc, sqlite3.Error):
        return None
    if isinstance(exc, sqlite3.IntegrityError | sqlite3.ProgrammingError | sqlite3.InterfaceError):
        return None
    code = getattr(exc, "sqlite_errorcode", None)
    text = str(exc).lower()
    if not (
        (isinstance(code, int) and code & 0xFF in _SQLITE_ENVIRONMENT)
        or any(word in text for word in _ENVIRONMENT_WORDS)
    ):
        return None
    if isinstance(code, int) and code & 0xFF == _SQLITE_IOERR and "full" not in text:
        where = f"（{path}）" if path else ""
        return f"读写数据文件时出错{where}，数据没有保存。请检查磁盘或U盘是否已拔出，然后重试。"
    return storage_error(exc, path).message


CHECKING_MESSAGE = (
    "正在检查数据文件的完整性（刚打开时进行，通常只需几秒），检查通过前不能修改，"
    "修改没有保存。请稍候再试。"
)


@dataclass
class Session:
    """The database of a data folder, with the folder's lock when it may be written.

    ``lock`` is None for a read-only session (or, on a full disk, the lock that keeps others
    out while the data is viewed), and for a database whose folder nobody else can reach (an
    in-memory database, a test's own temporary folder).
    """

    db: Database
    data_dir: Path
    lock: DataFolderLock | None = None
    read_only: bool = False
    # The start-up integrity check, while it still runs after the window was shown (an
    # ``EarlyCheck``): nothing is written until it has passed.
    pending_check: object | None = None

    @classmethod
    def open(
        cls, data_dir: Path, *, lock: DataFolderLock | None = None, read_only: bool = False
    ) -> Session:
        """Open the folder's database: for writing under ``lock`` (held), or read-only."""
        data_dir = Path(data_dir)
        if not read_only and (lock is None or not lock.held):
            raise ValueError("a writable session needs the folder's lock, held")
        db = open_database(data_dir / DB_FILENAME, read_only=read_only)
        return cls(db, data_dir, None if read_only else lock, read_only)

    @classmethod
    def open_read_only(cls, data_dir: Path) -> Session:
        """Open the folder's database for reading only (a read-only folder, a full disk)."""
        return cls.open(data_dir, read_only=True)

    @property
    def db_path(self) -> Path:
        return Path(self.data_dir or ".") / DB_FILENAME

    def require_writable(self) -> None:
        """Raise the read-only ``StorageError`` unless this session may write."""
        if self.read_only:
            raise read_only_error(self.data_dir)
        if self.pending_check is not None:
            raise StorageError(CHECKING_MESSAGE)
        if self.lock is not None and not self.lock.held:
            raise StorageError("数据文件夹已不再由本程序占用，修改没有保存。请重新打开 BranchDesk。")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Database]:
        """One transaction for a whole operation (the repositories' own ones nest inside)."""
        self.require_writable()
        with self.db.atomic():
            yield self.db

    @contextlib.contextmanager
    def worker_connection(self) -> Iterator[Database]:
        """A connection of its own for a worker thread, closed when done."""
        with own_connection(self.db_path, read_only=self.read_only) as db:
            yield db

    def close_database(self) -> None:
        """Close the connection (the lock stays held): a restore needs the file free."""
        self.db.close()

    @contextlib.contextmanager
    def worker(self) -> Iterator[Session]:
        """This session on a connection of its own, for an operation in a worker thread."""
        with self.worker_connection() as db:
            yield Session(db, self.data_dir, self.lock, self.read_only, self.pending_check)

    def reopen(self) -> None:
        """Open the folder's file again after ``close_database`` (a restore replaced it).

        The new connection goes into the same ``db`` object, so repositories made on it
        stay valid.
        """
        self.db.conn = open_database(self.db_path, read_only=self.read_only).conn

    def close(self) -> None:
        self.db.close()
        if self.lock is not None:
            self.lock.release()


__all__ = [
    "needs_migrating",
    "DB_FILENAME",
    "Database",
    "NewerDatabaseError",
    "Session",
    "StorageError",
    "database_message",
    "disk_full",
    "folder_writable",
    "read_only_error",
]
