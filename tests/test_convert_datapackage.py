"""datapackage.json follows the Frictionless Data Package and Table Schema rules, checked offline.

`problems()` is a small validator of the rules that matter here, written from the v1 specs:
required properties, name patterns, safe relative paths, field types, and every CSV cell valid
for its field's type with the header equal to the field names. It returns findings, so a test
can show it catches a broken package too.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from verify.contract import load_contract
from viewer.convert import ConvertOptions, convert
from viewer.loader import load_export
from viewer.sample import write_sample
from viewer.store import Store

CONTRACT = load_contract()
NAME = re.compile(r"^[a-z0-9._-]+$")
TYPES = {"string", "number", "integer", "boolean", "object", "array", "date", "time",
         "datetime", "year", "yearmonth", "duration", "geopoint", "geojson", "any"}  # fmt: skip
TRUE, FALSE = {"true", "True", "TRUE", "1"}, {"false", "False", "FALSE", "0"}
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")  # the spec's default format
INTEGER = re.compile(r"^[+-]?\d+$")
NUMBER = re.compile(r"^([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|NaN|INF|-INF)$")


def cell_ok(kind: str, text: str) -> bool:
    """Whether a CSV cell is a valid value of a Table Schema type (default formats)."""
    if kind == "integer":
        return bool(INTEGER.match(text))
    if kind == "number":
        return bool(NUMBER.match(text))
    if kind == "boolean":
        return text in TRUE | FALSE
    if kind == "datetime":
        return bool(DATETIME.match(text))
    if kind in ("object", "array"):
        try:
            value = json.loads(text)
        except ValueError:
            return False
        return isinstance(value, dict if kind == "object" else list)
    return kind in ("string", "any")


def resource_problems(base: Path, resource: Any, where: str) -> Iterator[str]:
    path = resource.get("path")
    pure = PurePosixPath(path) if isinstance(path, str) else None
    if pure is None or pure.is_absolute() or ".." in pure.parts or "\\" in path or ":" in path:
        yield f"{where}: path must be a relative POSIX path inside the package"
        return
    schema = resource.get("schema")
    fields = schema.get("fields") if isinstance(schema, dict) else None
    if not isinstance(fields, list) or not fields:
        yield f"{where}: a tabular data resource needs schema.fields"
        return
    names = [f.get("name") if isinstance(f, dict) else None for f in fields]
    if not all(isinstance(n, str) and n for n in names) or len(set(names)) != len(names):
        yield f"{where}: every field needs a unique name"
    kinds = [f.get("type", "string") for f in fields]
    yield from (f"{where}: unknown type {k!r}" for k in kinds if k not in TYPES)
    missing = schema.get("missingValues", [""])
    if not isinstance(missing, list) or not all(isinstance(m, str) for m in missing):
        yield f"{where}: missingValues must be a list of strings"
        return
    encoding = resource.get("encoding", "utf-8")
    with open(base / path, encoding=encoding, newline="") as handle:
        rows = csv.reader(handle)
        if next(rows, None) != names:
            yield f"{where}: the CSV header is not the field names"
        for number, row in enumerate(rows, 2):
            if len(row) != len(names):
                yield f"{where}: row {number} has {len(row)} cells for {len(names)} fields"
                continue
            for name, kind, text in zip(names, kinds, row, strict=True):
                if text not in missing and not cell_ok(kind, text):
                    yield f"{where}: row {number} {name}: {text[:30]!r} is not {kind}"


def problems(descriptor_path: Path) -> list[str]:
    """Return what breaks the Data Package / Tabular Data Resource / Table Schema rules."""
    package = json.loads(descriptor_path.read_text("utf-8"))
    found: list[str] = []
    if "name" in package and not NAME.match(str(package["name"])):
        found.append("package name must be lower-case letters, digits, . _ -")
    resources = package.get("resources")
    if not isinstance(resources, list) or not resources:
        return [*found, "resources must be a non-empty list"]
    seen: set[str] = set()
    for index, resource in enumerate(resources):
        where = f"resources[{index}]"
        name = resource.get("name") if isinstance(resource, dict) else None
        if not isinstance(name, str) or not NAME.match(name) or name in seen:
            found.append(f"{where}: name must be unique, lower-case letters, digits, . _ -")
        seen.add(str(name))
        found.extend(resource_problems(descriptor_path.parent, resource, where))
    return found


@pytest.fixture(scope="module")
def sample_out(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Path]]:
    base = tmp_path_factory.mktemp("package")
    sample = write_sample(base / "export.zip", size="small", password="pw")
    result = load_export(sample.path, password=lambda _n: "pw", contract=CONTRACT)
    assert result.store is not None
    convert(result.store, CONTRACT, ["csv", "datapackage"], base / "out")
    yield result.store, base / "out"
    result.store.close()


def test_the_sample_package_is_valid_and_describes_every_csv_file(
    sample_out: tuple[Store, Path],
) -> None:
    store, out = sample_out
    assert problems(out / "datapackage.json") == []
    package = json.loads((out / "datapackage.json").read_text("utf-8"))
    assert package["profile"] == "tabular-data-package"
    assert [r["path"] for r in package["resources"]] == [
        f"csv/{t.name}.csv" for t in store.tables()
    ]
    sms = next(r for r in package["resources"] if r["name"] == "sms")
    types = {f["name"]: f["type"] for f in sms["schema"]["fields"]}
    assert types["content.address"] == types["content.body"] == "string"
    assert types["content.date"] == types["updateTime"] == "integer"
    assert types["content.date_iso"] == types["updateTime_iso"] == "datetime"
    assert types["content.read"] == "boolean" and "content" not in types
    contacts = next(r for r in package["resources"] if r["name"] == "contacts")
    kinds = {f["name"]: f["type"] for f in contacts["schema"]["fields"]}
    assert kinds["content.phoneNumbers"] == "array"


def test_the_validator_finds_a_broken_package(sample_out: tuple[Store, Path]) -> None:
    _store, out = sample_out
    package = json.loads((out / "datapackage.json").read_text("utf-8"))
    broken = out.parent / "broken"
    broken.mkdir(exist_ok=True)
    (broken / "t.csv").write_text("a,b\r\n1,{x}\r\n", "utf-8")
    resource = dict(package["resources"][0], name="Bad Name", path="t.csv")
    resource["schema"] = {"fields": [{"name": "a", "type": "integer"},
                                     {"name": "b", "type": "object"}]}  # fmt: skip
    escape = dict(resource, name="up", path="../t.csv")
    (broken / "datapackage.json").write_text(json.dumps({"resources": [resource, escape]}))
    assert problems(broken / "datapackage.json") == [
        "resources[0]: name must be unique, lower-case letters, digits, . _ -",
        "resources[0]: row 2 b: '{x}' is not object",
        "resources[1]: path must be a relative POSIX path inside the package",
    ]


def test_excel_keeps_the_package_exact_in_its_own_copies(tmp_path: Path) -> None:
    store = Store.open(contract=CONTRACT)
    entry = store.begin("export.json")
    entry.table("clipboard")
    texts = ['=HYPERLINK("x")', "-12.5", "+46 70", "@SUM(A1)", "plain"]
    for index, text in enumerate(texts):
        entry.add("clipboard", index, {"id": index, "text": text, "createTime": 1700000000000})
    entry.commit()
    out = tmp_path / "out"
    try:
        convert(store, CONTRACT, ["csv", "datapackage"], out, options=ConvertOptions(excel=True))
    finally:
        store.close()
    with open(out / "csv" / "clipboard.csv", encoding="utf-8-sig", newline="") as handle:
        spreadsheet = [row["text"] for row in csv.DictReader(handle)]
    assert spreadsheet == ['\'=HYPERLINK("x")', "-12.5", "'+46 70", "'@SUM(A1)", "plain"]
    assert problems(out / "datapackage.json") == []
    [resource] = json.loads((out / "datapackage.json").read_text("utf-8"))["resources"]
    assert resource["path"] == "datapackage/clipboard.csv" and resource["encoding"] == "utf-8"
    raw = (out / resource["path"]).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    with open(out / resource["path"], encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["text"] for row in rows] == texts
    assert {row["createTime_iso"] for row in rows} == {"2023-11-14T22:13:20Z"}
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    counted = {(t["format"], t["table"]): t["records_out"] for t in manifest["tables"]}
    assert counted == {("csv", "clipboard"): 5, ("datapackage", "clipboard"): 5}
