"""Ready means complete, through the whole pipeline (issue 31, point 1): on tests/small_landing.py
and on the bundled sample.

Small landing area, 2020: 1804 Bodø delivers all three tables, but one voucher (B6, «kaffe», not a
category) is kept out, so its kostnader «har feil»; 1865 Vågan delivers ALIS and vouchers (a v1,
then a corrected _v2) but no GP coverage; 5444 Sør-Varanger, a participant from 2020, sends
nothing. With the payments registered and every deviating line explained, the only things left
outstanding are the three municipalities' figures.
"""

import json
from pathlib import Path

from dagster import materialize
from pypdf import PdfReader

from alis_nord.grant_reporting import DRAFT, READY
from alis_nord.settings import Settings
from glue.resources import resources_for
from pipelines.definitions import defs
from tests.small_landing import PAYMENTS

ALL = list(defs.assets) + list(defs.asset_checks)
EXPLAINED = "## Kurs\n\nFærre kurs.\n\n## Samlinger\n\nSamlingen ble flyttet fra 2021.\n"


def _run(landing: Path, out: Path, url: str):
    resources = resources_for(Settings.given(landing_dir=landing, output_dir=out, database_url=url))
    for year in (2019, 2020):
        result = materialize(ALL, partition_key=str(year), resources=resources, raise_on_error=False)
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def _pdf_text(path: Path) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    return " ".join(text.replace("\u00a0", " ").split())


def test_a_missing_participant_keeps_the_report_a_draft_until_resolved(small_landing, tmp_path, sqlite_url):
    (small_landing / "referanse" / "utbetalinger.csv").write_text(PAYMENTS, encoding="utf-8")
    (small_landing / "2020" / "tekst" / "avvik.md").write_text(EXPLAINED, encoding="utf-8")
    out = tmp_path / "out"
    checks = _run(small_landing, out, sqlite_url)
    sheet = json.loads((out / "2020" / "rapportering-2020.json").read_text(encoding="utf-8"))
    assert sheet["rapport"]["status"] == DRAFT and not checks["ready_to_send"].passed
    items = sheet["rapport"]["utestaaende"]
    assert [i.split(" for 2020 er ikke komplette")[0] for i in items] == [
        "Tallene fra Bodø (1804)",
        "Tallene fra Vågan (1865)",
        "Tallene fra Sør-Varanger (5444)",
    ]
    assert "komplette: Kostnader (bilag) har feil. Det som" in items[0]
    assert "Mottatt: 2020/1804_kostnader.csv." in items[0]  # the office's version names the file
    assert "komplette: Fastlegedekning mangler. Det som" in items[1] and items[1].endswith(
        "2020/tekst/uten_1865.md."
    )
    assert "ALIS-leger mangler, Kostnader (bilag) mangler, Fastlegedekning mangler" in items[2]
    assert "- Tallene fra Sør-Varanger (5444) for 2020" in checks["ready_to_send"].metadata["to_fix"].value
    text = _pdf_text(out / "2020" / "statusrapport-2020.pdf")
    assert text.startswith("Utkast – ikke klar til innsending.")
    assert (
        "Tallene er ikke komplette: Bodø (1804), Vågan (1865), Sør-Varanger (5444) har ikke levert alle"
        in text
    )
    # the confirmation claims no complete accounts while figures are missing
    assert "Jeg bekrefter at regnskapsrapporten" not in text
    assert (
        "Utkast: regnskapet er ikke komplett. Tall mangler eller har feil fra Bodø (1804), Vågan (1865),"
        in text
    )

    # the office writes why it sends the report without them: ready, the reasons printed
    tekst = small_landing / "2020" / "tekst"
    (tekst / "uten_5444.md").write_text("Sør-Varanger hadde ingen ALIS i 2020.\n", encoding="utf-8")
    (tekst / "uten_1865.md").write_text("Vågan leverer fastlegetallene til Helfo.\n", encoding="utf-8")
    (tekst / "uten_1804.md").write_text("Kaffe er ikke en kostnad tilskuddet dekker.\n", encoding="utf-8")
    checks = _run(small_landing, out, sqlite_url)
    sheet = json.loads((out / "2020" / "rapportering-2020.json").read_text(encoding="utf-8"))
    assert sheet["rapport"]["status"] == READY and checks["ready_to_send"].passed
    assert [(g["kommunenummer"], g["begrunnelse"]["tekst"]) for g in sheet["rapport"]["uten_tall_fra"]] == [
        ("1804", "Kaffe er ikke en kostnad tilskuddet dekker."),
        ("1865", "Vågan leverer fastlegetallene til Helfo."),
        ("5444", "Sør-Varanger hadde ingen ALIS i 2020."),
    ]
    text = _pdf_text(out / "2020" / "statusrapport-2020.pdf")
    assert "Utkast" not in text
    assert "Rapporten sendes uten alle tall fra Sør-Varanger (5444): ALIS-leger mangler" in text
    assert (
        "Sør-Varanger hadde ingen ALIS i 2020." in text and text.count("Vågan leverer fastlegetallene") == 1
    )
    assert "omfatter ikke det som mangler eller er holdt utenfor på grunn av feil i disse tabellene" in text
    assert "med unntak av tallene fra Bodø (1804), Vågan (1865), Sør-Varanger (5444) som ikke er med" in text


def test_the_sample_final_year_is_a_draft_that_names_guovdageaidnu(sample_years):
    # 2023/5430.xlsx cannot be opened (three fatal findings): Guovdageaidnu has no accepted table
    folder = sample_years["out"] / "2023"
    sheet = json.loads((folder / "rapportering-2023.json").read_text(encoding="utf-8"))
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert sheet["rapport"]["status"] == DRAFT
    (item,) = [
        i
        for i in sheet["rapport"]["utestaaende"]
        if i.startswith("Tallene fra Guovdageaidnu – Kautokeino (5430)")
    ]
    assert "2023/5430.xlsx" in item and item.endswith("2023/tekst/uten_5430.md.")
    assert "5430" in summary["submissions"]["missing"]
    text = _pdf_text(folder / "statusrapport-2023.pdf")
    assert text.startswith("Utkast – ikke klar til innsending.")
    assert "Tallene fra Guovdageaidnu – Kautokeino (5430) for 2023 er ikke komplette" in " ".join(
        text.split()
    )
    assert "5430.xlsx" not in text and "uten_5430" not in text  # named, but no file the directorate lacks
    assert "Jeg bekrefter at regnskapsrapporten" not in text
    assert "skal betales tilbake, eller prosjekteier må søke" not in text  # the amount is provisional
