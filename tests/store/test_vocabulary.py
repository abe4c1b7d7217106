"""One vocabulary: the in-roster rule in SQL, and member enums stored as codes (0007)."""

from __future__ import annotations

import json
import sqlite3

import pytest
from sqlite_utils import Database

from branchdesk.cli import main
from branchdesk.domain.members import Category, Gender, Member, MemberStatus, Role
from branchdesk.store import snapshots
from branchdesk.store.backup_check import count_facts
from branchdesk.store.db import DB_FILENAME, SCHEMA_VERSION, open_database
from branchdesk.store.history import HistoryRepo
from branchdesk.store.meetings import MeetingRepo
from branchdesk.store.members import GroupRepo, MemberRepo
from branchdesk.store.migrations import MIGRATIONS


def test_sql_in_roster_agrees_with_member_status_in_roster(db):
    repo = MemberRepo(db)
    group = GroupRepo(db).create("第一党小组").id
    for index, status in enumerate(MemberStatus):
        repo.add(
            Member(
                f"党员{index}",
                status=status,
                group_id=group,
                category=Category.PROBATIONARY if index % 2 else Category.FULL,
            )
        )
    kept = {m.name for m in repo.list(include_left=False)}
    expected = {f"党员{i}" for i, s in enumerate(MemberStatus) if s.in_roster}
    assert kept == expected
    counts = repo.counts()
    assert counts.total == len(expected)
    assert counts.full + counts.probationary == len(expected)
    assert GroupRepo(db).get(group).member_count == len(expected)
    assert count_facts(db.conn)["members"] == len(expected)


# -- 0007_vocabulary_codes: a file made by the version before, migrated -------------------------


def _as_before_0007(member: Member) -> str:
    """A member's history snapshot as the version before 0007 wrote it (labels)."""
    data = json.loads(snapshots.to_json(member))
    data["gender"] = member.gender.label if member.gender else None
    data["category"] = member.category.label
    data["status"] = member.status.label
    data["roles"] = [role.label for role in member.roles]
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


@pytest.fixture
def old_file(data_dir):
    """A data folder whose file the previous version wrote: labels stored, as it did."""
    path = data_dir / DB_FILENAME
    db = Database(sqlite3.connect(path), execute_plugins=False)
    db.execute("PRAGMA foreign_keys = ON")
    MIGRATIONS.apply(db, stop_before="0007_vocabulary_codes")
    assert db.execute("PRAGMA user_version").fetchone()[0] == 6
    rows = [
        # id, name, gender, category, status, status_date
        (1, "王书记", "男", "正式", "在册", None),
        (2, "李预备", "女", "预备", "流动", None),
        (3, "赵转出", "女", "正式", "转出", "2024-03-01"),
    ]
    db.execute("INSERT INTO branch (id, name) VALUES (1, '老支部')")
    db.execute("INSERT INTO party_groups (id, name) VALUES (1, '第一党小组')")
    for row in rows:
        db.execute(
            "INSERT INTO members (id, name, gender, category, status, status_date, group_id) "
            "VALUES (?, ?, ?, ?, ?, ?, 1)",
            list(row),
        )
    db.execute("INSERT INTO member_roles VALUES (1, '书记'), (1, '组织委员')")
    db.execute("INSERT INTO meetings (id, date, title) VALUES (1, '2024-05-10', '主题党日')")
    db.execute("INSERT INTO meeting_kinds VALUES (1, 'theme_day')")
    db.execute(
        "INSERT INTO attendance (meeting_id, member_id, name, category) "
        "VALUES (1, 1, '王书记', '正式'), (1, 2, '李预备', '预备')"
    )
    # A member deleted before the upgrade: only the history keeps her, with labels.
    gone = Member(
        "钱已删",
        id=4,
        gender=Gender.FEMALE,
        category=Category.PROBATIONARY,
        status=MemberStatus.FLOWING,
        roles=[Role.PROPAGANDA],
    )
    db.execute(
        "INSERT INTO change_log (entity, entity_id, action, summary, before) "
        "VALUES ('member', '4', 'delete', '删除党员 钱已删', ?)",
        [_as_before_0007(gone)],
    )
    db.conn.commit()
    db.close()
    return path


def test_a_file_from_the_previous_version_reads_back_the_same(old_file, capsys):
    db = open_database(old_file)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    # Stored as codes now ...
    assert db.execute("SELECT gender, category, status FROM members ORDER BY id").fetchall() == [
        ("male", "full", "active"),
        ("female", "probationary", "flowing"),
        ("female", "full", "transferred_out"),
    ]
    assert {r[0] for r in db.execute("SELECT role FROM member_roles")} == {
        "secretary",
        "organisation",
    }
    assert [r[0] for r in db.execute("SELECT category FROM attendance ORDER BY member_id")] == [
        "full",
        "probationary",
    ]
    # ... and read back as the same members.
    repo = MemberRepo(db)
    wang, li, zhao = repo.list()
    assert (wang.gender, wang.category, wang.status) == (
        Gender.MALE,
        Category.FULL,
        MemberStatus.ACTIVE,
    )
    assert wang.roles == [Role.SECRETARY, Role.ORGANISATION]
    assert (li.gender, li.category, li.status) == (
        Gender.FEMALE,
        Category.PROBATIONARY,
        MemberStatus.FLOWING,
    )
    assert zhao.status is MemberStatus.TRANSFERRED_OUT
    assert [m.name for m in repo.list(include_left=False)] == ["王书记", "李预备"]
    assert repo.counts().probationary == 1
    assert GroupRepo(db).get(1).member_count == 2
    assert [a.category for a in MeetingRepo(db).get(1).attendance] == ["full", "probationary"]
    # A CHECK now names the codes: a label can no longer be stored by mistake.
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("UPDATE members SET gender = '男' WHERE id = 1")
    # The history was converted too, and the deleted member comes back whole.
    change = HistoryRepo(db).deleted("member")[0]
    assert json.loads(change.before)["status"] == "flowing"
    member_id = HistoryRepo(db).restore(change.id)
    back = repo.get(member_id)
    assert (back.name, back.gender, back.category, back.status, back.roles) == (
        "钱已删",
        Gender.FEMALE,
        Category.PROBATIONARY,
        MemberStatus.FLOWING,
        [Role.PROPAGANDA],
    )
    db.close()
    # What people read is unchanged: the command line prints the labels.
    assert main(["members", "list", "--json", "--data-dir", str(old_file.parent)]) == 0
    listed = {m["name"]: m for m in json.loads(capsys.readouterr().out)}
    assert (listed["李预备"]["gender"], listed["李预备"]["category"]) == ("女", "预备")
    assert (listed["李预备"]["status"], listed["王书记"]["roles"]) == ("流动", ["书记", "组织委员"])
    assert listed["赵转出"]["status"] == "转出"


def test_an_old_snapshot_with_labels_still_reads():
    old = _as_before_0007(
        Member("孙旧", id=9, gender=Gender.MALE, status=MemberStatus.DECEASED, roles=[Role.MEMBER])
    )
    member = snapshots.member_from_json(old)
    assert (member.gender, member.category, member.status, member.roles) == (
        Gender.MALE,
        Category.FULL,
        MemberStatus.DECEASED,
        [Role.MEMBER],
    )


def test_a_backup_from_before_0007_counts_its_members(old_file):
    conn = sqlite3.connect(old_file)  # not migrated: the labels are still stored
    assert count_facts(conn)["members"] == 2
    conn.close()
