"""Contacts -> vCard 3.0 (default) or 4.0 with vobject: one file, or one per contact.

Names, numbers, e-mail addresses, organization, birthday and note become the standard
properties, the record id UID and its update time REV. Every other value the contact holds
(creation time, starred, account type, status, keys we do not know) becomes an X-EXPORT-<PATH>
property with the value as exported (JSON for lists and objects), so nothing is dropped:
`content.starred` is X-EXPORT-CONTENT-STARRED, `createTime` X-EXPORT-CREATETIME.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import vobject

from verify.contract import Service
from viewer.convert.context import Context, get_path
from viewer.convert.files import open_text, private_dir, safe_name, xml_clean
from viewer.convert.manifest import Tally
from viewer.timeparse import ms_to_datetime, to_epoch_ms

if TYPE_CHECKING:
    from viewer.store import Record, TableInfo

FORMAT = "vcard"
# Export phone/e-mail types -> vCard TYPE values both 3.0 and 4.0 importers know.
_TYPES = {"mobile": "cell", "cell": "cell", "home": "home", "work": "work", "fax": "fax",
          "pager": "pager", "main": "voice", "other": "voice"}  # fmt: skip
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ENTRY_KEYS = frozenset({"type", "value", "number"})
_NOT_NAME = re.compile(r"[^A-Za-z0-9]+")
KeyPath = tuple[str, ...]


def convert_vcard(ctx: Context) -> None:
    """Write every contacts table as vCard."""
    for info, service in ctx.tables("contacts"):
        assert service is not None  # tables("contacts") only returns tables of that view kind
        folder = private_dir(ctx.out / FORMAT)
        if ctx.options.split:
            _write_split(ctx, info, service, private_dir(ctx.file_name(folder, info.name, "")))
            continue
        path = ctx.file_name(folder, info.name, ".vcf")
        with open_text(path, newline="") as handle:
            for record, tally in ctx.records(info, FORMAT):
                card = _card(ctx, service, record, tally)
                if card is not None:
                    handle.write(card.serialize())
        ctx.done(path, FORMAT)


def _write_split(ctx: Context, info: TableInfo, service: Service, folder: Path) -> None:
    taken: set[str] = set()
    for record, tally in ctx.records(info, FORMAT):
        card = _card(ctx, service, record, tally)
        if card is None:
            continue
        path = folder / f"{safe_name(card.fn.value, taken, fallback='contact')}.vcf"
        with open_text(path, newline="") as handle:
            handle.write(card.serialize())
        ctx.done(path, FORMAT)


def _card(ctx: Context, service: Service, rec: Record, tally: Tally) -> Any:
    """Return one contact's card (counted as written), or None (listed as skipped)."""
    card, changed = build_card(service, rec.data, ctx.options.vcard_version)
    if card is None:
        tally.skip(rec.seq, rec.file, rec.index, "no name, phone number or e-mail address")
        return None
    if changed:
        tally.change(rec.seq, rec.file, rec.index, "control characters replaced by U+FFFD")
    tally.wrote()
    return card


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else "" if value is None else str(value)


def _entries(value: Any) -> list[tuple[str, str]]:
    """Return (type, value) pairs from [{type, value}], ["..."] or a single string."""
    items = value if isinstance(value, list) else [value] if value else []
    pairs = []
    for item in items:
        if isinstance(item, Mapping):
            text, kind = _text(item.get("value") or item.get("number")), _text(item.get("type"))
        else:
            text, kind = _text(item), ""
        if text:
            pairs.append((_TYPES.get(kind.lower(), ""), text))
    return pairs


def _entries_exact(value: Any) -> bool:
    """Whether TEL/EMAIL lines carry every part of these entries (else the list is kept too)."""
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, Mapping):
            kind = item.get("type")
            if set(item) - _ENTRY_KEYS or (kind and str(kind).lower() not in _TYPES):
                return False
            if not _text(item.get("value") or item.get("number")):
                return False
        elif not isinstance(item, str) or not item.strip():
            return False
    return True


def _path(role_path: str | None) -> KeyPath:
    return tuple(role_path.split(".")) if role_path else ()


def build_card(service: Service, data: Mapping[str, Any], version: str) -> tuple[Any, bool]:
    """Return (vobject vCard or None if the record holds nothing to call, changed?)."""
    view = service.view
    phones = _entries(get_path(data, view.get("phones")))
    emails = _entries(get_path(data, view.get("emails")))
    name = _text(get_path(data, view.get("name")))
    if not (name or phones or emails):
        return None, False
    card = vobject.vCard()
    card.add("version").value = version
    cleaner = _Cleaner()
    used = _add_name(card, data, view, cleaner)
    if not name:
        card.fn.value = cleaner(phones[0][1] if phones else emails[0][1])
    for kind, number in phones:
        _add_typed(card, "tel", _tel(cleaner(number), version), kind, version)
    for kind, address in emails:
        _add_typed(card, "email", cleaner(address), kind, version)
    for role in ("phones", "emails"):
        if _entries_exact(get_path(data, view.get(role))):
            used.add(_path(view.get(role)))
    used |= _add_extras(card, service, data, version, cleaner)
    used |= _add_identity(card, service, data, version)
    _add_rest(card, data, used, _path(view.get("name"))[:-1], cleaner)
    return card, cleaner.changed


class _Cleaner:
    """Replace characters importers choke on; remember whether any were."""

    changed = False

    def __call__(self, text: str) -> str:
        cleaned, changed = xml_clean(text)
        self.changed = self.changed or changed
        return cleaned


def _add_name(card: Any, data: Mapping[str, Any], view: Any, clean: _Cleaner) -> set[KeyPath]:
    """Add N and FN; return the paths they show."""
    # Given and family names sit beside the display name (content.givenName...), when present.
    name_path = _path(view.get("name"))
    parent = name_path[:-1]
    content = get_path(data, ".".join(parent)) if parent else data
    content = content if isinstance(content, Mapping) else {}
    given, family = _text(content.get("givenName")), _text(content.get("familyName"))
    card.add("n").value = vobject.vcard.Name(family=clean(family), given=clean(given))
    name = get_path(data, view.get("name"))
    card.add("fn").value = clean(_text(name) or f"{given} {family}".strip())
    shown = {
        (*parent, key) for key in ("givenName", "familyName") if isinstance(content.get(key), str)
    }
    return shown | ({name_path} if isinstance(name, str) else set())


def _tel(number: str, version: str) -> str:
    return f"tel:{re.sub(r'[^0-9+*#A-Za-z]', '', number) or number}" if version == "4.0" else number


def _add_typed(card: Any, name: str, value: str, kind: str, version: str) -> None:
    line = card.add(name)
    line.value = value
    if kind:
        line.type_param = kind
    if name == "tel" and version == "4.0":
        line.params["VALUE"] = ["uri"]


def _add_extras(
    card: Any, service: Service, data: Mapping[str, Any], version: str, clean: _Cleaner
) -> set[KeyPath]:
    """Add organization, birthday and note when the record holds them; return their paths."""
    used: set[KeyPath] = set()
    view = service.view
    org = get_path(data, view.get("organization"))
    if isinstance(org, str) and org.strip():
        card.add("org").value = [clean(org.strip())]
        used.add(_path(view.get("organization")))
    birthday = get_path(data, view.get("birthday"))
    match = _DATE.match(birthday.strip()) if isinstance(birthday, str) else None
    if match:
        card.add("bday").value = "".join(match.groups()) if version == "4.0" else match.group(0)
        used.add(_path(view.get("birthday")))
    note = get_path(data, view.get("note"))
    if isinstance(note, str) and note.strip():
        card.add("note").value = clean(note)
        used.add(_path(view.get("note")))
    return used


def _add_identity(
    card: Any, service: Service, data: Mapping[str, Any], version: str
) -> set[KeyPath]:
    """Add UID from the record id and REV from its update time; return the keys they show."""
    used: set[KeyPath] = set()
    key = next((k for k in service.id_keys if isinstance(data.get(k), str | int)), None)
    if key is not None and not isinstance(data[key], bool) and str(data[key]).strip():
        uid = card.add("uid")
        uid.value = str(data[key]).strip()
        if version == "4.0":
            uid.params["VALUE"] = ["text"]  # 4.0 expects a URI unless told otherwise
        used.add((key,))
    updated = service.field_by_id("update_time")
    for key in updated.keys if updated else ():
        value = data.get(key)
        ms = to_epoch_ms(value, updated.format if updated else None) if value is not None else None
        moment = ms_to_datetime(ms) if ms is not None else None
        if moment is not None and isinstance(value, int) and not isinstance(value, bool):
            card.add("rev").value = moment.strftime("%Y%m%dT%H%M%SZ")
            used.add((key,))
            break
    return used


def _add_rest(
    card: Any, data: Mapping[str, Any], used: set[KeyPath], content: KeyPath, clean: _Cleaner
) -> None:
    """Add every value no standard property shows as X-EXPORT-<PATH>, exactly as exported."""
    for key, value in data.items():
        path = (str(key),)
        if path == content and isinstance(value, Mapping):
            for inner, item in value.items():
                _add_x(card, (*path, str(inner)), item, used, clean)
        else:
            _add_x(card, path, value, used, clean)


def _add_x(card: Any, path: KeyPath, value: Any, used: set[KeyPath], clean: _Cleaner) -> None:
    if path in used or value is None or value in ("", [], {}):
        return
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    else:
        text = str(value)
    parts = [_NOT_NAME.sub("-", part).strip("-").upper() or "KEY" for part in path]
    card.add("x-export-" + "-".join(parts)).value = clean(text)
