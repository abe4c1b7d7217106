"""Exporting the roster: a printable sheet that re-imports with no changes."""

from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl
import pytest
from roster_samples import LI_HUA_ID, WANG_FANG_ID, write_messy_roster

from branchdesk.domain.branch import Branch
from branchdesk.domain.dates import PartialDate
from branchdesk.domain.members import Category, Gender, Member, MemberStatus, Role
from branchdesk.reports.roster_export import (
    HEADERS,
    ExportError,
    export_roster,
    mask_id_number,
    mask_phone,
)
from branchdesk.reports.roster_import import apply_import, plan_import, read_roster
from branchdesk.reports.xlsx_style import display_width
from branchdesk.store import workarea
from branchdesk.store.members import BranchRepo, GroupRepo, MemberRepo

TODAY = dt.date(2024, 3, 5)


@pytest.fixture
def roster(db):
    BranchRepo(db).save(Branch("城关社区第一党支部"))
    group = GroupRepo(db).create("第一党小组")
    members = MemberRepo(db)
    members.add(
        Member(
            name="王芳",
            gender=Gender.FEMALE,
            ethnicity="汉族",
            birth_date=PartialDate(1990, 1, 1),
            id_number=WANG_FANG_ID,
            education="本科",
            join_date=PartialDate(2015, 7, 1),
            full_date=PartialDate(2016, 7),
            group_id=group.id,
            phone="13812345678",
            workplace="城关街道社区居民委员会党群服务中心主任",
            roles=[Role.SECRETARY],
            notes="=SUM(A1:A3)",
        )
    )
    members.add(
        Member(
            name="李华",
            gender=Gender.FEMALE,
            birth_date=PartialDate(1949, 12, 31),
            id_number=LI_HUA_ID,
            join_date=PartialDate(2023, 9, 1),
            category=Category.PROBATIONARY,
            phone="0357-2345678",
        )
    )
    members.add(Member(name="吴十", birth_date=PartialDate(1970, 5), notes="多行\n备注"))
    members.add(
        Member(
            name="周老",
            status=MemberStatus.TRANSFERRED_OUT,
            status_date=PartialDate(2023, 1, 1),
        )
    )
    return db


def test_sheet_layout_and_print_settings(roster, tmp_path):
    path = tmp_path / "花名册.xlsx"
    result = export_roster(roster, path, today=TODAY)
    assert result.members == 3  # the transferred-out member is not in the roster

    ws = openpyxl.load_workbook(path).active
    assert ws["A1"].value == "城关社区第一党支部党员花名册"
    assert "A1:P1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A2"].value.startswith("导出日期：2024年3月5日")
    assert [c.value for c in ws[3]] == list(HEADERS)
    assert ws.freeze_panes == "A4"
    assert ws.print_title_rows == "$1:$3"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"
    assert ws["B4"].font.name in ("宋体", "等线")
    assert ws["B4"].border.left.style == "thin"

    wang = {HEADERS[i]: c for i, c in enumerate(ws[4])}
    assert wang["姓名"].value == "王芳"
    assert wang["身份证号"].value == WANG_FANG_ID and wang["身份证号"].data_type == "s"
    assert wang["身份证号"].number_format == "@"
    assert wang["联系电话"].value == "13812345678" and wang["联系电话"].data_type == "s"
    assert wang["备注"].value == "=SUM(A1:A3)" and wang["备注"].data_type == "s"
    # Real date cells shown the Chinese way; a month-only date shows no day.
    assert wang["转正时间"].value == dt.datetime(2016, 7, 1)
    assert wang["转正时间"].number_format == 'yyyy"年"m"月"'
    assert wang["出生日期"].value == dt.datetime(1990, 1, 1)
    assert wang["出生日期"].number_format == 'yyyy"年"m"月"d"日"'
    assert ws.column_dimensions["E"].width >= display_width("1990年1月1日")
    assert wang["支委职务"].value == "书记"
    assert ws.column_dimensions["F"].width >= display_width(WANG_FANG_ID)
    assert ws.column_dimensions["B"].width >= display_width("姓名")
    with zipfile.ZipFile(path) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()


def test_include_left_and_masked_mode(roster, tmp_path):
    path = tmp_path / "all.xlsx"
    assert export_roster(roster, path, include_left=True, full=False).members == 4
    ws = openpyxl.load_workbook(path).active
    ids = [row[5].value for row in ws.iter_rows(min_row=4)]
    phones = [row[11].value for row in ws.iter_rows(min_row=4)]
    assert ids[0] == WANG_FANG_ID[:6] + "********" + WANG_FANG_ID[-4:]
    assert phones[0] == "138****5678"
    assert [row[13].value for row in ws.iter_rows(min_row=4)][-1] == "转出"
    assert mask_id_number("141002199001011242") == "141002********1242"
    assert mask_phone("0357-2345678") == "0357-***5678"


def test_export_reimports_with_no_changes(roster, tmp_path):
    path = tmp_path / "花名册.xlsx"
    export_roster(roster, path)
    before = MemberRepo(roster).list()
    preview = plan_import(roster, read_roster(path))
    assert (len(preview.to_add), len(preview.to_update), len(preview.unchanged)) == (0, 0, 3)
    assert preview.skipped == []
    apply_import(roster, preview)
    assert MemberRepo(roster).list() == before


def test_messy_import_then_export_round_trips(db, tmp_path):
    apply_import(db, plan_import(db, read_roster(write_messy_roster(tmp_path / "in.xlsx"))))
    export_roster(db, tmp_path / "out.xlsx")
    result = apply_import(db, plan_import(db, read_roster(tmp_path / "out.xlsx")))
    assert (result.added, result.updated, result.unchanged, result.skipped) == (0, 0, 6, [])


def test_target_open_in_excel_keeps_the_old_file(roster, tmp_path, monkeypatch):
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(b"old contents")

    def locked(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(workarea.os, "replace", locked)  # where the finished file is moved
    with pytest.raises(ExportError) as caught:
        export_roster(roster, path)
    assert "花名册.xlsx" in caught.value.message and "WPS" in caught.value.message
    assert path.read_bytes() == b"old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["花名册.xlsx"]  # no temp file left


def test_export_refuses_other_extensions(roster, tmp_path):
    with pytest.raises(ExportError, match=r"\.xlsx"):
        export_roster(roster, tmp_path / "花名册.xls")
