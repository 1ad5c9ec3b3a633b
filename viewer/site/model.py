"""What the pages are built from: the contract, the report, and a summary of every table."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from verify.contract import Contract, Service
from viewer.site.charts import month_key
from viewer.store import Record, TableInfo

MAX_COLUMNS = 24
DEFAULT_VISIBLE = 6


@dataclass
class TableSummary:
    """One table as the site shows it: its service, columns, time range and monthly counts."""

    info: TableInfo
    service: Service | None
    columns: list[dict[str, Any]]
    months: Counter[str] = field(default_factory=Counter)
    first: int | None = None
    last: int | None = None

    def note(self, record: Record) -> None:
        """Count one record into the time range and the monthly activity."""
        if record.ts is None:
            return
        month = month_key(record.ts)
        if month is None:
            return
        self.months[month] += 1
        self.first = record.ts if self.first is None else min(self.first, record.ts)
        self.last = record.ts if self.last is None else max(self.last, record.ts)


@dataclass
class SiteData:
    """Everything a page context needs besides the records on the page."""

    contract: Contract
    report: dict[str, Any]
    tables: dict[str, TableSummary]
    guide: bool = True

    def service_tables(self, service_id: str) -> list[TableSummary]:
        return [t for t in self.tables.values() if t.service and t.service.id == service_id]

    def report_service(self, service_id: str) -> dict[str, Any]:
        return next((s for s in self.report["services"] if s["id"] == service_id), {})


def columns_for(service: Service | None, samples: Iterable[Record]) -> list[dict[str, Any]]:
    """Return a table's columns: documented fields present in the samples, then other keys."""
    seen: dict[str, None] = {}
    for record in samples:
        for key in record.data:
            seen.setdefault(key, None)
    columns: list[dict[str, Any]] = []
    used: set[str] = set()
    for f in service.fields if service else ():
        found = [k for k in f.keys if k in seen]
        if not found:
            continue
        key = found[0]
        used.add(key)
        columns.append(
            {
                "key": key,
                "field": f.id,
                "name": f.name.as_dict(),
                "type": f.type,
                "format": f.format,
            }
        )
    for key in seen:
        if key not in used:
            columns.append(
                {
                    "key": key,
                    "field": None,
                    "name": {"en": key, "sv": key},
                    "type": None,
                    "format": None,
                }
            )
    for i, column in enumerate(columns[:MAX_COLUMNS]):
        column["visible"] = i < DEFAULT_VISIBLE
    return columns[:MAX_COLUMNS]
