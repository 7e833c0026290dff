"""Validating a year's submissions against the contract in ``data_contracts/``.

Every data row ends accepted or quarantined, and every quarantined row is covered by a
finding (``alis_nord.validation_results``). This module reads each delivered table and applies
the rules that decide whether it is taken in at all, and the column types; the contract's other
rules run over every row of a table type at once (``alis_nord.contract_rules``).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from alis_nord.contract import TableContract, column_types, table_contracts
from alis_nord.contract_rules import OpenTable, suite_findings
from alis_nord.landing import INVALID_NAME, TableSource, YearInventory, sha256_of
from alis_nord.readers import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    RawTable,
    ReadFailure,
    fold,
    header_row_candidate,
    read_csv,
    read_workbook_table,
    workbook_sheets,
)
from alis_nord.reference import ReferenceData
from alis_nord.validation_results import Finding, TableResult, YearValidation, finding, quarantine
from alis_nord.values import ALIS_ID, convert, display
from alis_nord.vocabulary import ERROR


def _fmt(number: Any) -> str:
    return f"{number:,}".replace(",", " ").replace(".", ",") if isinstance(number, int) else str(number)


# ---------------------------------------------------------------- the validator
#
# 1. Each delivered table is read; the fatal rules (unreadable, encoding, missing_sheet,
#    not_participant, too_large, missing_column) decide whether it is taken in at all.
# 2. Every row of the tables taken in is parsed into typed values: a cell that is not of
#    its column's type is an `invalid_value` finding (parsing Norwegian forms is the
#    contract's type definition, done here).
# 3. All rows of one table type are validated at once by the great-expectations suite
#    derived from data_contracts/<table>.yaml (alis_nord.contract_rules, alis_nord.expectations):
#    every other rule.
# 4. A row with an `error` finding is quarantined; warnings keep it.


def _not_participant_hint(source: TableSource, reference: ReferenceData, year: int) -> str:
    """What a sender that is no participant should do: for a participant's earlier number (Harstad's
    1903 in 2020), its number this year and the exact name to send the table under."""
    from pathlib import PurePosixPath

    from alis_nord.landing import resend_name

    current = reference.current_number(source.kommunenummer, year)
    if current is None:
        return "Kontroller kommunenummeret i filnavnet (nye nummer fra 2020 og 2024)."
    name = resend_name(PurePosixPath(source.path).name, current.kommunenummer)
    return (
        f"{source.kommunenummer} {current.when}; i {year} har {current.navn} nummeret "
        f"{current.kommunenummer}. Send tabellen på nytt som {name}, med {current.kommunenummer} også i "
        "kolonnen kommunenummer."
    )


def _fatal(
    source: TableSource, raw: RawTable | ReadFailure, size: int, reference: ReferenceData, year: int
) -> Finding | None:
    """The table-level rule that rejects the whole table, if any (checked in this order)."""
    common = {"year": year, "file_kommunenummer": source.kommunenummer, "table": source.table}
    if isinstance(raw, ReadFailure):
        return finding(source, raw.rule, None, "", "", detail=raw.detail, **common)
    if not reference.takes_part(source.kommunenummer, year):
        return finding(
            source,
            "not_participant",
            None,
            "",
            "",
            detail=_not_participant_hint(source, reference, year),
            **common,
        )
    if size > MAX_FILE_BYTES or len(raw.rows) > MAX_ROWS:
        detail = f"{_fmt(len(raw.rows))} rader, {_fmt(size)} byte"
        return finding(source, "too_large", None, "", "", detail=detail, **common)
    columns = [c.name for c in table_contracts()[source.table].columns]
    missing = [name for name in columns if fold(name) not in raw.columns]
    if missing and (header_row := header_row_candidate(raw, columns)):
        return finding(source, "header_not_first_row", None, "", "", detail=str(header_row), **common)
    if missing:
        detail = f"kolonnen{'e' if len(missing) > 1 else ''} {', '.join(missing)}"
        return finding(source, "missing_column", None, "", "", detail=detail, **common)
    return None


def _parse_rows(table: OpenTable, contract: TableContract, year: int, findings: list[Finding]) -> None:
    """Typed values for every row; cells of the wrong type become `invalid_value` findings."""
    types = column_types()
    for row in table.raw.rows:
        typed: dict[str, Any] = {}
        for column in contract.columns:
            value = row.get(column.name)
            typed[column.name] = None
            if value is None:
                continue
            try:
                typed[column.name] = convert(column, value)
            except LookupError:  # not a valid code: the suite's invalid_code rule reports it
                typed[column.name] = display(value).strip()
            except (ValueError, ArithmeticError):
                findings.append(
                    finding(
                        table.source,
                        "invalid_value",
                        row.row_number,
                        column.name,
                        value,
                        hint=types[column.type].hint,
                        year=year,
                    )
                )
        table.typed.append(typed)


# How a spreadsheet set to American English writes a date (03/15/2021, 3/15/21) and an amount
# (12,500.50) when it exports CSV. Neither is ever guessed; the file gets one hint besides the
# cell findings, since one setting is the cause of them all.
_AMERICAN_DATE = re.compile(r"^\s*\d{1,2}/\d{1,2}/\d{2}(\d{2})?\s*$")
_AMERICAN_AMOUNT = re.compile(r"^\s*-?\d{1,3}(,\d{3})+\.\d+\s*$")


def _american_settings(table: OpenTable, contract: TableContract) -> Finding | None:
    """One file-level hint when text cells look exported with American settings."""
    for row in table.raw.rows:
        for column in contract.columns:
            value = row.get(column.name)
            if not isinstance(value, str):
                continue
            if column.type == "date" and _AMERICAN_DATE.match(value):
                example = f"datoen «{value.strip()}» i rad {row.row_number}"
            elif column.type in ("money", "decimal") and _AMERICAN_AMOUNT.match(value):
                example = f"tallet «{value.strip()}» i rad {row.row_number}"
            else:
                continue
            return finding(table.source, "american_settings", None, "", "", detail=f"for eksempel {example}")
    return None


def _read_source(
    landing_dir: Path, source: TableSource, cache: dict[str, Any], only_table: bool, expected_sha: str | None
) -> tuple[RawTable | ReadFailure, int]:
    path = landing_dir / source.path
    if source.path not in cache and (size := path.stat().st_size) > MAX_FILE_BYTES:
        cache[source.path] = (ReadFailure("too_large", f"{_fmt(size)} byte"), size)  # never read into memory
    if source.path not in cache:
        data = path.read_bytes()
        if expected_sha is not None and sha256_of(data) != expected_sha:
            raise LandingAreaChanged(
                f"{source.path} changed after the inventory was taken; materialize landing_files again"
            )
        cache[source.path] = (read_csv(data) if source.kind == "csv" else workbook_sheets(data), len(data))
    content, size = cache[source.path]
    if isinstance(content, ReadFailure) or source.kind == "csv":
        return content, size
    return read_workbook_table(content, source.table, only_table), size


class LandingAreaChanged(RuntimeError):
    """A file changed between taking the inventory and reading it: the run must start over."""


def _file_name_findings(inventory: YearInventory) -> list[Finding]:
    findings = []
    for entry in inventory.files:
        if entry.status == INVALID_NAME:
            name = entry.path.rsplit("/", 1)[-1]
            source = TableSource(name[:4] if re.match(r"^\d{4}", name) else "", "", entry.path, 0, "")
            findings.append(finding(source, "file_name", None, "", name))
    return findings


def validate_year(landing_dir: Path, inventory: YearInventory, reference: ReferenceData) -> YearValidation:
    """Validate every table source of one year. Never raises for a bad submission file."""
    year = inventory.year
    findings = _file_name_findings(inventory)
    contracts = table_contracts()
    tables_in_file = Counter(s.path for s in inventory.sources)
    hashes = {entry.path: entry.sha256 for entry in inventory.files}
    cache: dict[str, Any] = {}
    results: list[TableResult] = []
    taken_in: dict[str, list[OpenTable]] = {name: [] for name in contracts}

    for source in sorted(inventory.sources, key=lambda s: (s.kommunenummer, s.table)):
        raw, size = _read_safely(
            landing_dir, source, cache, tables_in_file[source.path] == 1, hashes.get(source.path)
        )
        result = TableResult(source.kommunenummer, source.table, source.path)
        results.append(result)
        table = _take_in(source, raw, size, result, contracts[source.table], reference, year, findings)
        if table is not None:
            taken_in[source.table].append(table)

    findings += _rule_findings(taken_in, contracts, year)
    _accept_or_quarantine(taken_in, findings)
    findings.sort(key=lambda f: (f.kommunenummer, f.file, f.table, f.row or 0, f.column, f.rule))
    return YearValidation(year, results, findings)


def _read_safely(
    landing_dir: Path, source: TableSource, cache: dict[str, Any], only_table: bool, expected_sha: str | None
) -> tuple[RawTable | ReadFailure, int]:
    """``_read_source``; a crash reading one file makes that file unreadable, never stops the year
    (a file changed since the inventory does)."""
    try:
        return _read_source(landing_dir, source, cache, only_table, expected_sha)
    except LandingAreaChanged:
        raise
    except Exception as exc:  # a crash in one file never stops the year
        return ReadFailure("unreadable", f"Filen kunne ikke leses ({type(exc).__name__})."), 0


def _take_in(
    source: TableSource,
    raw: RawTable | ReadFailure,
    size: int,
    result: TableResult,
    contract: TableContract,
    reference: ReferenceData,
    year: int,
    findings: list[Finding],
) -> OpenTable | None:
    """The table with its rows typed, or ``None`` when a fatal rule rejects it whole (every row
    quarantined); its findings are added to ``findings``."""
    fatal = _fatal(source, raw, size, reference, year)
    if fatal is not None:
        findings.append(fatal)
        result.rejected = True
        rows = raw.rows if isinstance(raw, RawTable) else []
        result.rows_received = len(rows)
        result.quarantined = [quarantine(source, row) for row in rows]
        return None
    result.rows_received = len(raw.rows)
    table = OpenTable(source, raw, result)
    _parse_rows(table, contract, year, findings)
    if hint := _american_settings(table, contract):
        findings.append(hint)
    return table


def _rule_findings(
    taken_in: dict[str, list[OpenTable]], contracts: dict[str, TableContract], year: int
) -> list[Finding]:
    """The contract's other rules over every table taken in, table type by table type."""
    known_alis_keys = {
        f"{t.source.kommunenummer}:{typed['alis_id']}"
        for t in taken_in["alis"]
        for typed in t.typed
        if typed.get("alis_id") and ALIS_ID.match(typed["alis_id"])
    }
    findings: list[Finding] = []
    for name, contract in contracts.items():
        findings.extend(suite_findings(taken_in[name], contract, year, known_alis_keys))
    for table in taken_in["fastlegedekning"]:
        if not table.raw.rows:  # an empty table has no rows for the suite to see
            findings.append(finding(table.source, "not_one_row", None, "", 0, count=0))
    return findings


def _accept_or_quarantine(taken_in: dict[str, list[OpenTable]], findings: list[Finding]) -> None:
    """A row with an error finding is quarantined; every other row of a table taken in is accepted."""
    errors = {(f.file, f.table, f.row) for f in findings if f.severity == ERROR and f.row is not None}
    for name, tables in taken_in.items():
        for table in tables:
            for raw, typed in zip(table.raw.rows, table.typed, strict=True):
                if (table.source.path, name, raw.row_number) in errors:
                    table.result.quarantined.append(quarantine(table.source, raw))
                else:
                    table.result.accepted.append(
                        {**typed, "row_number": raw.row_number, "file": table.source.path}
                    )
