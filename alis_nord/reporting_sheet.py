"""``rapportering-<year>.json``: what Helsedirektoratet's tilskuddsportal asks, ready to paste.

Per objective the indicators, targets, results, judgements and the office's explanation; per
approved budget line the budget, accounts, deviation and explanation; payments, unused funds,
signatory and auditor; whether the report is an «utkast» and what a case officer would send back
(``alis_nord.grant_reporting.outstanding``). ``alis_nord.reporting_workbook`` lays the same out
as ``rapportering-<year>.xlsx``.

It reads the status report's context (``alis_nord.report_context.status_report_context``), so
every figure is the PDF's own. Money is a decimal string in kroner with øre, as in summary.json.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from alis_nord.grant_reporting import DRAFT, READY, SCHEME, Gap, Outstanding
from alis_nord.money import round_ore

# why a value of the reporting sheet is empty: the report's small-number rule
SUPPRESSED_NOTE = "gjelder færre enn 3 personer, eller kunne ellers regnes ut"
NO_VALUE_NOTE = "ingen tall"


def _money(amount: Decimal | None) -> str | None:
    return None if amount is None else str(round_ore(amount))


def _percent(value: Decimal | None) -> str | None:
    """A percentage to one decimal, half-up, as the PDF prints it."""
    return None if value is None else str(value.quantize(Decimal("0.1"), rounding="ROUND_HALF_UP"))


def _text(text) -> dict[str, str] | None:
    """The office's text (a rendered ``tekst/*.md``) as the file it came from and plain text."""
    if text is None:
        return None
    return {"fil": text.file, "tekst": " ".join(text.html.striptags().split())}


def _indicator_value(value, enhet: str) -> dict[str, str | None]:
    """An indicator's value exact and as the PDF prints it; where it is suppressed or missing both
    are ``None`` and ``skjult`` or ``merknad`` says why (never the PDF's «:» in a figure's place)."""
    from alis_nord.disclosure import SUPPRESSED
    from alis_nord.norsk import indikator

    if value is SUPPRESSED:
        return {"verdi": None, "som_trykt": None, "skjult": SUPPRESSED_NOTE}
    if value is None:
        return {"verdi": None, "som_trykt": None, "merknad": NO_VALUE_NOTE}
    return {"verdi": str(value), "som_trykt": indikator(value, enhet).replace("\u00a0", " ")}


def _objectives(context: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "nummer": o.number,
            "tittel": o.title,
            "maal": o.goal,
            "indikatorer": [
                {
                    "indikator": t["indicator"].navn,
                    "enhet": t["indicator"].enhet,
                    "maalverdi": str(t["target"].maalverdi),
                    "retning": t["target"].retning,
                    "resultat_aar": _indicator_value(t["value"], t["indicator"].enhet),
                    "vurdering": t["judgement"],
                }
                for t in o.targets or ()
            ],
            "forklaring": _text(o.text),
        }
        for o in context["objectives"]
    ]


def _own_explanation(text, *names: str) -> dict[str, str] | None:
    """A line's own explanation in ``avvik.md`` (``text``): the file, the heading (one of
    ``names``) it stands under, and its plain text; ``None`` where no heading names the line."""
    section = None if text is None else text.section_for(*names)
    if section is None:
        return None
    return {"fil": text.file, "avsnitt": section.heading, "tekst": section.text}


def _budget_line(line, explanation) -> dict[str, Any]:
    return {
        "budsjett": _money(line.plan),
        "regnskap": _money(line.actual),
        "avvik": _money(line.deviation),
        "avvik_prosent": _percent(line.deviation_percent),
        "maa_forklares": line.needs_explanation,
        "forklaring": explanation if line.needs_explanation else None,
    }


def _excluded(gaps: list[Gap]) -> list[dict[str, Any]]:
    """The participants the report goes without, with the office's reason."""
    return [
        {
            "kommunenummer": g.kommunenummer,
            "navn": g.navn,
            "tabeller": [{"tabell": t.table_name, "status": t.status, "fil": t.file} for t in g.tables],
            "begrunnelse": _text(g.reason),
        }
        for g in gaps
    ]


def _report(context: dict[str, Any], items: list[Outstanding], files: dict[str, str]) -> dict[str, Any]:
    """The report itself: kind, number, period, date, status, what is outstanding, attachments."""
    cover = context["cover"]
    return {
        "type": cover["kind"],
        "nummer": cover["report_number"],
        "rapportaar": context["year"],
        "periode": {"fra": cover["period_start"].isoformat(), "til": cover["period_end"].isoformat()},
        "dato": cover["report_date"].isoformat(),
        "status": DRAFT if items else READY,
        "utestaaende": [item.full for item in items],
        "uten_tall_fra": _excluded(context["completeness"]["excluded"]),
        "vedlegg": [{"fil": name, "sha256": sha} for name, sha in files.items()],
    }


def _grant(grant, project: dict[str, Any]) -> dict[str, Any]:
    """Helsedirektoratet's grant: scheme, letter, case number, amount and years."""
    return {
        "ordning": SCHEME,
        "referanse": grant.referanse,
        "vedtaksdato": grant.vedtaksdato.isoformat() if grant.vedtaksdato else None,
        "saksnummer": project["case_number"],
        "belop": _money(grant.belop),
        "periode": {"fra": grant.fra_aar, "til": grant.til_aar},
    }


def _budget_and_accounts(accounts: dict[str, Any]) -> dict[str, Any]:
    """Per approved budget line, the year and the period, each with its own explanation."""
    text = accounts["explanation"]  # avvik.md, cut at its headings, or None
    general = {"fil": text.file, "tekst": text.general} if text is not None and text.general else None
    own = {line.kategori: _own_explanation(text, line.label, line.kategori) for line in accounts["lines"]}
    # the sum is no budget line of its own: a «## Sum» section explains it, else the general note
    total = _own_explanation(text, "Sum") or general
    return {
        "merknad": general,  # avvik.md's text before its first heading: explains no line
        "linjer": [
            {
                "kategori": line.kategori,
                "navn": line.label,
                "aar": _budget_line(line.year, own[line.kategori]),
                "perioden": _budget_line(line.period, own[line.kategori]),
            }
            for line in accounts["lines"]
        ],
        "sum_aar": _budget_line(accounts["total_year"], total),
        "sum_perioden": _budget_line(accounts["total_period"], total),
        "perioden": {"fra": accounts["period"][0], "til": accounts["period"][1]},
    }


def _income_and_expenses(accounts: dict[str, Any]) -> dict[str, Any]:
    """Income against expenses (table 6.3), the year and the period."""
    return {
        name: {
            "mottatt": {k: _money(v) for k, v in span.received.items()} if span.received else None,
            "egenandel": _money(span.own_share),
            "sum_inntekter": _money(span.income),
            "alis_tilskudd": _money(span.alis_grant),
            "kostnader": _money(span.costs),
            "sum_utgifter": _money(span.expenses),
            "resultat": _money(span.balance),
        }
        for name, span in (("aar", accounts["in_year"]), ("perioden", accounts["period_accounts"]))
    }


def _unused(accounts: dict[str, Any]) -> list[dict[str, Any]]:
    """What is unused of each source's grant (table 6.4)."""
    return [
        {
            "kilde": u["fund"].kilde,
            "mottatt": _money(u["fund"].received),
            "brukt": _money(u["fund"].used),
            "ubrukt": _money(u["fund"].unused),
            "periodens_slutt": u["fund"].final_year,
        }
        for u in accounts["unused"]
    ]


def reporting_sheet(
    context: dict[str, Any], items: list[Outstanding], files: dict[str, str]
) -> dict[str, Any]:
    """``rapportering-<year>.json``: what the portal form asks, figure for figure as in the PDF.
    ``files`` names the files to attach by SHA-256 (the report and the auditor's file)."""
    project, accounts = context["project"], context["accounts"]
    confirmation = accounts["confirmation"]
    return {
        "rapport": _report(context, items, files),
        "tilskudd": _grant(context["cover"]["grant"], project),
        "mottaker": {"navn": project["owner"], "organisasjonsnummer": project["organisation_number"]},
        "maaloppnaelse": _objectives(context),
        "budsjett_og_regnskap": _budget_and_accounts(accounts),
        "inntekter_og_utgifter": _income_and_expenses(accounts),
        "ubrukte_midler": _unused(accounts),
        "signatar": {
            "navn": confirmation["name"],
            "tittel": confirmation["title"],
            "sted": confirmation["place"],
            "dato": confirmation["date"].isoformat(),
        },
        "revisor": {"navn": accounts["auditor"]},
    }


def reporting_json(sheet: dict[str, Any]) -> str:
    return json.dumps(sheet, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
