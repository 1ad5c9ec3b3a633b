"""Every record of a sample export loads: both layouts, nested, re-packed by 7-Zip and Info-ZIP."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import pyzipper

from tests.zipfactory import have_tools, tool_zip
from verify.contract import load_contract
from viewer.loader import load_export
from viewer.sample import SampleSummary, write_sample
from viewer.store import Store

pytestmark = pytest.mark.usefixtures("nothing_outside")
CONTRACT = load_contract()
SHELL = "p@ss w\"o'rd$`!;&|*(){}<>\\ -x"  # 7-Zip takes only ASCII passwords for ZIP
LAYOUTS = ["per-service", "single-file"]


def sample(tmp_path: Path, layout: str, password: str | None = SHELL) -> SampleSummary:
    return write_sample(tmp_path / f"{layout}.zip", records=600, layout=layout, password=password)


def counts(path: Path, password: str = SHELL) -> dict[str, int]:
    result = load_export(path, password=lambda _n: password, contract=CONTRACT)
    assert result.problems == [] and result.store is not None
    return {t.name: t.records for t in result.store.tables()}


def extracted(summary: SampleSummary, folder: Path) -> dict[str, bytes]:
    """Return the sample's entries, by name, as the files a user would have unpacked."""
    with pyzipper.AESZipFile(summary.path) as zf:
        if summary.password:
            zf.setpassword(summary.password.encode())
        return {name: zf.read(name) for name in zf.namelist() if not name.endswith("/")}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_record_of_a_sample_loads(tmp_path: Path, layout: str) -> None:
    summary = sample(tmp_path, layout)
    assert counts(summary.path) == summary.tables
    assert sum(summary.tables.values()) >= 600


@pytest.mark.parametrize("layout", LAYOUTS)
def test_an_unpacked_sample_nested_in_folders_loads(tmp_path: Path, layout: str) -> None:
    summary = sample(tmp_path, layout)
    root = tmp_path / "Downloads" / "export (1)"
    for name, data in extracted(summary, root).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    assert counts(tmp_path / "Downloads") == summary.tables


@pytest.mark.tools
@pytest.mark.skipif(not have_tools(), reason="zip and 7z are not installed")
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("tool", ["zip", "7z-aes", "7z-zipcrypto"])
def test_a_sample_repacked_by_tools_loads(tmp_path: Path, layout: str, tool: str) -> None:
    summary = sample(tmp_path, layout)
    entries = {f"outer folder/{name}": data for name, data in extracted(summary, tmp_path).items()}
    path = tool_zip(tmp_path / "repacked.zip", entries, SHELL, tool)
    assert counts(path) == summary.tables


def test_store_serves_concurrent_readers(tmp_path: Path) -> None:
    summary = sample(tmp_path, "per-service", password=None)
    result = load_export(summary.path, password=lambda _n: "", contract=CONTRACT)
    store = result.store
    assert isinstance(store, Store)
    expected = {t.name: t.records for t in store.tables()}
    errors: list[BaseException] = []
    seen: list[dict[str, int]] = []

    def read() -> None:
        try:
            for _ in range(5):
                got = {t.name: len(list(store.records(t.name))) for t in store.tables()}
                store.search("a")
                store.page("sms", sort="ts", limit=20)
                seen.append(got)
        except BaseException as exc:  # any failure in a thread fails the test
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert seen == [expected] * 30
