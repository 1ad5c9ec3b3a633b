"""A fixture that fails a test which writes anything outside its own temporary folder."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def nothing_outside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run with cwd, TMPDIR and HOME inside tmp_path; check nothing was written there or here."""
    cwd, tmp, home = tmp_path / "cwd", tmp_path / "tmp", tmp_path / "home"
    for folder in (cwd, tmp, home):
        folder.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    repo_before = {p.name for p in REPO.iterdir()}
    yield
    assert list(cwd.iterdir()) == []
    assert list(tmp.iterdir()) == []
    assert list(home.iterdir()) == []  # no cache, config or history file either
    assert {p.name for p in REPO.iterdir()} - repo_before <= {".pytest_cache"}
