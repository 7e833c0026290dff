"""Handing a message to the municipalities over: queued for the SMTP server, or written as an
``.eml`` file for the project office to send when no server is set.

Each message has a key (``alis_nord.deliveries.delivery_key``, ``reminder_key``): a key once
handed over is never handed over again, so a re-run, a backfill or a second sensor tick sends
nothing twice. The mail queue (``alis_nord.mail_queue``) records each: to whom, when, about which
year, municipality and version, the channel, its state and Message-ID (``pipelines.alerts``'
delivery sensor sends the queued ones).

An ``.eml`` is recorded only once it is on disk: a full disk records nothing, and the next run
writes it. A recorded ``.eml`` whose file is gone (a deleted ``output/``) is written back, byte for
byte, by the next run of the year (``restore_eml``).

The feedback and the reminders carry the municipality's link to its delivery page when there is
one (``alis_nord.deliveries.page_link``); the link is no part of a key, so it never makes a second
message. ``revoke_links`` voids a municipality's links and hands its new one over
(``python -m service.delivery_links revoke``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from alis_nord.mail import MessageNotBuilt, OutgoingMail, SmtpSettings, eml_bytes, message_id_for
from alis_nord.mail_queue import UNDELIVERABLE, WRITTEN, MailQueue

if TYPE_CHECKING:
    from alis_nord.deliveries import PageLink
    from alis_nord.delivery_log import DeliveryRecords

QUEUED, NOT_BUILT = "queued", "not built"


def hand_over(
    queue: MailQueue,
    key: str,
    mail: OutgoingMail,
    *,
    settings: SmtpSettings | None,
    sender: str,
    eml_dir: Path,
    now: datetime,
    **about,
) -> str | None:
    """Queue ``mail`` for the SMTP server, or without one write it to ``eml_dir``; ``None`` when
    the key was handed over before (nothing is done). A message that cannot be built is recorded
    as failed, with why (``NOT_BUILT``); an ``OSError`` writing the file leaves nothing recorded."""
    from alis_nord.publishing import publish_files

    if queue.has(key):
        return None
    if settings is not None:
        return QUEUED if queue.queue(key, mail, now, **about) else None
    message_id = message_id_for(key, sender)
    try:
        data = eml_bytes(mail, sender, now, message_id)
    except MessageNotBuilt as error:
        queue.queue(key, mail, now, channel="eml", state=UNDELIVERABLE, last_error=str(error), **about)
        return NOT_BUILT
    publish_files(eml_dir, {eml_name(key): data})  # on disk first: a failed write records nothing
    if not queue.queue(
        key, mail, now, channel="eml", state=WRITTEN, sent_at=now, message_id=message_id, **about
    ):
        return None  # another run handed it over meanwhile (its file is the same message)
    return WRITTEN


def smtp_settings(
    host: str | None,
    port: int,
    sender: str,
    username: str | None = None,
    password: str | None = None,
    security: str | None = None,
) -> SmtpSettings | None:
    """The mail server's settings (``glue.resources.MailServer``, ``service.delivery_links``); ``None``
    without a host: then nothing is sent, and messages are written as ``.eml``. ``security`` unset is
    implicit TLS on port 465, else STARTTLS."""
    from alis_nord.mail import IMPLICIT_TLS, IMPLICIT_TLS_PORT, STARTTLS

    if not host:
        return None
    security = security or (IMPLICIT_TLS if port == IMPLICIT_TLS_PORT else STARTTLS)
    return SmtpSettings(host, port, sender, username, password, security=security.strip().lower())


def restore_eml(queue: MailQueue, year: int, eml_dir: Path, sender: str) -> list[str]:
    """Writes back every recorded ``.eml`` of ``year`` whose file is gone, as it was written;
    returns the names written."""
    from alis_nord.mail_queue import stored_mail
    from alis_nord.publishing import publish_files

    missing = {}
    for row in queue.about(year):
        if row["state"] != WRITTEN or (eml_dir / eml_name(row["mail_key"])).exists():
            continue
        mail = stored_mail(row)  # with its sender's name and Reply-To, as it was written
        missing[eml_name(row["mail_key"])] = eml_bytes(mail, sender, row["sent_at"], row["message_id"])
    if missing:
        publish_files(eml_dir, missing)
    return sorted(missing)


def eml_name(key: str) -> str:
    """``feedback:2023:1804:ab12…`` → ``feedback-2023-1804-ab12….eml``."""
    return key.replace(":", "-") + ".eml"


def send_reminders(
    store,
    queue: MailQueue,
    today,
    *,
    settings: SmtpSettings | None,
    sender: str,
    output_root: Path,
    now: datetime,
    link_for: Callable[[str, int, date, date], PageLink | None] | None = None,
) -> list[str]:
    """The reminders due ``today``, for every report year whose statuses are stored: to each
    participant with an address whose status is *mangler* or *har feil* for some table, once per
    offset (``prosjekt.yaml``'s ``frist`` and ``purringer``), with its delivery page's link when
    ``link_for(kommunenummer, year, deadline, today)`` gives one (``glue.resources.DeliveryLinks``).
    Returns what was handed over; a reminder whose file could not be written is reported and
    written by a later look."""
    from alis_nord import schema as tables
    from alis_nord.deliveries import municipality_statuses, statuses_from_rows

    by_year: dict[int, list] = {}
    for row in store.every_year(tables.delivery_status):
        by_year.setdefault(row["report_year"], []).append(row)
    handed_over = []
    for year, rows in sorted(by_year.items()):
        reference = store.reference(year)
        due = _reminder_due(reference, year, today)
        if due is None:
            continue
        for municipality in municipality_statuses(reference, statuses_from_rows(rows), year):
            if not (municipality.needs_reminder and municipality.contacts):
                continue
            outcome = _hand_over_reminder(
                queue,
                reference,
                year,
                municipality,
                *due,
                link_for(municipality.kommunenummer, year, due[0], today) if link_for else None,
                settings=settings,
                sender=sender,
                eml_dir=output_root / str(year) / "utsendinger",
                now=now,
            )
            if outcome:
                handed_over.append(f"{year} {municipality.kommunenummer}: {outcome}")
    return handed_over


def _reminder_due(reference, year: int, today) -> tuple[date, int] | None:
    """The year's deadline and the offset of the reminder due ``today``; ``None`` when none is."""
    from alis_nord.deliveries import deadline_of, due_offset
    from alis_nord.reference import reminder_offsets

    profile = reference.profile
    deadline_date = deadline_of(reference, year)
    offset = due_offset(today, deadline_date, profile.reminder_offsets() if profile else reminder_offsets())
    return None if offset is None else (deadline_date, offset)


def _hand_over_reminder(
    queue: MailQueue,
    reference,
    year: int,
    municipality,
    deadline_date: date,
    offset: int,
    link: PageLink | None,
    **channel,
) -> str | None:
    """One municipality's reminder handed over (``hand_over``), or why its file was not written.
    Its key is the same with a link or without: a link never makes a second reminder."""
    from alis_nord.deliveries import office, reminder_key, reminder_mail

    try:
        return hand_over(
            queue,
            reminder_key(year, municipality.kommunenummer, offset),
            reminder_mail(office(reference), year, municipality, deadline_date, offset, link),
            **channel,
            kind="reminder",
            about_year=year,
            kommunenummer=municipality.kommunenummer,
            version=f"{offset} dager før fristen" if offset >= 0 else f"{-offset} dag(er) etter fristen",
        )
    except OSError as error:
        return f"not written ({error})"


NEW_LINK = "new_link"  # the kind of message a revocation sends (``revoke_links``)


class LinksNotRevoked(ValueError):
    """Why a municipality's links were not revoked: nothing was changed."""


@dataclass(frozen=True)
class NewLink:
    """What revoking one municipality's links did (``revoke_links``)."""

    kommunenummer: str
    navn: str
    year: int
    generation: int  # the generation every link is made in from now on
    link: PageLink
    recipients: tuple[str, ...]
    key: str  # the e-mail's key in the mail queue (and its .eml's name)
    outcome: str | None  # queued, eml, not built, not written (…); None: no address to send it to


def revoke_links(
    records: DeliveryRecords,
    queue: MailQueue,
    reference,
    kommunenummer: str,
    year: int,
    *,
    secret: str | None,
    base_url: str,
    days_after: int,
    today: date,
    now: datetime,
    settings: SmtpSettings | None,
    sender: str,
    eml_dir: Path,
) -> NewLink:
    """Voids every link of ``kommunenummer`` made so far (every year's: its generation moves on) and
    hands its new link for ``year`` to its contacts (``hand_over``: queued, or an ``.eml`` without a
    mail server), once per generation. Raises ``LinksNotRevoked``, having changed nothing, when there is
    no key to sign links with, the municipality takes no part in ``year``, or ``year``'s links have
    expired (a new one would not work either)."""
    from alis_nord.deliveries import deadline_of, new_link_key, new_link_mail, office, page_link
    from alis_nord.delivery_links import valid_until

    if not secret:
        raise LinksNotRevoked("no key to sign links with (ALIS_DELIVERY_SECRET is not set)")
    participant = next((p for p in reference.participants_in(year) if p.kommunenummer == kommunenummer), None)
    if participant is None:
        raise LinksNotRevoked(f"{kommunenummer} is no participant in {year} (referanse/deltakerkommuner.csv)")
    deadline = deadline_of(reference, year)
    last_day = valid_until(deadline, days_after)
    if today > last_day:
        raise LinksNotRevoked(
            f"the links for {year} stopped working on {last_day.isoformat()} (the deadline "
            f"{deadline.isoformat()} and {days_after} days); name another year"
        )
    generation = records.revoke(kommunenummer, now)
    link = page_link(secret, base_url, days_after, kommunenummer, year, deadline, today, records.generation)
    key = new_link_key(year, kommunenummer, generation)
    outcome = None
    if participant.epost:
        mail = new_link_mail(
            office(reference), year, kommunenummer, participant.navn, participant.epost, link, deadline
        )
        try:
            outcome = hand_over(
                queue,
                key,
                mail,
                settings=settings,
                sender=sender,
                eml_dir=eml_dir,
                now=now,
                kind=NEW_LINK,
                about_year=year,
                kommunenummer=kommunenummer,
                version=f"lenke nr. {generation}",
            )
        except OSError as error:  # the links are revoked all the same; the office has the link
            outcome = f"not written ({error})"
    return NewLink(kommunenummer, participant.navn, year, generation, link, participant.epost, key, outcome)


INVITATION = "invitation"  # the kind of message that asks for a year's figures (``send_invitations``)


@dataclass(frozen=True)
class Invited:
    """What ``send_invitations`` did for one participant."""

    kommunenummer: str
    navn: str
    recipients: tuple[str, ...]
    outcome: str | None  # queued, eml, not built, not written (…); None: no address; "" already invited


def send_invitations(
    records: DeliveryRecords,
    queue: MailQueue,
    reference,
    year: int,
    *,
    secret: str | None,
    base_url: str,
    days_after: int,
    today: date,
    now: datetime,
    settings: SmtpSettings | None,
    sender: str,
    eml_dir: Path,
) -> list[Invited]:
    """The invitation to deliver ``year``'s figures, with each participant's link (``page_link``:
    none without a key), handed over once per participant and year (``invitation_key``): run again, it
    invites only a participant added since. A participant without an address is listed, not invited."""
    from alis_nord.deliveries import deadline_of, invitation_key, invitation_mail, office, page_link

    deadline, kontor = deadline_of(reference, year), office(reference)
    done = []
    for participant in sorted(reference.participants_in(year), key=lambda p: p.kommunenummer):
        k = participant.kommunenummer
        if not participant.epost:
            done.append(Invited(k, participant.navn, (), None))
            continue
        if queue.has(invitation_key(year, k)):
            done.append(Invited(k, participant.navn, participant.epost, ""))
            continue
        link = page_link(secret, base_url, days_after, k, year, deadline, today, records.generation)
        mail = invitation_mail(kontor, year, k, participant.navn, participant.epost, link, deadline)
        try:
            outcome = hand_over(
                queue,
                invitation_key(year, k),
                mail,
                settings=settings,
                sender=sender,
                eml_dir=eml_dir,
                now=now,
                kind=INVITATION,
                about_year=year,
                kommunenummer=k,
                version="invitasjon",
            )
        except OSError as error:  # a full disk: nothing recorded, so the next run writes it
            outcome = f"not written ({error})"
        done.append(Invited(k, participant.navn, participant.epost, outcome))
    return done


MINIMUM_SECONDS_FOR_A_MESSAGE = 2  # a tick starts no message with less of its budget left


def deliver_due_mail(queue, settings, *, worker: str, budget_seconds: float, alert_recipients=(), log=None):
    """Sends due messages one at a time until none is due or the budget is spent; returns each
    handled message's id and new state. A message that cannot be built fails alone; a server that
    is unavailable defers the message it was trying and ends the tick (the rest would meet the same
    server); a refused recipient is reported to ``alert_recipients`` once (never for an alert)."""
    from alis_nord.mail import ServerUnavailable, as_email, deliver
    from alis_nord.mail_queue import refused_recipients

    started = time.monotonic()
    handled = []
    slowest = 0.0  # the longest a message of this tick took to send: a slow server's pace
    # a message is started only with time left for it: at least the minimum, and half as much again as
    # the slowest one so far, so that a slow server's message is not cut off by the tick's end (which
    # would defer it and try it again: an attempt that was never needed)
    while (left := budget_seconds - (time.monotonic() - started)) > max(
        MINIMUM_SECONDS_FOR_A_MESSAGE, 1.5 * slowest
    ):
        now = datetime.now(UTC)
        claimed = queue.claim(now, worker)
        if claimed is None:
            break
        message_id = message_id_for(claimed.key, settings.sender)
        try:
            message = as_email(claimed.mail, settings.sender, claimed.queued_at, message_id)
        except MessageNotBuilt as error:
            handled.append((claimed.id, queue.fail(claimed, now, f"kunne ikke lages: {error}")))
            _log(log, "warning", f"Not built, failed: {claimed.key}: {error}")
            _alert_once(queue, claimed, [], f"kunne ikke lages: {error}", alert_recipients)
            continue
        queue.set_message_id(claimed, message_id)
        sending = time.monotonic()
        try:
            outcomes = deliver(
                message, claimed.pending, settings, timeout=min(settings.timeout_seconds, left)
            )
        except ServerUnavailable as error:
            handled.append((claimed.id, queue.defer(claimed, datetime.now(UTC), str(error))))
            _log(log, "warning", f"Not sent, tried again later: {claimed.mail.subject}: {error}")
            break
        slowest = max(slowest, time.monotonic() - sending)
        state = queue.record(claimed, outcomes, datetime.now(UTC))
        handled.append((claimed.id, state))
        _log(
            log,
            "info",
            f"{state}: {message_id} ({claimed.key}): "
            + "; ".join(f"{o.recipient} {o.action} {o.status}" for o in outcomes),
        )
        refused = refused_recipients({"recipient_status": {o.recipient: o.as_record() for o in outcomes}})
        if refused or state == UNDELIVERABLE:
            reason = None if refused else "; ".join(o.diagnostic for o in outcomes)
            _alert_once(queue, claimed, refused, reason, alert_recipients)
    return handled


def _alert_once(queue, claimed, refused, reason, alert_recipients) -> None:
    """Queues the project office's alert about a message that failed, once (never about an alert)."""
    if claimed.kind == "alert" or not alert_recipients:
        return
    queue.queue(
        f"undeliverable:{claimed.key}",
        undeliverable_alert(claimed, refused, reason, alert_recipients),
        datetime.now(UTC),
        kind="alert",
    )


def undeliverable_alert(claimed, refused, reason, recipients) -> OutgoingMail:
    """The project office's e-mail about a message that failed for good (bokmål): each refused
    address with the server's answer, as a delivery status notification (RFC 3464) gives them, or
    why the message could not be sent at all."""
    who = f" til kommune {claimed.kommunenummer}" if claimed.kommunenummer else ""
    lines = [f"E-posten «{claimed.mail.subject}»{who} kunne ikke leveres til alle mottakerne.", ""]
    if refused:
        lines.append("Mottakere som e-postserveren avviste for godt:")
        lines += [
            f"  - {address}: {record['diagnostic']} (status {record['status']})"
            for address, record in refused
        ]
    if reason:
        lines.append(f"Årsak: {reason}")
    lines += [
        "",
        "Rett adressen i referanse/deltakerkommuner.csv (kolonnen epost), eller kontakt kommunen på "
        "annen måte. Meldingen sendes ikke på nytt av seg selv.",
        "Denne e-posten er sendt automatisk av ALIS-Nord-rapporteringen.",
    ]
    return OutgoingMail(recipients, f"ALIS-Nord: e-post kunne ikke leveres{who}", "\n".join(lines) + "\n")


def _log(log, level: str, text: str) -> None:
    if log is not None:
        getattr(log, level)(text)
