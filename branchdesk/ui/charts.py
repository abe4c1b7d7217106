"""The home page's year at a glance: meetings held per month by kind, and the monthly 出席率.

A small painted widget: stacked bars by meeting kind (the kinds' own colours) on the left
axis, the attendance-rate line on the right axis, month labels, a legend, tooltips over a bar
segment or a rate point. What is drawn where comes from ``year_chart_model``; this module
only paints it, in sizes taken from the widget's font so the chart grows with the 字号.
The keyboard moves through the months (←/→, Home/End) and a screen reader gets every figure
from the accessible description.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFocusEvent,
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from branchdesk.domain.home import MonthFigures
from branchdesk.domain.meeting_kinds import MeetingKind
from branchdesk.ui import theme
from branchdesk.ui.year_chart_model import (
    EMPTY_TEXT,
    RATE_LEGEND,
    Box,
    ChartGeometry,
    Hit,
    YearChartModel,
    legend_positions,
)

RATE_COLOR = theme.INFO_BLUE
ACCESSIBLE_NAME = "近十二个月会议和出席率图表"
AXIS_FONT_SCALE = 0.93  # axis labels a little smaller than the legend (13 px at 14 px)


def kind_name(kind: MeetingKind) -> str:
    """The legend's name (short enough for eight of them to fit)."""
    return kind.spec.chart_name


def kind_colour(kind: MeetingKind) -> str:
    return kind.spec.colour


def _qrect(box: Box) -> QRectF:
    return QRectF(box.x, box.y, box.width, box.height)


class LegendItem(NamedTuple):
    name: str
    colour: str
    is_line: bool  # the rate line's short stroke rather than a square


def _scaled(font: QFont, factor: float) -> QFont:
    scaled = QFont(font)
    if font.pointSizeF() > 0:
        scaled.setPointSizeF(font.pointSizeF() * factor)
    else:
        scaled.setPixelSize(max(1, round(font.pixelSize() * factor)))
    return scaled


class _Layout:
    """The widget's rectangles for one size and font: plot, labels, legend."""

    def __init__(self, chart: YearChart) -> None:
        width, height = chart.width(), chart.height()
        self.font = QFont(chart.font())
        self.axis_font = _scaled(self.font, AXIS_FONT_SCALE)
        text = QFontMetricsF(self.font)
        axis = QFontMetricsF(self.axis_font)
        self.line = text.height()
        self.pad = round(self.line * 0.4)
        model = chart.model
        # Legend: kinds (square swatch) then the rate (a short line), flowed into lines.
        self.swatch = round(text.ascent() * 0.62)
        self.swatch_gap = round(self.line * 0.25)
        self.legend_items = [LegendItem(kind_name(k), kind_colour(k), False) for k in model.kinds]
        self.legend_items.append(LegendItem(RATE_LEGEND, RATE_COLOR, True))
        self.line_swatch = round(self.line * 0.7)
        widths = []
        for item in self.legend_items:
            mark = self.line_swatch if item.is_line else self.swatch
            widths.append(mark + self.swatch_gap + text.horizontalAdvance(item.name))
        self.legend_widths = widths
        self.legend_gap = round(self.line * 0.9)
        legend_width = max(1.0, width - 2 * self.pad)
        self.legend_at = legend_positions(widths, legend_width, self.legend_gap)
        lines = 1 + max((line for _x, line in self.legend_at), default=0)
        self.legend_top = height - self.pad * 0.5 - lines * self.line
        # Axes: the widest tick label on each side.
        self.axis_line = axis.height()
        left_labels = max(axis.horizontalAdvance(t) for t in model.count_axis.labels)
        right_labels = max(axis.horizontalAdvance(t) for t in model.rate_axis.labels)
        plot_left = self.pad + left_labels + self.pad
        plot_right = width - self.pad - right_labels - self.pad
        plot_top = self.pad + self.axis_line / 2
        self.month_label_top = self.legend_top - self.pad * 1.5 - self.axis_line
        plot_bottom = self.month_label_top - self.pad * 0.6
        self.plot = Box(
            plot_left, plot_top, max(1.0, plot_right - plot_left), max(1.0, plot_bottom - plot_top)
        )
        self.geometry = ChartGeometry(model, self.plot)
        band = self.geometry.band_width
        widest = max((axis.horizontalAdvance(c.label) for c in model.columns), default=0)
        # Labels would touch: show every other month (the first one included).
        self.label_every = 1 if widest <= band * 0.92 else 2
        self.rate_pen = max(2.0, round(self.line / 7))
        self.point_radius = self.rate_pen * 1.45


class YearChart(QWidget):
    """Meetings per month by kind with the 出席率 line on a second axis."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("yearChart")
        self.months: list[MonthFigures] = []
        self.model = YearChartModel([])
        self.hovered: Hit | None = None
        self.current: int | None = None  # the month chosen with the keyboard
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(ACCESSIBLE_NAME)

    # -- data ----------------------------------------------------------------------------------

    def set_months(self, months: Sequence[MonthFigures]) -> None:
        self.months = list(months)
        self.model = YearChartModel(self.months)
        self.hovered = None
        if self.current is not None and self.current >= len(self.model.columns):
            self.current = None
        self.setAccessibleDescription(self.model.description())
        self._update_accessible_name()
        self.updateGeometry()
        self.update()

    def layout_now(self) -> _Layout:
        """The rectangles for the current size and font (what the painting uses)."""
        return _Layout(self)

    # -- size ----------------------------------------------------------------------------------

    def _line(self) -> float:
        return QFontMetricsF(self.font()).height()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt)
        line = self._line()
        return QSize(round(line * 30), round(line * 14))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt)
        line = self._line()
        return QSize(round(line * 16), round(line * 11.5))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt)
        if event.type() == QEvent.Type.FontChange:
            self.updateGeometry()
            self.update()
        super().changeEvent(event)

    # -- painting ------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt)
        layout = _Layout(self)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(QRectF(self.rect()).adjusted(0, 0, 1, 1), QColor(theme.WHITE))
        self._paint_highlight(painter, layout)
        self._paint_grid(painter, layout)
        self._paint_month_ticks(painter, layout)
        self._paint_bars(painter, layout)
        self._paint_rate(painter, layout)
        self._paint_month_labels(painter, layout)
        self._paint_legend(painter, layout)
        if self.model.empty and self.model.columns:
            painter.setFont(layout.font)
            plot = _qrect(layout.plot)
            note = painter.fontMetrics().boundingRect(EMPTY_TEXT).toRectF()
            note.adjust(-layout.pad, -layout.pad / 2, layout.pad, layout.pad / 2)
            note.moveCenter(plot.center())
            painter.fillRect(note, QColor(theme.WHITE))
            painter.setPen(QColor(theme.MUTED))
            painter.drawText(note, Qt.AlignmentFlag.AlignCenter, EMPTY_TEXT)
        painter.end()

    def _focus_month(self) -> int | None:
        if self.hovered is not None:
            return self.hovered.month
        if self.current is not None and self.hasFocus():
            return self.current
        return None

    def _paint_highlight(self, painter: QPainter, layout: _Layout) -> None:
        month = self._focus_month()
        if month is None:
            return
        band = _qrect(layout.geometry.band(month))
        painter.fillRect(band, QColor(theme.HOVER_BACKGROUND))
        if self.current == month and self.hasFocus():
            pen = QPen(QColor(theme.MUTED), 1, Qt.PenStyle.DotLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(band.adjusted(0.5, 0.5, -0.5, -0.5))

    def _paint_grid(self, painter: QPainter, layout: _Layout) -> None:
        geometry, plot = layout.geometry, layout.plot
        painter.setFont(layout.axis_font)
        line_pen = QPen(QColor(theme.CHART_GRID), 1)
        left_rect_width = plot.x - 2 * layout.pad
        for index, label in enumerate(self.model.count_axis.labels):
            y = round(geometry.tick_y(index)) + 0.5
            painter.setPen(line_pen if index else QPen(QColor(theme.RULE), 1))
            painter.drawLine(QPointF(plot.x, y), QPointF(plot.right, y))
            text_box = QRectF(layout.pad, y - layout.axis_line / 2, left_rect_width, layout.axis_line)
            painter.setPen(QColor(theme.TEXT_DARK))
            painter.drawText(text_box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
        right_x = plot.right + layout.pad
        painter.setPen(QColor(RATE_COLOR))
        for index, label in enumerate(self.model.rate_axis.labels):
            y = geometry.rate_y(self.model.rate_axis.ticks[index])
            text_box = QRectF(right_x, y - layout.axis_line / 2, self.width() - right_x, layout.axis_line)
            painter.drawText(text_box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label)

    def _paint_month_ticks(self, painter: QPainter, layout: _Layout) -> None:
        """Short marks under the axis between the months, as a category axis has."""
        geometry, plot = layout.geometry, layout.plot
        painter.setPen(QPen(QColor(theme.RULE), 1))
        length = layout.pad * 0.6
        for month in range(len(self.model.columns) + 1):
            x = round(plot.x + month * geometry.band_width) + 0.5
            painter.drawLine(QPointF(x, plot.bottom), QPointF(x, plot.bottom + length))

    def _paint_bars(self, painter: QPainter, layout: _Layout) -> None:
        geometry = layout.geometry
        separator = QPen(QColor(theme.WHITE), 1)
        for column in self.model.columns:
            for segment in column.segments:
                box = _qrect(geometry.bar_box(segment))
                painter.fillRect(box, QColor(kind_colour(segment.kind)))
                if segment.bottom:
                    painter.setPen(separator)
                    painter.drawLine(box.bottomLeft(), box.bottomRight())
        hovered = self.hovered
        if hovered is not None and hovered.segment is not None:
            painter.setPen(QPen(QColor(theme.TEXT_DARK), 1.5))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            box = _qrect(geometry.bar_box(hovered.segment))
            painter.drawRect(box.adjusted(0.75, 0.75, -0.75, -0.75))

    def _paint_rate(self, painter: QPainter, layout: _Layout) -> None:
        geometry = layout.geometry
        colour = QColor(RATE_COLOR)
        pen = QPen(colour, layout.rate_pen)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(pen)
        for run in self.model.rate_runs():
            path = QPainterPath()
            for position, month in enumerate(run):
                x, y = geometry.rate_point(month)  # type: ignore[misc]
                if position:
                    path.lineTo(x, y)
                else:
                    path.moveTo(x, y)
            painter.drawPath(path)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(colour))
        hovered_point = self.hovered.month if self.hovered and self.hovered.rate else None
        for run in self.model.rate_runs():
            for month in run:
                x, y = geometry.rate_point(month)  # type: ignore[misc]
                radius = layout.point_radius
                if month == hovered_point:
                    painter.setPen(QPen(QColor(theme.WHITE), layout.rate_pen * 0.6))
                    radius *= 1.5
                painter.drawEllipse(QPointF(x, y), radius, radius)
                painter.setPen(Qt.PenStyle.NoPen)

    def _paint_month_labels(self, painter: QPainter, layout: _Layout) -> None:
        geometry = layout.geometry
        painter.setFont(layout.axis_font)
        painter.setPen(QColor(theme.TEXT_DARK))
        for month, column in enumerate(self.model.columns):
            if month % layout.label_every:
                continue
            band = geometry.band(month)
            width = band.width * layout.label_every
            box = QRectF(geometry.center_x(month) - width / 2, layout.month_label_top, width, layout.axis_line)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, column.label)

    def _paint_legend(self, painter: QPainter, layout: _Layout) -> None:
        painter.setFont(layout.font)
        left = layout.pad
        for (name, colour, is_line), (x, line) in zip(
            layout.legend_items, layout.legend_at, strict=True
        ):
            top = layout.legend_top + line * layout.line
            middle = top + layout.line / 2
            mark = QColor(colour)
            if is_line:
                painter.setPen(QPen(mark, layout.rate_pen))
                painter.drawLine(QPointF(left + x, middle), QPointF(left + x + layout.line_swatch, middle))
                text_x = left + x + layout.line_swatch + layout.swatch_gap
                painter.setPen(mark)
            else:
                size = layout.swatch
                painter.fillRect(QRectF(left + x, middle - size / 2, size, size), mark)
                text_x = left + x + size + layout.swatch_gap
                painter.setPen(QColor(theme.TEXT_DARK))
            box = QRectF(text_x, top, self.width() - text_x, layout.line)
            painter.drawText(box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)

    # -- mouse, tooltips, keyboard ---------------------------------------------------------------

    def hit_at(self, x: float, y: float) -> Hit | None:
        layout = _Layout(self)
        return layout.geometry.hit(x, y, layout.point_radius * 2.2)

    def _hit_rect(self, hit: Hit, layout: _Layout) -> QRect:
        geometry = layout.geometry
        if hit.segment is not None:
            return _qrect(geometry.bar_box(hit.segment)).toAlignedRect()
        if hit.rate:
            x, y = geometry.rate_point(hit.month)  # type: ignore[misc]
            r = layout.point_radius * 2.2
            return QRectF(x - r, y - r, 2 * r, 2 * r).toAlignedRect()
        return _qrect(geometry.band(hit.month)).toAlignedRect()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            hit = self.hit_at(event.pos().x(), event.pos().y())
            if hit is None:
                QToolTip.hideText()
                event.ignore()
            else:
                rect = self._hit_rect(hit, _Layout(self))
                QToolTip.showText(event.globalPos(), self.model.tooltip(hit), self, rect)
            return True
        return super().event(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt)
        hit = self.hit_at(event.position().x(), event.position().y())
        if hit != self.hovered:
            self.hovered = hit
            self.update()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt)
        if self.hovered is not None:
            self.hovered = None
            self.update()
        super().leaveEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt)
        count = len(self.model.columns)
        key = event.key()
        moves = {
            Qt.Key.Key_Left: -1,
            Qt.Key.Key_Right: 1,
        }
        if not count or key not in (*moves, Qt.Key.Key_Home, Qt.Key.Key_End):
            super().keyPressEvent(event)
            return
        if key == Qt.Key.Key_Home:
            month = 0
        elif key == Qt.Key.Key_End:
            month = count - 1
        elif self.current is None:
            month = count - 1 if key == Qt.Key.Key_Left else 0
        else:
            month = min(count - 1, max(0, self.current + moves[key]))
        self.select_month(month)
        event.accept()

    def select_month(self, month: int) -> None:
        """Choose a month with the keyboard: highlighted, told in a tooltip and to a reader."""
        self.current = month
        self._update_accessible_name()
        self.update()
        layout = _Layout(self)
        rect = self._hit_rect(Hit(month), layout)
        anchor = self.mapToGlobal(rect.center())
        QToolTip.showText(anchor, self.model.month_text(month), self, rect)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt)
        self.update()
        super().focusOutEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt)
        self.update()
        super().focusInEvent(event)

    def _update_accessible_name(self) -> None:
        if self.current is None or self.current >= len(self.model.columns):
            self.setAccessibleName(ACCESSIBLE_NAME)
        else:
            self.setAccessibleName(f"{ACCESSIBLE_NAME}：{self.model.month_text(self.current)}")
