"""Process-wide Qt set-up: the bundled CJK font, Chinese locale and Qt's own translations."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
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
