"""Activities as JSON, for ``branchdesk activities list/add``.

What ``add`` takes is declared in ``ACTIVITY_SHAPE`` and checked whole before any activity is
built; what ``list --json`` writes is taken back as it is (``id``, ``total_hours`` and the
attachment names are ignored).
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any, TextIO

from sqlite_utils import Database

from branchdesk.domain.activities import (
    MAX_HOURS,
    Activity,
    Participation,
    activity_fields,
    check_activity,
)
from branchdesk.domain.validation import (
    ACTIVITY_KIND_MAX,
    ACTIVITY_TITLE_MAX,
    LONG_TEXT_MAX,
    NAME_MAX,
    NAMES_TEXT_MAX,
    SHORT_TEXT_MAX,
)
from branchdesk.reports.json_input import (
    Builder,
    Field,
    Kind,
    RecordInputError,
    Roster,
    Where,
    record_to_json,
    records_from_json,
    refuse,
    stored_text,
    written_only,
)
from branchdesk.reports.json_output import write_json_array
from branchdesk.store.activities import ActivityFilter, ActivityRepo
from branchdesk.store.members import MemberRepo


class ActivityInputError(RecordInputError):
    """An activity in the input cannot be stored; the message says which and why."""


MAX_PARTICIPANTS = 1_000
_PARTICIPANT: dict[str, Field] = {
    "member_id": Field(Kind.ID),  # wins over name, which list --json writes as it was that day
    "name": Field(Kind.TEXT, limit=NAME_MAX),
    "hours": Field(Kind.HOURS, limit=MAX_HOURS),  # when absent, the activity's hours
}
ACTIVITY_SHAPE: dict[str, Field] = {
    "kind": Field(Kind.TEXT, required=True, limit=ACTIVITY_KIND_MAX),
    "title": Field(Kind.TEXT, required=True, limit=ACTIVITY_TITLE_MAX),
    "date": Field(Kind.DATE, required=True),
    "end_date": Field(Kind.DATE),
    "place": Field(Kind.TEXT, limit=SHORT_TEXT_MAX),
    "organiser": Field(Kind.TEXT, limit=SHORT_TEXT_MAX),
    "description": Field(Kind.TEXT, limit=LONG_TEXT_MAX),
    "guests": Field(Kind.TEXT, limit=NAMES_TEXT_MAX),
    "hours": Field(Kind.HOURS, limit=MAX_HOURS),  # each participant's, unless they have their own
    "participants": Field(Kind.OBJECTS, limit=MAX_PARTICIPANTS, shape=_PARTICIPANT),
    **written_only("id", "total_hours", "attachments"),  # list --json's, not taken back
}
# check_activity's field names, as the JSON calls them.
_JSON_FIELDS = {
    "类型": "kind",
    "名称": "title",
    "日期": "date",
    "结束日期": "end_date",
    "参加人员": "participants",
    "时长": "participants",
}


def activity_to_json(activity: Activity) -> dict[str, Any]:
    fields = {
        **activity_fields(activity),
        "participants": [
            {"member_id": p.member_id, "name": p.name, "hours": p.hours}
            for p in activity.participants
        ],
        "total_hours": activity.total_hours,
    }
    return record_to_json(activity, fields)


def write_activities_json(db: Database, where: ActivityFilter, out: TextIO) -> int:
    """``activities list --json``: the activities ``where`` selects, oldest first, as one JSON
    array written an activity at a time (read from the database in batches); returns how many."""
    return write_json_array(out, map(activity_to_json, ActivityRepo(db).oldest_first(where)))


def _activity(item: dict[str, Any], where: Where, *, roster: Roster, today: dt.date) -> Activity:
    """Build one activity from a shape-checked item, checked as the form checks it.

    A participant without ``hours`` gets the activity's ``hours`` (the same for everyone).
    """
    default_hours = round(item.get("hours") or 0, 2)
    participants = []
    entries = item.get("participants") or []
    for entry, member, _place in roster.each_named(entries, where / "participants"):
        hours = entry.get("hours")
        participants.append(
            Participation(
                member_id=member.id or 0,
                name=member.name,
                hours=default_hours if hours is None else round(hours, 2),
            )
        )
    activity = Activity(
        kind=stored_text(item["kind"]),
        title=stored_text(item["title"]),
        day=dt.date.fromisoformat(item["date"]),
        end_day=dt.date.fromisoformat(item["end_date"]) if item.get("end_date") else None,
        place=stored_text(item.get("place")),
        organiser=stored_text(item.get("organiser")),
        description=stored_text(item.get("description")),
        guests=stored_text(item.get("guests")),
        participants=participants,
    )
    refuse(where, check_activity(activity, today=today), _JSON_FIELDS)
    return activity


def activities_from_json(
    db: Database, data: Any, *, today: dt.date | None = None
) -> list[Activity]:
    """Check and build every activity described (one object or a list), writing nothing.

    Participants are named by ``member_id`` or by a ``name`` only one member has. Raises
    ``ActivityInputError`` naming every problem found, with its activity and field.
    """
    today = today or dt.date.today()

    def builder() -> Builder[Activity]:
        return partial(_activity, roster=Roster(MemberRepo(db).list()), today=today)

    return records_from_json(
        data, ACTIVITY_SHAPE, noun="活动", today=today, error=ActivityInputError, builder=builder
    )
