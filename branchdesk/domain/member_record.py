"""A member's year on one page (党员档案): meetings expected at, attendance, 补学, activities."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from branchdesk.domain.activities import format_hours
from branchdesk.domain.meetings import AttendanceStatus, Makeup
from branchdesk.domain.member_rules import LifeGap
from branchdesk.domain.members import Member


@dataclass(frozen=True)
class MeetingLine:
    meeting_id: int
    day: dt.date
    kind_label: str
    title: str
    status: AttendanceStatus
    reason: str = ""
    makeup: Makeup = field(default_factory=Makeup)


@dataclass(frozen=True)
class ActivityLine:
    activity_id: int
    day: dt.date
    kind: str
    title: str
    hours: float


@dataclass(frozen=True)
class MemberYear:
    member: Member
    year: int
    meetings: list[MeetingLine]
    activities: list[ActivityLine]
    # As of today, whatever the year shown: months without organisational life (the count
    # 工作台 shows from three on), or None when nothing was missed since the last.
    life_gap: LifeGap | None = None

    @property
    def expected(self) -> int:
        """应参加: held meetings the member was expected at."""
        return len(self.meetings)

    @property
    def present(self) -> int:
        return sum(m.status is AttendanceStatus.PRESENT for m in self.meetings)

    @property
    def leave(self) -> int:
        return sum(m.status is AttendanceStatus.LEAVE for m in self.meetings)

    @property
    def absent(self) -> int:
        return sum(m.status is AttendanceStatus.ABSENT for m in self.meetings)

    @property
    def made_up(self) -> int:
        return sum(
            bool(m.makeup) for m in self.meetings if m.status is not AttendanceStatus.PRESENT
        )

    @property
    def rate(self) -> float | None:
        """参与率 = 实参加 / 应参加."""
        return self.present / self.expected if self.expected else None

    def rate_text(self) -> str:
        return "—" if self.rate is None else f"{self.rate * 100:.1f}%"

    @property
    def activity_count(self) -> int:
        return len(self.activities)

    @property
    def hours(self) -> float:
        return round(sum(a.hours for a in self.activities), 2)

    def hours_text(self) -> str:
        return format_hours(self.hours)
