"""How rosters name their columns and write their values, as data.

A locality's variant is a change here, not in the importer: the header spellings of the
national 全国党员管理信息系统 export and of the templates branches pass around, the words
that say 正式/预备 or name a non-member's stage, the member statuses and the committee roles.

Everything is matched on a *key*: the text with full-width forms folded, spaces, required
markers and bracketed notes removed (``身份证号码（18位）*`` -> ``身份证号码``).
"""

from __future__ import annotations

import enum
import functools
import re
import unicodedata
from dataclasses import dataclass

from branchdesk.domain.members import Category, MemberStatus, Role


@dataclass(frozen=True)
class FieldSpec:
    """A member attribute a roster column can fill."""

    key: str
    label: str  # what the preview calls it
    headers: tuple[str, ...]  # header spellings, compared by key
    joins: bool = False  # several columns may fill it (joined), e.g. 工作单位 + 职务


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("seq", "序号", ("序号", "编号", "顺序号", "序")),
    FieldSpec("name", "姓名", ("姓名", "党员姓名", "名字", "姓名曾用名")),
    FieldSpec("gender", "性别", ("性别",)),
    FieldSpec("ethnicity", "民族", ("民族",)),
    FieldSpec(
        "birth_date",
        "出生日期",
        ("出生日期", "出生年月", "出生年月日", "出生时间", "出生", "生日", "出生年份"),
    ),
    FieldSpec(
        "id_number",
        "身份证号",
        (
            "身份证号",
            "身份证号码",
            "公民身份号码",
            "公民身份证号",
            "公民身份证号码",
            "身份证",
            "身份证件号码",
            "身份证件号",
            "证件号码",
            "居民身份证号码",
            "居民身份证号",
        ),
    ),
    FieldSpec("education", "学历", ("学历", "文化程度", "最高学历", "全日制学历", "学历学位")),
    FieldSpec(
        "join_date",
        "入党时间",
        (
            "入党时间",
            "入党日期",
            "入党年月",
            "入党年月日",
            "何时入党",
            "加入党组织日期",
            "加入党组织时间",
            "加入中国共产党日期",
            "加入中国共产党时间",
        ),
    ),
    FieldSpec(
        "full_date",
        "转正时间",
        (
            "转正时间",
            "转正日期",
            "转正年月",
            "转正年月日",
            "何时转正",
            "转为正式党员日期",
            "转为正式党员时间",
        ),
    ),
    FieldSpec(
        "standing",
        "党员类别（正式/预备）",
        (
            "党员类别",
            "党员类型",
            "党员身份",
            "政治面貌",
            "所处阶段",
            "发展阶段",
        ),
    ),
    FieldSpec("status", "党员状态", ("状态", "党员状态", "人员状态", "在册状态")),
    FieldSpec("flowing", "是否为流动党员", ("是否为流动党员", "是否流动党员", "流动党员")),
    FieldSpec(
        "flow_to", "外出流向", ("外出流向", "流向", "流出地", "外出地点", "流动去向"), joins=True
    ),
    FieldSpec("lost", "是否为失联党员", ("是否为失联党员", "是否失联党员", "失联党员", "是否失联")),
    FieldSpec("lost_date", "失去联系日期", ("失去联系日期", "失去联系时间", "失联日期", "失联时间")),
    FieldSpec("group", "党小组", ("党小组", "所在党小组", "所属党小组", "党小组名称")),
    FieldSpec(
        "phone",
        "联系电话",
        ("手机号", "手机号码", "手机", "移动电话", "联系电话", "电话", "电话号码", "联系方式"),
    ),
    FieldSpec("landline", "固定电话", ("固定电话", "座机", "办公电话", "家庭电话", "座机号码")),
    FieldSpec(
        "workplace",
        "工作单位及职务",
        (
            "工作单位及职务",
            "工作单位和职务",
            "工作单位",
            "单位职务",
            "单位及职务",
            "现工作单位及职务",
            "工作单位及职务职称",
            "所在单位",
            "工作岗位",
            "岗位",
            "行政职务",
        ),
        joins=True,
    ),
    FieldSpec(
        "roles",
        "支委职务",
        ("党内职务", "支委职务", "支部职务", "党内职务名称", "党组织职务", "职务", "任职情况"),
    ),
    FieldSpec("notes", "备注", ("备注", "附注"), joins=True),
    FieldSpec(
        "branch",
        "所在党支部",
        ("所在党支部", "所在支部", "党支部", "支部名称", "所在党组织", "党组织名称", "所属支部"),
    ),
)
FIELD_BY_KEY = {spec.key: spec for spec in FIELDS}

# Headers whose meaning depends on what the column holds: 人员类别 is 正式/预备 in some files
# and 在职/离退休 in the national one; 党籍状态 is 正常/停止党籍 or 正式/预备; 职务 is a
# committee role or a job title. The importer looks at the values (see ``column_meaning``).
AMBIGUOUS: dict[str, tuple[str, ...]] = {
    "人员类别": ("standing", "status", "occupation"),
    "类别": ("standing", "status", "occupation"),
    "身份": ("standing", "status", "occupation"),
    "人员身份": ("standing", "status", "occupation"),
    "党籍状态": ("status", "standing"),
    "党籍": ("status", "standing"),
    "职务": ("roles", "workplace"),
}

# Columns recognised but not stored, with the reason the preview gives.
NOT_STORED: dict[str, str] = {
    "年龄": "由出生日期计算，不需要导入",
    "党龄": "由入党时间计算，不需要导入",
    "家庭住址": "本程序没有此项",
    "家庭地址": "本程序没有此项",
    "住址": "本程序没有此项",
    "现居住地": "本程序没有此项",
    "现居住地址": "本程序没有此项",
    "籍贯": "本程序没有此项",
    "出生地": "本程序没有此项",
    "职称": "本程序没有此项",
    "专业技术职务": "本程序没有此项",
    "毕业院校": "本程序没有此项",
    "毕业院校及专业": "本程序没有此项",
    "专业": "本程序没有此项",
    "学位": "本程序没有此项",
    "电子邮箱": "本程序没有此项",
    "邮箱": "本程序没有此项",
    "QQ": "本程序没有此项",
    "微信": "本程序没有此项",
    "照片": "本程序没有此项",
    "入党介绍人": "本程序没有此项",
    "入党时所在支部": "本程序没有此项",
    "转入时间": "转入日期请在导入时选择",
    "转入日期": "转入日期请在导入时选择",
}
OCCUPATION_REASON = "内容是人员类别（在职、离退休等），本程序暂无此项"
BRANCH_REASON = "所在支部：每个数据文件对应一个支部，此列只用于核对"

_BRACKETS = re.compile(r"[（(【\[〔<《].*?[）)】\]〕>》]")
_SPACES = re.compile(r"\s+")
_NOISE = re.compile(r"[\s*＊:：、/／\\|#＃★☆\-—_]+")


@functools.lru_cache(maxsize=4096)
def header_key(text: str) -> str:
    """The comparable form of a header cell: folded, without notes, markers or spaces."""
    folded = unicodedata.normalize("NFKC", text)
    folded = _BRACKETS.sub("", folded)
    return _NOISE.sub("", folded)


_BY_HEADER = {header_key(h): spec.key for spec in FIELDS for h in spec.headers}


def field_for_header(text: str) -> str | None:
    """The field a header names plainly (not an ambiguous or not-stored one), or None."""
    return _BY_HEADER.get(header_key(text))


def is_header_word(text: str) -> bool:
    """Whether a cell reads like a column header of a roster (for spotting header rows)."""
    key = header_key(text)
    return key in _BY_HEADER or key in AMBIGUOUS or key in NOT_STORED


# --- values --------------------------------------------------------------------------------


class Stage(str, enum.Enum):
    """Where a person on a list stands; only FULL and PROBATIONARY are members."""

    FULL = "正式党员"
    PROBATIONARY = "预备党员"
    APPLICANT = "入党申请人"
    ACTIVIST = "入党积极分子"
    CANDIDATE = "发展对象"
    NON_PARTY = "群众"
    LEAGUE = "共青团员"
    OTHER_PARTY = "民主党派"

    @property
    def is_member(self) -> bool:
        return self in (Stage.FULL, Stage.PROBATIONARY)

    @property
    def category(self) -> Category | None:
        return {Stage.FULL: Category.FULL, Stage.PROBATIONARY: Category.PROBATIONARY}.get(self)


_STAGE_WORDS: dict[str, Stage] = {
    **dict.fromkeys(
        ("正式", "正式党员", "中共党员", "中共正式党员", "党员", "共产党员", "中国共产党党员"),
        Stage.FULL,
    ),
    **dict.fromkeys(
        ("预备", "预备党员", "中共预备党员", "预备期", "预备期党员", "预备期内"),
        Stage.PROBATIONARY,
    ),
    **dict.fromkeys(
        ("申请入党", "入党申请人", "申请人", "递交入党申请书", "已递交入党申请书"), Stage.APPLICANT
    ),
    **dict.fromkeys(("入党积极分子", "积极分子"), Stage.ACTIVIST),
    **dict.fromkeys(("发展对象", "入党发展对象"), Stage.CANDIDATE),
    **dict.fromkeys(("群众", "无党派", "无党派人士"), Stage.NON_PARTY),
    **dict.fromkeys(("共青团员", "团员", "中国共产主义青年团团员"), Stage.LEAGUE),
    **dict.fromkeys(
        ("民主党派", "民革", "民盟", "民建", "民进", "农工党", "致公党", "九三学社", "台盟"),
        Stage.OTHER_PARTY,
    ),
}


@functools.lru_cache(maxsize=16384)
def value_key(text: str) -> str:
    """The comparable form of a cell value: folded, without spaces and bracketed notes."""
    folded = unicodedata.normalize("NFKC", text)
    folded = _BRACKETS.sub("", folded)
    return _SPACES.sub("", folded)


def stage_of(text: str) -> Stage | None:
    """The stage a cell names (``预备党员``, ``中共党员``, ``入党积极分子`` ...), or None."""
    return _STAGE_WORDS.get(value_key(text))


def mentions_probation(text: str) -> bool:
    """Whether a cell says the person is still on probation (``预备党员``, ``预备期``)."""
    key = value_key(text)
    return "预备" in key and "预备期满" not in key


_STATUS_WORDS: dict[str, MemberStatus] = {
    **dict.fromkeys(("正常", "在册", "正常党籍", "在册党员"), MemberStatus.ACTIVE),
    **dict.fromkeys(("流动", "流动党员", "外出流动"), MemberStatus.FLOWING),
    **dict.fromkeys(("失联", "失联党员", "失去联系"), MemberStatus.LOST),
    **dict.fromkeys(("停止党籍", "已停止党籍", "停止党籍党员"), MemberStatus.SUSPENDED),
    **dict.fromkeys(("转出", "已转出", "组织关系转出"), MemberStatus.TRANSFERRED_OUT),
    **dict.fromkeys(("去世", "已去世", "死亡", "已故", "病故", "离世"), MemberStatus.DECEASED),
    **dict.fromkeys(("出党", "开除党籍", "已出党", "除名", "退党"), MemberStatus.LEFT),
}


def status_of(text: str) -> MemberStatus | None:
    """The member status a cell names (``正常``, ``停止党籍``, ``失联`` ...), or None."""
    return _STATUS_WORDS.get(value_key(text))


_OCCUPATION_WORDS = frozenset(
    (
        "在职",
        "在岗",
        "在岗职工",
        "离退休",
        "离休",
        "退休",
        "离退休人员",
        "离退休干部",
        "教职工",
        "教师",
        "学生",
        "本科生",
        "研究生",
        "专科生",
        "农民",
        "农牧渔民",
        "个体",
        "个体经营",
        "下岗",
        "失业",
        "待业",
        "企业职工",
        "机关干部",
        "事业单位",
        "专业技术人员",
        "工人",
        "军人",
        "其他",
        "干部",
        "职工",
    )
)


def is_occupation(text: str) -> bool:
    """Whether a cell names a 人员类别 in the national system's sense (在职, 离退休, 学生 ...)."""
    return value_key(text) in _OCCUPATION_WORDS


_YES = frozenset(("是", "是的", "√", "✓", "Y", "y", "YES", "yes", "1", "有"))
_NO = frozenset(("否", "不是", "×", "✗", "N", "n", "NO", "no", "0", "无", "-", "—", "/"))


def yes_no(text: str) -> bool | None:
    """是 -> True, 否 -> False, anything else -> None."""
    key = value_key(text)
    if key in _YES:
        return True
    if key in _NO:
        return False
    return None


_ROLE_WORDS: dict[str, Role] = {
    **dict.fromkeys(
        ("书记", "支部书记", "党支部书记", "支书", "党总支书记", "总支书记"), Role.SECRETARY
    ),
    **dict.fromkeys(("副书记", "支部副书记", "党支部副书记"), Role.DEPUTY_SECRETARY),
    **dict.fromkeys(("组织委员", "组委", "支部组织委员"), Role.ORGANISATION),
    **dict.fromkeys(("宣传委员", "宣委", "支部宣传委员"), Role.PROPAGANDA),
    **dict.fromkeys(("纪检委员", "纪律检查委员", "支部纪检委员"), Role.DISCIPLINE),
    **dict.fromkeys(("青年委员", "支部青年委员"), Role.YOUTH),
    **dict.fromkeys(("统战委员", "支部统战委员"), Role.UNITED_FRONT),
    **dict.fromkeys(("委员", "支委", "支部委员", "支委委员"), Role.MEMBER),
}
# What a 党内职务 cell says when the member holds no committee role.
NO_ROLE = frozenset(("普通党员", "党员", "无", "无职务", "-", "—", "/", "正式党员", "预备党员"))


def role_of(text: str) -> Role | None:
    return _ROLE_WORDS.get(value_key(text))


def is_no_role(text: str) -> bool:
    return value_key(text) in NO_ROLE


def split_roles(text: str) -> list[str]:
    """``书记、组织委员`` / ``书记兼组织委员`` -> the parts."""
    return [part for part in re.split(r"[、,，/;；\s]+|兼", text) if part]
