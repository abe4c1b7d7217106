"""The attendance grid of a meeting: everyone expected is 出席 unless marked otherwise.

Keyboard: type a name to jump to the member, 1/2/3 (or Q/W/E, space to cycle) marks
出席/请假/缺席, after 请假/缺席 the cursor waits on 事由 so the reason can simply be typed,
Enter finishes it. Glossary: 事由 reason; 补学 make-up study.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QDate,
    QElapsedTimer,
    QEvent,
    QItemSelectionModel,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QAction,
    QBrush,
    QColor,
    QInputMethodEvent,
    QKeyEvent,
    QPainter,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from branchdesk.domain.meetings import (
    Attendance,
    AttendanceCounts,
    AttendanceStatus,
    Makeup,
    count_attendance,
)
from branchdesk.domain.members import category_label
from branchdesk.ui import theme
from branchdesk.ui.models.table_models import HeaderColumn, SummaryTableModel

_Index = QModelIndex | QPersistentModelIndex

LEAVE_BACKGROUND = QColor(theme.LEAVE_BACKGROUND)
ABSENT_BACKGROUND = QColor(theme.ABSENT_BACKGROUND)
LEAVE_TEXT = QColor(theme.LEAVE_TEXT)
ABSENT_TEXT = QColor(theme.BRAND_RED)
PLACEHOLDER_TEXT = QColor(theme.PLACEHOLDER)
SELECTED_BACKGROUND = QColor(theme.GRID_SELECTION)
_STATUS_COLORS = {  # text, background
    AttendanceStatus.LEAVE: (LEAVE_TEXT, LEAVE_BACKGROUND),
    AttendanceStatus.ABSENT: (ABSENT_TEXT, ABSENT_BACKGROUND),
}
# A grid cell is edited by double-click, F2, or simply typing into it.
GRID_EDIT_TRIGGERS = (
    QAbstractItemView.EditTrigger.DoubleClicked
    | QAbstractItemView.EditTrigger.EditKeyPressed
    | QAbstractItemView.EditTrigger.AnyKeyPressed
)

_STYLED_ROLES = (
    Qt.ItemDataRole.BackgroundRole,
    Qt.ItemDataRole.ForegroundRole,
    Qt.ItemDataRole.ToolTipRole,
)
KEY_HINT = "键盘：输入姓名定位　1 出席　2 请假　3 缺席（空格轮换）　接着直接输入事由，回车确认"


class AttendanceColumn(HeaderColumn):
    NAME = 0, "姓名"
    GROUP = 1, "党小组"
    CATEGORY = 2, "类别"
    STATUS = 3, "出勤"
    REASON = 4, "事由"
    MAKEUP_DAY = 5, "补学日期"
    MAKEUP_HOW = 6, "补学方式"


# Columns where typing is text for the cell, not a name search or a mark.
TEXT_COLUMNS = {AttendanceColumn.REASON, AttendanceColumn.MAKEUP_DAY, AttendanceColumn.MAKEUP_HOW}

_MARK_KEYS = {
    Qt.Key.Key_1: AttendanceStatus.PRESENT,
    Qt.Key.Key_Q: AttendanceStatus.PRESENT,
    Qt.Key.Key_2: AttendanceStatus.LEAVE,
    Qt.Key.Key_W: AttendanceStatus.LEAVE,
    Qt.Key.Key_3: AttendanceStatus.ABSENT,
    Qt.Key.Key_E: AttendanceStatus.ABSENT,
}
_CYCLE = [AttendanceStatus.PRESENT, AttendanceStatus.LEAVE, AttendanceStatus.ABSENT]


def counts_text(counts: AttendanceCounts) -> str:
    return (
        f"应到 {counts.expected} 人，实到 {counts.present} 人，请假 {counts.leave} 人，"
        f"缺席 {counts.absent} 人，出席率 {counts.rate_text()}"
    )


def _copy(row: Attendance) -> Attendance:
    """A copy to edit: every field is immutable but the 补学 (``copy.deepcopy`` took ~150 µs
    a row, 0.4 s for a thousand-member meeting)."""
    new = copy.copy(row)
    new.makeup = copy.copy(row.makeup)
    return new


class AttendanceModel(SummaryTableModel[Attendance]):
    """Signals:
    counts_changed(): a mark changed, or the list was replaced.
    """

    counts_changed = Signal()
    columns = AttendanceColumn

    # -- the rows -------------------------------------------------------------------------------

    def set_rows(self, rows: list[Attendance]) -> None:
        """Show copies of ``rows``: edits here never touch the caller's meeting until saved."""
        super().set_rows([_copy(row) for row in rows])
        self.counts_changed.emit()

    def rows(self) -> list[Attendance]:
        return [_copy(row) for row in self._rows]

    def row(self, row: int) -> Attendance:
        return self._rows[row]

    def counts(self) -> AttendanceCounts:
        return count_attendance(self._rows)

    def find(self, text: str, start: int = 0) -> int:
        """Return the first row from ``start`` (wrapping) whose name starts with, else contains, text."""
        text = text.strip()
        if not text or not self._rows:
            return -1
        order = [(start + i) % len(self._rows) for i in range(len(self._rows))]
        for test in (str.startswith, str.__contains__):
            for row in order:
                if test(self._rows[row].name, text):
                    return row
        return -1

    def set_status(self, row: int, status: AttendanceStatus) -> None:
        item = self._rows[row]
        if item.status is status:
            return
        item.status = status
        # A reason or make-up means nothing for those present.
        if status is AttendanceStatus.PRESENT:
            item.reason = ""
            item.makeup = Makeup()
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(AttendanceColumn) - 1))
        self.counts_changed.emit()

    # -- Qt interface ---------------------------------------------------------------------------

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Vertical:  # rows are numbered
            shown = role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self._rows)
            return str(section + 1) if shown else None
        return super().headerData(section, orientation, role)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        column = AttendanceColumn(index.column())
        present = self._rows[index.row()].status is AttendanceStatus.PRESENT
        if column == AttendanceColumn.STATUS or (column in TEXT_COLUMNS and not present):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def _cell(self, item: Attendance, column: AttendanceColumn, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._value(item, column, role == Qt.ItemDataRole.EditRole)
        if role in _STYLED_ROLES:
            return super()._cell(item, column, role)
        return None

    def _background(self, item: Attendance, column: AttendanceColumn) -> Any:
        colors = _STATUS_COLORS.get(item.status)
        return None if colors is None else QBrush(colors[1])

    def _foreground(self, item: Attendance, column: AttendanceColumn) -> Any:
        colors = _STATUS_COLORS.get(item.status)
        if colors is None or column != AttendanceColumn.STATUS:
            return None
        return QBrush(colors[0])

    def _tooltip(self, item: Attendance, column: AttendanceColumn) -> Any:
        return "1 出席　2 请假　3 缺席；双击可选择" if column == AttendanceColumn.STATUS else None

    @staticmethod
    def _value(item: Attendance, column: AttendanceColumn, edit: bool) -> Any:
        if column == AttendanceColumn.NAME:
            return item.name
        if column == AttendanceColumn.GROUP:
            return item.group_name
        if column == AttendanceColumn.CATEGORY:
            return category_label(item.category)
        if column == AttendanceColumn.STATUS:
            return item.status.label
        if column == AttendanceColumn.REASON:
            return item.reason
        if column == AttendanceColumn.MAKEUP_DAY:
            day = item.makeup.day
            if edit:
                return QDate(day) if day else QDate.currentDate()
            return QLocale().toString(QDate(day), "yyyy年M月d日") if day else ""
        return item.makeup.how

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        if not self.flags(index) & Qt.ItemFlag.ItemIsEditable:
            return False
        row = index.row()
        item = self._rows[row]
        column = AttendanceColumn(index.column())
        if column == AttendanceColumn.STATUS:
            status = (
                value
                if isinstance(value, AttendanceStatus)
                else AttendanceStatus.from_label(str(value))
            )
            self.set_status(row, status)
            return True
        if column == AttendanceColumn.REASON:
            item.reason = str(value or "").strip()
        elif column == AttendanceColumn.MAKEUP_HOW:
            item.makeup.how = str(value or "").strip()
        elif column == AttendanceColumn.MAKEUP_DAY:
            if isinstance(value, QDate) and value.isValid():
                item.makeup.day = dt.date(value.year(), value.month(), value.day())
            elif isinstance(value, dt.date):
                item.makeup.day = value
            else:
                item.makeup.day = None
        self.dataChanged.emit(index, index)
        return True


class AttendanceDelegate(QStyledItemDelegate):
    """Editors for the grid, a placeholder asking for the 事由, and a clear current-cell frame."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.open_editor: QWidget | None = None

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: _Index) -> QWidget:  # noqa: N802
        column = AttendanceColumn(index.column())
        if column == AttendanceColumn.STATUS:
            combo = QComboBox(parent)
            for status in AttendanceStatus:
                combo.addItem(status.label, status)
            editor: QWidget = combo
        elif column == AttendanceColumn.MAKEUP_DAY:
            date_edit = QDateEdit(parent)
            date_edit.setCalendarPopup(True)
            date_edit.setDisplayFormat("yyyy年M月d日")
            editor = date_edit
        else:
            editor = super().createEditor(parent, option, index)
        self.open_editor = editor
        editor.destroyed.connect(self._on_editor_destroyed)
        return editor

    @Slot()
    def _on_editor_destroyed(self) -> None:
        self.open_editor = None

    def forget_editor(self, editor: QWidget) -> None:
        """``editor`` was closed: it no longer counts as the open one."""
        if editor is self.open_editor:
            self.open_editor = None

    def setEditorData(self, editor: QWidget, index: _Index) -> None:  # noqa: N802
        if isinstance(editor, QComboBox):
            editor.setCurrentText(str(index.data(Qt.ItemDataRole.EditRole)))
            return
        super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: Any, index: _Index) -> None:  # noqa: N802
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)
            return
        super().setModelData(editor, model, index)

    def commit_open_editor(self) -> None:
        """Write what is being typed into a cell, e.g. before the dialog saves."""
        # Enter in an editor commits it through a queued call: let a pending one run first,
        # or it would arrive after this commit, for an editor the view has already closed.
        QCoreApplication.sendPostedEvents(self, QEvent.Type.MetaCall)
        editor = self.open_editor
        if editor is not None:
            self.commitData.emit(editor)
            self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    def initStyleOption(self, option: QStyleOptionViewItem, index: _Index) -> None:  # noqa: N802
        super().initStyleOption(option, index)
        background = index.data(Qt.ItemDataRole.BackgroundRole)
        if isinstance(background, QBrush):  # selected rows keep their amber or red, deeper
            option.palette.setColor(QPalette.ColorRole.Highlight, background.color().darker(108))  # type: ignore[attr-defined]
        if (
            index.column() == AttendanceColumn.REASON
            and not option.text  # type: ignore[attr-defined]
            and index.flags() & Qt.ItemFlag.ItemIsEditable
        ):
            option.text = "请填写事由"  # type: ignore[attr-defined]
            option.palette.setColor(option.palette.ColorRole.Text, PLACEHOLDER_TEXT)  # type: ignore[attr-defined]
            option.palette.setColor(option.palette.ColorRole.HighlightedText, PLACEHOLDER_TEXT)  # type: ignore[attr-defined]

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        super().paint(painter, option, index)
        if option.state & QStyle.StateFlag.State_HasFocus:  # type: ignore[attr-defined]
            painter.save()
            painter.setPen(QPen(ABSENT_TEXT, 2))
            painter.drawRect(option.rect.adjusted(1, 1, -1, -1))  # type: ignore[attr-defined]
            painter.restore()


class AttendanceGrid(QTableView):
    """Signals:
    member_not_found(str): a typed name matched nobody expected.
    """

    member_not_found = Signal(str)

    def __init__(self, model: AttendanceModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attendanceGrid")
        self.attendance = model
        self.setModel(model)
        self.delegate = AttendanceDelegate(self)
        self.setItemDelegate(self.delegate)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(GRID_EDIT_TRIGGERS)
        self.setTabKeyNavigation(False)  # Tab leaves the grid, as in every other field
        self.setWordWrap(False)
        self.setAlternatingRowColors(False)
        # A light selection, so the amber and red of those on leave or absent still show.
        palette = self.palette()
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
            palette.setColor(group, QPalette.ColorRole.Highlight, SELECTED_BACKGROUND)
            palette.setColor(group, QPalette.ColorRole.HighlightedText, QColor(theme.TEXT))
        self.setPalette(palette)
        self.setStyleSheet(theme.ATTENDANCE_GRID)
        self.verticalHeader().setDefaultSectionSize(30)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setStretchLastSection(True)
        widths = {
            AttendanceColumn.NAME: 130,
            AttendanceColumn.GROUP: 110,
            AttendanceColumn.CATEGORY: 56,
            AttendanceColumn.STATUS: 70,
            AttendanceColumn.REASON: 210,
            AttendanceColumn.MAKEUP_DAY: 130,
        }
        for column, width in widths.items():
            self.setColumnWidth(column, width)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._on_self_context_menu_requested)
        self._search = ""
        self._search_clock = QElapsedTimer()
        model.modelReset.connect(self._on_model_reset)

    # -- marking --------------------------------------------------------------------------------

    def selected_rows(self) -> list[int]:
        rows = sorted({index.row() for index in self.selectionModel().selectedRows()})
        current = self.currentIndex()
        if not rows and current.isValid():
            rows = [current.row()]
        return rows

    def mark(self, status: AttendanceStatus, rows: list[int] | None = None) -> None:
        """Mark the selected members (or ``rows``); for one member, wait on its 事由 next."""
        rows = self.selected_rows() if rows is None else rows
        for row in rows:
            self.attendance.set_status(row, status)
        if len(rows) == 1:
            column = AttendanceColumn.STATUS
            if status is not AttendanceStatus.PRESENT:
                column = AttendanceColumn.REASON
            self.go_to(rows[0], column)

    def go_to(self, row: int, column: AttendanceColumn = AttendanceColumn.STATUS) -> None:
        index = self.attendance.index(row, column)
        self.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.scrollTo(index)

    def find_member(self, text: str) -> bool:
        """Jump to the member whose name is being typed; characters typed in a burst add up."""
        current = max(self.currentIndex().row(), 0)
        if self._search_clock.isValid() and self._search_clock.elapsed() < 1500:
            self._search += text
            start = current
        else:
            self._search = text
            start = current + 1
        self._search_clock.restart()
        row = self.attendance.find(self._search, start)
        if row < 0 and self._search != text:  # a new name after all
            self._search = text
            row = self.attendance.find(text, current + 1)
        if row < 0:
            self.member_not_found.emit(self._search)
            return False
        self.go_to(row, AttendanceColumn.STATUS)
        return True

    # -- keyboard -------------------------------------------------------------------------------

    def _typing_edits_cell(self) -> bool:
        index = self.currentIndex()
        return (
            index.isValid()
            and index.column() in TEXT_COLUMNS
            and bool(index.flags() & Qt.ItemFlag.ItemIsEditable)
        )

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if self.state() == QAbstractItemView.State.EditingState:
            super().keyPressEvent(event)
            return
        key = Qt.Key(event.key())
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        plain = modifiers in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier)
        index = self.currentIndex()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2) and plain:
            # Enter never reaches the dialog from here: it edits the 事由, it does not save.
            if index.isValid():
                target = index
                if index.column() not in TEXT_COLUMNS:
                    target = index.siblingAtColumn(AttendanceColumn.REASON)
                if target.flags() & Qt.ItemFlag.ItemIsEditable:
                    self.setCurrentIndex(target)
                    self.edit(target)
            event.accept()
            return
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and plain and self._typing_edits_cell():
            self.attendance.setData(index, None)
            event.accept()
            return
        if not self._typing_edits_cell() and modifiers == Qt.KeyboardModifier.NoModifier:
            if key in _MARK_KEYS:
                self.mark(_MARK_KEYS[key])
                event.accept()
                return
            if key == Qt.Key.Key_Space and index.isValid():
                status = self.attendance.row(index.row()).status
                self.mark(_CYCLE[(_CYCLE.index(status) + 1) % len(_CYCLE)])
                event.accept()
                return
            if event.text().isprintable() and event.text().strip():
                # Stray letters must not open an editor on the name or the mark.
                if not event.text().isascii():
                    self.find_member(event.text())
                event.accept()
                return
        super().keyPressEvent(event)

    def inputMethodEvent(self, event: QInputMethodEvent) -> None:  # noqa: N802
        text = event.commitString()
        if (
            text
            and not event.preeditString()
            and self.state() != QAbstractItemView.State.EditingState
            and not self._typing_edits_cell()
        ):
            self.find_member(text)
            event.accept()
            return
        if (
            text
            and not event.preeditString()
            and self.state() != QAbstractItemView.State.EditingState
        ):
            # A word committed by the input method replaces the cell, as a typed key would.
            if self.edit(self.currentIndex(), QAbstractItemView.EditTrigger.AnyKeyPressed, event):
                editor = self.delegate.open_editor
                if isinstance(editor, QLineEdit):
                    editor.selectAll()
                    editor.insert(text)
                event.accept()
                return
        super().inputMethodEvent(event)

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:  # noqa: N802
        index = self.currentIndex()
        # The closed editor is deleted only later: nothing it does from now on (a focus-out
        # as the cursor moves below) may commit it again.
        editor.removeEventFilter(self.itemDelegate())
        self.delegate.forget_editor(editor)
        super().closeEditor(editor, hint)
        # After the 事由, go back to the marks, ready for the next name.
        if (
            index.isValid()
            and index.column() == AttendanceColumn.REASON
            and hint
            in (
                QAbstractItemDelegate.EndEditHint.NoHint,
                QAbstractItemDelegate.EndEditHint.SubmitModelCache,
            )
        ):
            self.go_to(index.row(), AttendanceColumn.STATUS)

    def commit_open_editor(self) -> None:
        self.delegate.commit_open_editor()

    # -- mouse ------------------------------------------------------------------------------------

    @Slot(QPoint)
    def _on_self_context_menu_requested(self, pos: QPoint) -> None:
        if not self.indexAt(pos).isValid():
            return
        menu = QMenu(self)
        for status, key in zip(_CYCLE, "123", strict=True):
            action = QAction(f"{status.label}（{key}）", menu)
            action.triggered.connect(lambda _c=False, s=status: self.mark(s))
            menu.addAction(action)
        menu.exec(self.viewport().mapToGlobal(pos))

    @Slot()
    def _on_model_reset(self) -> None:
        # The widest name, measured directly: asking the delegate of each of a thousand rows
        # (resizeColumnToContents) held the editor of a large meeting for ~140 ms.
        metrics = self.fontMetrics()
        names = {row.name for row in self.attendance._rows}
        widest = max((metrics.horizontalAdvance(name) for name in names), default=0)
        self.setColumnWidth(AttendanceColumn.NAME, max(110, widest + 22))
        if self.attendance.rowCount():
            self.go_to(0, AttendanceColumn.STATUS)
            self.clearSelection()
            self.selectRow(0)


class AttendancePanel(QWidget):
    """The grid with the live counts above it and the keys and mark buttons below it.

    Signals:
    member_record_requested(int): the person asked for the selected member's record.
    """

    member_record_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = AttendanceModel(self)
        self.grid = AttendanceGrid(self.model)
        self.counts_label = QLabel()
        self.counts_label.setObjectName("attendanceCounts")
        self.counts_label.setStyleSheet(theme.BOLD_COUNT_TEXT)
        self.note_label = QLabel()
        self.note_label.setStyleSheet(theme.MUTED_TEXT)
        self.hint_label = QLabel(KEY_HINT)
        self.hint_label.setStyleSheet(theme.MUTED_TEXT)
        self.hint_label.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.counts_label)
        top.addStretch(1)
        top.addWidget(self.note_label)
        self.counts_row = top  # the editor puts the quorum line beside the counts
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        buttons.addWidget(QLabel("选中的人标为："))
        self.mark_buttons: dict[AttendanceStatus, QPushButton] = {}
        for status, key in zip(_CYCLE, "123", strict=True):
            button = QPushButton(f"{status.label}({key})")
            button.setAutoDefault(False)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the grid keeps the keyboard
            button.clicked.connect(lambda _c=False, s=status: self.grid.mark(s))
            buttons.addWidget(button)
            self.mark_buttons[status] = button
        buttons.addSpacing(16)
        buttons.addWidget(self.hint_label, 1)
        self.record_button = QPushButton("党员档案")
        self.record_button.setAutoDefault(False)
        self.record_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.record_button.setToolTip("查看选中党员全年的参会和活动情况")
        self.record_button.clicked.connect(self._on_record_button_clicked)
        buttons.addWidget(self.record_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 6)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(self.grid, 1)
        layout.addLayout(buttons)
        self.model.counts_changed.connect(self._on_model_counts_changed)
        self.grid.member_not_found.connect(self._on_grid_member_not_found)
        self._on_model_counts_changed()

    @Slot()
    def _on_record_button_clicked(self) -> None:
        index = self.grid.currentIndex()
        if index.isValid():
            self.member_record_requested.emit(self.model.row(index.row()).member_id)

    def set_rows(self, rows: list[Attendance]) -> None:
        self.model.set_rows(rows)

    def rows(self) -> list[Attendance]:
        self.grid.commit_open_editor()
        return self.model.rows()

    @Slot()
    def _on_model_counts_changed(self) -> None:
        self.counts_label.setText(counts_text(self.model.counts()))
        self.note_label.clear()

    @Slot(str)
    def _on_grid_member_not_found(self, text: str) -> None:
        self.note_label.setText(f"应到名单中没有“{text}”")
