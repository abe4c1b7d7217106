"""Small widgets shared by pages and dialogs: date entry, inline messages, headings."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, Signal, Slot
from PySide6.QtWidgets import QFrame, QLabel, QLineEdit, QWidget

from branchdesk.domain.dates import PartialDate, parse_date_text
from branchdesk.ui import theme

# Kept under these names for the modules that import them; the values live in the theme.
ERROR_COLOR = theme.BRAND_RED
WARNING_COLOR = theme.WARNING
MUTED_COLOR = theme.MUTED

HEADING_STYLE = theme.HEADING
SUBHEADING_STYLE = theme.SUBHEADING


class DateEdit(QLineEdit):
    """A line edit for dates as people write them: ``2019-07-01``, ``2019.07``, ``2019年7月``.

    Signals:
        date_changed(): the text was committed (editing finished) and re-read.
    """

    date_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText("如 2019-07-01 或 2019.07")
        self.setMaxLength(20)
        self.setClearButtonEnabled(True)
        self.editingFinished.connect(self._on_self_editing_finished)

    def value(self) -> PartialDate | None:
        """Return the date, or None when empty; raise ValueError (Chinese text) when unreadable."""
        text = self.text().strip()
        if not text:
            return None
        return parse_date_text(text)

    def error(self) -> str:
        """Return why the text is not a date, or an empty string."""
        try:
            self.value()
        except ValueError as exc:
            return str(exc)
        return ""

    def set_value(self, value: PartialDate | None) -> None:
        self.setText(value.display() if value else "")

    @Slot()
    def _on_self_editing_finished(self) -> None:
        try:
            value = self.value()
        except ValueError:
            value = None
        else:
            if value is not None and self.text() != value.display():
                self.setText(value.display())  # show one consistent form
        self.date_changed.emit()


class FieldMessage(QLabel):
    """A line of text under a form field: red for errors, amber for warnings, hidden when fine."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.severity = ""
        self.hide()

    def show_error(self, text: str) -> None:
        self._show(text, "error", ERROR_COLOR)

    def show_warning(self, text: str) -> None:
        self._show(text, "warning", WARNING_COLOR)

    def show_info(self, text: str) -> None:
        self._show(text, "info", MUTED_COLOR)

    def _show(self, text: str, severity: str, color: str) -> None:
        self.severity = severity
        self.setStyleSheet(theme.color(color))
        self.setText(text)
        self.show()

    def clear_message(self) -> None:
        self.severity = ""
        self.setText("")
        self.hide()


def heading(text: str, parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setStyleSheet(HEADING_STYLE)
    return label


def subheading(text: str, parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setStyleSheet(SUBHEADING_STYLE)
    return label


def form_label(text: str) -> QLabel:
    """A label of an editor's form row, right-aligned beside its field."""
    label = QLabel(text)
    label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return label


def qdate_to_date(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


def hline(parent: QWidget | None = None) -> QFrame:
    line = QFrame(parent)
    line.setFrameShape(QFrame.Shape.HLine)
    line.setStyleSheet(theme.RULE_LINE)
    return line
