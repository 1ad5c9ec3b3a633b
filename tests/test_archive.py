"""Opening exports: every supported kind and encryption, and every hostile archive, exactly."""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import pytest
import pyzipper

from tests.zipfactory import Raw, deflate, have_tools, make_zip, raw_zip, tool_zip, write_tree
from viewer.archive import Archive, open_archive
from viewer.cli import main
from viewer.errors import ArchiveError, LimitExceededError
from viewer.limits import Limits, parse_size

REPO = Path(__file__).resolve().parent.parent
SHELL = "p@ss w\"o'rd$`!;&|*(){}<>\\ -x"  # 7-Zip takes only ASCII passwords for ZIP
SPECIAL = SHELL + " é€"  # UTF-8, as pyzipper and WinZip write it
TABLES = {"sms.json": {"sms": [{"id": 1}, {"id": 2}]}, "notes.json": {"notes": [{"id": "n"}]}}
tools = pytest.mark.skipif(not have_tools(), reason="zip and 7z are not installed")
pytestmark = pytest.mark.usefixtures("nothing_outside")


def never(name: str) -> str:
    raise AssertionError(f"asked for a password for unencrypted {name}")


def given(password: str) -> object:
    return lambda name: password


def read_all(archive: Archive) -> dict[str, bytes]:
    return {e.name: b"".join(archive.chunks(e)) for e in archive.entries}


def failure(path: Path, password: str = "pw", limits: Limits | None = None) -> str:  # noqa: S107
    with (
        pytest.raises(ArchiveError) as caught,
        open_archive(path, password=lambda _n: password, limits=limits) as archive,
    ):
        read_all(archive)
    return str(caught.value)


@pytest.mark.parametrize(("bits", "label"), [(128, "aes-128"), (192, "aes-192"), (256, "aes-256")])
def test_aes_zip_opens_and_names_its_strength(tmp_path: Path, bits: int, label: str) -> None:
    path = make_zip(tmp_path / "e.zip", TABLES, password=SPECIAL, bits=bits)
    with open_archive(path, password=lambda _n: SPECIAL) as archive:
        assert read_all(archive)["sms.json"] == b'{"sms": [{"id": 1}, {"id": 2}]}'
        info = archive.info()
    assert (info.kind, info.encryption, info.entries) == ("zip", label, 2)
    assert info.sha256 == __import__("hashlib").sha256(path.read_bytes()).hexdigest()


def test_plain_zip_never_asks_for_a_password(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "e.zip", TABLES, stored=True)
    with open_archive(path, password=never) as archive:
        assert sorted(read_all(archive)) == ["notes.json", "sms.json"]
        assert archive.info().encryption == "none"


@pytest.mark.tools
@tools
@pytest.mark.parametrize(
    ("tool", "label"), [("zip", "zipcrypto"), ("7z-aes", "aes-256"), ("7z-zipcrypto", "zipcrypto")]
)
def test_tool_made_zips_open_with_shell_special_passwords(
    tmp_path: Path, tool: str, label: str
) -> None:
    entries = {f"export/{k}": v for k, v in TABLES.items()}
    path = tool_zip(tmp_path / "e.zip", entries, SHELL, tool)
    with open_archive(path, password=lambda _n: SHELL) as archive:
        data = read_all(archive)
        assert archive.info().encryption == label
    assert data["export/notes.json"] == b'{"notes": [{"id": "n"}]}'


def test_wrong_password_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = make_zip(tmp_path / "export.zip", TABLES, password="right")
    assert failure(path, "wrong") == "wrong password for export.zip"
    (tmp_path / "pw").write_text("wrong\n")
    code = main(["info", str(path), "--password-file", str(tmp_path / "pw")])
    assert (code, capsys.readouterr().err) == (2, "error: wrong password for export.zip\n")


def _zipcrypto_collision(path: Path) -> str:
    """Find, deterministically, a wrong password that passes the ZipCrypto check byte."""
    with pyzipper.AESZipFile(path) as zf:
        for i in range(100_000):
            candidate = f"wrong-{i}"
            try:
                zf.open(zf.infolist()[0], pwd=candidate.encode()).close()
            except RuntimeError:
                continue
            return candidate
    raise AssertionError("no candidate passed the check byte")


@pytest.mark.tools
@tools
@pytest.mark.parametrize("tool", ["zip", "7z-zipcrypto"])
def test_zipcrypto_wrong_password_passing_the_check_byte(tmp_path: Path, tool: str) -> None:
    path = tool_zip(tmp_path / "export.zip", {"sms.json": TABLES["sms.json"]}, "right", tool)
    candidate = _zipcrypto_collision(path)
    assert failure(path, candidate) == "wrong password for export.zip"


def test_aes_wrong_password_passing_the_verifier() -> None:
    # Committed fixture: made by pyzipper with "right password"; "wrong-N" below matches its 2-byte
    # password verifier (found once by search: about 1 in 65,536), so only the HMAC can tell.
    path = REPO / "tests" / "fixtures" / "aes-verifier-collision.zip"
    wrong = (REPO / "tests" / "fixtures" / "aes-verifier-collision.txt").read_text().strip()
    with open_archive(path, password=lambda _n: "right password") as archive:
        assert b'"hello"' in read_all(archive)["sms.json"]
    assert failure(path, wrong) == ("wrong password for aes-verifier-collision.zip")


def test_damaged_aes_entry_fails_its_hmac(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "export.zip", {"sms.json": b"x" * 4000}, password="pw", stored=True)
    raw = bytearray(path.read_bytes())
    raw[200] ^= 0xFF  # inside the encrypted data
    path.write_bytes(bytes(raw))
    assert failure(path) == "wrong password for export.zip"


def test_damaged_plain_entry_names_the_crc(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    path.write_bytes(raw_zip([Raw("sms.json", b'{"sms": []}', crc=1234)]))
    assert failure(path) == "export.zip: entry sms.json is damaged (CRC mismatch)"


SYMLINK = (0o120777 << 16) | 0x20
HOSTILE = [
    ([Raw("../evil.json")], "export.zip: entry ../evil.json points outside the archive (..)"),
    (
        [Raw("a/../../evil.json")],
        "export.zip: entry a/../../evil.json points outside the archive (..)",
    ),
    ([Raw("/etc/evil.json")], "export.zip: entry /etc/evil.json has an absolute path"),
    ([Raw("\\evil.json")], "export.zip: entry \\evil.json has an absolute path"),
    ([Raw("C:/evil.json")], "export.zip: entry C:/evil.json has a drive letter"),
    ([Raw("link.json", external_attr=SYMLINK)], "export.zip: entry link.json is a symbolic link"),
    ([Raw("a.json"), Raw("a.json")], "export.zip: entry a.json appears twice"),
    ([Raw("a.json"), Raw("./a.json")], "export.zip: entry ./a.json appears twice"),
    (
        [Raw("a.json", method=12)],
        "export.zip: entry a.json uses compression method 12 (bzip2); "
        "only stored and deflated are supported",
    ),
    (
        [Raw("a.json", method=14)],
        "export.zip: entry a.json uses compression method 14 (lzma); "
        "only stored and deflated are supported",
    ),
    (
        [Raw("a.json", flags=0x41)],
        "export.zip: entry a.json uses PKWARE strong encryption, which is not supported",
    ),
    (
        [Raw("a.json", b"x" * 100), Raw("b.json", b"x" * 100, offset=0, local=False)],
        "export.zip: entry b.json overlaps entry a.json (a zip bomb?)",
    ),
    ([Raw("notes.txt", b"hello")], "export.zip: no .json entry found"),
    ([Raw("__MACOSX/._a.json")], "export.zip: no .json entry found"),
    (
        [Raw("a.json", version=255)],
        "export.zip: an entry needs a ZIP version this tool cannot read (zip file version 25.5)",
    ),
    *(
        (
            [Raw("a.json", flags=flags)],
            "export.zip: entry a.json uses a ZIP feature that is not supported "
            "(compressed patched data (flag bit 5))",
        )
        for flags in (0x20, 0x21)  # plain, and "encrypted": not a wrong password either
    ),
]


@pytest.mark.parametrize(("entries", "message"), HOSTILE)
def test_hostile_directories_are_refused_before_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], entries: list[Raw], message: str
) -> None:
    path = tmp_path / "export.zip"
    path.write_bytes(raw_zip(entries))
    assert failure(path) == message
    (tmp_path / "pw").write_text("pw\n", encoding="utf-8")
    assert main(["info", str(path), "--password-file", str(tmp_path / "pw"), "--quiet"]) == 2
    assert capsys.readouterr() == ("", f"error: {message}\n")


def test_cli_turns_a_hostile_archive_into_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "export.zip"
    path.write_bytes(raw_zip([Raw("../evil.json")]))
    assert main(["info", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.err == "error: export.zip: entry ../evil.json points outside the archive (..)\n"
    assert captured.out == ""


def test_declared_sizes_above_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    entries = [Raw(f"t{i}.json", file_size=0xFFFFFFF0) for i in range(9)]
    path.write_bytes(raw_zip(entries))
    with pytest.raises(LimitExceededError) as caught:
        open_archive(path, password=never)
    assert str(caught.value) == (
        "export.zip: declared size 36.0 GiB exceeds the cap of 32.0 GiB (see --max-size)"
    )
    small = make_zip(tmp_path / "small.zip", {"a.json": b"[" + b" " * 5000 + b"]"})
    assert failure(small, limits=Limits().with_max_size(parse_size("4K"))) == (
        "small.zip: declared size 4.9 KiB exceeds the cap of 4.0 KiB (see --max-size)"
    )


def test_ratio_bomb_is_refused_without_inflating(tmp_path: Path) -> None:
    zeros = deflate(b"0" * (64 * 1024 * 1024))  # 64 MiB of zeros in about 64 KiB
    path = tmp_path / "export.zip"
    path.write_bytes(raw_zip([Raw("bomb.json", zeros, method=8)]))
    message = failure(path)
    assert message.startswith("export.zip: entry bomb.json expands ")
    assert message.endswith(" times, above the cap of 250 (a zip bomb? see --max-size)")


def test_too_many_entries(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    path.write_bytes(raw_zip([Raw(f"{i}.json") for i in range(11)]))
    assert failure(path, limits=Limits(max_entries=10)) == (
        "export.zip: 11 entries exceed the cap of 10 (see --max-size)"
    )


def test_entry_that_inflates_to_less_than_declared_is_truncated(tmp_path: Path) -> None:
    data = deflate(b'{"sms": []}')
    path = tmp_path / "export.zip"
    path.write_bytes(raw_zip([Raw("a.json", data, method=8, file_size=5000)]))
    assert failure(path) == "export.zip: truncated or damaged archive (entry a.json ends early)"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "export.zip: not a ZIP archive"),
        (b"hello, this is no zip at all", "export.zip: not a ZIP archive"),
        (
            b"PK\x03\x04" + b"\0" * 40,
            "export.zip: truncated or damaged ZIP archive (no readable central directory)",
        ),
    ],
)
def test_not_a_zip(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "export.zip"
    path.write_bytes(content)
    assert failure(path) == message


def test_truncated_zip(tmp_path: Path) -> None:
    whole = make_zip(tmp_path / "whole.zip", TABLES, password="pw").read_bytes()
    path = tmp_path / "export.zip"
    path.write_bytes(whole[: len(whole) // 2])
    assert failure(path) == (
        "export.zip: truncated or damaged ZIP archive (no readable central directory)"
    )
    # Central directory intact but the data before it cut out: the offsets point past the data.
    path.write_bytes(whole[:40] + whole[-200:])
    assert failure(path).startswith("export.zip: ")


def test_missing_file(tmp_path: Path) -> None:
    assert failure(tmp_path / "nope.zip") == f"{tmp_path / 'nope.zip'}: no such file or folder"


def test_folder_and_single_json(tmp_path: Path) -> None:
    folder = write_tree(tmp_path / "export", {**TABLES, "readme.txt": b"hi", "x/c.json": []})
    os.symlink("/etc/passwd", folder / "evil.json")
    with open_archive(folder, password=never) as archive:
        assert [e.name for e in archive.entries] == ["notes.json", "sms.json", "x/c.json"]
        info = archive.info()
    assert (info.kind, info.encryption, info.entries) == ("folder", "none", 3)
    single = folder / "sms.json"
    with open_archive(single, password=never) as archive:
        assert read_all(archive) == {"sms.json": single.read_bytes()}
        assert archive.info().kind == "json"


def test_parse_size() -> None:
    assert [parse_size(s) for s in ("10", "4k", "2.5G", "1MiB")] == [10, 4096, 2684354560, 1048576]
    with pytest.raises(ArchiveError.__base__):  # UsageError, a sibling of ArchiveError
        parse_size("lots")


def test_crc_helper_matches_zlib() -> None:
    # The hostile builder must write real CRCs for honest entries, or every test above lies.
    assert zlib.crc32(b"{}") == 2745614147


def as_ae1(path: Path) -> Path:
    """Rewrite a pyzipper (AE-2) archive as AE-1, as WinZip writes it: version 1, real CRCs."""
    import struct
    import zlib

    data = bytearray(path.read_bytes())
    with pyzipper.AESZipFile(path) as zf:
        members = zf.infolist()
        start = zf.start_dir
        zf.setpassword(SPECIAL.encode())
        plain = {m.filename: zf.read(m) for m in members}
    assert data.count(b"\x01\x99\x07\x00\x02\x00AE") == 2 * len(members)
    data[:] = data.replace(b"\x01\x99\x07\x00\x02\x00AE", b"\x01\x99\x07\x00\x01\x00AE")
    central = start
    for member in members:
        crc = struct.pack("<L", zlib.crc32(plain[member.filename]))
        data[member.header_offset + 14 : member.header_offset + 18] = crc
        assert data[central : central + 4] == b"PK\x01\x02"
        data[central + 16 : central + 20] = crc
        name_len, extra_len, comment_len = struct.unpack("<3H", data[central + 28 : central + 34])
        central += 46 + name_len + extra_len + comment_len
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(("bits", "label"), [(128, "aes-128"), (192, "aes-192"), (256, "aes-256")])
def test_ae1_archives_open_and_their_crc_is_checked(tmp_path: Path, bits: int, label: str) -> None:
    path = as_ae1(make_zip(tmp_path / "e.zip", TABLES, password=SPECIAL, bits=bits))
    with pyzipper.AESZipFile(path) as zf:
        assert {m.wz_aes_version for m in zf.infolist()} == {1}
    with open_archive(path, password=lambda _n: SPECIAL) as archive:
        assert read_all(archive)["sms.json"] == b'{"sms": [{"id": 1}, {"id": 2}]}'
        assert archive.info().encryption == label
    # AE-1 keeps the plaintext CRC: a wrong one is caught after decryption, and reads as a
    # wrong password would (the two cannot be told apart; the README says so).
    data = bytearray(path.read_bytes())
    data[14:18] = b"\x00\x00\x00\x00"
    start = data.index(b"PK\x01\x02")
    data[start + 16 : start + 20] = b"\x00\x00\x00\x00"
    path.write_bytes(bytes(data))
    assert failure(path, SPECIAL) == "wrong password for e.zip"


CAPS = [
    (
        [Raw("a.json", b"[" + b" " * 3000 + b"]"), Raw("b.json", b"[" + b" " * 3000 + b"]")],
        Limits(max_total=4000, chunk=1024),
        "export.zip: declared size 5.9 KiB exceeds the cap of 3.9 KiB (see --max-size)",
    ),
    (
        [Raw("a.json", b"x" * 100, compress_size=5000)],
        Limits(),
        "export.zip: truncated or damaged ZIP archive "
        "(entry a.json runs into the central directory)",
    ),
    (
        [Raw("a.json"), Raw("b.json", offset=10**6, local=False)],
        Limits(),
        "export.zip: truncated or damaged ZIP archive (entry b.json starts outside the data)",
    ),
    (
        [Raw("a.json", b"x" * 64), Raw("b.json", offset=10, local=False)],
        Limits(),
        "export.zip: entry b.json has no local header where the directory says "
        "(damaged or crafted)",
    ),
]


@pytest.mark.parametrize(("entries", "limits", "message"), CAPS)
def test_caps_and_lying_headers_are_exact_one_line_errors(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    entries: list[Raw],
    limits: Limits,
    message: str,
) -> None:
    path = tmp_path / "export.zip"
    path.write_bytes(raw_zip(entries))
    assert failure(path, limits=limits) == message
    if limits == Limits():  # the default caps: the command says the same, on one line, exit 2
        assert main(["info", str(path), "--quiet"]) == 2
        assert capsys.readouterr().err == f"error: {message}\n"


def test_bytes_actually_read_are_capped_while_streaming(tmp_path: Path) -> None:
    # ZIP readers stop at the declared size; a folder's file can grow after it was looked at.
    folder = write_tree(tmp_path / "unpacked", {"a.json": b"[]", "b.json": b"[]"})
    with open_archive(folder, password=never) as archive:
        (folder / "a.json").write_bytes(b"[" + b" " * 5000 + b"]")
        with pytest.raises(LimitExceededError) as caught:
            read_all(archive)
    assert str(caught.value) == "unpacked: entry a.json holds more data than it declares"
    # Each entry within its size, all of them past the cap on what is read in all.
    write_tree(folder, {"a.json": b" " * 3000, "b.json": b" " * 3000})
    with open_archive(folder, password=never) as archive:
        archive.limits = Limits(max_total=4000, chunk=1024)
        with pytest.raises(LimitExceededError) as caught:
            read_all(archive)
    assert str(caught.value) == "unpacked: more than 3.9 KiB of data read, the cap (see --max-size)"


def test_folders_without_json_or_with_too_many_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    (empty / "sub").mkdir(parents=True)
    (empty / "sub" / "notes.txt").write_text("x", encoding="utf-8")
    assert failure(empty) == "empty: no .json file found in the folder"
    assert main(["info", str(empty), "--quiet"]) == 2
    assert capsys.readouterr() == ("", "error: empty: no .json file found in the folder\n")
    many = tmp_path / "many"
    write_tree(many, {f"t{i}.json": {"t": []} for i in range(12)})
    assert failure(many, limits=Limits(max_entries=10)) == (
        "many: more than 10 entries, the cap (see --max-size)"
    )


def test_truncated_and_bombed_archives_have_exact_messages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    whole = make_zip(tmp_path / "whole.zip", TABLES, password="pw")
    cut = tmp_path / "cut.zip"
    cut.write_bytes(whole.read_bytes()[:-30])
    zeros = deflate(b"0" * (8 * 1024 * 1024))
    bomb = tmp_path / "bomb.zip"
    bomb.write_bytes(raw_zip([Raw("bomb.json", zeros, method=8)]))
    ratio = (8 * 1024 * 1024) / len(zeros)
    for path, message in (
        (cut, "cut.zip: truncated or damaged ZIP archive (no readable central directory)"),
        (
            bomb,
            f"bomb.zip: entry bomb.json expands {ratio:.0f} times, above the cap of 250 "
            "(a zip bomb? see --max-size)",
        ),
    ):
        assert failure(path) == message
        assert main(["info", str(path), "--quiet"]) == 2
        assert capsys.readouterr() == ("", f"error: {message}\n")


def _header_bytes(data: bytes, path: Path) -> list[int]:
    """Return the offsets of every header byte: local headers, central directory, its end."""
    with pyzipper.AESZipFile(path) as zf:
        starts, end_of_data = [m.header_offset for m in zf.infolist()], zf.start_dir
    spans = [(end_of_data, len(data))]
    for start in starts:
        name_len, extra_len = struct.unpack_from("<2H", data, start + 26)
        spans.append((start, start + 30 + name_len + extra_len))
    return [i for start, end in spans for i in range(start, min(end, len(data)))]


@pytest.mark.parametrize("password", [None, "pw"])
def test_any_changed_header_byte_is_a_clean_error_or_still_opens(
    tmp_path: Path, password: str | None
) -> None:
    path = make_zip(tmp_path / "export.zip", TABLES, password=password)
    data = path.read_bytes()
    unexpected: list[tuple[int, int, str]] = []
    for offset in _header_bytes(data, path):
        for value in {0x00, 0xFF, data[offset] ^ 0x01}:
            changed = bytearray(data)
            changed[offset] = value
            path.write_bytes(bytes(changed))
            try:
                with open_archive(path, password=lambda _n: "pw") as archive:
                    read_all(archive)
            except ArchiveError:
                continue
            except Exception as exc:  # anything else would be a traceback for the user
                unexpected.append((offset, value, repr(exc)))
    assert unexpected == []
