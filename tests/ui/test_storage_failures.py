"""A full disk or a locked file is told in Chinese, the form stays open as typed, nothing is written."""

from __future__ import annotations

import datetime as dt
import errno
import sqlite3

import pytest

from branchdesk.domain.branch import Branch
from branchdesk.domain.meetings import Meeting, MeetingKind
from branchdesk.domain.members import Member, MemberStatus
from branchdesk.store.db import StorageError
from branchdesk.store.meetings import MeetingRepo
from branchdesk.store.members import GroupRepo, MemberRepo
from branchdesk.ui import msgbox
from branchdesk.ui.context import AppContext
from branchdesk.ui.dialogs.groups_dialog import GroupsDialog, MoveGroupDialog
from branchdesk.ui.dialogs.status_dialog import StatusDialog
from branchdesk.ui.editors.meeting_editor import MeetingEditor
from branchdesk.ui.editors.member_dialog import MemberDialog
from branchdesk.ui.errors import user_message
from branchdesk.ui.pages.meetings_page import MeetingsPage
from branchdesk.ui.pages.settings_page import SettingsPage

DISK_FULL = "磁盘空间已满，数据没有保存。请清理磁盘后重试，已保存的数据不受影响。"


@pytest.fixture
def errors(monkeypatch) -> list[str]:
    told: list[str] = []
    monkeypatch.setattr(msgbox, "error", lambda parent, title, text: told.append(text))
    monkeypatch.setattr(msgbox, "confirm", lambda *a, **k: True)
    for name in ("information", "warning"):
        monkeypatch.setattr(msgbox, name, lambda *a, _n=name: pytest.fail(f"{_n}{a}"))
    return told


@pytest.fixture
def context(file_db, data_dir) -> AppContext:
    context = AppContext(db=file_db, data_dir=data_dir)
    context.branch.save(Branch("幸福里社区党支部", "城关街道党工委"))
    group = context.groups.create("第一党小组")
    for name in ("张伟", "王芳", "李强"):
        context.members.add(Member(name=name, group_id=group.id))
    return context


def _fill_disk(db) -> None:
    """Let the database grow no further, so the next sizeable write fails with SQLITE_FULL."""
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")


def _raise(exc: BaseException):
    def fail(*_args, **_kwargs):
        raise exc

    return fail


# -- user_message ----------------------------------------------------------------------------------


def test_user_message_tells_the_environment_and_leaves_bugs() -> None:
    assert user_message(StorageError("磁盘空间已满…")) == "磁盘空间已满…"
    assert user_message(sqlite3.OperationalError("database or disk is full")).startswith(
        "磁盘空间已满"
    )
    assert "另一个程序" in user_message(sqlite3.OperationalError("database is locked"))
    assert "只读" in user_message(sqlite3.OperationalError("attempt to write a readonly database"))
    assert "损坏" in user_message(sqlite3.DatabaseError("database disk image is malformed"))
    assert user_message(OSError(errno.ENOSPC, "No space left on device", "/media/u/x")).startswith(
        "磁盘空间已满"
    )
    # bugs: our SQL or our code, for the crash handler
    assert user_message(sqlite3.OperationalError("no such table: memberz")) is None
    assert user_message(sqlite3.IntegrityError("UNIQUE constraint failed")) is None
    assert user_message(sqlite3.ProgrammingError("Cannot operate on a closed database.")) is None
    assert user_message(KeyError("x")) is None


# -- the member form -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "exc",
    [StorageError(DISK_FULL), sqlite3.OperationalError("database or disk is full")],
    ids=["StorageError", "sqlite3"],
)
def test_member_form_stays_open_with_its_content_when_the_disk_is_full(
    qtbot, context, errors, monkeypatch, exc
) -> None:
    monkeypatch.setattr(MemberRepo, "add", _raise(exc))
    dialog = MemberDialog(None, context)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.name_edit.setText("赵敏")
    dialog.notes_edit.setPlainText("2024年从外省转入")
    assert dialog.save() is False
    assert errors and errors[0].startswith("磁盘空间已满")
    assert dialog.isVisible() and dialog.result() == 0
    assert dialog.name_edit.text() == "赵敏"
    assert dialog.notes_edit.toPlainText() == "2024年从外省转入"
    assert [m.name for m in context.members.list()] == ["张伟", "王芳", "李强"]


def test_a_real_full_disk_keeps_the_form_and_the_database(qtbot, context, errors) -> None:
    member = context.members.list()[0]
    dialog = MemberDialog(None, context, context.members.get(member.id))
    qtbot.addWidget(dialog)
    dialog.show()
    long_note = "入党志愿书、政审材料齐全。" * 4000  # needs new pages, which the full disk refuses
    dialog.notes_edit.setPlainText(long_note)
    history_before = context.db.execute("SELECT count(*) FROM change_log").fetchone()[0]
    _fill_disk(context.db)
    assert dialog.save() is False
    assert errors == [errors[0]] and errors[0].startswith("磁盘空间已满，数据没有保存")
    assert dialog.isVisible()
    assert dialog.notes_edit.toPlainText() == long_note
    assert context.members.get(member.id).notes == ""  # nothing half-written
    assert context.db.execute("SELECT count(*) FROM change_log").fetchone()[0] == history_before
    context.db.execute("PRAGMA max_page_count = 1073741823")  # space again: the same form saves
    assert dialog.save() is True
    assert context.members.get(member.id).notes == long_note


def test_a_bug_is_not_dressed_up_as_a_storage_problem(qtbot, context, errors, monkeypatch) -> None:
    monkeypatch.setattr(MemberRepo, "add", _raise(sqlite3.OperationalError("no such column: x")))
    dialog = MemberDialog(None, context)
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("赵敏")
    with pytest.raises(sqlite3.OperationalError):
        dialog.save()
    assert errors == []


# -- the other dialogs -----------------------------------------------------------------------------


def test_status_dialog_stays_open(qtbot, context, errors, monkeypatch) -> None:
    monkeypatch.setattr(
        MemberRepo, "set_status", _raise(sqlite3.OperationalError("database is locked"))
    )
    member = context.members.list()[0]
    dialog = StatusDialog(None, context, member)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.date_edit.setText("2024.05")
    dialog.note_edit.setText("转往第二社区党支部")
    assert dialog.save() is False
    assert "另一个程序" in errors[0]
    assert dialog.isVisible() and dialog.note_edit.text() == "转往第二社区党支部"
    assert context.members.get(member.id).status is MemberStatus.ACTIVE


def test_groups_dialog_tells_and_keeps_the_name(qtbot, context, errors, monkeypatch) -> None:
    monkeypatch.setattr(
        GroupRepo, "create", _raise(sqlite3.OperationalError("database or disk is full"))
    )
    dialog = GroupsDialog(None, context)
    qtbot.addWidget(dialog)
    dialog.new_edit.setText("第二党小组")
    dialog.create_group()
    assert errors and errors[0].startswith("磁盘空间已满")
    assert dialog.new_edit.text() == "第二党小组"
    assert [g.name for g in GroupRepo(context.db).list()] == ["第一党小组"]


def test_move_group_dialog_stays_open(qtbot, context, errors, monkeypatch) -> None:
    monkeypatch.setattr(MemberRepo, "move_to_group", _raise(StorageError(DISK_FULL)))
    dialog = MoveGroupDialog(None, context, context.members.list()[:2])
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.save() is False
    assert errors == [DISK_FULL] and dialog.isVisible()


def test_meeting_editor_keeps_the_minutes(qtbot, context, errors) -> None:
    editor = MeetingEditor(None, context, today=dt.date(2025, 6, 18))
    qtbot.addWidget(editor)
    editor.show()
    minutes = "一、传达学习上级会议精神。\n二、讨论本季度志愿服务安排。\n" * 300
    editor.minutes_edit.setPlainText(minutes)
    editor.title_edit.setText("六月主题党日")
    context.db.execute("PRAGMA max_page_count = 1")
    assert editor.save() is False
    assert errors and errors[0].startswith("磁盘空间已满")
    assert editor.isVisible() and editor.saved_meeting is None
    assert editor.minutes_edit.toPlainText() == minutes
    context.db.execute("PRAGMA max_page_count = 1073741823")
    assert MeetingRepo(context.db).count() == 0


def test_meeting_delete_and_undo_tell_instead_of_crashing(
    qtbot, context, errors, monkeypatch
) -> None:
    repo = MeetingRepo(context.db)
    repo.add(Meeting(kinds=[MeetingKind.THEME_DAY], day=dt.date(2025, 6, 5), title="学习"))
    page = MeetingsPage(context)
    qtbot.addWidget(page)
    page.table.selectRow(0)
    monkeypatch.setattr(MeetingRepo, "delete", _raise(StorageError("2025年6月已上报，已锁定")))
    page.actions_by_id["delete"].trigger()
    assert errors == ["2025年6月已上报，已锁定"]
    assert page.model.rowCount() == 1 and page.undo_bar.isHidden()


def test_settings_page_save_tells(qtbot, context, errors, monkeypatch) -> None:
    from branchdesk.store.members import BranchRepo

    monkeypatch.setattr(
        BranchRepo, "save", _raise(sqlite3.OperationalError("database or disk is full"))
    )
    page = SettingsPage(context)
    qtbot.addWidget(page)
    page.name_edit.setText("幸福里社区第一党支部")
    assert page.save() is False
    assert errors and errors[0].startswith("磁盘空间已满")
    assert page.name_edit.text() == "幸福里社区第一党支部"
    assert context.branch.get().name == "幸福里社区党支部"
