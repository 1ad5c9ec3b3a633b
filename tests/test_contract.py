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
# The checklist the contract is held to: a copy of the facts of the published guidance
# (shared/reference/FACTS.md), kept with the tests so that a clean clone checks it too.
FACTS = Path(__file__).resolve().parent / "fixtures" / "FACTS.md"
SHARED_FACTS = Path(__file__).resolve().parents[2] / "shared" / "reference" / "FACTS.md"
# Where the contract words or splits a documented field differently, explicitly.
FIELD_WORDING = {
    "status and content": ["status", "content"],
    "loan info": ["loan information"],
    "credit info": ["credit information"],
    "used status and volume": ["used status", "used volume"],
}


def _facts_tables() -> tuple[list[tuple[str, str, list[str]]], list[tuple[str, list[str]]]]:
    """Return the services (sv, en, fields) and metadata groups (en, fields) of the facts."""
    text = FACTS.read_text(encoding="utf-8")

    def fields(cell: str) -> list[str]:
        names = [f.strip().casefold() for f in re.split(r"[,;]", cell) if f.strip()]
        return sorted({w for n in names for w in FIELD_WORDING.get(n, [n])})

    three = re.findall(r"^\| ([^|]+?) \| ([^|]+?) \| ([^|]+?) \|$", text, re.M)[1:]  # no header
    two = re.findall(r"^\| ([^|]+?) \| ([^|]+?) \|$", text, re.M)[1:]
    services = [(sv.strip(), en.strip(), fields(f)) for sv, en, f in three]
    groups = [(en.strip(), fields(f)) for en, f in two]
    return services, groups


def test_the_checklist_is_the_published_facts() -> None:
    if SHARED_FACTS.is_file():  # beside the project (not in a clean clone of it alone)
        assert FACTS.read_text(encoding="utf-8") == SHARED_FACTS.read_text(encoding="utf-8")
    services, groups = _facts_tables()
    assert (len(services), len(groups)) == (16, 3)


def test_contract_matches_the_facts_service_by_service_and_field_by_field() -> None:
    contract = load_contract()
    services, groups = _facts_tables()
    assert [(s.name.sv, s.name.en) for s in contract.data_services] == [
        (sv, en) for sv, en, _ in services]  # fmt: skip
    for (_sv, en, fields), service in zip(services, contract.data_services, strict=True):
        assert sorted(f.name.en.casefold() for f in service.fields) == fields, en
    assert [s.name.en for s in contract.metadata_groups] == [en for en, _ in groups]
    for (en, fields), group in zip(groups, contract.metadata_groups, strict=True):
        assert sorted(f.name.en.casefold() for f in group.fields) == fields, en
    text = FACTS.read_text(encoding="utf-8")
    listed = re.findall(r"^\d\. (.+)$", text.split("## Not exportable")[1], re.M)[:7]
    names = [c.name.en.casefold().replace(",", " /").replace(" and vip", " / vip")
             for c in contract.not_exportable]  # fmt: skip
    assert names == [n.casefold() for n in listed]


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


@pytest.mark.parametrize(
    ("old", "new", "where", "key"),
    [
        ('role = "created"', 'rol = "created"', "service 'recorder', field 'create_time'",
         "rol"),
        ('id_keys = ["id", "fileId", "file_id"]', 'id_kes = ["id"]', "service 'recorder'",
         "id_kes"),
        ('{ kind = "recordings", name = "name"', '{ kind = "recordings", nmae = "name"',
         "service 'recorder'", "view role 'nmae'"),
        ("country = \"NL\"", "contry = \"NL\"", "provider", "contry"),
        ("transition_period_days = 30", "transition_period_days = 30\ntransition_days = 30",
         "switching", "transition_days"),
        ("\n[sources]\n", "\n[sources]\nguesed = { en = \"x\", sv = \"y\" }\n", "sources",
         "guesed"),
        ("\n[switching]\n", "\n[switchng]\nx = 1\n\n[switching]\n", "top level", "switchng"),
    ],
)  # fmt: skip
def test_an_unknown_key_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, where: str, key: str
) -> None:
    from viewer.cli import main

    path = _broken(tmp_path, old, new)
    with pytest.raises(ContractError) as info:
        load_contract(path)
    message = str(info.value)
    assert message.startswith(f"contract {path}: {where}: unknown ")
    assert (f"'{key}'" in message or key in message) and "(known: " in message
    assert main(["contract", "--contract", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: contract ") and err.count("\n") == 1


def test_the_loaded_contract_cannot_be_changed() -> None:
    import dataclasses

    contract = load_contract()
    with pytest.raises(TypeError):
        contract.switching["transition_period_days"] = 99  # type: ignore[index]
    with pytest.raises(TypeError):
        contract.info["country"] = "SE"  # type: ignore[index]
    with pytest.raises(TypeError):
        contract.services[0].view["time"] = "x"  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        contract.version = "0"  # type: ignore[misc]
    assert contract.switching["transition_period_days"] == 30
