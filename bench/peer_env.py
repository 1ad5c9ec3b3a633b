"""The peer's tools (sqlite-utils, datasette) in a bench-only venv: never project dependencies."""

from __future__ import annotations

import sys
from pathlib import Path

from bench.child import run

PEER_VENV = Path(__file__).resolve().parent / ".venv-peer"
REQUIREMENTS = ("sqlite-utils>=3.35,<4", "datasette>=0.64,<1")
INSTALL_TIMEOUT = 900.0


def ensure_peer(venv: Path = PEER_VENV) -> Path:
    """Return the peer venv's bin folder, creating the venv with pip when it is missing."""
    bin_dir = venv / "bin"
    if not (bin_dir / "datasette").is_file() or not (bin_dir / "sqlite-utils").is_file():
        run([sys.executable, "-m", "venv", "--clear", venv], timeout=INSTALL_TIMEOUT)
        run([bin_dir / "python", "-m", "pip", "install", "--quiet", *REQUIREMENTS],
            timeout=INSTALL_TIMEOUT)  # fmt: skip
    return bin_dir


def version(bin_dir: Path, name: str) -> str:
    """Return a peer tool's version line."""
    return run([bin_dir / name, "--version"], timeout=60).stdout.strip()
