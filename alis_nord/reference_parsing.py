"""Reading and validating the reference files of ``<landing>/referanse/`` into ``ReferenceData``
(``alis_nord.reference``).

A broken reference file stops the run with a message naming the file and row, because no
figure can be computed without it. The ``reference_data`` asset reads the folder once per
report year (``read_reference_files``), hashes (``reference_files``) and parses exactly those
bytes (``parse_reference_data``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from alis_nord.landing import REFERENCE_DIR, sha256_of
from alis_nord.money import NotANumber, parse_decimal
from alis_nord.readers import ReadFailure, fold, read_csv
from alis_nord.reference import (
    PAYMENT_SOURCES,
    BudgetLine,
    ContactFinding,
    Grant,
    OverspendAcknowledgement,
    Participant,
    Payment,
    ProjectProfile,
    Rates,
    ReferenceData,
    ReferenceDataError,
    Target,
)
from alis_nord.values import parse_date  # one date parser for all input

PARTICIPANTS_FILE = "deltakerkommuner.csv"
CONTACTS_COLUMN = "epost"  # optional: one or more addresses (read by alis_nord.mail.addresses_in)
OVERSPEND_FILE = "overforbruk_godkjent.csv"  # optional: only once an overspend is acknowledged
PAYMENTS_FILE = "utbetalinger.csv"  # optional, like the two below
TARGETS_FILE = "maal.csv"
PROFILE_FILE = "prosjekt.yaml"
DIRECTIONS = ("minst", "høyst")


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
