"""Plans (计划) become records: which plan a held meeting carries out, and the operation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from branchdesk import ops
from branchdesk.domain.meetings import Meeting, MeetingKind, MeetingStatus
from branchdesk.domain.requirements import expired_plans, plan_to_record
from branchdesk.ops import Session
from branchdesk.ops.records import PlanGone
from branchdesk.store.db import DB_FILENAME, open_database
from branchdesk.store.lock import DataFolderLock
from branchdesk.store.meetings import MeetingRepo
from branchdesk.store.members import GroupRepo

DEC_10 = dt.date(2026, 12, 10)


@pytest.fixture
def session(data_dir: Path):
    open_database(data_dir / DB_FILENAME).close()
    lock = DataFolderLock(data_dir)
    lock.acquire()
    opened = Session.open(data_dir, lock=lock)
    yield opened
    opened.close()


def _plan(session, kind, day, **fields) -> int:
    meeting = Meeting(kinds=[kind], day=day, status=MeetingStatus.PLANNED, **fields)
    return ops.add_meeting(session, meeting).value


def test_the_plan_of_the_same_kind_group_and_period_is_found(session):
    one = GroupRepo(session.db).create("第一党小组").id
    two = GroupRepo(session.db).create("第二党小组").id
    theme = _plan(session, MeetingKind.THEME_DAY, DEC_10, place="党员活动室")
    general = _plan(session, MeetingKind.GENERAL, dt.date(2026, 10, 20))  # quarterly rule
    group_two = _plan(session, MeetingKind.GROUP, dt.date(2026, 12, 8), group_id=two)
    summaries = MeetingRepo(session.db).summaries()

    def found(kind, day, group_id=None):
        plan = plan_to_record(summaries, kind, group_id, day)
        return plan.id if plan else None

    assert found(MeetingKind.THEME_DAY, dt.date(2026, 12, 2)) == theme
    assert found(MeetingKind.THEME_DAY, dt.date(2026, 11, 28)) is None  # another month
    assert found(MeetingKind.GENERAL, dt.date(2026, 12, 2)) == general  # the same quarter
    assert found(MeetingKind.GENERAL, dt.date(2027, 1, 5)) is None
    assert found(MeetingKind.GROUP, dt.date(2026, 12, 2), two) == group_two
    assert found(MeetingKind.GROUP, dt.date(2026, 12, 2), one) is None  # another group
    assert found(MeetingKind.COMMITTEE, dt.date(2026, 12, 2)) is None
    assert [p.id for p in expired_plans(summaries, dt.date(2026, 12, 9))] == [general, group_two]


def test_recording_a_plan_leaves_one_held_meeting(session):
    plan_id = _plan(session, MeetingKind.THEME_DAY, DEC_10, place="党员活动室",
                    topics=["重温入党誓词"])  # fmt: skip
    held = Meeting(kinds=[MeetingKind.THEME_DAY], day=dt.date(2026, 12, 2), place="党员活动室",
                   topics=["重温入党誓词"], minutes="全体党员重温入党誓词。")  # fmt: skip

    result = ops.record_planned_meeting(session, plan_id, held)

    assert result.value == plan_id
    assert result.changes.meetings and result.changes.days >= {DEC_10, dt.date(2026, 12, 2)}
    (only,) = MeetingRepo(session.db).summaries()
    assert (only.id, only.status, only.day) == (plan_id, MeetingStatus.HELD, dt.date(2026, 12, 2))
    assert MeetingRepo(session.db).get(plan_id).minutes == "全体党员重温入党誓词。"


def test_a_plan_already_recorded_or_deleted_is_refused_and_nothing_changes(session):
    plan_id = _plan(session, MeetingKind.THEME_DAY, DEC_10)
    held = Meeting(kinds=[MeetingKind.THEME_DAY], day=dt.date(2026, 12, 2), title="第二次")
    ops.record_planned_meeting(session, plan_id, held)
    with pytest.raises(PlanGone, match="已登记为召开"):
        ops.record_planned_meeting(session, plan_id, held)
    ops.delete_meeting(session, plan_id)
    with pytest.raises(PlanGone):
        ops.record_planned_meeting(session, plan_id, held)
    assert MeetingRepo(session.db).summaries() == []
