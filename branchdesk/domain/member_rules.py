"""Rules about members that the record must carry: who has a vote on a day, when 转正 is
due (with 延长预备期), and how long a member has gone without organisational life.

Glossary: 表决权 vote (only 正式党员 have one); 预备期 probation; 延长预备期 extended
probation (once, 6-12 months); 组织生活 organisational life (meetings, and 补学 make-up
study for one missed); 党章第九条: six consecutive months without it, without good reason,
counts as leaving the party.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from branchdesk.domain.members import Category, Member, MemberStatus

PROBATION_MONTHS = 12
EXTENSION_MONTHS = (6, 12)  # the shortest and longest extension
LIFE_WARNING_MONTHS = 3  # 工作台 warns from three months on ...
LIFE_LIMIT_MONTHS = 6  # ... of the six of 党章第九条


# -- who has a vote on a day ------------------------------------------------------------------


def voting_member_on(member: Member, day: dt.date) -> bool:
    """Tell whether the member was a 正式党员 of the branch on ``day`` (and so had a vote).

    The one place that answers it: a recorded 转正 date decides; without one, the category.
    """
    if not member.in_roster_on(day):
        return False
    if member.full_date is not None:
        return member.full_date.first_day() <= day
    return member.category is Category.FULL


# -- months --------------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def whole_months(start: dt.date, end: dt.date) -> int:
    """Whole months from ``start`` to ``end`` (0 when ``end`` is before a month has passed)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return max(months, 0)


# -- 转正 due, with 延长预备期 -------------------------------------------------------------------


def probation_due(member: Member) -> dt.date | None:
    """The day the 预备期 ends: a year after admission (入党时间), plus any extension."""
    if member.join_date is None:
        return None
    months = PROBATION_MONTHS
    if member.probation_extension is not None:
        months += member.probation_extension.months
    return add_months(member.join_date.first_day(), months)


def extension_problems(
    member: Member, decided_on: dt.date, months: int, today: dt.date
) -> list[str]:
    """Why 延长预备期 cannot be recorded for this member, in Chinese; empty when it can."""
    problems = []
    if member.probation_extension is not None:
        problems.append(
            f"{member.name}的预备期已于 {member.probation_extension.decided_on.isoformat()} "
            "延长过一次，预备期只能延长一次"
        )
    if member.category is not Category.PROBATIONARY or member.full_date is not None:
        problems.append(f"{member.name}不是预备党员，不能延长预备期")
    if not EXTENSION_MONTHS[0] <= months <= EXTENSION_MONTHS[1]:
        problems.append(
            f"延长期限应为 {EXTENSION_MONTHS[0]} 到 {EXTENSION_MONTHS[1]} 个月，不能是 {months} 个月"
        )
    if decided_on > today:
        problems.append("决定日期不能晚于今天")
    if member.join_date is not None and decided_on < member.join_date.first_day():
        problems.append(f"决定日期不能早于入党时间 {member.join_date.iso()}")
    return problems


def leave_problems(start: dt.date, end: dt.date, reason: str) -> list[str]:
    """Why a long leave cannot be recorded as given, in Chinese; empty when it can."""
    problems = []
    if end < start:
        problems.append("请假结束日期不能早于开始日期")
    if not reason.strip():
        problems.append("请填写长期请假的原因（如：因病长期住院、出国务工）")
    return problems


# -- six months without organisational life --------------------------------------------------


@dataclass(frozen=True)
class LifeFacts:
    """What the attendance says about one member up to a day.

    ``last_life``: the latest held meeting attended, or 补学 done for a missed one (on the
    day of the 补学, else the meeting's). ``last_expected``: the latest held meeting the
    member was expected at; ``first_expected``: the earliest.
    """

    member_id: int
    last_life: dt.date | None
    first_expected: dt.date | None
    last_expected: dt.date | None


@dataclass(frozen=True)
class LifeGap:
    """A member without organisational life since ``since``, for ``months`` whole months."""

    member_id: int
    name: str
    since: dt.date  # the last organisational life, or the first meeting missed
    attended_before: bool  # ``since`` is a day of organisational life, not a missed meeting
    months: int
    six_months_on: dt.date  # 党章第九条's six months fall on this day
    flowing: bool = False  # 流动党员

    @property
    def overdue(self) -> bool:
        return self.months >= LIFE_LIMIT_MONTHS

    def describe(self) -> str:
        """``已 4 个月未参加组织生活（最近一次 2026年7月12日），满六个月为 2027年1月12日``."""
        since, limit_day = _day(self.since), _day(self.six_months_on)
        when = f"最近一次 {since}" if self.attended_before else f"自 {since} 起"
        limit = f"已于 {limit_day} 满六个月" if self.overdue else f"满六个月为 {limit_day}"
        return f"已 {self.months} 个月未参加组织生活（{when}），{limit}"


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def life_gap(member: Member, facts: LifeFacts | None, today: dt.date) -> LifeGap | None:
    """How long the member has gone without organisational life, as of ``today``.

    None when nothing is owed: the member is not in the roster, is on approved long leave
    today, or has missed no held meeting since the last organisational life. A long leave
    that has ended starts the count again the day after it.
    """
    if member.id is None or facts is None or not member.in_roster_on(today):
        return None
    leave = member.long_leave
    if leave is not None and leave.covers(today):
        return None
    if facts.last_expected is None or facts.last_expected > today:
        return None
    if facts.last_life is not None and facts.last_life >= facts.last_expected:
        return None  # nothing missed since
    attended = facts.last_life is not None
    since = facts.last_life if facts.last_life is not None else facts.first_expected
    assert since is not None
    if leave is not None and leave.end < today and leave.end >= since:
        since, attended = leave.end + dt.timedelta(days=1), False
        if facts.last_expected < since:
            return None
    return LifeGap(
        member_id=member.id,
        name=member.name,
        since=since,
        attended_before=attended,
        months=whole_months(since, today),
        six_months_on=add_months(since, LIFE_LIMIT_MONTHS),
        flowing=member.status is MemberStatus.FLOWING,
    )


def life_gaps(
    members: list[Member],
    facts: dict[int, LifeFacts],
    today: dt.date,
    *,
    threshold: int = LIFE_WARNING_MONTHS,
) -> list[LifeGap]:
    """Members without organisational life for ``threshold`` months or more, longest first."""
    found = []
    for member in members:
        if member.id is None:
            continue
        gap = life_gap(member, facts.get(member.id), today)
        if gap is not None and gap.months >= threshold:
            found.append(gap)
    return sorted(found, key=lambda g: (g.since, g.name))
