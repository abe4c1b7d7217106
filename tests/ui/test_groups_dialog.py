"""党小组管理: create, rename, merge (with confirmation), delete empty groups, leaders."""

from __future__ import annotations

import datetime as dt

import pytest

from branchdesk.domain.dates import PartialDate
from branchdesk.domain.members import Category, Member, MemberStatus
from branchdesk.ui import msgbox
from branchdesk.ui.context import AppContext
from branchdesk.ui.dialogs.groups_dialog import GroupsDialog


@pytest.fixture(autouse=True)
def no_real_message_boxes(monkeypatch):
    monkeypatch.setattr(msgbox, "confirm", lambda *args, **kwargs: pytest.fail("unexpected"))
    for name in ("information", "warning", "error"):
        monkeypatch.setattr(msgbox, name, lambda *args, _name=name: pytest.fail(f"{_name}{args}"))


@pytest.fixture
def context(db, data_dir) -> AppContext:
    context = AppContext(db=db, data_dir=data_dir)
    first = context.groups.create("第一党小组").id
    second = context.groups.create("第二党小组").id
    for name in ("张伟", "王芳", "李强"):
        context.members.add(Member(name=name, group_id=first))
    context.members.add(Member(name="赵敏", group_id=second, category=Category.PROBATIONARY))
    gone = context.members.add(Member(name="孙立", group_id=second))
    context.members.set_status(gone, MemberStatus.TRANSFERRED_OUT, PartialDate(2024, 5))
    return context


@pytest.fixture
def dialog(qtbot, context) -> GroupsDialog:
    dialog = GroupsDialog(None, context)
    qtbot.addWidget(dialog)
    return dialog


def cells(dialog: GroupsDialog) -> list[list[str]]:
    table = dialog.table
    return [[table.item(r, c).text() for c in range(4)] for r in range(table.rowCount())]


def test_lists_groups_with_counts_and_rule_warning(dialog) -> None:
    assert cells(dialog) == [["第一党小组", "3", "3", ""], ["第二党小组", "1", "0", ""]]
    assert dialog.rule_label.isVisibleTo(dialog)
    warning = dialog.rule_label.text()
    assert "第二党小组" in warning and "只有 1 名党员" in warning and "没有正式党员" in warning
    assert "第一党小组" not in warning


def test_create_group(qtbot, dialog, context) -> None:
    qtbot.keyClicks(dialog.new_edit, "Group 3")
    with qtbot.waitSignal(context.events.changes_applied):
        dialog.create_group()
    assert [g.name for g in context.groups.list()][-1] == "Group 3"
    assert dialog.selected_group().name == "Group 3"
    dialog.new_edit.setText("第一党小组")
    dialog.create_group()
    assert "已有名为" in dialog.message.text()
    assert len(context.groups.list()) == 3


def test_rename_group(dialog, context) -> None:
    dialog.select_group("第二党小组")
    dialog.name_edit.setText("老干部党小组")
    dialog.rename_selected()
    assert [g.name for g in context.groups.list()] == ["第一党小组", "老干部党小组"]
    assert "改名" in dialog.message.text()


def test_merge_asks_how_many_move_and_can_be_cancelled(dialog, context, monkeypatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr(msgbox, "confirm", lambda parent, title, text, **kw: asked.append(text))
    dialog.select_group("第二党小组")
    dialog.target_combo.setCurrentIndex(dialog.target_combo.findText("第一党小组"))
    dialog.merge_selected()
    assert "1 名党员将调整到“第一党小组”" in asked[0]
    assert "1 名已离开" in asked[0]
    assert len(context.groups.list()) == 2  # cancelled: nothing changed


def test_merge_moves_members_and_removes_the_group(qtbot, dialog, context, monkeypatch) -> None:
    monkeypatch.setattr(msgbox, "confirm", lambda *args, **kwargs: True)
    dialog.select_group("第二党小组")
    with qtbot.waitSignal(context.events.changes_applied) as signal:
        dialog.merge_selected()
    assert signal.args[0].groups and signal.args[0].members
    assert [g.name for g in context.groups.list()] == ["第一党小组"]
    assert {m.group_name for m in context.members.list(include_left=False)} == {"第一党小组"}
    # the member who left before stays in the group of the time
    assert {m.group_name for m in context.members.list()} == {"第一党小组", "第二党小组"}
    ended = context.groups.by_name("第二党小组")
    assert ended is not None and ended.end == dt.date.today() - dt.timedelta(days=1)
    assert cells(dialog) == [["第一党小组", "4", "3", ""]]
    assert not dialog.rule_label.isVisibleTo(dialog)


def test_only_empty_groups_can_be_deleted(dialog, context) -> None:
    dialog.select_group("第二党小组")  # only a member who left, but the record stays
    dialog.delete_selected()
    assert "不能删除" in dialog.message.text()
    assert len(context.groups.list()) == 2
    dialog.new_edit.setText("空小组")
    dialog.create_group()
    dialog.delete_selected()
    assert [g.name for g in context.groups.list()] == ["第一党小组", "第二党小组"]


def test_set_group_leader_from_its_members(dialog, context) -> None:
    dialog.select_group("第一党小组")
    items = [dialog.leader_combo.itemText(i) for i in range(dialog.leader_combo.count())]
    assert items == ["（未指定）", "张伟", "王芳", "李强"]
    dialog.set_leader("王芳")
    leader = context.groups.by_name("第一党小组").leader_id
    assert context.members.get(leader).name == "王芳"
    assert cells(dialog)[0][3] == "王芳"
