"""Stored rows as the computing modules see them: plain data, no database.

- ``StoredRows``: what a computation reads, by table name (the warehouse fills it).
- What each computation reads, declared once here: an asset passes these as ``reads=``, its
  dependencies follow from them (``glue.lineage``), and its body can read only these tables
  (``alis_nord.declared``).
- ``figure_row`` / ``figure_from_row``: one stored figure (a dataclass of ``alis_nord.budget``)
  to and from its warehouse row. The table's columns are the one declaration
  (``alis_nord.schema``); the names follow one convention: a money column ``<name>_ore`` holds
  the ``Decimal`` attribute ``<name>`` in whole øre, ``report_year`` is the attribute ``year``, a
  tuple of years is stored as comma-separated text, every other column has its attribute's name.

Nothing here imports SQLAlchemy or Dagster: it loads in a few milliseconds.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from alis_nord.money import from_ore, to_ore

MONEY_SUFFIX = "_ore"
YEAR_COLUMN = "report_year"
T = TypeVar("T")


@dataclass(frozen=True)
class StoredRows:
    """Rows read from the warehouse for one report year, by table name. ``rows["alis"]`` is the
    year's slice; ``rows.every_year["grant_use"]`` every year's rows. Computing modules (the
    report, the workbook, the feedback pages) take this, never the warehouse itself."""

    year: int
    this_year: Mapping[str, list[dict[str, Any]]]
    every_year: Mapping[str, list[dict[str, Any]]] = field(default_factory=dict)

    def __getitem__(self, table_name: str) -> list[dict[str, Any]]:
        return self.this_year[table_name]

    def up_to_year(self, table_name: str) -> list[dict[str, Any]]:
        """Every year's rows of a table up to and including this report year."""
        return [r for r in self.every_year[table_name] if r["report_year"] <= self.year]


@dataclass(frozen=True)
class Reads:
    """The tables a computation reads: the report year's slice of some, every year of others."""

    this_year: tuple[str, ...] = ()
    every_year: tuple[str, ...] = ()

    def __add__(self, other: Reads) -> Reads:
        def merged(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(dict.fromkeys(first + second))

        return Reads(merged(self.this_year, other.this_year), merged(self.every_year, other.every_year))

    @property
    def tables(self) -> frozenset[str]:
        return frozenset(self.this_year) | frozenset(self.every_year)


# ---------------------------------------------------------------- what each computation reads

NOTHING = Reads()  # from the warehouse: the ingest assets read the landing area itself
# The reference data every figure of a year is computed from (``DeclaredTables.reference``).
REFERENCE_DATA = Reads(("reference_data",))
# summary.json (alis_nord.report.build_summary)
SUMMARY = Reads(
    (
        "table_deliveries",
        "alis",
        "alis_grant_entitlement",
        "costs_by_source",
        "grant_use",
        "grant_payments",
        "unused_funds",
    )
)
# the accounts per budget line, for the year and the period (alis_nord.financial_report.account_lines)
ACCOUNTS = Reads(("budget_plan_vs_actual",), ("grant_use", "costs_by_source"))
# the financial report and the auditor's page (alis_nord.financial_report)
FINANCIAL = Reads(("grant_payments", "unused_funds")) + ACCOUNTS
# the auditor's file (alis_nord.auditor_file): every year's vouchers, ALIS grant computations and
# input files, for the accounts lines of the year and of the grant period
AUDIT = Reads((), ("kostnader", "alis_grant_entitlement", "input_files"))
# the status report (alis_nord.report_context) with its reporting sheet and auditor's file: the
# year's slice, every year's grant use, and the person tables of each earlier year (``TREND``,
# for the trend of objective 5)
STATUS_REPORT = (
    Reads(
        (
            "alis",
            "fastlegedekning",
            "findings",
            "table_deliveries",
            "input_files",
            "reference_files",
            "costs_by_source",
            "grant_use",
            "grant_forecast",
            "grant_forecast_years",
            "budget_plan_vs_actual",
            "statsforvalter_grant_use",
            "report_summary",
            "delivery_status",
        )
    )
    + FINANCIAL
    + AUDIT
)
TREND = Reads(("alis", "fastlegedekning", "findings", "report_summary"))
# budget-<year>.xlsx (alis_nord.budget_workbook)
WORKBOOK = Reads(
    (
        "alis_grant_entitlement",
        "costs_by_source",
        "grant_use",
        "grant_forecast",
        "grant_forecast_years",
        "budget_plan_vs_actual",
        "kostnader",
        "grant_payments",
        "unused_funds",
    ),
    ("grant_use", "statsforvalter_grant_use", "costs_by_source"),
)
# each participant's status per table (alis_nord.deliveries)
DELIVERY_STATUS = Reads(("input_files", "table_deliveries", "findings"))
# the feedback pages and their e-mail (alis_nord.feedback)
FEEDBACK = Reads(("input_files", "table_deliveries", "findings", "delivery_status"))


# ---------------------------------------------------------------- stored figures


def figure_row(figure: object, columns: Iterable[str]) -> dict[str, Any]:
    """The warehouse row of a stored figure, for the table with these columns (its
    ``report_year`` is the warehouse's to set)."""
    row = {}
    for column in columns:
        if column == YEAR_COLUMN:
            continue
        if column.endswith(MONEY_SUFFIX):
            row[column] = to_ore(getattr(figure, column.removesuffix(MONEY_SUFFIX)))
            continue
        value = getattr(figure, column)
        row[column] = ",".join(map(str, value)) if isinstance(value, tuple) else value
    return row


def figure_from_row(cls: type[T], row: Mapping[str, Any], **given: Any) -> T:
    """A stored figure read back from its row; ``given`` supplies fields stored elsewhere."""
    hints = typing.get_type_hints(cls)
    values = dict(given)
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name in values:
            continue
        hint = hints[f.name]
        if f.name == "year":
            values[f.name] = row[YEAR_COLUMN]
        elif hint is Decimal:
            values[f.name] = from_ore(row[f.name + MONEY_SUFFIX])
        elif hint == tuple[int, ...]:
            values[f.name] = tuple(int(y) for y in row[f.name].split(",") if y)
        else:
            values[f.name] = row[f.name]
    return cls(**values)
