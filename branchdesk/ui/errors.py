"""Tell environment problems (disk full, locked, read-only, damaged) apart from bugs.

``user_message(exc)`` returns the Chinese sentence to show for a problem of the environment,
or None for anything else: a bug, which the caller re-raises to the crash handler.
"""

from __future__ import annotations

import errno
from pathlib import Path

from branchdesk.store.session import StorageError, database_message


def user_message(exc: BaseException, path: Path | str = "") -> str | None:
    """The message for a storage problem people can fix, or None when ``exc`` is a bug."""
    if isinstance(exc, StorageError):
        return exc.message
    message = database_message(exc, path)
    if message is not None:
        return message
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
