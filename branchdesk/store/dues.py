"""Party dues (党费): each member's 核定 and the payments, money stored as integer fen.

Both are records on ``RecordTable``: every write is one transaction, recorded in the change
log (so a deleted payment or 核定 can be put back from 修改记录), and refused in a reported
period: a payment by the day it was paid, a 核定 by the first day of the month it starts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from branchdesk.domain.dues import (
    Arrears,
    Assessment,
    DuesCategory,
    Exclusion,
    MemberLedger,
    Month,
    Payment,
    arrears,
    from_fen,
    member_ledger,
    to_fen,
)
from branchdesk.domain.members import Member
from branchdesk.store.members import MemberRepo
from branchdesk.store.records import RecordTable

ARREARS_HISTORY_MONTHS = 36  # how far back a run of unpaid months is counted


def _fen(amount: Any) -> int | None:
    return None if amount is None else to_fen(amount)


def _yuan(fen: int | None) -> Any:
    return None if fen is None else from_fen(fen)


def _in(column: str, values: Iterable[Any] | None) -> tuple[str, list[Any]]:
    if values is None:
        return "1", []
    values = list(values)
    return f"{column} IN ({', '.join('?' * len(values))})" if values else "0", values


class AssessmentRepo(RecordTable[Assessment]):
    """The 核定 of each member, each in effect from its month until the next."""

    table = "dues_assessments"
    key = "assessment_id"
    label = "党费核定"
    record_name = "assessment"

    @staticmethod
    def _row(a: Assessment) -> dict[str, Any]:
        return {
            "member_id": a.member_id,
            "start_month": a.start.iso(),
            "category": a.category.value,
            "income_fen": _fen(a.income),
            "fixed_fen": _fen(a.fixed_amount),
            "approval": a.approval.strip(),
            "approved_on": a.approved_on.isoformat() if a.approved_on else None,
            "note": a.note.strip(),
        }

    def _write_parts(self, record_id: int, a: Assessment, *, replace: bool) -> None:
        if replace:
            self.db.execute("DELETE FROM dues_exclusions WHERE assessment_id = ?", [record_id])
        for position, e in enumerate(a.exclusions):
            self.db.execute(
                "INSERT INTO dues_exclusions (assessment_id, position, label, amount_fen) "
                "VALUES (?, ?, ?, ?)",
                [record_id, position, e.label.strip(), to_fen(e.amount)],
            )

    def _load(self, ids: list[int], marks: str) -> dict[int, Assessment]:
        return self._read(f"a.id IN ({marks})", ids)

    def _read(self, where: str, params: list[Any]) -> dict[int, Assessment]:
        found = {
            r[0]: Assessment(
                id=r[0],
                member_id=r[1],
                member_name=r[2],
                start=Month.parse(r[3]),
                category=DuesCategory(r[4]),
                income=_yuan(r[5]),
                fixed_amount=_yuan(r[6]),
                approval=r[7],
                approved_on=dt.date.fromisoformat(r[8]) if r[8] else None,
                note=r[9],
            )
            for r in self.db.execute(
                "SELECT a.id, a.member_id, m.name, a.start_month, a.category, a.income_fen, "
                "a.fixed_fen, a.approval, a.approved_on, a.note FROM dues_assessments a "
                f"JOIN members m ON m.id = a.member_id WHERE {where} "
                "ORDER BY a.member_id, a.start_month",
                params,
            ).fetchall()
        }
        if found:
            ids = list(found)
            exclusions: dict[int, list[Exclusion]] = {}
            for assessment_id, label, fen in self.db.execute(
                "SELECT assessment_id, label, amount_fen FROM dues_exclusions "
                f"WHERE assessment_id IN ({', '.join('?' * len(ids))}) "
                "ORDER BY assessment_id, position",
                ids,
            ).fetchall():
                exclusions.setdefault(assessment_id, []).append(Exclusion(label, from_fen(fen)))
            for assessment_id, items in exclusions.items():
                found[assessment_id].exclusions = tuple(items)
        return found

    def for_members(
        self, member_ids: Iterable[int] | None = None, *, until: Month | None = None
    ) -> list[Assessment]:
        """The 核定 of those members (None: everyone), starting no later than ``until``,
        by member and month."""
        where, params = _in("a.member_id", member_ids)
        if until is not None:
            where += " AND a.start_month <= ?"
            params.append(until.iso())
        return list(self._read(where, params).values())

    def find(self, member_id: int, start: Month) -> Assessment | None:
        """The member's 核定 starting in ``start``, if there is one."""
        found = self._read("a.member_id = ? AND a.start_month = ?", [member_id, start.iso()])
        return next(iter(found.values()), None)


class PaymentRepo(RecordTable[Payment]):
    """Dues handed over: amounts, the months they cover, 自愿多交 and 特殊党费 apart."""

    table = "dues_payments"
    key = "payment_id"
    label = "党费缴纳记录"
    record_name = "payment"

    @staticmethod
    def _row(p: Payment) -> dict[str, Any]:
        return {
            "member_id": p.member_id,
            "date": p.paid_on.isoformat(),
            "amount_fen": to_fen(p.amount),
            "extra_fen": to_fen(p.extra),
            "special_fen": to_fen(p.special),
            "received_by": p.received_by.strip(),
            "note": p.note.strip(),
        }

    def _write_parts(self, record_id: int, p: Payment, *, replace: bool) -> None:
        if replace:
            self.db.execute("DELETE FROM dues_payment_months WHERE payment_id = ?", [record_id])
        for month in sorted(set(p.months)):
            self.db.execute(
                "INSERT INTO dues_payment_months (payment_id, month) VALUES (?, ?)",
                [record_id, month.iso()],
            )

    def _load(self, ids: list[int], marks: str) -> dict[int, Payment]:
        return self._read(f"p.id IN ({marks})", ids)

    def _read(self, where: str, params: list[Any]) -> dict[int, Payment]:
        found = {
            r[0]: Payment(
                id=r[0],
                member_id=r[1],
                member_name=r[2],
                paid_on=dt.date.fromisoformat(r[3]),
                months=(),
                amount=from_fen(r[4]),
                extra=from_fen(r[5]),
                special=from_fen(r[6]),
                received_by=r[7],
                note=r[8],
            )
            for r in self.db.execute(
                "SELECT p.id, p.member_id, m.name, p.date, p.amount_fen, p.extra_fen, "
                "p.special_fen, p.received_by, p.note FROM dues_payments p "
                f"JOIN members m ON m.id = p.member_id WHERE {where} ORDER BY p.date, p.id",
                params,
            ).fetchall()
        }
        if found:
            ids = list(found)
            months: dict[int, list[Month]] = {}
            for payment_id, month in self.db.execute(
                "SELECT payment_id, month FROM dues_payment_months "
                f"WHERE payment_id IN ({', '.join('?' * len(ids))}) ORDER BY payment_id, month",
                ids,
            ).fetchall():
                months.setdefault(payment_id, []).append(Month.parse(month))
            for payment_id, covered in months.items():
                found[payment_id].months = tuple(covered)
        return found

    def for_members(
        self, member_ids: Iterable[int] | None = None, *, until: Month | None = None,
        since: Month | None = None,
    ) -> list[Payment]:  # fmt: skip
        """Payments of those members (None: everyone) paid, or covering a month, no later
        than ``until``, and covering a month from ``since`` on; in the order they were paid."""
        where, params = _in("p.member_id", member_ids)
        if since is not None:
            where += (
                " AND EXISTS (SELECT 1 FROM dues_payment_months pm"
                " WHERE pm.payment_id = p.id AND pm.month >= ?)"
            )
            params.append(since.iso())
        if until is not None:
            where += (
                " AND (p.date <= ? OR EXISTS (SELECT 1 FROM dues_payment_months pm"
                " WHERE pm.payment_id = p.id AND pm.month <= ?))"
            )
            params += [until.last_day.isoformat(), until.iso()]
        return list(self._read(where, params).values())

    def paid_between(self, start: dt.date, end: dt.date) -> list[Payment]:
        """Payments handed over from ``start`` to ``end`` inclusive (collections of a period)."""
        return list(
            self._read("p.date BETWEEN ? AND ?", [start.isoformat(), end.isoformat()]).values()
        )


def member_ledgers(
    db: Any, first: Month, last: Month, *, as_of: dt.date, history_from: Month | None = None,
    assessed_only: bool = False,
) -> list[tuple[Member, MemberLedger, Arrears]]:
    """Every member in the branch in some month from ``first`` to ``last``, in roster order,
    with those months and their arrears on ``as_of``, counted back to ``history_from``
    (default: three years before ``first``) so a run crossing ``first`` is counted whole.
    ``assessed_only`` leaves out members who never had a 核定 (they owe nothing)."""
    since = history_from or first.plus(-ARREARS_HISTORY_MONTHS)
    end = max(last, Month.of(as_of))
    members = [m for m in MemberRepo(db).list(include_left=True) if m.id is not None]
    by_member_a: dict[int, list[Assessment]] = {}
    for a in AssessmentRepo(db).for_members(until=end):
        by_member_a.setdefault(a.member_id, []).append(a)
    by_member_p: dict[int, list[Payment]] = {}
    for p in PaymentRepo(db).for_members(since=min(since, first)):
        by_member_p.setdefault(p.member_id, []).append(p)
    found = []
    for member in members:
        assert member.id is not None
        if assessed_only and member.id not in by_member_a:
            continue
        whole = member_ledger(member, by_member_a.get(member.id, []),
                              by_member_p.get(member.id, []), min(since, first), end)  # fmt: skip
        months = [m for m in whole.months if first <= m.month <= last]
        if not months:
            continue
        payments = [
            p for p in whole.payments
            if first.first_day <= p.paid_on <= last.last_day
            or any(first <= m <= last for m in p.months)
        ]  # fmt: skip
        found.append((member, MemberLedger(member.id, months, payments), arrears(whole, as_of)))
    return found


def arrears_on(db: Any, today: dt.date) -> list[tuple[Member, Arrears]]:
    """Members in the branch today with months ended unpaid, the longest run first."""
    month = Month.of(today)
    rows = [
        (member, owed)
        for member, _ledger, owed in member_ledgers(db, month, month, as_of=today,
                                                    assessed_only=True)
        if owed.owing and member.in_roster_on(today)
    ]
    rows.sort(key=lambda r: (-r[1].consecutive, -len(r[1].owing)))
    return rows
