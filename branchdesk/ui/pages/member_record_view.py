"""A member's record (党员档案) on one page: details, and for a chosen year every meeting they
were expected at, every activity they took part in, and the totals.

Opened from the roster or from any name in a meeting or activity through
``MemberRecordDialog.open_for``. The printout and the .xlsx show the same figures.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QMarginsF,
    Qt,
    QUrl,
    Slot,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QDesktopServices,
    QFont,
    QKeySequence,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QShortcut,
    QTextDocument,
)
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from branchdesk import ops
from branchdesk.domain.activities import format_hours
from branchdesk.domain.meetings import AttendanceStatus
from branchdesk.domain.member_record import ActivityLine, MeetingLine, MemberYear
from branchdesk.domain.member_rules import probation_due
from branchdesk.domain.members import Category
from branchdesk.ops import Changes
from branchdesk.reports.member_record_xlsx import (
    ExportError,
    ExportResult,
    makeup_text,
    member_details,
    totals_text,
    write_member_record,
)
from branchdesk.resources import CJK_FONT_FAMILY
from branchdesk.store.member_record import MemberRecordRepo
from branchdesk.store.members import NotFound
from branchdesk.ui import file_dialogs, msgbox, theme
from branchdesk.ui.context import AppContext
from branchdesk.ui.dialogs.member_rules_dialogs import ExtendProbationDialog, LongLeaveDialog
from branchdesk.ui.models.activity_table_model import day_text
from branchdesk.ui.models.table_models import SUMMARY_ROLE, HeaderColumn, SummaryTableModel
from branchdesk.ui.ops import BackgroundOp, run_op
from branchdesk.ui.screen_fit import fill_screen, fit_window, save_geometry

log = logging.getLogger(__name__)

LINE_ROLE = SUMMARY_ROLE

LEAVE_BACKGROUND = QColor(theme.RECORD_LEAVE_BACKGROUND)
ABSENT_BACKGROUND = QColor(theme.RECORD_ABSENT_BACKGROUND)
_STATUS_COLORS = {
    AttendanceStatus.LEAVE: (QColor(theme.WARNING), LEAVE_BACKGROUND),
    AttendanceStatus.ABSENT: (QColor(theme.BRAND_RED), ABSENT_BACKGROUND),
}


def _align(*flags: Qt.AlignmentFlag) -> int:
    value = Qt.AlignmentFlag.AlignVCenter
    for flag in flags:
        value |= flag
    return int(value)


# -- the two tables ---------------------------------------------------------------------------


class MeetingColumn(HeaderColumn):
    DATE = 0, "日期"
    KIND = 1, "会议"
    TITLE = 2, "主题"
    STATUS = 3, "出勤"
    REASON = 4, "事由"
    MAKEUP = 5, "补学"


class MeetingLinesModel(SummaryTableModel[MeetingLine]):
    """The meetings a member was expected at in one year; 请假 and 缺席 rows stand out."""

    columns = MeetingColumn

    def _tooltip(self, line: MeetingLine, column: MeetingColumn) -> Any:
        if column == MeetingColumn.MAKEUP and line.makeup:
            return f"补学：{makeup_text(line.makeup)}"
        if column in (MeetingColumn.KIND, MeetingColumn.TITLE, MeetingColumn.REASON):
            return self._display(line, column) or None
        return None

    def _background(self, line: MeetingLine, column: MeetingColumn) -> Any:
        colors = _STATUS_COLORS.get(line.status)
        return None if colors is None else QBrush(colors[1])

    def _foreground(self, line: MeetingLine, column: MeetingColumn) -> Any:
        colors = _STATUS_COLORS.get(line.status)
        if colors is not None and column == MeetingColumn.STATUS:
            return QBrush(colors[0])
        return None

    def _alignment(self, line: MeetingLine, column: MeetingColumn) -> int:
        if column == MeetingColumn.STATUS:
            return _align(Qt.AlignmentFlag.AlignHCenter)
        return _align(Qt.AlignmentFlag.AlignLeft)

    def _display(self, line: MeetingLine, column: MeetingColumn) -> str:
        if column == MeetingColumn.DATE:
            return day_text(line.day)
        if column == MeetingColumn.KIND:
            return line.kind_label
        if column == MeetingColumn.TITLE:
            return line.title
        if column == MeetingColumn.STATUS:
            return line.status.label
        if column == MeetingColumn.REASON:
            return line.reason
        if line.status is AttendanceStatus.PRESENT:
            return ""
        if not line.makeup:
            return "未补学"
        parts = [day_text(line.makeup.day, "M月d日")] if line.makeup.day else []
        if line.makeup.how.strip():
            parts.append(line.makeup.how.strip())
        return " ".join(parts)


class ActivityColumn(HeaderColumn):
    DATE = 0, "日期"
    KIND = 1, "类型"
    TITLE = 2, "活动"
    HOURS = 3, "时长"


class ActivityLinesModel(SummaryTableModel[ActivityLine]):
    """The activities a member took part in during one year, with their own hours."""

    columns = ActivityColumn
    numeric = (ActivityColumn.HOURS,)

    def _tooltip(self, line: ActivityLine, column: ActivityColumn) -> Any:
        return line.title if column == ActivityColumn.TITLE else None

    def _display(self, line: ActivityLine, column: ActivityColumn) -> str:
        if column == ActivityColumn.DATE:
            return day_text(line.day)
        if column == ActivityColumn.KIND:
            return line.kind
        if column == ActivityColumn.TITLE:
            return line.title
        return f"{format_hours(line.hours)} 小时"


# -- the printout ------------------------------------------------------------------------------


_MEETING_WIDTHS = (17, 12, 30, 7, 13, 21)  # per cent of the page width
_ACTIVITY_WIDTHS = (17, 13, 58, 12)
# Qt ignores a paragraph's top margin right after a table, so a small empty line spaces it.
_SECTION = (
    '<p style="font-size:5pt;">&nbsp;</p><p style="font-size:12pt; margin-bottom:4px;">{}</p>'
)
_TABLE = (
    '<table width="100%" border="1" cellspacing="0" cellpadding="4"'
    f' style="border-collapse:collapse; border-color:{theme.PRINT_RULE}; font-size:9.5pt;">'
)


def _cells(values: list[str], *, widths: tuple[int, ...] = (), header: bool = False) -> str:
    # No <th> and no bold: the bundled font has a single weight, and synthetic bold prints
    # every character twice in the PDF's text.
    background = f' bgcolor="{theme.PRINT_HEADER_BACKGROUND}"' if header else ""
    cells = []
    for position, value in enumerate(values):
        width = f' width="{widths[position]}%"' if position < len(widths) else ""
        cells.append(f"<td{background}{width}>{html.escape(value)}</td>")
    return "<tr>" + "".join(cells) + "</tr>"


def _headers(columns: type[HeaderColumn]) -> tuple[str, ...]:
    return tuple(column.header for column in columns)


def _grid(
    headers: tuple[str, ...], widths: tuple[int, ...], rows: list[list[str]], empty: str
) -> str:
    if not rows:
        return f'<p style="color:{theme.PRINT_NOTE};">{html.escape(empty)}</p>'
    head = _cells(list(headers), widths=widths, header=True)
    body = "".join(_cells(row) for row in rows)
    return f"{_TABLE}<thead>{head}</thead><tbody>{body}</tbody></table>"


def _chinese_day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def rules_html(record: MemberYear, today: dt.date) -> str:
    """The line under the details: months without organisational life (as 工作台 counts
    them), an approved long leave, and when 预备期 ends (with any extension)."""
    member = record.member
    parts = []
    gap = record.life_gap
    leave = member.long_leave
    if leave is not None and leave.covers(today):
        parts.append(
            f"<span style='color:{theme.INFO_BLUE}'>长期请假：{_chinese_day(leave.start)}至"
            f"{_chinese_day(leave.end)}（{html.escape(leave.reason)}），期间不提醒组织生活</span>"
        )
    elif gap is not None and gap.months >= 1:
        color = theme.BRAND_RED if gap.overdue else theme.WARNING if gap.months >= 3 else theme.MUTED
        parts.append(f"<span style='color:{color}'>组织生活：{gap.describe()}</span>")
    elif member.status.in_roster:
        parts.append(f"<span style='color:{theme.SUCCESS}'>组织生活：正常</span>")
    if member.category is Category.PROBATIONARY and member.full_date is None:
        due = probation_due(member)
        extension = member.probation_extension
        text = f"预备期满：{_chinese_day(due) if due else '—'}"
        if extension is not None:
            text += (
                f"（{_chinese_day(extension.decided_on)}决定延长 {extension.months} 个月："
                f"{html.escape(extension.reason)}）"
            )
        parts.append(text)
    return "　　".join(parts)


def record_html(record: MemberYear, branch_name: str, today: dt.date) -> str:
    """The record as the HTML subset QTextDocument prints: title, details, totals, two tables."""
    member = record.member
    details = member_details(member, mask_phone_number=True)
    detail_rows = []
    for start in range(0, len(details), 3):
        row: list[str] = []
        for label, value in details[start : start + 3]:
            row += [label, value]
        row += [""] * (6 - len(row))
        cells = "".join(
            f'<td bgcolor="{theme.PRINT_LABEL_BACKGROUND}" width="11%">{html.escape(v)}</td>'
            if position % 2 == 0
            else f'<td width="22%">{html.escape(v)}</td>'
            for position, v in enumerate(row)
        )
        detail_rows.append(f"<tr>{cells}</tr>")
    meetings = [
        [
            day_text(line.day),
            line.kind_label,
            line.title,
            line.status.label,
            line.reason,
            makeup_text(line.makeup) if line.status is not AttendanceStatus.PRESENT else "",
        ]
        for line in record.meetings
    ]
    activities = [
        [day_text(line.day), line.kind, line.title, f"{format_hours(line.hours)} 小时"]
        for line in record.activities
    ]
    subtitle = f"{branch_name}　　" if branch_name else ""
    subtitle += f"打印日期：{day_text(today)}"
    return (
        f'<p align="center" style="font-size:16pt;">'
        f"党员参加组织生活和党员活动情况（{record.year}年度）</p>"
        f'<p align="center" style="color:{theme.PRINT_SUBTITLE};">{html.escape(subtitle)}</p>'
        + _SECTION.format("一、基本情况")
        + f"{_TABLE}{''.join(detail_rows)}</table>"
        + _SECTION.format(f"二、{record.year}年度统计")
        + f"<p>{html.escape(totals_text(record))}</p>"
        + _SECTION.format(f"三、应参加的会议（{record.expected} 次）")
        + _grid(_headers(MeetingColumn), _MEETING_WIDTHS, meetings, "本年度没有应参加的会议。")
        + _SECTION.format(
            f"四、参加的党员活动（{record.activity_count} 次，{record.hours_text()} 小时）"
        )
        + _grid(_headers(ActivityColumn), _ACTIVITY_WIDTHS, activities, "本年度没有登记参加的党员活动。")
    )


def record_document(record: MemberYear, branch_name: str, today: dt.date) -> QTextDocument:
    """A QTextDocument of the record in the bundled font, ready for ``print_``."""
    document = QTextDocument()
    font = QFont(CJK_FONT_FAMILY)
    font.setPointSizeF(10.5)
    document.setDefaultFont(font)
    document.setHtml(record_html(record, branch_name, today))
    return document


def a4_portrait() -> QPageLayout:
    """The record's page: A4 portrait. No margins of its own, because QTextDocument.print_
    adds 2 cm inside whatever printable area the device has."""
    return QPageLayout(
        QPageSize(QPageSize.PageSizeId.A4),
        QPageLayout.Orientation.Portrait,
        QMarginsF(0, 0, 0, 0),
        QPageLayout.Unit.Millimeter,
    )


def render_record(
    device: QPagedPaintDevice, record: MemberYear, branch_name: str, today: dt.date
) -> None:
    """Print the record on ``device`` (a printer, or a QPdfWriter), numbering the pages."""
    record_document(record, branch_name, today).print_(device)


# -- the dialog --------------------------------------------------------------------------------


class _StatTile(QFrame):
    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statTile")
        self.value_label = QLabel("0")
        self.value_label.setStyleSheet(theme.tile_number())
        self.value_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        caption = QLabel(label)
        caption.setStyleSheet(theme.MUTED_TEXT)
        caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(0)
        layout.addWidget(self.value_label)
        layout.addWidget(caption)

    def set_value(self, text: str, color: str = theme.TEXT) -> None:
        self.value_label.setText(text)
        self.value_label.setStyleSheet(theme.tile_number(color))


def _table(model: QAbstractTableModel) -> QTableView:
    table = QTableView()
    table.setModel(model)
    table.setAlternatingRowColors(False)  # the 请假/缺席 colours must be the only stripes
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(32)
    header = table.horizontalHeader()
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setHighlightSections(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return table


class MemberRecordDialog(QDialog):
    """One member's record for a chosen year; it refreshes itself when records change."""

    def __init__(
        self,
        context: AppContext,
        member_id: int,
        parent: QWidget | None = None,
        *,
        year: int | None = None,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("MemberRecordDialog")
        self.context = context
        self.member_id = member_id
        self.repo = MemberRecordRepo(context.db)
        self.today = today or dt.date.today()
        self.record: MemberYear | None = None
        self.last_export: ExportResult | None = None
        self._export_op: BackgroundOp | None = None
        self.setStyleSheet(theme.MEMBER_RECORD)
        self._build()
        self._reload_years(year or self.today.year)
        self.refresh()
        context.events.changes_applied.connect(self._on_events_changes_applied)
        self._restore_geometry()

    @classmethod
    def open_for(
        cls,
        parent: QWidget | None,
        context: AppContext,
        member_id: int,
        *,
        year: int | None = None,
    ) -> MemberRecordDialog | None:
        """Show a member's record beside the window that asked (not modal); None if not found."""
        try:
            context.members.get(member_id)
        except NotFound:
            msgbox.warning(parent, "党员档案", "找不到这名党员，可能已被删除。")
            return None
        dialog = cls(context, member_id, parent, year=year)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    # -- building ------------------------------------------------------------------------------

    def _build(self) -> None:
        self.name_label = QLabel()
        self.name_label.setStyleSheet("font-size: 18pt;")
        self.tags_label = QLabel()
        self.tags_label.setStyleSheet(theme.MUTED_COUNT_TEXT)
        name_row = QHBoxLayout()
        name_row.setSpacing(16)
        name_row.addWidget(self.name_label)
        name_row.addWidget(self.tags_label, 0, Qt.AlignmentFlag.AlignBottom)
        name_row.addStretch(1)

        self.detail_values: dict[str, QLabel] = {}
        details = QGridLayout()
        details.setHorizontalSpacing(12)
        details.setVerticalSpacing(6)
        labels = ["性别", "出生日期", "身份证号", "联系电话", "入党时间", "转正时间",
                  "党员类别", "党小组", "支委职务", "状态"]  # fmt: skip
        for position, label in enumerate(labels):
            row, pair = divmod(position, 4)
            caption = QLabel(f"{label}：")
            caption.setStyleSheet(theme.MUTED_TEXT)
            value = QLabel()
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.detail_values[label] = value
            details.addWidget(caption, row, pair * 2, Qt.AlignmentFlag.AlignRight)
            details.addWidget(value, row, pair * 2 + 1)
        for pair in range(4):
            details.setColumnStretch(pair * 2 + 1, 1)

        header = QFrame()
        header.setObjectName("recordHeader")
        header_layout = QVBoxLayout(header)
        header_layout.setContentsMargins(16, 12, 16, 12)
        header_layout.setSpacing(10)
        header_layout.addLayout(name_row)
        header_layout.addLayout(details)
        # The record's rules: organisational life (党章第九条), long leave, 预备期.
        self.rules_label = QLabel()
        self.rules_label.setObjectName("rulesLine")
        self.rules_label.setTextFormat(Qt.TextFormat.RichText)
        self.rules_label.setWordWrap(True)
        self.extend_button = QPushButton("延长预备期…")
        self.extend_button.setToolTip("登记支部大会延长预备期的决定（6 到 12 个月，只能延长一次）")
        self.extend_button.clicked.connect(self._on_extend_button_clicked)
        self.leave_button = QPushButton("长期请假…")
        self.leave_button.setToolTip("登记经支部同意的长期请假；请假期间不提醒未参加组织生活")
        self.leave_button.clicked.connect(self._on_leave_button_clicked)
        for button in (self.extend_button, self.leave_button):
            button.setAutoDefault(False)
            button.setEnabled(not self.context.read_only)
        rules_row = QHBoxLayout()
        rules_row.addWidget(self.rules_label, 1)
        rules_row.addWidget(self.extend_button)
        rules_row.addWidget(self.leave_button)
        header_layout.addLayout(rules_row)

        self.year_combo = QComboBox()
        self.year_combo.setMinimumWidth(110)
        self.year_combo.setToolTip("查看其他年度的记录")
        year_label = QLabel("年度")
        year_label.setBuddy(self.year_combo)
        self.tiles: dict[str, _StatTile] = {}
        tiles = QHBoxLayout()
        tiles.setSpacing(8)
        tiles.addWidget(year_label)
        tiles.addWidget(self.year_combo)
        tiles.addSpacing(10)
        for label in ("应参加", "实参加", "请假", "缺席", "参与率", "补学", "活动", "服务时长"):
            tile = _StatTile(label)
            self.tiles[label] = tile
            tiles.addWidget(tile, 1)

        self.meeting_model = MeetingLinesModel(self)
        self.meeting_table = _table(self.meeting_model)
        self.meeting_table.horizontalHeader().setSectionResizeMode(
            MeetingColumn.TITLE, QHeaderView.ResizeMode.Stretch
        )
        for column, width in {
            MeetingColumn.DATE: 116,
            MeetingColumn.KIND: 100,
            MeetingColumn.STATUS: 50,
            MeetingColumn.REASON: 84,
            MeetingColumn.MAKEUP: 124,
        }.items():
            self.meeting_table.setColumnWidth(column, width)
        self.activity_model = ActivityLinesModel(self)
        self.activity_table = _table(self.activity_model)
        self.activity_table.horizontalHeader().setSectionResizeMode(
            ActivityColumn.TITLE, QHeaderView.ResizeMode.Stretch
        )
        for column, width in {
            ActivityColumn.DATE: 116,
            ActivityColumn.KIND: 72,
            ActivityColumn.HOURS: 64,
        }.items():
            self.activity_table.setColumnWidth(column, width)
        self.meetings_heading = QLabel()
        self.activities_heading = QLabel()
        for label in (self.meetings_heading, self.activities_heading):
            label.setStyleSheet("font-size: 12pt;")
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        for heading_label, table in (
            (self.meetings_heading, self.meeting_table),
            (self.activities_heading, self.activity_table),
        ):
            pane = QWidget()
            pane_layout = QVBoxLayout(pane)
            pane_layout.setContentsMargins(0, 0, 0, 0)
            pane_layout.setSpacing(6)
            pane_layout.addWidget(heading_label)
            pane_layout.addWidget(table, 1)
            splitter.addWidget(pane)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([712, 428])

        self.export_button = QPushButton("导出 Excel…")
        self.export_button.setToolTip(
            "导出本年度档案（.xlsx），供民主评议使用；身份证号、电话已隐去部分数字"
        )
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.print_button = QPushButton("打印…")
        self.print_button.setToolTip("预览并打印本年度档案（Ctrl+P）")
        self.print_button.clicked.connect(self._on_print_button_clicked)
        QShortcut(QKeySequence.StandardKey.Print, self, self.print_button.click)
        self.export_note = QLabel()
        self.export_note.setObjectName("exportNote")
        self.export_note.setTextFormat(Qt.TextFormat.PlainText)
        self.open_file_button = QPushButton("打开文件")
        self.open_file_button.clicked.connect(self._on_open_file_button_clicked)
        self.open_file_button.hide()
        close_button = QPushButton("关闭")
        close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.print_button)
        buttons.addSpacing(12)
        buttons.addWidget(self.export_note, 1)
        buttons.addWidget(self.open_file_button)
        buttons.addWidget(close_button)
        for button in (self.export_button, self.print_button, self.open_file_button, close_button):
            button.setMinimumHeight(34)
            button.setAutoDefault(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 14)
        layout.setSpacing(12)
        layout.addWidget(header)
        layout.addLayout(tiles)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self.year_combo.currentIndexChanged.connect(self._on_year_combo_changed)

    # -- state ---------------------------------------------------------------------------------

    def _reload_years(self, wanted: int | None = None) -> None:
        chosen = wanted if wanted is not None else self.current_year()
        years = sorted({*self.repo.years(self.member_id), self.today.year, chosen}, reverse=True)
        self.year_combo.blockSignals(True)
        self.year_combo.clear()
        for year in years:
            self.year_combo.addItem(f"{year}年", year)
        self.year_combo.setCurrentIndex(max(self.year_combo.findData(chosen), 0))
        self.year_combo.blockSignals(False)

    def current_year(self) -> int:
        year = self.year_combo.currentData()
        return int(year) if year is not None else self.today.year

    def set_year(self, year: int) -> None:
        if self.year_combo.findData(year) < 0:
            self._reload_years(year)
        self.year_combo.setCurrentIndex(self.year_combo.findData(year))
        self.refresh()

    def years(self) -> list[int]:
        return [int(self.year_combo.itemData(i)) for i in range(self.year_combo.count())]

    def branch_name(self) -> str:
        branch = self.context.branch.get()
        return branch.name if branch else ""

    @Slot()
    def refresh(self) -> None:
        """Re-read the member and the chosen year from the database."""
        try:
            record = self.repo.year(self.member_id, self.current_year(), today=self.today)
        except NotFound:  # deleted while the record was open
            self.record = None
            self.name_label.setText("（该党员已被删除）")
            self.meeting_model.set_rows([])
            self.activity_model.set_rows([])
            self.export_button.setEnabled(False)
            self.print_button.setEnabled(False)
            return
        self.record = record
        member = record.member
        self.setWindowTitle(f"党员档案 - {member.name}")
        self.name_label.setText(member.name)
        tags = [f"{member.category.label}党员"]
        tags += [member.group_name] if member.group_name else []
        tags += ["、".join(r.label for r in member.roles)] if member.roles else []
        tags.append(member.status.label)
        self.tags_label.setText("　·　".join(tags))
        for label, value in member_details(member):
            if label in self.detail_values:
                self.detail_values[label].setText(value or "—")
        self.rules_label.setText(rules_html(record, self.today))
        self.extend_button.setVisible(
            member.category is Category.PROBATIONARY
            and member.full_date is None
            and member.probation_extension is None
        )

        self.tiles["应参加"].set_value(f"{record.expected}")
        self.tiles["实参加"].set_value(f"{record.present}")
        self.tiles["请假"].set_value(
            f"{record.leave}", theme.WARNING if record.leave else theme.TEXT
        )
        self.tiles["缺席"].set_value(
            f"{record.absent}", theme.BRAND_RED if record.absent else theme.TEXT
        )
        self.tiles["参与率"].set_value(record.rate_text())
        self.tiles["补学"].set_value(f"{record.made_up}")
        self.tiles["活动"].set_value(f"{record.activity_count}")
        self.tiles["服务时长"].set_value(f"{record.hours_text()} 小时")
        for tile in self.tiles.values():
            tile.setToolTip(totals_text(record))

        self.meeting_model.set_rows(record.meetings)
        self.activity_model.set_rows(record.activities)
        self.meetings_heading.setText(f"应参加的会议（{record.expected} 次）")
        self.activities_heading.setText(
            f"参加的党员活动（{record.activity_count} 次，{record.hours_text()} 小时）"
        )
        self.export_button.setEnabled(self._export_op is None)
        self.print_button.setEnabled(True)

    def totals_text(self) -> str:
        """The figures on screen as one line (the same words as the printout)."""
        return totals_text(self.record) if self.record is not None else ""

    # -- export and print -----------------------------------------------------------------------

    def default_export_name(self) -> str:
        name = self.record.member.name if self.record else "党员"
        return f"{name}{self.current_year()}年度党员档案.xlsx"

    def export_to(self, path: Path) -> BackgroundOp | None:
        """Write the shown record to ``path`` in the background; the note says how it went."""
        record = self.record
        if record is None or self._export_op is not None:
            return None
        branch_name, today = self.branch_name(), self.today
        data_dir = None if self.context.read_only else self.context.data_dir
        self.export_button.setEnabled(False)
        self.export_note.setText("正在导出…")
        self.open_file_button.hide()
        self._export_op = (
            BackgroundOp(
                self,
                lambda: write_member_record(
                    record, path, branch_name=branch_name, today=today, data_dir=data_dir
                ),
            )
            .success(self._on_export_succeeded)
            .failure(self._on_export_failed)
        )
        self._export_op.finished.connect(self._on_export_finished)
        return self._export_op.run()

    def _on_export_succeeded(self, result: ExportResult) -> None:
        self.last_export = result
        self.export_note.setText(f"已导出：{result.path}")
        self.open_file_button.show()

    def _on_export_failed(self, exc: BaseException) -> None:
        self.export_note.setText("")
        if isinstance(exc, ExportError):
            msgbox.error(self, "导出失败", exc.message)
            return
        raise exc  # a bug: the crash handler logs it

    @Slot()
    def _on_export_finished(self) -> None:
        self._export_op = None
        self.export_button.setEnabled(self.record is not None)

    @Slot()
    def _on_export_button_clicked(self) -> None:
        target = file_dialogs.save_file(
            self, "导出党员档案", self.default_export_name(), file_dialogs.XLSX_FILTER
        )
        if target is not None:
            self.export_to(target)

    @Slot()
    def _on_open_file_button_clicked(self) -> None:
        if self.last_export is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_export.path)))

    @Slot(QPagedPaintDevice)
    def render_to(self, device: QPagedPaintDevice) -> None:
        """Print the shown record on ``device`` (the preview's printer, or a QPdfWriter)."""
        if self.record is not None:
            render_record(device, self.record, self.branch_name(), self.today)

    def print_preview_dialog(self) -> QPrintPreviewDialog:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageLayout(a4_portrait())
        printer.setDocName(self.windowTitle())
        preview = QPrintPreviewDialog(printer, self)
        preview._printer = printer  # type: ignore[attr-defined]  # the dialog does not own it
        preview.setWindowTitle(f"打印预览 - {self.windowTitle()}")
        preview.paintRequested.connect(self.render_to)
        fill_screen(preview)
        return preview

    @Slot()
    def _on_print_button_clicked(self) -> None:
        preview = self.print_preview_dialog()
        try:
            preview.exec()
        finally:
            preview.deleteLater()

    # -- the marks on the member -------------------------------------------------------------

    @Slot()
    def _on_extend_button_clicked(self) -> None:
        if self.record is None:
            return
        extension = ExtendProbationDialog.ask(self, self.record.member, self.today)
        if extension is None:
            return
        try:
            run_op(
                self,
                self.context,
                lambda s: ops.extend_probation(
                    s,
                    self.member_id,
                    extension.decided_on,
                    extension.months,
                    extension.reason,
                    today=self.today,
                ),
            )
        except ValueError as exc:
            msgbox.warning(self, "不能延长预备期", str(exc))

    @Slot()
    def _on_leave_button_clicked(self) -> None:
        if self.record is None:
            return
        accepted, leave = LongLeaveDialog.ask(self, self.record.member, self.today)
        if not accepted:
            return
        if leave is None:
            run_op(self, self.context, lambda s: ops.clear_long_leave(s, self.member_id))
        else:
            run_op(
                self,
                self.context,
                lambda s: ops.set_long_leave(
                    s, self.member_id, leave.start, leave.end, leave.reason
                ),
            )

    # -- reacting ------------------------------------------------------------------------------

    @Slot(int)
    def _on_year_combo_changed(self, _index: int) -> None:
        self.export_note.setText("")
        self.open_file_button.hide()
        self.refresh()

    @Slot(object)
    def _on_events_changes_applied(self, changes: Changes) -> None:
        if changes.meetings or changes.activities or changes.members or changes.groups:
            self._reload_years()
            self.refresh()

    def _restore_geometry(self) -> None:
        fit_window(self, 1180, 760, key="member_record")

    def done(self, result: int) -> None:
        save_geometry(self, "member_record")
        super().done(result)
