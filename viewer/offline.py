"""Find references in a built site that would make a browser load something from elsewhere."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

# Loading contexts only: a plain <a href> is a link the user may follow, not a request on load.
_SRC_ATTRS = frozenset({"src", "srcset", "poster", "data", "background"})
_LINK_RELS_LOADED = frozenset(
    {
        "stylesheet",
        "preload",
        "prefetch",
        "preconnect",
        "dns-prefetch",
        "modulepreload",
        "icon",
        "manifest",
        "apple-touch-icon",
        "mask-icon",
    }
)
# SVG elements that load what their href names (HTML parsing lower-cases the tag names).
_HREF_LOADERS = frozenset({"script", "image", "use", "feimage"})
_CSS_URL = re.compile(r"url\(\s*(['\"]?)([^'\")]*)\1\s*\)", re.IGNORECASE)
# `@import url(...)` is caught by _CSS_URL; this catches the bare string form.
_CSS_IMPORT = re.compile(r"@import\s+(['\"])([^'\"]*)\1", re.IGNORECASE)
_LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def is_external(url: str) -> bool:
    """Return True if loading `url` would leave the machine."""
    value = url.strip().lower()
    if value.startswith("//"):
        return True
    match = re.match(r"^([a-z][a-z0-9+.-]*):", value)
    if not match:
        return False  # relative path or fragment
    scheme = match.group(1)
    if scheme in {"data", "blob", "file", "about", "javascript", "mailto"}:
        return False
    if scheme in {"http", "https", "ws", "wss"}:
        host = value.split("//", 1)[-1].split("/", 1)[0].rsplit("@", 1)[-1]
        return not any(host == h or host.startswith(h + ":") for h in _LOCAL_HOSTS)
    return True


def _css_urls(text: str) -> list[str]:
    return [m.group(2) for m in _CSS_URL.finditer(text)] + [
        m.group(2) for m in _CSS_IMPORT.finditer(text)
    ]


class _Collector(HTMLParser):
    """Collect the URLs an HTML page loads by itself."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value or "" for name, value in attrs}
        for name in _SRC_ATTRS & values.keys():
            urls = values[name].split(",") if name == "srcset" else [values[name]]
            self.urls += [u.strip().split(" ")[0] for u in urls if u.strip()]
        rels = set(values.get("rel", "").lower().split())
        if tag == "link" and rels & _LINK_RELS_LOADED and "href" in values:
            self.urls.append(values["href"])
        if tag in _HREF_LOADERS:
            self.urls += [values[n] for n in ("href", "xlink:href") if n in values]
        if "style" in values:
            self.urls += _css_urls(values["style"])
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.urls += _css_urls(data)


def references(path: Path) -> list[str]:
    """Return every URL an HTML, SVG or CSS file would load."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix.lower() == ".css":
        return _css_urls(text)
    collector = _Collector()
    collector.feed(text)
    collector.close()
    return collector.urls


def external_references(root: Path) -> list[str]:
    """Return `file: url` for every reference under `root` that points off the machine."""
    found: list[str] = []
    for path in sorted(root.rglob("*")):
        if path.suffix.lower() not in {".html", ".htm", ".svg", ".css"} or not path.is_file():
            continue
        found += [
            f"{path.relative_to(root)}: {url}" for url in references(path) if is_external(url)
        ]
    return found
