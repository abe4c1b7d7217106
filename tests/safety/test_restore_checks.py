"""Restore trusts the database inside a backup, never its manifest, and touches nothing live
for a backup it refuses."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import stat
import zipfile
from pathlib import Path

import pytest
from backup_kit import (
    declare_size,
    edit_database,
    fingerprint,
    leftovers,
    make_branch,
    rewrite,
)

from branchdesk.cli import main
from branchdesk.store import restore as restore_module
from branchdesk.store.attachments import MAX_ATTACHMENT_BYTES
from branchdesk.store.backup import (
    BackupError,
    BackupLimits,
    read_backup_info,
    write_backup,
)
from branchdesk.store.db import DB_FILENAME, SCHEMA_VERSION, open_database
from branchdesk.store.health import check_data_folder
from branchdesk.store.meetings import MeetingRepo
from branchdesk.store.members import MemberRepo
from branchdesk.store.migrations import MIGRATIONS
from branchdesk.store.restore import restore_backup


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    """A valid backup of another branch (seed 9), with two photos."""
    root = tmp_path_factory.mktemp("good")
    data = make_branch(root / "other", members=10, seed=9, photos=2)
    return write_backup(data, root / "good.bdbackup", now=dt.datetime(2026, 3, 1, 9, 30)).path


@pytest.fixture
def live(data_dir) -> Path:
    return make_branch(data_dir, members=8, seed=3)


def _sql(*statements):
    def edit(conn):
        for statement in statements:
            conn.execute(statement)

    return edit


def _db_edit(tmp_path, *statements):
    return lambda data: edit_database(data, tmp_path, _sql(*statements))


def _foreign_sqlite(tmp_path):
    path = tmp_path / "foreign.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL)")
    conn.execute("INSERT INTO orders (total) VALUES (9.5)")
    conn.commit()
    conn.close()
    return path.read_bytes()


def _corrupt_pages(data: bytes) -> bytes:
    return data[:4096] + bytes(len(data) - 4096)


def _symlink_entry() -> zipfile.ZipInfo:
    info = zipfile.ZipInfo("attachments/passwd.jpg")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def _forge(kind: str, good: Path, tmp_path: Path) -> Path:
    """One hostile or broken backup, made from the good one."""
    out = tmp_path / f"{kind}.bdbackup"
    if kind == "empty-database":
        return rewrite(good, out, database=b"")
    if kind == "not-sqlite":
        return rewrite(good, out, database=b"these are not the pages you are looking for" * 100)
    if kind == "foreign-sqlite":
        return rewrite(good, out, database=_foreign_sqlite(tmp_path))
    if kind == "corrupt-pages":
        return rewrite(good, out, database=_corrupt_pages)
    if kind == "raised-version":
        return rewrite(
            good, out, database=_db_edit(tmp_path, f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        )
    if kind == "unknown-migration":
        return rewrite(
            good,
            out,
            database=_db_edit(
                tmp_path,
                "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
                " VALUES ('branchdesk', '0099_from_the_future', '2030-01-01')",
            ),
        )
    if kind == "planted-trigger":
        return rewrite(
            good,
            out,
            database=_db_edit(
                tmp_path,
                "CREATE TRIGGER no_more_meetings BEFORE INSERT ON meetings"
                " BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed'); END",
            ),
        )
    if kind == "planted-view":
        return rewrite(
            good, out, database=_db_edit(tmp_path, "CREATE VIEW everyone AS SELECT * FROM members")
        )
    if kind == "extra-table":
        return rewrite(good, out, database=_db_edit(tmp_path, "CREATE TABLE notes (x TEXT)"))
    if kind == "missing-column":
        return rewrite(
            good, out, database=_db_edit(tmp_path, "ALTER TABLE meetings DROP COLUMN n_absent")
        )
    if kind == "missing-table":
        return rewrite(good, out, database=_db_edit(tmp_path, "DROP TABLE change_log"))
    if kind == "broken-foreign-key":
        return rewrite(
            good,
            out,
            database=_db_edit(
                tmp_path,
                "PRAGMA foreign_keys = OFF",
                "INSERT INTO attendance (meeting_id, member_id, name)"
                " VALUES ((SELECT min(id) FROM meetings), 99999, '幽灵')",
            ),
        )
    if kind == "huge-attachment":
        big = zipfile.ZipInfo("attachments/会场录像.mp4")
        big.compress_type = zipfile.ZIP_DEFLATED
        return rewrite(good, out, extra=[(big, bytes(MAX_ATTACHMENT_BYTES + 1))])
    if kind == "zip-bomb":
        rewrite(good, out)
        declare_size(out, DB_FILENAME, 0xFFFF_FF00)
        return out
    if kind == "parent-path":
        return rewrite(good, out, extra=[("../evil.txt", b"escaped")])
    if kind == "parent-path-in-attachments":
        return rewrite(good, out, extra=[("attachments/../../evil.txt", b"escaped")])
    if kind == "absolute-path":
        return rewrite(good, out, extra=[(str(tmp_path / "evil-absolute.txt"), b"escaped")])
    if kind == "symlink":
        return rewrite(good, out, extra=[(_symlink_entry(), b"/etc/passwd")])
    if kind == "duplicate-database":
        with pytest.warns(UserWarning):  # zipfile warns about the duplicate name
            return rewrite(good, out, extra=[(DB_FILENAME, _foreign_sqlite(tmp_path))])
    raise AssertionError(kind)


FORGERIES = {
    "empty-database": "是空的（0 字节）",
    "not-sqlite": "不是 SQLite 数据库",
    "foreign-sqlite": "不是 BranchDesk 的支部数据",
    "corrupt-pages": "已损坏",
    "raised-version": "更新版本",
    "unknown-migration": "不认识的升级记录",
    "planted-trigger": "多出触发器“no_more_meetings”",
    "planted-view": "多出视图“everyone”",
    "extra-table": "多出表“notes”",
    "missing-column": "表“meetings”缺少列 n_absent",
    "missing-table": "缺少表“change_log”",
    "broken-foreign-key": "引用了不存在的数据（attendance）",
    "huge-attachment": "附件“会场录像.mp4”有 50.1 MB，超过了每个附件 50 MB 的上限",
    "zip-bomb": "数据库声明有 4 GB，超过了 1 GB 的上限",
    "parent-path": "不安全的路径“../evil.txt”",
    "parent-path-in-attachments": "不安全的路径",
    "absolute-path": "不安全的路径",
    "symlink": "是符号链接",
    "duplicate-database": "重复的条目",
}


@pytest.mark.parametrize("kind", list(FORGERIES))
def test_a_forged_backup_is_refused_and_the_live_folder_is_untouched(kind, good, live, tmp_path):
    forged = _forge(kind, good, tmp_path)
    before = fingerprint(live)
    with pytest.raises(BackupError) as refused:
        restore_backup(live, forged)
    message = refused.value.message
    assert FORGERIES[kind] in message, message
    assert "当前数据没有改动" in message
    assert fingerprint(live) == before
    assert leftovers(live) == []
    assert not (tmp_path.parent / "evil.txt").exists()
    assert not (tmp_path / "evil-absolute.txt").exists()
    # the preview refuses it the same way, checked in the data folder or in memory
    for data_dir in (live, None):
        with pytest.raises(BackupError) as previewed:
            read_backup_info(forged, data_dir=data_dir)
        assert FORGERIES[kind] in previewed.value.message
    assert fingerprint(live) == before and leftovers(live) == []


@pytest.mark.parametrize("kind", ["planted-trigger", "raised-version", "foreign-sqlite"])
def test_the_command_line_refuses_a_forged_backup_in_chinese(kind, good, live, tmp_path, capsys):
    forged = _forge(kind, good, tmp_path)
    before = fingerprint(live)
    assert main(["restore", str(forged), "--yes", "--data-dir", str(live)]) != 0
    err = capsys.readouterr().err
    assert FORGERIES[kind] in err and "Traceback" not in err
    assert fingerprint(live) == before
    assert main(["check", "--data-dir", str(live)]) == 0


def test_the_preview_counts_come_from_the_database_not_the_manifest(good, tmp_path):
    lying = json.dumps(
        {"format": "branchdesk-backup", "created_at": "2026-03-01T09:30:00", "branch": "假支部",
         "members": 38, "meetings": 130, "activities": 99, "attachments": 7, "schema_version": 1}
    ).encode()  # fmt: skip
    forged = rewrite(good, tmp_path / "lying.bdbackup", manifest=lying)
    info = read_backup_info(forged)
    truth = read_backup_info(good)
    assert (info.branch, info.members, info.meetings, info.activities, info.attachments) == (
        truth.branch, truth.members, truth.meetings, truth.activities, 2,
    )  # fmt: skip
    assert info.members != 38 and info.meetings != 130 and info.schema_version == SCHEMA_VERSION
    assert info.created_at == dt.datetime(2026, 3, 1, 9, 30)


MANIFESTS = {
    "a-list": b"[1, 2, 3]",
    "no-created-at": json.dumps({"format": "branchdesk-backup"}).encode(),
    "bad-created-at": json.dumps({"created_at": "上周三"}).encode(),
    "created-at-a-number": json.dumps({"created_at": 20260301}).encode(),
    "schema-version-null": json.dumps({"schema_version": None, "members": 3}).encode(),
    "members-many": json.dumps({"members": "many", "meetings": [1], "created_at": None}).encode(),
    "not-utf-8": '{"branch": "幸福里", "created_at": "2026-03-01"}'.encode("gbk"),
    "not-json": b"\x00\x01\x02 not json",
    "deeply-nested": b"[" * 60_000,
    "huge": b'{"created_at": "2026-03-01T09:30:00", "x": "' + b" " * (2 << 20) + b'"}',
}


@pytest.mark.parametrize("kind", list(MANIFESTS))
def test_a_malformed_manifest_falls_back_to_the_database(kind, good, live, tmp_path):
    forged = rewrite(good, tmp_path / f"{kind}.bdbackup", manifest=MANIFESTS[kind])
    with zipfile.ZipFile(forged) as archive:
        stamped = dt.datetime(*archive.getinfo(DB_FILENAME).date_time)
    truth = read_backup_info(good)
    for data_dir in (live, None):
        info = read_backup_info(forged, data_dir=data_dir)
        assert (info.branch, info.members, info.meetings) == (
            truth.branch, truth.members, truth.meetings,
        )  # fmt: skip
        assert info.created_at == stamped  # the database entry's own time
    restored = restore_backup(live, forged)
    assert restored.meetings == truth.meetings
    assert MeetingRepo(open_database(live / DB_FILENAME)).count() == truth.meetings


def test_a_manifest_from_another_program_is_refused(good, tmp_path):
    forged = rewrite(
        good, tmp_path / "other.bdbackup", manifest=json.dumps({"format": "somebody-else"}).encode()
    )
    with pytest.raises(BackupError) as refused:
        read_backup_info(forged)
    assert "不是 BranchDesk 备份文件" in refused.value.message


def _old_version_backup(tmp_path: Path, version: int) -> Path:
    """A backup as BranchDesk wrote it at schema ``version``, with one member in it."""
    path = tmp_path / f"v{version}.db"
    conn = sqlite3.connect(path)
    from sqlite_utils import Database

    db = Database(conn, execute_plugins=False)
    db.execute("PRAGMA foreign_keys = ON")
    names = MIGRATIONS.names
    MIGRATIONS.apply(db, stop_before=names[version] if version < len(names) else None)
    db.execute("INSERT INTO branch (id, name) VALUES (1, ?)", [f"第{version}版的支部"])
    # before 0007_vocabulary_codes the status was stored as its label
    status = "在册" if version < 7 else "active"
    db.execute("INSERT INTO members (name, status) VALUES ('老党员', ?)", [status])
    conn.commit()
    conn.close()
    target = tmp_path / f"v{version}.bdbackup"
    manifest = {"format": "branchdesk-backup", "created_at": "2025-01-02T03:04:05",
                "schema_version": version}  # fmt: skip
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
        archive.write(path, DB_FILENAME)
    return target


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION + 1))
def test_a_backup_from_an_older_version_is_migrated_and_restored(version, live, tmp_path):
    backup = _old_version_backup(tmp_path, version)
    info = read_backup_info(backup)
    assert (info.branch, info.members, info.schema_version) == (f"第{version}版的支部", 1, version)
    restore_backup(live, backup)
    db = open_database(live / DB_FILENAME)
    assert [m.name for m in MemberRepo(db).list()] == ["老党员"]
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.close()
    assert check_data_folder(live) == []


def test_attachments_over_the_total_limit_are_refused_naming_the_limit(good, live):
    before = fingerprint(live)
    limits = BackupLimits(attachment=1000, attachments_total=30)
    with pytest.raises(BackupError) as refused:
        restore_backup(live, good, limits=limits)
    assert "附件共" in refused.value.message and "上限" in refused.value.message
    assert fingerprint(live) == before


def test_free_space_is_counted_before_anything_is_extracted(good, live, monkeypatch):
    before = fingerprint(live)

    class Usage:
        total, used, free = 10 << 30, 10 << 30, 200 << 10

    monkeypatch.setattr(restore_module.shutil, "disk_usage", lambda path: Usage)
    with pytest.raises(BackupError) as refused:
        restore_backup(live, good)
    assert refused.value.message.startswith("磁盘空间不足")
    assert "200 KB" in refused.value.message and "当前数据没有改动" in refused.value.message
    assert fingerprint(live) == before and leftovers(live) == []


def test_without_in_memory_checks_the_preview_uses_the_data_folder(good, live, monkeypatch):
    from branchdesk.store import backup_check

    meetings = read_backup_info(good).meetings
    monkeypatch.setattr(backup_check, "CAN_CHECK_IN_MEMORY", False)  # as on Python 3.10
    assert read_backup_info(good, data_dir=live).meetings == meetings
    assert leftovers(live) == []
    with pytest.raises(BackupError) as refused:
        read_backup_info(good)
    assert "没有地方临时解开" in refused.value.message


def test_a_database_marked_for_wal_restores(good, live, tmp_path):
    marked = rewrite(good, tmp_path / "wal.bdbackup", database=lambda d: d[:18] + b"\2\2" + d[20:])
    for data_dir in (live, None):
        assert read_backup_info(marked, data_dir=data_dir).meetings > 0
    restore_backup(live, marked)
    assert check_data_folder(live) == [] and leftovers(live) == []
