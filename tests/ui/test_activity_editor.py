"""The activity editor: who took part, for how long, checked inline and stored as typed."""

from __future__ import annotations

import datetime as dt

import pytest
from demo_cache import write_demo_branch
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget

from branchdesk.demo import demo_members
from branchdesk.domain.activities import Activity, Participation
from branchdesk.store.activities import ActivityKindRepo, ActivityRepo
from branchdesk.store.attachments import attachments_dir
from branchdesk.store.db import DB_FILENAME, open_database
from branchdesk.ui import msgbox
from branchdesk.ui.context import AppContext
from branchdesk.ui.dialogs.activity_kinds_dialog import ActivityKindsDialog
from branchdesk.ui.editors.activity_editor import ActivityEditor
from branchdesk.ui.editors.participants_grid import ParticipantColumn, ParticipantModel, PersonRow
from screenshots import screenshot_file

TODAY = dt.date(2025, 6, 18)
SCREENSHOT = screenshot_file("activity_editor.png")


@pytest.fixture(autouse=True)
def _quiet_confirm(monkeypatch) -> None:
    """No real message box may block: editors left open are closed without asking."""
    monkeypatch.setattr(msgbox, "confirm", lambda *a, **k: True)


@pytest.fixture
def context(db, data_dir) -> AppContext:
    """A branch of 20 members in two groups, no activities yet."""
    context = AppContext(db=db, data_dir=data_dir)
    one = context.groups.create("第一党小组")
    two = context.groups.create("第二党小组")
    for index, member in enumerate(demo_members(20, seed=4, today=TODAY)):
        member.group_id = (one if index % 2 == 0 else two).id
        member.sort_order = index + 1
        context.members.add(member)
    return context


def _editor(qtbot, context, activity=None) -> ActivityEditor:
    editor = ActivityEditor(None, context, activity, today=TODAY)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow)
    return editor


def _row(editor: ActivityEditor, name: str) -> int:
    people = editor.participants.people()
    return next(i for i, p in enumerate(people) if p.name == name)


def _click_name(qtbot, editor: ActivityEditor, name: str) -> None:
    source = editor.participants.index(_row(editor, name), ParticipantColumn.NAME)
    index = editor.participant_filter.mapFromSource(source)
    table = editor.participant_table
    table.scrollTo(index)
    rect = table.visualRect(index)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_enter_an_activity_with_common_and_own_hours(qtbot, context) -> None:
    editor = _editor(qtbot, context)
    members = [m for m in context.members.list() if m.status.in_roster]
    chosen = members[:4]
    assert editor.kind_combo.currentText() == "志愿服务"  # first kind of the branch list
    editor.kind_combo.setCurrentIndex(editor.kind_combo.findText("社区报到"))
    editor.title_edit.setText("在职党员到居住地社区报到")
    editor.date_edit.setDate(QDate(2025, 6, 14))
    editor.place_edit.setText("幸福里社区")
    editor.organiser_edit.setText("社区党委")
    editor.description_edit.setPlainText("报到并认领服务岗位。")
    editor.guests_edit.setText("社区网格员 王某某")
    editor.hours_spin.setValue(2)
    for member in chosen:
        _click_name(qtbot, editor, member.name)
    hours = editor.participants.index(_row(editor, chosen[2].name), ParticipantColumn.HOURS)
    assert editor.participants.setData(hours, 1.5)
    assert editor.participants_summary.text() == "已选 4 人，合计 7.5 小时"
    assert editor.tabs.tabText(0) == "参加人员（4）"

    with qtbot.waitSignal(context.events.changes_applied) as blocker:
        qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args[0].activities
    saved = editor.saved_activity
    assert saved is not None and saved.id is not None

    stored = ActivityRepo(context.db).get(saved.id)
    assert (stored.kind, stored.title, stored.day) == (
        "社区报到",
        "在职党员到居住地社区报到",
        dt.date(2025, 6, 14),
    )
    assert (stored.place, stored.organiser, stored.guests) == (
        "幸福里社区",
        "社区党委",
        "社区网格员 王某某",
    )
    assert stored.description == "报到并认领服务岗位。"
    assert stored.end_day is None
    by_id = {p.member_id: p for p in stored.participants}
    assert set(by_id) == {m.id for m in chosen}
    assert by_id[chosen[2].id].hours == 1.5
    assert [by_id[m.id].hours for m in (chosen[0], chosen[1], chosen[3])] == [2, 2, 2]
    assert by_id[chosen[0].id].name == chosen[0].name
    assert stored.total_hours == 7.5


def test_common_hours_move_everyone_except_own_hours(qtbot, context) -> None:
    editor = _editor(qtbot, context)
    model = editor.participants
    model.set_checked([0, 1, 2], True)
    model.setData(model.index(1, ParticipantColumn.HOURS), 4)
    editor.hours_spin.setValue(3)
    assert [p.hours for p in model.participations()] == [3, 4, 3]
    model.setData(model.index(1, ParticipantColumn.HOURS), 3)  # the common value: follow it
    editor.hours_spin.setValue(1)
    assert [p.hours for p in model.participations()] == [1, 1, 1]
    # Giving hours to someone not ticked ticks them.
    model.setData(model.index(5, ParticipantColumn.HOURS), 2.5)
    assert model.people()[5].checked
    assert model.index(5, ParticipantColumn.HOURS).data() == "2.5"


def test_click_ticks_and_double_click_ticks_once(qtbot, context) -> None:
    editor = _editor(qtbot, context)
    name = editor.participants.people()[3].name
    _click_name(qtbot, editor, name)
    assert editor.participants.people()[3].checked
    _click_name(qtbot, editor, name)
    assert not editor.participants.people()[3].checked
    # A double-click arrives as press, release, double-click, release: one tick.
    source = editor.participants.index(3, ParticipantColumn.NAME)
    rect = editor.participant_table.visualRect(editor.participant_filter.mapFromSource(source))
    viewport = editor.participant_table.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    assert editor.participants.people()[3].checked
    # Space on the focused row ticks it too.
    editor.participant_table.setFocus()
    editor.participant_table.setCurrentIndex(editor.participant_filter.mapFromSource(source))
    qtbot.keyClick(editor.participant_table, Qt.Key.Key_Space)
    assert not editor.participants.people()[3].checked


def test_search_narrows_the_list_and_select_all_ticks_only_what_is_shown(qtbot, context) -> None:
    editor = _editor(qtbot, context)
    editor.search_edit.setText("第二党小组")
    shown = editor.participant_filter.rowCount()
    assert 0 < shown < editor.participants.rowCount()
    qtbot.mouseClick(editor.select_all_button, Qt.MouseButton.LeftButton)
    chosen = editor.participants.participations()
    assert len(chosen) == shown
    groups = {m.id: m.group_name for m in context.members.list()}
    assert {groups[p.member_id] for p in chosen} == {"第二党小组"}
    editor.search_edit.clear()
    editor.checked_only_box.setChecked(True)
    assert editor.participant_filter.rowCount() == shown
    editor.search_edit.setText(chosen[0].name)
    qtbot.mouseClick(editor.clear_button, Qt.MouseButton.LeftButton)
    assert len(editor.participants.participations()) == shown - 1


def test_problems_show_next_to_their_fields(qtbot, context) -> None:
    editor = _editor(qtbot, context)
    assert not editor.save()
    assert editor.saved_activity is None
    assert editor._messages["名称"].isVisible()
    assert editor._messages["名称"].text() == "请填写活动名称"
    assert editor.title_edit.hasFocus() or editor.focusWidget() is editor.title_edit
    editor.title_edit.setText("防汛巡查值守")
    assert not editor._messages["名称"].isVisible()

    editor.date_edit.setDate(QDate(2025, 6, 20))  # after TODAY
    assert editor._messages["日期"].text() == "活动日期不能晚于今天"
    editor.date_edit.setDate(QDate(2025, 6, 10))
    editor.multi_day_box.setChecked(True)
    assert editor.end_date_edit.isVisible()
    editor.end_date_edit.setDate(QDate(2025, 6, 9))
    assert editor._messages["日期"].text() == "结束日期不能早于开始日期"
    editor.end_date_edit.setDate(QDate(2025, 6, 12))
    assert not editor._messages["日期"].isVisible()
    editor.participants.set_checked([0], True)
    assert editor.save()
    stored = ActivityRepo(context.db).get(editor.saved_activity.id)
    assert (stored.day, stored.end_day) == (dt.date(2025, 6, 10), dt.date(2025, 6, 12))


def test_no_participants_asks_before_saving(qtbot, context, monkeypatch) -> None:
    asked: list[str] = []

    def refuse(_parent, title, _text, **_kwargs) -> bool:
        asked.append(title)
        return False

    editor = _editor(qtbot, context)
    editor.title_edit.setText("学习交流")
    monkeypatch.setattr(msgbox, "confirm", refuse)
    assert not editor.save()
    assert asked == ["没有参加人员"]
    assert editor.participant_message.text().startswith("还没有勾选参加人员")
    assert ActivityRepo(context.db).count() == 0


def test_editing_keeps_names_and_own_hours_and_is_not_dirty(qtbot, context) -> None:
    members = context.members.list()
    activity = Activity(
        kind="志愿服务",
        title="文明交通劝导",
        day=dt.date(2025, 5, 3),
        participants=[
            Participation(members[0].id, "旧名字", 2),
            Participation(members[1].id, members[1].name, 2),
            Participation(members[2].id, members[2].name, 3.5),
        ],
    )
    ActivityRepo(context.db).add(activity)
    editor = _editor(qtbot, context, ActivityRepo(context.db).get(activity.id))
    assert editor.windowTitle() == "编辑活动 - 文明交通劝导"
    assert editor.hours_spin.value() == 2  # what most people had
    assert not editor.is_dirty()
    assert editor.participants.people()[_row(editor, "旧名字")].checked
    assert editor.save()
    stored = ActivityRepo(context.db).get(activity.id)
    assert [(p.name, p.hours) for p in stored.participants] == [
        ("旧名字", 2),
        (members[1].name, 2),
        (members[2].name, 3.5),
    ]


def test_changing_the_date_keeps_ticks_of_people_no_longer_listed(qtbot, context) -> None:
    editor = _editor(qtbot, context)
    members = context.members.list()
    latest = max(members, key=lambda m: m.join_date.first_day())
    editor.participants.set_checked([_row(editor, latest.name)], True)
    day = latest.join_date.first_day() - dt.timedelta(days=1)
    editor.date_edit.setDate(QDate(day.year, day.month, day.day))
    listed = {p.member_id for p in editor.participants.people()}
    assert listed == {m.id for m in members if m.in_roster_on(day)} | {latest.id}
    assert [p.member_id for p in editor.participants.participations()] == [latest.id]


def test_kinds_dialog_adds_and_renames_everywhere(qtbot, context) -> None:
    repo = ActivityRepo(context.db)
    repo.add(Activity(kind="其他", title="旧活动", day=dt.date(2025, 1, 5)))
    dialog = ActivityKindsDialog(None, context)
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("文明实践")
    with qtbot.waitSignal(context.events.changes_applied):
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert "文明实践" in ActivityKindRepo(context.db).list()
    assert dialog.message.text() == "已添加“文明实践”"
    dialog.name_edit.setText("志愿服务")
    assert not dialog.add_kind("志愿服务")
    assert dialog.message.text() == "已有活动类型“志愿服务”"
    dialog.kind_list.setCurrentItem(
        dialog.kind_list.findItems("其他", Qt.MatchFlag.MatchExactly)[0]
    )
    dialog.name_edit.setText("其他活动")
    qtbot.mouseClick(dialog.rename_button, Qt.MouseButton.LeftButton)
    assert "其他活动" in ActivityKindRepo(context.db).list()
    assert repo.summaries()[0].kind == "其他活动"


def test_kinds_button_reloads_and_selects_the_new_kind(qtbot, context, monkeypatch) -> None:
    editor = _editor(qtbot, context)

    def add_one(_parent, ctx) -> str:
        ActivityKindRepo(ctx.db).add("文明实践")
        return "文明实践"

    monkeypatch.setattr(ActivityKindsDialog, "ask", staticmethod(add_one))
    qtbot.mouseClick(editor.kinds_button, Qt.MouseButton.LeftButton)
    assert editor.kind_combo.currentText() == "文明实践"


def test_attachments_are_copied_and_kept_with_the_activity(qtbot, context, tmp_path) -> None:
    photo = tmp_path / "合影.png"
    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.darkRed)
    assert image.save(str(photo))
    editor = _editor(qtbot, context)
    editor.title_edit.setText("垃圾分类宣传")
    editor.participants.set_checked([0], True)
    editor.add_attachments([str(photo), str(tmp_path / "不存在.jpg")])
    assert editor.attachment_list.count() == 1
    assert "不存在.jpg" in editor.attachment_message.text()
    assert editor.tabs.tabText(1) == "照片和附件（1）"
    assert editor.save()
    stored = ActivityRepo(context.db).get(editor.saved_activity.id)
    assert [a.filename for a in stored.attachments] == ["合影.png"]
    assert (attachments_dir(context.data_dir) / stored.attachments[0].stored_name).is_file()


def test_cancelled_attachments_are_not_kept(qtbot, context, tmp_path) -> None:
    photo = tmp_path / "p.png"
    QImage(10, 10, QImage.Format.Format_RGB32).save(str(photo))
    editor = _editor(qtbot, context)
    editor.add_attachments([str(photo)])
    stored = attachments_dir(context.data_dir) / editor._added[0].stored_name
    assert stored.is_file()
    editor.reject()
    assert not stored.exists()


def test_tab_order_follows_the_form(qtbot, context) -> None:
    editor = _editor(qtbot, context)
    chain = editor._tab_chain()
    wanted = set(chain)
    seen: list[QWidget] = []
    widget = chain[0]
    for _ in range(500):
        if widget in wanted and widget not in seen:
            seen.append(widget)
        widget = widget.nextInFocusChain()
        if widget is chain[0]:
            break
    assert seen == chain


def test_participant_model_passes_qtmodeltester(qtmodeltester) -> None:
    model = ParticipantModel()
    model.set_people(
        [PersonRow(1, "甲", "第一党小组", True, None), PersonRow(2, "乙", "", False, 3)]
    )
    qtmodeltester.check(model)


def test_screenshot_with_the_demo_branch(qtbot, tmp_path) -> None:
    folder = tmp_path / "demo"
    write_demo_branch(folder)
    db = open_database(folder / DB_FILENAME)
    try:
        context = AppContext(db=db, data_dir=folder)
        repo = ActivityRepo(db)
        activity = repo.get(repo.summaries()[0].id)
        activity.participants[1].hours += 1.5
        editor = ActivityEditor(None, context, activity)
        qtbot.addWidget(editor)
        editor.resize(1120, 720)
        editor.show()
        qtbot.waitExposed(editor)
        SCREENSHOT.parent.mkdir(exist_ok=True)
        assert editor.grab().save(str(SCREENSHOT))
        editor.done(0)
    finally:
        db.close()


def test_read_only_data_opens_but_does_not_save(qtbot, context) -> None:
    context.read_only = True
    editor = _editor(qtbot, context)
    editor.title_edit.setText("不能保存")
    editor.participants.set_checked([0], True)
    assert not editor.save_button.isEnabled() and not editor.kinds_button.isEnabled()
    assert not editor.save()
    assert ActivityRepo(context.db).count() == 0


def test_a_failed_write_keeps_the_editor_open(qtbot, context, monkeypatch) -> None:
    import sqlite3

    errors: list[str] = []
    monkeypatch.setattr(msgbox, "error", lambda _p, title, text: errors.append(text))
    editor = _editor(qtbot, context)
    editor.title_edit.setText("防汛巡查值守")
    editor.participants.set_checked([0], True)

    def full(_repo, _activity):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(ActivityRepo, "add", full)
    assert not editor.save()
    assert errors and editor.isVisible() and editor.title_edit.text() == "防汛巡查值守"


# -- dates that are probably typos, and texts over their limit ----------------------------------


def _asking(monkeypatch, answer: bool) -> list[tuple[str, str]]:
    asked: list[tuple[str, str]] = []

    def confirm(_parent, title, text, **_kwargs) -> bool:
        asked.append((title, text))
        return answer

    monkeypatch.setattr(msgbox, "confirm", confirm)
    return asked


def _fill(qtbot, editor: ActivityEditor) -> None:
    editor.title_edit.setText("义务植树")
    _click_name(qtbot, editor, editor.participants.people()[0].name)


def test_a_date_before_1921_asks_before_saving(qtbot, context, monkeypatch) -> None:
    editor = _editor(qtbot, context)
    _fill(qtbot, editor)
    editor.date_edit.setDate(QDate(1900, 3, 12))
    asked = _asking(monkeypatch, False)
    assert editor.save() is False
    assert asked == [
        (
            "日期可能有误",
            "活动日期 1900年3月12日 早于 1921年7月1日（中国共产党成立），可能输错了。\n\n仍要保存吗？",
        )
    ]
    assert ActivityRepo(context.db).count() == 0
    _asking(monkeypatch, True)
    assert editor.save() is True
    assert ActivityRepo(context.db).get(editor.saved_activity.id).day == dt.date(1900, 3, 12)


def test_an_end_date_more_than_a_year_ahead_asks(qtbot, context, monkeypatch) -> None:
    editor = _editor(qtbot, context)
    _fill(qtbot, editor)
    editor.multi_day_box.setChecked(True)
    editor.end_date_edit.setDate(QDate(2026, 6, 19))
    asked = _asking(monkeypatch, False)
    assert editor.save() is False
    assert [text.split("，")[0] for _, text in asked] == [
        "结束日期 2026年6月19日 晚于 2026年6月18日（今天起一年）"
    ]
    editor.end_date_edit.setDate(QDate(2026, 6, 18))
    assert editor.save() is True and len(asked) == 1


def test_an_old_stored_date_is_shown_and_kept(qtbot, context, monkeypatch) -> None:
    """The form used to start at 1990 and moved an older date there without a word."""
    member = context.members.list()[0]
    activity = Activity(
        kind="志愿服务",
        title="老照片里的义务劳动",
        day=dt.date(1958, 5, 1),
        end_day=dt.date(1958, 5, 3),
        participants=[Participation(member.id, member.name, 8)],
    )
    activity.id = ActivityRepo(context.db).add(activity)
    monkeypatch.setattr(msgbox, "confirm", lambda *a, **k: pytest.fail("asked"))
    editor = _editor(qtbot, context, ActivityRepo(context.db).get(activity.id))
    assert (editor.date_edit.date(), editor.end_date_edit.date()) == (
        QDate(1958, 5, 1),
        QDate(1958, 5, 3),
    )
    assert not editor.is_dirty()
    editor.place_edit.setText("城关公社")
    assert editor.save() is True
    stored = ActivityRepo(context.db).get(activity.id)
    assert (stored.day, stored.end_day, stored.place) == (
        dt.date(1958, 5, 1),
        dt.date(1958, 5, 3),
        "城关公社",
    )


def test_a_place_over_the_limit_is_not_saved(qtbot, context) -> None:
    editor = _editor(qtbot, context)
    _fill(qtbot, editor)
    editor.place_edit.setText("地" * 201)
    assert editor.save() is False
    assert editor._messages["长度"].text() == "地点最长 200 个字，现有 201 个字"
    assert editor.place_edit.hasFocus()
    assert ActivityRepo(context.db).count() == 0
    editor.place_edit.setText("地" * 200)
    assert editor.save() is True
