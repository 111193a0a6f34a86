"""Charts drawn with reportlab.graphics (vector, in the embedded CJK font).

`outstanding_and_overdue`: grouped bars of principal outstanding and overdue
per township (the fund statement), per county (the region statement) or per
village society (the societies' roll-up, on a landscape page's width).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm

from reports.layout import FONT, WIDTH

OUTSTANDING_FILL = colors.HexColor("#3A6EA5")
OVERDUE_FILL = colors.HexColor("#C0504D")
TEN_THOUSAND = Decimal(10000)
UPRIGHT_PAST = 20


def outstanding_and_overdue(
    names: Sequence[str],
    outstanding: Sequence[Decimal],
    overdue: Sequence[Decimal],
    *,
    width: float = WIDTH,
) -> Drawing:
    """Grouped bars: outstanding and overdue per name, in 万元; "—" with no bars when empty.

    Past `UPRIGHT_PAST` names (a county's societies) the names stand upright, so they never
    overlap.
    """
    # Chart geometry needs floats; the figures themselves stay Decimal up to here.
    bars = [[float(v / TEN_THOUSAND) for v in values] or [0.0] for values in (outstanding, overdue)]
    upright = len(names) > UPRIGHT_PAST
    # Upright names need room below the axis.
    below = 30 * mm if upright else 20 * mm
    height = 78 * mm + below - 20 * mm
    drawing = Drawing(width, height)
    drawing.initialFontName = FONT  # else the renderer selects Helvetica, which is not embedded
    drawing.initialFontSize = 7
    chart = VerticalBarChart()
    chart.x, chart.y = 14 * mm, below
    chart.width, chart.height = width - 20 * mm, height - below - 10 * mm
    chart.data = bars
    chart.groupSpacing = 4
    chart.barSpacing = 0.5
    chart.bars[0].fillColor = OUTSTANDING_FILL
    chart.bars[1].fillColor = OVERDUE_FILL
    chart.bars.strokeWidth = 0
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = lambda v: f"{v:,.1f}"
    chart.valueAxis.gridStrokeColor = colors.HexColor("#DDDDDD")
    chart.valueAxis.visibleGrid = True
    chart.categoryAxis.categoryNames = list(names) or ["—"]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 90 if upright else 35
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.categoryAxis.labels.dx = 3
    chart.categoryAxis.labels.dy = -2
    drawing.add(chart)
    legend = Legend()
    legend.fontName = FONT
    legend.fontSize = 7.5
    legend.x, legend.y = width - 45 * mm, height - 3 * mm
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.dxTextSpace = 4
    legend.colorNamePairs = [(OUTSTANDING_FILL, "借款余额"), (OVERDUE_FILL, "逾期金额")]
    drawing.add(legend)
    drawing.add(String(2 * mm, height - 5 * mm, "万元", fontName=FONT, fontSize=7))
    return drawing
