"""Private output files: 0700 folders, 0600 files, safe unique names, text fit for XML."""

from __future__ import annotations

import os
import re
import shutil
import stat
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from viewer.errors import OutputError

# Characters XML 1.0 forbids anywhere (C0 controls but tab/newline/CR, surrogates, U+FFFE/U+FFFF).
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
# Names Windows refuses for files, whatever the extension (a Markdown folder may be copied there).
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)
MAX_NAME = 80


def xml_clean(text: str) -> tuple[str, bool]:
    """Return `text` with XML-illegal characters replaced by U+FFFD, and whether any were."""
    cleaned = XML_ILLEGAL.sub("\ufffd", text)
    return cleaned, cleaned != text


def private_dir(path: Path) -> Path:
    """Create a subfolder 0700 (and its parents), never through a symlink."""
    if path.is_symlink():
        raise OutputError(f"{path} is a symlink: refusing to write through it")
    try:
        # mkdir(parents=True) would give the parents the umask's mode: create each one 0700.
        for folder in [*reversed(path.parents), path]:
            if not folder.exists():
                folder.mkdir(mode=0o700)
        path.chmod(0o700)
    except OSError as exc:
        raise OutputError(f"cannot create folder {path}: {exc.strerror or exc}") from exc
    return path


def create_private(path: Path) -> int:
    """Open `path` for writing as a new 0600 file (replacing a regular one), return the fd."""
    private_dir(path.parent)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OutputError(f"cannot write {path}: not a regular file")
    os.fchmod(fd, 0o600)  # an existing file (with --force) keeps its mode otherwise
    return fd


@contextmanager
def open_text(path: Path, *, bom: bool = False, newline: str | None = None) -> Iterator[IO[str]]:
    """Open a new private UTF-8 text file."""
    encoding = "utf-8-sig" if bom else "utf-8"
    with os.fdopen(create_private(path), "w", encoding=encoding, newline=newline) as handle:
        yield handle


@contextmanager
def open_binary(path: Path) -> Iterator[IO[bytes]]:
    """Open a new private binary file."""
    with os.fdopen(create_private(path), "wb") as handle:
        yield handle


def assemble(path: Path, head: bytes, body: Path, tail: bytes) -> None:
    """Write head + the body file + tail to `path`, then remove the body file."""
    with open_binary(path) as out, open(body, "rb") as source:
        out.write(head)
        shutil.copyfileobj(source, out, 1 << 20)
        out.write(tail)
    body.unlink()


def safe_name(text: str, taken: set[str], *, fallback: str = "untitled") -> str:
    """Return a file name for `text`: no separators or traversal, not reserved, unique."""
    name = unicodedata.normalize("NFC", text)
    name = _UNSAFE.sub("_", name).strip(" ._")[:MAX_NAME].strip(" ._") or fallback
    if name.split(".")[0].casefold() in _RESERVED:
        name = f"_{name}"
    unique, n = name, 2
    while unique.casefold() in taken:
        unique = f"{name} ({n})"
        n += 1
    taken.add(unique.casefold())
    return unique
