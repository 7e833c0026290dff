"""Reference data kept by the project office in ``<landing>/referanse/``, as every figure reads it.

These files are the project office's own configuration, not a municipality's submission: the
participants (with their earlier and later kommunenummer), the grants, the budget, the rates,
payments, targets and the project's profile. Here are what they hold (``ReferenceData`` and its
parts) and its stored copy. Reading and validating the files is ``alis_nord.reference_parsing``.

The ``reference_data`` asset reads the folder once per report year, hashes and parses exactly
those bytes and stores the result (``to_document``); every other asset reads the stored copy
(``from_document``), so the figures of a year are computed from the reference files its appendix
lists by SHA-256.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from alis_nord.money import ZERO
from alis_nord.vocabulary import HELSEDIREKTORATET, STATSFORVALTER

PAYMENT_SOURCES = (HELSEDIREKTORATET, STATSFORVALTER)  # who pays the project (utbetalinger.csv)


class ReferenceDataError(ValueError):
    pass


@dataclass(frozen=True)
class Participant:
    kommunenummer: str
    navn: str
    fra_aar: int
    til_aar: int | None
    epost: tuple[str, ...] = ()  # who gets the feedback and reminders; empty: nobody by e-mail

    def takes_part_in(self, year: int) -> bool:
        return self.fra_aar <= year and (self.til_aar is None or year <= self.til_aar)


@dataclass(frozen=True)
class Renumbering:
    """A participant's number that is not its number in a report year, and the one that is."""

    number: str  # the number used: 1903
    fra_aar: int
    til_aar: int | None
    kommunenummer: str  # the number in the report year: 5402
    navn: str
    year: int

    @property
    def when(self) -> str:
        """«var Harstads nummer til 2019», «er Harstads nummer fra 2024» (bokmål)."""
        if self.til_aar is not None and self.til_aar < self.year:
            return f"var {self.navn}s nummer til {self.til_aar}"
        if self.fra_aar > self.year:
            return f"er {self.navn}s nummer fra {self.fra_aar}"
        return f"er ikke {self.navn}s nummer i {self.year}"


@dataclass(frozen=True)
class ContactFinding:
    """An address in ``deltakerkommuner.csv``'s ``epost`` column that is not used, or a name that
    cannot go into an e-mail's header as it is, and why."""

    fil: str
    rad: int
    kommunenummer: str
    verdi: str
    melding: str  # bokmål


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
class Payment:
    """Money received (``referanse/utbetalinger.csv``): a tranche from Helsedirektoratet or the
    Statsforvalter, on the date it reached the project's account. A repayment is negative."""

    kilde: str
    dato: dt.date
    belop: Decimal
    referanse: str


@dataclass(frozen=True)
class Target:
    """A target for one indicator of an objective (``referanse/maal.csv``)."""

    maal: int  # the objective, 1–5
    indikator: str  # an id of alis_nord.targets.INDICATORS
    maalverdi: Decimal
    retning: str  # "minst" (at least) or "høyst" (at most)
    enhet: str
    beskrivelse: str


@dataclass(frozen=True)
class ProjectProfile:
    """Who the project is (``referanse/prosjekt.yaml``): every report, page and workbook takes the
    project's identity from here."""

    prosjektnavn: str
    prosjekteier: str
    organisasjonsnummer: str
    signatar_navn: str
    signatar_tittel: str
    sted: str  # where the accounts are confirmed: «Bodø, 31. mars 2024»
    helsedirektoratet_saksnummer: str
    revisor: str = ""  # the auditor, when chosen
    # the municipalities' deadline, day and month of the year after the report year ("15.03"),
    # and the days before it that reminders go ("14, 3, -1": -1 is the day after); empty: defaults
    frist: str = ""
    purringer: str = ""
    # the project office's contact person: the signature and Reply-To of every e-mail to the
    # municipalities (and the From of an .eml the office sends itself); empty: the project alone
    kontakt_navn: str = ""
    kontakt_tittel: str = ""
    kontakt_epost: str = ""
    kontakt_telefon: str = ""

    def deadline(self, year: int) -> dt.date:
        return deadline(year, self.frist)

    def reminder_offsets(self) -> tuple[int, ...]:
        return reminder_offsets(self.purringer)


DEFAULT_DEADLINE, DEFAULT_REMINDERS = "15.03", "14, 3, -1"


def deadline(year: int, frist: str = "") -> dt.date:
    """The deadline for a report year's figures: ``frist`` (day.month) of the year after, by
    default 15 March."""
    day, month = (int(x) for x in (frist or DEFAULT_DEADLINE).split("."))
    return dt.date(year + 1, month, day)


def reminder_offsets(purringer: str = "") -> tuple[int, ...]:
    """The days before the deadline that reminders go; by default 14, 3 and the day after (-1)."""
    return tuple(int(x) for x in (purringer or DEFAULT_REMINDERS).replace(";", ",").split(","))


@dataclass(frozen=True)
class ReferenceData:
    participants: tuple[Participant, ...]
    grants: tuple[Grant, ...]
    budget: tuple[BudgetLine, ...]
    rates: tuple[Rates, ...]
    overspend_acknowledgements: tuple[OverspendAcknowledgement, ...] = ()
    payments: tuple[Payment, ...] | None = None  # None: utbetalinger.csv is not registered
    targets: tuple[Target, ...] | None = None  # None: maal.csv is not registered
    profile: ProjectProfile | None = None  # None: prosjekt.yaml is not registered
    contact_findings: tuple[ContactFinding, ...] = ()  # addresses in epost that are not used

    def targets_for(self, maal: int) -> list[Target]:
        return [t for t in self.targets or () if t.maal == maal]

    def plan_for(self, year: int) -> dict[str, Decimal]:
        plan: dict[str, Decimal] = {}
        for line in self.budget:
            if line.aar == year:
                plan[line.kategori] = plan.get(line.kategori, ZERO) + line.belop
        return plan

    def plan_by_year(self) -> dict[int, Decimal]:
        totals: dict[int, Decimal] = {}
        for line in self.budget:
            totals[line.aar] = totals.get(line.aar, ZERO) + line.belop
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

    def takes_part(self, kommunenummer: str, year: int) -> bool:
        return any(p.kommunenummer == kommunenummer for p in self.participants_in(year))

    def current_number(self, kommunenummer: str, year: int) -> Renumbering | None:
        """For a number of a participant that is not its number in ``year`` (Harstad's 1903 in
        2020): the number it has then; ``None`` for a number that is no participant's, or one that
        is in use that year. A municipality is known by its name across its numbers."""
        if self.takes_part(kommunenummer, year):
            return None
        rows = [p for p in self.participants if p.kommunenummer == kommunenummer]
        names = {p.navn for p in rows}
        now = [p for p in self.participants_in(year) if p.navn in names]
        if not rows or len(now) != 1:
            return None
        return Renumbering(
            kommunenummer, rows[-1].fra_aar, rows[-1].til_aar, now[0].kommunenummer, now[0].navn, year
        )

    def other_numbers(self, kommunenummer: str, year: int) -> tuple[str, ...]:
        """The participant's numbers that are not its number in ``year`` (earlier or later ones)."""
        navn = self.name_of(kommunenummer)
        return tuple(
            sorted(
                {p.kommunenummer for p in self.participants if p.navn == navn and not p.takes_part_in(year)}
                - {kommunenummer}
            )
        )

    def name_of(self, kommunenummer: str) -> str:
        names = [p.navn for p in self.participants if p.kommunenummer == kommunenummer]
        return names[-1] if names else kommunenummer


# ---------------------------------------------------------------- the stored copy

_ITEM_TYPES = {  # the tuples of ReferenceData; None where an optional file is not registered
    "participants": Participant,
    "grants": Grant,
    "budget": BudgetLine,
    "rates": Rates,
    "overspend_acknowledgements": OverspendAcknowledgement,
    "payments": Payment,
    "targets": Target,
    "contact_findings": ContactFinding,
}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _item(item: Any) -> dict[str, Any]:
    return {k: _plain(v) for k, v in dataclasses.asdict(item).items()}


def to_document(reference: ReferenceData) -> dict[str, Any]:
    """The reference data as JSON-ready lists; amounts as exact decimal strings, dates ISO."""
    document: dict[str, Any] = {
        name: None if getattr(reference, name) is None else [_item(item) for item in getattr(reference, name)]
        for name in _ITEM_TYPES
    }
    document["profile"] = None if reference.profile is None else _item(reference.profile)
    return document


def _typed(kind: type, item: dict[str, Any]) -> Any:
    values = {}
    for f in dataclasses.fields(kind):
        value = item.get(f.name)
        if isinstance(value, list):  # a tuple, stored as a JSON list
            value = tuple(value)
        elif value is not None and "Decimal" in str(f.type):
            value = Decimal(value)
        elif value is not None and "dt.date" in str(f.type):
            value = dt.date.fromisoformat(value)
        values[f.name] = value
    return kind(**values)


def from_document(document: Mapping[str, Any]) -> ReferenceData:
    """The inverse of ``to_document``: ``from_document(to_document(r)) == r``."""
    profile = document.get("profile")
    items = {
        name: None if document.get(name) is None else tuple(_typed(kind, item) for item in document[name])
        for name, kind in _ITEM_TYPES.items()
    }
    items["contact_findings"] = items["contact_findings"] or ()  # stored before contacts were read
    return ReferenceData(profile=None if profile is None else _typed(ProjectProfile, profile), **items)
