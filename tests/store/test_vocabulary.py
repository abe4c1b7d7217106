"""The vocabulary reaches SQL from domain/: the in-roster rule and category counts."""

from __future__ import annotations

from branchdesk.domain.members import Category, Member, MemberStatus
from branchdesk.store.backup_check import count_facts
from branchdesk.store.members import GroupRepo, MemberRepo


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
