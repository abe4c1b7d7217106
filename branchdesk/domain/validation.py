"""Validation and normalisation of member data, shared by the form and the importer.

Errors block saving (or skip an imported row); warnings are shown but accepted, because
legacy rosters often hold facts that were recorded imperfectly and are still true.

Also the plausibility rules meetings and activities share between their editors and the
JSON input: the range of dates, and how long each text may be.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from branchdesk.domain.activities import Activity
from branchdesk.domain.dates import PartialDate, add_years
from branchdesk.domain.meetings import Meeting
from branchdesk.domain.members import Category, Gender, Member

NAME_MAX = 50

# The earliest and latest dates a meeting or activity can plausibly carry: the Party was
# founded on 1 July 1921, and nothing is planned more than a year ahead. The editors ask
# before saving a date outside; the command line refuses it.
PARTY_FOUNDED = dt.date(1921, 7, 1)
PLAN_AHEAD_YEARS = 1

# Longest text, in characters, that a meeting or activity field takes. The editors and the
# JSON input (``meetings add --json``, ``activities add --json``) share these, so whatever
# one of them saves the other takes back.
SHORT_TEXT_MAX = 200  # 会议主题, 地点, 党课题目, 一个议题, 组织者
ACTIVITY_TITLE_MAX = 100  # 活动名称 (its box in the editor)
ACTIVITY_KIND_MAX = 20  # 活动类型 (the kinds dialog's box)
GROUP_NAME_MAX = 40  # 党小组名称 (the groups dialog's box)
NOTE_MAX = 1_000  # 请假/缺席原因, 补学方式
NAMES_TEXT_MAX = 2_000  # 列席人员, 其他参加人员: names as free text
LONG_TEXT_MAX = 200_000  # 会议记录, 决议, 活动内容: long, but not unbounded
TOPICS_MAX = 100  # 议题 per meeting

# Look-alike dots people type between the parts of a minority name (买买提·艾力).
_DOTS = "\u00b7\u0387\u2022\u2027\u2219\u22c5\u30fb\uff65\u16eb\u2e31\u00b7.．。"
_INVISIBLE_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_INVISIBLE = dict.fromkeys(map(ord, _INVISIBLE_CHARS), None)


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Issue:
    """Something wrong with one field; ``field`` is the Chinese column name people know."""

    field: str
    message: str
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def normalize_text(value: str | None) -> str:
    """A text as typed, trimmed at the ends only (spaces, and invisible characters there).

    No Unicode normalisation: full-width brackets （第四季度） and 〇 are Chinese text, not
    forms to fold; 👨‍👩‍👧 keeps its zero-width joiners; 𠮷 stays 𠮷. Only a byte-order
    mark, which no one types, is dropped wherever it is.
    """
    if value is None:
        return ""
    # A byte-order mark is never text (files and pastes leave it anywhere): it goes.
    return str(value).replace("\ufeff", "").strip().strip(_INVISIBLE_CHARS).strip()


def fold_width(value: str | None) -> str:
    """Full-width letters and digits folded (１３８ -> 138), invisible and control
    characters dropped, the ends trimmed: for codes and numbers (ID number, phone), never
    for text people write."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value)).translate(_INVISIBLE)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return text.strip()


def normalize_name(value: str | None) -> str:
    """Remove alignment spaces (``王　芳`` -> ``王芳``) and unify the dot in minority names.

    Nothing else is changed: no Unicode normalisation (see ``normalize_text``).
    """
    text = normalize_text(value)
    text = re.sub(rf"\s*[{re.escape(_DOTS)}]\s*", "\u00b7", text)
    if re.search(r"[\u4e00-\u9fff]", text):
        text = re.sub(r"\s+", "", text)  # spaces inside a Chinese name are only for alignment
    else:
        text = re.sub(r"\s+", " ", text)
    return text.strip("\u00b7")


def latest_record_date(today: dt.date) -> dt.date:
    """The latest date a meeting or activity can plausibly carry: a year from today."""
    return add_years(today, PLAN_AHEAD_YEARS)


def record_date_problem(
    day: dt.date,
    *,
    today: dt.date | None = None,
    show: Callable[[dt.date], str] = dt.date.isoformat,
) -> str | None:
    """Say why ``day`` is implausible for a meeting or activity, or return None.

    ``show`` writes a date for people (the window passes its locale's format).
    """
    if day < PARTY_FOUNDED:
        return f"{show(day)} 早于 {show(PARTY_FOUNDED)}（中国共产党成立），可能输错了"
    latest = latest_record_date(today or dt.date.today())
    if day > latest:
        return f"{show(day)} 晚于 {show(latest)}（今天起一年），可能输错了"
    return None


def text_too_long(label: str, text: str, limit: int) -> str | None:
    """Say that ``text`` is over ``limit`` characters, or return None."""
    if len(text) <= limit:
        return None
    return f"{label}最长 {limit} 个字，现有 {len(text)} 个字"


def _too_long(fields: list[tuple[str, str, int]]) -> list[tuple[str, str]]:
    found = ((label, text_too_long(label, text, limit)) for label, text, limit in fields)
    return [(label, message) for label, message in found if message]


def meeting_text_problems(meeting: Meeting) -> list[tuple[str, str]]:
    """Return (field, message) for each text of a meeting over its length limit."""
    problems = _too_long(
        [
            ("主题", meeting.title, SHORT_TEXT_MAX),
            ("地点", meeting.place, SHORT_TEXT_MAX),
            ("主持人", meeting.host.name, NAME_MAX),
            ("记录人", meeting.recorder.name, NAME_MAX),
            ("授课人", meeting.lecturer.name, NAME_MAX),
            ("党课题目", meeting.lecture_title, SHORT_TEXT_MAX),
            *(("议题", topic, SHORT_TEXT_MAX) for topic in meeting.topics),
            ("会议记录", meeting.minutes, LONG_TEXT_MAX),
            ("决议", meeting.resolutions, LONG_TEXT_MAX),
            ("列席人员", meeting.nonvoting, NAMES_TEXT_MAX),
            *((f"{row.name}的原因", row.reason, NOTE_MAX) for row in meeting.attendance),
            *((f"{row.name}的补学方式", row.makeup.how, NOTE_MAX) for row in meeting.attendance),
        ]
    )
    if len(meeting.topics) > TOPICS_MAX:
        problems.append(("议题", f"议题最多 {TOPICS_MAX} 个，现有 {len(meeting.topics)} 个"))
    return problems


def activity_text_problems(activity: Activity) -> list[tuple[str, str]]:
    """Return (field, message) for each text of an activity over its length limit."""
    return _too_long(
        [
            ("类型", activity.kind, ACTIVITY_KIND_MAX),
            ("活动名称", activity.title, ACTIVITY_TITLE_MAX),
            ("地点", activity.place, SHORT_TEXT_MAX),
            ("组织者", activity.organiser, SHORT_TEXT_MAX),
            ("活动内容", activity.description, LONG_TEXT_MAX),
            ("其他参加人员", activity.guests, NAMES_TEXT_MAX),
        ]
    )


def validate_name(name: str) -> list[Issue]:
    if not name:
        return [Issue("姓名", "姓名不能为空")]
    if len(name) > NAME_MAX:
        return [Issue("姓名", f"姓名最长 {NAME_MAX} 个字，现有 {len(name)} 个字")]
    return []


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check_character(first17: str) -> str:
    """Return the GB 11643-1999 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def normalize_id_number(value: str | None) -> str:
    return fold_width(value).replace(" ", "").upper()


@dataclass(frozen=True)
class IdFacts:
    birth_date: dt.date
    gender: Gender


def parse_id_number(id_number: str) -> IdFacts:
    """Check an 18-character ID number and return the birth date and sex it encodes.

    Raises ``ValueError`` with a message for people when it is not valid.
    """
    if len(id_number) != 18:
        raise ValueError(f"身份证号应为 18 位，现为 {len(id_number)} 位")
    if not re.fullmatch(r"\d{17}[\dX]", id_number):
        raise ValueError("身份证号前 17 位应为数字，最后一位为数字或 X")
    try:
        birth = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        raise ValueError(f"身份证号中的出生日期 {id_number[6:14]} 不存在") from None
    if birth.year < 1800 or birth > dt.date.today():
        raise ValueError(f"身份证号中的出生日期 {id_number[6:14]} 不合理")
    expected = id_check_character(id_number[:17])
    if id_number[17] != expected:
        raise ValueError("身份证号校验位不对，可能有数字输错")
    gender = Gender.MALE if int(id_number[16]) % 2 else Gender.FEMALE
    return IdFacts(birth, gender)


_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


def normalize_phone(value: str | None) -> str:
    """Strip spaces, ``+86`` and the dashes of a mobile number; keep a landline's area dash."""
    text = fold_width(value)
    text = re.sub(r"[\s()（）]", "", text)
    text = re.sub(r"^(\+?86|0086)-?(?=1\d{10}$)", "", text)
    text = text.replace("—", "-").replace("－", "-")
    if _MOBILE.match(text.replace("-", "")):
        return text.replace("-", "")
    if re.fullmatch(r"0\d{9,11}", text):  # landline typed without its dash
        area = 3 if text[1] in "12" else 4
        return f"{text[:area]}-{text[area:]}"
    return text


def validate_phone(phone: str) -> list[Issue]:
    if not phone:
        return []
    if _MOBILE.match(phone) or _LANDLINE.match(phone):
        return []
    return [Issue("联系电话", f"“{phone}”不是有效的手机号或座机号（如 13812345678、0357-2345678）")]


def check_member(member: Member, *, today: dt.date | None = None) -> list[Issue]:
    """Return every problem with a member's fields, errors first."""
    today = today or dt.date.today()
    issues: list[Issue] = [*validate_name(member.name), *validate_phone(member.phone)]
    facts: IdFacts | None = None
    if member.id_number:
        try:
            facts = parse_id_number(member.id_number)
        except ValueError as exc:
            issues.append(Issue("身份证号", str(exc)))
    if facts and member.birth_date and member.birth_date.first_day() != facts.birth_date:
        same_month = (member.birth_date.year, member.birth_date.month) == (
            facts.birth_date.year,
            facts.birth_date.month,
        )
        if not (member.birth_date.month_only and same_month):
            issues.append(
                Issue(
                    "出生日期",
                    f"出生日期 {member.birth_date} 与身份证号中的 "
                    f"{facts.birth_date.isoformat()} 不一致",
                    Severity.WARNING,
                )
            )
    if facts and member.gender and member.gender is not facts.gender:
        issues.append(
            Issue(
                "性别",
                f"性别“{member.gender.label}”与身份证号（{facts.gender.label}）不一致",
                Severity.WARNING,
            )
        )
    birth = member.birth_date.first_day() if member.birth_date else None
    if birth is None and facts:
        birth = facts.birth_date
    for label, value in (
        ("出生日期", member.birth_date),
        ("入党时间", member.join_date),
        ("转正时间", member.full_date),
    ):
        if value and value.first_day() > today:
            issues.append(Issue(label, f"{label} {value} 晚于今天", Severity.WARNING))
    if member.join_date and birth:
        if member.join_date.first_day() < add_years(birth, 18) and not (
            member.join_date.month_only
            and (member.join_date.year, member.join_date.month)
            == (add_years(birth, 18).year, add_years(birth, 18).month)
        ):
            issues.append(
                Issue("入党时间", f"入党时间 {member.join_date} 早于年满 18 周岁", Severity.WARNING)
            )
    if member.join_date and member.full_date:
        joined = member.join_date.first_day()
        full = member.full_date.first_day()
        slack = (
            dt.timedelta(days=31)
            if member.join_date.month_only or member.full_date.month_only
            else dt.timedelta(0)
        )
        if full + slack < add_years(joined, 1) or full - slack > add_years(joined, 2):
            issues.append(
                Issue(
                    "转正时间",
                    f"转正时间 {member.full_date} 应在入党时间 {member.join_date} 之后一到两年",
                    Severity.WARNING,
                )
            )
    if member.category is Category.PROBATIONARY and member.full_date:
        issues.append(Issue("党员类别", "已有转正时间，但类别是预备党员", Severity.WARNING))
    if not member.status.in_roster and member.status_date is None:
        issues.append(Issue("状态", f"请填写{member.status.label}的日期"))
    issues.sort(key=lambda issue: not issue.is_error)
    return issues


def birth_from_id(id_number: str) -> PartialDate | None:
    try:
        return PartialDate.of(parse_id_number(id_number).birth_date)
    except ValueError:
        return None
