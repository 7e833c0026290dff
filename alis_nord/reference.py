"""Reference data kept by the project office in ``<landing>/referanse/``.

These files are the project office's own configuration, not a municipality's submission:
a broken reference file stops the run with a message naming the file and row, because no
figure can be computed without it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from alis_nord.money import NotANumber, parse_decimal
from alis_nord.readers import ReadFailure, fold, read_csv

HELSEDIREKTORATET = "helsedirektoratet"
STATSFORVALTER = "statsforvalter"


class ReferenceDataError(ValueError):
    pass


@dataclass(frozen=True)
class Participant:
    kommunenummer: str
    navn: str
    fra_aar: int
    til_aar: int | None

    def takes_part_in(self, year: int) -> bool:
        return self.fra_aar <= year and (self.til_aar is None or year <= self.til_aar)


@dataclass(frozen=True)
class Grant:
    kilde: str
    fra_aar: int
    til_aar: int
    belop: Decimal
    vedtaksdato: dt.date | None
    referanse: str


@dataclass(frozen=True)
class BudgetLine:
    aar: int
    kategori: str
    belop: Decimal


@dataclass(frozen=True)
class Rates:
    aar: int
    tilskudd_per_alis: Decimal
    egenandel_per_alis: Decimal


@dataclass(frozen=True)
class OverspendAcknowledgement:
    """The project office's acknowledgement that Helsedirektoratet's grant is overspent in a
    year, so the status report may be rendered (``referanse/overforbruk_godkjent.csv``)."""

    aar: int
    godkjent_av: str
    dato: dt.date
    begrunnelse: str


@dataclass(frozen=True)
class ReferenceData:
    participants: tuple[Participant, ...]
    grants: tuple[Grant, ...]
    budget: tuple[BudgetLine, ...]
    rates: tuple[Rates, ...]
    overspend_acknowledgements: tuple[OverspendAcknowledgement, ...] = ()

    def plan_for(self, year: int) -> dict[str, Decimal]:
        plan: dict[str, Decimal] = {}
        for line in self.budget:
            if line.aar == year:
                plan[line.kategori] = plan.get(line.kategori, Decimal("0.00")) + line.belop
        return plan

    def plan_by_year(self) -> dict[int, Decimal]:
        totals: dict[int, Decimal] = {}
        for line in self.budget:
            totals[line.aar] = totals.get(line.aar, Decimal("0.00")) + line.belop
        return totals

    def overspend_acknowledged(self, year: int) -> OverspendAcknowledgement | None:
        return next((a for a in self.overspend_acknowledgements if a.aar == year), None)

    def participants_in(self, year: int) -> list[Participant]:
        return sorted((p for p in self.participants if p.takes_part_in(year)), key=lambda p: p.kommunenummer)

    def helsedirektoratet_grant(self) -> Grant:
        grants = [g for g in self.grants if g.kilde == HELSEDIREKTORATET]
        if len(grants) != 1:
            raise ReferenceDataError(
                f"tilskudd.csv must have exactly one helsedirektoratet row, found {len(grants)}"
            )
        return grants[0]

    def rates_for(self, year: int) -> Rates:
        for rates in self.rates:
            if rates.aar == year:
                return rates
        raise ReferenceDataError(f"satser.csv has no rates for {year}")

    def name_of(self, kommunenummer: str) -> str:
        names = [p.navn for p in self.participants if p.kommunenummer == kommunenummer]
        return names[-1] if names else kommunenummer


def _rows(path: Path, columns: list[str]) -> list[tuple[int, dict[str, str | None]]]:
    if not path.is_file():
        raise ReferenceDataError(f"{path} is missing")
    table = read_csv(path.read_bytes())
    if isinstance(table, ReadFailure):
        raise ReferenceDataError(f"{path}: {table.rule}: {table.detail}")
    missing = [c for c in columns if fold(c) not in table.columns]
    if missing:
        raise ReferenceDataError(f"{path}: missing columns {missing}")
    return [(row.row_number, {c: row.get(c) for c in columns}) for row in table.rows]


def _int(path: Path, row: int, value: str | None, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    try:
        return int(str(value).strip())
    except ValueError as exc:
        raise ReferenceDataError(f"{path} row {row}: {value!r} is not a whole number") from exc


def _money(path: Path, row: int, value: str | None) -> Decimal:
    try:
        return parse_decimal(str(value))
    except NotANumber as exc:
        raise ReferenceDataError(f"{path} row {row}: {value!r} is not an amount") from exc


def load_reference_data(landing_dir: Path) -> ReferenceData:
    from alis_nord.validation import parse_date  # one date parser for all input

    ref = landing_dir / "referanse"
    path = ref / "deltakerkommuner.csv"
    participants = tuple(
        Participant(
            str(v["kommunenummer"]).strip(),
            str(v["navn"]).strip(),
            _int(path, n, v["fra_aar"]),
            _int(path, n, v["til_aar"], optional=True),
        )
        for n, v in _rows(path, ["kommunenummer", "navn", "fra_aar", "til_aar"])
    )
    path = ref / "tilskudd.csv"
    grants = tuple(
        Grant(
            str(v["kilde"]).strip().lower(),
            _int(path, n, v["fra_aar"]),
            _int(path, n, v["til_aar"]),
            _money(path, n, v["belop"]),
            parse_date(v["vedtaksdato"]) if v["vedtaksdato"] else None,
            str(v["referanse"] or ""),
        )
        for n, v in _rows(path, ["kilde", "fra_aar", "til_aar", "belop", "vedtaksdato", "referanse"])
    )
    path = ref / "budsjett.csv"
    budget = tuple(
        BudgetLine(_int(path, n, v["aar"]), str(v["kategori"]).strip().lower(), _money(path, n, v["belop"]))
        for n, v in _rows(path, ["aar", "kategori", "belop"])
    )
    path = ref / "satser.csv"
    rates = tuple(
        Rates(
            _int(path, n, v["aar"]),
            _money(path, n, v["tilskudd_per_alis"]),
            _money(path, n, v["egenandel_per_alis"]),
        )
        for n, v in _rows(path, ["aar", "tilskudd_per_alis", "egenandel_per_alis"])
    )
    path = ref / "overforbruk_godkjent.csv"  # optional: only once an overspend is acknowledged
    acknowledgements = ()
    if path.exists():
        acknowledgements = tuple(
            OverspendAcknowledgement(
                _int(path, n, v["aar"]),
                str(v["godkjent_av"] or "").strip(),
                parse_date(v["dato"]),
                str(v["begrunnelse"] or ""),
            )
            for n, v in _rows(path, ["aar", "godkjent_av", "dato", "begrunnelse"])
        )
    return ReferenceData(participants, grants, budget, rates, acknowledgements)
