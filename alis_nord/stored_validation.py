"""A year's validation outcome (``alis_nord.validation_results``) as rows of the warehouse tables
of the same names (``alis_nord.schema``): the accepted rows of each table, what became of each
delivered table, the quarantined rows and the findings. The ``validated_submissions`` asset
stores them.
"""

from __future__ import annotations

from typing import Any

from alis_nord.contract import table_contracts
from alis_nord.validation_results import YearValidation

# Stored per row beside the provenance columns; kommunenummer and rapportaar come from the
# file and the year, and the voucher amount is stored as whole øre (belop_ore).
_PROVENANCE_COLUMNS = ("kommunenummer", "rapportaar")


def _stored_columns(table: str) -> list[str]:
    return [
        c.name
        for c in table_contracts()[table].columns
        if c.name not in _PROVENANCE_COLUMNS and c.type != "money"
    ]


def warehouse_rows(validation: YearValidation) -> dict[str, list[dict[str, Any]]]:
    """The validation outcome as rows for the warehouse tables of the same names."""
    from alis_nord.money import to_ore

    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in table_contracts()}
    for table in table_contracts():
        columns = _stored_columns(table)
        for accepted in validation.accepted(table):
            row = {
                "kommunenummer": accepted["kommunenummer"],
                "file": accepted["file"],
                "row_number": accepted["row_number"],
                **{column: accepted[column] for column in columns},
            }
            if table == "kostnader":
                row["belop_ore"] = to_ore(accepted["belop"])
            rows[table].append(row)
    rows["table_deliveries"] = [
        {
            "kommunenummer": t.kommunenummer,
            "table_name": t.table,
            "file": t.file,
            "rows_received": t.rows_received,
            "rows_accepted": len(t.accepted),
            "rows_quarantined": len(t.quarantined),
            "rejected": t.rejected,
        }
        for t in validation.tables
    ]
    rows["quarantined_rows"] = [
        {
            "kommunenummer": q.kommunenummer,
            "file": q.file,
            "table_name": q.table,
            "row_number": q.row,
            "raw_values": q.values,
        }
        for q in validation.quarantined
    ]
    rows["findings"] = [
        {
            "kommunenummer": f.kommunenummer,
            "file": f.file,
            "table_name": f.table,
            "row_number": f.row,
            "column_name": f.column,
            "rule": f.rule,
            "severity": f.severity,
            "value": f.value,
            "message": f.message,
        }
        for f in validation.findings
    ]
    return rows
