"""Which asset writes each warehouse table, and so what an asset depends on.

Every asset declares the tables it writes (``writes=`` on ``glue.yearly.yearly_asset``), and the
decorator registers them here: the writer of each table is derived from those declarations, so
a table's writer must be decorated before its readers (``assets/__init__.py`` imports the stage
modules in graph order). An asset or check declares the tables it reads
(``alis_nord.stored.Reads``); its dependencies are the assets that write them. Reading its own
table of earlier years (``grant_use``, which is cumulative) makes an asset depend on itself the
year before, so the years run oldest first. ``tests/test_lineage.py`` watches what every asset
reads and writes when it runs.
"""

from collections.abc import Iterable

from dagster import AssetDep, TimeWindowPartitionMapping

from alis_nord.stored import Reads

THE_YEAR_BEFORE = TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)

_WRITTEN_BY: dict[str, str] = {}  # every warehouse table, and the asset that replaces its year's slice


def register_writer(asset_name: str, tables: Iterable[str]) -> None:
    """Record that ``asset_name`` writes ``tables``; a table has one writer."""
    for table in tables:
        writer = _WRITTEN_BY.setdefault(table, asset_name)
        if writer != asset_name:
            raise ValueError(
                f"{asset_name} declares it writes {table!r}, which {writer} writes: one writer a table"
            )


def written_by() -> dict[str, str]:
    """Every table an asset declares it writes, and that asset, as registered so far."""
    return dict(_WRITTEN_BY)


def writers_of(reads: Reads, reader: str) -> list[str]:
    """The assets that write what ``reads`` names, by name. A table no asset (yet) declares it
    writes is an error: its writer is missing, or its module is imported after ``reader``'s."""
    unwritten = sorted(reads.tables - _WRITTEN_BY.keys())
    if unwritten:
        raise LookupError(
            f"{reader} reads {', '.join(map(repr, unwritten))}, which no asset declares it writes: "
            "declare writes= on its writer, and import the writer's module first (assets/__init__.py)"
        )
    return sorted({_WRITTEN_BY[table] for table in reads.tables})


def dependencies(asset_name: str, reads: Reads) -> list[AssetDep]:
    """An asset's dependencies: the writers of what it reads; itself the year before when it
    reads its own earlier years."""
    return [
        AssetDep(writer, partition_mapping=THE_YEAR_BEFORE) if writer == asset_name else AssetDep(writer)
        for writer in writers_of(reads, asset_name)
    ]
