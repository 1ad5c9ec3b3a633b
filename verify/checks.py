"""The checks: a registry keyed by stable code, and the functions turning statistics into findings.

Findings are data, not exceptions. Messages hold names, counts and positions only: never a value
from the export, so that a report can be shared without sharing personal data.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from verify.contract import Contract, Service
from verify.stats import Position, StatsCollector, TableStats, Tally

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}
DATE_SOURCES = {
    "entries": "the newest date of the archive's files",
    "mtime": "a file modification time, which may be when the file was copied",
}


@dataclass(frozen=True)
class Check:
    """A check's stable code, group, default severity and message template."""

    code: str
    group: str
    severity: str
    template: str
    description: str


CHECKS: dict[str, Check] = {
    c.code: c
    for c in (
        Check(
            "encryption-weak",
            "archive",
            WARNING,
            "the archive uses ZipCrypto, which is weak encryption",
            "The export is encrypted with ZipCrypto instead of AES.",
        ),
        Check(
            "encryption-none",
            "archive",
            WARNING,
            "the archive is not encrypted",
            "The export as given is not encrypted.",
        ),
        Check(
            "export-date",
            "archive",
            INFO,
            "exported on {date} ({source}); the download link is valid until {until} ({days} days)",
            "When the export was made, where that date comes from, and when its link expires.",
        ),
        Check("json-invalid", "structure", ERROR, "{detail}", "A file is not valid JSON."),
        Check(
            "structure-invalid",
            "structure",
            ERROR,
            "{detail}",
            "A file is JSON but not `table name: [records]`.",
        ),
        Check(
            "service-missing",
            "coverage",
            ERROR,
            "no table of service {service} was found (expected one of: {tables})",
            "A documented service has no table.",
        ),
        Check(
            "service-empty",
            "coverage",
            WARNING,
            "table {table} of service {service} has no records",
            "A documented service's table is present but empty.",
        ),
        Check(
            "metadata-missing",
            "coverage",
            ERROR,
            "no table of metadata group {service} was found (expected one of: {tables})",
            "A documented metadata group has no table.",
        ),
        Check(
            "field-missing",
            "coverage",
            ERROR,
            "field {field} of {service} is in no record (keys looked for: {keys})",
            "A documented field is in no record of its service.",
        ),
        Check(
            "field-partial",
            "coverage",
            WARNING,
            "field {field} of {service} is in {present} of {records} records ({share})",
            "A documented field is in some records only.",
        ),
        Check(
            "type-mismatch",
            "values",
            ERROR,
            "field {field} of {service} has {count} values that are not of type {type}",
            "A value does not have its documented type.",
        ),
        Check(
            "timestamp-invalid",
            "values",
            ERROR,
            "field {field} of {service} has {count} implausible times ({reason})",
            "A time is unparseable, before 2000, in the "
            "future, or in seconds where milliseconds are documented (or the reverse).",
        ),
        Check(
            "time-order",
            "values",
            WARNING,
            "{count} records of {service} were created after they were updated or deleted",
            "Creation time later than update or deletion time.",
        ),
        Check(
            "duplicate-id",
            "values",
            ERROR,
            "{count} records of {table} repeat an id already seen",
            "Two records of a table share an identifier.",
        ),
        Check(
            "status-unknown",
            "values",
            WARNING,
            "field {field} of {service} has {count} "
            "values outside the documented vocabulary ({values})",
            "A status value outside the documented vocabulary.",
        ),
        Check(
            "undocumented-table",
            "scope",
            WARNING,
            "table {table} ({records} records) is not in the documented contract",
            "A table the contract does not document.",
        ),
        Check(
            "undocumented-field",
            "scope",
            WARNING,
            "key {field} of table {table} ({count} records) is not a documented field",
            "A key the contract does not document.",
        ),
        Check(
            "not-exportable-present",
            "scope",
            ERROR,
            "data of category {category}, documented as not exportable, is in the export ({where})",
            "A category documented as not exportable is in the export.",
        ),
    )
}


@dataclass(frozen=True)
class Finding:
    """One finding: which check, where, how often, and a message without personal data."""

    check: str
    severity: str
    message: str
    service: str | None = None
    table: str | None = None
    field: str | None = None
    count: int = 1
    positions: tuple[Position, ...] = ()

    def row(self) -> tuple[str, str, str, str, str, int]:
        """Return the finding flattened for exact comparison in tests."""
        return (
            self.check,
            self.severity,
            self.service or "",
            self.table or "",
            self.field or "",
            self.count,
        )


class ArchiveFacts(Protocol):
    """What the checks need to know of the archive (see viewer.archive.ArchiveInfo)."""

    @property
    def encryption(self) -> str: ...
    @property
    def export_date(self) -> dt.datetime | None: ...


class ContentProblem(Protocol):
    """A JSON or structure problem found while loading (see viewer.loader.Problem)."""

    @property
    def check(self) -> str: ...
    @property
    def file(self) -> str: ...
    @property
    def position(self) -> str: ...
    @property
    def message(self) -> str: ...


@dataclass
class Context:
    """Everything the check functions read."""

    contract: Contract
    stats: StatsCollector
    archive: ArchiveFacts
    problems: Sequence[ContentProblem]
    date_source: str | None = None  # "entries" or "mtime" (viewer.archive.ArchiveInfo)
    tables_by_service: dict[str, list[TableStats]] = field(default_factory=dict)


def finding(code: str, *, tally: Tally | None = None, **where: object) -> Finding:
    """Make a finding of check `code`, filling its template from `where`."""
    check = CHECKS[code]
    count = tally.count if tally else int(str(where.pop("count", 1)))
    message = check.template.format(count=count, **where)
    return Finding(
        check=code,
        severity=check.severity,
        message=message,
        service=_opt(where.get("service_id")),
        table=_opt(where.get("table")),
        field=_opt(where.get("field_id", where.get("field"))),
        count=count,
        positions=tuple(tally.positions) if tally else (),
    )


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


def check_archive(ctx: Context) -> Iterator[Finding]:
    encryption = ctx.archive.encryption
    if encryption == "zipcrypto":
        yield finding("encryption-weak")
    elif encryption == "none":
        yield finding("encryption-none")
    exported = ctx.archive.export_date
    if exported is not None:
        days = int(ctx.contract.switching["download_link_valid_days"])
        until = exported.date() + dt.timedelta(days=days)
        source = DATE_SOURCES.get(ctx.date_source or "", "source unknown")
        yield finding(
            "export-date", date=exported.date().isoformat(), source=source, until=until, days=days
        )


_BYTES = re.compile(r"bytes? (\d+)(?:-(\d+))?")
_RECORD = re.compile(r"\$\.(.*)\[(\d+)\]", re.S)


def problem_position(file: str, position: str) -> Position:
    """Return the loader's position text (`bytes 0-64`, `$.sms`, `$.sms[3]`) as data."""
    if found := _BYTES.fullmatch(position):
        start = int(found[1])
        return Position(file, bytes=(start, int(found[2] or start)))
    if found := _RECORD.fullmatch(position):
        return Position(file, index=int(found[2]), table=found[1])
    if position.startswith("$."):
        return Position(file, table=position[2:])
    return Position(file)


def check_structure(ctx: Context) -> Iterator[Finding]:
    for problem in ctx.problems:
        position = problem_position(problem.file, problem.position)
        service = ctx.contract.service_for_table(position.table) if position.table else None
        yield Finding(
            check=problem.check,
            severity=CHECKS[problem.check].severity,
            message=f"{problem.file}, {problem.position}: {problem.message}",
            service=service.id if service else None,
            table=position.table,
            positions=(position,),
        )


def _service_coverage(ctx: Context, service: Service) -> Iterator[Finding]:
    tables = ctx.tables_by_service.get(service.id, [])
    names: dict[str, Any] = {"service_id": service.id, "service": service.name.en}
    if len(tables) == 1:
        names["table"] = tables[0].name
    if not tables:
        code = "service-missing" if service.kind == "data" else "metadata-missing"
        yield finding(code, tables=", ".join(service.tables), **names)
        return
    records = sum(t.records for t in tables)
    for t in tables:
        if t.records == 0:
            yield finding("service-empty", **{**names, "table": t.name})
    if records == 0:
        return
    for f in service.fields:
        present = sum(t.fields[f.id].present for t in tables if f.id in t.fields)
        where: dict[str, Any] = {"field_id": f.id, "field": f.name.en, **names}
        if present == 0:
            yield finding("field-missing", keys=", ".join(f.keys), **where)
        elif present < records:
            share = f"{present / records:.1%}"
            yield finding(
                "field-partial",
                present=present,
                records=records,
                share=share,
                **where,
                count=records - present,
            )


def check_coverage(ctx: Context) -> Iterator[Finding]:
    for service in ctx.contract.services:
        yield from _service_coverage(ctx, service)


def check_values(ctx: Context) -> Iterator[Finding]:
    for service in ctx.contract.services:
        for t in ctx.tables_by_service.get(service.id, []):
            yield from _table_values(service, t)


def _table_values(service: Service, t: TableStats) -> Iterator[Finding]:
    names: dict[str, Any] = {"service_id": service.id, "service": service.name.en, "table": t.name}
    for f in service.fields:
        fstats = t.fields.get(f.id)
        if fstats is None:
            continue
        where: dict[str, Any] = {"field_id": f.id, "field": f.name.en, **names}
        extra: dict[str, Any] = {"type": f.type, "values": ", ".join(f.values)}
        times = Tally()
        reasons = []
        for code, tally in sorted(fstats.faults.items()):
            base, _, reason = code.partition(":")
            if base == "timestamp-invalid":
                times.merge(tally)
                reasons.append(f"{tally.count} {reason.replace('-', ' ')}")
            else:
                yield finding(base, tally=tally, **where, **extra)
        if times.count:
            yield finding("timestamp-invalid", tally=times, reason=", ".join(reasons), **where)
    if t.time_order.count:
        yield finding("time-order", tally=t.time_order, **names)
    if t.duplicates.count:
        yield finding("duplicate-id", tally=t.duplicates, **names)


def check_scope(ctx: Context) -> Iterator[Finding]:
    for t in ctx.stats.tables.values():
        if t.service is None:
            category = ctx.contract.not_exportable_for_table(t.name)
            if category is None:
                count = max(t.records, 1)
                yield finding("undocumented-table", table=t.name, records=t.records, count=count)
            else:
                yield finding(
                    "not-exportable-present",
                    category=category.name.en,
                    where=f"table {t.name}",
                    table=t.name,
                    field=None,
                    count=max(t.records, 1),
                )
            continue
        for key, tally in sorted(t.undocumented_keys.items()):
            names: dict[str, Any] = {"service_id": t.service.id, "table": t.name}
            yield finding("undocumented-field", tally=tally, field=key, **names)
    yield from _not_exportable_keys(ctx)


def _not_exportable_keys(ctx: Context) -> Iterator[Finding]:
    for t in ctx.stats.tables.values():
        if t.service is None and ctx.contract.not_exportable_for_table(t.name) is not None:
            continue  # the whole table is already reported as not exportable
        for (category_id, key), tally in sorted(t.not_exportable_keys.items()):
            category = next(c for c in ctx.contract.not_exportable if c.id == category_id)
            where = f"key {key} in table {t.name}"
            service_id = t.service.id if t.service else None
            yield finding(
                "not-exportable-present",
                tally=tally,
                category=category.name.en,
                where=where,
                table=t.name,
                field=key,
                service_id=service_id,
            )


CHECK_GROUPS: tuple[Callable[[Context], Iterator[Finding]], ...] = (
    check_archive,
    check_structure,
    check_coverage,
    check_values,
    check_scope,
)


def run_checks(ctx: Context) -> list[Finding]:
    """Run every check group and return the findings in a stable order."""
    for t in ctx.stats.tables.values():
        if t.service is not None:
            ctx.tables_by_service.setdefault(t.service.id, []).append(t)
    return [f for group in CHECK_GROUPS for f in group(ctx)]
