"""The guide built beside the viewer links back to it, in the page's language."""

from __future__ import annotations

from pathlib import Path

from viewer.guide.build import build_guide
from viewer.guide.hooks import viewer_link_markdown


def test_link_is_relative_to_each_page() -> None:
    link = "../{lang}/index.html"
    assert 'href="../en/index.html"' in viewer_link_markdown(link, "en", "en/law.md")
    assert 'href="../../sv/index.html"' in viewer_link_markdown(link, "sv", "sv/law.md")
    assert 'href="/?lang=sv"' in viewer_link_markdown("/?lang={lang}", "sv", "sv/law.md")


def test_built_guide_links_back_to_the_viewer(tmp_path: Path) -> None:
    build_guide(tmp_path, viewer_link="../{lang}/index.html")
    english = (tmp_path / "exportable-data.html").read_text(encoding="utf-8")
    swedish = (tmp_path / "sv" / "exportable-data.html").read_text(encoding="utf-8")
    assert '<a href="../en/index.html">Back to your export in Export Viewer</a>' in english
    assert '<a href="../../sv/index.html">Tillbaka till din export i Export Viewer</a>' in swedish


def test_guide_documents_the_contract_it_is_given(tmp_path: Path) -> None:
    from verify.contract import DEFAULT_CONTRACT

    other = tmp_path / "other.toml"
    text = DEFAULT_CONTRACT.read_text(encoding="utf-8")
    other.write_text(text.replace('en = "Recorder"', 'en = "Voice memos"'), encoding="utf-8")
    mapping = tmp_path / "map.toml"
    mapping.write_text('[tables]\n"voice_memos_v2" = "recorder"\n', encoding="utf-8")
    build_guide(tmp_path / "g", contract=str(other), mapping=str(mapping))
    page = (tmp_path / "g" / "exportable-data.html").read_text(encoding="utf-8")
    assert "Voice memos" in page
    assert "voice_memos_v2" in page
