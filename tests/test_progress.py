"""The progress bar: bytes, rate and time left on a terminal; silent in a pipe and with --quiet."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.zipfactory import make_zip
from viewer.cli import main
from viewer.progress import progress_bar, wants_bar


def test_a_terminal_gets_bytes_rate_and_time_left() -> None:
    master, slave = pty.openpty()
    with os.fdopen(slave, "w", encoding="utf-8") as terminal:
        assert wants_bar(terminal) and not wants_bar(terminal, quiet=True)
        with progress_bar(stream=terminal) as update:
            assert update is not None
            update(3_000_000, 12_000_000)
            update(6_000_000, 12_000_000)
        terminal.flush()
        drawn = os.read(master, 65536).decode("utf-8", "replace")
    os.close(master)
    assert "Opening" in drawn
    assert "6.0/12.0 MB" in drawn  # bytes done of the total
    assert "/s" in drawn and ("-:--:--" in drawn or "0:00:0" in drawn)  # rate and time left


def test_no_bar_in_a_pipe_or_when_quiet() -> None:
    with progress_bar(stream=io.StringIO()) as update:
        assert update is None
    master, slave = pty.openpty()
    with os.fdopen(slave, "w") as terminal, progress_bar(stream=terminal, quiet=True) as update:
        assert update is None
    os.close(master)


def test_the_command_draws_nothing_on_a_captured_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = make_zip(tmp_path / "export.zip", {"notes.json": {"notes": [{"id": "n"}]}})
    assert main(["info", str(path)]) in (0, 1)
    assert capsys.readouterr().err == ""


def test_only_the_slow_json_backend_is_a_clear_error_before_reading(tmp_path: Path) -> None:
    # A sitecustomize makes the C backend unimportable in a fresh interpreter.
    (tmp_path / "sitecustomize.py").write_text(textwrap.dedent("""
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name in ("ijson.backends._yajl2", "ijson.backends.yajl2_c"):
                    raise ImportError("blocked for the test")
        sys.meta_path.insert(0, Block())
    """), encoding="utf-8")  # fmt: skip
    export = make_zip(tmp_path / "export.zip", {"notes.json": {"notes": []}})
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), os.getcwd()]))
    argv = [sys.executable, "-m", "viewer", "info", str(export)]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 2
    assert done.stderr == (
        "error: ijson's C backend (yajl2_c) is not available: reinstall ijson from a wheel "
        "(pip install --force-reinstall ijson)\n"
    )
