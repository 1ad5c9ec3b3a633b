"""Say where an archive's export date came from: its entries' dates or a file modification time.

The archive takes the newest date of the ZIP's JSON entries and falls back to the file's
modification time when none has a valid date; a folder or a single JSON file only has
modification times. A modification time may be when the file was copied, not when it was
exported, so the report says which one it shows.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Protocol

from viewer.archive import is_json_name

ENTRIES, MTIME = "entries", "mtime"


class DatedArchive(Protocol):
    """The archive facts needed here (see viewer.archive.ArchiveInfo)."""

    @property
    def path(self) -> Path: ...
    @property
    def kind(self) -> str: ...
    @property
    def export_date(self) -> dt.datetime | None: ...


def export_date_source(info: DatedArchive) -> str | None:
    """Return `entries` or `mtime` for the archive's export date, or None when unknown."""
    if info.export_date is None:
        return None
    if info.kind != "zip":
        return MTIME
    try:
        mtime = dt.datetime.fromtimestamp(info.path.stat().st_mtime)
    except (OSError, ValueError):
        return None
    if info.export_date != mtime:
        return ENTRIES
    # The same value both ways: only the central directory tells whether an entry had a date.
    return ENTRIES if _entries_have_dates(info.path) else MTIME


def _entries_have_dates(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
    except (OSError, zipfile.BadZipFile, ValueError, NotImplementedError):
        return False
    return any(is_json_name(m.filename) and not m.is_dir() and _valid(m) for m in members)


def _valid(member: zipfile.ZipInfo) -> bool:
    try:
        dt.datetime(*member.date_time)
    except (ValueError, TypeError):
        return False
    return True
