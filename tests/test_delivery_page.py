"""The delivery page (portal/), in-process with Starlette's TestClient over «https://testserver»
(so the ``__Host-`` cookie is sent back), on tests/small_landing.py's area, a SQLite warehouse
holding 2020 as the pipeline stores it, and a SQLite mail database (the delivery log).

Figures by hand from tests/small_landing.py, 2020:
- Bodø (1804) sent 1804_alis.csv (A1001, A1002: both valid), 1804_kostnader.csv (six vouchers;
  the «kaffe» one, line 8 of the file, has an unknown category: an error) and
  1804_fastlegedekning.csv (one valid row): alis and fastlegedekning «godkjent», kostnader «har
  feil», one open finding (Feil, 1804_kostnader.csv, row 8, column kategori), three files «brukt».
- Vågan (1865) sent alis (valid), kostnader and a corrected kostnader_v2 (v2 used, valid), no
  fastlegedekning: «godkjent», «godkjent», «mangler»; 1865_kostnader.csv «erstattet av en nyere versjon».
- Sør-Varanger (5444) takes part from 2020 and sent nothing; 1903 (Harstad's old number) and any
  other number take no part. No «frist» in prosjekt.yaml: the deadline is 15 March of the year after.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest
from starlette.testclient import TestClient

from alis_nord import schema
from alis_nord.deliveries import status_rows, table_statuses
from alis_nord.delivery_links import DeliveryLink, link_id, make_token
from alis_nord.delivery_log import DeliveryRecords
from alis_nord.landing import inventory_rows, received_at, take_inventory
from alis_nord.norsk import tidspunkt
from alis_nord.receiving import header_only
from alis_nord.reference_parsing import load_reference_data
from alis_nord.settings import Settings
from alis_nord.stored_validation import warehouse_rows
from alis_nord.validation import validate_year
from alis_nord.warehouse import Warehouse
from portal.app import BODY_LIMIT, create_app
from tests.small_landing import write_small_landing

SECRET = "leveringsside-test-" + "4b9e2c7a1f3d5e6a8c0b2d4f"  # the test's own key (32+ characters)
BASE = "https://testserver"
FAR = dt.date(2099, 12, 31)  # a link that has not expired
KONTAKT = (  # the project office's contact person, appended to small_landing's prosjekt.yaml
    "kontakt_navn: Kari Nordmann\nkontakt_tittel: prosjektleder\n"
    "kontakt_epost: alis-nord@prosjekt.example\nkontakt_telefon: 75 55 50 00\n"
)
REFUSAL = "Lenken virker ikke"
FORBIDDEN_FORM = "Skjemaet kunne ikke sendes"


# ---------------------------------------------------------------- the area, as the pipeline left it


def _as_the_pipeline_stores(landing: Path, url: str, year: int) -> None:
    """What the landing_files, validated_submissions and delivery_status assets store for a year
    (input_files, table_deliveries, findings, delivery_status), from the same domain functions,
    without Dagster."""
    reference = load_reference_data(landing)
    inventory = take_inventory(landing, year)
    validation = validate_year(landing, inventory, reference)
    rows = {"input_files": inventory_rows(inventory), **warehouse_rows(validation)}
    Warehouse(url).replace_year(
        year,
        {
            schema.input_files: rows["input_files"],
            schema.table_deliveries: rows["table_deliveries"],
            schema.findings: rows["findings"],
            schema.delivery_status: status_rows(table_statuses(year, reference, rows)),
        },
    )


@pytest.fixture(scope="module")
def processed(tmp_path_factory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("levering")
    landing = write_small_landing(root / "landing")
    with (landing / "referanse" / "prosjekt.yaml").open("a", encoding="utf-8") as profile:
        profile.write(KONTAKT)
    url = f"sqlite:///{root / 'warehouse.sqlite'}"
    _as_the_pipeline_stores(landing, url, 2020)
    return landing, url


@dataclass
class Site:
    landing: Path
    records: DeliveryRecords
    settings: Settings

    def client(self) -> TestClient:
        """A clerk's browser: a client of its own, with its own cookies."""
        return TestClient(create_app(self.settings, warm_up=False), base_url=BASE)

    def files(self) -> dict[str, bytes]:
        """Every file under the test's folder (the landing area and anything beside it), by path."""
        root = self.landing.parent
        return {
            p.relative_to(root).as_posix(): p.read_bytes()
            for p in root.rglob("*")
            if p.is_file() and not p.name.endswith((".sqlite", ".sqlite-journal"))
        }


def _site(landing: Path, warehouse_url: str, tmp_path: Path, **given) -> Site:
    mail = f"sqlite:///{tmp_path / 'mail.sqlite'}"
    settings = Settings.given(
        landing_dir=landing,
        database_url=warehouse_url,
        mail_database_url=mail,
        delivery_secret=SECRET,
        delivery_base_url=f"{BASE}/levering",
        **given,
    )
    return Site(landing, DeliveryRecords(mail), settings)


@pytest.fixture
def site(processed, tmp_path) -> Site:
    """A copy of the processed area (copy2 keeps the files' times: the warehouse's input_files
    still describe them), the processed warehouse, and an empty delivery log."""
    landing, url = processed
    return _site(shutil.copytree(landing, tmp_path / "landing"), url, tmp_path)


def token(kommunenummer: str, year: int = 2020, valid_until: dt.date = FAR, generation: int = 1) -> str:
    return make_token(SECRET, DeliveryLink(kommunenummer, year, valid_until, generation))


def _doc(html: str):
    return lxml.html.fromstring(html)


def _text(element) -> str:
    return " ".join(element.text_content().split())


def _table(html: str, caption: str) -> list[list[str]]:
    """The body rows of the table whose caption starts with ``caption``, cell by cell."""
    (table,) = _doc(html).xpath(f'//table[starts-with(normalize-space(caption), "{caption}")]')
    return [[_text(cell) for cell in row.xpath("./th|./td")] for row in table.xpath("./tbody/tr")]


def _csrf(html: str) -> str:
    (value,) = set(_doc(html).xpath('//input[@name="csrf"]/@value'))
    return value


def _without_keys(html: str, tok: str) -> str:
    """The page without its link and CSRF values, which may hold any digits."""
    return re.sub(r'name="csrf" value="[^"]*"', 'name="csrf"', html.replace(tok, "<lenke>"))


def _receipts(response) -> list[int]:
    assert response.status_code == 303, (response.status_code, response.text[:300])
    location = urlsplit(response.headers["location"])
    assert location.fragment == "svar"
    return [int(i) for i in parse_qs(location.query)["kvittering"][0].split(",")]


def _answer(html: str) -> str:
    (section,) = _doc(html).xpath('//section[@id="svar"]')
    assert section.get("role") == "status" and section.get("tabindex") == "-1"
    return _text(section)


def _upload(clerk: TestClient, tok: str, *files: tuple[str, bytes], csrf: str | None = None, **headers):
    page = clerk.get(f"/levering/{tok}")
    return clerk.post(
        f"/levering/{tok}/filer",
        data={"csrf": csrf if csrf is not None else _csrf(page.text)},
        files=[("filer", (name, content, "application/octet-stream")) for name, content in files],
        headers=headers,
        follow_redirects=False,
    )


# ---------------------------------------------------------------- what the page shows


def test_the_page_shows_the_municipality_its_deadline_status_files_and_findings(site):
    with site.client() as clerk:
        answer = clerk.get(f"/levering/{token('1804')}")
    assert answer.status_code == 200
    html = answer.text
    doc = _doc(html)
    assert doc.get("lang") == "nb"
    (h1,) = doc.xpath("//h1")
    assert _text(h1) == "Levering av tall til ALIS-Nord: Bodø (1804), 2020"
    assert "Fristen er 15. mars 2021." in _text(doc)  # the default deadline, 15.03 of the year after
    folder = site.landing / "2020"
    when = {
        name: tidspunkt(received_at(folder / name))
        for name in ("1804_alis.csv", "1804_kostnader.csv", "1804_fastlegedekning.csv")
    }
    assert _table(html, "Status for tabellene for 2020") == [
        ["ALIS-leger", "godkjent", "1804_alis.csv", when["1804_alis.csv"]],
        ["Kostnader (bilag)", "har feil", "1804_kostnader.csv", when["1804_kostnader.csv"]],
        ["Fastlegedekning", "godkjent", "1804_fastlegedekning.csv", when["1804_fastlegedekning.csv"]],
    ]
    (finding,) = _table(html, "Åpne funn for 2020")
    assert finding[:4] == ["Feil", "1804_kostnader.csv", "8", "kategori"]
    assert finding[4].startswith("kategori «kaffe» er ikke en gyldig verdi.")
    assert (
        finding[5] == "En kodekolonne har en av de gyldige verdiene."
    )  # the rule's «beskrivelse»: what is asked
    assert sorted(_table(html, "Filer fra Bodø for 2020")) == sorted(
        [name, "1", when[name], "brukt"] for name in when
    )
    # nothing of the other municipalities (the link and the CSRF values aside: random letters)
    plain = _without_keys(html, token("1804"))
    assert "1865" not in plain and "Vågan" not in plain and "1903" not in plain and "5444" not in plain
    # no script, real labels, tables with scoped headers, headings in order
    assert "<script" not in html.lower()
    (label,) = doc.xpath('//label[@for="filer"]')
    assert doc.xpath('//input[@id="filer"][@type="file"][@name="filer"][@multiple]')
    assert all(th.get("scope") in ("col", "row") for th in doc.xpath("//th"))
    levels = [int(h.tag[1]) for h in doc.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    assert levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False))
    buttons = [_text(b) for b in doc.xpath("//button")]
    assert buttons == [
        "Send filene",
        "Ingenting å rapportere for ALIS-leger",
        "Ingenting å rapportere for Kostnader (bilag)",
    ]


def test_a_superseded_version_and_a_missing_table_on_vagans_page(site):
    with site.client() as clerk:
        html = clerk.get(f"/levering/{token('1865')}").text
    statuses = [row[:2] for row in _table(html, "Status for tabellene for 2020")]
    assert statuses == [
        ["ALIS-leger", "godkjent"],
        ["Kostnader (bilag)", "godkjent"],
        ["Fastlegedekning", "mangler"],
    ]
    files = {row[0]: (row[1], row[3]) for row in _table(html, "Filer fra Vågan for 2020")}
    assert files == {
        "1865_alis.csv": ("1", "brukt"),
        "1865_kostnader.csv": ("1", "erstattet av en nyere versjon"),
        "1865_kostnader_v2.csv": ("2", "brukt"),
    }
    assert "Ingen åpne funn." in html


def test_without_a_warehouse_every_table_is_missing_and_none_is_made(small_landing, tmp_path):
    url = f"sqlite:///{tmp_path / 'ikke-her' / 'warehouse.sqlite'}"
    with _site(small_landing, url, tmp_path).client() as clerk:
        html = clerk.get(f"/levering/{token('5444')}").text  # Sør-Varanger sent nothing
    assert [row[:2] for row in _table(html, "Status for tabellene for 2020")] == [
        ["ALIS-leger", "mangler"],
        ["Kostnader (bilag)", "mangler"],
        ["Fastlegedekning", "mangler"],
    ]
    assert "Vi har ikke mottatt noen filer fra dere for 2020 ennå." in html
    assert not (tmp_path / "ikke-her").exists()  # read only: nothing created


# ---------------------------------------------------------------- delivering


def test_a_correct_file_under_any_name_is_stored_under_its_contract_name_and_logged(site):
    data = (site.landing / "2020" / "1804_alis.csv").read_bytes()  # Bodø's two valid ALIS
    tok = token("1804")
    with site.client() as clerk:
        answer = _upload(clerk, tok, ("mine tall.txt", data))
        (entry_id,) = _receipts(answer)
        assert urlsplit(answer.headers["location"]).path == f"/levering/{tok}"
        page = clerk.get(answer.headers["location"]).text
    stored = site.landing / "2020" / "1804_alis_v2.csv"  # after 1804_alis.csv
    assert stored.read_bytes() == data
    entry = site.records.entry(entry_id)
    assert {k: entry[k] for k in entry if k not in ("id", "received_at", "answer")} == {
        "about_year": 2020,
        "kommunenummer": "1804",
        "table_name": "alis",
        "sent_name": "mine tall.txt",
        "stored_name": "2020/1804_alis_v2.csv",
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
        "link_id": link_id(tok),
        "client_address": "testclient",  # Starlette's TestClient's address
        "outcome": "stored",
    }
    assert entry["answer"]["findings"] == []
    text = _answer(page)
    assert "«mine tall.txt»: lagret" in text and "1804_alis_v2.csv" in text
    assert "ALIS-leger: 2 rader godkjent, 0 holdt utenfor." in text
    # the run has not seen it yet: the table and the file say so
    when = tidspunkt(received_at(stored))
    assert _table(page, "Status for tabellene for 2020")[0][:2] == [
        "ALIS-leger",
        f"mottatt {when}, behandles",
    ]
    assert ["1804_alis_v2.csv", "2", when, "mottatt, ikke behandlet ennå"] in _table(page, "Filer fra Bodø")
    assert _table(page, "Filer sendt for 2020")[0][1:] == ["mine tall.txt", "1804_alis_v2.csv", "lagret"]


def test_a_file_with_an_error_row_is_stored_and_the_finding_shown_with_row_and_column(site):
    data = (site.landing / "2020" / "1804_kostnader.csv").read_bytes()
    with site.client() as clerk:
        answer = _upload(
            clerk, token("1804"), ("bilag.xlsx", data)
        )  # the name says workbook: the content decides
        (entry_id,) = _receipts(answer)
        page = clerk.get(answer.headers["location"]).text
    assert (site.landing / "2020" / "1804_kostnader_v2.csv").read_bytes() == data
    entry = site.records.entry(entry_id)
    assert (entry["outcome"], entry["stored_name"]) == ("stored_with_errors", "2020/1804_kostnader_v2.csv")
    assert [(f["row"], f["column"], f["severity"]) for f in entry["answer"]["findings"]] == [
        (8, "kategori", "error")
    ]
    text = _answer(page)
    assert "«bilag.xlsx»: lagret, med feil som må rettes" in text
    assert "Kostnader (bilag): 5 rader godkjent, 1 holdt utenfor." in text  # six vouchers, «kaffe» kept out
    assert "Feil i rad 8, kolonne kategori: kategori «kaffe» er ikke en gyldig verdi." in text


def test_fatal_files_are_not_stored_and_the_answer_says_why(site):
    picture = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"
    before = site.files()
    with site.client() as clerk:
        answer = _upload(
            clerk, token("1804"), ("tall.csv", picture), ("adresser.csv", b"navn;adresse\nKari;Storgata 1\n")
        )
        ids = _receipts(answer)
        page = clerk.get(answer.headers["location"]).text
    assert site.files() == before  # nothing stored, nothing left in .levering/
    entries = [site.records.entry(i) for i in ids]
    assert [(e["sent_name"], e["outcome"], e["stored_name"], e["table_name"]) for e in entries] == [
        ("tall.csv", "refused", None, None),
        ("adresser.csv", "refused", None, None),
    ]
    assert entries[0]["sha256"] == hashlib.sha256(picture).hexdigest() and entries[0]["size"] == len(picture)
    text = _answer(page)
    assert "«tall.csv»: ikke lagret" in text and "verken en CSV-fil eller en Excel-arbeidsbok" in text
    assert "«adresser.csv»: ikke lagret" in text and "Vi kjenner ikke igjen tabellen" in text


def test_nothing_to_report_stores_the_header_only_table(site):
    tok = token("1804")
    with site.client() as clerk:
        csrf = _csrf(clerk.get(f"/levering/{tok}").text)
        answer = clerk.post(
            f"/levering/{tok}/ingenting", data={"csrf": csrf, "tabell": "kostnader"}, follow_redirects=False
        )
        (entry_id,) = _receipts(answer)
        page = clerk.get(answer.headers["location"]).text
        not_allowed = clerk.post(
            f"/levering/{tok}/ingenting",
            data={"csrf": csrf, "tabell": "fastlegedekning"},
            follow_redirects=False,
        )
    stored = site.landing / "2020" / "1804_kostnader_v2.csv"
    assert stored.read_bytes() == header_only("kostnader")
    entry = site.records.entry(entry_id)
    assert (entry["outcome"], entry["sent_name"], entry["stored_name"]) == (
        "nothing_to_report",
        "(ingenting å rapportere)",
        "2020/1804_kostnader_v2.csv",
    )
    assert "Ingenting å rapportere for Kostnader (bilag): lagret" in _answer(page)
    assert "Lagret som 1804_kostnader_v2.csv" in _answer(page)
    assert not_allowed.status_code == 400  # GP coverage always has its row
    assert len(site.records.about(2020, "1804")) == 1


# ---------------------------------------------------------------- what is refused


def test_a_form_without_its_csrf_pair_is_refused_and_nothing_is_stored(site):
    data = (site.landing / "2020" / "1804_alis.csv").read_bytes()
    bodo, vagan = token("1804"), token("1865")
    before = site.files()
    with site.client() as clerk:
        page = clerk.get(f"/levering/{bodo}")
        cookie = page.headers["set-cookie"]
        assert cookie.startswith("__Host-alis_csrf=")
        assert {part.strip().lower() for part in cookie.split(";")[1:]} == {
            "httponly",
            "path=/",
            "samesite=strict",
            "secure",
        }
        own = _csrf(page.text)
        vagans_field = _csrf(clerk.get(f"/levering/{vagan}").text)  # the same cookie, another link
        refused = {
            "no field": _upload(clerk, bodo, ("a.csv", data), csrf=""),
            "a field forged": _upload(clerk, bodo, ("a.csv", data), csrf=own[:-2] + "xx"),
            "another link's field": _upload(clerk, bodo, ("a.csv", data), csrf=vagans_field),
            "from another site": _upload(clerk, bodo, ("a.csv", data), Origin="https://angriper.example"),
            "cross-site fetch": _upload(clerk, bodo, ("a.csv", data), **{"Sec-Fetch-Site": "cross-site"}),
            "nothing to report, no field": clerk.post(
                f"/levering/{bodo}/ingenting", data={"tabell": "alis"}, follow_redirects=False
            ),
        }
        with site.client() as stranger:  # a valid field, but not this browser's cookie
            refused["no cookie"] = stranger.post(
                f"/levering/{bodo}/filer",
                data={"csrf": own},
                files=[("filer", ("a.csv", data))],
                follow_redirects=False,
            )
        # the same browser with its own field and this site's Origin passes
        passed = _upload(clerk, bodo, ("a.csv", data), Origin=BASE, **{"Sec-Fetch-Site": "same-origin"})
    for reason, answer in refused.items():
        assert answer.status_code == 403, reason
        assert FORBIDDEN_FORM in answer.text, reason
    (entry_id,) = _receipts(passed)
    assert [e["id"] for e in site.records.about(2020)] == [entry_id]  # only the one that passed
    after = site.files()
    assert {k for k in after if after.get(k) != before.get(k)} == {"landing/2020/1804_alis_v2.csv"}


def test_tampered_expired_revoked_and_foreign_links_get_one_refusal_page_and_nothing_else(site):
    good = token("1804")
    payload, signature = good.rsplit(".", 1)
    bad = {
        "signature changed": f"{payload}.{signature[:-2]}{'AB' if signature[-2:] != 'AB' else 'CD'}",
        "payload of another municipality": f"{token('1865').rsplit('.', 1)[0]}.{signature}",
        "no signature": payload,
        "signed with another key": make_token("en-annen-nokkel-" + "0" * 24, DeliveryLink("1804", 2020, FAR)),
        "expired yesterday": token("1804", valid_until=dt.date.today() - dt.timedelta(days=1)),
        "a number that takes no part": token("1903"),
        "not a participant that year": token("5444", year=2019),  # Sør-Varanger from 2020
        "garbage": "x.y",
    }
    site.records.revoke("1865", dt.datetime.now(dt.UTC))  # Vågan's links of generation 1 stop working
    bad["revoked"] = token("1865")
    before = site.files()
    bodies = {}
    with site.client() as clerk:
        for reason, tok in bad.items():
            answer = clerk.get(f"/levering/{tok}")
            assert answer.status_code == 403, reason
            assert (
                answer.headers["referrer-policy"] == "no-referrer"
                and answer.headers["cache-control"] == "no-store"
            )
            bodies[reason] = answer.text
            for action, form in (("filer", {"csrf": "x"}), ("ingenting", {"csrf": "x", "tabell": "alis"})):
                posted = clerk.post(f"/levering/{tok}/{action}", data=form, follow_redirects=False)
                assert (posted.status_code, posted.text) == (403, answer.text), (reason, action)
        assert clerk.get(f"/levering/{good}").status_code == 200  # the link itself works
        assert clerk.get(f"/levering/{token('1865', generation=2)}").status_code == 200  # the new generation
    assert len(set(bodies.values())) == 1, "the refusal differs by reason"
    refusal = next(iter(bodies.values()))
    assert REFUSAL in refusal and "alis-nord@prosjekt.example" in refusal and "75 55 50 00" in refusal
    for told in ("1804", "1865", "5444", "1903", "Bodø", "Vågan", "Sør-Varanger", "2020"):
        assert told not in refusal, told
    assert site.files() == before and site.records.about(2020) == [] and site.records.about(2019) == []


def test_without_a_key_no_link_works(processed, tmp_path):
    landing, url = processed
    unkeyed = Settings.given(
        landing_dir=landing, database_url=url, mail_database_url=f"sqlite:///{tmp_path / 'm.sqlite'}"
    )
    with TestClient(create_app(unkeyed, warm_up=False), base_url=BASE) as clerk:
        answer = clerk.get(f"/levering/{token('1804')}")
        assert (answer.status_code, REFUSAL in answer.text) == (403, True)
        assert clerk.get("/levering/helse").text == "ok"


def test_another_municipalitys_answer_is_not_shown(site):
    vagans = (site.landing / "2020" / "1865_alis.csv").read_bytes()
    bodos = (site.landing / "2020" / "1804_alis.csv").read_bytes()
    with site.client() as vagan:
        (theirs,) = _receipts(_upload(vagan, token("1865"), ("vågans alis.csv", vagans)))
    with site.client() as bodo:
        (own,) = _receipts(_upload(bodo, token("1804"), ("bodøs alis.csv", bodos)))
        asked = bodo.get(f"/levering/{token('1804')}", params={"kvittering": str(theirs)}).text
        unknown = bodo.get(f"/levering/{token('1804')}", params={"kvittering": "987654"}).text
        shown = bodo.get(f"/levering/{token('1804')}", params={"kvittering": f"{theirs},{own}"}).text
    assert asked == unknown and 'id="svar"' not in asked and "vågans alis.csv" not in asked
    assert "«bodøs alis.csv»: lagret" in _answer(shown) and "vågans" not in shown
    # and for another year, even of the same municipality: Bodø's 2021 link does not show its 2020 answer
    with site.client() as bodo:
        later = bodo.get(f"/levering/{token('1804', year=2021)}", params={"kvittering": str(own)}).text
    assert 'id="svar"' not in later


def test_a_body_over_the_limit_is_refused_with_413_by_its_length_or_by_counting(site):
    before = site.files()
    tok = token("1804")
    with site.client() as clerk:
        csrf = _csrf(clerk.get(f"/levering/{tok}").text)
        # the length announced: refused before a byte is read
        announced = clerk.post(
            f"/levering/{tok}/filer",
            content=b"--x--\r\n",
            headers={
                "content-type": "multipart/form-data; boundary=x",
                "content-length": str(BODY_LIMIT + 1),
            },
        )
        # no length (chunked): counted while read, stopped past the limit (21 MiB + 1 byte)
        head = (
            f'--x\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{csrf}\r\n'
            '--x\r\nContent-Disposition: form-data; name="filer"; filename="stor.csv"\r\n\r\n'
        ).encode()

        def chunks():
            yield head
            sent = len(head)
            while sent <= BODY_LIMIT:
                piece = b"1804;2020;A1;" * 8192
                yield piece
                sent += len(piece)

        counted = clerk.post(
            f"/levering/{tok}/filer",
            content=chunks(),
            headers={"content-type": "multipart/form-data; boundary=x"},
        )
    for answer in (announced, counted):
        assert answer.status_code == 413
        assert "Filene er for store" in answer.text and answer.headers["cache-control"] == "no-store"
    assert site.files() == before and site.records.about(2020) == []


def test_a_file_name_never_reaches_a_path_and_the_log_keeps_it_as_text(site):
    data = (site.landing / "2020" / "1804_alis.csv").read_bytes()
    tok = token("1804")
    before = site.files()
    with site.client() as clerk:
        (first,) = _receipts(_upload(clerk, tok, ("../../etc/passwd", data)))
        # a name with a line break and a terminal escape, as a hand-made request can send it
        csrf = _csrf(clerk.get(f"/levering/{tok}").text)
        body = (
            (
                f'--g\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{csrf}\r\n'
                '--g\r\nContent-Disposition: form-data; name="filer"; filename="a\nb\x1b[31m<i>.csv"\r\n'
                "Content-Type: text/csv\r\n\r\n"
            ).encode()
            + data
            + b"\r\n--g--\r\n"
        )
        answer = clerk.post(
            f"/levering/{tok}/filer",
            content=body,
            headers={"content-type": "multipart/form-data; boundary=g"},
            follow_redirects=False,
        )
        (second,) = _receipts(answer)
        page = clerk.get(answer.headers["location"]).text
    after = site.files()
    assert {k for k in after if after.get(k) != before.get(k)} == {
        "landing/2020/1804_alis_v2.csv",
        "landing/2020/1804_alis_v3.csv",
    }
    assert site.records.entry(first)["sent_name"] == "../../etc/passwd"
    assert site.records.entry(second)["sent_name"] == "a\ufffdb\ufffd[31m<i>.csv"
    assert "«a\ufffdb\ufffd[31m&lt;i&gt;.csv»" in page and "<i>" not in page  # escaped on the page


# ---------------------------------------------------------------- the rest of /levering/


def test_health_style_and_every_other_path(site):
    tok = token("1804")
    with site.client() as clerk:
        health = clerk.get("/levering/helse")
        assert (health.status_code, health.text) == (200, "ok")
        style = clerk.get("/levering/stil.css")
        assert style.status_code == 200 and style.headers["content-type"].startswith("text/css")
        for path in (
            "/levering/",
            "/levering/a/b/c",
            f"/levering/{tok}/",
            f"/levering/{tok}/filer",  # GET: no such page
            f"/levering/{tok}/1804_alis.csv",  # uploads are never served back
            "/levering/2020/1804_alis.csv",
            "/",
        ):
            answer = clerk.get(path, follow_redirects=False)
            assert answer.status_code == 404, path
            assert "Siden finnes ikke" in answer.text and "<script" not in answer.text.lower(), path
            headers = answer.headers
            assert headers["cache-control"] == "no-store" and headers["referrer-policy"] == "no-referrer"
            assert headers["x-content-type-options"] == "nosniff"
            assert "script-src 'none'" in headers["content-security-policy"]
            assert "default-src 'none'" in headers["content-security-policy"]


def test_a_change_in_the_reference_data_is_seen_without_a_restart(site):
    with site.client() as clerk:
        assert "alis-nord@prosjekt.example" in clerk.get("/levering/x.y").text
        profile = site.landing / "referanse" / "prosjekt.yaml"
        profile.write_text(
            profile.read_text(encoding="utf-8").replace("alis-nord@prosjekt.example", "ny@prosjekt.example"),
            encoding="utf-8",
        )
        assert "ny@prosjekt.example" in clerk.get("/levering/x.y").text


# ---------------------------------------------------------------- colour contrast (WCAG 2.1 AA, 1.4.3)


def _luminance(colour: str) -> float:
    """WCAG 2.1's relative luminance of ``#rrggbb``."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_every_text_colour_keeps_a_contrast_of_at_least_4_5_to_1():
    """A rule with a colour and a background: those two. A colour alone (inherited onto whatever
    surface it stands on): against every light background of the stylesheet. Checked on values the
    WCAG formula gives by hand: #1a1a1a on white is 17.4:1, white on #0b4f8a 8.4:1."""
    from alis_nord.rendering import TEMPLATE_DIR

    css = (TEMPLATE_DIR / "portal" / "stil.css").read_text(encoding="utf-8")
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    rules = []
    for selector, body in re.findall(r"([^{}]+)\{([^}]*)\}", css):
        colour = re.search(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{6})", body)
        background = re.search(r"background(?:-color)?:\s*(#[0-9a-fA-F]{6})", body)
        rules.append((selector.strip(), colour and colour.group(1), background and background.group(1)))
    assert all(
        not re.search(r"#[0-9a-fA-F]{3}\b", body) for _, body in re.findall(r"([^{}]+)\{([^}]*)\}", css)
    )
    light = {bg for _, _, bg in rules if bg and _luminance(bg) > 0.5} | {"#ffffff"}
    assert len(light) >= 5  # white, and the boxes of the answer and the error summary
    pairs = [(s, c, bg) for s, c, bg in rules if c and bg] + [
        (s, c, bg) for s, c, b in rules if c and not b for bg in light
    ]
    assert pairs
    assert [(s, c, bg, round(_contrast(c, bg), 2)) for s, c, bg in pairs if _contrast(c, bg) < 4.5] == []
    assert (
        round(_contrast("#1a1a1a", "#ffffff"), 1) == 17.4 and round(_contrast("#ffffff", "#0b4f8a"), 1) == 8.4
    )


def test_the_page_loads_without_dagster():
    """The delivery page is a layer of its own: it imports the domain, never the code location or
    Dagster (tests/test_import_layers.py reads the project's own imports; this is the library)."""
    import subprocess
    import sys

    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, portal.app; print(sorted(m for m in sys.modules if m.split('.')[0] == 'dagster'))",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert loaded.stdout.strip() == "[]"
