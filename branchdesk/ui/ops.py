"""Run slow work (imports, exports, printing) off the UI thread, with success/failure callbacks.

The work is a plain function; it must open its own database connection, because an
SQLite connection belongs to the thread that made it.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)


class _Relay(QObject):
    succeeded = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.fn = fn
        self.relay = relay

    def run(self) -> None:
        try:
            result = self.fn()
        except BaseException as exc:  # reported to the UI thread, never lost
            log.debug("background job failed:\n%s", traceback.format_exc())
            self._report(self.relay.failed, exc)
        else:
            self._report(self.relay.succeeded, result)

    @staticmethod
    def _report(signal: Any, value: Any) -> None:
        try:
            signal.emit(value)
        except RuntimeError:  # the window that asked has closed in the meantime
            log.info("background job finished after its window closed")


class BackgroundOp(QObject):
    """``BackgroundOp(parent, fn).success(cb).failure(cb).run()``; ``finished`` fires after either."""

    finished = Signal()

    def __init__(self, parent: QObject, fn: Callable[[], Any]) -> None:
        super().__init__(parent)
        self._fn = fn
        self._on_success: Callable[[Any], None] = lambda _result: None
        self._on_failure: Callable[[BaseException], None] | None = None
        self._relay = _Relay(self)
        self._relay.succeeded.connect(self._done)
        self._relay.failed.connect(self._fail)

    def success(self, callback: Callable[[Any], None]) -> BackgroundOp:
        self._on_success = callback
        return self

    def failure(self, callback: Callable[[BaseException], None]) -> BackgroundOp:
        self._on_failure = callback
        return self

    def run(self) -> BackgroundOp:
        QThreadPool.globalInstance().start(_Job(self._fn, self._relay))
        return self

    @Slot(object)
    def _done(self, result: Any) -> None:
        try:
            self._on_success(result)
        finally:
            self.finished.emit()
            self.deleteLater()

    @Slot(object)
    def _fail(self, exc: BaseException) -> None:
        try:
            if self._on_failure is None:
                raise exc
            self._on_failure(exc)
        finally:
            self.finished.emit()
            self.deleteLater()
