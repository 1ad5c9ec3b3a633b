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
    with running(guide=True, guide_folder=tmp_path_factory.mktemp("cache")) as server:
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
         "search.html?q=a", "views/sms/index.html", "views/contacts/index.html",
         "downloads.html")  # fmt: skip


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
             "tables/sms/index.html": "table", "tables/contacts/records/0.html": "record",
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


def test_status_filter(run: Running, client: httpx.Client, export: str) -> None:
    store = run.sessions.get(export).store  # type: ignore[union-attr]
    url = f"/x/{export}/en/tables/music/index.html"
    data = client.get(f"{url}?format=json").json()
    assert data["query"]["status_values"] == ["normal", "deleted"]  # from the contract
    assert '<select name="status">' in client.get(url).text
    statuses = [r.data.get("status") for r in store.records("music")]
    for status in ("normal", "deleted"):
        found = client.get(url, params={"status": status, "format": "json"}).json()
        assert found["query"]["matches"] == statuses.count(status) == len(found["rows"]) > 0
        assert found["query"]["status"] == status
    none = client.get(url, params={"status": "no-such-status", "format": "json"}).json()
    assert none["query"]["matches"] == 0 and none["rows"] == []


def test_page_two_of_a_table_as_json(client: httpx.Client, export: str) -> None:
    from viewer.site import paths

    one = table_json(client, export, "")
    two = table_json(client, export, "", page=2)
    assert (two["kind"], two["path"]) == ("table", "tables/sms/page-2.html")
    seqs = [r["seq"] for r in two["rows"]]  # type: ignore[attr-defined]
    assert seqs[0] == paths.PAGE_SIZE and seqs == sorted(seqs)
    assert not set(seqs) & {r["seq"] for r in one["rows"]}  # type: ignore[attr-defined]
    assert two["pager"]["prev"]  # type: ignore[index]


def test_progress_page_as_json(run: Running, client: httpx.Client, export: str) -> None:
    data = client.get(f"/x/{export}/progress?format=json").json()
    assert (data["kind"], data["state"], data["error"]) == ("progress", "ready", None)
    assert data["done"] == data["total"] > 0
    assert data["ready_url"] == f"/x/{export}/en/index.html"
    assert client.get(f"/x/{export}/progress").status_code == 303  # the page itself moves on
    failed = run.sessions.fail(Path("/no/such/export.zip"), "/no/such/export.zip is not a file")
    data = client.get(f"/x/{failed}/progress?format=json").json()
    assert (data["state"], data["error"]) == ("failed", "/no/such/export.zip is not a file")


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


CRAWL_BOUND = 3000  # far above what a test sample has: reaching it fails the test
# Every kind of page an export has, as a path pattern below /x/<id>/<lang>/.
PAGE_KINDS = {
    "overview": r"index\.html", "report": r"report\.html", "downloads": r"downloads\.html",
    "search": r"search\.html\?q=.+", "service": r"services/[^/]+\.html",
    "table": r"tables/[^/]+/index\.html", "table page": r"tables/[^/]+/page-\d+\.html",
    "record": r"tables/[^/]+/records/\d+\.html", "records": r"tables/[^/]+/records/p\d+\.html",
    "view": r"views/[^/]+/.+\.html",
}  # fmt: skip


def crawl(client: httpx.Client, export: str) -> dict[str, str]:
    """Fetch every page of an export reachable from its overviews and searches, in both languages.

    Every link must work; the bound is a safety net that fails the test rather than stop short.
    """
    x = f"/x/{export}"
    seen: dict[str, str] = {}
    queue = [f"{x}/{lang}/{start}" for lang in ("en", "sv")
             for start in ("index.html", "search.html?q=pwned")]  # fmt: skip
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        assert len(seen) < CRAWL_BOUND, "more pages than a test sample has: raise the bound"
        reply = client.get(url)
        assert reply.status_code == 200, (url, reply.status_code)  # no broken link
        seen[url] = reply.text
        for _tag, attrs in parse(reply.text).tags:
            href = (attrs.get("href") or "").split("#")[0]
            if href.endswith(".html") and "://" not in href:
                target = str(httpx.URL(url).join(href).path)
                if target.startswith(f"{x}/en/") or target.startswith(f"{x}/sv/"):
                    queue.append(target)  # (the guide is checked on its own)
    return seen


@pytest.fixture(scope="module")
def crawled(client: httpx.Client, hostile: str) -> dict[str, str]:
    return crawl(client, hostile)


def test_the_crawl_covers_every_kind_of_page_in_both_languages(
    crawled: dict[str, str], hostile: str
) -> None:
    for lang in ("en", "sv"):
        rels = [u.removeprefix(f"/x/{hostile}/{lang}/") for u in crawled if f"/{lang}/" in u]
        for kind, pattern in PAGE_KINDS.items():
            assert any(re.fullmatch(pattern, rel) for rel in rels), (lang, kind)


def test_hostile_values_stay_text(crawled: dict[str, str]) -> None:
    joined = "\n".join(crawled.values())
    assert "window.__pwned" in joined  # the hostile values are shown ...
    assert "<script>window.__pwned" not in joined  # ... but only as text
    assert 'onerror="window' not in joined
    for url, html in crawled.items():
        page = parse(html)
        assert page.lang == ("sv" if "/sv/" in url else "en"), url
        assert page.csp == META_CSP, url
        assert page.inline_scripts == 0, url
        for tag, attrs in page.tags:
            assert not [a for a in attrs if a.startswith("on")], (url, tag)
            assert "style" not in attrs, (url, tag)
            href = (attrs.get("href") or "").strip().lower()
            assert not href.startswith(("javascript:", "data:")), (url, href)
            if tag == "a" and href.startswith("http"):
                assert attrs.get("rel") == "noreferrer noopener", (url, href)


def test_data_files_and_json_carry_no_markup(
    run: Running, client: httpx.Client, hostile: str, crawled: dict[str, str]
) -> None:
    from viewer.site import paths

    site = run.sessions.get(hostile).site  # type: ignore[union-attr]
    data = []
    for summary in site.tables.values():
        for chunk in range(max(1, -(-summary.info.records // paths.DATA_CHUNK))):
            reply = client.get(f"/x/{hostile}/data/{paths.slug(summary.info.name)}-{chunk}.js")
            assert reply.status_code == 200
            data.append(reply.text)
    joined = "\n".join(data)
    assert "\\u003cscript\\u003e" in joined  # the hostile values are there, escaped
    assert "</script" not in joined.lower() and "<!--" not in joined
    for url in crawled:
        sep = "&" if "?" in url else "?"
        reply = client.get(f"{url}{sep}format=json")
        assert reply.headers["content-type"] == "application/json", url
        assert "</script" not in reply.text.lower() and "<!--" not in reply.text, url
    found = client.get(f"/x/{hostile}/en/search.html", params={"q": "pwned", "format": "json"})
    assert "window.__pwned" in str(found.json())  # escaped, not lost


def test_served_pages_load_nothing_from_off_the_machine(
    crawled: dict[str, str], tmp_path: Path
) -> None:
    for n, html in enumerate(crawled.values()):
        (tmp_path / f"{n}.html").write_text(html, encoding="utf-8")
    assert external_references(tmp_path) == []


JS_URL = re.compile(r"""["'`]((?:[a-z][a-z0-9+.-]*:)?//[^"'`\s]*)""", re.IGNORECASE)


def test_served_css_and_js_load_nothing_from_off_the_machine(
    client: httpx.Client, hostile: str, tmp_path: Path
) -> None:
    from viewer.app.routes import APP_STATIC
    from viewer.offline import is_external
    from viewer.site.build import STATIC

    urls = [f"/app/static/{p.name}" for p in APP_STATIC.iterdir()]
    urls += [f"/app/site/{p.name}" for p in STATIC.iterdir()]
    urls += [f"/x/{hostile}/static/{p.name}" for p in STATIC.iterdir()]
    assert any(u.endswith(".css") for u in urls) and any(u.endswith(".js") for u in urls)
    for n, url in enumerate(urls):
        reply = client.get(url)
        assert reply.status_code == 200, url
        (tmp_path / f"{n}{Path(url).suffix}").write_text(reply.text, encoding="utf-8")
        if url.endswith(".js"):
            assert [u for u in JS_URL.findall(reply.text) if is_external(u)] == [], url
    assert external_references(tmp_path) == []  # the CSS files


def test_served_guide_loads_nothing_from_off_the_machine(
    run: Running, client: httpx.Client, tmp_path: Path
) -> None:
    root = run.app.state.config.guide.root
    files = [p for p in root.rglob("*") if p.suffix in {".html", ".css", ".svg"}]
    assert len([p for p in files if p.suffix == ".html"]) > 10
    for path in files:
        rel = path.relative_to(root).as_posix()
        reply = client.get(f"/guide/{rel}")
        assert reply.status_code == 200, rel
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(reply.content)
    assert external_references(tmp_path) == []


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


def test_every_stylesheet_and_script_a_served_page_names_is_there(
    client: httpx.Client, crawled: dict[str, str]
) -> None:
    assets: set[str] = set()
    for url, html in crawled.items():
        for tag, attrs in parse(html).tags:
            target = attrs.get("src") if tag == "script" else None
            if tag == "link" and "stylesheet" in (attrs.get("rel") or ""):
                target = attrs.get("href")
            if target:
                assets.add(str(httpx.URL(url).join(target).path))
    assert any(a.endswith("/report.css") for a in assets)  # the report page's own styles
    for asset in sorted(assets):
        assert client.get(asset).status_code == 200, asset
