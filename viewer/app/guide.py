"""The guide under /guide/: built on start into a private cache when missing or out of date.

MkDocs Material puts small inline scripts in every page; rather than allow inline script at
large, the guide's policy allows exactly those scripts by their SHA-256 hashes.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from verify.contract import DEFAULT_CONTRACT
from viewer import __version__
from viewer.resources import data_path

STAMP = ".export-viewer-stamp"
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", re.DOTALL)
_DATA_TYPE = re.compile(r"""type=["']?application/(ld\+)?json""")
GUIDE_CSP = (
    "default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; worker-src 'self' blob:; connect-src 'self'; "
    "frame-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
)


@dataclass(frozen=True)
class Guide:
    """A built guide: its folder and the Content-Security-Policy its pages need."""

    root: Path
    csp: str


def cache_folder() -> Path:
    """Return the private cache folder (XDG_CACHE_HOME or ~/.cache), created 0700."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = base / "export-viewer"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _sources() -> list[Path]:
    """Return every file the guide is built from: sources, configuration, hooks, contract."""
    hooks = Path(__file__).resolve().parent.parent / "guide"
    files = [data_path("mkdocs.yml"), DEFAULT_CONTRACT, *hooks.glob("*.py")]
    files += [p for p in data_path("site_src").rglob("*") if p.is_file()]
    return sorted(files)


def source_stamp(contract: Path | None = None, mapping: Path | None = None) -> str:
    """Return a digest of the guide's sources: a change in any of them means a rebuild.

    `contract` and `mapping` are the --contract and --mapping files the guide documents.
    """
    digest = hashlib.sha256(f"{__version__} viewer-link={VIEWER_LINK}".encode())
    for path in [*_sources(), *(p for p in (contract, mapping) if p is not None)]:
        digest.update(str(path).encode("utf-8", "surrogateescape") + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def up_to_date(root: Path, stamp: str) -> bool:
    """Return whether the guide in `root` was built from these very sources."""
    try:
        return (root / STAMP).read_text(encoding="ascii") == stamp
    except OSError:
        return False


# The served guide links back to the start page, which lists the open exports (in the page's
# language); the viewer's own pages live under /x/<id>/, one per open export.
VIEWER_LINK = "/?lang={lang}"


def ensure_guide(
    folder: Path | None = None,
    *,
    force: bool = False,
    contract: Path | None = None,
    mapping: Path | None = None,
) -> Guide:
    """Return the built guide, building it first when missing, out of date or forced."""
    # `contract` and `mapping` (--contract, --mapping) are what the guide documents, if given.
    from viewer.guide.build import build_guide

    folder = folder or cache_folder()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    root = folder / "guide"
    stamp = source_stamp(contract, mapping)
    if force or not up_to_date(root, stamp):
        # Build beside the old copy and swap it in, so a running server never serves half a guide.
        fresh = Path(tempfile.mkdtemp(prefix="guide-", dir=folder))
        build_guide(fresh, viewer_link=VIEWER_LINK, contract=_text(contract),
                    mapping=_text(mapping))  # fmt: skip
        (fresh / STAMP).write_text(stamp, encoding="ascii")
        old = folder / f"old-{fresh.name}"
        if root.exists():
            root.rename(old)
        fresh.rename(root)
        shutil.rmtree(old, ignore_errors=True)
    return Guide(root, guide_csp(root))


def _text(path: Path | None) -> str | None:
    return str(path) if path is not None else None


def guide_csp(root: Path) -> str:
    """Return the guide's policy: our files plus the hashes of its inline scripts."""
    hashes: set[str] = set()
    for page in root.rglob("*.html"):
        for match in _INLINE_SCRIPT.finditer(page.read_text(encoding="utf-8", errors="replace")):
            if not _DATA_TYPE.search(match.group(1)):
                digest = hashlib.sha256(match.group(2).encode("utf-8")).digest()
                hashes.add(f"'sha256-{base64.b64encode(digest).decode()}'")
    return GUIDE_CSP.format(hashes=" ".join(sorted(hashes)))


MOUNT = "/guide"  # where the server serves the guide
# MkDocs writes its 404 page for a site at the root ("/assets/...", "base": "/"): served under
# /guide/, for any missing path, it has to point there instead.
_ROOT_URL = re.compile(r'\b(href|src)="/(?!/)')
_SEARCH_BASE = '"base": "/"'


class GuideFiles(StaticFiles):
    """The built guide under /guide/, with its 404 page pointing into /guide/."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 404 and isinstance(response, FileResponse):
            page = Path(response.path).read_text(encoding="utf-8")
            page = _ROOT_URL.sub(rf'\1="{MOUNT}/', page).replace(
                _SEARCH_BASE, f'"base": "{MOUNT}/"'
            )
            return HTMLResponse(page, status_code=404)
        return response
