import datetime as dt

import pytest

from branchdesk.domain.dates import PartialDate
from branchdesk.domain.meetings import (
    Attachment,
    AttendanceStatus,
    Makeup,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Person,
    build_attendance,
    expected_members,
)
from branchdesk.domain.members import Member, Role
from branchdesk.store.meetings import MeetingFilter, MeetingRepo
from branchdesk.store.members import GroupRepo, MemberRepo, NotFound


@pytest.fixture
def branch(db):
    groups = GroupRepo(db)
    one, two = groups.create("第一党小组"), groups.create("第二党小组")
    repo = MemberRepo(db)
    for index, name in enumerate(["张三", "李四", "王五", "赵六", "钱七"]):
        repo.add(
            Member(
                name=name,
                group_id=(one if index % 2 else two).id,
                join_date=PartialDate(2000, 1, 1),
                roles=[Role.SECRETARY] if index == 0 else [],
            )
        )
    return db


def _meeting(db, kinds=(MeetingKind.THEME_DAY,), day=dt.date(2025, 5, 10), **fields):
    meeting = Meeting(kinds=list(kinds), day=day, **fields)
    members = MemberRepo(db).list()
    meeting.attendance = build_attendance(
        expected_members(members, meeting.kinds, day, meeting.group_id)
    )
    return meeting


def test_a_meeting_round_trips_whole(branch):
    repo = MeetingRepo(branch)
    meeting = _meeting(
        branch,
        kinds=(MeetingKind.THEME_DAY, MeetingKind.LECTURE),
        start=dt.time(14, 30),
        end=dt.time(16, 0),
        place="活动室",
        title="重温入党誓词",
        host=Person("张三", 1),
        recorder=Person("来宾甲"),
        lecturer=Person("张三", 1),
        lecture_title="初心使命",
        topics=["学习党章", "讨论"],
        minutes="第一段。\n\n第二段。",
        resolutions="通过。",
        nonvoting="社区主任",
        attachments=[Attachment(None, "合影.jpg", "a1.jpg")],
    )
    meeting.attendance[1].status = AttendanceStatus.LEAVE
    meeting.attendance[1].reason = "出差"
    meeting.attendance[1].makeup = Makeup(dt.date(2025, 5, 12), "自学")
    meeting_id = repo.add(meeting)
    stored = repo.get(meeting_id)
    assert stored.attachments[0].added_at  # stamped by the store
    stored.attachments[0].added_at = ""
    assert stored == meeting
    assert stored.counts.expected == 5 and stored.counts.leave == 1


def test_roster_edits_never_rewrite_held_attendance(branch):
    repo = MeetingRepo(branch)
    group = GroupRepo(branch).by_name("第一党小组")
    meeting = _meeting(branch, kinds=(MeetingKind.GROUP,), group_id=group.id, group_name=group.name)
    meeting_id = repo.add(meeting)
    before = repo.get(meeting_id).attendance
    members = MemberRepo(branch)
    moved = members.get(before[0].member_id)
    moved.name = "改名了"
    members.update(moved)
    members.move_to_group([moved.id], GroupRepo(branch).by_name("第二党小组").id)
    after = repo.get(meeting_id).attendance
    assert after == before and after[0].group_name == "第一党小组"


def test_update_replaces_kinds_topics_and_attendance(branch):
    repo = MeetingRepo(branch)
    meeting = _meeting(branch, topics=["甲", "乙"])
    repo.add(meeting)
    meeting.kinds = [MeetingKind.GENERAL]
    meeting.topics = ["丙"]
    meeting.attendance[0].status = AttendanceStatus.ABSENT
    repo.update(meeting)
    stored = repo.get(meeting.id)
    assert stored.kinds == [MeetingKind.GENERAL] and stored.topics == ["丙"]
    assert stored.counts.absent == 1


def test_delete_returns_the_meeting_and_undo_restores_it(branch):
    repo = MeetingRepo(branch)
    meeting_id = repo.add(_meeting(branch, topics=["甲"]))
    removed = repo.delete(meeting_id)
    with pytest.raises(NotFound):
        repo.get(meeting_id)
    assert branch.execute("SELECT count(*) FROM attendance").fetchone()[0] == 0
    repo.add(removed)
    assert repo.get(meeting_id) == removed


def test_filters_and_two_character_search(branch):
    repo = MeetingRepo(branch)
    repo.add(_meeting(branch, day=dt.date(2025, 1, 5), minutes="张三谈了体会。"))
    repo.add(
        _meeting(
            branch, kinds=(MeetingKind.LECTURE,), day=dt.date(2025, 2, 5), topics=["党课：党史"]
        )
    )
    repo.add(
        _meeting(
            branch,
            kinds=(MeetingKind.COMMITTEE,),
            day=dt.date(2025, 3, 5),
            resolutions="同意发展对象",
            status=MeetingStatus.PLANNED,
        )
    )
    assert len(repo.summaries()) == 3
    assert [s.day.month for s in repo.summaries()] == [3, 2, 1]
    assert [s.day.month for s in repo.summaries(MeetingFilter(text="张三"))] == [1]
    assert [s.day.month for s in repo.summaries(MeetingFilter(text="党课"))] == [2]
    assert [s.day.month for s in repo.summaries(MeetingFilter(text="发展"))] == [3]
    assert repo.summaries(MeetingFilter(text="100%")) == []
    assert [s.day.month for s in repo.summaries(MeetingFilter(kind=MeetingKind.LECTURE))] == [2]
    window = MeetingFilter(start=dt.date(2025, 2, 1), end=dt.date(2025, 3, 31))
    assert [s.day.month for s in repo.summaries(window)] == [3, 2]
    assert [s.day.month for s in repo.summaries(MeetingFilter(status=MeetingStatus.PLANNED))] == [3]


def test_group_filter_and_same_day_duplicates(branch):
    repo = MeetingRepo(branch)
    group = GroupRepo(branch).by_name("第一党小组")
    first = _meeting(branch, kinds=(MeetingKind.GROUP,), group_id=group.id, group_name=group.name)
    repo.add(first)
    other_group = GroupRepo(branch).by_name("第二党小组")
    second = _meeting(branch, kinds=(MeetingKind.GROUP,), group_id=other_group.id)
    assert repo.same_day_duplicates(second) == []
    again = _meeting(branch, kinds=(MeetingKind.GROUP,), group_id=group.id)
    assert [d.id for d in repo.same_day_duplicates(again)] == [first.id]
    assert [s.id for s in repo.summaries(MeetingFilter(group_id=group.id))] == [first.id]


def test_adding_many_is_all_or_nothing(branch):
    repo = MeetingRepo(branch)
    good = _meeting(branch)
    bad = _meeting(branch)
    bad.attendance[0].member_id = 999  # no such member: the foreign key refuses it
    with pytest.raises(Exception):  # noqa: B017 - sqlite3.IntegrityError
        repo.add_many([good, bad])
    assert repo.count() == 0


def test_get_many_loads_whole_meetings_in_the_order_asked(branch):
    repo = MeetingRepo(branch)
    ids = []
    for offset, title in enumerate(["一", "二", "三"]):
        meeting = _meeting(branch, day=dt.date(2025, 5, 10 + offset), title=title)
        meeting.attendance[offset].status = AttendanceStatus.ABSENT
        meeting.topics = [f"议题{title}", "其他"]
        ids.append(repo.add(meeting))
    # More ids than one IN (...) list takes, with unknown ids and a repeat among them.
    asked = [ids[2], *range(10_000, 10_600), ids[0], ids[2], ids[1]]
    loaded = repo.get_many(asked)
    assert [m.id for m in loaded] == [ids[2], ids[0], ids[1]]
    assert loaded == [repo.get(ids[2]), repo.get(ids[0]), repo.get(ids[1])]
    assert [m.topics for m in loaded][1] == ["议题一", "其他"]
    assert [m.counts.absent for m in loaded] == [1, 1, 1]
    assert repo.get_many([]) == []
