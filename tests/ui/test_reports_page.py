"""The 报表 page: the on-screen return says what the workbook says; export, lock and unlock."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from demo_cache import write_demo_branch

from branchdesk.domain.requirements import Period, Status, Unit
from branchdesk.ops import Changes
from branchdesk.reports.return_figures import compute_return
from branchdesk.reports.return_workbook import DATA_SHEET, default_return_filename
from branchdesk.store.db import DB_FILENAME, open_database
from branchdesk.store.history import HistoryRepo
from branchdesk.store.meetings import MeetingFilter, MeetingRepo
from branchdesk.store.periods import PeriodLocked, ReportedPeriodRepo
from branchdesk.ui import file_dialogs, msgbox
from branchdesk.ui.context import AppContext
from branchdesk.ui.ops import announce
from branchdesk.ui.pages.reports_page import PeriodPicker, ReportsPage, UnlockDialog, switch_unit
from branchdesk.ui.pages.return_summary_view import (
    ACTIVITY_CAPTIONS,
    ATTENDANCE_CAPTIONS,
    RED,
)
from screenshots import screenshot_file

TODAY = dt.date(2026, 3, 10)
# The demo skips one 党小组会 twelve months back: 2025年4月 has a 未达标 line.
GAP_MONTH = Period(Unit.MONTH, 2025, 4)
SCREENSHOT = screenshot_file("reports_page.png")


@pytest.fixture
def demo_context(qapp, data_dir):
    write_demo_branch(data_dir, today=TODAY)
    db = open_database(data_dir / DB_FILENAME)
    yield AppContext(db=db, data_dir=data_dir)
    db.close()


@pytest.fixture
def page(qtbot, demo_context):
    page = ReportsPage(demo_context, today=TODAY)
    qtbot.addWidget(page)
    page.resize(1180, 760)
    assert page.branch_tab.ret is None  # filled in the next turn of the event loop
    with qtbot.waitSignal(page.branch_tab.loaded, timeout=10_000):
        pass  # computed on a worker connection, then shown
    assert page.branch_tab.ret is not None
    return page


@pytest.fixture(autouse=True)
def _no_message_boxes(monkeypatch):
    shown: list[tuple[str, str]] = []
    for name in ("information", "warning", "error"):
        monkeypatch.setattr(
            msgbox, name, lambda _parent, title, text, _n=name: shown.append((title, text))
        )
    return shown


def _export(qtbot, tab, tmp_path, monkeypatch, name="报表.xlsx") -> Path:
    target = tmp_path / name
    monkeypatch.setattr(file_dialogs, "choose_paths", lambda *a, **k: [str(target)])
    tab.export_button.click()
    assert not tab.export_button.isEnabled()  # busy until the worker is done
    assert tab.progress.isVisibleTo(tab)
    qtbot.waitUntil(lambda: not tab.exporting, timeout=10_000)
    return target


def _meeting_in(db, period: Period):
    repo = MeetingRepo(db)
    summary = repo.summaries(MeetingFilter(start=period.start, end=period.end))[0]
    return repo.get(summary.id)


def test_default_period_is_the_last_completed_month(qtbot):
    picker = PeriodPicker(dt.date(2026, 1, 25))
    qtbot.addWidget(picker)
    assert picker.period() == Period(Unit.MONTH, 2025, 12)
    assert picker.year_spin.value() == 2025
    assert picker.number_combo.currentText() == "12月"
    assert picker.unit_combo.currentText() == "月报"


def test_picker_steps_and_switches_unit(qtbot):
    picker = PeriodPicker(TODAY)
    qtbot.addWidget(picker)
    assert picker.period() == Period(Unit.MONTH, 2026, 2)
    picker.previous_button.click()
    assert picker.period() == Period(Unit.MONTH, 2026, 1)
    picker.next_button.click()
    picker.next_button.click()  # 2026年3月 has begun: it can be looked at
    assert picker.period() == Period(Unit.MONTH, 2026, 3)
    assert not picker.next_button.isEnabled()  # April has not
    with qtbot.waitSignal(picker.period_changed) as blocker:
        picker.unit_combo.setCurrentIndex(1)  # 季报: the first quarter is still running
    assert blocker.args == [Period(Unit.QUARTER, 2025, 4)]
    assert picker.number_combo.currentText() == "第四季度"
    picker.unit_combo.setCurrentIndex(2)
    assert picker.period() == Period(Unit.YEAR, 2025)
    assert not picker.number_combo.isVisibleTo(picker)
    picker.unit_combo.setCurrentIndex(0)
    picker.year_spin.setValue(2025)
    picker.number_combo.setCurrentIndex(3)
    assert picker.period() == Period(Unit.MONTH, 2025, 4)
    assert switch_unit(Period(Unit.MONTH, 2025, 5), Unit.QUARTER, TODAY).label == "2025年第二季度"


@pytest.mark.parametrize(
    "period",
    [GAP_MONTH, Period(Unit.QUARTER, 2025, 3), Period(Unit.YEAR, 2025)],
    ids=["month", "quarter", "year"],
)
def test_on_screen_figures_are_the_returns(page, demo_context, period):
    tab = page.branch_tab
    tab.picker.set_period(period)
    tab.wait_loaded()  # the figures are computed on a worker
    ret = compute_return(demo_context.db, period, today=TODAY)
    view = tab.summary

    assert view.title_label.text() == f"城关街道幸福里社区党支部 {period.label} 组织生活情况报表"
    m = ret.members
    assert [view.member_tiles.text(c) for c in view.member_tiles.values] == [
        str(v)
        for v in (
            m.total,
            m.full,
            m.probationary,
            m.transferred_in,
            m.transferred_out,
            m.developed,
            m.other_left,
        )
    ]
    model = view.kinds_model
    assert model.column_texts(0) == [line.label for line in ret.assessments]
    assert model.column_texts(3) == [str(line.held) for line in ret.assessments]
    assert model.column_texts(5) == [line.status.value for line in ret.assessments]
    for row, line in enumerate(ret.assessments):
        if line.required or line.status is not Status.NOT_ASSESSED:
            assert model.text(row, 2) == str(line.required)
        assert model.text(row, 6) == line.note
    att = ret.attendance
    assert [view.attendance_tiles.text(c) for c in ATTENDANCE_CAPTIONS] == [
        str(ret.meetings_held),
        str(att.expected),
        str(att.present),
        str(att.leave),
        str(att.absent),
        att.rate_text(),
    ]
    totals = ret.activity_totals
    assert [view.activity_tiles.text(c) for c in ACTIVITY_CAPTIONS] == [
        str(totals.activities),
        str(totals.participations),
        f"{totals.hours:g}",
    ]
    assert view.meetings_model.rowCount() == len(ret.meetings) > 0
    assert view.meetings_model.column_texts(2) == [row.title for row in ret.meetings]

    missing = [line.label for line in ret.assessments if line.status is Status.NOT_MET]
    if missing:
        assert view.verdict_label.text() == f"本期未达标：{'、'.join(missing)}"
    else:
        assert view.verdict_label.text() == "本期考核的会议全部达标。"


def test_gap_month_shows_the_missing_group_meeting_in_red(page, qtmodeltester):
    tab = page.branch_tab
    tab.picker.set_period(GAP_MONTH)
    tab.wait_loaded()  # the figures are computed on a worker
    model = tab.summary.kinds_model
    qtmodeltester.check(model)
    qtmodeltester.check(tab.summary.meetings_model)
    row = model.column_texts(0).index("党小组会（第三党小组）")
    index = model.index(row, 5)
    assert index.data() == "未达标"
    assert index.data(0x0009).name() == RED  # ForegroundRole
    assert tab.summary.verdict_label.text() == "本期未达标：党小组会（第三党小组）"

    page.show()
    qtbot_scroll = tab.scroll.verticalScrollBar()
    qtbot_scroll.setValue(0)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    assert page.grab().save(str(SCREENSHOT))


def test_summary_follows_record_changes(qtbot, page, demo_context):
    page.show()
    tab = page.branch_tab
    tab.picker.set_period(GAP_MONTH)
    tab.wait_loaded()  # the figures are computed on a worker
    before = int(tab.summary.attendance_tiles.text("会议次数"))
    meeting = _meeting_in(demo_context.db, GAP_MONTH)
    MeetingRepo(demo_context.db).delete(meeting.id)
    announce(demo_context, Changes.of("meetings"))
    announce(demo_context, Changes.of("meetings"))
    qtbot.waitUntil(lambda: tab.summary.attendance_tiles.text("会议次数") == str(before - 1))


def test_export_writes_the_workbook(qtbot, page, demo_context, tmp_path, monkeypatch):
    tab = page.branch_tab
    tab.picker.set_period(GAP_MONTH)
    tab.wait_loaded()  # the figures are computed on a worker
    offered = []
    monkeypatch.setattr(
        file_dialogs, "choose_paths", lambda _p, _c, start, _f, _m: offered.append(start) or []
    )
    tab.export_button.click()  # cancelled: nothing happens
    assert Path(offered[0]).name == default_return_filename("城关街道幸福里社区党支部", GAP_MONTH)
    assert not tab.exporting

    target = _export(qtbot, tab, tmp_path, monkeypatch)
    assert target.exists()
    assert tab.result_line.isVisibleTo(tab)
    assert tab.result_line.label.text() == f"已导出到 {target}"
    assert tab.export_button.isEnabled()
    assert not tab.progress.isVisibleTo(tab)
    from PySide6.QtCore import QSettings

    assert QSettings().value(file_dialogs.EXPORT_FOLDER_SETTING) == str(tmp_path)

    book = openpyxl.load_workbook(target)
    data = {row[0]: row[1] for row in book[DATA_SHEET].iter_rows(values_only=True)}
    ret = compute_return(demo_context.db, GAP_MONTH, today=TODAY)
    assert data["period"] == GAP_MONTH.code
    assert data["meetings_held"] == ret.meetings_held
    assert data["members.total"] == int(tab.summary.member_tiles.text("党员总数"))
    assert data["kinds.group_meeting.status"] == "未达标"
    # Not marked: the period stays open.
    assert ReportedPeriodRepo(demo_context.db).get(GAP_MONTH) is None
    assert not tab.lock_bar.isVisibleTo(tab)


def test_export_failure_is_told_and_the_page_stays_usable(
    qtbot, page, tmp_path, monkeypatch, _no_message_boxes
):
    tab = page.branch_tab
    blocked = tmp_path / "不是文件夹"
    blocked.write_text("x")
    target = blocked / "报表.xlsx"  # its folder is a file: the write fails
    monkeypatch.setattr(file_dialogs, "choose_paths", lambda *a, **k: [str(target)])
    tab.export_button.click()
    qtbot.waitUntil(lambda: not tab.exporting, timeout=10_000)
    assert [title for title, _text in _no_message_boxes] == ["导出失败"]
    assert _no_message_boxes[0][1]
    assert tab.export_button.isEnabled()
    assert not tab.result_line.isVisibleTo(tab)


def test_mark_reported_locks_and_unlock_revises(qtbot, page, demo_context, tmp_path, monkeypatch):
    tab = page.branch_tab
    tab.picker.set_period(GAP_MONTH)
    tab.wait_loaded()  # the figures are computed on a worker
    tab.mark_box.setChecked(True)
    with qtbot.waitSignal(demo_context.events.changes_applied, timeout=10_000) as blocker:
        _export(qtbot, tab, tmp_path, monkeypatch)
    assert blocker.args[0].periods
    reported = ReportedPeriodRepo(demo_context.db).get(GAP_MONTH)
    assert reported is not None and reported.locked
    assert tab.lock_bar.isVisibleTo(tab)
    assert tab.lock_label.text().startswith("本期已于 ")
    assert tab.lock_label.text().endswith(" 上报，记录已锁定")
    assert "本期已标记为已上报" in tab.result_line.label.text()

    repo = MeetingRepo(demo_context.db)
    meeting = _meeting_in(demo_context.db, GAP_MONTH)
    with pytest.raises(PeriodLocked):
        repo.update(dataclasses.replace(meeting, place="党员活动室"))

    # Another period is not locked.
    tab.picker.set_period(GAP_MONTH.previous())
    tab.wait_loaded()  # the figures are computed on a worker
    assert not tab.lock_bar.isVisibleTo(tab)
    tab.picker.set_period(GAP_MONTH)
    tab.wait_loaded()  # the figures are computed on a worker

    asked = []
    monkeypatch.setattr(
        UnlockDialog, "ask", classmethod(lambda cls, parent, period: asked.append(period) or "")
    )
    tab.unlock_button.click()  # cancelled
    assert asked == [GAP_MONTH]
    assert ReportedPeriodRepo(demo_context.db).get(GAP_MONTH).locked

    monkeypatch.setattr(
        UnlockDialog, "ask", classmethod(lambda cls, parent, period: "补录请假人员")
    )
    tab.unlock_button.click()
    reported = ReportedPeriodRepo(demo_context.db).get(GAP_MONTH)
    assert not reported.locked and reported.revisions == 1
    repo.update(dataclasses.replace(meeting, place="党员活动室"))  # allowed again
    assert tab.summary.title_label.text().endswith("组织生活情况报表（修订）")
    assert "已解锁" in tab.lock_label.text()
    assert not tab.unlock_button.isVisibleTo(tab)
    events = HistoryRepo(demo_context.db).for_record("period", GAP_MONTH.code)
    assert [(e.action, e.note) for e in events if e.action == "unlock"] == [
        ("unlock", "补录请假人员")
    ]

    # The next export of the period is named and titled as revised.
    offered = []
    monkeypatch.setattr(
        file_dialogs, "choose_paths", lambda _p, _c, start, _f, _m: offered.append(start) or []
    )
    tab.export_button.click()
    assert Path(offered[0]).name.endswith("（修订）.xlsx")


def test_unlock_dialog_refuses_an_empty_reason(qtbot):
    dialog = UnlockDialog(GAP_MONTH)
    qtbot.addWidget(dialog)
    dialog.accept()
    assert dialog.result() != dialog.DialogCode.Accepted
    assert dialog.message.text() == "请填写解锁原因"
    dialog.reason_edit.setText("  补录会议记录 ")
    assert dialog.message.text() == ""
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.reason() == "补录会议记录"


def test_exporting_an_unfinished_period_asks_first(qtbot, page, tmp_path, monkeypatch):
    """On 10 March, March's return is partial: the window says so before writing, and the
    workbook's title carries （截至 3月10日）."""
    tab = page.branch_tab
    current = Period(Unit.MONTH, 2026, 3)
    tab.picker.set_period(current)
    tab.wait_loaded()  # the figures are computed on a worker
    assert "（截至 3月10日）" in tab.summary.title_label.text()
    asked = []
    answer = [False]

    def confirm(_parent, title, text, **_kw):
        asked.append((title, text))
        return answer[0]

    monkeypatch.setattr(msgbox, "confirm", confirm)
    offered = []
    target = tmp_path / "三月.xlsx"
    monkeypatch.setattr(
        file_dialogs, "choose_paths", lambda *a, **k: offered.append(1) or [str(target)]
    )
    tab.export_button.click()
    assert asked[0][0] == "本期尚未结束"
    assert "2026年3月尚未结束（今天是 2026年3月10日）" in asked[0][1]
    assert "（截至 3月10日）" in asked[0][1]
    assert offered == [] and not tab.exporting and not target.exists()  # nothing written
    answer[0] = True
    tab.export_button.click()
    qtbot.waitUntil(lambda: not tab.exporting, timeout=10_000)
    assert len(asked) == 2 and target.exists()
    title = openpyxl.load_workbook(target)["汇总"]["A1"].value
    assert title.endswith("2026年3月（截至 3月10日） 组织生活情况报表")
    # A period that is over is exported without a question.
    tab.picker.set_period(GAP_MONTH)
    tab.wait_loaded()  # the figures are computed on a worker
    _export(qtbot, tab, tmp_path, monkeypatch, name="四月.xlsx")
    assert len(asked) == 2


def test_switching_periods_computes_on_a_worker(qtbot, page, monkeypatch):
    """The figures of a new period are computed off the UI thread, then shown."""
    import threading

    from branchdesk.ui.pages import reports_page

    threads = []
    compute = reports_page.compute_return

    def recording(db, period, today=None):
        threads.append(threading.current_thread())
        return compute(db, period, today=today)

    monkeypatch.setattr(reports_page, "compute_return", recording)
    tab = page.branch_tab
    year = Period(Unit.YEAR, 2025)
    tab.picker.set_period(year)
    assert tab.ret.period != year  # the page answers at once; the figures follow
    with qtbot.waitSignal(tab.loaded, timeout=10_000):
        pass
    assert tab.ret.period == year
    assert tab.summary.title_label.text().endswith(f"{year.label} 组织生活情况报表")
    assert threads and threading.main_thread() not in threads


def test_a_long_table_is_sized_from_a_sample_not_every_cell(qtbot):
    """A year's meetings at a large branch: hundreds of rows keep one line each, and the
    columns are measured on a sample, not by asking every cell (over 300,000 calls)."""
    from branchdesk.ui.pages.return_summary_view import (
        LONG_TABLE_ROWS,
        Cell,
        CellTableModel,
        CompactTable,
    )

    calls = []

    class Counting(CellTableModel):
        def data(self, index, role=0):
            calls.append(role)
            return super().data(index, role)

    model = Counting(["日期", "会议", "出勤"])
    table = CompactTable(model, stretch=(1,), max_height=400)
    qtbot.addWidget(table)
    table.resize(700, 400)
    table.show()
    short = [[Cell("1月5日"), Cell("党小组会 " * 8), Cell("10/12")]] * 5
    model.set_rows(short)
    assert not table.long and table.wordWrap()
    rows = [[Cell(f"{i % 12 + 1}月{i % 28 + 1}日"), Cell("支部委员会"), Cell("5/5")]
            for i in range(600)]  # fmt: skip
    calls.clear()
    model.set_rows(rows)
    qtbot.wait(10)
    assert 600 > LONG_TABLE_ROWS and table.long and not table.wordWrap()
    assert len(calls) < 5_000, len(calls)
    assert table.height() <= 400  # scrolls beyond its cap
    assert table.columnWidth(0) >= table.fontMetrics().horizontalAdvance("12月28日")
