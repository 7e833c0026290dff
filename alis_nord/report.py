"""The report year's outputs: ``summary.json``, ``findings.csv`` and the status report PDF.

Python computes, templates format: ``report_context`` prepares every figure, the Jinja2
templates in ``report_templates/`` only lay them out with the filters of ``alis_nord.norsk``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

from alis_nord import warehouse as tables
from alis_nord.landing import STATUS_NB
from alis_nord.money import from_ore, money_text
from alis_nord.reference import ReferenceData
from alis_nord.warehouse import Warehouse

FINDINGS_COLUMNS = ["kommunenummer", "file", "table", "row", "column", "rule", "severity", "value", "message"]
RECIPIENT = "Helsedirektoratet"
SENDER = "Bodø kommune, prosjekteier for ALIS-Nord"


def report_number(year: int, grant_first_year: int) -> int:
    """Counted from the first year of Helsedirektoratet's grant: 2019 → 1, 2020 → 2."""
    return year - grant_first_year + 1


def report_date(year: int) -> dt.date:
    """The date printed on the report: 31 March after the report year, when the status report
    is due. Taken from the year, never from the clock, so a re-run gives the same document."""
    return dt.date(year + 1, 3, 31)


def missing_participants(year: int, reference: ReferenceData, store: Warehouse):
    """Participants of the year that delivered no readable table (none, or only rejected ones)."""
    readable = {d["kommunenummer"] for d in store.rows(tables.table_deliveries, year) if not d["rejected"]}
    return [p for p in reference.participants_in(year) if p.kommunenummer not in readable]


def build_summary(year: int, reference: ReferenceData, store: Warehouse) -> dict[str, Any]:
    """The key figures of ``outputs.md`` for one year, from the warehouse."""
    grant = reference.helsedirektoratet_grant()
    expected = [p.kommunenummer for p in reference.participants_in(year)]
    deliveries = store.rows(tables.table_deliveries, year)
    missing = [p.kommunenummer for p in missing_participants(year, reference, store)]
    alis_rows = store.rows(tables.alis, year)
    entitlement = store.rows(tables.alis_grant_entitlement, year)
    costs = {source: Decimal("0.00") for source in ("helsedirektoratet", "statsforvalter", "egenandel")}
    for line in store.rows(tables.costs_by_source, year):
        costs[line["finansieringskilde"]] += from_ore(line["belop_ore"])
    use = store.rows(tables.grant_use, year)[0]
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
        "alis_grant_nok": money_text(from_ore(sum(e["tilskudd_ore"] for e in entitlement))),
        "egenandel_nok": money_text(from_ore(sum(e["egenandel_ore"] for e in entitlement))),
        "costs_nok": {source: money_text(amount) for source, amount in costs.items()},
        "grant": {
            "total_nok": money_text(from_ore(use["grant_total_ore"])),
            "used_cumulative_nok": money_text(from_ore(use["used_cumulative_ore"])),
            "remaining_nok": money_text(from_ore(use["remaining_ore"])),
        },
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


def sorted_findings(store: Warehouse, year: int) -> list[dict[str, Any]]:
    severity_order = {"fatal": 0, "error": 1, "warning": 2}
    return sorted(
        store.rows(tables.findings, year),
        key=lambda f: (
            f["kommunenummer"],
            f["file"],
            f["table_name"],
            f["row_number"] or 0,
            severity_order[f["severity"]],
            f["column_name"],
            f["rule"],
        ),
    )


def write_text_atomically(path: Path, text: str) -> None:
    write_bytes_atomically(path, text.encode("utf-8"))


def write_bytes_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


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


# ---------------------------------------------------------------- the PDF


def report_context(
    year: int, summary: dict[str, Any], reference: ReferenceData, store: Warehouse
) -> dict[str, Any]:
    """Every figure the report shows, computed; the templates only format."""
    grant = reference.helsedirektoratet_grant()
    plan_by_year = reference.plan_by_year()
    budget_years = []
    for row in sorted(store.rows(tables.grant_use), key=lambda r: r["report_year"]):
        y = row["report_year"]
        if not grant.fra_aar <= y <= min(year, grant.til_aar):
            continue
        budget_years.append(
            {
                "year": y,
                "plan": plan_by_year.get(y, Decimal("0.00")),
                "alis_grant": from_ore(row["alis_grant_ore"]),
                "helsedirektoratet_costs": from_ore(row["helsedirektoratet_costs_ore"]),
                "used": from_ore(row["used_in_year_ore"]),
                "used_cumulative": from_ore(row["used_cumulative_ore"]),
                "remaining": from_ore(row["remaining_ore"]),
            }
        )
    names = {p.kommunenummer: p.navn for p in reference.participants}
    files = [
        {**f, "status_nb": STATUS_NB[f["status"]]}
        for f in sorted(store.rows(tables.input_files, year), key=lambda f: f["path"])
    ]
    use = store.rows(tables.grant_use, year)[0]
    return {
        "year": year,
        "summary": summary,
        "report_number": summary["report_number"],
        "report_date": report_date(year),
        "period_start": dt.date(year, 1, 1),
        "period_end": dt.date(year, 12, 31),
        "sender": SENDER,
        "recipient": RECIPIENT,
        "grant": grant,
        "grant_total": from_ore(use["grant_total_ore"]),
        "used_cumulative": from_ore(use["used_cumulative_ore"]),
        "remaining": from_ore(use["remaining_ore"]),
        "years_missing": [int(y) for y in use["years_missing"].split(",") if y],
        "alis_grant": Decimal(summary["alis_grant_nok"]),
        "egenandel": Decimal(summary["egenandel_nok"]),
        "costs": {source: Decimal(amount) for source, amount in summary["costs_nok"].items()},
        "budget_years": budget_years,
        "missing": [{"kommunenummer": k, "navn": names.get(k, k)} for k in summary["submissions"]["missing"]],
        "files": files,
        "code_version": code_version(),
    }


def render_html(context: dict[str, Any]) -> str:
    from alis_nord.rendering import render

    return render("statusrapport.html.j2", **context)


def render_pdf(html: str) -> bytes:
    """PDF/A-2a (archival, tagged) with the document language from ``<html lang="nb">``."""
    from weasyprint import HTML

    from alis_nord.rendering import TEMPLATE_DIR

    return HTML(string=html, base_url=str(TEMPLATE_DIR)).write_pdf(pdf_variant="pdf/a-2a")
