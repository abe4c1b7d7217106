"""Plans become records: 记录会议 offers the plan of the period; 工作台 lists expired plans."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QLabel

from branchdesk.demo import demo_members
from branchdesk.domain.meetings import Meeting, MeetingKind, MeetingStatus
from branchdesk.store.meetings import MeetingRepo
from branchdesk.ui import msgbox
from branchdesk.ui.context import AppContext
from branchdesk.ui.editors.meeting_editor import MeetingEditor
from branchdesk.ui.pages.home_page import HomePage

TODAY = dt.date.today()
PLAN_DAY = TODAY.replace(day=1)  # earlier this month: the plan's month is today's


@pytest.fixture(autouse=True)
def _no_blocking_boxes(monkeypatch) -> None:
    monkeypatch.setattr(msgbox, "confirm", lambda *a, **k: True)


@pytest.fixture
def context(db, data_dir) -> AppContext:
    context = AppContext(db=db, data_dir=data_dir)
    for index, member in enumerate(demo_members(12, seed=5, today=TODAY)):
        member.sort_order = index + 1
        context.members.add(member)
    return context


@pytest.fixture
def plan_id(context) -> int:
    plan = Meeting(
        kinds=[MeetingKind.THEME_DAY],
        day=PLAN_DAY,
        status=MeetingStatus.PLANNED,
        start=dt.time(14, 30),
        place="社区党群服务中心三楼",
        title="重温入党誓词",
        topics=["重温入党誓词", "学习党章第一章"],
    )
    return MeetingRepo(context.db).add(plan)


def _editor(qtbot, context, **kwargs) -> MeetingEditor:
    editor = MeetingEditor(None, context, **kwargs)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    return editor


def test_recording_offers_the_plan_and_turns_it_into_the_record(qtbot, context, plan_id):
    editor = _editor(qtbot, context)  # 记录会议: 主题党日, today
    assert editor.plan_bar.isVisible()
    assert "重温入党誓词" in editor.plan_label.text() and "已有计划" in editor.plan_label.text()

    qtbot.mouseClick(editor.use_plan_button, Qt.MouseButton.LeftButton)

    assert not editor.plan_bar.isVisible()
    assert editor.date_edit.date() == QDate(PLAN_DAY)
    assert editor.place_combo.currentText() == "社区党群服务中心三楼"
    assert editor.topics_edit.toPlainText() == "重温入党誓词\n学习党章第一章"
    assert editor.status_combo.currentData() == MeetingStatus.HELD.value
    editor.minutes_edit.setPlainText("全体党员重温入党誓词。")
    assert editor.save()

    (only,) = MeetingRepo(context.db).summaries()  # the plan is gone: one record, not two
    assert (only.id, only.status, only.day) == (plan_id, MeetingStatus.HELD, PLAN_DAY)
    assert MeetingRepo(context.db).get(plan_id).minutes == "全体党员重温入党誓词。"


def test_no_offer_for_another_kind_and_a_declined_plan_stays(qtbot, context, plan_id):
    editor = _editor(qtbot, context)
    editor.kind_combo.setCurrentIndex(editor.kind_combo.findData(MeetingKind.COMMITTEE.value))
    assert not editor.plan_bar.isVisible()
    editor.kind_combo.setCurrentIndex(editor.kind_combo.findData(MeetingKind.THEME_DAY.value))
    assert editor.plan_bar.isVisible()
    qtbot.mouseClick(editor.decline_plan_button, Qt.MouseButton.LeftButton)
    assert not editor.plan_bar.isVisible()
    editor.title_edit.setText("另一次主题党日")
    assert editor.save()
    statuses = sorted(s.status.value for s in MeetingRepo(context.db).summaries())
    assert statuses == ["held", "planned"]


@pytest.mark.parametrize(("answer", "stored"), [(0, ["held"]), (1, ["held", "planned"])])
def test_saving_with_the_offer_unanswered_asks(qtbot, context, plan_id, monkeypatch, answer, stored):
    asked = []
    monkeypatch.setattr(msgbox, "choose", lambda _p, title, text, buttons: asked.append(
        (title, buttons)) or answer)  # fmt: skip
    editor = _editor(qtbot, context)
    editor.title_edit.setText("主题党日")
    assert editor.save()
    assert asked == [("已有计划", ["是，代替计划", "否，另记一次", "返回修改"])]
    summaries = MeetingRepo(context.db).summaries()
    assert sorted(s.status.value for s in summaries) == stored
    if answer == 0:
        assert summaries[0].id == plan_id and summaries[0].title == "主题党日"


def _home(qtbot, context, today) -> HomePage:
    page = HomePage(context, today=lambda: today)
    qtbot.addWidget(page)
    page.resize(1100, 760)
    page.show()
    return page


@pytest.fixture
def recorded(monkeypatch) -> list[int | None]:
    asked: list[int | None] = []
    monkeypatch.setattr(
        MeetingEditor, "ask", staticmethod(lambda *a, **k: asked.append(k.get("plan_id")))
    )
    return asked


def test_home_says_a_required_meetings_plan_expired_with_record_and_cancel(
    qtbot, context, plan_id, recorded
):
    page = _home(qtbot, context, PLAN_DAY + dt.timedelta(days=1))
    (row,) = [row for row in page.rows if row.name.text() == "主题党日"]
    assert "的计划已过期，记录或取消" in row.detail.text()
    assert set(row.buttons) == {"记录", "取消"}
    assert not page.expired_box.isVisible()  # said once, on the line
    assert "1 项计划已过期" in page.summary_label.text()

    qtbot.mouseClick(row.buttons["记录"], Qt.MouseButton.LeftButton)
    assert recorded == [plan_id]
    qtbot.mouseClick(row.buttons["取消"], Qt.MouseButton.LeftButton)
    assert MeetingRepo(context.db).summaries() == []


def test_home_lists_other_expired_plans_with_record_and_cancel(qtbot, context, recorded):
    last_month = PLAN_DAY - dt.timedelta(days=3)  # no rule's current period holds it
    other = MeetingRepo(context.db).add(Meeting(
        kinds=[MeetingKind.OTHER], day=last_month, status=MeetingStatus.PLANNED,
        title="参观红色教育基地"))  # fmt: skip
    page = _home(qtbot, context, PLAN_DAY + dt.timedelta(days=1))
    assert page.expired_box.isVisible()
    texts = [label.text() for label in page.expired_box.findChildren(QLabel)]
    assert any("参观红色教育基地" in t and "计划已过期，记录或取消" in t for t in texts)
    record, cancel = page.expired_buttons[other]
    assert (record.text(), cancel.text()) == ("记录", "取消计划")

    qtbot.mouseClick(record, Qt.MouseButton.LeftButton)
    assert recorded == [other]
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert MeetingRepo(context.db).summaries() == []
    qtbot.waitUntil(lambda: not page.expired_box.isVisible())


def test_recording_from_home_opens_the_plan_as_held(qtbot, context, plan_id):
    editor = _editor(qtbot, context, plan_id=plan_id)
    assert editor.windowTitle().startswith("记录会议")
    assert editor.date_edit.date() == QDate(PLAN_DAY)
    assert editor.title_edit.text() == "重温入党誓词"
    assert not editor.plan_bar.isVisible()
    assert editor.save()
    (only,) = MeetingRepo(context.db).summaries()
    assert (only.id, only.status) == (plan_id, MeetingStatus.HELD)
