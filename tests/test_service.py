"""The production service, started for real on this machine and used as its three user groups do.

One topology for the module (``service.processes.running_service``, the commands of the unit files):
PostgreSQL (the tests' server; Dagster's storage and the warehouse in one database of its own),
the code server, the daemon, the analysts' and the finance officers' webservers, and Debian's nginx
with TLS (a self-signed certificate) and logins from a users file; an SMTP server (aiosmtpd, with
STARTTLS and a login) as the project office's mailbox. A known password is in the database URLs
and is the SMTP password; the last tests search the UI's answers and every log for it.

The tests run in file order and build on each other where they say so: the analyst's run, the
schedule's and the sensor's run first, then a run made to fail while the mail server is down.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field, fields
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from service.processes import prepare_site, running_service
from service.topology import Ports, Site, local_site
from service.users import ANALYSTS, FINANCE_OFFICERS, add_user
from tests.network import free_port, listening
from tests.small_landing import write_small_landing

KNOWN_PASSWORD = "Hemmelig-9f3c1a7e-passord"  # in every URL and the SMTP login; must never be shown
ANALYST = ("kari", "analytiker-passord-1")
FINANCE_OFFICER = ("ola", "okonomi-passord-22")
PROJECT_OFFICE = "prosjektkontoret@alis-nord.example"
DATABASE = f"alis_service_test_{os.getpid()}"  # its own, dropped at the end
FAILING_YEAR = "2022"  # offered (2019 up to SCHEDULE_YEAR), but the test's satser.csv has no rates for it
SCHEDULE_YEAR = str(dt.datetime.now(ZoneInfo("Europe/Oslo")).year - 1)  # the year the schedule reports


class MailSink:
    """aiosmtpd as the project office's mail server: STARTTLS offered, a login required.
    ``stop`` and ``start`` take it down and bring it back on the same port."""

    def __init__(self, port: int, certificate: Path, key: Path):
        self.port, self.messages = port, []
        self.tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.tls.load_cert_chain(certificate, key)
        self.controller = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                sink.messages.append(
                    {"tls": session.ssl is not None, "login": session.login_data, "to": envelope.rcpt_tos,
                     "data": envelope.content.decode()}
                )  # fmt: skip
                return "250 OK"

        def authenticator(server, session, envelope, mechanism, data):
            return AuthResult(success=(data.login, data.password) == (b"alis-nord", KNOWN_PASSWORD.encode()))

        self.controller = Controller(
            Handler(), hostname="127.0.0.1", port=self.port, tls_context=self.tls,
            authenticator=authenticator, auth_require_tls=True,
        )  # fmt: skip
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@dataclass
class Service:
    site: Site
    run_dir: Path
    landing: Path
    output: Path
    database_url: str
    mail: MailSink
    env: dict = field(repr=False)

    @property
    def base(self) -> str:
        return f"https://localhost:{self.site.ports.https}"

    def request(self, path: str, user=None, body: dict | None = None, headers=None) -> tuple[int, bytes]:
        request = urllib.request.Request(
            f"{self.base}{path}",
            json.dumps(body).encode() if body is not None else None,
            {"Content-Type": "application/json", **(headers or {})},
        )
        if user:
            request.add_header(
                "Authorization", "Basic " + base64.b64encode(f"{user[0]}:{user[1]}".encode()).decode()
            )
        try:
            with urllib.request.urlopen(request, timeout=60, context=_trusting(self.site)) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def graphql(self, user, query: str, variables: dict | None = None) -> dict:
        status, body = self.request("/graphql", user, {"query": query, "variables": variables or {}})
        assert status == 200, body[:500]
        answer = json.loads(body)
        assert "errors" not in answer, answer["errors"]
        return answer["data"]


def _trusting(site: Site) -> ssl.SSLContext:
    """TLS that trusts the service's self-signed certificate, and nothing else."""
    return ssl.create_default_context(cafile=str(site.config / "tls.crt"))


def _administer(server_url: str, *statements: str) -> None:
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for statement in statements:
            conn.execute(sa.text(statement))
    admin.dispose()


def _database(server_url: str) -> str:
    """A database of its own for the service on the tests' PostgreSQL; its URL with the known password."""
    _administer(server_url, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)", f"CREATE DATABASE {DATABASE}")
    url = sa.engine.make_url(server_url).set(database=DATABASE, password=KNOWN_PASSWORD)
    return url.render_as_string(hide_password=False)


def _drop_database(server_url: str) -> None:
    _administer(server_url, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


@pytest.fixture(scope="module")
def service(tmp_path_factory, postgres_server_url):
    root = tmp_path_factory.mktemp("service")
    landing = write_small_landing(root / "landing")
    (landing / SCHEDULE_YEAR).mkdir()  # the schedule's year: nothing delivered yet, but offered
    satser = landing / "referanse" / "satser.csv"
    satser.write_text(
        satser.read_text(encoding="utf-8") + f"{SCHEDULE_YEAR};250000;50000\n", encoding="utf-8"
    )
    ports = Ports(*(free_port() for _ in fields(Ports)))
    run_dir = root / "run"
    site = local_site(run_dir, ports)
    prepare_site(site)
    add_user(site.config / "users", ANALYST[0], ANALYSTS, ANALYST[1])
    add_user(site.config / "users", FINANCE_OFFICER[0], FINANCE_OFFICERS, FINANCE_OFFICER[1])
    mail = MailSink(free_port(), site.config / "tls.crt", site.config / "tls.key")
    mail.start()
    database_url = _database(postgres_server_url)
    env = {
        **os.environ,
        "DAGSTER_POSTGRES_URL": database_url.replace("postgresql+psycopg://", "postgresql://", 1),
        "ALIS_DATABASE_URL": database_url,
        "ALIS_LANDING_DIR": str(landing),
        "ALIS_OUTPUT_DIR": str(root / "output"),
        # every minute: the first tick is the next minute; the run key (one per report year) keeps
        # the ticks after it from starting the year again
        "ALIS_REPORT_SCHEDULE": "* * * * *",
        "ALIS_LANDING_SENSOR_INTERVAL": "5",
        "ALIS_SMTP_HOST": "127.0.0.1",
        "ALIS_SMTP_PORT": str(mail.port),
        "ALIS_SMTP_SENDER": "alis-nord@alis-nord.example",
        "ALIS_SMTP_USERNAME": "alis-nord",
        "ALIS_SMTP_PASSWORD": KNOWN_PASSWORD,
        "ALIS_ALERT_RECIPIENTS": PROJECT_OFFICE,
        "ALIS_UI_BASE_URL": f"https://localhost:{ports.https}",
        "SSL_CERT_FILE": str(site.config / "tls.crt"),  # the mail server's certificate is the test's own
    }
    env.pop("DAGSTER_HOME", None)
    migrate = subprocess.run(
        [sys.executable, "-m", "service.migrate"], env=env, capture_output=True, text=True
    )
    assert migrate.returncode == 0, migrate.stderr
    assert KNOWN_PASSWORD not in migrate.stdout + migrate.stderr  # it prints the URL without it
    try:
        with running_service(site, run_dir, env):
            yield Service(site, run_dir, landing, root / "output", database_url, mail, env)
    finally:
        mail.stop()
        _drop_database(postgres_server_url)
    assert not [p for p in (*vars(ports).values(), mail.port) if listening(p)]  # nothing left listening


# --- who may do what ----------------------------------------------------------------------------------


def _websocket_status(service: Service, user=None) -> int:
    """The status line nginx answers a WebSocket upgrade of /graphql with (101 when it is switched)."""
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [
        "GET /graphql HTTP/1.1", f"Host: localhost:{service.site.ports.https}", "Upgrade: websocket",
        "Connection: Upgrade", f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13",
        "Sec-WebSocket-Protocol: graphql-ws",
    ]  # fmt: skip
    if user:
        lines.append("Authorization: Basic " + base64.b64encode(f"{user[0]}:{user[1]}".encode()).decode())
    with (
        socket.create_connection(("127.0.0.1", service.site.ports.https), timeout=30) as raw,
        _trusting(service.site).wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        tls.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        return int(tls.recv(4096).split(b" ", 2)[1])


def test_nobody_without_credentials_gets_in(service):
    for path in ("/", "/graphql", "/server_info", "/assets/grant_use", "/runs"):
        assert service.request(path)[0] == 401, path
    assert service.request("/graphql", body={"query": "{ version }"})[0] == 401
    assert service.request("/", ("kari", "wrong-password"))[0] == 401
    assert _websocket_status(service) == 401
    assert _websocket_status(service, ANALYST) == 101  # the UI's live updates pass nginx once logged in
    assert _websocket_status(service, FINANCE_OFFICER) == 101
    with socket.create_connection(("127.0.0.1", service.site.ports.https), timeout=10) as raw:  # TLS only
        raw.sendall(b"GET / HTTP/1.0\r\n\r\n")
        assert b"400" in raw.recv(4096).split(b"\r\n")[0]
    with socket.create_connection(("127.0.0.1", service.site.ports.http), timeout=10) as raw:  # sent on
        raw.sendall(b"GET /assets?x=1 HTTP/1.0\r\nHost: localhost\r\n\r\n")
        answer = raw.recv(4096).decode()
    assert answer.startswith("HTTP/1.1 301")
    assert f"Location: https://localhost:{service.site.ports.https}/assets?x=1\r\n" in answer


# --- TLS and framing ----------------------------------------------------------------------------

# The TLS 1.2 suites nginx may agree to with the service's RSA certificate: Mozilla's intermediate
# list (service.config.TLS12_CIPHERS) less its ECDSA suites, which need an ECDSA certificate.
ACCEPTED_TLS12 = {"ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-CHACHA20-POLY1305"}
# Refused, each shown first to work against a server that allows everything: RSA key exchange
# (no forward secrecy), and CBC with SHA-1, SHA-256 or SHA-384.
REFUSED_TLS12 = ["AES128-SHA", "AES256-SHA", "AES128-GCM-SHA256", "AES256-GCM-SHA384", "ECDHE-RSA-AES128-SHA",
                 "ECDHE-RSA-AES256-SHA", "ECDHE-RSA-AES128-SHA256", "ECDHE-RSA-AES256-SHA384"]  # fmt: skip


def _tls_client(site: Site, version: ssl.TLSVersion, ciphers: str = "ALL") -> ssl.SSLContext:
    """A client that offers exactly ``version`` and ``ciphers``, old ones too (OpenSSL's security
    level 0), and trusts the service's certificate."""
    import warnings

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(site.config / "tls.crt")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"ssl\.TLSVersion\.TLSv1(_1)? is deprecated")
        context.minimum_version = context.maximum_version = version
    context.set_ciphers(f"{ciphers}:@SECLEVEL=0")
    return context


def _handshake(port: int, context: ssl.SSLContext) -> tuple[str, str, bool] | None:
    """The protocol, suite and whether a session ticket came, or None when the server refused."""
    try:
        with (
            socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
            context.wrap_socket(raw, server_hostname="localhost") as tls,
        ):
            return tls.version(), tls.cipher()[0], tls.session.has_ticket
    except (ssl.SSLError, ConnectionResetError):
        return None


@pytest.fixture(scope="module")
def permissive_tls_server(service):
    """A TLS server with the service's certificate that accepts every protocol and suite: what a
    refused handshake is first shown to complete with, so a refusal is nginx's, not the client's."""
    import threading
    import warnings

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(service.site.config / "tls.crt", service.site.config / "tls.key")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"ssl\.TLSVersion\.TLSv1 is deprecated")
        context.minimum_version = ssl.TLSVersion.TLSv1
    context.set_ciphers("ALL:@SECLEVEL=0")
    listener = socket.create_server(("127.0.0.1", 0))

    def serve():
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:  # closed: the module is done
                return
            try:
                with context.wrap_socket(connection, server_side=True) as tls:
                    tls.recv(1)
            except (OSError, ssl.SSLError):
                pass

    threading.Thread(target=serve, daemon=True).start()
    yield listener.getsockname()[1]
    listener.close()


def test_nginx_speaks_tls_as_mozillas_intermediate_profile(service, permissive_tls_server):
    https, anything = service.site.ports.https, permissive_tls_server
    for version in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1):  # refused
        client = _tls_client(service.site, version)
        assert _handshake(anything, client) is not None, version  # the client can speak it
        assert _handshake(https, client) is None, version
    for suite in REFUSED_TLS12:
        client = _tls_client(service.site, ssl.TLSVersion.TLSv1_2, suite)
        assert _handshake(anything, client)[1] == suite
        assert _handshake(https, client) is None, suite
    # every TLS 1.2 suite this OpenSSL knows, one at a time: nginx agrees to exactly the three
    every = _tls_client(service.site, ssl.TLSVersion.TLSv1_2).get_ciphers()
    suites = {c["name"] for c in every if c["protocol"] == "TLSv1.2"}
    assert len(suites) > 40 and suites >= ACCEPTED_TLS12
    agreed = {
        s
        for s in suites
        if _handshake(https, _tls_client(service.site, ssl.TLSVersion.TLSv1_2, s)) is not None
    }
    assert agreed == ACCEPTED_TLS12
    # without session tickets (the server's session cache instead); the permissive server sends one
    client = _tls_client(service.site, ssl.TLSVersion.TLSv1_2, "ECDHE-RSA-AES128-GCM-SHA256")
    assert _handshake(anything, client)[2] is True
    assert _handshake(https, client) == ("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256", False)
    assert _handshake(https, _tls_client(service.site, ssl.TLSVersion.TLSv1_3))[0] == "TLSv1.3"
    # and a browser's defaults meet on TLS 1.3
    with (
        socket.create_connection(("127.0.0.1", https), timeout=10) as raw,
        _trusting(service.site).wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        assert tls.version() == "TLSv1.3"


def _headers(service: Service, path: str, user=None) -> tuple[int, object]:
    request = urllib.request.Request(f"{service.base}{path}")
    if user:
        request.add_header(
            "Authorization", "Basic " + base64.b64encode(f"{user[0]}:{user[1]}".encode()).decode()
        )
    try:
        with urllib.request.urlopen(request, timeout=60, context=_trusting(service.site)) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


def test_no_other_site_may_frame_the_ui_on_any_answer(service):
    """The login's 401, a wrong password, and both UIs' pages, assets and API: each answer says
    that only the service's own pages may frame it, and that it is HTTPS only."""
    answers = {
        "login": _headers(service, "/"),
        "wrong password": _headers(service, "/", ("kari", "wrong-password")),
        "analyst's UI": _headers(service, "/", ANALYST),
        "analyst's runs": _headers(service, "/runs", ANALYST),
        "finance officer's UI": _headers(service, "/assets/grant_use", FINANCE_OFFICER),
        "server_info": _headers(service, "/server_info", FINANCE_OFFICER),
    }
    assert {name: status for name, (status, _) in answers.items()} == {
        "login": 401, "wrong password": 401, "analyst's UI": 200, "analyst's runs": 200,
        "finance officer's UI": 200, "server_info": 200,
    }  # fmt: skip
    for name, (_, headers) in answers.items():
        assert headers.get_all("X-Frame-Options") == ["SAMEORIGIN"], name
        assert "frame-ancestors 'self'" in headers.get_all("Content-Security-Policy"), name
        assert headers["Strict-Transport-Security"] == "max-age=31536000", name
    # the UI's page keeps Dagster's own policy for scripts beside nginx's for framing
    policies = answers["analyst's UI"][1].get_all("Content-Security-Policy")
    assert len(policies) == 2 and any("script-src" in p for p in policies)


LAUNCH_RUN = """
mutation($year: String!) {
  launchRun(executionParams: {
    selector: {repositoryLocationName: "alis_nord", repositoryName: "__repository__", jobName: "annual_report_job"},
    executionMetadata: {tags: [{key: "dagster/partition", value: $year}]}
  }) { __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } }
}"""


STOP_SENSOR = "mutation($id: String) { stopSensor(id: $id) { __typename } }"


def _selector(sensor: str) -> dict:
    return {"repositoryLocationName": "alis_nord", "repositoryName": "__repository__", "sensorName": sensor}


def _sensor_id(service: Service, sensor: str) -> str:
    query = "query($s: SensorSelector!) { sensorOrError(sensorSelector: $s) { ... on Sensor { id } } }"
    return service.graphql(FINANCE_OFFICER, query, {"s": _selector(sensor)})["sensorOrError"]["id"]


def test_a_finance_officer_reads_but_changes_nothing(service):
    refused = {
        "launchRun": (LAUNCH_RUN, {"year": "2019"}),
        "launchPartitionBackfill": (
            'mutation { launchPartitionBackfill(backfillParams: {partitionNames: ["2019"], '
            'assetSelection: [{path: ["grant_use"]}]}) { __typename } }',
            None,
        ),
        "wipeAssets": (
            'mutation { wipeAssets(assetPartitionRanges: [{assetKey: {path: ["grant_use"]}}]) { __typename } }',
            None,
        ),
        "startSchedule": (
            'mutation { startSchedule(scheduleSelector: {repositoryLocationName: "alis_nord", '
            'repositoryName: "__repository__", scheduleName: "annual_report_schedule"}) { __typename } }',
            None,
        ),
        "stopSensor": (STOP_SENSOR, {"id": _sensor_id(service, "run_failure_alert")}),
    }
    for mutation, (query, variables) in refused.items():
        answer = service.graphql(FINANCE_OFFICER, query, variables)
        assert answer[mutation]["__typename"] == "UnauthorizedError", (mutation, answer)
    assert _runs(service, ("dagster/partition", "2019")) == []  # 2019 was not launched
    # the budget assets and their checks are there to read
    node = service.graphql(
        FINANCE_OFFICER,
        '{ assetNodeOrError(assetKey: {path: ["grant_use"]}) { ... on AssetNode { groupName description '
        "assetChecksOrError { ... on AssetChecks { checks { name } } } } } }",
    )["assetNodeOrError"]
    assert node["groupName"] == "budget"
    assert node["assetChecksOrError"]["checks"]


def test_a_user_not_yet_in_the_groups_map_gets_the_read_only_ui(service):
    """Added to the users file by hand, without writing groups.map again: nginx takes the login at
    once (it reads the users file per request) and sends the user to the read-only webserver."""
    from service.users import password_hash

    users = service.site.config / "users"
    users.write_text(
        users.read_text(encoding="utf-8") + f"per:{password_hash('per-passord-333')}:analytiker\n",
        encoding="utf-8",
    )
    answer = service.graphql(("per", "per-passord-333"), LAUNCH_RUN, {"year": "2019"})["launchRun"]
    assert answer["__typename"] == "UnauthorizedError"


RUN_STATUS = "query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }"


def _wait_for_run(service: Service, run_id: str, timeout: float = 240) -> str:
    deadline = time.monotonic() + timeout
    while True:
        run = service.graphql(ANALYST, RUN_STATUS, {"id": run_id})
        status = run["runOrError"]["status"]
        if status in ("SUCCESS", "FAILURE", "CANCELED"):
            return status
        assert time.monotonic() < deadline, f"run {run_id} still {status} after {timeout:.0f} s"
        time.sleep(2)


def _runs(service: Service, tag: tuple[str, str]) -> list[dict]:
    query = """query($key: String!, $value: String!) { runsOrError(filter: {tags: [{key: $key, value: $value}]})
        { ... on Runs { results { runId status tags { key value } } } } }"""
    return service.graphql(ANALYST, query, {"key": tag[0], "value": tag[1]})["runsOrError"]["results"]


def test_an_analyst_launches_a_year_and_the_daemon_runs_it_on_postgresql(service):
    answer = service.graphql(ANALYST, LAUNCH_RUN, {"year": "2019"})["launchRun"]
    assert answer["__typename"] == "LaunchRunSuccess", answer
    assert _wait_for_run(service, answer["run"]["runId"]) == "SUCCESS"
    engine = sa.create_engine(service.database_url)
    with engine.connect() as conn:
        used = conn.scalar(sa.text("select used_cumulative_ore from grant_use where report_year = 2019"))
        events = conn.scalar(
            sa.text("select count(*) from event_logs where run_id = :id"), {"id": answer["run"]["runId"]}
        )
    engine.dispose()
    assert used == 21958904  # 219 589.04 kr: tests/test_assets.py works 2019 out by hand
    assert events > 0  # Dagster's run history is in the same PostgreSQL
    # and the finance officer reads the result: the budget asset's metadata for 2019
    materializations = service.graphql(
        FINANCE_OFFICER,
        '{ assetOrError(assetKey: {path: ["grant_use"]}) { ... on Asset { assetMaterializations(partitions: ["2019"]) '
        "{ partition metadataEntries { label } } } } }",
    )["assetOrError"]["assetMaterializations"]
    assert materializations and materializations[0]["partition"] == "2019"
    assert materializations[0]["metadataEntries"]


def test_the_landing_sensor_fires_through_the_daemon(service):
    from alis_nord.landing import landing_changes

    # the operator turns the sensor on, telling it what is already processed (the UI's "Set cursor")
    sensor = _selector("landing_area_sensor")
    cursor = json.dumps(landing_changes(service.landing, {}).files, sort_keys=True)
    answer = service.graphql(
        ANALYST,
        "mutation($s: SensorSelector!, $c: String) { setSensorCursor(sensorSelector: $s, cursor: $c) { __typename } }",
        {"s": sensor, "c": cursor},
    )
    assert answer["setSensorCursor"]["__typename"] == "Sensor", answer
    answer = service.graphql(
        ANALYST,
        "mutation($s: SensorSelector!) { startSensor(sensorSelector: $s) { __typename } }",
        {"s": sensor},
    )
    assert answer["startSensor"]["__typename"] == "Sensor", answer
    (service.landing / "2020" / "1866_fastlegedekning.csv").write_text(
        "kommunenummer;rapportaar;antall_fastleger;antall_vakante_hjemler;listelengde_snitt;"
        "antall_vikarer;antall_nye_fastleger\n1866;2020;12;1;1100;1;1\n",
        encoding="utf-8",
    )  # a municipality delivers a file for 2020
    deadline = time.monotonic() + 180
    while not (runs := _runs(service, ("dagster/sensor_name", "landing_area_sensor"))):
        assert time.monotonic() < deadline, "the sensor started no run within 3 minutes"
        time.sleep(3)
    (run,) = runs  # exactly one run: the new file's year
    assert {t["key"]: t["value"] for t in run["tags"]}["dagster/partition"] == "2020"
    assert _wait_for_run(service, run["runId"]) == "SUCCESS"
    # the analyst turns it off again: the run that is made to fail below is launched by hand
    answer = service.graphql(ANALYST, STOP_SENSOR, {"id": _sensor_id(service, "landing_area_sensor")})
    assert answer["stopSensor"]["__typename"] == "StopSensorMutationResult", answer


def test_the_finance_officer_has_no_materialize_button_the_analyst_has(service):
    from playwright.sync_api import expect, sync_playwright

    from tests.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for user, may in ((ANALYST, True), (FINANCE_OFFICER, False)):
            context = browser.new_context(
                http_credentials={"username": user[0], "password": user[1]},
                ignore_https_errors=True,
                viewport={"width": 1400, "height": 900},
            )
            page = context.new_page()
            page.goto(f"{service.base}/assets/grant_use")
            page.get_by_text("grant_use").first.wait_for(timeout=60_000)
            page.wait_for_timeout(2000)
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=ARTIFACTS / f"service-asset-page-{user[0]}.png")
            buttons = page.get_by_role("button", name=re.compile(r"Materialize"))
            # the UI enables the button once it has loaded the asset's permissions: seconds on a busy machine
            if may:
                expect(buttons.first).to_be_enabled(timeout=30_000)
            else:  # the button is there, greyed out
                expect(buttons.first).to_be_disabled(timeout=30_000)
                expect(buttons.and_(page.locator(":enabled"))).to_have_count(0)
            context.close()
        browser.close()


def test_the_schedule_fires_through_the_daemon(service):
    deadline = time.monotonic() + 300
    while not (runs := _runs(service, ("dagster/schedule_name", "annual_report_schedule"))):
        assert time.monotonic() < deadline, "the schedule started no run within 5 minutes"
        time.sleep(3)
    # every minute is a new tick of `* * * * *`, and a schedule's run key is unique per tick only:
    # on a slow machine a second tick may come before this looks. Each is last year's report.
    assert {{t["key"]: t["value"] for t in r["tags"]}["dagster/partition"] for r in runs} == {SCHEDULE_YEAR}
    run = runs[-1]  # the first (newest first)
    assert _wait_for_run(service, run["runId"]) == "SUCCESS"
    assert (service.output / SCHEDULE_YEAR / f"statusrapport-{SCHEDULE_YEAR}.pdf").exists()


def test_a_failed_run_mails_the_project_office_once_even_when_the_mail_server_was_down(service):
    from pipelines.alerts import ALERT_INTERVAL_SECONDS

    service.mail.stop()  # the mail server is down when the run fails
    before = len(service.mail.messages)
    answer = service.graphql(ANALYST, LAUNCH_RUN, {"year": FAILING_YEAR})["launchRun"]
    run_id = answer["run"]["runId"]
    assert _wait_for_run(service, run_id) == "FAILURE"  # satser.csv has no rates for the year

    engine = sa.create_engine(service.database_url)
    query = sa.text(
        "select attempts, sent_at, last_error, message_id from outgoing_mail where mail_key = :key"
    )
    deadline = time.monotonic() + 120
    while not ((row := _one(engine, query, {"key": f"run-failure:{run_id}"})) and row.attempts >= 1):
        assert time.monotonic() < deadline, "the alert was not queued and tried within 2 minutes"
        time.sleep(2)
    assert row.sent_at is None and "Connection refused" in row.last_error  # kept, with the reason
    assert _wait_for_run(service, run_id) == "FAILURE"  # the run's outcome is unchanged

    service.mail.start()  # back up: the next tick sends it
    deadline = time.monotonic() + 120
    while len(service.mail.messages) == before:
        assert time.monotonic() < deadline, "the alert was not sent within 2 minutes of the server's return"
        time.sleep(2)
    time.sleep(2 * ALERT_INTERVAL_SECONDS + 2)  # two more ticks of both sensors: nothing is sent twice
    assert len(service.mail.messages) == before + 1
    row = _one(engine, query, {"key": f"run-failure:{run_id}"})
    engine.dispose()

    from email import message_from_string, policy

    received = service.mail.messages[-1]
    assert received["tls"] and received["to"] == [PROJECT_OFFICE]  # over STARTTLS, logged in
    message = message_from_string(received["data"], policy=policy.default)
    assert message["Subject"] == f"ALIS-Nord: kjøringen for {FAILING_YEAR} feilet"
    assert message["Message-ID"] == row.message_id and row.sent_at is not None
    body = message.get_content()
    assert f"{service.base}/runs/{run_id}" in body  # the link to the run, as its users reach the UI
    assert "alis_grant_entitlement" in body  # the step that failed
    assert f"satser.csv has no rates for {FAILING_YEAR}" in body  # the first line of the error


def _one(engine: sa.Engine, query, parameters):
    with engine.connect() as conn:
        return conn.execute(query, parameters).first()


def test_health_checks_answer(service):
    from service.topology import processes

    env = {**service.env, "DAGSTER_HOME": str(service.site.dagster_home)}
    for process in processes(service.site):
        check = subprocess.run(process.health, env=env, capture_output=True, text=True, timeout=60)
        assert check.returncode == 0, (process.name, check.stdout, check.stderr)


RESOURCES = """
{ allTopLevelResourceDetailsOrError(repositorySelector: {repositoryLocationName: "alis_nord", repositoryName: "__repository__"}) {
    ... on ResourceDetailsList { results { name configuredValues { key value type } } } } }"""

RUN_EVENTS = """
query($id: ID!) { logsForRun(runId: $id, limit: 5000) { ... on EventConnection { events { __typename
    ... on MessageEvent { message }
    ... on MaterializationEvent { metadataEntries { label ... on TextMetadataEntry { text }
        ... on MarkdownMetadataEntry { mdStr } ... on PathMetadataEntry { path } ... on UrlMetadataEntry { url }
        ... on JsonMetadataEntry { jsonString } } }
    ... on ExecutionStepFailureEvent { error { message stack cause { message } } }
    ... on RunFailureEvent { error { message } } } } } }"""


def test_the_known_password_is_shown_nowhere(service):  # after every run above
    resources = service.graphql(FINANCE_OFFICER, RESOURCES)["allTopLevelResourceDetailsOrError"]["results"]
    configured = {
        (r["name"], v["key"]): (v["type"], v["value"]) for r in resources for v in r["configuredValues"]
    }
    # the Resources page names the variable; the value stays in the environment
    assert configured[("warehouse", "database_url")] == ("ENV_VAR", "ALIS_DATABASE_URL")
    assert configured[("mail_server", "password")] == ("ENV_VAR", "ALIS_SMTP_PASSWORD")

    answers = [json.dumps(resources)]
    answers.append(json.dumps(service.graphql(ANALYST, "{ instance { info } }")))
    runs = service.graphql(
        ANALYST, "{ runsOrError { ... on Runs { results { runId runConfigYaml tags { key value } } } } }"
    )
    answers.append(json.dumps(runs))
    run_ids = [r["runId"] for r in runs["runsOrError"]["results"]]
    assert len(run_ids) >= 4  # the analyst's, the sensor's, the failed and the schedule's runs
    for run_id in run_ids:
        answers.append(json.dumps(service.graphql(ANALYST, RUN_EVENTS, {"id": run_id})))
    text = "\n".join(answers)
    assert (
        "ALIS_DATABASE_URL" in text and "satser.csv has no rates" in text
    )  # the answers hold what they should
    assert KNOWN_PASSWORD not in text

    # nor is it in any log: the processes', nginx's, the runs' compute logs, Dagster's stored events
    files = [*service.run_dir.joinpath("logs").glob("*.log"), *service.site.dagster_home.rglob("*")]
    logs = [p for p in files if p.is_file()]
    assert any(p.suffix in (".err", ".out") for p in logs)  # the compute logs are among them
    for path in logs:
        assert KNOWN_PASSWORD.encode() not in path.read_bytes(), path
    engine = sa.create_engine(service.database_url)
    with engine.connect() as conn:
        for table, column in (("event_logs", "event"), ("runs", "run_body")):
            found = conn.scalar(
                sa.text(f"select count(*) from {table} where {column} like :p"), {"p": f"%{KNOWN_PASSWORD}%"}
            )
            assert found == 0, table
    engine.dispose()
