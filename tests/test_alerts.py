"""Alerts by e-mail, below the service: the message, the SMTP conversation with a real server
(aiosmtpd), the outbox in the warehouse, and both sensors evaluated in-process as the daemon
does. The service test (tests/test_service.py) sends one through the running daemon."""

from __future__ import annotations

import datetime as dt
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
    OutgoingMail,
    ServerUnavailable,
    SmtpSettings,
    as_email,
    deliver,
    first_line,
    message_id_for,
    recipients_from_text,
    run_failure_alert,
)
from alis_nord.mail_queue import DEFERRED, QUEUED, SENDING, SENT, MailQueue
from glue.resources import MailQueueResource, MailServer, ProjectOffice
from pipelines.alerts import alert_mail_delivery
from pipelines.alerts import run_failure_alert as run_failure_alert_sensor
from tests.deferred_mail import retry_time_has_come
from tests.network import free_port
from tests.smtp import Sink

AT = dt.datetime(2027, 3, 15, 6, 0, tzinfo=dt.UTC)
MAIL = OutgoingMail(("a@kommune.example", "b@kommune.example"), "Emne æøå", "Linje én\nLinje to\n")


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


def _send(mail: OutgoingMail, settings: SmtpSettings):
    message_id = message_id_for("test:1", settings.sender)
    return deliver(as_email(mail, settings.sender, AT, message_id), mail.recipients, settings), message_id


def test_a_message_reaches_a_plain_relay_as_utf8_text(sink):
    outcomes, message_id = _send(
        MAIL, SmtpSettings("127.0.0.1", sink.port, "alis-nord@bodo.example", security="none")
    )
    assert [(o.recipient, o.action, o.status) for o in outcomes] == [
        ("a@kommune.example", "delivered", "2.0.0"),
        ("b@kommune.example", "delivered", "2.0.0"),
    ]
    ((tls, recipients, content),) = sink.received
    assert not tls and recipients == ["a@kommune.example", "b@kommune.example"]
    message = message_from_bytes(content, policy=policy.default)
    assert message["Subject"] == "Emne æøå" and message["Message-ID"] == message_id
    assert message_id.endswith("@bodo.example>")
    assert message["Date"] == "Mon, 15 Mar 2027 06:00:00 +0000"
    assert message.get_content().splitlines() == ["Linje én", "Linje to"]


def test_starttls_and_login_with_the_certificate_verified(tmp_path, monkeypatch):
    server = Sink(tmp_path, tls=True)
    settings = SmtpSettings("127.0.0.1", server.port, "s@x.no", "alis", "riktig", timeout_seconds=5)
    try:
        with pytest.raises(ServerUnavailable, match="CERTIFICATE_VERIFY_FAILED"):  # not trusted yet
            _send(MAIL, settings)
        assert server.logins == []  # and no password went
        monkeypatch.setenv(
            "SSL_CERT_FILE", str(tmp_path / "smtp-cert.pem")
        )  # trust the test's own certificate
        _send(MAIL, settings)
        assert [tls for tls, _, _ in server.received] == [True]
        with pytest.raises(ServerUnavailable, match=f"127.0.0.1:{server.port}"):  # a wrong password: refused
            _send(MAIL, SmtpSettings("127.0.0.1", server.port, "s@x.no", "alis", "galt", timeout_seconds=5))
        assert len(server.received) == 1
        assert [(login, tls) for login, _, tls in server.logins] == [(b"alis", True), (b"alis", True)]
    finally:
        server.stop()


def test_implicit_tls_on_its_own_port(tmp_path, monkeypatch):
    server = Sink(tmp_path, implicit_tls=True)
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "smtp-cert.pem"))
    try:
        settings = MailServer(
            host="127.0.0.1", port=server.port, sender="s@x.no", username="alis", password="riktig"
        )
        assert settings.settings().security == "starttls"  # only port 465 implies TLS by itself
        implicit = MailServer(
            host="127.0.0.1",
            port=server.port,
            sender="s@x.no",
            username="alis",
            password="riktig",
            security="tls",
        ).settings()
        assert MailServer(host="smtp.x", port=465).settings().security == "tls"
        _send(MAIL, implicit)
        assert [tls for tls, _, _ in server.received] == [True]
        assert server.logins == [(b"alis", b"riktig", True)]
    finally:
        server.stop()


def test_a_server_without_tls_never_gets_the_password(tmp_path):
    server = Sink(tmp_path, login_without_tls=True)  # it offers AUTH, but no STARTTLS
    try:
        settings = SmtpSettings("127.0.0.1", server.port, "s@x.no", "alis", "riktig", timeout_seconds=5)
        with pytest.raises(ServerUnavailable, match="tilbyr ikke STARTTLS.*passordet er ikke sendt"):
            _send(MAIL, settings)
        # a plain relay is allowed only without a login: the setting cannot carry a password in clear
        plain = SmtpSettings("127.0.0.1", server.port, "s@x.no", "alis", "riktig", security="none")
        with pytest.raises(ServerUnavailable, match="passordet sendes ikke ukryptert"):
            _send(MAIL, plain)
        assert server.logins == [] and server.received == []
    finally:
        server.stop()


def test_a_server_that_is_down_raises_server_unavailable():
    port = free_port()  # nothing listens there
    with pytest.raises(ServerUnavailable, match=f"127.0.0.1:{port}"):
        _send(MAIL, SmtpSettings("127.0.0.1", port, "s@x.no", timeout_seconds=5, security="none"))


def test_the_queue_keeps_a_key_once_and_one_claimer_holds_a_message(database_url):
    queue = MailQueue(database_url)
    assert queue.queue("run-failure:r1", MAIL, AT)
    assert not queue.queue("run-failure:r1", MAIL, AT)  # the same run again: nothing new
    assert queue.queue("run-failure:r2", OutgoingMail(("c@x.no",), "To", "B"), AT)
    first = queue.claim(AT, "tick-1")
    second = queue.claim(AT, "tick-2")  # the first is held: the second claimer takes the next
    assert (first.key, first.mail, second.key) == ("run-failure:r1", MAIL, "run-failure:r2")
    assert queue.claim(AT, "tick-3") is None  # nothing else is due
    assert [r["state"] for r in queue.all()] == [SENDING, SENDING]
    # a claim whose tick died is taken again once its lease (10 minutes) has run out
    assert queue.claim(AT + dt.timedelta(minutes=11), "tick-4").key == "run-failure:r1"
    assert queue.defer(first, AT, "down") == DEFERRED
    row = queue.all()[0]
    # deferred after the first attempt: tried again one minute later, not before
    assert (row["attempts"], row["last_error"], row["next_attempt_at"]) == (
        1,
        "down",
        AT + dt.timedelta(minutes=1),
    )
    assert queue.claim(AT + dt.timedelta(seconds=59), "tick-5") is None
    again = queue.claim(AT + dt.timedelta(minutes=1), "tick-5")
    assert again.key == "run-failure:r1" and again.attempts == 1
    from alis_nord.mail import RecipientOutcome

    delivered = [RecipientOutcome(r, "delivered", "2.0.0", "smtp; 250 OK") for r in MAIL.recipients]
    assert queue.record(again, delivered, AT) == SENT
    assert queue.record(second, [RecipientOutcome("c@x.no", "delivered", "2.0.0", "smtp; 250")], AT) == SENT
    assert [(r["state"], r["sent_at"], r["attempts"]) for r in queue.all()] == [(SENT, AT, 2), (SENT, AT, 1)]
    assert queue.claim(AT + dt.timedelta(days=1), "tick-6") is None  # a sent message is never due again
    assert QUEUED not in {r["state"] for r in queue.all()}


def _delivery_tick(database_url: str, port: int, alert_recipients: str = ""):
    context = build_sensor_context(
        resources={
            "mail_queue": MailQueueResource(database_url=database_url),
            "mail_server": MailServer(
                host="127.0.0.1", port=port, sender="alis-nord@bodo.example", security="none"
            ),
            "project_office": ProjectOffice(alert_recipients=alert_recipients),
        }
    )
    return alert_mail_delivery(context)


def test_the_delivery_sensor_retries_later_and_never_sends_twice(sqlite_url, tmp_path):
    queue = MailQueue(sqlite_url)
    queue.queue("a", MAIL, AT)
    queue.queue("b", OutgoingMail(("c@x.no",), "Andre", "B"), AT)
    port = free_port()
    down = _delivery_tick(sqlite_url, port)  # the server is down: the tick itself does not fail
    assert isinstance(down, SkipReason) and down.skip_message == "0 sent, 0 failed, 1 deferred; 2 waiting."
    assert [(r["state"], r["attempts"]) for r in queue.all()] == [(DEFERRED, 1), (QUEUED, 0)]
    assert "Connection refused" in queue.all()[0]["last_error"]

    sink = Sink(tmp_path, port=port)  # the server is back: the one not yet tried goes at once
    try:
        assert _delivery_tick(sqlite_url, port).skip_message == "1 sent, 0 failed, 0 deferred; 1 waiting."
        retry_time_has_come(sqlite_url)
        assert _delivery_tick(sqlite_url, port).skip_message == "1 sent, 0 failed, 0 deferred; 0 waiting."
        assert _delivery_tick(sqlite_url, port).skip_message == "0 sent, 0 failed, 0 deferred; 0 waiting."
        assert [recipients for _, recipients, _ in sink.received] == [["c@x.no"], list(MAIL.recipients)]
    finally:
        sink.stop()
    assert all(r["state"] == SENT and r["last_error"] is None for r in queue.all())


def test_no_mail_server_no_delivery(sqlite_url):
    context = build_sensor_context(
        resources={
            "mail_queue": MailQueueResource(database_url=sqlite_url),
            "mail_server": MailServer(),
            "project_office": ProjectOffice(),
        }
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
        "mail_queue": MailQueueResource(database_url=sqlite_url),
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
    claimed = MailQueue(sqlite_url).claim(dt.datetime.now(dt.UTC), "test")
    assert MailQueue(sqlite_url).claim(dt.datetime.now(dt.UTC), "test") is None  # queued once
    return claimed.mail, result.run_id


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
