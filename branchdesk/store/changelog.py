"""Change recording (修改记录): write one entry per insert, change or delete, and read them back.

Each entry keeps the whole record before and after, so a change can be seen and a deleted
record put back. Entries are written inside the same transaction as the change itself.
This module imports no repository: the repositories call it, and putting a record back
(``store/history.py``) sits above them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlite_utils import Database

from branchdesk.domain.activities import Activity
from branchdesk.domain.dues import Assessment, Payment, yuan_text
from branchdesk.domain.meetings import Meeting
from branchdesk.domain.members import Member
from branchdesk.store import snapshots

RESTORE_DAYS = 30  # a deleted record can be put back for at least this long (we keep all)

_LABELS = {
    "insert": "新增",
    "update": "修改",
    "delete": "删除",
    "restore": "恢复",
    "report": "上报",
    "unlock": "解锁",
}
_ENTITY_LABELS = {
    "member": "党员", "meeting": "会议", "activity": "活动", "period": "报表期间",
    "dues_assessment": "党费核定", "dues_payment": "党费缴纳",
}  # fmt: skip
Recorded = Member | Meeting | Activity | Assessment | Payment


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


def summary_of(record: Recorded) -> str:
    if isinstance(record, Member):
        return record.name
    if isinstance(record, Assessment):
        return (
            f"{record.member_name} {record.start.label()}起 {record.category.label} "
            f"月交{yuan_text(record.monthly)}元"
        )
    if isinstance(record, Payment):
        months = "、".join(m.label() for m in sorted(record.months))
        return (
            f"{record.paid_on.isoformat()} {record.member_name} 交党费"
            f"{yuan_text(record.total)}元（{months}）"
        )
    if isinstance(record, Meeting):
        return f"{record.day.isoformat()} {record.kind_label} {record.display_title()}".strip()
    return f"{record.day.isoformat()} {record.kind} {record.title}"


def _entity(record: Recorded) -> str:
    return {
        Member: "member", Meeting: "meeting", Activity: "activity",
        Assessment: "dues_assessment", Payment: "dues_payment",
    }[type(record)]  # fmt: skip


def record_change(
    db: Database,
    action: str,
    before: Recorded | None,
    after: Recorded | None,
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


def record_event(
    db: Database, entity: str, entity_id: str, action: str, summary: str, note: str = ""
) -> None:
    db.execute(
        "INSERT INTO change_log (entity, entity_id, action, summary, note) VALUES (?, ?, ?, ?, ?)",
        [entity, entity_id, action, summary, note],
    )
