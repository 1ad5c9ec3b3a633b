"""Notes -> Markdown: a file per note, a folder per note folder, YAML front matter with dates."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

from verify.contract import Service
from viewer.convert.context import Context, field_value, get_path
from viewer.convert.files import open_text, private_dir, safe_name
from viewer.convert.schema import iso_utc
from viewer.timeparse import to_epoch_ms

FORMAT = "markdown"
NO_FOLDER = "No folder"


def convert_markdown(ctx: Context) -> None:
    """Write every notes table as a folder tree of Markdown files."""
    for info, service in ctx.tables("notes"):
        assert service is not None
        root = private_dir(ctx.file_name(ctx.out / FORMAT, info.name, ""))
        folders: dict[str, Path] = {}
        folder_names: set[str] = set()
        files: dict[Path, set[str]] = {}
        for record, tally in ctx.records(info, FORMAT):
            raw_folder = _text(get_path(record.data, service.view.get("folder"))) or NO_FOLDER
            if raw_folder not in folders:
                folders[raw_folder] = root / safe_name(raw_folder, folder_names, fallback="folder")
            folder = private_dir(folders[raw_folder])
            title = note_title(service, record.data, record.seq)
            name = safe_name(title, files.setdefault(folder, set()), fallback="note")
            path = folder / f"{name}.md"
            with open_text(path, newline="\n") as handle:
                handle.write(note_markdown(service, record.data, title, raw_folder))
            _touch(path, field_value(service, record.data, "update_time"))
            tally.wrote()
            ctx.done(path, FORMAT)


def _raw(value: Any) -> str:
    """Return a value as text exactly (a note's spaces and blank lines are its Markdown)."""
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _text(value: Any) -> str:
    return _raw(value).strip()


def note_title(service: Service, data: Mapping[str, Any], seq: int) -> str:
    """Return the note's title, else its first line, else "Note <seq>"."""
    title = _text(get_path(data, service.view.get("title")))
    if title:
        return title.splitlines()[0]
    body = _text(get_path(data, service.view.get("body")))
    first = next((line.strip("# ") for line in body.splitlines() if line.strip("# ")), "")
    return first[:60] or f"Note {seq + 1}"


def _iso(value: Any, service: Service, field_id: str) -> str | None:
    documented = service.field_by_id(field_id)
    ms = to_epoch_ms(value, documented.format if documented else None)
    return iso_utc(ms) if ms is not None else None


def front_matter(service: Service, data: Mapping[str, Any], title: str, folder: str) -> str:
    """Return the YAML front matter block (every value quoted as the YAML library sees fit)."""
    meta: dict[str, Any] = {"title": title, "folder": folder}
    for key, field_id in (("created", "create_time"), ("updated", "update_time")):
        when = _iso(field_value(service, data, field_id), service, field_id)
        if when:
            meta[key] = when
    for key in ("status", "type"):
        value = field_value(service, data, key)
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            meta[key] = value
    ids = [data.get(k) for k in service.id_keys if isinstance(data.get(k), str | int)]
    if ids:
        meta["id"] = str(ids[0])
    dumped = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{dumped}---\n\n"


def note_markdown(service: Service, data: Mapping[str, Any], title: str, folder: str) -> str:
    """Return one note as Markdown: front matter, body, then its earlier versions."""
    body = _raw(get_path(data, service.view.get("body")))
    parts = [front_matter(service, data, title, folder), body.rstrip("\n"), "\n"]
    history = get_path(data, service.view.get("history"))
    if isinstance(history, list) and history:
        parts.append("\n---\n\n## Earlier versions\n")
        for number, version in enumerate(history, 1):
            parts.append(_version(number, version, service))
    return "".join(parts)


def _version(number: int, version: Any, service: Service) -> str:
    if not isinstance(version, Mapping):
        return f"\n### Version {number}\n\n{_raw(version)}\n"
    when = _iso(field_value(service, version, "update_time"), service, "update_time")
    text = version.get("body", version.get("content"))
    body = _raw(text) if text is not None else _raw(dict(version))
    return f"\n### Version {number}{f' ({when})' if when else ''}\n\n{body}\n"


def _touch(path: Path, updated: Any) -> None:
    """Give the file the note's update time, as note apps sort by it."""
    ms = to_epoch_ms(updated)
    if ms is not None and 0 <= ms < 2**41:
        os.utime(path, (ms / 1000, ms / 1000))
