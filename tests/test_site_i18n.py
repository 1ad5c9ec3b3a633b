"""Languages: the Swedish catalog is complete, and dates, numbers and sizes follow the language."""

from __future__ import annotations

import datetime as dt

import pytest
from babel.messages.pofile import read_po

from viewer.site.i18n import Formats, catalog_path, environment, source_messages


def _forms(text: str | tuple[str, ...]) -> tuple[str, ...]:
    """Return a message's forms: one, or (for a plural) each of them."""
    return text if isinstance(text, tuple) else (text,)


def test_swedish_catalog_translates_every_ui_string() -> None:
    with catalog_path("sv").open("rb") as handle:
        catalog = read_po(handle, locale="sv")
    messages = source_messages()
    assert len(messages) > 100
    missing = [m for m in messages if not (catalog.get(m) and all(_forms(catalog.get(m).string)))]
    assert missing == []
    plurals = [m for m in catalog if m.id and isinstance(m.id, tuple)]
    assert len(plurals) >= 15 and all(len(m.string) == 2 for m in plurals)  # nplurals=2
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert fuzzy == []


def test_placeholders_survive_translation() -> None:
    with catalog_path("sv").open("rb") as handle:
        catalog = read_po(handle, locale="sv")
    for message in catalog:
        if message.id:
            for name in ("%(n)s", "%(m)s", "%(q)s", "%(table)s", "%(name)s", "%(pct)s", "%(size)s"):
                for msgid, msgstr in zip(_forms(message.id), _forms(message.string), strict=False):
                    assert (name in msgid) == (name in msgstr), message.id


def test_templates_render_in_swedish() -> None:
    template = environment("sv").from_string(
        '{{ _("Overview") }} {{ ngettext("%(n)s record", "%(n)s records", 3, n=3) }}'
    )
    assert template.render() == "Översikt 3 poster"


@pytest.mark.parametrize(
    ("lang", "one", "many"),
    [("en", "1 record · 1 error", "2,000 records · 3 errors"),
     ("sv", "1 post · 1 fel", "2\u00a0000 poster · 3 fel")],
)  # fmt: skip
def test_counts_take_the_plural_form_of_their_number(lang: str, one: str, many: str) -> None:
    template = environment(lang).from_string(
        '{{ ngettext("%(n)s record", "%(n)s records", r, n=r | number) }} · '
        '{{ ngettext("%(n)s error", "%(n)s errors", e, n=e | number) }}'
    )
    assert template.render(r=1, e=1) == one
    assert template.render(r=2000, e=3) == many
    assert environment("en").from_string('{{ _("Overview") }}').render() == "Overview"


def test_values_are_escaped_in_every_language() -> None:
    for lang in ("en", "sv"):
        out = environment(lang).from_string("{{ v }}").render(v="<script>x</script>")
        assert out == "&lt;script&gt;x&lt;/script&gt;"


def test_formats_follow_the_language() -> None:
    ms = int(dt.datetime(2024, 3, 5, 12, 0, tzinfo=dt.UTC).timestamp() * 1000)
    assert "2024" in Formats("sv").datetime(ms)
    assert "mars" in Formats("sv").date(ms, "long")
    assert "March" in Formats("en").date(ms, "long")
    assert Formats("sv").size(1_500_000) == "1,5\u00a0MB"
    assert Formats("en").size(1_500_000) == "1.5\u00a0MB"
    assert Formats("en").size(999) == "999\u00a0B"
    assert Formats("sv").number(1234567) == "1\u00a0234\u00a0567"
    assert Formats("en").duration(3725) == "1:02:05"
    assert Formats("en").month("2024-03") == "March 2024"
    assert Formats("en").datetime(None) == ""


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_fast_dates_and_times_read_exactly_as_babel_writes_them(lang: str) -> None:
    from babel.dates import LOCALTZ, format_date, format_datetime

    from viewer.timeparse import ms_to_datetime

    fmt = Formats(lang)
    day = 86_400_000
    samples = [0, 946_684_800_000, 1_700_000_000_000, 1_703_462_400_000]  # epoch, 2000, 2023, Xmas
    samples += [1_700_000_000_000 + k * 3_599_999 for k in range(0, 48)]  # every hour, both halves
    samples += [1_710_000_000_000 + k * day // 7 for k in range(60)]
    for ms in samples:
        when = ms_to_datetime(ms)
        assert when is not None
        assert fmt.datetime(ms) == format_datetime(when, "medium", tzinfo=LOCALTZ, locale=lang)
        local = when.astimezone(LOCALTZ).date()
        assert fmt.date(ms, "full") == format_date(local, "full", locale=lang)
