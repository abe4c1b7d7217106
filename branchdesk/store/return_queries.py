"""What a return (月报/季报/年报) reads about a period, in a handful of queries.

A year's return on a large branch covers some three hundred meetings with ten thousand
attendance rows; the per-member figures are counted by SQLite rather than by loading every
row, and only the rows a return names (请假, 缺席, 补学) are read one by one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlite_utils import Database

from branchdesk.domain.meetings import Attendance, AttendanceStatus
from branchdesk.store.meetings import attendance_columns, attendance_from_row


@dataclass(frozen=True)
class AttendanceTally:
    """One member's held meetings in a period: 应参加, 出席, 请假, 缺席, and 补学 done."""

    expected: int
    present: int
    leave: int
    absent: int
    made_up: int  # of the meetings missed, those with a 补学 recorded


@dataclass(frozen=True)
class ParticipationTally:
    activities: int
    hours: float


class ReturnQueries:
    def __init__(self, db: Database) -> None:
        self.db = db

    def attendance(
        self, start: dt.date, end: dt.date
    ) -> tuple[dict[int, list[Attendance]], dict[int, AttendanceTally]]:
        """Held meetings in [start, end]: per meeting, the rows of people not present (in
        list order); per member, the meetings they were expected at, by outcome.

        Only the rows of people not present are read one by one; how often each member was
        expected is counted from the attendance key alone, which SQLite reads without
        touching the rows.
        """
        missed: dict[int, list[Attendance]] = {}
        for meeting_id, *values in self.db.execute(
            f"""
            SELECT a.meeting_id, {attendance_columns("a")}
              FROM attendance a JOIN meetings m ON m.id = a.meeting_id
             WHERE m.status = 'held' AND m.date BETWEEN ? AND ? AND a.status != 'present'
             ORDER BY a.meeting_id, a.position
            """,
            [start.isoformat(), end.isoformat()],
        ).fetchall():
            missed.setdefault(meeting_id, []).append(attendance_from_row(values))
        away: dict[int, list[int]] = {}  # member: [leave, absent, made up]
        for rows in missed.values():
            for row in rows:
                counts = away.setdefault(row.member_id, [0, 0, 0])
                counts[0 if row.status is AttendanceStatus.LEAVE else 1] += 1
                counts[2] += bool(row.makeup)
        tallies = {}
        for member_id, expected in self.db.execute(
            """
            SELECT a.member_id, count(*)
              FROM meetings m JOIN attendance a ON a.meeting_id = m.id
             WHERE m.status = 'held' AND m.date BETWEEN ? AND ?
             GROUP BY a.member_id
            """,
            [start.isoformat(), end.isoformat()],
        ).fetchall():
            leave, absent, made_up = away.get(member_id, (0, 0, 0))
            tallies[member_id] = AttendanceTally(
                expected, expected - leave - absent, leave, absent, made_up
            )
        return missed, tallies

    def participation(
        self, start: dt.date, end: dt.date
    ) -> tuple[dict[int, list[str]], dict[int, ParticipationTally]]:
        """Activities held (in part) in [start, end]: each one's participants by name, in
        list order, and each member's count of them with the hours."""
        names: dict[int, list[str]] = {}
        taken: dict[int, list[float]] = {}
        # CROSS JOIN makes SQLite walk the period's activities, then their participants; left
        # to itself it walks every participant of ten years and looks up each one's activity.
        for activity_id, member_id, name, hours in self.db.execute(
            """
            SELECT p.activity_id, p.member_id, p.name, p.hours
              FROM activities x CROSS JOIN activity_participants p ON p.activity_id = x.id
             WHERE coalesce(x.end_date, x.date) >= ? AND x.date <= ?
             ORDER BY p.activity_id, p.position
            """,
            [start.isoformat(), end.isoformat()],
        ).fetchall():
            names.setdefault(activity_id, []).append(name)
            tally = taken.setdefault(member_id, [0, 0.0])
            tally[0] += 1
            tally[1] += hours
        by_member = {
            member_id: ParticipationTally(int(count), round(hours, 2))
            for member_id, (count, hours) in taken.items()
        }
        return names, by_member
