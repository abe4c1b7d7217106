"""Every Excel export writes dates as real date cells shown the Chinese way, never ISO text."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest
from demo_cache import write_demo_branch

from branchdesk.domain.requirements import Period, Unit
from branchdesk.reports.consolidation import consolidate, write_consolidation
from branchdesk.reports.member_record_xlsx import export_member_record
from branchdesk.reports.return_figures import compute_return
from branchdesk.reports.return_workbook import DATA_SHEET, write_return
from branchdesk.reports.roster_export import export_roster
from branchdesk.store.db import DB_FILENAME, open_database
from branchdesk.store.members import MemberRepo

DAY_FORMAT = 'yyyy"年"m"月"d"日"'
MONTH_FORMAT = 'yyyy"年"m"月"'
ISO = re.compile(r"\b\d{4}-\d{2}(-\d{2})?\b")
TODAY = dt.date.today()
PERIOD = Period.containing(Unit.MONTH, TODAY).previous()


@pytest.fixture(scope="module")
def branch(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("branch")
    write_demo_branch(data_dir, members=14, seed=3)
    db = open_database(data_dir / DB_FILENAME)
    yield db
    db.close()


def _visible_cells(path: Path) -> list:
    workbook = openpyxl.load_workbook(path)
    return [
        cell
        for ws in workbook.worksheets
        if ws.title != DATA_SHEET
        for row in ws.iter_rows()
        for cell in row
    ]


def _check(path: Path, *, at_least: int) -> list:
    """Every date cell has a Chinese format; no text cell holds an ISO date."""
    cells = _visible_cells(path)
    dates = [c for c in cells if isinstance(c.value, dt.datetime)]
    assert len(dates) >= at_least, path.name
    for cell in dates:
        assert cell.number_format.startswith((DAY_FORMAT, MONTH_FORMAT)), cell.coordinate
    texts = [c for c in cells if isinstance(c.value, str) and ISO.search(c.value)]
    assert texts == [], [(c.coordinate, c.value) for c in texts]
    return dates


def test_roster_export_has_chinese_date_cells(branch, tmp_path):
    path = export_roster(branch, tmp_path / "花名册.xlsx").path
    members = MemberRepo(branch).list(include_left=False)
    dates = _check(path, at_least=len(members))
    by_value = {(c.value.date(), c.number_format) for c in dates}
    for member in members:
        if member.join_date:
            fmt = MONTH_FORMAT if member.join_date.month_only else DAY_FORMAT
            assert (member.join_date.first_day(), fmt) in by_value


def test_return_has_chinese_date_cells_on_every_sheet(branch, tmp_path):
    ret = compute_return(branch, PERIOD)
    path = write_return(ret, tmp_path / "月报.xlsx")
    dates = _check(path, at_least=len(ret.meetings) + len(ret.activities))
    sheets = {c.parent.title for c in dates}
    if ret.meetings:
        assert "会议明细" in sheets
    if ret.activities:
        assert "党员活动" in sheets
    meeting_days = sorted(c.value.date() for c in dates if c.parent.title == "会议明细")
    assert meeting_days == sorted(m.day for m in ret.meetings)
    # The hidden sheet consolidation reads keeps its machine-readable ISO text.
    hidden = openpyxl.load_workbook(path)[DATA_SHEET]
    generated = next(r[1] for r in hidden.iter_rows(values_only=True) if r[0] == "generated_on")
    assert generated == ret.generated_on.isoformat()


def test_member_record_has_chinese_date_cells(branch, tmp_path):
    member = MemberRepo(branch).list()[0]
    result = export_member_record(branch, member.id, PERIOD.start.year, tmp_path / "档案.xlsx")
    _check(result.path, at_least=result.meetings + result.activities)


def test_consolidation_shows_the_generated_day_as_a_date_cell(branch, tmp_path):
    ret = compute_return(branch, PERIOD)
    source = write_return(ret, tmp_path / "月报.xlsx")
    out = write_consolidation(
        consolidate([source], deadline=ret.generated_on - dt.timedelta(days=1)),
        tmp_path / "汇总.xlsx",
    )
    dates = _check(out, at_least=1)
    assert dates[0].value.date() == ret.generated_on
    assert dates[0].number_format == DAY_FORMAT + '"（逾期）"'  # 逾期 shown by the format
