"""The workbooks clerks and finance officers open and print, printed the way they would: by
LibreOffice Calc (headless ``soffice``, Debian's libreoffice-calc-nogui, which ``make``
installs) to PDF, then read back. And the feedback pages printed on A4.

Page limits: Sammendrag on one page; every other budget sheet of the small landing area's 2020
on one page (its largest, Bilag, has 7 vouchers); the template's instruction sheet on at most 7
pages, each table sheet on one (its header and 40 rows to fill in).
"""

import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from dagster import materialize
from pypdf import PdfReader

from alis_nord.contract import all_rules, table_contracts
from alis_nord.settings import Settings
from alis_nord.template import _how_to, submission_template
from alis_nord.xlsx import wrapped_lines
from glue.resources import resources_for
from pipelines.definitions import defs
from tests import libreoffice

FOOTER = re.compile(r"^\s*(?P<sheet>\S.*?)\s+Side (?P<page>\d+) av (?P<pages>\d+)\s*$")


def _print_with_libreoffice(workbook: Path, folder: Path) -> list[str]:
    """The workbook printed to PDF by LibreOffice; each page's text in reading layout (lines as
    printed) and, after a form feed, as drawn (each cell's lines together)."""
    libreoffice.convert([workbook], folder, libreoffice.PDF)
    reader = PdfReader(folder / f"{workbook.stem}.pdf")
    return [page.extract_text(extraction_mode="layout") + "\f" + page.extract_text() for page in reader.pages]


def _layout(page: str) -> str:
    return page.split("\f", 1)[0]


def _drawn(page: str) -> str:
    return page.split("\f", 1)[1]


def _sheet_of(page: str) -> str:
    """Every page names its sheet in the footer («Veiledning … Side 1 av 6»)."""
    last = [line for line in _layout(page).splitlines() if line.strip()][-1]
    match = FOOTER.match(last)
    assert match, f"no footer on a printed page: {last!r}"
    return match["sheet"]


def _pages_per_sheet(pages: list[str]) -> Counter:
    return Counter(_sheet_of(page) for page in pages)


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_wrapped_lines_counts_words_into_the_column():
    assert wrapped_lines("", 10) == 1
    assert wrapped_lines("kort", 10) == 1
    # a width of 10 takes 9 characters a line: "a a a a a" is 9, so 20 one-letter words take 4 lines
    assert wrapped_lines("a " * 20, 10) == 4
    assert wrapped_lines("x" * 25, 10) == 3  # a long word breaks: 9 + 9 + 7
    assert wrapped_lines("x" * 18 + " y", 10) == 3  # 9 + 9 fill two lines, so "y" starts a third


@pytest.fixture(scope="module")
def printed_template(tmp_path_factory) -> list[str]:
    folder = tmp_path_factory.mktemp("template")
    path = folder / "innsendingsmal-2023.xlsx"
    path.write_bytes(submission_template(2023, "ALIS-Nord"))
    return _print_with_libreoffice(path, folder)


def test_every_instruction_sentence_of_the_template_prints_whole(printed_template):
    # LibreOffice draws a cell's lines together, so the plain text has each cell's text in one run
    text = _flat(" ".join(_drawn(page) for page in printed_template))
    sentences = [cells[0] for heading, cells in _how_to(2023, "ALIS-Nord") if cells and not heading]
    sentences += [c.beskrivelse for contract in table_contracts().values() for c in contract.columns]
    sentences += [rule.beskrivelse for rule in all_rules().values()]
    missing = [s for s in sentences if _flat(s) not in text]
    assert missing == []
    assert "Innsending av tall til ALIS-Nord for 2023" in text  # the title, not cut at the column


def test_the_template_prints_within_its_page_limits(printed_template):
    sheets = _pages_per_sheet(printed_template)
    assert sheets["Veiledning"] <= 7
    assert {sheets[table] for table in table_contracts()} == {1}
    assert "ALIS-Nord · innsending for 2023" in printed_template[0]  # the page header


@pytest.fixture(scope="module")
def printed_budget(tmp_path_factory) -> tuple[list[str], dict, Path]:
    from tests.small_landing import write_small_landing

    folder = tmp_path_factory.mktemp("budget")
    landing = write_small_landing(folder / "landing")
    resources = resources_for(
        Settings.given(
            landing_dir=landing,
            output_dir=folder / "out",
            database_url=f"sqlite:///{folder / 'warehouse.sqlite'}",
        )
    )
    for year in ("2019", "2020"):
        assert materialize(list(defs.assets), partition_key=year, resources=resources).success
    import json

    summary = json.loads((folder / "out" / "2020" / "summary.json").read_text(encoding="utf-8"))
    path = folder / "out" / "2020" / "budget-2020.xlsx"
    return _print_with_libreoffice(path, folder), summary, path


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def test_each_summary_label_prints_on_the_line_of_its_amount(printed_budget):
    pages, summary, _ = printed_budget
    (page,) = [_layout(p) for p in pages if _sheet_of(p) == "Sammendrag"]
    lines = page.splitlines()

    def amount_on_line_of(label: str) -> Decimal:
        (line,) = [line for line in lines if line.strip().startswith(label)]
        number = _digits(line[line.index(label) + len(label) :])
        return Decimal(number) / 100  # the line's amount, whatever the locale's separators

    assert amount_on_line_of("ALIS-tilskudd 2020 (etter ansettelsesdager)") == Decimal(
        summary["alis_grant_nok"]
    )
    assert amount_on_line_of("Egenandel 2020") == Decimal(summary["egenandel_nok"])
    assert amount_on_line_of("Brukt av tilskuddet hittil") == Decimal(summary["grant"]["used_cumulative_nok"])
    assert amount_on_line_of("Gjenstår av tilskuddet") == Decimal(summary["grant"]["remaining_nok"])


def test_the_budget_workbook_prints_one_page_a_sheet(printed_budget):
    pages, _, _ = printed_budget
    sheets = _pages_per_sheet(pages)
    assert sheets["Sammendrag"] == 1
    assert set(sheets.values()) == {1}, sheets  # Bilag's 7 vouchers fit the width and one page
    assert len(sheets) == 12  # every sheet printed
    assert all("ALIS-Nord · Budsjett og regnskap 2020" in p for p in pages)  # the page header
    # an internal working file: every page says so, and the sheet of persons above its header too
    assert all("Internt arbeidsdokument – skal ikke deles" in _flat(_drawn(p)) for p in pages)
    (per_alis,) = [p for p in pages if _sheet_of(p) == "Per ALIS – internt"]
    assert "Internt arbeidsark – skal ikke deles" in _flat(_drawn(per_alis))


def test_amounts_stay_numbers_with_a_locale_neutral_format(printed_budget):
    import datetime as dt

    import openpyxl

    from alis_nord.xlsx import DATE, KR

    _, _, path = printed_budget
    # format codes are stored in Excel's neutral form: a Norwegian Excel shows 1 234,50 kr, 31.12.2020
    assert KR == '#,##0.00" kr"' and DATE == "DD.MM.YYYY"
    workbook = openpyxl.load_workbook(path)
    amounts = [
        c
        for ws in workbook
        for row in ws.iter_rows()
        for c in row
        if c.number_format == KR and c.value is not None
    ]
    assert len(amounts) > 50
    assert all(
        isinstance(c.value, int | float) or str(c.value).startswith("=") for c in amounts
    )  # never text
    dates = [row[2] for row in workbook["Bilag"].iter_rows(min_row=2) if row[2].number_format == DATE]
    assert len(dates) == 7 and all(isinstance(c.value, dt.datetime) for c in dates)


@pytest.fixture(scope="module")
def printed_portal_files(printed_budget, tmp_path_factory) -> dict:
    """The auditor's file and the reporting workbook of the small landing area's 2020, printed."""
    _, _, budget = printed_budget
    folder = tmp_path_factory.mktemp("portal")
    return {
        name: (
            _print_with_libreoffice(budget.parent / f"{name}-2020.xlsx", folder),
            budget.parent / f"{name}-2020.xlsx",
            folder / f"{name}-2020.pdf",
        )
        for name in ("revisorgrunnlag", "rapportering")
    }


def test_the_auditors_file_prints_every_sheet_with_whole_checksums(printed_portal_files):
    import hashlib

    pages, path, _ = printed_portal_files["revisorgrunnlag"]
    sheets = _pages_per_sheet(pages)
    assert set(sheets) == {
        "Oversikt",
        "Bilag",
        "Utbetalinger",
        "ALIS-tilskudd",
        "ALIS-tilskudd per kommune",
        "Filer",
    }
    # 8 vouchers, 4 ALIS computations, Oversikt's 22 lines (no payments registered): a page each
    assert set(sheets.values()) == {1}, sheets
    assert all("ALIS-Nord · Revisorgrunnlag 2020" in p for p in pages)  # the page header
    # the SHA-256 of Vågan's _v2 file is printed whole on the file sheet, not cut by the column
    digest = hashlib.sha256(
        (path.parents[2] / "landing" / "2020" / "1865_kostnader_v2.csv").read_bytes()
    ).hexdigest()
    (files_page,) = [p for p in pages if _sheet_of(p) == "Filer"]
    assert digest in _flat(_layout(files_page)).replace(" ", "")
    # Oversikt: «Sum utgifter» 2019–2020 on the line of its amounts, 1 119 144.48 (tests/test_portal_delivery.py)
    overview = [_layout(p) for p in pages if _sheet_of(p) == "Oversikt"]
    (line,) = [x for page in overview for x in page.splitlines() if "Sum utgifter" in x and "2019–2020" in x]
    amounts = _digits(line.split("2019–2020", 1)[1])
    assert amounts.startswith("111914448") and amounts.count("111914448") == 2  # reported, then the basis
    # the header row is printed on every page of Oversikt (print titles)
    assert all("Linje" in p and "Grunnlag i arket" in p for p in overview)


def _text_sizes(pdf: Path, page_number: int) -> list[float]:
    """The size in points of each piece of text as printed on a page (font size × scale)."""
    sizes: list[float] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            sizes.append(size * (tm[0] ** 2 + tm[1] ** 2) ** 0.5 * (cm[0] ** 2 + cm[1] ** 2) ** 0.5)

    PdfReader(pdf).pages[page_number].extract_text(visitor_text=visit)
    return sizes


def test_the_auditors_file_prints_column_a_whole_and_the_vouchers_legibly(printed_portal_files):
    import statistics

    import openpyxl

    pages, path, pdf = printed_portal_files["revisorgrunnlag"]
    workbook = openpyxl.load_workbook(path)
    # every label of column A, wrapped in its cell, is printed whole (LibreOffice draws a cell's lines together)
    drawn = _flat(" ".join(_drawn(p) for p in pages if _sheet_of(p) == "Oversikt"))
    labels = [r[0] for r in workbook["Oversikt"].iter_rows(min_row=2, values_only=True)]
    assert [label for label in labels if _flat(label) not in drawn] == []
    # every voucher's category, source and description printed whole on the voucher sheet
    (voucher_page,) = [i for i, p in enumerate(pages) if _sheet_of(p) == "Bilag"]
    text = _flat(_drawn(pages[voucher_page]))
    for row in workbook["Bilag"].iter_rows(min_row=2, values_only=True):
        assert all(_flat(str(cell)) in text for cell in row[5:8]), row
    # the voucher sheet fits the page width at a legible scale: its 11-point text is printed at
    # 70 % or more (LibreOffice shrinks a sheet wider than the page; at 209 widths it was about 60 %)
    body = statistics.median(_text_sizes(pdf, voucher_page))
    assert body >= 0.7 * 11, body
    # landscape: the voucher sheet is wider than a portrait page would print legibly
    width = float(PdfReader(pdf).pages[voucher_page].mediabox.width)
    assert round(width) == 842


def test_the_reporting_workbook_prints_each_part_of_the_form(printed_portal_files):
    pages, _, _ = printed_portal_files["rapportering"]
    sheets = _pages_per_sheet(pages)
    assert set(sheets) == {"Status", "Måloppnåelse", "Budsjett og regnskap", "Utbetalinger og ubrukt"}
    assert set(sheets.values()) == {1}, sheets
    (status,) = [_flat(_layout(p)) for p in pages if _sheet_of(p) == "Status"]
    assert "Status utkast" in status and "Må rettes før innsending Tallene fra Bodø (1804)" in status


def test_feedback_pages_print_on_a4_with_the_header_on_every_page():
    from weasyprint import HTML

    from alis_nord.feedback import FeedbackPage, render_feedback

    findings = [
        {
            "severity": "error",
            "severity_nb": "Feil",
            "file": "2020/1804_kostnader.csv",
            "row_number": row,
            "column_name": "belop",
            "value": "12,5,0",
            "message": f"Rad {row}: belop «12,5,0» kan ikke leses. Skriv et beløp med høyst to desimaler, for eksempel 12 500,50.",
        }
        for row in range(2, 122)
    ]
    page = FeedbackPage(2020, "1804", "Bodø", True, project="ALIS-Nord", findings=findings)
    pdf = HTML(string=render_feedback(page)).write_pdf()
    import io

    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 2
    for printed in reader.pages:
        width, height = float(printed.mediabox.width), float(printed.mediabox.height)
        assert (round(width), round(height)) == (595, 842)  # A4 in points
    # the findings table's header repeats on every page that continues it
    continued = [p.extract_text() for p in reader.pages[1:]]
    assert all("Alvorlighet" in text and "Melding" in text for text in continued)
