"""Small-count suppression (prikking) for every published table of persons.

Official Norwegian statistics never publish a count of fewer than 3 persons: the cell is
shown as ``:`` ("kan ikke offentliggjøres"). A suppressed cell must not be computable back
from what *is* published either, so whenever a table shows a total, suppression spreads:

1. **Primary**: every count of 1 or 2 persons (a total included) is suppressed. A zero is
   shown: it names no one.
2. **Secondary**, repeated until nothing changes, for every sum the table shows
   (``total = part + part + …``; a row total, a column total, the grand total):

   a. one suppressed member alone could be computed as total minus the rest, so one more is
      suppressed: the smallest part that is not zero; where none is left, the total (a zero is
      never chosen: beside the table's shown zeros it would hide nothing);
   b. when the total is shown, the suppressed parts together are computable
      (total minus the shown parts); if that sum is 1 or 2 persons, one more part is
      suppressed the same way, and where no part is left, the total itself.

3. **Audit**: several sums together can still give a withheld count away (two rows and a
   column can pin a cell that no single sum pins). For each withheld count of 1 or 2 the audit
   asks whether it could take another value given everything shown (linear algebra over the
   sums; linear programming for the least and greatest value where a zero could block); while
   one is pinned, a shown cell beside it is withheld and rule 2 runs again.

These are the singleton and small-sum rules of cell suppression, with the audit of
tau-Argus; ``tests/test_disclosure.py`` checks random tables the same way.

Tables that share figures are suppressed together (``Publication``), so one table never gives
away what another hides. Averages of fewer than 3 persons are suppressed too (``average_of``), since an average of
one is that person's value.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Generic, TypeVar

SMALL_COUNT_LIMIT = 3  # counts of 1 and 2 persons are never published
SUPPRESSED_MARK = ":"


class _Suppressed:
    """A published cell whose value is withheld; prints as ``:``."""

    _instance: _Suppressed | None = None

    def __new__(cls) -> _Suppressed:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __str__(self) -> str:
        return SUPPRESSED_MARK

    def __repr__(self) -> str:
        return "SUPPRESSED"


SUPPRESSED = _Suppressed()
"""The one marker for a withheld cell. Templates print it as ``:`` (filter ``antall``)."""

PublishedCount = int | _Suppressed
K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class SumRelation(Generic[K]):
    """``total = Σ parts``, as a reader of the table can see it."""

    total: K
    parts: tuple[K, ...]


def is_small(count: int) -> bool:
    return 0 < count < SMALL_COUNT_LIMIT


def cells_to_suppress(counts: Mapping[K, int], relations: Sequence[SumRelation[K]]) -> set[K]:
    """The cells to withhold: primary small counts, secondary cells by the rules above, then
    the audit: while a withheld count of 1 or 2 can still be worked out exactly from
    everything shown (several sums together can do what one cannot), one more cell next to it
    is withheld and the rules run again."""
    order = {key: position for position, key in enumerate(counts)}
    suppressed = _spread({key for key, count in counts.items() if is_small(count)}, counts, relations, order)
    while exposed := _exposed_small_counts(suppressed, counts, relations):
        covers = {_cover_for(cell, suppressed, counts, relations, order) for cell in exposed} - {None}
        if not covers:  # everything in a sum is withheld already: nothing more to hide
            break
        suppressed = _spread(suppressed | covers, counts, relations, order)
    return suppressed


def _cover_for(cell: K, suppressed: set[K], counts: Mapping[K, int], relations, order) -> K | None:
    """A shown cell to withhold beside an exposed one: in the sums it belongs to, the smallest
    non-zero shown part, else a shown total, else a shown zero; where its own sums are all
    withheld already (other sums pin it), the smallest shown cell of any sum. ``None`` when
    nothing is shown any more."""

    def candidates(around: list[SumRelation[K]]) -> list[tuple]:
        found = []
        for relation in around:
            for key in (relation.total, *relation.parts):
                if key not in suppressed:
                    rank = 0 if key in relation.parts and counts[key] else 1 if key == relation.total else 2
                    found.append((rank, counts[key], order[key], key))
        return found

    own = [r for r in relations if cell == r.total or cell in r.parts]
    found = candidates(own) or candidates(list(relations))
    return min(found)[3] if found else None


def _exposed_small_counts(suppressed: set[K], counts: Mapping[K, int], relations) -> list[K]:
    """Withheld counts of 1 or 2 that a reader could still compute exactly from every shown
    cell, every sum and that no count is negative (the intruder's view, as in tau-Argus).

    The true counts are one solution a reader cannot tell from others. A withheld cell can
    take another value exactly when some change of the withheld cells keeps every sum (a
    direction in the null space of the sums) and moves no zero below zero. Without zeros in
    the way that is plain linear algebra; otherwise linear programming finds the least and
    greatest value the cell could have.
    """
    import numpy as np

    hidden = [k for k in counts if k in suppressed]
    index = {key: i for i, key in enumerate(hidden)}
    equations, constants = [], []
    for relation in relations:
        row = np.zeros(len(hidden))
        constant = 0
        for key, sign in ((relation.total, -1), *((p, 1) for p in relation.parts)):
            if key in index:
                row[index[key]] += sign
            else:
                constant -= sign * counts[key]
        if row.any():
            equations.append(row)
            constants.append(constant)
    small = [k for k in hidden if is_small(counts[k])]
    if not equations:  # no sum names a withheld cell: nothing pins any of them
        return []
    a_eq = np.array(equations)
    _, singular, vt = np.linalg.svd(a_eq)
    rank = int((singular > 1e-9).sum())
    null_space = vt[rank:].T  # hidden × free directions
    movable = np.abs(null_space).max(axis=1, initial=0) > 1e-9  # all False when there is no free direction
    zeros_in_the_way = any(counts[k] == 0 and movable[index[k]] for k in hidden)
    exposed = []
    for key in small:
        if not movable[index[key]]:
            exposed.append(key)  # the sums alone determine it
        elif zeros_in_the_way and _pinned_by_bounds(index[key], a_eq, np.array(constants)):
            exposed.append(key)
    return exposed


def _pinned_by_bounds(position: int, a_eq, b_eq) -> bool:
    import numpy as np
    from scipy.optimize import linprog

    objective = np.zeros(a_eq.shape[1])
    objective[position] = 1
    low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    return high.status != 3 and (-high.fun) - low.fun < 0.5  # status 3: no upper bound at all


def _spread(suppressed: set[K], counts: Mapping[K, int], relations, order) -> set[K]:
    """Rules 2a and 2b until nothing changes."""
    suppressed = set(suppressed)

    def next_member(relation: SumRelation[K]) -> K:
        """The cell to suppress next in a sum: the smallest non-zero part (it hides the most
        for the least loss); where none is left, the total. Never a zero: beside the shown
        zeros of a table it would hide nothing, and it would make the audit much harder."""
        non_zero = [k for k in relation.parts if k not in suppressed and counts[k] != 0]
        if non_zero:
            return min(non_zero, key=lambda k: (counts[k], order[k]))
        return relation.total  # already withheld, perhaps: then nothing is added

    changed = True
    while changed:
        changed = False
        for relation in relations:
            members = (relation.total, *relation.parts)
            hidden = [k for k in members if k in suppressed]
            if not hidden:
                continue
            extra = None
            if len(hidden) == 1:
                extra = next_member(relation)
            elif relation.total not in suppressed:
                hidden_sum = sum(counts[k] for k in relation.parts if k in suppressed)
                if is_small(hidden_sum):
                    extra = next_member(relation)
            if extra is not None and extra not in suppressed:
                suppressed.add(extra)
                changed = True
    return suppressed


def publish(counts: Mapping[K, int], relations: Sequence[SumRelation[K]] = ()) -> dict[K, PublishedCount]:
    """The counts as they may be printed: suppressed cells replaced by ``SUPPRESSED``."""
    hidden = cells_to_suppress(counts, relations)
    return {key: SUPPRESSED if key in hidden else count for key, count in counts.items()}


# ---------------------------------------------------------------- linked tables


class Publication:
    """Every count of persons one report publishes, suppressed *jointly*.

    The same figure often appears in several tables (the number of ALIS with næringsdrift is a
    key figure, a column total of the table per municipality and a cell of the trend table).
    Suppressing each table on its own could hide a figure in one table and show it, or what
    gives it away, in another. So every table registers its cells under shared keys and its
    sums as relations here, and all are suppressed in one pass.

    Keys are tuples naming the figure (``("alis", "form", "fastlønn")``). A cell registered
    twice must have the same value. Read published values with ``publication[key]``; after
    the first read, nothing more can be registered.
    """

    def __init__(self) -> None:
        self._counts: dict[Hashable, int] = {}
        self._relations: list[SumRelation] = []
        self._published: dict[Hashable, PublishedCount] | None = None

    def count(self, key: Hashable, value: int) -> Hashable:
        if self._published is not None:
            raise RuntimeError("the publication is already suppressed; register every table first")
        if key in self._counts and self._counts[key] != value:
            raise ValueError(f"{key!r} registered as {self._counts[key]} and as {value}")
        self._counts[key] = value
        return key

    def relate(self, total: Hashable, parts: Sequence[Hashable]) -> None:
        self._relations.append(SumRelation(total, tuple(parts)))

    def partition(self, total: Hashable, parts: Mapping[Hashable, int]) -> None:
        """Categories that add up to a shown total (ALIS by hospital-service status)."""
        for key, value in parts.items():
            self.count(key, value)
        self.count(total, sum(parts.values()))
        self.relate(total, list(parts))

    def two_way(
        self,
        cells: Mapping[tuple[Hashable, Hashable], int],
        rows: Sequence[Hashable],
        columns: Sequence[Hashable],
        row_total: Callable[[Hashable], Hashable],
        column_total: Callable[[Hashable], Hashable],
        grand_total: Hashable,
        cell_key: Callable[[Hashable, Hashable], Hashable],
    ) -> None:
        """A rows × columns table with row totals, column totals and the grand total."""
        for r in rows:
            for c in columns:
                self.count(cell_key(r, c), cells.get((r, c), 0))
        for r in rows:
            self.count(row_total(r), sum(cells.get((r, c), 0) for c in columns))
            self.relate(row_total(r), [cell_key(r, c) for c in columns])
        for c in columns:
            self.count(column_total(c), sum(cells.get((r, c), 0) for r in rows))
            self.relate(column_total(c), [cell_key(r, c) for r in rows])
        self.count(grand_total, sum(cells.values()))
        self.relate(grand_total, [row_total(r) for r in rows])
        self.relate(grand_total, [column_total(c) for c in columns])

    def has(self, key: Hashable) -> bool:
        return key in self._counts

    def value(self, key: Hashable) -> int:
        """The true count, for arithmetic that is never printed (such as a comparison)."""
        return self._counts[key]

    def __getitem__(self, key: Hashable) -> PublishedCount:
        if self._published is None:
            self._published = publish(self._counts, self._relations)
        return self._published[key]

    def suppressed(self, keys: Sequence[Hashable]) -> int:
        return sum(1 for key in keys if self[key] is SUPPRESSED)


def average_of(values: Sequence[Decimal], places: int = 1) -> Decimal | _Suppressed | None:
    """The mean, rounded half-up to ``places``; withheld for 1–2 persons, ``None`` for none."""
    if not values:
        return None
    if is_small(len(values)):
        return SUPPRESSED
    mean = sum(values) / len(values)
    return mean.quantize(Decimal(10) ** -places, rounding=ROUND_HALF_UP)
