"""Open an export (ZIP, extracted folder or one .json file) safely and stream its JSON entries."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import os
import struct
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import pyzipper

from viewer.errors import ArchiveError, LimitExceededError, WrongPasswordError
from viewer.limits import Limits
from viewer.options import PasswordSource

METHODS = {0: "stored", 8: "deflated"}
METHOD_NAMES = {1: "shrunk", 6: "imploded", 9: "deflate64", 12: "bzip2", 14: "lzma", 93: "zstd"}
METHOD_NAMES |= {95: "xz", 96: "jpeg", 97: "wavpack", 98: "ppmd", 99: "aes (unknown inner method)"}
AES_BITS = {1: "aes-128", 2: "aes-192", 3: "aes-256"}
LOCAL_HEADER = struct.Struct("<4s22xHH")
S_IFMT, S_IFLNK = 0o170000, 0o120000
JUNK_PREFIXES = ("__MACOSX/",)
# What pyzipper raises on data it cannot read: each is turned into one line at this boundary.
READ_ERRORS = (
    pyzipper.BadZipFile, OSError, EOFError, RuntimeError, zlib.error, KeyError, ValueError,
    struct.error,
)  # fmt: skip


@dataclass(frozen=True)
class ArchiveInfo:
    """Facts about the export as downloaded, for reports."""

    path: Path
    name: str
    kind: str  # "zip" | "folder" | "json"
    size: int
    sha256: str
    encryption: str  # "aes-256" | "aes-192" | "aes-128" | "zipcrypto" | "none" | "mixed"
    entries: int
    uncompressed: int
    export_date: dt.datetime | None
    export_date_source: str | None = None  # "entries" (the ZIP's dates) or "mtime" (the file's)


@dataclass(frozen=True)
class Entry:
    """One JSON entry of the export, checked but not yet read."""

    name: str
    size: int  # declared uncompressed bytes
    compressed: int
    encryption: str
    date: dt.datetime | None
    member: Any = None  # the pyzipper ZipInfo, for ZIPs


def show(name: str) -> str:
    """Return an entry name safe to print on one line (names are untrusted)."""
    text = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in name)
    return text if len(text) <= 200 else text[:200] + "..."


def human(size: int) -> str:
    """Return a byte count as a short human size."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"


def is_json_name(name: str) -> bool:
    """Return whether an entry holds a table file (skipping macOS resource-fork junk)."""
    base = name.rsplit("/", 1)[-1]
    return (
        name.lower().endswith(".json")
        and not base.startswith("._")
        and not name.startswith(JUNK_PREFIXES)
    )


class Archive:
    """An opened export: its checked JSON entries and a way to stream each one."""

    def __init__(self, path: Path, kind: str, entries: list[Entry], limits: Limits) -> None:
        self.path = path
        self.name = path.name
        self.kind = kind
        self.entries = entries
        self.limits = limits
        self.zip: Any = None
        self.read_total = 0

    @property
    def total(self) -> int:
        """Return the declared uncompressed bytes of all JSON entries."""
        return sum(e.size for e in self.entries)

    def info(self) -> ArchiveInfo:
        """Return the archive facts (hashes the file once)."""
        date, source = _export_date(self.path, self.entries)
        return ArchiveInfo(
            path=self.path,
            name=self.name,
            kind=self.kind,
            size=_size_of(self.path, self.entries, self.kind),
            sha256=_sha256(self.path) if self.kind != "folder" else hashlib.sha256().hexdigest(),
            encryption=_encryption(self.entries),
            entries=len(self.entries),
            uncompressed=self.total,
            export_date=date,
            export_date_source=source,
        )

    def chunks(self, entry: Entry) -> Generator[bytes, None, None]:
        """Yield an entry's bytes in fixed-size chunks; the last one is yielded after its check."""
        try:
            with self._open(entry) as stream:
                yield from self._counted(entry, stream)
        except READ_ERRORS as exc:  # NotImplementedError is a RuntimeError
            raise self._failure(entry, exc) from exc

    def _open(self, entry: Entry) -> BinaryIO:
        if self.kind == "zip":
            stream: BinaryIO = self.zip.open(entry.member)
            return stream
        base = self.path if self.kind == "folder" else self.path.parent
        return open(base / entry.name, "rb")

    def _counted(self, entry: Entry, stream: BinaryIO) -> Iterator[bytes]:
        read = 0
        while chunk := stream.read(self.limits.chunk):
            read += len(chunk)
            self.read_total += len(chunk)
            if read > entry.size:
                raise LimitExceededError(
                    f"{self.name}: entry {show(entry.name)} holds more data than it declares"
                )
            if self.read_total > self.limits.max_total:
                raise LimitExceededError(
                    f"{self.name}: more than {human(self.limits.max_total)} of data read, "
                    "the cap (see --max-size)"
                )
            yield chunk
        if read < entry.size:
            raise ArchiveError(
                f"{self.name}: truncated or damaged archive (entry {show(entry.name)} ends early)"
            )

    def _failure(self, entry: Entry, exc: BaseException) -> ArchiveError:
        text = str(exc)
        if isinstance(exc, NotImplementedError):
            return ArchiveError(
                f"{self.name}: entry {show(entry.name)} uses a ZIP feature that is not supported "
                f"({show(text)})"
            )
        if isinstance(exc, RuntimeError) and "password" in text.lower():
            return WrongPasswordError(f"wrong password for {self.name}")
        if isinstance(exc, EOFError) or "truncated" in text.lower():
            return ArchiveError(
                f"{self.name}: truncated or damaged archive (entry {show(entry.name)} ends early)"
            )
        if entry.encryption != "none" and isinstance(exc, zlib.error | pyzipper.BadZipFile):
            # A wrong password can pass the check byte and fail only here; so can damage. The
            # message is the same as for a wrong password at open (the README says why).
            return WrongPasswordError(f"wrong password for {self.name}")
        if isinstance(exc, OSError) and not isinstance(exc, pyzipper.BadZipFile):
            return ArchiveError(f"{self.name}: cannot read {show(entry.name)}: {exc.strerror}")
        return ArchiveError(f"{self.name}: entry {show(entry.name)} is damaged ({_reason(exc)})")

    def close(self) -> None:
        """Close the underlying ZIP file."""
        if self.zip is not None:
            self.zip.close()
            self.zip = None

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _reason(exc: BaseException) -> str:
    text = str(exc)
    if isinstance(exc, zlib.error):
        return "invalid compressed data"
    for needle, reason in (
        ("CRC", "CRC mismatch"),
        ("HMAC", "HMAC mismatch"),
        ("magic number", "bad local header"),
        ("differ", "local header names another file"),
    ):
        if needle in text:
            return reason
    return type(exc).__name__


def open_archive(path: Path, *, password: PasswordSource, limits: Limits | None = None) -> Archive:
    """Open and check an export; ask for the password only if it is encrypted."""
    limits = limits or Limits()
    path = Path(path)
    if not path.exists():
        raise ArchiveError(f"{path}: no such file or folder")
    if path.is_dir():
        return _open_folder(path, limits)
    if not path.is_file():  # a FIFO or a device would block the first read, or never end
        raise ArchiveError(f"{path.name}: not a regular file or folder")
    if path.suffix.lower() == ".json":
        entry = _file_entry(path, path.name)
        _check_total(path.name, [entry], limits)
        return Archive(path, "json", [entry], limits)
    return _open_zip(path, password, limits)


def _file_entry(path: Path, name: str) -> Entry:
    stat = path.stat()
    mtime = dt.datetime.fromtimestamp(stat.st_mtime)
    return Entry(name, stat.st_size, stat.st_size, "none", mtime)


def _open_folder(path: Path, limits: Limits) -> Archive:
    entries: list[Entry] = []
    for root, dirs, files in os.walk(path, followlinks=False):
        dirs.sort()
        for file in sorted(files):
            full = Path(root) / file
            name = full.relative_to(path).as_posix()
            if is_json_name(name) and not full.is_symlink() and full.is_file():
                entries.append(_file_entry(full, name))
            if len(entries) > limits.max_entries:
                raise LimitExceededError(
                    f"{path.name}: more than {limits.max_entries} entries, the cap (see --max-size)"
                )
    if not entries:
        raise ArchiveError(f"{path.name}: no .json file found in the folder")
    _check_total(path.name, entries, limits)
    return Archive(path, "folder", entries, limits)


def _open_zip(path: Path, password: PasswordSource, limits: Limits) -> Archive:
    zf = _zipfile(path)
    try:
        members = zf.infolist()
        _check_directory(path, zf, members, limits)
        entries = [_zip_entry(m) for m in members if not m.is_dir() and is_json_name(m.filename)]
        if not entries:
            raise ArchiveError(f"{path.name}: no .json entry found")
        _check_total(path.name, entries, limits)
        _check_ratio(path.name, entries, limits)
        archive = Archive(path, "zip", entries, limits)
        archive.zip = zf
        _unlock(archive, password)
    except BaseException:
        zf.close()
        raise
    return archive


def _zipfile(path: Path) -> Any:
    try:
        return pyzipper.AESZipFile(path)
    except (pyzipper.BadZipFile, EOFError, ValueError, struct.error, OverflowError) as exc:
        with open(path, "rb") as handle:
            magic = handle.read(4)
        if magic == b"PK\x03\x04":
            raise ArchiveError(
                f"{path.name}: truncated or damaged ZIP archive (no readable central directory)"
            ) from exc
        raise ArchiveError(f"{path.name}: not a ZIP archive") from exc
    except NotImplementedError as exc:  # "zip file version 25.5": past what zipfile reads
        raise ArchiveError(
            f"{path.name}: an entry needs a ZIP version this tool cannot read ({show(str(exc))})"
        ) from exc
    except OSError as exc:
        raise ArchiveError(f"{path.name}: cannot read: {exc.strerror or exc}") from exc


def _zip_entry(member: Any) -> Entry:
    try:
        date: dt.datetime | None = dt.datetime(*member.date_time)
    except (ValueError, TypeError):
        date = None
    if not member.flag_bits & 0x1:
        encryption = "none"
    elif member.wz_aes_version is not None:
        encryption = AES_BITS.get(member.wz_aes_strength, "aes")
    else:
        encryption = "zipcrypto"
    return Entry(member.filename, member.file_size, member.compress_size, encryption, date, member)


def _check_directory(path: Path, zf: Any, members: list[Any], limits: Limits) -> None:
    if len(members) > limits.max_entries:
        raise LimitExceededError(
            f"{path.name}: {len(members)} entries exceed the cap of {limits.max_entries} "
            "(see --max-size)"
        )
    seen: set[str] = set()
    for member in members:
        _check_member(path.name, member, seen)
    _check_overlap(path, zf, members)


def _check_member(archive: str, member: Any, seen: set[str]) -> None:
    name = member.filename
    where = f"{archive}: entry {show(name)}"
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")):
        raise ArchiveError(f"{where} has an absolute path")
    if len(name) > 1 and name[1] == ":" and name[0].isalpha():
        raise ArchiveError(f"{where} has a drive letter")
    if ".." in parts:
        raise ArchiveError(f"{where} points outside the archive (..)")
    if member.create_system == 3 and (member.external_attr >> 16) & S_IFMT == S_IFLNK:
        raise ArchiveError(f"{where} is a symbolic link")
    if member.flag_bits & 0x40:
        raise ArchiveError(f"{where} uses PKWARE strong encryption, which is not supported")
    if member.wz_aes_version is not None and member.wz_aes_strength not in AES_BITS:
        raise ArchiveError(
            f"{where} declares AES strength {member.wz_aes_strength}, which does not exist"
        )
    if member.compress_type not in METHODS:
        method = METHOD_NAMES.get(member.compress_type, "unknown")
        raise ArchiveError(
            f"{where} uses compression method {member.compress_type} ({method}); "
            "only stored and deflated are supported"
        )
    key = "/".join(p for p in parts if p not in ("", "."))
    if key in seen:
        raise ArchiveError(f"{where} appears twice")
    seen.add(key)


def _check_overlap(path: Path, zf: Any, members: list[Any]) -> None:
    """Reject entries whose data overlap (the overlapping-file zip bomb) or lie past the end."""
    end_of_data = zf.start_dir
    spans: list[tuple[int, int, str]] = []
    renamed: list[str] = []  # said after the overlaps: two entries on one header is a bomb first
    with open(path, "rb") as handle:
        for member in members:
            if not 0 <= member.header_offset < end_of_data:
                raise ArchiveError(
                    f"{path.name}: truncated or damaged ZIP archive "
                    f"(entry {show(member.filename)} starts outside the data)"
                )
            handle.seek(member.header_offset)
            raw = handle.read(LOCAL_HEADER.size)
            if len(raw) < LOCAL_HEADER.size:
                raise ArchiveError(f"{path.name}: truncated or damaged ZIP archive")
            magic, name_len, extra_len = LOCAL_HEADER.unpack(raw)
            if magic != b"PK\x03\x04":
                raise ArchiveError(
                    f"{path.name}: entry {show(member.filename)} has no local header "
                    "where the directory says (damaged or crafted)"
                )
            if handle.read(name_len) != _directory_name(member):
                renamed.append(member.filename)
            start = member.header_offset
            end = start + LOCAL_HEADER.size + name_len + extra_len + member.compress_size
            spans.append((start, end, member.filename))
    spans.sort()
    for (_, end, name), (start, _, other) in itertools.pairwise(spans):
        if start < end:
            raise ArchiveError(
                f"{path.name}: entry {show(other)} overlaps entry {show(name)} (a zip bomb?)"
            )
    if spans and spans[-1][1] > end_of_data:
        raise ArchiveError(
            f"{path.name}: truncated or damaged ZIP archive "
            f"(entry {show(spans[-1][2])} runs into the central directory)"
        )
    if renamed:
        raise ArchiveError(
            f"{path.name}: entry {show(renamed[0])} has a local header that names another file "
            "(damaged or crafted)"
        )


def _directory_name(member: Any) -> bytes:
    """Return an entry's name as the central directory stores it (UTF-8 flag, else CP437)."""
    name: str = member.orig_filename
    try:
        return name.encode("utf-8" if member.flag_bits & 0x800 else "cp437")
    except UnicodeEncodeError:  # decoded from CP437 with Python's fallback: compare as UTF-8
        return name.encode("utf-8", "surrogateescape")


def _check_total(archive: str, entries: list[Entry], limits: Limits) -> None:
    total = sum(e.size for e in entries)
    if total > limits.max_total:
        raise LimitExceededError(
            f"{archive}: declared size {human(total)} exceeds the cap of "
            f"{human(limits.max_total)} (see --max-size)"
        )


def _check_ratio(archive: str, entries: list[Entry], limits: Limits) -> None:
    for entry in entries:
        if entry.size > limits.ratio_floor:
            ratio = entry.size / max(entry.compressed, 1)
            if ratio > limits.max_ratio:
                raise LimitExceededError(
                    f"{archive}: entry {show(entry.name)} expands {ratio:.0f} times, "
                    f"above the cap of {limits.max_ratio} (a zip bomb? see --max-size)"
                )


def _unlock(archive: Archive, password: PasswordSource) -> None:
    """Ask for the password if needed and check it on the first encrypted entry."""
    encrypted = [e for e in archive.entries if e.encryption != "none"]
    if not encrypted:
        return
    secret = password(archive.name)
    archive.zip.setpassword(secret.encode("utf-8"))
    try:
        archive.zip.open(encrypted[0].member).close()
    except READ_ERRORS as exc:  # a bad password, or what the directory check cannot see
        raise archive._failure(encrypted[0], exc) from exc


def _encryption(entries: list[Entry]) -> str:
    kinds = {e.encryption for e in entries}
    return kinds.pop() if len(kinds) == 1 else "mixed"


def _export_date(path: Path, entries: list[Entry]) -> tuple[dt.datetime | None, str | None]:
    """Return when the export was made, and from what: its entries' dates, else the file's mtime.

    A modification time may be when the file was copied rather than exported: the report says.
    """
    dates = [e.date for e in entries if e.date is not None]
    if dates:
        return max(dates), "entries"
    return dt.datetime.fromtimestamp(path.stat().st_mtime), "mtime"


def _size_of(path: Path, entries: list[Entry], kind: str) -> int:
    return sum(e.size for e in entries) if kind == "folder" else path.stat().st_size


def _sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
