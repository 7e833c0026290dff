"""The delivery page measured through the production service: `make bench` runs it
(bench/pipeline_bench.py, step "delivery"); on its own, which keeps the other figures of
bench/results/ and writes this section anew:

    .venv/bin/python bench/delivery_bench.py        (about 9 minutes; BENCH_QUICK=1: about 6)

The whole service is started as the end-to-end test starts it (tests/delivery_service.py: every
process of the topology, nginx with TLS, a PostgreSQL of the bench's own, an aiosmtpd server as the
municipalities' mailboxes) with the sample's 2023 (25 municipalities) in the landing area, and at
production's settings for the loop: the landing sensor looks every 30 s and waits for 20 s of quiet
(ALIS_LANDING_SENSOR_INTERVAL, ALIS_LANDING_SETTLE_SECONDS at their defaults), the mail sensor
sends every 15 s. The sensor runs the year once before anything is timed: the service is then as a
clerk finds it (the page's control warmed up, Dagster's processes past their start).

1. Upload → the control's answer on the page. One clerk after another (each with its own link),
   a typical file: the municipality's ``kostnader`` table from the sample (3 to 12 vouchers, under
   1.5 KB), sent as a browser sends the form (multipart, through nginx with TLS), until the page
   with the control's answer (after the 303) has arrived; the median and the maximum. The run
   these uploads start afterwards is not timed.
2. Upload → the feedback e-mail through the daemon. With the year run, a clerk sends a table
   again (saved anew: the same rows with Windows line ends); the seconds until the mail server has
   taken the feedback e-mail to the municipality: the sensor's look, the settle time, the run
   (launched by the daemon's run queue), the mail sensor's look. One municipality at a time, each
   time after the previous run and its mail.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
WORK = ROOT / "bench" / "work" / "delivery"
QUICK = os.environ.get("BENCH_QUICK") == "1"
YEAR = 2023
CONTROL_UPLOADS = 4 if QUICK else 11
MAIL_UPLOADS = 1 if QUICK else 3
CONTROL_TARGET_S, MAIL_TARGET_S = 3.0, 120.0
# the municipalities that send a CSV kostnader table in the sample's 2023, in order; the first
# MAIL_UPLOADS of those with an address send again in part 2
CSV_SENDERS = ("1804", "1806", "1813", "1833", "1837", "1841", "1860", "1865", "1870", "1875", "5401",
               "5402", "5403", "5406", "5421", "5422", "5441", "5444")  # fmt: skip


def _import_tests():
    """The test's service helpers (tests/ is a package beside bench/, not installed)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import tests.delivery_service as delivery_service

    return delivery_service


def _upload(client, link: str, name: str, content: bytes) -> tuple[float, str]:
    """One upload as the page's form sends it: seconds from sending until the page with the
    control's answer has arrived, and that page."""
    page = client.get(link)
    page.raise_for_status()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    started = time.perf_counter()
    answer = client.post(
        f"{link}/filer", data={"csrf": csrf}, files={"filer": (name, content)}, follow_redirects=True
    )
    seconds = time.perf_counter() - started
    if answer.status_code != 200 or [r.status_code for r in answer.history] != [303]:
        raise RuntimeError(f"upload of {name} answered {answer.status_code}: {answer.text[:500]}")
    return seconds, answer.text


def control_answer(service, sample: Path) -> dict:
    """Part 1: upload → the control's answer, CONTROL_UPLOADS municipalities one after another."""
    import httpx

    samples = []
    with httpx.Client(verify=service.tls_client(), timeout=300) as client:
        for number in CSV_SENDERS[:CONTROL_UPLOADS]:
            content = (sample / str(YEAR) / f"{number}_kostnader.csv").read_bytes()
            seconds, page = _upload(client, service.link(number, YEAR), f"bilag {number}.csv", content)
            if f"{number}_kostnader_v2.csv" not in page:
                raise RuntimeError(f"the answer to {number}'s upload does not name the stored file")
            samples.append({"kommunenummer": number, "bytes": len(content), "seconds": seconds})
    seconds = [s["seconds"] for s in samples]
    return {
        "median_s": statistics.median(seconds),
        "max_s": max(seconds),
        "uploads": len(seconds),
        "bytes": [min(s["bytes"] for s in samples), max(s["bytes"] for s in samples)],
        "samples": samples,
    }


def feedback_mail(service, sample: Path) -> dict:
    """Part 2: upload → the feedback e-mail, MAIL_UPLOADS municipalities one at a time."""
    import httpx

    from alis_nord.reference_parsing import load_reference_data

    addresses = {p.kommunenummer: p.epost for p in load_reference_data(sample).participants_in(YEAR)}
    senders = [n for n in CSV_SENDERS if addresses.get(n)][:MAIL_UPLOADS]
    samples = []
    with httpx.Client(verify=service.tls_client(), timeout=300) as client:
        for number in senders:
            content = (sample / str(YEAR) / f"{number}_alis.csv").read_bytes()
            again = content.replace(b"\r\n", b"\n") if b"\r\n" in content else content.replace(b"\n", b"\r\n")
            before, sent = len(service.mail.received), time.time()
            started = time.perf_counter()
            _upload(client, service.link(number, YEAR), f"alis {number} på nytt.csv", again)
            service.wait_for_message(addresses[number][0], f"tallene for {YEAR}", since=before, timeout=600)
            seconds = time.perf_counter() - started
            (run,) = service.sensor_runs(YEAR, sent)
            samples.append(
                {
                    "kommunenummer": number,
                    "seconds": seconds,
                    "run_created_after_s": run["creationTime"] - sent,
                }
            )
            service.wait_for_run(run["runId"])
            _wait_for_quiet_mail(service)
    seconds = [s["seconds"] for s in samples]
    return {
        "median_s": statistics.median(seconds),
        "max_s": max(seconds),
        "uploads": len(seconds),
        "samples": samples,
    }


def _wait_for_quiet_mail(service, quiet_s: float = 20, limit_s: float = 300) -> None:
    """Until the mail server has taken nothing new for ``quiet_s`` (every message of a run sent)."""
    deadline, count, since = time.monotonic() + limit_s, len(service.mail.received), time.monotonic()
    while time.monotonic() - since < quiet_s and time.monotonic() < deadline:
        time.sleep(1)
        if len(service.mail.received) != count:
            count, since = len(service.mail.received), time.monotonic()


def measure() -> dict:
    """Both parts in one start of the service, once it has run the year (the page's control is
    warm by then, and the service is as a clerk finds it)."""
    import pgserver

    from alis_nord.settings import Settings

    helpers = _import_tests()
    defaults = Settings.given()
    WORK.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=WORK) as folder:
        root = Path(folder)
        server = pgserver.get_server(root / "postgresql", cleanup_mode="stop")
        try:
            server_url = server.get_uri("postgres").replace("postgresql://", "postgresql+psycopg://", 1)
            landing = helpers.sample_landing(root / "landing", {YEAR: None})
            with helpers.delivery_service(
                root,
                server_url,
                landing,
                database="alis_delivery_bench",
                sensor_interval=defaults.landing_sensor_interval,
                settle_seconds=defaults.landing_settle_seconds,
            ) as service:
                turned_on = time.time()
                service.start_landing_sensor()  # nothing processed yet: it runs the year once
                _ran(service, service.wait_for_sensor_run(YEAR, turned_on - 60, timeout=600))
                load = _quiet()
                started = time.time()
                control = control_answer(service, helpers.SAMPLE)
                # the uploads start one run, once the folder has been quiet: not timed
                _ran(service, service.wait_for_sensor_run(YEAR, started, timeout=600))
                mail = feedback_mail(service, helpers.SAMPLE)
        finally:
            server.cleanup()
    return {
        "year": YEAR,
        "sensor_interval_s": defaults.landing_sensor_interval,
        "settle_s": defaults.landing_settle_seconds,
        "load_average_at_start": load,
        "control": control,
        "mail": mail,
    }


def _quiet(below: float = 0.5, limit_s: float = 120) -> float:
    """Waits (up to ``limit_s``) for the 1-minute load average to fall below ``below`` after the
    year's first run, as make bench waits before it starts; the load average then."""
    deadline = time.monotonic() + (0 if QUICK else limit_s)
    while os.getloadavg()[0] >= below and time.monotonic() < deadline:
        time.sleep(5)
    return round(os.getloadavg()[0], 2)


def _ran(service, run: dict) -> None:
    """``run`` succeeded, and every e-mail it queued has been taken."""
    if run["status"] != "SUCCESS":
        raise RuntimeError(f"the sensor's run {run['runId']} of {YEAR} ended {run['status']}")
    _wait_for_quiet_mail(service)


# ---------------------------------------------------------------- the report


def _ok(passed: bool) -> str:
    return "met" if passed else "**missed**"


def target_rows(result: dict) -> list[str]:
    """The two rows of RESULTS.md's table of targets."""
    control, mail = result["control"], result["mail"]
    return [
        f"| delivery page: upload to the control's answer under {CONTROL_TARGET_S:.0f} s | median "
        f"{control['median_s']:.2f} s, max {control['max_s']:.2f} s of {control['uploads']} uploads of a typical "
        f"file through nginx | {_ok(control['max_s'] < CONTROL_TARGET_S)} |",
        f"| delivery page: upload to the feedback e-mail through the daemon under 2 min | median "
        f"{mail['median_s']:.0f} s, max {mail['max_s']:.0f} s of {mail['uploads']} | {_ok(mail['max_s'] < MAIL_TARGET_S)} |",
    ]


def section(result: dict) -> list[str]:
    """RESULTS.md's section on the delivery page."""
    control, mail = result["control"], result["mail"]
    when = (
        f"Measured on {result['date']}{' (quick trial)' if result.get('quick') else ''}. "
        if "date" in result
        else ""
    )
    lines = [
        "",
        "## The delivery page: upload to answer, upload to feedback e-mail",
        "",
        f"{when}The production service on this machine (`bench/delivery_bench.py`; `.venv/bin/python bench/delivery_bench.py` "
        f"measures this section alone): every process of the topology, nginx with TLS, PostgreSQL, an SMTP server "
        f"taking the e-mails; the sample's {result['year']} (25 municipalities) in the landing area. The landing sensor "
        f"at production's settings: it looks every {result['sensor_interval_s']} s and runs a year once its folder has "
        f"been quiet {result['settle_s']} s; the mail sensor sends every 15 s. 1-minute load average when the "
        f"timing began: {result['load_average_at_start']:.2f}"
        f"{' (busy: the figures are slower than this machine can do)' if result['load_average_at_start'] >= 0.5 else ''}.",
        "",
        f"**Upload to the control's answer on the page**: a municipality's `kostnader` table from the sample "
        f"({control['bytes'][0]}–{control['bytes'][1]} bytes), sent as the page's form sends it, until the page with "
        f"the control's answer has arrived; one municipality after another.",
        "",
        "| upload | kommunenummer | bytes | seconds |",
        "|---|---|---|---|",
    ]
    for n, s in enumerate(control["samples"], start=1):
        lines.append(f"| {n} | {s['kommunenummer']} | {s['bytes']} | {s['seconds']:.2f} |")
    lines += [
        f"| **median (max) of {control['uploads']}** | | | **{control['median_s']:.2f}** ({control['max_s']:.2f}) |",
        "",
        "**Upload to the feedback e-mail through the daemon**: a municipality sends its `alis` table again; seconds "
        "until the mail server has taken the feedback e-mail. The sensor's look falls anywhere in its "
        f"{result['sensor_interval_s']} s interval, so the time varies by up to that much; `run created` is when the "
        "sensor's run request was made, after the settle time.",
        "",
        "| kommunenummer | run created s | e-mail received s |",
        "|---|---|---|",
    ]
    for s in mail["samples"]:
        lines.append(f"| {s['kommunenummer']} | {s['run_created_after_s']:.0f} | {s['seconds']:.0f} |")
    lines += [
        f"| **median (max) of {mail['uploads']}** | | **{mail['median_s']:.0f}** ({mail['max_s']:.0f}) |"
    ]
    return lines


def main() -> None:
    """This section measured anew; the other figures kept from the last `make bench`."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import pipeline_bench

    results = json.loads((RESULTS / "results.json").read_text(encoding="utf-8"))
    pipeline_bench.wait_for_quiet()  # as make bench does: a busy machine slows every figure
    started = time.perf_counter()
    results["delivery"] = {**measure(), "date": time.strftime("%Y-%m-%d"), "quick": QUICK}
    print(f"delivery: {time.perf_counter() - started:.0f} s", flush=True)
    (RESULTS / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "RESULTS.md").write_text(pipeline_bench.markdown(results), encoding="utf-8")
    print("\n".join(target_rows(results["delivery"]) + section(results["delivery"])))


if __name__ == "__main__":
    main()
