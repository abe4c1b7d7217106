"""Warn about data folders that SQLite cannot keep safe: network shares and synced folders."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath, PureWindowsPath

from branchdesk.store import location

# Folder names of sync clients that copy files while they are open (a live database corrupts).
_SYNCED = {
    "onedrive": "OneDrive",
    "wps云盘": "WPS 云盘",
    "wpsdrive": "WPS 云盘",
    "wps cloud files": "WPS 云文档",
    "dropbox": "Dropbox",
    "坚果云": "坚果云",
    "我的坚果云": "坚果云",  # the sync folder Nutstore makes by default
    "nutstore": "坚果云",
    "baidunetdisk": "百度网盘同步空间",
    "baidusyncdisk": "百度网盘同步空间",
    "百度网盘": "百度网盘同步空间",
    "icloud drive": "iCloud",
    "google drive": "Google Drive",
}
_NETWORK_FS = {"nfs", "nfs4", "cifs", "smbfs", "smb3", "sshfs", "fuse.sshfs", "davfs", "9p"}


def _mount_type(path: Path) -> str | None:
    try:
        mounts = Path("/proc/mounts").read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    best, kind = "", None
    target = str(path.resolve())
    for line in mounts:
        parts = line.split()
        if len(parts) >= 3 and target.startswith(parts[1]) and len(parts[1]) > len(best):
            best, kind = parts[1], parts[2]
    return kind


_DRIVE_REMOTE = 4  # GetDriveTypeW's answer for a network drive


def _windows_drive_type(root: str) -> int:
    """``GetDriveTypeW`` for a drive root such as ``Z:\\`` (Windows only)."""
    import ctypes

    return int(ctypes.windll.kernel32.GetDriveTypeW(root))  # type: ignore[attr-defined]


def risky_location(path: Path) -> str | None:
    """Return a Chinese warning when ``path`` is on a network share or in a synced folder."""
    text = str(path)
    if text.startswith("\\\\") or text.startswith("//"):
        return f"数据文件夹 {path} 在网络共享上。数据库放在网络共享上容易损坏，建议移到本机磁盘。"
    windows = location.on_windows()
    if windows and len(text) > 1 and text[1] == ":":
        if _windows_drive_type(text[:2] + "\\") == _DRIVE_REMOTE:  # a mapped network drive
            return f"数据文件夹 {path} 在网络驱动器上。数据库放在网络共享上容易损坏，建议移到本机磁盘。"
    parts = PureWindowsPath(text).parts if windows else PurePosixPath(text).parts
    lowered = [part.lower() for part in parts]
    for part in lowered:
        for marker, name in _SYNCED.items():
            if part == marker or part.startswith(marker + " ") or part.startswith(marker + "-"):
                return (
                    f"数据文件夹 {path} 在 {name} 同步文件夹中。同步软件在程序使用数据库时复制它，"
                    "可能造成数据损坏。建议把数据移到本机的默认位置，用 BranchDesk 的备份功能保存副本。"
                )
    if not windows and os.name == "posix" and _mount_type(path) in _NETWORK_FS:
        return f"数据文件夹 {path} 在网络文件系统上。数据库放在网络共享上容易损坏，建议移到本机磁盘。"
    return None
