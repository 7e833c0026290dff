"""Ready means complete (issue 31, points 1, 2, 9 and the Sluttrapport's course): the pure rules of
``alis_nord.grant_reporting`` and the texts of ``alis_nord.narrative`` they read, fast enough for
``make mutation``.

The participants are those of tests/small_landing.py: 1804 Bodø and 1865 Vågan from 2019,
5444 Sør-Varanger 2020–2023. The ``delivery_status`` rows below are written by hand, as
``alis_nord.deliveries.status_rows`` stores them.
"""

import dataclasses
import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace

import openpyxl

from alis_nord.deliveries import APPROVED, HAS_ERRORS, MISSING, NOTHING_TO_REPORT
from alis_nord.disclosure import SUPPRESSED
from alis_nord.grant_reporting import (
    Outstanding,
    _course_items,
    _data_items,
    completeness,
    data_gaps,
    line_explanation,
)
from alis_nord.narrative import (
    DeviationText,
    NarrativeText,
    deviation_text,
    exclusion_number,
    exclusion_texts,
    markdown_to_html,
    narrative_texts,
    split_sections,
)
from alis_nord.reference_parsing import parse_reference_data
from alis_nord.reporting_sheet import NO_VALUE_NOTE, SUPPRESSED_NOTE, _indicator_value
from alis_nord.reporting_workbook import _number, _unit, reporting_workbook_bytes
from tests.small_landing import REFERENCE

D = Decimal


def _reference():
    return parse_reference_data({f"referanse/{n}": t.encode("utf-8") for n, t in REFERENCE.items()})


def _status(kommunenummer, table, status, file=None):
    return {
        "kommunenummer": kommunenummer,
        "table_name": table,
        "status": status,
        "file": file,
        "version": 1 if file else None,
        "received_at": None,
    }


# 2020: Bodø delivered everything (alis declared empty); Vågan's kostnader has errors and its
# fastlegedekning is missing; Sør-Varanger sent nothing; 1903 (no participant) is ignored.
ROWS_2020 = [
    _status("1804", "alis", NOTHING_TO_REPORT, "2020/1804_alis.csv"),
    _status("1804", "kostnader", APPROVED, "2020/1804_kostnader.csv"),
    _status("1804", "fastlegedekning", APPROVED, "2020/1804_fastlegedekning.csv"),
    _status("1865", "alis", APPROVED, "2020/1865_alis.csv"),
    _status("1865", "kostnader", HAS_ERRORS, "2020/1865_kostnader_v2.csv"),
    _status("1865", "fastlegedekning", MISSING),
    _status("5444", "alis", MISSING),
    _status("5444", "kostnader", MISSING),
    _status("5444", "fastlegedekning", MISSING),
    _status("1903", "alis", HAS_ERRORS, "2020/1903_alis.csv"),
]


def _text(file: str, markdown: str) -> NarrativeText:
    return NarrativeText(file, markdown_to_html(markdown))


# ---------------------------------------------------------------- who is missing


def test_every_participant_with_a_table_missing_or_with_errors_is_a_gap_by_name():
    gaps = data_gaps(_reference(), ROWS_2020, 2020, {})
    # Bodø: every table godkjent or ingenting å rapportere, so no gap; 1903 takes no part
    assert [(g.kommunenummer, g.navn) for g in gaps] == [("1865", "Vågan"), ("5444", "Sør-Varanger")]
    vaagan, sor_varanger = gaps
    assert [(t.table_name, t.status) for t in vaagan.tables] == [
        ("kostnader", HAS_ERRORS),
        ("fastlegedekning", MISSING),
    ]
    assert vaagan.label == "Vågan (1865)"
    assert vaagan.table_list == (
        "Kostnader (bilag) har feil (2020/1865_kostnader_v2.csv); Fastlegedekning mangler"
    )
    assert vaagan.table_names == "Kostnader (bilag) har feil, Fastlegedekning mangler"
    assert len(sor_varanger.tables) == 3 and vaagan.reason is None


def test_a_participant_only_in_other_years_is_no_gap():
    # 5444 takes part 2020–2023 only: in 2019 its rows (had there been any) do not count
    assert data_gaps(_reference(), [_status("5444", "alis", MISSING)], 2019, {}) == []


def test_the_offices_reason_resolves_a_gap_and_the_rest_stay_open():
    reason = _text("2020/tekst/uten_5444.md", "Kommunen hadde ingen ALIS og har meldt seg ut.")
    result = completeness(_reference(), ROWS_2020, 2020, {"5444": reason, "1804": reason})
    assert [g.kommunenummer for g in result["open"]] == ["1865"]
    assert [(g.kommunenummer, g.reason) for g in result["excluded"]] == [("5444", reason)]
    assert result["complete"] is False  # a gap sent without is still a gap in the figures
    everyone = completeness(_reference(), ROWS_2020[:3], 2020, {})
    assert everyone == {"open": [], "excluded": [], "complete": True}


def test_the_outstanding_item_names_the_municipality_tables_and_what_resolves_it():
    vaagan, sor_varanger = data_gaps(_reference(), ROWS_2020, 2020, {})
    first, second = _data_items(2020, [vaagan, sor_varanger])
    assert first.kind == second.kind == "data"
    # what the report prints names no file (the directorate receives none of them) ...
    assert first.text == (
        "Tallene fra Vågan (1865) for 2020 er ikke komplette: Kostnader (bilag) har feil, Fastlegedekning "
        "mangler. Det som løser det: en godkjent fil fra kommunen for hver tabell, tabellen med bare "
        "overskriftsraden hvis kommunen ikke har noe å rapportere (Kostnader (bilag)), eller prosjektkontorets "
        "begrunnelse for å sende rapporten uten kommunens tall."
    )
    # ... the office's version (the reporting sheet, ready_to_send) adds the files
    assert first.fix == "Mottatt: 2020/1865_kostnader_v2.csv. Begrunnelsen skrives i 2020/tekst/uten_1865.md."
    assert first.full == f"{first.text} {first.fix}"
    # ALIS and kostnader may be declared empty; fastlegedekning always has its row
    assert "(ALIS-leger og Kostnader (bilag)), eller" in second.text and second.fix == (
        "Begrunnelsen skrives i 2020/tekst/uten_5444.md."
    )
    only_coverage = SimpleNamespace(
        kommunenummer="1865", label="Vågan (1865)", table_names="Fastlegedekning mangler",
        tables=(SimpleNamespace(table_name="fastlegedekning", file=None),),
    )  # fmt: skip
    (item,) = _data_items(2021, [only_coverage])
    assert "for hver tabell, eller prosjektkontorets" in item.text and "overskriftsraden" not in item.text


def test_a_sluttrapport_without_the_projects_course_is_outstanding():
    (item,) = _course_items(2023, True, None)
    assert item.kind == "course_text" and item.fix == "Skriv den i 2023/tekst/prosjektforlop.md."
    assert "prosjektforlop" not in item.text
    assert _course_items(2023, True, _text("2023/tekst/prosjektforlop.md", "Fem år.")) == []
    assert _course_items(2022, False, None) == []  # a Statusrapport has no such chapter


# ---------------------------------------------------------------- the office's texts


def test_exclusion_texts_are_named_by_municipality_number(tmp_path):
    tekst = tmp_path / "2023" / "tekst"
    tekst.mkdir(parents=True)
    (tekst / "uten_5430.md").write_text("Filen kunne ikke åpnes.\n", encoding="utf-8")
    (tekst / "uten_guovdageaidnu.md").write_text("Ikke et nummer.\n", encoding="utf-8")
    (tekst / "01-aaret.md").write_text("Året.\n", encoding="utf-8")
    texts = exclusion_texts(tmp_path, 2023)
    assert list(texts) == ["5430"] and texts["5430"].file == "2023/tekst/uten_5430.md"
    assert "Filen kunne ikke åpnes." in texts["5430"].html
    # the reason has its place in the summary, not in chapter 4; a name without a number does
    assert [t.file for t in narrative_texts(tmp_path, 2023)] == [
        "2023/tekst/01-aaret.md",
        "2023/tekst/uten_guovdageaidnu.md",
    ]
    assert exclusion_texts(tmp_path, 2022) == {}
    assert (exclusion_number("uten_5430.md"), exclusion_number("uten_543.md")) == ("5430", None)
    assert exclusion_number("xuten_5430.md") is None and exclusion_number("uten_5430.md.bak") is None


def test_avvik_md_is_cut_at_its_headings_and_a_sub_heading_stays_in_its_section(tmp_path):
    general, sections = split_sections(
        "Året under ett.\n\n## Kurs\n\nDigitale kurs.\n\n### Detaljer\n\nTo kurs.\n\n# Annet\nIngen reiser.\n"
    )
    assert general == "Året under ett."
    assert [(s.heading, s.text) for s in sections] == [
        ("Kurs", "Digitale kurs. Detaljer To kurs."),  # up to «# Annet», the next heading as high
        ("Detaljer", "To kurs."),
        ("Annet", "Ingen reiser."),
    ]
    assert split_sections("## Kurs\nTekst\n")[0] is None  # nothing before the first heading
    assert split_sections("Bare en merknad.\n") == ("Bare en merknad.", ())
    tekst = tmp_path / "2020" / "tekst"
    tekst.mkdir(parents=True)
    (tekst / "avvik.md").write_bytes("Generelt.\r\n\r\n## Kurs\r\nFærre kurs.\r\n".encode("cp1252"))
    text = deviation_text(tmp_path, 2020)
    assert text.file == "2020/tekst/avvik.md" and text.general == "Generelt."
    assert text.section_for("kurs").text == "Færre kurs."  # Windows-1252 read, any case
    assert deviation_text(tmp_path, 2019) is None


def test_a_budget_line_is_explained_by_its_own_heading_only():
    text = DeviationText("2020/tekst/avvik.md", markdown_to_html(""), "Generelt.", ())
    assert line_explanation(text, "Kurs", "kurs") is None  # a general note explains no line
    assert line_explanation(None, "Kurs", "kurs") is None
    _, sections = split_sections("##  ALIS-tilskudd   til kommunene \nMer.\n## samlinger\nFlyttet.\n")
    text = DeviationText("2020/tekst/avvik.md", markdown_to_html(""), None, sections)
    assert line_explanation(text, "ALIS-tilskudd til kommunene", "alis_tilskudd").text == "Mer."
    assert line_explanation(text, "Samlinger", "samlinger").text == "Flyttet."
    assert line_explanation(text, "Kurs", "kurs") is None


# ---------------------------------------------------------------- the reporting sheet pastes


def test_a_suppressed_or_missing_indicator_is_null_with_the_reason():
    assert _indicator_value(SUPPRESSED, "antall") == {
        "verdi": None,
        "som_trykt": None,
        "skjult": SUPPRESSED_NOTE,
    }
    assert _indicator_value(None, "prosent") == {"verdi": None, "som_trykt": None, "merknad": NO_VALUE_NOTE}
    # 92.5 % printed the Norwegian way, with a normal space before %
    assert _indicator_value(D("92.5"), "prosent") == {"verdi": "92.5", "som_trykt": "92,5 %"}
    assert _indicator_value(D(20), "antall") == {"verdi": "20", "som_trykt": "20"}


def test_numbers_of_the_workbook_carry_their_unit():
    assert _unit("prosent") == (D("0.01"), "0.0 %") and _unit("antall") == (D(1), "0")
    assert _number("80", D("0.01")) == D("0.8")  # a target of 80 % is 0.8 with a % format
    assert _number("-25.0", D("0.01")) == D("-0.25")
    assert _number("20") == D(20) and _number(None) is None


def _sheet(indicators, status="utkast"):
    budget_line = {
        "budsjett": "100.00",
        "regnskap": "50.00",
        "avvik": "-50.00",
        "avvik_prosent": "-50.0",
        "maa_forklares": True,
        "forklaring": None,
    }
    income = {
        k: None
        for k in ("egenandel", "sum_inntekter", "alis_tilskudd", "kostnader", "sum_utgifter", "resultat")
    }
    return {
        "rapport": {
            "type": "Statusrapport",
            "nummer": 2,
            "rapportaar": 2020,
            "status": status,
            "utestaaende": ["Vågan (1865) mangler godkjente tall for 2020"],
            "uten_tall_fra": [
                {
                    "kommunenummer": "5444",
                    "navn": "Sør-Varanger",
                    "begrunnelse": {"fil": "f", "tekst": "Meldt ut."},
                }
            ],
            "vedlegg": [{"fil": "statusrapport-2020.pdf", "sha256": "ab12"}],
        },
        "tilskudd": {"ordning": "Kap. 762, post 63", "referanse": "Tilsagn 2020", "saksnummer": None},
        "mottaker": {"navn": None, "organisasjonsnummer": None},
        "signatar": {"navn": "Kari Nordmann", "tittel": "Prosjektleder"},
        "revisor": {"navn": None},
        "maaloppnaelse": [
            {"nummer": 1, "forklaring": None, "indikatorer": indicators},
            {"nummer": 2, "forklaring": {"tekst": "Ingen mål."}, "indikatorer": []},
        ],
        "budsjett_og_regnskap": {
            "linjer": [{"navn": "Kurs", "aar": budget_line, "perioden": budget_line}],
            "sum_aar": budget_line,
            "sum_perioden": budget_line,
            "perioden": {"fra": 2019, "til": 2020},
        },
        "inntekter_og_utgifter": {
            "aar": {**income, "mottatt": None},
            "perioden": {
                **income,
                "egenandel": "155988.85",
                "mottatt": {"helsedirektoratet": "1000000.00", "statsforvalter": "500000.00"},
            },
        },
        "ubrukte_midler": [{"kilde": "helsedirektoratet", "ubrukt": "95055.52"}],
    }


# a percentage reached, and a count suppressed (fewer than 3 persons)
TWO_INDICATORS = [
    {
        "indikator": "Andel i stilling",
        "enhet": "prosent",
        "maalverdi": "80",
        "retning": "minst",
        "resultat_aar": {"verdi": "92.5", "som_trykt": "92,5 %"},
        "vurdering": "nådd",
    },
    {
        "indikator": "ALIS i utdanning",
        "enhet": "antall",
        "maalverdi": "20",
        "retning": "minst",
        "resultat_aar": {"verdi": None, "som_trykt": None, "skjult": SUPPRESSED_NOTE},
        "vurdering": "kan ikke vurderes",
    },
]


def test_the_workbook_stores_targets_and_results_as_numbers_and_suppressed_as_empty_with_a_note():
    indicators = TWO_INDICATORS
    data = reporting_workbook_bytes(_sheet(indicators), "Test", dt.date(2021, 3, 1))
    book = openpyxl.load_workbook(io.BytesIO(data))
    goals = list(book["Måloppnåelse"].iter_rows(min_row=2))
    share, count, empty = goals
    # 80 % stored as 0.8 and 92.5 % as 0.925, both shown with a % format; no note
    assert [c.value for c in share[:6]] == [1, "Andel i stilling", 0.8, "minst", 0.925, None]
    assert share[2].number_format == "0.0 %" and share[4].number_format == "0.0 %"
    assert [c.value for c in count[:5]] == [1, "ALIS i utdanning", 20, "minst", None]
    assert count[2].number_format == "0" and count[5].value == "skjult: " + SUPPRESSED_NOTE
    assert empty[1].value == "ingen mål registrert" and empty[7].value == "Ingen mål."
    budget = list(book["Budsjett og regnskap"].iter_rows(min_row=2, values_only=True))
    # −50.0 % is −0.5 with a % format; a line to explain with no text of its own says so
    assert budget[0][5] == -0.5 and budget[0][6] == "forklaring mangler"
    status = {r[0]: r[1] for r in book["Status"].iter_rows(min_row=2, values_only=True)}
    assert status["Status"] == "utkast" and status["Uten tall fra Sør-Varanger (5444)"] == "Meldt ut."


# ---------------------------------------------------------------- the reporting sheet, whole


def _context(explanation, gaps_excluded=()):
    """A status report context of 2020 built by hand: kurs budget 20 000 against 15 000.25 in the
    year (−4 999.75, −24.99875 % → −25.0) and 30 000 against 25 000.25 in the period (−4 999.75,
    −16.66583 % → −16.7); ALIS grant 600 000 against 570 355.19 (−4.9 %, within 10 %)."""
    from alis_nord.budget import PlanLine, UnusedFunds
    from alis_nord.financial_report import AccountLine, IncomeAndExpenses
    from alis_nord.reference import Grant

    kurs = AccountLine(
        "kurs", PlanLine("kurs", D("20000"), D("15000.25")), PlanLine("kurs", D("30000"), D("25000.25"))
    )
    alis = AccountLine(
        "alis_tilskudd",
        PlanLine("alis_tilskudd", D("600000"), D("570355.19")),
        PlanLine("alis_tilskudd", D("850000"), D("779944.23")),
    )
    grant = Grant("helsedirektoratet", 2019, 2023, D("23400000"), dt.date(2020, 6, 25), "Kap. 762, post 63")
    indicator = SimpleNamespace(navn="Andel i stilling", enhet="prosent")
    target = SimpleNamespace(maalverdi=D("80"), retning="minst")
    received = {"helsedirektoratet": D("1000000"), "statsforvalter": D("500000")}
    return {
        "year": 2020,
        "cover": {
            "kind": "Statusrapport",
            "report_number": 2,
            "period_start": dt.date(2020, 1, 1),
            "period_end": dt.date(2020, 12, 31),
            "report_date": dt.date(2021, 3, 31),
            "grant": grant,
        },
        "project": {"case_number": "20/1", "owner": "Bodø kommune", "organisation_number": "972418013"},
        "objectives": [
            SimpleNamespace(
                number=1,
                title="Rekruttering",
                goal="Flere ALIS",
                targets=[
                    {
                        "indicator": indicator,
                        "target": target,
                        "value": SUPPRESSED,
                        "judgement": "kan ikke vurderes",
                    },
                    {"indicator": indicator, "target": target, "value": D("92.5"), "judgement": "nådd"},
                ],
                text=_text("2020/tekst/maal_1.md", "Vi *rekrutterer*."),
            )
        ],
        "completeness": {"open": [], "excluded": list(gaps_excluded), "complete": not gaps_excluded},
        "accounts": {
            "explanation": explanation,
            "lines": [alis, kurs],
            "total_year": PlanLine("sum", D("620000"), D("585355.44")),
            "total_period": PlanLine("sum", D("880000"), D("804944.48")),
            "period": (2019, 2020),
            "in_year": IncomeAndExpenses(received, D("114071.04"), D("570355.19"), D("329200.25")),
            "period_accounts": IncomeAndExpenses(received, D("155988.85"), D("779944.23"), D("339200.25")),
            "unused": [{"fund": UnusedFunds("helsedirektoratet", D("1000000"), D("904944.48"), False)}],
            "confirmation": {
                "name": "Kari Nordmann",
                "title": "Prosjektleder",
                "place": "Bodø",
                "date": dt.date(2021, 3, 31),
            },
            "auditor": None,
        },
    }


def test_the_reporting_sheet_carries_each_lines_own_explanation_and_the_general_note():
    from alis_nord.reporting_sheet import reporting_json, reporting_sheet

    markdown = "Et år med pandemi.\n\n## Kurs\n\nDigitale kurs.\n"
    text = DeviationText("2020/tekst/avvik.md", markdown_to_html(markdown), *split_sections(markdown))
    reason = _text("2020/tekst/uten_5444.md", "Ingen ALIS.")
    gap = data_gaps(_reference(), ROWS_2020, 2020, {"5444": reason})[1]
    sheet = reporting_sheet(_context(text, [gap]), [], {"statusrapport-2020.pdf": "ab" * 32})
    report = sheet["rapport"]
    assert (report["status"], report["utestaaende"], report["nummer"], report["dato"]) == (
        "klar til innsending",
        [],
        2,
        "2021-03-31",
    )
    assert report["periode"] == {"fra": "2020-01-01", "til": "2020-12-31"}
    assert report["vedlegg"] == [{"fil": "statusrapport-2020.pdf", "sha256": "ab" * 32}]
    assert report["uten_tall_fra"] == [
        {
            "kommunenummer": "5444",
            "navn": "Sør-Varanger",
            "tabeller": [
                {"tabell": "alis", "status": "mangler", "fil": None},
                {"tabell": "kostnader", "status": "mangler", "fil": None},
                {"tabell": "fastlegedekning", "status": "mangler", "fil": None},
            ],
            "begrunnelse": {"fil": "2020/tekst/uten_5444.md", "tekst": "Ingen ALIS."},
        }
    ]
    budget = sheet["budsjett_og_regnskap"]
    assert budget["merknad"] == {"fil": "2020/tekst/avvik.md", "tekst": "Et år med pandemi."}
    alis, kurs = budget["linjer"]
    assert kurs["aar"] == {
        "budsjett": "20000.00",
        "regnskap": "15000.25",
        "avvik": "-4999.75",
        "avvik_prosent": "-25.0",  # −4 999.75 / 20 000 = −24.99875 %, one decimal half-up
        "maa_forklares": True,
        "forklaring": {"fil": "2020/tekst/avvik.md", "avsnitt": "Kurs", "tekst": "Digitale kurs."},
    }
    assert kurs["perioden"]["avvik_prosent"] == "-16.7"  # −4 999.75 / 30 000 = −16.6658 %
    assert kurs["perioden"]["forklaring"] == kurs["aar"]["forklaring"]  # one text for both spans
    assert (kurs["kategori"], kurs["navn"]) == ("kurs", "Kurs")
    # with something outstanding the sheet is a draft
    draft = reporting_sheet(_context(text), [Outstanding("data", "Noe mangler.")], {})
    assert (draft["rapport"]["status"], draft["rapport"]["utestaaende"]) == ("utkast", ["Noe mangler."])
    # ALIS grant: −29 644.81 / 600 000 = −4.94 %, within 10 %: nothing to explain, no text carried
    assert (alis["navn"], alis["aar"]["avvik_prosent"], alis["aar"]["maa_forklares"]) == (
        "ALIS-tilskudd til kommunene",
        "-4.9",
        False,
    )
    assert alis["aar"]["forklaring"] is None
    # the sum: −34 644.56 / 620 000 = −5.59 % (nothing to explain); over the period −75 055.52 /
    # 880 000 = −8.53 %: neither needs a text, so the general note is not carried
    assert sheet["budsjett_og_regnskap"]["sum_aar"]["forklaring"] is None
    assert sheet["budsjett_og_regnskap"]["sum_perioden"]["avvik"] == "-75055.52"
    (goal,) = sheet["maaloppnaelse"]
    assert (goal["nummer"], goal["tittel"], goal["maal"]) == (1, "Rekruttering", "Flere ALIS")
    assert goal["forklaring"] == {"fil": "2020/tekst/maal_1.md", "tekst": "Vi rekrutterer."}
    assert goal["indikatorer"] == [
        {
            "indikator": "Andel i stilling",
            "enhet": "prosent",
            "maalverdi": "80",
            "retning": "minst",
            "resultat_aar": {"verdi": None, "som_trykt": None, "skjult": SUPPRESSED_NOTE},
            "vurdering": "kan ikke vurderes",
        },
        {
            "indikator": "Andel i stilling",
            "enhet": "prosent",
            "maalverdi": "80",
            "retning": "minst",
            "resultat_aar": {"verdi": "92.5", "som_trykt": "92,5 %"},  # printed in its unit
            "vurdering": "nådd",
        },
    ]
    # income 1 500 000 + 114 071.04 = 1 614 071.04; expenses 570 355.19 + 329 200.25 = 899 555.44
    year = sheet["inntekter_og_utgifter"]["aar"]
    assert (year["sum_inntekter"], year["sum_utgifter"], year["resultat"]) == (
        "1614071.04",
        "899555.44",
        "714515.60",
    )
    assert sheet["ubrukte_midler"] == [
        {
            "kilde": "helsedirektoratet",
            "mottatt": "1000000.00",
            "brukt": "904944.48",
            "ubrukt": "95055.52",
            "periodens_slutt": False,
        }
    ]
    assert sheet["signatar"] == {
        "navn": "Kari Nordmann",
        "tittel": "Prosjektleder",
        "sted": "Bodø",
        "dato": "2021-03-31",
    }
    assert sheet["tilskudd"]["belop"] == "23400000.00" and sheet["tilskudd"]["vedtaksdato"] == "2020-06-25"
    assert sheet["mottaker"] == {"navn": "Bodø kommune", "organisasjonsnummer": "972418013"}
    assert reporting_json(sheet).endswith("}\n") and '"Sør-Varanger"' in reporting_json(sheet)


def test_without_avvik_md_no_line_has_an_explanation_and_the_sum_none_either():
    from alis_nord.reporting_sheet import reporting_sheet

    sheet = reporting_sheet(_context(None), [], {})
    budget = sheet["budsjett_og_regnskap"]
    assert budget["merknad"] is None and budget["linjer"][1]["aar"]["forklaring"] is None
    # a «## Sum» section explains the sum when it needs it: here −25 % on a sum line of its own
    markdown = "Generelt.\n\n## Sum\n\nSamlet lavere.\n"
    text = DeviationText("2020/tekst/avvik.md", markdown_to_html(markdown), *split_sections(markdown))
    context = _context(text)
    from alis_nord.budget import PlanLine

    context["accounts"]["total_year"] = PlanLine("sum", D("100"), D("75"))  # −25 %
    context["accounts"]["total_period"] = PlanLine("sum", D("100"), D("50"))  # −50 %
    sheet = reporting_sheet(context, [], {})
    assert sheet["budsjett_og_regnskap"]["sum_aar"]["forklaring"] == {
        "fil": "2020/tekst/avvik.md",
        "avsnitt": "Sum",
        "tekst": "Samlet lavere.",
    }
    general_only = DeviationText("2020/tekst/avvik.md", markdown_to_html("Generelt.\n"), "Generelt.", ())
    context["accounts"]["explanation"] = general_only
    sheet = reporting_sheet(context, [], {})
    assert sheet["budsjett_og_regnskap"]["sum_perioden"]["forklaring"] == {
        "fil": "2020/tekst/avvik.md",
        "tekst": "Generelt.",
    }


def test_money_and_percentages_of_the_sheet_as_printed():
    from alis_nord.reporting_sheet import _money, _percent, reporting_json

    assert _money(None) is None and _money(D("1.005")) == "1.01"  # half-up to øre
    assert _percent(None) is None
    assert _percent(D("0.25")) == "0.3"  # half-up, as printed (half-even would give 0.2)
    assert _percent(D("-24.99875")) == "-25.0" and _percent(D("7")) == "7.0"
    # keys in the sheet's order, æøå as they are, two spaces, a final newline
    assert reporting_json({"b": "æ", "a": [1]}) == '{\n  "b": "æ",\n  "a": [\n    1\n  ]\n}\n'


def test_every_block_of_the_reporting_sheet_by_hand():
    from alis_nord.reporting_sheet import reporting_sheet

    markdown = "Et år med pandemi.\n\n## Kurs\n\nDigitale kurs.\n"
    text = DeviationText("2020/tekst/avvik.md", markdown_to_html(markdown), *split_sections(markdown))
    sheet = reporting_sheet(_context(text), [], {})
    assert sheet["rapport"] == {
        "type": "Statusrapport",
        "nummer": 2,
        "rapportaar": 2020,
        "periode": {"fra": "2020-01-01", "til": "2020-12-31"},
        "dato": "2021-03-31",
        "status": "klar til innsending",
        "utestaaende": [],
        "uten_tall_fra": [],
        "vedlegg": [],
    }
    assert sheet["tilskudd"] == {
        "ordning": "Kap. 762, post 63",
        "referanse": "Kap. 762, post 63",
        "vedtaksdato": "2020-06-25",
        "saksnummer": "20/1",
        "belop": "23400000.00",
        "periode": {"fra": 2019, "til": 2023},
    }
    budget = dict(sheet["budsjett_og_regnskap"])
    del budget["linjer"]
    assert budget == {
        "merknad": {"fil": "2020/tekst/avvik.md", "tekst": "Et år med pandemi."},
        # 585 355.44 − 620 000 = −34 644.56, −5.588 % → −5.6: within 10 %
        "sum_aar": {
            "budsjett": "620000.00",
            "regnskap": "585355.44",
            "avvik": "-34644.56",
            "avvik_prosent": "-5.6",
            "maa_forklares": False,
            "forklaring": None,
        },
        # 804 944.48 − 880 000 = −75 055.52, −8.529 % → −8.5
        "sum_perioden": {
            "budsjett": "880000.00",
            "regnskap": "804944.48",
            "avvik": "-75055.52",
            "avvik_prosent": "-8.5",
            "maa_forklares": False,
            "forklaring": None,
        },
        "perioden": {"fra": 2019, "til": 2020},
    }
    received = {"helsedirektoratet": "1000000.00", "statsforvalter": "500000.00"}
    assert sheet["inntekter_og_utgifter"] == {
        # 1 500 000 + 114 071.04 = 1 614 071.04 against 570 355.19 + 329 200.25 = 899 555.44
        "aar": {
            "mottatt": received,
            "egenandel": "114071.04",
            "sum_inntekter": "1614071.04",
            "alis_tilskudd": "570355.19",
            "kostnader": "329200.25",
            "sum_utgifter": "899555.44",
            "resultat": "714515.60",
        },
        # 1 500 000 + 155 988.85 = 1 655 988.85 against 779 944.23 + 339 200.25 = 1 119 144.48
        "perioden": {
            "mottatt": received,
            "egenandel": "155988.85",
            "sum_inntekter": "1655988.85",
            "alis_tilskudd": "779944.23",
            "kostnader": "339200.25",
            "sum_utgifter": "1119144.48",
            "resultat": "536844.37",
        },
    }
    assert sheet["revisor"] == {"navn": None}
    # no decision date and no payments registered: null, not a made-up value
    context = _context(None)
    context["cover"]["grant"] = dataclasses.replace(context["cover"]["grant"], vedtaksdato=None)
    context["accounts"]["in_year"] = dataclasses.replace(context["accounts"]["in_year"], received=None)
    sheet = reporting_sheet(context, [], {})
    assert sheet["tilskudd"]["vedtaksdato"] is None
    assert sheet["inntekter_og_utgifter"]["aar"]["mottatt"] is None
    assert sheet["inntekter_og_utgifter"]["aar"]["sum_inntekter"] is None


KR = '#,##0.00" kr"'


def _cells(ws):
    """Each row as (value, number format or "", bold, wrapped) per cell."""
    return [
        [
            (
                c.value,
                "" if c.number_format == "General" else c.number_format,
                bool(c.font.b),
                bool(c.alignment.wrap_text),
            )
            for c in row
        ]
        for row in ws.iter_rows()
    ]


def test_the_reporting_workbook_cell_by_cell():
    indicators = TWO_INDICATORS
    book = openpyxl.load_workbook(
        io.BytesIO(reporting_workbook_bytes(_sheet(indicators), "Test", dt.date(2021, 3, 1)))
    )
    assert book.sheetnames == ["Status", "Måloppnåelse", "Budsjett og regnskap", "Utbetalinger og ubrukt"]
    assert (book.properties.title, book.properties.created) == ("Test", dt.datetime(2021, 3, 1))
    widths = {ws.title: [ws.column_dimensions[c].width for c in "ABCDEFGH"[: ws.max_column]] for ws in book}
    assert widths == {
        "Status": [34, 90],
        "Måloppnåelse": [6, 40, 10, 9, 10, 24, 16, 60],
        "Budsjett og regnskap": [30, 11, 16, 16, 16, 9, 60],
        "Utbetalinger og ubrukt": [46, 18, 18],
    }
    # wider than 95 characters: landscape; the payments sheet (82) stays portrait
    assert [ws.page_setup.orientation for ws in book] == ["landscape", "landscape", "landscape", "portrait"]

    def text(label, value):
        return [(label, "", False, False), (value, "", False, True)]

    assert _cells(book["Status"]) == [
        [("Felt", "", True, False), ("Verdi", "", True, False)],
        text("Rapport", "Statusrapport nr. 2, rapportår 2020"),
        text("Status", "utkast"),
        text("Må rettes før innsending", "Vågan (1865) mangler godkjente tall for 2020"),
        text("Uten tall fra Sør-Varanger (5444)", "Meldt ut."),
        text("Tilskuddsordning", "Kap. 762, post 63"),
        text("Tilskudd", "Tilsagn 2020"),
        text("Saksnummer", "mangler"),
        text("Tilskuddsmottaker", "mangler"),
        text("Organisasjonsnummer", "mangler"),
        text("Signatar", "Kari Nordmann, Prosjektleder"),
        text("Revisor", "ikke registrert"),
        text("Vedlegg statusrapport-2020.pdf", "SHA-256 ab12"),
    ]
    header = ["Mål", "Indikator", "Målverdi", "Retning", "Resultat", "Merknad", "Vurdering", "Forklaring"]
    assert _cells(book["Måloppnåelse"]) == [
        [(h, "", True, False) for h in header],
        # 80 % stored as 0.8 and 92.5 % as 0.925, with a % format
        [
            (1, "", False, False),
            ("Andel i stilling", "", False, True),
            (0.8, "0.0 %", False, False),
            ("minst", "", False, False),
            (0.925, "0.0 %", False, False),
            (None, "", False, True),
            ("nådd", "", False, False),
            (None, "", False, True),
        ],
        # a suppressed count: an empty cell, the reason in the note beside it
        [
            (1, "", False, False),
            ("ALIS i utdanning", "", False, True),
            (20, "0", False, False),
            ("minst", "", False, False),
            (None, "0", False, False),
            ("skjult: " + SUPPRESSED_NOTE, "", False, True),
            ("kan ikke vurderes", "", False, False),
            (None, "", False, True),
        ],
        [
            (2, "", False, False),
            ("ingen mål registrert", "", False, True),
            (None, "0", False, False),
            (None, "", False, False),
            (None, "0", False, False),
            (None, "", False, True),
            (None, "", False, False),
            ("Ingen mål.", "", False, True),
        ],
    ]

    def line(name, span, bold):
        # budget 100, accounts 50: −50 kr, −50.0 % stored as −0.5
        return [
            (name, "", bold, False),
            (span, "", bold, False),
            (100, KR, bold, False),
            (50, KR, bold, False),
            (-50, KR, bold, False),
            (-0.5, "0.0 %", bold, False),
            ("forklaring mangler", "", bold, True),
        ]

    assert _cells(book["Budsjett og regnskap"]) == [
        [
            (h, "", True, False)
            for h in ["Budsjettlinje", "Periode", "Budsjett", "Regnskap", "Avvik", "Avvik %", "Forklaring"]
        ],
        line("Kurs", "2020", False),
        line("Sum", "2020", True),
        line("Kurs", "2019–2020", False),
        line("Sum", "2019–2020", True),
    ]

    def money(label, year, period):
        return [(label, "", False, False), (year, KR, False, False), (period, KR, False, False)]

    assert _cells(book["Utbetalinger og ubrukt"]) == [
        [("Post", "", True, False), ("Året", "", True, False), ("Perioden", "", True, False)],
        money("Mottatt fra Helsedirektoratet", None, 1000000),
        money("Mottatt fra Statsforvalteren", None, 500000),
        money("Kommunenes egenandel", None, 155988.85),
        money("Sum inntekter", None, None),
        money("ALIS-tilskudd", None, None),
        money("Kostnader", None, None),
        money("Sum utgifter", None, None),
        money("Resultat", None, None),
        money("Ubrukt av tilskuddet fra Helsedirektoratet", None, 95055.52),
    ]


def test_the_workbook_notes_a_missing_value_and_carries_a_lines_own_text():
    indicators = [
        {
            "indikator": "Kommuner som leverte",
            "enhet": "prosent",
            "maalverdi": "100",
            "retning": "minst",
            "resultat_aar": {"verdi": None, "som_trykt": None, "merknad": NO_VALUE_NOTE},
            "vurdering": "kan ikke vurderes",
        }
    ]
    sheet = _sheet(indicators)
    sheet["signatar"] = {"navn": None, "tittel": None}
    explained = {**sheet["budsjett_og_regnskap"]["sum_aar"], "forklaring": {"tekst": "Digitale kurs."}}
    within = {**explained, "maa_forklares": False, "forklaring": None}
    sheet["budsjett_og_regnskap"]["linjer"] = [
        {"navn": "Kurs", "aar": explained, "perioden": within},
    ]
    sheet["inntekter_og_utgifter"]["aar"]["egenandel"] = "114071.04"
    book = openpyxl.load_workbook(
        io.BytesIO(reporting_workbook_bytes(sheet, "ALIS-Nord · Rapportering", dt.date(2021, 3, 1)))
    )
    status = {r[0]: r[1] for r in book["Status"].iter_rows(min_row=2, values_only=True)}
    assert status["Signatar"] == "mangler"
    (row,) = book["Måloppnåelse"].iter_rows(min_row=2, max_row=2, values_only=True)
    assert row[2:6] == (1, "minst", None, NO_VALUE_NOTE)  # 100 % is 1; no value: empty, noted
    budget = list(book["Budsjett og regnskap"].iter_rows(min_row=2, values_only=True))
    assert budget[0][6] == "Digitale kurs."  # the line's own text
    assert budget[2][6] is None  # within 10 % over the period: nothing to explain, nothing said
    money = {r[0]: r[1] for r in book["Utbetalinger og ubrukt"].iter_rows(min_row=2, values_only=True)}
    assert money["Kommunenes egenandel"] == 114071.04
    assert all(ws.oddHeader.center.text == "ALIS-Nord · Rapportering" for ws in book)


def test_a_line_is_explained_under_its_printed_name_or_its_category_code_in_the_sheet():
    from alis_nord.budget import PlanLine
    from alis_nord.financial_report import AccountLine
    from alis_nord.reporting_sheet import reporting_sheet

    markdown = "## ALIS-tilskudd til kommunene\n\nFærre ALIS.\n\n## vikar\n\nFærre vikarer.\n"
    text = DeviationText("2020/tekst/avvik.md", markdown_to_html(markdown), *split_sections(markdown))
    context = _context(text)
    half = PlanLine("x", D(100), D(50))  # −50 %: both lines must be explained
    context["accounts"]["lines"] = [
        AccountLine("alis_tilskudd", half, half),
        AccountLine("vikar", half, half),
    ]
    alis, vikar = reporting_sheet(context, [], {})["budsjett_og_regnskap"]["linjer"]
    assert alis["aar"]["forklaring"]["tekst"] == "Færre ALIS."  # by «ALIS-tilskudd til kommunene»
    assert vikar["aar"]["forklaring"]["tekst"] == "Færre vikarer."  # by the code «vikar»


def test_the_appendix_names_an_exclusion_text_by_its_municipality(small_landing):
    from alis_nord.reference_parsing import load_reference_data
    from alis_nord.report_appendix import input_label

    reference = load_reference_data(small_landing)
    assert input_label("2020/tekst/uten_5444.md", reference) == (
        "Prosjektkontorets tekst: begrunnelse for å sende rapporten uten tallene fra Sør-Varanger (5444) (kapittel 1)"
    )
    assert (
        input_label("2020/tekst/01-aaret.md", reference) == "Prosjektkontorets tekst: beretning (kapittel 4)"
    )
