"""The painted year chart: rendered to an image, bars and legend where the model says."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QFont, QHelpEvent, QImage, QMouseEvent
from PySide6.QtWidgets import QApplication, QToolTip

from branchdesk.domain.home import MonthFigures, recent_months
from branchdesk.domain.meeting_kinds import MeetingKind
from branchdesk.ui import theme
from branchdesk.ui.charts import ACCESSIBLE_NAME, YearChart
from screenshots import screenshot_file

COMMITTEE = MeetingKind("committee_meeting")
GROUP = MeetingKind("group_meeting")
THEME_DAY = MeetingKind("theme_day")
LECTURE = MeetingKind("party_lecture")
LIFE = MeetingKind("life_meeting")
TODAY = dt.date(2025, 11, 14)

# The tooltip window cannot be raised on the offscreen platform; Qt says so.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support raise")


def _year(empty_month: int | None = 5) -> list[MonthFigures]:
    figures = []
    for index, period in enumerate(recent_months(TODAY)):
        by_kind = {COMMITTEE: 1, GROUP: 3, THEME_DAY: 1}
        if index % 3 == 0:
            by_kind[LECTURE] = 1
        if index == 0:
            by_kind[LIFE] = 1
        if index == empty_month:
            by_kind = {}
        held = sum(by_kind.values())
        figures.append(MonthFigures(period, by_kind, 10 * held, 9 * held))
    return figures


def _chart(qtbot, months, size=(827, 277), font_points=None) -> YearChart:
    chart = YearChart()
    qtbot.addWidget(chart)
    if font_points:
        font = QFont(chart.font())
        font.setPointSizeF(font_points)
        chart.setFont(font)
    chart.resize(*size)
    chart.show()
    chart.set_months(months)
    qtbot.waitExposed(chart)
    return chart


def _image(chart: YearChart) -> tuple[QImage, float]:
    pixmap = chart.grab()
    return pixmap.toImage(), pixmap.devicePixelRatio()


def _save(image: QImage, name: str) -> None:
    path = screenshot_file(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    assert image.save(str(path))


def _colour(image: QImage, ratio: float, x: float, y: float) -> str:
    return image.pixelColor(int(x * ratio), int(y * ratio)).name()


def test_bars_are_painted_where_the_model_puts_them(qtbot):
    chart = _chart(qtbot, _year())
    image, ratio = _image(chart)
    _save(image, "year_chart.png")
    geometry = chart.layout_now().geometry
    seen = 0
    for column in chart.model.columns:
        for segment in column.segments:
            box = geometry.bar_box(segment)
            centre = (box.x + box.width / 2, box.y + box.height / 2)
            assert _colour(image, ratio, *centre) == QColor(segment.kind.spec.colour).name()
            seen += 1
    assert seen == 11 * 3 + 4 + 1
    # The month without meetings has no bar: the band's foot is the background.
    foot = geometry.count_y(0.5)
    assert _colour(image, ratio, geometry.center_x(5), foot) == QColor(theme.WHITE).name()
    # The attendance points sit on the right axis' scale, in the line's colour.
    for month in (0, 4, 11):
        x, y = geometry.rate_point(month)
        assert _colour(image, ratio, x, y) == QColor(theme.INFO_BLUE).name()
    assert geometry.rate_point(5) is None


def test_the_legend_shows_each_kind_held_and_the_rate(qtbot):
    chart = _chart(qtbot, _year())
    image, ratio = _image(chart)
    layout = chart.layout_now()
    names = [item.name for item in layout.legend_items]
    assert names == ["支委会", "党小组会", "主题党日", "党课", "组织生活会", "出席率（右侧刻度）"]
    for (_name, colour, is_line), (x, line) in zip(layout.legend_items, layout.legend_at, strict=True):
        middle = layout.legend_top + line * layout.line + layout.line / 2
        mark = (layout.line_swatch if is_line else layout.swatch) / 2
        assert _colour(image, ratio, layout.pad + x + mark, middle) == QColor(colour).name()


def test_a_tooltip_on_hover_names_kind_month_and_count(qtbot):
    chart = _chart(qtbot, _year())
    geometry = chart.layout_now().geometry
    group = chart.model.columns[2].segments[1]
    box = geometry.bar_box(group)
    position = QPoint(int(box.x + box.width / 2), int(box.y + box.height / 2))
    move = QMouseEvent(
        QEvent.Type.MouseMove, QPointF(position), chart.mapToGlobal(QPointF(position)),
        Qt.MouseButton.NoButton, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(chart, move)
    assert chart.hovered is not None and chart.hovered.segment == group
    QApplication.sendEvent(
        chart, QHelpEvent(QEvent.Type.ToolTip, position, chart.mapToGlobal(position))
    )
    qtbot.waitUntil(QToolTip.isVisible)
    assert QToolTip.text() == "2025年2月\n党小组会：3 次"
    # The hovered month's band is shaded behind its bar.
    image, ratio = _image(chart)
    _save(image, "year_chart_hover.png")
    band = geometry.band(2)
    assert _colour(image, ratio, band.x + 2, band.y + 2) == QColor(theme.HOVER_BACKGROUND).name()

    x, y = geometry.rate_point(7)
    point = QPoint(round(x) + 2, round(y) + 1)
    QApplication.sendEvent(chart, QHelpEvent(QEvent.Type.ToolTip, point, chart.mapToGlobal(point)))
    qtbot.waitUntil(lambda: QToolTip.text().startswith("2025年7月\n出席率 90%"))

    nothing = QPoint(int(band.x + 1), int(geometry.count_y(0.5)))
    QApplication.sendEvent(chart, QHelpEvent(QEvent.Type.ToolTip, nothing, chart.mapToGlobal(nothing)))
    qtbot.waitUntil(lambda: not QToolTip.isVisible())


def test_an_empty_year_draws_axes_and_the_note_only(qtbot):
    periods = recent_months(TODAY)
    chart = _chart(qtbot, [MonthFigures(p, {}, 0, 0) for p in periods])
    image, ratio = _image(chart)
    _save(image, "year_chart_empty.png")
    layout = chart.layout_now()
    assert [item.name for item in layout.legend_items] == ["出席率（右侧刻度）"]
    kind_colours = {QColor(kind.spec.colour).name() for kind in MeetingKind}
    plot = layout.plot
    found = {
        _colour(image, ratio, plot.x + plot.width * i / 40, plot.y + plot.height * j / 20)
        for i in range(41)
        for j in range(21)
    }
    assert not found & kind_colours
    assert QColor(theme.MUTED).name() != QColor(theme.WHITE).name()
    assert chart.accessibleDescription() == "近十二个月没有已召开的会议。"


def test_screen_readers_and_the_keyboard_get_every_figure(qtbot):
    chart = _chart(qtbot, _year())
    assert chart.accessibleName() == ACCESSIBLE_NAME
    description = chart.accessibleDescription()
    assert description.startswith("2024年12月：召开会议 7 次（支委会 1 次、党小组会 3 次、主题党日 1 次")
    assert "2025年5月：没有召开会议；" in description
    assert chart.focusPolicy() & Qt.FocusPolicy.TabFocus
    chart.setFocus()
    qtbot.keyClick(chart, Qt.Key.Key_Right)
    assert chart.current == 0
    qtbot.keyClick(chart, Qt.Key.Key_Right)
    assert chart.current == 1
    assert chart.accessibleName() == (
        f"{ACCESSIBLE_NAME}：2025年1月：召开会议 5 次（支委会 1 次、党小组会 3 次、主题党日 1 次），出席率 90%"
    )
    qtbot.waitUntil(QToolTip.isVisible)
    assert QToolTip.text().startswith("2025年1月：召开会议 5 次")
    qtbot.keyClick(chart, Qt.Key.Key_End)
    assert chart.current == 11
    qtbot.keyClick(chart, Qt.Key.Key_Right)
    assert chart.current == 11
    qtbot.keyClick(chart, Qt.Key.Key_Home)
    assert chart.current == 0


def test_the_chart_grows_with_the_font(qtbot):
    normal = _chart(qtbot, _year())
    large = _chart(qtbot, _year(), size=(600, 380), font_points=16)
    assert large.sizeHint().height() > normal.sizeHint().height()
    assert large.minimumSizeHint().height() > normal.minimumSizeHint().height()
    small_layout, large_layout = normal.layout_now(), large.layout_now()
    assert large_layout.line > small_layout.line * 1.3
    assert large_layout.rate_pen >= small_layout.rate_pen
    # The legend wraps rather than running off the edge; the bars stay where the model says.
    assert max(line for _x, line in large_layout.legend_at) == 1
    for (x, _line), width in zip(large_layout.legend_at, large_layout.legend_widths, strict=True):
        assert large_layout.pad + x + width <= large.width()
    image, ratio = _image(large)
    _save(image, "year_chart_large_font.png")
    segment = large.model.columns[0].segments[-1]
    box = large_layout.geometry.bar_box(segment)
    centre = (box.x + box.width / 2, box.y + box.height / 2)
    assert _colour(image, ratio, *centre) == QColor(segment.kind.spec.colour).name()
