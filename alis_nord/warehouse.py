"""The warehouse: one slice per report year of the tables in ``alis_nord.schema``.

SQLite by default, PostgreSQL in production; the same code runs on both. Every writer replaces
a year's slice in one transaction, holding the year's lock: delete the year, insert the new
rows, commit — so a re-run never duplicates, two runs of one year never interleave, a crash
leaves the old slice, and other years are untouched. The schema comes from
the migrations in ``alis_nord/migrations/`` (``make migrate``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from alis_nord.migrations import ADVISORY_LOCK_PROJECT, prepare
from alis_nord.schema import (
    JsonText,
    alis,
    fastlegedekning,
    kostnader,
    metadata,
    quarantined_rows,
    reference_data,
    table_deliveries,
)
from alis_nord.stored import Reads, StoredRows, figure_row

# How long a SQLite writer waits for another's write lock: a large year's slice takes seconds.
SQLITE_LOCK_TIMEOUT_SECONDS = 600


@cache
def engine_for(url: str) -> sa.Engine:
    """The engine for a warehouse URL, its schema checked once per process (see
    ``alis_nord.migrations.prepare``: an empty database is created, an outdated one stops)."""
    connect_args = {}
    if url.startswith("sqlite"):
        connect_args = {"timeout": SQLITE_LOCK_TIMEOUT_SECONDS}
        if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args=connect_args)
    prepare(engine)
    return engine


def lock_year(conn: sa.Connection, year: int) -> None:
    """Serialise writers of one report year until the transaction ends.

    PostgreSQL: a transaction-scoped advisory lock per year, so two runs of one year replace its
    slice one after the other (under READ COMMITTED each one's delete would otherwise miss the
    other's inserts, and the year's rows would double). Other years are not held up. SQLite: the
    database's write lock, taken by the first delete and held to the commit, does the same for
    every year at once."""
    if conn.dialect.name == "postgresql":
        conn.execute(
            sa.text("SELECT pg_advisory_xact_lock(:project, :year)"),
            {"project": ADVISORY_LOCK_PROJECT, "year": year},  # migrating holds (project, 0)
        )


class Warehouse:
    def __init__(self, url: str):
        self.url = url
        self.engine = engine_for(url)

    def replace_year(self, year: int, rows_by_table: Mapping[sa.Table, Iterable[Any]]) -> dict[str, int]:
        """Replace the year's slice of each table in one transaction; returns rows written. A row
        is a mapping of column to value, or a stored figure (``alis_nord.stored.figure_row``)."""
        written = {}
        with self.engine.begin() as conn:
            lock_year(conn, year)
            for table, rows in rows_by_table.items():
                conn.execute(table.delete().where(table.c.report_year == year))
                batch = [{**_as_row(row, table), "report_year": year} for row in rows]
                if batch:
                    conn.execute(table.insert(), batch)
                written[table.name] = len(batch)
        return written

    def rows(
        self, table: sa.Table, year: int | None = None, order_by: Iterable[str] = ()
    ) -> list[dict[str, Any]]:
        query = sa.select(table)
        if year is not None:
            query = query.where(table.c.report_year == year)
        query = query.order_by(*(table.c[name] for name in order_by)) if order_by else query
        with self.engine.connect() as conn:
            result = conn.execute(query)
            names = list(result.keys())
            return [dict(zip(names, row, strict=True)) for row in result]

    def every_year(self, table: sa.Table) -> list[dict[str, Any]]:
        """Every year's rows of a table, oldest year first, in a fixed order."""
        return self.rows(table, order_by=_sort_columns(table))

    def stored_rows(self, year: int, reads: Reads) -> StoredRows:
        """What a computing module reads (``alis_nord.stored``), by table name: the year's slice of
        some tables and every year of others, each in a fixed order (all columns), so what is
        computed from them never depends on the order a database returns rows in."""
        by_name = metadata.tables
        return StoredRows(
            year,
            {
                name: self.rows(by_name[name], year, order_by=_sort_columns(by_name[name]))
                for name in reads.this_year
            },
            {name: self.every_year(by_name[name]) for name in reads.every_year},
        )

    def reference(self, year: int):
        """The reference data the ``reference_data`` asset stored for a year."""
        from alis_nord.reference import ReferenceDataError, from_document

        rows = self.rows(reference_data, year)
        if not rows:
            raise ReferenceDataError(f"no reference data stored for {year}: materialize reference_data first")
        return from_document(rows[0]["document"])


def _as_row(row: Any, table: sa.Table) -> Mapping[str, Any]:
    return row if isinstance(row, Mapping) else figure_row(row, table.columns.keys())


def _sort_columns(table: sa.Table) -> list[str]:
    """Every column but JSON documents, the report year first."""
    return [c.name for c in table.columns if not isinstance(c.type, JsonText)]


def reconcile_rows(store: Warehouse, year: int) -> tuple[int, int, int]:
    """Rows received (as the deliveries recorded them) against the rows actually stored.

    Counts stored rows independently of the deliveries table, so a lost or doubled row shows.
    """
    with store.engine.connect() as conn:
        received = conn.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(table_deliveries.c.rows_received), 0)).where(
                table_deliveries.c.report_year == year
            )
        )
        accepted = sum(
            conn.scalar(sa.select(sa.func.count()).select_from(t).where(t.c.report_year == year))
            for t in (alis, kostnader, fastlegedekning)
        )
        quarantined = conn.scalar(
            sa.select(sa.func.count())
            .select_from(quarantined_rows)
            .where(quarantined_rows.c.report_year == year)
        )
    return int(received), int(accepted), int(quarantined)
