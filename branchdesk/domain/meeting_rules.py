"""Whether a meeting could decide: quorum (会议有效) and the votes on its resolutions.

支部工作条例 (2018): a 支部党员大会 is valid only when more than half of the members with
a vote (正式党员; 预备党员 have none) are present, and a resolution passes only when those
in favour exceed half of the voting members **due to attend** (应到), not of those present.
A 支委会 needs more than half of the committee; a branch under seven members has no
committee, so the rule does not apply to it. Everything is computed from the meeting's
attendance rows, with each member's vote judged on the meeting's day.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from branchdesk.domain.meetings import AttendanceStatus, Meeting, MeetingKind, Vote
from branchdesk.domain.member_rules import voting_member_on
from branchdesk.domain.members import Category, Member

COMMITTEE_MIN_MEMBERS = 7  # a branch with fewer members has no 支委会


class QuorumKind(str, enum.Enum):
    GENERAL = "general"  # 支部党员大会: 正式党员
    COMMITTEE = "committee"  # 支委会: the committee members


@dataclass(frozen=True)
class Quorum:
    """应到 / 实到 of those whose presence counts, and whether more than half came."""

    kind: QuorumKind
    due: int  # 应到有表决权党员, or 应到支委
    present: int  # 实到 of them

    @property
    def valid(self) -> bool:
        """More than half present; exactly half is not enough."""
        return self.present * 2 > self.due

    @property
    def needed(self) -> int:
        """The fewest present that make the meeting valid."""
        return self.due // 2 + 1

    @property
    def verdict(self) -> str:
        return "会议有效" if self.valid else "会议无效"

    def describe(self) -> str:
        """``应到有表决权党员 20 人，实到 12 人，超过半数，会议有效``."""
        who = "有表决权党员" if self.kind is QuorumKind.GENERAL else "支委"
        half = "超过半数" if self.valid else f"未超过半数（至少需 {self.needed} 人）"
        return f"应到{who} {self.due} 人，实到 {self.present} 人，{half}，{self.verdict}"

    def short(self) -> str:
        """``有效（12/20）`` for a table cell."""
        return f"{'有效' if self.valid else '无效'}（{self.present}/{self.due}）"


def _has_vote(row_member: Member | None, row_category: str, meeting: Meeting) -> bool:
    if row_member is not None:
        return voting_member_on(row_member, meeting.day)
    return row_category == Category.FULL.value  # a member no longer stored: as recorded


def quorum_of(
    meeting: Meeting, members: Mapping[int, Member], *, branch_size: int | None = None
) -> Quorum | None:
    """The quorum the meeting is held to, or None when no such rule applies to it.

    ``members`` by id judges each attendance row's vote on the meeting's day; a row whose
    member is no longer stored keeps the category recorded with it. ``branch_size`` (the
    members in the roster that day) says whether the branch has a committee at all.
    """
    rows = meeting.attendance
    if MeetingKind.GENERAL in meeting.kinds:
        voting = [r for r in rows if _has_vote(members.get(r.member_id), r.category, meeting)]
        return Quorum(
            QuorumKind.GENERAL,
            due=len(voting),
            present=sum(r.status is AttendanceStatus.PRESENT for r in voting),
        )
    if MeetingKind.COMMITTEE in meeting.kinds and rows:
        if branch_size is not None and branch_size < COMMITTEE_MIN_MEMBERS:
            return None
        return Quorum(
            QuorumKind.COMMITTEE,
            due=len(rows),
            present=sum(r.status is AttendanceStatus.PRESENT for r in rows),
        )
    return None


# -- votes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VoteResult:
    vote: Vote
    due: int  # 应到有表决权党员

    @property
    def passed(self) -> bool:
        """赞成 exceeds half of the voting members due to attend."""
        return self.vote.in_favour * 2 > self.due

    def describe(self) -> str:
        """``赞成 12 票，反对 1 票，弃权 0 票；赞成票超过应到有表决权党员（20 人）半数，通过``."""
        v = self.vote
        verdict = (
            "超过应到有表决权党员（{due} 人）半数，通过"
            if self.passed
            else "未超过应到有表决权党员（{due} 人）半数，未通过"
        ).format(due=self.due)
        return f"赞成 {v.in_favour} 票，反对 {v.against} 票，弃权 {v.abstain} 票；赞成票{verdict}"


def vote_results(meeting: Meeting, quorum: Quorum | None) -> list[VoteResult]:
    """Each recorded vote with its outcome; votes count only at a 支部党员大会."""
    if quorum is None or quorum.kind is not QuorumKind.GENERAL:
        return []
    return [VoteResult(vote, quorum.due) for vote in meeting.votes]


def vote_problems(meeting: Meeting, quorum: Quorum | None) -> list[tuple[str, str]]:
    """(field, message) problems that block saving the votes."""
    problems: list[tuple[str, str]] = []
    if not meeting.votes:
        return problems
    if quorum is None or quorum.kind is not QuorumKind.GENERAL:
        problems.append(("表决", "只有支部党员大会的决议需要登记表决"))
        return problems
    for number, vote in enumerate(meeting.votes, 1):
        name = f"第 {number} 项表决"
        if not vote.resolution.strip():
            problems.append(("表决", f"{name}：请填写表决的事项"))
        if min(vote.in_favour, vote.against, vote.abstain) < 0:
            problems.append(("表决", f"{name}：票数不能为负数"))
        if vote.cast > quorum.present:
            problems.append(
                (
                    "表决",
                    f"{name}：赞成、反对、弃权合计 {vote.cast} 票，"
                    f"多于实到有表决权党员 {quorum.present} 人",
                )
            )
    return problems
