"""Words for the sample: message lines per language, note texts, calendar titles, places."""

from __future__ import annotations

import random

MESSAGES: dict[str, tuple[str, ...]] = {
    "sv": (
        "Hej! Hur är läget?",
        "Är du hemma ikväll?",
        "Jag är på väg, fem minuter 🚲",
        "Tack för igår! 😊",
        "Glöm inte att köpa mjölk och ägg",
        "Ses vi på fika kl 15?",
        "Grattis på födelsedagen! 🎉🎂",
        "Tåget är försenat igen… 🙄",
        "Okej, låter bra 👍",
        "Kan du hämta barnen på förskolan?",
        "Vi ses vid Medborgarplatsen",
        "Jättebra, tack!",
        "Har du sett vädret? Snöstorm i Göteborg ❄️",
        "Ring mig när du kan",
        "Midsommar hos oss i år? 🌸",
        "Jag har bokat bord på Pelikan kl 19",
        "Kram ❤️",
        "Sorry, missade ditt samtal",
        "Nu är jag framme",
        "Vad tycker du om lördag?",
    ),
    "en": (
        "Hi! Are you around this weekend?",
        "Running late, sorry 🙈",
        "Sounds great, see you then!",
        "Did you get my e-mail?",
        "Happy birthday!! 🥳",
        "Call me when you land ✈️",
        "Thanks a lot 🙏",
        "Let's catch up next week",
        "On my way",
        "Lunch tomorrow?",
    ),
    "fi": (
        "Moi! Mitä kuuluu?",
        "Nähdäänkö huomenna?",
        "Kiitos paljon! 😊",
        "Olen myöhässä, anteeksi",
        "Hyvää syntymäpäivää! 🎉",
        "Soitan illalla",
        "Sauna lauantaina? 🧖",
    ),
    "pl": (
        "Cześć! Co słychać?",
        "Będę za dziesięć minut",
        "Dzięki wielkie! 😊",
        "Zadzwoń do mnie",
        "Wszystkiego najlepszego! 🎂",
        "Widzimy się w sobotę?",
        "Żółta łódź już odpłynęła 😄",
    ),
    "zh": (
        "你好！最近怎么样？",
        "明天见 😊",
        "谢谢你的帮助",
        "我马上到",
        "生日快乐！🎂",
        "周末一起吃饭吗？",
        "收到，没问题 👍",
        "斯德哥尔摩今天很冷 ❄️",
    ),
    "ar": (
        "مرحبا! كيف حالك؟",
        "أراك غدا إن شاء الله",
        "شكرا جزيلا 🌹",
        "أنا في الطريق",
        "عيد ميلاد سعيد! 🎉",
        "اتصل بي عندما تستطيع",
        "رمضان كريم 🌙",
    ),
}
# What services send by SMS, and who sends it: codes, parcels, reminders (as a resident gets them).
SERVICE_MESSAGES = (
    ("72160", "Din kod är {code}. Dela aldrig koden med någon."),
    ("PostNord", "Ditt paket {code} finns att hämta hos ICA Maxi Haninge."),
    ("Kivra", "Du har ett nytt brev i Kivra från Skatteverket."),
    ("Vården", "Påminnelse: tid hos Vårdcentralen Södermalm imorgon kl 09:40."),
    ("SL", "Ditt 30-dagarskort går ut om 3 dagar."),
    ("Apoteket", "Din beställning {code} är redo att hämtas."),
)
SERVICE_SENDERS = tuple(dict.fromkeys(sender for sender, _ in SERVICE_MESSAGES))
"""Senders that are not people: short codes and alphanumeric senders."""
NOTE_FOLDERS = ("Privat", "Jobb", "Resor", "Recept", "Inköpslistor", "Idéer")
NOTES: dict[str, tuple[tuple[str, str], ...]] = {
    "Privat": (
        ("Att göra i helgen", "- Tvätta\n- Ringa mormor\n- Byta däck på cykeln"),
        ("Julklappar", "Mamma: bok\nPappa: kaffebryggare\nÅsa: 🧣 halsduk"),
        ("Lösenordstips", "Använd lösenordshanteraren, skriv aldrig lösenord här!"),
    ),
    "Jobb": (
        ("Veckomöte", "Agenda:\n1. Status\n2. Risker\n3. Övrigt"),
        ("Idéer till Q3", "Automatisera rapporterna, färre möten, fler demos."),
        ("Meeting notes 会议记录", "Next steps: share the draft by Friday. 下周五之前。"),
    ),
    "Resor": (
        ("Packlista Åre", "Skidor, pjäxor, underställ, solkräm ☀️"),
        ("Helsingfors med båten", "Viking Line 17:30 från Stadsgården. Hytt 8123."),
        ("Kraków", "Wawel, Kazimierz, pierogi! Hotell nära Rynek Główny."),
    ),
    "Recept": (
        ("Kanelbullar", "25 g jäst, 2,5 dl mjölk, 75 g smör, 1 dl socker, kardemumma"),
        ("Pannkakor", "3 ägg, 6 dl mjölk, 2,5 dl vetemjöl, en nypa salt"),
    ),
    "Inköpslistor": (
        ("ICA", "Mjölk, ägg, knäckebröd, ost, äpplen 🍎, kaffe"),
        ("Systembolaget", "Alkoholfritt vin till lördag"),
    ),
    "Idéer": (
        ("Appidé", "En app som påminner om att vattna blommorna 🌱"),
        ("مرحبا notes", "تعلم العربية: كل يوم عشر كلمات"),
    ),
}
EVENTS = (
    ("Tandläkare", "Folktandvården Skanstull"),
    ("Middag med {name}", "Restaurang Pelikan"),
    ("Frisör", "Götgatan 40"),
    ("Flyg ARN → HEL", "Stockholm Arlanda"),
    ("Bio", "Filmstaden Sergel"),
    ("Läkarbesök", "Vårdcentralen Södermalm"),
    ("Kalas hos {name}", "Hemma hos {name}"),
    ("Möte med {name}", "Kontoret, Kungsgatan 8"),
    ("Konsert", "Avicii Arena"),
    ("Föräldramöte", "Eriksdalsskolan"),
    ("Besiktning av bilen", "Opus Bilprovning Årsta"),
)
RECURRING = (
    ("Veckomöte", "FREQ=WEEKLY;BYDAY=MO", "Teams", False),
    ("Padel", "FREQ=WEEKLY;BYDAY=TH", "PDL Center Hammarby", False),
    ("Betala hyran", "FREQ=MONTHLY;BYMONTHDAY=25", "", True),
    ("Körövning", "FREQ=WEEKLY;BYDAY=TU;INTERVAL=2", "Katarina kyrka", False),
    ("Sopor ut", "FREQ=WEEKLY;BYDAY=SU", "", True),
)
SEARCHES = (
    "väder",
    "swish",
    "bankid",
    "spotify",
    "sl reseplanerare",
    "klarna",
    "kalkylator",
    "inställningar wifi",
    "kamera",
    "ficklampa",
    "översätt",
    "天气",
    "طقس",
    "pogoda",
)
PHRASES = (
    "Jag ringer dig senare.",
    "Kör bil, svarar snart 🚗",
    "Sitter i möte, återkommer.",
    "Tack, detsamma!",
    "Jag är på väg.",
    "Can't talk now, text me.",
    "Grattis! 🎉",
)
CLIPS = (
    "SE45 5000 0000 0583 9825 7466",
    "https://www.svt.se/nyheter/",
    "Götgatan 40, 118 26 Stockholm",
    "Ordernummer 4471-2290",
    "kod: 834 112",
    "Hej! Vi ses kl 18 vid T-Centralen.",
    "+46 8 123 456 00",
)


def message(rng: random.Random, language: str) -> str:
    """Return one message line in `language` (Swedish for unknown languages)."""
    return rng.choice(MESSAGES.get(language, MESSAGES["sv"]))


def service_message(rng: random.Random) -> tuple[int, str]:
    """Return the index of a service sender and a message it sends, with a fresh code."""
    index = rng.randrange(len(SERVICE_MESSAGES))
    sender, template = SERVICE_MESSAGES[index]
    return SERVICE_SENDERS.index(sender), template.format(code=rng.randrange(100000, 999999))
