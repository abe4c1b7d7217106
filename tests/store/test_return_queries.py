"""The per-period tallies a return reads agree with the records they count."""

import datetime as dt

from branchdesk.domain.activities import Activity, Participation
from branchdesk.domain.meetings import (
    AttendanceStatus,
    Makeup,
    Meeting,
    MeetingKind,
    MeetingStatus,
    build_attendance,
    expected_members,
)
from branchdesk.domain.members import Member
from branchdesk.store.activities import ActivityFilter, ActivityRepo
from branchdesk.store.meetings import MeetingRepo
from branchdesk.store.members import MemberRepo
from branchdesk.store.return_queries import AttendanceTally, ParticipationTally, ReturnQueries

JANUARY = (dt.date(2026, 1, 1), dt.date(2026, 1, 31))


def _people(db):
    repo = MemberRepo(db)
    return [repo.add(Member(name=name)) for name in ("张三", "李四", "王五")]


def _meeting(db, day, kinds=(MeetingKind.THEME_DAY,), status=MeetingStatus.HELD):
    meeting = Meeting(kinds=list(kinds), day=day, status=status)
    meeting.attendance = build_attendance(
        expected_members(MemberRepo(db).list(), [MeetingKind.THEME_DAY], day, None)
    )
    return meeting


def test_attendance_tallies_count_held_meetings_of_the_period_only(db):
    zhang, li, wang = _people(db)
    repo = MeetingRepo(db)
    first = _meeting(db, dt.date(2026, 1, 10))
    first.attendance[1].status, first.attendance[1].reason = AttendanceStatus.LEAVE, "出差"
    first.attendance[1].makeup = Makeup(None, "自学")
    first.attendance[2].status = AttendanceStatus.ABSENT
    first_id = repo.add(first)
    second = _meeting(db, dt.date(2026, 1, 20), kinds=[MeetingKind.COMMITTEE])
    second.attendance[2].status = AttendanceStatus.ABSENT
    second.attendance[2].makeup = Makeup(dt.date(2026, 1, 25), "")
    repo.add(second)
    repo.add(_meeting(db, dt.date(2026, 1, 30), status=MeetingStatus.PLANNED))
    repo.add(_meeting(db, dt.date(2026, 2, 1)))

    missed, tallies = ReturnQueries(db).attendance(*JANUARY)
    assert tallies == {
        zhang: AttendanceTally(2, 2, 0, 0, 0),
        li: AttendanceTally(2, 1, 1, 0, 1),
        wang: AttendanceTally(2, 0, 0, 2, 1),
    }
    assert [(r.name, r.status, r.reason) for r in missed[first_id]] == [
        ("李四", AttendanceStatus.LEAVE, "出差"),
        ("王五", AttendanceStatus.ABSENT, ""),
    ]
    assert len(missed) == 2  # the planned and the February meetings are not in it


def test_an_activity_spanning_the_period_start_counts_as_the_list_shows_it(db):
    zhang, li, wang = _people(db)
    repo = ActivityRepo(db)
    spanning = repo.add(
        Activity(
            kind="志愿服务",
            title="跨年值守",
            day=dt.date(2025, 12, 30),
            end_day=dt.date(2026, 1, 2),
            participants=[Participation(li, "李四", 6), Participation(zhang, "张三", 4.5)],
        )
    )
    inside = repo.add(
        Activity(
            kind="学习",
            title="读书会",
            day=dt.date(2026, 1, 15),
            participants=[Participation(zhang, "张三", 1.25)],
        )
    )
    repo.add(  # December only
        Activity(
            kind="学习",
            title="十二月",
            day=dt.date(2025, 12, 5),
            participants=[Participation(wang, "王五", 2)],
        )
    )
    names, by_member = ReturnQueries(db).participation(*JANUARY)
    listed = {a.id for a in repo.summaries(ActivityFilter(*JANUARY))}
    assert set(names) == listed == {spanning, inside}
    assert names[spanning] == ["李四", "张三"]  # list order
    assert by_member == {
        zhang: ParticipationTally(2, 5.75),
        li: ParticipationTally(1, 6.0),
    }
