"""Dates as people write them in rosters, with month precision where that is all we know."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class PartialDate:
    """A calendar date, or only a year and month (``2019.07``) when the day was never recorded."""

    year: int
    month: int
    day: int | None = None

    def __post_init__(self) -> None:
        if not 1900 <= self.year <= 2200 or not 1 <= self.month <= 12:
            raise ValueError(f"invalid date {self.year}-{self.month}")
        if self.day is not None:
            dt.date(self.year, self.month, self.day)  # raises ValueError when impossible

    @classmethod
    def of(cls, day: dt.date) -> PartialDate:
        return cls(day.year, day.month, day.day)

    @classmethod
    def from_iso(cls, text: str | None) -> PartialDate | None:
        """Read the stored form: ``YYYY-MM-DD`` or ``YYYY-MM``."""
        if not text:
            return None
        parts = text.split("-")
        if len(parts) == 2:
            return cls(int(parts[0]), int(parts[1]))
        return cls(int(parts[0]), int(parts[1]), int(parts[2]))

    @property
    def month_only(self) -> bool:
        return self.day is None

    def iso(self) -> str:
        """Return the stored form, ``YYYY-MM`` when only the month is known."""
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, self.day or 1)

    def display(self) -> str:
        """Return the form shown to people: ``2019-07-01`` or ``2019-07``."""
        return self.iso()

    def __str__(self) -> str:
        return self.iso()


class AmbiguousDate(ValueError):
    """A value that cannot be read as a date without guessing (``2019.1``)."""


_SEPARATED = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?|月?)$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")


def parse_date_text(text: str) -> PartialDate:
    """Read a date typed by a person.

    Accepts ``2019-07-01``, ``2019/7/1``, ``2019.07.01``, ``2019年7月1日``, ``20190701``,
    ``2019.07``, ``2019年7月`` and ``201907``. Raises ``ValueError`` with a Chinese message
    for anything else.
    """
    cleaned = unicodedata.normalize("NFKC", text).strip()
    cleaned = re.sub(r"\s+00:00(:00)?$", "", cleaned)  # "2019-07-01 00:00:00" from str(datetime)
    if not cleaned:
        raise ValueError("日期为空")
    match = _SEPARATED.match(cleaned) or _COMPACT.match(cleaned)
    if not match:
        raise ValueError(f"无法识别的日期“{text}”，请写成 2019-07-01 或 2019.07")
    year, month = int(match.group(1)), int(match.group(2))
    day = int(match.group(3)) if match.group(3) else None
    try:
        return PartialDate(year, month, day)
    except ValueError:
        raise ValueError(f"日期“{text}”不存在") from None


def parse_date_value(value: object, *, date1904: bool = False) -> PartialDate | None:
    """Read a spreadsheet cell value as a date; ``None`` for an empty cell.

    Real date cells arrive as ``datetime``. A number in a General cell is either an
    Excel serial (a date format that openpyxl does not know), a compact ``20190701``,
    or a ``2019.07``-style value that Excel stored as a float: the last is ambiguous
    when the month had a trailing zero (``2019.1`` may be January or October) and is
    refused rather than guessed.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return PartialDate(value.year, value.month, value.day)
    if isinstance(value, dt.date):
        return PartialDate.of(value)
    if isinstance(value, bool):
        raise ValueError(f"无法识别的日期“{value}”")
    if isinstance(value, int | float):
        return _parse_number(value, date1904)
    text = str(value).strip()
    if not text:
        return None
    return parse_date_text(text)


def _parse_number(value: float, date1904: bool) -> PartialDate:
    if isinstance(value, float) and not value.is_integer():
        whole = int(value)
        if 1900 <= whole <= 2200:
            digits = repr(value).split(".")[1]
            if len(digits) == 1:
                raise AmbiguousDate(
                    f"“{value}”无法确定月份（可能是 {whole} 年 {digits} 月，也可能是 "
                    f"{whole} 年 {digits}0 月），请在表格中把这一格设为文本后写成 {whole}.{digits}0 或 "
                    f"{whole}-0{digits}"
                )
            if len(digits) == 2:
                return PartialDate(whole, int(digits))
        raise ValueError(f"无法识别的日期“{value}”")
    number = int(value)
    if 1900 <= number <= 2200:
        # A bare year; as an Excel serial it would be a day in 1905, so never read it as one.
        raise ValueError(f"“{number}”只有年份，请写出年月，如 {number}.07")
    if 19000101 <= number <= 22001231:
        return parse_date_text(str(number))
    if 190001 <= number <= 220012:
        return parse_date_text(str(number))
    if 1 <= number <= 200000:  # an Excel serial day number
        # 1900 system: serial 1 is 1900-01-01 and Excel counts a 29 Feb 1900 that never was.
        base = dt.date(1904, 1, 1) if date1904 else dt.date(1899, 12, 30)
        if not date1904 and number < 61:
            base = dt.date(1899, 12, 31)
        converted = base + dt.timedelta(days=number)
        return PartialDate(converted.year, converted.month, converted.day)
    raise ValueError(f"无法识别的日期“{value}”")


def add_years(day: dt.date, years: int) -> dt.date:
    """Return the same calendar day ``years`` later (28 February for 29 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
