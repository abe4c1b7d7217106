"""Members of the branch, their groups and committee roles.

Glossary: 党员花名册 member roster; 党小组 party group; 正式/预备 full/probationary
member; 入党时间 join date; 转正时间 date of becoming a full member; 支委 committee.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from branchdesk.domain.dates import PartialDate


class Category(str, enum.Enum):
    """Full (正式) or probationary (预备) member; the value is what users see."""

    FULL = "正式"
    PROBATIONARY = "预备"


class Gender(str, enum.Enum):
    MALE = "男"
    FEMALE = "女"


class MemberStatus(str, enum.Enum):
    """Where a member stands in the roster; only ACTIVE and FLOWING are still counted."""

    ACTIVE = "在册"
    FLOWING = "流动"  # works or lives elsewhere but remains in this branch
    TRANSFERRED_OUT = "转出"
    DECEASED = "去世"
    SUSPENDED = "停止党籍"
    LEFT = "出党"

    @property
    def in_roster(self) -> bool:
        return self in (MemberStatus.ACTIVE, MemberStatus.FLOWING)

    @classmethod
    def leaving(cls) -> list[MemberStatus]:
        return [s for s in cls if not s.in_roster]

    @classmethod
    def roster_codes(cls) -> tuple[str, ...]:
        """The stored codes of the statuses that still count as in the roster."""
        return tuple(s.value for s in cls if s.in_roster)


class Role(str, enum.Enum):
    """Committee roles (支委职务); the 支委会 is attended by these members."""

    SECRETARY = "书记"
    DEPUTY_SECRETARY = "副书记"
    ORGANISATION = "组织委员"
    PROPAGANDA = "宣传委员"
    DISCIPLINE = "纪检委员"
    MEMBER = "委员"


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
