"""Saving a workbook so that no failure or crash leaves personal data where it should not be.

openpyxl writes each sheet to a temporary file in the system temp folder before zipping it,
and leaves its zip unclosed when saving fails (a full disk then prints a traceback from the
zip's destructor). Here the workbook is written as ``target.partial`` (owner-only from its
first byte, next to the target, recorded in the data folder's temp area so the next start
removes what a crash left), the sheets go to a private work folder of our own, the zip is
always closed, and only a complete file replaces the target.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import errno
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet import _writer as worksheet_writer
from openpyxl.writer.excel import ExcelWriter

from branchdesk.reports.xlsx_safety import XlsxFileError
from branchdesk.store.workarea import PartialFile, WorkDir, usable_temp_area


class ExportError(Exception):
    """An export could not be written; ``message`` says why, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_SHEETS_DIR: contextvars.ContextVar[Path | None] = contextvars.ContextVar(
    "branchdesk_sheets_dir", default=None
)
_openpyxl_temporary_file = worksheet_writer.create_temporary_file


def _sheet_file(suffix: str = "") -> str:
    """Where openpyxl writes a sheet before zipping it: our work folder while we save."""
    folder = _SHEETS_DIR.get()
    if folder is None:
        return _openpyxl_temporary_file(suffix)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed at once, openpyxl reopens it
        mode="w+", suffix=suffix, prefix="sheet-", dir=folder, delete=False
    )
    handle.close()
    worksheet_writer.ALL_TEMP_FILES.append(handle.name)  # openpyxl removes it from this list
    return handle.name


worksheet_writer.create_temporary_file = _sheet_file


@contextlib.contextmanager
def _private_folder(data_dir: Path | None, target: Path) -> Iterator[Path]:
    """A folder only this user can read, removed afterwards: in the data folder when we can."""
    if usable_temp_area(data_dir) is not None:
        assert data_dir is not None
        with WorkDir(data_dir, "export") as work:
            yield work.path
        return
    folder = Path(tempfile.mkdtemp(prefix=".~branchdesk-", dir=target.parent))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def os_reason(exc: OSError) -> str:
    """Say in Chinese why the disk refused, for the errors people can act on."""
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return "磁盘空间不足，请清理磁盘或换一个位置保存"
    if exc.errno == errno.EROFS:
        return "该位置只读，请换一个位置保存"
    if isinstance(exc, PermissionError):
        return "没有写入权限，或文件正被其他程序打开"
    return exc.strerror or str(exc)


def save_workbook(workbook: Workbook, path: Path | str, *, data_dir: Path | None = None) -> Path:
    """Write ``workbook`` to ``path``; the old file survives any failure, nothing is left behind.

    ``data_dir`` is the branch's data folder, whose temp area holds the work files and the
    record of the partial file; without one they stay beside the target, owner-only.
    """
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ExportError(f"导出文件“{path.name}”的扩展名应为 .xlsx")
    if not path.parent.is_dir():
        raise ExportError(f"文件夹“{path.parent}”不存在，无法导出")
    try:
        with (
            _private_folder(data_dir, path) as sheets,
            PartialFile(data_dir, path) as partial,
        ):
            assert partial.file is not None
            token = _SHEETS_DIR.set(sheets)
            try:
                # A context manager: the zip is closed (or its failure raised) here, never later.
                with zipfile.ZipFile(partial.file, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
                    workbook.properties.modified = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
                    ExcelWriter(workbook, archive).write_data()
            finally:
                _SHEETS_DIR.reset(token)
            try:
                partial.commit()
            except PermissionError:
                raise XlsxFileError(
                    f"无法写入“{path.name}”：文件可能正在 Excel 或 WPS 中打开，"
                    "或没有写入权限。请先关闭该文件后重试；原文件未被改动。"
                ) from None
    except XlsxFileError as exc:
        raise ExportError(exc.message) from exc
    except OSError as exc:
        raise ExportError(f"无法保存“{path.name}”：{os_reason(exc)}；原文件未被改动。") from exc
    return path
