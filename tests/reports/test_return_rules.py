"""The return says whether each 支部党员大会 and 支委会 had a quorum, shows 延长预备期, and
says when its period has not ended."""

from __future__ import annotations

import datetime as dt

import openpyxl

from branchdesk.domain.branch import Branch
from branchdesk.domain.dates import PartialDate
from branchdesk.domain.meetings import Attendance, AttendanceStatus, Meeting, MeetingKind
from branchdesk.domain.members import Category, Member, ProbationExtension
from branchdesk.domain.requirements import Period
from branchdesk.reports.return_figures import compute_return
from branchdesk.reports.return_workbook import (
    DATA_SHEET,
    MEETING_HEADERS,
    return_title,
    unfinished_notice,
    write_return,
)
from branchdesk.store.meetings import MeetingRepo
from branchdesk.store.members import BranchRepo, MemberRepo

JUNE = Period.parse("2026-06")


def _branch(db) -> list[Member]:
    BranchRepo(db).save(Branch("城关党支部", "城关街道党工委"))
    repo = MemberRepo(db)
    members = [
        Member(name=f"正式{i}", join_date=PartialDate(2000, 1, 1), full_date=PartialDate(2001, 1, 1))
        for i in range(1, 9)
    ]
    members += [
        Member(
            name=f"预备{i}",
            category=Category.PROBATIONARY,
            join_date=PartialDate(2025, 9, 1),
        )
        for i in range(1, 4)
    ]
    members[-1].probation_extension = ProbationExtension(dt.date(2026, 6, 5), 6, "学习不够")
    for member in members:
        repo.add(member)
    return members


def _general(day, members, present_names) -> Meeting:
    return Meeting(
        kinds=[MeetingKind.GENERAL],
        day=day,
        title="支部党员大会",
        attendance=[
            Attendance(
                m.id,
                m.name,
                AttendanceStatus.PRESENT if m.name in present_names else AttendanceStatus.ABSENT,
                category=m.category.value,
            )
            for m in members
        ],
    )


def test_the_return_says_which_meetings_had_a_quorum(db, tmp_path):
    members = _branch(db)
    repo = MeetingRepo(db)
    # Five of eight 正式 present: valid. Four of eight, with all three 预备 there: invalid.
    repo.add(_general(dt.date(2026, 6, 3), members, {"正式1", "正式2", "正式3", "正式4", "正式5"}))
    repo.add(
        _general(
            dt.date(2026, 6, 24),
            members,
            {"正式1", "正式2", "正式3", "正式4", "预备1", "预备2", "预备3"},
        )
    )
    ret = compute_return(db, JUNE, today=dt.date(2026, 7, 2))
    assert [m.quorum.short() for m in ret.meetings] == ["有效（5/8）", "无效（4/8）"]
    assert ret.figures()["quorum"] == {"checked": 2, "invalid": 1}
    book = openpyxl.load_workbook(write_return(ret, tmp_path / "r.xlsx"))
    sheet = book["会议明细"]
    column = MEETING_HEADERS.index("到会过半") + 1
    assert sheet.cell(row=3, column=column).value == "到会过半"
    assert sheet.cell(row=4, column=column).value == "有效（5/8）"
    invalid = sheet.cell(row=5, column=column)
    assert invalid.value == "无效（4/8）" and invalid.font.color.rgb.endswith("C00000")
    summary = [c for row in book["汇总"].iter_rows(values_only=True) for c in row if c]
    assert "本期有 1 次会议到会人数未超过半数，会议无效：6月24日党员大会。" in summary
    data = {r[0]: r[1] for r in book[DATA_SHEET].iter_rows(values_only=True)}
    assert (data["quorum.checked"], data["quorum.invalid"]) == (2, 1)
    assert data["complete"] == 1
    # 延长预备期 is shown beside the member it applies to.
    categories = {r.name: r.category for r in ret.member_rows}
    assert categories["预备3"] == "预备（延长预备期至 2027-03-01）"
    assert categories["预备1"] == "预备"


def test_an_unfinished_period_is_titled_as_of_today(db):
    _branch(db)
    today = dt.date(2026, 6, 18)
    ret = compute_return(db, JUNE, today=today)
    assert ret.unfinished
    assert return_title(ret) == "城关党支部 2026年6月（截至 6月18日） 组织生活情况报表"
    assert unfinished_notice(JUNE, today) == (
        "2026年6月尚未结束（今天是 2026年6月18日），报表只包含截至今天的记录，"
        "标题将注明“（截至 6月18日）”。"
    )
    assert unfinished_notice(JUNE, dt.date(2026, 7, 1)) is None
    # The last day of the month is not over yet either.
    assert unfinished_notice(JUNE, dt.date(2026, 6, 30)) is not None
