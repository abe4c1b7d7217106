"""Faults a real office PC brings: a full disk, a read-only folder, a second copy, a damaged file."""

import datetime as dt
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time

import pytest
from demo_cache import write_demo_branch

from branchdesk.domain.meetings import Meeting, MeetingKind, build_attendance, expected_members
from branchdesk.store.backup import auto_backup, list_backups
from branchdesk.store.db import DB_FILENAME, StorageError, open_database, storage_error
from branchdesk.store.lock import DataFolderLock, FolderLocked, locked_message, since_text
from branchdesk.store.meetings import MeetingRepo
from branchdesk.store.members import MemberRepo
from branchdesk.ui import msgbox, startup


@pytest.fixture
def branch(data_dir):
    write_demo_branch(data_dir, members=16, seed=4)
    return data_dir


def _meeting(db):
    meeting = Meeting(
        kinds=[MeetingKind.THEME_DAY],
        day=dt.date(2024, 5, 1),
        title="满盘测试",
        minutes="很长的记录。" * 2000,
    )
    meeting.attendance = build_attendance(
        expected_members(MemberRepo(db).list(), meeting.kinds, meeting.day)
    )
    return meeting


def test_a_full_disk_refuses_the_write_whole_with_a_clear_message(branch):
    db = open_database(branch / DB_FILENAME)
    before = (MeetingRepo(db).count(), db.execute("SELECT count(*) FROM attendance").fetchone()[0])
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")  # the disk is now full
    with pytest.raises(sqlite3.OperationalError) as info:
        MeetingRepo(db).add(_meeting(db))
    assert "磁盘空间已满" in storage_error(info.value).message
    after = (MeetingRepo(db).count(), db.execute("SELECT count(*) FROM attendance").fetchone()[0])
    assert after == before
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_read_only_folder_opens_read_only_with_a_banner(branch, monkeypatch):
    monkeypatch.setattr(startup, "folder_writable", lambda folder: False)
    opened = startup.open_data_folder(branch)
    try:
        assert opened.read_only and opened.lock is None
        assert "只读" in opened.banners[0]
        assert MemberRepo(opened.db).counts().total > 0
        with pytest.raises(sqlite3.Error) as info:
            MeetingRepo(opened.db).add(_meeting(opened.db))
        assert "只读" in storage_error(info.value).message
    finally:
        opened.close()


def test_a_second_copy_is_told_who_holds_the_folder(branch):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom pathlib import Path\nfrom branchdesk.store.lock import DataFolderLock\n"
            f"lock = DataFolderLock(Path({str(branch)!r}))\nlock.acquire()\nprint('held', flush=True)\ntime.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(FolderLocked) as info:
            DataFolderLock(branch).acquire()
        message = info.value.message
        # Who and since when, in words: no process number, no ISO timestamp.
        assert re.search(r"正由本机上的另一个 BranchDesk 窗口使用（今天 \d\d:\d\d 起）", message)
        assert str(holder.pid) not in message and "进程" not in message
        assert not re.search(r"\d{4}-\d\d-\d\d", message)
        # a crashed holder leaves its lock file behind; the next start takes it over
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        assert (branch / "branchdesk.lock").exists()
        lock = DataFolderLock(branch)
        lock.acquire()
        lock.release()
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize(
    "since, expected",
    [
        (dt.datetime(2026, 12, 2, 14, 5), "今天 14:05"),
        (dt.datetime(2026, 12, 1, 9, 30), "昨天 09:30"),
        (dt.datetime(2026, 3, 1, 9, 30), "3月1日 09:30"),
        (dt.datetime(2025, 12, 1, 9, 30), "2025年12月1日 09:30"),
    ],
)
def test_since_when_reads_as_people_say_it(since, expected):
    assert since_text(since, now=dt.datetime(2026, 12, 2, 18, 0)) == expected


def test_the_message_names_another_computer_and_a_command():
    now = dt.datetime(2026, 12, 2, 18, 0)
    holder = {"host": "办公室电脑", "pid": 4242, "since": "2026-12-01T09:30:00"}
    message = locked_message(holder, now=now)
    assert message.startswith(
        "这个数据文件夹正由电脑“办公室电脑”上的另一个 BranchDesk 窗口使用（昨天 09:30 起）。"
    )
    assert "4242" not in message
    mine = {"host": socket.gethostname(), "since": "2025-12-01T09:30:00", "command": "backup"}
    assert "正由本机上的 BranchDesk 命令“backup”使用（2025年12月1日 09:30 起）" in locked_message(
        mine, now=now
    )
    # A record that cannot be read (an older copy, a half-written file) still gives a sentence.
    assert locked_message({}, now=now).startswith("这个数据文件夹正由另一个 BranchDesk 窗口使用。")


def test_a_lock_waits_for_a_holder_that_lets_go(branch):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys\nfrom pathlib import Path\nfrom branchdesk.store.lock import DataFolderLock\n"
            f"lock = DataFolderLock(Path({str(branch)!r}))\nlock.acquire()\nprint('held', flush=True)\n"
            "sys.stdin.readline()\nlock.release()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(FolderLocked):
            DataFolderLock(branch).acquire(wait=0.1)  # waits, then gives up
        holder.stdin.write("\n")
        holder.stdin.flush()
        lock = DataFolderLock(branch)
        lock.acquire(wait=60)  # taken as soon as the other lets go
        lock.release()
    finally:
        holder.kill()
        holder.wait()
        holder.stdin.close()
        holder.stdout.close()


def test_the_app_refuses_a_folder_held_by_another_copy(branch, monkeypatch):
    messages = []
    monkeypatch.setattr(msgbox, "error", lambda parent, title, text: messages.append(text))
    first = startup.open_data_folder(branch)
    try:
        assert startup.open_data_folder(branch) is None
        assert "另一个 BranchDesk" in messages[0]
    finally:
        first.close()


def _corrupt(path):
    data = bytearray(path.read_bytes())
    for offset in range(8192, len(data), 4096):
        data[offset : offset + 64] = b"\xde\xad\xbe\xef" * 16
    path.write_bytes(bytes(data))


def test_a_damaged_database_is_kept_aside_and_the_newest_backup_restored(branch, monkeypatch):
    good = auto_backup(branch, now=dt.datetime(2026, 1, 5, 8, 0))
    db_path = branch / DB_FILENAME
    for suffix in ("-wal", "-shm"):
        db_path.with_name(db_path.name + suffix).unlink(missing_ok=True)
    _corrupt(db_path)
    asked = []
    monkeypatch.setattr(
        msgbox, "confirm", lambda parent, title, text, **kw: asked.append(text) or True
    )
    opened = startup.open_data_folder(branch)
    try:
        assert "2026年01月05日 08:00" in asked[0]
        assert list(branch.glob("branchdesk.db.damaged-*"))  # kept, never deleted
        assert MeetingRepo(opened.db).count() == good.meetings
        assert opened.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        opened.close()


def test_a_damaged_database_without_backup_can_start_fresh_or_stop(branch, monkeypatch):
    _corrupt(branch / DB_FILENAME)
    monkeypatch.setattr(msgbox, "confirm", lambda *a, **k: False)
    assert startup.open_data_folder(branch) is None
    assert list(branch.glob("branchdesk.db.damaged-*"))
    assert not (branch / DB_FILENAME).exists()


def test_daily_backup_only_when_due(branch):
    assert startup.backup_if_due(branch, now=dt.datetime(2026, 2, 1, 9, 0))
    assert not startup.backup_if_due(branch, now=dt.datetime(2026, 2, 1, 18, 0))
    assert startup.backup_if_due(branch, now=dt.datetime(2026, 2, 2, 9, 30))
    assert len(list_backups(branch)) == 2


def test_risky_folder_gets_a_warning_banner(tmp_path, monkeypatch):
    risky = tmp_path / "OneDrive" / "文档" / "branch"
    write_demo_branch(risky, members=5)
    monkeypatch.setattr(msgbox, "choose", lambda *a, **k: 1)  # keep using it
    opened = startup.open_data_folder(risky)
    try:
        assert "同步文件夹" in opened.banners[0]
    finally:
        opened.close()


def test_storage_errors_read_like_instructions():
    assert (
        "磁盘空间已满"
        in storage_error(sqlite3.OperationalError("database or disk is full")).message
    )
    assert "另一个程序" in storage_error(sqlite3.OperationalError("database is locked")).message
    assert isinstance(storage_error(sqlite3.DatabaseError("file is not a database")), StorageError)
    time.sleep(0)


def test_the_early_check_started_while_qt_loads_catches_a_damaged_file(branch, monkeypatch):
    from branchdesk.store.backup import EarlyCheck

    good = EarlyCheck.start(branch / DB_FILENAME)
    assert good.passed()
    _corrupt(branch / DB_FILENAME)
    early = EarlyCheck.start(branch / DB_FILENAME)
    monkeypatch.setattr(startup, "quick_check", lambda path: pytest.fail("checked twice"))
    monkeypatch.setattr(msgbox, "confirm", lambda *a, **k: False)
    assert startup.open_data_folder(branch, early) is None
    assert list(branch.glob("branchdesk.db.damaged-*"))
