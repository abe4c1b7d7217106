"""Composition root: Qt set-up, the data folder, the database and the main window."""

from __future__ import annotations

import logging
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QThreadPool, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QWidget

from branchdesk import APP_NAME, APP_TITLE, __version__
from branchdesk.logs import install_crash_handler, setup_logging
from branchdesk.resources import font_problem, resource
from branchdesk.store.location import ensure_data_dir
from branchdesk.store.members import BranchRepo

if TYPE_CHECKING:
    from branchdesk.ops import Changes
    from branchdesk.store.backup import EarlyCheck
    from branchdesk.ui.context import AppContext
    from branchdesk.ui.main_window import MainWindow
    from branchdesk.ui.startup import OpenedFolder

log = logging.getLogger(__name__)


def make_application(argv: list[str] | None = None) -> QApplication:
    """Create (or reuse) the QApplication with the Chinese locale and the bundled font."""
    from branchdesk.ui.qtsetup import (
        apply_app_font,
        collect_garbage_on_ui_thread,
        explaining_platform_failure,
        install_chinese,
        register_fonts,
    )
    from branchdesk.ui.text_size import apply_text_size, saved_text_size

    app = QApplication.instance()
    if not isinstance(app, QApplication):
        with explaining_platform_failure():
            app = QApplication(argv or [sys.argv[0]])
    app.setOrganizationName(APP_NAME)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_TITLE)
    app.setApplicationVersion(__version__)
    app.setWindowIcon(QIcon(str(resource("icons", "branchdesk.png"))))
    install_chinese(app)
    apply_app_font(app, register_fonts())
    apply_text_size(app, saved_text_size())  # 字号, chosen in 设置
    collect_garbage_on_ui_thread(app)
    return app


def build_main_window(context: AppContext) -> MainWindow:
    """Build the main window; each page but the first is built when first visited.

    A page is built inside the window (its factory is given the parent): reparenting a
    built page makes Qt style every widget of it a second time.
    """
    from branchdesk.ui.main_window import MainWindow
    from branchdesk.ui.pages.home_page import HomePage

    def members(parent: QWidget) -> QWidget:
        from branchdesk.ui.pages.members_page import MembersPage

        return MembersPage(context, parent=parent)

    def meetings(parent: QWidget) -> QWidget:
        from branchdesk.ui.pages.meetings_page import MeetingsPage

        return MeetingsPage(context, parent=parent)

    def activities(parent: QWidget) -> QWidget:
        from branchdesk.ui.pages.activities_page import ActivitiesPage

        return ActivitiesPage(context, parent=parent)

    def reports(parent: QWidget) -> QWidget:
        from branchdesk.ui.pages.reports_page import ReportsPage

        return ReportsPage(context, parent=parent)

    def settings(parent: QWidget) -> QWidget:
        from branchdesk.ui.dialogs.restore_flow import restore_and_reopen
        from branchdesk.ui.pages.settings_page import SettingsPage

        page = SettingsPage(context, parent=parent)
        page.restore_requested.connect(lambda path: restore_and_reopen(window, context, path))
        return page

    def show_month_report(code: str) -> None:  # 工作台's 导出本月报表
        from branchdesk.domain.requirements import Period
        from branchdesk.ui.pages.reports_page import ReportsPage

        page = window.show_page("报表")
        assert isinstance(page, ReportsPage)
        page.show_month(Period.parse(code))

    def home(parent: QWidget) -> QWidget:
        page = HomePage(context, parent=parent)
        page.month_report_requested.connect(show_month_report)
        return page

    window = MainWindow(
        context,
        [
            ("工作台", home),
            ("党员", members),
            ("会议", meetings),
            ("活动", activities),
            ("报表", reports),
            ("设置", settings),
        ],
    )
    return window


@dataclass
class Started:
    """The app up to its event loop: the window shown on an opened data folder."""

    window: MainWindow
    opened: OpenedFolder
    changed: list[Changes] = field(default_factory=list)  # what operations changed since


def start_gui(data_dir: Path, early_check: EarlyCheck | None = None) -> Started | int:
    """Open ``data_dir`` and show the main window: everything before the event loop.

    Returns the exit code instead when the app must not go on (the folder cannot be used,
    the first start was cancelled). The benchmark of start-up runs exactly this.
    """
    from branchdesk.ops import save_branch
    from branchdesk.ui import msgbox
    from branchdesk.ui.context import AppContext
    from branchdesk.ui.ops import BackgroundOp
    from branchdesk.ui.pages.home_page import HomePage
    from branchdesk.ui.startup import backup_if_due, open_data_folder

    try:
        ensure_data_dir(data_dir)
        log_path = setup_logging(data_dir)
    except OSError as exc:
        msgbox.error(None, "无法打开数据", f"无法使用数据文件夹 {data_dir}：{exc.strerror or exc}")
        return 1
    install_crash_handler(
        lambda text: msgbox.error(
            None,
            "程序出错",
            "BranchDesk 遇到了一个意外错误。已保存的数据不受影响。\n"
            f"错误详情已记录在 {log_path}，请把该文件发给维护人员。\n\n"
            + text.strip().splitlines()[-1],
        )
    )
    log.info("BranchDesk %s starting on %s", __version__, data_dir)
    opened = open_data_folder(data_dir, early_check)
    if opened is None:
        return 1
    try:
        if BranchRepo(opened.db).get() is None:  # reading: the first start asks for the branch
            if opened.read_only:
                msgbox.error(None, "无法打开数据", "数据文件夹是只读的，无法建立新支部。")
                opened.close()
                return 1
            from branchdesk.ui.dialogs.first_run_dialog import (
                FirstRunDialog,  # the first start only
            )

            branch = FirstRunDialog.ask(None)
            if branch is None:
                opened.close()
                return 0
            save_branch(opened.session, branch)
        context = AppContext.of(opened.session)
        window = build_main_window(context)
    except BaseException:
        opened.close()
        raise
    font = font_problem()
    if font is not None:
        opened.banners.insert(0, font)
    if opened.banners:
        window.show_banner("  ".join(opened.banners))
    window.show()
    # Once a day, after the window is up: which required meetings were missed. Only
    # while the window is open: the event loop may end before the timer fires.
    home = window.pages["工作台"]
    assert isinstance(home, HomePage)
    QTimer.singleShot(0, window, lambda: window.isVisible() and home.remind_late())
    started = Started(window, opened)
    context.events.changes_applied.connect(started.changed.append)
    if not opened.read_only:
        BackgroundOp(window, lambda: backup_if_due(opened.data_dir)).failure(
            lambda exc: log.warning("automatic backup failed: %s", exc)
        ).run()
    QTimer.singleShot(PRELOAD_DELAY_MS, window, lambda: preload_in_background(window))
    return started


PRELOAD_DELAY_MS = 1000  # once the window has settled


def preload_in_background(parent: QWidget) -> None:
    """Import the workbook modules in a worker thread (see ``preload_workbook_modules``)."""
    from branchdesk.reports import preload_workbook_modules
    from branchdesk.ui.ops import BackgroundOp

    BackgroundOp(parent, preload_workbook_modules).failure(
        lambda exc: log.warning("preloading the workbook modules failed: %s", exc)
    ).run()


def run_gui(data_dir: Path, *, demo: bool = False, early_check: EarlyCheck | None = None) -> int:
    """Open the app on ``data_dir`` (or on a fresh demo branch in a temporary folder)."""
    app = make_application()
    demo_folder: tempfile.TemporaryDirectory[str] | None = None
    if demo:
        from branchdesk.demo import write_demo_branch

        demo_folder = tempfile.TemporaryDirectory(prefix="branchdesk-demo-")
        data_dir = Path(demo_folder.name)
        write_demo_branch(data_dir)
    started: Started | int = 1
    try:
        started = start_gui(data_dir, early_check)
        if isinstance(started, int):
            return started
        code = app.exec()
        if started.changed and not started.opened.read_only:
            from branchdesk.store.backup import BackupError, auto_backup

            try:
                auto_backup(started.opened.data_dir)  # at exit after changes
            except BackupError as exc:
                log.warning("backup at exit failed: %s", exc.message)
        return code
    finally:
        QThreadPool.globalInstance().waitForDone(60_000)  # a backup still running finishes
        if isinstance(started, Started):
            started.opened.close()
        if demo_folder is not None:
            demo_folder.cleanup()
