"""Export the 党员花名册 as a printable .xlsx that BranchDesk can also read back unchanged."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from sqlite_utils import Database

from branchdesk.domain.dates import PartialDate
from branchdesk.domain.members import Member
from branchdesk.domain.privacy import mask_id_number, mask_phone
from branchdesk.reports import xlsx_style as style
from branchdesk.reports.xlsx_save import ExportError, save_workbook
from branchdesk.store.members import BranchRepo, MemberRepo

HEADERS = (
    "序号",
    "姓名",
    "性别",
    "民族",
    "出生日期",
    "身份证号",
    "学历",
    "入党时间",
    "转正时间",
    "党员类别",
    "党小组",
    "联系电话",
    "工作单位及职务",
    "状态",
    "支委职务",
    "备注",
)
_WIDE_COLUMNS = {"工作单位及职务": 30, "备注": 30}  # wrap beyond this width
HEADER_ROW = 3


@dataclass(frozen=True)
class ExportResult:
    path: Path
    members: int


def _row(index: int, member: Member, full: bool) -> list[object]:
    """One member's cells; dates stay ``PartialDate`` and become date cells."""

    def date(value: PartialDate | None) -> PartialDate | str:
        return value if value else ""

    id_number = member.id_number if full else mask_id_number(member.id_number)
    phone = member.phone if full else mask_phone(member.phone)
    return [
        index,
        member.name,
        member.gender.label if member.gender else "",
        member.ethnicity,
        date(member.birth_date),
        id_number,
        member.education,
        date(member.join_date),
        date(member.full_date),
        member.category.label,
        member.group_name,
        phone,
        member.workplace,
        member.status.label,
        "、".join(role.label for role in member.roles),
        member.notes,
    ]


def build_roster_workbook(
    branch_name: str, members: list[Member], *, full: bool, today: dt.date
) -> Workbook:
    """Lay out the roster sheet: title, export date, header, one bordered row per member."""
    workbook = Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = "党员花名册"
    columns = len(HEADERS)
    style.write_title(ws, f"{branch_name}党员花名册" if branch_name else "党员花名册", columns)
    subtitle = f"导出日期：{today.year}年{today.month}月{today.day}日    共 {len(members)} 人"
    style.write_text(
        ws, 2, 1, subtitle, font=style.SUBTITLE_FONT, alignment=style.LEFT_NOWRAP, border=None
    )
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=columns)
    style.write_header(ws, HEADER_ROW, HEADERS)

    rows = [_row(index, member, full) for index, member in enumerate(members, start=1)]
    shown = [
        [style.date_shown(v) if isinstance(v, PartialDate) else v for v in row] for row in rows
    ]
    widths = style.column_widths([HEADERS, *shown], minimum=6, maximum=60)
    for position, header in enumerate(HEADERS):
        if header in _WIDE_COLUMNS:
            widths[position] = min(widths[position], _WIDE_COLUMNS[header])
    style.apply_column_widths(ws, widths)

    for offset, values in enumerate(rows):
        number = HEADER_ROW + 1 + offset
        lines = 1
        for column, value in enumerate(values, start=1):
            if isinstance(value, int):
                style.write_number(ws, number, column, value)
                continue
            if isinstance(value, PartialDate):  # a date cell: 1964年2月16日, or 2016年7月
                style.write_date(ws, number, column, value)
                continue
            header = HEADERS[column - 1]
            alignment = style.LEFT if header in _WIDE_COLUMNS else style.CENTER
            style.write_text(ws, number, column, value, alignment=alignment)
            if value:
                lines = max(lines, style.line_count(str(value), widths[column - 1]))
        ws.row_dimensions[number].height = 18 * lines

    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1).coordinate
    style.setup_a4_print(ws, landscape=True, title_rows=f"1:{HEADER_ROW}")
    return workbook


def export_roster(
    db: Database,
    path: Path | str,
    *,
    full: bool = True,
    include_left: bool = False,
    data_dir: Path | None = None,
    today: dt.date | None = None,
) -> ExportResult:
    """Write the roster to ``path`` atomically; the old file survives any failure.

    ``full=False`` masks ID numbers and phones (for copies that leave the branch);
    ``include_left`` adds members who transferred out, died or left.
    """
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ExportError(f"导出文件“{path.name}”的扩展名应为 .xlsx")
    if not path.parent.is_dir():
        raise ExportError(f"文件夹“{path.parent}”不存在，无法导出")
    branch = BranchRepo(db).get()
    members = MemberRepo(db).list(include_left=include_left)
    workbook = build_roster_workbook(
        branch.name if branch else "", members, full=full, today=today or dt.date.today()
    )
    save_workbook(workbook, path, data_dir=data_dir)
    return ExportResult(path=path, members=len(members))
