"""Export Viewer: open, verify, browse and convert a personal-data export, locally."""

from __future__ import annotations

__version__ = "0.1.0"
