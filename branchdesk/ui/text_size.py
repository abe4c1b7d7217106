"""The 字号 setting: 标准, 大 or 特大 text everywhere, at start-up and the moment it is chosen.

The application font is scaled, and so is every ``font-size`` the style sheets set (titles,
counts, tiles): a widget's style sheet is rewritten from the one its code gave it, when
it is first shown and whenever the code gives it another. The choice is a UI preference,
kept in ``QSettings`` like the window sizes.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QObject, QSettings
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QWidget

from branchdesk.domain.members import CodedEnum

SETTING = "ui/text_size"
_BASE_SIZE = "branchdeskBasePointSize"  # the application's own point size, before scaling
_GIVEN = "branchdeskGivenStyleSheet"  # a widget's style sheet as its code set it
_SHOWN = "branchdeskScaledStyleSheet"  # ... and as scaled
_FONT_SIZE = re.compile(r"(font-size\s*:\s*)(\d+(?:\.\d+)?)(pt|px)")


class TextSize(CodedEnum):
    """How large the interface's text is."""

    STANDARD = ("standard", "标准")
    LARGE = ("large", "大")
    LARGER = ("larger", "特大")

    @property
    def factor(self) -> float:
        return {"standard": 1.0, "large": 1.15, "larger": 1.3}[self.value]


def saved_text_size() -> TextSize:
    """The size chosen in 设置 (标准 until one is chosen)."""
    value = QSettings().value(SETTING, TextSize.STANDARD.value)
    try:
        return TextSize(str(value))
    except ValueError:
        return TextSize.STANDARD


def scale_style_sheet(css: str, factor: float) -> str:
    """``css`` with every ``font-size`` multiplied by ``factor``."""
    if factor == 1.0:
        return css

    def scaled(match: re.Match[str]) -> str:
        size = float(match.group(2)) * factor
        text = f"{size:.1f}".rstrip("0").rstrip(".") if match.group(3) == "pt" else str(round(size))
        return f"{match.group(1)}{text}{match.group(3)}"

    return _FONT_SIZE.sub(scaled, css)


class _StyleSheetScaler(QObject):
    """Scales the font sizes of each widget's style sheet as the widget is polished or restyled."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.factor = 1.0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        kind = event.type()
        if (kind == QEvent.Type.Polish or kind == QEvent.Type.StyleChange) and isinstance(
            watched, QWidget
        ):
            self.scale(watched)
        return False

    def scale(self, widget: QWidget) -> bool:
        """Scale the widget's style sheet; True if it was set again."""
        css = widget.styleSheet()
        given = widget.property(_GIVEN)
        if given is None or css != widget.property(_SHOWN):  # the code has set this one
            if "font-size" not in css:
                return False
            given = css
            widget.setProperty(_GIVEN, given)
        wanted = scale_style_sheet(str(given), self.factor)
        widget.setProperty(_SHOWN, wanted)
        if wanted == css:
            return False
        widget.setStyleSheet(wanted)  # comes back here as a StyleChange: nothing to do
        return True


def apply_text_size(app: QApplication, size: TextSize) -> None:
    """Show every window's text at ``size``, now and in windows opened later."""
    base = app.property(_BASE_SIZE)
    if base is None:
        base = app.font().pointSizeF()
        app.setProperty(_BASE_SIZE, base)
    font = QFont(app.font())
    font.setPointSizeF(float(base) * size.factor)
    scaler = app.findChild(_StyleSheetScaler)
    if scaler is None:
        if size is TextSize.STANDARD:
            app.setFont(font)
            return  # nothing to scale: no filter on every event of the application
        scaler = _StyleSheetScaler(app)
        app.installEventFilter(scaler)
    scaler.factor = size.factor
    app.setFont(font)
    for widget in app.allWidgets():
        if not scaler.scale(widget) and widget.styleSheet():
            # Qt does not hand a new application font down through a style sheet's
            # widgets: setting the sheet again does.
            widget.setStyleSheet(widget.styleSheet())


def choose_text_size(app: QApplication, size: TextSize) -> None:
    """Apply ``size`` and keep it for the next start."""
    QSettings().setValue(SETTING, size.value)
    apply_text_size(app, size)
