"""The ledger of one conversion: files written, records in and out per table, skips and changes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from viewer import __version__
from viewer.convert.files import open_text
from viewer.errors import ExportViewerError

MANIFEST_VERSION = 1
MANIFEST_NAME = "manifest.json"
README_NAME = "README.md"


class ConversionLossError(ExportViewerError):
    """A converter accounted for more or fewer records than a table holds (a bug, never silent)."""


@dataclass(frozen=True)
class Issue:
    """A record that was skipped, or converted with a change, and why."""

    format: str
    table: str
    seq: int
    file: str
    index: int
    reason: str


@dataclass
class Tally:
    """Records of one table through one format: every record is written or skipped."""

    format: str
    table: str
    records_in: int
    records_out: int = 0
    skipped: list[Issue] = field(default_factory=list)
    changed: list[Issue] = field(default_factory=list)

    def wrote(self, count: int = 1) -> None:
        """Count records written."""
        self.records_out += count

    def skip(self, seq: int, file: str, index: int, reason: str) -> None:
        """List a record that could not be converted."""
        self.skipped.append(Issue(self.format, self.table, seq, file, index, reason))

    def change(self, seq: int, file: str, index: int, reason: str) -> None:
        """List a record written with a change (e.g. characters the format cannot hold)."""
        self.changed.append(Issue(self.format, self.table, seq, file, index, reason))

    def check(self) -> None:
        """Raise unless records in == records out + records skipped."""
        accounted = self.records_out + len(self.skipped)
        if accounted != self.records_in:
            raise ConversionLossError(
                f"{self.format}: table {self.table!r} has {self.records_in} records but "
                f"{self.records_out} were written and {len(self.skipped)} skipped"
            )


@dataclass(frozen=True)
class OutFile:
    """One written file."""

    path: str
    format: str
    bytes: int
    sha256: str


@dataclass
class Manifest:
    """Everything one conversion wrote and accounted for."""

    out_dir: Path
    formats: list[str]
    source: dict[str, Any] = field(default_factory=dict)
    tallies: list[Tally] = field(default_factory=list)
    files: list[OutFile] = field(default_factory=list)

    def tally(self, fmt: str, table: str, records_in: int) -> Tally:
        """Start counting one table through one format."""
        tally = Tally(fmt, table, records_in)
        self.tallies.append(tally)
        return tally

    def add_file(self, path: Path, fmt: str) -> None:
        """Record a written file with its size and sha256."""
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        rel = path.relative_to(self.out_dir).as_posix()
        self.files.append(OutFile(rel, fmt, path.stat().st_size, digest.hexdigest()))

    @property
    def skipped(self) -> list[Issue]:
        return [issue for t in self.tallies for issue in t.skipped]

    @property
    def changed(self) -> list[Issue]:
        return [issue for t in self.tallies for issue in t.changed]

    def as_dict(self) -> dict[str, Any]:
        """Return the manifest as JSON-ready data."""
        return {
            "manifest_version": MANIFEST_VERSION,
            "tool": {"name": "export-viewer", "version": __version__},
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "source": self.source,
            "formats": self.formats,
            "tables": [
                {
                    "format": t.format,
                    "table": t.table,
                    "records_in": t.records_in,
                    "records_out": t.records_out,
                    "skipped": len(t.skipped),
                    "changed": len(t.changed),
                }
                for t in self.tallies
            ],
            "files": [asdict(f) for f in self.files],
            "skipped": [asdict(i) for i in self.skipped],
            "changed": [asdict(i) for i in self.changed],
        }


def write_manifest(manifest: Manifest) -> None:
    """Write manifest.json and README.md into the output folder."""
    with open_text(manifest.out_dir / MANIFEST_NAME) as handle:
        json.dump(manifest.as_dict(), handle, ensure_ascii=False, indent=2)
        handle.write("\n")
    with open_text(manifest.out_dir / README_NAME) as handle:
        handle.write(readme(manifest))


_ABOUT = {
    "vcard": "contacts as vCard, for any phone or address book",
    "ics": "calendar events as iCalendar (RFC 5545), with time zones and recurrence",
    "sms-xml": "SMS and call log in the XML of the Android app SMS Backup & Restore, and as CSV",
    "markdown": "notes as Markdown, one folder per note folder, dates in the front matter",
    "csv": "every table as CSV (UTF-8), nested objects as dotted columns (`content.address`), "
    "lists as JSON text, epoch times also as ISO 8601 UTC (`*_iso`)",
    "jsonl": "every table as JSON Lines, one record per line, as exported",
    "sqlite": "the whole export as one SQLite database (open it with Datasette or sqlite3), "
    "the same columns as the CSV files plus each record as exported in `_json`",
    "datapackage": "a Frictionless datapackage.json describing the CSV files (with --excel, "
    "plain copies in `datapackage/`, as the spreadsheet CSV files are changed)",
}


def readme(manifest: Manifest) -> str:
    """Return the short README for the output folder."""
    skipped, changed = len(manifest.skipped), len(manifest.changed)
    formats = "\n".join(f"- `{fmt}`: {_ABOUT.get(fmt, fmt)}" for fmt in manifest.formats)
    return (
        "# Converted export\n\n"
        f"Made on this computer by export-viewer {__version__}. "
        "It holds personal data: keep it private.\n\n"
        f"## Formats\n\n{formats}\n\n"
        "## Completeness\n\n"
        "`manifest.json` lists every file with its size and SHA-256, and per table and format "
        f"the records read and written. {skipped} record(s) could not be converted and {changed} "
        "were converted with a change; each is listed there with the reason.\n"
    )
