"""The figures of returns, and the workbooks BranchDesk reads and writes."""

from __future__ import annotations

import importlib

_WORKBOOK_MODULES = (
    "branchdesk.reports.return_workbook",
    "branchdesk.reports.consolidation",
    "branchdesk.reports.roster_import",
    "branchdesk.reports.roster_export",
    "branchdesk.reports.member_record_xlsx",
)


def preload_workbook_modules() -> list[str]:
    """Import the workbook readers and writers (and openpyxl with them); return their names.

    The app runs this in the background once its window has settled, so that the first
    visit to 报表 or the first export does not wait some 80 ms for the imports.
    """
    for name in _WORKBOOK_MODULES:
        importlib.import_module(name)
    return list(_WORKBOOK_MODULES)
