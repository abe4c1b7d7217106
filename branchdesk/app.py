"""Composition root: Qt set-up, the data folder, the database and the main window."""

from __future__ import annotations

import logging
import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

from branchdesk import APP_NAME, APP_TITLE, __version__
from branchdesk.logs import install_crash_handler, setup_logging
from branchdesk.store.db import DB_FILENAME, StorageError, open_database
from branchdesk.store.location import ensure_data_dir
from branchdesk.store.members import BranchRepo

log = logging.getLogger(__name__)


def make_application(argv: list[str] | None = None) -> QApplication:
    """Create (or reuse) the QApplication with the Chinese locale and the bundled font."""
    from branchdesk.ui.qtsetup import apply_app_font, install_chinese, register_fonts

    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(argv or [sys.argv[0]])
    app.setOrganizationName(APP_NAME)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_TITLE)
    app.setApplicationVersion(__version__)
    install_chinese(app)
    apply_app_font(app, register_fonts())
    return app


def build_main_window(context: object) -> QWidget:
    """Build the main window with every page, given an ``AppContext``."""
    from branchdesk.ui.home_page import HomePage
    from branchdesk.ui.main_window import MainWindow
    from branchdesk.ui.meetings_page import MeetingsPage
    from branchdesk.ui.members_page import MembersPage
    from branchdesk.ui.pending_page import PendingPage
    from branchdesk.ui.settings_page import SettingsPage

    home = HomePage(context)
    pages: list[tuple[str, QWidget]] = [
        ("工作台", home),
        ("党员", MembersPage(context)),
        ("会议", MeetingsPage(context)),
        ("活动", PendingPage("活动", "志愿服务、社区报到等党员活动")),
        ("报表", PendingPage("报表", "月报、季报、年报和汇总")),
        ("设置", SettingsPage(context)),
    ]
    window = MainWindow(context, pages)  # type: ignore[arg-type]
    home.navigate_requested.connect(window.show_page)
    return window


def run_gui(data_dir: Path, *, demo: bool = False) -> int:
    """Open the app on ``data_dir`` (or on a fresh demo branch in a temporary folder)."""
    from branchdesk.ui import msgbox
    from branchdesk.ui.context import AppContext
    from branchdesk.ui.first_run_dialog import FirstRunDialog

    app = make_application()
    demo_folder: tempfile.TemporaryDirectory[str] | None = None
    if demo:
        from branchdesk.demo import write_demo_branch

        demo_folder = tempfile.TemporaryDirectory(prefix="branchdesk-demo-")
        data_dir = Path(demo_folder.name)
        write_demo_branch(data_dir)
    try:
        ensure_data_dir(data_dir)
        log_path = setup_logging(data_dir)
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
        db = open_database(data_dir / DB_FILENAME)
    except (StorageError, OSError) as exc:
        msgbox.error(None, "无法打开数据", getattr(exc, "message", str(exc)))
        return 1
    if BranchRepo(db).get() is None:
        branch = FirstRunDialog.ask(None)
        if branch is None:
            return 0
        BranchRepo(db).save(branch)
    context = AppContext(db=db, data_dir=data_dir)
    window = build_main_window(context)
    window.show()
    try:
        return app.exec()
    finally:
        db.close()
        if demo_folder is not None:
            demo_folder.cleanup()
