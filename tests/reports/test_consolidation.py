"""Consolidation: twenty branches' returns make one summary whose totals are their sums."""

from __future__ import annotations

import datetime as dt
import shutil

import openpyxl
import pytest
from demo_cache import write_demo_branch
from ole_samples import encrypted_workbook, legacy_workbook

from branchdesk.domain.requirements import Period, Unit
from branchdesk.reports.consolidation import (
    NEWER_FORMAT,
    NOT_A_RETURN,
    consolidate,
    default_consolidation_filename,
    read_expected_names,
    read_return_file,
    unflatten,
    write_consolidation,
)
from branchdesk.reports.return_figures import compute_return
from branchdesk.reports.return_workbook import (
    build_return_workbook,
    default_return_filename,
    flatten_figures,
    save_workbook,
    write_return,
)
from branchdesk.store.db import DB_FILENAME, open_database

TODAY = dt.date.today()
PERIOD = Period.containing(Unit.MONTH, TODAY).previous()
NAMES = "幸福里 光明路 东关 西街 南湖 北苑 朝阳 新华 和平里 建设路 人民路 文化街 解放路 胜利街 向阳 长青 花园 滨河 振兴 红星".split()


@pytest.fixture(scope="module")
def returns(tmp_path_factory):
    """Twenty small demo branches and their returns for the last month, plus odd files."""
    base = tmp_path_factory.mktemp("branches")
    out = tmp_path_factory.mktemp("returns")
    paths, figures = [], []
    for index, name in enumerate(NAMES):
        data_dir = base / f"b{index}"
        write_demo_branch(
            data_dir, members=12, seed=index + 1, branch_name=f"城关街道{name}社区党支部"
        )
        db = open_database(data_dir / DB_FILENAME)
        ret = compute_return(db, PERIOD)
        paths.append(write_return(ret, out / default_return_filename(ret.branch.name, PERIOD)))
        figures.append(ret.figures())
        if index == 0:
            other = write_return(compute_return(db, PERIOD.previous()), out / "上月报表.xlsx")
            ret.revised = True
            revised = write_return(ret, out / "修订版.xlsx")
        db.close()
    duplicate = out / "重复.xlsx"
    shutil.copy(paths[3], duplicate)
    plain = openpyxl.Workbook()
    plain.active["A1"] = "只是一张普通表格"
    plain.save(out / "普通表格.xlsx")
    (out / "说明.docx").write_bytes(b"PK not really")
    (out / "损坏.xlsx").write_bytes(b"\x00" * 300)
    db = open_database(base / "b1" / DB_FILENAME)
    newer = build_return_workbook(compute_return(db, PERIOD))
    db.close()
    sheet = newer["_branchdesk"]
    sheet["B1"].value = 99
    save_workbook(newer, out / "新版本.xlsx")
    return {
        "paths": paths,
        "figures": figures,
        "other": other,
        "revised": revised,
        "duplicate": duplicate,
        "plain": out / "普通表格.xlsx",
        "docx": out / "说明.docx",
        "broken": out / "损坏.xlsx",
        "newer": out / "新版本.xlsx",
        "out": out,
    }


def test_twenty_returns_sum_to_the_totals(returns, tmp_path):
    c = consolidate(returns["paths"])
    assert c.refused == [] and c.period == PERIOD
    assert [r.branch for r in c.rows] == [f["branch"] for f in returns["figures"]]
    totals = c.totals
    figures = returns["figures"]
    for key in ("total", "full", "probationary", "developed", "transferred_out"):
        assert totals["members"][key] == sum(f["members"][key] for f in figures)
    for key in ("expected", "present", "leave", "absent"):
        assert totals["attendance"][key] == sum(f["attendance"][key] for f in figures)
    present = sum(f["attendance"]["present"] for f in figures)
    expected = sum(f["attendance"]["expected"] for f in figures)
    assert totals["attendance_rate"] == pytest.approx(round(present / expected, 4))
    assert totals["meetings_held"] == sum(f["meetings_held"] for f in figures)
    assert totals["activities"]["hours"] == pytest.approx(
        sum(f["activities"]["hours"] for f in figures)
    )
    for code in figures[0]["kinds"]:
        assert totals["kinds"][code]["held"] == sum(f["kinds"][code]["held"] for f in figures)
        statuses = [f["kinds"][code]["status"] for f in figures]
        assert totals["kinds"][code]["not_met"] == statuses.count("未达标")
    # Each row is exactly what its return says.
    for row, f in zip(c.rows, figures, strict=True):
        assert row.members["total"] == f["members"]["total"]
        assert row.kinds == f["kinds"]
        assert row.attendance == f["attendance"]

    path = write_consolidation(c, tmp_path / default_consolidation_filename(c))
    assert path.name == f"中共城关街道工作委员会_{PERIOD.label}_组织生活汇总.xlsx"
    ws = openpyxl.load_workbook(path)["汇总"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][0] == f"中共城关街道工作委员会 {PERIOD.label} 组织生活情况汇总"
    assert rows[2][:5] == ["序号", "支部名称", "党员数", "正式", "预备"]
    body = rows[4:24]
    assert [r[1] for r in body] == [f["branch"] for f in figures]
    assert [r[0] for r in body] == list(range(1, 21))
    assert [r[2] for r in body] == [f["members"]["total"] for f in figures]
    total_row = rows[24]
    assert total_row[0] == "合计"
    assert total_row[2:5] == [totals["members"][k] for k in ("total", "full", "probationary")]
    header = rows[2]
    rate_column = header.index("出席率")
    assert total_row[rate_column] == pytest.approx(totals["attendance_rate"])
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows
    assert ws.freeze_panes == "C5"


def test_refused_files_say_why(returns):
    paths = returns["paths"][:3]
    c = consolidate(
        [
            *paths,
            returns["other"],
            returns["duplicate"],
            returns["paths"][3],
            returns["plain"],
            returns["docx"],
            returns["broken"],
            returns["newer"],
        ]
    )
    reasons = dict(c.refused)
    assert reasons["上月报表.xlsx"] == (
        f"期间不同（该文件是 {PERIOD.previous().label}，本次汇总 {PERIOD.label}）"
    )
    assert reasons[returns["paths"][3].name] == "支部重复（与 重复.xlsx 相同）"
    assert reasons["普通表格.xlsx"] == NOT_A_RETURN
    assert reasons["说明.docx"].startswith(NOT_A_RETURN)
    assert reasons["损坏.xlsx"].startswith(NOT_A_RETURN)
    assert reasons["新版本.xlsx"] == NEWER_FORMAT
    assert len(c.rows) == 4  # three, plus the duplicate's first copy
    assert c.to_json()["refused"][0] == {
        "file": "上月报表.xlsx",
        "reason": reasons["上月报表.xlsx"],
    }


def test_the_period_can_be_given_and_a_revision_replaces_the_first_return(returns):
    c = consolidate([returns["paths"][0], returns["other"]], period=PERIOD.previous())
    assert [r.file for r in c.rows] == ["上月报表.xlsx"]
    assert "期间不同" in c.refused[0][1]

    c = consolidate([returns["paths"][0], returns["revised"]])
    assert [r.file for r in c.rows] == ["修订版.xlsx"] and c.rows[0].revised
    assert c.refused == [(returns["paths"][0].name, "已由修订版报表 修订版.xlsx 替代")]


def test_missing_and_late_branches_are_named(returns, tmp_path):
    listing = openpyxl.Workbook()
    ws = listing.active
    ws.append(["序号", "支部名称"])
    for index, name in enumerate([*NAMES[:3], "不存在"], start=1):
        ws.append([index, f"城关街道{name}社区党支部"])
    ws.append([5, " 城关街道幸福里社区党支部 "])  # repeated, with spaces
    listing.save(tmp_path / "名单.xlsx")
    expected = read_expected_names(tmp_path / "名单.xlsx")
    assert expected == [f"城关街道{n}社区党支部" for n in [*NAMES[:3], "不存在"]]

    c = consolidate(returns["paths"][:2], expected, deadline=TODAY - dt.timedelta(days=1))
    assert c.missing == ["城关街道东关社区党支部", "城关街道不存在社区党支部"]
    assert c.late == [r.branch for r in c.rows]  # generated today, after yesterday's deadline
    text = " ".join(
        str(v)
        for r in openpyxl.load_workbook(write_consolidation(c, tmp_path / "s.xlsx"))[
            "汇总"
        ].iter_rows(values_only=True)
        for v in r
        if v
    )
    assert "未报送的支部（2 个）：城关街道东关社区党支部、城关街道不存在社区党支部" in text
    assert "逾期" in text


def test_the_hidden_sheet_round_trips_group_names_with_dots():
    figures = {
        "format_version": 1,
        "branch": "支部",
        "superior": "",
        "period": "2026-10",
        "period_label": "2026年10月",
        "kinds": {
            "group_meeting": {
                "required": 2,
                "held": 1,
                "status": "未达标",
                "groups": {"第1.2组": {"required": 1, "held": 0, "status": "未达标"}},
            }
        },
        "members": {"total": 5},
    }
    flat = dict(flatten_figures(figures, generator="x"))
    back = unflatten(flat)
    assert back["kinds"] == figures["kinds"] and back["members"] == {"total": 5}


def test_read_return_file_gives_figures_or_a_reason(returns):
    figures = read_return_file(returns["paths"][0])
    assert isinstance(figures, dict)
    assert figures["branch"] == returns["figures"][0]["branch"]
    assert figures["members"] == returns["figures"][0]["members"]
    assert read_return_file(returns["plain"]) == NOT_A_RETURN
    assert isinstance(read_return_file(returns["out"] / "不存在.xlsx"), str)


def _sabotaged(source, target, edits=None, *, drop_sheet=False):
    """A copy of a real return whose hidden sheet says what no BranchDesk writes."""
    workbook = openpyxl.load_workbook(source)
    if drop_sheet:
        del workbook["_branchdesk"]
    else:
        sheet = workbook["_branchdesk"]
        rows = {sheet.cell(r, 1).value: r for r in range(1, sheet.max_row + 1)}
        for key, value in (edits or {}).items():
            row = rows.get(key) or sheet.max_row + 1
            sheet.cell(row, 1).value = key
            sheet.cell(row, 2).value = value
    workbook.save(target)
    return target


def test_hostile_files_are_refused_one_by_one_and_the_others_summed(returns, tmp_path, monkeypatch):
    good = returns["paths"][:2]
    source = returns["paths"][2]
    (tmp_path / "加密.xlsx").write_bytes(encrypted_workbook())
    (tmp_path / "加密.xls").write_bytes(encrypted_workbook())
    (tmp_path / "截断.xlsx").write_bytes(source.read_bytes()[:3000])
    (tmp_path / "空文件.xlsx").write_bytes(b"")
    (tmp_path / "旧格式.xlsx").write_bytes(legacy_workbook())
    hostile = {
        "加密.xlsx": "有密码保护，请在 Excel 中取消密码后再导入",
        "加密.xls": "有密码保护，请在 Excel 中取消密码后再导入",
        "截断.xlsx": NOT_A_RETURN,
        "空文件.xlsx": NOT_A_RETURN,
        "旧格式.xlsx": NOT_A_RETURN,
        "无数据表.xlsx": NOT_A_RETURN,
        "党员数是文字.xlsx": "members 不完整",
        "会议类型是数字.xlsx": "kinds 不完整",
        "小组是数字.xlsx": "kinds.group_meeting.groups 不完整",
        "出勤是文字.xlsx": "attendance 不完整",
        "人数为负.xlsx": "members.total",
        "人数过大.xlsx": "meetings_held",
        "时长是文字.xlsx": "activities.hours",
        "读取出错.xlsx": "文件内容异常",
    }
    _sabotaged(source, tmp_path / "无数据表.xlsx", drop_sheet=True)
    for name, edits in {
        "党员数是文字.xlsx": {"members": "很多"},
        "会议类型是数字.xlsx": {"kinds": 5},
        "小组是数字.xlsx": {"kinds.group_meeting.groups": 3},
        "出勤是文字.xlsx": {"attendance": "全勤"},
        "人数为负.xlsx": {"members.total": -5},
        "人数过大.xlsx": {"meetings_held": 10**30},
        "时长是文字.xlsx": {"activities.hours": "很久"},
        "读取出错.xlsx": {},
    }.items():
        _sabotaged(source, tmp_path / name, edits)

    # A reader that fails in a way nobody foresaw (a bug) costs that one file only.
    from branchdesk.reports import consolidation as module

    real = module.read_sheet

    def fragile(path, *args, **kwargs):
        if path.name == "读取出错.xlsx":
            raise RecursionError("maximum recursion depth exceeded")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(module, "read_sheet", fragile)
    c = consolidate([good[0], *(tmp_path / name for name in hostile), good[1]])

    reasons = dict(c.refused)
    assert sorted(reasons) == sorted(hostile)
    for name, fragment in hostile.items():
        assert fragment in reasons[name], (name, reasons[name])
    assert "损坏" not in reasons["加密.xlsx"]
    assert [r.file for r in c.rows] == [p.name for p in good]
    figures = returns["figures"][:2]
    assert c.totals["members"]["total"] == sum(f["members"]["total"] for f in figures)
    assert c.totals["meetings_held"] == sum(f["meetings_held"] for f in figures)
    summary = write_consolidation(c, tmp_path / "汇总.xlsx")
    text = " ".join(
        str(v)
        for r in openpyxl.load_workbook(summary)["汇总"].iter_rows(values_only=True)
        for v in r
        if v
    )
    assert f"未采用的文件（{len(hostile)} 个）" in text and "加密.xlsx：有密码保护" in text


# A sheet of two cells, A1 and XFD1048576: the reader would allocate a grid of 17 billion
# cells for it (and abort the process) if it ever opened it.
_GRID_BOMB = (
    b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
    b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
    b'<row r="1048576"><c r="XFD1048576"><v>2</v></c></row></sheetData></worksheet>'
)


def _rewritten(source, target, parts):
    """A copy of a return with some zip entries replaced (name -> bytes)."""
    import zipfile

    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, parts.get(info.filename, zin.read(info.filename)))
    return target


def _data_sheet_part(source):
    """The part of the hidden sheet in a return openpyxl wrote (the fifth worksheet)."""
    import zipfile

    with zipfile.ZipFile(source) as archive:
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
        assert 'Target="/xl/worksheets/sheet5.xml"' in rels, rels
        return "xl/worksheets/sheet5.xml", rels


@pytest.mark.slow
def test_only_the_hidden_sheet_is_opened_and_it_passes_the_guards(returns, tmp_path):
    """Consolidation reads the hidden sheet alone: a hostile printed sheet beside it is never
    opened, while a hostile hidden sheet, or relationships bent to read another part for it,
    are refused before the reader sees them."""
    import subprocess
    import sys

    source = returns["paths"][0]
    data_part, rels = _data_sheet_part(source)
    beside = _rewritten(source, tmp_path / "汇总页异常.xlsx", {"xl/worksheets/sheet1.xml": _GRID_BOMB})
    inside = _rewritten(source, tmp_path / "数据页异常.xlsx", {data_part: _GRID_BOMB})
    # The hidden sheet's relationship now names the hostile 汇总 part in other letters: the
    # reader finds parts ignoring case, so it would read that part for the hidden sheet.
    bent = _rewritten(
        source,
        tmp_path / "关系被改.xlsx",
        {
            "xl/worksheets/sheet1.xml": _GRID_BOMB,
            "xl/_rels/workbook.xml.rels": rels.replace(
                "/xl/worksheets/sheet5.xml", "/xl/worksheets/SHEET1.xml"
            ).encode(),
        },
    )
    # In a child process: were a hostile grid ever handed to the reader, the process would
    # abort, and the test would see that instead of taking the whole run down.
    script = (
        "import json, sys\n"
        "from branchdesk.reports.consolidation import read_return_file\n"
        "out = [read_return_file(p) for p in sys.argv[1:]]\n"
        "print(json.dumps([o if isinstance(o, str) else o['branch'] for o in out]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(beside), str(inside), str(bent)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    import json

    beside_result, inside_result, bent_result = json.loads(done.stdout)
    assert beside_result == returns["figures"][0]["branch"]
    assert inside_result.startswith(NOT_A_RETURN) and "损坏" in inside_result
    assert bent_result.startswith(NOT_A_RETURN) and "损坏" in bent_result
    # Read whole (as a roster is), the file with the hostile printed sheet is refused too.
    from branchdesk.reports.xlsx_safety import XlsxFileError, read_workbook_rows

    with pytest.raises(XlsxFileError, match="数据区域过大"):
        read_workbook_rows(beside)
