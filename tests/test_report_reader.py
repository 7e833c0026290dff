"""The report points only to what its reader has (issue 31, point 6), read from the PDF as the
case officer at Helsedirektoratet gets it: the text of every page of every sample year (pypdf).

Helsedirektoratet receives the report and the auditor's file and nothing else, so the PDF names
no other file of the pipeline or the landing area, no internal name, and no rule by its code id
(the contract's bokmål title instead). A Sluttrapport's chapter 4 is the office's own text on the
whole grant period. And the layout keeps together what belongs together.

The one place a file of the landing area may be named is the «utkast» list at the top of a
draft's summary: it tells the project office which text to write, and a draft is never sent.
Its items are the reporting sheet's ``utestaaende``; the tests take them out before they look.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pypdf
import pytest
import yaml

from alis_nord.contract import all_rules

SAMPLE = Path(__file__).resolve().parent.parent / "sample_landing"
YEARS = range(2019, 2024)
FINAL_YEAR = 2023  # the last year of the sample's grant period (2019–2023): the Sluttrapport

# Names no reader outside the project office knows.
INTERNAL_NAMES = ("rapportløyp", "alis_nord", "mottaksområde", "dagster", "warehouse", "pipeline")
FILE_NAME = re.compile(
    r"[\w\-.]+\.(?:json|csv|xlsx|xls|md|yaml|yml|eml|html|sqlite|pdf|txt|zip)(?![\wæøå])", re.IGNORECASE
)


def _normalise(text: str) -> str:
    """One space for any run of whitespace; a line broken after «-» or «/» joined again."""
    return re.sub(r"\s+", " ", re.sub(r"(?<=[-/])\s*\n\s*", "", text))


def _without(text: str, passage: str) -> str:
    """``text`` without ``passage``, wherever the PDF broke its lines."""
    chars = [re.escape(c) for c in passage if not c.isspace()]
    return re.sub(r"\s*".join(chars), " ", text)


class Pdf:
    """A report's pages as text, whitespace normalised, and where a passage first stands."""

    def __init__(self, path: Path):
        self.reader = pypdf.PdfReader(path)
        self.pages = [_normalise(page.extract_text()) for page in self.reader.pages]
        self.text = " ".join(self.pages)
        self.starts = []
        offset = 0
        for page in self.pages:
            self.starts.append(offset)
            offset += len(page) + 1

    def find(self, passage: str, start: int = 0) -> int:
        """The offset of ``passage`` in the whole text from ``start``; the test fails without it."""
        at = self.text.find(passage, start)
        assert at >= 0, f"«{passage}» is not in the report"
        return at

    def page_at(self, offset: int) -> int:
        """The page number (1-based) of an offset."""
        return max(n for n, start in enumerate(self.starts) if start <= offset) + 1

    def page_of(self, passage: str, after: str | None = None) -> int:
        return self.page_at(self.find(passage, self.find(after) if after else 0))


@pytest.fixture(scope="module")
def reports(sample_years) -> dict[int, tuple[Pdf, list[str]]]:
    """Each sample year's PDF, and the items of its «utkast» list (empty when ready)."""
    out = {}
    for year in YEARS:
        folder = sample_years["out"] / str(year)
        sheet = json.loads((folder / f"rapportering-{year}.json").read_text(encoding="utf-8"))
        out[year] = (Pdf(folder / f"statusrapport-{year}.pdf"), list(sheet["rapport"]["utestaaende"]))
    return out


@pytest.mark.parametrize("year", YEARS)
def test_the_pdf_names_no_file_the_directorate_lacks_no_internal_name_and_no_rule_id(reports, year):
    pdf, outstanding = reports[year]
    text = pdf.text
    for item in outstanding:  # the office's to-do list of a draft: taken out, see above
        text = _without(text, item)
    allowed = {f"statusrapport-{year}.pdf", f"revisorgrunnlag-{year}.xlsx"}
    named = set(FILE_NAME.findall(text)) - allowed
    assert named == set(), f"the {year} report names files Helsedirektoratet does not receive"
    lowered = text.lower()
    assert [name for name in INTERNAL_NAMES if name in lowered] == []
    rules = all_rules()
    assert [rule for rule in rules if f"({rule})" in text] == []  # the old «(too_many_alis)»
    assert [rule for rule in rules if "_" in rule and rule in text] == []
    assert re.findall(r"\([a-z]+(?:_[a-z]+)+\)", text) == []


def test_table_5_2_names_each_rule_by_its_bokmal_title_from_the_contract(reports):
    pdf, _ = reports[FINAL_YEAR]
    chapter = pdf.text[
        pdf.find("Tabell 5.2 Funn i kontrollen") : pdf.find("6 Regnskapsrapport", pdf.find("Tabell 5.2"))
    ]
    # the sample's 2023 findings: 5430.xlsx cannot be opened (three tables), an ALIS with status
    # «sluttet» and no sluttdato, a value above a warning limit, and a municipality with 3 ALIS
    for rule in ("unreadable", "sluttdato_required", "above_warning_limit", "too_many_alis"):
        assert all_rules()[rule].navn in chapter
        assert rule not in chapter


def test_every_rule_of_the_contract_has_a_short_bokmal_title():
    rules = all_rules()
    titles = [rule.navn for rule in rules.values()]
    assert all(title and title[0].isupper() and "_" not in title and len(title) <= 50 for title in titles)
    assert len(set(titles)) == len(titles)  # a reader tells every rule from every other


def test_the_sluttrapports_chapter_4_is_the_offices_text_on_the_whole_period(reports):
    pdf, _ = reports[FINAL_YEAR]
    start = pdf.find("4 Prosjektets forløp 2019–2023", pdf.find("Vedlegg"))  # after the contents
    chapter = pdf.text[start : pdf.find("5 Datagrunnlag og datakvalitet", start)]
    source = (SAMPLE / str(FINAL_YEAR) / "tekst" / "prosjektforlop.md").read_text(encoding="utf-8")
    paragraphs = [" ".join(p.split()) for p in source.split("\n\n") if p.strip()]
    assert len(paragraphs) >= 6
    for paragraph in paragraphs:  # every heading and every paragraph, headings without their «##»
        assert paragraph.removeprefix("## ") in chapter
    assert "mangler" not in chapter


def test_without_the_offices_text_the_sluttrapport_says_it_is_missing(sample_years, tmp_path):
    from alis_nord.report_pdf import render_html
    from alis_nord.warehouse import Warehouse
    from assets.report import status_report_inputs

    landing = tmp_path / "landing"
    shutil.copytree(SAMPLE, landing)
    (landing / str(FINAL_YEAR) / "tekst" / "prosjektforlop.md").unlink()
    context = status_report_inputs(Warehouse(sample_years["database_url"]), landing, FINAL_YEAR)
    assert context["progress"] is None
    html = " ".join(render_html(context).split())
    assert "Prosjektkontorets tekst om prosjektets forløp i hele tilskuddsperioden 2019–2023 mangler." in html
    # a Statusrapport has no such chapter, and says nothing of it
    context = status_report_inputs(Warehouse(sample_years["database_url"]), landing, 2022)
    assert "prosjektets forløp" not in render_html(context)


@pytest.mark.parametrize("year", YEARS)
def test_a_note_stays_on_the_page_of_its_table(reports, year):
    pdf, _ = reports[year]
    notes = {  # a table's caption, and the first words of the note under it
        "Tabell 1.1 Nøkkeltall": "Beløp i kroner og øre, avrundet halvt opp",
        "Tabell 2.1 Helsedirektoratets tilskudd per år": "Hele kroner, avrundet halvt opp",
        "ALIS etter startår, og hvor mange": "Slik er det regnet:",
        "Utvikling per år for alle deltakerkommuner": "Ferdige spesialister og ALIS som sluttet:",
        "Tabell 5.2 Funn i kontrollen": "Avvist: hele tabellen er holdt utenfor.",
    }
    for caption, note in notes.items():
        if caption not in pdf.text:
            continue  # a year without findings has no table 5.2
        assert pdf.page_of(caption) == pdf.page_of(note, after=caption), (caption, note)
    # table 3.7 runs over a page: its note is on the page of its last row
    caption = "ALIS per kommune etter tilknytningsform"
    if "tall er skjult («:»)" in pdf.text[pdf.find(caption) :]:
        assert pdf.page_of("Alle kommuner", after=caption) == pdf.page_of(
            "tall er skjult («:»)", after=caption
        )


@pytest.mark.parametrize("year", YEARS)
def test_an_objectives_indicator_table_and_its_charts_share_a_page(reports, year):
    pdf, _ = reports[year]
    for n in range(1, 6):
        caption = f"Mål {n}: indikatorer mot målverdi"
        assert pdf.page_of(caption) == pdf.page_of("med målet som prikket linje", after=caption), n


@pytest.mark.parametrize("year", YEARS)
def test_a_short_table_is_never_split(reports, year):
    """Table 3.16 (one row per year so far) split 2 + 3 rows in 2023: each row on its caption's page."""
    pdf, _ = reports[year]
    caption = "Utvikling per år for alle deltakerkommuner"
    page = pdf.page_of(caption)
    start = pdf.find(caption)
    for trend_year in range(2019, year + 1):
        assert pdf.page_at(pdf.find(f" {trend_year} ", start)) == page, trend_year


def _lines_by_height(page: pypdf.PageObject) -> list[tuple[float, str]]:
    pieces = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            pieces.append((tm[4] * cm[1] + tm[5] * cm[3] + cm[5], text.strip()))

    page.extract_text(visitor_text=visit)
    return pieces


def test_signature_labels_stand_on_the_line_of_their_values(reports):
    """The confirmation of chapter 6: «Sted og dato» and «Navn» at the height of their values (the
    labels used to sit a line below them). The values are the sample's prosjekt.yaml."""
    pdf, _ = reports[FINAL_YEAR]
    profile = yaml.safe_load((SAMPLE / "referanse" / "prosjekt.yaml").read_text(encoding="utf-8"))
    page = pdf.reader.pages[pdf.page_of("Sted og dato", after="Tabell 6.3") - 1]
    pieces = _lines_by_height(page)
    for label, value in (("Sted og dato", profile["sted"] + ","), ("Navn", profile["signatar_navn"])):
        label_at = next(y for y, text in pieces if text == label)
        value_at = next(y for y, text in pieces if text.startswith(value))
        assert abs(label_at - value_at) < 2, label  # the old layout: about 8 pt apart
