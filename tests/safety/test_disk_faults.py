"""Backup and restore on a really full disk and a really read-only folder: a clear Chinese
message, and nothing changed. Needs root to mount a small tmpfs; skipped otherwise."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from backup_kit import fingerprint, leftovers, make_branch
from folders import Mount, fill_disk, tmpfs

from branchdesk.cli import main
from branchdesk.store import restore as restore_module
from branchdesk.store.backup import (
    BackupError,
    auto_backup,
    read_backup_info,
    write_backup,
)
from branchdesk.store.restore import restore_backup


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB disk of its own (tmpfs), always unmounted afterwards."""
    with tmpfs(tmp_path / "disk", size="2m") as disk:
        yield disk.path


def _read_only(point: Path) -> None:
    Mount(point).read_only()


def _fill(point: Path, leave: int = 0) -> None:
    fill_disk(point, leave)


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("good")
    data = make_branch(root / "other", members=10, seed=9, photos=1)
    (data / "attachments" / "video.bin").write_bytes(os.urandom(900 << 10))  # incompressible
    return write_backup(data, root / "good.bdbackup", now=dt.datetime(2026, 3, 1, 9, 30)).path


@pytest.fixture
def on_disk(small_disk) -> Path:
    return make_branch(small_disk / "data", members=5, photos=1)


def test_restore_on_a_full_disk_is_refused_before_anything_is_written(on_disk, good):
    _fill(on_disk.parent)
    before = fingerprint(on_disk)
    with pytest.raises(BackupError) as refused:
        restore_backup(on_disk, good)
    assert refused.value.message.startswith("磁盘空间不足")
    assert "当前数据没有改动" in refused.value.message
    assert fingerprint(on_disk) == before and leftovers(on_disk) == []


def test_restore_when_the_disk_fills_up_midway_changes_nothing(on_disk, good, monkeypatch):
    _fill(on_disk.parent, leave=300 << 10)

    class Plenty:
        total, used, free = 1 << 40, 0, 1 << 40

    monkeypatch.setattr(restore_module.shutil, "disk_usage", lambda path: Plenty)  # it lies
    before = fingerprint(on_disk)
    with pytest.raises(BackupError) as refused:
        restore_backup(on_disk, good)
    assert refused.value.message.startswith("磁盘空间不足")
    assert "当前数据没有改动" in refused.value.message
    assert fingerprint(on_disk) == before and leftovers(on_disk) == []


def test_restore_into_a_read_only_folder(on_disk, good):
    before = fingerprint(on_disk)
    _read_only(on_disk.parent)
    with pytest.raises(BackupError) as refused:
        restore_backup(on_disk, good)
    assert "只读" in refused.value.message and "当前数据没有改动" in refused.value.message
    assert fingerprint(on_disk) == before


def test_automatic_backup_in_a_read_only_data_folder(on_disk):
    before = fingerprint(on_disk)
    _read_only(on_disk.parent)
    with pytest.raises(BackupError) as refused:
        auto_backup(on_disk)
    assert "只读" in refused.value.message
    assert fingerprint(on_disk) == before


def test_a_read_only_data_folder_can_still_be_backed_up_elsewhere(on_disk, tmp_path):
    _read_only(on_disk.parent)
    before = fingerprint(on_disk)
    target = tmp_path / "U盘" / "交接.bdbackup"
    info = write_backup(on_disk, target)
    assert read_backup_info(info.path).members == info.members
    assert [p.name for p in target.parent.iterdir()] == ["交接.bdbackup"]
    assert fingerprint(on_disk) == before


def test_backup_onto_a_read_only_stick(small_disk, data_dir, capsys):
    make_branch(data_dir)
    _read_only(small_disk)
    assert main(["backup", "-o", str(small_disk / "交接.bdbackup"), "--data-dir", str(data_dir)])
    err = capsys.readouterr().err
    assert "只读" in err and "Traceback" not in err
    assert leftovers(data_dir) == []


def test_backup_onto_a_full_stick(small_disk, data_dir, capsys):
    make_branch(data_dir)
    (data_dir / "attachments" / "video.bin").write_bytes(os.urandom(600 << 10))
    _fill(small_disk, leave=200 << 10)
    target = small_disk / "交接.bdbackup"
    assert main(["backup", "-o", str(target), "--data-dir", str(data_dir)]) != 0
    err = capsys.readouterr().err
    assert "磁盘空间不足" in err and "Traceback" not in err
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]
    assert leftovers(data_dir) == []


def test_the_restore_command_on_a_full_disk_says_so_from_its_preview_on(on_disk, good, capsys):
    # The command checks the backup in the data folder's temp area before it asks anything:
    # on a full disk that check is what fails first, and it must say why in those words.
    from branchdesk.cli import main

    _fill(on_disk.parent)
    before = fingerprint(on_disk)
    assert main(["restore", str(good), "--yes", "--data-dir", str(on_disk)]) == 1
    err = capsys.readouterr().err
    assert "磁盘空间不足" in err and "当前数据没有改动" in err and "Traceback" not in err
    assert fingerprint(on_disk) == before and leftovers(on_disk) == []
