"""Attachments are copied into the data folder and refused when too big."""

from __future__ import annotations

import pytest

from branchdesk.store.attachments import (
    AttachmentError,
    attachment_path,
    attachments_dir,
    discard_attachment,
    store_attachment,
)


def test_file_is_copied_under_a_unique_name(data_dir, tmp_path) -> None:
    source = tmp_path / "主题党日合影.JPG"
    source.write_bytes(b"\xff\xd8photo")
    first = store_attachment(data_dir, source)
    second = store_attachment(data_dir, source)
    assert first.filename == "主题党日合影.JPG" and first.is_image
    assert first.stored_name != second.stored_name
    assert first.stored_name.endswith(".jpg")
    path = attachment_path(data_dir, first)
    assert path.parent == attachments_dir(data_dir)
    assert path.read_bytes() == b"\xff\xd8photo"
    source.unlink()  # the record no longer depends on the original
    assert path.exists()


def test_too_big_file_is_refused_in_chinese(data_dir, tmp_path) -> None:
    source = tmp_path / "录像.mp4"
    source.write_bytes(b"0" * 3000)
    with pytest.raises(AttachmentError) as caught:
        store_attachment(data_dir, source, max_bytes=2000)
    assert "超过了" in caught.value.message and "录像.mp4" in caught.value.message
    assert not attachments_dir(data_dir).exists() or not any(attachments_dir(data_dir).iterdir())


def test_missing_file_is_refused(data_dir, tmp_path) -> None:
    with pytest.raises(AttachmentError, match="找不到文件"):
        store_attachment(data_dir, tmp_path / "没有.png")


def test_discard_removes_the_copy_and_path_stays_inside_the_folder(data_dir, tmp_path) -> None:
    source = tmp_path / "记录.docx"
    source.write_bytes(b"doc")
    attachment = store_attachment(data_dir, source)
    discard_attachment(data_dir, attachment)
    assert not attachment_path(data_dir, attachment).exists()
    discard_attachment(data_dir, attachment)  # twice is harmless
    attachment.stored_name = "../../etc/passwd"
    assert attachment_path(data_dir, attachment).parent == attachments_dir(data_dir)
