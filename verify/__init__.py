"""Contract loading, checks and reports: does an export hold what its provider documents?"""

from __future__ import annotations
