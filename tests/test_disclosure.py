"""Small-count suppression: fewer than 3 persons never show, and nothing gives them away.

Hand-worked cases for each rule, then an audit in the manner of statistical offices: for random
tables, linear programming finds the smallest and largest value each suppressed cell could have
given everything published; no count of 1 or 2 may be pinned to one value.
"""

from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from alis_nord.disclosure import SUPPRESSED, Publication, SumRelation, average_of, cells_to_suppress, publish
from alis_nord.norsk import antall, desimal
from tests.fuzzing import examples


def test_counts_of_one_and_two_are_suppressed_zero_and_three_are_shown():
    assert publish({"a": 0, "b": 1, "c": 2, "d": 3}) == {"a": 0, "b": SUPPRESSED, "c": SUPPRESSED, "d": 3}


def test_a_lone_suppressed_part_takes_the_smallest_non_zero_part_with_it():
    # total 12 = 1 + 0 + 4 + 7: the 1 is primary; alone it would be 12 − 0 − 4 − 7, so the
    # smallest non-zero other part (4) goes too; then 1 + 4 = 5 ≥ 3 is safe to leave derivable.
    counts = {"total": 12, "a": 1, "b": 0, "c": 4, "d": 7}
    assert cells_to_suppress(counts, [SumRelation("total", ("a", "b", "c", "d"))]) == {"a", "c"}


def test_two_suppressed_parts_that_add_up_to_under_three_take_a_third():
    # total 9 = 1 + 1 + 7: both 1s are primary, but together they are 9 − 7 = 2 persons, itself a
    # small count a reader can compute, so the 7 is suppressed as well (hidden sum 9).
    counts = {"total": 9, "a": 1, "b": 1, "c": 7}
    assert cells_to_suppress(counts, [SumRelation("total", ("a", "b", "c"))]) == {"a", "b", "c"}


def test_a_small_total_hides_with_its_parts():
    # total 2 = 2 + 0: both the part and the total are primary; the zero stays.
    assert publish({"total": 2, "a": 2, "b": 0}, [SumRelation("total", ("a", "b"))]) == {
        "total": SUPPRESSED,
        "a": SUPPRESSED,
        "b": 0,
    }


def test_linked_tables_suppress_a_shared_figure_everywhere():
    # Næringsdrift is 2 in all: it is a key figure and the column total of the table per
    # municipality. In the two-way table, fastlønn's column total must go too (the grand total
    # would give it away), and so it must be hidden in the key figures as well.
    publication = Publication()
    publication.two_way(
        {
            ("1804", "fastlønn"): 3,
            ("1804", "næringsdrift"): 1,
            ("1865", "fastlønn"): 4,
            ("1865", "næringsdrift"): 1,
        },
        rows=["1804", "1865"],
        columns=["fastlønn", "næringsdrift"],
        row_total=lambda k: ("row", k),
        column_total=lambda f: ("form", f),
        grand_total="all",
        cell_key=lambda k, f: (k, f),
    )
    publication.partition("all", {("form", "fastlønn"): 7, ("form", "næringsdrift"): 2})
    assert publication[("form", "næringsdrift")] is SUPPRESSED
    assert publication[("form", "fastlønn")] is SUPPRESSED
    assert publication["all"] == 9
    # within each row, the 1 takes the 3 and the 4 with it: 1804 shows 4 in all, 1865 shows 5
    assert [publication[("1804", f)] for f in ("fastlønn", "næringsdrift")] == [SUPPRESSED, SUPPRESSED]
    assert publication[("row", "1804")] == 4 and publication[("row", "1865")] == 5


def test_a_figure_registered_twice_must_agree():
    publication = Publication()
    publication.count("x", 4)
    try:
        publication.count("x", 5)
    except ValueError as error:
        assert "registered as 4" in str(error)
    else:  # pragma: no cover - the assertion above is the test
        raise AssertionError("a conflicting count was accepted")


def test_averages_of_fewer_than_three_are_withheld():
    assert average_of([Decimal(40), Decimal(50)]) is SUPPRESSED
    assert average_of([]) is None
    # (40 + 50 + 45.5) / 3 = 45.1666… → 45.2 (half-up to one decimal)
    assert average_of([Decimal(40), Decimal(50), Decimal("45.5")]) == Decimal("45.2")
    assert desimal(SUPPRESSED) == ":" and antall(SUPPRESSED) == ":" and antall(None) == "–"
    assert antall(1234) == "1\u00a0234"


def _interval(cell: int, suppressed: list, shown: dict, relations: list) -> tuple[float, float]:
    """The least and greatest value a suppressed cell can take, given every shown cell, every
    published sum, and that counts are not negative (the intruder's linear program)."""
    index = {key: i for i, key in enumerate(suppressed)}
    rows, rhs = [], []
    for relation in relations:
        members = [(relation.total, -1)] + [(p, 1) for p in relation.parts]
        row = np.zeros(len(suppressed))
        constant = 0
        for key, sign in members:
            if key in index:
                row[index[key]] += sign
            else:
                constant += sign * shown[key]
        if row.any():
            rows.append(row)
            rhs.append(-constant)
    bounds = [(0, None)] * len(suppressed)
    objective = np.zeros(len(suppressed))
    objective[index[cell]] = 1
    low = linprog(objective, A_eq=np.array(rows), b_eq=np.array(rhs), bounds=bounds, method="highs")
    high = linprog(-objective, A_eq=np.array(rows), b_eq=np.array(rhs), bounds=bounds, method="highs")
    return low.fun, (float("inf") if high.status == 3 else -high.fun)


@settings(max_examples=examples(80))  # derandomized in CI (tests/fuzzing.py)
@given(
    st.integers(2, 6).flatmap(
        lambda n_rows: st.integers(2, 4).flatmap(
            lambda n_cols: st.lists(
                st.lists(st.integers(0, 6), min_size=n_cols, max_size=n_cols),
                min_size=n_rows,
                max_size=n_rows,
            )
        )
    )
)
def test_no_suppressed_cell_of_a_table_can_be_computed_back(grid):
    cells = {(r, c): value for r, row in enumerate(grid) for c, value in enumerate(row)}
    rows, columns = range(len(grid)), range(len(grid[0]))
    publication = Publication()
    publication.two_way(
        cells, rows, columns, lambda r: ("R", r), lambda c: ("C", c), "T", lambda r, c: (r, c)
    )
    relations = publication._relations
    keys = list(publication._counts)
    published = {key: publication[key] for key in keys}
    suppressed = [key for key in keys if published[key] is SUPPRESSED]
    shown = {key: value for key, value in published.items() if value is not SUPPRESSED}

    assert not any(0 < value < 3 for value in shown.values())  # no small count is printed
    for key in suppressed:
        low, high = _interval(key, suppressed, shown, relations)
        # a withheld cell a reader can still pin down must be one that could have been shown
        # (0, or 3 and more, withheld only to protect another); a count of 1 or 2 never is
        assert high - low >= 1 or not 0 < publication._counts[key] < 3, f"{key} pinned to {low} in {grid}"


def test_a_supervision_warning_hides_with_under_42_hours():
    # 5 whole-year ALIS: 1 meets the requirement (primary), so "under" (4) is hidden beside it.
    # The 4 warnings for too little supervision are the same figure: they must hide as well.
    publication = Publication()
    publication.partition(("alis", "whole_year"), {"met": 1, ("alis", "supervision", "below"): 4})
    publication.count(("findings", "warning", "low_supervision"), 4)
    publication.relate(("findings", "warning", "low_supervision"), [("alis", "supervision", "below")])
    assert publication[("alis", "supervision", "below")] is SUPPRESSED
    assert publication[("findings", "warning", "low_supervision")] is SUPPRESSED


# ---------------------------------------------------------------- fixed grids, worked by hand


def test_the_next_part_to_hide_is_the_smallest_count_then_the_first_registered():
    # total 10 = 1 + 5 + 4: the 1 is primary and alone, so the smallest other part goes: p3 (4),
    # not p2 (5), though "p2" comes first by name
    counts = {"total": 10, "p1": 1, "p2": 5, "p3": 4}
    assert cells_to_suppress(counts, [SumRelation("total", ("p1", "p2", "p3"))]) == {"p1", "p3"}
    # a tie of 4 and 4: the first registered ("y") goes, not the first by name ("x")
    counts = {"total": 9, "z": 1, "y": 4, "x": 4}
    assert cells_to_suppress(counts, [SumRelation("total", ("z", "y", "x"))]) == {"z", "y"}


def test_a_two_by_two_table_spreads_through_rows_and_columns():
    # | 1 3 | 4      the 1 is primary; row 0 alone gives it away: the 3 beside it goes;
    # | 3 5 | 8      column 0 alone gives it away too: the 3 below goes; then row 1 has the
    # | 4 8 | 12     3 alone: the 5 goes. Every sum now has two hidden cells with a hidden sum of
    #               at least 4, and a + b = 4, c + d = 8, a + c = 4, b + d = 8 leave one free
    #               direction (+1, −1, −1, +1): the 1 could be 0, 1, 2, 3 or 4. Totals all shown.
    counts = {"a": 1, "b": 3, "c": 3, "d": 5, "R0": 4, "R1": 8, "C0": 4, "C1": 8, "T": 12}
    relations = [
        SumRelation("R0", ("a", "b")),
        SumRelation("R1", ("c", "d")),
        SumRelation("C0", ("a", "c")),
        SumRelation("C1", ("b", "d")),
        SumRelation("T", ("R0", "R1")),
        SumRelation("T", ("C0", "C1")),
    ]
    assert cells_to_suppress(counts, relations) == {"a", "b", "c", "d"}


def test_a_hidden_total_with_no_part_left_is_hidden_by_its_other_sum():
    # T = A + B (3 + 7) and T = a1 + a2 (1 + 9): the 1 is primary and alone in its sum, so the 9
    # goes; now T = 10 shows and a1 + a2 = 10 is safe. A and B are untouched.
    counts = {"T": 10, "A": 3, "B": 7, "a1": 1, "a2": 9}
    relations = [SumRelation("T", ("A", "B")), SumRelation("T", ("a1", "a2"))]
    assert cells_to_suppress(counts, relations) == {"a1", "a2"}
    # T = 1 = 1 + 0 in both sums: the three 1s are primary. Each sum then has its total and one
    # part hidden, and only T = A = a1 is known, by no shown figure: they are safe, the zeros stay
    counts = {"T": 1, "A": 1, "B": 0, "a1": 1, "a2": 0}
    assert cells_to_suppress(counts, relations) == {"T", "A", "a1"}


def test_the_linear_programming_audit_decides_when_a_zero_is_in_the_way():
    from alis_nord.disclosure import _exposed_small_counts

    # Withheld: a = 2, q = 0, m = 5, z = 0. Shown: s = 5, T1 = 7, X = 7, Y = 5.
    #   T1 = a + q + s  →  a + q = 2
    #   X  = a + m      →  a + m = 7
    #   Y  = m + z      →  m + z = 5
    # Three equations, four unknowns: one free direction (+1, −1, −1, +1) for (a, q, m, z), so
    # linear algebra alone says a can move. But q = 2 − a ≥ 0 gives a ≤ 2 and z = a − 2 ≥ 0 gives
    # a ≥ 2: no count is negative, so a reader knows a = 2. Only the LP step sees it.
    counts = {"a": 2, "q": 0, "m": 5, "z": 0, "s": 5, "T1": 7, "X": 7, "Y": 5}
    relations = [
        SumRelation("T1", ("a", "q", "s")),
        SumRelation("X", ("a", "m")),
        SumRelation("Y", ("m", "z")),
    ]
    assert _exposed_small_counts({"a", "q", "m", "z"}, counts, relations) == ["a"]
    # with Y hidden as well, z is free again (m + z = Y has no shown side): a is safe
    assert _exposed_small_counts({"a", "q", "m", "z", "Y"}, counts, relations) == []
    # and pinned by the sums alone: withheld a = 2 beside a shown 5 in X = 7 → a = 7 − 5
    assert _exposed_small_counts({"a"}, {"a": 2, "m": 5, "X": 7}, [SumRelation("X", ("a", "m"))]) == ["a"]


def test_the_bounds_check_itself():
    from alis_nord.disclosure import _pinned_by_bounds

    # a − z = 2 and a + q = 2, all ≥ 0: z = q = 0 and a = 2 exactly
    assert _pinned_by_bounds(0, np.array([[1.0, -1.0, 0.0], [1.0, 0.0, 1.0]]), np.array([2.0, 2.0]))
    # a + q = 2 alone: a anywhere from 0 to 2
    assert not _pinned_by_bounds(0, np.array([[1.0, 1.0]]), np.array([2.0]))
    # a − z = 2 alone: a from 2 upwards without end (no upper bound: not pinned)
    assert not _pinned_by_bounds(0, np.array([[1.0, -1.0]]), np.array([2.0]))
    # a + q = 0.4: a between 0 and 0.4, less than half a person apart: pinned
    assert _pinned_by_bounds(0, np.array([[1.0, 1.0]]), np.array([0.4]))
    # the second variable of a + q = 2, a = 2 (a second equation): q = 0
    assert _pinned_by_bounds(1, np.array([[1.0, 1.0], [1.0, 0.0]]), np.array([2.0, 2.0]))


def test_no_sum_names_a_withheld_cell_so_nothing_is_exposed():
    from alis_nord.disclosure import _exposed_small_counts

    assert _exposed_small_counts({"a"}, {"a": 1, "b": 5}, []) == []


def test_the_publication_reads_back_what_it_registered_and_counts_what_it_hid():
    publication = Publication()
    publication.partition(("alis", "total"), {("alis", "x"): 1, ("alis", "y"): 4, ("alis", "z"): 0})
    publication.count(("nye",), 7)
    assert publication.has(("alis", "x")) and publication.has(("nye",)) and not publication.has(("annet",))
    assert publication.value(("alis", "total")) == 5  # 1 + 4 + 0, the true count
    # the 1 is primary, the 4 goes with it (smallest non-zero), the zero and the total stay
    keys = [("alis", "x"), ("alis", "y"), ("alis", "z"), ("alis", "total"), ("nye",)]
    assert [publication[k] for k in keys] == [SUPPRESSED, SUPPRESSED, 0, 5, 7]
    assert publication.suppressed(keys) == 2
    assert repr(SUPPRESSED) == "SUPPRESSED" and str(SUPPRESSED) == ":"
    try:
        publication.count(("sent",), 3)
    except RuntimeError as refused:
        assert str(refused) == "the publication is already suppressed; register every table first"
    else:
        raise AssertionError("registering after the first read must be refused")


def test_a_two_way_table_counts_a_missing_cell_as_zero_persons():
    publication = Publication()
    publication.two_way(
        {("1804", "fastlønn"): 5, ("1865", "fastlønn"): 4, ("1865", "næringsdrift"): 3},
        rows=["1804", "1865"],
        columns=["fastlønn", "næringsdrift"],
        row_total=lambda r: ("row", r),
        column_total=lambda c: ("column", c),
        grand_total=("all",),
        cell_key=lambda r, c: (r, c),
    )
    # 1804 has no næringsdrift cell: it is 0 (a zero names no one and is shown), not missing
    assert publication.value(("1804", "næringsdrift")) == 0 and publication[("1804", "næringsdrift")] == 0
    assert publication.value(("row", "1804")) == 5 and publication.value(("column", "næringsdrift")) == 3
    assert publication.value(("all",)) == 12  # 5 + 4 + 3


def _table_with_totals(cells: list[list[int]]) -> tuple[dict[str, int], list[SumRelation]]:
    """Cells "rc", row totals "Rr", column totals "Cc" and the grand total "T", with their sums."""
    rows, columns = range(len(cells)), range(len(cells[0]))
    counts = {f"{r}{c}": cells[r][c] for r in rows for c in columns}
    counts |= {f"R{r}": sum(cells[r]) for r in rows} | {
        f"C{c}": sum(row[c] for row in cells) for c in columns
    }
    counts["T"] = sum(map(sum, cells))
    relations = [SumRelation(f"R{r}", tuple(f"{r}{c}" for c in columns)) for r in rows]
    relations += [SumRelation(f"C{c}", tuple(f"{r}{c}" for r in rows)) for c in columns]
    relations += [
        SumRelation("T", tuple(f"R{r}" for r in rows)),
        SumRelation("T", tuple(f"C{c}" for c in columns)),
    ]
    return counts, relations


AUDIT_GRID = [[0, 0, 1], [0, 0, 5], [3, 5, 1]]
AUDITED_CELLS = {"02", "12", "22", "20", "21", "R0", "R1", "C0", "C1", "C2"}  # worked out below


def test_the_audit_hides_one_more_total_when_two_sums_together_pin_a_count():
    # | 0 0 1 | 1      Primary: the 1s at (0,2) and (2,2), and row total R0 = 1.
    # | 0 0 5 | 5      Rules 2a/2b then hide (1,2) (column 2's hidden 1 + 1 = 2), R1 (alone in
    # | 3 5 1 | 9      row 1 beside zeros), (2,0) (alone in row 2), C0 (alone in column 0 beside
    # | 3 5 7 | 15     zeros), C1 (the grand total by columns: 3 alone) and (2,1) (alone in col 1).
    # Still shown: the zeros, R2 = 9, C2 = 7, T = 15. Then R0 + R1 = T − R2 = 6 and column 2
    # says (0,2) + (1,2) + (2,2) = 7, where (0,2) = R0 and (1,2) = R1: so (2,2) = 7 − 6 = 1,
    # pinned by two sums together. The audit withholds the smaller shown total of its sums,
    # C2 = 7 (R2 = 9 is the other), and then C0 + C1 + C2 = 15 no longer gives 8: (2,2) is free.
    counts, relations = _table_with_totals(AUDIT_GRID)
    assert cells_to_suppress(counts, relations) == AUDITED_CELLS


def test_the_cell_the_audit_hides_beside_an_exposed_one():
    from alis_nord.disclosure import _cover_for

    counts = {"x": 2, "p": 5, "q": 4, "z": 0, "t": 11, "u": 9, "v": 9, "w": 3, "big": 12}
    order = {key: i for i, key in enumerate(counts)}
    own = SumRelation("t", ("x", "p", "q", "z"))  # 11 = 2 + 5 + 4 + 0
    other = SumRelation("v", ("u",))
    relations = [own, other]
    # a shown non-zero part first, the smallest (4), before the total (11) or the zero (0)
    assert _cover_for("x", {"x"}, counts, relations, order) == "q"
    # with the parts hidden, the total before the zero
    assert _cover_for("x", {"x", "p", "q"}, counts, relations, order) == "t"
    # with the total hidden too, the zero
    assert _cover_for("x", {"x", "p", "q", "t"}, counts, relations, order) == "z"
    # its own sum all hidden (other sums pin it): the smallest shown cell of any sum, u (9 = 9, first)
    assert _cover_for("x", {"x", "p", "q", "t", "z"}, counts, relations, order) == "u"
    # nothing shown any more
    assert _cover_for("x", set(counts), counts, relations, order) is None
    # the exposed cell as a total: its parts are the candidates (w = 3 before a larger total)
    assert (
        _cover_for(
            "v", {"v"}, counts, [SumRelation("v", ("u",)), SumRelation("big", ("v", "w"))], order | {"big": 9}
        )
        == "w"
    )


def test_a_shown_part_is_preferred_to_a_smaller_total_of_another_sum():
    from alis_nord.disclosure import _cover_for

    # x = 2 is in TA = x + p (7 = 2 + 5) and in TB = x + y (4 = 2 + 2, y withheld): the part p (5)
    # goes before TB (4), though TB is smaller: a part hides less of the table than a total
    counts = {"TB": 4, "TA": 7, "x": 2, "p": 5, "y": 2}
    relations = [SumRelation("TA", ("x", "p")), SumRelation("TB", ("x", "y"))]
    order = {key: i for i, key in enumerate(counts)}
    assert _cover_for("x", {"x", "y"}, counts, relations, order) == "p"


def test_the_bounds_check_asks_about_the_withheld_cell_alone():
    from alis_nord.disclosure import _exposed_small_counts

    # T = a + b (5 = 2 + 3) and Z = z + q (0 = 0 + 0), all four withheld. z and q are held at 0 by
    # Z = 0, so a zero is in the way and the LP runs; a itself can be anything from 0 to 5.
    # (Their sum a + b + z + q is always 5: asking about it instead would wrongly pin a.)
    counts = {"a": 2, "b": 3, "z": 0, "q": 0, "T": 5, "Z": 0}
    relations = [SumRelation("T", ("a", "b")), SumRelation("Z", ("z", "q"))]
    assert _exposed_small_counts({"a", "b", "z", "q"}, counts, relations) == []


def test_a_range_of_one_person_or_half_a_person_is_not_pinned():
    from alis_nord.disclosure import _pinned_by_bounds

    assert not _pinned_by_bounds(0, np.array([[1.0, 1.0]]), np.array([1.0]))  # a from 0 to 1
    assert not _pinned_by_bounds(0, np.array([[1.0, 1.0]]), np.array([0.5]))  # exactly half: not less


def test_the_rules_run_again_until_nothing_changes():
    # S1: T1 = x + y (9 = 5 + 4) comes first, S2: T2 = y + w (5 = 4 + 1). The 1 is primary; the
    # first pass finds nothing in S1, then S2 hides y (4) beside w. Only a second pass sees y
    # alone in S1 and hides x (5) too.
    counts = {"T1": 9, "x": 5, "y": 4, "T2": 5, "w": 1}
    relations = [SumRelation("T1", ("x", "y")), SumRelation("T2", ("y", "w"))]
    assert cells_to_suppress(counts, relations) == {"w", "y", "x"}


def test_an_average_rounds_half_up():
    # (1.05 + 1.05 + 1.05) / 3 = 1.05: half-up gives 1.1 (half-even would give 1.0)
    assert average_of([Decimal("1.05")] * 3) == Decimal("1.1")
    assert average_of([Decimal("1.25")] * 3, places=1) == Decimal("1.3")
    assert str(average_of([Decimal("1"), Decimal("2"), Decimal("4")], places=2)) == "2.33"  # 7/3


def test_every_sum_is_looked_at_in_each_pass():
    # S1: T1 = x + y (9 = 5 + 4) has nothing withheld and comes first; S2: T = a + b + c (9 = 1 +
    # 1 + 7) has the two 1s, which together are 2 persons (rule 2b): c must go too. The audit
    # would not catch a missed 2b: a and b are each free (a = 2 − b), only their sum is small.
    counts = {"T1": 9, "x": 5, "y": 4, "T": 9, "a": 1, "b": 1, "c": 7}
    relations = [SumRelation("T1", ("x", "y")), SumRelation("T", ("a", "b", "c"))]
    assert cells_to_suppress(counts, relations) == {"a", "b", "c"}


def test_the_audit_looks_for_a_cover_in_the_exposed_cells_own_sums_first():
    # The 3 × 3 table above with an unrelated sum beside it, E = e1 + e2 (7 = 3 + 4): the exposed
    # (2,2) is covered by C2 from its own sums, never by e1, though e1 is a shown part and smaller.
    counts, relations = _table_with_totals(AUDIT_GRID)
    counts |= {"E": 7, "e1": 3, "e2": 4}
    relations.append(SumRelation("E", ("e1", "e2")))
    assert cells_to_suppress(counts, relations) == AUDITED_CELLS
