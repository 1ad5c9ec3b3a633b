"""The sample export: deterministic, shaped by the contract, encrypted, and defective on request."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
import pyzipper

from verify.contract import Field, Service, load_contract
from viewer.cli import main
from viewer.errors import UsageError
from viewer.sample import ROOT, SINGLE_FILE, iter_tables, write_sample
from viewer.sample.devices import luhn_valid
from viewer.sample.plan import plan
from viewer.sample.texts import SERVICE_SENDERS

CONTRACT = load_contract()
START_MS = int(dt.datetime(2023, 1, 1, tzinfo=dt.UTC).timestamp() * 1000) - 3_600_000
END_MS = int(dt.datetime(2026, 1, 1, tzinfo=dt.UTC).timestamp() * 1000)


def entries(path: Path, password: str | None = None) -> dict[str, bytes]:
    """Return every entry of a ZIP, decrypted."""
    with pyzipper.AESZipFile(path) as zf:
        if password is not None:
            zf.setpassword(password.encode())
        return {name: zf.read(name) for name in zf.namelist()}


def tables(path: Path, password: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """Return every table of a ZIP written in either layout."""
    result: dict[str, list[dict[str, Any]]] = {}
    for data in entries(path, password).values():
        result.update(json.loads(data.decode("utf-8")))
    return result


def sample(tmp_path: Path, *defects: str, **options: Any) -> dict[str, list[dict[str, Any]]]:
    out = tmp_path / "sample.zip"
    options.setdefault("records", 300)
    write_sample(out, password=None, defects=defects, **options)
    return tables(out)


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    out = tmp_path_factory.mktemp("clean") / "sample.zip"
    write_sample(out, password=None, size="small")
    return tables(out)


def table_of(service_id: str) -> str:
    service = CONTRACT.service(service_id)
    assert service is not None
    return service.tables[0]


def dig(record: dict[str, Any], path: str) -> Any:
    value: Any = record
    for key in path.split("."):
        assert isinstance(value, dict) and key in value, f"{path} missing in {record}"
        value = value[key]
    return value


# --- determinism and layout --------------------------------------------------------------------


def test_same_seed_gives_identical_json_and_identical_plain_zip(tmp_path: Path) -> None:
    a, b = tmp_path / "a.zip", tmp_path / "b.zip"
    write_sample(a, password=None, records=300, seed=7)
    write_sample(b, password=None, records=300, seed=7)
    assert a.read_bytes() == b.read_bytes()
    aes = tmp_path / "aes.zip"
    write_sample(aes, password="pw-1", records=300, seed=7)
    assert entries(aes, "pw-1") == entries(a)
    assert aes.read_bytes() != a.read_bytes()


def test_different_seed_gives_different_json(tmp_path: Path) -> None:
    assert sample(tmp_path, seed=1) != sample(tmp_path, seed=2)


def test_per_service_layout_has_one_file_per_table_in_the_export_folder(tmp_path: Path) -> None:
    out = tmp_path / "s.zip"
    summary = write_sample(out, password=None, records=300)
    names = sorted(entries(out))
    assert names == sorted(f"{ROOT}/{s.tables[0]}.json" for s in CONTRACT.services)
    for name, data in entries(out).items():
        table = json.loads(data)
        assert list(table) == [name.removeprefix(f"{ROOT}/").removesuffix(".json")]
    assert summary.tables == {t: len(r) for t, r in tables(out).items()}
    assert summary.encryption == "none" and summary.password is None


def test_single_file_layout_holds_every_table_in_one_file(tmp_path: Path) -> None:
    out = tmp_path / "s.zip"
    write_sample(out, password=None, records=300, layout="single-file")
    per_service = sample(tmp_path)
    assert list(entries(out)) == [f"{ROOT}/{SINGLE_FILE}"]
    assert tables(out) == per_service


def test_sizes_plan_about_the_documented_totals() -> None:
    ids = [s.id for s in CONTRACT.services]
    small, typical, heavy = (
        sum(plan(ids, size).values()) for size in ("small", "typical", "heavy")
    )
    assert 1800 <= small <= 2300
    assert 58_000 <= typical <= 62_000
    assert 950_000 <= heavy <= 1_050_000
    counts = plan(ids, "typical")
    assert (counts["contacts"], counts["sms"], counts["call_log"]) == (2000, 40_000, 10_000)
    assert 4500 <= sum(plan(ids, records=5000).values()) <= 5500


def test_records_option_scales_the_sample(tmp_path: Path) -> None:
    assert 270 <= sum(len(r) for r in sample(tmp_path, records=300).values()) <= 340


# --- shaped by the contract --------------------------------------------------------------------


def _type_ok(field: Field, value: Any) -> bool:
    checks = {
        "timestamp": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "size": lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0,
        "url": lambda v: isinstance(v, str) and v.startswith("https://"),
        "status": lambda v: isinstance(v, str) and (not field.values or v in field.values),
        "boolean": lambda v: isinstance(v, bool),
        "object": lambda v: isinstance(v, dict),
        "list": lambda v: isinstance(v, list),
        "id": lambda v: isinstance(v, str) and v != "",
        "text": lambda v: isinstance(v, str),
    }
    nullable = field.type == "timestamp" and (field.role == "deleted" or "restore" in field.id)
    return (value is None and nullable) or bool(checks[field.type](value))


def _expected_keys(service: Service) -> list[str]:
    keys = [f.keys[0] for f in service.fields]
    first_id = service.id_keys[0]
    return keys if first_id in service.key_index() else [first_id, *keys]


@pytest.mark.parametrize("service", CONTRACT.services, ids=lambda s: s.id)
def test_every_record_has_exactly_the_documented_keys_with_matching_types(
    clean: dict[str, list[dict[str, Any]]], service: Service
) -> None:
    records = clean[service.tables[0]]
    assert records
    expected = sorted(_expected_keys(service))
    for record in records:
        assert sorted(record) == expected
        for field in service.fields:
            assert _type_ok(field, record[field.keys[0]]), (field.id, record[field.keys[0]])
    ids = [r[service.id_keys[0]] for r in records]
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("service", CONTRACT.services, ids=lambda s: s.id)
def test_view_paths_hold_values_and_times_are_in_order(
    clean: dict[str, list[dict[str, Any]]], service: Service
) -> None:
    by_role = {f.role: f.keys[0] for f in service.fields if f.role}
    for record in clean[service.tables[0]]:
        for role, path in service.view.items():
            if role not in {"kind", "organization", "birthday", "rrule", "end"}:
                assert dig(record, path) is not None or role in {"note"}, (role, path)
        created, updated = (
            record.get(by_role.get("created", "")),
            record.get(by_role.get("updated", "")),
        )
        deleted = record.get(by_role.get("deleted", ""))
        if created and updated:
            assert created <= updated
        if created and deleted:
            assert created <= deleted
        if created:
            assert START_MS <= created < END_MS


def test_messages_and_calls_are_threads_with_the_contacts(
    clean: dict[str, list[dict[str, Any]]],
) -> None:
    view = CONTRACT.service("contacts").view  # type: ignore[union-attr]
    numbers = {p["value"] for c in clean[table_of("contacts")] for p in dig(c, view["phones"])}
    sms_view = CONTRACT.service("sms").view  # type: ignore[union-attr]
    threads: dict[str, set[int]] = {}
    for message in clean[table_of("sms")]:
        address = dig(message, sms_view["counterpart"])
        assert address in numbers or address in SERVICE_SENDERS
        assert dig(message, sms_view["direction"]) in {"inbox", "sent"}
        threads.setdefault(address, set()).add(dig(message, sms_view["thread"]))
    assert all(len(ids) == 1 for ids in threads.values())
    assert len([a for a in threads if a in numbers]) >= 10
    call_view = CONTRACT.service("call_log").view  # type: ignore[union-attr]
    for call in clean[table_of("call_log")]:
        assert dig(call, call_view["counterpart"]) in numbers
        direction, seconds = dig(call, call_view["direction"]), dig(call, call_view["duration"])
        assert direction in {"incoming", "outgoing", "missed"}
        assert seconds == 0 if direction == "missed" else seconds > 0


def test_phone_numbers_are_e164_and_names_are_international(
    clean: dict[str, list[dict[str, Any]]],
) -> None:
    view = CONTRACT.service("contacts").view  # type: ignore[union-attr]
    contacts = clean[table_of("contacts")]
    for contact in contacts:
        for phone in dig(contact, view["phones"]):
            assert phone["value"].startswith("+") and phone["value"][1:].isdigit()
            assert 8 <= len(phone["value"]) - 1 <= 15
        assert "@" in dig(contact, view["emails"])[0]["value"]
    names = "".join(dig(c, view["name"]) for c in contacts)
    assert any(ch in names for ch in "åäöÅÄÖ")
    assert any("\u4e00" <= ch <= "\u9fff" or "\u0600" <= ch <= "\u06ff" for ch in names)


def test_sms_follow_a_day_and_night_rhythm(clean: dict[str, list[dict[str, Any]]]) -> None:
    path = CONTRACT.service("sms").view["time"]  # type: ignore[union-attr]
    stockholm = dt.timezone(dt.timedelta(hours=1))
    hours = [
        dt.datetime.fromtimestamp(dig(m, path) / 1000, stockholm).hour
        for m in clean[table_of("sms")]
    ]
    night = sum(1 for h in hours if 1 <= h <= 5)
    evening = sum(1 for h in hours if 17 <= h <= 21)
    assert night * 5 < evening


def test_imeis_pass_luhn_across_two_or_three_devices(
    clean: dict[str, list[dict[str, Any]]],
) -> None:
    backups = clean[table_of("app_backup")]
    imeis = {b["imei"] for b in backups}
    assert 2 <= len(imeis) <= 3
    assert all(len(i) == 15 and luhn_valid(i) for i in imeis)
    assert not luhn_valid(next(iter(imeis))[:-1] + "x")
    assert all("." in b["packageName"] for b in backups)


def test_calendar_has_recurring_all_day_and_timed_events(
    clean: dict[str, list[dict[str, Any]]],
) -> None:
    view = CONTRACT.service("calendar").view  # type: ignore[union-attr]
    events = clean[table_of("calendar")]
    rules = [dig(e, view["rrule"]) for e in events]
    assert "FREQ=WEEKLY;BYDAY=MO" in rules
    assert {dig(e, view["timezone"]) for e in events} == {"Europe/Stockholm"}
    for event in events:
        start = dig(event, view["start"])
        if dig(event, view["all_day"]):
            assert dt.date.fromisoformat(start) < dt.date.fromisoformat(dig(event, view["end"]))
        else:
            assert dt.datetime.fromisoformat(start) < dt.datetime.fromisoformat(
                dig(event, view["end"])
            )


def test_notes_have_folders_and_history(clean: dict[str, list[dict[str, Any]]]) -> None:
    notes = clean[table_of("notes")]
    assert len({n["folderName"] for n in notes}) >= 3
    edited = [n for n in notes if n["history"]]
    assert edited and all(v["updateTime"] <= n["updateTime"] for n in edited for v in n["history"])


# --- encryption and the command line -----------------------------------------------------------


@pytest.mark.tools
def test_aes_sample_passes_7z_and_refuses_a_wrong_password(tmp_path: Path) -> None:
    out = tmp_path / "aes.zip"
    summary = write_sample(out, password="Rätt-lösen-1", records=300)
    assert summary.encryption == "aes-256"
    ok = subprocess.run(["7z", "t", "-pRätt-lösen-1", str(out)], capture_output=True, text=True)
    assert ok.returncode == 0 and "Everything is Ok" in ok.stdout
    assert (
        "AES-256"
        in subprocess.run(
            ["7z", "l", "-slt", "-pRätt-lösen-1", str(out)], capture_output=True, text=True
        ).stdout
    )
    bad = subprocess.run(["7z", "t", "-pwrong", str(out)], capture_output=True, text=True)
    assert bad.returncode != 0
    with pytest.raises(RuntimeError):
        entries(out, "wrong")


def test_cli_writes_a_private_file_and_prints_a_generated_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "new" / "sample.zip"
    assert main(["sample", "--out", str(out), "--records", "300"]) == 0
    printed = capsys.readouterr().out
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert stat.S_IMODE(out.parent.stat().st_mode) == 0o700
    password = next(line for line in printed.splitlines() if line.startswith("password: "))[10:]
    assert len(password) >= 24
    assert table_of("sms") in printed and "aes-256" in printed
    assert tables(out, password)[table_of("sms")]
    assert not list(tmp_path.glob("new/.*part"))


def test_cli_uses_the_password_file_and_prints_no_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "pw.txt"
    secret.write_text("from-file-ü\nignored\n", encoding="utf-8")
    out = tmp_path / "s.zip"
    assert (
        main(["sample", "--out", str(out), "--records", "300", "--password-file", str(secret)]) == 0
    )
    assert "password:" not in capsys.readouterr().out
    assert tables(out, "from-file-ü")


def test_cli_without_encryption_and_bad_defect_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "s.zip"
    assert main(["sample", "--out", str(out), "--records", "300", "--no-encryption"]) == 0
    assert "password" not in capsys.readouterr().out and tables(out)
    assert main(["sample", "--out", str(out), "--defect", "bad-type:sms"]) == 2
    assert "bad-type:sms" in capsys.readouterr().err


def test_help_documents_every_defect(capsys: pytest.CaptureFixture[str]) -> None:
    from viewer.sample.defects import DEFECTS

    with pytest.raises(SystemExit):
        main(["sample", "--help"])
    text = capsys.readouterr().out
    assert all(kind.name in text for kind in DEFECTS)


def test_writing_to_a_folder_is_an_error(tmp_path: Path) -> None:
    from viewer.errors import OutputError

    with pytest.raises(OutputError, match="folder"):
        write_sample(tmp_path, password=None)


# --- defects -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec",
    [
        "nonsense",
        "missing-service",
        "missing-service:",
        "missing-service:nope",
        "missing-field:sms",
        "missing-field:sms.nope",
        "bad-type:nope.content",
        "hostile-content:sms",
        "undocumented-table:sms",
        "undocumented-table:bad name",
        "undocumented-field:sms.content",
        "not-exportable:nope",
        "bad-timestamp:cloud_card",
        "invalid-json:nope",
    ],
)
def test_bad_defect_specs_are_usage_errors_naming_the_spec(spec: str) -> None:
    with pytest.raises(UsageError, match=spec.split(":")[0]) as caught:
        iter_tables(records=300, defects=[spec])
    assert spec in str(caught.value) and "\n" not in str(caught.value)


def test_missing_service_drops_the_table(tmp_path: Path) -> None:
    data = sample(tmp_path, "missing-service:notes")
    assert table_of("notes") not in data and table_of("sms") in data


def test_missing_and_partial_field(tmp_path: Path) -> None:
    data = sample(tmp_path, "missing-field:sms.creator", "partial-field:contacts.update_time")
    assert all("creator" not in r for r in data["sms"])
    contacts = data[table_of("contacts")]
    lacking = sum(1 for r in contacts if "updateTime" not in r)
    assert 0.4 <= lacking / len(contacts) <= 0.6


def test_bad_type_puts_the_wrong_json_type_in_some_records(tmp_path: Path) -> None:
    data = sample(tmp_path, "bad-type:notes.order", "bad-type:contacts.content")
    assert any(isinstance(r["order"], str) for r in data["notes"])
    assert any(isinstance(r["order"], int) for r in data["notes"])
    assert any(isinstance(r["content"], str) for r in data[table_of("contacts")])


def test_bad_timestamp_breaks_times_in_four_ways(tmp_path: Path) -> None:
    data = sample(tmp_path, "bad-timestamp:sms", "bad-timestamp:call_log")
    values = [r["updateTime"] for r in data["sms"]]
    assert any(isinstance(v, str) for v in values)
    numbers = [v for v in values if isinstance(v, int)]
    assert any(v < 946_684_800_000 for v in numbers)  # before 2000 (or seconds)
    assert any(v > END_MS * 2 for v in numbers)  # far in the future
    assert any(1_600_000_000 < v < 1_800_000_000 for v in numbers)  # seconds, not ms
    assert any(START_MS <= v < END_MS for v in numbers)  # and some left alone
    path = CONTRACT.service("call_log").view["time"]  # type: ignore[union-attr]
    assert any(isinstance(dig(r, path), str) for r in data[table_of("call_log")])


def test_duplicate_id_repeats_records(tmp_path: Path) -> None:
    records = sample(tmp_path, "duplicate-id:sms")["sms"]
    ids = [r["id"] for r in records]
    assert len(set(ids)) < len(ids)


def test_undocumented_table_and_field_and_not_exportable(tmp_path: Path) -> None:
    data = sample(
        tmp_path,
        "undocumented-table:wallpapers",
        "undocumented-field:notes.syncTag",
        "not-exportable:invoices_profile",
    )
    assert data["wallpapers"] and all("id" in r for r in data["wallpapers"])
    assert all("syncTag" in r for r in data["notes"])
    invoices = data["invoices"]
    assert invoices and all("invoiceId" in r for r in invoices)


def test_hostile_content_reaches_names_bodies_titles_and_urls(tmp_path: Path) -> None:
    data = sample(tmp_path, "hostile-content")
    text = json.dumps(data, ensure_ascii=False)
    for payload in (
        "<script>window.__pwned=1</script>",
        "onerror=",
        "javascript:alert(1)",
        "\u202e",
        "{{ 7*7 }}",
        "{% raw %}",
    ):
        assert payload in text
    contacts = CONTRACT.service("contacts").view  # type: ignore[union-attr]
    assert "<" in dig(data[table_of("contacts")][0], contacts["name"])
    assert "<" in dig(data["sms"][0], CONTRACT.service("sms").view["body"])  # type: ignore[union-attr]
    assert data["notes"][0]["content"]["title"] != sample(tmp_path)["notes"][0]["content"]["title"]
    assert data["recorder"][0]["url"].strip().lower().startswith(("javascript:", "data:", "https:"))
    assert any(len(s) >= 20_000 for s in text.split('"'))


def test_invalid_json_cuts_the_service_file(tmp_path: Path) -> None:
    out = tmp_path / "s.zip"
    summary = write_sample(out, password=None, records=300, defects=["invalid-json:notes"])
    files = entries(out)
    with pytest.raises(json.JSONDecodeError):
        json.loads(files[f"{ROOT}/notes.json"])
    assert json.loads(files[f"{ROOT}/sms.json"])["sms"]
    files[f"{ROOT}/notes.json"].decode("utf-8")  # cut at a character, still valid UTF-8
    assert summary.tables["notes"] >= 1


def test_invalid_json_in_single_file_layout_cuts_the_one_file(tmp_path: Path) -> None:
    out = tmp_path / "s.zip"
    write_sample(
        out, password=None, records=300, layout="single-file", defects=["invalid-json:sms"]
    )
    data = entries(out)[f"{ROOT}/{SINGLE_FILE}"]
    with pytest.raises(json.JSONDecodeError):
        json.loads(data)
    assert data.index(b'"notes":') < data.index(b'"sms":')  # the cut table comes last


def test_output_is_not_left_half_written_on_error(tmp_path: Path) -> None:
    out = tmp_path / "s.zip"
    with pytest.raises(UsageError):
        write_sample(out, password=None, layout="sideways")
    assert not out.exists() and os.listdir(tmp_path) == []
