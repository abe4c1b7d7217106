"""Every page and every dialog fits a small screen with its primary button in view.

The screens: 1366×768 at 100%, 125% and 150% and 1280×720 at 100%, each less a 40 px
taskbar, and 1366×768 at 100% with the 特大 text size. How the scales are emulated, and why: ``QT_SCALE_FACTOR`` is read once per
process, but it changes nothing a layout sees except the screen's size. At 150% Qt lays
out in logical pixels (device pixels / 1.5) with fonts of the same logical size, so a
1366×768 screen at 150% *is*, to every widget, a 911×512 screen at 100% (measured:
``QScreen.availableGeometry()`` under ``QT_SCALE_FACTOR=1.5`` on a 1366×768 offscreen
screen returns 911×512, and the windows' minimum sizes are the same as at 100%). So each
case patches ``QScreen.availableGeometry`` to the logical geometry, in this one process,
which keeps the cases fast and lets one failure name every window that does not fit.
The screenshots looked at for the README were taken with the real ``QT_SCALE_FACTOR=1.5``.

A window fits when its frame lies inside the available geometry and it is no smaller than
its own minimum size (otherwise the window manager would make it larger); its primary
button fits when it is shown, wholly inside the window and not clipped by a scroll area.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from demo_cache import write_demo_branch
from PySide6.QtCore import QRect, QSettings, QStandardPaths, Qt
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QTableView,
    QToolButton,
    QWidget,
)
from reports.roster_samples import write_messy_roster

from branchdesk.app import build_main_window
from branchdesk.domain.dues import Month
from branchdesk.domain.meetings import MeetingStatus
from branchdesk.domain.members import Category
from branchdesk.domain.requirements import Period
from branchdesk.printing.record import RecordDocument, record_for_meeting
from branchdesk.store.backup import write_backup
from branchdesk.store.db import DB_FILENAME, open_database
from branchdesk.store.meetings import MeetingFilter, MeetingRepo
from branchdesk.ui import print_actions
from branchdesk.ui.context import AppContext
from branchdesk.ui.dialogs.activity_kinds_dialog import ActivityKindsDialog
from branchdesk.ui.dialogs.assessment_dialog import AssessmentDialog
from branchdesk.ui.dialogs.first_run_dialog import FirstRunDialog
from branchdesk.ui.dialogs.groups_dialog import GroupsDialog, MoveGroupDialog
from branchdesk.ui.dialogs.history_dialog import HistoryDialog
from branchdesk.ui.dialogs.import_dialog import ImportDialog
from branchdesk.ui.dialogs.member_rules_dialogs import ExtendProbationDialog, LongLeaveDialog
from branchdesk.ui.dialogs.requirements_dialog import RequirementsDialog
from branchdesk.ui.dialogs.restore_flow import RestoreDialog
from branchdesk.ui.dialogs.status_dialog import StatusDialog
from branchdesk.ui.editors.activity_editor import ActivityEditor
from branchdesk.ui.editors.meeting_editor import MeetingEditor
from branchdesk.ui.editors.member_dialog import MemberDialog
from branchdesk.ui.pages.member_record_view import MemberRecordDialog
from branchdesk.ui.pages.reports_page import UnlockDialog
from branchdesk.ui.screen_fit import frame_margins, outer_rect
from branchdesk.ui.text_size import TextSize, apply_text_size
from screenshots import screenshot_file

LOOK_FOLDER = Path(tempfile.gettempdir()) / "bd-test-screenshots"  # every case, to look at
README_SHOT = "meeting_editor_150.png"  # 记录会议 on 1366×768 at 150%, in the README
TASKBAR = 40  # logical pixels: a taskbar scales with everything else
SCREENS = [  # width, height, scale, 字号
    (1366, 768, 1.0, TextSize.STANDARD),
    (1366, 768, 1.25, TextSize.STANDARD),
    (1366, 768, 1.5, TextSize.STANDARD),
    (1280, 720, 1.0, TextSize.STANDARD),
    (1366, 768, 1.0, TextSize.LARGER),  # 特大 text on an office laptop at 100%
]
KEY_COLUMNS = {"姓名", "日期", "主题", "活动名称"}
PAGES = {  # each page's primary button
    "工作台": "记录会议",
    "党员": "添加党员",
    "会议": "记录会议",
    "活动": "添加活动",
    "党费": "保存本次收缴",
    "报表": "导出报表…",
    "设置": "保存",
}


def logical_area(width: int, height: int, scale: float) -> QRect:
    return QRect(0, 0, round(width / scale), round(height / scale) - TASKBAR)


@pytest.fixture(
    params=SCREENS,
    ids=[f"{w}x{h}@{round(s * 100)}%-{t.value}" for w, h, s, t in SCREENS],
)
def screen(request, monkeypatch, qapp) -> Iterator[QRect]:
    width, height, scale, text_size = request.param
    area = logical_area(width, height, scale)
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _self: QRect(area))
    apply_text_size(qapp, text_size)
    yield area
    apply_text_size(qapp, TextSize.STANDARD)


@pytest.fixture(autouse=True)
def first_start(tmp_path) -> Iterator[None]:
    """Each window opens as on a first start: settings of its own, which neither other tests
    nor other test runs on this machine write to meanwhile."""
    shared = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericConfigLocation)
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path))
    yield
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, shared)


@pytest.fixture
def context(qapp, data_dir):
    write_demo_branch(data_dir, members=60, seed=4, today=dt.date(2026, 11, 20))
    db = open_database(data_dir / DB_FILENAME)
    yield AppContext(db=db, data_dir=data_dir)
    db.close()


def button(window: QWidget, text: str) -> QAbstractButton:
    """The button a person would look for by its text."""
    found = [b for b in window.findChildren(QAbstractButton) if b.text() == text]
    found = [b for b in found if b.isVisibleTo(window)] or found
    assert found, f"{window.windowTitle()}: no button {text}"
    return found[0]


def problems(window: QWidget, primary: QAbstractButton, area: QRect) -> list[str]:
    """What does not fit: the window on the screen, or the button in the window."""
    name = window.windowTitle() or type(window).__name__
    found = []
    frame = outer_rect(window)
    if window.isMaximized():
        # The platform maximises to the real screen, which the patch cannot reach; what
        # BranchDesk sets is the size the window has when it is not maximised.
        frame = window.normalGeometry().marginsAdded(frame_margins(window))
    if not area.contains(frame):
        found.append(f"{name}: {frame} (with its frame) is not inside {area}")
    minimum = window.minimumSizeHint().expandedTo(window.minimumSize())
    if window.layout() is not None and (
        minimum.width() > window.width() or minimum.height() > window.height()
    ):
        found.append(f"{name}: needs {minimum.toTuple()} but has {window.size().toTuple()}")
    if not primary.isVisible():
        found.append(f"{name}: {primary.text()} is not shown")
    else:
        where = QRect(primary.mapTo(window, primary.rect().topLeft()), primary.size())
        if not window.rect().contains(where):
            found.append(f"{name}: {primary.text()} at {where} is outside {window.rect()}")
        if primary.visibleRegion().boundingRect() != primary.rect():
            found.append(f"{name}: {primary.text()} is clipped")
    return found


def unreadable_columns(table: QTableView) -> list[str]:
    """Key columns (姓名, 日期, 主题) narrower than their text, up to twelve characters."""
    model = table.model()
    header = table.horizontalHeader()
    metrics = table.fontMetrics()
    found = []
    for column in range(model.columnCount()):
        title = model.headerData(column, Qt.Orientation.Horizontal)
        if title not in KEY_COLUMNS or header.isSectionHidden(column):
            continue
        texts = [str(model.index(row, column).data() or "") for row in range(min(model.rowCount(), 30))]
        widest = max((metrics.horizontalAdvance(text) for text in texts), default=0)
        needed = min(widest + 8, metrics.horizontalAdvance("国") * 12)
        if header.sectionSize(column) < needed:
            found.append(f"{title} is {header.sectionSize(column)} px wide, needs {needed}")
    return found


def check(qtbot, window: QWidget, text: str, area: QRect, shot: str = "") -> list[str]:
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    QApplication.processEvents()  # the window is kept on the screen just after it is shown
    found = problems(window, button(window, text), area)
    if shot:
        save_screenshot(window, shot)
    window.close()
    return found


def save_screenshot(window: QWidget, name: str) -> None:
    """What the window looks like on this screen (the 150% one is the README's)."""
    path = screenshot_file(name) if name == README_SHOT else LOOK_FOLDER / name
    path.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(path))


def test_every_page_fits(qtbot, context, screen, request) -> None:
    window = build_main_window(context)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    found = []
    for title, primary in PAGES.items():
        page = window.show_page(title)
        qtbot.waitUntil(page.isVisible)
        found += [f"{title}: {p}" for p in problems(window, button(page, primary), screen)]
        if title == "会议":
            save_screenshot(window, f"fit_{request.node.callspec.id}_meetings.png")
        table = getattr(page, "table", None)
        if isinstance(table, QTableView):
            assert table.model().rowCount() > 3
            found += [f"{title}: {p}" for p in unreadable_columns(table)]
    window.close()
    assert not found, "\n".join(found)


def _dialogs(context: AppContext, tmp_path) -> dict[str, Callable[[], tuple[QWidget, str]]]:
    """Every dialog with its primary button, made as the app makes it."""
    members = context.members.list()
    meetings = MeetingRepo(context.db)
    held = meetings.summaries(MeetingFilter(status=MeetingStatus.HELD))[0]
    from branchdesk.store.activities import ActivityRepo

    activity = ActivityRepo(context.db).summaries()[0]
    kept: list[QWidget] = []
    probationer = next(m for m in members if m.category is Category.PROBATIONARY)

    def preview() -> tuple[QWidget, str]:
        document = RecordDocument(record_for_meeting(context.db, meetings.get(held.id)))
        dialog = print_actions.make_preview_dialog(None, document)
        return dialog, print_button(dialog)

    def record_preview() -> tuple[QWidget, str]:
        view = MemberRecordDialog(context, members[0].id)
        kept.append(view)  # the preview's parent
        dialog = view.print_preview_dialog()
        return dialog, print_button(dialog)

    def progress() -> tuple[QWidget, str]:
        shown = print_actions.PrintProgress(None, "打印预览", "“签到表”")
        shown.report(2, 11)
        return shown.dialog, "取消"

    def import_dialog() -> tuple[QWidget, str]:
        return ImportDialog(context, write_messy_roster(tmp_path / "花名册.xlsx")), "导入"

    def restore() -> tuple[QWidget, str]:
        info = write_backup(context.data_dir, tmp_path / "x.bdbackup")
        return RestoreDialog(None, info, "另一个党支部"), "恢复"

    return {
        "member": lambda: (MemberDialog(None, context, members[0]), "保存"),
        "new member": lambda: (MemberDialog(None, context), "保存"),
        "meeting": lambda: (MeetingEditor(None, context, meetings.get(held.id)), "保存"),
        "new meeting": lambda: (MeetingEditor(None, context), "保存"),
        "planned meeting": lambda: (MeetingEditor(None, context, planned=True), "保存"),
        "activity": lambda: (
            ActivityEditor(None, context, ActivityRepo(context.db).get(activity.id)),
            "保存（Ctrl+S）",
        ),
        "new activity": lambda: (ActivityEditor(None, context), "保存（Ctrl+S）"),
        "meeting print preview": preview,
        "member record": lambda: (MemberRecordDialog(context, members[0].id), "打印…"),
        "member record preview": record_preview,
        "groups": lambda: (GroupsDialog(None, context), "关闭"),
        "move group": lambda: (MoveGroupDialog(None, context, members[:2]), "确定"),
        "status": lambda: (StatusDialog(None, context, members[0]), "确定"),
        "extend probation": lambda: (ExtendProbationDialog(probationer, dt.date.today()), "确定"),
        "long leave": lambda: (LongLeaveDialog(members[0], dt.date.today()), "确定"),
        "requirements": lambda: (RequirementsDialog(None, context), "保存"),
        "activity kinds": lambda: (ActivityKindsDialog(None, context), "关闭"),
        "history": lambda: (HistoryDialog(None, context), "关闭"),
        "member history": lambda: (HistoryDialog(None, context, "member", members[0].id), "关闭"),
        "import": import_dialog,
        "restore preview": restore,
        "first run": lambda: (FirstRunDialog(), "开始使用"),
        "unlock": lambda: (UnlockDialog(Period.parse("2026-10")), "解锁"),
        "blank sign-in": lambda: (print_actions.BlankSigninDialog(context), "打印预览…"),
        "print progress": progress,
        "dues assessment": lambda: (
            AssessmentDialog(members[0].id, members[0].name, Month(2026, 1)), "保存"
        ),
    }


def print_button(dialog: QWidget) -> str:
    """The print preview's 打印 button: the last tool button of its tool bar."""
    buttons = [b for b in dialog.findChildren(QToolButton) if b.defaultAction() is not None]
    printing = [b for b in buttons if "打印" in b.defaultAction().text()]
    assert printing, [b.defaultAction().text() for b in buttons]
    return printing[0].text()


def test_every_dialog_fits(qtbot, context, screen, tmp_path, monkeypatch, request) -> None:
    monkeypatch.setattr(QDialog, "exec", lambda _self: 0)  # nothing may block
    found = []
    for name, make in _dialogs(context, tmp_path).items():
        window, primary = make()
        if isinstance(window, ImportDialog):
            qtbot.addWidget(window)
            qtbot.waitUntil(lambda w=window: not w.reading, timeout=10_000)
        shot = ""
        if name == "meeting":
            case = request.node.callspec.id
            shot = README_SHOT if case == "1366x768@150%-standard" else f"fit_{case}_meeting.png"
        if name.endswith("print preview") and not window.isMaximized():
            found.append(f"[{name}] the print preview is not maximised")
        found += [f"[{name}] {p}" for p in check(qtbot, window, primary, screen, shot)]
    assert not found, "\n".join(found)


def test_every_dialog_class_is_in_the_fit_test() -> None:
    """A dialog added to ui/ later must be added to ``_dialogs`` above too."""
    import importlib
    import pkgutil

    import branchdesk.ui

    found = set()
    for module_info in pkgutil.walk_packages(branchdesk.ui.__path__, "branchdesk.ui."):
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, QDialog)
                and value.__module__ == module.__name__
            ):
                found.add(value.__name__)
    assert found == {
        "ActivityEditor", "ActivityKindsDialog", "AssessmentDialog", "BlankSigninDialog", "FirstRunDialog",
        "ExtendProbationDialog", "GroupsDialog", "HistoryDialog", "ImportDialog",
        "LongLeaveDialog", "MeetingEditor", "MemberDialog",
        "MemberRecordDialog", "MoveGroupDialog", "RequirementsDialog", "RestoreDialog",
        "StatusDialog", "UnlockDialog",
    }  # fmt: skip


def test_a_dialog_still_opens_centred_over_its_window(qtbot, context) -> None:
    """Fitting never moves a dialog before it is shown: Qt centres it over its parent."""
    window = build_main_window(context)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    dialog = StatusDialog(window, context, context.members.list()[0])
    dialog.show()
    qtbot.waitExposed(dialog)
    offset = dialog.geometry().center() - window.geometry().center()
    assert abs(offset.x()) <= 4 and abs(offset.y()) <= 4, (window.geometry(), dialog.geometry())
    dialog.close()
