"""The warehouse: one slice per report year of the tables in ``alis_nord.schema``.

SQLite by default, PostgreSQL in production; the same code runs on both. Every writer replaces
a year's slice in one transaction, holding the year's lock: delete the year, insert the new
rows, commit — so a re-run never duplicates, two runs of one year never interleave, a crash
leaves the old slice, and other years are untouched. The schema comes from
the migrations in ``alis_nord/migrations/`` (``make migrate``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from alis_nord.mail import OutgoingMail, recipients_from_text
from alis_nord.migrations import ADVISORY_LOCK_PROJECT, prepare
from alis_nord.schema import (
    JsonText,
    alis,
    fastlegedekning,
    kostnader,
    metadata,
    outgoing_mail,
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

    # The outgoing mail: queued once per subject (``mail_key``), kept until the server has taken it.

    def queue_mail(self, mail_key: str, mail: OutgoingMail, queued_at: datetime, **about: Any) -> bool:
        """Keep a message to send; False (and nothing queued) when ``mail_key`` already was.
        ``about`` fills the columns that say what it is (``kind``, ``about_year``,
        ``kommunenummer``, ``version``, and ``channel``: ``smtp`` by default; ``eml`` with
        ``sent_at`` and ``message_id`` when it was written as a file for the office to send)."""
        row = {
            "mail_key": mail_key,
            "recipients": ", ".join(mail.recipients),
            "subject": mail.subject,
            "body": mail.body,
            "html_body": mail.html,
            "queued_at": queued_at,
            "attempts": 0,
            "channel": "smtp",
            **about,
        }
        try:
            with self.engine.begin() as conn:
                conn.execute(outgoing_mail.insert(), [row])
        except sa.exc.IntegrityError:  # the unique mail_key: queued before, by this or another tick
            return False
        return True

    def unsent_mail(self) -> list[tuple[int, OutgoingMail]]:
        """Messages not yet taken by the SMTP server, oldest first."""
        query = sa.select(outgoing_mail).where(outgoing_mail.c.sent_at.is_(None)).order_by(outgoing_mail.c.id)
        with self.engine.connect() as conn:
            return [
                (
                    row.id,
                    OutgoingMail(recipients_from_text(row.recipients), row.subject, row.body, row.html_body),
                )
                for row in conn.execute(query)
            ]

    def years_of_mail(self, mail_ids: list[int]) -> list[int]:
        """The report years the given messages to municipalities are about (alerts have none)."""
        if not mail_ids:
            return []
        query = (
            sa.select(outgoing_mail.c.about_year)
            .where(outgoing_mail.c.id.in_(mail_ids), outgoing_mail.c.kommunenummer.is_not(None))
            .distinct()
        )
        with self.engine.connect() as conn:
            return sorted(year for year in conn.scalars(query) if year is not None)

    def has_mail(self, mail_key: str) -> bool:
        with self.engine.connect() as conn:
            return conn.scalar(sa.select(sa.func.count()).where(outgoing_mail.c.mail_key == mail_key)) > 0

    def mail_about(self, year: int) -> list[dict[str, Any]]:
        """The messages to the municipalities about a report year (feedback and reminders), in
        the order queued: to whom, when, which version, and the message id once sent."""
        query = (
            sa.select(outgoing_mail)
            .where(outgoing_mail.c.about_year == year, outgoing_mail.c.kommunenummer.is_not(None))
            .order_by(outgoing_mail.c.id)
        )
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def record_mail_attempt(
        self,
        mail_id: int,
        *,
        sent_at: datetime | None,
        message_id: str | None = None,
        error: str | None = None,
    ) -> None:
        """One delivery attempt: sent (with its Message-ID), or not, with the reason."""
        with self.engine.begin() as conn:
            conn.execute(
                outgoing_mail.update()
                .where(outgoing_mail.c.id == mail_id)
                .values(
                    attempts=outgoing_mail.c.attempts + 1,
                    sent_at=sent_at,
                    message_id=message_id,
                    last_error=error,
                )
            )

    def mail(self) -> list[dict[str, Any]]:
        """Every queued message, sent or not, in the order queued."""
        return self.rows(outgoing_mail, order_by=["id"])


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
