"""The return workbook (月报/季报/年报) the secretary sends to the superior committee.

Four visible sheets a person reads and prints (汇总, 会议明细, 党员参加情况, 党员活动) and
one hidden sheet, ``_branchdesk``, with the 汇总 figures as key/value rows, so that
consolidation never parses the pretty layout. Every string people typed is written as
text; no ID numbers appear anywhere.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from branchdesk import __version__
from branchdesk.domain.activities import format_hours
from branchdesk.domain.requirements import Period, Status
from branchdesk.reports import xlsx_style as style
from branchdesk.reports.gc_pause import without_collection
from branchdesk.reports.return_figures import BranchReturn
from branchdesk.reports.xlsx_save import ExportError, save_workbook

DATA_SHEET = "_branchdesk"  # the hidden key/value sheet consolidation reads
GENERATOR = f"BranchDesk {__version__}"

SUMMARY_SHEET = "汇总"
MEETINGS_SHEET = "会议明细"
MEMBERS_SHEET = "党员参加情况"
ACTIVITIES_SHEET = "党员活动"

MEETING_HEADERS = (
    "序号",
    "类型",
    "日期",
    "主题",
    "主持人",
    "记录人",
    "应到",
    "实到",
    "请假",
    "缺席",
    "出席率",
    "请假人员及事由",
    "缺席人员及事由",
    "补学情况",
    "到会过半",
)
MEMBER_HEADERS = (
    "姓名",
    "党小组",
    "类别",
    "应参加",
    "实参加",
    "请假",
    "缺席",
    "补学",
    "参与率",
    "活动次数",
    "服务时长",
)
ACTIVITY_HEADERS = (
    "序号",
    "日期",
    "结束日期",
    "类型",
    "活动名称",
    "地点",
    "参加人数",
    "参加人员",
    "服务时长",
)
KIND_HEADERS = ("会议类型", "要求", "应开", "已开", "开会日期", "情况", "说明")
MEMBER_COUNT_HEADERS = (
    "党员总数",
    "正式党员",
    "预备党员",
    "本期转入",
    "本期转出",
    "本期发展",
    "其他减少",
)

RED_FONT = Font(name=style.FONT_NAME, size=style.BODY_SIZE, color="C00000")
SECTION_FONT = Font(name=style.FONT_NAME, size=12, bold=True)
DATE_FORMAT = style.DATE_FORMAT  # 2026年11月10日, a real date cell
PERCENT_FORMAT = "0.0%"
HOURS_FORMAT = "0.##"
UNDERLINE = Border(bottom=Side(style="thin", color="000000"))
RIGHT = Alignment(horizontal="right", vertical="center")
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True, indent=1)
NO_RATE = "—"  # nobody expected: no rate rather than 0%
_LINE_HEIGHT = 15.0
_ILLEGAL_IN_FILENAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


# --------------------------------------------------------------------------- public


def return_title(ret: BranchReturn) -> str:
    """``城关街道幸福里社区党支部 2026年10月 组织生活情况报表``, with （修订） when revised and
    （截至 12月2日） when the period had not ended."""
    revised = "（修订）" if ret.revised else ""
    return f"{ret.branch.name} {period_heading(ret)} 组织生活情况报表{revised}"


def period_heading(ret: BranchReturn) -> str:
    """``2026年12月``, or ``2026年12月（截至 12月2日）`` for a period not yet over."""
    return ret.period.label + as_of_text(ret.period, ret.generated_on)


def as_of_text(period: Period, today: dt.date) -> str:
    """``（截至 12月2日）`` while ``period`` has not ended on ``today``; else empty."""
    if period.end < today:
        return ""
    return f"（截至 {day_text(today, with_year=today.year != period.end.year)}）"


def unfinished_notice(period: Period, today: dt.date) -> str | None:
    """What every export of a period not yet over says before writing (window and CLI)."""
    if period.end < today:
        return None
    return (
        f"{period.label}尚未结束（今天是 {day_text(today, with_year=True)}），"
        f"报表只包含截至今天的记录，标题将注明“{as_of_text(period, today)}”。"
    )


def default_return_filename(branch_name: str, period: Period, *, revised: bool = False) -> str:
    """A file name to suggest: ``城关街道幸福里社区党支部_2026年10月_组织生活报表.xlsx``."""
    suffix = "（修订）" if revised else ""
    return safe_filename(f"{branch_name}_{period.label}_组织生活报表{suffix}") + ".xlsx"


def safe_filename(text: str) -> str:
    """Replace characters Windows refuses in file names; never return an empty name."""
    cleaned = _ILLEGAL_IN_FILENAMES.sub("_", text).strip().strip(".")
    return cleaned or "报表"


@without_collection
def write_return(ret: BranchReturn, path: Path | str, *, data_dir: Path | None = None) -> Path:
    """Write the return workbook to ``path`` atomically; raise ExportError with a message."""
    return save_workbook(build_return_workbook(ret), path, data_dir=data_dir)


def build_return_workbook(ret: BranchReturn) -> Workbook:
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = SUMMARY_SHEET
    _write_summary(summary, ret)
    _write_meetings(workbook.create_sheet(MEETINGS_SHEET), ret)
    _write_members(workbook.create_sheet(MEMBERS_SHEET), ret)
    _write_activities(workbook.create_sheet(ACTIVITIES_SHEET), ret)
    write_data_sheet(workbook, flatten_figures(ret.figures(), generator=GENERATOR))
    workbook.active = 0
    workbook.properties.title = return_title(ret)
    workbook.properties.creator = GENERATOR
    return workbook


def flatten_figures(
    figures: dict[str, Any], *, generator: str = GENERATOR
) -> list[tuple[str, Any]]:
    """The key/value rows of the hidden sheet: ``members.total``, ``kinds.theme_day.held`` ...

    ``format_version`` and ``generator`` come first, then branch, superior and period, so a
    reader can refuse a file after the first rows. Booleans become 0/1.
    """
    first = ["format_version", "generator", "branch", "superior", "period", "period_label"]
    values = dict(figures, generator=generator)
    rows: list[tuple[str, Any]] = []
    for key in first:
        rows.append((key, values.pop(key, "")))
    for key, value in values.items():
        rows.extend(_flatten(key, value))
    return rows


def write_data_sheet(workbook: Workbook, rows: Sequence[tuple[str, Any]]) -> Worksheet:
    """Add the hidden ``_branchdesk`` sheet: key in column A, value in column B."""
    ws = workbook.create_sheet(DATA_SHEET)
    for number, (key, value) in enumerate(rows, start=1):
        style.write_text(ws, number, 1, key, border=None, alignment=style.LEFT_NOWRAP)
        if isinstance(value, bool):
            ws.cell(row=number, column=2, value=int(value))
        elif isinstance(value, (int, float)):
            ws.cell(row=number, column=2, value=value)
        elif value is not None:
            style.write_text(ws, number, 2, value, border=None, alignment=style.LEFT_NOWRAP)
    ws.column_dimensions["A"].width = 48
    ws.column_dimensions["B"].width = 40
    ws.sheet_state = "hidden"
    ws.protection.sheet = True  # a guard rail against accidental edits, not security
    return ws


def day_text(day: dt.date, *, with_year: bool = False) -> str:
    text = f"{day.month}月{day.day}日"
    return f"{day.year}年{text}" if with_year else text


# ------------------------------------------------------------------------ internals


def _flatten(prefix: str, value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _flatten(f"{prefix}.{key}", inner)
    else:
        yield prefix, value


@dataclass(frozen=True)
class _Column:
    """How a table column's values look; numbers take ``number_format``."""

    alignment: Alignment = style.CENTER
    number_format: str = "General"


class _Sheet:
    """Write cells on a sheet whose column widths are known, growing rows to fit wrapped text."""

    def __init__(self, ws: Worksheet, widths: Sequence[float]) -> None:
        self.ws = ws
        self.widths = list(widths)
        self._lines: dict[int, int] = {}
        for index, width in enumerate(self.widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width

    @property
    def columns(self) -> int:
        return len(self.widths)

    def put(
        self,
        row: int,
        column: int,
        value: Any,
        *,
        span: int = 1,
        alignment: Alignment = style.CENTER,
        font: Font = style.BODY_FONT,
        border: Border | None = style.BORDER,
        number_format: str | None = None,
    ) -> None:
        ws = self.ws
        if span > 1:
            style.merge_row(ws, row, column, column + span - 1)
            if border is not None:  # a merged range prints the borders of every cell in it
                for extra in range(column + 1, column + span):
                    style.apply_style(ws.cell(row=row, column=extra), font, alignment, border)
        if isinstance(value, bool):
            value = int(value)
        if isinstance(value, (int, float)):
            cell = style.write_number(
                ws,
                row,
                column,
                value,
                font=font,
                alignment=alignment,
                border=border,
                number_format=number_format or "General",
            )
            text = f"{value * 100:.1f}%" if number_format == PERCENT_FORMAT else f"{value:g}"
        elif isinstance(value, dt.date):
            cell = style.write_number(
                ws,
                row,
                column,
                0,
                font=font,
                alignment=alignment,
                border=border,
                number_format=number_format or DATE_FORMAT,
            )
            cell.value = value
            text = style.date_shown(value)
        else:
            cell = style.write_text(
                ws, row, column, value, font=font, alignment=alignment, border=border
            )
            text = str(cell.value)
        width = sum(self.widths[column - 1 : column - 1 + span])
        if alignment.wrap_text:
            lines = style.line_count(text, int(width))
        else:
            lines = len(text.splitlines()) or 1
        self._lines[row] = max(self._lines.get(row, 1), lines)

    def table(
        self, first_row: int, rows: Sequence[Sequence[Any]], columns: Sequence[_Column]
    ) -> int:
        """Write a table's body from ``first_row``; return the row after it.

        The same cells ``put`` writes, in one tight loop with each column's looks made once:
        the body rows are nearly all of a year's return.
        """
        ws = self.ws
        workbook = ws.parent
        text_looks = [
            style.Look(workbook, alignment=c.alignment, number_format="@") for c in columns
        ]
        number_looks = [
            style.Look(workbook, alignment=c.alignment, number_format=c.number_format)
            for c in columns
        ]
        date_looks = [
            style.Look(workbook, alignment=c.alignment, number_format=DATE_FORMAT) for c in columns
        ]
        wrapped = [
            int(w) if c.alignment.wrap_text else 0
            for c, w in zip(columns, self.widths, strict=True)
        ]
        rates = [c.number_format == PERCENT_FORMAT for c in columns]
        cell_at, clean, count_lines = ws.cell, style.clean_text, style.line_count
        row = first_row
        for values in rows:
            lines = 1
            for index, value in enumerate(values):
                if rates[index]:  # as ``_rate`` writes it: rounded, or — when nobody was expected
                    value = NO_RATE if value is None else round(value, 4)
                elif value is None:
                    value = ""
                if value == "":  # a bordered empty cell: Excel reads "" and nothing alike
                    text_looks[index].apply(cell_at(row=row, column=index + 1))
                elif isinstance(value, str):
                    text = clean(value)
                    cell = cell_at(row=row, column=index + 1, value=text)
                    if text.startswith("="):
                        cell.data_type = "s"  # text, never a formula
                    text_looks[index].apply(cell)
                    if wrapped[index]:
                        lines = max(lines, count_lines(text, wrapped[index]))
                elif isinstance(value, dt.date):
                    date_looks[index].apply(cell_at(row=row, column=index + 1, value=value))
                else:  # a number: its column is as wide as its widest value
                    if isinstance(value, bool):
                        value = int(value)
                    number_looks[index].apply(cell_at(row=row, column=index + 1, value=value))
            self._lines[row] = max(self._lines.get(row, 1), lines)
            row += 1
        return row

    def row(self, row: int, values: Sequence[Any], **options: Any) -> None:
        for column, value in enumerate(values, start=1):
            self.put(row, column, value, **options)

    def fit_heights(self, *, minimum: float = 20.0) -> None:
        """Rows are ``minimum`` high by default; rows of wrapped text grow to show it all."""
        self.ws.sheet_format.defaultRowHeight = minimum
        self.ws.sheet_format.customHeight = True
        dimensions = self.ws.row_dimensions
        for row, lines in self._lines.items():
            height = lines * _LINE_HEIGHT + 5
            if height > minimum and (row not in dimensions or dimensions[row].height is None):
                dimensions[row].height = height


def _subtitle(ret: BranchReturn, extra: str = "") -> str:
    """上级党组织, 报送期间 and the date on the 汇总; the detail sheets add a count instead."""
    period = ret.period
    parts = [f"上级党组织：{ret.branch.superior or '（未填写）'}"]
    if extra:
        parts += [f"报送期间：{period.label}", extra]
    else:
        parts += [
            f"报送期间：{period.label}（{day_text(period.start, with_year=True)}至"
            f"{day_text(period.end, with_year=True)}）",
            f"生成日期：{day_text(ret.generated_on, with_year=True)}",
        ]
    return "    ".join(parts)


def _heading(sheet: _Sheet, title: str, subtitle: str) -> int:
    """Title and subtitle rows merged across the sheet; return the next free row."""
    ws = sheet.ws
    style.write_title(ws, title, sheet.columns)
    ws.row_dimensions[1].height = 34
    sheet.put(
        2,
        1,
        subtitle,
        span=sheet.columns,
        alignment=LEFT,
        font=style.SUBTITLE_FONT,
        border=None,
    )
    return 3


def _finish_table_sheet(sheet: _Sheet, header_row: int) -> None:
    ws = sheet.ws
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1).coordinate
    style.setup_a4_print(ws, landscape=True, title_rows=f"1:{header_row}")
    sheet.fit_heights()


def _rate(sheet: _Sheet, row: int, column: int, rate: float | None, **options: Any) -> None:
    if rate is None:
        sheet.put(row, column, NO_RATE, **options)
    else:
        sheet.put(row, column, round(rate, 4), number_format=PERCENT_FORMAT, **options)


def _kind_dates(dates: Sequence[dt.date], period: Period) -> str:
    return "、".join(day_text(d, with_year=d.year != period.year) for d in dates)


# 汇总 ------------------------------------------------------------------------------

_SUMMARY_WIDTHS = (24, 22, 9, 9, 42, 12, 34)


def _section(sheet: _Sheet, row: int, text: str) -> int:
    sheet.put(
        row,
        1,
        text,
        span=sheet.columns,
        alignment=style.LEFT_NOWRAP,
        font=SECTION_FONT,
        border=None,
    )
    sheet.ws.row_dimensions[row].height = 26
    return row + 1


def _write_summary(ws: Worksheet, ret: BranchReturn) -> None:
    sheet = _Sheet(ws, _SUMMARY_WIDTHS)
    row = _heading(sheet, return_title(ret), _subtitle(ret))
    if ret.revised:
        sheet.put(
            row,
            1,
            "本报表为修订版，替代此前报送的同期报表。",
            span=sheet.columns,
            alignment=LEFT,
            font=Font(name=style.FONT_NAME, size=style.BODY_SIZE, bold=True, color="C00000"),
            border=None,
        )
        row += 1
    if ret.unfinished:
        sheet.put(
            row,
            1,
            f"本期尚未结束：本报表只包含截至{day_text(ret.generated_on, with_year=True)}的记录。",
            span=sheet.columns,
            alignment=LEFT,
            font=Font(name=style.FONT_NAME, size=style.BODY_SIZE, bold=True, color="C00000"),
            border=None,
        )
        row += 1

    # 一、党员情况
    row = _section(sheet, row + 1, "一、党员情况")
    sheet.row(row, MEMBER_COUNT_HEADERS, font=style.HEADER_FONT)
    counts = ret.members
    row += 1
    sheet.row(
        row,
        [
            counts.total,
            counts.full,
            counts.probationary,
            counts.transferred_in,
            counts.transferred_out,
            counts.developed,
            counts.other_left,
        ],
    )
    row += 1
    sheet.put(
        row,
        1,
        f"注：党员总数、正式党员、预备党员为"
        f"{day_text(min(ret.period.end, ret.generated_on), with_year=True)}在册人数；"
        "其他减少指去世、停止党籍、出党等。",
        span=sheet.columns,
        alignment=LEFT,
        border=None,
    )

    # 二、会议开展情况
    row = _section(sheet, row + 2, "二、会议开展情况")
    sheet.row(row, KIND_HEADERS, font=style.HEADER_FONT)
    for line in ret.assessments:
        row += 1
        requirement = line.requirement
        if requirement is None:
            wanted = ""
        elif line.group_name:
            wanted = f"{requirement.unit.label}至少 {requirement.times} 次"
        else:
            wanted = requirement.describe()
        status_font = RED_FONT if line.status is Status.NOT_MET else style.BODY_FONT
        sheet.put(row, 1, line.label, alignment=LEFT)
        sheet.put(row, 2, wanted, alignment=LEFT)
        if line.status is Status.NOT_ASSESSED and line.required == 0:
            sheet.put(row, 3, NO_RATE)
        else:
            sheet.put(row, 3, line.required)
        sheet.put(row, 4, line.held)
        sheet.put(row, 5, _kind_dates(line.dates, ret.period), alignment=LEFT)
        sheet.put(row, 6, line.status.value, font=status_font)
        sheet.put(row, 7, line.note, alignment=LEFT)
    row += 1
    sheet.put(
        row,
        1,
        f"注：本期共召开会议 {ret.meetings_held} 次，明细见“{MEETINGS_SHEET}”；"
        "一次会议同时作为几种会议召开的，分别计入各类型；“—”表示本期不考核。",
        span=sheet.columns,
        alignment=LEFT,
        border=None,
    )
    invalid = ret.invalid_meetings
    if invalid:
        row += 1
        names = "、".join(f"{day_text(m.day)}{m.kind_label}" for m in invalid)
        sheet.put(
            row,
            1,
            f"本期有 {len(invalid)} 次会议到会人数未超过半数，会议无效：{names}。",
            span=sheet.columns,
            alignment=LEFT,
            font=RED_FONT,
            border=None,
        )

    # 三、出席情况
    row = _section(sheet, row + 2, "三、出席情况")
    sheet.row(
        row, ("会议次数", "应到人次", "实到人次", "请假人次", "缺席人次"), font=style.HEADER_FONT
    )
    sheet.put(row, 6, "出席率", span=2, font=style.HEADER_FONT)
    row += 1
    att = ret.attendance
    sheet.row(row, (ret.meetings_held, att.expected, att.present, att.leave, att.absent))
    _rate(sheet, row, 6, att.rate, span=2)
    row += 1
    sheet.put(
        row,
        1,
        "注：出席率 = 实到人次 ÷ 应到人次。",
        span=sheet.columns,
        alignment=LEFT,
        border=None,
    )

    # 四、党员活动
    row = _section(sheet, row + 2, "四、党员活动")
    totals = ret.activity_totals
    sheet.row(row, ("活动次数", "参与人次"), font=style.HEADER_FONT)
    sheet.put(row, 3, "服务时长（小时）", span=2, font=style.HEADER_FONT)
    sheet.put(row, 5, "按类型", span=3, font=style.HEADER_FONT)
    row += 1
    sheet.row(row, (totals.activities, totals.participations))
    sheet.put(row, 3, totals.hours, span=2, number_format=HOURS_FORMAT)
    by_kind = Counter(a.kind for a in ret.activities)
    sheet.put(
        row,
        5,
        "、".join(f"{kind} {count} 次" for kind, count in by_kind.items()) or "本期无活动",
        span=3,
        alignment=LEFT,
    )

    # Signatures, filled in by hand after printing.
    row += 2
    for left, right in (("填报人：", "联系电话："), ("填报日期：", "支部书记（签字）：")):
        row += 1
        sheet.put(row, 1, left, alignment=RIGHT, border=None)
        sheet.put(row, 2, "", border=UNDERLINE)
        sheet.put(row, 3, right, span=3, alignment=RIGHT, border=None)
        sheet.put(row, 6, "", span=2, border=UNDERLINE)
        ws.row_dimensions[row].height = 30

    ws.freeze_panes = "A3"
    style.setup_a4_print(ws, landscape=True, title_rows="1:2")
    # The 汇总 is the page that gets signed: keep it on one sheet of paper.
    ws.page_setup.fitToHeight = 1
    sheet.fit_heights()


# 会议明细 ----------------------------------------------------------------------------

_MEETING_WIDTH_CAPS = {"主题": 28, "请假人员及事由": 24, "缺席人员及事由": 24, "补学情况": 26}
# "到会过半" is as wide as its longest value (``无效（12/25）``), never wrapped.
_MEETING_WRAP = set(_MEETING_WIDTH_CAPS)


def _write_meetings(ws: Worksheet, ret: BranchReturn) -> None:
    rows = [
        (
            index,
            m.kind_label,
            m.day,
            m.title,
            m.host,
            m.recorder,
            m.counts.expected,
            m.counts.present,
            m.counts.leave,
            m.counts.absent,
            m.counts.rate,
            m.leave_people,
            m.absent_people,
            m.makeup,
            m.quorum.short() if m.quorum else "",
        )
        for index, m in enumerate(ret.meetings, start=1)
    ]
    widths = _widths(MEETING_HEADERS, rows, _MEETING_WIDTH_CAPS, minimum=6)
    widths[2] = 16  # dates: 2026年11月10日
    sheet = _Sheet(ws, widths)
    header_row = _heading(
        sheet,
        f"{ret.branch.name} {period_heading(ret)} 会议明细",
        _subtitle(ret, f"共 {len(rows)} 次会议"),
    )
    sheet.row(header_row, MEETING_HEADERS, font=style.HEADER_FONT)
    columns = [
        _Column(number_format=PERCENT_FORMAT)
        if header == "出席率"
        else _Column(LEFT if header in _MEETING_WRAP else style.CENTER)
        for header in MEETING_HEADERS
    ]
    row = sheet.table(header_row + 1, rows, columns)
    quorum_column = MEETING_HEADERS.index("到会过半") + 1
    for offset, meeting in enumerate(ret.meetings):
        if meeting.quorum is not None and not meeting.quorum.valid:
            ws.cell(row=header_row + 1 + offset, column=quorum_column).font = RED_FONT
    if not rows:
        sheet.put(row, 1, "本期无已召开的会议", span=sheet.columns)
    else:
        att = ret.attendance
        sheet.put(row, 1, "合计", span=6, font=style.HEADER_FONT)
        for column, value in enumerate((att.expected, att.present, att.leave, att.absent), start=7):
            sheet.put(row, column, value, font=style.HEADER_FONT)
        _rate(sheet, row, 11, att.rate, font=style.HEADER_FONT)
        sheet.put(row, 12, "", span=4)
        if any(m.quorum for m in ret.meetings):
            sheet.put(
                row + 1,
                1,
                "注：到会过半——支部党员大会为实到 / 应到有表决权党员（正式党员，预备党员无表决权），"
                "支委会为实到 / 应到支委；超过半数会议有效，恰好半数无效。",
                span=sheet.columns,
                alignment=LEFT,
                border=None,
            )
    _finish_table_sheet(sheet, header_row)


# 党员参加情况 -------------------------------------------------------------------------


def _write_members(ws: Worksheet, ret: BranchReturn) -> None:
    rows = [
        (
            m.name,
            m.group,
            m.category,
            m.expected,
            m.present,
            m.leave,
            m.absent,
            m.made_up,
            m.rate,
            m.activities,
            m.hours,
        )
        for m in ret.member_rows
    ]
    widths = _widths(MEMBER_HEADERS, rows, {"姓名": 22, "党小组": 16}, minimum=8)
    sheet = _Sheet(ws, widths)
    header_row = _heading(
        sheet,
        f"{ret.branch.name} {period_heading(ret)} 党员参加组织生活情况",
        _subtitle(ret, f"共 {len(rows)} 人"),
    )
    sheet.row(header_row, MEMBER_HEADERS, font=style.HEADER_FONT)
    columns = [
        _Column(
            number_format={"参与率": PERCENT_FORMAT, "服务时长": HOURS_FORMAT}.get(
                header, "General"
            )
        )
        for header in MEMBER_HEADERS
    ]
    row = sheet.table(header_row + 1, rows, columns)
    if not rows:
        sheet.put(row, 1, "本期无党员记录", span=sheet.columns)
    else:
        sums = [sum(r[i] for r in rows) for i in range(3, 8)]
        sheet.put(row, 1, "合计", span=3, font=style.HEADER_FONT)
        for column, value in enumerate(sums, start=4):
            sheet.put(row, column, value, font=style.HEADER_FONT)
        _rate(sheet, row, 9, sums[1] / sums[0] if sums[0] else None, font=style.HEADER_FONT)
        sheet.put(row, 10, sum(r[9] for r in rows), font=style.HEADER_FONT)
        sheet.put(
            row,
            11,
            round(sum(r[10] for r in rows), 2),
            font=style.HEADER_FONT,
            number_format=HOURS_FORMAT,
        )
        row += 1
        sheet.put(
            row,
            1,
            "注：应参加为本期已召开会议中该党员应到的次数；参与率 = 实参加 ÷ 应参加；"
            "服务时长单位为小时。",
            span=sheet.columns,
            alignment=LEFT,
            border=None,
        )
    _finish_table_sheet(sheet, header_row)


# 党员活动 -----------------------------------------------------------------------------

_ACTIVITY_WIDTH_CAPS = {"活动名称": 28, "地点": 20, "参加人员": 44}


def _write_activities(ws: Worksheet, ret: BranchReturn) -> None:
    rows = [
        (
            index,
            a.day,
            a.end_day,
            a.kind,
            a.title,
            a.place,
            a.participants,
            a.names,
            a.hours,
        )
        for index, a in enumerate(ret.activities, start=1)
    ]
    widths = _widths(ACTIVITY_HEADERS, rows, _ACTIVITY_WIDTH_CAPS, minimum=6)
    widths[1] = widths[2] = 16  # dates: 2026年11月10日
    sheet = _Sheet(ws, widths)
    totals = ret.activity_totals
    header_row = _heading(
        sheet,
        f"{ret.branch.name} {period_heading(ret)} 党员活动",
        _subtitle(
            ret,
            f"活动 {totals.activities} 次，参与 {totals.participations} 人次，"
            f"服务 {format_hours(totals.hours)} 小时",
        ),
    )
    sheet.row(header_row, ACTIVITY_HEADERS, font=style.HEADER_FONT)
    columns = [
        _Column(number_format=HOURS_FORMAT)
        if header == "服务时长"
        else _Column(LEFT if header in _ACTIVITY_WIDTH_CAPS else style.CENTER)
        for header in ACTIVITY_HEADERS
    ]
    row = sheet.table(header_row + 1, rows, columns)
    if not rows:
        sheet.put(row, 1, "本期无党员活动", span=sheet.columns)
    else:
        sheet.put(row, 1, "合计", span=6, font=style.HEADER_FONT)
        sheet.put(row, 7, totals.participations, font=style.HEADER_FONT)
        sheet.put(row, 8, "", font=style.HEADER_FONT)
        sheet.put(row, 9, totals.hours, font=style.HEADER_FONT, number_format=HOURS_FORMAT)
        row += 1
        sheet.put(
            row,
            1,
            "注：服务时长单位为小时。",
            span=sheet.columns,
            alignment=LEFT,
            border=None,
        )
    _finish_table_sheet(sheet, header_row)


def _widths(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    caps: dict[str, int],
    *,
    minimum: int,
) -> list[float]:
    def shown(value: Any) -> Any:
        if isinstance(value, float):
            return f"{value * 100:.1f}%" if value <= 1 else f"{value:g}"
        if isinstance(value, dt.date):
            return style.date_shown(value)
        return "" if value is None else value

    widths = style.column_widths(
        [list(headers), *[[shown(v) for v in r] for r in rows]],
        minimum=minimum,
        maximum=[caps.get(header, 60) for header in headers],
    )
    for index, header in enumerate(headers):
        if header in caps:
            widths[index] = max(widths[index], 10)
    return [float(w) for w in widths]


__all__ = [
    "DATA_SHEET",
    "ExportError",
    "build_return_workbook",
    "default_return_filename",
    "flatten_figures",
    "return_title",
    "save_workbook",
    "unfinished_notice",
    "write_data_sheet",
    "write_return",
]
