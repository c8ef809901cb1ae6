"""Hypothesis strategies for hostile input, and the bookkeeping of how much was tried.

FUZZ_EXAMPLES (environment) sets how many generated inputs each fuzz target tries; the
default keeps CI quick. The totals are printed at the end of the run (conftest.py).
"""

import os
from collections import Counter
from contextlib import contextmanager

from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

DEFAULT_EXAMPLES = 150
TRIED: Counter = Counter()


def examples() -> int:
    return int(os.environ.get("FUZZ_EXAMPLES", DEFAULT_EXAMPLES))


def fuzz_settings(**overrides):
    """One example per generated request; no deadline (database work varies with the machine);
    no example database on disk; the pytest-django fixtures are deliberately shared by all
    examples of a test, each of which runs in its own rolled-back savepoint."""
    return settings(
        max_examples=overrides.pop("max_examples", examples()),
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
        **overrides,
    )


@contextmanager
def rolled_back(target: str):
    """Run one example in a savepoint that is rolled back afterwards, so every example starts
    from the same database, and count it under `target`."""
    TRIED[target] += 1
    savepoint = transaction.savepoint()
    try:
        yield
    finally:
        transaction.savepoint_rollback(savepoint)


# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------
HOSTILE_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\t\r\n",
    "\u202e\u200b\ufeff",  # right-to-left override, zero-width space, byte order mark
    "e\u0301\u0301\u0301\u0301",  # stacked combining accents
    "🎉" * 50,
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "x" * 5000,
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR '1'='1' --",
    "'; DROP TABLE events_event; --",
    "%s%s%s%n",
    "{{ 7*7 }}{% debug %}",
    "../../../../etc/passwd",
    '=HYPERLINK("http://evil.example")',
    "null",
    "undefined",
    "NaN",
    "[]",
    "{}",
]

HOSTILE_NUMBERS = [
    "0", "-0", "-1", "1", "2", "10", "11", "1.5", "1e3", "1e309", "-1e309", "NaN", "Infinity",
    "-Infinity", "0x10", "1_000", " 3 ", "+4", "٣", "３", "²", "Ⅻ", "99999999999999999999999",
    "-99999999999999999999999", "2147483648", "9223372036854775808", "0.000000001",
    "12345678.999", "1,5",
]  # fmt: skip

HOSTILE_DATES = [
    "2024-02-30", "2023-02-29", "0000-00-00", "0001-01-01", "9999-12-31", "10000-01-01",
    "2030-13-01", "2030-01-32", "-2030-01-01", "2030-1-1", "01/02/2030", "2030-01-01T25:00",
    "2030-06-15T12:00", "2030-06-15T12:00:00+14:00", "2030-06-15 12:00", "2030-03-31T02:30",
    "2030-06-15T12:00:60", "now", "today", "tomorrow", "1e10", "T", "",
]  # fmt: skip


def text_values():
    """Free text: generated Unicode, plus a list of known troublemakers."""
    return st.one_of(
        st.text(max_size=60),
        st.sampled_from(HOSTILE_TEXT),
        st.text(alphabet=st.characters(codec="utf-8"), min_size=100, max_size=400),
    )


def number_values():
    """Things typed into a number box: integers of every size, decimals, and lookalikes."""
    return st.one_of(
        st.integers(min_value=-(10**12), max_value=10**12).map(str),
        st.integers().map(str),
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
        st.sampled_from(HOSTILE_NUMBERS),
        st.text(alphabet=st.characters(categories=["Nd", "No", "Nl"]), min_size=1, max_size=20),
        text_values(),
    )


def date_values():
    return st.one_of(
        st.dates().map(str),
        st.datetimes().map(lambda moment: moment.isoformat()),
        st.sampled_from(HOSTILE_DATES),
        text_values(),
    )


def either(valid, hostile):
    """A field that is usually valid, so that the other fields' checks are reached too."""
    return st.one_of(valid, valid, hostile)
