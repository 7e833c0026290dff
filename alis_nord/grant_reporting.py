"""What Helsedirektoratet's tilskuddsportal asks, ready to paste, and what a case officer would
send back before the report may go.

- ``outstanding``: the list a case officer would return the report with (an objective judged
  «delvis nådd» or «ikke nådd» without the office's text, a budget line more than 10 % off
  without an explanation, no signatory, no case number, payments that do not match the grant
  letters, years not yet computed). Until it is empty the report says «utkast».
- ``reporting_sheet``: ``rapportering-<year>.json``, the portal form's content: per objective the
  indicators, targets, results, judgements and the office's explanation; per approved budget
  line the budget, accounts, deviation and explanation; payments, unused funds, signatory and
  auditor. ``reporting_workbook_bytes`` lays the same out as ``rapportering-<year>.xlsx``.

Both read the status report's context (``alis_nord.status_report.status_report_context``), so
every figure is the PDF's own. Money is a decimal string in kroner with øre, as in summary.json.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from alis_nord.money import ZERO, round_ore
from alis_nord.targets import NOT_REACHED, PARTLY
from alis_nord.vocabulary import FUNDING_SOURCE_LABELS, HELSEDIREKTORATET, STATSFORVALTER

DRAFT, READY = "utkast", "klar til innsending"
SCHEME = "Kap. 762, post 63"  # Helsedirektoratet's budget chapter and item for the ALIS grant
NEEDS_TEXT = (PARTLY, NOT_REACHED)


@dataclass(frozen=True)
class Outstanding:
    """One thing a case officer would send the report back for."""

    kind: str  # a stable code: objective_text, budget_explanation, signatory, case_number, payments, years
    text: str  # bokmål, as the report's summary and the UI list it


def _objective_items(year: int, objectives) -> list[Outstanding]:
    items = []
    for objective in objectives:
        judged = sorted({t["judgement"] for t in objective.targets or () if t["judgement"] in NEEDS_TEXT})
        if judged and objective.text is None:
            items.append(
                Outstanding(
                    "objective_text",
                    f"Mål {objective.number} ({objective.title}) er vurdert som {' og '.join(f'«{j}»' for j in judged)} uten "
                    f"prosjektkontorets forklaring. Skriv den i {year}/tekst/maal_{objective.number}.md.",
                )
            )
    return items


def _budget_items(year: int, accounts: dict[str, Any]) -> list[Outstanding]:
    if accounts["explanation"] is not None:
        return []
    return [
        Outstanding(
            "budget_explanation",
            f"Budsjettlinjen «{line.label}» avviker mer enn 10 % fra budsjettet uten forklaring. "
            f"Skriv den i {year}/tekst/avvik.md.",
        )
        for line in accounts["lines"]
        if line.needs_explanation
    ]


def _profile_items(project: dict[str, Any], confirmation: dict[str, Any]) -> list[Outstanding]:
    items = []
    if not confirmation["name"]:
        items.append(
            Outstanding(
                "signatory",
                "Ingen signatar er registrert: fyll inn signatar_navn og signatar_tittel i referanse/prosjekt.yaml.",
            )
        )
    if not project["case_number"]:
        items.append(
            Outstanding(
                "case_number",
                "Helsedirektoratets saksnummer mangler: fyll inn helsedirektoratet_saksnummer i referanse/prosjekt.yaml.",
            )
        )
    return items


def granted_up_to(grants, source: str, year: int) -> Decimal:
    """What the grant letters of ``source`` (``tilskudd.csv``) grant for the years up to ``year``:
    a letter counts once its first year has come."""
    return sum((g.belop for g in grants if g.kilde == source and g.fra_aar <= year), ZERO)


def _payment_items(year: int, grants, received: dict[str, Decimal] | None, outside) -> list[Outstanding]:
    """Payments against the grant letters. Helsedirektoratet's letter grants «inntil» its total
    over the period, paid in tranches: more than the total does not match. The Statsforvalter's
    letters are yearly: what has been received must equal what has been granted so far."""
    from alis_nord.norsk import dato, kr

    if received is None:
        return [
            Outstanding(
                "payments",
                "Utbetalingene er ikke registrert: legg dem i referanse/utbetalinger.csv.",
            )
        ]
    items = []
    hdir_granted = granted_up_to(grants, HELSEDIREKTORATET, year)
    if received[HELSEDIREKTORATET] > hdir_granted:
        items.append(
            Outstanding(
                "payments",
                f"Utbetalt fra Helsedirektoratet til og med {year} ({kr(received[HELSEDIREKTORATET])}) er mer "
                f"enn tilsagnsbrevet gir ({kr(hdir_granted)}). Kontroller referanse/utbetalinger.csv og tilskudd.csv.",
            )
        )
    sf_granted = granted_up_to(grants, STATSFORVALTER, year)
    if received[STATSFORVALTER] != sf_granted:
        items.append(
            Outstanding(
                "payments",
                f"Utbetalt fra Statsforvalteren til og med {year} ({kr(received[STATSFORVALTER])}) stemmer ikke "
                f"med tilsagnsbrevene ({kr(sf_granted)}). Kontroller referanse/utbetalinger.csv og tilskudd.csv.",
            )
        )
    items += [
        Outstanding(
            "payments",
            f"Utbetalingen «{p.referanse}» ({kr(p.belop)}, {dato(p.dato)}) er datert i et år ingen "
            f"tilsagn fra kilden dekker.",
        )
        for p in outside
    ]
    return items


def outstanding(reference, context: dict[str, Any]) -> list[Outstanding]:
    """What a case officer would send back, in the order the report reads (objectives, budget,
    payments, profile, missing years); empty when the report is ready to send."""
    from alis_nord.budget import payments_outside_grant_period

    year = context["year"]
    accounts = context["accounts"]
    received = accounts["period_accounts"].received
    items = _objective_items(year, context["objectives"]) + _budget_items(year, accounts)
    items += _payment_items(year, reference.grants, received, payments_outside_grant_period(reference))
    items += _profile_items(context["project"], accounts["confirmation"])
    missing = context["key_figures"]["years_missing"]
    if missing:
        items.append(
            Outstanding(
                "years",
                f"Tallene for {', '.join(map(str, missing))} er ikke beregnet: kjør årene før rapporten sendes.",
            )
        )
    return items


# ---------------------------------------------------------------- the reporting sheet


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
    """An indicator's value exact (``None`` where suppressed or missing) and as the PDF prints it."""
    from alis_nord.disclosure import SUPPRESSED
    from alis_nord.norsk import indikator

    exact = None if value is None or value is SUPPRESSED else str(value)
    return {"verdi": exact, "som_trykt": indikator(value, enhet).replace("\u00a0", " ")}


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


def _budget_line(line, explanation) -> dict[str, Any]:
    return {
        "budsjett": _money(line.plan),
        "regnskap": _money(line.actual),
        "avvik": _money(line.deviation),
        "avvik_prosent": _percent(line.deviation_percent),
        "maa_forklares": line.needs_explanation,
        "forklaring": explanation if line.needs_explanation else None,
    }


def reporting_sheet(
    context: dict[str, Any], items: list[Outstanding], files: dict[str, str]
) -> dict[str, Any]:
    """``rapportering-<year>.json``: what the portal form asks, figure for figure as in the PDF.
    ``files`` names the files to attach by SHA-256 (the report and the auditor's file)."""
    cover, project, accounts = context["cover"], context["project"], context["accounts"]
    grant = cover["grant"]
    explanation = _text(accounts["explanation"])
    period = accounts["period_accounts"]
    confirmation = accounts["confirmation"]
    return {
        "rapport": {
            "type": cover["kind"],
            "nummer": cover["report_number"],
            "rapportaar": context["year"],
            "periode": {"fra": cover["period_start"].isoformat(), "til": cover["period_end"].isoformat()},
            "dato": cover["report_date"].isoformat(),
            "status": DRAFT if items else READY,
            "utestaaende": [item.text for item in items],
            "vedlegg": [{"fil": name, "sha256": sha} for name, sha in files.items()],
        },
        "tilskudd": {
            "ordning": SCHEME,
            "referanse": grant.referanse,
            "vedtaksdato": grant.vedtaksdato.isoformat() if grant.vedtaksdato else None,
            "saksnummer": project["case_number"],
            "belop": _money(grant.belop),
            "periode": {"fra": grant.fra_aar, "til": grant.til_aar},
        },
        "mottaker": {"navn": project["owner"], "organisasjonsnummer": project["organisation_number"]},
        "maaloppnaelse": _objectives(context),
        "budsjett_og_regnskap": {
            "forklaring": explanation,
            "linjer": [
                {
                    "kategori": line.kategori,
                    "navn": line.label,
                    "aar": _budget_line(line.year, explanation),
                    "perioden": _budget_line(line.period, explanation),
                }
                for line in accounts["lines"]
            ],
            "sum_aar": _budget_line(accounts["total_year"], explanation),
            "sum_perioden": _budget_line(accounts["total_period"], explanation),
            "perioden": {"fra": accounts["period"][0], "til": accounts["period"][1]},
        },
        "inntekter_og_utgifter": {
            name: {
                "mottatt": {k: _money(v) for k, v in span.received.items()} if span.received else None,
                "egenandel": _money(span.own_share),
                "sum_inntekter": _money(span.income),
                "alis_tilskudd": _money(span.alis_grant),
                "kostnader": _money(span.costs),
                "sum_utgifter": _money(span.expenses),
                "resultat": _money(span.balance),
            }
            for name, span in (("aar", accounts["in_year"]), ("perioden", period))
        },
        "ubrukte_midler": [
            {
                "kilde": u["fund"].kilde,
                "mottatt": _money(u["fund"].received),
                "brukt": _money(u["fund"].used),
                "ubrukt": _money(u["fund"].unused),
                "periodens_slutt": u["fund"].final_year,
            }
            for u in accounts["unused"]
        ],
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


def reporting_workbook_bytes(sheet: dict[str, Any], heading: str, created: dt.date) -> bytes:
    """``rapportering-<year>.xlsx``: the reporting sheet as tables to copy from, one sheet per
    part of the portal form, amounts as exact numbers with a kr format."""
    import openpyxl

    from alis_nord.xlsx import KR, PERCENT, Sheet, deterministic_zip, print_setup

    workbook = openpyxl.Workbook(write_only=True)
    report = sheet["rapport"]
    signatory = ", ".join(filter(None, (sheet["signatar"]["navn"], sheet["signatar"]["tittel"])))
    fields = [
        ("Rapport", f"{report['type']} nr. {report['nummer']}, rapportår {report['rapportaar']}"),
        ("Status", report["status"]),
        *(("Må rettes før innsending", item) for item in report["utestaaende"]),
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

    goals = Sheet(
        workbook,
        "Måloppnåelse",
        ["Mål", "Indikator", "Målverdi", "Retning", "Resultat", "Vurdering", "Forklaring"],
        [6, 46, 10, 9, 12, 16, 70],
    )
    for objective in sheet["maaloppnaelse"]:
        explanation = (objective["forklaring"] or {}).get("tekst", "")
        for indicator in objective["indikatorer"] or [{}]:
            goals.row(
                [
                    objective["nummer"],
                    indicator.get("indikator", "ingen mål registrert"),
                    _number(indicator.get("maalverdi")),
                    indicator.get("retning", ""),
                    indicator["resultat_aar"]["som_trykt"] if indicator else "",
                    indicator.get("vurdering", ""),
                    explanation,
                ],
                wrap=[False, True, False, False, False, False, True],
            )

    budget = Sheet(
        workbook,
        "Budsjett og regnskap",
        ["Budsjettlinje", "Periode", "Budsjett", "Regnskap", "Avvik", "Avvik %", "Forklaring"],
        [30, 11, 16, 16, 16, 9, 60],
    )
    lines = sheet["budsjett_og_regnskap"]
    first, last = lines["perioden"]["fra"], lines["perioden"]["til"]
    for name, span in (("aar", str(report["rapportaar"])), ("perioden", f"{first}–{last}")):
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
                    _number(figures["avvik_prosent"], scale=Decimal("0.01")),
                    (figures["forklaring"] or {}).get("tekst", "") if figures["maa_forklares"] else "",
                ],
                [None, None, KR, KR, KR, PERCENT, None],
                bold=line["navn"] == "Sum",
                wrap=[False, False, False, False, False, False, True],
            )

    money = Sheet(workbook, "Utbetalinger og ubrukt", ["Post", "Året", "Perioden"], [46, 18, 18])
    income = sheet["inntekter_og_utgifter"]
    labels = {
        "egenandel": "Kommunenes egenandel",
        "sum_inntekter": "Sum inntekter",
        "alis_tilskudd": "ALIS-tilskudd",
        "kostnader": "Kostnader",
        "sum_utgifter": "Sum utgifter",
        "resultat": "Resultat",
    }
    for source in (HELSEDIREKTORATET, STATSFORVALTER):
        money.row(
            [
                f"Mottatt fra {FUNDING_SOURCE_LABELS[source]}",
                *(_number((income[s]["mottatt"] or {}).get(source)) for s in ("aar", "perioden")),
            ],
            [None, KR, KR],
        )
    for key, label in labels.items():
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

    for part in (status, goals, budget, money):
        print_setup(part.ws, heading, len(part.widths), part.rows_written, landscape=sum(part.widths) > 95)
    workbook.properties.title = heading
    workbook.properties.created = dt.datetime.combine(created, dt.time())
    buffer = io.BytesIO()
    workbook.save(buffer)
    return deterministic_zip(buffer.getvalue())


def _number(text: str | None, scale: Decimal = Decimal(1)) -> Decimal | str | None:
    """A figure of the sheet as an exact number cell; a mark («skjult …») stays text."""
    if text is None:
        return None
    try:
        return Decimal(text) * scale
    except ArithmeticError:
        return text
