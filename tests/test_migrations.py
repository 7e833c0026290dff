"""The warehouse schema's migrations (alis_nord/migrations/), on SQLite and PostgreSQL."""

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from alis_nord import migrations
from alis_nord.schema import ExactDecimal, JsonText, metadata


@pytest.fixture
def empty_engine(database_url):
    """The test database with nothing of the warehouse in it."""
    engine = sa.create_engine(database_url)
    metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP TABLE IF EXISTS {migrations.VERSION_TABLE}"))
    yield engine
    engine.dispose()


def _scripts() -> ScriptDirectory:
    return ScriptDirectory(str(migrations.Path(migrations.__file__).parent))


def test_head_and_the_tables_of_each_revision_match_the_scripts():
    scripts = _scripts()
    assert scripts.get_current_head() == migrations.HEAD
    order = [s.revision for s in reversed(list(scripts.walk_revisions()))]
    assert (
        order
        == list(migrations.TABLES_BY_REVISION)
        == ["0001", "0002", "0003", "0004", "0005", "0006", "0007"]
    )
    assert set().union(*migrations.TABLES_BY_REVISION.values()) == set(metadata.tables)


def test_the_migrations_build_exactly_the_schema_the_code_describes(empty_engine):
    assert migrations.upgrade(empty_engine) == migrations.HEAD
    with empty_engine.connect() as conn:
        ours = set(metadata.tables)  # the test database may hold Dagster's own tables too

        def include_name(name, kind, parent):
            if kind == "schema":
                return True
            return name in ours if kind == "table" else parent.get("table_name") in ours

        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": include_name})
        differences = compare_metadata(context, metadata)
    assert differences == []  # a change to alis_nord/warehouse.py without a migration shows here


def _a_row(table: sa.Table, year: int) -> dict:
    """One row with a value of each column's type (strings cut to their length)."""
    row = {}
    for column in table.columns:
        kind = column.type
        if column.name == "report_year":
            value = year
        elif isinstance(kind, ExactDecimal):
            value = Decimal("12.50")
        elif isinstance(kind, JsonText):
            value = {"kilde": "helsedirektoratet", "belop_ore": 1250}
        elif isinstance(kind, sa.Boolean):
            value = True
        elif isinstance(kind, sa.Date):
            value = dt.date(year, 3, 15)
        elif isinstance(kind, sa.Integer):  # BigInteger too
            value = 1250
        else:
            value = f"{table.name}:{column.name}"[: getattr(kind, "length", None) or 200]
        row[column.name] = value
    return row


@pytest.mark.parametrize("start", ["0002", "0001"])
def test_upgrading_a_database_with_data_loses_nothing(empty_engine, start):
    migrations.upgrade(empty_engine, start)
    present = set(sa.inspect(empty_engine).get_table_names())
    kept = [t for t in metadata.sorted_tables if t.name in present]
    assert {t.name for t in kept} == set().union(
        *(migrations.TABLES_BY_REVISION[r] for r in ("0001", "0002")[: int(start)])
    )
    # the columns each table had then: a later revision may add one (input_files.received_at, 0005)
    then = {t.name: {c["name"] for c in sa.inspect(empty_engine).get_columns(t.name)} for t in kept}

    def _row_then(table: sa.Table, year: int) -> dict:
        return {k: v for k, v in _a_row(table, year).items() if k in then[table.name]}

    def _row_now(table: sa.Table, year: int) -> dict:  # a column added since is empty
        return {c.name: _row_then(table, year).get(c.name) for c in table.columns}

    with empty_engine.begin() as conn:
        for table in kept:
            conn.execute(table.insert(), [_row_then(table, 2020), _row_then(table, 2021)])
    with pytest.raises(
        migrations.OutdatedSchema, match=f"revision {start}; this code needs {migrations.HEAD}.*make migrate"
    ):
        migrations.prepare(empty_engine)  # a run against the older schema stops before it writes

    assert migrations.upgrade(empty_engine) == migrations.HEAD
    migrations.prepare(empty_engine)  # and now starts
    with empty_engine.connect() as conn:
        for table in kept:
            rows = [dict(r._mapping) for r in conn.execute(sa.select(table).order_by(table.c.report_year))]
            assert rows == [_row_now(table, 2020), _row_now(table, 2021)], table.name
        for name in (
            migrations.TABLES_BY_REVISION["0003"]
            | migrations.TABLES_BY_REVISION["0004"]
            | migrations.TABLES_BY_REVISION["0005"]
            | migrations.TABLES_BY_REVISION["0007"]
        ):  # new, empty
            assert conn.scalar(sa.select(sa.func.count()).select_from(metadata.tables[name])) == 0


def test_a_database_from_before_the_migrations_is_recognised_and_upgraded(empty_engine):
    # what `metadata.create_all` made before this release: the first two revisions' tables, with
    # the columns they had then (input_files without received_at, which 0005 adds)
    newer = (
        migrations.TABLES_BY_REVISION["0003"]
        | migrations.TABLES_BY_REVISION["0004"]
        | migrations.TABLES_BY_REVISION["0005"]
        | migrations.TABLES_BY_REVISION["0007"]
    )
    then = sa.MetaData()
    added_since = {("input_files", "received_at")}
    for table in metadata.sorted_tables:
        if table.name not in newer:
            sa.Table(
                table.name,
                then,
                *(c.copy() for c in table.columns if (table.name, c.name) not in added_since),
            )
    then.create_all(empty_engine)
    with empty_engine.begin() as conn:
        conn.execute(metadata.tables["grant_use"].insert(), [_a_row(metadata.tables["grant_use"], 2021)])
    with pytest.raises(migrations.OutdatedSchema, match="from before migrations"):
        migrations.prepare(empty_engine)
    assert migrations.upgrade(empty_engine) == migrations.HEAD  # stamped 0002, then upgraded
    with empty_engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT count(*) FROM grant_use")) == 1
        assert conn.scalar(sa.text("SELECT count(*) FROM unused_funds")) == 0


def test_an_empty_database_is_created_at_the_start_of_a_run(empty_engine):
    migrations.prepare(empty_engine)
    with empty_engine.connect() as conn:
        assert migrations.current_revision(conn) == migrations.HEAD
        assert set(metadata.tables) <= set(sa.inspect(conn).get_table_names())


def test_the_mail_queue_revision_gives_each_stored_message_its_state(empty_engine):
    # a warehouse at 0005 with three messages: one sent, one still waiting, one written as .eml
    migrations.upgrade(empty_engine, "0005")
    at = dt.datetime(2027, 3, 15, 6, tzinfo=dt.UTC)
    with empty_engine.begin() as conn:
        for key, sent_at, channel in [("a", at, "smtp"), ("b", None, "smtp"), ("c", at, "eml")]:
            conn.execute(
                sa.text(
                    "INSERT INTO outgoing_mail (mail_key, recipients, subject, body, queued_at, sent_at, attempts, channel)"
                    " VALUES (:key, 'x@y.no', 'Emne', 'Tekst', :at, :sent_at, 0, :channel)"
                ),
                {"key": key, "at": at, "sent_at": sent_at, "channel": channel},
            )
    assert migrations.upgrade(empty_engine) == migrations.HEAD
    with empty_engine.connect() as conn:
        states = dict(conn.execute(sa.text("SELECT mail_key, state FROM outgoing_mail")).all())
    assert states == {"a": "sent", "b": "queued", "c": "eml"}
