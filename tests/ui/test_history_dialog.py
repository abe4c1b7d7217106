"""修改记录: what changed, field by field, and putting a deleted record back."""

from __future__ import annotations

import datetime as dt

import pytest

from branchdesk.domain.meetings import Attendance, AttendanceStatus, Meeting, MeetingKind
from branchdesk.domain.members import Member
from branchdesk.store.history import HistoryRepo
from branchdesk.store.meetings import MeetingRepo
from branchdesk.ui import msgbox
from branchdesk.ui.context import AppContext
from branchdesk.ui.dialogs.history_dialog import (
    HistoryDialog,
    change_html,
    field_changes,
    people_changes,
)
from branchdesk.ui.editors.member_dialog import MemberDialog


@pytest.fixture(autouse=True)
def answers(monkeypatch) -> None:
    monkeypatch.setattr(msgbox, "confirm", lambda *a, **k: True)
    for name in ("information", "warning", "error"):
        monkeypatch.setattr(msgbox, name, lambda *a, _n=name: pytest.fail(f"{_n}{a}"))


@pytest.fixture
def context(db, data_dir) -> AppContext:
    return AppContext(db=db, data_dir=data_dir)


def test_field_changes_name_the_fields_in_chinese(context) -> None:
    member_id = context.members.add(Member(name="张伟", phone="13812345678", workplace="街道办"))
    member = context.members.get(member_id)
    member.workplace = "社区居委会"
    member.phone = "13987654321"
    context.members.update(member)
    change = HistoryRepo(context.db).for_record("member", member_id)[0]
    import json

    found = field_changes("member", json.loads(change.before), json.loads(change.after))
    assert [(f.label, f.before, f.after) for f in found] == [
        ("联系电话", "138****5678", "139****4321"),  # masked outside the member's form
        ("工作单位及职务", "街道办", "社区居委会"),
    ]


def test_member_codes_show_as_their_labels(context) -> None:
    """Stored codes (and an older file's labels) read as people wrote them."""
    before = {"gender": "male", "category": "full", "status": "在册", "roles": []}
    after = {"gender": "female", "category": "probationary", "status": "flowing",
             "roles": ["secretary", "organisation"]}  # fmt: skip
    found = field_changes("member", before, after)
    assert [(f.label, f.before, f.after) for f in found] == [
        ("性别", "男", "女"),
        ("党员类别", "正式", "预备"),
        ("支委职务", "", "书记、组织委员"),
        ("状态", "在册", "流动"),
    ]


def test_attendance_differences_by_name(context) -> None:
    repo = MeetingRepo(context.db)
    zhang = context.members.add(Member(name="张三"))
    li = context.members.add(Member(name="李四"))
    meeting = Meeting(
        kinds=[MeetingKind.THEME_DAY], day=dt.date(2025, 6, 5), title="学习",
        attendance=[Attendance(zhang, "张三"), Attendance(li, "李四")],
    )  # fmt: skip
    repo.add(meeting)
    meeting.attendance[0].status = AttendanceStatus.LEAVE
    meeting.attendance[0].reason = "出差"
    meeting.place = "社区党群服务中心"
    repo.update(meeting)
    change = HistoryRepo(context.db).for_record("meeting", meeting.id)[0]
    import json

    lines = people_changes("meeting", json.loads(change.before), json.loads(change.after))
    assert lines == ["张三：出席 → 请假（出差）"]
    page = change_html(change)
    assert "出勤变化" in page and "张三：出席 → 请假（出差）" in page and "地点" in page


def test_one_records_history_and_restoring_an_older_version(qtbot, context) -> None:
    member_id = context.members.add(Member(name="张伟", workplace="街道办"))
    member = context.members.get(member_id)
    member.workplace = "社区居委会"
    context.members.update(member)
    dialog = HistoryDialog(None, context, "member", member_id)
    qtbot.addWidget(dialog)
    table = dialog.recent.table
    assert table.rowCount() == 2
    assert [table.item(r, 1).text() for r in range(2)] == ["修改", "新增"]
    assert dialog.title.text() == "修改记录：张伟"
    assert "社区居委会" in dialog.recent.detail.toPlainText()
    with qtbot.waitSignal(context.events.changes_applied) as signal:
        dialog.recent.restore_button.click()
    assert signal.args[0].members
    assert context.members.get(member_id).workplace == "街道办"
    assert table.rowCount() == 3 and table.item(0, 1).text() == "恢复"


def test_deleted_tab_restores_a_meeting(qtbot, context) -> None:
    repo = MeetingRepo(context.db)
    meeting_id = repo.add(
        Meeting(kinds=[MeetingKind.LECTURE], day=dt.date(2025, 3, 1), title="党课")
    )
    repo.delete(meeting_id)
    dialog = HistoryDialog(None, context)
    qtbot.addWidget(dialog)
    assert dialog.tabs.tabText(1) == "已删除（1）"
    assert dialog.deleted.table.item(0, 1).text() == "会议"
    assert "删除前的内容" in dialog.deleted.detail.toPlainText()
    with qtbot.waitSignal(context.events.changes_applied) as signal:
        dialog.deleted.restore_button.click()
    assert signal.args[0].meetings
    assert repo.get(meeting_id).title == "党课"
    assert dialog.tabs.tabText(1) == "已删除" and dialog.deleted.table.rowCount() == 0


def test_member_form_opens_its_history(qtbot, context, monkeypatch) -> None:
    member_id = context.members.add(Member(name="张伟"))
    opened = []
    monkeypatch.setattr(HistoryDialog, "open_for", lambda *args: opened.append(args[1:]) or False)
    dialog = MemberDialog(None, context, context.members.get(member_id))
    qtbot.addWidget(dialog)
    dialog.history_button.click()
    assert opened == [(context, "member", member_id)]
    new = MemberDialog(None, context)
    qtbot.addWidget(new)
    assert not new.history_button.isVisibleTo(new)  # nothing to show for a new member


def test_the_record_rules_show_in_the_history(context) -> None:
    import json

    from branchdesk.domain.meetings import Vote
    from branchdesk.domain.members import LongLeave, ProbationExtension

    member_id = context.members.add(Member(name="李预备"))
    member = context.members.get(member_id)
    member.probation_extension = ProbationExtension(dt.date(2026, 5, 20), 6, "需继续考察")
    member.long_leave = LongLeave(dt.date(2026, 6, 1), dt.date(2026, 12, 31), "因病住院")
    context.members.update(member)
    change = HistoryRepo(context.db).for_record("member", member_id)[0]
    found = field_changes("member", json.loads(change.before), json.loads(change.after))
    assert [(f.label, f.before, f.after) for f in found] == [
        ("延长预备期", "", "2026-05-20 决定延长 6 个月（需继续考察）"),
        ("长期请假", "", "2026-06-01 至 2026-12-31（因病住院）"),
    ]
    repo = MeetingRepo(context.db)
    meeting = Meeting(kinds=[MeetingKind.GENERAL], day=dt.date(2026, 5, 20))
    repo.add(meeting)
    meeting.votes = [Vote("接收张三为预备党员", 12, 1, 0)]
    repo.update(meeting)
    change = HistoryRepo(context.db).for_record("meeting", meeting.id)[0]
    found = field_changes("meeting", json.loads(change.before), json.loads(change.after))
    assert [(f.label, f.after) for f in found] == [
        ("表决", "接收张三为预备党员：赞成 12，反对 1，弃权 0")
    ]


def test_a_deleted_dues_payment_reads_in_chinese_and_is_put_back(qtbot, context) -> None:
    import json
    from decimal import Decimal

    from branchdesk.domain.dues import Assessment, DuesCategory, Exclusion, Month, Payment
    from branchdesk.store.dues import AssessmentRepo, PaymentRepo

    member_id = context.members.add(Member(name="张伟"))
    assessments = AssessmentRepo(context.db)
    assessment = Assessment(member_id, Month(2026, 1), DuesCategory.EMPLOYED,
                            income=Decimal("6200.00"),
                            exclusions=(Exclusion("住房公积金", Decimal("500")),))  # fmt: skip
    assessments.add(assessment)
    assessment.category = DuesCategory.RETIRED
    assessments.update(assessment)
    change = HistoryRepo(context.db).for_record("dues_assessment", assessment.id)[0]
    found = field_changes("dues_assessment", json.loads(change.before), json.loads(change.after))
    assert [(f.label, f.before, f.after) for f in found] == [("党费类别", "在职", "离退休")]
    repo = PaymentRepo(context.db)
    payment_id = repo.add(Payment(member_id, dt.date(2026, 3, 8),
                                  (Month(2026, 1), Month(2026, 2), Month(2026, 3)),
                                  Decimal("37.50"), received_by="王芳"))  # fmt: skip
    repo.delete(payment_id)
    dialog = HistoryDialog(None, context)
    qtbot.addWidget(dialog)
    assert dialog.deleted.table.item(0, 1).text() == "党费缴纳"
    detail = dialog.deleted.detail.toPlainText()
    assert "2026-01至2026-03" in detail and "37.50元" in detail
    with qtbot.waitSignal(context.events.changes_applied) as signal:
        dialog.deleted.restore_button.click()
    assert signal.args[0].dues
    assert repo.get(payment_id).amount == Decimal("37.50")
