import datetime as dt
import io
import json

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
    assert code == 1
    assert "第 2 个会议" in out.err and "党小组" in out.err and "没有写入" in out.err
    assert len(_list(capsys, demo_dir)) == before


@pytest.mark.parametrize(
    "item, fragment",
    [
        ({"kinds": ["tea_party"], "date": "2024-01-01"}, "未知的会议类型"),
        ({"kinds": ["theme_day"], "date": "2024-02-30"}, "无效"),
        ({"kinds": ["theme_day"], "date": "2099-01-01"}, "晚于今天"),
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
    assert code == 1 and fragment in out.err


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
    assert main(["meetings", "add", "--json", str(broken), "--data-dir", str(demo_dir)]) == 1
    assert "不是有效的 JSON" in capsys.readouterr().err


def test_unknown_kind_code_in_list_exits_2(demo_dir, capsys):
    assert main(["meetings", "list", "--kind", "nope", "--data-dir", str(demo_dir)]) == 2
    assert "可用" in capsys.readouterr().err
