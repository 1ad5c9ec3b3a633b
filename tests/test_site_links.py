"""Only plain http(s) URLs from an export may become links."""

from __future__ import annotations

import pytest

from viewer.site.links import safe_href


@pytest.mark.parametrize(
    "url", ["https://example.com/a?b=1#c", "http://i.mi.com/", "HTTPS://EXAMPLE.COM"]
)
def test_http_urls_are_links(url: str) -> None:
    assert safe_href(url) == url


@pytest.mark.parametrize(
    "value",
    [
        "javascript:alert(1)",
        " JaVaScRiPt:window.__pwned=1",
        "data:text/html,<script>x</script>",
        "https://example.com/\u202eexe.txt",
        "https://exa mple.com",
        "//example.com/",
        "file:///etc/passwd",
        "mailto:a@b.se",
        "https://",
        "example.com",
        "https://" + "a" * 3000,
        None,
        42,
    ],
)
def test_everything_else_stays_text(value: object) -> None:
    assert safe_href(value) is None
