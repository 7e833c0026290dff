"""The delivery page as the production service runs it: Debian's nginx with TLS in front of the
page's own process (uvicorn with ``portal.app``, the command of its systemd unit), used as the
municipalities' clerks use it, each from an address of their own.

One service for the module, started by ``service.processes.running_service`` with the delivery
page alone beside nginx (none of Dagster's processes: the page needs none of them): the bundled
sample's landing area (2023: 25 participants, each with its files delivered), the sample's
warehouse as the pipeline computed it (conftest's ``sample_years``, copied), and the mail database
(the delivery log, the links' generations) on a PostgreSQL database of its own. Each clerk connects
from a loopback address of their own (127.0.0.<n>), so that nginx's limit per address counts them
apart as it counts two offices, and the delivery log's client address is shown to be the one nginx
saw, never a header the client sent.

The limits, from service/config.py: a request body of at most MAX_FILE_BYTES + 1 MiB = 21 MiB;
per link 1 request a second with 20 more at once (nodelay); per address 10 a second with 100 more.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import functools
import hashlib
import os
import re
import shutil
import ssl
import struct
import subprocess
import sys
import time
import zlib
from dataclasses import dataclass, field, fields
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from alis_nord.delivery_links import DeliveryLink, link_id, make_token
from glue.resources import PROJECT_ROOT
from service.config import DELIVERY_BODY_LIMIT, DELIVERY_PER_ADDRESS, DELIVERY_PER_LINK
from service.processes import prepare_site, running_service
from service.topology import DELIVERY_PAGE, Ports, Site, local_site, processes
from service.users import ANALYSTS, add_user
from tests.network import free_port, listening
from tests.submissions import ALIS, csv_bytes, workbook_bytes

SAMPLE = PROJECT_ROOT / "sample_landing"
YEAR = 2023  # the sample's newest year: 25 participants, every one with its files delivered
SECRET = "leveringstest-" + "0d6c1f4a9b3e47d28a5f6c7e8d9b0a1c"  # the test's own key (32+ characters)
OTHER_SECRET = "en-annen-nokkel-" + "5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b"
# The sample's 2023 deadline (15 March 2024) is long past: the service is told that links work ten
# years after it, so that the links of the sample's year are judged by their own expiry alone.
LINK_DAYS = 3650
DATABASE = f"alis_delivery_service_test_{os.getpid()}"  # the mail database, dropped at the end
ANALYST = ("kari", "analytiker-passord-1")
HAMMER_ADDRESS = "127.0.0.200"  # the tests of the rate limits come from addresses no clerk uses
FLOOD_ADDRESS = "127.0.0.201"
REFUSAL = "Lenken virker ikke"  # the refusal page's heading (the wording)


def _participants() -> list[tuple[str, str]]:
    """(kommunenummer, name) of the sample's participants in YEAR, from deltakerkommuner.csv."""
    from alis_nord.reference_parsing import load_reference_data

    return [(p.kommunenummer, p.navn) for p in load_reference_data(SAMPLE).participants_in(YEAR)]


PARTICIPANTS = _participants()
NUMBERS = [number for number, _ in PARTICIPANTS]
ADDRESS = {number: f"127.0.0.{11 + i}" for i, number in enumerate(NUMBERS)}  # each clerk's own


@dataclass
class DeliveryPage:
    site: Site
    run_dir: Path
    landing: Path
    mail_url: str
    started: dict = field(repr=False)
    tokens: list[str] = field(default_factory=list, repr=False)  # every token made, for the log test

    @property
    def base(self) -> str:
        return f"https://localhost:{self.site.ports.https}"

    def token(self, number: str, *, days: int = 30, secret: str = SECRET, generation: int = 1) -> str:
        """A link's token for ``number`` and YEAR, valid ``days`` from today (negative: expired)."""
        until = dt.date.today() + dt.timedelta(days=days)
        made = make_token(secret, DeliveryLink(number, YEAR, until, generation))
        self.tokens.append(made)
        return made

    def clerk(self, address: str) -> httpx.Client:
        """A browser-like client from ``address``: trusts the service's certificate and nothing else,
        keeps cookies, follows no redirect by itself."""
        tls = ssl.create_default_context(cafile=str(self.site.config / "tls.crt"))
        return httpx.Client(
            base_url=self.base,
            transport=httpx.HTTPTransport(verify=tls, local_address=address),
            timeout=120,
        )

    def landing_state(self) -> dict[str, str]:
        """Every file of the landing area (the page's staging folder too) and its SHA-256."""
        return {
            str(p.relative_to(self.landing)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(self.landing.rglob("*"))
            if p.is_file()
        }

    def log(self) -> list[dict]:
        """The delivery log's rows, oldest first."""
        engine = sa.create_engine(self.mail_url)
        with engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(sa.text("select * from delivery_log order by id"))]
        engine.dispose()
        return rows

    def access_log(self) -> list[str]:
        return (self.run_dir / "logs" / "alis-nord-levering.log").read_text(encoding="utf-8").splitlines()

    def memory(self) -> tuple[int, int]:
        """The page's process's resident memory now (VmRSS) and at its peak since the last
        ``reset_peak_memory`` (VmHWM), in bytes."""
        status = Path(f"/proc/{self.started[DELIVERY_PAGE].pid}/status").read_text()
        return tuple(
            int(re.search(rf"^{name}:\s+(\d+) kB$", status, re.MULTILINE).group(1)) * 1024
            for name in ("VmRSS", "VmHWM")
        )

    def reset_peak_memory(self) -> None:
        """Linux's peak of resident memory (VmHWM) starts again from now (proc(5), clear_refs 5)."""
        Path(f"/proc/{self.started[DELIVERY_PAGE].pid}/clear_refs").write_text("5")


def _administer(server_url: str, *statements: str) -> None:
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for statement in statements:
            conn.execute(sa.text(statement))
    admin.dispose()


@pytest.fixture(scope="module")
def page(tmp_path_factory, postgres_server_url, sample_years):
    root = tmp_path_factory.mktemp("delivery-service")
    landing = root / "landing"
    shutil.copytree(SAMPLE, landing)
    warehouse = root / "warehouse.sqlite"
    shutil.copy2(sample_years["database_url"].removeprefix("sqlite:///"), warehouse)
    _administer(
        postgres_server_url, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)", f"CREATE DATABASE {DATABASE}"
    )
    mail_url = (
        sa.engine.make_url(postgres_server_url).set(database=DATABASE).render_as_string(hide_password=False)
    )

    ports = Ports(*(free_port() for _ in fields(Ports)))
    run_dir = root / "run"
    site = local_site(run_dir, ports)
    prepare_site(site)
    add_user(site.config / "users", ANALYST[0], ANALYSTS, ANALYST[1])  # the UI's login stays as it is
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALIS_", "DAGSTER_"))}
    env.update(
        ALIS_LANDING_DIR=str(landing),
        ALIS_OUTPUT_DIR=str(root / "output"),
        ALIS_DATABASE_URL=f"sqlite:///{warehouse}",
        ALIS_MAIL_DATABASE_URL=mail_url,
        ALIS_DELIVERY_SECRET=SECRET,
        ALIS_DELIVERY_BASE_URL=f"https://localhost:{ports.https}/levering",
        ALIS_DELIVERY_LINK_DAYS=str(LINK_DAYS),
    )
    migrate = subprocess.run(
        [sys.executable, "-m", "service.migrate"], env=env, capture_output=True, text=True
    )
    assert migrate.returncode == 0, migrate.stderr
    try:
        with running_service(site, run_dir, env, only={DELIVERY_PAGE}) as started:
            assert set(started) == {DELIVERY_PAGE, "nginx"}  # nothing of Dagster's
            yield DeliveryPage(site, run_dir, landing, mail_url, started)
    finally:
        _administer(postgres_server_url, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    assert not [port for port in (ports.https, ports.http, ports.delivery_page) if listening(port)]


def _without_tokens(html: str, *tokens: str) -> str:
    """The page without its links and CSRF values (long base64 words that may hold any digits)."""
    for token in tokens:
        html = html.replace(token, "<lenke>")
    return re.sub(r'name="csrf" value="[^"]*"|value="[^"]*" name="csrf"', 'name="csrf"', html)


def _csrf(html: str) -> str:
    (value,) = set(
        re.findall(r'name="csrf" value="([^"]+)"', html) + re.findall(r'value="([^"]+)" name="csrf"', html)
    )
    return value


def _mentions(html: str, number: str) -> bool:
    """Whether ``number`` stands on the page as a number of its own (``1806_alis.csv`` counts; a
    longer number holding it, as 972418013 holds 1801, does not)."""
    return re.search(rf"(?<![0-9A-Za-z]){number}(?![0-9])", html) is not None


def _receipts(response: httpx.Response) -> list[str]:
    """The log ids of the control's answer the page redirects to after a POST (303)."""
    assert response.status_code == 303, (response.status_code, response.text[:500])
    location = httpx.URL(response.headers["location"])
    return location.params["kvittering"].split(",")


# --- the page behind nginx, and nothing else without a login ---------------------------------------


def test_the_health_check_needs_no_login_and_everything_of_dagster_still_does(page):
    with page.clerk(ADDRESS[NUMBERS[0]]) as clerk:
        health = clerk.get("/levering/helse")
        assert (health.status_code, health.text) == (200, "ok")
        for path in ("/", "/graphql", "/server_info", "/runs"):
            assert clerk.get(path).status_code == 401, path
        moved = clerk.get("/levering")
        assert moved.status_code == 301
        assert moved.headers["location"] == f"{page.base}/levering/"
    # the unit's own health check, as systemd's operator runs it
    (delivery,) = (p for p in processes(page.site) if p.name == DELIVERY_PAGE)
    assert subprocess.run(delivery.health, capture_output=True, timeout=30).returncode == 0


def _raw(page: DeliveryPage, request: bytes) -> tuple[int, bytes]:
    """Status and body of a request sent exactly as written (a client would tidy its path first)."""
    import socket

    tls = ssl.create_default_context(cafile=str(page.site.config / "tls.crt"))
    with (
        socket.create_connection(("127.0.0.1", page.site.ports.https), timeout=30) as raw,
        tls.wrap_socket(raw, server_hostname="localhost") as conn,
    ):
        conn.sendall(request)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def test_nothing_of_dagster_answers_under_the_delivery_path(page):
    """Every path under /levering/ reaches the delivery page's process and nothing else: Dagster's
    paths there are the page's 404 (or its refusal of a link that is none), and a path that walks
    out of /levering/ is nginx's to normalise first, so it meets the login."""
    host = f"Host: localhost:{page.site.ports.https}\r\nConnection: close\r\n"
    for path in (
        "/levering/graphql",
        "/levering/server_info",
        "/levering/runs",
        "/levering/assets/grant_use",
    ):
        status, body = _raw(page, f"GET {path} HTTP/1.1\r\n{host}\r\n".encode())
        assert status in (403, 404), (path, status)
        assert b"dagster" not in body.lower() and b"__typename" not in body, path
    query = b'{"query": "{ version }"}'
    status, body = _raw(
        page,
        f"POST /levering/graphql HTTP/1.1\r\n{host}Content-Type: application/json\r\n"
        f"Content-Length: {len(query)}\r\n\r\n".encode()
        + query,
    )
    assert status in (403, 404) and b"version" not in body
    for path in ("/levering/../graphql", "/levering/%2e%2e/graphql", "/levering/x/..%2F..%2Fgraphql"):
        assert _raw(page, f"GET {path} HTTP/1.1\r\n{host}\r\n".encode())[0] == 401, path


def test_a_valid_link_opens_its_page_with_the_headers_of_a_page_holding_a_key(page):
    number, name = PARTICIPANTS[0]
    with page.clerk(ADDRESS[number]) as clerk:
        answer = clerk.get(f"/levering/{page.token(number)}")
    assert answer.status_code == 200, answer.text[:500]
    assert number in answer.text and name in answer.text
    headers = answer.headers
    assert headers["referrer-policy"] == "no-referrer"  # the token is in the address: never sent on
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    assert headers["strict-transport-security"] == "max-age=31536000"
    assert "no-store" in headers["cache-control"]
    policies = headers.get_list("content-security-policy")
    assert any("frame-ancestors 'none'" in p for p in policies) and any(
        "script-src 'none'" in p for p in policies
    )
    assert headers["server"] == "nginx" and "uvicorn" not in str(headers).lower()


def test_tampered_expired_and_foreign_links_get_the_same_refusal_page(page):
    """A changed signature, a changed payload (another municipality under the first one's
    signature), a key that is not the service's, an expired link: 403 and one page, which says
    whom to contact and nothing about the link."""
    number, name = PARTICIPANTS[0]
    other = NUMBERS[1]
    token = page.token(number)
    payload, signature = token.rsplit(".", 1)
    forged_payload = page.token(other).rsplit(".", 1)[0]
    refused = {
        "signature changed": f"{payload}.{signature[:-2]}{'AB' if signature[-2:] != 'AB' else 'CD'}",
        "payload of another municipality": f"{forged_payload}.{signature}",
        "signed with another key": page.token(number, secret=OTHER_SECRET),
        "expired yesterday": page.token(number, days=-1),
        "no signature": payload,
        "a revoked generation": page.token(number, generation=2),  # no link of generation 2 made yet
    }
    bodies = {}
    with page.clerk(ADDRESS[number]) as clerk:
        for reason, bad in refused.items():
            answer = clerk.get(f"/levering/{bad}")
            assert answer.status_code == 403, (reason, answer.status_code)
            bodies[reason] = _without_tokens(answer.text, bad)
            assert answer.headers["referrer-policy"] == "no-referrer"
        assert clerk.get(f"/levering/{token}").status_code == 200  # the link itself works
    assert len(set(bodies.values())) == 1, "the refusal differs by reason"
    refusal = next(iter(bodies.values()))
    assert REFUSAL in refusal
    assert "alis-nord@bodo.kommune.example" in refusal  # prosjekt.yaml's kontakt_epost
    assert not _mentions(refusal, number) and not _mentions(refusal, other) and name not in refusal


# --- every pair of participants ---------------------------------------------------------------------


def test_no_municipalitys_link_reads_or_writes_anothers(page):
    """All 25 × 24 = 600 ordered pairs (X, Y) of the sample's 2023 participants, in 4 requests per
    municipality (100 in all), each clerk from an address of their own:

    1. X's page shows X's number and name and no other participant's number; another participant's
       name only where it stands on every page (the project owner, Bodø kommune, in the footer).
    2. X's clerk sends one file whose 24 rows each claim another participant (kommunenummer Y), named
       as the next participant's file (``<Y>_alis.csv``): what is stored is X's and only X's, every
       other file of the landing area is byte for byte as before, and every log row is X's, with the
       address X's clerk came from.
    3. X's page asked to show the control's answers to the other 24's deliveries (their log ids)
       shows exactly what it shows for 24 ids that do not exist.
    """
    tokens = {number: page.token(number) for number in NUMBERS}
    clerks = {number: page.clerk(ADDRESS[number]) for number in NUMBERS}
    try:
        # 1. reading
        pages = {}
        for number in NUMBERS:
            answer = clerks[number].get(f"/levering/{tokens[number]}")
            assert answer.status_code == 200, (number, answer.text[:300])
            pages[number] = answer.text
        for x, html in pages.items():
            shown = _without_tokens(html, tokens[x])
            assert [n for n in NUMBERS if _mentions(shown, n)] == [x], x
        for y, name in PARTICIPANTS:
            on_others = {x: pages[x].count(name) for x in NUMBERS if x != y}
            assert len(set(on_others.values())) == 1, (name, on_others)  # the same on every other page
            assert pages[y].count(name) > next(iter(on_others.values())), name  # and more on its own

        # 2. writing
        receipts: dict[str, list[str]] = {}
        for i, x in enumerate(NUMBERS):
            claimed = NUMBERS[(i + 1) % len(NUMBERS)]
            rows = [
                {"kommunenummer": y, "rapportaar": str(YEAR), "alis_id": f"A{y}"} for y in NUMBERS if y != x
            ]
            before, logged = page.landing_state(), len(page.log())
            answer = clerks[x].post(
                f"/levering/{tokens[x]}/filer",
                data={"csrf": _csrf(pages[x])},
                files=[("filer", (f"{claimed}_alis.csv", csv_bytes(ALIS, *rows), "text/csv"))],
            )
            receipts[x] = _receipts(answer)
            after = page.landing_state()
            changed = sorted(
                name for name in after.keys() | before.keys() if after.get(name) != before.get(name)
            )
            assert changed, x  # stored (with the rows' errors), and only as X's
            assert all(re.fullmatch(rf"{YEAR}/{x}_alis_v\d+\.csv", name) for name in changed), (x, changed)
            rows_logged = page.log()[logged:]
            assert [(r["kommunenummer"], r["about_year"], r["client_address"]) for r in rows_logged] == [
                (x, YEAR, ADDRESS[x])
            ], x
            assert [str(r["id"]) for r in rows_logged] == receipts[x]
        # 3. the control's answers of the others
        unknown = [str(max(int(r["id"]) for r in page.log()) + 1000 + i) for i in range(len(NUMBERS) - 1)]
        for x in NUMBERS:
            foreign = [receipts[y][0] for y in NUMBERS if y != x]
            shown = clerks[x].get(f"/levering/{tokens[x]}", params={"kvittering": ",".join(foreign)})
            nothing = clerks[x].get(f"/levering/{tokens[x]}", params={"kvittering": ",".join(unknown)})
            assert shown.status_code == nothing.status_code == 200
            assert _without_tokens(shown.text, tokens[x]) == _without_tokens(nothing.text, tokens[x]), x
        # ... and the comparison can tell: X's own receipt does show an answer
        own = clerks[NUMBERS[0]].get(
            f"/levering/{tokens[NUMBERS[0]]}", params={"kvittering": receipts[NUMBERS[0]][0]}
        )
        assert _without_tokens(own.text, tokens[NUMBERS[0]]) != _without_tokens(
            nothing.text, tokens[NUMBERS[0]]
        )
    finally:
        for clerk in clerks.values():
            clerk.close()


# --- what nginx refuses before the page sees it --------------------------------------------------


def _multipart(size: int, csrf: str) -> tuple[bytes, str]:
    """A multipart body of exactly ``size`` bytes: the CSRF field and one file ``filer``."""
    boundary = "alis-nord-test-grense"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{csrf}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="filer"; filename="stor.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    line = b"1804;2023;A1;fastl\xc3\xb8nn\n"
    filling = size - len(head) - len(tail)
    data = line * (filling // len(line)) + b"x" * (filling % len(line))
    return head + data + tail, f"multipart/form-data; boundary={boundary}"


def test_an_upload_over_the_limit_is_refused_by_nginx_before_the_page_sees_it(page):
    """21 MiB + 1 byte: nginx's 413, a page in bokmål, and the page's process never got a byte (the
    access log's line for it names no upstream status; the landing area and the delivery log are
    unchanged). 21 MiB exactly is let through to the page."""
    number = NUMBERS[2]
    token = page.token(number)
    assert DELIVERY_BODY_LIMIT == 21 * 1024 * 1024  # MAX_FILE_BYTES (20 MiB) + 1 MiB
    with page.clerk(ADDRESS[number]) as clerk:
        csrf = _csrf(clerk.get(f"/levering/{token}").text)
        before, logged, lines = page.landing_state(), len(page.log()), len(page.access_log())
        body, content_type = _multipart(DELIVERY_BODY_LIMIT + 1, csrf)
        answer = clerk.post(f"/levering/{token}/filer", content=body, headers={"Content-Type": content_type})
        assert answer.status_code == 413
        assert '<html lang="nb">' in answer.text and "Filen er for stor" in answer.text
        assert "høyst 20 MB" in answer.text  # the landing area's limit, from MAX_FILE_BYTES
        assert (
            answer.headers["referrer-policy"] == "no-referrer" and answer.headers["x-frame-options"] == "DENY"
        )
        (line,) = _new_lines(page, lines)
        assert '/filer HTTP/1.1" 413 ' in line and line.endswith(" -")  # nginx answered alone
        assert (page.landing_state(), len(page.log())) == (before, logged)

        lines = len(page.access_log())
        body, content_type = _multipart(DELIVERY_BODY_LIMIT, csrf)
        clerk.post(f"/levering/{token}/filer", content=body, headers={"Content-Type": content_type})
        (line,) = _new_lines(page, lines)
        assert not line.endswith(" -"), line  # the page answered (a file over 20 MiB: its own refusal)
    assert page.landing_state() == before  # over the landing area's limit: not stored


def _new_lines(page: DeliveryPage, seen: int) -> list[str]:
    """The access log's lines after the first ``seen`` (nginx writes a line as a request ends)."""
    deadline = time.monotonic() + 10
    while len(lines := page.access_log()) == seen and time.monotonic() < deadline:
        time.sleep(0.1)
    return lines[seen:]


def test_one_link_hammering_gets_429_and_nobody_else_waits(page):
    """60 requests at once with one link, from one address: nginx lets 1 + 20 (the burst) through
    at once and one more each second after (1 r/s); the rest get 429 with a page in bokmål, never
    reaching the page. Meanwhile another municipality's clerk is served, and a second later the
    link works again."""
    number, other = NUMBERS[3], NUMBERS[4]
    token = page.token(number)
    tls = ssl.create_default_context(cafile=str(page.site.config / "tls.crt"))

    def one(_):
        with httpx.Client(transport=httpx.HTTPTransport(verify=tls, local_address=HAMMER_ADDRESS)) as client:
            answer = client.get(f"{page.base}/levering/{token}", timeout=120)
            return answer.status_code, answer.text

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(60) as pool:
        hammering = pool.map(one, range(60))
        with page.clerk(ADDRESS[other]) as clerk:
            assert clerk.get(f"/levering/{page.token(other)}").status_code == 200
        answers = list(hammering)
    seconds = time.monotonic() - started
    statuses = [status for status, _ in answers]
    assert set(statuses) <= {200, 429}
    assert statuses.count(200) >= 1
    assert statuses.count(200) <= 1 + DELIVERY_PER_LINK.burst + int(seconds) + 1, (
        statuses.count(200),
        seconds,
    )
    refused = next(text for status, text in answers if status == 429)
    assert '<html lang="nb">' in refused and "For mange forespørsler" in refused
    time.sleep(1.5)  # 1 r/s: the bucket has room for one more
    with page.clerk(HAMMER_ADDRESS) as clerk:
        assert clerk.get(f"/levering/{token}").status_code == 200


def test_one_address_flooding_gets_429(page):
    """150 requests at once from one address (the health check: no link, so the limit per address
    alone): 1 + 100 pass at once and 10 a second after (10 r/s); the rest get 429."""
    assert (DELIVERY_PER_ADDRESS.rate, DELIVERY_PER_ADDRESS.burst) == ("10r/s", 100)
    tls = ssl.create_default_context(cafile=str(page.site.config / "tls.crt"))

    def one(_):
        with httpx.Client(transport=httpx.HTTPTransport(verify=tls, local_address=FLOOD_ADDRESS)) as client:
            return client.get(f"{page.base}/levering/helse", timeout=120).status_code

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(150) as pool:
        statuses = list(pool.map(one, range(150)))
    seconds = time.monotonic() - started
    assert set(statuses) == {200, 429}
    assert 101 <= statuses.count(200) <= 101 + 10 * (int(seconds) + 1), (statuses.count(200), seconds)


# --- hostile files over HTTP ----------------------------------------------------------------------


def _zip(entries: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip archive of ``(name, raw deflate data, CRC-32, unpacked size)`` entries, written as the
    format has it (local headers, the central directory, its end): the sizes are what we state."""
    out, directory = bytearray(), bytearray()
    for name, data, crc, size in entries:
        encoded = name.encode()
        offset = len(out)
        out += struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded), 0
        )
        out += encoded + data
        directory += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded), 0, 0, 0, 0, 0,
            offset,
        )  # fmt: skip
        directory += encoded
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory), len(out), 0)
    return bytes(out + directory + end)


def _deflated(data: bytes) -> tuple[bytes, int, int]:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(), zlib.crc32(data), len(data)


BOMB_BLOCK = 16 * 1024 * 1024  # spaces, packed once and repeated


@functools.cache
def zip_bomb(blocks: int = 128, *, stated_size: int | None = None) -> bytes:
    """An alis workbook (tests/submissions.py's builder) whose sheet unpacks to ``blocks`` × 16 MiB
    (128: 2 GiB): the sheet's XML with that many spaces before its end, deflated as one 16 MiB
    block of spaces packed once (Z_FULL_FLUSH: the block needs nothing before it) and repeated, so
    about 2 MB on the wire. ``stated_size``: the size its directory states instead of the true one (a bomb that
    lies: Python's zipfile unpacks no more than stated, so the sheet is cut short)."""
    import io
    import zipfile

    workbook = zipfile.ZipFile(io.BytesIO(workbook_bytes({"alis": [list(ALIS), list(ALIS.values())]})))
    entries = []
    for info in workbook.infolist():
        data = workbook.read(info)
        if info.filename != "xl/worksheets/sheet1.xml":
            entries.append((info.filename, *_deflated(data)))
            continue
        head, end = data.rsplit(b"</worksheet>", 1)[0], b"</worksheet>"
        block = b" " * BOMB_BLOCK
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        first = packer.compress(head) + packer.flush(zlib.Z_FULL_FLUSH)
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        repeated = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        last = packer.compress(end) + packer.flush()
        crc = zlib.crc32(head)
        for _ in range(blocks):
            crc = zlib.crc32(block, crc)
        crc = zlib.crc32(end, crc)
        size = len(head) + blocks * len(block) + len(end)
        entries.append((info.filename, first + repeated * blocks + last, crc, stated_size or size))
    return _zip(entries)


def test_the_zip_bomb_builder_makes_what_it_says():
    """The bomb is a real one: a small one of the same build (1 block) unpacks, every byte checked
    against its directory's size and CRC-32 by Python's zipfile, to the workbook openpyxl reads; the
    one sent states 2 GiB (128 blocks) and is about 2 MB."""
    import io
    import zipfile

    import openpyxl

    small = zipfile.ZipFile(io.BytesIO(zip_bomb(1)))
    sheet = small.read("xl/worksheets/sheet1.xml")  # zipfile checks the size and the CRC
    assert len(sheet) > BOMB_BLOCK and sheet.endswith(b" " * 1000 + b"</worksheet>")
    rows = list(openpyxl.load_workbook(io.BytesIO(zip_bomb(1)), read_only=True)["alis"].values)
    assert rows == [tuple(ALIS), tuple(value or None for value in ALIS.values())]  # "" is an empty cell

    bomb = zip_bomb()
    assert len(bomb) < 3 * 1024 * 1024  # well under the 20 MiB a file may be
    stated = zipfile.ZipFile(io.BytesIO(bomb)).getinfo("xl/worksheets/sheet1.xml").file_size
    assert stated == len(sheet) + 127 * BOMB_BLOCK > 2 * 1024**3


@pytest.mark.parametrize(
    "hostile",
    ["zip bomb", "zip bomb that states a small size", "HTML in a value"],
)
def test_a_hostile_file_over_http_is_answered_with_a_finding_and_the_page_lives_on(page, hostile):
    """Sent as a clerk sends a file: refused (or, for HTML in a value, shown as text), nothing but
    what the control lets in stored, the page's process at about the memory it had, and answering."""
    number = NUMBERS[5]
    token = page.token(number)
    if hostile == "zip bomb":
        name, data = "innlevering.xlsx", zip_bomb()
    elif hostile == "zip bomb that states a small size":
        name, data = "innlevering.xlsx", zip_bomb(stated_size=4096)
    else:
        name, data = (
            "innlevering.csv",
            csv_bytes(
                ALIS,
                {"kommunenummer": number, "rapportaar": str(YEAR), "alis_id": "<script>alert(1)</script>"},
            ),
        )
    with page.clerk(ADDRESS[number]) as clerk:
        csrf = _csrf(clerk.get(f"/levering/{token}").text)
        before, logged = page.landing_state(), len(page.log())
        page.reset_peak_memory()
        resident, _ = page.memory()
        answer = clerk.post(f"/levering/{token}/filer", data={"csrf": csrf}, files=[("filer", (name, data))])
        (receipt,) = _receipts(answer)
        shown = clerk.get(f"/levering/{token}", params={"kvittering": receipt})
        assert shown.status_code == 200
        (row,) = page.log()[logged:]
        assert row["kommunenummer"] == number and row["sha256"] == hashlib.sha256(data).hexdigest()
        if hostile == "HTML in a value":
            assert "<script>" not in shown.text  # shown as text, if at all
        else:
            assert row["outcome"] == "refused" and row["stored_name"] is None
            assert page.landing_state() == before  # nothing stored, nothing left in .levering/
            assert "ikke lagret" in shown.text
        _, peak = page.memory()
        assert peak - resident < 300 * 1024 * 1024, (resident, peak)  # 2 GiB were never unpacked
        assert clerk.get("/levering/helse").text == "ok"
    assert page.started[DELIVERY_PAGE].poll() is None


# --- what is kept of a request ----------------------------------------------------------------------


def test_the_log_keeps_the_address_nginx_saw_not_a_header_the_client_sent(page):
    number = NUMBERS[6]
    token = page.token(number)
    with page.clerk(ADDRESS[number]) as clerk:
        csrf = _csrf(clerk.get(f"/levering/{token}").text)
        logged = len(page.log())
        answer = clerk.post(
            f"/levering/{token}/ingenting",
            data={"csrf": csrf, "tabell": "kostnader"},
            headers={
                "X-Forwarded-For": "203.0.113.9",
                "Forwarded": "for=203.0.113.9",
                "X-Real-IP": "203.0.113.9",
            },
        )
        _receipts(answer)
    (row,) = page.log()[logged:]
    assert (row["client_address"], row["link_id"], row["outcome"]) == (
        ADDRESS[number], link_id(token), "nothing_to_report"
    )  # fmt: skip


def test_the_access_log_keeps_no_links_signature(page):  # after every request above
    lines = page.access_log()
    text = "\n".join(lines)
    assert len(page.tokens) > len(NUMBERS)  # every participant's, and the tests' own
    for token in page.tokens:
        assert token.rsplit(".", 1)[1] not in text
    # what it keeps: each request's address, the link's payload (municipality and year), its status
    payload = page.tokens[0].rsplit(".", 1)[0]
    assert f"/levering/{payload}.<signatur>" in text
    assert any('" 429 ' in line and line.startswith(HAMMER_ADDRESS) for line in lines)
    assert any('" 413 ' in line for line in lines)
    assert f"{ADDRESS[NUMBERS[0]]} [" in text
