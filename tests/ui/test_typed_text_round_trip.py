"""Text is stored as typed: full-width brackets, 〇, emoji with joiners and 𠮷 come back
identically from the database, the printed PDF and the Excel exports."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics, QInputMethodEvent
from PySide6.QtWidgets import QApplication

from branchdesk.demo import demo_members
from branchdesk.domain.requirements import Period, Unit
from branchdesk.printing.pdf import write_pdf
from branchdesk.printing.pdf_text import read_pdf
from branchdesk.printing.record import RecordDocument, record_for_meeting
from branchdesk.printing.signin import SigninDocument, signin_for_meeting
from branchdesk.reports.return_figures import compute_return
from branchdesk.reports.return_workbook import write_return
from branchdesk.reports.roster_export import export_roster
from branchdesk.store.activities import ActivityRepo
from branchdesk.store.meetings import MeetingRepo
from branchdesk.ui import msgbox
from branchdesk.ui.context import AppContext
from branchdesk.ui.dialogs.groups_dialog import GroupsDialog
from branchdesk.ui.editors.activity_editor import ActivityEditor
from branchdesk.ui.editors.meeting_editor import MeetingEditor
from branchdesk.ui.editors.member_dialog import MemberDialog

TODAY = dt.date.today()
# What official Chinese text and people's names really hold: full-width brackets, the
# numeral 〇, an emoji made of three joined by zero-width joiners, and 𠮷 (outside the BMP).
SPECIAL = "（第四季度）〇👨‍👩‍👧𠮷"
TYPED = {
    "group": "第三党小组（西区）〇",
    "member_name": "王𠮷〇",
    "workplace": f"幸福里社区居委会{SPECIAL}",
    "notes": f"备注{SPECIAL}",
    "meeting_title": f"支部党员大会{SPECIAL}",
    "meeting_place": f"党群服务中心（二楼）{SPECIAL}",
    "minutes": f"会议记录第一段{SPECIAL}\n第二段（完）",
    "activity_title": f"志愿服务{SPECIAL}",
    "activity_place": f"社区广场（东）{SPECIAL}",
    "activity_description": f"清扫{SPECIAL}",
}


@pytest.fixture(autouse=True)
def _quiet(monkeypatch):
    monkeypatch.setattr(msgbox, "confirm", lambda *a, **k: True)
    for name in ("information", "warning", "error"):
        monkeypatch.setattr(msgbox, name, lambda *a, _n=name: pytest.fail(f"{_n}{a}"))


@pytest.fixture
def context(db, data_dir) -> AppContext:
    context = AppContext(db=db, data_dir=data_dir)
    group = context.groups.create("第一党小组")
    for index, member in enumerate(demo_members(6, seed=9, today=TODAY)):
        member.group_id = group.id
        member.sort_order = index + 1
        context.members.add(member)
    return context


def commit(widget, text: str) -> None:
    """Type ``text`` as an input method commits it (a word, an emoji, at once)."""
    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def _shown(qtbot, widget):
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def drawable(text: str) -> str:
    """The part of ``text`` some installed font can draw (the PDF can carry only that).

    Office PCs have fonts for 𠮷 and emoji (SimSun-ExtB, Segoe UI Emoji); a bare test
    machine may not, and a glyph no font has cannot be read back from any PDF.
    """
    metrics = [QFontMetrics(QFont(family)) for family in QFontDatabase.families()]
    kept = []
    for char in text:
        if char in "\u200d\n" or any(m.inFontUcs4(ord(char)) for m in metrics):
            kept.append(char)
        else:
            break
    return "".join(kept).rstrip("\u200d")


def test_typed_text_round_trips_through_db_pdf_and_excel(qtbot, context, tmp_path):
    # 党小组: typed in the groups dialog.
    groups = _shown(qtbot, GroupsDialog(None, context))
    commit(groups.new_edit, TYPED["group"])
    groups.create_group()
    group = next(g for g in context.groups.list() if g.name == TYPED["group"])

    # 党员: name, workplace and notes typed in the member form.
    member_form = _shown(qtbot, MemberDialog(None, context, None))
    commit(member_form.name_edit, TYPED["member_name"])
    member_form.name_edit.editingFinished.emit()
    commit(member_form.workplace_edit, TYPED["workplace"])
    commit(member_form.notes_edit, TYPED["notes"])
    member_form.group_combo.setCurrentIndex(member_form.group_combo.findData(group.id))
    assert member_form.save() is True
    member = next(m for m in context.members.list() if m.workplace == TYPED["workplace"])
    assert (member.name, member.notes, member.group_name) == (
        TYPED["member_name"],
        TYPED["notes"],
        TYPED["group"],
    )

    # 会议: title, place and minutes typed in the meeting editor.
    editor = _shown(qtbot, MeetingEditor(None, context, None))
    commit(editor.title_edit, TYPED["meeting_title"])
    editor.place_combo.setEditText("")
    commit(editor.place_combo.lineEdit(), TYPED["meeting_place"])
    commit(editor.minutes_edit, TYPED["minutes"].split("\n")[0])
    editor.minutes_edit.appendPlainText(TYPED["minutes"].split("\n")[1])
    assert editor.save() is True
    meeting = MeetingRepo(context.db).get(editor.saved_meeting.id)
    assert (meeting.title, meeting.place, meeting.minutes) == (
        TYPED["meeting_title"],
        TYPED["meeting_place"],
        TYPED["minutes"],
    )

    # 活动: title, place and content typed in the activity editor.
    activity_editor = _shown(qtbot, ActivityEditor(None, context, None, today=TODAY))
    commit(activity_editor.title_edit, TYPED["activity_title"])
    commit(activity_editor.place_edit, TYPED["activity_place"])
    commit(activity_editor.description_edit, TYPED["activity_description"])
    activity_editor.participants.set_checked([0], True)
    assert activity_editor.save() is True
    activity = ActivityRepo(context.db).get(activity_editor.saved_activity.id)
    assert (activity.title, activity.place, activity.description) == (
        TYPED["activity_title"],
        TYPED["activity_place"],
        TYPED["activity_description"],
    )

    # The PDF: the meeting record and the sign-in sheet.
    record_pdf = tmp_path / "record.pdf"
    write_pdf(RecordDocument(record_for_meeting(context.db, meeting.id)), record_pdf)
    record_text = read_pdf(record_pdf.read_bytes()).text
    for key in ("meeting_title", "meeting_place"):
        assert drawable(TYPED[key]) in record_text, key
    assert "（第四季度）〇" in record_text and "(第四季度)" not in record_text
    signin_pdf = tmp_path / "signin.pdf"
    write_pdf(SigninDocument(signin_for_meeting(context.db, meeting.id)), signin_pdf)
    assert drawable(TYPED["member_name"]) in read_pdf(signin_pdf.read_bytes()).text

    # Excel: the roster export and the month's return read back exactly as typed.
    roster = export_roster(context.db, tmp_path / "花名册.xlsx").path
    values = {c.value for r in openpyxl.load_workbook(roster).active.iter_rows() for c in r}
    for key in ("member_name", "workplace", "notes", "group"):
        assert TYPED[key] in values, key
    ret = compute_return(context.db, Period.containing(Unit.MONTH, TODAY))
    book = openpyxl.load_workbook(write_return(ret, tmp_path / "月报.xlsx"))
    cells = {c.value for ws in book.worksheets for r in ws.iter_rows() for c in r}
    for key in ("meeting_title", "activity_title", "activity_place"):
        assert TYPED[key] in cells, key
