"""Views that fit the data: conversations, contacts, calls, notes, agenda, recordings, backups.

Each view streams its records from the Store in pages (sorted and filtered by SQLite), so memory
stays bounded; only the list of people, folders or devices with their counts is held.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from verify.contract import Service
from viewer.site import paths
from viewer.site.context import Context, page_context, page_links
from viewer.site.i18n import Formats
from viewer.site.links import safe_href
from viewer.site.model import SiteData, TableSummary
from viewer.store import Record, Store, dig

VIEW_PAGE = 200  # items per view page
OUTGOING = frozenset({"sent", "outbox", "outgoing", "out", "2"})
MISSED = frozenset({"missed", "rejected", "3", "5"})


class PageSink(Protocol):
    def page(self, ctx: dict[str, Any], template: str | None = None) -> None: ...


def normalise_number(value: object) -> str | None:
    """Return a phone number reduced to + and digits (None when it is no number)."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        return None
    text = str(value).strip()
    digits = re.sub(r"\D", "", text)
    if len(digits) < 3:
        return None
    return ("+" if text.startswith("+") else "") + digits


@dataclass
class People:
    """Who is who across services: names from contacts, numbers with messages or calls."""

    names: dict[str, str] = field(default_factory=dict)
    threads: dict[str, dict[str, str]] = field(default_factory=dict)  # view kind -> number -> href

    def name(self, number: object) -> str | None:
        key = normalise_number(number)
        return self.names.get(key) if key else None

    def link(self, kind: str, number: object) -> str | None:
        key = normalise_number(number)
        return self.threads.get(kind, {}).get(key) if key else None


def _text(value: Any) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value)


def _direction(value: Any) -> str:
    text = _text(value).strip().lower()
    if text in OUTGOING:
        return "out"
    return "missed" if text in MISSED else "in"


def _pages(
    store: Store, table: str, *, sort: str = "ts", desc: bool = False, where: Any = None
) -> Iterator[list[Record]]:
    offset = 0
    while True:
        batch = store.page(table, offset=offset, limit=VIEW_PAGE, sort=sort, desc=desc, where=where)
        if not batch:
            return
        yield batch
        offset += len(batch)


def _page_path(service_id: str, part: str, n: int) -> str:
    return paths.view_page(service_id, part if n == 1 else f"{part}-{n}")


def _pager(service_id: str, part: str, n: int, total: int) -> Context:
    pages = max(1, -(-total // VIEW_PAGE))
    return page_links(lambda k: _page_path(service_id, part, k), n, pages)


def _base(
    site: SiteData, lang: str, service: Service, t: TableSummary, path: str, kind: str
) -> Context:
    ctx = page_context(site, lang, path, kind)
    ctx["service"] = {
        "id": service.id,
        "name": service.name.get(lang),
        "href": paths.service_page(service.id),
    }
    ctx["view_index"] = paths.view_page(service.id)
    ctx["table"] = {
        "name": t.info.name,
        "href": paths.table_page(t.info.name),
        "records": t.info.records,
    }
    return ctx


def _record_href(site: SiteData, record: Record) -> str:
    return site.record_href(record.table, record.seq)


# -- conversations and calls, per counterpart --------------------------------------------------


def counterparts(store: Store, table: str) -> dict[str, dict[str, Any]]:
    """Return every counterpart with its record count and latest time."""
    return {cp: {"count": n, "last": last} for cp, (n, last) in store.counterparts(table).items()}


def thread_path(service_id: str, counterpart: str, n: int = 1) -> str:
    return _page_path(service_id, f"with-{paths.slug(counterpart)}", n)


def _people_index(
    site: SiteData,
    lang: str,
    service: Service,
    t: TableSummary,
    found: dict[str, Any],
    people: People,
) -> Context:
    fmt = Formats(lang)
    ctx = _base(site, lang, service, t, paths.view_page(service.id), "people")
    order = sorted(found.items(), key=lambda kv: kv[1]["last"] or 0, reverse=True)
    ctx["log_href"] = _page_path(service.id, "log", 1)
    ctx["people"] = [
        {
            "counterpart": cp,
            "name": people.name(cp),
            "count": e["count"],
            "last": fmt.datetime(e["last"]),
            "href": thread_path(service.id, cp),
        }
        for cp, e in order
    ]
    ctx["view_kind"] = service.view_kind
    return ctx


def _message(view: Mapping[str, str], record: Record, site: SiteData) -> Context:
    """Return what is shown of a message or call in every language (the texts of one are added
    by `_localised`: a view page is written once per language, the records read once)."""
    data = record.data
    duration = dig(data, view["duration"]) if "duration" in view else None
    direction = _text(dig(data, view["direction"])) if "direction" in view else ""
    return {
        "seq": record.seq,
        "href": _record_href(site, record),
        "body": _text(dig(data, view["body"])) if "body" in view else "",
        "direction": _direction(direction),
        "direction_raw": direction,
        "ts": record.ts,
        "time_raw": _text(dig(data, view["time"])) if "time" in view else "",
        "seconds": duration if isinstance(duration, int | float) else None,
        "counterpart": record.counterpart or "",
        "name": _text(dig(data, view["name"])) if "name" in view else "",
    }


def _localised(message: Context, fmt: Formats) -> Context:
    """Return a message with its time, day and duration written in one language."""
    return dict(
        message,
        time=fmt.datetime(message["ts"]),
        day=fmt.date(message["ts"], "full"),
        duration=fmt.duration(message["seconds"]) if message["seconds"] is not None else "",
    )


def _threads(
    site: SiteData,
    store: Store,
    out: PageSink,
    langs: Sequence[str],
    service: Service,
    t: TableSummary,
    found: dict[str, Any],
    people: People,
) -> None:
    for cp, entry in found.items():
        total = entry["count"]
        where = {"counterpart": cp}
        for n, batch in enumerate(_pages(store, t.info.name, where=where), start=1):
            shown = [_message(service.view, r, site) for r in batch]
            for lang in langs:
                fmt = Formats(lang)
                path = thread_path(service.id, cp, n)
                ctx = _base(site, lang, service, t, path, "conversation")
                ctx.update(
                    counterpart=cp,
                    name=people.name(cp),
                    view_kind=service.view_kind,
                    messages=[_localised(m, fmt) for m in shown],
                    pager=_thread_pager(service.id, cp, n, total),
                    other=_other_thread(service.view_kind, cp, people),
                )
                out.page(ctx)


def _thread_pager(service_id: str, cp: str, n: int, total: int) -> Context:
    pager = _pager(service_id, f"with-{paths.slug(cp)}", n, total)
    return pager


def _other_thread(kind: str, cp: str, people: People) -> Context | None:
    for other in people.threads:
        if other != kind and (href := people.link(other, cp)):
            return {"kind": other, "href": href}
    return None


def _calls_log(
    site: SiteData,
    store: Store,
    out: PageSink,
    langs: Sequence[str],
    service: Service,
    t: TableSummary,
    people: People,
) -> None:
    for n, batch in enumerate(_pages(store, t.info.name, desc=True), start=1):
        shown = [_message(service.view, r, site) for r in batch]
        for call in shown:
            call["name"] = call["name"] or people.name(call["counterpart"]) or ""
            call["thread"] = (
                thread_path(service.id, call["counterpart"]) if call["counterpart"] else None
            )
        for lang in langs:
            fmt = Formats(lang)
            ctx = _base(site, lang, service, t, _page_path(service.id, "log", n), "calls")
            calls = [_localised(call, fmt) for call in shown]
            ctx.update(calls=calls, pager=_pager(service.id, "log", n, t.info.records))
            out.page(ctx)


# -- contacts ----------------------------------------------------------------------------------


def _values(value: Any) -> list[str]:
    """Return the strings of a list of numbers/e-mails ({type, value} items or plain strings)."""
    items = value if isinstance(value, list) else [value]
    found = []
    for item in items:
        if isinstance(item, Mapping):
            item = item.get("value") or item.get("number") or item.get("address")
        if isinstance(item, str | int) and not isinstance(item, bool) and str(item).strip():
            found.append(str(item))
    return found


def contact_names(store: Store, table: str, view: Mapping[str, str]) -> dict[str, str]:
    """Return normalised phone number -> contact name, from the contacts table."""
    names: dict[str, str] = {}
    for record in store.records(table):
        name = _text(dig(record.data, view.get("name", "")))
        for number in _values(dig(record.data, view.get("phones", ""))):
            key = normalise_number(number)
            if key and name:
                names.setdefault(key, name)
    return names


def _card(view: Mapping[str, str], record: Record, site: SiteData, people: People) -> Context:
    data = record.data
    phones = [
        {"number": p, "messages": people.link("conversations", p), "calls": people.link("calls", p)}
        for p in _values(dig(data, view.get("phones", "")))
    ]
    return {
        "seq": record.seq,
        "href": _record_href(site, record),
        "name": _text(dig(data, view.get("name", ""))),
        "organization": _text(dig(data, view.get("organization", ""))),
        "birthday": _text(dig(data, view.get("birthday", ""))),
        "note": _text(dig(data, view.get("note", ""))),
        "phones": phones,
        "emails": _values(dig(data, view.get("emails", ""))),
    }


def _contacts(
    site: SiteData,
    store: Store,
    out: PageSink,
    langs: Sequence[str],
    service: Service,
    t: TableSummary,
    people: People,
) -> None:
    # An address book is small next to messages: its cards are sorted by name as a whole.
    cards = [_card(service.view, r, site, people) for r in store.records(t.info.name)]
    cards.sort(key=lambda c: (c["name"].casefold(), c["seq"]))
    for n, first in enumerate(range(0, max(len(cards), 1), VIEW_PAGE), start=1):
        for lang in langs:
            ctx = _base(site, lang, service, t, _page_path(service.id, "index", n), "contacts")
            ctx.update(cards=cards[first : first + VIEW_PAGE],
                       pager=_pager(service.id, "index", n, len(cards)))  # fmt: skip
            out.page(ctx)


# -- notes, recordings, backups, agenda -----------------------------------------------------------


def _group_counts(store: Store, table: str, key: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for record in store.records(table):
        value = _text(record.data.get(key)) if "." not in key else _text(dig(record.data, key))
        counts[value] = counts.get(value, 0) + 1
    return counts


def _note(view: Mapping[str, str], record: Record, site: SiteData, fmt: Formats) -> Context:
    data = record.data
    history = dig(data, view.get("history", ""))
    versions = []
    for item in history if isinstance(history, list) else []:
        if isinstance(item, Mapping):
            versions.append(
                {
                    "time": fmt.datetime(_ms(item.get("updateTime"))),
                    "title": _text(item.get("title")),
                    "body": _text(item.get("body")) or _text(item.get("content")),
                }
            )
    return {
        "seq": record.seq,
        "href": _record_href(site, record),
        "title": _text(dig(data, view.get("title", ""))),
        "body": _text(dig(data, view.get("body", ""))),
        "time": fmt.datetime(record.ts),
        "history": versions,
    }


def _ms(value: Any) -> int | None:
    from viewer.timeparse import to_epoch_ms

    return to_epoch_ms(value)


def _grouped(
    site: SiteData,
    store: Store,
    out: PageSink,
    langs: Sequence[str],
    service: Service,
    t: TableSummary,
    role: str,
    kind: str,
    item: Callable[..., Context],
) -> None:
    key = service.view.get(role, "")
    counts = (
        _group_counts(store, t.info.name, key) if key and "." not in key else {"": t.info.records}
    )
    groups: list[Context] = [
        {"name": g, "count": c, "href": _page_path(service.id, f"g-{paths.slug(g or '-')}", 1)}
        for g, c in sorted(counts.items(), key=lambda kv: kv[0].casefold())
    ]
    for group in groups:
        # An empty name filters the records without one (the Store's "" matches missing too).
        where = {key: group["name"]} if key and "." not in key else None
        part = f"g-{paths.slug(group['name'] or '-')}"
        for n, batch in enumerate(_pages(store, t.info.name, desc=True, where=where), start=1):
            for lang in langs:
                fmt = Formats(lang)
                ctx = _base(site, lang, service, t, _page_path(service.id, part, n), kind)
                ctx.update(
                    groups=groups,
                    group=group,
                    items=[item(service.view, r, site, fmt) for r in batch],
                    pager=_pager(service.id, part, n, group["count"]),
                )
                out.page(ctx)
    for lang in langs:
        ctx = _base(site, lang, service, t, paths.view_page(service.id), kind)
        ctx.update(groups=groups, group=None, items=[], pager=None)
        out.page(ctx)


def _recording(view: Mapping[str, str], record: Record, site: SiteData, fmt: Formats) -> Context:
    data = record.data
    size = dig(data, view.get("size", ""))
    url = _text(dig(data, view.get("url", "")))
    return {
        "seq": record.seq,
        "href": _record_href(site, record),
        "name": _text(dig(data, view.get("name", ""))) or _text(dig(data, view.get("label", ""))),
        "type": _text(dig(data, view.get("type", ""))) or _text(dig(data, view.get("package", ""))),
        "version": _text(dig(data, view.get("version", ""))),
        "product": _text(dig(data, view.get("product", ""))),
        "size": fmt.size(size)
        if isinstance(size, int | float) and not isinstance(size, bool)
        else "",
        "size_raw": _text(size),
        "time": fmt.datetime(record.ts),
        "url": url,
        "link": safe_href(url),
    }


def _event(view: Mapping[str, str], record: Record, site: SiteData, fmt: Formats) -> Context:
    data = record.data
    end = _ms(dig(data, view.get("end", "")))
    all_day = dig(data, view.get("all_day", "")) is True
    return {
        "seq": record.seq,
        "href": _record_href(site, record),
        "title": _text(dig(data, view.get("title", ""))),
        "start": fmt.date(record.ts) if all_day else fmt.datetime(record.ts),
        "start_raw": _text(dig(data, view.get("start", ""))),
        "end": fmt.datetime(end) if end and not all_day else "",
        "all_day": all_day,
        "location": _text(dig(data, view.get("location", ""))),
        "description": _text(dig(data, view.get("description", ""))),
        "rrule": _text(dig(data, view.get("rrule", ""))),
        "month": _month(record.ts),
    }


def _month(ms: int | None) -> str:
    from viewer.site.charts import month_key

    return month_key(ms) or ""


def _agenda(
    site: SiteData,
    store: Store,
    out: PageSink,
    langs: Sequence[str],
    service: Service,
    t: TableSummary,
    people: People,
) -> None:
    for n, batch in enumerate(_pages(store, t.info.name), start=1):
        for lang in langs:
            fmt = Formats(lang)
            events = [_event(service.view, r, site, fmt) for r in batch]
            months: list[Context] = []
            for event in events:
                if not months or months[-1]["key"] != event["month"]:
                    label = fmt.month(event["month"]) if event["month"] else ""
                    months.append({"key": event["month"], "label": label, "events": []})
                months[-1]["events"].append(event)
            ctx = _base(site, lang, service, t, _page_path(service.id, "index", n), "agenda")
            ctx.update(months=months, pager=_pager(service.id, "index", n, t.info.records))
            out.page(ctx)


def _list(
    site: SiteData,
    store: Store,
    out: PageSink,
    langs: Sequence[str],
    service: Service,
    t: TableSummary,
    people: People,
) -> None:
    for n, batch in enumerate(_pages(store, t.info.name, desc=True), start=1):
        for lang in langs:
            fmt = Formats(lang)
            ctx = _base(site, lang, service, t, _page_path(service.id, "index", n), "recordings")
            ctx.update(
                items=[_recording(service.view, r, site, fmt) for r in batch],
                pager=_pager(service.id, "index", n, t.info.records),
            )
            out.page(ctx)


# -- the whole --------------------------------------------------------------------------------


def _main_table(site: SiteData, service: Service) -> TableSummary | None:
    tables = [t for t in site.service_tables(service.id) if t.info.records]
    return max(tables, key=lambda t: t.info.records) if tables else None


def build_views(site: SiteData, store: Store, out: PageSink, langs: Sequence[str]) -> None:
    """Write the special view pages of every service that has one."""
    people = People()
    by_kind = {s.view_kind: s for s in site.contract.services if _main_table(site, s)}
    if (contacts := by_kind.get("contacts")) and (t := _main_table(site, contacts)):
        people.names = contact_names(store, t.info.name, contacts.view)
    found: dict[str, dict[str, Any]] = {}
    for kind in ("conversations", "calls"):
        if (service := by_kind.get(kind)) and (t := _main_table(site, service)):
            found[service.id] = counterparts(store, t.info.name)
            people.threads[kind] = {
                key: thread_path(service.id, cp)
                for cp in found[service.id]
                if (key := normalise_number(cp))
            }
    for service in site.contract.services:
        t = _main_table(site, service)
        if t is None or service.view_kind == "table":
            continue
        kind = service.view_kind
        if kind in ("conversations", "calls"):
            for lang in langs:
                out.page(_people_index(site, lang, service, t, found[service.id], people))
            _threads(site, store, out, langs, service, t, found[service.id], people)
            if kind == "calls":
                _calls_log(site, store, out, langs, service, t, people)
        elif kind == "contacts":
            _contacts(site, store, out, langs, service, t, people)
        elif kind == "notes":
            _grouped(site, store, out, langs, service, t, "folder", "notes", _note)
        elif kind == "backups":
            _grouped(site, store, out, langs, service, t, "device", "backups", _recording)
        elif kind == "agenda":
            _agenda(site, store, out, langs, service, t, people)
        elif kind == "recordings":
            _list(site, store, out, langs, service, t, people)
