"""What Helsedirektoratet's tilskuddsportal asks, ready to paste, and what a case officer would
send back before the report may go.

- ``outstanding``: the list a case officer would return the report with (a participant whose
  figures for the year are missing or have errors, with neither a new file nor the office's
  written reason to send without them; an objective judged «delvis nådd» or «ikke nådd» without
  the office's text; a Sluttrapport without the project's course over the period; a budget line
  more than 10 % off without its own explanation; no signatory, no case number, payments that do
  not match the grant letters, years not yet computed). Until it is empty the report says «utkast».
- ``data_gaps``, ``completeness``: who has not delivered all its figures for the year, table by
  table, from the warehouse's ``delivery_status`` (``alis_nord.deliveries``), and the office's
  reason where it sends the report without them (``tekst/uten_<kommunenummer>.md``).
- ``line_explanation``: a budget line's own explanation, the section of ``tekst/avvik.md`` under
  a heading that names the line.
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

from alis_nord.deliveries import HAS_ERRORS, MAY_BE_EMPTY, MISSING, TableStatus, statuses_from_rows
from alis_nord.financial_report import MISSING_EXPLANATION
from alis_nord.landing import TABLES
from alis_nord.money import ZERO, round_ore
from alis_nord.narrative import COURSE_TEXT, DEVIATIONS_TEXT, EXCLUSION_TEXT
from alis_nord.targets import NOT_REACHED, PARTLY
from alis_nord.vocabulary import FUNDING_SOURCE_LABELS, HELSEDIREKTORATET, STATSFORVALTER, TABLE_TITLES

DRAFT, READY = "utkast", "klar til innsending"
SCHEME = "Kap. 762, post 63"  # Helsedirektoratet's budget chapter and item for the ALIS grant
NEEDS_TEXT = (PARTLY, NOT_REACHED)
INCOMPLETE = (MISSING, HAS_ERRORS)  # a table whose figures are not (all) in the report
# why a value of the reporting sheet is empty: the report's small-number rule
SUPPRESSED_NOTE = "gjelder færre enn 3 personer, eller kunne ellers regnes ut"
NO_VALUE_NOTE = "ingen tall"
COUNT = "0"  # the number format of a count


@dataclass(frozen=True)
class Outstanding:
    """One thing a case officer would send the report back for."""

    kind: str  # a stable code: data, objective_text, course_text, budget_explanation, signatory,
    # case_number, payments, years
    text: str  # bokmål: what is missing, as the report's summary prints it (no file the directorate lacks)
    fix: str = ""  # bokmål: for the office, the file to write or correct (the sheet and the UI add it)

    @property
    def full(self) -> str:
        """The item as the office reads it (the reporting sheet, ``ready_to_send``): what and how."""
        return f"{self.text} {self.fix}".strip()


# ---------------------------------------------------------------- are all the figures in?


@dataclass(frozen=True)
class Gap:
    """A participant whose figures for the year are not all in: its tables that are missing or
    have errors, and the office's written reason to send the report without them, if any."""

    kommunenummer: str
    navn: str
    tables: tuple[TableStatus, ...]
    reason: Any = None  # tekst/uten_<kommunenummer>.md, rendered (alis_nord.narrative)

    @property
    def label(self) -> str:
        return f"{self.navn} ({self.kommunenummer})"

    @property
    def table_list(self) -> str:
        """Each table with its status and file, as the report and the outstanding list print it:
        «Kostnader (bilag) har feil (2023/5430.xlsx); ALIS-leger mangler»."""
        return "; ".join(
            f"{TABLE_TITLES[t.table_name]} {t.status}{f' ({t.file})' if t.file else ''}" for t in self.tables
        )

    @property
    def table_names(self) -> str:
        """The same without the files, as a report that may be sent prints it: «Kostnader (bilag)
        har feil, ALIS-leger mangler»."""
        return ", ".join(f"{TABLE_TITLES[t.table_name]} {t.status}" for t in self.tables)


def data_gaps(reference, delivery_rows, year: int, reasons: dict[str, Any]) -> list[Gap]:
    """Every participant of ``year`` with a table *mangler* or *har feil* in the warehouse's
    ``delivery_status`` rows, by municipality number, each with the office's reason (``reasons``:
    ``tekst/uten_<kommunenummer>.md`` by number) where there is one."""
    by_number: dict[str, list[TableStatus]] = {}
    for status in statuses_from_rows(delivery_rows):
        if status.status in INCOMPLETE:
            by_number.setdefault(status.kommunenummer, []).append(status)
    return [
        Gap(
            p.kommunenummer,
            p.navn,
            tuple(sorted(by_number[p.kommunenummer], key=lambda t: TABLES.index(t.table_name))),
            reasons.get(p.kommunenummer),
        )
        for p in reference.participants_in(year)
        if p.kommunenummer in by_number
    ]


def completeness(reference, delivery_rows, year: int, reasons: dict[str, Any]) -> dict[str, Any]:
    """Whether the year's figures are all in, for the report's summary, its confirmation and the
    outstanding list: ``open``, the gaps nobody has resolved; ``excluded``, the gaps the office
    sends the report without, with its reason; ``complete`` when there is no gap at all."""
    gaps = data_gaps(reference, delivery_rows, year, reasons)
    return {
        "open": [g for g in gaps if g.reason is None],
        "excluded": [g for g in gaps if g.reason is not None],
        "complete": not gaps,
    }


def _data_items(year: int, gaps: list[Gap]) -> list[Outstanding]:
    items = []
    for gap in gaps:
        empty = [TABLE_TITLES[t.table_name] for t in gap.tables if t.table_name in MAY_BE_EMPTY]
        header_only = (
            f", tabellen med bare overskriftsraden hvis kommunen ikke har noe å rapportere ({' og '.join(empty)})"
            if empty
            else ""
        )
        files = sorted({t.file for t in gap.tables if t.file})
        items.append(
            Outstanding(
                "data",
                f"Tallene fra {gap.label} for {year} er ikke komplette: {gap.table_names}. Det som løser det: "
                f"en godkjent fil fra kommunen for hver tabell{header_only}, eller prosjektkontorets begrunnelse for å sende "
                "rapporten uten kommunens tall.",
                (f"Mottatt: {', '.join(files)}. " if files else "")
                + f"Begrunnelsen skrives i {year}/tekst/{EXCLUSION_TEXT.format(kommunenummer=gap.kommunenummer)}.",
            )
        )
    return items


def _course_items(year: int, final: bool, course) -> list[Outstanding]:
    """A Sluttrapport tells the project's course over the whole grant period in the office's words."""
    if not final or course is not None:
        return []
    return [
        Outstanding(
            "course_text",
            "Sluttrapporten mangler prosjektkontorets beskrivelse av prosjektets forløp gjennom hele "
            "tilskuddsperioden.",
            f"Skriv den i {year}/tekst/{COURSE_TEXT}.",
        )
    ]


def _objective_items(year: int, objectives) -> list[Outstanding]:
    items = []
    for objective in objectives:
        judged = sorted({t["judgement"] for t in objective.targets or () if t["judgement"] in NEEDS_TEXT})
        if judged and objective.text is None:
            items.append(
                Outstanding(
                    "objective_text",
                    f"Mål {objective.number} ({objective.title}) er vurdert som {' og '.join(f'«{j}»' for j in judged)} uten "
                    "prosjektkontorets forklaring.",
                    f"Skriv den i {year}/tekst/maal_{objective.number}.md.",
                )
            )
    return items


def line_explanation(text, label: str, kategori: str):
    """The section of ``avvik.md`` (``text``, an ``alis_nord.narrative.DeviationText`` or ``None``)
    whose heading names the budget line: its name as printed (``label``) or its category code,
    in any case. ``None`` when no heading names it: a text without headings explains no line."""
    return None if text is None else text.section_for(label, kategori)


def _budget_items(year: int, accounts: dict[str, Any]) -> list[Outstanding]:
    return [
        Outstanding(
            "budget_explanation",
            f"Budsjettlinjen «{line.label}» avviker mer enn 10 % fra budsjettet uten egen forklaring.",
            f"Skriv den i {year}/tekst/{DEVIATIONS_TEXT} under overskriften «## {line.label}».",
        )
        for line in accounts["lines"]
        if line.needs_explanation
        and line_explanation(accounts["explanation"], line.label, line.kategori) is None
    ]


def _profile_items(project: dict[str, Any], confirmation: dict[str, Any]) -> list[Outstanding]:
    items = []
    if not confirmation["name"]:
        items.append(
            Outstanding(
                "signatory",
                "Ingen signatar er registrert.",
                "Fyll inn signatar_navn og signatar_tittel i referanse/prosjekt.yaml.",
            )
        )
    if not project["case_number"]:
        items.append(
            Outstanding(
                "case_number",
                "Helsedirektoratets saksnummer mangler.",
                "Fyll inn helsedirektoratet_saksnummer i referanse/prosjekt.yaml.",
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
                "Utbetalingene er ikke registrert.",
                "Legg dem i referanse/utbetalinger.csv.",
            )
        ]
    items = []
    hdir_granted = granted_up_to(grants, HELSEDIREKTORATET, year)
    if received[HELSEDIREKTORATET] > hdir_granted:
        items.append(
            Outstanding(
                "payments",
                f"Utbetalt fra Helsedirektoratet til og med {year} ({kr(received[HELSEDIREKTORATET])}) er mer "
                f"enn tilsagnsbrevet gir ({kr(hdir_granted)}).",
                "Kontroller referanse/utbetalinger.csv og tilskudd.csv.",
            )
        )
    sf_granted = granted_up_to(grants, STATSFORVALTER, year)
    if received[STATSFORVALTER] != sf_granted:
        items.append(
            Outstanding(
                "payments",
                f"Utbetalt fra Statsforvalteren til og med {year} ({kr(received[STATSFORVALTER])}) stemmer ikke "
                f"med tilsagnsbrevene ({kr(sf_granted)}).",
                "Kontroller referanse/utbetalinger.csv og tilskudd.csv.",
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
    """What a case officer would send back: first the participants whose figures are not in,
    then in the order the report reads (objectives, the project's course, budget, payments,
    profile, missing years); empty when the report is ready to send."""
    from alis_nord.budget import payments_outside_grant_period

    year = context["year"]
    accounts = context["accounts"]
    received = accounts["period_accounts"].received
    items = _data_items(year, context["completeness"]["open"]) + _objective_items(year, context["objectives"])
    items += _course_items(year, context["cover"]["final"], context["progress"])
    items += _budget_items(year, accounts)
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


def reporting_sheet(
    context: dict[str, Any], items: list[Outstanding], files: dict[str, str]
) -> dict[str, Any]:
    """``rapportering-<year>.json``: what the portal form asks, figure for figure as in the PDF.
    ``files`` names the files to attach by SHA-256 (the report and the auditor's file)."""
    cover, project, accounts = context["cover"], context["project"], context["accounts"]
    grant = cover["grant"]
    text = accounts["explanation"]  # avvik.md, cut at its headings, or None
    general = {"fil": text.file, "tekst": text.general} if text is not None and text.general else None
    own = {line.kategori: _own_explanation(text, line.label, line.kategori) for line in accounts["lines"]}
    # the sum is no budget line of its own: a «## Sum» section explains it, else the general note
    total = _own_explanation(text, "Sum") or general
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
            "utestaaende": [item.full for item in items],
            "uten_tall_fra": _excluded(context["completeness"]["excluded"]),
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
                    _number(figures["avvik_prosent"], Decimal("0.01")),
                    (figures["forklaring"] or {}).get("tekst", MISSING_EXPLANATION)
                    if figures["maa_forklares"]
                    else "",
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
