"""The status report PDF, read back as its reader and an archive would.

The small landing area (tests/small_landing.py) runs for 2019 and 2020 in-process with
``materialize()``; these tests read ``statusrapport-2020.pdf`` back with pypdf. The 2020
figures are worked out by hand in tests/test_assets.py:

  ALIS grant 570 355,19 kr; own share 114 071,04 kr; costs charged to Helsedirektoratet
  115 000,25 kr, to Statsforvalteren 30 000,00 kr, to the own share 184 200,00 kr; used of the
  grant so far 219 589,04 + 685 355,44 = 904 944,48 kr; remaining 22 495 055,52 kr.
  ALIS: A1001 (fastlønn) and A1002 (næringsdrift) in Bodø, A2001 (fastlønn) in Vågan: 3 in all,
  2 with fastlønn and 1 with næringsdrift, so both forms are fewer than 3 persons and print ":".
"""

import json
import re
from pathlib import Path

import pytest
from dagster import materialize
from pypdf import PdfReader

from alis_nord.report_pdf import render_html
from alis_nord.settings import Settings
from alis_nord.warehouse import Warehouse
from assets.report import status_report_inputs
from glue.resources import resources_for
from pipelines.definitions import defs
from tests.small_landing import write_small_landing

UNSAFE_NARRATIVE = """# Rekruttering

Tekst med <b>rå HTML</b> og <script>alert("x")</script> som skal vises som tekst.

![Kart over Finnmark](https://example.invalid/kart.png)

Guovdageaidnu og Deatnu – Tana: samiske bokstaver áčđŋšŧž.
"""


@pytest.fixture(scope="module")
def report_2020(tmp_path_factory):
    root = tmp_path_factory.mktemp("status_report")
    landing = write_small_landing(root / "landing")
    (landing / "2020" / "tekst" / "02-rekruttering.md").write_text(UNSAFE_NARRATIVE, encoding="utf-8")
    database_url = f"sqlite:///{root / 'warehouse.sqlite'}"
    resources = resources_for(
        Settings.given(landing_dir=landing, output_dir=root / "output", database_url=database_url)
    )
    for year in ("2019", "2020"):
        result = materialize(
            list(defs.assets) + list(defs.asset_checks), partition_key=year, resources=resources
        )
        assert result.success
    pdf_path = root / "output" / "2020" / "statusrapport-2020.pdf"
    summary = json.loads((root / "output" / "2020" / "summary.json").read_text(encoding="utf-8"))
    return {"pdf": pdf_path, "summary": summary, "landing": landing, "database_url": database_url}


def _normalised(text: str) -> str:
    """Extracted text with every kind of space (no-break ones included) as one plain space."""
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


def _pages(pdf: Path) -> list[str]:
    return [_normalised(page.extract_text()) for page in PdfReader(pdf).pages]


def _norwegian_kr(amount: str) -> str:
    """``"904944.48"`` → ``"904 944,48 kr"`` (with plain spaces, as _normalised leaves them)."""
    whole, ore = amount.split(".")
    sign = "\u2212" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{' '.join(groups)},{ore} kr"


def test_the_key_figures_of_summary_json_are_in_the_report_in_norwegian_form(report_2020):
    text = " ".join(_pages(report_2020["pdf"]))
    summary = report_2020["summary"]
    money = [
        summary["alis_grant_nok"],
        summary["egenandel_nok"],
        *summary["costs_nok"].values(),
        *summary["grant"].values(),
    ]
    assert money == [
        "570355.19",
        "114071.04",
        "115000.25",
        "30000.00",
        "184200.00",
        "23400000.00",
        "904944.48",
        "22495055.52",
    ]
    for amount in money:
        assert _norwegian_kr(amount) in text, amount
    assert "904 944,48 kr" in text and "22 495 055,52 kr" in text
    assert "Deltakerkommuner som har levert tall 2 av 3" in text  # Bodø and Vågan; Sør-Varanger sent nothing
    assert "ALIS i alt 3" in text
    assert "Statusrapport nr. 2" in text  # 2020 is the second report year of a grant from 2019
    assert "31. mars 2021" in text and "1. januar 2020 – 31. desember 2020" in text


def test_counts_under_three_persons_are_suppressed(report_2020):
    text = " ".join(_pages(report_2020["pdf"]))
    # 2 with fastlønn and 1 with næringsdrift: both hidden; the total of 3 may show
    assert "med fastlønn : med næringsdrift :" in text
    assert "med fastlønn 2" not in text and "med næringsdrift 1" not in text
    # per municipality: Bodø has 1 + 1 = 2, Vågan 1 + 0 = 1; every non-zero cell and total is hidden
    assert "Bodø (1804) : : :" in text
    assert "Vågan (1865) : 0 :" in text
    assert "Alle kommuner : : 3" in text


def test_every_section_is_there_and_the_contents_point_at_the_right_pages(report_2020):
    pages = _pages(report_2020["pdf"])
    contents = pages[1]
    assert contents.startswith("Innhold")
    chapters = [
        "1 Sammendrag",
        "2 Finansiering og bruk av tilskuddet",
        "3 Måloppnåelse",
        "3.1 Rekruttering og stabilitet i fastlegetjenesten",
        "3.2 Utdanningsmodeller for fastlønn og næringsdrift",
        "3.3 Et kvalitetssikret og effektivt spesialiseringsløp",
        "3.4 Kommunen som tilrettelegger og arbeidsgiver",
        "3.5 Kunnskap til myndigheter, kommuner og helseforetak",
        "4 Beretning fra prosjektkontoret",
        "5 Datagrunnlag og datakvalitet",
        "Vedlegg Innsendte filer og sjekksummer",
    ]
    for heading in chapters:
        listed = re.search(re.escape(heading) + r" ?\.+ ?(\d+)", contents)
        assert listed, heading
        page = int(listed.group(1))
        assert heading in pages[page - 1], f"{heading} is not on page {page}"
    assert f"Side 2 av {len(pages)}" in pages[1]


def test_the_narrative_is_rendered_safely(report_2020):
    text = " ".join(_pages(report_2020["pdf"]))
    assert "Året som gikk Godt år." in text  # tests/small_landing.py's 01-aaret.md
    assert '<b>rå HTML</b> og <script>alert("x")</script> som skal vises som tekst' in text
    assert "[bilde: Kart over Finnmark]" in text  # no picture is fetched
    assert "Guovdageaidnu og Deatnu – Tana: samiske bokstaver áčđŋšŧž." in text
    assert b"/JavaScript" not in report_2020["pdf"].read_bytes()


def test_the_pdf_is_archival_tagged_and_norwegian(report_2020):
    reader = PdfReader(report_2020["pdf"])
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "nb"
    assert bool(catalog["/MarkInfo"]["/Marked"])  # pypdf gives a BooleanObject
    assert "/StructTreeRoot" in catalog and "/OutputIntents" in catalog
    xmp = catalog["/Metadata"].get_object().get_data().decode("utf-8")
    assert 'pdfaid:part="2"' in xmp and 'pdfaid:conformance="A"' in xmp
    assert "<xmp:CreateDate>2021-03-31</xmp:CreateDate>" in xmp  # from the year, not the clock

    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (
                font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                if "/DescendantFonts" in font
                else font["/FontDescriptor"]
            )
            fonts[str(font["/BaseFont"])] = "/FontFile2" in descriptor or "/FontFile3" in descriptor
    assert fonts and all(fonts.values()), fonts  # every font is embedded
    # only the fonts shipped in report_templates/fonts/: no glyph fell back to a system font
    families = {name.split("+")[-1].replace("-", "").split(",")[0] for name in fonts}
    assert families <= {"OpenSans", "OpenSansBold", "OpenSansItalic", "OpenSansBoldItalic", "NotoSansMono"}, (
        families
    )


def test_charts_are_vector_with_alt_text(report_2020):
    reader = PdfReader(report_2020["pdf"])
    alts = []

    def walk(element):
        element = element.get_object()
        if isinstance(element, dict):
            if element.get("/S") == "/Figure":
                alts.append(str(element.get("/Alt", "")))
            kids = element.get("/K", [])
            for kid in kids if isinstance(kids, list) else [kids]:
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    assert any(alt.startswith("Stolpediagram over Helsedirektoratets tilskudd per år") for alt in alts), alts
    assert any(alt.startswith("Linjediagram over brukt av Helsedirektoratets tilskudd") for alt in alts), alts
    # 2020 by hand: used 219 589,04 (2019) and 685 355,44 (2020), in whole kroner in the alt text
    assert any("2020: budsjett 620\u00a0000\u00a0kr, brukt 685\u00a0355\u00a0kr" in alt for alt in alts), alts
    # no raster image: the charts are drawn as vector paths
    for page in reader.pages:
        for xobject in (page["/Resources"].get("/XObject") or {}).values():
            assert xobject.get_object().get("/Subtype") != "/Image"


def test_the_same_inputs_give_the_same_bytes(report_2020):
    store = Warehouse(report_2020["database_url"])

    def render() -> dict[str, bytes]:
        from alis_nord.report_bundle import report_files
        from alis_nord.stored import STATUS_REPORT

        reference, rows = store.reference(2020), store.stored_rows(2020, STATUS_REPORT)
        return report_files(
            reference, rows, status_report_inputs(store, report_2020["landing"], 2020, reference, rows)
        )

    first = render()
    assert sorted(first) == [
        "rapportering-2020.json",
        "rapportering-2020.xlsx",
        "revisorgrunnlag-2020.xlsx",
        "statusrapport-2020.pdf",
    ]
    assert first == render()
    for name, content in first.items():  # and the same as the pipeline's own run
        assert content == (report_2020["pdf"].parent / name).read_bytes(), name


def test_text_from_submissions_is_never_markup(report_2020):
    store = Warehouse(report_2020["database_url"])
    context = status_report_inputs(store, report_2020["landing"], 2020)
    context["data_quality"]["missing"][0]["navn"] = "<script>alert(1)</script>"
    html = render_html(context)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
