"""Read a member's year from the stored attendance and participation rows."""

from __future__ import annotations

import datetime as dt

from sqlite_utils import Database

from branchdesk.domain.meetings import AttendanceStatus, Makeup, MeetingKind
from branchdesk.domain.member_record import ActivityLine, MeetingLine, MemberYear
from branchdesk.store.members import MemberRepo


class MemberRecordRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def years(self, member_id: int) -> list[int]:
        """Years with any held meeting or activity of this member, newest first."""
        rows = self.db.execute(
            """
            SELECT DISTINCT substr(m.date, 1, 4) FROM attendance a
              JOIN meetings m ON m.id = a.meeting_id
             WHERE a.member_id = ? AND m.status = 'held'
            UNION
            SELECT DISTINCT substr(x.date, 1, 4) FROM activity_participants p
              JOIN activities x ON x.id = p.activity_id
             WHERE p.member_id = ?
            """,
            [member_id, member_id],
        ).fetchall()
        return sorted((int(r[0]) for r in rows), reverse=True)

    def year(self, member_id: int, year: int) -> MemberYear:
        member = MemberRepo(self.db).get(member_id)
        start, end = dt.date(year, 1, 1).isoformat(), dt.date(year, 12, 31).isoformat()
        order = list(MeetingKind)
        meetings = []
        for row in self.db.execute(
            """
            SELECT m.id, m.date, m.title, a.status, a.reason, a.makeup_date, a.makeup_how,
                   (SELECT group_concat(kind) FROM meeting_kinds k WHERE k.meeting_id = m.id),
                   (SELECT text FROM meeting_topics t WHERE t.meeting_id = m.id
                     ORDER BY position LIMIT 1),
                   m.lecture_title
              FROM attendance a JOIN meetings m ON m.id = a.meeting_id
             WHERE a.member_id = ? AND m.status = 'held' AND m.date BETWEEN ? AND ?
             ORDER BY m.date, m.start_time, m.id
            """,
            [member_id, start, end],
        ).fetchall():
            kinds = sorted(
                (MeetingKind(k) for k in (row[7] or "").split(",") if k), key=order.index
            )
            meetings.append(
                MeetingLine(
                    meeting_id=row[0],
                    day=dt.date.fromisoformat(row[1]),
                    kind_label="、".join(k.short_label for k in kinds),
                    title=row[2] or row[8] or row[9] or "",
                    status=AttendanceStatus(row[3]),
                    reason=row[4],
                    makeup=Makeup(dt.date.fromisoformat(row[5]) if row[5] else None, row[6]),
                )
            )
        activities = [
            ActivityLine(
                activity_id=row[0],
                day=dt.date.fromisoformat(row[1]),
                kind=row[2],
                title=row[3],
                hours=row[4],
            )
            for row in self.db.execute(
                """
                SELECT x.id, x.date, x.kind, x.title, p.hours
                  FROM activity_participants p JOIN activities x ON x.id = p.activity_id
                 WHERE p.member_id = ? AND x.date BETWEEN ? AND ?
                 ORDER BY x.date, x.id
                """,
                [member_id, start, end],
            ).fetchall()
        ]
        return MemberYear(member=member, year=year, meetings=meetings, activities=activities)
