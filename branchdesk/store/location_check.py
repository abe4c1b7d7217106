"""Warn about data folders that SQLite cannot keep safe: network shares and synced folders."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Folder names of sync clients that copy files while they are open (a live database corrupts).
_SYNCED = {
    "onedrive": "OneDrive",
    "wps云盘": "WPS 云盘",
    "wpsdrive": "WPS 云盘",
    "wps cloud files": "WPS 云文档",
    "dropbox": "Dropbox",
    "坚果云": "坚果云",
    "nutstore": "坚果云",
    "baidunetdisk": "百度网盘同步空间",
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


def risky_location(path: Path) -> str | None:
    """Return a Chinese warning when ``path`` is on a network share or in a synced folder."""
    text = str(path)
    if text.startswith("\\\\") or text.startswith("//"):
        return f"数据文件夹 {path} 在网络共享上。数据库放在网络共享上容易损坏，建议移到本机磁盘。"
    if sys.platform == "win32" and len(text) > 1 and text[1] == ":":
        import ctypes

        drive_type = ctypes.windll.kernel32.GetDriveTypeW(text[:3])  # type: ignore[attr-defined]
        if drive_type == 4:  # DRIVE_REMOTE: a mapped network drive
            return f"数据文件夹 {path} 在网络驱动器上。数据库放在网络共享上容易损坏，建议移到本机磁盘。"
    lowered = [part.lower() for part in Path(text).parts]
    for part in lowered:
        for marker, name in _SYNCED.items():
            if part == marker or part.startswith(marker + " ") or part.startswith(marker + "-"):
                return (
                    f"数据文件夹 {path} 在 {name} 同步文件夹中。同步软件在程序使用数据库时复制它，"
                    "可能造成数据损坏。建议把数据移到本机的默认位置，用 BranchDesk 的备份功能保存副本。"
                )
    if os.name == "posix" and _mount_type(path) in _NETWORK_FS:
        return f"数据文件夹 {path} 在网络文件系统上。数据库放在网络共享上容易损坏，建议移到本机磁盘。"
    return None
