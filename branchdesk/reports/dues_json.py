"""JSON for ``branchdesk dues assess`` and ``dues pay``: 核定 and payments, checked whole
before anything is written.

Amounts are text (``"12.50"``) or whole numbers; a JSON number with a decimal point is
refused, since it arrives as a binary fraction (0.1 + 0.2 is not 0.3) and money is never one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlite_utils import Database

from branchdesk.domain.dues import (
    Assessment,
    DuesCategory,
    Exclusion,
    Month,
    Payment,
    money,
    parse_months,
)
from branchdesk.reports.json_input import (
    Field,
    Kind,
    RecordInputError,
    Refused,
    Roster,
    Where,
    records_from_json,
)
from branchdesk.store.members import MemberRepo


class DuesInputError(RecordInputError):
    """The JSON describes 核定 or payments that cannot be stored; the message says where."""


_AMOUNT = Field(Kind.IGNORED)  # checked here: text or a whole number
_CATEGORY_NAMES = tuple(name for c in DuesCategory for name in (c.value, c.label))
_CATEGORY_CODES = "、".join(c.value for c in DuesCategory) + "，或中文名称（如 在职）"

ASSESS_SHAPE = {
    "member_id": Field(Kind.ID),
    "name": Field(Kind.TEXT, limit=50),
    "category": Field(Kind.CHOICE, required=True, choices=_CATEGORY_NAMES, what="党费类别",
                      example=_CATEGORY_CODES),  # fmt: skip
    "base": _AMOUNT,  # the monthly income the excluded items are taken from
    "exclusions": Field(Kind.OBJECTS, limit=50, shape={
        "label": Field(Kind.TEXT, required=True, limit=50), "amount": Field(Kind.IGNORED, True),
    }),  # fmt: skip
    "fixed_amount": _AMOUNT,
    "from_month": Field(Kind.TEXT, limit=10),
    "approval": Field(Kind.TEXT, limit=200),
    "note": Field(Kind.TEXT, limit=500),
}
PAY_SHAPE = {
    "member_id": Field(Kind.ID),
    "name": Field(Kind.TEXT, limit=50),
    "months": Field(Kind.TEXTS, required=True, limit=240, item_limit=20),
    "amount": Field(Kind.IGNORED, required=True),
    "paid_on": Field(Kind.DATE, required=True),
    "extra": _AMOUNT,
    "special": _AMOUNT,
    "received_by": Field(Kind.TEXT, limit=50),
    "note": Field(Kind.TEXT, limit=500),
}


def _money(value: Any, where: Where, *, optional: bool = True) -> Decimal | None:
    if value is None or value == "":
        if optional:
            return None
        raise Refused(where.says("缺少金额"))
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise Refused(where.says(f'金额请写成文字，如 "12.50"（带小数点的数字会有误差），收到 {value!r}'))
    try:
        amount = money(value)
    except ValueError as exc:
        raise Refused(where.says(str(exc))) from None
    if amount < 0:
        raise Refused(where.says("金额不能是负数"))
    return amount


def _month(text: str, where: Where) -> Month:
    try:
        return Month.parse(text)
    except ValueError as exc:
        raise Refused(where.says(str(exc))) from None


def assessments_from_json(
    db: Database, data: Any, year: int, *, today: dt.date | None = None
) -> list[Assessment]:
    """The 核定 described, each from ``from_month`` (January of ``year`` when not given)."""

    def builder() -> Callable[[dict[str, Any], Where], Assessment]:
        roster = Roster(MemberRepo(db).list(include_left=True))

        def build(item: dict[str, Any], where: Where) -> Assessment:
            member = roster.named(item, where)
            assert member.id is not None
            start = Month(year, 1)
            if item.get("from_month"):
                start = _month(item["from_month"], where / "from_month")
                if start.year != year:
                    raise Refused((where / "from_month").says(f"不在 --year {year} 这一年"))
            category = DuesCategory(item["category"])
            exclusions = tuple(
                Exclusion(e["label"].strip(),
                          _money(e["amount"], where / "exclusions" / i / "amount",
                                 optional=False) or Decimal(0))  # fmt: skip
                for i, e in enumerate(item.get("exclusions") or [])
            )
            assessment = Assessment(
                member_id=member.id,
                member_name=member.name,
                start=start,
                category=category,
                income=_money(item.get("base"), where / "base"),
                exclusions=exclusions,
                fixed_amount=_money(item.get("fixed_amount"), where / "fixed_amount"),
                approval=item.get("approval") or "",
                note=item.get("note") or "",
            )
            problems = assessment.problems()
            if problems:
                raise Refused(*(where.says(f"{member.name}：{p}") for p in problems))
            return assessment

        return build

    return records_from_json(data, ASSESS_SHAPE, noun="核定", today=today or dt.date.today(),
                             error=DuesInputError, builder=builder)  # fmt: skip


def payments_from_json(db: Database, data: Any, *, today: dt.date | None = None) -> list[Payment]:
    """The payments described; a member's months outside the branch are refused later by
    ``ops.record_payments``, with the member named."""

    def builder() -> Callable[[dict[str, Any], Where], Payment]:
        roster = Roster(MemberRepo(db).list(include_left=True))

        def build(item: dict[str, Any], where: Where) -> Payment:
            member = roster.named(item, where)
            assert member.id is not None
            months: list[Month] = []
            given = item["months"]
            for i, text in enumerate([given] if isinstance(given, str) else given):
                try:
                    months.extend(parse_months(text))
                except ValueError as exc:
                    raise Refused((where / "months" / i).says(str(exc))) from None
            payment = Payment(
                member_id=member.id,
                member_name=member.name,
                paid_on=dt.date.fromisoformat(item["paid_on"]),
                months=tuple(sorted(set(months))),
                amount=_money(item["amount"], where / "amount", optional=False) or Decimal(0),
                extra=_money(item.get("extra"), where / "extra") or Decimal(0),
                special=_money(item.get("special"), where / "special") or Decimal(0),
                received_by=item.get("received_by") or "",
                note=item.get("note") or "",
            )
            problems = payment.problems()
            if problems:
                raise Refused(*(where.says(f"{member.name}：{p}") for p in problems))
            return payment

        return build

    return records_from_json(data, PAY_SHAPE, noun="缴费记录", today=today or dt.date.today(),
                             error=DuesInputError, builder=builder)  # fmt: skip
