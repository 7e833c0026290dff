"""What a case officer at Helsedirektoratet would send back before the report may go, and
whether the year's figures are all in.

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

``outstanding`` reads the status report's context (``alis_nord.report_context``), so it judges
the PDF's own figures. What the portal asks, ready to paste, is ``alis_nord.reporting_sheet``
(``rapportering-<year>.json``) and ``alis_nord.reporting_workbook`` (``.xlsx``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from alis_nord.deliveries import HAS_ERRORS, MAY_BE_EMPTY, MISSING, TableStatus, statuses_from_rows
from alis_nord.landing import TABLES
from alis_nord.money import ZERO
from alis_nord.narrative import COURSE_TEXT, DEVIATIONS_TEXT, EXCLUSION_TEXT
from alis_nord.targets import NOT_REACHED, PARTLY
from alis_nord.vocabulary import HELSEDIREKTORATET, STATSFORVALTER, TABLE_TITLES

DRAFT, READY = "utkast", "klar til innsending"
SCHEME = "Kap. 762, post 63"  # Helsedirektoratet's budget chapter and item for the ALIS grant
NEEDS_TEXT = (PARTLY, NOT_REACHED)
INCOMPLETE = (MISSING, HAS_ERRORS)  # a table whose figures are not (all) in the report


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
