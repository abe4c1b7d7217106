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

from branchdesk.store.location import default_data_dir

log = logging.getLogger("branchdesk")

# 身份证号: 18 digits (the last may be X), or the 15-digit form issued before 1999.
_ID_18 = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?!\d)")
_ID_15 = re.compile(r"(?<!\d)(\d{6})\d{6}(\d{3})(?!\d)")
# Mainland mobile numbers, as people type them: 13812345678, 138 1234 5678, 138-1234-5678,
# +86 138..., 0086-138..., 86138...
_MOBILE = re.compile(r"(?<!\d)((?:(?:\+|00)86|86)[ -]?)?(1[3-9]\d)[ -]?\d{4}[ -]?(\d{4})(?!\d)")


def mask_personal_data(text: str) -> str:
    """Mask ID numbers and mobile numbers in ``text``, keeping enough to recognise them.

    ``110105194912310021`` becomes ``110105********0021``, ``110105491231123`` becomes
    ``110105******123`` and ``138 1234 5678`` becomes ``138****5678``.
    """
    text = _ID_18.sub(r"\1********\2", text)
    text = _ID_15.sub(r"\1******\2", text)
    return _MOBILE.sub(lambda m: f"{m[1] or ''}{m[2]}****{m[3]}", text)


class MaskPersonalData(logging.Filter):
    """Mask a record in place before a handler formats it: message, traceback and stack.

    The record is shared by every handler it reaches, so whichever handler runs this
    first leaves nothing in full for the others (or for a formatter that does not mask).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # bad arguments: the handler reports it; the formatter still masks
            return True
        record.msg, record.args = mask_personal_data(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_personal_data(record.stack_info)
        return True


class MaskingFormatter(logging.Formatter):
    """A formatter whose every line, tracebacks and stacks included, is masked."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_personal_data(super().format(record))


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def mask_handler(handler: logging.Handler) -> logging.Handler:
    """Make ``handler`` write personal data masked (every handler BranchDesk installs)."""
    handler.setFormatter(MaskingFormatter(LOG_FORMAT))
    if not any(isinstance(f, MaskPersonalData) for f in handler.filters):
        handler.addFilter(MaskPersonalData())
    return handler


def setup_logging(data_dir: Path) -> Path:
    """Log to ``data_dir/logs/branchdesk.log`` (rotated) and return the file's path.

    A data folder that cannot be written (a read-only folder, opened for viewing) logs to
    the per-user folder's ``logs`` instead.
    """
    try:
        return _log_to(data_dir / "logs")
    except OSError:
        fallback = default_data_dir() / "logs"
        if fallback == data_dir / "logs":
            raise
        return _log_to(fallback)


def _log_to(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / "branchdesk.log"
    root = logging.getLogger()
    for existing in root.handlers:
        if getattr(existing, "baseFilename", None) == str(path):
            return path
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
    )
    root.addHandler(mask_handler(handler))
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
