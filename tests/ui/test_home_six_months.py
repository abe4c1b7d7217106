"""工作台's 党员提醒 lists members three months or more without organisational life, with the
day 党章第九条's six months fall; 延长预备期 moves 转正 due there."""

from __future__ import annotations

import datetime as dt

import pytest
from demo_cache import write_demo_branch

from branchdesk import ops
from branchdesk.domain.dates import PartialDate
from branchdesk.domain.meetings import AttendanceStatus, MeetingStatus
from branchdesk.domain.members import Category, MemberStatus
from branchdesk.store.lock import DataFolderLock
from branchdesk.store.meetings import MeetingFilter, MeetingRepo
from branchdesk.store.members import MemberRepo
from branchdesk.store.session import Session
from branchdesk.ui.context import AppContext
from branchdesk.ui.pages.home_page import HomePage
from screenshots import screenshot_file

TODAY = dt.date(2026, 1, 20)


@pytest.fixture
def session(data_dir):
    write_demo_branch(data_dir, members=36, seed=1, today=TODAY)
    lock = DataFolderLock(data_dir)
    lock.acquire()
    opened = Session.open(data_dir, lock=lock)
    yield opened
    opened.close()


def _absent_since(db, member_id: int, since: dt.date) -> dt.date:
    """Mark the member absent, without 补学, at every held meeting from ``since``; return the
    last meeting attended before."""
    repo = MeetingRepo(db)
    last = dt.date.min
    for summary in repo.summaries(MeetingFilter(end=TODAY, status=MeetingStatus.HELD)):
        meeting = repo.get(summary.id)
        for row in meeting.attendance:
            if row.member_id != member_id:
                continue
            if summary.day >= since:
                row.status, row.reason = AttendanceStatus.ABSENT, ""
                row.makeup.day, row.makeup.how = None, ""
                repo.update(meeting)
            elif row.status is AttendanceStatus.PRESENT:
                last = max(last, summary.day)
    return last


def test_six_month_warning_on_the_home_page(qtbot, session):
    db = session.db
    repo = MemberRepo(db)
    members = repo.list(include_left=False)
    quiet, flowing, on_leave = members[4], members[7], members[9]
    quiet_last = _absent_since(db, quiet.id, dt.date(2025, 10, 1))
    flowing.status = MemberStatus.FLOWING
    flowing.workplace = "广东省深圳市"
    repo.update(flowing)
    flowing_last = _absent_since(db, flowing.id, dt.date(2025, 7, 1))
    _absent_since(db, on_leave.id, dt.date(2025, 8, 1))
    ops.set_long_leave(session, on_leave.id, dt.date(2025, 8, 1), dt.date(2026, 7, 31), "因病住院治疗")
    # A 预备党员 whose probation was extended: not overdue for 转正.
    extended = members[12]
    extended.category, extended.full_date = Category.PROBATIONARY, None
    extended.join_date = PartialDate(2024, 12, 10)
    repo.update(extended)
    ops.extend_probation(
        session, extended.id, dt.date(2025, 12, 5), 6, "入党动机有待进一步端正", today=TODAY
    )

    context = AppContext.of(session)
    page = HomePage(context, today=lambda: TODAY)
    qtbot.addWidget(page)
    page.resize(1048, 900)
    page.show()
    text = page.life_label.text()
    assert page.life_title.text() == "三个月以上未参加组织生活"
    assert f"<b>{flowing.name}</b>（流动党员）" in text
    assert f"<b>{quiet.name}</b>" in text
    assert on_leave.name not in text  # approved long leave
    def day(d):
        return f"{d.year}年{d.month}月{d.day}日"

    assert f"最近一次 {day(flowing_last)}" in text and "满六个月" in text
    assert f"最近一次 {day(quiet_last)}" in text
    # The flowing member comes first: the longer gap.
    assert text.index(flowing.name) < text.index(quiet.name)
    probation = page.probation_label.text()
    assert f"{extended.name}</b>　预备期已于" not in probation
    page.grab().save(str(screenshot_file("home_six_months.png")))


def test_member_record_shows_the_same_count_and_records_the_marks(qtbot, session, monkeypatch):
    from branchdesk.domain.members import LongLeave
    from branchdesk.ui import msgbox
    from branchdesk.ui.dialogs.member_rules_dialogs import (
        ExtendProbationDialog,
        Extension,
        LongLeaveDialog,
    )
    from branchdesk.ui.pages.member_record_view import MemberRecordDialog

    db = session.db
    repo = MemberRepo(db)
    members = repo.list(include_left=False)
    quiet, newcomer = members[4], members[12]
    _absent_since(db, quiet.id, dt.date(2025, 10, 1))
    context = AppContext.of(session)
    home = HomePage(context, today=lambda: TODAY)
    qtbot.addWidget(home)
    (gap,) = [g for g in home.overview.life_gaps if g.member_id == quiet.id]

    record = MemberRecordDialog(context, quiet.id, today=TODAY)
    qtbot.addWidget(record)
    assert f"组织生活：{gap.describe()}" in record.rules_label.text()
    assert f"已 {gap.months} 个月未参加组织生活" in record.rules_label.text()
    assert not record.extend_button.isVisibleTo(record)  # a 正式党员

    # An approved long leave: marked from the record, and the reminder goes.
    leave = LongLeave(dt.date(2025, 10, 1), dt.date(2026, 6, 30), "在外地照顾病重家属")
    monkeypatch.setattr(LongLeaveDialog, "ask", classmethod(lambda cls, *a: (True, leave)))
    record.leave_button.click()
    assert repo.get(quiet.id).long_leave == leave
    assert "长期请假：2025年10月1日至2026年6月30日" in record.rules_label.text()
    home.refresh()
    assert quiet.id not in [g.member_id for g in home.overview.life_gaps]

    # 延长预备期 from the record of a 预备党员: once, then the button goes.
    newcomer.category, newcomer.full_date = Category.PROBATIONARY, None
    newcomer.join_date = PartialDate(2024, 12, 10)
    repo.update(newcomer)
    other = MemberRecordDialog(context, newcomer.id, today=TODAY)
    qtbot.addWidget(other)
    assert other.extend_button.isVisibleTo(other)
    assert "预备期满：2025年12月10日" in other.rules_label.text()
    home.refresh()
    assert any(p.member_id == newcomer.id and p.overdue for p in home.overview.probations)
    dialog = ExtendProbationDialog(repo.get(newcomer.id), TODAY)
    qtbot.addWidget(dialog)
    dialog.months_spin.setValue(13)
    dialog.accept()
    assert "延长期限应为 6 到 12 个月" in dialog.message.text() and dialog.result() == 0
    dialog.months_spin.setValue(8)
    assert dialog.new_due.text() == "2026-08-10"
    monkeypatch.setattr(
        ExtendProbationDialog,
        "ask",
        classmethod(lambda cls, *a: Extension(dt.date(2025, 12, 5), 8, "需继续考察")),
    )
    other.extend_button.click()
    assert repo.get(newcomer.id).probation_extension.months == 8
    assert "预备期满：2026年8月10日（2025年12月5日决定延长 8 个月：需继续考察）" in (
        other.rules_label.text()
    )
    assert not other.extend_button.isVisibleTo(other)
    home.refresh()
    assert not any(p.member_id == newcomer.id and p.overdue for p in home.overview.probations)
    # Asked a second time (an old window), the operation refuses and says why.
    warnings = []
    monkeypatch.setattr(msgbox, "warning", lambda _p, title, text: warnings.append((title, text)))
    other._on_extend_button_clicked()
    assert warnings and "预备期只能延长一次" in warnings[0][1]
