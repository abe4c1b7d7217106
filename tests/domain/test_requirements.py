import datetime as dt

import pytest

from branchdesk.domain.meetings import AttendanceCounts, MeetingKind, MeetingStatus, MeetingSummary
from branchdesk.domain.requirements import (
    DEFAULT_REQUIREMENTS,
    GroupRef,
    Period,
    Requirement,
    Status,
    Unit,
    assess,
    last_completed_month,
)

_NONE = AttendanceCounts(0, 0, 0, 0)


_ids = iter(range(1, 10_000))


def _m(day, *kinds, group=None, status=MeetingStatus.HELD):
    return MeetingSummary(next(_ids), tuple(kinds), status, day, None, "", "", group, "", "", _NONE)


def test_periods():
    assert Period.parse("2026-10") == Period(Unit.MONTH, 2026, 10)
    assert Period.parse("2026-q3").label == "2026年第三季度"
    assert Period.parse("2026").end == dt.date(2026, 12, 31)
    assert Period.parse("2024-02").end == dt.date(2024, 2, 29)
    assert Period.parse("2026-Q4").start == dt.date(2026, 10, 1)
    assert [p.code for p in Period.parse("2026-Q2").units(Unit.MONTH)] == [
        "2026-04",
        "2026-05",
        "2026-06",
    ]
    assert last_completed_month(dt.date(2026, 1, 25)) == Period(Unit.MONTH, 2025, 12)
    for bad in ("2026-13", "26-01", "2026Q5", ""):
        with pytest.raises(ValueError):
            Period.parse(bad)


def _status(lines, kind, group=None):
    return next(line for line in lines if line.kind is kind and line.group_id == group)


def test_a_month_assesses_monthly_rules_and_defers_quarterly_ones():
    meetings = [
        _m(dt.date(2026, 10, 5), MeetingKind.COMMITTEE),
        _m(dt.date(2026, 10, 10), MeetingKind.THEME_DAY, MeetingKind.LECTURE),
        _m(dt.date(2026, 10, 15), MeetingKind.GROUP, group=1),
        _m(dt.date(2026, 10, 20), MeetingKind.THEME_DAY, status=MeetingStatus.PLANNED),
    ]
    lines = assess(
        Period.parse("2026-10"),
        meetings,
        groups=[GroupRef(1, "一组"), GroupRef(2, "二组")],
        member_count=30,
    )
    assert _status(lines, MeetingKind.COMMITTEE).status is Status.MET
    theme = _status(lines, MeetingKind.THEME_DAY)
    assert (theme.required, theme.held, theme.status) == (1, 1, Status.MET)
    assert _status(lines, MeetingKind.GROUP, 1).status is Status.MET
    assert _status(lines, MeetingKind.GROUP, 2).status is Status.NOT_MET
    lecture = _status(lines, MeetingKind.LECTURE)
    assert (lecture.required, lecture.held, lecture.status) == (0, 1, Status.NOT_ASSESSED)
    assert _status(lines, MeetingKind.LIFE).status is Status.NOT_ASSESSED


def test_the_quarters_last_month_assesses_the_whole_quarter():
    meetings = [_m(dt.date(2026, 11, 10), MeetingKind.LECTURE)]
    lines = assess(Period.parse("2026-12"), meetings, member_count=30)
    lecture = _status(lines, MeetingKind.LECTURE)
    assert (lecture.required, lecture.held, lecture.status) == (1, 1, Status.MET)
    assert lecture.scope == Period.parse("2026-Q4")
    general = _status(lines, MeetingKind.GENERAL)
    assert (general.required, general.held, general.status) == (1, 0, Status.NOT_MET)


def test_a_quarter_needs_every_month():
    meetings = [
        _m(dt.date(2026, 7, 3), MeetingKind.COMMITTEE),
        _m(dt.date(2026, 7, 20), MeetingKind.COMMITTEE),
        _m(dt.date(2026, 9, 3), MeetingKind.COMMITTEE),
    ]
    committee = _status(
        assess(Period.parse("2026-Q3"), meetings, member_count=30), MeetingKind.COMMITTEE
    )
    assert (committee.required, committee.held, committee.status) == (3, 3, Status.NOT_MET)
    assert "2026年8月" in committee.note


def test_small_branch_has_no_committee_rule_and_custom_rules_apply():
    lines = assess(Period.parse("2026-10"), [], member_count=5)
    assert _status(lines, MeetingKind.COMMITTEE).status is Status.NOT_ASSESSED
    stricter = [Requirement(MeetingKind.LECTURE, Unit.MONTH, 2)]
    lines = assess(
        Period.parse("2026-10"),
        [_m(dt.date(2026, 10, 1), MeetingKind.LECTURE)],
        requirements=stricter,
        member_count=30,
    )
    assert [(a.required, a.held, a.status) for a in lines] == [(2, 1, Status.NOT_MET)]


def test_year_assesses_everything():
    lines = assess(
        Period.parse("2026"),
        [_m(dt.date(2026, 12, 28), MeetingKind.LIFE, MeetingKind.GENERAL)],
        member_count=30,
    )
    life = _status(lines, MeetingKind.LIFE)
    assert (life.required, life.held, life.status) == (1, 1, Status.MET)
    general = _status(lines, MeetingKind.GENERAL)
    assert (general.required, general.held, general.status) == (4, 1, Status.NOT_MET)
    assert len(lines) == len(DEFAULT_REQUIREMENTS)
