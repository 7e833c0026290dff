"""Handing a message to the municipalities over: queued for the SMTP server, or written as an
``.eml`` file for the project office to send when no server is set.

Each message has a key (``alis_nord.deliveries.delivery_key``, ``reminder_key``): a key once
handed over is never handed over again, so a re-run, a backfill or a second sensor tick sends
nothing twice. The warehouse's ``outgoing_mail`` records each: to whom, when, about which year,
municipality and version, the channel, and the Message-ID once sent (``pipelines.alerts``'
delivery sensor sends the queued ones, and tries again at its next tick while the server is down).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from alis_nord.mail import OutgoingMail, SmtpSettings, eml_bytes

QUEUED, WRITTEN = "queued", "eml"


def hand_over(
    store,
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
    the key was handed over before (nothing is done)."""
    from alis_nord.publishing import publish_files

    if store.has_mail(key):
        return None
    if settings is not None:
        return QUEUED if store.queue_mail(key, mail, now, **about) else None
    data, message_id = eml_bytes(mail, sender, now)
    if not store.queue_mail(key, mail, now, channel="eml", sent_at=now, message_id=message_id, **about):
        return None  # another run handed it over meanwhile
    publish_files(eml_dir, {eml_name(key): data})
    return WRITTEN


def eml_name(key: str) -> str:
    """``feedback:2023:1804:ab12…`` → ``feedback-2023-1804-ab12….eml``."""
    return key.replace(":", "-") + ".eml"


def send_reminders(
    store, today, *, settings: SmtpSettings | None, sender: str, output_root: Path, now: datetime
) -> list[str]:
    """The reminders due ``today``, for every report year whose statuses are stored: to each
    participant with an address whose status is *mangler* or *har feil* for some table, once per
    offset (``prosjekt.yaml``'s ``frist`` and ``purringer``). Returns what was handed over."""
    from alis_nord import schema as tables
    from alis_nord.deliveries import (
        due_offset,
        municipality_statuses,
        reminder_key,
        reminder_mail,
        statuses_from_rows,
    )
    from alis_nord.feedback import project_name
    from alis_nord.reference import deadline, reminder_offsets

    by_year: dict[int, list] = {}
    for row in store.every_year(tables.delivery_status):
        by_year.setdefault(row["report_year"], []).append(row)
    handed_over = []
    for year, rows in sorted(by_year.items()):
        reference = store.reference(year)
        profile = reference.profile
        deadline_date = profile.deadline(year) if profile else deadline(year)
        offset = due_offset(
            today, deadline_date, profile.reminder_offsets() if profile else reminder_offsets()
        )
        if offset is None:
            continue
        for municipality in municipality_statuses(reference, statuses_from_rows(rows), year):
            if not (municipality.needs_reminder and municipality.contacts):
                continue
            outcome = hand_over(
                store,
                reminder_key(year, municipality.kommunenummer, offset),
                reminder_mail(project_name(reference), year, municipality, deadline_date, offset),
                settings=settings,
                sender=sender,
                eml_dir=output_root / str(year) / "utsendinger",
                now=now,
                kind="reminder",
                about_year=year,
                kommunenummer=municipality.kommunenummer,
                version=f"{offset} dager før fristen" if offset >= 0 else f"{-offset} dag(er) etter fristen",
            )
            if outcome:
                handed_over.append(f"{year} {municipality.kommunenummer}: {outcome}")
    return handed_over
