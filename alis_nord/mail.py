"""E-mail to the project office: composing a message and handing it to an SMTP server.

No Dagster here. ``pipelines.resources.MailServer`` carries the settings (from the
environment, through ``dagster.EnvVar``); ``pipelines.alerts`` decides what to send and when.
A message is sent with STARTTLS whenever the server offers it, and logged in to only when a
user name is given. Sending either succeeds or raises ``MailNotSent``; the caller keeps the
message and tries again later.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

DEFAULT_TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS


@dataclass(frozen=True)
class OutgoingMail:
    """A message to send: who to, the subject and the plain-text body (bokmål)."""

    recipients: tuple[str, ...]
    subject: str
    body: str


class MailNotSent(RuntimeError):
    """The SMTP server could not be reached, refused the login or refused the message."""


def recipients_from_text(text: str | None) -> tuple[str, ...]:
    """``"a@x.no, b@x.no"`` (commas, semicolons or spaces between) as a tuple, in the order given."""
    if not text:
        return ()
    return tuple(part for part in text.replace(";", ",").replace(" ", ",").split(",") if part)


def as_email(mail: OutgoingMail, sender: str, sent_at: datetime) -> EmailMessage:
    """The message as sent: UTF-8 plain text, with a Message-ID from the sender's domain."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(mail.recipients)
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(mail.body)
    return message


def send(mail: OutgoingMail, settings: SmtpSettings, sent_at: datetime) -> str:
    """Sends one message and returns its Message-ID; raises ``MailNotSent`` with the reason."""
    message = as_email(mail, settings.sender, sent_at)
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_seconds) as smtp:
            smtp.ehlo()
            if smtp.has_extn("starttls"):
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if settings.username:
                smtp.login(settings.username, settings.password or "")
            smtp.send_message(message, to_addrs=list(mail.recipients))
    except (OSError, smtplib.SMTPException) as error:
        raise MailNotSent(f"{settings.host}:{settings.port}: {error}") from error
    return message["Message-ID"]


def first_line(text: str | None) -> str:
    """The first non-empty line of an error message, for an alert's summary."""
    for line in (text or "").splitlines():
        if line.strip():
            return line.strip()
    return ""


def run_failure_alert(
    *,
    job_name: str,
    years: Sequence[str],
    failed_steps: Sequence[str],
    failed_checks: Sequence[str],
    error: str,
    run_url: str,
) -> tuple[str, str]:
    """Subject and body (bokmål) of the e-mail that tells the project office a run failed."""
    year_text = ", ".join(years) if years else "uten rapportår"
    held = bool(failed_checks)
    subject = (
        f"ALIS-Nord: rapporten for {year_text} holdes tilbake av en kontroll"
        if held
        else f"ALIS-Nord: kjøringen for {year_text} feilet"
    )
    lines = [
        f"Kjøringen av {job_name} for rapportår {year_text} feilet.",
        "",
    ]
    if failed_checks:
        lines.append("Kontroller som holder rapporten tilbake:")
        lines += [f"  - {check}" for check in failed_checks]
    if failed_steps:
        lines.append("Steg som feilet:")
        lines += [f"  - {step}" for step in failed_steps]
    lines += [
        "",
        f"Feilmelding: {first_line(error) or '(ingen feilmelding)'}",
        "",
        f"Se kjøringen: {run_url}",
        "",
        "Rett feilen (for eksempel filen i mottaksområdet) og kjør året på nytt fra Dagster.",
        "Denne e-posten er sendt automatisk av ALIS-Nord-rapporteringen.",
    ]
    return subject, "\n".join(lines) + "\n"
