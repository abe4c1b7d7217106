"""Pure rules the meeting and activity editors apply (no Qt): which kind a multi-kind
meeting is filed under, the next usual day, the copies made for 计划下次 and 复制, and
pasted minutes tidied into paragraphs."""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import re

from branchdesk.domain.activities import Activity
from branchdesk.domain.meetings import Meeting, MeetingStatus


def tidy_paragraphs(text: str) -> str:
    """Plain text with one paragraph per line, as pasted minutes should be kept."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2029", "\n").replace("\u2028", "\n").replace("\xa0", " ")
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(lines).strip("\n")
    return re.sub(r"\n{3,}", "\n\n", text)


def next_usual_day(usual: dt.date | None, today: dt.date) -> dt.date:
    """The next date from ``today`` on the day of the month the last such meeting was held."""
    if usual is None:
        return today
    year, month = today.year, today.month
    for _ in range(2):
        last = calendar.monthrange(year, month)[1]
        candidate = dt.date(year, month, min(usual.day, last))
        if candidate >= today:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return today


def planned_copy(meeting: Meeting, day: dt.date) -> Meeting:
    """A new planned meeting like ``meeting``: same kinds, people and topics; nothing recorded."""
    return dataclasses.replace(
        meeting,
        id=None,
        day=day,
        status=MeetingStatus.PLANNED,
        topics=list(meeting.topics),
        minutes="",
        resolutions="",
        attendance=[],
        attachments=[],
    )


def activity_for_duplicate(activity: Activity, today: dt.date) -> Activity:
    """复制: the same activity dated today (a range keeps its length), without attachments."""
    end_day = None
    if activity.end_day is not None:
        end_day = today + (activity.end_day - activity.day)
    return dataclasses.replace(
        activity,
        id=None,
        day=today,
        end_day=end_day,
        participants=[dataclasses.replace(p) for p in activity.participants],
        attachments=[],
    )
