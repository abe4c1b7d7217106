"""A member's year (党员档案) as a printable .xlsx, for the annual review (民主评议党员).

One A4 sheet: the member's details, the year's totals, every meeting they were expected
at with attendance and 补学 (make-up study), and every activity with their hours. The ID
number and phone are masked: this copy goes into review files other people read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet
from sqlite_utils import Database

from branchdesk.domain.dates import PartialDate
from branchdesk.domain.meetings import AttendanceStatus, Makeup
from branchdesk.domain.member_record import MemberYear
from branchdesk.domain.members import Member
from branchdesk.reports import xlsx_style as style
from branchdesk.reports.roster_export import mask_id_number, mask_phone
from branchdesk.reports.xlsx_save import ExportError, save_workbook
from branchdesk.store.member_record import MemberRecordRepo
from branchdesk.store.members import BranchRepo

SHEET_TITLE = "党员档案"
MEETING_HEADERS = ("序号", "日期", "会议", "主题", "出勤", "事由", "补学")
ACTIVITY_HEADERS = ("序号", "日期", "类型", "活动名称", "时长（小时）")
COLUMNS = len(MEETING_HEADERS)
# Narrow columns also hold the labels of the details and totals grids.
_MIN_WIDTHS = (6, 16, 14, 28, 12, 16, 24)
_MAX_WIDTHS = (6, 16, 18, 44, 12, 24, 30)

__all__ = ["ExportError", "ExportResult", "export_member_record", "write_member_record"]


@dataclass(frozen=True)
class ExportResult:
    path: Path
    meetings: int
    activities: int


def date_text(day: dt.date | None) -> str:
    """``2026年3月20日``, as the sheet's date cells show it."""
    return style.date_shown(day)


def makeup_text(makeup: Makeup) -> str:
    """``2026年3月20日 自学会议精神``: the day and how, whichever was recorded."""
    if not makeup:
        return ""
    return " ".join(part for part in (date_text(makeup.day), makeup.how.strip()) if part)


def member_details(member: Member, *, mask_phone_number: bool = False) -> list[tuple[str, str]]:
    """The header of a member's record as (label, value), ID number masked."""

    def text(value: object) -> str:
        return str(value) if value else ""

    phone = mask_phone(member.phone) if mask_phone_number else member.phone
    return [
        ("姓名", member.name),
        ("性别", member.gender.label if member.gender else ""),
        ("出生日期", text(member.birth_date)),
        ("身份证号", mask_id_number(member.id_number)),
        ("入党时间", text(member.join_date)),
        ("转正时间", text(member.full_date)),
        ("党员类别", member.category.label),
        ("党小组", member.group_name),
        ("支委职务", "、".join(role.label for role in member.roles)),
        ("联系电话", phone),
        ("状态", member.status.label),
    ]


def totals_text(record: MemberYear) -> str:
    """The one-line summary the dialog, the printout and the sheet share."""
    return (
        f"应参加 {record.expected} 次，实参加 {record.present} 次，请假 {record.leave} 次，"
        f"缺席 {record.absent} 次，参与率 {record.rate_text()}，补学 {record.made_up} 次，"
        f"活动 {record.activity_count} 次，服务 {record.hours_text()} 小时"
    )


def _totals(record: MemberYear) -> list[tuple[str, int | float | None, str]]:
    """(label, number, number format) of the totals grid; the rate is None when nothing was due."""
    return [
        ("应参加（次）", record.expected, "0"),
        ("实参加（次）", record.present, "0"),
        ("请假（次）", record.leave, "0"),
        ("缺席（次）", record.absent, "0"),
        ("参与率", record.rate, "0.0%"),
        ("补学（次）", record.made_up, "0"),
        ("活动次数", record.activity_count, "0"),
        ("服务时长（小时）", record.hours, "0.##"),
    ]


def _meeting_rows(record: MemberYear) -> list[list[object]]:
    return [
        [
            index,
            line.day,
            line.kind_label,
            line.title,
            line.status.label,
            line.reason,
            makeup_text(line.makeup) if line.status is not AttendanceStatus.PRESENT else "",
        ]
        for index, line in enumerate(record.meetings, start=1)
    ]


def _activity_rows(record: MemberYear) -> list[list[object]]:
    return [
        [index, line.day, line.kind, line.title, line.hours]
        for index, line in enumerate(record.activities, start=1)
    ]


def _widths(rows: Sequence[Sequence[object]]) -> list[int]:
    shown = [[style.date_shown(v) if isinstance(v, dt.date) else v for v in r] for r in rows]
    fitted = style.column_widths(shown, minimum=4, maximum=60)
    fitted += [4] * (COLUMNS - len(fitted))
    return [
        max(low, min(width, high))
        for width, low, high in zip(fitted, _MIN_WIDTHS, _MAX_WIDTHS, strict=True)
    ]


def _merged_text(
    ws: Worksheet,
    row: int,
    first: int,
    last: int,
    value: object,
    *,
    font: Font = style.BODY_FONT,
    alignment: Alignment = style.LEFT,
) -> None:
    """Write a bordered text cell spanning columns ``first``..``last``."""
    style.write_text(ws, row, first, value, font=font, alignment=alignment)
    _merge_boxed(ws, row, first, last)


def _merge_boxed(ws: Worksheet, row: int, first: int, last: int) -> None:
    # A merged range shows the borders of every cell it covers, so box them all.
    for column in range(first + 1, last + 1):
        ws.cell(row=row, column=column).border = style.BORDER
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)


def _section(ws: Worksheet, row: int, text: str) -> int:
    style.write_text(
        ws, row, 1, text, font=style.HEADER_FONT, alignment=style.LEFT_NOWRAP, border=None
    )
    ws.row_dimensions[row].height = 24
    return row + 1


# Label and value spans of the two pairs on each row of the details and totals grids.
_PAIRS = ((1, 2, 3, 4), (5, 5, 6, 7))


def _pairs_grid(ws: Worksheet, row: int, items: Sequence[tuple[str, object, str]]) -> int:
    """Write (label, value, number format) two to a row; return the next free row."""
    for offset in range(0, len(items), 2):
        for (label_a, label_b, value_a, value_b), item in zip(
            _PAIRS, items[offset : offset + 2], strict=False
        ):
            label, value, number_format = item
            _merged_text(
                ws, row, label_a, label_b, label, font=style.HEADER_FONT, alignment=style.CENTER
            )
            if isinstance(value, int | float):
                cell = style.write_number(ws, row, value_a, value)
                cell.number_format = number_format
                _merge_boxed(ws, row, value_a, value_b)
            elif isinstance(value, PartialDate):  # a date cell: 1964年2月16日 or 2016年7月
                style.write_date(ws, row, value_a, value)
                _merge_boxed(ws, row, value_a, value_b)
            else:
                shown = "—" if value is None else value
                _merged_text(ws, row, value_a, value_b, shown, alignment=style.CENTER)
        if len(items) - offset == 1:  # an odd item out: box the empty pair too
            label_a, _label_b, _value_a, value_b = _PAIRS[1]
            for column in range(label_a, value_b + 1):
                ws.cell(row=row, column=column).border = style.BORDER
        ws.row_dimensions[row].height = 22
        row += 1
    return row


def _table(
    ws: Worksheet,
    row: int,
    headers: Sequence[str],
    rows: list[list[object]],
    widths: Sequence[int],
    empty: str,
) -> int:
    style.write_header(ws, row, headers)
    row += 1
    if not rows:
        _merged_text(ws, row, 1, len(headers), empty, alignment=style.CENTER)
        ws.row_dimensions[row].height = 22
        return row + 1
    for values in rows:
        lines = 1
        for column, value in enumerate(values, start=1):
            if isinstance(value, int | float):
                cell = style.write_number(ws, row, column, value)
                if column > 1:
                    cell.number_format = "0.##"
                continue
            if isinstance(value, dt.date):
                style.write_date(ws, row, column, value)
                continue
            centred = headers[column - 1] in ("日期", "出勤")
            style.write_text(
                ws, row, column, value, alignment=style.CENTER if centred else style.LEFT
            )
            if value:
                lines = max(lines, style.line_count(str(value), widths[column - 1]))
        ws.row_dimensions[row].height = 18 * lines + 4
        row += 1
    return row


def build_member_record_workbook(
    record: MemberYear, branch_name: str, *, today: dt.date
) -> Workbook:
    """Lay out one member's year on one A4 sheet."""
    workbook = Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = SHEET_TITLE
    member = record.member
    meeting_rows = _meeting_rows(record)
    activity_rows = _activity_rows(record)
    widths = _widths([MEETING_HEADERS, *meeting_rows, ACTIVITY_HEADERS, *activity_rows])
    style.apply_column_widths(ws, widths)

    style.write_title(ws, f"党员参加组织生活和党员活动情况（{record.year}年度）", COLUMNS)
    subtitle = f"党支部：{branch_name}" if branch_name else ""
    subtitle += f"{'    ' if subtitle else ''}导出日期：{today.year}年{today.month}月{today.day}日"
    style.write_text(
        ws, 2, 1, subtitle, font=style.SUBTITLE_FONT, alignment=style.LEFT_NOWRAP, border=None
    )
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=COLUMNS)

    row = _section(ws, 4, "一、基本情况")
    dates = {"出生日期": member.birth_date, "入党时间": member.join_date, "转正时间": member.full_date}
    details: list[tuple[str, object, str]] = [
        (label, dates.get(label) or value, "@")
        for label, value in member_details(member, mask_phone_number=True)
    ]
    row = _pairs_grid(ws, row, details)

    row = _section(ws, row + 1, f"二、{record.year}年度统计")
    row = _pairs_grid(ws, row, _totals(record))

    row = _section(ws, row + 1, f"三、应参加的会议（{record.expected} 次）")
    row = _table(ws, row, MEETING_HEADERS, meeting_rows, widths, "本年度没有应参加的会议")

    title = f"四、参加的党员活动（{record.activity_count} 次，{record.hours_text()} 小时）"
    row = _section(ws, row + 1, title)
    _table(ws, row, ACTIVITY_HEADERS, activity_rows, widths, "本年度没有登记参加的党员活动")

    style.setup_a4_print(ws, landscape=False)
    return workbook


def write_member_record(
    record: MemberYear,
    path: Path | str,
    *,
    branch_name: str = "",
    today: dt.date | None = None,
    data_dir: Path | None = None,
) -> ExportResult:
    """Write the record to ``path`` atomically; the old file survives any failure."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ExportError(f"导出文件“{path.name}”的扩展名应为 .xlsx")
    if not path.parent.is_dir():
        raise ExportError(f"文件夹“{path.parent}”不存在，无法导出")
    workbook = build_member_record_workbook(record, branch_name, today=today or dt.date.today())
    save_workbook(workbook, path, data_dir=data_dir)
    return ExportResult(path=path, meetings=len(record.meetings), activities=len(record.activities))


def export_member_record(
    db: Database,
    member_id: int,
    year: int,
    path: Path | str,
    *,
    today: dt.date | None = None,
    data_dir: Path | None = None,
) -> ExportResult:
    """Read a member's year from the database and write it to ``path``."""
    branch = BranchRepo(db).get()
    record = MemberRecordRepo(db).year(member_id, year)
    return write_member_record(
        record, path, branch_name=branch.name if branch else "", today=today, data_dir=data_dir
    )
