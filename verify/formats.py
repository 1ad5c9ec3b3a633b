"""Render a verification report as JSON, terminal text or a standalone HTML page."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.table import Table

# rich (text) and Jinja (HTML) are imported by the renderers that use them: a JSON report,
# the form scripts ask for, should not pay for their start-up.

STATUS_STYLE = {"complete": "green", "incomplete": "yellow", "invalid": "red"}
SEVERITY_STYLE = {"error": "red", "warning": "yellow", "info": "cyan"}


def render_json(report: dict[str, Any]) -> str:
    """Return the report as stable, indented JSON."""
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"


def count(n: int, noun: str) -> str:
    """Return a count with its English noun, plural unless it is one ("1 error", "2 errors")."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _summary_lines(report: dict[str, Any]) -> list[str]:
    s = report["summary"]
    a = report["archive"]
    counts = ", ".join(
        count(s[key], noun) for key, noun in (("errors", "error"), ("warnings", "warning"),
                                              ("infos", "note"))
    )  # fmt: skip
    return [
        f"[bold]{a['name']}[/bold]: [{STATUS_STYLE[s['status']]}]{s['status']}[/]  ({counts})",
        f"coverage {s['coverage'] * 100:.1f} % of documented fields "
        f"({s['fields_present']}/{s['fields_documented']}); "
        f"services present {s['services_present']}/{s['services_documented']}; "
        f"{count(s['records'], 'record')} in {count(s['tables'], 'table')}",
        f"encryption {a['encryption']}; sha256 {a['sha256']}",
        f"contract {report['contract']['provider']} {report['contract']['version']}",
    ]


def _services_table(report: dict[str, Any]) -> Table:
    from rich.table import Table

    table = Table(title="Services", show_lines=False, expand=False)
    for col in ("service", "status", "records", "fields", "coverage"):
        table.add_column(col, justify="right" if col in {"records", "coverage"} else "left")
    for s in report["services"]:
        table.add_row(
            f"{s['name']['en']} ({s['id']})",
            s["status"],
            str(s["records"]),
            f"{s['fields_present']}/{s['fields_documented']}",
            f"{s['coverage'] * 100:.0f} %",
        )
    return table


def _findings_table(report: dict[str, Any]) -> Table:
    from rich.table import Table

    table = Table(title="Findings", show_lines=False)
    for col in ("severity", "check", "where", "count", "message"):
        table.add_column(col, overflow="fold")
    for f in report["findings"]:
        where = ".".join(x for x in (f["service"] or f["table"], f["field"]) if x)
        style = SEVERITY_STYLE[f["severity"]]
        table.add_row(
            f"[{style}]{f['severity']}[/]", f["check"], where, str(f["count"]), f["message"]
        )
    return table


def render_text(report: dict[str, Any], *, color: bool | None = None, width: int = 120) -> str:
    """Return the report for a terminal: the summary, a table per service, then the findings."""
    from rich.console import Console

    buffer = io.StringIO()
    # color None (a terminal, --color auto) lets rich decide; False turns colour off for sure.
    console = Console(
        file=buffer, force_terminal=color, no_color=color is False, width=width, highlight=False
    )
    for line in _summary_lines(report):
        console.print(line, markup=True, soft_wrap=True)
    if report["summary"]["partial"]:
        console.print("[yellow]partial: the list of findings was capped (--max-findings)[/]")
    console.print()
    console.print(_services_table(report))
    for service in report["services"]:
        console.print(_fields_table(service))
    if report["findings"]:  # last of the tables: what to act on stays on the screen
        console.print(_findings_table(report))
    if report.get("mapping"):
        console.print(_mapping_lines(report["mapping"]), markup=False, soft_wrap=True)
    console.print()
    console.print("How completeness is measured", style="bold")
    console.print(report["summary"]["coverage_definition"], markup=False, soft_wrap=True)
    console.print(report["summary"]["status_definition"], markup=False, soft_wrap=True)
    return buffer.getvalue()


def _fields_table(service: dict[str, Any]) -> Table:
    from rich.table import Table

    title = f"{service['name']['en']} ({service['id']}): fields"
    if service["status"] in ("missing", "empty"):
        title += f" ({service['status']})"
    table = Table(title=title, expand=False)
    for col in ("field", "keys found", "coverage"):
        table.add_column(col, justify="right" if col == "coverage" else "left")
    for f in service["fields"]:
        keys = ", ".join(f["keys_found"]) or "-"
        table.add_row(f"{f['name']['en']} ({f['id']})", keys, f"{f['coverage'] * 100:.0f} %")
    return table


def _mapping_lines(mapping: dict[str, Any]) -> str:
    lines = [f"mapping (sha256 {mapping['sha256']}):"]
    for m in mapping["applied"]:
        lines.append(f"  {m['kind']} {m['observed']} -> {m['documented']} ({m['records']} records)")
    if not mapping["applied"]:
        lines.append("  no name of the mapping file is in this export")
    if mapping["unused"]:
        lines.append(f"  {mapping['unused']} entries of the mapping file are not in this export")
    return "\n".join(lines)


def render_html(report: dict[str, Any], *, standalone: bool = True) -> str:
    """Return the report as a printable HTML page (or the fragment the viewer embeds)."""
    from viewer.templating import environment

    template = environment().get_template("report.html")
    return template.render(report=report, standalone=standalone)


def summary_rows(reports: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return one row per export with its status and the coverage per service."""
    rows = []
    for report in reports:
        s = report["summary"]
        row: dict[str, Any] = {
            "export": report["archive"]["name"],
            "sha256": report["archive"]["sha256"],
            "status": s["status"],
            "errors": s["errors"],
            "warnings": s["warnings"],
            "records": s["records"],
            "coverage": s["coverage"],
        }
        rows.append(row)
    ids = [service["id"] for service in summary_services(reports)]
    for row, report in zip(rows, reports, strict=True):
        coverage = {service["id"]: service["coverage"] for service in report["services"]}
        row.update({sid: coverage.get(sid) for sid in ids})  # None: not in that contract
    return rows


def _share(x: float | None) -> str:
    return "-" if x is None else f"{x * 100:.1f} %"


def render_summary_text(reports: Sequence[dict[str, Any]], *, width: int = 120) -> str:
    """Return the many-exports summary for the terminal: one row per export, then per service."""
    from rich.console import Console
    from rich.table import Table

    rows = summary_rows(reports)
    table = Table(title="Summary", expand=False)
    for col in ("export", "status", "errors", "warnings", "records", "coverage"):
        table.add_column(col, justify="left" if col in ("export", "status") else "right")
    for row in rows:
        table.add_row(row["export"], row["status"], str(row["errors"]), str(row["warnings"]),
                      str(row["records"]), _share(row["coverage"]))  # fmt: skip
    # Services down and exports across: a row per export would not fit a terminal.
    services = Table(title="Coverage per service", expand=False)
    services.add_column("service")
    for row in rows:
        services.add_column(row["export"], justify="right")
    for service in summary_services(reports):
        services.add_row(service["id"], *(_share(row[service["id"]]) for row in rows))
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, no_color=True, highlight=False)
    console.print(table)
    console.print(services)
    return buffer.getvalue()


def render_summary_csv(reports: Sequence[dict[str, Any]]) -> str:
    """Return the many-exports summary as CSV (one row per export)."""
    rows = summary_rows(reports)
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return buffer.getvalue()


def summary_services(reports: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return every service of any of the reports, once, in the order they first appear."""
    seen: dict[str, dict[str, Any]] = {}
    for report in reports:
        for service in report["services"]:
            seen.setdefault(service["id"], service)
    return list(seen.values())


def render_summary_html(reports: Sequence[dict[str, Any]]) -> str:
    """Return the many-exports summary as a standalone HTML page."""
    from viewer.templating import environment

    template = environment().get_template("report_summary.html")
    return template.render(rows=summary_rows(reports), services=summary_services(reports))
