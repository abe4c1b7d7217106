"""What a backup file holds, checked before anything is restored from it.

The database inside is the only source of truth: it is opened read-only, integrity- and
foreign-key-checked, its version and migration records must be ones this version knows, and
a copy of it, migrated to the current schema, must have exactly the schema a new database
has (no extra table, trigger or view, no missing column). The preview's counts are read from
it; the manifest only adds when the backup was made, and a malformed manifest is ignored.
The zip itself is checked before anything is extracted: no path leaving the folder, no
symlink, no duplicate entry, and declared sizes within limits (a zip bomb is refused unread).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import functools
import json
import logging
import os
import re
import sqlite3
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from branchdesk.domain.members import MemberStatus
from branchdesk.store.attachments import MAX_ATTACHMENT_BYTES
from branchdesk.store.db import (
    DB_FILENAME,
    NewerDatabaseError,
    StorageError,
    file_uri,
    open_memory_database,
)
from branchdesk.store.migrations import MIGRATIONS, SCHEMA_VERSION
from branchdesk.store.sql import in_roster
from branchdesk.store.workarea import WorkDir, create_private, usable_temp_area

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
ATTACHMENTS_DIR = "attachments"
FORMAT = "branchdesk-backup"
SQLITE_HEADER = b"SQLite format 3\x00"
_MIGRATIONS_TABLE = MIGRATIONS.migrations_table
# Python 3.11+ can check a backup's database in memory, without writing it anywhere.
CAN_CHECK_IN_MEMORY = hasattr(sqlite3.Connection, "deserialize")
_CHUNK = 1 << 20
# Errors zipfile and zlib raise for a damaged or hostile archive.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    RuntimeError,
    ValueError,
)


class BackupError(StorageError):
    """A backup could not be written, read or restored; the message says why."""


class NewerBackupError(BackupError, NewerDatabaseError):
    """The backup was written by a newer BranchDesk (or another program)."""


@dataclass(frozen=True)
class BackupLimits:
    """How much a backup may unpack to; anything larger is refused before it is read."""

    database: int = 1 << 30
    attachment: int = MAX_ATTACHMENT_BYTES
    attachments_total: int = 8 << 30
    entries: int = 100_000
    manifest: int = 64 << 10


DEFAULT_LIMITS = BackupLimits()


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
    kept_as: Path | None = None  # after a restore: where the data it replaced was kept

    def describe(self) -> str:
        return (
            f"{self.branch or '（未填写支部名称）'}，{self.created_at:%Y年%m月%d日 %H:%M} 的备份："
            f"{self.members} 名党员，{self.meetings} 次会议，{self.activities} 次活动"
        )


def size_text(size: int) -> str:
    """``50 MB``, ``50.1 MB`` (rounded up, so a size over a limit never reads as equal to it)."""
    for unit, name in ((1 << 30, "GB"), (1 << 20, "MB")):
        if size >= unit:
            tenths = -(-size * 10 // unit)
            return f"{tenths // 10}{'' if tenths % 10 == 0 else f'.{tenths % 10}'} {name}"
    return f"{max(-(-size // 1024), 1)} KB"


def read_only_uri(path: Path) -> str:
    """An SQLite URI opening ``path`` read-only (``?`` or ``#`` in a folder name are quoted)."""
    return file_uri(Path(path), mode="ro")


def untouched_uri(path: Path) -> str:
    """Read ``path`` leaving no ``-wal``/``-shm`` behind where it has no journal of its own.

    A database with no ``-wal`` or ``-journal`` beside it is closed and complete, so it can be
    read as immutable (SQLite then creates nothing next to it); otherwise it is read normally.
    Only for a folder nobody else writes to meanwhile (it is locked).
    """
    path = Path(path)
    journals = (path.with_name(path.name + suffix) for suffix in ("-wal", "-journal"))
    if any(journal.exists() for journal in journals):
        return read_only_uri(path)
    return file_uri(path, mode="ro", immutable="1")


# -- facts and schema -----------------------------------------------------------------------


def count_facts(conn: sqlite3.Connection) -> dict[str, object]:
    """Branch name and counts as the preview shows them; tolerant of older or newer schemas."""

    def count(sql: str) -> int:
        try:
            return int(conn.execute(sql).fetchone()[0])
        except sqlite3.OperationalError:  # a schema without that table
            return 0

    try:
        row = conn.execute("SELECT name FROM branch WHERE id = 1").fetchone()
    except sqlite3.OperationalError:
        row = None
    return {
        "branch": str(row[0]) if row and row[0] is not None else "",
        # a backup from before 0007_vocabulary_codes stores the labels
        "members": count(
            f"SELECT count(*) FROM members WHERE {in_roster(extra=MemberStatus.roster_labels())}"
        ),
        "meetings": count("SELECT count(*) FROM meetings"),
        "activities": count("SELECT count(*) FROM activities"),
        "attachments": count("SELECT count(*) FROM meeting_attachments")
        + count("SELECT count(*) FROM activity_attachments"),
        "schema_version": int(conn.execute("PRAGMA user_version").fetchone()[0]),
    }


_KIND_WORDS = {"table": "表", "index": "索引", "trigger": "触发器", "view": "视图"}


def _normal_sql(sql: str | None) -> str | None:
    return None if sql is None else re.sub(r"\s+", " ", sql).strip()


def schema_of(conn: sqlite3.Connection) -> dict[tuple[str, str], tuple[object, ...]]:
    """Every table (with its columns and foreign keys), index, trigger and view."""
    shape: dict[tuple[str, str], tuple[object, ...]] = {}
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    for kind, name, table, sql in rows:
        if name.startswith("sqlite_stat"):
            continue  # statistics from ANALYZE: not part of the schema
        # sqlite-utils creates its own table; its SQL text differs between its versions.
        ours = table != _MIGRATIONS_TABLE
        text = _normal_sql(sql) if ours else None
        if kind == "table":
            columns = conn.execute(
                'SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?)',
                [name],
            ).fetchall()
            keys = conn.execute(
                'SELECT "table", "from", "to", on_update, on_delete'
                " FROM pragma_foreign_key_list(?)",
                [name],
            ).fetchall()
            shaped = tuple(columns) if ours else tuple(sorted(c[0] for c in columns))
            shape[(kind, name)] = (table, text, shaped, tuple(keys))
        elif kind == "index":
            columns = conn.execute("SELECT name FROM pragma_index_info(?)", [name]).fetchall()
            shape[(kind, name)] = (table, text, tuple(c[0] for c in columns))
        else:
            shape[(kind, name)] = (table, text)
    return shape


@functools.lru_cache(maxsize=1)
def expected_schema() -> dict[tuple[str, str], tuple[object, ...]]:
    """The schema of a new database made by this version."""
    db = open_memory_database()
    try:
        return schema_of(db.conn)
    finally:
        db.close()


def _column_names(columns: object) -> set[str]:
    assert isinstance(columns, tuple)
    return {c if isinstance(c, str) else str(c[0]) for c in columns}


def schema_differences(
    found: dict[tuple[str, str], tuple[object, ...]],
    expected: dict[tuple[str, str], tuple[object, ...]],
) -> list[str]:
    """What differs, in Chinese: extra and missing objects, missing and extra columns."""
    out: list[str] = []
    for kind, name in sorted(found.keys() - expected.keys()):
        out.append(f"多出{_KIND_WORDS.get(kind, kind)}“{name}”")
    for kind, name in sorted(expected.keys() - found.keys()):
        out.append(f"缺少{_KIND_WORDS.get(kind, kind)}“{name}”")
    for kind, name in sorted(found.keys() & expected.keys()):
        have, want = found[(kind, name)], expected[(kind, name)]
        if have == want:
            continue
        if kind == "table":
            have_cols, want_cols = _column_names(have[2]), _column_names(want[2])
            if want_cols - have_cols:
                out.append(f"表“{name}”缺少列 " + "、".join(sorted(want_cols - have_cols)))
            if have_cols - want_cols:
                out.append(f"表“{name}”多出列 " + "、".join(sorted(have_cols - want_cols)))
            if have_cols == want_cols:
                out.append(f"表“{name}”的定义不同")
        else:
            out.append(f"{_KIND_WORDS.get(kind, kind)}“{name}”的定义不同")
    return out


# -- the database inside ---------------------------------------------------------------------


def _refuse(name: str, reason: str) -> BackupError:
    return BackupError(f"备份文件“{name}”{reason}，不能用于恢复。")


def _structure_error(name: str, differences: list[str]) -> BackupError:
    shown = "；".join(differences[:4]) + ("等" if len(differences) > 4 else "")
    return _refuse(name, f"中的数据库结构与本程序不符（{shown}）")


def check_header(head: bytes, size: int, name: str) -> None:
    if size == 0:
        raise _refuse(name, f"中的 {DB_FILENAME} 是空的（0 字节）")
    if not head.startswith(SQLITE_HEADER):
        raise _refuse(name, f"中的 {DB_FILENAME} 不是 SQLite 数据库")


def check_database(conn: sqlite3.Connection, name: str) -> dict[str, object]:
    """Check a backup's database (opened read-only); return its facts or raise BackupError."""
    try:
        return _check_database(conn, name)
    except sqlite3.DatabaseError as exc:
        text = str(exc).lower()
        reason = "不是 SQLite 数据库" if "not a database" in text else "已损坏，无法读取"
        raise _refuse(name, f"中的数据库{reason}") from exc


def _check_database(conn: sqlite3.Connection, name: str) -> dict[str, object]:
    conn.execute("PRAGMA trusted_schema = OFF")  # nothing in it may call functions as we read
    integrity = [r[0] for r in conn.execute("PRAGMA integrity_check(10)").fetchall()]
    if integrity != ["ok"]:
        raise _refuse(name, "中的数据库已损坏（完整性检查未通过）")
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise NewerBackupError(
            f"备份文件“{name}”由更新版本的 BranchDesk 写入（数据版本 {version}，"
            f"本程序支持到 {SCHEMA_VERSION}），不能用于恢复。请先安装最新版本的 BranchDesk。"
        )
    objects = {
        (kind, obj): sql
        for kind, obj, sql in conn.execute("SELECT type, name, sql FROM sqlite_master")
    }
    columns = {
        r[0] for r in conn.execute("SELECT name FROM pragma_table_info(?)", [_MIGRATIONS_TABLE])
    }
    if ("table", _MIGRATIONS_TABLE) not in objects or not {"migration_set", "name"} <= columns:
        raise _refuse(name, "中的数据库不是 BranchDesk 的支部数据（没有数据版本记录）")
    applied = conn.execute(
        f"SELECT migration_set, name FROM {_MIGRATIONS_TABLE} ORDER BY rowid"
    ).fetchall()
    known = MIGRATIONS.names
    unknown = [str(n) for s, n in applied if s != MIGRATIONS.name or n not in known]
    if unknown:
        shown = "、".join(unknown[:3]) + ("等" if len(unknown) > 3 else "")
        raise NewerBackupError(
            f"备份文件“{name}”中的数据库含有本程序不认识的升级记录（{shown}），"
            "可能由更新版本的 BranchDesk 或其他程序写入，不能用于恢复。"
        )
    names = [n for _s, n in applied]
    if not names or names != known[: len(names)] or version != len(names):
        raise _refuse(name, "中的数据库版本记录不完整或不一致")
    expected = expected_schema()
    planted = [
        f"多出{_KIND_WORDS[kind]}“{obj}”"
        for (kind, obj), sql in sorted(objects.items())
        if kind in ("trigger", "view")
        and expected.get((kind, obj), (None, object()))[1] != _normal_sql(sql)
    ]
    if planted:  # refused before a migration could set them off
        raise _structure_error(name, planted)
    broken = conn.execute("PRAGMA foreign_key_check").fetchall()
    if broken:
        tables = "、".join(sorted({str(r[0]) for r in broken}))
        raise _refuse(name, f"中的数据库有 {len(broken)} 条记录引用了不存在的数据（{tables}）")
    copy = sqlite3.connect(":memory:")
    try:
        conn.backup(copy)
        copy.execute("PRAGMA trusted_schema = OFF")
        db = Database(copy, execute_plugins=False)
        db.execute("PRAGMA foreign_keys = ON")
        try:
            MIGRATIONS.apply(db)
        except Exception as exc:  # any failure means this version cannot use it
            log.warning("migrating the database of %s failed: %r", name, exc)
            raise _refuse(name, "中的数据库无法升级到本版本的数据格式") from exc
        differences = schema_differences(schema_of(copy), expected)
        if differences:
            raise _structure_error(name, differences)
        if copy.execute("PRAGMA foreign_key_check").fetchall():
            raise _refuse(name, "中的数据库升级后有记录引用了不存在的数据")
        facts = count_facts(copy)
    finally:
        copy.close()
    facts["schema_version"] = version
    return facts


# -- the archive ----------------------------------------------------------------------------


def _unsafe(name: str) -> bool:
    if not name or "\x00" in name or "\\" in name:
        return True
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return True
    return any(part in ("", ".", "..") for part in name.rstrip("/").split("/"))


class BackupArchive:
    """An opened backup file whose entries passed the checks; use ``BackupArchive.open``."""

    def __init__(self, path: Path, archive: zipfile.ZipFile, limits: BackupLimits) -> None:
        self.path = path
        self.name = path.name
        self.archive = archive
        self.limits = limits
        entries = archive.infolist()
        if len(entries) > limits.entries:
            raise _refuse(self.name, f"中有 {len(entries)} 个条目，多于 {limits.entries} 个")
        seen: dict[str, zipfile.ZipInfo] = {}
        for info in entries:
            if info.filename in seen:
                raise _refuse(self.name, f"中有重复的条目“{info.filename}”，可能被改动过")
            seen[info.filename] = info
            if _unsafe(info.filename):
                raise _refuse(self.name, f"中有不安全的路径“{info.filename}”")
            if stat.S_ISLNK(info.external_attr >> 16):
                raise _refuse(self.name, f"中的“{info.filename}”是符号链接")
            if info.flag_bits & 0x1:
                raise _refuse(self.name, f"中的“{info.filename}”有密码保护")
        self.entries = seen
        database = seen.get(DB_FILENAME)
        if database is None:
            raise BackupError(f"{self.name} 不是 BranchDesk 备份文件（其中没有支部数据库）")
        self.database = database
        if database.file_size > limits.database:
            raise _refuse(
                self.name,
                f"中的数据库声明有 {size_text(database.file_size)}，"
                f"超过了 {size_text(limits.database)} 的上限",
            )
        self.attachments = [
            info
            for info in entries
            if info.filename.startswith(ATTACHMENTS_DIR + "/") and not info.is_dir()
        ]
        for info in self.attachments:
            if info.file_size > limits.attachment:
                raise _refuse(
                    self.name,
                    f"中的附件“{info.filename.removeprefix(ATTACHMENTS_DIR + '/')}”"
                    f"有 {size_text(info.file_size)}，超过了每个附件 "
                    f"{size_text(limits.attachment)} 的上限",
                )
        self.attachments_size = sum(info.file_size for info in self.attachments)
        if self.attachments_size > limits.attachments_total:
            raise _refuse(
                self.name,
                f"中的附件共 {size_text(self.attachments_size)}，"
                f"超过了 {size_text(limits.attachments_total)} 的上限",
            )
        self.manifest = self._read_manifest()
        if "format" in self.manifest and self.manifest["format"] != FORMAT:
            raise BackupError(f"{self.name} 不是 BranchDesk 备份文件")

    @classmethod
    @contextlib.contextmanager
    def open(cls, path: Path, limits: BackupLimits = DEFAULT_LIMITS) -> Iterator[BackupArchive]:
        path = Path(path)
        try:
            archive = zipfile.ZipFile(path)
        except FileNotFoundError as exc:
            raise BackupError(f"找不到备份文件 {path}") from exc
        except OSError as exc:
            raise BackupError(f"无法读取备份文件 {path}：{exc.strerror or exc}") from exc
        except _ZIP_ERRORS as exc:
            raise BackupError(
                f"{path.name} 不是可用的 BranchDesk 备份文件（不是完整的备份压缩包）"
            ) from exc
        try:
            yield cls(path, archive, limits)
        finally:
            archive.close()

    def _read_manifest(self) -> dict[str, object]:
        info = self.entries.get(MANIFEST)
        if info is None or info.file_size > self.limits.manifest:
            return {}
        try:
            value = json.loads(self.archive.read(info).decode("utf-8-sig"))
        except (*_ZIP_ERRORS, OSError, UnicodeDecodeError, RecursionError) as exc:
            log.info("manifest of %s ignored: %r", self.name, exc)
            return {}
        return value if isinstance(value, dict) else {}

    def created_at(self) -> dt.datetime:
        """When the backup was made: the manifest's word, else the database entry's time."""
        value = self.manifest.get("created_at")
        if isinstance(value, str) and len(value) <= 40:
            try:
                moment = dt.datetime.fromisoformat(value)
                if moment.tzinfo is not None:
                    moment = moment.astimezone().replace(tzinfo=None)
                return moment
            except (ValueError, OverflowError, OSError):
                pass
        try:
            return dt.datetime(*self.database.date_time)
        except (ValueError, TypeError):
            pass
        try:
            return dt.datetime.fromtimestamp(self.path.stat().st_mtime)
        except (OSError, ValueError, OverflowError):
            return dt.datetime(1980, 1, 1)

    def app_version(self) -> str:
        value = self.manifest.get("app_version")
        return value if isinstance(value, str) and len(value) <= 40 else ""

    def info(self, facts: dict[str, object]) -> BackupInfo:
        return BackupInfo(
            path=self.path,
            created_at=self.created_at(),
            branch=str(facts["branch"]),
            members=int(facts["members"]),  # type: ignore[call-overload]
            meetings=int(facts["meetings"]),  # type: ignore[call-overload]
            activities=int(facts["activities"]),  # type: ignore[call-overload]
            schema_version=int(facts["schema_version"]),  # type: ignore[call-overload]
            app_version=self.app_version(),
            attachments=int(facts["attachments"]),  # type: ignore[call-overload]
        )

    def _damaged(self, info: zipfile.ZipInfo) -> BackupError:
        return _refuse(self.name, f"已损坏（“{info.filename}”校验失败）")

    def extract(self, info: zipfile.ZipInfo, target: Path) -> None:
        """Copy one entry to ``target`` (created 0600), never more than it declared."""
        with create_private(target) as out:
            copied = 0
            try:
                with self.archive.open(info) as source:
                    while chunk := source.read(_CHUNK):
                        copied += len(chunk)
                        if copied > info.file_size:
                            raise self._damaged(info)
                        out.write(chunk)
            except _ZIP_ERRORS as exc:
                raise self._damaged(info) from exc
            out.flush()
            os.fsync(out.fileno())

    def extract_database(self, target: Path) -> None:
        """Extract the database; a file marked for WAL is marked back to a plain journal."""
        self.extract(self.database, target)
        with open(target, "r+b") as handle:
            head = handle.read(100)
            check_header(head, target.stat().st_size, self.name)
            if head[18:20] == b"\x02\x02":
                handle.seek(18)
                handle.write(b"\x01\x01")

    def database_bytes(self) -> bytes:
        try:
            with self.archive.open(self.database) as source:
                data = source.read(self.database.file_size + 1)
        except _ZIP_ERRORS as exc:
            raise self._damaged(self.database) from exc
        if len(data) > self.database.file_size:
            raise self._damaged(self.database)
        check_header(data[:100], len(data), self.name)
        if data[18:20] == b"\x02\x02":
            data = data[:18] + b"\x01\x01" + data[20:]
        return data

    def verify_attachments(self) -> None:
        """Read every attachment through, so a damaged one is found now (CRC)."""
        for info in self.attachments:
            try:
                with self.archive.open(info) as source:
                    while source.read(_CHUNK):
                        pass
            except _ZIP_ERRORS as exc:
                raise self._damaged(info) from exc

    def check_database_in(self, data_dir: Path | None) -> dict[str, object]:
        """Check the database: extracted into ``data_dir``'s temp area, or else in memory."""
        if usable_temp_area(data_dir) is not None:
            assert data_dir is not None
            with WorkDir(data_dir, "check") as work:
                staged = work.path / DB_FILENAME
                self.extract_database(staged)
                conn = sqlite3.connect(read_only_uri(staged), uri=True)
                try:
                    return check_database(conn, self.name)
                finally:
                    conn.close()
        if not CAN_CHECK_IN_MEMORY:
            raise BackupError(
                f"无法检查备份文件“{self.name}”：数据文件夹不可写，没有地方临时解开它。"
            )
        conn = sqlite3.connect(":memory:")
        try:
            conn.deserialize(self.database_bytes())
            conn.execute("PRAGMA query_only = ON")
            return check_database(conn, self.name)
        finally:
            conn.close()


def read_backup_info(
    path: Path, *, data_dir: Path | None = None, limits: BackupLimits = DEFAULT_LIMITS
) -> BackupInfo:
    """Open a backup file, check it whole and say what it holds; refuse anything else.

    ``data_dir`` is the data folder whose temp area may hold the database while it is
    checked; without one (or when it is read-only) it is checked in memory.
    """
    path = Path(path)
    try:
        with BackupArchive.open(path, limits) as backup:
            facts = backup.check_database_in(data_dir)
            backup.verify_attachments()
            return backup.info(facts)
    except OSError as exc:
        where = data_dir if data_dir is not None else path.parent
        if exc.errno == errno.ENOSPC:
            raise BackupError(
                f"磁盘空间不足（{where}），无法检查备份文件“{path.name}”；当前数据没有改动。"
                "请清理磁盘后重试。"
            ) from exc
        if exc.errno == errno.EROFS:
            raise BackupError(
                f"数据文件夹 {where} 是只读的，无法检查备份文件“{path.name}”；当前数据没有改动。"
            ) from exc
        raise BackupError(f"无法读取备份文件“{path.name}”：{exc.strerror or exc}") from exc
