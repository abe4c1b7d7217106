"""The 会议 list: one row per meeting summary, newest first."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QBrush, QColor

from branchdesk.domain.meetings import MeetingStatus, MeetingSummary
from branchdesk.ui import theme
from branchdesk.ui.models import table_models
from branchdesk.ui.models.table_models import HeaderColumn, SummarySortProxy, SummaryTableModel

PLANNED_COLOR = QColor(theme.INFO_BLUE)  # planned meetings read as "not yet", in blue
LOW_RATE_COLOR = QColor(theme.WARNING)


class Column(HeaderColumn):
    DATE = 0, "日期"
    KIND = 1, "类型"
    TITLE = 2, "主题"
    GROUP = 3, "党小组"
    HOST = 4, "主持人"
    ATTENDANCE = 5, "实到/应到"
    RATE = 6, "出席率"
    STATUS = 7, "状态"


def day_text(day: Any, fmt: str = "yyyy年M月d日 ddd") -> str:
    """A date as people read it, with its weekday (the meetings list and editor)."""
    return table_models.day_text(day, fmt)


class MeetingTableModel(SummaryTableModel[MeetingSummary]):
    columns = Column
    numeric = (Column.ATTENDANCE, Column.RATE)
    plain = {
        Column.KIND: "kind_label",
        Column.TITLE: "title",
        Column.GROUP: "group_name",
        Column.HOST: "host_name",
    }

    def _tooltip(self, summary: MeetingSummary, column: Column) -> Any:
        planned = summary.status is MeetingStatus.PLANNED
        if column == Column.TITLE and summary.title:
            return summary.title
        if column == Column.ATTENDANCE and not planned:
            counts = summary.counts
            return f"应到 {counts.expected} 人，实到 {counts.present} 人，请假 {counts.leave} 人，缺席 {counts.absent} 人"
        if planned:
            return "计划召开，尚未登记出勤"
        return None

    def _foreground(self, summary: MeetingSummary, column: Column) -> Any:
        if summary.status is MeetingStatus.PLANNED:
            return QBrush(PLANNED_COLOR)
        rate = summary.counts.rate
        if column in (Column.ATTENDANCE, Column.RATE) and rate is not None and rate <= 0.5:
            return QBrush(LOW_RATE_COLOR)
        return None

    def _display(self, summary: MeetingSummary, column: Column) -> str:
        counts = summary.counts
        planned = summary.status is MeetingStatus.PLANNED
        if column == Column.DATE:
            text = day_text(summary.day)
            return f"{text}  {summary.start:%H:%M}" if summary.start else text
        if column == Column.ATTENDANCE:
            return f"—/{counts.expected}" if planned else f"{counts.present}/{counts.expected}"
        if column == Column.RATE:
            return "—" if planned else counts.rate_text()
        if column == Column.STATUS:
            return summary.status.label
        return super()._display(summary, column)

    def _sort_key(self, summary: MeetingSummary, column: Column) -> Any:
        if column == Column.DATE:
            return self._day_key(summary, summary.start or "")
        if column == Column.ATTENDANCE:
            return summary.counts.present
        if column == Column.RATE:
            rate = summary.counts.rate
            return -1.0 if rate is None or summary.status is MeetingStatus.PLANNED else rate
        return self._display(summary, column)


class MeetingSortProxy(SummarySortProxy):
    """Sorts by a column's natural value (dates by date, rates as numbers)."""
