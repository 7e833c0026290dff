"""Alerts by e-mail: the project office hears of every failed run once.

Two of Dagster's sensors, both on by default (the daemon runs them):

- ``run_failure_alert`` (Dagster's run-failure sensor) sees every failed run of this code location
  (scheduled, started by the landing-area sensor or launched by hand) once, and queues one e-mail
  in bokmål for it: the report year, the steps that failed and the blocking checks that hold the
  report (a blocking check that fails fails its run), the first line of the error and a link to the
  run. Queued in the mail queue under the run's id, so the same run is never queued twice.
- ``alert_mail_delivery`` hands queued messages to the SMTP server every tick: the alerts, and the
  feedback and reminders to the municipalities (``alis_nord.outbox.deliver_due_mail``; each
  message's state is kept by ``alis_nord.mail_queue``). It claims one message at a time and stops
  after ``DELIVERY_BUDGET_SECONDS``, so a slow server never makes a tick overrun Dagster's limit and
  an overlapping tick never sends a message that another holds. A recipient that refuses for good
  is failed and reported to the project office once; a delay or a server that is down is tried
  again later, the run's outcome untouched. When a municipality's message went, it asks for
  ``municipality_feedback`` of that year again, so the pages list it as sent (that run queues
  nothing new: every version was handed over before).

Without ``ALIS_SMTP_HOST`` or ``ALIS_ALERT_RECIPIENTS`` nothing is queued: the alert's text is
written to the sensor's log instead (the UI shows it under the sensor's ticks).
"""

import os
import socket
import uuid
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

from glue.resources import MailQueueResource, MailServer, ProjectOffice

ALERT_INTERVAL_SECONDS = 15  # a failed run is queued, and then sent, within about half a minute
# One tick sends for at most this long, well inside Dagster's 60-second limit for a sensor's
# evaluation (a message started near the end may take one SMTP time-out more); the rest wait.
DELIVERY_BUDGET_SECONDS = 25


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
    mail_queue: MailQueueResource,
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
    queued = mail_queue.open().queue(
        f"run-failure:{run.run_id}", OutgoingMail(recipients, subject, body), datetime.now(UTC)
    )
    context.log.info(f"Run {run.run_id}: alert {'queued' if queued else 'was queued before'}: {subject}")


@sensor(
    name="alert_mail_delivery",
    minimum_interval_seconds=ALERT_INTERVAL_SECONDS,
    default_status=DefaultSensorStatus.RUNNING,
    asset_selection=AssetSelection.assets("municipality_feedback"),  # its pages list what was sent
    description=(
        "Sends the queued e-mails through the SMTP server (ALIS_SMTP_HOST), one message at a time, "
        f"for at most {DELIVERY_BUDGET_SECONDS} seconds a tick; the rest wait for the next. A refused "
        "recipient (5xx) is failed and reported to the project office once; a delayed one (4xx) or a "
        "server that is down is tried again later; a message once sent is never sent again."
    ),
)
def alert_mail_delivery(
    context: SensorEvaluationContext,
    mail_queue: MailQueueResource,
    mail_server: MailServer,
    project_office: ProjectOffice,
) -> SkipReason | SensorResult:
    from alis_nord.mail import recipients_from_text
    from alis_nord.mail_queue import SENT, UNDELIVERABLE
    from alis_nord.outbox import deliver_due_mail

    settings = mail_server.settings()
    if settings is None:
        return SkipReason("No mail server (ALIS_SMTP_HOST): nothing is sent.")
    queue = mail_queue.open()
    outcomes = deliver_due_mail(
        queue,
        settings,
        worker=f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}",
        budget_seconds=DELIVERY_BUDGET_SECONDS,
        alert_recipients=recipients_from_text(project_office.alert_recipients),
        log=context.log,
    )
    sent = [mail_id for mail_id, state in outcomes if state == SENT]
    summary = (
        f"{len(sent)} sent, {sum(1 for _, s in outcomes if s == UNDELIVERABLE)} failed, "
        f"{sum(1 for _, s in outcomes if s not in (SENT, UNDELIVERABLE))} deferred; "
        f"{queue.waiting()} waiting."
    )
    years = queue.years_of(mail_id for mail_id, state in outcomes if state in (SENT, UNDELIVERABLE))
    if not years:
        return SkipReason(summary)
    context.log.info(summary)
    return SensorResult(
        run_requests=[  # keyed on the last message handled: each tick that sent some asks once
            RunRequest(
                run_key=f"pages-after-mail:{year}:{max(i for i, _ in outcomes)}", partition_key=str(year)
            )
            for year in years
        ]
    )
