"""Dated group membership, committee roles and groups: the branch as it stood on each day."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from branchdesk.domain.dates import PartialDate
from branchdesk.domain.home import duty_lines
from branchdesk.domain.meetings import MeetingKind, expected_members
from branchdesk.domain.members import (
    Category,
    GroupSpell,
    Member,
    MemberStatus,
    Role,
    RoleTerm,
    roster_on,
)
from branchdesk.domain.requirements import (
    GroupRef,
    Period,
    Requirement,
    Status,
    Unit,
    assess,
)
from branchdesk.store.db import open_database
from branchdesk.store.members import GroupRepo, MemberRepo
from branchdesk.store.migrations import MIGRATIONS

JUNE = dt.date(2026, 6, 1)


def test_a_member_as_of_a_day_has_the_group_roles_and_category_of_that_day():
    member = Member(
        name="张伟",
        join_date=PartialDate(2025, 5, 1),
        full_date=PartialDate(2026, 5, 1),
        category=Category.FULL,
        group_id=2,
        group_name="二组",
        roles=[Role.SECRETARY],
        group_spells=[GroupSpell(1, "一组", None, JUNE - dt.timedelta(days=1)),
                      GroupSpell(2, "二组", JUNE, None)],  # fmt: skip
        role_terms=[RoleTerm(Role.MEMBER, None, JUNE - dt.timedelta(days=1)),
                    RoleTerm(Role.SECRETARY, JUNE, None)],  # fmt: skip
    )
    may = member.as_of(dt.date(2026, 5, 31))
    assert (may.group_id, may.group_name, may.roles) == (1, "一组", [Role.MEMBER])
    assert member.as_of(dt.date(2026, 4, 30)).category is Category.PROBATIONARY
    assert may.category is Category.FULL  # 转正 on 1 May
    june = member.as_of(JUNE)
    assert (june.group_name, june.roles) == ("二组", [Role.SECRETARY])
    # a member never stored has no history: the current state holds every day
    plain = Member(name="王芳", group_id=1, group_name="一组", roles=[Role.MEMBER])
    assert plain.as_of(dt.date(2000, 1, 1)).group_name == "一组"


def test_roster_on_a_day_keeps_only_who_was_in_the_branch():
    came = Member(name="转入", branch_join_date=PartialDate.of(JUNE))
    left = Member(name="转出", status=MemberStatus.TRANSFERRED_OUT, status_date=PartialDate.of(JUNE))
    names = [m.name for m in roster_on([came, left], dt.date(2026, 5, 31))]
    assert names == ["转出"]
    assert [m.name for m in roster_on([came, left], JUNE)] == ["转入"]


def test_moves_and_role_changes_keep_the_days_before(db):
    groups = GroupRepo(db)
    one, two = groups.create("一组"), groups.create("二组")
    repo = MemberRepo(db)
    member_id = repo.add(Member(name="张伟", group_id=one.id, roles=[Role.SECRETARY]))
    member = repo.get(member_id)
    assert member.group_spells == [GroupSpell(one.id, "一组")]
    assert member.role_terms == [RoleTerm(Role.SECRETARY)]

    member.group_id, member.roles = two.id, [Role.SECRETARY, Role.ORGANISATION]
    repo.update(member, effective=JUNE)
    member = repo.get(member_id)
    day_before = JUNE - dt.timedelta(days=1)
    assert member.group_spells == [
        GroupSpell(one.id, "一组", None, day_before),
        GroupSpell(two.id, "二组", JUNE, None),
    ]
    # the secretary's term goes on unbroken; the new role begins on the day
    assert member.role_terms == [
        RoleTerm(Role.SECRETARY),
        RoleTerm(Role.ORGANISATION, JUNE, None),
    ]
    # dating a change earlier rewrites the timeline from that day on
    repo.move_to_group([member_id], one.id, on=dt.date(2026, 3, 1))
    assert repo.get(member_id).group_spells == [GroupSpell(one.id, "一组")]
    # back and forth on the same day leaves one spell
    repo.move_to_group([member_id], two.id, on=JUNE)
    repo.move_to_group([member_id], one.id, on=JUNE)
    assert repo.get(member_id).group_spells == [GroupSpell(one.id, "一组")]
    assert [m.name for m in repo.on(day_before)] == ["张伟"]


def test_leaving_ends_the_committee_role_on_the_day(db):
    repo = MemberRepo(db)
    member_id = repo.add(Member(name="李强", roles=[Role.DISCIPLINE]))
    repo.set_status(member_id, MemberStatus.TRANSFERRED_OUT, PartialDate.of(JUNE))
    member = repo.get(member_id)
    assert member.roles == []
    assert member.role_terms == [RoleTerm(Role.DISCIPLINE, None, JUNE - dt.timedelta(days=1))]
    everyone = repo.list()
    assert [m.name for m in expected_members(everyone, [MeetingKind.COMMITTEE],
                                             JUNE - dt.timedelta(days=1))] == ["李强"]  # fmt: skip
    assert expected_members(everyone, [MeetingKind.COMMITTEE], JUNE) == []


def test_groups_exist_from_a_day_and_end_by_merge_or_dissolution(db):
    groups = GroupRepo(db)
    one = groups.create("一组")
    two = groups.create("二组", start=JUNE)
    assert groups.get(two.id).start == JUNE
    repo = MemberRepo(db)
    member_id = repo.add(Member(name="张伟", group_id=two.id))
    left_id = repo.add(Member(name="孙立", group_id=two.id))
    repo.set_status(left_id, MemberStatus.TRANSFERRED_OUT, PartialDate(2026, 7, 1))
    with pytest.raises(ValueError, match="还有 1 名党员"):
        groups.dissolve(two.id, on=dt.date(2026, 9, 1))
    with pytest.raises(ValueError, match="建立日期"):
        groups.merge(two.id, one.id, on=dt.date(2026, 5, 1))
    groups.merge(two.id, one.id, on=dt.date(2026, 9, 1))
    assert groups.get(two.id).end == dt.date(2026, 8, 31)
    assert [g.name for g in groups.list(on=dt.date(2026, 9, 1))] == ["一组"]
    assert [g.name for g in groups.list(include_ended=True)] == ["一组", "二组"]
    assert repo.get(member_id).as_of(dt.date(2026, 8, 31)).group_name == "二组"
    assert repo.get(member_id).group_name == "一组"
    assert repo.get(left_id).group_name == "二组"  # left before: stays in the group of the time
    with pytest.raises(ValueError, match="不能删除"):
        groups.delete(two.id)
    with pytest.raises(ValueError, match="已于"):
        groups.dissolve(two.id, on=dt.date(2026, 10, 1))


def test_a_group_is_required_only_in_whole_units_it_existed():
    monthly = [Requirement(MeetingKind.GROUP, Unit.MONTH)]
    new = GroupRef(1, "新组", start=dt.date(2026, 11, 15))
    old = GroupRef(2, "老组", end=dt.date(2026, 10, 31))
    october = assess(Period.parse("2026-10"), [], requirements=monthly, groups=[new, old])
    assert [(a.group_name, a.status) for a in october] == [("老组", Status.NOT_MET)]
    november = assess(Period.parse("2026-11"), [], requirements=monthly, groups=[new, old])
    assert [(a.group_name, a.status, a.note) for a in november] == [
        ("新组", Status.NOT_ASSESSED, "本期11月15日建立")
    ]
    quarter = assess(Period.parse("2026-Q4"), [], requirements=monthly, groups=[new, old])
    lines = {a.group_name: a for a in quarter}
    assert (lines["新组"].required, lines["新组"].status) == (1, Status.NOT_MET)  # December
    assert lines["老组"].required == 1  # October only
    quarterly = [Requirement(MeetingKind.GROUP, Unit.QUARTER)]
    december = assess(Period.parse("2026-12"), [], requirements=quarterly, groups=[new])
    assert december[0].status is Status.NOT_ASSESSED  # not there for the whole quarter


def test_workbench_does_not_call_a_new_group_late():
    today = dt.date(2026, 12, 2)
    lines = duty_lines(
        today,
        [],
        requirements=[Requirement(MeetingKind.GROUP, Unit.MONTH)],
        groups=[GroupRef(1, "一组"), GroupRef(4, "第四党小组", start=today)],
        records_since=dt.date(2025, 1, 1),
    )
    assert [line.group_name for line in lines] == ["一组"]


def test_0008_gives_existing_groups_memberships_and_roles_no_start(data_dir):
    from sqlite_utils import Database

    path = data_dir / "v7.db"
    db = Database(sqlite3.connect(path), execute_plugins=False)
    MIGRATIONS.apply(db, stop_before="0008_effective_dates")
    db.execute("INSERT INTO party_groups (id, name) VALUES (1, '一组')")
    db.execute("INSERT INTO members (id, name, group_id) VALUES (1, '张三', 1)")
    db.execute("INSERT INTO member_roles (member_id, role) VALUES (1, 'secretary')")
    db.conn.commit()
    db.close()
    migrated = open_database(path)
    member = MemberRepo(migrated).get(1)
    assert member.group_spells == [GroupSpell(1, "一组")]
    assert member.role_terms == [RoleTerm(Role.SECRETARY)]
    assert GroupRepo(migrated).get(1).start is None
    assert member.as_of(dt.date(1990, 1, 1)).roles == [Role.SECRETARY]
