"""Reported periods (已上报): records dated inside one are read-only until it is unlocked."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from branchdesk.domain.requirements import Period
from branchdesk.store.changelog import record_event
from branchdesk.store.db import StorageError


class PeriodLocked(StorageError):
    """A write would change a record in a period already reported upward."""


@dataclass(frozen=True)
class ReportedPeriod:
    period: Period
    reported_at: dt.datetime
    locked: bool
    revisions: int
    figures: dict[str, Any] | None = None  # the return's figures as reported (0008 on)


class ReportedPeriodRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def list(self) -> list[ReportedPeriod]:
        rows = self.db.query(
            "SELECT code, reported_at, locked, revisions, figures FROM reported_periods "
            "ORDER BY start DESC"
        )
        return [
            ReportedPeriod(
                period=Period.parse(r["code"]),
                reported_at=dt.datetime.fromisoformat(r["reported_at"]),
                locked=bool(r["locked"]),
                revisions=r["revisions"],
                figures=json.loads(r["figures"]) if r["figures"] else None,
            )
            for r in rows
        ]

    def get(self, period: Period) -> ReportedPeriod | None:
        for reported in self.list():
            if reported.period == period:
                return reported
        return None

    def mark_reported(
        self,
        period: Period,
        *,
        at: dt.datetime | None = None,
        figures: Mapping[str, Any] | None = None,
    ) -> None:
        """Lock the period: its records become read-only. ``figures`` (the return as sent
        up) are kept, so that a later difference can be shown."""
        at = at or dt.datetime.now()
        stored = json.dumps(figures, ensure_ascii=False, sort_keys=True) if figures else None
        with self.db.atomic():
            self.db.execute(
                "INSERT INTO reported_periods (code, start, end, reported_at, locked, figures) "
                "VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT(code) DO UPDATE SET "
                "reported_at = excluded.reported_at, locked = 1, "
                "figures = coalesce(excluded.figures, reported_periods.figures)",
                [period.code, period.start.isoformat(), period.end.isoformat(),
                 at.isoformat(timespec="seconds"), stored],
            )  # fmt: skip
            record_event(self.db, "period", period.code, "report", f"{period.label}报表已上报")

    def unlock(self, period: Period, reason: str) -> None:
        """Allow changes again; the reason is kept in the history and the next return is revised."""
        reason = reason.strip()
        if not reason:
            raise ValueError("解锁已上报的期间需要填写原因")
        with self.db.atomic():
            cursor = self.db.execute(
                "UPDATE reported_periods SET locked = 0, revisions = revisions + 1 "
                "WHERE code = ? AND locked = 1",
                [period.code],
            )
            if cursor.rowcount != 1:
                raise ValueError(f"{period.label}没有被锁定")
            record_event(self.db, "period", period.code, "unlock", f"解锁{period.label}", reason)

    def locking(self, day: dt.date) -> Period | None:
        """The locked period that contains ``day``, if any."""
        found = [
            Period.parse(r["code"])
            for r in self.db.query(
                "SELECT code FROM reported_periods WHERE locked = 1 AND start <= ? AND end >= ? "
                "ORDER BY start LIMIT 1",
                [day.isoformat(), day.isoformat()],
            )
        ]
        return found[0] if found else None

    def revised(self, period: Period) -> bool:
        """Whether a return of ``period`` was reported and the period changed since."""
        return self.revision(period) > 0

    def revision(self, period: Period) -> int:
        """How many times ``period`` was unlocked after being reported: a re-export's
        revision number (0: never reported, or not changed since)."""
        reported = self.get(period)
        return reported.revisions if reported is not None else 0


def ensure_unlocked(db: Database, *days: dt.date | None) -> None:
    """Refuse a write touching a record dated in a reported (locked) period."""
    repo = ReportedPeriodRepo(db)
    for day in days:
        if day is None:
            continue
        locked = repo.locking(day)
        if locked is not None:
            raise PeriodLocked(
                f"{locked.label}的报表已上报，该期间的记录已锁定，不能修改。"
                "如确需修改，请在“报表”页解锁该期间并说明原因。"
            )
