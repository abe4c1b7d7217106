"""The meeting editor, driven from the keyboard as a secretary would after a meeting."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, QMimeData, Qt
from PySide6.QtGui import QDesktopServices, QGuiApplication, QImage, QInputMethodEvent
from PySide6.QtWidgets import QApplication

from branchdesk.demo import demo_members
from branchdesk.domain.meetings import (
    AttendanceStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Person,
    build_attendance,
    expected_members,
)
from branchdesk.domain.members import Role
from branchdesk.store.meetings import MeetingRepo
from branchdesk.ui import file_dialogs, msgbox
from branchdesk.ui.context import AppContext
from branchdesk.ui.editors.meeting_editor import MeetingEditor, pasted_text

TODAY = dt.date.today()


@pytest.fixture(autouse=True)
def _quiet_confirm(monkeypatch) -> None:
    """No real message box may block: editors left open are closed without asking."""
    monkeypatch.setattr(msgbox, "confirm", lambda *a, **k: True)


@pytest.fixture
def context(db, data_dir) -> AppContext:
    """A branch of 30 members in two groups, with a secretary, an organiser and a committee."""
    context = AppContext(db=db, data_dir=data_dir)
    one = context.groups.create("第一党小组")
    two = context.groups.create("第二党小组")
    members = demo_members(30, seed=5, today=TODAY)
    roles = [Role.SECRETARY, Role.ORGANISATION, Role.PROPAGANDA]
    for index, member in enumerate(members):
        member.group_id = (one if index % 2 == 0 else two).id
        member.sort_order = index + 1
        if index < len(roles):
            member.roles = [roles[index]]
        context.members.add(member)
    return context


def _editor(qtbot, context, meeting=None, *, planned=False) -> MeetingEditor:
    editor = MeetingEditor(None, context, meeting, planned=planned)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow)
    return editor


def commit_text(widget, text: str) -> None:
    """What an input method does when a Chinese word is chosen."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def type_text(qtbot, text: str) -> None:
    """Type into whatever has the focus: ASCII on the keyboard, Chinese through the IME."""
    for char in text:
        widget = QApplication.focusWidget()
        if char.isascii():
            qtbot.keyClicks(widget, char)
        else:
            commit_text(widget, char)


def _held_meeting(context, day=None, **fields) -> Meeting:
    day = day or TODAY - dt.timedelta(days=30)
    kinds = fields.pop("kinds", [MeetingKind.THEME_DAY])
    meeting = Meeting(kinds=kinds, day=day, title="重温入党誓词", **fields)
    meeting.attendance = build_attendance(
        expected_members(context.members.list(), meeting.kinds, day, meeting.group_id)
    )
    MeetingRepo(context.db).add(meeting)
    return meeting


# -- the two-minute entry ---------------------------------------------------------------------


def test_theme_day_with_two_on_leave_takes_few_key_presses(qtbot, context) -> None:
    presses = 0

    def press(key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
        nonlocal presses
        presses += 1
        qtbot.keyClick(QApplication.focusWidget(), key, modifier)

    ctrl = Qt.KeyboardModifier.ControlModifier
    editor = _editor(qtbot, context)
    assert QApplication.focusWidget() is editor.kind_combo
    assert editor.kind_combo.currentText() == "主题党日"
    assert editor.attendance.counts_label.text().startswith("应到 30 人，实到 30 人")
    names = [editor.attendance.model.row(i).name for i in (6, 21)]

    press(Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is editor.title_edit
    type_text(qtbot, "重温入党誓词，过政治生日")
    press(Qt.Key.Key_2, ctrl)  # 议题
    type_text(qtbot, "学习党章第一章")
    press(Qt.Key.Key_3, ctrl)  # 会议记录, pasted from Word
    word = QMimeData()
    word.setHtml(
        "<p class=MsoNormal>书记主持会议。</p><p class=MsoNormal>全体党员重温入党誓词。</p>"
    )
    word.setText("书记主持会议。 全体党员重温入党誓词。")
    QGuiApplication.clipboard().setMimeData(word)
    press(Qt.Key.Key_V, ctrl)
    # The clipboard owns the data now; clearing it here keeps Python and Qt from both
    # freeing it when the interpreter exits.
    QGuiApplication.clipboard().clear()
    press(Qt.Key.Key_1, ctrl)  # 出勤名单
    grid = editor.attendance.grid
    assert QApplication.focusWidget() is grid
    for name, reason in zip(names, ["出差", "身体不适"], strict=True):
        type_text(qtbot, name)  # jump to the member by name
        assert editor.attendance.model.row(grid.currentIndex().row()).name == name
        press(Qt.Key.Key_2)  # 请假; the cursor now waits on 事由
        type_text(qtbot, reason)
        press(Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: QApplication.focusWidget() is grid)
    assert editor.attendance.counts_label.text() == (
        "应到 30 人，实到 28 人，请假 2 人，缺席 0 人，出席率 93.3%"
    )
    with qtbot.waitSignal(context.events.changes_applied) as signal:
        press(Qt.Key.Key_S, ctrl)
    assert signal.args[0].meetings

    assert presses <= 15, presses
    assert presses == 10
    saved = editor.saved_meeting
    assert saved is not None and not editor.isVisible()
    stored = MeetingRepo(context.db).get(saved.id)
    assert stored.kinds == [MeetingKind.THEME_DAY]
    assert stored.status is MeetingStatus.HELD and stored.day == TODAY
    assert stored.title == "重温入党誓词，过政治生日"
    assert stored.topics == ["学习党章第一章"]
    assert stored.minutes == "书记主持会议。\n全体党员重温入党誓词。"
    counts = stored.counts
    assert (counts.expected, counts.present, counts.leave, counts.absent) == (30, 28, 2, 0)
    on_leave = {r.name: r.reason for r in stored.attendance if r.status is AttendanceStatus.LEAVE}
    assert on_leave == dict(zip(names, ["出差", "身体不适"], strict=True))
    by_role = {m.roles[0]: m for m in context.members.list() if m.roles}
    secretary, organiser = by_role[Role.SECRETARY], by_role[Role.ORGANISATION]
    assert stored.host == Person(secretary.name, secretary.id)
    assert stored.recorder == Person(organiser.name, organiser.id)


def test_enter_in_the_grid_never_saves(qtbot, context) -> None:
    editor = _editor(qtbot, context)
    editor.show_tab(0)
    qtbot.keyClick(editor.attendance.grid, Qt.Key.Key_Return)
    assert editor.isVisible() and editor.saved_meeting is None


def test_marks_by_keys_and_absent_is_counted(qtbot, context) -> None:
    editor = _editor(qtbot, context)
    editor.show_tab(0)
    grid = editor.attendance.grid
    grid.go_to(3)
    qtbot.keyClick(grid, Qt.Key.Key_E)  # 缺席
    assert editor.attendance.model.row(3).status is AttendanceStatus.ABSENT
    grid.go_to(4)
    qtbot.keyClick(grid, Qt.Key.Key_Space)  # 出席 -> 请假
    assert editor.attendance.model.row(4).status is AttendanceStatus.LEAVE
    assert "请假 1 人，缺席 1 人" in editor.attendance.counts_label.text()
    grid.go_to(3)
    qtbot.keyClick(grid, Qt.Key.Key_1)
    assert "实到 29 人" in editor.attendance.counts_label.text()


# -- kinds and the expected list ------------------------------------------------------------


def test_committee_meeting_expects_only_the_committee(qtbot, context) -> None:
    editor = _editor(qtbot, context)
    editor.kind_combo.setCurrentIndex(editor.kind_combo.findText("支部委员会会议"))
    names = [editor.attendance.model.row(i).name for i in range(editor.attendance.model.rowCount())]
    committee = [m.name for m in context.members.list() if m.roles]
    assert names == committee
    assert editor.attendance.counts_label.text().startswith("应到 3 人")
    assert not editor.lecturer_combo.isVisible()


def test_group_meeting_requires_a_group_and_lists_its_members(qtbot, context) -> None:
    editor = _editor(qtbot, context)
    editor.kind_combo.setCurrentIndex(editor.kind_combo.findText("党小组会"))
    assert editor.group_combo.isVisible()
    assert editor.attendance.model.rowCount() == 0
    assert editor.save() is False
    assert editor._messages["党小组"].text() == "党小组会请选择党小组"
    assert editor._messages["党小组"].isVisible()
    editor.group_combo.setCurrentIndex(editor.group_combo.findText("第二党小组"))
    expected = {m.name for m in context.members.list() if m.group_name == "第二党小组"}
    shown = {editor.attendance.model.row(i).name for i in range(editor.attendance.model.rowCount())}
    assert shown == expected and len(shown) == 15
    assert not editor._messages["党小组"].isVisible()
    assert editor.save() is True
    assert editor.saved_meeting.group_name == "第二党小组"


def test_lecture_shows_lecturer_fields_and_counts_for_both_kinds(qtbot, context) -> None:
    editor = _editor(qtbot, context)
    assert not editor.lecture_title_edit.isVisible()
    editor.also_boxes[MeetingKind.LECTURE].setChecked(True)
    assert editor.lecturer_combo.isVisible() and editor.lecture_title_edit.isVisible()
    assert not editor.also_boxes[MeetingKind.THEME_DAY].isVisible()  # it is the main kind
    editor.lecturer_combo.setEditText("王教授")  # a guest, not in the roster
    editor.lecture_title_edit.setText("新时代共产党员的初心与使命")
    assert editor.save() is True
    stored = MeetingRepo(context.db).get(editor.saved_meeting.id)
    assert stored.kinds == [MeetingKind.LECTURE, MeetingKind.THEME_DAY]
    assert stored.lecturer == Person("王教授", None)
    assert stored.lecture_title == "新时代共产党员的初心与使命"


# -- checks -------------------------------------------------------------------------------------


def test_held_meeting_in_the_future_is_an_inline_error(qtbot, context) -> None:
    editor = _editor(qtbot, context)
    editor.date_edit.setDate(TODAY + dt.timedelta(days=5))
    message = editor._messages["日期"]
    assert message.isVisible() and "不能晚于今天" in message.text()
    assert editor.save() is False
    assert editor.isVisible() and MeetingRepo(context.db).count() == 0
    editor.status_combo.setCurrentIndex(editor.status_combo.findText("计划"))
    assert not message.isVisible()
    assert editor.save() is True
    assert editor.saved_meeting.status is MeetingStatus.PLANNED


def test_end_before_start_is_an_inline_error(qtbot, context) -> None:
    editor = _editor(qtbot, context)
    editor.start_edit.setTime(editor.start_edit.time().fromString("15:00", "HH:mm"))
    editor.end_edit.setTime(editor.end_edit.time().fromString("14:00", "HH:mm"))
    assert editor._messages["时间"].text() == "结束时间应晚于开始时间"
    assert editor.save() is False


def test_same_day_duplicate_asks_before_saving(qtbot, context, monkeypatch) -> None:
    _held_meeting(context, day=TODAY)
    asked: list[str] = []
    monkeypatch.setattr(msgbox, "confirm", lambda *a, **k: asked.append(a[2]) or False)
    editor = _editor(qtbot, context)
    assert "同一天已有一次主题党日" in editor.duplicate_message.text()
    assert editor.save() is False
    assert asked and "重温入党誓词" in asked[0]
    assert MeetingRepo(context.db).count() == 1
    monkeypatch.setattr(msgbox, "confirm", lambda *a, **k: True)
    assert editor.save() is True
    assert MeetingRepo(context.db).count() == 2


def test_planned_meeting_defaults(qtbot, context) -> None:
    editor = _editor(qtbot, context, planned=True)
    assert editor.status_combo.currentText() == "计划"
    assert editor.windowTitle().startswith("计划会议")
    assert editor.planned_note.isVisible()
    assert editor.save() is True


# -- editing a meeting already held -----------------------------------------------------------


def test_editing_held_meeting_keeps_its_attendance_snapshot(qtbot, context, monkeypatch) -> None:
    meeting = _held_meeting(context)
    first = meeting.attendance[0]
    # The roster changes afterwards: a rename, and a newcomer who joined last week.
    member = context.members.get(first.member_id)
    member.name = "改名后"
    context.members.update(member)
    newcomer = demo_members(31, seed=5, today=TODAY)[30]
    newcomer.name = "新来的"
    context.members.add(newcomer)
    monkeypatch.setattr(msgbox, "confirm", lambda *a, **k: pytest.fail("asked"))

    editor = _editor(qtbot, context, MeetingRepo(context.db).get(meeting.id))
    model = editor.attendance.model
    assert model.rowCount() == 30
    assert model.row(0).name == first.name
    editor.title_edit.setText("重温入党誓词（补充记录）")
    assert editor.save() is True
    stored = MeetingRepo(context.db).get(meeting.id)
    assert [r.name for r in stored.attendance] == [r.name for r in meeting.attendance]
    assert stored.title == "重温入党誓词（补充记录）"


def test_changing_kind_of_held_meeting_asks_before_rebuilding(qtbot, context, monkeypatch) -> None:
    meeting = _held_meeting(context)
    answers = iter([False])
    monkeypatch.setattr(msgbox, "confirm", lambda *a, **k: next(answers))
    editor = _editor(qtbot, context, MeetingRepo(context.db).get(meeting.id))
    editor.kind_combo.setCurrentIndex(editor.kind_combo.findText("支部委员会会议"))
    assert editor.attendance.model.rowCount() == 30  # the user said keep it

    editor2 = _editor(qtbot, context, MeetingRepo(context.db).get(meeting.id))
    monkeypatch.setattr(msgbox, "confirm", lambda *a, **k: True)
    editor2.attendance.grid.go_to(0)
    editor2.attendance.grid.mark(AttendanceStatus.LEAVE)
    editor2.kind_combo.setCurrentIndex(editor2.kind_combo.findText("支部委员会会议"))
    assert editor2.attendance.model.rowCount() == 3
    assert editor2.attendance.model.row(0).status is AttendanceStatus.LEAVE  # marks kept


def test_escape_asks_only_when_something_was_typed(qtbot, context, monkeypatch) -> None:
    monkeypatch.setattr(msgbox, "confirm", lambda *a, **k: pytest.fail("asked"))
    editor = _editor(qtbot, context)
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert not editor.isVisible()
    asked: list[str] = []
    monkeypatch.setattr(msgbox, "confirm", lambda *a, **k: asked.append(a[2]) or False)
    editor = _editor(qtbot, context)
    editor.title_edit.setText("写了一半")
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert asked and editor.isVisible()


# -- minutes and attachments ------------------------------------------------------------------


def test_rich_text_paste_keeps_paragraphs(qtbot, context) -> None:
    editor = _editor(qtbot, context)
    mime = QMimeData()
    mime.setHtml(
        "<html><body><p class=MsoNormal><b>一、</b>书记传达上级精神。</p>"
        "<p class=MsoNormal>&nbsp;</p><p class=MsoNormal>&nbsp;</p>"
        "<p style='text-indent:2em'>二、党员逐一发言。</p></body></html>"
    )
    editor.minutes_edit.setFocus()
    editor.minutes_edit.insertFromMimeData(mime)
    assert editor.minutes_edit.toPlainText() == "一、书记传达上级精神。\n\n二、党员逐一发言。"
    plain = QMimeData()
    plain.setText("第一段\r\n第二段\r\n")
    assert pasted_text(plain) == "第一段\n第二段"


def test_attachments_are_copied_and_listed(qtbot, context, tmp_path, monkeypatch) -> None:
    photo = tmp_path / "合影.png"
    image = QImage(400, 300, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.darkRed)
    assert image.save(str(photo))
    document = tmp_path / "签到表.pdf"
    document.write_bytes(b"%PDF-1.4\n")
    monkeypatch.setattr(
        file_dialogs, "choose_paths", lambda *a, **k: [str(photo), str(document)]
    )
    opened: list[str] = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True
    )
    editor = _editor(qtbot, context)
    editor._on_add_attachment_clicked()
    listing = editor.attachment_list
    assert [listing.item(i).text() for i in range(listing.count())] == ["合影.png", "签到表.pdf"]
    assert editor.tabs.tabText(5) == "附件（2）"
    stored_files = sorted((context.data_dir / "attachments").iterdir())
    assert len(stored_files) == 2
    assert not listing.item(0).icon().isNull()
    editor.open_attachment(listing.item(0))
    assert opened and opened[0].endswith(".png") and "attachments" in opened[0]
    assert editor.save() is True
    stored = MeetingRepo(context.db).get(editor.saved_meeting.id)
    assert [a.filename for a in stored.attachments] == ["合影.png", "签到表.pdf"]
    assert stored.attachments[0].is_image


def test_cancelled_attachments_are_not_kept(qtbot, context, tmp_path, monkeypatch) -> None:
    photo = tmp_path / "a.jpg"
    photo.write_bytes(b"not really a photo")
    monkeypatch.setattr(msgbox, "confirm", lambda *a, **k: True)
    editor = _editor(qtbot, context)
    editor.add_attachments([str(photo)])
    assert len(list((context.data_dir / "attachments").iterdir())) == 1
    editor.reject()
    assert list((context.data_dir / "attachments").iterdir()) == []


def test_missing_file_is_reported_under_the_list(qtbot, context, tmp_path) -> None:
    editor = _editor(qtbot, context)
    editor.add_attachments([str(tmp_path / "不存在.jpg")])
    assert editor.attachment_list.count() == 0
    assert "找不到文件" in editor.attachment_message.text()


# -- dates that are probably typos, and texts over their limit ----------------------------------


def _asking(monkeypatch, answer: bool) -> list[tuple[str, str]]:
    asked: list[tuple[str, str]] = []

    def confirm(_parent, title, text, **_kwargs) -> bool:
        asked.append((title, text))
        return answer

    monkeypatch.setattr(msgbox, "confirm", confirm)
    return asked


def test_a_date_before_1921_asks_before_saving(qtbot, context, monkeypatch) -> None:
    editor = _editor(qtbot, context)
    editor.date_edit.setDate(QDate(1900, 1, 1))
    asked = _asking(monkeypatch, False)
    assert editor.save() is False
    assert asked == [
        (
            "日期可能有误",
            "会议日期 1900年1月1日 早于 1921年7月1日（中国共产党成立），可能输错了。\n\n仍要保存吗？",
        )
    ]
    assert MeetingRepo(context.db).count() == 0 and editor.isVisible()
    _asking(monkeypatch, True)
    assert editor.save() is True
    assert MeetingRepo(context.db).get(editor.saved_meeting.id).day == dt.date(1900, 1, 1)


def test_a_plan_more_than_a_year_ahead_asks_before_saving(qtbot, context, monkeypatch) -> None:
    editor = _editor(qtbot, context, planned=True)
    editor.date_edit.setDate(QDate(TODAY).addYears(1).addDays(1))
    asked = _asking(monkeypatch, False)
    assert editor.save() is False
    assert len(asked) == 1 and "（今天起一年），可能输错了" in asked[0][1]
    editor.date_edit.setDate(QDate(TODAY).addYears(1))
    assert editor.save() is True and len(asked) == 1  # a year ahead exactly: no question


def test_an_old_stored_date_is_shown_and_kept_as_it_is(qtbot, context, monkeypatch) -> None:
    """The form used to start at 1990 and moved an older date there without a word."""
    for day in (dt.date(1950, 10, 1), dt.date(1899, 12, 31)):
        meeting = _held_meeting(context, day=day)
        editor = _editor(qtbot, context, MeetingRepo(context.db).get(meeting.id))
        assert editor.date_edit.date() == QDate(day)
        assert not editor.is_dirty()
        editor.title_edit.setText("补录的会议")
        asked = _asking(monkeypatch, True)
        assert editor.save() is True
        assert len(asked) == (1 if day.year < 1921 else 0)
        assert MeetingRepo(context.db).get(meeting.id).day == day


def test_minutes_over_the_limit_are_not_saved(qtbot, context) -> None:
    editor = _editor(qtbot, context)
    editor.minutes_edit.setPlainText("记" * 200_001)
    assert editor.save() is False
    assert editor._messages["长度"].text() == "会议记录最长 200000 个字，现有 200001 个字"
    assert editor.tabs.currentIndex() == 2  # 会议记录
    assert MeetingRepo(context.db).count() == 0
    editor.minutes_edit.setPlainText("记" * 200_000)
    assert editor.save() is True
