"""Party dues operations through a Session, as the window and the command line call them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest

from branchdesk import ops
from branchdesk.domain.dates import PartialDate
from branchdesk.domain.dues import Assessment, DuesCategory, Exclusion, Month, MonthState, Payment
from branchdesk.domain.members import Category, JoinHow, Member, MemberStatus
from branchdesk.domain.requirements import Period
from branchdesk.ops import Changes, Session
from branchdesk.ops.dues import ledgers
from branchdesk.store.db import DB_FILENAME, open_database
from branchdesk.store.dues import AssessmentRepo, PaymentRepo
from branchdesk.store.history import HistoryRepo
from branchdesk.store.lock import DataFolderLock
from branchdesk.store.periods import PeriodLocked


@pytest.fixture
def session(data_dir: Path):
    open_database(data_dir / DB_FILENAME).close()
    lock = DataFolderLock(data_dir)
    lock.acquire()
    opened = Session.open(data_dir, lock=lock)
    yield opened
    opened.close()


@pytest.fixture
def branch(session):
    """张伟 there always; 李娜 admitted 预备 at the 支部大会 of 2026-06-28; 王强 transferred in
    on 2026-04-20; 赵敏 transferred out on 2026-09-15."""
    add = lambda m: ops.add_member(session, m).value  # noqa: E731
    return {
        "张伟": add(Member("张伟", join_date=PartialDate(1998, 7, 1))),
        "李娜": add(Member("李娜", join_date=PartialDate(2026, 6, 28),
                           category=Category.PROBATIONARY, branch_join_how=JoinHow.DEVELOPED)),
        "王强": add(Member("王强", join_date=PartialDate(2001, 7, 1),
                           branch_join_date=PartialDate(2026, 4, 20),
                           branch_join_how=JoinHow.TRANSFER_IN)),
        "赵敏": add(Member("赵敏", join_date=PartialDate(2005, 7, 1))),
    }  # fmt: skip


def _employed(member_id: int, income: str, start: str = "2026-01") -> Assessment:
    return Assessment(member_id, Month.parse(start), DuesCategory.EMPLOYED, income=D(income))


def test_set_assessment_says_dues_changed_and_replaces_the_same_month(session, branch):
    done = ops.set_assessment(session, _employed(branch["张伟"], "4000.00"))
    assert done.changes == Changes.of("dues", "history", days=[dt.date(2026, 1, 1)])
    again = ops.set_assessment(session, _employed(branch["张伟"], "6000.00"))
    assert again.value == done.value  # one 核定 per member and month
    stored = AssessmentRepo(session.db).for_members([branch["张伟"]])
    assert [a.monthly for a in stored] == [D("90.00")]
    mid_year = ops.set_assessment(session, _employed(branch["张伟"], "8000.00", "2026-07"))
    assert mid_year.value != done.value
    assert len(AssessmentRepo(session.db).for_members()) == 2
    assert ops.delete_assessment(session, mid_year.value).changes.dues
    assert len(AssessmentRepo(session.db).for_members()) == 1


def test_a_bad_assessment_is_refused_with_the_members_name_and_nothing_stored(session, branch):
    with pytest.raises(ValueError, match="^张伟：扣除项目合计超过了月收入$"):
        ops.set_assessment(session, Assessment(
            branch["张伟"], Month(2026, 1), DuesCategory.EMPLOYED, income=D("100"),
            exclusions=(Exclusion("公积金", D("200")),),
        ))  # fmt: skip
    with pytest.raises(ValueError, match="免交党费要有批准"):
        ops.set_assessment(session, Assessment(branch["张伟"], Month(2026, 1), DuesCategory.EXEMPT))
    assert AssessmentRepo(session.db).count() == 0
    assert not [c for c in HistoryRepo(session.db).recent() if c.entity.startswith("dues")]


def test_record_payment_flags_long_back_pay_and_money_to_the_centre(session, branch):
    ops.set_assessment(session, _employed(branch["张伟"], "2500.00"))
    seven = Payment(branch["张伟"], dt.date(2026, 8, 3),
                    tuple(Month(2026, m) for m in range(1, 8)), D("87.50"),
                    extra=D("1000.00"), received_by="王芳")  # fmt: skip
    done = ops.record_payment(session, seven)
    assert done.changes == Changes.of("dues", "history", days=[dt.date(2026, 8, 3)])
    assert done.value.flags == (
        "一次补交了7个月的党费，超过了一般补交不超过6个月的规定",
        "一次自愿多交1000.00元，全部上缴中央",
    )
    stored = PaymentRepo(session.db).get(done.value.id)
    assert stored.amount == D("87.50") and stored.extra == D("1000.00")


def test_payments_for_months_outside_the_branch_are_refused(session, branch):
    ops.set_assessment(session, _employed(branch["王强"], "2500.00"))
    early = Payment(branch["王强"], dt.date(2026, 4, 25), (Month(2026, 3), Month(2026, 4)),
                    D("25.00"))  # fmt: skip
    with pytest.raises(ValueError, match="王强：王强2026年3月不在本支部"):
        ops.record_payment(session, early)
    with pytest.raises(ValueError, match="要写明交的是哪几个月"):
        ops.record_payment(session, Payment(branch["王强"], dt.date(2026, 4, 25), (), D("1")))
    assert PaymentRepo(session.db).count() == 0


def test_a_dues_day_is_stored_all_or_nothing(session, branch):
    good = Payment(branch["张伟"], dt.date(2026, 5, 8), (Month(2026, 5),), D("12.50"))
    bad = Payment(branch["李娜"], dt.date(2026, 5, 8), (Month(2026, 5),), D("0.20"))  # not yet in
    with pytest.raises(ValueError, match="李娜"):
        ops.record_payments(session, [good, bad])
    assert PaymentRepo(session.db).count() == 0
    done = ops.record_payments(session, [good])
    assert len(done.value) == 1 and done.changes.dues


def test_update_and_delete_payment_and_undo_from_history(session, branch):
    p = Payment(branch["张伟"], dt.date(2026, 3, 10), (Month(2026, 3),), D("12.50"))
    payment_id = ops.record_payment(session, p).value.id
    p.paid_on = dt.date(2026, 3, 12)
    moved = ops.update_payment(session, p)
    assert moved.changes.days == {dt.date(2026, 3, 10), dt.date(2026, 3, 12)}
    removed = ops.delete_payment(session, payment_id)
    assert removed.changes == Changes.of("dues", "history", days=[dt.date(2026, 3, 12)])
    assert removed.value.paid_on == dt.date(2026, 3, 12)
    change = HistoryRepo(session.db).deleted()[0]
    back = ops.restore_from_history(session, change.id)
    assert back.changes == Changes.of("dues", "history")
    assert PaymentRepo(session.db).get(payment_id) == removed.value


def test_a_reported_month_refuses_a_payment_dated_in_it(session, branch):
    ops.mark_period_reported(session, Period.parse("2026-03"))
    with pytest.raises(PeriodLocked):
        ops.record_payment(session, Payment(branch["张伟"], dt.date(2026, 3, 10),
                                            (Month(2026, 3),), D("12.50")))  # fmt: skip


def test_read_only_sessions_refuse_dues_writes(session, branch, data_dir):
    reader = Session.open(data_dir, read_only=True)
    try:
        with pytest.raises(Exception, match="只读"):
            ops.set_assessment(reader, _employed(branch["张伟"], "2500.00"))
    finally:
        reader.close()


def test_the_ledger_follows_each_members_time_in_the_branch(session, branch):
    for name in ("张伟", "王强", "赵敏"):
        ops.set_assessment(session, _employed(branch[name], "2500.00"))
    ops.set_assessment(session, Assessment(branch["李娜"], Month(2026, 1), DuesCategory.STUDENT))
    ops.set_member_status(session, branch["赵敏"], MemberStatus.TRANSFERRED_OUT,
                          PartialDate(2026, 9, 15))  # fmt: skip
    ops.record_payment(session, Payment(branch["张伟"], dt.date(2026, 1, 8),
                                        tuple(Month(2026, m) for m in (1, 2, 3)), D("37.50")))
    rows = {r.member.name: r for r in ledgers(session, Month(2026, 1), Month(2026, 12),
                                              as_of=dt.date(2026, 12, 15))}  # fmt: skip
    assert [m.month.month for m in rows["李娜"].ledger.months] == list(range(6, 13))
    assert rows["李娜"].ledger.due_total == D("1.40")  # seven months at 0.20
    assert rows["王强"].ledger.months[0].month == Month(2026, 4)
    assert rows["赵敏"].ledger.months[-1].month == Month(2026, 9)
    zhang = rows["张伟"]
    assert [m.state for m in zhang.ledger.months[:4]] == [MonthState.PAID] * 3 + [MonthState.UNPAID]
    assert zhang.ledger.paid_total == D("37.50") and zhang.ledger.due_total == D("150.00")
    assert zhang.arrears.consecutive == 8 and zhang.arrears.overdue  # April to November
    assert rows["李娜"].arrears.consecutive == 6  # June to November, the 0.20 too


def test_arrears_are_counted_across_the_year_boundary(session, branch):
    ops.set_assessment(session, _employed(branch["张伟"], "2500.00", "2025-01"))
    ops.record_payment(session, Payment(branch["张伟"], dt.date(2025, 9, 5),
                                        tuple(Month(2025, m) for m in range(1, 10)), D("112.50")))
    rows = ledgers(session, Month(2026, 1), Month(2026, 12), as_of=dt.date(2026, 2, 3))
    zhang = next(r for r in rows if r.member.name == "张伟")
    assert zhang.arrears.consecutive == 4 and zhang.arrears.warned
    assert zhang.arrears.six_months_on == dt.date(2026, 3, 31)


def test_the_demo_branch_has_two_years_of_dues_with_arrears_and_a_back_payment(tmp_path):
    from branchdesk.demo import write_demo_branch
    from branchdesk.store.dues import arrears_on

    today = dt.date(2026, 12, 2)
    write_demo_branch(tmp_path / "demo", members=36, seed=1, today=today)
    db = open_database(tmp_path / "demo" / DB_FILENAME)
    try:
        starts = {a.start.year for a in AssessmentRepo(db).for_members()}
        assert starts == {2025, 2026}
        payments = PaymentRepo(db).for_members()
        assert min(p.paid_on for p in payments).year == 2025
        assert any(p.months_back for p in payments)  # a 补交
        assert any(p.months_ahead for p in payments)  # a quarter paid ahead
        owing = arrears_on(db, today)
        assert owing and all(o.warned for _m, o in owing)
    finally:
        db.close()
