"""Shared fixtures. The warehouse fixture runs each test on SQLite and on PostgreSQL.

PostgreSQL is the server at ``ALIS_TEST_POSTGRES_URL`` when it is set (CI sets it in
``.ci/run``). When it is not, the tests start a throwaway server of their own (pgserver:
``initdb`` into a temporary folder, reached over a Unix socket inside it, trust auth) and stop
it at the end, so they never touch a server that merely happens to be running. The PostgreSQL
tests are never skipped.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import tests.fuzzing  # noqa: F401  (Hypothesis's profile, before any test module loads)
from tests.small_landing import write_small_landing

TEST_DATABASE = re.compile(r"test", re.IGNORECASE)  # a database the tests may empty says so in its name
OWN_DATABASE = "alis_test"  # on the throwaway server


def refuse_unless_test_database(url: str) -> None:
    """Stop before emptying a database whose name does not mark it as a test database."""
    from sqlalchemy.engine import make_url

    name = make_url(url).database or ""
    if not TEST_DATABASE.search(name):
        raise RuntimeError(
            f"Refusing to empty the database {name!r} at ALIS_TEST_POSTGRES_URL: the tests drop every "
            "warehouse table in it. Point ALIS_TEST_POSTGRES_URL at a database whose name contains "
            "'test' (for example .../alis_test), or unset it to let the tests start their own server."
        )


def _fresh_database(url: str) -> str:
    """An empty warehouse at the newest schema revision: made by the migrations (as a new
    production database is) when it is not there yet, or is at an older revision (a test
    database another checkout left behind), else emptied of rows. Opened without
    ``engine_for``, which would rightly refuse an outdated warehouse."""
    import sqlalchemy as sa

    from alis_nord import migrations
    from alis_nord.schema import metadata

    if not url.startswith("sqlite"):
        refuse_unless_test_database(url)
    engine = sa.create_engine(url)
    try:
        _empty_at_head(engine, sa, migrations, metadata)
    finally:
        engine.dispose()
    return url


def _empty_at_head(engine, sa, migrations, metadata) -> None:
    with engine.connect() as conn:
        at_head = migrations.current_revision(conn) == migrations.HEAD and set(metadata.tables) <= set(
            sa.inspect(conn).get_table_names()
        )
    if at_head:
        with engine.begin() as conn:
            for table in reversed(metadata.sorted_tables):
                conn.execute(table.delete())
        return
    metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP TABLE IF EXISTS {migrations.VERSION_TABLE}"))
    migrations.upgrade(engine)


@pytest.fixture(scope="session")
def postgres_server_url(tmp_path_factory) -> Iterator[str]:
    """The PostgreSQL URL of the session: ALIS_TEST_POSTGRES_URL, or a server of the tests' own."""
    given = os.environ.get("ALIS_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    import pgserver

    server = pgserver.get_server(tmp_path_factory.mktemp("postgresql"), cleanup_mode="stop")
    try:
        server.psql(f"CREATE DATABASE {OWN_DATABASE};")
        yield server.get_uri(OWN_DATABASE).replace("postgresql://", "postgresql+psycopg://", 1)
    finally:
        server.cleanup()  # stops the server: nothing is left running after the session


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path: Path) -> str:
    """An empty warehouse: a SQLite file, or the PostgreSQL test database emptied."""
    if request.param == "sqlite":
        return _fresh_database(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
    return _fresh_database(request.getfixturevalue("postgres_server_url"))


@pytest.fixture
def postgres_url(postgres_server_url: str) -> str:
    """The PostgreSQL test database, emptied of the warehouse's tables."""
    return _fresh_database(postgres_server_url)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return _fresh_database(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")


@pytest.fixture
def small_landing(tmp_path: Path) -> Path:
    return write_small_landing(tmp_path / "landing")


@pytest.fixture(scope="session")
def sample_years(tmp_path_factory) -> dict:
    """The bundled sample landing area's five years, materialized in-process once for every test
    that reads them (oldest first: grant use is cumulative): the output folder, the warehouse URL
    and each year's result. The sample's figures are the generator's (alis_nord/sample_data.py)."""
    from dagster import materialize

    from pipelines.definitions import defs
    from glue.resources import resources_from_environment

    folder = tmp_path_factory.mktemp("sample")
    url = f"sqlite:///{folder / 'warehouse.sqlite'}"
    resources = resources_from_environment(
        {
            "ALIS_LANDING_DIR": str(Path(__file__).resolve().parent.parent / "sample_landing"),
            "ALIS_OUTPUT_DIR": str(folder / "out"),
            "ALIS_DATABASE_URL": url,
        }
    )
    every = list(defs.assets) + list(defs.asset_checks)
    results = {
        year: materialize(every, partition_key=str(year), resources=resources, raise_on_error=False)
        for year in range(2019, 2024)
    }
    return {"out": folder / "out", "database_url": url, "results": results}
