"""Everyday app data: music, browser bookmarks and history, app search, phrases, clipboard."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from viewer.sample import clock, texts
from viewer.sample.context import GenContext
from viewer.sample.shape import Draft

SITES = (
    ("SVT Nyheter", "https://www.svt.se/nyheter/"),
    ("Dagens Nyheter", "https://www.dn.se/"),
    ("SMHI väder", "https://www.smhi.se/"),
    ("1177 Vårdguiden", "https://www.1177.se/"),
    ("Skatteverket", "https://www.skatteverket.se/"),
    ("SL Reseplanerare", "https://sl.se/"),
    ("Wikipedia – Stockholm", "https://sv.wikipedia.org/wiki/Stockholm"),
    ("Blocket", "https://www.blocket.se/"),
    ("Systembolaget", "https://www.systembolaget.se/"),
    ("Yle Uutiset", "https://yle.fi/uutiset"),
    ("百度百科", "https://baike.baidu.com/"),
    ("الجزيرة نت", "https://www.aljazeera.net/"),
    ("Onet", "https://www.onet.pl/"),
)


def _times(rng: random.Random) -> dict[str, int]:
    created = clock.moment(rng)
    return {"create_time": created, "update_time": clock.later(rng, created, 60)}


def _status(rng: random.Random, deleted: float = 0.04) -> str:
    return "deleted" if rng.random() < deleted else "normal"


def music(ctx: GenContext) -> Iterator[Draft]:
    """Yield favourite songs and playlist entries."""
    rng = ctx.rng
    playlists = [f"pl{rng.getrandbits(40):010x}" for _ in range(8)]
    for _ in range(ctx.count):
        values = {
            "online_playlist_id": rng.choice(playlists),
            "online_song_id": f"song{rng.getrandbits(48):012x}",
            "status": _status(rng),
            "type": rng.choice(("favorite", "playlist", "playlist", "download")),
            **_times(rng),
            "size": rng.randint(2_500_000, 12_000_000),
            "access": rng.choice(("private", "private", "public")),
        }
        yield values, {}


def browser(ctx: GenContext) -> Iterator[Draft]:
    """Yield bookmarks (a few) and history entries (most)."""
    rng = ctx.rng
    for index in range(ctx.count):
        title, url = rng.choice(SITES)
        created = clock.moment(rng)
        kind = "bookmark" if index % 10 == 0 else "history"
        values = {
            "content": {
                "kind": kind,
                "visits": rng.randint(1, 40),
                "folder": "Bokmärken" if kind == "bookmark" else None,
            },
            "status": _status(rng),
        }
        yield values, {"title": title, "url": url, "time": created}


def app_search(ctx: GenContext) -> Iterator[Draft]:
    """Yield searches typed into the launcher."""
    rng = ctx.rng
    for _ in range(ctx.count):
        query = rng.choice(texts.SEARCHES)
        times = _times(rng)
        values = {
            "record": query,
            "type": rng.choice(("app", "app", "web", "settings")),
            "search_time": times["create_time"],
            "status": _status(rng),
            **times,
            "size": len(query.encode()),
            "access": "private",
        }
        yield values, {}


def _text_records(
    ctx: GenContext, field: str, pool: tuple[str, ...], kinds: tuple[str, ...]
) -> Iterator[Draft]:
    rng = ctx.rng
    for _ in range(ctx.count):
        text = rng.choice(pool)
        values: dict[str, Any] = {
            field: text,
            "type": rng.choice(kinds),
            "status": _status(rng),
            **_times(rng),
            "size": len(text.encode()),
            "access": "private",
        }
        yield values, {}


def phrases(ctx: GenContext) -> Iterator[Draft]:
    """Yield common phrases (quick replies)."""
    return _text_records(ctx, "phrase", texts.PHRASES, ("quick_reply", "signature"))


def clipboard(ctx: GenContext) -> Iterator[Draft]:
    """Yield clipboard entries: addresses, links, codes, account numbers."""
    return _text_records(ctx, "text", texts.CLIPS, ("text", "text", "url"))
