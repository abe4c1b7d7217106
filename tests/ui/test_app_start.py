import logging
import sys

from PySide6.QtWidgets import QApplication

from branchdesk import app as app_module
from branchdesk.store.db import DB_FILENAME, open_database
from branchdesk.store.members import BranchRepo, MemberRepo


def _run(monkeypatch, qapp, *args, **kwargs):
    """Run the real start-up, replacing only the event loop with a look at the windows."""
    seen = {}

    def fake_exec(_self=None):
        windows = [w for w in QApplication.topLevelWidgets() if w.objectName() == "MainWindow"]
        visible = [w for w in windows if w.isVisible()]
        seen["window"] = visible[-1] if visible else None
        seen["title"] = visible[-1].windowTitle() if visible else ""
        seen["counts"] = visible[-1].pages["工作台"].counts_label.text() if visible else ""
        seen["banner"] = visible[-1].banner.text() if visible else ""
        for w in windows:
            w.close()
            w.deleteLater()
        return 0

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    root_handlers = list(logging.getLogger().handlers)
    monkeypatch.setattr(type(qapp), "exec", fake_exec)
    try:
        code = app_module.run_gui(*args, **kwargs)
    finally:
        for handler in logging.getLogger().handlers[:]:
            if handler not in root_handlers:
                logging.getLogger().removeHandler(handler)
                handler.close()
    return code, seen


def test_demo_opens_on_a_demo_branch(monkeypatch, qapp, tmp_path):
    code, seen = _run(monkeypatch, qapp, tmp_path / "unused", demo=True)
    assert code == 0
    assert "党支部" in seen["title"]
    assert seen["counts"].endswith("名") and seen["counts"] != "0 名"


def test_first_start_asks_for_the_branch_then_opens(monkeypatch, qapp, data_dir):
    from branchdesk.domain.branch import Branch
    from branchdesk.ui.dialogs.first_run_dialog import FirstRunDialog

    monkeypatch.setattr(
        FirstRunDialog, "ask", classmethod(lambda cls, parent: Branch("试点党支部", "某党委"))
    )
    code, seen = _run(monkeypatch, qapp, data_dir)
    assert code == 0 and seen["title"].startswith("试点党支部")
    db = open_database(data_dir / DB_FILENAME)
    assert BranchRepo(db).get() == Branch("试点党支部", "某党委")
    assert MemberRepo(db).list() == []
    assert (data_dir / "logs" / "branchdesk.log").exists()


def test_cancelling_the_first_start_writes_no_branch(monkeypatch, qapp, data_dir):
    from branchdesk.ui.dialogs.first_run_dialog import FirstRunDialog

    monkeypatch.setattr(FirstRunDialog, "ask", classmethod(lambda cls, parent: None))
    code, seen = _run(monkeypatch, qapp, data_dir)
    assert code == 0 and "window" not in seen
    assert BranchRepo(open_database(data_dir / DB_FILENAME)).get() is None


def test_a_newer_database_is_refused_with_a_message(monkeypatch, qapp, data_dir):
    import sqlite3

    from branchdesk.ui import msgbox

    open_database(data_dir / DB_FILENAME).close()
    conn = sqlite3.connect(data_dir / DB_FILENAME)
    conn.execute("PRAGMA user_version = 999")
    conn.commit()
    conn.close()
    messages = []
    monkeypatch.setattr(msgbox, "error", lambda parent, title, text: messages.append(text))
    code, _ = _run(monkeypatch, qapp, data_dir)
    assert code == 1 and "更新版本" in messages[0]


def test_workbook_modules_are_preloaded_in_the_background_once_the_window_is_up(
    monkeypatch, qtbot, data_dir
):
    import threading

    from PySide6.QtCore import QThreadPool

    from branchdesk import reports
    from branchdesk.domain.branch import Branch

    db = open_database(data_dir / DB_FILENAME)
    BranchRepo(db).save(Branch("试点党支部", "某党委"))
    db.close()
    threads = []
    monkeypatch.setattr(app_module, "PRELOAD_DELAY_MS", 0)
    monkeypatch.setattr(
        reports, "preload_workbook_modules", lambda: threads.append(threading.current_thread())
    )
    root_handlers = list(logging.getLogger().handlers)
    started = app_module.start_gui(data_dir)
    try:
        assert isinstance(started, app_module.Started)
        qtbot.waitUntil(lambda: bool(threads), timeout=5000)
        assert threads[0] is not threading.main_thread()
    finally:
        started.window.close()
        QThreadPool.globalInstance().waitForDone(10_000)
        started.opened.close()
        started.window.deleteLater()
        for handler in logging.getLogger().handlers[:]:
            if handler not in root_handlers:
                logging.getLogger().removeHandler(handler)
                handler.close()


def test_a_newer_database_can_be_replaced_by_the_newest_good_backup(monkeypatch, qapp, data_dir):
    """A forged restore or an old version left a "newer" database: the window offers the
    newest good backup instead of refusing for ever, and keeps the refused file first."""
    import sqlite3

    from demo_cache import write_demo_branch

    from branchdesk.store.backup import auto_backup, backup_files
    from branchdesk.store.members import MemberRepo
    from branchdesk.ui import msgbox, startup

    write_demo_branch(data_dir, members=9, seed=3)
    auto_backup(data_dir)
    conn = sqlite3.connect(data_dir / DB_FILENAME)
    conn.execute("PRAGMA user_version = 999")
    conn.commit()
    conn.close()
    asked = []

    def answer(parent, title, text, *, yes="确定"):
        asked.append((title, text, yes))
        return True

    monkeypatch.setattr(msgbox, "confirm", answer)
    opened = startup.open_data_folder(data_dir)
    try:
        assert opened is not None and not opened.read_only
        assert asked and "更新版本" in asked[0][1] and asked[0][2] == "从备份恢复"
        assert MemberRepo(opened.db).counts().total == 9
    finally:
        if opened is not None:
            opened.close()
    kept = [f for f in backup_files(data_dir) if f.path.name.startswith("restore-safety-")]
    assert len(kept) == 1  # the refused database, kept whole before it was replaced


def test_declining_the_backup_leaves_the_newer_database_untouched(monkeypatch, qapp, data_dir):
    import hashlib
    import sqlite3

    from demo_cache import write_demo_branch

    from branchdesk.store.backup import auto_backup
    from branchdesk.ui import msgbox, startup

    write_demo_branch(data_dir, members=5, seed=3)
    auto_backup(data_dir)
    conn = sqlite3.connect(data_dir / DB_FILENAME)
    conn.execute("PRAGMA user_version = 999")
    conn.commit()
    conn.close()
    before = hashlib.sha256((data_dir / DB_FILENAME).read_bytes()).hexdigest()
    errors = []
    monkeypatch.setattr(msgbox, "confirm", lambda *args, **kwargs: False)
    monkeypatch.setattr(msgbox, "error", lambda parent, title, text: errors.append(text))
    assert startup.open_data_folder(data_dir) is None
    assert "更新版本" in errors[0]
    assert hashlib.sha256((data_dir / DB_FILENAME).read_bytes()).hexdigest() == before


def test_a_missing_font_is_shown_above_every_page(monkeypatch, qapp, tmp_path):
    monkeypatch.setattr(app_module, "font_problem", lambda: "找不到随软件附带的中文字体文件（X）")
    code, seen = _run(monkeypatch, qapp, tmp_path / "unused", demo=True)
    assert code == 0 and "找不到随软件附带的中文字体文件" in seen["banner"]
