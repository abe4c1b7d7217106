"""What the home page (工作台) reads, in a handful of queries."""

from __future__ import annotations

import datetime as dt

from sqlite_utils import Database

from branchdesk.domain.home import (
    AbsenceCount,
    CalendarDays,
    DutyLine,
    HomeOverview,
    calendar_days,
    duty_lines,
    frequent_absences,
    meetings_window,
    month_figures,
    next_planned,
    political_birthdays,
    probation_ends,
)
from branchdesk.domain.meetings import MeetingSummary
from branchdesk.domain.member_rules import life_gaps
from branchdesk.domain.requirements import GroupRef, expired_plans
from branchdesk.store.activities import ActivityFilter, ActivityRepo
from branchdesk.store.dues import arrears_on
from branchdesk.store.meetings import MeetingFilter, MeetingRepo
from branchdesk.store.members import GroupRepo, MemberRepo
from branchdesk.store.requirements import RequirementRepo
from branchdesk.store.rule_queries import RuleQueries
from branchdesk.store.sql import in_roster


class HomeQueries:
    def __init__(self, db: Database) -> None:
        self.db = db

    def first_held_day(self) -> dt.date | None:
        """The day of the earliest held meeting: when the branch's records begin."""
        first = self.db.execute("SELECT min(date) FROM meetings WHERE status = 'held'").fetchone()[0]
        return dt.date.fromisoformat(first) if first else None

    def absences_without_makeup(self, start: dt.date, end: dt.date) -> list[AbsenceCount]:
        """Per member still in the roster: held meetings in [start, end] missed (缺席, not
        请假) with no 补学 recorded."""
        rows = self.db.execute(
            f"""
            SELECT a.member_id, p.name, count(*)
              FROM attendance a
              JOIN meetings m ON m.id = a.meeting_id
              JOIN members p ON p.id = a.member_id
             WHERE m.status = 'held' AND m.date BETWEEN ? AND ?
               AND a.status = 'absent'
               AND a.makeup_date IS NULL AND a.makeup_how = ''
               AND {in_roster("p.status")}
             GROUP BY a.member_id, p.name
            """,
            [start.isoformat(), end.isoformat()],
        ).fetchall()
        return [
            AbsenceCount(member_id=member_id, name=name, absences=absences)
            for member_id, name, absences in rows
        ]

    def calendar(self, start: dt.date, end: dt.date) -> CalendarDays:
        """Meetings and activities between two days, for the calendar."""
        meetings = MeetingRepo(self.db).summaries(MeetingFilter(start=start, end=end))
        activities = ActivityRepo(self.db).summaries(ActivityFilter(start=start, end=end))
        return calendar_days(meetings, activities)

    def _meetings(self, today: dt.date) -> list[MeetingSummary]:
        start, end = meetings_window(today)
        return MeetingRepo(self.db).summaries(MeetingFilter(start=start, end=end))

    def _duties(
        self, today: dt.date, meetings: list[MeetingSummary], member_count: int
    ) -> list[DutyLine]:
        return duty_lines(
            today,
            meetings,
            requirements=RequirementRepo(self.db).list(),
            groups=[
                GroupRef(g.id, g.name, g.start, g.end)
                for g in GroupRepo(self.db).list(include_ended=True)
            ],
            member_count=member_count,
            records_since=self.first_held_day(),
        )

    def duties(self, today: dt.date) -> list[DutyLine]:
        """The done / due / late line of every required meeting for ``today``."""
        return self._duties(today, self._meetings(today), MemberRepo(self.db).counts().total)

    def overview(self, today: dt.date) -> HomeOverview:
        """Everything the home page shows for ``today``."""
        meetings = self._meetings(today)
        members = MemberRepo(self.db).list(include_left=False)
        lines = self._duties(today, meetings, len(members))
        end = meetings_window(today)[1]
        # The calendar opens on today's month; a page further away is read when shown.
        calendar_start = dt.date(today.year, today.month, 1) - dt.timedelta(days=7)
        calendar_end = end
        activities = ActivityRepo(self.db).summaries(
            ActivityFilter(start=calendar_start, end=calendar_end)
        )
        return HomeOverview(
            today=today,
            lines=lines,
            birthdays=political_birthdays(members, today),
            probations=probation_ends(members, today),
            absences=frequent_absences(
                self.absences_without_makeup(dt.date(today.year, 1, 1), today)
            ),
            months=month_figures(meetings, today),
            calendar=calendar_days(
                [m for m in meetings if calendar_start <= m.day <= calendar_end], activities
            ),
            calendar_range=(calendar_start, calendar_end),
            member_count=len(members),
            upcoming=next_planned(meetings, today),
            life_gaps=life_gaps(members, RuleQueries(self.db).life_facts(today), today),
            expired=tuple(expired_plans(meetings, today)),
            dues_arrears=[(m.name, owed) for m, owed in arrears_on(self.db, today)],
        )
