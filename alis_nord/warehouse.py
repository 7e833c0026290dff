"""The warehouse: SQLAlchemy Core tables, one slice per report year.

SQLite by default, PostgreSQL in production; the same code runs on both. Money columns
hold whole øre (``*_ore``, BIGINT) so sums are exact in SQL on every database; hours and
percentages use ``ExactDecimal`` (NUMERIC on PostgreSQL, decimal text on SQLite).
Every writer replaces a year's slice in one transaction: delete the year, insert the new
rows, commit — so a re-run never duplicates and other years are untouched.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator


class ExactDecimal(TypeDecorator):
    """A decimal kept exact: NUMERIC(12, 2) on PostgreSQL, text on SQLite (whose NUMERIC is a float)."""

    impl = sa.String(32)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(sa.Numeric(12, 2, asdecimal=True))
        return dialect.type_descriptor(sa.String(32))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return Decimal(value) if dialect.name == "postgresql" else str(Decimal(value))

    def process_result_value(self, value, dialect):
        return None if value is None else Decimal(value)


class JsonText(TypeDecorator):
    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)

    def process_result_value(self, value, dialect):
        return None if value is None else json.loads(value)


metadata = sa.MetaData()


def _year_table(name: str, *columns: sa.Column, comment: str) -> sa.Table:
    return sa.Table(
        name,
        metadata,
        sa.Column("report_year", sa.Integer, nullable=False, index=True),
        *columns,
        comment=comment,
    )


def _provenance() -> list[sa.Column]:
    return [
        sa.Column("kommunenummer", sa.String(4), nullable=False),
        sa.Column("file", sa.Text, nullable=False),
        sa.Column("row_number", sa.Integer, nullable=False),
    ]


input_files = _year_table(
    "input_files",
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("kommunenummer", sa.String(4)),
    sa.Column("version", sa.Integer),
    sa.Column("tables_used", sa.Text, nullable=False, default=""),
    comment="Every file of the landing area a year's run saw, by SHA-256.",
)
alis = _year_table(
    "alis",
    *_provenance(),
    sa.Column("alis_id", sa.String(8), nullable=False),
    sa.Column("tilsettingsform", sa.String(16), nullable=False),
    sa.Column("startdato", sa.Date, nullable=False),
    sa.Column("sluttdato", sa.Date),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("individuell_veiledning_timer", ExactDecimal, nullable=False),
    sa.Column("gruppeveiledning_timer", ExactDecimal, nullable=False),
    sa.Column("kurs_timer", ExactDecimal, nullable=False),
    sa.Column("sykehustjeneste", sa.String(16), nullable=False),
    sa.Column("laeringsmaal_godkjent_prosent", ExactDecimal, nullable=False),
    comment="Accepted alis rows.",
)
kostnader = _year_table(
    "kostnader",
    *_provenance(),
    sa.Column("bilagsnummer", sa.Text, nullable=False),
    sa.Column("bilagsdato", sa.Date, nullable=False),
    sa.Column("kategori", sa.String(24), nullable=False),
    sa.Column("finansieringskilde", sa.String(24), nullable=False),
    sa.Column("belop_ore", sa.BigInteger, nullable=False),
    sa.Column("alis_id", sa.String(8)),
    sa.Column("beskrivelse", sa.Text),
    comment="Accepted vouchers; belop in whole øre.",
)
fastlegedekning = _year_table(
    "fastlegedekning",
    *_provenance(),
    sa.Column("fastlegehjemler", sa.Integer, nullable=False),
    sa.Column("ledige_hjemler", sa.Integer, nullable=False),
    sa.Column("innbyggere_uten_fastlege", sa.Integer, nullable=False),
    sa.Column("nye_fastleger", sa.Integer, nullable=False),
    sa.Column("fastleger_sluttet", sa.Integer, nullable=False),
    comment="Accepted GP coverage rows.",
)
table_deliveries = _year_table(
    "table_deliveries",
    sa.Column("kommunenummer", sa.String(4), nullable=False),
    sa.Column("table_name", sa.String(24), nullable=False),
    sa.Column("file", sa.Text, nullable=False),
    sa.Column("rows_received", sa.Integer, nullable=False),
    sa.Column("rows_accepted", sa.Integer, nullable=False),
    sa.Column("rows_quarantined", sa.Integer, nullable=False),
    sa.Column("rejected", sa.Boolean, nullable=False),
    comment="One row per table a municipality delivered: what came in and what became of it.",
)
quarantined_rows = _year_table(
    "quarantined_rows",
    *_provenance(),
    sa.Column("table_name", sa.String(24), nullable=False),
    sa.Column("raw_values", JsonText, nullable=False),
    comment="Rows kept out of the figures, with the values as the file had them.",
)
findings = _year_table(
    "findings",
    sa.Column("kommunenummer", sa.String(4), nullable=False),
    sa.Column("file", sa.Text, nullable=False),
    sa.Column("table_name", sa.String(24), nullable=False),
    sa.Column("row_number", sa.Integer),
    sa.Column("column_name", sa.String(64), nullable=False),
    sa.Column("rule", sa.String(40), nullable=False),
    sa.Column("severity", sa.String(8), nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    comment="Validation findings, as in findings.csv.",
)
alis_grant_entitlement = _year_table(
    "alis_grant_entitlement",
    sa.Column("kommunenummer", sa.String(4), nullable=False),
    sa.Column("alis_id", sa.String(8), nullable=False),
    sa.Column("tilsettingsform", sa.String(16), nullable=False),
    sa.Column("days_employed", sa.Integer, nullable=False),
    sa.Column("days_in_year", sa.Integer, nullable=False),
    sa.Column("tilskudd_ore", sa.BigInteger, nullable=False),
    sa.Column("egenandel_ore", sa.BigInteger, nullable=False),
    comment="ALIS grant and own share per accepted ALIS, pro rata by days, rounded half-up to øre.",
)
costs_by_source = _year_table(
    "costs_by_source",
    sa.Column("finansieringskilde", sa.String(24), nullable=False),
    sa.Column("kategori", sa.String(24), nullable=False),
    sa.Column("belop_ore", sa.BigInteger, nullable=False),
    sa.Column("vouchers", sa.Integer, nullable=False),
    comment="Accepted vouchers summed per funding source and category.",
)
grant_use = _year_table(
    "grant_use",
    sa.Column("alis_grant_ore", sa.BigInteger, nullable=False),
    sa.Column("egenandel_ore", sa.BigInteger, nullable=False),
    sa.Column("helsedirektoratet_costs_ore", sa.BigInteger, nullable=False),
    sa.Column("used_in_year_ore", sa.BigInteger, nullable=False),
    sa.Column("used_cumulative_ore", sa.BigInteger, nullable=False),
    sa.Column("remaining_ore", sa.BigInteger, nullable=False),
    sa.Column("grant_total_ore", sa.BigInteger, nullable=False),
    sa.Column("years_missing", sa.Text, nullable=False),
    comment="Use of Helsedirektoratet's grant by report year.",
)

budget_plan_vs_actual = _year_table(
    "budget_plan_vs_actual",
    sa.Column("kategori", sa.String(24), nullable=False),
    sa.Column("plan_ore", sa.BigInteger, nullable=False),
    sa.Column("actual_ore", sa.BigInteger, nullable=False),
    sa.Column("over_plan", sa.Boolean, nullable=False),
    comment="Helsedirektoratet's grant per category: the project plan against actual.",
)
grant_forecast = _year_table(
    "grant_forecast",
    sa.Column("method", sa.String(16), nullable=False),
    sa.Column("remaining_years", sa.Text, nullable=False),
    sa.Column("used_at_end_ore", sa.BigInteger, nullable=False),
    sa.Column("remaining_at_end_ore", sa.BigInteger, nullable=False),
    comment="Use of Helsedirektoratet's grant at the end of the grant period, by forecast method.",
)
statsforvalter_grant_use = _year_table(
    "statsforvalter_grant_use",
    sa.Column("granted_ore", sa.BigInteger, nullable=False),
    sa.Column("costs_ore", sa.BigInteger, nullable=False),
    comment="The Statsforvalter grant for the year against costs charged to it.",
)


@cache
def engine_for(url: str) -> sa.Engine:
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        from pathlib import Path

        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, future=True)
    metadata.create_all(engine)
    return engine


class Warehouse:
    def __init__(self, url: str):
        self.url = url
        self.engine = engine_for(url)

    def replace_year(
        self, year: int, rows_by_table: Mapping[sa.Table, Iterable[Mapping[str, Any]]]
    ) -> dict[str, int]:
        """Replace the year's slice of each table in one transaction; returns rows written."""
        written = {}
        with self.engine.begin() as conn:
            for table, rows in rows_by_table.items():
                conn.execute(table.delete().where(table.c.report_year == year))
                batch = [{**row, "report_year": year} for row in rows]
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

    def years_present(self, table: sa.Table) -> set[int]:
        with self.engine.connect() as conn:
            return set(conn.scalars(sa.select(table.c.report_year).distinct()))


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


def year_money(store: Warehouse, year: int) -> tuple[Decimal, Decimal, Decimal]:
    """ALIS grant, own share and costs charged to Helsedirektoratet for one year, in NOK."""
    from alis_nord.money import from_ore

    with store.engine.connect() as conn:
        grant, own_share = conn.execute(
            sa.select(
                sa.func.coalesce(sa.func.sum(alis_grant_entitlement.c.tilskudd_ore), 0),
                sa.func.coalesce(sa.func.sum(alis_grant_entitlement.c.egenandel_ore), 0),
            ).where(alis_grant_entitlement.c.report_year == year)
        ).one()
        hdir = conn.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(costs_by_source.c.belop_ore), 0)).where(
                costs_by_source.c.report_year == year,
                costs_by_source.c.finansieringskilde == "helsedirektoratet",
            )
        )
    return from_ore(int(grant)), from_ore(int(own_share)), from_ore(int(hdir))


def helsedirektoratet_use_by_year(store: Warehouse, current_year: int) -> dict[int, Decimal]:
    """Per year: ALIS grant + costs charged to Helsedirektoratet, in NOK.

    An earlier year counts once its whole budget stage has run (it has a ``grant_use`` row);
    the current year's budget assets have just run in this materialization.
    """
    years = {y for y in store.years_present(grant_use) if y != current_year} | {current_year}
    result = {}
    for year in sorted(years):
        grant, _, hdir = year_money(store, year)
        result[year] = grant + hdir
    return result


def grant_use_of(store: Warehouse, year: int):
    """The stored ``grant_use`` row of a year as a ``GrantUse``."""
    from alis_nord.budget import GrantUse
    from alis_nord.money import from_ore

    (row,) = store.rows(grant_use, year)
    missing = tuple(int(y) for y in row["years_missing"].split(",") if y)
    return GrantUse(
        year,
        from_ore(row["grant_total_ore"]),
        from_ore(row["used_in_year_ore"]),
        from_ore(row["used_cumulative_ore"]),
        from_ore(row["remaining_ore"]),
        missing,
    )
