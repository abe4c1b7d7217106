"""The home page's year at a glance: meetings held per month by kind, and the monthly 出席率.

QtCharts ships in the ``PySide6-Addons`` wheel, not in ``PySide6-Essentials``. With it the
figures are a stacked bar chart with the attendance line on a second axis; without it they
are the same figures as a small table of numbers, so the page works either way.
"""

from __future__ import annotations

import importlib.util
import math

from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from branchdesk.domain.home import MonthFigures
from branchdesk.domain.meeting_kinds import MeetingKind, by_chart_order
from branchdesk.ui import theme

RATE_COLOR = theme.INFO_BLUE


def charts_available() -> bool:
    """Tell whether QtCharts (from PySide6-Addons) can be imported."""
    try:
        return importlib.util.find_spec("PySide6.QtCharts") is not None
    except (ImportError, ValueError):
        return False


def kind_name(kind: MeetingKind) -> str:
    """The legend's name (short enough for eight of them to fit)."""
    return kind.spec.chart_name


def kind_colour(kind: MeetingKind) -> str:
    return kind.spec.colour


def month_label(figures: MonthFigures, first: bool) -> str:
    """``3月``; in the table the first column and every January also say the year."""
    period = figures.period
    if first or period.number == 1:
        return f"{period.year % 100:02d}年{period.number}月"
    return f"{period.number}月"


def _kinds_shown(months: list[MonthFigures]) -> list[MeetingKind]:
    used = {kind for m in months for kind, count in m.by_kind.items() if count}
    return [kind for kind in by_chart_order() if kind in used]


def _rate_text(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.0f}%"


class YearChart(QWidget):
    """Meetings per month by kind with the 出席率 line; a table when QtCharts is missing."""

    def __init__(self, parent: QWidget | None = None, *, use_charts: bool | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("yearChart")
        self.uses_charts = charts_available() if use_charts is None else use_charts
        self.months: list[MonthFigures] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        if self.uses_charts:
            from PySide6.QtCharts import QChart, QChartView

            self.chart = QChart()
            self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
            self.chart.setBackgroundVisible(False)
            self.chart.setMargins(QMargins(4, 4, 4, 4))
            # A legend as a label wraps onto two lines where QLegend would elide names.
            self.chart.legend().hide()
            self.view = QChartView(self.chart)
            self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
            self.view.setBackgroundBrush(QColor("white"))
            self.view.setFrameShape(QFrame.Shape.NoFrame)
            self.view.setMinimumHeight(230)
            layout.addWidget(self.view)
            self.legend = QLabel()
            self.legend.setObjectName("chartLegend")
            self.legend.setWordWrap(True)
            self.legend.setTextFormat(Qt.TextFormat.RichText)
            self.legend.setStyleSheet(theme.LEGEND_TEXT)
            layout.addWidget(self.legend)
        else:
            self.table = QWidget()
            self.table.setObjectName("chartTable")
            self.grid = QGridLayout(self.table)
            self.grid.setContentsMargins(0, 0, 0, 0)
            self.grid.setHorizontalSpacing(4)
            self.grid.setVerticalSpacing(2)
            layout.addWidget(self.table)
            layout.addStretch(1)

    @staticmethod
    def _font(pixels: int, bold: bool = False) -> QFont:
        font = QFont()
        font.setPixelSize(pixels)
        font.setBold(bold)
        return font

    def set_months(self, months: list[MonthFigures]) -> None:
        self.months = list(months)
        if self.uses_charts:
            self._fill_chart()
        else:
            self._fill_table()

    # -- QtCharts --------------------------------------------------------------------------------

    def _fill_chart(self) -> None:
        from PySide6.QtCharts import (
            QBarCategoryAxis,
            QBarSet,
            QLineSeries,
            QStackedBarSeries,
            QValueAxis,
        )

        chart = self.chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        months = self.months
        categories = [f"{m.period.number}月" for m in months]
        bars = QStackedBarSeries()
        bars.setBarWidth(0.6)
        for kind in _kinds_shown(months):
            bar_set = QBarSet(kind_name(kind))
            bar_set.append([float(m.by_kind.get(kind, 0)) for m in months])
            bar_set.setColor(QColor(kind_colour(kind)))
            bar_set.setBorderColor(QColor("white"))
            bars.append(bar_set)
        chart.addSeries(bars)
        rate = QLineSeries()
        rate.setName("出席率")
        pen = QPen(QColor(RATE_COLOR))
        pen.setWidth(3)
        rate.setPen(pen)
        rate.setPointsVisible(True)
        for index, month in enumerate(months):
            if month.rate is not None:
                rate.append(float(index), month.rate * 100)
        chart.addSeries(rate)

        axis_x = QBarCategoryAxis()
        axis_x.append(categories)
        axis_x.setLabelsFont(self._font(13))
        axis_x.setGridLineVisible(False)
        # Five ticks on both axes, so the grid lines serve both; the bars keep to the lower
        # part and the attendance line (usually near 90%) runs above them.
        top = max((m.held for m in months), default=0)
        step = max(1, math.ceil(top * 1.25 / 4))
        axis_count = QValueAxis()
        axis_count.setRange(0, step * 4)
        axis_count.setTickCount(5)
        axis_count.setLabelFormat("%d")
        axis_count.setLabelsFont(self._font(13))
        axis_count.setGridLineColor(QColor(theme.CHART_GRID))
        axis_rate = QValueAxis()
        axis_rate.setRange(0, 100)
        axis_rate.setTickCount(5)
        axis_rate.setLabelFormat("%d%%")
        axis_rate.setLabelsFont(self._font(13))
        axis_rate.setLabelsColor(QColor(RATE_COLOR))
        axis_rate.setGridLineVisible(False)
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(axis_count, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(axis_rate, Qt.AlignmentFlag.AlignRight)
        bars.attachAxis(axis_x)
        bars.attachAxis(axis_count)
        rate.attachAxis(axis_x)
        rate.attachAxis(axis_rate)
        swatches = [
            f"<span style='color:{kind_colour(kind)}'>■</span>&nbsp;{kind_name(kind)}"
            for kind in _kinds_shown(months)
        ]
        swatches.append(f"<span style='color:{RATE_COLOR}'>━&nbsp;出席率（右侧刻度）</span>")
        self.legend.setText("　".join(swatches))

    # -- without QtCharts: the same figures as numbers -------------------------------------------

    def _fill_table(self) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        months = self.months

        def cell(text: str, row: int, column: int, style: str = "") -> QLabel:
            label = QLabel(text)
            label.setAlignment(
                Qt.AlignmentFlag.AlignCenter if column else Qt.AlignmentFlag.AlignLeft
            )
            label.setStyleSheet(f"font-size: 14px; padding: 3px 2px; {style}")
            self.grid.addWidget(label, row, column)
            return label

        cell("", 0, 0)
        for column, month in enumerate(months, start=1):
            cell(month_label(month, column == 1), 0, column, theme.MUTED_TEXT)
        row = 1
        for kind in _kinds_shown(months):
            swatch = f"<span style='color:{kind_colour(kind)}'>■</span> {kind_name(kind)}"
            cell(swatch, row, 0)
            for column, month in enumerate(months, start=1):
                count = month.by_kind.get(kind, 0)
                faint = "" if count else theme.color(theme.FAINT)
                cell(str(count) if count else "·", row, column, faint)
            row += 1
        total = f"font-weight: 600; border-top: 1px solid {theme.RULE};"
        cell("合计", row, 0, total)
        for column, month in enumerate(months, start=1):
            cell(str(month.held), row, column, total)
        row += 1
        cell(f"<span style='color:{RATE_COLOR}'>出席率</span>", row, 0, "font-weight: 600;")
        for column, month in enumerate(months, start=1):
            cell(_rate_text(month.rate), row, column, f"color: {RATE_COLOR}; font-weight: 600;")
        self.grid.setColumnStretch(0, 0)
        for column in range(1, len(months) + 1):
            self.grid.setColumnStretch(column, 1)
