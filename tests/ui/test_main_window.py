from demo_cache import write_demo_branch
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialogButtonBox

from branchdesk.app import build_main_window
from branchdesk.domain.branch import Branch
from branchdesk.ops import Changes
from branchdesk.store.db import DB_FILENAME, open_database
from branchdesk.ui.context import AppContext
from branchdesk.ui.dialogs.first_run_dialog import FirstRunDialog
from branchdesk.ui.ops import announce

PAGES = ["工作台", "党员", "会议", "活动", "党费", "报表", "设置"]


def _window(qtbot, data_dir):
    write_demo_branch(data_dir, members=20, seed=2)
    context = AppContext(db=open_database(data_dir / DB_FILENAME), data_dir=data_dir)
    window = build_main_window(context)
    qtbot.addWidget(window)
    return window, context


def test_navigation_reaches_every_page(qtbot, data_dir):
    window, _ = _window(qtbot, data_dir)
    window.show()
    assert [window.nav.item(i).text() for i in range(window.nav.count())] == PAGES
    for index, title in enumerate(PAGES):
        window.nav.setCurrentRow(index)
        assert window.stack.currentWidget() is window.pages[title]
    assert "城关街道幸福里社区党支部" in window.windowTitle()


def test_home_page_shows_the_real_roster(qtbot, data_dir):
    window, context = _window(qtbot, data_dir)
    home = window.pages["工作台"]
    counts = context.members.counts()
    assert home.counts_label.text() == f"{counts.total} 名"
    assert f"预备党员 {counts.probationary} 名" in home.counts_detail.text()


def test_home_page_follows_changes_elsewhere(qtbot, data_dir):
    window, context = _window(qtbot, data_dir)
    window.show()
    context.branch.save(Branch("新名称党支部", "上级党委"))
    announce(context, Changes.of("branch"))
    home = window.pages["工作台"]
    qtbot.waitUntil(lambda: home.branch_label.text() == "新名称党支部")
    assert window.windowTitle().startswith("新名称党支部")


def test_window_geometry_is_remembered(qtbot, data_dir):
    window, context = _window(qtbot, data_dir)
    window.show()
    window.resize(window.minimumSizeHint().width() + 10, 580)
    remembered = window.size()
    window.close()
    again = build_main_window(context)
    qtbot.addWidget(again)
    assert again.size() == remembered
    assert remembered.height() == 580  # not the 1180x760 a first start gets
    QSettings().remove("main_window/geometry")


def test_qt_dialogs_speak_chinese(qtbot):
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    qtbot.addWidget(box)
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"
    assert box.button(QDialogButtonBox.StandardButton.Ok).text() in ("确定", "确认")


def test_first_run_asks_for_branch_name(qtbot):
    dialog = FirstRunDialog()
    qtbot.addWidget(dialog)
    dialog._on_buttons_accepted()
    assert dialog.error_label.text() == "请填写支部名称" and dialog.result() == 0
    # QTest cannot type non-ASCII keys; insert() is what an input method does.
    dialog.name_edit.insert("  幸福里社区党支部 ")
    dialog.superior_edit.insert("城关街道党工委")
    dialog._on_buttons_accepted()
    assert dialog.result() == 1
    assert dialog.branch() == Branch("幸福里社区党支部", "城关街道党工委")


def test_after_ctrl_and_a_number_the_page_list_takes_the_keys(qtbot, data_dir, monkeypatch):
    """Ctrl+3 then Ctrl+N, Enter and Del act on the 会议 list at once; the same on 党员."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from branchdesk.ui import msgbox
    from branchdesk.ui.editors.meeting_editor import MeetingEditor
    from branchdesk.ui.editors.member_dialog import MemberDialog

    window, _ = _window(qtbot, data_dir)
    with qtbot.waitActive(window):  # shortcuts need the active window
        window.show()
        window.activateWindow()
    window.nav.setFocus()
    opened: list[tuple] = []
    monkeypatch.setattr(MeetingEditor, "ask", lambda *a, **k: opened.append(("meeting", a, k)))
    monkeypatch.setattr(MemberDialog, "ask", lambda *a, **k: opened.append(("member", a, k)))
    asked: list[str] = []
    monkeypatch.setattr(msgbox, "confirm", lambda _p, title, *a, **k: asked.append(title) and False)

    qtbot.keyClick(window.nav, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    meetings = window.pages["会议"]
    assert window.stack.currentWidget() is meetings
    assert QApplication.focusWidget() is meetings.table
    first = meetings.selected_summary()
    assert first is not None
    qtbot.keyClick(meetings.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert opened[-1][0] == "meeting" and opened[-1][2] == {}  # 记录会议
    qtbot.keyClick(meetings.table, Qt.Key.Key_Return)
    assert opened[-1][0] == "meeting" and opened[-1][1][2].id == first.id  # 打开
    qtbot.keyClick(meetings.table, Qt.Key.Key_Delete)
    assert asked == ["删除会议"]

    qtbot.keyClick(meetings.table, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    members = window.pages["党员"]
    assert QApplication.focusWidget() is members.table
    qtbot.keyClick(members.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert opened[-1][0] == "member"
    window.close()
    QSettings().remove("main_window/geometry")
