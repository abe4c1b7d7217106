"""Run slow work (imports, exports, printing) off the UI thread, with success/failure callbacks.

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
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)


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
