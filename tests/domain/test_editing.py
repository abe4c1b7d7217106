"""The editors' pure rules: filing kind, next usual day, copies, pasted paragraphs."""

from __future__ import annotations

import datetime as dt

import pytest

from branchdesk.domain.activities import Activity, Participation
from branchdesk.domain.editing import (
    activity_for_duplicate,
    next_usual_day,
    planned_copy,
    tidy_paragraphs,
)
from branchdesk.domain.meeting_kinds import primary_kind
from branchdesk.domain.meetings import (
    Attachment,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
)

TODAY = dt.date(2025, 6, 18)


def test_duplicate_is_dated_today_without_attachments() -> None:
    original = Activity(
        kind="志愿服务",
        title="防汛巡查值守",
        day=dt.date(2025, 5, 1),
        end_day=dt.date(2025, 5, 3),
        id=7,
        participants=[Participation(1, "甲", 4)],
        attachments=[Attachment(1, "照片.jpg", "x.jpg")],
    )
    copy = activity_for_duplicate(original, TODAY)
    assert (copy.id, copy.day, copy.end_day, copy.attachments) == (
        None,
        TODAY,
        dt.date(2025, 6, 20),
        [],
    )
    assert copy.participants == original.participants
    assert copy.participants[0] is not original.participants[0]
    assert original.attachments and original.id == 7


def test_one_day_activity_stays_one_day() -> None:
    original = Activity(kind="其他", title="学习", day=dt.date(2025, 5, 1))
    assert activity_for_duplicate(original, TODAY).end_day is None


@pytest.mark.parametrize(
    ("kinds", "filed"),
    [
        ([MeetingKind.LECTURE, MeetingKind.GENERAL], MeetingKind.GENERAL),
        ([MeetingKind.GROUP, MeetingKind.THEME_DAY], MeetingKind.THEME_DAY),
        ([MeetingKind.OTHER], MeetingKind.OTHER),
        ([], MeetingKind.THEME_DAY),
    ],
)
def test_primary_kind(kinds, filed) -> None:
    assert primary_kind(kinds) is filed


@pytest.mark.parametrize(
    ("usual", "today", "expected"),
    [
        (None, TODAY, TODAY),
        (dt.date(2025, 3, 25), TODAY, dt.date(2025, 6, 25)),
        (dt.date(2025, 3, 18), TODAY, TODAY),
        (dt.date(2025, 3, 5), TODAY, dt.date(2025, 7, 5)),
        (dt.date(2025, 1, 31), dt.date(2025, 2, 10), dt.date(2025, 2, 28)),
        (dt.date(2025, 1, 5), dt.date(2025, 12, 20), dt.date(2026, 1, 5)),
    ],
)
def test_next_usual_day(usual, today, expected) -> None:
    assert next_usual_day(usual, today) == expected


def test_planned_copy_keeps_people_and_topics_drops_the_record() -> None:
    held = Meeting(
        kinds=[MeetingKind.GENERAL],
        day=dt.date(2025, 5, 20),
        title="学习贯彻",
        id=3,
        status=MeetingStatus.HELD,
        topics=["一", "二"],
        minutes="记录",
        resolutions="决议",
        attendance=[Attendance(1, "甲", AttendanceStatus.PRESENT)],
        attachments=[Attachment(1, "照片.jpg", "x.jpg")],
    )
    plan = planned_copy(held, TODAY)
    assert (plan.id, plan.day, plan.status) == (None, TODAY, MeetingStatus.PLANNED)
    assert (plan.minutes, plan.resolutions, plan.attendance, plan.attachments) == ("", "", [], [])
    assert (plan.kinds, plan.title, plan.topics) == (held.kinds, "学习贯彻", ["一", "二"])
    plan.topics.append("三")
    assert held.topics == ["一", "二"] and held.id == 3


def test_tidy_paragraphs() -> None:
    pasted = "\r\n第一段  \r\n\u2029\u2029\n\n第二段\xa0尾\u2028第三段\n\n"
    assert tidy_paragraphs(pasted) == "第一段\n\n第二段 尾\n第三段"
