"""The report: no personal data, deterministic, names exactly what was removed; many exports."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verify.contract import load_contract
from verify.formats import render_html, render_json, render_summary_csv, render_text
from verify.report import flatten
from verify.run import verify_export
from viewer.sample import write_sample

CONTRACT = load_contract()
MARK = "QQMARKER"


def verify(path: Path) -> dict[str, Any]:
    return verify_export(path, CONTRACT, password=lambda name: "unused")


def markers(value: Any, counter: list[int]) -> Any:
    """Replace every string in a JSON value by a unique marker."""
    if isinstance(value, str):
        counter[0] += 1
        return f"{MARK}{counter[0]:06d}"
    if isinstance(value, list):
        return [markers(v, counter) for v in value]
    if isinstance(value, dict):
        return {k: markers(v, counter) for k, v in value.items()}
    return value


def test_report_of_an_export_full_of_markers_holds_none(tmp_path: Path) -> None:
    plain = tmp_path / "plain.zip"
    write_sample(plain, seed=3, records=300, password=None, defects=["hostile-content"])
    marked = tmp_path / "marked.zip"
    counter = [0]
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(marked, "w") as dst:
        for item in src.infolist():
            data = json.loads(src.read(item))
            dst.writestr(item.filename, json.dumps(markers(data, counter)))
    assert counter[0] > 1000
    report = verify(marked)
    for text in (render_json(report), render_text(report), render_html(report)):
        assert MARK not in text
    # Values outside the vocabulary are reported without showing them.
    assert any(f["check"] == "status-unknown" for f in report["findings"])


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


def test_a_not_exportable_key_in_a_documented_table_is_that_finding_only(tmp_path: Path) -> None:
    path = tmp_path / "e.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("sms.json", json.dumps({"sms": [
            {"id": "1", "content": {"body": "hi"}, "shareLink": "x"},
            {"id": "2", "content": {"body": "yo"}},
        ]}))  # fmt: skip
    report = verify(path)
    rows = [r for r in flatten(report) if r[4] == "shareLink" or r[0] == "not-exportable-present"]
    assert rows == [("not-exportable-present", "error", "sms", "sms", "shareLink", 1)]
    assert report["undocumented"]["fields"] == []


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
        "unused": [
            {"kind": "field", "observed": "nowhere", "documented": "sms.creator", "records": None},
            {"kind": "table", "observed": "gone", "documented": "notes", "records": None},
        ],
    }
    text = render_text(report)
    assert (
        "table sms_records -> sms (2 records)" in text
        and "not in this export: nowhere, gone" in text
    )
    assert "<code>sms_records</code> → <code>sms</code>" in render_html(report)
