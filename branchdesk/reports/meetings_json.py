"""Meetings as JSON, for ``branchdesk meetings list/add`` and for other tools that feed BranchDesk.

What ``add`` takes is declared in ``MEETING_SHAPE`` and checked whole before any meeting is
built; what ``list --json`` writes is taken back as it is (its counts, ids and attachment
names are ignored: attendance is rebuilt from the roster and files are not in the JSON).
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any, TextIO

from sqlite_utils import Database

from branchdesk.domain.meeting_rules import Quorum, quorum_of, vote_problems, vote_results
from branchdesk.domain.meetings import (
    Attendance,
    AttendanceStatus,
    Makeup,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Vote,
    build_attendance,
    check_meeting,
    expected_members,
)
from branchdesk.domain.validation import (
    GROUP_NAME_MAX,
    LONG_TEXT_MAX,
    NAME_MAX,
    NAMES_TEXT_MAX,
    NOTE_MAX,
    SHORT_TEXT_MAX,
    TOPICS_MAX,
    normalize_text,
)
from branchdesk.reports.json_input import (
    Builder,
    Field,
    Kind,
    RecordInputError,
    Refused,
    Roster,
    Where,
    record_to_json,
    records_from_json,
    refuse,
    stored_text,
    written_only,
)
from branchdesk.reports.json_output import write_json_array
from branchdesk.store.meetings import MeetingFilter, MeetingRepo
from branchdesk.store.members import GroupRepo, MemberRepo
from branchdesk.store.rule_queries import RuleQueries


class MeetingInputError(RecordInputError):
    """A meeting in the input cannot be stored; the message says which one and why."""


_KIND_NAMES = tuple(
    dict.fromkeys(
        name for kind in MeetingKind for name in (kind.value, kind.label, kind.short_label)
    )
)
_KIND_CODES = "、".join(kind.value for kind in MeetingKind) + "，或中文名称（如 主题党日）"
_STATUS_NAMES = tuple(name for s in AttendanceStatus for name in (s.value, s.label))
_PERSON: dict[str, Field] = {
    "member_id": Field(Kind.ID),
    "name": Field(Kind.TEXT, limit=NAME_MAX),
}
_MAKEUP: dict[str, Field] = {
    "date": Field(Kind.DATE),
    "how": Field(Kind.TEXT, limit=NOTE_MAX),
}
_ATTENDANCE: dict[str, Field] = {
    "member_id": Field(Kind.ID),  # wins over name, which list --json writes as it was that day
    "name": Field(Kind.TEXT, limit=NAME_MAX),
    "status": Field(
        Kind.CHOICE,
        choices=_STATUS_NAMES,
        what="出勤情况",
        example="present、leave、absent，或 出席、请假、缺席",
    ),
    "reason": Field(Kind.TEXT, limit=NOTE_MAX),
    "makeup": Field(Kind.OBJECT, shape=_MAKEUP),
}
MAX_ATTENDANCE = 1_000
MAX_VOTES = 50
_VOTE: dict[str, Field] = {
    "resolution": Field(Kind.TEXT, required=True, limit=SHORT_TEXT_MAX),
    "in_favour": Field(Kind.COUNT, limit=MAX_ATTENDANCE),
    "against": Field(Kind.COUNT, limit=MAX_ATTENDANCE),
    "abstain": Field(Kind.COUNT, limit=MAX_ATTENDANCE),
    "passed": Field(Kind.IGNORED),  # written by list --json, worked out again
}
MEETING_SHAPE: dict[str, Field] = {
    "kinds": Field(
        Kind.CHOICES, limit=len(MeetingKind), choices=_KIND_NAMES, what="会议类型", example=_KIND_CODES
    ),
    "kind": Field(Kind.CHOICE, choices=_KIND_NAMES, what="会议类型", example=_KIND_CODES),  # one
    "status": Field(
        Kind.CHOICE,
        choices=tuple(s.value for s in MeetingStatus),
        what="会议状态",
        example="planned（计划）、held（已召开）",
    ),
    "date": Field(Kind.DATE, required=True),
    "start": Field(Kind.TIME),
    "end": Field(Kind.TIME),
    "place": Field(Kind.TEXT, limit=SHORT_TEXT_MAX),
    "title": Field(Kind.TEXT, limit=SHORT_TEXT_MAX),
    "host": Field(Kind.PERSON, limit=NAME_MAX, shape=_PERSON),
    "recorder": Field(Kind.PERSON, limit=NAME_MAX, shape=_PERSON),
    "lecturer": Field(Kind.PERSON, limit=NAME_MAX, shape=_PERSON),
    "lecture_title": Field(Kind.TEXT, limit=SHORT_TEXT_MAX),
    "group": Field(Kind.TEXT, limit=GROUP_NAME_MAX),
    "topics": Field(Kind.TEXTS, limit=TOPICS_MAX, item_limit=SHORT_TEXT_MAX),
    "minutes": Field(Kind.TEXT, limit=LONG_TEXT_MAX),
    "resolutions": Field(Kind.TEXT, limit=LONG_TEXT_MAX),
    "nonvoting": Field(Kind.TEXT, limit=NAMES_TEXT_MAX),
    "attendance": Field(Kind.OBJECTS, limit=MAX_ATTENDANCE, shape=_ATTENDANCE),
    "votes": Field(Kind.OBJECTS, limit=MAX_VOTES, shape=_VOTE),
    **written_only(
        "id", "expected", "present", "leave", "absent", "attendance_rate", "attachments",
        "quorum",
    ),
}
# check_meeting's field names, as the JSON calls them.
_JSON_FIELDS = {
    "类型": "kinds",
    "党小组": "group",
    "日期": "date",
    "时间": "end",
    "出勤": "attendance",
    "补学": "attendance",
    "表决": "votes",
}


def meeting_to_json(meeting: Meeting, quorum: Quorum | None = None) -> dict[str, Any]:
    """The JSON of ``list --json``; ``quorum`` (when the meeting is held to one) adds whether
    it was valid and each vote's outcome."""
    counts = meeting.counts
    results = {id(r.vote): r.passed for r in vote_results(meeting, quorum)}
    fields = {
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
        "quorum": (
            None
            if quorum is None or meeting.status is MeetingStatus.PLANNED
            else {"due": quorum.due, "present": quorum.present, "valid": quorum.valid}
        ),
        "votes": [
            {
                "resolution": vote.resolution,
                "in_favour": vote.in_favour,
                "against": vote.against,
                "abstain": vote.abstain,
                "passed": results.get(id(vote)),
            }
            for vote in meeting.votes
        ],
    }
    return record_to_json(meeting, fields)


def write_meetings_json(db: Database, where: MeetingFilter, out: TextIO) -> int:
    """``meetings list --json``: the meetings ``where`` selects, oldest first, as one JSON
    array written a meeting at a time (read from the database in batches); returns how many."""
    members, rules = MemberRepo(db).list(), RuleQueries(db)
    meetings = MeetingRepo(db).oldest_first(where)
    return write_json_array(out, (meeting_to_json(m, rules.quorum(m, members)) for m in meetings))


def _time(value: Any) -> dt.time | None:
    return dt.time.fromisoformat(value) if value else None


def _kinds(item: dict[str, Any], where: Where) -> list[MeetingKind]:
    if item.get("kinds") is not None and item.get("kind") is not None:
        raise Refused(where.says("kinds 和 kind 只能写一个（kind 是只有一个类型时的旧写法）"))
    names = item.get("kinds") if item.get("kinds") is not None else item.get("kind")
    if names is None:
        raise Refused((where / "kinds").says('缺少会议类型，如 ["theme_day"]'))
    if isinstance(names, str):
        names = [names]
    return [MeetingKind.from_label(name) for name in names]


def _meeting(
    item: dict[str, Any],
    where: Where,
    *,
    roster: Roster,
    groups: GroupRepo,
    today: dt.date,
) -> Meeting:
    """Build one meeting from a shape-checked item, checked as the form checks it."""
    group_id = None
    group_name = ""
    if item.get("group"):
        group = groups.by_name(normalize_text(item["group"]))
        if group is None:
            raise Refused((where / "group").says(f"党小组“{item['group']}”不存在"))
        group_id, group_name = group.id, group.name
    topics = item.get("topics") or []
    if isinstance(topics, str):
        topics = [topics]
    meeting = Meeting(
        kinds=_kinds(item, where),
        day=dt.date.fromisoformat(item["date"]),
        status=MeetingStatus(item.get("status") or "held"),
        start=_time(item.get("start")),
        end=_time(item.get("end")),
        place=stored_text(item.get("place")),
        title=stored_text(item.get("title")),
        host=roster.person(item.get("host"), where / "host"),
        recorder=roster.person(item.get("recorder"), where / "recorder"),
        lecturer=roster.person(item.get("lecturer"), where / "lecturer"),
        lecture_title=stored_text(item.get("lecture_title")),
        group_id=group_id,
        group_name=group_name,
        topics=[stored_text(t) for t in topics if t.strip()],
        minutes=stored_text(item.get("minutes")),
        resolutions=stored_text(item.get("resolutions")),
        nonvoting=stored_text(item.get("nonvoting")),
    )
    expected = expected_members(roster.members, meeting.kinds, meeting.day, meeting.group_id)
    rows = build_attendance(expected)
    by_member = {row.member_id: row for row in rows}
    entries = item.get("attendance") or []
    for entry, member, place in roster.each_named(entries, where / "attendance"):
        row = by_member.get(member.id or 0)
        if row is None:
            raise Refused(place.says(f"{member.name} 不是这次会议的应到人员"))
        _apply_entry(row, entry)
    meeting.attendance = rows
    meeting.votes = [
        Vote(
            stored_text(v["resolution"]),
            v.get("in_favour") or 0,
            v.get("against") or 0,
            v.get("abstain") or 0,
        )
        for v in item.get("votes") or []
    ]
    by_id = {m.id: m for m in roster.members if m.id is not None}
    size = sum(m.in_roster_on(meeting.day) for m in roster.members)
    quorum = quorum_of(meeting, by_id, branch_size=size)
    refuse(
        where,
        check_meeting(meeting, today=today) + vote_problems(meeting, quorum),
        _JSON_FIELDS,
    )
    return meeting


def _apply_entry(row: Attendance, entry: dict[str, Any]) -> None:
    row.status = AttendanceStatus.from_label(entry.get("status") or "present")
    row.reason = stored_text(entry.get("reason"))
    makeup = entry.get("makeup")
    if makeup and (makeup.get("date") or makeup.get("how")):
        day = dt.date.fromisoformat(makeup["date"]) if makeup.get("date") else None
        row.makeup = Makeup(day, stored_text(makeup.get("how")))


def meetings_from_json(db: Database, data: Any, *, today: dt.date | None = None) -> list[Meeting]:
    """Check and build every meeting described (one object or a list), writing nothing.

    ``attendance`` lists exceptions only; every other expected member is present. Raises
    ``MeetingInputError`` naming every problem found, with its meeting and field.
    """
    today = today or dt.date.today()

    def builder() -> Builder[Meeting]:
        roster, groups = Roster(MemberRepo(db).list()), GroupRepo(db)
        return partial(_meeting, roster=roster, groups=groups, today=today)

    return records_from_json(
        data, MEETING_SHAPE, noun="会议", today=today, error=MeetingInputError, builder=builder
    )
