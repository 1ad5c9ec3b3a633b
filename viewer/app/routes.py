"""Every URL of the server, in one declarative list (checked when the app is built)."""

from __future__ import annotations

from pathlib import Path

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from viewer.app import actions, downloads, export_pages, pages
from viewer.app.guide import MOUNT, GuideFiles
from viewer.site.build import STATIC

APP_STATIC = Path(__file__).resolve().parent / "static"
SID = "{sid:str}"


def routes(guide_root: Path | None) -> list[BaseRoute]:
    """Return the route list; the guide is mounted only when it was built."""
    table: list[BaseRoute] = [
        Route("/", pages.start_page, methods=["GET"], name="start"),
        Route("/open", actions.open_export, methods=["POST"], name="open"),
        Route(f"/x/{SID}/", pages.export_root, methods=["GET"], name="export"),
        Route(f"/x/{SID}/progress", pages.progress_page, methods=["GET"], name="progress"),
        Route(f"/x/{SID}/events", actions.events, methods=["GET"], name="events"),
        Route(f"/x/{SID}/live", pages.live_state, methods=["GET"], name="live"),
        Route(f"/x/{SID}/close", actions.close_export, methods=["POST"], name="close"),
        Route(f"/x/{SID}/static/{{name:str}}", export_pages.site_static, methods=["GET"]),
        Route(f"/x/{SID}/data/{{name:str}}", export_pages.data_file, methods=["GET"]),
        Route(f"/x/{SID}/csv/{{name:str}}", export_pages.csv_download, methods=["GET"]),
        Route(f"/x/{SID}/download/{{fmt:str}}", downloads.download, methods=["GET"]),
        Route(f"/x/{SID}/guide/{{path:path}}", pages.guide_redirect, methods=["GET"]),
        Route(f"/x/{SID}/{{lang:str}}/{{path:path}}", export_pages.export_page, methods=["GET"]),
        Mount("/app/static", StaticFiles(directory=APP_STATIC), name="app-static"),
        Mount("/app/site", StaticFiles(directory=STATIC), name="site-static"),
    ]
    if guide_root is not None:
        table.append(Mount(MOUNT, GuideFiles(directory=guide_root, html=True), name="guide"))
    check(table)
    return table


def check(table: list[BaseRoute]) -> None:
    """Refuse a route list with a POST endpoint that skips the CSRF check (fail at start-up)."""
    for route in table:
        if not isinstance(route, Route) or "POST" not in (route.methods or set()):
            continue
        if not getattr(route.endpoint, "csrf_checked", False):
            raise RuntimeError(f"POST route {route.path} lacks the CSRF check (csrf_form)")
