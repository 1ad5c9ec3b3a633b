"""Finding messages: one template per check and language; English in JSON, Swedish on sv pages."""

from __future__ import annotations

import json
import string
import zipfile
from typing import Any

import pytest
from markupsafe import escape

from verify.contract import load_contract
from verify.formats import render_html, render_json
from verify.registry import CHECKS, LANGUAGES, render_message
from verify.run import verify_export
from viewer.site import i18n


def fields_of(template: str) -> set[str]:
    return {name for _text, name, _spec, _conv in string.Formatter().parse(template) if name}


def test_every_check_has_a_template_in_each_language_of_the_viewer() -> None:
    assert LANGUAGES == i18n.LANGUAGES
    for check in CHECKS.values():
        assert check.en != check.sv, check.code
        assert fields_of(check.en) == fields_of(check.sv), check.code


def test_counts_and_shares_are_written_the_swedish_way() -> None:
    params: dict[str, Any] = {"table": "t", "records": 12345, "count": 12345}
    assert render_message("undocumented-table", params, "en") == (
        "table t (12345 records) is not in the documented contract"
    )
    assert render_message("undocumented-table", params, "sv") == (
        "tabellen t (12\u00a0345 poster) finns inte i det dokumenterade kontraktet"
    )


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("msg") / "hand.zip"
    with zipfile.ZipFile(path, "w") as zf:
        records = [{"id": "1", "content": {"body": "hi"}}, {"id": "2"}]
        zf.writestr("sms.json", json.dumps({"sms": records}))
        zf.writestr("odd.json", json.dumps({"<i>x</i>": [{"a": 1}]}))
        zf.writestr("cut.json", '{"notes": [{"id": ')
    return verify_export(path, load_contract(), password=lambda name: "unused")


def message(report: dict[str, Any], check: str, lang: str) -> str:
    found = [f for f in report["findings"] if f["check"] == check]
    assert len(found) == 1, check
    text: str = found[0]["messages"][lang]
    assert found[0]["messages"]["en"] == found[0]["message"]
    return text


def test_the_json_report_keeps_the_english_message(report: dict[str, Any]) -> None:
    data = json.loads(render_json(report))
    partial = next(f for f in data["findings"] if f["check"] == "field-partial")
    assert partial["message"] == "field Content of SMS is in 1 of 2 records (50.0%)"
    assert (
        partial["messages"]["sv"]
        == "fältet Innehåll i SMS-tjänst finns i 1 av 2 poster (50\u00a0%)"
    )


def test_the_swedish_report_page_shows_swedish_messages(report: dict[str, Any]) -> None:
    page = i18n.environment("sv").get_template("_partials/report_body.html").render(report=report)
    expected = [
        "fältet Innehåll i SMS-tjänst finns i 1 av 2 poster (50\u00a0%)",
        "fältet Skapare i SMS-tjänst finns inte i någon post "
        "(nycklar som söktes: creator, createdBy, created_by)",
        "tabellen &lt;i&gt;x&lt;/i&gt; (1 poster) finns inte i det dokumenterade kontraktet",
        "ingen tabell för tjänsten Musik hittades "
        "(väntade en av: music, music_playlist, playlist, music_favorites)",
        "arkivet är inte krypterat",
    ]
    for text in expected:
        assert f"<td>{text}</td>" in page
    cut = message(report, "json-invalid", "sv")
    assert cut == (
        "cut.json, byte 18: filen kunde inte läsas som JSON (invalid JSON: parse error: "
        "premature EOF)"
    )  # the parser's own words stay as they are
    assert f"<td>{cut}</td>" in page
    assert '<td class="error">fel</td>' in page and '<td class="warning">varning</td>' in page
    assert '<span class="status invalid">ogiltig</span>' in page
    assert report["summary"]["definitions"]["coverage"]["sv"] in page
    assert report["summary"]["coverage_definition"] not in page
    assert "is in no record" not in page  # no English message is left


def test_the_english_page_shows_the_stable_messages(report: dict[str, Any]) -> None:
    page = render_html(report)
    for f in report["findings"]:
        assert f"<td>{escape(f['message'])}</td>" in page
    assert escape(report["summary"]["coverage_definition"]) in page
