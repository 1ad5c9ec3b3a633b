"""A fixture that fails a test which writes anything outside its own temporary folder."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def nothing_outside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run with cwd and TMPDIR inside tmp_path and check that nothing was written there or here."""
    cwd, tmp = tmp_path / "cwd", tmp_path / "tmp"
    cwd.mkdir()
    tmp.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    repo_before = {p.name for p in REPO.iterdir()}
    yield
    assert list(cwd.iterdir()) == []
    assert list(tmp.iterdir()) == []
    assert {p.name for p in REPO.iterdir()} - repo_before <= {".pytest_cache"}
