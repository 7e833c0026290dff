"""Hypothesis settings for every property test: deterministic in CI, exploring under `make fuzz`.

In CI (the default profile, ``ci``) Hypothesis is derandomized: the same examples on every run,
so no luck decides whether a change lands. ``make fuzz`` loads the ``fuzz`` profile: random
examples, ``ALIS_FUZZ_SCALE`` (default 20) times as many, and a database of failures in
``.hypothesis/fuzz`` so a failure found once is tried first next time. A failure it finds is
turned into a fixed test: add the falsifying example it prints as an ``@example(...)`` to the
test (or as a case of its own), so CI keeps checking it.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase

FUZZING = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
SCALE = int(os.environ.get("ALIS_FUZZ_SCALE", "20")) if FUZZING else 1
_COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture]}

settings.register_profile("ci", derandomize=True, database=None, **_COMMON)
settings.register_profile(
    "fuzz",
    derandomize=False,
    database=DirectoryBasedExampleDatabase(".hypothesis/fuzz"),
    print_blob=True,
    **_COMMON,
)
settings.load_profile("fuzz" if FUZZING else "ci")


def examples(ci_examples: int) -> int:
    """How many examples a property test tries: ``ci_examples`` in CI, more when fuzzing."""
    return ci_examples * SCALE
