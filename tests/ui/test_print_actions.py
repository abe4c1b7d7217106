"""Print preview, PDF saving and the blank sign-in dialog, driven without modal loops."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from demo_cache import write_demo_branch
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewWidget
from PySide6.QtWidgets import QPushButton

from branchdesk.domain.meetings import MeetingKind, MeetingStatus
from branchdesk.printing.record import RecordDocument, record_for_meeting
from branchdesk.store.db import DB_FILENAME, open_database
from branchdesk.store.meetings import MeetingFilter, MeetingRepo
from branchdesk.ui import file_dialogs, msgbox, print_actions
from branchdesk.ui.context import AppContext
from branchdesk.ui.print_actions import BlankSigninDialog, default_pdf_name
from screenshots import screenshot_file


@pytest.fixture
def context(data_dir):
    write_demo_branch(data_dir, members=45, seed=4, today=dt.date(2026, 11, 1))
    db = open_database(data_dir / DB_FILENAME)
    yield AppContext(db=db, data_dir=data_dir)
    db.close()


@pytest.fixture
def planned_id(context) -> int:
    return MeetingRepo(context.db).summaries(MeetingFilter(status=MeetingStatus.PLANNED))[0].id


@pytest.fixture
def shown(monkeypatch):
    """Preview dialogs that would have been shown, without running their modal loop."""
    dialogs = []
    monkeypatch.setattr(print_actions, "run_preview", dialogs.append)
    return dialogs


def preview_pages(dialog) -> int:
    widget = dialog.findChild(QPrintPreviewWidget)
    widget.updatePreview()  # emits paintRequested, as showing the dialog does
    return widget.pageCount()


def test_signin_preview_shows_the_pages_of_the_pdf(
    qapp, qtbot, context, planned_id, shown, tmp_path
):
    print_actions.preview_signin(None, context, planned_id)
    (dialog,) = shown
    qtbot.addWidget(dialog)
    assert "签到表" in dialog.windowTitle()
    from branchdesk.printing.pdf import write_pdf
    from branchdesk.printing.signin import SigninDocument, signin_for_meeting

    pdf_pages = write_pdf(
        SigninDocument(signin_for_meeting(context.db, planned_id)), tmp_path / "s.pdf"
    )
    assert preview_pages(dialog) == pdf_pages == 2  # 45 expected: two a row, by default


def test_signin_preview_chooses_the_layout_and_leave_notes(
    qapp, qtbot, context, planned_id, shown
):
    print_actions.preview_signin(None, context, planned_id)
    (dialog,) = shown
    qtbot.addWidget(dialog)
    options = dialog.findChild(print_actions.SigninOptions)
    assert options is not None
    dialog.show()
    assert options.isVisible()
    assert [options.layout_combo.itemText(i) for i in range(3)] == [
        "自动",
        "每行一人",
        "每行两人（紧凑）",
    ]
    assert not options.leave_box.isChecked()  # off by default
    compact = preview_pages(dialog)
    options.layout_combo.setCurrentIndex(1)  # 每行一人
    assert dialog._document.sheet.pairs == 1
    assert preview_pages(dialog) == 3 > compact
    options.leave_box.setChecked(True)
    assert dialog._document.sheet.pairs == 1
    assert options.sheet().rows == dialog._document.sheet.rows
    dialog.grab().save(str(screenshot_file("signin_preview_options.png")))


def test_record_preview_for_a_meeting_being_edited(qapp, qtbot, context, planned_id, shown):
    meeting = MeetingRepo(context.db).get(planned_id)
    meeting.minutes = "\n".join(["会议传达学习了上级党委的文件精神，与会党员逐一发言。" * 8] * 40)
    print_actions.preview_record(None, context, meeting)
    (dialog,) = shown
    qtbot.addWidget(dialog)
    assert preview_pages(dialog) > 2


def test_missing_meeting_warns_instead_of_previewing(qapp, context, shown, monkeypatch):
    warned = []
    monkeypatch.setattr(msgbox, "warning", lambda parent, title, text: warned.append(text))
    print_actions.preview_signin(None, context, 99999)
    assert shown == [] and "不存在" in warned[0]


def test_save_signin_pdf_asks_for_a_path_and_offers_the_folder(
    qapp, context, planned_id, tmp_path, monkeypatch
):
    asked = {}

    def choose_paths(parent, caption, start, filters, mode):
        asked["start"] = start
        return [str(tmp_path / "签到")]

    opened = []
    monkeypatch.setattr(file_dialogs, "choose_paths", choose_paths)
    monkeypatch.setattr(msgbox, "done", lambda *args, **kwargs: True)
    monkeypatch.setattr(print_actions, "open_folder", opened.append)
    path = print_actions.save_signin_pdf(None, context, planned_id)
    meeting = MeetingRepo(context.db).get(planned_id)
    assert Path(asked["start"]).name == f"主题党日签到表_{meeting.day.isoformat()}.pdf"
    assert path == tmp_path / "签到.pdf"
    assert len(PdfReader(str(path)).pages) == 2  # 45 expected: two a row
    assert opened == [tmp_path]


def test_cancelled_save_writes_nothing(qapp, context, planned_id, tmp_path, monkeypatch):
    monkeypatch.setattr(file_dialogs, "choose_paths", lambda *a: [])
    assert print_actions.save_record_pdf(None, context, planned_id) is None
    assert list(tmp_path.glob("*.pdf")) == []


def test_blank_dialog_needs_a_group_for_a_group_meeting(qapp, qtbot, context):
    dialog = BlankSigninDialog(context)
    qtbot.addWidget(dialog)
    assert dialog.kind() is MeetingKind.THEME_DAY
    assert dialog.count_label.text() == f"{len(context.members.list(include_left=False))} 人"
    dialog.kind_combo.setCurrentIndex(list(MeetingKind).index(MeetingKind.GROUP))
    assert not dialog.preview_button.isEnabled()
    assert "请选择党小组" in dialog.problem_label.text()
    dialog.group_combo.setCurrentIndex(1)
    assert dialog.preview_button.isEnabled()
    dialog.pdf_button.click()
    choice = dialog.choice()
    assert choice.kind is MeetingKind.GROUP and choice.group_id is not None
    assert choice.action == "pdf"


def test_blank_dialog_choice_is_carried_out(qapp, qtbot, context, shown, monkeypatch):
    monkeypatch.setattr(
        BlankSigninDialog, "exec", lambda self: BlankSigninDialog.DialogCode.Accepted
    )
    choice = BlankSigninDialog.ask(None, context)
    assert choice is not None and choice.action == "preview"
    (dialog,) = shown
    qtbot.addWidget(dialog)
    assert preview_pages(dialog) >= 2


def test_default_names_are_safe_file_names():
    assert (
        default_pdf_name("主题党日签到表", dt.date(2026, 11, 10)) == "主题党日签到表_2026-11-10.pdf"
    )
    assert default_pdf_name("a/b:c 会议记录", None) == "abc会议记录.pdf"


# -- long records: progress and 取消 -------------------------------------------------------------

SCREENSHOT = screenshot_file("print_progress.png")


@pytest.fixture
def long_meeting(context, planned_id):
    meeting = MeetingRepo(context.db).get(planned_id)
    meeting.minutes = "\n".join(
        f"第{n}段。会议传达学习了上级党委的文件精神，与会党员逐一发言，表示要带头落实。" * 3
        for n in range(1, 301)
    )
    return meeting


@pytest.fixture
def progress_seen(qtbot, monkeypatch):
    """Each progress report as the person printing sees it; 取消 is clicked on page 3."""
    monkeypatch.setattr(print_actions, "PROGRESS_DELAY_MS", 0)  # shown at once
    seen: list[dict] = []
    make = print_actions.make_progress

    def watched(parent, title, what):
        progress = make(parent, title, what)
        report = progress.report

        def spy(done: int, total: int) -> bool:
            going = report(done, total)
            dialog = progress.dialog
            seen.append(
                dict(done=done, total=total, visible=dialog.isVisible(), label=dialog.labelText())
            )
            if done == 2:
                button = dialog.findChild(QPushButton)
                assert button.text() == "取消"
                SCREENSHOT.parent.mkdir(exist_ok=True)
                assert dialog.grab().save(str(SCREENSHOT))
                qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
            return going

        progress.report = spy
        seen.append(dict(dialog=progress.dialog, title=title))
        return progress

    monkeypatch.setattr(print_actions, "make_progress", watched)
    return seen


def test_saving_a_long_record_shows_progress_and_cancel_writes_nothing(
    qapp, context, long_meeting, progress_seen, tmp_path, monkeypatch
):
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "会议记录.pdf"
    monkeypatch.setattr(file_dialogs, "choose_paths", lambda *a: [str(target)])
    monkeypatch.setattr(msgbox, "done", lambda *a, **k: pytest.fail("a cancelled PDF offered"))
    monkeypatch.setattr(msgbox, "error", lambda *a: pytest.fail(f"error shown: {a}"))
    assert print_actions.save_record_pdf(None, context, long_meeting) is None
    opened, *reports = progress_seen
    assert opened["title"] == "保存为 PDF"
    total = reports[0]["total"]
    assert total > 10
    assert [r["done"] for r in reports] == [0, 1, 2, 3]  # stopped at the page after 取消
    assert all(r["visible"] for r in reports[1:3])
    assert reports[2]["label"] == f"正在生成“会议记录.pdf”\n第 3 页，共 {total} 页"
    assert not opened["dialog"].isVisible()
    assert list(target.parent.iterdir()) == []  # no PDF, no partial file


def test_the_preview_of_a_long_record_shows_progress_and_cancel_closes_it(
    qapp, qtbot, context, long_meeting, progress_seen, monkeypatch
):
    monkeypatch.setattr(msgbox, "error", lambda *a: pytest.fail(f"error shown: {a}"))
    closed: list[bool] = []

    def run(preview) -> None:  # as exec() does: showing the preview draws its pages
        preview.rejected.connect(lambda: closed.append(True))
        preview_pages(preview)
        qtbot.waitUntil(lambda: closed == [True])

    monkeypatch.setattr(print_actions, "run_preview", run)
    print_actions.preview_record(None, context, long_meeting)
    opened, *reports = progress_seen
    assert opened["title"] == "打印预览"
    assert [r["done"] for r in reports] == [0, 1, 2, 3]
    assert reports[1]["visible"] and "共" in reports[1]["label"]
    assert closed == [True]


def test_printing_from_the_preview_can_be_cancelled_too(
    qapp, qtbot, context, long_meeting, progress_seen, tmp_path, monkeypatch
):
    """Without a printer the preview prints to a PDF file: cancelled, none is left."""
    monkeypatch.setattr(msgbox, "error", lambda *a: pytest.fail(f"error shown: {a}"))
    document = RecordDocument(record_for_meeting(context.db, long_meeting))
    preview = print_actions.make_preview_dialog(None, document)
    qtbot.addWidget(preview)
    printer = preview._printer
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "打印.pdf"))
    with qtbot.waitSignal(preview.rejected):
        preview.findChild(QPrintPreviewWidget).print()  # what its 打印 button does
    opened, *reports = progress_seen
    assert opened["title"] == "打印"
    assert [r["done"] for r in reports] == [0, 1, 2, 3]
    assert not (tmp_path / "打印.pdf").exists()
