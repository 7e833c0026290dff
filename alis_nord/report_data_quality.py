"""Chapter 5 of the status report, data quality: per municipality what it delivered, what
became of it and its status (table 5.1), and the findings per severity and rule (table 5.2).
``data_quality`` is the ``data_quality`` block of ``alis_nord.report_context.status_report_context``.
"""

from __future__ import annotations

from typing import Any

from alis_nord.contract import all_rules
from alis_nord.deliveries import MISSING, NOTHING_TO_REPORT
from alis_nord.disclosure import Publication
from alis_nord.feedback import feedback_pages
from alis_nord.person_counts import finding_key
from alis_nord.reference import ReferenceData
from alis_nord.stored import StoredRows
from alis_nord.vocabulary import SEVERITY_LABELS, SEVERITY_RANK, TABLE_TITLES, heading


def _delivery_note(page, year: int, status) -> str:
    """The municipality's status (``alis_nord.deliveries``), and what the office should know."""
    if not page.participant:
        return f"Ikke deltaker i {year}; filene er avvist"
    rejected = sorted({t["table_name"] for t in page.tables if t["rejected"]})
    details = []
    if rejected:
        details.append("avvist: " + ", ".join(TABLE_TITLES[t] for t in rejected))
    missing = [TABLE_TITLES[t.table_name] for t in status.tables if t.status == MISSING] if status else []
    if missing and len(missing) < len(status.tables):
        details.append("mangler: " + ", ".join(missing))
    empty = (
        [TABLE_TITLES[t.table_name] for t in status.tables if t.status == NOTHING_TO_REPORT] if status else []
    )
    if empty and status.status != NOTHING_TO_REPORT:
        details.append("ingenting å rapportere: " + ", ".join(empty))
    if page.quarantined and not rejected:
        details.append("noen rader holdt utenfor")
    label = heading(status.status) if status else ""
    return "; ".join([label, *details]) if label else "; ".join(details)


def deliveries(year: int, reference: ReferenceData, rows: StoredRows) -> list[dict[str, Any]]:
    """Table 5.1: per municipality, what it delivered, what became of it, and its status."""
    from alis_nord.deliveries import municipality_statuses, statuses_from_rows

    statuses = {
        m.kommunenummer: m
        for m in municipality_statuses(reference, statuses_from_rows(rows["delivery_status"]), year)
    }
    return [
        {
            "label": f"{page.navn} ({page.kommunenummer})",
            "tables": len({t["table_name"] for t in page.tables if not t["rejected"]}),
            "received": page.received,
            "accepted": page.accepted,
            "quarantined": page.quarantined,
            "warnings": page.count("warning"),
            "note": _delivery_note(page, year, statuses.get(page.kommunenummer)),
        }
        for page in feedback_pages(year, reference, rows)
    ]


def findings_by_rule(rows: StoredRows, counts: Publication) -> list[dict[str, Any]]:
    """Table 5.2: findings per severity and rule, the most serious first. Counts of findings about
    ALIS doctors are printed as published (suppressed below 3, see ``person_counts``)."""
    rules = all_rules()
    by_rule: dict[tuple[str, str], int] = {}
    for finding in rows["findings"]:
        key = (finding["severity"], finding["rule"])
        by_rule[key] = by_rule.get(key, 0) + 1
    return [
        {
            "severity": SEVERITY_LABELS[severity],
            "rule": rule,  # the id, for the code; the report prints the contract's title
            "title": rules[rule].navn if rule in rules else rule,
            "description": rules[rule].beskrivelse if rule in rules else rule,
            "count": counts[finding_key(severity, rule)]
            if counts.has(finding_key(severity, rule))
            else count,
        }
        for (severity, rule), count in sorted(
            by_rule.items(), key=lambda item: (SEVERITY_RANK[item[0][0]], item[0][1])
        )
    ]


def data_quality(
    year: int, reference: ReferenceData, rows: StoredRows, summary: dict[str, Any], counts: Publication
) -> dict[str, Any]:
    """Chapter 5: who delivered what, and what was kept out of the figures and why."""
    return {
        "rows": summary["rows"],
        "tables_rejected": summary["tables_rejected"],
        "expected": summary["submissions"]["expected"],
        "received": summary["submissions"]["received"],
        "missing": [
            {"kommunenummer": k, "navn": reference.name_of(k)} for k in summary["submissions"]["missing"]
        ],
        "municipalities": deliveries(year, reference, rows),
        "findings": findings_by_rule(rows, counts),
    }
