"""The 活动 list: one row per activity summary, newest first."""

from __future__ import annotations

import datetime as dt
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

from branchdesk.domain.activities import ActivitySummary, format_hours

SUMMARY_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2

_Index = QModelIndex | QPersistentModelIndex


class Column(enum.IntEnum):
    DATE = 0
    KIND = 1
    TITLE = 2
    PLACE = 3
    PARTICIPANTS = 4
    HOURS = 5

    @property
    def header(self) -> str:
        return _HEADERS[self]


_HEADERS = {
    Column.DATE: "日期",
    Column.KIND: "类型",
    Column.TITLE: "活动名称",
    Column.PLACE: "地点",
    Column.PARTICIPANTS: "参与人数",
    Column.HOURS: "合计时长",
}
_NUMERIC = (Column.PARTICIPANTS, Column.HOURS)


def day_text(day: dt.date, fmt: str = "yyyy年M月d日") -> str:
    """A date as people read it, through the (Chinese) locale."""
    return QLocale().toString(QDate(day.year, day.month, day.day), fmt)


def span_text(day: dt.date, end_day: dt.date | None) -> str:
    """``2026年3月1日`` or, for several days, ``2026年3月1日至3月3日``."""
    start = day_text(day)
    if end_day is None or end_day == day:
        return start
    if end_day.year == day.year:
        return f"{start}至{day_text(end_day, 'M月d日')}"
    return f"{start}至{day_text(end_day)}"


class ActivityTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[ActivitySummary] = []

    def set_rows(self, rows: list[ActivitySummary]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[ActivitySummary]:
        return list(self._rows)

    def summary(self, row: int) -> ActivitySummary:
        return self._rows[row]

    def row_of(self, activity_id: int) -> int:
        for row, summary in enumerate(self._rows):
            if summary.id == activity_id:
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
            if role == Qt.ItemDataRole.TextAlignmentRole and Column(section) in _NUMERIC:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        summary = self._rows[index.row()]
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(summary, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column in (Column.TITLE, Column.PLACE):
                return self._display(summary, column) or None
            if column in _NUMERIC:
                return f"{summary.participants} 人参加，合计 {format_hours(summary.hours)} 小时"
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in _NUMERIC:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == SUMMARY_ROLE:
            return summary
        if role == SORT_ROLE:
            return self._sort_key(summary, column)
        return None

    @staticmethod
    def _display(summary: ActivitySummary, column: Column) -> str:
        if column == Column.DATE:
            return span_text(summary.day, summary.end_day)
        if column == Column.KIND:
            return summary.kind
        if column == Column.TITLE:
            return summary.title
        if column == Column.PLACE:
            return summary.place
        if column == Column.PARTICIPANTS:
            return f"{summary.participants} 人"
        return f"{format_hours(summary.hours)} 小时"

    @staticmethod
    def _sort_key(summary: ActivitySummary, column: Column) -> Any:
        if column == Column.DATE:
            return f"{summary.day.isoformat()} {summary.id:09d}"
        if column == Column.PARTICIPANTS:
            return summary.participants
        if column == Column.HOURS:
            return summary.hours
        return ActivityTableModel._display(summary, column)


class ActivitySortProxy(QSortFilterProxyModel):
    """Sorts by a column's natural value (dates by date, counts and hours as numbers)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setSortLocaleAware(True)
