"""Importing a roster (花名册导入): its own module, as it brings in openpyxl."""

from __future__ import annotations

from branchdesk.ops.changes import Changes, OpResult
from branchdesk.reports.roster_import import ImportPreview, ImportResult, JoinedOn, apply_import
from branchdesk.store.session import Session


def import_roster(
    session: Session, preview: ImportPreview, *, joined_on: JoinedOn | None = None
) -> OpResult[ImportResult]:
    """Write a planned roster import, all or nothing.

    ``joined_on``: the day the new members joined the branch, or ``roster_import.ORIGINAL``
    for the branch's own members (they count from their 入党时间). By default: ORIGINAL for
    a first import into an empty branch, today for a later one; nothing before that day
    changes, and groups the import creates exist from it.
    """
    with session.transaction() as db:
        result = apply_import(db, preview, joined_on=joined_on)
    kinds = ("members", "history", "groups") if result.new_groups else ("members", "history")
    return OpResult(result, Changes.of(*kinds))
