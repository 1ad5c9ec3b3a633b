"""Downloads of an open export in each open format, as ZIPs read back by independent parsers."""

from __future__ import annotations

import io
import sqlite3
import tempfile
import zipfile
from pathlib import Path

import vobject

from tests.app_helpers import make_sample, open_ready, running, until


def test_vcard_and_sqlite_downloads(tmp_path: Path) -> None:
    export = make_sample(tmp_path)
    before = set(Path(tempfile.gettempdir()).rglob("download-*"))
    with running() as run:
        session = open_ready(run, export)
        contacts = session.loaded.store.count("contacts") if session.loaded else -1
        client = run.client()
        reply = client.get(f"/x/{session.id}/download/vcard.zip")
        assert reply.status_code == 200
        assert reply.headers["content-type"] == "application/zip"
        assert 'filename="export-vcard.zip"' in reply.headers["content-disposition"]
        with zipfile.ZipFile(io.BytesIO(reply.content)) as zf:
            names = zf.namelist()
            assert "manifest.json" in names
            card_file = next(n for n in names if n.endswith(".vcf"))
            cards = list(vobject.readComponents(zf.read(card_file).decode("utf-8")))
        assert len(cards) == contacts
        reply = client.get(f"/x/{session.id}/download/sqlite.zip")
        assert reply.status_code == 200
        db = tmp_path / "export.sqlite"
        with zipfile.ZipFile(io.BytesIO(reply.content)) as zf:
            db.write_bytes(zf.read("sqlite/export.sqlite"))
        with sqlite3.connect(db) as con:
            (sms,) = con.execute("select count(*) from sms").fetchone()
        assert sms == session.loaded.store.count("sms")  # type: ignore[union-attr]
        assert client.get(f"/x/{session.id}/download/nope.zip").status_code == 404
        assert run.client(signed_in=False).get(f"/x/{session.id}/download/csv.zip").status_code in (
            401,
            403,
        )
        until(lambda: not list(run.sessions.folder.glob("download-*")), "downloads deleted")
    after = set(Path(tempfile.gettempdir()).rglob("download-*"))
    assert after == before  # nothing of a download outside the run's private folder either


def test_every_format_is_offered_and_downloads(tmp_path: Path) -> None:
    import json
    import re

    export = make_sample(tmp_path)
    with running() as run:
        session = open_ready(run, export)
        client = run.client()
        for lang, title in (("en", "Take your data elsewhere"), ("sv", "Ta med dina data")):
            page = client.get(f"/x/{session.id}/{lang}/downloads.html")
            assert page.status_code == 200 and title in page.text
            overview = client.get(f"/x/{session.id}/{lang}/index.html").text
            assert 'href="downloads.html"' in overview or 'href="../downloads.html"' in overview
        page = client.get(f"/x/{session.id}/en/downloads.html").text
        links = re.findall(r'href="(/x/[^"]+/download/[^"]+)"', page)
        formats = ["vcard", "ics", "sms-xml", "markdown", "csv", "jsonl", "sqlite", "datapackage"]
        assert [link.split("/")[-1] for link in links] == [
            "vcard.zip", "vcard.zip?vcard=4.0", "ics.zip", "sms-xml.zip", "markdown.zip",
            "csv.zip", "csv.zip?excel=1", "jsonl.zip", "sqlite.zip", "datapackage.zip",
            "all.zip"]  # fmt: skip
        for link in links:
            reply = client.get(link.replace("&amp;", "&"))
            assert reply.status_code == 200, link
            with zipfile.ZipFile(io.BytesIO(reply.content)) as zf:
                manifest = json.loads(zf.read("manifest.json"))
                names = set(zf.namelist())
            assert {f["path"] for f in manifest["files"]} <= names, link
            wanted = formats if "all.zip" in link else [link.split("/")[-1].split(".zip")[0]]
            assert set(manifest["formats"]) == set(wanted), link
        card = client.get(f"/x/{session.id}/download/vcard.zip?vcard=4.0")
        with zipfile.ZipFile(io.BytesIO(card.content)) as zf:
            text = zf.read(next(n for n in zf.namelist() if n.endswith(".vcf"))).decode()
        assert "VERSION:4.0" in text
        assert client.get(f"/x/{session.id}/download/csv.zip?evil=1").status_code == 400
        assert client.get(f"/x/{session.id}/download/vcard.zip?vcard=9").status_code == 400
