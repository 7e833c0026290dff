"""How long the project keeps what it holds, and what is past its time on a given day.

docs/personvern.md (in bokmål: the record of processing, for the municipality's data-protection
officer, the project office and the clerks) says what is kept, why, who sees it and for how long,
with the rule each period comes from. Every period it names is a constant here, and
``python -m service.retention`` (``make retention``) deletes by them:

- a report year's files and everything derived from them or sent about them go together, when
  the year's accounting documentation may go (``ACCOUNTING_RETENTION_YEARS`` after the end of the
  year): its landing-area folder, its slice of every yearly warehouse table, its messages in the
  mail queue, its rows of the delivery log, and its output folder;
- a delivery's client address is blanked after ``CLIENT_ADDRESS_DAYS``;
- a message about no report year (the alerts to the project office) goes after
  ``MAIL_WITHOUT_YEAR_DAYS``;
- what a crashed upload left in ``<landing>/.levering/`` goes after ``UPLOAD_LEFTOVER_DAYS``.

Deleting is idempotent: what is gone is not found again. A year's landing files go first, and its
messages before its output folder, so that a run of the year in between never sends a feedback
e-mail again (its key would be free) nor writes a deleted ``.eml`` back (``outbox.restore_eml``).
A message still on its way (queued, being sent, deferred) is never deleted, and nothing here
touches ``delivery_links`` (a municipality's link generation: forgetting it would make a revoked
link work again) or ``referanse/`` (the project office keeps the contacts by hand).

Days are Norwegian days: a period ends at midnight in Europe/Oslo. Dagster-free.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from alis_nord.landing import UPLOAD_STAGING_DIR, year_folders
from alis_nord.mail_queue import SENT, UNDELIVERABLE, WRITTEN
from alis_nord.schema import delivery_log, outgoing_mail, yearly_tables

# ------------------------------------------------------------------ the periods (docs/personvern.md)

ACCOUNTING_RETENTION_YEARS = 5
"""A report year's files, and what is derived from or sent about them, are kept until five years
after the end of the year (the accounting year its vouchers belong to): bokføringsloven (lov 19.
november 2004 nr. 73) § 13 annet ledd første punktum, «fem år etter regnskapsårets slutt», for the
material of første ledd nr. 1 to 4 (the reporting, its specifications and the documentation of
what was booked). Report year 2019 is kept through 31 December 2024 and deleted from 1 January 2025."""

CLIENT_ADDRESS_DAYS = 90
"""A delivery's client address (the clerk's IP address, as nginx saw it) is blanked after 90 days:
long enough to look into a misuse of a link, no longer (data minimisation, GDPR art. 5(1)(c) and
(e)); the rest of the row is kept with the year."""

MAIL_WITHOUT_YEAR_DAYS = 365
"""A message about no report year (a failed run, a refused address: alerts to the project office)
is kept for a year: it documents operations, not a year's reporting (art. 5(1)(e))."""

UPLOAD_LEFTOVER_DAYS = 1
"""A file the delivery page was writing when it crashed (``<landing>/.levering/``) is deleted after
a day: an upload takes seconds, so such a file belongs to no one any more."""

NGINX_ACCESS_LOG_DAYS = 14
"""nginx's access log is not this module's to delete: Debian's logrotate rotates it daily and keeps
14 old files (``/etc/logrotate.d/nginx`` of Debian 12's nginx-common: ``daily``, ``rotate 14``).
Stated here so that every period is in one place; a test compares it with the machine's file."""

ZONE = ZoneInfo("Europe/Oslo")
UPLOAD_TEMP_DIR = UPLOAD_STAGING_DIR  # where the delivery page writes an upload before linking it into place
FINISHED = (SENT, UNDELIVERABLE, WRITTEN)  # a message in any other state is still on its way


def kept_through(year: int) -> dt.date:
    """The last day a report year's files and records are kept: 31 December five years on."""
    return dt.date(year + ACCOUNTING_RETENTION_YEARS, 12, 31)


def past_retention(year: int, today: dt.date) -> bool:
    """Whether ``year``'s files and records are past their time on ``today``."""
    return today > kept_through(year)


def newest_year_past(today: dt.date) -> int:
    """The newest report year past its time on ``today`` (on 1 January 2025: 2019)."""
    return today.year - ACCOUNTING_RETENTION_YEARS - 1


def midnight(day: dt.date) -> dt.datetime:
    """The moment ``day`` begins in Norway."""
    return dt.datetime.combine(day, dt.time(), ZONE)


def client_address_cutoff(today: dt.date) -> dt.datetime:
    """A delivery received before this moment has its client address blanked."""
    return midnight(today - dt.timedelta(days=CLIENT_ADDRESS_DAYS))


def mail_without_year_cutoff(today: dt.date) -> dt.datetime:
    """A message about no report year queued before this moment is deleted."""
    return midnight(today - dt.timedelta(days=MAIL_WITHOUT_YEAR_DAYS))


def upload_leftover_cutoff(today: dt.date) -> dt.datetime:
    """A leftover of an upload last written before this moment is deleted."""
    return midnight(today - dt.timedelta(days=UPLOAD_LEFTOVER_DAYS))


# ------------------------------------------------------------------ what is past its time

# What a removal is (``Removal.kind``); service/retention.py says each in bokmål.
LANDING_YEAR = "landing_year"  # a year's folder in the landing area: count = files
WAREHOUSE_YEAR = "warehouse_year"  # a year's slice of the yearly tables: count = rows, tables = tables
MAIL_OF_YEAR = "mail_of_year"  # messages about a year (feedback, reminders): count = messages
DELIVERIES_OF_YEAR = "deliveries_of_year"  # delivery-log rows about a year: count = rows
OUTPUT_YEAR = "output_year"  # a year's output folder: count = files
CLIENT_ADDRESSES = "client_addresses"  # delivery-log rows whose client address is blanked
MAIL_WITHOUT_YEAR = "mail_without_year"  # alerts to the project office
UPLOAD_LEFTOVERS = "upload_leftovers"  # files a crashed upload left


@dataclass(frozen=True)
class Removal:
    """One thing past its time: what, of which report year (if any), how many."""

    kind: str
    count: int
    year: int | None = None
    tables: int = 0  # WAREHOUSE_YEAR: how many tables the rows are in


@dataclass(frozen=True)
class Holdings:
    """Where the project keeps what it holds (the settings' landing area, output folder, warehouse
    and mail database; the last two may be one database)."""

    landing_dir: Path
    output_dir: Path
    warehouse_url: str
    mail_url: str


@dataclass(frozen=True)
class Outcome:
    """What was deleted (or, in a dry run, would be), and the years past their time kept on request."""

    today: dt.date
    removals: list[Removal]
    held: list[int]


def past_its_time(
    holdings: Holdings, today: dt.date, *, delete: bool, keep_years: Iterable[int] = ()
) -> Outcome:
    """Everything past its time on ``today``: deleted when ``delete``, else only found and counted
    (the dry run finds exactly what the real run deletes). ``keep_years`` are report years to keep
    although past their time (a control by Helsedirektoratet or Riksrevisjonen, a request for
    access, a complaint: docs/personvern.md)."""
    from alis_nord.warehouse import engine_for

    warehouse = engine_for(holdings.warehouse_url)
    mail = engine_for(holdings.mail_url)
    newest = newest_year_past(today)
    counted = _warehouse_counts(warehouse, newest)
    found = (
        {y for y in year_folders(holdings.landing_dir) if y <= newest}
        | {y for y in year_folders(holdings.output_dir) if y <= newest}
        | set(counted)
        | set(_per_year(mail, _finished_mail_of_years(newest)))
        | set(_per_year(mail, _deliveries_of_years(newest)))
    )
    keep = set(keep_years)
    going = sorted(found - keep)
    removals: list[Removal] = []
    for year in going:
        removals += [
            Removal(LANDING_YEAR, _folder(holdings.landing_dir / str(year), delete), year),
            _warehouse_year(holdings.warehouse_url, year, counted.get(year, {}), delete),
            Removal(MAIL_OF_YEAR, _rows(mail, _finished_mail_of_year(year), delete), year),
            Removal(DELIVERIES_OF_YEAR, _rows(mail, _deliveries_of_year(year), delete), year),
            Removal(OUTPUT_YEAR, _folder(holdings.output_dir / str(year), delete), year),
        ]
    removals += [
        # the rows of the years going are not counted again (a dry run would, since they are still there)
        Removal(CLIENT_ADDRESSES, _blank_addresses(mail, client_address_cutoff(today), going, delete)),
        Removal(MAIL_WITHOUT_YEAR, _rows(mail, _mail_without_year(mail_without_year_cutoff(today)), delete)),
        Removal(UPLOAD_LEFTOVERS, _leftovers(holdings.landing_dir, upload_leftover_cutoff(today), delete)),
    ]
    return Outcome(today, [r for r in removals if r.count], sorted(found & keep))


# ------------------------------------------------------------------ files


def _folder(folder: Path, delete: bool) -> int:
    """The files in ``folder`` (all levels); the folder removed when ``delete``."""
    if not folder.is_dir():
        return 0
    files = sum(1 for path in folder.rglob("*") if path.is_file())
    if delete:
        shutil.rmtree(folder)
    return files


def _leftovers(landing_dir: Path, cutoff: dt.datetime, delete: bool) -> int:
    folder = landing_dir / UPLOAD_TEMP_DIR
    if not folder.is_dir():
        return 0
    old = [p for p in folder.iterdir() if p.is_file() and p.stat().st_mtime < cutoff.timestamp()]
    if delete:
        for path in old:
            path.unlink(missing_ok=True)
    return len(old)


# ------------------------------------------------------------------ the warehouse


def _warehouse_counts(engine: sa.Engine, newest: int) -> dict[int, dict[str, int]]:
    """Rows per report year (up to ``newest``) and yearly table."""
    counts: dict[int, dict[str, int]] = {}
    with engine.connect() as conn:
        for table in yearly_tables:
            year = table.c.report_year
            query = sa.select(year, sa.func.count()).where(year <= newest).group_by(year)
            for report_year, rows in conn.execute(query):
                counts.setdefault(report_year, {})[table.name] = rows
    return counts


def _warehouse_year(url: str, year: int, counts: dict[str, int], delete: bool) -> Removal:
    """A year's slice of every yearly table, deleted as a run replaces it: in one transaction,
    holding the year's lock (``Warehouse.replace_year`` with no rows)."""
    if delete and counts:
        from alis_nord.warehouse import Warehouse

        Warehouse(url).replace_year(year, {table: [] for table in yearly_tables})
    return Removal(WAREHOUSE_YEAR, sum(counts.values()), year, tables=len(counts))


# ------------------------------------------------------------------ the mail database


def _finished_mail_of_years(newest: int):
    return outgoing_mail, sa.and_(outgoing_mail.c.about_year <= newest, outgoing_mail.c.state.in_(FINISHED))


def _finished_mail_of_year(year: int):
    return outgoing_mail, sa.and_(outgoing_mail.c.about_year == year, outgoing_mail.c.state.in_(FINISHED))


def _mail_without_year(cutoff: dt.datetime):
    c = outgoing_mail.c
    return outgoing_mail, sa.and_(c.about_year.is_(None), c.queued_at < cutoff, c.state.in_(FINISHED))


def _deliveries_of_years(newest: int):
    return delivery_log, delivery_log.c.about_year <= newest


def _deliveries_of_year(year: int):
    return delivery_log, delivery_log.c.about_year == year


def _per_year(engine: sa.Engine, selection) -> dict[int, int]:
    table, condition = selection
    with engine.connect() as conn:
        query = sa.select(table.c.about_year, sa.func.count()).where(condition).group_by(table.c.about_year)
        return dict(conn.execute(query).all())


def _rows(engine: sa.Engine, selection, delete: bool) -> int:
    """The rows of ``selection`` (a table and a condition); deleted when ``delete``."""
    table, condition = selection
    with engine.begin() as conn:
        if delete:
            return conn.execute(table.delete().where(condition)).rowcount
        return conn.scalar(sa.select(sa.func.count()).select_from(table).where(condition))


def _blank_addresses(engine: sa.Engine, cutoff: dt.datetime, years_going: list[int], delete: bool) -> int:
    c = delivery_log.c
    condition = sa.and_(
        c.client_address.is_not(None), c.received_at < cutoff, c.about_year.not_in(years_going)
    )
    with engine.begin() as conn:
        if delete:
            return conn.execute(delivery_log.update().where(condition).values(client_address=None)).rowcount
        return conn.scalar(sa.select(sa.func.count()).select_from(delivery_log).where(condition))
