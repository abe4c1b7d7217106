import datetime as dt
import json

import pytest
from demo_cache import write_demo_branch

from branchdesk.cli import main
from branchdesk.domain.meetings import AttendanceStatus
from branchdesk.domain.requirements import Period
from branchdesk.reports.return_figures import compute_return
from branchdesk.store.activities import ActivityRepo
from branchdesk.store.db import DB_FILENAME, open_database
from branchdesk.store.history import HistoryRepo
from branchdesk.store.meetings import MeetingFilter, MeetingRepo
from branchdesk.store.members import MemberRepo
from branchdesk.store.periods import PeriodLocked, ReportedPeriodRepo

TODAY = dt.date.today()


@pytest.fixture
def db(data_dir):
    write_demo_branch(data_dir, members=14, seed=6)
    return open_database(data_dir / DB_FILENAME)


def test_every_change_is_recorded_with_before_and_after(db):
    repo = MeetingRepo(db)
    meeting = repo.get(repo.summaries()[3].id)
    meeting.attendance[0].status = AttendanceStatus.LEAVE
    meeting.attendance[0].reason = "出差"
    repo.update(meeting)
    changes = HistoryRepo(db).for_record("meeting", meeting.id)
    assert [c.action for c in changes] == ["update", "insert"]
    before, after = json.loads(changes[0].before), json.loads(changes[0].after)
    assert before["attendance"][0]["status"] == "present"
    assert after["attendance"][0] == {
        **before["attendance"][0],
        "status": "leave",
        "reason": "出差",
    }
    member = MemberRepo(db).list()[0]
    member.phone = "13900000000"
    MemberRepo(db).update(member)
    assert HistoryRepo(db).for_record("member", member.id)[0].action == "update"


def test_a_deleted_meeting_is_restored_whole_from_the_history(db):
    repo = MeetingRepo(db)
    original = repo.get(repo.summaries()[5].id)
    repo.delete(original.id)
    deleted = HistoryRepo(db).deleted("meeting")
    assert [c.entity_id for c in deleted] == [str(original.id)]
    HistoryRepo(db).restore(deleted[0].id)
    assert repo.get(original.id) == original
    assert HistoryRepo(db).deleted("meeting") == []
    assert HistoryRepo(db).for_record("meeting", original.id)[0].action == "restore"


def test_deleted_activities_and_changed_members_come_back(db):
    activities = ActivityRepo(db)
    activity = activities.get(activities.summaries()[0].id)
    activities.delete(activity.id)
    HistoryRepo(db).restore(HistoryRepo(db).deleted("activity")[0].id)
    assert activities.get(activity.id) == activity
    members = MemberRepo(db)
    member = members.list()[2]
    old_name = member.name
    member.name = "误改的名字"
    members.update(member)
    HistoryRepo(db).restore(HistoryRepo(db).for_record("member", member.id)[0].id)
    assert members.get(member.id).name == old_name


def test_a_reported_period_is_read_only_until_unlocked_with_a_reason(db):
    last_month = Period.containing(Period.parse("2026-01").unit, TODAY).previous()
    periods = ReportedPeriodRepo(db)
    periods.mark_reported(last_month)
    repo = MeetingRepo(db)
    inside = repo.get(
        repo.summaries(MeetingFilter(start=last_month.start, end=last_month.end))[0].id
    )
    inside.title = "改一下"
    with pytest.raises(PeriodLocked) as info:
        repo.update(inside)
    assert last_month.label in info.value.message and "解锁" in info.value.message
    with pytest.raises(PeriodLocked):
        repo.delete(inside.id)
    moved_in = repo.get(repo.summaries()[0].id)
    moved_in.day = last_month.start
    with pytest.raises(PeriodLocked):
        repo.update(moved_in)  # moving a record into a locked period is a change to it too
    assert not compute_return(db, last_month).revised
    with pytest.raises(ValueError):
        periods.unlock(last_month, "  ")
    periods.unlock(last_month, "补录遗漏的请假事由")
    repo.update(inside)
    assert compute_return(db, last_month).revised
    events = HistoryRepo(db).for_record("period", last_month.code)
    assert [e.action for e in events] == ["unlock", "report"]
    assert events[0].note == "补录遗漏的请假事由"


def test_return_command_can_mark_the_period_reported(data_dir, db, tmp_path, capsys):
    period = Period.containing(Period.parse("2026-01").unit, TODAY).previous()
    out = tmp_path / "r.xlsx"
    assert (
        main(
            [
                "return",
                "--month",
                period.code,
                "-o",
                str(out),
                "--mark-reported",
                "--data-dir",
                str(data_dir),
            ]
        )
        == 0
    )
    assert ReportedPeriodRepo(open_database(data_dir / DB_FILENAME)).get(period).locked
