"""Build sample sites once per test session (per xdist worker) for the site tests."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import pyzipper

from viewer.cli import main
from viewer.sample import write_sample

RECORDS = 400  # enough for a second page of SMS and for bundled record pages
SEVEN_ZIP_PASSWORD = "7z-pass;$(echo no)"


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


def repack_with_7zip(export: Path, target: Path, password: str) -> Path:
    """Return `export` unpacked and packed again by 7-Zip (AES-256), as a user's tool would."""
    source = target.parent / "unpacked"
    with pyzipper.AESZipFile(export) as zf:
        zf.extractall(source)
    subprocess.run(
        ["7z", "a", "-tzip", "-mem=AES256", f"-p{password}", str(target), "."],
        cwd=source, check=True, capture_output=True,
    )  # fmt: skip
    shutil.rmtree(source)
    return target


@pytest.fixture(scope="session")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, in both languages, of a sample full of hostile values packed again by 7-Zip."""
    root = tmp_path_factory.mktemp("hostile")
    export = root / "ours.zip"
    write_sample(export, records=RECORDS, password=None, defects=("hostile-content",))
    if shutil.which("7z") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("7z is not installed: the hostile site must come from a 7-Zip export")
        packed, args = export, []  # outside CI, our own ZIP still tests the rendering
    else:
        packed = repack_with_7zip(export, root / "export.zip", SEVEN_ZIP_PASSWORD)
        password = root / "pw"
        password.write_text(SEVEN_ZIP_PASSWORD + "\n", encoding="utf-8")
        args = ["--password-file", str(password)]
    out = root / "site"
    assert main(["build", str(packed), "--out", str(out), "--no-guide", "--quiet", *args]) == 0
    return out
