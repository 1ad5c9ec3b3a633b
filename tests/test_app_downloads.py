"""Downloads of an open export in each open format, as ZIPs read back by independent parsers."""

from __future__ import annotations

import io
import json
import re
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import vobject

from tests.app_helpers import Running, make_sample, open_ready, running
from viewer.app.sessions import Session

# What each format's ZIP holds besides manifest.json and README.md (top-level names).
EXPECTED = {
    "vcard": {"vcard"},
    "ics": {"ics"},
    "sms-xml": {"sms-xml"},
    "markdown": {"markdown"},
    "csv": {"csv"},
    "jsonl": {"jsonl"},
    "sqlite": {"sqlite"},
    "datapackage": {"csv", "datapackage.json"},
    "all": {"vcard", "ics", "sms-xml", "markdown", "csv", "jsonl", "sqlite", "datapackage.json"},
}


@pytest.fixture(scope="module")
def run() -> Iterator[Running]:
    with running() as server:
        yield server


@pytest.fixture(scope="module")
def session(run: Running, tmp_path_factory: pytest.TempPathFactory) -> Session:
    return open_ready(run, make_sample(tmp_path_factory.mktemp("export")))


@pytest.fixture(scope="module")
def client(run: Running) -> httpx.Client:
    return run.client()


def left_in(folder: Path) -> list[Path]:
    """Return the files under a folder (the run's private folder holds no download afterwards)."""
    return [p for p in folder.rglob("*") if p.is_file()]


def read_zip(reply: httpx.Response) -> tuple[list[str], dict[str, object]]:
    with zipfile.ZipFile(io.BytesIO(reply.content)) as zf:
        names = zf.namelist()
        manifest: dict[str, object] = json.loads(zf.read("manifest.json"))
    return names, manifest


def test_every_format_downloads_with_its_manifest(
    run: Running, session: Session, client: httpx.Client
) -> None:
    for fmt, expected in EXPECTED.items():
        reply = client.get(f"/x/{session.id}/download/{fmt}.zip")
        assert reply.status_code == 200, (fmt, reply.text)
        assert reply.headers["content-type"] == "application/zip"
        assert reply.headers["content-length"] == str(len(reply.content))
        assert f'filename="export-{fmt}.zip"' in reply.headers["content-disposition"]
        names, manifest = read_zip(reply)
        listed = [f["path"] for f in manifest["files"]]  # type: ignore[attr-defined]
        assert listed and set(listed) <= set(names), fmt  # every listed file is in the ZIP
        assert {n.split("/")[0] for n in listed} == expected, fmt
        assert set(names) == {*listed, "manifest.json", "README.md"}, fmt
        assert left_in(run.sessions.folder) == [], fmt


def test_vcard_and_sqlite_read_back(session: Session, client: httpx.Client, tmp_path: Path) -> None:
    store = session.store
    reply = client.get(f"/x/{session.id}/download/vcard.zip")
    with zipfile.ZipFile(io.BytesIO(reply.content)) as zf:
        card_file = next(n for n in zf.namelist() if n.endswith(".vcf"))
        cards = list(vobject.readComponents(zf.read(card_file).decode("utf-8")))
    assert len(cards) == store.count("contacts")
    assert {c.version.value for c in cards} == {"3.0"}  # the default: the widest support
    reply = client.get(f"/x/{session.id}/download/sqlite.zip")
    db = tmp_path / "export.sqlite"
    with zipfile.ZipFile(io.BytesIO(reply.content)) as zf:
        db.write_bytes(zf.read("sqlite/export.sqlite"))
    with sqlite3.connect(db) as con:
        (sms,) = con.execute("select count(*) from sms").fetchone()
    assert sms == store.count("sms")


def test_options_come_from_a_fixed_list(session: Session, client: httpx.Client) -> None:
    x = f"/x/{session.id}/download"
    reply = client.get(f"{x}/vcard.zip", params={"vcard-version": "4.0", "split": "1"})
    with zipfile.ZipFile(io.BytesIO(reply.content)) as zf:
        cards = [n for n in zf.namelist() if n.endswith(".vcf")]
        assert len(cards) == session.store.count("contacts")  # one file per contact
        assert b"VERSION:4.0" in zf.read(cards[0])
    reply = client.get(f"{x}/csv.zip", params={"excel": "1"})
    with zipfile.ZipFile(io.BytesIO(reply.content)) as zf:
        assert zf.read("csv/sms.csv").startswith(b"\xef\xbb\xbf")  # the BOM spreadsheets want
    plain = client.get(f"{x}/csv.zip")
    with zipfile.ZipFile(io.BytesIO(plain.content)) as zf:
        assert not zf.read("csv/sms.csv").startswith(b"\xef\xbb\xbf")
    for query in ({"vcard-version": "2.1"}, {"excel": "yes"}, {"format": "json"},
                  {"split": ["0", "1"]}):  # fmt: skip
        assert client.get(f"{x}/vcard.zip", params=query).status_code == 400, query


def test_unknown_formats_and_strangers_are_refused(
    run: Running, session: Session, client: httpx.Client
) -> None:
    assert client.get(f"/x/{session.id}/download/nope.zip").status_code == 404
    stranger = run.client(signed_in=False)
    assert stranger.get(f"/x/{session.id}/download/csv.zip").status_code == 401


@pytest.mark.usefixtures("nothing_outside")
def test_a_download_left_half_read_leaves_nothing(tmp_path: Path) -> None:
    temp = tmp_path / "tmp"  # the system's temporary folder, for this test
    with running() as run:
        assert list(temp.iterdir()) == [run.sessions.folder]
        session = open_ready(run, make_sample(tmp_path))
        client = run.client()
        with client.stream("GET", f"/x/{session.id}/download/all.zip") as reply:
            assert reply.status_code == 200
            next(reply.iter_bytes(1024))
            # Sending has begun: the files it was made from are gone already.
            assert list(temp.iterdir()) == [run.sessions.folder]
            assert left_in(temp) == []
        # The connection was closed half-way: still nothing, and the server goes on.
        assert left_in(temp) == []
        assert client.get(f"/x/{session.id}/en/index.html").status_code == 200
        run.sessions.close(session.id)
        assert list(run.sessions.folder.iterdir()) == []  # its scratch folder went with it
    # nothing_outside: the run's private folder is gone too.


def download_forms(html: str) -> dict[str, dict[str, object]]:
    """Return the page's download forms by format: action, button text, option fields."""
    forms: dict[str, dict[str, object]] = {}
    for form in re.findall(r"<form method=\"get\" action=\"([^\"]+)\">(.*?)</form>", html, re.S):
        action, body = form
        button = re.search(
            r'<button type="submit" data-ev-download="([^"]+)">([^<]+)</button>', body
        )
        assert button, action
        descriptions = re.findall(r"<p>([^<]{20,})</p>", body)
        fields = sorted(set(re.findall(r'name="([^"]+)"', body)))
        forms[button[1]] = {"action": action, "button": button[2], "fields": fields,
                            "description": descriptions[0] if descriptions else ""}  # fmt: skip
    return forms


def test_the_downloads_page_has_a_button_per_format(session: Session, client: httpx.Client) -> None:
    page = f"/x/{session.id}/en/downloads.html"
    en = download_forms(client.get(page).text)
    sv = download_forms(client.get(page.replace("/en/", "/sv/")).text)
    assert list(en) == list(sv) == list(EXPECTED)  # vcard ... datapackage, all
    for fmt, form in en.items():
        assert form["action"] == f"../download/{fmt}.zip"
        assert str(form["button"]).startswith("Download ")
        assert str(sv[fmt]["button"]).startswith("Ladda ned ")
        assert form["description"] and sv[fmt]["description"] != form["description"], fmt
        # The button downloads: the form's own address, with its default choices.
        url = httpx.URL(f"{client.base_url}{page}").join(str(form["action"]))
        reply = client.get(url)
        assert reply.status_code == 200 and reply.content.startswith(b"PK"), fmt
    assert en["vcard"]["fields"] == ["split", "vcard-version"]
    assert en["csv"]["fields"] == en["datapackage"]["fields"] == ["excel"]
    assert en["all"]["fields"] == ["excel", "split", "vcard-version"]
    assert en["sqlite"]["fields"] == []
    data = client.get(f"{page}?format=json").json()
    assert data["kind"] == "downloads"
    assert [d["format"] for d in data["downloads"]] == list(EXPECTED)


def test_every_served_page_links_to_the_downloads(session: Session, client: httpx.Client) -> None:
    for rel, link in (("index.html", "downloads.html"), ("tables/sms/index.html",
                      "../../downloads.html"), ("search.html", "downloads.html")):  # fmt: skip
        for lang, text in (("en", "Take your data elsewhere"),
                           ("sv", "Ta med dina data någon annanstans")):  # fmt: skip
            html = client.get(f"/x/{session.id}/{lang}/{rel}").text
            assert f'<a href="{link}">{text}</a>' in html, (lang, rel)
