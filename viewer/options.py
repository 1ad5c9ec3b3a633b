"""Turn the options every command shares into objects: the contract (with mapping), the password."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from verify.contract import Contract, load_contract
from verify.mapping import apply_mapping
from viewer.errors import UsageError

if TYPE_CHECKING:
    from viewer.loader import LoadResult, RecordSink

PASSWORD_ENV = "EXPORT_VIEWER_PASSWORD"  # noqa: S105 (a variable name)

PasswordSource = Callable[[str], str]
"""Called with the export's name when (and only when) the export turns out to be encrypted."""


def load_contract_from_args(args: argparse.Namespace) -> Contract:
    """Load --contract (or the default) and apply --mapping if given."""
    contract = load_contract(getattr(args, "contract", None))
    mapping = getattr(args, "mapping", None)
    return apply_mapping(contract, mapping) if mapping else contract


def read_password_file(path: str | Path) -> str:
    """Return the first line of a password file, without its line ending."""
    try:
        with open(path, encoding="utf-8") as handle:
            line = handle.readline()
    except OSError as exc:
        raise UsageError(f"cannot read password file {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise UsageError(f"password file {path} is not UTF-8 text") from exc
    password = line.rstrip("\r\n")
    if not password:
        raise UsageError(f"password file {path} is empty")
    return password


def password_source(password_file: str | None) -> PasswordSource:
    """Return the password getter: --password-file, then the environment, then a prompt."""

    def source(name: str) -> str:
        if password_file:
            return read_password_file(password_file)
        from_env = os.environ.get(PASSWORD_ENV)
        if from_env:
            return from_env
        if sys.stdin is not None and sys.stdin.isatty():
            return getpass.getpass(f"Password for {name}: ")
        raise UsageError(
            f"{name} is encrypted: give the password with --password-file FILE "
            f"or the environment variable {PASSWORD_ENV}"
        )

    return source


def add_password_option(parser: argparse.ArgumentParser) -> None:
    """Add --password-file (never a plain --password that would land in shell history)."""
    parser.add_argument(
        "--password-file",
        metavar="FILE",
        help=f"read the password from the first line of FILE (else ${PASSWORD_ENV}, else a prompt)",
    )


def _max_size_help() -> str:
    from viewer.limits import GIB, Limits

    caps = Limits()
    per = f"{caps.max_total // GIB}G"
    return (
        f"cap on the export's uncompressed size, declared and read, e.g. 64G (default {per}); "
        f"a larger SIZE raises the caps on the number of files ({caps.max_entries:,} per {per}) "
        f"and on the compression ratio ({caps.max_ratio} per {per}) in proportion"
    )


def add_open_options(parser: argparse.ArgumentParser) -> None:
    """Add the options of every command that opens an export: password, size cap, store file."""
    add_password_option(parser)
    parser.add_argument(
        "--max-size",
        metavar="SIZE",
        help=_max_size_help(),
    )
    parser.add_argument(
        "--store",
        metavar="FILE",
        help="keep the records in this new SQLite file (created 0600) instead of in memory",
    )


def open_from_args(
    args: argparse.Namespace,
    contract: Contract,
    *,
    keep_records: bool = True,
    sinks: Sequence[RecordSink] = (),
    search: bool = False,
    scratch: Path | None = None,
) -> LoadResult:
    """Open and load args.export with the shared options, drawing progress unless --quiet.

    The full-text index is built only with `search`, or into a --store file (kept for later use).
    `scratch` is a new file for the Store when --store is not given (the caller deletes it).
    """
    from viewer.limits import Limits, parse_size
    from viewer.loader import load_export
    from viewer.progress import progress_bar
    from viewer.store import Store

    limits = Limits()
    if getattr(args, "max_size", None):
        limits = limits.with_max_size(parse_size(args.max_size))
    store_path = getattr(args, "store", None)
    kept = store_path is not None
    store_path = store_path or scratch
    store = Store.open(Path(store_path), contract=contract) if store_path and keep_records else None
    try:
        with progress_bar(quiet=bool(getattr(args, "quiet", False))) as progress:
            return load_export(
                Path(args.export),
                password=password_source(getattr(args, "password_file", None)),
                contract=contract,
                store=store,
                keep_records=keep_records,
                sinks=sinks,
                limits=limits,
                progress=progress,
                search=search or (kept and store is not None),
            )
    except BaseException:
        if store is not None:
            store.close()
        raise
