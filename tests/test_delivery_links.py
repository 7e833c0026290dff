"""The municipalities' personal links to the delivery page in every e-mail they get, revoking them,
and the delivery page's log in the project office's overview (issue 34).

The small landing area (tests/small_landing.py), 2020, with addresses for Bodø (1804) and Vågan
(1865); Sør-Varanger (5444) has none. Bodø's kostnader has the «kaffe» voucher (an error), so its
feedback asks for 1804_kostnader_v2.csv; Vågan's is all accepted. 2020's deadline is 15 March 2021
(the default). Links are read back as a mail program shows them: the plain part's URL runs to the
next white space, the HTML part's is the <a href> whose text is the whole URL; and then handed to
``alis_nord.delivery_links.read_token``, which the delivery page uses.
"""

from __future__ import annotations

import datetime as dt
import email
import hashlib
import os
import re
import shutil
import subprocess
import sys
from email import policy
from html.parser import HTMLParser
from pathlib import Path

import pytest
from dagster import EnvVar, SkipReason, build_sensor_context, materialize

from alis_nord.deliveries import today_in_norway
from alis_nord.delivery_links import DeliveryLink, LinkRefused, link_id, read_token
from alis_nord.delivery_log import REFUSED, STORED_WITH_ERRORS, Delivery, DeliveryRecords
from alis_nord.mail_queue import MailQueue
from alis_nord.norsk import dato
from alis_nord.outbox import send_reminders
from alis_nord.settings import Settings
from alis_nord.warehouse import Warehouse
from glue.resources import (
    PROJECT_ROOT,
    DeliveryLinks,
    MailQueueResource,
    MailServer,
    ProjectOffice,
    resources_for,
)
from pipelines.alerts import alert_mail_delivery
from pipelines.definitions import defs
from tests.network import free_port
from tests.smtp import Sink

ALL = list(defs.assets) + list(defs.asset_checks)
SECRET = "test-only key, never used anywhere else: 0123456789abcdef"  # 56 characters (32 at least)
BASE = "https://alis.example/levering"
PARTICIPANTS = (
    "kommunenummer;navn;fra_aar;til_aar;epost\n"
    "1804;Bodø;2019;;post@bodo.kommune.example\n"
    "1865;Vågan;2019;;post@vagan.kommune.example\n"
    "5444;Sør-Varanger;2020;2023;\n"
)
DEADLINE_2020 = dt.date(2021, 3, 15)
# The feedback is written today, years after 2020's deadline; a link that no longer worked would be
# left out, so these links work until 30 days from today: the deadline and this many days.
LINK_DAYS = (today_in_norway() - DEADLINE_2020).days + 30
UNTIL = DEADLINE_2020 + dt.timedelta(days=LINK_DAYS)  # today in 30 days


class _Links(HTMLParser):
    """Every <a href> of an HTML part and its visible text, as a mail program shows them."""

    def __init__(self):
        super().__init__()
        self.links, self._href, self._text = [], None, []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href, self._text = dict(attrs).get("href"), []

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._text)))
            self._href = None


def _parts(message) -> tuple[str, str]:
    return (
        message.get_body(("plain",)).get_content().replace("\r\n", "\n"),
        message.get_body(("html",)).get_content().replace("\r\n", "\n"),
    )


def _links(message) -> list[str]:
    """The delivery page's links in both parts of ``message``; each part has the same one once."""
    plain, html = _parts(message)
    in_plain = [url for url in re.findall(r"https?://\S+", plain) if url.startswith(BASE + "/")]
    parser = _Links()
    parser.feed(html)
    in_html = [href for href, _ in parser.links if href.startswith(BASE + "/")]
    assert all(text == href for href, text in parser.links if href in in_html)  # the whole URL shows
    assert len(in_plain) == 1 and in_plain == in_html
    return in_plain


def _token(url: str) -> str:
    return url.removeprefix(BASE + "/")


def _read(url: str, today: dt.date, db_url: str) -> DeliveryLink:
    return read_token(SECRET, _token(url), today, DeliveryRecords(db_url).generation)


def _message(path: Path):
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


def _settings(landing: Path, out: Path, url: str, **more) -> Settings:
    return Settings.given(
        **{
            "landing_dir": landing,
            "output_dir": out,
            "database_url": url,  # the mail database too (mail_queue_setting)
            "delivery_secret": SECRET,
            "delivery_base_url": BASE,
            "delivery_link_days": LINK_DAYS,
            **more,
        }
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """2020 run once with the key and without a mail server: the feedback is the .eml files."""
    from tests.conftest import _fresh_database
    from tests.small_landing import write_small_landing

    root = tmp_path_factory.mktemp("links")
    landing = write_small_landing(root / "landing")
    (landing / "referanse" / "deltakerkommuner.csv").write_text(PARTICIPANTS, encoding="utf-8")
    url = _fresh_database(f"sqlite:///{root / 'warehouse.sqlite'}")
    assert materialize(
        ALL, partition_key="2020", resources=resources_for(_settings(landing, root / "out", url))
    ).success
    return root


@pytest.fixture
def year(rendered, tmp_path):
    """A copy of the rendered year for one test: the landing area, the output, and the warehouse
    (with the mail queue and the delivery page's records in it)."""
    shutil.copytree(rendered / "out", tmp_path / "out")
    shutil.copy(rendered / "warehouse.sqlite", tmp_path / "warehouse.sqlite")
    return {
        "landing": rendered / "landing",
        "out": tmp_path / "out",
        "url": f"sqlite:///{tmp_path / 'warehouse.sqlite'}",
        "eml": tmp_path / "out" / "2020" / "utsendinger",
    }


# ---------------------------------------------------------------- the resource


def test_the_key_reaches_the_resource_as_an_env_var(monkeypatch):
    """So the UI shows the variable's name, never the key."""
    for name in ("ALIS_DATABASE_URL", "ALIS_MAIL_DATABASE_URL", "ALIS_DELIVERY_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ALIS_DELIVERY_SECRET", SECRET)
    monkeypatch.setenv("ALIS_DELIVERY_LINK_DAYS", "45")
    settings = Settings()
    assert SECRET not in repr(settings)
    links = resources_for(settings)["delivery_links"]
    assert isinstance(links.secret, EnvVar) and links.secret == "ALIS_DELIVERY_SECRET"  # its name
    assert (
        type(links.days_after) is type(EnvVar.int("X")) and links.days_after.name == "ALIS_DELIVERY_LINK_DAYS"
    )
    assert links.base_url == "https://localhost:8443/levering"  # not set: the default, not an EnvVar
    assert SECRET not in repr(links)
    # the records are in the mail database, beside the queue
    assert links.database_url == resources_for(settings)["mail_queue"].database_url
    monkeypatch.setenv("ALIS_MAIL_DATABASE_URL", "postgresql+psycopg://alis:hemmelig@h/mail")
    assert resources_for(Settings())["delivery_links"].database_url == "ALIS_MAIL_DATABASE_URL"
    # given in code (the tests'): the value itself; unset: no key, no link
    assert resources_for(Settings.given(delivery_secret=SECRET))["delivery_links"].secret == SECRET
    assert resources_for(Settings.given())["delivery_links"].secret is None
    assert DeliveryLinks().link_for("1804", 2020, DEADLINE_2020, dt.date(2021, 3, 1)) is None


def test_a_link_that_would_not_work_is_never_given(tmp_path):
    links = DeliveryLinks(
        secret=SECRET, base_url=BASE, days_after=60, database_url=f"sqlite:///{tmp_path / 'm.db'}"
    )
    # 15 March 2021 and 60 days: 16 days to 31 March, 30 in April, 14 in May: 14 May 2021
    last = links.link_for("1804", 2020, DEADLINE_2020, dt.date(2021, 5, 14))
    assert last.valid_until == dt.date(2021, 5, 14)
    assert _read(last.url, dt.date(2021, 5, 14), links.database_url) == DeliveryLink(
        "1804", 2020, dt.date(2021, 5, 14)
    )
    assert links.link_for("1804", 2020, DEADLINE_2020, dt.date(2021, 5, 15)) is None  # expired: none


# ---------------------------------------------------------------- in the e-mails


def test_the_feedback_carries_each_municipalitys_own_link(year):
    messages = {k: _message(next(year["eml"].glob(f"feedback-2020-{k}-*.eml"))) for k in ("1804", "1865")}
    assert sorted(p.name.split("-")[2] for p in year["eml"].glob("*.eml")) == ["1804", "1865"]
    today = today_in_norway()
    for kommunenummer, message in messages.items():
        (url,) = _links(message)
        # for exactly that municipality and year, its first generation, until the deadline and LINK_DAYS
        assert _read(url, today, year["url"]) == DeliveryLink(kommunenummer, 2020, UNTIL, 1)
        plain, html = _parts(message)
        sentence = f"(lenken er personlig og virker til {dato(UNTIL)})."
        assert f"Send filene på leveringssiden deres: {url} {sentence}" in plain
        assert f'Send filene på leveringssiden deres: <a href="{url}"' in html and sentence in html
    plain, html = _parts(messages["1804"])
    # Bodø must send its kostnader again: on the page under any name, by e-mail under the exact one
    assert (
        "Last opp de rettede filene på leveringssiden deres (lenken står under): der kan filene hete hva som helst, "
        "og dere ser kontrollens svar med en gang. Sender dere dem på e-post i stedet, bruk nøyaktig disse navnene:\n"
        "  - 1804_kostnader_v2.csv (i stedet for 2020/1804_kostnader.csv)"
    ) in plain
    assert "(navnene i tabellen over trengs bare når dere sender filene på e-post)" in html
    assert "velg «ingenting å rapportere» for tabellen på leveringssiden" in plain
    # the two links differ, and neither opens the other's page: each says whose it is
    (bodo,), (vagan,) = _links(messages["1804"]), _links(messages["1865"])
    assert bodo != vagan
    tampered = _token(bodo).replace(_token(bodo).split(".")[0], _token(vagan).split(".")[0])
    with pytest.raises(LinkRefused):
        read_token(SECRET, tampered, today, DeliveryRecords(year["url"]).generation)


def test_a_link_never_makes_a_second_feedback_mail(year):
    # the same year again, the links now in Bodø's second generation and with another address:
    # the delivered versions were mailed before, so nothing is handed over
    DeliveryRecords(year["url"]).revoke("1804", dt.datetime.now(dt.UTC))
    settings = _settings(
        year["landing"], year["out"], year["url"], delivery_base_url="https://other.example/l"
    )
    before = sorted(year["eml"].glob("*.eml"))
    result = materialize(
        ALL, partition_key="2020", resources=resources_for(settings), selection=["municipality_feedback"]
    )
    assert result.success and sorted(year["eml"].glob("*.eml")) == before
    (metadata,) = [m.metadata for m in result.asset_materializations_for_node("municipality_feedback")]
    assert metadata["handed_over"].text == "none: every delivered version was mailed before"
    assert (
        metadata["delivery_links"].text
        == f"in the e-mails (ALIS_DELIVERY_SECRET), working until {UNTIL.isoformat()}"
    )
    assert [m["kind"] for m in MailQueue(year["url"]).about(2020)] == ["feedback", "feedback"]


def test_the_reminder_carries_the_link_and_a_revoked_municipalitys_next_one_a_new_link(year):
    links = DeliveryLinks(secret=SECRET, base_url=BASE, days_after=60, database_url=year["url"])
    store, queue = Warehouse(year["url"]), MailQueue(year["url"])

    def remind(day: dt.date, link_for=links.link_for) -> list[str]:
        now = dt.datetime.combine(day, dt.time(8), dt.UTC)
        return send_reminders(
            store,
            queue,
            day,
            settings=None,
            sender="a@x.example",
            output_root=year["out"],
            now=now,
            link_for=link_for,
        )

    # 14 days before 15 March 2021: Vågan (no GP coverage: *mangler*, first) and Bodø (errors)
    assert remind(dt.date(2021, 3, 1)) == ["2020 1865: eml", "2020 1804: eml"]
    first = _message(year["eml"] / "reminder-2020-1804-14.eml")
    (old,) = _links(first)
    # 15 March 2021 and 60 days: 14 May 2021 (16 days to 31 March, 30 in April, 14 in May)
    assert _read(old, dt.date(2021, 3, 1), year["url"]) == DeliveryLink("1804", 2020, dt.date(2021, 5, 14), 1)
    plain, html = _parts(first)
    assert (
        f"Send filene på leveringssiden deres: {old} (lenken er personlig og virker til 14. mai 2021)."
        in plain
    )
    assert "Der kan filene hete hva som helst" in plain and "Der kan filene hete hva som helst" in html
    (vagan,) = _links(_message(year["eml"] / "reminder-2020-1865-14.eml"))
    assert _read(vagan, dt.date(2021, 3, 1), year["url"]).kommunenummer == "1865"

    assert remind(dt.date(2021, 3, 2)) == []  # once per offset, link or not

    DeliveryRecords(year["url"]).revoke("1804", dt.datetime(2021, 3, 5, 9, tzinfo=dt.UTC))
    assert remind(dt.date(2021, 3, 12)) == ["2020 1865: eml", "2020 1804: eml"]  # 3 days before
    (new,) = _links(_message(year["eml"] / "reminder-2020-1804-3.eml"))
    assert _read(new, dt.date(2021, 3, 12), year["url"]) == DeliveryLink(
        "1804", 2020, dt.date(2021, 5, 14), 2
    )
    with pytest.raises(LinkRefused) as refused:
        _read(old, dt.date(2021, 3, 12), year["url"])
    assert refused.value.reason == "revoked"
    # Vågan's links were not revoked: its first link still works
    assert _read(vagan, dt.date(2021, 3, 12), year["url"]).generation == 1


def test_without_a_key_the_reminder_has_no_link_and_asks_for_the_exact_names(year):
    now = dt.datetime(2021, 3, 12, 8, tzinfo=dt.UTC)
    handed = send_reminders(
        Warehouse(year["url"]), MailQueue(year["url"]), now.date(), settings=None, sender="a@x.example",
        output_root=year["out"], now=now, link_for=DeliveryLinks(database_url=year["url"]).link_for,
    )  # fmt: skip
    assert handed == ["2020 1865: eml", "2020 1804: eml"]  # *mangler* first, then *har feil*
    plain, html = _parts(_message(year["eml"] / "reminder-2020-1804-3.eml"))
    assert "leveringssiden" not in plain + html and "http" not in plain
    assert "med kommunenummeret 1804 først i filnavnet (1804_alis.csv, 1804_kostnader.csv" in plain
    assert "send tabellen med bare overskriftsraden" in plain


# ---------------------------------------------------------------- the log in the overview


class _Table(HTMLParser):
    """The cells of the table with id ``leveringslogg``, row by row, as text."""

    def __init__(self):
        super().__init__()
        self.rows, self._inside, self._cell = [], False, None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id") == "leveringslogg":
            self._inside = True
        elif self._inside and tag == "tr":
            self.rows.append([])
        elif self._inside and tag in ("td", "th"):
            self._cell = []

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):
        if tag == "table":
            self._inside = False
        elif self._inside and tag in ("td", "th"):
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None


def test_the_overview_lists_every_delivery_of_the_year(year):
    records = DeliveryRecords(year["url"])
    token = "eyJrIjoiMTgwNCJ9.signatur"  # any token: the log keeps only its digest
    sent = b"abc"  # SHA-256 of "abc", FIPS 180-2's example: ba7816bf…15ad; 3 bytes
    records.record(
        Delivery(
            received_at=dt.datetime(2021, 3, 1, 9, 15, tzinfo=dt.UTC),  # 10:15 in Norway (CET, UTC+1)
            about_year=2020,
            kommunenummer="1804",
            sent_name='<b>kostnader</b> "rettet".csv',
            sha256=hashlib.sha256(sent).hexdigest(),
            size=len(sent),
            link_id=link_id(token),
            outcome=STORED_WITH_ERRORS,
            table_name="kostnader",
            stored_name="2020/1804_kostnader_v2.csv",
            client_address="203.0.113.7",
        )
    )
    records.record(
        Delivery(
            received_at=dt.datetime(2021, 4, 2, 8, 5, tzinfo=dt.UTC),  # 10:05 (summer time, UTC+2)
            about_year=2020,
            kommunenummer="1865",
            sent_name="stor.xlsx",
            sha256="0" * 64,
            size=22_020_097,  # 21 MiB + 1 byte: too large
            link_id="0123456789abcdef",
            outcome=REFUSED,
        )
    )
    records.record(  # another year's: not in 2020's overview
        Delivery(
            dt.datetime(2022, 3, 1, tzinfo=dt.UTC), 2021, "1804", "x.csv", "1" * 64, 1, "1" * 16, REFUSED
        )
    )
    result = materialize(
        ALL,
        partition_key="2020",
        resources=resources_for(_settings(year["landing"], year["out"], year["url"])),
        selection=["municipality_feedback"],
    )
    assert result.success
    page = (year["out"] / "2020" / "feedback" / "index.html").read_text(encoding="utf-8")
    table = _Table()
    table.feed(page)
    assert table.rows == [
        ["Mottatt", "Kommune", "Filnavn som sendt", "Tabell", "Lagret som", "SHA-256", "Størrelse (byte)"]
        + ["Lenke", "Klientadresse", "Utfall"],
        ["1. mars 2021 kl. 10:15", "Bodø (1804)", '<b>kostnader</b> "rettet".csv', "Kostnader (bilag)"]
        + [
            "2020/1804_kostnader_v2.csv",
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            "3",
        ]
        + [hashlib.sha256(token.encode()).hexdigest()[:16], "203.0.113.7", "lagret, med feil som må rettes"],
        ["2. april 2021 kl. 10:05", "Vågan (1865)", "stor.xlsx", "–", "–", "0" * 64, "22\xa0020\xa0097"]
        + ["0123456789abcdef", "–", "ikke lagret"],
    ]
    assert "&lt;b&gt;kostnader&lt;/b&gt; &#34;rettet&#34;.csv" in page and "<b>kostnader" not in page
    assert "2 leveringer gjennom leveringssiden for 2020" in page
    (metadata,) = [m.metadata for m in result.asset_materializations_for_node("municipality_feedback")]
    assert metadata["deliveries_logged"].value == 2
    assert metadata["deliveries_by_outcome"].text == "lagret, med feil som må rettes: 1, ikke lagret: 1"


def test_an_overview_without_deliveries_says_so(year):
    page = (year["out"] / "2020" / "feedback" / "index.html").read_text(encoding="utf-8")
    assert "<h2>Leveringslogg</h2>" in page
    assert "Ingen filer er sendt gjennom leveringssiden for 2020." in page


# ---------------------------------------------------------------- revoking, from the command line


def _command(year: dict, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ALIS_")}
    environment |= {
        "ALIS_LANDING_DIR": str(year["landing"]),
        "ALIS_OUTPUT_DIR": str(year["out"]),
        "ALIS_DATABASE_URL": year["url"],
        "ALIS_DELIVERY_SECRET": SECRET,
        "ALIS_DELIVERY_BASE_URL": BASE,
        "ALIS_DELIVERY_LINK_DAYS": str(LINK_DAYS),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "service.delivery_links", *args],
        capture_output=True, text=True, env=environment, cwd=PROJECT_ROOT, timeout=120,
    )  # fmt: skip


def _deliver(url: str, port: int) -> str:
    """One tick of the daemon's delivery sensor."""
    context = build_sensor_context(
        resources={
            "mail_queue": MailQueueResource(database_url=url),
            "mail_server": MailServer(
                host="127.0.0.1", port=port, sender="alis@bodo.kommune.example", security="none"
            ),
            "project_office": ProjectOffice(),
        }
    )
    result = alert_mail_delivery(context)
    return result.skip_message if isinstance(result, SkipReason) else "sent"


def test_revoking_a_municipalitys_links_sends_the_new_one(year, tmp_path):
    today = today_in_norway()
    (old,) = _links(_message(next(year["eml"].glob("feedback-2020-1804-*.eml"))))
    assert _read(old, today, year["url"]).generation == 1
    port = free_port()
    sink = Sink(tmp_path, port=port)
    try:
        smtp = {"ALIS_SMTP_HOST": "127.0.0.1", "ALIS_SMTP_PORT": str(port), "ALIS_SMTP_SECURITY": "none"}
        done = _command(year, "revoke", "1804", "--aar", "2020", **smtp)
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        assert (
            lines[0]
            == "Bodø (1804): every delivery link made before is void (its links are in generation 2 now)."
        )
        assert lines[1] == f"The new link for 2020, which works until {UNTIL.isoformat()}:"
        printed = lines[2]
        assert lines[3] == (
            "E-mailed to post@bodo.kommune.example: queued in the mail queue; the daemon's delivery sensor sends it."
        )
        assert _deliver(year["url"], port) == "sent"
        ((_, rcpt, content),) = sink.received
    finally:
        sink.stop()
    assert rcpt == ["post@bodo.kommune.example"]
    message = email.message_from_bytes(content, policy=policy.default)
    assert message["Subject"] == "ALIS-Nord: ny lenke for levering av tall for 2020 – Bodø"
    (new,) = _links(message)
    assert new == printed
    assert _read(new, today, year["url"]) == DeliveryLink("1804", 2020, UNTIL, 2)
    with pytest.raises(LinkRefused) as refused:
        _read(old, today, year["url"])
    assert refused.value.reason == "revoked"
    plain, _ = _parts(message)
    assert "Lenkene dere har fått før, virker ikke lenger." in plain
    (row,) = [m for m in MailQueue(year["url"]).about(2020) if m["kind"] == "new_link"]
    assert (row["kommunenummer"], row["version"], row["state"]) == ("1804", "lenke nr. 2", "sent")

    # without a mail server: the .eml for the office to send, as the other messages
    done = _command(year, "revoke", "1804", "--aar", "2020")
    assert done.returncode == 0, done.stderr
    eml = year["eml"] / "new-link-2020-1804-3.eml"
    assert done.stdout.splitlines()[3] == (
        f"For post@bodo.kommune.example: written as {eml} (no ALIS_SMTP_HOST): send it."
    )
    (third,) = _links(_message(eml))
    assert _read(third, today, year["url"]).generation == 3 and third == done.stdout.splitlines()[2]

    listed = _command(year, "list", "--aar", "2020")
    assert listed.stdout.splitlines() == [
        "kommunenummer\tname\tgeneration",
        "1804\tBodø\t3",
        "1865\tVågan\t1",
        "5444\tSør-Varanger\t1",
    ]


def test_a_revocation_that_cannot_be_done_changes_nothing(year):
    # Sør-Varanger has no address: revoked all the same, the link printed for the office to pass on
    done = _command(year, "revoke", "5444", "--aar", "2020")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[3] == (
        "Not e-mailed: no address in deltakerkommuner.csv. Give the link to the municipality yourself."
    )
    assert _read(done.stdout.splitlines()[2], today_in_norway(), year["url"]).kommunenummer == "5444"
    refusals = {
        ("revoke", "1903", "--aar", "2020"): "Not revoked: 1903 is no participant in 2020",
        ("revoke", "1804", "--aar", "2019"): "Not revoked: the links for 2019 stopped working on",
    }
    for args, says in refusals.items():
        done = _command(year, *args)
        assert done.returncode == 1 and done.stderr.startswith(says) and "nothing changed" in done.stderr
    done = _command(year, "revoke", "1804", "--aar", "2020", ALIS_DELIVERY_SECRET="")
    assert done.returncode == 1 and "ALIS_DELIVERY_SECRET is not set" in done.stderr
    done = _command(year, "revoke", "18O4")
    assert done.returncode == 2 and "a kommunenummer has four digits" in done.stderr
    records = DeliveryRecords(year["url"])
    assert [records.generation(k) for k in ("1804", "1865", "5444")] == [1, 1, 2]
    assert [m["kind"] for m in MailQueue(year["url"]).about(2020)] == ["feedback", "feedback"]
