"""Targets and their judgement: what ``referanse/maal.csv`` may set a target for, and the rules
that turn a target and a year's value into «nådd», «delvis nådd» or «ikke nådd».

The values themselves are computed from a year's published counts in
``alis_nord.goal_attainment.indicator_values``, so a value built from a suppressed count is
suppressed too and cannot be judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Indicator:
    id: str
    maal: int  # the objective it measures, 1–5
    navn: str  # bokmål, as the report prints it
    enhet: str  # "antall" or "prosent"


INDICATORS = {
    i.id: i
    for i in (
        Indicator("alis_i_utdanning", 1, "ALIS i utdanning ved årets slutt", "antall"),
        Indicator(
            "andel_i_stilling_etter_ett_aar",
            1,
            "Andel av fjorårets nye ALIS som fortsatt er i stilling",
            "prosent",
        ),
        Indicator("andel_naeringsdrift", 2, "Andel ALIS i næringsdrift", "prosent"),
        Indicator(
            "andel_med_veiledningskrav_oppfylt",
            3,
            "Andel ALIS ansatt hele året med minst 42 timer individuell veiledning",
            "prosent",
        ),
        Indicator("kommuner_med_alis", 4, "Deltakerkommuner med ALIS", "antall"),
        Indicator("andel_kommuner_som_leverte", 5, "Andel deltakerkommuner som leverte tall", "prosent"),
    )
}

REACHED, PARTLY, NOT_REACHED, UNJUDGED = "nådd", "delvis nådd", "ikke nådd", "kan ikke vurderes"
PARTLY_MARGIN = Decimal("0.10")  # within 10 % of the target on the wrong side: partly reached
JUDGEMENT_RULES = (  # as the report states them
    f"«{REACHED}»: verdien er minst målet (retning «minst») eller høyst målet (retning «høyst»).",
    f"«{PARTLY}»: verdien bommer med høyst 10 % av målverdien.",
    f"«{NOT_REACHED}»: verdien bommer med mer enn 10 % av målverdien.",
    f"«{UNJUDGED}»: verdien er skjult fordi den bygger på færre enn 3 personer, eller den finnes ikke for året.",
)


def judge(value: Decimal | None, target: Decimal, direction: str) -> str:
    """The judgement of one year's value against its target (see ``JUDGEMENT_RULES``).

    ``direction`` is ``"minst"`` (the value should be at least the target) or ``"høyst"``.
    A value of ``None`` (suppressed or not available) cannot be judged.
    """
    if value is None:
        return UNJUDGED
    margin = abs(target) * PARTLY_MARGIN
    if direction == "minst":
        return REACHED if value >= target else PARTLY if value >= target - margin else NOT_REACHED
    return REACHED if value <= target else PARTLY if value <= target + margin else NOT_REACHED


def share(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in percent, unrounded (the report rounds half-up when it prints);
    ``None`` when there is no whole."""
    return Decimal(part) * 100 / whole if whole else None
