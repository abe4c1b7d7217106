"""A member's record (党员档案) agrees, number for number, with the stored meetings and activities."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
from demo_cache import write_demo_branch
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QPdfWriter
from PySide6.QtPrintSupport import QPrintPreviewDialog

from branchdesk.domain.activities import Activity, Participation
from branchdesk.domain.meetings import AttendanceStatus, MeetingStatus
from branchdesk.ops import Changes
from branchdesk.reports.roster_export import mask_id_number
from branchdesk.store.activities import ActivityRepo
from branchdesk.store.db import DB_FILENAME, open_database
from branchdesk.store.meetings import MeetingRepo
from branchdesk.ui import file_dialogs, msgbox
from branchdesk.ui.context import AppContext
from branchdesk.ui.ops import announce
from branchdesk.ui.pages.member_record_view import (
    ActivityLinesModel,
    MeetingColumn,
    MeetingLinesModel,
    MemberRecordDialog,
    a4_portrait,
)
from screenshots import screenshot_file

TODAY = dt.date(2025, 6, 18)
SCREENSHOT = screenshot_file("member_record.png")


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    write_demo_branch(folder, members=24, seed=3, today=TODAY)
    return folder


@pytest.fixture
def context(demo_folder, tmp_path):
    """A private copy of the demo branch, so tests that write do not disturb the others."""
    target = tmp_path / "branch"
    target.mkdir()
    source = open_database(demo_folder / DB_FILENAME)
    copy = source.conn.execute("VACUUM INTO ?", [str(target / DB_FILENAME)])
    copy.close()
    source.close()
    db = open_database(target / DB_FILENAME)
    yield AppContext(db=db, data_dir=target)
    db.close()


@dataclass
class Expected:
    """A member's year, computed from whole meetings and activities as stored."""

    meetings: list[tuple[dt.date, str]] = field(default_factory=list)  # (day, status label)
    leave: int = 0
    absent: int = 0
    present: int = 0
    made_up: int = 0
    activities: list[tuple[dt.date, float]] = field(default_factory=list)

    @property
    def expected(self) -> int:
        return len(self.meetings)

    @property
    def hours(self) -> float:
        return round(sum(h for _d, h in self.activities), 2)

    def totals_line(self) -> str:
        rate = f"{self.present / self.expected * 100:.1f}%" if self.expected else "—"
        return (
            f"应参加 {self.expected} 次，实参加 {self.present} 次，请假 {self.leave} 次，"
            f"缺席 {self.absent} 次，参与率 {rate}，补学 {self.made_up} 次，"
            f"活动 {len(self.activities)} 次，服务 {self.hours:g} 小时"
        )


def compute(context: AppContext, member_id: int, year: int) -> Expected:
    result = Expected()
    meetings = MeetingRepo(context.db)
    for summary in sorted(meetings.summaries(), key=lambda s: (s.day, s.start or dt.time(), s.id)):
        if summary.status is not MeetingStatus.HELD or summary.day.year != year:
            continue
        meeting = meetings.get(summary.id)
        row = next((a for a in meeting.attendance if a.member_id == member_id), None)
        if row is None:
            continue
        result.meetings.append((meeting.day, row.status.label))
        if row.status is AttendanceStatus.PRESENT:
            result.present += 1
        else:
            result.leave += row.status is AttendanceStatus.LEAVE
            result.absent += row.status is AttendanceStatus.ABSENT
            result.made_up += bool(row.makeup)
    activities = ActivityRepo(context.db)
    for summary in sorted(activities.summaries(), key=lambda s: (s.day, s.id)):
        if summary.day.year != year:
            continue
        activity = activities.get(summary.id)
        for person in activity.participants:
            if person.member_id == member_id:
                result.activities.append((activity.day, person.hours))
    return result


def _dialog(qtbot, context, member_id: int, year: int | None = None) -> MemberRecordDialog:
    dialog = MemberRecordDialog(context, member_id, year=year, today=TODAY)
    qtbot.addWidget(dialog)
    return dialog


def _interesting_members(context: AppContext) -> list[int]:
    """Members with leave, absences or make-up study somewhere, plus the first few."""
    ids = [m.id for m in context.members.list(include_left=True)]
    picked = ids[:3]
    meetings = MeetingRepo(context.db)
    for member_id in ids[3:]:
        rows = [a for _m, a in meetings.attendance_of(member_id)]
        if any(a.status is AttendanceStatus.ABSENT for a in rows) or any(a.makeup for a in rows):
            picked.append(member_id)
        if len(picked) >= 7:
            break
    return picked


def test_figures_agree_with_the_stored_meetings_and_activities(qtbot, context) -> None:
    members = _interesting_members(context)
    seen_absent = seen_makeup = False
    for member_id in members:
        dialog = _dialog(qtbot, context, member_id)
        for year in (TODAY.year, TODAY.year - 1, TODAY.year - 2):
            dialog.set_year(year)
            want = compute(context, member_id, year)
            assert dialog.totals_text() == want.totals_line(), (member_id, year)
            tiles = {label: tile.value_label.text() for label, tile in dialog.tiles.items()}
            assert tiles["应参加"] == str(want.expected)
            assert tiles["实参加"] == str(want.present)
            assert tiles["请假"] == str(want.leave)
            assert tiles["缺席"] == str(want.absent)
            assert tiles["补学"] == str(want.made_up)
            assert tiles["活动"] == str(len(want.activities))
            assert tiles["服务时长"] == f"{want.hours:g} 小时"
            shown = [
                (
                    dialog.meeting_model.index(r, 0).data(Qt.ItemDataRole.UserRole + 1).day,
                    dialog.meeting_model.index(r, MeetingColumn.STATUS).data(),
                )
                for r in range(dialog.meeting_model.rowCount())
            ]
            assert shown == want.meetings
            lines = [
                dialog.activity_model.index(r, 0).data(Qt.ItemDataRole.UserRole + 1)
                for r in range(dialog.activity_model.rowCount())
            ]
            assert [(line.day, line.hours) for line in lines] == want.activities
            assert dialog.meetings_heading.text() == f"应参加的会议（{want.expected} 次）"
            seen_absent = seen_absent or want.absent > 0
            seen_makeup = seen_makeup or want.made_up > 0
        dialog.close()
    assert seen_absent and seen_makeup, "the check covered absences and make-up study"


def test_figures_agree_with_the_cli_json(qtbot, context, capsys) -> None:
    """The same figures, read the way another program would: through the CLI's JSON."""
    import json

    from branchdesk.cli import main

    year = TODAY.year - 1
    span = ["--from", f"{year}-01-01", "--to", f"{year}-12-31", "--json"]
    folder = ["--data-dir", str(context.data_dir)]
    assert main([*folder, "meetings", "list", *span]) == 0
    meetings = [m for m in json.loads(capsys.readouterr().out) if m["status"] == "held"]
    assert main([*folder, "activities", "list", *span]) == 0
    activities = json.loads(capsys.readouterr().out)
    for member_id in _interesting_members(context)[-3:]:
        rows = [row for m in meetings for row in m["attendance"] if row["member_id"] == member_id]
        taken = [
            p["hours"] for a in activities for p in a["participants"] if p["member_id"] == member_id
        ]
        dialog = _dialog(qtbot, context, member_id, year)
        record = dialog.record
        assert record.expected == len(rows)
        assert record.present == sum(r["status"] == "present" for r in rows)
        assert record.leave == sum(r["status"] == "leave" for r in rows)
        assert record.absent == sum(r["status"] == "absent" for r in rows)
        assert record.made_up == sum(r["status"] != "present" and bool(r["makeup"]) for r in rows)
        assert record.activity_count == len(taken)
        assert record.hours == round(sum(taken), 2)


def test_header_shows_details_with_the_id_number_masked(qtbot, context) -> None:
    member = context.members.list()[0]
    dialog = _dialog(qtbot, context, member.id)
    assert dialog.name_label.text() == member.name
    masked = dialog.detail_values["身份证号"].text()
    assert masked == mask_id_number(member.id_number)
    assert masked[:6] == member.id_number[:6] and masked[-4:] == member.id_number[-4:]
    assert "********" in masked
    texts = [label.text() for label in dialog.findChildren(type(dialog.name_label))]
    assert member.id_number not in " ".join(texts)
    assert dialog.detail_values["联系电话"].text() == member.phone
    assert dialog.detail_values["党小组"].text() == member.group_name
    # Chinese as the secretary writes it, never the codes the database keeps
    assert dialog.detail_values["性别"].text() in ("男", "女")
    assert dialog.detail_values["党员类别"].text() in ("正式", "预备")
    assert dialog.detail_values["状态"].text() == "在册"
    assert dialog.windowTitle() == f"党员档案 - {member.name}"


def test_years_offered_and_changes_refresh_the_record(qtbot, context) -> None:
    member = context.members.list()[0]
    dialog = _dialog(qtbot, context, member.id)
    assert dialog.years()[0] == TODAY.year
    assert set(dialog.years()) >= {TODAY.year, TODAY.year - 1}
    before = dialog.record.activity_count
    ActivityRepo(context.db).add(
        Activity(
            kind="志愿服务",
            title="临时加的活动",
            day=TODAY,
            participants=[Participation(member.id, member.name, 2.5)],
        )
    )
    announce(context, Changes.of("activities"))
    assert dialog.record.activity_count == before + 1
    assert dialog.activity_model.rowCount() == before + 1

    dialog.set_year(2001)  # a year with nothing: zeros and a dash, no error
    assert 2001 in dialog.years()
    assert dialog.totals_text().startswith("应参加 0 次")
    assert dialog.tiles["参与率"].value_label.text() == "—"


def test_leave_and_absence_rows_stand_out(qtbot, context) -> None:
    member_id = _interesting_members(context)[-1]
    dialog = _dialog(qtbot, context, member_id, TODAY.year - 1)
    model = dialog.meeting_model
    colours = {}
    for row in range(model.rowCount()):
        status = model.index(row, MeetingColumn.STATUS).data()
        colours[status] = model.index(row, MeetingColumn.TITLE).data(Qt.ItemDataRole.BackgroundRole)
    assert colours.get("出席") is None
    assert any(colours.get(s) is not None for s in ("请假", "缺席"))


@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_open_for_shows_it_beside_the_caller(qtbot, context, monkeypatch) -> None:
    member = context.members.list()[1]
    dialog = MemberRecordDialog.open_for(None, context, member.id, year=TODAY.year - 1)
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert dialog.isVisible() and not dialog.isModal()
    assert dialog.current_year() == TODAY.year - 1
    dialog.close()

    warned: list[str] = []
    monkeypatch.setattr(msgbox, "warning", lambda _p, _t, text: warned.append(text))
    assert MemberRecordDialog.open_for(None, context, 99_999) is None
    assert warned == ["找不到这名党员，可能已被删除。"]


def test_print_renders_the_same_record_without_doubled_text(qtbot, context) -> None:
    member_id = _interesting_members(context)[-1]
    dialog = _dialog(qtbot, context, member_id, TODAY.year - 1)
    path = Path(context.data_dir) / "record.pdf"
    writer = QPdfWriter(str(path))
    writer.setPageLayout(a4_portrait())
    dialog.render_to(writer)
    del writer  # the PDF is finished when the writer goes
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    text = "".join(page.extract_text() for page in reader.pages)
    record = dialog.record
    assert record.member.name in text
    assert record.member.id_number not in text
    flat = "".join(text.split())
    assert "".join(dialog.totals_text().split()) in flat
    assert "党员参加组织生活和党员活动情况" in text
    assert "党党员员" not in text  # synthetic bold prints every glyph twice
    assert round(float(reader.pages[0].mediabox.width)) == 595


def test_print_button_opens_a_preview(qtbot, context, monkeypatch) -> None:
    opened: list[QPrintPreviewDialog] = []

    def fake_exec(self) -> int:
        opened.append(self)
        return 0

    monkeypatch.setattr(QPrintPreviewDialog, "exec", fake_exec)
    dialog = _dialog(qtbot, context, context.members.list()[0].id)
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert len(opened) == 1


def test_export_writes_the_same_numbers_in_the_background(
    qtbot, context, tmp_path, monkeypatch
) -> None:
    member_id = _interesting_members(context)[-1]
    dialog = _dialog(qtbot, context, member_id, TODAY.year - 1)
    target = tmp_path / "档案"
    monkeypatch.setattr(file_dialogs, "choose_paths", lambda *a, **k: [str(target)])
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.last_export is not None, timeout=10_000)
    path = target.with_name("档案.xlsx")
    assert dialog.last_export.path == path
    assert dialog.export_note.text() == f"已导出：{path}"
    assert dialog.export_button.isEnabled()
    sheet = openpyxl.load_workbook(path).active
    values = [v for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    record = dialog.record
    assert record.member.name in values
    assert mask_id_number(record.member.id_number) in values
    assert record.member.id_number not in values
    assert values[values.index("应参加（次）") + 1] == record.expected
    assert values[values.index("缺席（次）") + 1] == record.absent


def test_export_failure_is_explained(qtbot, context, tmp_path, monkeypatch) -> None:
    errors: list[str] = []
    monkeypatch.setattr(msgbox, "error", lambda _p, _t, text: errors.append(text))
    dialog = _dialog(qtbot, context, context.members.list()[0].id)
    op = dialog.export_to(tmp_path / "no-such-folder" / "x.xlsx")
    assert op is not None
    qtbot.waitUntil(lambda: bool(errors), timeout=10_000)
    assert "不存在" in errors[0]
    qtbot.waitUntil(dialog.export_button.isEnabled, timeout=2_000)


def test_models_pass_qtmodeltester(qtmodeltester, context) -> None:
    from branchdesk.store.member_record import MemberRecordRepo

    member_id = _interesting_members(context)[-1]
    record = MemberRecordRepo(context.db).year(member_id, TODAY.year - 1)
    meetings, activities = MeetingLinesModel(), ActivityLinesModel()
    meetings.set_rows(record.meetings)
    activities.set_rows(record.activities)
    qtmodeltester.check(meetings)
    qtmodeltester.check(activities)


def test_screenshot_with_the_demo_branch(qtbot, tmp_path) -> None:
    from branchdesk.store.member_record import MemberRecordRepo

    folder = tmp_path / "demo"
    write_demo_branch(folder)
    db = open_database(folder / DB_FILENAME)
    try:
        context = AppContext(db=db, data_dir=folder)
        year = dt.date.today().year
        repo = MemberRecordRepo(db)
        # Someone whose year shows leave and make-up study, as a secretary would look them up.
        member_id = next(
            (
                m.id
                for m in context.members.list()
                if repo.year(m.id, year).leave and repo.year(m.id, year).made_up
            ),
            context.members.list()[0].id,
        )
        dialog = MemberRecordDialog(context, member_id)
        qtbot.addWidget(dialog)
        dialog.resize(1180, 760)
        dialog.show()
        qtbot.waitExposed(dialog)
        SCREENSHOT.parent.mkdir(exist_ok=True)
        assert dialog.grab().save(str(SCREENSHOT))
    finally:
        db.close()
