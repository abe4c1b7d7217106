"""What the home page's year chart shows and where, in plain Python (no Qt, no painting).

``YearChartModel`` turns the months' figures into stacks (one segment per kind held), the two
axes (meetings on the left, 出席率 on the right, five ticks each so the grid lines serve
both) and the texts of tooltips and of the screen-reader description. ``ChartGeometry`` places
them in a plot rectangle, and answers which bar segment or rate point lies under a position;
``legend_positions`` flows the legend's items into lines. ``ui/charts.py`` only paints what
these say, so the figures and the layout are tested without drawing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from branchdesk.domain.home import MonthFigures
from branchdesk.domain.meeting_kinds import MeetingKind, by_chart_order

TICKS = 5  # on both axes, so that their grid lines coincide
BAR_FRACTION = 0.6  # of a month's band
RATE_LEGEND = "出席率（右侧刻度）"
EMPTY_TEXT = "近十二个月没有已召开的会议"


def rate_text(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.0f}%"


@dataclass(frozen=True)
class Segment:
    """One kind's part of one month's bar: from ``bottom`` to ``top`` meetings."""

    month: int  # index into the chart's months
    kind: MeetingKind
    count: int
    bottom: int

    @property
    def top(self) -> int:
        return self.bottom + self.count


@dataclass(frozen=True)
class Axis:
    maximum: float
    ticks: tuple[float, ...]  # from 0 to maximum
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Column:
    """One month: its label on the axis, its stack and its 出席率."""

    label: str  # ``3月``
    title: str  # ``2025年3月``
    segments: tuple[Segment, ...]  # bottom up, in the kinds' chart order
    held: int
    expected: int
    present: int

    @property
    def rate(self) -> float | None:
        return self.present / self.expected if self.expected else None


@dataclass(frozen=True)
class Hit:
    """What lies under a position: a bar segment, a rate point, or a month's band."""

    month: int
    segment: Segment | None = None
    rate: bool = False


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    def contains(self, x: float, y: float) -> bool:
        return self.x <= x <= self.right and self.y <= y <= self.bottom


def count_axis(top: int) -> Axis:
    """Meetings: a whole step, the highest bar about four fifths up (room for the line)."""
    step = max(1, math.ceil(top * 1.25 / (TICKS - 1)))
    ticks = tuple(float(step * i) for i in range(TICKS))
    return Axis(ticks[-1], ticks, tuple(str(int(t)) for t in ticks))


RATE_AXIS = Axis(
    100.0,
    tuple(100.0 * i / (TICKS - 1) for i in range(TICKS)),
    tuple(f"{100 * i // (TICKS - 1)}%" for i in range(TICKS)),
)


class YearChartModel:
    """The chart's figures: columns, the kinds in the legend, the axes, the texts."""

    def __init__(self, months: Sequence[MonthFigures]) -> None:
        used = {kind for m in months for kind, count in m.by_kind.items() if count}
        self.kinds: tuple[MeetingKind, ...] = tuple(k for k in by_chart_order() if k in used)
        columns = []
        for index, month in enumerate(months):
            segments = []
            bottom = 0
            for kind in self.kinds:
                count = month.by_kind.get(kind, 0)
                if count:
                    segments.append(Segment(index, kind, count, bottom))
                    bottom += count
            period = month.period
            columns.append(
                Column(
                    label=f"{period.number}月",
                    title=period.label,
                    segments=tuple(segments),
                    held=bottom,
                    expected=month.expected,
                    present=month.present,
                )
            )
        self.columns: tuple[Column, ...] = tuple(columns)
        self.count_axis = count_axis(max((c.held for c in self.columns), default=0))
        self.rate_axis = RATE_AXIS

    @property
    def empty(self) -> bool:
        """No meeting held in any month (the axes are drawn, with a note in the plot)."""
        return not any(c.held for c in self.columns)

    def rate_runs(self) -> list[list[int]]:
        """Months with a rate, in runs of consecutive months: the line breaks at a gap."""
        runs: list[list[int]] = []
        previous = None
        for index, column in enumerate(self.columns):
            if column.rate is None:
                continue
            if previous is None or index != previous + 1:
                runs.append([])
            runs[-1].append(index)
            previous = index
        return runs

    # -- texts ---------------------------------------------------------------------------------

    def segment_text(self, segment: Segment) -> str:
        column = self.columns[segment.month]
        return f"{column.title}\n{segment.kind.spec.chart_name}：{segment.count} 次"

    def rate_point_text(self, month: int) -> str:
        column = self.columns[month]
        return (
            f"{column.title}\n出席率 {rate_text(column.rate)}"
            f"（应到 {column.expected} 人次，实到 {column.present} 人次）"
        )

    def month_text(self, month: int) -> str:
        """A month in one line, as the screen reader and the keyboard tooltip say it."""
        column = self.columns[month]
        if column.held:
            parts = "、".join(f"{s.kind.spec.chart_name} {s.count} 次" for s in column.segments)
            held = f"召开会议 {column.held} 次（{parts}）"
        else:
            held = "没有召开会议"
        rate = "" if column.rate is None else f"，出席率 {rate_text(column.rate)}"
        return f"{column.title}：{held}{rate}"

    def tooltip(self, hit: Hit) -> str:
        if hit.segment is not None:
            return self.segment_text(hit.segment)
        if hit.rate:
            return self.rate_point_text(hit.month)
        return self.month_text(hit.month)

    def description(self) -> str:
        """Every figure of the chart, month by month, for a screen reader."""
        if not self.columns:
            return ""
        if self.empty:
            rates = [self.month_text(i) for i, c in enumerate(self.columns) if c.rate is not None]
            return "；".join([EMPTY_TEXT, *rates]) + "。"
        return "；".join(self.month_text(i) for i in range(len(self.columns))) + "。"


class ChartGeometry:
    """Where the model's parts are drawn inside ``plot`` (the area between the axes)."""

    def __init__(self, model: YearChartModel, plot: Box, bar_fraction: float = BAR_FRACTION):
        self.model = model
        self.plot = plot
        self.bar_fraction = bar_fraction

    @property
    def band_width(self) -> float:
        return self.plot.width / max(1, len(self.model.columns))

    def band(self, month: int) -> Box:
        """A month's whole column, from the top of the plot to the axis."""
        return Box(self.plot.x + month * self.band_width, self.plot.y, self.band_width, self.plot.height)

    def center_x(self, month: int) -> float:
        return self.plot.x + (month + 0.5) * self.band_width

    def count_y(self, value: float) -> float:
        return self.plot.bottom - value / self.model.count_axis.maximum * self.plot.height

    def rate_y(self, value: float) -> float:
        """``value`` in percent."""
        return self.plot.bottom - value / self.model.rate_axis.maximum * self.plot.height

    def tick_y(self, index: int) -> float:
        return self.count_y(self.model.count_axis.ticks[index])

    def bar_box(self, segment: Segment) -> Box:
        width = self.band_width * self.bar_fraction
        top = self.count_y(segment.top)
        return Box(self.center_x(segment.month) - width / 2, top, width, self.count_y(segment.bottom) - top)

    def bar_outline(self, month: int) -> Box | None:
        segments = self.model.columns[month].segments
        if not segments:
            return None
        first, last = self.bar_box(segments[0]), self.bar_box(segments[-1])
        return Box(first.x, last.y, first.width, first.bottom - last.y)

    def rate_point(self, month: int) -> tuple[float, float] | None:
        rate = self.model.columns[month].rate
        if rate is None:
            return None
        return self.center_x(month), self.rate_y(rate * 100)

    def hit(self, x: float, y: float, radius: float) -> Hit | None:
        """The rate point within ``radius`` first (it is drawn on top), then a bar segment."""
        if not self.model.columns:
            return None
        best = None
        for month in range(len(self.model.columns)):
            point = self.rate_point(month)
            if point is None:
                continue
            distance = math.hypot(point[0] - x, point[1] - y)
            if distance <= radius and (best is None or distance < best[0]):
                best = (distance, month)
        if best is not None:
            return Hit(best[1], rate=True)
        for column in self.model.columns:
            for segment in column.segments:
                if self.bar_box(segment).contains(x, y):
                    return Hit(segment.month, segment=segment)
        return None


def legend_positions(
    widths: Sequence[float], available: float, gap: float
) -> list[tuple[float, int]]:
    """Each legend item's left edge and line number, flowing left to right and wrapping.

    ``widths`` are the items' drawn widths (swatch and text); ``gap`` separates items on a
    line. An item wider than the line still gets a line of its own.
    """
    positions = []
    x, line = 0.0, 0
    for width in widths:
        if x > 0 and x + width > available:
            x, line = 0.0, line + 1
        positions.append((x, line))
        x += width + gap
    return positions
