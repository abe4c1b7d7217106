"""Photos and other files attached to meetings, copied into the data folder's attachments/.

The database keeps only the name people gave the file and the name it is stored under;
copying the file in means the record survives when the original on the desktop is deleted,
and a backup of the data folder carries the photos with it.
"""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from pathlib import Path

from branchdesk.domain.meetings import Attachment

ATTACHMENTS_DIR = "attachments"
MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024


class AttachmentError(Exception):
    """A file that cannot be attached; ``message`` is for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def attachments_dir(data_dir: Path) -> Path:
    return Path(data_dir) / ATTACHMENTS_DIR


def _size_text(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KB"


def store_attachment(
    data_dir: Path, source: Path, *, max_bytes: int = MAX_ATTACHMENT_BYTES
) -> Attachment:
    """Copy ``source`` into the attachments folder under a new unique name and describe it.

    The returned Attachment has no id yet: it is saved with its meeting.
    """
    source = Path(source)
    if not source.is_file():
        raise AttachmentError(f"找不到文件“{source.name}”，可能已被移动或删除。")
    try:
        size = source.stat().st_size
    except OSError as exc:
        raise AttachmentError(f"无法读取文件“{source.name}”：{exc.strerror or exc}") from exc
    if size > max_bytes:
        raise AttachmentError(
            f"文件“{source.name}”有 {_size_text(size)}，超过了 {_size_text(max_bytes)} 的上限。"
            "照片可以先压缩，视频请另行保存。"
        )
    folder = attachments_dir(data_dir)
    now = dt.datetime.now()
    suffix = source.suffix.lower()[:12]
    stored_name = f"{now:%Y%m%d}-{uuid.uuid4().hex[:12]}{suffix}"
    target = folder / stored_name
    try:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    except OSError as exc:
        target.unlink(missing_ok=True)
        raise AttachmentError(
            f"无法把“{source.name}”复制到数据文件夹：{exc.strerror or exc}。"
            "请检查磁盘空间和文件夹权限。"
        ) from exc
    return Attachment(
        id=None,
        filename=source.name,
        stored_name=stored_name,
        added_at=now.strftime("%Y-%m-%dT%H:%M:%S"),
    )


def attachment_path(data_dir: Path, attachment: Attachment) -> Path:
    """Where the stored copy of an attachment lives (it may be missing if deleted by hand)."""
    name = Path(attachment.stored_name).name  # never leave the attachments folder
    return attachments_dir(data_dir) / name


def discard_attachment(data_dir: Path, attachment: Attachment) -> None:
    """Remove the copy of an attachment that was added but never saved with a meeting."""
    try:
        attachment_path(data_dir, attachment).unlink(missing_ok=True)
    except OSError:
        pass  # an orphan file costs some disk space, nothing more
