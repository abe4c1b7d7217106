"""Writes to the branch, its party groups (党小组) and its members (党员)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from branchdesk.domain.branch import Branch
from branchdesk.domain.dates import PartialDate
from branchdesk.domain.member_rules import extension_problems, leave_problems
from branchdesk.domain.members import (
    LongLeave,
    Member,
    MemberStatus,
    PartyGroup,
    ProbationExtension,
)
from branchdesk.ops.changes import Changes, OpResult
from branchdesk.store.members import BranchRepo, GroupRepo, MemberRepo
from branchdesk.store.session import Session

_MEMBER_WRITE = Changes.of("members", "history")


def save_branch(session: Session, branch: Branch) -> OpResult[None]:
    """Save the branch's name and superior (支部名称, 上级党组织)."""
    with session.transaction() as db:
        BranchRepo(db).save(branch)
    return OpResult(None, Changes.of("branch"))


def create_group(
    session: Session, name: str, *, start: dt.date | None = None
) -> OpResult[PartyGroup]:
    """A new 党小组 existing from ``start`` (today when not given): earlier returns do not
    require its meetings."""
    with session.transaction() as db:
        group = GroupRepo(db).create(name, start=start or dt.date.today())
    return OpResult(group, Changes.of("groups"))


def rename_group(session: Session, group_id: int, name: str) -> OpResult[None]:
    with session.transaction() as db:
        GroupRepo(db).rename(group_id, name)
    return OpResult(None, Changes.of("groups", "members"))  # members show their group's name


def set_group_start(session: Session, group_id: int, start: dt.date | None) -> OpResult[None]:
    """Say since when a group exists (None: since the records began)."""
    with session.transaction() as db:
        GroupRepo(db).set_start(group_id, start)
    return OpResult(None, Changes.of("groups"))


def merge_groups(
    session: Session, source_id: int, target_id: int, *, on: dt.date | None = None
) -> OpResult[None]:
    """From ``on`` (today) the members of ``source_id`` are in ``target_id``; the source
    group ends the day before and keeps its past."""
    with session.transaction() as db:
        GroupRepo(db).merge(source_id, target_id, on=on)
    return OpResult(None, Changes.of("groups", "members", "history"))


def dissolve_group(
    session: Session, group_id: int, *, on: dt.date | None = None
) -> OpResult[None]:
    """A group with nobody left in it ends the day before ``on`` (撤销)."""
    with session.transaction() as db:
        GroupRepo(db).dissolve(group_id, on=on)
    return OpResult(None, Changes.of("groups"))


def delete_group(session: Session, group_id: int) -> OpResult[None]:
    """Remove a group nobody ever belonged to (one made by mistake)."""
    with session.transaction() as db:
        GroupRepo(db).delete(group_id)
    return OpResult(None, Changes.of("groups"))


def set_group_leader(session: Session, group_id: int, member_id: int | None) -> OpResult[None]:
    with session.transaction() as db:
        GroupRepo(db).set_leader(group_id, member_id)
    return OpResult(None, Changes.of("groups"))


def add_member(session: Session, member: Member) -> OpResult[int]:
    with session.transaction() as db:
        member_id = MemberRepo(db).add(member)
    return OpResult(member_id, _MEMBER_WRITE)


def update_member(
    session: Session, member: Member, *, effective: dt.date | None = None
) -> OpResult[None]:
    """Save a member; a change of group or committee roles holds from ``effective``
    (today when not given): the returns of the days before stay as they were."""
    with session.transaction() as db:
        MemberRepo(db).update(member, effective=effective)
    return OpResult(None, _MEMBER_WRITE)


def set_member_status(
    session: Session, member_id: int, status: MemberStatus, on: PartialDate | None, note: str = ""
) -> OpResult[None]:
    """Record that a member left (转出, 去世 ...) or came back."""
    with session.transaction() as db:
        MemberRepo(db).set_status(member_id, status, on, note)
    return OpResult(None, _MEMBER_WRITE)


def move_members(
    session: Session, member_ids: Iterable[int], group_id: int | None, *, on: dt.date | None = None
) -> OpResult[None]:
    """Put members into a party group (None: into no group) from ``on`` (today)."""
    with session.transaction() as db:
        MemberRepo(db).move_to_group(list(member_ids), group_id, on=on)
    return OpResult(None, Changes.of("members", "groups", "history"))


def extend_probation(
    session: Session,
    member_id: int,
    decided_on: dt.date,
    months: int,
    reason: str,
    *,
    today: dt.date | None = None,
) -> OpResult[None]:
    """Record 延长预备期 (once, 6-12 months) on a 预备党员; 转正 becomes due that much later."""
    today = today or dt.date.today()
    with session.transaction() as db:
        repo = MemberRepo(db)
        member = repo.get(member_id)
        problems = extension_problems(member, decided_on, months, today)
        if not reason.strip():
            problems.append("请填写延长预备期的原因")
        if problems:
            raise ValueError("；".join(problems))
        member.probation_extension = ProbationExtension(decided_on, months, reason.strip())
        repo.update(member)
    return OpResult(None, _MEMBER_WRITE)


def set_long_leave(
    session: Session, member_id: int, start: dt.date, end: dt.date, reason: str
) -> OpResult[None]:
    """Mark an approved long leave (长期请假); the member is not flagged while it lasts."""
    problems = leave_problems(start, end, reason)
    if problems:
        raise ValueError("；".join(problems))
    with session.transaction() as db:
        repo = MemberRepo(db)
        member = repo.get(member_id)
        member.long_leave = LongLeave(start, end, reason.strip())
        repo.update(member)
    return OpResult(None, _MEMBER_WRITE)


def clear_long_leave(session: Session, member_id: int) -> OpResult[None]:
    """Remove a member's long-leave mark."""
    with session.transaction() as db:
        repo = MemberRepo(db)
        member = repo.get(member_id)
        member.long_leave = None
        repo.update(member)
    return OpResult(None, _MEMBER_WRITE)
