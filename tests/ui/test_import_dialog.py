"""The import dialog: a messy roster is read in the background, previewed, then imported."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from reports.roster_samples import write_messy_roster

from branchdesk.domain.branch import Branch
from branchdesk.store.members import BranchRepo, MemberRepo
from branchdesk.ui.context import AppContext
from branchdesk.ui.dialogs.import_dialog import ImportDialog
from screenshots import screenshot_file

SCREENSHOT = screenshot_file("import_preview.png")


@pytest.fixture
def context(qapp, file_db, data_dir):
    BranchRepo(file_db).save(Branch("城关社区第一党支部"))
    return AppContext(db=file_db, data_dir=data_dir)


def _open(qtbot, context, path):
    dialog = ImportDialog(context, path)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: not dialog.reading, timeout=10_000)
    return dialog


def test_preview_shows_counts_and_import_writes_members(qtbot, context, tmp_path, qtmodeltester):
    path = write_messy_roster(tmp_path / "花名册.xlsx")
    dialog = _open(qtbot, context, path)
    dialog.resize(960, 600)

    assert dialog.count_text("add") == "新增 6 人"
    assert dialog.count_text("update") == "更新 0 人"
    assert dialog.count_text("unchanged") == "无变化 0 人"
    assert dialog.count_text("skipped") == "跳过 4 行"
    assert dialog.count_text("warnings") == "提示 3 条"
    assert dialog.skipped_model.index(0, 0).data() == "第 9 行"
    assert "后几位已丢失" in dialog.skipped_model.index(0, 2).data()
    assert dialog.tabs.tabText(0) == "新增（6）"
    for model in (dialog.add_model, dialog.skipped_model, dialog.warning_model):
        qtmodeltester.check(model)
    assert MemberRepo(context.db).list() == []  # nothing written before 导入

    SCREENSHOT.parent.mkdir(exist_ok=True)
    dialog.tabs.setCurrentIndex(3)  # the warnings: the longest texts people must read
    assert dialog.grab().save(str(SCREENSHOT))

    with qtbot.waitSignal(context.events.changes_applied, timeout=2_000) as blocker:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0].members
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.import_result is not None and dialog.import_result.added == 6
    names = sorted(m.name for m in MemberRepo(context.db).list())
    assert names == sorted(["王芳", "买买提·艾力", "李华", "赵磊", "吴十", "郑一"])


def test_second_import_has_nothing_to_do(qtbot, context, tmp_path):
    path = write_messy_roster(tmp_path / "花名册.xlsx")
    first = _open(qtbot, context, path)
    qtbot.mouseClick(first.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: first.import_result is not None)
    second = _open(qtbot, context, path)
    assert second.count_text("unchanged") == "无变化 6 人"
    assert second.count_text("add") == "新增 0 人"
    assert not second.import_button.isEnabled()


def test_the_write_runs_in_the_background_and_cannot_be_left_half_seen(
    qtbot, context, tmp_path, monkeypatch
):
    import threading

    from branchdesk.ops import roster as import_dialog  # where the write is made

    threads = []
    go_on = threading.Event()  # the write waits until the dialog has been looked at
    real_apply = import_dialog.apply_import

    def apply(db, preview, **_dated):
        threads.append(threading.current_thread())
        assert go_on.wait(10)
        return real_apply(db, preview)

    monkeypatch.setattr(import_dialog, "apply_import", apply)
    dialog = _open(qtbot, context, write_messy_roster(tmp_path / "花名册.xlsx"))
    dialog.show()
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(threads))
    assert dialog.status_label.text() == "正在导入…"
    assert not dialog.import_button.isEnabled() and not dialog.cancel_button.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # ignored until the write is done
    assert dialog.isVisible() and MemberRepo(context.db).list() == []
    with qtbot.waitSignal(context.events.changes_applied, timeout=5_000):
        go_on.set()
    assert threads[0] is not threading.main_thread()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert len(MemberRepo(context.db).list()) == 6


def test_cancel_writes_nothing(qtbot, context, tmp_path):
    dialog = _open(qtbot, context, write_messy_roster(tmp_path / "花名册.xlsx"))
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert MemberRepo(context.db).list() == []


def test_refused_file_is_explained_in_the_dialog(qtbot, context, tmp_path):
    path = tmp_path / "旧名册.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0not really")
    dialog = _open(qtbot, context, path)
    assert "旧名册.xls" in dialog.status_label.text()
    assert "另存为" in dialog.status_label.text()
    assert not dialog.import_button.isEnabled()


def test_ask_returns_none_when_no_file_is_chosen(qtbot, context, monkeypatch):
    from branchdesk.ui import file_dialogs

    asked = []
    monkeypatch.setattr(
        file_dialogs, "choose_paths", lambda *args, **kwargs: asked.append(args[3]) or []
    )
    assert ImportDialog.ask(None, context) is None
    assert "*.xls" in asked[0] and "*.et" in asked[0] and "*.csv" in asked[0]


def test_a_failed_write_is_told_and_the_preview_stays(qtbot, context, tmp_path, monkeypatch):
    from branchdesk.ops import roster as import_dialog  # where the write is made
    from branchdesk.store.db import StorageError
    from branchdesk.ui import msgbox

    errors = []
    monkeypatch.setattr(msgbox, "error", lambda _parent, title, text: errors.append((title, text)))

    def full_disk(db, preview, **_dated):
        raise StorageError("磁盘空间不足，数据没有保存。")

    monkeypatch.setattr(import_dialog, "apply_import", full_disk)
    dialog = _open(qtbot, context, write_messy_roster(tmp_path / "花名册.xlsx"))
    before = dialog.status_label.text()
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(errors))
    assert errors == [("导入失败", "磁盘空间不足，数据没有保存。\n花名册没有任何改动。")]
    assert dialog.status_label.text() == before and dialog.import_button.isEnabled()
    assert dialog.cancel_button.isEnabled() and dialog.import_result is None
    assert MemberRepo(context.db).list() == []


@pytest.fixture
def fresh_choices():
    from PySide6.QtCore import QSettings

    from branchdesk.ui.dialogs import import_dialog

    QSettings().remove(import_dialog._CHOICES_KEY)
    yield
    QSettings().remove(import_dialog._CHOICES_KEY)


def test_every_column_is_shown_and_a_column_can_be_pointed_at_a_field(
    qtbot, context, tmp_path, fresh_choices
):
    """家庭住址 has no field of its own: the user sends it to 备注, and that is remembered."""
    from reports.roster_corpus import national_two_row

    path = national_two_row(tmp_path / "汇总表.xlsx")
    dialog = _open(qtbot, context, path)
    table = dialog.columns_table
    headers = [table.item(row, 2).text() for row in range(table.rowCount())]
    assert "联系电话/手机号" in headers and "联系电话/固定电话" in headers
    assert "未导入的列" in dialog.status_label.text()
    address = headers.index("家庭住址")
    assert dialog.column_combo(address).currentText() == "不导入"
    assert "没有此项" in table.item(address, 4).text()
    assert dialog.tabs.tabText(dialog.tabs.indexOf(table)).startswith("列（")

    combo = dialog.column_combo(address)
    combo.setCurrentIndex(combo.findText("备注"))
    qtbot.waitUntil(lambda: not dialog.reading, timeout=10_000)
    zhang = next(p.member for p in dialog.preview.to_add if p.member.name == "张伟")
    assert "家庭住址：某市某区某街1号" in zhang.notes

    again = _open(qtbot, context, path)  # the choice is remembered for this header text
    row = [again.columns_table.item(r, 2).text() for r in range(again.columns_table.rowCount())]
    assert again.column_combo(row.index("家庭住址")).currentText() == "备注"
    assert "按您的选择" in again.columns_table.item(row.index("家庭住址"), 4).text()


def test_non_members_and_rows_without_people_are_listed_not_imported(
    qtbot, context, tmp_path, fresh_choices
):
    from reports.roster_corpus import handmade_with_notes, mixed_stages

    dialog = _open(qtbot, context, mixed_stages(tmp_path / "学院.xlsx"))
    assert dialog.count_text("non_members") == "非党员 3 人"
    assert dialog.count_text("add") == "新增 2 人"
    stages = {
        dialog.non_member_model.index(r, 1).data(): dialog.non_member_model.index(r, 2).data()
        for r in range(dialog.non_member_model.rowCount())
    }
    assert stages == {"郭燕": "入党积极分子", "李明": "入党申请人", "王强": "发展对象"}

    notes = _open(qtbot, context, handmade_with_notes(tmp_path / "社区.xlsx"))
    reasons = [notes.ignored_model.index(r, 2).data() for r in range(notes.ignored_model.rowCount())]
    assert "合计行" in reasons and "只有序号的空行" in reasons
    assert notes.ignored_model.index(reasons.index("只有序号的空行"), 0).data() == "第 7–8 行"
    assert notes.count_text("add") == "新增 3 人"
    SCREENSHOT.parent.mkdir(exist_ok=True)
    notes.resize(960, 600)
    notes.tabs.setCurrentWidget(notes.columns_table)
    assert notes.grab().save(str(SCREENSHOT.with_name("import_columns.png")))


def test_sheets_are_named_in_rows_when_a_file_has_several(qtbot, context, tmp_path, fresh_choices):
    from reports.roster_corpus import probationary_second_sheet

    dialog = _open(qtbot, context, probationary_second_sheet(tmp_path / "两表.xlsx"))
    labels = [dialog.add_model.index(r, 0).data() for r in range(dialog.add_model.rowCount())]
    assert "预备党员信息 第 2 行" in labels
    assert "“填表说明”（没有找到花名册表头）" in dialog.status_label.text()
    categories = {
        dialog.add_model.index(r, 1).data(): dialog.add_model.index(r, 4).data()
        for r in range(dialog.add_model.rowCount())
    }
    assert categories == {"张伟": "正式", "马琳": "正式", "吴强": "预备", "孙浩": "预备"}


def test_a_password_protected_roster_asks_for_its_password(
    qtbot, context, tmp_path, monkeypatch, fresh_choices
):
    """Wrong, then right: the workbook opens in memory and the preview follows."""
    from PySide6.QtWidgets import QInputDialog
    from reports.roster_corpus import encrypted

    answers = [("1234", True), ("2026", True)]
    prompts = []

    def get_text(_parent, _title, prompt, _mode):
        prompts.append(prompt)
        return answers.pop(0)

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(get_text))
    dialog = ImportDialog(context, encrypted(tmp_path / "加密.xlsx"))
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=15_000)
    assert "有密码保护" in prompts[0] and "密码不正确" in prompts[1]
    assert dialog.count_text("add") == "新增 3 人"
    assert not list(tmp_path.glob("*.decrypted*"))  # nothing decrypted on disk


def test_cancelling_the_password_explains_and_imports_nothing(
    qtbot, context, tmp_path, monkeypatch
):
    from PySide6.QtWidgets import QInputDialog
    from reports.roster_corpus import encrypted

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a: ("", False)))
    dialog = _open(qtbot, context, encrypted(tmp_path / "加密.xlsx"))
    assert "没有输入密码" in dialog.status_label.text()
    assert not dialog.import_button.isEnabled()
