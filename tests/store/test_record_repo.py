"""Meetings and activities are stored through one repository shape (``RecordRepo``): the same
round trip (add, read, list, change, delete, undo) works on both without knowing which."""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
from typing import Any

import pytest

from branchdesk.domain.activities import Activity, Participation
from branchdesk.domain.meetings import Attendance, Meeting, MeetingKind
from branchdesk.domain.members import Member
from branchdesk.domain.records import RecordRepo
from branchdesk.store.activities import ActivityRepo
from branchdesk.store.meetings import MeetingRepo
from branchdesk.store.members import MemberRepo, NotFound


def _meeting(people: list[int]) -> Meeting:
    return Meeting(
        kinds=[MeetingKind.GENERAL],
        day=dt.date(2025, 4, 12),
        title="学习党章",
        attendance=[Attendance(people[0], "张三"), Attendance(people[1], "李四")],
    )


def _activity(people: list[int]) -> Activity:
    return Activity(
        kind="志愿服务",
        title="小区环境整治",
        day=dt.date(2025, 4, 12),
        participants=[Participation(people[0], "张三", 2), Participation(people[1], "李四", 1)],
    )


def _round_trip(repo: RecordRepo[Any, Any, Any], record: Any) -> None:
    """What the shared list page and editors do with any record type."""
    assert repo.count() == 0
    record_id = repo.add(record)
    assert repo.get(record_id) == record and record.id == record_id
    [summary] = repo.summaries()
    assert (summary.id, summary.day) == (record_id, record.day)
    assert repo.get_many([record_id]) == [record]
    repo.update(dataclasses.replace(record, title="改过的主题"))
    assert repo.get(record_id).title == "改过的主题"
    removed = repo.delete(record_id)
    assert repo.count() == 0
    with pytest.raises(NotFound):
        repo.get(record_id)
    assert repo.add(removed) == record_id  # undo keeps the id
    assert repo.get(record_id) == removed and repo.count() == 1


@pytest.mark.parametrize(
    ("repo_type", "make"), [(MeetingRepo, _meeting), (ActivityRepo, _activity)]
)
def test_meetings_and_activities_share_one_repository_shape(db, repo_type, make) -> None:
    people = [MemberRepo(db).add(Member(name=name)) for name in ("张三", "李四")]
    repo = repo_type(db)
    assert isinstance(repo, RecordRepo)
    _round_trip(repo, make(people))


@pytest.mark.parametrize("repo_type", [MeetingRepo, ActivityRepo])
def test_repositories_take_the_protocols_arguments(repo_type) -> None:
    """Same parameters in the same order (ids positional), so one call fits both."""
    for name, method in inspect.getmembers(RecordRepo, inspect.isfunction):
        if name.startswith("_"):
            continue
        wanted = inspect.signature(method).parameters
        given = inspect.signature(getattr(repo_type, name)).parameters
        assert len(given) == len(wanted), name
        for (_, want), (_, have) in zip(wanted.items(), given.items(), strict=True):
            assert have.kind in (want.kind, inspect.Parameter.POSITIONAL_OR_KEYWORD), name
            assert (have.default is inspect.Parameter.empty) == (
                want.default is inspect.Parameter.empty
            ), name
            if want.kind is inspect.Parameter.KEYWORD_ONLY:
                assert (have.name, have.default) == (want.name, want.default), name
