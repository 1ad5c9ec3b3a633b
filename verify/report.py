"""Build the verification report: one dict (JSON-ready, versioned) that every format renders."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import viewer
from verify.checks import SEVERITY_ORDER, Context, Finding, run_checks
from verify.contract import Contract, Service, Text
from verify.registry import LANGUAGES
from verify.stats import StatsCollector, TableStats
from viewer import __version__

REPORT_VERSION = 1

COVERAGE_DEFINITION = Text(
    en="A field is present in a record when one of its documented keys is there (a null value "
    "counts as present). Field coverage is the share of the service's records in which the field "
    "is present. Service coverage is the share of the service's documented fields present in at "
    "least one record (0 when the service has no record). Overall coverage is the share of all "
    "documented fields, over every service and metadata group, present in at least one record.",
    sv="Ett fält finns i en post när någon av fältets dokumenterade nycklar finns där (även med "
    "värdet null). Fältets täckning är andelen av tjänstens poster där fältet finns. Tjänstens "
    "täckning är andelen av tjänstens dokumenterade fält som finns i minst en post (0 när tjänsten "
    "inte har någon post). Den sammanlagda täckningen är andelen av alla dokumenterade fält, i "
    "alla tjänster och metadatagrupper, som finns i minst en post.",
)
STATUS_DEFINITION = Text(
    en="invalid: a file could not be read as JSON tables; incomplete: a documented service or "
    "metadata group has no table or no record, or a documented field is in no record; complete: "
    "every documented service, group and field is present. An empty extra table of a service "
    "that has records elsewhere is a warning only.",
    sv="invalid (ogiltig): en fil gick inte att läsa som JSON-tabeller; incomplete "
    "(ofullständig): en dokumenterad tjänst eller metadatagrupp saknar tabell eller poster, eller "
    "ett dokumenterat fält finns inte i någon post; complete (komplett): varje dokumenterad "
    "tjänst, grupp och varje dokumenterat fält finns. En tom extra tabell för en tjänst som har "
    "poster i en annan tabell ger bara en varning.",
)


class ArchiveInfoLike(Protocol):
    """The archive facts the report shows (see viewer.archive.ArchiveInfo)."""

    @property
    def path(self) -> Path: ...
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def sha256(self) -> str: ...
    @property
    def encryption(self) -> str: ...
    @property
    def entries(self) -> int: ...
    @property
    def uncompressed(self) -> int: ...
    @property
    def export_date(self) -> dt.datetime | None: ...
    @property
    def export_date_source(self) -> str | None: ...


@dataclass(frozen=True)
class Options:
    """How the report is built: the cap on listed findings."""

    max_findings: int | None = None


def _round(x: float) -> float:
    return round(x, 4)


def _field_rows(service: Service, tables: list[TableStats], records: int) -> list[dict[str, Any]]:
    rows = []
    for f in service.fields:
        present = sum(t.fields[f.id].present for t in tables if f.id in t.fields)
        keys: dict[str, int] = {}
        for t in tables:
            if f.id in t.fields:
                for key, n in t.fields[f.id].keys.items():
                    keys[key] = keys.get(key, 0) + n
        rows.append(
            {
                "id": f.id,
                "name": f.name.as_dict(),
                "type": f.type,
                "keys_found": sorted(keys),
                "present": present,
                "coverage": _round(present / records) if records else 0.0,
            }
        )
    return rows


def _service_row(service: Service, tables: list[TableStats]) -> dict[str, Any]:
    records = sum(t.records for t in tables)
    fields = _field_rows(service, tables, records)
    present = sum(1 for f in fields if f["present"])
    if not tables:
        status = "missing"
    elif records == 0:
        status = "empty"
    elif all(f["present"] == records for f in fields):
        status = "complete"
    else:
        status = "partial"
    return {
        "id": service.id,
        "kind": service.kind,
        "name": service.name.as_dict(),
        "status": status,
        "records": records,
        "tables": [{"name": t.name, "records": t.records} for t in tables],
        "fields_documented": len(fields),
        "fields_present": present,
        "coverage": _round(present / len(fields)) if records else 0.0,
        "fields": fields,
    }


def _archive_dict(info: ArchiveInfoLike, date_source: str | None) -> dict[str, Any]:
    return {
        "name": info.name,
        "kind": info.kind,
        "size": info.size,
        "sha256": info.sha256,
        "encryption": info.encryption,
        "entries": info.entries,
        "uncompressed": info.uncompressed,
        "export_date": info.export_date.isoformat() if info.export_date else None,
        "export_date_source": date_source,
    }


def _status(findings: Sequence[Finding], services: Sequence[dict[str, Any]]) -> str:
    checks = {f.check for f in findings}
    if checks & {"json-invalid", "structure-invalid"}:
        return "invalid"
    if checks & {"service-missing", "metadata-missing", "field-missing"}:
        return "incomplete"
    # service-empty is per table: only a service with no record in any table is incomplete.
    if any(s["status"] == "empty" for s in services):
        return "incomplete"
    return "complete"


def _counts(findings: Sequence[Finding]) -> dict[str, int]:
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in findings:
        counts[f.severity] += 1
    return counts


def _finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "check": f.check,
        "severity": f.severity,
        "service": f.service,
        "table": f.table,
        "field": f.field,
        "count": f.count,
        "message": f.message,
        # The same message in every language of the viewer (the English one is `message`).
        "messages": {lang: f.message_in(lang) for lang in LANGUAGES},
        "positions": [
            {
                "file": p.file,
                "table": p.table or f.table,
                "index": p.index,
                "bytes": list(p.bytes) if p.bytes else None,
            }
            for p in f.positions
        ],
    }


def _scope(ctx: Context, findings: Sequence[Finding]) -> dict[str, Any]:
    tables = [
        {"name": t.name, "records": t.records}
        for t in ctx.stats.tables.values()
        if t.service is None and ctx.contract.not_exportable_for_table(t.name) is None
    ]
    fields = [
        {"service": f.service, "table": f.table, "key": f.field, "records": f.count}
        for f in findings
        if f.check == "undocumented-field"
    ]
    return {"tables": tables, "fields": fields}


def _not_exportable(ctx: Context) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for t in ctx.stats.tables.values():
        category = ctx.contract.not_exportable_for_table(t.name) if t.service is None else None
        if category is not None:
            found.setdefault(category.id, {"id": category.id, "tables": [], "keys": []})
            found[category.id]["tables"].append(t.name)
            continue  # its keys say no more than the table itself (as in the findings)
        for category_id, key in t.not_exportable_keys:
            entry = found.setdefault(category_id, {"id": category_id, "tables": [], "keys": []})
            if key not in entry["keys"]:
                entry["keys"].append(key)
    order = [c.id for c in ctx.contract.not_exportable]
    for entry in found.values():  # keys are first seen in set order: sort for a stable report
        entry["tables"].sort()
        entry["keys"].sort()
    return sorted(found.values(), key=lambda e: order.index(e["id"]))


def build_report(
    contract: Contract,
    stats: StatsCollector,
    info: ArchiveInfoLike,
    problems: Sequence[Any],
    options: Options | None = None,
) -> dict[str, Any]:
    """Run the checks and return the report as a JSON-ready dict (no record values in it)."""
    options = options or Options()
    date_source = info.export_date_source
    ctx = Context(
        contract=contract, stats=stats, archive=info, problems=problems, date_source=date_source
    )
    findings = run_checks(ctx)
    counts = _counts(findings)
    ordered = sorted(findings, key=lambda f: SEVERITY_ORDER[f.severity])
    partial = options.max_findings is not None and len(ordered) > options.max_findings
    shown = ordered[: options.max_findings] if partial else ordered
    services = [_service_row(s, ctx.tables_by_service.get(s.id, [])) for s in contract.services]
    documented = sum(s["fields_documented"] for s in services)
    present = sum(s["fields_present"] for s in services)
    return {
        "report_version": REPORT_VERSION,
        "generated_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "tool": {"name": "export-viewer", "version": __version__, "sha256": tool_sha256()},
        "contract": {
            "provider": contract.provider,
            "version": contract.version,
            "sha256": contract.sha256,
            "file": contract.path.name,
        },
        "archive": _archive_dict(info, date_source),
        "summary": {
            "status": _status(findings, services),
            "errors": counts["error"],
            "warnings": counts["warning"],
            "infos": counts["info"],
            "findings": len(findings),
            "partial": partial,
            "records": sum(t.records for t in stats.tables.values()),
            "tables": len(stats.tables),
            "services_documented": len(services),
            "services_present": sum(1 for s in services if s["status"] != "missing"),
            "fields_documented": documented,
            "fields_present": present,
            "coverage": _round(present / documented) if documented else 0.0,
            "coverage_definition": COVERAGE_DEFINITION.en,
            "status_definition": STATUS_DEFINITION.en,
            # Both definitions in every language, for the report page in the viewer's languages.
            "definitions": {
                "coverage": COVERAGE_DEFINITION.as_dict(),
                "status": STATUS_DEFINITION.as_dict(),
            },
        },
        "tables": [
            {
                "name": t.name,
                "records": t.records,
                "files": list(t.files),
                "service": t.service.id if t.service else None,
            }
            for t in stats.tables.values()
        ],
        "services": services,
        "undocumented": _scope(ctx, findings),
        "not_exportable_found": _not_exportable(ctx),
        "mapping": _mapping(contract, stats),
        "findings": [_finding_dict(f) for f in shown],
    }


@functools.cache
def tool_sha256() -> str:
    """Return a hash of the tool's own code (verify/ and viewer/ sources), the same each run."""
    digest = hashlib.sha256()
    for package in (Path(__file__).resolve().parent, Path(viewer.__file__).resolve().parent):
        for source in sorted(package.rglob("*.py")):
            digest.update(source.relative_to(package.parent).as_posix().encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()


def _mapping(contract: Contract, stats: StatsCollector) -> dict[str, Any] | None:
    """Return which observed names a --mapping file mapped, as far as the export has them."""
    if not contract.mapped:
        return None
    applied: list[dict[str, Any]] = []
    unused = 0
    for entry, documented in sorted(contract.mapped.items()):
        kind, _, observed = entry.partition(":")
        if kind == "table":
            table = stats.tables.get(observed)
            records = table.records if table else None
        else:
            service_id, _, key = observed.partition(".")
            field_id = documented.partition(".")[2]
            records = (
                sum(
                    t.fields[field_id].keys.get(key, 0)
                    for t in stats.tables.values()
                    if t.service and t.service.id == service_id and field_id in t.fields
                )
                or None
            )
            observed = key
        if records:
            applied.append(
                {"kind": kind, "observed": observed, "documented": documented, "records": records}
            )
        else:  # counted, not named: the report lists what the export had, not the mapping file
            unused += 1
    return {"sha256": contract.mapping_sha256, "applied": applied, "unused": unused}


def exit_code(report: dict[str, Any], fail_on: str = "error") -> int:
    """Return 1 when the report has findings at or above `fail_on` severity, else 0."""
    summary = report["summary"]
    failing = summary["errors"] + (summary["warnings"] if fail_on == "warning" else 0)
    return 1 if failing else 0


def flatten(report: dict[str, Any]) -> list[tuple[str, str, str, str, str, int]]:
    """Return the findings as rows (check, severity, service, table, field, count) for tests."""
    return [
        (
            f["check"],
            f["severity"],
            f["service"] or "",
            f["table"] or "",
            f["field"] or "",
            f["count"],
        )
        for f in report["findings"]
    ]
