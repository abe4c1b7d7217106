"""Composition root: Qt set-up, the data folder, the database and the main window."""

from __future__ import annotations

import logging
import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

from branchdesk import APP_NAME, APP_TITLE, __version__
from branchdesk.logs import install_crash_handler, setup_logging
from branchdesk.store.location import ensure_data_dir
from branchdesk.store.members import BranchRepo

log = logging.getLogger(__name__)


def make_application(argv: list[str] | None = None) -> QApplication:
    """Create (or reuse) the QApplication with the Chinese locale and the bundled font."""
    from branchdesk.ui.qtsetup import (
        apply_app_font,
        collect_garbage_on_ui_thread,
        install_chinese,
        register_fonts,
    )

    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(argv or [sys.argv[0]])
    app.setOrganizationName(APP_NAME)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_TITLE)
    app.setApplicationVersion(__version__)
    install_chinese(app)
    apply_app_font(app, register_fonts())
    collect_garbage_on_ui_thread(app)
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
    from branchdesk.ui.ops import BackgroundOp
    from branchdesk.ui.startup import backup_if_due, open_data_folder

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
    opened = open_data_folder(data_dir)
    if opened is None:
        return 1
    try:
        if BranchRepo(opened.db).get() is None:
            if opened.read_only:
                msgbox.error(None, "无法打开数据", "数据文件夹是只读的，无法建立新支部。")
                return 1
            branch = FirstRunDialog.ask(None)
            if branch is None:
                return 0
            BranchRepo(opened.db).save(branch)
        context = AppContext(db=opened.db, data_dir=opened.data_dir, read_only=opened.read_only)
        window = build_main_window(context)
        if opened.banners:
            window.show_banner("  ".join(opened.banners))  # type: ignore[attr-defined]
        window.show()
        changed: list[str] = []
        context.events.records_changed.connect(changed.append)
        if not opened.read_only:
            BackgroundOp(window, lambda: backup_if_due(opened.data_dir)).failure(
                lambda exc: log.warning("automatic backup failed: %s", exc)
            ).run()
        code = app.exec()
        if changed and not opened.read_only:
            from branchdesk.store.backup import BackupError, auto_backup

            try:
                auto_backup(opened.data_dir)  # at exit after changes
            except BackupError as exc:
                log.warning("backup at exit failed: %s", exc.message)
        return code
    finally:
        opened.close()
        if demo_folder is not None:
            demo_folder.cleanup()
