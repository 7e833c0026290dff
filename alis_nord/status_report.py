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

It reads stored rows only (what ``alis_nord.stored.STATUS_REPORT`` names, the report summary
among them), never another asset's output file, and never the warehouse itself: the asset passes the rows in. Every date
and identifier comes from the data, never from the clock, so the same inputs give a
byte-identical PDF.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from alis_nord.budget import (
    CURRENT_RATE,
    FORECAST_LABELS,
    FORECAST_METHODS,
    cost_lines_from_rows,
    forecasts_from_rows,
    grant_use_from_row,
    plan_lines_from_rows,
)
from alis_nord.contract import all_rules
from alis_nord.deliveries import MISSING, NOTHING_TO_REPORT
from alis_nord.disclosure import Publication
from alis_nord.feedback import feedback_pages
from alis_nord.financial_report import financial_report
from alis_nord.goal_attainment import ALIS_TOTAL, finding_key, form_key, goal_attainment, person_counts
from alis_nord.grant_reporting import SCHEME, completeness, outstanding
from alis_nord.landing import REFERENCE, STATUS_NB, file_status_nb, rejected_files
from alis_nord.money import ZERO, from_ore
from alis_nord.reference import ReferenceData
from alis_nord.report import RECIPIENT, code_version, report_number
from alis_nord.stored import StoredRows
from alis_nord.targets import JUDGEMENT_RULES
from alis_nord.vocabulary import (
    EMPLOYMENT_FORMS,
    FUNDING_SOURCE_LABELS,
    FUNDING_SOURCES,
    SEVERITY_LABELS,
    SEVERITY_RANK,
    TABLE_TITLES,
    category_label,
    category_order,
    heading,
    report_date,
)


def trend_years(rows: StoredRows, first_year: int) -> list[int]:
    """The years the trend shows: every year from the grant's first whose budget stage has run,
    up to the report year."""
    run = {r["report_year"] for r in rows.every_year["grant_use"]} | {rows.year}
    return sorted(y for y in run if first_year <= y <= rows.year)


# ---------------------------------------------------------------- the project and the cover


def project(reference: ReferenceData) -> dict[str, Any]:
    """Who the project is, from ``referanse/prosjekt.yaml``; ``registered`` is false without it,
    and the report then says so and names no project."""
    profile = reference.profile
    name = profile.prosjektnavn if profile else "prosjektet"
    return {
        "registered": profile is not None,
        "name": name,
        "Name": heading(name),  # at the start of a sentence
        "owner": profile.prosjekteier if profile else None,
        "organisation_number": profile.organisasjonsnummer if profile else None,
        "case_number": profile.helsedirektoratet_saksnummer if profile else None,
        "footer": f"{profile.prosjektnavn} · {profile.prosjekteier}"
        if profile
        else "Prosjektprofil ikke registrert",
    }


def report_kind(year: int, reference: ReferenceData) -> str:
    """«Sluttrapport» in the last year of Helsedirektoratet's grant period, else «Statusrapport»."""
    return "Sluttrapport" if year == reference.helsedirektoratet_grant().til_aar else "Statusrapport"


def cover(year: int, reference: ReferenceData) -> dict[str, Any]:
    grant = reference.helsedirektoratet_grant()
    profile = reference.profile
    kind = report_kind(year, reference)
    return {
        "kind": kind,
        "final": kind == "Sluttrapport",
        "title": f"{kind} for {profile.prosjektnavn}" if profile else kind,
        "report_number": report_number(year, grant.fra_aar),
        "year": year,
        # a Sluttrapport covers the whole grant period; a Statusrapport its year
        "period_start": dt.date(grant.fra_aar if kind == "Sluttrapport" else year, 1, 1),
        "period_end": dt.date(year, 12, 31),
        "report_date": report_date(year),
        "sender": f"{profile.prosjekteier}, prosjekteier for {profile.prosjektnavn}" if profile else None,
        "recipient": RECIPIENT,
        "grant": grant,
    }


# ---------------------------------------------------------------- summary of key figures


def key_figures(summary: dict[str, Any], rows: StoredRows, counts: Publication) -> dict[str, Any]:
    """The figures of summary.json as the report prints them; ALIS counts as published
    (suppressed together with every other table, see ``goal_attainment.person_counts``)."""
    use = grant_use_from_row(rows["grant_use"][0])
    share_used = use.used_cumulative * 100 / use.grant_total if use.grant_total else None
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
        # in the grant period's last year: what is left of Helsedirektoratet's payments
        "final_unused": Decimal(summary["unused"]["helsedirektoratet_nok"])
        if summary.get("unused", {}).get("final_year")
        else None,
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


def budget_years(year: int, reference: ReferenceData, rows: StoredRows) -> list[BudgetYear]:
    """Every year of the grant period: reported (stored grant use), forecast at the current rate
    (years after the report year, from the stored forecast), or not computed."""
    grant = reference.helsedirektoratet_grant()
    plan_by_year = reference.plan_by_year()
    stored = {r["report_year"]: r for r in rows.every_year["grant_use"]}
    forecasts = {
        f.method: f for f in forecasts_from_rows(rows["grant_forecast"], rows["grant_forecast_years"])
    }
    current = forecasts.get(CURRENT_RATE)
    projected = dict(zip(current.remaining_years, current.per_year, strict=True)) if current else {}
    cumulative_forecast = grant_use_from_row(rows["grant_use"][0]).used_cumulative
    result = []
    for y in range(grant.fra_aar, grant.til_aar + 1):
        plan = plan_by_year.get(y, ZERO)
        row = stored.get(y)
        if y <= year and row is not None:
            result.append(
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
            result.append(
                BudgetYear(
                    y, plan, False, forecast_used=projected.get(y), forecast_cumulative=cumulative_forecast
                )
            )
        else:
            result.append(BudgetYear(y, plan, False))
    return result


def budget_year_totals(year: int, years: list[BudgetYear]) -> dict[str, Decimal]:
    """The sums of table 2.1 up to the report year."""
    reported = [r for r in years if r.reported]
    return {
        "plan": sum((r.plan for r in years if r.year <= year), ZERO),
        "alis_grant": sum((r.alis_grant for r in reported), ZERO),
        "helsedirektoratet_costs": sum((r.helsedirektoratet_costs for r in reported), ZERO),
        "used": sum((r.used for r in reported), ZERO),
    }


def plan_against_actual_table(rows: StoredRows) -> tuple[list[dict[str, Any]], dict[str, Decimal]]:
    """The year's plan against actual per category (table 2.3), and its totals."""
    lines = [
        {
            "label": category_label(c.kategori),
            "plan": c.plan,
            "actual": c.actual,
            "deviation": c.deviation,
            "over_plan": c.over_plan,
        }
        for c in plan_lines_from_rows(rows["budget_plan_vs_actual"])
    ]
    total = {"plan": sum((x["plan"] for x in lines), ZERO), "actual": sum((x["actual"] for x in lines), ZERO)}
    total["deviation"] = total["actual"] - total["plan"]
    return lines, total


def costs_by_category_and_source(rows: StoredRows) -> dict[str, Any]:
    """The year's costs, one row per category and one column per funding source (table 2.4)."""
    lines = cost_lines_from_rows(rows["costs_by_source"])
    categories = sorted({c.kategori for c in lines}, key=category_order)
    cells = {(c.kategori, c.finansieringskilde): c.belop for c in lines}
    totals = [sum((cells.get((k, s), ZERO) for k in categories), ZERO) for s in FUNDING_SOURCES]
    return {
        "cost_sources": [
            FUNDING_SOURCE_LABELS[s][:1].upper() + FUNDING_SOURCE_LABELS[s][1:] for s in FUNDING_SOURCES
        ],
        "cost_rows": [
            {
                "label": category_label(k),
                "amounts": [cells.get((k, s), ZERO) for s in FUNDING_SOURCES],
                "total": sum((cells.get((k, s), ZERO) for s in FUNDING_SOURCES), ZERO),
            }
            for k in categories
        ],
        "cost_totals": totals,
        "cost_grand_total": sum(totals, ZERO),
    }


def financing_charts(years: list[BudgetYear], grant_total: Decimal) -> dict[str, Any]:
    """Figure 2.1 (plan and use per year) and figure 2.2 (cumulative use with the forecast)."""
    from alis_nord.charts import (
        CumulativePoint,
        YearBar,
        cumulative_use_against_grant,
        plan_and_actual_by_year,
    )

    bars = [YearBar(r.year, r.plan, r.used if r.reported else None) for r in years]
    points = [CumulativePoint(r.year, r.used_cumulative, False) for r in years if r.reported]
    points += [
        CumulativePoint(r.year, r.forecast_cumulative, True)
        for r in years
        if r.forecast_cumulative is not None
    ]
    return {
        "chart_by_year": plan_and_actual_by_year(bars),
        "chart_cumulative": cumulative_use_against_grant(points, grant_total) if points else None,
    }


def financing(year: int, reference: ReferenceData, rows: StoredRows) -> dict[str, Any]:
    """Chapter 2: the grant's use per year, plan against actual, forecasts, costs, Statsforvalter."""
    grant = reference.helsedirektoratet_grant()
    use = grant_use_from_row(rows["grant_use"][0])
    years = budget_years(year, reference, rows)
    plan_lines, plan_total = plan_against_actual_table(rows)
    statsforvalter = rows["statsforvalter_grant_use"]
    statsforvalter_row = statsforvalter[0] if statsforvalter else {"granted_ore": 0, "costs_ore": 0}
    return {
        "grant": grant,
        "grant_total": use.grant_total,
        "in_grant_period": grant.fra_aar <= year <= grant.til_aar,
        "period_ended": year >= grant.til_aar,  # nothing left to forecast: the figures are final
        "years": years,
        "totals": budget_year_totals(year, years),
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
                "years": list(f.remaining_years),
            }
            for f in forecasts_from_rows(rows["grant_forecast"], rows["grant_forecast_years"])
        ],
        **costs_by_category_and_source(rows),
        "statsforvalter_granted": from_ore(statsforvalter_row["granted_ore"]),
        "statsforvalter_costs": from_ore(statsforvalter_row["costs_ore"]),
        **financing_charts(years, use.grant_total),
    }


# ---------------------------------------------------------------- data quality


def _delivery_note(page, year: int, status) -> str:
    """The municipality's status (``alis_nord.deliveries``), and what the office should know."""
    if not page.participant:
        return f"Ikke deltaker i {year}; filene er avvist"
    rejected = sorted({t["table_name"] for t in page.tables if t["rejected"]})
    details = []
    if rejected:
        details.append("avvist: " + ", ".join(TABLE_TITLES[t] for t in rejected))
    missing = [TABLE_TITLES[t.table_name] for t in status.tables if t.status == MISSING] if status else []
    if missing and len(missing) < len(status.tables):
        details.append("mangler: " + ", ".join(missing))
    empty = (
        [TABLE_TITLES[t.table_name] for t in status.tables if t.status == NOTHING_TO_REPORT] if status else []
    )
    if empty and status.status != NOTHING_TO_REPORT:
        details.append("ingenting å rapportere: " + ", ".join(empty))
    if page.quarantined and not rejected:
        details.append("noen rader holdt utenfor")
    label = heading(status.status) if status else ""
    return "; ".join([label, *details]) if label else "; ".join(details)


def deliveries(year: int, reference: ReferenceData, rows: StoredRows) -> list[dict[str, Any]]:
    """Table 5.1: per municipality, what it delivered, what became of it, and its status."""
    from alis_nord.deliveries import municipality_statuses, statuses_from_rows

    statuses = {
        m.kommunenummer: m
        for m in municipality_statuses(reference, statuses_from_rows(rows["delivery_status"]), year)
    }
    return [
        {
            "label": f"{page.navn} ({page.kommunenummer})",
            "tables": len({t["table_name"] for t in page.tables if not t["rejected"]}),
            "received": page.received,
            "accepted": page.accepted,
            "quarantined": page.quarantined,
            "warnings": page.count("warning"),
            "note": _delivery_note(page, year, statuses.get(page.kommunenummer)),
        }
        for page in feedback_pages(year, reference, rows)
    ]


def findings_by_rule(rows: StoredRows, counts: Publication) -> list[dict[str, Any]]:
    """Table 5.2: findings per severity and rule, the most serious first. Counts of findings about
    ALIS doctors are printed as published (suppressed below 3, see ``person_counts``)."""
    rules = all_rules()
    by_rule: dict[tuple[str, str], int] = {}
    for finding in rows["findings"]:
        key = (finding["severity"], finding["rule"])
        by_rule[key] = by_rule.get(key, 0) + 1
    return [
        {
            "severity": SEVERITY_LABELS[severity],
            "rule": rule,  # the id, for the code; the report prints the contract's title
            "title": rules[rule].navn if rule in rules else rule,
            "description": rules[rule].beskrivelse if rule in rules else rule,
            "count": counts[finding_key(severity, rule)]
            if counts.has(finding_key(severity, rule))
            else count,
        }
        for (severity, rule), count in sorted(
            by_rule.items(), key=lambda item: (SEVERITY_RANK[item[0][0]], item[0][1])
        )
    ]


def data_quality(
    year: int, reference: ReferenceData, rows: StoredRows, summary: dict[str, Any], counts: Publication
) -> dict[str, Any]:
    """Chapter 5: who delivered what, and what was kept out of the figures and why."""
    return {
        "rows": summary["rows"],
        "tables_rejected": summary["tables_rejected"],
        "expected": summary["submissions"]["expected"],
        "received": summary["submissions"]["received"],
        "missing": [
            {"kommunenummer": k, "navn": reference.name_of(k)} for k in summary["submissions"]["missing"]
        ],
        "municipalities": deliveries(year, reference, rows),
        "findings": findings_by_rule(rows, counts),
    }


# ---------------------------------------------------------------- appendix


# What each reference file holds, as the appendix names it: the directorate receives only the report
# and the auditor's file, so the appendix says what an input is, never what the office's file is called.
REFERENCE_CONTENTS = {
    "budsjett.csv": "budsjettet i prosjektplanen",
    "deltakerkommuner.csv": "deltakerkommunene og deres kommunenummer",
    "maal.csv": "målene og målverdiene",
    "prosjekt.yaml": "prosjektprofilen: prosjekteier, signatar og revisor",
    "satser.csv": "satsene for ALIS-tilskudd og egenandel",
    "tilskudd.csv": "tilsagnene om tilskudd",
    "utbetalinger.csv": "utbetalingene prosjektet har mottatt",
}
TEXT_CONTENTS = {  # the office's placed texts; every other text is a part of chapter 4
    "avvik.md": "forklaring av avvik fra budsjettet (kapittel 6)",
    "prosjektforlop.md": "prosjektets forløp i hele tilskuddsperioden (kapittel 4)",
    **{f"maal_{n}.md": f"vurdering av mål {n} (kapittel 3.{n})" for n in range(1, 6)},
}


def input_label(path: str, reference: ReferenceData) -> str:
    """What an input file is, in words: who sent which table, or which reference or text."""
    from alis_nord.landing import parse_file_name

    folder, _, name = path.rpartition("/")
    if folder == "referanse" or folder.endswith("/referanse"):
        return "Referansedata: " + REFERENCE_CONTENTS.get(name, "annen referansefil")
    if folder.endswith("/tekst"):
        from alis_nord.narrative import exclusion_number

        if (number := exclusion_number(name)) is not None:  # uten_<kommunenummer>.md
            return (
                "Prosjektkontorets tekst: begrunnelse for å sende rapporten uten tallene fra "
                f"{reference.name_of(number)} ({number}) (kapittel 1)"
            )
        return "Prosjektkontorets tekst: " + TEXT_CONTENTS.get(name, "beretning (kapittel 4)")
    parsed = parse_file_name(name)
    if parsed is None:
        return "Fil som ikke følger navnemønsteret"
    who = f"{reference.name_of(parsed.kommunenummer)} ({parsed.kommunenummer})"
    tables = ", ".join(TABLE_TITLES[t] for t in parsed.tables)
    form = "Excel" if parsed.kind == "xlsx" else "CSV"
    version = f", versjon {parsed.version}" if parsed.version > 1 else ""
    return f"{who}: {tables} ({form}{version})"


def appendix(rows: StoredRows, reference: ReferenceData) -> dict[str, Any]:
    """Every input the year's figures came from, submissions, reference data and the office's
    texts, each described in words with its status and SHA-256 (the office keeps the files)."""
    rejected = rejected_files(rows["table_deliveries"], rows["findings"])  # never «brukt»
    submissions = [
        {
            "path": f["path"],
            "status": file_status_nb(f, rejected),
            "sha256": f["sha256"],
            "size": f["size_bytes"],
        }
        for f in rows["input_files"]
    ]
    references = [
        {"path": f["path"], "status": STATUS_NB[REFERENCE], "sha256": f["sha256"], "size": f["size_bytes"]}
        for f in rows["reference_files"]
    ]
    files = sorted(submissions + references, key=lambda f: f["path"])
    return {
        "files": [{**f, "label": input_label(f["path"], reference)} for f in files],
        "code_version": code_version(),
    }


# ---------------------------------------------------------------- the whole report


@dataclass(frozen=True)
class OfficeTexts:
    """The project office's texts for the year (``<year>/tekst/``), rendered."""

    narrative: list = field(default_factory=list)  # every text but the placed ones, in name order
    deviations: Any = None  # avvik.md: explains the deviations from the budget
    objectives: dict[int, Any] = field(default_factory=dict)  # maal_<n>.md by objective
    exclusions: dict[str, Any] = field(default_factory=dict)  # uten_<kommunenummer>.md by municipality
    # prosjektforlop.md: the course of the whole grant period (a Sluttrapport's chapter 4)
    progress: Any = None


def status_report_context(
    reference: ReferenceData, rows: StoredRows, history: dict[int, StoredRows], texts: OfficeTexts
) -> dict[str, Any]:
    """Every figure the report shows, one block per section; templates only format.

    ``rows`` holds what ``alis_nord.stored.STATUS_REPORT`` names; ``history`` the ``TREND``
    tables of each earlier year of
    ``trend_years``; ``texts`` the project office's texts.
    """
    from alis_nord.stability import cohorts

    year = rows.year
    summary = rows["report_summary"][0]["summary"]
    first = reference.helsedirektoratet_grant().fra_aar
    alis_by_year = {y: r["alis"] for y, r in {**history, year: rows}.items()}
    year_cohorts = cohorts(alis_by_year, first, year)
    counts = person_counts(rows, year_cohorts)
    context = {
        "year": year,
        "project": project(reference),
        "cover": cover(year, reference),
        "key_figures": key_figures(summary, rows, counts),
        "financing": financing(year, reference, rows),
        "objectives": goal_attainment(
            reference, rows, history, summary, counts, year_cohorts, texts.objectives
        ),
        "judgement_rules": list(JUDGEMENT_RULES),
        "narrative": texts.narrative,
        "progress": texts.progress,  # None: chapter 4 of a Sluttrapport says the text is missing
        "data_quality": data_quality(year, reference, rows, summary, counts),
        "accounts": financial_report(reference, rows, texts.deviations),
        "scheme": SCHEME,
        "auditor_file": None,  # named by report_files, which writes it
        "appendix": appendix(rows, reference),
    }
    # whose figures are not in (delivery_status), and the office's reason to send without them
    context["completeness"] = completeness(reference, rows["delivery_status"], year, texts.exclusions)
    # what a case officer would send back: until it is empty the report is an «utkast»
    context["outstanding"] = outstanding(reference, context)
    return context


def report_files(reference: ReferenceData, rows: StoredRows, context: dict[str, Any]) -> dict[str, bytes]:
    """The files of the report for the portal, by name: the PDF, the reporting sheet
    (``rapportering-<year>.json`` and ``.xlsx``) and the auditor's file, all from one context so
    every figure is the same in each. The PDF's auditor page names the auditor's file by SHA-256;
    the reporting sheet names both attachments by SHA-256."""
    from hashlib import sha256

    from alis_nord.auditor_file import auditor_workbook_bytes
    from alis_nord.feedback import project_name
    from alis_nord.grant_reporting import reporting_json, reporting_sheet, reporting_workbook_bytes

    year = rows.year
    name = project_name(reference)
    auditor_name, pdf_name = f"revisorgrunnlag-{year}.xlsx", f"statusrapport-{year}.pdf"
    auditor = auditor_workbook_bytes(
        reference, rows, context["accounts"], f"{name} · Revisorgrunnlag {year}", report_date(year)
    )
    auditor_file = {"name": auditor_name, "sha256": sha256(auditor).hexdigest(), "size": len(auditor)}
    pdf = render_pdf(render_html({**context, "auditor_file": auditor_file}))
    attachments = {pdf_name: sha256(pdf).hexdigest(), auditor_name: auditor_file["sha256"]}
    sheet = reporting_sheet(context, context["outstanding"], attachments)
    return {
        pdf_name: pdf,
        f"rapportering-{year}.json": reporting_json(sheet).encode("utf-8"),
        f"rapportering-{year}.xlsx": reporting_workbook_bytes(
            sheet, f"{name} · Rapportering til {RECIPIENT} {year}", report_date(year)
        ),
        auditor_name: auditor,
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


# PDF/UA-1's identification (ISO 14289-1, clause 5), with the extension schema PDF/A-2 asks of
# every XMP property outside its predefined schemas (ISO 19005-2, 6.6.2.3.2). It goes inside the
# rdf:RDF that WeasyPrint writes for PDF/A: a second rdf:RDF in the packet is not read.
PDF_UA_IDENTIFICATION = b"""<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" pdfuaid:part="1"/>
<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
 xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
<pdfaProperty:name>part</pdfaProperty:name>
<pdfaProperty:valueType>Integer</pdfaProperty:valueType>
<pdfaProperty:category>internal</pdfaProperty:category>
<pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>
</rdf:li></rdf:Seq></pdfaSchema:property>
</rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>
"""


def _identify_as_pdf_ua(document, pdf) -> None:
    """WeasyPrint's finisher hook: add PDF/UA-1's identification to the XMP packet that
    ``pdf/a-2a`` wrote, before the file is written."""
    metadata = pdf.objects[int(pdf.catalog["Metadata"].split()[0])]
    packet = b"".join(metadata.stream)
    metadata.stream = [packet.replace(b"</rdf:RDF>", PDF_UA_IDENTIFICATION + b"</rdf:RDF>", 1)]


def render_pdf(html: str) -> bytes:
    """PDF/A-2a (archival and tagged) and PDF/UA-1 (accessible), the document language from
    ``<html lang="nb">``, fonts embedded from report_templates/fonts/.

    WeasyPrint writes one variant's identification; the PDF/UA-1 identification is added to the
    same XMP packet by ``_identify_as_pdf_ua``. The tagging both need is WeasyPrint's own
    (``pdf/a-2a`` tags the document); the templates keep it clean (one Link per link)."""
    from weasyprint import HTML

    from alis_nord.rendering import TEMPLATE_DIR

    document = HTML(string=html, base_url=str(TEMPLATE_DIR) + "/", url_fetcher=_report_files_only())
    return document.write_pdf(pdf_variant="pdf/a-2a", finisher=_identify_as_pdf_ua)
