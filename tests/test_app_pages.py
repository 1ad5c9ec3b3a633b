"""The served pages: the static site's pages from the same contexts, plus search, filters, CSV."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.app_helpers import Running, make_sample, open_ready, running
from tests.test_site_build import Page
from viewer.app.pages import META_CSP
from viewer.offline import external_references
from viewer.store import Store


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    with running() as server:
        yield server


@pytest.fixture(scope="module")
def export(run: Running, tmp_path_factory: pytest.TempPathFactory) -> str:
    return open_ready(run, make_sample(tmp_path_factory.mktemp("export"))).id


@pytest.fixture(scope="module")
def client(run: Running) -> httpx.Client:
    return run.client()


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


PAGES = ("index.html", "report.html", "services/sms.html", "tables/sms/index.html",
         "tables/sms/page-2.html", "tables/sms/records/p1.html", "tables/contacts/records/0.html",
         "search.html?q=a")  # fmt: skip


def test_pages_in_both_languages(client: httpx.Client, export: str) -> None:
    for lang in ("en", "sv"):
        for rel in PAGES:
            reply = client.get(f"/x/{export}/{lang}/{rel}")
            assert reply.status_code == 200, (lang, rel)
            page = parse(reply.text)
            assert page.lang == lang
            assert page.csp == META_CSP
            assert page.inline_scripts == 0


def test_language_switch_points_to_the_same_page(client: httpx.Client, export: str) -> None:
    html = client.get(f"/x/{export}/en/tables/sms/page-2.html").text
    assert 'href="../../../sv/tables/sms/page-2.html"' in html


def test_every_page_as_json(client: httpx.Client, export: str) -> None:
    kinds = {"index.html": "overview", "report.html": "report", "services/sms.html": "service",
             "tables/sms/index.html": "table", "tables/sms/page-2.html": "table",
             "tables/contacts/records/0.html": "record", "downloads.html": "downloads",
             "search.html?q=a": "search"}  # fmt: skip
    for rel, kind in kinds.items():
        sep = "&" if "?" in rel else "?"
        reply = client.get(f"/x/{export}/sv/{rel}{sep}format=json")
        assert reply.headers["content-type"] == "application/json"
        data = reply.json()
        assert (data["kind"], data["lang"]) == (kind, "sv")
    start = client.get("/?format=json").json()
    assert start["kind"] == "start" and export in {e["id"] for e in start["exports"]}


def table_json(client: httpx.Client, export: str, query: str, page: int = 1) -> dict[str, object]:
    name = "index" if page == 1 else f"page-{page}"
    reply = client.get(f"/x/{export}/en/tables/sms/{name}.html?{query}&format=json")
    assert reply.status_code == 200, reply.text
    data: dict[str, object] = reply.json()
    return data


def test_table_search_finds_only_matching_records(client: httpx.Client, export: str) -> None:
    first = table_json(client, export, "")["rows"][0]  # type: ignore[index]
    words = [w for c in first["cells"] for w in re.findall(r"[^\W\d_]{4,}", c.get("text", ""))]
    word = words[-1]
    found = table_json(client, export, f"q={word}")
    assert found["rows"] and found["query"]["q"] == word  # type: ignore[index]
    assert all(word.lower() in str(r).lower() for r in found["rows"])  # type: ignore[attr-defined]


def test_sort_on_any_column(client: httpx.Client, export: str) -> None:
    data = table_json(client, export, "")
    key = data["columns"][1]["key"]  # type: ignore[index]
    up = table_json(client, export, f"sort={key}")
    down = table_json(client, export, f"sort={key}&desc=1")
    assert up["rows"][0]["seq"] != down["rows"][0]["seq"]  # type: ignore[index]
    assert table_json(client, export, "sort=no-such-key")["query"]["sort"] == ""  # type: ignore[index]


def test_filters_counterpart_and_date_range(client: httpx.Client, export: str) -> None:
    data = table_json(client, export, "")
    total = data["table"]["records"]  # type: ignore[index]
    record = client.get(f"/x/{export}/en/tables/sms/records/p1.html?format=json").json()
    raw = record["records"][0]["raw"]
    number = re.search(r'"address": "([^"]+)"', raw)
    assert number
    by_party = table_json(client, export, f"counterpart={number[1]}")
    assert 0 < by_party["query"]["matches"] < total  # type: ignore[index]
    none = table_json(client, export, "since=1990-01-01&until=1990-12-31")
    assert none["query"]["matches"] == 0 and none["rows"] == []  # type: ignore[index]
    wide = table_json(client, export, "since=1990-01-01&until=2100-12-31")
    assert 0 < wide["query"]["matches"] <= total  # type: ignore[index]


def test_pager_keeps_the_filters(client: httpx.Client, export: str) -> None:
    html = client.get(f"/x/{export}/en/tables/sms/index.html?since=1990-01-01").text
    assert 'href="../../tables/sms/page-2.html?since=1990-01-01"' in html


def test_search_the_whole_export(client: httpx.Client, export: str) -> None:
    data = client.get(f"/x/{export}/en/search.html?q=a&format=json").json()
    tables = {r["table"] for r in data["results"]}
    assert len(tables) > 1
    assert client.get(f"/x/{export}/en/search.html?q=zzzqqqxxx&format=json").json()["results"] == []
    odd = client.get(f"/x/{export}/en/search.html", params={"q": '" OR * NEAR('})
    assert odd.status_code == 200


def test_csv_download_is_streamed_and_complete(client: httpx.Client, export: str) -> None:
    with client.stream("GET", f"/x/{export}/csv/sms.csv") as reply:
        assert reply.status_code == 200
        assert "content-length" not in reply.headers  # streamed
        assert reply.headers["content-disposition"] == 'attachment; filename="sms.csv"'
        text = "".join(reply.iter_text())
    rows = list(csv.reader(io.StringIO(text)))
    total = table_json(client, export, "")["table"]["records"]  # type: ignore[index]
    assert len(rows) == total + 1  # type: ignore[operator]
    assert rows[0][-1] == "other"


def test_data_files_for_the_page_search(client: httpx.Client, export: str) -> None:
    reply = client.get(f"/x/{export}/data/sms-0.js")
    assert reply.headers["content-type"].startswith("text/javascript")
    assert reply.text.startswith("(window.EV_DATA")
    assert client.get(f"/x/{export}/data/nope-0.js").status_code == 404


def test_unknown_pages_are_404(client: httpx.Client, export: str) -> None:
    x = f"/x/{export}"
    for path in (f"{x}/en/nope.html", f"{x}/fr/index.html", f"{x}/en/tables/nope/index.html",
                 f"{x}/en/tables/sms/page-99.html", "/x/00000000/en/index.html",
                 f"{x}/static/..%2Fbuild.py"):  # fmt: skip
        assert client.get(path).status_code == 404, path


def test_close_wipes_the_export(run: Running, tmp_path: Path) -> None:
    session = open_ready(run, make_sample(tmp_path))
    store: Store = session.store
    client = run.client()
    reply = client.post(
        f"/x/{session.id}/close", data={"csrf": run.csrf}, headers={"origin": run.base}
    )
    assert reply.status_code == 303
    assert run.sessions.get(session.id) is None
    assert client.get(f"/x/{session.id}/en/index.html").status_code == 404
    with pytest.raises(LookupError):
        _ = session.store
    with pytest.raises(Exception, match="closed"):
        store.count("sms")


@pytest.fixture(scope="module")
def hostile(run: Running, tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("hostile")
    return open_ready(run, make_sample(folder, "hostile-content")).id


def crawl(client: httpx.Client, start: str, limit: int = 3000) -> dict[str, str]:
    """Fetch every page reachable from `start` (same export, same language); fail past `limit`."""
    lang = start.split("/")[3]
    seen: dict[str, str] = {}
    queue = [start]
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        assert len(seen) < limit, "more pages than a 400-record sample should have"
        seen[url] = client.get(url).text
        for _tag, attrs in parse(seen[url]).tags:
            href = (attrs.get("href") or "").split("#")[0].split("?")[0]
            if href.endswith(".html") and "://" not in href:
                target = str(httpx.URL(url).join(href).path)
                if f"/{lang}/" in target and target.startswith("/x/"):
                    queue.append(target)
    return seen


@pytest.fixture(scope="module")
def hostile_pages(client: httpx.Client, hostile: str) -> dict[str, dict[str, str]]:
    return {lang: crawl(client, f"/x/{hostile}/{lang}/index.html") for lang in ("en", "sv")}


def test_the_crawl_reaches_every_kind_of_page(hostile_pages: dict[str, dict[str, str]]) -> None:
    for lang, pages in hostile_pages.items():
        kinds = {"/tables/", "/records/", "/services/", "/views/", "report.html", "downloads.html"}
        reached = {k for k in kinds for url in pages if k in url}
        assert reached == kinds, lang
        assert len(pages) > 50, lang


def test_hostile_values_stay_text(
    client: httpx.Client, hostile: str, hostile_pages: dict[str, dict[str, str]]
) -> None:
    for lang, pages in hostile_pages.items():
        joined = "\n".join(pages.values())
        assert "window.__pwned" in joined, lang
        assert "<script>window.__pwned" not in joined
        assert 'onerror="window' not in joined
        for url, html in pages.items():
            page = parse(html)
            assert page.inline_scripts == 0, url
            for tag, attrs in page.tags:
                assert not [a for a in attrs if a.startswith("on")], (url, tag)
                assert "style" not in attrs, (url, tag)
                href = (attrs.get("href") or "").strip().lower()
                assert not href.startswith(("javascript:", "data:")), (url, href)
                if tag == "a" and href.startswith("http"):
                    assert attrs.get("rel") == "noreferrer noopener", (url, href)
    found = client.get(f"/x/{hostile}/en/search.html", params={"q": "pwned"}).text
    assert "window.__pwned" in found and "<script>window" not in found
    tables = client.get(f"/x/{hostile}/en/index.html?format=json").json()
    for name in ("sms", "notes", "contacts"):
        assert name in {s["id"] for s in tables["services"]}
        data = client.get(f"/x/{hostile}/data/{name}-0.js")
        assert data.status_code == 200 and data.headers["content-type"].startswith(
            "text/javascript"
        )
        assert "</script" not in data.text.lower() and "\\u003cscript\\u003e" in data.text.lower()


def test_served_pages_load_nothing_from_off_the_machine(
    client: httpx.Client, hostile: str, hostile_pages: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    for lang, pages in hostile_pages.items():
        for n, html in enumerate(pages.values()):
            (tmp_path / f"{lang}-{n}.html").write_text(html, encoding="utf-8")
    for path in ("/app/static/serve.css", f"/x/{hostile}/static/site.css",
                 f"/x/{hostile}/static/report.css"):  # fmt: skip
        reply = client.get(path)
        assert reply.status_code == 200, path
        (tmp_path / Path(path).name).write_text(reply.text, encoding="utf-8")
    assert external_references(tmp_path) == []
    for script in ("/app/static/serve.js", f"/x/{hostile}/static/site.js"):
        text = client.get(script).text
        assert not re.search(r"https?://", text), script  # the scripts fetch only our own files


def test_search_combines_with_sort_and_filters(client: httpx.Client, export: str) -> None:
    record = client.get(f"/x/{export}/en/tables/sms/records/p1.html?format=json").json()
    number = re.search(r'"address": "([^"]+)"', record["records"][0]["raw"])
    assert number
    digits = number[1].lstrip("+")
    found = table_json(client, export, f"q={digits}")["rows"]
    assert found  # the number is in the text of the messages with that person
    same = table_json(client, export, f"q={digits}&counterpart={number[1]}")["rows"]
    assert same and {r["seq"] for r in same} <= {r["seq"] for r in found}  # type: ignore[index]
    none = table_json(client, export, f"q={digits}&since=1990-01-01&until=1990-12-31")
    assert none["rows"] == []
    page = table_json(client, export, f"q={digits}&sort=content.date")
    column = [c["key"] for c in page["columns"]].index("content.date")  # type: ignore[attr-defined]
    up = [r["cells"][column]["ms"] for r in page["rows"]]  # type: ignore[attr-defined]
    down_page = table_json(client, export, f"q={digits}&sort=content.date&desc=1")
    down = [r["cells"][column]["ms"] for r in down_page["rows"]]  # type: ignore[attr-defined]
    assert len(up) > 1 and up == sorted(up) and down == sorted(down, reverse=True)


def test_status_filter(client: httpx.Client, export: str) -> None:
    data = client.get(f"/x/{export}/en/tables/contacts/index.html?format=json").json()
    assert data["kind"] == "table"
    statuses = client.get(f"/x/{export}/en/tables/contacts/index.html?status=deleted&format=json")
    deleted = statuses.json()
    total = data["table"]["records"]
    assert deleted["query"]["status"] == "deleted"
    assert 0 <= deleted["query"]["matches"] < total
    normal = client.get(f"/x/{export}/en/tables/contacts/index.html?status=normal&format=json")
    assert normal.json()["query"]["matches"] + deleted["query"]["matches"] == total


def test_every_stylesheet_and_script_a_served_page_names_is_there(
    client: httpx.Client, hostile_pages: dict[str, dict[str, str]]
) -> None:
    assets: set[str] = set()
    for pages in hostile_pages.values():
        for url, html in pages.items():
            for tag, attrs in parse(html).tags:
                target = attrs.get("src") if tag == "script" else None
                if tag == "link" and "stylesheet" in (attrs.get("rel") or ""):
                    target = attrs.get("href")
                if target:
                    assets.add(str(httpx.URL(url).join(target).path))
    assert any(a.endswith("/report.css") for a in assets)
    for asset in sorted(assets):
        assert client.get(asset).status_code == 200, asset
