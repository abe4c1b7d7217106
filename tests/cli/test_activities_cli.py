import datetime as dt
import json

import pytest

from branchdesk.cli import main
from branchdesk.domain.meetings import AttendanceStatus
from branchdesk.store.activities import ActivityRepo
from branchdesk.store.db import DB_FILENAME, open_database
from branchdesk.store.member_record import MemberRecordRepo
from branchdesk.store.members import MemberRepo


@pytest.fixture
def demo_dir(data_dir, capsys):
    assert main(["demo", "--data-dir", str(data_dir), "--members", "24", "--seed", "9"]) == 0
    capsys.readouterr()
    return data_dir


def _list(capsys, data_dir, *extra):
    assert main(["activities", "list", "--json", "--data-dir", str(data_dir), *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_demo_writes_activities_of_several_kinds(demo_dir, capsys):
    items = _list(capsys, demo_dir)
    assert len(items) > 30
    assert {"志愿服务", "学习教育", "社区报到", "结对帮扶"} <= {i["kind"] for i in items}
    for item in items:
        assert {"id", "kind", "title", "date", "participants"} <= set(item)
        assert all({"member_id", "name", "hours"} <= set(p) for p in item["participants"])
    volunteer = _list(capsys, demo_dir, "--kind", "志愿服务")
    assert volunteer and {i["kind"] for i in volunteer} == {"志愿服务"}


def test_add_all_or_nothing(demo_dir, capsys, tmp_path):
    roster = MemberRepo(open_database(demo_dir / DB_FILENAME)).list(include_left=False)
    good = {
        "kind": "志愿服务",
        "title": "清扫楼道",
        "date": "2025-03-01",
        "hours": 2,
        "participants": [{"member_id": roster[0].id}, {"name": roster[1].name, "hours": 1.5}],
    }
    bad = {
        "kind": "志愿服务",
        "title": "错",
        "date": "2025-03-01",
        "participants": [{"name": "查无此人"}],
    }
    path = tmp_path / "a.json"
    before = len(_list(capsys, demo_dir))
    path.write_text(json.dumps([good, bad], ensure_ascii=False), encoding="utf-8")
    assert main(["activities", "add", "--json", str(path), "--data-dir", str(demo_dir)]) == 2
    assert "第 2 个活动的 participants 第 1 项 name：“查无此人”不在花名册中" in (
        capsys.readouterr().err
    )
    assert len(_list(capsys, demo_dir)) == before
    path.write_text(json.dumps([good], ensure_ascii=False), encoding="utf-8")
    assert main(["activities", "add", "--json", str(path), "--data-dir", str(demo_dir)]) == 0
    capsys.readouterr()
    added = [i for i in _list(capsys, demo_dir) if i["title"] == "清扫楼道"][0]
    assert [(p["name"], p["hours"]) for p in added["participants"]] == [
        (roster[0].name, 2.0),
        (roster[1].name, 1.5),
    ]


def test_member_record_agrees_with_what_is_stored(demo_dir, capsys):
    """Compute each member's year from the command output and from the record: they agree."""
    assert main(["meetings", "list", "--json", "--data-dir", str(demo_dir)]) == 0
    meetings = json.loads(capsys.readouterr().out)
    activities = _list(capsys, demo_dir)
    db = open_database(demo_dir / DB_FILENAME)
    year = dt.date.today().year - 1
    records = MemberRecordRepo(db)
    for member in MemberRepo(db).list():
        rows = [
            a
            for m in meetings
            if m["status"] == "held" and m["date"].startswith(str(year))
            for a in m["attendance"]
            if a["member_id"] == member.id
        ]
        mine = [
            p
            for a in activities
            if a["date"].startswith(str(year))
            for p in a["participants"]
            if p["member_id"] == member.id
        ]
        record = records.year(member.id, year)
        assert record.expected == len(rows)
        assert record.present == sum(r["status"] == "present" for r in rows)
        assert record.leave == sum(r["status"] == "leave" for r in rows)
        assert record.absent == sum(r["status"] == "absent" for r in rows)
        assert record.made_up == sum(bool(r["makeup"]) for r in rows)
        assert record.activity_count == len(mine)
        assert record.hours == round(sum(p["hours"] for p in mine), 2)
        assert all(line.status in AttendanceStatus for line in record.meetings)
    assert year in records.years(MemberRepo(db).list()[0].id)


# -- hostile input: a Chinese message with the place, exit 2, nothing written ----------------


def _activity(**fields):
    return {"kind": "志愿服务", "title": "清扫楼道", "date": "2025-03-01", **fields}


def _raw(value) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def _count(data_dir) -> int:
    db = open_database(data_dir / DB_FILENAME)
    try:
        return ActivityRepo(db).count()
    finally:
        db.close()


def _add_raw(capsys, data_dir, raw: bytes, tmp_path):
    path = tmp_path / "a.json"
    path.write_bytes(raw)
    code = main(["activities", "add", "--json", str(path), "--data-dir", str(data_dir)])
    return code, capsys.readouterr()


TODAY = dt.date.today()
HOSTILE = {
    "participants a number": (
        _raw(_activity(participants=5)),
        "第 1 个活动的 participants：应为 JSON 对象的列表",
    ),
    "hours NaN": (
        b'{"kind": "\xe5\x85\xb6\xe4\xbb\x96", "title": "t", "date": "2025-03-01", "hours": NaN}',
        "第 1 个活动的 hours：应为 0 到 744 之间的小时数，收到 NaN",
    ),
    "own hours Infinity": (
        b'{"kind": "x", "title": "t", "date": "2025-03-01",'
        b' "participants": [{"member_id": 1, "hours": Infinity}]}',
        "第 1 个活动的 participants 第 1 项 hours：应为 0 到 744 之间的小时数，收到 Infinity",
    ),
    "hours 1e400": (
        b'{"kind": "x", "title": "t", "date": "2025-03-01", "hours": 1e400}',
        "第 1 个活动的 hours：应为 0 到 744 之间的小时数，收到 1e400",
    ),
    "hours as text": (
        _raw(_activity(hours="2")),
        '第 1 个活动的 hours：应为 0 到 744 之间的小时数，收到 "2"',
    ),
    "hours true": (_raw(_activity(hours=True)), "hours：应为 0 到 744 之间的小时数，收到 true"),
    "hours negative": (_raw(_activity(hours=-1)), "hours：应为 0 到 744 之间的小时数，收到 -1"),
    "kind a list": (
        _raw(_activity(kind=["志愿服务"])),
        '第 1 个活动的 kind：应为文字，收到 ["志愿服务"]',
    ),
    "kind too long": (_raw(_activity(kind="类" * 21)), "第 1 个活动的 kind：最长 20 个字"),
    "member_id true": (
        _raw(_activity(participants=[{"member_id": True}])),
        "第 1 个活动的 participants 第 1 项 member_id：应为整数党员编号，收到 true",
    ),
    "date 1900": (
        _raw(_activity(date="1900-01-01")),
        "第 1 个活动的 date：日期 1900-01-01 早于 1921-07-01（中国共产党成立）",
    ),
    "end date two years ahead": (
        _raw(_activity(end_date=(TODAY + dt.timedelta(days=800)).isoformat())),
        "第 1 个活动的 end_date：日期",
    ),
    "no title": (_raw({"kind": "其他", "date": "2025-03-01"}), "第 1 个活动的 title：缺少这一项"),
    "lone surrogate": (
        b'{"kind": "x", "title": "\\ud83d", "date": "2025-03-01"}',
        "第 1 个活动的 title：第 1 个字符无效（孤立的代理项 \\ud83d）",
    ),
    "UTF-16": (json.dumps(_activity()).encode("utf-16"), "文件是 UTF-16 编码"),
    "nested": (b'{"description": ' + b"[" * 70 + b"]" * 70 + b"}", "JSON 嵌套太深（71 层"),
}


@pytest.mark.parametrize("raw, message", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_json_is_refused_in_chinese(demo_dir, capsys, tmp_path, raw, message):
    before = _count(demo_dir)
    code, out = _add_raw(capsys, demo_dir, raw, tmp_path)
    assert (code, out.out) == (2, "")
    assert message in out.err and "Traceback" not in out.err
    assert _count(demo_dir) == before


def test_a_member_twice_is_refused(demo_dir, capsys, tmp_path):
    member = MemberRepo(open_database(demo_dir / DB_FILENAME)).list(include_left=False)[2]
    twice = _activity(participants=[{"name": member.name}, {"member_id": member.id, "hours": 1}])
    code, out = _add_raw(capsys, demo_dir, _raw(twice), tmp_path)
    assert code == 2
    assert (
        f"第 1 个活动的 participants 第 2 项：{member.name}（党员编号 {member.id}）已在第 1 项出现"
        in out.err
    )


def test_kind_and_texts_are_stored_as_typed(demo_dir, capsys, tmp_path):
    """Full-width punctuation stays: the JSON path stores text as the editor does."""
    member = MemberRepo(open_database(demo_dir / DB_FILENAME)).list(include_left=False)[0]
    item = _activity(
        kind="学习（线上）",
        title="学习二十大精神，交流体会",
        participants=[{"member_id": member.id}],
        hours=1.5,
    )
    code, out = _add_raw(capsys, demo_dir, _raw(item), tmp_path)
    assert code == 0, out.err
    added = [a for a in _list(capsys, demo_dir) if a["title"] == "学习二十大精神，交流体会"]
    assert [(a["kind"], a["participants"][0]["hours"]) for a in added] == [("学习（线上）", 1.5)]


def test_list_output_is_taken_back_unchanged(demo_dir, capsys, tmp_path):
    listed = _list(capsys, demo_dir)
    code, out = _add_raw(capsys, demo_dir, _raw(listed), tmp_path)
    assert code == 0, out.err
    ids = [int(i) for i in out.out.split("编号 ")[1].split(", ")]
    again = {a["id"]: a for a in _list(capsys, demo_dir)}

    def same(item):
        return {k: v for k, v in item.items() if k not in ("id", "attachments")}

    assert [same(again[i]) for i in ids] == [same(a) for a in listed]
