"""The cast: the contacts of one Swedish resident, with names from several languages."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# (language, given names, family names, country calling code, mobile prefixes, national digits)
_ORIGINS: tuple[tuple[str, tuple[str, ...], tuple[str, ...], str, tuple[str, ...], int], ...] = (
    (
        "sv",
        (
            "Åsa",
            "Björn",
            "Märta",
            "Örjan",
            "Linnéa",
            "Anders",
            "Karin",
            "Sofia",
            "Erik",
            "Maja",
            "Oskar",
            "Elsa",
            "Gustav",
            "Ingrid",
            "Johan",
            "Ebba",
            "Nils",
            "Astrid",
            "Lars",
            "Saga",
        ),
        (
            "Ström",
            "Åberg",
            "Lindqvist",
            "Söderberg",
            "Johansson",
            "Nilsson",
            "Öberg",
            "Ekström",
            "Karlsson",
            "Bäckström",
            "Andersson",
            "Hägg",
            "Sjögren",
            "Lundén",
            "Wästberg",
        ),
        "+46",
        ("70", "72", "73", "76", "79"),
        9,
    ),
    (
        "en",
        ("Emily", "James", "Olivia", "Liam", "Charlotte", "Noah", "Grace", "Harry"),
        ("Smith", "O'Brien", "Taylor", "Walker", "Evans", "MacLeod", "Hughes"),
        "+44",
        ("7700", "7911", "7400"),
        10,
    ),
    (
        "fi",
        ("Aino", "Väinö", "Eetu", "Päivi", "Jyrki", "Tuuli", "Kalle", "Sanna"),
        ("Virtanen", "Mäkinen", "Häkkinen", "Korhonen", "Nieminen", "Ylönen"),
        "+358",
        ("40", "44", "50"),
        9,
    ),
    (
        "pl",
        ("Zofia", "Łukasz", "Małgorzata", "Wojciech", "Agnieszka", "Paweł", "Kasia"),
        ("Wiśniewska", "Kowalski", "Wójcik", "Dąbrowski", "Szczęsna", "Żak"),
        "+48",
        ("50", "60", "69"),
        9,
    ),
    (
        "zh",
        ("伟", "芳", "秀英", "敏", "静", "磊", "洋", "婷"),
        ("王", "李", "张", "刘", "陈", "杨"),
        "+86",
        ("138", "139", "186"),
        11,
    ),
    (
        "ar",
        ("محمد", "فاطمة", "أحمد", "ليلى", "يوسف", "مريم", "عمر"),
        ("الحسيني", "العلي", "خليل", "منصور", "حداد"),
        "+971",
        ("50", "55"),
        9,
    ),
)
# Share of contacts per origin: mostly Swedish, the rest friends, colleagues, family abroad.
_ORIGIN_WEIGHTS = (70, 8, 7, 6, 5, 4)
_DOMAINS = ("gmail.com", "outlook.com", "hotmail.se", "telia.com", "icloud.com", "proton.me")
_ORGANIZATIONS = (
    "Region Stockholm",
    "Spotify",
    "Ericsson",
    "SEB",
    "KTH",
    "Karolinska Institutet",
    "IKEA",
    "Skatteverket",
    "Volvo Cars",
    "",
    "",
    "",
    "",
    "",
)


@dataclass(frozen=True)
class Person:
    """One contact: names, an E.164 mobile number, an e-mail address and a few details."""

    index: int
    language: str
    given: str
    family: str
    phone: str
    email: str
    organization: str
    birthday: str | None
    closeness: float  # how often the owner talks with this person, relative to others

    @property
    def display_name(self) -> str:
        # Chinese names are written family name first, without a space.
        if self.language == "zh":
            return f"{self.family}{self.given}"
        return f"{self.given} {self.family}"


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    return "".join(c for c in folded if c.isascii() and (c.isalnum())).lower()


def _person(index: int, rng: random.Random, taken: set[str]) -> Person:
    origin = rng.choices(_ORIGINS, _ORIGIN_WEIGHTS)[0]
    language, givens, families, code, prefixes, digits = origin
    given, family = rng.choice(givens), rng.choice(families)
    phone = ""
    while not phone or phone in taken:
        prefix = rng.choice(prefixes)
        rest = digits - len(prefix)
        phone = f"{code}{prefix}{rng.randrange(10**rest):0{rest}d}"
    taken.add(phone)
    local = f"{_ascii(given)}.{_ascii(family)}" if language not in {"zh", "ar"} else ""
    local = local if len(local) > 2 else f"user{rng.randrange(1000, 99999)}"
    birthday = None
    if rng.random() < 0.4:
        birthday = f"{rng.randint(1950, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return Person(
        index=index,
        language=language,
        given=given,
        family=family,
        phone=phone,
        email=f"{local}{index}@{rng.choice(_DOMAINS)}",
        organization=rng.choice(_ORGANIZATIONS),
        birthday=birthday,
        closeness=rng.paretovariate(1.2),
    )


@lru_cache(maxsize=8)
def cast(seed: int, count: int) -> tuple[Person, ...]:
    """Return the owner's `count` contacts, the same for the same seed."""
    rng = random.Random(f"{seed}:people")
    taken: set[str] = set()
    return tuple(_person(i, rng, taken) for i in range(max(1, count)))
