"""Which date cells of an .xlsx are shown to the month only (``2016年7月``).

python-calamine gives a date cell's value but not its number format, and a date known only
to the month (our own 花名册 writes ``yyyy"年"m"月"`` for it) would come back as the first of
the month, a day nobody recorded. The styles part says which cell styles show no day; only
when there is such a style are the sheets' cell references scanned for it. The bytes have
passed the zip guards already (``xlsx_safety.check_zip_directory``); the parts read here are
bounded by them.
"""

from __future__ import annotations

import html
import io
import posixpath
import re
import zipfile

from branchdesk.reports.xlsx_safety import column_number

_FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
_NUM_FMT = re.compile(rb'<(?:\w+:)?numFmt\b[^>]*?numFmtId="(\d+)"[^>]*?formatCode="([^"]*)"')
_CELL_XFS = re.compile(rb"<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>", re.S)
_XF = re.compile(rb"<(?:\w+:)?xf\b([^>]*)>")
_ATTR_FMT = re.compile(rb'\bnumFmtId="(\d+)"')
_SHEET = re.compile(rb'<(?:\w+:)?sheet\b([^>]*)/?>')
_NAME = re.compile(rb'\bname="([^"]*)"')
_RID = re.compile(rb'\br:id="([^"]*)"|\bid="([^"]*)"')
_REL = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)/?>")
_TARGET = re.compile(rb'\bTarget="([^"]*)"')
_ID = re.compile(rb'\bId="([^"]*)"')
_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})(\d+)"[^>]*?\bs="(\d+)"')
# Built-in formats that show a month and a year but no day: 17 is ``mmm-yy``.
_BUILTIN_MONTH_ONLY = {17}


def shows_month_only(number_format: str) -> bool:
    """Whether a date format shows a year and month but no day (``yyyy"年"m"月"``)."""
    parts = _FORMAT_LITERALS.sub("", number_format or "").lower()
    return "y" in parts and "m" in parts and "d" not in parts and "h" not in parts


def month_only_cells(data: bytes, only: str | None = None) -> dict[str, set[tuple[int, int]]]:
    """Sheet title -> the (Excel row, column from 0) of cells styled to show only a month
    (``only``: of that sheet alone)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        if "xl/styles.xml" not in names:
            return {}
        styles = archive.read("xl/styles.xml")
        month_formats = set(_BUILTIN_MONTH_ONLY)
        for number, code in _NUM_FMT.findall(styles):
            if shows_month_only(html.unescape(code.decode("utf-8", "replace"))):
                month_formats.add(int(number))
        block = _CELL_XFS.search(styles)
        if block is None:
            return {}
        month_styles = {
            str(index).encode()
            for index, xf in enumerate(_XF.findall(block.group(1)))
            if (found := _ATTR_FMT.search(xf)) and int(found.group(1)) in month_formats
        }
        if not month_styles:
            return {}
        targets: dict[bytes, str] = {}
        if "xl/_rels/workbook.xml.rels" in names:
            for attrs in _REL.findall(archive.read("xl/_rels/workbook.xml.rels")):
                rel_id, target = _ID.search(attrs), _TARGET.search(attrs)
                if rel_id and target:
                    path = target.group(1).decode("utf-8", "replace")
                    path = path.lstrip("/") if path.startswith("/") else posixpath.join("xl", path)
                    targets[rel_id.group(1)] = posixpath.normpath(path)
        found_cells: dict[str, set[tuple[int, int]]] = {}
        for attrs in _SHEET.findall(archive.read("xl/workbook.xml")):
            name, rel = _NAME.search(attrs), _RID.search(attrs)
            if not name or not rel:
                continue
            path = targets.get(rel.group(1) or rel.group(2) or b"")
            if path not in names:
                continue
            title = html.unescape(name.group(1).decode("utf-8", "replace"))
            if only is not None and title != only:
                continue
            cells = {
                (int(row), column_number(letters) - 1)
                for letters, row, style in _CELL.findall(archive.read(path))
                if style in month_styles
            }
            if cells:
                found_cells[title] = cells
    return found_cells
