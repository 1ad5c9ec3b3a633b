"""What the pages are built from: the contract, the report, and a summary of every table."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from verify.contract import Contract, Service
from viewer.site import paths
from viewer.site.i18n import LANGUAGES, N_, translations
from viewer.store import Record, TableInfo, dig

MAX_COLUMNS = 24
DEFAULT_VISIBLE = 6


# The main values of a kind of data often sit inside an object (`content.address`): the
# contract's view paths name them, and these are their column labels.
ROLE_LABELS = {
    "counterpart": N_("Counterpart"),
    "name": N_("Name"),
    "body": N_("Text"),
    "title": N_("Title"),
    "time": N_("Time"),
    "start": N_("Starts"),
    "end": N_("Ends"),
    "direction": N_("Direction"),
    "duration": N_("Duration"),
    "location": N_("Location"),
    "url": N_("Address"),
    "phones": N_("Numbers"),
    "emails": N_("E-mail addresses"),
    "organization": N_("Organisation"),
}
ROLE_TYPES = {"time": "timestamp", "start": "timestamp", "end": "timestamp", "url": "url"}


@dataclass
class TableSummary:
    """One table as the site shows it: its service, columns, time range and monthly counts."""

    info: TableInfo
    service: Service | None
    columns: list[dict[str, Any]]
    months: Counter[str] = field(default_factory=Counter)
    first: int | None = None
    last: int | None = None

    def dates(self, months: dict[str, tuple[int, int, int]]) -> None:
        """Take the monthly counts and the first and last time of the table's dated records."""
        self.months = Counter({m: n for m, (n, _first, _last) in months.items()})
        self.first = min((first for _n, first, _last in months.values()), default=None)
        self.last = max((last for _n, _first, last in months.values()), default=None)


@dataclass
class SiteData:
    """Everything a page context needs besides the records on the page.

    `static` is a site of files (no server): its table pages past the first and its record pages
    are drawn in the browser from the data files, so links to them carry the page in the hash.
    """

    contract: Contract
    report: dict[str, Any]
    tables: dict[str, TableSummary]
    guide: bool = True
    static: bool = False

    def table_href(self, table: str, page: int = 1) -> str:
        """Return the link to one page of a table (relative to the language's root)."""
        if self.static:
            first = paths.table_page(table)
            return first if page <= 1 else f"{first}#page={page}"
        return paths.table_page(table, page)

    def record_href(self, table: str, seq: int) -> str:
        """Return the link to one record (relative to the language's root)."""
        if self.static:
            return f"{paths.record_shell(table)}#r{seq}"
        return paths.record_page(table, seq, self.tables[table].info.records)

    def service_tables(self, service_id: str) -> list[TableSummary]:
        return [t for t in self.tables.values() if t.service and t.service.id == service_id]

    def report_service(self, service_id: str) -> dict[str, Any]:
        return next((s for s in self.report["services"] if s["id"] == service_id), {})


def role_label(role: str) -> dict[str, str]:
    """Return a view role's column label in every language."""
    message = ROLE_LABELS.get(role, role)
    return {lang: translations(lang).gettext(message) for lang in LANGUAGES}


def _view_columns(service: Service | None, samples: list[Record]) -> list[dict[str, Any]]:
    """Return the columns of the service's nested main values that the samples have."""
    columns = []
    for role, path in service.view.items() if service else ():
        if role == "kind" or "." not in path or role not in ROLE_LABELS:
            continue
        if not any(dig(r.data, path) is not None for r in samples):
            continue
        columns.append(
            {
                "key": path,
                "path": path.split("."),
                "field": None,
                "name": role_label(role),
                "type": ROLE_TYPES.get(role),
                "format": None,
            }
        )
    return columns


def columns_for(service: Service | None, samples: Iterable[Record]) -> list[dict[str, Any]]:
    """Return a table's columns: nested main values, documented fields present, other keys."""
    records = list(samples)
    seen: dict[str, None] = {}
    for record in records:
        for key in record.data:
            seen.setdefault(key, None)
    columns = _view_columns(service, records)
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
                "path": [key],
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
                    "path": [key],
                    "field": None,
                    "name": {"en": key, "sv": key},
                    "type": None,
                    "format": None,
                }
            )
    for i, column in enumerate(columns[:MAX_COLUMNS]):
        column["visible"] = i < DEFAULT_VISIBLE
    return columns[:MAX_COLUMNS]
