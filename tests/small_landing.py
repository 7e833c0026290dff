"""A small landing area whose figures are computed by hand in the tests that use it.

Participants: 1804 Bodø and 1865 Vågan from 2019, 5444 Sør-Varanger from 2020 (sends nothing).
Rates: 250 000 NOK grant and 50 000 NOK own share per ALIS-year. Grant: 23 400 000, 2019–2023.

2019 (365 days): Bodø sends one workbook (real Excel dates and numbers):
  alis A1001 fastlønn from 2019-03-01, no end; one voucher: kurs, helsedirektoratet, 10 000.00.
  Vågan sends nothing in 2019.
2020 (366 days, leap year): Bodø sends UTF-8 CSV with ';', decimal comma, no-break-space
  thousands and dd.mm.yyyy; Vågan sends UTF-8-with-BOM CSV with ',' and ISO dates for alis,
  and Windows-1252 for vouchers, first a v1, then a corrected _v2; Harstad sends a file under
  its old number 1903, which takes no part (rejected); one badly named file.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

NBSP = "\u00a0"

REFERENCE = {
    "deltakerkommuner.csv": "kommunenummer;navn;fra_aar;til_aar\n1804;Bodø;2019;\n1865;Vågan;2019;\n5444;Sør-Varanger;2020;2023\n",
    "tilskudd.csv": (
        "kilde;fra_aar;til_aar;belop;vedtaksdato;referanse\n"
        "helsedirektoratet;2019;2023;23 400 000,00;25.06.2020;Kap. 762, post 63\n"
        "statsforvalter;2020;2020;500000;15.02.2020;Statsforvalteren i Nordland 2020\n"
    ),
    "budsjett.csv": "aar;kategori;belop\n2019;alis_tilskudd;250000\n2020;alis_tilskudd;600000\n2020;kurs;20000\n",
    "satser.csv": "aar;tilskudd_per_alis;egenandel_per_alis\n2019;250000;50000\n2020;250000;50000\n2021;250000;50000\n",
    "prosjekt.yaml": (
        "prosjektnavn: ALIS-Nord\nprosjekteier: Bodø kommune\norganisasjonsnummer: '972418013'\n"
        "signatar_navn: Kari Nordmann\nsignatar_tittel: Prosjektleder\nsted: Bodø\n"
        "helsedirektoratet_saksnummer: '20/1'\nrevisor: ''\n"
    ),
}

ALIS_HEADER = (
    "kommunenummer;rapportaar;alis_id;tilsettingsform;startdato;sluttdato;status;individuell_veiledning_timer;"
    "gruppeveiledning_timer;kurs_timer;sykehustjeneste;laeringsmaal_godkjent_prosent"
)
VOUCHER_HEADER = (
    "kommunenummer;rapportaar;bilagsnummer;bilagsdato;kategori;finansieringskilde;belop;alis_id;beskrivelse"
)
COVERAGE_HEADER = "kommunenummer;rapportaar;fastlegehjemler;ledige_hjemler;innbyggere_uten_fastlege;nye_fastleger;fastleger_sluttet"


def _workbook_2019() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    alis = wb.create_sheet("ALIS")  # sheet names match case-insensitively
    alis.append(ALIS_HEADER.split(";"))
    alis.append(
        [
            1804,
            2019,
            "A1001",
            "fastlønn",
            dt.datetime(2019, 3, 1),
            None,
            "aktiv",
            40,
            20,
            32,
            "ikke_startet",
            15,
        ]
    )
    vouchers = wb.create_sheet("kostnader")
    vouchers.append(VOUCHER_HEADER.split(";"))
    vouchers.append(
        [
            1804,
            2019,
            "2019-1",
            dt.datetime(2019, 5, 2),
            "kurs",
            "helsedirektoratet",
            10000,
            "A1001",
            "Grunnkurs",
        ]
    )
    coverage = wb.create_sheet("fastlegedekning")
    coverage.append(COVERAGE_HEADER.split(";"))
    coverage.append([1804, 2019, 52, 4, 3900, 3, 2])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def write_small_landing(root: Path) -> Path:
    (root / "referanse").mkdir(parents=True)
    for name, text in REFERENCE.items():
        (root / "referanse" / name).write_text(text, encoding="utf-8")

    y2019 = root / "2019"
    y2019.mkdir()
    (y2019 / "1804.xlsx").write_bytes(_workbook_2019())

    y2020 = root / "2020"
    y2020.mkdir()
    (y2020 / "1804_alis.csv").write_text(
        ALIS_HEADER + "\n"
        "1804;2020;A1001;fastlønn;01.03.2019;;aktiv;48;24;40;ikke_startet;35\n"
        "1804;2020;A1002;naeringsdrift;10.02.2020;20.11.2020;sluttet;30,5;12;16;ikke_startet;20\n",
        encoding="utf-8",
    )
    (y2020 / "1804_kostnader.csv").write_text(
        VOUCHER_HEADER + "\n"
        f"1804;2020;B1;15.01.2020;kurs;helsedirektoratet;12{NBSP}500,50;A1001;Kurs i akuttmedisin\n"
        "1804;2020;B2;20.03.2020;samlinger;helsedirektoratet;100000,00;;Regional samling\n"
        "1804;2020;B3;01.04.2020;kurs;helsedirektoratet;-2 500,25;A1001;Kreditnota kurs\n"
        "1804;2020;B4;30.06.2020; Veiledning ;statsforvalter;30000;A1002;Veiledning\n"
        ";;;;;;;;\n"
        "1804;2020;B5;25.09.2020;prosjektledelse;egenandel;180000;;Prosjektleder\n"
        "1804;2020;B6;01.10.2020;kaffe;egenandel;450;;Kaffe til møte\n",
        encoding="utf-8",
    )
    (y2020 / "1804_fastlegedekning.csv").write_text(
        COVERAGE_HEADER + "\n1804;2020;52;3;2800;4;2\n", encoding="utf-8"
    )
    (y2020 / "1865_alis.csv").write_bytes(
        "\ufeff".encode()
        + (
            ALIS_HEADER.replace(";", ",")
            + "\r\n1865,2020,A2001,fastlønn,2020-07-01,,aktiv,22,10,24,ikke_startet,10\r\n"
        ).encode()
    )
    (y2020 / "1865_kostnader.csv").write_bytes(
        (VOUCHER_HEADER + "\n1865;2020;V1;2020-05-05;reise;helsedirektoratet;999999;;Feilført\n").encode(
            "cp1252"
        )
    )
    (y2020 / "1865_kostnader_v2.csv").write_bytes(
        (
            VOUCHER_HEADER + "\n"
            "1865;2020;R1;2020-08-12;reise;egenandel;4 200,00;A2001;Reise til Svolvær\n"
            "1865;2020;R2;2020-09-01;kurs;Helsedirektoratet;5000;A2001;Kurs – «Allmennmedisin»\n"
        ).encode("cp1252")
    )
    (y2020 / "1903_alis.csv").write_text(
        ALIS_HEADER + "\n1903;2020;A3001;fastlønn;01.01.2020;;aktiv;48;24;40;ikke_startet;35\n",
        encoding="utf-8",
    )
    (y2020 / "Kostnader Vågan.csv").write_text("noe", encoding="utf-8")
    (y2020 / "tekst").mkdir()
    (y2020 / "tekst" / "01-aaret.md").write_text("## Året som gikk\n\nGodt år.\n", encoding="utf-8")
    return root


# The payments the grant-report tests register (tests/test_grant_report.py works out what they
# leave unused): Helsedirektoratet 600 000.00 on 1 July 2020 and 400 000.00 on 1 December 2020,
# the Statsforvalter 500 000.00 on 15 March 2020.
PAYMENTS = (
    "kilde;dato;belop;referanse\n"
    "helsedirektoratet;01.07.2020;600 000,00;1. utbetaling\n"
    "helsedirektoratet;01.12.2020;400 000,00;2. utbetaling\n"
    "statsforvalter;15.03.2020;500 000,00;Tilskudd 2020\n"
)


def register(landing: Path, name: str, text: str) -> None:
    """A reference file of the office's, written into the landing area's referanse/."""
    (landing / "referanse" / name).write_text(text, encoding="utf-8")
