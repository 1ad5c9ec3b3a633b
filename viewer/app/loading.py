"""Open one export for the server: one pass feeding the Store and the verification."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from verify.contract import Contract
from verify.report import build_report
from verify.run import new_collector
from viewer.app.views import ViewPages
from viewer.errors import WrongPasswordError
from viewer.limits import Limits
from viewer.loader import load_export
from viewer.site.build import summarise
from viewer.site.model import SiteData
from viewer.store import Store

Progress = Callable[[int, int], None]


@dataclass
class Loaded:
    """An opened export: its Store and what every page is built from."""

    store: Store
    site: SiteData
    views: ViewPages = field(default_factory=ViewPages)  # made on the first request for one


def load_site(
    path: Path,
    password: str | None,
    contract: Contract,
    *,
    guide: bool,
    progress: Progress | None = None,
    limits: Limits | None = None,
) -> Loaded:
    """Open `path` with `password` into a new in-memory Store, and summarise it for the pages."""

    def source(name: str) -> str:
        if not password:
            raise WrongPasswordError(f"{name} is encrypted: type its password")
        return password

    collector = new_collector(contract)
    result = load_export(
        path,
        password=source,
        contract=contract,
        sinks=[collector],
        limits=limits,
        progress=progress,
        search=False,  # indexed once the pages are up (Sessions), not before the first page
    )
    assert result.store is not None  # keep_records=True
    try:
        report = build_report(contract, collector, result.info, result.problems)
        summaries = summarise(result.store, contract)  # the dates come from the Store
    except BaseException:
        result.store.close()
        raise
    return Loaded(result.store, SiteData(contract, report, summaries, guide=guide))
