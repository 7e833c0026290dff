"""The report's charts: vector SVG drawn offline with matplotlib, each with its alt text.

Charts get prepared figures (``Decimal``) and only draw them; every label is bokmål with
Norwegian number forms. The SVG is deterministic: no date in its metadata, a fixed id salt,
and text kept as text (``svg.fonttype = none``) so WeasyPrint sets it in the report's own
embedded font and a reader can select and search it.

matplotlib is imported inside the functions: the code location never pays for it.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

from alis_nord.norsk import kr, tall

FONT_DIR = Path(__file__).resolve().parent.parent / "report_templates" / "fonts"
FONT_FAMILY = "Open Sans"  # the report's font (report_templates/fonts/), so charts match the text
MILLION = Decimal(1_000_000)

# Colours with enough contrast on white (WCAG 2 AA for graphics, 3:1), told apart by pattern too.
PLAN_COLOUR = "#9db4cc"
ACTUAL_COLOUR = "#1f4e79"
FORECAST_COLOUR = "#b35806"
CEILING_COLOUR = "#a50f15"
GRID_COLOUR = "#d9d9d9"


@dataclass(frozen=True)
class Chart:
    """One chart: the SVG, and the alt text a screen reader reads instead."""

    svg: str
    alt: str

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode("utf-8")).decode("ascii")


@dataclass(frozen=True)
class YearBar:
    year: int
    plan: Decimal
    actual: Decimal | None  # None for a year not yet reported


@dataclass(frozen=True)
class CumulativePoint:
    year: int
    used_cumulative: Decimal
    forecast: bool  # a projected year, drawn dashed


def _millions(amount: Decimal) -> str:
    """``12 345 678`` → ``12,3`` (millions of kroner, one decimal, half-up)."""
    return tall((amount / MILLION).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), 1)


@cache
def _matplotlib():
    import matplotlib

    matplotlib.use("svg")
    from matplotlib import font_manager

    for path in sorted(FONT_DIR.glob("OpenSans-*.ttf")):
        font_manager.fontManager.addfont(str(path))
    matplotlib.rcParams.update(
        {
            "svg.hashsalt": "alis-nord",  # stable element ids: the same figures give the same bytes
            "svg.fonttype": "none",
            "font.family": FONT_FAMILY,
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.edgecolor": "#4d4d4d",
            "axes.titlesize": 10,
            "legend.frameon": False,
            "hatch.linewidth": 0.6,
        }
    )
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    return Figure, FuncFormatter


def _svg(figure) -> str:
    buffer = io.StringIO()
    figure.savefig(
        buffer, format="svg", metadata={"Date": None, "Creator": "statusrapport"}, bbox_inches="tight"
    )
    return buffer.getvalue()


def _axis_in_millions(axes, formatter_class) -> None:
    axes.yaxis.set_major_formatter(formatter_class(lambda v, _: _millions(Decimal(str(v)))))
    axes.set_ylabel("mill. kr")
    axes.grid(axis="y", color=GRID_COLOUR, linewidth=0.6)
    axes.set_axisbelow(True)


def plan_and_actual_by_year(bars: Sequence[YearBar]) -> Chart:
    """Grouped bars per year of the grant period: the project plan against what was used."""
    figure_class, formatter = _matplotlib()
    figure = figure_class(figsize=(6.3, 2.9))
    axes = figure.add_subplot()
    positions = range(len(bars))
    width = 0.38
    axes.bar(
        [p - width / 2 for p in positions],
        [float(b.plan) for b in bars],  # drawing only: the figures printed come from Decimal
        width,
        label="Budsjett i prosjektplanen",
        color=PLAN_COLOUR,
        edgecolor=ACTUAL_COLOUR,
        linewidth=0.5,
        hatch="///",
    )
    reported = [(p, b) for p, b in zip(positions, bars, strict=True) if b.actual is not None]
    axes.bar(
        [p + width / 2 for p, _ in reported],
        [float(b.actual) for _, b in reported],
        width,
        label="Brukt (ALIS-tilskudd og kostnader)",
        color=ACTUAL_COLOUR,
    )
    axes.set_xticks(list(positions), [str(b.year) for b in bars])
    _axis_in_millions(axes, formatter)
    axes.legend(loc="upper left", ncols=2, fontsize=8, bbox_to_anchor=(0, 1.14))
    parts = [
        f"{b.year}: budsjett {kr(b.plan, 0)}, "
        + (f"brukt {kr(b.actual, 0)}" if b.actual is not None else "ikke rapportert ennå")
        for b in bars
    ]
    alt = (
        "Stolpediagram over Helsedirektoratets tilskudd per år, budsjett mot brukt. " + "; ".join(parts) + "."
    )
    return Chart(_svg(figure), alt)


def cumulative_use_against_grant(points: Sequence[CumulativePoint], grant_total: Decimal) -> Chart:
    """Cumulative use of the grant by year, the forecast to the end of the period dashed, and
    the grant as a ceiling."""
    figure_class, formatter = _matplotlib()
    figure = figure_class(figsize=(6.3, 2.9))
    axes = figure.add_subplot()
    actual = [p for p in points if not p.forecast]
    projected = [p for p in points if p.forecast]
    axes.axhline(float(grant_total), color=CEILING_COLOUR, linewidth=1.2, linestyle=(0, (1, 1.5)))
    axes.annotate(
        f"Tilskudd {_millions(grant_total)} mill. kr",
        (0, float(grant_total)),
        xycoords=("axes fraction", "data"),
        xytext=(2, 3),
        textcoords="offset points",
        color=CEILING_COLOUR,
        fontsize=8,
    )
    axes.plot(
        [p.year for p in actual],
        [float(p.used_cumulative) for p in actual],
        color=ACTUAL_COLOUR,
        marker="o",
        markersize=4,
        linewidth=1.6,
        label="Brukt hittil",
    )
    if projected and actual:
        axes.plot(
            [actual[-1].year] + [p.year for p in projected],
            [float(actual[-1].used_cumulative)] + [float(p.used_cumulative) for p in projected],
            color=FORECAST_COLOUR,
            marker="s",
            markersize=3.5,
            linewidth=1.4,
            linestyle="--",
            label="Prognose etter dagens takt",
        )
    axes.set_xticks([p.year for p in points], [str(p.year) for p in points])
    axes.set_ylim(0, float(max([grant_total, *(p.used_cumulative for p in points)]) * Decimal("1.12")))
    _axis_in_millions(axes, formatter)
    axes.legend(loc="lower right", fontsize=8)
    described = "; ".join(
        f"{p.year}{' (prognose)' if p.forecast else ''}: {kr(p.used_cumulative, 0)}" for p in points
    )
    alt = (
        f"Linjediagram over brukt av Helsedirektoratets tilskudd på {kr(grant_total, 0)}, "
        f"samlet over årene. {described}."
    )
    return Chart(_svg(figure), alt)


def indicator_trend(name: str, trend: Sequence[tuple[int, object]], target: Decimal, unit: str) -> Chart:
    """A small line chart of one indicator by year, with its target as a dotted line. A year whose
    value is suppressed or missing breaks the line (nothing is drawn across it) and says so in
    the alt text."""
    from alis_nord.disclosure import SUPPRESSED
    from alis_nord.norsk import indikator

    figure_class, _ = _matplotlib()
    figure = figure_class(figsize=(3.1, 1.55))
    axes = figure.add_subplot()
    shown = [(y, v) for y, v in trend if v is not None and v is not SUPPRESSED]
    axes.axhline(float(target), color=CEILING_COLOUR, linewidth=1.0, linestyle=(0, (1, 1.5)))
    if shown:
        axes.plot(
            [y for y, _ in trend],
            [float("nan") if v is None or v is SUPPRESSED else float(v) for _, v in trend],  # nan: a gap
            color=ACTUAL_COLOUR,
            marker="o",
            markersize=3.5,
            linewidth=1.4,
        )
    years = [y for y, _ in trend]
    axes.set_xticks(years, [str(y) for y in years], fontsize=7)
    axes.set_xlim(min(years) - 0.4, max(years) + 0.4)  # every year on the axis, drawn or not
    axes.tick_params(axis="y", labelsize=7)
    top = max([float(target), *(float(v) for _, v in shown)]) * 1.15 or 1
    axes.set_ylim(0, top)
    if unit == "prosent":
        axes.set_ylabel("%", fontsize=7)
    axes.grid(axis="y", color=GRID_COLOUR, linewidth=0.5)
    axes.set_axisbelow(True)
    described = "; ".join(
        f"{y}: {'skjult' if v is SUPPRESSED else 'ikke beregnet' if v is None else indikator(v, unit)}"
        for y, v in trend
    )
    alt = f"Linjediagram over «{name}» per år, med målet {indikator(target, unit)} som prikket linje. {described}."
    return Chart(_svg(figure), alt)
