"""Endpoints: the start page, and the static site's pages rendered live from the same contexts.

An open export's pages sit under `/x/<id>/<lang>/` with the static site's paths, so every relative
link the context builders make works unchanged. `?format=json` returns a page's context instead.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from viewer.app.security import CSRF_FIELD, VIEWER_CSP
from viewer.app.sessions import FAILED, READY, Session, Sessions
from viewer.site.charts import activity_chart, sparkline
from viewer.site.i18n import LANGUAGES, environment
from viewer.site.render import TEMPLATES

# The page's own copy of the policy; frame-ancestors only works as a header (and warns in a meta).
META_CSP = VIEWER_CSP.replace("; frame-ancestors 'none'", "")
APP_STATIC = "/app/static/"


def sessions_of(request: Request) -> Sessions:
    """Return the run's open exports."""
    sessions: Sessions = request.app.state.sessions
    return sessions


def session_of(request: Request, *, ready: bool = True) -> Session:
    """Return the export named in the path (404 if unknown; the progress page until ready)."""
    session = sessions_of(request).get(request.path_params["sid"])
    if session is None:
        raise HTTPException(404, "No such open export: it may have been closed.")
    if ready and session.state != READY:
        raise NotReady(session)
    if ready:
        session.last_request = time.monotonic()  # the background index gives way meanwhile
    return session


class NotReady(Exception):
    """A page of an export that is still loading (or failed) was asked for."""

    def __init__(self, session: Session) -> None:
        super().__init__(session.id)
        self.session = session


def not_ready(request: Request, exc: Exception) -> Response:
    """Send the user to the progress page, or back to the start page when loading failed."""
    assert isinstance(exc, NotReady)
    session = exc.session
    if session.state == FAILED:
        return RedirectResponse(f"/?failed={session.id}", 303)
    return RedirectResponse(f"/x/{session.id}/progress", 303)


def default_lang(request: Request) -> str:
    """Return the run's language (--lang), unless the request asks for a supported one."""
    lang = request.query_params.get("lang", "")
    return lang if lang in LANGUAGES else str(request.app.state.lang)


def wants_json(request: Request) -> bool:
    """Return whether the page's context was asked for instead of its HTML."""
    return request.query_params.get("format") == "json"


def json_page(ctx: dict[str, Any]) -> Response:
    """Return a context as JSON (values the encoder does not know become text)."""
    body = json.dumps(ctx, ensure_ascii=False, default=str)
    # As in the site's data files: no "</script" or "<!--" from an export, wherever the JSON
    # ends up (these characters only ever occur inside JSON strings, where escapes are equal).
    body = body.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Response(body, media_type="application/json")


def serve_globals(request: Request, session: Session | None) -> dict[str, Any]:
    """Return what the serve templates add to a page: events, the run's links, notices."""
    generation = request.app.state.generation(session) if session else 0
    return {
        "app_static": APP_STATIC,
        "csrf_field": CSRF_FIELD,
        "csrf": request.app.state.secrets.csrf,
        "session": session,
        # The progress page streams events; other pages poll `live` (see live_state).
        "events": f"/x/{session.id}/events?since={generation}" if session else None,
        "live": f"/x/{session.id}/live" if session else None,
        "generation": generation,
        "home": "/",
    }


def render(
    request: Request,
    ctx: dict[str, Any],
    template: str,
    session: Session | None,
    page_template: str | None = None,
) -> Response:
    """Return a page context as HTML with its template, or as JSON when asked.

    `page_template` is the static site's template that a serve template (serve_page.html)
    wraps; by default the one of the page's kind.
    """
    if wants_json(request):
        return json_page(ctx)
    env = environment(ctx["lang"])
    html = env.get_template(template).render(
        ctx,
        csp=META_CSP,
        activity_chart=activity_chart,
        sparkline=sparkline,
        page_template=page_template or TEMPLATES.get(ctx["kind"], "base.html"),
        serve=serve_globals(request, session),
    )
    return HTMLResponse(html)


# -- the start page ---------------------------------------------------------------------------


def start_context(request: Request) -> dict[str, Any]:
    """Return the start page: the open exports, and the form (kept after a failed open)."""
    sessions = sessions_of(request)
    failed = sessions.get(request.query_params.get("failed", ""))
    lang = default_lang(request)
    return {
        "kind": "start",
        "lang": lang,
        "lang_links": [
            {"lang": other, "href": f"/?{urlencode({'lang': other})}", "current": other == lang}
            for other in LANGUAGES
        ],
        "exports": [
            {"id": s.id, "name": s.name, "state": s.state, "href": f"/x/{s.id}/"}
            for s in sessions
            if s.state != FAILED
        ],
        "failed": None
        if failed is None or failed.state != FAILED
        else {"id": failed.id, "name": failed.name, "message": failed.error,
              "path": "" if failed.uploaded else str(failed.path), "uploaded": failed.uploaded},
        "max_upload": request.app.state.max_upload,
        "guide_href": "/guide/" if request.app.state.guide else None,
    }  # fmt: skip


def start_page(request: Request) -> Response:
    """Show the open exports and the form to open another."""
    return render(request, start_context(request), "serve_start.html", None)


def progress_page(request: Request) -> Response:
    """Show an export's decryption progress (streamed by events), or its overview once ready."""
    session = session_of(request, ready=False)
    lang = default_lang(request)
    ctx = {"kind": "progress", "lang": lang, "name": session.name, "state": session.state,
           "done": session.done, "total": session.total, "error": session.error,
           "ready_url": overview_url(request, session)}  # fmt: skip
    if wants_json(request):  # in every state: a script can poll this
        return json_page(ctx)
    if session.state == READY:
        return RedirectResponse(overview_url(request, session), 303)
    if session.state == FAILED:
        return RedirectResponse(f"/?failed={session.id}", 303)
    return render(request, ctx, "serve_progress.html", session)


def overview_url(request: Request, session: Session) -> str:
    """Return the overview of an export in the run's language."""
    return f"/x/{session.id}/{default_lang(request)}/index.html"


def export_root(request: Request) -> Response:
    """Send `/x/<id>/` to the overview (or to the progress page while loading)."""
    session = session_of(request)
    return RedirectResponse(overview_url(request, session), 303)


def guide_redirect(request: Request) -> Response:
    """Send the viewer's guide links (relative, as in the static site) to the served guide."""
    rest = request.path_params.get("path", "")
    return RedirectResponse(f"/guide/{rest}", 307)


def static_path(name: str, folder: Path) -> Path:
    """Return a file of a static folder by its plain name (no paths, no dot files)."""
    path = folder / name
    if "/" in name or name.startswith(".") or not path.is_file():
        raise HTTPException(404, "Not found.")
    return path


def live_state(request: Request) -> Response:
    """Return what an open page polls for: has the export been reloaded since it was drawn?

    Pages poll (while visible) rather than hold an event stream: browsers allow six HTTP/1.1
    connections per host, and a stream per tab would hang the seventh tab.
    """
    session = session_of(request, ready=False)
    return json_page({"state": session.state, "generation": request.app.state.generation(session),
                      "notice": session.notice})  # fmt: skip
