"""Adding a meeting kind is one spec in domain/: the editor, 应到, the return and the 签到表
all follow it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtCore import QPoint

from branchdesk.demo import demo_members
from branchdesk.domain.meeting_kinds import Audience, MeetingKindSpec, registered
from branchdesk.domain.meetings import Meeting, MeetingKind, build_attendance, expected_members
from branchdesk.domain.members import Role
from branchdesk.domain.requirements import Period, Status, Unit, default_requirements
from branchdesk.printing.pdf import write_pdf
from branchdesk.printing.signin import SigninDocument, blank_signin, signin_for_meeting
from branchdesk.reports.return_figures import compute_return
from branchdesk.reports.return_workbook import write_return
from branchdesk.store.home_queries import HomeQueries
from branchdesk.store.meetings import MeetingRepo
from branchdesk.store.requirements import RequirementRepo
from branchdesk.ui import msgbox
from branchdesk.ui.charts import YearChart
from branchdesk.ui.context import AppContext
from branchdesk.ui.editors.meeting_editor import MeetingEditor

TODAY = dt.date.today()
CODE = "study_session"


@pytest.fixture
def study_session() -> Iterator[MeetingKind]:
    """A kind that exists for this test only: the committee's 集中学习会, monthly."""
    spec = MeetingKindSpec(
        CODE, "支委集中学习会", "集中学习", order=8, colour="#336699", chart_order=8,
        primary_order=8, audience=Audience.COMMITTEE, default_unit="month",
    )  # fmt: skip
    with registered(spec) as kind:
        yield kind
    assert CODE not in MeetingKind
    with pytest.raises(ValueError):
        MeetingKind(CODE)


@pytest.fixture
def context(db, data_dir, monkeypatch) -> AppContext:
    """30 members; three of them hold committee roles."""
    monkeypatch.setattr(msgbox, "confirm", lambda *a, **k: True)
    context = AppContext(db=db, data_dir=data_dir)
    group = context.groups.create("第一党小组")
    roles = [Role.SECRETARY, Role.ORGANISATION, Role.PROPAGANDA]
    for index, member in enumerate(demo_members(30, seed=5, today=TODAY)):
        member.group_id = group.id
        member.sort_order = index + 1
        member.roles = [roles[index]] if index < len(roles) else []
        context.members.add(member)
    return context


def test_a_registered_kind_reaches_editor_attendance_return_and_signin(
    qapp, qtbot, study_session, context, tmp_path
):
    members = context.members.list()
    committee = sorted(m.name for m in members if m.roles)

    # The editor offers it, and choosing it expects the committee.
    editor = MeetingEditor(None, context, None)
    qtbot.addWidget(editor)
    combo = editor.kind_combo
    assert "支委集中学习会" in [combo.itemText(i) for i in range(combo.count())]
    assert study_session in editor.also_boxes
    combo.setCurrentIndex(combo.findData(CODE))
    assert sorted(row.name for row in editor.attendance.rows()) == committee

    # The expected-attendee rule, as everything else computes it.
    held_on = Period.containing(Unit.MONTH, TODAY).previous().start
    expected = expected_members(members, [study_session], held_on)
    assert sorted(m.name for m in expected) == committee

    # Its migration would seed its requirement: the defaults now carry it.
    assert any(r.kind is study_session for r in default_requirements())
    RequirementRepo(context.db).reset()
    meeting_id = MeetingRepo(context.db).add(
        Meeting([study_session], held_on, attendance=build_attendance(expected))
    )

    # The return assesses it and the workbook shows it.
    period = Period.containing(Unit.MONTH, held_on)
    ret = compute_return(context.db, period, today=TODAY)
    line = next(a for a in ret.assessments if a.kind is study_session)
    assert (line.label, line.required, line.held, line.status) == (
        "支委集中学习会",
        1,
        1,
        Status.MET,
    )
    path = write_return(ret, tmp_path / "return.xlsx")
    texts = {
        str(cell.value)
        for sheet in load_workbook(path).worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    }
    assert any("支委集中学习会" in text for text in texts)

    # The sign-in sheet is titled with it, for the meeting and blank.
    sheet = signin_for_meeting(context.db, meeting_id)
    assert "支委集中学习会 签到表" in sheet.heading
    assert sorted(row.name for row in sheet.rows) == committee
    blank = blank_signin(context.db, study_session)
    assert blank.heading.endswith("支委集中学习会 签到表")
    pdf = tmp_path / "signin.pdf"
    write_pdf(SigninDocument(sheet), pdf)
    assert "支委集中学习会" in PdfReader(str(pdf)).pages[0].extract_text()

    # The home page's chart stacks it in its own colour, under its legend name.
    chart = YearChart()
    qtbot.addWidget(chart)
    chart.resize(800, 280)
    chart.show()
    chart.set_months(HomeQueries(context.db).overview(TODAY).months)
    layout = chart.layout_now()
    assert "集中学习" in [item.name for item in layout.legend_items]
    (segment,) = [s for c in chart.model.columns for s in c.segments if s.kind is study_session]
    box = layout.geometry.bar_box(segment)
    pixmap = chart.grab()
    ratio = pixmap.devicePixelRatio()
    centre = QPoint(int((box.x + box.width / 2) * ratio), int((box.y + box.height / 2) * ratio))
    assert pixmap.toImage().pixelColor(centre).name() == "#336699"
    assert "集中学习 1 次" in chart.accessibleDescription()
