"""What every generator gets: its service, how many records to make, its own random stream."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from verify.contract import Service
from viewer.sample.people import Person, cast
from viewer.sample.shape import Draft

DEVICES = ("Xiaomi 13T", "Redmi Note 12 Pro", "Xiaomi Pad 6")
"""The owner's devices over the three years (the first two phones, then a tablet)."""


@dataclass(frozen=True)
class GenContext:
    """The inputs of one service's generator."""

    seed: int
    service: Service
    count: int
    counts: Mapping[str, int]
    rng: random.Random

    def people(self) -> tuple[Person, ...]:
        """Return the owner's contacts (the same cast the contacts table holds)."""
        return cast(self.seed, self.counts.get("contacts", 50))


Generator = Callable[[GenContext], Iterator[Draft]]
