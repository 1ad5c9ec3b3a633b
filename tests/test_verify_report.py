"""The report: no personal data, deterministic, names exactly what was removed; many exports."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verify.contract import load_contract
from verify.formats import (
    render_html,
    render_json,
    render_summary_csv,
    render_summary_html,
    render_summary_text,
    render_text,
)
from verify.report import flatten
from verify.run import verify_export
from viewer.sample import write_sample

CONTRACT = load_contract()
MARK = "QQMARKER"
NUMBER_MARK = 9_137_000_000_000  # its digits "91370000" start every number marker


def verify(path: Path) -> dict[str, Any]:
    return verify_export(path, CONTRACT, password=lambda name: "unused")


def markers(value: Any, counter: list[int], depth: int = 0) -> Any:
    """Replace every string, number and nested key (below a record's own keys) by a marker."""
    counter[0] += 1
    if isinstance(value, str):
        return f"{MARK}{counter[0]:06d}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return NUMBER_MARK + counter[0]
    if isinstance(value, list):
        return [markers(v, counter, depth + 1) for v in value]
    if isinstance(value, dict):
        # depth 0: table names; depth 2: a record's keys (names the report may show).
        return {
            (k if depth in (0, 2) else f"{MARK}{counter[0]:06d}k{n}"): markers(
                v, counter, depth + 1
            )
            for n, (k, v) in enumerate(value.items())
        }
    return value


def test_report_of_an_export_full_of_markers_holds_none(tmp_path: Path) -> None:
    plain = tmp_path / "plain.zip"
    write_sample(plain, seed=3, records=300, password=None,
                 defects=["hostile-content", "not-exportable:vip"])  # fmt: skip
    marked = tmp_path / "marked.zip"
    counter = [0]
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(marked, "w") as dst:
        for item in src.infolist():
            data = json.loads(src.read(item))
            if item.filename.endswith("/sms.json"):
                data["sms"][0]["shareLink"] = "a not-exportable key"  # a marker, below
            dst.writestr(item.filename, json.dumps(markers(data, counter)))
        broken = {"t": [{"a": f"{MARK}cut", "b": NUMBER_MARK}]}
        dst.writestr("bad/cut.json", json.dumps(broken)[:-12])  # json-invalid
        dst.writestr("bad/shape.json", json.dumps({
            "not_an_array": f"{MARK}table", "rows": [f"{MARK}row", NUMBER_MARK, {"k": 1}],
        }))  # fmt: skip
        dup = f'{{"dups": [{{"id": "{MARK}dup", "id": {NUMBER_MARK}}}]}}'
        dst.writestr("bad/dup.json", dup)  # a duplicate key
    assert counter[0] > 1000
    report = verify(marked)
    checks = {f["check"] for f in report["findings"]}
    assert {"json-invalid", "structure-invalid", "not-exportable-present", "status-unknown",
            "timestamp-invalid", "undocumented-table"} <= checks  # fmt: skip
    assert [c["id"] for c in report["not_exportable_found"]] == ["cloud_sharing", "vip"]
    page = render_html(report)
    assert "<li><code>cloud_sharing</code>: key <code>shareLink</code></li>" in page
    assert "<li><code>vip</code>: table <code>vip_statistics</code></li>" in page
    for text in (render_json(report), render_text(report), render_html(report)):
        assert MARK not in text
        assert str(NUMBER_MARK)[:8] not in text


def test_report_is_deterministic_apart_from_generated_at(tmp_path: Path) -> None:
    path = tmp_path / "e.zip"
    write_sample(path, seed=5, records=300, password="pw", defects=["bad-type:sms.creator"])
    first = verify_export(path, CONTRACT, password=lambda n: "pw")
    second = verify_export(path, CONTRACT, password=lambda n: "pw")
    first.pop("generated_at")
    second.pop("generated_at")
    assert json.dumps(first) == json.dumps(second)


def test_report_fields_others_rely_on(tmp_path: Path) -> None:
    path = tmp_path / "e.zip"
    write_sample(path, seed=5, records=300, password=None, defects=["undocumented-table:extra"])
    report = verify(path)
    assert report["report_version"] == 1
    assert {"tool", "contract", "archive", "summary", "tables", "services", "findings"} <= set(
        report
    )
    extra = next(t for t in report["tables"] if t["name"] == "extra")
    assert extra["service"] is None
    assert extra["files"] == ["xiaomi_cloud_export/extra.json"]
    sms = next(s for s in report["services"] if s["id"] == "sms")
    assert sms["status"] == "complete"
    assert sms["tables"][0]["name"] == "sms"
    assert {f["id"] for f in sms["fields"]} == {"content", "creator", "deleter", "update_time"}
    assert all(f["coverage"] == 1.0 and f["keys_found"] for f in sms["fields"])
    assert report["undocumented"]["tables"] == [{"name": "extra", "records": 25}]
    assert report["archive"]["encryption"] == "none"


SERVICES = [s.id for s in CONTRACT.services]
FIELDS = [
    (s.id, f.id)
    for s in CONTRACT.services
    for f in s.fields
    if not (set(f.keys) & set(s.id_keys))  # the record id is structural, not a removable field
]


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    removed=st.sets(st.sampled_from(SERVICES), max_size=3),
    dropped=st.sets(st.sampled_from(FIELDS), max_size=4),
)
def test_report_names_exactly_what_was_removed(
    tmp_path: Path, removed: set[str], dropped: set[tuple[str, str]]
) -> None:
    path = tmp_path / "p.zip"
    defects = [f"missing-service:{s}" for s in sorted(removed)]
    defects += [f"missing-field:{s}.{f}" for s, f in sorted(dropped)]
    write_sample(path, seed=11, records=250, password=None, defects=defects)
    report = verify(path)
    missing = {r[2] for r in flatten(report) if r[0] in ("service-missing", "metadata-missing")}
    gone = {(r[2], r[4]) for r in flatten(report) if r[0] == "field-missing"}
    assert missing == removed
    assert gone == {(s, f) for s, f in dropped if s not in removed}
    assert report["summary"]["status"] == ("incomplete" if missing or gone else "complete")


class _Cells(HTMLParser):
    """Collect the text of every table row's cells."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def table_rows(page: str) -> list[list[str]]:
    parser = _Cells()
    parser.feed(page)
    return parser.rows


def test_the_summary_of_reports_with_different_services(tmp_path: Path) -> None:
    import dataclasses
    import hashlib

    def only(*ids: str) -> Any:
        services = tuple(s for s in CONTRACT.services if s.id in ids)
        return dataclasses.replace(CONTRACT, services=services)

    a, b = tmp_path / "a.zip", tmp_path / "b.zip"
    write_sample(a, seed=1, records=250, password=None)
    write_sample(b, seed=2, records=250, password=None, defects=["missing-field:notes.history"])
    reports = [
        verify_export(a, only("sms", "notes"), password=lambda n: ""),
        verify_export(b, only("notes", "music"), password=lambda n: ""),
    ]
    sha_a, sha_b = (hashlib.sha256(p.read_bytes()).hexdigest() for p in (a, b))
    # Columns from every report, not just the first; "" where a report has no such service.
    assert render_summary_csv(reports) == (
        "export,sha256,status,errors,warnings,records,coverage,sms,notes,music\n"
        f"a.zip,{sha_a},complete,0,18,271,1.0,1.0,1.0,\n"
        f"b.zip,{sha_b},incomplete,1,18,271,0.9375,,0.875,1.0\n"
    )
    assert table_rows(render_summary_html(reports)) == [
        ["Export", "Status", "Errors", "Warnings", "Records", "Coverage", "sms", "notes", "music"],
        ["a.zip", "complete", "0", "18", "271", "100.0 %", "100.0 %", "100.0 %", "–"],
        ["b.zip", "incomplete", "1", "18", "271", "93.8 %", "–", "87.5 %", "100.0 %"],
    ]
    text = render_summary_text(reports)
    assert "│ sms     │ 100.0 % │       - │" in text
    assert "│ music   │       - │ 100.0 % │" in text


def test_summary_of_many_exports(tmp_path: Path) -> None:
    a, b = tmp_path / "a.zip", tmp_path / "b.zip"
    write_sample(a, seed=1, records=250, password=None)
    write_sample(b, seed=2, records=250, password=None, defects=["missing-service:sms"])
    text = render_summary_csv([verify(a), verify(b)])
    table = list(csv.DictReader(io.StringIO(text)))
    assert [(r["export"], r["status"], r["sms"]) for r in table] == [
        ("a.zip", "complete", "1.0"),
        ("b.zip", "incomplete", "0.0"),
    ]


def test_every_field_name_others_rely_on_is_there(tmp_path: Path) -> None:
    path = tmp_path / "e.zip"
    write_sample(path, seed=5, records=300, password=None,
                 defects=["undocumented-field:sms.extraKey", "not-exportable:vip"])  # fmt: skip
    report = verify(path)
    import hashlib

    assert report["tool"]["version"] and len(report["tool"]["sha256"]) == 64
    assert report["contract"]["version"] == CONTRACT.version
    assert report["contract"]["sha256"] == CONTRACT.sha256
    assert report["archive"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert report["summary"]["coverage_definition"].startswith("A field is present in a record")
    assert report["undocumented"]["fields"][0]["key"] == "extraKey"
    assert [c["id"] for c in report["not_exportable_found"]] == ["vip"]
    assert all({"check", "severity", "service", "table", "field", "count", "message"}
               <= set(f) for f in report["findings"])  # fmt: skip
    assert all(isinstance(t["records"], int) for t in report["tables"])
    sms = next(s for s in report["services"] if s["id"] == "sms")
    assert sms["tables"] == [{"name": "sms", "records": sms["records"]}]
    assert report["mapping"] is None  # no --mapping: nothing was renamed


def test_the_tool_hash_is_stable() -> None:
    from verify.report import tool_sha256

    tool_sha256.cache_clear()
    first = tool_sha256()
    tool_sha256.cache_clear()
    assert tool_sha256() == first and len(first) == 64


def test_the_report_says_which_observed_names_a_mapping_renamed(tmp_path: Path) -> None:
    from verify.mapping import apply_mapping

    path = tmp_path / "e.zip"
    with zipfile.ZipFile(path, "w") as zf:
        records = [{"id": "1", "msgBody": {"body": "hi"}}, {"id": "2", "msgBody": {"body": "y"}}]
        zf.writestr("msgs.json", json.dumps({"sms_records": records}))
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('[tables]\n"sms_records" = "sms"\n"gone" = "notes"\n\n'
                       '[fields.sms]\n"msgBody" = "content"\n"nowhere" = "creator"\n',
                       encoding="utf-8")  # fmt: skip
    contract = apply_mapping(CONTRACT, mapping)
    report = verify_export(path, contract, password=lambda name: "unused")
    import hashlib

    assert report["mapping"] == {
        "sha256": hashlib.sha256(mapping.read_bytes()).hexdigest(),
        "applied": [
            {"kind": "field", "observed": "msgBody", "documented": "sms.content", "records": 2},
            {"kind": "table", "observed": "sms_records", "documented": "sms", "records": 2},
        ],
        "unused": 2,  # "gone" and "nowhere": counted, not named
    }
    text = render_text(report)
    section = text[text.index("mapping (sha256") :].split("\n\n")[0]
    assert section.splitlines() == [
        f"mapping (sha256 {report['mapping']['sha256']}):",
        "  field msgBody -> sms.content (2 records)",
        "  table sms_records -> sms (2 records)",
        "  2 entries of the mapping file are not in this export",
    ]
    page = render_html(report)
    assert "<li>table <code>sms_records</code> → <code>sms</code> (2 records)</li>" in page
    assert "<li>key <code>msgBody</code> → <code>sms.content</code> (2 records)</li>" in page
    assert "2 entries of the mapping file are not in this export." in page


def test_the_not_exportable_section_is_always_there_and_says_when_none_was_found(
    tmp_path: Path,
) -> None:
    from viewer.site.i18n import environment

    path = tmp_path / "clean.zip"
    write_sample(path, seed=2, records=120, password=None)
    report = verify(path)
    assert report["not_exportable_found"] == []
    section = render_html(report).split('<h2 id="not-exportable">', 1)[1].split("<h2", 1)[0]
    assert section.startswith("Not exportable, but present</h2>")
    none = "None of the categories the provider documents as not exportable is in the export."
    assert f'<p class="ok">{none}</p>' in section
    swedish = environment("sv").get_template("_partials/report_body.html").render(report=report)
    section = swedish.split('<h2 id="not-exportable">', 1)[1].split("<h2", 1)[0]
    none = "Ingen av kategorierna som leverantören anger som ej exporterbara finns i exporten."
    assert f'<p class="ok">{none}</p>' in section
