"""The municipalities' delivery links, for the project office: revoke one municipality's links and
send it a new one, or list each municipality's generation of links.

    python -m service.delivery_links invite [--aar 2023]         # make invite YEAR=2023
    python -m service.delivery_links revoke 1804 [--aar 2023]    # make revoke-link KOMMUNE=1804 YEAR=2023
    python -m service.delivery_links list [--aar 2023]

``invite`` asks every participant of the year for its figures («tall for 2023»): the three tables,
its personal link to the delivery page (where the year's template is) and the deadline, once per
participant and year; run again, it invites only a participant added since.

``revoke`` moves the municipality's generation on (``alis_nord.delivery_log``): every link it was
given before, for any year, stops working at once. Its new link for the year (default: last year) is
e-mailed to its addresses in ``deltakerkommuner.csv`` («Ny lenke for levering»): queued in the mail
queue, which the daemon's delivery sensor sends, or without ``ALIS_SMTP_HOST`` written as an ``.eml``
under ``<output>/<year>/utsendinger/`` for the office to send. The new link is printed too, for a
municipality without an address or a clerk on the telephone: it is a key to the municipality's
page, so pass it on only to the municipality.

The settings are read where every other setting is (``alis_nord.settings``): the key
(``ALIS_DELIVERY_SECRET``), the page's address, the mail database, the mail server, the landing
area (``referanse/``: participants, addresses, the deadline) and the output folder.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys

from alis_nord.settings import Settings


def _year(text: str | None) -> int:
    if text is None:
        return dt.date.today().year - 1
    if not re.fullmatch(r"\d{4}", text.strip()):
        raise argparse.ArgumentTypeError(f"a report year has four digits (2023), not {text!r}")
    return int(text)


def _kommunenummer(text: str) -> str:
    if not re.fullmatch(r"\d{4}", text.strip()):
        raise argparse.ArgumentTypeError(f"a kommunenummer has four digits (1804), not {text!r}")
    return text.strip()


def _smtp(settings: Settings):
    from alis_nord.outbox import smtp_settings

    return smtp_settings(
        settings.smtp_host,
        settings.smtp_port,
        settings.smtp_sender,
        settings.smtp_username.get_secret_value() if settings.smtp_username else None,
        settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        settings.smtp_security,
    )


def invite(settings: Settings, year: int) -> int:
    from alis_nord.deliveries import today_in_norway
    from alis_nord.delivery_log import DeliveryRecords
    from alis_nord.mail_queue import MailQueue
    from alis_nord.outbox import QUEUED, WRITTEN, send_invitations
    from alis_nord.reference_parsing import load_reference_data

    mail_url = settings.mail_queue_url.get_secret_value()
    secret = settings.delivery_secret.get_secret_value() if settings.delivery_secret else None
    invited = send_invitations(
        DeliveryRecords(mail_url),
        MailQueue(mail_url),
        load_reference_data(settings.landing_dir),
        year,
        secret=secret,
        base_url=settings.delivery_base_url,
        days_after=settings.delivery_link_days,
        today=today_in_norway(),
        now=dt.datetime.now(dt.UTC),
        settings=_smtp(settings),
        sender=settings.smtp_sender,
        eml_dir=settings.output_dir / str(year) / "utsendinger",
    )
    if not secret:
        print("No ALIS_DELIVERY_SECRET: the invitations carry no link and ask for the files by e-mail.")
    failed = 0
    for one in invited:
        if one.outcome is None:
            what = "not invited: no address in deltakerkommuner.csv"
        elif one.outcome == "":
            what = "invited before"
        elif one.outcome == QUEUED:
            what = f"queued for {', '.join(one.recipients)}"
        elif one.outcome == WRITTEN:
            what = f"written as .eml for {', '.join(one.recipients)} (no ALIS_SMTP_HOST): send it"
        else:
            failed += 1
            what = f"NOT invited: {one.outcome}"
        print(f"{one.kommunenummer} {one.navn}: {what}")
    return 1 if failed else 0


def revoke(settings: Settings, kommunenummer: str, year: int) -> int:
    from alis_nord.deliveries import today_in_norway
    from alis_nord.delivery_log import DeliveryRecords
    from alis_nord.mail_queue import MailQueue
    from alis_nord.outbox import QUEUED, WRITTEN, LinksNotRevoked, revoke_links
    from alis_nord.reference_parsing import load_reference_data

    mail_url = settings.mail_queue_url.get_secret_value()
    secret = settings.delivery_secret.get_secret_value() if settings.delivery_secret else None
    smtp = _smtp(settings)
    eml_dir = settings.output_dir / str(year) / "utsendinger"
    try:
        done = revoke_links(
            DeliveryRecords(mail_url),
            MailQueue(mail_url),
            load_reference_data(settings.landing_dir),
            kommunenummer,
            year,
            secret=secret,
            base_url=settings.delivery_base_url,
            days_after=settings.delivery_link_days,
            today=today_in_norway(),
            now=dt.datetime.now(dt.UTC),
            settings=smtp,
            sender=settings.smtp_sender,
            eml_dir=eml_dir,
        )
    except LinksNotRevoked as error:
        print(f"Not revoked: {error}; nothing changed.", file=sys.stderr)
        return 1
    print(
        f"{done.navn} ({done.kommunenummer}): every delivery link made before is void "
        f"(its links are in generation {done.generation} now)."
    )
    print(f"The new link for {done.year}, which works until {done.link.valid_until.isoformat()}:")
    print(done.link.url)
    to = ", ".join(done.recipients)
    if done.outcome == QUEUED:
        print(f"E-mailed to {to}: queued in the mail queue; the daemon's delivery sensor sends it.")
    elif done.outcome == WRITTEN:
        print(
            f"For {to}: written as {eml_dir / (done.key.replace(':', '-') + '.eml')} (no ALIS_SMTP_HOST): send it."
        )
    elif done.outcome is None and not done.recipients:
        print("Not e-mailed: no address in deltakerkommuner.csv. Give the link to the municipality yourself.")
    else:
        print(
            f"Not e-mailed to {to}: {done.outcome or 'queued before'}. Give the link to the municipality yourself."
        )
        return 1
    return 0


def list_generations(settings: Settings, year: int) -> int:
    from alis_nord.delivery_log import DeliveryRecords
    from alis_nord.reference_parsing import load_reference_data

    records = DeliveryRecords(settings.mail_queue_url.get_secret_value())
    participants = load_reference_data(settings.landing_dir).participants_in(year)
    print("kommunenummer\tname\tgeneration")
    for participant in sorted(participants, key=lambda p: p.kommunenummer):
        print(
            f"{participant.kommunenummer}\t{participant.navn}\t{records.generation(participant.kommunenummer)}"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m service.delivery_links", description=__doc__.split("\n\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    revoking = commands.add_parser(
        "revoke", help="void every link of a municipality and send it a new one for the year"
    )
    revoking.add_argument("kommunenummer", type=_kommunenummer)
    revoking.add_argument(
        "--aar", type=_year, default=None, help="the report year of the new link (default: last year)"
    )
    inviting = commands.add_parser(
        "invite", help="ask every participant of the year for its figures, with its link (once each)"
    )
    inviting.add_argument("--aar", type=_year, default=None, help="the report year (default: last year)")
    listing = commands.add_parser("list", help="each participant of the year and the generation of its links")
    listing.add_argument("--aar", type=_year, default=None, help="the report year (default: last year)")
    args = parser.parse_args(argv)
    settings = Settings()
    year = args.aar if args.aar is not None else _year(None)
    if args.command == "invite":
        return invite(settings, year)
    if args.command == "revoke":
        return revoke(settings, args.kommunenummer, year)
    return list_generations(settings, year)


if __name__ == "__main__":
    sys.exit(main())
