"""Repository for member activities and the branch's list of activity kinds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from branchdesk.domain.activities import (
    Activity,
    ActivitySummary,
    Participation,
    activity_fields,
)
from branchdesk.store.records import RecordTable
from branchdesk.store.sql import Conditions


@dataclass(frozen=True)
class ActivityFilter:
    start: dt.date | None = None
    end: dt.date | None = None
    kind: str | None = None
    text: str = ""
    member_id: int | None = None


class ActivityKindRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def list(self) -> list[str]:
        """Every kind in the branch's order, including kinds only found on old records."""
        names = [
            r["name"] for r in self.db.query("SELECT name FROM activity_kinds ORDER BY sort_order, id")
        ]
        used = [
            r["kind"] for r in self.db.query("SELECT DISTINCT kind FROM activities ORDER BY kind")
        ]
        return names + [k for k in used if k not in names]

    def add(self, name: str) -> None:
        name = name.strip()
        if not name:
            raise ValueError("活动类型不能为空")
        if name in self.list():
            raise ValueError(f"已有活动类型“{name}”")
        with self.db.atomic():
            self.db.execute(
                "INSERT INTO activity_kinds (name, sort_order) "
                "VALUES (?, (SELECT coalesce(max(sort_order), 0) + 1 FROM activity_kinds))",
                [name],
            )

    def rename(self, old: str, new: str) -> None:
        """Rename a kind everywhere, old activities included."""
        new = new.strip()
        if not new:
            raise ValueError("活动类型不能为空")
        if new != old and new in self.list():
            raise ValueError(f"已有活动类型“{new}”")
        with self.db.atomic():
            self.db.execute("UPDATE activity_kinds SET name = ? WHERE name = ?", [new, old])
            self.db.execute("UPDATE activities SET kind = ? WHERE kind = ?", [new, old])


class ActivityRepo(RecordTable[Activity]):
    table, key, label, record_name = "activities", "activity_id", "活动", "activity"

    @staticmethod
    def _row(activity: Activity) -> dict[str, Any]:
        fields = activity_fields(activity)
        return {**fields, "kind": activity.kind.strip(), "title": activity.title.strip()}

    def _write_parts(self, activity_id: int, activity: Activity, *, replace: bool) -> None:
        if replace:
            self.db.execute(
                "DELETE FROM activity_participants WHERE activity_id = ?", [activity_id]
            )
        for position, person in enumerate(activity.participants):
            self.db.execute(
                "INSERT INTO activity_participants (activity_id, member_id, name, position, hours) "
                "VALUES (?, ?, ?, ?, ?)",
                [activity_id, person.member_id, person.name, position, person.hours],
            )
        self._write_attachments(activity_id, activity.attachments)

    def _load(self, ids: list[int], marks: str) -> dict[int, Activity]:
        activities = {
            activity_id: Activity(
                id=activity_id,
                kind=kind,
                title=title,
                day=dt.date.fromisoformat(day),
                end_day=dt.date.fromisoformat(end_day) if end_day else None,
                place=place,
                organiser=organiser,
                description=description,
                guests=guests,
                participants=[],
                attachments=[],
            )
            for (
                activity_id, kind, title, day, end_day, place, organiser, description, guests
            ) in self.db.execute(
                "SELECT id, kind, title, date, end_date, place, organiser, description, guests "
                f"FROM activities WHERE id IN ({marks})",
                ids,
            ).fetchall()
        }
        for activity_id, member_id, name, hours in self.db.execute(
            "SELECT activity_id, member_id, name, hours FROM activity_participants "
            f"WHERE activity_id IN ({marks}) ORDER BY activity_id, position",
            ids,
        ).fetchall():
            activities[activity_id].participants.append(
                Participation(member_id=member_id, name=name, hours=hours)
            )
        self._load_attachments(activities, ids, marks)
        return activities

    @staticmethod
    def _conditions(where: ActivityFilter | None) -> Conditions:
        where = where or ActivityFilter()
        found = Conditions()
        found.period(where.start, where.end, starts="a.date", ends="coalesce(a.end_date, a.date)")
        if where.kind:
            found.add("a.kind = ?", where.kind)
        if where.member_id is not None:
            found.add(
                "EXISTS (SELECT 1 FROM activity_participants p "
                "WHERE p.activity_id = a.id AND p.member_id = ?)",
                where.member_id,
            )
        found.search(
            where.text,
            "a.title",
            "a.description",
            "a.place",
            "a.organiser",
            "a.guests",
            "EXISTS (SELECT 1 FROM activity_participants p"
            " WHERE p.activity_id = a.id AND p.name",
        )
        return found

    def oldest_first(self, where: ActivityFilter | None = None) -> Iterator[Activity]:
        """Whole activities narrowed by ``where``, oldest first, read from the database in
        batches as the caller takes them (``branchdesk activities list``)."""
        found = self._conditions(where)
        ids = [
            row[0]
            for row in self.db.execute(
                f"SELECT a.id FROM activities a {found.sql} ORDER BY a.date, a.id", found.params
            ).fetchall()
        ]
        return self.iter_many(ids)

    def summaries(self, where: ActivityFilter | None = None) -> list[ActivitySummary]:
        """Activities, newest first, narrowed by ``where``."""
        found = self._conditions(where)
        rows = self.db.execute(
            f"""
            SELECT a.id, a.kind, a.title, a.date, a.end_date, a.place,
                   (SELECT count(*) FROM activity_participants p WHERE p.activity_id = a.id),
                   (SELECT coalesce(sum(hours), 0) FROM activity_participants p
                     WHERE p.activity_id = a.id)
            FROM activities a {found.sql}
            ORDER BY a.date DESC, a.id DESC
            """,
            found.params,
        ).fetchall()
        return [
            ActivitySummary(
                id=activity_id,
                kind=kind,
                title=title,
                day=dt.date.fromisoformat(day),
                end_day=dt.date.fromisoformat(end_day) if end_day else None,
                place=place,
                participants=participants,
                hours=round(hours, 2),
            )
            for activity_id, kind, title, day, end_day, place, participants, hours in rows
        ]

    def participations_of(self, member_id: int) -> list[tuple[ActivitySummary, float]]:
        """Each activity a member took part in, with their own hours."""
        hours = dict(
            self.db.execute(
                "SELECT activity_id, hours FROM activity_participants WHERE member_id = ?",
                [member_id],
            ).fetchall()
        )
        return [
            (summary, hours[summary.id])
            for summary in self.summaries(ActivityFilter(member_id=member_id))
        ]

