"""The main window: a shell of navigation, a stack of pages and a status bar."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from branchdesk import APP_TITLE
from branchdesk.ui.context import AppContext


class MainWindow(QMainWindow):
    """Navigation on the left; each page is its own module and refreshes itself."""

    def __init__(self, context: AppContext, pages: list[tuple[str, QWidget]]) -> None:
        super().__init__()
        self.context = context
        self.setObjectName("MainWindow")
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(132)
        self.nav.setIconSize(QSize(20, 20))
        self.stack = QStackedWidget()
        self.pages: dict[str, QWidget] = {}
        for title, page in pages:
            item = QListWidgetItem(title)
            item.setSizeHint(QSize(120, 44))
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.nav.addItem(item)
            self.stack.addWidget(page)
            self.pages[title] = page
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        outer.addWidget(self.banner)
        layout = QHBoxLayout()
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        outer.addLayout(layout, 1)
        self.setCentralWidget(central)
        self._make_actions()
        self._update_title()
        context.events.records_changed.connect(self._on_events_records_changed)
        self.nav.setCurrentRow(0)
        self.setStyleSheet(
            "#navigation { background: #f3f0eb; border: none; border-right: 1px solid #ddd5c8;"
            " font-size: 15px; }"
            "#navigation::item { padding: 6px; }"
            "#navigation::item:selected { background: #b71c1c; color: white; }"
            "#banner { background: #fff3cd; color: #6b4e00; padding: 8px 16px;"
            " border-bottom: 1px solid #e6d38a; font-size: 15px; }"
        )
        self.restore_geometry()

    def _make_actions(self) -> None:
        for index in range(self.nav.count()):
            action = QAction(self.nav.item(index).text(), self)
            action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
            action.triggered.connect(lambda _checked=False, row=index: self.show_page_at(row))
            self.addAction(action)

    def show_banner(self, text: str) -> None:
        """Show a standing notice above every page (read-only folder, risky location)."""
        self.banner.setText(text)
        self.banner.setVisible(bool(text))

    def show_page(self, title: str) -> QWidget:
        row = list(self.pages).index(title)
        self.show_page_at(row)
        return self.pages[title]

    def show_page_at(self, row: int) -> None:
        self.nav.setCurrentRow(row)

    @Slot(str)
    def _on_events_records_changed(self, kind: str) -> None:
        if kind == "branch":
            self._update_title()

    def _update_title(self) -> None:
        branch = self.context.branch.get()
        self.setWindowTitle(f"{branch.name} - {APP_TITLE}" if branch else APP_TITLE)
        self.statusBar().showMessage(f"数据文件夹：{self.context.data_dir}")

    def restore_geometry(self) -> None:
        settings = QSettings()
        geometry = settings.value("main_window/geometry")
        if isinstance(geometry, QByteArray) and self.restoreGeometry(geometry):
            return
        self.resize(1180, 760)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        QSettings().setValue("main_window/geometry", self.saveGeometry())
        super().closeEvent(event)
