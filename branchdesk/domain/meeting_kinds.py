"""The kinds of meeting (三会一课, 主题党日 ...): one spec each, in one registry.

Everything that depends on the kind reads it from here: its names, where it sorts, its
chart colour, who is expected (应到), which fields it has (授课人 for a 党课, the group for
a 党小组会) and the requirement it gets by default. Adding a kind is one
``register(MeetingKindSpec(...))`` below plus a migration that seeds its requirement rule
(the database stores the code and checks it in Python, against this registry).
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar


class Audience(str, enum.Enum):
    """Who is expected (应到) at a meeting."""

    BRANCH = "branch"
    COMMITTEE = "committee"
    GROUP = "group"


@dataclass(frozen=True)
class MeetingKindSpec:
    """Everything BranchDesk knows about one kind of meeting."""

    code: str  # stored in the database and in files; never changes
    label: str  # 支部委员会会议
    short_label: str  # 支委会
    order: int  # lists, combos, returns
    colour: str  # the home page chart's bar colour
    chart_order: int  # the chart's stacking order: the most frequent kinds first
    primary_order: int  # which kind a multi-kind meeting is filed under (lowest wins)
    audience: Audience = Audience.BRANCH
    chart_label: str = ""  # the chart legend's name, when the short label is too long
    lecturer: bool = False  # has 授课人 and 党课题目
    group: bool = False  # held by one party group, which must be chosen
    requirable: bool = True  # offered in the requirements dialog
    default_unit: str | None = None  # "month", "quarter" or "year": the default rule
    default_times: int = 1

    @property
    def chart_name(self) -> str:
        return self.chart_label or self.short_label


class _KindRegistry(type):
    """Makes ``MeetingKind`` behave like the enum it replaces: call, iterate, count."""

    _specs: dict[str, MeetingKindSpec]
    _kinds: dict[str, MeetingKind]

    def __call__(cls, code: Any) -> MeetingKind:  # type: ignore[override]
        try:
            return cls._kinds[str(code)]
        except KeyError:
            raise ValueError(f"{code!r} is not a valid MeetingKind") from None

    def __iter__(cls) -> Iterator[MeetingKind]:
        return iter(sorted(cls._kinds.values(), key=lambda k: cls._specs[k].order))

    def __len__(cls) -> int:
        return len(cls._kinds)

    def __contains__(cls, item: object) -> bool:
        return isinstance(item, str) and item in cls._kinds


class MeetingKind(str, metaclass=_KindRegistry):
    """A kind of meeting: the stored code (a ``str``), with its spec's names.

    There is one object per code, so ``kind is MeetingKind.GROUP`` holds as with an enum.
    """

    _specs: ClassVar[dict[str, MeetingKindSpec]] = {}
    _kinds: ClassVar[dict[str, MeetingKind]] = {}

    GENERAL: ClassVar[MeetingKind]
    COMMITTEE: ClassVar[MeetingKind]
    GROUP: ClassVar[MeetingKind]
    LECTURE: ClassVar[MeetingKind]
    THEME_DAY: ClassVar[MeetingKind]
    LIFE: ClassVar[MeetingKind]
    REVIEW: ClassVar[MeetingKind]
    OTHER: ClassVar[MeetingKind]

    @property
    def value(self) -> str:
        return str.__str__(self)

    @property
    def spec(self) -> MeetingKindSpec:
        return MeetingKind._specs[self.value]

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def short_label(self) -> str:
        return self.spec.short_label

    @classmethod
    def from_label(cls, text: str) -> MeetingKind:
        for kind in cls:  # type: ignore[attr-defined]
            if text in (kind.label, kind.short_label, kind.value):
                return kind  # type: ignore[no-any-return]
        raise ValueError(f"未知的会议类型“{text}”")

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"<MeetingKind {self.value}>"

    def __reduce__(self) -> tuple[Any, ...]:
        return (MeetingKind, (self.value,))

    def __copy__(self) -> MeetingKind:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> MeetingKind:
        return self


def register(spec: MeetingKindSpec) -> MeetingKind:
    """Add a kind to the registry and return it."""
    if spec.code in MeetingKind._kinds:
        raise ValueError(f"meeting kind {spec.code!r} is already registered")
    kind = str.__new__(MeetingKind, spec.code)
    MeetingKind._specs[spec.code] = spec
    MeetingKind._kinds[spec.code] = kind
    return kind


def unregister(code: str) -> None:
    """Remove a kind (for tests that add one for a while)."""
    MeetingKind._specs.pop(code)
    MeetingKind._kinds.pop(code)


@contextlib.contextmanager
def registered(spec: MeetingKindSpec) -> Iterator[MeetingKind]:
    """A kind that exists only inside the ``with`` block."""
    kind = register(spec)
    try:
        yield kind
    finally:
        unregister(spec.code)


def spec_of(kind: str) -> MeetingKindSpec:
    return MeetingKind(kind).spec


def all_kinds() -> list[MeetingKind]:
    """Every kind, in display order."""
    return list(MeetingKind)  # type: ignore[call-overload]


def by_primary_order() -> list[MeetingKind]:
    """Every kind, in the order that chooses which one a multi-kind meeting is filed under."""
    return sorted(all_kinds(), key=lambda k: k.spec.primary_order)


def by_chart_order() -> list[MeetingKind]:
    return sorted(all_kinds(), key=lambda k: k.spec.chart_order)


MeetingKind.GENERAL = register(
    MeetingKindSpec(
        "general_meeting", "支部党员大会", "党员大会", order=0, colour="#7b1f1f",
        chart_order=3, primary_order=3, default_unit="quarter",
    )
)  # fmt: skip
MeetingKind.COMMITTEE = register(
    MeetingKindSpec(
        "committee_meeting", "支部委员会会议", "支委会", order=1, colour="#c0392b",
        chart_order=0, primary_order=4, audience=Audience.COMMITTEE, default_unit="month",
    )
)  # fmt: skip
MeetingKind.GROUP = register(
    MeetingKindSpec(
        "group_meeting", "党小组会", "党小组会", order=2, colour="#e8a33d",
        chart_order=1, primary_order=5, audience=Audience.GROUP, group=True,
        default_unit="month",
    )
)  # fmt: skip
MeetingKind.LECTURE = register(
    MeetingKindSpec(
        "party_lecture", "党课", "党课", order=3, colour="#d98b73",
        chart_order=4, primary_order=6, lecturer=True, default_unit="quarter",
    )
)  # fmt: skip
MeetingKind.THEME_DAY = register(
    MeetingKindSpec(
        "theme_day", "主题党日", "主题党日", order=4, colour="#8e5b3a",
        chart_order=2, primary_order=0, default_unit="month",
    )
)  # fmt: skip
MeetingKind.LIFE = register(
    MeetingKindSpec(
        "life_meeting", "组织生活会", "组织生活会", order=5, colour="#5a6fa8",
        chart_order=5, primary_order=1, chart_label="组织生活会", default_unit="year",
    )
)  # fmt: skip
MeetingKind.REVIEW = register(
    MeetingKindSpec(
        "review", "民主评议党员", "民主评议党员", order=6, colour="#3f8f86",
        chart_order=6, primary_order=2, chart_label="民主评议", default_unit="year",
    )
)  # fmt: skip
MeetingKind.OTHER = register(
    MeetingKindSpec(
        "other", "其他", "其他", order=7, colour="#9e9e9e",
        chart_order=7, primary_order=7, requirable=False,
    )
)  # fmt: skip

# The kind a new meeting (or a blank sign-in sheet) starts as.
DEFAULT_KIND = MeetingKind.THEME_DAY


def primary_kind(kinds: list[MeetingKind]) -> MeetingKind:
    """The kind a meeting counting as several is filed under (the 类型 combo); the others are
    shown as 同时计为."""
    for kind in by_primary_order():
        if kind in kinds:
            return kind
    return DEFAULT_KIND
