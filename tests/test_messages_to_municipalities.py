"""What the municipalities are told when their year goes wrong at its edges (issue 31, points 3–5):
a delivery under a participant's earlier number, statuses that are so, and messages a clerk can
act on (the deadline as a date, from the project office with a Reply-To and a signature, number
agreement from one place, no talk of MIME parts).

The small landing area (tests/small_landing.py), 2020, with Harstad added as a participant (1903
until 2019, 5402 from 2020): its only file is ``2020/1903_alis.csv``, under the old number.
"""

from __future__ import annotations

import datetime as dt
import email
import re
from email import policy
from pathlib import Path

import pytest
from dagster import materialize

from alis_nord import schema as tables
from alis_nord.deliveries import (
    APPROVED,
    HAS_ERRORS,
    MISSING,
    NOTHING_TO_REPORT,
    MunicipalityStatus,
    TableStatus,
)
from alis_nord.feedback import FeedbackPage
from alis_nord.landing import next_version_name, resend_name
from alis_nord.mail_queue import MailQueue
from alis_nord.norsk import enheter
from alis_nord.outbox import send_reminders
from alis_nord.rendering import render_message
from alis_nord.settings import Settings
from alis_nord.warehouse import Warehouse
from glue.resources import resources_for
from pipelines.definitions import defs

ALL = list(defs.assets) + list(defs.asset_checks)
PARTICIPANTS = (
    "kommunenummer;navn;fra_aar;til_aar;epost\n"
    "1804;Bodø;2019;;post@bodo.kommune.example\n"
    "1865;Vågan;2019;;post@vagan.kommune.example\n"
    "5444;Sør-Varanger;2020;2023;\n"
    "1903;Harstad;2019;2019;post@harstad.kommune.example\n"
    "5402;Harstad;2020;2023;post@harstad.kommune.example\n"
)
CONTACT = (
    "kontakt_navn: Kari Nordmann\nkontakt_tittel: prosjektleder\n"
    "kontakt_epost: alis-nord@bodo.kommune.example\nkontakt_telefon: 75 55 50 00\n"
)


@pytest.fixture(scope="module")
def year_2020(tmp_path_factory):
    """The small landing area's 2020 with Harstad and the office's contact, run without a mail
    server: the messages are the .eml files the office would send."""
    from tests.conftest import _fresh_database
    from tests.small_landing import write_small_landing

    root = tmp_path_factory.mktemp("messages")
    landing = write_small_landing(root / "landing")
    (landing / "referanse" / "deltakerkommuner.csv").write_text(PARTICIPANTS, encoding="utf-8")
    with (landing / "referanse" / "prosjekt.yaml").open("a", encoding="utf-8") as profile:
        profile.write(CONTACT)
    url = _fresh_database(f"sqlite:///{root / 'warehouse.sqlite'}")
    out = root / "out"
    settings = Settings.given(landing_dir=landing, output_dir=out, database_url=url)
    assert materialize(ALL, partition_key="2020", resources=resources_for(settings)).success
    messages = {
        path.name.split("-")[2]: email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in sorted((out / "2020" / "utsendinger").glob("feedback-*.eml"))
    }
    return {"landing": landing, "out": out, "url": url, "messages": messages}


def _parts(message) -> tuple[str, str]:
    return (  # as a mail program shows them: lines end in \n
        message.get_body(("plain",)).get_content().replace("\r\n", "\n"),
        message.get_body(("html",)).get_content().replace("\r\n", "\n"),
    )


# ---------------------------------------------------------------- an earlier number


def test_a_delivery_under_an_earlier_number_is_the_municipalitys_and_has_errors(year_2020):
    rows = Warehouse(year_2020["url"]).rows(tables.delivery_status, 2020)
    harstad = {r["table_name"]: (r["status"], r["file"]) for r in rows if r["kommunenummer"] == "5402"}
    # 2020/1903_alis.csv came (rejected: 1903 takes no part in 2020), so alis is *har feil*, not
    # *mangler*; nothing else came from Harstad
    assert harstad == {
        "alis": (HAS_ERRORS, "2020/1903_alis.csv"),
        "kostnader": (MISSING, None),
        "fastlegedekning": (MISSING, None),
    }
    assert not [r for r in rows if r["kommunenummer"] == "1903"]  # 1903 has no status of its own


def test_the_municipality_is_mailed_with_its_number_and_the_exact_file_names(year_2020):
    message = year_2020["messages"]["5402"]
    assert message["To"] == "post@harstad.kommune.example"
    assert message["Subject"] == "ALIS-Nord: tilbakemelding på tallene for 2020 – Harstad (har feil)"
    plain, html = _parts(message)
    sentence = (
        "Filene med kommunenummer 1903 kan ikke brukes: 1903 var Harstads nummer til 2019, og i 2020 har "
        "Harstad nummeret 5402."
    )
    assert sentence in plain and sentence in html
    assert "  - 5402_alis.csv (i stedet for 2020/1903_alis.csv)" in plain
    assert "<td>2020/1903_alis.csv</td><td><code>5402_alis.csv</code></td>" in html
    assert "1903_alis_v2.csv" not in plain + html  # the old advice, which would be rejected again


def test_the_finding_and_the_pages_say_what_to_do(year_2020):
    out = year_2020["out"] / "2020"
    findings = (out / "findings.csv").read_text(encoding="utf-8")
    assert (
        "Kommunenummer 1903 er ikke deltaker i prosjektet i 2020. 1903 var Harstads nummer til 2019; i 2020 "
        "har Harstad nummeret 5402. Send tabellen på nytt som 5402_alis.csv, med 5402 også i kolonnen "
        "kommunenummer." in findings
    )
    old = (out / "feedback" / "1903.html").read_text(encoding="utf-8")
    assert '<a href="5402.html">siden for Harstad (5402)</a>' in old
    page = (out / "feedback" / "5402.html").read_text(encoding="utf-8")
    assert "2020/1903_alis.csv" in page and "avvist (se funnene)" in page and ">brukt<" not in page
    overview = (out / "feedback" / "index.html").read_text(encoding="utf-8")
    assert "Harstad (5402)</a><br>sendt med nummeret 1903" in overview


def test_the_reminder_says_what_came(year_2020):
    queue = MailQueue(year_2020["url"])
    now = dt.datetime(2021, 3, 12, 8, tzinfo=dt.UTC)  # 3 days before the deadline, 15 March 2021
    handed = send_reminders(
        Warehouse(year_2020["url"]), queue, now.date(), settings=None, sender="a@x.example",
        output_root=year_2020["out"], now=now,
    )  # fmt: skip
    assert "2020 5402: eml" in handed
    (eml,) = (year_2020["out"] / "2020" / "utsendinger").glob("reminder-2020-5402-*.eml")
    plain, html = _parts(email.message_from_bytes(eml.read_bytes(), policy=policy.default))
    line = "  - ALIS-leger: 2020/1903_alis.csv (sendt med kommunenummer 1903; send den på nytt med 5402)"
    assert line in plain
    assert (
        "Fristen er 15. mars 2021, om 3 dager." in plain and "Fristen er 15. mars 2021, om 3 dager." in html
    )


# ---------------------------------------------------------------- statuses that are so


def _status(*statuses: str) -> str:
    tables_ = [
        TableStatus("1924", t, s)
        for t, s in zip(("alis", "kostnader", "fastlegedekning"), statuses, strict=True)
    ]
    return MunicipalityStatus("1924", "Målselv", tuple(tables_), ()).status


@pytest.mark.parametrize(
    ("alis", "kostnader", "fastlegedekning", "whole"),
    [
        # Målselv: alis and kostnader declared empty, GP coverage delivered and accepted
        (NOTHING_TO_REPORT, NOTHING_TO_REPORT, APPROVED, APPROVED),
        (NOTHING_TO_REPORT, NOTHING_TO_REPORT, NOTHING_TO_REPORT, NOTHING_TO_REPORT),
        (APPROVED, NOTHING_TO_REPORT, APPROVED, APPROVED),
        (NOTHING_TO_REPORT, NOTHING_TO_REPORT, MISSING, MISSING),
        (NOTHING_TO_REPORT, HAS_ERRORS, APPROVED, HAS_ERRORS),
        (MISSING, MISSING, MISSING, MISSING),
    ],
)
def test_the_whole_is_godkjent_when_every_table_is_accepted_or_declared_empty(
    alis, kostnader, fastlegedekning, whole
):
    assert _status(alis, kostnader, fastlegedekning) == whole


def test_file_names_to_send_again():
    assert resend_name("1903_kostnader_v2.csv", "5402") == "5402_kostnader.csv"
    assert resend_name("1903.xlsx", "5402") == "5402.xlsx"
    assert resend_name("1903_ALIS.XLSX", "5402") == "5402_alis.xlsx"
    assert next_version_name("1804_kostnader.csv") == "1804_kostnader_v2.csv"
    assert next_version_name("1804_v2.xlsx") == "1804_v3.xlsx"


# ---------------------------------------------------------------- messages a clerk can act on


def test_every_feedback_mail_is_from_the_office_names_the_deadline_and_reads_right(year_2020):
    messages = year_2020["messages"]
    # Bodø (2020: alis, kostnader with one error, GP coverage), Vågan (alis, kostnader _v2), Harstad
    assert sorted(messages) == ["1804", "1865", "5402"]
    for message in messages.values():
        plain, html = _parts(message)
        for part in (plain, html):
            assert "Fristen for tallene for 2020 er 15. mars 2021." in part
            assert "Kari Nordmann" in part and "75 55 50 00" in part
            assert not re.search(r"\b1 rader\b|mottatt 0 rader|\b1 er holdt utenfor fordi de\b", part)
            assert "HTML-delen" not in part and not re.search(r"\d{4}-\d{2}-\d{2}", part)
            assert (
                "leveringssiden" not in part and "/levering/" not in part
            )  # no key (ALIS_DELIVERY_SECRET): no link
        assert not re.search(r"rad (\d+)[,:].*Rad \1:", plain)
        assert message["Reply-To"] == "alis-nord@bodo.kommune.example"
        # without a mail server the office sends the .eml itself: from its own address, by name
        assert message["From"].addresses[0].display_name == "ALIS-Nord, Bodø kommune"
        assert message["From"].addresses[0].addr_spec == "alis-nord@bodo.kommune.example"
        assert plain.startswith("Hei,\n\ntakk for tallene fra ")
    # Vågan 2020: alis 1 row, kostnader _v2 2 rows, all accepted: 3 rows
    assert "Vi har mottatt 3 rader, og alle er godkjent." in _parts(messages["1865"])[0]


def _page(received: int, accepted: int, quarantined: int, rejected: bool = False) -> FeedbackPage:
    table = {
        "table_name": "alis", "title": "ALIS-leger", "file": "2020/1804_alis.csv", "rejected": rejected,
        "rows_received": received, "rows_accepted": accepted, "rows_quarantined": quarantined,
    }  # fmt: skip
    files = [
        {
            "path": "2020/1804_alis.csv",
            "kommunenummer": "1804",
            "status": "used",
            "status_nb": "brukt",
            "sha256": "a" * 64,
        }
    ]
    return FeedbackPage(2020, "1804", "Bodø", True, "ALIS-Nord", files=files, tables=[table])


@pytest.mark.parametrize(
    ("counts", "sentence"),
    [
        ((1, 1, 0), "Vi har mottatt 1 rad, og den er godkjent."),
        ((2, 2, 0), "Vi har mottatt 2 rader, og alle er godkjent."),
        ((1, 0, 1), "Vi har mottatt 1 rad, men den er holdt utenfor fordi den har feil."),
        ((3, 0, 3), "Vi har mottatt 3 rader, men alle er holdt utenfor fordi de har feil."),
        ((9, 8, 1), "Vi har mottatt 9 rader: 8 er godkjent og 1 er holdt utenfor fordi den har feil."),
        (
            (12345, 12000, 345),
            "Vi har mottatt 12\xa0345 rader: 12\xa0000 er godkjent og 345 er holdt utenfor fordi de har feil.",
        ),
        ((0, 0, 0), "Tabellene kom uten rader: dere har ikke noe å rapportere i dem."),
        ((0, 0, 0, True), "Vi kunne ikke ta imot det dere sendte: se hva som må rettes."),
    ],
)
def test_number_agreement_in_both_parts(counts, sentence):
    from alis_nord.deliveries import Office

    status = MunicipalityStatus(
        "1804", "Bodø", (TableStatus("1804", "alis", APPROVED, "2020/1804_alis.csv", 1),), ()
    )
    subject, plain, html = render_message(
        "epost/tilbakemelding.j2", page=_page(*counts), status=status, kontor=Office("ALIS-Nord", "Bodø kommune"),
        deadline=dt.date(2021, 3, 15), titles={"alis": "ALIS-leger", "kostnader": "Kostnader", "fastlegedekning": "GP"},
    )  # fmt: skip
    assert sentence in plain and sentence in html
    assert subject == "ALIS-Nord: tilbakemelding på tallene for 2020 – Bodø (godkjent)"
    assert plain.rstrip().endswith(
        "Vennlig hilsen\nALIS-Nord, Bodø kommune"
    )  # no contact person: the project


def test_enheter_is_the_one_place_of_number_agreement():
    assert [enheter(n, "rad", "rader") for n in (0, 1, 2, 1000)] == [
        "0 rader",
        "1 rad",
        "2 rader",
        "1\xa0000 rader",
    ]


def test_the_wording_lives_in_templates():
    templates = Path(__file__).resolve().parent.parent / "report_templates" / "epost"
    assert {p.name for p in templates.glob("*.j2")} >= {"tilbakemelding.j2", "paaminnelse.j2"}
    source = (Path(__file__).resolve().parent.parent / "alis_nord" / "deliveries.py").read_text(
        encoding="utf-8"
    )
    assert "Vi har mottatt" not in source and "Hei," not in source  # no message text in Python


def test_a_rejected_file_is_never_listed_as_used(year_2020):
    from alis_nord.report_appendix import appendix
    from alis_nord.stored import STATUS_REPORT

    store = Warehouse(year_2020["url"])
    files = {
        f["path"]: f["status"]
        for f in appendix(store.stored_rows(2020, STATUS_REPORT), store.reference(2020))["files"]
    }
    # the report's list of inputs: 1903's file was rejected whole; Bodø's kostnader kept a bad row
    # out but was used; the badly named file was not read
    assert files["2020/1903_alis.csv"] == "avvist (se funnene)"
    assert files["2020/1804_kostnader.csv"] == "brukt"
    assert files["2020/Kostnader Vågan.csv"] == "ikke lest (ugyldig filnavn)"
