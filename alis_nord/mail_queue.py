"""The mail queue and its ledger: every message the pipeline sends, each with a state of its own.

A message is **queued** once per key (a run, a delivered version, a reminder: the key is unique, so
a re-run, a backfill or a second tick queues nothing twice). A delivery tick **claims** one due
message at a time (state ``sending``, with a lease and the tick's name) by a conditional update,
so an overlapping tick or a second daemon never takes the same message; a tick killed while it
holds one leaves it to be claimed again when the lease runs out. Each recipient's outcome is kept
(RFC 3464: ``delivered``, ``failed`` for a permanent 5xx with the server's answer, ``delayed`` for a
temporary 4xx). The message is then

- **sent** when no recipient is left to try and at least one took it (a refused one is kept, and
  shown);
- **deferred** when a recipient was delayed or the server was unavailable: tried again after
  1, 2, 4, … minutes (at most an hour apart), and given up (**failed**) after five days, as mail
  servers do;
- **failed** when every recipient refused it for good, the message could not be built, or it was
  given up.

No message waits for another: a refused or deferred one steps aside and the next due one goes.
Messages without a mail server are written as ``.eml`` files (state ``eml``) and recorded only once
the file is on disk (``alis_nord.outbox``).

The queue lives in the mail database (``ALIS_MAIL_DATABASE_URL``): not a slice of a report year,
and not derived from the landing area, so rebuilding the warehouse's figures sends nothing twice
(docs/operations.md, Backups and recovery). It has the warehouse's schema (one chain of
migrations); only ``outgoing_mail`` holds rows there when the two are apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from alis_nord.mail import (
    DELIVERED,
    FAILED,
    OutgoingMail,
    RecipientOutcome,
    recipients_as_text,
    recipients_from_text,
)
from alis_nord.schema import outgoing_mail

QUEUED, SENDING, DEFERRED, SENT, UNDELIVERABLE, WRITTEN = (
    "queued",
    "sending",
    "deferred",
    "sent",
    "failed",
    "eml",
)
LEASE = timedelta(minutes=10)  # far beyond one tick's budget and one message's time-out
FIRST_RETRY, LONGEST_RETRY = timedelta(minutes=1), timedelta(hours=1)
GIVE_UP_AFTER = timedelta(days=5)  # RFC 5321, 4.5.4.1: "at least 4-5 days"


def retry_delay(attempts: int) -> timedelta:
    """How long a message waits after its ``attempts``-th failed try: 1, 2, 4, … minutes, at most an hour."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


@dataclass(frozen=True)
class ClaimedMail:
    """A message one tick holds: its row's id and key, the message, and who it still has to reach."""

    id: int
    key: str
    mail: OutgoingMail
    pending: tuple[str, ...]
    queued_at: datetime
    attempts: int
    kind: str | None
    kommunenummer: str | None


class MailQueue:
    """The ``outgoing_mail`` table of the mail database."""

    def __init__(self, url: str):
        from alis_nord.warehouse import engine_for

        self.url = url
        self.engine = engine_for(url)

    # ------------------------------------------------------------------ queueing

    def queue(self, mail_key: str, mail: OutgoingMail, queued_at: datetime, **about: Any) -> bool:
        """Keep a message to send; False (and nothing queued) when ``mail_key`` already was.
        ``about`` fills the columns that say what it is (``kind``, ``about_year``, ``kommunenummer``,
        ``version``; ``channel``, ``state``, ``sent_at``, ``message_id`` for a written ``.eml``)."""
        row = {
            "mail_key": mail_key,
            "recipients": recipients_as_text(mail.recipients),  # text only in the column
            "subject": mail.subject,
            "body": mail.body,
            "html_body": mail.html,
            "sender_name": mail.sender_name,
            "reply_to": mail.reply_to,
            "queued_at": queued_at,
            "attempts": 0,
            "channel": "smtp",
            "state": QUEUED,
            **about,
        }
        try:
            with self.engine.begin() as conn:
                conn.execute(outgoing_mail.insert(), [row])
        except sa.exc.IntegrityError:  # the unique mail_key: queued before, by this or another tick
            return False
        return True

    def has(self, mail_key: str) -> bool:
        with self.engine.connect() as conn:
            return conn.scalar(sa.select(sa.func.count()).where(outgoing_mail.c.mail_key == mail_key)) > 0

    # ------------------------------------------------------------------ sending

    def claim(self, now: datetime, worker: str) -> ClaimedMail | None:
        """The next due message, now held by ``worker`` until the lease ends; None when none is due.
        Due: queued, deferred and past its time, or sending with a lease that ran out. Oldest due first."""
        c = outgoing_mail.c
        due = sa.and_(
            c.channel == "smtp",
            sa.or_(
                sa.and_(
                    c.state.in_((QUEUED, DEFERRED)),
                    sa.or_(c.next_attempt_at.is_(None), c.next_attempt_at <= now),
                ),
                sa.and_(c.state == SENDING, c.lease_until < now),
            ),
        )
        candidates = (
            sa.select(c.id)
            .where(due)
            .order_by(sa.func.coalesce(c.next_attempt_at, c.queued_at), c.id)
            .limit(5)
        )
        while True:
            with self.engine.connect() as conn:
                ids = list(conn.scalars(candidates))
            if not ids:
                return None
            for mail_id in ids:
                with self.engine.begin() as conn:  # the condition again: only one claimer wins
                    taken = conn.execute(
                        outgoing_mail.update()
                        .where(c.id == mail_id, due)
                        .values(state=SENDING, lease_until=now + LEASE, claimed_by=worker)
                    ).rowcount
                    if taken == 1:
                        row = conn.execute(sa.select(outgoing_mail).where(c.id == mail_id)).one()
                        return _claimed(row)

    def record(self, claimed: ClaimedMail, outcomes: Sequence[RecipientOutcome], now: datetime) -> str:
        """One attempt's outcome per recipient; returns the message's new state."""
        status = {**self._recipient_status(claimed.id), **{o.recipient: o.as_record() for o in outcomes}}
        everyone = claimed.mail.recipients
        left = [r for r in everyone if status.get(r, {}).get("action") not in (DELIVERED, FAILED)]
        delivered = [r for r in everyone if status.get(r, {}).get("action") == DELIVERED]
        problems = [f"{o.recipient}: {o.diagnostic}" for o in outcomes if o.action != DELIVERED]
        if left:
            return self._defer(claimed, now, "; ".join(problems), status)
        return self._finish(
            claimed,
            SENT if delivered else UNDELIVERABLE,
            now,
            "; ".join(problems) or None,
            status,
            sent_at=now if delivered else None,
        )

    def defer(self, claimed: ClaimedMail, now: datetime, reason: str) -> str:
        """The server was unavailable (down, no TLS, login refused): tried again later."""
        return self._defer(claimed, now, reason, self._recipient_status(claimed.id))

    def fail(self, claimed: ClaimedMail, now: datetime, reason: str) -> str:
        """The message cannot be sent at all (it could not be built): failed, with why."""
        return self._finish(claimed, UNDELIVERABLE, now, reason, self._recipient_status(claimed.id))

    def set_message_id(self, claimed: ClaimedMail, message_id: str) -> None:
        self._update(claimed, message_id=message_id)

    def _defer(self, claimed: ClaimedMail, now: datetime, reason: str, status: dict) -> str:
        if now - claimed.queued_at >= GIVE_UP_AFTER:
            return self._finish(
                claimed, UNDELIVERABLE, now, f"gitt opp etter {GIVE_UP_AFTER.days} dager: {reason}", status
            )
        return self._attempted(
            claimed, DEFERRED, reason, status, next_attempt_at=now + retry_delay(claimed.attempts + 1)
        )

    def _finish(
        self, claimed: ClaimedMail, state: str, now: datetime, reason: str | None, status: dict, sent_at=None
    ) -> str:
        return self._attempted(claimed, state, reason, status, sent_at=sent_at, next_attempt_at=None)

    def _attempted(self, claimed: ClaimedMail, state: str, reason: str | None, status: dict, **values) -> str:
        """One attempt recorded: the new state, the reason, each recipient's outcome; the claim released."""
        self._update(
            claimed,
            state=state,
            attempts=claimed.attempts + 1,
            last_error=reason,
            lease_until=None,
            claimed_by=None,
            recipient_status=status or None,
            **values,
        )
        return state

    def _update(self, claimed: ClaimedMail, **values) -> None:
        with self.engine.begin() as conn:
            conn.execute(outgoing_mail.update().where(outgoing_mail.c.id == claimed.id).values(**values))

    def _recipient_status(self, mail_id: int) -> dict:
        with self.engine.connect() as conn:
            return (
                conn.scalar(sa.select(outgoing_mail.c.recipient_status).where(outgoing_mail.c.id == mail_id))
                or {}
            )

    # ------------------------------------------------------------------ reading

    def about(self, year: int) -> list[dict[str, Any]]:
        """The messages to the municipalities about a report year (feedback and reminders), in
        the order queued: to whom, when, which version, their state and the Message-ID."""
        query = (
            sa.select(outgoing_mail)
            .where(outgoing_mail.c.about_year == year, outgoing_mail.c.kommunenummer.is_not(None))
            .order_by(outgoing_mail.c.id)
        )
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def years_of(self, mail_ids: Iterable[int]) -> list[int]:
        """The report years the given messages to municipalities are about (alerts have none)."""
        mail_ids = list(mail_ids)
        if not mail_ids:
            return []
        query = (
            sa.select(outgoing_mail.c.about_year)
            .where(outgoing_mail.c.id.in_(mail_ids), outgoing_mail.c.kommunenummer.is_not(None))
            .distinct()
        )
        with self.engine.connect() as conn:
            return sorted(year for year in conn.scalars(query) if year is not None)

    def waiting(self) -> int:
        """Messages not yet handed over for good (queued, sending or deferred)."""
        with self.engine.connect() as conn:
            return conn.scalar(
                sa.select(sa.func.count()).where(outgoing_mail.c.state.in_((QUEUED, SENDING, DEFERRED)))
            )

    def all(self) -> list[dict[str, Any]]:
        """Every message, in the order queued."""
        with self.engine.connect() as conn:
            return [
                dict(row._mapping)
                for row in conn.execute(sa.select(outgoing_mail).order_by(outgoing_mail.c.id))
            ]


def _claimed(row) -> ClaimedMail:
    mail = stored_mail(row._mapping)
    done = {r for r, s in (row.recipient_status or {}).items() if s.get("action") in (DELIVERED, FAILED)}
    return ClaimedMail(
        id=row.id,
        key=row.mail_key,
        mail=mail,
        pending=tuple(r for r in mail.recipients if r not in done),
        queued_at=row.queued_at,
        attempts=row.attempts,
        kind=row.kind,
        kommunenummer=row.kommunenummer,
    )


def stored_mail(row) -> OutgoingMail:
    """The message a stored row holds (its recipients read back from the column's text)."""
    return OutgoingMail(
        recipients_from_text(row["recipients"]),
        row["subject"],
        row["body"],
        row["html_body"],
        row["sender_name"],
        row["reply_to"],
    )


def refused_recipients(row: dict[str, Any]) -> list[tuple[str, dict[str, str]]]:
    """The recipients of a stored message that refused it for good, with their RFC 3464 record."""
    return [
        (r, s) for r, s in sorted((row.get("recipient_status") or {}).items()) if s.get("action") == FAILED
    ]
