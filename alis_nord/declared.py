"""What an asset or check may touch of the warehouse: the tables it declares, and no other.

An asset declares the tables it reads (``reads=``, an ``alis_nord.stored.Reads``) and the tables
it writes (``writes=``); the adapter (``glue.yearly``) hands its body a ``DeclaredTables`` for the
report year, built on the warehouse's public methods. Reading a table it did not declare, or
writing one it does not declare it writes, raises ``UndeclaredTable``. Tables are named by their
table name (``alis_nord.schema``).

Nothing here imports SQLAlchemy or Dagster at load: the adapter imports it with the code location.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from alis_nord.stored import NOTHING, Reads, StoredRows

if TYPE_CHECKING:
    from alis_nord.reference import ReferenceData
    from alis_nord.warehouse import Warehouse

REFERENCE_TABLE = "reference_data"


class UndeclaredTable(LookupError):
    """A body read a table it did not declare, or wrote one it does not declare it writes."""


@dataclass(frozen=True)
class Declaration:
    """What an asset or check (``name``) reads and writes."""

    name: str
    reads: Reads = NOTHING
    writes: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.reads.tables or self.writes)


class DeclaredTables:
    """The warehouse as one asset or check sees it for one report year: what it declared."""

    def __init__(self, warehouse: Warehouse, year: int, declaration: Declaration):
        self.year = year
        self.declaration = declaration
        self._warehouse = warehouse

    def rows(self, table: str, order_by: Iterable[str] = ()) -> list[dict[str, Any]]:
        """The report year's slice of a table (``Warehouse.rows``), in the database's order unless
        ``order_by`` names columns."""
        self._reads(table, self.declaration.reads.this_year, "reads=Reads((…))")
        return self._warehouse.rows(_table(table), self.year, order_by=order_by)

    def every_year(self, table: str) -> list[dict[str, Any]]:
        """Every year's rows of a table, oldest year first, in a fixed order."""
        self._reads(table, self.declaration.reads.every_year, "reads=Reads((), (…))")
        return self._warehouse.every_year(_table(table))

    def count(self, table: str) -> int:
        """How many rows the report year's slice of a table has."""
        import sqlalchemy as sa

        self._reads(table, self.declaration.reads.this_year, "reads=Reads((…))")
        stored = _table(table)
        query = sa.select(sa.func.count()).select_from(stored).where(stored.c.report_year == self.year)
        with self._warehouse.engine.connect() as conn:
            return int(conn.scalar(query))

    def reference(self) -> ReferenceData:
        """The reference data stored for the report year (``Warehouse.reference``)."""
        self._reads(REFERENCE_TABLE, self.declaration.reads.this_year, "reads=… + REFERENCE_DATA")
        return self._warehouse.reference(self.year)

    def stored_rows(self, reads: Reads | None = None, year: int | None = None) -> StoredRows:
        """``reads`` (by default everything declared) as a computing module reads it, for the
        report year or, of the tables declared for it, another ``year``."""
        reads = self.declaration.reads if reads is None else reads
        for table in reads.this_year:
            self._reads(table, self.declaration.reads.this_year, "reads=Reads((…))")
        for table in reads.every_year:
            self._reads(table, self.declaration.reads.every_year, "reads=Reads((), (…))")
        return self._warehouse.stored_rows(self.year if year is None else year, reads)

    def replace(self, rows_by_table: Mapping[str, Iterable[Any]]) -> dict[str, int]:
        """Replace the report year's slice of each table in one transaction; rows written."""
        for table in rows_by_table:
            if table not in self.declaration.writes:
                raise UndeclaredTable(
                    f"{self.declaration.name} writes {table!r}, which it does not declare: "
                    f"add it to writes= (it declares {', '.join(self.declaration.writes) or 'none'})"
                )
        return self._warehouse.replace_year(
            self.year, {_table(table): rows for table, rows in rows_by_table.items()}
        )

    def _reads(self, table: str, declared: tuple[str, ...], how: str) -> None:
        if table not in declared:
            raise UndeclaredTable(
                f"{self.declaration.name} reads {table!r}, which it does not declare that way: "
                f"add it to {how} (alis_nord.stored)"
            )


def _table(name: str):
    from alis_nord.schema import metadata

    return metadata.tables[name]
