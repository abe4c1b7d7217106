"""Opening a branch database: pragmas, schema version checks and the two families of errors."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sqlite_utils import Database

from branchdesk.store.migrations import MIGRATIONS, SCHEMA_VERSION, known_migration_names

DB_FILENAME = "branchdesk.db"


class StorageError(Exception):
    """A problem of the environment (locked, full, unreadable, too new), told to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NewerDatabaseError(StorageError):
    """The database was written by a newer BranchDesk and must not be touched."""


def _configure(db: Database) -> None:
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA busy_timeout = 5000")
    # FULL: a just-typed record must survive a power cut, and the write volume is tiny.
    db.execute("PRAGMA synchronous = FULL")


def _schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def check_not_newer(db: Database, path: Path | str = "") -> None:
    """Refuse a database from a newer BranchDesk, without writing to it."""
    version = _schema_version(db.conn)
    unknown: list[str] = []
    if db.table("_sqlite_migrations").exists():
        applied = [r[0] for r in db.execute("SELECT name FROM _sqlite_migrations").fetchall()]
        unknown = [name for name in applied if name not in known_migration_names()]
    if version > SCHEMA_VERSION or unknown:
        raise NewerDatabaseError(
            f"数据文件 {path} 由更新版本的 BranchDesk 写入（数据版本 {version}，"
            f"本程序支持到 {SCHEMA_VERSION}）。为保护数据，本程序不会打开或修改它，"
            "请安装最新版本的 BranchDesk。"
        )


def folder_writable(folder: Path) -> bool:
    """Whether files can be created in ``folder`` (tried, not guessed from permissions)."""
    probe = folder / f".write-test-{os.getpid()}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError:
        return False
    return True


def open_database(path: Path | str, *, migrate: bool = True, read_only: bool = False) -> Database:
    """Open (creating if needed) a branch database and bring its schema up to date.

    ``read_only`` opens an existing database without writing to it at all (a read-only
    folder, a backup being previewed); a database that would need migrating is refused.
    """
    path = Path(path)
    try:
        if read_only:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5.0)
        else:
            conn = sqlite3.connect(str(path), timeout=5.0)
        db = Database(conn, execute_plugins=False)
        check_not_newer(db, path)
        _configure(db)
        if read_only:
            db.execute("PRAGMA query_only = ON")
            if MIGRATIONS.pending(db):
                raise StorageError(
                    f"数据文件 {path} 来自旧版本，需要升级后才能使用，但它所在的文件夹是只读的。"
                    "请把数据文件夹设为可写后再打开。"
                )
            return db
        if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            db.execute("PRAGMA journal_mode = WAL")
        if migrate:
            MIGRATIONS.apply(db)
        try:
            os.chmod(path, 0o600)  # personal data: readable by this user only
        except OSError:
            pass
    except (NewerDatabaseError, StorageError):
        raise
    except sqlite3.DatabaseError as exc:
        raise storage_error(exc, path) from exc
    return db


@contextlib.contextmanager
def own_connection(path: Path | str, *, read_only: bool = False) -> Iterator[Database]:
    """A connection of its own, closed when done: what work in a worker thread uses."""
    db = open_database(path, read_only=read_only)
    try:
        yield db
    finally:
        db.close()


def open_memory_database() -> Database:
    """Open a fresh in-memory database with the current schema (tests, previews)."""
    conn = sqlite3.connect(":memory:")
    db = Database(conn, execute_plugins=False)
    _configure(db)
    MIGRATIONS.apply(db)
    return db


def storage_error(exc: sqlite3.Error, path: Path | str = "") -> StorageError:
    """Translate an SQLite error caused by the environment into a message for people."""
    text = str(exc).lower()
    where = f"（{path}）" if path else ""
    if "full" in text:
        return StorageError(
            f"磁盘空间已满，数据没有保存{where}。请清理磁盘后重试，已保存的数据不受影响。"
        )
    if "locked" in text or "busy" in text:
        return StorageError(
            f"数据文件正被另一个程序使用{where}，请关闭其他 BranchDesk 窗口后重试。"
        )
    if "readonly" in text or "read-only" in text:
        return StorageError(f"数据文件夹是只读的{where}，无法保存修改。")
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return StorageError(f"数据文件已损坏{where}。请从备份恢复。")
    if "unable to open" in text:
        return StorageError(f"无法打开数据文件{where}，请检查文件夹是否存在并可写。")
    return StorageError(f"数据库出错{where}：{exc}")


__all__ = [
    "DB_FILENAME",
    "Database",
    "NewerDatabaseError",
    "SCHEMA_VERSION",
    "StorageError",
    "folder_writable",
    "open_database",
    "open_memory_database",
    "storage_error",
]
