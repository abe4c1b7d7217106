"""The participants grid of the activity editor: members to tick, each with their hours.

``ParticipantModel`` holds the people, ``ParticipantFilter`` narrows them by name, group or
ticked, ``ChecklistDelegate`` ticks on a click and edits hours in a spin box, and
``participant_table`` makes the view.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDoubleSpinBox,
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from branchdesk.domain.activities import MAX_HOURS, Participation, format_hours
from branchdesk.ui import theme
from branchdesk.ui.editors.attendance_grid import GRID_EDIT_TRIGGERS
from branchdesk.ui.models.table_models import HeaderColumn, SummaryTableModel, change_filter

_Index = QModelIndex | QPersistentModelIndex
MEMBER_ID_ROLE = Qt.ItemDataRole.UserRole + 2
DEFAULT_HOURS = 2.0


@dataclasses.dataclass
class PersonRow:
    """One member in the checklist: ticked or not, own hours or the common ones."""

    member_id: int
    name: str
    group: str
    checked: bool = False
    hours: float | None = None  # None: follows the common hours


class ParticipantColumn(HeaderColumn):
    NAME = 0, "姓名"
    GROUP = 1, "党小组"
    HOURS = 2, "时长（小时）"


class ParticipantModel(SummaryTableModel[PersonRow]):
    """Members to tick, with each ticked person's hours.

    Signals:
        participants_changed(): a tick or an hour changed.
    """

    participants_changed = Signal()
    columns = ParticipantColumn

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.common_hours = DEFAULT_HOURS

    def set_people(self, people: list[PersonRow]) -> None:
        self.set_rows(people)
        self.participants_changed.emit()

    def people(self) -> list[PersonRow]:
        return list(self._rows)

    def row_of(self, member_id: int) -> int:
        for row, person in enumerate(self._rows):
            if person.member_id == member_id:
                return row
        return -1

    def hours_of(self, person: PersonRow) -> float:
        return self.common_hours if person.hours is None else person.hours

    def participations(self) -> list[Participation]:
        return [
            Participation(member_id=p.member_id, name=p.name, hours=self.hours_of(p))
            for p in self._rows
            if p.checked
        ]

    def set_common_hours(self, hours: float) -> None:
        self.common_hours = hours
        if self._rows:
            self.dataChanged.emit(
                self.index(0, ParticipantColumn.HOURS),
                self.index(len(self._rows) - 1, ParticipantColumn.HOURS),
            )
        self.participants_changed.emit()

    def set_checked(self, rows: list[int], checked: bool) -> None:
        for row in rows:
            self._rows[row].checked = checked
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 2))
        self.participants_changed.emit()

    def set_hours(self, row: int, hours: float | None) -> None:
        """Give one person their own hours (ticking them); None or the common value: follow it."""
        person = self._rows[row]
        if hours is not None:
            hours = round(hours, 2)
            if abs(hours - self.common_hours) < 1e-9:
                hours = None
        person.hours = hours
        person.checked = True
        self.dataChanged.emit(self.index(row, 0), self.index(row, ParticipantColumn.HOURS))
        self.participants_changed.emit()

    # -- Qt interface -----------------------------------------------------------------------

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == ParticipantColumn.NAME:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        if index.column() == ParticipantColumn.HOURS:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def _cell(self, person: PersonRow, column: ParticipantColumn, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if column == ParticipantColumn.NAME:
                return person.name
            if column == ParticipantColumn.GROUP:
                return person.group
            return format_hours(self.hours_of(person)) if person.checked else ""
        if role == Qt.ItemDataRole.EditRole and column == ParticipantColumn.HOURS:
            return self.hours_of(person)
        if role == Qt.ItemDataRole.CheckStateRole and column == ParticipantColumn.NAME:
            return Qt.CheckState.Checked if person.checked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ForegroundRole and column == ParticipantColumn.HOURS:
            if person.hours is None:
                return QBrush(QColor(theme.MUTED))
            return None
        if role == Qt.ItemDataRole.ToolTipRole and column == ParticipantColumn.HOURS:
            if not person.checked:
                return "填写时长会同时勾选此人"
            if person.hours is None:
                return "按统一的每人时长计算；双击可单独修改"
            return f"单独设置的时长；改回 {format_hours(self.common_hours)} 即恢复统一时长"
        if role == Qt.ItemDataRole.TextAlignmentRole and column == ParticipantColumn.HOURS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == MEMBER_ID_ROLE:
            return person.member_id
        return None

    def setData(  # noqa: N802
        self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return False
        if role == Qt.ItemDataRole.CheckStateRole and index.column() == ParticipantColumn.NAME:
            checked = Qt.CheckState(value) == Qt.CheckState.Checked
            self.set_checked([index.row()], checked)
            return True
        if role == Qt.ItemDataRole.EditRole and index.column() == ParticipantColumn.HOURS:
            try:
                hours = float(value)
            except (TypeError, ValueError):
                return False
            self.set_hours(index.row(), hours)
            return True
        return False


class ParticipantFilter(QSortFilterProxyModel):
    """Narrows the checklist by name or group, and optionally to the ticked people."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.text = ""
        self.checked_only = False

    def set_text(self, text: str) -> None:
        self._change(lambda: setattr(self, "text", text.strip()))

    def set_checked_only(self, checked_only: bool) -> None:
        self._change(lambda: setattr(self, "checked_only", checked_only))

    def _change(self, apply: Callable[[], None]) -> None:
        change_filter(self, apply)

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:  # noqa: N802
        model = self.sourceModel()
        if not isinstance(model, ParticipantModel):
            return True
        person = model.people()[source_row]
        if self.checked_only and not person.checked:
            return False
        return not self.text or self.text in person.name or self.text in person.group


class ChecklistDelegate(QStyledItemDelegate):
    """A click anywhere on a name or group ticks the person; hours get a 0.5-step spin box.

    A double-click ticks once, not twice: people past fifty double-click everything.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._swallow_release = False

    def createEditor(  # noqa: N802
        self, parent: QWidget, option: QStyleOptionViewItem, index: _Index
    ) -> QWidget:
        if index.column() != ParticipantColumn.HOURS:
            return super().createEditor(parent, option, index)
        spin = QDoubleSpinBox(parent)
        spin.setDecimals(1)
        spin.setSingleStep(0.5)
        spin.setRange(0, MAX_HOURS)
        spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        return spin

    def setEditorData(self, editor: QWidget, index: _Index) -> None:  # noqa: N802
        if isinstance(editor, QDoubleSpinBox):
            editor.setValue(float(index.data(Qt.ItemDataRole.EditRole) or 0))
            return
        super().setEditorData(editor, index)

    def setModelData(  # noqa: N802
        self, editor: QWidget, model: QAbstractItemModel, index: _Index
    ) -> None:
        if isinstance(editor, QDoubleSpinBox):
            editor.interpretText()
            model.setData(index, editor.value(), Qt.ItemDataRole.EditRole)
            return
        super().setModelData(editor, model, index)

    def editorEvent(  # noqa: N802
        self,
        event: QEvent,
        model: QAbstractItemModel,
        option: QStyleOptionViewItem,
        index: _Index,
    ) -> bool:
        if index.column() == ParticipantColumn.HOURS:
            return super().editorEvent(event, model, option, index)
        name = index.siblingAtColumn(ParticipantColumn.NAME)
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress:
            self._swallow_release = False
            return False  # let the view select the row
        if kind == QEvent.Type.MouseButtonDblClick:
            self._swallow_release = True
            return True
        if kind == QEvent.Type.MouseButtonRelease and isinstance(event, QMouseEvent):
            if event.button() != Qt.MouseButton.LeftButton:
                return False
            if self._swallow_release:
                self._swallow_release = False
                return True
            if not option.rect.contains(event.position().toPoint()):
                return False
            return self._toggle(model, name)
        if kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() in (Qt.Key.Key_Space, Qt.Key.Key_Select):
                return self._toggle(model, name)
        return False

    @staticmethod
    def _toggle(model: QAbstractItemModel, name: _Index) -> bool:
        checked = name.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
        state = Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked
        return model.setData(name, state.value, Qt.ItemDataRole.CheckStateRole)


def participant_table(proxy: ParticipantFilter) -> QTableView:
    """The checklist view over ``proxy``: click to tick, double-click (or type) to set hours."""
    table = QTableView()
    table.setModel(proxy)
    table.setItemDelegate(ChecklistDelegate(table))
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(GRID_EDIT_TRIGGERS)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(30)
    header = table.horizontalHeader()
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setHighlightSections(False)
    header.setSectionResizeMode(ParticipantColumn.NAME, QHeaderView.ResizeMode.Stretch)
    table.setColumnWidth(ParticipantColumn.GROUP, 130)
    table.setColumnWidth(ParticipantColumn.HOURS, 110)
    return table
