"""What every converter gets: the Store, the contract, the output folder, options and the ledger."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from verify.contract import Contract, Service
from viewer.convert.files import safe_name
from viewer.convert.manifest import Manifest, Tally
from viewer.convert.schema import TableSchema, scan_table

if TYPE_CHECKING:
    from viewer.store import Record, Store, TableInfo


@dataclass(frozen=True)
class ConvertOptions:
    """How to convert: one vCard per contact, vCard version, a BOM for spreadsheet programs."""

    split: bool = False
    vcard_version: Literal["3.0", "4.0"] = "3.0"
    excel: bool = False


def get_path(data: Mapping[str, Any], path: str | None) -> Any:
    """Return the value at a dotted path ("content.address") of a record, or None."""
    if not path:
        return None
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def beside(
    data: Mapping[str, Any], view: Mapping[str, str], role: str, anchor: str, names: Iterable[str]
) -> Any:
    """Return a role's value: at the view's path for it, else under a usual name beside `anchor`.

    For values the contract's view has no role for yet (an SMS's read flag, an event's reminder):
    they sit in the same object as a role it has (the body, the title).
    """
    if view.get(role):
        return get_path(data, view[role])
    parent = view.get(anchor, "").rpartition(".")[0]
    holder = get_path(data, parent) if parent else data
    if not isinstance(holder, Mapping):
        return None
    return next((holder[k] for k in names if holder.get(k) is not None), None)


def field_value(service: Service, data: Mapping[str, Any], field_id: str) -> Any:
    """Return a documented field's value: the first of its candidate keys present."""
    documented = service.field_by_id(field_id)
    for key in documented.keys if documented else ():
        if data.get(key) is not None:
            return data[key]
    return None


@dataclass
class Context:
    """One conversion run."""

    store: Store
    contract: Contract
    out: Path
    options: ConvertOptions
    manifest: Manifest
    paths: dict[tuple[str, str], Path] = field(default_factory=dict)  # (format, table) -> file
    _names: dict[str, set[str]] = field(default_factory=dict)
    _schemas: dict[str, TableSchema] = field(default_factory=dict)

    def schema(self, table: str) -> TableSchema:
        """Return a table's columns and types (scanned once, shared by CSV, SQLite, datapackage)."""
        if table not in self._schemas:
            info = self.store.table(table)
            service = self.contract.service(info.service) if info and info.service else None
            self._schemas[table] = scan_table(self.store, table, service)
        return self._schemas[table]

    def tables(self, view_kind: str | None = None) -> list[tuple[TableInfo, Service | None]]:
        """Return the tables (of services with this view kind, or all) with their service."""
        found = []
        for info in self.store.tables():
            service = self.contract.service(info.service) if info.service else None
            if view_kind is None or (service is not None and service.view_kind == view_kind):
                found.append((info, service))
        return found

    def records(self, info: TableInfo, fmt: str) -> Iterator[tuple[Record, Tally]]:
        """Yield a table's records with the tally that must account for each; check at the end."""
        tally = self.manifest.tally(fmt, info.name, info.records)
        for record in self.store.records(info.name):
            yield record, tally
        tally.check()

    def file_name(self, folder: Path, stem: str, suffix: str) -> Path:
        """Return a unique, safe path in `folder` for `stem` + `suffix`."""
        taken = self._names.setdefault(str(folder), set())
        return folder / f"{safe_name(stem, taken, fallback='table')}{suffix}"

    def export_date(self) -> dt.datetime:
        """Return when the export was made (the source's export_date), else now; local time."""
        text = self.manifest.source.get("export_date")
        try:
            moment = dt.datetime.fromisoformat(text) if isinstance(text, str) else None
        except ValueError:
            moment = None
        return moment or dt.datetime.now().replace(microsecond=0)  # local, as the app names files

    def done(self, path: Path, fmt: str) -> None:
        """Add a finished file to the manifest."""
        self.manifest.add_file(path, fmt)
