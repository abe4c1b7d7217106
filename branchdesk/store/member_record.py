"""Read a member's year from the stored attendance and participation rows."""

from __future__ import annotations

import datetime as dt

from sqlite_utils import Database

from branchdesk.domain.meetings import AttendanceStatus, Makeup, MeetingKind
from branchdesk.domain.member_record import ActivityLine, MeetingLine, MemberYear
from branchdesk.domain.member_rules import life_gap
from branchdesk.store.members import MemberRepo
from branchdesk.store.rule_queries import RuleQueries


class MemberRecordRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def years(self, member_id: int) -> list[int]:
        """Years with any held meeting or activity of this member, newest first."""
        rows = self.db.query(
            """
            SELECT DISTINCT substr(m.date, 1, 4) AS year FROM attendance a
              JOIN meetings m ON m.id = a.meeting_id
             WHERE a.member_id = ? AND m.status = 'held'
            UNION
            SELECT DISTINCT substr(x.date, 1, 4) AS year FROM activity_participants p
              JOIN activities x ON x.id = p.activity_id
             WHERE p.member_id = ?
            """,
            [member_id, member_id],
        )
        return sorted((int(r["year"]) for r in rows), reverse=True)

    def year(self, member_id: int, year: int, *, today: dt.date | None = None) -> MemberYear:
        today = today or dt.date.today()
        member = MemberRepo(self.db).get(member_id)
        start, end = dt.date(year, 1, 1).isoformat(), dt.date(year, 12, 31).isoformat()
        order = list(MeetingKind)
        meetings = []
        for row in self.db.query(
            """
            SELECT m.id, m.date, m.title, a.status, a.reason, a.makeup_date, a.makeup_how,
                   (SELECT group_concat(kind) FROM meeting_kinds k WHERE k.meeting_id = m.id)
                     AS kinds,
                   (SELECT text FROM meeting_topics t WHERE t.meeting_id = m.id
                     ORDER BY position LIMIT 1) AS first_topic,
                   m.lecture_title
              FROM attendance a JOIN meetings m ON m.id = a.meeting_id
             WHERE a.member_id = ? AND m.status = 'held' AND m.date BETWEEN ? AND ?
             ORDER BY m.date, m.start_time, m.id
            """,
            [member_id, start, end],
        ):
            kinds = sorted(
                (MeetingKind(k) for k in (row["kinds"] or "").split(",") if k), key=order.index
            )
            made_up = dt.date.fromisoformat(row["makeup_date"]) if row["makeup_date"] else None
            meetings.append(
                MeetingLine(
                    meeting_id=row["id"],
                    day=dt.date.fromisoformat(row["date"]),
                    kind_label="、".join(k.short_label for k in kinds),
                    title=row["title"] or row["first_topic"] or row["lecture_title"] or "",
                    status=AttendanceStatus(row["status"]),
                    reason=row["reason"],
                    makeup=Makeup(made_up, row["makeup_how"]),
                )
            )
        activities = [
            ActivityLine(
                activity_id=row["id"],
                day=dt.date.fromisoformat(row["date"]),
                kind=row["kind"],
                title=row["title"],
                hours=row["hours"],
            )
            for row in self.db.query(
                """
                SELECT x.id, x.date, x.kind, x.title, p.hours
                  FROM activity_participants p JOIN activities x ON x.id = p.activity_id
                 WHERE p.member_id = ? AND x.date BETWEEN ? AND ?
                 ORDER BY x.date, x.id
                """,
                [member_id, start, end],
            )
        ]
        facts = RuleQueries(self.db).life_facts(today, member_id).get(member_id)
        return MemberYear(
            member=member,
            year=year,
            meetings=meetings,
            activities=activities,
            life_gap=life_gap(member, facts, today),
        )
