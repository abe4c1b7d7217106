"""Printing reached from where a secretary works: the 会议 page, the meeting editor."""

import datetime as dt

import pytest
from demo_cache import write_demo_branch
from pypdf import PdfReader

from branchdesk.domain.meetings import MeetingStatus
from branchdesk.store.db import DB_FILENAME, open_database
from branchdesk.store.meetings import MeetingRepo
from branchdesk.ui import file_dialogs, msgbox
from branchdesk.ui.context import AppContext
from branchdesk.ui.editors.meeting_editor import MeetingEditor
from branchdesk.ui.pages.meetings_page import MeetingsPage


@pytest.fixture
def context(data_dir, monkeypatch):
    write_demo_branch(data_dir, members=14, seed=8)
    monkeypatch.setattr(msgbox, "done", lambda *a, **k: False)  # don't open the folder
    monkeypatch.setattr(msgbox, "information", lambda *a, **k: None)
    return AppContext(db=open_database(data_dir / DB_FILENAME), data_dir=data_dir)


def _choose(menu, text):
    menu.aboutToShow.emit()
    action = next(a for a in menu.actions() if a.text() == text)
    assert action.isEnabled()
    action.trigger()


def _save_to(monkeypatch, path):
    monkeypatch.setattr(file_dialogs, "choose_paths", lambda *a, **k: [str(path)])


def test_meetings_page_prints_the_selected_meetings_sign_in_sheet(
    qtbot, context, monkeypatch, tmp_path
):
    page = MeetingsPage(context)
    qtbot.addWidget(page)
    planned = next(s for s in page.repo.summaries() if s.status is MeetingStatus.PLANNED)
    assert page.select_meeting(planned.id)
    target = tmp_path / "签到表.pdf"
    _save_to(monkeypatch, target)
    _choose(page.print_button.menu(), "签到表另存为 PDF…")
    text = "".join(p.extract_text() for p in PdfReader(target).pages)
    assert "签到表" in text and planned.title in text
    assert [a.text() for a in page.print_button.menu().actions() if a.text()][-1] == "空白签到表…"


def test_the_editor_prints_what_is_on_screen_before_saving(qtbot, context, monkeypatch, tmp_path):
    repo = MeetingRepo(context.db)
    meeting = repo.get(repo.summaries()[3].id)
    editor = MeetingEditor(None, context, meeting, today=dt.date.today())
    qtbot.addWidget(editor)
    editor.title_edit.setText("尚未保存的新主题")
    target = tmp_path / "记录.pdf"
    _save_to(monkeypatch, target)
    _choose(editor.print_button.menu(), "会议记录另存为 PDF…")
    assert "尚未保存的新主题" in "".join(p.extract_text() for p in PdfReader(target).pages)


def test_the_attendance_grid_opens_a_members_record(qtbot, context, monkeypatch):
    from branchdesk.ui.pages.member_record_view import MemberRecordDialog

    opened = []
    monkeypatch.setattr(
        MemberRecordDialog,
        "open_for",
        classmethod(
            lambda cls, parent, ctx, member_id, year=None: opened.append((member_id, year))
        ),
    )
    editor = MeetingEditor(None, context, today=dt.date.today())
    qtbot.addWidget(editor)
    grid = editor.attendance.grid
    grid.setCurrentIndex(editor.attendance.model.index(2, 0))
    editor.attendance.record_button.click()
    assert opened == [(editor.attendance.model.row(2).member_id, dt.date.today().year)]


def test_the_roster_opens_a_members_record(qtbot, context, monkeypatch):
    from branchdesk.ui.pages.member_record_view import MemberRecordDialog
    from branchdesk.ui.pages.members_page import MembersPage

    opened = []
    monkeypatch.setattr(
        MemberRecordDialog,
        "open_for",
        classmethod(lambda cls, parent, ctx, member_id, year=None: opened.append(member_id)),
    )
    page = MembersPage(context)
    qtbot.addWidget(page)
    page.table.selectRow(0)
    page.actions_by_id["record"].trigger()
    assert opened == [page.selected_members()[0].id]
