"""The status report to Helsedirektoratet: its figures per section, its HTML and its PDF/A-2a.

Python computes, templates format. ``status_report_context`` gathers one prepared block per
section of ``report_templates/statusrapport.html.j2``:

| context key | function | template partial |
|---|---|---|
| ``cover`` | ``cover`` | ``sections/forside.html.j2`` |
| ``key_figures`` | ``key_figures`` | ``sections/sammendrag.html.j2`` |
| ``financing`` | ``financing`` | ``sections/finansiering.html.j2`` |
| ``objectives`` | ``alis_nord.goal_attainment.goal_attainment`` | ``sections/maaloppnaelse.html.j2`` |
| ``narrative`` | ``alis_nord.narrative.narrative_texts`` | ``sections/beretning.html.j2`` |
| ``data_quality`` | ``data_quality`` | ``sections/datakvalitet.html.j2`` |
| ``appendix`` | ``appendix`` | ``sections/vedlegg_filer.html.j2`` |

Every date and identifier comes from the data, never from the clock, so the same inputs
give a byte-identical PDF.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from alis_nord import warehouse as tables
from alis_nord.budget import (
    ALIS_GRANT_CATEGORY,
    CURRENT_RATE,
    FORECAST_LABELS,
    FORECAST_METHODS,
    FUNDING_SOURCE_LABELS,
    FUNDING_SOURCES,
    forecasts,
)
from alis_nord.contract import all_rules
from alis_nord.disclosure import Publication
from alis_nord.feedback import SEVERITY_NB, TABLE_TITLE_NB, feedback_pages
from alis_nord.goal_attainment import (
    ALIS_TOTAL,
    EMPLOYMENT_FORMS,
    finding_key,
    form_key,
    goal_attainment,
    person_counts,
)
from alis_nord.landing import STATUS_NB
from alis_nord.money import from_ore
from alis_nord.reference import ReferenceData
from alis_nord.report import RECIPIENT, SENDER, code_version, report_date
from alis_nord.warehouse import Warehouse

REPORT_TITLE = "Statusrapport for ALIS-Nord"
CATEGORY_NB = {
    ALIS_GRANT_CATEGORY: "ALIS-tilskudd til kommunene",
    "veiledning": "Veiledning",
    "kurs": "Kurs",
    "reise": "Reise",
    "vikar": "Vikar",
    "sykehustjeneste": "Sykehustjeneste",
    "prosjektledelse": "Prosjektledelse",
    "samlinger": "Samlinger",
    "annet": "Annet",
}
ZERO = Decimal("0.00")


def _category(kategori: str) -> str:
    return CATEGORY_NB.get(kategori, kategori)


# ---------------------------------------------------------------- cover


def cover(year: int, summary: dict[str, Any], reference: ReferenceData) -> dict[str, Any]:
    grant = reference.helsedirektoratet_grant()
    return {
        "title": REPORT_TITLE,
        "report_number": summary["report_number"],
        "year": year,
        "period_start": dt.date(year, 1, 1),
        "period_end": dt.date(year, 12, 31),
        "report_date": report_date(year),
        "sender": SENDER,
        "recipient": RECIPIENT,
        "grant": grant,
    }


# ---------------------------------------------------------------- summary of key figures


def key_figures(summary: dict[str, Any], store: Warehouse, year: int, counts: Publication) -> dict[str, Any]:
    """The figures of summary.json as the report prints them; ALIS counts as published
    (suppressed together with every other table, see ``goal_attainment.person_counts``)."""
    use = tables.grant_use_of(store, year)
    share_used = use.used_cumulative * 100 / use.total if use.total else None
    return {
        "summary": summary,
        "alis_total": counts[ALIS_TOTAL],
        "alis_by_form": [
            {"label": label, "count": counts[form_key(f)]} for f, label in EMPLOYMENT_FORMS.items()
        ],
        "alis_grant": Decimal(summary["alis_grant_nok"]),
        "egenandel": Decimal(summary["egenandel_nok"]),
        "costs": [
            {"label": FUNDING_SOURCE_LABELS[s], "amount": Decimal(summary["costs_nok"][s])}
            for s in FUNDING_SOURCES
        ],
        "grant_total": Decimal(summary["grant"]["total_nok"]),
        "used_cumulative": Decimal(summary["grant"]["used_cumulative_nok"]),
        "remaining": Decimal(summary["grant"]["remaining_nok"]),
        "share_used": share_used,
        "overspent": use.remaining < 0,
        "years_missing": list(use.years_missing),
    }


# ---------------------------------------------------------------- financing and budget


@dataclass(frozen=True)
class BudgetYear:
    year: int
    plan: Decimal
    reported: bool
    alis_grant: Decimal | None = None
    helsedirektoratet_costs: Decimal | None = None
    used: Decimal | None = None
    used_cumulative: Decimal | None = None
    remaining: Decimal | None = None
    forecast_used: Decimal | None = None  # projected use at the current rate, years after the report year
    forecast_cumulative: Decimal | None = None


def financing(year: int, reference: ReferenceData, store: Warehouse) -> dict[str, Any]:
    from alis_nord.charts import (
        CumulativePoint,
        YearBar,
        cumulative_use_against_grant,
        plan_and_actual_by_year,
    )

    grant = reference.helsedirektoratet_grant()
    plan_by_year = reference.plan_by_year()
    stored = {r["report_year"]: r for r in store.rows(tables.grant_use)}
    use = tables.grant_use_of(store, year)
    methods = {f.method: f for f in forecasts(use, grant.til_aar, plan_by_year)}
    projected = dict(zip(methods[CURRENT_RATE].years, methods[CURRENT_RATE].per_year, strict=True))

    rows: list[BudgetYear] = []
    cumulative_forecast = use.used_cumulative
    for y in range(grant.fra_aar, grant.til_aar + 1):
        plan = plan_by_year.get(y, ZERO)
        row = stored.get(y)
        if y <= year and row is not None:
            rows.append(
                BudgetYear(
                    y,
                    plan,
                    True,
                    from_ore(row["alis_grant_ore"]),
                    from_ore(row["helsedirektoratet_costs_ore"]),
                    from_ore(row["used_in_year_ore"]),
                    from_ore(row["used_cumulative_ore"]),
                    from_ore(row["remaining_ore"]),
                )
            )
        elif y > year:
            cumulative_forecast += projected.get(y, ZERO)
            rows.append(
                BudgetYear(
                    y, plan, False, forecast_used=projected.get(y), forecast_cumulative=cumulative_forecast
                )
            )
        else:
            rows.append(BudgetYear(y, plan, False))
    reported = [r for r in rows if r.reported]
    totals = {
        "plan": sum((r.plan for r in rows if r.year <= year), ZERO),
        "alis_grant": sum((r.alis_grant for r in reported), ZERO),
        "helsedirektoratet_costs": sum((r.helsedirektoratet_costs for r in reported), ZERO),
        "used": sum((r.used for r in reported), ZERO),
    }

    plan_lines = [
        {
            "label": _category(r["kategori"]),
            "plan": from_ore(r["plan_ore"]),
            "actual": from_ore(r["actual_ore"]),
            "deviation": from_ore(r["actual_ore"] - r["plan_ore"]),
            "over_plan": r["over_plan"],
        }
        for r in sorted(
            store.rows(tables.budget_plan_vs_actual, year),
            key=lambda r: (r["kategori"] != ALIS_GRANT_CATEGORY, r["kategori"]),
        )
    ]
    plan_total = {
        "plan": sum((line["plan"] for line in plan_lines), ZERO),
        "actual": sum((line["actual"] for line in plan_lines), ZERO),
    }
    plan_total["deviation"] = plan_total["actual"] - plan_total["plan"]

    costs = store.rows(tables.costs_by_source, year)
    categories = sorted(
        {c["kategori"] for c in costs}, key=lambda k: list(CATEGORY_NB).index(k) if k in CATEGORY_NB else 99
    )
    cost_cells = {(c["kategori"], c["finansieringskilde"]): from_ore(c["belop_ore"]) for c in costs}
    cost_rows = [
        {
            "label": _category(k),
            "amounts": [cost_cells.get((k, s), ZERO) for s in FUNDING_SOURCES],
            "total": sum((cost_cells.get((k, s), ZERO) for s in FUNDING_SOURCES), ZERO),
        }
        for k in categories
    ]
    cost_totals = [sum((cost_cells.get((k, s), ZERO) for k in categories), ZERO) for s in FUNDING_SOURCES]

    statsforvalter = store.rows(tables.statsforvalter_grant_use, year)
    statsforvalter_row = statsforvalter[0] if statsforvalter else {"granted_ore": 0, "costs_ore": 0}

    bars = [YearBar(r.year, r.plan, r.used if r.reported else None) for r in rows]
    points = [CumulativePoint(r.year, r.used_cumulative, False) for r in reported]
    points += [
        CumulativePoint(r.year, r.forecast_cumulative, True)
        for r in rows
        if r.forecast_cumulative is not None
    ]
    return {
        "grant": grant,
        "grant_total": use.total,
        "in_grant_period": grant.fra_aar <= year <= grant.til_aar,
        "years": rows,
        "totals": totals,
        "used_cumulative": use.used_cumulative,
        "remaining": use.remaining,
        "years_missing": list(use.years_missing),
        "plan_lines": plan_lines,
        "plan_total": plan_total,
        "forecasts": [
            {
                "label": FORECAST_LABELS[f.method].capitalize(),
                "description": FORECAST_METHODS[f.method],
                "used_at_end": f.used_at_end,
                "remaining_at_end": f.remaining_at_end,
                "years": list(f.years),
            }
            for f in methods.values()
        ],
        "cost_sources": [FUNDING_SOURCE_LABELS[s].capitalize() for s in FUNDING_SOURCES],
        "cost_rows": cost_rows,
        "cost_totals": cost_totals,
        "cost_grand_total": sum(cost_totals, ZERO),
        "statsforvalter_granted": from_ore(statsforvalter_row["granted_ore"]),
        "statsforvalter_costs": from_ore(statsforvalter_row["costs_ore"]),
        "chart_by_year": plan_and_actual_by_year(bars),
        "chart_cumulative": cumulative_use_against_grant(points, use.total) if points else None,
    }


# ---------------------------------------------------------------- data quality


def data_quality(
    year: int, reference: ReferenceData, store: Warehouse, summary: dict[str, Any], counts: Publication
) -> dict[str, Any]:
    """Who delivered what, and what was kept out of the figures and why. Counts of findings
    about ALIS doctors are printed as published (suppressed below 3, see ``person_counts``)."""
    pages = feedback_pages(year, reference, store)
    municipalities = []
    for page in pages:
        delivered = sorted({t["table_name"] for t in page.tables if not t["rejected"]})
        rejected = sorted({t["table_name"] for t in page.tables if t["rejected"]})
        if not page.participant:
            note = "Ikke deltaker i " + str(year) + "; filene er avvist"
        elif not page.tables:
            note = "Ikke levert"
        elif rejected:
            note = "Avvist: " + ", ".join(TABLE_TITLE_NB[t] for t in rejected)
        elif page.quarantined:
            note = "Noen rader holdt utenfor"
        else:
            note = ""
        municipalities.append(
            {
                "label": f"{page.navn} ({page.kommunenummer})",
                "tables": len(delivered),
                "received": page.received,
                "accepted": page.accepted,
                "quarantined": page.quarantined,
                "warnings": page.count("warning"),
                "note": note,
            }
        )
    rules = all_rules()
    by_rule: dict[tuple[str, str], int] = {}
    for finding in store.rows(tables.findings, year):
        key = (finding["severity"], finding["rule"])
        by_rule[key] = by_rule.get(key, 0) + 1
    order = {"fatal": 0, "error": 1, "warning": 2}
    findings = [
        {
            "severity": SEVERITY_NB[severity],
            "rule": rule,
            "description": rules[rule].beskrivelse if rule in rules else rule,
            # findings about ALIS doctors are person counts, as registered by person_counts
            "count": counts[finding_key(severity, rule)]
            if counts.has(finding_key(severity, rule))
            else count,
        }
        for (severity, rule), count in sorted(
            by_rule.items(), key=lambda item: (order[item[0][0]], item[0][1])
        )
    ]
    return {
        "rows": summary["rows"],
        "tables_rejected": summary["tables_rejected"],
        "expected": summary["submissions"]["expected"],
        "received": summary["submissions"]["received"],
        "missing": [
            {"kommunenummer": k, "navn": reference.name_of(k)} for k in summary["submissions"]["missing"]
        ],
        "municipalities": municipalities,
        "findings": findings,
    }


# ---------------------------------------------------------------- appendix


def appendix(year: int, store: Warehouse) -> dict[str, Any]:
    files = [
        {"path": f["path"], "status": STATUS_NB[f["status"]], "sha256": f["sha256"], "size": f["size_bytes"]}
        for f in sorted(store.rows(tables.input_files, year), key=lambda f: f["path"])
    ]
    return {"files": files, "code_version": code_version()}


# ---------------------------------------------------------------- the whole report


def status_report_context(
    year: int, summary: dict[str, Any], reference: ReferenceData, store: Warehouse, landing_dir: Path
) -> dict[str, Any]:
    """Every figure the report shows, computed, one block per section; templates only format."""
    from alis_nord.narrative import narrative_texts

    counts = person_counts(year, store)
    return {
        "year": year,
        "cover": cover(year, summary, reference),
        "key_figures": key_figures(summary, store, year, counts),
        "financing": financing(year, reference, store),
        "objectives": goal_attainment(year, reference, store, summary, counts),
        "narrative": narrative_texts(landing_dir, year),
        "data_quality": data_quality(year, reference, store, summary, counts),
        "appendix": appendix(year, store),
    }


def render_html(context: dict[str, Any]) -> str:
    from alis_nord.rendering import render

    return render("statusrapport.html.j2", **context)


def _report_files_only():
    """WeasyPrint's URL fetcher, limited to data: URIs and the files of report_templates/:
    the report never reaches the network or the rest of the disk, whatever a text links to."""
    from urllib.parse import unquote, urlsplit

    from weasyprint.urls import URLFetcher

    from alis_nord.rendering import TEMPLATE_DIR

    class ReportFiles(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("file:"):
                path = Path(unquote(urlsplit(url).path)).resolve()
                if not path.is_relative_to(TEMPLATE_DIR):
                    raise ValueError(f"the report reads no file outside report_templates/: {url}")
            return super().fetch(url, headers)

    return ReportFiles(allowed_protocols={"data", "file"})


def render_pdf(html: str) -> bytes:
    """PDF/A-2a (archival and tagged), the document language from ``<html lang="nb">``,
    fonts embedded from report_templates/fonts/."""
    from weasyprint import HTML

    from alis_nord.rendering import TEMPLATE_DIR

    document = HTML(string=html, base_url=str(TEMPLATE_DIR) + "/", url_fetcher=_report_files_only())
    return document.write_pdf(pdf_variant="pdf/a-2a")
