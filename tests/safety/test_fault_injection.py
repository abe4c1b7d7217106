"""Fault injection over the whole write path: kill -9 at random points, and a full disk.

A driver process (``fault_driver.py``) runs the real command line in a seeded mix --
``meetings add``, ``activities add``, ``members import``, ``backup``, ``backup -o``,
``restore --yes`` and ``return --mark-reported`` -- and acknowledges a command only when it
returned 0. The test kills the driver with SIGKILL at random points (a random delay into a
command, or just before a random file-system step of it), then does what the next start
does and checks what a user would: ``check`` passes; every acknowledged write is there; a
command cut short left all of its change or none; a restore left the old data or the
backup's, whole, attachments included; each restore's safety copy is kept; and no copy of
personal data is left behind in the data folder, readable by others, or in the system temp
folder. A second test runs every command on a real, nearly full disk (a small tmpfs).

Every choice comes from one seed (``BRANCHDESK_FAULT_SEED``); ``BRANCHDESK_FAULT_KILLS``
sets the number of kills (100 by default). A failure names the seed, the round and the
commands of that round.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import os
import queue
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from demo_cache import write_demo_branch
from folders import fill_disk, tmpfs

import branchdesk
from branchdesk.domain.meetings import MeetingKind, expected_members
from branchdesk.domain.members import Member
from branchdesk.domain.requirements import Period
from branchdesk.domain.validation import id_check_character
from branchdesk.store import backup as backup_module
from branchdesk.store.backup import write_backup
from branchdesk.store.db import DB_FILENAME, open_database
from branchdesk.store.health import check_data_folder
from branchdesk.store.members import GroupRepo, MemberRepo

pytestmark = pytest.mark.skipif(
    sys.platform != "linux", reason="the driver needs fork, pidfd and /proc: Linux only"
)

KILLS = int(os.environ.get("BRANCHDESK_FAULT_KILLS", "100"))
SEED = int(os.environ.get("BRANCHDESK_FAULT_SEED", "1313"))
DRIVER = Path(__file__).with_name("fault_driver.py")
# The child processes run in other folders: they must import the branchdesk tested here.
CODE = str(Path(branchdesk.__file__).resolve().parents[1])
OPS = (
    "meetings_add",
    "activities_add",
    "members_import",
    "backup",
    "backup_out",
    "restore",
    "return_reported",
)
# How often each command turns up around the one a round aims its kill at.
MIX = {
    "meetings_add": 3,
    "activities_add": 2,
    "members_import": 2,
    "backup": 1,
    "backup_out": 1,
    "restore": 1,
    "return_reported": 1,
}
DEMO_TODAY = dt.date(2025, 6, 30)
TIMEOUT = 60.0
CJK = re.compile(r"[\u4e00-\u9fff]")


# --- what a user would look at: the state of a data folder ----------------------------------


@dataclasses.dataclass(frozen=True)
class State:
    """Everything the commands write, as a user would check it."""

    meetings: tuple[Any, ...]  # (title, ((name, status), ...) of those not present)
    activities: tuple[Any, ...]  # (title, ((name, hours), ...))
    members: tuple[Any, ...]  # (id number, name, 工作单位及职务)
    reported: tuple[str, ...]  # period codes marked reported
    attachment_rows: tuple[str, ...]  # stored names the database refers to
    attachment_files: tuple[Any, ...]  # (name, size) in attachments/

    def with_(self, **changes: Iterable[Any]) -> State:
        return dataclasses.replace(self, **{k: tuple(sorted(v)) for k, v in changes.items()})

    def diff(self, other: State) -> str:
        """What ``other`` lacks and what it has in addition, field by field."""
        parts = []
        for field in dataclasses.fields(self):
            mine = collections.Counter(getattr(self, field.name))
            theirs = collections.Counter(getattr(other, field.name))
            lost, extra = list((mine - theirs).elements()), list((theirs - mine).elements())
            if lost:
                parts.append(f"{field.name} missing {len(lost)}: {lost[:3]}")
            if extra:
                parts.append(f"{field.name} unexpected {len(extra)}: {extra[:3]}")
        return "; ".join(parts) or "same"

    def distance(self, other: State) -> int:
        total = 0
        for field in dataclasses.fields(self):
            mine = collections.Counter(getattr(self, field.name))
            theirs = collections.Counter(getattr(other, field.name))
            total += sum((mine - theirs).values()) + sum((theirs - mine).values())
        return total


def _read_db(db_path: Path, mode: str = "ro") -> dict[str, tuple[Any, ...]]:
    conn = sqlite3.connect(f"file:{db_path}?mode={mode}", uri=True, timeout=10)
    try:
        not_present: dict[int, list[tuple[str, str]]] = collections.defaultdict(list)
        for meeting_id, name, status in conn.execute(
            "SELECT meeting_id, name, status FROM attendance WHERE status != 'present'"
        ):
            not_present[meeting_id].append((name, status))
        participants: dict[int, list[tuple[str, float]]] = collections.defaultdict(list)
        for activity_id, name, hours in conn.execute(
            "SELECT activity_id, name, hours FROM activity_participants"
        ):
            participants[activity_id].append((name, float(hours)))
        rows = [r[0] for r in conn.execute("SELECT stored_name FROM meeting_attachments")]
        rows += [r[0] for r in conn.execute("SELECT stored_name FROM activity_attachments")]
        return {
            "meetings": tuple(
                sorted(
                    (title, tuple(sorted(not_present[i])))
                    for i, title in conn.execute("SELECT id, title FROM meetings")
                )
            ),
            "activities": tuple(
                sorted(
                    (title, tuple(sorted(participants[i])))
                    for i, title in conn.execute("SELECT id, title FROM activities")
                )
            ),
            "members": tuple(
                sorted(conn.execute("SELECT coalesce(id_number, ''), name, workplace FROM members"))
            ),
            "reported": tuple(
                sorted(r[0] for r in conn.execute("SELECT code FROM reported_periods WHERE locked"))
            ),
            "attachment_rows": tuple(sorted(rows)),
        }
    finally:
        conn.close()


def read_state(data_dir: Path, scratch: Path) -> State:
    """What the next start finds in a data folder, which is left as it is.

    The database is read from a copy with its journal files, opened for writing, so that
    SQLite finishes or rolls back there what a killed writer left, as the next writer would.
    """
    folder = data_dir / "attachments"
    files = sorted(
        (p.name, p.stat().st_size) for p in folder.iterdir() if p.is_file()
    ) if folder.is_dir() else []
    work = scratch / "live"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        if not (data_dir / DB_FILENAME).exists():
            raise FileNotFoundError(data_dir / DB_FILENAME)
        for suffix in ("", "-wal", "-journal"):
            source = data_dir / f"{DB_FILENAME}{suffix}"
            if source.exists():
                shutil.copyfile(source, work / source.name)
        content = _read_db(work / DB_FILENAME, mode="rw")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return State(**content, attachment_files=tuple(files))


def read_backup_state(path: Path, scratch: Path) -> State:
    """What a backup file holds, read from its own database, not from its manifest."""
    work = scratch / f"read-{path.name}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        with zipfile.ZipFile(path) as archive:
            archive.extract(DB_FILENAME, work)
            files = sorted(
                (Path(info.filename).name, info.file_size)
                for info in archive.infolist()
                if info.filename.startswith("attachments/") and not info.is_dir()
            )
        return State(**_read_db(work / DB_FILENAME), attachment_files=tuple(files))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def start_up_cleanup(data_dir: Path) -> None:
    """What the next start does with the leftovers of a crash."""
    clean = backup_module.clean_leftovers
    clean(data_dir)


# SQLite's own files (a -journal is rolled back by the next writer), the lock, the folders
# of the data, the log, and the temp area (which must be empty after the start).
_DATA_FILES = {
    "branchdesk.db",
    "branchdesk.db-wal",
    "branchdesk.db-shm",
    "branchdesk.db-journal",
    "branchdesk.lock",
    "backups",
    "attachments",
    "logs",
}
# What a restore keeps on purpose when it finds the data damaged: never a leftover.
_KEPT_ASIDE = re.compile(r"^(branchdesk\.db\.damaged-|attachments\.before-restore-)")


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if not p.is_dir())


def _is_database_or_archive(path: Path) -> bool:
    with open(path, "rb") as handle:
        start = handle.read(16)
    return start.startswith((b"SQLite format 3", b"PK"))


def _readable_by_others(path: Path, top: Path) -> bool:
    """Whether another user can read ``path``: its mode, and every folder from ``top`` down."""
    if not path.stat().st_mode & 0o044:
        return False
    folder = path.parent
    while True:
        if not folder.stat().st_mode & 0o011:
            return False
        if folder == top or folder == folder.parent:
            return True
        folder = folder.parent


def leftovers(data_dir: Path, outputs: Path, system_temp: Path) -> list[tuple[str, str]]:
    """Copies of personal data a crash left behind, after the next start cleaned up."""
    found = []
    for path in sorted(data_dir.iterdir()):
        if path.name in _DATA_FILES or _KEPT_ASIDE.match(path.name):
            continue
        held = [p for p in ([path] if not path.is_dir() else _files(path)) if p.stat().st_size]
        if held:  # an empty file or folder holds no data
            inside = f" ({len(held)} files inside)" if path.is_dir() else ""
            found.append(("left in the data folder", path.name + inside))
    backups = data_dir / "backups"
    if backups.is_dir():  # backups, and whatever notes go with them, but no unfinished copy
        for item in _files(backups):
            if item.name.endswith(".partial") or _is_database_or_archive(item) and (
                not item.name.endswith(".bdbackup")
            ):
                found.append(("left in the data folder", str(item.relative_to(data_dir))))
    for top in (data_dir, outputs):
        for item in _files(top):
            if item.suffix not in (".lock", ".log") and _readable_by_others(item, top):
                mode = oct(item.stat().st_mode & 0o777)
                found.append(("readable by others", f"{item.relative_to(top)} ({mode})"))
    for item in sorted(system_temp.iterdir()):
        held = [p for p in ([item] if not item.is_dir() else _files(item)) if p.stat().st_size]
        if not held or (not item.is_dir() and item.read_bytes() == b"blat"):
            continue  # empty, or Python's probe that the folder is writable: no data in it
        inside = f" ({len(held)} files inside)" if item.is_dir() else ""
        found.append(("left in the system temp folder", item.name + inside))
    return found


# --- the branch the commands work on ----------------------------------------------------------


def _attach(data_dir: Path, count: int, tag: str, rng: random.Random) -> None:
    """Attach ``count`` photos to the demo meetings (the store's tables, as the window does)."""
    folder = data_dir / "attachments"
    folder.mkdir(exist_ok=True)
    conn = sqlite3.connect(data_dir / DB_FILENAME)
    try:
        meeting_ids = [r[0] for r in conn.execute("SELECT id FROM meetings ORDER BY id")]
        with conn:
            for i in range(count):
                stored = f"20250101-{tag}{i:04d}.jpg"
                (folder / stored).write_bytes(rng.randbytes(2048 + 97 * i))
                conn.execute(
                    "INSERT INTO meeting_attachments (meeting_id, filename, stored_name) "
                    "VALUES (?, ?, ?)",
                    [meeting_ids[i % len(meeting_ids)], f"合影{tag}{i}.jpg", stored],
                )
    finally:
        conn.close()


@dataclasses.dataclass
class Branch:
    data: Path
    inputs: Path
    outputs: Path
    members: list[Member]  # the demo roster: every backup holds it
    group: str
    sources: dict[Path, State]  # backups made before the run: what restore can bring back


def make_branch(root: Path, data: Path, outputs: Path, rng: random.Random) -> Branch:
    """A demo branch with photos, and two handover backups that differ in them."""
    write_demo_branch(data, members=20, seed=5, today=DEMO_TODAY)
    inputs = root / "inputs"
    inputs.mkdir()
    outputs.mkdir(exist_ok=True)
    _attach(data, 30, "a", rng)
    first = write_backup(data, inputs / "handover-a.bdbackup").path
    _attach(data, 30, "b", rng)
    second = write_backup(data, inputs / "handover-ab.bdbackup").path
    db = open_database(data / DB_FILENAME)
    try:
        members = MemberRepo(db).list()
        group = GroupRepo(db).list()[0].name
    finally:
        db.close()
    scratch = root / "scratch"
    scratch.mkdir()
    sources = {path: read_backup_state(path, scratch) for path in (first, second)}
    assert sources[first] != sources[second]
    return Branch(data, inputs, outputs, members, group, sources)


# --- the commands ---------------------------------------------------------------------------


@dataclasses.dataclass
class Op:
    n: int
    kind: str
    argv: list[str]
    effect: Callable[[State], State]  # what an acknowledged run does to the data
    output: Path | None = None
    source: Path | None = None

    def describe(self) -> str:
        args = " ".join(a for a in self.argv if not a.startswith("/")) or ""
        extra = f" {self.source.name}" if self.source else ""
        return f"#{self.n} {self.kind}{extra} ({args})"


_DIGITS = "零一二三四五六七八九"
ROSTER_HEADER = [
    "序号",
    "姓名",
    "性别",
    "出生日期",
    "身份证号",
    "入党时间",
    "转正时间",
    "党员类别",
    "党小组",
    "工作单位及职务",
    "状态",
]


class Commands:
    """Seeded commands with unique titles and names, and what each does when acknowledged."""

    def __init__(self, branch: Branch, rng: random.Random) -> None:
        self.branch = branch
        self.rng = rng
        self.n = 0
        self.people = 0
        self.sources = dict(branch.sources)  # acknowledged -o backups join these

    def make(self, kind: str, **options: Any) -> Op:
        self.n += 1
        return getattr(self, f"_{kind}")(self.n, **options)

    def _day(self) -> dt.date:
        return dt.date(2024, 1, 1) + dt.timedelta(days=self.rng.randrange(360))

    def _data(self) -> list[str]:
        return ["--data-dir", str(self.branch.data)]

    def _meetings_add(self, n: int) -> Op:
        items, added = [], []
        for i in range(self.rng.randint(1, 5)):
            day = self._day()
            title = f"FI-会议-{n}-{i}"
            expected = expected_members(self.branch.members, [MeetingKind.THEME_DAY], day)
            marked = self.rng.sample(expected, self.rng.randint(0, min(3, len(expected))))
            statuses = [self.rng.choice(["leave", "absent"]) for _ in marked]
            items.append(
                {
                    "kinds": ["theme_day"],
                    "date": day.isoformat(),
                    "title": title,
                    "place": "党员活动室",
                    "minutes": f"第 {n} 次写入的会议记录。" * self.rng.randint(1, 200),
                    "attendance": [
                        {"member_id": m.id, "status": s, "reason": "出差" if s == "leave" else ""}
                        for m, s in zip(marked, statuses, strict=True)
                    ],
                }
            )
            marks = zip(marked, statuses, strict=True)
            added.append((title, tuple(sorted((m.name, s) for m, s in marks))))
        path = self.branch.inputs / f"meetings-{n}.json"
        path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
        return Op(
            n,
            "meetings_add",
            ["meetings", "add", "--json", str(path), *self._data()],
            lambda s: s.with_(meetings=[*s.meetings, *added]),
        )

    def _activities_add(self, n: int) -> Op:
        items, added = [], []
        for i in range(self.rng.randint(1, 3)):
            title = f"FI-活动-{n}-{i}"
            people = self.rng.sample(self.branch.members, self.rng.randint(1, 4))
            hours = [self.rng.choice([1.0, 1.5, 2.0, 3.5]) for _ in people]
            items.append(
                {
                    "kind": "志愿服务",
                    "title": title,
                    "date": self._day().isoformat(),
                    "participants": [
                        {"member_id": m.id, "hours": h} for m, h in zip(people, hours, strict=True)
                    ],
                }
            )
            spent = zip(people, hours, strict=True)
            added.append((title, tuple(sorted((m.name, h) for m, h in spent))))
        path = self.branch.inputs / f"activities-{n}.json"
        path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
        return Op(
            n,
            "activities_add",
            ["activities", "add", "--json", str(path), *self._data()],
            lambda s: s.with_(activities=[*s.activities, *added]),
        )

    def _new_person(self) -> tuple[str, list[Any]]:
        self.people += 1
        k = self.people
        name = "试" + "".join(_DIGITS[int(d)] for d in str(k))
        birth = dt.date(1960, 1, 1) + dt.timedelta(days=37 * k)
        first17 = f"110105{birth:%Y%m%d}{(k % 50) * 2 + 1:03d}"  # odd: 男
        id_number = first17 + id_check_character(first17)
        joined = dt.date(birth.year + 25, birth.month, min(birth.day, 28))
        full = dt.date(joined.year + 1, joined.month, joined.day)
        row = [
            k, name, "男", birth, id_number, joined, full, "正式", self.branch.group,
            f"FI单位{k}", "在册",
        ]
        return id_number, row

    def _members_import(self, n: int) -> Op:
        wb = openpyxl.Workbook()
        sheet = wb.active
        sheet.append(ROSTER_HEADER)
        changes: dict[str, tuple[str, str]] = {}
        for _ in range(self.rng.randint(1, 3)):
            id_number, row = self._new_person()
            sheet.append(row)
            changes[id_number] = (row[1], row[9])
        known = [m for m in self.branch.members if m.id_number]
        for member in self.rng.sample(known, self.rng.randint(1, 2)):
            workplace = f"FI更新{n}"
            sheet.append([None, member.name, None, None, member.id_number, None, None,
                          None, None, workplace, None])
            changes[member.id_number] = (member.name, workplace)
        for row in sheet.iter_rows(min_col=5, max_col=5, min_row=2):
            row[0].number_format = "@"
        path = self.branch.inputs / f"roster-{n}.xlsx"
        wb.save(path)

        def effect(s: State) -> State:
            kept = [m for m in s.members if m[0] not in changes]
            return s.with_(members=kept + [(i, *v) for i, v in changes.items()])

        return Op(n, "members_import", ["members", "import", str(path), *self._data()], effect)

    def _backup(self, n: int) -> Op:
        return Op(n, "backup", ["backup", *self._data()], lambda s: s)

    def _backup_out(self, n: int) -> Op:
        target = self.branch.outputs / f"bk-{n}.bdbackup"
        return Op(
            n, "backup_out", ["backup", "-o", str(target), *self._data()], lambda s: s, target
        )

    def _restore(self, n: int, source: Path | None = None) -> Op:
        known = sorted(self.sources)  # which backups were acknowledged depends on the kills,
        source = source or known[int(self.rng.random() * len(known))]  # the draws do not
        content = self.sources[source]
        return Op(
            n,
            "restore",
            ["restore", str(source), "--yes", *self._data()],
            lambda s: content,
            source=source,
        )

    def _return_reported(self, n: int) -> Op:
        month = f"2023-{self.rng.randint(1, 12):02d}"
        code = Period.parse(month).code
        target = self.branch.outputs / f"return-{n}.xlsx"
        return Op(
            n,
            "return_reported",
            ["return", "--month", month, "-o", str(target), "--mark-reported", *self._data()],
            lambda s: s.with_(reported={*s.reported, code}),
            target,
        )


# --- the driver process ---------------------------------------------------------------------


class Zygote:
    """The one interpreter, started and imported once per test, that forks every driver."""

    def __init__(self, root: Path, system_temp: Path, fifos: Path) -> None:
        self.fifos = fifos
        fifos.mkdir(exist_ok=True)
        self.child = subprocess.Popen(
            [sys.executable, str(DRIVER), str(root), "--zygote"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            cwd=root,
            env=_child_env(TMPDIR=str(system_temp)),
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.errors: list[str] = []
        self.spawned = 0
        threading.Thread(target=_pump, args=(self.child.stdout, self.lines), daemon=True).start()
        threading.Thread(target=self._read_errors, daemon=True).start()
        _check_ready(self.next_line(), self.stderr)

    def _read_errors(self) -> None:
        for line in self.child.stderr:  # type: ignore[union-attr]
            self.errors.append(line)

    @property
    def stderr(self) -> str:
        return "".join(self.errors[-40:])

    def next_line(self) -> str | None:
        try:
            return self.lines.get(timeout=TIMEOUT)
        except queue.Empty:
            raise AssertionError(f"the fault driver stopped answering\n{self.stderr}") from None

    def spawn(self) -> Driver:
        self.spawned += 1
        commands, answers = (self.fifos / f"{self.spawned}.{end}" for end in ("in", "out"))
        os.mkfifo(commands)
        os.mkfifo(answers)
        self.child.stdin.write(f"SPAWN {commands} {answers}\n")  # type: ignore[union-attr]
        self.child.stdin.flush()  # type: ignore[union-attr]
        word, pid = (self.next_line() or "").split()
        assert word == "PID", word
        return Driver(self, int(pid), commands, answers)

    def close(self) -> None:
        self.child.stdin.close()  # type: ignore[union-attr]
        try:
            self.child.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.child.kill()
            self.child.wait()
            raise


def _pump(stream: Any, lines: queue.Queue[str | None]) -> None:
    for line in stream:
        if line.endswith("\n"):  # a line cut by the kill was never said
            lines.put(line[:-1])
    lines.put(None)


def _check_ready(line: str | None, stderr: str) -> None:
    assert line is not None and line.startswith("READY "), stderr
    # the driver runs the branchdesk under test, not another copy on the path
    assert Path(json.loads(line[6:])).resolve() == Path(branchdesk.__file__).resolve()


class Driver:
    """One driver process (a fork of the zygote), the commands it is given and its answers."""

    def __init__(self, zygote: Zygote, pid: int, commands: Path, answers: Path) -> None:
        self.zygote = zygote
        self.pid = pid
        self.pidfd = os.pidfd_open(pid)  # signals reach this process, never a reused pid
        self.fifos = (commands, answers)
        streams: list[Any] = []

        def open_streams() -> None:  # each open waits for the driver to open the other end
            streams.append(open(commands, "w", encoding="utf-8"))  # noqa: SIM115
            streams.append(open(answers, encoding="utf-8"))  # noqa: SIM115

        opener = threading.Thread(target=open_streams, daemon=True)
        opener.start()
        opener.join(TIMEOUT)
        if len(streams) < 2:
            self.kill()
            raise AssertionError(f"the fault driver did not start\n{self.stderr}")
        self.input, self.answers = streams  # closed in finish
        self.lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=_pump, args=(self.answers, self.lines))
        self._reader.daemon = True
        self._reader.start()
        _check_ready(self.next_line(), self.stderr)

    @property
    def stderr(self) -> str:
        return self.zygote.stderr

    def send(self, op: Op, **options: Any) -> None:
        """Queue a command; ``kill_at``, ``kill_at_commit`` and ``hold`` as the driver says."""
        line = json.dumps({"n": op.n, "argv": op.argv, **options}, ensure_ascii=False)
        try:
            self.input.write(line + "\n")
            self.input.flush()
        except BrokenPipeError:
            pass  # killed already: the rest is never run

    def close_input(self) -> None:
        try:
            self.input.close()
        except BrokenPipeError:
            pass

    def next_line(self) -> str | None:
        try:
            return self.lines.get(timeout=TIMEOUT)
        except queue.Empty:
            self.kill()
            raise AssertionError(f"the fault driver stopped answering\n{self.stderr}") from None

    def kill(self) -> None:
        try:
            signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
        except ProcessLookupError:
            pass  # it had finished

    def finish(self) -> int:
        """Wait for the driver to end; its exit code (-9 when killed)."""
        self.close_input()
        word, pid, code = (self.zygote.next_line() or "").split()
        assert (word, int(pid)) == ("EXIT", self.pid), (word, pid)
        self._reader.join(timeout=TIMEOUT)
        self.answers.close()
        os.close(self.pidfd)
        for fifo in self.fifos:
            fifo.unlink()
        return int(code)


def parse(line: str) -> tuple[str, int, dict[str, Any]]:
    word, _, rest = line.partition(" ")
    number, _, facts = rest.partition(" ")
    return word, int(number), json.loads(facts) if facts else {}


# --- the checks after each kill -------------------------------------------------------------


class Problems:
    """Everything wrong found during a run, grouped by kind, with the first examples."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.found: dict[str, list[str]] = collections.defaultdict(list)
        self._seen: set[tuple[str, str]] = set()

    def add(self, kind: str, where: str, detail: str, *, once: bool = False) -> None:
        """Note a problem; with ``once``, a lasting one (a stray file) only when first seen."""
        if once:
            if (kind, detail) in self._seen:
                return
            self._seen.add((kind, detail))
        self.found[kind].append(f"{where}: {detail}")

    def __bool__(self) -> bool:
        return bool(self.found)

    def report(self, title: str, full: Path) -> str:
        """The first examples of each kind; every one is written to ``full``."""
        lines = [f"{title} (BRANCHDESK_FAULT_SEED={self.seed}) found:"]
        everything = list(lines)
        for kind, items in self.found.items():
            lines.append(f"- {kind} x{len(items)}")
            lines += [f"    {item}" for item in items[:3]]
            everything += [f"- {kind} x{len(items)}", *(f"    {item}" for item in items)]
        full.write_text("\n".join(everything) + "\n", encoding="utf-8")
        return "\n".join([*lines, f"(all of them in {full})"])


@dataclasses.dataclass
class Kept:
    """A safety copy made by a restore: what it must hold, and its file as last checked."""

    sha: str
    content: State
    label: str
    checked: bool = False


class Run:
    """The data folder, what it must hold, and every check the next start can make."""

    def __init__(
        self, zygote: Zygote, root: Path, branch: Branch, system_temp: Path, problems: Problems
    ) -> None:
        self.zygote = zygote
        self.branch = branch
        self.system_temp = system_temp
        self.scratch = root / "scratch"
        self.problems = problems
        self.scratch.mkdir(exist_ok=True)
        self.state = read_state(branch.data, self.scratch)
        self.safety: dict[str, Kept] = {}  # the restores' safety copies, by path
        self.to_verify: list[tuple[str, str, State, str]] = []  # backup, sha256, content, by
        self.steps: dict[str, int] = {}  # the most file-system steps seen, by command
        self.commits: dict[str, int] = {}  # the most commit points seen, by command
        self.secs: dict[str, list[float]] = collections.defaultdict(list)
        self.acked: collections.Counter[str] = collections.Counter()
        self.kill_rng = random.Random(f"{problems.seed} kills")

    def replay(
        self, where: str, ops: dict[int, Op], lines: list[str], commands: Commands,
        *, faults_expected: bool,
    ) -> tuple[Op | None, list[State]]:
        """Apply the acknowledged commands to the expected state; return the one cut short
        and the states it may have left (before, or after all of its change)."""
        state = self.state
        running: Op | None = None
        for line in lines:
            word, number, facts = parse(line)
            op = ops[number]
            if word == "BEGIN":
                running = op
                continue
            running = None
            label = f"{where} {op.describe()}"
            if facts.get("held_open"):
                self.problems.add(
                    "a command left files open after it returned", label, str(facts["held_open"])
                )
            if word == "CRASH":
                self.problems.add("a traceback escaped the command", label, facts["traceback"])
                continue
            if word == "FAIL":
                self._check_message(label, facts)
                if not faults_expected:
                    self.problems.add(
                        "a command failed with no fault injected", label, facts["stderr"].strip()
                    )
                continue
            self.acked[op.kind] += 1
            self.steps[op.kind] = max(self.steps.get(op.kind, 0), facts["steps"])
            self.commits[op.kind] = max(self.commits.get(op.kind, 0), len(facts["commits"]))
            self.secs[op.kind].append(facts["secs"])
            made = {p: sha for p, sha in facts["backups"].items() if sha}
            if op.kind in ("backup", "backup_out"):
                for path, sha in made.items():
                    self.to_verify.append((path, sha, state, label))
                if op.output is not None:
                    if str(op.output) not in made:
                        self.problems.add("an acknowledged backup is not there", label, "")
                    commands.sources[op.output] = state
                elif not any(p.startswith(str(self.branch.data)) for p in made):
                    said = facts["stdout"].strip()
                    self.problems.add("an acknowledged backup is not there", label, said)
            if op.kind == "restore":
                safety = [p for p in made if p.startswith(str(self.branch.data))]
                if not safety:
                    self.problems.add("a restore made no safety copy", label, str(made))
                for path in safety:
                    self.safety[path] = Kept(made[path], state, label)
            state = op.effect(state)
        self.state = state
        if running is None:
            return None, [state]
        return running, [state, running.effect(state)]

    def _check_message(self, label: str, facts: dict[str, Any]) -> None:
        text = facts["stderr"] + facts["stdout"]
        if "Traceback" in text or not CJK.search(facts["stderr"]):
            self.problems.add(
                "a failure without a Chinese message, or with a traceback", label, text.strip()
            )

    def after_start(self, where: str, candidates: list[State], running: Op | None) -> None:
        """Clean up as the next start does, then check the folder a user would open."""
        start_up_cleanup(self.branch.data)
        for kind, item in leftovers(self.branch.data, self.branch.outputs, self.system_temp):
            self.problems.add(f"{kind} after the next start", where, item, once=True)
        for problem in check_data_folder(self.branch.data):
            self.problems.add("check fails", where, problem, once=True)
        try:
            actual = read_state(self.branch.data, self.scratch)
        except (sqlite3.Error, OSError) as exc:
            self.problems.add("the data folder cannot be read", where, repr(exc))
            return
        if actual not in candidates:
            nearest = min(candidates, key=actual.distance)
            what = "restore left neither the old data nor the backup's, whole" if (
                running is not None and running.kind == "restore"
            ) else "an acknowledged write is missing, or a command was left half done"
            self.problems.add(what, where, nearest.diff(actual))
        self.state = actual
        self._verify_backups()
        self._check_safety_copies(where)
        if running is not None and running.kind == "restore" and actual == candidates[1] != (
            candidates[0]
        ):
            self._find_safety_copy(where, candidates[0])

    def _verify_backups(self) -> None:
        """Each acknowledged backup holds the data as it was when it was made."""
        for path, sha, content, label in self.to_verify:
            current = Path(path)
            if not current.exists() or _sha256(current) != sha:
                continue  # rotated or replaced since; the safety copies are watched apart
            try:
                held = read_backup_state(current, self.scratch)
            except (sqlite3.Error, OSError, zipfile.BadZipFile, KeyError) as exc:
                self.problems.add("an acknowledged backup cannot be read", label, repr(exc))
                continue
            if held != content:
                self.problems.add(
                    "a backup does not hold the data it was made of", label, content.diff(held)
                )
        self.to_verify.clear()

    def _check_safety_copies(self, where: str) -> None:
        """A restore's safety copy stays, holding what that restore replaced."""
        for path, kept in list(self.safety.items()):
            current = Path(path)
            if not current.exists():
                self.problems.add(
                    "a restore's safety copy was deleted", where, f"{current.name} of {kept.label}"
                )
                del self.safety[path]
                continue
            sha = _sha256(current)
            if kept.checked and sha == kept.sha:
                continue
            try:
                held = read_backup_state(current, self.scratch)
            except (sqlite3.Error, OSError, zipfile.BadZipFile, KeyError) as exc:
                held = None
                detail = repr(exc)
            else:
                detail = kept.content.diff(held)
            if held != kept.content:
                what = "overwritten" if sha != kept.sha else "not what the restore replaced"
                self.problems.add(
                    f"a restore's safety copy was {what}",
                    where,
                    f"{current.name} of {kept.label}: {detail}",
                )
                del self.safety[path]
                continue
            kept.sha, kept.checked = sha, True

    def _find_safety_copy(self, where: str, replaced: State) -> None:
        """A restore cut short after it replaced the data must have kept what it replaced."""
        if any(kept.content == replaced for kept in self.safety.values()):
            return
        for path in sorted((self.branch.data / "backups").rglob("*.bdbackup")):
            if str(path) in self.safety:
                continue
            try:
                held = read_backup_state(path, self.scratch)
            except (sqlite3.Error, OSError, zipfile.BadZipFile, KeyError):
                continue
            if held == replaced:
                self.safety[str(path)] = Kept(_sha256(path), held, where, checked=True)
                return
        self.problems.add("a restore cut short kept no copy of what it replaced", where, "")

    def mean_secs(self, kind: str) -> float:
        times = self.secs.get(kind)
        return sum(times) / len(times) if times else 0.05


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _child_env(**extra: str) -> dict[str, str]:
    path = os.pathsep.join(p for p in (CODE, os.environ.get("PYTHONPATH", "")) if p)
    return dict(os.environ, PYTHONPATH=path, PYTHONDONTWRITEBYTECODE="1", **extra)


# --- kill -9 ----------------------------------------------------------------------------------


@dataclasses.dataclass
class Plan:
    """One driver life: its commands, and where the kill is aimed."""

    ops: list[Op]
    options: dict[int, dict[str, Any]] = dataclasses.field(default_factory=dict)
    aim: int | None = None  # a timed kill: the number of the command it lands in,
    delay: float = 0.0  # this many seconds after that command began
    fallback: random.Random | None = None  # a step kill that missed: time the next command
    label: str = ""

    @property
    def hold(self) -> Op | None:
        """The last command, when it keeps its connection open until the kill (the window)."""
        return self.ops[-1] if self.options.get(self.ops[-1].n, {}).get("hold") else None


def run_plan(run: Run, commands: Commands, plan: Plan) -> tuple[bool, Op | None]:
    """Run the plan, kill, start again and check; return whether the kill landed, and
    which command it cut short."""
    by_number = {op.n: op for op in plan.ops}
    driver = run.zygote.spawn()
    for op in plan.ops:
        driver.send(op, **plan.options.get(op.n, {}))
    if plan.hold is None:
        driver.close_input()
    lines: list[str] = []
    aim, delay = plan.aim, plan.delay
    step_aim = next((n for n, o in plan.options.items() if "kill_at" in o or
                     "kill_at_commit" in o), None)
    while True:
        line = driver.next_line()
        if line is None or line == "DONE":
            break
        lines.append(line)
        word, number, _ = parse(line)
        if word == "BEGIN" and number == aim:
            time.sleep(delay)
            driver.kill()
        elif word != "BEGIN" and plan.hold is not None and number == plan.hold.n:
            driver.kill()  # the window dies with its writes in the write-ahead log
        elif word != "BEGIN" and number == step_aim and plan.fallback is not None:
            # The command took fewer steps than drawn: kill the next one after a delay.
            aim = number + 1 if number + 1 in by_number else None
            kind = by_number[aim].kind if aim else plan.ops[-1].kind
            delay = plan.fallback.uniform(0, 1.25 * run.mean_secs(kind))
    if plan.hold is not None:
        driver.close_input()
    returncode = driver.finish()
    where = plan.label
    if returncode not in (0, -signal.SIGKILL):
        run.problems.add("the driver died", where, driver.stderr[-2000:])
    running, candidates = run.replay(where, by_number, lines, commands, faults_expected=False)
    cut = f"cut short: {running.describe()}" if running else "no command running"
    where += f", {cut} [" + ", ".join(op.describe() for op in plan.ops) + "]"
    run.after_start(where, candidates, running)
    return returncode == -signal.SIGKILL, running


def _random_plan(run: Run, commands: Commands, round_no: int, target_kind: str) -> Plan:
    """A few commands in the seeded mix and a kill aimed at one of them: after a random
    delay into it, or just before a random step or commit point of it.

    The commands come from one random stream and the kills from another, each drawn the
    same number of times whatever happened before, so a seed always gives the same commands.
    """
    rng, kill = commands.rng, run.kill_rng
    lead = rng.randint(0, 2)
    if target_kind == "restore" and rng.random() < 0.5:
        lead = 0  # first, while a killed writer's log may still hold the latest writes
    ops = [commands.make(_pick(rng)) for _ in range(lead)]
    target = commands.make(target_kind)
    ops += [target] + [commands.make(_pick(rng)) for _ in range(2)]
    plan = Plan(ops)
    by_step, at_commit, where, late = (kill.random() for _ in range(4))
    if by_step < 0.5 and target_kind in run.steps:
        if at_commit < 0.5 and run.commits.get(target_kind):
            option = {"kill_at_commit": 1 + int(where * run.commits[target_kind])}
            how = f"commit point {option['kill_at_commit']}"
        else:
            option = {"kill_at": 1 + int(where * run.steps[target_kind])}
            how = f"step {option['kill_at']}"
        plan.options[target.n] = option
        plan.fallback = kill
    else:
        plan.aim, plan.delay = target.n, late * 1.25 * run.mean_secs(target_kind)
        how = f"{plan.delay * 1000:.0f} ms"
    plan.label = f"round {round_no} (kill at {how} of #{target.n})"
    return plan


def _window_plan(commands: Commands, rng: random.Random, round_no: int) -> Plan:
    """The window writes and is killed with its connection open: the write sits in the log."""
    ops = [commands.make(_pick(rng)) for _ in range(rng.randint(0, 2))]
    ops.append(commands.make(rng.choice(["meetings_add", "activities_add", "members_import"])))
    label = f"round {round_no} (the window killed after #{ops[-1].n})"
    return Plan(ops, {ops[-1].n: {"hold": True}}, label=label)


def _pick(rng: random.Random) -> str:
    return rng.choices(list(MIX), weights=list(MIX.values()))[0]


@contextlib.contextmanager
def fault_run(
    tmp_path: Path, seed: int, disk: Path | None = None
) -> Iterator[tuple[Run, Commands, Problems]]:
    """A branch to break (on ``disk`` when given), what it must hold, and the zygote."""
    rng = random.Random(seed)
    where = disk or tmp_path
    system_temp = where / "system-temp"  # the system's temp folder, on the same disk
    system_temp.mkdir()
    branch = make_branch(tmp_path, where / "data", where / "outputs", rng)
    assert check_data_folder(branch.data) == []
    problems = Problems(seed)
    zygote = Zygote(where, system_temp, tmp_path / "fifos")
    try:
        yield Run(zygote, tmp_path, branch, system_temp, problems), Commands(branch, rng), problems
    finally:
        zygote.close()


@pytest.mark.slow
def test_kill_minus_nine_anywhere_in_the_write_path_loses_nothing_acknowledged(tmp_path):
    """KILLS kills of the seeded mix of commands, each aimed at one command in turn (and now
    and then at the window, with its writes still in the log); after each, the next start
    finds every acknowledged write, and the cut command whole or not at all."""
    with fault_run(tmp_path, SEED) as (run, commands, problems):
        rng = commands.rng
        kills, round_no = 0, 0
        in_flight: collections.Counter[str | None] = collections.Counter()
        targets: list[str] = []
        while kills < KILLS and round_no < 3 * KILLS:
            round_no += 1
            if rng.random() < 0.15:
                plan = _window_plan(commands, rng, round_no)
            else:
                if not targets:
                    targets = list(OPS)
                    rng.shuffle(targets)
                plan = _random_plan(run, commands, round_no, targets.pop())
            killed, running = run_plan(run, commands, plan)
            if killed:
                kills += 1
                in_flight[running.kind if running else None] += 1
            if round_no % 25 == 0:  # now and then the real command, in a process of its own
                _check_command(run, f"round {round_no}")
            if sum(len(v) for v in problems.found.values()) > 300:
                break  # the folder is beyond telling more
        _check_command(run, "at the end")
    summary = (
        f"{kills} kills in {round_no} rounds; cut short: {dict(in_flight)}; "
        f"acknowledged: {dict(run.acked)}"
    )
    assert not problems, problems.report(summary, tmp_path / "faults.txt")
    assert kills >= KILLS, f"only {kills} of {KILLS} kills landed in {round_no} rounds"
    # every command was cut short by some kills, and acknowledged many times
    least = max(1, KILLS // 20)
    assert all(in_flight[kind] >= least for kind in OPS), (SEED, dict(in_flight))
    # (a round aims its kill at one command, so the others are acknowledged more often)
    assert all(run.acked[kind] >= max(1, KILLS // 50) for kind in OPS), (SEED, dict(run.acked))


@pytest.mark.slow
def test_kill_at_every_commit_point_of_restore_and_backup(tmp_path):
    """As SQLite's I/O error tests do: stop the command just before its first commit point
    (a rename, a removal, a change of mode), then its second, and so on to the last."""
    with fault_run(tmp_path, SEED + 2) as (run, commands, problems):
        sources = run.branch.sources
        older, newer = sorted(sources, key=lambda path: len(sources[path].attachment_files))
        counted = {}  # one whole run of each, first in its process as below, counts them
        for kind, options in (("restore", {"source": older}), ("backup_out", {})):
            op = commands.make(kind, **options)
            run_plan(run, commands, Plan([op], label=f"counting {kind}"))
            counted[kind] = run.commits[kind]
        kills = 0
        for point in range(1, counted["restore"] + 1):
            # The window restored the newer handover, wrote meetings and was killed with
            # them still in its write-ahead log; then a restore of the older one is killed.
            back = commands.make("restore", source=newer)
            window = commands.make("meetings_add")
            label = f"restore killed at commit point {point}"
            run_plan(run, commands, Plan([back, window], {window.n: {"hold": True}},
                                         label=f"{label}: the window before"))
            restore = commands.make("restore", source=older)
            plan = Plan([restore], {restore.n: {"kill_at_commit": point}}, label=label)
            kills += run_plan(run, commands, plan)[0]
        for point in range(1, counted["backup_out"] + 1):
            backup = commands.make("backup_out")
            label = f"backup -o killed at commit point {point}"
            plan = Plan([backup], {backup.n: {"kill_at_commit": point}}, label=label)
            kills += run_plan(run, commands, plan)[0]
        _check_command(run, "at the end")
    assert not problems, problems.report(
        f"{kills} kills at the commit points {counted}", tmp_path / "faults.txt"
    )
    assert kills == counted["restore"] + counted["backup_out"]


def _check_command(run: Run, where: str) -> None:
    """The real ``branchdesk check``, in a process of its own, finds nothing wrong."""
    checked = subprocess.run(
        [sys.executable, "-m", "branchdesk", "check", "--data-dir", str(run.branch.data)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=_child_env(),
    )
    if checked.returncode != 0 or "Traceback" in checked.stderr:
        run.problems.add("branchdesk check fails", where, checked.stderr.strip(), once=True)


# --- a full disk ------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    with tmpfs(tmp_path / "disk", size="32m", mode="0755") as disk:
        yield disk.path


def _one_by_one(
    run: Run,
    driver: Driver,
    commands: Commands,
    kinds: Iterable[str],
    where: str,
    *,
    faults_expected: bool,
) -> collections.Counter[str]:
    """Run each command to its end, in turn; count how they ended (ACK, FAIL, CRASH)."""
    outcome: collections.Counter[str] = collections.Counter()
    for kind in kinds:
        op = commands.make(kind)
        driver.send(op)
        lines = [driver.next_line(), driver.next_line()]
        assert all(lines), driver.stderr
        done = [line for line in lines if line is not None]
        run.replay(where, {op.n: op}, done, commands, faults_expected=faults_expected)
        outcome[parse(done[1])[0]] += 1
    return outcome


@pytest.mark.slow
def test_every_write_on_a_full_disk_is_whole_or_refused_in_chinese(tmp_path, small_disk):
    """Every command on a real disk with 0 KB to 1.5 MB free either does all of its work or
    exits non-zero with a Chinese message, no traceback, and nothing changed; once space is
    freed, ``check`` passes, every acknowledged write is there and every command works."""
    refused = 0
    with fault_run(tmp_path, SEED + 1, disk=small_disk) as (run, commands, problems):
        driver = run.zygote.spawn()  # one driver, no kills: the disk is the fault
        try:
            for leave in (0, 16 << 10, 128 << 10, 512 << 10, 1536 << 10):
                where = f"{leave >> 10} KB free"
                filler = fill_disk(small_disk, leave)
                kinds = list(OPS)
                commands.rng.shuffle(kinds)
                outcome = _one_by_one(run, driver, commands, kinds, where, faults_expected=True)
                refused += outcome["FAIL"] + outcome["CRASH"]
                filler.unlink()
                run.after_start(f"{where}, then space freed", [run.state], None)
            # space again: every command works
            outcome = _one_by_one(run, driver, commands, OPS, "space freed", faults_expected=False)
            run.after_start("space freed", [run.state], None)
        finally:
            assert driver.finish() == 0, driver.stderr
        _check_command(run, "at the end")
    assert not problems, problems.report("full disk", tmp_path / "faults.txt")
    assert outcome["ACK"] == len(OPS)
    assert refused >= len(OPS), "the disk was never full enough to refuse a write"
