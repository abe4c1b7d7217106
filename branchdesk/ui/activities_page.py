"""The 活动 page: member activities (志愿服务, 社区报到 ...), filtered, searched and summed."""

from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
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

from branchdesk.domain.activities import (
    Activity,
    ActivitySummary,
    ActivityTotals,
    format_hours,
    total,
)
from branchdesk.store.activities import ActivityFilter, ActivityKindRepo, ActivityRepo
from branchdesk.ui import msgbox
from branchdesk.ui.activity_editor import ActivityEditor, activity_for_duplicate
from branchdesk.ui.activity_table_model import (
    SUMMARY_ROLE,
    ActivitySortProxy,
    ActivityTableModel,
    Column,
    day_text,
)
from branchdesk.ui.context import AppContext
from branchdesk.ui.errors import user_message
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
    padding: 5px 14px;
}
QToolButton#primaryAction:hover { background: #a31919; }
QTableView { gridline-color: #e6e0d6; selection-background-color: #f3d9d4;
             selection-color: #1f1f1f; }
QHeaderView::section { padding: 4px 8px; }
#undoBar { background: #fdf6e3; border: 1px solid #e8d9b0; border-radius: 4px; }
#totalsBar { background: #faf8f5; border: 1px solid #e6e0d6; border-radius: 4px; }
"""

PERIODS = ["今年", "去年", "近12个月", "全部"]
WRITE_ACTIONS = ("add", "duplicate", "delete", "undo")  # refused when read-only


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


def totals_text(totals: ActivityTotals) -> str:
    return (
        f"活动 {totals.activities} 次，参与 {totals.participations} 人次，"
        f"合计 {format_hours(totals.hours)} 小时"
    )


class ActivitiesPage(QWidget):
    """The list of activities; it refreshes itself when ``records_changed`` names activities."""

    def __init__(
        self, context: AppContext, parent: QWidget | None = None, *, today: dt.date | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.repo = ActivityRepo(context.db)
        self.kinds = ActivityKindRepo(context.db)
        self._today = today
        self.setObjectName("activities_page")
        self.setStyleSheet(_PAGE_STYLE)
        self.model = ActivityTableModel(self)
        self.proxy = ActivitySortProxy(self)
        self.proxy.setSourceModel(self.model)
        self.actions_by_id: dict[str, QAction] = {}
        self.deleted: Activity | None = None  # the last deletion, until undone or replaced
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(200)
        self._search_timer.timeout.connect(self.refresh)
        self._make_actions()
        self._build()
        if context.read_only:
            for action_id in WRITE_ACTIONS:
                self.actions_by_id[action_id].setToolTip("数据为只读")
        self._reload_kinds()
        self.refresh()
        context.events.records_changed.connect(self._on_events_records_changed)

    @property
    def today(self) -> dt.date:
        return self._today or dt.date.today()

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
        self._action("add", "添加活动", self._on_add_triggered, "Ctrl+N",
                     "登记一次党员活动：谁参加、各多长时间（Ctrl+N）")  # fmt: skip
        self._action(
            "edit", "编辑", self._on_edit_triggered, "", "查看和修改选中的活动（回车或双击）"
        )
        self._action("duplicate", "复制", self._on_duplicate_triggered, "",
                     "按选中的活动新建一次今天的活动：类型、名称、地点、参加人员相同，不含附件")  # fmt: skip
        self._action("delete", "删除", self._on_delete_triggered, "Del", "删除选中的活动（Del）")
        self._action(
            "undo", "撤销删除", self._on_undo_triggered, "Ctrl+Z", "恢复刚删除的活动（Ctrl+Z）"
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
        title_row.addWidget(heading("党员活动"))
        title_row.addWidget(self.count_label, 0, Qt.AlignmentFlag.AlignBottom)
        title_row.addStretch(1)

        toolbar = QHBoxLayout()
        toolbar.setSpacing(8)
        toolbar.addWidget(self._button("add", primary=True))
        toolbar.addSpacing(12)
        for action_id in ("edit", "duplicate", "delete"):
            toolbar.addWidget(self._button(action_id))
        toolbar.addStretch(1)

        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("搜索活动名称、内容、地点、参加人，如：垃圾分类、张三")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(320)
        self.kind_combo = QComboBox()
        self.kind_combo.setMinimumWidth(130)
        self.period_combo = QComboBox()
        self.period_combo.addItems(PERIODS)
        self.period_combo.setMinimumWidth(110)
        filters = QHBoxLayout()
        filters.setSpacing(8)
        filters.addWidget(self.search_edit, 2)
        filters.addSpacing(10)
        filters.addWidget(QLabel("类型"))
        filters.addWidget(self.kind_combo)
        filters.addSpacing(6)
        filters.addWidget(QLabel("期间"))
        filters.addWidget(self.period_combo)
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
            Column.DATE: 184,
            Column.KIND: 110,
            Column.PLACE: 210,
            Column.PARTICIPANTS: 96,
            Column.HOURS: 110,
        }
        for column, width in widths.items():
            self.table.setColumnWidth(column, width)
        self.table.activated.connect(self._on_table_activated)  # Enter or double-click
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)

        self.empty_title = QLabel()
        self.empty_title.setStyleSheet("font-size: 15pt;")
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

        self.totals_label = QLabel()
        self.totals_label.setStyleSheet("font-size: 12pt;")
        self.totals_scope = QLabel()
        self.totals_scope.setStyleSheet(f"color: {MUTED_COLOR};")
        totals_bar = QFrame()
        totals_bar.setObjectName("totalsBar")
        totals_layout = QHBoxLayout(totals_bar)
        totals_layout.setContentsMargins(14, 8, 14, 8)
        totals_layout.addWidget(self.totals_label)
        totals_layout.addSpacing(12)
        totals_layout.addWidget(self.totals_scope, 1)

        self.undo_bar = QFrame()
        self.undo_bar.setObjectName("undoBar")
        self.undo_label = QLabel()
        undo_button = QPushButton("撤销")
        undo_button.setToolTip("恢复刚删除的活动（Ctrl+Z）")
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
        layout.addWidget(totals_bar)

        self.search_edit.textChanged.connect(self._on_search_edit_text_changed)
        self.kind_combo.currentIndexChanged.connect(self._on_filters_changed)
        self.period_combo.currentIndexChanged.connect(self._on_filters_changed)

    # -- reading state -------------------------------------------------------------------------

    def _reload_kinds(self) -> None:
        current = self.kind_combo.currentData()
        self.kind_combo.blockSignals(True)
        self.kind_combo.clear()
        self.kind_combo.addItem("全部类型", None)
        for kind in self.kinds.list():
            self.kind_combo.addItem(kind, kind)
        row = self.kind_combo.findData(current) if current is not None else 0
        self.kind_combo.setCurrentIndex(max(row, 0))
        self.kind_combo.blockSignals(False)

    def current_filter(self) -> ActivityFilter:
        start, end = period_range(self.period_combo.currentText(), self.today)
        return ActivityFilter(
            start=start,
            end=end,
            kind=self.kind_combo.currentData(),
            text=self.search_edit.text().strip(),
        )

    def filtering(self) -> bool:
        where = self.current_filter()
        return bool(where.start or where.end or where.kind or where.text)

    def shown_summaries(self) -> list[ActivitySummary]:
        return self.model.rows()

    def totals(self) -> ActivityTotals:
        return total(self.model.rows())

    def _scope_text(self) -> str:
        parts = [self.period_combo.currentText()]
        if self.kind_combo.currentData():
            parts.append(self.kind_combo.currentText())
        if self.search_edit.text().strip():
            parts.append(f"含“{self.search_edit.text().strip()}”")
        return "（" + "，".join(parts) + "）"

    @Slot()
    def refresh(self) -> None:
        """Reload the list for the current filters, keeping the selected activity."""
        self._search_timer.stop()
        selected = self.selected_summary()
        rows = self.repo.summaries(self.current_filter())
        self.model.set_rows(rows)
        count = self.repo.count()
        if self.filtering() and len(rows) != count:
            self.count_label.setText(f"共 {len(rows)} 次活动（全部 {count} 次）")
        else:
            self.count_label.setText(f"共 {len(rows)} 次活动")
        self.totals_label.setText(totals_text(self.totals()))
        self.totals_scope.setText(self._scope_text())
        if rows:
            self.stack.setCurrentIndex(0)
        else:
            self.stack.setCurrentIndex(1)
            if count:
                self.empty_title.setText("没有符合条件的活动")
                self.empty_body.setText("换个关键词，或者把期间改为“全部”、类型改为“全部类型”。")
                self.empty_button.setText("清除筛选")
            else:
                self.empty_title.setText("还没有登记党员活动")
                self.empty_body.setText(
                    "志愿服务、社区报到、结对帮扶等活动结束后，点“添加活动”登记参加人员和时长。"
                )
                self.empty_button.setText("添加活动")
        if selected is not None:
            self.select_activity(selected.id)
        self._update_actions()

    def selected_summary(self) -> ActivitySummary | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return rows[0].data(SUMMARY_ROLE)

    def select_activity(self, activity_id: int) -> bool:
        row = self.model.row_of(activity_id)
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
        for action_id in ("edit", "duplicate", "delete"):
            self.actions_by_id[action_id].setEnabled(has)
        if self.context.read_only:  # an activity can still be opened and read
            for action_id in WRITE_ACTIONS:
                self.actions_by_id[action_id].setEnabled(False)
            self.empty_button.setEnabled(bool(self.repo.count()))  # 清除筛选 only

    # -- actions -------------------------------------------------------------------------------

    def _after_edit(self, saved: Activity | None) -> None:
        if saved is not None and saved.id is not None:
            self.refresh()  # the editor said "activities" already; make sure the row is shown
            if not self.select_activity(saved.id):
                self.count_label.setText(
                    self.count_label.text() + "　刚保存的活动不在当前筛选范围内"
                )
            self.table.setFocus()

    @Slot()
    def _on_add_triggered(self) -> None:
        template = None
        kind = self.kind_combo.currentData()
        if kind:  # adding while looking at one kind: start with that kind
            template = Activity(kind=kind, title="", day=self.today)
        self._after_edit(ActivityEditor.ask(self, self.context, template))

    @Slot()
    def _on_edit_triggered(self) -> None:
        summary = self.selected_summary()
        if summary is None:
            return
        self._after_edit(ActivityEditor.ask(self, self.context, self.repo.get(summary.id)))

    @Slot()
    def _on_duplicate_triggered(self) -> None:
        summary = self.selected_summary()
        if summary is None:
            return
        template = activity_for_duplicate(self.repo.get(summary.id), self.today)
        self._after_edit(ActivityEditor.ask(self, self.context, template))

    @Slot()
    def _on_delete_triggered(self) -> None:
        summary = self.selected_summary()
        if summary is None:
            return
        name = f"{day_text(summary.day)} {summary.kind}“{summary.title}”"
        if not msgbox.confirm(
            self,
            "删除活动",
            f"要删除 {name} 吗？\n参加人员、时长和附件清单会一并删除；删除后可以立即撤销。",
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
        self.undo_label.setText(f"已删除活动“{summary.title}”（{day_text(summary.day)}）")
        self.undo_bar.show()
        self.actions_by_id["undo"].setEnabled(True)
        self.context.changed("activities")
        if self.proxy.rowCount():
            self.table.selectRow(min(max(row, 0), self.proxy.rowCount() - 1))
        self.table.setFocus()

    @Slot()
    def _on_undo_triggered(self) -> None:
        activity = self.deleted
        if activity is None:
            return
        try:
            self.repo.add(activity)  # keeps its id, participants and attachments
        except Exception as exc:
            if not self._write_failed(exc, "没有恢复"):
                raise
            return
        self.deleted = None
        self.undo_bar.hide()
        self.actions_by_id["undo"].setEnabled(False)
        self.context.changed("activities")
        if activity.id is not None:
            self.select_activity(activity.id)

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
            self.actions_by_id["add"].trigger()

    def clear_filters(self) -> None:
        for widget in (self.search_edit, self.kind_combo, self.period_combo):
            widget.blockSignals(True)
        self.search_edit.clear()
        self.kind_combo.setCurrentIndex(0)
        self.period_combo.setCurrentIndex(PERIODS.index("全部"))
        for widget in (self.search_edit, self.kind_combo, self.period_combo):
            widget.blockSignals(False)
        self.refresh()

    # -- reacting ------------------------------------------------------------------------------

    @Slot(QModelIndex)
    def _on_table_activated(self, _index: QModelIndex) -> None:
        self.actions_by_id["edit"].trigger()

    @Slot()
    def _on_table_selection_changed(self) -> None:
        self._update_actions()

    @Slot(str)
    def _on_search_edit_text_changed(self, _text: str) -> None:
        self._search_timer.start()

    @Slot()
    def _on_filters_changed(self) -> None:
        self.refresh()

    @Slot(str)
    def _on_events_records_changed(self, kind: str) -> None:
        if kind in ("activities", "all"):
            self._reload_kinds()
        if kind in ("activities", "members", "all"):
            self.refresh()
