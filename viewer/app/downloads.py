"""Downloads of an open export in the open formats of `export-viewer convert`, one ZIP per format.

A download is a file the user asked for. The conversion is written into the run's private folder
(0700, deleted on close and on exit) and packed into a ZIP there; the folder is deleted before the
first byte is sent, the ZIP living on only as an open file. So a closed connection, a failed
conversion or Ctrl+C leaves no plaintext on disk.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote

from starlette.background import BackgroundTask
from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from viewer.app.pages import session_of, sessions_of
from viewer.convert import FORMATS, ConvertOptions, convert
from viewer.errors import ExportViewerError
from viewer.site import context
from viewer.site.model import SiteData

CHOICES = (*FORMATS, "all")
PAGE = "downloads.html"  # the page offering them, beside the overview
# The options a download may carry, each with its allowed values (the first is the default);
# the names are those of `export-viewer convert`.
OPTIONS: dict[str, tuple[str, ...]] = {
    "vcard-version": ("3.0", "4.0"),
    "split": ("0", "1"),
    "excel": ("0", "1"),
}
CHUNK = 256 * 1024
# Which options matter for which download (datapackage describes CSV files it writes too).
APPLIES = {
    "vcard": ("vcard-version", "split"),
    "csv": ("excel",),
    "datapackage": ("excel",),
    "all": ("vcard-version", "split", "excel"),
}


class Stopped(Exception):
    """The export was closed, or the server is stopping, while a download was being made."""


def download_options(params: QueryParams) -> ConvertOptions:
    """Return the conversion options a download asks for; anything off the fixed lists is a 400."""
    for key in params:
        values = params.getlist(key)
        if key not in OPTIONS or len(values) != 1 or values[0] not in OPTIONS[key]:
            allowed = "; ".join(f"{k}={'|'.join(v)}" for k, v in OPTIONS.items())
            raise HTTPException(400, f"Unknown download option {key!r}: choose from {allowed}.")
    return ConvertOptions(
        split=params.get("split") == "1",
        vcard_version="4.0" if params.get("vcard-version") == "4.0" else "3.0",
        excel=params.get("excel") == "1",
    )


def downloads_context(site: SiteData, lang: str) -> dict[str, Any]:
    """Return the page that offers every format as a download, with the options that matter."""
    ctx = context.page_context(site, lang, PAGE, "downloads")
    ctx["downloads"] = [
        {"format": fmt, "href": f"{ctx['root']}download/{fmt}.zip",
         "options": list(APPLIES.get(fmt, ()))}
        for fmt in CHOICES
    ]  # fmt: skip
    return ctx


def _pack(folder: Path, target: Path, stop: threading.Event) -> None:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if stop.is_set():
                raise Stopped
            if path.is_file():
                zf.write(path, path.relative_to(folder).as_posix())


def _chunks(handle: BinaryIO) -> Iterator[bytes]:
    try:
        while chunk := handle.read(CHUNK):
            yield chunk
    finally:
        handle.close()


def attachment(filename: str) -> str:
    """Return a Content-Disposition for a download (RFC 6266: non-ASCII names as filename*)."""
    quoted = quote(filename)
    if quoted == filename:
        return f'attachment; filename="{filename}"'
    return f"attachment; filename*=utf-8''{quoted}"


def download(request: Request) -> Response:
    """Convert the open export to one format (or all) and send it as a ZIP."""
    session = session_of(request)
    fmt = str(request.path_params["fmt"]).removesuffix(".zip")
    if fmt not in CHOICES:
        raise HTTPException(404, "No such format.")
    options = download_options(request.query_params)
    sessions = sessions_of(request)
    loaded = session.loaded
    assert loaded is not None  # session_of only returns ready sessions
    try:
        with sessions.scratch(session) as folder:
            convert(loaded.store, loaded.site.contract, [fmt], folder / "out", options=options)
            target = folder / f"{fmt}.zip"
            _pack(folder / "out", target, sessions.stopping)
            handle = target.open("rb")
    except (Stopped, sqlite3.ProgrammingError) as exc:  # the Store closed under the converter
        raise HTTPException(409, "The export was closed while the download was made.") from exc
    except ExportViewerError as exc:
        raise HTTPException(500, f"The download could not be made: {exc}") from exc
    # The folder is deleted by now: the ZIP is only this open file.
    size = os.fstat(handle.fileno()).st_size
    stem = Path(session.name).stem or "export"
    return StreamingResponse(
        _chunks(handle),
        media_type="application/zip",
        headers={
            "content-length": str(size),
            "content-disposition": attachment(f"{stem}-{fmt}.zip"),
        },
        background=BackgroundTask(handle.close),  # also when the stream never started
    )
