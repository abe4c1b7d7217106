"""Printing from the GUI: preview, print and save as PDF for sign-in sheets and records.

Pages call these functions; they load what to print, show Qt's print preview (from which
people print) or ask where to save the PDF. Rendering itself lives in ``printing``.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QPaintEngine
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog, QPrintPreviewWidget
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QProgressBar,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from branchdesk.domain.meeting_kinds import DEFAULT_KIND
from branchdesk.domain.meetings import Meeting, MeetingKind, expected_members
from branchdesk.printing.paged import (
    PagedDocument,
    PrintCancelled,
    PrintError,
    a4_layout,
    render,
)
from branchdesk.printing.pdf import write_pdf
from branchdesk.printing.record import RecordDocument, record_for_meeting
from branchdesk.printing.signin import (
    SigninDocument,
    SigninSheet,
    blank_signin,
    signin_for_meeting,
)
from branchdesk.ui import file_dialogs, msgbox, theme
from branchdesk.ui.context import AppContext
from branchdesk.ui.screen_fit import fill_screen, fit_window

log = logging.getLogger(__name__)

_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


# -- progress ------------------------------------------------------------------------------------

PROGRESS_DELAY_MS = 500  # printing that is done sooner shows no progress at all


class PrintProgress:
    """A progress dialog with 取消 while pages are drawn; ``report`` is render's ``progress``.

    Pages are drawn on the UI thread (the print preview asks for them there), so the dialog
    is modal and lets events through each time it is told of a page: that is when 取消 is
    heard. Printing that takes less than ``PROGRESS_DELAY_MS`` never shows it.
    """

    def __init__(self, parent: QWidget | None, title: str, what: str) -> None:
        self.what = what
        self.dialog = QProgressDialog(parent)
        self.dialog.setWindowTitle(title)
        self.dialog.setLabelText(f"正在排版{what}…")
        self.dialog.setCancelButtonText("取消")
        self.dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.dialog.setMinimumDuration(PROGRESS_DELAY_MS)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.setMinimumWidth(420)
        bar = QProgressBar()
        bar.setFormat("已完成 %v / %m 页")
        self.dialog.setBar(bar)
        self.dialog.setRange(0, 0)
        fit_window(self.dialog)

    def report(self, done: int, total: int) -> bool:
        """Show ``done`` of ``total`` pages; False once 取消 was pressed."""
        if self.dialog.maximum() != total:
            self.dialog.setRange(0, total)
        if done < total:
            self.dialog.setLabelText(f"正在生成{self.what}\n第 {done + 1} 页，共 {total} 页")
        else:
            self.dialog.setLabelText(f"正在完成{self.what}\n共 {total} 页")
        self.dialog.setValue(done)
        return not self.dialog.wasCanceled()

    def close(self) -> None:
        self.dialog.hide()
        self.dialog.deleteLater()


def make_progress(parent: QWidget | None, title: str, what: str) -> PrintProgress:
    """The progress dialog of one print run (tests wrap this to watch it)."""
    return PrintProgress(parent, title, what)


# -- preview and print ---------------------------------------------------------------------------


def make_preview_dialog(parent: QWidget | None, document: PagedDocument) -> QPrintPreviewDialog:
    """A print preview of ``document`` on A4; its print button prints the same pages."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageLayout(a4_layout())
    printer.setDocName(document.title)
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setWindowTitle(f"打印预览 - {document.title}")
    fill_screen(dialog)  # the pages as large as the screen allows
    dialog._printer = printer  # type: ignore[attr-defined]  # the dialog does not own it
    dialog._document = document  # type: ignore[attr-defined]  # replaced by SigninOptions
    failures: list[str] = []

    @Slot(QPrinter)
    def paint(target: QPrinter) -> None:
        document: PagedDocument = dialog._document  # type: ignore[attr-defined]
        # The preview draws into pictures of its own; printing goes to a printer or a file.
        previewing = target.paintEngine().type() == QPaintEngine.Type.Picture
        progress = make_progress(
            dialog, "打印预览" if previewing else "打印", f"“{document.title}”"
        )

        def report(done: int, total: int) -> bool:
            if progress.report(done, total):
                return True
            if not previewing:
                target.abort()  # a printer drops the job instead of printing the pages so far
            return False

        try:
            render(document, target, report)
        except PrintCancelled:
            log.info("printing cancelled: %s", document.title)
            to_file = target.outputFormat() == QPrinter.OutputFormat.PdfFormat
            if not previewing and to_file and target.outputFileName():
                # Printed to a PDF file (no printer installed): no half a file stays behind.
                Path(target.outputFileName()).unlink(missing_ok=True)
            QTimer.singleShot(0, dialog, dialog.reject)  # nothing half-drawn stays on screen
        except PrintError as exc:
            if not failures:  # the preview repaints often; say it once
                failures.append(exc.message)
                msgbox.error(dialog, "无法打印", exc.message)
        finally:
            progress.close()

    dialog.paintRequested.connect(paint)
    return dialog


def run_preview(dialog: QPrintPreviewDialog) -> None:
    """Show the preview modally (tests replace this)."""
    dialog.exec()


def _load(parent: QWidget | None, make: Callable[[], PagedDocument]) -> PagedDocument | None:
    try:
        return make()
    except PrintError as exc:
        msgbox.warning(parent, "无法打印", exc.message)
        return None


def _preview(parent: QWidget | None, make: Callable[[], PagedDocument]) -> None:
    document = _load(parent, make)
    if document is not None:
        dialog = make_preview_dialog(parent, document)
        run_preview(dialog)
        dialog.deleteLater()


class SigninOptions(QWidget):
    """The 签到表's choices under the preview's tool bar: 版式 (people a row) and 请假 notes.

    Changing one lays the sheet out again and redraws the preview; printing prints it so.
    """

    LAYOUTS = (("自动", None), ("每行一人", 1), ("每行两人（紧凑）", 2))

    def __init__(
        self,
        dialog: QPrintPreviewDialog,
        make: Callable[[int | None, bool], SigninSheet],
        *,
        leave_notes: bool = True,
    ) -> None:
        super().__init__(dialog)
        self.dialog = dialog
        self.make = make
        self.layout_combo = QComboBox()
        for text, pairs in self.LAYOUTS:
            self.layout_combo.addItem(text, pairs)
        self.layout_combo.setToolTip("超过 40 人时，“自动”每行排两人，每页约 40 人")
        self.leave_box = QCheckBox("备注中填入请假及事由")
        self.leave_box.setVisible(leave_notes)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 0, 8, 0)
        row.addWidget(QLabel("版式"))
        row.addWidget(self.layout_combo)
        row.addWidget(self.leave_box)
        row.addStretch(1)
        layout = dialog.layout()
        if isinstance(layout, QBoxLayout):  # a row above the pages
            layout.insertWidget(0, self)  # the tool bar is the layout's menu bar
        self.layout_combo.currentIndexChanged.connect(self._on_choice_changed)
        self.leave_box.toggled.connect(self._on_choice_changed)

    def sheet(self) -> SigninSheet:
        return self.make(self.layout_combo.currentData(), self.leave_box.isChecked())

    @Slot()
    def _on_choice_changed(self) -> None:
        try:
            document = SigninDocument(self.sheet())
        except PrintError as exc:
            msgbox.warning(self.dialog, "无法打印", exc.message)
            return
        self.dialog._document = document  # type: ignore[attr-defined]
        self.dialog.setWindowTitle(f"打印预览 - {document.title}")
        preview = self.dialog.findChild(QPrintPreviewWidget)
        if preview is not None:
            preview.updatePreview()


def _preview_signin(
    parent: QWidget | None, make: Callable[[int | None, bool], SigninSheet], *, leave: bool
) -> None:
    document = _load(parent, lambda: SigninDocument(make(None, False)))
    if document is not None:
        dialog = make_preview_dialog(parent, document)
        SigninOptions(dialog, make, leave_notes=leave)
        run_preview(dialog)
        dialog.deleteLater()


def preview_signin(parent: QWidget | None, context: AppContext, meeting: int | Meeting) -> None:
    """Preview (and from there print) the 签到表 of a meeting, by id or as being edited.

    The preview's tool bar chooses the layout and whether recorded 请假 fill 备注.
    """
    _preview_signin(
        parent,
        lambda pairs, leave: signin_for_meeting(
            context.db, meeting, pairs=pairs, leave_notes=leave
        ),
        leave=True,
    )


def preview_record(parent: QWidget | None, context: AppContext, meeting: int | Meeting) -> None:
    """Preview (and from there print) the 会议记录 of a meeting."""
    _preview(parent, lambda: RecordDocument(record_for_meeting(context.db, meeting)))


def preview_blank_signin(
    parent: QWidget | None, context: AppContext, kind: MeetingKind, group_id: int | None = None
) -> None:
    _preview_signin(
        parent,
        lambda pairs, _leave: blank_signin(context.db, kind, group_id, pairs=pairs),
        leave=False,
    )


# -- PDF ------------------------------------------------------------------------------------------


def default_pdf_name(what: str, day: dt.date | None) -> str:
    """主题党日签到表_2026-11-10.pdf: what it is and the day, safe on every file system."""
    stem = _UNSAFE.sub("", what) or "打印"
    return f"{stem}_{day.isoformat()}.pdf" if day else f"{stem}.pdf"


def open_folder(folder: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def _save_pdf(
    parent: QWidget | None, make: Callable[[], PagedDocument], caption: str, name: str
) -> Path | None:
    document = _load(parent, make)
    if document is None:
        return None
    path = file_dialogs.save_file(parent, caption, name, file_dialogs.PDF_FILTER)
    if path is None:
        return None
    # A 200-member sheet renders in about 40 ms and shows nothing; a record of a thousand
    # pages shows its progress and can be stopped.
    progress = make_progress(parent, "保存为 PDF", f"“{path.name}”")
    try:
        pages = write_pdf(document, path, progress.report)
    except PrintCancelled:  # nothing was written: write_pdf removed its partial file
        log.info("PDF cancelled: %s", path)
        return None
    except PrintError as exc:
        failure = exc.message
    else:
        failure = ""
    finally:
        progress.close()
    if failure:
        msgbox.error(parent, "无法保存 PDF", failure)
        return None
    log.info("PDF written: %s (%d pages)", path, pages)
    if msgbox.done(
        parent,
        "已保存 PDF",
        f"已保存“{path.name}”，共 {pages} 页。\n位置：{path.parent}",
        action="打开所在文件夹",
    ):
        open_folder(path.parent)
    return path


def save_signin_pdf(
    parent: QWidget | None, context: AppContext, meeting: int | Meeting
) -> Path | None:
    """Ask where to save the meeting's 签到表 as PDF, write it and offer to open the folder."""
    try:
        sheet = signin_for_meeting(context.db, meeting)
    except PrintError as exc:
        msgbox.warning(parent, "无法打印", exc.message)
        return None
    name = default_pdf_name(f"{sheet.kind_text.replace('、', '')}签到表", sheet.day)
    return _save_pdf(parent, lambda: SigninDocument(sheet), "保存签到表为 PDF", name)


def save_record_pdf(
    parent: QWidget | None, context: AppContext, meeting: int | Meeting
) -> Path | None:
    """Ask where to save the meeting's 会议记录 as PDF, write it and offer to open the folder."""
    try:
        record = record_for_meeting(context.db, meeting)
    except PrintError as exc:
        msgbox.warning(parent, "无法打印", exc.message)
        return None
    kinds = "".join(kind.short_label for kind in record.meeting.kinds)
    name = default_pdf_name(f"{kinds}会议记录", record.meeting.day)
    return _save_pdf(parent, lambda: RecordDocument(record), "保存会议记录为 PDF", name)


def save_blank_signin_pdf(
    parent: QWidget | None, context: AppContext, kind: MeetingKind, group_id: int | None = None
) -> Path | None:
    try:
        sheet = blank_signin(context.db, kind, group_id)
    except PrintError as exc:
        msgbox.warning(parent, "无法打印", exc.message)
        return None
    what = f"{sheet.group_name}{kind.label}空白签到表"
    name = default_pdf_name(what, None)
    return _save_pdf(parent, lambda: SigninDocument(sheet), "保存空白签到表为 PDF", name)


# -- blank sheets ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BlankSigninChoice:
    kind: MeetingKind
    group_id: int | None
    action: str  # "preview" or "pdf"


class BlankSigninDialog(QDialog):
    """Choose the kind and (optionally) the group of a blank 签到表, then preview or save it."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._action = "preview"
        self.setWindowTitle("打印空白签到表")
        self.kind_combo = QComboBox()
        for kind in MeetingKind:
            self.kind_combo.addItem(kind.label, kind.value)
        self.kind_combo.setCurrentIndex(list(MeetingKind).index(DEFAULT_KIND))
        self.group_combo = QComboBox()
        self.group_combo.addItem("全支部（不分党小组）", None)
        for group in context.groups.list():
            self.group_combo.addItem(group.name, group.id)
        self.count_label = QLabel()
        self.problem_label = QLabel()
        self.problem_label.setStyleSheet(theme.FORM_ERROR_TEXT)
        hint = QLabel("日期、地点等留空，开会时手写。名单按今天在册的党员生成。")
        hint.setWordWrap(True)

        form = QFormLayout()
        form.addRow("会议类型", self.kind_combo)
        form.addRow("党小组", self.group_combo)
        form.addRow("应到", self.count_label)
        buttons = QDialogButtonBox()
        self.preview_button = QPushButton("打印预览…")
        self.preview_button.setDefault(True)
        self.pdf_button = QPushButton("保存为 PDF…")
        buttons.addButton(self.preview_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.pdf_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.preview_button.clicked.connect(self._on_preview_button_clicked)
        self.pdf_button.clicked.connect(self._on_pdf_button_clicked)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem_label)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        self.kind_combo.currentIndexChanged.connect(self._on_choice_changed)
        self.group_combo.currentIndexChanged.connect(self._on_choice_changed)
        self._on_choice_changed()
        fit_window(self)

    @Slot()
    def _on_choice_changed(self) -> None:
        kind = self.kind()
        group_id = self.group_combo.currentData()
        problem = ""
        if kind.spec.group and group_id is None:
            problem = f"{kind.label}请选择党小组"
        self.problem_label.setText(problem)
        self.problem_label.setVisible(bool(problem))
        self.preview_button.setEnabled(not problem)
        self.pdf_button.setEnabled(not problem)
        if problem:
            self.count_label.setText("—")
            return
        members = expected_members(self.context.members.list(), [kind], dt.date.today(), group_id)
        if group_id is not None:
            members = [m for m in members if m.group_id == group_id]
        self.count_label.setText(f"{len(members)} 人")

    @Slot()
    def _on_preview_button_clicked(self) -> None:
        self._action = "preview"
        self.accept()

    @Slot()
    def _on_pdf_button_clicked(self) -> None:
        self._action = "pdf"
        self.accept()

    def kind(self) -> MeetingKind:
        return MeetingKind(self.kind_combo.currentData())

    def choice(self) -> BlankSigninChoice:
        return BlankSigninChoice(self.kind(), self.group_combo.currentData(), self._action)

    @classmethod
    def ask(cls, parent: QWidget | None, context: AppContext) -> BlankSigninChoice | None:
        """Ask for the kind and group, then preview or save the sheet; None if cancelled."""
        dialog = cls(context, parent)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            choice = dialog.choice()
        finally:
            dialog.deleteLater()
        carry_out(parent, context, choice)
        return choice


def carry_out(parent: QWidget | None, context: AppContext, choice: BlankSigninChoice) -> None:
    if choice.action == "pdf":
        save_blank_signin_pdf(parent, context, choice.kind, choice.group_id)
    else:
        preview_blank_signin(parent, context, choice.kind, choice.group_id)


def print_menu(
    parent: QWidget,
    context: AppContext,
    meeting: Callable[[], int | Meeting | None],
    *,
    blank: bool = False,
) -> QMenu:
    """The 打印 menu of a meeting: sign-in sheet and record, previewed/printed or as PDF.

    ``meeting`` is asked when an item is chosen (the selected row, or the meeting being
    edited, unsaved changes included); the items are disabled while it gives None.
    """
    menu = QMenu(parent)

    def with_meeting(action: Callable[[QWidget, AppContext, int | Meeting], object]) -> None:
        chosen = meeting()
        if chosen is not None:
            action(parent, context, chosen)

    entries = [
        ("预览或打印签到表…", preview_signin),
        ("签到表另存为 PDF…", save_signin_pdf),
        ("预览或打印会议记录…", preview_record),
        ("会议记录另存为 PDF…", save_record_pdf),
    ]
    meeting_actions = []
    for text, action in entries:
        item = menu.addAction(text)
        item.triggered.connect(lambda _checked=False, act=action: with_meeting(act))
        meeting_actions.append(item)
    if blank:
        menu.addSeparator()
        menu.addAction("空白签到表…").triggered.connect(
            lambda _checked=False: BlankSigninDialog.ask(parent, context)
        )
    menu.aboutToShow.connect(
        lambda: [item.setEnabled(meeting() is not None) for item in meeting_actions]
    )
    return menu
