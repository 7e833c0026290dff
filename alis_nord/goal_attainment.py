"""Goal attainment: figures from the submissions for each of ALIS-Nord's five objectives.

One function per objective, each named after it and feeding one partial of
``report_templates/sections/`` (``maal_1_rekruttering.html.j2`` … ``maal_5_kunnskap.html.j2``).
Every count of persons they show is read from the year's ``Publication``
(``alis_nord.person_counts``), where it is suppressed together with every other: fewer than 3
persons never show, in any table, nor anything that would let a reader compute them back.
Positions (hjemler) and money are not persons and are shown as they are.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from alis_nord.budget import cost_lines_from_rows
from alis_nord.disclosure import SUPPRESSED, Publication, PublishedCount, average_of
from alis_nord.money import ZERO
from alis_nord.person_counts import (
    ALIS_TOTAL,
    COVERAGE_PERSON_COLUMNS,
    LEARNING_GOAL_BANDS,
    SUPERVISION_REQUIREMENT_HOURS,
    TOTAL_ROW,
    cohort_key,
    form_key,
    municipality_key,
    person_counts,
    whole_year,
)
from alis_nord.reference import ReferenceData
from alis_nord.stability import Cohort
from alis_nord.stored import StoredRows
from alis_nord.targets import INDICATORS, judge, share
from alis_nord.vocabulary import COST_CATEGORIES, EMPLOYMENT_FORMS, HOSPITAL_SERVICE, YEAR_END_STATUS

# The project's five objectives, as the project plan words them.
OBJECTIVES = {
    1: "Sikre rekruttering og stabilitet i fastlegestillinger og -hjemler i nordnorske kommuner.",
    2: "Utvikle utdanningsmodeller for nordnorske forhold som passer for både fastlønn og næringsdrift.",
    3: (
        "Sikre at nye fastleger i Nord-Norge får et kvalitetssikret og effektivt spesialiseringsløp i "
        "allmennmedisin, herunder sikre tilrettelegging, forutsigbarhet og fleksibilitet knyttet til "
        "oppnåelse av læringsmål i spesialisthelsetjenesten («sykehusåret»)."
    ),
    4: (
        "Utvikle kommunens rolle og kompetanse som tilrettelegger for legers spesialistutdanning i "
        "allmennmedisin, og gjøre kommunene mer attraktive som arbeidsgivere."
    ),
    5: ("Generere kunnskap som sentrale myndigheter, andre kommuner og helseforetak kan nyttiggjøre seg."),
}
OBJECTIVE_TITLES = {
    1: "Rekruttering og stabilitet i fastlegetjenesten",
    2: "Utdanningsmodeller for fastlønn og næringsdrift",
    3: "Et kvalitetssikret og effektivt spesialiseringsløp",
    4: "Kommunen som tilrettelegger og arbeidsgiver",
    5: "Kunnskap til myndigheter, kommuner og helseforetak",
}

# voucher categories that pay for the municipalities' facilitation (labels from the contract)
FACILITATION_CATEGORIES = ("veiledning", "kurs", "samlinger", "sykehustjeneste", "vikar")


@dataclass(frozen=True)
class Objective:
    number: int
    title: str
    goal: str
    figures: dict[str, Any] = field(default_factory=dict)
    targets: list[dict[str, Any]] | None = None  # None: maal.csv is not registered
    text: Any = None  # the project office's tekst/maal_<n>.md, rendered, if any


COVERAGE_COLUMNS = ("fastlegehjemler", "ledige_hjemler", *COVERAGE_PERSON_COLUMNS)


def _names(reference: ReferenceData) -> dict[str, str]:
    return {p.kommunenummer: p.navn for p in reference.participants}


def _municipality_label(kommunenummer: str, names: dict[str, str]) -> str:
    return f"{names.get(kommunenummer, kommunenummer)} ({kommunenummer})"


# ---------------------------------------------------------------- objective 1


def recruitment_and_stability(reference: ReferenceData, rows: StoredRows, counts: Publication) -> Objective:
    """GP coverage per municipality at year end, and where the ALIS stand at year end."""
    names = _names(reference)
    coverage = sorted(rows["fastlegedekning"], key=lambda r: r["kommunenummer"])

    def published(row_key: str, column: str, value: int) -> int | PublishedCount:
        return counts[("coverage", column, row_key)] if column in COVERAGE_PERSON_COLUMNS else value

    rows = [
        {
            "label": _municipality_label(r["kommunenummer"], names),
            **{c: published(r["kommunenummer"], c, r[c]) for c in COVERAGE_COLUMNS},
        }
        for r in coverage
    ]
    totals = {c: published(TOTAL_ROW, c, sum(r[c] for r in coverage)) for c in COVERAGE_COLUMNS}
    positions = totals["fastlegehjemler"]
    vacancy_rate = Decimal(totals["ledige_hjemler"]) * 100 / positions if positions else None
    recruited, left = totals["nye_fastleger"], totals["fastleger_sluttet"]
    net_change = recruited - left if SUPPRESSED not in (recruited, left) else None
    return Objective(
        1,
        OBJECTIVE_TITLES[1],
        OBJECTIVES[1],
        {
            "coverage_rows": rows,
            "coverage_total": totals,
            "municipalities_reporting": len(coverage),
            "vacancy_rate": vacancy_rate,
            "net_change": net_change,
            "status_rows": [
                {"label": label, "count": counts[("alis", "status", c)]}
                for c, label in YEAR_END_STATUS.items()
            ],
            "status_total": counts[ALIS_TOTAL],
        },
    )


# ---------------------------------------------------------------- objective 2


def training_models(reference: ReferenceData, rows: StoredRows, counts: Publication) -> Objective:
    """ALIS by municipality and by form of employment (fastlønn or næringsdrift)."""
    names = _names(reference)
    municipalities = sorted({a["kommunenummer"] for a in rows["alis"]})
    cell_keys = [municipality_key(k, f) for k in municipalities for f in EMPLOYMENT_FORMS]
    cell_keys += (
        [municipality_key(k) for k in municipalities] + [form_key(f) for f in EMPLOYMENT_FORMS] + [ALIS_TOTAL]
    )
    return Objective(
        2,
        OBJECTIVE_TITLES[2],
        OBJECTIVES[2],
        {
            "by_municipality": [
                {
                    "label": _municipality_label(k, names),
                    "cells": [counts[municipality_key(k, f)] for f in EMPLOYMENT_FORMS],
                    "total": counts[municipality_key(k)],
                }
                for k in municipalities
            ],
            "column_totals": [counts[form_key(f)] for f in EMPLOYMENT_FORMS],
            "grand_total": counts[ALIS_TOTAL],
            "forms": list(EMPLOYMENT_FORMS.values()),
            "municipalities_with_alis": len(municipalities),
            "suppressed_cells": counts.suppressed(cell_keys),
        },
    )


# ---------------------------------------------------------------- objective 3


def specialist_training(rows: StoredRows, counts: Publication) -> Objective:
    """Supervision hours against the requirement, courses, hospital service, learning goals."""
    alis_rows = rows["alis"]
    employed = whole_year(rows)
    hours = [
        {"label": label, "average": average_of([a[column] for a in employed])}
        for label, column in (
            ("Individuell veiledning", "individuell_veiledning_timer"),
            ("Gruppeveiledning", "gruppeveiledning_timer"),
            ("Kurs", "kurs_timer"),
        )
    ]
    return Objective(
        3,
        OBJECTIVE_TITLES[3],
        OBJECTIVES[3],
        {
            "requirement_hours": SUPERVISION_REQUIREMENT_HOURS,
            "supervision_met": counts[("alis", "supervision", "met")],
            "supervision_below": counts[("alis", "supervision", "below")],
            "whole_year_total": counts[("alis", "whole_year")],
            "hours": hours,
            "hospital_rows": [
                {"label": label, "count": counts[("alis", "hospital", c)]}
                for c, label in HOSPITAL_SERVICE.items()
            ],
            "learning_rows": [
                {"label": label, "count": counts[("alis", "learning", label)]}
                for label, _, _ in LEARNING_GOAL_BANDS
            ],
            "alis_total": counts[ALIS_TOTAL],
            "learning_average": average_of([a["laeringsmaal_godkjent_prosent"] for a in alis_rows]),
        },
    )


# ---------------------------------------------------------------- objective 4


def municipal_role(rows: StoredRows, summary: dict[str, Any]) -> Objective:
    """Participation, the municipalities' own share, and what was spent on facilitation."""
    spent = {kategori: ZERO for kategori in FACILITATION_CATEGORIES}
    for line in cost_lines_from_rows(rows["costs_by_source"]):
        if line.kategori in spent:
            spent[line.kategori] += line.belop
    return Objective(
        4,
        OBJECTIVE_TITLES[4],
        OBJECTIVES[4],
        {
            "participants": summary["submissions"]["expected"],
            "delivered": summary["submissions"]["received"],
            "with_alis": len({a["kommunenummer"] for a in rows["alis"]}),
            "own_share_entitlement": Decimal(summary["egenandel_nok"]),
            "own_share_costs": Decimal(summary["costs_nok"]["egenandel"]),
            "facilitation_rows": [{"label": COST_CATEGORIES[k], "amount": v} for k, v in spent.items()],
            "facilitation_total": sum(spent.values(), ZERO),
        },
    )


# ---------------------------------------------------------------- objective 5


def knowledge(years: dict[int, StoredRows], publications: dict[int, Publication]) -> Objective:
    """The development over the years reported so far. Each year's counts are that year's own
    publication, so the figures are the same (and as suppressed) as in that year's report."""
    trend = []
    for y, year_rows in sorted(years.items()):
        published = publications[y]
        coverage = year_rows["fastlegedekning"]
        trend.append(
            {
                "year": y,
                "alis": published[ALIS_TOTAL],
                "by_form": [published[form_key(f)] for f in EMPLOYMENT_FORMS],
                "specialists": published[("alis", "status", "spesialist")],
                "left": published[("alis", "status", "sluttet")],
                "positions": sum(r["fastlegehjemler"] for r in coverage),
                "vacant": sum(r["ledige_hjemler"] for r in coverage),
                "without_gp": published[("coverage", "innbyggere_uten_fastlege", TOTAL_ROW)],
            }
        )
    return Objective(5, OBJECTIVE_TITLES[5], OBJECTIVES[5], {"trend": trend})


# ---------------------------------------------------------------- stability (objective 1)


def stability(
    cohorts: Sequence[Cohort],
    years: dict[int, StoredRows],
    publications: dict[int, Publication],
    counts: Publication,
) -> dict[str, Any]:
    """ALIS by start year and how many are in a position 1, 2 and 3 years on (suppressed with the
    rest of the report year's counts), and the GPs who came and left each year."""
    from alis_nord.stability import RETENTION_YEARS, RULES

    return {
        "retention_years": list(RETENTION_YEARS),
        "cohorts": [
            {
                "start_year": c.start_year,
                "started": counts[cohort_key(c.start_year)],
                "retained": [
                    None if c.retained[k] is None else counts[cohort_key(c.start_year, k)]
                    for k in RETENTION_YEARS
                ],
            }
            for c in cohorts
        ],
        "rules": list(RULES),
        "gps_by_year": [
            {
                "year": y,
                "recruited": publications[y][("coverage", "nye_fastleger", TOTAL_ROW)],
                "left": publications[y][("coverage", "fastleger_sluttet", TOTAL_ROW)],
            }
            for y in sorted(years)
        ],
    }


# ---------------------------------------------------------------- indicators and targets


def _count(published: Publication, key: tuple):
    """A published count as a Decimal, ``SUPPRESSED`` where withheld, ``None`` where not registered."""
    if not published.has(key):
        return None
    value = published[key]
    return value if value is SUPPRESSED else Decimal(value)


def _share(part, whole):
    if SUPPRESSED in (part, whole):
        return SUPPRESSED
    return None if part is None or not whole else share(int(part), int(whole))


def indicator_values(
    year: int, rows: StoredRows, published: Publication, counts: Publication
) -> dict[str, Any]:
    """Every indicator of ``alis_nord.targets.INDICATORS`` for one year, from that year's rows and
    publication (``counts``: the report year's, which holds the cohorts). A value built from a
    suppressed count is ``SUPPRESSED``; one that cannot be computed is ``None``."""
    summary = rows.this_year.get("report_summary") or []
    submissions = summary[0]["summary"]["submissions"] if summary else None
    return {
        # a cell of table «ALIS by status»: an indicator adds no sum that suppression must cover
        "alis_i_utdanning": _count(published, ("alis", "status", "aktiv")),
        "andel_i_stilling_etter_ett_aar": _share(
            _count(counts, cohort_key(year - 1, 1)), _count(counts, cohort_key(year - 1))
        ),
        "andel_naeringsdrift": _share(
            _count(published, form_key("næringsdrift")), _count(published, ALIS_TOTAL)
        ),
        "andel_med_veiledningskrav_oppfylt": _share(
            _count(published, ("alis", "supervision", "met")), _count(published, ("alis", "whole_year"))
        ),
        "kommuner_med_alis": Decimal(len({a["kommunenummer"] for a in rows["alis"]})),
        "andel_kommuner_som_leverte": None
        if submissions is None
        else share(submissions["received"], submissions["expected"]),
    }


def targets_of(
    number: int, reference: ReferenceData, values_by_year: dict[int, dict[str, Any]], year: int
) -> list[dict[str, Any]] | None:
    """Objective ``number``'s targets: per indicator the target, its value each year so far, the
    judgement of this year's value and a small chart. ``None`` when maal.csv is not registered."""
    from alis_nord.charts import indicator_trend

    if reference.targets is None:
        return None
    result = []
    for target in reference.targets_for(number):
        indicator = INDICATORS[target.indikator]
        trend = [(y, values[target.indikator]) for y, values in sorted(values_by_year.items())]
        value = values_by_year[year][target.indikator]
        result.append(
            {
                "indicator": indicator,
                "target": target,
                "trend": trend,
                "value": value,
                "judgement": judge(None if value is SUPPRESSED else value, target.maalverdi, target.retning),
                "chart": indicator_trend(indicator.navn, trend, target.maalverdi, indicator.enhet),
            }
        )
    return result


def goal_attainment(
    reference: ReferenceData,
    rows: StoredRows,
    history: dict[int, StoredRows],
    summary: dict[str, Any],
    counts: Publication,
    cohorts: Sequence[Cohort] = (),
    texts: dict[int, Any] | None = None,
) -> list[Objective]:
    """The five objectives with their figures, targets and the office's texts, in the plan's order."""
    years = {**history, rows.year: rows}
    publications = {y: counts if y == rows.year else person_counts(r) for y, r in years.items()}
    values = {y: indicator_values(y, r, publications[y], counts) for y, r in years.items()}
    first = recruitment_and_stability(reference, rows, counts)
    first.figures["stability"] = stability(cohorts, years, publications, counts)
    objectives = [
        first,
        training_models(reference, rows, counts),
        specialist_training(rows, counts),
        municipal_role(rows, summary),
        knowledge(years, publications),
    ]
    return [
        dataclasses.replace(
            o, targets=targets_of(o.number, reference, values, rows.year), text=(texts or {}).get(o.number)
        )
        for o in objectives
    ]
