import datetime as dt

from branchdesk.domain.dates import PartialDate
from branchdesk.domain.meetings import (
    Attendance,
    AttendanceStatus,
    Audience,
    Makeup,
    Meeting,
    MeetingKind,
    MeetingStatus,
    audience_for,
    build_attendance,
    check_meeting,
    count_attendance,
    expected_members,
)
from branchdesk.domain.members import Category, Member, MemberStatus, Role

DAY = dt.date(2025, 6, 10)


def _roster():
    return [
        Member(
            id=1,
            name="书记甲",
            group_id=1,
            roles=[Role.SECRETARY],
            join_date=PartialDate(2000, 1, 1),
        ),
        Member(
            id=2,
            name="委员乙",
            group_id=2,
            roles=[Role.ORGANISATION],
            join_date=PartialDate(2001, 1),
        ),
        Member(id=3, name="党员丙", group_id=1, join_date=PartialDate(2010, 1, 1)),
        Member(
            id=4,
            name="预备丁",
            group_id=2,
            category=Category.PROBATIONARY,
            join_date=PartialDate(2025, 1, 5),
        ),
        Member(
            id=5, name="新人戊", group_id=1, join_date=PartialDate(2025, 7, 1)
        ),  # joins after the day
        Member(
            id=6,
            name="转出己",
            group_id=2,
            join_date=PartialDate(2005, 1, 1),
            status=MemberStatus.TRANSFERRED_OUT,
            status_date=PartialDate(2025, 3, 1),
        ),
        Member(
            id=7,
            name="后转出庚",
            group_id=1,
            join_date=PartialDate(2005, 1, 1),
            status=MemberStatus.TRANSFERRED_OUT,
            status_date=PartialDate(2025, 9, 1),
        ),
        Member(
            id=8,
            name="流动辛",
            group_id=2,
            join_date=PartialDate(2005, 1, 1),
            status=MemberStatus.FLOWING,
        ),
    ]


def _ids(members):
    return [m.id for m in members]


def test_whole_branch_kinds_expect_everyone_in_the_roster_that_day():
    for kind in (
        MeetingKind.GENERAL,
        MeetingKind.LECTURE,
        MeetingKind.THEME_DAY,
        MeetingKind.LIFE,
        MeetingKind.REVIEW,
    ):
        assert _ids(expected_members(_roster(), [kind], DAY)) == [1, 2, 3, 4, 7, 8]


def test_committee_meeting_expects_the_committee():
    assert _ids(expected_members(_roster(), [MeetingKind.COMMITTEE], DAY)) == [1, 2]


def test_group_meeting_expects_the_group():
    assert _ids(expected_members(_roster(), [MeetingKind.GROUP], DAY, group_id=2)) == [2, 4, 8]


def test_a_combined_meeting_expects_its_widest_audience():
    assert audience_for([MeetingKind.THEME_DAY, MeetingKind.LECTURE]) is Audience.BRANCH
    assert audience_for([MeetingKind.COMMITTEE]) is Audience.COMMITTEE
    assert audience_for([MeetingKind.GROUP, MeetingKind.GENERAL]) is Audience.BRANCH


def test_everyone_is_present_unless_marked_and_marks_survive_a_rebuild():
    rows = build_attendance(expected_members(_roster(), [MeetingKind.THEME_DAY], DAY))
    assert {r.status for r in rows} == {AttendanceStatus.PRESENT}
    rows[1].status, rows[1].reason = AttendanceStatus.LEAVE, "出差"
    rebuilt = build_attendance(expected_members(_roster(), [MeetingKind.COMMITTEE], DAY), rows)
    assert [(r.name, r.status) for r in rebuilt] == [
        ("书记甲", AttendanceStatus.PRESENT),
        ("委员乙", AttendanceStatus.LEAVE),
    ]


def test_counts_and_rate():
    rows = [
        Attendance(1, "a"),
        Attendance(2, "b", AttendanceStatus.LEAVE),
        Attendance(3, "c", AttendanceStatus.ABSENT),
        Attendance(4, "d"),
    ]
    counts = count_attendance(rows)
    assert (counts.expected, counts.present, counts.leave, counts.absent) == (4, 2, 1, 1)
    assert counts.rate == 0.5 and counts.rate_text() == "50.0%"
    assert count_attendance([]).rate is None and count_attendance([]).rate_text() == "—"


def test_checks_block_what_cannot_be_right():
    meeting = Meeting(kinds=[MeetingKind.GROUP], day=dt.date(2030, 1, 1))
    meeting.attendance = [Attendance(1, "a", makeup=Makeup(DAY, "自学"))]
    fields = [field for field, _ in check_meeting(meeting, today=DAY)]
    assert fields == ["党小组", "日期", "补学"]
    meeting.status = MeetingStatus.PLANNED
    meeting.group_id = 1
    meeting.attendance = []
    assert check_meeting(meeting, today=DAY) == []
    assert check_meeting(Meeting(kinds=[], day=DAY), today=DAY)[0][0] == "类型"
