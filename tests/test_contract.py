"""The contract loads, is complete against the published guidance, and rejects broken files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from verify.contract import DEFAULT_CONTRACT, load_contract
from viewer.errors import ContractError

# The guidance's facts (reference/FACTS.md), in the order it lists them: service names in both
# languages and the number of documented fields as the contract splits them.
SERVICES = [
    ("Recorder", "Inspelare", 10),
    ("Contacts", "Tjänst för kontaktlista", 5),
    ("Find Device", "Hitta enhet", 5),
    ("SMS", "SMS-tjänst", 4),
    ("Call log", "Samtalsposttjänst", 4),
    ("Notes", "Fästlappar", 8),
    ("Mi Card", "Micard", 3),
    ("Browser", "Webbläsare", 2),
    ("Cloud Card", "Cloud Card", 1),
    ("App backup", "Tjänst för säkerhetskopiering av applikation", 15),
    ("Music", "Musik", 8),
    ("Calendar", "Kalender", 3),
    ("Lending (loan) model", "Utlåningsmodell", 9),
    ("App search", "Appsökning", 8),
    ("Common phrases", "Vanliga fraser", 7),
    ("Clipboard", "Urklipp", 7),
]
METADATA = [
    ("User quota", "Användarkvot", 5),
    ("Service quota usage", "Användning av tjänstekvot", 3),
    ("Gift membership data", "Data om gåvomedlemskap", 5),
]
NOT_EXPORTABLE_SV = [
    "Mappningsdata för Micloud användar-ID",
    "Fil för medlemsdelning",
    "Fil för Micloud-delning",
    "VIP",
    "Faktura och användarprofil",
    "biljetter",
    "Användarnas statusdata",
]
FACTS = Path(__file__).resolve().parents[2] / "shared" / "reference" / "FACTS.md"


def test_contract_lists_every_documented_service_with_both_languages() -> None:
    contract = load_contract()
    data = [(s.name.en, s.name.sv, len(s.fields)) for s in contract.data_services]
    meta = [(s.name.en, s.name.sv, len(s.fields)) for s in contract.metadata_groups]
    assert data == SERVICES
    assert meta == METADATA


def test_contract_lists_the_seven_not_exportable_categories() -> None:
    contract = load_contract()
    assert len(contract.not_exportable) == 7
    for category, expected in zip(contract.not_exportable, NOT_EXPORTABLE_SV, strict=True):
        assert expected.casefold() in category.name.sv.casefold()
        assert category.name.en and category.tables


def test_every_field_has_keys_type_and_both_names() -> None:
    for service in load_contract().services:
        assert service.tables, service.id
        for field in service.fields:
            assert field.keys and field.type and field.name.en and field.name.sv, field.id
            assert (field.type == "timestamp") == (field.format is not None), field.id


def test_switching_timelines_are_numbers() -> None:
    switching = load_contract().switching
    assert switching["notice_period_max_months"] == 2
    assert switching["transition_period_days"] == 30
    assert switching["unfeasibility_notice_working_days"] == 14
    assert switching["alternative_transition_max_months"] == 7
    assert switching["retrieval_period_days"] == 30
    assert switching["download_link_valid_days"] == 30


@pytest.mark.skipif(not FACTS.exists(), reason="shared/reference/FACTS.md is not beside this clone")
def test_contract_matches_the_facts_file() -> None:
    text = FACTS.read_text(encoding="utf-8")
    rows = re.findall(r"^\| ([^|]+?) \| ([^|]+?) \| ([^|]+?) \|$", text, re.MULTILINE)
    by_sv = {sv.strip(): en.strip() for sv, en, _ in rows}
    contract = load_contract()
    for service in contract.data_services:
        assert by_sv.get(service.name.sv) is not None, service.name.sv
        assert by_sv[service.name.sv].casefold() == service.name.en.casefold()


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = DEFAULT_CONTRACT.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "broken.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('type = "size"', 'type = "bytes"', "service 'recorder', field 'size': 'type' is 'bytes'"),
        ('sv = "Inspelare"', 'sv = ""', "service 'recorder': 'name' has no text in sv"),
        ('format = "epoch-ms"', 'format = "epoch-us"', "'format' is 'epoch-us'"),
        ('kind = "data"', 'kind = "other"', "service 'recorder': 'kind' is 'other'"),
        ('"contacts", "contact",', '"recorder", "contact",', "table 'recorder' appears twice"),
        ("transition_period_days = 30", "transition_period_days = -1", "switching"),
        ('id = "contacts"', 'id = "recorder"', "service id 'recorder' appears twice"),
    ],
)
def test_broken_contract_is_one_clear_error(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    path = _broken(tmp_path, old, new)
    with pytest.raises(ContractError) as info:
        load_contract(path)
    assert str(info.value).startswith(f"contract {path}:")
    assert message in str(info.value)


def test_contract_that_is_not_toml(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[provider\n", encoding="utf-8")
    with pytest.raises(ContractError, match="not valid toml"):
        load_contract(path)
