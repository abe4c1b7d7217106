"""The 会议 page: every meeting, newest first, with filters, search and the actions around it."""

from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtCore import QDate, QItemSelectionModel, QModelIndex, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from branchdesk.domain.meetings import Meeting, MeetingKind, MeetingSummary
from branchdesk.store.meetings import MeetingFilter, MeetingRepo
from branchdesk.ui import msgbox
from branchdesk.ui.context import AppContext
from branchdesk.ui.errors import user_message
from branchdesk.ui.meeting_editor import MeetingEditor, meeting_for_duplicate
from branchdesk.ui.meeting_table_model import (
    SUMMARY_ROLE,
    Column,
    MeetingSortProxy,
    MeetingTableModel,
    day_text,
)
from branchdesk.ui.print_actions import print_menu
from branchdesk.ui.widgets import MUTED_COLOR, heading

log = logging.getLogger(__name__)

_PAGE_STYLE = """
QToolButton#pageAction {
    border: 1px solid #cfc6b8; border-radius: 4px; background: #ffffff; padding: 5px 12px;
}
QToolButton#pageAction:hover { background: #f6efe6; }
QToolButton#pageAction:pressed { background: #ecdfcf; }
QToolButton#pageAction:disabled { color: #a8a8a8; border-color: #e2ddd5; }
QToolButton#primaryAction {
    border: 1px solid #9f1a1a; border-radius: 4px; background: #b71c1c; color: white;
    padding: 5px 14px; font-weight: 600;
}
QToolButton#primaryAction:hover { background: #a31919; }
QTableView { gridline-color: #e6e0d6; selection-background-color: #f3d9d4;
             selection-color: #1f1f1f; }
QHeaderView::section { padding: 4px 8px; }
#undoBar { background: #fdf6e3; border: 1px solid #e8d9b0; border-radius: 4px; }
"""

PERIODS = ["全部", "今年", "去年", "近12个月", "自定义…"]
WRITE_ACTIONS = ("record", "plan", "duplicate", "delete", "undo")  # refused when read-only


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


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _date(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


class MeetingsPage(QWidget):
    """The list of meetings; it refreshes itself when ``records_changed`` names meetings."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.repo = MeetingRepo(context.db)
        self.setObjectName("meetings_page")
        self.setStyleSheet(_PAGE_STYLE)
        self.model = MeetingTableModel(self)
        self.proxy = MeetingSortProxy(self)
        self.proxy.setSourceModel(self.model)
        self.actions_by_id: dict[str, QAction] = {}
        self.deleted: Meeting | None = None  # the last deletion, until undone or replaced
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(200)
        self._search_timer.timeout.connect(self.refresh)
        self._make_actions()
        self._build()
        if context.read_only:
            for action_id in WRITE_ACTIONS:
                self.actions_by_id[action_id].setToolTip("数据为只读")
        self._reload_groups()
        self.refresh()
        context.events.records_changed.connect(self._on_events_records_changed)

    # -- building ---------------------------------------------------------------------------------

    def _action(
        self, action_id: str, text: str, slot: object, shortcut: str = "", tip: str = ""
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(action_id)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setIconText(text)
        action.setToolTip(tip or text)
        action.triggered.connect(slot)
        self.addAction(action)
        self.actions_by_id[action_id] = action
        return action

    def _make_actions(self) -> None:
        self._action("record", "记录会议", self._on_record_triggered, "Ctrl+N",
                     "登记一次已经召开的会议（Ctrl+N）")  # fmt: skip
        self._action("plan", "计划会议", self._on_plan_triggered, "",
                     "先登记计划召开的会议，会后再填写出勤和记录")  # fmt: skip
        self._action(
            "open", "打开", self._on_open_triggered, "", "查看和修改选中的会议（回车或双击）"
        )
        self._action("duplicate", "复制为新计划", self._on_duplicate_triggered, "",
                     "按选中的会议新建一次计划会议：类型、地点、主持人、议题相同，不含出勤和记录")  # fmt: skip
        self._action("delete", "删除", self._on_delete_triggered, "Del", "删除选中的会议（Del）")
        self._action(
            "undo", "撤销删除", self._on_undo_triggered, "Ctrl+Z", "恢复刚删除的会议（Ctrl+Z）"
        )

    def _button(self, action_id: str, primary: bool = False) -> QToolButton:
        button = QToolButton()
        button.setDefaultAction(self.actions_by_id[action_id])
        button.setObjectName("primaryAction" if primary else "pageAction")
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        return button

    def _build(self) -> None:
        self.count_label = QLabel()
        self.count_label.setStyleSheet("font-size: 11pt;")
        title_row = QHBoxLayout()
        title_row.setSpacing(18)
        title_row.addWidget(heading("会议记录"))
        title_row.addWidget(self.count_label, 0, Qt.AlignmentFlag.AlignBottom)
        title_row.addStretch(1)

        toolbar = QHBoxLayout()
        toolbar.setSpacing(8)
        toolbar.addWidget(self._button("record", primary=True))
        toolbar.addWidget(self._button("plan"))
        toolbar.addSpacing(12)
        for action_id in ("open", "duplicate", "delete"):
            toolbar.addWidget(self._button(action_id))
        toolbar.addSpacing(12)
        self.print_button = QToolButton()
        self.print_button.setText("打印…")
        self.print_button.setObjectName("pageAction")
        self.print_button.setToolTip("打印或导出选中会议的签到表、会议记录；也可打印空白签到表")
        self.print_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.print_button.setMenu(
            print_menu(self, self.context, lambda: s.id if (s := self.selected_summary()) else None,
                       blank=True)
        )
        toolbar.addWidget(self.print_button)
        toolbar.addStretch(1)

        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("搜索主题、议题、会议记录、决议，如：党费、张三")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(300)
        self.kind_combo = QComboBox()
        self.kind_combo.addItem("全部类型", None)
        for kind in MeetingKind:
            self.kind_combo.addItem(kind.label, kind.value)
        self.period_combo = QComboBox()
        self.period_combo.addItems(PERIODS)
        today = dt.date.today()
        self.from_edit = QDateEdit(_qdate(dt.date(today.year, 1, 1)))
        self.to_edit = QDateEdit(_qdate(today))
        for edit in (self.from_edit, self.to_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy年M月d日")
        self.custom_range = QWidget()
        custom = QHBoxLayout(self.custom_range)
        custom.setContentsMargins(0, 0, 0, 0)
        custom.addWidget(self.from_edit)
        custom.addWidget(QLabel("至"))
        custom.addWidget(self.to_edit)
        self.custom_range.hide()
        self.group_combo = QComboBox()
        self.group_combo.setMinimumWidth(130)
        filters = QHBoxLayout()
        filters.setSpacing(8)
        filters.addWidget(self.search_edit, 2)
        filters.addSpacing(10)
        filters.addWidget(QLabel("类型"))
        filters.addWidget(self.kind_combo)
        filters.addSpacing(6)
        filters.addWidget(QLabel("期间"))
        filters.addWidget(self.period_combo)
        filters.addWidget(self.custom_range)
        filters.addSpacing(6)
        filters.addWidget(QLabel("党小组"))
        filters.addWidget(self.group_combo)
        filters.addStretch(1)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # newest first until clicked
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(34)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(False)
        header.setSectionResizeMode(Column.TITLE, QHeaderView.ResizeMode.Stretch)
        widths = {
            Column.DATE: 200,
            Column.KIND: 130,
            Column.GROUP: 110,
            Column.HOST: 90,
            Column.ATTENDANCE: 90,
            Column.RATE: 76,
            Column.STATUS: 70,
        }
        for column, width in widths.items():
            self.table.setColumnWidth(column, width)
        self.table.activated.connect(self._on_table_activated)  # Enter or double-click
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)

        self.empty_title = QLabel()
        self.empty_title.setStyleSheet("font-size: 15pt; font-weight: 600;")
        self.empty_body = QLabel()
        self.empty_body.setStyleSheet(f"font-size: 11pt; color: {MUTED_COLOR};")
        self.empty_button = QPushButton()
        self.empty_button.setMinimumSize(150, 40)
        self.empty_button.clicked.connect(self._on_empty_button_clicked)
        empty = QFrame()
        empty.setObjectName("emptyState")
        empty.setStyleSheet("#emptyState { background: #faf8f5; border: 1px dashed #cfc6b8; }")
        empty_layout = QVBoxLayout(empty)
        empty_layout.addStretch(2)
        for label in (self.empty_title, self.empty_body):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            empty_layout.addWidget(label)
        empty_layout.addSpacing(16)
        empty_layout.addWidget(self.empty_button, 0, Qt.AlignmentFlag.AlignCenter)
        empty_layout.addStretch(3)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(empty)

        self.undo_bar = QFrame()
        self.undo_bar.setObjectName("undoBar")
        self.undo_label = QLabel()
        undo_button = QPushButton("撤销")
        undo_button.setToolTip("恢复刚删除的会议（Ctrl+Z）")
        undo_button.clicked.connect(self.actions_by_id["undo"].trigger)
        close_button = QToolButton()
        close_button.setText("×")
        close_button.setAutoRaise(True)
        close_button.setToolTip("关闭提示")
        close_button.clicked.connect(self._on_undo_bar_closed)
        bar = QHBoxLayout(self.undo_bar)
        bar.setContentsMargins(12, 4, 6, 4)
        bar.addWidget(self.undo_label, 1)
        bar.addWidget(undo_button)
        bar.addWidget(close_button)
        self.undo_bar.hide()
        self.actions_by_id["undo"].setEnabled(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 22, 28, 18)
        layout.setSpacing(12)
        layout.addLayout(title_row)
        layout.addLayout(toolbar)
        layout.addLayout(filters)
        layout.addWidget(self.undo_bar)
        layout.addWidget(self.stack, 1)

        self.search_edit.textChanged.connect(self._on_search_edit_text_changed)
        self.kind_combo.currentIndexChanged.connect(self._on_filters_changed)
        self.period_combo.currentIndexChanged.connect(self._on_period_combo_changed)
        self.group_combo.currentIndexChanged.connect(self._on_filters_changed)
        self.from_edit.dateChanged.connect(self._on_filters_changed)
        self.to_edit.dateChanged.connect(self._on_filters_changed)

    # -- reading state -------------------------------------------------------------------------

    def _reload_groups(self) -> None:
        current = self.group_combo.currentData()
        self.group_combo.blockSignals(True)
        self.group_combo.clear()
        self.group_combo.addItem("全部党小组", None)
        for group in self.context.groups.list():
            self.group_combo.addItem(group.name, group.id)
        row = self.group_combo.findData(current) if current is not None else 0
        self.group_combo.setCurrentIndex(max(row, 0))
        self.group_combo.blockSignals(False)

    def current_filter(self, today: dt.date | None = None) -> MeetingFilter:
        today = today or dt.date.today()
        period = self.period_combo.currentText()
        if period == "自定义…":
            start, end = _date(self.from_edit.date()), _date(self.to_edit.date())
        else:
            start, end = period_range(period, today)
        kind = self.kind_combo.currentData()
        return MeetingFilter(
            start=start,
            end=end,
            kind=MeetingKind(kind) if kind else None,
            group_id=self.group_combo.currentData(),
            text=self.search_edit.text().strip(),
        )

    def filtering(self) -> bool:
        where = self.current_filter()
        return bool(
            where.start or where.end or where.kind or where.group_id is not None or where.text
        )

    @Slot()
    def refresh(self) -> None:
        """Reload the list for the current filters, keeping the selected meeting."""
        self._search_timer.stop()
        selected = self.selected_summary()
        rows = self.repo.summaries(self.current_filter())
        self.model.set_rows(rows)
        total = self.repo.count()
        if self.filtering():
            self.count_label.setText(f"共 {len(rows)} 次会议（全部 {total} 次）")
        else:
            self.count_label.setText(f"共 {len(rows)} 次会议")
        if rows:
            self.stack.setCurrentIndex(0)
        else:
            self.stack.setCurrentIndex(1)
            if total:
                self.empty_title.setText("没有符合条件的会议")
                self.empty_body.setText("换个关键词，或者放宽类型、期间、党小组的筛选。")
                self.empty_button.setText("清除筛选")
            else:
                self.empty_title.setText("还没有会议记录")
                self.empty_body.setText(
                    "开完会后点“记录会议”，两分钟就能登记好；也可以先登记计划。"
                )
                self.empty_button.setText("记录会议")
        if selected is not None:
            self.select_meeting(selected.id)
        self._update_actions()

    def selected_summary(self) -> MeetingSummary | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return rows[0].data(SUMMARY_ROLE)

    def select_meeting(self, meeting_id: int) -> bool:
        row = self.model.row_of(meeting_id)
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

    def _update_actions(self) -> None:
        has = self.selected_summary() is not None
        for action_id in ("open", "duplicate", "delete"):
            self.actions_by_id[action_id].setEnabled(has)
        if self.context.read_only:  # a meeting can still be opened and read
            for action_id in WRITE_ACTIONS:
                self.actions_by_id[action_id].setEnabled(False)
            self.empty_button.setEnabled(bool(self.repo.count()))  # 清除筛选 only

    # -- actions -------------------------------------------------------------------------------

    def _after_edit(self, saved: Meeting | None) -> None:
        if saved is not None and saved.id is not None:
            self.refresh()  # the editor said "meetings" already; make sure the row is shown
            if not self.select_meeting(saved.id):
                self.count_label.setText(self.count_label.text() + "　新会议不在当前筛选范围内")
            self.table.setFocus()

    @Slot()
    def _on_record_triggered(self) -> None:
        self._after_edit(MeetingEditor.ask(self, self.context))

    @Slot()
    def _on_plan_triggered(self) -> None:
        self._after_edit(MeetingEditor.ask(self, self.context, planned=True))

    @Slot()
    def _on_open_triggered(self) -> None:
        summary = self.selected_summary()
        if summary is None:
            return
        meeting = self.repo.get(summary.id)
        self._after_edit(MeetingEditor.ask(self, self.context, meeting))

    @Slot()
    def _on_duplicate_triggered(self) -> None:
        summary = self.selected_summary()
        if summary is None:
            return
        template = meeting_for_duplicate(self.context, summary.id, dt.date.today())
        self._after_edit(MeetingEditor.ask(self, self.context, template, planned=True))

    @Slot()
    def _on_delete_triggered(self) -> None:
        summary = self.selected_summary()
        if summary is None:
            return
        name = f"{day_text(summary.day, 'yyyy年M月d日')} {summary.kind_label}“{summary.title or '（无主题）'}”"
        if not msgbox.confirm(
            self,
            "删除会议",
            f"要删除 {name} 吗？\n出勤登记和附件清单会一并删除；删除后可以立即撤销。",
            yes="删除",
        ):
            return
        row = self.table.currentIndex().row()
        try:
            self.deleted = self.repo.delete(summary.id)
        except Exception as exc:  # the environment is told; a bug goes on to the crash handler
            if not self._write_failed(exc, "没有删除"):
                raise
            return
        self.undo_label.setText(f"已删除会议 {name}")
        self.undo_bar.show()
        self.actions_by_id["undo"].setEnabled(True)
        self.context.changed("meetings")
        if self.proxy.rowCount():
            self.table.selectRow(min(row, self.proxy.rowCount() - 1))
        self.table.setFocus()

    @Slot()
    def _on_undo_triggered(self) -> None:
        meeting = self.deleted
        if meeting is None:
            return
        try:
            self.repo.add(meeting)  # keeps its id, attendance and attachments
        except Exception as exc:
            if not self._write_failed(exc, "没有恢复"):
                raise
            return
        self.deleted = None
        self.undo_bar.hide()
        self.actions_by_id["undo"].setEnabled(False)
        self.context.changed("meetings")
        if meeting.id is not None:
            self.select_meeting(meeting.id)

    def _write_failed(self, exc: Exception, title: str) -> bool:
        """Tell a storage failure and return True; False for a bug, which the caller raises."""
        message = user_message(exc, self.context.db_path)
        if message is None:
            return False
        log.warning("%s: %s", title, exc)
        msgbox.error(self, title, message)
        return True

    @Slot()
    def _on_undo_bar_closed(self) -> None:
        self.undo_bar.hide()

    @Slot()
    def _on_empty_button_clicked(self) -> None:
        if self.repo.count():
            self.clear_filters()
        else:
            self.actions_by_id["record"].trigger()

    def clear_filters(self) -> None:
        for widget in (self.search_edit, self.kind_combo, self.period_combo, self.group_combo):
            widget.blockSignals(True)
        self.search_edit.clear()
        self.kind_combo.setCurrentIndex(0)
        self.period_combo.setCurrentIndex(0)
        self.group_combo.setCurrentIndex(0)
        for widget in (self.search_edit, self.kind_combo, self.period_combo, self.group_combo):
            widget.blockSignals(False)
        self.custom_range.hide()
        self.refresh()

    # -- reacting ------------------------------------------------------------------------------

    @Slot(QModelIndex)
    def _on_table_activated(self, _index: QModelIndex) -> None:
        self.actions_by_id["open"].trigger()

    @Slot()
    def _on_table_selection_changed(self) -> None:
        self._update_actions()

    @Slot(str)
    def _on_search_edit_text_changed(self, _text: str) -> None:
        self._search_timer.start()

    @Slot()
    def _on_filters_changed(self) -> None:
        self.refresh()

    @Slot(int)
    def _on_period_combo_changed(self, _index: int) -> None:
        self.custom_range.setVisible(self.period_combo.currentText() == "自定义…")
        self.refresh()

    @Slot(str)
    def _on_events_records_changed(self, kind: str) -> None:
        if kind in ("groups", "all"):
            self._reload_groups()
        if kind == "all":  # another database (a restored backup): old undo state is void
            self.repo = MeetingRepo(self.context.db)
            self.deleted = None
            self.undo_bar.hide()
            self.actions_by_id["undo"].setEnabled(False)
        if kind in ("meetings", "groups", "members", "all"):
            self.refresh()
