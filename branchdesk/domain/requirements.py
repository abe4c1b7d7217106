"""How often each kind of meeting must be held, and whether a period met it.

Defaults follow the 中国共产党支部工作条例（试行）: 支部党员大会 once a quarter, 支委会
monthly, 党小组会 monthly per group, 党课 once a quarter (the usual local floor), 主题党日
monthly, 组织生活会 and 民主评议党员 once a year. A branch may require more.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import enum
import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import overload

from branchdesk.domain.meeting_kinds import Audience, all_kinds
from branchdesk.domain.meetings import MeetingKind, MeetingStatus, MeetingSummary

COMMITTEE_MINIMUM_MEMBERS = 7  # fewer members: no committee, so no 支委会 rule


class Unit(str, enum.Enum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"

    @property
    def label(self) -> str:
        return {"month": "每月", "quarter": "每季度", "year": "每年"}[self.value]

    @property
    def months(self) -> int:
        return {"month": 1, "quarter": 3, "year": 12}[self.value]


_QUARTER_NAMES = "一二三四"


@dataclass(frozen=True, order=True)
class Period:
    """A month, a quarter or a year: what a return covers."""

    unit: Unit
    year: int
    number: int = 1  # month 1-12, quarter 1-4, or 1 for a year

    @functools.cached_property
    def start(self) -> dt.date:
        month = {Unit.MONTH: self.number, Unit.QUARTER: self.number * 3 - 2, Unit.YEAR: 1}[
            self.unit
        ]
        return dt.date(self.year, month, 1)

    @functools.cached_property
    def end(self) -> dt.date:
        last_month = self.start.month + self.unit.months - 1
        return dt.date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])

    @property
    def label(self) -> str:
        if self.unit is Unit.MONTH:
            return f"{self.year}年{self.number}月"
        if self.unit is Unit.QUARTER:
            return f"{self.year}年第{_QUARTER_NAMES[self.number - 1]}季度"
        return f"{self.year}年度"

    @property
    def code(self) -> str:
        """``2026-10``, ``2026-Q3`` or ``2026``: what commands and files use."""
        if self.unit is Unit.MONTH:
            return f"{self.year:04d}-{self.number:02d}"
        if self.unit is Unit.QUARTER:
            return f"{self.year:04d}-Q{self.number}"
        return f"{self.year:04d}"

    @classmethod
    def parse(cls, code: str) -> Period:
        text = code.strip().upper()
        if match := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
            month = int(match.group(2))
            if 1 <= month <= 12:
                return cls(Unit.MONTH, int(match.group(1)), month)
        elif match := re.fullmatch(r"(\d{4})-?Q([1-4])", text):
            return cls(Unit.QUARTER, int(match.group(1)), int(match.group(2)))
        elif re.fullmatch(r"\d{4}", text):
            return cls(Unit.YEAR, int(text))
        raise ValueError(f"无法识别的期间“{code}”，应为 2026-10、2026-Q3 或 2026")

    @classmethod
    def containing(cls, unit: Unit, day: dt.date) -> Period:
        if unit is Unit.MONTH:
            return cls(unit, day.year, day.month)
        if unit is Unit.QUARTER:
            return cls(unit, day.year, (day.month - 1) // 3 + 1)
        return cls(unit, day.year)

    def previous(self) -> Period:
        return Period.containing(self.unit, self.start - dt.timedelta(days=1))

    def next(self) -> Period:
        return Period.containing(self.unit, self.end + dt.timedelta(days=1))

    def units(self, unit: Unit) -> list[Period]:
        """The periods of ``unit`` that make up this one (months of a quarter, ...)."""
        found = []
        current = Period.containing(unit, self.start)
        while current.start <= self.end:
            found.append(current)
            current = current.next()
        return found

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def last_completed_month(today: dt.date) -> Period:
    return Period.containing(Unit.MONTH, today).previous()


@dataclass(frozen=True)
class Requirement:
    """``kind`` must be held at least ``times`` per ``unit`` (per group for 党小组会)."""

    kind: MeetingKind
    unit: Unit
    times: int = 1

    @property
    def per_group(self) -> bool:
        return self.kind.spec.group

    def describe(self) -> str:
        suffix = "（每个党小组）" if self.per_group else ""
        return f"{self.unit.label}至少 {self.times} 次{suffix}"


def default_requirements() -> list[Requirement]:
    """The rules a new branch starts with: each kind's default from its spec."""
    return [
        Requirement(kind, Unit(kind.spec.default_unit), kind.spec.default_times)
        for kind in all_kinds()
        if kind.spec.default_unit is not None
    ]


class _DefaultRequirements(Sequence[Requirement]):
    """``default_requirements()`` as a constant-looking sequence that follows the registry."""

    @overload
    def __getitem__(self, index: int) -> Requirement: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Requirement]: ...
    def __getitem__(self, index: int | slice) -> Requirement | Sequence[Requirement]:
        return default_requirements()[index]

    def __len__(self) -> int:
        return len(default_requirements())

    def __iter__(self) -> Iterator[Requirement]:
        return iter(default_requirements())


DEFAULT_REQUIREMENTS: Sequence[Requirement] = _DefaultRequirements()


class Status(str, enum.Enum):
    MET = "达标"
    NOT_MET = "未达标"
    NOT_ASSESSED = "本期不考核"


@dataclass(frozen=True)
class Assessment:
    """One line of a return: a kind (and group) with what was required and held."""

    kind: MeetingKind
    requirement: Requirement | None
    required: int
    held: int
    status: Status
    group_id: int | None = None
    group_name: str = ""
    scope: Period | None = None  # the period the figures cover, when wider than the return's
    dates: tuple[dt.date, ...] = ()
    note: str = ""

    @property
    def label(self) -> str:
        return f"{self.kind.label}（{self.group_name}）" if self.group_name else self.kind.label


@dataclass(frozen=True)
class GroupRef:
    """A group as a return sees it: required only while it exists (``start``..``end``)."""

    id: int
    name: str
    start: dt.date | None = None
    end: dt.date | None = None

    def overlaps(self, period: Period) -> bool:
        if self.start is not None and self.end is not None and self.end < self.start:
            return False  # ended on the day it began: it never existed
        return (self.start is None or self.start <= period.end) and (
            self.end is None or self.end >= period.start
        )

    def covers(self, period: Period) -> bool:
        """Whether the group existed for the whole period: only then is it required."""
        return (self.start is None or self.start <= period.start) and (
            self.end is None or self.end >= period.end
        )

    def absence_note(self) -> str:
        """Why a period is not assessed for this group: it began or ended within it."""
        parts = []
        if self.start is not None:
            parts.append(f"{self.start.month}月{self.start.day}日建立")
        if self.end is not None:
            parts.append(f"{self.end.month}月{self.end.day}日撤销")
        return "本期" + "、".join(parts) if parts else ""


class HeldDays:
    """Days of held meetings by kind, and by kind and group, sorted once for many periods."""

    def __init__(self, meetings: Iterable[MeetingSummary]) -> None:
        self._days: dict[tuple[MeetingKind, int | None], list[dt.date]] = {}
        for m in meetings:
            if m.status is MeetingStatus.HELD:
                for kind in m.kinds:
                    self._days.setdefault((kind, None), []).append(m.day)
                    if m.group_id is not None:
                        self._days.setdefault((kind, m.group_id), []).append(m.day)
        for days in self._days.values():
            days.sort()

    def __call__(
        self, kind: MeetingKind, period: Period, group_id: int | None = None
    ) -> list[dt.date]:
        days = self._days.get((kind, group_id), [])
        return days[bisect.bisect_left(days, period.start) : bisect.bisect_right(days, period.end)]


def assess(
    period: Period,
    meetings: Iterable[MeetingSummary] | HeldDays,
    *,
    requirements: Iterable[Requirement] = DEFAULT_REQUIREMENTS,
    groups: Iterable[GroupRef] = (),
    member_count: int = 0,
) -> list[Assessment]:
    """Say, per required kind (and group), what ``period`` required, held and its status.

    A rule over a unit no longer than the period must be met in every unit (every month of
    a quarter). A rule over a longer unit is assessed in the unit's last month, over the
    whole unit to date; in other months it is 本期不考核. A branch under 7 members has no
    committee, so the 支委会 rule does not apply to it.
    """
    held = meetings if isinstance(meetings, HeldDays) else HeldDays(meetings)
    # A group counts in the periods it existed in, and is required only in whole units of
    # them: a group formed on 2 December is not required in November nor in December.
    groups = [g for g in groups if g.overlaps(period)]
    lines: list[Assessment] = []
    for requirement in requirements:
        targets: list[GroupRef | None] = list(groups) if requirement.per_group else [None]
        if requirement.per_group and not groups:
            lines.append(
                Assessment(
                    requirement.kind, requirement, 0, 0, Status.NOT_ASSESSED, note="未建立党小组"
                )
            )
        for group in targets:
            group_id = group.id if group else None
            group_name = group.name if group else ""
            if (
                requirement.kind.spec.audience is Audience.COMMITTEE
                and member_count < COMMITTEE_MINIMUM_MEMBERS
            ):
                lines.append(
                    Assessment(
                        requirement.kind,
                        requirement,
                        0,
                        len(held(requirement.kind, period)),
                        Status.NOT_ASSESSED,
                        note="党员不足 7 人，不设支委会",
                    )
                )
                continue
            if group is not None and not group.covers(
                period
                if requirement.unit.months <= period.unit.months
                else Period.containing(requirement.unit, period.start)
            ):
                covered = [u for u in period.units(requirement.unit) if group.covers(u)]
                if not covered or requirement.unit.months > period.unit.months:
                    lines.append(
                        Assessment(
                            requirement.kind,
                            requirement,
                            0,
                            len(held(requirement.kind, period, group_id)),
                            Status.NOT_ASSESSED,
                            group_id,
                            group_name,
                            None,
                            tuple(held(requirement.kind, period, group_id)),
                            note=group.absence_note(),
                        )
                    )
                    continue
            else:
                covered = None
            if requirement.unit.months <= period.unit.months:
                units = covered if covered is not None else period.units(requirement.unit)
                per_unit = [held(requirement.kind, u, group_id) for u in units]
                dates = tuple(d for days in per_unit for d in days)
                met = all(len(days) >= requirement.times for days in per_unit)
                short = [
                    u.label
                    for u, days in zip(units, per_unit, strict=True)
                    if len(days) < requirement.times
                ]
                lines.append(
                    Assessment(
                        requirement.kind,
                        requirement,
                        requirement.times * len(units),
                        len(dates),
                        Status.MET if met else Status.NOT_MET,
                        group_id,
                        group_name,
                        None,
                        dates,
                        note="" if met or len(units) == 1 else "缺：" + "、".join(short),
                    )
                )
                continue
            whole = Period.containing(requirement.unit, period.start)
            if period.end == whole.end:
                dates = tuple(held(requirement.kind, whole, group_id))
                met = len(dates) >= requirement.times
                lines.append(
                    Assessment(
                        requirement.kind,
                        requirement,
                        requirement.times,
                        len(dates),
                        Status.MET if met else Status.NOT_MET,
                        group_id,
                        group_name,
                        whole,
                        dates,
                        note=f"按{whole.label}累计",
                    )
                )
            else:
                dates = tuple(held(requirement.kind, period, group_id))
                lines.append(
                    Assessment(
                        requirement.kind,
                        requirement,
                        0,
                        len(dates),
                        Status.NOT_ASSESSED,
                        group_id,
                        group_name,
                        None,
                        dates,
                        note=f"{requirement.unit.label}考核，于{whole.label}末统计",
                    )
                )
    return lines


# -- plans (计划): meetings not yet held ---------------------------------------------------------


def plan_period(kind: MeetingKind, day: dt.date, requirements: Iterable[Requirement]) -> Period:
    """The period a plan of ``kind`` is for: its rule's month, quarter or year (else a month)."""
    unit = next((r.unit for r in requirements if r.kind is kind), Unit.MONTH)
    return Period.containing(unit, day)


def plan_to_record(
    meetings: Iterable[MeetingSummary],
    kind: MeetingKind,
    group_id: int | None,
    day: dt.date,
    requirements: Iterable[Requirement] = DEFAULT_REQUIREMENTS,
) -> MeetingSummary | None:
    """The plan that a meeting of ``kind`` (and group) held on ``day`` carries out, if any.

    A planned meeting of the same kind, of the same group for a group's kind, in the same
    period (the month, quarter or year of the kind's rule); the one nearest ``day`` first.
    """
    period = plan_period(kind, day, requirements)
    plans = [
        m
        for m in meetings
        if m.status is MeetingStatus.PLANNED
        and kind in m.kinds
        and (not kind.spec.group or m.group_id == group_id)
        and period.contains(m.day)
    ]
    return min(plans, key=lambda m: (abs((m.day - day).days), m.id), default=None)


def expired_plans(meetings: Iterable[MeetingSummary], today: dt.date) -> list[MeetingSummary]:
    """Planned meetings whose day has passed: to be recorded as held, or cancelled; oldest first."""
    past = [m for m in meetings if m.status is MeetingStatus.PLANNED and m.day < today]
    return sorted(past, key=lambda m: (m.day, m.start or dt.time.min, m.id))
