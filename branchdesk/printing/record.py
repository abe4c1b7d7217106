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
    QTextBlockFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from sqlite_utils import Database

from branchdesk.domain.meetings import AttendanceStatus, Meeting, MeetingKind, MeetingStatus
from branchdesk.printing.paged import Page, PrintError, print_font
from branchdesk.printing.signin import date_text, kinds_text, time_text
from branchdesk.store.meetings import MeetingRepo
from branchdesk.store.members import BranchRepo, NotFound

BODY_PT = 11.0
BRANCH_PT = 16.0
TITLE_PT = 22.0
SECTION_PT = 13.5
RUNNING_HEAD_MM = 9.0
SECTION_NUMBERS = "一二三四五六七八九十"
SECTION_TITLES = ("议题", "会议记录", "决议", "补学情况")


@dataclass
class MeetingRecord:
    branch_name: str
    meeting: Meeting

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
    return MeetingRecord(branch.name if branch and branch.name else "党支部", meeting)


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
        self._top = 0.0

    # -- content ------------------------------------------------------------------------------

    def _header_rows(self) -> list[list[tuple[str, str]]]:
        """(label, value) pairs, two to a row, one where the value needs the whole width."""
        meeting = self.record.meeting
        planned = meeting.status is MeetingStatus.PLANNED
        counts = meeting.counts
        kind = kinds_text(meeting.kinds)
        rows: list[list[tuple[str, str]]] = []
        if MeetingKind.GROUP in meeting.kinds and meeting.group_name:
            rows.append([("会议类型", kind), ("党小组", meeting.group_name)])
        else:
            rows.append([("会议类型", kind)])
        rows.append([("时间", time_text(meeting.day, meeting.start, meeting.end))])
        rows.append([("地点", meeting.place)])
        if meeting.title:
            rows.append([("会议主题", meeting.title)])
        rows.append([("主持人", meeting.host.name), ("记录人", meeting.recorder.name)])
        if MeetingKind.LECTURE in meeting.kinds:
            rows.append([("授课人", meeting.lecturer.name), ("党课题目", meeting.lecture_title)])

        def number(value: int) -> str:
            return "" if planned else f"{value} 人"

        rows.append([("应到", number(counts.expected)), ("实到", number(counts.present))])
        rows.append([("请假", number(counts.leave)), ("缺席", number(counts.absent))])
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
        doc = QTextDocument()
        doc.documentLayout().setPaintDevice(page.painter.device())
        doc.setDefaultFont(print_font(BODY_PT))
        doc.setDocumentMargin(0)
        doc.setHtml(self._html(page))
        self._top = page.mm(RUNNING_HEAD_MM)
        doc.setPageSize(QSizeF(page.rect.width(), page.rect.height() - self._top))
        self._keep_headings_with_text(doc, page)
        self._doc = doc
        return doc.pageCount()

    def _keep_headings_with_text(self, doc: QTextDocument, page: Page) -> None:
        """Start a section on a new page rather than leave its heading alone at a foot."""
        height = doc.pageSize().height()
        needed = page.mm(22)  # the heading and two lines of what follows
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
        height = doc.pageSize().height()
        painter = page.painter
        painter.save()
        painter.translate(QPointF(rect.left(), rect.top() + self._top - index * height))
        top, bottom = index * height, (index + 1) * height
        painter.setClipRect(QRectF(0, top, rect.width(), height))
        # Each line of text is drawn on the one page where it starts. The layout's own
        # draw() also paints lines of a neighbouring page that the clip hides: invisible,
        # but doubled in the PDF's text when it is searched or copied.
        layout = doc.documentLayout()
        block = doc.begin()
        while block.isValid():
            if QTextCursor(block).currentTable() is None:
                text_layout = block.layout()
                origin = text_layout.position()
                for number in range(text_layout.lineCount()):
                    line = text_layout.lineAt(number)
                    if top <= origin.y() + line.y() < bottom:
                        line.draw(painter, origin)
            block = block.next()
        # Tables (the header table) are drawn whole by the layout, cell borders included.
        frame = doc.rootFrame()
        for child in frame.childFrames():
            box = layout.frameBoundingRect(child)
            if box.bottom() < top or box.top() > bottom:
                continue
            context = QAbstractTextDocumentLayout.PaintContext()
            context.clip = box.intersected(QRectF(0, top, rect.width(), height))
            layout.draw(painter, context)
        painter.restore()
