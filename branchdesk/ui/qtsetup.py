"""Process-wide Qt set-up: the bundled CJK font, Chinese locale and Qt's own translations."""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QLibraryInfo,
    QLocale,
    QMessageLogContext,
    QObject,
    QTimer,
    QtMsgType,
    QTranslator,
    qInstallMessageHandler,
)
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


# Qt's own translations for the modules BranchDesk uses: qtbase covers QtCore, QtGui,
# QtWidgets and QtPrintSupport (dialogs, message boxes, the print preview); "qt" is the
# umbrella catalogue. QtCharts ships none (its axes and labels are all ours). The frozen
# bundle keeps exactly these *_zh_CN.qm files (build.spec, checked by .ci/run).
QT_CATALOGUES = ("qtbase", "qt")


def install_chinese(app: QCoreApplication) -> bool:
    """Set the Chinese locale and install Qt's zh_CN translations; True if qtbase loaded."""
    locale = QLocale(QLocale.Language.Chinese, QLocale.Country.China)
    QLocale.setDefault(locale)
    loaded = False
    path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in QT_CATALOGUES:
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


# -- a platform plugin that cannot load (Linux) ----------------------------------------------------

# Debian/Ubuntu (and UOS, Kylin) package names that do not follow from the library name.
_PACKAGE_OF = {"libglib-2.0.so.0": "libglib2.0-0"}
_NOT_FOUND = re.compile(r"^\s*(\S+)\s*=>\s*not found", re.MULTILINE)


def missing_libraries(ldd_output: str) -> list[str]:
    """The libraries ``ldd`` could not find, in its order, each once."""
    return list(dict.fromkeys(_NOT_FOUND.findall(ldd_output)))


def package_for(library: str) -> str:
    """The Debian package that installs ``library`` (``libxcb-icccm.so.4`` -> libxcb-icccm4)."""
    if library in _PACKAGE_OF:
        return _PACKAGE_OF[library]
    match = re.fullmatch(r"(lib[\w.+-]+?)\.so\.(\d+)(?:\.\d+)*", library)
    if match is None:
        return library
    stem, version = match.group(1).lower(), match.group(2)
    return f"{stem}-{version}" if stem[-1].isdigit() else f"{stem}{version}"


def platform_plugin() -> Path:
    plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
    return plugins / "platforms" / "libqxcb.so"


def run_ldd(path: Path) -> str:
    try:
        done = subprocess.run(
            ["ldd", str(path)], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout


def platform_diagnosis(ldd_output: str) -> str:
    """What to tell when the xcb plugin cannot load: the missing libraries and one apt line.

    Empty when ``ldd`` finds every library: then the problem is elsewhere (no display).
    """
    missing = missing_libraries(ldd_output)
    if not missing:
        return ""
    packages = " ".join(dict.fromkeys(package_for(lib) for lib in missing))
    return (
        "BranchDesk 无法打开窗口：本机缺少图形界面所需的系统库：\n  "
        + "\n  ".join(missing)
        + f"\n请让管理员安装后再启动：\n  sudo apt install {packages}\n"
        "（统信 UOS、麒麟等系统同样适用；命令行功能不受影响。）"
    )


_previous_handler: Callable[..., None] | None = None


_held: list[str] = []  # Qt's own hints about the plugin, shown only if ldd finds nothing


def _on_qt_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    if kind == QtMsgType.QtFatalMsg and "platform plugin" in message:
        # Qt is about to abort with a hint that is often wrong ("xcb-cursor0 ... is needed"
        # when libxcb-icccm4 is what is missing): say what ldd actually finds.
        diagnosis = platform_diagnosis(run_ldd(platform_plugin()))
        sys.stderr.write((diagnosis or "\n".join([*_held, message])) + "\n")
        sys.stderr.flush()
        os._exit(1)
    if "platform plugin" in message:
        _held.append(message)
        return
    if _previous_handler is not None:
        _previous_handler(kind, context, message)
    else:
        sys.stderr.write(message + "\n")


@contextlib.contextmanager
def explaining_platform_failure() -> Iterator[None]:
    """Around creating the QApplication on Linux: explain a platform plugin that cannot load.

    Qt aborts in that case, so the explanation is given from its message handler, which is
    only in place while the application is created.
    """
    global _previous_handler
    if not sys.platform.startswith("linux"):
        yield
        return
    _previous_handler = qInstallMessageHandler(_on_qt_message)
    try:
        yield
    finally:
        qInstallMessageHandler(_previous_handler)
        _previous_handler = None
        _held.clear()
