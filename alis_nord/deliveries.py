"""The project office's loop with the municipalities: who has delivered, what each was told, and
who is reminded before the deadline.

- ``table_statuses``: per participant and table one of *mangler* (nothing received), *har feil*
  (a fatal or an error finding), *godkjent* (accepted, warnings allowed) or *ingenting å
  rapportere* (the table sent with its header row and no data rows: the municipality declares it
  has nothing to report, for ``alis`` or ``kostnader``); ``municipality_status`` sums them up.
- ``feedback_mail``: the feedback page as an e-mail, once per delivered version.
- ``due_offset``, ``reminder_mail``: which reminder is due on a day, by the deadline and its
  offsets (``prosjekt.yaml``'s ``frist`` and ``purringer``), and what it says.
- ``page_link``: a municipality's personal link to its delivery page for a year, which the feedback
  and the reminders carry (``new_link_mail``: the new one after the office revoked the old).

No Dagster and no database here: the assets and the sensor pass the rows in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from alis_nord.landing import TABLES
from alis_nord.mail import OutgoingMail
from alis_nord.reference import ReferenceData
from alis_nord.vocabulary import KEEPS_ROW_OUT, TABLE_TITLES

MISSING, HAS_ERRORS, APPROVED, NOTHING_TO_REPORT = "mangler", "har feil", "godkjent", "ingenting å rapportere"
# the order of the overview page, the one that needs the office most first
STATUS_ORDER = (MISSING, HAS_ERRORS, NOTHING_TO_REPORT, APPROVED)
NEEDS_REMINDER = (MISSING, HAS_ERRORS)
# the tables a municipality may declare empty: it may have no ALIS or no costs in a year; GP
# coverage always has its one row
MAY_BE_EMPTY = ("alis", "kostnader")


@dataclass(frozen=True)
class TableStatus:
    kommunenummer: str
    table_name: str
    status: str
    file: str | None = None
    version: int | None = None
    received_at: dt.datetime | None = None

    @property
    def sent_under(self) -> str | None:
        """The number the file was sent under when it is not this participant's: ``1903`` for
        Harstad's ``2020/1903_alis.csv``; ``None`` otherwise."""
        if not self.file:
            return None
        number = self.file.rpartition("/")[2][:4]
        return number if number.isdigit() and number != self.kommunenummer else None


def table_statuses(year: int, reference: ReferenceData, rows) -> list[TableStatus]:
    """Each participant's status per table from the stored deliveries, findings and files
    (the rows ``alis_nord.stored.DELIVERY_STATUS`` names)."""
    files = {f["path"]: f for f in rows["input_files"]}
    deliveries = {(d["kommunenummer"], d["table_name"]): d for d in rows["table_deliveries"]}
    faulty = {
        (f["kommunenummer"], f["table_name"]) for f in rows["findings"] if f["severity"] in KEEPS_ROW_OUT
    }
    result = []
    for participant in reference.participants_in(year):
        # a table sent under another of the municipality's numbers (Harstad's 1903 in 2020) was
        # delivered, and rejected: *har feil*, never *mangler*
        numbers = (participant.kommunenummer, *reference.other_numbers(participant.kommunenummer, year))
        for table in TABLES:
            key = next(((n, table) for n in numbers if (n, table) in deliveries), None)
            delivery = deliveries.get(key)
            if delivery is None:
                result.append(TableStatus(participant.kommunenummer, table, MISSING))
                continue
            if key[0] != participant.kommunenummer or delivery["rejected"] or key in faulty:
                status = HAS_ERRORS
            elif delivery["rows_received"] == 0 and table in MAY_BE_EMPTY:
                status = NOTHING_TO_REPORT
            else:
                status = APPROVED
            file = files.get(delivery["file"], {})
            result.append(
                TableStatus(
                    participant.kommunenummer,
                    table,
                    status,
                    delivery["file"],
                    file.get("version") or 1,
                    file.get("received_at"),
                )
            )
    return result


@dataclass(frozen=True)
class MunicipalityStatus:
    """One participant's delivery for the year: the status of each table and of the whole."""

    kommunenummer: str
    navn: str
    tables: tuple[TableStatus, ...]
    contacts: tuple[str, ...]

    @property
    def status(self) -> str:
        """*mangler* when nothing came, *har feil* when a table has errors, *mangler* when a table
        is still missing, *ingenting å rapportere* only when every table was declared empty, else
        *godkjent* (every table accepted or declared empty)."""
        statuses = {t.status for t in self.tables}
        if statuses == {MISSING}:
            return MISSING
        if HAS_ERRORS in statuses:
            return HAS_ERRORS
        if MISSING in statuses:
            return MISSING
        if statuses == {NOTHING_TO_REPORT}:
            return NOTHING_TO_REPORT
        return APPROVED

    @property
    def other_numbers_used(self) -> list[str]:
        """The other numbers of this municipality that a table was sent under (1903 for Harstad)."""
        return sorted({t.sent_under for t in self.tables if t.sent_under})

    @property
    def received_at(self) -> dt.datetime | None:
        """The latest delivery: the newest file among the tables'."""
        times = [t.received_at for t in self.tables if t.received_at is not None]
        return max(times) if times else None

    @property
    def version(self) -> str:
        """What was delivered, as the feedback e-mail is keyed: each table's file and version."""
        return ", ".join(f"{t.table_name}: {t.file} (v{t.version})" for t in self.tables if t.file) or "–"

    @property
    def needs_reminder(self) -> bool:
        return any(t.status in NEEDS_REMINDER for t in self.tables)

    def tables_to_send(self) -> list[str]:
        """The tables still missing or with errors, by their titles."""
        return [TABLE_TITLES[t.table_name] for t in self.tables if t.status in NEEDS_REMINDER]


def municipality_statuses(
    reference: ReferenceData, statuses: Iterable[TableStatus], year: int
) -> list[MunicipalityStatus]:
    """The participants of the year, the ones that need the office most first."""
    by_municipality: dict[str, list[TableStatus]] = {}
    for status in statuses:
        by_municipality.setdefault(status.kommunenummer, []).append(status)
    contacts = {p.kommunenummer: p.epost for p in reference.participants}
    result = [
        MunicipalityStatus(
            p.kommunenummer,
            p.navn,
            tuple(sorted(by_municipality.get(p.kommunenummer, []), key=lambda t: TABLES.index(t.table_name))),
            contacts.get(p.kommunenummer, ()),
        )
        for p in reference.participants_in(year)
    ]
    return sorted(result, key=lambda m: (STATUS_ORDER.index(m.status), m.kommunenummer))


def status_rows(statuses: Iterable[TableStatus]) -> list[dict[str, Any]]:
    """The rows of the warehouse's ``delivery_status`` table."""
    return [
        {
            "kommunenummer": s.kommunenummer,
            "table_name": s.table_name,
            "status": s.status,
            "file": s.file,
            "version": s.version,
            "received_at": s.received_at,
        }
        for s in statuses
    ]


def statuses_from_rows(rows: Iterable[dict[str, Any]]) -> list[TableStatus]:
    return [
        TableStatus(
            r["kommunenummer"], r["table_name"], r["status"], r["file"], r["version"], r["received_at"]
        )
        for r in rows
    ]


# ---------------------------------------------------------------- feedback by e-mail


def delivery_key(year: int, municipality: MunicipalityStatus, files: dict[str, str]) -> str:
    """The key a feedback e-mail is queued under: the year, the municipality and the SHA-256 of
    every file it delivered that year. A new file (a new SHA-256) is a new version, and gets one
    e-mail; a re-run of the same files gets none."""
    digest = hashlib.sha256("\n".join(sorted(files.values())).encode()).hexdigest()[:16]
    return f"feedback:{year}:{municipality.kommunenummer}:{digest}"


@dataclass(frozen=True)
class Office:
    """Who the e-mails come from (``prosjekt.yaml``): the project, its owner and the contact person."""

    prosjektnavn: str
    prosjekteier: str
    kontakt_navn: str = ""
    kontakt_tittel: str = ""
    kontakt_epost: str = ""
    kontakt_telefon: str = ""

    @property
    def sender_name(self) -> str:
        return f"{self.prosjektnavn}, {self.prosjekteier}" if self.prosjekteier else self.prosjektnavn


def office(reference: ReferenceData) -> Office:
    profile = reference.profile
    if profile is None:
        return Office("prosjektet", "")
    return Office(
        profile.prosjektnavn,
        profile.prosjekteier,
        profile.kontakt_navn,
        profile.kontakt_tittel,
        profile.kontakt_epost,
        profile.kontakt_telefon,
    )


def deadline_of(reference: ReferenceData, year: int) -> dt.date:
    from alis_nord.reference import deadline

    return reference.profile.deadline(year) if reference.profile else deadline(year)


def _message(template: str, recipients: tuple[str, ...], kontor: Office, **context: Any) -> OutgoingMail:
    from alis_nord.rendering import render_message

    subject, text, html = render_message(template, kontor=kontor, titles=TABLE_TITLES, **context)
    return OutgoingMail(recipients, subject, text, html, kontor.sender_name, kontor.kontakt_epost or None)


def feedback_mail(
    page, municipality: MunicipalityStatus, kontor: Office, deadline: dt.date, link: PageLink | None = None
) -> OutgoingMail:
    """The feedback as an e-mail (bokmål; ``report_templates/epost/tilbakemelding.j2``): what came,
    the status per table, what to fix and the exact file names to send, the deadline, a signature;
    with a ``link``, the delivery page to send the files on (any file name will do there)."""
    return _message(
        "epost/tilbakemelding.j2",
        municipality.contacts,
        kontor,
        page=page,
        status=municipality,
        deadline=deadline,
        lenke=link,
    )


# ---------------------------------------------------------------- the delivery page's links


@dataclass(frozen=True)
class PageLink:
    """A municipality's personal link to its delivery page for one report year, as an e-mail gives it."""

    url: str
    valid_until: dt.date  # the last day it works


def today_in_norway() -> dt.date:
    """Today's date in Norway, the day a link's last day is counted in."""
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo("Europe/Oslo")).date()


def page_link(
    secret: str | None,
    base_url: str,
    days_after: int,
    kommunenummer: str,
    year: int,
    deadline: dt.date,
    today: dt.date,
    generation_of: Callable[[str], int],
) -> PageLink | None:
    """``kommunenummer``'s link to the delivery page for ``year``, signed with ``secret`` in the
    municipality's current generation (``generation_of``: ``DeliveryRecords.generation``), working
    until ``days_after`` days after ``deadline``. ``None`` without a secret (no page: the e-mails say
    to send the files by e-mail) or when its last day is before ``today``: an e-mail never carries a
    link that would not work."""
    from alis_nord.delivery_links import DeliveryLink, link_url, make_token, valid_until

    if not secret:
        return None
    last_day = valid_until(deadline, days_after)
    if today > last_day:
        return None
    token = make_token(secret, DeliveryLink(kommunenummer, year, last_day, generation_of(kommunenummer)))
    return PageLink(link_url(base_url, token), last_day)


def new_link_mail(
    kontor: Office,
    year: int,
    kommunenummer: str,
    navn: str,
    contacts: tuple[str, ...],
    link: PageLink,
    deadline: dt.date,
) -> OutgoingMail:
    """The new link after the office revoked a municipality's links (bokmål;
    ``report_templates/epost/ny_lenke.j2``): the link, its last day, that the old ones no longer work."""
    return _message(
        "epost/ny_lenke.j2",
        contacts,
        kontor,
        year=year,
        kommunenummer=kommunenummer,
        navn=navn,
        lenke=link,
        deadline=deadline,
    )


def invitation_mail(
    kontor: Office,
    year: int,
    kommunenummer: str,
    navn: str,
    contacts: tuple[str, ...],
    link: PageLink | None,
    deadline: dt.date,
) -> OutgoingMail:
    """The invitation to deliver ``year``'s figures (bokmål; ``report_templates/epost/invitasjon.j2``):
    the three tables, the municipality's link to its page (where the year's template is), the deadline.
    Without a link (no ``ALIS_DELIVERY_SECRET``) it asks for the files by e-mail."""
    return _message(
        "epost/invitasjon.j2",
        contacts,
        kontor,
        year=year,
        kommunenummer=kommunenummer,
        navn=navn,
        lenke=link,
        deadline=deadline,
    )


def invitation_key(year: int, kommunenummer: str) -> str:
    """The key an invitation is queued under: once per municipality and year, however often the
    office runs the command (a municipality added later gets its own when it is run again)."""
    return f"invitation:{year}:{kommunenummer}"


def new_link_key(year: int, kommunenummer: str, generation: int) -> str:
    """The key a new link is queued under: once per generation, so a revocation sends one e-mail."""
    return f"new-link:{year}:{kommunenummer}:{generation}"


# ---------------------------------------------------------------- reminders


def due_offset(today: dt.date, deadline_date: dt.date, offsets: Sequence[int]) -> int | None:
    """The reminder due today: the offset whose day came last, up to today. A sensor that was
    down catches up with the latest one only; a week after the last reminder day, a year is left
    alone. ``None``: none due."""
    days = {o: deadline_date - dt.timedelta(days=o) for o in offsets}
    if not days or today > max(days.values()) + dt.timedelta(days=7):
        return None
    passed = [o for o, day in days.items() if day <= today]
    return min(passed) if passed else None  # the fewest days before the deadline: the latest


def reminder_mail(
    kontor: Office,
    year: int,
    municipality: MunicipalityStatus,
    deadline_date: dt.date,
    offset: int,
    link: PageLink | None = None,
) -> OutgoingMail:
    """A reminder (bokmål; ``report_templates/epost/paaminnelse.j2``): what is still missing, what
    came but cannot be used yet, and the deadline; with a ``link``, the delivery page to send on."""
    return _message(
        "epost/paaminnelse.j2",
        municipality.contacts,
        kontor,
        status=municipality,
        year=year,
        deadline=deadline_date,
        days=offset,
        lenke=link,
    )


def reminder_key(year: int, kommunenummer: str, offset: int) -> str:
    return f"reminder:{year}:{kommunenummer}:{offset}"
