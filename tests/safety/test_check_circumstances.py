"""`check` tells damage from circumstance: a full disk, a read-only folder or a held lock is
reported as such, and only a file that fails the integrity check is called damaged."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from demo_cache import write_demo_branch
from folders import LATE_MEMBER, Mount, leave_unmerged_wal

from branchdesk.cli import main
from branchdesk.store.db import DB_FILENAME, committed_wal_image, connect_read_only
from branchdesk.store.health import examine_data_folder


@pytest.fixture
def branch_on_mount(mount: Mount, demo_source: Path) -> Path:
    folder = mount.path / "branch"
    shutil.copytree(demo_source, folder)
    return folder


def _check(folder: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["check", "--data-dir", str(folder)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("wal", [False, True], ids=["clean", "unmerged-wal"])
def test_full_disk_is_a_note_not_damage(mount, branch_on_mount, capsys, wal) -> None:
    if wal:
        leave_unmerged_wal(branch_on_mount)
    mount.fill()
    code, out, err = _check(branch_on_mount, capsys)
    assert code == 0, err
    assert "磁盘空间已满" in out and "数据完整" in out
    assert "损坏" not in out + err and "disk I/O error" not in out + err
    mount.free()  # and once there is room again, the same data passes without a note
    code, out, err = _check(branch_on_mount, capsys)
    assert code == 0 and "注意" not in out


@pytest.mark.parametrize("wal", [False, True], ids=["clean", "unmerged-wal"])
def test_read_only_folder_is_a_note_not_damage(mount, branch_on_mount, capsys, wal) -> None:
    if wal:
        leave_unmerged_wal(branch_on_mount)
    mount.read_only()
    try:
        code, out, err = _check(branch_on_mount, capsys)
    finally:
        mount.writable()
    assert code == 0, err
    assert "只读" in out and "数据完整" in out
    assert "损坏" not in out + err and "unable to open" not in out + err


def test_a_held_lock_is_reported_as_such(data_dir) -> None:
    write_demo_branch(data_dir, members=5, seed=2)
    holder = sqlite3.connect(data_dir / DB_FILENAME)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        health = examine_data_folder(data_dir, busy_timeout=0.1)
    finally:
        holder.rollback()
        holder.close()
    assert not health.sound
    assert "另一个程序" in health.problems[0] and "不表示数据损坏" in health.problems[0]
    assert "已损坏" not in "".join(health.problems)


def _flip_bytes(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for offset in range(8192, len(data), 4096):
        data[offset : offset + 64] = b"\xde\xad\xbe\xef" * 16
    path.write_bytes(bytes(data))


def test_real_damage_is_still_called_damage(data_dir, capsys) -> None:
    write_demo_branch(data_dir, members=8, seed=3)
    _flip_bytes(data_dir / DB_FILENAME)
    code, _out, err = _check(data_dir, capsys)
    assert code == 1 and "数据文件已损坏" in err
    (data_dir / DB_FILENAME).write_bytes(b"this is not a database" * 100)
    code, _out, err = _check(data_dir, capsys)
    assert code == 1 and "数据文件已损坏" in err


def test_the_wal_is_read_as_sqlite_reads_it(data_dir, tmp_path) -> None:
    """The memory copy made when no index can be used shows what SQLite itself shows."""
    write_demo_branch(data_dir, members=12, seed=5)
    leave_unmerged_wal(data_dir)
    image = committed_wal_image(data_dir / DB_FILENAME)
    assert image is not None
    copy = tmp_path / "copy"
    shutil.copytree(data_dir, copy)  # SQLite recovers the WAL of this one itself
    own = sqlite3.connect(copy / DB_FILENAME)
    mine = sqlite3.connect(":memory:")
    mine.deserialize(image)
    schema = "SELECT type, name, sql FROM sqlite_master ORDER BY name"
    assert mine.execute(schema).fetchall() == own.execute(schema).fetchall()
    tables = [r[0] for r in own.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        query = f"SELECT * FROM {table}"
        assert mine.execute(query).fetchall() == own.execute(query).fetchall(), table
    assert mine.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    names = [r[0] for r in mine.execute("SELECT name FROM members")]
    assert LATE_MEMBER in names
    own.close()
    mine.close()
    # Without a WAL to apply, the file is read as it is.
    (data_dir / (DB_FILENAME + "-wal")).unlink()
    assert committed_wal_image(data_dir / DB_FILENAME) is None
    opened = connect_read_only(data_dir / DB_FILENAME)
    assert LATE_MEMBER not in [r[0] for r in opened.conn.execute("SELECT name FROM members")]
    opened.conn.close()


def test_any_folder_name_is_read(tmp_path, capsys) -> None:
    folder = tmp_path / "第一支部 #2 ?50% 数据"
    write_demo_branch(folder, members=4, seed=1)
    leave_unmerged_wal(folder)
    opened = connect_read_only(folder / DB_FILENAME)
    names = [row[0] for row in opened.conn.execute("SELECT name FROM members")]
    opened.conn.close()
    assert LATE_MEMBER in names
    assert _check(folder, capsys)[0] == 0


def test_a_write_a_crash_left_half_done_is_rolled_back_not_called_unreadable(
    data_dir, capsys
) -> None:
    """A writer killed in rollback-journal mode leaves a hot -journal; a read-only reader
    cannot roll it back and used to be refused ("attempt to write a readonly database")."""
    import signal
    import subprocess
    import sys

    write_demo_branch(data_dir, members=8, seed=3)
    path = data_dir / DB_FILENAME
    before = _members(path)
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            f"conn = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
            "conn.execute('PRAGMA journal_mode = DELETE')\n"
            "conn.execute('PRAGMA cache_size = 2')\n"  # pages spill into the file mid-write
            "conn.execute('BEGIN IMMEDIATE')\n"
            "conn.execute(\"UPDATE members SET name = name || '（改）'\")\n"
            "conn.execute(\"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n\"\n"
            "             \" WHERE i < 300) INSERT INTO members (name, notes)\"\n"
            "             \" SELECT name || i, printf('%.2000c', 'x') FROM members, n\")\n"
            "print('ready', flush=True)\n"
            "time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "ready"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    journal = path.with_name(DB_FILENAME + "-journal")
    assert journal.exists() and journal.stat().st_size > 0  # a hot journal was left
    code, out, err = _check(data_dir, capsys)
    assert code == 0, err
    assert "上次的写入在完成前被中断" in out and "数据完整" in out
    assert _members(path) == before  # the half-done write is gone, everything saved before is there


def _members(path: Path) -> tuple[int, str]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*), max(name) FROM members").fetchone()
    finally:
        conn.close()
