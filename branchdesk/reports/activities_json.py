"""Activities as JSON, for ``branchdesk activities list/add``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlite_utils import Database

from branchdesk.domain.activities import Activity, Participation, check_activity
from branchdesk.domain.validation import normalize_name, normalize_text
from branchdesk.reports.meetings_json import MeetingInputError
from branchdesk.store.activities import ActivityRepo
from branchdesk.store.members import MemberRepo


class ActivityInputError(MeetingInputError):
    """An activity in the input cannot be stored; the message says which and why."""


def activity_to_json(activity: Activity) -> dict[str, Any]:
    return {
        "id": activity.id,
        "kind": activity.kind,
        "title": activity.title,
        "date": activity.day.isoformat(),
        "end_date": activity.end_day.isoformat() if activity.end_day else None,
        "place": activity.place,
        "organiser": activity.organiser,
        "description": activity.description,
        "guests": activity.guests,
        "participants": [
            {"member_id": p.member_id, "name": p.name, "hours": p.hours}
            for p in activity.participants
        ],
        "total_hours": activity.total_hours,
        "attachments": [a.filename for a in activity.attachments],
    }


def _date(value: Any, label: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ActivityInputError(f"“{label}”的日期“{value}”无效，应为 YYYY-MM-DD") from None


def _hours(value: Any, name: str) -> float:
    try:
        hours = float(value)
    except (TypeError, ValueError):
        raise ActivityInputError(f"{name} 的时长“{value}”不是数字") from None
    return round(hours, 2)


def activity_from_json(db: Database, item: Any, *, today: dt.date | None = None) -> Activity:
    """Build an activity from JSON; participants by ``member_id`` or an unambiguous ``name``.

    A participant without ``hours`` gets the activity's ``hours`` (the same for everyone).
    """
    if not isinstance(item, dict):
        raise ActivityInputError("每个活动应为一个 JSON 对象")
    members = MemberRepo(db).list()
    by_id = {m.id: m for m in members}
    by_name: dict[str, list[int]] = {}
    for member in members:
        by_name.setdefault(member.name, []).append(member.id or 0)
    if "date" not in item:
        raise ActivityInputError("缺少“date”")
    default_hours = _hours(item.get("hours", 0), "活动")
    participants = []
    for entry in item.get("participants") or []:
        if not isinstance(entry, dict):
            raise ActivityInputError("participants 中的每一项应为 JSON 对象")
        member_id = entry.get("member_id")
        if member_id is None:
            name = normalize_name(str(entry.get("name", "")))
            ids = by_name.get(name, [])
            if len(ids) != 1:
                problem = "不在花名册中" if not ids else "有重名，请改用 member_id"
                raise ActivityInputError(f"参加人员“{name}”{problem}")
            member_id = ids[0]
        member = by_id.get(member_id)
        if member is None:
            raise ActivityInputError(f"参加人员：党员编号 {member_id} 不在花名册中")
        hours = _hours(entry["hours"], member.name) if "hours" in entry else default_hours
        participants.append(Participation(member_id=member_id, name=member.name, hours=hours))
    activity = Activity(
        kind=normalize_text(str(item.get("kind") or "")),
        title=normalize_text(str(item.get("title") or "")),
        day=_date(item["date"], "date"),
        end_day=_date(item["end_date"], "end_date") if item.get("end_date") else None,
        place=normalize_text(str(item.get("place") or "")),
        organiser=normalize_text(str(item.get("organiser") or "")),
        description=str(item.get("description") or "").replace("\r\n", "\n").strip(),
        guests=normalize_text(str(item.get("guests") or "")),
        participants=participants,
    )
    problems = check_activity(activity, today=today)
    if problems:
        raise ActivityInputError("；".join(f"{field}：{message}" for field, message in problems))
    return activity


def add_activities_from_json(db: Database, data: Any, *, today: dt.date | None = None) -> list[int]:
    """Add every activity described, or none."""
    items = data if isinstance(data, list) else [data]
    activities = []
    for index, item in enumerate(items, start=1):
        try:
            activities.append(activity_from_json(db, item, today=today))
        except ActivityInputError as exc:
            raise ActivityInputError(f"第 {index} 个活动：{exc}") from None
    return ActivityRepo(db).add_many(activities)
