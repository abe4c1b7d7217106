"""The member-record .xlsx (for 民主评议) reads back with the stored numbers, names and a masked ID."""

from __future__ import annotations

import datetime as dt
import os

import openpyxl
import pytest
from demo_cache import write_demo_branch

from branchdesk.domain.activities import Activity, Participation
from branchdesk.domain.meetings import AttendanceStatus
from branchdesk.reports.member_record_xlsx import (
    ExportError,
    export_member_record,
    makeup_text,
    totals_text,
    write_member_record,
)
from branchdesk.reports.roster_export import mask_id_number, mask_phone
from branchdesk.store.activities import ActivityRepo
from branchdesk.store.db import DB_FILENAME, open_database
from branchdesk.store.member_record import MemberRecordRepo
from branchdesk.store.members import MemberRepo

TODAY = dt.date(2025, 6, 18)
YEAR = 2024


@pytest.fixture
def db(data_dir):
    write_demo_branch(data_dir, members=24, seed=3, today=TODAY)
    database = open_database(data_dir / DB_FILENAME)
    yield database
    database.close()


def _member_with_absences(db) -> int:
    repo = MemberRecordRepo(db)
    for member in MemberRepo(db).list():
        record = repo.year(member.id, YEAR)
        if (record.absent or record.leave) and record.made_up and record.activities:
            return member.id
    raise AssertionError("the demo branch should have someone who missed and made up")


def _values(sheet) -> list[object]:
    return [v for row in sheet.iter_rows(values_only=True) for v in row if v is not None]


def _after(values: list[object], label: str) -> object:
    return values[values.index(label) + 1]


def _table(sheet, first_header: tuple[str, ...]) -> list[tuple[object, ...]]:
    """The rows under a header row that starts with ``first_header``, up to the first gap."""
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if tuple(r[: len(first_header)]) == first_header)
    found = []
    for row in rows[start + 1 :]:
        if row[0] is None:
            break
        found.append(row)
    return found


def test_export_reads_back_with_the_same_numbers_and_names(db, tmp_path) -> None:
    member_id = _member_with_absences(db)
    record = MemberRecordRepo(db).year(member_id, YEAR)
    path = tmp_path / "档案.xlsx"
    result = export_member_record(db, member_id, YEAR, path, today=TODAY)
    assert (result.path, result.meetings, result.activities) == (
        path,
        len(record.meetings),
        len(record.activities),
    )

    sheet = openpyxl.load_workbook(path).active
    assert sheet.title == "党员档案"
    assert sheet["A1"].value == f"党员参加组织生活和党员活动情况（{YEAR}年度）"
    assert "城关街道幸福里社区党支部" in sheet["A2"].value
    values = _values(sheet)
    member = record.member
    date_cells = [c for r in sheet.iter_rows() for c in r if isinstance(c.value, dt.datetime)]
    assert date_cells and {c.number_format for c in date_cells} <= {
        'yyyy"年"m"月"d"日"',
        'yyyy"年"m"月"',
    }
    if member.join_date:
        assert _after(values, "入党时间").date() == member.join_date.first_day()
    assert _after(values, "姓名") == member.name
    assert _after(values, "身份证号") == mask_id_number(member.id_number)
    assert member.id_number not in values
    assert _after(values, "联系电话") == mask_phone(member.phone)
    assert _after(values, "党小组") == member.group_name
    assert _after(values, "党员类别") == member.category.label in ("正式", "预备")
    assert _after(values, "状态") == "在册"
    assert _after(values, "性别") in ("男", "女", None)
    assert _after(values, "应参加（次）") == record.expected
    assert _after(values, "实参加（次）") == record.present
    assert _after(values, "请假（次）") == record.leave
    assert _after(values, "缺席（次）") == record.absent
    assert _after(values, "补学（次）") == record.made_up
    assert _after(values, "活动次数") == record.activity_count
    assert _after(values, "服务时长（小时）") == record.hours
    assert _after(values, "参与率") == pytest.approx(record.present / record.expected)

    meetings = _table(sheet, ("序号", "日期", "会议"))
    assert len(meetings) == record.expected
    assert [row[4] for row in meetings].count("请假") == record.leave
    assert [row[4] for row in meetings].count("缺席") == record.absent
    for row, line in zip(meetings, record.meetings, strict=True):
        assert row[1].date() == line.day  # a real date cell
        assert row[3] == line.title
        if line.status is not AttendanceStatus.PRESENT:
            assert row[5] == (line.reason or None)
            assert row[6] == (makeup_text(line.makeup) or None)
    activities = _table(sheet, ("序号", "日期", "类型"))
    assert [(row[1], row[3], row[4]) for row in activities] == [
        (dt.datetime.combine(a.day, dt.time()), a.title, a.hours) for a in record.activities
    ]
    assert sum(row[4] for row in activities) == pytest.approx(record.hours)


def test_sheet_prints_on_a4_and_typed_text_stays_text(db, tmp_path) -> None:
    member = MemberRepo(db).list()[0]
    ActivityRepo(db).add(
        Activity(
            kind="志愿服务",
            title='=HYPERLINK("http://x")',
            day=dt.date(YEAR, 3, 3),
            participants=[Participation(member.id, member.name, 1.5)],
        )
    )
    path = tmp_path / "a.xlsx"
    export_member_record(db, member.id, YEAR, path, today=TODAY)
    sheet = openpyxl.load_workbook(path).active
    assert int(sheet.page_setup.paperSize) == 9  # A4
    assert sheet.page_setup.orientation == "portrait"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    found = [c for row in sheet.iter_rows() for c in row if c.value == '=HYPERLINK("http://x")']
    assert found and found[0].data_type == "s"


def test_a_year_with_nothing_says_so(db, tmp_path) -> None:
    member = MemberRepo(db).list()[0]
    record = MemberRecordRepo(db).year(member.id, 2001)
    path = tmp_path / "空.xlsx"
    write_member_record(record, path, branch_name="测试支部", today=TODAY)
    values = _values(openpyxl.load_workbook(path).active)
    assert "本年度没有应参加的会议" in values
    assert "本年度没有登记参加的党员活动" in values
    assert _after(values, "参与率") == "—"
    assert totals_text(record).startswith("应参加 0 次，实参加 0 次")


def test_export_errors_are_explained(db, tmp_path) -> None:
    member = MemberRepo(db).list()[0]
    with pytest.raises(ExportError, match="扩展名应为 .xlsx"):
        export_member_record(db, member.id, YEAR, tmp_path / "a.xls")
    with pytest.raises(ExportError, match="不存在"):
        export_member_record(db, member.id, YEAR, tmp_path / "nowhere" / "a.xlsx")


def test_an_unwritable_folder_keeps_the_old_file(db, tmp_path) -> None:
    member = MemberRepo(db).list()[0]
    target = tmp_path / "kept.xlsx"
    target.write_bytes(b"old")
    target.parent.chmod(0o500)
    try:
        if os.access(target.parent, os.W_OK):
            pytest.skip("folder permissions are not enforced for this user")
        with pytest.raises(ExportError):
            export_member_record(db, member.id, YEAR, target)
        assert target.read_bytes() == b"old"
    finally:
        target.parent.chmod(0o700)
