"""The progress bar: bytes, rate and time left on a terminal; silent in a pipe and with --quiet."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from tests.zipfactory import make_zip
from viewer.cli import main
from viewer.progress import progress_bar, wants_bar

pytestmark = pytest.mark.usefixtures("nothing_outside")
REPO = Path(__file__).resolve().parent.parent


def _read_all(master: int) -> str:
    """Read what was written to a pseudo-terminal whose other end is closed, then close it."""
    drawn = b""
    while True:  # one read may return only part of it; EIO (Linux) or b"" ends it
        try:
            part = os.read(master, 65536)
        except OSError:
            break
        if not part:
            break
        drawn += part
    os.close(master)
    return drawn.decode("utf-8", "replace")


def test_a_terminal_gets_bytes_rate_and_time_left() -> None:
    master, slave = pty.openpty()
    with os.fdopen(slave, "w", encoding="utf-8") as terminal:
        assert wants_bar(terminal) and not wants_bar(terminal, quiet=True)
        with progress_bar(stream=terminal) as update:
            assert update is not None
            update(3_000_000, 12_000_000)
            update(6_000_000, 12_000_000)
    drawn = _read_all(master)  # the terminal is closed: everything drawn is there to read
    assert "Opening" in drawn
    assert "6.0/12.0 MB" in drawn  # bytes done of the total
    assert "/s" in drawn and ("-:--:--" in drawn or "0:00:0" in drawn)  # rate and time left


def test_the_bar_starts_no_thread_so_verify_can_still_fork() -> None:
    before = threading.active_count()
    master, slave = pty.openpty()
    with (
        os.fdopen(slave, "w", encoding="utf-8") as terminal,
        progress_bar(stream=terminal) as update,
    ):
        assert update is not None
        update(1, 2)
        assert threading.active_count() == before
    assert "Opening" in _read_all(master)


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
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), str(REPO)]))
    argv = [sys.executable, "-m", "viewer", "info", str(export)]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 2
    assert done.stderr == (
        "error: ijson's C backend (yajl2_c) is not available: reinstall ijson from a wheel "
        "(pip install --force-reinstall ijson)\n"
    )


def _command_on_a_terminal(tmp_path: Path, *extra: str) -> tuple[int, str]:
    """Run `info` in a fresh interpreter whose stderr is a terminal; return its code and stderr."""
    records = [{"id": i, "body": "x" * 100} for i in range(20_000)]
    export = make_zip(tmp_path / "export.zip", {"notes.json": {"notes": records}})
    master, slave = pty.openpty()
    argv = [sys.executable, "-m", "viewer", "info", str(export), *extra]
    env = dict(os.environ, COLUMNS="120", TERM="xterm", PYTHONPATH=str(REPO))  # this checkout
    with subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=slave, env=env) as child:
        os.close(slave)
        drawn = _read_all(master)
        return child.wait(), drawn


def test_the_command_draws_the_bar_on_a_terminal_and_not_with_quiet(tmp_path: Path) -> None:
    code, drawn = _command_on_a_terminal(tmp_path)
    assert code == 0
    assert "Opening" in drawn and "2.5/2.5 MB" in drawn  # the bar, with the bytes read
    assert re.search(r"\d B/s|[kMG]B/s", drawn) and re.search(r"\d:\d\d:\d\d|-:--:--", drawn)
    code, drawn = _command_on_a_terminal(tmp_path, "--quiet")
    assert (code, drawn) == (0, "")
