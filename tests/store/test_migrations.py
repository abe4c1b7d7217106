import hashlib
import sqlite3

import pytest

from branchdesk.store import backup_check
from branchdesk.store import db as db_module
from branchdesk.store.backup import write_backup
from branchdesk.store.backup_check import NewerBackupError, read_backup_info
from branchdesk.store.db import (
    DB_FILENAME,
    SCHEMA_VERSION,
    NewerDatabaseError,
    open_database,
)
from branchdesk.store.migrations import MIGRATIONS, SchemaMigrations


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_new_database_gets_the_whole_schema(data_dir):
    db = open_database(data_dir / "b.db")
    assert {"branch", "party_groups", "members", "member_roles"} <= set(db.table_names())
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert [m.name for m in MIGRATIONS.pending(db)] == []
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_reopening_applies_nothing_twice(data_dir):
    open_database(data_dir / "b.db").close()
    db = open_database(data_dir / "b.db")
    applied = db.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0]
    assert applied == len(MIGRATIONS.names)


def test_every_migration_is_tested_from_the_previous_version(data_dir):
    """Apply the migrations one at a time and check each leaves a sound database."""
    path = data_dir / "stepwise.db"
    conn = sqlite3.connect(path)
    from sqlite_utils import Database

    db = Database(conn, execute_plugins=False)
    db.execute("PRAGMA foreign_keys = ON")
    names = MIGRATIONS.names
    for index, name in enumerate(names):
        later = names[index + 1 :]
        MIGRATIONS.apply(db, stop_before=later[0] if later else None)
        assert MIGRATIONS.applied(db)[-1].name == name
        # the version is derived from the migrations table, never kept apart from it
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS.applied(db))
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_database_from_a_newer_version_is_refused_and_untouched(data_dir):
    path = data_dir / "newer.db"
    open_database(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = _digest(path)
    with pytest.raises(NewerDatabaseError) as info:
        open_database(path)
    assert "更新版本" in info.value.message
    assert _digest(path) == before


def test_an_unknown_migration_name_is_refused(data_dir):
    path = data_dir / "future.db"
    open_database(path).close()
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('branchdesk', '9999_from_the_future', 'x')"
    )
    conn.commit()
    conn.close()
    with pytest.raises(NewerDatabaseError):
        open_database(path)


def test_a_file_that_is_not_a_database_gets_a_clear_message(data_dir):
    path = data_dir / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    from branchdesk.store.db import StorageError

    with pytest.raises(StorageError) as info:
        open_database(path)
    assert "损坏" in info.value.message


# Rows a branch could have written with each released schema, by the version that added them.
_ROWS_BY_VERSION = {
    1: [
        "INSERT INTO branch (id, name, superior) VALUES (1, '老支部', '老党委')",
        "INSERT INTO party_groups (id, name) VALUES (1, '第一党小组')",
        "INSERT INTO members (id, name, id_number, group_id, join_date) "
        "VALUES (1, '张三', '11010519491231002X', 1, '1975-07')",
        "INSERT INTO member_roles (member_id, role) VALUES (1, '书记')",
    ],
    2: [
        "INSERT INTO meetings (id, date, title) VALUES (1, '2024-05-10', '主题党日')",
        "INSERT INTO meeting_kinds (meeting_id, kind) VALUES (1, 'theme_day')",
        "INSERT INTO attendance (meeting_id, member_id, name, status, reason) "
        "VALUES (1, 1, '张三', 'leave', '出差')",
    ],
    3: [
        "INSERT INTO activities (id, kind, title, date) VALUES (1, '志愿服务', '清扫', '2024-05-11')",
        "INSERT INTO activity_participants (activity_id, member_id, name, hours) VALUES (1, 1, '张三', 2)",
    ],
    4: ["UPDATE requirement_rules SET times = 2 WHERE kind = 'party_lecture'"],
    5: [
        "INSERT INTO change_log (id, entity, entity_id, action, summary) "
        "VALUES (7, 'member', '1', 'update', '张三')"
    ],
    # from 0006 on the app keeps each meeting's counts itself
    6: ["UPDATE meetings SET n_expected = 1, n_leave = 1 WHERE id = 1"],
}


def _schema(db):
    return sorted(
        r[0] for r in db.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
    )


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_a_database_from_every_earlier_version_migrates_with_its_data(data_dir, version):
    from sqlite_utils import Database

    path = data_dir / f"v{version}.db"
    db = Database(sqlite3.connect(path), execute_plugins=False)
    db.execute("PRAGMA foreign_keys = ON")
    names = MIGRATIONS.names
    MIGRATIONS.apply(db, stop_before=names[version])
    assert db.execute("PRAGMA user_version").fetchone()[0] == version
    for step in range(1, version + 1):
        for sql in _ROWS_BY_VERSION.get(step, []):
            db.execute(sql)
    db.conn.commit()
    db.close()
    migrated = open_database(path)
    fresh = open_database(data_dir / "fresh.db")
    assert _schema(migrated) == _schema(fresh)
    assert migrated.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert migrated.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert migrated.execute("PRAGMA foreign_key_check").fetchall() == []
    assert migrated.execute("SELECT name, join_date FROM members").fetchall() == [("张三", "1975-07")]
    if version >= 2:
        assert migrated.execute("SELECT status, reason FROM attendance").fetchall() == [("leave", "出差")]
        assert migrated.execute(
            "SELECT n_expected, n_present, n_leave FROM meetings"
        ).fetchall() == [(1, 0, 1)]
    if version >= 4:
        assert migrated.execute(
            "SELECT times FROM requirement_rules WHERE kind = 'party_lecture'"
        ).fetchone()[0] == 2
    if version >= 5:  # 0010 rebuilds change_log with its rows
        assert migrated.execute("SELECT id, entity, summary FROM change_log").fetchall() == [
            (7, "member", "张三")
        ]


def test_a_failed_migration_rolls_back_and_leaves_the_version(data_dir, monkeypatch):
    from sqlite_utils import Database

    path = data_dir / "halfway.db"
    db = Database(sqlite3.connect(path), execute_plugins=False)
    names = MIGRATIONS.names
    MIGRATIONS.apply(db, stop_before=names[-1])
    db.close()
    last = MIGRATIONS.steps[-1]
    original = last.fn

    def broken(database):
        original(database)
        raise RuntimeError("power cut in the middle")

    monkeypatch.setattr(last, "fn", broken)
    with pytest.raises(RuntimeError):
        open_database(path)
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION - 1
    assert names[-1] not in {r[0] for r in check.execute("SELECT name FROM _sqlite_migrations")}
    check.close()
    monkeypatch.undo()
    assert open_database(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def _older_program(version: int) -> SchemaMigrations:
    """The migrations a BranchDesk of schema ``version`` knew: the first ``version`` ones."""
    older = SchemaMigrations("branchdesk")
    for step in MIGRATIONS.steps[:version]:
        older(name=step.name)(step.fn)
    return older


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_a_program_of_every_earlier_schema_refuses_todays_database(data_dir, version, monkeypatch):
    path = data_dir / DB_FILENAME
    open_database(path).close()
    backup = write_backup(data_dir, data_dir / "today.bdbackup").path
    before = _digest(path)
    older = _older_program(version)
    monkeypatch.setattr(db_module, "SCHEMA_VERSION", version)
    monkeypatch.setattr(db_module, "known_migration_names", lambda: set(older.names))
    monkeypatch.setattr(backup_check, "SCHEMA_VERSION", version)
    monkeypatch.setattr(backup_check, "MIGRATIONS", older)
    with pytest.raises(NewerDatabaseError) as refused:
        open_database(path)
    assert f"本程序支持到 {version}" in refused.value.message
    with pytest.raises(NewerBackupError):
        read_backup_info(backup)
    assert _digest(path) == before


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_unknown_migrations_are_refused_even_when_the_version_says_otherwise(data_dir, version):
    """The migrations table decides: a file whose version was set back is still newer."""
    path = data_dir / "today.db"
    open_database(path).close()
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('branchdesk', '9999_from_the_future', 'x')"
    )
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()
    before = _digest(path)
    with pytest.raises(NewerDatabaseError):
        open_database(path)
    assert _digest(path) == before


def test_a_migration_gets_its_version_in_the_same_transaction(data_dir):
    from sqlite_utils import Database

    steps = SchemaMigrations("throwaway")

    @steps(name="one")
    def one(db):
        db.execute("CREATE TABLE t (x)")

    @steps(name="two")
    def two(db):
        db.execute("INSERT INTO t VALUES (1)")
        raise RuntimeError("power cut")

    db = Database(sqlite3.connect(data_dir / "t.db"), execute_plugins=False)
    with pytest.raises(RuntimeError):
        steps.apply(db)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    assert [m.name for m in steps.applied(db)] == ["one"]
    assert db.execute("SELECT count(*) FROM t").fetchone()[0] == 0
    with pytest.raises(ValueError):
        steps(name="one")(one)  # a name registered twice
    with pytest.raises(ValueError):
        steps(name="three", transactional=False)
    assert steps.names == ["one", "two"]
