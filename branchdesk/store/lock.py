"""One BranchDesk writes a data folder at a time.

The lock is an operating-system file lock, so it disappears with the process that held it:
a lock left by a crashed BranchDesk is simply taken over. The lock file also says which
computer and process holds it, for the message the second copy shows.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import sys
from pathlib import Path
from typing import IO, Any

from branchdesk.store.db import StorageError

LOCK_FILENAME = "branchdesk.lock"


class FolderLocked(StorageError):
    """Another BranchDesk holds the data folder."""

    def __init__(self, message: str, holder: dict[str, Any]) -> None:
        super().__init__(message)
        self.holder = holder


def _try_lock(handle: IO[str]) -> bool:
    if sys.platform == "win32":
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


class DataFolderLock:
    """``with DataFolderLock(folder):`` or ``acquire()`` / ``release()``."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / LOCK_FILENAME
        self._handle: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release
        if not _try_lock(handle):
            handle.seek(0)
            text = handle.read()
            handle.close()
            try:
                holder = json.loads(text[1:] if text.startswith(" ") else text)
            except ValueError:
                holder = {}
            host = holder.get("host", "另一台电脑")
            pid = holder.get("pid", "?")
            since = holder.get("since", "")
            same_host = host == socket.gethostname()
            where = "本机" if same_host else f"电脑“{host}”"
            raise FolderLocked(
                f"这个数据文件夹正由{where}上的另一个 BranchDesk（进程 {pid}，{since} 起）使用。"
                "为防止数据冲突，同一时间只能有一个 BranchDesk 打开它。请先关闭另一个窗口。",
                holder,
            )
        record = {
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "since": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        }
        # Byte 0 is the locked byte on Windows; the record follows it.
        handle.seek(0)
        handle.truncate()
        handle.write(" " + json.dumps(record, ensure_ascii=False))
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is None:
            return
        try:
            self._handle.seek(0)
            self._handle.truncate()
        except OSError:
            pass
        self._handle.close()  # closing drops the OS lock
        self._handle = None

    def __enter__(self) -> DataFolderLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
