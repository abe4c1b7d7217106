"""The rules the record carries: quorum, votes, six months without organisational life,
延长预备期."""

from __future__ import annotations

import datetime as dt

import pytest

from branchdesk.domain.dates import PartialDate
from branchdesk.domain.home import probation_ends
from branchdesk.domain.meeting_rules import (
    QuorumKind,
    quorum_of,
    vote_problems,
    vote_results,
)
from branchdesk.domain.meetings import Attendance, AttendanceStatus, Meeting, MeetingKind, Vote
from branchdesk.domain.member_rules import (
    LifeFacts,
    add_months,
    extension_problems,
    life_gap,
    life_gaps,
    probation_due,
    voting_member_on,
    whole_months,
)
from branchdesk.domain.members import (
    Category,
    LongLeave,
    Member,
    MemberStatus,
    ProbationExtension,
    Role,
)

DAY = dt.date(2026, 6, 20)


def _member(number: int, *, full: bool = True, **changes) -> Member:
    fields = {
        "name": f"党员{number}",
        "id": number,
        "join_date": PartialDate(2010, 7, 1),
        "full_date": PartialDate(2011, 7, 1) if full else None,
        "category": Category.FULL if full else Category.PROBATIONARY,
    }
    fields.update(changes)
    return Member(**fields)


def _meeting(kind, members, present: set[int]) -> Meeting:
    rows = [
        Attendance(
            m.id,
            m.name,
            AttendanceStatus.PRESENT if m.id in present else AttendanceStatus.ABSENT,
            category=m.category.value,
        )
        for m in members
    ]
    return Meeting(kinds=[kind], day=DAY, attendance=rows)


def _by_id(members):
    return {m.id: m for m in members}


# -- quorum ----------------------------------------------------------------------------------


def test_general_meeting_is_valid_with_more_than_half_of_the_full_members():
    members = [_member(i) for i in range(1, 11)]  # ten 正式党员
    quorum = quorum_of(_meeting(MeetingKind.GENERAL, members, set(range(1, 7))), _by_id(members))
    assert quorum.kind is QuorumKind.GENERAL
    assert (quorum.due, quorum.present, quorum.valid) == (10, 6, True)
    assert quorum.describe() == "应到有表决权党员 10 人，实到 6 人，超过半数，会议有效"


def test_exactly_half_is_invalid():
    members = [_member(i) for i in range(1, 11)]
    quorum = quorum_of(_meeting(MeetingKind.GENERAL, members, set(range(1, 6))), _by_id(members))
    assert (quorum.due, quorum.present, quorum.valid) == (10, 5, False)
    assert quorum.describe() == (
        "应到有表决权党员 10 人，实到 5 人，未超过半数（至少需 6 人），会议无效"
    )


def test_probationary_members_present_do_not_count():
    full = [_member(i) for i in range(1, 9)]  # eight with a vote
    probationary = [_member(i, full=False) for i in range(9, 13)]  # four without
    members = full + probationary
    present = {1, 2, 3, 4, 9, 10, 11, 12}  # four full and all four probationary
    quorum = quorum_of(_meeting(MeetingKind.GENERAL, members, present), _by_id(members))
    assert (quorum.due, quorum.present, quorum.valid) == (8, 4, False)


def test_a_vote_is_judged_on_the_meeting_day():
    # Full since 2026-07-01: on 20 June still 预备, so no vote, whatever the roster says now.
    late = _member(1, full_date=PartialDate(2026, 7, 1))
    assert not voting_member_on(late, DAY)
    assert voting_member_on(late, dt.date(2026, 7, 1))
    # Without a 转正 date the category decides; a member not yet in the branch has no vote.
    assert voting_member_on(_member(2, full_date=None), DAY)
    assert not voting_member_on(_member(3, branch_join_date=PartialDate(2026, 8)), DAY)


def test_committee_quorum_is_more_than_half_of_the_committee():
    committee = [_member(i, roles=[Role.MEMBER]) for i in range(1, 6)]
    meeting = _meeting(MeetingKind.COMMITTEE, committee, {1, 2, 3})
    quorum = quorum_of(meeting, _by_id(committee), branch_size=20)
    assert quorum.kind is QuorumKind.COMMITTEE
    assert (quorum.due, quorum.present, quorum.valid) == (5, 3, True)
    assert quorum.describe() == "应到支委 5 人，实到 3 人，超过半数，会议有效"
    two = _meeting(MeetingKind.COMMITTEE, committee, {1, 2})
    assert not quorum_of(two, _by_id(committee), branch_size=20).valid
    # A branch under seven members has no committee: no rule.
    assert quorum_of(two, _by_id(committee), branch_size=6) is None


def test_other_meetings_have_no_quorum():
    members = [_member(i) for i in range(1, 4)]
    assert quorum_of(_meeting(MeetingKind.THEME_DAY, members, set()), _by_id(members)) is None


# -- votes -------------------------------------------------------------------------------------


def test_a_resolution_passes_when_in_favour_exceeds_half_of_those_due():
    members = [_member(i) for i in range(1, 21)]  # 20 due
    meeting = _meeting(MeetingKind.GENERAL, members, set(range(1, 13)))  # 12 present
    meeting.votes = [Vote("接收张三为预备党员", 11, 1, 0), Vote("评选优秀党员", 10, 0, 2)]
    quorum = quorum_of(meeting, _by_id(members))
    first, second = vote_results(meeting, quorum)
    assert first.passed  # 11 > 20 / 2
    # 10 of the 12 present is most of them, but not more than half of the 20 due.
    assert not second.passed
    assert second.describe() == (
        "赞成 10 票，反对 0 票，弃权 2 票；赞成票未超过应到有表决权党员（20 人）半数，未通过"
    )
    assert vote_problems(meeting, quorum) == []


def test_votes_cannot_exceed_the_voting_members_present():
    members = [_member(i) for i in range(1, 11)]
    meeting = _meeting(MeetingKind.GENERAL, members, set(range(1, 7)))
    meeting.votes = [Vote("事项", 5, 1, 1)]
    problems = vote_problems(meeting, quorum_of(meeting, _by_id(members)))
    assert problems == [("表决", "第 1 项表决：赞成、反对、弃权合计 7 票，多于实到有表决权党员 6 人")]
    theme = _meeting(MeetingKind.THEME_DAY, members, set())
    theme.votes = [Vote("事项", 1)]
    assert vote_problems(theme, None) == [("表决", "只有支部党员大会的决议需要登记表决")]


# -- six months ------------------------------------------------------------------------------


def test_months_are_whole_months_across_a_year_boundary():
    assert whole_months(dt.date(2026, 10, 15), dt.date(2027, 1, 14)) == 2
    assert whole_months(dt.date(2026, 10, 15), dt.date(2027, 1, 15)) == 3
    assert add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)


def _facts(member_id, last_life, first, last):
    return LifeFacts(member_id, last_life, first, last)


def test_six_month_list_across_a_year_boundary():
    today = dt.date(2027, 1, 20)
    quiet = _member(1)  # last came on 2026-10-12, missed every meeting since
    recent = _member(2)  # came in December
    new = _member(3)  # never came: counted from the first meeting missed
    facts = {
        1: _facts(1, dt.date(2026, 10, 12), dt.date(2026, 1, 10), dt.date(2027, 1, 10)),
        2: _facts(2, dt.date(2026, 12, 8), dt.date(2026, 1, 10), dt.date(2027, 1, 10)),
        3: _facts(3, None, dt.date(2026, 7, 10), dt.date(2027, 1, 10)),
    }
    gaps = life_gaps([quiet, recent, new], facts, today)
    assert [(g.name, g.months, g.six_months_on) for g in gaps] == [
        ("党员3", 6, dt.date(2027, 1, 10)),
        ("党员1", 3, dt.date(2027, 4, 12)),
    ]
    assert gaps[1].describe() == (
        "已 3 个月未参加组织生活（最近一次 2026年10月12日），满六个月为 2027年4月12日"
    )
    assert gaps[0].overdue and gaps[0].describe().endswith("已于 2027年1月10日 满六个月")


def test_make_up_study_counts_as_organisational_life():
    # The facts' last life is the 补学 day (store/rule_queries.py); here it is recent.
    member = _member(1)
    facts = _facts(1, dt.date(2027, 1, 5), dt.date(2026, 1, 10), dt.date(2027, 1, 10))
    assert life_gap(member, facts, dt.date(2027, 1, 20)).months == 0
    after = _facts(1, dt.date(2027, 1, 12), dt.date(2026, 1, 10), dt.date(2027, 1, 10))
    assert life_gap(member, after, dt.date(2027, 1, 20)) is None  # nothing missed since


def test_long_leave_is_not_flagged_and_restarts_the_count():
    facts = {1: _facts(1, dt.date(2026, 3, 1), dt.date(2026, 1, 10), dt.date(2027, 1, 10))}
    today = dt.date(2027, 1, 20)
    on_leave = _member(1, long_leave=LongLeave(dt.date(2026, 4, 1), dt.date(2027, 3, 31), "出国务工"))
    assert life_gaps([on_leave], facts, today) == []
    back = _member(1, long_leave=LongLeave(dt.date(2026, 4, 1), dt.date(2026, 9, 30), "住院"))
    (gap,) = life_gaps([back], facts, today)
    assert (gap.since, gap.months) == (dt.date(2026, 10, 1), 3)


def test_flowing_members_are_included_and_members_who_left_are_not():
    facts = {
        1: _facts(1, dt.date(2026, 6, 1), dt.date(2026, 1, 10), dt.date(2027, 1, 10)),
        2: _facts(2, dt.date(2026, 6, 1), dt.date(2026, 1, 10), dt.date(2027, 1, 10)),
    }
    flowing = _member(1, status=MemberStatus.FLOWING)
    gone = _member(2, status=MemberStatus.TRANSFERRED_OUT, status_date=PartialDate(2026, 12, 1))
    gaps = life_gaps([flowing, gone], facts, dt.date(2027, 1, 20))
    assert [(g.name, g.flowing) for g in gaps] == [("党员1", True)]


# -- 延长预备期 ---------------------------------------------------------------------------------


def test_an_extension_moves_probation_due():
    member = _member(1, full=False, join_date=PartialDate(2025, 6, 1))
    assert probation_due(member) == dt.date(2026, 6, 1)
    today = dt.date(2026, 7, 1)
    (overdue,) = probation_ends([member], today)
    assert overdue.overdue
    member.probation_extension = ProbationExtension(dt.date(2026, 5, 20), 6, "学习不够")
    assert probation_due(member) == dt.date(2026, 12, 1)
    assert probation_ends([member], today) == []  # no longer overdue, not yet due
    (due,) = probation_ends([member], dt.date(2026, 11, 1))
    assert (due.ends, due.extended_months, due.overdue) == (dt.date(2026, 12, 1), 6, False)


@pytest.mark.parametrize("months", [5, 13])
def test_an_extension_outside_six_to_twelve_months_is_refused(months):
    member = _member(1, full=False, join_date=PartialDate(2025, 6, 1))
    problems = extension_problems(member, dt.date(2026, 5, 20), months, dt.date(2026, 6, 1))
    assert problems == [f"延长期限应为 6 到 12 个月，不能是 {months} 个月"]


def test_an_extension_is_refused_a_second_time_and_for_a_full_member():
    member = _member(1, full=False, join_date=PartialDate(2025, 6, 1))
    member.probation_extension = ProbationExtension(dt.date(2026, 5, 20), 6, "学习不够")
    (problem,) = extension_problems(member, dt.date(2026, 11, 20), 6, dt.date(2026, 12, 1))
    assert "预备期只能延长一次" in problem
    full = _member(2)
    assert extension_problems(full, dt.date(2026, 5, 20), 6, DAY) == [
        "党员2不是预备党员，不能延长预备期"
    ]
