"""The delivery page's records, in the mail database beside the mail queue: the log of every file
a municipality delivered (``delivery_log``) and the generation of each municipality's links
(``delivery_links``, ``alis_nord.delivery_links``).

Both are records of what happened, not figures derived from the landing area: rebuilding the
warehouse keeps them (docs/operations.md, Backups and recovery), and docs/personvern.md says how
long each is kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from alis_nord.delivery_links import FIRST_GENERATION
from alis_nord.schema import delivery_links, delivery_log

# what became of a delivered file (the log's ``outcome``)
STORED = "stored"  # stored as the next version, no finding that keeps a row out
STORED_WITH_ERRORS = "stored_with_errors"  # stored; some rows are kept out until corrected
REFUSED = "refused"  # not stored: a fatal finding, not a table of the contract, too large, …
NOTHING_TO_REPORT = "nothing_to_report"  # «ingenting å rapportere»: the header-only table stored
OUTCOMES_NB = {
    STORED: "lagret",
    STORED_WITH_ERRORS: "lagret, med feil som må rettes",
    REFUSED: "ikke lagret",
    NOTHING_TO_REPORT: "lagret: ingenting å rapportere",
}


@dataclass(frozen=True)
class Delivery:
    """One row of the log, before it is written."""

    received_at: dt.datetime
    about_year: int
    kommunenummer: str
    sent_name: str
    sha256: str
    size: int
    link_id: str
    outcome: str
    table_name: str | None = None
    stored_name: str | None = None
    client_address: str | None = None
    answer: Any = None  # the control's findings as the page shows them (JSON)


class DeliveryRecords:
    """The ``delivery_log`` and ``delivery_links`` tables of the mail database."""

    def __init__(self, url: str):
        from alis_nord.warehouse import engine_for

        self.url = url
        self.engine = engine_for(url)

    # ------------------------------------------------------------------ links

    def generation(self, kommunenummer: str) -> int:
        with self.engine.connect() as conn:
            value = conn.execute(
                sa.select(delivery_links.c.generation).where(delivery_links.c.kommunenummer == kommunenummer)
            ).scalar()
        return FIRST_GENERATION if value is None else value

    def revoke(self, kommunenummer: str, now: dt.datetime) -> int:
        """Void every link of ``kommunenummer`` made so far; the generation new links are made in."""
        with self.engine.begin() as conn:
            current = conn.execute(
                sa.select(delivery_links.c.generation)
                .where(delivery_links.c.kommunenummer == kommunenummer)
                .with_for_update()
            ).scalar()
            if current is None:
                conn.execute(
                    delivery_links.insert().values(
                        kommunenummer=kommunenummer, generation=FIRST_GENERATION + 1, revoked_at=now
                    )
                )
                return FIRST_GENERATION + 1
            conn.execute(
                delivery_links.update()
                .where(delivery_links.c.kommunenummer == kommunenummer)
                .values(generation=current + 1, revoked_at=now)
            )
            return current + 1

    # ------------------------------------------------------------------ the log

    def record(self, delivery: Delivery) -> int:
        """Log one delivered file; its id."""
        with self.engine.begin() as conn:
            result = conn.execute(delivery_log.insert().values(**vars(delivery)))
            return result.inserted_primary_key[0]

    def entry(self, entry_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = (
                conn.execute(sa.select(delivery_log).where(delivery_log.c.id == entry_id)).mappings().first()
            )
        return dict(row) if row else None

    def about(self, year: int, kommunenummer: str | None = None) -> list[dict[str, Any]]:
        """A year's deliveries (one municipality's when given), oldest first."""
        query = sa.select(delivery_log).where(delivery_log.c.about_year == year)
        if kommunenummer is not None:
            query = query.where(delivery_log.c.kommunenummer == kommunenummer)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query.order_by(delivery_log.c.id)).mappings()]
