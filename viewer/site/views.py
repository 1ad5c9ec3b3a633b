"""Views that fit the data: conversations, contacts, calls, notes, agenda, recordings, backups.

`plan_views` lists every view page of an export (path -> what makes it) from a few counts in
SQL; `view_contexts` makes one page, in one or several languages, reading just its records.
The static build makes them all; the server makes the one asked for. Memory stays bounded:
only the people, folders or devices with their counts are held (and the sorted contact cards).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
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


def _thread_pager(service_id: str, cp: str, n: int, total: int) -> Context:
    pager = _pager(service_id, f"with-{paths.slug(cp)}", n, total)
    return pager


def _other_thread(kind: str, cp: str, people: People) -> Context | None:
    for other in people.threads:
        if other != kind and (href := people.link(other, cp)):
            return {"kind": other, "href": href}
    return None


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


# -- the whole --------------------------------------------------------------------------------


def _main_table(site: SiteData, service: Service) -> TableSummary | None:
    tables = [t for t in site.tables.values() if t.service and t.service.id == service.id
              and t.info.records]  # fmt: skip
    return max(tables, key=lambda t: t.info.records) if tables else None


@dataclass(frozen=True)
class Spec:
    """What makes one view page: a builder, the service, the page number, a person or group."""

    build: str
    service: str
    n: int = 1
    key: str | None = None


@dataclass
class Views:
    """The view pages of one loaded export, and what every one of them needs."""

    site: SiteData
    store: Store
    people: People
    found: dict[str, dict[str, Any]]  # service id -> counterpart -> count and latest time
    groups: dict[str, list[Context]]  # service id -> folders or devices with their counts
    plan: dict[str, Spec]
    _cards: dict[str, list[Context]] = field(default_factory=dict)

    def cards(self, service: Service, t: TableSummary) -> list[Context]:
        """Return a service's contact cards, sorted by name (an address book is small)."""
        if service.id not in self._cards:
            records = self.store.records(t.info.name)
            cards = [_card(service.view, r, self.site, self.people) for r in records]
            cards.sort(key=lambda c: (c["name"].casefold(), c["seq"]))
            self._cards[service.id] = cards
        return self._cards[service.id]


def _count_pages(total: int) -> int:
    return max(1, -(-total // VIEW_PAGE))


def _group_key(service: Service) -> str | None:
    role = "folder" if service.view_kind == "notes" else "device"
    key = service.view.get(role, "")
    return key if key and "." not in key else None


def plan_views(site: SiteData, store: Store) -> Views:
    """Return every view page of the export and what each needs (counts in SQL, no records)."""
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
    views = Views(site, store, people, found, {}, {})
    for service in site.contract.services:
        t = _main_table(site, service)
        if t is not None and service.view_kind != "table":
            _plan_service(views, service, t)
    return views


def _plan_service(views: Views, service: Service, t: TableSummary) -> None:
    plan, sid, kind, records = views.plan, service.id, service.view_kind, t.info.records

    def pages(build: str, part: str, total: int, key: str | None = None) -> None:
        for n in range(1, _count_pages(total) + 1):
            plan[_page_path(sid, part, n)] = Spec(build, sid, n, key)

    if kind in ("conversations", "calls"):
        plan[paths.view_page(sid)] = Spec("people", sid)
        for cp, entry in views.found[sid].items():
            pages("thread", f"with-{paths.slug(cp)}", entry["count"], cp)
        if kind == "calls":
            pages("log", "log", records)
    elif kind in ("notes", "backups"):
        key = _group_key(service)
        counts = _group_counts(views.store, t.info.name, key) if key else {"": records}
        views.groups[sid] = [
            {"name": g, "count": c, "href": _page_path(sid, f"g-{paths.slug(g or '-')}", 1)}
            for g, c in sorted(counts.items(), key=lambda kv: kv[0].casefold())
        ]
        plan[paths.view_page(sid)] = Spec("groups", sid)
        for group in views.groups[sid]:
            pages("group", f"g-{paths.slug(group['name'] or '-')}", group["count"], group["name"])
    elif kind in ("contacts", "agenda", "recordings"):
        pages(kind, "index", records)


def view_page(views: Views, lang: str, path: str) -> Context | None:
    """Return one view page in one language (None when the export has no such page)."""
    spec = views.plan.get(path)
    return view_contexts(views, spec, [lang])[0] if spec else None


def view_contexts(views: Views, spec: Spec, langs: Sequence[str]) -> list[Context]:
    """Return one view page in each language; its records are read once for all of them."""
    service = views.site.contract.service(spec.service)
    assert service is not None  # planned from the contract
    t = _main_table(views.site, service)
    assert t is not None
    return BUILDERS[spec.build](views, service, t, spec, langs)


def _batch(views: Views, t: TableSummary, spec: Spec, **query: Any) -> list[Record]:
    offset = (spec.n - 1) * VIEW_PAGE
    return views.store.page(t.info.name, offset=offset, limit=VIEW_PAGE, **query)


def _build_people(views: Views, service: Service, t: TableSummary, spec: Spec,
                  langs: Sequence[str]) -> list[Context]:  # fmt: skip
    found = views.found[service.id]
    return [_people_index(views.site, lang, service, t, found, views.people) for lang in langs]


def _build_thread(views: Views, service: Service, t: TableSummary, spec: Spec,
                  langs: Sequence[str]) -> list[Context]:  # fmt: skip
    cp = spec.key or ""
    batch = _batch(views, t, spec, sort="ts", where={"counterpart": cp})
    shown = [_message(service.view, r, views.site) for r in batch]
    total = views.found[service.id][cp]["count"]
    pages = []
    for lang in langs:
        fmt = Formats(lang)
        path = thread_path(service.id, cp, spec.n)
        ctx = _base(views.site, lang, service, t, path, "conversation")
        ctx.update(
            counterpart=cp,
            name=views.people.name(cp),
            view_kind=service.view_kind,
            messages=[_localised(m, fmt) for m in shown],
            pager=_thread_pager(service.id, cp, spec.n, total),
            other=_other_thread(service.view_kind, cp, views.people),
        )
        pages.append(ctx)
    return pages


def _build_log(views: Views, service: Service, t: TableSummary, spec: Spec,
               langs: Sequence[str]) -> list[Context]:  # fmt: skip
    shown = [_message(service.view, r, views.site)
             for r in _batch(views, t, spec, sort="ts", desc=True)]  # fmt: skip
    for call in shown:
        call["name"] = call["name"] or views.people.name(call["counterpart"]) or ""
        call["thread"] = (
            thread_path(service.id, call["counterpart"]) if call["counterpart"] else None
        )
    pages = []
    for lang in langs:
        fmt = Formats(lang)
        ctx = _base(views.site, lang, service, t, _page_path(service.id, "log", spec.n), "calls")
        ctx.update(calls=[_localised(call, fmt) for call in shown],
                   pager=_pager(service.id, "log", spec.n, t.info.records))  # fmt: skip
        pages.append(ctx)
    return pages


def _build_contacts(views: Views, service: Service, t: TableSummary, spec: Spec,
                    langs: Sequence[str]) -> list[Context]:  # fmt: skip
    cards = views.cards(service, t)
    first = (spec.n - 1) * VIEW_PAGE
    pages = []
    for lang in langs:
        path = _page_path(service.id, "index", spec.n)
        ctx = _base(views.site, lang, service, t, path, "contacts")
        ctx.update(cards=cards[first : first + VIEW_PAGE],
                   pager=_pager(service.id, "index", spec.n, len(cards)))  # fmt: skip
        pages.append(ctx)
    return pages


def _build_groups(views: Views, service: Service, t: TableSummary, spec: Spec,
                  langs: Sequence[str]) -> list[Context]:  # fmt: skip
    pages = []
    for lang in langs:
        ctx = _base(views.site, lang, service, t, paths.view_page(service.id), service.view_kind)
        ctx.update(groups=views.groups[service.id], group=None, items=[], pager=None)
        pages.append(ctx)
    return pages


def _build_group(views: Views, service: Service, t: TableSummary, spec: Spec,
                 langs: Sequence[str]) -> list[Context]:  # fmt: skip
    key, name = _group_key(service), spec.key or ""
    # An empty name filters the records without one (the Store's "" matches missing too).
    batch = _batch(views, t, spec, sort="ts", desc=True, where={key: name} if key else None)
    group = next(g for g in views.groups[service.id] if g["name"] == name)
    part = f"g-{paths.slug(name or '-')}"
    item = _note if service.view_kind == "notes" else _recording
    pages = []
    for lang in langs:
        fmt = Formats(lang)
        ctx = _base(views.site, lang, service, t, _page_path(service.id, part, spec.n),
                    service.view_kind)  # fmt: skip
        ctx.update(groups=views.groups[service.id], group=group,
                   items=[item(service.view, r, views.site, fmt) for r in batch],
                   pager=_pager(service.id, part, spec.n, group["count"]))  # fmt: skip
        pages.append(ctx)
    return pages


def _build_agenda(views: Views, service: Service, t: TableSummary, spec: Spec,
                  langs: Sequence[str]) -> list[Context]:  # fmt: skip
    batch = _batch(views, t, spec, sort="ts")
    pages = []
    for lang in langs:
        fmt = Formats(lang)
        events = [_event(service.view, r, views.site, fmt) for r in batch]
        months: list[Context] = []
        for event in events:
            if not months or months[-1]["key"] != event["month"]:
                label = fmt.month(event["month"]) if event["month"] else ""
                months.append({"key": event["month"], "label": label, "events": []})
            months[-1]["events"].append(event)
        path = _page_path(service.id, "index", spec.n)
        ctx = _base(views.site, lang, service, t, path, "agenda")
        ctx.update(months=months, pager=_pager(service.id, "index", spec.n, t.info.records))
        pages.append(ctx)
    return pages


def _build_recordings(views: Views, service: Service, t: TableSummary, spec: Spec,
                      langs: Sequence[str]) -> list[Context]:  # fmt: skip
    batch = _batch(views, t, spec, sort="ts", desc=True)
    pages = []
    for lang in langs:
        fmt = Formats(lang)
        path = _page_path(service.id, "index", spec.n)
        ctx = _base(views.site, lang, service, t, path, "recordings")
        ctx.update(items=[_recording(service.view, r, views.site, fmt) for r in batch],
                   pager=_pager(service.id, "index", spec.n, t.info.records))  # fmt: skip
        pages.append(ctx)
    return pages


Builder = Callable[[Views, Service, TableSummary, Spec, Sequence[str]], list[Context]]
BUILDERS: dict[str, Builder] = {
    "people": _build_people,
    "thread": _build_thread,
    "log": _build_log,
    "contacts": _build_contacts,
    "groups": _build_groups,
    "group": _build_group,
    "agenda": _build_agenda,
    "recordings": _build_recordings,
}


def build_views(site: SiteData, store: Store, out: PageSink, langs: Sequence[str]) -> None:
    """Write the special view pages of every service that has one."""
    views = plan_views(site, store)
    for spec in views.plan.values():
        for ctx in view_contexts(views, spec, langs):
            out.page(ctx)
