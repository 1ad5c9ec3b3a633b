"""Load a provider contract (TOML or JSON) into frozen, typed objects, validating it on the way."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from viewer.errors import ContractError

CONTRACTS_DIR = Path(__file__).resolve().parent / "contracts"
DEFAULT_CONTRACT = CONTRACTS_DIR / "xiaomi-cloud.toml"

LANGUAGES = ("en", "sv")
FIELD_TYPES = frozenset(
    {"text", "id", "timestamp", "integer", "size", "url", "status", "boolean", "object", "list"}
)
TIMESTAMP_FORMATS = frozenset({"epoch-ms", "epoch-s", "iso"})
ROLES = frozenset({"created", "updated", "deleted", "expires"})
KINDS = frozenset({"data", "metadata"})
VIEW_KINDS = frozenset(
    {"table", "conversations", "contacts", "calls", "notes", "agenda", "recordings", "backups"}
)
SWITCHING_KEYS = (
    "notice_period_max_months",
    "transition_period_days",
    "unfeasibility_notice_working_days",
    "alternative_transition_max_months",
    "retrieval_period_days",
    "download_link_valid_days",
)

ServiceKind = Literal["data", "metadata"]


@dataclass(frozen=True)
class Text:
    """A text in every supported language."""

    en: str
    sv: str

    def get(self, lang: str) -> str:
        """Return the text in `lang`, falling back to English."""
        return self.sv if lang == "sv" else self.en

    def as_dict(self) -> dict[str, str]:
        return {"en": self.en, "sv": self.sv}


@dataclass(frozen=True)
class Field:
    """One documented field of a service, with the JSON keys it may appear under."""

    id: str
    name: Text
    type: str
    keys: tuple[str, ...]
    format: str | None = None
    values: tuple[str, ...] = ()
    role: str | None = None


@dataclass(frozen=True)
class Service:
    """A service with exportable data, or a group of exportable metadata."""

    id: str
    kind: ServiceKind
    name: Text
    tables: tuple[str, ...]
    fields: tuple[Field, ...]
    id_keys: tuple[str, ...] = ()
    view: Mapping[str, str] = field(default_factory=dict)

    @property
    def view_kind(self) -> str:
        return self.view.get("kind", "table")

    def field_by_id(self, field_id: str) -> Field | None:
        return next((f for f in self.fields if f.id == field_id), None)

    def key_index(self) -> dict[str, Field]:
        """Map every candidate key to its field."""
        return {key: f for f in self.fields for key in f.keys}


@dataclass(frozen=True)
class NotExportable:
    """A category the provider documents as not exportable, and the names that would reveal it."""

    id: str
    name: Text
    tables: tuple[str, ...]
    keys: tuple[str, ...]


@dataclass(frozen=True)
class Contract:
    """A provider's documented export, as data."""

    path: Path
    sha256: str
    provider: str
    provider_name: Text
    version: str
    info: Mapping[str, Any]
    sources: Mapping[str, Text]
    switching: Mapping[str, Any]
    services: tuple[Service, ...]
    not_exportable: tuple[NotExportable, ...]
    mapped: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    mapping_sha256: str | None = None  # of the --mapping file applied, if any

    @property
    def data_services(self) -> tuple[Service, ...]:
        return tuple(s for s in self.services if s.kind == "data")

    @property
    def metadata_groups(self) -> tuple[Service, ...]:
        return tuple(s for s in self.services if s.kind == "metadata")

    def service(self, service_id: str) -> Service | None:
        return next((s for s in self.services if s.id == service_id), None)

    def service_for_table(self, table: str) -> Service | None:
        """Return the service whose candidate table names include `table` (case-insensitive)."""
        wanted = table.casefold()
        for service in self.services:
            if any(t.casefold() == wanted for t in service.tables):
                return service
        return None

    def not_exportable_for_table(self, table: str) -> NotExportable | None:
        wanted = table.casefold()
        for category in self.not_exportable:
            if any(t.casefold() == wanted for t in category.tables):
                return category
        return None


# Every key a contract may have, per level: anything else is a typo that would silently lose its
# meaning (a misspelt `role` or `id_keys`), so it is refused.
TOP_KEYS = frozenset({"provider", "sources", "switching", "services", "not_exportable"})
PROVIDER_KEYS = frozenset({"id", "name", "version", "guidance", "portal", "user_agreement",
                           "data_centre", "country", "format", "cost"})  # fmt: skip
SOURCES_KEYS = frozenset({"documented", "guessed"})
SERVICE_KEYS = frozenset({"id", "kind", "name", "tables", "id_keys", "view", "fields"})
FIELD_KEYS = frozenset({"id", "name", "type", "keys", "format", "values", "role"})
NOT_EXPORTABLE_KEYS = frozenset({"id", "name", "tables", "keys"})
VIEW_ROLES = frozenset({
    "kind", "name", "phones", "emails", "organization", "birthday", "note", "time", "counterpart",
    "body", "direction", "thread", "duration", "title", "folder", "history", "url", "type", "size",
    "device", "product", "package", "label", "version", "start", "end", "all_day", "timezone",
    "rrule", "location", "description", "reminder", "calendar", "read", "date_sent", "sim",
})  # fmt: skip
SWITCHING_DATES = frozenset({"data_act_applies", "switching_charges_end"})


def _frozen(value: Mapping[str, Any]) -> Mapping[str, Any]:
    """Return a read-only view of a mapping (nested mappings read-only too)."""
    return MappingProxyType(
        {k: _frozen(v) if isinstance(v, Mapping) else v for k, v in value.items()}
    )


class _Reader:
    """Validate one raw entry, naming the file and entry in every error."""

    def __init__(self, path: Path, where: str) -> None:
        self.path = path
        self.where = where

    def fail(self, problem: str) -> ContractError:
        return ContractError(f"contract {self.path}: {self.where}: {problem}")

    def known(self, raw: Mapping[str, Any], allowed: frozenset[str], what: str = "key") -> None:
        """Refuse keys outside `allowed`, naming them and what is allowed."""
        unknown = sorted(set(raw) - allowed)
        if unknown:
            raise self.fail(
                f"unknown {what} {', '.join(repr(k) for k in unknown)} "
                f"(known: {', '.join(sorted(allowed))})"
            )

    def table(self, raw: Any, key: str) -> Mapping[str, Any]:
        value = raw.get(key) if isinstance(raw, Mapping) else None
        if not isinstance(value, Mapping):
            raise self.fail(f"'{key}' must be a table")
        return value

    def string(self, raw: Mapping[str, Any], key: str, *, optional: bool = False) -> str:
        value = raw.get(key)
        if value is None and optional:
            return ""
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"'{key}' must be a non-empty string")
        return value

    def text(self, raw: Mapping[str, Any], key: str) -> Text:
        value = raw.get(key)
        if not isinstance(value, Mapping):
            raise self.fail(f"'{key}' must be a table with {', '.join(LANGUAGES)}")
        missing = [
            lang for lang in LANGUAGES if not isinstance(value.get(lang), str) or not value[lang]
        ]
        if missing:
            raise self.fail(f"'{key}' has no text in {', '.join(missing)}")
        return Text(en=value["en"], sv=value["sv"])

    def strings(
        self, raw: Mapping[str, Any], key: str, *, required: bool = True
    ) -> tuple[str, ...]:
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(f"'{key}' must be a list of non-empty strings")
        if required and not value:
            raise self.fail(f"'{key}' must not be empty")
        if len(set(value)) != len(value):
            raise self.fail(f"'{key}' lists a name twice")
        return tuple(value)

    def choice(self, raw: Mapping[str, Any], key: str, allowed: frozenset[str]) -> str:
        value = self.string(raw, key)
        if value not in allowed:
            raise self.fail(f"'{key}' is {value!r}, expected one of {', '.join(sorted(allowed))}")
        return value


def _parse_field(path: Path, service_id: str, raw: Any, index: int) -> Field:
    where = f"service {service_id!r}, field #{index + 1}"
    if isinstance(raw, Mapping) and isinstance(raw.get("id"), str):
        where = f"service {service_id!r}, field {raw['id']!r}"
    r = _Reader(path, where)
    if not isinstance(raw, Mapping):
        raise r.fail("must be a table")
    r.known(raw, FIELD_KEYS)
    ftype = r.choice(raw, "type", FIELD_TYPES)
    fmt = raw.get("format")
    if ftype == "timestamp":
        fmt = r.choice(raw, "format", TIMESTAMP_FORMATS)
    elif fmt is not None:
        raise r.fail("'format' is only for timestamps")
    role = raw.get("role")
    if role is not None:
        role = r.choice(raw, "role", ROLES)
    values = r.strings(raw, "values", required=False)
    if values and ftype != "status":
        raise r.fail("'values' is only for status fields")
    return Field(
        id=r.string(raw, "id"),
        name=r.text(raw, "name"),
        type=ftype,
        keys=r.strings(raw, "keys"),
        format=fmt,
        values=values,
        role=role,
    )


def _parse_service(path: Path, raw: Any, index: int) -> Service:
    where = f"service #{index + 1}"
    if isinstance(raw, Mapping) and isinstance(raw.get("id"), str):
        where = f"service {raw['id']!r}"
    r = _Reader(path, where)
    if not isinstance(raw, Mapping):
        raise r.fail("must be a table")
    r.known(raw, SERVICE_KEYS)
    service_id = r.string(raw, "id")
    raw_fields = raw.get("fields")
    if not isinstance(raw_fields, list) or not raw_fields:
        raise r.fail("'fields' must be a non-empty list")
    fields = tuple(_parse_field(path, service_id, f, i) for i, f in enumerate(raw_fields))
    _check_unique(r, "field id", [f.id for f in fields])
    _check_unique(r, "field key", [k for f in fields for k in f.keys])
    view = raw.get("view", {"kind": "table"})
    if not isinstance(view, Mapping) or not all(isinstance(v, str) for v in view.values()):
        raise r.fail("'view' must be a table of strings")
    if view.get("kind", "table") not in VIEW_KINDS:
        raise r.fail(f"view kind {view.get('kind')!r} is unknown")
    r.known(view, VIEW_ROLES, "view role")
    return Service(
        id=service_id,
        kind=r.choice(raw, "kind", KINDS),  # type: ignore[arg-type]
        name=r.text(raw, "name"),
        tables=r.strings(raw, "tables"),
        fields=fields,
        id_keys=r.strings(raw, "id_keys", required=False),
        view=_frozen(view),
    )


def _parse_not_exportable(path: Path, raw: Any, index: int) -> NotExportable:
    where = f"not_exportable #{index + 1}"
    if isinstance(raw, Mapping) and isinstance(raw.get("id"), str):
        where = f"not_exportable {raw['id']!r}"
    r = _Reader(path, where)
    if not isinstance(raw, Mapping):
        raise r.fail("must be a table")
    r.known(raw, NOT_EXPORTABLE_KEYS)
    return NotExportable(
        id=r.string(raw, "id"),
        name=r.text(raw, "name"),
        tables=r.strings(raw, "tables"),
        keys=r.strings(raw, "keys", required=False),
    )


def _check_unique(r: _Reader, what: str, names: Sequence[str]) -> None:
    seen: set[str] = set()
    for name in names:
        folded = name.casefold() if what.endswith("table") else name
        if folded in seen:
            raise r.fail(f"{what} {name!r} appears twice")
        seen.add(folded)


def _parse_switching(path: Path, raw: Mapping[str, Any]) -> Mapping[str, Any]:
    r = _Reader(path, "switching")
    switching = dict(r.table(raw, "switching"))
    r.known(switching, frozenset(SWITCHING_KEYS) | SWITCHING_DATES)
    for key in SWITCHING_KEYS:
        value = switching.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise r.fail(f"'{key}' must be a positive integer")
    for key, value in switching.items():
        if isinstance(value, dt.date):
            switching[key] = value.isoformat()
    return _frozen(switching)


def _read_raw(path: Path) -> tuple[dict[str, Any], bytes]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ContractError(f"contract {path}: cannot read: {exc.strerror or exc}") from exc
    try:
        if path.suffix.lower() == ".json":
            raw = json.loads(data.decode("utf-8"))
        else:
            raw = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise ContractError(
            f"contract {path}: not valid {path.suffix[1:] or 'TOML'}: {exc}"
        ) from exc
    if not isinstance(raw, dict):
        raise ContractError(f"contract {path}: the top level must be a table")
    return raw, data


def parse_contract(raw: Mapping[str, Any], path: Path, sha256: str) -> Contract:
    """Validate a contract's raw data and return it as frozen objects."""
    _Reader(path, "top level").known(raw, TOP_KEYS)
    top = _Reader(path, "provider")
    provider = top.table(raw, "provider")
    top.known(provider, PROVIDER_KEYS)
    services_raw = raw.get("services")
    if not isinstance(services_raw, list) or not services_raw:
        raise ContractError(f"contract {path}: 'services' must be a non-empty list")
    services = tuple(_parse_service(path, s, i) for i, s in enumerate(services_raw))
    categories_raw = raw.get("not_exportable", [])
    if not isinstance(categories_raw, list):
        raise ContractError(f"contract {path}: 'not_exportable' must be a list")
    categories = tuple(_parse_not_exportable(path, c, i) for i, c in enumerate(categories_raw))
    whole = _Reader(path, "contract")
    _check_unique(whole, "service id", [s.id for s in services])
    _check_unique(whole, "table", [t for s in services for t in s.tables])
    _check_unique(whole, "not_exportable id", [c.id for c in categories])
    sources_r = _Reader(path, "sources")
    sources_raw = sources_r.table(raw, "sources")
    sources_r.known(sources_raw, SOURCES_KEYS)
    info = {k: v for k, v in provider.items() if k not in {"id", "name", "version"}}
    return Contract(
        path=path,
        sha256=sha256,
        provider=top.string(provider, "id"),
        provider_name=top.text(provider, "name"),
        version=str(provider.get("version") or top.string(provider, "version")),
        info=_frozen(info),
        sources=_frozen(
            {key: sources_r.text(sources_raw, key) for key in ("documented", "guessed")}
        ),
        switching=_parse_switching(path, raw),
        services=services,
        not_exportable=categories,
    )


def load_contract(path: Path | str | None = None) -> Contract:
    """Load and validate a contract file (the Xiaomi Cloud contract by default)."""
    contract_path = Path(path) if path is not None else DEFAULT_CONTRACT
    raw, data = _read_raw(contract_path)
    return parse_contract(raw, contract_path, hashlib.sha256(data).hexdigest())
