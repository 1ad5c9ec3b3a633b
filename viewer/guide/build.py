"""Build the migration guide with MkDocs, from a checkout or an installed wheel alike.

URL scheme of the built guide (use `guide_link` rather than spelling it out):
English, the default language, sits at the root (`index.html`, `exportable-data.html#sms`),
Swedish under `sv/` (`sv/exportable-data.html#sms`). Service sections are anchored by service id,
metadata groups likewise, not-exportable categories by `not-exportable-<id>`.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from viewer.errors import DependencyError, OutputError
from viewer.resources import data_path

LANGUAGES = ("en", "sv")
DEFAULT_LANGUAGE = "en"


def guide_config_path() -> Path:
    """Return the shipped mkdocs.yml."""
    return data_path("mkdocs.yml")


def guide_link(lang: str, page: str = "index", anchor: str | None = None) -> str:
    """Return a page's path relative to the guide's root, e.g. `sv/exportable-data.html#sms`."""
    prefix = "" if lang == DEFAULT_LANGUAGE or lang not in LANGUAGES else f"{lang}/"
    return f"{prefix}{page}.html" + (f"#{anchor}" if anchor else "")


def _hooks_file() -> str:
    from viewer.guide import hooks

    return str(Path(hooks.__file__).resolve())


def _load_config(out: Path, strict: bool) -> Any:
    from mkdocs.config import load_config

    # Paths in the yml are relative to it; in a wheel it sits in viewer/_data, so point docs_dir
    # and the hooks at the installed files explicitly.
    return load_config(
        str(guide_config_path()),
        docs_dir=str(data_path("site_src")),
        site_dir=str(out),
        hooks=[_hooks_file()],
        strict=strict,
    )


def _prepare_output(out: Path) -> Path:
    out = out.expanduser().resolve()
    try:
        out.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {out}: {exc.strerror or exc}") from exc
    if not os.access(out, os.W_OK):
        raise OutputError(f"cannot write to {out}")
    return out


def build_guide(
    out: Path,
    *,
    strict: bool = True,
    viewer_link: str | None = None,
    contract: str | None = None,
    mapping: str | None = None,
) -> Path:
    """Build the guide into `out` (warnings fail when `strict`) and return its index.html.

    `viewer_link`, relative to the guide's root or absolute, with a `{lang}` placeholder, adds a
    link back to the export viewer on every page (for the guide built or served beside it).
    `contract` and `mapping` are files (--contract, --mapping) to document instead of the default.
    """
    try:
        from mkdocs.commands.build import build
        from mkdocs.exceptions import Abort, MkDocsException
    except ImportError as exc:  # pragma: no cover - a broken install
        raise DependencyError(f"MkDocs is not installed: {exc}") from exc

    # 1. Make sure we can write the output before doing any work.
    out = _prepare_output(out)
    # 2. Load the shipped configuration, pointed at the shipped sources and hooks.
    # 3. Build; in strict mode MkDocs aborts after the build if anything warned.
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # a notice about MkDocs 2 on every build
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    try:
        config = _load_config(out, strict)
        # The hooks read these from the config: they run in a module MkDocs loads by path.
        config["extra"].update(
            viewer_link=viewer_link, contract_path=contract, mapping_path=mapping
        )
        build(config)
    except (Abort, MkDocsException) as exc:
        raise OutputError(f"the guide did not build: {exc}") from exc
    return out / "index.html"
