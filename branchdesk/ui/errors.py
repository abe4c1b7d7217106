"""Tell environment problems (disk full, locked, read-only, damaged) apart from bugs.

``user_message(exc)`` returns the Chinese sentence to show for a problem of the environment,
or None for anything else: a bug, which the caller re-raises to the crash handler.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from branchdesk.store.db import StorageError, storage_error

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


def _sqlite_environment(exc: sqlite3.Error) -> bool:
    if isinstance(exc, sqlite3.IntegrityError | sqlite3.ProgrammingError | sqlite3.InterfaceError):
        return False  # a constraint or an API misuse is our mistake
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF in _SQLITE_ENVIRONMENT:
        return True
    text = str(exc).lower()
    return any(word in text for word in _ENVIRONMENT_WORDS)


def user_message(exc: BaseException, path: Path | str = "") -> str | None:
    """The message for a storage problem people can fix, or None when ``exc`` is a bug."""
    if isinstance(exc, StorageError):
        return exc.message
    if isinstance(exc, sqlite3.Error):
        if not _sqlite_environment(exc):
            return None
        code = getattr(exc, "sqlite_errorcode", None)
        if (
            isinstance(code, int)
            and code & 0xFF == _SQLITE_IOERR
            and "full" not in str(exc).lower()
        ):
            where = f"（{path}）" if path else ""
            return f"读写数据文件时出错{where}，数据没有保存。请检查磁盘或U盘是否已拔出，然后重试。"
        return storage_error(exc, path).message
    if isinstance(exc, OSError):
        where = f"（{exc.filename or path}）" if (exc.filename or path) else ""
        if exc.errno == errno.ENOSPC:
            return f"磁盘空间已满，文件没有写成{where}。请清理磁盘后重试。"
        if exc.errno == errno.EROFS:
            return f"目标位置是只读的{where}，无法写入。"
        if exc.errno in (errno.EACCES, errno.EPERM):
            return f"没有权限写入{where}，请换一个文件夹，或关闭正在使用该文件的程序后重试。"
        return f"无法读写文件{where}：{exc.strerror or exc}"
    return None
