"""The write operations, without Qt, on a real data folder: what they change, all or nothing."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

from branchdesk import ops
from branchdesk.domain.activities import Activity
from branchdesk.domain.branch import Branch
from branchdesk.domain.dates import PartialDate
from branchdesk.domain.meetings import Meeting, MeetingKind
from branchdesk.domain.members import Member, MemberStatus
from branchdesk.domain.requirements import DEFAULT_REQUIREMENTS, Period
from branchdesk.ops import Changes, Session
from branchdesk.store.activities import ActivityKindRepo, ActivityRepo
from branchdesk.store.db import DB_FILENAME, StorageError, open_database
from branchdesk.store.history import HistoryRepo
from branchdesk.store.lock import DataFolderLock
from branchdesk.store.meetings import MeetingRepo
from branchdesk.store.members import BranchRepo, GroupRepo, MemberRepo
from branchdesk.store.periods import ReportedPeriodRepo

MAY = Period.parse("2025-05")


@pytest.fixture
def session(data_dir: Path):
    open_database(data_dir / DB_FILENAME).close()
    lock = DataFolderLock(data_dir)
    lock.acquire()
    opened = Session.open(data_dir, lock=lock)
    yield opened
    opened.close()


def _history_count(session: Session) -> int:
    return len(HistoryRepo(session.db).recent(10_000))


def test_operations_bring_no_qt():
    import subprocess

    code = "import sys, branchdesk.ops, branchdesk.ops.roster; print('PySide6' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_branch_groups_and_members_say_what_they_changed(session):
    assert ops.save_branch(session, Branch("城关党支部", "城关街道党工委")).changes == Changes.of(
        "branch"
    )
    assert BranchRepo(session.db).get() == Branch("城关党支部", "城关街道党工委")
    one = ops.create_group(session, "第一党小组")
    assert one.changes == Changes.of("groups") and one.value.name == "第一党小组"
    two = ops.create_group(session, "第二党小组").value
    added = ops.add_member(session, Member(name="张伟", group_id=one.value.id))
    assert added.changes.members and added.changes.history and not added.changes.groups
    member = MemberRepo(session.db).get(added.value)
    member.workplace = "街道办"
    assert ops.update_member(session, member).changes == Changes.of("members", "history")
    assert ops.set_group_leader(session, two.id, member.id).changes == Changes.of("groups")
    moved = ops.move_members(session, [member.id], two.id)
    assert moved.changes == Changes.of("members", "groups", "history")  # a move is in 修改记录
    assert MemberRepo(session.db).get(member.id).group_id == two.id
    renamed = ops.rename_group(session, two.id, "第三党小组")
    assert renamed.changes.groups and renamed.changes.members  # members show the group's name
    assert ops.merge_groups(session, two.id, one.value.id).changes == Changes.of(
        "groups", "members", "history"
    )
    assert [g.name for g in GroupRepo(session.db).list()] == ["第一党小组"]
    status = ops.set_member_status(
        session, member.id, MemberStatus.TRANSFERRED_OUT, PartialDate(2025, 3, 1)
    )
    assert status.changes == Changes.of("members", "history")
    assert MemberRepo(session.db).get(member.id).status is MemberStatus.TRANSFERRED_OUT
    empty = ops.create_group(session, "空小组").value
    assert ops.delete_group(session, empty.id).changes == Changes.of("groups")


def test_meetings_and_activities_say_their_days(session):
    meeting = Meeting(kinds=[MeetingKind.THEME_DAY], day=dt.date(2025, 5, 10), title="主题党日")
    added = ops.add_meeting(session, meeting)
    assert added.changes.meetings and added.changes.history and not added.changes.members
    assert added.changes.days == {dt.date(2025, 5, 10)}
    meeting.day = dt.date(2025, 5, 12)
    moved = ops.update_meeting(session, meeting)
    assert moved.changes.days == {dt.date(2025, 5, 10), dt.date(2025, 5, 12)}  # old and new
    deleted = ops.delete_meeting(session, added.value)
    assert deleted.value.title == "主题党日" and deleted.changes.meetings
    assert MeetingRepo(session.db).count() == 0
    assert ops.add_meeting(session, deleted.value).value == added.value  # 撤销 keeps the id

    activity = Activity(kind="志愿服务", title="社区清扫", day=dt.date(2025, 6, 1))
    done = ops.add_activity(session, activity)
    assert done.changes == Changes.of("activities", "history", days=[dt.date(2025, 6, 1)])
    activity.title = "社区大扫除"
    assert ops.update_activity(session, activity).changes.activities
    assert ops.delete_activity(session, done.value).value.title == "社区大扫除"
    assert ops.add_activity_kind(session, "文明实践").changes == Changes.of("activity_kinds")
    renamed = ops.rename_activity_kind(session, "文明实践", "新时代文明实践")
    assert renamed.changes.activity_kinds and renamed.changes.activities
    assert "新时代文明实践" in ActivityKindRepo(session.db).list()


def test_history_requirements_periods_and_attachments(session, tmp_path):
    member_id = ops.add_member(session, Member(name="李娜", workplace="街道办")).value
    member = MemberRepo(session.db).get(member_id)
    member.workplace = "社区"
    ops.update_member(session, member)
    change = HistoryRepo(session.db).for_record("member", member_id)[0]
    restored = ops.restore_from_history(session, change.id)
    assert restored.value == member_id and restored.changes == Changes.of("members", "history")
    assert MemberRepo(session.db).get(member_id).workplace == "街道办"

    rules = list(DEFAULT_REQUIREMENTS)[:1]
    assert ops.save_requirements(session, rules).changes == Changes.of("requirements")
    assert ops.reset_requirements(session).changes == Changes.of("requirements")

    reported = ops.mark_period_reported(session, MAY)
    assert reported.changes == Changes.of("periods", "history", periods=["2025-05"])
    assert ReportedPeriodRepo(session.db).get(MAY).locked
    assert ops.unlock_period(session, MAY, "补录一次会议").changes.period_codes == {"2025-05"}

    photo = tmp_path / "合影.jpg"
    photo.write_bytes(b"\xff\xd8 photo")
    attachment = ops.add_attachment(session, photo)
    stored = session.data_dir / "attachments" / attachment.value.stored_name
    assert attachment.changes == Changes.of("attachments") and stored.read_bytes() == b"\xff\xd8 photo"
    ops.remove_attachment(session, attachment.value)
    assert not stored.exists()


def test_a_failure_midway_leaves_nothing(session):
    """The second meeting falls in a reported period: the first is not kept either."""
    ops.mark_period_reported(session, MAY)
    history_before = _history_count(session)
    fine = Meeting(kinds=[MeetingKind.COMMITTEE], day=dt.date(2025, 6, 3), title="支委会")
    locked = Meeting(kinds=[MeetingKind.COMMITTEE], day=dt.date(2025, 5, 3), title="补录")
    with pytest.raises(StorageError, match="已上报"):
        ops.add_meetings(session, [fine, locked])
    assert MeetingRepo(session.db).count() == 0
    assert _history_count(session) == history_before
    assert not session.db.conn.in_transaction
    # Nothing is left half-open: the next operation writes normally.
    assert ops.add_meetings(session, [fine]).value == [fine.id]


def test_operations_compose_in_one_outer_transaction(session):
    """Operations nest (savepoints): a caller's transaction keeps them all or none."""
    ops.mark_period_reported(session, MAY)
    locked = Meeting(kinds=[MeetingKind.COMMITTEE], day=dt.date(2025, 5, 3))
    with pytest.raises(StorageError), session.transaction():
        ops.add_member(session, Member(name="张伟"))
        ops.add_meeting(session, locked)
    assert MemberRepo(session.db).counts().total == 0


def test_a_write_failing_after_its_row_leaves_nothing(session, monkeypatch):
    """A failure after the record's row is in (writing its history) rolls the row back."""
    import sqlite3

    from branchdesk.store import records

    def disk_full(*_args, **_kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(records, "record_change", disk_full)
    with pytest.raises(sqlite3.OperationalError):
        ops.add_activity(session, Activity(kind="其他", title="半截", day=dt.date(2025, 6, 1)))
    assert ActivityRepo(session.db).count() == 0


def test_a_read_only_session_refuses_every_write(data_dir):
    open_database(data_dir / DB_FILENAME).close()
    session = Session.open(data_dir, read_only=True)
    try:
        writes = [
            lambda s: ops.save_branch(s, Branch("x", "")),
            lambda s: ops.create_group(s, "第一党小组"),
            lambda s: ops.add_member(s, Member(name="张伟")),
            lambda s: ops.add_meeting(s, Meeting(kinds=[MeetingKind.OTHER], day=dt.date.today())),
            lambda s: ops.add_activity_kind(s, "文明实践"),
            lambda s: ops.mark_period_reported(s, MAY),
            lambda s: ops.reset_requirements(s),
            lambda s: ops.add_attachment(s, data_dir / DB_FILENAME),
        ]
        for write in writes:
            with pytest.raises(StorageError, match="只读") as refused:
                write(session)
            assert refused.value.message.startswith("数据文件夹是只读的")
        assert MemberRepo(session.db).counts().total == 0
        assert not (data_dir / "attachments").exists()
    finally:
        session.close()


def test_a_writable_session_needs_the_held_lock(data_dir):
    open_database(data_dir / DB_FILENAME).close()
    with pytest.raises(ValueError):
        Session.open(data_dir)  # no lock
    lock = DataFolderLock(data_dir)
    lock.acquire()
    session = Session.open(data_dir, lock=lock)
    lock.release()  # the folder is no longer ours: nothing may be written
    try:
        with pytest.raises(StorageError, match="不再由本程序占用"):
            ops.add_member(session, Member(name="张伟"))
    finally:
        session.close()


def test_reopen_keeps_the_same_database_object(session):
    db = session.db
    repo = MemberRepo(db)
    ops.add_member(session, Member(name="张伟"))
    session.close_database()
    session.reopen()
    assert session.db is db and [m.name for m in repo.list()] == ["张伟"]


def test_changes_combine_and_everything_sets_every_flag():
    both = Changes.of("meetings", days=[dt.date(2025, 5, 1)]) | Changes.of("members")
    assert both.meetings and both.members and both.days == {dt.date(2025, 5, 1)}
    assert not Changes() and Changes.of("history")
    everything = Changes.all()
    assert everything.everything and everything.branch and everything.periods
    with pytest.raises(ValueError):
        Changes.of("meeting")  # a typo is an error, not a silent no-op
