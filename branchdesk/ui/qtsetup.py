"""Process-wide Qt set-up: the bundled CJK font, Chinese locale and Qt's own translations."""

from __future__ import annotations

import gc
import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QObject, QTimer, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

from branchdesk.resources import CJK_FONT_FAMILY, CJK_FONT_FILE, resource

log = logging.getLogger(__name__)
_translators: list[QTranslator] = []


def register_fonts() -> str:
    """Register the bundled CJK font and return its family name."""
    font_id = QFontDatabase.addApplicationFont(str(resource(*CJK_FONT_FILE)))
    if font_id < 0:
        log.warning("bundled CJK font could not be loaded")
        return ""
    families = QFontDatabase.applicationFontFamilies(font_id)
    return CJK_FONT_FAMILY if CJK_FONT_FAMILY in families else families[0]


def install_chinese(app: QCoreApplication) -> bool:
    """Set the Chinese locale and install Qt's zh_CN translations; True if qtbase loaded."""
    locale = QLocale(QLocale.Language.Chinese, QLocale.Country.China)
    QLocale.setDefault(locale)
    loaded = False
    path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in ("qtbase", "qt"):
        translator = QTranslator(app)
        if translator.load(locale, name, "_", path):
            app.installTranslator(translator)
            _translators.append(translator)
            loaded = loaded or name == "qtbase"
    return loaded


def apply_app_font(app: QGuiApplication, family: str) -> None:
    """Use the bundled font for the UI, at a size people past fifty read comfortably."""
    font = QFont(app.font())
    if family:
        font.setFamilies([family, *font.families()])
    font.setPointSizeF(max(font.pointSizeF(), 10.5))
    app.setFont(font)


class MainThreadGarbageCollector(QObject):
    """Run Python's cycle collector on the UI thread only.

    Left automatic, the collector may run inside a worker thread (an export, a backup) and
    destroy Qt widgets there, which crashes Qt. So automatic collection is switched off
    and a timer on the UI thread collects, generation by generation, as Python would.
    """

    def __init__(self, parent: QObject, interval_ms: int = 500) -> None:
        super().__init__(parent)
        self.threshold = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(interval_ms)

    def check(self) -> None:
        first, second, third = gc.get_count()
        if first > self.threshold[0]:
            gc.collect(0)
            if second > self.threshold[1]:
                gc.collect(1)
                if third > self.threshold[2]:
                    gc.collect(2)


_collector: MainThreadGarbageCollector | None = None


def collect_garbage_on_ui_thread(app: QCoreApplication) -> None:
    global _collector
    if _collector is None:
        _collector = MainThreadGarbageCollector(app)
