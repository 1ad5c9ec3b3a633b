"""Verify one export: load it once through the statistics sink and build its report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from verify.contract import Contract
from verify.parallel import can_fork, remembered, verify_parallel
from verify.report import Options, build_report
from verify.stats import StatsCollector
from viewer.jsonstream import ijson_c
from viewer.limits import Limits
from viewer.loader import load_export
from viewer.options import PasswordSource
from viewer.progress import ProgressCallback

# A time more than a day after now is "in the future"; the slack absorbs time zones.
FUTURE_SLACK = dt.timedelta(days=1)


def new_collector(contract: Contract) -> StatsCollector:
    """Return a statistics sink whose notion of "the future" starts a day from now."""
    latest = dt.datetime.now(dt.UTC) + FUTURE_SLACK
    return StatsCollector(contract, latest_ms=int(latest.timestamp() * 1000))


def verify_export(
    path: Path,
    contract: Contract,
    *,
    password: PasswordSource,
    options: Options | None = None,
    limits: Limits | None = None,
    progress: ProgressCallback | None = None,
    parallel: bool = True,
) -> dict[str, Any]:
    """Return the verification report of the export at `path`; no record is kept.

    With `parallel` (and two cores, in a process with one thread), a forked worker reads part
    of the entries (`verify.parallel`); the report is the same either way.
    """
    collector = new_collector(contract)
    limits = limits or Limits()
    password = remembered(password)  # asked once, if the single pass opens the export again
    if parallel and can_fork():
        ijson_c()  # fail before reading anything if only the slow backend is present
        both = verify_parallel(path, collector, password=password, limits=limits, progress=progress)
        if both is not None:
            info, problems = both
            return build_report(contract, collector, info, problems, options)
    result = load_export(
        path,
        password=password,
        contract=contract,
        keep_records=False,
        sinks=[collector],
        limits=limits,
        progress=progress,
    )
    return build_report(contract, collector, result.info, result.problems, options)
