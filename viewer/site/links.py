"""Decide which values from an export may become links: http(s) URLs only, everything else text."""

from __future__ import annotations

import re

REL = "noreferrer noopener"
# Control and bidi-override characters make a URL display differently from where it goes.
_UNSAFE_CHARS = re.compile(r"[\x00-\x20\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_HTTP = re.compile(r"^https?://[^/?#\s]+", re.IGNORECASE)


def safe_href(value: object) -> str | None:
    """Return `value` when it is a plain http(s) URL a link may point to, else None."""
    if not isinstance(value, str) or len(value) > 2048:
        return None
    if not _HTTP.match(value) or _UNSAFE_CHARS.search(value):  # the cheap, anchored test first
        return None
    return value
