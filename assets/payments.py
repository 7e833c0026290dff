"""What was paid and what is unused: ``grant_payments`` (``referanse/utbetalinger.csv``) and
``unused_funds`` (received − used per source; in the grant period's last year, what must be
repaid or a transfer applied for), with their checks. Part of the UI's ``budget`` group."""

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    MaterializeResult,
    MetadataValue,
)

from alis_nord.declared import DeclaredTables
from alis_nord.stored import REFERENCE_DATA, Reads
from assets.metadata import kr, kroner, markdown_list, markdown_table
from glue.yearly import yearly_asset, yearly_check

USE_WITHIN_RECEIVED = "use_within_payments_received"
NO_UNUSED_FUNDS_AT_END = "no_unused_funds_at_end_of_grant_period"
PAYMENTS_WITHIN_PERIOD = "payments_dated_within_grant_period"


@yearly_asset(
    reads=REFERENCE_DATA,
    writes=("grant_payments",),
    kinds={"python", "sql"},
    description=(
        "Payments received from Helsedirektoratet and the Statsforvalter (referanse/utbetalinger.csv): "
        "in the year and in all up to its end. No rows when the file is not registered."
    ),
)
def grant_payments(year: int, stored: DeclaredTables) -> MaterializeResult:
    from alis_nord import budget

    received = budget.payments_received(year, stored.reference())
    stored.replace({"grant_payments": received or []})
    if received is None:
        return MaterializeResult(
            metadata={"registered": False, "note": MetadataValue.text("utbetalinger.csv er ikke registrert")}
        )
    return MaterializeResult(
        metadata={
            "registered": True,
            **{f"received_{p.kilde}_kr": kroner(p.received_cumulative) for p in received},
            "payments": markdown_table(
                ["kilde", "mottatt i året", "mottatt hittil"],
                [[p.kilde, kr(p.received_in_year), kr(p.received_cumulative)] for p in received],
            ),
        }
    )


@yearly_asset(
    reads=Reads(("grant_payments", "grant_use"), ("statsforvalter_grant_use",)) + REFERENCE_DATA,
    writes=("unused_funds",),
    kinds={"python", "sql"},
    description=(
        "Unused funds per source: received − used, up to the end of the year (Helsedirektoratet: the "
        "cumulative grant use; the Statsforvalter: the costs charged to it). In the last year of the "
        "grant period this is the amount to repay, or to apply to transfer."
    ),
)
def unused_funds(year: int, stored: DeclaredTables) -> MaterializeResult:
    from alis_nord import budget

    payments = budget.payments_from_rows(stored.rows("grant_payments"))
    use = budget.grant_use_from_row(stored.rows("grant_use")[0])
    statsforvalter = stored.every_year("statsforvalter_grant_use")
    reference = stored.reference()
    funds = budget.unused_funds(year, reference, payments, use, statsforvalter) if payments else []
    stored.replace({"unused_funds": funds})
    return MaterializeResult(
        metadata={
            "registered": bool(payments),
            **{f"unused_{f.kilde}_kr": kroner(f.unused) for f in funds},
            "final_year": any(f.final_year for f in funds),
            "unused": markdown_table(
                ["kilde", "mottatt", "brukt", "ubrukt"],
                [[f.kilde, kr(f.received), kr(f.used), kr(f.unused)] for f in funds],
            ),
        }
    )


# ---------------------------------------------------------------- checks


def _stored_funds(stored: DeclaredTables):
    from alis_nord import budget

    return budget.unused_from_rows(stored.rows("unused_funds"))


@yearly_check(
    asset=unused_funds,
    name=USE_WITHIN_RECEIVED,
    reads=Reads(("unused_funds",)),
    description=(
        "No source has been used beyond what it has paid: used up to the end of the year is at most "
        "the payments received. Passes with a note when utbetalinger.csv is not registered."
    ),
)
def use_within_received(year: int, stored: DeclaredTables) -> AssetCheckResult:
    funds = _stored_funds(stored)
    beyond = [f for f in funds if f.unused < 0]
    return AssetCheckResult(
        passed=not beyond,
        severity=AssetCheckSeverity.WARN,
        description=None if funds else "Utbetalinger er ikke registrert (referanse/utbetalinger.csv).",
        metadata={
            "used_beyond_received": markdown_list(
                f"{f.kilde}: {kr(-f.unused)} mer brukt enn mottatt" for f in beyond
            )
        },
    )


@yearly_check(
    asset=unused_funds,
    name=NO_UNUSED_FUNDS_AT_END,
    reads=Reads(("unused_funds",)),
    description=(
        "At the end of the grant period nothing received is left unused; what is left must be repaid "
        "or a transfer applied for. An error, but it does not hold the report: the final report states it."
    ),
)
def no_unused_funds_at_end(year: int, stored: DeclaredTables) -> AssetCheckResult:
    funds = [f for f in _stored_funds(stored) if f.final_year]
    unused = [f for f in funds if f.unused > 0]
    return AssetCheckResult(
        passed=not unused,
        severity=AssetCheckSeverity.ERROR,
        metadata={
            "final_year": bool(funds),
            **{f"unused_{f.kilde}_kr": kroner(f.unused) for f in unused},
            "unused": markdown_list(f"{f.kilde}: {kr(f.unused)}" for f in unused),
        },
    )


@yearly_check(
    asset=grant_payments,
    name=PAYMENTS_WITHIN_PERIOD,
    reads=REFERENCE_DATA,
    description="Every registered payment is dated in a year that a grant of its source covers (tilskudd.csv).",
)
def payments_within_period(year: int, stored: DeclaredTables) -> AssetCheckResult:
    from alis_nord import budget

    outside = budget.payments_outside_grant_period(stored.reference())
    return AssetCheckResult(
        passed=not outside,
        severity=AssetCheckSeverity.ERROR,
        metadata={
            "payments_outside": markdown_list(
                f"{p.kilde} {p.dato.isoformat()}: {kr(p.belop)} ({p.referanse})" for p in outside
            )
        },
    )
