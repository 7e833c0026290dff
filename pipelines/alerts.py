"""Alerts by e-mail: the project office hears of every failed run once.

Two of Dagster's sensors, both on by default (the daemon runs them):

- ``run_failure_alert`` (Dagster's run-failure sensor) sees every failed run of this code location
  (scheduled, started by the landing-area sensor or launched by hand) once, and queues one e-mail
  in bokmål for it: the report year, the steps that failed and the blocking checks that hold the
  report (a blocking check that fails fails its run), the first line of the error and a link to the
  run. Queued in the warehouse under the run's id, so the same run is never queued twice.
- ``alert_mail_delivery`` hands queued messages to the SMTP server every tick: the alerts, and the
  feedback and reminders to the municipalities (``alis_nord.outbox``). A server that is down or
  refuses is logged on the tick, the message stays queued and is tried at the next tick; the run's
  outcome is never touched. A message the server has taken is marked sent and never sent again.
  When a municipality's message went, it asks for ``municipality_feedback`` of that year again, so
  the pages list it as sent (that run queues nothing new: every version was handed over before).

Without ``ALIS_SMTP_HOST`` or ``ALIS_ALERT_RECIPIENTS`` nothing is queued: the alert's text is
written to the sensor's log instead (the UI shows it under the sensor's ticks).
"""

from datetime import UTC, datetime

from dagster import (
    AssetSelection,
    DagsterEventType,
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    run_failure_sensor,
    sensor,
)

from pipelines.resources import MailServer, ProjectOffice, WarehouseResource

ALERT_INTERVAL_SECONDS = 15  # a failed run is queued, and then sent, within about half a minute


def _years(tags: dict[str, str]) -> list[str]:
    if "dagster/partition" in tags:
        return [tags["dagster/partition"]]
    first, last = (
        tags.get("dagster/asset_partition_range_start"),
        tags.get("dagster/asset_partition_range_end"),
    )
    if first and last:
        return [first] if first == last else [f"{first}–{last}"]
    return []


def _root_cause(error):
    """The error that started it: Dagster wraps a body's exception in its own step error."""
    while error.cause is not None:
        error = error.cause
    return error


def _failed_blocking_checks(context: RunFailureSensorContext) -> list[str]:
    records = context.instance.get_records_for_run(
        run_id=context.dagster_run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    evaluations = [record.event_log_entry.dagster_event.event_specific_data for record in records]
    return sorted(
        {
            f"{e.check_name} ({e.asset_key.to_user_string()})"
            for e in evaluations
            if e is not None and not e.passed and e.blocking
        }
    )


@run_failure_sensor(
    name="run_failure_alert",
    minimum_interval_seconds=ALERT_INTERVAL_SECONDS,
    default_status=DefaultSensorStatus.RUNNING,
    description=(
        "Queues one e-mail to the project office (ALIS_ALERT_RECIPIENTS) for every failed run: the "
        "report year, what failed, the first line of the error and a link to the run. "
        "alert_mail_delivery sends it."
    ),
)
def run_failure_alert(
    context: RunFailureSensorContext,
    warehouse: WarehouseResource,
    mail_server: MailServer,
    project_office: ProjectOffice,
) -> None:
    from alis_nord.mail import OutgoingMail, recipients_from_text, run_failure_alert

    run = context.dagster_run
    step_failures = context.get_step_failure_events()
    errors = [_root_cause(e.event_specific_data.error) for e in step_failures if e.event_specific_data.error]
    subject, body = run_failure_alert(
        job_name=run.job_name,
        years=_years(run.tags),
        failed_steps=sorted({e.step_key for e in step_failures if e.step_key}),
        failed_checks=_failed_blocking_checks(context),
        error=errors[0].message if errors else context.failure_event.message,
        run_url=project_office.run_url(run.run_id),
    )
    recipients = recipients_from_text(project_office.alert_recipients)
    if mail_server.settings() is None or not recipients:
        context.log.warning(
            f"No e-mail settings (ALIS_SMTP_HOST, ALIS_ALERT_RECIPIENTS): not sent.\n{subject}\n{body}"
        )
        return
    queued = warehouse.open().queue_mail(
        f"run-failure:{run.run_id}", OutgoingMail(recipients, subject, body), datetime.now(UTC)
    )
    context.log.info(f"Run {run.run_id}: alert {'queued' if queued else 'was queued before'}: {subject}")


@sensor(
    name="alert_mail_delivery",
    minimum_interval_seconds=ALERT_INTERVAL_SECONDS,
    default_status=DefaultSensorStatus.RUNNING,
    asset_selection=AssetSelection.assets("municipality_feedback"),  # its pages list what was sent
    description=(
        "Sends the queued e-mails through the SMTP server (ALIS_SMTP_HOST). A server that is down is "
        "logged here and tried again at the next tick; a message once sent is never sent again."
    ),
)
def alert_mail_delivery(
    context: SensorEvaluationContext, warehouse: WarehouseResource, mail_server: MailServer
) -> SkipReason | SensorResult:
    from alis_nord.mail import MailNotSent, send

    settings = mail_server.settings()
    if settings is None:
        return SkipReason("No mail server (ALIS_SMTP_HOST): nothing is sent.")
    store = warehouse.open()
    unsent = store.unsent_mail()
    sent = []
    for mail_id, mail in unsent:
        try:
            message_id = send(mail, settings, datetime.now(UTC))
        except MailNotSent as error:
            store.record_mail_attempt(mail_id, sent_at=None, error=str(error))
            context.log.warning(f"Not sent, tried again at the next tick: {mail.subject}: {error}")
            break  # the server is down or refusing: the rest wait for the next tick too
        store.record_mail_attempt(mail_id, sent_at=datetime.now(UTC), message_id=message_id)
        context.log.info(f"Sent {message_id} to {', '.join(mail.recipients)}: {mail.subject}")
        sent.append(mail_id)
    summary = f"{len(sent)} of {len(unsent)} queued e-mails sent."
    years = store.years_of_mail(sent)
    if not years:
        return SkipReason(summary)
    context.log.info(summary)
    return SensorResult(
        run_requests=[  # keyed on the last message sent: each tick that sent some asks once
            RunRequest(run_key=f"pages-after-mail:{year}:{max(sent)}", partition_key=str(year))
            for year in years
        ]
    )
