"""Downloads of an open export in the open formats of `export-viewer convert`, one ZIP per format.

A download is a file the user asked for: the conversion is written to a private temporary
folder (0700), packed into a ZIP there, streamed, and the folder is deleted once sent.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path

from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse

from viewer.app.pages import session_of
from viewer.convert import FORMATS, convert

CHOICES = (*FORMATS, "all")


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
    loaded = session.loaded
    assert loaded is not None  # session_of only returns ready sessions
    tmp = Path(tempfile.mkdtemp(prefix="export-viewer-download-"))  # created 0700
    try:
        convert(loaded.store, loaded.site.contract, [fmt], tmp / "out")
        target = tmp / f"{fmt}.zip"
        _pack(tmp / "out", target)
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
