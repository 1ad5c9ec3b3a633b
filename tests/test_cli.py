"""The command line: one-line errors with exit 2, tracebacks only with --debug."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from viewer.cli import COMMANDS, chosen_command, main


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "viewer", *args], capture_output=True, text=True, check=False
    )


def test_contract_json_lists_services_groups_and_categories() -> None:
    result = run_cli("contract", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["provider"] == "xiaomi-cloud"
    assert len(data["sha256"]) == 64
    kinds = [s["kind"] for s in data["services"]]
    assert kinds.count("data") == 16
    assert kinds.count("metadata") == 3
    assert len(data["not_exportable"]) == 7
    for service in data["services"]:
        assert set(service["name"]) == {"en", "sv"}
        for field in service["fields"]:
            assert {"id", "name", "type", "keys"} <= set(field)
    assert data["switching"]["unfeasibility_notice_working_days"] == 14


def test_contract_markdown_in_swedish() -> None:
    result = run_cli("contract", "--format", "markdown", "--lang", "sv")
    assert result.returncode == 0
    assert "| **SMS-tjänst** |" in result.stdout
    assert "## Kan inte exporteras" in result.stdout


def test_missing_contract_file_is_one_line_exit_2(tmp_path: Path) -> None:
    result = run_cli("contract", "--contract", str(tmp_path / "none.toml"))
    assert result.returncode == 2
    assert result.stderr == (
        f"error: contract {tmp_path / 'none.toml'}: cannot read: No such file or directory\n"
    )
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = run_cli("contract", "--debug", "--contract", str(tmp_path / "none.toml"))
    assert result.returncode == 2
    assert "Traceback" in result.stderr
    assert result.stderr.rstrip().splitlines()[-1].startswith("error: contract ")


def test_bad_usage_is_one_line_exit_2() -> None:
    result = run_cli("contract", "--format", "yaml")
    assert result.returncode == 2
    assert result.stderr.startswith("error: ")
    assert result.stderr.count("\n") == 1


def test_unknown_command_exits_2() -> None:
    result = run_cli("no-such-command")
    assert result.returncode == 2
    assert result.stderr.startswith("error: ")


def test_main_returns_exit_code_in_process(tmp_path: Path) -> None:
    assert main(["contract", "--contract", str(tmp_path / "x.toml")]) == 2


def test_help_lists_every_command_and_each_has_its_own_help() -> None:
    listing = run_cli("--help")
    assert listing.returncode == 0
    for name, _module, help_text in COMMANDS:
        assert f"{name}  " in listing.stdout and help_text[:30] in listing.stdout
    for name, _module, _help in COMMANDS:
        own = run_cli(name, "--help")
        assert own.returncode == 0, own.stderr
        assert own.stdout.startswith(f"usage: export-viewer {name} ")
        assert "--quiet" in own.stdout  # the common options, on every command


def test_a_command_imports_only_its_own_module() -> None:
    """Start-up: `verify` does not pay for the sample writer, the converters or the server."""
    script = (
        "import sys\n"
        "from viewer.cli import main\n"
        "code = main(['contract', '--format', 'json'])\n"
        "print(code, sorted(m for m in sys.modules if m.startswith('viewer.commands.')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    last = result.stdout.splitlines()[-1]
    assert last == "0 ['viewer.commands.contract']", result.stderr


def test_chosen_command_skips_top_level_options() -> None:
    assert chosen_command(["--version"]) is None
    assert chosen_command(["verify", "--format", "json", "a.zip"]) == "verify"
    assert chosen_command(["--help", "serve"]) == "serve"
