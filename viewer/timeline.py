"""Compute the switching deadlines for a request date (the guide's calculator does the same in JS).

The model, shared with `site_src/assets/javascripts/calculator.js` (a test keeps them in step):

- day 0 is the request date: the day the switching request reaches the provider;
- a period of N months ends on the same day number N months later, or on the last day of that
  month when it is shorter (31 December + 2 months = 28/29 February);
- a period of N days ends N calendar days after the day it counts from;
- N working days end on the N-th day after day 0 that is neither a Saturday, a Sunday nor a
  public holiday of the chosen country (the `holidays` package);
- calendar-day and month periods are not moved when they end on a weekend or holiday.

What each deadline counts from:

| id                     | last day                                          |
|------------------------|---------------------------------------------------|
| notice                 | request + 2 months                                |
| transition             | end of notice + 30 days                           |
| unfeasibility_notice   | request + 14 working days                         |
| alternative_transition | end of notice + 7 months                          |
| retrieval              | end of transition + 30 days                       |
| download_link          | day the copy is ready (default: request) + 30 days |
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from viewer.errors import UsageError


@dataclass(frozen=True)
class Deadline:
    """The last day of one switching period, and what it counts from."""

    id: str
    label: str
    counts_from: str
    start: dt.date
    amount: int
    unit: str  # months | days | working days
    last_day: dt.date

    def as_dict(self) -> dict[str, Any]:
        """Return the deadline as JSON-ready data."""
        return {
            "id": self.id,
            "label": self.label,
            "counts_from": self.counts_from,
            "start": self.start.isoformat(),
            "amount": self.amount,
            "unit": self.unit,
            "last_day": self.last_day.isoformat(),
        }


def add_months(day: dt.date, months: int) -> dt.date:
    """Return the same day number `months` later, clamped to the end of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_working_days(day: dt.date, count: int, holidays: Container[dt.date]) -> dt.date:
    """Return the `count`-th day after `day` that is not a weekend day or a holiday."""
    current, left = day, count
    while left > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5 and current not in holidays:
            left -= 1
    return current


def public_holidays(country: str, years: Iterable[int]) -> set[dt.date]:
    """Return the public holidays of `country` (ISO 3166-1 alpha-2) in `years`."""
    import holidays

    try:
        found = holidays.country_holidays(country.upper(), years=list(years))
    except NotImplementedError as exc:
        raise UsageError(f"no public holiday calendar for country {country!r}") from exc
    return set(found.keys())


def _number(switching: Mapping[str, Any], key: str) -> int:
    value = switching.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise UsageError(f"switching rule {key!r} must be a positive whole number")
    return value


def deadlines(
    requested: dt.date,
    switching: Mapping[str, Any],
    country: str,
    *,
    ready: dt.date | None = None,
) -> list[Deadline]:
    """Return the last day of every switching period for a request made on `requested`."""
    months = _number(switching, "notice_period_max_months")
    alt_months = _number(switching, "alternative_transition_max_months")
    # Working days never run past a few weeks, but take the next year too for late December.
    holidays = public_holidays(country, range(requested.year, requested.year + 2))
    notice = add_months(requested, months)
    transition = notice + dt.timedelta(days=_number(switching, "transition_period_days"))
    working = _number(switching, "unfeasibility_notice_working_days")
    retrieval_days = _number(switching, "retrieval_period_days")
    link_days = _number(switching, "download_link_valid_days")
    link_start = ready or requested
    return [
        Deadline("notice", "Notice period", "request", requested, months, "months", notice),
        Deadline(
            "transition",
            "Transition period",
            "notice",
            notice,
            _number(switching, "transition_period_days"),
            "days",
            transition,
        ),
        Deadline(
            "unfeasibility_notice",
            "Notice of unfeasibility",
            "request",
            requested,
            working,
            "working days",
            add_working_days(requested, working, holidays),
        ),
        Deadline(
            "alternative_transition",
            "Longest alternative transition",
            "notice",
            notice,
            alt_months,
            "months",
            add_months(notice, alt_months),
        ),
        Deadline(
            "retrieval",
            "Data retrieval period",
            "transition",
            transition,
            retrieval_days,
            "days",
            transition + dt.timedelta(days=retrieval_days),
        ),
        Deadline(
            "download_link",
            "Download link valid",
            "ready" if ready else "request",
            link_start,
            link_days,
            "days",
            link_start + dt.timedelta(days=link_days),
        ),
    ]
