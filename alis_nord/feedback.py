"""Feedback to each municipality: what was received, accepted and quarantined, and why.

``feedback_pages`` prepares one page per municipality (every participant of the year, and
every other sender of a file); ``report_templates/feedback.html.j2`` lays it out in bokmål.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from alis_nord import warehouse as tables
from alis_nord.landing import STATUS_NB
from alis_nord.reference import ReferenceData
from alis_nord.warehouse import Warehouse

SEVERITY_NB = {"fatal": "Avvist", "error": "Feil", "warning": "Advarsel"}
TABLE_TITLE_NB = {
    "alis": "ALIS-leger",
    "kostnader": "Kostnader (bilag)",
    "fastlegedekning": "Fastlegedekning",
}


@dataclass
class FeedbackPage:
    year: int
    kommunenummer: str
    navn: str
    participant: bool
    files: list[dict[str, Any]] = field(default_factory=list)
    tables: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def received(self) -> int:
        return sum(t["rows_received"] for t in self.tables)

    @property
    def accepted(self) -> int:
        return sum(t["rows_accepted"] for t in self.tables)

    @property
    def quarantined(self) -> int:
        return sum(t["rows_quarantined"] for t in self.tables)

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f["severity"] == severity)


def feedback_pages(year: int, reference: ReferenceData, store: Warehouse) -> list[FeedbackPage]:
    participants = {p.kommunenummer for p in reference.participants_in(year)}
    files = [f for f in store.rows(tables.input_files, year, order_by=["path"]) if f["kommunenummer"]]
    deliveries = store.rows(tables.table_deliveries, year, order_by=["kommunenummer", "table_name"])
    order = {"fatal": 0, "error": 1, "warning": 2}
    findings = sorted(
        store.rows(tables.findings, year),
        key=lambda f: (f["file"], f["row_number"] or 0, order[f["severity"]], f["column_name"], f["rule"]),
    )
    senders = {f["kommunenummer"] for f in files} | {
        f["kommunenummer"] for f in findings if f["kommunenummer"]
    }
    pages = []
    for kommunenummer in sorted(participants | senders):
        pages.append(
            FeedbackPage(
                year=year,
                kommunenummer=kommunenummer,
                navn=reference.name_of(kommunenummer),
                participant=kommunenummer in participants,
                files=[
                    {**f, "status_nb": STATUS_NB[f["status"]]}
                    for f in files
                    if f["kommunenummer"] == kommunenummer
                ],
                tables=[
                    {**d, "title": TABLE_TITLE_NB[d["table_name"]]}
                    for d in deliveries
                    if d["kommunenummer"] == kommunenummer
                ],
                findings=[
                    {**f, "severity_nb": SEVERITY_NB[f["severity"]]}
                    for f in findings
                    if f["kommunenummer"] == kommunenummer
                ],
            )
        )
    return pages


def render_feedback(page: FeedbackPage) -> str:
    from alis_nord.rendering import render

    return render("feedback.html.j2", page=page)
