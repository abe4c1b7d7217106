"""Child process for the fault-injection test: runs BranchDesk commands, one line each.

``python fault_driver.py ROOT`` reads the commands on stdin and answers on stdout;
``python fault_driver.py ROOT --zygote`` imports everything once and then forks one such
driver per ``SPAWN`` request (see ``zygote``), so that a kill costs a fork, not a start of
the interpreter. A command is JSON, ``{"n": 7, "argv": ["backup", "--data-dir", ...]}``.
For each the driver says ``BEGIN n``, runs ``branchdesk.cli.main(argv)`` with the
command's own output captured, and then one line, flushed:

* ``ACK n {facts}`` when main returned 0 (the command is acknowledged);
* ``FAIL n {facts}`` when it returned non-zero (facts hold the exit code and stderr);
* ``CRASH n {facts}`` when an exception escaped main (a traceback would reach the user).

``facts`` also say how many file-system steps the command took (and how many of them
renamed, removed or changed the mode of a file: its commit points), how long it ran, which
backup files (``*.bdbackup`` under ROOT) it created or changed, and any file of ROOT still
held open after it (a command leaking a handle would not behave like a process of its own).

Faults, also from the JSON: ``"kill_at": K`` sends the driver SIGKILL just before the K-th
file-system step of that command (seen through an audit hook), ``"kill_at_commit": K``
just before its K-th commit point, so the kill lands where a seed says. ``"hold": true``
keeps the command's database connections open after it returned, as the window keeps its
own: a kill then finds its writes still in the write-ahead log.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import io
import json
import os
import signal
import sqlite3
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

# Imported up front, so that only BranchDesk's own work is timed and counted later.
import openpyxl  # noqa: F401

import branchdesk
import branchdesk.reports.activities_json  # noqa: F401
import branchdesk.reports.meetings_json  # noqa: F401
import branchdesk.reports.return_figures  # noqa: F401
import branchdesk.reports.return_workbook  # noqa: F401
import branchdesk.reports.roster_import  # noqa: F401
import branchdesk.store.backup  # noqa: F401
import branchdesk.store.health  # noqa: F401
import branchdesk.store.lock  # noqa: F401
import branchdesk.store.periods  # noqa: F401
from branchdesk.cli import main as cli_main

# Audit events that touch the file system (https://docs.python.org/3/library/audit_events.html).
STEP_EVENTS = frozenset(
    {
        "open",
        "os.chmod",
        "os.link",
        "os.mkdir",
        "os.remove",
        "os.rename",
        "os.rmdir",
        "os.symlink",
        "os.truncate",
        "shutil.copyfile",
        "shutil.move",
        "shutil.rmtree",
        "sqlite3.connect",
        "tempfile.mkdtemp",
        "tempfile.mkstemp",
    }
)


# The steps that change what is already there: where an interrupted command does harm.
COMMIT_EVENTS = frozenset(
    {"os.chmod", "os.remove", "os.rename", "os.rmdir", "shutil.move", "shutil.rmtree"}
)


class StepCounter:
    """Count the file-system steps of the running command; kill the process at step K."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.active = False
        self.steps = 0
        self.commits: list[int] = []
        self.kill_at: int | None = None
        self.kill_at_commit: int | None = None

    def start(self, kill_at: int | None, kill_at_commit: int | None) -> None:
        self.steps = 0
        self.commits = []
        self.kill_at = kill_at
        self.kill_at_commit = kill_at_commit
        self.active = True

    def stop(self) -> int:
        self.active = False
        return self.steps

    def __call__(self, event: str, args: tuple[object, ...]) -> None:
        if not self.active or event not in STEP_EVENTS or not args:
            return
        first = args[0]
        if not isinstance(first, str | bytes | os.PathLike):
            return  # an open() of a file descriptor
        path = os.fsdecode(first)  # type: ignore[arg-type]
        if path.startswith("file:"):
            path = path[5:].split("?", 1)[0]
        # Absolute paths outside ROOT are Python reading its own modules; relative ones are
        # shutil.rmtree's unlinks inside a directory it opened (ROOT is the working folder).
        if os.path.isabs(path) and not path.startswith(self.root):
            return
        self.steps += 1
        if event in COMMIT_EVENTS and os.path.isabs(path):
            self.commits.append(self.steps)
            if self.kill_at_commit is not None and len(self.commits) >= self.kill_at_commit:
                os.kill(os.getpid(), signal.SIGKILL)
        if self.kill_at is not None and self.steps >= self.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)


def _backup_files(root: Path) -> dict[str, tuple[int, int]]:
    found = {}
    for path in root.rglob("*.bdbackup"):
        try:
            stat = path.stat()
        except OSError:
            continue
        found[str(path)] = (stat.st_size, stat.st_mtime_ns)
    return found


def _sha256(path: str) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def _open_files(root: str, own: set[int]) -> list[str]:
    held = []
    fd_dir = Path("/proc/self/fd")
    if not fd_dir.is_dir():
        return held
    for fd in fd_dir.iterdir():
        if int(fd.name) in own:
            continue  # the driver's own command and answer streams
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith(root):
            held.append(target)
    return sorted(held)


Say = Callable[[str], None]
HELD: list[object] = []  # connections a "hold" command keeps open until the process dies


def run(command: dict[str, Any], counter: StepCounter, root: Path, say: Say, own: set[int]) -> None:
    n = command["n"]
    argv = [str(a) for a in command["argv"]]
    before = _backup_files(root)
    out, err = io.StringIO(), io.StringIO()
    say(f"BEGIN {n}")
    started = time.perf_counter()
    counter.start(command.get("kill_at"), command.get("kill_at_commit"))
    crash = None
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = cli_main(argv)
    except BaseException:  # noqa: BLE001 - anything escaping main is what a user would see
        rc = None
        crash = traceback.format_exc()
    steps = counter.stop()
    secs = time.perf_counter() - started
    if command.get("hold"):
        HELD.extend(o for o in gc.get_objects() if isinstance(o, sqlite3.Connection))
    gc.collect()  # close what the command left open, as the end of its process would
    after = _backup_files(root)
    facts = {
        "rc": rc,
        "steps": steps,
        "commits": counter.commits,
        "secs": round(secs, 4),
        "stdout": out.getvalue()[-2000:],
        "stderr": err.getvalue()[-2000:],
        "backups": {
            path: _sha256(path) for path, stamp in after.items() if before.get(path) != stamp
        },
        "removed": sorted(set(before) - set(after)),
        "held_open": [] if command.get("hold") else _open_files(str(root), own),
    }
    if crash is not None:
        facts["traceback"] = crash[-4000:]
        say(f"CRASH {n} {json.dumps(facts, ensure_ascii=False)}")
    elif rc == 0:
        say(f"ACK {n} {json.dumps(facts, ensure_ascii=False)}")
    else:
        say(f"FAIL {n} {json.dumps(facts, ensure_ascii=False)}")


def serve(commands: TextIO, answers: TextIO, counter: StepCounter, root: Path) -> None:
    """Run the commands read from ``commands``, one line each, answering on ``answers``."""

    def say(line: str) -> None:
        answers.write(line + "\n")
        answers.flush()

    own = {commands.fileno(), answers.fileno()}
    say(f"READY {json.dumps(branchdesk.__file__)}")
    for line in commands:
        if line.strip():
            run(json.loads(line), counter, root, say, own)
    say("DONE")


def zygote(root: Path, counter: StepCounter) -> None:
    """Start each driver by fork from this one, started and imported once.

    Every stdin line ``SPAWN COMMANDS ANSWERS`` (two FIFOs) forks a driver that serves
    them; the zygote answers ``PID n`` at once and ``EXIT n code`` when it is gone (-9 for
    a SIGKILL). The child is a process of its own: kill -9 ends it and nothing else.
    """
    for line in sys.stdin:
        word, commands_path, answers_path = line.split()
        assert word == "SPAWN", line
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                with open(commands_path, encoding="utf-8") as commands, open(
                    answers_path, "w", encoding="utf-8"
                ) as answers:
                    serve(commands, answers, counter, root)
            except BaseException:  # noqa: BLE001 - a broken driver must say why, and go
                traceback.print_exc()
                code = 70
            finally:
                os._exit(code)
        print(f"PID {pid}", flush=True)
        _, status = os.waitpid(pid, 0)
        print(f"EXIT {pid} {os.waitstatus_to_exitcode(status)}", flush=True)


def main() -> None:
    root = Path(sys.argv[1]).resolve()
    os.umask(0o022)  # an office PC's default: files others may read unless made private
    counter = StepCounter(str(root))
    sys.addaudithook(counter)
    if sys.argv[2:] == ["--zygote"]:
        print(f"READY {json.dumps(branchdesk.__file__)}", flush=True)
        zygote(root, counter)
    else:
        answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
        serve(sys.stdin, answers, counter, root)


if __name__ == "__main__":
    main()
