"""The offline scanner finds every reference that would load something from off the machine."""

from __future__ import annotations

from pathlib import Path

import pytest

from viewer.offline import external_references, is_external


@pytest.mark.parametrize(
    ("url", "external"),
    [
        ("https://unpkg.com/iframe-worker/shim", True),
        ("//fonts.googleapis.com/css", True),
        ("http://example.org/a.js", True),
        ("ftp://example.org/a", True),
        ("http://127.0.0.1:8000/a.js", False),
        ("http://localhost/a.css", False),
        ("assets/a.js", False),
        ("../assets/a.css", False),
        ("#top", False),
        ("data:image/svg+xml;base64,AAAA", False),
        ("file:///tmp/x.css", False),
    ],
)
def test_is_external(url: str, external: bool) -> None:
    assert is_external(url) is external


def test_scanner_reports_loads_and_ignores_plain_links(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "index.html").write_text(
        "<html><head>"
        '<script src="https://cdn.example/x.js"></script>'
        '<link rel="stylesheet" href="https://cdn.example/x.css">'
        '<link rel="stylesheet" href="assets/local.css">'
        "<style>@import 'https://cdn.example/i.css'; body{background:url(http://img.example/b.png)}"
        "</style></head><body>"
        '<a href="https://dataact.mi.com/">portal</a>'
        '<img src="assets/logo.svg"><div style="background: url(\'//img.example/c.png\')"></div>'
        "</body></html>",
        encoding="utf-8",
    )
    (tmp_path / "sub" / "a.css").write_text(
        '@import url("https://fonts.example/f.css");\n.x{background:url(../img/ok.png)}\n',
        encoding="utf-8",
    )
    (tmp_path / "sub" / "pic.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><image href="https://img.example/d.png"/></svg>',
        encoding="utf-8",
    )
    assert external_references(tmp_path) == [
        "index.html: https://cdn.example/x.js",
        "index.html: https://cdn.example/x.css",
        "index.html: http://img.example/b.png",
        "index.html: https://cdn.example/i.css",
        "index.html: //img.example/c.png",
        "sub/a.css: https://fonts.example/f.css",
        "sub/pic.svg: https://img.example/d.png",
    ]


def test_scanner_is_quiet_on_a_clean_site(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(
        '<link rel="stylesheet" href="a.css"><script src="a.js"></script><a href="https://x.org">x</a>',
        encoding="utf-8",
    )
    (tmp_path / "a.css").write_text(".a{background:url(data:image/png;base64,AA)}", "utf-8")
    assert external_references(tmp_path) == []
