"""Guards in front of every spreadsheet reader: files from strangers are never trusted.

A roster arrives by USB stick or chat from people we do not know. Before any reader sees a
file, it is checked here: its size, its zip directory (zip bombs), its compound-file
directory, and then what the reader would build from it. python-calamine builds each sheet as
a DENSE grid from the first to the last used cell, and a failed allocation in Rust aborts the
whole process, with no Python exception to catch; a 2 KB workbook with one cell in A1 and one
in XFD1048576 asks for 550 GB. So the sheet XML (xlsx), the content XML (ods) and the BIFF
records (xls) are scanned first for the cells, repeats and strings the reader would
allocate, and anything beyond what a branch's roster can be is refused with a message.

The reading itself is in ``workbook_read``; ``read_workbook_rows`` is re-exported here for
the callers that have always imported it from this module.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.parsers import expat

if TYPE_CHECKING:
    from branchdesk.reports.workbook_read import WorkbookRows as _WorkbookRows


class XlsxFileError(Exception):
    """A workbook that cannot or must not be read; ``message`` is for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PasswordRequired(XlsxFileError):
    """The workbook is encrypted with an opening password and none was given."""


class WrongPassword(PasswordRequired):
    """The password given does not open the workbook."""


# The name callers used before a password could be given; a password-protected workbook.
EncryptedWorkbookError = PasswordRequired

ENCRYPTED_HINT = "有密码保护，请在 Excel 中取消密码后再导入"


@dataclass(frozen=True)
class Limits:
    """Bounds on what a hand-kept roster can plausibly be."""

    max_file_bytes: int = 50 * 1024 * 1024
    max_entries: int = 5_000
    max_uncompressed_bytes: int = 200 * 1024 * 1024
    max_ratio: float = 200.0  # real sheet XML compresses 5-30x; zeros compress 1000x
    ratio_floor_bytes: int = 1024 * 1024  # tiny entries may have any ratio
    max_sheets: int = 50
    max_data_rows: int = 20_000
    max_blank_run: int = 50  # a roster ends after this many empty rows in a row
    max_columns: int = 64
    # Cells of the dense grid the reader allocates: 32 bytes each, and for .xls and .ods
    # about 100 with the cell list and formula grid built alongside. 2 million is 64-200 MB,
    # more than 20,000 rows of 64 columns.
    max_cells: int = 2_000_000
    # Bytes of text the reader copies out (a shared string is copied into every cell using it).
    max_text_bytes: int = 64 * 1024 * 1024


DEFAULT_LIMITS = Limits()


@dataclass
class SheetRows:
    """The non-empty rows of one worksheet, keyed by their Excel row number."""

    title: str
    rows: list[tuple[int, tuple[Any, ...]]] = field(default_factory=list)
    # Merged cells: (first Excel row, first column, last row, last column), columns from 0.
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)


@dataclass
class WorkbookRows:
    """What a file holds: ``kind`` is the format found in its content (xlsx, xls, ods, csv)."""

    path: Path
    date1904: bool
    sheets: list[SheetRows]
    kind: str


def read_workbook_rows(
    path: Path | str, limits: Limits = DEFAULT_LIMITS, *, password: str | None = None
) -> _WorkbookRows:
    """Read every worksheet of a spreadsheet file; see ``workbook_read.read_workbook_rows``."""
    from branchdesk.reports.workbook_read import read_workbook_rows as read

    return read(path, limits, password=password)


# ------------------------------------------------------------------------------ messages


def unsafe(name: str, what: str) -> XlsxFileError:
    return XlsxFileError(f"“{name}”的内部结构异常（{what}），可能是恶意构造的文件，已拒绝读取。")


def too_many_sheets(name: str, limits: Limits) -> XlsxFileError:
    return XlsxFileError(
        f"“{name}”中的工作表超过 {limits.max_sheets} 个，不像是一个支部的花名册，已拒绝读取。"
    )


def too_many_rows(name: str, limits: Limits) -> XlsxFileError:
    return XlsxFileError(
        f"“{name}”中的数据超过 {limits.max_data_rows} 行，不像是一个支部的花名册，已拒绝读取。"
    )


# ------------------------------------------------------------------------ the file itself


def read_file_bytes(path: Path, limits: Limits) -> bytes:
    """The whole file, once: every check and the reader then see the same bytes."""
    name = path.name
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise XlsxFileError(
                f"“{name}”有 {size // (1024 * 1024)} MB，远大于一份花名册应有的大小，已拒绝读取。"
            )
        with open(path, "rb") as handle:
            data = handle.read(limits.max_file_bytes + 1)
    except FileNotFoundError:
        raise XlsxFileError(f"找不到文件“{path}”。") from None
    except IsADirectoryError:
        raise XlsxFileError(f"“{name}”是文件夹，不是文件。") from None
    except PermissionError:
        raise XlsxFileError(f"无法读取“{name}”：没有权限，或文件正被其他程序独占打开。") from None
    except OSError as exc:
        raise XlsxFileError(f"无法读取“{name}”：{exc.strerror or exc}") from exc
    if len(data) > limits.max_file_bytes:  # grew while we looked
        raise XlsxFileError(f"“{name}”远大于一份花名册应有的大小，已拒绝读取。")
    return data


# ------------------------------------------------------------------------------ zip files


def check_zip_directory(data: bytes, name: str, limits: Limits) -> list[zipfile.ZipInfo]:
    """Inspect the zip directory before decompressing anything; refuse bombs and non-zips."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise XlsxFileError(
            f"“{name}”是损坏的压缩文件，无法读取。请在 Excel 或 WPS 中打开后另存为"
            "“Excel 工作簿 (*.xlsx)”再导入。"
        ) from None
    if len(infos) > limits.max_entries:
        raise unsafe(name, "解压后体积过大")
    total = 0
    for info in infos:
        total += info.file_size
        if total > limits.max_uncompressed_bytes:
            raise unsafe(name, "解压后体积过大")
        if info.file_size > limits.ratio_floor_bytes:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                raise unsafe(name, "解压后体积过大")
    return infos


_CHUNK = 1024 * 1024


def iter_member(archive: zipfile.ZipFile, member: str) -> Iterator[bytes]:
    """The decompressed bytes of one entry, in chunks. The sizes were checked against the
    directory, and zipfile stops at the declared size, so the total is bounded."""
    with archive.open(member) as handle:
        while block := handle.read(_CHUNK):
            yield block


class _Refused(Exception):
    """Raised inside a parser callback; becomes the file's refusal."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def _parse(chunks: Iterable[bytes], handlers: dict[str, Any], name: str) -> None:
    """Run expat over ``chunks`` with ``handlers``: a real XML tokenizer, so comments, CDATA
    and quoted ``<``/``>`` are seen as the reader sees them. A document type declaration is
    refused (no workbook has one), and so is XML the tokenizer cannot read."""
    parser = expat.ParserCreate()  # no namespace processing: names keep their prefixes
    parser.buffer_text = True

    def no_dtd(*_args: Any) -> None:
        raise _Refused("含有文档类型声明")

    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    for event, handler in handlers.items():
        setattr(parser, event, handler)
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Refused as exc:
        raise unsafe(name, exc.what) from None
    except expat.ExpatError as exc:
        raise XlsxFileError(f"“{name}”的内容不是有效的 XML（{exc}），文件可能已损坏。") from None


_CELL_REF = re.compile(r"([A-Za-z]{1,3})(\d{1,7})")
_ROW_REF = re.compile(r"[A-Za-z]{0,3}(\d{1,7})")
_MAX_ROW, _MAX_COL = 1_048_576, 16_384


def _local(qname: str) -> str:
    return qname.rsplit(":", 1)[-1]


def column_number(letters: str | bytes) -> int:
    number = 0
    for char in letters.upper() if isinstance(letters, str) else letters.upper().decode():
        number = number * 26 + ord(char) - 64
    return number


@dataclass
class GridEstimate:
    """What a reader would allocate for one sheet (or a whole workbook)."""

    cells: int = 0
    text_bytes: int = 0

    def add(self, other: GridEstimate) -> None:
        self.cells += other.cells
        self.text_bytes += other.text_bytes

    def check(self, name: str, limits: Limits) -> None:
        if self.cells > limits.max_cells:
            raise unsafe(name, "数据区域过大")
        if self.text_bytes > limits.max_text_bytes:
            raise unsafe(name, "文字内容展开后过大")


def shared_string_sizes(chunks: Iterable[bytes], name: str) -> array:
    """The UTF-8 bytes (at most) of each shared string, in the order the reader numbers them.

    The reader takes every ``si`` element of the part as the next string, wherever it is.
    """
    sizes = array("Q")
    depth = 0
    current = 0

    def start(qname: str, _attrs: dict[str, str]) -> None:
        nonlocal depth, current
        if _local(qname) == "si":
            if depth == 0:
                current = 0
            depth += 1

    def end(qname: str) -> None:
        nonlocal depth
        if _local(qname) == "si" and depth:
            depth -= 1
            if depth == 0:
                sizes.append(current)

    def text(data: str) -> None:
        nonlocal current
        if depth:
            current += 3 * len(data)

    _parse(
        chunks,
        {"StartElementHandler": start, "EndElementHandler": end, "CharacterDataHandler": text},
        name,
    )
    return sizes


def scan_xlsx_sheet(chunks: Iterable[bytes], shared: array, name: str) -> GridEstimate:
    """Follow the reader over one sheet's XML: its used area and the shared text it copies.

    Positions are taken as calamine takes them: a ``r`` attribute where there is one, else
    the next row or column. Every cell counts as used, even an empty one, so the estimate
    can only be too large, never too small.
    """
    row = col = 0
    low_row = low_col = 1 << 62
    high_row = high_col = -1
    text = 0
    pending_shared = in_value = False
    digits: list[str] = []
    largest = max(shared) if shared else 0

    def start(qname: str, attrs: dict[str, str]) -> None:
        nonlocal row, col, low_row, low_col, high_row, high_col, pending_shared, in_value
        local = _local(qname)
        if local == "c":
            ref = attrs.get("r")
            cell_row = row
            if ref is not None:
                parsed = _CELL_REF.fullmatch(ref)
                if parsed is None:
                    raise _Refused("单元格位置异常")
                col = column_number(parsed.group(1)) - 1
                cell_row = int(parsed.group(2)) - 1
                if not (0 <= cell_row < _MAX_ROW and 0 <= col < _MAX_COL):
                    raise _Refused("单元格位置异常")
            low_row, high_row = min(low_row, cell_row), max(high_row, cell_row)
            low_col, high_col = min(low_col, col), max(high_col, col)
            pending_shared = attrs.get("t") == "s"
        elif local == "row":
            ref = attrs.get("r")
            if ref is not None:
                parsed = _ROW_REF.fullmatch(ref)
                if parsed is None or not 1 <= int(parsed.group(1)) <= _MAX_ROW:
                    raise _Refused("行号异常")
                row = int(parsed.group(1)) - 1
        elif local == "v" and pending_shared:
            in_value = True
            digits.clear()

    def end(qname: str) -> None:
        nonlocal row, col, text, pending_shared, in_value
        local = _local(qname)
        if local == "c":
            col += 1
            pending_shared = False
        elif local == "row":
            row += 1
            col = 0
        elif local == "v" and in_value:  # every value counts: the reader keeps the last
            value = "".join(digits)
            if value.isdigit():
                index = int(value)
                text += shared[index] if index < len(shared) else 0
            else:
                text += largest
            in_value = False

    def characters(data: str) -> None:
        if in_value:
            digits.append(data)

    _parse(
        chunks,
        {"StartElementHandler": start, "EndElementHandler": end, "CharacterDataHandler": characters},
        name,
    )
    if high_row < 0:
        return GridEstimate(0, text)
    return GridEstimate((high_row - low_row + 1) * (high_col - low_col + 1), text)


# The reader takes an element's name after its last colon. The quick patterns below are
# written for unprefixed names, and are only used when no cell-related name has a prefix.
_PREFIXED = re.compile(rb":(?:c|v|row|sheetData)[\s/>]")
_ANY_CELL = re.compile(rb"<c(?=[\s/>])")
# A cell tag with only double-quoted attributes holding no < > or ": nothing in it can be
# read two ways.
_SIMPLE_CELL = re.compile(rb'<c(?:\s+[\w:.\-]+="[^"<>]*")*\s*/?>')
_FIRST_REF = re.compile(rb'<c r="([A-Za-z]{1,3})(\d{1,7})"')
_ANY_SHARED = re.compile(rb'<c\s[^>]*\st="s"')
_SHARED_VALUE = re.compile(rb'<c\s[^>]*\st="s"[^>/]*>\s*<v>(\d+)<')
_FIRST_VALUE = re.compile(rb"<c(?:\s[^>]*)?>\s*<v>")
QUICK_SCAN_BYTES = 16 * 1024 * 1024


def _ambiguous(xml: bytes) -> bool:
    """Comments, CDATA, instructions after the declaration, single quotes or prefixes."""
    body = xml.find(b"?>") + 2 if xml.startswith(b"<?xml") else 0
    return (
        xml.find(b"<!", body) >= 0
        or xml.find(b"<?", body) >= 0
        or b"'" in xml
        or _PREFIXED.search(xml) is not None
    )


def quick_xlsx_sheet(xml: bytes, shared: array, name: str) -> GridEstimate | None:
    """The same estimate as ``scan_xlsx_sheet`` for sheets written the usual way, fast.

    Excel, WPS and openpyxl give every cell ``r="B7"`` as its first attribute, quote with
    ``"`` and write a shared-string cell's ``<v>`` first. When nothing in the sheet is
    ambiguous (see ``_ambiguous``) and every cell tag is simple, the patterns cannot be
    fooled and the extremes of the positions are the grid; otherwise None, and the XML walk
    decides.
    """
    if _ambiguous(xml):
        return None
    cells = len(_ANY_CELL.findall(xml))
    if len(_SIMPLE_CELL.findall(xml)) != cells:
        return None
    refs = _FIRST_REF.findall(xml)
    if len(refs) != cells:
        return None
    text = 0
    shared_cells = len(_ANY_SHARED.findall(xml)) if b't="s"' in xml else 0
    if shared_cells:
        indexes = _SHARED_VALUE.findall(xml)
        if len(indexes) != shared_cells:
            return None
        # The reader keeps a cell's last value: every <v> must be the first in its cell.
        if xml.count(b"<v") != len(_FIRST_VALUE.findall(xml)):
            return None
        count = len(shared)
        text = sum(shared[i] for i in map(int, indexes) if i < count)
    if not refs:
        return GridEstimate(0, text)
    rows = {int(r) for _c, r in refs}
    if min(rows) < 1 or max(rows) > _MAX_ROW:
        raise unsafe(name, "行号异常")
    columns = {column_number(c) for c in {c for c, _r in refs}}
    if max(columns) > _MAX_COL:
        raise unsafe(name, "单元格位置异常")
    return GridEstimate((max(rows) - min(rows) + 1) * (max(columns) - min(columns) + 1), text)


# The reader sizes its shared-string table by the ``uniqueCount`` the file declares before
# reading a single string (measured: uniqueCount="4000000000" asks for 96 GB and aborts).
_DECLARED_COUNT = re.compile(rb"""ount\s*=\s*["']?\s*(\d{1,30})""")  # count, uniqueCount...
# Only parts holding these can give the reader strings or cells (it reads cells only after
# a sheetData start tag, and takes every si element of the strings part as a string).
_HOLDS_STRINGS = re.compile(rb"[<:]si[\s/>]")
_HOLDS_CELLS = re.compile(rb"[<:]sheetData[\s/>]")


def check_xlsx_content(
    data: bytes, name: str, limits: Limits, *, only_sheet: str | None = None
) -> bool:
    """Scan an xlsx that passed ``check_zip_directory``; return its date1904 flag.

    Every entry is looked at, not just the parts the workbook names: the reader finds its
    worksheets and shared strings through relationships and paths that a hostile file can
    bend (case, ``..``). An entry with no ``sheetData`` and no ``si`` tag can give the
    reader nothing; the others are scanned.

    ``only_sheet``: the reader will be asked for that one worksheet and no other. When the
    workbook names its parts plainly (see ``_other_sheet_parts``), the parts of the other
    worksheets, which the reader then never opens, are not scanned; anything less plain is
    scanned whole, as without it.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        if only_sheet is not None:
            skipped = _other_sheet_parts(archive, infos, only_sheet, name)
            infos = [info for info in infos if info.filename not in skipped]
        sheets: list[zipfile.ZipInfo] = []
        shared = array("Q")
        for info in infos:
            holds_strings = holds_cells = False
            for chunk in iter_member(archive, info.filename):
                for digits in _DECLARED_COUNT.findall(chunk):
                    if int(digits) > limits.max_cells:
                        raise unsafe(name, "声明的数量异常")
                holds_strings = holds_strings or bool(_HOLDS_STRINGS.search(chunk))
                holds_cells = holds_cells or bool(_HOLDS_CELLS.search(chunk))
            if holds_cells:
                sheets.append(info)
            if holds_strings:
                sizes = shared_string_sizes(iter_member(archive, info.filename), name)
                if len(sizes) > len(shared):
                    shared.extend([0] * (len(sizes) - len(shared)))
                for index, size in enumerate(sizes):
                    if size > shared[index]:
                        shared[index] = size
        text = 0
        for info in sheets:
            estimate = None
            if info.file_size <= QUICK_SCAN_BYTES:
                estimate = quick_xlsx_sheet(archive.read(info.filename), shared, name)
            if estimate is None:
                estimate = scan_xlsx_sheet(iter_member(archive, info.filename), shared, name)
            estimate.check(name, limits)  # one sheet is held at a time
            text += estimate.text_bytes
        GridEstimate(0, text).check(name, limits)
        names = {info.filename for info in infos}
        workbook = archive.read("xl/workbook.xml") if "xl/workbook.xml" in names else b""
    return re.search(rb"""date1904\s*=\s*["'](?:1|true)["']""", workbook) is not None


# A worksheet part as Excel, WPS and openpyxl name it; anything else is not skipped.
_PLAIN_SHEET_PART = re.compile(r"xl/worksheets/[A-Za-z0-9_]{1,64}\.xml")
_PLAIN_PART_BYTES = 1024 * 1024  # workbook.xml and its relationships: a few KB


def _other_sheet_parts(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], title: str, name: str
) -> set[str]:
    """The parts of the worksheets other than ``title``, when nothing in the file can make
    the reader open one of them for ``title``; else an empty set (scan everything).

    The reader finds a part by the first entry whose name matches, ignoring ASCII case:
    the workbook, its relationships and every part skipped must each match exactly one
    entry, the sheet read must be named once, and every worksheet must point at a plain,
    distinct part (``xl/worksheets/sheet2.xml``), never at the part of the sheet read.
    """
    by_folded: dict[str, list[str]] = {}
    for info in infos:
        by_folded.setdefault(info.filename.lower(), []).append(info.filename)

    def only_entry(path: str) -> str | None:
        found = by_folded.get(path.lower(), [])
        return found[0] if len(found) == 1 else None

    workbook_part = only_entry("xl/workbook.xml")
    rels_part = only_entry("xl/_rels/workbook.xml.rels")
    if workbook_part is None or rels_part is None:
        return set()
    if any(
        archive.getinfo(part).file_size > _PLAIN_PART_BYTES for part in (workbook_part, rels_part)
    ):
        return set()
    sheets: list[tuple[str | None, str | None]] = []  # (name, relationship id)
    targets: dict[str, str] = {}
    plain = True

    def sheet_start(qname: str, attrs: dict[str, str]) -> None:
        nonlocal plain
        if _local(qname) != "sheet":
            return
        ids = [v for k, v in attrs.items() if k in ("r:id", "relationships:id")]
        if len(ids) != 1 or any(":" in k and k not in ("r:id",) for k in attrs):
            plain = False
        sheets.append((attrs.get("name"), ids[0] if ids else None))

    def relationship_start(qname: str, attrs: dict[str, str]) -> None:
        nonlocal plain
        if _local(qname) != "Relationship":
            return
        key, target = attrs.get("Id"), attrs.get("Target")
        if key is None or target is None or key in targets:
            plain = False
            return
        targets[key] = target

    _parse([archive.read(workbook_part)], {"StartElementHandler": sheet_start}, name)
    _parse([archive.read(rels_part)], {"StartElementHandler": relationship_start}, name)
    if not plain or [n for n, _r in sheets].count(title) != 1:
        return set()
    parts: dict[str | None, str] = {}
    for sheet_name, rid in sheets:
        target = targets.get(rid or "")
        if target is None:
            return set()
        # As the reader joins them: "/xl/x" and "xl/x" are taken as they are, "x" under xl/.
        if target.startswith("/xl/"):
            path = target[1:]
        elif target.startswith("xl/"):
            path = target
        else:
            path = f"xl/{target}"
        entry = only_entry(path)
        if _PLAIN_SHEET_PART.fullmatch(path) is None or entry != path:
            return set()
        if path in parts.values():
            return set()
        parts[sheet_name] = path
    read = parts[title]
    return {path for sheet_name, path in parts.items() if sheet_name != title and path != read}


# ------------------------------------------------------------------- OpenDocument (.ods)

_ODS_CELLS = {"table:table-cell", "table:covered-table-cell"}
_ODS_VALUE_ATTRIBUTES = {
    "office:value",
    "office:string-value",
    "office:date-value",
    "office:time-value",
    "office:boolean-value",
    "office:value-type",
    "table:formula",
}


def _count(attrs: dict[str, str], key: str, limit: int, what: str) -> int:
    raw = attrs.get(key)
    if raw is None:
        return 1
    if not raw.strip().isdigit():
        raise _Refused(what)
    value = int(raw)
    if value > limit:
        raise _Refused(what)
    return max(value, 1)


class _OdsTable:
    """What calamine keeps of one table: the cells pushed while reading, then the grid."""

    def __init__(self) -> None:
        self.raw_cells = 0  # cells pushed while reading, before the grid is built
        self.height = 0  # rows from the first to the last row holding a value, repeats counted
        self.between = 0  # empty rows since the last row holding a value
        self.low_col, self.high_col = 1 << 62, 0
        self.text = 0

    def add_row(self, repeats: int, first: int, length: int, text: int) -> None:
        self.raw_cells += length
        if not length:
            self.between += repeats if self.height else 0
            return
        self.height += self.between + repeats
        self.between = 0
        self.low_col, self.high_col = min(self.low_col, first), max(self.high_col, length)
        self.text += text * repeats

    def estimate(self) -> GridEstimate:
        width = self.high_col - self.low_col if self.height else 0
        return GridEstimate(self.raw_cells + self.height * width, self.text)


def check_ods_content(data: bytes, name: str, limits: Limits) -> None:
    """Walk ``content.xml``: calamine reads every table of an .ods when the file is opened,
    repeating each repeated cell and row, and copying a cell's text into every repeat."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if "content.xml" not in archive.namelist():
            raise XlsxFileError(f"“{name}”不是完整的 OpenDocument 表格（缺少内容部分），可能已损坏。")
        total = GridEstimate()
        tables = 0
        table: _OdsTable | None = None
        row_repeats = 1
        cursor = first = length = row_text = 0
        cell: list[int] | None = None  # [repeats, text bytes] of a cell holding a value

        def start(qname: str, attrs: dict[str, str]) -> None:
            nonlocal tables, table, row_repeats, cursor, first, length, row_text, cell
            if qname == "table:table":
                tables += 1
                if tables > limits.max_sheets:
                    raise too_many_sheets(name, limits)
                table = _OdsTable()
            elif table is None:
                return
            elif qname == "table:table-row":
                row_repeats = _count(attrs, "table:number-rows-repeated", _MAX_ROW, "重复行数异常")
                cursor = first = length = row_text = 0
            elif qname in _ODS_CELLS:
                repeats = _count(attrs, "table:number-columns-repeated", _MAX_COL, "重复列数异常")
                if _ODS_VALUE_ATTRIBUTES & attrs.keys():
                    if not length:
                        first = cursor
                    length = cursor + repeats
                    cell = [repeats, sum(3 * len(v) for v in attrs.values())]
                cursor += repeats
                if cursor > _MAX_COL:
                    raise _Refused("重复列数异常")
            elif qname == "text:s" and cell is not None:
                cell[1] += _count(attrs, "text:c", 1 << 62, "空格数异常")
            elif qname == "text:p" and cell is not None:
                cell[1] += 1

        def end(qname: str) -> None:
            nonlocal table, row_text, cell
            if qname == "table:table" and table is not None:
                total.add(table.estimate())
                total.check(name, limits)
                table = None
            elif table is None:
                return
            elif qname in _ODS_CELLS and cell is not None:
                row_text += cell[0] * cell[1]
                cell = None
            elif qname == "table:table-row":
                table.add_row(row_repeats, first, length, row_text)
                so_far = table.estimate()
                GridEstimate(total.cells + so_far.cells, total.text_bytes + so_far.text_bytes).check(
                    name, limits
                )

        def characters(data: str) -> None:
            if cell is not None:
                cell[1] += 3 * len(data)

        _parse(
            iter_member(archive, "content.xml"),
            {"StartElementHandler": start, "EndElementHandler": end, "CharacterDataHandler": characters},
            name,
        )
        if table is not None:
            total.add(table.estimate())
        total.check(name, limits)


# -------------------------------------------------------------- OLE2 compound files (.xls)

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Excel encrypts an .xlsx by wrapping it in a compound file with these two streams.
ENCRYPTION_STREAMS = {"encryptedpackage", "encryptioninfo"}
_END_OF_CHAIN = 0xFFFFFFFE
_MAX_SECTORS = 1 << 16  # bounds every chain walked in a stranger's file


def _ole_directory_names(handle: Any, size: int) -> set[str]:
    """The storage and stream names of a compound file (MS-CFB), read with every bound checked."""
    header = handle.read(512)
    if len(header) < 512 or not header.startswith(OLE2_MAGIC):
        return set()
    shift = struct.unpack_from("<H", header, 0x1E)[0]
    if shift not in (9, 12):
        return set()
    sector_size = 1 << shift
    fat_count, first_dir = struct.unpack_from("<II", header, 0x2C)
    first_difat, difat_count = struct.unpack_from("<II", header, 0x44)

    def sector(number: int) -> bytes:
        offset = (number + 1) * sector_size
        if number >= _END_OF_CHAIN - 4 or offset + sector_size > size:
            raise ValueError("sector outside the file")
        handle.seek(offset)
        return bytes(handle.read(sector_size))

    per_sector = sector_size // 4
    fat_sectors = list(struct.unpack_from("<109I", header, 0x4C))
    difat, seen = first_difat, set[int]()
    for _ in range(min(difat_count, _MAX_SECTORS)):
        if difat >= _END_OF_CHAIN - 4 or difat in seen:
            break
        seen.add(difat)
        entries = struct.unpack(f"<{per_sector}I", sector(difat))
        fat_sectors += entries[:-1]
        difat = entries[-1]
    # No more FAT than it takes to describe a file of this size, whatever the header claims.
    needed = size // sector_size // per_sector + 1
    fat: list[int] = []
    for number in fat_sectors[: min(fat_count, needed)]:
        fat += struct.unpack(f"<{per_sector}I", sector(number))
    names: set[str] = set()
    current, visited = first_dir, set[int]()
    while current < len(fat) and current not in visited and len(visited) < _MAX_SECTORS:
        visited.add(current)
        block = sector(current)
        for start in range(0, sector_size, 128):
            entry = block[start : start + 128]
            length = struct.unpack_from("<H", entry, 0x40)[0]
            if entry[0x42] in (1, 2) and 2 <= length <= 64:
                names.add(entry[: length - 2].decode("utf-16-le", errors="replace"))
        current = fat[current]
    return names


def ole_names(data: bytes) -> set[str] | None:
    """The lower-cased names in a compound file's directory; None when it is not a readable one."""
    try:
        names = _ole_directory_names(io.BytesIO(data), len(data))
    except (ValueError, struct.error, IndexError):
        return None
    return {name.lower() for name in names} or None


# BIFF record types (MS-XLS 2.3).
_BOF, _EOF, _CONTINUE, _SST, _FILEPASS, _BOUNDSHEET, _DATEMODE = (
    0x0809,
    0x000A,
    0x003C,
    0x00FC,
    0x002F,
    0x0085,
    0x0022,
)
_DIMENSIONS = 0x0200
_LABELSST, _MULRK, _MULBLANK = 0x00FD, 0x00BD, 0x00BE
_LONGEST_STRING = 0xFFFF * 3
# Records whose first four bytes are the row and column of a cell.
_CELL_RECORDS = {0x0006, 0x00D6, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, _LABELSST}


@dataclass
class BiffSummary:
    """What the globals of an Excel 97-2003 Workbook stream say, before reading any sheet."""

    encrypted: bool = False
    date1904: bool = False
    sheet_offsets: list[int] = field(default_factory=list)


def _records(stream: bytes, start: int) -> Iterator[tuple[int, int, int]]:
    """(type, data offset, data length) of each record from ``start``; stops at the end."""
    position, end = start, len(stream)
    while position + 4 <= end:
        kind, length = struct.unpack_from("<HH", stream, position)
        if position + 4 + length > end:
            return
        yield kind, position + 4, length
        position += 4 + length


_SECTOR = 4096  # a version 4 compound file: 109 FAT sectors in the header cover 457 MB
_FREE, _FAT_SECTOR, _NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def rebuilt_compound_file(stream_name: str, stream: bytes) -> bytes:
    """A fresh compound file holding only ``stream``, to hand to the reader.

    The stream was taken out of the stranger's container by olefile and scanned; the reader
    has its own compound-file parser. Rebuilding the container means it reads exactly the
    bytes that were scanned, however the original's sectors and directory were arranged.
    """
    stream = stream.ljust(_SECTOR, b"\0")  # smaller streams would belong in the mini stream
    data_sectors = -(-len(stream) // _SECTOR)
    fat_sectors = 1
    while fat_sectors * (_SECTOR // 4) < fat_sectors + 2 + data_sectors:
        fat_sectors += 1
    if fat_sectors > 109:
        raise ValueError("stream too large for a header-only FAT")
    # Sectors: the FAT, the directory, an empty mini stream (calamine wants the root entry
    # of a version 4 file to start somewhere), then the stream.
    first_data = fat_sectors + 2
    fat = [_FAT_SECTOR] * fat_sectors + [_END_OF_CHAIN, _END_OF_CHAIN]
    fat += [first_data + i + 1 for i in range(data_sectors - 1)] + [_END_OF_CHAIN]
    fat += [_FREE] * (fat_sectors * (_SECTOR // 4) - len(fat))
    header = (
        OLE2_MAGIC
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 4, 0xFFFE, 12, 6)
        + bytes(6)
        + struct.pack(
            "<9I", 1, fat_sectors, fat_sectors, 0, 4096, _END_OF_CHAIN, 0, _END_OF_CHAIN, 0
        )
        + struct.pack("<109I", *range(fat_sectors), *[_FREE] * (109 - fat_sectors))
    ).ljust(_SECTOR, b"\0")

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", _NO_STREAM, _NO_STREAM, child)
            + bytes(16 + 4 + 8 + 8)
            + struct.pack("<IQ", start, size)
        )

    unused = struct.pack("<64xHBBIII", 0, 0, 0, _NO_STREAM, _NO_STREAM, _NO_STREAM).ljust(128, b"\0")
    directory = (
        entry("Root Entry", 5, 1, fat_sectors + 1, 64)
        + entry(stream_name, 2, _NO_STREAM, first_data, len(stream))
        + unused * (_SECTOR // 128 - 2)
    )
    return (
        header
        + struct.pack(f"<{len(fat)}I", *fat)
        + directory
        + bytes(_SECTOR)
        + stream.ljust(data_sectors * _SECTOR, b"\0")
    )


def biff_globals(stream: bytes, name: str) -> BiffSummary:
    summary = BiffSummary()
    first = True
    for kind, offset, length in _records(stream, 0):
        if first:
            if kind != _BOF:
                raise XlsxFileError(f"“{name}”不是有效的 Excel 97-2003 工作簿，可能已损坏。")
            first = False
            continue
        if kind == _FILEPASS:
            summary.encrypted = True
            return summary  # everything after it is ciphertext
        if kind == _DATEMODE and length >= 2:
            summary.date1904 = struct.unpack_from("<H", stream, offset)[0] == 1
        elif kind == _BOUNDSHEET and length >= 4:
            summary.sheet_offsets.append(struct.unpack_from("<I", stream, offset)[0])
        elif kind == _EOF:
            break
    if first:
        raise XlsxFileError(f"“{name}”不是有效的 Excel 97-2003 工作簿，可能已损坏。")
    return summary


def _sst_sizes(stream: bytes) -> tuple[array, int]:
    """Upper bounds on the UTF-8 bytes of each shared string (3 per character).

    Also the bound for any string past those walked: 0 when the table was read to its end,
    the largest a string can be when it could not be (so an estimate is never too small).
    """
    sizes = array("Q")
    pieces: list[bytes] = []
    collecting = False
    for kind, offset, length in _records(stream, 0):
        if kind == _SST:
            collecting = True
            pieces = [stream[offset : offset + length]]
        elif kind == _CONTINUE and collecting:
            pieces.append(stream[offset : offset + length])
        elif collecting:
            break
    if not pieces:
        return sizes, 0
    first = pieces[0]
    if len(first) < 8:
        return sizes, _LONGEST_STRING
    count = struct.unpack_from("<I", first, 4)[0]
    # Walk each string header; character data may continue in the next record, where it
    # starts again with a flags byte.
    piece, position = 0, 8
    current = first

    def take(amount: int) -> bytes:
        nonlocal piece, position, current
        out = b""
        while amount > 0:
            if position >= len(current):
                piece += 1
                if piece >= len(pieces):
                    raise ValueError("SST ends early")
                current, position = pieces[piece], 0
            part = current[position : position + amount]
            out += part
            position += len(part)
            amount -= len(part)
        return out

    try:
        for _ in range(min(count, len(stream))):
            characters, flags = struct.unpack("<HB", take(3))
            runs = struct.unpack("<H", take(2))[0] if flags & 0x08 else 0
            extra = struct.unpack("<i", take(4))[0] if flags & 0x04 else 0
            sizes.append(characters * 3)
            wide = flags & 0x01
            left = characters
            while left > 0:
                if position >= len(current):
                    piece += 1
                    if piece >= len(pieces):
                        raise ValueError("SST ends early")
                    current, position = pieces[piece], 1  # skip the new flags byte
                    wide = current[0] & 0x01 if current else 0
                width = 2 if wide else 1
                fits = min(left, (len(current) - position) // width)
                if fits == 0:
                    raise ValueError("character cut in two")
                position += fits * width
                left -= fits
            take(4 * runs + max(extra, 0))
    except (ValueError, struct.error):
        return sizes, _LONGEST_STRING
    return sizes, 0


def check_xls_content(stream: bytes, summary: BiffSummary, name: str, limits: Limits) -> None:
    """Walk the BIFF records of every sheet the reader will build (all, when the file opens)."""
    if len(summary.sheet_offsets) > limits.max_sheets:
        raise too_many_sheets(name, limits)
    shared, beyond = _sst_sizes(stream)
    total = GridEstimate()
    for start in summary.sheet_offsets:
        if start >= len(stream):
            raise unsafe(name, "工作表位置异常")
        low_row = low_col = 1 << 62
        high_row = high_col = -1
        reserved = cells = text = 0
        for kind, offset, length in _records(stream, start):
            if kind == _EOF:
                break
            if kind == _DIMENSIONS:
                if length >= 14:
                    first_row, last_row = struct.unpack_from("<II", stream, offset)
                    first_col, last_col = struct.unpack_from("<HH", stream, offset + 8)
                elif length >= 10:
                    first_row, last_row, first_col, last_col = struct.unpack_from(
                        "<HHHH", stream, offset
                    )
                else:
                    continue
                if last_row < first_row or last_col < first_col:
                    raise unsafe(name, "工作表尺寸异常")
                reserved += (last_row - first_row + 1) * (last_col - first_col + 1)
            elif kind in _CELL_RECORDS or kind in (_MULRK, _MULBLANK):
                if length < 6:
                    continue
                row, col = struct.unpack_from("<HH", stream, offset)
                last = col
                if kind in (_MULRK, _MULBLANK):
                    last = struct.unpack_from("<H", stream, offset + length - 2)[0]
                    if last < col:
                        continue
                elif kind == _LABELSST and length >= 10:
                    index = struct.unpack_from("<I", stream, offset + 6)[0]
                    text += shared[index] if index < len(shared) else beyond
                cells += last - col + 1
                low_row, high_row = min(low_row, row), max(high_row, row)
                low_col, high_col = min(low_col, col), max(high_col, last)
        dense = 0 if high_row < 0 else (high_row - low_row + 1) * (high_col - low_col + 1)
        total.add(GridEstimate(reserved + cells + dense, text))
        total.check(name, limits)
