"""MkDocs hooks: replace the guide's `<!-- contract:... -->` placeholders with generated content.

Placeholders (each on a line of its own, in any language's Markdown):

- `<!-- contract:services -->`, `<!-- contract:metadata -->`: overview tables
- `<!-- contract:service-sections -->`, `<!-- contract:metadata-sections -->`: one section per
  service or group, anchored by its id (`#sms`), so the viewer can link to it
- `<!-- contract:not-exportable -->`, `<!-- contract:not-exportable-sections -->`
- `<!-- contract:switching -->`: the table of switching periods
- `<!-- timeline:data -->`: the calculator's data (periods, public holidays) as inline JSON
"""

from __future__ import annotations

import functools
import html
import json
import re
from collections.abc import Callable
from typing import Any

from verify.contract import Contract, load_contract
from verify.contract_export import (
    not_exportable_markdown,
    not_exportable_sections_markdown,
    service_sections_markdown,
    services_markdown,
    switching_markdown,
)
from verify.mapping import apply_mapping
from viewer.timeline import public_holidays

# The calculator knows the public holidays of these years; outside them it says so.
HOLIDAY_YEARS = range(2025, 2037)
# Material fetches sitemap.xml for every <link rel="alternate" hreflang>, which file:// refuses
# (a console error on every page); the language menu's own links already point at the same page.
_ALTERNATE_LINK = re.compile(r'<link rel="alternate" href="[^"]*" hreflang="[^"]*">\s*')
_PLACEHOLDER = re.compile(r"^<!--\s*(contract|timeline):([a-z-]+)\s*-->[ \t]*$", re.MULTILINE)

Renderer = Callable[[Contract, str], str]
RENDERERS: dict[str, Renderer] = {
    "contract:services": lambda c, lang: services_markdown(c, lang, "data"),
    "contract:metadata": lambda c, lang: services_markdown(c, lang, "metadata"),
    "contract:service-sections": lambda c, lang: service_sections_markdown(c, lang, "data"),
    "contract:metadata-sections": lambda c, lang: service_sections_markdown(c, lang, "metadata"),
    "contract:not-exportable": not_exportable_markdown,
    "contract:not-exportable-sections": not_exportable_sections_markdown,
    "contract:switching": switching_markdown,
    "timeline:data": lambda c, lang: timeline_data_html(c),
}


@functools.cache
def guide_contract(path: str | None = None, mapping: str | None = None) -> Contract:
    """Return the contract the guide documents (the default one unless a build names another)."""
    contract = load_contract(path)
    return apply_mapping(contract, mapping) if mapping else contract


def timeline_data(contract: Contract) -> dict[str, Any]:
    """Return what the calculator script needs: the periods and the default country's holidays."""
    country = str(contract.info.get("country", "NL"))
    days = sorted(public_holidays(country, HOLIDAY_YEARS))
    return {
        "country": country,
        "first_year": HOLIDAY_YEARS.start,
        "last_year": HOLIDAY_YEARS.stop - 2,  # the last year leaves room for working days after it
        "switching": {k: v for k, v in contract.switching.items() if isinstance(v, int)},
        "holidays": [d.isoformat() for d in days],
    }


def timeline_data_html(contract: Contract) -> str:
    """Return the calculator data as a JSON data block (not script code, so no CSP exception)."""
    text = json.dumps(timeline_data(contract), separators=(",", ":")).replace("</", "<\\/")
    return f'<script type="application/json" id="timeline-data">{text}</script>\n'


def page_language(src_uri: str) -> str:
    """Return the language of a page from its folder (`en/...`, `sv/...`)."""
    return "sv" if src_uri.startswith("sv/") else "en"


def render_placeholders(markdown: str, lang: str, contract: Contract) -> str:
    """Replace every known placeholder; fail on an unknown one so a typo cannot ship."""

    def replace(match: re.Match[str]) -> str:
        key = f"{match.group(1)}:{match.group(2)}"
        renderer = RENDERERS.get(key)
        if renderer is None:
            raise ValueError(f"unknown guide placeholder <!-- {key} -->")
        return renderer(contract, lang)

    return _PLACEHOLDER.sub(replace, markdown)


VIEWER_LINK_TEXT = {
    "en": "Back to your export in Export Viewer",
    "sv": "Tillbaka till din export i Export Viewer",
}


def viewer_link_markdown(link: str, lang: str, src_uri: str) -> str:
    """Return the line linking a page back to the viewer (`link` has a `{lang}` placeholder)."""
    target = link.format(lang=lang)
    if not target.startswith("/"):
        # Links are relative to the guide's root; pages of other languages sit one folder down.
        target = "../" * src_uri.count("/") * (lang != "en") + target
    # Raw HTML: MkDocs would warn (and --strict fail) on a Markdown link outside the guide.
    href = html.escape(target, quote=True)
    return f'<p class="ev-viewer-link"><a href="{href}">{VIEWER_LINK_TEXT[lang]}</a></p>\n\n'


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Fill in the generated tables for the page's language, and link back to the viewer."""
    from mkdocs.exceptions import PluginError

    src_uri = page.file.src_uri
    lang = page_language(src_uri)
    try:
        extra = config["extra"]
        contract = guide_contract(extra.get("contract_path"), extra.get("mapping_path"))
        markdown = render_placeholders(markdown, lang, contract)
    except ValueError as exc:
        raise PluginError(f"{src_uri}: {exc}") from exc
    link = config["extra"].get("viewer_link")
    return viewer_link_markdown(link, lang, src_uri) + markdown if link else markdown


def on_post_page(output: str, page: Any, config: Any) -> str:
    """Drop the head's hreflang links so that no page fetches a sitemap from file://."""
    return _ALTERNATE_LINK.sub("", output)
