"""The project office's Markdown and the report's charts, as pure functions."""

from decimal import Decimal

from alis_nord.charts import CumulativePoint, YearBar, cumulative_use_against_grant, plan_and_actual_by_year
from alis_nord.narrative import markdown_to_html, narrative_texts

NBSP = "\u00a0"


def test_raw_html_in_markdown_is_shown_as_text():
    html = markdown_to_html('Før <script>alert("x")</script> <b>fet</b>\n\n<div onclick="x()">blokk</div>\n')
    assert "<script>" not in html and "<b>" not in html and "<div" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;fet&lt;/b&gt;" in html and "&lt;div onclick" in html


def test_markdown_headings_sit_under_the_report_chapter_and_images_are_not_fetched():
    html = markdown_to_html(
        "# Tittel\n\n## Året som gikk\n\n### Detalj\n\n![Kart](http://example.invalid/x.png)\n"
    )
    assert "<h3>Tittel</h3>" in html and "<h3>Året som gikk</h3>" in html and "<h4>Detalj</h4>" in html
    assert "<img" not in html and "[bilde: Kart]" in html


def test_javascript_links_are_not_links():
    html = markdown_to_html("[klikk](javascript:alert(1))")
    assert 'href="javascript' not in html


def test_narrative_files_in_name_order_and_windows_1252(tmp_path):
    folder = tmp_path / "2021" / "tekst"
    folder.mkdir(parents=True)
    (folder / "02-b.md").write_bytes("Tromsø og Bodø".encode("cp1252"))
    (folder / "01-a.md").write_text("\ufeffFørst", encoding="utf-8")
    texts = narrative_texts(tmp_path, 2021)
    assert [t.file for t in texts] == ["2021/tekst/01-a.md", "2021/tekst/02-b.md"]
    assert texts[0].html == "<p>Først</p>\n" and texts[1].html == "<p>Tromsø og Bodø</p>\n"
    assert narrative_texts(tmp_path, 2022) == []


def test_charts_are_deterministic_svg_with_norwegian_alt_text():
    bars = [YearBar(2019, Decimal("2120000"), Decimal("1590137.50")), YearBar(2020, Decimal("3820000"), None)]
    first, second = plan_and_actual_by_year(bars), plan_and_actual_by_year(bars)
    assert first.svg == second.svg and first.svg.lstrip().startswith("<?xml")
    assert "<dc:date>" not in first.svg  # no clock in the file
    # 1 590 137,50 rounds half-up to 1 590 138 whole kroner
    assert f"2019: budsjett 2{NBSP}120{NBSP}000{NBSP}kr, brukt 1{NBSP}590{NBSP}138{NBSP}kr" in first.alt
    assert "2020: budsjett" in first.alt and "ikke rapportert ennå" in first.alt
    assert "Budsjett i prosjektplanen" in first.svg and "mill. kr" in first.svg  # text stays text
    line = cumulative_use_against_grant(
        [
            CumulativePoint(2019, Decimal("1590137.50"), False),
            CumulativePoint(2020, Decimal("3180275"), True),
        ],
        Decimal("23400000"),
    )
    assert "Tilskudd 23,4 mill. kr" in line.svg and "2020 (prognose): 3" in line.alt
