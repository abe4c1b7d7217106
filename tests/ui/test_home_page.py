"""The 工作台 on the demo branch: lines, people, one-click planning, refresh and the reminder."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from demo_cache import write_demo_branch
from PySide6.QtCore import QSettings, Qt

from branchdesk.demo.meetings import write_demo_meetings
from branchdesk.domain.dates import PartialDate
from branchdesk.domain.home import DutyState
from branchdesk.domain.meetings import Meeting, MeetingKind, MeetingStatus
from branchdesk.domain.members import Category
from branchdesk.ops import Changes
from branchdesk.store.db import DB_FILENAME, open_database
from branchdesk.store.home_queries import HomeQueries
from branchdesk.store.meetings import MeetingRepo
from branchdesk.ui import msgbox, print_actions
from branchdesk.ui.context import AppContext
from branchdesk.ui.editors.meeting_editor import MeetingEditor
from branchdesk.ui.ops import announce
from branchdesk.ui.pages.home_page import (
    LAST_REMINDER_SETTING,
    REMINDER_SETTING,
    HomePage,
    maybe_remind_late,
)
from screenshots import screenshot_file

DEMO_TODAY = dt.date(2025, 11, 14)
SCREENSHOT = screenshot_file("home_page.png")


@pytest.fixture
def context(data_dir):
    write_demo_branch(data_dir, members=36, seed=1, today=DEMO_TODAY)
    db = open_database(data_dir / DB_FILENAME)
    yield AppContext(db=db, data_dir=data_dir)
    db.close()


@pytest.fixture
def editor_calls(monkeypatch):
    calls = []

    def fake_ask(parent, context, meeting=None, *, planned=False):
        calls.append((meeting, planned))
        return None

    monkeypatch.setattr(MeetingEditor, "ask", staticmethod(fake_ask))
    return calls


def _page(qtbot, context, today=DEMO_TODAY) -> HomePage:
    day = [today]
    page = HomePage(context, today=lambda: day[0])
    page.set_day = lambda new: day.__setitem__(0, new)  # type: ignore[attr-defined]
    qtbot.addWidget(page)
    page.resize(1048, 760)
    page.show()
    return page


def _row(page, label):
    found = [row for row in page.rows if row.name.text() == label]
    assert len(found) == 1, [row.name.text() for row in page.rows]
    return found[0]


def test_lines_for_the_demo_today(qtbot, context):
    page = _page(qtbot, context)
    committee = _row(page, "支委会")
    assert committee.mark.text() == "✔" and committee.detail.text().endswith("已召开")
    assert committee.detail.text().startswith("11月")
    group = _row(page, "第二党小组会")
    assert group.detail.text().startswith("已计划 11月")
    assert list(group.buttons) == ["打开"]
    general = _row(page, "党员大会")
    assert general.mark.text() == "○" and general.detail.text() == "本季度还剩 47 天"
    assert list(general.buttons) == ["记录", "计划"]
    assert _row(page, "组织生活会").detail.text() == "今年还剩 47 天"
    assert _row(page, "民主评议党员").detail.text() == "1月20日已召开"
    assert page.month_card.subtitle.text() == "2025年11月"
    assert page.quarter_card.subtitle.text() == "2025年第四季度"
    summary = page.summary_label.text()
    assert "上期未完成" not in summary and "4 项已完成" in summary
    assert page.today_label.text().startswith("2025年11月14日")


@pytest.mark.parametrize(
    ("today", "label", "detail"),
    [
        (dt.date(2024, 9, 2), "支委会", "上月未开，本月还剩 28 天"),
        (dt.date(2025, 1, 2), "第三党小组会", "上月未开，本月还剩 29 天"),
        (dt.date(2025, 8, 1), "党员大会", "上季度未开，本季度还剩 60 天"),
    ],
)
def test_the_gaps_of_the_demo_show_as_late(qtbot, context, today, label, detail):
    page = _page(qtbot, context, today)
    row = _row(page, label)
    assert row.mark.text() == "✖" and row.line.state is DutyState.LATE
    assert row.detail.text() == detail
    assert list(row.buttons) == ["补记", "计划"]
    late = [r.name.text() for r in page.rows if r.line.state is DutyState.LATE]
    assert late == [label]
    assert "✖ 1 项上期未完成" in page.summary_label.text()


def test_plan_on_a_late_line_opens_a_planned_meeting_of_that_kind(qtbot, context, editor_calls):
    page = _page(qtbot, context, dt.date(2024, 9, 2))
    row = _row(page, "支委会")
    qtbot.mouseClick(row.buttons["计划"], Qt.MouseButton.LeftButton)
    (meeting, planned), *_ = editor_calls
    assert planned and meeting.id is None and meeting.status is MeetingStatus.PLANNED
    assert meeting.kinds == [MeetingKind.COMMITTEE] and meeting.group_id is None
    assert meeting.day == row.line.suggested_day and meeting.day.month == 9
    last = MeetingRepo(context.db).get(row.line.usual_meeting_id)
    assert meeting.place == last.place and meeting.host == last.host
    assert meeting.day.day == last.day.day  # the usual day of the month


def test_plan_on_a_group_line_names_the_group(qtbot, context, editor_calls):
    page = _page(qtbot, context, dt.date(2025, 1, 2))
    row = _row(page, "第三党小组会")
    qtbot.mouseClick(row.buttons["计划"], Qt.MouseButton.LeftButton)
    meeting, planned = editor_calls[0]
    group = next(g for g in context.groups.list() if g.name == "第三党小组")
    assert planned and meeting.kinds == [MeetingKind.GROUP]
    assert (meeting.group_id, meeting.group_name) == (group.id, "第三党小组")
    assert meeting.day == row.line.suggested_day and meeting.day >= dt.date(2025, 1, 2)


def test_makeup_records_a_held_meeting_inside_the_missed_period(qtbot, context, editor_calls):
    page = _page(qtbot, context, dt.date(2025, 8, 1))
    qtbot.mouseClick(_row(page, "党员大会").buttons["补记"], Qt.MouseButton.LeftButton)
    meeting, planned = editor_calls[0]
    assert not planned and meeting.status is MeetingStatus.HELD and meeting.id is None
    assert meeting.kinds == [MeetingKind.GENERAL]
    assert dt.date(2025, 4, 1) <= meeting.day <= dt.date(2025, 6, 30)


def test_clicking_a_done_line_opens_the_meeting(qtbot, context, editor_calls):
    page = _page(qtbot, context)
    row = _row(page, "支委会")
    qtbot.mouseClick(row, Qt.MouseButton.LeftButton)
    meeting, planned = editor_calls[0]
    assert meeting.id == row.line.last_meeting_id and not planned
    assert MeetingKind.COMMITTEE in meeting.kinds and meeting.day.month == 11


def test_open_on_a_planned_line_opens_the_planned_meeting(qtbot, context, editor_calls):
    page = _page(qtbot, context)
    row = _row(page, "第一党小组会")
    qtbot.mouseClick(row.buttons["打开"], Qt.MouseButton.LeftButton)
    meeting, _planned = editor_calls[0]
    assert meeting.id == row.line.planned[0][1] and meeting.status is MeetingStatus.PLANNED


def test_people(qtbot, context):
    repo = context.members
    members = repo.list(include_left=False)
    veteran, newcomer, overdue = members[10], members[11], members[12]
    veteran.join_date = PartialDate(1985, 11, 20)
    repo.update(veteran)
    newcomer.category, newcomer.full_date = Category.PROBATIONARY, None
    newcomer.join_date = PartialDate(2024, 12, 30)
    repo.update(newcomer)
    overdue.category, overdue.full_date = Category.PROBATIONARY, None
    overdue.join_date = PartialDate(2024, 10, 1)
    repo.update(overdue)
    page = _page(qtbot, context)
    birthdays = page.birthday_label.text()
    assert veteran.name in birthdays and "入党 40 周年" in birthdays and "11月20日" in birthdays
    assert page.birthday_title.text() == "政治生日 · 11月"
    probation = page.probation_label.text()
    assert f"{newcomer.name}</b>　12月30日 预备期满，还有 46 天" in probation
    assert f"{overdue.name}</b>　预备期已于 10月1日 满一年，尚未登记转正（已过 44 天）" in probation


def test_refreshes_once_after_a_burst_of_changes(qtbot, context, monkeypatch):
    page = _page(qtbot, context, dt.date(2024, 9, 2))
    assert _row(page, "支委会").line.state is DutyState.LATE
    refreshes = []
    original = page.refresh
    monkeypatch.setattr(page, "refresh", lambda: (refreshes.append(1), original()))
    MeetingRepo(context.db).add(Meeting(kinds=[MeetingKind.COMMITTEE], day=dt.date(2024, 9, 2)))
    for _ in range(5):
        announce(context, Changes.of("meetings"))
    qtbot.waitUntil(lambda: _row(page, "支委会").line.state is DutyState.DONE)
    assert len(refreshes) == 1
    assert _row(page, "支委会").detail.text() == "9月2日已召开"


def test_a_hidden_page_refreshes_when_shown(qtbot, context):
    page = _page(qtbot, context, dt.date(2024, 9, 2))
    page.hide()
    MeetingRepo(context.db).add(Meeting(kinds=[MeetingKind.COMMITTEE], day=dt.date(2024, 9, 2)))
    announce(context, Changes.of("meetings"))
    assert _row(page, "支委会").line.state is DutyState.LATE  # not read while hidden
    page.show()
    qtbot.waitUntil(lambda: _row(page, "支委会").line.state is DutyState.DONE)


def test_quick_actions(qtbot, context, editor_calls, monkeypatch):
    page = _page(qtbot, context)
    qtbot.mouseClick(page.record_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.plan_button, Qt.MouseButton.LeftButton)
    assert editor_calls == [(None, False), (None, True)]
    previews = []
    monkeypatch.setattr(print_actions, "preview_signin", lambda *a: previews.append(a[2]))
    qtbot.mouseClick(page.signin_button, Qt.MouseButton.LeftButton)
    upcoming = page.overview.upcoming
    assert previews == [upcoming.id] and upcoming.day >= DEMO_TODAY
    emitted = []
    page.navigate_requested.connect(lambda title: emitted.append(("page", title)))
    page.month_report_requested.connect(lambda code: emitted.append(("month", code)))
    qtbot.mouseClick(page.report_button, Qt.MouseButton.LeftButton)
    assert emitted == [("page", "报表"), ("month", "2025-11")]


def test_blank_signin_sheet_when_nothing_is_planned(qtbot, context, monkeypatch):
    page = _page(qtbot, context, dt.date(2026, 3, 1))  # after the demo's last planned meeting
    asked = []
    monkeypatch.setattr(
        print_actions.BlankSigninDialog, "ask", staticmethod(lambda *a: asked.append(a))
    )
    qtbot.mouseClick(page.signin_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1


def test_read_only_data_cannot_be_planned(qtbot, context):
    context.read_only = True
    page = _page(qtbot, context, dt.date(2025, 8, 1))
    assert not page.record_button.isEnabled() and not page.plan_button.isEnabled()
    row = _row(page, "党员大会")
    assert not row.buttons["计划"].isEnabled() and not row.buttons["补记"].isEnabled()


def test_calendar_marks_meeting_days_and_reads_other_months(qtbot, context):
    page = _page(qtbot, context)
    from PySide6.QtCore import QDate

    marked = page.calendar.dateTextFormat(QDate(2025, 11, 10))
    assert marked.fontWeight() == 700
    assert page.day_label.text().startswith("11月14日")
    page.calendar.setSelectedDate(QDate(2025, 11, 10))
    assert "主题党日" in page.day_label.text()
    page.calendar.setCurrentPage(2024, 3)
    assert page.calendar.dateTextFormat(QDate(2024, 3, 10)).fontWeight() == 700


# -- the start-up reminder ---------------------------------------------------------------------------


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def shown(monkeypatch):
    messages = []
    monkeypatch.setattr(msgbox, "information", lambda parent, title, text: messages.append(text))
    return messages


def test_reminder_once_a_day_when_something_is_late(context, settings, shown):
    today = dt.date(2025, 8, 1)
    assert maybe_remind_late(None, context, today, settings=settings)
    assert len(shown) == 1
    assert "党员大会：上季度（2025年第二季度）未按要求召开" in shown[0]
    assert "设置" in shown[0]
    assert settings.value(LAST_REMINDER_SETTING) == "2025-08-01"
    assert not maybe_remind_late(None, context, today, settings=settings)
    assert maybe_remind_late(None, context, dt.date(2025, 8, 2), settings=settings)
    assert len(shown) == 2


def test_the_page_reminds_from_the_lines_it_shows(qtbot, context, settings, shown, monkeypatch):
    page = _page(qtbot, context, today=dt.date(2025, 8, 1))
    monkeypatch.setattr(HomeQueries, "duties", lambda *_a: pytest.fail("read again"))
    assert page.remind_late(settings=settings)
    assert "党员大会：上季度（2025年第二季度）未按要求召开" in shown[0]
    page.set_day(dt.date(2025, 8, 2))  # the page's lines are yesterday's: read today's
    monkeypatch.undo()
    monkeypatch.setattr(msgbox, "information", lambda parent, title, text: shown.append(text))
    assert page.remind_late(settings=settings) and len(shown) == 2


def test_no_reminder_when_turned_off_or_nothing_is_late(context, settings, shown):
    settings.setValue(REMINDER_SETTING, False)
    assert not maybe_remind_late(None, context, dt.date(2025, 8, 1), settings=settings)
    settings.setValue(REMINDER_SETTING, True)
    assert not maybe_remind_late(None, context, DEMO_TODAY, settings=settings)
    assert shown == []
    assert settings.value(LAST_REMINDER_SETTING) is None


def test_reminder_setting_read_back_from_an_ini_file(context, tmp_path, shown):
    path = tmp_path / "written.ini"
    path.write_text("[home]\nremind_late=false\n", encoding="utf-8")
    settings = QSettings(str(path), QSettings.Format.IniFormat)
    assert not maybe_remind_late(None, context, dt.date(2025, 8, 1), settings=settings)


# -- speed and looks ---------------------------------------------------------------------------------


def test_refresh_is_fast_on_ten_years_of_a_large_branch(qtbot, tmp_path):
    folder = tmp_path / "large"
    write_demo_branch(folder, members=200, seed=5, today=DEMO_TODAY)
    db = open_database(folder / DB_FILENAME)
    try:
        with db.atomic():  # eight more years before the demo's two
            write_demo_meetings(db, today=dt.date(2023, 11, 30), seed=6, months=96)
        assert MeetingRepo(db).count() > 1000
        context = AppContext(db=db, data_dir=folder)
        started = time.perf_counter()
        page = _page(qtbot, context)
        qtbot.wait(1)
        first = (time.perf_counter() - started) * 1000
        timings = []
        for _ in range(3):
            page.refresh()
            timings.append(page.last_refresh_ms)
        print(f"home page: first show {first:.0f} ms, refresh {min(timings):.0f} ms")
        assert min(timings) < 300
    finally:
        db.close()


def test_screenshot(qtbot, context):
    page = _page(qtbot, context)
    qtbot.wait(10)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    assert page.grab().save(str(SCREENSHOT))


def test_export_month_report_opens_the_reports_page_on_this_month(qtbot, data_dir):
    from branchdesk.app import build_main_window
    from branchdesk.domain.requirements import Period, Unit

    write_demo_branch(data_dir, members=12, seed=4)
    context = AppContext(db=open_database(data_dir / DB_FILENAME), data_dir=data_dir)
    window = build_main_window(context)
    qtbot.addWidget(window)
    window.show()
    home, reports = window.pages["工作台"], window.pages["报表"]
    qtbot.mouseClick(home.report_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is reports
    assert reports.branch_tab.picker.period() == Period.containing(Unit.MONTH, dt.date.today())
    context.db.close()
