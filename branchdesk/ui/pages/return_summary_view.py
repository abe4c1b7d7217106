"""The on-screen 汇总 of a return: the same figures, in the same order, as the workbook's.

Also the small pieces both tabs of the 报表 page share: a read-only table model of
text cells, a table view as tall as its rows, and the "已导出到 … [打开文件夹]" line.
Where exports are saved is ``ui.file_dialogs``' one export folder.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QUrl,
    Slot,
)
from PySide6.QtGui import QColor, QDesktopServices, QFont, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from branchdesk.domain.activities import format_hours
from branchdesk.domain.requirements import Assessment, Period, Status
from branchdesk.reports.return_figures import BranchReturn
from branchdesk.reports.return_workbook import (
    KIND_HEADERS,
    MEMBER_COUNT_HEADERS,
    NO_RATE,
    day_text,
    return_title,
)
from branchdesk.ui import theme

GREEN = theme.SUCCESS
RED = theme.BRAND_RED
GREY = theme.MUTED_GREY
STATUS_COLORS = {Status.MET: GREEN, Status.NOT_MET: RED, Status.NOT_ASSESSED: GREY}

# -- shared pieces -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One shown value: its text, and optionally a colour, a tooltip and bold type."""

    text: str
    color: str = ""
    tooltip: str = ""
    bold: bool = False
    align_left: bool = False
    background: str = ""


class CellTableModel(QAbstractTableModel):
    """A read-only table of ``Cell`` rows under fixed headers."""

    def __init__(self, headers: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.headers = list(headers)
        self.display_headers: list[str] = []  # when shown differently, e.g. in two lines
        self.rows: list[list[Cell]] = []

    def set_rows(
        self,
        rows: Sequence[Sequence[Cell]],
        headers: Sequence[str] | None = None,
        display_headers: Sequence[str] = (),
    ) -> None:
        self.beginResetModel()
        if headers is not None:
            self.headers = list(headers)
            self.display_headers = list(display_headers)
        self.rows = [list(row) for row in rows]
        self.endResetModel()

    def text(self, row: int, column: int) -> str:
        return self.rows[row][column].text

    def column_texts(self, column: int) -> list[str]:
        return [row[column].text for row in self.rows]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if index.column() >= len(row):
            return None
        cell = row[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return cell.text
        if role == Qt.ItemDataRole.ForegroundRole and cell.color:
            return QColor(cell.color)
        if role == Qt.ItemDataRole.BackgroundRole and cell.background:
            return QColor(cell.background)
        if role == Qt.ItemDataRole.ToolTipRole and cell.tooltip:
            return cell.tooltip
        if role == Qt.ItemDataRole.FontRole and cell.bold:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = (
                Qt.AlignmentFlag.AlignLeft if cell.align_left else Qt.AlignmentFlag.AlignHCenter
            )
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(  # noqa: N802 (Qt override)
        self, section: int, orientation: Qt.Orientation, role: int = 0
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.headers)
        ):
            if section < len(self.display_headers):
                return self.display_headers[section]
            return self.headers[section]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class CompactTable(QTableView):
    """A table exactly as tall as its rows, for a page that scrolls as a whole.

    Columns fit their contents; those in ``stretch`` share the spare width and those in
    ``caps`` fit up to a width; both wrap.
    """

    def __init__(
        self,
        model: CellTableModel,
        stretch: Sequence[int] = (),
        caps: dict[int, int] | None = None,
        max_height: int = 0,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.max_height = max_height  # beyond it the table scrolls; 0: never
        self.stretch = tuple(stretch)
        self.caps = dict(caps or {})
        self.setModel(model)
        self.verticalHeader().hide()
        self.setWordWrap(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setVerticalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAsNeeded
            if max_height
            else Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        )
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        header.setMinimumSectionSize(48)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        model.modelReset.connect(self._on_model_reset)
        self._on_model_reset()

    @Slot()
    def _on_model_reset(self) -> None:
        header = self.horizontalHeader()
        for column in range(self.model().columnCount()):
            if column in self.stretch:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
            elif column in self.caps:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
                self.resizeColumnToContents(column)
                self.setColumnWidth(column, min(self.columnWidth(column), self.caps[column]))
            else:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.fit_height()

    def fit_height(self) -> None:
        self.resizeRowsToContents()
        height = self.horizontalHeader().sizeHint().height() + 2 * self.frameWidth()
        height += sum(self.rowHeight(r) for r in range(self.model().rowCount()))
        if self.max_height:
            height = min(height, self.max_height)
        self.setFixedHeight(max(height, 30))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.fit_height()  # wrapped rows grow or shrink with the width, not the height


def card(title: str) -> tuple[QFrame, QVBoxLayout]:
    """A white card with a title; return it and the layout to fill."""
    frame = QFrame()
    frame.setObjectName("card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(18, 14, 18, 16)
    layout.setSpacing(10)
    label = QLabel(title)
    label.setObjectName("cardTitle")
    layout.addWidget(label)
    return frame, layout


class FigureTiles(QWidget):
    """A row of figures, each a big number over a caption; ``text(caption)`` reads one."""

    def __init__(self, captions: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(28)
        grid.setVerticalSpacing(2)
        self.values: dict[str, QLabel] = {}
        for column, caption in enumerate(captions):
            value = QLabel("—")
            value.setObjectName("figureValue")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            name = QLabel(caption)
            name.setObjectName("figureCaption")
            grid.addWidget(value, 0, column)
            grid.addWidget(name, 1, column)
            self.values[caption] = value
        grid.setColumnStretch(len(captions), 1)

    def set_values(self, values: Sequence[Any]) -> None:
        for label, value in zip(self.values.values(), values, strict=True):
            label.setText(str(value))

    def text(self, caption: str) -> str:
        return self.values[caption].text()


class ExportResultLine(QFrame):
    """ "已导出到 …  [打开文件夹]", under the export button once a file is written."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exportResult")
        self.setStyleSheet(theme.EXPORT_RESULT)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 8, 6)
        self.label = QLabel()
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setWordWrap(True)
        self.open_button = QPushButton("打开文件夹")
        self.open_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.open_button)
        self.path: Path | None = None
        self.hide()

    def show_path(self, path: Path, extra: str = "") -> None:
        self.path = path
        self.label.setText(f"已导出到 {path}{extra}")
        self.show()

    @Slot()
    def _on_open_button_clicked(self) -> None:
        if self.path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.path.parent)))


# -- the summary ------------------------------------------------------------------------------

ATTENDANCE_CAPTIONS = ("会议次数", "应到人次", "实到人次", "请假人次", "缺席人次", "出席率")
ACTIVITY_CAPTIONS = ("活动次数", "参与人次", "服务时长（小时）")
MEETING_HEADERS = ("日期", "类型", "主题", "应到", "实到", "请假", "缺席", "出席率")


def requirement_text(line: Assessment) -> str:
    """The 要求 column, worded as the workbook words it."""
    requirement = line.requirement
    if requirement is None:
        return ""
    if line.group_name:
        return f"{requirement.unit.label}至少 {requirement.times} 次"
    return requirement.describe()


def _dates_text(dates: Sequence[dt.date], period: Period) -> str:
    return "、".join(day_text(d, with_year=d.year != period.year) for d in dates)


def assessment_cells(line: Assessment, period: Period) -> list[Cell]:
    color = STATUS_COLORS[line.status]
    not_assessed = line.status is Status.NOT_ASSESSED and line.required == 0
    return [
        Cell(line.label, align_left=True),
        Cell(requirement_text(line), align_left=True),
        Cell(NO_RATE if not_assessed else str(line.required)),
        Cell(str(line.held)),
        Cell(_dates_text(line.dates, period) or "—", align_left=True),
        Cell(line.status.value, color=color, bold=line.status is Status.NOT_MET),
        Cell(line.note, align_left=True, color=RED if line.status is Status.NOT_MET else ""),
    ]


def shortfalls(ret: BranchReturn) -> list[str]:
    """Labels of the lines not met, as the verdict names them."""
    return [line.label for line in ret.assessments if line.status is Status.NOT_MET]


class ReturnSummaryView(QWidget):
    """What the return will say, section by section; fed with ``set_return(ret)``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("returnSummary")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(theme.RETURN_SUMMARY)
        self.ret: BranchReturn | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(14)

        self.title_label = QLabel()
        self.title_label.setObjectName("summaryTitle")
        self.title_label.setWordWrap(True)
        self.subtitle_label = QLabel()
        self.subtitle_label.setObjectName("summarySubtitle")
        self.subtitle_label.setWordWrap(True)
        self.verdict_label = QLabel()
        self.verdict_label.setObjectName("summaryVerdict")
        self.verdict_label.setWordWrap(True)
        head = QVBoxLayout()
        head.setSpacing(4)
        head.addWidget(self.title_label)
        head.addWidget(self.subtitle_label)
        head.addWidget(self.verdict_label)
        layout.addLayout(head)

        members_card, members_layout = card("一、党员情况")
        self.member_tiles = FigureTiles(MEMBER_COUNT_HEADERS)
        members_layout.addWidget(self.member_tiles)
        self.members_note = QLabel()
        self.members_note.setObjectName("cardNote")
        self.members_note.setWordWrap(True)
        members_layout.addWidget(self.members_note)

        kinds_card, kinds_layout = card("二、会议开展情况")
        self.kinds_model = CellTableModel(KIND_HEADERS, self)
        self.kinds_table = CompactTable(self.kinds_model, stretch=(6,), caps={4: 280})
        self.kinds_table.setObjectName("kindsTable")
        kinds_layout.addWidget(self.kinds_table)
        self.kinds_note = QLabel()
        self.kinds_note.setObjectName("cardNote")
        self.kinds_note.setWordWrap(True)
        kinds_layout.addWidget(self.kinds_note)

        attendance_card, attendance_layout = card("三、出席情况")
        self.attendance_tiles = FigureTiles(ATTENDANCE_CAPTIONS)
        attendance_layout.addWidget(self.attendance_tiles)
        attendance_layout.addStretch(1)

        activity_card, activity_layout = card("四、党员活动")
        self.activity_tiles = FigureTiles(ACTIVITY_CAPTIONS)
        activity_layout.addWidget(self.activity_tiles)
        self.activity_kinds = QLabel()
        self.activity_kinds.setObjectName("cardNote")
        self.activity_kinds.setWordWrap(True)
        activity_layout.addWidget(self.activity_kinds)
        activity_layout.addStretch(1)

        small_cards = QHBoxLayout()
        small_cards.setSpacing(14)
        small_cards.addWidget(attendance_card, 3)
        small_cards.addWidget(activity_card, 2)

        meetings_card, meetings_layout = card("本期召开的会议")
        self.meetings_model = CellTableModel(MEETING_HEADERS, self)
        self.meetings_table = CompactTable(self.meetings_model, stretch=(2,))
        self.meetings_table.setObjectName("meetingsTable")
        self.meetings_empty = QLabel("本期没有已召开的会议。")
        self.meetings_empty.setObjectName("cardNote")
        meetings_layout.addWidget(self.meetings_table)
        meetings_layout.addWidget(self.meetings_empty)

        layout.addWidget(members_card)
        layout.addWidget(kinds_card)
        layout.addLayout(small_cards)
        layout.addWidget(meetings_card)
        layout.addStretch(1)

    def set_return(self, ret: BranchReturn) -> None:
        self.ret = ret
        period = ret.period
        self.title_label.setText(return_title(ret))
        self.subtitle_label.setText(
            f"上级党组织：{ret.branch.superior or '（未填写）'}    报送期间："
            f"{day_text(period.start, with_year=True)}至{day_text(period.end, with_year=True)}"
        )
        missing = shortfalls(ret)
        assessed = [a for a in ret.assessments if a.status is not Status.NOT_ASSESSED]
        if missing:
            self.verdict_label.setText(f"本期未达标：{'、'.join(missing)}")
            self.verdict_label.setStyleSheet(theme.color(RED))
        elif assessed:
            self.verdict_label.setText("本期考核的会议全部达标。")
            self.verdict_label.setStyleSheet(theme.color(GREEN))
        else:
            self.verdict_label.setText("本期没有需要考核的会议。")
            self.verdict_label.setStyleSheet(theme.color(GREY))

        counts = ret.members
        self.member_tiles.set_values(
            [
                counts.total,
                counts.full,
                counts.probationary,
                counts.transferred_in,
                counts.transferred_out,
                counts.developed,
                counts.other_left,
            ]
        )
        self.members_note.setText(
            f"党员总数、正式党员、预备党员为{day_text(period.end, with_year=True)}在册人数；"
            "其他减少指去世、停止党籍、出党等。"
        )

        self.kinds_model.set_rows([assessment_cells(line, period) for line in ret.assessments])
        self.kinds_note.setText(
            f"本期共召开会议 {ret.meetings_held} 次；一次会议同时作为几种会议召开的，分别计入各类型；"
            "“—”表示本期不考核。"
        )

        att = ret.attendance
        self.attendance_tiles.set_values(
            [ret.meetings_held, att.expected, att.present, att.leave, att.absent, att.rate_text()]
        )
        totals = ret.activity_totals
        self.activity_tiles.set_values(
            [totals.activities, totals.participations, format_hours(totals.hours)]
        )
        by_kind = Counter(a.kind for a in ret.activities)
        self.activity_kinds.setText(
            "按类型：" + "、".join(f"{kind} {count} 次" for kind, count in by_kind.items())
            if by_kind
            else "本期无活动"
        )

        self.meetings_model.set_rows(
            [
                [
                    Cell(day_text(m.day, with_year=m.day.year != period.year)),
                    Cell(m.kind_label, align_left=True),
                    Cell(m.title, align_left=True, tooltip=m.title),
                    Cell(str(m.counts.expected)),
                    Cell(str(m.counts.present)),
                    Cell(str(m.counts.leave)),
                    Cell(str(m.counts.absent)),
                    Cell(m.counts.rate_text()),
                ]
                for m in ret.meetings
            ]
        )
        self.meetings_table.setVisible(bool(ret.meetings))
        self.meetings_empty.setVisible(not ret.meetings)
