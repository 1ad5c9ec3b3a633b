"""A shared headless Chromium for browser tests, recording console errors and off-machine requests.

Missing Playwright or Chromium skips the browser tests, except under CI=true, where it fails them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

CHROMIUM = os.environ.get("EXPORT_VIEWER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
LOCAL_PREFIXES = (
    "file://",
    "data:",
    "blob:",
    "about:",
    "http://127.0.0.1",
    "http://localhost",
)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests cannot run under CI: {reason}")
    pytest.skip(reason)


@dataclass
class PageRecorder:
    """A page and what went wrong on it: console errors, page errors, external requests."""

    page: Any
    console_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)


def is_local(url: str) -> bool:
    """Return True for requests that stay on this machine."""
    return url.startswith(LOCAL_PREFIXES)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Launch headless Chromium once per test session (per xdist worker)."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed")
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        _unavailable(f"Chromium not found at {CHROMIUM}")
    with sync_playwright() as pw:
        try:
            instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Error as exc:
            _unavailable(f"Chromium does not start: {exc}")
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[PageRecorder]:
    """Return a fresh page that records console errors and every request that leaves the machine."""
    context = browser.new_context()
    new_page = context.new_page()
    new_page.set_default_timeout(10_000)
    recorder = PageRecorder(new_page)

    def on_console(message: Any) -> None:
        if message.type == "error":
            recorder.console_errors.append(message.text)

    def on_route(route: Any) -> None:
        # Record and block: a test run must not reach the network either.
        if is_local(route.request.url):
            route.continue_()
        else:
            recorder.external_requests.append(route.request.url)
            route.abort()

    new_page.on("console", on_console)
    new_page.on("pageerror", lambda exc: recorder.console_errors.append(str(exc)))
    context.route("**/*", on_route)
    yield recorder
    context.close()
