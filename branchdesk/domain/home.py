"""What the home page (工作台) says: required meetings done, due or late, and people to mind.

Built on the requirement rules of ``requirements.assess``: for each rule, the period of its
own unit that holds today is either done or still due, and the period before it may have
ended without the meeting (late). People: political birthdays (入党纪念日, the anniversary
of joining) this month, 预备党员 whose one-year probation ends soon or has passed without a
转正 date (a recorded 延长预备期 moves it), members absent three or more times this year
without make-up study (补学), and members three months or more without organisational life
(``member_rules.life_gaps``, 党章第九条's six months ahead).
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from branchdesk.domain.activities import ActivitySummary
from branchdesk.domain.dates import add_years
from branchdesk.domain.dues import Arrears
from branchdesk.domain.meetings import MeetingKind, MeetingStatus, MeetingSummary
from branchdesk.domain.member_rules import LifeGap, probation_due
from branchdesk.domain.members import Category, Member
from branchdesk.domain.requirements import (
    DEFAULT_REQUIREMENTS,
    GroupRef,
    HeldDays,
    Period,
    Requirement,
    Status,
    Unit,
    assess,
)

PROBATION_WARNING_DAYS = 60  # 转正 needs a 支委会 and a 支部大会: show it two months ahead
ABSENCE_THRESHOLD = 3
CHART_MONTHS = 12


class DutyState(str, enum.Enum):
    DONE = "done"  # the current period has what the rule asks
    DUE = "due"  # not yet, and the period before was fine
    LATE = "late"  # not yet, and the period before ended without it


@dataclass(frozen=True)
class DutyLine:
    """One required kind (and group for 党小组会) in the current period of its rule's unit."""

    requirement: Requirement
    state: DutyState
    period: Period  # the current month, quarter or year
    held: tuple[tuple[dt.date, int], ...]  # (day, meeting id) held in ``period``, oldest first
    planned: tuple[tuple[dt.date, int], ...]  # planned in ``period``, soonest first
    days_left: int  # days after today until the period ends (0: today is the last day)
    suggested_day: dt.date  # for a new planned meeting
    group_id: int | None = None
    group_name: str = ""
    missed: Period | None = None  # the previous period, when it ended without the meeting
    missed_held: int = 0  # how many it had (fewer than required)
    makeup_day: dt.date | None = None  # a day inside ``missed`` to record a meeting held then
    usual_meeting_id: int | None = None  # the last one held, whose place and people to reuse

    @property
    def kind(self) -> MeetingKind:
        return self.requirement.kind

    @property
    def unit(self) -> Unit:
        return self.requirement.unit

    @property
    def label(self) -> str:
        """``支委会``, ``第二党小组会`` or ``党小组会（老干部组）``: short, as people say it."""
        if not self.group_name:
            return self.kind.short_label
        if self.group_name.endswith("小组"):
            return f"{self.group_name}会"
        return f"{self.kind.short_label}（{self.group_name}）"

    @property
    def urgent(self) -> bool:
        """Little time is left: a week of a month, three weeks of a quarter, a season of a year."""
        length = (self.period.end - self.period.start).days + 1
        return self.days_left <= max(7, length // 4)

    @property
    def last_meeting_id(self) -> int | None:
        return self.held[-1][1] if self.held else None

    @property
    def next_planned(self) -> tuple[dt.date, int] | None:
        return self.planned[0] if self.planned else None

    @property
    def today(self) -> dt.date:
        return self.period.end - dt.timedelta(days=self.days_left)

    @property
    def plan_expired(self) -> bool:
        """The soonest plan's day has passed without the meeting being recorded."""
        return bool(self.planned) and self.planned[0][0] < self.today


def unit_period_word(unit: Unit) -> str:
    return {Unit.MONTH: "月", Unit.QUARTER: "季度", Unit.YEAR: "年度"}[unit]


def held_up_to(meetings: Iterable[MeetingSummary], today: dt.date) -> list[MeetingSummary]:
    """Held meetings on or before ``today`` (a held meeting in the future is a typing error)."""
    return [m for m in meetings if m.status is MeetingStatus.HELD and m.day <= today]


def _matches(meeting: MeetingSummary, kind: MeetingKind, group_id: int | None) -> bool:
    return kind in meeting.kinds and (group_id is None or meeting.group_id == group_id)


def suggest_day(period: Period, usual: dt.date | None, today: dt.date) -> dt.date:
    """A day in ``period``, not before today, at the place in the period the meeting usually is.

    ``usual`` is the last time it was held: its day of the month (and month within the
    quarter or year) is kept. Without one, or when that day has passed, today.
    """
    if usual is None:
        return max(today, period.start)
    offset = (usual.month - 1) % period.unit.months
    months = [p.start for p in period.units(Unit.MONTH)]
    candidates = months[offset:] + months[:offset]  # the usual month first, then the rest
    for first in candidates:
        last = calendar.monthrange(first.year, first.month)[1]
        day = first.replace(day=min(usual.day, last))
        if day >= today:
            return day
    return min(max(today, period.start), period.end)


def _makeup_day(period: Period, usual: dt.date | None) -> dt.date:
    """A day inside a past period to record a meeting that was held but never entered."""
    if usual is None:
        return period.end
    offset = (usual.month - 1) % period.unit.months
    first = period.units(Unit.MONTH)[offset].start
    last = calendar.monthrange(first.year, first.month)[1]
    return first.replace(day=min(usual.day, last))


def duty_lines(
    today: dt.date,
    meetings: Iterable[MeetingSummary],
    *,
    requirements: Iterable[Requirement] = DEFAULT_REQUIREMENTS,
    groups: Iterable[GroupRef] = (),
    member_count: int = 0,
    records_since: dt.date | None = None,
) -> list[DutyLine]:
    """Say, per rule (and group), whether its current period is done, due or late.

    ``meetings`` must cover the previous year up to the end of the current one (planned
    meetings included). Rules that do not apply (本期不考核: no committee under 7 members, no
    groups) give no line. The previous period counts as missed only when records were kept
    then: ``records_since`` is the first day with a held meeting; None means no records.
    """
    meetings = list(meetings)
    held = held_up_to(meetings, today)
    planned = [m for m in meetings if m.status is MeetingStatus.PLANNED]
    groups = list(groups)
    lines: list[DutyLine] = []
    held_days = HeldDays(held)  # one index for the fourteen assessments below
    for requirement in requirements:
        current = Period.containing(requirement.unit, today)
        previous = current.previous()
        now = assess(
            current,
            held_days,
            requirements=[requirement],
            groups=groups,
            member_count=member_count,
        )
        before = assess(
            previous,
            held_days,
            requirements=[requirement],
            groups=groups,
            member_count=member_count,
        )
        before_by_group = {a.group_id: a for a in before}
        # Records must cover most of the previous period: a branch that began entering
        # meetings last week is not told that last quarter went without them.
        midpoint = previous.start + (previous.end - previous.start) // 2
        kept_then = records_since is not None and records_since <= midpoint
        for assessment in now:
            if assessment.status is Status.NOT_ASSESSED:
                continue
            group_id = assessment.group_id
            same = [m for m in held if _matches(m, requirement.kind, group_id)]
            last = max(same, key=lambda m: (m.day, m.id), default=None)
            usual = last.day if last else None
            in_period = sorted(
                ((m.day, m.id) for m in same if current.contains(m.day)),
            )
            ahead = sorted(
                (m.day, m.id)
                for m in planned
                if _matches(m, requirement.kind, group_id) and current.contains(m.day)
            )
            prior = before_by_group.get(group_id)
            missed = kept_then and prior is not None and prior.status is Status.NOT_MET
            if assessment.status is Status.MET:
                state = DutyState.DONE
            elif missed:
                state = DutyState.LATE
            else:
                state = DutyState.DUE
            lines.append(
                DutyLine(
                    requirement=requirement,
                    state=state,
                    period=current,
                    held=tuple(in_period),
                    planned=tuple(ahead),
                    days_left=(current.end - today).days,
                    suggested_day=suggest_day(current, usual, today),
                    group_id=group_id,
                    group_name=assessment.group_name,
                    missed=previous if missed else None,
                    missed_held=prior.held if missed and prior else 0,
                    makeup_day=_makeup_day(previous, usual) if missed else None,
                    usual_meeting_id=last.id if last else None,
                )
            )
    return lines


def late_lines(lines: Iterable[DutyLine]) -> list[DutyLine]:
    return [line for line in lines if line.state is DutyState.LATE]


# -- people --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PoliticalBirthday:
    """入党纪念日 this month: the anniversary of joining the party."""

    member_id: int | None
    name: str
    day: dt.date | None  # this year's anniversary; None when only the month was recorded
    years: int  # years in the party on the anniversary


def political_birthdays(members: Iterable[Member], today: dt.date) -> list[PoliticalBirthday]:
    """Members in the roster whose join date falls in today's month, by day."""
    found = []
    for member in members:
        joined = member.join_date
        if joined is None or joined.month != today.month or not member.in_roster_on(today):
            continue
        years = today.year - joined.year
        if years < 1:
            continue
        day = None if joined.month_only else add_years(joined.first_day(), years)
        found.append(PoliticalBirthday(member.id, member.name, day, years))
    return sorted(found, key=lambda b: (b.day or dt.date.max, -b.years, b.name))


@dataclass(frozen=True)
class ProbationEnd:
    """A 预备党员 whose 预备期 ends soon, or has ended without a 转正 date."""

    member_id: int | None
    name: str
    ends: dt.date  # the day the 预备期 is complete: a year after admission, plus any extension
    month_only: bool  # the join date was recorded to the month only
    days_left: int  # negative: overdue by that many days
    extended_months: int = 0  # 延长预备期, when it was extended

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


def probation_ends(
    members: Iterable[Member], today: dt.date, *, within: int = PROBATION_WARNING_DAYS
) -> list[ProbationEnd]:
    """预备党员 without a 转正 date whose 预备期 ends within ``within`` days or ended.

    The year runs from the 支部大会's approval, recorded as the join date (入党时间); a
    recorded 延长预备期 adds its months (``member_rules.probation_due``).
    """
    found = []
    for member in members:
        if member.category is not Category.PROBATIONARY or member.full_date is not None:
            continue
        if member.join_date is None or not member.in_roster_on(today):
            continue
        ends = probation_due(member)
        assert ends is not None
        days_left = (ends - today).days
        extension = member.probation_extension
        if days_left <= within:
            found.append(
                ProbationEnd(
                    member.id,
                    member.name,
                    ends,
                    member.join_date.month_only,
                    days_left,
                    extension.months if extension else 0,
                )
            )
    return sorted(found, key=lambda p: (p.ends, p.name))


@dataclass(frozen=True)
class AbsenceCount:
    member_id: int
    name: str
    absences: int  # 缺席 without 补学 in the year so far


def frequent_absences(
    counts: Iterable[AbsenceCount], *, threshold: int = ABSENCE_THRESHOLD
) -> list[AbsenceCount]:
    return sorted(
        (c for c in counts if c.absences >= threshold), key=lambda c: (-c.absences, c.name)
    )


# -- the year at a glance --------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthFigures:
    """Meetings held in a month by kind, and the month's 出席率 over all of them."""

    period: Period
    by_kind: dict[MeetingKind, int]
    expected: int
    present: int

    @property
    def held(self) -> int:
        return sum(self.by_kind.values())

    @property
    def rate(self) -> float | None:
        return self.present / self.expected if self.expected else None


def recent_months(today: dt.date, count: int = CHART_MONTHS) -> list[Period]:
    """The last ``count`` months, oldest first, ending with today's."""
    months = [Period.containing(Unit.MONTH, today)]
    while len(months) < count:
        months.append(months[-1].previous())
    return months[::-1]


def month_figures(
    meetings: Iterable[MeetingSummary], today: dt.date, count: int = CHART_MONTHS
) -> list[MonthFigures]:
    """Per month of the last ``count``: held meetings by kind (a 党课 given at a 主题党日
    counts for both kinds) and 实到 / 应到 summed over the month's meetings."""
    months = recent_months(today, count)
    kinds: dict[str, dict[MeetingKind, int]] = {p.code: defaultdict(int) for p in months}
    expected: dict[str, int] = defaultdict(int)
    present: dict[str, int] = defaultdict(int)
    for meeting in held_up_to(meetings, today):
        code = Period.containing(Unit.MONTH, meeting.day).code
        if code not in kinds:
            continue
        for kind in meeting.kinds:
            kinds[code][kind] += 1
        expected[code] += meeting.counts.expected
        present[code] += meeting.counts.present
    return [MonthFigures(p, dict(kinds[p.code]), expected[p.code], present[p.code]) for p in months]


# -- the calendar ------------------------------------------------------------------------------------


class EntryKind(str, enum.Enum):
    HELD = "held"
    PLANNED = "planned"
    ACTIVITY = "activity"


@dataclass(frozen=True)
class DayEntry:
    kind: EntryKind
    text: str  # ``主题党日：重温入党誓词``
    record_id: int


@dataclass
class CalendarDays:
    entries: dict[dt.date, list[DayEntry]] = field(default_factory=dict)

    def kinds_on(self, day: dt.date) -> set[EntryKind]:
        return {e.kind for e in self.entries.get(day, [])}


MAX_ACTIVITY_SPAN = 62  # an activity over more days is marked on its first day only


def calendar_days(
    meetings: Iterable[MeetingSummary], activities: Sequence[ActivitySummary] = ()
) -> CalendarDays:
    """Which days have meetings (held or planned) and activities, with a line for each."""
    days = CalendarDays()
    for meeting in sorted(meetings, key=lambda m: (m.day, m.start or dt.time.min, m.id)):
        kind = EntryKind.HELD if meeting.status is MeetingStatus.HELD else EntryKind.PLANNED
        text = meeting.kind_label + (f"：{meeting.title}" if meeting.title else "")
        days.entries.setdefault(meeting.day, []).append(DayEntry(kind, text, meeting.id))
    for activity in sorted(activities, key=lambda a: (a.day, a.id)):
        last = activity.end_day or activity.day
        if (last - activity.day).days > MAX_ACTIVITY_SPAN or last < activity.day:
            last = activity.day
        day = activity.day
        while day <= last:
            days.entries.setdefault(day, []).append(
                DayEntry(EntryKind.ACTIVITY, f"{activity.kind}：{activity.title}", activity.id)
            )
            day += dt.timedelta(days=1)
    return days


# -- everything at once --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HomeOverview:
    today: dt.date
    lines: list[DutyLine]
    birthdays: list[PoliticalBirthday]
    probations: list[ProbationEnd]
    absences: list[AbsenceCount]
    months: list[MonthFigures]
    calendar: CalendarDays
    calendar_range: tuple[dt.date, dt.date]  # the days ``calendar`` covers
    member_count: int = 0
    upcoming: MeetingSummary | None = None  # the next planned meeting, today or later
    life_gaps: list[LifeGap] = field(default_factory=list)  # 3+ months without 组织生活
    expired: tuple[MeetingSummary, ...] = ()  # plans whose day has passed, oldest first
    # members with months of 党费 ended unpaid (name, arrears), the longest run first
    dues_arrears: list[tuple[str, Arrears]] = field(default_factory=list)

    def lines_of(self, unit: Unit) -> list[DutyLine]:
        return [line for line in self.lines if line.unit is unit]

    @property
    def late(self) -> list[DutyLine]:
        return late_lines(self.lines)

    @property
    def open_lines(self) -> list[DutyLine]:
        return [line for line in self.lines if line.state is not DutyState.DONE]


def next_planned(meetings: Iterable[MeetingSummary], today: dt.date) -> MeetingSummary | None:
    """The soonest planned meeting on or after today."""
    ahead = [m for m in meetings if m.status is MeetingStatus.PLANNED and m.day >= today]
    return min(ahead, key=lambda m: (m.day, m.start or dt.time.min, m.id), default=None)


def meetings_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """The dates whose meetings the home page needs: last year's start to this year's end
    (the previous year for a yearly rule, twelve months for the chart, planned meetings)."""
    next_month = Period.containing(Unit.MONTH, today).next()
    return dt.date(today.year - 1, 1, 1), max(dt.date(today.year, 12, 31), next_month.end)
