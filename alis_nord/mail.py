"""E-mail to the project office: composing a message and handing it to an SMTP server.

No Dagster here. ``pipelines.resources.MailServer`` carries the settings (from the
environment, through ``dagster.EnvVar``); ``pipelines.alerts`` decides what to send and when.
A message is sent with STARTTLS whenever the server offers it, and logged in to only when a
user name is given. Sending either succeeds or raises ``MailNotSent``; the caller keeps the
message and tries again later.
"""

from __future__ import annotations

import re
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
    """A message to send: who to, the subject, the plain-text body (bokmål) and, for the
    feedback, the page as an HTML alternative."""

    recipients: tuple[str, ...]
    subject: str
    body: str
    html: str | None = None


class MailNotSent(RuntimeError):
    """The SMTP server could not be reached, refused the login or refused the message."""


# An address as municipalities write them, in ASCII (an SMTP server need not take more): a local
# part, and a domain of letters, digits and hyphens with at least one dot. Anything else, and
# above all a line break, is refused before it can reach a header or an SMTP command.
ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,}"
)
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def address_problem(text: str) -> str | None:
    """Why ``text`` is not one e-mail address (bokmål), or ``None`` when it is one."""
    if CONTROL.search(text):
        return "inneholder linjeskift eller andre kontrolltegn"
    if not ADDRESS.fullmatch(text):
        return "er ikke en gyldig e-postadresse"
    return None


def addresses_in(cell: str) -> tuple[tuple[str, ...], list[tuple[str, str]]]:
    """The addresses of one cell (several separated by commas or semicolons) and the refused ones
    with why.
    A cell with a line break or another control character is refused whole: nothing of it is
    used, so no part of an injected header can slip through as an address."""
    if CONTROL.search(cell):
        return (), [(cell, "inneholder linjeskift eller andre kontrolltegn")]
    good, refused = [], []
    for part in (p.strip() for p in cell.replace(";", ",").split(",")):
        if not part:
            continue
        problem = address_problem(part)
        if problem:
            refused.append((part, problem))
        elif part not in good:
            good.append(part)
    return tuple(good), refused


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
    if mail.html:
        message.add_alternative(mail.html, subtype="html")
    return message


def eml_bytes(mail: OutgoingMail, sender: str, written_at: datetime) -> tuple[bytes, str]:
    """The message as an ``.eml`` file the office can open in its mail program and send, and its
    Message-ID: what is written under ``output/<year>/utsendinger/`` without a mail server."""
    from email import policy

    message = as_email(mail, sender, written_at)
    message["X-Unsent"] = "1"  # Outlook opens it as a draft to send
    return message.as_bytes(policy=policy.SMTP), message["Message-ID"]


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
