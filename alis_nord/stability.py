"""Do the GPs stay? ALIS by the year they started, and how many are still in a position in a
participating municipality 1, 2 and 3 years later (objective 1: recruitment *and stability*).

The rules, as the report states them (``RULES``):

- A person is an ``alis_id``: the submission format has a doctor keep the id across years.
- The start year is the year of ``startdato`` in the person's first accepted row.
- A person is in a position at the end of year Y when an accepted ``alis`` row of Y, in any
  participating municipality, has a status other than ``sluttet`` at year end; or when the
  person finished as a specialist (status ``spesialist``) in Y or earlier, since completing
  the training is what the programme is for and a specialist leaves the ALIS tables.
- Moving between participating municipalities keeps the person in a position. Leaving and
  coming back counts the years as they were: out in the year between, in again after.
- An id that appears in two municipalities in the same year is one person, as a move is; the
  data cannot tell a reused id from a move, which is why the format forbids reusing one.
- A count for Y + k is shown only once year Y + k has been reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

RETENTION_YEARS = (1, 2, 3)
LEFT = "sluttet"
FINISHED = "spesialist"
RULES = (
    "Hver lege følges med sin ALIS-id fra år til år; startåret er året i startdatoen i legens første rad.",
    "I stilling ved utgangen av et år: legen står i årets ALIS-tabell i en deltakerkommune med en annen "
    "status enn «sluttet», eller er blitt ferdig spesialist det året eller før.",
    "Flytting mellom deltakerkommuner teller som å bli. Den som slutter og kommer tilbake, telles ut "
    "året imellom og inn igjen etterpå. Samme id i to kommuner samme år er én lege.",
    "Et tall for et senere år vises først når det året er rapportert.",
)


@dataclass(frozen=True)
class Cohort:
    """The ALIS who started in one year, and how many were in a position k years later."""

    start_year: int
    members: tuple[str, ...]  # the alis_ids, sorted
    retained: Mapping[
        int, int | None
    ]  # k → in a position at the end of start_year + k; None: not reported yet

    @property
    def started(self) -> int:
        return len(self.members)


def cohorts(
    alis_by_year: Mapping[int, list[dict[str, Any]]], first_year: int, last_year: int
) -> list[Cohort]:
    """One cohort per start year from ``first_year`` to ``last_year``, from each year's accepted
    ``alis`` rows (``alis_by_year``: report year → rows)."""
    first_row: dict[str, dict[str, Any]] = {}
    in_position: dict[str, set[int]] = {}
    finished: dict[str, int] = {}
    for year in sorted(alis_by_year):
        for row in sorted(alis_by_year[year], key=lambda r: (r["kommunenummer"], r["alis_id"])):
            person = row["alis_id"]
            first_row.setdefault(person, row)
            if row["status"] != LEFT:
                in_position.setdefault(person, set()).add(year)
            if row["status"] == FINISHED:
                finished[person] = min(finished.get(person, year), year)

    def holds_position(person: str, year: int) -> bool:
        return year in in_position.get(person, set()) or finished.get(person, year + 1) <= year

    reported = set(alis_by_year)
    result = []
    for start in range(first_year, last_year + 1):
        members = tuple(sorted(p for p, row in first_row.items() if row["startdato"].year == start))
        retained = {
            k: sum(1 for p in members if holds_position(p, start + k)) if start + k in reported else None
            for k in RETENTION_YEARS
        }
        result.append(Cohort(start, members, retained))
    return result
