"""The asset graph in-process with ``materialize()`` on the small landing area.

Figures (see tests/small_landing.py for the rows), all worked out by hand:

2019 (365 days): A1001 from 1 March: 365 − 31 − 28 = 306 days.
  grant 250 000 × 306 / 365 = 209 589.0410… → 209 589.04
  own share 50 000 × 306 / 365 = 41 917.8082… → 41 917.81
  Helsedirektoratet costs: 10 000.00. Used in 2019: 219 589.04.
2020 (366 days):
  A1001 whole year: 250 000.00 and 50 000.00
  A1002 10 Feb–20 Nov: 20 + 245 + 20 = 285 days: 194 672.13 and 38 934.43
  A2001 1 Jul–31 Dec: 184 days: 250 000 × 184 / 366 = 125 683.0601… → 125 683.06;
        50 000 × 184 / 366 = 25 136.6120… → 25 136.61
  ALIS grant 250 000.00 + 194 672.13 + 125 683.06 = 570 355.19
  own share 50 000.00 + 38 934.43 + 25 136.61 = 114 071.04
  Helsedirektoratet: 12 500.50 + 100 000.00 − 2 500.25 (credit note) + 5 000.00 (Vågan's v2) = 115 000.25
    (Vågan's superseded v1 of 999 999 does not count)
  Statsforvalter: 30 000.00. Own share costs: 180 000.00 + 4 200.00 = 184 200.00 (the «kaffe» voucher is quarantined)
  Used in 2020: 570 355.19 + 115 000.25 = 685 355.44; cumulative 219 589.04 + 685 355.44 = 904 944.48
  Remaining: 23 400 000.00 − 904 944.48 = 22 495 055.52
"""

import json

import pytest
from dagster import materialize

from alis_nord import schema as tables
from alis_nord.contract import all_rules
from alis_nord.warehouse import Warehouse
from tests.runs import ALL_ASSETS
from tests.runs import resources as _resources
from tests.runs import run_year as _run


@pytest.fixture
def two_years(small_landing, tmp_path, database_url):
    resources = _resources(small_landing, tmp_path / "output", database_url)
    _run(2019, resources)
    _run(2020, resources)
    return tmp_path / "output", Warehouse(database_url), resources


def test_summary_json_has_the_hand_computed_figures(two_years):
    output, _, _ = two_years
    summary = json.loads((output / "2020" / "summary.json").read_text(encoding="utf-8"))
    assert summary == {
        "year": 2020,
        "report_number": 2,
        "submissions": {"expected": 3, "received": 2, "missing": ["5444"]},
        "tables_rejected": 1,
        "rows": {"received": 13, "accepted": 11, "quarantined": 2},
        "alis": {"count": 3, "fastlonn": 2, "naeringsdrift": 1},
        "alis_grant_nok": "570355.19",
        "egenandel_nok": "114071.04",
        "costs_nok": {
            "helsedirektoratet": "115000.25",
            "statsforvalter": "30000.00",
            "egenandel": "184200.00",
        },
        "grant": {
            "total_nok": "23400000.00",
            "used_cumulative_nok": "904944.48",
            "remaining_nok": "22495055.52",
        },
        # the small landing area registers no payments (tests/test_grant_report.py registers some)
        "payments": {"registered": False},
        "unused": {"registered": False},
    }
    first = json.loads((output / "2019" / "summary.json").read_text(encoding="utf-8"))
    assert first["alis_grant_nok"] == "209589.04" and first["egenandel_nok"] == "41917.81"
    assert first["grant"]["used_cumulative_nok"] == "219589.04"
    assert first["submissions"]["missing"] == ["1865"]  # Vågan sent nothing in 2019


def test_rerunning_a_year_changes_nothing(two_years):
    output, store, resources = two_years
    before_files = {p.name: p.read_bytes() for p in (output / "2020").iterdir() if p.is_file()}
    before_rows = {t.name: store.rows(t, 2020) for t in tables.yearly_tables}
    before_2019 = {t.name: store.rows(t, 2019) for t in tables.yearly_tables}
    _run(2020, resources)
    assert {t.name: store.rows(t, 2020) for t in tables.yearly_tables} == before_rows
    assert {t.name: store.rows(t, 2019) for t in tables.yearly_tables} == before_2019
    after_files = {p.name: p.read_bytes() for p in (output / "2020").iterdir() if p.is_file()}
    assert after_files == before_files  # summary, findings and the PDF byte for byte


def test_findings_csv_and_the_stored_findings(two_years):
    output, store, _ = two_years
    lines = (output / "2020" / "findings.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "kommunenummer,file,table,row,column,rule,severity,value,message"
    assert len(lines) == 1 + 3
    assert any(
        line.startswith("1804,2020/1804_kostnader.csv,kostnader,8,kategori,invalid_code,error,kaffe,")
        for line in lines
    )
    quarantined = store.rows(tables.quarantined_rows, 2020, order_by=["file", "row_number"])
    assert [(q["file"], q["row_number"]) for q in quarantined] == [
        ("2020/1804_kostnader.csv", 8),
        ("2020/1903_alis.csv", 2),
    ]
    assert quarantined[0]["raw_values"]["kategori"] == "kaffe"


def test_every_input_file_is_kept_by_hash(two_years):
    _, store, _ = two_years
    files = {f["path"]: f for f in store.rows(tables.input_files, 2020)}
    assert files["2020/1865_kostnader.csv"]["status"] == "superseded"
    assert files["2020/tekst/01-aaret.md"]["status"] == "narrative"
    assert len(files) == 8 + 1  # 8 files in 2020/, 1 narrative
    # the reference files as reference_data read them for 2020, by SHA-256
    import hashlib

    landing = two_years[2]["landing"].root
    references = {f["path"]: f["sha256"] for f in store.rows(tables.reference_files, 2020)}
    assert references == {
        f"referanse/{p.name}": hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (landing / "referanse").iterdir()
    }
    assert len(references) == 5  # deltakerkommuner, tilskudd, budsjett, satser, prosjekt.yaml


def test_the_pdf_is_tagged_pdf_a_in_norwegian_with_the_key_figures(two_years):
    from pypdf import PdfReader

    output, _, _ = two_years
    reader = PdfReader(output / "2020" / "statusrapport-2020.pdf")
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "nb"
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root  # tagged
    xmp = reader.xmp_metadata.stream.get_data().decode()
    assert 'pdfaid:part="2"' in xmp and 'pdfaid:conformance="A"' in xmp
    text = "\n".join(page.extract_text() for page in reader.pages).replace("\u00a0", " ")
    assert (
        "Statusrapport nr. 2" in text and "Statusrapport for ALIS-Nord" in text
    )  # the name from prosjekt.yaml
    # the summary's figures in Norwegian form: no-break-space thousands, decimal comma, kr after
    for figure in ("570 355,19 kr", "114 071,04 kr", "115 000,25 kr", "904 944,48 kr", "22 495 055,52 kr"):
        assert figure in text, figure
    assert "31. mars 2021" in text  # report date: 31 March after the report year
    assert "Sør-Varanger (5444)" in text  # the participant that sent nothing


def test_a_year_run_alone_says_which_earlier_years_are_missing(small_landing, tmp_path, sqlite_url):
    result = materialize(
        ALL_ASSETS, partition_key="2020", resources=_resources(small_landing, tmp_path / "out", sqlite_url)
    )
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert checks["grant_years_before_this_year_present"].passed is False
    assert checks["rows_received_equal_accepted_plus_quarantined"].passed is True
    (row,) = Warehouse(sqlite_url).rows(tables.grant_use, 2020)
    assert row["years_missing"] == "2019"
    assert row["used_cumulative_ore"] == 68535544  # 2020 alone: 685 355.44


def test_every_rule_is_a_check_and_missing_participants_are_flagged(small_landing, tmp_path, sqlite_url):
    resources = _resources(small_landing, tmp_path / "out", sqlite_url)
    result = materialize(ALL_ASSETS, partition_key="2020", resources=resources)
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    # the three findings of 2020 (see tests/test_validation.py): one check fails per rule
    failed = {name for name, e in checks.items() if name.startswith("rule_") and not e.passed}
    assert failed == {"rule_file_name", "rule_invalid_code", "rule_not_participant"}
    assert checks["rule_invalid_code"].metadata["findings"].value == 1
    assert "| 1804 | 1 |" in checks["rule_invalid_code"].metadata["per_municipality"].value
    assert checks["rule_invalid_code"].severity.value == "ERROR"
    assert {name for name in checks if name.startswith("rule_")} == {f"rule_{r}" for r in all_rules()}
    delivered = checks["all_participants_delivered"]
    assert (
        delivered.passed is False
        and "5444 Sør-Varanger" in delivered.metadata["missing_municipalities"].value
    )


def test_feedback_pages_for_participants_senders_and_the_missing(two_years):
    output, _, _ = two_years
    pages = {p.stem: p.read_text(encoding="utf-8") for p in (output / "2020" / "feedback").glob("*.html")}
    assert sorted(pages) == ["1804", "1865", "1903", "5444", "index"]  # index: the office's overview
    bodo = pages["1804"]
    assert 'lang="nb"' in bodo
    # the row is in its own column: the message is said once, without «Rad 8: » before it
    assert "kategori «kaffe» er ikke en gyldig verdi." in bodo and "Rad 8: kategori" not in bodo
    # 2 + 6 + 1 rows, the «kaffe» voucher held back
    assert "Vi har mottatt 9 rader: 8 er godkjent og 1 er holdt utenfor fordi den har feil." in bodo
    assert "Vi har ikke mottatt noen filer fra dere for 2020." in pages["5444"]
    assert "er ikke deltaker i ALIS-Nord i 2020" in pages["1903"]  # Harstad is no participant here
    assert "erstattet av en nyere versjon" in pages["1865"]  # Vågan's v1
    # Vågan sent no fastlegedekning: what came is accepted, but all is not in order
    assert "Alt er i orden" not in pages["1865"]
    assert (
        "Det dere har sendt, er godkjent, men vi mangler fortsatt godkjente tall for Fastlegedekning. "
        "Vi har mottatt 3 rader, og alle er godkjent." in " ".join(pages["1865"].split())
    )
    assert (output / "2020" / "innsendingsmal-2020.xlsx").exists()


def test_text_from_a_submission_is_never_markup_in_feedback(small_landing, tmp_path, sqlite_url):
    hostile = "<script>alert('x')</script>"
    path = small_landing / "2020" / "1804_kostnader.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(";kaffe;", f";{hostile};"), encoding="utf-8")
    materialize(
        ALL_ASSETS, partition_key="2020", resources=_resources(small_landing, tmp_path / "out", sqlite_url)
    )
    page = (tmp_path / "out" / "2020" / "feedback" / "1804.html").read_text(encoding="utf-8")
    assert hostile not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
