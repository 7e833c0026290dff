"""Reminders to the municipalities before the deadline, run by Dagster's daemon.

``municipality_reminders`` looks once an hour: for every report year whose statuses are stored
(``delivery_status``) it sends the reminder due that day (``prosjekt.yaml``'s ``frist``, default 15
March of the year after, and ``purringer``, default 14 and 3 days before and the day after) to each
participant whose status is *mangler* or *har feil* for some table, once per offset, with its
personal link to the delivery page when ``ALIS_DELIVERY_SECRET`` is set (``DeliveryLinks``). With a
mail server the reminders are queued, and ``alert_mail_delivery`` sends them; without one they are
written as ``.eml`` under ``<year>/utsendinger/`` for the office to send.
"""

from datetime import UTC, datetime
from pathlib import Path

from dagster import DefaultSensorStatus, SensorEvaluationContext, SkipReason, sensor

from glue.resources import DeliveryLinks, MailQueueResource, MailServer, OutputArea, WarehouseResource

REMINDER_INTERVAL_SECONDS = 3600


@sensor(
    name="municipality_reminders",
    minimum_interval_seconds=REMINDER_INTERVAL_SECONDS,
    default_status=DefaultSensorStatus.RUNNING,
    description=(
        "Reminds the municipalities still missing a table, or with errors in one, at the offsets before "
        "the deadline in prosjekt.yaml (frist, purringer): each reminder once, with the municipality's link "
        "to its delivery page (ALIS_DELIVERY_SECRET). Queued for the mail server, or written as .eml under "
        "<year>/utsendinger/ without one."
    ),
)
def municipality_reminders(
    context: SensorEvaluationContext,
    warehouse: WarehouseResource,
    mail_queue: MailQueueResource,
    mail_server: MailServer,
    output: OutputArea,
    delivery_links: DeliveryLinks,
) -> SkipReason:
    from alis_nord.outbox import send_reminders

    now = datetime.now(UTC)
    handed_over = send_reminders(
        warehouse.open(),
        mail_queue.open(),
        now.date(),
        settings=mail_server.settings(),
        sender=mail_server.sender,
        output_root=Path(output.path),
        now=now,
        link_for=delivery_links.link_for,
    )
    for line in handed_over:
        context.log.info(f"Reminder {line}")
    return SkipReason(f"{len(handed_over)} reminders handed over." if handed_over else "No reminder due.")
