"""Pieces the list pages (党员, 会议, 活动) share: actions, search box, table, empty state, undo bar."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from branchdesk.domain.records import DatedRecord, RecordRepo
from branchdesk.ops import OpResult, Session
from branchdesk.ui import msgbox, theme
from branchdesk.ui.models.table_models import SUMMARY_ROLE, SummaryTableModel
from branchdesk.ui.ops import PageLoader, run_op
from branchdesk.ui.screen_fit import FlowLayout, keep_column_readable, set_column_widths
from branchdesk.ui.widgets import MUTED_COLOR, heading

if TYPE_CHECKING:
    from branchdesk.ui.context import AppContext

log = logging.getLogger(__name__)

# From this many stored records on, a list page reads its rows on a worker connection: the page
# shows at once with the rows it had (or none) and fills when they arrive. Fewer are read at
# once (a few milliseconds), so a small branch never shows an unfilled list.
READ_IN_BACKGROUND_FROM = 600

_BUTTON_STYLE = theme.LIST_PAGE_BUTTONS
UNDO_BAR_STYLE = theme.UNDO_BAR


def page_style(*, bold_primary: bool = True, extra: str = "") -> str:
    """The style sheet of a list page: toolbar buttons, table, and ``extra`` rules."""
    return _BUTTON_STYLE % (" font-weight: 600;" if bold_primary else "") + extra


def list_page_style(*, bold_primary: bool = True, extra: str = "") -> str:
    """The style sheet of a page on ``SummaryListPage``: ``page_style`` with the undo bar."""
    return page_style(bold_primary=bold_primary, extra=UNDO_BAR_STYLE + extra)


def refill_combo(combo: QComboBox, all_text: str, items: Iterable[tuple[str, object]]) -> None:
    """Refill a filter combo (``all_text`` first, for no filter), keeping its choice, silently."""
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    combo.addItem(all_text, None)
    for text, data in items:
        combo.addItem(text, data)
    row = combo.findData(current) if current is not None else 0
    combo.setCurrentIndex(max(row, 0))
    combo.blockSignals(False)


def period_range(period: str, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The dates a named period covers; None for an open end."""
    if period == "今年":
        return dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
    if period == "去年":
        return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    if period == "近12个月":
        try:
            start = today.replace(year=today.year - 1)
        except ValueError:  # 29 February
            start = today.replace(year=today.year - 1, day=28)
        return start + dt.timedelta(days=1), today
    return None, None


class PageActions:
    """Mixin for a QWidget page: every QAction made once, kept in ``actions_by_id``."""

    actions_by_id: dict[str, QAction]

    def _action(
        self, action_id: str, text: str, slot: object, shortcut: str = "", tip: str = ""
    ) -> QAction:
        action = QAction(text, self)  # type: ignore[call-overload]
        action.setObjectName(action_id)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setIconText(text)  # keep the "…" that says a dialog follows
        action.setToolTip(tip or text)
        action.triggered.connect(slot)
        self.addAction(action)  # type: ignore[attr-defined]
        self.actions_by_id[action_id] = action
        return action

    def _button(self, action_id: str, primary: bool = False) -> QToolButton:
        button = QToolButton()
        button.setDefaultAction(self.actions_by_id[action_id])
        button.setObjectName("primaryAction" if primary else "pageAction")
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        return button


def title_row(title: str, *labels: QLabel) -> QHBoxLayout:
    """The page heading with its count labels beside it."""
    row = QHBoxLayout()
    row.setSpacing(18)
    row.addWidget(heading(title))
    for label in labels:
        row.addWidget(label, 0, Qt.AlignmentFlag.AlignBottom)
    row.addStretch(1)
    return row


class SearchBox(QLineEdit):
    """A search field that says ``search_changed`` once typing pauses for ``debounce_ms``."""

    search_changed = Signal(str)

    def __init__(
        self, placeholder: str, min_width: int, parent: QWidget | None = None,
        *, debounce_ms: int = 200,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        self.setClearButtonEnabled(True)
        self.setMinimumWidth(min_width)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.textChanged.connect(self._on_text_changed)

    def cancel_pending(self) -> None:
        """Forget a search still waiting on the timer (the caller is refreshing anyway)."""
        self._timer.stop()

    @Slot(str)
    def _on_text_changed(self, text: str) -> None:
        if self._timer.interval() <= 0:  # no debounce: filtering in memory is instant
            self.search_changed.emit(text)
        else:
            self._timer.start()

    @Slot()
    def _on_timer_timeout(self) -> None:
        self.search_changed.emit(self.text())


def filter_row(
    search: QLineEdit, *groups: tuple[str, QWidget] | tuple[str, QWidget, QWidget] | QWidget,
    row: FlowLayout | None = None,
) -> FlowLayout:  # fmt: skip
    """The line under the toolbar: the search box, then labelled filters (or bare widgets).

    It wraps when the window is narrow; a label stays on the line of its filter.
    """
    row = row if row is not None else FlowLayout(spacing=12)
    row.addWidget(search)
    for group in groups:
        if isinstance(group, QWidget):
            row.addWidget(group)
            continue
        label, *widgets = group
        labelled = QWidget()
        line = QHBoxLayout(labelled)
        line.setContentsMargins(0, 0, 0, 0)
        line.setSpacing(8)
        line.addWidget(QLabel(label))
        for widget in widgets:
            line.addWidget(widget)
        row.addWidget(labelled)
    return row


def setup_list_table(
    table: QTableView, proxy: QSortFilterProxyModel, *, multi: bool = False
) -> QHeaderView:
    """Make ``table`` a read-only, row-selecting, sortable list; return its header."""
    table.setModel(proxy)
    table.setSortingEnabled(True)
    table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the model's order until clicked
    table.setAlternatingRowColors(True)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(
        QAbstractItemView.SelectionMode.ExtendedSelection
        if multi
        else QAbstractItemView.SelectionMode.SingleSelection
    )
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(34)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setHighlightSections(False)
    return header


def focus_list(table: QTableView, otherwise: QWidget) -> None:
    """Give ``table`` the keyboard with a row selected, so Enter and Del act at once.

    ``otherwise`` (the empty state's button) takes it while the list is not shown.
    """
    if not table.isVisibleTo(table.window()) and otherwise.isVisibleTo(otherwise.window()):
        otherwise.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return
    model = table.model()
    if not table.selectionModel().hasSelection() and model is not None and model.rowCount():
        table.selectRow(0)
    table.setFocus(Qt.FocusReason.ShortcutFocusReason)


class EmptyState(QFrame):
    """What a page shows instead of an empty table: a title, a line of help, buttons."""

    def __init__(
        self, *buttons: QPushButton, title: str = "", body: str = "",
        title_style: str = "font-size: 15pt; font-weight: 600;", spacing: int = 16,
    ) -> None:  # fmt: skip
        super().__init__()
        self.setObjectName("emptyState")
        self.setStyleSheet(theme.EMPTY_STATE)
        self.title = QLabel(title)
        self.title.setStyleSheet(title_style)
        self.body = QLabel(body)
        self.body.setStyleSheet(f"font-size: 11pt; color: {MUTED_COLOR};")
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        for label in (self.title, self.body):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(label)
        layout.addSpacing(spacing)
        for button in buttons:
            button.setMinimumSize(150, 40)
        if len(buttons) == 1:
            layout.addWidget(buttons[0], 0, Qt.AlignmentFlag.AlignCenter)
        else:
            row = QHBoxLayout()
            row.addStretch(1)
            for i, button in enumerate(buttons):
                if i:
                    row.addSpacing(12)
                row.addWidget(button)
            row.addStretch(1)
            layout.addLayout(row)
        layout.addStretch(3)
        self.buttons = buttons

    def say(self, title: str, body: str, button_text: str) -> None:
        """Show why the list is empty and what the (single) button does about it."""
        self.title.setText(title)
        self.body.setText(body)
        self.buttons[0].setText(button_text)


class UndoBar(QFrame):
    """The inline "已删除… [撤销] ×" line shown after a deletion."""

    undo_requested = Signal()

    def __init__(self, undo_tip: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("undoBar")
        self.label = QLabel()
        undo_button = QPushButton("撤销")
        undo_button.setToolTip(undo_tip)
        undo_button.clicked.connect(self.undo_requested)
        close_button = QToolButton()
        close_button.setText("×")
        close_button.setAutoRaise(True)
        close_button.setToolTip("关闭提示")
        close_button.clicked.connect(self.hide)
        bar = QHBoxLayout(self)
        bar.setContentsMargins(12, 4, 6, 4)
        bar.addWidget(self.label, 1)
        bar.addWidget(undo_button)
        bar.addWidget(close_button)
        self.hide()

    def show_message(self, text: str) -> None:
        self.label.setText(text)
        self.show()


class SummaryListPage(PageActions):
    """Mixin for a QWidget page listing summaries with delete and undo (会议, 活动).

    A template: ``_set_up`` builds the page the same way for every record type and calls
    the page's hooks (``_make_actions``, ``_build``, ``_reload_choices``, ``current_filter``,
    ``filtering``, ``_delete_texts``, ``_on_events_changes_applied``); ``refresh``, the
    delete and undo slots and what follows an edit are shared.

    The page has ``table``, ``model`` (a SummaryTableModel), ``proxy``, ``repo`` (a
    ``RecordRepo``, for reading), ``context``, ``undo_bar`` and the ``undo`` action;
    ``delete_op`` and ``restore_op`` are the operations that delete a record (answering it)
    and put it back (``ops.delete_meeting`` and ``ops.add_meeting`` ...).
    """

    delete_op: Callable[[Session, int], OpResult[Any]]
    restore_op: Callable[[Session, Any], OpResult[Any]]
    open_action: str  # what Enter or a double-click on a row triggers
    new_action: str  # what the empty list's button does when nothing is stored yet
    noun: str  # the record's name in the page's texts: 会议, 活动
    deleted_with: str  # what the delete question says goes with the record
    selection_actions: tuple[str, ...]  # enabled only with a row selected
    write_actions: tuple[str, ...]  # refused when read-only
    filtered_text: tuple[str, str]  # title and help when nothing matches the filters
    empty_text: tuple[str, str]  # title and help when nothing is stored yet
    not_shown_note: str  # added to the count when a saved record is filtered out
    count_total_when_all_shown = True  # "（全部 N 次）" even when the filter hides nothing
    deleted: DatedRecord | None  # the last deletion, until undone or replaced
    count_label: QLabel
    empty_button: QPushButton
    search_edit: SearchBox
    filter_combos: tuple[QComboBox, ...]  # cleared to their first choice by clear_filters
    table: QTableView
    model: SummaryTableModel[Any]
    proxy: QSortFilterProxyModel
    repo: RecordRepo[Any, Any, Any]
    context: AppContext
    undo_bar: UndoBar
    actions_by_id: dict[str, QAction]
    stack: QStackedWidget
    empty_state: EmptyState

    # -- the template ----------------------------------------------------------------------------

    def _set_up(
        self, context: AppContext, repo: RecordRepo[Any, Any, Any],
        model: SummaryTableModel[Any], proxy: QSortFilterProxyModel, *, name: str, style: str,
    ) -> None:  # fmt: skip
        """Build the page (after ``QWidget.__init__``): actions, widgets, the first rows."""
        page: Any = self
        self.context = context
        self.repo = repo
        page.setObjectName(name)
        page.setStyleSheet(style)
        self.model = model
        self.proxy = proxy
        proxy.setSourceModel(model)
        self.loader = PageLoader(page, context)
        self.loaded = self.loader.loaded
        self.actions_by_id = {}
        self.deleted = None
        self._make_actions()
        self._build()
        if context.read_only:
            for action_id in self.write_actions:
                self.actions_by_id[action_id].setToolTip("数据为只读")
        self._reload_choices()
        self.refresh()
        context.events.changes_applied.connect(self._on_events_changes_applied)

    def _make_actions(self) -> None:
        raise NotImplementedError

    def _build(self) -> None:
        raise NotImplementedError

    def _reload_choices(self) -> None:
        """Fill the filters whose choices come from stored data (党小组, 活动类型)."""

    def current_filter(self) -> Any:
        raise NotImplementedError

    def filtering(self) -> bool:
        raise NotImplementedError

    def _reset_filters(self) -> None:
        """Clear the filters that are not a combo's first choice (signals are blocked)."""

    def _delete_name(self, summary: Any) -> str:
        """The record as the delete question names it: its day, kind and title."""
        raise NotImplementedError

    def _deleted_text(self, summary: Any, name: str) -> str:
        """What the undo bar says after the deletion."""
        return f"已删除{self.noun} {name}"

    def _on_events_changes_applied(self, changes: Any) -> None:
        raise NotImplementedError

    def _show_totals(self, rows: list[Any]) -> None:
        """Show what the listed rows add up to (a page with a totals bar)."""

    # -- building blocks ----------------------------------------------------------------------------

    def _delete_actions(self) -> None:
        """The 删除 and 撤销删除 actions, the same on every list page."""
        page: Any = self
        noun = self.noun
        page._action("delete", "删除", self._on_delete_triggered, "Del", f"删除选中的{noun}（Del）")
        page._action("undo", "撤销删除", self._on_undo_triggered, "Ctrl+Z",
                     f"恢复刚删除的{noun}（Ctrl+Z）")  # fmt: skip

    def _filter_row(
        self, placeholder: str, min_width: int,
        *groups: tuple[str, QWidget] | tuple[str, QWidget, QWidget],
    ) -> FlowLayout:  # fmt: skip
        """The search box (``search_edit``) and the labelled filters after it."""
        self.search_edit = SearchBox(placeholder, min_width)
        return filter_row(self.search_edit, *groups)

    def _toolbar(self, new_actions: tuple[str, ...], *extra: QWidget) -> FlowLayout:
        """The first action (primary), the other new ones, the selection's, then ``extra``.

        The buttons wrap onto a second line when the window is narrow.
        """
        page: Any = self
        toolbar = FlowLayout()
        for i, action_id in enumerate(new_actions):
            toolbar.addWidget(page._button(action_id, primary=not i))
        for action_id in self.selection_actions:
            toolbar.addWidget(page._button(action_id))
        for widget in extra:
            toolbar.addWidget(widget)
        return toolbar

    def _build_list(
        self, title: str, toolbar: QLayout, filters: QLayout, *,
        title_column: int, widths: dict[Any, int], empty_title_style: str | None = None,
        below: tuple[QWidget, ...] = (),
    ) -> None:  # fmt: skip
        """The table (or its empty state), the undo bar and the page's layout."""
        self.count_label = QLabel()
        self.count_label.setStyleSheet("font-size: 11pt;")
        self.table = QTableView()
        setup_list_table(self.table, self.proxy)  # newest first until clicked
        set_column_widths(self.table, widths)  # wider with a larger 字号
        keep_column_readable(self.table, title_column)  # 主题 never shrinks to "…"
        self.table.activated.connect(self._on_table_activated)  # Enter or double-click
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)

        self.empty_button = QPushButton()
        self.empty_button.clicked.connect(self._on_empty_button_clicked)
        style = {} if empty_title_style is None else {"title_style": empty_title_style}
        empty = self.empty_state = EmptyState(self.empty_button, **style)
        page: Any = self
        page.empty_title, page.empty_body = empty.title, empty.body
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(empty)

        self.undo_bar = UndoBar(f"恢复刚删除的{self.noun}（Ctrl+Z）")
        self.undo_bar.undo_requested.connect(self.actions_by_id["undo"].trigger)
        page.undo_label = self.undo_bar.label
        self.actions_by_id["undo"].setEnabled(False)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(28, 22, 28, 18)
        layout.setSpacing(12)
        layout.addLayout(title_row(title, self.count_label))
        layout.addLayout(toolbar)
        layout.addLayout(filters)
        layout.addWidget(self.undo_bar)
        layout.addWidget(self.stack, 1)
        for widget in below:
            layout.addWidget(widget)

        self.search_edit.search_changed.connect(self._on_search_edit_search_changed)

    # -- shared behaviour -----------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        """Reload the list for the current filters, keeping the selected record.

        A long list is read on a worker connection (``loaded`` fires when it is shown; tests
        call ``wait_loaded``); a short one at once.
        """
        self.search_edit.cancel_pending()
        where = self.current_filter()
        count = self.repo.count()
        if count < READ_IN_BACKGROUND_FROM:
            self._show_summaries(self.repo.summaries(where), count)
            self.loader.done_now()
            return
        if not self.model.rowCount():
            self.count_label.setText(f"正在读取 {count} 次{self.noun}…")
        repo_type = type(self.repo)
        self.loader.load(
            lambda db: repo_type(db).summaries(where),
            lambda rows: self._show_summaries(rows, count),
        )

    def wait_loaded(self, timeout_ms: int = 10_000) -> None:
        """Wait until the rows asked for last are shown."""
        self.loader.wait_loaded(timeout_ms)

    def _show_summaries(self, rows: list[Any], count: int) -> None:
        selected = self.selected_summary()
        self.model.set_rows(rows)
        shown = len(rows)
        if self.filtering() and (self.count_total_when_all_shown or shown != count):
            self.count_label.setText(f"共 {shown} 次{self.noun}（全部 {count} 次）")
        else:
            self.count_label.setText(f"共 {shown} 次{self.noun}")
        self._show_totals(rows)
        self._show_rows(shown, count, filtered=self.filtered_text, empty=self.empty_text)
        if selected is not None:
            self._select_id(selected.id)
        self._update_actions()

    def focus_main(self) -> None:
        """Give the list the keyboard (after Ctrl+1…6): Ctrl+N, Enter and Del act at once."""
        focus_list(self.table, self.empty_button)

    def clear_filters(self) -> None:
        """Show every record again: no search, each filter combo on its first choice."""
        widgets = (self.search_edit, *self.filter_combos)
        for widget in widgets:
            widget.blockSignals(True)
        self.search_edit.clear()
        for combo in self.filter_combos:
            combo.setCurrentIndex(0)
        self._reset_filters()
        for widget in widgets:
            widget.blockSignals(False)
        self.refresh()

    def _update_actions(self) -> None:
        self._enable_actions(self.selection_actions, self.write_actions, self.empty_button)

    def _after_edit(self, saved: DatedRecord | None) -> None:
        if saved is not None and saved.id is not None:
            self.refresh()  # the operation announced the change; make sure the row is shown
            self.wait_loaded()
            if not self._select_id(saved.id):
                self.count_label.setText(self.count_label.text() + self.not_shown_note)
            self.table.setFocus()

    def _edit_selected(self, ask: Callable[[Any], DatedRecord | None]) -> None:
        """Open the editor ``ask`` on the selected row's summary; show what it saved."""
        summary = self.selected_summary()
        if summary is not None:
            self._after_edit(ask(summary))

    @Slot()
    def _on_delete_triggered(self) -> None:
        summary = self.selected_summary()
        if summary is not None:
            name = self._delete_name(summary)
            self._delete_with_undo(
                summary.id,
                f"删除{self.noun}",
                f"要删除 {name} 吗？\n{self.deleted_with}会一并删除；删除后可以立即撤销。",
                self._deleted_text(summary, name),
            )

    @Slot()
    def _on_undo_triggered(self) -> None:
        self._undo_delete()  # keeps its id, people and attachments

    def _show_rows(
        self, rows: int, stored: int, *, filtered: tuple[str, str], empty: tuple[str, str]
    ) -> None:
        """Show the table, or say why it is empty: nothing matches the filters (the button
        clears them), or nothing is stored yet (the button makes the first record)."""
        self.stack.setCurrentIndex(0 if rows else 1)
        if rows:
            return
        if stored:
            self.empty_state.say(*filtered, "清除筛选")
        else:
            self.empty_state.say(*empty, self.actions_by_id[self.new_action].text())

    def selected_summary(self) -> Any:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return rows[0].data(SUMMARY_ROLE)

    def _select_id(self, record_id: int) -> bool:
        row = self.model.row_of(record_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)
        return True

    def _enable_actions(self, selection_actions: tuple[str, ...], write_actions: tuple[str, ...],
                        empty_button: QPushButton) -> None:  # fmt: skip
        """Enable what needs a selection; in a read-only folder, nothing that writes."""
        has = self.selected_summary() is not None
        for action_id in selection_actions:
            self.actions_by_id[action_id].setEnabled(has)
        if self.context.read_only:  # a record can still be opened and read
            for action_id in write_actions:
                self.actions_by_id[action_id].setEnabled(False)
            empty_button.setEnabled(bool(self.repo.count()))  # 清除筛选 only

    def _delete_with_undo(self, record_id: int, title: str, question: str, done: str) -> None:
        """Ask, delete, and offer 撤销 in the undo bar; the next row is selected."""
        page: Any = self
        if not msgbox.confirm(page, title, question, yes="删除"):
            return
        row = self.table.currentIndex().row()
        delete = self.delete_op
        result = run_op(page, self.context, lambda s: delete(s, record_id), failed_title="没有删除")
        if result is None:
            return
        self.deleted = result.value
        self.wait_loaded()
        self.undo_bar.show_message(done)
        self.actions_by_id["undo"].setEnabled(True)
        if self.proxy.rowCount():
            self.table.selectRow(min(max(row, 0), self.proxy.rowCount() - 1))
        self.table.setFocus()

    def _undo_delete(self) -> None:
        """Put the last deleted record back (same id, with its people and attachments)."""
        record = self.deleted
        if record is None:
            return
        restore = self.restore_op
        page: Any = self
        if run_op(page, self.context, lambda s: restore(s, record), failed_title="没有恢复") is None:
            return
        self._forget_deleted()
        self.wait_loaded()
        if record.id is not None:
            self._select_id(record.id)

    def _forget_deleted(self) -> None:
        self.deleted = None
        self.undo_bar.hide()
        self.actions_by_id["undo"].setEnabled(False)

    # -- reacting ------------------------------------------------------------------------------

    @Slot()
    def _on_empty_button_clicked(self) -> None:
        if self.repo.count():
            self.clear_filters()
        else:
            self.actions_by_id[self.new_action].trigger()

    @Slot(QModelIndex)
    def _on_table_activated(self, _index: QModelIndex) -> None:
        self.actions_by_id[self.open_action].trigger()

    @Slot()
    def _on_table_selection_changed(self) -> None:
        self._update_actions()

    @Slot(str)
    def _on_search_edit_search_changed(self, _text: str) -> None:
        self.refresh()

    @Slot()
    def _on_filters_changed(self) -> None:
        self.refresh()
