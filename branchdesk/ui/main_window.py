"""The main window: a shell of navigation, a stack of pages and a status bar."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from PySide6.QtCore import QSize, Qt, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
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
from branchdesk.ops import Changes
from branchdesk.ui import theme
from branchdesk.ui.context import AppContext
from branchdesk.ui.screen_fit import fit_window, save_geometry

PageFactory = Callable[[QWidget], QWidget]  # given the parent the page will live in


class _Pages(Mapping[str, QWidget]):
    """The pages by title, each built the first time it is asked for (start-up stays fast)."""

    def __init__(self, window: MainWindow, factories: list[tuple[str, PageFactory]]) -> None:
        self._window = window
        self._factories = dict(factories)
        self._built: dict[str, QWidget] = {}

    def __getitem__(self, title: str) -> QWidget:
        if title not in self._built:
            page = self._factories[title](self._window.stack)
            self._built[title] = page
            self._window._install_page(title, page)
        return self._built[title]

    def __iter__(self) -> Iterator[str]:
        return iter(self._factories)

    def __len__(self) -> int:
        return len(self._factories)

    def built(self, title: str) -> bool:
        return title in self._built


class MainWindow(QMainWindow):
    """Navigation on the left; each page is its own module and refreshes itself.

    Pages are given as factories and built when first shown. A page with a
    ``navigate_requested(str)`` signal can ask for another page by its title.
    """

    def __init__(
        self, context: AppContext, pages: list[tuple[str, PageFactory | QWidget]]
    ) -> None:
        super().__init__()
        self.context = context
        self.setObjectName("MainWindow")
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(132)
        self.nav.setIconSize(QSize(20, 20))
        self.stack = QStackedWidget()
        self._titles = [title for title, _page in pages]
        factories: list[tuple[str, PageFactory]] = []
        for title, page in pages:
            item = QListWidgetItem(title)
            item.setSizeHint(QSize(120, 44))
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.nav.addItem(item)
            self.stack.addWidget(QWidget())  # stands in until the page is first shown
            factories.append((title, page if callable(page) and not isinstance(page, QWidget)
                              else (lambda _parent, widget=page: widget)))
        self.pages = _Pages(self, factories)
        self.nav.currentRowChanged.connect(self._on_nav_current_row_changed)
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
        context.events.changes_applied.connect(self._on_events_changes_applied)
        # Styled before the first page is built: styling a built page again costs more
        # than building it.
        self.setStyleSheet(theme.MAIN_WINDOW)
        self.nav.setCurrentRow(0)
        self.restore_geometry()

    def _install_page(self, title: str, page: QWidget) -> None:
        index = self._titles.index(title)
        placeholder = self.stack.widget(index)
        current = self.stack.currentIndex()
        self.stack.insertWidget(index, page)
        self.stack.removeWidget(placeholder)
        placeholder.deleteLater()
        self.stack.setCurrentIndex(current)
        navigate = getattr(page, "navigate_requested", None)
        if navigate is not None:
            navigate.connect(self.show_page)

    @Slot(int)
    def _on_nav_current_row_changed(self, row: int) -> None:
        if row < 0:
            return
        self.pages[self._titles[row]]  # noqa: B018 - builds the page on first visit
        self.stack.setCurrentIndex(row)

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
        self.show_page_at(self._titles.index(title))
        return self.pages[title]

    def show_page_at(self, row: int) -> None:
        """Show a page and give it the keyboard (Ctrl+1…6, a page asking for another)."""
        self.nav.setCurrentRow(row)
        page = self.pages[self._titles[row]]
        focus_main = getattr(page, "focus_main", None)
        if callable(focus_main):
            focus_main()  # its main list, so that Ctrl+N, Enter and Del act at once
        elif not page.isAncestorOf(QApplication.focusWidget()):
            _focus_first_field(page)  # off the sidebar, so the page's shortcuts work

    @Slot(object)
    def _on_events_changes_applied(self, changes: Changes) -> None:
        if changes.branch:  # also set when a backup was restored
            self._update_title()

    def _update_title(self) -> None:
        branch = self.context.branch.get()
        self.setWindowTitle(f"{branch.name} - {APP_TITLE}" if branch else APP_TITLE)
        self.statusBar().showMessage(f"数据文件夹：{self.context.data_dir}")

    def restore_geometry(self) -> None:
        """The size and place of last time, or 1180×760; never beyond the screen."""
        fit_window(self, 1180, 760, key="main_window")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        save_geometry(self, "main_window")
        super().closeEvent(event)


def _focus_first_field(page: QWidget) -> None:
    """Focus the first widget of ``page`` that Tab would reach."""
    widget = page.nextInFocusChain()
    for _ in range(10_000):  # the chain is a ring through the whole window
        if widget is page or widget is None:
            return
        if (
            page.isAncestorOf(widget)
            and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
            and widget.isVisible()
            and widget.isEnabled()
        ):
            widget.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return
        widget = widget.nextInFocusChain()
