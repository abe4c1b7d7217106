"""A read-only data folder: every record can be opened and read, nothing can be written."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3

import pytest
from demo_cache import write_demo_branch
from folders import LATE_MEMBER, leave_unmerged_wal, tmpfs

from branchdesk.domain.branch import Branch
from branchdesk.domain.meetings import Meeting, MeetingKind
from branchdesk.domain.members import Member
from branchdesk.logs import setup_logging
from branchdesk.printing.pdf import write_pdf
from branchdesk.printing.record import RecordDocument, record_for_meeting
from branchdesk.store.db import DB_FILENAME, storage_error
from branchdesk.store.meetings import MeetingRepo
from branchdesk.store.members import MemberRepo
from branchdesk.ui import file_dialogs, msgbox, startup
from branchdesk.ui.context import AppContext
from branchdesk.ui.dialogs.groups_dialog import GroupsDialog, MoveGroupDialog
from branchdesk.ui.dialogs.status_dialog import StatusDialog
from branchdesk.ui.editors.meeting_editor import MeetingEditor
from branchdesk.ui.editors.member_dialog import MemberDialog
from branchdesk.ui.pages.meetings_page import MeetingsPage
from branchdesk.ui.pages.members_page import MembersPage
from branchdesk.ui.pages.reports_page import ReportsPage
from branchdesk.ui.pages.settings_page import SettingsPage


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


# -- a real read-only folder ----------------------------------------------------------------------


@pytest.fixture
def read_only_folder(tmp_path):
    """A demo branch on a read-only mount, its newest member only in the WAL, no -shm."""
    with tmpfs(tmp_path / "mnt") as mount:
        folder = mount.path / "branch"
        write_demo_branch(folder, members=12, seed=7, today=dt.date(2026, 3, 10))
        leave_unmerged_wal(folder)
        mount.read_only()
        yield folder


def test_a_read_only_mount_opens_read_only_with_a_banner(qtbot, read_only_folder) -> None:
    opened = startup.open_data_folder(read_only_folder)
    assert opened is not None
    try:
        assert opened.read_only and opened.lock is None
        assert "只读" in opened.banners[0] and "打印" in opened.banners[0]
        names = [member.name for member in MemberRepo(opened.db).list(include_left=False)]
        assert len(names) == 13 and LATE_MEMBER in names  # what the WAL holds is shown too
        page = MembersPage(AppContext(opened.db, opened.data_dir, read_only=True))
        qtbot.addWidget(page)
        model = page.table.model()
        shown = {model.index(row, 0).data() for row in range(model.rowCount())}
        assert LATE_MEMBER in shown
        with pytest.raises(sqlite3.Error) as info:
            MemberRepo(opened.db).add(Member(name="新党员"))
        assert "只读" in storage_error(info.value).message
        assert LATE_MEMBER in [member.name for member in MemberRepo(opened.db).list()]
    finally:
        opened.close()
    assert sorted(p.name for p in read_only_folder.iterdir()) == [
        DB_FILENAME,
        DB_FILENAME + "-wal",
    ]


def test_a_read_only_mount_prints_and_exports_elsewhere(
    qtbot, read_only_folder, tmp_path, monkeypatch
) -> None:
    opened = startup.open_data_folder(read_only_folder)
    assert opened is not None
    try:
        context = AppContext(opened.db, opened.data_dir, read_only=True)
        meeting_id = MeetingRepo(opened.db).summaries()[0].id
        record = RecordDocument(record_for_meeting(opened.db, meeting_id))
        pages = write_pdf(record, tmp_path / "r.pdf")
        assert pages >= 1 and (tmp_path / "r.pdf").stat().st_size > 0
        reports = ReportsPage(context, today=dt.date(2026, 3, 10))
        qtbot.addWidget(reports)
        tab = reports.branch_tab
        qtbot.waitUntil(lambda: tab.ret is not None)
        target = tmp_path / "报表.xlsx"
        monkeypatch.setattr(file_dialogs, "choose_paths", lambda *a, **k: [str(target)])
        tab.export_button.click()
        qtbot.waitUntil(lambda: not tab.exporting, timeout=10_000)
        assert tab.last_export == target and target.stat().st_size > 0
    finally:
        opened.close()


def test_logs_go_to_the_user_folder_when_the_data_folder_is_read_only(
    read_only_folder, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "user"))
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        path = setup_logging(read_only_folder)
    finally:
        for handler in root.handlers[:]:
            if handler not in before:
                root.removeHandler(handler)
                handler.close()
    assert path == tmp_path / "user" / "branchdesk" / "logs" / "branchdesk.log"
