"""Contacts -> vCard 3.0 (default) or 4.0 with vobject: one file, or one per contact."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import vobject

from verify.contract import Service
from viewer.convert.context import Context, field_value, get_path
from viewer.convert.files import open_text, private_dir, safe_name, xml_clean
from viewer.convert.manifest import Tally

if TYPE_CHECKING:
    from viewer.store import Record, TableInfo

FORMAT = "vcard"
# Export phone/e-mail types -> vCard TYPE values both 3.0 and 4.0 importers know.
_TYPES = {"mobile": "cell", "cell": "cell", "home": "home", "work": "work", "fax": "fax",
          "pager": "pager", "main": "voice", "other": "voice"}  # fmt: skip
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


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
    _add_name(card, get_path(data, view.get("name")), data, view, cleaner)
    if not name:
        card.fn.value = cleaner(phones[0][1] if phones else emails[0][1])
    for kind, number in phones:
        _add_typed(card, "tel", _tel(cleaner(number), version), kind, version)
    for kind, address in emails:
        _add_typed(card, "email", cleaner(address), kind, version)
    _add_extras(card, service, data, version, cleaner)
    return card, cleaner.changed


class _Cleaner:
    """Replace characters importers choke on; remember whether any were."""

    changed = False

    def __call__(self, text: str) -> str:
        cleaned, changed = xml_clean(text)
        self.changed = self.changed or changed
        return cleaned


def _add_name(card: Any, name: Any, data: Mapping[str, Any], view: Any, clean: _Cleaner) -> None:
    # Given and family names sit beside the display name (content.givenName...), when present.
    parent = view.get("name", "").rpartition(".")[0]
    content = get_path(data, parent) if parent else data
    content = content if isinstance(content, Mapping) else {}
    given, family = _text(content.get("givenName")), _text(content.get("familyName"))
    card.add("n").value = vobject.vcard.Name(family=clean(family), given=clean(given))
    card.add("fn").value = clean(_text(name) or f"{given} {family}".strip())


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
) -> None:
    """Add organization, birthday, note and the record's status when the record holds them."""
    org = _text(get_path(data, service.view.get("organization")))
    if org:
        card.add("org").value = [clean(org)]
    birthday = _text(get_path(data, service.view.get("birthday")))
    match = _DATE.match(birthday)
    if match:
        card.add("bday").value = "".join(match.groups()) if version == "4.0" else match.group(0)
    note = _text(get_path(data, service.view.get("note")))
    if note:
        card.add("note").value = clean(note)
    status = _text(field_value(service, data, "status"))
    if status:
        card.add("x-export-status").value = clean(status)
