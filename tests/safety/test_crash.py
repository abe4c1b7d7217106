"""Kill BranchDesk with SIGKILL while it writes; every acknowledged write survives, none is half done."""

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from demo_cache import write_demo_branch

from branchdesk.store.db import DB_FILENAME

KILLS = int(os.environ.get("BRANCHDESK_CRASH_KILLS", "40"))
WRITER = Path(__file__).with_name("crash_writer.py")


def _run_and_kill(data_dir: Path, rng: random.Random) -> list[int]:
    child = subprocess.Popen(
        [sys.executable, str(WRITER), str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    acked: list[int] = []
    first = threading.Event()

    def read() -> None:
        for line in child.stdout:  # type: ignore[union-attr]
            if line.startswith("ACK "):
                acked.append(int(line.split()[1]))
                first.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    first.wait(timeout=30)
    time.sleep(rng.uniform(0, 0.08))  # somewhere in the middle of a later write
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    reader.join(timeout=10)
    return acked


@pytest.mark.slow
def test_kill_minus_nine_loses_nothing_acknowledged(tmp_path):
    data_dir = tmp_path / "data"
    write_demo_branch(data_dir, members=20, seed=2)
    conn = sqlite3.connect(data_dir / DB_FILENAME)
    base = conn.execute("SELECT coalesce(max(id), 0) FROM meetings").fetchone()[0]
    conn.close()
    rng = random.Random(7)
    acknowledged: set[int] = set()
    for _ in range(KILLS):
        acknowledged.update(_run_and_kill(data_dir, rng))
        conn = sqlite3.connect(data_dir / DB_FILENAME)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
            stored = {r[0] for r in conn.execute("SELECT id FROM meetings WHERE id > ?", [base])}
            assert acknowledged <= stored  # every acknowledged write is there
            # none half done: each crash meeting has its kind, its whole attendance and its history
            for meeting_id, expected, kinds, logged in conn.execute(
                """
                SELECT m.id,
                       (SELECT count(*) FROM attendance a WHERE a.meeting_id = m.id),
                       (SELECT count(*) FROM meeting_kinds k WHERE k.meeting_id = m.id),
                       (SELECT count(*) FROM change_log c WHERE c.entity = 'meeting'
                          AND c.entity_id = CAST(m.id AS TEXT))
                FROM meetings m WHERE m.id > ?
                """,
                [base],
            ):
                assert (expected, kinds, logged) == (expected, 1, 1) and expected >= 15, meeting_id
        finally:
            conn.close()
    assert len(acknowledged) >= KILLS
