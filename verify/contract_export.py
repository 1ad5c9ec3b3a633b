"""Render a contract for machines (JSON) and for the guide (Markdown tables)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from verify.contract import Contract, Field, Service

_HEADINGS = {
    "en": {
        "service": "Service",
        "group": "Group",
        "fields": "Documented fields",
        "field": "Field",
        "type": "Type",
        "keys": "Expected JSON keys (our guess)",
        "tables": "Expected table names (our guess)",
        "category": "Category",
        "reveal": "Names that would reveal it",
        "data": "Services with exportable data",
        "metadata": "Exportable key metadata",
        "not_exportable": "Not exportable",
        "period": "Period",
        "length": "Length",
        "what": "What the provider must do",
    },
    "sv": {
        "service": "Tjänst",
        "group": "Grupp",
        "fields": "Dokumenterade fält",
        "field": "Fält",
        "type": "Typ",
        "keys": "Förväntade JSON-nycklar (vår gissning)",
        "tables": "Förväntade tabellnamn (vår gissning)",
        "category": "Kategori",
        "reveal": "Namn som skulle avslöja den",
        "data": "Tjänster med exporterbara data",
        "metadata": "Exporterbar nyckelmetadata",
        "not_exportable": "Kan inte exporteras",
        "period": "Period",
        "length": "Längd",
        "what": "Vad leverantören ska göra",
    },
}


def _field_json(f: Field) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": f.id,
        "name": f.name.as_dict(),
        "type": f.type,
        "keys": list(f.keys),
    }
    if f.format:
        out["format"] = f.format
    if f.values:
        out["values"] = list(f.values)
    if f.role:
        out["role"] = f.role
    return out


def _service_json(s: Service) -> dict[str, Any]:
    return {
        "id": s.id,
        "kind": s.kind,
        "name": s.name.as_dict(),
        "tables": list(s.tables),
        "id_keys": list(s.id_keys),
        "view": dict(s.view),
        "fields": [_field_json(f) for f in s.fields],
    }


def contract_as_json(contract: Contract) -> dict[str, Any]:
    """Return the contract as a JSON-ready dict (stable key order)."""
    return {
        "provider": contract.provider,
        "name": contract.provider_name.as_dict(),
        "version": contract.version,
        "sha256": contract.sha256,
        "info": {
            k: (dict(v) if isinstance(v, Mapping) else v) for k, v in sorted(contract.info.items())
        },
        "sources": {k: v.as_dict() for k, v in contract.sources.items()},
        "switching": dict(contract.switching),
        "services": [_service_json(s) for s in contract.services],
        "not_exportable": [
            {"id": c.id, "name": c.name.as_dict(), "tables": list(c.tables), "keys": list(c.keys)}
            for c in contract.not_exportable
        ],
        "mapped": dict(contract.mapped),
    }


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code_list(names: tuple[str, ...]) -> str:
    return ", ".join(f"`{_cell(n)}`" for n in names)


def services_markdown(contract: Contract, lang: str, kind: str) -> str:
    """Return a table of the services (kind `data`) or metadata groups (`metadata`) and fields."""
    h = _HEADINGS[lang]
    first = h["service"] if kind == "data" else h["group"]
    rows = [f"| {first} | {h['fields']} | {h['tables']} |", "|---|---|---|"]
    for s in contract.services:
        if s.kind != kind:
            continue
        names = "; ".join(_cell(f.name.get(lang)) for f in s.fields)
        rows.append(f"| **{_cell(s.name.get(lang))}** | {names} | {_code_list(s.tables)} |")
    return "\n".join(rows) + "\n"


def fields_markdown(service: Service, lang: str) -> str:
    """Return one service's fields with type and candidate keys."""
    h = _HEADINGS[lang]
    rows = [f"| {h['field']} | {h['type']} | {h['keys']} |", "|---|---|---|"]
    for f in service.fields:
        ftype = f"{f.type} ({f.format})" if f.format else f.type
        rows.append(f"| {_cell(f.name.get(lang))} | `{ftype}` | {_code_list(f.keys)} |")
    return "\n".join(rows) + "\n"


def not_exportable_markdown(contract: Contract, lang: str) -> str:
    """Return the table of categories that are documented as not exportable."""
    h = _HEADINGS[lang]
    rows = [f"| {h['category']} | {h['reveal']} |", "|---|---|"]
    for c in contract.not_exportable:
        rows.append(f"| {_cell(c.name.get(lang))} | {_code_list(c.tables + c.keys)} |")
    return "\n".join(rows) + "\n"


def contract_as_markdown(contract: Contract, lang: str = "en") -> str:
    """Return every table the guide uses, with headings, as one Markdown document."""
    h = _HEADINGS[lang]
    parts = [f"# {contract.provider_name.get(lang)} ({contract.version})\n"]
    parts += [f"## {h['data']}\n", services_markdown(contract, lang, "data")]
    parts += [f"## {h['metadata']}\n", services_markdown(contract, lang, "metadata")]
    for s in contract.services:
        parts += [f"### {s.name.get(lang)}\n", fields_markdown(s, lang)]
    parts += [f"## {h['not_exportable']}\n", not_exportable_markdown(contract, lang)]
    return "\n".join(parts)


def service_sections_markdown(contract: Contract, lang: str, kind: str) -> str:
    """Return one section per service (or metadata group) with the service id as its anchor."""
    h = _HEADINGS[lang]
    parts: list[str] = []
    for s in contract.services:
        if s.kind != kind:
            continue
        parts.append(f"### {s.name.get(lang)} {{ #{s.id} }}\n")
        parts.append(f"*{h['tables']}:* {_code_list(s.tables)}\n")
        parts.append(fields_markdown(s, lang))
    return "\n".join(parts)


def not_exportable_sections_markdown(contract: Contract, lang: str) -> str:
    """Return one section per not-exportable category, anchored `not-exportable-<id>`."""
    h = _HEADINGS[lang]
    parts: list[str] = []
    for c in contract.not_exportable:
        parts.append(f"### {c.name.get(lang)} {{ #not-exportable-{c.id} }}\n")
        parts.append(f"*{h['reveal']}:* {_code_list(c.tables + c.keys)}\n")
    return "\n".join(parts)


# (contract key, unit, label en, label sv, duty en, duty sv)
_SWITCHING_ROWS = (
    ("notice_period_max_months", "months", "Notice period", "Uppsägningstid",
     "at most this long after your request; the provider prepares the move",
     "högst så lång efter din begäran; leverantören förbereder flytten"),
    ("transition_period_days", "days", "Transition period", "Övergångsperiod",
     "complete the switch, counted from the end of the notice period",
     "slutföra bytet, räknat från uppsägningstidens slut"),
    ("unfeasibility_notice_working_days", "working days", "Notice of unfeasibility",
     "Besked om att det inte går",
     "tell you, counted from your request, if the switch cannot be done in time, and why",
     "meddela dig, räknat från din begäran, om bytet inte går att göra i tid, och varför"),
    ("alternative_transition_max_months", "months", "Alternative transition, at most",
     "Alternativ övergångsperiod, högst",
     "the longest replacement for the transition period",
     "den längsta ersättningen för övergångsperioden"),
    ("retrieval_period_days", "days", "Data retrieval period", "Period för att hämta data",
     "keep your data available, counted from the end of the transition",
     "hålla dina data tillgängliga, räknat från övergångsperiodens slut"),
    ("download_link_valid_days", "days", "Download link", "Nedladdningslänk",
     "the link to your copy works this long", "länken till din kopia fungerar så länge"),
)  # fmt: skip
_UNITS = {
    "en": {"months": "months", "days": "days", "working days": "working days"},
    "sv": {"months": "månader", "days": "dagar", "working days": "arbetsdagar"},
}


def switching_markdown(contract: Contract, lang: str) -> str:
    """Return the table of switching periods, with the numbers taken from the contract."""
    h = _HEADINGS[lang]
    rows = [f"| {h['period']} | {h['length']} | {h['what']} |", "|---|---|---|"]
    for key, unit, label_en, label_sv, duty_en, duty_sv in _SWITCHING_ROWS:
        label, duty = (label_sv, duty_sv) if lang == "sv" else (label_en, duty_en)
        amount = contract.switching[key]
        rows.append(f"| {label} | **{amount} {_UNITS[lang][unit]}** | {duty} |")
    return "\n".join(rows) + "\n"
