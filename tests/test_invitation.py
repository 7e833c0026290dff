"""The invitation to deliver a year's figures (``make invite``) and the year's template on the
delivery page: the e-mail that replaces the office's own «here is the template» message.

The small landing area (tests/small_landing.py), 2020, with addresses for Bodø (1804) and Vågan
(1865); Sør-Varanger (5444) takes part from 2020 with no address. No «frist» in prosjekt.yaml: the
deadline is 15 March 2021. Without ALIS_SMTP_HOST the invitations are written as .eml files, read
back here as a mail program shows them.
"""

from __future__ import annotations

import datetime as dt
import email
import io
import os
import re
import subprocess
import sys
from email import policy

import openpyxl
from starlette.testclient import TestClient

from alis_nord.deliveries import today_in_norway
from alis_nord.delivery_links import DeliveryLink, make_token, read_token
from alis_nord.settings import Settings
from alis_nord.template import submission_template
from glue.resources import PROJECT_ROOT
from portal.app import create_app
from tests.small_landing import write_small_landing

SECRET = "invitation test key, used nowhere else: 0123456789abcdef"  # 32 characters at least
BASE = "https://alis.example/levering"
PARTICIPANTS = (
    "kommunenummer;navn;fra_aar;til_aar;epost\n"
    "1804;Bodø;2019;;post@bodo.kommune.example\n"
    "1865;Vågan;2019;;post@vagan.kommune.example\n"
    "5444;Sør-Varanger;2020;2023;\n"
)
DEADLINE_2020 = dt.date(2021, 3, 15)
LINK_DAYS = (today_in_norway() - DEADLINE_2020).days + 30  # links that work until today + 30 days


def _invite(landing, tmp_path, *, secret: str | None = SECRET):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("ALIS_")},
        "ALIS_LANDING_DIR": str(landing),
        "ALIS_OUTPUT_DIR": str(tmp_path / "out"),
        "ALIS_MAIL_DATABASE_URL": f"sqlite:///{tmp_path / 'mail.sqlite'}",
        "ALIS_DELIVERY_BASE_URL": BASE,
        "ALIS_DELIVERY_LINK_DAYS": str(LINK_DAYS),
        **({"ALIS_DELIVERY_SECRET": secret} if secret else {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "service.delivery_links", "invite", "--aar", "2020"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def _area(tmp_path):
    landing = write_small_landing(tmp_path / "landing")
    (landing / "referanse" / "deltakerkommuner.csv").write_text(PARTICIPANTS, encoding="utf-8")
    return landing


def _message(path):
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return message, text, html


def test_every_participant_with_an_address_is_invited_once_with_its_own_link(tmp_path):
    landing = _area(tmp_path)
    done = _invite(landing, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "1804 Bodø: written as .eml for post@bodo.kommune.example (no ALIS_SMTP_HOST): send it",
        "1865 Vågan: written as .eml for post@vagan.kommune.example (no ALIS_SMTP_HOST): send it",
        "5444 Sør-Varanger: not invited: no address in deltakerkommuner.csv",
    ]
    folder = tmp_path / "out" / "2020" / "utsendinger"
    assert sorted(p.name for p in folder.iterdir()) == ["invitation-2020-1804.eml", "invitation-2020-1865.eml"]

    today = today_in_norway()
    for kommunenummer, navn, address in (("1804", "Bodø", "post@bodo"), ("1865", "Vågan", "post@vagan")):
        message, text, html = _message(folder / f"invitation-2020-{kommunenummer}.eml")
        assert message["Subject"] == f"ALIS-Nord: tall for 2020 – {navn}"
        assert message["To"].startswith(address)
        # the plain part's link runs to the next white space, as a mail program makes it a link
        (url,) = re.findall(r"https://alis\.example/levering/\S+", text)
        assert f'href="{url}"' in html and f">{url}</a>" in html  # the HTML part's link is the same
        link = read_token(SECRET, url.rsplit("/", 1)[1], today, lambda k: 1)
        assert (link.kommunenummer, link.year) == (kommunenummer, 2020)
        assert link.valid_until == DEADLINE_2020 + dt.timedelta(days=LINK_DAYS)
        assert "Fristen for tallene for 2020 er 15. mars 2021." in text
        assert "laster dere ned innsendingsmalen for 2020" in text
        for title in ("ALIS-leger", "Kostnader", "Fastlegedekning"):
            assert title in text and title in html

    again = _invite(landing, tmp_path)  # run again: nobody is invited twice
    assert again.stdout.splitlines()[:2] == ["1804 Bodø: invited before", "1865 Vågan: invited before"]
    assert len(list(folder.iterdir())) == 2


def test_without_a_key_the_invitation_asks_for_the_files_by_e_mail(tmp_path):
    landing = _area(tmp_path)
    done = _invite(landing, tmp_path, secret=None)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].startswith("No ALIS_DELIVERY_SECRET")
    _, text, html = _message(tmp_path / "out" / "2020" / "utsendinger" / "invitation-2020-1804.eml")
    assert "/levering/" not in text and "/levering/" not in html
    assert "send filene som svar på denne e-posten" in text


def test_the_page_gives_the_years_template_and_a_bad_link_gets_nothing(tmp_path):
    landing = _area(tmp_path)
    settings = Settings.given(
        landing_dir=landing,
        database_url=f"sqlite:///{tmp_path / 'warehouse.sqlite'}",
        mail_database_url=f"sqlite:///{tmp_path / 'mail.sqlite'}",
        delivery_secret=SECRET,
        delivery_base_url="https://testserver/levering",
    )
    token = make_token(SECRET, DeliveryLink("1865", 2020, dt.date(2099, 12, 31)))
    with TestClient(create_app(settings, warm_up=False), base_url="https://testserver") as clerk:
        page = clerk.get(f"/levering/{token}")
        assert f'href="/levering/{token}/innsendingsmal.xlsx"' in page.text
        answer = clerk.get(f"/levering/{token}/innsendingsmal.xlsx")
        tampered = clerk.get(f"/levering/{token[:-3]}abc/innsendingsmal.xlsx")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert answer.headers["content-disposition"] == 'attachment; filename="innsendingsmal-2020.xlsx"'
    assert answer.content == submission_template(2020, "ALIS-Nord", "")  # the year's template, made
    sheets = openpyxl.load_workbook(io.BytesIO(answer.content)).sheetnames
    assert {"alis", "kostnader", "fastlegedekning"} <= set(sheets)
    assert tampered.status_code == 403 and b"PK" not in tampered.content[:2]
    assert "Lenken virker ikke" in tampered.text
