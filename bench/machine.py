"""Describe the machine and the versions a run measured (for results.md)."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from importlib import metadata
from pathlib import Path


def _first(path: str, prefix: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def _tool_version(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False).stdout
    except OSError:
        return "not installed"
    lines = [line for line in out.splitlines() if line.strip()]
    return lines[0].strip() if lines else "unknown"


def _versions(names: tuple[str, ...]) -> str:
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} (missing)")
    return ", ".join(found)


def describe(peer_bin: Path | None) -> dict[str, str]:
    """Return the machine's description: CPU, cores, RAM, OS, Python and the tools' versions."""
    ram_kb = _first("/proc/meminfo", "MemTotal").split()[0]
    info = {
        "CPU": _first("/proc/cpuinfo", "model name"),
        "cores": str(os.cpu_count()),
        "RAM": f"{int(ram_kb) / 2**20:.1f} GiB" if ram_kb.isdigit() else "unknown",
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        "ours": _versions(("export-viewer", "pyzipper", "ijson", "starlette", "uvicorn")),
        "7-Zip": _tool_version(["7z", "i"]),
        "jq": _tool_version(["jq", "--version"]),
    }
    if peer_bin is not None:
        info["peer"] = ", ".join(
            _tool_version([str(peer_bin / name), "--version"])
            for name in ("sqlite-utils", "datasette")
        )
    return info
