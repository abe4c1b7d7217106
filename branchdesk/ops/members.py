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


def create_group(session: Session, name: str) -> OpResult[PartyGroup]:
    with session.transaction() as db:
        group = GroupRepo(db).create(name)
    return OpResult(group, Changes.of("groups"))


def rename_group(session: Session, group_id: int, name: str) -> OpResult[None]:
    with session.transaction() as db:
        GroupRepo(db).rename(group_id, name)
    return OpResult(None, Changes.of("groups", "members"))  # members show their group's name


def merge_groups(session: Session, source_id: int, target_id: int) -> OpResult[None]:
    """Move every member of ``source_id`` into ``target_id`` and delete ``source_id``."""
    with session.transaction() as db:
        GroupRepo(db).merge(source_id, target_id)
    return OpResult(None, Changes.of("groups", "members"))


def delete_group(session: Session, group_id: int) -> OpResult[None]:
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


def update_member(session: Session, member: Member) -> OpResult[None]:
    with session.transaction() as db:
        MemberRepo(db).update(member)
    return OpResult(None, _MEMBER_WRITE)


def set_member_status(
    session: Session, member_id: int, status: MemberStatus, on: PartialDate | None, note: str = ""
) -> OpResult[None]:
    """Record that a member left (转出, 去世 ...) or came back."""
    with session.transaction() as db:
        MemberRepo(db).set_status(member_id, status, on, note)
    return OpResult(None, _MEMBER_WRITE)


def move_members(
    session: Session, member_ids: Iterable[int], group_id: int | None
) -> OpResult[None]:
    """Put members into a party group (None: into no group)."""
    with session.transaction() as db:
        MemberRepo(db).move_to_group(list(member_ids), group_id)
    return OpResult(None, Changes.of("members", "groups"))


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
