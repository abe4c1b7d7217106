import hashlib
import sqlite3

import pytest

from branchdesk.store.db import (
    SCHEMA_VERSION,
    NewerDatabaseError,
    open_database,
)
from branchdesk.store.migrations import MIGRATIONS


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
    assert applied == len(MIGRATIONS._migrations)


def test_every_migration_is_tested_from_the_previous_version(data_dir):
    """Apply the migrations one at a time and check each leaves a sound database."""
    path = data_dir / "stepwise.db"
    conn = sqlite3.connect(path)
    from sqlite_utils import Database

    db = Database(conn, execute_plugins=False)
    db.execute("PRAGMA foreign_keys = ON")
    names = [m.name for m in MIGRATIONS._migrations]
    for index, name in enumerate(names):
        later = names[index + 1 :]
        MIGRATIONS.apply(db, stop_before=later[0] if later else None)
        assert MIGRATIONS.applied(db)[-1].name == name
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
