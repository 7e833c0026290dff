"""What goes back to the municipalities: each one's status, a feedback page each (by e-mail once
per delivered version), the project office's overview, and next year's template."""

from dataclasses import dataclass, field

from dagster import AssetCheckResult, AssetCheckSeverity, Failure, MaterializeResult, MetadataValue

from alis_nord.declared import DeclaredTables
from alis_nord.stored import DELIVERY_STATUS, FEEDBACK, REFERENCE_DATA
from alis_nord.vocabulary import KEEPS_ROW_OUT
from assets.metadata import markdown_table
from glue.resources import DeliveryLinks, MailQueueResource, MailServer, OutputArea
from glue.yearly import yearly_asset, yearly_check

CONTACTS_VALID = "contact_addresses_valid"


@yearly_asset(
    reads=DELIVERY_STATUS + REFERENCE_DATA,
    writes=("delivery_status",),
    description=(
        "Each participant's status per table: mangler (nothing received), har feil (a fatal or error "
        "finding), godkjent (accepted, warnings allowed) or ingenting å rapportere (the table sent with "
        "its header row only), with the latest delivery's file, version and time."
    ),
)
def delivery_status(year: int, stored: DeclaredTables) -> MaterializeResult:
    from alis_nord.deliveries import STATUS_ORDER, municipality_statuses, status_rows, table_statuses
    from alis_nord.landing import TABLES
    from alis_nord.norsk import tidspunkt

    reference = stored.reference()
    statuses = table_statuses(year, reference, stored.stored_rows(DELIVERY_STATUS))
    stored.replace({"delivery_status": status_rows(statuses)})
    municipalities = municipality_statuses(reference, statuses, year)
    return MaterializeResult(
        metadata={
            **{
                status.replace(" ", "_"): sum(1 for m in municipalities if m.status == status)
                for status in STATUS_ORDER
            },
            "status": markdown_table(
                ["kommune", "status", *TABLES, "latest delivery"],
                [
                    [f"{m.navn} ({m.kommunenummer})", m.status, *(t.status for t in m.tables)]
                    + [tidspunkt(m.received_at) if m.received_at else "–"]
                    for m in municipalities
                ],
            ),
        }
    )


@yearly_asset(
    reads=FEEDBACK + REFERENCE_DATA,
    kinds={"html"},
    description=(
        "feedback/<kommunenummer>.html for every participant and every other sender: its status per "
        "table, what was received, accepted and quarantined, each finding with file, row, column, value "
        "and a message in bokmål, and the e-mail it was sent; feedback/index.html, the project office's "
        "overview, with the log of every file delivered through the delivery page. A municipality with "
        "addresses in deltakerkommuner.csv gets its page by e-mail once per delivered version, with its "
        "personal link to the delivery page (with ALIS_DELIVERY_SECRET): queued for the SMTP server, or "
        "without ALIS_SMTP_HOST written as .eml under utsendinger/ for the office to send."
    ),
)
def municipality_feedback(
    year: int,
    stored: DeclaredTables,
    output: OutputArea,
    mail_server: MailServer,
    mail_queue: MailQueueResource,
    delivery_links: DeliveryLinks,
) -> MaterializeResult:
    from alis_nord.feedback import feedback_pages

    queue, reference = mail_queue.open(), stored.reference()
    rows = stored.stored_rows(FEEDBACK)
    pages = feedback_pages(year, reference, rows)
    statuses = _statuses(year, reference, rows)
    mailed = _mail_feedback(year, pages, statuses, reference, output, mail_server, queue, delivery_links)
    sent = queue.about(year)
    deliveries = delivery_links.records().about(year)  # the delivery page's log, in the mail database
    directory = _publish_feedback(year, pages, statuses, reference, sent, deliveries, output)
    if (
        mailed.not_written
    ):  # the pages are published; the run fails so the office sees it, and the next writes them
        raise Failure(
            description=f"{len(mailed.not_written)} feedback e-mail(s) could not be written as .eml: "
            + "; ".join(mailed.not_written),
            metadata={"not_written": MetadataValue.text("\n".join(mailed.not_written))},
        )
    return MaterializeResult(metadata=_feedback_metadata(pages, directory, mailed, sent, deliveries))


@dataclass
class _Mailed:
    """What a run did with the feedback e-mail."""

    by_smtp: bool  # sent through ALIS_SMTP_HOST, or written as .eml
    restored: list[str]  # .eml files written again
    links: str  # whether the e-mails carry the delivery page's link, and until when it works
    handed_over: list[str] = field(default_factory=list)
    not_written: list[str] = field(default_factory=list)


def _statuses(year: int, reference, rows) -> dict:
    """Each participant's overall status, by kommunenummer."""
    from alis_nord.deliveries import municipality_statuses, statuses_from_rows

    return {
        m.kommunenummer: m
        for m in municipality_statuses(reference, statuses_from_rows(rows["delivery_status"]), year)
    }


def _mail_feedback(
    year: int, pages, statuses: dict, reference, output: OutputArea, mail_server, queue, links: DeliveryLinks
) -> _Mailed:
    """Each delivered version's page by e-mail, once, with the municipality's link to its delivery
    page: queued for the SMTP server, or written as .eml under utsendinger/ (and any .eml lost since
    written again). The key is the delivered version's, link or not: a link never makes a second."""
    from datetime import UTC, datetime

    from alis_nord.deliveries import deadline_of, delivery_key, feedback_mail, office
    from alis_nord.outbox import hand_over, restore_eml

    settings, now = mail_server.settings(), datetime.now(UTC)
    eml_dir = output.year_dir(year) / "utsendinger"
    restored = [] if settings else restore_eml(queue, year, eml_dir, mail_server.sender)
    deadline = deadline_of(reference, year)
    mailed = _Mailed(bool(settings), restored, _links_said(year, deadline, links))
    for page in pages:
        status = statuses.get(page.kommunenummer)
        if status is None or not status.contacts or not page.files:
            continue
        link = links.link_for(page.kommunenummer, year, deadline)
        mail = feedback_mail(page, status, office(reference), deadline, link)
        files = {f["path"]: f["sha256"] for f in page.files}
        try:
            outcome = hand_over(
                queue,
                delivery_key(year, status, files),
                mail,
                settings=settings,
                sender=mail_server.sender,
                eml_dir=eml_dir,
                now=now,
                kind="feedback",
                about_year=year,
                kommunenummer=page.kommunenummer,
                version=status.version,
            )
        except OSError as error:  # a full disk: nothing recorded, so the next run writes it
            mailed.not_written.append(f"{page.kommunenummer}: {error}")
            continue
        if outcome:
            mailed.handed_over.append(f"{page.kommunenummer}: {outcome}")
    return mailed


def _links_said(year: int, deadline, links: DeliveryLinks) -> str:
    """Whether the year's e-mails carry the delivery page's link, for the metadata."""
    from alis_nord.deliveries import today_in_norway
    from alis_nord.delivery_links import valid_until

    if not links.secret:
        return "none: no ALIS_DELIVERY_SECRET, the e-mails say to send the files by e-mail"
    last_day = valid_until(deadline, links.days_after)
    if today_in_norway() > last_day:
        return f"none: {year}'s links stopped working on {last_day.isoformat()}"
    return f"in the e-mails (ALIS_DELIVERY_SECRET), working until {last_day.isoformat()}"


def _publish_feedback(
    year: int, pages, statuses: dict, reference, sent: list[dict], deliveries: list[dict], output: OutputArea
):
    """The pages and the overview, with the e-mail sent to each and, in the overview, every file
    delivered through the delivery page; a re-run replaces them all at once."""
    from alis_nord.feedback import project_name, render_feedback, render_overview
    from alis_nord.publishing import publish_folder

    by_municipality = {
        k: [m for m in sent if m["kommunenummer"] == k] for k in {m["kommunenummer"] for m in sent}
    }
    return publish_folder(
        output.year_dir(year) / "feedback",
        {
            **{
                f"{page.kommunenummer}.html": render_feedback(
                    page, statuses.get(page.kommunenummer), by_municipality.get(page.kommunenummer, [])
                ).encode("utf-8")
                for page in pages
            },
            "index.html": render_overview(
                year, project_name(reference), list(statuses.values()), sent, deliveries, reference.name_of
            ).encode("utf-8"),
        },
    )


def _feedback_metadata(pages, directory, mailed: _Mailed, sent: list[dict], deliveries: list[dict]) -> dict:
    from alis_nord.delivery_log import OUTCOMES_NB
    from alis_nord.mail_queue import UNDELIVERABLE, refused_recipients

    failed = [m for m in sent if m["state"] == UNDELIVERABLE or refused_recipients(m)]
    return {
        "pages": len(pages),
        "municipalities_with_errors": sum(
            1 for p in pages if any(p.count(severity) for severity in KEEPS_ROW_OUT)
        ),
        "folder": MetadataValue.path(str(directory)),
        "overview_page": MetadataValue.path(str(directory / "index.html")),
        "feedback_mail": MetadataValue.text(
            (
                "sent by e-mail (ALIS_SMTP_HOST)"
                if mailed.by_smtp
                else "written as .eml under utsendinger/ (no ALIS_SMTP_HOST)"
            )
            + f": {len(mailed.handed_over)} new this run"
        ),
        "handed_over": MetadataValue.text(
            ", ".join(mailed.handed_over) or "none: every delivered version was mailed before"
        ),
        "eml_written_back": MetadataValue.text(", ".join(mailed.restored) or "none missing"),
        "delivery_links": MetadataValue.text(mailed.links),
        # the delivery page's log of the year (the overview lists each file)
        "deliveries_logged": len(deliveries),
        "deliveries_by_outcome": MetadataValue.text(
            ", ".join(
                f"{OUTCOMES_NB[outcome]}: {count}"
                for outcome in OUTCOMES_NB
                if (count := sum(1 for d in deliveries if d["outcome"] == outcome))
            )
            or "none"
        ),
        "undeliverable": markdown_table(
            ["kommunenummer", "what", "refused by the server, or why not sent"],
            [[m["kommunenummer"], m["kind"], _why_not_delivered(m)] for m in failed],
        )
        if failed
        else "none",
        "overview": markdown_table(
            ["kommunenummer", "name", "received", "accepted", "quarantined", "fatal", "error", "warning"],
            [
                [p.kommunenummer, p.navn, p.received, p.accepted, p.quarantined]
                + [p.count("fatal"), p.count("error"), p.count("warning")]
                for p in pages
            ],
        ),
    }


def _why_not_delivered(message: dict) -> str:
    from alis_nord.mail_queue import refused_recipients

    refused = "; ".join(f"{r}: {record['diagnostic']}" for r, record in refused_recipients(message))
    return refused or message["last_error"] or ""


@yearly_check(
    asset=delivery_status,
    name=CONTACTS_VALID,
    blocking=False,
    reads=REFERENCE_DATA,
    description=(
        "Every address in deltakerkommuner.csv's epost column is one e-mail address (within RFC 5321's "
        "limits), and no name holds a line break or control character. An address that is not (a typo, a "
        "line break, a header smuggled in) is left out, so its municipality gets no e-mail there; such a "
        "name is used with spaces in their place until it is corrected."
    ),
)
def contact_addresses_valid(year: int, stored: DeclaredTables) -> AssetCheckResult:
    reference = stored.reference()
    findings = reference.contact_findings
    without = [p.kommunenummer for p in reference.participants_in(year) if not p.epost]
    return AssetCheckResult(
        passed=not findings,
        severity=AssetCheckSeverity.WARN,
        metadata={
            "refused": markdown_table(
                ["file", "row", "kommunenummer", "value", "why"],
                [[f.fil, f.rad, f.kommunenummer, repr(f.verdi), f.melding] for f in findings],
            )
            if findings
            else "–",
            "participants_without_address": MetadataValue.text(", ".join(without) or "–"),
        },
    )


@yearly_asset(
    reads=REFERENCE_DATA,
    kinds={"excel"},
    description=(
        "innsendingsmal-<year>.xlsx: the submission template generated from data_contracts/ — one "
        "sheet per table with drop-down lists, formats and input checks, and an instructions sheet."
    ),
)
def submission_template(year: int, stored: DeclaredTables, output: OutputArea) -> MaterializeResult:
    from alis_nord.feedback import project_name
    from alis_nord.publishing import publish_files
    from alis_nord.template import submission_template as template_bytes

    reference = stored.reference()
    path = output.year_dir(year) / f"innsendingsmal-{year}.xlsx"
    frist = reference.profile.frist if reference.profile else ""
    publish_files(path.parent, {path.name: template_bytes(year, project_name(reference), frist)})
    return MaterializeResult(metadata={"template": MetadataValue.path(str(path))})
