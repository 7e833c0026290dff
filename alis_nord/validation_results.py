"""What validating a year's submissions produces (``alis_nord.validation``): findings, and every
data row of a delivered table accepted or quarantined.

Every quarantined row is covered by a finding: a row-level finding for an ``error``, or the
table's ``fatal`` finding (row empty) when the whole table is rejected. Messages are bokmål, for
the municipal clerk, from the contract's rule templates (``finding``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from alis_nord.contract import all_rules
from alis_nord.landing import TableSource
from alis_nord.readers import RawRow
from alis_nord.values import display


@dataclass(frozen=True)
class Finding:
    kommunenummer: str
    file: str
    table: str
    row: int | None
    column: str
    rule: str
    severity: str
    value: str
    message: str


@dataclass
class QuarantinedRow:
    kommunenummer: str
    file: str
    table: str
    row: int
    values: dict[str, str | None]


@dataclass
class TableResult:
    """What became of one table a municipality delivered."""

    kommunenummer: str
    table: str
    file: str
    rows_received: int = 0
    accepted: list[dict[str, Any]] = field(default_factory=list)
    quarantined: list[QuarantinedRow] = field(default_factory=list)
    rejected: bool = False


@dataclass
class YearValidation:
    year: int
    tables: list[TableResult]
    findings: list[Finding]

    def accepted(self, table: str) -> list[dict[str, Any]]:
        return [row for result in self.tables if result.table == table for row in result.accepted]

    @property
    def quarantined(self) -> list[QuarantinedRow]:
        return [row for result in self.tables for row in result.quarantined]

    @property
    def rows_received(self) -> int:
        return sum(result.rows_received for result in self.tables)


def finding(
    source: TableSource, rule: str, row: int | None, column: str, value: Any, **context: Any
) -> Finding:
    """The finding of ``rule`` about a table source (a row of it, or the whole table when ``row``
    is None), its message the rule's bokmål template filled with ``context``."""
    template = all_rules()[rule]
    message = template.message(column=column, value=display(value), **context)
    return Finding(
        source.kommunenummer,
        source.path,
        source.table,
        row,
        column,
        rule,
        template.severity,
        display(value),
        (f"Rad {row}: " if row is not None else "") + message,
    )


def quarantine(source: TableSource, row: RawRow) -> QuarantinedRow:
    """A row kept out, with its values as the file had them."""
    values = {name: (None if v is None else display(v)) for name, v in row.values.items()}
    return QuarantinedRow(source.kommunenummer, source.path, source.table, row.row_number, values)
