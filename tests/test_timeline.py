"""The switching deadlines: month arithmetic, working days with holidays, and the command."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from verify.contract import load_contract
from viewer.cli import main
from viewer.errors import UsageError
from viewer.timeline import add_months, add_working_days, deadlines, public_holidays

D = dt.date
SWITCHING = load_contract().switching


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2026, 1, 15), 2, D(2026, 3, 15)),
        (D(2026, 12, 31), 2, D(2027, 2, 28)),
        (D(2027, 12, 31), 2, D(2028, 2, 29)),  # leap year
        (D(2026, 8, 31), 2, D(2026, 10, 31)),
        (D(2026, 10, 31), 2, D(2026, 12, 31)),
        (D(2026, 7, 31), 7, D(2027, 2, 28)),
        (D(2026, 11, 30), 2, D(2027, 1, 30)),
    ],
)
def test_add_months_clamps_to_the_end_of_a_shorter_month(
    start: dt.date, months: int, expected: dt.date
) -> None:
    assert add_months(start, months) == expected


def test_working_days_skip_weekends_and_holidays() -> None:
    # Friday 2026-12-18 + 3 working days: Mon 21, Tue 22, Wed 23.
    assert add_working_days(D(2026, 12, 18), 3, set()) == D(2026, 12, 23)
    # Over Christmas: 24 counts, 25 and 26 are holidays, 27 is a Sunday.
    holidays = {D(2026, 12, 25), D(2026, 12, 26)}
    assert add_working_days(D(2026, 12, 23), 2, holidays) == D(2026, 12, 28)


def test_dutch_holidays_come_from_the_holidays_package() -> None:
    nl = public_holidays("NL", [2026])
    assert {D(2026, 4, 3), D(2026, 4, 6), D(2026, 12, 25), D(2026, 12, 26)} <= nl
    assert D(2026, 12, 24) not in nl


def _last_days(requested: dt.date, **kwargs: dt.date) -> dict[str, str]:
    rows = deadlines(requested, SWITCHING, "NL", **kwargs)
    return {row.id: row.last_day.isoformat() for row in rows}


def test_deadlines_around_christmas() -> None:
    # 14 working days from Sunday 2026-12-20: 21-24 (4), 28-31 (8), 1 Jan is a holiday,
    # 4-8 Jan (13), Monday 11 Jan (14).
    assert _last_days(D(2026, 12, 20)) == {
        "notice": "2027-02-20",
        "transition": "2027-03-22",
        "unfeasibility_notice": "2027-01-11",
        "alternative_transition": "2027-09-20",
        "retrieval": "2027-04-21",
        "download_link": "2027-01-19",
    }


def test_deadlines_around_easter() -> None:
    # From Friday 2026-03-27: 30 Mar-2 Apr (4), Good Friday 3 Apr and Easter Monday 6 Apr are
    # holidays, 7-10 Apr (8), 13-17 Apr (13), Monday 20 Apr (14).
    days = _last_days(D(2026, 3, 27))
    assert days["unfeasibility_notice"] == "2026-04-20"
    assert days["notice"] == "2026-05-27"
    assert days["transition"] == "2026-06-26"


def test_deadlines_at_a_month_end_and_with_a_ready_date() -> None:
    days = _last_days(D(2026, 12, 31), ready=D(2027, 1, 10))
    assert days["notice"] == "2027-02-28"
    assert days["transition"] == "2027-03-30"
    assert days["alternative_transition"] == "2027-09-28"
    assert days["retrieval"] == "2027-04-29"
    assert days["download_link"] == "2027-02-09"


def test_another_country_uses_its_own_holidays() -> None:
    # King's Day, Monday 2026-04-27, is a holiday in the Netherlands only.
    assert _country_notice(D(2026, 4, 8), "SE") == D(2026, 4, 28)
    assert _country_notice(D(2026, 4, 8), "NL") == D(2026, 4, 29)


def _country_notice(requested: dt.date, country: str) -> dt.date:
    rows = deadlines(requested, SWITCHING, country)
    return next(r.last_day for r in rows if r.id == "unfeasibility_notice")


def test_unknown_country_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="no public holiday calendar"):
        deadlines(D(2026, 1, 1), SWITCHING, "XX")


def test_timeline_command_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["timeline", "--requested", "2026-12-20", "--country", "NL"]) == 0
    assert capsys.readouterr().out == (
        "Switching deadlines for a request made on 2026-12-20 (Sunday); working days skip "
        "weekends and public holidays in NL.\n"
        "\n"
        "Notice period                   2 months from request           2027-02-20 (Saturday)\n"
        "Transition period               30 days from notice             2027-03-22 (Monday)\n"
        "Notice of unfeasibility         14 working days from request    2027-01-11 (Monday)\n"
        "Longest alternative transition  7 months from notice            2027-09-20 (Monday)\n"
        "Data retrieval period           30 days from transition         2027-04-21 (Wednesday)\n"
        "Download link valid             30 days from request            2027-01-19 (Tuesday)\n"
    )


def test_timeline_command_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["timeline", "--requested", "2026-12-20", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["country"] == "NL"
    assert [d["id"] for d in data["deadlines"]] == [
        "notice",
        "transition",
        "unfeasibility_notice",
        "alternative_transition",
        "retrieval",
        "download_link",
    ]
    assert data["deadlines"][2] == {
        "id": "unfeasibility_notice",
        "label": "Notice of unfeasibility",
        "counts_from": "request",
        "start": "2026-12-20",
        "amount": 14,
        "unit": "working days",
        "last_day": "2027-01-11",
    }


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["timeline", "--requested", "2026-02-30"], "is not a date"),
        (["timeline", "--requested", "2026-01-01", "--country", "XX"], "no public holiday"),
        (["timeline", "--requested", "2026-01-01", "--country", "NLD"], "two-letter"),
    ],
)
def test_timeline_command_errors(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc_info:
        raise SystemExit(main(argv))
    assert exc_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


def test_the_default_country_comes_from_the_contract(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from verify.contract import DEFAULT_CONTRACT

    other = tmp_path / "other.toml"
    other.write_text(
        DEFAULT_CONTRACT.read_text(encoding="utf-8").replace('country = "NL"', 'country = "DE"', 1),
        encoding="utf-8",
    )
    # The 14 working days from 2025-09-29 meet 3 October, a holiday in Germany, not in the
    # Netherlands: the contract's country decides the date.
    args = ["timeline", "--requested", "2025-09-29", "--format", "json"]
    assert main([*args, "--contract", str(other)]) == 0
    from_contract = json.loads(capsys.readouterr().out)
    assert main([*args, "--country", "DE"]) == 0
    explicit = json.loads(capsys.readouterr().out)
    assert from_contract["country"] == "DE" and from_contract["deadlines"] == explicit["deadlines"]
    assert main(args) == 0
    dutch = json.loads(capsys.readouterr().out)
    assert dutch["country"] == "NL" and dutch["deadlines"] != from_contract["deadlines"]
