"""Roster layouts as branches really send them, for the import tests.

Each layout follows a public convention (the national 全国党员管理信息系统's 党员基本信息汇总表,
exports and templates of open-source party-building systems, hand-made 花名册) and is filled
with invented people whose ID numbers carry valid check digits. ``LAYOUTS`` pairs the
builder with exactly what an import must make of the file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from reports.ole_samples import encrypted_xlsx, xls_workbook
from reports.roster_samples import make_id, wps_xlsx

from branchdesk.domain.dates import PartialDate
from branchdesk.domain.members import Category, MemberStatus, Role

TODAY = dt.date(2026, 12, 2)
D = dt.datetime

# Invented people. make_id(birth, sequence): an odd last sequence digit means male.
ZHANG_WEI = make_id("19790314", "011")
LIU_YANG = make_id("19850620", "022")
CHEN_JING = make_id("19920205", "042")
YANG_FAN = make_id("20010911", "033")
HUANG_LEI = make_id("19680101", "055")
ZHOU_MIN = make_id("19950717", "064")
WU_QIANG = make_id("19880808", "071")
XU_LI = make_id("19990101", "082")
SUN_HAO = make_id("20030315", "091")
MA_LIN = make_id("19750505", "102")
HU_JUN = make_id("19600229", "113")
GUO_YAN = make_id("19970412", "124")


@dataclass
class Expected:
    """What importing a layout must give, exactly."""

    members: dict[str, dict[str, Any]]  # name -> the attributes checked
    non_members: set[tuple[str, str]] = field(default_factory=set)  # (name, stage)
    skipped: dict[int, str] = field(default_factory=dict)  # row -> words of the reason
    unused_columns: dict[str, str] = field(default_factory=dict)  # header -> words of the reason
    ignored: dict[int, str] = field(default_factory=dict)  # row -> words of the reason
    sheets: list[tuple[str, bool]] | None = None  # (title, read)
    warnings: set[tuple[int, str]] | None = None  # (row, field); None: not checked
    password: str | None = None  # the workbook's opening password


def _save(wb: Workbook, path: Path) -> Path:
    wb.save(path)
    return path


def national_two_row(path: Path) -> Path:
    """党员基本信息汇总表: title in A1, 联系电话 spanning 手机号/固定电话, real date cells."""
    wb = Workbook()
    ws = wb.active
    ws.title = "党员基本信息"
    ws["A1"] = "党员基本信息汇总表"
    ws.merge_cells("A1:U1")
    top = [
        "序号", "姓名", "所在党支部", "公民身份证号", "性别", "民族", "出生日期", "学历",
        "人员类别", "加入党组织日期", "转为正式党员日期", "工作岗位", "联系电话", None,
        "家庭住址", "党籍状态", "是否为失联党员", "失去联系日期", "是否为流动党员", "外出流向",
        "备注",
    ]  # fmt: skip
    ws.append(top)
    sub = [None] * 21
    sub[12], sub[13] = "手机号", "固定电话"
    ws.append(sub)
    ws.merge_cells("M2:N2")
    for column in "ABCDEFGHIJKLOPQRSTU":
        ws.merge_cells(f"{column}2:{column}3")
    branch = "第一党支部"
    rows = [
        (1, "张伟", branch, ZHANG_WEI, "男", "汉族", D(1979, 3, 14), "大学本科", "在岗职工",
         D(2005, 6, 28), D(2006, 6, 28), "车间主任", "13800000001", "0351-1234567",
         "某市某区某街1号", "正常", "否", None, "否", None, None),
        (2, "刘洋", branch, LIU_YANG, "女", "汉族", D(1985, 6, 20), "硕士研究生", "在岗职工",
         D(2026, 5, 20), None, "技术员", "13800000002", None, None, "正常", "否", None, "否",
         None, None),
        (3, "黄磊", branch, HUANG_LEI, "男", "回族", D(1968, 1, 1), "高中", "离退休人员",
         D(1990, 7, 1), D(1991, 7, 1), None, None, "0351-7654321", None, "正常", "是",
         D(2025, 3, 1), "否", None, "多次联系未果"),
        (4, "周敏", branch, ZHOU_MIN, "女", "汉族", D(1995, 7, 17), "大学本科", "在岗职工",
         D(2018, 6, 1), D(2019, 6, 1), "会计", "13800000004", None, None, "正常", "否", None,
         "是", "广东省深圳市", None),
        (5, "吴强", branch, WU_QIANG, "男", "汉族", D(1988, 8, 8), "大专", "在岗职工",
         D(2012, 1, 10), D(2013, 1, 10), "司机", "13800000005", None, None, "停止党籍", "否",
         None, "否", None, None),
    ]  # fmt: skip
    for row in rows:
        ws.append(row)
    return _save(wb, path)


NATIONAL = Expected(
    members={
        "张伟": {"category": Category.FULL, "birth_date": PartialDate(1979, 3, 14),
                 "phone": "13800000001", "notes": "固定电话：0351-1234567",
                 "workplace": "车间主任", "status": MemberStatus.ACTIVE},
        "刘洋": {"category": Category.PROBATIONARY, "full_date": None},  # joined 2026-05
        "黄磊": {"category": Category.FULL, "status": MemberStatus.LOST,
                 "status_date": PartialDate(2025, 3, 1), "phone": "0351-7654321",
                 "notes": "多次联系未果", "ethnicity": "回族"},
        "周敏": {"status": MemberStatus.FLOWING, "notes": "外出流向：广东省深圳市"},
        "吴强": {"status": MemberStatus.SUSPENDED, "join_date": PartialDate(2012, 1, 10)},
    },
    unused_columns={
        "序号": "序号",
        "所在党支部": "所在支部",
        "人员类别": "人员类别",
        "家庭住址": "没有此项",
    },
    ignored={1: "标题"},
    # 刘洋: no 转正 date, joined this year: 预备, said so; 吴强: 停止党籍 without its date.
    warnings={(5, "党员类别"), (8, "状态")},  # 刘洋: no 转正 date, joined this year: 预备, said so
)


def political_status_export(path: Path) -> Path:
    """A system export: 政治面貌, 党内职务, dates as "2001.06.28" text."""
    wb = Workbook()
    ws = wb.active
    ws.title = "党员列表"
    ws.append(["序号", "姓名", "性别", "身份证号码", "政治面貌", "入党时间", "转正时间",
               "党内职务", "手机号码", "所在党小组"])  # fmt: skip
    ws.append([1, "陈静", "女", CHEN_JING, "中共党员", "2015.06.28", "2016.06.28", "支部书记",
               "13900000001", "第一党小组"])  # fmt: skip
    ws.append([2, "杨帆", "男", YANG_FAN, "中共预备党员", "2026.04.10", None, "普通党员",
               "13900000002", "第二党小组"])  # fmt: skip
    ws.append([3, "马琳", "女", MA_LIN, "中共党员", "2001.06.28", "2002.06.28", "组织委员",
               None, "第一党小组"])  # fmt: skip
    ws.append([4, "胡军", "男", HU_JUN, "中共党员", "1985.07.01", "1986.07.01",
               "党支部副书记、宣传委员", None, "第二党小组"])  # fmt: skip
    return _save(wb, path)


POLITICAL = Expected(
    members={
        "陈静": {"category": Category.FULL, "roles": [Role.SECRETARY],
                 "join_date": PartialDate(2015, 6, 28), "group_name": "第一党小组"},
        "杨帆": {"category": Category.PROBATIONARY, "roles": []},
        "马琳": {"roles": [Role.ORGANISATION], "join_date": PartialDate(2001, 6, 28)},
        "胡军": {"roles": [Role.DEPUTY_SECRETARY, Role.PROPAGANDA],
                 "birth_date": PartialDate(1960, 2, 29)},
    },
    unused_columns={"序号": "序号"},
    warnings=set(),  # 普通党员 is no role and no warning
)


def mixed_stages(path: Path) -> Path:
    """A university list: 所处阶段 holds members and people on the way in."""
    wb = Workbook()
    ws = wb.active
    ws.append(["学院党员及入党积极分子名单"])
    ws.append(["序号", "姓名", "性别", "学号", "所处阶段", "入党日期", "转正日期", "党小组"])
    ws.append([1, "许丽", "女", "2019001", "正式党员", "2020-11-20", "2021-11-20", "研究生党小组"])
    ws.append([2, "孙浩", "男", "2022015", "预备党员", "2026-06-01", None, "本科生党小组"])
    ws.append([3, "郭燕", "女", "2022016", "入党积极分子", None, None, None])
    ws.append([4, "李明", "男", "2023001", "申请入党", None, None, None])
    ws.append([5, "王强", "男", "2023002", "发展对象", None, None, None])
    return _save(wb, path)


MIXED = Expected(
    members={
        "许丽": {"category": Category.FULL, "group_name": "研究生党小组"},
        "孙浩": {"category": Category.PROBATIONARY},
    },
    non_members={("郭燕", "入党积极分子"), ("李明", "入党申请人"), ("王强", "发展对象")},
    unused_columns={"序号": "序号", "学号": "未识别"},
    ignored={1: "标题"},
)


def probationary_second_sheet(path: Path) -> Path:
    """正式 members on one sheet, 预备党员信息 on a second, no category column on either."""
    wb = Workbook()
    ws = wb.active
    ws.title = "正式党员"
    ws.append(["序号", "姓名", "性别", "出生年月", "入党时间", "转正时间", "身份证号"])
    ws.append([1, "张伟", "男", "1979.03", "2005.06", "2006.06", ZHANG_WEI])
    ws.append([2, "马琳", "女", "1975.05", "2001.06", "2002.06", MA_LIN])
    probation = wb.create_sheet("预备党员信息")
    probation.append(["序号", "姓名", "性别", "出生年月", "入党时间", "身份证号", "备注"])
    # Joined two years ago and still 预备: an extended probation the dates alone would miss.
    probation.append([1, "吴强", "男", "1988.08", "2024.10", WU_QIANG, "延长预备期一年"])
    probation.append([2, "孙浩", "男", "2003.03", "2026.06", SUN_HAO, None])
    wb.create_sheet("填表说明")["A1"] = "1. 出生年月按 1990.01 格式填写"
    return _save(wb, path)


SECOND_SHEET = Expected(
    members={
        "张伟": {"category": Category.FULL, "birth_date": PartialDate(1979, 3, 14)},
        "马琳": {"category": Category.FULL},
        "吴强": {"category": Category.PROBATIONARY, "notes": "延长预备期一年"},
        "孙浩": {"category": Category.PROBATIONARY},
    },
    unused_columns={"序号": "序号"},
    sheets=[("正式党员", True), ("预备党员信息", True), ("填表说明", False)],
    warnings=set(),  # 1979.03 agrees with the ID's 1979-03-14: no warning
)


def handmade_with_notes(path: Path) -> Path:
    """A hand-kept 花名册: title, 填报单位, 出生年月/何时入党, a 合计 row, notes, empty lines."""
    wb = Workbook()
    ws = wb.active
    ws.title = "花名册"
    ws.append(["某社区党支部党员花名册"])
    ws.append(["填报单位：某社区党委", None, None, None, None, "2026年11月"])
    ws.append(["序号", "姓 名", "性别", "出生年月", "何时入党", "党员类别", "工作单位及职务",
               "身份证号"])  # fmt: skip
    ws.append([1, "周敏", "女", "1995.07", "2018.06", "正式", "社区居委会 主任", ZHOU_MIN])
    ws.append([2, "许丽", "女", "1999.01", "2020.11", "正式", "社区网格员", XU_LI])
    ws.append([3, "杨帆", "男", "2001.09", "2026.04", "预备", "社区志愿者", YANG_FAN])
    ws.append([4])
    ws.append([5])
    ws.append(["合计：3人"])
    ws.append(["注:本表信息截至2026年11月30日"])
    ws.append(["填表人:王秀英", None, None, None, "审核人：李建国"])
    return _save(wb, path)


HANDMADE = Expected(
    members={
        "周敏": {"category": Category.FULL, "workplace": "社区居委会 主任",
                 "join_date": PartialDate(2018, 6)},
        "许丽": {"category": Category.FULL, "birth_date": PartialDate(1999, 1, 1)},
        "杨帆": {"category": Category.PROBATIONARY},
    },
    unused_columns={"序号": "序号"},
    ignored={1: "标题", 2: "标题", 7: "只有序号", 9: "合计", 10: "说明", 11: "说明"},
    warnings=set(),
)


def template_with_notes(path: Path) -> Path:
    """An import template: required markers, notes in brackets, a merged note, a sample row."""
    wb = Workbook()
    ws = wb.active
    ws.append(["*姓名", "*身份证号码（18位）", "性别", "党籍状态（正式党员或预备党员）",
               "入党时间(yyyy-mm-dd)", "转正时间", "党内职务", "联系方式"])  # fmt: skip
    ws.append(["注意：1、红色字段为必填字段；2、日期格式为yyyy-mm-dd；3、请勿修改表头"])
    ws.merge_cells("A2:H2")
    ws.append(["张三（示例）", "110101199003071234", "男", "正式党员", "2015-07-01",
               "2016-07-01", "普通党员", "13000000000"])  # fmt: skip
    ws.append(["黄磊", HUANG_LEI, "男", "正式党员", "1990-07-01", "1991-07-01", "纪检委员",
               "13700000003"])  # fmt: skip
    ws.append(["刘洋", LIU_YANG, "女", "预备党员", "2026-05-20", None, "青年委员", None])
    ws.append(["郭燕", GUO_YAN, "女", "正式党员", "2019-05-04", "预备党员", "统战委员", None])
    return _save(wb, path)


TEMPLATE = Expected(
    members={
        "黄磊": {"category": Category.FULL, "roles": [Role.DISCIPLINE], "phone": "13700000003"},
        "刘洋": {"category": Category.PROBATIONARY, "roles": [Role.YOUTH]},
        "郭燕": {"category": Category.PROBATIONARY, "full_date": None,
                 "roles": [Role.UNITED_FRONT]},
    },
    ignored={2: "说明", 3: "示例"},
    warnings={(6, "党员类别")},  # 正式党员 in one column, 预备党员 in the 转正时间 cell
)


def occupation_and_standing(path: Path) -> Path:
    """人员类别 as 在职/离退休 next to 党员类别; a 转正时间 cell saying 预备党员."""
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "姓名", "性别", "人员类别", "党员类别", "入党时间", "转正时间",
               "职务", "备注"])  # fmt: skip
    ws.append([1, "胡军", "男", "离退休", "正式党员", "1985-07-01", "1986-07-01", "书记", None])
    ws.append([2, "孙浩", "男", "在职", "正式党员", "2026-06-01", "预备党员", "委员", None])
    ws.append([3, "马琳", "女", "在职", "正式党员", "2001-06-28", "2002-06-28", "委员", "组长"])
    return _save(wb, path)


OCCUPATION = Expected(
    members={
        "胡军": {"category": Category.FULL, "roles": [Role.SECRETARY]},
        "孙浩": {"category": Category.PROBATIONARY, "roles": [Role.MEMBER], "full_date": None},
        "马琳": {"category": Category.FULL, "notes": "组长"},
    },
    unused_columns={"序号": "序号", "人员类别": "人员类别"},
    warnings={(3, "党员类别")},
)


def merged_groups(path: Path) -> Path:
    """党小组 merged down the rows of each group, as hand-kept rosters do."""
    wb = Workbook()
    ws = wb.active
    ws.append(["党小组", "序号", "姓名", "性别", "身份证号", "入党时间", "转正时间"])
    ws.append(["第一党小组", 1, "张伟", "男", ZHANG_WEI, "2005.06", "2006.06"])
    ws.append([None, 2, "马琳", "女", MA_LIN, "2001.06", "2002.06"])
    ws.append([None, 3, "吴强", "男", WU_QIANG, "2012.01", "2013.01"])
    ws.append(["第二党小组", 4, "周敏", "女", ZHOU_MIN, "2018.06", "2019.06"])
    ws.append([None, 5, "陈静", "女", CHEN_JING, "2015.06", "2016.06"])
    ws.merge_cells("A2:A4")
    ws.merge_cells("A5:A6")
    return _save(wb, path)


MERGED = Expected(
    members={
        "张伟": {"group_name": "第一党小组"},
        "马琳": {"group_name": "第一党小组"},
        "吴强": {"group_name": "第一党小组"},
        "周敏": {"group_name": "第二党小组"},
        "陈静": {"group_name": "第二党小组"},
    },
    unused_columns={"序号": "序号"},
    warnings=set(),
)


def monthly_return(path: Path) -> Path:
    """A 月报 picked by mistake: a 姓名 column, but attendance, not people."""
    wb = Workbook()
    ws = wb.active
    ws.title = "参会情况"
    ws.append(["2026年11月 组织生活参加情况"])
    ws.append(["序号", "姓名", "党小组", "党员类别", "应参加次数", "实参加次数", "出席率"])
    for i in range(1, 36):
        ws.append([i, f"党员{i:02d}", "第一党小组", "正式", 3, 3, "100%"])
    return _save(wb, path)


def excel97_template(path: Path) -> Path:
    """A genuine Excel 97-2003 .xls template: 出生年月, 何时入党, 何时转正, dates as text and cells."""
    rows = [
        ["党员花名册"],
        ["序号", "姓名", "性别", "民族", "出生年月", "文化程度", "何时入党", "何时转正",
         "现工作单位及职务", "备注"],
        [1, "胡军", "男", "汉族", "1960.02", "中专", "1985.07", "1986.07", "退休", None],
        [2, "周敏", "女", "汉族", "1995.07", "大学", dt.date(2018, 6, 1), dt.date(2019, 6, 1),
         "社区居委会 会计", None],
        [3, "孙浩", "男", "汉族", "2003.03", "大学", "2026.06", "预备党员", "社区网格员", None],
    ]  # fmt: skip
    path.write_bytes(xls_workbook({"Sheet1": rows}))
    return path


EXCEL97 = Expected(
    members={
        "胡军": {"category": Category.FULL, "birth_date": PartialDate(1960, 2),
                 "join_date": PartialDate(1985, 7), "workplace": "退休"},
        "周敏": {"category": Category.FULL, "join_date": PartialDate(2018, 6, 1),
                 "education": "大学"},
        "孙浩": {"category": Category.PROBATIONARY, "full_date": None},
    },
    unused_columns={"序号": "序号"},
    ignored={1: "标题"},
    warnings=set(),
)


def xlsx_named_xls(path: Path) -> Path:
    """An .xlsx saved under an .xls name (a renamed download): read as what it is."""
    political_status_export(path.with_suffix(".tmp.xlsx")).rename(path)
    return path


def encrypted(path: Path) -> Path:
    """The hand-made 花名册, saved by Excel with 用密码进行加密 (password 2026)."""
    plain = handmade_with_notes(path.with_suffix(".plain.xlsx"))
    path.write_bytes(encrypted_xlsx(plain.read_bytes(), "2026"))
    plain.unlink()
    return path


def wps_saved(path: Path) -> Path:
    """Saved by WPS 表格: inline strings, its own app.xml; 政治面貌 and 党内职务."""
    rows = [
        ["序号", "姓名", "性别", "身份证号", "政治面貌", "党内职务", "入党时间", "联系电话"],
        ["1", "黄磊", "男", HUANG_LEI, "中共党员", "党支部书记", "1990-07-01", "13700000003"],
        ["2", "郭燕", "女", GUO_YAN, "中共预备党员", "无", "2026-05-04", ""],
        ["3", "许丽", "女", XU_LI, "共青团员", "", "", ""],
    ]
    return wps_xlsx(path, "党员名单", rows)


WPS = Expected(
    members={
        "黄磊": {"category": Category.FULL, "roles": [Role.SECRETARY]},
        "郭燕": {"category": Category.PROBATIONARY, "roles": []},
    },
    non_members={("许丽", "共青团员")},
    unused_columns={"序号": "序号"},
    warnings=set(),
)


def gbk_csv(path: Path) -> Path:
    """A system's CSV export as Chinese Excel saves it (GBK), 党籍状态 holding 正式/预备."""
    text = (
        "姓名,性别,公民身份证号,党籍状态,加入党组织日期,转为正式党员日期,所在党小组\r\n"
        f"马琳,女,{MA_LIN},正式党员,2001/6/28,2002/6/28,第一党小组\r\n"
        f"杨帆,男,{YANG_FAN},预备党员,2026/4/10,,第二党小组\r\n"
    )
    path.write_bytes(text.encode("gbk"))
    return path


CSV = Expected(
    members={
        "马琳": {"category": Category.FULL, "join_date": PartialDate(2001, 6, 28),
                 "group_name": "第一党小组"},
        "杨帆": {"category": Category.PROBATIONARY, "group_name": "第二党小组"},
    },
    warnings=set(),
)


Builder = Callable[[Path], Path]
LAYOUTS: dict[str, tuple[str, Builder, Expected]] = {
    "national": ("全国党员管理信息系统汇总表.xlsx", national_two_row, NATIONAL),
    "political": ("党员信息导出.xlsx", political_status_export, POLITICAL),
    "mixed": ("学院党员及积极分子.xlsx", mixed_stages, MIXED),
    "second_sheet": ("花名册（两个工作表）.xlsx", probationary_second_sheet, SECOND_SHEET),
    "handmade": ("社区花名册.xlsx", handmade_with_notes, HANDMADE),
    "template": ("导入模板.xlsx", template_with_notes, TEMPLATE),
    "occupation": ("人员类别.xlsx", occupation_and_standing, OCCUPATION),
    "merged_groups": ("按党小组合并.xlsx", merged_groups, MERGED),
    "excel97": ("党员花名册（97-2003）.xls", excel97_template, EXCEL97),
    "xlsx_named_xls": ("导出.xls", xlsx_named_xls, POLITICAL),
    "encrypted": ("加密花名册.xlsx", encrypted, replace(HANDMADE, password="2026")),
    "wps": ("WPS名单.xlsx", wps_saved, WPS),
    "csv": ("党员信息.csv", gbk_csv, CSV),
}
