"""Reusable pieces for the .xlsx files BranchDesk writes: safe text, CJK widths, A4 print set-up.

Every string a user typed is written as text (never a formula: openpyxl turns any
string starting with ``=`` into one), with control characters removed; ID numbers and
phones are text too, so Excel keeps all 18 digits.
"""

from __future__ import annotations

import functools
import math
import unicodedata
from collections.abc import Sequence
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
from openpyxl.utils import get_column_letter
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


def clean_text(value: Any) -> str:
    """Return a value as text Excel accepts: no control characters, at most 32 767 chars."""
    if value is None:
        return ""
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
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
    cell.style = _style_name(ws, font, alignment, border, "@")
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
    cell.style = _style_name(ws, font, alignment, border, number_format)
    return cell


def _style_name(
    ws: Worksheet, font: Font, alignment: Alignment, border: Border | None, number_format: str
) -> str:
    """Name of a workbook style with this look, registered on first use.

    One named style per combination: setting a cell's font, alignment and border one by one
    hashes each object per cell, which made a year's return several times slower.
    """
    workbook = ws.parent
    cache: dict[tuple[int, int, int, str], tuple[str, tuple[object, ...]]] = workbook.__dict__.setdefault(
        "_branchdesk_styles", {}
    )
    key = (id(font), id(alignment), id(border), number_format)
    found = cache.get(key)
    if found is None:
        name = f"BranchDesk {len(cache) + 1}"
        style = NamedStyle(
            name=name,
            font=font,
            alignment=alignment,
            border=border if border is not None else Border(),
            number_format=number_format,
        )
        workbook.add_named_style(style)
        # Keep the objects alive so their ids stay unique for the workbook's life.
        found = cache[key] = (name, (font, alignment, border))
    return found[0]


@functools.lru_cache(maxsize=8192)
def _char_width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Width in Excel character units: wide and full-width characters count 2."""
    lines = str(text).splitlines() or [""]
    if all(line.isascii() for line in lines):
        return max(len(line) for line in lines)
    return max(sum(map(_char_width, line)) for line in lines)


def column_widths(
    rows: Sequence[Sequence[Any]], *, minimum: int = 4, maximum: int = 40, padding: int = 2
) -> list[int]:
    """Widths that fit the widest value of each column, within ``minimum``..``maximum``."""
    count = max((len(r) for r in rows), default=0)
    widths = [minimum] * count
    for row in rows:
        for index, value in enumerate(row):
            width = display_width(clean_text(value)) + padding
            widths[index] = max(widths[index], min(width, maximum))
    return widths


def apply_column_widths(ws: Worksheet, widths: Sequence[int]) -> None:
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def line_count(text: str, width: int, padding: int = 2) -> int:
    """How many lines a wrapped value takes in a column ``width`` units wide."""
    usable = max(width - padding, 1)
    return sum(
        max(1, math.ceil(display_width(line) / usable)) for line in str(text).splitlines() or [""]
    )


def write_title(
    ws: Worksheet, text: str, columns: int, *, row: int = 1, height: float = 32
) -> Cell:
    """Write a title merged across ``columns`` columns."""
    cell = write_text(ws, row, 1, text, font=TITLE_FONT, alignment=CENTER, border=None)
    if columns > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
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
