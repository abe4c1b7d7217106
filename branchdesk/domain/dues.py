"""Party dues (党费): the yearly 核定 of each member's monthly amount, payments, the monthly
ledger and arrears.

The rules are those of 《关于中国共产党党费收缴、使用和管理的规定》 (中组发〔2008〕3号) with
the income base of 组电明字〔2017〕5号:

- 在职 / 年薪制 / 个体经营: the monthly base (after-tax fixed pay, less the items the 2017
  notice excludes) times the rate of its band, the whole base at one rate (not progressive):
  up to 3,000 元 inclusive 0.5%, up to 5,000 inclusive 1%, up to 10,000 inclusive 1.5%,
  above 2%.
- 离退休: up to 5,000 元 inclusive 0.5%, above 1%.
- 农民: an amount set between 0.20 and 1.00 元 a month.
- 学生, 下岗失业, 低保, 抚恤救济: 0.20 元 a month.
- 少交 (a set amount) and 免交 (nothing): only with an approval recorded.

Money is ``Decimal`` yuan with two places, rounded half-up to the fen; a float is refused.
A month is owed for each month the member is in the branch on at least one day (a 预备党员
from the month of the 支部大会 that admitted them, a transferred-in member from the month of
transfer, up to the month they leave) once a 核定 is in effect for it.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from branchdesk.domain.members import CodedEnum, Member

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
FLAT_AMOUNT = Decimal("0.20")  # 学生, 下岗失业, 低保, 抚恤救济
FARMER_MIN = Decimal("0.20")
FARMER_MAX = Decimal("1.00")
CENTRE_THRESHOLD = Decimal("1000.00")  # 第十一条: 一次自愿多交1000元以上 goes to the 中央
BACK_PAY_LIMIT = 6  # 第十二条: 补交 normally covers at most six months
ARREARS_WARNING_MONTHS = 4  # 工作台 warns from the fourth month unpaid ...
ARREARS_LIMIT_MONTHS = 6  # ... of the six of 党章第九条 (自行脱党)


# -- money ------------------------------------------------------------------------------------


def money(value: Decimal | int | str, what: str = "金额") -> Decimal:
    """``value`` as yuan with two decimals, half-up to the fen. Floats are refused: they
    cannot hold 0.1 exactly. Text may carry thousands separators and a trailing 元."""
    if type(value) is Decimal and value.is_finite():  # the common case, first
        return value.quantize(FEN, rounding=ROUND_HALF_UP)
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError(f"{what}不能用浮点数表示，请用 Decimal 或文字")
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "").removesuffix("元").strip()
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{what}“{value}”不是金额") from None
    elif isinstance(value, int):
        value = Decimal(value)
    elif not isinstance(value, Decimal):
        raise TypeError(f"{what}的类型不对：{type(value).__name__}")
    if not value.is_finite():
        raise ValueError(f"{what}“{value}”不是金额")
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def to_fen(amount: Decimal) -> int:
    """Yuan as an integer number of fen, for storing."""
    return int(money(amount) * 100)


def from_fen(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(FEN)


def yuan_text(amount: Decimal) -> str:
    """``12.50``: two decimals, no separators (what files and the JSON carry)."""
    return f"{money(amount):.2f}"


# -- months -----------------------------------------------------------------------------------

_MONTH_TEXT = re.compile(r"^\s*(\d{4})\s*[-./年]\s*(\d{1,2})\s*月?\s*$")


@dataclass(frozen=True, eq=False, slots=True)
class Month:
    """A calendar month, the unit dues are owed in. Compared and hashed by one number: a
    ledger of years for a thousand members compares months a few hundred thousand times."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1900 <= self.year <= 2200 or not 1 <= self.month <= 12:
            raise ValueError(f"月份不对：{self.year}年{self.month}月")

    @property
    def index(self) -> int:
        return self.year * 12 + self.month

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Month) and self.index == other.index

    def __hash__(self) -> int:
        return self.year * 12 + self.month

    def __lt__(self, other: Month) -> bool:
        return self.year * 12 + self.month < other.year * 12 + other.month

    def __le__(self, other: Month) -> bool:
        return self.year * 12 + self.month <= other.year * 12 + other.month

    def __gt__(self, other: Month) -> bool:
        return self.year * 12 + self.month > other.year * 12 + other.month

    def __ge__(self, other: Month) -> bool:
        return self.year * 12 + self.month >= other.year * 12 + other.month

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, text: str) -> Month:
        """``2026-03``, ``2026.3`` or ``2026年3月``."""
        if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
            return cls(int(text[:4]), int(text[5:]))  # the stored form, read often
        match = _MONTH_TEXT.match(text)
        if not match:
            raise ValueError(f"“{text}”不是月份（应写作 2026-03）")
        return cls(int(match[1]), int(match[2]))

    def iso(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def label(self) -> str:
        return f"{self.year}年{self.month}月"

    def __str__(self) -> str:
        return self.iso()

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return self.plus(1).first_day - dt.timedelta(days=1)

    def plus(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def minus(self, other: Month) -> int:
        """How many months ``other`` lies before this one."""
        return (self.year - other.year) * 12 + self.month - other.month


def month_range(first: Month, last: Month) -> list[Month]:
    """Every month from ``first`` to ``last``, both included."""
    return [first.plus(i) for i in range(last.minus(first) + 1)]


def parse_months(text: str) -> tuple[Month, ...]:
    """Months as typed over in the 党费日 grid: ``2026-03``, ``2026-03、2026-05`` or a span
    ``2026-01至2026-03`` (also ``~`` or ``--``), in order, each once."""
    found: set[Month] = set()
    for part in re.split(r"[,，、;；\s]+", text.strip()):
        if not part:
            continue
        ends = re.split(r"至|~|～|--", part)
        if len(ends) == 2:
            first, last = Month.parse(ends[0]), Month.parse(ends[1])
            if last < first:
                raise ValueError(f"“{part}”的结束月份早于开始月份")
            found.update(month_range(first, last))
        elif len(ends) == 1:
            found.add(Month.parse(part))
        else:
            raise ValueError(f"“{part}”不是月份（应写作 2026-03 或 2026-01至2026-03）")
    return tuple(sorted(found))


def months_text(months: Iterable[Month]) -> str:
    """``2026-03`` or ``2026-01至2026-03`` or ``2026-01、2026-03``: runs of months joined."""
    ordered = sorted(set(months))
    parts: list[str] = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j].plus(1):
            j += 1
        parts.append(ordered[i].iso() if i == j else f"{ordered[i].iso()}至{ordered[j].iso()}")
        i = j + 1
    return "、".join(parts)


# -- the 核定 ---------------------------------------------------------------------------------


class DuesCategory(CodedEnum):
    """How a member's monthly dues are fixed (党费交纳类别)."""

    EMPLOYED = ("employed", "在职")
    ANNUAL_SALARY = ("annual_salary", "年薪制")
    SELF_EMPLOYED = ("self_employed", "个体经营")
    RETIRED = ("retired", "离退休")
    FARMER = ("farmer", "农民")
    STUDENT = ("student", "学生")
    UNEMPLOYED = ("unemployed", "下岗失业")
    LOW_INCOME = ("low_income", "低保")
    RELIEF = ("relief", "抚恤救济")
    REDUCED = ("reduced", "少交")
    EXEMPT = ("exempt", "免交")

    @property
    def from_income(self) -> bool:
        """The amount is a rate of the member's income."""
        return self in _BANDS

    @property
    def flat(self) -> bool:
        return self in _FLAT

    @property
    def needs_approval(self) -> bool:
        return self in (DuesCategory.REDUCED, DuesCategory.EXEMPT)


@dataclass(frozen=True)
class Band:
    """Incomes up to ``up_to`` inclusive (None: no limit) pay ``rate`` of the whole base."""

    up_to: Decimal | None
    rate: Decimal
    label: str

    @property
    def rate_text(self) -> str:
        """``0.5%``."""
        return f"{(self.rate * 100).normalize():f}%"


_WORKING_BANDS = (
    Band(Decimal("3000.00"), Decimal("0.005"), "3000元以下（含）"),
    Band(Decimal("5000.00"), Decimal("0.01"), "3000元以上至5000元（含）"),
    Band(Decimal("10000.00"), Decimal("0.015"), "5000元以上至10000元（含）"),
    Band(None, Decimal("0.02"), "10000元以上"),
)
_RETIRED_BANDS = (
    Band(Decimal("5000.00"), Decimal("0.005"), "5000元以下（含）"),
    Band(None, Decimal("0.01"), "5000元以上"),
)
_BANDS = {
    DuesCategory.EMPLOYED: _WORKING_BANDS,
    DuesCategory.ANNUAL_SALARY: _WORKING_BANDS,
    DuesCategory.SELF_EMPLOYED: _WORKING_BANDS,
    DuesCategory.RETIRED: _RETIRED_BANDS,
}
_FLAT = (
    DuesCategory.STUDENT, DuesCategory.UNEMPLOYED, DuesCategory.LOW_INCOME, DuesCategory.RELIEF,
)  # fmt: skip


def band_for(category: DuesCategory, base: Decimal) -> Band:
    """The band of a monthly base; the limits are inclusive at the top."""
    bands = _BANDS.get(category)
    if bands is None:
        raise ValueError(f"“{category.label}”的党费不按收入比例计算")
    base = money(base, "月基数")
    return next(b for b in bands if b.up_to is None or base <= b.up_to)


@dataclass(frozen=True)
class Exclusion:
    """An item of pay that does not count (组电明字〔2017〕5号): 个人所得税, 社保, 公积金,
    年金, 改革性补贴, 奖励性绩效 ..."""

    label: str
    amount: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", money(self.amount, f"扣除项目“{self.label}”"))


@dataclass
class Assessment:
    """A member's 核定 in effect from ``start`` until the next one: the yearly fixing of the
    monthly amount, or a mid-year change from the month new pay starts.

    ``income`` is the monthly pay before the excluded items (for the categories paying a
    rate); ``fixed_amount`` is the set amount for 农民 and 少交; ``approval`` (who approved,
    the document) is required for 少交 and 免交.
    """

    member_id: int
    start: Month
    category: DuesCategory
    income: Decimal | None = None
    exclusions: tuple[Exclusion, ...] = ()
    fixed_amount: Decimal | None = None
    approval: str = ""
    approved_on: dt.date | None = None
    note: str = ""
    id: int | None = None
    member_name: str = field(default="", compare=False)  # filled in when read back

    def __post_init__(self) -> None:  # amounts to the fen; a float is refused here
        if self.income is not None:
            self.income = money(self.income, "月收入")
        if self.fixed_amount is not None:
            self.fixed_amount = money(self.fixed_amount, "每月定额")

    @property
    def day(self) -> dt.date:
        return self.start.first_day

    @property
    def base(self) -> Decimal | None:
        """The monthly base: the income less the excluded items."""
        if self.income is None:
            return None
        return money(self.income) - sum((money(e.amount) for e in self.exclusions), ZERO)

    @property
    def band(self) -> Band | None:
        if not self.category.from_income or self.base is None:
            return None
        return band_for(self.category, self.base)

    @property
    def monthly(self) -> Decimal:
        """The monthly amount, half-up to the fen."""
        if self.category.from_income:
            band, base = self.band, self.base
            assert band is not None and base is not None, self.problems()
            return (base * band.rate).quantize(FEN, rounding=ROUND_HALF_UP)
        if self.category.flat:
            return FLAT_AMOUNT
        if self.category is DuesCategory.EXEMPT:
            return ZERO
        assert self.fixed_amount is not None, self.problems()
        return money(self.fixed_amount)

    @property
    def standard(self) -> str:
        """What the 台账's 执行标准 column says: ``1%`` or ``定额0.20元`` or ``免交``."""
        if self.category.from_income:
            band = self.band
            return band.rate_text if band else ""
        if self.category is DuesCategory.EXEMPT:
            return "免交"
        return f"定额{yuan_text(self.monthly)}元"

    def problems(self) -> list[str]:
        """What is wrong with this 核定, in Chinese; empty when it can be stored."""
        found = []
        what = self.category.label
        if self.category.from_income:
            if self.income is None:
                found.append(f"{what}党员要填写月收入")
            elif money(self.income, "月收入") < 0:
                found.append("月收入不能是负数")
            for e in self.exclusions:
                if not e.label.strip():
                    found.append("扣除项目要写明名称")
                if money(e.amount, f"扣除项目“{e.label}”") < 0:
                    found.append(f"扣除项目“{e.label}”的金额不能是负数")
            if not found and self.base is not None and self.base < 0:
                found.append("扣除项目合计超过了月收入")
        elif self.income is not None or self.exclusions:
            found.append(f"{what}党员的党费不按收入计算，不要填写月收入和扣除项目")
        if self.category is DuesCategory.FARMER:
            if self.fixed_amount is None:
                found.append("农民党员要填写每月交纳的金额（0.20至1.00元）")
            elif not FARMER_MIN <= money(self.fixed_amount) <= FARMER_MAX:
                found.append("农民党员每月交纳0.20至1.00元")
        elif self.category is DuesCategory.REDUCED:
            if self.fixed_amount is None or money(self.fixed_amount) <= 0:
                found.append("少交党费要填写批准后每月交纳的金额")
        elif self.fixed_amount is not None:
            found.append(f"{what}党员不填写定额")
        if self.category.needs_approval and not self.approval.strip():
            found.append(f"{what}党费要有批准：填写批准的党组织和文号")
        return found


def parse_exclusions(text: str) -> tuple[Exclusion, ...]:
    """Excluded pay items typed one a line, ``名称 金额`` (``住房公积金 500``, ``社保：312.5元``)."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        match = re.match(r"^(.*?)[\s:：]+([-+]?[\d,，.]+)\s*元?$", line)
        if not match or not match[1].strip():
            raise ValueError(f"扣除项目第{number}行“{line}”应写作“名称 金额”，如“住房公积金 500”")
        found.append(Exclusion(match[1].strip(), money(match[2], f"扣除项目“{match[1].strip()}”")))
    return tuple(found)


def exclusions_text(exclusions: Iterable[Exclusion]) -> str:
    return "\n".join(f"{e.label} {yuan_text(e.amount)}" for e in exclusions)


def describe_assessment(a: Assessment) -> str:
    """One line saying how the amount was reached: base, band and rate, the monthly amount."""
    if a.category.from_income and a.band is not None and a.base is not None:
        return (
            f"月基数 {yuan_text(a.base)} 元，{a.band.label}，按 {a.band.rate_text}，"
            f"月应缴 {yuan_text(a.monthly)} 元"
        )
    if a.category is DuesCategory.EXEMPT:
        return "免交党费"
    return f"每月定额 {yuan_text(a.monthly)} 元"


# -- payments ---------------------------------------------------------------------------------


@dataclass
class Payment:
    """Dues a member handed over on ``paid_on``: ``amount`` for ``months`` (the month itself,
    several ahead, or a 补交 of months gone by); 自愿多交 (``extra``) and 特殊党费
    (``special``) kept apart from the ordinary dues."""

    member_id: int
    paid_on: dt.date
    months: tuple[Month, ...]
    amount: Decimal
    extra: Decimal = ZERO
    special: Decimal = ZERO
    received_by: str = ""
    note: str = ""
    id: int | None = None
    member_name: str = field(default="", compare=False)  # filled in when read back

    def __post_init__(self) -> None:  # amounts to the fen; a float is refused here
        self.amount = money(self.amount, "党费")
        self.extra = money(self.extra, "自愿多交")
        self.special = money(self.special, "特殊党费")

    @property
    def day(self) -> dt.date:
        return self.paid_on

    @property
    def total(self) -> Decimal:
        return money(self.amount) + money(self.extra) + money(self.special)

    @property
    def months_back(self) -> list[Month]:
        """The months covered that ended before the month of payment (补交)."""
        now = Month.of(self.paid_on)
        return [m for m in self.months if m < now]

    @property
    def months_ahead(self) -> list[Month]:
        now = Month.of(self.paid_on)
        return [m for m in self.months if m > now]

    @property
    def back_pay_flagged(self) -> bool:
        """A 补交 of more than six months: allowed, but the rule normally limits it."""
        return len(self.months_back) > BACK_PAY_LIMIT

    @property
    def to_centre(self) -> Decimal:
        """What goes wholly to the 中央 (第十一条): a one-off voluntary 多交 (or 特殊党费) of
        1,000 元 or more. Ordinary dues paid months ahead are not 多交."""
        return sum(
            (x for x in (money(self.extra), money(self.special)) if x >= CENTRE_THRESHOLD), ZERO
        )

    def problems(self) -> list[str]:
        found = []
        if not self.months and money(self.amount) != 0:  # 多交 or 特殊党费 alone need none
            found.append("要写明交的是哪几个月的党费")
        if len(set(self.months)) != len(self.months):
            found.append("同一个月写了两次")
        for what, value in (("党费", self.amount), ("自愿多交", self.extra),
                            ("特殊党费", self.special)):  # fmt: skip
            if money(value, what) < 0:
                found.append(f"{what}金额不能是负数")
        if self.total <= 0:
            found.append("交纳金额为零")
        elif money(self.amount) == 0 and self.months:
            found.append("交了几个月的党费，党费金额却是零")
        return found

    def flags(self) -> list[str]:
        """What a 组织委员 should look at again, though it may be stored."""
        found = []
        if self.back_pay_flagged:
            found.append(
                f"一次补交了{len(self.months_back)}个月的党费，超过了一般补交不超过6个月的规定"
            )
        if self.to_centre:
            found.append(f"一次自愿多交{yuan_text(self.to_centre)}元，全部上缴中央")
        return found


# -- the ledger -------------------------------------------------------------------------------


def months_in_branch(member: Member, first: Month, last: Month) -> list[Month]:
    """The months from ``first`` to ``last`` the member was in the branch on at least one day:
    from the month of joining it (for a 预备党员 the 支部大会's month, their join date) up to
    the month before the first day they no longer count."""
    start = member.branch_start()
    left = member.left_on()
    if left is None and not member.status.in_roster:
        return []  # gone, and nobody recorded when
    if start is not None:
        first = max(first, Month.of(start))
    if left is not None:
        last = min(last, Month.of(left - dt.timedelta(days=1)))
    return month_range(first, last) if first <= last else []


class MonthState(CodedEnum):
    PAID = ("paid", "已交")
    SHORT = ("short", "未交足")  # part paid (not the approved 少交 of a category)
    UNPAID = ("unpaid", "未交")
    EXEMPT = ("exempt", "免交")
    NOT_ASSESSED = ("not_assessed", "未核定")


@dataclass(frozen=True)
class MonthDue:
    """One month of a member's ledger."""

    month: Month
    due: Decimal  # 应缴 (0 without a 核定)
    paid: Decimal  # 实缴, ordinary dues only
    paid_on: dt.date | None  # the last payment covering it
    assessment: Assessment | None

    @property
    def state(self) -> MonthState:
        if self.assessment is None:
            return MonthState.NOT_ASSESSED if self.paid == 0 else MonthState.PAID
        if self.due == 0:
            return MonthState.EXEMPT
        if self.paid >= self.due:
            return MonthState.PAID
        return MonthState.SHORT if self.paid > 0 else MonthState.UNPAID

    @property
    def owing(self) -> bool:
        return self.state in (MonthState.SHORT, MonthState.UNPAID)


@dataclass
class MemberLedger:
    """A member's months from ``first`` to ``last`` with what was due and paid."""

    member_id: int
    months: list[MonthDue]
    payments: list[Payment] = field(default_factory=list)

    def month(self, month: Month) -> MonthDue | None:
        return next((m for m in self.months if m.month == month), None)

    @property
    def due_total(self) -> Decimal:
        return sum((m.due for m in self.months), ZERO)

    @property
    def paid_total(self) -> Decimal:
        return sum((m.paid for m in self.months), ZERO)

    @property
    def extra_total(self) -> Decimal:
        return sum((money(p.extra) for p in self.payments), ZERO)

    @property
    def special_total(self) -> Decimal:
        return sum((money(p.special) for p in self.payments), ZERO)


def member_ledger(
    member: Member,
    assessments: Sequence[Assessment],
    payments: Sequence[Payment],
    first: Month,
    last: Month,
) -> MemberLedger:
    """The member's months in the branch from ``first`` to ``last``.

    A payment's ``amount`` is spread over its months in order, each taking its due; what is
    left over stays with the last month (paid more than due). ``payments`` may cover months
    outside the range: only the range is shown, the spreading is the same. (Months are
    handled as numbers inside: the 工作台 reads every member's years on each refresh.)
    """
    assert member.id is not None
    mine = sorted((a for a in assessments if a.member_id == member.id), key=lambda a: a.start)
    dues = _Dues(mine)
    paid: dict[int, Decimal] = {}
    paid_on: dict[int, dt.date] = {}
    shown = []
    low, high = first.index, last.index
    first_day, last_day = first.first_day, last.last_day
    for payment in sorted(
        (p for p in payments if p.member_id == member.id), key=lambda p: (p.paid_on, p.id or 0)
    ):
        covered = sorted(m.index for m in payment.months)
        for index, share in _spread(payment.amount, covered, dues):
            paid[index] = paid.get(index, ZERO) + share
            paid_on[index] = payment.paid_on
        if first_day <= payment.paid_on <= last_day or any(low <= i <= high for i in covered):
            shown.append(payment)
    rows = []
    for month in months_in_branch(member, first, last):
        index = month.index
        assessment, due = dues.at(index)
        rows.append(
            MonthDue(
                month=month,
                due=due,
                paid=paid.get(index, ZERO),
                paid_on=paid_on.get(index),
                assessment=assessment,
            )
        )
    return MemberLedger(member.id, rows, shown)


class _Dues:
    """One member's 核定 by month number, each monthly amount worked out once."""

    def __init__(self, assessments: list[Assessment]) -> None:  # sorted by start
        self.assessments = assessments
        self.starts = [a.start.index for a in assessments]
        self.monthly = [a.monthly for a in assessments]

    def at(self, index: int) -> tuple[Assessment | None, Decimal]:
        i = bisect.bisect_right(self.starts, index) - 1
        return (self.assessments[i], self.monthly[i]) if i >= 0 else (None, ZERO)


def spread(payment: Payment, assessments: Sequence[Assessment]) -> dict[Month, Decimal]:
    """How a payment's ordinary dues fall on its months: each month its due, in order, the
    remainder on the last month."""
    mine = sorted((a for a in assessments if a.member_id == payment.member_id),
                  key=lambda a: a.start)  # fmt: skip
    covered = sorted(m.index for m in payment.months)
    return {
        Month((i - 1) // 12, (i - 1) % 12 + 1): share
        for i, share in _spread(payment.amount, covered, _Dues(mine))
    }


def _spread(amount: Decimal, covered: list[int], dues: _Dues) -> list[tuple[int, Decimal]]:
    left = amount
    shares = []
    for position, index in enumerate(covered):
        if position == len(covered) - 1:
            shares.append((index, left))
            break
        share = min(dues.at(index)[1], left)
        shares.append((index, share))
        left -= share
    return shares


def payment_month_problems(member: Member, payment: Payment) -> list[str]:
    """Months a payment covers that the member was not in the branch for."""
    if not payment.months:
        return []
    inside = set(months_in_branch(member, min(payment.months), max(payment.months)))
    outside = [m for m in sorted(payment.months) if m not in inside]
    if not outside:
        return []
    listed = "、".join(m.label() for m in outside)
    return [f"{member.name}{listed}不在本支部，不应在本支部交纳这几个月的党费"]


# -- arrears ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Arrears:
    """A member's unpaid months (欠缴) before the month of ``as_of``."""

    member_id: int
    owing: tuple[Month, ...]  # every month ended unpaid or short
    amount: Decimal  # what those months still lack
    consecutive: int  # months in a row with nothing paid, up to the last month ended
    run_start: Month | None  # the first of those months

    @property
    def warned(self) -> bool:
        return self.consecutive >= ARREARS_WARNING_MONTHS

    @property
    def overdue(self) -> bool:
        """Six months in a row unpaid (党章第九条)."""
        return self.consecutive >= ARREARS_LIMIT_MONTHS

    @property
    def six_months_on(self) -> dt.date | None:
        """The day the sixth month in a row ends unpaid, if nothing is paid before."""
        if self.run_start is None:
            return None
        return self.run_start.plus(ARREARS_LIMIT_MONTHS - 1).last_day

    def describe(self) -> str:
        text = f"欠缴{len(self.owing)}个月，共{yuan_text(self.amount)}元"
        if self.consecutive and self.run_start:
            text += f"；自{self.run_start.label()}起连续{self.consecutive}个月未交"
        if self.overdue:
            text += "，已满6个月（党章第九条）"
        elif self.warned and self.six_months_on:
            d = self.six_months_on
            text += f"，到{d.year}年{d.month}月{d.day}日将满6个月"
        return text


def arrears(ledger: MemberLedger, as_of: dt.date) -> Arrears:
    """The ledger's unpaid months that ended before ``as_of``'s month. A month with part paid
    is owing but does not count as a month in a row with nothing paid."""
    current = Month.of(as_of)
    ended = [m for m in ledger.months if m.month < current]
    owing = [m for m in ended if m.owing]
    consecutive = 0
    run_start = None
    for row in reversed(ended):
        if row.state is not MonthState.UNPAID:
            break  # paid, part paid, exempt, or no amount fixed yet
        consecutive += 1
        run_start = row.month
    return Arrears(
        member_id=ledger.member_id,
        owing=tuple(m.month for m in owing),
        amount=sum((m.due - m.paid for m in owing), ZERO),
        consecutive=consecutive,
        run_start=run_start,
    )
