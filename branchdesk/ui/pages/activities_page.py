"""The 活动 page: member activities (志愿服务, 社区报到 ...), filtered, searched and summed."""

from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QComboBox, QFrame, QHBoxLayout, QLabel, QWidget

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
from branchdesk.ui import theme
from branchdesk.ui.context import AppContext
from branchdesk.ui.models.activity_table_model import (
    ActivitySortProxy,
    ActivityTableModel,
    Column,
    day_text,
)
from branchdesk.ui.page_kit import SummaryListPage, list_page_style, period_range, refill_combo
from branchdesk.ui.widgets import MUTED_COLOR

log = logging.getLogger(__name__)

_PAGE_STYLE = list_page_style(
    bold_primary=False,
    extra=theme.TOTALS_BAR,
)

PERIODS = ["今年", "去年", "近12个月", "全部"]
WRITE_ACTIONS = ("add", "duplicate", "delete", "undo")  # refused when read-only


def totals_text(totals: ActivityTotals) -> str:
    return (
        f"活动 {totals.activities} 次，参与 {totals.participations} 人次，"
        f"合计 {format_hours(totals.hours)} 小时"
    )


class ActivitiesPage(SummaryListPage, QWidget):
    """The list of activities; it refreshes itself when an applied change touches activities."""

    delete_op = staticmethod(ops.delete_activity)
    restore_op = staticmethod(ops.add_activity)
    open_action, new_action = "edit", "add"
    noun = "活动"
    deleted_with = "参加人员、时长和附件清单"
    selection_actions = ("edit", "duplicate", "delete")
    write_actions = WRITE_ACTIONS
    filtered_text = ("没有符合条件的活动", "换个关键词，或者把期间改为“全部”、类型改为“全部类型”。")
    empty_text = (
        "还没有登记党员活动",
        "志愿服务、社区报到、结对帮扶等活动结束后，点“添加活动”登记参加人员和时长。",
    )
    not_shown_note = "　刚保存的活动不在当前筛选范围内"
    count_total_when_all_shown = False
    deleted: Activity | None

    def __init__(
        self, context: AppContext, parent: QWidget | None = None, *, today: dt.date | None = None
    ) -> None:
        super().__init__(parent)
        self.kinds = ActivityKindRepo(context.db)
        self._today = today
        self._set_up(context, ActivityRepo(context.db), ActivityTableModel(self),
                     ActivitySortProxy(self), name="activities_page", style=_PAGE_STYLE)  # fmt: skip

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
        self._delete_actions()

    def _build(self) -> None:
        toolbar = self._toolbar(("add",))

        self.kind_combo = QComboBox()
        self.kind_combo.setMinimumWidth(130)
        self.period_combo = QComboBox()
        self.period_combo.addItems(PERIODS)
        self.period_combo.setMinimumWidth(110)
        self.filter_combos = (self.kind_combo, self.period_combo)
        filters = self._filter_row(
            "搜索活动名称、内容、地点、参加人，如：垃圾分类、张三",
            320,
            ("类型", self.kind_combo),
            ("期间", self.period_combo),
        )

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

        widths = {
            Column.DATE: 184,
            Column.KIND: 110,
            Column.PLACE: 210,
            Column.PARTICIPANTS: 96,
            Column.HOURS: 110,
        }
        self._build_list("党员活动", toolbar, filters, title_column=Column.TITLE, widths=widths,
                         empty_title_style="font-size: 15pt;", below=(totals_bar,))  # fmt: skip

        self.kind_combo.currentIndexChanged.connect(self._on_filters_changed)
        self.period_combo.currentIndexChanged.connect(self._on_filters_changed)

    # -- reading state -------------------------------------------------------------------------

    def _reload_choices(self) -> None:
        self._reload_kinds()

    def _reload_kinds(self) -> None:
        refill_combo(self.kind_combo, "全部类型", ((kind, kind) for kind in self.kinds.list()))

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

    def _show_totals(self, rows: list[ActivitySummary]) -> None:
        self.totals_label.setText(totals_text(self.totals()))
        self.totals_scope.setText(self._scope_text())

    def select_activity(self, activity_id: int) -> bool:
        return self._select_id(activity_id)

    # -- actions -------------------------------------------------------------------------------

    # The editor is imported when first needed (the app preloads it in the background).

    @Slot()
    def _on_add_triggered(self) -> None:
        from branchdesk.ui.editors.activity_editor import ActivityEditor

        template = None
        kind = self.kind_combo.currentData()
        if kind:  # adding while looking at one kind: start with that kind
            template = Activity(kind=kind, title="", day=self.today)
        self._after_edit(ActivityEditor.ask(self, self.context, template))

    @Slot()
    def _on_edit_triggered(self) -> None:
        from branchdesk.ui.editors.activity_editor import ActivityEditor

        self._edit_selected(lambda s: ActivityEditor.ask(self, self.context, self.repo.get(s.id)))

    @Slot()
    def _on_duplicate_triggered(self) -> None:
        from branchdesk.ui.editors.activity_editor import ActivityEditor

        self._edit_selected(lambda s: ActivityEditor.ask(
            self, self.context, activity_for_duplicate(self.repo.get(s.id), self.today)
        ))  # fmt: skip

    def _delete_name(self, summary: ActivitySummary) -> str:
        return f"{day_text(summary.day)} {summary.kind}“{summary.title}”"

    def _deleted_text(self, summary: ActivitySummary, name: str) -> str:
        return f"已删除活动“{summary.title}”（{day_text(summary.day)}）"

    def _reset_filters(self) -> None:
        self.period_combo.setCurrentIndex(PERIODS.index("全部"))

    # -- reacting ------------------------------------------------------------------------------

    @Slot(object)
    def _on_events_changes_applied(self, changes: Changes) -> None:
        if changes.everything:  # another database (a restored backup): old undo state is void
            self._forget_deleted()
        if changes.activities or changes.activity_kinds:
            self._reload_kinds()
        if changes.activities or changes.members:
            self.refresh()
