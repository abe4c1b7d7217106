import datetime as dt
import io
import json
import os
import subprocess
import sys

import pytest

from branchdesk.cli import main
from branchdesk.domain.meetings import (
    AttendanceStatus,
    MeetingKind,
    count_attendance,
    expected_members,
)
from branchdesk.store.db import DB_FILENAME, open_database
from branchdesk.store.meetings import MeetingRepo
from branchdesk.store.members import GroupRepo, MemberRepo

TODAY = dt.date.today()


@pytest.fixture
def demo_dir(data_dir, capsys):
    assert main(["demo", "--data-dir", str(data_dir), "--members", "30", "--seed", "4"]) == 0
    capsys.readouterr()
    return data_dir


def _list(capsys, data_dir, *extra):
    assert main(["meetings", "list", "--json", "--data-dir", str(data_dir), *extra]) == 0
    return json.loads(capsys.readouterr().out)


def _add(capsys, data_dir, payload, tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    code = main(["meetings", "add", "--json", str(path), "--data-dir", str(data_dir)])
    return code, capsys.readouterr()


def test_demo_has_two_years_of_every_kind(demo_dir, capsys):
    meetings = _list(capsys, demo_dir)
    kinds = {k for m in meetings for k in m["kinds"]}
    assert kinds == {k.value for k in MeetingKind} - {"other"}
    held = [m for m in meetings if m["status"] == "held"]
    assert all(m["date"] <= TODAY.isoformat() for m in held)
    assert any(m["status"] == "planned" for m in meetings)
    months = {m["date"][:7] for m in held if "theme_day" in m["kinds"]}
    assert len(months) >= 23
    statuses = {a["status"] for m in held for a in m["attendance"]}
    assert statuses == {"present", "leave", "absent"}
    assert any(a["makeup"] for m in held for a in m["attendance"])
    assert any(len(m["kinds"]) > 1 for m in meetings)


def test_list_counts_agree_with_the_rows_and_the_rules(demo_dir, capsys):
    db = open_database(demo_dir / DB_FILENAME)
    members = MemberRepo(db).list()
    groups = {g.name: g.id for g in GroupRepo(db).list()}
    for item in _list(capsys, demo_dir):
        rows = item["attendance"]
        assert item["expected"] == len(rows)
        assert item["present"] == sum(r["status"] == "present" for r in rows)
        assert item["leave"] == sum(r["status"] == "leave" for r in rows)
        assert item["absent"] == sum(r["status"] == "absent" for r in rows)
        kinds = [MeetingKind(k) for k in item["kinds"]]
        group_id = groups.get(item["group"])
        expected = expected_members(members, kinds, dt.date.fromisoformat(item["date"]), group_id)
        assert sorted(r["member_id"] for r in rows) == sorted(m.id for m in expected), item["date"]


def test_filters(demo_dir, capsys):
    everything = _list(capsys, demo_dir)
    lectures = _list(capsys, demo_dir, "--kind", "party_lecture")
    assert lectures and all("party_lecture" in m["kinds"] for m in lectures)
    year = str(TODAY.year - 1)
    last_year = _list(capsys, demo_dir, "--from", f"{year}-01-01", "--to", f"{year}-12-31")
    assert last_year and all(m["date"].startswith(year) for m in last_year)
    assert len(last_year) < len(everything)


def test_add_with_exceptions_only(demo_dir, capsys, tmp_path):
    db = open_database(demo_dir / DB_FILENAME)
    roster = MemberRepo(db).list(include_left=False)
    on_leave = [roster[0].name, roster[1].name]
    payload = {
        "kinds": ["theme_day", "party_lecture"],
        "status": "held",
        "date": (TODAY - dt.timedelta(days=1)).isoformat(),
        "start": "14:30",
        "end": "16:00",
        "place": "党员活动室",
        "title": "=1+1 不是公式",
        "host": roster[2].name,
        "recorder": "来宾张",
        "topics": ["学习党章", "交流"],
        "minutes": "第一段\n第二段",
        "attendance": [
            {"name": on_leave[0], "status": "leave", "reason": "出差"},
            {
                "member_id": roster[1].id,
                "status": "absent",
                "reason": "未请假",
                "makeup": {"date": TODAY.isoformat(), "how": "自学"},
            },
        ],
    }
    code, out = _add(capsys, demo_dir, payload, tmp_path)
    assert code == 0, out.err
    added = [m for m in _list(capsys, demo_dir) if m["title"] == "=1+1 不是公式"][0]
    assert added["leave"] == 1 and added["absent"] == 1
    assert added["present"] == added["expected"] - 2
    assert added["host"] == roster[2].name and added["recorder"] == "来宾张"
    assert {a["name"]: a["reason"] for a in added["attendance"] if a["status"] != "present"} == {
        on_leave[0]: "出差",
        on_leave[1]: "未请假",
    }
    meeting = MeetingRepo(db).get(added["id"])
    assert meeting.host.member_id == roster[2].id and meeting.recorder.member_id is None
    assert count_attendance(meeting.attendance).leave == 1
    assert [r.status for r in meeting.attendance if r.name == on_leave[1]] == [
        AttendanceStatus.ABSENT
    ]


def test_add_is_all_or_nothing_with_a_clear_reason(demo_dir, capsys, tmp_path):
    before = len(_list(capsys, demo_dir))
    good = {"kinds": ["committee_meeting"], "date": TODAY.isoformat()}
    bad = {"kinds": ["group_meeting"], "date": TODAY.isoformat()}
    code, out = _add(capsys, demo_dir, [good, bad], tmp_path)
    assert code == 2
    assert "第 2 个会议的 group：党小组会请选择党小组" in out.err and "没有写入" in out.err
    assert len(_list(capsys, demo_dir)) == before


@pytest.mark.parametrize(
    "item, fragment",
    [
        ({"kinds": ["tea_party"], "date": "2024-01-01"}, "未知的会议类型"),
        ({"kinds": ["theme_day"], "date": "2024-02-30"}, "不存在"),
        ({"kinds": ["theme_day"], "date": (TODAY + dt.timedelta(days=30)).isoformat()}, "晚于今天"),
        (
            {
                "kinds": ["theme_day"],
                "date": "2024-01-01",
                "attendance": [{"name": "查无此人", "status": "leave"}],
            },
            "不在花名册",
        ),
        ({"kinds": ["theme_day"], "date": "2024-01-01", "group": "不存在的小组"}, "不存在"),
    ],
)
def test_bad_meetings_are_refused(demo_dir, capsys, tmp_path, item, fragment):
    code, out = _add(capsys, demo_dir, item, tmp_path)
    assert code == 2 and fragment in out.err


def test_add_from_stdin_and_bad_json(demo_dir, capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(
        "sys.stdin",
        io.StringIO(json.dumps({"kinds": ["other"], "date": "2024-03-01", "title": "标准输入"})),
    )
    assert main(["meetings", "add", "--json", "-", "--data-dir", str(demo_dir)]) == 0
    capsys.readouterr()
    assert any(m["title"] == "标准输入" for m in _list(capsys, demo_dir))
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    assert main(["meetings", "add", "--json", str(broken), "--data-dir", str(demo_dir)]) == 2
    assert "不是有效的 JSON（第 1 行第 2 列），字段名应写在英文双引号中" in capsys.readouterr().err


def test_unknown_kind_code_in_list_exits_2(demo_dir, capsys):
    assert main(["meetings", "list", "--kind", "nope", "--data-dir", str(demo_dir)]) == 2
    assert "可用" in capsys.readouterr().err


# -- hostile input: a Chinese message with the place, exit 2, nothing written ----------------

HELD = "2024-03-05"


def _meeting(**fields):
    return {"kinds": ["theme_day"], "date": HELD, **fields}


def _raw(value) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def _count(data_dir) -> int:
    db = open_database(data_dir / DB_FILENAME)
    try:
        return MeetingRepo(db).count()
    finally:
        db.close()


def _add_raw(capsys, data_dir, raw: bytes, tmp_path):
    path = tmp_path / "m.json"
    path.write_bytes(raw)
    code = main(["meetings", "add", "--json", str(path), "--data-dir", str(data_dir)])
    return code, capsys.readouterr()


HOSTILE = {
    "kinds of lists": (
        _raw(_meeting(kinds=[["x"]])),
        '第 1 个会议的 kinds 第 1 项：应为会议类型（文字），收到 ["x"]',
    ),
    "kinds not a list": (_raw(_meeting(kinds=5)), "第 1 个会议的 kinds：应为会议类型的列表"),
    "member_id a list": (
        _raw(_meeting(attendance=[{"member_id": [1], "status": "leave"}])),
        "第 1 个会议的 attendance 第 1 项 member_id：应为整数党员编号，收到 [1]",
    ),
    "member_id true": (
        _raw(_meeting(attendance=[{"member_id": True, "status": "leave"}])),
        "第 1 个会议的 attendance 第 1 项 member_id：应为整数党员编号，收到 true",
    ),
    "member_id 1.0": (
        _raw(_meeting(attendance=[{"member_id": 1.0, "status": "leave"}])),
        "member_id：应为整数党员编号，收到 1.0",
    ),
    "member_id text": (
        _raw(_meeting(attendance=[{"member_id": "1", "status": "leave"}])),
        'member_id：应为整数党员编号，收到 "1"',
    ),
    "member_id 40 digits": (
        b'{"kinds": ["theme_day"], "date": "2024-03-05", "attendance": [{"member_id": '
        + b"9" * 40
        + b"}]}",
        "member_id：应为整数党员编号，收到 999999999999…",
    ),
    "member_id 1e400": (
        b'{"kinds": ["theme_day"], "date": "2024-03-05", "attendance": [{"member_id": 1e400}]}',
        "member_id：应为整数党员编号，收到 1e400",
    ),
    "topics a number": (_raw(_meeting(topics=5)), "第 1 个会议的 topics：应为文字的列表"),
    "topic a number": (_raw(_meeting(topics=["学习", 5])), "第 1 个会议的 topics 第 2 项：应为文字"),
    "attendance a number": (
        _raw(_meeting(attendance=5)),
        "第 1 个会议的 attendance：应为 JSON 对象的列表",
    ),
    "attendance entry a number": (
        _raw(_meeting(attendance=[5])),
        "第 1 个会议的 attendance 第 1 项：应为 JSON 对象",
    ),
    "makeup a list": (
        _raw(_meeting(attendance=[{"member_id": 1, "status": "absent", "makeup": []}])),
        "第 1 个会议的 attendance 第 1 项 makeup：应为 JSON 对象",
    ),
    "host a number": (_raw(_meeting(host=5)), "第 1 个会议的 host：应为姓名"),
    "UTF-16": (
        json.dumps(_meeting(), ensure_ascii=False).encode("utf-16"),
        "文件是 UTF-16 编码，请另存为 UTF-8",
    ),
    "UTF-16 without BOM": (
        json.dumps(_meeting(), ensure_ascii=False).encode("utf-16-le"),
        "文件是 UTF-16 编码",
    ),
    "UTF-32": (
        json.dumps(_meeting(), ensure_ascii=False).encode("utf-32"),
        "文件是 UTF-32 编码",
    ),
    "GBK": (
        json.dumps(_meeting(title="中文"), ensure_ascii=False).encode("gbk"),
        # {"kinds": ["theme_day"], "date": "2024-03-05", "title": " is 57 bytes
        "不是 UTF-8 编码（第 58 字节），看起来是 GBK 编码",
    ),
    "nested 100,000 deep": (
        b"[" * 100_000 + b"]" * 100_000,
        "JSON 嵌套太深（100000 层，最多 64 层）",
    ),
    "nested and never closed": (b"[" * 100_000, "JSON 嵌套太深"),
    "lone surrogate in minutes": (
        b'{"kinds": ["theme_day"], "date": "2024-03-05", "minutes": "ok \\ud800"}',
        "第 1 个会议的 minutes：第 4 个字符无效（孤立的代理项 \\ud800）",
    ),
    "lone surrogate in a name": (
        b'{"kinds": ["theme_day"], "date": "2024-03-05", "attendance": [{"name": "\\udc01"}]}',
        "第 1 个会议的 attendance 第 1 项 name：第 1 个字符无效",
    ),
    "NaN in a field list writes": (
        b'{"kinds": ["theme_day"], "date": "2024-03-05", "attendance_rate": NaN}',
        "第 1 个会议的 attendance_rate：不是有效的数字：NaN",
    ),
    "Infinity": (
        b'{"kinds": ["theme_day"], "date": "2024-03-05", "expected": -Infinity}',
        "第 1 个会议的 expected：不是有效的数字：-Infinity",
    ),
    "1900-01-01": (
        _raw(_meeting(date="1900-01-01")),
        "第 1 个会议的 date：日期 1900-01-01 早于 1921-07-01（中国共产党成立）",
    ),
    "make-up in 1900": (
        _raw(
            _meeting(
                attendance=[
                    {"member_id": 1, "status": "absent", "makeup": {"date": "1900-01-01"}}
                ]
            )
        ),
        "第 1 个会议的 attendance 第 1 项 makeup.date：日期 1900-01-01 早于 1921-07-01",
    ),
    "planned two years ahead": (
        _raw(_meeting(status="planned", date=(TODAY + dt.timedelta(days=800)).isoformat())),
        "（今天起一年），可能输错了",
    ),
    "date not ISO": (
        _raw(_meeting(date="2024/03/05")),
        '第 1 个会议的 date：应为日期（YYYY-MM-DD，如 2024-07-01），收到 "2024/03/05"',
    ),
    "time 25:00": (
        _raw(_meeting(start="25:00")),
        '第 1 个会议的 start：应为时间（HH:MM，如 14:30），收到 "25:00"',
    ),
    "status unknown": (_raw(_meeting(status="done")), '第 1 个会议的 status：未知的会议状态 "done"'),
    "misspelt field": (
        _raw(_meeting(minute="会议记录")),
        "第 1 个会议的 minute：不认识这个字段，是否应为“minutes”",
    ),
    "title too long": (
        _raw(_meeting(title="长" * 201)),
        "第 1 个会议的 title：最长 200 个字，收到 201 个字",
    ),
    "minutes too long": (
        _raw(_meeting(minutes="字" * 200_001)),
        "第 1 个会议的 minutes：最长 200000 个字，收到 200001 个字",
    ),
    "kind and kinds": (_raw(_meeting(kind="theme_day")), "kinds 和 kind 只能写一个"),
    "no date": (_raw({"kinds": ["theme_day"]}), "第 1 个会议的 date：缺少这一项"),
    "a number": (b"5", "应为一个会议（JSON 对象 {…}）或会议的列表"),
    "an empty list": (b"[]", "文件中没有会议"),
    "trailing comma": (b'{"kinds": ["theme_day"],}', "不是有效的 JSON（第 1 行第 25 列）"),
}


@pytest.mark.parametrize("raw, message", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_json_is_refused_in_chinese(demo_dir, capsys, tmp_path, raw, message):
    before = _count(demo_dir)
    code, out = _add_raw(capsys, demo_dir, raw, tmp_path)
    assert (code, out.out) == (2, "")
    assert message in out.err and "Traceback" not in out.err
    assert _count(demo_dir) == before


def test_third_meeting_second_entry_is_named(demo_dir, capsys, tmp_path):
    roster = MemberRepo(open_database(demo_dir / DB_FILENAME)).list(include_left=False)
    good = _meeting(attendance=[{"member_id": roster[0].id, "status": "leave"}])
    bad = _meeting(attendance=[{"member_id": roster[0].id}, {"member_id": True}])
    code, out = _add_raw(capsys, demo_dir, _raw([good, good, bad]), tmp_path)
    assert code == 2
    assert out.err == (
        "branchdesk: 第 3 个会议的 attendance 第 2 项 member_id：应为整数党员编号，收到 true。"
        "没有写入任何会议。\n"
    )


def test_every_problem_is_listed_at_once(demo_dir, capsys, tmp_path):
    items = [_meeting(topics=5), _meeting(), _meeting(date="1900-01-01", place=7)]
    code, out = _add_raw(capsys, demo_dir, _raw(items), tmp_path)
    assert code == 2
    lines = out.err.splitlines()
    assert lines[0] == "branchdesk: 有 3 处问题："
    assert lines[1].startswith("第 1 个会议的 topics：")
    assert lines[2].startswith("第 3 个会议的 date：")
    assert lines[3].startswith("第 3 个会议的 place：应为文字，收到 7")


def test_a_member_twice_in_the_attendance_is_refused(demo_dir, capsys, tmp_path):
    member = MemberRepo(open_database(demo_dir / DB_FILENAME)).list(include_left=False)[3]
    before = _count(demo_dir)
    twice = _meeting(
        attendance=[
            {"member_id": member.id, "status": "leave", "reason": "出差"},
            {"name": member.name, "status": "absent"},
        ]
    )
    code, out = _add_raw(capsys, demo_dir, _raw(twice), tmp_path)
    assert code == 2
    assert (
        f"第 1 个会议的 attendance 第 2 项：{member.name}（党员编号 {member.id}）已在第 1 项出现"
        in out.err
    )
    assert _count(demo_dir) == before


def test_list_output_is_taken_back_unchanged(demo_dir, capsys, tmp_path):
    listed = _list(capsys, demo_dir)
    code, out = _add_raw(capsys, demo_dir, _raw(listed), tmp_path)
    assert code == 0, out.err
    ids = [int(i) for i in out.out.split("编号 ")[1].split(", ")]
    again = {m["id"]: m for m in _list(capsys, demo_dir)}
    copies = [again[i] for i in ids]

    def same(item):
        return {k: v for k, v in item.items() if k not in ("id", "attachments")}

    assert [same(m) for m in copies] == [same(m) for m in listed]


def test_stdin_is_read_as_bytes(demo_dir, capsys, monkeypatch):
    before = _count(demo_dir)
    text = json.dumps(_meeting(title="带 BOM 的标准输入"), ensure_ascii=False)
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-16"))))
    assert main(["meetings", "add", "--json", "-", "--data-dir", str(demo_dir)]) == 2
    assert "标准输入：文件是 UTF-16 编码" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"\xef\xbb\xbf" + text.encode())))
    assert main(["meetings", "add", "--json", "-", "--data-dir", str(demo_dir)]) == 0
    capsys.readouterr()
    assert _count(demo_dir) == before + 1
    assert any(m["title"] == "带 BOM 的标准输入" for m in _list(capsys, demo_dir))


def test_input_over_50_mb_is_refused_unread(demo_dir, capsys, tmp_path):
    code, out = _add_raw(capsys, demo_dir, b" " * (50 * 1024 * 1024 + 1), tmp_path)
    assert code == 2 and "超过 50 MB" in out.err


@pytest.mark.slow
def test_hostile_stdin_in_a_real_process(demo_dir):
    """The command as a script would run it: bytes on stdin, a message and exit 2 back."""
    for raw, message in (
        (json.dumps(_meeting()).encode("utf-16"), "标准输入：文件是 UTF-16 编码"),
        (b"[" * 100_000, "JSON 嵌套太深"),
        (b'{"kinds": ["theme_day"], "date": "2024-03-05", "minutes": "\\ud800"}', "孤立的代理项"),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "branchdesk", "meetings", "add", "--json", "-"]
            + ["--data-dir", str(demo_dir)],
            input=raw,
            capture_output=True,
            timeout=120,
            env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        )
        err = done.stderr.decode("utf-8")
        assert done.returncode == 2 and message in err and "Traceback" not in err, err


def test_votes_go_in_and_come_out_with_the_quorum(demo_dir, capsys, tmp_path):
    db = open_database(demo_dir / DB_FILENAME)
    day = TODAY - dt.timedelta(days=2)
    members = MemberRepo(db).list()
    voting = [m for m in members if m.in_roster_on(day) and m.category.value == "full"]
    due = len(voting)
    payload = {
        "kinds": ["general_meeting"],
        "date": day.isoformat(),
        "title": "表决测试",
        "votes": [
            {"resolution": "接收预备党员", "in_favour": due // 2 + 1, "against": 0, "abstain": 0},
            {"resolution": "另一事项", "in_favour": due // 2, "against": 1},
        ],
    }
    code, out = _add(capsys, demo_dir, payload, tmp_path)
    assert code == 0, out.err
    (added,) = [m for m in _list(capsys, demo_dir) if m["title"] == "表决测试"]
    assert added["quorum"]["valid"] and added["quorum"]["present"] >= added["quorum"]["due"] // 2
    assert [(v["resolution"], v["passed"]) for v in added["votes"]] == [
        ("接收预备党员", True),
        ("另一事项", False),
    ]
    # More votes than voting members present, or a count that is not a whole number: refused.
    payload["title"] = "多票"
    payload["votes"] = [{"resolution": "事项", "in_favour": 10_000}]
    code, out = _add(capsys, demo_dir, payload, tmp_path)
    assert code == 2 and "应为 0 到 1000 之间的整数" in out.err
    payload["votes"] = [{"resolution": "事项", "in_favour": 1000}]
    code, out = _add(capsys, demo_dir, payload, tmp_path)
    assert code == 2 and "多于实到有表决权党员" in out.err and "votes" in out.err
    payload["kinds"] = ["theme_day"]
    payload["votes"] = [{"resolution": "事项", "in_favour": 1}]
    code, out = _add(capsys, demo_dir, payload, tmp_path)
    assert code == 2 and "只有支部党员大会的决议需要登记表决" in out.err
