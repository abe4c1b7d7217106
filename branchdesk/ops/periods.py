"""Writes to the branch's rules and reporting: meeting requirements, reported periods."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from branchdesk.domain.requirements import Period, Requirement
from branchdesk.ops.changes import Changes, OpResult
from branchdesk.store.periods import ReportedPeriodRepo
from branchdesk.store.requirements import RequirementRepo
from branchdesk.store.session import Session


def save_requirements(session: Session, requirements: Iterable[Requirement]) -> OpResult[None]:
    """Replace every meeting requirement (会议要求) at once."""
    with session.transaction() as db:
        RequirementRepo(db).save(requirements)
    return OpResult(None, Changes.of("requirements"))


def reset_requirements(session: Session) -> OpResult[None]:
    """Go back to the usual requirements."""
    with session.transaction() as db:
        RequirementRepo(db).reset()
    return OpResult(None, Changes.of("requirements"))


def mark_period_reported(
    session: Session,
    period: Period,
    *,
    at: dt.datetime | None = None,
    figures: Mapping[str, Any] | None = None,
) -> OpResult[None]:
    """Lock a reported period (已上报): its records become read-only. ``figures``
    (``BranchReturn.figures()`` of the return sent up) are kept to compare with later."""
    with session.transaction() as db:
        ReportedPeriodRepo(db).mark_reported(period, at=at, figures=figures)
    return OpResult(None, Changes.of("periods", "history", periods=[period.code]))


def unlock_period(session: Session, period: Period, reason: str) -> OpResult[None]:
    """Allow changes to a reported period again, with the reason kept in the history."""
    with session.transaction() as db:
        ReportedPeriodRepo(db).unlock(period, reason)
    return OpResult(None, Changes.of("periods", "history", periods=[period.code]))
