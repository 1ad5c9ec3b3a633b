"""What the forms do (every one behind the CSRF check): open an export, close one, stream events."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse

from viewer.app.events import session_events
from viewer.app.pages import overview_url, session_of, sessions_of
from viewer.app.security import csrf_form
from viewer.app.sessions import FAILED

COPY_CHUNK = 1024 * 1024


async def _save_upload(upload: UploadFile, target: Path) -> None:
    """Copy an uploaded (still encrypted) export into the run's private folder, 0600."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        while chunk := await upload.read(COPY_CHUNK):
            handle.write(chunk)


def _password(form: FormData) -> str | None:
    value = form.get("password")
    return value if isinstance(value, str) and value else None


@csrf_form
async def open_export(request: Request, form: FormData) -> Response:
    """Open an export from a local path or an upload, or retry a failed one; then show progress."""
    sessions = sessions_of(request)
    retry = sessions.get(str(form.get("retry") or ""))
    upload = form.get("upload")
    path_text = str(form.get("path") or "").strip()
    if isinstance(upload, UploadFile) and upload.filename:
        target = sessions.upload_path(upload.filename)
        try:
            await _save_upload(upload, target)
        except BaseException:  # a half-written upload (or its empty folder) must not stay
            shutil.rmtree(target.parent, ignore_errors=True)
            raise
        session = sessions.open(target, _password(form), uploaded=True)
    elif path_text:
        path = Path(path_text).expanduser()
        if not path.is_file():
            return _form_error(request, sessions.fail(path, f"{path} is not a file"))
        session = sessions.open(path.resolve(), _password(form))
    elif retry is not None and retry.state == FAILED:
        sessions.retry(retry, _password(form))
        session = retry
    else:
        raise HTTPException(400, "Choose an export: a path or a file to upload.")
    if retry is not None and retry is not session:
        sessions.close(retry.id)
    return RedirectResponse(f"/x/{session.id}/progress", 303)


def _form_error(request: Request, sid: str) -> Response:
    return RedirectResponse(f"/?failed={sid}", 303)


@csrf_form
async def close_export(request: Request, form: FormData) -> Response:
    """Close an export: its records are wiped from memory and its upload deleted."""
    sessions_of(request).close(str(request.path_params["sid"]))
    return RedirectResponse("/", 303)


async def events(request: Request) -> Response:
    """Stream an export's progress, then its reload notices, as server-sent events."""
    session = session_of(request, ready=False)
    since = request.query_params.get("since", "")
    stream = session_events(
        session,
        ready_url=overview_url(request, session),
        failed_url=f"/?failed={session.id}",
        stopping=request.app.state.stopping,
        generation=lambda: int(request.app.state.generation(session)),
        since=int(since) if since.isdigit() else None,
    )
    return StreamingResponse(
        stream, media_type="text/event-stream", headers={"x-accel-buffering": "no"}
    )
