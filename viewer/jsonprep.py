"""Prepare JSON bytes for yajl: what it reads wrongly is rewritten first, nothing else changes.

yajl (the exact parser's engine) joins a high surrogate escape with whatever escape follows it,
reads a lone one as "?" and fails on a lone low one with a UTF-8 error; and its Python binding
cannot turn an integer longer than Python's digit limit into an int. Both are valid JSON, so
`Prepared` rewrites them in the byte stream before yajl sees it: a lone surrogate escape becomes
`\\ufffd` (the replacement character, in the same six bytes), and such an integer becomes a
string of its digits (its value kept exactly, as text).

A chunk with nothing of the kind (found by two C-speed searches) goes through as it is; only the
quotes are counted, so that the scanner knows whether the next chunk starts inside a string. A
chunk with something to rewrite is scanned string by string. Only a few bytes (an escape or a
number cut by the chunk boundary) are carried over to the next chunk.
"""

from __future__ import annotations

import re
import sys

QUOTE = 0x22
DIGITS = b"0123456789"
NOT_DIGITS = bytes(48 if 48 <= i <= 57 else 32 for i in range(256))  # for bytes.translate
# A surrogate escape that is not half of a pair (or might not be: one after a backslash).
LONE = re.compile(
    rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])"
    rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F]"
    rb"|\\\\u[dD][89abAB]"
)
ANY_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")  # a literal prefix: a fast search
HIGH = re.compile(rb"\\u[dD][89abAB][0-9a-fA-F]{2}")
SURROGATE = re.compile(
    rb"\\u[dD](?:[89abAB][0-9a-fA-F]{2}(?P<pair>\\u[dD][c-fC-F][0-9a-fA-F]{2})?"
    rb"|[c-fC-F][0-9a-fA-F]{2})"
)
# A string's text up to its closing quote or an escape that matters (a surrogate, or one cut off
# by the end of the chunk), skipped at C speed: runs of plain text and whole ordinary escapes.
BODY = re.compile(rb'(?:[^"\\]++|\\[^u]|\\u(?=[^dD]))*+')
ESCAPED_QUOTE = re.compile(rb'(?<!\\)\\(?:\\\\)*"')  # a quote after an odd run of backslashes
REPLACEMENT = rb"\ufffd"
NOT_ON_ITS_OWN = b".eE+-0123456789"  # a digit run after one of these is no integer of its own
WINDOW = 12  # the longest sequence looked at: a surrogate pair's two escapes


class Prepared:
    """Rewrite a JSON byte stream chunk by chunk; feed() returns what may go to yajl now."""

    def __init__(self, digits: int | None = None) -> None:
        self.digits = sys.get_int_max_str_digits() if digits is None else digits
        pattern = rb'"|(?<![0-9.eE+\-])-?[1-9][0-9]{%d,}' % self.digits if self.digits else b'"'
        # The lookbehind keeps the search linear: a run of digits is tried at its start only.
        self._outside = re.compile(pattern)  # a quote, or an integer too long for Python
        self._long = b"0" * (self.digits + 1)
        self._in_string = False
        self._carry = b""  # an escape or a few bytes cut by the chunk boundary
        self._number: list[bytes] = []  # a number cut by the chunk boundary, in pieces
        self._before = b" "  # the last byte given out, for the number check

    def feed(self, chunk: bytes, *, final: bool = False) -> bytes:
        """Return the bytes of `chunk` (and those carried over) that yajl may have now."""
        if self._number:
            more = len(chunk) - len(chunk.lstrip(DIGITS))
            self._number.append(chunk[:more])
            if more == len(chunk) and not final:  # still going: do not rescan it each time
                return b""
            chunk = b"".join(self._number) + chunk[more:]
            self._number = []
        data = self._carry + chunk if self._carry else chunk
        self._carry = b""
        if final or self._suspicious(data):
            out: list[bytes] = []
            done = self._scan(data, out, final)
            out.append(data[done:])
            text = b"".join(out)
        else:
            cut = _safe_cut(data)
            if (data.count(b'"', 0, cut) - _escaped_quotes(data, cut)) % 2:
                self._in_string = not self._in_string
            text, self._carry = data[:cut], data[cut:]
        if text:
            self._before = text[-1:]
        return text

    def close(self) -> bytes:
        """Return what is still carried over, at the end of the entry."""
        return self.feed(b"", final=True)

    def _suspicious(self, data: bytes) -> bool:
        """Return whether `data` may hold something to rewrite (a quick look, not a parse)."""
        if ANY_SURROGATE.search(data) and LONE.search(data):
            return True
        return bool(self.digits) and data.translate(NOT_DIGITS).find(self._long) >= 0

    def _scan(self, data: bytes, out: list[bytes], final: bool) -> int:
        """Append `data` rewritten to `out`, up to the returned position; carry what is cut."""
        pos = done = 0
        size = len(data)
        while pos < size:
            if self._in_string:
                at = BODY.match(data, pos).end()  # type: ignore[union-attr]  # "(...)*" matches
                if at == size:
                    return done
                if data[at] == QUOTE:
                    self._in_string, pos = False, at + 1
                    continue
                step = _escape(data, at, final)
                if step is None:  # cut by the chunk boundary: carry it over
                    out.append(data[done:at])
                    self._carry = data[at:]
                    return size
                replacement, pos = step
                if replacement:
                    out += (data[done:at], replacement)
                    done = pos
                continue
            found = self._outside.search(data, pos)
            if found is None:
                break
            at, pos = found.span()
            if data[at] == QUOTE:
                self._in_string = True
                continue
            if pos == size and not final:  # the number may go on in the next chunk
                break
            before = data[at - 1 : at] if at else self._before
            if before in NOT_ON_ITS_OWN or data[pos : pos + 1] in (b".", b"e", b"E"):
                continue  # a fraction or an exponent (yajl reads those), or not a number
            out += (data[done:at], b'"', data[at:pos], b'"')
            done = pos
        if not final and not self._in_string:
            cut = _trailing_number(data, done)
            if cut < size:  # a number at the very end may go on in the next chunk
                out.append(data[done:cut])
                self._number = [data[cut:]]
                return size
        return done


def _escape(data: bytes, at: int, final: bool) -> tuple[bytes, int] | None:
    """Read the escape at `at`: (its rewrite or b"", where it ends), or None if it is cut off."""
    rest = len(data) - at
    if not final and rest < WINDOW:
        head = data[at + 1 : at + 4]
        if rest < 2 or (head[:1] == b"u" and (rest < 4 or head[1:2] in b"dD")):
            return None  # maybe a surrogate, or half of a pair: wait for the rest
    found = SURROGATE.match(data, at)
    if found is None:
        return b"", at + 2  # an ordinary escape: \n, \", \\, \u00e9...
    if found.group("pair"):
        return b"", found.end()
    return REPLACEMENT, found.end()  # a lone high or low surrogate


def _safe_cut(data: bytes) -> int:
    """Return where to cut a chunk with nothing to rewrite: not in a number, escape or pair."""
    cut = _trailing_number(data, 0)
    near = data.find(b"\\", max(cut - WINDOW + 1, 0), cut)
    if near < 0:  # no escape can reach past the cut
        return cut
    cut = near
    if cut >= 6 and HIGH.fullmatch(data, cut - 6, cut):  # keep a pair whole for the next chunk
        cut -= 6
    backslashes = cut - len(data[:cut].rstrip(b"\\"))
    return cut - backslashes % 2  # never between a backslash and what it escapes


def _escaped_quotes(data: bytes, end: int) -> int:
    """Return how many quotes in data[:end] are escaped (follow an odd run of backslashes)."""
    total, sign = 0, 1
    for run in range(1, 9):  # quotes after at least `run` backslashes, added and taken away
        count = data.count(b"\\" * run + b'"', 0, end)
        if not count:
            return total
        total, sign = total + sign * count, -sign
    return sum(1 for _ in ESCAPED_QUOTE.finditer(data, 0, end))  # long runs: rare, exact


def _trailing_number(data: bytes, start: int) -> int:
    """Return where a run of digits (with its sign) at the end of `data` begins."""
    cut = len(data.rstrip(DIGITS))
    if cut > start and data[cut - 1 : cut] == b"-":
        cut -= 1
    return max(cut, start)
