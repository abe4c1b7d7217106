import datetime as dt

import pytest

from branchdesk.domain.activities import Activity, Participation, check_activity, total
from branchdesk.domain.members import Member
from branchdesk.store.activities import ActivityFilter, ActivityKindRepo, ActivityRepo
from branchdesk.store.members import MemberRepo, NotFound


@pytest.fixture
def people(db):
    repo = MemberRepo(db)
    return [repo.add(Member(name=n)) for n in ("张三", "李四", "王五")]


def _activity(people, **fields):
    base = dict(
        kind="志愿服务",
        title="小区环境整治",
        day=dt.date(2025, 4, 12),
        participants=[Participation(people[0], "张三", 2), Participation(people[1], "李四", 1.5)],
    )
    base.update(fields)
    return Activity(**base)


def test_round_trip_update_delete_undo(db, people):
    repo = ActivityRepo(db)
    activity = _activity(people, end_day=dt.date(2025, 4, 13), guests="社区居民 5 人")
    activity_id = repo.add(activity)
    assert repo.get(activity_id) == activity and activity.total_hours == 3.5
    activity.participants.append(Participation(people[2], "王五", 2))
    repo.update(activity)
    assert [p.name for p in repo.get(activity_id).participants] == ["张三", "李四", "王五"]
    removed = repo.delete(activity_id)
    with pytest.raises(NotFound):
        repo.get(activity_id)
    repo.add(removed)
    assert repo.get(activity_id) == removed


def test_filters_search_and_totals(db, people):
    repo = ActivityRepo(db)
    repo.add(_activity(people))
    repo.add(
        _activity(
            people,
            kind="学习教育",
            title="观看红色电影",
            day=dt.date(2025, 6, 1),
            participants=[Participation(people[2], "王五", 3)],
        )
    )
    assert total(repo.summaries()).hours == 6.5
    assert total(repo.summaries()).participations == 3
    assert [s.title for s in repo.summaries(ActivityFilter(kind="学习教育"))] == ["观看红色电影"]
    assert [s.title for s in repo.summaries(ActivityFilter(text="王五"))] == ["观看红色电影"]
    assert [s.title for s in repo.summaries(ActivityFilter(text="整治"))] == ["小区环境整治"]
    may = ActivityFilter(start=dt.date(2025, 5, 1), end=dt.date(2025, 12, 31))
    assert [s.title for s in repo.summaries(may)] == ["观看红色电影"]
    assert [(s.title, h) for s, h in repo.participations_of(people[0])] == [("小区环境整治", 2)]


def test_kinds_extend_and_rename_everywhere(db, people):
    kinds = ActivityKindRepo(db)
    assert kinds.list()[:4] == ["志愿服务", "社区报到", "学习教育", "结对帮扶"]
    kinds.add("文体活动")
    with pytest.raises(ValueError):
        kinds.add("文体活动")
    ActivityRepo(db).add(_activity(people, kind="文体活动"))
    kinds.rename("文体活动", "文化体育")
    assert "文化体育" in kinds.list() and "文体活动" not in kinds.list()
    assert ActivityRepo(db).summaries()[0].kind == "文化体育"


def test_checks():
    activity = Activity(
        kind="",
        title="",
        day=dt.date(2030, 1, 1),
        end_day=dt.date(2029, 1, 1),
        participants=[Participation(1, "甲", -1), Participation(1, "甲", 1)],
    )
    fields = [f for f, _ in check_activity(activity, today=dt.date(2025, 1, 1))]
    assert fields == ["类型", "名称", "日期", "结束日期", "时长", "参加人员"]


def test_get_many_keeps_the_order_asked_and_skips_unknown_ids(db, people):
    repo = ActivityRepo(db)
    first = repo.add(_activity(people, title="一"))
    second = repo.add(_activity(people, title="二", participants=[]))
    loaded = repo.get_many([second, 99_999, first])
    assert [a.title for a in loaded] == ["二", "一"]
    assert loaded[1] == repo.get(first) and loaded[0].participants == []
