"""Per-value rules: types and plausible times."""

from __future__ import annotations

import pytest

from verify.contract import load_contract
from verify.values import EARLIEST_MS, timestamp_problem, type_check

LATEST = 1_800_000_000_000  # 2027-01-15


@pytest.mark.parametrize(
    ("value", "fmt", "problem"),
    [
        (1_700_000_000_000, "epoch-ms", None),
        (1_700_000_000, "epoch-ms", "seconds-as-milliseconds"),
        (1_700_000_000, "epoch-s", None),
        (1_700_000_000_000, "epoch-s", "milliseconds-as-seconds"),
        (EARLIEST_MS - 1, "epoch-ms", "too-early"),
        (12, "epoch-ms", "too-early"),
        (LATEST + 1, "epoch-ms", "future"),
        (EARLIEST_MS, "epoch-ms", None),  # the bounds of the plain case, answered first
        (LATEST, "epoch-ms", None),
        (EARLIEST_MS // 1000, "epoch-s", None),
        (EARLIEST_MS // 1000 - 1, "epoch-s", "too-early"),
        (LATEST // 1000, "epoch-s", None),
        (LATEST // 1000 + 1, "epoch-s", "future"),
        (True, "epoch-ms", "unparseable"),  # a bool is no int here
        (1_700_000_000_000.0, "epoch-ms", None),  # a float in ms: read, not taken for an int
        ("2024-05-01T10:00:00+02:00", "iso", None),
        ("2024-13-01", "iso", "unparseable"),
        ("yesterday", "iso", "unparseable"),
        ("1999-12-31T23:00:00Z", "iso", "too-early"),
    ],
)
def test_timestamp_problem(value: object, fmt: str, problem: str | None) -> None:
    assert timestamp_problem(value, fmt, LATEST) == problem


def test_type_checks_follow_the_contract_types() -> None:
    recorder = load_contract().service("recorder")
    assert recorder is not None
    size = recorder.field_by_id("size")
    created = recorder.field_by_id("create_time")
    assert size is not None
    assert created is not None
    assert type_check(size)(10)
    assert not type_check(size)(-1)
    assert not type_check(size)("10")
    assert not type_check(size)(True)
    assert type_check(created)(1_700_000_000_000)
    assert not type_check(created)("2024-01-01")
