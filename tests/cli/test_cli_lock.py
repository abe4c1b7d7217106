"""One writer per data folder: every writing command takes the window's lock; reading does not."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import threading

import pytest
from cli.processes import branchdesk_env
from demo_cache import write_demo_branch
from reports.roster_samples import write_roster

from branchdesk.cli import main
from branchdesk.store.db import DB_FILENAME, SCHEMA_VERSION, open_database
from branchdesk.store.meetings import MeetingRepo
from branchdesk.store.members import MemberRepo
from branchdesk.store.migrations import MIGRATIONS

YESTERDAY = (dt.date.today() - dt.timedelta(days=1)).isoformat()
LAST_MONTH = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
# What the second window says, in the words a person uses: who, where, since when.
WINDOW_MESSAGE = re.compile(
    r"这个数据文件夹正由本机上的另一个 BranchDesk 窗口使用（今天 \d\d:\d\d 起）。"
)


@pytest.fixture(scope="module")
def demo_branch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo") / "data"
    write_demo_branch(folder, members=16, seed=4)
    return folder


@pytest.fixture
def branch(demo_branch, tmp_path):
    """A fresh copy of a demo branch, with the files the commands read."""
    folder = tmp_path / "branch"
    shutil.copytree(demo_branch, folder)
    db = open_database(folder / DB_FILENAME)
    member = MemberRepo(db).list(include_left=False)[0]
    db.close()
    meeting = {"kinds": ["theme_day"], "status": "held", "date": YESTERDAY, "title": "锁测试"}
    (tmp_path / "meeting.json").write_text(json.dumps([meeting], ensure_ascii=False), "utf-8")
    activity = {
        "kind": "志愿服务",
        "title": "锁测试",
        "date": YESTERDAY,
        "hours": 2,
        "participants": [{"member_id": member.id}],
    }
    (tmp_path / "activity.json").write_text(json.dumps([activity], ensure_ascii=False), "utf-8")
    row = ("韩新", "女", "11010519491231002X", "1949-12-31", "1975-07-01", "1976-07-01", "正式")
    write_roster(tmp_path / "花名册.xlsx", [row])
    assert main(["backup", "-o", str(tmp_path / "old.bdbackup"), "--data-dir", str(folder)]) == 0
    return folder


def state(folder):
    """Everything a writer could change: the rows, and the files in the data folder."""
    conn = sqlite3.connect(f"file:{folder / DB_FILENAME}?mode=ro", uri=True)
    try:
        rows = "\n".join(conn.iterdump())
    finally:
        conn.close()
    files = sorted(
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and p.parent.name in ("backups", "attachments")
    )
    return rows, files


WRITERS = {
    "meetings add": lambda d, t: ["meetings", "add", "--json", str(t / "meeting.json")],
    "activities add": lambda d, t: ["activities", "add", "--json", str(t / "activity.json")],
    "members import": lambda d, t: ["members", "import", str(t / "花名册.xlsx")],
    "return --mark-reported": lambda d, t: [
        "return",
        "--month",
        LAST_MONTH,
        "--mark-reported",
        "-o",
        str(t / "月报.xlsx"),
    ],
    "backup": lambda d, t: ["backup"],
    "backup -o": lambda d, t: ["backup", "-o", str(t / "new.bdbackup")],
    "restore": lambda d, t: ["restore", str(t / "old.bdbackup"), "--yes"],
}


@pytest.mark.parametrize("command", list(WRITERS))
def test_a_writing_command_is_refused_while_a_window_holds_the_folder(
    branch, tmp_path, capsys, hold_folder, short_lock_wait, command
):
    argv = [*WRITERS[command](branch, tmp_path), "--data-dir", str(branch)]
    before = state(branch)
    window = hold_folder(branch)
    capsys.readouterr()

    assert main(argv) == 1
    err = capsys.readouterr().err
    assert WINDOW_MESSAGE.search(err), err
    assert "请先关闭另一个 BranchDesk 窗口" in err
    assert "进程" not in err and str(window.process.pid) not in err
    assert not re.search(r"\d{4}-\d\d-\d\d", err)  # no ISO timestamp
    assert state(branch) == before
    assert not (tmp_path / "月报.xlsx").exists() and not (tmp_path / "new.bdbackup").exists()

    # The same command goes through, and changes something, once the window is closed.
    window.release()
    assert main(argv) == 0, capsys.readouterr().err
    assert state(branch) != before or command == "backup -o"


def test_demo_is_refused_in_a_folder_a_window_holds(tmp_path, capsys, hold_folder, short_lock_wait):
    folder = tmp_path / "new"
    folder.mkdir()
    hold_folder(folder)
    assert main(["demo", "--data-dir", str(folder), "--members", "8"]) == 1
    assert WINDOW_MESSAGE.search(capsys.readouterr().err)
    assert not (folder / DB_FILENAME).exists()


def test_a_command_holding_the_folder_is_named_to_the_next(
    branch, tmp_path, capsys, hold_folder, short_lock_wait
):
    hold_folder(branch, "backup")
    argv = ["meetings", "add", "--json", str(tmp_path / "meeting.json"), "--data-dir", str(branch)]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "本机上的 BranchDesk 命令“backup”使用（今天 " in err and "请等它完成后再试" in err


def test_reading_commands_work_beside_the_window_and_write_nothing(
    qapp, branch, tmp_path, capsys, hold_folder, short_lock_wait
):
    db = open_database(branch / DB_FILENAME)
    meeting_id = MeetingRepo(db).summaries()[-1].id
    db.close()
    before = state(branch)
    hold_folder(branch)
    readers = [
        ["members", "list"],
        ["members", "list", "--json"],
        ["members", "export", str(tmp_path / "导出.xlsx")],
        ["members", "import", str(tmp_path / "花名册.xlsx"), "--dry-run"],
        ["meetings", "list"],
        ["activities", "list"],
        ["return", "--month", LAST_MONTH, "-o", str(tmp_path / "月报.xlsx")],
        ["signin", str(meeting_id), "-o", str(tmp_path / "签到表.pdf")],
        ["record", str(meeting_id), "-o", str(tmp_path / "记录.pdf")],
        ["check"],
    ]
    for argv in readers:
        code = main([*argv, "--data-dir", str(branch)])
        captured = capsys.readouterr()
        assert code == 0, (argv, captured.err)
        assert "使用" not in captured.err
    assert state(branch) == before
    for name in ("导出.xlsx", "月报.xlsx", "签到表.pdf", "记录.pdf"):
        assert (tmp_path / name).stat().st_size > 0


def _older_database(folder):
    """A branch written by the BranchDesk before the last schema change."""
    from sqlite_utils import Database

    folder.mkdir()
    db = Database(sqlite3.connect(folder / DB_FILENAME), execute_plugins=False)
    names = MIGRATIONS.names
    MIGRATIONS.apply(db, stop_before=names[-1])
    db.execute("INSERT INTO branch (id, name) VALUES (1, '老版本支部')")
    db.conn.commit()
    db.close()


def _version(folder):
    conn = sqlite3.connect(f"file:{folder / DB_FILENAME}?mode=ro", uri=True)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def test_reading_an_older_database_upgrades_it_under_the_lock(tmp_path, capsys):
    folder = tmp_path / "old"
    _older_database(folder)
    assert main(["members", "list", "--data-dir", str(folder)]) == 0
    assert "共 0 人" in capsys.readouterr().out
    assert _version(folder) == SCHEMA_VERSION


def test_reading_an_older_database_beside_a_window_says_it_must_wait(
    tmp_path, capsys, hold_folder, short_lock_wait
):
    folder = tmp_path / "old"
    _older_database(folder)
    hold_folder(folder)
    assert main(["members", "list", "--data-dir", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "旧版本" in err and WINDOW_MESSAGE.search(err)
    assert _version(folder) == SCHEMA_VERSION - 1


def test_two_writers_started_at_once_queue_and_both_succeed(branch, tmp_path):
    def batch(tag):
        meetings = [
            {"kinds": ["theme_day"], "status": "held", "date": YESTERDAY, "title": f"{tag}-{i:02d}"}
            for i in range(20)
        ]
        path = tmp_path / f"{tag}.json"
        path.write_text(json.dumps(meetings, ensure_ascii=False), "utf-8")
        return path

    env = branchdesk_env(BRANCHDESK_LOCK_WAIT="120")  # a busy machine must not fail the test
    runs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "branchdesk",
                "meetings",
                "add",
                "--json",
                str(batch(tag)),
                "--data-dir",
                str(branch),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for tag in ("甲", "乙")
    ]
    for run in runs:
        out, err = run.communicate(timeout=180)
        assert run.returncode == 0, err
        assert "Traceback" not in out + err
    db = open_database(branch / DB_FILENAME)
    rows = db.execute(
        "SELECT id, title FROM meetings WHERE title LIKE '甲-%' OR title LIKE '乙-%' ORDER BY id"
    ).fetchall()
    db.close()
    assert len(rows) == 40
    titles = [title for _id, title in rows]
    # One batch after the other, each whole and in its own order: nothing interleaved.
    first, second = titles[:20], titles[20:]
    assert {t[0] for t in first} != {t[0] for t in second}
    for half in (first, second):
        assert len({t[0] for t in half}) == 1
        assert half == sorted(half)


def test_a_writer_waits_for_the_folder_and_then_writes(branch, tmp_path, capsys, monkeypatch):
    from branchdesk.store import lock as lock_module

    monkeypatch.setenv("BRANCHDESK_LOCK_WAIT", "60")
    waiting = threading.Event()
    real_sleep = lock_module._sleep

    def sleep(seconds):
        waiting.set()  # the command found the folder taken and is waiting its turn
        real_sleep(seconds)

    monkeypatch.setattr(lock_module, "_sleep", sleep)
    other = lock_module.DataFolderLock(branch, command="meetings add")
    other.acquire()
    result = {}
    argv = ["meetings", "add", "--json", str(tmp_path / "meeting.json"), "--data-dir", str(branch)]
    writer = threading.Thread(target=lambda: result.setdefault("code", main(argv)))
    writer.start()
    try:
        assert waiting.wait(timeout=30), "the command did not wait for the folder"
        assert writer.is_alive() and "锁测试" not in [m.title for m in _meetings(branch)]
    finally:
        other.release()
        writer.join(timeout=60)
    assert result == {"code": 0}, capsys.readouterr().err
    assert "锁测试" in [m.title for m in _meetings(branch)]


def _meetings(folder):
    db = open_database(folder / DB_FILENAME, read_only=True)
    try:
        return MeetingRepo(db).summaries()
    finally:
        db.close()
