"""A deterministic sample export: one Swedish resident's life, 2023-2025, made from the contract."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from verify.contract import Contract, Service, load_contract
from viewer.errors import UsageError
from viewer.sample.context import GenContext
from viewer.sample.defects import DefectPlan, defects_help, parse_defects
from viewer.sample.plan import SIZES, plan
from viewer.sample.registry import generator_for
from viewer.sample.shape import Record, RecordShape
from viewer.sample.writer import LAYOUTS, ROOT, SINGLE_FILE, SampleTable, write_zip

__all__ = [
    "LAYOUTS",
    "ROOT",
    "SINGLE_FILE",
    "SIZES",
    "SampleSummary",
    "SampleTable",
    "defects_help",
    "iter_records",
    "iter_tables",
    "write_sample",
]


@dataclass(frozen=True)
class SampleSummary:
    """What was written: where, with which password and encryption, how many records per table."""

    path: Path
    password: str | None
    encryption: str
    tables: dict[str, int]


def iter_records(service: Service, seed: int, counts: dict[str, int]) -> Iterator[Record]:
    """Yield a service's clean records, one at a time, exactly as the contract shapes them."""
    count = counts.get(service.id, 0)
    ctx = GenContext(seed, service, count, counts, random.Random(f"{seed}:{service.id}"))
    shape = RecordShape(service, seed)
    rng = random.Random(f"{seed}:{service.id}:defaults")
    for index, draft in enumerate(generator_for(service.id)(ctx)):
        if index >= count:
            return
        yield shape.build(index, draft, rng)


def _tables(
    contract: Contract, seed: int, counts: dict[str, int], defects: DefectPlan
) -> Iterator[SampleTable]:
    for service in contract.services:
        if service.id in defects.dropped:
            continue
        records = defects.apply(service.id, iter_records(service, seed, counts))
        yield SampleTable(
            service.tables[0],
            service.id,
            records,
            broken=service.id in defects.broken,
            planned=counts[service.id],
        )
    for name, factory in defects.extra.items():
        yield SampleTable(name, None, factory(random.Random(f"{seed}:extra:{name}")))


def iter_tables(
    *,
    seed: int = 1,
    size: str = "small",
    records: int | None = None,
    defects: Sequence[str] = (),
    contract: Contract | None = None,
) -> list[SampleTable]:
    """Return the sample's tables in file order; each table's records are a lazy one-shot stream."""
    contract = contract if contract is not None else load_contract()
    plan_ = parse_defects(tuple(defects), contract)
    counts = plan([s.id for s in contract.services], size, records)
    return list(_tables(contract, seed, counts, plan_))


def write_sample(
    out: Path,
    *,
    seed: int = 1,
    size: str = "small",
    records: int | None = None,
    layout: str = "per-service",
    password: str | None,
    defects: Sequence[str] = (),
    contract: Contract | None = None,
) -> SampleSummary:
    """Write a sample export ZIP (AES-256 with a password, plain without) and summarise it."""
    if layout not in LAYOUTS:
        raise UsageError(f"unknown layout {layout!r}: choose one of {', '.join(LAYOUTS)}")
    if password == "":
        raise UsageError("the password must not be empty")
    tables = iter_tables(seed=seed, size=size, records=records, defects=defects, contract=contract)
    counts = write_zip(Path(out), tables, layout=layout, password=password)
    return SampleSummary(
        path=Path(out),
        password=password,
        encryption="none" if password is None else "aes-256",
        tables=counts,
    )
