"""Safety caps for opening an untrusted export: entries, sizes, ratio, nesting."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from viewer.errors import UsageError

GIB = 1024**3
_UNITS = {"": 1, "B": 1, "K": 1024, "M": 1024**2, "G": GIB, "T": 1024**4}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:I?B)?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Limits:
    """Caps checked before and while reading; the defaults fit a real 10 GB export."""

    max_entries: int = 100_000
    max_total: int = 32 * GIB  # declared and actually read uncompressed bytes, all entries
    max_ratio: int = 250  # uncompressed / compressed, for entries above ratio_floor
    ratio_floor: int = 1024 * 1024  # small entries compress well for harmless reasons
    max_depth: int = 64  # JSON nesting below a record's table array
    chunk: int = 256 * 1024  # bytes read and parsed at a time

    def with_max_size(self, size: int) -> Limits:
        """Return these limits for exports up to `size` uncompressed bytes.

        The size caps (declared and actually read) become `size`. A bigger size also raises,
        in proportion, the cap on the number of entries (a bigger export has more files) and
        the one on the compression ratio (a big, repetitive table compresses better); a
        smaller one lowers neither, as a small export is no reason to refuse its files. The
        bytes actually read stay capped at `size` whatever an entry's ratio.
        """
        default = Limits()
        scale = size / default.max_total
        return replace(
            self,
            max_total=size,
            max_entries=max(self.max_entries, int(default.max_entries * scale)),
            max_ratio=max(self.max_ratio, int(default.max_ratio * scale)),
        )


def parse_size(text: str) -> int:
    """Parse a size such as 500M, 10G, 2.5GiB or 123456 into bytes."""
    match = _SIZE.match(text)
    if not match:
        raise UsageError(f"size {text!r} is not a size like 500M, 10G or 123456")
    value = float(match.group(1)) * _UNITS[match.group(2).upper()]
    if value < 1:
        raise UsageError(f"size {text!r} must be at least one byte")
    return int(value)
