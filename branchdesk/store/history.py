"""Change history (修改记录): every insert, change and delete of a member, meeting or activity.

Each entry keeps the whole record before and after, so a change can be seen and a deleted
record put back. Entries are written inside the same transaction as the change itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlite_utils import Database

from branchdesk.domain.activities import Activity
from branchdesk.domain.meetings import Meeting
from branchdesk.domain.members import Member
from branchdesk.store import snapshots

RESTORE_DAYS = 30  # a deleted record can be put back for at least this long (we keep all)

_LABELS = {"insert": "新增", "update": "修改", "delete": "删除", "restore": "恢复",
           "report": "上报", "unlock": "解锁"}
_ENTITY_LABELS = {"member": "党员", "meeting": "会议", "activity": "活动", "period": "报表期间"}


@dataclass(frozen=True)
class Change:
    id: int
    at: dt.datetime
    entity: str
    entity_id: str
    action: str
    summary: str
    before: str | None
    after: str | None
    note: str

    @property
    def action_label(self) -> str:
        return _LABELS.get(self.action, self.action)

    @property
    def entity_label(self) -> str:
        return _ENTITY_LABELS.get(self.entity, self.entity)


def summary_of(record: Member | Meeting | Activity) -> str:
    if isinstance(record, Member):
        return record.name
    if isinstance(record, Meeting):
        return f"{record.day.isoformat()} {record.kind_label} {record.display_title()}".strip()
    return f"{record.day.isoformat()} {record.kind} {record.title}"


def _entity(record: Member | Meeting | Activity) -> str:
    return {Member: "member", Meeting: "meeting", Activity: "activity"}[type(record)]


def record_change(
    db: Database,
    action: str,
    before: Member | Meeting | Activity | None,
    after: Member | Meeting | Activity | None,
    *,
    note: str = "",
) -> None:
    """Write one history entry; call it inside the transaction that made the change."""
    record = after if after is not None else before
    assert record is not None and record.id is not None
    db.execute(
        "INSERT INTO change_log (entity, entity_id, action, summary, before, after, note) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            _entity(record),
            str(record.id),
            action,
            summary_of(record),
            snapshots.to_json(before) if before is not None else None,
            snapshots.to_json(after) if after is not None else None,
            note,
        ],
    )


def record_event(db: Database, entity: str, entity_id: str, action: str, summary: str, note: str = "") -> None:
    db.execute(
        "INSERT INTO change_log (entity, entity_id, action, summary, note) VALUES (?, ?, ?, ?, ?)",
        [entity, entity_id, action, summary, note],
    )


class HistoryRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def _changes(self, where: str, params: list[object]) -> list[Change]:
        rows = self.db.execute(
            "SELECT id, at, entity, entity_id, action, summary, before, after, note "
            f"FROM change_log {where} ORDER BY id DESC",
            params,
        ).fetchall()
        return [
            Change(r[0], dt.datetime.fromisoformat(r[1]), r[2], r[3], r[4], r[5], r[6], r[7], r[8])
            for r in rows
        ]

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
        table = {"member": "members", "meeting": "meetings", "activity": "activities"}[entity]
        return self.db.execute(f"SELECT 1 FROM {table} WHERE id = ?", [entity_id]).fetchone() is not None

    def get(self, change_id: int) -> Change:
        found = self._changes("WHERE id = ?", [change_id])
        if not found:
            raise LookupError(f"修改记录 {change_id} 不存在")
        return found[0]

    def restore(self, change_id: int) -> int:
        """Put back the record as it was before ``change_id`` (a deletion or a change)."""
        from branchdesk.store.activities import ActivityRepo
        from branchdesk.store.meetings import MeetingRepo
        from branchdesk.store.members import MemberRepo

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
        raise ValueError(f"不能恢复{change.entity_label}")
