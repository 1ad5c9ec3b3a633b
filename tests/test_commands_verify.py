"""`export-viewer verify` as a user runs it: formats, files, exit codes, many exports."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_verify_report import table_rows
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
    assert result.stdout.splitlines()[0] == "clean.zip: complete  (0 errors, 0 warnings, 1 note)"
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


def on_a_terminal(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run the CLI with a pseudo-terminal as stdout; return its exit code and what it showed."""
    master, slave = pty.openpty()
    argv = [sys.executable, "-m", "viewer", *args, "--quiet"]
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
    return child.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace")


def test_colour_on_a_terminal_only(exports: Path) -> None:
    broken = str(exports / "broken.zip")
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    code, shown = on_a_terminal("verify", broken, env=env)  # --color auto, the default
    assert code == 1
    assert "\x1b[33mincomplete\x1b[0m" in shown  # the status in its colour
    assert "\x1b[" not in cli("verify", broken).stdout  # a pipe: no colour
    assert "\x1b[" not in on_a_terminal("verify", broken, env={**env, "NO_COLOR": "1"})[1]
    assert "\x1b[" not in on_a_terminal("verify", broken, "--color", "never", env=env)[1]
    assert "\x1b[33mincomplete" in cli("verify", broken, "--color", "always").stdout


def test_the_text_report_starts_with_the_summary(exports: Path) -> None:
    import hashlib

    plain = cli("verify", str(exports / "broken.zip")).stdout
    sha = hashlib.sha256((exports / "broken.zip").read_bytes()).hexdigest()
    lines = plain.splitlines()
    assert lines[:5] == [
        "broken.zip: incomplete  (1 error, 1 warning, 1 note)",
        "coverage 92.9 % of documented fields (104/112); services present 18/19; "
        "269 records in 18 tables",
        f"encryption none; sha256 {sha}",
        "contract xiaomi-cloud 2025.1",
        "",
    ]
    assert lines[5].strip() == "Services"
    titles = [line.strip() for line in lines if line.strip().endswith(("fields", "(missing)"))]
    assert titles[:2] == ["Recorder (recorder): fields", "Contacts (contacts): fields"]
    assert "Notes (notes): fields (missing)" in titles  # a table for every service
    assert len(titles) == 19
    findings = next(n for n, line in enumerate(lines) if line.strip() == "Findings")
    assert findings > lines.index(next(x for x in lines if "(gift_membership): fields" in x))
    assert "┃ field " in plain and "┃ keys found " in plain and "┃ coverage ┃" in plain
    tail = plain[plain.index("How completeness is measured") :]
    assert "Field coverage is the share of the service's records" in tail
    assert "Service coverage is the share of the service's documented fields" in tail
    assert "Overall coverage is the share of all documented fields" in tail


def test_max_findings_through_the_command(exports: Path) -> None:
    broken = str(exports / "broken.zip")
    text = cli("verify", broken, "--max-findings", "1")
    assert text.returncode == 1
    assert text.stdout.splitlines()[4] == (
        "partial: the list of findings was capped (--max-findings)"
    )
    assert text.stdout.count("service-missing") == 1 and "export-date" not in text.stdout
    page = cli("verify", broken, "--max-findings", "1", "--format", "html").stdout
    assert '<p class="warning">Partial: the list of findings was capped.</p>' in page
    report = json.loads(cli("verify", broken, "--max-findings", "0", "--format", "json").stdout)
    assert (report["summary"]["partial"], report["findings"]) == (True, [])
    for many in ([broken], [broken, str(exports / "clean.zip")]):
        bad = cli("verify", *many, "--max-findings", "-1")
        assert bad.returncode == 2
        assert bad.stderr == "error: --max-findings must be 0 or more, not -1\n"
        assert bad.stdout == ""


def test_the_html_report_is_printable(exports: Path) -> None:
    page = cli("verify", str(exports / "broken.zip"), "--format", "html").stdout
    style = page[page.index("<style>") : page.index("</style>")]
    printed = style[style.index("@media print {") :]
    assert "--bg: #ffffff;" in printed  # white paper, even for a dark screen
    assert ".report tr, .report dl, .report li { break-inside: avoid; }" in printed
    assert ".report thead { display: table-header-group; }" in printed  # headers on every page
    assert page.count("<style>") == 1 and "<link" not in page  # nothing to fetch when printed


def test_several_exports_without_an_output_folder(exports: Path) -> None:
    both = [str(exports / "broken.zip"), str(exports / "clean.zip")]
    text = cli("verify", *both, "--password-file", str(exports / "pw"))
    assert text.returncode == 1
    assert text.stdout.count("(sms): fields") == 2 and "Summary" in text.stdout
    assert "broken.zip │ incomplete" in text.stdout and "clean.zip  │ complete" in text.stdout
    assert "│ notes               │      0.0 % │   100.0 % │" in text.stdout  # per service
    for fmt in ("json", "html"):
        result = cli("verify", *both, "--format", fmt)
        assert result.returncode == 2
        assert result.stderr == (
            f"error: several exports give one {fmt} report each: pass --output DIR for them\n"
        )


def test_one_export_into_an_existing_folder_gets_a_report_and_a_summary(
    exports: Path, tmp_path: Path
) -> None:
    out = tmp_path / "reports"
    out.mkdir()
    result = cli("verify", str(exports / "broken.zip"), "--format", "json", "--output", str(out))
    assert result.returncode == 1
    assert sorted(p.name for p in out.iterdir()) == [
        "broken.report.json", "summary.csv", "summary.html"]  # fmt: skip
    taken = tmp_path / "file"
    taken.write_text("", encoding="utf-8")
    both = [str(exports / "broken.zip"), str(exports / "clean.zip")]
    clash = cli("verify", *both, "--output", str(taken))
    assert clash.returncode == 2
    assert clash.stderr == f"error: cannot make the folder {taken}: File exists\n"


def test_the_summary_has_a_row_per_export_and_coverage_per_service(
    exports: Path, tmp_path: Path
) -> None:
    import hashlib

    out = tmp_path / "reports"
    both = [exports / "broken.zip", exports / "clean.zip"]
    args = [*map(str, both), "--password-file", str(exports / "pw"), "--output", str(out)]
    assert cli("verify", *args).returncode == 1
    sha = [hashlib.sha256(p.read_bytes()).hexdigest() for p in both]
    ids = ("recorder,contacts,find_device,sms,call_log,notes,mi_card,browser,cloud_card,"
           "app_backup,music,calendar,lending,app_search,phrases,clipboard,user_quota,"
           "service_quota_usage,gift_membership")  # fmt: skip
    assert (out / "summary.csv").read_text(encoding="utf-8") == (
        f"export,sha256,status,errors,warnings,records,coverage,{ids}\n"
        f"broken.zip,{sha[0]},incomplete,1,1,269,0.9286,{'1.0,' * 5}0.0,{'1.0,' * 12}1.0\n"
        f"clean.zip,{sha[1]},complete,0,0,271,1.0,{'1.0,' * 18}1.0\n"
    )
    page = (out / "summary.html").read_text(encoding="utf-8")
    rows = table_rows(page)
    assert rows[0] == ["Export", "Status", "Errors", "Warnings", "Records", "Coverage",
                       *ids.split(",")]  # fmt: skip
    assert rows[1:] == [
        ["broken.zip", "incomplete", "1", "1", "269", "92.9 %",
         *["100.0 %"] * 5, "0.0 %", *["100.0 %"] * 13],
        ["clean.zip", "complete", "0", "0", "271", "100.0 %", *["100.0 %"] * 19],
    ]  # fmt: skip


def test_the_json_report_is_the_same_in_every_process(exports: Path, tmp_path: Path) -> None:
    path = tmp_path / "e.zip"
    defects = ["not-exportable:vip", "undocumented-field:sms.simSlot", "undocumented-table:x"]
    write_sample(path, seed=4, records=250, password=None, defects=defects)
    outputs = []
    for seed in ("1", "2", "3"):  # set iteration order differs between hash seeds
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run(
            [sys.executable, "-m", "viewer", "verify", str(path), "--format", "json", "--quiet"],
            capture_output=True, text=True, check=False, env=env,
        )  # fmt: skip
        report = json.loads(result.stdout)
        report.pop("generated_at")
        outputs.append(json.dumps(report))
    assert outputs[0] == outputs[1] == outputs[2]
