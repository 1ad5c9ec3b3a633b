"""Run the command line as `python -m viewer`."""

from __future__ import annotations

from viewer.cli import main

raise SystemExit(main())
