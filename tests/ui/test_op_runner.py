"""The one write path of the window: ``run_op`` emits what changed once; pages test flags."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading

import pytest

from branchdesk import ops
from branchdesk.domain.meetings import Meeting, MeetingKind
from branchdesk.domain.members import Member
from branchdesk.ops import Changes, OpResult
from branchdesk.store.meetings import MeetingRepo
from branchdesk.ui import msgbox
from branchdesk.ui.context import AppContext
from branchdesk.ui.ops import run_op, run_op_in_background
from branchdesk.ui.pages.meetings_page import MeetingsPage
from branchdesk.ui.pages.members_page import MembersPage


@pytest.fixture
def context(file_db, data_dir) -> AppContext:
    return AppContext(db=file_db, data_dir=data_dir)


def _collect(context: AppContext) -> list[Changes]:
    seen: list[Changes] = []
    context.events.changes_applied.connect(seen.append)
    return seen


def test_a_quick_write_is_announced_once(qtbot, context):
    seen = _collect(context)
    meeting = Meeting(kinds=[MeetingKind.COMMITTEE], day=dt.date(2025, 6, 3), title="支委会")
    with qtbot.waitSignal(context.events.changes_applied) as signal:
        result = run_op(None, context, lambda s: ops.add_meeting(s, meeting))
    assert result is not None and result.value == meeting.id
    assert signal.args[0].meetings and not signal.args[0].members
    assert seen == [result.changes]  # once, and only that
    assert MeetingRepo(context.db).get(meeting.id).title == "支委会"


def test_a_failed_write_is_told_and_not_announced(qtbot, context, monkeypatch):
    told: list[tuple[str, str]] = []
    monkeypatch.setattr(msgbox, "error", lambda _parent, title, text: told.append((title, text)))
    seen = _collect(context)

    def disk_full(_session):
        raise sqlite3.OperationalError("database or disk is full")

    assert run_op(None, context, disk_full, failed_title="没有保存") is None
    assert told and told[0][0] == "没有保存" and "磁盘空间已满" in told[0][1]
    assert seen == []


def test_a_bug_goes_on_to_the_crash_handler(context):
    seen = _collect(context)

    def bug(_session):
        raise KeyError("oops")

    with pytest.raises(KeyError):
        run_op(None, context, bug)
    assert seen == []


def test_a_read_only_window_is_refused_with_the_usual_message(qtbot, file_db, data_dir, monkeypatch):
    context = AppContext(db=file_db, data_dir=data_dir, read_only=True)
    told: list[str] = []
    monkeypatch.setattr(msgbox, "error", lambda _parent, _title, text: told.append(text))
    assert run_op(None, context, lambda s: ops.add_member(s, Member(name="张伟"))) is None
    assert told and told[0].startswith("数据文件夹是只读的")
    assert context.members.counts().total == 0


def test_a_slow_write_runs_in_a_worker_and_is_announced_once(qtbot, context):
    seen = _collect(context)
    threads: list[threading.Thread] = []
    answers: list[int] = []

    def add(session) -> OpResult[int]:
        threads.append(threading.current_thread())
        return ops.add_member(session, Member(name="张伟"))

    with qtbot.waitSignal(context.events.changes_applied, timeout=5_000):
        run_op_in_background(
            None, context, add, success=answers.append, failure=pytest.fail  # type: ignore[arg-type]
        )
    assert threads and threads[0] is not threading.main_thread()
    assert len(seen) == 1 and seen[0].members
    assert answers and context.members.get(answers[0]).name == "张伟"


def test_the_meetings_page_refreshes_on_meetings_not_on_activities(qtbot, context, monkeypatch):
    page = MeetingsPage(context)
    qtbot.addWidget(page)
    refreshes: list[int] = []
    monkeypatch.setattr(page, "refresh", lambda: refreshes.append(1))
    context.events.changes_applied.emit(Changes.of("activities", "history"))
    context.events.changes_applied.emit(Changes.of("requirements"))
    assert refreshes == []
    context.events.changes_applied.emit(Changes.of("meetings"))
    assert refreshes == [1]


def test_the_roster_follows_an_operation_elsewhere(qtbot, context, monkeypatch):
    page = MembersPage(context)
    qtbot.addWidget(page)
    refreshes: list[int] = []
    original = page.refresh
    monkeypatch.setattr(page, "refresh", lambda: (refreshes.append(1), original()))
    run_op(None, context, lambda s: ops.add_activity_kind(s, "文明实践"))
    assert refreshes == []
    run_op(None, context, lambda s: ops.add_member(s, Member(name="周杰")))
    assert refreshes == [1]
    assert page.model.rowCount() == 1
