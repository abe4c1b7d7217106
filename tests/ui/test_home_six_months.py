"""工作台's 党员提醒 lists members three months or more without organisational life, with the
day 党章第九条's six months fall; 延长预备期 moves 转正 due there."""

from __future__ import annotations

import datetime as dt

import pytest

from branchdesk import ops
from branchdesk.demo import write_demo_branch
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
