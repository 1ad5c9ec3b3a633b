"""One exception tree for everything the tool reports to a user as `error: ...` (exit 2)."""

from __future__ import annotations


class ExportViewerError(Exception):
    """Base class: a problem the user can act on, shown as one line."""

    exit_code = 2


class UsageError(ExportViewerError):
    """The command line or an input file given by the user is not usable."""


class ContractError(ExportViewerError):
    """A contract or mapping file is missing, malformed or inconsistent."""


class ArchiveError(ExportViewerError):
    """The export cannot be opened: not a ZIP, truncated, hostile or unsupported."""


class WrongPasswordError(ArchiveError):
    """The password does not decrypt the export (or it is corrupt in a way that looks alike)."""


class LimitExceededError(ArchiveError):
    """The export exceeds a safety cap (entries, sizes, ratio, nesting)."""


class DependencyError(ExportViewerError):
    """A required library or system tool is missing or unusable."""


class OutputError(ExportViewerError):
    """An output file or folder cannot be written as asked."""
