"""Build sample sites once per test session (per xdist worker) for the site tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from viewer.cli import main
from viewer.sample import write_sample

RECORDS = 400  # enough for a second page of SMS and for bundled record pages


def build_sample_site(root: Path, *defects: str, langs: tuple[str, ...] = ()) -> Path:
    """Write a sample export (made by our generator) and build its site; return the site folder."""
    export = root / "export.zip"
    write_sample(export, records=RECORDS, password=None, defects=defects)
    out = root / "site"
    args = ["build", str(export), "--out", str(out), "--no-guide", "--quiet"]
    for lang in langs:
        args += ["--lang", lang]
    assert main(args) == 0
    return out


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean sample's site in both languages, built once per worker."""
    return build_sample_site(tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="session")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site of a sample full of hostile values (English only, to keep it quick)."""
    return build_sample_site(tmp_path_factory.mktemp("hostile"), "hostile-content", langs=("en",))
