"""The add/edit member form, driven by key presses as a person would."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from branchdesk.domain.dates import PartialDate
from branchdesk.domain.members import Category, Gender, Member, Role
from branchdesk.domain.validation import id_check_character
from branchdesk.ui import msgbox
from branchdesk.ui.context import AppContext
from branchdesk.ui.editors.member_dialog import MemberDialog
from branchdesk.ui.pages.members_page import MembersPage


def valid_id(birth: str, sequence: str = "123") -> str:
    """Return a valid ID number; an odd last sequence digit means male."""
    first17 = f"110101{birth}{sequence}"
    return first17 + id_check_character(first17)


@pytest.fixture(autouse=True)
def no_real_message_boxes(monkeypatch):
    """A real message box would block the test; closing a dirty form at teardown discards it."""
    monkeypatch.setattr(msgbox, "confirm", lambda *args, **kwargs: True)
    for name in ("information", "warning", "error"):
        monkeypatch.setattr(msgbox, name, lambda *args, _name=name: pytest.fail(f"{_name}{args}"))


@pytest.fixture
def context(db, data_dir) -> AppContext:
    context = AppContext(db=db, data_dir=data_dir)
    context.groups.create("第一党小组")
    return context


def _dialog(qtbot, context, member=None) -> MemberDialog:
    dialog = MemberDialog(None, context, member)
    qtbot.addWidget(dialog)
    with qtbot.waitActive(dialog):  # shortcuts such as Ctrl+S need the active window
        dialog.show()
        dialog.activateWindow()
    return dialog


def type_text(qtbot, widget, text: str) -> None:
    """Type like a person: ASCII on the keyboard, Chinese committed by the input method."""
    for char in text:
        if char.isascii():
            qtbot.keyClicks(widget, char)
        else:  # QTest cannot press keys for CJK characters; an IME commits them instead
            event = QInputMethodEvent()
            event.setCommitString(char)
            QApplication.sendEvent(widget, event)


def _type(qtbot, widget, text: str) -> None:
    widget.setFocus()
    type_text(qtbot, widget, text)
    widget.editingFinished.emit()  # what leaving the field does


def test_add_member_by_keyboard_saves_and_page_refreshes(qtbot, context) -> None:
    page = MembersPage(context)
    qtbot.addWidget(page)
    assert page.stack.currentIndex() == 1  # empty state before anyone is added
    dialog = _dialog(qtbot, context)
    _type(qtbot, dialog.name_edit, "刘 建国")
    _type(qtbot, dialog.id_edit, valid_id("19750312", "131").lower())
    _type(qtbot, dialog.join_edit, "2001.07")
    _type(qtbot, dialog.phone_edit, "138 1234 5678")
    dialog.group_combo.setCurrentIndex(1)
    dialog.role_boxes[Role.ORGANISATION].setChecked(True)
    with qtbot.waitSignal(context.events.changes_applied) as signal:
        qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert signal.args[0].members
    assert dialog.result() == MemberDialog.DialogCode.Accepted
    (stored,) = context.members.list()
    assert stored.name == "刘建国"  # alignment space removed
    assert stored.id_number == valid_id("19750312", "131")
    assert stored.birth_date == PartialDate(1975, 3, 12)  # filled from the ID
    assert stored.gender is Gender.MALE
    assert stored.join_date == PartialDate(2001, 7)
    assert stored.phone == "13812345678"
    assert stored.group_name == "第一党小组"
    assert stored.roles == [Role.ORGANISATION]
    assert stored.ethnicity == "汉族"
    assert page.stack.currentIndex() == 0
    assert page.counts_label.text() == "共 1 名党员，正式 1 名，预备 0 名"
    assert page.proxy.index(0, 0).data() == "刘建国"


def test_invalid_id_shows_inline_error_and_blocks_save(qtbot, context) -> None:
    dialog = _dialog(qtbot, context)
    _type(qtbot, dialog.name_edit, "王芳")
    bad = valid_id("19800101", "124")[:-1] + ("0" if valid_id("19800101", "124")[-1] != "0" else "1")
    _type(qtbot, dialog.id_edit, bad)
    message = dialog._messages["身份证号"]
    assert message.isVisible() and message.severity == "error"
    assert "校验位" in message.text()
    assert dialog.save() is False
    assert "1 处需要改正" in dialog.summary.text()
    assert dialog.isVisible()
    assert context.members.list() == []


def test_empty_name_blocks_save(qtbot, context) -> None:
    dialog = _dialog(qtbot, context)
    assert not dialog._messages["姓名"].isVisible()  # not scolded before typing
    assert dialog.save() is False
    assert dialog._messages["姓名"].text() == "姓名不能为空"
    assert dialog.focusWidget() is dialog.name_edit


def test_sex_mismatch_warns_but_saves(qtbot, context) -> None:
    dialog = _dialog(qtbot, context)
    _type(qtbot, dialog.name_edit, "王芳")
    dialog.gender_combo.setCurrentIndex(dialog.gender_combo.findText("男"))
    _type(qtbot, dialog.id_edit, valid_id("19800101", "124"))  # even digit: female
    message = dialog._messages["性别"]
    assert message.isVisible() and message.severity == "warning"
    assert "不一致" in message.text()
    assert dialog.save() is True
    assert context.members.list()[0].gender is Gender.MALE


def test_bad_date_is_an_inline_error(qtbot, context) -> None:
    dialog = _dialog(qtbot, context)
    _type(qtbot, dialog.name_edit, "王芳")
    _type(qtbot, dialog.join_edit, "2019年13月")
    assert dialog._messages["入党时间"].severity == "error"
    assert dialog.save() is False


def test_duplicate_id_is_an_inline_error(qtbot, context) -> None:
    number = valid_id("19800101", "124")
    context.members.add(Member(name="王芳", id_number=number))
    dialog = _dialog(qtbot, context)
    _type(qtbot, dialog.name_edit, "王芳芳")
    _type(qtbot, dialog.id_edit, number)
    assert "王芳" in dialog._messages["身份证号"].text()
    assert dialog.save() is False
    assert len(context.members.list()) == 1


def test_edit_keeps_the_id_and_the_rest(qtbot, context) -> None:
    member = Member(name="张伟", gender=Gender.MALE, join_date=PartialDate(1995, 7, 1),
                    category=Category.PROBATIONARY, notes="老党员", roles=[Role.SECRETARY])  # fmt: skip
    member_id = context.members.add(member)
    dialog = _dialog(qtbot, context, context.members.get(member_id))
    assert dialog.join_edit.text() == "1995-07-01"
    dialog.name_edit.selectAll()
    _type(qtbot, dialog.name_edit, "张伟民")
    dialog.category_combo.setCurrentIndex(dialog.category_combo.findText("正式党员"))
    assert dialog.save() is True
    stored = context.members.get(member_id)
    assert len(context.members.list()) == 1
    assert (stored.name, stored.category, stored.notes) == ("张伟民", Category.FULL, "老党员")
    assert stored.roles == [Role.SECRETARY]
    assert dialog.saved_member is not None and dialog.saved_member.id == member_id


def test_enter_in_notes_is_a_new_line_not_a_save(qtbot, context) -> None:
    dialog = _dialog(qtbot, context)
    _type(qtbot, dialog.name_edit, "王芳")
    dialog.notes_edit.setFocus()
    type_text(qtbot, dialog.notes_edit, "第一行")
    qtbot.keyClick(dialog.notes_edit, Qt.Key.Key_Return)
    type_text(qtbot, dialog.notes_edit, "第二行")
    assert dialog.isVisible()
    assert context.members.list() == []
    assert dialog.notes_edit.toPlainText() == "第一行\n第二行"


def test_enter_in_a_field_moves_on(qtbot, context) -> None:
    dialog = _dialog(qtbot, context)
    dialog.name_edit.setFocus()
    type_text(qtbot, dialog.name_edit, "王芳")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert context.members.list() == []
    assert dialog.focusWidget() is dialog.id_edit


def test_escape_asks_before_discarding(qtbot, context, monkeypatch) -> None:
    answers: list[str] = []
    monkeypatch.setattr(msgbox, "confirm", lambda *a, **k: answers.append(a[2]) or False)
    dialog = _dialog(qtbot, context)
    _type(qtbot, dialog.name_edit, "王芳")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert answers and dialog.isVisible()  # asked, and "no" keeps the form open
    monkeypatch.setattr(msgbox, "confirm", lambda *a, **k: True)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert context.members.list() == []


def test_escape_on_untouched_form_closes_without_asking(qtbot, context, monkeypatch) -> None:
    monkeypatch.setattr(msgbox, "confirm", lambda *a, **k: pytest.fail("asked"))
    dialog = _dialog(qtbot, context)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
