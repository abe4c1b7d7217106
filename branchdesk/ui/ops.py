"""Run the writes (``branchdesk.ops``) and slow work (imports, exports, printing) for the window.

``run_op(parent, context, lambda s: ops.add_meeting(s, meeting))`` runs a quick write on the
UI thread; ``run_op_in_background`` a slow one (a roster import) on a connection of a worker.
Either tells a problem of the environment (disk full, read-only ...) in a message box, lets a
bug go on to the crash handler, and on success emits the operation's ``Changes`` once on
``context.events.changes_applied``.

Slow work that writes nothing runs through ``BackgroundOp``, with success/failure callbacks.

The work is a plain function; it must open its own database connection, because an
SQLite connection belongs to the thread that made it.

A worker thread never holds a Qt object of the window. It reports through one relay that
lives on the UI thread for the whole run of the app, naming its job by number; the job
(``BackgroundOp``, a child of the page that started it) is looked up there. So a page closed
while its work runs simply gets no answer, and nothing is ever destroyed off the UI thread
(which crashes Qt): the worker drops the function it ran, and its error's frames, before it
reports, and a finished job is released on the UI thread, never through ``deleteLater``.
"""

from __future__ import annotations

import itertools
import logging
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QWidget

from branchdesk.ops import Changes, OpResult, Session
from branchdesk.ui import msgbox
from branchdesk.ui.errors import user_message

if TYPE_CHECKING:
    from branchdesk.ui.context import AppContext

log = logging.getLogger(__name__)
T = TypeVar("T")


class _Relay(QObject):
    """The one receiver of every worker's report, on the UI thread."""

    reported = Signal(int, bool, object)  # job number, succeeded, result or exception

    def __init__(self) -> None:
        super().__init__()
        self.running: dict[int, BackgroundOp] = {}
        self.reported.connect(self._on_reported)

    @Slot(int, bool, object)
    def _on_reported(self, number: int, succeeded: bool, value: Any) -> None:
        op = self.running.pop(number, None)
        if op is None or not shiboken6.isValid(op):
            log.info("background job finished after its window closed")
            return
        op._finish(succeeded, value)


_relay: _Relay | None = None
_numbers = itertools.count(1)


def _the_relay() -> _Relay:
    global _relay
    if _relay is None:  # made on the UI thread, by the first BackgroundOp
        _relay = _Relay()
    return _relay


def _drop_frames(exc: BaseException) -> None:
    """Clear the tracebacks of ``exc`` and of the exceptions chained to it."""
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        link.__traceback__ = None
        link = link.__cause__ or link.__context__


def _done_already() -> None:
    raise RuntimeError("a background job runs once")


class _Job(QRunnable):
    """The work, run once in the thread pool; ``report(succeeded, value)`` when done."""

    def __init__(self, fn: Callable[[], Any], report: Callable[[bool, Any], None]) -> None:
        super().__init__()
        self.fn = fn
        self.report = report

    def run(self) -> None:
        # The function usually closes over a page or dialog: drop it before reporting, so
        # this thread never holds the last reference to anything of the window.
        fn, self.fn = self.fn, _done_already
        try:
            result = fn()
        except BaseException as exc:  # reported to the UI thread, never lost
            del fn
            # Its traceback's frames hold the same widgets: keep the text, drop the frames.
            exc.worker_traceback = traceback.format_exc()  # type: ignore[union-attr]
            log.debug("background job failed:\n%s", exc.worker_traceback)  # type: ignore[union-attr]
            _drop_frames(exc)
            self.report(False, exc)
        else:
            del fn
            self.report(True, result)


class BackgroundOp(QObject):
    """``BackgroundOp(parent, fn).success(cb).failure(cb).run()``; ``finished`` fires after either."""

    finished = Signal()

    def __init__(self, parent: QObject, fn: Callable[[], Any]) -> None:
        super().__init__(parent)
        self._fn = fn
        self._on_success: Callable[[Any], None] = lambda _result: None
        self._on_failure: Callable[[BaseException], None] | None = None

    def success(self, callback: Callable[[Any], None]) -> BackgroundOp:
        self._on_success = callback
        return self

    def failure(self, callback: Callable[[BaseException], None]) -> BackgroundOp:
        self._on_failure = callback
        return self

    def run(self) -> BackgroundOp:
        relay = _the_relay()
        number = next(_numbers)
        relay.running[number] = self
        signal = relay.reported  # the worker holds the relay's bound signal, nothing of ours
        fn, self._fn = self._fn, _done_already

        def report(succeeded: bool, value: Any) -> None:
            signal.emit(number, succeeded, value)

        QThreadPool.globalInstance().start(_Job(fn, report))
        return self

    def _finish(self, succeeded: bool, value: Any) -> None:
        try:
            if succeeded:
                self._on_success(value)
            elif self._on_failure is None:  # a bug: the crash handler logs this traceback
                log.error("background job failed:\n%s", getattr(value, "worker_traceback", ""))
                raise value
            else:
                self._on_failure(value)
        finally:
            self.finished.emit()
            # Released here, on the UI thread: Python now owns it, and drops it once nobody
            # (a caller waiting on ``finished``) refers to it any more.
            self._on_success = lambda _result: None
            self._on_failure = None
            if shiboken6.isValid(self):
                self.setParent(None)


# -- the one write path ---------------------------------------------------------------------------


def announce(context: AppContext, changes: Changes) -> None:
    """Tell every page what changed (once per operation; nothing when nothing changed)."""
    if changes:
        context.events.changes_applied.emit(changes)


def write_failed(parent: QWidget | None, context: AppContext, exc: BaseException, title: str) -> bool:
    """Tell a storage failure and return True; False for a bug, which the caller raises."""
    message = user_message(exc, context.db_path)
    if message is None:
        return False
    log.warning("%s: %s", title, exc)
    msgbox.error(parent, title, message)
    return True


def run_op(
    parent: QWidget | None,
    context: AppContext,
    op: Callable[[Session], OpResult[T]],
    *,
    failed_title: str = "没有保存",
) -> OpResult[T] | None:
    """Run a quick write on the UI thread; None when it failed and the person was told.

    A problem of the environment is shown under ``failed_title``; anything else (a
    ``ValueError`` the caller shows beside a field, a bug) is raised to the caller.
    """
    try:
        result = op(context.session)
    except Exception as exc:
        if not write_failed(parent, context, exc, failed_title):
            raise
        return None
    announce(context, result.changes)
    return result


def run_op_in_background(
    parent: QObject,
    context: AppContext,
    op: Callable[[Session], OpResult[T]],
    *,
    success: Callable[[T], None],
    failure: Callable[[BaseException], None],
) -> BackgroundOp:
    """Run a slow write on a connection of a worker thread, in one transaction.

    ``success`` gets the operation's answer on the UI thread, after which its ``Changes`` are
    emitted once; ``failure`` gets the exception (tell it with ``write_failed``).
    """
    session = context.session

    def work() -> OpResult[T]:
        with session.worker() as own:
            return op(own)

    def done(result: OpResult[T]) -> None:
        try:
            success(result.value)
        finally:
            announce(context, result.changes)

    return BackgroundOp(parent, work).success(done).failure(failure).run()


# -- reading a page's data off the UI thread ------------------------------------------------------


class PageLoader(QObject):
    """Reads a page's data on a worker connection; the newest request wins.

    ``load(read, apply)`` runs ``read(db)`` in the thread pool on a connection of its own and
    hands its answer to ``apply`` on the UI thread; an answer overtaken by a newer request is
    dropped. ``loaded`` fires after each applied answer (and after ``done_now``, for a page
    that read synchronously), so tests and callers can wait for it: ``wait_loaded()``.
    """

    loaded = Signal()

    def __init__(self, parent: QObject, context: AppContext) -> None:
        super().__init__(parent)
        self.context = context
        self.pending = False
        self._generation = 0

    def load(self, read: Callable[[Any], T], apply: Callable[[T], None]) -> None:
        self._generation += 1
        generation = self._generation
        self.pending = True
        session = self.context.session

        def work() -> T:
            with session.worker_connection() as db:
                return read(db)

        def done(value: T) -> None:
            if generation != self._generation:
                return  # a newer request is on its way
            self.pending = False
            apply(value)
            self.loaded.emit()

        BackgroundOp(self, work).success(done).run()

    def done_now(self) -> None:
        """The data was read synchronously: forget any request still running."""
        self._generation += 1
        self.pending = False
        self.loaded.emit()

    def wait_loaded(self, timeout_ms: int = 10_000) -> None:
        """Run the event loop until nothing is pending (for tests and the benchmark)."""
        if not self.pending:
            return
        from PySide6.QtCore import QEventLoop, QTimer

        loop = QEventLoop()
        self.loaded.connect(loop.quit)
        QTimer.singleShot(timeout_ms, loop.quit)
        loop.exec()
        self.loaded.disconnect(loop.quit)
        if self.pending:
            raise TimeoutError("the page's data did not arrive")
