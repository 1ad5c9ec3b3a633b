"""Locate files shipped with the package: templates, the guide sources, mkdocs.yml."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
# A wheel packs the top-level folders under viewer/_data; a checkout has them at the root.
_CANDIDATES = (_PACKAGE / "_data", _PACKAGE.parent)


def data_path(name: str) -> Path:
    """Return the path of a shipped resource (`templates`, `site_src`, `mkdocs.yml`)."""
    for base in _CANDIDATES:
        path = base / name
        if path.exists():
            return path
    raise FileNotFoundError(f"resource {name!r} not found in {', '.join(map(str, _CANDIDATES))}")
