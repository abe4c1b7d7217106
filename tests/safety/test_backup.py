import datetime as dt
import sqlite3
import zipfile
from pathlib import Path

import pytest
from demo_cache import write_demo_branch

from branchdesk.cli import main
from branchdesk.store import backup as backups
from branchdesk.store.backup import (
    BackupError,
    Retention,
    auto_backup,
    list_backups,
    read_backup_info,
    to_prune,
    write_backup,
)
from branchdesk.store.db import DB_FILENAME, open_database
from branchdesk.store.meetings import MeetingRepo
from branchdesk.store.members import MemberRepo
from branchdesk.store.restore import restore_backup


@pytest.fixture
def branch(data_dir):
    write_demo_branch(data_dir, members=14, seed=3)
    (data_dir / "attachments").mkdir()
    (data_dir / "attachments" / "photo-1.jpg").write_bytes(b"\xff\xd8 a photo")
    db = open_database(data_dir / DB_FILENAME)
    db.execute(
        "INSERT INTO meeting_attachments (meeting_id, filename, stored_name)"
        " VALUES ((SELECT min(id) FROM meetings), '合影.jpg', 'photo-1.jpg')"
    )
    db.conn.commit()
    db.close()
    return data_dir


def test_a_backup_holds_a_verified_snapshot_and_the_attachments(branch, tmp_path):
    db = open_database(branch / DB_FILENAME)  # the app is running: a live connection
    MemberRepo(db).list()
    info = write_backup(branch, tmp_path / "usb" / "交接.bdbackup")
    assert info.path.exists() and not list((tmp_path / "usb").glob("*.partial"))
    assert info.members == MemberRepo(db).counts().total
    assert info.meetings == MeetingRepo(db).count() and info.attachments == 1
    with zipfile.ZipFile(info.path) as archive:
        assert {"manifest.json", DB_FILENAME, "attachments/photo-1.jpg"} <= set(archive.namelist())
    assert oct(info.path.stat().st_mode & 0o777) == "0o600"


def test_handover_file_restores_on_a_fresh_data_folder(branch, tmp_path):
    info = write_backup(branch, tmp_path / "handover.bdbackup")
    fresh = tmp_path / "new-pc"
    restore_backup(fresh, info.path)
    # WAL from the first byte, as the live database always is: a writer killed right after
    # a restore must leave a WAL, not a rollback journal read-only readers cannot undo.
    header = (fresh / DB_FILENAME).read_bytes()[:20]
    assert (header[18], header[19]) == (2, 2)
    db = open_database(fresh / DB_FILENAME)
    assert MeetingRepo(db).count() == info.meetings
    assert (fresh / "attachments" / "photo-1.jpg").read_bytes() == b"\xff\xd8 a photo"
    assert main(["check", "--data-dir", str(fresh)]) == 0


def test_restore_backs_up_the_current_data_first(branch, tmp_path):
    old = write_backup(branch, tmp_path / "old.bdbackup")
    db = open_database(branch / DB_FILENAME)
    MeetingRepo(db).delete(MeetingRepo(db).summaries()[0].id)
    db.close()
    restore_backup(branch, old.path, now=dt.datetime(2026, 1, 2, 3, 4, 5))
    safety = branch / "backups" / "restore-safety-20260102-030405.bdbackup"
    assert read_backup_info(safety).meetings == old.meetings - 1
    assert MeetingRepo(open_database(branch / DB_FILENAME)).count() == old.meetings


def test_an_interrupted_backup_leaves_older_backups_intact(branch, monkeypatch):
    first = auto_backup(branch, now=dt.datetime(2026, 3, 1, 9, 0))

    def crash(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backups.os, "replace", crash)
    with pytest.raises(BackupError) as info:
        auto_backup(branch, now=dt.datetime(2026, 3, 2, 9, 0))
    assert "磁盘空间不足" in info.value.message
    monkeypatch.undo()
    assert [p for p, _ in list_backups(branch)] == [first.path]
    assert read_backup_info(first.path).meetings == first.meetings
    assert not list((branch / "backups").glob("*.partial"))


def test_partial_files_from_a_killed_backup_are_cleaned_at_the_next_backup(branch):
    folder = branch / "backups"
    folder.mkdir()
    (folder / "branchdesk-20260101-000000.bdbackup.partial").write_bytes(b"half")
    auto_backup(branch)
    assert not list(folder.glob("*.partial"))


@pytest.mark.parametrize(
    "content, reason",
    [(b"not a zip", "不是可用的"), (None, "不是 BranchDesk 备份")],
)
def test_other_files_are_refused_as_backups(tmp_path, content, reason):
    path = tmp_path / "x.bdbackup"
    if content is None:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("hello.txt", "hi")
    else:
        path.write_bytes(content)
    with pytest.raises(BackupError) as info:
        read_backup_info(path)
    assert reason in info.value.message


def test_a_damaged_database_inside_a_backup_is_refused(branch, tmp_path):
    good = write_backup(branch, tmp_path / "good.bdbackup")
    broken = tmp_path / "broken.bdbackup"
    with zipfile.ZipFile(good.path) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == DB_FILENAME:
                data = data[:4096] + bytes(len(data) - 4096)  # every page after the first zeroed
            target.writestr(item, data)
    with pytest.raises(BackupError):
        read_backup_info(broken)


def _stamps(*texts):
    """Automatic backups (the only ones rotation thins) made at the given hours."""
    moments = [dt.datetime.strptime(t, "%Y-%m-%d %H") for t in texts]
    return [(Path(f"branchdesk-{m:%Y%m%d-%H%M%S}.bdbackup"), m) for m in moments]


def _label(path):
    return dt.datetime.strptime(path.stem, "branchdesk-%Y%m%d-%H%M%S").strftime("%Y-%m-%d %H")


def test_retention_tiers():
    now = dt.datetime(2026, 6, 30, 12)
    daily = [f"2026-06-{d:02d} 10" for d in range(1, 31)]
    monthly = [f"2025-{m:02d}-15 10" for m in range(1, 13)]
    pruned = {_label(p) for p in to_prune(_stamps(*daily, *monthly, "2026-06-30 09"), now)}
    kept = {_label(p) for p, _ in _stamps(*daily, *monthly, "2026-06-30 09")} - pruned
    # 7 newest days, the newest of each of 4 weeks, the newest of each of 12 months
    assert {f"2026-06-{d:02d} 10" for d in range(24, 31)} <= kept
    assert "2026-06-30 09" in pruned  # same day as a newer one
    assert {"2026-06-21 10", "2026-06-14 10"} <= kept  # the newest in earlier ISO weeks
    assert "2025-12-15 10" in kept and "2025-07-15 10" in kept
    assert "2025-02-15 10" in kept  # twelve months, this one included
    assert "2025-01-15 10" in pruned  # the 13th month back
    assert len(kept) <= 7 + 4 + 12


def test_tiny_retention_keeps_the_newest():
    backups = _stamps("2026-01-01 10", "2026-01-02 10")
    assert [_label(p) for p in to_prune(backups, dt.datetime(2026, 1, 3), Retention(0, 0, 0))] == [
        "2026-01-01 10"
    ]


def test_backup_and_restore_commands(branch, tmp_path, capsys):
    target = tmp_path / "u" / "b.bdbackup"
    assert main(["backup", "-o", str(target), "--data-dir", str(branch)]) == 0
    assert "已备份" in capsys.readouterr().out
    fresh = tmp_path / "fresh"
    assert main(["restore", str(target), "--data-dir", str(fresh)]) == 2  # no --yes, no terminal
    assert not (fresh / DB_FILENAME).exists()
    assert main(["restore", str(target), "--yes", "--data-dir", str(fresh)]) == 0
    assert main(["check", "--data-dir", str(fresh)]) == 0


def test_check_finds_missing_attachments_and_broken_links(branch, capsys):
    db = open_database(branch / DB_FILENAME)
    meeting_id = MeetingRepo(db).summaries()[0].id
    db.execute(
        "INSERT INTO meeting_attachments (meeting_id, filename, stored_name) VALUES (?, ?, ?)",
        [meeting_id, "合影.jpg", "gone.jpg"],
    )
    db.conn.commit()
    assert main(["check", "--data-dir", str(branch)]) == 1
    assert "附件文件缺失" in capsys.readouterr().err
    db.execute("PRAGMA foreign_keys = OFF")
    db.execute(
        "INSERT INTO attendance (meeting_id, member_id, name) VALUES (?, 99999, '幽灵')",
        [meeting_id],
    )
    db.conn.commit()
    assert main(["check", "--data-dir", str(branch)]) == 1
    assert "不存在的数据" in capsys.readouterr().err
    sqlite3.connect(":memory:").close()
