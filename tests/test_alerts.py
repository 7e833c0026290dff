"""Alerts by e-mail, below the service: the message, the SMTP conversation with a real server
(aiosmtpd), the outbox in the warehouse, and both sensors evaluated in-process as the daemon
does. The service test (tests/test_service.py) sends one through the running daemon."""

from __future__ import annotations

import datetime as dt
import ssl
import subprocess
from email import message_from_bytes, policy

import pytest
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    DagsterInstance,
    SkipReason,
    asset,
    asset_check,
    build_run_status_sensor_context,
    build_sensor_context,
    materialize,
)

from alis_nord.mail import (
    MailNotSent,
    OutgoingMail,
    SmtpSettings,
    first_line,
    recipients_from_text,
    run_failure_alert,
    send,
)
from alis_nord.warehouse import Warehouse
from pipelines.alerts import alert_mail_delivery
from pipelines.alerts import run_failure_alert as run_failure_alert_sensor
from pipelines.resources import MailServer, ProjectOffice, WarehouseResource
from tests.network import free_port

AT = dt.datetime(2027, 3, 15, 6, 0, tzinfo=dt.UTC)
MAIL = OutgoingMail(("a@kommune.example", "b@kommune.example"), "Emne æøå", "Linje én\nLinje to\n")


class Sink:
    """aiosmtpd on a free port; with ``tls`` it offers STARTTLS (a self-signed certificate) and
    takes a login (user ``alis``, password ``riktig``) only after it."""

    def __init__(self, tmp_path, tls: bool = False, port: int | None = None):
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        self.port, self.received = port or free_port(), []
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                sink.received.append((session.ssl is not None, envelope.rcpt_tos, envelope.content))
                return "250 OK"

        options = {}
        if tls:
            subprocess.run(
                ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                 "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(tmp_path / "k.pem"),
                 "-out", str(tmp_path / "c.pem")],
                check=True, capture_output=True,
            )  # fmt: skip
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(tmp_path / "c.pem", tmp_path / "k.pem")
            options = {
                "tls_context": context,
                "auth_require_tls": True,
                "authenticator": lambda server, session, envelope, mechanism, data: AuthResult(
                    success=(data.login, data.password) == (b"alis", b"riktig")
                ),
            }
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, **options)
        self.controller.start()

    def stop(self):
        self.controller.stop()


@pytest.fixture
def sink(tmp_path):
    server = Sink(tmp_path)
    yield server
    server.stop()


def test_the_alert_names_year_what_failed_the_error_and_the_link():
    subject, body = run_failure_alert(
        job_name="annual_report_job",
        years=["2023"],
        failed_steps=["alis_grant_entitlement"],
        failed_checks=[],
        error="\n  alis_nord.reference.ReferenceDataError: satser.csv has no rates for 2023\n  File ...",
        run_url="https://alis.example/runs/abc",
    )
    assert subject == "ALIS-Nord: kjøringen for 2023 feilet"
    assert body.splitlines()[:5] == [
        "Kjøringen av annual_report_job for rapportår 2023 feilet.",
        "",
        "Steg som feilet:",
        "  - alis_grant_entitlement",
        "",
    ]
    assert "Feilmelding: alis_nord.reference.ReferenceDataError: satser.csv has no rates for 2023\n" in body
    assert "Se kjøringen: https://alis.example/runs/abc\n" in body
    assert "File ..." not in body  # the first line only


def test_a_check_that_holds_the_report_says_so_in_the_subject():
    subject, body = run_failure_alert(
        job_name="annual_report_job",
        years=["2019–2020"],
        failed_steps=["report_summary_overspend_acknowledged_before_report"],
        failed_checks=["overspend_acknowledged_before_report (report_summary)"],
        error="",
        run_url="u",
    )
    assert subject == "ALIS-Nord: rapporten for 2019–2020 holdes tilbake av en kontroll"
    assert (
        "Kontroller som holder rapporten tilbake:\n  - overspend_acknowledged_before_report (report_summary)"
        in body
    )
    assert "Feilmelding: (ingen feilmelding)" in body
    assert run_failure_alert(
        job_name="j", years=[], failed_steps=[], failed_checks=[], error="", run_url="u"
    )[0] == ("ALIS-Nord: kjøringen for uten rapportår feilet")


def test_recipients_and_first_lines():
    assert recipients_from_text("a@x.no, b@x.no;c@x.no  d@x.no") == ("a@x.no", "b@x.no", "c@x.no", "d@x.no")
    assert recipients_from_text("") == recipients_from_text(None) == ()
    assert first_line("\n \n  Feil her  \nmer") == "Feil her"
    assert first_line(None) == ""


def test_a_message_reaches_a_plain_smtp_server_as_utf8_text(sink):
    message_id = send(MAIL, SmtpSettings("127.0.0.1", sink.port, "alis-nord@bodo.example"), AT)
    ((tls, recipients, content),) = sink.received
    assert not tls and recipients == ["a@kommune.example", "b@kommune.example"]
    message = message_from_bytes(content, policy=policy.default)
    assert message["Subject"] == "Emne æøå" and message["Message-ID"] == message_id
    assert message_id.endswith("@bodo.example>")
    assert message["Date"] == "Mon, 15 Mar 2027 06:00:00 +0000"
    assert message.get_content().splitlines() == ["Linje én", "Linje to"]


def test_starttls_and_login_when_the_server_offers_them(tmp_path, monkeypatch):
    server = Sink(tmp_path, tls=True)
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "c.pem"))  # trust the test's own certificate
    try:
        send(MAIL, SmtpSettings("127.0.0.1", server.port, "s@x.no", "alis", "riktig"), AT)
        assert [tls for tls, _, _ in server.received] == [True]
        with pytest.raises(MailNotSent, match=f"127.0.0.1:{server.port}"):  # a wrong password: refused
            send(
                MAIL, SmtpSettings("127.0.0.1", server.port, "s@x.no", "alis", "galt", timeout_seconds=5), AT
            )
        assert len(server.received) == 1
    finally:
        server.stop()


def test_a_server_that_is_down_raises_mail_not_sent():
    port = free_port()  # nothing listens there
    with pytest.raises(MailNotSent, match=f"127.0.0.1:{port}"):
        send(MAIL, SmtpSettings("127.0.0.1", port, "s@x.no", timeout_seconds=5), AT)


def test_the_outbox_queues_a_subject_once_and_keeps_it_until_sent(database_url):
    store = Warehouse(database_url)
    assert store.queue_mail("run-failure:r1", MAIL, AT)
    assert not store.queue_mail("run-failure:r1", MAIL, AT)  # the same run again: nothing new
    assert store.queue_mail("run-failure:r2", OutgoingMail(("c@x.no",), "To", "B"), AT)
    (first_id, first), (second_id, _) = store.unsent_mail()
    assert first == MAIL and first_id < second_id
    store.record_mail_attempt(first_id, sent_at=None, error="down")
    store.record_mail_attempt(first_id, sent_at=AT, message_id="<m@x>")
    assert [mail_id for mail_id, _ in store.unsent_mail()] == [second_id]
    row = store.mail()[0]
    assert (row["attempts"], row["message_id"], row["last_error"]) == (2, "<m@x>", None)
    assert row["sent_at"].replace(tzinfo=dt.UTC) == AT  # SQLite keeps no zone; the value is UTC


def _delivery_tick(database_url: str, port: int):
    context = build_sensor_context(
        resources={
            "warehouse": WarehouseResource(database_url=database_url),
            "mail_server": MailServer(host="127.0.0.1", port=port, sender="alis-nord@bodo.example"),
        }
    )
    return alert_mail_delivery(context)


def test_the_delivery_sensor_retries_next_tick_and_never_sends_twice(sqlite_url, tmp_path):
    store = Warehouse(sqlite_url)
    store.queue_mail("a", MAIL, AT)
    store.queue_mail("b", OutgoingMail(("c@x.no",), "Andre", "B"), AT)
    port = free_port()
    down = _delivery_tick(sqlite_url, port)  # the server is down: the tick itself does not fail
    assert isinstance(down, SkipReason) and down.skip_message == "0 of 2 queued e-mails sent."
    assert [r["attempts"] for r in store.mail()] == [1, 0]  # the rest wait for the next tick
    assert "Connection refused" in store.mail()[0]["last_error"]

    sink = Sink(tmp_path, port=port)  # the server is back
    try:
        assert _delivery_tick(sqlite_url, port).skip_message == "2 of 2 queued e-mails sent."
        assert _delivery_tick(sqlite_url, port).skip_message == "0 of 0 queued e-mails sent."
        assert [recipients for _, recipients, _ in sink.received] == [list(MAIL.recipients), ["c@x.no"]]
    finally:
        sink.stop()
    assert all(r["sent_at"] is not None and r["last_error"] is None for r in store.mail())


def test_no_mail_server_no_delivery(sqlite_url):
    context = build_sensor_context(
        resources={"warehouse": WarehouseResource(database_url=sqlite_url), "mail_server": MailServer()}
    )
    assert alert_mail_delivery(context).skip_message == "No mail server (ALIS_SMTP_HOST): nothing is sent."


def _queued_alert(assets, sqlite_url, tags):
    """Runs ``assets`` (they fail), then evaluates run_failure_alert for the run twice, as two
    ticks (or two daemons) might; returns the one message it queued, and the run's id."""
    instance = DagsterInstance.ephemeral()
    result = materialize(assets, instance=instance, raise_on_error=False, tags=tags)
    assert not result.success
    failure = [e for e in result.all_events if e.event_type_value == "PIPELINE_FAILURE"][0]
    resources = {
        "warehouse": WarehouseResource(database_url=sqlite_url),
        "mail_server": MailServer(host="127.0.0.1", port=25),
        "project_office": ProjectOffice(alert_recipients="po@x.no", ui_base_url="https://alis.example/"),
    }
    context = build_run_status_sensor_context(
        sensor_name="run_failure_alert",
        dagster_event=failure,
        dagster_instance=instance,
        dagster_run=instance.get_run_by_id(result.run_id),
        resources=resources,
    ).for_run_failure()
    for _ in range(2):
        run_failure_alert_sensor(context)
    ((_, mail),) = Warehouse(sqlite_url).unsent_mail()
    return mail, result.run_id


@asset
def report_summary() -> None:
    pass


@asset_check(asset=report_summary, blocking=True)
def overspend_acknowledged_before_report() -> AssetCheckResult:
    return AssetCheckResult(passed=False, severity=AssetCheckSeverity.ERROR, description="overspent")


@asset(deps=[report_summary])
def status_report() -> None:
    pass


def test_a_blocking_check_that_holds_the_report_is_named(sqlite_url):
    assets = [report_summary, overspend_acknowledged_before_report, status_report]
    range_tags = {"dagster/asset_partition_range_start": "2019", "dagster/asset_partition_range_end": "2020"}
    mail, _ = _queued_alert(assets, sqlite_url, range_tags)
    assert mail.subject == "ALIS-Nord: rapporten for 2019–2020 holdes tilbake av en kontroll"
    assert (
        "Kontroller som holder rapporten tilbake:\n  - overspend_acknowledged_before_report (report_summary)\n"
        in mail.body
    )


@asset
def a_failing_year() -> None:
    raise ValueError("satser.csv has no rates for 2031\nsecond line")


def test_a_failed_run_is_queued_once_with_its_step_and_error(sqlite_url):
    mail, run_id = _queued_alert([a_failing_year], sqlite_url, {"dagster/partition": "2031"})
    assert mail.recipients == ("po@x.no",)
    assert mail.subject == "ALIS-Nord: kjøringen for 2031 feilet"
    assert "  - a_failing_year\n" in mail.body
    assert "Feilmelding: ValueError: satser.csv has no rates for 2031\n" in mail.body
    assert f"Se kjøringen: https://alis.example/runs/{run_id}\n" in mail.body
