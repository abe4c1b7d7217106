"""One application-wide signal saying which kind of records changed; pages refresh themselves."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class RecordEvents(QObject):
    """Signals:
    records_changed(str): a kind of record ("members", "groups", "branch") was written.
    """

    records_changed = Signal(str)
