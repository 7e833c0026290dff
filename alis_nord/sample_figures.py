"""The bundled sample's simulated figures (``alis_nord.sample_data``): 25 real Northern Norway
municipalities with their kommunenummer before and after the 2020 and 2024 reforms, their ALIS
rosters, and each year's ALIS rows, vouchers and GP coverage, drawn from one seeded generator.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

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


def random_date(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days)))


def build_rosters(municipalities: list[Municipality], rng: random.Random, last_year: int) -> None:
    counter = 1000
    for municipality in municipalities:
        for slot in range(municipality.slots):
            # ALIS-Nord ramped up: many municipalities filled their first ALIS position a year or more in
            first_hire_year = municipality.joined + (1 if slot else 0) + rng.choice((0, 0, 1, 1, 2, 3))
            start = random_date(rng, dt.date(first_hire_year, 2, 1), dt.date(first_hire_year, 10, 1))
            while start.year <= last_year:
                counter += 1
                leaves = rng.random() < 0.18
                length_days = rng.randint(400, 1000) if leaves else rng.randint(1500, 1900)
                end = start + dt.timedelta(days=length_days)
                form = "næringsdrift" if rng.random() < 0.3 else "fastlønn"
                municipality.roster.append(Alis(f"A{counter}", form, start, end, leaves))
                start = end + dt.timedelta(days=rng.randint(45, 150))


def alis_rows(m: Municipality, year: int, rng: random.Random) -> list[dict]:
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


def voucher_rows(
    m: Municipality, year: int, alis_rows: list[dict], rng: random.Random, per_alis: int
) -> list[dict]:
    rows: list[dict] = []

    def add(kategori: str, kilde: str, amount: Decimal, alis: dict | None = None) -> None:
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        if alis is not None:  # a doctor's voucher falls within the doctor's employment
            first, last = max(first, alis["startdato"]), min(last, alis["sluttdato"] or last)
        date = random_date(rng, first, last)
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


def coverage_row(m: Municipality, year: int, rng: random.Random) -> dict:
    vacant = min(m.gp_positions, max(0, rng.randint(-1, 3) + (1 if year < 2021 else 0)))
    return {
        "fastlegehjemler": m.gp_positions + (1 if year >= 2022 and m.gp_positions > 20 else 0),
        "ledige_hjemler": vacant,
        "innbyggere_uten_fastlege": vacant * rng.randint(600, 1100),
        "nye_fastleger": rng.randint(0, max(1, m.gp_positions // 8)),
        "fastleger_sluttet": rng.randint(0, max(1, m.gp_positions // 10)),
    }
