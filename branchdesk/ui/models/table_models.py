"""One base for the table models (会议 and 活动 lists, a member's year, the attendance and
participants grids): rows, headers, role dispatch.

Columns are a ``HeaderColumn`` enum (``DATE = 0, "日期"``); a model subclasses
``SummaryTableModel`` and says what a column shows (``_display``) and, where it differs from
the default, its sort key, tool tip, colours and alignment. An editable grid overrides
``_cell`` for its edit and check roles, and adds ``flags`` and ``setData``.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

SUMMARY_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2

_Index = QModelIndex | QPersistentModelIndex
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

Row = TypeVar("Row")


def day_text(day: dt.date, fmt: str = "yyyy年M月d日") -> str:
    """A date as people read it, through the (Chinese) locale."""
    return QLocale().toString(QDate(day.year, day.month, day.day), fmt)


def change_filter(proxy: QSortFilterProxyModel, apply: Callable[[], None]) -> None:
    """Change what ``proxy`` lets through: ``apply`` sets the new criteria.

    Qt 6.10 replaced ``invalidateFilter()`` with ``begin/endFilterChange()``; 6.8 and 6.9 (the
    older-glibc build) do not have ``endFilterChange``.
    """
    if hasattr(proxy, "endFilterChange"):
        proxy.beginFilterChange()
        apply()
        proxy.endFilterChange(QSortFilterProxyModel.Direction.Rows)
    else:
        apply()
        proxy.invalidateFilter()


class HeaderColumn(enum.IntEnum):
    """A table's columns, each with the heading shown above it: ``DATE = 0, "日期"``."""

    header: str

    def __new__(cls, value: int, header: str = "") -> HeaderColumn:
        member = int.__new__(cls, value)
        member._value_ = value
        member.header = header
        return member


class SummaryTableModel(QAbstractTableModel, Generic[Row]):
    """Rows of summaries (``row_of`` needs an ``id``); subclasses say what each column shows."""

    columns: ClassVar[type[HeaderColumn]]
    numeric: ClassVar[tuple[HeaderColumn, ...]] = ()  # right-aligned columns
    align_numeric_headers: ClassVar[bool] = False
    # columns that show one text attribute of the summary as it is: {Column.TITLE: "title"}
    plain: ClassVar[dict[Any, str]] = {}

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Row] = []

    def set_rows(self, rows: list[Row]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[Row]:
        return list(self._rows)

    def summary(self, row: int) -> Row:
        return self._rows[row]

    def row_of(self, row_id: int) -> int:
        for row, summary in enumerate(self._rows):
            if summary.id == row_id:  # type: ignore[attr-defined]
                return row
        return -1

    # -- what subclasses fill in --------------------------------------------------------------

    def _display(self, summary: Row, column: Any) -> str:
        """A cell's text; this base shows the ``plain`` columns."""
        return getattr(summary, self.plain[column])  # type: ignore[no-any-return]

    def _sort_key(self, summary: Row, column: Any) -> Any:
        return self._display(summary, column)

    def _tooltip(self, summary: Row, column: Any) -> Any:
        return None

    def _foreground(self, summary: Row, column: Any) -> Any:
        return None

    def _background(self, summary: Row, column: Any) -> Any:
        return None

    def _day_key(self, summary: Any, *middle: object) -> str:
        """A sort key for a date column: the day, ``middle`` (a start time ...), then the id,
        so that records of one day keep a stable order."""
        return " ".join([summary.day.isoformat(), *map(str, middle), f"{summary.id:09d}"])

    def _alignment(self, summary: Row, column: Any) -> int:
        return _RIGHT if column in self.numeric else _LEFT

    # -- Qt interface -------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            column = self.columns(section)
            if role == Qt.ItemDataRole.DisplayRole:
                return column.header
            if (
                role == Qt.ItemDataRole.TextAlignmentRole
                and self.align_numeric_headers
                and column in self.numeric
            ):
                return _RIGHT
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        return self._cell(self._rows[index.row()], self.columns(index.column()), role)

    def _cell(self, summary: Row, column: Any, role: int) -> Any:
        """What one cell holds for ``role``; an editable model adds its edit and check roles."""
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(summary, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(summary, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(summary, column)
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._background(summary, column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._alignment(summary, column)
        if role == SUMMARY_ROLE:
            return summary
        if role == SORT_ROLE:
            return self._sort_key(summary, column)
        return None


class SummarySortProxy(QSortFilterProxyModel):
    """Sorts by a column's natural value (``SORT_ROLE``), text by the locale."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setSortLocaleAware(True)
