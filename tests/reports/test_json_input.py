"""Reading JSON fed to ``meetings add`` / ``activities add``: encodings, depth, numbers, shape."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest

from branchdesk.reports.json_input import (
    MAX_DEPTH,
    MAX_PROBLEMS,
    Field,
    JsonInputError,
    Kind,
    NotANumber,
    Problems,
    RecordInputError,
    Refused,
    Where,
    check_records,
    nesting_depth,
    read_json_bytes,
    read_json_stream,
    record_to_json,
    records_from_json,
    refuse,
)

TODAY = dt.date(2025, 6, 18)
SAMPLE = {"title": "学习，交流", "hours": 1.5, "topics": ["一", "二"]}


def _refused(raw: bytes) -> str:
    with pytest.raises(JsonInputError) as info:
        read_json_bytes(raw, "m.json")
    return info.value.message


# -- encodings ----------------------------------------------------------------------------------


def test_utf8_with_and_without_bom():
    raw = json.dumps(SAMPLE, ensure_ascii=False).encode("utf-8")
    assert read_json_bytes(raw, "m.json") == SAMPLE
    assert read_json_bytes(b"\xef\xbb\xbf" + raw, "m.json") == SAMPLE


@pytest.mark.parametrize(
    "codec, name",
    [
        ("utf-16", "UTF-16"),
        ("utf-16-le", "UTF-16"),
        ("utf-16-be", "UTF-16"),
        ("utf-32", "UTF-32"),
        ("utf-32-le", "UTF-32"),
        ("utf-32-be", "UTF-32"),
    ],
)
def test_utf16_and_utf32_are_named(codec, name):
    raw = json.dumps(SAMPLE, ensure_ascii=False).encode(codec)
    assert _refused(raw) == f"m.json：文件是 {name} 编码，请另存为 UTF-8 编码后再试"


def test_gbk_names_the_byte_and_the_likely_encoding():
    raw = '{"title": "中文"}'.encode("gbk")
    message = _refused(raw)
    assert message.startswith("m.json：不是 UTF-8 编码（第 12 字节），看起来是 GBK 编码")


def test_byte_count_includes_the_bom():
    message = _refused(b'\xef\xbb\xbf{"a": "\xff"}')
    assert "（第 11 字节）" in message and "GBK" not in message


def test_encoded_surrogates_are_not_utf8():
    assert "不是 UTF-8 编码（第 8 字节）" in _refused(b'{"a": "\xed\xa0\x80"}')


def test_a_text_stream_without_bytes_is_read_too():
    assert read_json_stream(io.StringIO("\ufeff" + json.dumps(SAMPLE))) == SAMPLE


def test_a_byte_stream_is_decoded_here():
    raw = json.dumps(SAMPLE, ensure_ascii=False).encode("utf-16")
    with pytest.raises(JsonInputError, match="标准输入：文件是 UTF-16 编码"):
        read_json_stream(io.TextIOWrapper(io.BytesIO(raw)))


# -- nesting --------------------------------------------------------------------------------


def test_nesting_up_to_the_limit_is_read():
    raw = b"[" * MAX_DEPTH + b"]" * MAX_DEPTH
    assert nesting_depth(raw.decode()) == MAX_DEPTH
    read_json_bytes(raw, "m.json")
    many = [[{"a": [1]}] for _ in range(200)]
    assert nesting_depth(json.dumps(many)) == 4
    assert read_json_bytes(json.dumps(many).encode(), "m.json") == many


@pytest.mark.parametrize(
    "text, depth",
    [
        ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), MAX_DEPTH + 1),
        ('{"a":' * 100_000 + "1" + "}" * 100_000, 100_000),
        ("[" * 100_000, 100_000),  # never closed: the parser would still recurse
        ("[{" * 40 + "}]" * 40, 80),
    ],
)
def test_deep_nesting_is_refused_before_parsing(text, depth):
    assert nesting_depth(text) == depth
    message = _refused(text.encode())
    assert message == (
        f"m.json：JSON 嵌套太深（{depth} 层，最多 {MAX_DEPTH} 层），不像会议或活动的数据"
    )


def test_brackets_inside_texts_do_not_count():
    minutes = "【一】" + "[" * 500 + '\\"{' * 300 + "}"
    value = read_json_bytes(json.dumps({"minutes": minutes}).encode(), "m.json")
    assert value == {"minutes": minutes}


# -- numbers and syntax -----------------------------------------------------------------------


def test_nan_infinity_and_overflow_become_markers():
    value = read_json_bytes(
        b'{"a": NaN, "b": -Infinity, "c": 1e400, "d": 2.5, "e": ' + b"7" * 40 + b"}", "m.json"
    )
    assert value["a"] == NotANumber("NaN") and value["b"] == NotANumber("-Infinity")
    assert value["c"] == NotANumber("1e400") and value["d"] == 2.5
    assert isinstance(value["e"], NotANumber)


@pytest.mark.parametrize(
    "raw, message",
    [
        (b'{"a": 1,}', "m.json：不是有效的 JSON（第 1 行第 9 列），字段名应写在英文双引号中"),
        (b'{"a": 1\n "b": 2}', "m.json：不是有效的 JSON（第 2 行第 2 列），缺少逗号"),
        (b'{"a": "x', "m.json：不是有效的 JSON（第 1 行第 7 列），文字缺少结尾的双引号"),
        (b'{"a": 1} x', "m.json：不是有效的 JSON（第 1 行第 10 列），JSON 已结束，后面还有多余的内容"),
        (b"", "m.json：不是有效的 JSON（第 1 行第 1 列），此处应为一个值"),
    ],
)
def test_syntax_errors_are_said_in_chinese(raw, message):
    assert _refused(raw) == message


# -- shapes -------------------------------------------------------------------------------------

PERSON = {"member_id": Field(Kind.ID), "name": Field(Kind.TEXT, limit=5)}
SHAPE = {
    "date": Field(Kind.DATE, required=True),
    "title": Field(Kind.TEXT, limit=10),
    "hours": Field(Kind.HOURS, limit=24),
    "kinds": Field(Kind.CHOICES, limit=3, choices=("a", "b"), what="类型"),
    "people": Field(Kind.OBJECTS, limit=2, shape=PERSON),
    "host": Field(Kind.PERSON, limit=5, shape=PERSON),
    "id": Field(Kind.IGNORED),
}


def _problems(data) -> list[str]:
    problems = Problems()
    check_records(data, SHAPE, noun="会议", today=TODAY, problems=problems)
    return problems.lines


def test_a_good_record_has_no_problem():
    good = {
        "date": "2025-06-18",
        "title": None,
        "hours": 2,
        "kinds": ["a", "b"],
        "people": [{"member_id": 3}, {"name": "王芳"}],
        "host": {"member_id": 1},
        "id": [1, {"x": "y"}],
    }
    assert _problems(good) == [] and _problems([good, good]) == []


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("title", 5, "第 1 个会议的 title：应为文字，收到 5"),
        ("title", "字" * 11, "第 1 个会议的 title：最长 10 个字，收到 11 个字"),
        ("title", "a\ud800", "第 1 个会议的 title：第 2 个字符无效（孤立的代理项 \\ud800），"),
        ("hours", 24.5, "第 1 个会议的 hours：应为 0 到 24 之间的小时数，收到 24.5"),
        ("hours", NotANumber("NaN"), "第 1 个会议的 hours：应为 0 到 24 之间的小时数，收到 NaN"),
        ("kinds", "a", '第 1 个会议的 kinds：应为类型的列表，如 ["a"]，收到 "a"'),
        ("kinds", [], '第 1 个会议的 kinds：至少要有一个类型，如 ["a"]'),
        ("kinds", ["a", "c"], '第 1 个会议的 kinds 第 2 项：未知的类型 "c"，可用：a、b'),
        ("kinds", ["a"] * 4, "第 1 个会议的 kinds：最多 3 项，收到 4 项"),
        ("people", [{}] * 3, "第 1 个会议的 people：最多 2 项，收到 3 项"),
        ("people", [{"member_id": 1}, {"member_id": False}], "people 第 2 项 member_id：应为整数"),
        ("people", [{"nmae": "x"}], "第 1 个会议的 people 第 1 项 nmae：不认识这个字段，是否应为“name”"),
        ("host", {"member_id": -3}, "第 1 个会议的 host.member_id：应为正整数党员编号，收到 -3"),
        ("host", ["王芳"], '第 1 个会议的 host：应为姓名，或 {"member_id": 党员编号}，收到 ["王芳"]'),
        ("date", "2025-02-29", "第 1 个会议的 date：日期 2025-02-29 不存在"),
        ("date", "1921-06-30", "第 1 个会议的 date：日期 1921-06-30 早于 1921-07-01（中国共产党成立）"),
        ("date", "2026-06-19", "第 1 个会议的 date：日期 2026-06-19 晚于 2026-06-18（今天起一年）"),
        ("date", None, "第 1 个会议的 date：不能为空"),
        ("id", [NotANumber("Infinity")], "第 1 个会议的 id 第 1 项：不是有效的数字：Infinity"),
    ],
)
def test_each_problem_names_its_place(field, value, message):
    problems = _problems({"date": "2025-06-18", field: value})
    assert len(problems) == 1 and message in problems[0]


def test_edges_of_the_date_range_are_accepted():
    assert _problems([{"date": "1921-07-01"}, {"date": "2026-06-18"}]) == []


def test_missing_and_unknown_fields_in_a_later_record():
    problems = _problems([{"date": "2025-06-18"}, {"date": "2025-06-18"}, {"\udc80x": 1}])
    assert problems[0].startswith("第 3 个会议的 \\udc80x：不认识这个字段（可用的字段：")
    assert problems[1] == "第 3 个会议的 date：缺少这一项"


@pytest.mark.parametrize(
    "data, message",
    [
        (5, "应为一个会议（JSON 对象 {…}）或会议的列表（[{…}, {…}]），收到 5"),
        ([], "文件中没有会议"),
        ([5], "第 1 个会议：应为 JSON 对象（{…}），收到 5"),
    ],
)
def test_the_whole_input_must_be_records(data, message):
    assert _problems(data) == [message]


def test_many_problems_are_counted_and_the_first_ones_said():
    problems = Problems()
    check_records([{"title": 1}] * 30, SHAPE, noun="活动", today=TODAY, problems=problems)
    assert problems.total == 60
    text = problems.text().splitlines()
    assert text[0] == "有 60 处问题："
    assert len(text) == 1 + MAX_PROBLEMS + 1 and text[-1] == f"……另有 {60 - MAX_PROBLEMS} 处"


def test_where_reads_as_people_say_it():
    where = Where("会议", 3) / "attendance" / 1 / "makeup" / "date"
    assert str(where) == "第 3 个会议的 attendance 第 2 项 makeup.date"
    assert str(Where("活动", 1)) == "第 1 个活动"


# -- building records: the one loop meetings and activities read through ---------------------


def _build(item, where):
    if item.get("title") == "坏":
        raise Refused(where.says("不能叫坏"), (where / "title").says("换个名字"))
    return (where.index, item["date"])


def test_records_are_built_in_order_when_all_are_good():
    data = [{"date": "2025-06-18"}, {"date": "2025-06-17", "title": "好"}]
    built = records_from_json(
        data, SHAPE, noun="活动", today=TODAY, error=RecordInputError, builder=lambda: _build
    )
    assert built == [(1, "2025-06-18"), (2, "2025-06-17")]
    one = records_from_json(
        data[0], SHAPE, noun="活动", today=TODAY, error=RecordInputError, builder=lambda: _build
    )
    assert one == [(1, "2025-06-18")]


def test_shape_problems_stop_before_anything_is_built():
    class Stop(RecordInputError):
        pass

    def builder():
        raise AssertionError("the roster is not read for input of the wrong shape")

    with pytest.raises(Stop) as raised:
        records_from_json(
            [{"date": "2025-06-18"}, {"title": 5}],
            SHAPE, noun="会议", today=TODAY, error=Stop, builder=builder,
        )  # fmt: skip
    assert str(raised.value) == (
        "有 2 处问题：\n第 2 个会议的 title：应为文字，收到 5\n第 2 个会议的 date：缺少这一项"
    )


def test_build_problems_of_every_record_are_collected():
    data = [
        {"date": "2025-06-18", "title": "坏"},
        {"date": "2025-06-18"},
        {"date": "2025-06-18", "title": "坏"},
    ]
    with pytest.raises(RecordInputError) as raised:
        records_from_json(
            data, SHAPE, noun="活动", today=TODAY, error=RecordInputError, builder=lambda: _build
        )
    assert str(raised.value).splitlines() == [
        "有 4 处问题：",
        "第 1 个活动：不能叫坏",
        "第 1 个活动的 title：换个名字",
        "第 3 个活动：不能叫坏",
        "第 3 个活动的 title：换个名字",
    ]


def test_refuse_names_the_json_field_of_a_form_problem():
    where = Where("会议", 2)
    refuse(where, [], {"日期": "date"})  # nothing found: nothing raised
    with pytest.raises(Refused) as raised:
        refuse(where, [("日期", "晚于今天"), ("其他", "不对")], {"日期": "date"})
    assert raised.value.args == ("第 2 个会议的 date：晚于今天", "第 2 个会议：不对")


def test_a_record_is_written_id_first_and_attachments_last():
    from branchdesk.domain.activities import Activity
    from branchdesk.domain.meetings import Attachment

    activity = Activity(kind="其他", title="t", day=TODAY, id=4)
    activity.attachments = [Attachment(1, "照片.jpg", "x.jpg")]
    written = record_to_json(activity, {"kind": "其他", "title": "t"})
    assert list(written) == ["id", "kind", "title", "attachments"]
    assert (written["id"], written["attachments"]) == (4, ["照片.jpg"])
