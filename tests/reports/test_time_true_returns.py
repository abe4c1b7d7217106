"""A past period is a fact: today's changes leave earlier returns as they were, cell for cell,
and a change dated in the past changes exactly the periods from its date on."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from demo_cache import write_demo_branch
from reports.roster_samples import make_id, write_roster

from branchdesk import ops
from branchdesk.domain.members import Category, JoinHow, Member, MemberStatus, Role
from branchdesk.domain.requirements import Period, Status, Unit, last_completed_month
from branchdesk.ops.roster import import_roster
from branchdesk.reports.return_figures import compute_return, reported_differences
from branchdesk.reports.return_workbook import DATA_SHEET, build_return_workbook
from branchdesk.reports.roster_import import ORIGINAL, plan_import, read_roster
from branchdesk.store.lock import DataFolderLock
from branchdesk.store.members import GroupRepo, MemberRepo
from branchdesk.store.session import Session

TODAY = dt.date.today()


@pytest.fixture
def demo(data_dir: Path):
    write_demo_branch(data_dir, members=36, seed=1, today=TODAY)
    lock = DataFolderLock(data_dir)
    lock.acquire()
    session = Session.open(data_dir, lock=lock)
    yield session
    session.close()


def _last_twelve() -> list[Period]:
    periods = [last_completed_month(TODAY)]
    while len(periods) < 12:
        periods.append(periods[-1].previous())
    return list(reversed(periods))


def _cells(session: Session, period: Period) -> dict[str, Any]:
    """Every sheet of the return's workbook, cell by cell, the hidden one included."""
    workbook = build_return_workbook(compute_return(session.db, period, today=TODAY))
    return {
        ws.title: (ws.sheet_state, [[c.value for c in row] for row in ws.iter_rows()])
        for ws in workbook.worksheets
    }


def _newcomers(tmp_path: Path, session: Session, count: int, group: str) -> Path:
    """A roster with three members already stored and ``count`` new ones in ``group``."""
    known = [m for m in MemberRepo(session.db).list(include_left=False) if m.id_number][:3]
    rows: list[tuple[Any, ...]] = []
    for member in known:
        assert member.birth_date and member.join_date
        rows.append(
            (member.name, member.gender.label if member.gender else None, member.id_number,
             member.birth_date.iso(), member.join_date.iso(),
             member.full_date.iso() if member.full_date else None, member.category.label,
             member.group_name, member.phone, member.workplace, None)
        )  # fmt: skip
    for index in range(count):
        rows.append(
            (f"新党员{'甲乙丙丁戊己庚辛壬癸子丑'[index]}", "男",
             make_id(f"1990{index + 1:02d}15", f"{index * 2 + 101:03d}"),
             f"1990-{index + 1:02d}-15", "2015-07-01", "2016-07-01", "正式", group,
             "13800000000", "外单位", None)
        )  # fmt: skip
    return write_roster(tmp_path / "转入.xlsx", rows)


def test_todays_changes_leave_the_last_twelve_returns_as_they_were(demo, tmp_path):
    periods = _last_twelve()
    before = {p: _cells(demo, p) for p in periods}
    assert any(
        name == DATA_SHEET and state == "hidden" for name, (state, _) in before[periods[0]].items()
    )

    # 1. Eleven members join today, with a group the branch did not have.
    path = _newcomers(tmp_path, demo, 11, "第四党小组")
    preview = plan_import(demo.db, read_roster(path))
    assert not preview.first_import and preview.joined_on == TODAY
    assert preview.new_groups == ["第四党小组"]
    assert "第四党小组" in preview.groups_text() and "起" in preview.groups_text()
    result = import_roster(demo, preview).value
    assert (result.added, result.new_groups) == (11, ["第四党小组"])
    # 2. A member moves to another group, 3. a new group is made, 4. a new secretary.
    members = MemberRepo(demo.db).list(include_left=False)
    groups = GroupRepo(demo.db).list()
    mover = next(m for m in members if m.group_id == groups[0].id and not m.roles)
    ops.move_members(demo, [mover.id], groups[1].id)
    ops.create_group(demo, "第五党小组")
    old = next(m for m in members if Role.SECRETARY in m.roles)
    new = next(m for m in members if not m.roles and m.category is Category.FULL and m != mover)
    old.roles, new.roles = [], [Role.SECRETARY]
    ops.update_member(demo, old)
    ops.update_member(demo, new)

    after = {p: _cells(demo, p) for p in periods}
    for period in periods:
        assert after[period] == before[period], period.label

    # The changes are there from today: this month counts the eleven as 转入.
    now = compute_return(demo.db, Period.containing(Unit.MONTH, TODAY), today=TODAY)
    assert now.members.transferred_in == 11
    assert now.members.total == compute_return(demo.db, periods[-1]).members.total + 11
    fourth = [a for a in now.assessments if a.group_name == "第四党小组"]
    assert fourth and all(a.status is Status.NOT_ASSESSED for a in fourth)
    assert MemberRepo(demo.db).get(mover.id).group_id == groups[1].id
    on_today = {m.id: m for m in MemberRepo(demo.db).on(TODAY)}
    assert Role.SECRETARY in on_today[new.id].roles and not on_today[old.id].roles
    yesterday = {m.id: m for m in MemberRepo(demo.db).on(TODAY - dt.timedelta(days=1))}
    assert Role.SECRETARY in yesterday[old.id].roles and not yesterday[new.id].roles
    assert yesterday[mover.id].group_id == groups[0].id


def test_an_import_dated_in_the_past_changes_only_the_months_from_its_date(demo, tmp_path):
    periods = _last_twelve()
    before = {p: compute_return(demo.db, p, today=TODAY).figures() for p in periods}
    cells_before = {p: _cells(demo, p) for p in periods}
    joined = periods[6]  # joined on the 15th of that month, with a new group
    day = joined.start.replace(day=15)
    path = _newcomers(tmp_path, demo, 4, "第四党小组")
    import_roster(demo, plan_import(demo.db, read_roster(path)), joined_on=day)
    assert GroupRepo(demo.db).by_name("第四党小组").start == day  # type: ignore[union-attr]
    for index, period in enumerate(periods):
        figures = compute_return(demo.db, period, today=TODAY).figures()
        if index < 6:
            assert _cells(demo, period) == cells_before[period], period.label
            continue
        members, was = figures["members"], before[period]["members"]
        assert members["total"] == was["total"] + 4, period.label
        assert members["transferred_in"] == (4 if index == 6 else 0), period.label
        groups = figures["kinds"]["group_meeting"]["groups"]
        # new in that month: not assessed; from the next month on: required and not held
        assert groups["第四党小组"]["status"] == ("本期不考核" if index == 6 else "未达标")


def test_a_group_move_and_a_role_dated_in_the_past(demo):
    periods = _last_twelve()
    cells_before = {p: _cells(demo, p) for p in periods}
    members = MemberRepo(demo.db).list(include_left=False)
    groups = GroupRepo(demo.db).list()
    mover = next(m for m in members if m.group_id == groups[0].id and not m.roles)
    moved_on = periods[9].start
    ops.move_members(demo, [mover.id], groups[1].id, on=moved_on)
    for index, period in enumerate(periods):
        ret = compute_return(demo.db, period, today=TODAY)
        row = next(r for r in ret.member_rows if r.member_id == mover.id)
        assert row.group == (groups[0].name if index < 9 else groups[1].name)
        if index < 9:
            assert _cells(demo, period) == cells_before[period]
    # The 支委会 expected list follows the committee on each day.
    from branchdesk.domain.meetings import MeetingKind, expected_members

    newcomer = next(m for m in members if not m.roles and m.category is Category.FULL)
    newcomer.roles = [Role.MEMBER]
    ops.update_member(demo, newcomer, effective=periods[5].start)
    everyone = MemberRepo(demo.db).list()
    before_day = periods[5].start - dt.timedelta(days=1)
    assert newcomer.id not in [
        m.id for m in expected_members(everyone, [MeetingKind.COMMITTEE], before_day)
    ]
    assert newcomer.id in [
        m.id for m in expected_members(everyone, [MeetingKind.COMMITTEE], periods[5].start)
    ]


def test_a_first_import_brings_the_branchs_own_members(session_empty, tmp_path):
    path = write_roster(
        tmp_path / "花名册.xlsx",
        [
            ("王芳", "女", make_id("19900101", "124"), "1990-01-01", "2015-07-01",
             "2016-07-01", "正式", "一组", "13812345678", "居委会", None),
        ],
    )  # fmt: skip
    preview = plan_import(session_empty.db, read_roster(path))
    assert preview.first_import and preview.joined_on == ORIGINAL
    import_roster(session_empty, preview)
    member = MemberRepo(session_empty.db).list()[0]
    assert member.branch_join_how is JoinHow.ORIGINAL and member.branch_join_date is None
    assert GroupRepo(session_empty.db).by_name("一组").start is None  # type: ignore[union-attr]
    # counted from the 入党时间, never as 转入
    ret = compute_return(session_empty.db, Period.parse("2015-07"))
    assert (ret.members.total, ret.members.transferred_in, ret.members.developed) == (1, 0, 1)


@pytest.fixture
def session_empty(data_dir: Path):
    from branchdesk.store.db import DB_FILENAME, open_database

    open_database(data_dir / DB_FILENAME).close()
    lock = DataFolderLock(data_dir)
    lock.acquire()
    session = Session.open(data_dir, lock=lock)
    yield session
    session.close()


def test_a_reported_return_that_now_computes_differently_says_what_differs(demo, tmp_path):
    period = _last_twelve()[-2]
    reported = compute_return(demo.db, period, today=TODAY)
    ops.mark_period_reported(demo, period, figures=reported.figures())
    assert reported_differences(demo.db, compute_return(demo.db, period, today=TODAY)) == []
    ops.unlock_period(demo, period, "补录一名转入党员")
    member = Member(
        name="补录党员",
        join_date=None,
        branch_join_date=None,
        branch_join_how=JoinHow.TRANSFER_IN,
        category=Category.FULL,
    )
    from branchdesk.domain.dates import PartialDate

    member.branch_join_date = PartialDate.of(period.start.replace(day=20))
    ops.add_member(demo, member)
    now = compute_return(demo.db, period, today=TODAY)
    differences = reported_differences(demo.db, now)
    was, will = reported.members.total, reported.members.total + 1
    assert f"党员总数：{was} → {will}" in (differences or [])
    assert "本期转入：0 → 1" in (differences or [])
    # a re-export is revision 1, in the hidden sheet too
    rows = dict(
        (row[0].value, row[1].value)
        for row in build_return_workbook(now)[DATA_SHEET].iter_rows()
    )
    assert (now.revised, now.revision, rows["revision"], rows["revised"]) == (True, 1, 1, 1)
    # marked reported again: the figures kept are the new ones
    ops.mark_period_reported(demo, period, figures=now.figures())
    assert reported_differences(demo.db, compute_return(demo.db, period, today=TODAY)) == []


def test_a_member_who_left_keeps_their_group_and_category_of_the_time(demo):
    periods = _last_twelve()
    member = next(
        m
        for m in MemberRepo(demo.db).list(include_left=False)
        if m.category is Category.PROBATIONARY
    )
    assert member.status is MemberStatus.ACTIVE
    ret = compute_return(demo.db, periods[-1], today=TODAY)
    row = next(r for r in ret.member_rows if r.member_id == member.id)
    assert row.category == "预备" and row.group == member.group_name
