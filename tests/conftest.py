"""Shared fixtures. The warehouse fixture runs each test on SQLite and on PostgreSQL.

PostgreSQL is the server at ``ALIS_TEST_POSTGRES_URL`` when it is set (CI sets it in
``.ci/run``). When it is not, the tests start a throwaway server of their own (pgserver:
``initdb`` into a temporary folder, reached over a Unix socket inside it, trust auth) and stop
it at the end, so they never touch a server that merely happens to be running. The PostgreSQL
tests are never skipped.

``make test`` runs the tests on both cores with pytest-xdist (``-n 3 --dist loadfile
--no-loadscope-reorder``, in the Makefile). Each worker then has a PostgreSQL database of its own
(``<database>_gw0``, ``<database>_gw1``, … on the server at ALIS_TEST_POSTGRES_URL, or a throwaway
server each), the sample years are rendered once for the whole run (``sample_years``), and the
longest modules are handed out first (``pytest_collection_modifyitems`` at the end).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

import tests.fuzzing  # noqa: F401  (Hypothesis's profile, before any test module loads)
from tests.small_landing import write_small_landing

TEST_DATABASE = re.compile(r"test", re.IGNORECASE)  # a database the tests may empty says so in its name
OWN_DATABASE = "alis_test"  # on the throwaway server


def pytest_configure(config: pytest.Config) -> None:
    # A shell starts a background job (`make test &`, nohup, some CI runners) with SIGINT ignored,
    # and an ignored signal stays ignored in every process the tests start. `dagster dev` and the
    # service's Dagster processes then do not stop on SIGTERM (they stop by way of SIGINT), and each
    # test that starts them waits 30 s before it kills them. Taken back here, so that the tests and
    # what they start behave the same in the foreground and in the background.
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


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


def _worker(config: pytest.Config) -> str | None:
    """The pytest-xdist worker this process is (``gw0``, ``gw1``, …), or None when it runs alone."""
    workerinput = getattr(config, "workerinput", None)
    return workerinput["workerid"] if workerinput else None


def _database_of_worker(url: str, worker: str) -> str:
    """The worker's own database beside the test database at ``url`` (``test`` → ``test_gw0``),
    created on that server when it is not there yet, so that two workers never empty the same
    warehouse at once. A database not named for tests gets none: the fixtures refuse it as before."""
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    name = make_url(url).database or ""
    if not TEST_DATABASE.search(name):
        return url
    own = f"{name}_{worker}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": own}):
                conn.execute(sa.text(f'CREATE DATABASE "{own}"'))
    finally:
        admin.dispose()
    return make_url(url).set(database=own).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_server_url(tmp_path_factory, request) -> Iterator[str]:
    """The PostgreSQL URL of the session: ALIS_TEST_POSTGRES_URL (under pytest-xdist, the worker's
    own database on that server), or a server of the tests' own (one per worker)."""
    given = os.environ.get("ALIS_TEST_POSTGRES_URL")
    if given:
        worker = _worker(request.config)
        yield _database_of_worker(given, worker) if worker else given
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


def _render_sample(folder: Path) -> None:
    """The bundled sample landing area's five years materialized in-process into ``folder``
    (oldest first: grant use is cumulative): out/, warehouse.sqlite, and results.json with each
    year's run and events (tests/stored_runs.py)."""
    from dagster import materialize

    from alis_nord.settings import Settings
    from glue.resources import resources_for
    from pipelines.definitions import defs
    from tests.stored_runs import write_results

    url = f"sqlite:///{folder / 'warehouse.sqlite'}"
    resources = resources_for(
        Settings.given(
            landing_dir=Path(__file__).resolve().parent.parent / "sample_landing",
            output_dir=folder / "out",
            database_url=url,
        )
    )
    every = list(defs.assets) + list(defs.asset_checks)
    results = {
        year: materialize(every, partition_key=str(year), resources=resources, raise_on_error=False)
        for year in range(2019, 2024)
    }
    write_results(folder / "results.json", results)


@pytest.fixture(scope="session")
def sample_years(tmp_path_factory, request) -> dict:
    """The bundled sample landing area's five years, materialized in-process once for every test
    that reads them: the output folder, the warehouse URL and each year's result (read back from
    its events, the same on every worker). The sample's figures are the generator's
    (alis_nord/sample_data.py). Tests only read them.

    Under pytest-xdist the first worker to need them renders them into the run's temporary folder,
    which every worker shares, holding a lock the others wait on (pytest-xdist's documented way to
    do a thing once per run); alone, the session renders them into its own."""
    from tests.stored_runs import read_results

    if _worker(request.config) is None:
        folder = tmp_path_factory.mktemp("sample")
        _render_sample(folder)
    else:
        from filelock import FileLock

        folder = tmp_path_factory.getbasetemp().parent / "sample"
        with FileLock(f"{folder}.lock"):
            if not (folder / "results.json").is_file():  # written last: the rendering is complete
                shutil.rmtree(folder, ignore_errors=True)  # what a worker that died left behind
                folder.mkdir()
                _render_sample(folder)
    return {
        "out": folder / "out",
        "database_url": f"sqlite:///{folder / 'warehouse.sqlite'}",
        "results": read_results(folder / "results.json"),
    }


# --- on both cores (pytest-xdist) --------------------------------------------------------------
#
# `make test` runs `-n 3 --dist loadfile --no-loadscope-reorder`: a test module is the unit of work
# a free worker takes, so a module's module-scoped fixtures (the running service, the rendered
# report, the workbooks LibreOffice wrote) are set up once, and its tests run in their usual order.
# (Not `--dist loadgroup`: with pytest 9.2 its groups are silently ignored, pytest-xdist issue 1386.)
# The modules are handed out longest first (LONGEST_FIRST, from `--durations`; then the rest in the
# usual order), so that no worker is left with a long module at the end while the others have
# nothing to do. The sample years are rendered once per run by whichever worker needs them first
# (``sample_years``); the modules that read them are spread so that the others seldom wait.

LONGEST_FIRST = [  # seconds per module with -n 2 (make test PYTEST_ARGS=--durations=0), longest first
    "tests/test_delivery_end_to_end.py",  # 420 (alone: the service, a clerk, 25 uploads, the daemon's runs)
    "tests/test_service.py",  # 230
    "tests/test_mail_queue.py",  # 150
    "tests/test_ui_browser.py",  # 140
    "tests/test_assets.py",  # 110
    "tests/test_delivery_links.py",  # 100 (alone)
    "tests/test_municipality_loop.py",  # 90
    "tests/test_delivery_service.py",  # 75 (alone, beside the sample's rendering)
    "tests/test_concurrent_runs.py",  # 70
    "tests/test_service_hardening_run_monitoring.py",  # 65
    "tests/test_budget_assets.py",  # 65
    "tests/test_grant_report.py",  # 65
    "tests/test_delivery_page_accessibility.py",  # 57 (alone)
    "tests/test_receiving.py",  # 55 (alone)
    "tests/test_portal_delivery.py",  # 50
    "tests/test_delivery_page.py",  # 45 (alone)
    "tests/test_end_to_end_cli.py",  # 50
    "tests/test_deploy.py",  # 45
    "tests/test_range_runs.py",  # 40
    "tests/test_property_based.py",  # 25
    "tests/test_check_file_names.py",  # 25
    "tests/test_lineage.py",  # 20
    "tests/test_ready_means_complete_pipeline.py",  # 20
    "tests/test_production_instance.py",  # 20
    "tests/test_crash_safety.py",  # 20
    "tests/test_office_print.py",  # 20
]


@pytest.hookimpl(trylast=True)  # after every plugin that reorders items: xdist takes this order
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _worker(config) is None:
        return  # alone: the usual order

    def rank(item: pytest.Item) -> int:
        module = item.nodeid.split("::")[0]
        return LONGEST_FIRST.index(module) if module in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: the usual order within a module and among the rest
