"""The home page's facts: done / due / late lines, people to mind, the year's figures.

The demo branch (written for 2025-11-14) has gaps on purpose: no 支委会 in 2024-08, no
第三党小组 meeting in 2024-12, no 党员大会 in 2025 Q2, and the 党小组会 of the rest of
November 2025 only planned. The home page is read for several "today" dates against it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from demo_cache import write_demo_branch

from branchdesk.domain.dates import PartialDate
from branchdesk.domain.home import (
    AbsenceCount,
    DutyState,
    EntryKind,
    calendar_days,
    duty_lines,
    frequent_absences,
    month_figures,
    political_birthdays,
    probation_ends,
    suggest_day,
)
from branchdesk.domain.meetings import (
    Attendance,
    AttendanceCounts,
    AttendanceStatus,
    Makeup,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MeetingSummary,
)
from branchdesk.domain.members import Category, Member, MemberStatus
from branchdesk.domain.requirements import GroupRef, Period, Requirement, Unit
from branchdesk.store.db import DB_FILENAME, open_database
from branchdesk.store.home_queries import HomeQueries
from branchdesk.store.meetings import MeetingRepo
from branchdesk.store.members import GroupRepo, MemberRepo

DEMO_TODAY = dt.date(2025, 11, 14)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    write_demo_branch(folder, members=36, seed=1, today=DEMO_TODAY)
    db = open_database(folder / DB_FILENAME)
    yield db
    db.close()


def _line(lines, kind, group_name=""):
    found = [line for line in lines if line.kind is kind and line.group_name == group_name]
    assert len(found) == 1, (kind, group_name, lines)
    return found[0]


def _states(lines):
    return {(line.kind, line.group_name): line.state for line in lines}


# -- against the demo branch ---------------------------------------------------------------------


def test_demo_today_nothing_late_and_what_is_done_shows_its_date(demo_db):
    lines = HomeQueries(demo_db).duties(DEMO_TODAY)
    assert not [line for line in lines if line.state is DutyState.LATE]
    committee = _line(lines, MeetingKind.COMMITTEE)
    assert committee.state is DutyState.DONE
    assert committee.held and committee.held[0][0].month == 11
    assert committee.last_meeting_id == committee.held[-1][1]
    theme = _line(lines, MeetingKind.THEME_DAY)
    assert theme.state is DutyState.DONE and theme.held[0][0] == dt.date(2025, 11, 10)
    lecture = _line(lines, MeetingKind.LECTURE)  # given at November's 主题党日
    assert lecture.state is DutyState.DONE and lecture.unit is Unit.QUARTER
    review = _line(lines, MeetingKind.REVIEW)
    assert review.state is DutyState.DONE and review.held[0][0] == dt.date(2025, 1, 20)
    # The rest of November's group meetings are planned, not held: due, with their dates.
    for name in ("第一党小组", "第二党小组", "第三党小组"):
        group = _line(lines, MeetingKind.GROUP, name)
        assert group.state is DutyState.DUE and group.planned
        assert group.planned[0][0] > DEMO_TODAY and group.days_left == 16
    general = _line(lines, MeetingKind.GENERAL)
    assert general.state is DutyState.DUE and general.days_left == 47
    assert general.period == Period(Unit.QUARTER, 2025, 4)
    assert general.suggested_day.month == 12  # the quarter's last month, as usual
    life = _line(lines, MeetingKind.LIFE)
    assert life.state is DutyState.DUE and life.suggested_day == dt.date(2025, 12, 28)
    assert life.urgent and not general.urgent


def test_month_without_committee_meeting_is_late_the_next_month(demo_db):
    lines = HomeQueries(demo_db).duties(dt.date(2024, 9, 2))
    committee = _line(lines, MeetingKind.COMMITTEE)
    assert committee.state is DutyState.LATE
    assert committee.missed == Period(Unit.MONTH, 2024, 8) and committee.missed_held == 0
    assert committee.makeup_day is not None and committee.makeup_day.month == 8
    assert committee.days_left == 28
    # The suggested day keeps the usual day of the month and is not in the past.
    assert committee.suggested_day.month == 9 and committee.suggested_day >= dt.date(2024, 9, 2)
    assert committee.suggested_day.day in range(3, 9)
    others = {k: s for k, s in _states(lines).items() if k[0] is not MeetingKind.COMMITTEE}
    assert DutyState.LATE not in others.values()


def test_group_without_its_meeting_is_late_for_that_group_only(demo_db):
    lines = HomeQueries(demo_db).duties(dt.date(2025, 1, 2))
    assert _line(lines, MeetingKind.GROUP, "第三党小组").state is DutyState.LATE
    assert _line(lines, MeetingKind.GROUP, "第三党小组").missed == Period(Unit.MONTH, 2024, 12)
    assert _line(lines, MeetingKind.GROUP, "第一党小组").state is DutyState.DUE
    assert _line(lines, MeetingKind.GROUP, "第二党小组").state is DutyState.DUE
    # A new year: last year's 组织生活会 and 民主评议 were held, this year's are due.
    assert _line(lines, MeetingKind.LIFE).state is DutyState.DUE
    assert _line(lines, MeetingKind.REVIEW).state is DutyState.DUE


@pytest.mark.parametrize("today", [dt.date(2025, 7, 1), dt.date(2025, 8, 20)])
def test_quarter_without_general_meeting_is_late_until_one_is_held(demo_db, today):
    general = _line(HomeQueries(demo_db).duties(today), MeetingKind.GENERAL)
    assert general.state is DutyState.LATE
    assert general.missed == Period(Unit.QUARTER, 2025, 2)
    assert general.missed.label == "2025年第二季度"


def test_general_meeting_held_in_the_quarter_is_done_even_after_a_late_one(demo_db):
    general = _line(HomeQueries(demo_db).duties(dt.date(2025, 9, 30)), MeetingKind.GENERAL)
    assert general.state is DutyState.DONE and general.held[0][0].month == 9


def test_planned_meetings_never_recorded_leave_the_month_late(demo_db):
    lines = HomeQueries(demo_db).duties(dt.date(2025, 12, 1))
    for name in ("第一党小组", "第二党小组", "第三党小组"):
        assert _line(lines, MeetingKind.GROUP, name).state is DutyState.LATE
    theme = _line(lines, MeetingKind.THEME_DAY)  # December's is planned for the 10th
    assert theme.state is DutyState.DUE and theme.planned[0][0] == dt.date(2025, 12, 10)
    assert _line(lines, MeetingKind.COMMITTEE).state is DutyState.DUE


def test_demo_people_and_figures(demo_db):
    overview = HomeQueries(demo_db).overview(DEMO_TODAY)
    members = {m.id: m for m in MemberRepo(demo_db).list(include_left=False)}
    for birthday in overview.birthdays:
        joined = members[birthday.member_id].join_date
        assert joined.month == 11 and birthday.years == 2025 - joined.year
    expected = sorted(
        m.name
        for m in members.values()
        if m.join_date and m.join_date.month == 11 and m.join_date.year < 2025
    )
    assert sorted(b.name for b in overview.birthdays) == expected
    for probation in overview.probations:
        member = members[probation.member_id]
        assert member.category is Category.PROBATIONARY and member.full_date is None
        assert probation.days_left <= 60
    assert [m.period.code for m in overview.months][-1] == "2025-11"
    assert len(overview.months) == 12
    assert all(m.held > 0 for m in overview.months)
    assert overview.upcoming is not None and overview.upcoming.day >= DEMO_TODAY
    assert overview.calendar.kinds_on(dt.date(2025, 11, 10)) >= {EntryKind.HELD}


# -- pure rules ------------------------------------------------------------------------------------

_ids = iter(range(1, 100_000))


def _m(day, *kinds, group=None, status=MeetingStatus.HELD, counts=(0, 0)):
    return MeetingSummary(
        next(_ids),
        tuple(kinds),
        status,
        day,
        None,
        "",
        "",
        group,
        "",
        "",
        AttendanceCounts(counts[0], counts[1], 0, counts[0] - counts[1]),
    )


def test_a_new_branch_is_not_told_about_periods_before_its_records():
    meetings = [_m(dt.date(2026, 3, 20), MeetingKind.COMMITTEE)]
    lines = duty_lines(
        dt.date(2026, 4, 2),
        meetings,
        requirements=[Requirement(MeetingKind.GENERAL, Unit.QUARTER)],
        member_count=30,
        records_since=dt.date(2026, 3, 20),
    )
    assert lines[0].state is DutyState.DUE
    lines = duty_lines(
        dt.date(2026, 4, 2),
        meetings,
        requirements=[Requirement(MeetingKind.GENERAL, Unit.QUARTER)],
        member_count=30,
        records_since=dt.date(2026, 1, 5),
    )
    assert lines[0].state is DutyState.LATE


def test_rules_that_do_not_apply_give_no_line():
    lines = duty_lines(
        dt.date(2026, 4, 2),
        [],
        requirements=[
            Requirement(MeetingKind.COMMITTEE, Unit.MONTH),
            Requirement(MeetingKind.GROUP, Unit.MONTH),
        ],
        member_count=5,  # no committee under 7 members, and no groups
    )
    assert lines == []


def test_twice_a_month_counts_and_a_held_meeting_in_the_future_is_ignored():
    rule = Requirement(MeetingKind.THEME_DAY, Unit.MONTH, times=2)
    meetings = [
        _m(dt.date(2026, 5, 3), MeetingKind.THEME_DAY),
        _m(dt.date(2026, 5, 28), MeetingKind.THEME_DAY),  # typed as held, but not yet
        _m(dt.date(2026, 4, 9), MeetingKind.THEME_DAY),
    ]
    (line,) = duty_lines(
        dt.date(2026, 5, 10), meetings, requirements=[rule], records_since=dt.date(2026, 1, 1)
    )
    assert line.state is DutyState.LATE and line.missed_held == 1
    assert [d for d, _ in line.held] == [dt.date(2026, 5, 3)]


def test_group_lines_are_per_group_with_their_names():
    groups = [GroupRef(1, "第一党小组"), GroupRef(2, "老干部组")]
    meetings = [_m(dt.date(2026, 5, 6), MeetingKind.GROUP, group=1)]
    lines = duty_lines(
        dt.date(2026, 5, 10),
        meetings,
        requirements=[Requirement(MeetingKind.GROUP, Unit.MONTH)],
        groups=groups,
    )
    assert [(line.label, line.state) for line in lines] == [
        ("第一党小组会", DutyState.DONE),
        ("党小组会（老干部组）", DutyState.DUE),
    ]
    assert lines[1].group_id == 2 and lines[1].suggested_day == dt.date(2026, 5, 10)


def test_suggested_day():
    month = Period(Unit.MONTH, 2026, 5)
    assert suggest_day(month, dt.date(2026, 4, 18), dt.date(2026, 5, 2)) == dt.date(2026, 5, 18)
    assert suggest_day(month, dt.date(2026, 4, 1), dt.date(2026, 5, 2)) == dt.date(2026, 5, 2)
    assert suggest_day(month, None, dt.date(2026, 5, 2)) == dt.date(2026, 5, 2)
    assert suggest_day(month, dt.date(2026, 3, 31), dt.date(2026, 5, 2)) == dt.date(2026, 5, 31)
    quarter = Period(Unit.QUARTER, 2026, 2)
    # Usually in the quarter's last month on the 25th.
    usual = dt.date(2026, 3, 25)
    assert suggest_day(quarter, usual, dt.date(2026, 4, 2)) == dt.date(2026, 6, 25)
    assert suggest_day(quarter, usual, dt.date(2026, 6, 26)) == dt.date(2026, 6, 26)
    february = Period(Unit.MONTH, 2026, 2)
    assert suggest_day(february, dt.date(2026, 1, 31), dt.date(2026, 2, 1)) == dt.date(2026, 2, 28)


def _member(name, *, join=None, full=None, category=Category.FULL, status=MemberStatus.ACTIVE):
    return Member(
        name=name,
        id=abs(hash(name)) % 10_000,
        join_date=join,
        full_date=full,
        category=category,
        status=status,
    )


def test_political_birthdays_this_month_with_years_in_the_party():
    today = dt.date(2026, 7, 14)
    members = [
        _member("张建国", join=PartialDate(1996, 7, 1)),
        _member("李秀英", join=PartialDate(2016, 7)),  # month only
        _member("王磊", join=PartialDate(2026, 7, 3), category=Category.PROBATIONARY),
        _member("赵敏", join=PartialDate(2010, 8, 1)),
        _member("孙强", join=PartialDate(2000, 7, 9), status=MemberStatus.TRANSFERRED_OUT),
        _member("周涛"),
    ]
    found = political_birthdays(members, today)
    assert [(b.name, b.day, b.years) for b in found] == [
        ("张建国", dt.date(2026, 7, 1), 30),
        ("李秀英", None, 10),
    ]


def test_leap_day_birthday_falls_on_28_february():
    (found,) = political_birthdays(
        [_member("钱芳", join=PartialDate(2004, 2, 29))], dt.date(2026, 2, 3)
    )
    assert found.day == dt.date(2026, 2, 28) and found.years == 22


def test_probation_ending_within_60_days_or_passed_without_full_date():
    today = dt.date(2026, 7, 14)
    members = [
        _member("吴静", join=PartialDate(2025, 8, 20), category=Category.PROBATIONARY),
        _member("郑洋", join=PartialDate(2025, 6, 1), category=Category.PROBATIONARY),
        _member("冯丽", join=PartialDate(2025, 12, 1), category=Category.PROBATIONARY),
        _member(
            "陈杰",
            join=PartialDate(2025, 6, 1),
            full=PartialDate(2026, 6, 1),
            category=Category.PROBATIONARY,
        ),
        _member("褚娟", join=PartialDate(2025, 9), category=Category.PROBATIONARY),
        _member("卫明", join=PartialDate(2025, 6, 1)),  # full member
    ]
    found = probation_ends(members, today)
    assert [(p.name, p.ends, p.days_left, p.overdue) for p in found] == [
        ("郑洋", dt.date(2026, 6, 1), -43, True),
        ("吴静", dt.date(2026, 8, 20), 37, False),
        ("褚娟", dt.date(2026, 9, 1), 49, False),
    ]
    assert found[2].month_only


def test_frequent_absences_threshold():
    counts = [AbsenceCount(1, "甲", 2), AbsenceCount(2, "乙", 3), AbsenceCount(3, "丙", 5)]
    assert [c.name for c in frequent_absences(counts)] == ["丙", "乙"]


def test_month_figures_count_each_kind_and_sum_attendance():
    today = dt.date(2026, 5, 20)
    meetings = [
        _m(dt.date(2026, 5, 10), MeetingKind.THEME_DAY, MeetingKind.LECTURE, counts=(30, 27)),
        _m(dt.date(2026, 5, 6), MeetingKind.COMMITTEE, counts=(5, 5)),
        _m(dt.date(2026, 5, 25), MeetingKind.GROUP, status=MeetingStatus.PLANNED),
        _m(dt.date(2025, 5, 25), MeetingKind.GROUP, counts=(10, 9)),  # 13 months back
        _m(dt.date(2025, 6, 2), MeetingKind.GROUP, counts=(10, 8)),
    ]
    figures = month_figures(meetings, today)
    assert [f.period.code for f in figures][0] == "2025-06"
    may = figures[-1]
    assert may.by_kind == {
        MeetingKind.THEME_DAY: 1,
        MeetingKind.LECTURE: 1,
        MeetingKind.COMMITTEE: 1,
    }
    assert (may.expected, may.present) == (35, 32)
    assert figures[0].rate == 0.8
    assert figures[1].rate is None and figures[1].held == 0


def test_calendar_marks_meetings_and_days_of_an_activity():
    from branchdesk.domain.activities import ActivitySummary

    meetings = [
        _m(dt.date(2026, 5, 10), MeetingKind.THEME_DAY),
        _m(dt.date(2026, 5, 20), MeetingKind.GROUP, status=MeetingStatus.PLANNED),
    ]
    activities = [
        ActivitySummary(
            7, "志愿服务", "清扫小区", dt.date(2026, 5, 9), dt.date(2026, 5, 10), "", 3, 6
        )
    ]
    days = calendar_days(meetings, activities)
    assert days.kinds_on(dt.date(2026, 5, 10)) == {EntryKind.HELD, EntryKind.ACTIVITY}
    assert days.kinds_on(dt.date(2026, 5, 9)) == {EntryKind.ACTIVITY}
    assert days.kinds_on(dt.date(2026, 5, 20)) == {EntryKind.PLANNED}
    assert days.entries[dt.date(2026, 5, 9)][0].text == "志愿服务：清扫小区"


# -- absences read from the store --------------------------------------------------------------------


def test_absences_without_makeup_this_year(db):
    group = GroupRepo(db).create("第一党小组")
    repo = MemberRepo(db)
    ids = {
        name: repo.add(Member(name=name, join_date=PartialDate(2000, 1, 1), group_id=group.id))
        for name in ("甲", "乙", "丙")
    }
    repo.set_status(ids["丙"], MemberStatus.TRANSFERRED_OUT, PartialDate(2026, 6, 1))

    def meeting(day, marks, status=MeetingStatus.HELD):
        rows = []
        for name, (state, makeup) in marks.items():
            rows.append(
                Attendance(ids[name], name, state, makeup=Makeup(*makeup) if makeup else Makeup())
            )
        return Meeting(kinds=[MeetingKind.THEME_DAY], day=day, status=status, attendance=rows)

    absent = (AttendanceStatus.ABSENT, None)
    made_up = (AttendanceStatus.ABSENT, (dt.date(2026, 3, 12), "自学"))
    leave = (AttendanceStatus.LEAVE, None)
    MeetingRepo(db).add_many(
        [
            meeting(dt.date(2025, 12, 10), {"甲": absent}),  # last year
            meeting(dt.date(2026, 1, 10), {"甲": absent, "乙": absent, "丙": absent}),
            meeting(dt.date(2026, 2, 10), {"甲": absent, "乙": leave, "丙": absent}),
            meeting(dt.date(2026, 3, 10), {"甲": made_up, "乙": absent, "丙": absent}),
            meeting(dt.date(2026, 4, 10), {"甲": absent, "乙": absent}),
        ]
    )
    counts = HomeQueries(db).absences_without_makeup(dt.date(2026, 1, 1), dt.date(2026, 7, 1))
    assert sorted((c.name, c.absences) for c in counts) == [("乙", 3), ("甲", 3)]
    assert [c.name for c in frequent_absences(counts)] == ["乙", "甲"]
