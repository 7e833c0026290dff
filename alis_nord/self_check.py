"""Check a municipality's files before they are sent: the same findings the pipeline would give.

    python -m alis_nord.self_check 1804_alis.csv 1804_kostnader.csv --aar 2023
    make check-file FILE="1804_alis.csv 1804_kostnader.csv" YEAR=2023

``control`` is the one check, for ``make check-file`` and the delivery page
(``alis_nord.receiving``) alike: a throw-away landing area holds links to the files (never copies)
under the names given, and ``alis_nord.validation.validate_year`` runs on it exactly as a run would,
so a file over the size limit is rejected from its ``stat`` without being read. It returns the
findings and what became of each table (``Control``); nothing is stored and nothing is sent.

``make check-file`` links each file under its own name, with the reference files of the project's
``ALIS_LANDING_DIR/referanse`` (else the bundled sample's), and prints every finding in bokmål with
file, row and column, then what would be accepted and kept out (``report_lines``). The exit status
is 1 when a table would be rejected or a row kept out, 2 when a file is not found.

``make check-file`` hands ``FILE`` and ``YEAR`` over in the environment (``ALIS_CHECK_FILES``,
``ALIS_CHECK_YEAR``), never through a shell, so a file name can hold anything (spaces, quotes,
``;``, ``$(…)``) and nothing in it is run; ``files_named_by`` decides which files it names.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shlex
import sys
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from alis_nord.landing import REFERENCE_DIR, take_inventory
from alis_nord.reference import ReferenceData
from alis_nord.reference_parsing import load_reference_data
from alis_nord.settings import Settings
from alis_nord.validation import validate_year
from alis_nord.validation_results import Finding, TableResult
from alis_nord.vocabulary import KEEPS_ROW_OUT, SEVERITY_LABELS, TABLE_TITLES

FILES_VARIABLE = Settings.variable("check_files")  # make check-file's FILE, as typed
YEAR_VARIABLE = Settings.variable("check_year")  # make check-file's YEAR, as typed
USAGE_NB = (
    'Oppgi filene som skal kontrolleres: make check-file FILE="1804_alis.csv 1804_kostnader.csv" YEAR=2023'
)


def files_named_by(value: str) -> list[Path]:
    """The files that ``make check-file FILE=…`` names: the whole value when it is the name of a
    file (a name may hold spaces, quotes or anything else), otherwise the value split as a shell
    splits words, so that several files and quoted names work (``a.csv "b c.csv"``); nothing in
    it is ever run. A value a shell could not split either (an unmatched quote) is one name."""
    if not value.strip():
        return []
    if Path(value).is_file():
        return [Path(value)]
    try:
        return [Path(word) for word in shlex.split(value)]
    except ValueError:
        return [Path(value)]


@dataclass(frozen=True)
class Control:
    """What the control found in a year's files: every finding, and what became of each table."""

    year: int
    findings: list[Finding]
    tables: list[TableResult]

    @property
    def passed(self) -> bool:
        """Whether every table would be taken in and no row kept out (warnings allowed)."""
        return not any(f.severity in KEEPS_ROW_OUT for f in self.findings)

    def of_file(self, name: str) -> Control:
        """The findings and tables of the file linked as ``name`` alone."""
        path = f"{self.year}/{name}"
        return Control(
            self.year,
            [f for f in self.findings if f.file == path],
            [t for t in self.tables if t.file == path],
        )


# Great Expectations keeps its current project in a process-wide variable; the delivery page runs
# controls in threads, so one runs at a time in a process (they are CPU-bound: no time is lost).
_ONE_AT_A_TIME = threading.Lock()


def control(files: Sequence[tuple[str, Path]], year: int, reference: ReferenceData) -> Control:
    """Validate ``files`` (each a name and the file it names) as a run of ``year`` would, were
    they the year's folder: the name says the municipality, the table and the version, as in the
    landing area. Each file is read where it is, and only if it may be; of two files given one
    name, the last is checked. A name is a plain file name, never a path."""
    with _ONE_AT_A_TIME, tempfile.TemporaryDirectory(prefix="alis-kontroll-") as folder:
        landing = Path(folder)
        (landing / str(year)).mkdir()
        for name, file in files:  # links, not copies: a file is read where it is, and only if it may be
            if "/" in name or name in ("", ".", ".."):
                raise ValueError(f"not a plain file name: {name!r}")
            link = landing / str(year) / name
            link.unlink(missing_ok=True)  # two files of one name: the last is checked, as a copy was
            link.symlink_to(file.resolve())
        inventory = take_inventory(landing, year)
        validation = validate_year(landing, inventory, reference)
    return Control(year, validation.findings, validation.tables)


def reference_in(reference_dir: Path) -> ReferenceData:
    """The reference data of a ``referanse/`` folder, wherever it is and whatever it is called."""
    with tempfile.TemporaryDirectory(prefix="alis-referanse-") as folder:
        (Path(folder) / REFERENCE_DIR).symlink_to(reference_dir.resolve(), target_is_directory=True)
        return load_reference_data(Path(folder))


def report_lines(result: Control, files_given: int) -> list[str]:
    """``make check-file``'s report on a control of ``files_given`` files, line by line (bokmål)."""
    lines = [
        f"Kontroll av {files_given} fil(er) for {result.year}, med de samme reglene som rapporteringen bruker.",
        "",
    ]
    for finding in result.findings:
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
    if not result.findings:
        lines.append("Ingen funn.")
    lines.append("")
    for table in result.tables:
        title = TABLE_TITLES.get(table.table, table.table)
        if table.rejected:
            lines.append(f"{title} ({table.file.rsplit('/', 1)[-1]}): avvist, ingen rader blir brukt.")
        else:
            lines.append(
                f"{title} ({table.file.rsplit('/', 1)[-1]}): {len(table.accepted)} rader godkjent, "
                f"{len(table.quarantined)} holdt utenfor."
            )
    lines += ["", "Klar til innsending." if result.passed else "Rett feilene over før dere sender filene."]
    return lines


def check_files(files: list[Path], year: int, reference_dir: Path) -> tuple[list[str], bool]:
    """The report on ``files``, each under its own name, as lines of text, and whether they would
    pass without an error."""
    result = control([(file.name, file) for file in files], year, reference_in(reference_dir))
    return report_lines(result, len(files)), result.passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "files", nargs="*", type=Path, help=f"the files as they will be sent (default: ${FILES_VARIABLE})"
    )
    parser.add_argument("--aar", help=f"the report year (default: ${YEAR_VARIABLE}, else last year)")
    args = parser.parse_args(argv)
    settings = Settings()
    files = args.files or files_named_by(settings.check_files)
    year = args.aar or settings.check_year.strip() or str(dt.date.today().year - 1)
    if not files:
        print(USAGE_NB, file=sys.stderr)
        return 2
    if not re.fullmatch(r"\d{4}", year):
        print(f"Året må være et årstall med fire sifre (for eksempel 2023), ikke «{year}».", file=sys.stderr)
        return 2
    landing = settings.landing_dir
    missing = [f"«{f}»" for f in files if not f.is_file()]
    if missing:
        print(f"Finner ikke: {', '.join(missing)}", file=sys.stderr)
        return 2
    lines, passed = check_files(files, int(year), landing / REFERENCE_DIR)
    print("\n".join(lines))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
