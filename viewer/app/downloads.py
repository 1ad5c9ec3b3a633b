"""Downloads of an open export in the open formats of `export-viewer convert`, one ZIP per format.

A download is a file the user asked for: the conversion is written to a folder inside the run's
private folder (0700, deleted when the server stops, whatever happens to the request), packed
into a ZIP there, streamed, and deleted once sent or when sending fails.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from viewer.app.pages import render, session_of, sessions_of
from viewer.convert import FORMATS, ConvertOptions, convert
from viewer.site import context
from viewer.site.i18n import LANGUAGES, N_, translations

CHOICES = (*FORMATS, "all")
# What each download holds, shown beside its link (and the options a format takes).
DESCRIPTIONS = {
    "vcard": N_("Contacts as vCard, for the address book of a phone or mail program."),
    "ics": N_("The calendar as iCalendar (RFC 5545), with time zones and repeating events."),
    "sms-xml": N_("Messages and calls in the format of the Android app SMS Backup & Restore."),
    "markdown": N_("Notes as Markdown files, one folder per note folder."),
    "csv": N_("Every table as CSV, for a spreadsheet."),
    "jsonl": N_("Every table as JSON Lines, one record per line."),
    "sqlite": N_("The whole export as one SQLite database, a table per export table."),
    "datapackage": N_("The CSV files with a Frictionless datapackage.json describing them."),
    "all": N_("Everything above in one ZIP."),
}
VARIANTS = {"vcard": {"vcard": "4.0"}, "csv": {"excel": "1"}}  # the second link of a format
VARIANT_LABELS = {"vcard": N_("vCard 4.0 instead"), "csv": N_("with a BOM, for Excel")}


def _options(request: Request) -> ConvertOptions:
    """Return the conversion options in the query string; anything else is refused."""
    params = request.query_params
    unknown = set(params) - {"vcard", "excel", "split"}
    vcard = params.get("vcard", "3.0")
    if unknown or vcard not in ("3.0", "4.0") or params.get("excel", "0") not in ("0", "1"):
        raise HTTPException(400, "Unknown download option.")
    return ConvertOptions(
        vcard_version="4.0" if vcard == "4.0" else "3.0",
        excel=params.get("excel") == "1",
        split=params.get("split") == "1",
    )


def _pack(folder: Path, target: Path) -> None:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(folder).as_posix())


def download(request: Request) -> FileResponse:
    """Convert the open export to one format (or all) and send it as a ZIP."""
    session = session_of(request)
    fmt = str(request.path_params["fmt"]).removesuffix(".zip")
    if fmt not in CHOICES:
        raise HTTPException(404, "No such format.")
    options = _options(request)
    loaded = session.loaded
    assert loaded is not None  # session_of only returns ready sessions
    tmp = Path(tempfile.mkdtemp(prefix="download-", dir=sessions_of(request).folder))
    try:
        with session.lock:
            convert(loaded.store, loaded.site.contract, [fmt], tmp / "out", options=options)
        target = tmp / f"{fmt}.zip"
        _pack(tmp / "out", target)
        shutil.rmtree(tmp / "out")  # only the ZIP stays, until it is sent
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    stem = Path(session.name).stem or "export"
    return FileResponse(
        target,
        media_type="application/zip",
        filename=f"{stem}-{fmt}.zip",
        background=BackgroundTask(shutil.rmtree, tmp, ignore_errors=True),
    )


def downloads_context(request: Request) -> dict[str, Any]:
    """Return the page that offers every download of an open export."""
    session = session_of(request)
    lang = str(request.path_params["lang"])
    if lang not in LANGUAGES:
        raise HTTPException(404, "No such language.")
    gettext = translations(lang).gettext
    ctx = context.page_context(session.site, lang, "downloads.html", "downloads")
    base = f"/x/{session.id}/download/"
    ctx["formats"] = [
        {
            "id": fmt,
            "href": f"{base}{fmt}.zip",
            "description": gettext(DESCRIPTIONS[fmt]),
            "variant": {
                "href": f"{base}{fmt}.zip?"
                + "&".join(f"{k}={v}" for k, v in VARIANTS[fmt].items()),
                "label": gettext(VARIANT_LABELS[fmt]),
            }
            if fmt in VARIANTS
            else None,
        }
        for fmt in CHOICES
    ]
    return ctx


def downloads_page(request: Request) -> Response:
    """Show every download of an open export."""
    session = session_of(request)
    return render(request, downloads_context(request), "serve_downloads.html", session)
