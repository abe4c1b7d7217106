"""The figures of a return (月报/季报/年报), computed from the stored records.

The workbook, the 报表 page and ``branchdesk return --json`` all show these same figures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from branchdesk.domain.activities import ActivityTotals, format_hours, total
from branchdesk.domain.branch import Branch
from branchdesk.domain.meeting_rules import Quorum
from branchdesk.domain.meetings import (
    Attendance,
    AttendanceCounts,
    AttendanceStatus,
    MeetingKind,
    MeetingStatus,
    MeetingSummary,
)
from branchdesk.domain.member_rules import probation_due
from branchdesk.domain.members import Category, JoinHow, Member, MemberStatus
from branchdesk.domain.requirements import Assessment, GroupRef, Period, assess
from branchdesk.reports.gc_pause import without_collection
from branchdesk.store.activities import ActivityFilter, ActivityRepo
from branchdesk.store.meetings import MeetingFilter, MeetingRepo
from branchdesk.store.members import BranchRepo, GroupRepo, MemberRepo
from branchdesk.store.requirements import RequirementRepo
from branchdesk.store.return_queries import AttendanceTally, ParticipationTally, ReturnQueries
from branchdesk.store.rule_queries import RuleQueries

FORMAT_VERSION = 1


@dataclass(frozen=True)
class MemberCounts:
    """党员总数 at the end of the period, and the changes within it."""

    total: int
    full: int
    probationary: int
    transferred_in: int  # 转入
    transferred_out: int  # 转出
    developed: int  # 发展: admitted as probationary members in the period
    other_left: int  # 去世, 停止党籍, 出党


@dataclass(frozen=True)
class MeetingRow:
    meeting_id: int
    day: dt.date
    kind_label: str
    title: str
    host: str
    recorder: str
    counts: AttendanceCounts
    leave_people: str  # 张三（出差）、李四（身体不适）
    absent_people: str
    makeup: str  # 张三：10月12日 观看录像
    quorum: Quorum | None = None  # 支部党员大会 and 支委会: whether more than half came


@dataclass(frozen=True)
class MemberRow:
    member_id: int
    name: str
    group: str
    category: str
    expected: int
    present: int
    leave: int
    absent: int
    made_up: int
    activities: int
    hours: float

    @property
    def rate(self) -> float | None:
        return self.present / self.expected if self.expected else None


@dataclass(frozen=True)
class ActivityRow:
    activity_id: int
    day: dt.date
    end_day: dt.date | None
    kind: str
    title: str
    place: str
    participants: int
    names: str
    hours: float


@dataclass
class BranchReturn:
    branch: Branch
    period: Period
    generated_on: dt.date
    members: MemberCounts
    assessments: list[Assessment]
    attendance: AttendanceCounts
    activity_totals: ActivityTotals
    meetings: list[MeetingRow] = field(default_factory=list)
    member_rows: list[MemberRow] = field(default_factory=list)
    activities: list[ActivityRow] = field(default_factory=list)
    revised: bool = False
    revision: int = 0  # times the period was unlocked after it was reported

    @property
    def meetings_held(self) -> int:
        return len(self.meetings)

    @property
    def unfinished(self) -> bool:
        """The period had not ended when the return was made: its figures are partial."""
        return self.period.end >= self.generated_on

    @property
    def invalid_meetings(self) -> list[MeetingRow]:
        """Meetings held to a quorum that did not have more than half present."""
        return [m for m in self.meetings if m.quorum is not None and not m.quorum.valid]

    def figures(self) -> dict[str, Any]:
        """The 汇总 figures as plain values: the JSON of ``return --json`` and the hidden sheet."""
        kinds: dict[str, Any] = {}
        for line in self.assessments:
            entry = {"required": line.required, "held": line.held, "status": line.status.value}
            if line.group_name:
                kinds.setdefault(
                    line.kind.value, {"required": 0, "held": 0, "status": None, "groups": {}}
                )
                total_entry = kinds[line.kind.value]
                total_entry["groups"][line.group_name] = entry
                total_entry["required"] += line.required
                total_entry["held"] += line.held
                statuses = {g["status"] for g in total_entry["groups"].values()}
                total_entry["status"] = (
                    "未达标"
                    if "未达标" in statuses
                    else "达标"
                    if "达标" in statuses
                    else "本期不考核"
                )
            else:
                kinds[line.kind.value] = entry
        rate = self.attendance.rate
        return {
            "format_version": FORMAT_VERSION,
            "branch": self.branch.name,
            "superior": self.branch.superior,
            "period": self.period.code,
            "period_label": self.period.label,
            "generated_on": self.generated_on.isoformat(),
            "revised": self.revised,
            "revision": self.revision,
            "complete": not self.unfinished,
            "as_of": self.generated_on.isoformat() if self.unfinished else None,
            "members": {
                "total": self.members.total,
                "full": self.members.full,
                "probationary": self.members.probationary,
                "transferred_in": self.members.transferred_in,
                "transferred_out": self.members.transferred_out,
                "developed": self.members.developed,
                "other_left": self.members.other_left,
            },
            "kinds": kinds,
            "meetings_held": self.meetings_held,
            "quorum": {
                "checked": sum(m.quorum is not None for m in self.meetings),
                "invalid": len(self.invalid_meetings),
            },
            "attendance": {
                "expected": self.attendance.expected,
                "present": self.attendance.present,
                "leave": self.attendance.leave,
                "absent": self.attendance.absent,
            },
            "attendance_rate": None if rate is None else round(rate, 4),
            "activities": {
                "count": self.activity_totals.activities,
                "participations": self.activity_totals.participations,
                "hours": self.activity_totals.hours,
            },
        }


def _in_period(member: Member, period: Period) -> bool:
    """Whether the member belonged to the branch at any time in the period."""
    start = member.branch_start()
    if start is not None and start > period.end:
        return False
    if not member.status.in_roster and member.status_date is not None:
        return member.status_date.first_day() >= period.start
    return member.status.in_roster


def _last_day_in(member: Member, period: Period) -> dt.date:
    """The member's last day in the branch within the period (for group and category)."""
    left = member.left_on()
    if left is not None and period.start < left <= period.end:
        return left - dt.timedelta(days=1)
    return period.end


def _transferred_in(member: Member, period: Period) -> bool:
    joined = member.branch_join_date
    if joined is None or not period.contains(joined.first_day()):
        return False
    if member.branch_join_how is not None:
        return member.branch_join_how is JoinHow.TRANSFER_IN
    # recorded before 0008_effective_dates: joined the branch after joining the party
    return member.join_date is None or member.join_date.first_day() < joined.first_day()


def _member_counts(members: list[Member], period: Period) -> MemberCounts:
    on_end = [m for m in members if m.in_roster_on(period.end)]
    full = sum(m.category_on(period.end) is Category.FULL for m in on_end)

    def left_in(statuses: set[MemberStatus]) -> int:
        return sum(
            m.status in statuses
            and m.status_date is not None
            and period.contains(m.status_date.first_day())
            for m in members
        )

    return MemberCounts(
        total=len(on_end),
        full=full,
        probationary=len(on_end) - full,
        transferred_in=sum(_transferred_in(m, period) for m in members),
        transferred_out=left_in({MemberStatus.TRANSFERRED_OUT}),
        developed=sum(
            m.join_date is not None and period.contains(m.join_date.first_day()) for m in members
        ),
        other_left=left_in({MemberStatus.DECEASED, MemberStatus.SUSPENDED, MemberStatus.LEFT}),
    )


def _category_text(member: Member, period: Period) -> str:
    """正式 or 预备, and 预备（延长预备期至 2026-12-01）once an extension was decided."""
    extension = member.probation_extension
    if (
        member.category is Category.PROBATIONARY
        and extension is not None
        and extension.decided_on <= period.end
    ):
        due = probation_due(member)
        return f"{member.category.label}（延长预备期至 {due.isoformat() if due else '—'}）"
    return member.category.label


def _missed_texts(missed: list[Attendance]) -> tuple[str, str, str]:
    """请假 people, 缺席 people (each with the reason) and 补学 done, as the return shows them:
    ``张三（出差）、李四`` and ``张三：10月12日 观看录像；李四：自学``."""
    leave, absent, makeup = [], [], []
    for row in missed:
        person = f"{row.name}（{row.reason}）" if row.reason else row.name
        (leave if row.status is AttendanceStatus.LEAVE else absent).append(person)
        if row.makeup:
            when = f"{row.makeup.day.month}月{row.makeup.day.day}日" if row.makeup.day else ""
            makeup.append(f"{row.name}：{' '.join(p for p in (when, row.makeup.how) if p)}")
    return "、".join(leave), "、".join(absent), "；".join(makeup)


def _quorums(
    db: Database, held: list[MeetingSummary], members: list[Member]
) -> dict[int, Quorum]:
    """The quorum of each held 支部党员大会 and 支委会, by meeting id."""
    ruled = [
        s.id for s in held if MeetingKind.GENERAL in s.kinds or MeetingKind.COMMITTEE in s.kinds
    ]
    return RuleQueries(db).quorums(MeetingRepo(db).get_many(ruled), members)


@without_collection
def compute_return(db: Database, period: Period, *, today: dt.date | None = None) -> BranchReturn:
    """Compute every figure of the return for ``period`` from the stored records."""
    today = today or dt.date.today()
    branch = BranchRepo(db).get() or Branch(name="未命名支部")
    members = MemberRepo(db).list()
    meeting_repo = MeetingRepo(db)
    queries = ReturnQueries(db)
    # Rules over a longer unit (a quarter's 党课, assessed in its last month) look back over
    # the unit; no unit is longer than a year.
    year_to_date = meeting_repo.summaries(
        MeetingFilter(start=dt.date(period.year, 1, 1), end=period.end)
    )
    groups = [
        GroupRef(g.id, g.name, g.start, g.end) for g in GroupRepo(db).list(include_ended=True)
    ]
    roster_count = sum(m.in_roster_on(period.end) for m in members)
    assessments = assess(
        period,
        year_to_date,
        requirements=RequirementRepo(db).list(),
        groups=groups,
        member_count=roster_count,
    )
    held = sorted(
        (s for s in year_to_date if s.status is MeetingStatus.HELD and period.contains(s.day)),
        key=lambda s: (s.day, s.start or dt.time(0), s.id),
    )
    missed, attendance = queries.attendance(period.start, period.end)
    quorums = _quorums(db, held, members)
    meeting_rows = []
    for meeting in held:
        leave_people, absent_people, makeup = _missed_texts(missed.get(meeting.id, []))
        meeting_rows.append(
            MeetingRow(
                meeting_id=meeting.id,
                day=meeting.day,
                kind_label=meeting.kind_label,
                title=meeting.title,
                host=meeting.host_name,
                recorder=meeting.recorder_name,
                counts=meeting.counts,
                leave_people=leave_people,
                absent_people=absent_people,
                makeup=makeup,
                quorum=quorums.get(meeting.id),
            )
        )
    activity_summaries = sorted(
        ActivityRepo(db).summaries(ActivityFilter(start=period.start, end=period.end)),
        key=lambda a: (a.day, a.id),
    )
    names, participation = queries.participation(period.start, period.end)
    activity_rows = [
        ActivityRow(
            activity_id=summary.id,
            day=summary.day,
            end_day=summary.end_day,
            kind=summary.kind,
            title=summary.title,
            place=summary.place,
            participants=summary.participants,
            names="、".join(names.get(summary.id, [])),
            hours=summary.hours,
        )
        for summary in activity_summaries
    ]
    member_rows = []
    group_order = {g.id: g.sort_order for g in GroupRepo(db).list(include_ended=True)}
    # Each member as they stood at the end of the period (or when they left), listed by
    # the groups of that time, as the roster lists them by today's.
    then_members = [
        (member, member.as_of(_last_day_in(member, period)))
        for member in members
        if member.id is not None and (_in_period(member, period) or member.id in attendance)
    ]
    then_members.sort(
        key=lambda pair: (
            group_order.get(pair[1].group_id, 1e9) if pair[1].group_id is not None else 1e9,
            pair[1].group_id if pair[1].group_id is not None else -1,
            pair[0].sort_order,
            pair[0].id or 0,
        )
    )
    for member, then in then_members:
        assert member.id is not None
        tally = attendance.get(member.id, AttendanceTally(0, 0, 0, 0, 0))
        taken = participation.get(member.id, ParticipationTally(0, 0.0))
        member_rows.append(
            MemberRow(
                member_id=member.id,
                name=member.name,
                group=then.group_name,
                category=_category_text(then, period),
                expected=tally.expected,
                present=tally.present,
                leave=tally.leave,
                absent=tally.absent,
                made_up=tally.made_up,
                activities=taken.activities,
                hours=taken.hours,
            )
        )
    from branchdesk.store.periods import ReportedPeriodRepo

    revision = ReportedPeriodRepo(db).revision(period)
    return BranchReturn(
        revised=revision > 0,
        revision=revision,
        branch=branch,
        period=period,
        generated_on=today,
        members=_member_counts(members, period),
        assessments=assessments,
        attendance=AttendanceCounts(
            expected=sum(m.counts.expected for m in held),
            present=sum(m.counts.present for m in held),
            leave=sum(m.counts.leave for m in held),
            absent=sum(m.counts.absent for m in held),
        ),
        activity_totals=total(activity_summaries),
        meetings=meeting_rows,
        member_rows=member_rows,
        activities=activity_rows,
    )


_MEMBER_LABELS = {
    "total": "党员总数", "full": "正式党员", "probationary": "预备党员",
    "transferred_in": "本期转入", "transferred_out": "本期转出", "developed": "本期发展",
    "other_left": "本期减少（去世等）",
}  # fmt: skip
_ATTENDANCE_LABELS = {"expected": "应到人次", "present": "实到人次", "leave": "请假人次",
                      "absent": "缺席人次"}  # fmt: skip
_ACTIVITY_LABELS = {"count": "活动次数", "participations": "参加人次", "hours": "活动时长"}


def _kind_label(code: str) -> str:
    from branchdesk.domain.meeting_kinds import MeetingKind

    try:
        return MeetingKind(code).label
    except ValueError:
        return code


def _value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def figure_differences(reported: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """What the return computed now says differently from the one reported, in Chinese:
    ``党员总数：34 → 45``, ``党小组会（第四党小组）：上报时没有 → 未达标``. Empty: the same."""
    out: list[str] = []

    def compare(label: str, old: Any, new: Any) -> None:
        if old != new:
            out.append(f"{label}：{_value(old)} → {_value(new)}")

    for key in ("branch", "superior"):
        compare({"branch": "支部名称", "superior": "上级党组织"}[key], reported.get(key),
                current.get(key))  # fmt: skip
    old_members, new_members = reported.get("members") or {}, current.get("members") or {}
    for key, label in _MEMBER_LABELS.items():
        compare(label, old_members.get(key), new_members.get(key))
    old_kinds, new_kinds = reported.get("kinds") or {}, current.get("kinds") or {}
    for code in dict.fromkeys([*old_kinds, *new_kinds]):
        old, new = old_kinds.get(code) or {}, new_kinds.get(code) or {}
        label = _kind_label(code)
        old_groups, new_groups = old.get("groups") or {}, new.get("groups") or {}
        for name in dict.fromkeys([*old_groups, *new_groups]):
            before, after = old_groups.get(name), new_groups.get(name)
            if before is None or after is None:
                out.append(
                    f"{label}（{name}）：" + ("上报时没有此项" if before is None else "现在没有此项")
                )
                continue
            for field_key, word in (("status", ""), ("required", "应开"), ("held", "已开")):
                compare(f"{label}（{name}）{word}", before.get(field_key), after.get(field_key))
        if old_groups or new_groups:
            continue
        for field_key, word in (("status", ""), ("required", "应开"), ("held", "已开")):
            compare(f"{label}{word}", old.get(field_key), new.get(field_key))
    compare("会议次数", reported.get("meetings_held"), current.get("meetings_held"))
    old_att, new_att = reported.get("attendance") or {}, current.get("attendance") or {}
    for key, label in _ATTENDANCE_LABELS.items():
        compare(label, old_att.get(key), new_att.get(key))
    old_act, new_act = reported.get("activities") or {}, current.get("activities") or {}
    for key, label in _ACTIVITY_LABELS.items():
        compare(label, old_act.get(key), new_act.get(key))
    return out


def reported_differences(db: Database, ret: BranchReturn) -> list[str] | None:
    """How ``ret`` differs from the return reported for its period: None when the period
    was not reported (or was reported before figures were kept), else the differences."""
    from branchdesk.store.periods import ReportedPeriodRepo

    reported = ReportedPeriodRepo(db).get(ret.period)
    if reported is None or reported.figures is None:
        return None
    return figure_differences(reported.figures, ret.figures())


__all__ = [
    "BranchReturn",
    "compute_return",
    "figure_differences",
    "format_hours",
    "FORMAT_VERSION",
    "reported_differences",
]
