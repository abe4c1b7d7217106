"""The 会议 list: one row per meeting summary, newest first."""

from __future__ import annotations

import enum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from branchdesk.domain.meetings import MeetingStatus, MeetingSummary

SUMMARY_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2

PLANNED_COLOR = QColor("#1d5fa6")  # planned meetings read as "not yet", in blue
LOW_RATE_COLOR = QColor("#9a6700")

_Index = QModelIndex | QPersistentModelIndex


class Column(enum.IntEnum):
    DATE = 0
    KIND = 1
    TITLE = 2
    GROUP = 3
    HOST = 4
    ATTENDANCE = 5
    RATE = 6
    STATUS = 7

    @property
    def header(self) -> str:
        return _HEADERS[self]


_HEADERS = {
    Column.DATE: "日期",
    Column.KIND: "类型",
    Column.TITLE: "主题",
    Column.GROUP: "党小组",
    Column.HOST: "主持人",
    Column.ATTENDANCE: "实到/应到",
    Column.RATE: "出席率",
    Column.STATUS: "状态",
}


def day_text(day: Any, fmt: str = "yyyy年M月d日 ddd") -> str:
    """A date as people read it, through the (Chinese) locale."""
    return QLocale().toString(QDate(day), fmt)


class MeetingTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[MeetingSummary] = []

    def set_rows(self, rows: list[MeetingSummary]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def summary(self, row: int) -> MeetingSummary:
        return self._rows[row]

    def row_of(self, meeting_id: int) -> int:
        for row, summary in enumerate(self._rows):
            if summary.id == meeting_id:
                return row
        return -1

    # -- Qt interface -----------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(Column)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(Column):
            if role == Qt.ItemDataRole.DisplayRole:
                return Column(section).header
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        summary = self._rows[index.row()]
        column = Column(index.column())
        planned = summary.status is MeetingStatus.PLANNED
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(summary, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == Column.TITLE and summary.title:
                return summary.title
            if column == Column.ATTENDANCE and not planned:
                counts = summary.counts
                return f"应到 {counts.expected} 人，实到 {counts.present} 人，请假 {counts.leave} 人，缺席 {counts.absent} 人"
            if planned:
                return "计划召开，尚未登记出勤"
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if planned:
                return QBrush(PLANNED_COLOR)
            rate = summary.counts.rate
            if column in (Column.ATTENDANCE, Column.RATE) and rate is not None and rate <= 0.5:
                return QBrush(LOW_RATE_COLOR)
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in (Column.ATTENDANCE, Column.RATE):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == SUMMARY_ROLE:
            return summary
        if role == SORT_ROLE:
            return self._sort_key(summary, column)
        return None

    @staticmethod
    def _display(summary: MeetingSummary, column: Column) -> str:
        counts = summary.counts
        planned = summary.status is MeetingStatus.PLANNED
        if column == Column.DATE:
            text = day_text(summary.day)
            return f"{text}  {summary.start:%H:%M}" if summary.start else text
        if column == Column.KIND:
            return summary.kind_label
        if column == Column.TITLE:
            return summary.title
        if column == Column.GROUP:
            return summary.group_name
        if column == Column.HOST:
            return summary.host_name
        if column == Column.ATTENDANCE:
            return f"—/{counts.expected}" if planned else f"{counts.present}/{counts.expected}"
        if column == Column.RATE:
            return "—" if planned else counts.rate_text()
        return summary.status.label

    @staticmethod
    def _sort_key(summary: MeetingSummary, column: Column) -> Any:
        if column == Column.DATE:
            return f"{summary.day.isoformat()} {summary.start or ''} {summary.id:09d}"
        if column == Column.ATTENDANCE:
            return summary.counts.present
        if column == Column.RATE:
            rate = summary.counts.rate
            return -1.0 if rate is None or summary.status is MeetingStatus.PLANNED else rate
        return MeetingTableModel._display(summary, column)


class MeetingSortProxy(QSortFilterProxyModel):
    """Sorts by a column's natural value (dates by date, rates as numbers)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setSortLocaleAware(True)
