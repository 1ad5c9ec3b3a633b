"""Cells written as HTML: every value escaped, links only to http(s)."""

from __future__ import annotations

from verify.contract import load_contract
from viewer.site.cells import cell_html
from viewer.site.i18n import Formats
from viewer.site.values import cell

SMS = load_contract().service("sms")
FMT = Formats("en")


def test_text_is_escaped() -> None:
    html = str(cell_html(cell('<img src=x onerror="alert(1)">', None, FMT)))
    assert "<img" not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html


def test_only_http_urls_become_links() -> None:
    assert str(cell_html(cell("https://example.com/a", None, FMT))).startswith(
        '<a href="https://example.com/a" rel="noreferrer noopener"'
    )
    for value in ("javascript:alert(1)", "data:text/html,x", "https://e.com/\u202eexe"):
        assert "<a" not in str(cell_html(cell(value, None, FMT)))
    forged = {"kind": "url", "text": "x", "href": "javascript:alert(1)", "title": ""}
    assert "<a" not in str(cell_html(forged))


def test_times_sizes_and_nested_values() -> None:
    assert SMS is not None
    updated = SMS.field_by_id("update_time")
    html = str(cell_html(cell(1700000000000, updated, FMT)))
    assert html.startswith('<time title="1700000000000">') and "2023" in html
    nested = str(cell_html(cell({"body": "<b>hi</b>", "n": [1, 2]}, None, FMT)))
    assert nested.startswith('<details class="nested"><summary>')
    assert "&lt;b&gt;hi&lt;/b&gt;" in nested and "<b>" not in nested
    assert str(cell_html(cell(None, None, FMT))) == '<span class="muted">—</span>'


def test_escape_writes_what_markupsafe_writes_and_leaves_markup_alone() -> None:
    import markupsafe

    from viewer.site.cells import escape

    for text in ["plain", "a & b", "<script>'x'</script>", '"q"', "&amp;", "", "ü\u202e<"]:
        assert escape(text) == str(markupsafe.escape(text))
        assert type(escape(text)) is str
    assert escape(markupsafe.Markup("<b>it&#39;s</b>")) == "<b>it&#39;s</b>"
    assert escape(42) == "42"


VALUES: list[object] = [
    None, "", "text", "x" * 200, "https://example.com/a?b=<c>", "javascript:alert(1)",
    '<b>"quoted" & \'single\'</b>', 0, -5, 1_700_000_000_000, 1_700_000_000, 1.5, 10**30,
    True, False, {"a": [1, "<x>"], "b": None}, [1, 2], "2021-05-01T10:00:00Z", "1700000000",
    "\u202eevil", float("nan"),
]  # fmt: skip


def test_a_value_written_straight_to_html_is_what_its_cell_gives() -> None:
    from viewer.site.cells import value_html

    for lang in ("en", "sv"):
        fmt = Formats(lang)
        for service in load_contract().services:
            for f in service.fields:
                for value in VALUES:
                    expected = str(cell_html(cell(value, f, fmt)))
                    assert value_html(value, f.type, f.format, fmt) == expected, (f.id, value)
        for kind in (None, "timestamp", "size", "text", "status", "url"):
            for value in VALUES:
                expected = str(cell_html(cell(value, None, fmt, kind=kind)))
                assert value_html(value, kind, None, fmt) == expected, (kind, value)


def test_a_row_from_its_data_is_the_row_from_its_cells() -> None:
    from viewer.site.cells import row_html

    columns = [
        {"key": "content.body", "path": ["content", "body"], "type": None, "format": None,
         "visible": True},
        {"key": "date", "path": ["date"], "type": "timestamp", "format": "epoch-ms",
         "visible": False},
        {"key": "size", "path": ["size"], "type": "size", "format": None, "visible": True},
    ]  # fmt: skip
    data = {"content": {"body": "<hi>"}, "date": 1_700_000_000_000, "size": 2048}
    cells = [
        cell("<hi>", None, FMT),
        cell(1_700_000_000_000, None, FMT, kind="timestamp"),
        cell(2048, None, FMT, kind="size"),
    ]
    by_cells = row_html({"seq": 3, "href": "r#3", "cells": cells}, columns, "../", "Record {n}")
    by_data = row_html({"seq": 3, "href": "r#3", "data": data}, columns, "../", "Record {n}", FMT)
    assert str(by_data) == str(by_cells)
    assert "&lt;hi&gt;" in str(by_data) and "<td hidden><time" in str(by_data)
