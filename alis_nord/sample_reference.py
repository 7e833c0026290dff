"""The sample's ``referanse/`` (``alis_nord.sample_data``): the participants with their contact
addresses, the grants, the budget, the rates, the payments, the targets and the project's profile.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from alis_nord.sample_figures import FIRST_YEAR, Municipality

RATE_GRANT = Decimal(250_000)
RATE_OWN_SHARE = Decimal(50_000)


def _contacts(name: str, index: int) -> str:
    """The sample's contact addresses, under the reserved domain .example (RFC 2606), so a sample
    e-mail can never reach a real municipality: none for every twelfth, two for every fifth."""
    if index % 12 == 11:
        return ""
    slug = name.lower().translate(
        str.maketrans({"æ": "ae", "ø": "o", "å": "a", " ": "-", "–": "-", "á": "a"})
    )
    slug = "".join(c for c in slug if c.isascii() and (c.isalnum() or c == "-")).strip("-")
    addresses = [f"postmottak@{slug}.kommune.example"]
    if index % 5 == 0:
        addresses.append(f"alis@{slug}.kommune.example")
    return ", ".join(addresses)


def write_reference(ref: Path, places: list[Municipality], years: int) -> None:
    last_year = FIRST_YEAR + years - 1
    lines = ["kommunenummer;navn;fra_aar;til_aar;epost"]
    for index, m in enumerate(places):
        for number, first, last in m.numbers:
            first = max(first, m.joined)
            if last is not None and last < first:
                continue
            lines.append(
                f"{number};{m.name};{first};{'' if last is None else last};{_contacts(m.name, index)}"
            )
    (ref / "deltakerkommuner.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    lines = [
        "kilde;fra_aar;til_aar;belop;vedtaksdato;referanse",
        f"helsedirektoratet;{FIRST_YEAR};2023;23400000,00;25.06.2020;Kap. 762, post 63 – tilskudd til ALIS-Nord 2019–2023",
    ]
    sf_grants = [1_200_000, 1_450_000, 1_500_000, 1_500_000, 1_350_000]
    for offset in range(years):
        year = FIRST_YEAR + offset
        amount = sf_grants[offset] if offset < len(sf_grants) else 1_400_000
        lines.append(
            f"statsforvalter;{year};{year};{amount},00;{15 + offset % 10:02d}.02.{year};Statsforvalteren i Nordland og Troms og Finnmark, tilskudd {year}"
        )
    (ref / "tilskudd.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    other = {"kurs": 120_000, "samlinger": 200_000, "sykehustjeneste": 200_000, "annet": 100_000}
    plan = {  # the project plan's budget for Helsedirektoratet's grant: sums to 23 400 000
        year: {"alis_tilskudd": alis, **other}
        for year, alis in {
            2019: 1_500_000,
            2020: 3_200_000,
            2021: 4_600_000,
            2022: 5_400_000,
            2023: 5_600_000,
        }.items()
    }
    assert sum(sum(p.values()) for p in plan.values()) == 23_400_000
    lines = ["aar;kategori;belop"]
    for year in range(FIRST_YEAR, last_year + 1):
        for category, amount in plan.get(year, {}).items():
            lines.append(f"{year};{category};{amount},00")
    (ref / "budsjett.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    lines = ["aar;tilskudd_per_alis;egenandel_per_alis"]
    for year in range(FIRST_YEAR, max(last_year, 2025) + 1):
        lines.append(f"{year};{RATE_GRANT};{RATE_OWN_SHARE}")
    (ref / "satser.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    write_payments(ref, sf_grants, years)
    (ref / "maal.csv").write_text(TARGETS, encoding="utf-8")
    (ref / "prosjekt.yaml").write_text(PROJECT_PROFILE, encoding="utf-8")


# Helsedirektoratet decided the grant on 25 June 2020 and paid in yearly tranches from then on;
# the last tranche is lower than what remains of the 23 400 000, as use stayed below the plan.
HELSEDIREKTORATET_TRANCHES = [
    ("01.07.2020", "5 000 000,00", "1. utbetaling, 2019–2020"),
    ("15.02.2021", "5 000 000,00", "2. utbetaling, 2021"),
    ("15.02.2022", "5 800 000,00", "3. utbetaling, 2022"),
    ("15.02.2023", "6 600 000,00", "4. utbetaling, 2023"),
]
TARGETS = """maal;indikator;maalverdi;retning;enhet;beskrivelse
1;alis_i_utdanning;20;minst;antall;Minst 20 ALIS i utdanning ved utgangen av året, som i prosjektplanen
1;andel_i_stilling_etter_ett_aar;80;minst;prosent;Minst 80 % av dem som begynte året før, er fortsatt i stilling
2;andel_naeringsdrift;25;minst;prosent;Modellene skal brukes også i næringsdrift: minst en firedel av ALIS
3;andel_med_veiledningskrav_oppfylt;90;minst;prosent;Minst 90 % av ALIS ansatt hele året får minst 42 timer individuell veiledning
4;kommuner_med_alis;20;minst;antall;Minst 20 deltakerkommuner har ALIS
5;andel_kommuner_som_leverte;100;minst;prosent;Alle deltakerkommuner leverer tallene sine hvert år
"""
PROJECT_PROFILE = """# Prosjektprofil: hvem prosjektet er. Rapporten, bunntekstene, tilbakemeldingene til kommunene
# og arbeidsbøkene henter prosjektets navn og eier herfra.
prosjektnavn: ALIS-Nord
prosjekteier: Bodø kommune
organisasjonsnummer: "972418013"
signatar_navn: Ingrid Hansen
signatar_tittel: Kommunalsjef for helse og omsorg
sted: Bodø
helsedirektoratet_saksnummer: "20/23571"
revisor: Salten kommunerevisjon IKS
# Kontaktperson i prosjektkontoret: signatur og svaradresse i e-postene til kommunene.
kontakt_navn: Kari Nordmann
kontakt_tittel: prosjektleder
kontakt_epost: alis-nord@bodo.kommune.example
kontakt_telefon: 75 55 50 00
"""


def write_payments(ref: Path, sf_grants: list[int], years: int) -> None:
    lines = ["kilde;dato;belop;referanse"]
    lines += [f"helsedirektoratet;{d};{amount};{text}" for d, amount, text in HELSEDIREKTORATET_TRANCHES]
    for offset in range(years):
        year = FIRST_YEAR + offset
        amount = sf_grants[offset] if offset < len(sf_grants) else 1_400_000
        lines.append(f"statsforvalter;01.03.{year};{amount},00;Statsforvalterens tilskudd {year}")
    (ref / "utbetalinger.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
