"""Repository for meetings with their kinds, topics, attendance and attachments."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from branchdesk.domain.meetings import (
    Attendance,
    AttendanceCounts,
    AttendanceStatus,
    Makeup,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MeetingSummary,
    Person,
    Vote,
)
from branchdesk.store.records import RecordTable
from branchdesk.store.sql import Conditions


def _time(text: str | None) -> dt.time | None:
    return dt.time.fromisoformat(text) if text else None


def _time_text(value: dt.time | None) -> str | None:
    return value.strftime("%H:%M") if value else None


_STATUSES = {status.value: status for status in MeetingStatus}
_ATTENDANCE_STATUSES = {status.value: status for status in AttendanceStatus}

_ATTENDANCE_FIELDS = (
    "member_id",
    "name",
    "group_name",
    "category",
    "status",
    "reason",
    "makeup_date",
    "makeup_how",
)


def attendance_columns(table: str = "") -> str:
    """The attendance columns ``attendance_from_row`` reads, as a SELECT list (``a.name``
    with ``table="a"``)."""
    prefix = f"{table}." if table else ""
    return ", ".join(prefix + field for field in _ATTENDANCE_FIELDS)


def attendance_from_row(r: Sequence[Any]) -> Attendance:
    """An ``Attendance`` from the values of ``attendance_columns()``."""
    member_id, name, group_name, category, status, reason, makeup_date, makeup_how = r
    return Attendance(
        member_id=member_id,
        name=name,
        group_name=group_name,
        category=category,
        status=_ATTENDANCE_STATUSES[status],
        reason=reason,
        makeup=Makeup(dt.date.fromisoformat(makeup_date) if makeup_date else None, makeup_how),
    )


def _kind_order(kind: MeetingKind) -> int:
    return kind.spec.order


@functools.lru_cache(maxsize=256)
def _kinds(concatenated: str) -> tuple[MeetingKind, ...]:
    """``theme_day,party_lecture`` (from group_concat) as kinds in their usual order."""
    kinds = {MeetingKind(k) for k in concatenated.split(",") if k}
    return tuple(sorted(kinds, key=_kind_order))


@dataclass(frozen=True)
class MeetingFilter:
    """What the 会议 list is narrowed to; every part is optional."""

    start: dt.date | None = None
    end: dt.date | None = None
    kind: MeetingKind | None = None
    group_id: int | None = None
    status: MeetingStatus | None = None
    text: str = ""


class MeetingRepo(RecordTable[Meeting]):
    table, key, label, record_name = "meetings", "meeting_id", "会议", "meeting"

    # -- writing ---------------------------------------------------------------------------

    @staticmethod
    def _row(meeting: Meeting) -> dict[str, Any]:
        return {
            "status": meeting.status.value,
            "date": meeting.day.isoformat(),
            "start_time": _time_text(meeting.start),
            "end_time": _time_text(meeting.end),
            "place": meeting.place,
            "title": meeting.title,
            "host_member_id": meeting.host.member_id,
            "host_name": meeting.host.name,
            "recorder_member_id": meeting.recorder.member_id,
            "recorder_name": meeting.recorder.name,
            "lecturer_member_id": meeting.lecturer.member_id,
            "lecturer_name": meeting.lecturer.name,
            "lecture_title": meeting.lecture_title,
            "group_id": meeting.group_id,
            "group_name": meeting.group_name,
            "minutes": meeting.minutes,
            "resolutions": meeting.resolutions,
            "nonvoting": meeting.nonvoting,
            # Derived from the attendance rows written beside them, in the same transaction.
            "n_expected": meeting.counts.expected,
            "n_present": meeting.counts.present,
            "n_leave": meeting.counts.leave,
            "n_absent": meeting.counts.absent,
        }

    def _write_parts(self, meeting_id: int, meeting: Meeting, *, replace: bool) -> None:
        if replace:
            for table in ("meeting_kinds", "meeting_topics", "attendance", "meeting_votes"):
                self.db.execute(f"DELETE FROM {table} WHERE meeting_id = ?", [meeting_id])
        for kind in dict.fromkeys(meeting.kinds):
            self.db.execute(
                "INSERT INTO meeting_kinds (meeting_id, kind) VALUES (?, ?)",
                [meeting_id, kind.value],
            )
        for position, text in enumerate(t for t in meeting.topics if t.strip()):
            self.db.execute(
                "INSERT INTO meeting_topics (meeting_id, position, text) VALUES (?, ?, ?)",
                [meeting_id, position, text.strip()],
            )
        for position, row in enumerate(meeting.attendance):
            self.db.execute(
                """
                INSERT INTO attendance (meeting_id, member_id, name, group_name, category,
                    position, status, reason, makeup_date, makeup_how)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    meeting_id,
                    row.member_id,
                    row.name,
                    row.group_name,
                    row.category,
                    position,
                    row.status.value,
                    row.reason,
                    row.makeup.day.isoformat() if row.makeup.day else None,
                    row.makeup.how,
                ],
            )
        for position, vote in enumerate(meeting.votes):
            self.db.execute(
                "INSERT INTO meeting_votes (meeting_id, position, resolution, in_favour, "
                "against, abstain) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    meeting_id,
                    position,
                    vote.resolution.strip(),
                    vote.in_favour,
                    vote.against,
                    vote.abstain,
                ],
            )
        self._write_attachments(meeting_id, meeting.attachments)

    # -- reading ---------------------------------------------------------------------------

    def _load(self, ids: list[int], marks: str) -> dict[int, Meeting]:
        rows = self.db.execute(
            f"""
            SELECT id, status, date, start_time, end_time, place, title, host_member_id,
                   host_name, recorder_member_id, recorder_name, lecturer_member_id,
                   lecturer_name, lecture_title, group_id, group_name, minutes, resolutions,
                   nonvoting
            FROM meetings WHERE id IN ({marks})
            """,
            ids,
        ).fetchall()
        # Unpacked by name rather than read as dicts: a year's return loads hundreds of these.
        meetings = {
            meeting_id: Meeting(
                id=meeting_id,
                status=_STATUSES[status],
                day=dt.date.fromisoformat(day),
                start=_time(start),
                end=_time(end),
                place=place,
                title=title,
                host=Person(host_name, host_id),
                recorder=Person(recorder_name, recorder_id),
                lecturer=Person(lecturer_name, lecturer_id),
                lecture_title=lecture_title,
                group_id=group_id,
                group_name=group_name,
                minutes=minutes,
                resolutions=resolutions,
                nonvoting=nonvoting,
                kinds=[],
                topics=[],
                attendance=[],
                attachments=[],
                votes=[],
            )
            for (
                meeting_id, status, day, start, end, place, title, host_id, host_name,
                recorder_id, recorder_name, lecturer_id, lecturer_name, lecture_title,
                group_id, group_name, minutes, resolutions, nonvoting,
            ) in rows
        }  # fmt: skip
        for meeting_id, kind in self.db.execute(
            f"SELECT meeting_id, kind FROM meeting_kinds WHERE meeting_id IN ({marks})", ids
        ).fetchall():
            meetings[meeting_id].kinds.append(MeetingKind(kind))
        for meeting in meetings.values():
            meeting.kinds.sort(key=_kind_order)
        for meeting_id, text in self.db.execute(
            f"SELECT meeting_id, text FROM meeting_topics WHERE meeting_id IN ({marks}) "
            "ORDER BY meeting_id, position",
            ids,
        ).fetchall():
            meetings[meeting_id].topics.append(text)
        for meeting_id, *values in self.db.execute(
            f"""
            SELECT meeting_id, {attendance_columns()}
            FROM attendance WHERE meeting_id IN ({marks}) ORDER BY meeting_id, position
            """,
            ids,
        ).fetchall():
            meetings[meeting_id].attendance.append(attendance_from_row(values))
        for meeting_id, resolution, in_favour, against, abstain in self.db.execute(
            f"""
            SELECT meeting_id, resolution, in_favour, against, abstain
            FROM meeting_votes WHERE meeting_id IN ({marks}) ORDER BY meeting_id, position
            """,
            ids,
        ).fetchall():
            meetings[meeting_id].votes.append(Vote(resolution, in_favour, against, abstain))
        self._load_attachments(meetings, ids, marks)
        return meetings

    @staticmethod
    def _conditions(where: MeetingFilter | None) -> Conditions:
        where = where or MeetingFilter()
        found = Conditions()
        found.period(where.start, where.end, starts="m.date", ends="m.date")
        if where.kind:
            found.add(
                "EXISTS (SELECT 1 FROM meeting_kinds k WHERE k.meeting_id = m.id AND k.kind = ?)",
                where.kind.value,
            )
        if where.group_id is not None:
            found.add("m.group_id = ?", where.group_id)
        if where.status:
            found.add("m.status = ?", where.status.value)
        found.search(
            where.text,
            "m.title",
            "m.minutes",
            "m.resolutions",
            "m.lecture_title",
            "m.place",
            "m.host_name",
            "EXISTS (SELECT 1 FROM meeting_topics t WHERE t.meeting_id = m.id AND t.text",
        )
        return found

    def oldest_first(self, where: MeetingFilter | None = None) -> Iterator[Meeting]:
        """Whole meetings narrowed by ``where``, oldest first (as a record book reads), read
        from the database in batches as the caller takes them (``branchdesk meetings list``)."""
        found = self._conditions(where)
        ids = [
            row[0]
            for row in self.db.execute(
                f"SELECT m.id FROM meetings m {found.sql} "
                "ORDER BY m.date, m.start_time, m.id",
                found.params,
            ).fetchall()
        ]
        return self.iter_many(ids)

    def summaries(self, where: MeetingFilter | None = None) -> list[MeetingSummary]:
        """The list of meetings, newest first, narrowed by ``where``."""
        found = self._conditions(where)
        rows = self.db.execute(  # unpacked by name below: the 会议 page lists ten years of them
            f"""
            SELECT m.id, m.status, m.date, m.start_time, m.title, m.place, m.group_id,
                   m.group_name, m.host_name, m.lecture_title,
                   (SELECT group_concat(kind) FROM meeting_kinds k WHERE k.meeting_id = m.id),
                   (SELECT text FROM meeting_topics t WHERE t.meeting_id = m.id
                     ORDER BY position LIMIT 1),
                   m.n_expected, m.n_present, m.n_leave, m.n_absent, m.recorder_name
            FROM meetings m {found.sql}
            ORDER BY m.date DESC, m.start_time DESC, m.id DESC
            """,
            found.params,
        ).fetchall()
        return [
            MeetingSummary(
                id=meeting_id,
                status=_STATUSES[status],
                day=dt.date.fromisoformat(day),
                start=_time(start),
                title=title or first_topic or lecture_title or "",
                place=place,
                group_id=group_id,
                group_name=group_name,
                host_name=host_name,
                kinds=_kinds(kinds or ""),
                counts=AttendanceCounts(expected=expected, present=present, leave=leave,
                                        absent=absent),
                recorder_name=recorder_name,
            )
            for (
                meeting_id, status, day, start, title, place, group_id, group_name, host_name,
                lecture_title, kinds, first_topic, expected, present, leave, absent,
                recorder_name,
            ) in rows
        ]  # fmt: skip

    def same_day_duplicates(self, meeting: Meeting) -> list[MeetingSummary]:
        """Other meetings of a shared kind (and the same group) on the same day."""
        found = []
        for other in self.summaries(MeetingFilter(start=meeting.day, end=meeting.day)):
            if other.id == meeting.id:
                continue
            if set(other.kinds) & set(meeting.kinds) and other.group_id == meeting.group_id:
                found.append(other)
        return found

    def attendance_of(self, member_id: int) -> list[tuple[int, Attendance]]:
        """Every attendance row of a member, as (meeting id, row)."""
        rows = self.db.execute(
            f"SELECT meeting_id, {attendance_columns()} FROM attendance WHERE member_id = ?",
            [member_id],
        ).fetchall()
        return [(meeting_id, attendance_from_row(values)) for meeting_id, *values in rows]

