"""会议记录: a meeting printed in the layout of a paper 三会一课记录本, for the archive (台账).

The record is rich text (a bordered header table, then 议题, 会议记录, 决议) laid out by
QTextDocument, which flows long minutes over as many pages as they need; ``paged.render``
draws it page by page with a running head and the page footer.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QImage,
    QTextBlockFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
    QTextLayout,
)
from sqlite_utils import Database

from branchdesk.domain.meeting_rules import Quorum, vote_results
from branchdesk.domain.meetings import AttendanceStatus, Meeting, MeetingStatus
from branchdesk.printing.paged import Page, PrintError, print_font
from branchdesk.printing.signin import date_text, kinds_text, time_text
from branchdesk.store.meetings import MeetingRepo
from branchdesk.store.members import BranchRepo, NotFound
from branchdesk.store.rule_queries import RuleQueries

BODY_PT = 11.0
BRANCH_PT = 16.0
TITLE_PT = 22.0
SECTION_PT = 13.5
RUNNING_HEAD_MM = 9.0
SECTION_NUMBERS = "一二三四五六七八九十"
# Qt lays text out in fixed-point numbers that stop at 2**23 pixels of the device: at a PDF's
# 1200 dpi about 710 A4 pages, and everything after was silently left out. The record is laid
# out at this resolution instead (about 2,800 pages; glyph advances are unhinted, so they
# scale) and drawn scaled to the device's.
LAYOUT_DPI = 300
_LAYOUT_LIMIT = 2**23 - 1
SECTION_TITLES = ("议题", "会议记录", "决议", "表决情况", "补学情况")


@dataclass
class MeetingRecord:
    branch_name: str
    meeting: Meeting
    quorum: Quorum | None = None  # 支部党员大会 / 支委会: whether more than half came

    @property
    def title(self) -> str:
        return f"{self.branch_name} 会议记录 {self.meeting.day.isoformat()}"


def record_for_meeting(db: Database, meeting: int | Meeting) -> MeetingRecord:
    """The record of a meeting given by id, or of one being edited."""
    if not isinstance(meeting, Meeting):
        try:
            meeting = MeetingRepo(db).get(meeting)
        except NotFound as exc:
            raise PrintError(f"会议 {meeting} 不存在") from exc
    branch = BranchRepo(db).get()
    quorum = RuleQueries(db).quorum(meeting)
    return MeetingRecord(branch.name if branch and branch.name else "党支部", meeting, quorum)


def _px(mm: float) -> int:
    """Rich text measures lengths in CSS pixels (1/96 inch) whatever the device."""
    return round(mm * 96 / 25.4)


def _e(text: str) -> str:
    return html.escape(text, quote=False)


def _paragraphs(text: str) -> list[str]:
    lines = text.replace("\r\n", "\n").split("\n")
    return [line.strip(" \t\u3000") for line in lines if line.strip(" \t\u3000")]


def _names_with_reasons(meeting: Meeting, status: AttendanceStatus) -> str:
    rows = [row for row in meeting.attendance if row.status is status]
    return "、".join(f"{row.name}（{row.reason}）" if row.reason else row.name for row in rows)


def _makeup_lines(meeting: Meeting) -> list[str]:
    lines = []
    for row in meeting.attendance:
        if row.status is AttendanceStatus.PRESENT or not row.makeup:
            continue
        when = date_text(row.makeup.day).split(" ")[0] if row.makeup.day else ""
        how = " ".join(part for part in (when, row.makeup.how) if part)
        lines.append(f"{row.name}：{how}")
    return lines


class RecordDocument:
    """A ``PagedDocument`` for one ``MeetingRecord``."""

    def __init__(self, record: MeetingRecord) -> None:
        self.record = record
        self.title = record.title
        self._doc: QTextDocument | None = None
        self._layout_device = QImage()
        self._scale = 1.0  # device pixels per layout pixel
        self._top = 0.0  # height of the running head, in device pixels
        # For each page, the lines of text that start on it: (layout, its origin, line numbers).
        self._lines: list[list[tuple[QTextLayout, QPointF, list[int]]]] = []

    # -- content ------------------------------------------------------------------------------

    def _header_rows(self) -> list[list[tuple[str, str]]]:
        """(label, value) pairs, two to a row, one where the value needs the whole width."""
        meeting = self.record.meeting
        planned = meeting.status is MeetingStatus.PLANNED
        counts = meeting.counts
        kind = kinds_text(meeting.kinds)
        rows: list[list[tuple[str, str]]] = []
        if any(k.spec.group for k in meeting.kinds) and meeting.group_name:
            rows.append([("会议类型", kind), ("党小组", meeting.group_name)])
        else:
            rows.append([("会议类型", kind)])
        rows.append([("时间", time_text(meeting.day, meeting.start, meeting.end))])
        rows.append([("地点", meeting.place)])
        if meeting.title:
            rows.append([("会议主题", meeting.title)])
        rows.append([("主持人", meeting.host.name), ("记录人", meeting.recorder.name)])
        if any(k.spec.lecturer for k in meeting.kinds):
            rows.append([("授课人", meeting.lecturer.name), ("党课题目", meeting.lecture_title)])

        def number(value: int) -> str:
            return "" if planned else f"{value} 人"

        rows.append([("应到", number(counts.expected)), ("实到", number(counts.present))])
        rows.append([("请假", number(counts.leave)), ("缺席", number(counts.absent))])
        quorum = self.record.quorum
        if quorum is not None and not planned:
            rows.append([("会议有效性", quorum.describe())])
        leave = "" if planned else _names_with_reasons(meeting, AttendanceStatus.LEAVE)
        absent = "" if planned else _names_with_reasons(meeting, AttendanceStatus.ABSENT)
        rows.append([("请假人员及原因", leave or ("" if planned else "无"))])
        rows.append([("缺席人员及原因", absent or ("" if planned else "无"))])
        rows.append([("列席人员", meeting.nonvoting or ("" if planned else "无"))])
        return rows

    def _html(self, page: Page) -> str:
        record = self.record
        meeting = record.meeting
        pad = _px(1.8)
        border = 1
        gap = _px(2.5)
        parts = [
            f'<p align="center" style="font-size:{BRANCH_PT}pt; margin-bottom:{_px(1)}px">'
            f"{_e(record.branch_name)}</p>",
            f'<p align="center" style="font-size:{TITLE_PT}pt; margin-bottom:{_px(5)}px">'
            f"会议记录</p>",
            f'<table width="100%" cellspacing="0" cellpadding="{pad}" border="{border}" '
            f'style="border-collapse:collapse; border-color:#000; border-style:solid">',
        ]
        for cells in self._header_rows():
            parts.append("<tr>")
            for label, value in cells:
                parts.append(f'<td width="20%" align="center" valign="middle">{_e(label)}</td>')
                span = ' colspan="3"' if len(cells) == 1 else ' width="30%"'
                parts.append(f'<td{span} valign="middle">{_e(value)}</td>')
            parts.append("</tr>")
        parts.append("</table>")

        sections: list[tuple[str, list[str], bool]] = []
        topics = [f"{i}. {topic}" for i, topic in enumerate(meeting.topics, 1)]
        sections.append(("议题", topics, False))
        sections.append(("会议记录", _paragraphs(meeting.minutes), True))
        sections.append(("决议", _paragraphs(meeting.resolutions), True))
        votes = vote_results(meeting, self.record.quorum)
        if votes:
            lines = [f"{i}. {r.vote.resolution}：{r.describe()}" for i, r in enumerate(votes, 1)]
            sections.append(("表决情况", lines, False))
        makeup = _makeup_lines(meeting)
        if makeup:
            sections.append(("补学情况", makeup, False))
        for number, (heading, paragraphs, indented) in enumerate(sections):
            parts.append(
                f'<p style="font-size:{SECTION_PT}pt; margin-top:{_px(6)}px; '
                f'margin-bottom:{gap}px">{SECTION_NUMBERS[number]}、{_e(heading)}</p>'
            )
            if not paragraphs:
                paragraphs, indented = ["（无）"], False
            # 首行缩进两字 as Chinese documents do it: two ideographic spaces, which also
            # survive copying the text out of the PDF.
            first = "\u3000\u3000" if indented else ""
            for text in paragraphs:
                parts.append(
                    f'<p style="margin-bottom:{gap}px; line-height:150%; white-space:pre-wrap">'
                    f"{first}{_e(text)}</p>"
                )
        blank = "&nbsp;" * 24
        parts.append(
            f'<p style="margin-top:{_px(14)}px">'
            f"主持人（签字）：<u>{blank}</u>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;"
            f"记录人（签字）：<u>{blank}</u></p>"
        )
        return "".join(parts)

    # -- PagedDocument ------------------------------------------------------------------------

    def paginate(self, page: Page) -> int:
        self._scale = page.dpi / LAYOUT_DPI
        device = QImage(1, 1, QImage.Format.Format_ARGB32)
        device.setDotsPerMeterX(round(LAYOUT_DPI / 0.0254))
        device.setDotsPerMeterY(round(LAYOUT_DPI / 0.0254))
        self._layout_device = device  # the layout keeps using it
        doc = QTextDocument()
        doc.documentLayout().setPaintDevice(device)
        doc.setDefaultFont(print_font(BODY_PT))
        doc.setDocumentMargin(0)
        doc.setHtml(self._html(page))
        self._top = page.mm(RUNNING_HEAD_MM)
        body = QSizeF(page.rect.width(), page.rect.height() - self._top)
        doc.setPageSize(body / self._scale)
        self._keep_headings_with_text(doc, page.mm(22) / self._scale)
        self._doc = doc
        if doc.documentLayout().documentSize().height() >= _LAYOUT_LIMIT:
            most = int(_LAYOUT_LIMIT // doc.pageSize().height())
            raise PrintError(
                f"会议记录太长，超过约 {most} 页，无法完整打印。请把会议记录分成几份保存后再打印。"
            )
        self._lines = self._lines_by_page(doc)
        return max(len(self._lines), doc.pageCount())

    @staticmethod
    def _page_height(doc: QTextDocument) -> float:
        """The height of a page as the layout uses it: in fixed point (1/64 px), truncated.

        A line pushed to the next page starts exactly at a multiple of this height. Measured
        with the page size itself, such lines fell a little short of their page and were
        drawn on the page before, where its clip hid them: 149 lines were missing from the
        paper of a 300-page record, though its PDF text still had them.
        """
        return int(doc.pageSize().height() * 64) / 64

    @classmethod
    def _lines_by_page(
        cls, doc: QTextDocument
    ) -> list[list[tuple[QTextLayout, QPointF, list[int]]]]:
        """Sort every line of text (outside tables) to the one page where it starts.

        Done once: looking for each page's lines among all the document's blocks made
        printing long minutes quadratic (a 1 MB record took 9 s for 300 pages).
        """
        height = cls._page_height(doc)
        pages: list[list[tuple[QTextLayout, QPointF, list[int]]]] = [[]]
        block = doc.begin()
        while block.isValid():
            if QTextCursor(block).currentTable() is None:
                text_layout = block.layout()
                origin = text_layout.position()
                by_page: dict[int, list[int]] = {}
                for number in range(text_layout.lineCount()):
                    y = origin.y() + text_layout.lineAt(number).y()
                    by_page.setdefault(int(y // height), []).append(number)
                for index, numbers in by_page.items():
                    while len(pages) <= index:
                        pages.append([])
                    pages[index].append((text_layout, origin, numbers))
            block = block.next()
        return pages

    def _keep_headings_with_text(self, doc: QTextDocument, needed: float) -> None:
        """Start a section on a new page rather than leave its heading alone at a foot.

        ``needed`` is the room for the heading and two lines of what follows.
        """
        height = self._page_height(doc)
        headings = {f"{n}、{h}" for n in SECTION_NUMBERS for h in SECTION_TITLES}
        layout = doc.documentLayout()
        block = doc.begin()
        while block.isValid():
            if block.text() in headings:
                top = layout.blockBoundingRect(block).top()
                if 0 < height - (top % height) < needed:
                    fmt = QTextBlockFormat()
                    fmt.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
                    QTextCursor(block).mergeBlockFormat(fmt)
            block = block.next()

    def draw_page(self, page: Page, index: int) -> None:
        doc = self._doc
        if doc is None:
            raise PrintError("内部错误：会议记录尚未排版")
        rect = page.rect
        if index:
            band = QRectF(rect.left(), rect.top(), rect.width(), self._top - page.mm(3))
            meeting = self.record.meeting
            page.draw_text(band, f"{self.record.branch_name} 会议记录（续）", 10)
            right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            text = f"{date_text(meeting.day)} {kinds_text(meeting.kinds)}"
            page.draw_text(band, text, 10, right)
            page.line(rect.left(), band.bottom(), rect.right(), band.bottom(), 0.2)
        width, height = doc.pageSize().width(), self._page_height(doc)
        painter = page.painter
        painter.save()
        painter.translate(QPointF(rect.left(), rect.top() + self._top))
        painter.scale(self._scale, self._scale)
        painter.translate(QPointF(0, -index * height))
        top, bottom = index * height, (index + 1) * height
        painter.setClipRect(QRectF(0, top, width, height))
        # Each line of text is drawn on the one page where it starts. The layout's own
        # draw() also paints lines of a neighbouring page that the clip hides: invisible,
        # but doubled in the PDF's text when it is searched or copied.
        lines = self._lines[index] if index < len(self._lines) else []
        for text_layout, origin, numbers in lines:
            for number in numbers:
                text_layout.lineAt(number).draw(painter, origin)
        layout = doc.documentLayout()
        # Tables (the header table) are drawn whole by the layout, cell borders included.
        frame = doc.rootFrame()
        for child in frame.childFrames():
            box = layout.frameBoundingRect(child)
            if box.bottom() < top or box.top() > bottom:
                continue
            context = QAbstractTextDocumentLayout.PaintContext()
            context.clip = box.intersected(QRectF(0, top, width, height))
            layout.draw(painter, context)
        painter.restore()
