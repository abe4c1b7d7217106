"""Writes to party dues (党费): a member's 核定 from a month, payments, and reading the ledger.

Bad input raises ``ValueError`` with a Chinese message naming the member; nothing is
stored then. Every write reports ``Changes.dues`` (and ``history``: it is in 修改记录).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from branchdesk.domain.dues import (
    Arrears,
    Assessment,
    MemberLedger,
    Month,
    Payment,
    payment_month_problems,
)
from branchdesk.domain.members import Member
from branchdesk.ops.changes import Changes, OpResult
from branchdesk.store.dues import AssessmentRepo, PaymentRepo, member_ledgers
from branchdesk.store.members import MemberRepo
from branchdesk.store.session import Session


def _dues(*days: dt.date | None) -> Changes:
    return Changes.of("dues", "history", days=days)


def _member(session: Session, member_id: int) -> Member:
    return MemberRepo(session.db).get(member_id)  # NotFound (党员 … 不存在) if gone


def _refuse(member: Member, problems: list[str]) -> None:
    if problems:
        raise ValueError(f"{member.name}：" + "；".join(problems))


def set_assessment(session: Session, assessment: Assessment) -> OpResult[int]:
    """Store a member's 核定 from its month: the yearly one, or a change from the month new
    pay starts. A 核定 the member already has for that month is replaced."""
    with session.transaction() as db:
        member = _member(session, assessment.member_id)
        _refuse(member, assessment.problems())
        repo = AssessmentRepo(db)
        existing = repo.find(assessment.member_id, assessment.start)
        assessment.member_name = member.name
        if existing is not None:
            assessment.id = existing.id
            repo.update(assessment)
        else:
            assessment.id = None
            repo.add(assessment)
        assert assessment.id is not None
    return OpResult(assessment.id, _dues(assessment.start.first_day))


def delete_assessment(session: Session, assessment_id: int) -> OpResult[Assessment]:
    """Remove a 核定 (entered by mistake); the one before it applies again."""
    with session.transaction() as db:
        removed = AssessmentRepo(db).delete(assessment_id)
    return OpResult(removed, _dues(removed.start.first_day))


@dataclass(frozen=True)
class PaymentSaved:
    """A stored payment and what the 组织委员 should look at again (补交 of more than six
    months, a one-off 多交 going wholly to the centre)."""

    id: int
    flags: tuple[str, ...]


def _check_payment(session: Session, payment: Payment) -> Member:
    member = _member(session, payment.member_id)
    _refuse(member, payment.problems())
    _refuse(member, payment_month_problems(member, payment))
    payment.member_name = member.name
    return member


def record_payment(session: Session, payment: Payment) -> OpResult[PaymentSaved]:
    """Store dues a member handed over (or put a deleted payment back, with its id)."""
    with session.transaction() as db:
        _check_payment(session, payment)
        payment_id = PaymentRepo(db).add(payment)
    return OpResult(PaymentSaved(payment_id, tuple(payment.flags())), _dues(payment.paid_on))


def record_payments(session: Session, payments: Iterable[Payment]) -> OpResult[list[PaymentSaved]]:
    """Store several payments (a 党费日's collection), all or nothing."""
    payments = list(payments)
    saved = []
    with session.transaction() as db:
        repo = PaymentRepo(db)
        for payment in payments:
            _check_payment(session, payment)
            saved.append(PaymentSaved(repo.add(payment), tuple(payment.flags())))
    return OpResult(saved, _dues(*(p.paid_on for p in payments)))


def update_payment(session: Session, payment: Payment) -> OpResult[PaymentSaved]:
    """Store a corrected payment; its old date counts as touched too."""
    if payment.id is None:
        raise ValueError("payment has no id")
    with session.transaction() as db:
        repo = PaymentRepo(db)
        before = repo.get(payment.id)
        _check_payment(session, payment)
        repo.update(payment)
    saved = PaymentSaved(payment.id, tuple(payment.flags()))
    return OpResult(saved, _dues(payment.paid_on, before.paid_on))


def delete_payment(session: Session, payment_id: int) -> OpResult[Payment]:
    """Delete a payment and return it whole, so the deletion can be undone."""
    with session.transaction() as db:
        removed = PaymentRepo(db).delete(payment_id)
    return OpResult(removed, _dues(removed.paid_on))


# -- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DuesRow:
    """One member's ledger for a span of months, with their arrears on a day."""

    member: Member
    ledger: MemberLedger
    arrears: Arrears


def ledgers(
    session: Session, first: Month, last: Month, *, as_of: dt.date | None = None,
    history_from: Month | None = None,
) -> list[DuesRow]:  # fmt: skip
    """Every member who was in the branch in some month from ``first`` to ``last``, in roster
    order, with their months and their arrears on ``as_of`` (today), counted back far enough
    that a run of unpaid months crossing ``first`` is counted whole."""
    rows = member_ledgers(session.db, first, last, as_of=as_of or dt.date.today(),
                          history_from=history_from)  # fmt: skip
    return [DuesRow(member, ledger, owed) for member, ledger, owed in rows]
