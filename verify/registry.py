"""The registry of checks: each one's stable code, severity and message template in every language.

A finding keeps its template's values as data (names, counts, shares), never as text, so that
one template per language renders it: English for the stable `message`, Swedish for the viewer's
Swedish report page. Nothing here holds a value from the export; the values are filled in by
`verify.checks` from names, counts and positions only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias

from verify.contract import Text

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}
LANGUAGES = ("en", "sv")  # every template exists in each (tested against the viewer's languages)

# A template value: a name in every language, a count, a share (0..1), a list of names or a code.
Param: TypeAlias = Text | int | float | str | Sequence[str]


@dataclass(frozen=True)
class Check:
    """A check's stable code, group, default severity, message templates and description."""

    code: str
    group: str
    severity: str
    en: str
    sv: str
    description: str

    def template(self, lang: str) -> str:
        """Return the message template in `lang` (English for a language it does not have)."""
        return self.sv if lang == "sv" else self.en


CHECKS: dict[str, Check] = {
    c.code: c
    for c in (
        Check(
            "encryption-weak", "archive", WARNING,
            "the archive uses ZipCrypto, which is weak encryption",
            "arkivet använder ZipCrypto, en svag kryptering",
            "The export is encrypted with ZipCrypto instead of AES.",
        ),
        Check(
            "encryption-none", "archive", WARNING,
            "the archive is not encrypted",
            "arkivet är inte krypterat",
            "The export as given is not encrypted.",
        ),
        Check(
            "export-date", "archive", INFO,
            "exported on {date} ({source}); the download link is valid until {until} ({days} days)",
            "exporterad {date} ({source}); nedladdningslänken gäller till {until} ({days} dagar)",
            "When the export was made, where that date comes from, and when its link expires.",
        ),
        Check(
            "json-invalid", "structure", ERROR,
            "{file}, {position}: {problem}",
            "{file}, {position}: filen kunde inte läsas som JSON ({problem})",
            "A file is not valid JSON.",
        ),
        Check(
            "structure-invalid", "structure", ERROR,
            "{file}, {position}: {problem}",
            "{file}, {position}: filen har inte formen tabellnamn: [poster] ({problem})",
            "A file is JSON but not `table name: [records]`.",
        ),
        Check(
            "service-missing", "coverage", ERROR,
            "no table of service {service} was found (expected one of: {tables})",
            "ingen tabell för tjänsten {service} hittades (väntade en av: {tables})",
            "A documented service has no table.",
        ),
        Check(
            "service-empty", "coverage", WARNING,
            "table {table} of service {service} has no records",
            "tabellen {table} för tjänsten {service} har inga poster",
            "A documented service's table is present but empty.",
        ),
        Check(
            "metadata-missing", "coverage", ERROR,
            "no table of metadata group {service} was found (expected one of: {tables})",
            "ingen tabell för metadatagruppen {service} hittades (väntade en av: {tables})",
            "A documented metadata group has no table.",
        ),
        Check(
            "field-missing", "coverage", ERROR,
            "field {field} of {service} is in no record (keys looked for: {keys})",
            "fältet {field} i {service} finns inte i någon post (nycklar som söktes: {keys})",
            "A documented field is in no record of its service.",
        ),
        Check(
            "field-partial", "coverage", WARNING,
            "field {field} of {service} is in {present} of {records} records ({share})",
            "fältet {field} i {service} finns i {present} av {records} poster ({share})",
            "A documented field is in some records only.",
        ),
        Check(
            "type-mismatch", "values", ERROR,
            "field {field} of {service} has {count} values that are not of type {type}",
            "fältet {field} i {service} har {count} värden som inte är av typen {type}",
            "A value does not have its documented type.",
        ),
        Check(
            "timestamp-invalid", "values", ERROR,
            "field {field} of {service} has {count} implausible times ({reason})",
            "fältet {field} i {service} har {count} orimliga tider ({reason})",
            "A time is unparseable, before 2000, in the "
            "future, or in seconds where milliseconds are documented (or the reverse).",
        ),
        Check(
            "time-order", "values", WARNING,
            "{count} records of {service} were created after they were updated or deleted",
            "{count} poster i {service} skapades efter att de uppdaterades eller raderades",
            "Creation time later than update or deletion time.",
        ),
        Check(
            "duplicate-id", "values", ERROR,
            "{count} records of {table} repeat an id already seen",
            "{count} poster i {table} har ett id som redan förekommit",
            "Two records of a table share an identifier.",
        ),
        Check(
            "status-unknown", "values", WARNING,
            "field {field} of {service} has {count} "
            "values outside the documented vocabulary ({values})",
            "fältet {field} i {service} har {count} "
            "värden utanför de dokumenterade värdena ({values})",
            "A status value outside the documented vocabulary.",
        ),
        Check(
            "undocumented-table", "scope", WARNING,
            "table {table} ({records} records) is not in the documented contract",
            "tabellen {table} ({records} poster) finns inte i det dokumenterade kontraktet",
            "A table the contract does not document.",
        ),
        Check(
            "undocumented-field", "scope", WARNING,
            "key {field} of table {table} ({count} records) is not a documented field",
            "nyckeln {field} i tabellen {table} ({count} poster) är inte ett dokumenterat fält",
            "A key the contract does not document.",
        ),
        Check(
            "not-exportable-present", "scope", ERROR,
            "data of category {category}, documented as not exportable, is in the export ({where})",
            "data i kategorin {category}, som enligt dokumentationen inte exporteras, "
            "finns i exporten ({where})",
            "A category documented as not exportable is in the export.",
        ),
    )
}  # fmt: skip


def render_message(code: str, params: Mapping[str, Param], lang: str = "en") -> str:
    """Return the message of check `code` in `lang`, its values written the language's way."""
    shown = {name: _shown(value, lang) for name, value in params.items()}
    return CHECKS[code].template(lang).format_map(shown)


def _shown(value: Param, lang: str) -> str:
    if isinstance(value, Text):
        return value.get(lang)
    if isinstance(value, str):
        return value
    if not isinstance(value, (int, float)):
        return ", ".join(value)
    if lang == "en":  # the stable message: plain digits, as it always was
        return str(value) if isinstance(value, int) else f"{value:.1%}"
    from viewer.site.i18n import Formats  # Babel, only for the pages in other languages

    formats = Formats(lang)
    return formats.number(value) if isinstance(value, int) else formats.percent(value)
