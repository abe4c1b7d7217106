"""Reusable pieces for the .xlsx files BranchDesk writes: safe text, CJK widths, A4 print set-up.

Every string a user typed is written as text (never a formula: openpyxl turns any
string starting with ``=`` into one), with control characters removed; ID numbers and
phones are text too, so Excel keeps all 18 digits.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import unicodedata
from collections.abc import Sequence
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, MergedCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.worksheet import Worksheet

FONT_NAME = "宋体"
BODY_SIZE = 11
MAX_CELL_CHARS = 32_767

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BODY_FONT = Font(name=FONT_NAME, size=BODY_SIZE)
HEADER_FONT = Font(name=FONT_NAME, size=BODY_SIZE, bold=True)
TITLE_FONT = Font(name=FONT_NAME, size=18, bold=True)
SUBTITLE_FONT = Font(name=FONT_NAME, size=BODY_SIZE)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
LEFT_NOWRAP = Alignment(horizontal="left", vertical="center")

PAGE_FOOTER = "第 &P 页，共 &N 页"

# Dates are real date cells shown the Chinese way (2026年11月10日), never ISO text; a date
# known only to the month (a roster's 2019.07) is the month's first day shown without it.
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
MONTH_FORMAT = 'yyyy"年"m"月"'


def date_value(value: Any) -> tuple[dt.date, str] | None:
    """A date or ``PartialDate`` as the cell value and number format to write; None if empty.

    ``PartialDate`` is recognised by its shape (``first_day``, ``month_only``) so that this
    module needs nothing from the domain.
    """
    if not value:
        return None
    if isinstance(value, dt.datetime):
        return value.date(), DATE_FORMAT
    if isinstance(value, dt.date):
        return value, DATE_FORMAT
    first_day = getattr(value, "first_day", None)
    if callable(first_day):
        return first_day(), MONTH_FORMAT if getattr(value, "month_only", False) else DATE_FORMAT
    raise TypeError(f"not a date: {value!r}")


def date_shown(value: Any, number_format: str = DATE_FORMAT) -> str:
    """The text Excel shows for a date cell in one of the formats above (for column widths)."""
    found = date_value(value)
    if found is None:
        return ""
    day, own_format = found
    shown = f"{day.year}年{day.month}月"
    if number_format == DATE_FORMAT and own_format == DATE_FORMAT:
        shown += f"{day.day}日"
    return shown


def clean_text(value: Any) -> str:
    """Return a value as text Excel accepts: no control characters, at most 32 767 chars."""
    if value is None:
        return ""
    text = str(value)
    if not text.isprintable():  # printable text has no control characters: most cells
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return text[:MAX_CELL_CHARS]


def write_text(
    ws: Worksheet,
    row: int,
    column: int,
    value: Any,
    *,
    font: Font = BODY_FONT,
    alignment: Alignment = LEFT,
    border: Border | None = BORDER,
) -> Cell:
    """Write a value as a text cell; ``=1+1`` stays the four characters ``=1+1``."""
    cell = ws.cell(row=row, column=column)
    cell.value = clean_text(value)
    cell.data_type = "s"  # after assigning: openpyxl has already decided "f" for "=..."
    apply_style(cell, font, alignment, border, "@")
    return cell


def write_number(
    ws: Worksheet,
    row: int,
    column: int,
    value: int | float,
    *,
    font: Font = BODY_FONT,
    alignment: Alignment = CENTER,
    border: Border | None = BORDER,
    number_format: str = "General",
) -> Cell:
    cell = ws.cell(row=row, column=column, value=value)
    apply_style(cell, font, alignment, border, number_format)
    return cell


def write_date(
    ws: Worksheet,
    row: int,
    column: int,
    value: Any,
    *,
    font: Font = BODY_FONT,
    alignment: Alignment = CENTER,
    border: Border | None = BORDER,
    suffix: str = "",
) -> Cell:
    """Write a date (or a month-only ``PartialDate``) as a date cell in Chinese format.

    An empty value leaves a bordered empty cell. ``suffix`` is shown after the date by the
    number format itself (``（逾期）``), so the cell stays a date.
    """
    found = date_value(value)
    cell = ws.cell(row=row, column=column)
    if found is None:
        apply_style(cell, font, alignment, border, "@")
        return cell
    day, number_format = found
    if suffix:
        number_format += f'"{suffix}"'
    cell.value = day
    apply_style(cell, font, alignment, border, number_format)
    return cell


class Look:
    """A cell look (font, alignment, border, number format) as a style of one workbook.

    Setting font, alignment and border one by one hashes each object per cell, and even
    ``cell.style = name`` searches the workbook's style names per cell; a year's return
    has some eight thousand cells. So each look becomes one ``NamedStyle``, registered on
    first use, and a cell takes a copy of that style's index array: what openpyxl's own
    ``cell.style = ...`` and ``copy_worksheet`` store, without the search.
    ``tests/reports/test_xlsx_style.py`` reads the looks back through openpyxl's public
    attributes, so a change inside openpyxl cannot go unnoticed.
    """

    __slots__ = ("_array",)

    def __init__(
        self,
        workbook: Workbook,
        font: Font = BODY_FONT,
        alignment: Alignment = LEFT,
        border: Border | None = BORDER,
        number_format: str = "General",
    ) -> None:
        cache: dict[tuple[int, int, int, str], tuple[StyleArray, tuple[object, ...]]]
        cache = workbook.__dict__.setdefault("_branchdesk_styles", {})
        key = (id(font), id(alignment), id(border), number_format)
        found = cache.get(key)
        if found is None:
            named = NamedStyle(
                name=f"BranchDesk {len(cache) + 1}",
                font=font,
                alignment=alignment,
                border=border if border is not None else Border(),
                number_format=number_format,
            )
            workbook.add_named_style(named)  # binds it: fills its font, border ... indices
            # The objects are kept so that their ids stay unique for the workbook's life.
            found = cache[key] = (named.as_tuple(), (font, alignment, border))
        self._array = found[0]

    def apply(self, cell: Cell | MergedCell) -> None:
        cell._style = StyleArray(self._array)  # each cell owns its array


def apply_style(
    cell: Cell | MergedCell,
    font: Font = BODY_FONT,
    alignment: Alignment = LEFT,
    border: Border | None = BORDER,
    number_format: str = "General",
) -> None:
    """Give ``cell`` this look (see ``Look``)."""
    Look(cell.parent.parent, font, alignment, border, number_format).apply(cell)


class _DoubledWide(dict[int, str]):
    """A ``str.translate`` table doubling wide and full-width characters, filled as met.

    ``len(text.translate(table))`` is then the display width, counted in C for every
    character seen before; a workbook meets a few thousand distinct characters at most.
    """

    def __missing__(self, code: int) -> str:
        char = chr(code)
        self[code] = mapped = char * 2 if unicodedata.east_asian_width(char) in "WF" else char
        return mapped


_DOUBLED_WIDE = _DoubledWide()


@functools.lru_cache(maxsize=16_384)  # widths are measured once more for the row heights
def display_width(text: str) -> int:
    """Width in Excel character units: wide and full-width characters count 2."""
    text = str(text)
    if text.isprintable():  # one line
        return len(text) if text.isascii() else len(text.translate(_DOUBLED_WIDE))
    lines = text.splitlines() or [""]
    return max(len(line.translate(_DOUBLED_WIDE)) for line in lines)


def column_widths(
    rows: Sequence[Sequence[Any]],
    *,
    minimum: int = 4,
    maximum: int | Sequence[int] = 40,
    padding: int = 2,
) -> list[int]:
    """Widths that fit the widest value of each column, within ``minimum``..``maximum``
    (one maximum for all columns, or one per column)."""
    count = max((len(r) for r in rows), default=0)
    widths = [minimum] * count
    caps = [maximum] * count if isinstance(maximum, int) else list(maximum)
    for row in rows:
        for index, value in enumerate(row):
            cap = caps[index]
            if widths[index] >= cap:
                continue  # as wide as allowed already
            text = clean_text(value)
            if len(text) + padding >= cap and text.isprintable():
                widths[index] = cap  # one line at least this wide: no need to measure
                continue
            width = display_width(text) + padding
            widths[index] = max(widths[index], min(width, cap))
    return widths


def apply_column_widths(ws: Worksheet, widths: Sequence[int]) -> None:
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def line_count(text: str, width: int, padding: int = 2) -> int:
    """How many lines a wrapped value takes in a column ``width`` units wide."""
    usable = max(width - padding, 1)
    if 2 * len(text) <= usable and text.isprintable():
        return 1  # fits even if every character is wide: most cells
    return sum(
        max(1, math.ceil(display_width(line) / usable)) for line in str(text).splitlines() or [""]
    )


def merge_row(ws: Worksheet, row: int, first: int, last: int) -> None:
    """Merge ``first``..``last`` of ``row`` into one cell; its borders are the caller's.

    The range goes straight into the sheet's merged ranges. ``ws.merge_cells`` also turns
    every other cell of the range into a placeholder and gives each a copy of the first
    cell's protection and borders, some 90 µs a range; a year's return merges thirty.
    The file is the same: Excel and openpyxl read the ranges back as merged.
    """
    if last > first:
        ws.merged_cells.add(CellRange(min_row=row, min_col=first, max_row=row, max_col=last))


def write_title(
    ws: Worksheet, text: str, columns: int, *, row: int = 1, height: float = 32
) -> Cell:
    """Write a title merged across ``columns`` columns."""
    merge_row(ws, row, 1, columns)
    cell = write_text(ws, row, 1, text, font=TITLE_FONT, alignment=CENTER, border=None)
    ws.row_dimensions[row].height = height
    return cell


def write_header(ws: Worksheet, row: int, labels: Sequence[str], *, height: float = 22) -> None:
    for column, label in enumerate(labels, start=1):
        write_text(ws, row, column, label, font=HEADER_FONT, alignment=CENTER)
    ws.row_dimensions[row].height = height


def setup_a4_print(ws: Worksheet, *, landscape: bool = True, title_rows: str | None = None) -> None:
    """A4, fit all columns on the page width, page numbers in the footer, titles repeated."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    # Both are needed: fitToPage switches scaling on; fitToHeight=0 means "as many pages as needed".
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = 0.6
    ws.page_margins.bottom = 0.7
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = PAGE_FOOTER
    ws.oddFooter.center.font = FONT_NAME
    ws.oddFooter.center.size = 10
    if title_rows:
        ws.print_title_rows = title_rows
