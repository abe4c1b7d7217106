"""The return workbook: every figure agrees with the stored records, and it reads back as specified.

The expected figures are recomputed here from ``meetings/activities/members list --json``
with the default rules written out again, never through ``compute_return``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import io
import json
import os
import re
from collections import Counter, defaultdict

import openpyxl
import pytest

from branchdesk.cli import main
from branchdesk.domain.activities import ActivityTotals
from branchdesk.domain.branch import Branch
from branchdesk.domain.meetings import AttendanceCounts, MeetingKind
from branchdesk.domain.requirements import (
    DEFAULT_REQUIREMENTS,
    Assessment,
    Period,
    Requirement,
    Status,
    Unit,
)
from branchdesk.reports import xlsx_save
from branchdesk.reports import xlsx_style as style
from branchdesk.reports.return_figures import (
    ActivityRow,
    BranchReturn,
    MeetingRow,
    MemberCounts,
    MemberRow,
    compute_return,
)
from branchdesk.reports.return_workbook import (
    DATA_SHEET,
    MEETING_HEADERS,
    MEMBER_HEADERS,
    ExportError,
    default_return_filename,
    flatten_figures,
    write_return,
)
from branchdesk.store.db import DB_FILENAME, open_database

TODAY = dt.date.today()
MONTH = Period.containing(Unit.MONTH, TODAY).previous()
QUARTER = Period.containing(Unit.QUARTER, TODAY).previous()
YEAR = Period(Unit.YEAR, TODAY.year - 1)
_UNITS = {"month": 1, "quarter": 3, "year": 12}
_RULES = {  # the 条例 defaults, written out again: kind -> unit
    "general_meeting": "quarter",
    "committee_meeting": "month",
    "group_meeting": "month",
    "party_lecture": "quarter",
    "theme_day": "month",
    "life_meeting": "year",
    "review": "year",
}


def _cli_json(*argv: str) -> object:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(list(argv)) == 0
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("demo")
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["demo", "--data-dir", str(data_dir), "--members", "24", "--seed", "5"]) == 0
    records = {
        "meetings": _cli_json("meetings", "list", "--json", "--data-dir", str(data_dir)),
        "members": _cli_json("members", "list", "--json", "--data-dir", str(data_dir)),
    }
    db = open_database(data_dir / DB_FILENAME)
    out = tmp_path_factory.mktemp("returns")
    written = {}
    for period in (MONTH, QUARTER, YEAR):
        ret = compute_return(db, period)
        path = write_return(ret, out / default_return_filename(ret.branch.name, period))
        activities = _cli_json(
            "activities", "list", "--json", "--data-dir", str(data_dir),
            "--from", period.start.isoformat(), "--to", period.end.isoformat(),
        )  # fmt: skip
        written[period.code] = (path, ret.figures(), activities)
    db.close()
    return records, written


# ----------------------------------------------------------- independent figures


def _months(period: Period) -> list[tuple[dt.date, dt.date]]:
    """(start, end) of each unit of ``unit`` within ``period``."""
    return [(p.start, p.end) for p in period.units(Unit.MONTH)]


def _units(period: Period, unit: str) -> list[Period]:
    return period.units(Unit(unit))


def _in(day: str, start: dt.date, end: dt.date) -> bool:
    return start.isoformat() <= day <= end.isoformat()


def _expected(records, period: Period, activities) -> dict:
    held = [m for m in records["meetings"] if m["status"] == "held"]
    in_period = [m for m in held if _in(m["date"], period.start, period.end)]
    end = period.end.isoformat()

    def on_roster(m: dict) -> bool:
        if m["join_date"] and m["join_date"] > end:
            return False
        return m["status"] in ("在册", "流动") or bool(m["status_date"] and m["status_date"] > end)

    roster = [m for m in records["members"] if on_roster(m)]
    full = sum(
        (m["full_date"] <= end) if m["full_date"] else m["category"] == "正式" for m in roster
    )
    groups = sorted({m["group"] for m in records["meetings"] if m["group"]})

    def count(kind: str, start: dt.date, stop: dt.date, group: str | None = None) -> int:
        return sum(
            kind in m["kinds"]
            and _in(m["date"], start, stop)
            and (group is None or m["group"] == group)
            for m in held
        )

    kinds: dict[str, dict] = {}
    for kind, unit in _RULES.items():
        targets = groups if kind == "group_meeting" else [None]
        lines = {}
        for group in targets:
            if kind == "committee_meeting" and len(roster) < 7:
                lines[group] = (0, count(kind, period.start, period.end), "本期不考核")
            elif _UNITS[unit] <= _UNITS[period.unit.value]:
                per_unit = [count(kind, u.start, u.end, group) for u in _units(period, unit)]
                status = "达标" if all(n >= 1 for n in per_unit) else "未达标"
                lines[group] = (len(per_unit), sum(per_unit), status)
            else:
                whole = Period.containing(Unit(unit), period.start)
                if whole.end == period.end:
                    n = count(kind, whole.start, whole.end, group)
                    lines[group] = (1, n, "达标" if n >= 1 else "未达标")
                else:
                    lines[group] = (0, count(kind, period.start, period.end, group), "本期不考核")
        kinds[kind] = lines

    att = Counter()
    per_member: dict[str, Counter] = defaultdict(Counter)
    for m in in_period:
        for row in m["attendance"]:
            att[row["status"]] += 1
            tally = per_member[row["name"]]
            tally["expected"] += 1
            tally[row["status"]] += 1
            tally["made_up"] += row["status"] != "present" and bool(row["makeup"])
    for a in activities:
        for p in a["participants"]:
            per_member[p["name"]]["activities"] += 1
            per_member[p["name"]]["hours"] += p["hours"]
    expected_total = sum(att.values())
    return {
        "members": {
            "total": len(roster),
            "full": full,
            "probationary": len(roster) - full,
            "developed": sum(
                bool(m["join_date"]) and _in(m["join_date"], period.start, period.end)
                for m in records["members"]
            ),
            "transferred_out": sum(
                m["status"] == "转出"
                and bool(m["status_date"])
                and _in(m["status_date"], period.start, period.end)
                for m in records["members"]
            ),
        },
        "kinds": kinds,
        "meetings": sorted(in_period, key=lambda m: (m["date"], m["start"] or "", m["id"])),
        "attendance": {
            "expected": expected_total,
            "present": att["present"],
            "leave": att["leave"],
            "absent": att["absent"],
        },
        "rate": att["present"] / expected_total if expected_total else None,
        "activities": {
            "count": len(activities),
            "participations": sum(len(a["participants"]) for a in activities),
            "hours": round(sum(p["hours"] for a in activities for p in a["participants"]), 2),
        },
        "per_member": per_member,
    }


# ------------------------------------------------------------------ reading back


def _rows(ws) -> list[list]:
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _find(rows: list[list], first: str) -> int:
    return next(i for i, r in enumerate(rows) if r[0] == first)


def _kind_lines(rows: list[list]) -> dict[str, tuple]:
    start = _find(rows, "会议类型") + 1
    lines = {}
    for r in rows[start:]:
        if r[0] is None or str(r[0]).startswith("注"):
            break
        lines[r[0]] = (0 if r[2] == "—" else r[2], r[3], r[5])
    return lines


def _label(kind: str, group: str | None) -> str:
    label = MeetingKind(kind).label
    return f"{label}（{group}）" if group else label


@pytest.mark.parametrize("period", [MONTH, QUARTER, YEAR], ids=["month", "quarter", "year"])
def test_every_figure_agrees_with_the_stored_records(demo, period):
    records, written = demo
    path, figures, activities = written[period.code]
    want = _expected(records, period, activities)
    wb = openpyxl.load_workbook(path)

    summary = _rows(wb["汇总"])
    i = _find(summary, "党员总数")
    counts = dict(
        zip(
            ["total", "full", "probationary", "in", "out", "developed", "other"],
            summary[i + 1],
            strict=False,
        )
    )
    for key in ("total", "full", "probationary", "developed"):
        assert counts[key] == want["members"][key], key
    assert counts["out"] == want["members"]["transferred_out"]

    lines = _kind_lines(summary)
    expected_lines = {
        _label(kind, group): value
        for kind, per in want["kinds"].items()
        for group, value in per.items()
    }
    assert lines == expected_lines

    i = _find(summary, "会议次数")
    att = want["attendance"]
    assert summary[i + 1][:5] == [
        len(want["meetings"]),
        att["expected"],
        att["present"],
        att["leave"],
        att["absent"],
    ]
    assert summary[i + 1][5] == pytest.approx(round(want["rate"], 4))
    i = _find(summary, "活动次数")
    acts = want["activities"]
    assert summary[i + 1][:3] == [
        acts["count"],
        acts["participations"],
        pytest.approx(acts["hours"]),
    ]

    # 会议明细: one row per meeting held, in date order, figures and names as stored.
    rows = _rows(wb["会议明细"])
    assert rows[2] == list(MEETING_HEADERS)
    body = rows[3 : 3 + len(want["meetings"])]
    for index, (row, meeting) in enumerate(zip(body, want["meetings"], strict=True), start=1):
        assert row[0] == index
        assert row[2].date().isoformat() == meeting["date"]
        assert row[3] == (
            meeting["title"] or (meeting["topics"] or [""])[0] or meeting["lecture_title"] or ""
        )
        assert (row[4] or "", row[5] or "") == (meeting["host"] or "", meeting["recorder"] or "")
        assert row[6:10] == [
            meeting["expected"],
            meeting["present"],
            meeting["leave"],
            meeting["absent"],
        ]
        leave = [a["name"] for a in meeting["attendance"] if a["status"] == "leave"]
        assert all(name in (row[11] or "") for name in leave)
    total_row = rows[3 + len(want["meetings"])]
    assert total_row[0] == "合计" and total_row[6:10] == list(att.values())

    # 党员参加情况: each member's tallies.
    rows = _rows(wb["党员参加情况"])
    assert rows[2] == list(MEMBER_HEADERS)
    seen = {}
    for row in rows[3:]:
        if row[0] == "合计":
            break
        seen[row[0]] = row
    for name, tally in want["per_member"].items():
        row = seen[name]
        assert row[3:8] == [
            tally["expected"],
            tally["present"],
            tally["leave"],
            tally["absent"],
            tally["made_up"],
        ], name
        assert row[9] == tally["activities"] and row[10] == pytest.approx(tally["hours"]), name

    # 党员活动: one row per activity.
    rows = _rows(wb["党员活动"])
    body = [r for r in rows[3:] if isinstance(r[0], int)]
    assert len(body) == acts["count"]
    assert sum(r[8] for r in body) == pytest.approx(acts["hours"])

    # The hidden sheet carries the same figures as plain key/value rows.
    data = {r[0]: r[1] for r in _rows(wb[DATA_SHEET])}
    assert data["members.total"] == want["members"]["total"]
    assert data["meetings_held"] == len(want["meetings"])
    assert data["attendance.present"] == att["present"]
    assert data["activities.count"] == acts["count"]
    for key, value in flatten_figures(figures):
        if key != "generator":
            expected_value = int(value) if isinstance(value, bool) else value
            assert data[key] == ("" if value is None else expected_value) or (
                value is None and data[key] is None
            ), key


def test_workbook_layout_reads_back_as_specified(demo):
    _records, written = demo
    path, figures, _ = written[MONTH.code]
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["汇总", "会议明细", "党员参加情况", "党员活动", DATA_SHEET]
    assert wb.active.title == "汇总"
    title = f"{figures['branch']} {MONTH.label} 组织生活情况报表"
    assert wb["汇总"]["A1"].value == title
    assert "上级党组织：中共城关街道工作委员会" in wb["汇总"]["A2"].value
    assert f"报送期间：{MONTH.label}" in wb["汇总"]["A2"].value
    summary_text = " ".join(str(v) for r in _rows(wb["汇总"]) for v in r if v)
    for label in ("填报人", "联系电话", "填报日期", "支部书记（签字）", "出席率", "服务时长"):
        assert label in summary_text
    for ws in wb.worksheets[:4]:
        assert any(str(rng).startswith("A1:") for rng in ws.merged_cells.ranges), ws.title
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True
        assert ws.page_setup.fitToWidth == 1
        assert ws.print_title_rows
        assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
        assert ws.freeze_panes
    for name in ("会议明细", "党员参加情况", "党员活动"):
        ws = wb[name]
        assert ws.freeze_panes == "A4" and ws.print_title_rows == "$1:$3"
        assert ws.page_setup.fitToHeight == 0
        assert ws["A3"].border.left.style == "thin"
    data = wb[DATA_SHEET]
    assert data.sheet_state in ("hidden", "veryHidden")
    keys = [r[0] for r in _rows(data)]
    assert keys[:5] == ["format_version", "generator", "branch", "superior", "period"]
    assert data["B1"].value == 1 and data["B5"].value == MONTH.code


def test_no_id_numbers_in_any_return(demo):
    records, written = demo
    ids = {m["id_number"] for m in records["members"] if m["id_number"]}
    for path, _figures, _ in written.values():
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                for value in row:
                    text = str(value or "")
                    assert not re.search(r"\d{17}[\dXx]", text), (ws.title, text)
                    assert text not in ids


# ------------------------------------------------------------------- hostile text


def _hand_made_return(**changes) -> BranchReturn:
    period = Period.parse("2026-10")
    group = Requirement(MeetingKind.GROUP, Unit.MONTH)
    values = dict(
        branch=Branch("=HYPERLINK(\"http://x\")支部", "上级党委"),
        period=period,
        generated_on=dt.date(2026, 11, 2),
        members=MemberCounts(3, 2, 1, 0, 0, 0, 0),
        assessments=[
            Assessment(MeetingKind.THEME_DAY, DEFAULT_REQUIREMENTS[4], 1, 0, Status.NOT_MET),
            Assessment(MeetingKind.GROUP, group, 1, 1, Status.MET, 1, "-第一组", None, (dt.date(2026, 10, 3),)),
        ],
        attendance=AttendanceCounts(3, 2, 1, 0),
        activity_totals=ActivityTotals(1, 2, 3.5),
        meetings=[
            MeetingRow(
                1, dt.date(2026, 10, 3), "党小组会", "=1+1", "+张三", "@李四",
                AttendanceCounts(3, 2, 1, 0), "王五（出差\x07）", "", "王五：10月9日 自学",
            )
        ],
        member_rows=[MemberRow(1, "-王五", "-第一组", "正式", 1, 0, 1, 0, 1, 1, 1.5)],
        activities=[
            ActivityRow(1, dt.date(2026, 10, 5), None, "志愿服务", "=cmd|' /C calc'!A0", "@小区", 2, "+张三、李四", 3.5)
        ],
    )  # fmt: skip
    values.update(changes)
    return BranchReturn(**values)


def test_typed_text_is_never_a_formula_and_control_characters_go(tmp_path):
    path = write_return(_hand_made_return(), tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    meetings = wb["会议明细"]
    assert meetings["D4"].value == "=1+1" and meetings["E4"].value == "+张三"
    assert meetings["F4"].value == "@李四"
    assert meetings["L4"].value == "王五（出差）"
    assert wb["党员参加情况"]["A4"].value == "-王五"
    assert wb["党员活动"]["E4"].value == "=cmd|' /C calc'!A0"
    assert wb[DATA_SHEET]["B3"].value == '=HYPERLINK("http://x")支部'
    assert wb["汇总"]["A1"].value.startswith("=HYPERLINK")


def test_not_met_is_red_text_and_revised_says_so(tmp_path):
    path = write_return(_hand_made_return(revised=True), tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["汇总"]
    assert ws["A1"].value.endswith("组织生活情况报表（修订）")
    assert any("修订版" in str(v) for r in _rows(ws) for v in r if v)
    statuses = {c.value: c for row in ws.iter_rows() for c in row if c.value in ("达标", "未达标")}
    assert statuses["未达标"].data_type == "s"
    assert statuses["未达标"].font.color.rgb.endswith("C00000")
    assert statuses["达标"].font.color is None or not statuses["达标"].font.color.rgb.endswith(
        "C00000"
    )
    assert "党小组会（-第一组）" in [r[0] for r in _rows(ws)]
    data = {r[0]: r[1] for r in _rows(wb[DATA_SHEET])}
    assert data["revised"] == 1
    assert data["kinds.group_meeting.groups.-第一组.held"] == 1


def test_an_empty_period_still_makes_a_readable_return(tmp_path):
    ret = _hand_made_return(
        meetings=[], member_rows=[], activities=[], attendance=AttendanceCounts(0, 0, 0, 0)
    )
    wb = openpyxl.load_workbook(write_return(ret, tmp_path / "r.xlsx"))
    assert wb["会议明细"]["A4"].value == "本期无已召开的会议"
    assert wb["党员活动"]["A4"].value == "本期无党员活动"
    assert {r[0]: r[1] for r in _rows(wb[DATA_SHEET])}.get("attendance_rate") is None


# ---------------------------------------------------------------- atomic writing


def test_a_file_open_in_excel_leaves_the_old_file_intact(tmp_path, monkeypatch):
    target = tmp_path / "月报.xlsx"
    target.write_bytes(b"old return")

    def locked(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(ExportError) as caught:
        write_return(_hand_made_return(), target)
    assert "Excel 或 WPS" in caught.value.message and "原文件未被改动" in caught.value.message
    assert target.read_bytes() == b"old return"
    assert [p.name for p in tmp_path.iterdir()] == ["月报.xlsx"]


def test_a_full_disk_leaves_the_old_file_intact(tmp_path, monkeypatch):
    target = tmp_path / "月报.xlsx"
    target.write_bytes(b"old return")

    def full(self):  # half the sheets are written, then the disk is full
        self._archive.writestr("xl/half.xml", "<half/>")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(xlsx_save.ExcelWriter, "write_data", full)
    with pytest.raises(ExportError) as caught:
        write_return(_hand_made_return(), target)
    assert "磁盘空间不足" in caught.value.message
    assert target.read_bytes() == b"old return"
    assert [p.name for p in tmp_path.iterdir()] == ["月报.xlsx"]


def test_bad_targets_are_refused_with_a_message(tmp_path):
    with pytest.raises(ExportError, match="扩展名"):
        write_return(_hand_made_return(), tmp_path / "r.xls")
    with pytest.raises(ExportError, match="不存在"):
        write_return(_hand_made_return(), tmp_path / "nope" / "r.xlsx")


def test_default_file_names():
    assert (
        default_return_filename("城关街道幸福里社区党支部", Period.parse("2026-10"))
        == "城关街道幸福里社区党支部_2026年10月_组织生活报表.xlsx"
    )
    assert (
        default_return_filename("A/B:支部", Period.parse("2026-Q3"))
        == "A_B_支部_2026年第三季度_组织生活报表.xlsx"
    )
    assert default_return_filename("支部", Period.parse("2026"), revised=True).endswith(
        "2026年度_组织生活报表（修订）.xlsx"
    )


def test_rows_of_long_text_grow_and_the_rest_keep_the_default_height(tmp_path):
    long_leave = "、".join(f"党员{i}（外出务工）" for i in range(12))
    short = _hand_made_return().meetings[0]
    ret = _hand_made_return(
        meetings=[
            short,
            MeetingRow(2, dt.date(2026, 10, 9), "主题党日", "学习", "张三", "李四",
                       AttendanceCounts(14, 2, 12, 0), long_leave, "", ""),
            MeetingRow(3, dt.date(2026, 10, 20), "支委会", "学习", "张三", "李四",
                       AttendanceCounts(5, 3, 2, 0), "", "", "甲：自学\n乙：自学"),
        ]
    )  # fmt: skip
    wb = openpyxl.load_workbook(write_return(ret, tmp_path / "r.xlsx"))
    ws = wb["会议明细"]
    assert ws.sheet_format.defaultRowHeight == 20 and ws.sheet_format.customHeight
    assert ws.row_dimensions[4].height is None  # one line: the sheet's 20 points
    width = ws.column_dimensions["L"].width
    lines = -(-style.display_width(long_leave) // int(width - 2))
    assert lines >= 3 and ws.row_dimensions[5].height == lines * 15 + 5
    assert ws["L5"].alignment.wrap_text and ws["L5"].value == long_leave
    assert ws["C5"].number_format == 'yyyy"年"m"月"d"日"' and ws["C5"].is_date
    assert ws["K5"].number_format == "0.0%"
    assert ws["K5"].value == pytest.approx(2 / 14, abs=1e-4)
    assert ws.row_dimensions[6].height == 2 * 15 + 5  # short, but two lines
