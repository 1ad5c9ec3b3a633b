"""`export-viewer verify` as a user runs it: formats, files, exit codes, many exports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from viewer.sample import write_sample


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "viewer", *args, "--quiet"],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
    )


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("exports")
    write_sample(root / "clean.zip", seed=1, records=250, password="pa ss$`'\"")
    (root / "pw").write_text("pa ss$`'\"\n", encoding="utf-8")
    write_sample(
        root / "broken.zip", seed=2, records=250, password=None, defects=["missing-service:notes"]
    )
    return root


def test_clean_export_text_exit_0(exports: Path) -> None:
    result = cli("verify", str(exports / "clean.zip"), "--password-file", str(exports / "pw"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "clean.zip: complete  (0 errors, 0 warnings, 1 notes)"
    assert "\x1b[" not in result.stdout  # no colour when not on a terminal


def test_json_report_to_a_file(exports: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    result = cli("verify", str(exports / "broken.zip"), "--format", "json", "--output", str(out))
    assert result.returncode == 1
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["summary"]["status"] == "incomplete"
    assert [f["check"] for f in report["findings"] if f["severity"] == "error"] == [
        "service-missing"
    ]


def test_html_report_is_standalone(exports: Path) -> None:
    result = cli("verify", str(exports / "broken.zip"), "--format", "html")
    assert result.returncode == 1
    assert result.stdout.startswith("<!DOCTYPE html>")
    assert "service-missing" in result.stdout
    assert "<script" not in result.stdout
    assert "http" not in result.stdout.replace('content="no-referrer"', "")


def test_fail_on_warning_and_a_missing_password(exports: Path) -> None:
    result = cli("verify", str(exports / "clean.zip"), "--fail-on", "warning")
    assert result.returncode == 2  # encrypted, and no password source in a pipe
    assert result.stderr.startswith("error: clean.zip is encrypted")
    plain = exports / "plain.zip"
    write_sample(plain, seed=1, records=250, password=None)
    assert cli("verify", str(plain)).returncode == 0
    assert cli("verify", str(plain), "--fail-on", "warning").returncode == 1  # encryption-none


def test_wrong_password_is_one_line_exit_2(exports: Path, tmp_path: Path) -> None:
    pw = tmp_path / "wrong"
    pw.write_text("nope\n", encoding="utf-8")
    result = cli("verify", str(exports / "clean.zip"), "--password-file", str(pw))
    assert result.returncode == 2
    assert result.stderr == "error: wrong password for clean.zip\n"


def test_many_exports_write_reports_and_a_summary(exports: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a", "b"):
        write_sample(
            folder / f"{name}.zip",
            seed=3,
            records=250,
            password=None,
            defects=["missing-service:sms"] if name == "b" else [],
        )
    out = tmp_path / "reports"
    result = cli("verify", str(folder), "--format", "json", "--output", str(out))
    assert result.returncode == 1
    assert sorted(p.name for p in out.iterdir()) == [
        "a.report.json",
        "b.report.json",
        "summary.csv",
        "summary.html",
    ]
    lines = (out / "summary.csv").read_text(encoding="utf-8").splitlines()
    assert lines[1].startswith("a.zip,") and ",complete," in lines[1]
    assert lines[2].startswith("b.zip,") and ",incomplete," in lines[2]


def test_colour_on_a_terminal_and_the_text_reports_parts(exports: Path) -> None:
    import os
    import pty

    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    argv = [sys.executable, "-m", "viewer", "verify", str(exports / "broken.zip"), "--quiet"]
    child = subprocess.Popen(argv, stdout=slave, stderr=subprocess.DEVNULL, env=env)
    os.close(slave)
    chunks = []  # read while it writes: a full terminal buffer would block the child
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal's other end is closed: all was read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    done = child
    child.wait(timeout=120)
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert done.returncode == 1
    assert "\x1b[" in shown  # --color auto colours a terminal
    plain = cli("verify", str(exports / "broken.zip")).stdout
    lines = plain.splitlines()
    assert lines[0].startswith("broken.zip: incomplete  (1 errors, ")
    assert lines[1].startswith("coverage ") and lines[2].startswith("encryption none; sha256 ")
    assert "SMS (sms): fields" in plain and "Content (content)" in plain  # a table per service
    assert plain.rstrip().endswith("at least one record.")  # the definition of coverage


def test_several_exports_without_an_output_folder(exports: Path) -> None:
    both = [str(exports / "broken.zip"), str(exports / "clean.zip")]
    text = cli("verify", *both, "--password-file", str(exports / "pw"))
    assert text.returncode == 1
    assert text.stdout.count("(sms): fields") == 2 and "Summary" in text.stdout
    assert "broken.zip │ incomplete" in text.stdout and "clean.zip  │ complete" in text.stdout
    as_json = cli("verify", *both, "--format", "json")
    assert as_json.returncode == 2
    assert as_json.stderr == (
        "error: several exports give one json report each: pass --output DIR for them\n"
    )


def test_the_summary_has_a_row_per_export_and_coverage_per_service(
    exports: Path, tmp_path: Path
) -> None:
    import csv

    out = tmp_path / "reports"
    both = [str(exports / "broken.zip"), str(exports / "clean.zip")]
    assert (
        cli(
            "verify", *both, "--password-file", str(exports / "pw"), "--output", str(out)
        ).returncode
        == 1
    )
    rows = list(csv.DictReader((out / "summary.csv").open(encoding="utf-8")))
    assert [(r["export"], r["status"], r["errors"]) for r in rows] == [
        ("broken.zip", "incomplete", "1"), ("clean.zip", "complete", "0")]  # fmt: skip
    assert (rows[0]["notes"], rows[1]["notes"]) == ("0.0", "1.0")
    assert len([k for k in rows[0] if k not in ("export", "sha256", "status", "errors",
                "warnings", "records", "coverage")]) == 19  # fmt: skip
    page = (out / "summary.html").read_text(encoding="utf-8")
    assert page.count("<tr") == 3 and "broken.zip" in page and "clean.zip" in page
