"""``meetings list --json`` and ``activities list --json`` write one record at a time.

The output is the same text as the whole list dumped at once (the form it had before it was
streamed), and the records are read from the database in batches as they are written.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest

from branchdesk.cli import main
from branchdesk.domain.meetings import MeetingKind
from branchdesk.reports.activities_json import activity_to_json, write_activities_json
from branchdesk.reports.json_output import write_json_array
from branchdesk.reports.meetings_json import meeting_to_json, write_meetings_json
from branchdesk.store import records
from branchdesk.store.activities import ActivityFilter, ActivityRepo
from branchdesk.store.db import DB_FILENAME, open_database
from branchdesk.store.meetings import MeetingFilter, MeetingRepo
from branchdesk.store.members import MemberRepo
from branchdesk.store.records import STREAM_BATCH
from branchdesk.store.rule_queries import RuleQueries


@pytest.fixture
def demo_dir(data_dir, capsys):
    assert main(["demo", "--data-dir", str(data_dir), "--members", "40", "--seed", "2"]) == 0
    capsys.readouterr()
    return data_dir


@pytest.fixture
def db(demo_dir):
    database = open_database(demo_dir / DB_FILENAME)
    yield database
    database.close()


def _whole(values) -> str:
    """The listing as it was written before streaming: the whole list, dumped at once."""
    return json.dumps(values, ensure_ascii=False, indent=2) + "\n"


def _day(extra, option) -> dt.date | None:
    return dt.date.fromisoformat(extra[extra.index(option) + 1]) if option in extra else None


def _listed(capsys, data_dir, what, *extra) -> str:
    assert main([what, "list", "--json", "--data-dir", str(data_dir), *extra]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize(
    "extra",
    [(), ("--kind", "theme_day"), ("--from", "2025-03-01", "--to", "2025-09-30")],
)
def test_meetings_list_json_equals_the_whole_list_dumped_at_once(demo_dir, db, capsys, extra):
    out = _listed(capsys, demo_dir, "meetings", *extra)
    repo = MeetingRepo(db)
    kind = MeetingKind(extra[1]) if extra[:1] == ("--kind",) else None
    where = MeetingFilter(
        start=_day(extra, "--from"), end=_day(extra, "--to"), kind=kind
    )
    oldest_first = list(reversed(repo.summaries(where)))
    assert len(oldest_first) > 10
    members, rules = MemberRepo(db).list(), RuleQueries(db)
    meetings = repo.get_many(s.id for s in oldest_first)
    assert out == _whole([meeting_to_json(m, rules.quorum(m, members)) for m in meetings])
    listed = json.loads(out)
    assert [m["id"] for m in listed] == [s.id for s in oldest_first]


@pytest.mark.parametrize("extra", [(), ("--kind", "志愿服务"), ("--from", "2025-01-01")])
def test_activities_list_json_equals_the_whole_list_dumped_at_once(demo_dir, db, capsys, extra):
    out = _listed(capsys, demo_dir, "activities", *extra)
    repo = ActivityRepo(db)
    kind = extra[1] if extra[:1] == ("--kind",) else None
    where = ActivityFilter(start=_day(extra, "--from"), kind=kind)
    oldest_first = list(reversed(repo.summaries(where)))
    assert len(oldest_first) > 3
    assert out == _whole([activity_to_json(a) for a in repo.get_many(s.id for s in oldest_first)])
    assert [a["id"] for a in json.loads(out)] == [s.id for s in oldest_first]


def test_an_empty_listing_is_an_empty_array(demo_dir, capsys):
    assert _listed(capsys, demo_dir, "meetings", "--from", "2090-01-01") == "[]\n"
    assert _listed(capsys, demo_dir, "activities", "--kind", "无此类型") == "[]\n"


@pytest.mark.parametrize(
    "values",
    [
        [],
        [{}],
        [[]],
        [1, "two", None, True, 2.5],
        [{"a": [], "b": {}, "c": [1, [2, {"d": "e"}]]}, {"minutes": "一行\n二行\r\n\t制表"}],
        [{"text": "分隔\u2028段落\u2029结束", "quote": 'He said "好"', "slash": "a\\b"}],
    ],
)
def test_the_streamed_array_is_the_text_json_dumps_writes(values):
    out = io.StringIO()
    assert write_json_array(out, iter(values)) == len(values)
    assert out.getvalue() == _whole(values)
    assert json.loads(out.getvalue()) == values


class _StopAfterFirstRecord(io.StringIO):
    """An output that stops the listing as soon as the first record has been written."""

    class Stopped(Exception):
        pass

    def write(self, text: str) -> int:
        if self.getvalue():  # "[\n" and the first record are in
            raise self.Stopped
        return super().write(text)


def _count_batches(monkeypatch, repo_class) -> list[list[int]]:
    batches: list[list[int]] = []
    load = repo_class._load

    def counting_load(self, ids, marks):
        batches.append(list(ids))
        return load(self, ids, marks)

    monkeypatch.setattr(repo_class, "_load", counting_load)
    return batches


def test_the_meeting_listing_reads_one_batch_for_its_first_record(db, monkeypatch):
    total = MeetingRepo(db).count()
    assert total > 2 * STREAM_BATCH
    batches = _count_batches(monkeypatch, MeetingRepo)
    out = _StopAfterFirstRecord()
    with pytest.raises(_StopAfterFirstRecord.Stopped):
        write_meetings_json(db, MeetingFilter(), out)
    assert len(batches) == 1 and len(batches[0]) == STREAM_BATCH
    first = json.loads(out.getvalue().removeprefix("[\n"))
    assert first["id"] == batches[0][0]

    # Read to the end, every meeting is loaded once, a batch at a time.
    batches.clear()
    out = io.StringIO()
    assert write_meetings_json(db, MeetingFilter(), out) == total
    assert len(batches) == -(-total // STREAM_BATCH)
    assert max(len(b) for b in batches) == STREAM_BATCH
    assert sorted(i for b in batches for i in b) == sorted(m["id"] for m in json.loads(out.getvalue()))


def test_the_activity_listing_reads_one_batch_for_its_first_record(db, monkeypatch):
    monkeypatch.setattr(records, "STREAM_BATCH", 10)  # the demo has some forty activities
    total = ActivityRepo(db).count()
    assert total > 3 * 10
    batches = _count_batches(monkeypatch, ActivityRepo)
    out = _StopAfterFirstRecord()
    with pytest.raises(_StopAfterFirstRecord.Stopped):
        write_activities_json(db, ActivityFilter(), out)
    assert len(batches) == 1 and len(batches[0]) == 10
    assert json.loads(out.getvalue().removeprefix("[\n"))["id"] == batches[0][0]


def test_iter_many_keeps_the_order_and_loads_as_it_is_read(db, monkeypatch):
    repo = MeetingRepo(db)
    ids = [s.id for s in repo.summaries()][:7]
    wanted = [ids[3], ids[0], 999_999, ids[6], ids[3], ids[1], ids[5], ids[2], ids[4]]
    whole = [m.id for m in repo.get_many(wanted)]
    batches = _count_batches(monkeypatch, MeetingRepo)
    records = repo.iter_many(wanted, batch=3)
    assert batches == []  # nothing read before the first record is taken
    assert next(records).id == ids[3]
    assert len(batches) == 1
    rest = [m.id for m in records]
    # Duplicates once, missing ids left out, as get_many does.
    assert [ids[3], *rest] == whole
    assert batches == [[ids[3], ids[0], 999_999], [ids[6], ids[1], ids[5]], [ids[2], ids[4]]]
