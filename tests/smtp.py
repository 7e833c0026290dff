"""A real SMTP server for the tests (aiosmtpd on a free port), with the faults a mail system meets:
a recipient refused for good (550) or for now (451, a given number of times), a server that takes
seconds per message, STARTTLS or implicit TLS with a login, and a server that asks for a login
without offering TLS. It records what it accepted and every login attempt that reached it."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
import threading
from pathlib import Path

from tests.network import free_port


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (and its key), made by openssl; trust it with SSL_CERT_FILE."""
    key, certificate = directory / "smtp-key.pem", directory / "smtp-cert.pem"
    if not certificate.exists():
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(certificate)],
            check=True, capture_output=True,
        )  # fmt: skip
    return certificate, key


class Sink:
    """aiosmtpd on a free port.

    - ``tls``: offers STARTTLS (a self-signed certificate) and takes a login (``alis``/``riktig``)
      only after it; ``implicit_tls``: TLS from the first byte, as on port 465, with the same login.
    - ``login_without_tls``: no TLS at all, but AUTH offered: what a careless server does.
    - ``refuse``: recipient → the reply to its RCPT (``"550 5.1.1 No such user"``);
      ``defer``: recipient → how many times it is answered ``451`` before it is taken.
    - ``seconds_per_message``: the time DATA takes.

    ``received`` lists (TLS?, recipients, content) per message; ``logins`` every login attempt.
    """

    def __init__(
        self,
        tmp_path: Path,
        tls: bool = False,
        port: int | None = None,
        *,
        implicit_tls: bool = False,
        login_without_tls: bool = False,
        refuse: dict[str, str] | None = None,
        defer: dict[str, int] | None = None,
        seconds_per_message: float = 0,
    ):
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        self.port, self.received, self.logins = port or free_port(), [], []
        self.refuse, self.defer = dict(refuse or {}), dict(defer or {})
        self._lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if address in sink.refuse:
                    return sink.refuse[address]
                with sink._lock:
                    if sink.defer.get(address, 0) > 0:
                        sink.defer[address] -= 1
                        return "451 4.2.1 Mailbox busy, try again later"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                if seconds_per_message:
                    await asyncio.sleep(seconds_per_message)
                with sink._lock:
                    tls = session.ssl is not None or implicit_tls
                    sink.received.append((tls, list(envelope.rcpt_tos), envelope.content))
                return "250 OK"

        def authenticator(server, session, envelope, mechanism, data):
            sink.logins.append((data.login, data.password, session.ssl is not None or implicit_tls))
            return AuthResult(success=(data.login, data.password) == (b"alis", b"riktig"))

        options: dict = {}
        if tls or implicit_tls:
            certificate, key = self_signed_certificate(tmp_path)
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(certificate, key)
            # aiosmtpd counts only STARTTLS as TLS for AUTH; on implicit TLS every byte is encrypted
            options = {"auth_require_tls": not implicit_tls, "authenticator": authenticator}
            options |= {"ssl_context": context} if implicit_tls else {"tls_context": context}
        elif login_without_tls:
            options = {"auth_require_tls": False, "authenticator": authenticator}
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, **options)
        self.controller.start()

    def stop(self):
        self.controller.stop()
