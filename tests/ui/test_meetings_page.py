"""The 会议 page on a demo branch: lists, filters, search, delete with undo, duplicate."""

from __future__ import annotations

import datetime as dt

import pytest
from demo_cache import write_demo_branch
from PySide6.QtCore import Qt

from branchdesk.domain.meetings import (
    AttendanceStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MeetingSummary,
)
from branchdesk.ops import Changes
from branchdesk.store.db import DB_FILENAME, open_database
from branchdesk.store.meetings import MeetingFilter, MeetingRepo
from branchdesk.ui import msgbox
from branchdesk.ui.context import AppContext
from branchdesk.ui.editors.meeting_editor import MeetingEditor
from branchdesk.ui.models.meeting_table_model import Column, MeetingTableModel
from branchdesk.ui.models.table_models import SUMMARY_ROLE
from branchdesk.ui.ops import announce
from branchdesk.ui.pages.meetings_page import MeetingsPage, period_range

TODAY = dt.date(2025, 6, 18)


@pytest.fixture
def context(data_dir):
    write_demo_branch(data_dir, members=24, seed=3, today=TODAY)
    db = open_database(data_dir / DB_FILENAME)
    yield AppContext(db=db, data_dir=data_dir)
    db.close()


@pytest.fixture
def page(qtbot, context, monkeypatch) -> MeetingsPage:
    monkeypatch.setattr(msgbox, "confirm", lambda *a, **k: True)
    page = MeetingsPage(context)
    qtbot.addWidget(page)
    page.resize(1180, 700)
    page.show()
    return page


def _summaries(page) -> list[MeetingSummary]:
    return [page.proxy.index(r, 0).data(SUMMARY_ROLE) for r in range(page.proxy.rowCount())]


def _select_text(combo, text: str) -> None:
    index = combo.findText(text)
    assert index >= 0, text
    combo.setCurrentIndex(index)


def test_model_passes_qtmodeltester(qtmodeltester, context) -> None:
    model = MeetingTableModel()
    model.set_rows(MeetingRepo(context.db).summaries())
    qtmodeltester.check(model)


def test_demo_branch_lists_its_meetings(page, context) -> None:
    repo = MeetingRepo(context.db)
    total = repo.count()
    assert total > 100
    assert page.proxy.rowCount() == total
    assert page.count_label.text() == f"共 {total} 次会议"
    first = _summaries(page)[0]
    assert first.status is MeetingStatus.PLANNED  # next month's 主题党日 comes first
    assert page.proxy.index(0, Column.STATUS).data() == "计划"
    assert page.proxy.index(0, Column.ATTENDANCE).data() == f"—/{first.counts.expected}"
    held = next(
        r for r in range(page.proxy.rowCount()) if _summaries(page)[r].status is MeetingStatus.HELD
    )
    counts = _summaries(page)[held].counts
    assert page.proxy.index(held, Column.ATTENDANCE).data() == f"{counts.present}/{counts.expected}"
    assert "年" in page.proxy.index(held, Column.DATE).data()


def test_filters_narrow_the_rows(page, context) -> None:
    _select_text(page.kind_combo, "党课")
    rows = _summaries(page)
    assert rows and all(MeetingKind.LECTURE in s.kinds for s in rows)
    assert page.count_label.text().startswith(f"共 {len(rows)} 次会议（全部")
    _select_text(page.kind_combo, "全部类型")
    _select_text(page.period_combo, "去年")
    assert {s.day.year for s in _summaries(page)} == {
        TODAY.year - 1
    } or dt.date.today().year != TODAY.year
    _select_text(page.period_combo, "全部")
    _select_text(page.group_combo, "第一党小组")
    rows = _summaries(page)
    assert rows and all(s.group_name == "第一党小组" for s in rows)


def test_custom_period(page) -> None:
    _select_text(page.period_combo, "自定义…")
    assert page.custom_range.isVisible()
    page.from_edit.setDate(page.from_edit.date().fromString("2025-03-01", "yyyy-MM-dd"))
    page.to_edit.setDate(page.to_edit.date().fromString("2025-03-31", "yyyy-MM-dd"))
    rows = _summaries(page)
    assert rows and all(s.day.month == 3 and s.day.year == 2025 for s in rows)


def test_period_ranges() -> None:
    assert period_range("今年", TODAY) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert period_range("近12个月", dt.date(2024, 2, 29)) == (
        dt.date(2023, 3, 1),
        dt.date(2024, 2, 29),
    )
    assert period_range("全部", TODAY) == (None, None)


def test_search_finds_two_character_words(qtbot, page, context) -> None:
    repo = MeetingRepo(context.db)
    target = repo.get(_summaries(page)[5].id)
    target.minutes += "\n张三同志作了发言。"
    repo.update(target)
    announce(context, Changes.of("meetings"))
    total = page.proxy.rowCount()
    page.search_edit.setText("张三")
    assert page.proxy.rowCount() == total  # nothing happens while still typing
    qtbot.waitUntil(lambda: page.proxy.rowCount() < total, timeout=2000)  # after a short pause
    found = _summaries(page)
    assert target.id in {s.id for s in found}
    for summary in found:
        meeting = repo.get(summary.id)
        text = " ".join([meeting.title, meeting.minutes, meeting.resolutions, *meeting.topics])
        assert "张三" in text
    page.search_edit.setText("党费")  # in topics and resolutions
    qtbot.waitUntil(lambda: page.proxy.rowCount() > 1, timeout=2000)
    page.search_edit.setText("没有这个词")
    qtbot.waitUntil(lambda: page.stack.currentIndex() == 1, timeout=2000)
    assert page.empty_title.text() == "没有符合条件的会议"
    page.empty_button.click()
    assert page.search_edit.text() == "" and page.stack.currentIndex() == 0


def test_delete_and_undo_restores_attendance(qtbot, page, context) -> None:
    repo = MeetingRepo(context.db)
    held = next(s for s in _summaries(page) if s.status is MeetingStatus.HELD and s.counts.leave)
    before = repo.get(held.id)
    page.select_meeting(held.id)
    page.table.setFocus()
    with qtbot.waitSignal(context.events.changes_applied):
        qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert page.model.row_of(held.id) == -1
    assert page.undo_bar.isVisible() and "已删除会议" in page.undo_label.text()
    qtbot.keyClick(page.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert page.model.row_of(held.id) >= 0
    assert not page.undo_bar.isVisible()
    after = repo.get(held.id)
    assert after.attendance == before.attendance and after.title == before.title
    assert page.selected_summary().id == held.id


def test_delete_asks_first(page, context, monkeypatch) -> None:
    monkeypatch.setattr(msgbox, "confirm", lambda *a, **k: False)
    total = MeetingRepo(context.db).count()
    page.table.selectRow(3)
    page.actions_by_id["delete"].trigger()
    assert MeetingRepo(context.db).count() == total


def test_duplicate_creates_planned_copy_without_marks(page, context, monkeypatch) -> None:
    repo = MeetingRepo(context.db)
    source = next(s for s in _summaries(page) if s.status is MeetingStatus.HELD and s.counts.leave)
    seen: list[tuple[Meeting, bool]] = []

    def fake_ask(parent, ctx, meeting=None, *, planned=False):
        seen.append((meeting, planned))
        editor = MeetingEditor(parent, ctx, meeting, planned=planned)
        assert editor.save()
        return editor.saved_meeting

    monkeypatch.setattr(MeetingEditor, "ask", staticmethod(fake_ask))
    page.select_meeting(source.id)
    page.actions_by_id["duplicate"].trigger()
    template, planned = seen[0]
    assert planned and template.id is None and template.status is MeetingStatus.PLANNED
    copy = repo.get(page.selected_summary().id)
    original = repo.get(source.id)
    assert copy.id != original.id and copy.status is MeetingStatus.PLANNED
    assert copy.kinds == original.kinds and copy.topics == original.topics
    assert copy.minutes == "" and copy.attachments == []
    assert copy.attendance and all(
        r.status is AttendanceStatus.PRESENT and not r.reason for r in copy.attendance
    )
    assert page.proxy.index(page.table.currentIndex().row(), Column.STATUS).data() == "计划"


def test_record_and_open_use_the_editor(page, context, monkeypatch) -> None:
    calls: list[tuple] = []
    monkeypatch.setattr(
        MeetingEditor, "ask", staticmethod(lambda *a, **k: calls.append((a, k)) or None)
    )
    page.actions_by_id["record"].trigger()
    page.actions_by_id["plan"].trigger()
    page.table.selectRow(2)
    page.table.activated.emit(page.table.currentIndex())  # Enter or double-click
    assert calls[0][1] == {} and calls[1][1] == {"planned": True}
    opened = calls[2][0][2]
    assert isinstance(opened, Meeting) and opened.id == _summaries(page)[2].id


def test_page_follows_saves_elsewhere(page, context) -> None:
    before = page.proxy.rowCount()
    repo = MeetingRepo(context.db)
    repo.add(Meeting(kinds=[MeetingKind.OTHER], day=TODAY, title="临时会议"))
    announce(context, Changes.of("meetings"))
    assert page.proxy.rowCount() == before + 1
    assert repo.summaries(MeetingFilter(text="临时会议"))


def test_a_long_list_is_read_on_a_worker_and_shown_when_loaded(
    qtbot, context, monkeypatch
) -> None:
    """From READ_IN_BACKGROUND_FROM meetings on, the page shows at once and fills after."""
    import threading

    from branchdesk.ui import page_kit

    monkeypatch.setattr(page_kit, "READ_IN_BACKGROUND_FROM", 1)
    monkeypatch.setattr(msgbox, "confirm", lambda *a, **k: True)
    threads = []
    summaries = MeetingRepo.summaries

    def recording(self, where=None):
        threads.append(threading.current_thread())
        return summaries(self, where)

    monkeypatch.setattr(MeetingRepo, "summaries", recording)
    expected = summaries(MeetingRepo(context.db))
    page = MeetingsPage(context)
    qtbot.addWidget(page)
    page.show()
    assert page.model.rowCount() == 0  # shown at once, not yet filled
    assert page.count_label.text() == f"正在读取 {len(expected)} 次会议…"
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        pass
    assert [s.id for s in _summaries(page)] == [s.id for s in expected]
    assert page.count_label.text() == f"共 {len(expected)} 次会议"
    assert threads and threading.main_thread() not in threads

    # typing a search reads on the worker too; a deletion and its undo keep the selection
    page.search_edit.setText("党费")
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        pass
    assert 0 < page.proxy.rowCount() < len(expected)
    page.search_edit.setText("")
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        pass
    held = next(s for s in _summaries(page) if s.status is MeetingStatus.HELD)
    page.select_meeting(held.id)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert page.model.row_of(held.id) == -1 and page.undo_bar.isVisible()
    qtbot.keyClick(page.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert page.model.row_of(held.id) >= 0
    assert page.selected_summary().id == held.id
    assert threading.main_thread() not in threads
