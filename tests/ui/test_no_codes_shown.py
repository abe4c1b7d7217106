"""What the database stores as codes (male, active, probationary...) never reaches a person.

Every page of the window on a demo branch, a member's record and the roster and record
workbooks are read as a secretary would see them: all labels and every table cell.
"""

from __future__ import annotations

import re

import openpyxl
import pytest
from demo_cache import write_demo_branch
from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLabel, QWidget

from branchdesk.domain.members import Category, Gender, MemberStatus, Role
from branchdesk.store.db import DB_FILENAME, open_database

CODES = sorted(
    {member.value for enum in (Gender, Category, MemberStatus, Role) for member in enum}, key=len
)
CODE_WORD = re.compile(r"(?<![A-Za-z_])(" + "|".join(CODES) + r")(?![A-Za-z_])")


def _model_texts(model: QAbstractItemModel) -> list[str]:
    texts = []
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            value = model.index(row, column).data(Qt.ItemDataRole.DisplayRole)
            if value is not None:
                texts.append(str(value))
    return texts


def _shown_texts(widget: QWidget) -> list[str]:
    texts = [label.text() for label in widget.findChildren(QLabel)]
    for view in widget.findChildren(QAbstractItemView):
        if view.model() is not None:
            texts += _model_texts(view.model())
    return texts


def _codes_in(texts: list[str]) -> list[str]:
    return [text for text in texts if CODE_WORD.search(text)]


@pytest.fixture
def context(tmp_path):
    from branchdesk.ui.context import AppContext

    data_dir = tmp_path / "data"
    write_demo_branch(data_dir, members=24, seed=5)
    db = open_database(data_dir / DB_FILENAME)
    yield AppContext(db=db, data_dir=data_dir)
    db.close()


def test_no_page_shows_a_stored_code(qtbot, context):
    from branchdesk.app import build_main_window

    window = build_main_window(context)
    qtbot.addWidget(window)
    window.show()
    shown: list[str] = []
    for title in ["工作台", "党员", "会议", "活动", "党费", "报表", "设置"]:
        page = window.show_page(title)
        QApplication.processEvents()
        shown += _shown_texts(page)
    assert len(shown) > 200  # the pages were really read
    assert _codes_in(shown) == []


def test_a_members_record_and_the_workbooks_show_no_code(qtbot, context, tmp_path):
    from branchdesk.reports.member_record_xlsx import export_member_record
    from branchdesk.reports.roster_export import export_roster
    from branchdesk.ui.pages.member_record_view import MemberRecordDialog

    member = context.members.list()[0]
    view = MemberRecordDialog(context, member.id, year=2026)
    qtbot.addWidget(view)
    assert _codes_in(_shown_texts(view)) == []
    for path in (tmp_path / "档案.xlsx", tmp_path / "花名册.xlsx"):
        if path.name == "档案.xlsx":
            export_member_record(context.db, member.id, 2026, path)
        else:
            export_roster(context.db, path, full=False, include_left=True)
        cells = [
            str(cell)
            for sheet in openpyxl.load_workbook(path).worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        ]
        assert cells and _codes_in(cells) == [], path.name
