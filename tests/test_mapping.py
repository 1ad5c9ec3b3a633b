"""A mapping file puts observed names first and rejects unknown ids clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from verify.contract import load_contract
from verify.mapping import apply_mapping
from viewer.errors import ContractError


def write(tmp_path: Path, text: str, name: str = "map.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_mapping_adds_tables_and_keys(tmp_path: Path) -> None:
    path = write(tmp_path, '[tables]\n"sms_records" = "sms"\n[fields.sms]\n"msgBody" = "content"\n')
    contract = apply_mapping(load_contract(), path)
    sms = contract.service("sms")
    assert sms is not None
    assert sms.tables[0] == "sms_records"
    content = sms.field_by_id("content")
    assert content is not None
    assert content.keys[0] == "msgBody"
    assert contract.service_for_table("SMS_RECORDS") is sms
    assert contract.mapped == {"table:sms_records": "sms", "field:sms.msgBody": "sms.content"}


def test_mapped_key_moves_from_the_field_that_guessed_it(tmp_path: Path) -> None:
    path = write(tmp_path, '[fields.phrases]\n"content" = "type"\n')
    phrases = apply_mapping(load_contract(), path).service("phrases")
    assert phrases is not None
    assert phrases.key_index()["content"].id == "type"


def test_mapping_as_json(tmp_path: Path) -> None:
    path = write(tmp_path, '{"tables": {"kontakter": "contacts"}}', "map.json")
    contacts = apply_mapping(load_contract(), path).service("contacts")
    assert contacts is not None
    assert contacts.tables[0] == "kontakter"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[tables]\n"x" = "nope"\n', "table 'x' maps to unknown service 'nope'"),
        ('[fields.sms]\n"x" = "nope"\n', "key 'x' maps to unknown field sms.nope"),
        ('[fields.nope]\n"x" = "y"\n', "[fields.nope] is no known service"),
        ("[tables]\nx = 1\n", "[tables] must map names to ids"),
        ("[tables\n", "not valid TOML or JSON"),
    ],
)
def test_bad_mapping_is_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ContractError) as info:
        apply_mapping(load_contract(), path)
    assert str(info.value).startswith(f"mapping {path}: ")
    assert message in str(info.value)
