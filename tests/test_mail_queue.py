"""The mail queue under the faults a mail system meets (issue 32), each with a real SMTP server
(aiosmtpd, tests/smtp.py): a recipient refused for good (550) while the rest are taken, one
deferred (451) and then taken, a server that takes 4 s per message (through Dagster's daemon:
every message once), a message that cannot be built, names with line breaks, a full disk, a lost
output folder and a rebuilt warehouse.
"""

from __future__ import annotations

import datetime as dt
import email
import os
import shutil
import subprocess
import sys
import threading
import time
from email import policy
from pathlib import Path

import pytest
import sqlalchemy as sa
from dagster import materialize

from alis_nord.mail import OutgoingMail, SmtpSettings, addresses_in
from alis_nord.mail_queue import DEFERRED, GIVE_UP_AFTER, SENT, UNDELIVERABLE, MailQueue
from alis_nord.outbox import deliver_due_mail, eml_name, hand_over
from alis_nord.reference_parsing import load_reference_data
from alis_nord.schema import outgoing_mail
from alis_nord.settings import Settings
from glue.resources import PROJECT_ROOT, resources_for
from pipelines.definitions import defs
from tests.deferred_mail import retry_time_has_come
from tests.network import free_port
from tests.smtp import Sink

ALL = list(defs.assets) + list(defs.asset_checks)
AT = dt.datetime(2027, 3, 15, 6, 0, tzinfo=dt.UTC)
OFFICE = ("post@alis-nord.example",)


def _relay(port: int) -> SmtpSettings:
    return SmtpSettings("127.0.0.1", port, "alis@bodo.kommune.example", timeout_seconds=10, security="none")


def _tick(queue: MailQueue, port: int, budget: float = 25, worker: str = "tick"):
    return deliver_due_mail(
        queue, _relay(port), worker=worker, budget_seconds=budget, alert_recipients=OFFICE
    )


def _subjects(sink: Sink) -> list[str]:
    return [email.message_from_bytes(c, policy=policy.default)["Subject"] for _, _, c in sink.received]


@pytest.fixture
def queue(sqlite_url) -> MailQueue:
    return MailQueue(sqlite_url)


# ---------------------------------------------------------------- refused, deferred, not built


def test_one_refused_address_blocks_no_other_message_and_is_reported_once(queue, tmp_path):
    # 21 messages as after a sample year: 20 to municipalities whose mailboxes exist; one to a
    # municipality whose first address was deleted (550) and whose second exists
    gone, kept = "slettet@rana.kommune.example", "post@rana.kommune.example"
    for n in range(20):
        queue.queue(
            f"feedback:2023:{n:04d}", OutgoingMail((f"post@k{n}.example",), f"Melding {n}", "Tekst\n"), AT
        )
    queue.queue(
        "feedback:2023:1833", OutgoingMail((gone, kept), "Til Rana", "Tekst\n"), AT, kommunenummer="1833"
    )
    queue.queue("feedback:2023:9999", OutgoingMail((gone,), "Bare slettet", "Tekst\n"), AT)
    sink = Sink(
        tmp_path, refuse={gone: "550 5.1.1 <slettet@rana.kommune.example>: Recipient address rejected"}
    )
    try:
        handled = _tick(queue, sink.port)
        # one tick: the 20, Rana's to its second address, and the two reports to the office that
        # the refusals queued (due at once) are sent: 23; the one with only the deleted address failed
        assert [state for _, state in handled].count(SENT) == 23
        assert [state for _, state in handled].count(UNDELIVERABLE) == 1
        assert [kept] in [r for _, r, _ in sink.received] and [gone] not in [r for _, r, _ in sink.received]
        rana = next(r for r in queue.all() if r["mail_key"] == "feedback:2023:1833")
        assert rana["state"] == SENT and rana["recipient_status"][gone] == {
            "action": "failed",
            "status": "5.1.1",
            "diagnostic": "smtp; 550 5.1.1 <slettet@rana.kommune.example>: Recipient address rejected",
        }
        assert rana["recipient_status"][kept]["action"] == "delivered"
        alerts = [r for r in queue.all() if r["mail_key"].startswith("undeliverable:")]
        assert [a["mail_key"] for a in alerts] == [
            "undeliverable:feedback:2023:1833",
            "undeliverable:feedback:2023:9999",
        ]
        assert _tick(queue, sink.port) == []  # and nothing else, ever again
        report = next(
            email.message_from_bytes(c, policy=policy.default)
            for _, r, c in sink.received
            if r == list(OFFICE) and b"1833" in c
        )
        assert report["Subject"] == "ALIS-Nord: e-post kunne ikke leveres til kommune 1833"
        assert (
            f"  - {gone}: smtp; 550 5.1.1 <slettet@rana.kommune.example>: Recipient address rejected "
            "(status 5.1.1)" in report.get_content()
        )
        assert len(sink.received) == 23
    finally:
        sink.stop()


def test_an_address_over_the_rfc_5321_limits_never_reaches_the_queue():
    long_local = "a" * 300 + "@bodo.kommune.example"
    used, refused = addresses_in(f"{long_local}, post@bodo.kommune.example")
    assert used == ("post@bodo.kommune.example",)
    assert refused == [(long_local, "har mer enn 64 tegn før @ (grensen i e-poststandarden)")]
    sixty_four = "b" * 64 + "@bodo.kommune.example"
    assert addresses_in(sixty_four) == ((sixty_four,), [])  # exactly the limit is fine


def test_a_deferred_recipient_is_tried_again_later_and_the_others_get_it_once(queue, tmp_path):
    busy, free = "travel@vagan.kommune.example", "post@vagan.kommune.example"
    queue.queue(
        "feedback:2023:1865", OutgoingMail((busy, free), "Til Vågan", "Tekst\n"), AT, kommunenummer="1865"
    )
    sink = Sink(tmp_path, defer={busy: 1})  # 451 once, then taken
    try:
        assert [s for _, s in _tick(queue, sink.port)] == [DEFERRED]
        (row,) = queue.all()
        assert row["recipient_status"][busy]["status"] == "4.2.1" and row["attempts"] == 1
        # tried again one minute later (retry_delay(1)), not before
        due = row["next_attempt_at"] - dt.datetime.now(dt.UTC)
        assert dt.timedelta(seconds=50) < due <= dt.timedelta(minutes=1)
        assert _tick(queue, sink.port) == []
        retry_time_has_come(queue.url)
        assert [s for _, s in _tick(queue, sink.port)] == [SENT]
        # the second attempt went to the delayed recipient only
        assert [r for _, r, _ in sink.received] == [[free], [busy]]
        assert queue.all()[0]["state"] == SENT and queue.all()[0]["last_error"] is None
    finally:
        sink.stop()


def test_a_message_deferred_for_five_days_is_given_up_and_reported(queue):
    queue.queue(
        "reminder:2023:1804:3",
        OutgoingMail(("post@bodo.example",), "Påminnelse", "T\n"),
        AT,
        kommunenummer="1804",
    )
    port = free_port()  # the server has been down all along
    claimed = queue.claim(AT + GIVE_UP_AFTER, "tick")
    assert queue.defer(claimed, AT + GIVE_UP_AFTER, "Connection refused") == UNDELIVERABLE
    (row,) = queue.all()
    assert row["state"] == UNDELIVERABLE and row["last_error"] == "gitt opp etter 5 dager: Connection refused"
    assert queue.claim(AT + GIVE_UP_AFTER * 2, "tick") is None
    assert port  # nothing was sent to it


def test_a_message_that_cannot_be_built_fails_alone(queue, tmp_path):
    queue.queue("a", OutgoingMail(("a@x.example",), "Første", "T\n"), AT)
    queue.queue("b", OutgoingMail(("b@x.example",), "Ødelagt\r\nBcc: spion@angriper.example", "T\n"), AT)
    queue.queue("c", OutgoingMail(("c@x.example",), "Tredje", "T\n"), AT)
    sink = Sink(tmp_path)
    try:
        # the broken one fails, the others go, and so does the office's report of it
        assert sorted(s for _, s in _tick(queue, sink.port)) == [UNDELIVERABLE, SENT, SENT, SENT]
        assert sorted(_subjects(sink)) == ["ALIS-Nord: e-post kunne ikke leveres", "Første", "Tredje"]
        broken = queue.all()[1]
        assert broken["last_error"].startswith("kunne ikke lages: Subject inneholder linjeskift")
        assert [r["mail_key"] for r in queue.all()][3:] == ["undeliverable:b"]  # the office hears of it once
        assert sorted(r for _, r, _ in sink.received)[0] == ["a@x.example"]
        assert list(OFFICE) in [r for _, r, _ in sink.received] and _tick(queue, sink.port) == []
    finally:
        sink.stop()


# ---------------------------------------------------------------- a slow server


def test_overlapping_ticks_on_a_slow_server_send_each_message_once(queue, tmp_path):
    # 6 messages at 1 s each; two ticks at once (a tick that overran and the next one, or two daemons)
    for n in range(6):
        queue.queue(f"m{n}", OutgoingMail((f"p{n}@x.example",), f"Melding {n}", "T\n"), AT)
    sink = Sink(tmp_path, seconds_per_message=1)
    results: dict[str, list] = {}
    try:
        threads = [
            threading.Thread(target=lambda w=w: results.setdefault(w, _tick(queue, sink.port, worker=w)))
            for w in ("first", "second")
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert sorted(_subjects(sink)) == [f"Melding {n}" for n in range(6)]  # each once
        assert sorted(i for handled in results.values() for i, _ in handled) == [r["id"] for r in queue.all()]
        # a tick keeps to its budget: with 3.5 s and 1 s per message it starts at most 2 (it starts
        # none with less than 2 s left) and leaves the rest to the next tick
        for n in range(6, 12):
            queue.queue(f"m{n}", OutgoingMail((f"p{n}@x.example",), f"Melding {n}", "T\n"), AT)
        started = time.monotonic()
        assert len(_tick(queue, sink.port, budget=3.5)) == 2 and time.monotonic() - started < 4.5
    finally:
        sink.stop()


def test_a_slow_server_through_the_daemon_gets_every_message_once(tmp_path):
    """21 messages at 4 s each (84 s of sending) through `dagster-daemon`: a tick stops after
    its budget (25 s) instead of overrunning Dagster's 60 s, and the next one goes on; the server
    receives 21 messages, no more."""
    mail_url = f"sqlite:///{tmp_path / 'mail.sqlite'}"
    queue = MailQueue(mail_url)
    for n in range(21):
        queue.queue(
            f"feedback:2023:{n:04d}", OutgoingMail((f"post@k{n}.example",), f"Melding {n}", "T\n"), AT
        )
    sink = Sink(tmp_path, seconds_per_message=4)
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "ALIS_LANDING_DIR": str(tmp_path / "landing"),
        "ALIS_OUTPUT_DIR": str(tmp_path / "output"),
        "ALIS_DATABASE_URL": f"sqlite:///{tmp_path / 'warehouse.sqlite'}",
        "ALIS_MAIL_DATABASE_URL": mail_url,
        "ALIS_SMTP_HOST": "127.0.0.1",
        "ALIS_SMTP_PORT": str(sink.port),
        "ALIS_SMTP_SECURITY": "none",
        "ALIS_SMTP_SENDER": "alis@bodo.kommune.example",
    }
    (tmp_path / "landing" / "referanse").mkdir(parents=True)
    daemon = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "dagster-daemon"),
            "run",
            "-w",
            str(PROJECT_ROOT / "workspace.yaml"),
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "daemon.log").open("wb"),
    )
    try:
        deadline = time.monotonic() + 300
        while len(sink.received) < 21:
            assert daemon.poll() is None, (tmp_path / "daemon.log").read_text()[-3000:]
            assert time.monotonic() < deadline, f"{len(sink.received)} of 21 sent within 5 minutes"
            time.sleep(2)
        time.sleep(20)  # one more tick: nothing is sent again
    finally:
        daemon.terminate()
        daemon.wait(30)
        sink.stop()
    assert len(sink.received) == 21
    assert sorted(_subjects(sink)) == sorted(f"Melding {n}" for n in range(21))
    assert {r["state"] for r in queue.all()} == {SENT}
    assert max(r["attempts"] for r in queue.all()) == 1


# ---------------------------------------------------------------- names that would break a header


PARTICIPANTS = (
    "kommunenummer;navn;fra_aar;til_aar;epost\n"
    '1804;"Bodø\r\nBcc: spion@angriper.example";2019;;post@bodo.kommune.example\n'
    "1865;Vågan\u2028kommune;2019;;post@vagan.kommune.example\n"
    "5444;=?utf-8?b?SGFja2Vk?= Sør-Varanger;2020;2023;post@sor-varanger.kommune.example\n"
)


def _settings(
    landing: Path, out: Path, url: str, port: int | None = None, mail_url: str | None = None
) -> Settings:
    settings = {"landing_dir": landing, "output_dir": out, "database_url": url}
    if mail_url:
        settings["mail_database_url"] = mail_url
    if port:
        settings |= {
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_sender": "alis@bodo.kommune.example",
            "smtp_security": "none",
        }
    return Settings.given(**settings)


CONTACTS = (  # the small landing area's participants with an address each (5444 has none)
    "kommunenummer;navn;fra_aar;til_aar;epost\n"
    "1804;Bodø;2019;;post@bodo.kommune.example\n"
    "1865;Vågan;2019;;post@vagan.kommune.example\n"
    "5444;Sør-Varanger;2020;2023;\n"
)


def _with_contacts(landing: Path) -> Path:
    (landing / "referanse" / "deltakerkommuner.csv").write_text(CONTACTS, encoding="utf-8")
    return landing


def _run_year(settings: Settings, year: int = 2020) -> None:
    assert materialize(ALL, partition_key=str(year), resources=resources_for(settings)).success


def test_a_line_break_in_a_name_is_a_finding_and_the_years_mail_still_goes(
    small_landing, tmp_path, sqlite_url
):
    (small_landing / "referanse" / "deltakerkommuner.csv").write_text(
        PARTICIPANTS, encoding="utf-8", newline=""
    )
    reference = load_reference_data(small_landing)
    findings = [(f.fil, f.rad, f.kommunenummer, f.melding) for f in reference.contact_findings]
    assert findings == [
        ("referanse/deltakerkommuner.csv", 2, "1804", "navnet inneholder linjeskift eller andre kontrolltegn; "
         "brukt som «Bodø Bcc: spion@angriper.example» til det er rettet"),
        ("referanse/deltakerkommuner.csv", 3, "1865", "navnet inneholder linjeskift eller andre kontrolltegn; "
         "brukt som «Vågan kommune» til det er rettet"),
    ]  # fmt: skip
    sink = Sink(tmp_path)
    out = tmp_path / "out"
    try:
        _run_year(_settings(small_landing, out, sqlite_url, sink.port))  # the run does not fail
        queue = MailQueue(sqlite_url)
        assert [s for _, s in _tick(queue, sink.port)] == [SENT, SENT]  # Bodø and Vågan delivered in 2020
        messages = [email.message_from_bytes(c, policy=policy.default) for _, _, c in sink.received]
        assert [m["Subject"] for m in messages] == [
            "ALIS-Nord: tilbakemelding på tallene for 2020 – Bodø Bcc: spion@angriper.example (har feil)",
            "ALIS-Nord: tilbakemelding på tallene for 2020 – Vågan kommune (mangler)",
        ]
        assert all(m["Bcc"] is None for m in messages) and all(
            r == [a]
            for (_, r, _), a in zip(
                sink.received, ["post@bodo.kommune.example", "post@vagan.kommune.example"], strict=True
            )
        )
    finally:
        sink.stop()
    _run_year(
        _settings(small_landing, tmp_path / "eml", sqlite_url.replace("warehouse", "other"))
    )  # without SMTP too
    assert len(list((tmp_path / "eml" / "2020" / "utsendinger").glob("*.eml"))) == 2


def test_an_encoded_word_in_a_name_is_shown_literally(tmp_path):
    subject = "ALIS-Nord: påminnelse om tall for 2023 – =?utf-8?b?SGFja2Vk?= Sør-Varanger"
    queue = MailQueue(f"sqlite:///{tmp_path / 'mail.sqlite'}")
    queue.queue("r", OutgoingMail(("post@sor-varanger.kommune.example",), subject, "T\n"), AT)
    sink = Sink(tmp_path)
    try:
        _tick(queue, sink.port)
    finally:
        sink.stop()
    ((_, _, content),) = sink.received
    assert b"SGFja2Vk?= S" not in content  # the look-alike went encoded, not as it was
    assert _subjects(sink) == [subject]  # what a mail program shows: the text as written


# ---------------------------------------------------------------- full disk, lost files, recovery


@pytest.fixture
def small_disk(tmp_path):
    """A 64 KiB tmpfs, filled to the last block: every write fails with ENOSPC."""
    mount = tmp_path / "full"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], check=True)
    try:
        filler = mount / "filler"
        descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT)
        try:
            while os.write(descriptor, b"\0" * 4096):
                pass
        except OSError:  # ENOSPC: the disk is full
            pass
        finally:
            os.close(descriptor)
        yield mount, filler
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def test_a_full_disk_records_nothing_and_the_next_run_writes_it(small_disk, tmp_path):
    mount, filler = small_disk
    queue = MailQueue(f"sqlite:///{tmp_path / 'mail.sqlite'}")
    mail = OutgoingMail(("post@bodo.kommune.example",), "Tilbakemelding", "Tekst\n" * 200)

    def hand():
        return hand_over(
            queue, "feedback:2023:1804:ab", mail, settings=None, sender="alis@bodo.example",
            eml_dir=mount / "utsendinger", now=AT, kind="feedback", about_year=2023, kommunenummer="1804",
        )  # fmt: skip

    (mount / "utsendinger").mkdir()
    with pytest.raises(OSError, match="No space left on device"):
        hand()
    assert queue.all() == [] and list((mount / "utsendinger").iterdir()) == []  # nothing claimed as written
    filler.unlink()  # space again
    assert hand() == "eml"
    written = mount / "utsendinger" / "feedback-2023-1804-ab.eml"
    assert queue.all()[0]["state"] == "eml" and written.exists()
    assert hand() is None  # and once only


def test_a_deleted_output_folder_gets_its_eml_files_back_as_they_were(small_landing, tmp_path, sqlite_url):
    out = tmp_path / "out"
    settings = _settings(_with_contacts(small_landing), out, sqlite_url)
    _run_year(settings)
    before = {p.name: p.read_bytes() for p in (out / "2020" / "utsendinger").glob("*.eml")}
    assert sorted(name.rsplit("-", 1)[0] for name in before) == ["feedback-2020-1804", "feedback-2020-1865"]
    shutil.rmtree(out)
    _run_year(settings)
    assert {p.name: p.read_bytes() for p in (out / "2020" / "utsendinger").glob("*.eml")} == before
    assert [r["state"] for r in MailQueue(sqlite_url).all()] == ["eml", "eml"]  # recorded once each


def test_rebuilding_the_warehouse_sends_nothing_twice(small_landing, tmp_path):
    """The documented recovery (docs/operations.md): the warehouse is lost and every year is run
    again from the landing area. The mail ledger is in its own database, so nothing goes twice."""
    warehouse, mail = tmp_path / "warehouse.sqlite", tmp_path / "mail.sqlite"
    sink = Sink(tmp_path)
    settings = _settings(
        _with_contacts(small_landing),
        tmp_path / "out",
        f"sqlite:///{warehouse}",
        sink.port,
        f"sqlite:///{mail}",
    )
    queue = MailQueue(f"sqlite:///{mail}")
    try:
        for year in (2019, 2020):
            _run_year(settings, year)
        _tick(queue, sink.port)
        sent = len(sink.received)
        assert (
            sent == 3
        )  # Bodø in 2019; Bodø and Vågan in 2020 (tests/small_landing.py: Vågan sent nothing in 2019)

        from alis_nord.warehouse import engine_for

        engine_for(f"sqlite:///{warehouse}").dispose()
        engine_for.cache_clear()  # a new process would open the new file
        warehouse.unlink()  # the warehouse is lost
        for year in (2019, 2020):
            _run_year(settings, year)
        assert _tick(queue, sink.port) == []
        assert len(sink.received) == sent
    finally:
        sink.stop()
    with queue.engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(outgoing_mail)) == 3
    assert eml_name("feedback:2020:1804:x") == "feedback-2020-1804-x.eml"
