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
