"""What the record's rules read: the quorum of a meeting, members' organisational life."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlite_utils import Database

from branchdesk.domain.meeting_rules import Quorum, quorum_of
from branchdesk.domain.meetings import Meeting
from branchdesk.domain.member_rules import LifeFacts
from branchdesk.domain.members import Member
from branchdesk.store.members import MemberRepo


class RuleQueries:
    def __init__(self, db: Database) -> None:
        self.db = db

    def quorum(self, meeting: Meeting, members: Iterable[Member] | None = None) -> Quorum | None:
        """The quorum of ``meeting`` as its attendance stands (``members``: all, if known)."""
        everyone = list(members) if members is not None else MemberRepo(self.db).list()
        by_id = {m.id: m for m in everyone if m.id is not None}
        size = sum(m.in_roster_on(meeting.day) for m in everyone)
        return quorum_of(meeting, by_id, branch_size=size)

    def life_facts(self, today: dt.date, member_id: int | None = None) -> dict[int, LifeFacts]:
        """Per member: the last organisational life and the held meetings expected at, up to
        ``today``. 补学 for a missed meeting counts on its day (the meeting's if none)."""
        where, params = "", [today.isoformat(), today.isoformat()]
        if member_id is not None:
            where, params = "AND a.member_id = ?", [*params, member_id]
        rows = self.db.execute(
            f"""
            SELECT a.member_id,
                   max(CASE
                         WHEN a.status = 'present' THEN m.date
                         WHEN a.makeup_date IS NOT NULL AND a.makeup_date <= ? THEN a.makeup_date
                         WHEN a.makeup_date IS NULL AND a.makeup_how != '' THEN m.date
                       END),
                   min(m.date), max(m.date)
              FROM attendance a JOIN meetings m ON m.id = a.meeting_id
             WHERE m.status = 'held' AND m.date <= ? {where}
             GROUP BY a.member_id
            """,
            params,
        ).fetchall()
        return {
            member: LifeFacts(
                member_id=member,
                last_life=dt.date.fromisoformat(last_life) if last_life else None,
                first_expected=dt.date.fromisoformat(first),
                last_expected=dt.date.fromisoformat(last),
            )
            for member, last_life, first, last in rows
        }
