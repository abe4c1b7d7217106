"""One BranchDesk writes a data folder at a time.

The lock is an operating-system file lock, so it disappears with the process that held it:
a lock left by a crashed BranchDesk is simply taken over. The lock file also says which
computer holds it, since when, and whether a window or a command, for the message the
second copy shows. The window and every writing command take the same lock; a command may
wait a few seconds for it, so that two commands queue instead of failing.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import socket
import time
from pathlib import Path
from typing import IO, Any

from branchdesk.store import location
from branchdesk.store.db import StorageError

LOCK_FILENAME = "branchdesk.lock"
ENV_WAIT = "BRANCHDESK_LOCK_WAIT"
DEFAULT_WAIT_SECONDS = 5.0
_MAX_WAIT_SECONDS = 600.0
_POLL_SECONDS = 0.05
_sleep = time.sleep  # between tries; tests watch it to know a command is waiting


class FolderLocked(StorageError):
    """Another BranchDesk holds the data folder."""

    def __init__(self, message: str, holder: dict[str, Any]) -> None:
        super().__init__(message)
        self.holder = holder


def lock_wait_seconds() -> float:
    """How long a command waits for the folder: ``BRANCHDESK_LOCK_WAIT`` or a few seconds."""
    text = os.environ.get(ENV_WAIT, "").strip()
    if not text:
        return DEFAULT_WAIT_SECONDS
    try:
        seconds = float(text)
    except ValueError:
        return DEFAULT_WAIT_SECONDS
    if seconds != seconds:  # NaN
        return DEFAULT_WAIT_SECONDS
    return min(max(seconds, 0.0), _MAX_WAIT_SECONDS)


def since_text(since: dt.datetime, now: dt.datetime | None = None) -> str:
    """``今天 14:05``, ``昨天 08:30``, ``12月1日 09:30`` or ``2025年12月1日 09:30``."""
    now = now or dt.datetime.now()
    clock = f"{since:%H:%M}"
    if since.date() == now.date():
        return f"今天 {clock}"
    if since.date() == now.date() - dt.timedelta(days=1):
        return f"昨天 {clock}"
    if since.year == now.year:
        return f"{since.month}月{since.day}日 {clock}"
    return f"{since.year}年{since.month}月{since.day}日 {clock}"


def locked_message(holder: dict[str, Any], *, now: dt.datetime | None = None) -> str:
    """What the second window or command tells the user about the one holding the folder."""
    host = holder.get("host")
    if isinstance(host, str) and host:
        where = "本机上的" if host == socket.gethostname() else f"电脑“{host}”上的"
    else:
        where = ""
    command = holder.get("command")
    if isinstance(command, str) and command:
        who = f"BranchDesk 命令“{command}”"
        advice = "请等它完成后再试。"
    else:
        who = "另一个 BranchDesk 窗口"
        advice = "请先关闭另一个 BranchDesk 窗口后再试。"
    since = ""
    try:
        started = dt.datetime.fromisoformat(str(holder["since"]))
        since = f"（{since_text(started.replace(tzinfo=None), now)} 起）"
    except (KeyError, ValueError, TypeError):
        pass
    gap = " " if where and who[0].isascii() else ""  # a space between 汉字 and Latin
    return (
        f"这个数据文件夹正由{where}{gap}{who}使用{since}。"
        f"为防止数据冲突，同一时间只能有一个 BranchDesk 修改它。{advice}"
    )


def try_lock(handle: IO[bytes]) -> bool:
    """Take an exclusive OS lock on ``handle`` without waiting; False when another holds it."""
    if location.on_windows():
        import msvcrt

        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _read_holder(handle: IO[bytes]) -> dict[str, Any]:
    # Byte 0 is the locked byte on Windows (unreadable there); the record follows it.
    try:
        handle.seek(1)
        text = handle.read(4096).decode("utf-8", errors="replace")
        holder = json.loads(text)
    except (OSError, ValueError):
        return {}
    return holder if isinstance(holder, dict) else {}


def _open_failed(exc: OSError, folder: Path) -> str:
    """Why the lock file could not be opened, for people: it is the first write of every writer."""
    if exc.errno == errno.ENOSPC:
        return f"磁盘空间已满（{folder}），无法开始修改数据。请清理磁盘后重试，已保存的数据不受影响。"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return f"数据文件夹 {folder} 是只读的（或没有写入权限），不能修改其中的数据，只能查看和导出。"
    return f"无法使用数据文件夹 {folder}：{exc.strerror or exc}"


class DataFolderLock:
    """``with DataFolderLock(folder):`` or ``acquire()`` / ``release()``.

    ``command`` names a command-line holder (``meetings add``); None is the window.
    """

    def __init__(self, data_dir: Path, *, command: str | None = None) -> None:
        self.path = Path(data_dir) / LOCK_FILENAME
        self.command = command
        self._handle: IO[bytes] | None = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def acquire(self, wait: float = 0.0) -> None:
        """Take the lock, trying for up to ``wait`` seconds; raise ``FolderLocked`` if not."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Unbuffered: a failed write (a full disk) leaves nothing to flush at close.
            handle = open(self.path, "a+b", buffering=0)  # noqa: SIM115 - held until release
        except OSError as exc:
            raise StorageError(_open_failed(exc, self.path.parent)) from exc
        deadline = time.monotonic() + max(wait, 0.0)
        while not try_lock(handle):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                holder = _read_holder(handle)
                handle.close()
                raise FolderLocked(locked_message(holder), holder)
            _sleep(min(_POLL_SECONDS, remaining))
        record: dict[str, Any] = {
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "since": dt.datetime.now().isoformat(timespec="seconds"),
        }
        if self.command:
            record["command"] = self.command
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(b" " + json.dumps(record, ensure_ascii=False).encode("utf-8"))
        except OSError:
            pass  # the OS lock is what counts; the record only explains it (e.g. a full disk)
        self._handle = handle

    def release(self) -> None:
        if self._handle is None:
            return
        try:
            self._handle.seek(0)
            self._handle.truncate()
        except OSError:
            pass
        try:
            self._handle.close()  # closing drops the OS lock
        except OSError:
            pass
        self._handle = None

    def __enter__(self) -> DataFolderLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
