"""Build the static site: every page written as it is rendered, so memory stays bounded.

Layout of OUT: `index.html` (to the English overview), `en/` and `sv/` (the pages, same paths in
both), `static/` (CSS, JS), `data/` (the tables as JavaScript for client-side search and sorting),
`guide/` (the migration guide, built by the command).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verify.contract import Contract
from viewer.errors import OutputError
from viewer.resources import data_path
from viewer.site import context, paths
from viewer.site.model import SiteData, TableSummary, columns_for
from viewer.site.render import render
from viewer.site.views import build_views
from viewer.store import Store

STATIC = Path(__file__).resolve().parent / "static"
SAMPLE_ROWS = 200  # records looked at to choose a table's columns

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SiteSummary:
    """What a build wrote."""

    out: Path
    langs: tuple[str, ...]
    pages: int
    files: int
    bytes: int
    seconds: float


class Writer:
    """Write files of the site, 0600 in 0700 folders, counting what was written."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.files = 0
        self.pages = 0
        self.bytes = 0
        self.folders: set[Path] = set()

    def write(self, rel: str, text: str) -> None:
        """Write one file below the output folder."""
        path = self.out / rel
        self._folder(path.parent)
        data = text.encode("utf-8")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        self.files += 1
        self.pages += rel.endswith(".html")
        self.bytes += len(data)

    def _folder(self, folder: Path) -> None:
        # mkdir(parents=True) gives parents the default mode: create each level 0700 instead.
        if folder in self.folders:
            return
        if folder != self.out:
            self._folder(folder.parent)
            folder.mkdir(mode=0o700, exist_ok=True)
        self.folders.add(folder)

    def page(self, ctx: dict[str, Any], template: str | None = None) -> None:
        """Render a page context into its language's folder."""
        self.write(f"{ctx['lang']}/{ctx['path']}", render(ctx, template))


def prepare_output(out: Path) -> Path:
    """Create the output folder 0700 (it will hold personal data in plain text)."""
    out = out.expanduser().resolve()
    try:
        out.mkdir(mode=0o700, parents=True, exist_ok=True)
        out.chmod(0o700)
    except OSError as exc:
        raise OutputError(f"cannot create {out}: {exc.strerror or exc}") from exc
    return out


def _script_safe(text: str) -> str:
    # `<`, `>` and `&` only occur inside JSON strings, where their escapes mean the same.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def data_script(
    table_slug: str, chunk: int, files: Sequence[str], rows: Sequence[tuple[int, str, int, str]]
) -> str:
    """Return one data file: a table's records appended to a global list (works from file://).

    `rows` are (seq, file, index, JSON text) as the Store keeps them: the records' own JSON is
    written as it is, never parsed and serialised again. Each record is [seq, data, file, index],
    `file` an index into `files`.
    """
    where = {name: n for n, name in enumerate(files)}
    records = ",".join(
        f"[{seq},{raw},{where.get(file, -1)},{index}]" for seq, file, index, raw in rows
    )
    head = json.dumps({"table": table_slug, "chunk": chunk, "files": list(files)},
                      ensure_ascii=True, separators=(",", ":"))  # fmt: skip
    text = _script_safe(f'{head[:-1]},"records":[{records}]}}')
    return f"(window.EV_DATA = window.EV_DATA || []).push({text});\n"


def summarise(store: Store, contract: Contract) -> dict[str, TableSummary]:
    """Return every table's summary: columns chosen from its first records, its dates by month."""
    until = dt.datetime(dt.date.today().year + 2, 1, 1, tzinfo=dt.UTC)  # as charts.month_key
    summaries = {}
    for info in store.tables():
        service = contract.service(info.service) if info.service else None
        samples = store.page(info.name, limit=SAMPLE_ROWS)
        summary = TableSummary(info, service, columns_for(service, samples))
        summary.dates(store.months(info.name, int(until.timestamp() * 1000)))
        summaries[info.name] = summary
    return summaries


def write_table(
    site: SiteData, store: Store, writer: Writer, langs: Sequence[str], name: str
) -> int:
    """Write one table: its data files, its first page and its record page per language.

    The later pages and every record are drawn in the browser from the data files, so the site
    holds each record once (not once per page and language) and builds in bounded time.
    """
    summary = site.tables[name]
    slug, files, total = paths.slug(name), summary.info.files, summary.info.records
    for chunk, first in enumerate(range(0, total, paths.DATA_CHUNK)):
        rows = store.raw_rows(name, first, paths.DATA_CHUNK)
        writer.write(paths.data_file(name, chunk), data_script(slug, chunk, files, rows))
    first_page = store.page(name, limit=paths.PAGE_SIZE)
    for lang in langs:
        writer.page(context.table_context(site, lang, name, 1, first_page, cells=False))
        writer.page(context.record_shell_context(site, lang, name))
    return total


def build_site(
    store: Store,
    report: dict[str, Any],
    contract: Contract,
    out: Path,
    *,
    langs: Sequence[str] = ("en", "sv"),
    progress: Progress | None = None,
    guide: bool = True,
) -> SiteSummary:
    """Write the browsable site of a loaded export and its report into `out`."""
    started = time.monotonic()
    # 1. A private output folder, and what every page needs: the tables' summaries.
    out = prepare_output(out)
    writer = Writer(out)
    site = SiteData(contract, report, summarise(store, contract), guide=guide, static=True)
    total = sum(t.info.records for t in site.tables.values())
    done = 0
    # 2. Tables: data files (each record once), first pages, record pages, table by table.
    for name in site.tables:
        done += write_table(site, store, writer, langs, name)
        if progress is not None:
            progress(done, total)
    # 3. The views that fit the data (conversations, contacts, calendar...).
    build_views(site, store, writer, langs)
    # 4. Overview, service pages and the report, now that the dates are known.
    for lang in langs:
        writer.page(context.overview_context(site, lang))
        writer.page(context.report_context(site, lang))
        for service in contract.services:
            writer.page(context.service_context(site, lang, service.id))
    # 5. Static files and the entry page.
    _copy_static(writer)
    writer.write("index.html", _entry_page(langs[0]))
    if progress is not None:
        progress(total, total)
    return SiteSummary(
        out, tuple(langs), writer.pages, writer.files, writer.bytes, time.monotonic() - started
    )


def _copy_static(writer: Writer) -> None:
    for path in sorted(STATIC.iterdir()):
        if path.is_file():
            writer.write(f"static/{path.name}", path.read_text(encoding="utf-8"))
    # The report's own stylesheet, shared with `verify --format html`.
    report_css = data_path("templates") / "_partials" / "report.css"
    writer.write("static/report.css", report_css.read_text(encoding="utf-8"))


def _entry_page(lang: str) -> str:
    target = f"{lang}/index.html"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'">'
        f'<meta http-equiv="refresh" content="0; url={target}"><title>Export Viewer</title>'
        f'</head><body><p><a href="{target}">Export Viewer</a> · '
        '<a href="sv/index.html" lang="sv">Svenska</a></p></body></html>\n'
    )


__all__ = ["SiteSummary", "build_site", "prepare_output"]
