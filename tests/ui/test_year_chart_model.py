"""The year chart's model: stacks, axes, positions, hits and texts, without painting."""

from __future__ import annotations

import datetime as dt

import pytest

from branchdesk.domain.home import MonthFigures, recent_months
from branchdesk.domain.meeting_kinds import MeetingKind
from branchdesk.ui.year_chart_model import (
    EMPTY_TEXT,
    Box,
    ChartGeometry,
    Hit,
    YearChartModel,
    count_axis,
    legend_positions,
)

COMMITTEE = MeetingKind("committee_meeting")
GROUP = MeetingKind("group_meeting")
THEME_DAY = MeetingKind("theme_day")
LECTURE = MeetingKind("party_lecture")
GENERAL = MeetingKind("general_meeting")


def months(*by_kind: dict, expected: int = 40, present: int = 36) -> list[MonthFigures]:
    periods = recent_months(dt.date(2025, 11, 14), len(by_kind))
    return [MonthFigures(p, dict(k), expected, present) for p, k in zip(periods, by_kind, strict=True)]


def test_stacks_follow_the_chart_order_and_skip_kinds_never_held():
    # Given out of order: the stack is bottom-up in chart order (支委会, 党小组会, 主题党日 ...).
    model = YearChartModel(months({THEME_DAY: 1, COMMITTEE: 1, GROUP: 3}, {LECTURE: 2}, {}))
    assert model.kinds == (COMMITTEE, GROUP, THEME_DAY, LECTURE)
    first = model.columns[0]
    assert [(s.kind, s.bottom, s.top) for s in first.segments] == [
        (COMMITTEE, 0, 1),
        (GROUP, 1, 4),
        (THEME_DAY, 4, 5),
    ]
    assert first.held == 5 and first.label == "9月" and first.title == "2025年9月"
    assert [s.kind for s in model.columns[1].segments] == [LECTURE]
    assert model.columns[2].segments == () and model.columns[2].held == 0


def test_month_labels_are_chinese_and_titles_carry_the_year():
    model = YearChartModel(months(*[{}] * 12))
    assert [c.label for c in model.columns][:3] == ["12月", "1月", "2月"]
    assert model.columns[0].title == "2024年12月" and model.columns[-1].title == "2025年11月"


@pytest.mark.parametrize(
    ("top", "ticks"),
    [
        (0, [0, 1, 2, 3, 4]),
        (1, [0, 1, 2, 3, 4]),
        (7, [0, 3, 6, 9, 12]),  # the highest bar a little over half way: room for the line
        (13, [0, 5, 10, 15, 20]),
    ],
)
def test_the_count_axis_has_five_whole_ticks_above_the_highest_bar(top, ticks):
    axis = count_axis(top)
    assert list(axis.ticks) == ticks and axis.maximum == ticks[-1]
    assert axis.labels == tuple(str(t) for t in ticks)
    assert axis.maximum >= top * 1.25


def test_the_rate_axis_is_percent_with_the_same_number_of_ticks():
    model = YearChartModel(months({COMMITTEE: 1}))
    assert model.rate_axis.labels == ("0%", "25%", "50%", "75%", "100%")
    assert len(model.rate_axis.ticks) == len(model.count_axis.ticks)


def test_the_rate_line_breaks_at_a_month_without_a_rate():
    figures = months({COMMITTEE: 1}, {COMMITTEE: 1}, {}, {COMMITTEE: 1}, {GROUP: 1})
    figures[2] = MonthFigures(figures[2].period, {}, 0, 0)
    model = YearChartModel(figures)
    assert model.columns[2].rate is None
    assert model.rate_runs() == [[0, 1], [3, 4]]


def test_geometry_places_bars_in_their_band_on_the_count_scale():
    model = YearChartModel(months({COMMITTEE: 1, GROUP: 3}, {THEME_DAY: 2}))  # axis 0..8
    assert model.count_axis.maximum == 8
    geometry = ChartGeometry(model, Box(100, 10, 200, 160))  # bands of 100, 20 px a meeting
    committee, group = model.columns[0].segments
    assert geometry.bar_box(committee) == Box(120, 150, 60, 20)
    assert geometry.bar_box(group) == Box(120, 90, 60, 60)
    (theme_day,) = model.columns[1].segments
    assert geometry.bar_box(theme_day) == Box(220, 130, 60, 40)
    assert geometry.bar_outline(0) == Box(120, 90, 60, 80)
    assert geometry.rate_point(1) == (250, 10 + 160 * 0.1)  # 90% on the right axis
    assert geometry.band(1) == Box(200, 10, 100, 160)


def test_hits_find_the_rate_point_first_then_the_segment():
    model = YearChartModel(months({COMMITTEE: 1, GROUP: 3}, {THEME_DAY: 2}))
    geometry = ChartGeometry(model, Box(100, 10, 200, 160))
    assert geometry.hit(150, 160, radius=6) == Hit(0, segment=model.columns[0].segments[0])
    assert geometry.hit(150, 100, radius=6) == Hit(0, segment=model.columns[0].segments[1])
    assert geometry.hit(153, 28, radius=6) == Hit(0, rate=True)  # the point is at (150, 26)
    assert geometry.hit(110, 160, radius=6) is None  # beside the bar
    assert geometry.hit(150, 60, radius=6) is None  # above the bar, below the line


def test_tooltips_say_kind_month_count_and_the_rate():
    model = YearChartModel(months({COMMITTEE: 1, GROUP: 3}, expected=40, present=37))
    group = model.columns[0].segments[1]
    assert model.tooltip(Hit(0, segment=group)) == "2025年11月\n党小组会：3 次"
    assert model.tooltip(Hit(0, rate=True)) == "2025年11月\n出席率 92%（应到 40 人次，实到 37 人次）"
    assert model.tooltip(Hit(0)) == "2025年11月：召开会议 4 次（支委会 1 次、党小组会 3 次），出席率 92%"


def test_the_description_holds_every_figure_for_a_screen_reader():
    model = YearChartModel(months({COMMITTEE: 1}, {}, expected=10, present=9))
    figures = model.description()
    assert figures == (
        "2025年10月：召开会议 1 次（支委会 1 次），出席率 90%；"
        "2025年11月：没有召开会议，出席率 90%。"
    )


def test_an_empty_year_says_so_and_keeps_a_sensible_axis():
    model = YearChartModel([MonthFigures(p, {}, 0, 0) for p in recent_months(dt.date(2025, 11, 14))])
    assert model.empty and model.kinds == () and model.rate_runs() == []
    assert model.count_axis.labels == ("0", "1", "2", "3", "4")
    assert model.description() == EMPTY_TEXT + "。"
    geometry = ChartGeometry(model, Box(0, 0, 120, 100))
    assert geometry.hit(5, 95, radius=5) is None
    assert YearChartModel([]).description() == ""


def test_the_legend_flows_into_lines():
    assert legend_positions([50, 50, 50], available=200, gap=10) == [(0, 0), (60, 0), (120, 0)]
    assert legend_positions([50, 50, 50], available=150, gap=10) == [(0, 0), (60, 0), (0, 1)]
    # An item wider than the line gets a line of its own.
    assert legend_positions([300, 50], available=100, gap=10) == [(0, 0), (0, 1)]
