"""Records as plain JSON-able dicts for the change history, and back again."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import json
from typing import Any

from branchdesk.domain.activities import Activity, Participation
from branchdesk.domain.dates import PartialDate
from branchdesk.domain.meetings import (
    Attachment,
    Attendance,
    AttendanceStatus,
    Makeup,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Person,
    Vote,
)
from branchdesk.domain.members import (
    Category,
    Gender,
    GroupSpell,
    JoinHow,
    LongLeave,
    Member,
    MemberStatus,
    ProbationExtension,
    Role,
    RoleTerm,
)

_SCALARS = (str, int, float, bool, type(None))


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):  # before the scalars: the codes are str subclasses
        return value.value
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, PartialDate):
        return value.iso()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: _plain(getattr(value, name)) for name in _field_names(type(value))}
    return value


def to_json(record: Member | Meeting | Activity) -> str:
    return json.dumps(_plain(record), ensure_ascii=False, sort_keys=True)


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _time(text: str | None) -> dt.time | None:
    return dt.time.fromisoformat(text) if text else None


def member_from_json(text: str) -> Member:
    d = json.loads(text)
    return Member(
        id=d["id"],
        name=d["name"],
        gender=Gender(d["gender"]) if d["gender"] else None,
        ethnicity=d["ethnicity"],
        birth_date=PartialDate.from_iso(d["birth_date"]),
        id_number=d["id_number"],
        education=d["education"],
        join_date=PartialDate.from_iso(d["join_date"]),
        full_date=PartialDate.from_iso(d["full_date"]),
        category=Category(d["category"]),
        group_id=d["group_id"],
        group_name=d["group_name"],
        phone=d["phone"],
        workplace=d["workplace"],
        status=MemberStatus(d["status"]),
        status_date=PartialDate.from_iso(d["status_date"]),
        branch_join_date=PartialDate.from_iso(d["branch_join_date"]),
        notes=d["notes"],
        roles=[Role(r) for r in d["roles"]],
        sort_order=d["sort_order"],
        # snapshots from before 0008_effective_dates have none of these
        branch_join_how=JoinHow(d["branch_join_how"]) if d.get("branch_join_how") else None,
        group_spells=[
            GroupSpell(
                s["group_id"], s["group_name"], _date(s["start"]), _date(s["end"]),
                s.get("group_order", 0),
            )  # fmt: skip
            for s in d.get("group_spells") or []
        ],
        role_terms=[
            RoleTerm(Role(t["role"]), _date(t["start"]), _date(t["end"]))
            for t in d.get("role_terms") or []
        ],
        # Snapshots written before 0009 have neither.
        probation_extension=_extension(d.get("probation_extension")),
        long_leave=_leave(d.get("long_leave")),
    )


def _extension(d: dict[str, Any] | None) -> ProbationExtension | None:
    if not d:
        return None
    return ProbationExtension(dt.date.fromisoformat(d["decided_on"]), d["months"], d["reason"])


def _leave(d: dict[str, Any] | None) -> LongLeave | None:
    if not d:
        return None
    return LongLeave(dt.date.fromisoformat(d["start"]), dt.date.fromisoformat(d["end"]), d["reason"])


def _person(d: dict[str, Any]) -> Person:
    return Person(d["name"], d["member_id"])


def _attachment(d: dict[str, Any]) -> Attachment:
    return Attachment(d["id"], d["filename"], d["stored_name"], d["added_at"])


def meeting_from_json(text: str) -> Meeting:
    d = json.loads(text)
    return Meeting(
        id=d["id"],
        kinds=[MeetingKind(k) for k in d["kinds"]],
        day=dt.date.fromisoformat(d["day"]),
        status=MeetingStatus(d["status"]),
        start=_time(d["start"]),
        end=_time(d["end"]),
        place=d["place"],
        title=d["title"],
        host=_person(d["host"]),
        recorder=_person(d["recorder"]),
        lecturer=_person(d["lecturer"]),
        lecture_title=d["lecture_title"],
        group_id=d["group_id"],
        group_name=d["group_name"],
        topics=list(d["topics"]),
        minutes=d["minutes"],
        resolutions=d["resolutions"],
        nonvoting=d["nonvoting"],
        attendance=[
            Attendance(
                member_id=a["member_id"],
                name=a["name"],
                status=AttendanceStatus(a["status"]),
                reason=a["reason"],
                makeup=Makeup(_date(a["makeup"]["day"]), a["makeup"]["how"]),
                group_name=a["group_name"],
                category=a["category"],
            )
            for a in d["attendance"]
        ],
        attachments=[_attachment(a) for a in d["attachments"]],
        votes=[
            Vote(v["resolution"], v["in_favour"], v["against"], v["abstain"])
            for v in d.get("votes") or []  # none before 0009
        ],
    )


def activity_from_json(text: str) -> Activity:
    d = json.loads(text)
    return Activity(
        id=d["id"],
        kind=d["kind"],
        title=d["title"],
        day=dt.date.fromisoformat(d["day"]),
        end_day=_date(d["end_day"]),
        place=d["place"],
        organiser=d["organiser"],
        description=d["description"],
        participants=[Participation(p["member_id"], p["name"], p["hours"]) for p in d["participants"]],
        guests=d["guests"],
        attachments=[_attachment(a) for a in d["attachments"]],
    )
