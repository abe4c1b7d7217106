"""One application-wide signal saying what the last operation changed; pages refresh themselves."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class RecordEvents(QObject):
    """Signals:
    changes_applied(Changes): an operation (``branchdesk.ops``) wrote these record types;
    a page tests the flags it shows (``if changes.meetings: ...``).
    """

    changes_applied = Signal(object)
