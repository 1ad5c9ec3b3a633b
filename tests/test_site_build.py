"""The static site as built from a sample export: pages, languages, permissions, hard rules."""

from __future__ import annotations

import json
import re
import stat
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tests.site_helpers import hostile, site
from viewer.cli import main
from viewer.site import paths
from viewer.site.render import CSP

__all__ = ["hostile", "site"]  # session fixtures shared by the site tests


class Page(HTMLParser):
    """Collect what the hard rules look at: tags with attributes, inline scripts, the CSP."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.inline_scripts = 0
        self.csp: str | None = None
        self.lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        self.tags.append((tag, named))
        if tag == "script" and not named.get("src"):
            self.inline_scripts += 1
        if tag == "meta" and (named.get("http-equiv") or "").lower() == "content-security-policy":
            self.csp = named.get("content")
        if tag == "html":
            self.lang = named.get("lang")


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def html_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.html"))


def test_core_pages_exist_in_both_languages(site: Path) -> None:
    for lang in ("en", "sv"):
        for rel in ("index.html", "report.html", "services/sms.html", "tables/sms/index.html",
                    "tables/sms/record.html", "tables/contacts/record.html"):  # fmt: skip
            page = site / lang / rel
            assert page.is_file(), page
            assert parse(page).lang == lang
    assert (site / "index.html").is_file()
    assert list((site / "data").glob("sms-*.js"))


def test_output_is_private(site: Path) -> None:
    assert stat.S_IMODE(site.stat().st_mode) == 0o700
    for path in site.rglob("*"):
        expected = 0o700 if path.is_dir() else 0o600
        assert stat.S_IMODE(path.stat().st_mode) == expected, path


def test_every_page_has_the_csp_and_no_inline_code(site: Path) -> None:
    pages = html_files(site / "en") + html_files(site / "sv")
    assert len(pages) > 50
    for path in pages:
        page = parse(path)
        assert page.csp == CSP, path
        assert page.inline_scripts == 0, path
        for tag, attrs in page.tags:
            assert not [a for a in attrs if a.startswith("on")], (path, tag)
            assert "style" not in attrs, (path, tag)


def test_pages_load_nothing_from_off_the_machine(site: Path) -> None:
    for path in html_files(site):
        for _tag, attrs in parse(path).tags:
            for name in ("src", "href"):
                value = attrs.get(name) or ""
                if name == "src" or _tag == "link":
                    assert not re.match(r"^[a-z][a-z0-9+.-]*:|^//", value, re.I), (path, value)


def test_language_switch_points_to_the_same_page(site: Path) -> None:
    text = (site / "en" / "tables" / "sms" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../../sv/tables/sms/index.html"' in text  # site.js adds the page's hash


def data_records(site: Path, slug: str) -> list[dict[str, Any]]:
    """Return the records a table's data files ship, in order, as the browser reads them."""
    found = []
    chunks = sorted((site / "data").glob(f"{slug}-*.js"), key=lambda p: int(p.stem.rsplit("-")[1]))
    for n, path in enumerate(chunks):
        text = path.read_text(encoding="utf-8")
        payload = json.loads(text[text.index("push(") + 5 : text.rindex(");")])
        assert (payload["table"], payload["chunk"]) == (slug, n)
        for seq, data, file, index in payload["records"]:
            found.append({"seq": seq, "data": data, "file": payload["files"][file], "index": index})
    return found


def test_each_record_is_shipped_once_with_its_provenance(site: Path) -> None:
    from verify.contract import load_contract
    from viewer.loader import load_export

    result = load_export(site.parent / "export.zip", password=None, contract=load_contract())
    assert result.store is not None
    for info in result.store.tables():
        shipped = data_records(site, paths.slug(info.name))
        assert [r["seq"] for r in shipped] == list(range(info.records)), info.name
        for record, stored in zip(shipped, result.store.records(info.name), strict=True):
            assert (record["data"], record["file"], record["index"]) == (
                stored.data, stored.file, stored.index)  # fmt: skip
    result.store.close()


def test_the_site_grows_with_the_records_not_with_their_pages(site: Path) -> None:
    # Later table pages and record pages are drawn from the data files: a table is two pages
    # per language whatever its size, and its records are written once for both languages.
    for lang in ("en", "sv"):
        for table in (site / lang / "tables").iterdir():
            assert sorted(p.name for p in table.iterdir()) == ["index.html", "record.html"], table
    chunks = list((site / "data").glob("sms-*.js"))
    assert len(chunks) == -(-len(data_records(site, "sms")) // paths.DATA_CHUNK)


def test_table_and_record_pages_carry_what_the_browser_draws_with(site: Path) -> None:
    table = (site / "sv" / "tables" / "sms" / "index.html").read_text(encoding="utf-8")
    assert 'data-ev-static="1"' in table and 'data-ev-chunk-size="2000"' in table
    assert 'href="../../tables/sms/index.html#page=2"' in table  # the pager's stable page addresses
    assert 'data-ev-label-next="Nästa"' in table
    record = (site / "sv" / "tables" / "sms" / "record.html").read_text(encoding="utf-8")
    meta = json.loads(re.search(r"data-ev-record='([^']*)'", record)[1].replace("&#39;", "'"))  # type: ignore[index]
    assert meta["labels"]["back"] == "Tillbaka till tabellen"
    assert meta["fields"]["updateTime"] == {"label": "Senaste uppdateringstid",
        "type": "timestamp", "type_label": "tid", "format": "epoch-ms"}  # fmt: skip
    assert meta["data"] == "../../../data/sms-"


def test_hostile_values_stay_text(hostile: Path) -> None:
    pages = html_files(hostile / "en")
    joined = "\n".join(p.read_text(encoding="utf-8") for p in pages)
    assert "window.__pwned" in joined  # the hostile values are shown ...
    assert "<script>window.__pwned" not in joined  # ... but only as text
    assert 'onerror="window' not in joined
    for path in pages:
        for tag, attrs in parse(path).tags:
            href = (attrs.get("href") or "").strip().lower()
            assert not href.startswith(("javascript:", "data:")), (path, href)
            if tag == "a" and href.startswith("http"):
                assert attrs.get("rel") == "noreferrer noopener", (path, href)
    data = "\n".join(p.read_text(encoding="utf-8") for p in (hostile / "data").glob("*.js"))
    assert "</script" not in data.lower()
    assert "\\u003cscript\\u003e" in data


def test_build_refuses_a_folder_that_is_not_empty(tmp_path: Path, site: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    export = site.parent / "export.zip"
    code = main(["build", str(export), "--out", str(tmp_path), "--no-guide", "--quiet"])
    assert code == 2
    assert (tmp_path / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_build_warns_that_the_folder_holds_personal_data(
    tmp_path: Path, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = site.parent / "export.zip"
    out = tmp_path / "one"
    assert main(["build", str(export), "--out", str(out), "--no-guide", "--lang", "sv"]) == 0
    err = capsys.readouterr().err
    assert "personal data in plain text" in err
    assert (out / "sv" / "index.html").is_file()
    assert not (out / "en").exists()


def test_slugs_are_safe_file_names() -> None:
    assert paths.slug("sms") == "sms"
    for name in ("../../etc", "SMS", "a/b", "con", "<script>", "ÅÄÖ", ""):
        result = paths.slug(name)
        assert re.fullmatch(r"[a-z0-9][a-z0-9_-]*", result), result
    assert paths.slug("SMS") != paths.slug("sms")


@pytest.mark.tools
def test_a_7zip_export_builds_with_the_guide_and_stays_offline(tmp_path: Path, site: Path) -> None:
    import shutil
    import subprocess

    import pyzipper

    from viewer.offline import external_references

    if shutil.which("7z") is None:
        pytest.skip("7z is not installed")
    source = tmp_path / "json"
    with pyzipper.AESZipFile(site.parent / "export.zip") as zf:
        zf.extractall(source)
    export = tmp_path / "seven.zip"
    subprocess.run(
        ["7z", "a", "-tzip", "-mem=AES256", "-psecret-7z", str(export), "."],
        cwd=source, check=True, capture_output=True,
    )  # fmt: skip
    (tmp_path / "pw").write_text("secret-7z\n", encoding="utf-8")
    out = tmp_path / "out"
    code = main(["build", str(export), "--out", str(out), "--password-file", str(tmp_path / "pw"),
                 "--lang", "en", "--quiet"])  # fmt: skip
    assert code == 0
    assert (out / "guide" / "exportable-data.html").is_file()
    assert 'href="../../guide/exportable-data.html#sms"' in (
        out / "en" / "services" / "sms.html"
    ).read_text(encoding="utf-8")
    assert external_references(out) == []
    for path in out.rglob("*"):
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path


def test_the_scratch_database_is_gone_after_a_build_or_a_failure(
    site: Path, tmp_path: Path
) -> None:
    from viewer.commands.build import SCRATCH

    assert not (site / SCRATCH).exists()
    export = tmp_path / "enc.zip"
    from viewer.sample import write_sample

    write_sample(export, records=100, password="right")
    (tmp_path / "pw").write_text("wrong\n", encoding="utf-8")
    out = tmp_path / "out"
    code = main(["build", str(export), "--out", str(out), "--password-file", str(tmp_path / "pw"),
                 "--no-guide", "--quiet"])  # fmt: skip
    assert code == 2
    assert not (out / SCRATCH).exists()
