"""A seeded generator of realistic landing areas.

``python -m alis_nord.sample_data --out sample_landing`` writes the bundled sample: 25 real
Northern Norway municipalities (with their kommunenummer before and after the 2020 and
2024 reforms), report years 2019–2023, plausible ALIS rosters, vouchers and GP coverage,
in every file form the submission format allows, and a handful of deliberate errors. The
planted errors are listed in ``planted_findings.json`` beside the data, so tests can check
that validation finds exactly those. The same seed always gives byte-identical files.

Larger landing areas for benchmarks: ``--municipalities 357 --years 10 --alis 30 --vouchers 200``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import random
import shutil
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from alis_nord.contract import table_contracts
from alis_nord.xlsx import deterministic_zip

FIRST_YEAR = 2019

# name, [(kommunenummer, fra_aar, til_aar)], joined ALIS-Nord, ALIS slots, GP positions
MUNICIPALITIES: list[tuple[str, list[tuple[str, int, int | None]], int, int, int]] = [
    ("Bodø", [("1804", 2019, None)], 2019, 2, 52),
    ("Narvik", [("1806", 2019, None)], 2019, 1, 22),
    ("Brønnøy", [("1813", 2019, None)], 2019, 1, 7),
    ("Vefsn", [("1824", 2019, None)], 2019, 1, 14),
    ("Rana", [("1833", 2019, None)], 2019, 1, 28),
    ("Meløy", [("1837", 2019, None)], 2019, 1, 7),
    ("Fauske", [("1841", 2019, None)], 2019, 1, 10),
    ("Steigen", [("1848", 2019, None)], 2020, 1, 3),
    ("Hamarøy", [("1849", 2019, 2019), ("1875", 2020, None)], 2019, 1, 4),
    ("Vestvågøy", [("1860", 2019, None)], 2019, 1, 12),
    ("Vågan", [("1865", 2019, None)], 2019, 1, 10),
    ("Hadsel", [("1866", 2019, None)], 2019, 1, 8),
    ("Sortland", [("1870", 2019, None)], 2019, 1, 10),
    ("Tromsø", [("1902", 2019, 2019), ("5401", 2020, 2023), ("5501", 2024, None)], 2019, 2, 70),
    ("Harstad", [("1903", 2019, 2019), ("5402", 2020, 2023), ("5503", 2024, None)], 2019, 1, 24),
    ("Målselv", [("1924", 2019, 2019), ("5418", 2020, 2023), ("5524", 2024, None)], 2019, 1, 7),
    ("Senja", [("1931", 2019, 2019), ("5421", 2020, 2023), ("5530", 2024, None)], 2019, 1, 15),
    ("Balsfjord", [("1933", 2019, 2019), ("5422", 2020, 2023), ("5532", 2024, None)], 2019, 1, 6),
    (
        "Kåfjord – Gáivuotna – Kaivuono",
        [("1940", 2019, 2019), ("5426", 2020, 2023), ("5540", 2024, None)],
        2021,
        1,
        3,
    ),
    ("Nordreisa", [("1942", 2019, 2019), ("5428", 2020, 2023), ("5544", 2024, None)], 2019, 1, 5),
    ("Alta", [("2012", 2019, 2019), ("5403", 2020, 2023), ("5601", 2024, None)], 2019, 1, 20),
    ("Hammerfest", [("2004", 2019, 2019), ("5406", 2020, 2023), ("5603", 2024, None)], 2019, 1, 12),
    ("Sør-Varanger", [("2030", 2019, 2019), ("5444", 2020, 2023), ("5605", 2024, None)], 2019, 1, 10),
    (
        "Guovdageaidnu – Kautokeino",
        [("2011", 2019, 2019), ("5430", 2020, 2023), ("5612", 2024, None)],
        2020,
        1,
        3,
    ),
    ("Deatnu – Tana", [("2025", 2019, 2019), ("5441", 2020, 2023), ("5628", 2024, None)], 2019, 1, 3),
]

# How each municipality writes its files (all forms the format allows).
FORMS = ("csv_nb", "csv_iso_bom", "csv_cp1252", "xlsx")
COLUMNS = {name: [c.name for c in contract.columns] for name, contract in table_contracts().items()}
RATE_GRANT = Decimal(250_000)
RATE_OWN_SHARE = Decimal(50_000)


@dataclass
class Alis:
    alis_id: str
    tilsettingsform: str
    start: dt.date
    end: dt.date | None
    leaves: bool  # ends as "sluttet" rather than "spesialist"


@dataclass
class Municipality:
    name: str
    numbers: list[tuple[str, int, int | None]]
    joined: int
    slots: int
    gp_positions: int
    form: str
    roster: list[Alis] = field(default_factory=list)

    def number_in(self, year: int) -> str:
        for number, first, last in self.numbers:
            if first <= year and (last is None or year <= last):
                return number
        raise ValueError(year)


def _random_date(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days)))


def _build_rosters(municipalities: list[Municipality], rng: random.Random, last_year: int) -> None:
    counter = 1000
    for municipality in municipalities:
        for slot in range(municipality.slots):
            # ALIS-Nord ramped up: many municipalities filled their first ALIS position a year or more in
            first_hire_year = municipality.joined + (1 if slot else 0) + rng.choice((0, 0, 1, 1, 2, 3))
            start = _random_date(rng, dt.date(first_hire_year, 2, 1), dt.date(first_hire_year, 10, 1))
            while start.year <= last_year:
                counter += 1
                leaves = rng.random() < 0.18
                length_days = rng.randint(400, 1000) if leaves else rng.randint(1500, 1900)
                end = start + dt.timedelta(days=length_days)
                form = "næringsdrift" if rng.random() < 0.3 else "fastlønn"
                municipality.roster.append(Alis(f"A{counter}", form, start, end, leaves))
                start = end + dt.timedelta(days=rng.randint(45, 150))


def _alis_rows(m: Municipality, year: int, rng: random.Random) -> list[dict]:
    rows = []
    jan1, dec31 = dt.date(year, 1, 1), dt.date(year, 12, 31)
    for alis in m.roster:
        if alis.start > dec31 or (alis.end is not None and alis.end < jan1):
            continue
        ends_this_year = alis.end is not None and alis.end <= dec31
        status = ("sluttet" if alis.leaves else "spesialist") if ends_this_year else "aktiv"
        if status == "aktiv" and rng.random() < 0.06:
            status = "permisjon"
        first, last = max(alis.start, jan1), min(alis.end or dec31, dec31)
        months = Decimal((last - first).days + 1) / Decimal("30.4")
        whole_year = alis.start <= jan1 and not ends_this_year
        individual = (months * Decimal(rng.uniform(4.0, 5.5))).quantize(Decimal("0.5"))
        if whole_year:
            individual = max(individual, Decimal(48))
        service_year = year - alis.start.year
        hospital = "ikke_startet" if service_year < 2 else ("pågår" if service_year == 2 else "fullført")
        if rng.random() < 0.05:
            hospital = "fritatt"
        progress = min(100, (service_year + 1) * rng.randint(15, 24))
        if status == "spesialist":
            progress = 100
        rows.append(
            {
                "alis_id": alis.alis_id,
                "tilsettingsform": alis.tilsettingsform,
                "startdato": alis.start,
                "sluttdato": alis.end if ends_this_year else None,
                "status": status,
                "individuell_veiledning_timer": min(individual, Decimal(98)),
                "gruppeveiledning_timer": (months * Decimal(rng.uniform(2.0, 3.0))).quantize(Decimal("0.5")),
                "kurs_timer": Decimal(rng.randint(2, 12) * 8),
                "sykehustjeneste": hospital,
                "laeringsmaal_godkjent_prosent": Decimal(progress),
            }
        )
    return rows


_DESCRIPTIONS = {
    "veiledning": [
        "Honorar individuell veileder",
        "Veiledning ALIS, {q}. kvartal",
        "Gruppeveiledning – honorar",
    ],
    "kurs": [
        "Kursavgift grunnkurs allmennmedisin",
        "Kurs i akuttmedisin",
        "Emnekurs – Nordland legeforening",
    ],
    "reise": ["Reise til kurs i Tromsø", "Fly og hotell, samling i Bodø", "Reise til gruppeveiledning"],
    "vikar": ["Vikar under kursfravær", "Legevikar, 2 uker"],
    "sykehustjeneste": ["Sykehusår – kompensasjon", "Tjeneste ved UNN – reise og opphold"],
    "prosjektledelse": ["Prosjektleder ALIS-Nord, lønn {q}. kvartal", "Prosjektadministrasjon"],
    "samlinger": ["Regional ALIS-samling", "Samling for veiledere og helseledere"],
    "annet": ["Nettside og digitalt møteverktøy", "Revisjon av prosjektregnskap"],
}


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return (Decimal(rng.randint(low * 100, high * 100)) / 100).quantize(Decimal("0.01"))


def _voucher_rows(
    m: Municipality, year: int, alis_rows: list[dict], rng: random.Random, per_alis: int
) -> list[dict]:
    rows: list[dict] = []

    def add(kategori: str, kilde: str, amount: Decimal, alis: dict | None = None) -> None:
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        if alis is not None:  # a doctor's voucher falls within the doctor's employment
            first, last = max(first, alis["startdato"]), min(last, alis["sluttdato"] or last)
        date = _random_date(rng, first, last)
        text = rng.choice(_DESCRIPTIONS[kategori]).format(q=(date.month - 1) // 3 + 1)
        alis_id = alis["alis_id"] if alis is not None else None
        rows.append(
            {
                "bilagsnummer": f"{year}-{len(rows) + 1:04d}",
                "bilagsdato": date,
                "kategori": kategori,
                "finansieringskilde": kilde,
                "belop": amount,
                "alis_id": alis_id,
                "beskrivelse": text,
            }
        )

    for alis in alis_rows:
        for _ in range(per_alis):
            kategori = rng.choice(["veiledning", "veiledning", "kurs", "reise", "vikar"])
            if kategori == "veiledning":
                add(kategori, "statsforvalter", _money(rng, 8_000, 30_000), alis)
            elif kategori == "kurs":
                add(kategori, "helsedirektoratet", _money(rng, 3_000, 9_000), alis)
            elif kategori == "reise":
                add(kategori, rng.choice(["egenandel", "statsforvalter"]), _money(rng, 1_500, 12_000), alis)
            else:
                add(kategori, "egenandel", _money(rng, 10_000, 40_000), alis)
        if alis["sykehustjeneste"] == "pågår":
            add("sykehustjeneste", "helsedirektoratet", _money(rng, 15_000, 35_000), alis)
    if m.number_in(year) == "1804":  # the project office in Bodø
        for quarter in range(4):
            add("prosjektledelse", "egenandel", _money(rng, 160_000, 190_000))
            rows[-1]["bilagsdato"] = dt.date(year, quarter * 3 + 3, 25)
            rows[-1]["beskrivelse"] = f"Prosjektleder ALIS-Nord, lønn {quarter + 1}. kvartal"
        add("samlinger", "helsedirektoratet", _money(rng, 90_000, 160_000))
        add("annet", "helsedirektoratet", _money(rng, 10_000, 30_000))
    return rows


def _coverage_row(m: Municipality, year: int, rng: random.Random) -> dict:
    vacant = min(m.gp_positions, max(0, rng.randint(-1, 3) + (1 if year < 2021 else 0)))
    return {
        "fastlegehjemler": m.gp_positions + (1 if year >= 2022 and m.gp_positions > 20 else 0),
        "ledige_hjemler": vacant,
        "innbyggere_uten_fastlege": vacant * rng.randint(600, 1100),
        "nye_fastleger": rng.randint(0, max(1, m.gp_positions // 8)),
        "fastleger_sluttet": rng.randint(0, max(1, m.gp_positions // 10)),
    }


# ---------------------------------------------------------------- writing files


def _cell_text(value, form: str) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat() if form == "csv_iso_bom" else value.strftime("%d.%m.%Y")
    if isinstance(value, Decimal):
        text = f"{value:f}"
        if form == "csv_iso_bom":
            return text
        whole, _, fraction = text.partition(".")
        sign = "-" if whole.startswith("-") else ""
        digits = whole.lstrip("-")
        groups = []
        while len(digits) > 3:
            groups.insert(0, digits[-3:])
            digits = digits[:-3]
        groups.insert(0, digits)
        separator = "\u00a0" if form == "csv_nb" else " "
        return sign + separator.join(groups) + ("," + fraction if fraction else "")
    return str(value)


def _code_spelling(value: str, rng: random.Random, form: str) -> str:
    """Some clerks write codes without æ/ø/å or with stray capitals and spaces."""
    if form == "csv_cp1252" and rng.random() < 0.5:
        return value.replace("ø", "o").replace("æ", "ae").replace("å", "a").title()
    return value


def _csv_bytes(table: str, rows: list[dict], form: str, rng: random.Random) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter="," if form == "csv_iso_bom" else ";", lineterminator="\r\n")
    header = COLUMNS[table]
    writer.writerow([f" {name.capitalize()} " if form == "csv_cp1252" else name for name in header])
    for row in rows:
        cells = []
        for name in header:
            value = row.get(name)
            if (
                name in ("tilsettingsform", "status", "sykehustjeneste", "kategori", "finansieringskilde")
                and value
            ):
                value = _code_spelling(value, rng, form)
            cells.append(_cell_text(value, form))
        writer.writerow(cells)
    text = out.getvalue()
    if form == "csv_cp1252":
        return text.encode("cp1252")
    return ("\ufeff" if form == "csv_iso_bom" else "").encode() + text.encode("utf-8")


def _xlsx_bytes(tables: dict[str, list[dict]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for table, rows in tables.items():
        sheet = workbook.create_sheet(table)
        sheet.append(COLUMNS[table])
        for row in rows:
            values = []
            for name in COLUMNS[table]:
                value = row.get(name)
                if isinstance(value, Decimal):
                    value = int(value) if value == value.to_integral_value() else float(value)
                values.append(value)
            sheet.append(values)
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "DD.MM.YYYY"
    fixed = dt.datetime(2020, 1, 1)
    workbook.properties.created = workbook.properties.modified = fixed
    buffer = io.BytesIO()
    workbook.save(buffer)
    return deterministic_zip(buffer.getvalue())


# ---------------------------------------------------------------- planted errors


@dataclass
class Planted:
    year: int
    kommunenummer: str
    file: str
    table: str
    row: int | None
    column: str
    rule: str

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def _filler_row(table: str, year: int, number: str, index: int) -> dict:
    if table == "kostnader":
        return {
            "kommunenummer": number,
            "rapportaar": year,
            "bilagsnummer": f"{year}-9{index:03d}",
            "bilagsdato": dt.date(year, 6, 15),
            "kategori": "reise",
            "finansieringskilde": "egenandel",
            "belop": Decimal("2450.00"),
            "alis_id": None,
            "beskrivelse": "Reise til regional samling",
        }
    if table == "alis":
        return {
            "kommunenummer": number,
            "rapportaar": year,
            "alis_id": f"A9{int(number) % 100:02d}{index}",
            "tilsettingsform": "fastlønn",
            "startdato": dt.date(year, 8, 1),
            "sluttdato": None,
            "status": "aktiv",
            "individuell_veiledning_timer": Decimal(20),
            "gruppeveiledning_timer": Decimal(10),
            "kurs_timer": Decimal(24),
            "sykehustjeneste": "ikke_startet",
            "laeringsmaal_godkjent_prosent": Decimal(10),
        }
    raise ValueError(table)


def _plant(year: int, number: str, tables: dict[str, list[dict]], planted: list[Planted], file_of) -> None:
    """Deliberate errors of the bundled sample, one kind per place, as a clerk would make them."""

    def ensure(table: str, index: int) -> dict:
        rows = tables.setdefault(table, [])
        while len(rows) <= index:  # the roster left no such row: add a plausible one to plant in
            rows.append(_filler_row(table, year, number, len(rows)))
        return rows[index]

    def mark(table: str, index: int, column: str, rule: str, **changes) -> None:
        ensure(table, index).update(changes)
        planted.append(Planted(year, number, file_of(table), table, index + 2, column, rule))

    if (year, number) == (2019, "1833"):
        mark("kostnader", 1, "kategori", "invalid_code", kategori="kaffe")
    if (year, number) == (2020, "5401"):
        mark("kostnader", 0, "bilagsdato", "bilagsdato_outside_year", bilagsdato=dt.date(2019, 12, 15))
    if (year, number) == (2021, "5418"):
        end = ensure("alis", 0)["startdato"] - dt.timedelta(days=30)
        mark("alis", 0, "sluttdato", "sluttdato_before_startdato", sluttdato=end)
        if end < dt.date(year, 1, 1):
            planted.append(
                Planted(year, number, file_of("alis"), "alis", 2, "sluttdato", "sluttdato_before_year")
            )
    if (year, number) == (2021, "5421"):
        mark("kostnader", 0, "alis_id", "alis_id_unknown", alis_id="A9999")
    if (year, number) == (2022, "1806"):
        duplicate = ensure("kostnader", 0)["bilagsnummer"]
        mark("kostnader", 1, "bilagsnummer", "duplicate", bilagsnummer=duplicate)
        planted.append(
            Planted(year, number, file_of("kostnader"), "kostnader", 2, "bilagsnummer", "duplicate")
        )
    if (year, number) == (2022, "5406"):
        positions = ensure("fastlegedekning", 0)["fastlegehjemler"]
        mark("fastlegedekning", 0, "ledige_hjemler", "ledige_over_hjemler", ledige_hjemler=positions + 2)
    if (year, number) == (2023, "5422"):
        alis = ensure("alis", 0)
        mark("alis", 0, "sluttdato", "sluttdato_required", status="sluttet", sluttdato=None)
        alis["individuell_veiledning_timer"] = max(alis["individuell_veiledning_timer"], Decimal(42))
    if (year, number) == (2023, "1870"):
        mark(
            "alis",
            0,
            "individuell_veiledning_timer",
            "above_warning_limit",
            individuell_veiledning_timer=Decimal("120"),
        )
    if (year, number) == (2022, "1804"):
        credit = dict(ensure("kostnader", 0))
        credit.update(
            bilagsnummer=f"{year}-K001",
            belop=-(credit["belop"] / 2).quantize(Decimal("0.01")),
            beskrivelse="=KREDITNOTA (feilført beløp)",
        )
        tables["kostnader"].append(credit)


# ---------------------------------------------------------------- the landing area


def _write_municipality_year(
    m, year: int, year_dir: Path, rng: random.Random, per_alis: int, bundled: bool, planted: list[Planted]
) -> None:
    """One municipality's files for one year (and, in the bundled sample, its planted errors)."""
    number = m.number_in(year)
    alis_rows = _alis_rows(m, year, rng)
    tables = {
        "alis": alis_rows,
        "kostnader": _voucher_rows(m, year, alis_rows, rng, per_alis),
        "fastlegedekning": [_coverage_row(m, year, rng)],
    }
    for rows in tables.values():
        for row in rows:
            row.update(kommunenummer=number, rapportaar=year)
    name_number = number
    if bundled:
        if (year, number) == (2022, "5444"):
            return  # Sør-Varanger sends nothing in 2022: listed as missing
        if (year, number) == (2020, "5402"):
            name_number = "1903"  # Harstad uses its pre-2020 number: not_participant
            for table in tables:
                planted.append(
                    Planted(year, "1903", f"{year}/1903_{table}.csv", table, None, "", "not_participant")
                )
    form = m.form
    file_of = (
        (lambda t, n=name_number, y=year: f"{y}/{n}.xlsx")
        if form == "xlsx"
        else (lambda t, n=name_number, y=year: f"{y}/{n}_{t}.csv")
    )
    if bundled:
        _plant(year, number, tables, planted, file_of)
        if len(alis_rows) > 2 and name_number == number:  # turnover: 3 ALIS in one year
            planted.append(Planted(year, number, file_of("alis"), "alis", None, "alis_id", "too_many_alis"))
    if form == "xlsx":
        if bundled and (year, number) == (2023, "5430"):
            (year_dir / f"{number}.xlsx").write_bytes(b"PK\x03\x04 this workbook was cut off in the e-mail")
            for table in tables:
                planted.append(Planted(year, number, file_of(table), table, None, "", "unreadable"))
            return
        (year_dir / f"{name_number}.xlsx").write_bytes(_xlsx_bytes(tables))
    else:
        for table, rows in tables.items():
            (year_dir / f"{name_number}_{table}.csv").write_bytes(_csv_bytes(table, rows, form, rng))


def generate(
    out: Path,
    seed: int = 2019,
    years: int = 5,
    municipalities: int = 25,
    alis_per_municipality: int | None = None,
    vouchers_per_municipality: int | None = None,
) -> dict:
    """Write a landing area to ``out`` and return a description of it."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "referanse").mkdir(parents=True)
    last_year = FIRST_YEAR + years - 1
    bundled = municipalities == 25 and alis_per_municipality is None and vouchers_per_municipality is None
    places = _municipalities(municipalities, alis_per_municipality, rng)
    _build_rosters(places, rng, last_year)
    per_alis = 3
    if vouchers_per_municipality and alis_per_municipality:
        per_alis = max(1, vouchers_per_municipality // alis_per_municipality)

    planted: list[Planted] = []
    for year in range(FIRST_YEAR, last_year + 1):
        year_dir = out / str(year)
        year_dir.mkdir()
        for m in places:
            if year < m.joined:
                continue
            _write_municipality_year(m, year, year_dir, rng, per_alis, bundled, planted)
        if bundled:
            _plant_files(year, year_dir, planted)
        _write_narrative(year_dir, year)

    _write_reference(out / "referanse", places, years)
    description = {
        "seed": seed,
        "years": list(range(FIRST_YEAR, last_year + 1)),
        "municipalities": len(places),
    }
    if bundled:
        (out / "planted_findings.json").write_text(
            json.dumps([p.as_dict() for p in planted], indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    return description


def _plant_files(year: int, year_dir: Path, planted: list[Planted]) -> None:
    if year == 2021:
        # Vågan first sent a voucher file with a wrong year, then a corrected _v2: v1 is superseded.
        v1 = year_dir / "1865_kostnader.csv"
        corrected = v1.read_bytes()
        v1.rename(year_dir / "1865_kostnader_v2.csv")
        (year_dir / "1865_kostnader.csv").write_bytes(corrected.replace(b";2021;", b";2020;"))
        # Alta names its voucher file in its own way: reported, not read.
        alta = year_dir / "5403_kostnader.csv"
        alta.rename(year_dir / "Alta kostnader 2021.csv")
        planted.append(Planted(year, "", f"{year}/Alta kostnader 2021.csv", "", None, "", "file_name"))


def _municipalities(count: int, alis_per_municipality: int | None, rng: random.Random) -> list[Municipality]:
    places = []
    for index in range(count):
        if index < len(MUNICIPALITIES):
            name, numbers, joined, slots, positions = MUNICIPALITIES[index]
        else:  # synthetic municipalities for benchmark sizes
            name, numbers, joined, slots, positions = (
                f"Testkommune {index + 1}",
                [(f"{3000 + index:04d}", FIRST_YEAR, None)],
                FIRST_YEAR,
                1,
                8,
            )
            numbers = [(str(3000 + index), FIRST_YEAR, None)] if 3000 + index <= 9999 else numbers
        if alis_per_municipality:
            slots = alis_per_municipality
        form = FORMS[index % len(FORMS)]
        places.append(Municipality(name, numbers, joined, slots, positions, form))
    return places


def _contacts(name: str, index: int) -> str:
    """The sample's contact addresses, under the reserved domain .example (RFC 2606), so a sample
    e-mail can never reach a real municipality: none for every twelfth, two for every fifth."""
    if index % 12 == 11:
        return ""
    slug = name.lower().translate(
        str.maketrans({"æ": "ae", "ø": "o", "å": "a", " ": "-", "–": "-", "á": "a"})
    )
    slug = "".join(c for c in slug if c.isascii() and (c.isalnum() or c == "-")).strip("-")
    addresses = [f"postmottak@{slug}.kommune.example"]
    if index % 5 == 0:
        addresses.append(f"alis@{slug}.kommune.example")
    return ", ".join(addresses)


def _write_reference(ref: Path, places: list[Municipality], years: int) -> None:
    last_year = FIRST_YEAR + years - 1
    lines = ["kommunenummer;navn;fra_aar;til_aar;epost"]
    for index, m in enumerate(places):
        for number, first, last in m.numbers:
            first = max(first, m.joined)
            if last is not None and last < first:
                continue
            lines.append(
                f"{number};{m.name};{first};{'' if last is None else last};{_contacts(m.name, index)}"
            )
    (ref / "deltakerkommuner.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    lines = [
        "kilde;fra_aar;til_aar;belop;vedtaksdato;referanse",
        f"helsedirektoratet;{FIRST_YEAR};2023;23400000,00;25.06.2020;Kap. 762, post 63 – tilskudd til ALIS-Nord 2019–2023",
    ]
    sf_grants = [1_200_000, 1_450_000, 1_500_000, 1_500_000, 1_350_000]
    for offset in range(years):
        year = FIRST_YEAR + offset
        amount = sf_grants[offset] if offset < len(sf_grants) else 1_400_000
        lines.append(
            f"statsforvalter;{year};{year};{amount},00;{15 + offset % 10:02d}.02.{year};Statsforvalteren i Nordland og Troms og Finnmark, tilskudd {year}"
        )
    (ref / "tilskudd.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    other = {"kurs": 120_000, "samlinger": 200_000, "sykehustjeneste": 200_000, "annet": 100_000}
    plan = {  # the project plan's budget for Helsedirektoratet's grant: sums to 23 400 000
        year: {"alis_tilskudd": alis, **other}
        for year, alis in {
            2019: 1_500_000,
            2020: 3_200_000,
            2021: 4_600_000,
            2022: 5_400_000,
            2023: 5_600_000,
        }.items()
    }
    assert sum(sum(p.values()) for p in plan.values()) == 23_400_000
    lines = ["aar;kategori;belop"]
    for year in range(FIRST_YEAR, last_year + 1):
        for category, amount in plan.get(year, {}).items():
            lines.append(f"{year};{category};{amount},00")
    (ref / "budsjett.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    lines = ["aar;tilskudd_per_alis;egenandel_per_alis"]
    for year in range(FIRST_YEAR, max(last_year, 2025) + 1):
        lines.append(f"{year};{RATE_GRANT};{RATE_OWN_SHARE}")
    (ref / "satser.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _write_payments(ref, sf_grants, years)
    (ref / "maal.csv").write_text(TARGETS, encoding="utf-8")
    (ref / "prosjekt.yaml").write_text(PROJECT_PROFILE, encoding="utf-8")


# Helsedirektoratet decided the grant on 25 June 2020 and paid in yearly tranches from then on;
# the last tranche is lower than what remains of the 23 400 000, as use stayed below the plan.
HELSEDIREKTORATET_TRANCHES = [
    ("01.07.2020", "5 000 000,00", "1. utbetaling, 2019–2020"),
    ("15.02.2021", "5 000 000,00", "2. utbetaling, 2021"),
    ("15.02.2022", "5 800 000,00", "3. utbetaling, 2022"),
    ("15.02.2023", "6 600 000,00", "4. utbetaling, 2023"),
]
TARGETS = """maal;indikator;maalverdi;retning;enhet;beskrivelse
1;alis_i_utdanning;20;minst;antall;Minst 20 ALIS i utdanning ved utgangen av året, som i prosjektplanen
1;andel_i_stilling_etter_ett_aar;80;minst;prosent;Minst 80 % av dem som begynte året før, er fortsatt i stilling
2;andel_naeringsdrift;25;minst;prosent;Modellene skal brukes også i næringsdrift: minst en firedel av ALIS
3;andel_med_veiledningskrav_oppfylt;90;minst;prosent;Minst 90 % av ALIS ansatt hele året får minst 42 timer individuell veiledning
4;kommuner_med_alis;20;minst;antall;Minst 20 deltakerkommuner har ALIS
5;andel_kommuner_som_leverte;100;minst;prosent;Alle deltakerkommuner leverer tallene sine hvert år
"""
PROJECT_PROFILE = """# Prosjektprofil: hvem prosjektet er. Rapporten, bunntekstene, tilbakemeldingene til kommunene
# og arbeidsbøkene henter prosjektets navn og eier herfra.
prosjektnavn: ALIS-Nord
prosjekteier: Bodø kommune
organisasjonsnummer: "972418013"
signatar_navn: Ingrid Hansen
signatar_tittel: Kommunalsjef for helse og omsorg
sted: Bodø
helsedirektoratet_saksnummer: "20/23571"
revisor: Salten kommunerevisjon IKS
# Kontaktperson i prosjektkontoret: signatur og svaradresse i e-postene til kommunene.
kontakt_navn: Kari Nordmann
kontakt_tittel: prosjektleder
kontakt_epost: alis-nord@bodo.kommune.example
kontakt_telefon: 75 55 50 00
"""


def _write_payments(ref: Path, sf_grants: list[int], years: int) -> None:
    lines = ["kilde;dato;belop;referanse"]
    lines += [f"helsedirektoratet;{d};{amount};{text}" for d, amount, text in HELSEDIREKTORATET_TRANCHES]
    for offset in range(years):
        year = FIRST_YEAR + offset
        amount = sf_grants[offset] if offset < len(sf_grants) else 1_400_000
        lines.append(f"statsforvalter;01.03.{year};{amount},00;Statsforvalterens tilskudd {year}")
    (ref / "utbetalinger.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


_NARRATIVE = {
    2019: "ALIS-Nord startet i 2019. De første ALIS-stillingene ble lyst ut i Bodø, Narvik og Rana, "
    "og 20 kommuner har sluttet seg til prosjektet.",
    2020: "Koronapandemien preget året: kurs og samlinger ble flyttet til digitale flater, og "
    "kommunehelsetjenesten fikk økt arbeidsbelastning. Helsedirektoratet innvilget 25. juni 2020 "
    "tilskudd på inntil 23 400 000 kroner for 2019–2023 over kap. 762, post 63.",
    2021: "Flere kommuner i Troms og Finnmark tok i bruk ALIS-avtaler med næringsdrift. "
    "Gruppeveiledningen ble gjenopptatt som fysiske møter fra høsten.",
    2022: "De første ALIS i prosjektet ble godkjent som spesialister i allmennmedisin.",
    2023: "I 2023, det siste året med tilskudd fra Helsedirektoratet, gjorde prosjektkontoret ferdig "
    "modellene for spesialistutdanning og overleverte dem til kommunene, som viderefører dem på egen hånd.",
}


def _write_narrative(year_dir: Path, year: int) -> None:
    tekst = year_dir / "tekst"
    tekst.mkdir()
    body = _NARRATIVE.get(year, "Prosjektet fortsatte som planlagt.")
    (tekst / "01-aaret-som-gikk.md").write_text(f"## Året som gikk\n\n{body}\n", encoding="utf-8")
    for name, text in _PLACED_TEXTS.get(year, {}).items():
        (tekst / name).write_text(text, encoding="utf-8")
    if year == FIRST_YEAR + 4:  # the grant period's last year: the Sluttrapport's chapter 4
        (tekst / "prosjektforlop.md").write_text(_PROJECT_COURSE, encoding="utf-8")


# The project's course over the whole grant period, as the office would write it for the
# Sluttrapport (chapter 4), after the project's own public accounts of its first years.
_PROJECT_COURSE = """## Oppstart i 2019

ALIS-Nord ble satt i gang i 2019 med Bodø kommune som prosjekteier. Bakgrunnen var at det over flere år
hadde blitt vanskeligere å rekruttere og beholde fastleger i Nord-Norge, først i de små kommunene og
fra 2017 også i de større. Interessen var stor fra starten: kommuner fra Sør-Helgeland til Øst-Finnmark
søkte om å være med, og de første ALIS-stillingene ble lyst ut i Bodø, Narvik og Rana. Stillingene er
lagt til rette for at nyutdannede leger kan ta spesialistutdanningen i allmennmedisin mens de arbeider
som fastleger, med individuell veiledning, gruppeveiledning og planlagt tjeneste i sykehus.

## Pandemien og tilsagnet fra Helsedirektoratet (2020–2021)

Koronapandemien preget prosjektet fra mars 2020. Kurs og samlinger for ALIS, veiledere og helseledere
ble flyttet til digitale møter, og kommunehelsetjenesten fikk mer å gjøre med smittevern og vaksinering.
Det ga mindre rom for å utvikle spesialistutdanningen lokalt, og digital gruppeveiledning var ikke
fullgod erstatning for fysiske møter. Samtidig lærte ALIS, veiledere og ledere raskt å samarbeide
digitalt, og prosjektet sparte mange kostbare reiser. Derfor ble kostnadene til kurs og samlinger lavere
enn budsjettert i hele perioden (se kapittel 6).

Helsedirektoratet innvilget 25. juni 2020 tilskudd på inntil 23 400 000 kroner for 2019–2023 over
kap. 762, post 63. Det ga prosjektet forutsigbar finansiering for hele perioden. Statsforvalterne i
Nord-Norge har i tillegg gitt tilskudd hvert år, og kommunene har betalt en egenandel per ALIS som har
finansiert prosjektledelsen. Kommunereformen i 2020 ga flere kommuner nye kommunenummer, og prosjektet
har fulgt hver deltaker under alle numrene den har hatt.

## Utdanningsmodeller for fastlønn og næringsdrift (2021–2022)

Fra 2021 tok flere kommuner i Troms og Finnmark i bruk ALIS-avtaler med næringsdrift, slik at modellene
nå brukes både av kommuner med fastlønte leger og av kommuner der fastlegene driver egen praksis.
Gruppeveiledningen ble igjen holdt som fysiske møter fra høsten 2021. I 2022 ble de første ALIS i
prosjektet godkjent som spesialister i allmennmedisin, og flere av dem har fortsatt som fastleger i
kommunen der de tok utdanningen.

## Avslutning og videreføring (2023)

2023 var det siste året med tilskudd fra Helsedirektoratet. Kommunene har gjort avtalene om
veiledning, sykehustjeneste og permisjon til en fast del av hvordan de ansetter nye fastleger, og de
viderefører ALIS-ordningen på egen hånd. Erfaringene er samlet i tallene som er rapportert hvert år
(kapittel 3), og i en felles mal for avtaler som andre kommuner kan bruke. Prosjektkontoret søker om å
få overføre ubrukte midler til videreføringen av veiledergruppene i 2024.
"""


# The office's explanation of the budget deviations, and its own view of the objectives it must
# explain, in the final year (the other years show what the report says when a text is missing).
_PLACED_TEXTS = {
    2023: {
        # one heading per budget line it explains (issue 31); «Annet» is left unexplained, as the
        # office left it, so the sample shows what the report says of a line without its text
        "avvik.md": (
            "Kurs, samlinger og sykehustjeneste kostet mindre enn budsjettert gjennom hele perioden. "
            "Ubrukte midler søkes overført til videreføringen av veiledergruppene i 2024.\n"
            "\n## Kurs\n\nUnder pandemien ble kursene holdt digitalt, uten reise og kurslokaler.\n"
            "\n## Samlinger\n\nUnder pandemien ble samlingene holdt digitalt.\n"
            "\n## Sykehustjeneste\n\nFlere kommuner dekket sykehustjenesten med egne midler.\n"
        ),
        "maal_1.md": (
            "Rekrutteringen har vært bedre enn ventet i de minste kommunene. Prosjektkontoret vurderer "
            "målet om stabilitet som delvis nådd: de fleste som har startet, er fortsatt i stilling.\n"
        ),
        "maal_5.md": (
            "Én kommune fikk ikke levert godkjente tall for 2023 før fristen, fordi den byttet "
            "økonomisystem. Prosjektkontoret har avtalt en ny levering med kommunen.\n"
        ),
    }
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--municipalities", type=int, default=25)
    parser.add_argument("--alis", type=int, default=None, help="ALIS per municipality (benchmarks)")
    parser.add_argument(
        "--vouchers", type=int, default=None, help="vouchers per municipality-year (benchmarks)"
    )
    args = parser.parse_args(argv)
    description = generate(args.out, args.seed, args.years, args.municipalities, args.alis, args.vouchers)
    print(json.dumps(description))


if __name__ == "__main__":
    main()
