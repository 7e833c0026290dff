"""Deleting what is past its time (``python -m service.retention``, docs/personvern.md), on real
files in a landing area and an output folder, and a real warehouse and mail database: SQLite (the
workstation's two files, apart) and PostgreSQL (production's one database for both).

The day is 1 January 2025. Report year 2019's accounting year ended 31 December 2019; five years
on it is kept through 31 December 2024, so it is deleted from 1 January 2025. 2020 is kept through
31 December 2025. Every count below is read off the fixture (``holdings``), item by item.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from alis_nord import retention
from alis_nord.delivery_log import REFUSED, STORED, Delivery, DeliveryRecords
from alis_nord.landing import inventory_rows, take_inventory
from alis_nord.mail import OutgoingMail
from alis_nord.mail_queue import QUEUED, SENT, WRITTEN, MailQueue
from alis_nord.reference import to_document
from alis_nord.reference_parsing import load_reference_data
from alis_nord.retention import Holdings
from alis_nord.schema import (
    alis,
    delivery_log,
    findings,
    input_files,
    metadata,
    outgoing_mail,
    reference_data,
)
from alis_nord.settings import PROJECT_ROOT, Settings
from alis_nord.warehouse import Warehouse, engine_for
from service import retention as command

SAMPLE = PROJECT_ROOT / "sample_landing"
TODAY = "2025-01-01"
UTC = dt.UTC
OSLO = retention.ZONE


# ------------------------------------------------------------------ the fixture


@pytest.fixture
def holdings(database_url: str, tmp_path: Path) -> Holdings:
    """Everything the project keeps, with 2019 past its time on 1 January 2025 and 2020 not.

    Landing area: referanse/ (the sample's 7 files, kept: the office keeps it by hand);
      2019/: 1804_alis.csv, 1804_kostnader.csv, 1824.xlsx (the sample's) and tekst/maal_1.md: 4 files;
      2020/: 1804_alis.csv, 1804_kostnader.csv: 2 files, kept;
      .levering/: «old» last written 30 December 2024 (a crashed upload: deleted) and «today»
      written 31 December 2024 08:00 (less than a day before: kept).
    Output folder: 2019/ statusrapport-2019.pdf, feedback/1804.html, utsendinger/feedback.eml:
      3 files; 2020/summary.json: kept.
    Warehouse: input_files from the inventory of each year's folder (2019: 4 rows, 2020: 2),
      alis (2019: 2 rows, 2020: 1), findings (2019: 1), reference_data (2019: 1, 2020: 1):
      2019 has 4 + 2 + 1 + 1 = 8 rows in 4 tables; 2020 has 2 + 1 + 1 = 4.
    Mail database (SQLite: its own file, as on a workstation; PostgreSQL: the warehouse's database,
    as in production), outgoing_mail, 7 messages:
      1 feedback 2019, sent              → deleted (about 2019)
      2 reminder 2019, written as .eml   → deleted (about 2019)
      3 feedback 2019, still queued      → kept (on its way: never deleted)
      4 feedback 2020, sent              → kept
      5 run-failure alert, queued 1 January 2024 10:00 UTC, sent   → deleted (no year; before
        2 January 2024, 00:00 in Oslo: 365 days before 1 January 2025, 2024 being a leap year)
      6 run-failure alert, queued 1 June 2024, sent                 → kept
      7 undeliverable alert (about message 1, no year), queued 20 March 2020, sent → deleted
    delivery_log, 6 rows:
      1 2019, 192.0.2.10, stored   → deleted
      2 2019, 192.0.2.11, refused  → deleted
      3 2020, received 1 March 2021, 192.0.2.12            → kept, address blanked
      4 2023, received 2 October 2024 21:59:59 UTC (23:59:59 in Oslo), 198.51.100.7 → address blanked
      5 2023, received 2 October 2024 22:00:00 UTC (3 October 00:00 in Oslo, 90 days before
        1 January 2025: 28 + 30 + 31 + 1), 2001:db8::5     → address kept
      6 2024, received 31 December 2024, no address         → unchanged
    """
    landing, output = tmp_path / "mottak", tmp_path / "rapporter"
    shutil.copytree(SAMPLE / "referanse", landing / "referanse")
    for name in ("1804_alis.csv", "1804_kostnader.csv", "1824.xlsx"):
        _copy(SAMPLE / "2019" / name, landing / "2019" / name)
    _write(landing / "2019" / "tekst" / "maal_1.md", "# Mål 1\n\nProsjektkontorets tekst.\n")
    for name in ("1804_alis.csv", "1804_kostnader.csv"):
        _copy(SAMPLE / "2020" / name, landing / "2020" / name)
    _write(
        landing / ".levering" / "old",
        "kommunenummer;rapportaar\n",
        at=dt.datetime(2024, 12, 30, 12, tzinfo=OSLO),
    )
    _write(
        landing / ".levering" / "today",
        "kommunenummer;rapportaar\n",
        at=dt.datetime(2024, 12, 31, 8, tzinfo=OSLO),
    )
    _write(output / "2019" / "statusrapport-2019.pdf", "%PDF-1.7\n")
    _write(output / "2019" / "feedback" / "1804.html", "<p>postmottak@bodo.kommune.example</p>\n")
    _write(output / "2019" / "utsendinger" / "feedback.eml", "To: postmottak@bodo.kommune.example\n\n")
    _write(output / "2020" / "summary.json", "{}\n")

    warehouse_url = database_url
    mail_url = (
        database_url if database_url.startswith("postgresql") else f"sqlite:///{tmp_path / 'mail.sqlite'}"
    )
    store = Warehouse(warehouse_url)
    document = to_document(load_reference_data(landing))
    for year, alis_ids in ((2019, ("A1001", "A1002")), (2020, ("A1001",))):
        store.replace_year(
            year,
            {
                input_files: inventory_rows(take_inventory(landing, year)),
                alis: [_alis_row(year, alis_id) for alis_id in alis_ids],
                findings: [_finding()] if year == 2019 else [],
                reference_data: [{"sha256": "0" * 64, "document": document}],
            },
        )

    queue = MailQueue(mail_url)
    message = OutgoingMail(("postmottak@bodo.kommune.example",), "Tilbakemelding", "Tekst")
    office = OutgoingMail(("alis-nord@bodo.kommune.example",), "Kjøring feilet", "Tekst")
    queue.queue("feedback:2019:1804:aaaa", message, _utc(2020, 3, 20), kind="feedback", about_year=2019,
                kommunenummer="1804", state=SENT, sent_at=_utc(2020, 3, 20))  # fmt: skip
    queue.queue("reminder:2019:1806:3", message, _utc(2020, 3, 12), kind="reminder", about_year=2019,
                kommunenummer="1806", channel="eml", state=WRITTEN, sent_at=_utc(2020, 3, 12))  # fmt: skip
    queue.queue("feedback:2019:1813:bbbb", message, _utc(2024, 12, 31), kind="feedback", about_year=2019,
                kommunenummer="1813", state=QUEUED)  # fmt: skip
    queue.queue("feedback:2020:1804:cccc", message, _utc(2021, 3, 20), kind="feedback", about_year=2020,
                kommunenummer="1804", state=SENT, sent_at=_utc(2021, 3, 20))  # fmt: skip
    queue.queue("run-failure:old", office, _utc(2024, 1, 1, 10), state=SENT, sent_at=_utc(2024, 1, 1, 10))
    queue.queue("run-failure:recent", office, _utc(2024, 6, 1), state=SENT, sent_at=_utc(2024, 6, 1))
    queue.queue("undeliverable:feedback:2019:1804:aaaa", office, _utc(2020, 3, 20), kind="alert", state=SENT,
                sent_at=_utc(2020, 3, 20))  # fmt: skip

    records = DeliveryRecords(mail_url)
    for year, received, address, outcome in (
        (2019, _utc(2020, 2, 1, 9), "192.0.2.10", STORED),
        (2019, _utc(2020, 3, 1, 9), "192.0.2.11", REFUSED),
        (2020, _utc(2021, 3, 1, 9), "192.0.2.12", STORED),
        (2023, dt.datetime(2024, 10, 2, 21, 59, 59, tzinfo=UTC), "198.51.100.7", STORED),
        (2023, dt.datetime(2024, 10, 2, 22, 0, 0, tzinfo=UTC), "2001:db8::5", STORED),
        (2024, _utc(2024, 12, 31, 10), None, STORED),
    ):
        records.record(
            Delivery(
                received,
                year,
                "1804",
                "Bodø alis.csv",
                "0" * 64,
                341,
                "0123456789abcdef",
                outcome,
                table_name="alis",
                client_address=address,
            )  # fmt: skip
        )
    return Holdings(landing, output, warehouse_url, mail_url)


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)


def _write(path: Path, text: str, at: dt.datetime | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if at is not None:
        os.utime(path, (at.timestamp(), at.timestamp()))


def _utc(year: int, month: int, day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=UTC)


def _alis_row(year: int, alis_id: str) -> dict:
    return {
        "kommunenummer": "1804",
        "file": f"{year}/1804_alis.csv",
        "row_number": 2,
        "alis_id": alis_id,
        "tilsettingsform": "fastlønn",
        "startdato": dt.date(2019, 8, 21),
        "sluttdato": None,
        "status": "aktiv",
        "individuell_veiledning_timer": Decimal("19.9"),
        "gruppeveiledning_timer": Decimal("11.4"),
        "kurs_timer": Decimal("48"),
        "sykehustjeneste": "ikke_startet",
        "laeringsmaal_godkjent_prosent": Decimal("15"),
    }


def _finding() -> dict:
    return {
        "kommunenummer": "1804",
        "file": "2019/1804_kostnader.csv",
        "table_name": "kostnader",
        "row_number": 3,
        "column_name": "belop",
        "rule": "belop_zero",
        "severity": "error",
        "value": "0",
        "message": "Rad 3: belop er 0.",
    }


def _settings(holdings: Holdings) -> Settings:
    return Settings.given(
        landing_dir=holdings.landing_dir,
        output_dir=holdings.output_dir,
        database_url=holdings.warehouse_url,
        mail_database_url=holdings.mail_url,
    )


def _run(holdings: Holdings, *arguments: str, capsys) -> str:
    command.main(["--today", TODAY, *arguments], settings=_settings(holdings))
    return capsys.readouterr().out


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _everything(holdings: Holdings) -> dict:
    """Every file of both folders and every row of every table of both databases."""
    found = {
        "landing": _files(holdings.landing_dir),
        "output": _files(holdings.output_dir),
    }
    for name, url in (("warehouse", holdings.warehouse_url), ("mail", holdings.mail_url)):
        with engine_for(url).connect() as conn:
            for table in metadata.sorted_tables:
                found[f"{name}.{table.name}"] = sorted(map(repr, conn.execute(sa.select(table)).all()))
    return found


def _count(url: str, table: sa.Table, year: int | None = None) -> int:
    query = sa.select(sa.func.count()).select_from(table)
    if year is not None:
        query = query.where(table.c.report_year == year)
    with engine_for(url).connect() as conn:
        return conn.scalar(query)


# ------------------------------------------------------------------ the rules


def test_the_periods_give_these_days():
    # five years after the end of the accounting year: 2019 is kept through 31 December 2024
    assert retention.kept_through(2019) == dt.date(2024, 12, 31)
    assert not retention.past_retention(2019, dt.date(2024, 12, 31))
    assert retention.past_retention(2019, dt.date(2025, 1, 1))
    assert not retention.past_retention(2020, dt.date(2025, 12, 31))
    assert retention.newest_year_past(dt.date(2025, 1, 1)) == 2019
    assert retention.newest_year_past(dt.date(2024, 12, 31)) == 2018
    # 90 days before 1 January 2025 is 3 October 2024 (Oct 3→31: 28, Nov: 30, Dec: 31, +1), at midnight
    # in Oslo, which is 22:00 UTC the day before (summer time, UTC+2)
    cutoff = retention.client_address_cutoff(dt.date(2025, 1, 1))
    assert cutoff == dt.datetime(2024, 10, 3, tzinfo=OSLO)
    assert cutoff.astimezone(UTC) == dt.datetime(2024, 10, 2, 22, tzinfo=UTC)
    # 365 days before 1 January 2025 is 2 January 2024 (2024 has 366 days); in winter Oslo is UTC+1
    assert retention.mail_without_year_cutoff(dt.date(2025, 1, 1)).astimezone(UTC) == dt.datetime(
        2024, 1, 1, 23, tzinfo=UTC
    )


def test_every_period_is_in_the_record_of_processing():
    """docs/personvern.md cites each period's constant by name, with its length: «`NAME` = length»."""
    text = (PROJECT_ROOT / "docs" / "personvern.md").read_text(encoding="utf-8")
    for name, words in {
        "ACCOUNTING_RETENTION_YEARS": f"{retention.ACCOUNTING_RETENTION_YEARS} år",
        "CLIENT_ADDRESS_DAYS": f"{retention.CLIENT_ADDRESS_DAYS} dager",
        "MAIL_WITHOUT_YEAR_DAYS": f"{retention.MAIL_WITHOUT_YEAR_DAYS} dager",
        "UPLOAD_LEFTOVER_DAYS": f"{retention.UPLOAD_LEFTOVER_DAYS} døgn",
        "NGINX_ACCESS_LOG_DAYS": f"{retention.NGINX_ACCESS_LOG_DAYS} dager",
    }.items():
        assert f"`{name}` = {words}" in text, name


def test_the_nginx_period_is_what_logrotate_does_on_this_machine():
    rules = Path("/etc/logrotate.d/nginx")  # Debian's nginx-common, installed with nginx-light by make system-deps
    assert rules.is_file(), "no /etc/logrotate.d/nginx: run make system-deps (nginx-light)"
    text = rules.read_text()
    assert re.search(r"^\s*daily\s*$", text, re.MULTILINE)
    assert re.search(rf"^\s*rotate\s+{retention.NGINX_ACCESS_LOG_DAYS}\s*$", text, re.MULTILINE)


# ------------------------------------------------------------------ the command


def test_a_dry_run_deletes_nothing_and_says_what_would_go(holdings, capsys):
    before = _everything(holdings)
    out = _run(holdings, "--dry-run", capsys=capsys)
    assert _everything(holdings) == before
    assert "Prøvekjøring (--dry-run): ingenting er slettet. Dette ville blitt slettet:" in out
    assert _expected_lines() in out


def _expected_lines() -> str:
    return "\n".join(
        [
            "Rapportår 2019 (lagret til og med 31. desember 2024):",
            "  – mottaksområdet: 2019/, 4 filer",
            "  – datavarehuset: 8 rader i 4 tabeller",
            "  – e-postdatabasen: 2 meldinger om rapportåret (tilbakemeldinger og purringer)",
            "  – leveringsloggen: 2 leveranser",
            "  – rapportmappen: 2019/, 3 filer",
            "Leveringsloggen: klientadressen fjernet fra 2 leveranser mottatt før 3. oktober 2024 (eldre enn 90 dager).",
            "E-postdatabasen: 2 meldinger uten rapportår (varsler til prosjektkontoret) lagt i kø før "
            "2. januar 2024 (eldre enn 365 dager).",
            "Mottaksområdet: 1 ufullstendig opplasting i .levering/ fra før 31. desember 2024.",
        ]
    )


def test_the_run_deletes_exactly_what_is_past_its_time(holdings, capsys):
    reference_files = _files(holdings.landing_dir / "referanse")
    out = _run(holdings, capsys=capsys)
    assert "Slettet:\n" + _expected_lines() in out

    # the landing area: 2019/ and the old leftover gone; referanse/, 2020/ and today's leftover kept
    assert _files(holdings.landing_dir) == sorted(
        [f"referanse/{name}" for name in reference_files]
        + ["2020/1804_alis.csv", "2020/1804_kostnader.csv", ".levering/today"]
    )
    assert not (holdings.landing_dir / "2019").exists()
    assert _files(holdings.output_dir) == ["2020/summary.json"]

    # the warehouse: nothing of 2019 in any yearly table; 2020's 2 + 1 + 1 rows kept
    for table in retention.yearly_tables:
        assert _count(holdings.warehouse_url, table, 2019) == 0, table.name
    assert [_count(holdings.warehouse_url, t, 2020) for t in (input_files, alis, reference_data)] == [2, 1, 1]

    # the mail queue: messages 3, 4 and 6 left
    with engine_for(holdings.mail_url).connect() as conn:
        keys = conn.scalars(sa.select(outgoing_mail.c.mail_key).order_by(outgoing_mail.c.id)).all()
        log = conn.execute(
            sa.select(delivery_log.c.about_year, delivery_log.c.client_address).order_by(delivery_log.c.id)
        ).all()
    assert keys == ["feedback:2019:1813:bbbb", "feedback:2020:1804:cccc", "run-failure:recent"]
    # the delivery log: 2019's two rows gone; rows 3 and 4 without their address, row 5 with it
    assert [tuple(row) for row in log] == [(2020, None), (2023, None), (2023, "2001:db8::5"), (2024, None)]


def test_a_second_run_deletes_nothing_more(holdings, capsys):
    _run(holdings, capsys=capsys)
    after_first = _everything(holdings)
    out = _run(holdings, capsys=capsys)
    assert "Ingenting har passert lagringstiden." in out
    assert "Slettet" not in out
    assert _everything(holdings) == after_first


def test_a_year_held_back_is_kept_whole(holdings, capsys):
    """A control or a request for access holds 2019: none of it goes; the addresses, the alerts and
    the leftover, which no control needs, still do."""
    out = _run(holdings, "--keep-year", "2019", capsys=capsys)
    assert (
        "Rapportår 2019 har passert lagringstiden (31. desember 2024), men holdes tilbake (--keep-year 2019)."
        in out
    )
    assert "Rapportår 2019 (" not in out
    assert (holdings.landing_dir / "2019" / "1824.xlsx").is_file()
    assert (holdings.output_dir / "2019" / "statusrapport-2019.pdf").is_file()
    assert _count(holdings.warehouse_url, alis, 2019) == 2
    with engine_for(holdings.mail_url).connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).where(outgoing_mail.c.about_year == 2019)) == 3
        addresses = conn.scalars(sa.select(delivery_log.c.client_address).order_by(delivery_log.c.id)).all()
    # rows 1 and 2 (2019, received in 2020) are older than 90 days too
    assert addresses == [None, None, None, None, "2001:db8::5", None]


def test_the_command_runs_as_the_office_runs_it(holdings):
    """``python -m service.retention`` in a process of its own, the places from the environment, as
    ``make retention`` runs it; no password of a database URL in what it prints."""
    environment = {
        **os.environ,
        "ALIS_LANDING_DIR": str(holdings.landing_dir),
        "ALIS_OUTPUT_DIR": str(holdings.output_dir),
        "ALIS_DATABASE_URL": holdings.warehouse_url,
        "ALIS_MAIL_DATABASE_URL": holdings.mail_url,
    }
    result = subprocess.run(
        [sys.executable, "-m", "service.retention", "--dry-run", "--today", TODAY],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert _expected_lines() in result.stdout
    assert f"Mottaksområdet: {holdings.landing_dir}" in result.stdout
    password = sa.engine.make_url(holdings.warehouse_url).password
    if password:
        assert password not in result.stdout
    assert (holdings.landing_dir / "2019").is_dir()  # a dry run
