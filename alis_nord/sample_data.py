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
import json
import random
import shutil
from pathlib import Path

from alis_nord.sample_errors import Planted, plant, plant_files
from alis_nord.sample_figures import (
    FIRST_YEAR,
    FORMS,
    MUNICIPALITIES,
    Municipality,
    alis_rows,
    build_rosters,
    coverage_row,
    voucher_rows,
)
from alis_nord.sample_files import csv_bytes, xlsx_bytes
from alis_nord.sample_reference import write_reference
from alis_nord.sample_texts import write_narrative


def _write_municipality_year(
    m, year: int, year_dir: Path, rng: random.Random, per_alis: int, bundled: bool, planted: list[Planted]
) -> None:
    """One municipality's files for one year (and, in the bundled sample, its planted errors)."""
    number = m.number_in(year)
    alis_table = alis_rows(m, year, rng)
    tables = {
        "alis": alis_table,
        "kostnader": voucher_rows(m, year, alis_table, rng, per_alis),
        "fastlegedekning": [coverage_row(m, year, rng)],
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
        plant(year, number, tables, planted, file_of)
        if len(alis_table) > 2 and name_number == number:  # turnover: 3 ALIS in one year
            planted.append(Planted(year, number, file_of("alis"), "alis", None, "alis_id", "too_many_alis"))
    if form == "xlsx":
        if bundled and (year, number) == (2023, "5430"):
            (year_dir / f"{number}.xlsx").write_bytes(b"PK\x03\x04 this workbook was cut off in the e-mail")
            for table in tables:
                planted.append(Planted(year, number, file_of(table), table, None, "", "unreadable"))
            return
        (year_dir / f"{name_number}.xlsx").write_bytes(xlsx_bytes(tables))
    else:
        for table, rows in tables.items():
            (year_dir / f"{name_number}_{table}.csv").write_bytes(csv_bytes(table, rows, form, rng))


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
    build_rosters(places, rng, last_year)
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
            plant_files(year, year_dir, planted)
        write_narrative(year_dir, year)

    write_reference(out / "referanse", places, years)
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
