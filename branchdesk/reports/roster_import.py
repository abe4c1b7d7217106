"""Import a 党员花名册 (.xlsx) the way branches really keep it.

Three steps, shared by the GUI and the CLI:

* ``read_roster(path)`` parses the file (no database): finds the header row among the
  first rows, maps the usual column names, reads dates as people type them and decides
  which rows cannot be imported and why;
* ``plan_import(db, parsed)`` compares with the stored roster, read-only;
* ``apply_import(db, preview)`` writes it in one transaction.

A value that cannot be read without guessing (``2019.1``) is left empty and reported;
a row whose person cannot be identified safely (no name, a broken ID number, an ID number
that Excel already rounded) is skipped and reported with its Excel row number.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from branchdesk.domain.dates import AmbiguousDate, PartialDate, parse_date_value
from branchdesk.domain.members import Category, Gender, Member, MemberStatus, Role
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


# Field key -> (label people know, header spellings seen in real rosters).
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "seq": ("序号", ("序号", "编号", "顺序号")),
    "name": ("姓名", ("姓名", "党员姓名", "名字")),
    "gender": ("性别", ("性别",)),
    "ethnicity": ("民族", ("民族",)),
    "birth_date": ("出生日期", ("出生日期", "出生年月", "出生年月日", "出生时间")),
    "id_number": (
        "身份证号",
        ("身份证号", "身份证号码", "公民身份号码", "身份证", "公民身份证号码", "身份证件号码"),
    ),
    "education": ("学历", ("学历", "文化程度", "最高学历")),
    "join_date": ("入党时间", ("入党时间", "入党日期", "加入党组织日期", "入党年月")),
    "full_date": ("转正时间", ("转正时间", "转正日期", "转为正式党员日期", "转正年月")),
    "category": ("党员类别", ("党员类别", "人员类别", "类别", "党员身份")),
    "group": ("党小组", ("党小组", "所在党小组", "所属党小组")),
    "phone": (
        "联系电话",
        ("联系电话", "手机", "手机号码", "手机号", "电话", "电话号码", "联系方式"),
    ),
    "workplace": (
        "工作单位及职务",
        ("工作单位及职务", "工作单位", "单位职务", "工作单位和职务", "单位及职务"),
    ),
    "status": ("状态", ("状态", "党员状态", "人员状态")),
    "roles": ("支委职务", ("支委职务", "支部职务", "党内职务")),
    "notes": ("备注", ("备注",)),
}
_SYNONYMS = {spelling: key for key, (_label, names) in COLUMNS.items() for spelling in names}
LABELS = {key: label for key, (label, _names) in COLUMNS.items()}

HEADER_SCAN_ROWS = 20
_DATE_FIELDS = ("birth_date", "join_date", "full_date")
_TEXT_FIELDS = ("ethnicity", "education", "workplace")
_TOTAL_WORDS = ("合计", "总计", "小计", "共计")
_FOOTER_WORDS = (
    "填表人",
    "制表人",
    "审核人",
    "填报人",
    "填报日期",
    "填表日期",
    "注：",
    "注:",
    "说明",
)
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
    "roles",
    "notes",
)
FIELD_LABELS = {
    **{key: LABELS[key] for key in IMPORT_FIELDS if key in LABELS},
    "group_name": "党小组",
}


@dataclass(frozen=True)
class RowWarning:
    row: int
    field: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message}


@dataclass(frozen=True)
class SkippedRow:
    row: int
    name: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "name": self.name, "reason": self.reason}


@dataclass
class RosterRow:
    """One person as the file describes them; ``present`` names the attributes it filled."""

    row: int
    member: Member
    present: frozenset[str]


@dataclass
class ParsedRoster:
    path: Path
    sheet: str
    header_row: int
    columns: dict[str, str]  # field key -> header text as written in the file
    rows: list[RosterRow] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)
    warnings: list[RowWarning] = field(default_factory=list)


# --- reading -------------------------------------------------------------------------------


def _header_key(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = normalize_text(value)
    text = re.sub(r"[（(【\[].*?[）)】\]]", "", text)  # 出生年月（年.月）, 身份证号码(18位)
    text = re.sub(r"[\s*:：]", "", text)
    return _SYNONYMS.get(text)


def _find_header(rows: list[tuple[int, tuple[Any, ...]]]) -> tuple[int, dict[str, int]] | None:
    best: tuple[int, dict[str, int]] | None = None
    for index, (_number, values) in enumerate(rows[:HEADER_SCAN_ROWS]):
        mapping: dict[str, int] = {}
        for column, value in enumerate(values):
            key = _header_key(value)
            if key and key not in mapping:
                mapping[key] = column
        if "name" not in mapping or len(mapping) < 3:
            continue
        if best is None or len(mapping) > len(best[1]):
            best = (index, mapping)
    return best


def read_roster(path: Path | str, *, limits: Limits = DEFAULT_LIMITS) -> ParsedRoster:
    """Parse a roster file; raise ``RosterFileError`` when it cannot be read safely."""
    path = Path(path)
    try:
        workbook = read_workbook_rows(path, limits)
    except XlsxFileError as exc:
        raise RosterFileError(exc.message) from exc
    for sheet in workbook.sheets:
        found = _find_header(sheet.rows)
        if found is None:
            continue
        index, mapping = found
        header_number, header_values = sheet.rows[index]
        parsed = ParsedRoster(
            path=path,
            sheet=sheet.title,
            header_row=header_number,
            columns={key: normalize_text(str(header_values[col])) for key, col in mapping.items()},
        )
        _read_rows(parsed, sheet.rows[index + 1 :], mapping, workbook.date1904)
        return parsed
    raise RosterFileError(
        f"在“{path.name}”的前 {HEADER_SCAN_ROWS} 行中没有找到花名册的表头。"
        "表头应在同一行中包含“姓名”和至少两个其他列名，如“性别”“身份证号”“入党时间”。"
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
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
    return re.sub(r"\s+", "", text)


def _is_not_a_member(cells: dict[str, Any], values: tuple[Any, ...], seq_column: int) -> bool:
    """A 合计 line, a repeated header, a pre-numbered empty line or a signature footer."""
    texts = [_compact(_text(v)) for i, v in enumerate(values) if v is not None and i != seq_column]
    texts = [t for t in texts if t]
    if not texts:
        return True  # empty, or only a 序号 printed in advance
    name = _compact(_text(cells.get("name")))
    first = texts[0]
    leading = [_compact(_text(v)) for v in values if v is not None][:1] + [first, name]
    if any(t.startswith(word) for t in leading for word in _TOTAL_WORDS):
        return True
    if _header_key(cells.get("name")) == "name":
        return True  # the header repeated on a later page
    if not name and any(first.startswith(word) for word in _FOOTER_WORDS):
        return True
    return False


def _read_rows(
    parsed: ParsedRoster,
    rows: list[tuple[int, tuple[Any, ...]]],
    mapping: dict[str, int],
    date1904: bool,
) -> None:
    seen_ids: dict[str, int] = {}
    for number, values in rows:
        cells = {key: values[col] if col < len(values) else None for key, col in mapping.items()}
        if _is_not_a_member(cells, values, mapping.get("seq", -1)):
            continue
        row = _read_member(number, cells, date1904, parsed.warnings)
        if isinstance(row, SkippedRow):
            parsed.skipped.append(row)
            continue
        id_number = row.member.id_number
        if id_number:
            if id_number in seen_ids:
                parsed.skipped.append(
                    SkippedRow(
                        number,
                        row.member.name,
                        f"身份证号与第 {seen_ids[id_number]} 行重复，同一人只导入一次",
                    )
                )
                continue
            seen_ids[id_number] = number
        parsed.rows.append(row)


def _read_member(
    number: int, cells: dict[str, Any], date1904: bool, warnings: list[RowWarning]
) -> RosterRow | SkippedRow:
    row_warnings: list[RowWarning] = []

    def warn(key: str, message: str) -> None:
        row_warnings.append(
            RowWarning(number, FIELD_LABELS.get(key, LABELS.get(key, key)), message)
        )

    name = normalize_name(_text(cells.get("name")))
    if not name:
        return SkippedRow(number, "", "没有填写姓名")
    if len(name) > 50:
        return SkippedRow(number, name[:20], f"姓名最长 50 个字，现有 {len(name)} 个字")

    member = Member(name=name)
    present = {"name"}

    raw_id = cells.get("id_number")
    if isinstance(raw_id, int | float) and not isinstance(raw_id, bool):
        return SkippedRow(number, name, _NUMERIC_ID)
    if raw_id is not None:
        id_number = normalize_id_number(_text(raw_id))
        if id_number:
            if "*" in id_number:
                return SkippedRow(
                    number, name, "身份证号已打码（含 *），无法据此导入，请使用完整号码"
                )
            try:
                parse_id_number(id_number)
            except ValueError as exc:
                return SkippedRow(number, name, f"身份证号“{id_number}”无效：{exc}")
            member.id_number = id_number
            present.add("id_number")

    gender_text = _compact(_text(cells.get("gender")))
    if gender_text:
        gender = {g.label: g for g in Gender} | {f"{g.label}性": g for g in Gender}
        if gender_text in gender:
            member.gender = gender[gender_text]
            present.add("gender")
        else:
            warn("gender", f"无法识别的性别“{gender_text}”，应为“男”或“女”，已留空")

    for key in _TEXT_FIELDS:
        text = _text(cells.get(key))
        if text:
            setattr(member, key, text)
            present.add(key)
    notes = _text(cells.get("notes"))
    if notes:
        member.notes = notes
        present.add("notes")

    for key in _DATE_FIELDS:
        value = cells.get(key)
        try:
            date = parse_date_value(value, date1904=date1904)
        except AmbiguousDate as exc:
            warn(key, f"{exc}；此项已留空")
            continue
        except ValueError as exc:
            warn(key, f"{exc}；此项已留空")
            continue
        if date is not None:
            setattr(member, key, date)
            present.add(key)

    category_text = _compact(_text(cells.get("category")))
    if category_text:
        categories = {c.label: c for c in Category} | {f"{c.label}党员": c for c in Category}
        if category_text in categories:
            member.category = categories[category_text]
            present.add("category")
        else:
            warn(
                "category",
                f"无法识别的党员类别“{category_text}”，应为“正式”或“预备”，已按正式党员处理",
            )

    group = _text(cells.get("group"))
    if group:
        member.group_name = group[:50]
        present.add("group_name")

    phone_value = cells.get("phone")
    if phone_value is not None:
        phone = normalize_phone(_text(phone_value))
        if phone:
            member.phone = phone
            present.add("phone")

    status_text = _compact(_text(cells.get("status")))
    if status_text:
        status = _read_status(status_text)
        if status is None:
            warn("status", f"无法识别的状态“{status_text}”，已留空（新党员按“在册”处理）")
        else:
            member.status = status
            present.add("status")

    roles_text = _text(cells.get("roles"))
    if roles_text:
        roles: list[Role] = []
        for part in re.split(r"[、,，/;；\s]+", roles_text):
            if not part:
                continue
            role = Role.by_label(part)
            if role is None:
                warn("roles", f"无法识别的支委职务“{part}”，已忽略")
            else:
                roles.append(role)
        if roles:
            member.roles = list(dict.fromkeys(roles))
            present.add("roles")

    for issue in check_member(member):
        if issue.field in ("姓名", "身份证号") and issue.is_error:
            return SkippedRow(number, name, issue.message)
        row_warnings.append(RowWarning(number, issue.field, issue.message))
    warnings.extend(row_warnings)
    return RosterRow(number, member, frozenset(present))


def _read_status(text: str) -> MemberStatus | None:
    for status in MemberStatus:
        if text in (status.label, f"已{status.label}", f"{status.label}党员"):
            return status
    aliases = {
        "正常": MemberStatus.ACTIVE,
        "在职": MemberStatus.ACTIVE,
        "离世": MemberStatus.DECEASED,
    }
    return aliases.get(text)


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


@dataclass
class ImportPreview:
    parsed: ParsedRoster
    to_add: list[PlannedRow] = field(default_factory=list)
    to_update: list[PlannedRow] = field(default_factory=list)
    unchanged: list[PlannedRow] = field(default_factory=list)
    new_groups: list[str] = field(default_factory=list)
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
                len(self.to_add), len(self.to_update), len(self.unchanged), self.skipped,
                self.warnings,
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
    skipped: list[SkippedRow]
    warnings: list[RowWarning]
    new_groups: list[str] = field(default_factory=list)
    joined_on: JoinedOn = ORIGINAL

    def to_json(self) -> dict[str, Any]:
        return {
            **_summary_json(
                self.added, self.updated, self.unchanged, self.skipped, self.warnings
            ),
            **_dated_json(self.joined_on, self.new_groups),
        }

    def summary(self) -> str:
        return (
            f"新增 {self.added} 人，更新 {self.updated} 人，无变化 {self.unchanged} 人，"
            f"跳过 {len(self.skipped)} 行，提示 {len(self.warnings)} 条"
        )


def _summary_json(
    added: int, updated: int, unchanged: int, skipped: list[SkippedRow], warnings: list[RowWarning]
) -> dict[str, Any]:
    return {
        "added": added,
        "updated": updated,
        "unchanged": unchanged,
        "skipped": [s.to_json() for s in skipped],
        "warnings": [w.to_json() for w in warnings],
    }


def _shown(member: Member, attribute: str) -> str:
    value = getattr(member, attribute)
    if value is None:
        return ""
    if attribute == "roles":
        return "、".join(role.label for role in value)
    if isinstance(value, Gender | Category | MemberStatus):
        return value.value
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
    known_groups = {g.name for g in GroupRepo(db).list(include_ended=True)}
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
            preview.to_add.append(PlannedRow(row.row, added))
            continue
        assert match.id is not None
        claimed.add(match.id)
        target = replace(match, roles=list(match.roles))
        changes: list[FieldChange] = []
        for attribute in IMPORT_FIELDS:
            if attribute not in row.present:
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
        planned = PlannedRow(row.row, target, changes)
        (preview.to_update if changes else preview.unchanged).append(planned)
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
                members.add(member)
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
        skipped=list(preview.skipped),
        warnings=list(preview.warnings),
        new_groups=list(plan.new_groups),
        joined_on=joined_on,
    )
