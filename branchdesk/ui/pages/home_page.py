"""工作台: what to do this month, at a glance.

Required meetings of this month, quarter and year (done, due or late, with one click to
plan or record the missing one), the people to mind (political birthdays, 转正 due,
repeated absences), the last twelve months of meetings and attendance, and a calendar.
The page reads everything through ``HomeQueries`` and refreshes when any record changes.

Settings (QSettings):
    home/remind_late (bool, default true): remind once a day at start-up when a required
        meeting of the previous period was not held. The 设置 page offers it as a checkbox.
    home/last_reminder (ISO date): the day the reminder was last shown.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QDate, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QMouseEvent, QResizeEvent, QShowEvent, QTextCharFormat
from PySide6.QtWidgets import (
    QCalendarWidget,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from branchdesk.domain.home import (
    CalendarDays,
    DutyLine,
    DutyState,
    EntryKind,
    HomeOverview,
)
from branchdesk.domain.meetings import Meeting, MeetingStatus
from branchdesk.domain.requirements import Period, Unit
from branchdesk.ops import Changes, delete_meeting
from branchdesk.store.home_queries import HomeQueries
from branchdesk.store.meetings import MeetingRepo
from branchdesk.store.members import NotFound
from branchdesk.ui import msgbox, theme
from branchdesk.ui.charts import YearChart
from branchdesk.ui.context import AppContext
from branchdesk.ui.ops import run_op
from branchdesk.ui.screen_fit import FlowLayout

log = logging.getLogger(__name__)

REMINDER_SETTING = "home/remind_late"
LAST_REMINDER_SETTING = "home/last_reminder"

GREEN = theme.SUCCESS
AMBER = theme.WARNING
RED = theme.BRAND_RED
BLUE = theme.INFO_BLUE
MUTED = theme.MUTED
MAX_NAMES = 6  # people listed per section before "另有 N 人"
MAX_EXPIRED = 5  # expired plans listed before "另有 N 个"

_THIS = {Unit.MONTH: "本月", Unit.QUARTER: "本季度", Unit.YEAR: "今年"}
_LAST = {Unit.MONTH: "上月", Unit.QUARTER: "上季度", Unit.YEAR: "去年"}


def day_text(day: dt.date, fmt: str = "M月d日") -> str:
    """A date as people read it, through the (Chinese) locale."""
    from PySide6.QtCore import QLocale

    return QLocale().toString(QDate(day.year, day.month, day.day), fmt)


def _left_text(line: DutyLine) -> str:
    if line.days_left == 0:
        return f"今天是{_THIS[line.unit]}最后一天"
    return f"{_THIS[line.unit]}还剩 {line.days_left} 天"


def line_detail(line: DutyLine) -> str:
    """The second line under a required meeting: when it was held, or what is left."""
    held = len(line.held)
    if line.state is DutyState.DONE:
        if held == 1:
            return f"{day_text(line.held[0][0])}已召开"
        return f"已开 {held} 次，最近 {day_text(line.held[-1][0])}"
    parts = []
    if line.state is DutyState.LATE:
        if line.missed_held:
            parts.append(f"{_LAST[line.unit]}只开了 {line.missed_held} 次")
        else:
            parts.append(f"{_LAST[line.unit]}未开")
    if held:
        parts.append(f"已开 {held} 次，还差 {line.requirement.times - held} 次")
    if line.plan_expired:
        parts.append(f"{day_text(line.planned[0][0])}的计划已过期，记录或取消")
    elif line.planned:
        parts.append(f"已计划 {day_text(line.planned[0][0])}")
    else:
        parts.append(_left_text(line))
    return "，".join(parts)


def late_text(line: DutyLine) -> str:
    """One line of the start-up reminder."""
    missed = line.missed.label if line.missed else ""
    return f"{line.label}：{_LAST[line.unit]}（{missed}）未按要求召开"


def _mark(line: DutyLine) -> tuple[str, str]:
    if line.state is DutyState.DONE:
        return "✔", GREEN
    if line.state is DutyState.LATE:
        return "✖", RED
    if line.plan_expired:
        return "○", AMBER
    if line.planned:
        return "○", BLUE
    return "○", AMBER if line.urgent else MUTED


class DutyRow(QFrame):
    """One required meeting: a mark, its name, what is left, and buttons to act on it.

    Signals:
        open_requested(int): the user clicked the row of a held or planned meeting.
        plan_requested(): 计划 — plan the missing meeting.
        record_requested(): 记录 / 补记 — enter a meeting that was held.
        record_plan_requested(int): 记录 — the expired plan (its id) was held after all.
        cancel_plan_requested(int): 取消 — the expired plan (its id) was not held.
    """

    open_requested = Signal(int)
    plan_requested = Signal()
    record_requested = Signal()
    record_plan_requested = Signal(int)
    cancel_plan_requested = Signal(int)

    def __init__(
        self, line: DutyLine, parent: QWidget | None = None, *, editable: bool = True
    ) -> None:
        super().__init__(parent)
        self.line = line
        self.editable = editable
        self.setObjectName("dutyRow")
        if line.state is DutyState.DONE:
            self.meeting_id = line.last_meeting_id
        else:
            self.meeting_id = line.planned[0][1] if line.planned else None
        self.setProperty("openable", self.meeting_id is not None)
        if self.meeting_id is not None:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
            self.setToolTip("点击打开这次会议")
        symbol, color = _mark(line)
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 5, 4, 5)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(1)
        self.mark = QLabel(symbol)
        self.mark.setObjectName("dutyMark")
        self.mark.setStyleSheet(theme.color(color))
        self.mark.setFixedWidth(22)
        self.mark.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.name = QLabel(line.label)
        self.name.setObjectName("dutyName")
        self.detail = QLabel(line_detail(line))
        self.detail.setObjectName("dutyDetail")
        self.detail.setWordWrap(True)
        detail_color = {DutyState.DONE: MUTED, DutyState.LATE: RED}.get(line.state, color)
        self.detail.setStyleSheet(theme.color(detail_color))
        grid.addWidget(self.mark, 0, 0)
        grid.addWidget(self.name, 0, 1)
        grid.addWidget(self.detail, 1, 1, 1, 2)
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        self.buttons: dict[str, QPushButton] = {}
        if line.state is not DutyState.DONE:
            if line.plan_expired:
                self._button(buttons, "记录", "会议已经开过：按计划填写并登记为已召开")
                self._button(buttons, "取消", "会议没有开：删除这个计划")
            elif line.planned:
                self._button(buttons, "打开", "打开已计划的这次会议，开完后在这里登记")
            else:
                record = "补记" if line.state is DutyState.LATE else "记录"
                tip = (
                    f"{_LAST[line.unit]}其实开过、只是没有登记：现在补记"
                    if line.state is DutyState.LATE
                    else "会议已经开过：现在登记"
                )
                self._button(buttons, record, tip)
                self._button(
                    buttons, "计划", f"安排一次{line.label}，建议 {day_text(line.suggested_day)}"
                )
        grid.addLayout(buttons, 0, 2, Qt.AlignmentFlag.AlignRight)
        grid.setColumnStretch(1, 1)

    def _button(self, layout: QHBoxLayout, text: str, tip: str) -> None:
        button = QPushButton(text)
        button.setObjectName("lineAction")
        button.setToolTip(tip)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        if text != "打开" and not self.editable:
            button.setEnabled(False)
            button.setToolTip("数据以只读方式打开，不能登记")
        if text == "计划":
            button.clicked.connect(self.plan_requested)
        elif self.line.plan_expired:  # 记录 or 取消 the plan
            plan_id = self.line.planned[0][1]
            signal = self.record_plan_requested if text == "记录" else self.cancel_plan_requested
            button.clicked.connect(lambda _c=False: signal.emit(plan_id))
        elif text == "打开":
            button.clicked.connect(self._on_open_clicked)
        else:
            button.clicked.connect(self.record_requested)
        layout.addWidget(button)
        self.buttons[text] = button

    @Slot()
    def _on_open_clicked(self) -> None:
        if self.meeting_id is not None:
            self.open_requested.emit(self.meeting_id)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if event.button() is Qt.MouseButton.LeftButton and self.meeting_id is not None:
            self.open_requested.emit(self.meeting_id)
        super().mouseReleaseEvent(event)


class _Card(QFrame):
    """A white card with a title, an optional subtitle on the right, and a body."""

    def __init__(self, title: str) -> None:
        super().__init__()
        self.setObjectName("card")
        self.outer = QVBoxLayout(self)
        self.outer.setContentsMargins(18, 14, 18, 16)
        self.outer.setSpacing(10)
        head = QHBoxLayout()
        self.title = QLabel(title)
        self.title.setObjectName("cardTitle")
        self.subtitle = QLabel()
        self.subtitle.setObjectName("cardSubtitle")
        head.addWidget(self.title)
        head.addStretch(1)
        head.addWidget(self.subtitle)
        self.head = head
        self.outer.addLayout(head)
        self.body = QVBoxLayout()
        self.body.setSpacing(4)
        self.outer.addLayout(self.body)

    def clear(self) -> None:
        while self.body.count():
            item = self.body.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.hide()
                widget.deleteLater()


def _empty(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("emptyNote")
    label.setWordWrap(True)
    return label


def _people_table(rows: list[tuple[str, ...]], color: str = "") -> str:
    style = f" style='color:{color}'" if color else ""
    cells = "".join(
        "<tr>"
        + "".join(f"<td style='padding: 2px 14px 2px 0'{style}>{text}</td>" for text in row)
        + "</tr>"
        for row in rows
    )
    return f"<table cellspacing='0'>{cells}</table>"


def _more(count: int) -> str:
    return f"<div style='color:{MUTED}'>另有 {count} 人</div>" if count > 0 else ""


class HomePage(QWidget):
    """Signals:
    navigate_requested(str): the user asked for another page by its title.
    month_report_requested(str): 导出本月报表 — the month's code (``2025-11``) for the 报表
        page to select; ``navigate_requested("报表")`` is emitted just before it.
    """

    navigate_requested = Signal(str)
    month_report_requested = Signal(str)

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        *,
        today: Callable[[], dt.date] | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self._today = today or dt.date.today
        self.setObjectName("HomePage")
        self.setStyleSheet(theme.HOME_PAGE)
        self.overview: HomeOverview | None = None
        self.last_refresh_ms = 0.0
        self._stale = True
        self._calendar_loaded: set[tuple[int, int]] = set()
        self._calendar_days = CalendarDays()
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self._on_refresh_timer_timeout)

        scroll = QScrollArea()
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidgetResizable(True)
        content = QWidget()
        content.setObjectName("homeContent")
        scroll.setWidget(content)
        self.scroll = scroll
        page = QVBoxLayout(self)
        page.setContentsMargins(0, 0, 0, 0)
        page.addWidget(scroll)

        outer = QVBoxLayout(content)
        outer.setContentsMargins(24, 18, 24, 20)
        outer.setSpacing(14)
        outer.addLayout(self._build_header())
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(14)
        self.month_card = _Card("本月")
        self.quarter_card = _Card("本季度")
        self.year_card = _Card("本年")
        self.people_card = self._build_people()
        self.chart_card = _Card("近十二个月")
        self.year_chart = YearChart()
        self.chart_card.body.addWidget(self.year_chart)
        self.calendar_card = self._build_calendar()
        self.side = QWidget()
        side = QVBoxLayout(self.side)
        side.setContentsMargins(0, 0, 0, 0)
        side.setSpacing(14)
        side.addWidget(self.quarter_card)
        side.addWidget(self.year_card)
        side.addStretch(1)
        self.grid = grid
        self.columns = 0
        self._arrange(3)
        outer.addLayout(grid)
        outer.addStretch(1)

        context.events.changes_applied.connect(self._on_events_changes_applied)
        self.refresh()

    # -- building ----------------------------------------------------------------------------------

    def _arrange(self, columns: int) -> None:
        """Lay the cards out in three columns, or two or one on a narrow (or enlarged) screen."""
        if columns == self.columns:
            return
        self.columns = columns
        grid = self.grid
        cards = (self.month_card, self.side, self.people_card, self.chart_card,
                 self.calendar_card)  # fmt: skip
        for card in cards:
            grid.removeWidget(card)
        top = Qt.AlignmentFlag.AlignTop
        if columns == 3:
            places = [(0, 0, 1, 1), (0, 1, 1, 1), (0, 2, 1, 1), (1, 0, 1, 2), (1, 2, 1, 1)]
        elif columns == 2:
            places = [(0, 0, 1, 1), (0, 1, 1, 1), (1, 0, 1, 1), (2, 0, 1, 2), (1, 1, 1, 1)]
        else:
            places = [(0, 0, 1, 1), (1, 0, 1, 1), (2, 0, 1, 1), (4, 0, 1, 1), (3, 0, 1, 1)]
        for card, (row, column, rows, spans) in zip(cards, places, strict=True):
            align = top if card in (self.month_card, self.people_card) else Qt.AlignmentFlag(0)
            grid.addWidget(card, row, column, rows, spans, align)
        for column in range(3):
            grid.setColumnStretch(column, 1 if column < columns else 0)

    def _columns_for(self, width: int) -> int:
        """How many columns of cards fit ``width`` at their natural widths."""
        spacing = self.grid.horizontalSpacing()
        widths = [w.sizeHint().width() for w in (self.month_card, self.side, self.people_card)]
        margins = 48 + self.scroll.verticalScrollBar().sizeHint().width()
        if sum(widths) + 2 * spacing + margins <= width:
            return 3
        if widths[0] + widths[1] + spacing + margins <= width:
            return 2
        return 1

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        self._arrange(self._columns_for(event.size().width()))
        super().resizeEvent(event)

    def _build_header(self) -> QVBoxLayout:
        header = QVBoxLayout()
        header.setSpacing(6)
        top = FlowLayout(spacing=10)  # the buttons go under the title on a narrow screen
        title = QLabel("工作台")
        title.setObjectName("pageTitle")
        self.today_label = QLabel()
        self.today_label.setObjectName("todayLabel")
        title_row = QWidget()
        title_line = QHBoxLayout(title_row)
        title_line.setContentsMargins(0, 0, 0, 0)
        title_line.setSpacing(16)
        title_line.addWidget(title)
        title_line.addWidget(self.today_label, 0, Qt.AlignmentFlag.AlignBottom)
        top.addWidget(title_row)
        top.add_break()
        self.record_button = self._quick("记录会议", "登记一次已经召开的会议", primary=True)
        self.record_button.clicked.connect(self._on_record_button_clicked)
        self.plan_button = self._quick("计划会议", "安排一次还没有召开的会议")
        self.plan_button.clicked.connect(self._on_plan_button_clicked)
        self.signin_button = self._quick("打印签到表", "为下一次会议打印签到表")
        self.signin_button.clicked.connect(self._on_signin_button_clicked)
        self.report_button = self._quick("导出本月报表", "在“报表”页导出本月的月报")
        self.report_button.clicked.connect(self._on_report_button_clicked)
        for button in (
            self.record_button,
            self.plan_button,
            self.signin_button,
            self.report_button,
        ):
            top.addWidget(button)
        if self.context.read_only:
            for button in (self.record_button, self.plan_button):
                button.setEnabled(False)
                button.setToolTip("数据以只读方式打开，不能登记")
        header.addLayout(top)
        facts = QHBoxLayout()
        facts.setSpacing(0)
        self.branch_label = QLabel()
        self.branch_label.setObjectName("branchLabel")
        members_word = QLabel("　在册党员 ")
        members_word.setObjectName("countsLabel")
        self.counts_label = QLabel()
        self.counts_label.setObjectName("countsLabel")
        self.counts_detail = QLabel()
        self.counts_detail.setObjectName("countsDetail")
        for label in (self.branch_label, members_word, self.counts_label, self.counts_detail):
            facts.addWidget(label)
        facts.addStretch(1)
        header.addLayout(facts)
        self.summary_label = QLabel()
        self.summary_label.setObjectName("summaryLabel")
        self.summary_label.setTextFormat(Qt.TextFormat.RichText)
        header.addSpacing(4)
        header.addWidget(self.summary_label)
        self.expired_box = QWidget()  # plans whose day has passed: record or cancel each
        self.expired_box.setObjectName("expiredPlans")
        self.expired_rows = QVBoxLayout(self.expired_box)
        self.expired_rows.setContentsMargins(0, 2, 0, 0)
        self.expired_rows.setSpacing(4)
        self.expired_box.hide()
        header.addWidget(self.expired_box)
        return header

    def _fill_expired(self, overview: HomeOverview) -> None:
        """One line per plan whose day has passed: 计划已过期，记录或取消, with both buttons."""
        while self.expired_rows.count():
            widget = self.expired_rows.takeAt(0).widget()
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self.expired_buttons: dict[int, tuple[QPushButton, QPushButton]] = {}
        on_lines = {line.planned[0][1] for line in overview.lines if line.plan_expired}
        expired = [plan for plan in overview.expired if plan.id not in on_lines]
        for plan in expired[:MAX_EXPIRED]:
            row = QFrame()
            row.setObjectName("expiredPlan")
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            line.setSpacing(8)
            title = f"“{plan.title}”" if plan.title else ""
            label = QLabel(f"{day_text(plan.day)} {plan.kind_label}{title}：计划已过期，记录或取消")
            label.setStyleSheet(theme.color(AMBER))
            label.setWordWrap(True)
            record = QPushButton("记录")
            record.setToolTip("会议已经开过：按计划填写并登记为已召开")
            record.clicked.connect(lambda _c=False, i=plan.id: self.record_plan(i))
            cancel = QPushButton("取消计划")
            cancel.setToolTip("会议没有开：删除这个计划")
            cancel.clicked.connect(lambda _c=False, i=plan.id: self.cancel_plan(i))
            for button in (record, cancel):
                button.setObjectName("lineAction")
                button.setCursor(Qt.CursorShape.PointingHandCursor)
                button.setEnabled(not self.context.read_only)
            line.addWidget(label, 1)
            line.addWidget(record)
            line.addWidget(cancel)
            self.expired_rows.addWidget(row)
            self.expired_buttons[plan.id] = (record, cancel)
        more = len(expired) - MAX_EXPIRED
        if more > 0:
            self.expired_rows.addWidget(_empty(f"另有 {more} 个过期的计划，见“会议”页。"))
        self.expired_box.setVisible(bool(expired))

    def _quick(self, text: str, tip: str, *, primary: bool = False) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName("primaryAction" if primary else "quickAction")
        button.setToolTip(tip)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        return button

    def _build_people(self) -> _Card:
        card = _Card("党员提醒")
        roster = QPushButton("花名册 ›")
        roster.setObjectName("linkButton")
        roster.setCursor(Qt.CursorShape.PointingHandCursor)
        roster.clicked.connect(self._on_roster_button_clicked)
        card.head.addWidget(roster)
        self.birthday_title = self._section(card, "")
        self.birthday_label = self._section_body(card)
        self.probation_title = self._section(card, "预备党员转正")
        self.probation_label = self._section_body(card)
        self.life_title = self._section(card, "三个月以上未参加组织生活")
        self.life_title.setToolTip(
            "党章第九条：连续六个月不参加党的组织生活，又没有正当理由的，视为自行脱党。"
            "补学计为参加；已登记长期请假的党员不列入。"
        )
        self.life_label = self._section_body(card)
        self.absence_title = self._section(card, "缺席未补学（今年 3 次及以上）")
        self.absence_label = self._section_body(card)
        self.dues_title = self._section(card, "欠缴党费")
        self.dues_title.setToolTip(
            "党章第九条：连续六个月不交纳党费，又没有正当理由的，视为自行脱党。"
            "连续四个月未交起提醒；只计已过去的月份。"
        )
        self.dues_label = self._section_body(card)
        card.outer.addStretch(1)
        return card

    @staticmethod
    def _section(card: _Card, text: str) -> QLabel:
        label = QLabel(text)
        label.setObjectName("sectionTitle")
        card.outer.addWidget(label)
        return label

    @staticmethod
    def _section_body(card: _Card) -> QLabel:
        label = QLabel()
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(True)
        label.setContentsMargins(0, 0, 0, 6)
        card.outer.addWidget(label)
        return label

    def _build_calendar(self) -> _Card:
        card = _Card("日程")
        self.calendar = QCalendarWidget()
        self.calendar.setObjectName("homeCalendar")
        self.calendar.setGridVisible(False)
        self.calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.calendar.setHorizontalHeaderFormat(
            QCalendarWidget.HorizontalHeaderFormat.ShortDayNames
        )
        self.calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.calendar.setMinimumHeight(230)
        self.calendar.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        weekend = QTextCharFormat()
        weekend.setForeground(QColor(theme.TEXT_DARK))
        for day in (Qt.DayOfWeek.Saturday, Qt.DayOfWeek.Sunday):
            self.calendar.setWeekdayTextFormat(day, weekend)
        self.calendar.currentPageChanged.connect(self._on_calendar_current_page_changed)
        self.calendar.selectionChanged.connect(self._on_calendar_selection_changed)
        self.calendar.activated.connect(self._on_calendar_activated)
        card.body.addWidget(self.calendar, 1)
        legend = QLabel(
            f"<span style='color:{RED}'>■</span> 已开会议　"
            f"<span style='color:{BLUE}'>■</span> 计划会议　"
            f"<span style='color:{GREEN}'>■</span> 党员活动"
        )
        legend.setStyleSheet(theme.SMALL_MUTED_TEXT)
        card.body.addWidget(legend)
        self.day_label = QLabel()
        self.day_label.setWordWrap(True)
        self.day_label.setTextFormat(Qt.TextFormat.PlainText)
        self.day_label.setMinimumHeight(22)
        card.body.addWidget(self.day_label)
        return card

    # -- refreshing --------------------------------------------------------------------------------

    @Slot(object)
    def _on_events_changes_applied(self, changes: Changes) -> None:
        if not (changes.record_types - {"history", "attachments"}):
            return  # the 工作台 shows neither the 修改记录 nor attachment files
        self._stale = True
        if self.isVisible():
            self._refresh_timer.start()  # a burst of changes refreshes once

    @Slot()
    def _on_refresh_timer_timeout(self) -> None:
        if self._stale:
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if self._stale or (self.overview and self.overview.today != self._today()):
            self._refresh_timer.start()

    def remind_late(self, *, settings: QSettings | None = None) -> bool:
        """The once-a-day reminder of missed meetings, from the lines on show."""
        today = self._today()
        overview = self.overview
        lines = overview.lines if overview is not None and overview.today == today else None
        return maybe_remind_late(self.window(), self.context, today, settings=settings, lines=lines)

    def refresh(self) -> None:
        """Read everything again and show it."""
        started = time.perf_counter()
        today = self._today()
        overview = HomeQueries(self.context.db).overview(today)
        self.overview = overview
        self._stale = False
        self._fill_header(overview)
        self._fill_expired(overview)
        self._fill_duties(overview)
        self._fill_people(overview)
        self.year_chart.set_months(overview.months)
        months = overview.months
        if months:
            first, last = months[0].period, months[-1].period
            self.chart_card.subtitle.setText(
                f"{first.year}年{first.number}月至{last.year}年{last.number}月"
            )
        self._fill_calendar(overview)
        self.last_refresh_ms = (time.perf_counter() - started) * 1000
        log.debug("home page refreshed in %.0f ms", self.last_refresh_ms)

    def _fill_header(self, overview: HomeOverview) -> None:
        today = overview.today
        self.today_label.setText(day_text(today, "yyyy年M月d日 dddd"))
        branch = self.context.branch.get()
        self.branch_label.setText(branch.name if branch else "未命名支部")
        counts = self.context.members.counts()
        self.counts_label.setText(f"{counts.total} 名")
        self.counts_detail.setText(
            f"（正式党员 {counts.full} 名，预备党员 {counts.probationary} 名）"
        )
        self.summary_label.setText(summary_html(overview))
        upcoming = overview.upcoming
        if upcoming is not None:
            self.signin_button.setToolTip(
                f"为{day_text(upcoming.day)}的{upcoming.kind_label}打印签到表"
            )
        else:
            self.signin_button.setToolTip("没有计划中的会议：打印空白签到表")
        month = Period.containing(Unit.MONTH, today)
        self.report_button.setToolTip(f"在“报表”页导出{month.label}的月报")

    def _fill_duties(self, overview: HomeOverview) -> None:
        today = overview.today
        subtitles = {
            Unit.MONTH: Period.containing(Unit.MONTH, today).label,
            Unit.QUARTER: Period.containing(Unit.QUARTER, today).label,
            Unit.YEAR: Period.containing(Unit.YEAR, today).label,
        }
        self.rows: list[DutyRow] = []
        for unit, card in (
            (Unit.MONTH, self.month_card),
            (Unit.QUARTER, self.quarter_card),
            (Unit.YEAR, self.year_card),
        ):
            card.clear()
            card.subtitle.setText(subtitles[unit])
            lines = overview.lines_of(unit)
            if not lines:
                card.body.addWidget(_empty(f"{_THIS[unit]}没有必须召开的会议。"))
            for line in lines:
                row = DutyRow(line, editable=not self.context.read_only)
                row.open_requested.connect(self._on_duty_row_open_requested)
                row.plan_requested.connect(lambda line=line: self.plan_missing(line))
                row.record_requested.connect(lambda line=line: self.record_missing(line))
                row.record_plan_requested.connect(self.record_plan)
                row.cancel_plan_requested.connect(self.cancel_plan)
                card.body.addWidget(row)
                self.rows.append(row)

    def _fill_people(self, overview: HomeOverview) -> None:
        today = overview.today
        self.birthday_title.setText(f"政治生日 · {today.month}月")
        birthdays = overview.birthdays
        if birthdays:
            rows = [
                (b.name, day_text(b.day) if b.day else f"{today.month}月", f"入党 {b.years} 周年")
                for b in birthdays[:MAX_NAMES]
            ]
            self.birthday_label.setText(_people_table(rows) + _more(len(birthdays) - MAX_NAMES))
        else:
            self.birthday_label.setText(
                f"<span style='color:{MUTED}'>本月没有党员过政治生日。</span>"
            )
        probations = overview.probations
        if probations:
            rows_html = ""
            for p in probations[:MAX_NAMES]:
                ends = f"{p.ends.year}年{p.ends.month}月" if p.month_only else day_text(p.ends)
                # 延长预备期 moves the day; it is said, so nobody counts a year from 入党.
                extended = f"（已延长 {p.extended_months} 个月）" if p.extended_months else ""
                full_term = f"期满{extended}" if extended else "满一年"
                if p.overdue:
                    text = (
                        f"<b>{p.name}</b>　预备期已于 {ends} {full_term}，尚未登记转正"
                        f"（已过 {-p.days_left} 天）"
                    )
                    color = RED
                elif p.days_left == 0:
                    text, color = f"<b>{p.name}</b>　今天预备期{full_term}", AMBER
                else:
                    text = (
                        f"<b>{p.name}</b>　{ends} 预备期满{extended}，还有 {p.days_left} 天"
                    )
                    color = AMBER if p.days_left <= 30 else theme.TEXT_DARK
                rows_html += f"<div style='color:{color}; margin-bottom: 3px'>{text}</div>"
            self.probation_label.setText(rows_html + _more(len(probations) - MAX_NAMES))
        else:
            self.probation_label.setText(
                f"<span style='color:{MUTED}'>近 60 天没有预备党员到期。</span>"
            )
        gaps = overview.life_gaps
        if gaps:
            rows_html = ""
            for gap in gaps[:MAX_NAMES]:
                flowing = "（流动党员）" if gap.flowing else ""
                color = RED if gap.overdue else AMBER
                rows_html += (
                    f"<div style='color:{color}; margin-bottom: 3px'>"
                    f"<b>{html.escape(gap.name)}</b>{flowing}　{gap.describe()}</div>"
                )
            self.life_label.setText(rows_html + _more(len(gaps) - MAX_NAMES))
        else:
            self.life_label.setText(f"<span style='color:{MUTED}'>没有。</span>")
        absences = overview.absences
        if absences:
            rows = [(a.name, f"缺席 {a.absences} 次未补学") for a in absences[:MAX_NAMES]]
            self.absence_label.setText(
                _people_table(rows, AMBER) + _more(len(absences) - MAX_NAMES)
            )
        else:
            self.absence_label.setText(f"<span style='color:{MUTED}'>没有。</span>")
        owing = overview.dues_arrears
        if owing:
            rows_html = ""
            for name, owed in owing[:MAX_NAMES]:
                color = RED if owed.overdue else AMBER if owed.warned else theme.TEXT_DARK
                rows_html += (
                    f"<div style='color:{color}; margin-bottom: 3px'>"
                    f"<b>{html.escape(name)}</b>　{html.escape(owed.describe())}</div>"
                )
            self.dues_label.setText(rows_html + _more(len(owing) - MAX_NAMES))
        else:
            self.dues_label.setText(f"<span style='color:{MUTED}'>没有。</span>")

    def _fill_calendar(self, overview: HomeOverview) -> None:
        self._calendar_days = CalendarDays(dict(overview.calendar.entries))
        start, end = overview.calendar_range
        # Months read whole; the one before is read when the user pages back to it.
        self._calendar_loaded = set()
        month = Period.containing(Unit.MONTH, start)
        if month.start < start:
            month = month.next()
        while month.end <= end:
            self._calendar_loaded.add((month.year, month.number))
            month = month.next()
        today = QDate(overview.today.year, overview.today.month, overview.today.day)
        self.calendar.blockSignals(True)
        self.calendar.setSelectedDate(today)
        self.calendar.blockSignals(False)
        self._paint_calendar()
        self._show_day(overview.today)

    def _paint_calendar(self) -> None:
        self.calendar.setDateTextFormat(QDate(), QTextCharFormat())  # clears every mark
        today = self.overview.today if self.overview else self._today()
        for day, entries in self._calendar_days.entries.items():
            kinds = {e.kind for e in entries}
            fmt = QTextCharFormat()
            if EntryKind.HELD in kinds:
                fmt.setBackground(QColor(theme.CALENDAR_LATE))
                fmt.setForeground(QColor(theme.DEEP_RED))
            elif EntryKind.PLANNED in kinds:
                fmt.setBackground(QColor(theme.CALENDAR_PLANNED))
                fmt.setForeground(QColor(BLUE))
            else:
                fmt.setBackground(QColor(theme.CALENDAR_HELD))
                fmt.setForeground(QColor(GREEN))
            fmt.setFontWeight(700)
            if EntryKind.ACTIVITY in kinds and len(kinds) > 1:
                fmt.setFontUnderline(True)
            self.calendar.setDateTextFormat(QDate(day.year, day.month, day.day), fmt)
        mark_today = self.calendar.dateTextFormat(QDate(today.year, today.month, today.day))
        mark_today.setFontWeight(700)
        mark_today.setFontUnderline(True)
        self.calendar.setDateTextFormat(QDate(today.year, today.month, today.day), mark_today)

    @Slot(int, int)
    def _on_calendar_current_page_changed(self, year: int, month: int) -> None:
        if (year, month) in self._calendar_loaded:
            return
        start = dt.date(year, month, 1) - dt.timedelta(days=7)
        end = Period(Unit.MONTH, year, month).end + dt.timedelta(days=14)
        extra = HomeQueries(self.context.db).calendar(start, end)
        for day, entries in extra.entries.items():
            self._calendar_days.entries[day] = entries
        self._calendar_loaded.add((year, month))
        self._paint_calendar()

    @Slot()
    def _on_calendar_selection_changed(self) -> None:
        selected = self.calendar.selectedDate()
        self._show_day(dt.date(selected.year(), selected.month(), selected.day()))

    def _show_day(self, day: dt.date) -> None:
        entries = self._calendar_days.entries.get(day, [])
        if not entries:
            self.day_label.setText(f"{day_text(day)}：没有会议和活动")
            self.day_label.setStyleSheet(theme.color(MUTED))
            return
        words = {EntryKind.HELD: "", EntryKind.PLANNED: "（计划）", EntryKind.ACTIVITY: ""}
        lines = [f"{e.text}{words[e.kind]}" for e in entries[:3]]
        if len(entries) > 3:
            lines.append(f"另有 {len(entries) - 3} 项")
        self.day_label.setText(f"{day_text(day)}：" + "\n".join(lines))
        self.day_label.setStyleSheet(theme.color(theme.TEXT_DARK))

    @Slot(QDate)
    def _on_calendar_activated(self, date: QDate) -> None:
        day = dt.date(date.year(), date.month(), date.day())
        for entry in self._calendar_days.entries.get(day, []):
            if entry.kind is not EntryKind.ACTIVITY:
                self.open_meeting(entry.record_id)
                return

    # -- acting ----------------------------------------------------------------------------------------

    def _template(self, line: DutyLine, day: dt.date, status: MeetingStatus) -> Meeting:
        """A new meeting of the line's kind and group, with place and people as last time."""
        meeting = Meeting(
            kinds=[line.kind],
            day=day,
            status=status,
            group_id=line.group_id,
            group_name=line.group_name,
        )
        if line.usual_meeting_id is not None:
            try:
                last = MeetingRepo(self.context.db).get(line.usual_meeting_id)
            except NotFound:
                return meeting
            meeting.place, meeting.start, meeting.end = last.place, last.start, last.end
            meeting.host, meeting.recorder = last.host, last.recorder
        return meeting

    def plan_missing(self, line: DutyLine) -> None:
        """计划: open a new planned meeting of the line's kind and group on the suggested day."""
        from branchdesk.ui.editors.meeting_editor import MeetingEditor

        meeting = self._template(line, line.suggested_day, MeetingStatus.PLANNED)
        MeetingEditor.ask(self, self.context, meeting, planned=True)

    def record_missing(self, line: DutyLine) -> None:
        """记录 / 补记: enter a meeting that was held (in the missed period when late)."""
        from branchdesk.ui.editors.meeting_editor import MeetingEditor

        day = line.makeup_day if line.makeup_day else min(self._today(), line.period.end)
        meeting = self._template(line, day, MeetingStatus.HELD)
        MeetingEditor.ask(self, self.context, meeting)

    @Slot(int)
    def record_plan(self, plan_id: int) -> None:
        """记录: the plan was held; it becomes the meeting's record."""
        from branchdesk.ui.editors.meeting_editor import MeetingEditor

        try:
            MeetingEditor.ask(self, self.context, plan_id=plan_id)
        except NotFound:
            self.refresh()

    @Slot(int)
    def cancel_plan(self, plan_id: int) -> None:
        """取消计划: the meeting was not held; the plan is deleted."""
        try:
            plan = MeetingRepo(self.context.db).get(plan_id)
        except NotFound:
            self.refresh()
            return
        title = f"“{plan.title}”" if plan.title else ""
        if not msgbox.confirm(
            self,
            "取消计划",
            f"要取消{day_text(plan.day)}的{plan.kind_label}{title}吗？\n"
            "会议没有召开时取消：计划将被删除。",
            yes="取消计划",
        ):
            return
        run_op(self, self.context, lambda s: delete_meeting(s, plan_id), failed_title="没有取消")

    def open_meeting(self, meeting_id: int) -> None:
        from branchdesk.ui.editors.meeting_editor import MeetingEditor

        try:
            meeting = MeetingRepo(self.context.db).get(meeting_id)
        except NotFound:
            self.refresh()
            return
        MeetingEditor.ask(self, self.context, meeting)

    @Slot(int)
    def _on_duty_row_open_requested(self, meeting_id: int) -> None:
        self.open_meeting(meeting_id)

    @Slot()
    def _on_record_button_clicked(self) -> None:
        from branchdesk.ui.editors.meeting_editor import MeetingEditor

        MeetingEditor.ask(self, self.context)

    @Slot()
    def _on_plan_button_clicked(self) -> None:
        from branchdesk.ui.editors.meeting_editor import MeetingEditor

        MeetingEditor.ask(self, self.context, planned=True)

    @Slot()
    def _on_signin_button_clicked(self) -> None:
        """The sheet of the next planned meeting; with none planned, a blank sheet."""
        from branchdesk.ui import print_actions

        upcoming = self.overview.upcoming if self.overview else None
        if upcoming is not None:
            print_actions.preview_signin(self, self.context, upcoming.id)
        else:
            print_actions.BlankSigninDialog.ask(self, self.context)

    @Slot()
    def _on_report_button_clicked(self) -> None:
        self.navigate_requested.emit("报表")
        self.month_report_requested.emit(Period.containing(Unit.MONTH, self._today()).code)

    @Slot()
    def _on_roster_button_clicked(self) -> None:
        self.navigate_requested.emit("党员")


def summary_html(overview: HomeOverview) -> str:
    """The one sentence at the top: how many required meetings are late, open and done."""
    lines = overview.lines
    if not lines:
        return f"<span style='color:{MUTED}'>尚未设置必开会议的要求。</span>"
    late = sum(line.state is DutyState.LATE for line in lines)
    expired = sum(line.state is DutyState.DUE and line.plan_expired for line in lines)
    planned = sum(
        line.state is DutyState.DUE and bool(line.planned) and not line.plan_expired
        for line in lines
    )
    due = sum(line.state is DutyState.DUE and not line.planned for line in lines)
    done = sum(line.state is DutyState.DONE for line in lines)
    if not late and not due and not planned and not expired:
        return f"<b style='color:{GREEN}'>✔ 本期必开会议都已完成</b>"
    parts = []
    if late:
        parts.append(f"<b style='color:{RED}'>✖ {late} 项上期未完成</b>")
    if due:
        parts.append(f"<b style='color:{AMBER}'>○ {due} 项待安排</b>")
    if expired:
        parts.append(f"<b style='color:{AMBER}'>○ {expired} 项计划已过期</b>")
    if planned:
        parts.append(f"<span style='color:{BLUE}'>○ {planned} 项已计划</span>")
    parts.append(f"<span style='color:{GREEN}'>✔ {done} 项已完成</span>")
    return "必开会议：" + "　".join(parts)


def maybe_remind_late(
    parent: QWidget | None,
    context: AppContext,
    today: dt.date | None = None,
    *,
    settings: QSettings | None = None,
    lines: list[DutyLine] | None = None,
) -> bool:
    """Once a day at start-up, say gently which required meetings of the last period are
    missing; True if the reminder was shown. Off when ``home/remind_late`` is false.
    ``lines`` are today's duty lines when already read (工作台 has them on show)."""
    settings = settings if settings is not None else QSettings()
    if not settings.value(REMINDER_SETTING, True, type=bool):
        return False
    today = today or dt.date.today()
    if settings.value(LAST_REMINDER_SETTING, "", type=str) == today.isoformat():
        return False
    if lines is None:
        lines = HomeQueries(context.db).duties(today)
    late = [line for line in lines if line.state is DutyState.LATE]
    if not late:
        return False
    settings.setValue(LAST_REMINDER_SETTING, today.isoformat())
    items = "\n".join(f"· {late_text(line)}" for line in late)
    msgbox.information(
        parent,
        "温馨提示",
        "以下必开会议上一期没有召开（或还没有登记）：\n\n"
        f"{items}\n\n"
        "如果会议已经开过，请在“工作台”点“补记”登记；还没有开的，可以点“计划”安排时间。\n\n"
        "此提醒每天最多一次，可在“设置”中关闭。",
    )
    return True
