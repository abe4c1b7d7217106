"""Logging to a file in the data folder, and the one handler for bugs (unexpected exceptions)."""

from __future__ import annotations

import logging
import logging.handlers
import re
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

log = logging.getLogger("branchdesk")

_ID_NUMBER = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?!\d)")


class _MaskIdNumbers(logging.Filter):
    """Logs never hold a full ID number, whatever a message or traceback contains."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = _ID_NUMBER.sub(r"\1********\2", message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def setup_logging(data_dir: Path) -> Path:
    """Log to ``data_dir/logs/branchdesk.log`` (rotated) and return the file's path."""
    folder = data_dir / "logs"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / "branchdesk.log"
    root = logging.getLogger()
    for existing in root.handlers:
        if getattr(existing, "baseFilename", None) == str(path):
            return path
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_MaskIdNumbers())
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        path.chmod(0o600)
    except OSError:
        pass
    return path


def install_crash_handler(show: Callable[[str], None]) -> None:
    """Route every uncaught exception to the log first, then to ``show`` for the user."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        text = "".join(traceback.format_exception(kind, value, tb))
        log.error("未预料的错误：\n%s", text)
        if threading.current_thread() is not threading.main_thread():
            return  # widgets live on the UI thread; a worker's failure is logged only
        try:
            show(text)
        except Exception:  # the crash dialog itself must never raise
            log.exception("could not show the crash dialog")

    sys.excepthook = hook
