"""The site's URL scheme: every page's path relative to a language's root, and safe file names."""

from __future__ import annotations

import hashlib
import re

PAGE_SIZE = 50
# Up to this many records a table gets one page per record; beyond, a page per 50 records
# (the records of one table page) with an anchor per record, to keep the file count sensible.
SINGLE_RECORD_PAGES = 100
DATA_CHUNK = 2000  # records per JavaScript data file
_PLAIN = re.compile(r"[a-z0-9][a-z0-9_-]{0,59}")


def slug(name: str) -> str:
    """Return a file name for a table or person: the name itself when plain, else a hashed form."""
    if _PLAIN.fullmatch(name):
        return name
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    readable = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:30]
    return f"{readable}-{digest}" if readable else f"x-{digest}"


def base_for(path: str) -> str:
    """Return the relative prefix from a page at `path` back to the language root."""
    return "../" * path.count("/")


def service_page(service_id: str) -> str:
    return f"services/{slug(service_id)}.html"


def table_page(table: str, page: int = 1) -> str:
    """Return the path of a table's page (page 1 is the table's index)."""
    name = "index" if page <= 1 else f"page-{page}"
    return f"tables/{slug(table)}/{name}.html"


def page_count(records: int) -> int:
    return max(1, -(-records // PAGE_SIZE))


def bundled(records: int) -> bool:
    """Return whether a table's record pages are bundled by table page."""
    return records > SINGLE_RECORD_PAGES


def record_file(table: str, seq: int, records: int) -> str:
    """Return the file that holds a record's page."""
    if bundled(records):
        return f"tables/{slug(table)}/records/p{seq // PAGE_SIZE + 1}.html"
    return f"tables/{slug(table)}/records/{seq}.html"


def record_page(table: str, seq: int, records: int) -> str:
    """Return the link to one record (with its anchor when bundled)."""
    path = record_file(table, seq, records)
    return f"{path}#r{seq}" if bundled(records) else path


def record_shell(table: str) -> str:
    """Return the static site's one record page of a table (the record is named in the hash)."""
    return f"tables/{slug(table)}/record.html"


def data_file(table: str, chunk: int) -> str:
    """Return a table's data file, relative to the site's root (shared by the languages)."""
    return f"data/{slug(table)}-{chunk}.js"


def view_page(service_id: str, part: str = "index") -> str:
    return f"views/{slug(service_id)}/{part}.html"
