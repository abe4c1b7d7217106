"""Fit every window to the screen it opens on, at any scale: one helper for all of them.

A 1366×768 office laptop at 150% gives a window 911×512 logical pixels, less the taskbar.
So every top-level window and dialog is sized by ``fit_window`` (its wish, or the size it
had last time, never beyond the screen's available geometry), forms scroll
(``scrolling``) instead of growing, rows of buttons and filters wrap (``FlowLayout``),
the key column of a list keeps a readable width (``keep_column_readable``) and the print
preview fills the screen (``fill_screen``).
"""

from __future__ import annotations

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QMargins,
    QObject,
    QPoint,
    QRect,
    QSettings,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QHeaderView,
    QLayout,
    QLayoutItem,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QWidget,
    QWidgetItem,
)

# What a window manager adds around a window (title bar, borders) until the real frame is known.
FRAME_ALLOWANCE = QMargins(8, 32, 8, 8)


def available_geometry(widget: QWidget | None = None) -> QRect:
    """The part of the widget's screen (or the primary one) not taken by taskbars and docks."""
    screen = widget.screen() if widget is not None else None
    if screen is None:
        screen = QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def frame_margins(window: QWidget) -> QMargins:
    """The window's frame, as the window manager draws it, or ``FRAME_ALLOWANCE`` until shown."""
    frame, inner = window.frameGeometry(), window.geometry()
    if frame == inner:
        return QMargins(FRAME_ALLOWANCE)
    return QMargins(
        inner.left() - frame.left(),
        inner.top() - frame.top(),
        frame.right() - inner.right(),
        frame.bottom() - inner.bottom(),
    )


def outer_rect(window: QWidget) -> QRect:
    """Where the window with its frame lies on the screen."""
    return window.geometry().marginsAdded(frame_margins(window))


def usable_size(widget: QWidget | None = None) -> QSize:
    """The largest inside a window may have: the available geometry less the frame."""
    area = available_geometry(widget)
    margins = frame_margins(widget) if widget is not None else FRAME_ALLOWANCE
    return area.marginsRemoved(margins).size()


def fitted_size(widget: QWidget | None, width: int, height: int) -> QSize:
    """``width``×``height``, made smaller where the screen is."""
    return QSize(width, height).boundedTo(usable_size(widget))


class _KeepOnScreen(QObject):
    """Clamps its window into the available geometry each time it is shown.

    Just after it is shown: a dialog places itself over its parent in its own showEvent,
    which comes after this filter and is skipped once the dialog has been moved.
    """

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Show and isinstance(watched, QWidget):
            QTimer.singleShot(0, watched, lambda: keep_on_screen(watched))
        return False


def keep_on_screen(window: QWidget) -> None:
    """Shrink and move ``window`` so that it, with its frame, lies within the available area."""
    size = window.size().boundedTo(usable_size(window))
    if size != window.size():
        window.resize(size)
    area = available_geometry(window)
    outer = outer_rect(window)
    x = min(max(outer.x(), area.left()), area.left() + area.width() - outer.width())
    y = min(max(outer.y(), area.top()), area.top() + area.height() - outer.height())
    if (x, y) != (outer.x(), outer.y()):
        window.move(window.pos() + QPoint(x - outer.x(), y - outer.y()))


def fit_window(
    window: QWidget, width: int | None = None, height: int | None = None, *, key: str = ""
) -> None:
    """Size a top-level window or dialog to fit the screen; remember it under ``key``.

    The window gets the size it had last time (``key``), or ``width``×``height`` (its size
    hint when not given), in either case no larger than the available geometry; each time
    it is shown it is moved back inside the screen (a size saved at 100% does not survive a
    change to 150%).
    """
    hint = window.sizeHint()
    width = hint.width() if width is None else width
    height = hint.height() if height is None else height
    restored = False
    if key:
        geometry = QSettings().value(f"{key}/geometry")
        restored = isinstance(geometry, QByteArray) and window.restoreGeometry(geometry)
    if restored:
        keep_on_screen(window)
    else:  # not moved: a dialog is still centred over its parent when shown
        window.resize(fitted_size(window, width, height))
    if window.findChild(_KeepOnScreen, "keepOnScreen") is None:
        keeper = _KeepOnScreen(window)
        keeper.setObjectName("keepOnScreen")
        window.installEventFilter(keeper)


def save_geometry(window: QWidget, key: str) -> None:
    """Remember the window's size and place for the next ``fit_window(..., key=key)``."""
    QSettings().setValue(f"{key}/geometry", window.saveGeometry())


def fill_screen(window: QWidget) -> None:
    """Open ``window`` maximised within the available geometry (the print preview)."""
    size = usable_size(window)
    fit_window(window, size.width(), size.height())
    window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)


def scrolling(content: QWidget, *, horizontal: bool = False) -> QScrollArea:
    """``content`` in a frameless scroll area: a tall form scrolls instead of growing.

    Only vertically unless ``horizontal``: the form follows the width it is given.
    """
    area = QScrollArea()
    area.setObjectName("fitScroll")
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidgetResizable(True)
    if not horizontal:
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(content)
    area.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    return area


class FlowLayout(QLayout):
    """A row of widgets (buttons, filters) that wraps onto further lines when narrow.

    ``add_break()`` keeps what follows apart: at full width it is pushed to the right
    end of the line, as a stretch would in a QHBoxLayout.
    """

    def __init__(self, parent: QWidget | None = None, *, spacing: int = 8) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._right_from: int | None = None
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def add_break(self) -> None:
        """Put the widgets added from now on at the right end of the line, when they fit."""
        self._right_from = len(self._items)

    # -- QLayout --------------------------------------------------------------------------------

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 (Qt override)
        self._items.append(item)

    def addWidget(self, widget: QWidget) -> None:  # noqa: N802 (Qt override)
        self.addChildWidget(widget)
        self.addItem(QWidgetItem(widget))

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 (Qt override)
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 (Qt override)
        if 0 <= index < len(self._items):
            if self._right_from is not None and index < self._right_from:
                self._right_from -= 1
            return self._items.pop(index)
        return None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 (Qt override)
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt override)
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt override)
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 (Qt override)
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        """All on one line."""
        width, height = 0, 0
        for item in self._shown():
            hint = item.sizeHint()
            width += hint.width() + (self._spacing if width else 0)
            height = max(height, hint.height())
        return self._with_margins(QSize(width, height))

    def minimumSize(self) -> QSize:  # noqa: N802 (Qt override)
        """The widest single item: everything else can wrap."""
        size = QSize()
        for item in self._shown():
            size = size.expandedTo(item.minimumSize())
        return self._with_margins(size)

    # -- arranging ------------------------------------------------------------------------------

    def _shown(self) -> list[QLayoutItem]:
        return [item for item in self._items if not item.isEmpty()]

    def _with_margins(self, size: QSize) -> QSize:
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _lines(self, width: int) -> list[list[QLayoutItem]]:
        lines: list[list[QLayoutItem]] = [[]]
        used = 0
        for item in self._shown():
            item_width = min(item.sizeHint().width(), width)
            needed = item_width + (self._spacing if lines[-1] else 0)
            if lines[-1] and used + needed > width:
                lines.append([])
                used, needed = 0, item_width
            lines[-1].append(item)
            used += needed
        return lines

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        margins = self.contentsMargins()
        inner = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        width = max(inner.width(), 1)
        right_items = self._items[self._right_from :] if self._right_from is not None else []
        right = {id(item) for item in right_items}
        y = inner.y()
        for line in self._lines(width):
            line_height = max((item.sizeHint().height() for item in line), default=0)
            if move:
                widths = [min(item.sizeHint().width(), width) for item in line]
                used = sum(widths) + self._spacing * max(len(widths) - 1, 0)
                x = inner.x()
                pushed = False
                for item, item_width in zip(line, widths, strict=True):
                    if id(item) in right and not pushed:
                        x += max(width - used, 0)  # the right-hand group ends at the edge
                        pushed = True
                    height = item.sizeHint().height()
                    item.setGeometry(
                        QRect(x, y + (line_height - height) // 2, item_width, height)
                    )
                    x += item_width + self._spacing
            y += line_height + self._spacing
        return y - self._spacing - inner.y() + margins.top() + margins.bottom()


class _ReadableColumn(QObject):
    """Stretches a table's key column, but never below its readable width."""

    def __init__(self, table: QTableView, column: int, chars: int) -> None:
        super().__init__(table)
        self.table = table
        self.column = column
        self.chars = chars
        table.viewport().installEventFilter(self)
        table.installEventFilter(self)  # a larger 字号 needs a wider column
        table.horizontalHeader().sectionResized.connect(self._on_header_section_resized)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() in (QEvent.Type.Resize, QEvent.Type.FontChange):
            self.update()
        return False

    @property
    def min_width(self) -> int:
        return self.table.fontMetrics().horizontalAdvance("国") * self.chars + 16

    def _on_header_section_resized(self, index: int, _old: int, _new: int) -> None:
        if index != self.column:
            self.update()

    def update(self) -> None:
        header = self.table.horizontalHeader()
        others = sum(
            header.sectionSize(c)
            for c in range(header.count())
            if c != self.column and not header.isSectionHidden(c)
        )
        room = self.table.viewport().width() - others
        mode = header.sectionResizeMode(self.column)
        min_width = self.min_width
        if room >= min_width:
            if mode != QHeaderView.ResizeMode.Stretch:
                header.setSectionResizeMode(self.column, QHeaderView.ResizeMode.Stretch)
        else:  # too narrow: the key column keeps its width and the list scrolls sideways
            if mode != QHeaderView.ResizeMode.Interactive:
                header.setSectionResizeMode(self.column, QHeaderView.ResizeMode.Interactive)
            if header.sectionSize(self.column) != min_width:
                header.resizeSection(self.column, min_width)


def keep_column_readable(table: QTableView, column: int, chars: int = 12) -> None:
    """Let ``column`` (主题, 姓名) take the spare width, and keep at least ``chars`` characters.

    When the table is too narrow for that, the column keeps its width and the table
    scrolls sideways instead of eliding the column to "…".
    """
    keeper = _ReadableColumn(table, column, chars)
    keeper.setObjectName(f"readableColumn{column}")
    keeper.update()


def show_rows(view: QTableView, rows: int) -> None:
    """Keep ``view`` tall enough for its header and ``rows`` rows, however small the window."""
    header = view.horizontalHeader()
    header_height = header.sizeHint().height() if not header.isHidden() else 0
    row_height = view.verticalHeader().defaultSectionSize()
    frame = 2 * view.frameWidth()
    scrollbar = view.horizontalScrollBar().sizeHint().height()
    view.setMinimumHeight(header_height + rows * row_height + frame + scrollbar)


STANDARD_CHAR_WIDTH = 14  # px of a Chinese character in the standard 10.5 pt text


class _TextWidths(QObject):
    """Keeps a table's column widths in proportion to its text (the 字号 setting)."""

    def __init__(self, table: QTableView, widths: dict[int, int]) -> None:
        super().__init__(table)
        self.table = table
        self.widths = widths
        table.installEventFilter(self)
        self.apply()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.FontChange:
            self.apply()
        return False

    def apply(self) -> None:
        scale = max(self.table.fontMetrics().horizontalAdvance("国") / STANDARD_CHAR_WIDTH, 1.0)
        for column, width in self.widths.items():
            self.table.setColumnWidth(column, round(width * scale))


def set_column_widths(table: QTableView, widths: dict[int, int]) -> None:
    """Give columns their widths for standard text, wider in proportion for larger text."""
    _TextWidths(table, {int(column): width for column, width in widths.items()})


SAMPLE_ROWS = 60  # rows a column's width is measured on: the first ones and a spread of the rest


def sampled_rows(count: int, sample: int = SAMPLE_ROWS) -> list[int]:
    """The rows to measure: the first half of ``sample`` and the rest spread evenly after them."""
    if count <= sample:
        return list(range(count))
    head = sample // 2
    step = (count - head) / (sample - head)
    return list(range(head)) + sorted({head + int(i * step) for i in range(sample - head)})


def size_columns_from_sample(
    table: QTableView, *, padding: int = 24, minimum: int = 64, sample: int = SAMPLE_ROWS
) -> None:
    """Size each column to its title and the text of a sample of rows (not every row).

    ``resizeColumnsToContents`` asks every cell for a dozen roles: some 74,000 calls at a
    thousand members. The sample keeps the first screen exact and sees the rest's lengths.
    """
    model = table.model()
    if model is None:
        return
    header = table.horizontalHeader()
    metrics = table.fontMetrics()
    header_metrics = header.fontMetrics()
    rows = sampled_rows(model.rowCount(), sample)
    for column in range(model.columnCount()):
        title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        widest = header_metrics.horizontalAdvance(title) + padding + 16  # and the sort arrow
        for row in rows:
            text = model.index(row, column).data()
            if text:
                widest = max(widest, metrics.horizontalAdvance(str(text)) + padding)
        header.resizeSection(column, max(widest, minimum))
