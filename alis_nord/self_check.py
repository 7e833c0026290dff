"""Check a municipality's files before they are sent: the same findings the pipeline would give.

    python -m alis_nord.self_check 1804_alis.csv 1804_kostnader.csv --aar 2023
    make check-file FILE=1804.xlsx YEAR=2023

The files are copied into a throw-away landing area beside the reference files (the project's
``ALIS_LANDING_DIR/referanse``, else the bundled sample's), validated by
``alis_nord.validation.validate_year`` exactly as a run would, and every finding is printed in
bokmål with file, row and column, then what would be accepted and kept out. Nothing is stored and
nothing is sent. The exit status is 1 when a table would be rejected or a row kept out.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
from pathlib import Path

from alis_nord.landing import REFERENCE_DIR, take_inventory
from alis_nord.reference import load_reference_data
from alis_nord.validation import validate_year
from alis_nord.vocabulary import SEVERITY_LABELS, TABLE_TITLES

BUNDLED_LANDING = Path(__file__).resolve().parent.parent / "sample_landing"


def check_files(files: list[Path], year: int, reference_dir: Path) -> tuple[list[str], bool]:
    """The report on ``files`` as lines of text, and whether they would pass without an error."""
    with tempfile.TemporaryDirectory(prefix="alis-kontroll-") as folder:
        landing = Path(folder)
        shutil.copytree(reference_dir, landing / REFERENCE_DIR)
        (landing / str(year)).mkdir()
        for file in files:
            shutil.copyfile(file, landing / str(year) / file.name)
        inventory = take_inventory(landing, year)
        validation = validate_year(landing, inventory, load_reference_data(landing))
    lines = [
        f"Kontroll av {len(files)} fil(er) for {year}, med de samme reglene som rapporteringen bruker.",
        "",
    ]
    for finding in validation.findings:
        where = ", ".join(
            part
            for part in (
                finding.file.rsplit("/", 1)[-1],
                f"rad {finding.row}" if finding.row else "",
                f"kolonne {finding.column}" if finding.column else "",
            )
            if part
        )
        lines.append(f"{SEVERITY_LABELS[finding.severity]}: {where}: {finding.message}")
    if not validation.findings:
        lines.append("Ingen funn.")
    lines.append("")
    for result in validation.tables:
        title = TABLE_TITLES.get(result.table, result.table)
        if result.rejected:
            lines.append(f"{title} ({result.file.rsplit('/', 1)[-1]}): avvist, ingen rader blir brukt.")
        else:
            lines.append(
                f"{title} ({result.file.rsplit('/', 1)[-1]}): {len(result.accepted)} rader godkjent, "
                f"{len(result.quarantined)} holdt utenfor."
            )
    passed = not any(f.severity in ("fatal", "error") for f in validation.findings)
    lines += ["", "Klar til innsending." if passed else "Rett feilene over før dere sender filene."]
    return lines, passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path, help="the files as they will be sent")
    parser.add_argument(
        "--aar", type=int, default=dt.date.today().year - 1, help="the report year (default: last year)"
    )
    args = parser.parse_args(argv)
    landing = Path(os.environ.get("ALIS_LANDING_DIR") or BUNDLED_LANDING)
    missing = [str(f) for f in args.files if not f.is_file()]
    if missing:
        print(f"Finner ikke: {', '.join(missing)}", file=sys.stderr)
        return 2
    lines, passed = check_files(args.files, args.aar, landing / REFERENCE_DIR)
    print("\n".join(lines))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
