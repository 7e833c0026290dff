"""What the delivery page shows, gathered from where each part lives.

- the reference data (``referanse/``): read once per process, again when a file of it changes
  (``ReferenceCache``);
- the year's folder of the landing area: every file of the municipality, as it is now;
- the warehouse, read only: the status per table, the files and findings as the pipeline's last
  run of the year stored them (``WarehouseRows``). A file in the folder that the run has not seen
  yet is «mottatt, ikke behandlet ennå», and its tables «mottatt <tid>, behandles»;
- the delivery log: the answers to the files just sent (``kvittering``) and every earlier delivery.

Plain functions of what they are given, no web here: ``portal.app`` renders ``DeliveryPage`` with
``report_templates/portal/side.html.j2``.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from alis_nord import schema
from alis_nord.contract import all_rules
from alis_nord.deliveries import MAY_BE_EMPTY, MISSING, Office, deadline_of, office
from alis_nord.delivery_log import OUTCOMES_NB
from alis_nord.feedback import project_name
from alis_nord.landing import (
    REFERENCE_DIR,
    TABLES,
    file_status_nb,
    parse_file_name,
    received_at,
    rejected_files,
)
from alis_nord.norsk import tidspunkt
from alis_nord.reference import ReferenceData
from alis_nord.reference_parsing import load_reference_data
from alis_nord.vocabulary import SEVERITY_LABELS, SEVERITY_RANK, TABLE_TITLES

log = logging.getLogger(__name__)

NOT_PROCESSED_NB = "mottatt, ikke behandlet ennå"
UNAVAILABLE_NB = "ikke tilgjengelig akkurat nå"


class ReferenceCache:
    """The reference data of a landing area, parsed once and again only when a file of
    ``referanse/`` is added, removed or changed (by size or modification time)."""

    def __init__(self, landing_dir: Path):
        self.landing_dir = landing_dir
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._data: ReferenceData | None = None

    def _key_now(self) -> tuple:
        folder = self.landing_dir / REFERENCE_DIR
        if not folder.is_dir():
            return ()
        return tuple(
            (entry.name, entry.stat().st_size, entry.stat().st_mtime_ns)
            for entry in sorted(folder.iterdir())
            if entry.is_file()
        )

    def get(self) -> ReferenceData:
        """The reference data now; ``ReferenceDataError`` when ``referanse/`` is broken."""
        key = self._key_now()
        with self._lock:
            if self._data is None or key != self._key:
                self._data = load_reference_data(self.landing_dir)
                self._key = key
            return self._data


# ---------------------------------------------------------------- the warehouse, read only


@dataclass(frozen=True)
class WarehouseRows:
    """The rows of one municipality's year the page shows, as the last run stored them."""

    status: list[dict[str, Any]] = field(default_factory=list)  # delivery_status
    files: list[dict[str, Any]] = field(default_factory=list)  # input_files
    deliveries: list[dict[str, Any]] = field(default_factory=list)  # table_deliveries
    findings: list[dict[str, Any]] = field(default_factory=list)
    available: bool = True  # False: the warehouse could not be read


def warehouse_rows(url: str, year: int, numbers: tuple[str, ...]) -> WarehouseRows:
    """The year's rows of the municipality's ``numbers`` (its number, and others it sent files
    under). No warehouse yet (a SQLite file not there): no rows, and nothing is created."""
    from alis_nord.warehouse import Warehouse

    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        return WarehouseRows()
    try:
        engine = Warehouse(url).engine
        with engine.connect() as conn:

            def rows(table: sa.Table) -> list[dict[str, Any]]:
                query = sa.select(table).where(
                    table.c.report_year == year, table.c.kommunenummer.in_(numbers)
                )
                return [dict(r) for r in conn.execute(query).mappings()]

            return WarehouseRows(
                rows(schema.delivery_status),
                rows(schema.input_files),
                rows(schema.table_deliveries),
                rows(schema.findings),
            )
    except Exception:  # an outdated or unreachable warehouse: the page still takes files
        log.exception("the warehouse at %s could not be read", url.split("@")[-1])
        return WarehouseRows(available=False)


# ---------------------------------------------------------------- the page


@dataclass(frozen=True)
class TableLine:
    table: str
    title: str
    status: str  # the pipeline's, or «mottatt <tid>, behandles»
    file: str | None  # the file used, without the year
    version: int | None
    received_at: dt.datetime | None
    pending_since: dt.datetime | None  # the newest file of the table the pipeline has not seen


@dataclass(frozen=True)
class FileLine:
    name: str
    version: int | None
    received_at: dt.datetime
    status: str


@dataclass(frozen=True)
class DeliveryPage:
    project: str
    kontor: Office
    kommunenummer: str
    navn: str
    year: int
    deadline: dt.date
    tables: list[TableLine]
    files: list[FileLine]
    findings: list[dict[str, Any]]
    deliveries: list[dict[str, Any]]  # the delivery log, newest first
    receipts: list[dict[str, Any]]  # the log entries asked for (kvittering), in the order asked
    may_be_empty: tuple[str, ...]
    warehouse_available: bool = True

    @property
    def pending(self) -> bool:
        return any(t.pending_since for t in self.tables)


def _name(path: str | None) -> str | None:
    return path.rpartition("/")[2] if path else path


def _folder_files(year_dir: Path, numbers: tuple[str, ...]) -> list[tuple[str, Path]]:
    """The municipality's files in the year's folder: every file whose name starts with one of its
    numbers (a badly named one too: its finding says why it was not read)."""
    if not year_dir.is_dir():
        return []
    return sorted((p.name, p) for p in year_dir.iterdir() if p.is_file() and p.name[:4] in numbers)


def delivery_page(
    kommunenummer: str,
    year: int,
    reference: ReferenceData,
    landing_dir: Path,
    stored: WarehouseRows,
    deliveries: list[dict[str, Any]],
    receipts: list[dict[str, Any]],
) -> DeliveryPage:
    """The page of ``kommunenummer``'s ``year``: what the warehouse says, what the folder holds
    that the warehouse has not seen yet, and the delivery log's entries."""
    numbers = (kommunenummer, *reference.other_numbers(kommunenummer, year))
    seen = {f["path"]: f for f in stored.files}
    rejected = rejected_files(stored.deliveries, stored.findings)
    files, pending = [], {}
    for name, path in _folder_files(landing_dir / str(year), numbers):
        when = received_at(path)
        row = seen.get(f"{year}/{name}")
        processed = (
            row is not None and row["size_bytes"] == path.stat().st_size and row["received_at"] == when
        )
        parsed = parse_file_name(name)
        files.append(
            FileLine(
                name,
                parsed.version if parsed else None,
                when,
                file_status_nb(row, rejected) if processed else NOT_PROCESSED_NB,
            )
        )
        if not processed and parsed and parsed.kommunenummer == kommunenummer:
            for table in parsed.tables:
                pending[table] = max(when, pending.get(table, when))
    statuses = {s["table_name"]: s for s in stored.status if s["kommunenummer"] == kommunenummer}
    tables = []
    for table in TABLES:
        row = statuses.get(table, {})
        status = row.get("status") or (MISSING if stored.available else UNAVAILABLE_NB)
        if table in pending:
            status = f"mottatt {tidspunkt(pending[table])}, behandles"
        tables.append(
            TableLine(
                table,
                TABLE_TITLES[table],
                status,
                _name(row.get("file")),
                row.get("version"),
                row.get("received_at"),
                pending.get(table),
            )
        )
    rules = all_rules()
    findings = [
        {
            **f,
            "file_name": _name(f["file"]),
            "severity_nb": SEVERITY_LABELS[f["severity"]],
            "fix": rules[f["rule"]].beskrivelse if f["rule"] in rules else "",
        }
        for f in sorted(
            stored.findings,
            key=lambda f: (
                f["file"],
                f["row_number"] or 0,
                SEVERITY_RANK[f["severity"]],
                f["column_name"],
                f["rule"],
            ),
        )
    ]
    return DeliveryPage(
        project=project_name(reference),
        kontor=office(reference),
        kommunenummer=kommunenummer,
        navn=reference.name_of(kommunenummer),
        year=year,
        deadline=deadline_of(reference, year),
        tables=tables,
        files=sorted(files, key=lambda f: (f.received_at, f.name), reverse=True),
        findings=findings,
        deliveries=[_log_line(d) for d in reversed(deliveries)],
        receipts=[_log_line(r) for r in receipts],
        may_be_empty=MAY_BE_EMPTY,
        warehouse_available=stored.available,
    )


def _log_line(entry: dict[str, Any]) -> dict[str, Any]:
    """A delivery log entry as the page shows it (never its client address or link id)."""
    answer = entry.get("answer") or {}
    return {
        "id": entry["id"],
        "received_at": entry["received_at"],
        "sent_name": entry["sent_name"],
        "stored_name": _name(entry.get("stored_name")),
        "outcome": entry["outcome"],
        "outcome_nb": OUTCOMES_NB.get(entry["outcome"], entry["outcome"]),
        "tables": [t for t in (entry.get("table_name") or "").split(",") if t],
        "findings": answer.get("findings", []),
        "results": answer.get("tables", []),
    }


def receipt_ids(value: str | None, most: int = 20) -> list[int]:
    """The log ids of ``?kvittering=12,13`` (at most ``most``, each once); anything else ignored."""
    ids: list[int] = []
    for part in (value or "").split(",")[:most]:
        part = part.strip()
        if part.isdigit() and len(part) < 12 and int(part) not in ids:
            ids.append(int(part))
    return ids
