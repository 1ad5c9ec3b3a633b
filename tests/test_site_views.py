"""The views that fit the data, on the built sample site: conversations, contacts, notes..."""

from __future__ import annotations

import re
from pathlib import Path

from tests.site_helpers import site
from viewer.site.views import normalise_number

__all__ = ["site"]


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def hrefs(text: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', text)


def test_contact_cards_link_to_that_persons_messages_and_calls(site: Path) -> None:
    page = site / "en" / "views" / "contacts" / "index.html"
    text = read(page)
    assert text.count('class="card"') >= 5
    messages = [h for h in hrefs(text) if "views/sms/with-" in h]
    calls = [h for h in hrefs(text) if "views/call_log/with-" in h]
    assert messages and calls
    for href in messages[:3] + calls[:3]:
        assert (page.parent / href).resolve().is_file(), href


def test_conversation_shows_bubbles_with_day_separators(site: Path) -> None:
    index = read(site / "en" / "views" / "sms" / "index.html")
    first = next(h for h in hrefs(index) if "views/sms/with-" in h)
    text = read((site / "en" / "views" / "sms" / "index.html").parent / first)
    assert 'class="day"' in text
    assert re.search(r'class="bubble (in|out)"', text)
    assert "tables/sms/record.html#r" in text  # every bubble links to its record


def test_call_log_has_direction_and_duration(site: Path) -> None:
    text = read(site / "sv" / "views" / "call_log" / "log.html")
    assert '<html lang="sv">' in text
    assert re.search(r'<td class="num">\d+:\d\d</td>', text)


def test_notes_are_grouped_by_folder_with_history(site: Path) -> None:
    folder_pages = list((site / "en" / "views" / "notes").glob("g-*.html"))
    assert folder_pages
    text = "".join(read(p) for p in folder_pages)
    assert 'class="note-text"' in text
    assert "History (" in text


def test_agenda_backups_and_recordings_exist(site: Path) -> None:
    agenda = read(site / "en" / "views" / "calendar" / "index.html")
    assert re.search(r"<h2 id=\"month-\d{4}-\d\d-1\">", agenda)
    backups = read(site / "en" / "views" / "app_backup" / "index.html")
    assert "views/app_backup/g-" in backups
    recordings = read(site / "en" / "views" / "recorder" / "index.html")
    assert 'rel="noreferrer noopener"' in recordings


def test_numbers_are_normalised_for_matching() -> None:
    assert normalise_number("+46 70-123 45 67") == "+46701234567"
    assert normalise_number("070 123") == "070123"
    assert normalise_number("PostNord") is None
    assert normalise_number(None) is None
