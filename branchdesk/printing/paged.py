"""A4 pages drawn by hand: the page layout, fonts, and the loop that paints each page.

Every printed document (签到表, 会议记录) is a ``PagedDocument``: it is laid out once for
the device it is drawn on, then asked to draw each page. ``render`` does the rest the
same way for a PDF (``QPdfWriter``), a printer and the print preview's printer: A4
portrait with 15 mm margins and the footer “第 N 页 共 M 页” centred on every page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QFont,
    QFontDatabase,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPen,
)

from branchdesk.resources import CJK_FONT_FAMILY, CJK_FONT_FILE, font_problem, resource

MARGIN_MM = 15.0
FOOTER_MM = 8.0  # band at the bottom of the paint rect for “第 N 页 共 M 页”
MM_PER_INCH = 25.4


class PrintError(Exception):
    """A document could not be drawn or written; ``message`` is for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PrintCancelled(PrintError):
    """The person printing stopped it (取消 in the progress dialog)."""

    def __init__(self) -> None:
        super().__init__("已取消打印")


# Told (pages drawn, pages in all) before each page and after the last; False stops printing.
Progress = Callable[[int, int], bool]


def a4_layout() -> QPageLayout:
    return QPageLayout(
        QPageSize(QPageSize.PageSizeId.A4),
        QPageLayout.Orientation.Portrait,
        QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
        QPageLayout.Unit.Millimeter,
    )


def ensure_font() -> str:
    """Register the bundled CJK font unless it already is; return the family to print with.

    Raise ``PrintError`` when it cannot be had: a page of empty boxes must never be printed.
    """
    if CJK_FONT_FAMILY in QFontDatabase.families():
        return CJK_FONT_FAMILY
    problem = font_problem()
    if problem is None and QFontDatabase.addApplicationFont(str(resource(*CJK_FONT_FILE))) >= 0:
        return CJK_FONT_FAMILY
    raise PrintError(problem or f"随软件附带的中文字体文件（{resource(*CJK_FONT_FILE)}）已损坏，无法打印。请重新安装 BranchDesk。")


def print_font(point_size: float) -> QFont:
    """The bundled font at ``point_size``, never bold.

    The font has a regular weight only; Qt would fake bold by drawing each glyph twice,
    which doubles every character in text copied from the PDF. Emphasis is size instead.
    """
    font = QFont()
    font.setFamilies([CJK_FONT_FAMILY])
    font.setPointSizeF(point_size)
    font.setWeight(QFont.Weight.Normal)
    font.setStyleStrategy(QFont.StyleStrategy.PreferAntialias)
    # Hinting would snap glyph advances to whole pixels of a 96-dpi screen.
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return font


@dataclass
class Page:
    """Where a document draws: the painter, the content area and the unit conversions."""

    painter: QPainter
    rect: QRectF  # content area in device pixels, above the footer band
    dpi: float

    def mm(self, value: float) -> float:
        return value * self.dpi / MM_PER_INCH

    def pt(self, value: float) -> float:
        return value * self.dpi / 72.0

    def text_height(self, text: str, point_size: float, width: float, flags: int) -> float:
        """Height that ``text`` needs when wrapped into ``width``."""
        self.painter.setFont(print_font(point_size))
        bound = self.painter.boundingRect(QRectF(0, 0, width, 1e9), flags, text)
        return bound.height()

    def text_width(self, text: str, point_size: float) -> float:
        self.painter.setFont(print_font(point_size))
        flags = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        return self.painter.boundingRect(QRectF(0, 0, 1e9, 1e9), flags, text).width()

    def draw_text(
        self,
        rect: QRectF,
        text: str,
        point_size: float,
        flags: int | Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
    ) -> None:
        self.painter.setFont(print_font(point_size))
        self.painter.setPen(QPen(Qt.GlobalColor.black))
        self.painter.drawText(rect, int(flags), text)

    def line(self, x1: float, y1: float, x2: float, y2: float, width_mm: float = 0.25) -> None:
        pen = QPen(Qt.GlobalColor.black)
        pen.setWidthF(self.mm(width_mm))
        pen.setCapStyle(Qt.PenCapStyle.SquareCap)
        self.painter.setPen(pen)
        self.painter.drawLine(QPointF(x1, y1), QPointF(x2, y2))


class PagedDocument(Protocol):
    """Something ``render`` can print: laid out for a page, then drawn page by page."""

    title: str  # the PDF's title and the print job's name

    def paginate(self, page: Page) -> int:
        """Lay the document out for ``page`` and return how many pages it takes."""
        ...

    def draw_page(self, page: Page, index: int) -> None:
        """Draw page ``index`` (from 0) inside ``page.rect``."""
        ...


def footer_text(number: int, count: int) -> str:
    return f"第 {number} 页 共 {count} 页"


def render(
    document: PagedDocument, device: QPagedPaintDevice, progress: Progress | None = None
) -> int:
    """Draw ``document`` on A4 pages of ``device`` and return the number of pages.

    ``progress`` hears how far it got before each page and once all are drawn; when it
    answers False, drawing stops and ``PrintCancelled`` is raised (a printer or file should
    then be abandoned: see ``pdf.write_pdf``).
    """
    ensure_font()
    device.setPageLayout(a4_layout())
    painter = QPainter()
    if not painter.begin(device):
        raise PrintError("无法开始打印：输出设备不可用（文件无法写入或打印机未就绪）")
    try:
        dpi = float(device.logicalDpiY())
        full = QRectF(0, 0, device.width(), device.height())
        probe = Page(painter, full, dpi)
        footer = probe.mm(FOOTER_MM)
        content = QRectF(full.left(), full.top(), full.width(), full.height() - footer)
        page = Page(painter, content, dpi)
        count = max(1, document.paginate(page))
        for index in range(count):
            if progress is not None and not progress(index, count):
                raise PrintCancelled()
            if index:
                device.newPage()
            painter.save()
            document.draw_page(page, index)
            painter.restore()
            footer_rect = QRectF(full.left(), content.bottom(), full.width(), footer)
            page.draw_text(
                footer_rect,
                footer_text(index + 1, count),
                9,
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
            )
        if progress is not None and not progress(count, count):
            raise PrintCancelled()
        return count
    finally:
        painter.end()
