"""The start-up integrity check may finish after the window is painted; nothing is written
before it has passed, and damage it finds then is handled as at start."""

from __future__ import annotations

import dataclasses
import logging
import threading

import pytest
from PySide6.QtCore import QThreadPool

from branchdesk import app as app_module
from branchdesk.demo import write_demo_branch
from branchdesk.ops import save_branch
from branchdesk.store import backup as backup_module
from branchdesk.store.backup import EarlyCheck, list_backups
from branchdesk.store.db import DB_FILENAME, open_database
from branchdesk.store.members import BranchRepo
from branchdesk.ui import msgbox
from branchdesk.ui.ops import run_op


@pytest.fixture
def slow_check(monkeypatch):
    """The early check waits for ``gate`` and then answers ``answer[0]``."""
    gate = threading.Event()
    answer = [True]

    def quick_check(_path):
        assert gate.wait(20)
        return answer[0]

    monkeypatch.setattr(backup_module, "quick_check", quick_check)
    yield gate, answer
    gate.set()


@pytest.fixture
def start(qapp, data_dir, monkeypatch):
    write_demo_branch(data_dir, members=12, seed=5)
    errors: list[str] = []
    monkeypatch.setattr(msgbox, "error", lambda _p, title, text: errors.append(text))
    root_handlers = list(logging.getLogger().handlers)
    opened = []

    def go():
        started = app_module.start_gui(data_dir, EarlyCheck.start(data_dir / DB_FILENAME))
        assert isinstance(started, app_module.Started)
        opened.append(started)
        return started, errors

    yield go
    for started in opened:
        started.window.close()
        QThreadPool.globalInstance().waitForDone(10_000)
        started.opened.close()
        started.window.deleteLater()
    for handler in logging.getLogger().handlers[:]:
        if handler not in root_handlers:
            logging.getLogger().removeHandler(handler)
            handler.close()


def _rename(session, name):
    branch = dataclasses.replace(BranchRepo(session.db).get(), name=name)
    return lambda s: save_branch(s, branch)


def test_the_window_paints_before_the_check_and_writes_wait_for_it(
    qtbot, start, slow_check, data_dir
):
    gate, _answer = slow_check
    started, errors = start()
    window, session = started.window, started.opened.session
    assert window.isVisible() and window.pages["工作台"].overview is not None
    assert session.pending_check is not None  # shown while the check still runs

    # a write before the check has passed is refused, in Chinese, and nothing is stored
    assert run_op(window, window.context, _rename(session, "未检查时改的名")) is None
    assert errors and "正在检查数据文件的完整性" in errors[-1]
    qtbot.wait(50)
    assert not list_backups(data_dir)  # the daily backup waits for the check too
    with session.worker() as worker:  # a worker's session is held back the same way
        assert worker.pending_check is session.pending_check

    gate.set()
    qtbot.waitUntil(lambda: session.pending_check is None, timeout=10_000)
    assert run_op(window, window.context, _rename(session, "检查后改的名")) is not None
    assert BranchRepo(session.db).get().name == "检查后改的名"
    qtbot.waitUntil(lambda: bool(list_backups(data_dir)), timeout=10_000)


def test_damage_found_after_the_window_opened_is_set_aside_before_any_write(
    qtbot, start, slow_check, data_dir, monkeypatch
):
    gate, answer = slow_check
    answer[0] = False
    asked = []
    monkeypatch.setattr(msgbox, "confirm", lambda _p, title, *a, **k: asked.append(title) or False)
    started, errors = start()
    window, session = started.window, started.opened.session
    name = BranchRepo(session.db).get().name
    assert run_op(window, window.context, _rename(session, "损坏时改的名")) is None

    gate.set()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10_000)
    assert asked and asked[0] == "数据文件已损坏"
    aside = list(data_dir.glob("branchdesk.db.damaged-*"))
    assert len(aside) == 1 and not (data_dir / DB_FILENAME).exists()
    kept = open_database(aside[0], migrate=False)
    try:
        assert BranchRepo(kept).get().name == name  # the refused write never reached it
    finally:
        kept.close()
    assert session.pending_check is not None  # still refusing writes
    assert not list_backups(data_dir)  # a damaged file is never backed up
