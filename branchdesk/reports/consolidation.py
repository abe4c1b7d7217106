"""Consolidation (汇总) at the superior committee: many branches' returns for one period.

Only the hidden ``_branchdesk`` sheet of each return is read (never the printed layout),
through the same hostile-file protections as the roster import. Files that are not
returns, of another period, of a branch already seen or of a newer format are refused
with a reason; branches on an optional list that sent nothing are named as missing.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from branchdesk.domain.meetings import MeetingKind
from branchdesk.domain.requirements import Period, Status
from branchdesk.reports import xlsx_style as style
from branchdesk.reports.return_figures import FORMAT_VERSION
from branchdesk.reports.return_workbook import (
    DATA_SHEET,
    LEFT,
    NO_RATE,
    PERCENT_FORMAT,
    RED_FONT,
    day_text,
    safe_filename,
    save_workbook,
)
from branchdesk.reports.workbook_read import read_sheet
from branchdesk.reports.xlsx_safety import (
    ENCRYPTED_HINT,
    EncryptedWorkbookError,
    Limits,
    XlsxFileError,
    read_workbook_rows,
)

log = logging.getLogger(__name__)

NOT_A_RETURN = "不是 BranchDesk 报表"
NEWER_FORMAT = "格式版本较新（请升级 BranchDesk）"
UNREADABLE = f"{NOT_A_RETURN}（文件内容异常，无法读取）"
# No branch has more members, meetings or hours than this in one year; more is a forgery.
_MAX_FIGURE = 10_000_000
# A return is a few hundred rows; anything far bigger is not one.
RETURN_LIMITS = Limits(max_file_bytes=20 * 1024 * 1024, max_data_rows=10_000)
_MEMBER_KEYS = (
    "total",
    "full",
    "probationary",
    "transferred_in",
    "transferred_out",
    "developed",
    "other_left",
)
_ATTENDANCE_KEYS = ("expected", "present", "leave", "absent")
_EXPECT_HEADERS = {"支部名称", "支部", "名称", "党支部", "党支部名称", "单位", "单位名称", "序号"}


@dataclass
class BranchFigures:
    """One accepted return: the figures of its 汇总 sheet."""

    file: str
    branch: str
    superior: str
    period: Period
    generated_on: dt.date | None
    revised: bool
    members: dict[str, int]
    kinds: dict[str, dict[str, Any]]  # code -> {required, held, status[, groups]}
    meetings_held: int
    attendance: dict[str, int]
    activities: dict[str, float]
    late: bool = False

    @property
    def attendance_rate(self) -> float | None:
        expected = self.attendance.get("expected", 0)
        return self.attendance.get("present", 0) / expected if expected else None

    def not_met(self) -> list[str]:
        """Labels of what fell short: ``党小组会（第三党小组）``, ``支委会``."""
        labels = []
        for code, entry in self.kinds.items():
            if entry.get("status") != Status.NOT_MET.value:
                continue
            groups = [
                name
                for name, group in (entry.get("groups") or {}).items()
                if group.get("status") == Status.NOT_MET.value
            ]
            label = kind_label(code)
            labels += [f"{label}（{name}）" for name in groups] or [label]
        return labels

    def to_json(self) -> dict[str, Any]:
        rate = self.attendance_rate
        return {
            "file": self.file,
            "branch": self.branch,
            "superior": self.superior,
            "generated_on": self.generated_on.isoformat() if self.generated_on else None,
            "revised": self.revised,
            "late": self.late,
            "members": dict(self.members),
            "kinds": self.kinds,
            "meetings_held": self.meetings_held,
            "attendance": dict(self.attendance),
            "attendance_rate": None if rate is None else round(rate, 4),
            "activities": dict(self.activities),
            "not_met": self.not_met(),
        }


@dataclass
class Consolidation:
    period: Period | None
    rows: list[BranchFigures] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (file name, reason)
    missing: list[str] = field(default_factory=list)
    expected: list[str] | None = None
    deadline: dt.date | None = None

    @property
    def superior(self) -> str:
        """The superior committee's name when every return agrees on it, else ''."""
        names = {row.superior for row in self.rows}
        return names.pop() if len(names) == 1 else ""

    @property
    def kind_codes(self) -> list[str]:
        """The kinds any return reports, known ones in their usual order."""
        order = [kind.value for kind in MeetingKind]
        codes = {code for row in self.rows for code in row.kinds}
        return sorted(codes, key=lambda c: (order.index(c) if c in order else len(order), c))

    @property
    def late(self) -> list[str]:
        return [row.branch for row in self.rows if row.late]

    @property
    def totals(self) -> dict[str, Any]:
        """Sums over the accepted returns; 出席率 = sum present / sum expected."""
        rows = self.rows
        members = {key: sum(r.members.get(key, 0) for r in rows) for key in _MEMBER_KEYS}
        attendance = {key: sum(r.attendance.get(key, 0) for r in rows) for key in _ATTENDANCE_KEYS}
        kinds: dict[str, Any] = {}
        for code in self.kind_codes:
            entries = [r.kinds[code] for r in rows if code in r.kinds]
            statuses = [e.get("status") for e in entries]
            kinds[code] = {
                "required": sum(int(e.get("required") or 0) for e in entries),
                "held": sum(int(e.get("held") or 0) for e in entries),
                "met": statuses.count(Status.MET.value),
                "not_met": statuses.count(Status.NOT_MET.value),
                "not_assessed": statuses.count(Status.NOT_ASSESSED.value),
            }
        expected = attendance["expected"]
        return {
            "branches": len(rows),
            "members": members,
            "kinds": kinds,
            "meetings_held": sum(r.meetings_held for r in rows),
            "attendance": attendance,
            "attendance_rate": round(attendance["present"] / expected, 4) if expected else None,
            "activities": {
                "count": sum(int(r.activities.get("count", 0)) for r in rows),
                "participations": sum(int(r.activities.get("participations", 0)) for r in rows),
                "hours": round(sum(float(r.activities.get("hours", 0)) for r in rows), 2),
            },
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "period": self.period.code if self.period else None,
            "period_label": self.period.label if self.period else None,
            "superior": self.superior,
            "branches": [row.to_json() for row in self.rows],
            "totals": self.totals,
            "refused": [{"file": name, "reason": reason} for name, reason in self.refused],
            "missing": list(self.missing),
            "late": self.late,
        }


def kind_label(code: str) -> str:
    try:
        return MeetingKind(code).short_label
    except ValueError:
        return code


def normalize_branch_name(name: str) -> str:
    """Compare names as people mean them: full-width forms folded, spaces ignored."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))


# ------------------------------------------------------------------------- reading


def read_return_file(path: Path | str) -> dict[str, Any] | str:
    """Read the hidden sheet of a return: its figures (as ``figures()`` gives them) or why not."""
    path = Path(path)
    try:
        sheet = read_sheet(path, DATA_SHEET, RETURN_LIMITS)
    except EncryptedWorkbookError:
        return ENCRYPTED_HINT
    except XlsxFileError as exc:
        if not path.exists():
            return "找不到该文件"
        if path.suffix.lower() != ".xlsx":
            return f"{NOT_A_RETURN}（不是 .xlsx 文件）"
        if "权限" in exc.message or "独占" in exc.message:
            return "无法读取（没有权限，或文件正被其他程序打开）"
        return f"{NOT_A_RETURN}（文件已损坏或无法读取）"
    if sheet is None:
        return NOT_A_RETURN
    flat: dict[str, Any] = {}
    for _number, values in sheet.rows:
        key = values[0] if values else None
        if isinstance(key, str) and key not in flat:
            flat[key] = values[1] if len(values) > 1 else None
    version = flat.get("format_version")
    if isinstance(version, float) and version.is_integer():
        version = int(version)
    if not isinstance(version, int) or isinstance(version, bool):
        return f"{NOT_A_RETURN}（报表数据不完整）"
    if version > FORMAT_VERSION:
        return NEWER_FORMAT
    figures = unflatten(flat)
    if not isinstance(figures.get("branch"), str) or not figures["branch"].strip():
        return f"{NOT_A_RETURN}（报表数据不完整）"
    try:
        Period.parse(str(figures.get("period", "")))
    except ValueError:
        return f"{NOT_A_RETURN}（报表数据不完整）"
    return figures


def unflatten(flat: dict[str, Any]) -> dict[str, Any]:
    """Undo ``flatten_figures``; group names may themselves contain dots."""
    figures: dict[str, Any] = {}
    for key, value in flat.items():
        if key.startswith("kinds."):
            code, _, tail = key[len("kinds.") :].partition(".")
            entry = figures.setdefault("kinds", {}).setdefault(code, {})
            if tail.startswith("groups."):
                name, _, name_field = tail[len("groups.") :].rpartition(".")
                entry.setdefault("groups", {}).setdefault(name, {})[name_field] = value
            elif tail:
                entry[tail] = value
        elif "." in key:
            section, _, name = key.partition(".")
            inner = figures.setdefault(section, {})
            if isinstance(inner, dict):
                inner[name] = value
        else:
            figures[key] = value
    return figures


def read_expected_names(path: Path | str) -> list[str]:
    """Branch names from an .xlsx with one per row (a header row and 序号 column allowed)."""
    workbook = read_workbook_rows(Path(path))
    names: list[str] = []
    seen: set[str] = set()
    for _number, values in workbook.sheets[0].rows if workbook.sheets else []:
        text = next((str(v).strip() for v in values if isinstance(v, str) and v.strip()), "")
        if not text or text in _EXPECT_HEADERS:
            continue
        key = normalize_branch_name(text)
        if key not in seen:
            seen.add(key)
            names.append(text)
    return names


class _BadReturn(Exception):
    """A return whose hidden sheet holds what no BranchDesk writes; ``reason`` says what."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _checked_number(value: Any, key: str) -> float:
    """A figure as BranchDesk writes it: a finite, non-negative number (missing is 0)."""
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _BadReturn(f"{NOT_A_RETURN}（报表数据有误：{key} 不是数字）")
    if not math.isfinite(value) or not 0 <= value <= _MAX_FIGURE:
        raise _BadReturn(f"{NOT_A_RETURN}（报表数据有误：{key} 的值 {value} 不合理）")
    return float(value)


def _int(value: Any, key: str = "") -> int:
    return int(_checked_number(value, key))


def _number(value: Any, key: str = "") -> float:
    return _checked_number(value, key)


def _section(figures: dict[str, Any], key: str) -> dict[str, Any]:
    value = figures.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _BadReturn(f"{NOT_A_RETURN}（报表数据有误：{key} 不完整）")
    return value


def _kind_entry(code: str, entry: Any) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise _BadReturn(f"{NOT_A_RETURN}（报表数据有误：kinds.{code} 不完整）")
    groups = entry.get("groups")
    if groups is not None and not (
        isinstance(groups, dict) and all(isinstance(g, dict) for g in groups.values())
    ):
        raise _BadReturn(f"{NOT_A_RETURN}（报表数据有误：kinds.{code}.groups 不完整）")
    return {
        **entry,
        "required": _int(entry.get("required"), f"kinds.{code}.required"),
        "held": _int(entry.get("held"), f"kinds.{code}.held"),
    }


def _branch_figures(name: str, figures: dict[str, Any], deadline: dt.date | None) -> BranchFigures:
    """The figures of one return, checked; raise ``_BadReturn`` when they cannot be right."""
    try:
        generated = dt.date.fromisoformat(str(figures.get("generated_on")))
    except ValueError:
        generated = None
    members = _section(figures, "members")
    attendance = _section(figures, "attendance")
    activities = _section(figures, "activities")
    kinds = {
        str(code): _kind_entry(str(code), entry)
        for code, entry in _section(figures, "kinds").items()
    }
    hours = _number(activities.get("hours"), "activities.hours")
    return BranchFigures(
        file=name,
        branch=str(figures["branch"]).strip(),
        superior=str(figures.get("superior") or "").strip(),
        period=Period.parse(str(figures["period"])),
        generated_on=generated,
        revised=figures.get("revised") in (True, 1),
        members={key: _int(members.get(key), f"members.{key}") for key in _MEMBER_KEYS},
        kinds=kinds,
        meetings_held=_int(figures.get("meetings_held"), "meetings_held"),
        attendance={
            key: _int(attendance.get(key), f"attendance.{key}") for key in _ATTENDANCE_KEYS
        },
        activities={
            "count": _int(activities.get("count"), "activities.count"),
            "participations": _int(activities.get("participations"), "activities.participations"),
            "hours": int(hours) if hours.is_integer() else round(hours, 2),
        },
        late=bool(deadline and generated and generated > deadline),
    )


def _read_branch(path: Path, deadline: dt.date | None) -> BranchFigures | str:
    """One file's figures, or the reason it is refused; never an exception (a stranger's file)."""
    try:
        figures = read_return_file(path)
        if isinstance(figures, str):
            return figures
        return _branch_figures(path.name, figures, deadline)
    except _BadReturn as exc:
        return exc.reason
    except Exception:  # noqa: BLE001 - whatever a hostile file does, the others are summed
        log.warning("return file %s could not be read", path.name, exc_info=True)
        return UNREADABLE


class ConsolidationCancelled(Exception):
    """The person stopped a consolidation; nothing was written."""


def consolidate(
    paths: Iterable[Path | str],
    expected_names: Sequence[str] | None = None,
    *,
    period: Period | None = None,
    deadline: dt.date | None = None,
    progress: Callable[[int, int], bool] | None = None,
) -> Consolidation:
    """Merge the returns of one period; the period is the first valid file's unless given.

    A branch sent twice keeps its first return, unless a later one is a revision
    (修订) and the first is not. ``deadline`` marks returns generated after it as late.
    ``progress(done, total)`` is told after each file; when it returns False the work
    stops with ``ConsolidationCancelled``.
    """
    result = Consolidation(period=period, deadline=deadline)
    by_branch: dict[str, BranchFigures] = {}
    paths = list(paths)
    for done, raw in enumerate(paths):
        if progress is not None and not progress(done, len(paths)):
            raise ConsolidationCancelled()
        path = Path(raw)
        row = _read_branch(path, deadline)
        if isinstance(row, str):
            result.refused.append((path.name, row))
            continue
        if result.period is None:
            result.period = row.period
        if row.period != result.period:
            result.refused.append(
                (
                    path.name,
                    f"期间不同（该文件是 {row.period.label}，本次汇总 {result.period.label}）",
                )
            )
            continue
        key = normalize_branch_name(row.branch)
        earlier = by_branch.get(key)
        if earlier is not None:
            if row.revised and not earlier.revised:
                result.refused.append((earlier.file, f"已由修订版报表 {row.file} 替代"))
                by_branch[key] = row
            else:
                result.refused.append((path.name, f"支部重复（与 {earlier.file} 相同）"))
            continue
        by_branch[key] = row
    result.rows = list(by_branch.values())
    if expected_names is not None:
        result.expected = list(expected_names)
        result.missing = [n for n in expected_names if normalize_branch_name(n) not in by_branch]
    return result


# ------------------------------------------------------------------------- writing

_FIXED_BEFORE = ("序号", "支部名称", "党员数", "正式", "预备")
_FIXED_AFTER = ("出席率", "活动次数", "服务时长", "未达标项目", "生成日期")
_HEADER_ROWS = (3, 4)


def consolidation_title(c: Consolidation) -> str:
    period = c.period.label if c.period else ""
    superior = f"{c.superior} " if c.superior else ""
    return f"{superior}{period} 组织生活情况汇总"


def default_consolidation_filename(c: Consolidation) -> str:
    """``中共城关街道工作委员会_2026年10月_组织生活汇总.xlsx``."""
    parts = [p for p in (c.superior, c.period.label if c.period else "") if p]
    return safe_filename("_".join([*parts, "组织生活汇总"])) + ".xlsx"


def _status_text(status: Any) -> str:
    if status == Status.NOT_ASSESSED.value:
        return NO_RATE
    return str(status or "")


def build_consolidation_workbook(c: Consolidation, *, today: dt.date | None = None) -> Workbook:
    today = today or dt.date.today()
    workbook = Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = "汇总"
    codes = c.kind_codes
    name_width = max([style.display_width(r.branch) + 2 for r in c.rows] + [16], default=16)
    widths = [5.0, float(min(name_width, 26)), 7.0, 6.0, 6.0]
    widths += [5.0, 8.0] * len(codes)
    flagged = any(r.late or r.revised for r in c.rows)  # 2026年11月3日（逾期）
    widths += [8.0, 8.0, 8.0, 22.0, 24.0 if flagged else 16.0]
    columns = len(widths)
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width

    style.write_title(ws, consolidation_title(c), columns)
    expected = f"应报 {len(c.expected)} 个，" if c.expected is not None else ""
    missing = f"，未报 {len(c.missing)} 个" if c.expected is not None else ""
    subtitle = (
        f"{expected}已汇总 {len(c.rows)} 个支部{missing}，未采用文件 {len(c.refused)} 个"
        f"    生成日期：{day_text(today, with_year=True)}"
    )
    _merged_text(ws, 2, 1, columns, subtitle, border=None, font=style.SUBTITLE_FONT)
    ws.row_dimensions[2].height = 22

    top, second = _HEADER_ROWS
    column = 1
    for label in _FIXED_BEFORE:
        _header(ws, top, column, label, rows=2)
        column += 1
    for code in codes:
        _header(ws, top, column, kind_label(code), cols=2)
        _header(ws, second, column, "已开")
        _header(ws, second, column + 1, "情况")
        column += 2
    for label in _FIXED_AFTER:
        _header(ws, top, column, label, rows=2)
        column += 1
    ws.row_dimensions[top].height = ws.row_dimensions[second].height = 22

    row = second
    for index, branch in enumerate(c.rows, start=1):
        row += 1
        values: list[Any] = [
            index,
            branch.branch,
            branch.members["total"],
            branch.members["full"],
            branch.members["probationary"],
        ]
        for code in codes:
            entry = branch.kinds.get(code)
            values += [entry["held"], _status_text(entry.get("status"))] if entry else ["", ""]
        rate = branch.attendance_rate
        values += [
            rate,
            branch.activities["count"],
            branch.activities["hours"],
            "、".join(branch.not_met()),
            branch.generated_on or "",
        ]
        _write_row(ws, row, values, widths, name_column=True)
        if branch.generated_on:  # a date cell; 逾期 and 修订 shown by its number format
            flags = ("（逾期）" if branch.late else "") + ("（修订）" if branch.revised else "")
            style.write_date(ws, row, columns, branch.generated_on, suffix=flags)

    row += 1
    totals = c.totals
    total_values: list[Any] = [
        "合计",
        f"{len(c.rows)} 个支部",
        totals["members"]["total"],
        totals["members"]["full"],
        totals["members"]["probationary"],
    ]
    for code in codes:
        entry = totals["kinds"][code]
        if entry["not_met"]:
            status = f"{entry['not_met']}个未达标"
        elif entry["met"]:
            status = "全部达标"
        else:
            status = NO_RATE
        total_values += [entry["held"], status]
    total_values += [
        totals["attendance_rate"],
        totals["activities"]["count"],
        totals["activities"]["hours"],
        f"{short} 个支部有未达标项目" if (short := sum(1 for r in c.rows if r.not_met())) else "无",
        "",
    ]
    _write_row(ws, row, total_values, widths, font=style.HEADER_FONT)

    row += 1
    notes = [
        "注：“情况”一栏中“—”表示本期不考核；出席率 = 实到人次 ÷ 应到人次，合计行按全部支部的人次计算；"
        "服务时长单位为小时。"
    ]
    if c.expected is not None:
        notes.append(
            f"未报送的支部（{len(c.missing)} 个）：{'、'.join(c.missing) if c.missing else '无'}"
        )
    if c.deadline is not None:
        late = c.late
        notes.append(
            f"逾期报送（{day_text(c.deadline, with_year=True)}后生成，{len(late)} 个）："
            f"{'、'.join(late) if late else '无'}"
        )
    if c.refused:
        notes.append(f"未采用的文件（{len(c.refused)} 个）：")
        notes += [f"    {name}：{reason}" for name, reason in c.refused]
    for text in notes:
        row += 1
        _merged_text(ws, row, 1, columns, text, border=None)
        lines = style.line_count(text, int(sum(widths)))
        ws.row_dimensions[row].height = max(20, 15 * lines + 5)

    ws.freeze_panes = ws.cell(row=second + 1, column=3).coordinate
    style.setup_a4_print(ws, landscape=True, title_rows=f"1:{second}")
    workbook.properties.title = consolidation_title(c)
    workbook.properties.creator = "BranchDesk"
    return workbook


def write_consolidation(
    c: Consolidation, path: Path | str, *, today: dt.date | None = None
) -> Path:
    """Write the summary workbook atomically; raise ExportError with a message."""
    return save_workbook(build_consolidation_workbook(c, today=today), path)


def _header(ws: Any, row: int, column: int, text: str, *, rows: int = 1, cols: int = 1) -> None:
    for r in range(row, row + rows):
        for col in range(column, column + cols):
            ws.cell(row=r, column=col).border = style.BORDER
    style.write_text(ws, row, column, text, font=style.HEADER_FONT, alignment=style.CENTER)
    if rows > 1 or cols > 1:
        ws.merge_cells(
            start_row=row, start_column=column, end_row=row + rows - 1, end_column=column + cols - 1
        )


def _merged_text(
    ws: Any,
    row: int,
    column: int,
    columns: int,
    text: str,
    *,
    border: Any,
    font: Font = style.BODY_FONT,
) -> None:
    style.write_text(ws, row, column, text, font=font, alignment=LEFT, border=border)
    ws.merge_cells(start_row=row, start_column=column, end_row=row, end_column=columns)


def _write_row(
    ws: Any,
    row: int,
    values: Sequence[Any],
    widths: Sequence[float],
    *,
    font: Font = style.BODY_FONT,
    name_column: bool = False,
) -> None:
    lines = 1
    rate_column = len(values) - len(_FIXED_AFTER) + 1
    for column, value in enumerate(values, start=1):
        if column == rate_column:
            if isinstance(value, float):
                cell = style.write_number(ws, row, column, round(value, 4), font=font)
                cell.number_format = PERCENT_FORMAT
            else:
                style.write_text(ws, row, column, NO_RATE, font=font, alignment=style.CENTER)
            continue
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            style.write_number(ws, row, column, value, font=font)
            continue
        text = str(value)
        shortfall = column == len(values) - 1  # 未达标项目
        wide = (column == 2 and name_column) or shortfall
        red = text == Status.NOT_MET.value or (shortfall and name_column)
        cell_font = RED_FONT if red else font
        style.write_text(
            ws, row, column, text, font=cell_font, alignment=LEFT if wide else style.CENTER
        )
        if text:
            lines = max(lines, style.line_count(text, int(widths[column - 1])))
    ws.row_dimensions[row].height = max(20, 15 * lines + 5)
