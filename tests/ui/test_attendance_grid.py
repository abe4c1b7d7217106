"""The attendance grid: keys mark members, typing a name finds them, reasons are typed in place."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QLineEdit

from branchdesk.domain.meetings import Attendance, AttendanceStatus, Makeup
from branchdesk.ui.editors.attendance_grid import AttendanceColumn, AttendanceModel, AttendancePanel

NAMES = ["张三", "李四", "王五", "张三丰", "阿依古丽·买买提"]


def _rows() -> list[Attendance]:
    return [
        Attendance(i + 1, name, group_name="第一党小组", category="正式")
        for i, name in enumerate(NAMES)
    ]


@pytest.fixture
def panel(qtbot) -> AttendancePanel:
    panel = AttendancePanel()
    qtbot.addWidget(panel)
    panel.set_rows(_rows())
    panel.show()
    qtbot.waitExposed(panel)
    panel.activateWindow()
    panel.grid.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is panel.grid)
    return panel


def commit(widget, text: str) -> None:
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def test_model_passes_qtmodeltester(qtmodeltester) -> None:
    model = AttendanceModel()
    rows = _rows()
    rows[1].status = AttendanceStatus.LEAVE
    rows[1].reason = "出差"
    rows[1].makeup = Makeup(dt.date(2025, 5, 20), "自学会议材料")
    model.set_rows(rows)
    qtmodeltester.check(model)


def test_model_copies_rows_and_clears_reason_when_present() -> None:
    rows = _rows()
    model = AttendanceModel()
    model.set_rows(rows)
    model.set_status(0, AttendanceStatus.ABSENT)
    assert rows[0].status is AttendanceStatus.PRESENT  # the caller's meeting is untouched
    assert model.setData(model.index(0, AttendanceColumn.REASON), "联系不上")
    assert model.setData(model.index(0, AttendanceColumn.MAKEUP_HOW), "观看录像")
    assert model.index(0, AttendanceColumn.STATUS).data() == "缺席"
    model.set_status(0, AttendanceStatus.PRESENT)
    assert (model.row(0).reason, model.row(0).makeup.how) == ("", "")
    # a present member has no reason to give
    assert not model.setData(model.index(0, AttendanceColumn.REASON), "x")


def test_typing_a_name_jumps_to_the_member(panel) -> None:
    grid = panel.grid
    commit(grid, "王五")
    assert grid.currentIndex().row() == 2
    assert grid.currentIndex().column() == AttendanceColumn.STATUS
    commit(grid, "阿依")
    assert grid.currentIndex().row() == 4
    commit(grid, "赵")
    assert "没有“" in panel.note_label.text()


def test_key_marks_and_reason_typed_in_place(qtbot, panel) -> None:
    grid = panel.grid
    commit(grid, "李四")
    qtbot.keyClick(grid, Qt.Key.Key_3)
    assert grid.currentIndex().column() == AttendanceColumn.REASON
    commit(grid, "联系不上")
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit) and editor.text() == "联系不上"
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.model.row(1).reason == "联系不上")
    assert panel.counts_label.text() == "应到 5 人，实到 4 人，请假 0 人，缺席 1 人，出席率 80.0%"
    row = panel.model.index(1, 0)
    assert row.data(Qt.ItemDataRole.BackgroundRole) is not None  # highlighted red


def test_ascii_reason_and_f2(qtbot, panel) -> None:
    grid = panel.grid
    grid.go_to(0)
    qtbot.keyClick(grid, Qt.Key.Key_W)  # 请假 by the left hand
    qtbot.keyClick(grid, Qt.Key.Key_A)  # starts editing the 事由
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    qtbot.keyClicks(editor, "pp")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.model.row(0).reason == "app")
    grid.go_to(0, AttendanceColumn.NAME)
    qtbot.keyClick(grid, Qt.Key.Key_F2)
    assert isinstance(QApplication.focusWidget(), QLineEdit)


def test_buttons_mark_several_selected(qtbot, panel) -> None:
    grid = panel.grid
    grid.selectRow(0)
    grid.selectionModel().select(
        panel.model.index(3, 0),
        grid.selectionModel().SelectionFlag.Select | grid.selectionModel().SelectionFlag.Rows,
    )
    panel.mark_buttons[AttendanceStatus.LEAVE].click()
    assert [panel.model.row(i).status for i in (0, 3)] == [AttendanceStatus.LEAVE] * 2
    assert "请假 2 人" in panel.counts_label.text()


def test_letters_on_the_name_column_do_not_edit(qtbot, panel) -> None:
    grid = panel.grid
    grid.go_to(0, AttendanceColumn.NAME)
    qtbot.keyClick(grid, Qt.Key.Key_X)
    assert QApplication.focusWidget() is grid
    assert panel.model.row(0).name == "张三"


def test_an_editor_just_closed_is_not_committed_again(panel, qtbot):
    """Saving right after Enter closed the 事由 editor (it is deleted only later) must not
    hand the view that editor again ("commitData called with an editor that does not belong
    to this view", a Qt warning that failed a busy CI run)."""
    grid = panel.grid
    grid.setCurrentIndex(panel.model.index(1, AttendanceColumn.STATUS))
    qtbot.keyClick(grid, Qt.Key.Key_2)  # 请假: the cursor waits on 事由
    commit(grid, "出差")  # typing opens the 事由 editor
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit) and editor.text() == "出差"
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # closed; its deletion is still pending
    rows = panel.rows()  # what saving does (it commits the open editor), before any event
    assert rows[1].reason == "出差"
