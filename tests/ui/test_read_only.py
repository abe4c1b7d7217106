"""A read-only data folder: every record can be opened and read, nothing can be written."""

from __future__ import annotations

import datetime as dt

import pytest

from branchdesk.domain.branch import Branch
from branchdesk.domain.meetings import Meeting, MeetingKind
from branchdesk.domain.members import Member
from branchdesk.store.meetings import MeetingRepo
from branchdesk.ui import msgbox
from branchdesk.ui.context import AppContext
from branchdesk.ui.groups_dialog import GroupsDialog, MoveGroupDialog
from branchdesk.ui.meeting_editor import MeetingEditor
from branchdesk.ui.meetings_page import MeetingsPage
from branchdesk.ui.member_dialog import MemberDialog
from branchdesk.ui.members_page import MembersPage
from branchdesk.ui.settings_page import SettingsPage
from branchdesk.ui.status_dialog import StatusDialog


@pytest.fixture(autouse=True)
def no_message_boxes(monkeypatch) -> None:
    for name in ("information", "warning", "error", "confirm"):
        monkeypatch.setattr(msgbox, name, lambda *a, _n=name, **k: pytest.fail(f"{_n}{a}"))


@pytest.fixture
def context(db, data_dir) -> AppContext:
    writable = AppContext(db=db, data_dir=data_dir)
    writable.branch.save(Branch("幸福里社区党支部"))
    group = writable.groups.create("第一党小组")
    for name in ("张伟", "王芳", "李强"):
        writable.members.add(Member(name=name, group_id=group.id, phone="13812345678"))
    MeetingRepo(db).add(
        Meeting(kinds=[MeetingKind.THEME_DAY], day=dt.date(2025, 6, 5), title="学习")
    )
    return AppContext(db=db, data_dir=data_dir, read_only=True)


def test_members_page_allows_reading_and_export_only(qtbot, context) -> None:
    page = MembersPage(context)
    qtbot.addWidget(page)
    page.table.selectRow(0)
    actions = page.actions_by_id
    for action_id in ("add", "status", "move", "groups", "import"):
        assert not actions[action_id].isEnabled(), action_id
        assert actions[action_id].toolTip() == "数据为只读"
    assert actions["edit"].isEnabled() and actions["export"].isEnabled()


def test_member_form_opens_but_cannot_save(qtbot, context) -> None:
    member = context.members.list()[0]
    dialog = MemberDialog(None, context, member)
    qtbot.addWidget(dialog)
    assert dialog.name_edit.text() == "张伟"
    assert dialog.phone_edit.text() == "13812345678"  # in full in the form
    assert not dialog.save_button.isEnabled()
    assert dialog.save_button.toolTip() == "数据为只读"
    dialog.name_edit.setText("张大伟")
    assert dialog.save() is False
    assert context.members.get(member.id).name == "张伟"
    assert dialog.history_button.isVisibleTo(dialog)  # the history can still be read


def test_status_and_group_dialogs_are_read_only(qtbot, context) -> None:
    member = context.members.list()[0]
    status = StatusDialog(None, context, member)
    groups = GroupsDialog(None, context)
    move = MoveGroupDialog(None, context, [member])
    for dialog in (status, groups, move):
        qtbot.addWidget(dialog)
    assert not status.save_button.isEnabled() and status.save() is False
    assert not groups.create_button.isEnabled() and not groups.rename_button.isEnabled()
    assert not groups.merge_button.isEnabled() and not groups.delete_button.isEnabled()
    assert groups.table.rowCount() == 1  # still listed
    assert not move.ok_button.isEnabled() and move.save() is False


def test_meetings_page_and_editor(qtbot, context) -> None:
    page = MeetingsPage(context)
    qtbot.addWidget(page)
    page.table.selectRow(0)
    for action_id in ("record", "plan", "duplicate", "delete", "undo"):
        assert not page.actions_by_id[action_id].isEnabled(), action_id
    assert page.actions_by_id["open"].isEnabled()
    meeting = MeetingRepo(context.db).get(page.selected_summary().id)
    editor = MeetingEditor(None, context, meeting)
    qtbot.addWidget(editor)
    assert editor.title_edit.text() == "学习"
    assert not editor.save_button.isEnabled() and editor.save_button.toolTip() == "数据为只读"
    assert not editor.add_attachment_button.isEnabled()
    assert editor.save() is False


def test_settings_page(qtbot, context) -> None:
    page = SettingsPage(context)
    qtbot.addWidget(page)
    for widget in (page.name_edit, page.save_button, page.backup_now_button, page.restore_button):
        assert not widget.isEnabled()
    assert page.backup_to_button.isEnabled()  # a copy elsewhere is still possible
    assert page.history_button.isEnabled()
