"""The status report to Helsedirektoratet: its figures, one prepared block per section.

Python computes, templates format. ``status_report_context`` gathers one prepared block per
section of ``report_templates/statusrapport.html.j2``:

| context key | function | template partial |
|---|---|---|
| ``cover`` | ``cover`` | ``sections/forside.html.j2`` |
| ``key_figures`` | ``key_figures`` | ``sections/sammendrag.html.j2`` |
| ``financing`` | ``alis_nord.report_financing.financing`` | ``sections/finansiering.html.j2`` |
| ``objectives`` | ``alis_nord.goal_attainment.goal_attainment`` | ``sections/maaloppnaelse.html.j2`` |
| ``narrative`` | ``alis_nord.narrative.narrative_texts`` | ``sections/beretning.html.j2`` |
| ``data_quality`` | ``alis_nord.report_data_quality.data_quality`` | ``sections/datakvalitet.html.j2`` |
| ``accounts`` | ``alis_nord.financial_report.financial_report`` | ``sections/regnskap.html.j2``, ``sections/revisor.html.j2`` |
| ``appendix`` | ``alis_nord.report_appendix.appendix`` | ``sections/vedlegg_filer.html.j2`` |

Every count of persons is read from the year's ``Publication`` (``alis_nord.person_counts``).
The report's files (the PDF, the reporting sheet and the auditor's file) are made from one
context by ``alis_nord.report_bundle``; the HTML and the PDF by ``alis_nord.report_pdf``.

It reads stored rows only (what ``alis_nord.stored.STATUS_REPORT`` names, the report summary
among them), never another asset's output file, and never the warehouse itself: the asset passes the rows in. Every date
and identifier comes from the data, never from the clock, so the same inputs give a
byte-identical PDF.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from alis_nord.budget import grant_use_from_row
from alis_nord.disclosure import Publication
from alis_nord.financial_report import financial_report
from alis_nord.goal_attainment import goal_attainment
from alis_nord.grant_reporting import SCHEME, completeness, outstanding
from alis_nord.person_counts import ALIS_TOTAL, form_key, person_counts
from alis_nord.reference import ReferenceData
from alis_nord.report import RECIPIENT, report_number
from alis_nord.report_appendix import appendix
from alis_nord.report_data_quality import data_quality
from alis_nord.report_financing import financing
from alis_nord.stored import StoredRows
from alis_nord.targets import JUDGEMENT_RULES
from alis_nord.vocabulary import (
    EMPLOYMENT_FORMS,
    FUNDING_SOURCE_LABELS,
    FUNDING_SOURCES,
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
    (suppressed together with every other table, see ``alis_nord.person_counts``)."""
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
