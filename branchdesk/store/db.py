"""Opening a branch database: pragmas, schema version checks and the two families of errors."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import struct
import sys
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote, urlencode

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
    table = MIGRATIONS.migrations_table
    if db.table(table).exists():
        known = known_migration_names()
        applied = [r["name"] for r in db.query(f"SELECT name FROM [{table}]")]
        unknown = [name for name in applied if name not in known]
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
            conn = connect_read_only(path).conn
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


# -- reading a folder that cannot be written -------------------------------------------------------
#
# Every connection to a WAL database, even a read-only one, uses the shared-memory index
# ``branchdesk.db-shm`` and creates it when it is missing. In a read-only folder it cannot
# ("unable to open database file"); on a full disk it cannot give it its first pages
# ("disk I/O error"). Neither says anything about the data, so the database is then read
# without that index:
#
# * When ``branchdesk.db-wal`` holds no committed transaction (it is absent, empty, or holds
#   only frames of an earlier generation, as after a clean close), the main file is the whole
#   database: it is opened with ``immutable=1``, which needs no index and takes no locks.
# * Otherwise ``immutable=1`` would ignore the WAL and silently show the data as it was
#   before those transactions (a meeting saved just before a crash would be missing). The
#   committed frames are applied to a copy of the file in memory, as SQLite's own recovery
#   does (salts and checksums checked, up to the last commit frame), and that copy is read.
#
# Either way nothing writes the files meanwhile: nobody can write a read-only folder, and a
# running writer would already have made the index, so the ordinary connection would work.

_WITHOUT_INDEX = (  # errors of the index, not of the data: retry without it
    "SQLITE_CANTOPEN",
    "SQLITE_IOERR_SHM",
    "SQLITE_READONLY_CANTINIT",
    "SQLITE_READONLY_RECOVERY",
    "SQLITE_FULL",
)
_WAL_MAGIC = (0x377F0682, 0x377F0683)  # checksums in little- / big-endian words
_WAL_HEADER = 32
_FRAME_HEADER = 24


class ReadOnlyConnection(NamedTuple):
    conn: sqlite3.Connection
    # Why the shared-memory index could not be used, when the database was read without it.
    without_index: sqlite3.Error | None = None


def file_uri(path: Path, **params: str) -> str:
    """An SQLite URI for ``path``: any folder name (``#``, ``?``, ``%``), drive or UNC share."""
    text = path.absolute().as_posix()  # /home/x, C:/Users/x or //server/share/x
    if not text.startswith("/"):
        text = "/" + text
    return "file://" + quote(text, safe="/:") + "?" + urlencode(params)


def _index_failed(exc: sqlite3.Error) -> bool:
    name = getattr(exc, "sqlite_errorname", "")  # Python 3.11+
    if name:
        return name.startswith(_WITHOUT_INDEX)
    text = str(exc).lower()
    return "unable to open" in text or "disk i/o" in text or "full" in text


def connect_read_only(path: Path | str, *, timeout: float = 5.0) -> ReadOnlyConnection:
    """Open an existing database for reading only, even where its folder cannot be written.

    Nothing is written to the folder by this connection, except the index SQLite itself
    creates when it can; see the note above for what happens when it cannot.
    """
    path = Path(path)
    conn = sqlite3.connect(file_uri(path, mode="ro"), uri=True, timeout=timeout)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # opens the WAL index
        return ReadOnlyConnection(conn)
    except sqlite3.OperationalError as exc:
        conn.close()
        if not _index_failed(exc) or not path.is_file():
            raise
        reason = exc
    image = committed_wal_image(path)
    if image is None:
        conn = sqlite3.connect(file_uri(path, mode="ro", immutable="1"), uri=True, timeout=timeout)
    else:
        if not hasattr(sqlite3.Connection, "deserialize"):  # Python < 3.11
            raise reason
        conn = sqlite3.connect(":memory:", timeout=timeout)
        conn.deserialize(image)
        conn.execute("PRAGMA query_only = ON")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error:
        conn.close()
        raise
    return ReadOnlyConnection(conn, reason)


def _wal_checksum(data: bytes, s0: int, s1: int, big_endian: bool) -> tuple[int, int]:
    words = array("I")
    words.frombytes(data)
    if (sys.byteorder == "big") != big_endian:
        words.byteswap()
    for i in range(0, len(words), 2):
        s0 = (s0 + words[i] + s1) & 0xFFFFFFFF
        s1 = (s1 + words[i + 1] + s0) & 0xFFFFFFFF
    return s0, s1


def committed_wal_image(path: Path | str) -> bytes | None:
    """The database as its WAL's committed transactions make it; None if they change nothing.

    The image is in rollback-journal mode, ready for ``Connection.deserialize``.
    """
    path = Path(path)
    try:
        wal = path.with_name(path.name + "-wal").read_bytes()
    except FileNotFoundError:
        return None
    if len(wal) < _WAL_HEADER:
        return None
    magic, _version, page_size, _seq, salt1, salt2, c1, c2 = struct.unpack(">8I", wal[:32])
    if magic not in _WAL_MAGIC or page_size < 512 or page_size > 65536:
        return None
    if page_size & (page_size - 1) or array("I").itemsize != 4:
        return None
    big_endian = bool(magic & 1)
    checksum = _wal_checksum(wal[:24], 0, 0, big_endian)
    if checksum != (c1, c2):
        return None
    committed: dict[int, int] = {}  # page number -> offset of its newest committed content
    pending: dict[int, int] = {}
    size = 0  # pages in the database after the last commit
    frame = _FRAME_HEADER + page_size
    offset = _WAL_HEADER
    while offset + frame <= len(wal):
        number, commit, f_salt1, f_salt2, f_c1, f_c2 = struct.unpack_from(">6I", wal, offset)
        if number == 0 or (f_salt1, f_salt2) != (salt1, salt2):
            break
        checksum = _wal_checksum(wal[offset : offset + 8], *checksum, big_endian)
        content = offset + _FRAME_HEADER
        checksum = _wal_checksum(wal[content : content + page_size], *checksum, big_endian)
        if checksum != (f_c1, f_c2):
            break
        pending[number] = content
        if commit:
            committed.update(pending)
            pending.clear()
            size = commit
        offset += frame
    if not size:
        return None
    image = bytearray(path.read_bytes()[: size * page_size])
    image.extend(bytes(size * page_size - len(image)))
    for number, content in committed.items():
        if number <= size:
            image[(number - 1) * page_size : number * page_size] = wal[
                content : content + page_size
            ]
    image[18:20] = b"\x01\x01"  # rollback-journal mode: an in-memory database has no WAL
    return bytes(image)


@contextlib.contextmanager
def own_connection(path: Path | str, *, read_only: bool = False) -> Iterator[Database]:
    """A connection of its own, closed when done: what work in a worker thread uses."""
    db = open_database(path, read_only=read_only)
    try:
        yield db
    finally:
        db.close()


def needs_migrating(path: Path | str) -> bool:
    """Whether opening ``path`` for writing would migrate it (read without writing)."""
    try:
        db = Database(connect_read_only(path).conn, execute_plugins=False)
    except (sqlite3.Error, StorageError):
        return True  # let the ordinary path find out and tell
    try:
        return bool(MIGRATIONS.pending(db))
    except sqlite3.Error:
        return True
    finally:
        db.close()


def open_memory_database() -> Database:
    """Open a fresh in-memory database with the current schema (tests, previews)."""
    conn = sqlite3.connect(":memory:")
    db = Database(conn, execute_plugins=False)
    _configure(db)
    MIGRATIONS.apply(db)
    return db


def is_damage(exc: sqlite3.Error) -> bool:
    """Whether an SQLite error says the file itself is damaged (not the disk, a lock, a folder)."""
    name = getattr(exc, "sqlite_errorname", "")  # Python 3.11+
    if name:
        return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text or "corrupt" in text


# Less free space than this and a new record or backup cannot be saved: the disk is "full".
LOW_SPACE_BYTES = 2 * 1024 * 1024


def free_bytes(path: Path | str) -> int | None:
    """Free space on the disk holding ``path`` (a folder not made yet: its nearest parent)."""
    folder = Path(path) if path else Path.cwd()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def disk_full(path: Path | str) -> bool:
    """Whether the disk holding the file ``path`` has (next to) no room left."""
    free = free_bytes(Path(path).parent if path else "")
    return free is not None and free < LOW_SPACE_BYTES


def storage_error(exc: sqlite3.Error, path: Path | str = "") -> StorageError:
    """Translate an SQLite error caused by the environment into a message for people."""
    text = str(exc).lower()
    where = f"（{path}）" if path else ""
    if "disk i/o" in text or "unable to open" in text:
        # SQLite says only "I/O error" when the index beside a database cannot grow on a full
        # disk, and "unable to open" when it cannot be created in a read-only folder.
        if path and disk_full(path):
            text = "full"
        elif path and Path(path).parent.is_dir() and not folder_writable(Path(path).parent):
            text = "readonly"
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
    if "disk i/o" in text:
        return StorageError(
            f"读写数据文件时磁盘出错{where}，这次的修改没有保存，已保存的数据不受影响。"
            "请检查磁盘（U盘是否已拔出、网络盘是否断开）后重试。"
        )
    return StorageError(f"数据库出错{where}：{exc}")


__all__ = [
    "DB_FILENAME",
    "Database",
    "NewerDatabaseError",
    "SCHEMA_VERSION",
    "ReadOnlyConnection",
    "StorageError",
    "committed_wal_image",
    "connect_read_only",
    "LOW_SPACE_BYTES",
    "disk_full",
    "free_bytes",
    "file_uri",
    "is_damage",
    "folder_writable",
    "open_database",
    "open_memory_database",
    "storage_error",
]
