"""Party dues storage: 核定 and payments round-trip, money as integer fen, history, locks."""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal as D

import pytest

from branchdesk.domain.dues import Assessment, DuesCategory, Exclusion, Month, Payment
from branchdesk.domain.members import Member
from branchdesk.domain.requirements import Period
from branchdesk.store.dues import AssessmentRepo, PaymentRepo
from branchdesk.store.history import HistoryRepo
from branchdesk.store.members import MemberRepo, NotFound
from branchdesk.store.periods import PeriodLocked, ReportedPeriodRepo


@pytest.fixture
def people(db):
    repo = MemberRepo(db)
    return [repo.add(Member(name=n)) for n in ("张伟", "李娜")]


def _assessment(member_id: int, **kw) -> Assessment:
    base = dict(
        member_id=member_id, start=Month(2026, 1), category=DuesCategory.EMPLOYED,
        income=D("6234.56"),
        exclusions=(Exclusion("个人所得税", D("100.10")), Exclusion("住房公积金", D("734.46"))),
    )  # fmt: skip
    base.update(kw)
    return Assessment(**base)


def test_assessment_round_trip_keeps_exact_money_and_exclusions(db, people):
    repo = AssessmentRepo(db)
    a = _assessment(people[0], note="2026年度核定")
    assessment_id = repo.add(a)
    back = repo.get(assessment_id)
    assert back == a and back.member_name == "张伟"
    assert back.base == D("5400.00") and back.monthly == D("81.00")
    assert isinstance(back.income, D)
    row = db.execute(
        "SELECT income_fen, typeof(income_fen) FROM dues_assessments WHERE id = ?",
        [assessment_id],
    ).fetchone()
    assert row == (623456, "integer")  # fen, never REAL
    assert [tuple(r) for r in db.execute("SELECT label, amount_fen FROM dues_exclusions "
                                         "ORDER BY position").fetchall()] == [
        ("个人所得税", 10010), ("住房公积金", 73446),
    ]  # fmt: skip
    back.exclusions = ()
    back.income = D("3000.00")
    repo.update(back)
    assert repo.get(assessment_id).exclusions == () and repo.get(assessment_id).monthly == D("15")


def test_one_assessment_per_member_and_month(db, people):
    repo = AssessmentRepo(db)
    repo.add(_assessment(people[0]))
    with pytest.raises(sqlite3.IntegrityError):
        repo.add(_assessment(people[0], income=D("1")))
    repo.add(_assessment(people[0], start=Month(2026, 7)))
    repo.add(_assessment(people[1], category=DuesCategory.FARMER, income=None, exclusions=(),
                         fixed_amount=D("0.50")))  # fmt: skip
    assert [(a.member_id, a.start.iso()) for a in repo.for_members()] == [
        (people[0], "2026-01"), (people[0], "2026-07"), (people[1], "2026-01"),
    ]  # fmt: skip
    assert len(repo.for_members([people[0]], until=Month(2026, 6))) == 1
    assert repo.find(people[0], Month(2026, 7)).start == Month(2026, 7)
    assert repo.find(people[1], Month(2026, 7)) is None
    assert repo.for_members([]) == []


def test_real_money_cannot_be_stored(db, people):
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(
            "INSERT INTO dues_payments (member_id, date, amount_fen) VALUES (?, '2026-01-05', 12.5)",
            [people[0]],
        )


def _payment(member_id: int, **kw) -> Payment:
    base = dict(
        member_id=member_id, paid_on=dt.date(2026, 3, 10),
        months=(Month(2026, 4), Month(2026, 3)), amount=D("25.00"), extra=D("10.00"),
        special=D("0.00"), received_by="组织委员 王芳",
    )  # fmt: skip
    base.update(kw)
    return Payment(**base)


def test_payment_round_trip_update_delete_and_undo_from_history(db, people):
    repo = PaymentRepo(db)
    p = _payment(people[0])
    payment_id = repo.add(p)
    back = repo.get(payment_id)
    assert back.months == (Month(2026, 3), Month(2026, 4))  # stored in month order
    assert (back.amount, back.extra, back.special) == (D("25.00"), D("10.00"), D("0.00"))
    assert back.received_by == "组织委员 王芳" and back.member_name == "张伟"
    back.months = (Month(2026, 3),)
    back.amount = D("12.50")
    repo.update(back)
    assert repo.get(payment_id).months == (Month(2026, 3),)
    removed = repo.delete(payment_id)
    with pytest.raises(NotFound, match="党费缴纳记录"):
        repo.get(payment_id)
    history = HistoryRepo(db)
    deleted = history.deleted()
    assert [c.entity_label for c in deleted] == ["党费缴纳"]
    assert deleted[0].summary == "2026-03-10 张伟 交党费22.50元（2026年3月）"
    history.restore(deleted[0].id)
    assert repo.get(payment_id) == removed
    assert history.deleted() == []


def test_assessment_deletion_is_restored_from_history(db, people):
    repo = AssessmentRepo(db)
    assessment_id = repo.add(_assessment(people[0]))
    removed = repo.delete(assessment_id)
    history = HistoryRepo(db)
    change = history.deleted("dues_assessment")[0]
    assert change.summary == "张伟 2026年1月起 在职 月交81.00元"
    history.restore(change.id)
    assert repo.get(assessment_id) == removed


def test_payments_for_members_and_periods(db, people):
    repo = PaymentRepo(db)
    early = repo.add(_payment(people[0], paid_on=dt.date(2025, 12, 20), months=(Month(2026, 1),)))
    late = repo.add(_payment(people[0], paid_on=dt.date(2026, 5, 2), months=(Month(2026, 5),)))
    other = repo.add(_payment(people[1], paid_on=dt.date(2026, 2, 2), months=(Month(2026, 2),)))
    assert [p.id for p in repo.for_members()] == [early, other, late]
    assert [p.id for p in repo.for_members([people[0]], until=Month(2026, 1))] == [early]
    assert [p.id for p in repo.for_members(since=Month(2026, 2))] == [other, late]
    assert [p.id for p in repo.paid_between(dt.date(2026, 1, 1), dt.date(2026, 3, 31))] == [other]


def test_a_member_with_dues_cannot_be_deleted_and_lose_them(db, people):
    PaymentRepo(db).add(_payment(people[0]))
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("DELETE FROM members WHERE id = ?", [people[0]])


def test_reported_periods_refuse_payments_and_assessments_dated_in_them(db, people):
    ReportedPeriodRepo(db).mark_reported(Period.parse("2026-03"))
    with pytest.raises(PeriodLocked):
        PaymentRepo(db).add(_payment(people[0]))
    with pytest.raises(PeriodLocked):
        AssessmentRepo(db).add(_assessment(people[0], start=Month(2026, 3)))
    # 补交 of March paid in April is a collection of April
    PaymentRepo(db).add(_payment(people[0], paid_on=dt.date(2026, 4, 1)))
    assert db.execute("SELECT count(*) FROM dues_payments").fetchone()[0] == 1
