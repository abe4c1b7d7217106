"""One measurement per fresh process: ``python -m benchmarks.probes NAME ARGS_JSON``.

Each probe prints one JSON object: ``{"seconds": [...], "rss_mb": ...}`` and more. The
parent (run.py) starts the clock for start-up probes and passes it in BENCH_T0.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def timed(
    fn: Callable[[], Any], runs: int, clock: Callable[[], float] = time.perf_counter
) -> list[float]:
    """Seconds of each of ``runs`` calls, each begun with no garbage left by the one before
    (``clock=time.process_time``: CPU seconds, which a busy machine does not stretch)."""
    times = []
    for _ in range(runs):
        gc.collect()  # a run must not pay for collecting what an earlier one left
        started = clock()
        fn()
        times.append(clock() - started)
    return times


def _quiet_dialogs() -> None:
    from branchdesk.ui import msgbox

    for name in ("information", "warning", "error"):
        setattr(msgbox, name, lambda *_a, **_k: None)
    msgbox.confirm = lambda *_a, **_k: False  # type: ignore[assignment]


def _wait(app: Any, done: Callable[[], bool], limit: float = 30.0) -> None:
    """Run the event loop until ``done()``.

    Not a ``processEvents()`` loop: in PySide6 6.12 on Python 3.11 every call drops a
    reference to None, and some ten thousand calls abort the process (none_dealloc).
    """
    from PySide6.QtCore import QEventLoop, QTimer

    if done():
        return
    deadline = time.perf_counter() + limit
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(1)

    def check() -> None:
        if done() or time.perf_counter() > deadline:
            loop.quit()

    timer.timeout.connect(check)
    timer.start()
    loop.exec()
    timer.stop()
    if not done():
        raise TimeoutError("page never filled")


class Heartbeat:
    """A 5 ms timer on the UI thread; the longest gap between its ticks is the longest block."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.last = time.perf_counter()
        self.longest = 0.0
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self.tick)

    def tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self.last)
        self.last = now

    def start(self) -> None:
        self.last = time.perf_counter()
        self.longest = 0.0
        self.timer.start()

    def stop(self) -> float:
        self.tick()
        self.timer.stop()
        return self.longest


# -- start-up ------------------------------------------------------------------------------


def start_floor(_args: dict[str, Any]) -> dict[str, Any]:
    """The stack's own floor: PySide6.QtWidgets and sqlite-utils imported, a 200 × 8 table
    shown in a window of the app's size and painted. No app can start faster than this."""
    t0 = float(os.environ["BENCH_T0"])
    phases: list[tuple[str, float]] = [("Python, site, this probe module", time.time() - t0)]
    import sqlite_utils  # noqa: F401 - the decided storage library

    phases.append(("sqlite-utils", time.time() - t0))
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QApplication, QMainWindow, QTableView

    phases.append(("PySide6 QtCore, QtGui, QtWidgets", time.time() - t0))
    app = QApplication([sys.argv[0]])
    phases.append(("QApplication", time.time() - t0))
    model = QStandardItemModel(200, 8)
    for row in range(200):
        for column in range(8):
            model.setItem(row, column, QStandardItem(f"第{row + 1}行 第{column + 1}列"))
    view = QTableView()
    view.setModel(model)
    window = QMainWindow()
    window.setCentralWidget(view)
    window.resize(1180, 760)
    window.show()
    app.processEvents()
    elapsed = time.time() - t0
    phases.append(("200 × 8 table shown and painted", elapsed))
    return {"seconds": [elapsed], "rss_mb": rss_mb(), "phases": phases}


def start_bare(_args: dict[str, Any]) -> dict[str, Any]:
    t0 = float(os.environ["BENCH_T0"])
    phases: list[tuple[str, float]] = [("Python, site, this probe module", time.time() - t0)]
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    phases.append(("PySide6 QtCore, QtGui, QtWidgets", time.time() - t0))
    app = QApplication([sys.argv[0]])
    phases.append(("QApplication", time.time() - t0))
    window = QMainWindow()
    window.setCentralWidget(QLabel("BranchDesk"))
    window.resize(1180, 760)
    window.show()
    app.processEvents()
    elapsed = time.time() - t0
    phases.append(("window shown and painted", elapsed))
    return {"seconds": [elapsed], "rss_mb": rss_mb(), "phases": phases}


def start_app(args: dict[str, Any]) -> dict[str, Any]:
    """From process start to the main window shown with the home page filled and painted.

    The same path as the ``branchdesk`` command: the command line is parsed, the integrity
    check starts before Qt is imported, then ``start_gui`` opens the folder (logging, lock,
    backups due) and shows the window. Only the event loop is replaced by waiting.
    """
    t0 = float(os.environ["BENCH_T0"])
    phases: list[tuple[str, float]] = [("Python, site, this probe module", time.time() - t0)]

    def phase(label: str) -> None:
        phases.append((label, time.time() - t0))

    from branchdesk.cli import build_parser
    from branchdesk.store.backup import EarlyCheck
    from branchdesk.store.db import DB_FILENAME

    phase("branchdesk.cli → store.db → sqlite-utils")
    parsed = build_parser().parse_args(["--data-dir", args["data_dir"]])
    data_dir = Path(parsed.data_dir)
    early_check = EarlyCheck.start(data_dir / DB_FILENAME)
    phase("command line parsed, integrity check started")
    import PySide6.QtWidgets  # noqa: F401 - the first import of branchdesk.app, marked apart

    phase("PySide6 QtCore, QtGui, QtWidgets")
    from branchdesk.app import Started, make_application, start_gui

    phase("branchdesk.app: logging, member store, Qt set-up")
    app = make_application([sys.argv[0]])
    _quiet_dialogs()
    phase("QApplication, translation, font, icon")
    import branchdesk.ui.main_window  # noqa: F401

    phase("工作台 and main window modules")
    started = start_gui(data_dir, early_check)
    assert isinstance(started, Started), started
    window = started.window
    phase("start_gui: folder opened, 工作台 built, window shown")
    home = window.pages["工作台"]  # type: ignore[attr-defined]
    _wait(app, lambda: getattr(home, "overview", None) is not None)
    app.processEvents()  # laid out and painted
    phase("first layout and paint, reminder check")
    elapsed = time.time() - t0
    result: dict[str, Any] = {"seconds": [elapsed], "rss_mb": rss_mb(), "phases": phases}
    if args.get("tour"):
        # Peak memory of a working session: every page, a year's return, a long search.
        for title in list(window.pages):  # type: ignore[attr-defined]
            page = window.show_page(title)  # type: ignore[attr-defined]
            app.processEvents()
            loader = _page_loader(page)
            if loader is not None:
                loader.wait_loaded(60_000)
        from branchdesk.domain.requirements import Period, Unit
        from branchdesk.reports.return_figures import compute_return
        from branchdesk.reports.return_workbook import write_return

        out = Path(tempfile.mkdtemp()) / "年报.xlsx"
        write_return(compute_return(started.opened.db, Period(Unit.YEAR, 2025)), out)
        page = window.pages["会议"]  # type: ignore[attr-defined]
        page.search_edit.setText("党费")
        until = time.perf_counter() + 0.3  # the search box waits for a pause in typing
        _wait(app, lambda: time.perf_counter() > until)
        page.wait_loaded(60_000)
        result["rss_mb"] = rss_mb()
    return result


def _page_loader(page: Any) -> Any:
    """The loader of a page that fills from a worker (None for one filled at once)."""
    if hasattr(page, "loader"):
        return page.loader
    tab = getattr(page, "branch_tab", None)
    return getattr(tab, "loader", None)


def _blocked_while(app: Any, start: Callable[[], None], page: Any = None, *,
                   after: float = 0.3) -> float:
    """The longest UI block from ``start()`` (run in the next turn of the event loop) until
    ``page``'s data has arrived and ``after`` seconds more have passed."""
    from PySide6.QtCore import QTimer

    beat = Heartbeat()
    beat.start()
    QTimer.singleShot(0, start)
    until = time.perf_counter() + after
    _wait(app, lambda: time.perf_counter() > until)
    loader = _page_loader(page) if page is not None else None
    if loader is not None and loader.pending:
        _wait(app, lambda: not loader.pending)
        until = time.perf_counter() + 0.1  # applied and painted
        _wait(app, lambda: time.perf_counter() > until)
    return beat.stop()


def _close_dialogs_soon(app: Any) -> Any:
    """A timer that rejects any modal dialog (an editor opened by a probe) 300 ms after."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    def close() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is not None and hasattr(dialog, "reject"):
            dialog.reject()

    timer = QTimer()
    timer.setInterval(300)
    timer.timeout.connect(close)
    timer.start()
    return timer


def first_visits(args: dict[str, Any]) -> dict[str, Any]:
    """After start-up, the first visit of every page: the longest UI block while it opens.

    Waits as a person would before the first click (1.5 s, by which the app has preloaded
    the workbook modules and the editors in the background), then opens each page in turn,
    waiting for a page that fills from a worker. A 5 ms timer on the UI thread measures the
    longest stretch in which the UI could not respond. Then, as a person goes on: a search
    in 会议, opening the newest meeting, and 报表 switched to last year's return.
    """
    from branchdesk.app import Started, make_application, start_gui
    from branchdesk.domain.requirements import Period, Unit
    from branchdesk.store.backup import EarlyCheck
    from branchdesk.store.db import DB_FILENAME

    data_dir = Path(args["data_dir"])
    app = make_application([sys.argv[0]])
    _quiet_dialogs()
    started = start_gui(data_dir, EarlyCheck.start(data_dir / DB_FILENAME))
    assert isinstance(started, Started), started
    window = started.window
    settle = time.perf_counter() + 1.5
    _wait(app, lambda: time.perf_counter() > settle)
    pages: dict[str, float] = {}
    for title in list(window.pages)[1:]:  # type: ignore[attr-defined]
        built = window.pages.built(title)  # type: ignore[attr-defined]
        assert not built, title
        gap = _blocked_while(app, lambda title=title: window.show_page(title))  # type: ignore[attr-defined]
        page = window.pages[title]  # type: ignore[attr-defined]
        loader = _page_loader(page)
        if loader is not None and loader.pending:  # filling from a worker: count that too
            gap = max(gap, _blocked_while(app, lambda: None, page, after=0.0))
        pages[title] = gap
    actions: dict[str, float] = {}
    meetings = window.show_page("会议")  # type: ignore[attr-defined]
    meetings.wait_loaded()
    actions["会议搜索“党费”"] = _blocked_while(
        app, lambda: meetings.search_edit.setText("党费"), meetings, after=0.4
    )
    meetings.search_edit.setText("")
    meetings.wait_loaded(30_000)
    meetings.table.selectRow(0)
    closer = _close_dialogs_soon(app)
    actions["打开会议"] = _blocked_while(
        app, lambda: meetings.actions_by_id["open"].trigger(), after=0.5
    )
    closer.stop()
    reports = window.show_page("报表")  # type: ignore[attr-defined]
    reports.branch_tab.wait_loaded(30_000)
    actions["报表切换到年报"] = _blocked_while(
        app,
        lambda: reports.branch_tab.picker.set_period(Period(Unit.YEAR, 2025)),
        reports,
    )
    return {
        "seconds": [max(pages.values())],
        "pages": pages,
        "actions": actions,
        "rss_mb": rss_mb(),
    }


# -- pages ---------------------------------------------------------------------------------


def _context(data_dir: str) -> tuple[Any, Any]:
    from branchdesk.app import make_application
    from branchdesk.store.db import DB_FILENAME, open_database
    from branchdesk.ui.context import AppContext

    app = make_application([sys.argv[0]])
    _quiet_dialogs()
    db = open_database(Path(data_dir) / DB_FILENAME)
    return app, AppContext(db=db, data_dir=Path(data_dir))


def page(args: dict[str, Any]) -> dict[str, Any]:
    """Construct a page and show it filled; also the longest UI block while doing so."""
    app, context = _context(args["data_dir"])
    if args["page"] == "home":
        from branchdesk.ui.pages.home_page import HomePage

        def make() -> Any:
            widget = HomePage(context)
            widget.show()
            _wait(app, lambda: getattr(widget, "overview", None) is not None)
            return widget
    else:
        from branchdesk.ui.pages.meetings_page import MeetingsPage

        def make() -> Any:
            widget = MeetingsPage(context)
            widget.show()
            app.processEvents()
            widget.wait_loaded(60_000)  # a long list fills from a worker
            app.processEvents()
            return widget

    make().deleteLater()  # warm: imports, styles, fonts
    app.processEvents()
    times = []
    for _ in range(args.get("runs", 5)):
        started = time.perf_counter()
        widget = make()
        times.append(time.perf_counter() - started)
        widget.hide()
        widget.deleteLater()
        app.processEvents()
    return {"seconds": times, "rss_mb": rss_mb()}


def search(args: dict[str, Any]) -> dict[str, Any]:
    from branchdesk.store.db import DB_FILENAME, open_database
    from branchdesk.store.meetings import MeetingFilter, MeetingRepo

    db = open_database(Path(args["data_dir"]) / DB_FILENAME)
    word = args["word"]
    if args.get("baseline"):

        def run() -> Any:
            return db.execute(
                "select id from meetings where minutes like ? or title like ?",
                [f"%{word}%", f"%{word}%"],
            ).fetchall()
    else:
        repo = MeetingRepo(db)

        def run() -> Any:
            return repo.summaries(MeetingFilter(text=word))

    found = len(run())
    return {"seconds": timed(run, 15), "found": found}


# -- reports -------------------------------------------------------------------------------


def year_return(args: dict[str, Any]) -> dict[str, Any]:
    """A year's return on the large branch, against bare openpyxl writing the same cells."""
    from openpyxl import Workbook, load_workbook

    from branchdesk.domain.requirements import Period, Unit
    from branchdesk.reports.return_figures import compute_return
    from branchdesk.reports.return_workbook import write_return
    from branchdesk.store.db import DB_FILENAME, open_database

    db = open_database(Path(args["data_dir"]) / DB_FILENAME)
    out = Path(tempfile.mkdtemp()) / "年报.xlsx"
    period = Period(Unit.YEAR, int(args["year"]))

    def app_run() -> None:
        write_return(compute_return(db, period), out)

    app_run()  # the workbook whose cells the baseline writes
    loaded = load_workbook(out)
    sheets = [
        (
            ws.title,
            [
                (c.row, c.column, c.value)
                for row in ws.iter_rows()
                for c in row
                if c.value is not None
            ],
        )
        for ws in loaded.worksheets
    ]
    cells = sum(len(values) for _title, values in sheets)
    bare_out = out.with_name("bare.xlsx")

    def bare_run() -> None:
        workbook = Workbook()
        workbook.remove(workbook.active)
        for title, values in sheets:
            ws = workbook.create_sheet(title)
            for row, column, value in values:
                ws.cell(row=row, column=column, value=value)
        workbook.save(bare_out)

    clock = time.process_time if args.get("cpu") else time.perf_counter
    app_times, bare_times = [], []
    for _ in range(int(args.get("runs", 5))):  # interleaved, so that drift hits both alike
        app_times += timed(app_run, 1, clock)
        bare_times += timed(bare_run, 1, clock)
    return {"seconds": app_times, "baseline": bare_times, "cells": cells}


def signin_pdf(args: dict[str, Any]) -> dict[str, Any]:
    """The 签到表 of the largest meeting, against bare Qt printing the same rows."""
    from PySide6.QtGui import QPdfWriter, QTextDocument

    from branchdesk.printing.pdf import ensure_gui, write_pdf
    from branchdesk.printing.signin import SigninDocument, signin_for_meeting
    from branchdesk.store.db import DB_FILENAME, open_database

    ensure_gui()
    db = open_database(Path(args["data_dir"]) / DB_FILENAME)
    meeting_id = db.execute(
        "select meeting_id from attendance group by meeting_id order by count(*) desc, meeting_id desc limit 1"
    ).fetchone()[0]
    folder = Path(tempfile.mkdtemp())
    sheet = signin_for_meeting(db, meeting_id)

    def app_run() -> None:
        write_pdf(SigninDocument(signin_for_meeting(db, meeting_id)), folder / "签到表.pdf")

    def bare_run() -> None:
        rows = "".join(
            f"<tr><td>{i}</td><td>{getattr(r, 'name', '')}</td><td></td></tr>"
            for i, r in enumerate(sheet.rows, start=1)
        )
        document = QTextDocument()
        document.setHtml(f"<h1>{sheet.heading}</h1><table border=1 width=100%>{rows}</table>")
        writer = QPdfWriter(str(folder / "bare.pdf"))
        writer.setResolution(1200)
        document.print_(writer)
        del writer

    return {"seconds": timed(app_run, 5), "baseline": timed(bare_run, 5), "rows": len(sheet.rows)}


def roster_import(args: dict[str, Any]) -> dict[str, Any]:
    """Import a 1,000-row roster into an empty branch, against bare python-calamine + sqlite3."""
    import sqlite3

    from python_calamine import CalamineWorkbook

    from branchdesk.reports.roster_import import apply_import, plan_import, read_roster
    from branchdesk.store.db import DB_FILENAME, open_database

    path = Path(args["roster"])

    def app_run() -> None:
        folder = Path(tempfile.mkdtemp())
        db = open_database(folder / DB_FILENAME)
        result = apply_import(db, plan_import(db, read_roster(path)))
        assert result.added == 1000, result.added
        db.close()

    def bare_run() -> None:
        with CalamineWorkbook.from_path(path) as workbook:
            rows = [
                tuple(str(v) if v != "" else None for v in row)
                for row in workbook.get_sheet_by_index(0).to_python()
            ]
        conn = sqlite3.connect(Path(tempfile.mkdtemp()) / "bare.db")
        width = max(len(r) for r in rows)
        conn.execute(f"create table t ({', '.join(f'c{i}' for i in range(width))})")
        with conn:
            conn.executemany(
                f"insert into t values ({', '.join('?' * width)})",
                [r + (None,) * (width - len(r)) for r in rows],
            )
        conn.close()

    return {"seconds": timed(app_run, 5), "baseline": timed(bare_run, 5)}


def consolidation(args: dict[str, Any]) -> dict[str, Any]:
    """Consolidate the 500 returns, against bare openpyxl opening each and reading its data sheet."""
    from openpyxl import load_workbook

    from branchdesk.reports.consolidation import consolidate, write_consolidation

    files = sorted(Path(args["returns"]).glob("*.xlsx"))
    out = Path(tempfile.mkdtemp()) / "汇总.xlsx"

    def app_run() -> None:
        result = consolidate(files)
        assert len(result.rows) == len(files), (len(result.rows), len(files))
        write_consolidation(result, out)

    def bare_run() -> None:
        for path in files:
            workbook = load_workbook(path, read_only=True)
            for ws in workbook.worksheets[-1:]:
                for _row in ws.iter_rows(values_only=True):
                    pass
            workbook.close()

    app_times, bare_times = [], []
    for _ in range(int(args.get("runs", 1))):  # interleaved, so that drift hits both alike
        app_times += timed(app_run, 1)
        bare_times += timed(bare_run, 1)
    return {"seconds": app_times, "baseline": bare_times, "files": len(files)}


def consolidation_runs(args: dict[str, Any]) -> dict[str, Any]:
    """Consolidate a folder of returns ``runs`` times (each read and written whole), with the
    CPU time of each run beside its wall time: on a shared machine the wall time waits."""
    from branchdesk.reports.consolidation import consolidate, write_consolidation

    files = sorted(Path(args["returns"]).glob("*.xlsx"))
    out = Path(tempfile.mkdtemp()) / "汇总.xlsx"
    seconds, cpu = [], []
    for _ in range(int(args.get("runs", 3))):
        gc.collect()
        started, started_cpu = time.perf_counter(), time.process_time()
        result = consolidate(files)
        assert len(result.rows) == len(files), (len(result.rows), len(files))
        write_consolidation(result, out)
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return {"seconds": seconds, "cpu": cpu, "files": len(files)}


def background_export(args: dict[str, Any]) -> dict[str, Any]:
    """Longest UI-thread block while a year's return is written in the background."""
    from branchdesk.domain.requirements import Period, Unit
    from branchdesk.reports.return_figures import compute_return
    from branchdesk.reports.return_workbook import write_return
    from branchdesk.store.db import DB_FILENAME, open_database
    from branchdesk.ui.ops import BackgroundOp

    app, context = _context(args["data_dir"])
    out = Path(tempfile.mkdtemp()) / "年报.xlsx"
    path = Path(args["data_dir"]) / DB_FILENAME

    def work() -> Path:
        db = open_database(path)  # a worker opens its own connection
        try:
            return write_return(compute_return(db, Period(Unit.YEAR, 2025)), out)
        finally:
            db.close()

    gaps, times = [], []
    for _ in range(5):
        done: list[object] = []
        beat = Heartbeat()
        beat.start()
        started = time.perf_counter()
        op = BackgroundOp(app, work).success(done.append).failure(done.append)
        op.run()
        _wait(app, lambda done=done: bool(done), limit=120)
        times.append(time.perf_counter() - started)
        gaps.append(beat.stop())
        assert isinstance(done[0], Path), done[0]
    return {"seconds": times, "gap": gaps}


PROBES = {
    f.__name__: f
    for f in (
        start_floor,
        start_bare,
        start_app,
        first_visits,
        page,
        search,
        year_return,
        signin_pdf,
        roster_import,
        consolidation,
        consolidation_runs,
        background_export,
    )
}

if __name__ == "__main__":
    name, raw = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "{}"
    result = PROBES[name](json.loads(raw))
    result.setdefault("rss_mb", rss_mb())
    sys.stdout.write("BENCH " + json.dumps(result) + "\n")
    sys.stdout.flush()
    os._exit(0)  # skip Qt teardown: not part of any measurement
