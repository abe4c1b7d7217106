"""Change history (修改记录): read a record's history and put back a deleted or changed record.

Recording the changes is ``store/changelog.py``, which the repositories call; this module
sits above the repositories, since putting a record back goes through them.
"""

from __future__ import annotations

import datetime as dt

from sqlite_utils import Database

from branchdesk.store import snapshots
from branchdesk.store.activities import ActivityRepo
from branchdesk.store.changelog import (
    RESTORE_DAYS,
    Change,
    record_change,
    record_event,
    summary_of,
)
from branchdesk.store.dues import AssessmentRepo, PaymentRepo
from branchdesk.store.meetings import MeetingRepo
from branchdesk.store.members import MemberRepo

__all__ = ["RESTORE_DAYS", "Change", "HistoryRepo", "record_change", "record_event", "summary_of"]


class HistoryRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def _changes(self, where: str, params: list[object]) -> list[Change]:
        rows = self.db.query(
            "SELECT id, at, entity, entity_id, action, summary, before, after, note "
            f"FROM change_log {where} ORDER BY id DESC",
            params,
        )
        return [Change(**{**r, "at": dt.datetime.fromisoformat(r["at"])}) for r in rows]

    def for_record(self, entity: str, entity_id: int | str) -> list[Change]:
        """A record's history, newest first."""
        return self._changes("WHERE entity = ? AND entity_id = ?", [entity, str(entity_id)])

    def recent(self, limit: int = 200) -> list[Change]:
        return self._changes("WHERE id > (SELECT coalesce(max(id), 0) FROM change_log) - ?", [limit])

    def deleted(self, entity: str | None = None) -> list[Change]:
        """Deleted records that are still deleted, newest first."""
        found = []
        for change in self._changes("WHERE action = 'delete'" + (" AND entity = ?" if entity else ""),
                                    [entity] if entity else []):
            if not self._exists(change.entity, int(change.entity_id)):
                found.append(change)
        return found

    def _exists(self, entity: str, entity_id: int) -> bool:
        table = {
            "member": "members", "meeting": "meetings", "activity": "activities",
            "dues_assessment": "dues_assessments", "dues_payment": "dues_payments",
        }[entity]  # fmt: skip
        return self.db.execute(f"SELECT 1 FROM {table} WHERE id = ?", [entity_id]).fetchone() is not None

    def get(self, change_id: int) -> Change:
        found = self._changes("WHERE id = ?", [change_id])
        if not found:
            raise LookupError(f"修改记录 {change_id} 不存在")
        return found[0]

    def restore(self, change_id: int) -> int:
        """Put back the record as it was before ``change_id`` (a deletion or a change)."""
        change = self.get(change_id)
        if change.before is None:
            raise ValueError("这条记录没有可恢复的旧内容")
        with self.db.atomic():
            if change.entity == "meeting":
                meeting = snapshots.meeting_from_json(change.before)
                repo = MeetingRepo(self.db)
                if self._exists("meeting", meeting.id or 0):
                    repo.update(meeting, action="restore")
                else:
                    repo.add(meeting, action="restore")
                return meeting.id or 0
            if change.entity == "activity":
                activity = snapshots.activity_from_json(change.before)
                arepo = ActivityRepo(self.db)
                if self._exists("activity", activity.id or 0):
                    arepo.update(activity, action="restore")
                else:
                    arepo.add(activity, action="restore")
                return activity.id or 0
            if change.entity == "member":
                member = snapshots.member_from_json(change.before)
                mrepo = MemberRepo(self.db)
                if self._exists("member", member.id or 0):
                    mrepo.update(member, action="restore")
                else:
                    mrepo.add(member, action="restore")
                return member.id or 0
            if change.entity in ("dues_assessment", "dues_payment"):
                dues = (
                    snapshots.assessment_from_json(change.before)
                    if change.entity == "dues_assessment"
                    else snapshots.payment_from_json(change.before)
                )
                drepo = (AssessmentRepo if change.entity == "dues_assessment" else PaymentRepo)(
                    self.db
                )
                if self._exists(change.entity, dues.id or 0):
                    drepo.update(dues, action="restore")  # type: ignore[arg-type]
                else:
                    drepo.add(dues, action="restore")  # type: ignore[arg-type]
                return dues.id or 0
        raise ValueError(f"不能恢复{change.entity_label}")
