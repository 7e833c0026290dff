"""Time in the mail queue, for the tests: what the passing of a deferred message's retry interval does."""

from __future__ import annotations

import datetime as dt

from alis_nord.mail_queue import DEFERRED, MailQueue


def retry_time_has_come(database_url: str) -> None:
    """What the passing of a deferred message's retry interval does: it is due now."""

    from alis_nord.schema import outgoing_mail

    with MailQueue(database_url).engine.begin() as conn:
        conn.execute(
            outgoing_mail.update()
            .where(outgoing_mail.c.state == DEFERRED)
            .values(next_attempt_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
