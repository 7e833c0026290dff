"""``rapportering-<year>.xlsx``: the reporting sheet (``alis_nord.reporting_sheet``) as tables to
copy from into Helsedirektoratet's tilskuddsportal, one sheet per part of the portal form:
Status, Måloppnåelse, Budsjett og regnskap, Utbetalinger og ubrukt. Amounts are exact numbers with
a kr format, shares fractions with a % format; a suppressed or missing figure is an empty cell
whose note says why."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from alis_nord.financial_report import MISSING_EXPLANATION
from alis_nord.vocabulary import FUNDING_SOURCE_LABELS, HELSEDIREKTORATET, STATSFORVALTER

COUNT = "0"  # the number format of a count
INCOME_LABELS = {  # the rows of «Utbetalinger og ubrukt» below what was received
    "egenandel": "Kommunenes egenandel",
    "sum_inntekter": "Sum inntekter",
    "alis_tilskudd": "ALIS-tilskudd",
    "kostnader": "Kostnader",
    "sum_utgifter": "Sum utgifter",
    "resultat": "Resultat",
}


def reporting_workbook_bytes(sheet: dict[str, Any], heading: str, created: dt.date) -> bytes:
    """``rapportering-<year>.xlsx``: the reporting sheet as tables to copy from, one sheet per
    part of the portal form, amounts as exact numbers with a kr format."""
    import openpyxl

    from alis_nord.xlsx import print_sheet, workbook_bytes

    workbook = openpyxl.Workbook(write_only=True)
    parts = [
        _status_sheet(workbook, sheet),
        _goals_sheet(workbook, sheet),
        _budget_sheet(workbook, sheet),
        _money_sheet(workbook, sheet),
    ]
    for part in parts:
        print_sheet(part, heading)
    workbook.properties.title = heading
    workbook.properties.created = dt.datetime.combine(created, dt.time())
    return workbook_bytes(workbook)


def _status_sheet(workbook, sheet: dict[str, Any]):
    """Status: the report, whether it may be sent and what is outstanding, the grant, the
    recipient, signatory, auditor and the attachments' SHA-256."""
    from alis_nord.xlsx import Sheet

    report = sheet["rapport"]
    signatory = ", ".join(filter(None, (sheet["signatar"]["navn"], sheet["signatar"]["tittel"])))
    fields = [
        ("Rapport", f"{report['type']} nr. {report['nummer']}, rapportår {report['rapportaar']}"),
        ("Status", report["status"]),
        *(("Må rettes før innsending", item) for item in report["utestaaende"]),
        *(
            (f"Uten tall fra {g['navn']} ({g['kommunenummer']})", g["begrunnelse"]["tekst"])
            for g in report["uten_tall_fra"]
        ),
        ("Tilskuddsordning", sheet["tilskudd"]["ordning"]),
        ("Tilskudd", sheet["tilskudd"]["referanse"]),
        ("Saksnummer", sheet["tilskudd"]["saksnummer"] or "mangler"),
        ("Tilskuddsmottaker", sheet["mottaker"]["navn"] or "mangler"),
        ("Organisasjonsnummer", sheet["mottaker"]["organisasjonsnummer"] or "mangler"),
        ("Signatar", signatory or "mangler"),
        ("Revisor", sheet["revisor"]["navn"] or "ikke registrert"),
        *((f"Vedlegg {a['fil']}", f"SHA-256 {a['sha256']}") for a in report["vedlegg"]),
    ]
    status = Sheet(workbook, "Status", ["Felt", "Verdi"], [34, 90])
    for label, value in fields:
        status.row([label, value], wrap=[False, True])
    return status


def _goals_sheet(workbook, sheet: dict[str, Any]):
    """Måloppnåelse: per objective each indicator with its target, result, judgement and the
    office's explanation; an objective without targets gets one row saying so."""
    from alis_nord.xlsx import Sheet

    goals = Sheet(
        workbook,
        "Måloppnåelse",
        ["Mål", "Indikator", "Målverdi", "Retning", "Resultat", "Merknad", "Vurdering", "Forklaring"],
        [6, 40, 10, 9, 10, 24, 16, 60],
    )
    for objective in sheet["maaloppnaelse"]:
        explanation = (objective["forklaring"] or {}).get("tekst", "")
        for indicator in objective["indikatorer"] or [{}]:
            scale, unit = _unit(indicator.get("enhet"))
            result = indicator.get("resultat_aar") or {}
            goals.row(
                [
                    objective["nummer"],
                    indicator.get("indikator", "ingen mål registrert"),
                    _number(indicator.get("maalverdi"), scale),
                    indicator.get("retning", ""),
                    _number(result.get("verdi"), scale),
                    f"skjult: {result['skjult']}" if "skjult" in result else result.get("merknad"),
                    indicator.get("vurdering", ""),
                    explanation,
                ],
                [None, None, unit, None, unit],
                wrap=[False, True, False, False, False, True, False, True],
            )
    return goals


def _budget_sheet(workbook, sheet: dict[str, Any]):
    """Budsjett og regnskap: every budget line and the sum, the year first, then the period."""
    from alis_nord.xlsx import KR, PERCENT, Sheet

    budget = Sheet(
        workbook,
        "Budsjett og regnskap",
        ["Budsjettlinje", "Periode", "Budsjett", "Regnskap", "Avvik", "Avvik %", "Forklaring"],
        [30, 11, 16, 16, 16, 9, 60],
    )
    lines = sheet["budsjett_og_regnskap"]
    first, last = lines["perioden"]["fra"], lines["perioden"]["til"]
    for name, span in (("aar", str(sheet["rapport"]["rapportaar"])), ("perioden", f"{first}–{last}")):
        for line in lines["linjer"] + [
            {"navn": "Sum", "aar": lines["sum_aar"], "perioden": lines["sum_perioden"]}
        ]:
            figures = line[name]
            budget.row(
                [
                    line["navn"],
                    span,
                    Decimal(figures["budsjett"]),
                    Decimal(figures["regnskap"]),
                    Decimal(figures["avvik"]),
                    _number(figures["avvik_prosent"], Decimal("0.01")),
                    (figures["forklaring"] or {}).get("tekst", MISSING_EXPLANATION)
                    if figures["maa_forklares"]
                    else "",
                ],
                [None, None, KR, KR, KR, PERCENT, None],
                bold=line["navn"] == "Sum",
                wrap=[False, False, False, False, False, False, True],
            )
    return budget


def _money_sheet(workbook, sheet: dict[str, Any]):
    """Utbetalinger og ubrukt: what each source paid, income against expenses, and what is
    unused of each source's grant; the year and the period."""
    from alis_nord.xlsx import KR, Sheet

    money = Sheet(workbook, "Utbetalinger og ubrukt", ["Post", "Året", "Perioden"], [46, 18, 18])
    income = sheet["inntekter_og_utgifter"]
    for source in (HELSEDIREKTORATET, STATSFORVALTER):
        money.row(
            [
                f"Mottatt fra {FUNDING_SOURCE_LABELS[source]}",
                *(_number((income[s]["mottatt"] or {}).get(source)) for s in ("aar", "perioden")),
            ],
            [None, KR, KR],
        )
    for key, label in INCOME_LABELS.items():
        money.row([label, _number(income["aar"][key]), _number(income["perioden"][key])], [None, KR, KR])
    for unused in sheet["ubrukte_midler"]:
        money.row(
            [
                f"Ubrukt av tilskuddet fra {FUNDING_SOURCE_LABELS[unused['kilde']]}",
                None,
                Decimal(unused["ubrukt"]),
            ],
            [None, KR, KR],
        )
    return money


def _number(text: str | None, scale: Decimal = Decimal(1)) -> Decimal | None:
    """A figure of the sheet (an exact decimal string) as a number cell: a percentage in
    hundredths (``"80"`` with ``scale`` 0.01 is 0.8, which the % format shows as 80,0 %); ``None``
    (suppressed or missing, the note column says which) as an empty cell."""
    return None if text is None else Decimal(text) * scale


def _unit(enhet: str | None) -> tuple[Decimal, str]:
    """The scale and number format of an indicator's unit: a share in percent is stored as a
    fraction with a % format, a count as a whole number."""
    from alis_nord.xlsx import PERCENT

    return (Decimal("0.01"), PERCENT) if enhet == "prosent" else (Decimal(1), COUNT)
