"""No stray copies of personal data: partial files are owner-only from their first byte, live
next to their target or in the data folder's own temp area, and the next start removes what a
kill left behind."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from backup_kit import leftovers, make_branch

from branchdesk.store.backup import clean_leftovers, read_backup_info, write_backup
from branchdesk.store.db import DB_FILENAME
from branchdesk.store.restore import restore_backup
from branchdesk.store.workarea import PartialFile, WorkDir
from branchdesk.ui import startup

REPO = Path(__file__).resolve().parents[2]

# Kill the writer right after the first attachment went into the backup file: the partial
# file exists and holds the database by then. Deterministic: no timing involved.
KILLED_BACKUP = """
import os, signal, sys, zipfile
from pathlib import Path
from branchdesk.store.backup import write_backup

write = zipfile.ZipFile.write

def write_then_die(self, filename, arcname=None, *args, **kwargs):
    write(self, filename, arcname, *args, **kwargs)
    if str(arcname).startswith("attachments/"):
        os.kill(os.getpid(), signal.SIGKILL)

zipfile.ZipFile.write = write_then_die
write_backup(Path(sys.argv[1]), Path(sys.argv[2]))
"""


def _private(path: Path) -> bool:
    return stat.S_IMODE(path.lstat().st_mode) & 0o077 == 0


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and file modes are POSIX")
def test_a_killed_backup_to_a_usb_stick_leaves_nothing_readable_then_nothing(tmp_path):
    data = make_branch(tmp_path / "data", photos=3)
    stick = tmp_path / "U盘"
    stick.mkdir()
    system_temp = tmp_path / "system-temp"
    system_temp.mkdir()
    target = stick / "交接.bdbackup"
    env = {**os.environ, "TMPDIR": str(system_temp), "PYTHONPATH": str(REPO)}
    child = subprocess.run(
        [sys.executable, "-c", KILLED_BACKUP, str(data), str(target)],
        env=env, cwd=REPO, capture_output=True, timeout=60,
    )  # fmt: skip
    assert child.returncode == -signal.SIGKILL, child.stderr.decode(errors="replace")
    partial = stick / "交接.bdbackup.partial"
    assert partial.stat().st_size > 0 and not target.exists()
    assert [p.name for p in stick.iterdir()] == [partial.name]
    assert _private(partial)  # 0600 from the first byte, not after the rename
    assert list(system_temp.iterdir()) == []  # no snapshot in the system temp folder
    area = data / "tmp"
    assert stat.S_IMODE(area.stat().st_mode) == 0o700
    assert all(_private(p) for p in area.rglob("*"))
    # the next start (the window, or any automatic backup or restore) removes all of it
    opened = startup.open_data_folder(data)
    assert opened is not None
    opened.close()
    assert list(stick.iterdir()) == []
    assert leftovers(data) == []
    assert clean_leftovers(data) == 0


def test_clean_leftovers_removes_what_interrupted_runs_left(data_dir):
    make_branch(data_dir)
    personal = (data_dir / DB_FILENAME).read_bytes()
    old_staging = data_dir / "restore-k2x9_q7a"  # what an older version's restore left
    old_staging.mkdir()
    (old_staging / DB_FILENAME).write_bytes(personal)
    snapshot = data_dir / "tmp" / "backup-0123456789ab"
    snapshot.mkdir(parents=True)
    (snapshot / DB_FILENAME).write_bytes(personal)
    (data_dir / "backups").mkdir()
    (data_dir / "backups" / "branchdesk-20260101-000000.bdbackup.partial").write_bytes(b"half")
    keep = data_dir / "restore-notes.txt"  # not a staging folder: left alone
    keep.write_text("mine")
    assert clean_leftovers(data_dir) == 3
    assert leftovers(data_dir) == [] and keep.exists()


def test_work_in_progress_is_left_alone(data_dir):
    make_branch(data_dir)
    (data_dir / "backups").mkdir()
    (data_dir.parent / "usb").mkdir()
    with WorkDir(data_dir, "backup") as work, PartialFile(
        data_dir, data_dir / "backups" / "x.bdbackup"
    ) as partial, PartialFile(data_dir, data_dir.parent / "usb" / "y.bdbackup") as outside:
        assert clean_leftovers(data_dir) == 0
        assert work.path.is_dir() and partial.path.exists() and outside.path.exists()
        assert _private(partial.path) and _private(outside.path)
    assert not partial.path.exists() and not outside.path.exists()
    assert leftovers(data_dir) == []


def test_backups_and_restores_use_no_system_temp_folder(data_dir, tmp_path, monkeypatch):
    system_temp = tmp_path / "system-temp"
    system_temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_temp))
    make_branch(data_dir)
    backup = write_backup(data_dir, tmp_path / "b.bdbackup").path
    read_backup_info(backup)
    read_backup_info(backup, data_dir=data_dir)
    restore_backup(data_dir, backup)
    assert list(system_temp.iterdir()) == []
    assert leftovers(data_dir) == []
