"""Every list model on the shared table-model base passes Qt's model checks, and shows the
headers, colours and alignment people see in the 会议 and 活动 lists and a member's record."""

from __future__ import annotations

import datetime as dt

import pytest
from demo_cache import write_demo_branch
from PySide6.QtCore import Qt

from branchdesk.domain.meetings import AttendanceStatus
from branchdesk.store.activities import ActivityRepo
from branchdesk.store.db import DB_FILENAME, open_database
from branchdesk.store.meetings import MeetingRepo
from branchdesk.store.member_record import MemberRecordRepo
from branchdesk.store.members import MemberRepo
from branchdesk.ui.models.activity_table_model import ActivitySortProxy, ActivityTableModel
from branchdesk.ui.models.meeting_table_model import MeetingSortProxy, MeetingTableModel
from branchdesk.ui.models.table_models import SUMMARY_ROLE
from branchdesk.ui.pages.member_record_view import (
    ActivityColumn,
    ActivityLinesModel,
    MeetingColumn,
    MeetingLinesModel,
)

TODAY = dt.date(2025, 6, 18)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_CENTRE = int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    write_demo_branch(folder, members=24, seed=3, today=TODAY)
    db = open_database(folder / DB_FILENAME)
    yield db
    db.close()


def _headers(model) -> list[str]:
    return [
        model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        for c in range(model.columnCount())
    ]


def _year_lines(db):
    """Meeting and activity lines of all members in the demo year."""
    records = MemberRecordRepo(db)
    meetings, activities = [], []
    for member in MemberRepo(db).list():
        year = records.year(member.id, TODAY.year)
        meetings += year.meetings
        activities += year.activities
    return meetings, activities


@pytest.mark.parametrize(
    ("model_type", "proxy_type", "repo_type", "headers"),
    [
        (
            MeetingTableModel,
            MeetingSortProxy,
            MeetingRepo,
            ["日期", "类型", "主题", "党小组", "主持人", "实到/应到", "出席率", "状态"],
        ),
        (
            ActivityTableModel,
            ActivitySortProxy,
            ActivityRepo,
            ["日期", "类型", "活动名称", "地点", "参与人数", "合计时长"],
        ),
    ],
)
def test_list_models_and_proxies_pass_qtmodeltester(
    qtmodeltester, demo_db, model_type, proxy_type, repo_type, headers
) -> None:
    model = model_type()
    qtmodeltester.check(model)
    model.set_rows(repo_type(demo_db).summaries())
    assert model.rowCount() > 5
    qtmodeltester.check(model)
    proxy = proxy_type()
    proxy.setSourceModel(model)
    for column in range(model.columnCount()):
        proxy.sort(column, Qt.SortOrder.DescendingOrder)
        qtmodeltester.check(proxy)
    assert _headers(model) == headers
    summary = model.index(3, 0).data(SUMMARY_ROLE)
    assert model.row_of(summary.id) == 3
    assert model.index(0, 2).data(Qt.ItemDataRole.TextAlignmentRole) == _LEFT


def test_numbers_are_right_aligned(demo_db) -> None:
    meetings, activities = MeetingTableModel(), ActivityTableModel()
    meetings.set_rows(MeetingRepo(demo_db).summaries())
    activities.set_rows(ActivityRepo(demo_db).summaries())
    right = Qt.ItemDataRole.TextAlignmentRole
    assert meetings.index(0, 6).data(right) == _RIGHT  # 出席率
    assert activities.index(0, 5).data(right) == _RIGHT  # 合计时长
    assert meetings.headerData(6, Qt.Orientation.Horizontal, right) is None
    assert activities.headerData(5, Qt.Orientation.Horizontal, right) == _RIGHT


def test_member_year_models_pass_qtmodeltester(qtmodeltester, demo_db) -> None:
    meetings, activities = _year_lines(demo_db)
    meeting_model, activity_model = MeetingLinesModel(), ActivityLinesModel()
    for model, lines in ((meeting_model, meetings), (activity_model, activities)):
        qtmodeltester.check(model)
        model.set_rows(lines)
        assert model.rowCount() == len(lines) > 0
        qtmodeltester.check(model)
    assert _headers(meeting_model) == ["日期", "会议", "主题", "出勤", "事由", "补学"]
    assert _headers(activity_model) == ["日期", "类型", "活动", "时长"]
    assert activity_model.index(0, ActivityColumn.HOURS).data().endswith(" 小时")
    assert (
        activity_model.index(0, ActivityColumn.HOURS).data(Qt.ItemDataRole.TextAlignmentRole)
        == _RIGHT
    )


def test_leave_and_absence_stand_out_in_a_members_year(demo_db) -> None:
    meetings, _ = _year_lines(demo_db)
    model = MeetingLinesModel()
    model.set_rows(meetings)
    statuses = [line.status for line in meetings]
    present = statuses.index(AttendanceStatus.PRESENT)
    missed = next(i for i, s in enumerate(statuses) if s is not AttendanceStatus.PRESENT)
    status = model.index(missed, MeetingColumn.STATUS)
    assert status.data(Qt.ItemDataRole.BackgroundRole) is not None
    assert status.data(Qt.ItemDataRole.ForegroundRole) is not None
    assert status.data(Qt.ItemDataRole.TextAlignmentRole) == _CENTRE
    assert model.index(missed, MeetingColumn.TITLE).data(Qt.ItemDataRole.ForegroundRole) is None
    assert model.index(missed, MeetingColumn.MAKEUP).data() != ""
    assert model.index(present, MeetingColumn.STATUS).data(Qt.ItemDataRole.BackgroundRole) is None
    assert model.index(present, MeetingColumn.MAKEUP).data() == ""
    assert model.index(present, MeetingColumn.DATE).data(Qt.ItemDataRole.TextAlignmentRole) == _LEFT
