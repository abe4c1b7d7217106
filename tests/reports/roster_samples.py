"""Rosters as branches really keep them, built with openpyxl for the import tests."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from branchdesk.domain.validation import id_check_character


def make_id(birth: str, sequence: str = "123", area: str = "141002") -> str:
    """A valid 18-character ID number; an odd last ``sequence`` digit means male."""
    first17 = f"{area}{birth}{sequence}"
    return first17 + id_check_character(first17)


WANG_FANG_ID = make_id("19900101", "124")  # female
MAIMAITI_ID = make_id("19850315", "131")  # male
LI_HUA_ID = "11010519491231002X"  # the standard's own example, female
ZHAO_LEI_ID = make_id("19800808", "015")  # male
ZHENG_ID = make_id("20000520", "046")  # female, but the file says 男
ORPHAN_ID = make_id("19750101", "017")
BAD_CHECK_ID = WANG_FANG_ID[:-1] + ("0" if WANG_FANG_ID[-1] != "0" else "1")

MESSY_HEADER = (
    "序号",
    "姓  名",
    "公民身份号码",
    "性别",
    "民族",
    "出生年月",
    "文化程度",
    "加入党组织日期",
    "转正日期",
    "人员类别",
    "所在党小组",
    "手机号码",
    "工作单位",
    "备注",
)


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if ch.isascii() and ch.isalnum() else ch for ch in text)


# Excel row -> cells (in MESSY_HEADER order). Rows 1-3 are title, 填报单位 and header.
MESSY_ROWS: dict[int, Sequence[Any]] = {
    4: (
        1,
        "王　芳",
        WANG_FANG_ID,
        "女",
        "汉族",
        "1990.01",
        "本科",
        dt.datetime(2015, 7, 1),
        "2016年7月1日",
        "正式党员",
        "第一党小组",
        "138 1234 5678",
        "社区\ufeff居委会主任",
        None,
    ),
    5: (
        2,
        "买买提•艾力",
        MAIMAITI_ID.lower(),
        "男",
        "维吾尔族",
        "1985/3/15",
        "大专",
        "2010-07-01",
        "2011.07.01",
        "正式",
        "第二党小组",
        13912345678,
        "个体经营",
        None,
    ),
    7: (
        3,
        "李 华",
        _fullwidth(LI_HUA_ID),
        "女",
        "汉族",
        19491231,
        "初中",
        "20190701",
        "2020.07",
        "正式",
        "第一党小组",
        None,
        "退休",
        None,
    ),
    8: (
        4,
        "赵磊",
        ZHAO_LEI_ID,
        "男",
        "汉族",
        None,
        "硕士研究生",
        2019.1,
        43647,
        "正式",
        "第二党小组",
        "0357-2345678",
        "市第一中学 教师",
        None,
    ),
    9: (
        5,
        "钱七",
        141002199001011240,
        "男",
        "汉族",
        None,
        None,
        None,
        None,
        "正式",
        None,
        None,
        None,
        None,
    ),
    10: (
        6,
        "孙八",
        BAD_CHECK_ID,
        "男",
        "汉族",
        None,
        None,
        None,
        None,
        "正式",
        None,
        None,
        None,
        None,
    ),
    11: (
        7,
        "周九",
        WANG_FANG_ID,
        "女",
        "汉族",
        None,
        None,
        None,
        None,
        "正式",
        None,
        None,
        None,
        None,
    ),
    12: (
        8,
        None,
        ORPHAN_ID,
        "男",
        "汉族",
        None,
        None,
        None,
        None,
        "正式",
        None,
        None,
        None,
        "没写名字",
    ),
    13: (
        9,
        "吴十",
        None,
        "男",
        "汉族",
        "1970年5月",
        "高中",
        "1995.06",
        "1996.06",
        "正式",
        "第三党小组",
        None,
        None,
        "=1+1",
    ),
    14: (
        10,
        "郑一",
        ZHENG_ID,
        "男",
        "回族",
        None,
        "本科",
        "2017-06-01",
        None,
        "预备党员",
        "第三党小组",
        None,
        None,
        None,
    ),
    16: (
        "合计",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        "共 10 人",
    ),
}
MESSY_ADDED_ROWS = [4, 5, 7, 8, 13, 14]
MESSY_ADDED_NAMES = ["王芳", "买买提·艾力", "李华", "赵磊", "吴十", "郑一"]
MESSY_SKIPPED = {
    9: ("钱七", "身份证号被保存成了数字，后几位已丢失，请把该列设为文本后重新填写"),
    10: ("孙八", "校验位"),
    11: ("周九", "与第 4 行重复"),
    12: ("", "姓名"),
}
MESSY_WARNINGS = {(8, "入党时间"), (14, "性别"), (14, "入党时间")}


def write_messy_roster(path: Path, rows: dict[int, Sequence[Any]] | None = None) -> Path:
    """A roster with a merged title, a 填报单位 line, shuffled synonyms and every mess we know."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "花名册"
    ws["A1"] = "某某社区第一党支部党员花名册"
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(MESSY_HEADER))
    ws["A2"] = "填报单位：某某社区党委"
    ws["H2"] = "填报日期：2024年3月"
    for column, label in enumerate(MESSY_HEADER, start=1):
        ws.cell(row=3, column=column, value=label)
    for number, values in (rows or MESSY_ROWS).items():
        for column, value in enumerate(values, start=1):
            cell = ws.cell(row=number, column=column)
            cell.value = value
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # typed as text in Excel, not a formula
    wb.save(path)
    return path


STANDARD_HEADER = (
    "姓名",
    "性别",
    "身份证号",
    "出生日期",
    "入党时间",
    "转正时间",
    "党员类别",
    "党小组",
    "联系电话",
    "工作单位及职务",
    "备注",
)


def write_roster(
    path: Path, rows: Sequence[Sequence[Any]], header: Sequence[str] = STANDARD_HEADER
) -> Path:
    """A plain roster: header in row 1, one member per row from row 2."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(header))
    for values in rows:
        ws.append(list(values))
    wb.save(path)
    return path


def wps_xlsx(path: Path, title: str, rows: Sequence[Sequence[str]], *, numbered: bool = False) -> Path:
    """What WPS 表格 writes: inline strings, no sharedStrings part, its own app.xml.

    ``numbered`` adds, after each row's text cells, a number cell (its row number less one).
    """
    from xml.sax.saxutils import escape

    def letter(i: int) -> str:
        return chr(65 + i)

    def row(number: int, cells: Sequence[str]) -> str:
        out = "".join(
            f'<c r="{letter(i)}{number}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'
            for i, text in enumerate(cells)
            if text is not None
        )
        if numbered:
            out += f'<c r="{letter(len(cells))}{number}"><v>{number - 1}</v></c>'
        return f'<row r="{number}" spans="1:{len(cells)}">{out}</row>'

    width = max(len(r) for r in rows) + (1 if numbered else 0)
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheetPr/><dimension ref="A1:{letter(width - 1)}{len(rows)}"/><sheetData>'
        + "".join(row(n, cells) for n, cells in enumerate(rows, start=1))
        + "</sheetData></worksheet>"
    )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override '
            'PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.extended-properties+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
            'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats'
            '.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>'
            "</Relationships>"
        ),
        "docProps/app.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Properties xmlns="http://schemas.'
            'openxmlformats.org/officeDocument/2006/extended-properties"><Application>WPS 表格'
            "</Application></Properties>"
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats'
            '.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
            f'officeDocument/2006/relationships"><sheets><sheet name="{escape(title)}" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
            'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path
