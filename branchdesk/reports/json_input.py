"""JSON that people and other tools feed to ``meetings add`` and ``activities add``.

Two steps, both before anything is looked up in or written to the database:

* ``read_json_bytes`` turns the bytes of a file or of standard input into Python values:
  UTF-8 with or without a BOM, at most ``MAX_INPUT_BYTES``, nested at most ``MAX_DEPTH``
  deep. Another encoding is named; NaN, Infinity and numbers too long to be real become
  markers that the shape check reports at their place.
* ``check_records`` holds each record against its declared shape (field -> ``Field``):
  type, length, allowed values, date range, no lone surrogate in any text.

Unknown fields are reported, not ignored, so a misspelt ``minute`` never drops the minutes
silently. The fields ``list --json`` writes that ``add`` cannot take back (ids, counts,
attachment names) are declared ``Kind.IGNORED``, so a listing is accepted back as it is.

Every problem is one Chinese sentence naming the record, the field path and what arrived:
``第 3 个会议的 attendance 第 2 项 member_id：应为整数党员编号，收到 true``.

``records_from_json`` is the one loop every record type (会议, 活动, ...) reads through:
shape check, then each record built (people found in the ``Roster``), every problem collected
with its place, and nothing returned unless all are good. ``record_to_json`` is the matching
writer's frame: ``id`` first, the type's own fields, ``attachments`` last.
"""

from __future__ import annotations

import codecs
import datetime as dt
import difflib
import enum
import json
import math
import re
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import accumulate
from typing import IO, Any, Protocol, TypeVar

from branchdesk.domain.meetings import Attachment, Person
from branchdesk.domain.members import Member
from branchdesk.domain.validation import normalize_name, record_date_problem

MAX_INPUT_BYTES = 50 * 1024 * 1024
MAX_DEPTH = 64
MAX_RECORDS = 10_000  # per file: two centuries of a busy branch's meetings
MAX_PROBLEMS = 20  # listed before "另有 N 处"
_MAX_DIGITS = 30  # a number literal longer than this is no id, hours or count


class JsonInputError(ValueError):
    """The input cannot be read as JSON; the message says why, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# -- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NotANumber:
    """What JSON had where a number was: NaN, Infinity, or a literal too long to be real."""

    text: str

    def __str__(self) -> str:
        return self.text


_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')  # unambiguous: linear even when unclosed
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEPS = str.maketrans({"[": "\x01", "{": "\x01", "]": "\xff", "}": "\xff"})
_DECODE_ERRORS = {
    "Expecting value": "此处应为一个值",
    "Expecting ',' delimiter": "缺少逗号",
    "Expecting ':' delimiter": "缺少冒号",
    "Expecting property name enclosed in double quotes": "字段名应写在英文双引号中",
    "Unterminated string starting at": "文字缺少结尾的双引号",
    "Invalid control character at": "文字中有未转义的控制字符（如直接换行，应写作 \\n）",
    "Invalid \\escape": "无效的转义符",
    "Invalid \\uXXXX escape": "无效的 \\u 转义符",
    "Extra data": "JSON 已结束，后面还有多余的内容",
}


def read_json_file(path: str) -> Any:
    """Read a JSON file; ``OSError`` when it cannot be read, ``JsonInputError`` when bad."""
    with open(path, "rb") as handle:
        raw = handle.read(MAX_INPUT_BYTES + 1)
    return read_json_bytes(raw, path)


def read_json_stream(stream: IO[Any], source: str = "标准输入") -> Any:
    """Read JSON from a stream: its bytes when it has them, else its text."""
    binary = getattr(stream, "buffer", None)
    if binary is not None:
        return read_json_bytes(binary.read(MAX_INPUT_BYTES + 1), source)
    text = stream.read(MAX_INPUT_BYTES + 1)
    if isinstance(text, bytes):
        return read_json_bytes(text, source)
    if len(text) > MAX_INPUT_BYTES:
        raise JsonInputError(_too_big(source))
    return parse_json_text(text.removeprefix("\ufeff"), source)


def read_json_bytes(raw: bytes, source: str) -> Any:
    """Decode UTF-8 (a BOM is allowed) and parse; name any other encoding."""
    if len(raw) > MAX_INPUT_BYTES:
        raise JsonInputError(_too_big(source))
    for bom, name in _BOMS:
        if raw.startswith(bom):
            raise JsonInputError(f"{source}：文件是 {name} 编码，请另存为 UTF-8 编码后再试")
    skipped = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    body = raw[skipped:]
    if len(body) >= 4:  # UTF-16/32 without a BOM: JSON starts with ASCII, so zeros show it
        guessed = json.detect_encoding(body)
        if guessed != "utf-8":
            name = "UTF-32" if "32" in guessed else "UTF-16"
            raise JsonInputError(f"{source}：文件是 {name} 编码，请另存为 UTF-8 编码后再试")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        hint = ""
        try:
            body.decode("gbk")
            hint = "，看起来是 GBK 编码（简体中文 Windows 的默认编码）"
        except UnicodeDecodeError:
            pass
        raise JsonInputError(
            f"{source}：不是 UTF-8 编码（第 {skipped + exc.start + 1} 字节）{hint}；"
            "请用记事本等打开后另存为 UTF-8 编码"
        ) from None
    return parse_json_text(text, source)


def parse_json_text(text: str, source: str) -> Any:
    """Parse JSON text whose nesting has been checked first, so no recursion limit is hit."""
    if text.count("[") + text.count("{") > MAX_DEPTH:  # else it cannot nest deeper: skip
        depth = nesting_depth(text)
        if depth > MAX_DEPTH:
            raise JsonInputError(
                f"{source}：JSON 嵌套太深（{depth} 层，最多 {MAX_DEPTH} 层），不像会议或活动的数据"
            )
    try:
        return json.loads(text, parse_constant=NotANumber, parse_float=_float, parse_int=_int)
    except json.JSONDecodeError as exc:
        reason = next(
            (chinese for english, chinese in _DECODE_ERRORS.items() if exc.msg.startswith(english)),
            exc.msg,
        )
        raise JsonInputError(
            f"{source}：不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列），{reason}"
        ) from None
    except RecursionError:  # cannot happen below MAX_DEPTH; kept so no traceback ever shows
        raise JsonInputError(f"{source}：JSON 嵌套太深") from None


def nesting_depth(text: str) -> int:
    """How deep arrays and objects nest (brackets inside strings not counted).

    Unclosed brackets count too: the parser would recurse into them all the same.
    """
    skeleton = _NOT_BRACKET.sub("", _STRING.sub("", text))
    steps = array("b", skeleton.translate(_STEPS).encode("latin-1"))
    return max(accumulate(steps), default=0)


def _too_big(source: str) -> str:
    return f"{source}：超过 {MAX_INPUT_BYTES // (1024 * 1024)} MB，请分成几个文件分别添加"


def _float(text: str) -> float | NotANumber:
    value = float(text)
    return value if math.isfinite(value) else NotANumber(text)


def _int(text: str) -> int | NotANumber:
    return int(text) if len(text) <= _MAX_DIGITS else NotANumber(text[:12] + "…")


# -- shapes -----------------------------------------------------------------------------------


class Kind(enum.Enum):
    """What a field holds."""

    TEXT = "text"  # a string, or null for empty
    DATE = "date"  # "YYYY-MM-DD" between 1921-07-01 and a year from today
    TIME = "time"  # "HH:MM", or null / "" for none
    ID = "id"  # a member's number: a positive integer, never true/1.0/"1"
    HOURS = "hours"  # a finite number within ``limit``
    COUNT = "count"  # a whole number from 0 to ``limit`` (votes)
    CHOICE = "choice"  # one of ``choices``
    TEXTS = "texts"  # a list of strings (one string is taken as a list of one)
    CHOICES = "choices"  # a non-empty list, each one of ``choices``
    OBJECT = "object"  # an object of ``shape``, or null
    OBJECTS = "objects"  # a list of objects of ``shape``
    PERSON = "person"  # a name, an object of ``shape`` (member_id, name), or null
    IGNORED = "ignored"  # written by list --json, not taken back: only NaN etc. refused


@dataclass(frozen=True)
class Field:
    """What one JSON field must hold; ``limit`` is characters, items or hours by kind."""

    kind: Kind
    required: bool = False
    limit: float = 0
    item_limit: int = 0  # characters of each text in a TEXTS list
    choices: tuple[str, ...] = ()
    shape: Mapping[str, Field] | None = None
    what: str = "值"  # what a CHOICE/CHOICES value is, for people: 会议类型
    example: str = ""  # the allowed values, for people; all of ``choices`` when empty


Shape = Mapping[str, Field]


@dataclass(frozen=True)
class Where:
    """A place in the input, said as people read it: 第 3 个会议的 attendance 第 2 项 member_id."""

    noun: str
    index: int
    path: tuple[str | int, ...] = ()

    def __truediv__(self, step: str | int) -> Where:
        return Where(self.noun, self.index, (*self.path, step))

    def __str__(self) -> str:
        text = f"第 {self.index} 个{self.noun}"
        previous: str | int | None = None
        for step in self.path:
            if isinstance(step, int):
                text += f" 第 {step + 1} 项"
            elif previous is None:
                text += f"的 {step}"
            else:
                text += f".{step}" if isinstance(previous, str) else f" {step}"
            previous = step
        return text

    def says(self, message: str) -> str:
        return f"{self}：{message}"


_SURROGATE = re.compile("[\ud800-\udfff]")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


def shown(value: Any) -> str:
    """A received value as JSON, short, with lone surrogates written as escapes."""
    if isinstance(value, NotANumber):
        return value.text
    more = ""
    if isinstance(value, list) and len(value) > 5:
        value, more = value[:5], "…"
    elif isinstance(value, dict) and len(value) > 5:
        value, more = dict(list(value.items())[:5]), "…"
    try:
        text = json.dumps(value, ensure_ascii=False, default=str) + more
    except ValueError:  # nesting is bounded by MAX_DEPTH; this is only a safety net
        text = type(value).__name__
    return _readable(text)


def _readable(text: str) -> str:
    """At most 40 characters, lone surrogates written as escapes so any terminal prints it."""
    if len(text) > 40:
        text = text[:40] + "…"
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


class Problems:
    """What is wrong with the input: the first ``MAX_PROBLEMS`` said, the rest counted."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.total = 0

    def add(self, message: str) -> None:
        self.total += 1
        if len(self.lines) < MAX_PROBLEMS:
            self.lines.append(message)

    def __bool__(self) -> bool:
        return self.total > 0

    def text(self) -> str:
        if self.total == 1:
            return self.lines[0]
        lines = [f"有 {self.total} 处问题：", *self.lines]
        if self.total > len(self.lines):
            lines.append(f"……另有 {self.total - len(self.lines)} 处")
        return "\n".join(lines)


class Refused(Exception):
    """A shape-checked record still cannot be built; ``args`` are its problems, with places."""


def stored_text(value: str | None) -> str:
    """A text as the editors store it: trimmed, line ends unified, nothing else changed.

    No NFKC folding: ``，`` and ``（`` are Chinese punctuation, not full-width ASCII to fold.
    """
    return value.replace("\r\n", "\n").strip() if value else ""


class _Checker:
    def __init__(self, today: dt.date, problems: Problems) -> None:
        self.today = today
        self.problems = problems

    def fail(self, where: Where, message: str) -> None:
        self.problems.add(where.says(message))

    def text(self, where: Where, value: Any, limit: float, *, what: str = "文字") -> bool:
        if not isinstance(value, str):
            self.fail(where, f"应为{what}，收到 {shown(value)}")
            return False
        bad = _SURROGATE.search(value)
        if bad:
            self.fail(
                where,
                f"第 {bad.start() + 1} 个字符无效（孤立的代理项 "
                f"\\u{ord(bad.group()):04x}），请检查生成这个文件的程序",
            )
            return False
        if limit and len(value) > limit:
            self.fail(where, f"最长 {int(limit)} 个字，收到 {len(value)} 个字")
            return False
        return True

    def record(self, where: Where, item: Any, shape: Shape) -> None:
        if not isinstance(item, dict):
            self.fail(where, f"应为 JSON 对象（{{…}}），收到 {shown(item)}")
            return
        for key, value in item.items():
            field = shape.get(key)
            if field is None:
                self._unknown(where, key, shape)
            else:
                self.value(where / key, value, field)
        for key, field in shape.items():
            if field.required and key not in item:
                self.fail(where / key, "缺少这一项")

    def _unknown(self, where: Where, key: str, shape: Shape) -> None:
        close = difflib.get_close_matches(key, list(shape), n=1)
        hint = f"，是否应为“{close[0]}”" if close else ""
        known = "、".join(k for k, f in shape.items() if f.kind is not Kind.IGNORED)
        self.fail(where / _readable(key), f"不认识这个字段{hint}（可用的字段：{known}）")

    def value(self, where: Where, value: Any, field: Field) -> None:
        kind = field.kind
        if kind is Kind.IGNORED:
            self._scan(where, value)
            return
        if value is None:  # null is "not given"; a required field must be given
            if field.required:
                self.fail(where, "不能为空")
            return
        if kind is Kind.TEXT:
            self.text(where, value, field.limit)
        elif kind is Kind.DATE:
            self.date(where, value)
        elif kind is Kind.TIME:
            what = "时间（HH:MM，如 14:30）"
            if value != "" and self.text(where, value, 0, what=what):
                if not _TIME.fullmatch(value):
                    self.fail(where, f"应为{what}，收到 {shown(value)}")
        elif kind is Kind.ID:
            self.member_id(where, value)
        elif kind is Kind.HOURS:
            self.hours(where, value, field.limit)
        elif kind is Kind.COUNT:
            self.count(where, value, int(field.limit))
        elif kind is Kind.CHOICE:
            self.choice(where, value, field)
        elif kind is Kind.TEXTS:
            self.texts(where, value, field)
        elif kind is Kind.CHOICES:
            self.choices(where, value, field)
        elif kind is Kind.OBJECT:
            assert field.shape is not None
            self.record(where, value, field.shape)
        elif kind is Kind.OBJECTS:
            assert field.shape is not None
            self.objects(where, value, field)
        elif kind is Kind.PERSON:
            assert field.shape is not None
            if isinstance(value, dict):
                self.record(where, value, field.shape)
            elif not isinstance(value, str):
                self.fail(where, f"应为姓名，或 {{\"member_id\": 党员编号}}，收到 {shown(value)}")
            else:
                self.text(where, value, field.limit)

    def date(self, where: Where, value: Any) -> None:
        what = "日期（YYYY-MM-DD，如 2024-07-01）"
        if not self.text(where, value, 0, what=what):
            return
        if not _DATE.fullmatch(value):
            self.fail(where, f"应为{what}，收到 {shown(value)}")
            return
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            self.fail(where, f"日期 {value} 不存在")
            return
        problem = record_date_problem(day, today=self.today)
        if problem:
            self.fail(where, f"日期 {problem}")

    def member_id(self, where: Where, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(where, f"应为整数党员编号，收到 {shown(value)}")
        elif value < 1:
            self.fail(where, f"应为正整数党员编号，收到 {value}")

    def hours(self, where: Where, value: Any, limit: float) -> None:
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not 0 <= value <= limit:
            self.fail(where, f"应为 0 到 {limit:g} 之间的小时数，收到 {shown(value)}")

    def count(self, where: Where, value: Any, limit: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= limit:
            self.fail(where, f"应为 0 到 {limit} 之间的整数，收到 {shown(value)}")

    def choice(self, where: Where, value: Any, field: Field) -> None:
        if not self.text(where, value, 0, what=f"{field.what}（文字）"):
            return
        if value not in field.choices:
            allowed = field.example or "、".join(field.choices)
            self.fail(where, f"未知的{field.what} {shown(value)}，可用：{allowed}")

    def texts(self, where: Where, value: Any, field: Field) -> None:
        if isinstance(value, str):
            self.text(where, value, field.item_limit)
            return
        self._items(where, value, field, '文字的列表（["…", "…"]）', lambda w, item: self.text(w, item, field.item_limit))

    def choices(self, where: Where, value: Any, field: Field) -> None:
        example = f'["{field.choices[0]}"]'
        if isinstance(value, list) and not value:
            self.fail(where, f"至少要有一个{field.what}，如 {example}")
            return
        self._items(where, value, field, f"{field.what}的列表，如 {example}", lambda w, item: self.choice(w, item, field))

    def objects(self, where: Where, value: Any, field: Field) -> None:
        shape = field.shape
        assert shape is not None
        self._items(where, value, field, " JSON 对象的列表（[{…}, {…}]）", lambda w, item: self.record(w, item, shape))

    def _items(
        self, where: Where, value: Any, field: Field, expected: str, check: Callable[[Where, Any], None]
    ) -> None:
        """A list of at most ``field.limit`` items, each held against ``check``."""
        if not isinstance(value, list):
            self.fail(where, f"应为{expected}，收到 {shown(value)}")
            return
        if len(value) > field.limit:
            self.fail(where, f"最多 {int(field.limit)} 项，收到 {len(value)} 项")
            return
        for index, item in enumerate(value):
            check(where / index, item)

    def _scan(self, where: Where, value: Any) -> None:
        """In a field that is not taken back, still refuse NaN and lone surrogates."""
        if isinstance(value, NotANumber):
            self.fail(where, f"不是有效的数字：{value.text}")
        elif isinstance(value, str):
            self.text(where, value, 0)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self._scan(where / index, item)
        elif isinstance(value, dict):
            for key, item in value.items():
                self._scan(where / _readable(key), item)


def check_records(
    data: Any, shape: Shape, *, noun: str, today: dt.date, problems: Problems
) -> list[dict[str, Any]]:
    """Return the records (one object, or a list of them); add each shape problem to ``problems``.

    The records are fit to build from only when no problem was added.
    """
    if isinstance(data, dict):
        items: list[Any] = [data]
    elif isinstance(data, list):
        items = data
    else:
        problems.add(
            f"应为一个{noun}（JSON 对象 {{…}}）或{noun}的列表（[{{…}}, {{…}}]），收到 {shown(data)}"
        )
        return []
    if not items:
        problems.add(f"文件中没有{noun}")
    elif len(items) > MAX_RECORDS:
        problems.add(f"文件中有 {len(items)} 个{noun}，一次最多添加 {MAX_RECORDS} 个，请分批添加")
    else:
        checker = _Checker(today, problems)
        for index, item in enumerate(items, start=1):
            checker.record(Where(noun, index), item, shape)
    return items


# -- records ----------------------------------------------------------------------------------


class RecordInputError(ValueError):
    """A record in the input cannot be stored; the message says which one and why."""


class StoredRecord(Protocol):
    """What ``record_to_json`` frames: a stored record with its attachments."""

    @property
    def id(self) -> int | None: ...

    @property
    def attachments(self) -> list[Attachment]: ...


def written_only(*names: str) -> dict[str, Field]:
    """Fields ``list --json`` writes that ``add`` does not take back (ids, counts, files)."""
    return {name: Field(Kind.IGNORED) for name in names}


def record_to_json(record: StoredRecord, fields: dict[str, Any]) -> dict[str, Any]:
    """A record as ``list --json`` writes it: ``id``, its own ``fields``, ``attachments``."""
    return {"id": record.id, **fields, "attachments": [a.filename for a in record.attachments]}


class Roster:
    """The members, to find who a record names: by ``member_id``, or by a name only one has."""

    def __init__(self, members: list[Member]) -> None:
        self.members = members
        self.by_id = {m.id: m for m in members}
        self.by_name: dict[str, list[Member]] = {}
        for member in members:
            self.by_name.setdefault(member.name, []).append(member)

    def person(self, value: Any, where: Where) -> Person:
        """A host, recorder or lecturer: by member_id, or a name that is a member's or a guest's."""
        if not value:
            return Person()
        if isinstance(value, dict):
            if value.get("member_id") is not None:
                member = self.member(value["member_id"], where / "member_id")
                return Person(member.name, member.id)
            value = value.get("name") or ""
        name = normalize_name(value)
        same = self.by_name.get(name, [])
        if len(same) == 1:
            return Person(name, same[0].id)
        return Person(name)  # a guest, or a name shared by two members: kept as typed

    def member(self, member_id: int, where: Where) -> Member:
        member = self.by_id.get(member_id)
        if member is None:
            raise Refused(where.says(f"党员编号 {member_id} 不在花名册中"))
        return member

    def named(self, entry: dict[str, Any], where: Where) -> Member:
        """The member an entry names: by member_id, else by a name only one member has."""
        if entry.get("member_id") is not None:
            return self.member(entry["member_id"], where / "member_id")
        name = normalize_name(entry.get("name") or "")
        if not name:
            raise Refused(where.says("请写 member_id（党员编号）或 name（姓名）"))
        same = self.by_name.get(name, [])
        if len(same) != 1:
            problem = "不在花名册中" if not same else "有重名，请改用 member_id"
            raise Refused((where / "name").says(f"“{name}”{problem}"))
        return same[0]

    def each_named(
        self, entries: list[dict[str, Any]], where: Where
    ) -> Iterator[tuple[dict[str, Any], Member, Where]]:
        """Each entry with the member it names, and its place; a member named twice is refused."""
        seen: dict[int | None, int] = {}
        for index, entry in enumerate(entries):
            place = where / index
            member = self.named(entry, place)
            if member.id in seen:
                raise Refused(
                    place.says(
                        f"{member.name}（党员编号 {member.id}）已在第 {seen[member.id] + 1} 项出现，"
                        "每人只能写一次"
                    )
                )
            seen[member.id] = index
            yield entry, member, place


def refuse(where: Where, problems: Iterable[tuple[str, str]], fields: Mapping[str, str]) -> None:
    """Raise ``Refused`` for what the form's check found (field label, message), if anything;
    ``fields`` names each label's JSON field, so the place said is the one to correct."""
    messages = [
        (where / fields[name] if name in fields else where).says(message)
        for name, message in problems
    ]
    if messages:
        raise Refused(*messages)


Record = TypeVar("Record")
Builder = Callable[[dict[str, Any], Where], Record]


def records_from_json(
    data: Any,
    shape: Shape,
    *,
    noun: str,
    today: dt.date,
    error: type[RecordInputError],
    builder: Callable[[], Builder[Record]],
) -> list[Record]:
    """Check and build every record described (one object or a list), writing nothing.

    The shape of all comes first; only then is ``builder()`` asked for the function that
    builds one record (it may read the roster), and each record is built. Raises ``error``
    naming every problem found, with its record and field.
    """
    problems = Problems()
    items = check_records(data, shape, noun=noun, today=today, problems=problems)
    if problems:
        raise error(problems.text())
    build = builder()
    records = []
    for index, item in enumerate(items, start=1):
        try:
            records.append(build(item, Where(noun, index)))
        except Refused as exc:
            for message in exc.args:
                problems.add(message)
    if problems:
        raise error(problems.text())
    return records
