"""The checks: a registry keyed by stable code, and the functions turning statistics into findings.

Findings are data, not exceptions. Messages hold names, counts and positions only: never a value
from the export, so that a report can be shared without sharing personal data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from verify.contract import Contract, Field, Service, Text
from verify.registry import CHECKS, SEVERITY_ORDER, Param, render_message
from verify.stats import Position, StatsCollector, TableStats, Tally

__all__ = ["CHECKS", "SEVERITY_ORDER", "Context", "Finding", "finding", "run_checks"]

DATE_SOURCES = {
    "entries": Text(
        en="the newest date of the archive's files", sv="det senaste datumet bland arkivets filer"
    ),
    "mtime": Text(
        en="a file modification time, which may be when the file was copied",
        sv="en filändringstid, som kan vara när filen kopierades",
    ),
}
UNKNOWN_SOURCE = Text(en="source unknown", sv="okänt varifrån")
# The reasons of timestamp-invalid, as verify.values names them.
TIME_REASONS = {
    "unparseable": Text(en="unparseable", sv="oläsbara"),
    "too-early": Text(en="too early", sv="före år 2000"),
    "future": Text(en="future", sv="i framtiden"),
    "seconds-as-milliseconds": Text(
        en="seconds as milliseconds", sv="sekunder där millisekunder anges"
    ),
    "milliseconds-as-seconds": Text(
        en="milliseconds as seconds", sv="millisekunder där sekunder anges"
    ),
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
    # `field` here is the attribute above, hence the module's name for the function.
    params: Mapping[str, Param] = dataclasses.field(default_factory=dict, compare=False)

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

    def message_in(self, lang: str) -> str:
        """Return the message in `lang` (the stable `message` is the English one)."""
        return render_message(self.check, self.params, lang) if lang != "en" else self.message


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


def finding(
    code: str,
    *,
    tally: Tally | None = None,
    count: int | None = None,
    service: Service | None = None,
    table: str | None = None,
    field: Field | str | None = None,
    **params: Param,
) -> Finding:
    """Make a finding of check `code` at a place, its template filled from the place and params.

    `service` and a documented `field` appear in the message by name (in each language), an
    undocumented key by itself; the finding's columns hold their ids.
    """
    check = CHECKS[code]
    count = tally.count if tally else (1 if count is None else count)
    values: dict[str, Param] = {"count": count, **params}
    if service is not None:
        values["service"] = service.name
    if table is not None:
        values["table"] = table
    if field is not None:
        values["field"] = field if isinstance(field, str) else field.name
    return Finding(
        check=code,
        severity=check.severity,
        message=render_message(code, values),
        service=service.id if service else None,
        table=table,
        field=field if isinstance(field, str) or field is None else field.id,
        count=count,
        positions=tuple(tally.positions) if tally else (),
        params=values,
    )


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
        source = DATE_SOURCES.get(ctx.date_source or "", UNKNOWN_SOURCE)
        yield finding(
            "export-date",
            date=exported.date().isoformat(),
            source=source,
            until=until.isoformat(),
            days=days,
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
        found = finding(
            problem.check,
            service=service,
            table=position.table,
            file=problem.file,
            position=problem.position,
            problem=problem.message,  # the loader's words: names and positions, no values
        )
        yield dataclasses.replace(found, positions=(position,))


def _service_coverage(ctx: Context, service: Service) -> Iterator[Finding]:
    tables = ctx.tables_by_service.get(service.id, [])
    if not tables:
        code = "service-missing" if service.kind == "data" else "metadata-missing"
        yield finding(code, service=service, tables=service.tables)
        return
    only = tables[0].name if len(tables) == 1 else None
    records = sum(t.records for t in tables)
    for t in tables:
        if t.records == 0:
            yield finding("service-empty", service=service, table=t.name)
    if records == 0:
        return
    for f in service.fields:
        present = sum(t.fields[f.id].present for t in tables if f.id in t.fields)
        if present == 0:
            yield finding("field-missing", service=service, table=only, field=f, keys=f.keys)
        elif present < records:
            yield finding(
                "field-partial",
                count=records - present,
                service=service,
                table=only,
                field=f,
                present=present,
                records=records,
                share=present / records,
            )


def check_coverage(ctx: Context) -> Iterator[Finding]:
    for service in ctx.contract.services:
        yield from _service_coverage(ctx, service)


def check_values(ctx: Context) -> Iterator[Finding]:
    for service in ctx.contract.services:
        for t in ctx.tables_by_service.get(service.id, []):
            yield from _table_values(service, t)


def _table_values(service: Service, t: TableStats) -> Iterator[Finding]:
    for f in service.fields:
        fstats = t.fields.get(f.id)
        if fstats is None:
            continue
        times = Tally()
        reasons: list[tuple[str, int]] = []
        for code, tally in sorted(fstats.faults.items()):
            base, _, reason = code.partition(":")
            if base == "timestamp-invalid":
                times.merge(tally)
                reasons.append((reason, tally.count))
            else:
                yield finding(
                    base,
                    tally=tally,
                    service=service,
                    table=t.name,
                    field=f,
                    type=_type_name(f.type),
                    values=f.values,
                )
        if times.count:
            yield finding(
                "timestamp-invalid",
                tally=times,
                service=service,
                table=t.name,
                field=f,
                reason=_reasons(reasons),
            )
    if t.time_order.count:
        yield finding("time-order", tally=t.time_order, service=service, table=t.name)
    if t.duplicates.count:
        yield finding("duplicate-id", tally=t.duplicates, service=service, table=t.name)


def _type_name(code: str) -> Text:
    """Return a contract type: its code in English (stable), the viewer's label in Swedish."""
    from viewer.site.i18n import TYPE_LABELS, translations

    label = TYPE_LABELS.get(code)
    return Text(en=code, sv=translations("sv").gettext(label) if label else code)


def _reasons(reasons: list[tuple[str, int]]) -> Text:
    """Return the reasons of implausible times with their counts (`2 future` / `i framtiden: 2`)."""
    from viewer.site.i18n import Formats

    sv = Formats("sv")
    names = [(TIME_REASONS.get(r, Text(en=r, sv=r)), n) for r, n in reasons]
    return Text(
        en=", ".join(f"{n} {name.en}" for name, n in names),
        sv=", ".join(f"{name.sv}: {sv.number(n)}" for name, n in names),
    )


def check_scope(ctx: Context) -> Iterator[Finding]:
    for t in ctx.stats.tables.values():
        if t.service is None:
            category = ctx.contract.not_exportable_for_table(t.name)
            count = max(t.records, 1)
            if category is None:
                yield finding("undocumented-table", count=count, table=t.name, records=t.records)
            else:
                where = Text(en=f"table {t.name}", sv=f"tabellen {t.name}")
                yield finding(
                    "not-exportable-present",
                    count=count,
                    table=t.name,
                    category=category.name,
                    where=where,
                )
            continue
        for key, tally in sorted(t.undocumented_keys.items()):
            yield finding(
                "undocumented-field", tally=tally, service=t.service, table=t.name, field=key
            )
    yield from _not_exportable_keys(ctx)


def _not_exportable_keys(ctx: Context) -> Iterator[Finding]:
    for t in ctx.stats.tables.values():
        if t.service is None and ctx.contract.not_exportable_for_table(t.name) is not None:
            continue  # the whole table is already reported as not exportable
        for (category_id, key), tally in sorted(t.not_exportable_keys.items()):
            category = next(c for c in ctx.contract.not_exportable if c.id == category_id)
            where = Text(en=f"key {key} in table {t.name}", sv=f"nyckeln {key} i tabellen {t.name}")
            yield finding(
                "not-exportable-present",
                tally=tally,
                service=t.service,
                table=t.name,
                field=key,
                category=category.name,
                where=where,
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
