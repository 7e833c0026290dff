"""The report year's machine outputs, ``summary.json`` and ``findings.csv``, and what the
status report shares with them (report number, code version). Computed from stored rows.

The status report itself: its figures per section ``alis_nord.report_context``, its HTML and PDF
``alis_nord.report_pdf``, its files for the portal ``alis_nord.report_bundle``.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

from alis_nord.budget import (
    cost_lines_from_rows,
    costs_per_source,
    entitlement_totals,
    entitlements_from_rows,
    payments_from_rows,
    unused_from_rows,
)
from alis_nord.money import from_ore, money_text
from alis_nord.reference import ReferenceData
from alis_nord.stored import StoredRows
from alis_nord.vocabulary import SEVERITY_RANK

FINDINGS_COLUMNS = ["kommunenummer", "file", "table", "row", "column", "rule", "severity", "value", "message"]
RECIPIENT = "Helsedirektoratet"


def report_number(year: int, grant_first_year: int) -> int:
    """Counted from the first year of Helsedirektoratet's grant: 2019 → 1, 2020 → 2."""
    return year - grant_first_year + 1


def missing_participants(year: int, reference: ReferenceData, deliveries: list[dict[str, Any]]):
    """Participants of the year that delivered no readable table (none, or only rejected ones)."""
    readable = {d["kommunenummer"] for d in deliveries if not d["rejected"]}
    return [p for p in reference.participants_in(year) if p.kommunenummer not in readable]


def payments_block(rows: StoredRows) -> dict[str, Any]:
    """summary.json's ``payments``: received per source, in the year and up to its end."""
    payments = payments_from_rows(rows["grant_payments"])
    if not payments:
        return {"registered": False}
    return {
        "registered": True,
        **{
            p.kilde: {
                "in_year_nok": money_text(p.received_in_year),
                "cumulative_nok": money_text(p.received_cumulative),
            }
            for p in payments.values()
        },
    }


def unused_block(rows: StoredRows) -> dict[str, Any]:
    """summary.json's ``unused``: received − used per source up to the end of the year; in the
    grant period's last year, what must be repaid or a transfer applied for."""
    funds = unused_from_rows(rows["unused_funds"])
    if not funds:
        return {"registered": False}
    return {
        "registered": True,
        "final_year": funds[0].final_year,
        **{f"{f.kilde}_nok": money_text(f.unused) for f in funds},
    }


def build_summary(year: int, reference: ReferenceData, rows: StoredRows) -> dict[str, Any]:
    """The key figures of ``docs/outputs.md`` for one year, from the stored rows
    ``alis_nord.stored.SUMMARY`` names."""
    grant = reference.helsedirektoratet_grant()
    expected = [p.kommunenummer for p in reference.participants_in(year)]
    deliveries = rows["table_deliveries"]
    missing = [p.kommunenummer for p in missing_participants(year, reference, deliveries)]
    alis_rows = rows["alis"]
    alis_grant, egenandel = entitlement_totals(entitlements_from_rows(rows["alis_grant_entitlement"]))
    costs = costs_per_source(cost_lines_from_rows(rows["costs_by_source"]))
    use = rows["grant_use"][0]
    return {
        "year": year,
        "report_number": report_number(year, grant.fra_aar),
        "submissions": {
            "expected": len(expected),
            "received": len(expected) - len(missing),
            "missing": missing,
        },
        "tables_rejected": sum(1 for d in deliveries if d["rejected"]),
        "rows": {
            "received": sum(d["rows_received"] for d in deliveries),
            "accepted": sum(d["rows_accepted"] for d in deliveries),
            "quarantined": sum(d["rows_quarantined"] for d in deliveries),
        },
        "alis": {
            "count": len(alis_rows),
            "fastlonn": sum(1 for a in alis_rows if a["tilsettingsform"] == "fastlønn"),
            "naeringsdrift": sum(1 for a in alis_rows if a["tilsettingsform"] == "næringsdrift"),
        },
        "alis_grant_nok": money_text(alis_grant),
        "egenandel_nok": money_text(egenandel),
        "costs_nok": {source: money_text(amount) for source, amount in costs.items()},
        "grant": {
            "total_nok": money_text(from_ore(use["grant_total_ore"])),
            "used_cumulative_nok": money_text(from_ore(use["used_cumulative_ore"])),
            "remaining_nok": money_text(from_ore(use["remaining_ore"])),
        },
        "payments": payments_block(rows),
        "unused": unused_block(rows),
    }


def spreadsheet_safe(text: str) -> str:
    """Text that a spreadsheet will show as text, never run as a formula (OWASP CSV injection):
    a cell starting with = + - @ or a control character gets a leading apostrophe, unless it
    is a plain number such as ``-1500,00``."""
    if text and text[0] in "=+-@\t\r":
        candidate = text.replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            Decimal(candidate)
            return text
        except ArithmeticError:
            return "'" + text
    return text


def findings_csv(findings: list[dict[str, Any]]) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FINDINGS_COLUMNS)
    for f in findings:
        writer.writerow(
            [
                f["kommunenummer"],
                f["file"],
                f["table_name"],
                "" if f["row_number"] is None else f["row_number"],
                f["column_name"],
                f["rule"],
                f["severity"],
                spreadsheet_safe(f["value"]),
                spreadsheet_safe(f["message"]),
            ]
        )
    return out.getvalue()


def sorted_findings(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Findings as findings.csv lists them: by municipality, file, table and row, the most
    serious first."""
    return sorted(
        findings,
        key=lambda f: (
            f["kommunenummer"],
            f["file"],
            f["table_name"],
            f["row_number"] or 0,
            SEVERITY_RANK[f["severity"]],
            f["column_name"],
            f["rule"],
        ),
    )


def summary_json(summary: dict[str, Any]) -> str:
    return json.dumps(summary, indent=2, ensure_ascii=False) + "\n"


def code_version() -> str:
    """The commit the pipeline ran from (with ``-dirty`` for local changes), for traceability."""
    root = Path(__file__).resolve().parent.parent
    try:
        described = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--abbrev=12"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        return described or "ukjent"
    except (OSError, subprocess.SubprocessError):
        return "ukjent"
