"""The 活动 list: one row per activity summary, newest first."""

from __future__ import annotations

import datetime as dt
from typing import Any

from branchdesk.domain.activities import ActivitySummary, format_hours
from branchdesk.ui.models.table_models import HeaderColumn, SummarySortProxy, SummaryTableModel
from branchdesk.ui.models.table_models import day_text as day_text  # the list's date text


class Column(HeaderColumn):
    DATE = 0, "日期"
    KIND = 1, "类型"
    TITLE = 2, "活动名称"
    PLACE = 3, "地点"
    PARTICIPANTS = 4, "参与人数"
    HOURS = 5, "合计时长"


_NUMERIC = (Column.PARTICIPANTS, Column.HOURS)


def span_text(day: dt.date, end_day: dt.date | None) -> str:
    """``2026年3月1日`` or, for several days, ``2026年3月1日至3月3日``."""
    start = day_text(day)
    if end_day is None or end_day == day:
        return start
    if end_day.year == day.year:
        return f"{start}至{day_text(end_day, 'M月d日')}"
    return f"{start}至{day_text(end_day)}"


class ActivityTableModel(SummaryTableModel[ActivitySummary]):
    columns = Column
    numeric = _NUMERIC
    align_numeric_headers = True
    plain = {Column.KIND: "kind", Column.TITLE: "title", Column.PLACE: "place"}

    def _tooltip(self, summary: ActivitySummary, column: Column) -> Any:
        if column in (Column.TITLE, Column.PLACE):
            return self._display(summary, column) or None
        if column in _NUMERIC:
            return f"{summary.participants} 人参加，合计 {format_hours(summary.hours)} 小时"
        return None

    def _display(self, summary: ActivitySummary, column: Column) -> str:
        if column == Column.DATE:
            return span_text(summary.day, summary.end_day)
        if column == Column.PARTICIPANTS:
            return f"{summary.participants} 人"
        if column == Column.HOURS:
            return f"{format_hours(summary.hours)} 小时"
        return super()._display(summary, column)

    def _sort_key(self, summary: ActivitySummary, column: Column) -> Any:
        if column == Column.DATE:
            return self._day_key(summary)
        if column == Column.PARTICIPANTS:
            return summary.participants
        if column == Column.HOURS:
            return summary.hours
        return self._display(summary, column)


class ActivitySortProxy(SummarySortProxy):
    """Sorts by a column's natural value (dates by date, counts and hours as numbers)."""
