"""Dates set where people make the change: the member form (加入本支部, 变动生效日期), the
group dialog (建立日期, merge and 撤销 on a day), moving members, the import's question,
修改记录 showing them, and 报表 saying when a reported return now differs."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from reports.roster_samples import make_id, write_roster

from branchdesk import ops
from branchdesk.domain.dates import PartialDate
from branchdesk.domain.meetings import Meeting, MeetingKind
from branchdesk.domain.members import JoinHow, Member, Role
from branchdesk.domain.requirements import Period, Unit
from branchdesk.reports.return_figures import compute_return
from branchdesk.store.history import HistoryRepo
from branchdesk.ui import msgbox
from branchdesk.ui.context import AppContext
from branchdesk.ui.dialogs.groups_dialog import GroupsDialog, MoveGroupDialog
from branchdesk.ui.dialogs.history_dialog import change_html
from branchdesk.ui.dialogs.import_dialog import ImportDialog
from branchdesk.ui.editors.member_dialog import MemberDialog
from branchdesk.ui.pages.reports_page import BranchReturnTab

TODAY = dt.date.today()
DAY = dt.date(2026, 3, 15) if TODAY > dt.date(2026, 6, 1) else TODAY - dt.timedelta(days=60)


@pytest.fixture(autouse=True)
def no_real_message_boxes(monkeypatch):
    monkeypatch.setattr(msgbox, "confirm", lambda *args, **kwargs: True)
    for name in ("information", "warning", "error"):
        monkeypatch.setattr(msgbox, name, lambda *args, _name=name: pytest.fail(f"{_name}{args}"))


@pytest.fixture
def context(qapp, file_db, data_dir) -> AppContext:
    context = AppContext(db=file_db, data_dir=data_dir)
    first = context.groups.create("第一党小组").id
    context.groups.create("第二党小组")
    for name in ("张伟", "王芳", "李强"):
        context.members.add(
            Member(name=name, group_id=first, join_date=PartialDate(2000, 7, 1),
                   branch_join_how=JoinHow.ORIGINAL)
        )  # fmt: skip
    return context


def _member(context: AppContext, name: str) -> Member:
    return next(m for m in context.members.list() if m.name == name)


def test_member_form_sets_the_day_joined_and_the_day_a_change_holds_from(qtbot, context):
    dialog = MemberDialog(None, context)
    qtbot.addWidget(dialog)
    # a branch with members: someone added joins it today, as a 转入
    assert dialog.join_how_combo.currentText() == "转入"
    assert dialog.branch_join_edit.text() == PartialDate.of(TODAY).display()
    dialog.name_edit.setText("赵敏")
    dialog.join_edit.setText("2010-07-01")
    dialog.branch_join_edit.clear()
    assert any(i.field == "加入本支部" for i in dialog.issues())  # 转入 needs its day
    dialog.branch_join_edit.setText(DAY.isoformat())
    assert dialog.save()
    added = _member(context, "赵敏")
    assert added.branch_join_how is JoinHow.TRANSFER_IN
    assert added.branch_join_date == PartialDate.of(DAY)

    zhang = _member(context, "张伟")
    form = MemberDialog(None, context, zhang)
    qtbot.addWidget(form)
    form.group_combo.setCurrentIndex(form.group_combo.findText("第二党小组"))
    form.role_boxes[Role.SECRETARY].setChecked(True)
    form.effective_edit.setText((TODAY + dt.timedelta(days=3)).isoformat())
    assert any(i.field == "变动生效日期" for i in form.issues())
    assert not form.save()
    form.effective_edit.setText(DAY.isoformat())
    assert form.save()
    stored = context.members.get(zhang.id or 0)
    before, after = stored.as_of(DAY - dt.timedelta(days=1)), stored.as_of(DAY)
    assert (before.group_name, before.roles) == ("第一党小组", [])
    assert (after.group_name, after.roles) == ("第二党小组", [Role.SECRETARY])
    # 修改记录 shows the dated group and role
    change = HistoryRepo(context.db).for_record("member", zhang.id or 0)[0]
    text = change_html(change)
    assert "所在党小组（按日期）" in text and f"{DAY.year}年{DAY.month}月{DAY.day}日起" in text
    assert "支委任职（按日期）" in text


def test_group_dialog_creates_from_a_day_and_merges_and_dissolves_on_one(qtbot, context):
    dialog = GroupsDialog(None, context)
    qtbot.addWidget(dialog)
    dialog.new_edit.setText("第三党小组")
    dialog.new_start_edit.setText(DAY.isoformat())
    dialog.create_group()
    third = context.groups.by_name("第三党小组")
    assert third is not None and third.start == DAY
    assert dialog.table.item(2, 4).text() == f"{DAY.year}年{DAY.month}月{DAY.day}日"

    dialog.select_group("第三党小组")
    dialog.start_edit.clear()
    dialog.set_start_of_selected()
    assert context.groups.get(third.id).start is None  # 一直存在

    dialog.select_group("第一党小组")
    dialog.target_combo.setCurrentIndex(dialog.target_combo.findText("第二党小组"))
    dialog.on_edit.setText(DAY.isoformat())
    with qtbot.waitSignal(context.events.changes_applied):
        dialog.merge_selected()
    first = context.groups.by_name("第一党小组")
    assert first is not None and first.end == DAY - dt.timedelta(days=1)
    zhang = _member(context, "张伟")
    assert zhang.as_of(DAY - dt.timedelta(days=1)).group_name == "第一党小组"
    assert zhang.group_name == "第二党小组"

    dialog.select_group("第三党小组")
    dialog.on_edit.setText((TODAY + dt.timedelta(days=1)).isoformat())
    dialog.dissolve_selected()
    assert "不能晚于今天" in dialog.message.text()
    dialog.on_edit.setText(TODAY.isoformat())
    dialog.dissolve_selected()
    assert context.groups.get(third.id).end == TODAY - dt.timedelta(days=1)
    assert [g.name for g in context.groups.list()] == ["第二党小组"]


def test_moving_members_from_a_day(qtbot, context):
    members = [_member(context, "王芳")]
    dialog = MoveGroupDialog(None, context, members)
    qtbot.addWidget(dialog)
    dialog.choose("第二党小组")
    dialog.on_edit.setText("2026.03")
    assert not dialog.save() and "到日" in dialog.message.text()
    dialog.on_edit.setText(DAY.isoformat())
    assert dialog.save()
    wang = _member(context, "王芳")
    assert wang.as_of(DAY - dt.timedelta(days=1)).group_name == "第一党小组"
    assert wang.as_of(DAY).group_name == "第二党小组"


def test_import_asks_the_day_new_members_joined(qtbot, context, tmp_path):
    path = write_roster(
        tmp_path / "转入.xlsx",
        [("钱七", "男", make_id("19900101", "125"), "1990-01-01", "2015-07-01",
          "2016-07-01", "正式", "第四党小组", "13812345678", "居委会", None)],
    )  # fmt: skip
    dialog = ImportDialog(context, path)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: not dialog.reading, timeout=10_000)
    question = dialog.joined_on
    assert question.isVisibleTo(dialog) and question.dated_button.isChecked()
    assert question.day_edit.text() == PartialDate.of(TODAY).display()
    assert "第四党小组" in question.groups_label.text() and "起存在" in question.groups_label.text()
    question.day_edit.setText("")
    question.day_edit.editingFinished.emit()
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert not dialog.importing and "请填写" in question.message.text()
    question.day_edit.setText(DAY.isoformat())
    question.day_edit.editingFinished.emit()
    with qtbot.waitSignal(context.events.changes_applied, timeout=5_000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qian = _member(context, "钱七")
    assert qian.branch_join_date == PartialDate.of(DAY)
    assert qian.branch_join_how is JoinHow.TRANSFER_IN
    assert context.groups.by_name("第四党小组").start == DAY  # type: ignore[union-attr]


def test_first_import_asks_whether_they_are_the_branchs_own(qtbot, file_db, data_dir, tmp_path):
    context = AppContext(db=file_db, data_dir=data_dir)
    path = write_roster(
        tmp_path / "花名册.xlsx",
        [("钱七", "男", make_id("19900101", "125"), "1990-01-01", "2015-07-01",
          "2016-07-01", "正式", "一组", "13812345678", "居委会", None)],
    )  # fmt: skip
    dialog = ImportDialog(context, path)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: not dialog.reading, timeout=10_000)
    assert dialog.joined_on.original_button.isChecked()
    assert "原有党员" in dialog.joined_on.original_button.text()
    with qtbot.waitSignal(context.events.changes_applied, timeout=5_000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert context.members.list()[0].branch_join_how is JoinHow.ORIGINAL


def test_reports_page_says_a_reported_return_now_differs(qtbot, context):
    period = Period.containing(Unit.MONTH, DAY)
    ops.add_meeting(
        context.session,
        Meeting(kinds=[MeetingKind.THEME_DAY], day=period.start.replace(day=10), title="主题党日"),
    )
    figures = compute_return(context.db, period).figures()
    ops.mark_period_reported(context.session, period, figures=figures)
    tab = BranchReturnTab(context, today=TODAY)
    qtbot.addWidget(tab)
    tab.picker.set_period(period)
    tab.wait_loaded()  # the figures are computed on a worker
    assert tab.period() == period
    tab.refresh()
    assert not tab.difference_label.isVisibleTo(tab)
    ops.unlock_period(context.session, period, "补录转入党员")
    ops.add_member(
        context.session,
        Member(name="补录", branch_join_how=JoinHow.TRANSFER_IN,
               branch_join_date=PartialDate.of(period.start.replace(day=20))),
    )  # fmt: skip
    tab.refresh()
    assert tab.difference_label.isVisibleTo(tab)
    text = tab.difference_label.text()
    assert "与已上报版本不同" in text and "党员总数：3 → 4" in text and "本期转入：0 → 1" in text
