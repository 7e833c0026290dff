"""E-mail: composing a message so that no text from a file can break its headers, and handing it
to an SMTP server the way a mail system does.

No Dagster here. ``glue.resources.MailServer`` carries the settings (from the environment,
through ``dagster.EnvVar``); ``alis_nord.mail_queue`` keeps each message's state and
``pipelines.alerts`` decides when to send.

- **Credentials only over TLS.** ``security`` is ``starttls`` (the default: the server must offer
  STARTTLS, or nothing is sent), ``tls`` (implicit TLS, port 465) or ``none`` (a trusted local relay:
  plain SMTP and never a login). The certificate is verified against the system's trust store
  (``SSL_CERT_FILE`` names another). A server without TLS never receives the password.
- **Each recipient's outcome** is reported as RFC 3464 (the delivery status notification) names it:
  the action (``delivered``, ``failed`` for a permanent 5xx, ``delayed`` for a temporary 4xx), the
  status code and the server's own answer. A failure of the server as a whole (down, no TLS, login
  refused, the connection lost) is ``ServerUnavailable``: nothing was handed over.
- **Addresses** follow RFC 5321's limits (local part 64 octets, address 254).
"""

from __future__ import annotations

import hashlib
import re
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

DEFAULT_TIMEOUT_SECONDS = 20
STARTTLS, IMPLICIT_TLS, PLAIN_RELAY = "starttls", "tls", "none"
SECURITY_MODES = (STARTTLS, IMPLICIT_TLS, PLAIN_RELAY)
IMPLICIT_TLS_PORT = 465


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    security: str = STARTTLS  # starttls, tls or none (see the module's docstring)


@dataclass(frozen=True)
class OutgoingMail:
    """A message to send: who to, the subject, the plain-text body (bokmål) and, for the
    feedback, the page as an HTML alternative."""

    recipients: tuple[str, ...]
    subject: str
    body: str
    html: str | None = None
    sender_name: str | None = None  # the From's display name: «ALIS-Nord, Bodø kommune»
    reply_to: str | None = None  # the project office's contact person, who gets the answers


class MessageNotBuilt(ValueError):
    """A header would carry a line break or a control character: the message is not built."""


class ServerUnavailable(RuntimeError):
    """Nothing was handed over: the server could not be reached, offered no TLS, refused the login
    or the sender, or the connection broke. The message waits and is tried again."""


DELIVERED, FAILED, DELAYED = "delivered", "failed", "delayed"  # RFC 3464's Action values


@dataclass(frozen=True)
class RecipientOutcome:
    """One recipient's outcome of one attempt, in RFC 3464's terms."""

    recipient: str
    action: str  # delivered, failed (a permanent 5xx) or delayed (a temporary 4xx)
    status: str  # the enhanced status code, e.g. 5.1.1
    diagnostic: str  # "smtp; 550 5.1.1 <...>: Recipient address rejected"

    def as_record(self) -> dict[str, str]:
        return {"action": self.action, "status": self.status, "diagnostic": self.diagnostic}


# An address as municipalities write them, in ASCII (an SMTP server need not take more): a local
# part, and a domain of letters, digits and hyphens with at least one dot. Anything else, and
# above all a line break, is refused before it can reach a header or an SMTP command.
ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,}"
)
MAX_LOCAL_PART, MAX_ADDRESS = 64, 254  # RFC 5321, 4.5.3.1.1 and the path limit less its brackets
# Line breaks and control characters, Unicode's too (NEL, the line and paragraph separators):
# none of them may reach a header, where a mail program would break the line there.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def address_problem(text: str) -> str | None:
    """Why ``text`` is not one e-mail address (bokmål), or ``None`` when it is one."""
    if CONTROL.search(text):
        return "inneholder linjeskift eller andre kontrolltegn"
    if not ADDRESS.fullmatch(text):
        return "er ikke en gyldig e-postadresse"
    if len(text.rpartition("@")[0]) > MAX_LOCAL_PART:
        return f"har mer enn {MAX_LOCAL_PART} tegn før @ (grensen i e-poststandarden)"
    if len(text) > MAX_ADDRESS:
        return f"er lengre enn {MAX_ADDRESS} tegn (grensen i e-poststandarden)"
    return None


def name_problem(text: str) -> str | None:
    """Why a name (of a municipality, a project) cannot go into a header as it is, or ``None``."""
    if CONTROL.search(text):
        return "inneholder linjeskift eller andre kontrolltegn"
    return None


def header_safe(text: str) -> str:
    """``text`` with every line break and control character replaced by one space."""
    return " ".join(CONTROL.sub(" ", text).split())


# How a list of addresses is read, the one rule for a cell of ``deltakerkommuner.csv``,
# ``ALIS_ALERT_RECIPIENTS`` and a stored message alike: commas and semicolons separate addresses,
# and so does white space between two addresses (``a@x.no b@x.no``). Anything else with a space
# in it (``Kari <a@x.no>``, ``a b@x.no``) is one value, never partly used.
SEPARATORS = re.compile(r"[,;]")


def recipients_from_text(text: str | None) -> tuple[str, ...]:
    """``"a@x.no, b@x.no;c@x.no d@x.no"`` as a tuple, in the order given (see ``SEPARATORS``).
    Nothing is refused here: ``addresses_in`` says which values are no addresses."""
    found: list[str] = []
    for part in SEPARATORS.split(text or ""):
        pieces = part.split()
        if len(pieces) > 1 and all(address_problem(piece) is None for piece in pieces):
            found += pieces
        elif pieces:
            found.append(part.strip())
    return tuple(found)


def recipients_as_text(recipients: Sequence[str]) -> str:
    """The inverse of ``recipients_from_text``, for a column or a header: ``a@x.no, b@x.no``."""
    return ", ".join(recipients)


def addresses_in(cell: str) -> tuple[tuple[str, ...], list[tuple[str, str]]]:
    """The addresses of one cell (read by ``recipients_from_text``), each once, and the refused
    ones with why.
    A cell with a line break or another control character is refused whole: nothing of it is
    used, so no part of an injected header can slip through as an address."""
    if CONTROL.search(cell):
        return (), [(cell, "inneholder linjeskift eller andre kontrolltegn")]
    good, refused = [], []
    for part in recipients_from_text(cell):
        problem = address_problem(part)
        if problem:
            refused.append((part, problem))
        elif part not in good:
            good.append(part)
    return tuple(good), refused


class _LiteralHeader(str):
    """A header value that contains ``=?``: written as RFC 2047 encoded-words, so a mail program
    shows the text as it is instead of decoding a look-alike encoded-word inside it. (Python's
    ``email`` writes such text unencoded, and a reader would decode it.) Duck-typed as the
    policy's own header objects are: a ``name`` and a ``fold``."""

    name: str

    def __new__(cls, name: str, value: str):
        header = super().__new__(cls, value)
        header.name = name
        return header

    def fold(self, *, policy) -> str:
        encoded = Header(str(self), "utf-8", header_name=self.name).encode(linesep=policy.linesep)
        return f"{self.name}: {encoded}{policy.linesep}"


def _header(name: str, value: str):
    if CONTROL.search(value):
        raise MessageNotBuilt(f"{name} inneholder linjeskift eller andre kontrolltegn: {value!r}")
    return _LiteralHeader(name, value) if "=?" in value else value


def message_id_for(key: str, sender: str) -> str:
    """A Message-ID made from the message's key: the same message keeps its id through every
    attempt and every rewrite of its ``.eml``, and two messages never share one."""
    domain = sender.rpartition("@")[2] or "localhost"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def as_email(mail: OutgoingMail, sender: str, written_at: datetime, message_id: str) -> EmailMessage:
    """The message: UTF-8 plain text (and the HTML alternative). Raises ``MessageNotBuilt`` when a
    header would carry a line break or control character."""
    for address in mail.recipients:  # the sender is the operator's setting: only no line break
        problem = address_problem(address)
        if problem:
            raise MessageNotBuilt(f"adressen {address!r} {problem}")
    if CONTROL.search(sender):
        raise MessageNotBuilt(f"avsenderen {sender!r} inneholder linjeskift eller andre kontrolltegn")
    if mail.reply_to and (problem := address_problem(mail.reply_to)):
        raise MessageNotBuilt(f"svaradressen {mail.reply_to!r} {problem}")
    message = EmailMessage()
    message["From"] = (
        Address(display_name=str(_header("From", mail.sender_name)), addr_spec=sender)
        if mail.sender_name
        else sender
    )
    message["To"] = recipients_as_text(mail.recipients)
    if mail.reply_to:
        message["Reply-To"] = mail.reply_to
    message["Subject"] = _header("Subject", mail.subject)
    message["Date"] = format_datetime(written_at)
    message["Message-ID"] = message_id
    message.set_content(mail.body)
    if mail.html:
        message.add_alternative(mail.html, subtype="html")
        # from the Message-ID, not the clock: the same message is the same bytes (an .eml written back)
        message.set_boundary(f"=_alis_{hashlib.sha256(message_id.encode()).hexdigest()[:24]}")
    return message


def eml_bytes(mail: OutgoingMail, sender: str, written_at: datetime, message_id: str) -> bytes:
    """The message as an ``.eml`` file the office can open in its mail program and send: what is
    written under ``output/<year>/utsendinger/`` without a mail server, from the office's contact
    address when there is one. The same message, date and id give the same bytes, so a lost file is
    written back as it was."""
    from email import policy

    message = as_email(mail, mail.reply_to or sender, written_at, message_id)
    message["X-Unsent"] = "1"  # Outlook opens it as a draft to send
    return message.as_bytes(policy=policy.SMTP)


def _status(code: int, answer: bytes | str) -> tuple[str, str]:
    """The enhanced status code (the server's own, else the reply class's) and the diagnostic."""
    text = answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)
    text = " ".join(text.split())
    found = re.match(r"([245]\.\d{1,3}\.\d{1,3})\b", text)
    return (found.group(1) if found else f"{code // 100}.0.0"), f"smtp; {code} {text}".strip()


def _outcome(recipient: str, code: int, answer: bytes | str) -> RecipientOutcome:
    status, diagnostic = _status(code, answer)
    if 200 <= code < 300:
        return RecipientOutcome(recipient, DELIVERED, status, diagnostic)
    return RecipientOutcome(recipient, FAILED if code >= 500 else DELAYED, status, diagnostic)


def _connect(settings: SmtpSettings, timeout: float) -> smtplib.SMTP:
    """An open, greeted connection that may carry the password: TLS as ``security`` says."""
    if settings.security not in SECURITY_MODES:
        raise ServerUnavailable(f"ukjent ALIS_SMTP_SECURITY {settings.security!r} (starttls, tls eller none)")
    if settings.security == PLAIN_RELAY and settings.username:
        raise ServerUnavailable(
            "ALIS_SMTP_SECURITY=none er for en lokal relay uten innlogging: passordet sendes ikke ukryptert"
        )
    context = ssl.create_default_context()
    if settings.security == IMPLICIT_TLS:
        smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
    try:
        smtp.ehlo()
        if settings.security == STARTTLS:
            if not smtp.has_extn("starttls"):
                raise ServerUnavailable(
                    "serveren tilbyr ikke STARTTLS: ingenting er sendt, og passordet er ikke sendt"
                )
            smtp.starttls(context=context)
            smtp.ehlo()
        if settings.username:
            smtp.login(settings.username, settings.password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def deliver(
    message: EmailMessage, recipients: Sequence[str], settings: SmtpSettings, timeout: float | None = None
) -> list[RecipientOutcome]:
    """Hands ``message`` to the server for ``recipients``: each one's outcome. Raises
    ``ServerUnavailable`` when nothing could be handed over for a reason not of this message."""
    where = f"{settings.host}:{settings.port}"
    try:
        smtp = _connect(settings, timeout or settings.timeout_seconds)
    except ServerUnavailable as error:
        raise ServerUnavailable(f"{where}: {error}") from None
    except (OSError, smtplib.SMTPException) as error:
        raise ServerUnavailable(f"{where}: {error}") from error
    try:
        with smtp:
            refused = smtp.send_message(message, from_addr=settings.sender, to_addrs=list(recipients))
    except smtplib.SMTPRecipientsRefused as error:  # every recipient refused
        refused = error.recipients
    except smtplib.SMTPDataError as error:  # the message itself: each recipient alike
        return [_outcome(r, error.smtp_code, error.smtp_error) for r in recipients]
    except (OSError, smtplib.SMTPException) as error:  # the sender refused, the connection lost
        raise ServerUnavailable(f"{where}: {error}") from error
    return [_outcome(r, *refused[r]) if r in refused else _outcome(r, 250, "2.0.0 OK") for r in recipients]


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
