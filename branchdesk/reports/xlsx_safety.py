"""Open .xlsx files from strangers without trusting them.

A roster arrives by USB stick or chat from people we do not know, so every read goes
through here: the extension is checked, the zip container is inspected before anything
is decompressed (zip bombs), openpyxl must be using defusedxml (billion laughs, XXE), the
workbook is opened read-only without external links, and rows are read with caps rather
than by the sheet's own claimed dimensions.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.datetime import CALENDAR_MAC_1904


class XlsxFileError(Exception):
    """A workbook that cannot or must not be read; ``message`` is for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class EncryptedWorkbookError(XlsxFileError):
    """A password-protected workbook: Excel keeps it encrypted inside an OLE2 compound file."""


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


DEFAULT_LIMITS = Limits()


@dataclass
class SheetRows:
    """The non-empty rows of one worksheet, keyed by their Excel row number."""

    title: str
    rows: list[tuple[int, tuple[Any, ...]]] = field(default_factory=list)


@dataclass
class WorkbookRows:
    path: Path
    date1904: bool
    sheets: list[SheetRows]


# ------------------------------------------------------------------ OLE2 compound files

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Excel encrypts an .xlsx by wrapping it in a compound file with these two streams.
_ENCRYPTION_STREAMS = {"encryptedpackage", "encryptioninfo"}
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


def _ole_names(path: Path, max_bytes: int) -> set[str] | None:
    """The lower-cased names in a compound file's directory; None when it is not readable one."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return None  # refused for its size anyway
        with open(path, "rb") as handle:
            names = _ole_directory_names(handle, size)
    except (OSError, ValueError, struct.error, IndexError):
        return None
    return {name.lower() for name in names} or None


def is_encrypted_workbook(path: Path, max_bytes: int = DEFAULT_LIMITS.max_file_bytes) -> bool:
    """Whether ``path`` is an OLE2 compound file holding Excel's encrypted package."""
    return bool((_ole_names(path, max_bytes) or set()) & _ENCRYPTION_STREAMS)


def _starts_like_ole2(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(len(OLE2_MAGIC)) == OLE2_MAGIC
    except OSError:
        return False


def check_not_encrypted(path: Path, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse a password-protected workbook, whatever its extension, saying so.

    An unprotected Excel 97-2003 workbook renamed ``.xlsx`` is told to be saved again;
    any other compound file is left to the zip check, which calls it no workbook.
    """
    if not _starts_like_ole2(path):
        return
    names = _ole_names(path, limits.max_file_bytes) or set()
    if names & _ENCRYPTION_STREAMS:
        raise EncryptedWorkbookError(f"“{path.name}”{ENCRYPTED_HINT}。")
    if path.suffix.lower() == ".xlsx" and names & {"workbook", "book"}:
        raise XlsxFileError(_old_format_message(path, "实际是 .xls"))


def _old_format_message(path: Path, what: str) -> str:
    return (
        f"“{path.name}”是旧版 Excel 97-2003 格式（{what}），本程序只能读取 .xlsx 文件。"
        "请在 Excel 或 WPS 中打开它，选择“另存为”→“Excel 工作簿 (*.xlsx)”，再导入另存的文件。"
    )


def check_extension(path: Path) -> None:
    """Refuse anything but ``.xlsx`` with a message that says what to do instead."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return
    if suffix in (".xls", ".et"):
        raise XlsxFileError(_old_format_message(path, suffix))
    if suffix in (".csv", ".txt"):
        raise XlsxFileError(
            f"“{path.name}”是文本文件（{suffix}），不是 Excel 工作簿。"
            "请在 Excel 或 WPS 中打开它，另存为“Excel 工作簿 (*.xlsx)”后再导入。"
        )
    raise XlsxFileError(
        f"“{path.name}”不是 Excel 工作簿（.xlsx）文件，无法导入。请选择扩展名为 .xlsx 的花名册。"
    )


def precheck_zip(path: Path, limits: Limits = DEFAULT_LIMITS) -> None:
    """Inspect the zip directory before decompressing anything; refuse bombs and non-zips."""
    name = path.name
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise XlsxFileError(f"找不到文件“{path}”。") from None
    except OSError as exc:
        raise XlsxFileError(f"无法读取“{name}”：{exc.strerror or exc}") from exc
    if size > limits.max_file_bytes:
        raise XlsxFileError(
            f"“{name}”有 {size // (1024 * 1024)} MB，远大于一份花名册应有的大小，已拒绝读取。"
        )
    broken = (
        f"“{name}”不是有效的 .xlsx 文件：它可能已损坏，或只是把扩展名改成了 .xlsx。"
        "请在 Excel 或 WPS 中打开后另存为“Excel 工作簿 (*.xlsx)”再导入。"
    )
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise XlsxFileError(broken) from None
    except PermissionError:
        raise XlsxFileError(f"无法读取“{name}”：没有权限，或文件正被其他程序独占打开。") from None
    except OSError as exc:
        raise XlsxFileError(f"无法读取“{name}”：{exc.strerror or exc}") from exc
    unsafe = f"“{name}”的内部结构异常（解压后体积过大），可能是恶意构造的文件，已拒绝读取。"
    if len(infos) > limits.max_entries:
        raise XlsxFileError(unsafe)
    total = 0
    for info in infos:
        total += info.file_size
        if total > limits.max_uncompressed_bytes:
            raise XlsxFileError(unsafe)
        if info.file_size > limits.ratio_floor_bytes:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                raise XlsxFileError(unsafe)
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise XlsxFileError(broken)


def _require_defusedxml() -> None:
    # Without defusedxml openpyxl parses entity declarations (billion laughs, XXE).
    if not getattr(openpyxl, "DEFUSEDXML", False):
        raise XlsxFileError(
            "本程序缺少安全组件 defusedxml，为防止恶意文件，暂不能读取 Excel 文件。"
            "请重新安装 BranchDesk。"
        )


def _cell_text_ok(value: Any) -> Any:
    if isinstance(value, dt.time):  # a bare time is never a roster fact
        return value.isoformat()
    return value


def read_workbook_rows(path: Path | str, limits: Limits = DEFAULT_LIMITS) -> WorkbookRows:
    """Read the non-empty rows of every worksheet, refusing hostile or oversized files."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xls", ".et"):
        check_not_encrypted(path, limits)
    check_extension(path)
    precheck_zip(path, limits)
    _require_defusedxml()
    name = path.name
    unreadable = (
        f"“{name}”无法按 Excel 工作簿读取，文件可能已损坏或不是真正的 .xlsx。"
        "请在 Excel 或 WPS 中打开后另存为“Excel 工作簿 (*.xlsx)”再导入。"
    )
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except XlsxFileError:
        raise
    except PermissionError:
        raise XlsxFileError(f"无法读取“{name}”：没有权限，或文件正被其他程序独占打开。") from None
    except Exception as exc:  # any failure to load a stranger's file means: refuse it
        raise XlsxFileError(unreadable) from exc
    try:
        date1904 = workbook.epoch == CALENDAR_MAC_1904
        sheets: list[SheetRows] = []
        total_rows = 0
        for worksheet in workbook.worksheets[: limits.max_sheets]:
            if not hasattr(worksheet, "iter_rows"):
                continue  # a chartsheet
            sheet = SheetRows(title=str(worksheet.title))
            for number, values in _iter_rows(worksheet, limits, name):
                sheet.rows.append((number, values))
                total_rows += 1
                if total_rows > limits.max_data_rows:
                    raise XlsxFileError(
                        f"“{name}”中的数据超过 {limits.max_data_rows} 行，"
                        "不像是一个支部的花名册，已拒绝读取。"
                    )
            sheets.append(sheet)
    except XlsxFileError:
        raise
    except MemoryError:
        raise XlsxFileError(f"“{name}”过大，读取时内存不足，已拒绝读取。") from None
    except Exception as exc:  # broken or hostile XML inside the sheet
        raise XlsxFileError(unreadable) from exc
    finally:
        workbook.close()  # read-only workbooks keep the file open (and locked on Windows)
    return WorkbookRows(path=path, date1904=date1904, sheets=sheets)


_FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def shows_month_only(number_format: str) -> bool:
    """Whether a date cell's number format shows a year and month but no day (2019年7月)."""
    parts = _FORMAT_LITERALS.sub("", number_format or "").lower()
    return "y" in parts and "m" in parts and "d" not in parts


def _cell_value(cell: Any) -> Any:
    """A cell's value; a date shown to the month only becomes the text ``2019-07``."""
    value = cell.value
    if isinstance(value, dt.datetime) and shows_month_only(cell.number_format):
        return f"{value.year:04d}-{value.month:02d}"
    return value


def _iter_rows(worksheet: Any, limits: Limits, name: str) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """Yield (row number, values) for non-empty rows; stop after a long blank stretch.

    A date cell whose format shows only the month (BranchDesk's own 花名册 writes 2016年7月
    for a date known to the month) is read as ``2016-07`` text, so its precision survives.
    """
    # The stored dimension may claim A1:XFD1048576; never trust or allocate by it.
    worksheet.reset_dimensions()
    blank_run = 0
    for number, cells in enumerate(
        worksheet.iter_rows(min_row=1, max_col=limits.max_columns), start=1
    ):
        values = [_cell_value(cell) for cell in cells]
        cleaned = tuple(
            None if (v is None or (isinstance(v, str) and not v.strip())) else _cell_text_ok(v)
            for v in values
        )
        if all(v is None for v in cleaned):
            blank_run += 1
            if blank_run >= limits.max_blank_run:
                return
            continue
        blank_run = 0
        yield number, cleaned


def replace_atomically(temp_path: Path, target: Path) -> None:
    """Move a fully written temp file over ``target``; explain a target held open by Excel."""
    try:
        with open(temp_path, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temp_path, target)
    except PermissionError:
        _remove_quietly(temp_path)
        raise XlsxFileError(
            f"无法写入“{target.name}”：文件可能正在 Excel 或 WPS 中打开，"
            "或没有写入权限。请先关闭该文件后重试；原文件未被改动。"
        ) from None
    except OSError as exc:
        _remove_quietly(temp_path)
        raise XlsxFileError(
            f"无法保存“{target.name}”：{exc.strerror or exc}；原文件未被改动。"
        ) from exc


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass
