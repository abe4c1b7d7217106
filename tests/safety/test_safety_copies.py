"""The copy made before a restore is never rotated away, and a folder whose database is
newer or damaged can still be restored over, its data kept first."""

from __future__ import annotations

import datetime as dt
import sqlite3
import zipfile
from pathlib import Path

import pytest
from backup_kit import fingerprint, leftovers, make_branch

from branchdesk.cli import main
from branchdesk.store.backup import (
    AUTOMATIC,
    OTHER,
    SAFETY,
    BackupError,
    Retention,
    auto_backup,
    backup_files,
    delete_backup,
    list_backups,
    read_backup_info,
    to_prune,
    write_backup,
)
from branchdesk.store.db import DB_FILENAME, SCHEMA_VERSION, open_database
from branchdesk.store.health import check_data_folder
from branchdesk.store.meetings import MeetingRepo
from branchdesk.store.restore import restore_backup

DAY = dt.datetime(2026, 5, 12)


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("good")
    data = make_branch(root / "other", members=10, seed=9, photos=2)
    return write_backup(data, root / "good.bdbackup", now=dt.datetime(2026, 3, 1, 9, 30)).path


@pytest.fixture
def live(data_dir) -> Path:
    return make_branch(data_dir, members=8, seed=3)


def _meetings(data_dir: Path) -> int:
    db = open_database(data_dir / DB_FILENAME)
    try:
        return MeetingRepo(db).count()
    finally:
        db.close()


def test_restore_then_a_backup_the_same_day_keeps_the_safety_copy(live, good):
    before = _meetings(live)
    restored = restore_backup(live, good, now=DAY.replace(hour=10))
    safety = live / "backups" / "restore-safety-20260512-100000.bdbackup"
    assert restored.kept_as == safety
    auto_backup(live, now=DAY.replace(hour=11))
    auto_backup(live, now=DAY.replace(hour=17))  # the backup made on closing the window
    assert safety.is_file()
    assert read_backup_info(safety).meetings == before  # what the restore replaced
    kinds = {f.path.name: f.kind for f in backup_files(live)}
    assert kinds == {
        "restore-safety-20260512-100000.bdbackup": SAFETY,
        "branchdesk-20260512-170000.bdbackup": AUTOMATIC,
    }


def test_the_command_line_sequence_keeps_the_safety_copy(live, good, capsys):
    assert main(["restore", str(good), "--yes", "--data-dir", str(live)]) == 0
    assert main(["backup", "--data-dir", str(live)]) == 0
    assert main(["backup", "--data-dir", str(live)]) == 0
    names = [p.name for p, _ in list_backups(live)]
    assert sum(name.startswith("restore-safety-") for name in names) == 1


def test_rotation_only_ever_picks_automatic_backups():
    stamps = [DAY - dt.timedelta(days=d, hours=h) for d in range(0, 400, 3) for h in (0, 5)]
    automatic = [(Path(f"branchdesk-{s:%Y%m%d-%H%M%S}.bdbackup"), s) for s in stamps]
    kept_anyway = [
        (Path(f"restore-safety-{s:%Y%m%d-%H%M%S}.bdbackup"), s) for s in stamps[::7]
    ] + [
        (Path(f"restore-safety-{stamps[0]:%Y%m%d-%H%M%S}-2.bdbackup"), stamps[0]),
        (Path("交接备份-20250101-090000.bdbackup"), dt.datetime(2025, 1, 1, 9)),
        (Path("城关街道党支部_交接备份_20250101.bdbackup"), dt.datetime(2025, 1, 1)),
    ]
    for keep in (Retention(), Retention(0, 0, 0), Retention(1, 1, 1)):
        pruned = set(to_prune(automatic + kept_anyway, DAY, keep))
        assert pruned and pruned <= {p for p, _ in automatic}


def test_auto_backup_never_removes_a_copy_the_user_put_in_the_folder(live):
    folder = live / "backups"
    folder.mkdir()
    own = write_backup(live, folder / "交接备份-20250101-090000.bdbackup").path
    for day in range(1, 12):
        moment = dt.datetime(2026, 1, 1, 9) + dt.timedelta(days=day)
        auto_backup(live, now=moment, keep=Retention(1, 1, 1))
    assert own.is_file()
    assert {f.kind for f in backup_files(live)} == {AUTOMATIC, OTHER}


def test_only_the_user_deletes_a_safety_copy(live, good):
    restore_backup(live, good, now=DAY)
    auto_backup(live, now=DAY.replace(hour=12))
    safety, automatic = sorted(backup_files(live), key=lambda f: f.kind != SAFETY)
    with pytest.raises(BackupError) as refused:
        delete_backup(live, automatic.path)
    assert "自动备份" in refused.value.message and automatic.path.exists()
    delete_backup(live, safety.path)
    assert not safety.path.exists()


def _raise_version(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 3}")
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('branchdesk', '0009_later', '2030-01-01')"
    )
    conn.commit()
    conn.close()


def test_a_folder_written_by_a_newer_version_can_be_restored_over(live, good, capsys):
    _raise_version(live / DB_FILENAME)
    assert main(["restore", str(good), "--yes", "--data-dir", str(live)]) == 0
    assert _meetings(live) == read_backup_info(good).meetings
    (safety,) = [f.path for f in backup_files(live) if f.kind == SAFETY]
    with zipfile.ZipFile(safety) as archive:
        kept = archive.read(DB_FILENAME)
    assert int.from_bytes(kept[60:64], "big") == SCHEMA_VERSION + 3  # the newer data, kept whole
    assert check_data_folder(live) == []


@pytest.mark.parametrize("damage", ["zero-bytes", "not-sqlite", "zeroed-pages"])
def test_a_damaged_database_is_set_aside_then_restored_over(live, good, damage):
    db_path = live / DB_FILENAME
    for suffix in ("-wal", "-shm"):
        db_path.with_name(db_path.name + suffix).unlink(missing_ok=True)
    data = db_path.read_bytes()
    if damage == "zero-bytes":
        data = b""
    elif damage == "not-sqlite":
        data = "这不是数据库".encode() * 500
    else:
        data = data[:4096] + bytes(len(data) - 4096)
    db_path.write_bytes(data)
    photos = fingerprint(live / "attachments")
    restored = restore_backup(live, good, now=DAY)
    aside = live / "branchdesk.db.damaged-20260512-000000"
    assert aside.read_bytes() == data  # kept exactly as it was, never deleted
    kept_photos = live / "attachments.before-restore-20260512-000000"
    assert fingerprint(kept_photos) == photos
    assert restored.kept_as == aside
    assert _meetings(live) == restored.meetings
    assert check_data_folder(live) == []
    assert leftovers(live) == []
    assert not [f for f in backup_files(live) if f.kind == SAFETY]  # nothing readable to copy


def test_restoring_into_a_fresh_folder_needs_no_safety_copy(good, tmp_path):
    fresh = tmp_path / "new-pc"
    info = restore_backup(fresh, good)
    assert info.kept_as is None and backup_files(fresh) == []
    assert sorted(p.name for p in (fresh / "attachments").iterdir()) == [
        "seed9-photo-0.jpg", "seed9-photo-1.jpg",
    ]  # fmt: skip
    assert check_data_folder(fresh) == [] and leftovers(fresh) == []
