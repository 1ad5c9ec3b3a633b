"""Apply a user's mapping (observed table and key names -> documented ids) to a contract."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tomllib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from verify.contract import Contract, Service
from viewer.errors import ContractError


def _read(path: Path) -> Mapping[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
        raw = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except OSError as exc:
        raise ContractError(f"mapping {path}: cannot read: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise ContractError(f"mapping {path}: not valid TOML or JSON: {exc}") from exc
    if not isinstance(raw, dict):
        raise ContractError(f"mapping {path}: the top level must be a table")
    return raw


def _string_table(path: Path, raw: Any, where: str) -> dict[str, str]:
    if not isinstance(raw, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
    ):
        raise ContractError(f"mapping {path}: {where} must map names to ids (strings)")
    return dict(raw)


def apply_mapping(contract: Contract, path: Path | str) -> Contract:
    """Return the contract with the mapping's observed names put first among the candidates.

    The mapping file has `[tables]` (observed table -> service id) and `[fields.SERVICE]`
    (observed key -> field id). Unknown ids are an error naming the file and the entry.
    """
    mapping_path = Path(path)
    raw = _read(mapping_path)
    digest = hashlib.sha256(mapping_path.read_bytes()).hexdigest()
    tables = _string_table(mapping_path, raw.get("tables", {}), "[tables]")
    fields_raw = raw.get("fields", {})
    if not isinstance(fields_raw, Mapping):
        raise ContractError(f"mapping {mapping_path}: [fields] must be a table of services")
    services = {s.id: s for s in contract.services}
    mapped: dict[str, str] = dict(contract.mapped)
    extra_tables: dict[str, list[str]] = {}
    for observed, service_id in tables.items():
        if service_id not in services:
            raise ContractError(
                f"mapping {mapping_path}: table {observed!r} maps to unknown service {service_id!r}"
            )
        extra_tables.setdefault(service_id, []).append(observed)
        mapped[f"table:{observed}"] = service_id
    extra_keys: dict[str, dict[str, list[str]]] = {}
    for service_id, keys_raw in fields_raw.items():
        service = services.get(service_id)
        if service is None:
            raise ContractError(
                f"mapping {mapping_path}: [fields.{service_id}] is no known service"
            )
        keys = _string_table(mapping_path, keys_raw, f"[fields.{service_id}]")
        for observed, field_id in keys.items():
            if service.field_by_id(field_id) is None:
                raise ContractError(
                    f"mapping {mapping_path}: key {observed!r} maps to unknown field "
                    f"{service_id}.{field_id}"
                )
            extra_keys.setdefault(service_id, {}).setdefault(field_id, []).append(observed)
            mapped[f"field:{service_id}.{observed}"] = f"{service_id}.{field_id}"
    new_services = tuple(
        _extend(s, extra_tables.get(s.id, []), extra_keys.get(s.id, {})) for s in contract.services
    )
    return dataclasses.replace(
        contract, services=new_services, mapped=MappingProxyType(mapped), mapping_sha256=digest
    )


def _extend(service: Service, tables: list[str], keys: dict[str, list[str]]) -> Service:
    if not tables and not keys:
        return service
    fields = tuple(
        dataclasses.replace(
            f,
            keys=tuple(dict.fromkeys([*keys[f.id], *(k for k in f.keys if k not in keys[f.id])])),
        )
        if f.id in keys
        else f
        for f in service.fields
    )
    # A mapped key wins over the same key guessed for another field of the service.
    taken = {k for ks in keys.values() for k in ks}
    fields = tuple(
        dataclasses.replace(f, keys=tuple(k for k in f.keys if k not in taken))
        if f.id not in keys and taken & set(f.keys)
        else f
        for f in fields
    )
    return dataclasses.replace(
        service,
        tables=tuple(dict.fromkeys([*tables, *service.tables])),
        fields=fields,
        view=_mapped_view(service, keys),
    )


def _mapped_view(service: Service, keys: dict[str, list[str]]) -> Mapping[str, str]:
    """Return the service's view paths starting at the observed key of a mapped field.

    `content.address` becomes `msgBody.address` when msgBody is mapped to the content field: the
    values a view shows sit where the export puts that field.
    """
    renamed = {k: keys[f.id][0] for f in service.fields if f.id in keys for k in f.keys}
    view = {}
    for role, path in service.view.items():
        head, dot, rest = path.partition(".")
        view[role] = renamed[head] + dot + rest if role != "kind" and head in renamed else path
    return MappingProxyType(view)
