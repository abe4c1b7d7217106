"""Members of the branch, their groups and committee roles.

Glossary: 党员花名册 member roster; 党小组 party group; 正式/预备 full/probationary
member; 入党时间 join date; 转正时间 date of becoming a full member; 支委 committee.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Self

from branchdesk.domain.dates import PartialDate


class CodedEnum(str, enum.Enum):
    """Stored (database, history, JSON) as a stable ASCII code; ``label`` is what people read.

    The roster files, the window, Excel and PDFs show the label. Looking a member up by its
    label also works (``Gender("男")``): files made before 0007_vocabulary_codes, and the
    change-history snapshots in them, hold labels.
    """

    _label: str

    def __new__(cls, code: str, label: str) -> CodedEnum:
        member = str.__new__(cls, code)
        member._value_ = code
        member._label = label
        return member

    @property
    def label(self) -> str:
        return self._label

    @classmethod
    def _missing_(cls, value: object) -> CodedEnum | None:
        for member in cls:
            if value == member._label:
                return member
        return None

    @classmethod
    def by_label(cls, text: str) -> Self | None:
        """The member people call ``text`` (a label, not a code), or None."""
        for member in cls:
            if text == member._label:
                return member
        return None


class Category(CodedEnum):
    """Full (正式) or probationary (预备) member."""

    FULL = ("full", "正式")
    PROBATIONARY = ("probationary", "预备")


class Gender(CodedEnum):
    MALE = ("male", "男")
    FEMALE = ("female", "女")


class MemberStatus(CodedEnum):
    """Where a member stands in the roster; only ACTIVE and FLOWING are still counted."""

    ACTIVE = ("active", "在册")
    FLOWING = ("flowing", "流动")  # works or lives elsewhere but remains in this branch
    LOST = ("lost", "失联")  # out of contact; still a member of this branch (status_date: since)
    TRANSFERRED_OUT = ("transferred_out", "转出")
    DECEASED = ("deceased", "去世")
    SUSPENDED = ("suspended", "停止党籍")
    LEFT = ("left", "出党")

    @property
    def in_roster(self) -> bool:
        return self in (MemberStatus.ACTIVE, MemberStatus.FLOWING, MemberStatus.LOST)

    @classmethod
    def leaving(cls) -> list[MemberStatus]:
        return [s for s in cls if not s.in_roster]

    @classmethod
    def roster_codes(cls) -> tuple[str, ...]:
        """The stored codes of the statuses that still count as in the roster."""
        return tuple(s.value for s in cls if s.in_roster)

    @classmethod
    def roster_labels(cls) -> tuple[str, ...]:
        """What files older than 0007_vocabulary_codes stored for those statuses."""
        return tuple(s.label for s in cls if s.in_roster)


class JoinHow(CodedEnum):
    """How a member came into the branch (加入本支部方式): what 本期转入/发展 count."""

    ORIGINAL = ("original", "原有")  # in the branch before its records began
    TRANSFER_IN = ("transfer_in", "转入")
    DEVELOPED = ("developed", "发展")  # admitted by this branch
    RESTORED = ("restored", "恢复")  # 恢复党籍 or back from elsewhere


class Role(CodedEnum):
    """Committee roles (支委职务); the 支委会 is attended by these members."""

    SECRETARY = ("secretary", "书记")
    DEPUTY_SECRETARY = ("deputy_secretary", "副书记")
    ORGANISATION = ("organisation", "组织委员")
    PROPAGANDA = ("propaganda", "宣传委员")
    DISCIPLINE = ("discipline", "纪检委员")
    YOUTH = ("youth", "青年委员")
    UNITED_FRONT = ("united_front", "统战委员")
    MEMBER = ("member", "委员")


def category_label(stored: str) -> str:
    """What people read for a stored category (a code, an older file's label, or "")."""
    try:
        return Category(stored).label
    except ValueError:
        return stored


def _within(day: dt.date, start: dt.date | None, end: dt.date | None) -> bool:
    return (start is None or start <= day) and (end is None or day <= end)


def span_text(start: dt.date | None, end: dt.date | None) -> str:
    """``2026年12月2日起``, ``至2026年12月1日``, ``2020年1月1日至2026年12月1日`` or ``一直``."""
    def day(d: dt.date) -> str:
        return f"{d.year}年{d.month}月{d.day}日"

    if start and end:
        return f"{day(start)}至{day(end)}"
    if start:
        return f"{day(start)}起"
    if end:
        return f"至{day(end)}"
    return "一直"


@dataclass(frozen=True)
class PartyGroup:
    """A 党小组; it exists from ``start`` to ``end`` (None: since records began / still)."""

    id: int
    name: str
    sort_order: int = 0
    leader_id: int | None = None
    member_count: int = 0
    start: dt.date | None = None
    end: dt.date | None = None  # the last day: merged into another group or dissolved

    def exists_on(self, day: dt.date) -> bool:
        return _within(day, self.start, self.end)


@dataclass(frozen=True)
class GroupSpell:
    """A member's time in one group: ``start`` to ``end`` inclusive (None: open)."""

    group_id: int
    group_name: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    group_order: int = field(default=0, compare=False)  # the group's place in lists

    def covers(self, day: dt.date) -> bool:
        return _within(day, self.start, self.end)


@dataclass(frozen=True)
class RoleTerm:
    """A committee role held from ``start`` to ``end`` inclusive (None: open)."""

    role: Role
    start: dt.date | None = None
    end: dt.date | None = None

    def covers(self, day: dt.date) -> bool:
        return _within(day, self.start, self.end)


@dataclass(frozen=True)
class ProbationExtension:
    """延长预备期: the 支部大会 decided on ``decided_on`` to extend probation by ``months``."""

    decided_on: dt.date
    months: int  # 6 to 12 (党章第七条)
    reason: str = ""


@dataclass(frozen=True)
class LongLeave:
    """An approved long absence (长期请假: illness, work abroad ...) from ``start`` to ``end``.

    While it lasts the member is not flagged for missing organisational life.
    """

    start: dt.date
    end: dt.date
    reason: str = ""

    def covers(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@dataclass
class Member:
    """One person in the roster. Dates may have month precision (see PartialDate)."""

    name: str
    id: int | None = None
    gender: Gender | None = None
    ethnicity: str = ""
    birth_date: PartialDate | None = None
    id_number: str = ""
    education: str = ""
    join_date: PartialDate | None = None
    full_date: PartialDate | None = None
    category: Category = Category.FULL
    group_id: int | None = None
    group_name: str = ""
    phone: str = ""
    workplace: str = ""
    status: MemberStatus = MemberStatus.ACTIVE
    status_date: PartialDate | None = None
    branch_join_date: PartialDate | None = None
    notes: str = ""
    roles: list[Role] = field(default_factory=list)
    sort_order: int = 0
    branch_join_how: JoinHow | None = None  # None: recorded before 0008_effective_dates
    # Dated history (0008_effective_dates); empty for a member never stored: then the
    # current group and roles hold on every day.
    group_spells: list[GroupSpell] = field(default_factory=list)
    role_terms: list[RoleTerm] = field(default_factory=list)

    def branch_start(self) -> dt.date | None:
        """The first day the member counts in this branch (None: always)."""
        start = self.branch_join_date or self.join_date
        return start.first_day() if start else None

    def left_on(self) -> dt.date | None:
        """The first day the member no longer counts (转出, 去世 ...), or None."""
        if self.status.in_roster or self.status_date is None:
            return None
        return self.status_date.first_day()
    probation_extension: ProbationExtension | None = None
    long_leave: LongLeave | None = None

    def in_roster_on(self, day: dt.date) -> bool:
        """Tell whether the member belonged to the branch on that day."""
        start = self.branch_join_date or self.join_date
        if start is not None and start.first_day() > day:
            return False
        if not self.status.in_roster:
            if self.status_date is None:
                return False
            return self.status_date.first_day() > day
        return True

    def group_on(self, day: dt.date) -> GroupSpell | None:
        """The group the member was in on ``day`` (None: no group)."""
        if not self.group_spells:
            return GroupSpell(self.group_id, self.group_name) if self.group_id else None
        return next((s for s in self.group_spells if s.covers(day)), None)

    def roles_on(self, day: dt.date) -> list[Role]:
        if not self.role_terms:
            return list(self.roles)
        held = {t.role for t in self.role_terms if t.covers(day)}
        return [role for role in Role if role in held]

    def category_on(self, day: dt.date) -> Category:
        """正式 on a day: 转正时间 on or before it; without one, the stored category."""
        if self.full_date is None:
            return self.category
        return Category.FULL if self.full_date.first_day() <= day else Category.PROBATIONARY

    def as_of(self, day: dt.date) -> Member:
        """This member as the records stood on ``day``: group, roles and category then."""
        spell = self.group_on(day)
        return replace(
            self,
            group_id=spell.group_id if spell else None,
            group_name=spell.group_name if spell else "",
            roles=self.roles_on(day),
            category=self.category_on(day),
        )


def roster_on(members: Iterable[Member], day: dt.date) -> list[Member]:
    """The branch on ``day``: members then in it, each as they stood that day.

    The one answer to "who was in the branch, in which group, with which role, 正式 or
    预备, on that date" that returns, 工作台, expected lists and sign-in sheets share.
    """
    members = list(members)
    found = [m.as_of(day) for m in members if m.in_roster_on(day)]
    if any(m.group_spells for m in members):  # stored members: list them by that day's groups
        order = {
            m.id: (spell.group_order, spell.group_id) if (spell := m.group_on(day)) else (1e9, -1)
            for m in members
        }
        found.sort(key=lambda m: (*order[m.id], m.sort_order, m.id or 0))
    return found


@dataclass(frozen=True)
class RosterCounts:
    total: int
    full: int
    probationary: int
