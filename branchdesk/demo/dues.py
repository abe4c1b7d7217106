"""Two years of party dues for the demo branch: a 核定 each January, payments on the 党费日
(the 8th), one member paying by the quarter, one with months unpaid, one 补交."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from sqlite_utils import Database

from branchdesk.domain.dues import (
    Assessment,
    DuesCategory,
    Exclusion,
    Month,
    Payment,
    money,
    months_in_branch,
)
from branchdesk.domain.members import Member
from branchdesk.store.dues import AssessmentRepo, PaymentRepo
from branchdesk.store.members import MemberRepo

DUES_DAY = 8  # the branch's 党费日


def _assessment(member: Member, start: Month, rng: random.Random, raise_by: Decimal) -> Assessment:
    assert member.id is not None
    work = member.workplace
    if "退休" in work:
        pension = money(Decimal(rng.randrange(280000, 720000)) / 100 * raise_by)
        return Assessment(member.id, start, DuesCategory.RETIRED, income=pension)
    category = DuesCategory.SELF_EMPLOYED if "个体" in work else DuesCategory.EMPLOYED
    pay = money(Decimal(rng.randrange(420000, 1600000)) / 100 * raise_by)
    exclusions = (
        Exclusion("个人所得税", money(pay * Decimal("0.02"))),
        Exclusion("社会保险个人缴纳", money(pay * Decimal("0.105"))),
        Exclusion("住房公积金", money(pay * Decimal("0.08"))),
    )
    return Assessment(member.id, start, category, income=pay, exclusions=exclusions)


def write_demo_dues(db: Database, *, today: dt.date, seed: int = 1) -> int:
    """Write this year's and last year's dues up to ``today``; return how many payments."""
    rng = random.Random(seed * 104729)
    first = Month(today.year - 1, 1)
    # the months whose 党费日 has come
    last = Month.of(today) if today.day >= DUES_DAY else Month.of(today).plus(-1)
    members = [m for m in MemberRepo(db).list() if m.id is not None]
    assessments = AssessmentRepo(db)
    payments = PaymentRepo(db)
    written = 0
    for index, member in enumerate(members):
        assert member.id is not None
        months = months_in_branch(member, first, last)
        if not months:
            continue
        by_year = {}
        for year, raise_by in ((first.year, Decimal(1)), (today.year, Decimal("1.03"))):
            start = max(Month(year, 1), months[0])
            if start.year != year:
                continue
            state = rng.getstate()
            a = _assessment(member, start, rng, raise_by)
            rng.setstate(state)  # the same person, the same pay but raised
            assessments.add(a)
            by_year[year] = a.monthly
        rng.random()

        plan: list[tuple[list[Month], Month]] = []  # (months covered, month paid in)
        pay = plan.append  # (months covered, month paid in)

        if index == 6:  # stopped paying four months ago: the 工作台 warns
            for month in months[:-4]:
                pay(([month], month))
        elif index == 9:  # missed March to May last year, paid back in June
            missed = {Month(first.year, m) for m in (3, 4, 5)}
            for month in months:
                if month in missed:
                    continue
                pay((sorted([month, *missed]) if month == Month(first.year, 6) else [month], month))
        elif index % 9 == 4:  # pays by the quarter, ahead, in its first month
            for month in months:
                if month.month % 3 == 1 or month == months[0]:
                    quarter_end = Month(month.year, (month.month - 1) // 3 * 3 + 3)
                    pay((months_in_branch(member, month, quarter_end), month))
        else:
            for month in months:
                pay(([month], month))
        for covered, on in plan:
            amount = sum((by_year.get(m.year) or next(iter(by_year.values())) for m in covered),
                         Decimal(0))  # fmt: skip
            payments.add(Payment(member.id, dt.date(on.year, on.month, DUES_DAY), tuple(covered),
                                 amount, received_by="组织委员"))  # fmt: skip
            written += 1
    return written
