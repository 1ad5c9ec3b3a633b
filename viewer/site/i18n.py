"""Languages of the site: gettext catalogs (Babel), one Jinja environment per language, formats."""

from __future__ import annotations

import datetime as dt
import gettext
import io
import re
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING

from babel import Locale
from babel.numbers import format_decimal, get_group_symbol

from viewer.resources import data_path
from viewer.timeparse import ms_to_datetime, to_epoch_ms

if TYPE_CHECKING:
    import jinja2

# Babel's dates and catalogs and Jinja are imported where they are first used: `verify` writes
# numbers in Swedish for its report and should not pay for the rest (a fifth of its start-up).

LANGUAGES = ("en", "sv")
LANGUAGE_NAMES = {"en": "English", "sv": "Svenska"}
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
SIZE_UNITS = ("B", "kB", "MB", "GB", "TB")


def N_(message: str) -> str:
    """Mark a string for translation where it is defined; it is translated where it is shown."""
    return message


# How the viewer names what the archive and the contract say in their own words.
ENCRYPTION_LABELS = {
    "aes-256": N_("AES-256"),
    "aes-192": N_("AES-192"),
    "aes-128": N_("AES-128"),
    "aes": N_("AES"),
    "zipcrypto": N_("ZipCrypto (weak, easily broken)"),
    "none": N_("none: the file is not encrypted"),
    "mixed": N_("mixed: the files are not all encrypted the same way"),
}
YES, NO = N_("yes"), N_("no")
TYPE_LABELS = {
    "text": N_("text"),
    "id": N_("identifier"),
    "timestamp": N_("time"),
    "integer": N_("whole number"),
    "number": N_("number"),
    "size": N_("size in bytes"),
    "url": N_("web address"),
    "status": N_("status"),
    "boolean": N_("yes or no"),
    "object": N_("nested object"),
    "list": N_("list"),
}


def label(labels: dict[str, str], value: str | None, lang: str) -> str:
    """Return a known value's label in `lang`, or the value itself when it has none."""
    if value is None:
        return ""
    message = labels.get(value)
    return translations(lang).gettext(message) if message else value


def catalog_path(lang: str) -> Path:
    """Return the .po file of a language."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """Return the compiled catalog of `lang` (English is the source language)."""
    if lang == "en":
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    with catalog_path(lang).open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    # Compiled in memory at start-up, so no binary .mo needs to be committed or kept in sync.
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def gettext_for(lang: str) -> gettext.NullTranslations:
    """Return the translations Python code uses for strings built outside templates."""
    return translations(lang)


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


# Babel formats a date or time by interpreting its pattern on every call, which is the cost of
# big pages: days and times of day repeat, so each is formatted once per language.
@cache
def _day_text(lang: str, day: dt.date, fmt: str) -> str:
    from babel.dates import format_date

    return str(format_date(day, fmt, locale=_locale(lang)))


_TIME_FIELDS = frozenset({"h", "hh", "H", "HH", "m", "mm", "s", "ss", "a"})


@cache
def _time_pattern(lang: str) -> tuple[str, tuple[str, str]] | None:
    """Return the medium time pattern as a %-format with the day periods, if it is a plain one."""
    from babel.dates import get_time_format

    locale = _locale(lang)
    pattern = get_time_format("medium", locale=locale)
    text = str(pattern.format)  # the %-format (the attribute hides a method of that name)
    fields = set(re.findall(r"%\((\w+)\)s", text))
    if not fields <= _TIME_FIELDS:
        return None  # a pattern with other fields: let Babel write it
    periods = locale.day_periods["format"]["abbreviated"]
    return text, (str(periods["am"]), str(periods["pm"]))


def _time_text(lang: str, hour: int, minute: int, second: int) -> str:
    plain = _time_pattern(lang)
    if plain is None:
        from babel.dates import format_time

        return str(format_time(dt.time(hour, minute, second), "medium", locale=_locale(lang)))
    pattern, (am, pm) = plain
    h12 = hour % 12 or 12
    return pattern % {
        "h": h12, "hh": f"{h12:02}", "H": hour, "HH": f"{hour:02}", "m": minute,
        "mm": f"{minute:02}", "s": second, "ss": f"{second:02}", "a": am if hour < 12 else pm,
    }  # fmt: skip


@cache
def _plain_integers(lang: str) -> str | None:
    """Return the group separator if the language writes integers as plain groups of three."""
    locale = _locale(lang)
    group = str(get_group_symbol(locale))
    return group if str(format_decimal(1234567, locale=locale)) == f"1{group}234{group}567" else None


def _grouped(lang: str, n: int) -> str:
    """Return a non-negative integer as format_decimal writes it, without its pattern engine."""
    group = _plain_integers(lang)
    if group is None:
        return str(format_decimal(n, locale=_locale(lang)))
    return f"{n:,}".replace(",", group)


@cache
def _datetime_pattern(lang: str) -> str:
    from babel.dates import get_datetime_format

    return str(get_datetime_format("medium", locale=_locale(lang))).replace("'", "")


@cache
def _local_zone() -> dt.tzinfo:
    """Return the zone of this machine, as Babel finds it (the dates of every page use it)."""
    from babel.dates import LOCALTZ

    return LOCALTZ


class Formats:
    """Dates, numbers and sizes written the way a language writes them."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.locale = _locale(lang)  # parsed once: Babel parses a locale name on every call

    def datetime(self, ms: int | None) -> str:
        """Return epoch ms as a local date and time."""
        when = ms_to_datetime(ms) if ms is not None else None
        if when is None:
            return ""
        local = when.astimezone(_local_zone())
        day = _day_text(self.lang, local.date(), "medium")
        time = _time_text(self.lang, local.hour, local.minute, local.second)
        return _datetime_pattern(self.lang).replace("{0}", time).replace("{1}", day)

    def date(self, ms: int | None, fmt: str = "medium") -> str:
        """Return epoch ms as a local date."""
        when = ms_to_datetime(ms) if ms is not None else None
        if when is None:
            return ""
        return _day_text(self.lang, when.astimezone(_local_zone()).date(), fmt)

    def when(self, iso: str | None) -> str:
        """Return an ISO 8601 time (a report's) as a local date and time."""
        return self.datetime(to_epoch_ms(iso)) if iso else ""

    def month(self, key: str) -> str:
        """Return a `YYYY-MM` key as the month's name and year."""
        from babel.dates import format_date

        year, month = (int(part) for part in key.split("-"))
        return str(format_date(dt.date(year, month, 1), "LLLL y", locale=self.locale))

    def boolean(self, value: bool) -> str:
        """Return true or false as the language says yes and no."""
        return translations(self.lang).gettext(YES if value else NO)

    def number(self, n: float | None) -> str:
        """Return a number with the language's separators."""
        if n is None:
            return ""
        if type(n) is int and n >= 0:  # counts and page numbers: on every page, several times
            return _grouped(self.lang, n)
        return str(format_decimal(n, locale=self.locale))

    def size(self, n: float | None) -> str:
        """Return a byte count as a short size (1,5 MB in Swedish)."""
        if n is None:
            return ""
        size = float(n)
        for unit in SIZE_UNITS:
            if abs(size) < 1000 or unit == SIZE_UNITS[-1]:
                shown = round(size) if unit == "B" else round(size, 1)
                return f"{format_decimal(shown, locale=self.locale)}\u00a0{unit}"
            size /= 1000
        raise AssertionError("unreachable")

    def duration(self, seconds: float | None) -> str:
        """Return seconds as h:mm:ss or m:ss."""
        if seconds is None:
            return ""
        total = int(seconds)
        hours, rest = divmod(abs(total), 3600)
        minutes, secs = divmod(rest, 60)
        return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"

    def percent(self, share: float | None) -> str:
        """Return a share (0..1) as a percentage."""
        if share is None:
            return ""
        return f"{format_decimal(round(share * 100, 1), locale=self.locale)}\u00a0%"


@cache
def environment(lang: str) -> jinja2.Environment:
    """Return the Jinja environment of one language (autoescaped, strict, with gettext)."""
    import jinja2

    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(data_path("templates"))),
        autoescape=True,  # every value from an export is escaped, whatever the template's name
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
        # Templates are package data: checking every file's mtime on each page cost a fifth of a
        # served page. `serve --dev` drops the environments when a template changes instead.
        auto_reload=False,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    formats = Formats(lang)
    env.filters.update(
        datetime=formats.datetime,
        date=formats.date,
        month=formats.month,
        number=formats.number,
        size=formats.size,
        duration=formats.duration,
        percent=formats.percent,
        when=formats.when,
    )
    from viewer.site.cells import cell_html, row_html

    env.filters["cell"] = cell_html
    env.filters["row"] = partial(row_html, fmt=formats)
    env.globals.update(lang=lang, languages=LANGUAGES, language_names=LANGUAGE_NAMES)
    return env


def reload_templates() -> None:
    """Forget the compiled templates (and catalogs), so that the next page reads them anew."""
    environment.cache_clear()
    translations.cache_clear()


def source_messages() -> list[str]:
    """Return every UI string marked for translation in the templates and the site's code.

    A message with plural forms is there by its singular (its msgid in the catalog).
    """
    from babel.messages.extract import extract_from_file

    found: dict[str, None] = {}
    # pybabel's folder walk skips folders starting with "_" (our _partials), so list files here.
    templates = sorted(data_path("templates").rglob("*.html"))
    sources = [("jinja2", p) for p in templates]
    package = Path(__file__).resolve().parent.parent
    for folder in (package / "site", package / "app"):  # the viewer's code, static and served
        sources += [("python", p) for p in sorted(folder.glob("*.py"))]
    for method, path in sources:
        for _line, message, _comments, _context in extract_from_file(method, str(path)):
            text = message[0] if isinstance(message, tuple) else message  # a plural's msgid
            if text:
                found.setdefault(text, None)
    return list(found)
