"""Read the spreadsheets branches really have, whatever they are named.

The format is decided by the file's content: a zip holding ``xl/`` is an Excel workbook
(also when named .xls or .et), a zip whose ``mimetype`` says so is an OpenDocument
spreadsheet, a compound file with a ``Workbook`` stream is Excel 97-2003 (also when named
.xlsx), a compound file with Excel's encrypted package is a password-protected workbook, and
text is CSV. The file is read into memory once; the guards in ``xlsx_safety`` look at those
bytes, then python-calamine reads the same bytes. A password-protected workbook is decrypted
in memory with msoffcrypto-tool (nothing decrypted is written to disk) and the decrypted
bytes pass the same guards.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import re
import threading
import types
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from branchdesk.reports.xlsx_month_cells import month_only_cells
from branchdesk.reports.xlsx_safety import (
    DEFAULT_LIMITS,
    ENCRYPTION_STREAMS,
    OLE2_MAGIC,
    Limits,
    PasswordRequired,
    SheetRows,
    WorkbookRows,
    WrongPassword,
    XlsxFileError,
    biff_globals,
    check_ods_content,
    check_xls_content,
    check_xlsx_content,
    check_zip_directory,
    ole_names,
    read_file_bytes,
    rebuilt_compound_file,
    too_many_rows,
    too_many_sheets,
    unsafe,
)

__all__ = [
    "FILE_PATTERNS",
    "KINDS",
    "PasswordRequired",
    "WorkbookRows",
    "WrongPassword",
    "XlsxFileError",
    "read_sheet",
    "read_workbook_rows",
]

KINDS = ("xlsx", "xls", "ods", "csv")
# What the file picker offers: every name a supported file is commonly saved under.
FILE_PATTERNS = ("*.xlsx", "*.xlsm", "*.xls", "*.et", "*.ods", "*.csv", "*.txt")

ODS_MIMETYPES = {
    b"application/vnd.oasis.opendocument.spreadsheet",
    b"application/vnd.oasis.opendocument.spreadsheet-template",
}
# Excel encrypts a workbook that is only protected against changes with this password.
EXCEL_DEFAULT_PASSWORD = "VelvetSweatshop"
# MS-OFFCRYPTO caps the key derivation's iterations; more is a way to hang the reader.
_MAX_SPIN_COUNT = 10_000_000

_SAVE_AS = "请在 Excel 或 WPS 中打开它，选择“另存为”→“Excel 工作簿 (*.xlsx)”，再导入另存的文件。"


def read_workbook_rows(
    path: Path | str, limits: Limits = DEFAULT_LIMITS, *, password: str | None = None
) -> WorkbookRows:
    """Read the non-empty rows of every worksheet, refusing hostile or oversized files.

    Raises ``PasswordRequired`` for a password-protected workbook when ``password`` is None,
    ``WrongPassword`` when it does not open it, and ``XlsxFileError`` (with a Chinese
    message naming the file) for anything that cannot or must not be read.
    """
    path = Path(path)
    data = read_file_bytes(path, limits)
    name = path.name
    if data.startswith(b"PK"):
        kind, date1904 = _check_zip(data, name, limits)
        return WorkbookRows(path, date1904, _read_calamine(data, name, kind, limits), kind)
    if data.startswith(OLE2_MAGIC[:4]):  # a cut-short compound file is still one
        kind, data, date1904 = _check_compound(data, path, limits, password)
        return WorkbookRows(path, date1904, _read_calamine(data, name, kind, limits), kind)
    what = _what_binary(data)
    if what is not None:
        raise _not_a_table(name, what)
    text = _decode_text(data, path)
    return WorkbookRows(path, False, [_read_csv(text, path, limits)], "csv")


def read_sheet(
    path: Path | str, title: str, limits: Limits = DEFAULT_LIMITS
) -> SheetRows | None:
    """Read the non-empty rows of the one worksheet named ``title`` (None: there is none).

    The same guards as ``read_workbook_rows``, but only that sheet is read: for an Excel
    workbook whose parts are named plainly the other worksheets are neither scanned nor
    opened (consolidation reads the small hidden sheet of thousands of returns). A
    password-protected workbook raises ``PasswordRequired``; other formats are read whole.
    """
    path = Path(path)
    data = read_file_bytes(path, limits)
    name = path.name
    if data.startswith(b"PK"):
        kind, _date1904 = _check_zip(data, name, limits, only_sheet=title)
        sheets = _read_calamine(data, name, kind, limits, only_sheet=title)
    else:
        sheets = read_workbook_rows(path, limits).sheets
    return next((sheet for sheet in sheets if sheet.title == title), None)


# ---------------------------------------------------------------------------- zip files


def _check_zip(
    data: bytes, name: str, limits: Limits, *, only_sheet: str | None = None
) -> tuple[str, bool]:
    """The kind of a zip container (xlsx or ods), its content guarded; else why not."""
    infos = check_zip_directory(data, name, limits)
    names = {info.filename for info in infos}
    # The reader tries xlsx, then xlsb, then ods on any zip: a file that could be read as
    # more than one is refused, so the checks below always cover what it reads.
    if any(n.lower().endswith("workbook.bin") for n in names):
        raise XlsxFileError(f"“{name}”是 Excel 二进制工作簿（.xlsb），本程序不能读取。{_SAVE_AS}")
    if "content.xml" in names and any(n.lower().startswith("xl/") for n in names):
        raise unsafe(name, "同时含有两种表格格式")
    if "mimetype" in names:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            mimetype = archive.read("mimetype")[:200].strip() if _small(infos) else b""
        if mimetype in ODS_MIMETYPES:
            check_ods_content(data, name, limits)
            return "ods", False
        if b"opendocument.text" in mimetype:
            raise _not_a_table(name, "OpenDocument 文字文档")
    if "xl/workbook.xml" in names:
        return "xlsx", check_xlsx_content(data, name, limits, only_sheet=only_sheet)
    if any(n.startswith("word/") for n in names):
        raise _not_a_table(name, "Word 文档")
    if any(n.startswith("ppt/") for n in names):
        raise _not_a_table(name, "PowerPoint 演示文稿")
    if any(n.startswith("xl/") for n in names):
        raise XlsxFileError(
            f"“{name}”不是完整的 Excel 工作簿（缺少工作簿部分），可能已损坏。{_SAVE_AS}"
        )
    raise _not_a_table(name, "压缩文件（zip）")


def _small(infos: list[zipfile.ZipInfo]) -> bool:
    return all(info.file_size < 1024 for info in infos if info.filename == "mimetype")


# ----------------------------------------------------------------------- compound files


def _check_compound(
    data: bytes, path: Path, limits: Limits, password: str | None
) -> tuple[str, bytes, bool]:
    """An OLE2 compound file: Excel 97-2003, or an encrypted workbook of either kind."""
    name = path.name
    names = ole_names(data)
    if names is None:
        raise XlsxFileError(f"“{name}”是损坏的 Office 文件，无法读取。{_SAVE_AS}")
    if names & ENCRYPTION_STREAMS:
        plain = _decrypt(data, name, password, limits)
        if not plain.startswith(b"PK"):
            raise XlsxFileError(f"“{name}”解密后不是 Excel 工作簿，无法读取。")
        kind, date1904 = _check_zip(plain, name, limits)
        if kind != "xlsx":
            raise XlsxFileError(f"“{name}”解密后不是 Excel 工作簿，无法读取。")
        return kind, plain, date1904
    if names & {"workbook", "book"}:
        stream_name, stream = _workbook_stream(data, name)
        summary = biff_globals(stream, name)
        if summary.encrypted:
            data = _decrypt(data, name, password, limits, xls=True)
            stream_name, stream = _workbook_stream(data, name)
            summary = biff_globals(stream, name)
            if summary.encrypted:
                raise XlsxFileError(f"“{name}”无法解密，文件可能已损坏。")
        stream = stream.ljust(4096, b"\0")  # as the rebuilt container will hold it
        check_xls_content(stream, summary, name, limits)
        return "xls", rebuilt_compound_file(stream_name, stream), summary.date1904
    if "worddocument" in names:
        raise _not_a_table(name, "Word 文档")
    if "powerpoint document" in names:
        raise _not_a_table(name, "PowerPoint 演示文稿")
    if path.suffix.lower() == ".et":
        raise _wps_only(name)
    raise _not_a_table(name, "其他 Office 文件")


def _workbook_stream(data: bytes, name: str) -> tuple[str, bytes]:
    """The BIFF stream the reader would read (``Workbook`` before a BIFF5 ``Book``)."""
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            for stream in ("Workbook", "Book"):
                if ole.exists(stream):
                    if ole.get_size(stream) > len(data):
                        break
                    return stream, bytes(ole.openstream(stream).read())
    except Exception:  # any failure to parse a stranger's container means: refuse it
        pass
    raise XlsxFileError(f"“{name}”是损坏的 Excel 97-2003 工作簿，无法读取。{_SAVE_AS}")


_decrypt_lock = threading.Lock()


@contextlib.contextmanager
def _temporary_files_in_memory(name: str) -> Iterator[None]:
    """msoffcrypto rebuilds a decrypted .xls in a temporary file; keep it in memory instead."""
    from msoffcrypto.format import xls97

    with _decrypt_lock:
        real = getattr(xls97, "tempfile", None)
        if real is None:  # a msoffcrypto-tool that no longer works this way: do not guess
            raise XlsxFileError(
                f"“{name}”有密码保护，本程序的解密组件版本不符，无法在内存中解密。"
                "请在 Excel 或 WPS 中取消密码后再导入，或重新安装 BranchDesk。"
            )
        xls97.tempfile = types.SimpleNamespace(TemporaryFile=io.BytesIO)  # type: ignore[assignment]
        try:
            yield
        finally:
            xls97.tempfile = real


def _decrypt(
    data: bytes, name: str, password: str | None, limits: Limits, *, xls: bool = False
) -> bytes:
    """The decrypted file, in memory; PasswordRequired / WrongPassword when it cannot be."""
    import msoffcrypto
    from msoffcrypto import exceptions

    if b"<!ENTITY" in data or b"<!DOCTYPE" in data:  # the encryption XML never declares any
        raise unsafe(name, "加密信息中含有实体声明")
    spins = [int(n) for n in re.findall(rb'spinCount\s*=\s*"(\d{1,12})"', data)]
    if any(n > _MAX_SPIN_COUNT for n in spins):
        raise unsafe(name, "密钥迭代次数过大")
    candidates = [EXCEL_DEFAULT_PASSWORD] if xls else []
    if password is not None:
        candidates.insert(0, password)
    for candidate in candidates:
        try:
            office = msoffcrypto.OfficeFile(io.BytesIO(data))
            if xls:
                office.load_key(password=candidate)
            else:
                office.load_key(password=candidate, verify_password=True)
            plain = io.BytesIO()
            if xls:
                with _temporary_files_in_memory(name):
                    office.decrypt(plain)
            else:
                office.decrypt(plain)
        except exceptions.InvalidKeyError:
            continue
        except exceptions.DecryptionError as exc:
            if "nsupported" in str(exc):
                raise XlsxFileError(
                    f"“{name}”使用了本程序无法解密的加密方式。"
                    "请在 Excel 或 WPS 中取消密码后再导入。"
                ) from exc
            continue  # the key did not fit after all
        except XlsxFileError:
            raise
        except Exception as exc:  # a damaged or hostile container
            raise XlsxFileError(f"“{name}”有密码保护，但加密信息已损坏，无法解密。") from exc
        result = plain.getvalue()
        if len(result) > limits.max_file_bytes:
            raise XlsxFileError(f"“{name}”解密后远大于一份花名册应有的大小，已拒绝读取。")
        return result
    if password is None:
        raise PasswordRequired(f"“{name}”有密码保护，请输入打开密码。")
    raise WrongPassword(f"“{name}”的密码不正确，请重新输入（密码区分大小写）。")


# ----------------------------------------------------------------------------- reading


def _read_calamine(
    data: bytes, name: str, kind: str, limits: Limits, *, only_sheet: str | None = None
) -> list[SheetRows]:
    """Every worksheet's rows; with ``only_sheet``, that one's alone, without merged cells
    (the reader finds those by opening every sheet)."""
    import python_calamine as calamine

    label = {"xls": "Excel 97-2003 工作簿", "ods": "OpenDocument 表格"}.get(kind, "Excel 工作簿")
    unreadable = f"“{name}”无法按 {label}读取，文件可能已损坏。{_SAVE_AS}"
    try:
        workbook = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except calamine.PasswordError:
        raise PasswordRequired(f"“{name}”有密码保护，请输入打开密码。") from None
    except MemoryError:
        raise XlsxFileError(f"“{name}”过大，读取时内存不足，已拒绝读取。") from None
    except Exception as exc:  # any failure to load a stranger's file means: refuse it
        raise XlsxFileError(unreadable) from exc
    except BaseException as exc:  # a panic inside the reader (pyo3 raises BaseException)
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        raise XlsxFileError(unreadable) from exc
    sheets: list[SheetRows] = []
    try:
        month_cells = month_only_cells(data, only_sheet) if kind == "xlsx" else {}
    except (zipfile.BadZipFile, KeyError, ValueError):
        month_cells = {}  # the formats are a nicety: the values still read
    try:
        with workbook:
            names = [
                meta.name
                for meta in workbook.sheets_metadata
                if meta.typ == calamine.SheetTypeEnum.WorkSheet
            ]
            if len(names) > limits.max_sheets:
                raise too_many_sheets(name, limits)
            if only_sheet is not None:
                names = [title for title in names if title == only_sheet][:1]
            total = 0
            for title in names:
                sheet = SheetRows(title=title)
                grid = workbook.get_sheet_by_name(title)
                if only_sheet is None:
                    sheet.merged = _merged_ranges(grid)
                months = month_cells.get(title, set())
                for number, values in _sheet_rows(grid, limits):
                    if months:
                        values = _month_only(number, values, months)
                    sheet.rows.append((number, values))
                    total += 1
                    if total > limits.max_data_rows:
                        raise too_many_rows(name, limits)
                sheets.append(sheet)
    except XlsxFileError:
        raise
    except MemoryError:
        raise XlsxFileError(f"“{name}”过大，读取时内存不足，已拒绝读取。") from None
    except Exception as exc:  # broken or hostile content inside a sheet
        raise XlsxFileError(unreadable) from exc
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        raise XlsxFileError(unreadable) from exc
    return sheets


def _month_only(number: int, values: tuple[Any, ...], months: set[tuple[int, int]]) -> tuple[Any, ...]:
    """Dates shown to the month only (``2016年7月``) read as the text ``2016-07``."""
    return tuple(
        f"{v.year:04d}-{v.month:02d}" if isinstance(v, dt.date) and (number, c) in months else v
        for c, v in enumerate(values)
    )


_MAX_MERGED = 10_000  # a roster merges a few group or note cells, not thousands


def _merged_ranges(sheet: Any) -> list[tuple[int, int, int, int]]:
    """The sheet's merged cells as (first Excel row, first column, last row, last column)."""
    ranges = getattr(sheet, "merged_cell_ranges", None) or []
    return [(r1 + 1, c1, r2 + 1, c2) for (r1, c1), (r2, c2) in ranges[:_MAX_MERGED]]


def _sheet_rows(sheet: Any, limits: Limits) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(Excel row number, values from column A) of non-empty rows, up to a long blank run.

    The grid is bounded by the guards (``Limits.max_cells``), so taking it whole is bounded.
    """
    start = sheet.start
    if start is None:
        return
    first_row, first_col = start
    keep = max(limits.max_columns - first_col, 0)
    lead: tuple[None, ...] = (None,) * min(first_col, limits.max_columns)
    yield from _non_blank(
        (
            (first_row + index + 1, lead + tuple(_cell(v) for v in row[:keep]))
            for index, row in enumerate(sheet.to_python(skip_empty_area=True))
        ),
        limits,
    )


def _non_blank(
    rows: Iterable[tuple[int, tuple[Any, ...]]], limits: Limits
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """Drop blank rows; a roster has ended after ``max_blank_run`` of them in a row."""
    blank_run = 0
    for number, values in rows:
        if all(v is None for v in values):
            blank_run += 1
            if blank_run >= limits.max_blank_run:
                return
            continue
        blank_run = 0
        yield number, values


_EXACT_INT = 2**53


def _cell(value: Any) -> Any:
    """A cell as the importer takes it: blank text is None, whole numbers are int."""
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, float):
        if value.is_integer() and abs(value) < _EXACT_INT:
            return int(value)
        return value
    if isinstance(value, bool | int | dt.date):  # datetime is a date
        return value
    if isinstance(value, dt.time):  # a bare time is never a roster fact
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        seconds = int(value.total_seconds())
        return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return None if value is None else str(value)


# -------------------------------------------------------------------------------- text


def _decode_text(data: bytes, path: Path) -> str:
    """Text as Chinese Excel and WPS save it: UTF-8 (BOM or not), UTF-16 with BOM, GB18030."""
    name = path.name
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8", "gb18030"]
    for encoding in encodings:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _not_text(data, path)
    head = text[:4096]
    controls = sum(1 for ch in head if ord(ch) < 32 and ch not in "\t\r\n\f")
    if "\x00" in head or controls > len(head) // 100:
        raise _not_text(data, path)
    start = head.lstrip().lower()
    if start.startswith("<"):
        if "urn:schemas-microsoft-com:office:spreadsheet" in head:
            what = "Excel 2003 XML 表格"
        elif "<html" in start or "<table" in start or "<!doctype html" in start:
            what = "网页（HTML）格式的表格（常见于从网上系统导出的“.xls”）"
        else:
            what = "XML 或网页文件"
        raise XlsxFileError(f"“{name}”实际是{what}，本程序不能直接读取。{_SAVE_AS}")
    if start.startswith("{\\rtf"):
        raise _not_a_table(name, "RTF 文档")
    return text


def _not_text(data: bytes, path: Path) -> XlsxFileError:
    if path.suffix.lower() == ".et":
        return _wps_only(path.name)
    return _not_a_table(path.name, "无法识别的文件")


_DELIMITERS = ("\t", ",", ";")


def _delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most fields, most consistently."""
    lines = [line for line in text.splitlines()[:50] if line.strip()][:20]
    best, best_score = ",", (0, 0)
    for delimiter in _DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:
            continue
        split = [c for c in counts if c > 1]
        if not split:
            continue
        common = max(set(split), key=split.count)
        score = (len(split), split.count(common))
        if score > best_score:
            best, best_score = delimiter, score
    return best


_FORMULA_TEXT = re.compile(r'^="(.*)"$', re.DOTALL)


def _csv_cell(text: str) -> str | None:
    if not text.strip():
        return None
    kept = _FORMULA_TEXT.match(text.strip())  # ="110101..." keeps an ID number as text
    return kept.group(1) if kept else text


def _read_csv(text: str, path: Path, limits: Limits) -> SheetRows:
    name = path.name
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    sheet = SheetRows(title=path.stem)
    try:
        rows = (
            (number, tuple(_csv_cell(v) for v in record[: limits.max_columns]))
            for number, record in enumerate(reader, start=1)
        )
        for number, values in _non_blank(rows, limits):
            sheet.rows.append((number, values))
            if len(sheet.rows) > limits.max_data_rows:
                raise too_many_rows(name, limits)
    except csv.Error as exc:
        raise XlsxFileError(f"“{name}”不是有效的 CSV 文本（第 {reader.line_num} 行）：{exc}") from exc
    # Rows of a sheet are all as wide as the widest, as a workbook's are.
    width = max((len(values) for _n, values in sheet.rows), default=0)
    sheet.rows = [(n, values + (None,) * (width - len(values))) for n, values in sheet.rows]
    return sheet


# ----------------------------------------------------------------------------- messages

_SIGNATURES = (
    (b"%PDF", "PDF 文件"),
    (b"\x89PNG", "图片"),
    (b"\xff\xd8\xff", "图片"),
    (b"GIF8", "图片"),
    (b"BM", "图片"),
    (b"Rar!", "压缩文件（rar）"),
    (b"7z\xbc\xaf", "压缩文件（7z）"),
)


def _what_binary(data: bytes) -> str | None:
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            return what
    return None


def _not_a_table(name: str, what: str) -> XlsxFileError:
    return XlsxFileError(
        f"“{name}”是{what}，不是表格文件，无法导入。"
        "请选择 Excel（.xlsx、.xls）、WPS、OpenDocument（.ods）或 CSV 格式的花名册。"
    )


def _wps_only(name: str) -> XlsxFileError:
    return XlsxFileError(
        f"“{name}”是 WPS 表格专用格式（.et），本程序不能直接读取。"
        "请在 WPS 中打开它，选择“另存为”→“Excel 工作簿 (*.xlsx)”，再导入另存的文件。"
    )
