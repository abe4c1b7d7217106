"""Importing a roster (花名册导入): its own module, as it brings in openpyxl."""

from __future__ import annotations

from branchdesk.ops.changes import Changes, OpResult
from branchdesk.reports.roster_import import ImportPreview, ImportResult, apply_import
from branchdesk.store.session import Session


def import_roster(session: Session, preview: ImportPreview) -> OpResult[ImportResult]:
    """Write a planned roster import, all or nothing."""
    with session.transaction() as db:
        result = apply_import(db, preview)
    kinds = ("members", "history", "groups") if result.new_groups else ("members", "history")
    return OpResult(result, Changes.of(*kinds))
