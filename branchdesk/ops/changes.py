"""What an operation changed: which record types, and which days and periods."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from typing import Generic, TypeVar

T = TypeVar("T")

_RECORD_TYPES = (
    "branch", "members", "groups", "meetings", "activities", "activity_kinds", "attachments",
    "requirements", "periods", "history", "dues",
)  # fmt: skip


@dataclass(frozen=True)
class Changes:
    """The record types an operation wrote (``True``) and the days and periods it touched.

    ``everything`` is set when the whole database was replaced (a restore from backup): every
    record type is then set too, so a page testing its own flags refreshes.
    """

    branch: bool = False
    members: bool = False
    groups: bool = False
    meetings: bool = False
    activities: bool = False
    activity_kinds: bool = False  # the list of 活动类型
    attachments: bool = False
    requirements: bool = False
    periods: bool = False  # reported / unlocked periods
    history: bool = False  # the 修改记录
    dues: bool = False  # 党费: 核定 and payments
    everything: bool = False
    days: frozenset[dt.date] = field(default_factory=frozenset)
    period_codes: frozenset[str] = field(default_factory=frozenset)  # "2026-10", "2026-Q3"

    @classmethod
    def of(cls, *record_types: str, days: Iterable[dt.date | None] = (),
           periods: Iterable[str] = ()) -> Changes:  # fmt: skip
        """``Changes.of("meetings", "history", days=[meeting.day])``."""
        unknown = set(record_types) - set(_RECORD_TYPES)
        if unknown:
            raise ValueError(f"unknown record types: {sorted(unknown)}")
        return cls(
            **dict.fromkeys(record_types, True),
            days=frozenset(d for d in days if d is not None),
            period_codes=frozenset(periods),
        )

    @classmethod
    def all(cls) -> Changes:
        """Everything changed: the database was replaced."""
        return cls(**dict.fromkeys(_RECORD_TYPES, True), everything=True)

    @property
    def record_types(self) -> frozenset[str]:
        return frozenset(name for name in _RECORD_TYPES if getattr(self, name))

    def __bool__(self) -> bool:
        return bool(self.record_types) or self.everything

    def __or__(self, other: Changes) -> Changes:
        flags = {
            f.name: getattr(self, f.name) or getattr(other, f.name)
            for f in fields(self)
            if f.name not in ("days", "period_codes")
        }
        return replace(
            self, **flags, days=self.days | other.days,
            period_codes=self.period_codes | other.period_codes,
        )  # fmt: skip


NOTHING = Changes()


@dataclass(frozen=True)
class OpResult(Generic[T]):
    """An operation's answer (``value``) and what it changed."""

    value: T
    changes: Changes
