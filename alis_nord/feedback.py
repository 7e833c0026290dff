"""Feedback to each municipality: what was received, accepted and quarantined, and why.

``feedback_pages`` prepares one page per municipality (every participant of the year, and
every other sender of a file); ``report_templates/feedback.html.j2`` lays it out in bokmål.
``render_overview`` is the project office's overview of the year, with the delivery page's log
(``delivery_log_rows``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from alis_nord.landing import file_status_nb, rejected_files
from alis_nord.reference import ReferenceData
from alis_nord.stored import StoredRows
from alis_nord.vocabulary import KEEPS_ROW_OUT, SEVERITY_LABELS, SEVERITY_RANK, TABLE_TITLES


def project_name(reference: ReferenceData) -> str:
    """The project's name as pages and workbooks print it: from the profile, or «prosjektet»."""
    return reference.profile.prosjektnavn if reference.profile else "prosjektet"


@dataclass
class FeedbackPage:
    year: int
    kommunenummer: str
    navn: str
    participant: bool
    project: str = "prosjektet"  # the project's name, from referanse/prosjekt.yaml
    files: list[dict[str, Any]] = field(default_factory=list)
    tables: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    # a participant's page: its other numbers it sent files under (Harstad's 1903 in 2020); a page
    # of such a number: which participant it belongs to this year (alis_nord.reference.Renumbering)
    other_numbers: list[Any] = field(default_factory=list)
    renumbering: Any = None

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

    @property
    def rejected_tables(self) -> list[str]:
        return [t["title"] for t in self.tables if t["rejected"]]

    def files_to_send(self) -> list[tuple[str, str]]:
        """Each file that must come again and the exact name to send it under: under the
        municipality's number this year for a file sent under another number, else the next
        version (``_v2``) of a file with a rejected table or rows kept out."""
        from alis_nord.landing import next_version_name, resend_name

        faulty = {f["file"] for f in self.findings if f["severity"] in KEEPS_ROW_OUT}
        result = []
        for f in self.files:
            name = f["path"].rpartition("/")[2]
            if f["kommunenummer"] != self.kommunenummer and self.participant:
                result.append((f["path"], resend_name(name, self.kommunenummer)))
            elif f["path"] in faulty and f["status"] == "used":
                result.append((f["path"], next_version_name(name)))
        return result


def feedback_pages(year: int, reference: ReferenceData, rows: StoredRows) -> list[FeedbackPage]:
    """One page per participant of the year and per other sender, from the rows
    ``alis_nord.stored.FEEDBACK`` names."""
    participants = {p.kommunenummer for p in reference.participants_in(year)}
    files = sorted((f for f in rows["input_files"] if f["kommunenummer"]), key=lambda f: f["path"])
    deliveries = sorted(rows["table_deliveries"], key=lambda d: (d["kommunenummer"], d["table_name"]))
    findings = sorted(
        rows["findings"],
        key=lambda f: (
            f["file"],
            f["row_number"] or 0,
            SEVERITY_RANK[f["severity"]],
            f["column_name"],
            f["rule"],
        ),
    )
    senders = {f["kommunenummer"] for f in files} | {
        f["kommunenummer"] for f in findings if f["kommunenummer"]
    }
    rejected = rejected_files(deliveries, findings)
    pages = []
    for kommunenummer in sorted(participants | senders):
        # a participant's page shows what it sent under its other numbers too
        others = (
            [
                reference.current_number(n, year)
                for n in reference.other_numbers(kommunenummer, year)
                if n in senders
            ]
            if kommunenummer in participants
            else []
        )
        numbers = {kommunenummer, *(o.number for o in others)}
        pages.append(
            FeedbackPage(
                year=year,
                kommunenummer=kommunenummer,
                navn=reference.name_of(kommunenummer),
                participant=kommunenummer in participants,
                project=project_name(reference),
                files=[
                    {**f, "status_nb": file_status_nb(f, rejected)}
                    for f in files
                    if f["kommunenummer"] in numbers
                ],
                tables=[
                    {**d, "title": TABLE_TITLES[d["table_name"]]}
                    for d in deliveries
                    if d["kommunenummer"] in numbers
                ],
                findings=[
                    {**f, "severity_nb": SEVERITY_LABELS[f["severity"]]}
                    for f in findings
                    if f["kommunenummer"] in numbers
                ],
                other_numbers=others,
                renumbering=reference.current_number(kommunenummer, year),
            )
        )
    return pages


MAIL_KINDS_NB = {
    "feedback": "Tilbakemelding",
    "reminder": "Påminnelse",
    "new_link": "Ny lenke",
    "invitation": "Invitasjon",
}


def mail_log(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stored messages to a municipality as its page lists them, in bokmål."""
    return [
        {**m, "kind_nb": MAIL_KINDS_NB.get(m["kind"], m["kind"] or ""), **_mail_state_nb(m)} for m in messages
    ]


def _mail_state_nb(m: dict[str, Any]) -> dict[str, str]:
    """What became of a message (``alis_nord.mail_queue``'s state), in full and in short."""
    from alis_nord.mail_queue import DEFERRED, SENT, UNDELIVERABLE, WRITTEN, refused_recipients

    refused = "; ".join(
        f"{r} ({record['diagnostic'].removeprefix('smtp; ')})" for r, record in refused_recipients(m)
    )
    if m["state"] == WRITTEN:
        return {
            "state_nb": "skrevet som .eml-fil til utsending fra prosjektkontoret",
            "state_short": "skrevet som .eml",
        }
    if m["state"] == SENT:
        return {
            "state_nb": f"sendt, men ikke levert til {refused}" if refused else "sendt",
            "state_short": "sendt, delvis avvist" if refused else "sendt",
        }
    if m["state"] == UNDELIVERABLE:
        return {"state_nb": f"kunne ikke leveres: {refused or m['last_error']}", "state_short": "ikke levert"}
    if m["state"] == DEFERRED:
        return {
            "state_nb": f"venter på nytt forsøk ({m['attempts']} forsøk): {m['last_error']}",
            "state_short": "venter",
        }
    return {"state_nb": "venter på sending", "state_short": "venter"}


def render_feedback(page: FeedbackPage, status=None, mail: list[dict[str, Any]] = ()) -> str:
    """The page of one municipality; with its status per table (``alis_nord.deliveries``) and the
    e-mail it has been sent about the year, when given."""
    from alis_nord.rendering import render

    return render(
        "feedback.html.j2", page=page, status=status, mail=mail_log(list(mail)), titles=TABLE_TITLES
    )


def delivery_log_rows(
    deliveries: list[dict[str, Any]], name_of: Callable[[str], str]
) -> list[dict[str, Any]]:
    """The delivery page's log (``alis_nord.delivery_log``'s rows) as the overview lists it, oldest
    first: the municipality by name and number, the table's title and the outcome in bokmål."""
    from alis_nord.delivery_log import OUTCOMES_NB

    return [
        {
            **d,
            "kommune": f"{name_of(d['kommunenummer'])} ({d['kommunenummer']})",
            "table_title": TABLE_TITLES.get(d["table_name"] or "", ""),
            "outcome_nb": OUTCOMES_NB.get(d["outcome"], d["outcome"]),
        }
        for d in sorted(deliveries, key=lambda d: (d["received_at"], d["id"]))
    ]


def render_overview(
    year: int,
    project: str,
    municipalities,
    mail: list[dict[str, Any]],
    deliveries: list[dict[str, Any]] = (),
    name_of: Callable[[str], str] = str,
) -> str:
    """``feedback/index.html``: every participant's status for the project office, sortable, and
    every file delivered through the delivery page for the year (``deliveries``, names by
    ``name_of``)."""
    from alis_nord.deliveries import STATUS_ORDER
    from alis_nord.rendering import render

    sent: dict[str, list[dict[str, Any]]] = {}
    for m in mail_log(mail):
        sent.setdefault(m["kommunenummer"], []).append(m)
    counts = {s: sum(1 for m in municipalities if m.status == s) for s in STATUS_ORDER}
    return render(
        "feedback_index.html.j2",
        year=year,
        project=project,
        municipalities=municipalities,
        sent=sent,
        counts=counts,
        order=STATUS_ORDER,
        titles=TABLE_TITLES,
        deliveries=delivery_log_rows(list(deliveries), name_of),
    )
