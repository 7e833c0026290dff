"""The warehouse schema's migrations (Alembic, the SQLAlchemy project's migration tool).

``alis_nord.schema`` describes today's schema; the scripts in ``versions/`` are how a
database gets there from any earlier one. The revision a database is at is kept in its own
table, ``alis_schema_version`` (Dagster's PostgreSQL storage keeps its own ``alembic_version``,
and the two may share a database).

- ``make migrate`` (``python -m service.migrate``, which reads ``ALIS_DATABASE_URL`` where the
  other settings are read) upgrades the warehouse to the newest revision with ``upgrade``. A
  database the pipeline made before it used migrations is recognised by its tables and stamped
  first.
- Every run checks at its start (``prepare``, from ``warehouse.engine_for``): an empty database is
  created at the newest revision; one at the newest revision is used; any other stops the run
  with ``OutdatedSchema``, which names the command. Upgrading is deliberate: production's
  database lives for years and is backed up before a migration.

Upgrades and first creations hold a lock (PostgreSQL's advisory lock; a lock file beside a
SQLite database), so two runs starting at once on an empty database never both create it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

VERSION_TABLE = "alis_schema_version"
HEAD = "0007"  # the newest script in versions/ (a test keeps the two in step)
# The tables each revision adds: how a database from before the migrations is recognised.
TABLES_BY_REVISION = {
    "0001": {
        "input_files", "alis", "kostnader", "fastlegedekning", "table_deliveries", "quarantined_rows",
        "findings", "alis_grant_entitlement", "costs_by_source", "grant_use", "budget_plan_vs_actual",
        "grant_forecast", "statsforvalter_grant_use",
    },
    "0002": {"grant_forecast_years", "reference_files", "reference_data", "report_summary"},
    "0003": {"grant_payments", "unused_funds"},
    "0004": {"outgoing_mail"},
    "0005": {"delivery_status"},
    "0006": set(),  # columns of outgoing_mail only
    "0007": {"delivery_log", "delivery_links"},
}  # fmt: skip
# pg_advisory_lock keys: (project, 0) while migrating; (project, year) while writing a year.
ADVISORY_LOCK_PROJECT = 0x414C4953  # "ALIS"
MIGRATION_LOCK = 0


class OutdatedSchema(RuntimeError):
    """The warehouse is at an older revision than this code: run ``make migrate``."""


def current_revision(connection: sa.Connection) -> str | None:
    if not sa.inspect(connection).has_table(VERSION_TABLE):
        return None
    return connection.scalar(sa.text(f"SELECT version_num FROM {VERSION_TABLE}"))


def _config(connection: sa.Connection):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent))
    config.attributes["connection"] = connection
    return config


def _recognised_revision(connection: sa.Connection) -> str | None:
    """For a database without a version table: the newest revision all of whose tables (and
    every earlier revision's) it has, or None when it has none of them."""
    present = set(sa.inspect(connection).get_table_names())
    found = None
    for revision, tables in TABLES_BY_REVISION.items():
        if not tables or not tables <= present:  # a revision that adds no table cannot be recognised
            break
        found = revision
    return found


@contextlib.contextmanager
def _migration_lock(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection holding the migration lock, so one process at a time creates or upgrades."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(
                sa.text("SELECT pg_advisory_lock(:project, :purpose)"),
                {"project": ADVISORY_LOCK_PROJECT, "purpose": MIGRATION_LOCK},
            )
            connection.commit()
            try:
                yield connection
            finally:
                connection.rollback()
                connection.execute(
                    sa.text("SELECT pg_advisory_unlock(:project, :purpose)"),
                    {"project": ADVISORY_LOCK_PROJECT, "purpose": MIGRATION_LOCK},
                )
                connection.commit()
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        with engine.connect() as connection:
            yield connection
        return
    import fcntl

    with open(f"{database}.migration-lock", "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            with engine.connect() as connection:
                yield connection
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def upgrade(engine: sa.Engine, revision: str = "head") -> str:
    """Upgrade the database to ``revision``; returns the revision it is at afterwards."""
    from alembic import command

    with _migration_lock(engine) as connection:
        config = _config(connection)
        if current_revision(connection) is None and (recognised := _recognised_revision(connection)):
            command.stamp(config, recognised)  # made before the migrations: say what it has
        command.upgrade(config, revision)
        connection.commit()
        return current_revision(connection) or ""


def prepare(engine: sa.Engine) -> None:
    """Check the schema at the start of a run: create an empty database at the newest revision,
    use one at it, stop on any other with a message that says what to do."""
    with engine.connect() as connection:
        revision = current_revision(connection)
    if revision == HEAD:
        return
    if revision is None:
        with engine.connect() as connection:
            empty = _recognised_revision(connection) is None
        if empty:
            upgrade(engine)
            return
    url = engine.url.render_as_string(hide_password=True)
    raise OutdatedSchema(
        f"The warehouse at {url} has schema revision {revision or 'from before migrations'}; this "
        f"code needs {HEAD}. Back it up, then run `make migrate` (python -m service.migrate) "
        "with ALIS_DATABASE_URL pointing at it, and start the run again."
    )
