"""数据与备份 on the 设置 page, and restoring a backup under a running window."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtGui import QDesktopServices

from branchdesk.domain.branch import Branch
from branchdesk.domain.members import Member
from branchdesk.store.backup import auto_backup, list_backups, write_backup
from branchdesk.store.restore import restore_backup
from branchdesk.ui import file_dialogs, msgbox
from branchdesk.ui.context import AppContext
from branchdesk.ui.dialogs.restore_flow import RestoreDialog, restore_and_reopen
from branchdesk.ui.pages.members_page import MembersPage
from branchdesk.ui.pages.settings_page import SettingsPage, handover_file_name


@pytest.fixture
def told(monkeypatch) -> dict[str, list[str]]:
    said: dict[str, list[str]] = {"information": [], "error": []}
    monkeypatch.setattr(msgbox, "information", lambda p, t, text: said["information"].append(text))
    monkeypatch.setattr(msgbox, "error", lambda p, t, text: said["error"].append(text))
    monkeypatch.setattr(msgbox, "warning", lambda *a: pytest.fail(f"warning{a}"))
    monkeypatch.setattr(msgbox, "confirm", lambda *a, **k: pytest.fail("confirm"))
    return said


@pytest.fixture
def context(file_db, data_dir) -> AppContext:
    context = AppContext(db=file_db, data_dir=data_dir)
    context.branch.save(Branch("城关街道幸福里社区党支部", "城关街道党工委"))
    for name in ("张伟", "王芳"):
        context.members.add(Member(name=name))
    return context


@pytest.fixture
def page(qtbot, context, told) -> SettingsPage:
    page = SettingsPage(context)
    qtbot.addWidget(page)
    return page


def test_default_handover_name() -> None:
    name = handover_file_name("城关街道幸福里社区党支部", dt.date(2026, 11, 24))
    assert name == "城关街道幸福里社区党支部_交接备份_20261124.bdbackup"
    assert handover_file_name("a/b", dt.date(2026, 1, 2)) == "a_b_交接备份_20260102.bdbackup"


def test_lists_backups_and_reads_one_when_selected(qtbot, context, page) -> None:
    assert page.backup_table.rowCount() == 0
    assert "还没有备份" in page.last_backup_label.text()
    auto_backup(context.data_dir, now=dt.datetime(2026, 11, 23, 9, 5))
    auto_backup(context.data_dir, now=dt.datetime(2026, 11, 24, 18, 30))
    page.reload_backups()
    assert page.backup_table.rowCount() == 2
    assert page.backup_table.item(0, 0).text() == "2026年11月24日 18:30"
    assert page.backup_table.item(0, 1).text() == "自动备份"
    assert page.backup_table.item(0, 2).text().endswith("KB")
    assert page.backup_table.item(0, 3).text() == "选中后显示"
    assert page.last_backup_label.text() == "上次备份：2026年11月24日 18:30　共 2 份"
    page.backup_table.selectRow(1)
    assert page.backup_table.item(1, 3).text() == "2 名党员，0 次会议，0 次活动"


def test_backup_now_runs_in_the_background(qtbot, context, page, monkeypatch) -> None:
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    page.backup_now_button.click()
    assert not page.backup_now_button.isEnabled()
    qtbot.waitUntil(lambda: page.result_line.isVisibleTo(page), timeout=10000)
    assert "2 名党员" in page.result_label.text()
    assert page.backup_table.rowCount() == 1 and len(list_backups(context.data_dir)) == 1
    assert page.backup_now_button.isEnabled()
    page.result_open_button.click()
    assert Path(opened[0].toLocalFile()) == context.data_dir / "backups"


def test_backup_to_a_usb_stick(qtbot, context, page, monkeypatch, tmp_path) -> None:
    stick = tmp_path / "U盘"
    stick.mkdir()
    asked = []

    def save_name(parent, caption, suggested, filters, mode):
        asked.append((Path(suggested).name, filters))
        return [str(stick / "交接")]  # the extension is added when left out

    monkeypatch.setattr(file_dialogs, "choose_paths", save_name)
    page.backup_to_button.click()
    qtbot.waitUntil(lambda: page.result_line.isVisibleTo(page), timeout=10000)
    name, filters = asked[0]
    assert name.startswith("城关街道幸福里社区党支部_交接备份_") and name.endswith(".bdbackup")
    assert filters == "BranchDesk 备份 (*.bdbackup)"
    assert (stick / "交接.bdbackup").is_file()
    assert str(stick / "交接.bdbackup") in page.result_label.text()


def test_restore_asks_with_a_preview_then_requests(
    qtbot, context, page, monkeypatch, tmp_path
) -> None:
    backup = tmp_path / "old.bdbackup"
    write_backup(context.data_dir, backup, now=dt.datetime(2026, 1, 5, 10, 0))
    monkeypatch.setattr(file_dialogs, "choose_paths", lambda *a: [str(backup)])
    previews = []
    monkeypatch.setattr(
        RestoreDialog, "ask", lambda parent, info, branch: previews.append(info) or True
    )
    with qtbot.waitSignal(page.restore_requested) as signal:
        page.restore_button.click()
    assert signal.args == [backup]
    (info,) = previews
    assert (info.branch, info.members, info.created_at) == (
        "城关街道幸福里社区党支部",
        2,
        dt.datetime(2026, 1, 5, 10, 0),
    )


def test_restore_refuses_a_file_that_is_not_a_backup(
    qtbot, page, told, monkeypatch, tmp_path
) -> None:
    other = tmp_path / "花名册.bdbackup"
    other.write_bytes(b"not a zip")
    monkeypatch.setattr(file_dialogs, "choose_paths", lambda *a: [str(other)])
    monkeypatch.setattr(RestoreDialog, "ask", lambda *a: pytest.fail("previewed"))
    page.restore_button.click()
    assert told["error"] and "不是可用的 BranchDesk 备份文件" in told["error"][0]


def test_restore_dialog_shows_what_the_backup_holds(qtbot, context, tmp_path) -> None:
    info = write_backup(
        context.data_dir, tmp_path / "x.bdbackup", now=dt.datetime(2026, 1, 5, 10, 0)
    )
    dialog = RestoreDialog(None, info, "另一个党支部")
    qtbot.addWidget(dialog)
    assert dialog.facts["支部"] == "城关街道幸福里社区党支部"
    assert dialog.facts["备份时间"] == "2026年1月5日 10:00"
    assert dialog.facts["党员"].startswith("2 名")
    assert "先把当前数据自动备份" in dialog.warning_label.text()
    assert "另一个党支部" in dialog.warning_label.text()


def test_restore_and_reopen_replaces_the_data_under_the_pages(
    qtbot, context, told, tmp_path
) -> None:
    backup = tmp_path / "old.bdbackup"
    write_backup(context.data_dir, backup)
    context.members.add(Member(name="李强"))  # typed after the backup
    members = MembersPage(context)
    settings = SettingsPage(context)
    for widget in (members, settings):
        qtbot.addWidget(widget)
    settings.restore_requested.connect(lambda path: restore_and_reopen(settings, context, path))
    assert members.model.rowCount() == 3
    settings.restore_requested.emit(backup)
    assert [m.name for m in context.members.list()] == ["张伟", "王芳"]
    assert members.model.rowCount() == 2  # refreshed on "all"
    assert told["information"] and "2 名党员" in told["information"][0]
    safety = [p for p, _ in list_backups(context.data_dir) if p.name.startswith("restore-safety")]
    assert len(safety) == 1  # the data before the restore was kept
    assert settings.backup_table.item(0, 1).text() == "恢复前自动保存"
    context.members.add(Member(name="赵敏"))  # the reopened database takes writes
    assert len(context.members.list()) == 3


def test_a_failed_restore_keeps_the_data_and_the_connection(qtbot, context, told, tmp_path) -> None:
    broken = tmp_path / "broken.bdbackup"
    broken.write_bytes(b"PK\x03\x04 not really")
    assert restore_and_reopen(None, context, broken) is False
    assert told["error"] and "不是可用的 BranchDesk 备份文件" in told["error"][0]
    assert [m.name for m in context.members.list()] == ["张伟", "王芳"]


def test_safety_copies_are_listed_with_their_reason_and_deleted_only_by_the_user(
    qtbot, context, page, monkeypatch, tmp_path
) -> None:
    backup = write_backup(context.data_dir, tmp_path / "old.bdbackup").path
    auto_backup(context.data_dir, now=dt.datetime(2026, 11, 23, 9, 5))
    context.db.close()
    restore_backup(context.data_dir, backup, now=dt.datetime(2026, 11, 24, 8, 15))
    auto_backup(context.data_dir, now=dt.datetime(2026, 11, 24, 18, 30))  # same day: kept
    own = context.data_dir / "backups" / "交接备份.bdbackup"
    own.write_bytes(backup.read_bytes())
    page.reload_backups()
    rows = [
        (page.backup_table.item(r, 0).text(), page.backup_table.item(r, 1).text())
        for r in range(page.backup_table.rowCount())
    ]
    assert ("2026年11月24日 08:15", "恢复前自动保存") in rows
    assert ("2026年11月24日 18:30", "自动备份") in rows and ("2026年11月23日 09:05", "自动备份") in rows
    assert [kind for _, kind in rows].count("其他备份") == 1
    safety_row = rows.index(("2026年11月24日 08:15", "恢复前自动保存"))

    page.backup_table.selectRow(rows.index(("2026年11月24日 18:30", "自动备份")))
    assert not page.delete_selected_button.isEnabled()  # automatic ones are rotated
    assert "自动清理" in page.delete_selected_button.toolTip()

    asked = []
    answer = [False]
    monkeypatch.setattr(
        msgbox, "confirm", lambda parent, title, text, **kw: asked.append(text) or answer[0]
    )
    page.backup_table.selectRow(safety_row)
    assert page.delete_selected_button.isEnabled()
    page.delete_selected_button.click()  # and then 取消
    safety = context.data_dir / "backups" / "restore-safety-20261124-081500.bdbackup"
    assert safety.is_file()
    assert "2026年11月24日 08:15" in asked[0] and "删除后无法找回" in asked[0]
    answer[0] = True
    page.delete_selected_button.click()
    assert not safety.exists()
    assert page.backup_table.rowCount() == len(rows) - 1
    assert "恢复前自动保存" not in [
        page.backup_table.item(r, 1).text() for r in range(page.backup_table.rowCount())
    ]


def test_the_message_after_a_restore_names_the_safety_copy(qtbot, context, told, tmp_path) -> None:
    backup = write_backup(context.data_dir, tmp_path / "old.bdbackup").path
    assert restore_and_reopen(None, context, backup)
    (said,) = told["information"]
    (safety,) = [p for p, _ in list_backups(context.data_dir) if p.name.startswith("restore-")]
    assert safety.name in said and "不会被自动清理" in said


def test_a_read_only_folder_offers_no_deleting(qtbot, context, told) -> None:
    context.read_only = True
    page = SettingsPage(context)
    qtbot.addWidget(page)
    assert not page.delete_selected_button.isEnabled()
