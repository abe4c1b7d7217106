"""Every failure of a command is one Chinese line and an exit code, never a Python traceback."""

from __future__ import annotations

import datetime as dt
import errno
import json
import shutil
import sqlite3
import subprocess
import sys

import pytest
from cli.processes import branchdesk_env
from demo_cache import write_demo_branch
from folders import fill_disk, tmpfs

from branchdesk.cli import main
from branchdesk.store.db import DB_FILENAME, open_database
from branchdesk.store.meetings import MeetingRepo
from branchdesk.store.members import MemberRepo

YESTERDAY = (dt.date.today() - dt.timedelta(days=1)).isoformat()


@pytest.fixture(scope="module")
def demo_branch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo") / "data"
    write_demo_branch(folder, members=12, seed=2)
    return folder


@pytest.fixture
def branch(demo_branch, tmp_path):
    folder = tmp_path / "branch"
    shutil.copytree(demo_branch, folder)
    return folder


def _meetings_json(path, count=1, minutes=""):
    meetings = [
        {
            "kinds": ["theme_day"],
            "status": "held",
            "date": YESTERDAY,
            "title": f"测试{i}",
            "minutes": minutes,
        }
        for i in range(count)
    ]
    path.write_text(json.dumps(meetings, ensure_ascii=False), "utf-8")
    return path


def _count_meetings(folder):
    db = open_database(folder / DB_FILENAME, read_only=True)
    try:
        return MeetingRepo(db).count()
    finally:
        db.close()


def _recurse(depth=0):
    return _recurse(depth + 1) + 1


def _memory_error(*args, **kwargs):
    raise MemoryError()


def _key_error(*args, **kwargs):
    raise KeyError("某个字段")


@pytest.mark.parametrize(
    "bug, name",
    [
        (lambda *a, **k: _recurse(), "RecursionError"),
        (_memory_error, "MemoryError"),
        (_key_error, "KeyError"),
    ],
)
def test_a_bug_is_logged_and_told_in_one_chinese_line(branch, capsys, monkeypatch, bug, name):
    monkeypatch.setattr(MemberRepo, "list", bug)
    code = main(["members", "list", "--data-dir", str(branch)])
    out, err = capsys.readouterr()
    log = branch / "logs" / "branchdesk.log"
    assert code == 70  # EX_SOFTWARE: a bug, not the user or the disk
    assert "Traceback" not in out + err
    assert err.count("\n") == 1 and err.startswith(f"branchdesk: 内部错误：{name}")
    assert f"详情已写入日志 {log}" in err
    text = log.read_text("utf-8")
    assert "Traceback" in text and name in text and "members" in text


def test_no_traceback_reaches_the_terminal_of_a_real_process(branch):
    script = (
        "import sys\n"
        "from branchdesk.store.members import MemberRepo\n"
        "MemberRepo.list = lambda self, **kw: 1 / 0\n"
        "from branchdesk.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, "members", "list", "--data-dir", str(branch)],
        capture_output=True,
        text=True,
        env=branchdesk_env(),
        timeout=120,
    )
    assert done.returncode == 70
    assert "Traceback" not in done.stdout + done.stderr
    assert "内部错误：ZeroDivisionError" in done.stderr
    assert "ZeroDivisionError" in (branch / "logs" / "branchdesk.log").read_text("utf-8")


@pytest.mark.parametrize(
    "error, message",
    [
        (sqlite3.OperationalError("database or disk is full"), "磁盘空间已满"),
        (sqlite3.OperationalError("attempt to write a readonly database"), "只读"),
        (sqlite3.OperationalError("database is locked"), "正被另一个程序使用"),
        (sqlite3.DatabaseError("database disk image is malformed"), "已损坏"),
        (OSError(errno.ENOSPC, "No space left on device", "/数据"), "磁盘空间已满"),
        (OSError(errno.EROFS, "Read-only file system", "/数据"), "只读"),
        (PermissionError(errno.EACCES, "Permission denied", "/数据"), "没有权限"),
        (FileNotFoundError(errno.ENOENT, "No such file or directory", "/数据"), "找不到"),
    ],
)
def test_the_environment_failing_is_told_as_such(
    branch, tmp_path, capsys, monkeypatch, error, message
):
    def fail(self, *args, **kwargs):
        raise error

    monkeypatch.setattr(MeetingRepo, "add_many", fail)
    before = _count_meetings(branch)
    code = main(
        [
            "meetings",
            "add",
            "--json",
            str(_meetings_json(tmp_path / "m.json")),
            "--data-dir",
            str(branch),
        ]
    )
    out, err = capsys.readouterr()
    assert code == 1
    assert message in err and "内部错误" not in err and "Traceback" not in out + err
    assert err.count("\n") == 1
    assert _count_meetings(branch) == before
    assert not (branch / "logs").exists()  # not a bug: nothing to log


@pytest.fixture
def small_disk(tmp_path):
    with tmpfs(tmp_path / "disk", size="8m") as disk:
        yield disk.path


def test_a_full_disk_during_meetings_add_stores_nothing_and_says_so(small_disk, tmp_path):
    data = small_disk / "data"
    write_demo_branch(data, members=12, seed=2)
    before = _count_meetings(data)
    # 40 meetings of 10,000 characters of minutes each: far more than the room left.
    payload = _meetings_json(tmp_path / "big.json", count=40, minutes="会议记录内容。" * 1500)
    filler = fill_disk(small_disk, leave=256 * 1024)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "branchdesk",
            "meetings",
            "add",
            "--json",
            str(payload),
            "--data-dir",
            str(data),
        ],
        capture_output=True,
        text=True,
        env=branchdesk_env(),
        timeout=120,
    )
    assert done.returncode == 1
    assert "磁盘空间已满" in done.stderr and "Traceback" not in done.stdout + done.stderr
    filler.unlink()
    assert _count_meetings(data) == before
    conn = sqlite3.connect(data / DB_FILENAME)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
