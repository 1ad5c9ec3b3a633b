"""Open one export for the server: one pass feeding the Store, the verification and the dates."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from verify.contract import Contract
from verify.report import build_report
from verify.run import new_collector
from viewer.errors import WrongPasswordError
from viewer.limits import Limits
from viewer.loader import load_export
from viewer.site.build import summarise
from viewer.site.charts import month_key
from viewer.site.model import SiteData, TableSummary
from viewer.store import Extractor, Store

Progress = Callable[[int, int], None]


@dataclass
class Dates:
    """One table's dated records: monthly counts and the first and last time."""

    months: Counter[str] = field(default_factory=Counter)
    first: int | None = None
    last: int | None = None

    def note(self, ms: int | None) -> None:
        """Count one record's main time."""
        month = month_key(ms)
        if ms is None or month is None:
            return
        self.months[month] += 1
        self.first = ms if self.first is None else min(self.first, ms)
        self.last = ms if self.last is None else max(self.last, ms)


class DatesEntry:
    """One entry's dates; they count only when the entry commits (like the Store's records)."""

    def __init__(self, sink: DatesSink) -> None:
        self.sink = sink
        self.pending: dict[str, list[int | None]] = {}

    def table(self, table: str) -> None:
        self.pending.setdefault(table, [])

    def add(self, table: str, index: int, record: dict[str, Any]) -> None:
        self.pending.setdefault(table, []).append(self.sink.extractor(table).ts(record))

    def commit(self) -> None:
        for table, times in self.pending.items():
            dates = self.sink.tables.setdefault(table, Dates())
            for ms in times:
                dates.note(ms)
        self.pending.clear()

    def abort(self) -> None:
        self.pending.clear()


class DatesSink:
    """A record sink that counts every table's records per month (the overview's activity)."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self.tables: dict[str, Dates] = {}
        self._extractors: dict[str, Extractor] = {}

    def begin(self, file: str) -> DatesEntry:
        return DatesEntry(self)

    def extractor(self, table: str) -> Extractor:
        """Return the Store's own time extractor for a table (so both agree on "the time")."""
        ext = self._extractors.get(table)
        if ext is None:
            ext = self._extractors[table] = Extractor(self.contract.service_for_table(table))
        return ext

    def fill(self, summaries: dict[str, TableSummary]) -> None:
        """Copy the counted dates into the site's table summaries."""
        for name, summary in summaries.items():
            dates = self.tables.get(name, Dates())
            summary.months, summary.first, summary.last = dates.months, dates.first, dates.last


@dataclass
class Loaded:
    """An opened export: its Store and what every page is built from."""

    store: Store
    site: SiteData


def load_site(
    path: Path,
    password: str | None,
    contract: Contract,
    *,
    guide: bool,
    progress: Progress | None = None,
    limits: Limits | None = None,
) -> Loaded:
    """Open `path` with `password` into a new in-memory Store, and summarise it for the pages."""

    def source(name: str) -> str:
        if not password:
            raise WrongPasswordError(f"{name} is encrypted: type its password")
        return password

    collector = new_collector(contract)
    dates = DatesSink(contract)
    result = load_export(
        path,
        password=source,
        contract=contract,
        sinks=[collector, dates],
        limits=limits,
        progress=progress,
    )
    assert result.store is not None  # keep_records=True
    try:
        report = build_report(contract, collector, result.info, result.problems)
        summaries = summarise(result.store, contract)
        dates.fill(summaries)
    except BaseException:
        result.store.close()
        raise
    return Loaded(result.store, SiteData(contract, report, summaries, guide=guide))
