"""延长预备期, long leave and votes through the one write path; the six-month facts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from branchdesk import ops
from branchdesk.domain.dates import PartialDate
from branchdesk.domain.home import probation_ends
from branchdesk.domain.meetings import (
    Attendance,
    AttendanceStatus,
    Makeup,
    Meeting,
    MeetingKind,
    Vote,
)
from branchdesk.domain.member_rules import life_gaps
from branchdesk.domain.members import Category, Member, MemberStatus
from branchdesk.ops import Changes, Session
from branchdesk.store.db import DB_FILENAME, open_database
from branchdesk.store.history import HistoryRepo
from branchdesk.store.lock import DataFolderLock
from branchdesk.store.meetings import MeetingRepo
from branchdesk.store.members import MemberRepo
from branchdesk.store.rule_queries import RuleQueries


@pytest.fixture
def session(data_dir: Path):
    open_database(data_dir / DB_FILENAME).close()
    lock = DataFolderLock(data_dir)
    lock.acquire()
    opened = Session.open(data_dir, lock=lock)
    yield opened
    opened.close()


def _probationary(session) -> int:
    member = Member(
        name="李预备", category=Category.PROBATIONARY, join_date=PartialDate(2025, 6, 1)
    )
    return ops.add_member(session, member).value


def test_extending_probation_moves_转正_due_and_is_refused_a_second_time(session):
    member_id = _probationary(session)
    today = dt.date(2026, 6, 10)
    repo = MemberRepo(session.db)
    (before,) = probation_ends(repo.list(), today)
    assert before.overdue  # a year from 2025-06-01 has passed
    result = ops.extend_probation(
        session, member_id, dt.date(2026, 5, 28), 6, "理论学习不够", today=today
    )
    assert result.changes == Changes.of("members", "history")
    stored = repo.get(member_id)
    assert stored.probation_extension.months == 6
    assert probation_ends(repo.list(), today) == []
    assert probation_ends(repo.list(), dt.date(2026, 11, 1))[0].ends == dt.date(2026, 12, 1)
    with pytest.raises(ValueError, match="预备期只能延长一次"):
        ops.extend_probation(session, member_id, dt.date(2026, 6, 1), 6, "再次", today=today)
    assert repo.get(member_id).probation_extension == stored.probation_extension
    # The history keeps it, and putting the member back as before removes it.
    change = HistoryRepo(session.db).for_record("member", member_id)[0]
    ops.restore_from_history(session, change.id)
    assert repo.get(member_id).probation_extension is None


@pytest.mark.parametrize("months", [3, 18])
def test_an_extension_outside_six_to_twelve_months_is_refused(session, months):
    member_id = _probationary(session)
    with pytest.raises(ValueError, match="延长期限应为 6 到 12 个月"):
        ops.extend_probation(
            session, member_id, dt.date(2026, 5, 28), months, "原因", today=dt.date(2026, 6, 1)
        )
    assert MemberRepo(session.db).get(member_id).probation_extension is None


def _meeting(day, rows, kind=MeetingKind.GENERAL) -> Meeting:
    return Meeting(kinds=[kind], day=day, attendance=rows)


def test_votes_are_stored_with_the_meeting(session):
    member_id = ops.add_member(session, Member(name="王正式")).value
    meeting = _meeting(
        dt.date(2026, 5, 10),
        [Attendance(member_id, "王正式", category="full")],
    )
    meeting.votes = [Vote("接收张三为预备党员", 1, 0, 0)]
    meeting_id = ops.add_meeting(session, meeting).value
    stored = MeetingRepo(session.db).get(meeting_id)
    assert stored.votes == [Vote("接收张三为预备党员", 1, 0, 0)]
    stored.votes = []
    ops.update_meeting(session, stored)
    assert MeetingRepo(session.db).get(meeting_id).votes == []
    quorum = RuleQueries(session.db).quorum(stored)
    assert (quorum.due, quorum.present, quorum.valid) == (1, 1, True)


def test_six_month_facts_count_make_up_study_and_leave(session):
    quiet = ops.add_member(session, Member(name="赵流动", status=MemberStatus.FLOWING)).value
    studied = ops.add_member(session, Member(name="钱补学")).value
    away = ops.add_member(session, Member(name="孙请假")).value
    names = {quiet: "赵流动", studied: "钱补学", away: "孙请假"}

    def rows(present=(), makeups=None):
        makeups = makeups or {}
        return [
            Attendance(
                member_id,
                name,
                AttendanceStatus.PRESENT if member_id in present else AttendanceStatus.ABSENT,
                makeup=makeups.get(member_id, Makeup()),
            )
            for member_id, name in names.items()
        ]

    ops.add_meeting(session, _meeting(dt.date(2026, 9, 10), rows(present=names), MeetingKind.THEME_DAY))
    ops.add_meeting(
        session,
        _meeting(
            dt.date(2026, 10, 10),
            rows(makeups={studied: Makeup(dt.date(2026, 12, 20), "观看录像")}),
            MeetingKind.THEME_DAY,
        ),
    )
    ops.add_meeting(session, _meeting(dt.date(2027, 1, 10), rows(), MeetingKind.THEME_DAY))
    ops.set_long_leave(session, away, dt.date(2026, 10, 1), dt.date(2027, 6, 30), "因病住院")
    today = dt.date(2027, 1, 15)
    facts = RuleQueries(session.db).life_facts(today)
    assert facts[studied].last_life == dt.date(2026, 12, 20)
    gaps = life_gaps(MemberRepo(session.db).list(), facts, today)
    # Only the flowing member, four months since 10 September; the one who made up in
    # December and the one on leave are not flagged.
    assert [(g.name, g.months, g.six_months_on, g.flowing) for g in gaps] == [
        ("赵流动", 4, dt.date(2027, 3, 10), True)
    ]
    with pytest.raises(ValueError, match="结束日期不能早于开始日期"):
        ops.set_long_leave(session, away, dt.date(2026, 10, 1), dt.date(2026, 9, 1), "x")
    ops.clear_long_leave(session, away)
    assert MemberRepo(session.db).get(away).long_leave is None


def test_a_gap_longer_than_a_year_is_counted_whole(session):
    member_id = ops.add_member(session, Member(name="周久缺")).value
    present = Attendance(member_id, "周久缺")
    ops.add_meeting(session, _meeting(dt.date(2024, 3, 5), [present], MeetingKind.THEME_DAY))
    for month in range(4, 13):
        absent = Attendance(member_id, "周久缺", AttendanceStatus.ABSENT)
        ops.add_meeting(session, _meeting(dt.date(2025, month, 5), [absent], MeetingKind.THEME_DAY))
    today = dt.date(2026, 3, 20)
    facts = RuleQueries(session.db).life_facts(today)
    (gap,) = life_gaps(MemberRepo(session.db).list(), facts, today)
    assert (gap.since, gap.months, gap.attended_before) == (dt.date(2024, 3, 5), 24, True)
