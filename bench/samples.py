"""Sample exports for the bench, made once with `export-viewer sample` and cached (git-ignored)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.child import run

CACHE = Path(__file__).resolve().parent / ".cache"
PASSWORD = "bench-pass"  # a sample's password, not a secret
SAMPLE_TIMEOUT = 900.0


@dataclass(frozen=True)
class Sample:
    """One cached sample: its size name, the ZIP and the password file."""

    size: str
    zip: Path
    password_file: Path


def tool(name: str = "export-viewer") -> Path:
    """Return a console script of the running environment (the project's venv)."""
    return Path(sys.executable).parent / name


def private_folder(path: Path) -> Path:
    """Create a 0700 folder (samples hold personal-looking data) and return it."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def password_file(folder: Path) -> Path:
    """Write the samples' password file (0600) once and return it."""
    path = folder / "pw"
    if not path.is_file() or path.read_text().strip() != PASSWORD:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(PASSWORD + "\n")
    return path


def ensure(size: str, *, folder: Path = CACHE, records: int | None = None) -> Sample:
    """Return the sample of this size (seed 1), writing it first when it is not cached."""
    private_folder(folder)
    pw = password_file(folder)
    name = f"records-{records}" if records else size
    target = folder / f"{name}.zip"
    if not target.is_file():
        amount = ["--records", str(records)] if records else ["--size", size]
        partial = target.with_suffix(".part.zip")
        run([tool(), "sample", *amount, "--seed", "1", "--password-file", pw, "--out", partial,
             "--quiet"], timeout=SAMPLE_TIMEOUT)  # fmt: skip
        partial.replace(target)  # a cached sample is always a whole one
    return Sample(name, target, pw)
