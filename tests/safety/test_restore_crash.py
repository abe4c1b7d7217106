"""A restore killed at any step leaves the old data or the restored data, whole (database and
attachments agreeing), with the copy made before the restore present."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from backup_kit import leftovers, make_branch

from branchdesk.store.backup import (
    SAFETY,
    backup_files,
    clean_leftovers,
    read_backup_info,
    write_backup,
)
from branchdesk.store.db import DB_FILENAME
from branchdesk.store.health import check_data_folder

REPO = Path(__file__).resolve().parents[2]
KILLER = Path(__file__).with_name("restore_killer.py")


def _photos(data_dir: Path) -> set[str]:
    folder = data_dir / "attachments"
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def _meetings(data_dir: Path) -> int:
    conn = sqlite3.connect(data_dir / DB_FILENAME)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return conn.execute("SELECT count(*) FROM meetings").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="kills forked children (POSIX)")
def test_a_restore_killed_at_any_step_leaves_old_or_new_data_whole(tmp_path):
    old = make_branch(tmp_path / "old", members=8, seed=3, photos=2)
    new = make_branch(tmp_path / "new", members=12, seed=9, photos=3)
    old_state = (_meetings(old), _photos(old))
    new_state = (_meetings(new), _photos(new))
    assert old_state != new_state
    backup = write_backup(new, tmp_path / "new.bdbackup").path
    root = tmp_path / "runs"
    root.mkdir()

    def run(*kill_points: int) -> list[tuple[int, int]]:
        done = subprocess.run(
            [sys.executable, str(KILLER), str(old), str(backup), str(root),
             *map(str, kill_points)],
            env={**os.environ, "PYTHONPATH": str(REPO)}, cwd=REPO,
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        lines = [line.split() for line in done.stdout.splitlines()]
        return [(int(n), int(code)) for n, code, _ in lines], lines

    [(_, code)], [whole] = run(0)
    assert code == 0
    steps = int(whole[2])
    assert steps >= 20
    results, _ = run(*range(1, steps + 1))
    outcomes = set()
    for kill_at, code in results:
        assert code == -9, kill_at  # each child really was killed mid-restore
        data_dir = root / str(kill_at)
        clean_leftovers(data_dir)  # what the next start does first
        state = (_meetings(data_dir), _photos(data_dir))
        assert state in (old_state, new_state), kill_at
        assert check_data_folder(data_dir) == [], kill_at  # database and attachments agree
        assert leftovers(data_dir) == [], kill_at
        if state == new_state:
            (safety,) = [f.path for f in backup_files(data_dir) if f.kind == SAFETY]
            assert read_backup_info(safety).meetings == old_state[0], kill_at
        outcomes.add("new" if state == new_state else "old")
    assert outcomes == {"old", "new"}
