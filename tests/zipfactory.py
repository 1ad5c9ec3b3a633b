"""Build test exports: real ZIPs (pyzipper, Info-ZIP zip, 7-Zip) and hand-crafted hostile ones."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyzipper

Entries = Mapping[str, bytes | Any]


def as_bytes(value: bytes | Any) -> bytes:
    """Return entry content: bytes as given, anything else as JSON."""
    return value if isinstance(value, bytes) else json.dumps(value).encode()


def make_zip(
    path: Path,
    entries: Entries,
    *,
    password: str | None = None,
    bits: int = 256,
    stored: bool = False,
) -> Path:
    """Write a ZIP with pyzipper: AES (128/192/256) when a password is given, else plain."""
    method = pyzipper.ZIP_STORED if stored else pyzipper.ZIP_DEFLATED
    kwargs: dict[str, Any] = {"compression": method}
    if password is not None:
        kwargs |= {"encryption": pyzipper.WZ_AES, "encryption_kwargs": {"nbits": bits}}
    with pyzipper.AESZipFile(path, "w", **kwargs) as zf:
        if password is not None:
            zf.setpassword(password.encode())
        for name, content in entries.items():
            zf.writestr(name, as_bytes(content))
    return path


def write_tree(folder: Path, entries: Entries) -> Path:
    """Write entries as files under a folder."""
    for name, content in entries.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(as_bytes(content))
    return folder


def tool_zip(path: Path, entries: Entries, password: str | None, tool: str) -> Path:
    """Write a ZIP with a command-line tool: "zip" (ZipCrypto), "7z-aes" or "7z-zipcrypto"."""
    src = write_tree(path.parent / (path.stem + "-src"), entries)
    names = sorted(entries)
    if tool == "zip":
        cmd = ["zip", "-q", "-X", *(["-P", password] if password else []), str(path), *names]
    else:
        method = "AES256" if tool == "7z-aes" else "ZipCrypto"
        secret = [f"-p{password}"] if password else []
        cmd = ["7z", "a", "-tzip", f"-mem={method}", *secret, str(path), *names]
    subprocess.run(cmd, cwd=src, check=True, capture_output=True)
    shutil.rmtree(src)
    return path


def have_tools() -> bool:
    """Return whether zip and 7z are installed."""
    return bool(shutil.which("zip") and shutil.which("7z"))


@dataclass
class Raw:
    """One hand-made entry: every header field can lie."""

    name: str
    data: bytes = b"{}"
    method: int = 0
    crc: int | None = None
    file_size: int | None = None
    compress_size: int | None = None
    create_system: int = 3
    external_attr: int = 0o100644 << 16
    flags: int = 0
    offset: int | None = None  # point the directory here instead of at this entry's own header
    local: bool = True  # write a local header and data (False: directory record only)
    version: int = 20  # the version needed to extract (2.0)


def deflate(data: bytes) -> bytes:
    """Return raw deflate data, as ZIP stores it."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    return comp.compress(data) + comp.flush()


def raw_zip(entries: list[Raw]) -> bytes:
    """Return ZIP bytes written field by field, so tests can craft what tools refuse to write."""
    out = bytearray()
    offsets: list[int] = []
    for e in entries:
        offsets.append(len(out))
        if e.local:
            out += _local(e) + e.data
    central = bytearray()
    for e, own in zip(entries, offsets, strict=True):
        central += _central(e, own if e.offset is None else e.offset)
    start = len(out)
    out += central
    out += struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), start, 0
    )
    return bytes(out)


def _fields(e: Raw) -> tuple[int, int, int]:
    crc = zlib.crc32(e.data if e.method == 0 else zlib.decompress(e.data, -15))
    crc = e.crc if e.crc is not None else crc
    csize = e.compress_size if e.compress_size is not None else len(e.data)
    if e.file_size is not None:
        size = e.file_size
    else:
        size = len(e.data) if e.method != 8 else len(zlib.decompress(e.data, -15))
    return crc, csize, size


def _local(e: Raw) -> bytes:
    crc, csize, size = _fields(e) if e.method in (0, 8) else (0, len(e.data), len(e.data))
    name = e.name.encode()
    head = struct.pack(
        "<4s5H3L2H",
        b"PK\x03\x04",
        e.version,
        e.flags,
        e.method,
        0,
        0x21,
        crc,
        csize,
        size,
        len(name),
        0,
    )
    return head + name


def _central(e: Raw, offset: int) -> bytes:
    crc, csize, size = _fields(e) if e.method in (0, 8) else (0, len(e.data), len(e.data))
    if e.file_size is not None:
        size = e.file_size
    name = e.name.encode()
    return (
        struct.pack(
            "<4s6H3L5H2L",
            b"PK\x01\x02",
            (e.create_system << 8) | 20,
            e.version,
            e.flags,
            e.method,
            0,
            0x21,
            crc,
            csize,
            size,
            len(name),
            0,
            0,
            0,
            0,
            e.external_attr,
            offset,
        )
        + name
    )


def open_dir_snapshot(folder: Path) -> set[str]:
    """Return the names directly in a folder (to see that nothing new appeared)."""
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()
