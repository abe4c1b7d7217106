"""Meetings of organisational life (三会一课, 主题党日 ...) and their attendance.

Glossary: 应到 expected; 实到 present; 请假 on leave; 缺席 absent; 补学 make-up study;
列席 attending without a vote; 主持人 host; 记录人 recorder; 议题 topics; 决议 resolutions.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass, field

from branchdesk.domain.meeting_kinds import Audience, MeetingKind
from branchdesk.domain.members import Member, roster_on
from branchdesk.domain.records import with_repeats


class MeetingStatus(str, enum.Enum):
    PLANNED = "planned"
    HELD = "held"

    @property
    def label(self) -> str:
        return "计划" if self is MeetingStatus.PLANNED else "已召开"


class AttendanceStatus(str, enum.Enum):
    PRESENT = "present"
    LEAVE = "leave"
    ABSENT = "absent"

    @property
    def label(self) -> str:
        return {"present": "出席", "leave": "请假", "absent": "缺席"}[self.value]

    @classmethod
    def from_label(cls, text: str) -> AttendanceStatus:
        for status in cls:
            if text in (status.value, status.label):
                return status
        raise ValueError(f"未知的出勤情况“{text}”")


def audience_for(kinds: Iterable[MeetingKind]) -> Audience:
    """The widest audience among the kinds a meeting counts as."""
    audiences = {kind.spec.audience for kind in kinds}
    if Audience.BRANCH in audiences or not audiences:
        return Audience.BRANCH
    if Audience.COMMITTEE in audiences:
        return Audience.COMMITTEE
    return Audience.GROUP


def expected_members(
    members: Iterable[Member],
    kinds: Iterable[MeetingKind],
    day: dt.date,
    group_id: int | None = None,
) -> list[Member]:
    """Return the members expected at a meeting of these kinds on ``day``, each as they
    stood that day (``roster_on``: group, roles and category then).

    Members who left before the day or joined after it are not expected; probationary
    members are. For a 支委会 the committee (members holding a role that day); for a
    党小组会 the group's members that day.
    """
    audience = audience_for(kinds)
    chosen = []
    for member in roster_on(members, day):
        if audience is Audience.COMMITTEE and not member.roles:
            continue
        if audience is Audience.GROUP and member.group_id != group_id:
            continue
        chosen.append(member)
    return chosen


@dataclass
class Makeup:
    """补学: how someone who missed the meeting caught up."""

    day: dt.date | None = None
    how: str = ""

    def __bool__(self) -> bool:
        return bool(self.day or self.how)


@dataclass
class Attendance:
    """One expected member's attendance, with the name and group as they were that day."""

    member_id: int
    name: str
    status: AttendanceStatus = AttendanceStatus.PRESENT
    reason: str = ""
    makeup: Makeup = field(default_factory=Makeup)
    group_name: str = ""
    category: str = ""


@dataclass(frozen=True)
class AttendanceCounts:
    expected: int
    present: int
    leave: int
    absent: int

    @property
    def rate(self) -> float | None:
        """出席率 = 实到 / 应到, or None when nobody was expected."""
        return self.present / self.expected if self.expected else None

    def rate_text(self) -> str:
        return "—" if self.rate is None else f"{self.rate * 100:.1f}%"


def count_attendance(rows: Iterable[Attendance]) -> AttendanceCounts:
    rows = list(rows)
    return AttendanceCounts(
        expected=len(rows),
        present=sum(r.status is AttendanceStatus.PRESENT for r in rows),
        leave=sum(r.status is AttendanceStatus.LEAVE for r in rows),
        absent=sum(r.status is AttendanceStatus.ABSENT for r in rows),
    )


@dataclass
class Person:
    """A host, recorder or lecturer: a member of the roster, or a guest typed by name."""

    name: str = ""
    member_id: int | None = None

    def __bool__(self) -> bool:
        return bool(self.name)


@dataclass
class Attachment:
    id: int | None
    filename: str  # the name people gave the file
    stored_name: str  # the file inside the data folder's attachments/
    added_at: str = ""

    @property
    def is_image(self) -> bool:
        return self.filename.lower().rsplit(".", 1)[-1] in {
            "jpg",
            "jpeg",
            "png",
            "bmp",
            "gif",
            "webp",
        }


@dataclass
class Vote:
    """表决: how the voting members present voted on one resolution of a 支部党员大会."""

    resolution: str
    in_favour: int = 0  # 赞成
    against: int = 0  # 反对
    abstain: int = 0  # 弃权

    @property
    def cast(self) -> int:
        return self.in_favour + self.against + self.abstain


@dataclass
class Meeting:
    kinds: list[MeetingKind]
    day: dt.date
    id: int | None = None
    status: MeetingStatus = MeetingStatus.HELD
    start: dt.time | None = None
    end: dt.time | None = None
    place: str = ""
    title: str = ""  # 会议主题
    host: Person = field(default_factory=Person)
    recorder: Person = field(default_factory=Person)
    lecturer: Person = field(default_factory=Person)
    lecture_title: str = ""
    group_id: int | None = None
    group_name: str = ""
    topics: list[str] = field(default_factory=list)
    minutes: str = ""
    resolutions: str = ""
    nonvoting: str = ""  # 列席人员
    attendance: list[Attendance] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    votes: list[Vote] = field(default_factory=list)

    def __post_init__(self) -> None:
        order = list(MeetingKind)  # type: ignore[call-overload]
        self.kinds = sorted(dict.fromkeys(self.kinds), key=order.index)

    @property
    def counts(self) -> AttendanceCounts:
        return count_attendance(self.attendance)

    @property
    def kind_label(self) -> str:
        return "、".join(kind.short_label for kind in self.kinds)

    def display_title(self) -> str:
        """What lists show: the theme, else the first topic, else the lecture title."""
        return self.title or (self.topics[0] if self.topics else "") or self.lecture_title


@dataclass(frozen=True)
class MeetingSummary:
    """A row of the 会议 list: enough to show and filter, without minutes or attendance."""

    id: int
    kinds: tuple[MeetingKind, ...]
    status: MeetingStatus
    day: dt.date
    start: dt.time | None
    title: str
    place: str
    group_id: int | None
    group_name: str
    host_name: str
    counts: AttendanceCounts
    recorder_name: str = ""

    @property
    def kind_label(self) -> str:
        return "、".join(kind.short_label for kind in self.kinds)


def check_meeting(meeting: Meeting, *, today: dt.date | None = None) -> list[tuple[str, str]]:
    """Return (field, message) problems that block saving a meeting."""
    today = today or dt.date.today()
    problems: list[tuple[str, str]] = []
    if not meeting.kinds:
        problems.append(("类型", "请选择会议类型"))
    for kind in meeting.kinds:
        if kind.spec.group and meeting.group_id is None:
            problems.append(("党小组", f"{kind.label}请选择党小组"))
    if meeting.status is MeetingStatus.HELD and meeting.day > today:
        problems.append(("日期", "已召开的会议日期不能晚于今天；尚未召开的请保存为“计划”"))
    if meeting.start and meeting.end and meeting.end <= meeting.start:
        problems.append(("时间", "结束时间应晚于开始时间"))
    for row, repeated in with_repeats(meeting.attendance):
        if repeated:
            problems.append(("出勤", f"{row.name} 在出勤名单中出现了两次"))
        if row.status is AttendanceStatus.PRESENT and row.makeup:
            problems.append(("补学", f"{row.name} 已出席，不需要补学"))
    return problems


def build_attendance(
    expected: Iterable[Member], previous: Iterable[Attendance] = ()
) -> list[Attendance]:
    """Return one row per expected member, keeping what was already marked for them.

    Everyone is present unless marked otherwise. The name, group and category are
    copied from the roster now, so later roster edits never rewrite this meeting.
    """
    marked = {row.member_id: row for row in previous}
    rows = []
    for member in expected:
        if member.id is None:
            continue
        old = marked.get(member.id)
        if old is not None:
            rows.append(old)
            continue
        rows.append(
            Attendance(
                member_id=member.id,
                name=member.name,
                group_name=member.group_name,
                category=member.category.value,
            )
        )
    return rows
