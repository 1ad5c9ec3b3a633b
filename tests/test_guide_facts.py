"""The guide states every fact of the published guidance, in both languages, and stays offline.

The facts are listed here as the guide words them (the checklist of FACTS.md): deleting or
changing one in either language fails a test. The tables of services and fields are checked
against the contract by test_guide.py.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
import yaml

from viewer.resources import data_path

SOURCES = data_path("site_src")
IFRAME_WORKER_SHIM_SHA256 = "e8e412dbcfea9b7e31b5ffa288d7b6035915e714c542f4176a0cdbe262fc9609"
FACTS = {
    "en": {
        "requests": ["dataact.mi.com", "Migration", "Backup", "Deletion"],
        "timelines": ["2 months", "30 days", "14 working days", "7 months"],
        "download": ["User rights", "Get data copy", "Apply for download", "being prepared",
                     "e-mail", "password"],
        "data-format": ["JSON", "createDate", "modifyDate", "folderId", "extraInfo", "title"],
        "provider": ["generally free of charge", "Amsterdam", "2014", "vice president",
                     "privacy officer", "impact assessment", "ISO/IEC 27701:2019",
                     "i.mi.com/useragreement", "non-personal data"],
        "law": ["2023/2854", "12 September 2025", "articles 23 to 31", "article 26",
                "12 January 2027", "article 29", "article 20", "machine-readable"],
        "decrypt": ["7-Zip", "export-viewer"],
        "troubleshooting": ["wrong password for", "30 days", "truncated or damaged ZIP archive"],
    },
    "sv": {
        "requests": ["dataact.mi.com", "Migrering", "Säkerhetskopia", "Radering"],
        "timelines": ["2 månader", "30 dagar", "14 arbetsdagar", "7 månader"],
        "download": ["Användarrättigheter", "Hämta datakopia", "Ansök om nedladdning", "förbereds",
                     "e-post", "lösenord"],
        "data-format": ["JSON", "createDate", "modifyDate", "folderId", "extraInfo", "title"],
        "provider": ["kostnadsfri", "Amsterdam", "2014", "vice vd", "integritetsombud",
                     "konsekvensbedömning", "ISO/IEC 27701:2019", "i.mi.com/useragreement",
                     "icke-personuppgifter"],
        "law": ["2023/2854", "12 september 2025", "artiklarna 23–31", "artikel 26",
                "12 januari 2027", "artikel 29", "artikel 20", "maskinläsbart"],
        "decrypt": ["7-Zip", "export-viewer"],
        "troubleshooting": ["wrong password for", "30 dagar", "truncated or damaged ZIP archive"],
    },
}  # fmt: skip


def text(lang: str, page: str) -> str:
    return (SOURCES / lang / f"{page}.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_every_fact_is_in_the_guide(lang: str) -> None:
    missing = [
        (page, fact)
        for page, facts in FACTS[lang].items()
        for fact in facts
        if fact.casefold() not in text(lang, page).casefold()
    ]
    assert missing == []


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_the_regulators_page_names_every_field_of_the_report(lang: str, tmp_path: Path) -> None:
    from verify.contract import load_contract
    from verify.run import verify_export
    from viewer.sample import write_sample

    export = tmp_path / "e.zip"
    write_sample(export, records=120, password=None)
    report = verify_export(export, load_contract(), password=lambda _: "")
    page = text(lang, "regulators")
    documented = set(re.findall(r"^\| `([a-z_.\[\]]+)`", page, re.M))
    top = {name.split(".")[0].removesuffix("[]") for name in documented}
    assert top == set(report), "the page and the report list different fields"
    for name in ("sha256", "coverage_definition", "partial"):
        assert f"`{name}`" in page or f"summary.{name}" in page, name


def test_the_guide_configuration_stays_offline() -> None:
    config = yaml.safe_load(data_path("mkdocs.yml").read_text(encoding="utf-8"))
    theme = config["theme"]
    assert theme["font"] is False  # Material would fetch Google Fonts
    assert "repo_url" not in config  # Material would ask api.github.com for the stars
    assert config["extra"]["generator"] is False
    text_all = data_path("mkdocs.yml").read_text(encoding="utf-8")
    assert "mermaid" not in text_all
    plugins = [p if isinstance(p, str) else next(iter(p)) for p in config["plugins"]]
    assert "offline" in plugins
    shim = SOURCES / "assets" / "vendor" / "iframe-worker" / "shim.js"
    assert any("iframe-worker" in p for p in config["extra"]["polyfills"])
    # `shim/index.js` of iframe-worker 1.0.4 as on npm (npm pack iframe-worker@1.0.4).
    assert hashlib.sha256(shim.read_bytes()).hexdigest() == IFRAME_WORKER_SHIM_SHA256
