"""Cards and credit: Mi Card, Cloud Card and the lending model."""

from __future__ import annotations

from collections.abc import Iterator

from viewer.sample import clock
from viewer.sample.context import GenContext
from viewer.sample.shape import Draft

_CARDS = (
    ("transit", "SL Access"),
    ("bank", "Visa •••• 4821"),
    ("access", "Portkod Götgatan 40"),
    ("loyalty", "ICA Stammis"),
    ("bank", "Mastercard •••• 1190"),
)
_CLOUD_CARDS = (
    ("weather", "Väder Stockholm", {"temperatureC": -3, "condition": "snö"}),
    ("steps", "Steg idag", {"steps": 8412, "goal": 10000}),
    ("calendar", "Nästa händelse", {"title": "Padel", "in": "2 h"}),
    ("flight", "SK 1572 ARN → HEL", {"gate": "F34", "boarding": "17:05"}),
)


def mi_card(ctx: GenContext) -> Iterator[Draft]:
    """Yield cards in the wallet, with their sync state."""
    rng = ctx.rng
    for index in range(ctx.count):
        kind, name = _CARDS[index % len(_CARDS)]
        added = clock.moment(rng)
        values = {
            "card_content": {
                "cardType": kind,
                "name": name,
                "addedAt": added,
                "issuer": rng.choice(("SL", "SEB", "Swedbank", "ICA", "Aptus")),
            },
            "record_status": "deleted" if rng.random() < 0.1 else "normal",
            "sync_status": rng.choices(("synced", "pending", "failed"), (90, 7, 3))[0],
        }
        yield values, {}


def cloud_card(ctx: GenContext) -> Iterator[Draft]:
    """Yield Cloud Card widgets as they were last shown."""
    rng = ctx.rng
    for index in range(ctx.count):
        kind, title, data = _CLOUD_CARDS[index % len(_CLOUD_CARDS)]
        yield (
            {
                "content": {
                    "cardType": kind,
                    "title": title,
                    "data": dict(data),
                    "shownAt": clock.moment(rng),
                }
            },
            {},
        )


def lending(ctx: GenContext) -> Iterator[Draft]:
    """Yield a small consumer loan's history: offer, signed, instalments, repaid."""
    rng = ctx.rng
    amount = rng.choice((5_000, 10_000, 20_000))
    created = clock.moment(rng, 0, 200)
    for index in range(ctx.count):
        state = ("offered", "active", "active", "repaid")[min(3, index * 4 // max(1, ctx.count))]
        updated = clock.later(rng, created, 30)
        values = {
            "loan_info": {"amount": amount, "currency": "SEK", "months": 12, "aprPercent": 9.9},
            "credit_info": {
                "limit": amount * 2,
                "currency": "SEK",
                "score": rng.choice(("A", "B")),
            },
            "status": state,
            "type": "instalment" if index else "application",
            "create_time": created,
            "update_time": updated,
            "content": {"instalment": index, "paid": state != "offered"},
            "size": rng.randint(300, 2000),
            "access": "private",
        }
        created = updated
        yield values, {}
