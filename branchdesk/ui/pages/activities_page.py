"""The 活动 page: member activities (志愿服务, 社区报到 ...), filtered, searched and summed."""

from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtCore import Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from branchdesk import ops
from branchdesk.domain.activities import (
    Activity,
    ActivitySummary,
    ActivityTotals,
    format_hours,
    total,
)
from branchdesk.domain.editing import activity_for_duplicate
from branchdesk.ops import Changes
from branchdesk.store.activities import ActivityFilter, ActivityKindRepo, ActivityRepo
from branchdesk.ui.context import AppContext
from branchdesk.ui.editors.activity_editor import ActivityEditor
from branchdesk.ui.models.activity_table_model import (
    ActivitySortProxy,
    ActivityTableModel,
    Column,
    day_text,
)
from branchdesk.ui.page_kit import (
    UNDO_BAR_STYLE,
    EmptyState,
    PageActions,
    SearchBox,
    SummaryListPage,
    UndoBar,
    filter_row,
    page_style,
    period_range,
    setup_list_table,
    title_row,
)
from branchdesk.ui.widgets import MUTED_COLOR

log = logging.getLogger(__name__)

_PAGE_STYLE = page_style(
    bold_primary=False,
    extra=UNDO_BAR_STYLE
    + "#totalsBar { background: #faf8f5; border: 1px solid #e6e0d6; border-radius: 4px; }\n",
)

PERIODS = ["今年", "去年", "近12个月", "全部"]
WRITE_ACTIONS = ("add", "duplicate", "delete", "undo")  # refused when read-only


def totals_text(totals: ActivityTotals) -> str:
    return (
        f"活动 {totals.activities} 次，参与 {totals.participations} 人次，"
        f"合计 {format_hours(totals.hours)} 小时"
    )


class ActivitiesPage(SummaryListPage, PageActions, QWidget):
    """The list of activities; it refreshes itself when an applied change touches activities."""

    delete_op = staticmethod(ops.delete_activity)
    restore_op = staticmethod(ops.add_activity)
    open_action, new_action = "edit", "add"

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
        self._make_actions()
        self._build()
        if context.read_only:
            for action_id in WRITE_ACTIONS:
                self.actions_by_id[action_id].setToolTip("数据为只读")
        self._reload_kinds()
        self.refresh()
        context.events.changes_applied.connect(self._on_events_changes_applied)

    @property
    def today(self) -> dt.date:
        return self._today or dt.date.today()

    # -- building ---------------------------------------------------------------------------------

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

    def _build(self) -> None:
        self.count_label = QLabel()
        self.count_label.setStyleSheet("font-size: 11pt;")

        toolbar = QHBoxLayout()
        toolbar.setSpacing(8)
        toolbar.addWidget(self._button("add", primary=True))
        toolbar.addSpacing(12)
        for action_id in ("edit", "duplicate", "delete"):
            toolbar.addWidget(self._button(action_id))
        toolbar.addStretch(1)

        self.search_edit = SearchBox("搜索活动名称、内容、地点、参加人，如：垃圾分类、张三", 320)
        self.kind_combo = QComboBox()
        self.kind_combo.setMinimumWidth(130)
        self.period_combo = QComboBox()
        self.period_combo.addItems(PERIODS)
        self.period_combo.setMinimumWidth(110)
        filters = filter_row(
            self.search_edit, ("类型", self.kind_combo), ("期间", self.period_combo)
        )

        self.table = QTableView()
        header = setup_list_table(self.table, self.proxy)  # newest first until clicked
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

        self.empty_button = QPushButton()
        self.empty_button.clicked.connect(self._on_empty_button_clicked)
        empty = self.empty_state = EmptyState(self.empty_button, title_style="font-size: 15pt;")
        self.empty_title, self.empty_body = empty.title, empty.body
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

        self.undo_bar = UndoBar("恢复刚删除的活动（Ctrl+Z）")
        self.undo_bar.undo_requested.connect(self.actions_by_id["undo"].trigger)
        self.undo_label = self.undo_bar.label
        self.actions_by_id["undo"].setEnabled(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 22, 28, 18)
        layout.setSpacing(12)
        layout.addLayout(title_row("党员活动", self.count_label))
        layout.addLayout(toolbar)
        layout.addLayout(filters)
        layout.addWidget(self.undo_bar)
        layout.addWidget(self.stack, 1)
        layout.addWidget(totals_bar)

        self.search_edit.search_changed.connect(self._on_search_edit_search_changed)
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
        self.search_edit.cancel_pending()
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
        self._show_rows(
            len(rows),
            count,
            filtered=("没有符合条件的活动", "换个关键词，或者把期间改为“全部”、类型改为“全部类型”。"),
            empty=(
                "还没有登记党员活动",
                "志愿服务、社区报到、结对帮扶等活动结束后，点“添加活动”登记参加人员和时长。",
            ),
        )
        if selected is not None:
            self.select_activity(selected.id)
        self._update_actions()

    def selected_summary(self) -> ActivitySummary | None:
        return super().selected_summary()

    def select_activity(self, activity_id: int) -> bool:
        return self._select_id(activity_id)

    def _update_actions(self) -> None:
        self._enable_actions(("edit", "duplicate", "delete"), WRITE_ACTIONS, self.empty_button)

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
        self._delete_with_undo(
            summary.id,
            "删除活动",
            f"要删除 {name} 吗？\n参加人员、时长和附件清单会一并删除；删除后可以立即撤销。",
            f"已删除活动“{summary.title}”（{day_text(summary.day)}）",
        )

    @Slot()
    def _on_undo_triggered(self) -> None:
        self._undo_delete()  # keeps its id, participants and attachments

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

    @Slot(object)
    def _on_events_changes_applied(self, changes: Changes) -> None:
        if changes.activities or changes.activity_kinds:
            self._reload_kinds()
        if changes.activities or changes.members:
            self.refresh()
