"""What the record's rules read: the quorum of a meeting, members' organisational life."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlite_utils import Database

from branchdesk.domain.meeting_rules import COMMITTEE_MIN_MEMBERS, Quorum, quorum_of
from branchdesk.domain.meetings import Meeting
from branchdesk.domain.member_rules import LifeFacts
from branchdesk.domain.members import Member
from branchdesk.store.members import MemberRepo
from branchdesk.store.sql import id_chunks

LOOK_BACK_DAYS = 400  # a year and a bit: the last organisational life of nearly everyone


def _quorum(meeting: Meeting, members: list[Member], by_id: dict[int, Member]) -> Quorum | None:
    # The branch's size only tells whether it has a committee at all (fewer than seven
    # members: no 支委会), so the roster is counted only that far: a year's return judges
    # every 支委会 of a 1,000-member branch.
    size = 0
    for member in members:
        if member.in_roster_on(meeting.day):
            size += 1
            if size >= COMMITTEE_MIN_MEMBERS:
                break
    return quorum_of(meeting, by_id, branch_size=size)


class RuleQueries:
    def __init__(self, db: Database) -> None:
        self.db = db

    def quorum(self, meeting: Meeting, members: Iterable[Member] | None = None) -> Quorum | None:
        """The quorum of ``meeting`` as its attendance stands (``members``: all, if known)."""
        everyone = list(members) if members is not None else MemberRepo(self.db).list()
        return _quorum(meeting, everyone, {m.id: m for m in everyone if m.id is not None})

    def quorums(self, meetings: Iterable[Meeting], members: list[Member]) -> dict[int, Quorum]:
        """The quorum of each meeting held to one, by meeting id (``members``: all of them)."""
        by_id = {m.id: m for m in members if m.id is not None}
        found = {}
        for meeting in meetings:
            quorum = _quorum(meeting, members, by_id)
            if quorum is not None and meeting.id is not None:
                found[meeting.id] = quorum
        return found

    def life_facts(self, today: dt.date, member_id: int | None = None) -> dict[int, LifeFacts]:
        """Per member: the last organisational life and the held meetings expected at, up to
        ``today``. 补学 for a missed meeting counts on its day (the meeting's if none).

        Read over the last year first (a few thousand rows, meetings first through their
        date index); only members without organisational life in it are looked up further
        back, by member.
        """
        window = today - dt.timedelta(days=LOOK_BACK_DAYS)
        recent = self._facts(
            today, "m.date BETWEEN ? AND ?", [window.isoformat(), today.isoformat()], member_id
        )
        quiet = [f.member_id for f in recent.values() if f.last_life is None]
        for chunk, marks in id_chunks(quiet):
            earlier = self._facts(
                today, f"m.date <= ? AND a.member_id IN ({marks})", [today.isoformat(), *chunk]
            )
            for found, facts in earlier.items():
                recent[found] = LifeFacts(
                    found, facts.last_life, facts.first_expected, recent[found].last_expected
                )
        return recent

    def _facts(
        self, today: dt.date, where: str, params: list[object], member_id: int | None = None
    ) -> dict[int, LifeFacts]:
        if member_id is not None:
            where, params = f"{where} AND a.member_id = ?", [*params, member_id]
        rows = self.db.execute(
            f"""
            SELECT a.member_id,
                   max(CASE
                         WHEN a.status = 'present' THEN m.date
                         WHEN a.makeup_date IS NOT NULL AND a.makeup_date <= ? THEN a.makeup_date
                         WHEN a.makeup_date IS NULL AND a.makeup_how != '' THEN m.date
                       END),
                   min(m.date), max(m.date)
              FROM meetings m CROSS JOIN attendance a ON a.meeting_id = m.id
             WHERE m.status = 'held' AND {where}
             GROUP BY a.member_id
            """,
            [today.isoformat(), *params],
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
