"""Write tables into a ZIP (AES-256 or plain) record by record, so memory stays bounded."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pyzipper

from viewer.errors import OutputError
from viewer.sample.clock import EXPORT_DATE
from viewer.sample.shape import Record

ROOT = "xiaomi_cloud_export"
SINGLE_FILE = "export.json"
LAYOUTS = ("per-service", "single-file")
_FLUSH_CHARS = 1 << 18
_ZIP64_RECORDS = 2_000_000  # beyond this a single entry may pass 2 GiB: write ZIP64 headers
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


@dataclass
class SampleTable:
    """One table to write: its name, its records (a one-shot stream), whether to cut its JSON."""

    name: str
    service_id: str | None
    records: Iterable[Record]
    broken: bool = False
    planned: int = 0


class _Entry:
    """Text written to one ZIP entry, encoded as UTF-8 in large chunks."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.parts: list[str] = []
        self.size = 0

    def write(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)
        if self.size >= _FLUSH_CHARS:
            self.flush()

    def flush(self) -> None:
        self.handle.write("".join(self.parts).encode("utf-8"))
        self.parts, self.size = [], 0


def _write_records(entry: _Entry, table: SampleTable) -> tuple[int, bool]:
    """Write `"name":[...]`; return the records written and whether the JSON was cut."""
    entry.write(f"{_encode(table.name)}:[")
    count, previous = 0, None
    for record in table.records:
        if previous is not None:
            entry.write(("," if count else "") + previous)
            count += 1
        previous = _encode(record)
    if table.broken:
        # Cut the last record in the middle (at a character, so the bytes stay valid UTF-8).
        entry.write(("," if count else "") + (previous or '{"')[: max(2, len(previous or "") // 2)])
        return count, True
    if previous is not None:
        entry.write(("," if count else "") + previous)
        count += 1
    entry.write("]")
    return count, False


def _zip_info(zf: Any, name: str) -> Any:
    info = zf.zipinfo_cls(name, date_time=EXPORT_DATE)
    info.compress_type = pyzipper.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    return info


def _write_entry(zf: Any, name: str, tables: list[SampleTable], counts: dict[str, int]) -> None:
    big = sum(t.planned for t in tables) > _ZIP64_RECORDS
    with zf.open(_zip_info(zf, name), "w", force_zip64=big) as handle:
        entry = _Entry(handle)
        entry.write("{")
        for n, table in enumerate(tables):
            entry.write("," if n else "")
            counts[table.name], cut = _write_records(entry, table)
            if cut:
                break
        else:
            entry.write("}")
        entry.flush()


def _entries(tables: list[SampleTable], layout: str) -> Iterator[tuple[str, list[SampleTable]]]:
    if layout == "per-service":
        for table in tables:
            yield f"{ROOT}/{table.name}.json", [table]
    else:
        # A cut table goes last, so that the tables before it are still whole.
        yield f"{ROOT}/{SINGLE_FILE}", sorted(tables, key=lambda t: t.broken)


def _open_private(path: Path) -> IO[bytes]:
    """Create (or truncate) a file readable by its owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "wb")


def write_zip(
    out: Path, tables: list[SampleTable], *, layout: str, password: str | None
) -> dict[str, int]:
    """Write the tables to `out` (via a private temporary file); return records per table."""
    if out.is_dir():
        raise OutputError(f"{out} is a folder: give a file name such as {out / 'export.zip'}")
    partial = out.with_name(f".{out.name}.{os.getpid()}.part")
    counts: dict[str, int] = {}
    try:
        out.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with _open_private(partial) as raw:
            options: dict[str, Any] = {"compression": pyzipper.ZIP_DEFLATED}
            if password is not None:
                options["encryption"] = pyzipper.WZ_AES
            with pyzipper.AESZipFile(raw, "w", **options) as zf:
                if password is not None:
                    zf.setpassword(password.encode("utf-8"))
                for name, group in _entries(tables, layout):
                    _write_entry(zf, name, group, counts)
        os.replace(partial, out)
    except OSError as exc:
        raise OutputError(f"cannot write {out}: {exc.strerror or exc}") from exc
    finally:
        partial.unlink(missing_ok=True)  # gone already when the sample was written
    return counts
