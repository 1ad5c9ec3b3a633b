"""Reading times: epoch milliseconds, epoch seconds and ISO 8601, by format or by size."""

from __future__ import annotations

import datetime as dt
import enum

import pytest

from viewer.timeparse import EARLIEST_MS, SECONDS_CUTOFF, ms_to_datetime, to_epoch_ms

MS = 1_700_000_000_000  # 2023-11-14T22:13:20Z


class Level(enum.IntEnum):  # an int that is not exactly an int: read as a number all the same
    HIGH = MS


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        (MS, "epoch-ms", MS),
        (MS // 1000, "epoch-s", MS),
        (MS, None, MS),  # unknown format: a big number is milliseconds
        (MS // 1000, None, MS),  # and a small one seconds
        (MS // 1000, "epoch-ms", MS // 1000),  # the documented format wins over the size
        (SECONDS_CUTOFF - 1, None, (SECONDS_CUTOFF - 1) * 1000),
        (SECONDS_CUTOFF, None, SECONDS_CUTOFF),
        (-(SECONDS_CUTOFF - 1), None, -(SECONDS_CUTOFF - 1) * 1000),
        (-SECONDS_CUTOFF, None, -SECONDS_CUTOFF),
        (0, None, 0),
        (Level.HIGH, None, MS),
        (float(MS), None, MS),
        (1_700_000_000.5, None, 1_700_000_000_000),
        (str(MS), None, MS),
        (f" {MS // 1000} ", "epoch-s", MS),
        ("2023-11-14T22:13:20Z", "iso", MS),
        ("2023-11-14T23:13:20+01:00", None, MS),
        ("2023-11-14T22:13:20", None, MS),  # no zone: read as UTC
    ],
)
def test_times_are_read_as_epoch_ms(value: object, fmt: str | None, expected: int) -> None:
    assert to_epoch_ms(value, fmt) == expected


@pytest.mark.parametrize(
    "value", [None, True, False, float("nan"), float("inf"), float("-inf"), "soon", "", [MS], {}]
)
def test_what_is_no_time(value: object) -> None:
    assert to_epoch_ms(value) is None
    assert to_epoch_ms(value, "epoch-ms") is None


def test_an_int_reads_as_the_same_float_does() -> None:
    for number in (0, 1, 999, SECONDS_CUTOFF - 1, SECONDS_CUTOFF, MS, -MS, 2**62):
        for fmt in (None, "epoch-ms", "epoch-s", "iso"):
            assert to_epoch_ms(number, fmt) == to_epoch_ms(float(number), fmt), (number, fmt)


def test_ms_to_datetime() -> None:
    assert ms_to_datetime(MS) == dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.UTC)
    assert ms_to_datetime(EARLIEST_MS) == dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    assert ms_to_datetime(10**20) is None
