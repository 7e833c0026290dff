"""The production service started for the delivery page's end-to-end test and its benchmark
(tests/test_delivery_end_to_end.py, bench/delivery_bench.py): every process of the topology
(``service.processes.running_service``: the code server, the daemon, both webservers, the delivery
page's uvicorn and nginx with TLS), a PostgreSQL database of its own for Dagster, the warehouse and
the mail database, and an aiosmtpd server (tests/smtp.py: STARTTLS, a login) as the municipalities'
mailboxes. The landing area is the bundled sample's reference data and the years the caller writes.

Also what a clerk's browser or an operator does with it: the links as the pipeline makes them, the
analyst's GraphQL through nginx (the landing sensor turned on, the runs listed), the messages the
mail server took, parsed as a mail client shows them.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from email import message_from_bytes, policy
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

import sqlalchemy as sa

from glue.resources import PROJECT_ROOT
from service.processes import prepare_site, running_service
from service.topology import Ports, Site, local_site
from service.users import ANALYSTS, add_user
from tests.network import free_port, listening
from tests.smtp import Sink, self_signed_certificate

SAMPLE = PROJECT_ROOT / "sample_landing"
ANALYST = ("kari", "analytiker-passord-1")
SMTP_LOGIN = ("alis", "riktig")  # tests/smtp.py's login
SENDER = "alis-nord@alis-nord.example"
# at least 32 characters (alis_nord.delivery_links); the test's own, never a real one
DELIVERY_SECRET = "levering-test-" + "7f3e9a1c5b2d4e6f8a0b1c2d3e4f5a6b"
# The sample's years ended long ago: 2023's deadline was 15 March 2024. A link works until
# ALIS_DELIVERY_LINK_DAYS after the deadline, so the service is told ten years, and the sample's
# years can be delivered to today.
LINK_DAYS = 3650


def sample_landing(root: Path, years: dict[int, dict[str, bytes] | None]) -> Path:
    """A landing area in ``root`` with the sample's ``referanse/`` and, for each year, the given
    files (name → bytes), or the sample's own files of that year for ``None``."""
    shutil.copytree(SAMPLE / "referanse", root / "referanse")
    for year, files in years.items():
        folder = root / str(year)
        folder.mkdir(parents=True)
        if files is None:
            for path in (SAMPLE / str(year)).iterdir():
                if path.is_file():
                    shutil.copy2(path, folder / path.name)
            continue
        for name, content in files.items():
            (folder / name).write_bytes(content)
    return root


@dataclass
class DeliveryService:
    site: Site
    run_dir: Path
    landing: Path
    output: Path
    database_url: str
    mail: Sink
    env: dict = field(repr=False)

    @property
    def base(self) -> str:
        return f"https://localhost:{self.site.ports.https}"

    @property
    def certificate(self) -> Path:
        """nginx's self-signed certificate: what a client that checks TLS trusts."""
        return self.site.config / "tls.crt"

    def tls_client(self):
        """A client's TLS that trusts nginx's certificate, and nothing else."""
        import ssl

        return ssl.create_default_context(cafile=str(self.certificate))

    def link(self, kommunenummer: str, year: int) -> str:
        """The link the pipeline puts in ``kommunenummer``'s e-mails for ``year`` (first generation,
        signed with the service's key), for the tests that need one per participant at once."""
        import datetime as dt

        from alis_nord.delivery_links import DeliveryLink, link_url, make_token

        until = dt.date.today() + dt.timedelta(days=30)
        token = make_token(DELIVERY_SECRET, DeliveryLink(kommunenummer, year, until))
        return link_url(self.env["ALIS_DELIVERY_BASE_URL"], token)

    # ---------------------------------------------------------------- the analyst's GraphQL

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        """The analysts' UI's GraphQL through nginx, logged in as an analyst."""
        request = urllib.request.Request(
            f"{self.base}/graphql",
            json.dumps({"query": query, "variables": variables or {}}).encode(),
            {
                "Content-Type": "application/json",
                "Authorization": "Basic " + base64.b64encode(f"{ANALYST[0]}:{ANALYST[1]}".encode()).decode(),
            },
        )
        with urllib.request.urlopen(request, timeout=60, context=self.tls_client()) as response:
            answer = json.load(response)
        assert "errors" not in answer, answer["errors"]
        return answer["data"]

    def start_landing_sensor(self, cursor: dict | None = None) -> None:
        """Turns the landing sensor on, as an operator does under Automation, with ``cursor`` (the
        UI's "Set cursor": what is already processed); none: everything is new to it."""
        selector = {
            "repositoryLocationName": "alis_nord",
            "repositoryName": "__repository__",
            "sensorName": "landing_area_sensor",
        }
        if cursor is not None:
            answer = self.graphql(
                "mutation($s: SensorSelector!, $c: String) { setSensorCursor(sensorSelector: $s, cursor: $c) "
                "{ __typename } }",
                {"s": selector, "c": json.dumps(cursor, sort_keys=True)},
            )
            assert answer["setSensorCursor"]["__typename"] == "Sensor", answer
        answer = self.graphql(
            "mutation($s: SensorSelector!) { startSensor(sensorSelector: $s) { __typename } }",
            {"s": selector},
        )
        assert answer["startSensor"]["__typename"] == "Sensor", answer

    def sensor_runs(self, year: int, created_after: float | None = None) -> list[dict]:
        """The runs of ``year`` the landing sensor started (after ``created_after``, a Unix time),
        newest first: id, status, creation time."""
        tags = [
            {"key": "dagster/sensor_name", "value": "landing_area_sensor"},
            {"key": "dagster/partition", "value": str(year)},
        ]
        query = """query($f: RunsFilter) { runsOrError(filter: $f) { ... on Runs { results {
            runId status creationTime } } } }"""
        runs_filter: dict = {"tags": tags}
        if created_after is not None:
            runs_filter["createdAfter"] = created_after
        return self.graphql(query, {"f": runs_filter})["runsOrError"]["results"]

    def wait_for_sensor_run(self, year: int, created_after: float, timeout: float = 300) -> dict:
        """The landing sensor's first run of ``year`` created after ``created_after``, once it has
        ended."""
        deadline = time.monotonic() + timeout
        while not (runs := self.sensor_runs(year, created_after)):
            assert time.monotonic() < deadline, f"the sensor started no run of {year} within {timeout:.0f} s"
            time.sleep(1)
        run = runs[-1]  # the oldest of them
        return {**run, "status": self.wait_for_run(run["runId"], deadline - time.monotonic())}

    def wait_for_run(self, run_id: str, timeout: float = 300) -> str:
        deadline = time.monotonic() + max(timeout, 1)
        query = "query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }"
        while True:
            status = self.graphql(query, {"id": run_id})["runOrError"]["status"]
            if status in ("SUCCESS", "FAILURE", "CANCELED"):
                return status
            assert time.monotonic() < deadline, f"run {run_id} still {status} after {timeout:.0f} s"
            time.sleep(1)

    # ---------------------------------------------------------------- the mailboxes

    def messages(self, since: int = 0) -> list[tuple[list[str], EmailMessage]]:
        """What the mail server took (from the ``since``-th message on): recipients and the message
        as a mail client parses it."""
        return [
            (recipients, message_from_bytes(content, policy=policy.default))
            for _, recipients, content in list(self.mail.received)[since:]
        ]

    def wait_for_message(
        self, to: str, about: str = "", since: int = 0, timeout: float = 180
    ) -> EmailMessage:
        """The first message to ``to`` whose subject holds ``about``, among those taken from the
        ``since``-th on, once it comes."""
        deadline = time.monotonic() + timeout
        while True:
            for recipients, message in self.messages(since):
                if to in recipients and about in message["Subject"]:
                    return message
            assert time.monotonic() < deadline, f"no e-mail to {to} within {timeout:.0f} s"
            time.sleep(0.5)


def links_in(message: EmailMessage) -> list[tuple[str, str]]:
    """The links of a message's HTML body as a mail client shows them: (text, address) of every
    ``<a href>``."""
    body = message.get_body(preferencelist=("html",))
    assert body is not None, "the message has no HTML part"
    parser = _Links()
    parser.feed(body.get_content())
    return parser.links


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a" and dict(attrs).get("href"):
            self._href, self._text = dict(attrs)["href"], []

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((" ".join("".join(self._text).split()), self._href))
            self._href = None


def _administer(server_url: str, *statements: str) -> None:
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for statement in statements:
            conn.execute(sa.text(statement))
    admin.dispose()


@contextlib.contextmanager
def delivery_service(
    root: Path,
    server_url: str,
    landing: Path,
    *,
    database: str,
    sensor_interval: int,
    settle_seconds: int,
) -> Iterator[DeliveryService]:
    """The whole service on free ports, its files in ``root``, its database ``database`` (made new
    on the PostgreSQL server at ``server_url``, dropped at the end), the landing area ``landing``;
    the landing sensor looks every ``sensor_interval`` s and waits ``settle_seconds`` of quiet.
    Nothing is left running or listening afterwards."""
    ports = Ports(*(free_port() for _ in fields(Ports)))
    run_dir = root / "run"
    site = local_site(run_dir, ports)
    prepare_site(site)
    add_user(site.config / "users", ANALYST[0], ANALYSTS, ANALYST[1])
    certificate, _ = self_signed_certificate(root)  # the mail server's, for 127.0.0.1
    mail = Sink(root, tls=True)
    _administer(server_url, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)", f"CREATE DATABASE {database}")
    database_url = sa.engine.make_url(server_url).set(database=database).render_as_string(hide_password=False)
    base = f"https://localhost:{ports.https}"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ALIS_", "DAGSTER_"))}
    env |= {
        "DAGSTER_POSTGRES_URL": database_url.replace("postgresql+psycopg://", "postgresql://", 1),
        "ALIS_DATABASE_URL": database_url,  # the mail database too (Settings.mail_queue_url)
        "ALIS_LANDING_DIR": str(landing),
        "ALIS_OUTPUT_DIR": str(root / "output"),
        "ALIS_LANDING_SENSOR_INTERVAL": str(sensor_interval),
        "ALIS_LANDING_SETTLE_SECONDS": str(settle_seconds),
        "ALIS_SMTP_HOST": "127.0.0.1",
        "ALIS_SMTP_PORT": str(mail.port),
        "ALIS_SMTP_SENDER": SENDER,
        "ALIS_SMTP_USERNAME": SMTP_LOGIN[0],
        "ALIS_SMTP_PASSWORD": SMTP_LOGIN[1],
        "ALIS_ALERT_RECIPIENTS": "prosjektkontoret@alis-nord.example",
        "ALIS_UI_BASE_URL": base,
        "ALIS_DELIVERY_SECRET": DELIVERY_SECRET,
        "ALIS_DELIVERY_BASE_URL": f"{base}/levering",
        "ALIS_DELIVERY_LINK_DAYS": str(LINK_DAYS),
        "SSL_CERT_FILE": str(certificate),  # the mail server's certificate is the test's own
    }
    try:
        migrate = subprocess.run(
            [sys.executable, "-m", "service.migrate"],
            env=env,
            capture_output=True,
            text=True,
            cwd=PROJECT_ROOT,
        )
        assert migrate.returncode == 0, migrate.stderr
        with running_service(site, run_dir, env):
            yield DeliveryService(site, run_dir, landing, root / "output", database_url, mail, env)
    finally:
        mail.stop()
        _administer(server_url, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    assert not [p for p in (*vars(ports).values(), mail.port) if listening(p)]  # nothing left listening
