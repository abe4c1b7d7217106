"""Member activities (党员活动): volunteer service, community reporting, study, pairing help ...

Glossary: 志愿服务 volunteer service; 社区报到 reporting to one's residential community;
结对帮扶 pairing help for a family in difficulty; 服务时长 hours of service.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from branchdesk.domain.meetings import Attachment
from branchdesk.domain.records import with_repeats

DEFAULT_ACTIVITY_KINDS = ("志愿服务", "社区报到", "学习教育", "结对帮扶", "其他")
MAX_HOURS = 24 * 31  # hours one person can give to one activity, even a month-long one


@dataclass
class Participation:
    member_id: int
    name: str  # as it was on the day, like attendance
    hours: float = 0.0


@dataclass
class Activity:
    kind: str
    title: str
    day: dt.date
    id: int | None = None
    end_day: dt.date | None = None  # for an activity over several days
    place: str = ""
    organiser: str = ""
    description: str = ""
    participants: list[Participation] = field(default_factory=list)
    guests: str = ""  # people outside the roster, free text
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def total_hours(self) -> float:
        return round(sum(p.hours for p in self.participants), 2)


@dataclass(frozen=True)
class ActivitySummary:
    id: int
    kind: str
    title: str
    day: dt.date
    end_day: dt.date | None
    place: str
    participants: int
    hours: float


@dataclass(frozen=True)
class ActivityTotals:
    """活动 N 次, 参与 M 人次, 合计 H 小时."""

    activities: int
    participations: int
    hours: float


def total(summaries: Iterable[ActivitySummary]) -> ActivityTotals:
    rows = list(summaries)
    return ActivityTotals(
        activities=len(rows),
        participations=sum(r.participants for r in rows),
        hours=round(sum(r.hours for r in rows), 2),
    )


def format_hours(hours: float) -> str:
    """``2`` for whole hours, ``1.5`` otherwise: how people write them."""
    return f"{hours:g}"


def activity_fields(activity: Activity) -> dict[str, Any]:
    """The activity's own fields, by the names its table and its JSON give them."""
    return {
        "kind": activity.kind,
        "title": activity.title,
        "date": activity.day.isoformat(),
        "end_date": activity.end_day.isoformat() if activity.end_day else None,
        "place": activity.place,
        "organiser": activity.organiser,
        "description": activity.description,
        "guests": activity.guests,
    }


def check_activity(activity: Activity, *, today: dt.date | None = None) -> list[tuple[str, str]]:
    """Return (field, message) problems that block saving an activity."""
    today = today or dt.date.today()
    problems: list[tuple[str, str]] = []
    if not activity.kind.strip():
        problems.append(("类型", "请选择活动类型"))
    if not activity.title.strip():
        problems.append(("名称", "请填写活动名称"))
    if activity.day > today:
        problems.append(("日期", "活动日期不能晚于今天"))
    if activity.end_day and activity.end_day < activity.day:
        problems.append(("结束日期", "结束日期不能早于开始日期"))
    for person, repeated in with_repeats(activity.participants):
        if repeated:
            problems.append(("参加人员", f"{person.name} 重复出现"))
        if person.hours < 0 or person.hours > MAX_HOURS:
            problems.append(
                ("时长", f"{person.name} 的时长 {format_hours(person.hours)} 小时不合理")
            )
    return problems
