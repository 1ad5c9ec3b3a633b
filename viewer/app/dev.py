"""--dev: follow the templates, the contract and the guide's sources; rebuild, then reload pages.

Template changes need no rebuild (Jinja reloads a changed template); a changed contract (or
mapping) is loaded again and every open export reloaded with it; a changed guide source or
contract rebuilds the guide. Open pages are then told to reload. Folders of our own are watched
as a whole; a --contract or --mapping file is followed by its name alone, since its folder may
be any folder of the user's (a home folder, watched recursively, would be a flood).
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from starlette.applications import Starlette

from verify.contract import DEFAULT_CONTRACT
from viewer.app import AppConfig, ContractFiles
from viewer.app.guide import ensure_guide
from viewer.app.sessions import Sessions
from viewer.app.watch import follow_file, follow_sources, in_thread
from viewer.resources import data_path
from viewer.site.i18n import reload_templates

CONTRACT_SUFFIXES = frozenset({".toml", ".yaml", ".yml", ".json"})


def followed(files: ContractFiles) -> tuple[list[Path], list[Path]]:
    """Return what --dev follows: folders (as a whole), and single files (by name)."""
    folders = [data_path("templates"), data_path("site_src")]
    if files.contract is None:
        folders.append(DEFAULT_CONTRACT.parent)
    singles = [p.resolve() for p in (files.contract, files.mapping) if p is not None]
    return folders, singles


def _contract_changed(files: ContractFiles, changed: set[Path]) -> bool:
    _, singles = followed(files)
    default = DEFAULT_CONTRACT.parent.resolve()
    for path in (p.resolve() for p in changed):
        if path in singles:
            return True
        in_default = files.contract is None and path.is_relative_to(default)
        if in_default and path.suffix in CONTRACT_SUFFIXES:
            return True
    return False


def _under_site_src(changed: set[Path]) -> bool:
    root = data_path("site_src").resolve()
    return any(p.resolve().is_relative_to(root) for p in changed)


def start_dev(app: Starlette) -> list[threading.Thread]:
    """Follow the sources in background threads (they end when the server stops)."""
    config: AppConfig = app.state.config
    sessions: Sessions = app.state.sessions
    files = config.files

    def rebuild(changed: set[Path]) -> None:
        contract_changed = _contract_changed(files, changed)
        try:
            if any(p.suffix in {".html", ".css", ".po"} for p in changed):
                reload_templates()  # templates are compiled once, not checked on every page
            if contract_changed:
                config.contract = files.load()  # with --mapping, as at start
                sessions.reload_all(config.contract)
            if config.guide is not None and (contract_changed or _under_site_src(changed)):
                config.guide = ensure_guide(config.guide.root.parent, contract=files.contract,
                                            mapping=files.mapping)  # fmt: skip
        except Exception as exc:  # a broken edit must not stop the server: say so and go on
            sys.stderr.write(f"warning: --dev rebuild failed: {exc}\n")
            return
        config.live.bump()

    stop = app.state.stopping
    folders, singles = followed(files)
    threads = [in_thread(follow_sources, folders, stop, rebuild, name="dev-watch")]
    for path in singles:
        threads.append(in_thread(follow_file, path, stop, lambda p=path: rebuild({p}),
                                 name=f"dev-watch-{path.name}"))  # fmt: skip
    return threads
