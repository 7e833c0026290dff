"""The delivery page as a clerk meets it, in Debian's Chromium (Playwright) against a real uvicorn
server over HTTPS (a self-signed certificate for 127.0.0.1, so that the ``__Host-`` cookie of the
forms is kept): axe-core (axe-playwright-python's bundled axe.min.js) finds no violation of WCAG 2.1
A/AA in any state of the page, nothing reflows out of a 320 px wide window (WCAG 1.4.10), and the
page works with JavaScript switched off.

The states: the page as the pipeline left it (statuses, one open finding, three files); «Send
filene» with no file chosen; a correct file; a file with an error row; three files that are not
stored (a picture, a table nobody knows, an ALIS table missing columns); «ingenting å rapportere»;
the refusal page of a tampered link; the 404 page; the 403 page of a form whose cookie is gone;
the 413 page of a file over the limit. A screenshot of each is kept in test-artifacts/.

Figures by hand from tests/small_landing.py, 2020 (as in tests/test_delivery_page.py): Bodø's
1804_kostnader.csv holds six vouchers, and the «kaffe» one (line 8 of the file) has a category that
is not on the list: an error, so five rows are accepted and one is kept out.
"""

from __future__ import annotations

import contextlib
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from alis_nord.receiving import header_only
from alis_nord.settings import Settings
from portal.app import BODY_LIMIT, create_app
from tests.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from tests.network import free_port, listening
from tests.small_landing import write_small_landing
from tests.smtp import self_signed_certificate
from tests.test_delivery_page import KONTAKT, SECRET, _as_the_pipeline_stores, token

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]  # axe-core's tags for WCAG 2.0 and 2.1, A and AA
DESKTOP = {"width": 1280, "height": 900}
NARROW = {"width": 320, "height": 640}  # WCAG 1.4.10: 320 CSS px, as 400 % zoom of a 1280 px window
# an ALIS table whose header row is recognised (8 of its 12 columns) but lacks four: fatal, not stored
ALIS_MISSING_COLUMNS = (
    "kommunenummer;rapportaar;alis_id;tilsettingsform;startdato;sluttdato;status;individuell_veiledning_timer\n"
    "1804;2020;A1001;fastlønn;01.03.2019;;aktiv;40\n"
).encode()
PICTURE = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"


# ---------------------------------------------------------------- the page, served


@pytest.fixture(scope="module")
def processed(tmp_path_factory) -> tuple[Path, str]:
    """tests/small_landing.py's area with the project office's contact, and a SQLite warehouse
    holding 2020 as the pipeline stores it."""
    root = tmp_path_factory.mktemp("tilgjengelighet")
    landing = write_small_landing(root / "landing")
    with (landing / "referanse" / "prosjekt.yaml").open("a", encoding="utf-8") as profile:
        profile.write(KONTAKT)
    url = f"sqlite:///{root / 'warehouse.sqlite'}"
    _as_the_pipeline_stores(landing, url, 2020)
    return landing, url


@contextlib.contextmanager
def serving(landing: Path, warehouse_url: str, folder: Path) -> Iterator[str]:
    """The delivery page on a free port of 127.0.0.1, by uvicorn over HTTPS in a thread of this
    process; its origin (``https://127.0.0.1:<port>``)."""
    import uvicorn

    certificate, key = self_signed_certificate(folder)
    port = free_port()
    origin = f"https://127.0.0.1:{port}"
    settings = Settings.given(
        landing_dir=landing,
        database_url=warehouse_url,
        mail_database_url=f"sqlite:///{folder / 'mail.sqlite'}",
        delivery_secret=SECRET,
        delivery_base_url=f"{origin}/levering",
    )
    config = uvicorn.Config(
        create_app(settings, warm_up=False),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        ssl_certfile=str(certificate),
        ssl_keyfile=str(key),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="leveringsside", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not listening(port):
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield origin
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def site(processed, tmp_path) -> Iterator[tuple[str, Path]]:
    """A copy of the processed area (copy2 keeps the files' times, which the warehouse's
    input_files describe), served; the page's origin and the copy."""
    landing, url = processed
    copy = shutil.copytree(landing, tmp_path / "landing")
    with serving(copy, url, tmp_path) as origin:
        yield origin, copy


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# ---------------------------------------------------------------- the states a clerk meets


def _send(page, files) -> None:
    page.get_by_label("Velg filer").set_input_files(files)
    page.get_by_role("button", name="Send filene").click()
    page.wait_for_load_state()


def _states(origin: str, landing: Path, tmp: Path) -> list[tuple[str, Callable]]:
    """Each state's name and how the clerk gets there from the one before."""
    page_url = f"{origin}/levering/{token('1804')}"
    folder = landing / "2020"
    too_large = tmp / "stor.csv"
    too_large.write_bytes(b"1804;2020;A1;" * (BODY_LIMIT // 13 + 1))  # past the whole request's limit
    not_stored = [
        {"name": "tall.csv", "mimeType": "text/csv", "buffer": PICTURE},
        {"name": "adresser.csv", "mimeType": "text/csv", "buffer": b"navn;adresse\nKari;Storgata 1\n"},
        {"name": "alis uten kolonner.csv", "mimeType": "text/csv", "buffer": ALIS_MISSING_COLUMNS},
    ]

    def nothing_to_report(page):
        page.get_by_role("button", name="Ingenting å rapportere for Kostnader (bilag)").click()

    def tampered(page):
        page.goto(f"{page_url[:-3]}abc")  # the signature's last letters changed

    def form_without_cookie(page):
        page.goto(page_url)
        page.context.clear_cookies()  # the browser lost the form's cookie: the form is refused
        page.get_by_role("button", name="Ingenting å rapportere for ALIS-leger").click()

    def file_too_large(page):
        page.goto(page_url)
        _send(page, str(too_large))

    return [
        ("1-side", lambda page: page.goto(page_url)),
        ("2-ingen-fil", lambda page: _send(page, [])),
        ("3-riktig-fil", lambda page: _send(page, str(folder / "1804_alis.csv"))),
        ("4-fil-med-feil", lambda page: _send(page, str(folder / "1804_kostnader.csv"))),
        ("5-ikke-lagret", lambda page: _send(page, not_stored)),
        ("6-ingenting-aa-rapportere", nothing_to_report),
        ("7-lenken-virker-ikke", tampered),
        ("8-finnes-ikke", lambda page: page.goto(f"{origin}/levering/ingen/slik/side")),
        ("9-skjema-avvist", form_without_cookie),
        ("10-for-stor", file_too_large),
    ]


HEADINGS = {  # each state's first heading, so that the test knows it reached the state it checks
    "1-side": "Levering av tall til ALIS-Nord: Bodø (1804), 2020",
    "2-ingen-fil": "Levering av tall til ALIS-Nord: Bodø (1804), 2020",
    "3-riktig-fil": "Levering av tall til ALIS-Nord: Bodø (1804), 2020",
    "4-fil-med-feil": "Levering av tall til ALIS-Nord: Bodø (1804), 2020",
    "5-ikke-lagret": "Levering av tall til ALIS-Nord: Bodø (1804), 2020",
    "6-ingenting-aa-rapportere": "Levering av tall til ALIS-Nord: Bodø (1804), 2020",
    "7-lenken-virker-ikke": "Lenken virker ikke",
    "8-finnes-ikke": "Siden finnes ikke",
    "9-skjema-avvist": "Skjemaet kunne ikke sendes",
    "10-for-stor": "Filene er for store",
}
ANSWERS = {  # what the state shows besides (the control's answer, or the error summary)
    "2-ingen-fil": ("alert", "Ingen fil ble sendt"),
    "3-riktig-fil": ("status", "«1804_alis.csv»: lagret"),
    "4-fil-med-feil": ("status", "Feil i rad 8, kolonne kategori"),
    "5-ikke-lagret": ("status", "«alis uten kolonner.csv»: ikke lagret"),
    "6-ingenting-aa-rapportere": ("status", "Ingenting å rapportere for Kostnader (bilag): lagret"),
}


def _violations(page) -> list[str]:
    """axe-core's violations of WCAG 2.1 A and AA on the page as it is now: rule, impact, where."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}
    )
    return [
        f"{v['id']} ({v['impact']}): {', '.join(str(n['target']) for n in v['nodes'])}"
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("window", [DESKTOP, NARROW], ids=["1280px", "320px"])
def test_every_state_of_the_page_has_no_wcag_21_aa_violation_and_reflows(site, chromium, window, tmp_path):
    from playwright.sync_api import expect

    origin, landing = site
    context = chromium.new_context(viewport=window, locale="nb-NO", ignore_https_errors=True)
    page = context.new_page()
    found, overflowing = {}, []
    ARTIFACTS.mkdir(exist_ok=True)
    for name, reach in _states(origin, landing, tmp_path):
        reach(page)
        expect(page.get_by_role("heading", level=1)).to_have_text(HEADINGS[name])
        if name in ANSWERS:
            role, text = ANSWERS[name]
            expect(page.get_by_role(role)).to_contain_text(text)
        found[name] = _violations(page)
        # WCAG 1.4.10: nothing wider than the window, so no scrolling sideways to read a line
        if page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth"):
            overflowing.append(name)
        page.screenshot(path=ARTIFACTS / f"levering-{window['width']}px-{name}.png", full_page=True)
    context.close()
    assert {name: v for name, v in found.items() if v} == {}
    assert overflowing == []
    assert len(found) == 10


# ---------------------------------------------------------------- without JavaScript


def test_the_page_works_without_javascript(site, chromium):
    from playwright.sync_api import expect

    origin, landing = site
    context = chromium.new_context(
        viewport=DESKTOP, locale="nb-NO", ignore_https_errors=True, java_script_enabled=False
    )
    page = context.new_page()
    page.goto("data:text/html,<title>av</title><script>document.title = 'på'</script>")
    assert page.title() == "av"  # the context runs no script of a page

    page_url = f"{origin}/levering/{token('1804')}"
    page.goto(page_url)
    sent = (landing / "2020" / "1804_kostnader.csv").read_bytes()
    page.get_by_label("Velg filer").set_input_files(
        {"name": "bilag fra økonomisystemet.csv", "mimeType": "text/csv", "buffer": sent}
    )
    page.get_by_role("button", name="Send filene").click()
    answer = page.get_by_role("status")
    expect(answer).to_contain_text("«bilag fra økonomisystemet.csv»: lagret, med feil som må rettes")
    expect(answer).to_contain_text("Kostnader (bilag): 5 rader godkjent, 1 holdt utenfor.")
    expect(answer).to_contain_text(
        "Feil i rad 8, kolonne kategori: kategori «kaffe» er ikke en gyldig verdi."
    )
    expect(answer).to_be_focused()  # the answer's address ends in #svar: the browser moves to it
    assert (landing / "2020" / "1804_kostnader_v2.csv").read_bytes() == sent  # after 1804_kostnader.csv

    page.get_by_role("button", name="Ingenting å rapportere for ALIS-leger").click()
    expect(page.get_by_role("status")).to_contain_text("Ingenting å rapportere for ALIS-leger: lagret")
    assert (landing / "2020" / "1804_alis_v2.csv").read_bytes() == header_only("alis")

    page.get_by_role("button", name="Send filene").click()  # no file chosen
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Ingen fil ble sendt")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Velg minst én fil før du trykker «Send filene».").click()
    expect(page.get_by_label("Velg filer")).to_be_focused()
    context.close()
