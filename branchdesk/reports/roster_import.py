"""Import a 党员花名册 the way branches really keep it.

Three steps, shared by the GUI and the CLI:

* ``read_roster(path)`` parses the file (no database): every sheet that holds a roster,
  headers as the field writes them (two-row merged headers, notes in brackets, the
  national system's names and the common variants, see ``domain.roster_vocabulary``),
  正式/预备/非党员 from every place a file puts it, and an account of every column and
  every row: used, or not used and why;
* ``plan_import(db, parsed)`` compares with the stored roster, read-only;
* ``apply_import(db, preview)`` writes it in one transaction.

Nothing is guessed silently. A value that cannot be read without guessing (``2019.1``) is
left empty and reported; a row whose person cannot be identified safely (no name, a broken
ID number, an ID number that Excel already rounded) is skipped and reported with its sheet
and Excel row number; a contradiction (a 转正 date next to 预备党员) is a warning on that
row, and 预备 always wins over 正式 so that no probationary member is stored as full.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import sqlite3
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter
from sqlite_utils import Database

from branchdesk.domain import roster_vocabulary as vocab
from branchdesk.domain.dates import PartialDate, parse_date_value
from branchdesk.domain.members import Category, Gender, Member, MemberStatus, Role
from branchdesk.domain.roster_vocabulary import Stage
from branchdesk.domain.validation import (
    check_member,
    normalize_id_number,
    normalize_name,
    normalize_phone,
    normalize_text,
    parse_id_number,
)
from branchdesk.reports.xlsx_safety import (
    DEFAULT_LIMITS,
    Limits,
    PasswordRequired,
    WrongPassword,
    XlsxFileError,
    read_workbook_rows,
)
from branchdesk.store.db import storage_error
from branchdesk.store.members import GroupRepo, MemberRepo


class RosterFileError(Exception):
    """The file cannot be imported at all; ``message`` says why, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RosterPasswordRequired(RosterFileError):
    """A password-protected workbook: ask for the password (again, when ``wrong_password``)."""

    def __init__(self, message: str, *, wrong_password: bool = False) -> None:
        super().__init__(message)
        self.wrong_password = wrong_password


HEADER_SCAN_ROWS = 20
_SPACES = re.compile(r"\s+")
# Probation lasts a year; a join date this recent without a 转正 date suggests 预备.
_PROBATION_HINT = dt.timedelta(days=365 + 92)
_TEXT_FIELDS = ("ethnicity", "education")
# Fields whose presence makes a sheet a roster rather than any list with a 姓名 column.
_PERSONAL_FIELDS = frozenset(
    ("id_number", "gender", "birth_date", "join_date", "full_date", "ethnicity", "education")
)
_TOTAL_WORDS = ("合计", "总计", "小计", "共计")
_NOTE_START = re.compile(
    r"^(注意?|说明|备注|附注|附件|填表人|制表人|审核人|审批人|填报人|填报单位|填表单位|"
    r"填报日期|填表日期|制表日期|统计日期|联系人|联系电话|负责人|单位负责人|书记签字|签字|盖章|"
    r"\d+\s*[、.．)）])"
)
_SENTENCE = re.compile(r"[：:。；;！!？?，,]")
_NUMBERED_NOTE = re.compile(r"^\d+\s*[、.．)）]\s*\S{4,}")
_SAMPLE = re.compile(r"示例|样例|范例|例如|填写说明|填表说明")
_NUMERIC_ID = "身份证号被保存成了数字，后几位已丢失，请把该列设为文本后重新填写"

# Member attributes an import may set, in the order changes are listed.
IMPORT_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number",
    "education",
    "join_date",
    "full_date",
    "category",
    "group_name",
    "phone",
    "workplace",
    "status",
    "status_date",
    "roles",
    "notes",
)
FIELD_LABELS = {
    "name": "姓名",
    "gender": "性别",
    "ethnicity": "民族",
    "birth_date": "出生日期",
    "id_number": "身份证号",
    "education": "学历",
    "join_date": "入党时间",
    "full_date": "转正时间",
    "category": "党员类别",
    "group_name": "党小组",
    "phone": "联系电话",
    "workplace": "工作单位及职务",
    "status": "状态",
    "status_date": "状态日期",
    "roles": "支委职务",
    "notes": "备注",
}
# Fields the user may point an unrecognised column at in the preview ("" means 不导入).
MAPPABLE_FIELDS = (
    "gender",
    "ethnicity",
    "birth_date",
    "id_number",
    "education",
    "join_date",
    "full_date",
    "standing",
    "status",
    "group",
    "phone",
    "landline",
    "workplace",
    "roles",
    "flow_to",
    "lost_date",
    "notes",
)


def field_label(key: str) -> str:
    """What the preview calls a column field key."""
    return vocab.FIELD_BY_KEY[key].label


@dataclass(frozen=True)
class RowWarning:
    row: int
    field: str
    message: str
    sheet: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "field": self.field, "message": self.message}


@dataclass(frozen=True)
class SkippedRow:
    row: int
    name: str
    reason: str
    sheet: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "name": self.name, "reason": self.reason}


@dataclass(frozen=True)
class IgnoredRow:
    """A row that holds no person: a note, a 合计 line, a repeated header, a sample."""

    sheet: str
    row: int
    text: str
    reason: str
    last_row: int | None = None  # a run of the same kind, e.g. pre-numbered empty lines

    def to_json(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "last_row": self.last_row or self.row,
            "text": self.text,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class NonMember:
    """Someone on the list who is not (yet) a party member: 入党积极分子, 发展对象, 群众 ..."""

    sheet: str
    row: int
    name: str
    stage: str

    def to_json(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "name": self.name, "stage": self.stage}


@dataclass(frozen=True)
class ColumnReport:
    """One column of a read sheet: the field it fills, or why it is not imported."""

    sheet: str
    column: int  # 0-based
    header: str  # as written; a two-row header reads ``联系电话/移动电话``
    field: str | None  # a key of ``vocab.FIELD_BY_KEY``; None when not imported
    reason: str = ""  # why not imported, or how it is used ("" for a plain use)
    chosen: bool = False  # mapped (or ignored) by the user's choice

    @property
    def letter(self) -> str:
        return get_column_letter(self.column + 1)

    @property
    def used(self) -> bool:
        return self.field is not None

    @property
    def checked_only(self) -> bool:
        """序号 and 所在党支部: read to check the file, nothing of them is stored."""
        return self.reason.startswith("序号") or self.reason == vocab.BRANCH_REASON

    def describe(self) -> str:
        if self.field is None:
            return self.reason or "未导入"
        label = field_label(self.field)
        return f"{label}（{self.reason}）" if self.reason else label

    def to_json(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "column": self.letter,
            "header": self.header,
            "field": self.field,
            "label": field_label(self.field) if self.field else None,
            "reason": self.reason,
            "checked_only": self.checked_only,
        }


@dataclass(frozen=True)
class SheetReport:
    title: str
    header_row: int | None  # the (first) header row; None when the sheet was not read
    people: int = 0  # rows read as members or non-members
    reason: str = ""  # why the sheet was not read
    header_end: int | None = None  # the last header row (a second row under merged bands)

    @property
    def read(self) -> bool:
        return self.header_row is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "read": self.read,
            "header_row": self.header_row,
            "header_rows": (
                [self.header_row, self.header_end]
                if self.header_end and self.header_end != self.header_row
                else [self.header_row] if self.header_row else []
            ),
            "people": self.people,
            "reason": self.reason,
        }


@dataclass
class RosterRow:
    """One person as the file describes them; ``present`` names the attributes it filled."""

    row: int
    member: Member
    present: frozenset[str]
    sheet: str = ""


@dataclass
class ParsedRoster:
    path: Path
    sheets: list[SheetReport] = field(default_factory=list)
    columns: list[ColumnReport] = field(default_factory=list)
    rows: list[RosterRow] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)
    warnings: list[RowWarning] = field(default_factory=list)
    non_members: list[NonMember] = field(default_factory=list)
    ignored: list[IgnoredRow] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # about the whole file

    @property
    def read_sheets(self) -> list[SheetReport]:
        return [s for s in self.sheets if s.read]

    @property
    def sheet(self) -> str:
        """The first sheet read (most files have one)."""
        return self.read_sheets[0].title

    @property
    def header_row(self) -> int:
        return self.read_sheets[0].header_row or 0

    @property
    def unused_columns(self) -> list[ColumnReport]:
        return [c for c in self.columns if not c.used]

    def columns_json(self) -> list[dict[str, Any]]:
        return [c.to_json() for c in self.columns]


# --- reading -------------------------------------------------------------------------------


@functools.lru_cache(maxsize=16384)
def _normalized(text: str) -> str:
    return normalize_text(text)  # cells repeat (性别, 民族, 正式党员 ...): each is folded once


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return _normalized(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return normalize_text(str(value))


def _compact(text: str) -> str:
    return _SPACES.sub("", text)


def _header_words(values: tuple[Any, ...]) -> int:
    return sum(1 for v in values if isinstance(v, str) and vocab.is_header_word(v))


def _names_column(values: tuple[Any, ...]) -> int | None:
    for column, value in enumerate(values):
        if isinstance(value, str) and vocab.field_for_header(value) == "name":
            return column
    return None


@dataclass
class _Header:
    first_row: int  # Excel row of the first header row
    data_start: int  # index in the sheet's rows of the first row after the header
    texts: dict[int, str]  # column -> header as written (``联系电话/移动电话``)
    candidates: dict[int, list[str]]  # column -> header texts to match, most specific first


_Rows = list[tuple[int, tuple[Any, ...]]]


def _find_header(rows: _Rows) -> _Header | None:
    """The row naming 姓名 and the most other roster columns, with a second header row."""
    best: tuple[int, int] | None = None  # (score, index)
    for index, (_number, values) in enumerate(rows[:HEADER_SCAN_ROWS]):
        if _names_column(values) is None:
            continue
        score = _header_words(values)
        if score >= 3 and (best is None or score > best[0]):
            best = (score, index)
    if best is None:
        return None
    index = best[1]
    number, main = rows[index]
    name_column = _names_column(main)
    assert name_column is not None
    sub: tuple[Any, ...] = ()
    if index + 1 < len(rows):
        next_number, next_values = rows[index + 1]
        under_name = next_values[name_column] if name_column < len(next_values) else None
        if next_number == number + 1 and under_name is None and _header_words(next_values):
            sub = next_values  # 联系电话 over 移动电话 | 固定电话
    parent: tuple[Any, ...] = ()
    if index > 0:
        above_number, above = rows[index - 1]
        if above_number == number - 1 and _header_words(above):
            parent = above  # 姓名 on the second row under a 基本信息 band
    width = max(len(main), len(sub), len(parent))
    texts: dict[int, str] = {}
    candidates: dict[int, list[str]] = {}
    band = ""  # the upper header of a merged band, repeated over the columns it spans
    for column in range(width):

        def cell(row: tuple[Any, ...], col: int = column) -> str:
            value = row[col] if col < len(row) else None
            return normalize_text(str(value)) if value is not None else ""

        upper, lower = cell(main), cell(sub)
        if not upper and cell(parent):
            upper = cell(parent)
        if upper and lower:
            band = upper
        elif lower and band:
            upper = band
        elif upper:
            band = ""
        if not upper and not lower:
            continue
        texts[column] = f"{upper}/{lower}" if upper and lower else upper or lower
        candidates[column] = [t for t in (lower, upper) if t]
    return _Header(
        first_row=rows[index - 1][0] if parent else number,
        data_start=index + (2 if sub else 1),
        texts=texts,
        candidates=candidates,
    )


def _resolve_ambiguous(options: tuple[str, ...], values: list[str]) -> tuple[str | None, str]:
    """Pick what an ambiguous column (人员类别, 党籍状态, 职务) means from what it holds."""
    if not values:
        return options[0], ""
    hits: Counter[str] = Counter()
    for text in values:
        if "standing" in options and (vocab.stage_of(text) or vocab.mentions_probation(text)):
            hits["standing"] += 1
        elif "status" in options and vocab.status_of(text):
            hits["status"] += 1
        elif "occupation" in options and vocab.is_occupation(text):
            hits["occupation"] += 1
        elif "roles" in options and all(
            vocab.role_of(p) or vocab.is_no_role(p) for p in vocab.split_roles(text)
        ):
            hits["roles"] += 1
    if "roles" in options:  # 职务: committee roles, or else a job title
        return ("roles", "") if hits["roles"] * 2 >= len(values) else ("workplace", "职务")
    if not hits:
        return None, "内容无法识别"
    choice = hits.most_common(1)[0][0]
    if choice == "occupation":
        return None, vocab.OCCUPATION_REASON
    return choice, ""


def _map_columns(
    title: str,
    header: _Header,
    data: _Rows,
    overrides: Mapping[str, str],
) -> list[ColumnReport]:
    reports: list[ColumnReport] = []
    taken: dict[str, ColumnReport] = {}
    for column, text in sorted(header.texts.items()):
        chosen = text in overrides
        reason = ""
        key: str | None
        if chosen:
            key = overrides[text] or None
            reason = "" if key else "已选择不导入"
        else:
            key = next(
                (k for t in header.candidates[column] if (k := vocab.field_for_header(t))), None
            )
            if key is None:
                keys = [vocab.header_key(t) for t in header.candidates[column]]
                ambiguous = next((vocab.AMBIGUOUS[k] for k in keys if k in vocab.AMBIGUOUS), None)
                not_stored = next((vocab.NOT_STORED[k] for k in keys if k in vocab.NOT_STORED), "")
                if ambiguous:
                    values = [
                        _text(v[column]) for _n, v in data if column < len(v) and v[column] is not None
                    ]
                    key, reason = _resolve_ambiguous(ambiguous, values)
                elif not_stored:
                    reason = not_stored
                else:
                    reason = "未识别的列"
        if key == "branch":
            key, reason = None, vocab.BRANCH_REASON
        if key == "seq":
            key, reason = None, "序号，只用于核对"
        if key is not None and key in taken and not vocab.FIELD_BY_KEY[key].joins:
            first = taken[key]
            key, reason = None, f"与 {first.letter} 列“{first.header}”重复，未导入"
        report = ColumnReport(title, column, text, key, reason if key is None else "", chosen)
        if key is not None:
            taken.setdefault(key, report)
        reports.append(report)
    known = set(header.texts)
    unnamed = sorted(
        {c for _n, values in data for c, v in enumerate(values) if v is not None} - known
    )
    for column in unnamed:
        reports.append(ColumnReport(title, column, "", None, "没有表头，未导入"))
    return reports


def _fill_merged_down(data: _Rows, merged: list[tuple[int, int, int, int]]) -> _Rows:
    """A cell merged down one column (第一党小组 over the group's rows) belongs to each row."""
    if not data or not merged:
        return data
    index = {number: i for i, (number, _values) in enumerate(data)}
    rows = [list(values) for _number, values in data]
    for first, column, last, last_column in merged:
        if column != last_column or last <= first or first not in index:
            continue
        top = rows[index[first]]
        value = top[column] if column < len(top) else None
        if value is None:
            continue
        for number in range(first + 1, last + 1):
            if number in index:
                row = rows[index[number]]
                row.extend([None] * (column + 1 - len(row)))
                if row[column] is None:
                    row[column] = value
    return [(number, tuple(row)) for (number, _v), row in zip(data, rows, strict=True)]


def _sheet_stage(title: str) -> Stage | None:
    """What a sheet's name says about everyone on it (``预备党员信息``)."""
    key = vocab.value_key(title)
    for word, stage in (
        ("预备", Stage.PROBATIONARY),
        ("积极分子", Stage.ACTIVIST),
        ("发展对象", Stage.CANDIDATE),
        ("申请", Stage.APPLICANT),
        ("正式", Stage.FULL),
    ):
        if word in key:
            return stage
    return None


def read_roster(
    path: Path | str,
    *,
    limits: Limits = DEFAULT_LIMITS,
    overrides: Mapping[str, str] | None = None,
    password: str | None = None,
    today: dt.date | None = None,
) -> ParsedRoster:
    """Parse a roster file; raise ``RosterFileError`` when it cannot be read safely.

    ``overrides`` maps a header as written to the field key the user chose for it in the
    preview ("" for 不导入); it wins over what the header itself says.
    """
    path = Path(path)
    try:
        workbook = read_workbook_rows(path, limits, password=password)
    except PasswordRequired as exc:
        wrong = isinstance(exc, WrongPassword)
        raise RosterPasswordRequired(exc.message, wrong_password=wrong) from exc
    except XlsxFileError as exc:
        raise RosterFileError(exc.message) from exc
    parsed = ParsedRoster(path=path)
    reader = _SheetReader(parsed, workbook.date1904, today or dt.date.today())
    not_a_roster: list[str] = []
    for sheet in workbook.sheets:
        if not sheet.rows:
            parsed.sheets.append(SheetReport(sheet.title, None, reason="空工作表"))
            continue
        header = _find_header(sheet.rows)
        if header is None:
            parsed.sheets.append(SheetReport(sheet.title, None, reason="没有找到花名册表头"))
            continue
        data = _fill_merged_down(sheet.rows[header.data_start :], sheet.merged)
        columns = _map_columns(sheet.title, header, data, overrides or {})
        used = {c.field for c in columns if c.field}
        if not used & _PERSONAL_FIELDS:
            reason = "有“姓名”列，但没有身份证号、性别、出生日期、入党时间等党员信息列，不像花名册"
            parsed.sheets.append(SheetReport(sheet.title, None, reason=reason))
            not_a_roster.append(sheet.title)
            continue
        parsed.columns.extend(columns)
        for number, values in sheet.rows[: header.data_start]:
            if number < header.first_row:
                parsed.ignored.append(
                    IgnoredRow(sheet.title, number, _row_text(values), "表头上方的标题或说明")
                )
        people = reader.read(sheet.title, columns, data)
        header_end = sheet.rows[header.data_start - 1][0]
        parsed.sheets.append(SheetReport(sheet.title, header.first_row, people, "", header_end))
    if not parsed.read_sheets:
        if all(s.reason == "空工作表" for s in parsed.sheets):
            raise RosterFileError(f"“{path.name}”中没有任何内容：工作簿是空的，不是花名册。")
        if not_a_roster:
            names = "、".join(f"“{t}”" for t in not_a_roster)
            raise RosterFileError(
                f"“{path.name}”这不像花名册：工作表{names}虽有“姓名”列，但没有身份证号、性别、"
                "出生日期、入党时间等党员信息。如果这是月报或其他报表，请改选党员花名册文件。"
            )
        raise RosterFileError(
            f"“{path.name}”这不像花名册：在每个工作表的前 {HEADER_SCAN_ROWS} 行中都没有找到表头。"
            "表头应在同一行中包含“姓名”和至少两个其他列名，如“性别”“身份证号”“入党时间”。"
        )
    reader.finish()
    return parsed


def _row_text(values: tuple[Any, ...]) -> str:
    return " ".join(t for v in values if (t := _text(v)))[:60]


class _SheetReader:
    """Turns the data rows of each roster sheet into people, notes and problems."""

    def __init__(self, parsed: ParsedRoster, date1904: bool, today: dt.date) -> None:
        self.parsed = parsed
        self.date1904 = date1904
        self.today = today
        self.seen_ids: dict[str, tuple[str, int]] = {}
        self.branches: Counter[str] = Counter()
        self.no_standing_sheets: list[str] = []

    def read(self, title: str, columns: list[ColumnReport], data: _Rows) -> int:
        by_field: dict[str, list[ColumnReport]] = {}
        for column in columns:
            if column.field:
                by_field.setdefault(column.field, []).append(column)
        branch_column = next((c.column for c in columns if c.reason == vocab.BRANCH_REASON), None)
        seq_column = next((c.column for c in columns if c.reason.startswith("序号")), None)
        name_column = by_field["name"][0].column if "name" in by_field else None
        stage = _sheet_stage(title)
        if stage is None and "standing" not in by_field:
            self.no_standing_sheets.append(title)
        people = 0
        empty_run: list[int] = []

        def flush_empty() -> None:
            if empty_run:
                self.parsed.ignored.append(
                    IgnoredRow(title, empty_run[0], "", "只有序号的空行", empty_run[-1])
                )
                empty_run.clear()

        for number, values in data:
            reason = _not_a_person(values, seq_column, name_column)
            if reason == "只有序号的空行":
                empty_run.append(number)
                continue
            flush_empty()
            if reason:
                self.parsed.ignored.append(IgnoredRow(title, number, _row_text(values), reason))
                continue
            if branch_column is not None and branch_column < len(values):
                branch = _text(values[branch_column])
                if branch:
                    self.branches[branch] += 1
            cells = {
                key: [(c, values[c.column] if c.column < len(values) else None) for c in cols]
                for key, cols in by_field.items()
            }
            outcome = _PersonReader(self, title, number, cells, stage).read()
            if isinstance(outcome, NonMember):
                self.parsed.non_members.append(outcome)
                people += 1
            elif isinstance(outcome, SkippedRow):
                self.parsed.skipped.append(outcome)
            else:
                people += 1
                self._add(outcome)
        flush_empty()
        return people

    def _add(self, row: RosterRow) -> None:
        id_number = row.member.id_number
        if id_number:
            if id_number in self.seen_ids:
                sheet, first = self.seen_ids[id_number]
                where = f"第 {first} 行" if sheet == row.sheet else f"工作表“{sheet}”第 {first} 行"
                self.parsed.skipped.append(
                    SkippedRow(
                        row.row, row.member.name, f"身份证号与{where}重复，同一人只导入一次", row.sheet
                    )
                )
                return
            self.seen_ids[id_number] = (row.sheet, row.row)
        self.parsed.rows.append(row)

    def finish(self) -> None:
        if len(self.branches) > 1:
            named = "、".join(f"“{b}”（{n} 人）" for b, n in self.branches.most_common())
            self.parsed.notices.append(
                f"“所在党支部”列中有多个支部：{named}。一个数据文件对应一个支部，"
                "请只导入本支部的党员（可在 Excel 中筛选后另存）。"
            )
        if self.no_standing_sheets:
            names = "、".join(f"“{t}”" for t in self.no_standing_sheets)
            self.parsed.notices.append(
                f"工作表{names}没有写明正式或预备党员的列：有转正时间或入党已满一年三个月的按正式党员导入，"
                "入党不满一年三个月且没有转正时间的按预备党员导入（逐行提示），请核对。"
            )


_SEQ = re.compile(r"\d{1,5}")


def _quick_text(value: Any) -> str:
    """A cell as compact text for telling rows apart: cheap, no normalisation."""
    if isinstance(value, str):
        return _SPACES.sub("", value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _not_a_person(values: tuple[Any, ...], seq_column: int | None, name_column: int | None) -> str:
    """Why a data row holds no person ("" when it may hold one)."""
    texts = [(c, t) for c, v in enumerate(values) if v is not None and (t := _quick_text(v))]
    content = [t for c, t in texts if c != seq_column or not _SEQ.fullmatch(t)]
    if not content:
        return "只有序号的空行" if texts else "空行"
    first = texts[0][1]
    if first.startswith(_TOTAL_WORDS) or content[0].startswith(_TOTAL_WORDS):
        return "合计行"
    name = ""
    if name_column is not None and name_column < len(values):
        name = _quick_text(values[name_column])
    if name and vocab.is_header_word(name) and _header_words(values) >= 2:
        return "重复的表头行"
    if _SAMPLE.search("|".join(t for _c, t in texts)) or vocab.value_key(first) in ("例", "示例"):
        return "模板中的示例行"
    lead = content[0]
    if _NOTE_START.match(lead) and (":" in lead or "：" in lead or _NUMBERED_NOTE.match(lead)):
        return "说明文字，不是党员"
    if name and (_SENTENCE.search(name) or len(name) > 30):
        # A sentence alone on its row (a note merged across the sheet) is no person; a name
        # with a stray comma next to the person's other cells is one, and is warned about.
        if len(content) == 1 or len(name) > 15:
            return "说明文字，不是党员"
    if not name and _NOTE_START.match(lead):
        return "说明文字，不是党员"
    return ""


_Cells = dict[str, list[tuple[ColumnReport, Any]]]


class _PersonReader:
    """One data row: the member it describes, a non-member, or the reason it is skipped."""

    def __init__(
        self, sheet_reader: _SheetReader, sheet: str, number: int, cells: _Cells, stage: Stage | None
    ) -> None:
        self.owner = sheet_reader
        self.sheet = sheet
        self.number = number
        self.cells = cells
        self.sheet_stage = stage
        self.warnings: list[RowWarning] = []
        self.present: set[str] = set()

    def warn(self, label: str, message: str) -> None:
        self.warnings.append(RowWarning(self.number, label, message, self.sheet))

    def first(self, key: str) -> Any:
        values = self.cells.get(key)
        return values[0][1] if values else None

    def texts(self, key: str) -> list[tuple[ColumnReport, str]]:
        return [(c, t) for c, v in self.cells.get(key, []) if (t := _text(v))]

    def skip(self, name: str, reason: str) -> SkippedRow:
        return SkippedRow(self.number, name, reason, self.sheet)

    def read(self) -> RosterRow | SkippedRow | NonMember:
        name = normalize_name(_text(self.first("name")))
        if not name:
            return self.skip("", "没有填写姓名")
        if len(name) > 50:
            return self.skip(name[:20], f"姓名最长 50 个字，现有 {len(name)} 个字")
        member = Member(name=name)
        self.present.add("name")
        if _SENTENCE.search(name) or re.search(r"\d", name):
            self.warn("姓名", f"姓名“{name}”中有标点或数字，请核对")

        stages, statuses = self._evidence()
        member_stages = [s for s, _w in stages if s.is_member]
        other = [(s, w) for s, w in stages if not s.is_member]
        if other and member_stages:
            said = "，".join(dict.fromkeys(w for _s, w in stages))
            return self.skip(name, f"{said}，无法确定是否党员，请核对后再导入")
        if other:
            return NonMember(self.sheet, self.number, name, other[0][0].value)

        outcome = self._identity(member)
        if outcome is not None:
            return outcome
        self._personal(member)
        self._dates(member)
        self._standing(member, stages)
        self._status(member, statuses)
        self._contact(member)
        self._roles(member)
        self._group_and_notes(member)

        for issue in check_member(member, today=self.owner.today):
            if issue.field in ("姓名", "身份证号") and issue.is_error:
                return self.skip(name, issue.message)
            self.warnings.append(RowWarning(self.number, issue.field, issue.message, self.sheet))
        self.owner.parsed.warnings.extend(self.warnings)
        return RosterRow(self.number, member, frozenset(self.present), self.sheet)

    # -- 正式/预备/非党员 and status, from every place a file puts them

    def _evidence(self) -> tuple[list[tuple[Stage, str]], list[tuple[MemberStatus, str]]]:
        stages: list[tuple[Stage, str]] = []
        statuses: list[tuple[MemberStatus, str]] = []
        if self.sheet_stage is not None:
            stages.append((self.sheet_stage, f"工作表“{self.sheet}”"))
        for key in ("standing", "status", "full_date"):
            for column, text in self.texts(key):
                where = f"{column.header}“{text}”"
                stage = vocab.stage_of(text)
                if stage is None and vocab.mentions_probation(text):
                    stage = Stage.PROBATIONARY
                status = vocab.status_of(text)
                if stage is not None:
                    stages.append((stage, where))
                elif status is not None and key != "full_date":
                    statuses.append((status, where))
                elif key == "standing":
                    self.warn(
                        "党员类别",
                        f"无法识别的{column.header}“{text}”，应为正式党员或预备党员，已忽略",
                    )
                elif key == "status":
                    self.warn("状态", f"无法识别的{column.header}“{text}”，已忽略")
        return stages, statuses

    def _standing(self, member: Member, stages: list[tuple[Stage, str]]) -> None:
        said = {s for s, _w in stages}
        where = {s: w for s, w in reversed(stages)}
        if Stage.PROBATIONARY in said:
            member.category = Category.PROBATIONARY
            self.present.add("category")
            if Stage.FULL in said:
                self.warn(
                    "党员类别",
                    f"{where[Stage.FULL]}，但{where[Stage.PROBATIONARY]}，按预备党员导入，请核对",
                )
            if member.full_date is not None:
                self.warn(
                    "转正时间",
                    f"填有转正时间 {member.full_date}，但{where[Stage.PROBATIONARY]}，"
                    "按预备党员导入，转正时间未导入，请核对",
                )
                member.full_date = None
                self.present.discard("full_date")
            return
        recent = member.join_date is not None and (
            member.join_date.first_day() > self.owner.today - _PROBATION_HINT
        )
        if Stage.FULL in said:
            member.category = Category.FULL
            self.present.add("category")
            if recent and member.full_date is None:
                self.warn(
                    "党员类别",
                    f"{where[Stage.FULL]}，但入党时间 {member.join_date} 距今不满一年且没有转正时间，请核对",
                )
            return
        if member.full_date is not None:
            member.category = Category.FULL
            self.present.add("category")
        elif recent:
            # Only a hint from the dates: a new member comes in as 预备, a stored member's
            # category (perhaps 转正 in BranchDesk since) is left as it is.
            member.category = Category.PROBATIONARY
            self.warn(
                "党员类别",
                f"没有写明正式或预备；入党时间 {member.join_date} 距今不满一年三个月且没有转正时间，"
                "新党员按预备党员导入（已有党员的类别不改动），请核对",
            )

    def _status(self, member: Member, statuses: list[tuple[MemberStatus, str]]) -> None:
        found = list(statuses)
        for column, text in self.texts("flowing"):
            answer = vocab.yes_no(text)
            if answer is None:
                self.warn("状态", f"无法识别的{column.header}“{text}”，应为“是”或“否”，已忽略")
            elif answer:
                found.append((MemberStatus.FLOWING, f"{column.header}“{text}”"))
        lost_answer: bool | None = None
        for column, text in self.texts("lost"):
            lost_answer = vocab.yes_no(text)
            if lost_answer is None:
                self.warn("状态", f"无法识别的{column.header}“{text}”，应为“是”或“否”，已忽略")
            elif lost_answer:
                found.append((MemberStatus.LOST, f"{column.header}“{text}”"))
        lost_date = self._date("lost_date", "失去联系日期")
        if lost_date is not None:
            if lost_answer is False:
                self.warn("状态", f"填有失去联系日期 {lost_date}，但写着不是失联党员，日期未导入")
                lost_date = None
            elif not any(s is MemberStatus.LOST for s, _w in found):
                found.append((MemberStatus.LOST, "填有失去联系日期"))
        if not found:
            return
        gone = [(s, w) for s, w in found if not s.in_roster]
        order = (MemberStatus.LOST, MemberStatus.FLOWING, MemberStatus.ACTIVE)
        ranked = gone + sorted(
            ((s, w) for s, w in found if s.in_roster), key=lambda item: order.index(item[0])
        )
        status = ranked[0][0]
        if len({s for s, _w in gone}) > 1:
            self.warn("状态", "、".join(w for _s, w in gone) + f"，按“{status.label}”导入，请核对")
        member.status = status
        self.present.add("status")
        if status is MemberStatus.LOST and lost_date is not None:
            member.status_date = lost_date
            self.present.add("status_date")

    # -- the person

    def _identity(self, member: Member) -> SkippedRow | None:
        raw_id = self.first("id_number")
        if isinstance(raw_id, int | float) and not isinstance(raw_id, bool):
            return self.skip(member.name, _NUMERIC_ID)
        if raw_id is None:
            return None
        id_number = normalize_id_number(_text(raw_id))
        if not id_number:
            return None
        if "*" in id_number:
            return self.skip(member.name, "身份证号已打码（含 *），无法据此导入，请使用完整号码")
        try:
            parse_id_number(id_number)
        except ValueError as exc:
            return self.skip(member.name, f"身份证号“{id_number}”无效：{exc}")
        member.id_number = id_number
        self.present.add("id_number")
        return None

    def _personal(self, member: Member) -> None:
        gender_text = _compact(_text(self.first("gender")))
        if gender_text:
            genders = {g.label: g for g in Gender} | {f"{g.label}性": g for g in Gender}
            if gender_text in genders:
                member.gender = genders[gender_text]
                self.present.add("gender")
            else:
                self.warn("性别", f"无法识别的性别“{gender_text}”，应为“男”或“女”，已留空")
        for key in _TEXT_FIELDS:
            text = _text(self.first(key))
            if text:
                setattr(member, key, text)
                self.present.add(key)
        workplace = " ".join(t for _c, t in self.texts("workplace"))
        if workplace:
            member.workplace = workplace
            self.present.add("workplace")

    def _date(self, key: str, label: str) -> PartialDate | None:
        value = self.first(key)
        if isinstance(value, str) and (vocab.stage_of(value) or vocab.mentions_probation(value)):
            return None  # 转正时间 "预备党员": read as evidence of the stage
        try:
            return parse_date_value(value, date1904=self.owner.date1904)
        except ValueError as exc:
            self.warn(label, f"{exc}；此项已留空")
            return None

    def _dates(self, member: Member) -> None:
        for key in ("join_date", "full_date"):
            date = self._date(key, FIELD_LABELS[key])
            if date is not None:
                setattr(member, key, date)
                self.present.add(key)
        written = self._date("birth_date", "出生日期")
        if member.id_number:
            from_id = parse_id_number(member.id_number).birth_date
            if written is not None and (
                (written.year, written.month) != (from_id.year, from_id.month)
                or (written.day is not None and written.day != from_id.day)
            ):
                self.warn(
                    "出生日期",
                    f"出生日期 {written} 与身份证号中的 {from_id.isoformat()} 不一致，"
                    "已按身份证号导入，请核对",
                )
            member.birth_date = PartialDate.of(from_id)
            self.present.add("birth_date")
        elif written is not None:
            member.birth_date = written
            self.present.add("birth_date")

    def _contact(self, member: Member) -> None:
        phone = normalize_phone(_text(self.first("phone")))
        landline = normalize_phone(_text(self.first("landline")))
        if phone or landline:
            member.phone = phone or landline
            self.present.add("phone")

    def _roles(self, member: Member) -> None:
        texts = self.texts("roles")
        if not texts:
            return
        roles: list[Role] = []
        for part in vocab.split_roles(texts[0][1]):
            role = vocab.role_of(part)
            if role is not None:
                roles.append(role)
            elif "组长" in part:
                self.warn("支委职务", f"“{part}”不是支委职务，请在“党小组”中设置组长")
            elif not vocab.is_no_role(part):
                self.warn("支委职务", f"无法识别的支委职务“{part}”，已忽略")
        member.roles = list(dict.fromkeys(roles))
        self.present.add("roles")

    def _group_and_notes(self, member: Member) -> None:
        group = _text(self.first("group"))
        if group:
            member.group_name = group[:50]
            self.present.add("group_name")
        notes: list[str] = []
        for column, text in self.texts("notes"):
            plain = vocab.field_for_header(column.header.split("/")[-1]) == "notes"
            notes.append(text if plain else f"{column.header}：{text}")
        for column, text in self.texts("flow_to"):
            notes.append(f"{column.header}：{text}")
        landline = normalize_phone(_text(self.first("landline")))
        if landline and member.phone != landline:
            notes.append(f"固定电话：{landline}")
        if notes:
            member.notes = "；".join(notes)
            self.present.add("notes")


# --- planning ------------------------------------------------------------------------------

# Below this line: what an import will change and writing it; above: reading the file.
from typing import Literal  # noqa: E402

from branchdesk.domain.members import JoinHow  # noqa: E402

ORIGINAL = "original"  # joined_on for members in the branch before its records began
JoinedOn = dt.date | Literal["original"]


def default_joined_on(first_import: bool, today: dt.date | None = None) -> JoinedOn:
    """A first import into an empty branch brings its original members (they count from
    their 入党时间); a later one brings members who join the branch today."""
    return ORIGINAL if first_import else (today or dt.date.today())


def joined_on_text(joined_on: JoinedOn) -> str:
    """How the preview and the summary say it: ``本支部原有党员`` or ``2026年12月2日转入``."""
    if joined_on == ORIGINAL:
        return "本支部原有党员（按入党时间计入）"
    assert isinstance(joined_on, dt.date)
    return f"{joined_on.year}年{joined_on.month}月{joined_on.day}日加入本支部"


@dataclass(frozen=True)
class FieldChange:
    field: str  # Chinese label
    old: str
    new: str


@dataclass
class PlannedRow:
    row: int
    member: Member  # the member as it will be stored
    changes: list[FieldChange] = field(default_factory=list)
    sheet: str = ""


@dataclass
class ImportPreview:
    parsed: ParsedRoster
    to_add: list[PlannedRow] = field(default_factory=list)
    to_update: list[PlannedRow] = field(default_factory=list)
    unchanged: list[PlannedRow] = field(default_factory=list)
    new_groups: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # about the plan (groups that ended)
    first_import: bool = False  # nobody in the roster yet: ask whether they are 原有
    joined_on: JoinedOn = ORIGINAL  # what the plan assumed; the write may be told another

    @property
    def skipped(self) -> list[SkippedRow]:
        return self.parsed.skipped

    @property
    def warnings(self) -> list[RowWarning]:
        return self.parsed.warnings

    @property
    def has_changes(self) -> bool:
        return bool(self.to_add or self.to_update)

    def to_json(self) -> dict[str, Any]:
        return {
            **_summary_json(
                len(self.to_add), len(self.to_update), len(self.unchanged), self.parsed,
                self.notices,
            ),
            **_dated_json(self.joined_on, self.new_groups),
        }  # fmt: skip

    def groups_text(self) -> str:
        """The groups the import will create and from when: ``将新建党小组：第四党小组
        （自2026年12月2日起）``, or an empty string."""
        if not self.new_groups:
            return ""
        since = (
            "" if self.joined_on == ORIGINAL else f"（自{_day_text(self.joined_on)}起）"
        )
        return f"将新建党小组：{'、'.join(self.new_groups)}{since}"


def _day_text(day: JoinedOn) -> str:
    assert isinstance(day, dt.date)
    return f"{day.year}年{day.month}月{day.day}日"


def _dated_json(joined_on: JoinedOn, new_groups: list[str]) -> dict[str, Any]:
    return {
        "joined_on": joined_on if joined_on == ORIGINAL else joined_on.isoformat(),  # type: ignore[union-attr]
        "new_groups": list(new_groups),
    }


@dataclass
class ImportResult:
    added: int
    updated: int
    unchanged: int
    parsed: ParsedRoster
    new_groups: list[str] = field(default_factory=list)
    joined_on: JoinedOn = ORIGINAL
    notices: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> list[SkippedRow]:
        return self.parsed.skipped

    @property
    def warnings(self) -> list[RowWarning]:
        return self.parsed.warnings

    def to_json(self) -> dict[str, Any]:
        return {
            **_summary_json(
                self.added, self.updated, self.unchanged, self.parsed, self.notices
            ),
            **_dated_json(self.joined_on, self.new_groups),
        }

    def summary(self) -> str:
        return (
            f"新增 {self.added} 人，更新 {self.updated} 人，无变化 {self.unchanged} 人，"
            f"跳过 {len(self.skipped)} 行，提示 {len(self.warnings)} 条"
            + (f"，非党员 {len(self.parsed.non_members)} 人未导入" if self.parsed.non_members else "")
        )


def _summary_json(
    added: int, updated: int, unchanged: int, parsed: ParsedRoster, notices: list[str]
) -> dict[str, Any]:
    return {
        "added": added,
        "updated": updated,
        "unchanged": unchanged,
        "skipped": [s.to_json() for s in parsed.skipped],
        "warnings": [w.to_json() for w in parsed.warnings],
        "columns": parsed.columns_json(),
        "sheets": [s.to_json() for s in parsed.sheets],
        "non_members": [n.to_json() for n in parsed.non_members],
        "ignored_rows": [r.to_json() for r in parsed.ignored],
        "notices": [*parsed.notices, *notices],
    }


def _shown(member: Member, attribute: str) -> str:
    value = getattr(member, attribute)
    if value is None:
        return ""
    if attribute == "roles":
        return "、".join(role.label for role in value)
    if isinstance(value, Gender | Category | MemberStatus):
        return value.label
    return str(value)


def plan_import(
    db: Database, parsed: ParsedRoster, *, joined_on: JoinedOn | None = None
) -> ImportPreview:
    """Compare the parsed file with the stored roster; writes nothing.

    ``joined_on``: when the new members joined the branch (a date), or ``ORIGINAL`` for a
    branch's own members; by default ORIGINAL for a first import, today for a later one.
    """
    existing = MemberRepo(db).list()
    first_import = not existing
    if joined_on is None:
        joined_on = default_joined_on(first_import)
    preview = ImportPreview(parsed=parsed, first_import=first_import, joined_on=joined_on)
    by_id = {m.id_number: m for m in existing if m.id_number}
    all_groups = GroupRepo(db).list(include_ended=True)
    known_groups = {g.name for g in all_groups}
    ended = {g.name: g.end for g in all_groups if g.end is not None and g.end < dt.date.today()}
    into_ended: dict[str, list[str]] = {}
    claimed: set[int] = set()

    def by_name_and_birth(member: Member) -> Member | None:
        for candidate in existing:
            if (
                candidate.id not in claimed
                and not candidate.id_number
                and candidate.name == member.name
                and candidate.birth_date == member.birth_date
            ):
                return candidate
        return None

    for row in parsed.rows:
        incoming = row.member
        match = by_id.get(incoming.id_number) if incoming.id_number else None
        if match is None or match.id in claimed:
            match = by_name_and_birth(incoming)
        if row.present & {"group_name"} and incoming.group_name not in known_groups:
            known_groups.add(incoming.group_name)
            preview.new_groups.append(incoming.group_name)
        present = row.present
        if "group_name" in present and incoming.group_name in ended:
            # A group that was dissolved or merged takes nobody in: the rest of the row is
            # imported, the group is left as it is, and the preview says so.
            into_ended.setdefault(incoming.group_name, []).append(incoming.name)
            incoming = replace(incoming, group_name="", group_id=None)
            present = present - {"group_name"}
        if match is None:
            added = replace(incoming, roles=list(incoming.roles))
            if added.id_number:  # facts the ID number states with certainty
                facts = parse_id_number(added.id_number)
                added.birth_date = added.birth_date or PartialDate.of(facts.birth_date)
                added.gender = added.gender or facts.gender
            if joined_on == ORIGINAL:
                added.branch_join_how = JoinHow.ORIGINAL
            else:  # nothing before the day they joined changes
                assert isinstance(joined_on, dt.date)
                added.branch_join_how = JoinHow.TRANSFER_IN
                added.branch_join_date = PartialDate.of(joined_on)
            preview.to_add.append(PlannedRow(row.row, added, sheet=row.sheet))
            continue
        assert match.id is not None
        claimed.add(match.id)
        target = replace(match, roles=list(match.roles))
        changes: list[FieldChange] = []
        for attribute in IMPORT_FIELDS:
            if attribute not in present:
                continue  # an empty cell never erases what is stored
            old, new = getattr(match, attribute), getattr(incoming, attribute)
            if attribute == "roles":
                same = set(old) == set(new)
            else:
                same = old == new
            if not same:
                setattr(target, attribute, new)
                changes.append(
                    FieldChange(
                        FIELD_LABELS[attribute],
                        _shown(match, attribute),
                        _shown(incoming, attribute),
                    )
                )
        planned = PlannedRow(row.row, target, changes, row.sheet)
        (preview.to_update if changes else preview.unchanged).append(planned)
    for name, people in into_ended.items():
        end = ended[name]
        assert end is not None
        who = "、".join(people[:5]) + (f"等 {len(people)} 人" if len(people) > 5 else "")
        preview.notices.append(
            f"党小组“{name}”已于{end.year}年{end.month}月{end.day}日撤销或合并，文件中{who}仍写着它："
            "他们的其他信息照常导入，但不编入该组（已有党员仍在原来的党小组）；"
            "如需编组，请在“党小组”中调整。"
        )
    return preview


# --- applying ------------------------------------------------------------------------------


def apply_import(
    db: Database, preview: ImportPreview, *, joined_on: JoinedOn | None = None
) -> ImportResult:
    """Write the import in one transaction: everything or nothing.

    The plan is made again inside the transaction, so edits made since the preview was
    shown are respected rather than overwritten with stale values. New members join the
    branch on ``joined_on`` (default: what the preview assumed); groups the import creates
    exist from that day, and group or role changes of known members hold from it.
    """
    joined_on = joined_on or preview.joined_on
    dated = joined_on if isinstance(joined_on, dt.date) else None
    try:
        with db.atomic():
            plan = plan_import(db, preview.parsed, joined_on=joined_on)
            groups = GroupRepo(db)
            members = MemberRepo(db)
            group_ids: dict[str, int] = {}

            def group_id(name: str) -> int:
                if name not in group_ids:
                    group_ids[name] = groups.get_or_create(name, start=dated).id
                return group_ids[name]

            for planned in plan.to_add:
                member = planned.member
                if member.group_name:
                    member.group_id = group_id(member.group_name)
            members.add_many([planned.member for planned in plan.to_add])
            for planned in plan.to_update:
                member = planned.member
                if any(change.field == "党小组" for change in planned.changes):
                    member.group_id = group_id(member.group_name) if member.group_name else None
                members.update(member, effective=dated)
    except sqlite3.Error as exc:
        raise storage_error(exc) from exc
    return ImportResult(
        added=len(plan.to_add),
        updated=len(plan.to_update),
        unchanged=len(plan.unchanged),
        parsed=preview.parsed,
        new_groups=list(plan.new_groups),
        joined_on=joined_on,
        notices=list(plan.notices),
    )
