"""The landing area: which files a year has, what their names say, which version wins.

A file name starts with the sender's 4-digit kommunenummer. CSV files name their table
(``1804_kostnader.csv``); a workbook holds one sheet per table (``1903.xlsx``) or names
the one table it carries (``1903_alis.xlsx``). ``_vN`` marks a resubmission: for each
municipality, year and table the highest version is used and the others are superseded.

Files are hashed in chunks, and a file over the landing area's limit (``MAX_FILE_BYTES``,
20 MB), judged by ``os.stat`` alone, is never read: it stands in the inventory with
``NOT_READ`` for its SHA-256, and validation rejects it unread (rule ``too_large``). Memory
therefore stays bounded whatever lands in the area.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from alis_nord.contract import table_names
from alis_nord.readers import MAX_FILE_BYTES
from alis_nord.vocabulary import FATAL

TABLES = table_names()  # the contract's tables: alis, kostnader, fastlegedekning
REFERENCE_DIR = "referanse"
# where the delivery page writes an upload before linking it into its year's folder: in the landing
# area, so on its file system (a file is linked into place, never copied); never a report year's input
UPLOAD_STAGING_DIR = ".levering"
NARRATIVE_DIR = "tekst"

_FILE_NAME = re.compile(
    r"^(?P<kommunenummer>\d{4})"
    r"(?:_(?P<table>" + "|".join(TABLES) + r"))?"
    r"(?:_v(?P<version>[1-9]\d*))?"
    r"\.(?P<suffix>csv|xlsx)$",
    re.IGNORECASE,
)

# File states recorded in the inventory.
USED = "used"
SUPERSEDED = "superseded"
INVALID_NAME = "invalid_name"
REFERENCE = "reference"
NARRATIVE = "narrative"
STATUS_NB = {  # how a file's status reads in the report and the feedback pages
    USED: "brukt",
    SUPERSEDED: "erstattet av en nyere versjon",
    INVALID_NAME: "ikke lest (ugyldig filnavn)",
    REFERENCE: "referansedata",
    NARRATIVE: "tekst til rapporten",
}


def rejected_files(deliveries, findings) -> dict[str, str]:
    """A file whose tables were rejected is never «brukt»: «avvist», or «delvis avvist» when only
    some of a workbook's tables were. A file that could not be read at all (a fatal finding, no
    table taken from it) is «avvist» too."""
    by_file: dict[str, list[bool]] = {}
    for d in deliveries:
        by_file.setdefault(d["file"], []).append(bool(d["rejected"]))
    for f in findings:
        if f["severity"] == FATAL and f["file"] not in by_file:
            by_file[f["file"]] = [True]
    return {
        path: "avvist (se funnene)" if all(flags) else "delvis avvist (se funnene)"
        for path, flags in by_file.items()
        if any(flags)
    }


def file_status_nb(file, rejected: dict[str, str]) -> str:
    """How a stored file's status reads (``STATUS_NB``), «avvist» where it was rejected."""
    return (file["status"] == USED and rejected.get(file["path"])) or STATUS_NB[file["status"]]


@dataclass(frozen=True)
class FileName:
    kommunenummer: str
    tables: tuple[str, ...]
    version: int
    kind: str  # "csv" or "xlsx"


def resend_name(name: str, kommunenummer: str) -> str:
    """The name to send a file again under another number: ``1903_kostnader_v2.csv`` under 5402 is
    ``5402_kostnader.csv`` (the first version of that number), ``1903.xlsx`` is ``5402.xlsx``."""
    match = _FILE_NAME.match(name)
    if not match:
        return name
    table = f"_{match['table'].lower()}" if match["table"] else ""
    return f"{kommunenummer}{table}.{match['suffix'].lower()}"


def next_version_name(name: str) -> str:
    """The name of a file's next version: ``1804_kostnader.csv`` → ``1804_kostnader_v2.csv``,
    ``1804_v2.xlsx`` → ``1804_v3.xlsx``."""
    match = _FILE_NAME.match(name)
    if not match:
        return name
    table = f"_{match['table'].lower()}" if match["table"] else ""
    version = int(match["version"] or 1) + 1
    return f"{match['kommunenummer']}{table}_v{version}.{match['suffix'].lower()}"


def parse_file_name(name: str) -> FileName | None:
    """What a submission file's name says, or ``None`` when it breaks the pattern."""
    match = _FILE_NAME.match(name)
    if not match:
        return None
    kind = match["suffix"].lower()
    table = (match["table"] or "").lower()
    if kind == "csv" and not table:
        return None  # a CSV file must say which table it holds
    return FileName(
        kommunenummer=match["kommunenummer"],
        tables=(table,) if table else TABLES,
        version=int(match["version"] or 1),
        kind=kind,
    )


# What stands where a file's SHA-256 would be when the file is over MAX_FILE_BYTES and so is not
# read (bokmål: the report's appendix and the feedback pages show it in the SHA-256 column).
NOT_READ = "ikke lest"


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path, size: int) -> str:
    """The SHA-256 of a file whose ``os.stat`` gave ``size``, read in chunks (memory stays at
    one chunk, even when the file grew since); ``NOT_READ`` when ``size`` is over
    ``MAX_FILE_BYTES``: such a file is rejected unread, so it is not read here either."""
    if size > MAX_FILE_BYTES:
        return NOT_READ
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


@dataclass
class LandingFile:
    """One file of the landing area as the inventory records it."""

    path: str  # relative to the landing area, with forward slashes
    sha256: str
    size_bytes: int
    status: str
    kommunenummer: str | None = None
    version: int | None = None
    kind: str | None = None
    tables_used: list[str] = field(default_factory=list)
    received_at: dt.datetime | None = None  # when the file came: its modification time, UTC, whole seconds


@dataclass(frozen=True)
class TableSource:
    """The file that a municipality's table is taken from this year."""

    kommunenummer: str
    table: str
    path: str
    version: int
    kind: str


@dataclass
class YearInventory:
    year: int
    files: list[LandingFile]
    sources: list[TableSource]


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def received_at(path: Path) -> dt.datetime:
    """When a file came into the landing area: its modification time, UTC, to the second."""
    return dt.datetime.fromtimestamp(int(path.stat().st_mtime), dt.UTC)


def take_inventory(landing_dir: Path, year: int) -> YearInventory:
    """Every file of a year's folder, hashed, with the table sources (``referanse/`` is the
    ``reference_data`` asset's).

    Version rule: per (kommunenummer, table) the highest ``_vN`` wins. Between two files of
    the same version a CSV (which names its table) wins over a workbook, then the name that
    sorts last; the choice is therefore the same on every run.
    """
    files: list[LandingFile] = []
    year_dir = landing_dir / str(year)
    candidates: dict[tuple[str, str], list[tuple[tuple[int, int, str], LandingFile]]] = {}
    if year_dir.is_dir():
        for path in sorted(p for p in year_dir.rglob("*") if p.is_file()):
            rel = _relative(path, landing_dir)
            size = path.stat().st_size
            sha256 = file_sha256(path, size)
            if path.parent.name == NARRATIVE_DIR and path.parent.parent == year_dir:
                files.append(LandingFile(rel, sha256, size, NARRATIVE))
                continue
            entry = LandingFile(rel, sha256, size, INVALID_NAME, received_at=received_at(path))
            files.append(entry)
            parsed = parse_file_name(path.name) if path.parent == year_dir else None
            if parsed is None:
                continue
            entry.status = SUPERSEDED
            entry.kommunenummer = parsed.kommunenummer
            entry.version = parsed.version
            entry.kind = parsed.kind
            rank = (parsed.version, 1 if parsed.kind == "csv" else 0, path.name)
            for table in parsed.tables:
                candidates.setdefault((parsed.kommunenummer, table), []).append((rank, entry))

    sources: list[TableSource] = []
    for (kommunenummer, table), ranked in sorted(candidates.items()):
        _, winner = max(ranked, key=lambda item: item[0])
        winner.status = USED
        winner.tables_used.append(table)
        sources.append(TableSource(kommunenummer, table, winner.path, winner.version or 1, winner.kind or ""))
    return YearInventory(year, files, sources)


def inventory_rows(inventory: YearInventory) -> list[dict]:
    """The inventory as rows of the warehouse's ``input_files`` table."""
    return [
        {
            "path": f.path,
            "sha256": f.sha256,
            "size_bytes": f.size_bytes,
            "status": f.status,
            "kommunenummer": f.kommunenummer,
            "version": f.version,
            "tables_used": ",".join(f.tables_used),
            "received_at": f.received_at,
        }
        for f in inventory.files
    ]


def inventory_from_rows(year: int, rows: list[dict]) -> YearInventory:
    """The inventory back from the warehouse, so later stages read exactly the files it chose."""
    files = [
        LandingFile(
            r["path"],
            r["sha256"],
            r["size_bytes"],
            r["status"],
            r["kommunenummer"],
            r["version"],
            kind=r["path"].rsplit(".", 1)[-1].lower() if r["kommunenummer"] else None,
            tables_used=[t for t in r["tables_used"].split(",") if t],
            received_at=r.get("received_at"),
        )
        for r in rows
    ]
    sources = sorted(
        (
            TableSource(f.kommunenummer or "", table, f.path, f.version or 1, f.kind or "")
            for f in files
            if f.status == USED
            for table in f.tables_used
        ),
        key=lambda s: (s.kommunenummer, s.table),
    )
    return YearInventory(year, files, sources)


def year_folders(landing_dir: Path) -> list[int]:
    """The report years that have a folder in the landing area (``2019/``, …), oldest first."""
    if not landing_dir.is_dir():
        return []
    return sorted(int(p.name) for p in landing_dir.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name))


# ---------------------------------------------------------------- watching for changes


@dataclass(frozen=True)
class LandingChanges:
    """What changed in the landing area since the sensor last looked."""

    files: dict[str, list]  # path → [size, mtime_ns, sha256], the sensor's next cursor
    years_changed: set[int]  # years whose own folder has a file added, changed or removed
    reference_changed: bool  # a file of referanse/ was added, changed or removed
    years_present: set[int]  # every year folder that has files


def landing_changes(landing_dir: Path, previous: dict[str, list]) -> LandingChanges:
    """What changed in the landing area since ``previous``, by content, not by timestamp.

    ``previous`` maps each file's path to ``[size, mtime_ns, sha256]`` as this function
    returned it last time. A file whose size and modification time are unchanged keeps its
    hash without being read again, so an unchanged landing area costs one ``stat`` per file.
    A file is hashed in chunks; one over ``MAX_FILE_BYTES`` is not read at all and is known by
    ``NOT_READ`` and its size, so a new size is still a change (its run rejects it as too large).
    """
    current: dict[str, list] = {}
    for path in sorted(p for p in landing_dir.rglob("*") if p.is_file()):
        rel = _relative(path, landing_dir)
        if rel.startswith(UPLOAD_STAGING_DIR + "/"):  # an upload on its way in: seen once in place
            continue
        stat = path.stat()
        known = previous.get(rel)
        if known and known[0] == stat.st_size and known[1] == stat.st_mtime_ns:
            current[rel] = known
        else:
            digest = file_sha256(path, stat.st_size)
            if digest == NOT_READ:
                digest = f"{NOT_READ}: {stat.st_size} byte"
            current[rel] = [stat.st_size, stat.st_mtime_ns, digest]
    changed_paths = {
        rel
        for rel in set(current) | set(previous)
        if (current.get(rel) or [None, None, None])[2] != (previous.get(rel) or [None, None, None])[2]
    }
    return LandingChanges(
        current,
        {int(rel.split("/", 1)[0]) for rel in changed_paths if re.match(r"^\d{4}/", rel)},
        any(rel.startswith(REFERENCE_DIR + "/") for rel in changed_paths),
        {int(rel.split("/", 1)[0]) for rel in current if re.match(r"^\d{4}/", rel)},
    )


def year_of(rel: str) -> int | None:
    """The report year of a landing-area path (``2023/1804_alis.csv`` → 2023), or None."""
    return int(rel[:4]) if re.match(r"^\d{4}/", rel) else None


def unsettled_years(files: dict[str, list], now_ns: int, settle_seconds: int) -> set[int]:
    """The years whose folder changed less than ``settle_seconds`` before ``now_ns``: a file in it
    was modified since (by its ``mtime_ns`` in ``files``, ``landing_changes``'s cursor). The sensor
    leaves such a year for a later tick, so a clerk who sends three files one after another (or 25
    clerks in the same minute) starts one run of the year, not one per file."""
    if settle_seconds <= 0:  # no waiting at all (a clock set back leaves a file "in the future")
        return set()
    cutoff = now_ns - settle_seconds * 1_000_000_000
    return {year for rel, meta in files.items() if (year := year_of(rel)) is not None and meta[1] > cutoff}


def settled_cursor(
    current: dict[str, list], previous: dict[str, list], unsettled: set[int]
) -> dict[str, list]:
    """The sensor's next cursor: what is there now, except in the ``unsettled`` years, whose files
    keep what the sensor saw last time, so it sees their change again once they are quiet."""
    return {
        **{rel: meta for rel, meta in current.items() if year_of(rel) not in unsettled},
        **{rel: meta for rel, meta in previous.items() if year_of(rel) in unsettled},
    }


def year_digest(files: dict[str, list], year: int) -> str:
    """One hash of a year's input (its folder and referanse/), to key a run on exactly that input."""
    parts = [
        f"{rel}:{meta[2]}"
        for rel, meta in sorted(files.items())
        if rel.startswith((f"{year}/", REFERENCE_DIR + "/"))
    ]
    return sha256_of("\n".join(parts).encode())[:16]
