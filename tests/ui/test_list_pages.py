"""What the 会议 and 活动 pages share (the list-page scaffold): an empty branch says how to
start, the empty list's button makes the first record, Enter opens the selected one."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from branchdesk.domain.activities import Activity
from branchdesk.domain.meetings import Meeting, MeetingKind
from branchdesk.store.activities import ActivityRepo
from branchdesk.store.meetings import MeetingRepo
from branchdesk.ui.context import AppContext
from branchdesk.ui.editors.activity_editor import ActivityEditor
from branchdesk.ui.editors.meeting_editor import MeetingEditor
from branchdesk.ui.pages.activities_page import ActivitiesPage
from branchdesk.ui.pages.meetings_page import MeetingsPage

DAY = dt.date(2025, 6, 18)
PAGES = {
    "meetings": (
        MeetingsPage,
        MeetingEditor,
        "还没有会议记录",
        "记录会议",
        lambda db: MeetingRepo(db).add(Meeting(kinds=[MeetingKind.GENERAL], day=DAY)),
    ),
    "activities": (
        ActivitiesPage,
        ActivityEditor,
        "还没有登记党员活动",
        "添加活动",
        lambda db: ActivityRepo(db).add(Activity(kind="其他", title="学习", day=DAY)),
    ),
}


@pytest.fixture
def context(file_db, data_dir) -> AppContext:
    return AppContext(db=file_db, data_dir=data_dir)


@pytest.mark.parametrize("name", list(PAGES))
def test_an_empty_branch_says_how_to_start(qtbot, context, monkeypatch, name) -> None:
    page_type, editor_type, title, button, _add = PAGES[name]
    asked: list[tuple] = []
    monkeypatch.setattr(editor_type, "ask", classmethod(lambda cls, *a, **k: asked.append(a)))
    page = page_type(context)
    qtbot.addWidget(page)
    assert page.stack.currentIndex() == 1
    assert (page.empty_title.text(), page.empty_button.text()) == (title, button)
    qtbot.mouseClick(page.empty_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1 and asked[0][0] is page  # the editor for a new record


@pytest.mark.parametrize("name", list(PAGES))
def test_enter_on_a_row_opens_it(qtbot, context, monkeypatch, name) -> None:
    page_type, editor_type, _title, _button, add = PAGES[name]
    record_id = add(context.db)
    asked: list[tuple] = []
    monkeypatch.setattr(editor_type, "ask", classmethod(lambda cls, *a, **k: asked.append(a)))
    page = page_type(context)
    qtbot.addWidget(page)
    page.clear_filters()
    assert page.stack.currentIndex() == 0
    page._select_id(record_id)
    page.table.activated.emit(page.table.currentIndex())
    assert [a[2].id for a in asked] == [record_id]  # the stored record, opened in its editor
