"""Convert an opened export into open formats other providers import, with a manifest.

`convert(store, contract, ["vcard", "sqlite"], out_dir, options=ConvertOptions())` writes each
format into its own subfolder of `out_dir` (0700, files 0600), then `manifest.json` and `README.md`,
and returns the Manifest: every file with sha256, and per table and format the records in, out and
skipped (with reasons). Records in always equal records out plus skipped, or ConversionLossError.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from verify.contract import Contract
from viewer.convert.context import Context, ConvertOptions, get_path
from viewer.convert.manifest import ConversionLossError, Manifest, write_manifest
from viewer.convert.outdir import prepare_out_dir
from viewer.errors import UsageError

if TYPE_CHECKING:
    from viewer.store import Store

__all__ = ["FORMATS", "ConversionLossError", "ConvertOptions", "Manifest", "convert",
           "get_path", "parse_formats"]  # fmt: skip

Converter = Callable[[Context], None]

# The registry, in the order formats run (csv before datapackage, which describes its files).
# Converters are imported when used, so that the command line starts fast.
FORMATS: Mapping[str, str] = {
    "vcard": "viewer.convert.vcard:convert_vcard",
    "ics": "viewer.convert.ics:convert_ics",
    "sms-xml": "viewer.convert.smsxml:convert_sms_xml",
    "markdown": "viewer.convert.markdown:convert_markdown",
    "csv": "viewer.convert.tabular:convert_csv",
    "jsonl": "viewer.convert.tabular:convert_jsonl",
    "sqlite": "viewer.convert.sqlite:convert_sqlite",
    "datapackage": "viewer.convert.datapackage:convert_datapackage",
}


def converter(name: str) -> Converter:
    """Return the function that writes one format."""
    module, _, function = FORMATS[name].partition(":")
    found: Converter = getattr(importlib.import_module(module), function)
    return found


def parse_formats(text: str | Iterable[str]) -> list[str]:
    """Return the formats named in "a,b" (or a list), in registry order; `all` means every one."""
    names = text.split(",") if isinstance(text, str) else list(text)
    wanted = {name.strip().lower() for name in names if name.strip()}
    unknown = sorted(wanted - set(FORMATS) - {"all"})
    if unknown or not wanted:
        choices = ", ".join([*FORMATS, "all"])
        raise UsageError(f"unknown format {', '.join(unknown) or '(none)'}: choose from {choices}")
    return [name for name in FORMATS if "all" in wanted or name in wanted]


def convert(
    store: Store,
    contract: Contract,
    formats: Iterable[str],
    out_dir: Path,
    *,
    options: ConvertOptions | None = None,
    force: bool = False,
    source: dict[str, Any] | None = None,
) -> Manifest:
    """Write the formats into out_dir with manifest.json and README.md; return the Manifest."""
    chosen = parse_formats(list(formats))
    out = prepare_out_dir(Path(out_dir), force=force)
    manifest = Manifest(out, chosen, source=dict(source or {}))
    ctx = Context(store, contract, out, options or ConvertOptions(), manifest)
    for name in chosen:
        converter(name)(ctx)
    write_manifest(manifest)
    return manifest
