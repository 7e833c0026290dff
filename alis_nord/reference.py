"""Reference data kept by the project office in ``<landing>/referanse/``.

These files are the project office's own configuration, not a municipality's submission:
a broken reference file stops the run with a message naming the file and row, because no
figure can be computed without it.

The ``reference_data`` asset reads the folder once per report year (``read_reference_files``),
hashes and parses exactly those bytes (``parse_reference_data``) and stores the result
(``to_document``); every other asset reads the stored copy (``from_document``), so the
figures of a year are computed from the reference files its appendix lists by SHA-256.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from alis_nord.landing import REFERENCE_DIR, sha256_of
from alis_nord.money import ZERO, NotANumber, parse_decimal
from alis_nord.readers import ReadFailure, fold, read_csv
from alis_nord.values import parse_date  # one date parser for all input
from alis_nord.vocabulary import HELSEDIREKTORATET, STATSFORVALTER

OVERSPEND_FILE = "overforbruk_godkjent.csv"  # optional: only once an overspend is acknowledged


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


@dataclass(frozen=True)
class ReferenceFile:
    path: str  # relative to the landing area: referanse/tilskudd.csv
    sha256: str
    size_bytes: int


def read_reference_files(landing_dir: Path) -> dict[str, bytes]:
    """Every file of ``referanse/`` by its path relative to the landing area, read once."""
    folder = landing_dir / REFERENCE_DIR
    if not folder.is_dir():
        return {}
    return {
        f"{REFERENCE_DIR}/{path.name}": path.read_bytes()
        for path in sorted(folder.iterdir())
        if path.is_file()
    }


def reference_files(files: Mapping[str, bytes]) -> list[ReferenceFile]:
    """The files as the appendix lists them: path, SHA-256 and size."""
    return [ReferenceFile(path, sha256_of(data), len(data)) for path, data in sorted(files.items())]


def _rows(
    files: Mapping[str, bytes], name: str, columns: list[str], optional: tuple[str, ...] = ()
) -> list[tuple[int, dict[str, str | None]]]:
    """The rows of a reference CSV by column; an ``optional`` column the file lacks reads as None."""
    path = f"{REFERENCE_DIR}/{name}"
    if path not in files:
        raise ReferenceDataError(f"{path} is missing")
    table = read_csv(files[path])
    if isinstance(table, ReadFailure):
        raise ReferenceDataError(f"{path}: {table.rule}: {table.detail}")
    missing = [c for c in columns if fold(c) not in table.columns]
    if missing:
        raise ReferenceDataError(f"{path}: missing columns {missing}")
    present = columns + [c for c in optional if fold(c) in table.columns]
    return [
        (row.row_number, {c: row.get(c) if c in present else None for c in columns + list(optional)})
        for row in table.rows
    ]


def _int(name: str, row: int, value: str | None, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    try:
        return int(str(value).strip())
    except ValueError as exc:
        raise ReferenceDataError(
            f"{REFERENCE_DIR}/{name} row {row}: {value!r} is not a whole number"
        ) from exc


def _money(name: str, row: int, value: str | None) -> Decimal:
    try:
        return parse_decimal(str(value))
    except NotANumber as exc:
        raise ReferenceDataError(f"{REFERENCE_DIR}/{name} row {row}: {value!r} is not an amount") from exc


def _date(name: str, row: int, value: str | None) -> dt.date:
    try:
        return parse_date(value)
    except ValueError as exc:
        raise ReferenceDataError(f"{REFERENCE_DIR}/{name} row {row}: {value!r} is not a date") from exc


PARTICIPANTS_FILE = "deltakerkommuner.csv"
CONTACTS_COLUMN = "epost"  # optional: one or more addresses, separated by commas


def _participants(files: Mapping[str, bytes]) -> tuple[tuple[Participant, ...], tuple[ContactFinding, ...]]:
    """The participants, with the addresses of the optional ``epost`` column; an address that is
    not one (a typo, a line break, a header smuggled in) is left out and becomes a finding."""
    from alis_nord.mail import addresses_in, header_safe, name_problem

    name = PARTICIPANTS_FILE
    participants, findings = [], []
    for n, v in _rows(files, name, ["kommunenummer", "navn", "fra_aar", "til_aar"], (CONTACTS_COLUMN,)):
        kommunenummer = str(v["kommunenummer"]).strip()
        addresses, refused = addresses_in(str(v.get(CONTACTS_COLUMN) or ""))
        findings += [
            ContactFinding(f"{REFERENCE_DIR}/{name}", n, kommunenummer, value, problem)
            for value, problem in refused
        ]
        navn = str(v["navn"]).strip()
        if problem := name_problem(navn):  # it would reach a Subject: used with spaces instead
            findings.append(
                ContactFinding(
                    f"{REFERENCE_DIR}/{name}",
                    n,
                    kommunenummer,
                    navn,
                    f"navnet {problem}; brukt som «{header_safe(navn)}» til det er rettet",
                )
            )
            navn = header_safe(navn)
        participants.append(
            Participant(
                kommunenummer,
                navn,
                _int(name, n, v["fra_aar"]),
                _int(name, n, v["til_aar"], optional=True),
                addresses,
            )
        )
    return tuple(participants), tuple(findings)


def _grants(files: Mapping[str, bytes]) -> tuple[Grant, ...]:
    name = "tilskudd.csv"
    return tuple(
        Grant(
            str(v["kilde"]).strip().lower(),
            _int(name, n, v["fra_aar"]),
            _int(name, n, v["til_aar"]),
            _money(name, n, v["belop"]),
            _date(name, n, v["vedtaksdato"]) if v["vedtaksdato"] else None,
            str(v["referanse"] or ""),
        )
        for n, v in _rows(files, name, ["kilde", "fra_aar", "til_aar", "belop", "vedtaksdato", "referanse"])
    )


def _budget(files: Mapping[str, bytes]) -> tuple[BudgetLine, ...]:
    name = "budsjett.csv"
    return tuple(
        BudgetLine(_int(name, n, v["aar"]), str(v["kategori"]).strip().lower(), _money(name, n, v["belop"]))
        for n, v in _rows(files, name, ["aar", "kategori", "belop"])
    )


def _rates(files: Mapping[str, bytes]) -> tuple[Rates, ...]:
    name = "satser.csv"
    return tuple(
        Rates(
            _int(name, n, v["aar"]),
            _money(name, n, v["tilskudd_per_alis"]),
            _money(name, n, v["egenandel_per_alis"]),
        )
        for n, v in _rows(files, name, ["aar", "tilskudd_per_alis", "egenandel_per_alis"])
    )


def _overspend_acknowledgements(files: Mapping[str, bytes]) -> tuple[OverspendAcknowledgement, ...]:
    if f"{REFERENCE_DIR}/{OVERSPEND_FILE}" not in files:
        return ()
    return tuple(
        OverspendAcknowledgement(
            _int(OVERSPEND_FILE, n, v["aar"]),
            str(v["godkjent_av"] or "").strip(),
            _date(OVERSPEND_FILE, n, v["dato"]),
            str(v["begrunnelse"] or ""),
        )
        for n, v in _rows(files, OVERSPEND_FILE, ["aar", "godkjent_av", "dato", "begrunnelse"])
    )


PAYMENTS_FILE = "utbetalinger.csv"  # optional, like the two below
TARGETS_FILE = "maal.csv"
PROFILE_FILE = "prosjekt.yaml"
PAYMENT_SOURCES = (HELSEDIREKTORATET, STATSFORVALTER)
DIRECTIONS = ("minst", "høyst")


def _payments(files: Mapping[str, bytes]) -> tuple[Payment, ...] | None:
    if f"{REFERENCE_DIR}/{PAYMENTS_FILE}" not in files:
        return None
    payments = []
    for n, v in _rows(files, PAYMENTS_FILE, ["kilde", "dato", "belop", "referanse"]):
        kilde = fold(str(v["kilde"] or ""))
        if kilde not in PAYMENT_SOURCES:
            raise ReferenceDataError(
                f"{REFERENCE_DIR}/{PAYMENTS_FILE} row {n}: kilde {v['kilde']!r} is not one of {', '.join(PAYMENT_SOURCES)}"
            )
        payments.append(
            Payment(
                kilde,
                _date(PAYMENTS_FILE, n, v["dato"]),
                _money(PAYMENTS_FILE, n, v["belop"]),
                str(v["referanse"] or ""),
            )
        )
    return tuple(payments)


def _targets(files: Mapping[str, bytes]) -> tuple[Target, ...] | None:
    from alis_nord.targets import INDICATORS

    if f"{REFERENCE_DIR}/{TARGETS_FILE}" not in files:
        return None
    targets, seen = [], set()
    columns = ["maal", "indikator", "maalverdi", "retning", "enhet", "beskrivelse"]
    for n, v in _rows(files, TARGETS_FILE, columns):
        where = f"{REFERENCE_DIR}/{TARGETS_FILE} row {n}"
        indikator = str(v["indikator"] or "").strip()
        if indikator not in INDICATORS:
            raise ReferenceDataError(
                f"{where}: indikator {indikator!r} is not one of {', '.join(INDICATORS)}"
            )
        maal = _int(TARGETS_FILE, n, v["maal"])
        if maal != INDICATORS[indikator].maal:
            raise ReferenceDataError(
                f"{where}: {indikator} belongs to objective {INDICATORS[indikator].maal}, not {maal}"
            )
        retning = next((d for d in DIRECTIONS if fold(d) == fold(str(v["retning"] or ""))), None)
        if retning is None:
            raise ReferenceDataError(f"{where}: retning {v['retning']!r} is not minst or høyst")
        if indikator in seen:
            raise ReferenceDataError(f"{where}: a second target for {indikator}")
        seen.add(indikator)
        value = _money(TARGETS_FILE, n, v["maalverdi"])
        targets.append(
            Target(
                maal,
                indikator,
                value,
                retning,
                str(v["enhet"] or "").strip(),
                str(v["beskrivelse"] or "").strip(),
            )
        )
    return tuple(targets)


def _profile(files: Mapping[str, bytes]) -> ProjectProfile | None:
    import yaml

    path = f"{REFERENCE_DIR}/{PROFILE_FILE}"
    if path not in files:
        return None
    try:
        raw = yaml.safe_load(files[path].decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f" line {line + 1}" if line is not None else ""
        raise ReferenceDataError(f"{path}{where}: not readable as UTF-8 YAML ({type(exc).__name__})") from exc
    if not isinstance(raw, dict):
        raise ReferenceDataError(f"{path}: expected keys such as prosjektnavn: …, found {type(raw).__name__}")
    fields = [f.name for f in dataclasses.fields(ProjectProfile)]
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise ReferenceDataError(f"{path}: unknown keys {unknown}; the keys are {fields}")
    optional = {
        "revisor",
        "frist",
        "purringer",
        "kontakt_navn",
        "kontakt_tittel",
        "kontakt_epost",
        "kontakt_telefon",
    }
    missing = [name for name in fields if name not in optional and not str(raw.get(name) or "").strip()]
    if missing:
        raise ReferenceDataError(f"{path}: missing {missing}")
    profile = ProjectProfile(**{name: str(raw.get(name) or "").strip() for name in fields})
    try:
        profile.deadline(2000)  # a leap year: 29.02 is a day
        profile.reminder_offsets()
    except ValueError as exc:
        raise ReferenceDataError(
            f"{path}: frist {profile.frist!r} is not a day and month (15.03), or purringer "
            f"{profile.purringer!r} is not days before it (14, 3, -1)"
        ) from exc
    from alis_nord.mail import address_problem, name_problem

    if profile.kontakt_epost and (problem := address_problem(profile.kontakt_epost)):
        raise ReferenceDataError(f"{path}: kontakt_epost {profile.kontakt_epost!r} {problem}")
    for name in ("prosjektnavn", "prosjekteier", "kontakt_navn", "kontakt_tittel", "kontakt_telefon"):
        if problem := name_problem(getattr(profile, name)):  # each may go into a header or a signature
            raise ReferenceDataError(f"{path}: {name} {problem}")
    if not (profile.organisasjonsnummer.isdigit() and len(profile.organisasjonsnummer) == 9):
        raise ReferenceDataError(
            f"{path}: organisasjonsnummer {profile.organisasjonsnummer!r} is not 9 digits"
        )
    return profile


def parse_reference_data(files: Mapping[str, bytes]) -> ReferenceData:
    """The reference files, validated: raises ``ReferenceDataError`` naming the file and row."""
    participants, contact_findings = _participants(files)
    return ReferenceData(
        participants,
        _grants(files),
        _budget(files),
        _rates(files),
        _overspend_acknowledgements(files),
        _payments(files),
        _targets(files),
        _profile(files),
        contact_findings,
    )


def load_reference_data(landing_dir: Path) -> ReferenceData:
    """Read and parse ``<landing>/referanse/`` (for tools and tests; assets read the stored copy)."""
    return parse_reference_data(read_reference_files(landing_dir))


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
