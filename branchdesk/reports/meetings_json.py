"""Meetings as JSON, for ``branchdesk meetings list/add`` and for other tools that feed BranchDesk."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlite_utils import Database

from branchdesk.domain.meetings import (
    Attendance,
    AttendanceStatus,
    Makeup,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Person,
    build_attendance,
    check_meeting,
    expected_members,
)
from branchdesk.domain.members import Member
from branchdesk.domain.validation import normalize_name, normalize_text
from branchdesk.store.meetings import MeetingRepo
from branchdesk.store.members import GroupRepo, MemberRepo


class MeetingInputError(ValueError):
    """A meeting in the input cannot be stored; the message says which one and why."""


def meeting_to_json(meeting: Meeting) -> dict[str, Any]:
    counts = meeting.counts
    return {
        "id": meeting.id,
        "kinds": [kind.value for kind in meeting.kinds],
        "status": meeting.status.value,
        "date": meeting.day.isoformat(),
        "start": meeting.start.strftime("%H:%M") if meeting.start else None,
        "end": meeting.end.strftime("%H:%M") if meeting.end else None,
        "place": meeting.place,
        "title": meeting.title,
        "host": meeting.host.name or None,
        "recorder": meeting.recorder.name or None,
        "lecturer": meeting.lecturer.name or None,
        "lecture_title": meeting.lecture_title or None,
        "group": meeting.group_name or None,
        "topics": list(meeting.topics),
        "minutes": meeting.minutes,
        "resolutions": meeting.resolutions,
        "nonvoting": meeting.nonvoting,
        "expected": counts.expected,
        "present": counts.present,
        "leave": counts.leave,
        "absent": counts.absent,
        "attendance_rate": None if counts.rate is None else round(counts.rate, 4),
        "attendance": [
            {
                "member_id": row.member_id,
                "name": row.name,
                "status": row.status.value,
                "reason": row.reason,
                "makeup": (
                    {
                        "date": row.makeup.day.isoformat() if row.makeup.day else None,
                        "how": row.makeup.how,
                    }
                    if row.makeup
                    else None
                ),
            }
            for row in meeting.attendance
        ],
        "attachments": [a.filename for a in meeting.attachments],
    }


def _text(item: dict[str, Any], key: str) -> str:
    value = item.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise MeetingInputError(f"“{key}”应为文字")
    return normalize_text(value)


def _date(value: Any, label: str) -> dt.date:
    if not isinstance(value, str):
        raise MeetingInputError(f"“{label}”应为 YYYY-MM-DD 格式的日期")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise MeetingInputError(f"“{label}”的日期“{value}”无效，应为 YYYY-MM-DD") from None


def _time(value: Any, label: str) -> dt.time | None:
    if value in (None, ""):
        return None
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError:
        raise MeetingInputError(f"“{label}”的时间“{value}”无效，应为 HH:MM") from None


class _Roster:
    def __init__(self, members: list[Member]) -> None:
        self.members = members
        self.by_id = {m.id: m for m in members}
        self.by_name: dict[str, list[Member]] = {}
        for member in members:
            self.by_name.setdefault(member.name, []).append(member)

    def person(self, value: Any, label: str) -> Person:
        if value in (None, ""):
            return Person()
        if isinstance(value, dict):
            member_id = value.get("member_id")
            if member_id is not None:
                return Person(self._member(member_id, label).name, member_id)
            value = value.get("name", "")
        name = normalize_name(str(value))
        same = self.by_name.get(name, [])
        if len(same) == 1:
            return Person(name, same[0].id)
        return Person(name)  # a guest, or a name shared by two members: kept as typed

    def _member(self, member_id: Any, label: str) -> Member:
        member = self.by_id.get(member_id)
        if member is None:
            raise MeetingInputError(f"{label}：党员编号 {member_id} 不在花名册中")
        return member

    def attendee(self, entry: dict[str, Any]) -> Member:
        if entry.get("member_id") is not None:
            return self._member(entry["member_id"], "出勤")
        name = normalize_name(str(entry.get("name", "")))
        same = self.by_name.get(name, [])
        if len(same) != 1:
            problem = "不在花名册中" if not same else "有重名，请改用 member_id"
            raise MeetingInputError(f"出勤：“{name}”{problem}")
        return same[0]


def meeting_from_json(
    db: Database, item: Any, *, today: dt.date | None = None, roster: _Roster | None = None
) -> Meeting:
    """Build a meeting from its JSON description, checked as the form checks it.

    ``attendance`` lists exceptions only; every other expected member is present.
    """
    if not isinstance(item, dict):
        raise MeetingInputError("每个会议应为一个 JSON 对象")
    roster = roster or _Roster(MemberRepo(db).list())
    raw_kinds = item.get("kinds") or ([item["kind"]] if item.get("kind") else [])
    if not isinstance(raw_kinds, list) or not raw_kinds:
        raise MeetingInputError('“kinds”应为会议类型代码的列表，如 ["theme_day"]')
    try:
        kinds = [
            MeetingKind(k)
            if k in {m.value for m in MeetingKind}
            else MeetingKind.from_label(str(k))
            for k in raw_kinds
        ]
    except ValueError as exc:
        raise MeetingInputError(str(exc)) from None
    try:
        status = MeetingStatus(item.get("status", "held"))
    except ValueError:
        raise MeetingInputError(
            f"“status”应为 planned 或 held，而不是“{item.get('status')}”"
        ) from None
    group_id = None
    group_name = ""
    if item.get("group"):
        group = GroupRepo(db).by_name(normalize_text(str(item["group"])))
        if group is None:
            raise MeetingInputError(f"党小组“{item['group']}”不存在")
        group_id, group_name = group.id, group.name
    topics = item.get("topics") or []
    if isinstance(topics, str):
        topics = [topics]
    meeting = Meeting(
        kinds=kinds,
        day=_date(item.get("date"), "date"),
        status=status,
        start=_time(item.get("start"), "start"),
        end=_time(item.get("end"), "end"),
        place=_text(item, "place"),
        title=_text(item, "title"),
        host=roster.person(item.get("host"), "host"),
        recorder=roster.person(item.get("recorder"), "recorder"),
        lecturer=roster.person(item.get("lecturer"), "lecturer"),
        lecture_title=_text(item, "lecture_title"),
        group_id=group_id,
        group_name=group_name,
        topics=[normalize_text(str(t)) for t in topics if str(t).strip()],
        minutes=str(item.get("minutes") or "").replace("\r\n", "\n").strip(),
        resolutions=str(item.get("resolutions") or "").replace("\r\n", "\n").strip(),
        nonvoting=_text(item, "nonvoting"),
    )
    expected = expected_members(roster.members, meeting.kinds, meeting.day, meeting.group_id)
    rows = build_attendance(expected)
    by_member = {row.member_id: row for row in rows}
    for entry in item.get("attendance") or []:
        if not isinstance(entry, dict):
            raise MeetingInputError("attendance 中的每一项应为 JSON 对象")
        member = roster.attendee(entry)
        row = by_member.get(member.id or 0)
        if row is None:
            raise MeetingInputError(f"出勤：{member.name} 不是这次会议的应到人员")
        _apply_entry(row, entry)
    meeting.attendance = rows
    problems = check_meeting(meeting, today=today)
    if problems:
        raise MeetingInputError("；".join(f"{field}：{message}" for field, message in problems))
    return meeting


def _apply_entry(row: Attendance, entry: dict[str, Any]) -> None:
    try:
        row.status = AttendanceStatus.from_label(str(entry.get("status", "present")))
    except ValueError as exc:
        raise MeetingInputError(f"出勤：{row.name}：{exc}") from None
    row.reason = normalize_text(str(entry.get("reason") or ""))
    makeup = entry.get("makeup")
    if isinstance(makeup, dict) and (makeup.get("date") or makeup.get("how")):
        day = _date(makeup["date"], f"{row.name} 的补学日期") if makeup.get("date") else None
        row.makeup = Makeup(day, normalize_text(str(makeup.get("how") or "")))


def add_meetings_from_json(db: Database, data: Any, *, today: dt.date | None = None) -> list[int]:
    """Add every meeting described, or none: the first problem stops everything."""
    items = data if isinstance(data, list) else [data]
    roster = _Roster(MemberRepo(db).list())
    meetings = []
    for index, item in enumerate(items, start=1):
        try:
            meetings.append(meeting_from_json(db, item, today=today, roster=roster))
        except MeetingInputError as exc:
            raise MeetingInputError(f"第 {index} 个会议：{exc}") from None
    return MeetingRepo(db).add_many(meetings)
