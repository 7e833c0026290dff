"""The bundled sample's deliberate errors (``alis_nord.sample_data``), one kind per place, as a
clerk would make them, each listed as ``Planted`` for ``planted_findings.json``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path


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


def plant(year: int, number: str, tables: dict[str, list[dict]], planted: list[Planted], file_of) -> None:
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


def plant_files(year: int, year_dir: Path, planted: list[Planted]) -> None:
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
