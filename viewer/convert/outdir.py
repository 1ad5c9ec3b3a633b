"""The output folder: new levels created 0700, a non-empty one refused, an earlier run replaced.

With `force`, the folder may hold an earlier conversion: the files its manifest.json lists (and
that manifest and README) are removed before writing. Anything else in the folder was not written
by this tool; it is refused rather than left beside the new files, where it would pass for output.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from viewer.convert.files import private_dir
from viewer.convert.manifest import MANIFEST_NAME, README_NAME
from viewer.errors import OutputError, UsageError


def plan_out_dir(out: Path, *, force: bool) -> list[Path]:
    """Check that `out` can be written; return the earlier output files `force` replaces."""
    out = Path(out)
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise UsageError(f"output {out} exists and is not a folder")
    if not out.exists():
        return []
    present = _entries(out)
    if not present:
        return []
    if not force:
        raise UsageError(f"output folder {out} is not empty: choose another or pass --force")
    ours = _earlier_output(out)
    foreign = sorted(p for p in present if p not in ours)
    if foreign:
        first = foreign[0].relative_to(out).as_posix()
        raise UsageError(
            f"output folder {out} holds {len(foreign)} file(s) an earlier conversion did not "
            f"write (such as {first}): --force only replaces export-viewer's own output"
        )
    return sorted(present)


def prepare_out_dir(out: Path, *, force: bool) -> Path:
    """Create the output folder (every new level 0700), removing an earlier run with `force`."""
    out = Path(out)
    earlier = plan_out_dir(out, force=force)
    private_dir(out)
    try:
        for path in earlier:
            path.unlink()
        _remove_empty_folders(out)
    except OSError as exc:
        raise OutputError(f"cannot replace the earlier output in {out}: {exc}") from exc
    return out


def _entries(out: Path) -> set[Path]:
    """Return every file, symlink or other non-folder below `out` (symlinks not followed)."""
    found: set[Path] = set()
    try:
        for folder, dirs, files in os.walk(out, onerror=_raise):
            base = Path(folder)
            for name in dirs:
                if (base / name).is_symlink():
                    found.add(base / name)  # os.walk lists them as folders but does not enter
            found.update(base / name for name in files)
    except OSError as exc:
        raise OutputError(f"cannot read output folder {out}: {exc}") from exc
    return found


def _raise(exc: OSError) -> None:
    raise exc


def _earlier_output(out: Path) -> set[Path]:
    """Return the files the folder's manifest.json says an earlier run wrote, with it and README."""
    manifest = out / MANIFEST_NAME
    if manifest.is_symlink() or not manifest.is_file():
        return set()
    try:
        listed = json.loads(manifest.read_text("utf-8"))["files"]
        paths = {out / str(entry["path"]) for entry in listed}
    except (OSError, ValueError, KeyError, TypeError):
        return set()  # not a manifest of ours: nothing in the folder counts as our output
    # Only what the walk found is ever removed, so a listed "../x" or a path through a symlink
    # matches nothing and stays.
    return paths | {manifest, out / README_NAME}


def _remove_empty_folders(out: Path) -> None:
    for folder, _dirs, _files in sorted(os.walk(out), key=lambda item: -len(item[0])):
        path = Path(folder)
        if path != out and not any(path.iterdir()):
            path.rmdir()
