"""Deliberate defects, as data: each spec turns into transforms over a table's record stream."""

from __future__ import annotations

import copy
import random
import re
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from verify.contract import Contract, Field, Service
from viewer.errors import UsageError
from viewer.sample import clock
from viewer.sample.shape import Record

RecordTransform = Callable[[Record, int], list[Record]]
"""Called with each record and its position; returns the records to write in its place."""
TableFactory = Callable[[random.Random], Iterator[Record]]

EXTRA_RECORDS = 25
LONG_TEXT = ("Långt värde å ä ö " + "x" * 82) * 200  # 20,000 characters
HOSTILE_TEXT = (
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=1">',
    '" onmouseover="window.__pwned=1" data-x="',
    "faktura_\u202egpj.exe",
    "{{ 7*7 }} {% raw %}{{ config }}{% endraw %}",
    LONG_TEXT,
    "<a href=\"javascript:alert(1)\" onclick='window.__pwned=1'>klicka</a>",
)
HOSTILE_URLS = (
    "javascript:alert(1)",
    " JaVaScRiPt:window.__pwned=1",
    "data:text/html,<script>window.__pwned=1</script>",
    "https://example.com/\u202eexe.txt",
)
HOSTILE_ROLES = frozenset({"name", "body", "title", "description", "location", "label", "folder"})
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")


@dataclass
class DefectPlan:
    """What the defects ask for: tables dropped or cut, record transforms, extra tables."""

    dropped: set[str] = field(default_factory=set)
    broken: set[str] = field(default_factory=set)
    transforms: dict[str, list[RecordTransform]] = field(default_factory=dict)
    extra: dict[str, TableFactory] = field(default_factory=dict)

    def add(self, service: Service, transform: RecordTransform) -> None:
        self.transforms.setdefault(service.id, []).append(transform)

    def apply(self, service_id: str, records: Iterator[Record]) -> Iterator[Record]:
        """Yield the records of a service with its transforms applied, in the order given."""
        transforms = self.transforms.get(service_id, [])
        if not transforms:
            yield from records
            return
        for index, record in enumerate(records):
            batch = [record]
            for transform in transforms:
                batch = [out for item in batch for out in transform(item, index)]
            yield from batch


# --- paths into records ------------------------------------------------------------------------


def _get(record: Record, path: list[str]) -> Any:
    value: Any = record
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def _set(record: Record, path: list[str], value: Any) -> None:
    target: Any = record
    for key in path[:-1]:
        target = target.get(key) if isinstance(target, dict) else None
    if isinstance(target, dict):
        target[path[-1]] = value


# --- the transforms ----------------------------------------------------------------------------

_WRONG: dict[str, Callable[[Any], Any]] = {
    "timestamp": lambda v: str(v),
    "integer": lambda v: str(v),
    "size": lambda v: f"{v} bytes",
    "boolean": lambda v: "yes" if v else "no",
    "object": lambda v: "[object Object]",
    "list": lambda v: {"0": v},
}


def _number(value: Any) -> Any:
    """Return a number: the wrong type where text, an id, a URL or a status belongs."""
    return 12345


def _missing(key: str, every: int) -> RecordTransform:
    def transform(record: Record, index: int) -> list[Record]:
        if index % every == every - 1:
            record.pop(key, None)
        return [record]

    return transform


def _bad_type(f: Field) -> RecordTransform:
    wrong = _WRONG.get(f.type, _number)

    def transform(record: Record, index: int) -> list[Record]:
        if index % 3 == 0 and f.keys[0] in record:
            record[f.keys[0]] = wrong(record[f.keys[0]])
        return [record]

    return transform


def _bad_timestamp(paths: list[list[str]]) -> RecordTransform:
    future = clock.day_start(clock.DAYS - 1) + 75 * 365 * clock.DAY_MS
    breakers: tuple[Callable[[Any], Any], ...] = (
        lambda v: "2024-13-45T25:61:00",  # unparseable
        lambda v: 631_152_000_000,  # 1990, before any smartphone export could hold it
        lambda v: future,  # 2100
        lambda v: v // 1000 if isinstance(v, int) else 1_700_000_000,  # seconds, not ms
    )

    def transform(record: Record, index: int) -> list[Record]:
        if index % 2 == 0:
            for path in paths:
                _set(record, path, breakers[(index // 2) % len(breakers)](_get(record, path)))
        return [record]

    return transform


def _duplicate(record: Record, index: int) -> list[Record]:
    return [record, copy.deepcopy(record)] if index % 10 == 0 else [record]


def _undocumented(key: str) -> RecordTransform:
    def transform(record: Record, index: int) -> list[Record]:
        record[key] = f"{(index * 2654435761) % 2**32:08x}"
        return [record]

    return transform


def _hostile_targets(service: Service) -> list[tuple[list[str], bool]]:
    """Return (path, is_url) of the service's texts a viewer shows: view roles and text fields."""
    paths = {
        path: role == "url"
        for role, path in service.view.items()
        if role in HOSTILE_ROLES | {"url"}
    }
    for f in service.fields:
        if f.type in {"text", "url"}:
            paths.setdefault(f.keys[0], f.type == "url")
    return [(path.split("."), is_url) for path, is_url in paths.items()]


def _hostile(service: Service) -> RecordTransform:
    targets = _hostile_targets(service)

    def transform(record: Record, index: int) -> list[Record]:
        if index % 25 == 0:
            for n, (path, is_url) in enumerate(targets):
                if isinstance(_get(record, path), str):
                    pool = HOSTILE_URLS if is_url else HOSTILE_TEXT
                    _set(record, path, pool[(index // 25 + n) % len(pool)])
        return [record]

    return transform


def _plausible_table(keys: tuple[str, ...], label: str) -> TableFactory:
    def records(rng: random.Random) -> Iterator[Record]:
        for index in range(EXTRA_RECORDS):
            created = clock.moment(rng)
            record: Record = {
                "id": f"{rng.getrandbits(56):014x}",
                "createTime": created,
                "updateTime": clock.later(rng, created, 30),
                "name": f"{label} {index + 1}",
                "status": "normal",
            }
            record.update({key: f"{key}-{rng.getrandbits(32):08x}" for key in keys})
            yield record

    return records


# --- the specs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What a spec's argument names, resolved against the contract."""

    spec: str
    text: str
    service: Service | None = None
    field: Field | None = None


def _service(contract: Contract, spec: str, text: str) -> Service:
    service = contract.service(text)
    if service is None:
        raise UsageError(f"--defect {spec}: no service {text!r} in the contract")
    return service


def _field(contract: Contract, spec: str, text: str) -> tuple[Service, Field]:
    service_id, _, field_id = text.partition(".")
    service = _service(contract, spec, service_id)
    found = service.field_by_id(field_id)
    if found is None:
        raise UsageError(f"--defect {spec}: service {service_id!r} has no field {field_id!r}")
    return service, found


def _timestamp_paths(service: Service, spec: str) -> list[list[str]]:
    paths = [[f.keys[0]] for f in service.fields if f.type == "timestamp"]
    if not paths and "time" in service.view:
        paths = [service.view["time"].split(".")]
    if not paths:
        raise UsageError(f"--defect {spec}: service {service.id!r} has no timestamps")
    return paths


def _new_table(
    plan: DefectPlan, contract: Contract, spec: str, name: str, factory: TableFactory
) -> None:
    if name.casefold() in {n.casefold() for n in plan.extra}:
        raise UsageError(f"--defect {spec}: table {name!r} is already added")
    plan.extra[name] = factory


def _undocumented_table(plan: DefectPlan, contract: Contract, spec: str, name: str) -> None:
    if not _NAME.match(name):
        raise UsageError(f"--defect {spec}: {name!r} is not a table name (letters, digits, _)")
    if contract.service_for_table(name) or contract.not_exportable_for_table(name):
        raise UsageError(f"--defect {spec}: {name!r} is a table the contract documents")
    _new_table(plan, contract, spec, name, _plausible_table((), name.replace("_", " ").title()))


def _not_exportable(plan: DefectPlan, contract: Contract, spec: str, category_id: str) -> None:
    category = next((c for c in contract.not_exportable if c.id == category_id), None)
    if category is None:
        known = ", ".join(c.id for c in contract.not_exportable)
        raise UsageError(f"--defect {spec}: no not-exportable category {category_id!r} ({known})")
    _new_table(
        plan, contract, spec, category.tables[0], _plausible_table(category.keys, category.name.en)
    )


def _new_key(contract: Contract, spec: str, text: str) -> tuple[Service, str]:
    service_id, _, key = text.partition(".")
    service = _service(contract, spec, service_id)
    if not _NAME.match(key):
        raise UsageError(f"--defect {spec}: {key!r} is not a key name (letters, digits, _)")
    if key in service.key_index() or key in service.id_keys:
        raise UsageError(f"--defect {spec}: {key!r} is a documented key of {service_id!r}")
    return service, key


Adder = Callable[[DefectPlan, Contract, str, str], None]


def _on_field(make: Callable[[Field], RecordTransform]) -> Adder:
    def add(plan: DefectPlan, contract: Contract, spec: str, text: str) -> None:
        service, found = _field(contract, spec, text)
        plan.add(service, make(found))

    return add


def _on_service(make: Callable[[Service, str], RecordTransform]) -> Adder:
    def add(plan: DefectPlan, contract: Contract, spec: str, text: str) -> None:
        service = _service(contract, spec, text)
        plan.add(service, make(service, spec))

    return add


def _drop(plan: DefectPlan, contract: Contract, spec: str, text: str) -> None:
    plan.dropped.add(_service(contract, spec, text).id)


def _break(plan: DefectPlan, contract: Contract, spec: str, text: str) -> None:
    plan.broken.add(_service(contract, spec, text).id)


def _extra_key(plan: DefectPlan, contract: Contract, spec: str, text: str) -> None:
    service, key = _new_key(contract, spec, text)
    plan.add(service, _undocumented(key))


def _everywhere(plan: DefectPlan, contract: Contract, spec: str, text: str) -> None:
    for service in contract.services:
        plan.add(service, _hostile(service))


@dataclass(frozen=True)
class DefectKind:
    """One kind of defect: its name, what its argument names, what it does."""

    name: str
    argument: str
    help: str
    add: Adder


DEFECTS: tuple[DefectKind, ...] = (
    DefectKind("missing-service", "SERVICE", "the service's table is absent", _drop),
    DefectKind(
        "missing-field",
        "SERVICE.FIELD",
        "the field's key is absent from every record",
        _on_field(lambda f: _missing(f.keys[0], 1)),
    ),
    DefectKind(
        "partial-field",
        "SERVICE.FIELD",
        "the field's key is absent from every second record",
        _on_field(lambda f: _missing(f.keys[0], 2)),
    ),
    DefectKind(
        "bad-type",
        "SERVICE.FIELD",
        "every third record has the wrong JSON type there",
        _on_field(_bad_type),
    ),
    DefectKind(
        "bad-timestamp",
        "SERVICE",
        "every second record has unparseable, pre-2000, future or seconds-not-ms timestamps",
        _on_service(lambda s, spec: _bad_timestamp(_timestamp_paths(s, spec))),
    ),
    DefectKind(
        "duplicate-id",
        "SERVICE",
        "every tenth record appears twice, with the same id",
        _on_service(lambda s, spec: _duplicate),
    ),
    DefectKind(
        "undocumented-table",
        "NAME",
        "an extra table NAME with plausible records",
        _undocumented_table,
    ),
    DefectKind("undocumented-field", "SERVICE.KEY", "an extra key KEY in every record", _extra_key),
    DefectKind(
        "not-exportable",
        "CATEGORY",
        "a table of a category documented as not exportable",
        _not_exportable,
    ),
    DefectKind(
        "hostile-content",
        "",
        "script tags, event handlers, javascript: URLs, bidi "
        "overrides, template syntax and very long strings in every 25th record",
        _everywhere,
    ),
    DefectKind(
        "invalid-json",
        "SERVICE",
        "the service's file (single-file layout: the one file) is cut off, so it is not valid JSON",
        _break,
    ),
)
_BY_NAME = {kind.name: kind for kind in DEFECTS}


def parse_defects(specs: list[str] | tuple[str, ...], contract: Contract) -> DefectPlan:
    """Turn defect specs into a plan, or raise UsageError naming the first bad spec."""
    plan = DefectPlan()
    for spec in specs:
        name, colon, text = spec.partition(":")
        kind = _BY_NAME.get(name)
        if kind is None:
            raise UsageError(f"--defect {spec}: unknown defect (one of {', '.join(_BY_NAME)})")
        if bool(kind.argument) != bool(colon) or (kind.argument and not text):
            usage = f"{name}:{kind.argument}" if kind.argument else name
            raise UsageError(f"--defect {spec}: malformed, expected {usage}")
        if "." in kind.argument and "." not in text:
            raise UsageError(f"--defect {spec}: malformed, expected {name}:{kind.argument}")
        kind.add(plan, contract, spec, text)
    return plan


def defects_help() -> str:
    """Return the --help text listing every defect spec."""
    lines = ["defects (--defect SPEC, repeatable; ids as in `export-viewer contract`):"]
    for kind in DEFECTS:
        usage = f"{kind.name}:{kind.argument}" if kind.argument else kind.name
        text = textwrap.wrap(kind.help, 64)
        lines.append(f"  {usage:<31} {text[0]}")
        lines.extend(f"  {'':<31} {more}" for more in text[1:])
    return "\n".join(lines)
