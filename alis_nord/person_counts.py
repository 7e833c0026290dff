"""Every count of persons the year's status report shows, registered in one ``Publication`` and
suppressed together (``alis_nord.disclosure``): fewer than 3 persons never show, in any table,
nor anything that would let a reader compute them back.

``person_counts`` registers the year's ALIS (by municipality and form of employment, status,
hospital service, learning goals and supervision), the persons of GP coverage, the findings
about ALIS doctors and the cohorts of the stability table; the ``*_key`` functions name a count,
and the report's sections (``alis_nord.goal_attainment``, ``alis_nord.report_context``,
``alis_nord.report_data_quality``) print each by its key. Positions (hjemler) and money are not
persons and are not registered.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from alis_nord.budget import employed_whole_year
from alis_nord.disclosure import Publication
from alis_nord.stability import Cohort
from alis_nord.stored import StoredRows
from alis_nord.vocabulary import EMPLOYMENT_FORMS, HOSPITAL_SERVICE, YEAR_END_STATUS

SUPERVISION_REQUIREMENT_HOURS = Decimal(42)  # individual supervision a year (about 4 hours a month)
LEARNING_GOAL_BANDS = (  # share of learning goals approved, in percent: (label, lowest, highest)
    ("0–24 %", Decimal(0), Decimal("24.99")),
    ("25–49 %", Decimal(25), Decimal("49.99")),
    ("50–74 %", Decimal(50), Decimal("74.99")),
    ("75–100 %", Decimal(75), Decimal(100)),
)

ALIS_TOTAL = ("alis", "total")
COVERAGE_PERSON_COLUMNS = ("innbyggere_uten_fastlege", "nye_fastleger", "fastleger_sluttet")
TOTAL_ROW = "total"


def form_key(form: str) -> tuple:
    return ("alis", "form", form)


def municipality_key(kommunenummer: str, form: str | None = None) -> tuple:
    return ("alis", "municipality", kommunenummer) + ((form,) if form else ())


def _band(percent: Decimal) -> str:
    for label, low, high in LEARNING_GOAL_BANDS:
        if low <= percent <= high:
            return label
    return LEARNING_GOAL_BANDS[-1][0] if percent > 100 else LEARNING_GOAL_BANDS[0][0]


def whole_year(rows: StoredRows) -> list[dict[str, Any]]:
    """The year's ALIS employed the whole year (``budget.employed_whole_year``)."""
    return [a for a in rows["alis"] if employed_whole_year(a["startdato"], a["sluttdato"], rows.year)]


def person_counts(rows: StoredRows, cohorts: Sequence[Cohort] = ()) -> Publication:
    """Every count of persons the report for ``rows.year`` shows, in every table, suppressed
    together. Reads the year's ``alis``, ``fastlegedekning`` and ``findings`` rows, and the
    cohorts of the stability table (the report year only); the order of registration is fixed
    (it breaks ties in suppression)."""
    publication = Publication()
    _register_alis(publication, rows)
    _register_coverage(publication, rows)
    _register_findings(publication, rows)
    _register_cohorts(publication, cohorts)
    return publication


def cohort_key(start_year: int, years_after: int | None = None, held: bool = True) -> tuple:
    """A cohort's size (``years_after`` None), or how many were (not) in a position k years on."""
    if years_after is None:
        return ("cohort", start_year, "started")
    return ("cohort", start_year, years_after, "in" if held else "out")


def _register_cohorts(publication: Publication, cohorts: Sequence[Cohort]) -> None:
    """The stability table: each cohort's size splits into those in a position k years on and the rest."""
    for c in cohorts:
        publication.count(cohort_key(c.start_year), c.started)
        for k, held in c.retained.items():
            if held is not None:
                parts = {
                    cohort_key(c.start_year, k): held,
                    cohort_key(c.start_year, k, False): c.started - held,
                }
                publication.partition(cohort_key(c.start_year), parts)


def _register_alis(publication: Publication, rows: StoredRows) -> None:
    """ALIS by municipality and form, by status, hospital service, learning goals, supervision."""
    alis_rows = rows["alis"]
    # ALIS per municipality and form of employment; its column totals are the key figures by form
    cells: dict[tuple[str, str], int] = {}
    for a in alis_rows:
        cells[(a["kommunenummer"], a["tilsettingsform"])] = (
            cells.get((a["kommunenummer"], a["tilsettingsform"]), 0) + 1
        )
    publication.two_way(
        cells,
        rows=sorted({a["kommunenummer"] for a in alis_rows}),
        columns=list(EMPLOYMENT_FORMS),
        row_total=municipality_key,
        column_total=form_key,
        grand_total=ALIS_TOTAL,
        cell_key=municipality_key,
    )
    # ALIS by status at year end, hospital service and learning goals: each adds up to all ALIS
    publication.partition(
        ALIS_TOTAL,
        {("alis", "status", c): sum(1 for a in alis_rows if a["status"] == c) for c in YEAR_END_STATUS},
    )
    publication.partition(
        ALIS_TOTAL,
        {
            ("alis", "hospital", c): sum(1 for a in alis_rows if a["sykehustjeneste"] == c)
            for c in HOSPITAL_SERVICE
        },
    )
    publication.partition(
        ALIS_TOTAL,
        {
            ("alis", "learning", label): sum(
                1 for a in alis_rows if _band(a["laeringsmaal_godkjent_prosent"]) == label
            )
            for label, _, _ in LEARNING_GOAL_BANDS
        },
    )
    # supervision is measured on the ALIS employed the whole year; the rest are part of the sum
    employed = whole_year(rows)
    publication.partition(
        ALIS_TOTAL,
        {("alis", "whole_year"): len(employed), ("alis", "part_year"): len(alis_rows) - len(employed)},
    )
    meets = sum(1 for a in employed if a["individuell_veiledning_timer"] >= SUPERVISION_REQUIREMENT_HOURS)
    publication.partition(
        ("alis", "whole_year"),
        {("alis", "supervision", "met"): meets, ("alis", "supervision", "below"): len(employed) - meets},
    )


def _register_coverage(publication: Publication, rows: StoredRows) -> None:
    """GP coverage: residents without a GP, GPs recruited and GPs who left are persons."""
    coverage = sorted(rows["fastlegedekning"], key=lambda r: r["kommunenummer"])
    for column in COVERAGE_PERSON_COLUMNS:
        publication.partition(
            ("coverage", column, TOTAL_ROW),
            {("coverage", column, r["kommunenummer"]): r[column] for r in coverage},
        )


def _register_findings(publication: Publication, rows: StoredRows) -> None:
    """Findings about ALIS doctors, per severity and rule."""
    # Findings on rows of an alis table count ALIS doctors too (data quality, table 5.2). The
    # warning for too little supervision is, when every such row was accepted, the very figure
    # "under 42 hours" of table 3.5: a sum of that one figure, so the two hide together.
    below = ("alis", "supervision", "below")
    for (severity, rule), count in person_findings(rows["findings"]).items():
        publication.count(finding_key(severity, rule), count)
        if rule == "low_supervision" and count == publication.value(below):
            publication.relate(finding_key(severity, rule), [below])


def finding_key(severity: str, rule: str) -> tuple:
    """The key of a count of findings about ALIS doctors in a year's ``Publication``."""
    return ("findings", severity, rule)


def person_findings(findings: list[dict[str, Any]]) -> dict[tuple[str, str], int]:
    """Findings per severity and rule, for the rules that found something in a row of an
    ``alis`` table: such a finding is about one ALIS doctor. Counted over every table."""
    person_rules = {
        (f["severity"], f["rule"])
        for f in findings
        if f["table_name"] == "alis" and f["row_number"] is not None
    }
    counts: dict[tuple[str, str], int] = {}
    for f in findings:
        if (f["severity"], f["rule"]) in person_rules:
            counts[(f["severity"], f["rule"])] = counts.get((f["severity"], f["rule"]), 0) + 1
    # in a fixed order: the order of registration breaks ties in suppression, so it must not
    # depend on the order a database returns rows in
    return dict(sorted(counts.items()))
