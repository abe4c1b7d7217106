"""A return is the same workbook, cell for cell, whatever is done to make it faster.

The digests below were taken from the workbooks the writer on main made before the speed work of
issue 18 (demo branch of 36 members, seed 1, on 2026-06-30), and that work left them as
they were. A deliberate change of what a return shows changes them: look at the workbooks
first, then take the new digests from this test's failure message.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import openpyxl
import pytest
from demo_cache import write_demo_branch

from branchdesk.domain.requirements import Period
from branchdesk.reports.return_figures import compute_return
from branchdesk.reports.return_workbook import write_return
from branchdesk.store.db import DB_FILENAME, open_database

TODAY = dt.date(2026, 6, 30)
DIGESTS = {
    "2026-05": "312d5eda226e5cbf3a6c0e1bc51f2091",
    "2026-Q1": "32588338b67e2eeda9d0f511416a2267",
    "2025": "0c6b739cafb89507baadb007df7b898b",
    "2026": "116d83b6728a8b4278043ec79a7893c1",
}


def _look(cell):
    """Everything a person sees of a cell, and what Excel keeps of it."""
    font, align, border = cell.font, cell.alignment, cell.border
    value = cell.value
    return [
        value.isoformat() if isinstance(value, dt.date) else value,
        cell.data_type,
        cell.number_format,
        [font.name, font.sz, font.b, font.i, font.color.rgb if font.color is not None else None,
         font.u],
        [align.horizontal, align.vertical, align.wrap_text, align.indent],
        [getattr(side, "style", None) for side in (border.left, border.right, border.top,
                                                    border.bottom)],
        cell.fill.fill_type,
        cell.protection.locked,
        cell.style,
    ]  # fmt: skip


def workbook_dump(path):
    workbook = openpyxl.load_workbook(path)
    dump = {"props": [workbook.properties.title, workbook.properties.creator]}
    for ws in workbook.worksheets:
        setup = ws.page_setup
        fit = ws.sheet_properties.pageSetUpPr
        dump[ws.title] = {
            "cells": {
                c.coordinate: _look(c)
                for row in ws.iter_rows()
                for c in row
                if c.has_style or c.value is not None
            },
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "cols": {k: v.width for k, v in ws.column_dimensions.items()},
            "rows": {k: v.height for k, v in ws.row_dimensions.items() if v.height},
            "freeze": ws.freeze_panes,
            "state": ws.sheet_state,
            "prot": ws.protection.sheet,
            "print": [setup.orientation, setup.paperSize, setup.fitToHeight, setup.fitToWidth,
                      ws.print_title_rows, fit.fitToPage if fit else None],
            "fmt": [ws.sheet_format.defaultRowHeight, ws.sheet_format.customHeight],
        }  # fmt: skip
    return dump


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("identical") / "data"
    write_demo_branch(folder, members=36, seed=1, today=TODAY)
    db = open_database(folder / DB_FILENAME)
    yield db
    db.close()


@pytest.mark.parametrize("code", list(DIGESTS))
def test_the_return_is_the_workbook_it_always_was(demo_db, tmp_path, code):
    path = write_return(compute_return(demo_db, Period.parse(code), today=TODAY), tmp_path / "r.xlsx")
    dump = workbook_dump(path)
    text = json.dumps(dump, ensure_ascii=False, sort_keys=True, default=str)
    digest = hashlib.sha256(text.encode()).hexdigest()[:32]
    cells = sum(len(sheet["cells"]) for key, sheet in dump.items() if key != "props")
    assert cells > 500  # a real return, not an empty one
    assert digest == DIGESTS[code], f"{code}: the return changed; its digest is now {digest}"
