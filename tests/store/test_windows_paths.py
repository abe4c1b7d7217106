"""Windows-only code paths, run here with the platform simulated where the code allows it.

The Windows build has not been run on a Windows machine (see README 打包); these tests pin
what the code does there: the data folder under %LOCALAPPDATA%, sync and network folders
recognised in Windows path syntax.
"""

from pathlib import Path, PureWindowsPath

import pytest

from branchdesk.store import location, location_check


@pytest.fixture
def windows(monkeypatch):
    monkeypatch.setattr(location, "on_windows", lambda: True)
    drives: dict[str, int] = {}
    monkeypatch.setattr(location_check, "_windows_drive_type", lambda root: drives.get(root, 3))
    return drives


def test_the_data_folder_is_under_localappdata(windows, monkeypatch):
    monkeypatch.setenv("LOCALAPPDATA", r"C:\Users\张三\AppData\Local")
    monkeypatch.delenv("BRANCHDESK_HOME", raising=False)
    assert location.default_data_dir() == Path(r"C:\Users\张三\AppData\Local") / "BranchDesk"


def test_without_localappdata_the_home_folder_is_used(windows, monkeypatch):
    monkeypatch.delenv("LOCALAPPDATA", raising=False)
    assert location.default_data_dir() == Path.home() / "AppData" / "Local" / "BranchDesk"


@pytest.mark.parametrize(
    ("folder", "name"),
    [
        (r"C:\Users\张三\OneDrive\支部数据", "OneDrive"),
        (r"C:\Users\张三\OneDrive - 城关街道办事处\支部数据", "OneDrive"),
        (r"C:\Users\张三\Nutstore\1\我的坚果云\支部", "坚果云"),
        (r"D:\党建资料\坚果云使用说明", None),  # a folder that merely mentions it
        (r"D:\坚果云\支部", "坚果云"),
        (r"D:\Nutstore\支部", "坚果云"),
        (r"D:\BaiduSyncdisk\支部数据", "百度网盘同步空间"),
        (r"E:\百度网盘\支部数据", "百度网盘同步空间"),
        (r"C:\Users\张三\WPS Cloud Files\123\支部", "WPS 云文档"),
        (r"C:\Users\张三\AppData\Local\BranchDesk", None),
    ],
)
def test_sync_folders_are_recognised_in_windows_paths(windows, folder, name):
    warning = location_check.risky_location(Path(folder))
    if name is None:
        assert warning is None
    else:
        assert warning is not None and name in warning and "同步" in warning


def test_a_mapped_network_drive_and_a_unc_path_are_network_shares(windows):
    windows["Z:\\"] = location_check._DRIVE_REMOTE
    assert "网络驱动器" in location_check.risky_location(Path(r"Z:\支部数据"))
    assert location_check.risky_location(Path(r"C:\支部数据")) is None
    assert "网络共享" in location_check.risky_location(Path(r"\\fileserver\党建\支部数据"))


def test_windows_path_parts_are_split_on_backslashes():
    # What the sync check relies on: PureWindowsPath splits 'C:\a\b' into its folders.
    assert PureWindowsPath(r"C:\Users\张三\OneDrive\x").parts[3] == "OneDrive"


class _FakeMsvcrt:
    """``msvcrt.locking`` as Windows does it: a byte range held by one open handle at a time."""

    LK_NBLCK = 2
    LK_UNLCK = 0

    def __init__(self) -> None:
        self.held: dict[str, int] = {}
        self.calls: list[tuple[int, int]] = []

    @staticmethod
    def _path(fd: int) -> str:
        import os

        return os.readlink(f"/proc/self/fd/{fd}")

    def locking(self, fd: int, mode: int, nbytes: int) -> None:
        import errno
        import os

        self.calls.append((mode, nbytes))
        path = self._path(fd)
        owner = self.held.get(path)
        if owner is not None and owner != fd:
            try:
                still_open = self._path(owner) == path
            except OSError:
                still_open = False
            if still_open:
                raise OSError(errno.EACCES, os.strerror(errno.EACCES))
        self.held[path] = fd


def test_the_folder_lock_uses_msvcrt_on_windows(windows, monkeypatch, tmp_path):
    import sys

    from branchdesk.store import lock as lock_module

    fake = _FakeMsvcrt()
    monkeypatch.setitem(sys.modules, "msvcrt", fake)
    monkeypatch.setitem(sys.modules, "fcntl", None)  # Windows has none: must not be used
    first = lock_module.DataFolderLock(tmp_path)
    first.acquire()
    try:
        assert fake.calls == [(fake.LK_NBLCK, 1)]  # byte 0, without waiting
        second = lock_module.DataFolderLock(tmp_path)
        with pytest.raises(lock_module.FolderLocked) as refused:
            second.acquire()
        assert "本机" in refused.value.message and "另一个 BranchDesk" in refused.value.message
    finally:
        first.release()
    again = lock_module.DataFolderLock(tmp_path)
    again.acquire()  # closing the handle dropped the lock, as on Windows
    again.release()
