"""``make retention``: delete what is past its time, by the periods of docs/personvern.md.

    python -m service.retention --dry-run                  # what would be deleted today; nothing is
    python -m service.retention                            # delete it
    python -m service.retention --today 2025-01-01         # as on another day
    python -m service.retention --keep-year 2019           # keep a year past its time (a control)

The rules are ``alis_nord.retention``'s; the places are the settings' (``ALIS_LANDING_DIR``,
``ALIS_OUTPUT_DIR``, ``ALIS_DATABASE_URL``, ``ALIS_MAIL_DATABASE_URL``). It prints, in bokmål for the
project office, what it deleted or would delete, and deletes nothing twice: run it again and it
finds nothing more. Run it daily (a timer), or by hand after each new year.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence

import sqlalchemy as sa

from alis_nord import retention
from alis_nord.norsk import dato, enheter
from alis_nord.retention import Holdings, Outcome, Removal
from alis_nord.settings import Settings

# What each removal of a year says (bokmål): {n} the count with its noun.
OF_YEAR_NB = {
    retention.LANDING_YEAR: ("mottaksområdet: {year}/, {n}", ("fil", "filer")),
    retention.WAREHOUSE_YEAR: ("datavarehuset: {n} i {tables}", ("rad", "rader")),
    retention.MAIL_OF_YEAR: ("e-postdatabasen: {n} om rapportåret (tilbakemeldinger og purringer)", ("melding", "meldinger")),
    retention.DELIVERIES_OF_YEAR: ("leveringsloggen: {n}", ("leveranse", "leveranser")),
    retention.OUTPUT_YEAR: ("rapportmappen: {year}/, {n}", ("fil", "filer")),
}  # fmt: skip


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m service.retention",
        description="Sletter det som har passert lagringstiden i docs/personvern.md.",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="vis hva som ville blitt slettet, og slett ingenting"
    )
    parser.add_argument(
        "--today",
        type=dt.date.fromisoformat,
        default=None,
        metavar="ÅÅÅÅ-MM-DD",
        help="regn lagringstidene fra denne dagen (standard: i dag, norsk tid)",
    )
    parser.add_argument(
        "--keep-year",
        type=int,
        action="append",
        default=[],
        metavar="ÅR",
        help="behold dette rapportåret selv om lagringstiden er ute (kontroll, innsyn, klage); kan gis flere ganger",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> Outcome:
    arguments = _arguments(argv)
    settings = settings or Settings()
    today = arguments.today or dt.datetime.now(retention.ZONE).date()
    holdings = Holdings(
        landing_dir=settings.landing_dir,
        output_dir=settings.output_dir,
        warehouse_url=settings.database_url.get_secret_value(),
        mail_url=settings.mail_queue_url.get_secret_value(),
    )
    outcome = retention.past_its_time(
        holdings, today, delete=not arguments.dry_run, keep_years=arguments.keep_year
    )
    print("\n".join(report_lines(outcome, holdings, dry_run=arguments.dry_run)))
    return outcome


def report_lines(outcome: Outcome, holdings: Holdings, *, dry_run: bool) -> list[str]:
    """What the office reads: where, what was (or would be) deleted, and the years held back."""
    lines = [
        f"Sletting etter lagringstidene i docs/personvern.md, {dato(outcome.today)}.",
        f"Mottaksområdet: {holdings.landing_dir}",
        f"Rapportmappen: {holdings.output_dir}",
        f"Datavarehuset: {_shown(holdings.warehouse_url)}",
        f"E-postdatabasen: {_shown(holdings.mail_url)}",
        "",
    ]
    if not outcome.removals:
        lines.append("Ingenting har passert lagringstiden." + (" (Prøvekjøring.)" if dry_run else ""))
    else:
        lines.append(
            "Prøvekjøring (--dry-run): ingenting er slettet. Dette ville blitt slettet:"
            if dry_run
            else "Slettet:"
        )
        lines += _removal_lines(outcome)
    for year in outcome.held:
        lines.append(
            f"Rapportår {year} har passert lagringstiden ({dato(retention.kept_through(year))}), "
            f"men holdes tilbake (--keep-year {year})."
        )
    return lines


def _removal_lines(outcome: Outcome) -> list[str]:
    today = outcome.today
    lines = []
    years = sorted({r.year for r in outcome.removals if r.year is not None})
    for year in years:
        lines.append(f"Rapportår {year} (lagret til og med {dato(retention.kept_through(year))}):")
        for removal in (r for r in outcome.removals if r.year == year):
            lines.append(f"  – {_of_year(removal)}")
    for removal in (r for r in outcome.removals if r.year is None):
        if removal.kind == retention.CLIENT_ADDRESSES:
            lines.append(
                f"Leveringsloggen: klientadressen fjernet fra {enheter(removal.count, 'leveranse', 'leveranser')} "
                f"mottatt før {dato(retention.client_address_cutoff(today).date())} "
                f"(eldre enn {retention.CLIENT_ADDRESS_DAYS} dager)."
            )
        elif removal.kind == retention.MAIL_WITHOUT_YEAR:
            lines.append(
                f"E-postdatabasen: {enheter(removal.count, 'melding', 'meldinger')} uten rapportår (varsler til "
                f"prosjektkontoret) lagt i kø før {dato(retention.mail_without_year_cutoff(today).date())} "
                f"(eldre enn {retention.MAIL_WITHOUT_YEAR_DAYS} dager)."
            )
        elif removal.kind == retention.UPLOAD_LEFTOVERS:
            lines.append(
                f"Mottaksområdet: {enheter(removal.count, 'ufullstendig opplasting', 'ufullstendige opplastinger')} "
                f"i {retention.UPLOAD_TEMP_DIR}/ fra før {dato(retention.upload_leftover_cutoff(today).date())}."
            )
    return lines


def _of_year(removal: Removal) -> str:
    text, noun = OF_YEAR_NB[removal.kind]
    return text.format(
        year=removal.year,
        n=enheter(removal.count, *noun),
        tables=enheter(removal.tables, "tabell", "tabeller"),
    )


def _shown(url: str) -> str:
    """A database URL as it may be printed: never its password."""
    return sa.engine.make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    main(sys.argv[1:])
