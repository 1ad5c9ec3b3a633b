"""Downloads of an open export in each open format, as ZIPs read back by independent parsers."""

from __future__ import annotations

import io
import sqlite3
import tempfile
import zipfile
from pathlib import Path

import vobject

from tests.app_helpers import make_sample, open_ready, running


def test_vcard_and_sqlite_downloads(tmp_path: Path) -> None:
    export = make_sample(tmp_path)
    before = set(Path(tempfile.gettempdir()).glob("export-viewer-download-*"))
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
    after = set(Path(tempfile.gettempdir()).glob("export-viewer-download-*"))
    assert after == before  # the private folders were deleted once sent
