"""Writes to dated records: meetings (会议), activities (活动), their attachments and history."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from branchdesk.domain.activities import Activity
from branchdesk.domain.meetings import Attachment, Meeting, MeetingStatus
from branchdesk.ops.changes import Changes, OpResult
from branchdesk.store.activities import ActivityKindRepo, ActivityRepo
from branchdesk.store.attachments import discard_attachment, store_attachment
from branchdesk.store.db import StorageError
from branchdesk.store.history import HistoryRepo
from branchdesk.store.meetings import MeetingRepo
from branchdesk.store.members import NotFound
from branchdesk.store.session import Session


def _meetings(*days: object) -> Changes:
    return Changes.of("meetings", "attachments", "history", days=days)  # type: ignore[arg-type]


def _activities(*days: object) -> Changes:
    return Changes.of("activities", "history", days=days)  # type: ignore[arg-type]


# -- meetings ------------------------------------------------------------------------------------


def add_meeting(session: Session, meeting: Meeting) -> OpResult[int]:
    """Save a new meeting (or put a deleted one back, with its id)."""
    with session.transaction() as db:
        meeting_id = MeetingRepo(db).add(meeting)
    return OpResult(meeting_id, _meetings(meeting.day))


def add_meetings(session: Session, meetings: Iterable[Meeting]) -> OpResult[list[int]]:
    """Save several new meetings, all or nothing."""
    meetings = list(meetings)
    with session.transaction() as db:
        ids = MeetingRepo(db).add_many(meetings)
    return OpResult(ids, _meetings(*(m.day for m in meetings)))


def update_meeting(session: Session, meeting: Meeting) -> OpResult[None]:
    """Save an edited meeting; its old date counts as touched too."""
    with session.transaction() as db:
        repo = MeetingRepo(db)
        before = repo.get(meeting.id) if meeting.id is not None else None
        repo.update(meeting)
    return OpResult(None, _meetings(meeting.day, before.day if before else None))


class PlanGone(StorageError):
    """The plan being recorded was deleted or recorded elsewhere meanwhile."""


def record_planned_meeting(session: Session, plan_id: int, meeting: Meeting) -> OpResult[int]:
    """Turn the plan (计划) ``plan_id`` into the held ``meeting``: one record, not both.

    The record keeps the plan's id (and so its history); the plan's date counts as touched.
    """
    with session.transaction() as db:
        repo = MeetingRepo(db)
        try:
            plan = repo.get(plan_id)
        except NotFound:
            plan = None
        if plan is None or plan.status is not MeetingStatus.PLANNED:
            raise PlanGone("要登记的计划会议已被删除或已登记为召开，请关闭后重新记录。")
        repo.update(replace(meeting, id=plan_id, status=MeetingStatus.HELD))
    return OpResult(plan_id, _meetings(meeting.day, plan.day))


def delete_meeting(session: Session, meeting_id: int) -> OpResult[Meeting]:
    """Delete a meeting; the answer is the meeting as it was (for 撤销)."""
    with session.transaction() as db:
        meeting = MeetingRepo(db).delete(meeting_id)
    return OpResult(meeting, _meetings(meeting.day))


# -- activities ----------------------------------------------------------------------------------


def add_activity(session: Session, activity: Activity) -> OpResult[int]:
    """Save a new activity (or put a deleted one back, with its id)."""
    with session.transaction() as db:
        activity_id = ActivityRepo(db).add(activity)
    return OpResult(activity_id, _activities(activity.day))


def add_activities(session: Session, activities: Iterable[Activity]) -> OpResult[list[int]]:
    """Save several new activities, all or nothing."""
    activities = list(activities)
    with session.transaction() as db:
        ids = ActivityRepo(db).add_many(activities)
    return OpResult(ids, _activities(*(a.day for a in activities)))


def update_activity(session: Session, activity: Activity) -> OpResult[None]:
    with session.transaction() as db:
        repo = ActivityRepo(db)
        before = repo.get(activity.id) if activity.id is not None else None
        repo.update(activity)
    return OpResult(None, _activities(activity.day, before.day if before else None))


def delete_activity(session: Session, activity_id: int) -> OpResult[Activity]:
    """Delete an activity; the answer is the activity as it was (for 撤销)."""
    with session.transaction() as db:
        activity = ActivityRepo(db).delete(activity_id)
    return OpResult(activity, _activities(activity.day))


def add_activity_kind(session: Session, name: str) -> OpResult[None]:
    """Add a kind to the list of 活动类型."""
    with session.transaction() as db:
        ActivityKindRepo(db).add(name)
    return OpResult(None, Changes.of("activity_kinds"))


def rename_activity_kind(session: Session, old: str, new: str) -> OpResult[None]:
    """Rename a kind; the activities of that kind carry the new name."""
    with session.transaction() as db:
        ActivityKindRepo(db).rename(old, new)
    return OpResult(None, Changes.of("activity_kinds", "activities"))


# -- attachments (files beside the database, saved with their meeting) ---------------------------


def add_attachment(session: Session, source: Path) -> OpResult[Attachment]:
    """Copy a file into the data folder's attachments; it belongs to a meeting once saved."""
    session.require_writable()
    attachment = store_attachment(session.data_dir, Path(source))
    return OpResult(attachment, Changes.of("attachments"))


def remove_attachment(session: Session, attachment: Attachment) -> OpResult[None]:
    """Remove the copy of an attachment that was added but not saved with a meeting."""
    session.require_writable()
    discard_attachment(session.data_dir, attachment)
    return OpResult(None, Changes.of("attachments"))


# -- the 修改记录 --------------------------------------------------------------------------------

_ENTITY_CHANGES = {
    "member": Changes.of("members", "history"),
    "meeting": Changes.of("meetings", "attachments", "history"),
    "activity": Changes.of("activities", "history"),
    "dues_assessment": Changes.of("dues", "history"),
    "dues_payment": Changes.of("dues", "history"),
}


def restore_from_history(session: Session, change_id: int) -> OpResult[int]:
    """Put a record back as it was before the change ``change_id``; the answer is its id."""
    with session.transaction() as db:
        history = HistoryRepo(db)
        entity = history.get(change_id).entity
        record_id = history.restore(change_id)
    return OpResult(record_id, _ENTITY_CHANGES.get(entity, Changes.all()))
