"""Members of the branch, their groups and committee roles.

Glossary: 党员花名册 member roster; 党小组 party group; 正式/预备 full/probationary
member; 入党时间 join date; 转正时间 date of becoming a full member; 支委 committee.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class PartyGroup:
    id: int
    name: str
    sort_order: int = 0
    leader_id: int | None = None
    member_count: int = 0


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


@dataclass(frozen=True)
class RosterCounts:
    total: int
    full: int
    probationary: int
