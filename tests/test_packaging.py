"""A wheel built from the repo, installed in a fresh environment outside it, runs the commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), "."],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    (path,) = out.glob("export_viewer-*.whl")
    return path


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed by pip: its dependencies come from what the wheel
    declares (PyPI, through pip's cache), so one missing from pyproject.toml fails here."""
    root = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=True).create(root)
    done = subprocess.run(
        [str(root / "bin" / "python"), "-m", "pip", "install", "--quiet",
         "--disable-pip-version-check", str(wheel)],
        capture_output=True, text=True, check=False, env=clean_env(), timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    script = root / "bin" / "export-viewer"
    assert script.is_file()  # the console script the wheel declares
    return script


def clean_env(**extra: str) -> dict[str, str]:
    """Return this environment without what points at the repo or its venv."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    return {**env, **extra}


def run(script: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(script), *args],
        cwd=cwd,
        env=clean_env(XDG_CACHE_HOME=str(cwd / ".cache")),
        capture_output=True,
        text=True,
        check=False,
    )


def test_wheel_holds_templates_contracts_and_guide(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "verify/contracts/xiaomi-cloud.toml" in names
    assert "viewer/_data/mkdocs.yml" in names
    assert any(n.startswith("viewer/_data/templates/") and n.endswith(".html") for n in names)
    assert any(n.startswith("viewer/_data/site_src/en/") for n in names)
    assert any(n.startswith("viewer/_data/site_src/sv/") for n in names)
    assert not any(n.startswith("tests/") for n in names)


def test_installed_wheel_runs_outside_the_repo(installed: Path, tmp_path: Path) -> None:
    where = run(installed, tmp_path, "--version")
    assert where.returncode == 0, where.stderr
    origin = subprocess.run(
        [str(installed.parent / "python"), "-c", "import viewer; print(viewer.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(REPO) not in origin
    result = run(installed, tmp_path, "contract", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["services"]) == 19


def test_installed_wheel_runs_every_command(installed: Path, tmp_path: Path) -> None:
    def ok(*args: str, code: int = 0) -> str:
        result = run(installed, tmp_path, *args, "--quiet")
        assert result.returncode == code, (args, result.stderr)
        return result.stdout

    (tmp_path / "pw").write_text("wheel pass\n", encoding="utf-8")
    pw = ("--password-file", "pw")
    ok("sample", "--out", "s.zip", "--records", "300", *pw)
    assert "sms" in ok("info", "s.zip", *pw)
    assert json.loads(ok("verify", "s.zip", "--format", "json", *pw))["summary"]["status"] == (
        "complete"
    )
    ok("convert", "s.zip", "--to", "vcard,csv", "--out", "conv", *pw)
    assert (tmp_path / "conv" / "manifest.json").exists()
    ok("build", "s.zip", "--out", "site", *pw)
    assert (tmp_path / "site" / "index.html").exists()
    assert (tmp_path / "site" / "guide" / "index.html").exists()
    ok("guide", "build", "--out", "g")
    assert (tmp_path / "g" / "sv" / "index.html").exists()
    assert "2027" in ok("timeline", "--requested", "2026-12-20")
    assert "# Xiaomi Cloud" in ok("contract", "--format", "markdown")


def test_installed_wheel_serves(installed: Path, tmp_path: Path) -> None:
    import signal
    import time

    import httpx

    (tmp_path / "pw").write_text("wheel pass\n", encoding="utf-8")
    made = run(installed, tmp_path, "sample", "--out", "s.zip", "--records", "300",
               "--password-file", "pw")  # fmt: skip
    assert made.returncode == 0, made.stderr
    proc = subprocess.Popen(
        [str(installed), "serve", "s.zip", "--password-file", "pw", "--no-browser", "--no-guide"],
        cwd=tmp_path,
        env=clean_env(XDG_CACHE_HOME=str(tmp_path / ".cache")),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 120
        line = ""
        while time.monotonic() < deadline and not line.startswith("Serving at "):
            line = proc.stdout.readline()
        url = line.removeprefix("Serving at ").strip()
        assert url.startswith("http://127.0.0.1:"), line
        with httpx.Client(follow_redirects=True, timeout=60) as client:
            assert client.get(url).status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(60)


def test_installed_wheel_runs_the_demo(installed: Path, tmp_path: Path) -> None:
    import signal

    # stderr goes to a file (a pipe nobody reads could fill up); with the fault handler on, a
    # demo that does not stop is made to write every thread's stack there before it is killed.
    errors = tmp_path / "stderr.txt"
    with errors.open("w") as err:
        proc = subprocess.Popen(
            [str(installed), "demo", "--no-browser", "--size", "small"],
            cwd=tmp_path, stdout=subprocess.PIPE, stderr=err, text=True,
            env=clean_env(XDG_CACHE_HOME=str(tmp_path / ".cache"), TMPDIR=str(tmp_path),
                          PYTHONFAULTHANDLER="1"),
        )  # fmt: skip
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        while not (lines and lines[-1].startswith("Serving at ")) and len(lines) < 20:
            lines.append(proc.stdout.readline())  # the sample, its password, tips, then this
        assert lines[-1].startswith("Serving at http://127.0.0.1:"), lines
        assert any(line.startswith("Its password") for line in lines), lines
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            code = proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGABRT)  # the fault handler writes the stacks, then it dies
            proc.wait(30)
            code = None
    assert code == 0, errors.read_text()[-6000:]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("export-viewer-")]
