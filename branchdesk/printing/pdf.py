"""Write a printed document to a PDF file, from the GUI or from a headless command."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QGuiApplication, QPdfWriter

from branchdesk.printing.paged import PagedDocument, PrintError, Progress, ensure_font, render

PDF_DPI = 1200
_app: QGuiApplication | None = None  # kept alive for the process when we made it


def ensure_gui() -> None:
    """Make sure fonts and painting work: create an offscreen QGuiApplication if none exists.

    A command on a server or CI has no display; choosing the offscreen platform here
    means ``branchdesk signin ... -o x.pdf`` never needs one, whatever QT_QPA_PLATFORM says.
    """
    global _app
    app = QCoreApplication.instance()
    if app is None:
        _app = QGuiApplication(["branchdesk", "-platform", "offscreen"])
    elif not isinstance(app, QGuiApplication):
        raise PrintError("内部错误：打印需要图形界面库（QGuiApplication）")
    ensure_font()


def write_pdf(document: PagedDocument, path: Path, progress: Progress | None = None) -> int:
    """Write ``document`` to ``path`` as A4 PDF and return the page count.

    The file is written next to the target and moved into place at the end, so a
    failure, or ``progress`` answering False (``PrintCancelled``), never leaves half a
    PDF where the old one was, nor anywhere else.
    """
    ensure_gui()
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise PrintError(f"文件夹“{folder}”不存在")
    try:
        handle, temp_name = tempfile.mkstemp(prefix=".branchdesk-", suffix=".pdf", dir=folder)
        os.close(handle)
    except OSError as exc:
        raise PrintError(f"无法在“{folder}”中写入文件：{exc.strerror or exc}") from exc
    temp = Path(temp_name)
    writer: QPdfWriter | None = None
    try:
        writer = QPdfWriter(str(temp))
        writer.setResolution(PDF_DPI)
        writer.setTitle(document.title)
        writer.setCreator("BranchDesk 支部台账")
        pages = render(document, writer, progress)
        writer = None  # flushes and closes the file
        if temp.stat().st_size == 0:
            raise PrintError(f"无法写入“{path}”：磁盘已满或没有写入权限")
        try:
            os.replace(temp, path)
        except PermissionError as exc:
            raise PrintError(
                f"无法保存“{path}”：文件可能正在被其他程序（如 PDF 阅读器）打开"
            ) from exc
        except OSError as exc:
            raise PrintError(f"无法保存“{path}”：{exc.strerror or exc}") from exc
        return pages
    finally:
        writer = None  # closed before its file is removed (Windows keeps open files)
        temp.unlink(missing_ok=True)
