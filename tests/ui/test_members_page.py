"""The 党员 page: counts, rows, filters, search, status changes and the toolbar actions."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest
from PySide6.QtWidgets import QPushButton

from branchdesk.domain.dates import PartialDate
from branchdesk.domain.members import Category, Member, MemberStatus, Role
from branchdesk.ops import Changes
from branchdesk.ui import msgbox
from branchdesk.ui.context import AppContext
from branchdesk.ui.dialogs.groups_dialog import GroupsDialog, MoveGroupDialog
from branchdesk.ui.dialogs.status_dialog import StatusDialog
from branchdesk.ui.editors.member_dialog import MemberDialog
from branchdesk.ui.models.member_table_model import Column
from branchdesk.ui.ops import announce
from branchdesk.ui.pages.members_page import MembersPage


@pytest.fixture(autouse=True)
def no_real_message_boxes(monkeypatch):
    monkeypatch.setattr(msgbox, "confirm", lambda *args, **kwargs: True)
    for name in ("information", "warning", "error"):
        monkeypatch.setattr(msgbox, name, lambda *args, _name=name: pytest.fail(f"{_name}{args}"))


@pytest.fixture
def context(db, data_dir) -> AppContext:
    """A small roster: two groups, five members of whom one is 预备 and one has left."""
    context = AppContext(db=db, data_dir=data_dir)
    first = context.groups.create("第一党小组").id
    second = context.groups.create("第二党小组").id
    repo = context.members
    repo.add(Member(name="张伟", group_id=first, phone="13812345678", roles=[Role.SECRETARY],
                    join_date=PartialDate(1995, 7, 1)))  # fmt: skip
    repo.add(Member(name="王芳", group_id=first, category=Category.PROBATIONARY,
                    workplace="幸福里社区居委会"))  # fmt: skip
    repo.add(Member(name="李强", group_id=second, id_number="110101198001011234"))
    repo.add(Member(name="赵敏", group_id=second, status=MemberStatus.FLOWING))
    gone = repo.add(Member(name="孙立", group_id=second))
    repo.set_status(gone, MemberStatus.TRANSFERRED_OUT, PartialDate(2024, 5, 1))
    return context


@pytest.fixture
def page(qtbot, context) -> MembersPage:
    page = MembersPage(context)
    qtbot.addWidget(page)
    page.resize(1048, 760)
    return page


def names(page: MembersPage) -> list[str]:
    return [member.name for member in page.visible_members()]


def select(page: MembersPage, *wanted: str) -> None:
    page.table.clearSelection()
    for row, member in enumerate(page.visible_members()):
        if member.name in wanted:
            page.table.selectionModel().select(
                page.proxy.index(row, 0),
                page.table.selectionModel().SelectionFlag.Select
                | page.table.selectionModel().SelectionFlag.Rows,
            )


def test_counts_and_rows_of_the_roster(page) -> None:
    assert page.counts_label.text() == "共 4 名党员，正式 3 名，预备 1 名"
    assert not page.shown_label.isVisibleTo(page)  # nothing narrowed
    assert names(page) == ["张伟", "王芳", "李强", "赵敏"]  # 孙立 left; 赵敏 流动 still counts
    row = [page.proxy.index(0, c).data() for c in Column]
    assert row[Column.NAME] == "张伟"
    assert row[Column.JOIN_DATE] == "1995-07-01"
    assert row[Column.ROLES] == "书记"
    assert row[Column.PHONE] == "138****5678"  # masked in lists
    assert "110101198001011234" not in [page.proxy.index(2, c).data() for c in Column]


def test_filters_narrow_the_rows_but_not_the_counts(page) -> None:
    page.group_combo.setCurrentIndex(page.group_combo.findText("第二党小组"))
    assert names(page) == ["李强", "赵敏"]
    assert page.shown_label.text() == "当前显示 2 人"
    assert page.counts_label.text() == "共 4 名党员，正式 3 名，预备 1 名"
    page.group_combo.setCurrentIndex(0)
    page.category_combo.setCurrentIndex(page.category_combo.findText("预备党员"))
    assert names(page) == ["王芳"]
    page.category_combo.setCurrentIndex(0)
    page.include_left_box.setChecked(True)
    assert "孙立" in names(page)
    assert page.shown_label.text() == "当前显示 5 人"


def test_search_box_finds_name_id_phone_and_workplace(qtbot, page) -> None:
    for text, expected in (("王", ["王芳"]), ("19800101", ["李强"]), ("1381234", ["张伟"]),
                           ("居委会", ["王芳"])):  # fmt: skip
        page.search_edit.clear()
        qtbot.keyClicks(page.search_edit, text) if text.isascii() else page.search_edit.setText(
            text
        )
        assert names(page) == expected, text
    page.search_edit.clear()
    assert len(names(page)) == 4


def test_status_change_hides_member_but_keeps_the_record(qtbot, page, context) -> None:
    select(page, "李强")
    member = page.selected_members()[0]
    dialog = StatusDialog(page, context, member)
    qtbot.addWidget(dialog)
    assert dialog.status() is MemberStatus.TRANSFERRED_OUT  # the usual choice first
    assert dialog.save() is False  # a date is required for leaving
    assert dialog.date_message.severity == "error"
    dialog.date_edit.setText("2025.03")
    dialog.note_edit.setText("转往城南社区党支部")
    with qtbot.waitSignal(context.events.changes_applied):
        assert dialog.save() is True
    assert "李强" not in names(page)
    assert page.counts_label.text() == "共 3 名党员，正式 2 名，预备 1 名"
    page.include_left_box.setChecked(True)
    assert "李强" in names(page)
    stored = context.members.get(member.id)
    assert stored.status is MemberStatus.TRANSFERRED_OUT
    assert stored.status_date == PartialDate(2025, 3)
    assert "转往城南社区党支部" in stored.notes


def test_status_dialog_can_bring_a_member_back(qtbot, page, context) -> None:
    page.include_left_box.setChecked(True)
    select(page, "孙立")
    dialog = StatusDialog(page, context, page.selected_members()[0])
    qtbot.addWidget(dialog)
    assert dialog.status() is MemberStatus.ACTIVE
    assert dialog.save() is True
    page.include_left_box.setChecked(False)
    assert "孙立" in names(page)


def test_page_has_no_delete_action(page) -> None:
    texts = [action.text() for action in page.actions()]
    assert not any("删除" in text for text in texts)
    assert "转出/离开…" in texts


def test_toolbar_actions_open_the_dialogs(page, monkeypatch) -> None:
    calls: list[tuple[str, object]] = []
    monkeypatch.setattr(MemberDialog, "ask", classmethod(
        lambda cls, parent, ctx, member=None: calls.append(("member", member and member.name))))
    monkeypatch.setattr(StatusDialog, "ask", classmethod(
        lambda cls, parent, ctx, member: calls.append(("status", member.name))))
    monkeypatch.setattr(MoveGroupDialog, "ask", classmethod(
        lambda cls, parent, ctx, members: calls.append(("move", [m.name for m in members]))))
    monkeypatch.setattr(GroupsDialog, "ask", classmethod(
        lambda cls, parent, ctx: calls.append(("groups", None))))  # fmt: skip
    actions = page.actions_by_id
    actions["add"].trigger()
    assert not actions["edit"].isEnabled()
    select(page, "王芳")
    actions["edit"].trigger()
    actions["status"].trigger()
    select(page, "王芳", "李强")
    assert not actions["edit"].isEnabled() and actions["move"].isEnabled()
    actions["move"].trigger()
    actions["groups"].trigger()
    page.table.activated.emit(page.proxy.index(0, Column.PHONE))  # Enter or double-click
    assert calls == [("member", None), ("member", "王芳"), ("status", "王芳"),
                     ("move", ["王芳", "李强"]), ("groups", None), ("member", "张伟")]  # fmt: skip
    assert actions["add"].shortcut().toString() == "Ctrl+N"


def test_moving_members_between_groups(qtbot, page, context) -> None:
    select(page, "张伟", "王芳")
    dialog = MoveGroupDialog(page, context, page.selected_members())
    qtbot.addWidget(dialog)
    dialog.choose("第二党小组")
    assert dialog.save() is True
    page.group_combo.setCurrentIndex(page.group_combo.findText("第二党小组"))
    assert names(page) == ["张伟", "王芳", "李强", "赵敏"]
    assert sorted(m.name for m in page.selected_members()) == ["张伟", "王芳"]  # kept


def test_empty_branch_shows_the_two_first_actions(qtbot, db, data_dir, monkeypatch) -> None:
    context = AppContext(db=db, data_dir=data_dir)
    page = MembersPage(context)
    qtbot.addWidget(page)
    assert page.stack.currentIndex() == 1
    assert page.counts_label.text() == "共 0 名党员，正式 0 名，预备 0 名"
    opened: list[str] = []
    monkeypatch.setattr(MemberDialog, "ask", classmethod(
        lambda cls, parent, ctx, member=None: opened.append("add")))  # fmt: skip
    fake = types.ModuleType("branchdesk.ui.dialogs.import_dialog")
    fake.ImportDialog = type("ImportDialog", (), {  # type: ignore[attr-defined]
        "ask": staticmethod(lambda parent, ctx: opened.append("import"))})  # fmt: skip
    monkeypatch.setitem(sys.modules, "branchdesk.ui.dialogs.import_dialog", fake)
    page.findChild(QPushButton, "emptyAdd").click()
    page.findChild(QPushButton, "emptyImport").click()
    assert opened == ["add", "import"]
    context.members.add(Member(name="张伟"))
    announce(context, Changes.of("members"))
    assert page.stack.currentIndex() == 0
    assert names(page) == ["张伟"]


def test_page_follows_changes_made_elsewhere(page, context) -> None:
    context.groups.create("第三党小组")
    announce(context, Changes.of("groups"))
    assert page.group_combo.findText("第三党小组") > 0
    context.members.add(Member(name="周杰"))
    announce(context, Changes.of("members"))
    assert "周杰" in names(page)
    assert page.counts_label.text() == "共 5 名党员，正式 4 名，预备 1 名"


def test_export_writes_the_roster_in_the_background(qtbot, file_db, data_dir, monkeypatch,
                                                    tmp_path) -> None:  # fmt: skip
    from openpyxl import load_workbook

    context = AppContext(db=file_db, data_dir=data_dir)
    context.members.add(Member(name="张伟"))
    gone = context.members.add(Member(name="孙立"))
    context.members.set_status(gone, MemberStatus.DECEASED, PartialDate(2023, 1))
    page = MembersPage(context)
    qtbot.addWidget(page)
    told: list[str] = []
    monkeypatch.setattr(msgbox, "information", lambda parent, title, text: told.append(text))
    target = tmp_path / "花名册.xlsx"
    page.export_roster(target)
    assert not page.actions_by_id["export"].isEnabled()  # no second export while one runs
    qtbot.waitUntil(lambda: bool(told), timeout=10000)
    assert told and "已导出 1 名党员" in told[0]
    values = [cell for row in load_workbook(target).active.iter_rows(values_only=True)
              for cell in row]  # fmt: skip
    assert "张伟" in values and "孙立" not in values
    assert page.actions_by_id["export"].isEnabled()


def test_list_masks_phones_but_search_finds_the_full_number(qtbot, page) -> None:
    qtbot.keyClicks(page.search_edit, "13812345678")
    assert names(page) == ["张伟"]
    assert page.proxy.index(0, Column.PHONE).data() == "138****5678"


@pytest.mark.parametrize(("choice", "full"), [(0, False), (1, True), (2, None)])
def test_export_asks_whether_to_include_full_numbers(qtbot, page, monkeypatch, choice,
                                                     full) -> None:  # fmt: skip
    asked, exported = [], []
    monkeypatch.setattr(msgbox, "choose", lambda parent, title, text, buttons, **kw: asked.append(
        buttons) or choice)  # fmt: skip
    monkeypatch.setattr(page, "_ask_export_path", lambda: Path("/tmp/花名册.xlsx"))
    monkeypatch.setattr(page, "export_roster", lambda path, *, full: exported.append(full))
    page.actions_by_id["export"].trigger()
    assert asked[0][0] == "隐藏身份证号和电话（推荐）"  # the first, default answer masks
    assert exported == ([] if full is None else [full])


def test_exported_roster_is_masked_unless_asked(qtbot, file_db, data_dir, monkeypatch,
                                                tmp_path) -> None:  # fmt: skip
    from openpyxl import load_workbook

    context = AppContext(db=file_db, data_dir=data_dir)
    context.members.add(Member(name="张伟", id_number="110101198001011234", phone="13812345678"))
    page = MembersPage(context)
    qtbot.addWidget(page)
    told: list[str] = []
    monkeypatch.setattr(msgbox, "information", lambda parent, title, text: told.append(text))
    for full, target in ((False, tmp_path / "masked.xlsx"), (True, tmp_path / "full.xlsx")):
        told.clear()
        page.export_roster(target, full=full)
        qtbot.waitUntil(lambda: bool(told), timeout=10000)
    masked = [c for row in load_workbook(tmp_path / "masked.xlsx").active.iter_rows(values_only=True)
              for c in row]  # fmt: skip
    whole = [c for row in load_workbook(tmp_path / "full.xlsx").active.iter_rows(values_only=True)
             for c in row]  # fmt: skip
    assert "110101********1234" in masked and "138****5678" in masked
    assert "13812345678" not in masked
    assert "110101198001011234" in whole and "13812345678" in whole


def test_columns_follow_a_larger_text_size(qtbot, page, qapp):
    """With 特大 chosen in 设置 the roster's columns widen so names and dates stay whole."""
    from branchdesk.ui.text_size import TextSize, apply_text_size

    page.show()
    before = page.table.columnWidth(Column.NAME)
    try:
        apply_text_size(qapp, TextSize.LARGER)
        qtbot.waitUntil(lambda: page.table.columnWidth(Column.NAME) > before * 1.1)
        assert page.table.font().pointSizeF() == pytest.approx(qapp.font().pointSizeF())
    finally:
        apply_text_size(qapp, TextSize.STANDARD)
    qtbot.waitUntil(lambda: page.table.columnWidth(Column.NAME) == before)
