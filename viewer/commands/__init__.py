"""One module per command: add_arguments(parser) and run(args) -> exit code."""

from __future__ import annotations
