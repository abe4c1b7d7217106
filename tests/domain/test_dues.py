"""Party dues rules (中组发〔2008〕3号, 组电明字〔2017〕5号) as pure functions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from branchdesk.domain.dates import PartialDate
from branchdesk.domain.dues import (
    Assessment,
    DuesCategory,
    Exclusion,
    Month,
    MonthState,
    Payment,
    arrears,
    band_for,
    describe_assessment,
    exclusions_text,
    from_fen,
    member_ledger,
    money,
    month_range,
    months_in_branch,
    months_text,
    parse_exclusions,
    parse_months,
    payment_month_problems,
    to_fen,
    yuan_text,
)
from branchdesk.domain.members import Category, JoinHow, Member, MemberStatus

C = DuesCategory


def employed(income: str, *, start: str = "2026-01", member_id: int = 1, **kw) -> Assessment:
    return Assessment(member_id, Month.parse(start), C.EMPLOYED, income=D(income), **kw)


# -- money --------------------------------------------------------------------------------------


def test_money_is_decimal_yuan_half_up_to_the_fen():
    assert money("12.345") == D("12.35")  # half-up, not banker's (which gives 12.34)
    assert money(D("12.344")) == D("12.34")
    assert money(D("0.005")) == D("0.01")
    assert money("1,234.5元") == D("1234.50")
    assert money(7) == D("7.00")
    assert str(money("3")) == "3.00"


@pytest.mark.parametrize("bad", [12.5, 0.1, True])
def test_money_refuses_floats(bad):
    with pytest.raises(TypeError, match="浮点数"):
        money(bad)


def test_money_refuses_text_that_is_not_an_amount():
    with pytest.raises(ValueError, match="“十二元”不是金额"):
        money("十二元")
    with pytest.raises(ValueError, match="不是金额"):
        money("NaN")


def test_a_float_income_is_refused_when_the_amount_is_worked_out():
    with pytest.raises(TypeError):
        Assessment(1, Month(2026, 1), C.EMPLOYED, income=4000.0).problems()  # type: ignore[arg-type]


def test_fen_round_trip():
    for text in ("0.00", "0.20", "12.35", "150000.01"):
        assert from_fen(to_fen(D(text))) == D(text)
    assert to_fen(D("12.345")) == 1235
    assert yuan_text(D("12.5")) == "12.50"


# -- bands --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("income", "rate", "monthly"),
    [
        ("2999.99", "0.005", "15.00"),  # 14.99995 -> 15.00
        ("3000.00", "0.005", "15.00"),  # inclusive at the top
        ("3000.01", "0.01", "30.00"),  # 30.0001
        ("4999.99", "0.01", "50.00"),
        ("5000.00", "0.01", "50.00"),
        ("5000.01", "0.015", "75.00"),  # 75.00015
        ("10000.00", "0.015", "150.00"),
        ("10000.01", "0.02", "200.00"),  # 200.0002
        ("0.00", "0.005", "0.00"),
        ("2345.00", "0.005", "11.73"),  # 11.725 rounds half-up
    ],
)
def test_working_bands_are_inclusive_at_the_top(income, rate, monthly):
    a = employed(income)
    assert a.problems() == []
    assert a.band.rate == D(rate)
    assert a.monthly == D(monthly)


def test_the_whole_base_pays_one_rate_not_progressively():
    assert employed("8000.00").monthly == D("120.00")  # 8000 x 1.5%, not 15+20+45


@pytest.mark.parametrize(
    ("income", "monthly"),
    [("5000.00", "25.00"), ("5000.01", "50.00"), ("4321.10", "21.61"), ("6000.00", "60.00")],
)
def test_retired_bands(income, monthly):
    a = Assessment(1, Month(2026, 1), C.RETIRED, income=D(income))
    assert a.monthly == D(monthly)


def test_annual_salary_and_self_employed_use_the_working_bands():
    for category in (C.ANNUAL_SALARY, C.SELF_EMPLOYED):
        assert Assessment(1, Month(2026, 1), category, income=D("3000.01")).monthly == D("30.00")
    assert band_for(C.SELF_EMPLOYED, D("3000")).label == "3000元以下（含）"
    with pytest.raises(ValueError, match="不按收入比例"):
        band_for(C.STUDENT, D("100"))


def test_exclusions_of_the_2017_notice_are_subtracted_from_the_income():
    a = employed(
        "6200.00",
        exclusions=(Exclusion("社会保险个人缴纳", D("700.00")), Exclusion("住房公积金", D("499.99"))),
    )
    assert a.base == D("5000.01")
    assert a.monthly == D("75.00")  # the base's band, not the income's
    b = employed("6200.00", exclusions=(Exclusion("社会保险", D("1200.00")),))
    assert b.base == D("5000.00") and b.monthly == D("50.00") and b.standard == "1%"


def test_exclusions_cannot_exceed_the_income():
    a = employed("1000.00", exclusions=(Exclusion("公积金", D("1000.01")),))
    assert a.problems() == ["扣除项目合计超过了月收入"]
    assert employed("100", exclusions=(Exclusion(" ", D("1")),)).problems() == ["扣除项目要写明名称"]


@pytest.mark.parametrize("category", [C.STUDENT, C.UNEMPLOYED, C.LOW_INCOME, C.RELIEF])
def test_flat_categories_pay_twenty_fen(category):
    a = Assessment(1, Month(2026, 1), category)
    assert a.problems() == [] and a.monthly == D("0.20") and a.standard == "定额0.20元"
    with_income = Assessment(1, Month(2026, 1), category, income=D("3000"))
    assert with_income.problems() == [f"{category.label}党员的党费不按收入计算，不要填写月收入和扣除项目"]


def test_farmers_pay_an_amount_set_between_twenty_fen_and_one_yuan():
    for amount in ("0.20", "0.50", "1.00"):
        a = Assessment(1, Month(2026, 1), C.FARMER, fixed_amount=D(amount))
        assert a.problems() == [] and a.monthly == D(amount)
    for amount in ("0.19", "1.01"):
        a = Assessment(1, Month(2026, 1), C.FARMER, fixed_amount=D(amount))
        assert a.problems() == ["农民党员每月交纳0.20至1.00元"]
    assert Assessment(1, Month(2026, 1), C.FARMER).problems() == [
        "农民党员要填写每月交纳的金额（0.20至1.00元）"
    ]


def test_reduced_and_exempt_need_an_approval():
    reduced = Assessment(1, Month(2026, 1), C.REDUCED, fixed_amount=D("5.00"))
    assert reduced.problems() == ["少交党费要有批准：填写批准的党组织和文号"]
    reduced.approval = "街道党工委 2026年1月5日批复"
    assert reduced.problems() == [] and reduced.monthly == D("5.00")
    exempt = Assessment(1, Month(2026, 1), C.EXEMPT)
    assert exempt.problems() == ["免交党费要有批准：填写批准的党组织和文号"]
    exempt.approval = "支部大会同意，街道党工委批准"
    assert exempt.problems() == [] and exempt.monthly == D("0.00") and exempt.standard == "免交"
    assert Assessment(1, Month(2026, 1), C.REDUCED, approval="x").problems() == [
        "少交党费要填写批准后每月交纳的金额"
    ]


def test_income_categories_need_an_income():
    assert Assessment(1, Month(2026, 1), C.RETIRED).problems() == ["离退休党员要填写月收入"]
    assert employed("-1").problems() == ["月收入不能是负数"]


# -- months -------------------------------------------------------------------------------------


def test_months_cross_the_year_boundary():
    assert Month(2025, 11).plus(3) == Month(2026, 2)
    assert Month(2026, 2).plus(-2) == Month(2025, 12)
    assert Month(2026, 2).minus(Month(2025, 11)) == 3
    assert [m.iso() for m in month_range(Month(2025, 11), Month(2026, 2))] == [
        "2025-11", "2025-12", "2026-01", "2026-02",
    ]  # fmt: skip
    assert Month(2024, 2).last_day == dt.date(2024, 2, 29)
    assert Month.parse("2026年3月") == Month.parse("2026.3") == Month(2026, 3)
    with pytest.raises(ValueError, match="不是月份"):
        Month.parse("2026")
    with pytest.raises(ValueError, match="月份不对"):
        Month(2026, 13)


# -- who owes which months ----------------------------------------------------------------------

YEAR = (Month(2026, 1), Month(2026, 12))


def test_a_probationary_member_owes_from_the_month_of_the_branch_meeting():
    m = Member("李娜", id=1, join_date=PartialDate(2026, 6, 28), category=Category.PROBATIONARY,
               branch_join_how=JoinHow.DEVELOPED)  # fmt: skip
    assert months_in_branch(m, *YEAR) == month_range(Month(2026, 6), Month(2026, 12))


def test_a_member_transferred_in_owes_from_the_month_of_transfer():
    m = Member("王强", id=1, join_date=PartialDate(2001, 7, 1),
               branch_join_date=PartialDate(2026, 4, 20), branch_join_how=JoinHow.TRANSFER_IN)  # fmt: skip
    assert months_in_branch(m, *YEAR)[0] == Month(2026, 4)


def test_a_member_leaving_owes_up_to_the_month_they_leave_in():
    out = Member("赵敏", id=1, join_date=PartialDate(2000, 1, 1),
                 status=MemberStatus.TRANSFERRED_OUT, status_date=PartialDate(2026, 9, 15))  # fmt: skip
    assert months_in_branch(out, *YEAR)[-1] == Month(2026, 9)
    # left on the first of October: not in the branch on any day of October
    out.status_date = PartialDate(2026, 10, 1)
    assert months_in_branch(out, *YEAR)[-1] == Month(2026, 9)
    out.status_date = None  # gone, nobody recorded when: nothing is owed here
    assert months_in_branch(out, *YEAR) == []


def test_mid_year_change_is_a_new_assessment_from_a_month():
    m = Member("张伟", id=1, join_date=PartialDate(2000, 1, 1))
    first = employed("4000.00")
    raised = employed("6000.00", start="2026-07")
    ledger = member_ledger(m, [raised, first], [], *YEAR)
    dues = [row.due for row in ledger.months]
    assert dues == [D("40.00")] * 6 + [D("90.00")] * 6
    assert ledger.due_total == D("780.00")
    # without a 核定 for January, January is 未核定 and owes nothing
    late = member_ledger(m, [raised], [], *YEAR)
    assert late.months[0].state is MonthState.NOT_ASSESSED and late.months[0].due == 0


# -- payments -----------------------------------------------------------------------------------

MEMBER = Member("张伟", id=1, join_date=PartialDate(2000, 1, 1))


def pay(months: list[str], amount: str, on: dt.date, **kw) -> Payment:
    return Payment(1, on, tuple(Month.parse(m) for m in months), D(amount), **kw)


def test_paying_three_months_ahead():
    p = pay(["2026-03", "2026-04", "2026-05"], "37.50", dt.date(2026, 3, 10))
    assert p.problems() == [] and p.flags() == [] and len(p.months_ahead) == 2
    ledger = member_ledger(MEMBER, [employed("2500.00")], [p], *YEAR)
    assert [ledger.month(Month(2026, m)).state for m in (3, 4, 5, 6)] == [
        MonthState.PAID, MonthState.PAID, MonthState.PAID, MonthState.UNPAID,
    ]  # fmt: skip
    assert ledger.month(Month(2026, 5)).paid_on == dt.date(2026, 3, 10)
    assert ledger.paid_total == D("37.50")


def test_a_payment_short_of_the_dues_fills_the_earliest_months_first():
    p = pay(["2026-01", "2026-02"], "15.00", dt.date(2026, 2, 5))
    ledger = member_ledger(MEMBER, [employed("2500.00")], [p], *YEAR)  # 12.50 a month
    assert ledger.month(Month(2026, 1)).state is MonthState.PAID
    feb = ledger.month(Month(2026, 2))
    assert feb.paid == D("2.50") and feb.state is MonthState.SHORT


def test_back_pay_of_seven_months_is_allowed_but_flagged():
    seven = pay([f"2026-{m:02d}" for m in range(1, 8)], "87.50", dt.date(2026, 8, 3))
    assert seven.problems() == []
    assert seven.back_pay_flagged
    assert seven.flags() == ["一次补交了7个月的党费，超过了一般补交不超过6个月的规定"]
    six = pay([f"2026-{m:02d}" for m in range(2, 9)], "87.50", dt.date(2026, 8, 3))
    assert not six.back_pay_flagged  # six months back and the current one


def test_a_voluntary_thousand_yuan_goes_wholly_to_the_centre():
    p = pay(["2026-03"], "12.50", dt.date(2026, 3, 1), extra=D("1000.00"))
    assert p.to_centre == D("1000.00")
    assert "一次自愿多交1000.00元，全部上缴中央" in p.flags()
    assert pay(["2026-03"], "12.50", dt.date(2026, 3, 1), extra=D("999.99")).to_centre == 0
    special = pay(["2026-03"], "12.50", dt.date(2026, 3, 1), special=D("2000"))
    assert special.to_centre == D("2000.00")
    # a year paid ahead is ordinary dues, however large
    year = pay([f"2027-{m:02d}" for m in range(1, 13)], "1800.00", dt.date(2026, 12, 20))
    assert year.to_centre == 0 and year.flags() == []


def test_extra_and_special_are_kept_apart_from_the_dues():
    p = pay(["2026-03"], "12.50", dt.date(2026, 3, 1), extra=D("50"), special=D("100"))
    ledger = member_ledger(MEMBER, [employed("2500.00")], [p], *YEAR)
    assert ledger.paid_total == D("12.50")
    assert ledger.extra_total == D("50.00") and ledger.special_total == D("100.00")
    assert p.total == D("162.50")


def test_a_special_dues_gift_alone_needs_no_months():
    gift = Payment(1, dt.date(2026, 5, 12), (), D("0"), special=D("500"))
    assert gift.problems() == [] and gift.flags() == []
    assert Payment(1, dt.date(2026, 5, 12), (), D("0")).problems() == ["交纳金额为零"]


def test_bad_payments_say_what_is_wrong():
    assert pay([], "1", dt.date(2026, 1, 1)).problems() == ["要写明交的是哪几个月的党费"]
    assert pay(["2026-01", "2026-01"], "1", dt.date(2026, 1, 1)).problems() == ["同一个月写了两次"]
    assert pay(["2026-01"], "-1", dt.date(2026, 1, 1)).problems()[0] == "党费金额不能是负数"
    with pytest.raises(TypeError, match="浮点数"):
        Payment(1, dt.date(2026, 1, 1), (Month(2026, 1),), 12.5).problems()  # type: ignore[arg-type]


def test_a_payment_for_months_outside_the_branch_is_named():
    m = Member("王强", id=1, branch_join_date=PartialDate(2026, 4, 20))
    p = pay(["2026-03", "2026-04"], "25.00", dt.date(2026, 4, 25))
    assert payment_month_problems(m, p) == ["王强2026年3月不在本支部，不应在本支部交纳这几个月的党费"]
    assert payment_month_problems(m, pay(["2026-04"], "1", dt.date(2026, 4, 25))) == []


# -- arrears ------------------------------------------------------------------------------------


def test_arrears_count_consecutive_months_across_the_year_boundary():
    paid = pay([f"2025-{m:02d}" for m in range(1, 10)], "112.50", dt.date(2025, 9, 5))
    ledger = member_ledger(MEMBER, [employed("2500.00", start="2025-01")], [paid],
                           Month(2025, 1), Month(2026, 3))  # fmt: skip
    owed = arrears(ledger, dt.date(2026, 2, 10))  # Oct, Nov, Dec, Jan ended unpaid
    assert owed.owing == (Month(2025, 10), Month(2025, 11), Month(2025, 12), Month(2026, 1))
    assert owed.consecutive == 4 and owed.warned and not owed.overdue
    assert owed.amount == D("50.00")
    assert owed.six_months_on == dt.date(2026, 3, 31)  # October + 5 months ends
    assert owed.describe() == (
        "欠缴4个月，共50.00元；自2025年10月起连续4个月未交，到2026年3月31日将满6个月"
    )
    three = arrears(ledger, dt.date(2026, 1, 31))  # January is not yet over
    assert three.consecutive == 3 and not three.warned
    six = arrears(ledger, dt.date(2026, 4, 1))
    assert six.consecutive == 6 and six.overdue and six.describe().endswith("已满6个月（党章第九条）")


def test_a_part_payment_breaks_the_run_but_stays_owing():
    payments = [pay(["2026-02"], "5.00", dt.date(2026, 2, 20))]
    ledger = member_ledger(MEMBER, [employed("2500.00")], payments, *YEAR)
    owed = arrears(ledger, dt.date(2026, 6, 1))  # Jan unpaid, Feb short, Mar-May unpaid
    assert owed.owing == tuple(Month(2026, m) for m in range(1, 6))
    assert owed.consecutive == 3 and owed.run_start == Month(2026, 3)
    assert owed.amount == D("57.50")  # 5 x 12.50 less the 5.00 paid


def test_exempt_and_unassessed_months_are_not_arrears():
    exempt = Assessment(1, Month(2026, 1), C.EXEMPT, approval="批准")
    ledger = member_ledger(MEMBER, [exempt], [], *YEAR)
    assert arrears(ledger, dt.date(2026, 12, 1)).owing == ()
    assert arrears(member_ledger(MEMBER, [], [], *YEAR), dt.date(2026, 12, 1)).owing == ()


def test_no_arrears_after_leaving():
    out = Member("赵敏", id=1, join_date=PartialDate(2000, 1, 1),
                 status=MemberStatus.TRANSFERRED_OUT, status_date=PartialDate(2026, 3, 10))  # fmt: skip
    ledger = member_ledger(out, [employed("2500.00")], [], *YEAR)
    owed = arrears(ledger, dt.date(2026, 12, 1))
    assert owed.owing == (Month(2026, 1), Month(2026, 2), Month(2026, 3))


def test_months_typed_over_in_the_grid():
    assert parse_months("2026-03") == (Month(2026, 3),)
    assert parse_months("2025-11至2026-02") == tuple(month_range(Month(2025, 11), Month(2026, 2)))
    assert parse_months("2026-05、2026-03，2026-03") == (Month(2026, 3), Month(2026, 5))
    assert parse_months("") == ()
    with pytest.raises(ValueError, match="结束月份早于开始月份"):
        parse_months("2026-03至2026-01")
    assert months_text(parse_months("2025-11至2026-02、2026-05")) == "2025-11至2026-02、2026-05"
    assert months_text([Month(2026, 3)]) == "2026-03"


def test_exclusions_typed_one_a_line_and_the_amount_described():
    items = parse_exclusions("个人所得税 100.10\n\n住房公积金：734.46元\n社会保险 1,200")
    assert items == (Exclusion("个人所得税", D("100.10")), Exclusion("住房公积金", D("734.46")),
                     Exclusion("社会保险", D("1200.00")))  # fmt: skip
    assert parse_exclusions(exclusions_text(items)) == items
    with pytest.raises(ValueError, match="扣除项目第2行“公积金”应写作“名称 金额”"):
        parse_exclusions("社保 1\n公积金")
    a = employed("7234.56", exclusions=items[:2])
    assert describe_assessment(a) == (
        "月基数 6400.00 元，5000元以上至10000元（含），按 1.5%，月应缴 96.00 元"
    )
    assert describe_assessment(Assessment(1, Month(2026, 1), C.STUDENT)) == "每月定额 0.20 元"
