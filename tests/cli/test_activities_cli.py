import datetime as dt
import json

import pytest

from branchdesk.cli import main
from branchdesk.domain.meetings import AttendanceStatus
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
    assert main(["activities", "add", "--json", str(path), "--data-dir", str(demo_dir)]) == 1
    assert "第 2 个活动" in capsys.readouterr().err
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
