"""The meeting editor states the quorum, asks before saving an invalid meeting, and records
votes on a 支部党员大会's resolutions."""

from __future__ import annotations

import datetime as dt

import pytest

from branchdesk.domain.dates import PartialDate
from branchdesk.domain.meetings import AttendanceStatus, MeetingKind, Vote
from branchdesk.domain.members import Category, Member, Role
from branchdesk.store.meetings import MeetingRepo
from branchdesk.ui import msgbox
from branchdesk.ui.context import AppContext
from branchdesk.ui.editors.meeting_editor import MeetingEditor
from screenshots import screenshot_file

DAY = dt.date.today() - dt.timedelta(days=10)


@pytest.fixture
def context(db, data_dir) -> AppContext:
    """Ten 正式党员 (three on the committee) and two 预备党员."""
    context = AppContext(db=db, data_dir=data_dir)
    group = context.groups.create("第一党小组")
    names = "王建国 李秀英 张伟 刘洋 陈静 杨帆 赵磊 黄敏 周杰 吴婷 徐丽 孙浩".split()
    for index, name in enumerate(names):
        probationary = index >= 10
        member = Member(
            name=name,
            group_id=group.id,
            join_date=PartialDate(2026 if probationary else 2005, 1 if probationary else 7),
            full_date=None if probationary else PartialDate(2006, 7),
            category=Category.PROBATIONARY if probationary else Category.FULL,
            roles=[[Role.SECRETARY], [Role.ORGANISATION], [Role.PROPAGANDA]][index]
            if index < 3
            else [],
            sort_order=index + 1,
        )
        context.members.add(member)
    return context


@pytest.fixture
def confirms(monkeypatch):
    asked: list[tuple[str, str]] = []
    answer = {"value": True}

    def confirm(_parent, title, text, **_kw):
        asked.append((title, text))
        return answer["value"] if title == "会议无效" else True

    monkeypatch.setattr(msgbox, "confirm", confirm)
    return asked, answer


def _general_editor(qtbot, context) -> MeetingEditor:
    editor = MeetingEditor(None, context)
    qtbot.addWidget(editor)
    editor.resize(1120, 740)
    editor.show()
    qtbot.waitExposed(editor)
    editor.kind_combo.setCurrentIndex(editor.kind_combo.findData(MeetingKind.GENERAL.value))
    editor.date_edit.setDate(DAY)
    editor._on_audience_changed()
    editor.title_edit.setText("讨论接收预备党员")
    return editor


def _mark(editor, names, status) -> None:
    model = editor.attendance.model
    for row in range(model.rowCount()):
        if model.row(row).name in names:
            editor.attendance.grid.setCurrentIndex(model.index(row, 0))
            editor.attendance.grid.mark(status)


def test_general_meeting_shows_voting_members_and_validity(qtbot, context, confirms):
    editor = _general_editor(qtbot, context)
    assert editor.attendance.model.rowCount() == 12  # everyone is expected ...
    line = editor.quorum_label
    assert line.isVisibleTo(editor)
    # ... but only the ten 正式党员 have a vote.
    assert line.text() == "应到有表决权党员 10 人，实到 10 人，超过半数，会议有效"
    _mark(editor, {"张伟", "刘洋", "陈静", "杨帆", "赵磊"}, AttendanceStatus.ABSENT)
    assert line.text() == (
        "应到有表决权党员 10 人，实到 5 人，未超过半数（至少需 6 人），会议无效"
    )
    _mark(editor, {"赵磊"}, AttendanceStatus.PRESENT)
    assert line.text() == "应到有表决权党员 10 人，实到 6 人，超过半数，会议有效"
    editor.place_combo.setEditText("社区党群服务中心")
    editor.attendance.grid.clearSelection()
    editor.grab().save(str(screenshot_file("meeting_quorum.png")))
    _mark(editor, {"赵磊"}, AttendanceStatus.ABSENT)
    # The two 预备党员 being absent or present changes nothing.
    _mark(editor, {"徐丽", "孙浩"}, AttendanceStatus.LEAVE)
    assert "实到 5 人" in line.text()
    _mark(editor, {"徐丽", "孙浩"}, AttendanceStatus.PRESENT)
    assert "会议无效" in line.text()


def test_saving_an_invalid_meeting_asks_first(qtbot, context, confirms):
    asked, answer = confirms
    editor = _general_editor(qtbot, context)
    _mark(editor, {"张伟", "刘洋", "陈静", "杨帆", "赵磊"}, AttendanceStatus.ABSENT)
    answer["value"] = False
    assert not editor.save()
    assert asked[-1][0] == "会议无效"
    assert "实到 5 人" in asked[-1][1] and "仍要保存吗" in asked[-1][1]
    assert MeetingRepo(context.db).count() == 0
    answer["value"] = True
    assert editor.save()
    assert MeetingRepo(context.db).count() == 1


def test_a_valid_meeting_is_saved_without_asking(qtbot, context, confirms):
    asked, _answer = confirms
    editor = _general_editor(qtbot, context)
    _mark(editor, {"张伟", "刘洋", "陈静", "杨帆"}, AttendanceStatus.ABSENT)
    assert "实到 6 人" in editor.quorum_label.text() and "会议有效" in editor.quorum_label.text()
    assert editor.save()
    assert "会议无效" not in [title for title, _text in asked]


def test_committee_meeting_shows_the_committee_quorum(qtbot, context, confirms):
    editor = _general_editor(qtbot, context)
    editor.kind_combo.setCurrentIndex(editor.kind_combo.findData(MeetingKind.COMMITTEE.value))
    assert editor.attendance.model.rowCount() == 3
    assert editor.quorum_label.text() == "应到支委 3 人，实到 3 人，超过半数，会议有效"
    assert not editor.votes_panel.isVisibleTo(editor)  # votes belong to a 党员大会
    _mark(editor, {"李秀英", "张伟"}, AttendanceStatus.LEAVE)
    assert editor.quorum_label.text() == (
        "应到支委 3 人，实到 1 人，未超过半数（至少需 2 人），会议无效"
    )
    editor.kind_combo.setCurrentIndex(editor.kind_combo.findData(MeetingKind.THEME_DAY.value))
    assert not editor.quorum_label.isVisibleTo(editor)


def test_votes_are_recorded_with_their_outcome(qtbot, context, confirms):
    editor = _general_editor(qtbot, context)
    _mark(editor, {"张伟", "刘洋"}, AttendanceStatus.ABSENT)  # 8 of 10 present
    editor.show_tab(3)
    panel = editor.votes_panel
    assert panel.isVisibleTo(editor)
    panel.add_button.click()
    panel.table.cellWidget(0, 0).setText("接收徐丽同志为中共预备党员")
    panel.table.cellWidget(0, 1).setValue(6)
    panel.table.cellWidget(0, 2).setValue(1)
    panel.table.cellWidget(0, 3).setValue(1)
    assert panel.result_text(0).strip() == "通过"  # 6 > 10 / 2
    panel.add_button.click()
    panel.table.cellWidget(1, 0).setText("推荐优秀党员")
    panel.table.cellWidget(1, 1).setValue(5)  # most of the 8 present, not more than half of 10
    panel.table.cellWidget(1, 3).setValue(3)
    assert panel.result_text(1).strip() == "未通过"
    # More votes than voting members present is refused, next to the votes.
    panel.table.cellWidget(1, 2).setValue(1)
    editor._tried_save = True
    assert not editor.save()
    assert "合计 9 票，多于实到有表决权党员 8 人" in editor.vote_message.text()
    panel.table.cellWidget(1, 2).setValue(0)
    grab = editor.grab()
    grab.save(str(screenshot_file("meeting_votes.png")))
    assert editor.save()
    (summary,) = MeetingRepo(context.db).summaries()
    stored = MeetingRepo(context.db).get(summary.id)
    assert stored.votes == [
        Vote("接收徐丽同志为中共预备党员", 6, 1, 1),
        Vote("推荐优秀党员", 5, 0, 3),
    ]
    # Opened again, the votes and the quorum are shown as saved.
    again = MeetingEditor(None, context, stored)
    qtbot.addWidget(again)
    assert again.votes_panel.votes() == stored.votes
    assert again.quorum_label.text() == "应到有表决权党员 10 人，实到 8 人，超过半数，会议有效"
