"""The 会议 page: every meeting, newest first, with filters, search and the actions around it."""

from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtCore import QDate, Slot
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QLabel, QToolButton, QWidget

from branchdesk import ops
from branchdesk.domain.meetings import Meeting, MeetingKind, MeetingSummary
from branchdesk.ops import Changes
from branchdesk.store.meetings import MeetingFilter, MeetingRepo
from branchdesk.ui.context import AppContext
from branchdesk.ui.models.meeting_table_model import (
    Column,
    MeetingSortProxy,
    MeetingTableModel,
    day_text,
)
from branchdesk.ui.page_kit import SummaryListPage, list_page_style, period_range, refill_combo
from branchdesk.ui.print_actions import print_menu
from branchdesk.ui.widgets import qdate_to_date

log = logging.getLogger(__name__)

_PAGE_STYLE = list_page_style()

PERIODS = ["全部", "今年", "去年", "近12个月", "自定义…"]
WRITE_ACTIONS = ("record", "plan", "duplicate", "delete", "undo")  # refused when read-only


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)



class MeetingsPage(SummaryListPage, QWidget):
    """The list of meetings; it refreshes itself when an applied change touches meetings."""

    delete_op = staticmethod(ops.delete_meeting)
    restore_op = staticmethod(ops.add_meeting)
    open_action, new_action = "open", "record"
    noun = "会议"
    deleted_with = "出勤登记和附件清单"
    selection_actions = ("open", "duplicate", "delete")
    write_actions = WRITE_ACTIONS
    filtered_text = ("没有符合条件的会议", "换个关键词，或者放宽类型、期间、党小组的筛选。")
    empty_text = ("还没有会议记录", "开完会后点“记录会议”，两分钟就能登记好；也可以先登记计划。")
    not_shown_note = "　新会议不在当前筛选范围内"
    deleted: Meeting | None

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._set_up(context, MeetingRepo(context.db), MeetingTableModel(self),
                     MeetingSortProxy(self), name="meetings_page", style=_PAGE_STYLE)  # fmt: skip

    # -- building ---------------------------------------------------------------------------------

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
        self._delete_actions()

    def _build(self) -> None:
        self.print_button = QToolButton()
        self.print_button.setText("打印…")
        self.print_button.setObjectName("pageAction")
        self.print_button.setToolTip("打印或导出选中会议的签到表、会议记录；也可打印空白签到表")
        self.print_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.print_button.setMenu(
            print_menu(
                self,
                self.context,
                lambda: s.id if (s := self.selected_summary()) else None,
                blank=True,
            )
        )
        toolbar = self._toolbar(("record", "plan"), self.print_button)

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
        self.filter_combos = (self.kind_combo, self.period_combo, self.group_combo)
        filters = self._filter_row(
            "搜索主题、议题、会议记录、决议，如：党费、张三",
            300,
            ("类型", self.kind_combo),
            ("期间", self.period_combo, self.custom_range),
            ("党小组", self.group_combo),
        )

        widths = {
            Column.DATE: 200,
            Column.KIND: 130,
            Column.GROUP: 110,
            Column.HOST: 90,
            Column.ATTENDANCE: 90,
            Column.RATE: 76,
            Column.STATUS: 70,
        }
        self._build_list("会议记录", toolbar, filters, title_column=Column.TITLE, widths=widths)

        self.kind_combo.currentIndexChanged.connect(self._on_filters_changed)
        self.period_combo.currentIndexChanged.connect(self._on_period_combo_changed)
        self.group_combo.currentIndexChanged.connect(self._on_filters_changed)
        self.from_edit.dateChanged.connect(self._on_filters_changed)
        self.to_edit.dateChanged.connect(self._on_filters_changed)

    # -- reading state -------------------------------------------------------------------------

    def _reload_choices(self) -> None:
        self._reload_groups()

    def _reload_groups(self) -> None:
        groups = self.context.groups.list(include_ended=True)
        refill_combo(self.group_combo, "全部党小组", ((g.name, g.id) for g in groups))

    def current_filter(self, today: dt.date | None = None) -> MeetingFilter:
        today = today or dt.date.today()
        period = self.period_combo.currentText()
        if period == "自定义…":
            start, end = qdate_to_date(self.from_edit.date()), qdate_to_date(self.to_edit.date())
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

    def select_meeting(self, meeting_id: int) -> bool:
        return self._select_id(meeting_id)

    # -- actions -------------------------------------------------------------------------------

    # The editor is imported when first needed (the app preloads it in the background): the
    # first visit of the page does not wait for it.

    @Slot()
    def _on_record_triggered(self) -> None:
        from branchdesk.ui.editors.meeting_editor import MeetingEditor

        self._after_edit(MeetingEditor.ask(self, self.context))

    @Slot()
    def _on_plan_triggered(self) -> None:
        from branchdesk.ui.editors.meeting_editor import MeetingEditor

        self._after_edit(MeetingEditor.ask(self, self.context, planned=True))

    @Slot()
    def _on_open_triggered(self) -> None:
        from branchdesk.ui.editors.meeting_editor import MeetingEditor

        self._edit_selected(lambda s: MeetingEditor.ask(self, self.context, self.repo.get(s.id)))

    @Slot()
    def _on_duplicate_triggered(self) -> None:
        from branchdesk.ui.editors.meeting_editor import MeetingEditor, meeting_for_duplicate

        def ask(summary: MeetingSummary) -> Meeting | None:
            template = meeting_for_duplicate(self.context, summary.id, dt.date.today())
            return MeetingEditor.ask(self, self.context, template, planned=True)

        self._edit_selected(ask)

    def _delete_name(self, summary: MeetingSummary) -> str:
        return f"{day_text(summary.day, 'yyyy年M月d日')} {summary.kind_label}“{summary.title or '（无主题）'}”"

    def _reset_filters(self) -> None:
        self.custom_range.hide()

    # -- reacting ------------------------------------------------------------------------------

    @Slot(int)
    def _on_period_combo_changed(self, _index: int) -> None:
        self.custom_range.setVisible(self.period_combo.currentText() == "自定义…")
        self.refresh()

    @Slot(object)
    def _on_events_changes_applied(self, changes: Changes) -> None:
        if changes.groups:
            self._reload_groups()
        if changes.everything:  # another database (a restored backup): old undo state is void
            self.repo = MeetingRepo(self.context.db)
            self._forget_deleted()
        if changes.meetings or changes.groups or changes.members:
            self.refresh()
