"""The JSON Schema of privlint.yaml (for editors) agrees with the loader and every policy."""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from conftest import FIXTURES, REPO

from privlint.packs import builtin_pack_names
from privlint.policy import SINK_KINDS
from privlint.policy_schema import _SEVERITIES, FORMATS, SECTION_KEYS, SUPPORTED_VERSIONS
from privlint.taxonomy import load_taxonomy

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

SCHEMA: dict[str, Any] = json.loads(
    resources.files("privlint.schemas").joinpath("policy.schema.json").read_text("utf-8")
)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

# Where each mapping the loader reads sits in the schema.
SCHEMA_PATHS = {
    "top level": (),
    "check": ("check",),
    "pii": ("pii",),
    "pii.names[]": ("pii", "names", "[]"),
    "sinks[]": ("sinks", "[]"),
    "sanitizers[]": ("sanitizers", "[]"),
    "propagators[]": ("propagators", "[]"),
    "types[]": ("types", "[]"),
    "rules[]": ("rules", "[]"),
    "rules[].sinks": ("rules", "[]", "sinks"),
    "rules[].allow[]": ("rules", "[]", "allow", "[]"),
}


def _resolved(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = SCHEMA["$defs"][node["$ref"].removeprefix("#/$defs/")]
    return node


def schema_at(path: tuple[str, ...]) -> dict[str, Any]:
    node = SCHEMA
    for step in path:
        node = _resolved(node["items"] if step == "[]" else node["properties"][step])
    return node


def errors(document: object) -> list[str]:
    return sorted(
        "/".join(str(part) for part in error.absolute_path) or "(top)"
        for error in VALIDATOR.iter_errors(document)
    )


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_schema_and_loader_accept_the_same_keys_everywhere() -> None:
    assert set(SCHEMA_PATHS) == set(SECTION_KEYS), "a section the test does not map"
    for section, keys in SECTION_KEYS.items():
        node = schema_at(SCHEMA_PATHS[section])
        assert node.get("additionalProperties") is False, section
        assert set(node["properties"]) == set(keys), section


def test_schema_choices_are_the_loaders() -> None:
    defs = SCHEMA["$defs"]
    assert defs["sinkKind"]["enum"] == list(SINK_KINDS)
    assert defs["severity"]["enum"] == list(_SEVERITIES)
    assert defs["category"]["enum"] == sorted(load_taxonomy().descriptions)
    assert schema_at(("check",))["properties"]["format"]["enum"] == list(FORMATS)
    assert SCHEMA["properties"]["version"]["enum"] == list(SUPPORTED_VERSIONS)


def _yaml(path: Path) -> object:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


PACKS = [REPO / "rules" / f"{name}.yaml" for name in builtin_pack_names()]
POLICIES = [
    REPO / "examples" / "walletapp" / "privlint.yaml",
    *sorted(path for path in FIXTURES.rglob("*.yaml") if path.name != "expected.yaml"),
]
BROKEN = FIXTURES / "config" / "mistakes" / "privlint.yaml"


@pytest.mark.parametrize(
    "policy",
    [*PACKS, *(p for p in POLICIES if p != BROKEN)],
    ids=lambda p: p.relative_to(REPO).as_posix(),
)
def test_every_shipped_pack_example_and_fixture_policy_validates(policy: Path) -> None:
    assert errors(_yaml(policy)) == []


def test_pyproject_table_validates() -> None:
    pyproject = FIXTURES / "config" / "pyproject" / "pyproject.toml"
    table = tomllib.loads(pyproject.read_text(encoding="utf-8"))["tool"]["privlint"]
    assert errors(table) == []


def test_the_broken_fixture_policy_fails_where_the_loader_does() -> None:
    # The loader's own test of this file lists the same mistakes, except the bad regex
    # (a schema cannot compile one).
    assert errors(_yaml(BROKEN)) == [
        "include",  # a string, not a list
        "pii/fields/acme.models.Customer.ssn",  # unknown category user.ssn
        "rules/0",  # unknown key sinkz
        "rules/0/severity",  # critical
        "rules/1/allow/0",  # no reason
        "sinks/0/kind",  # chat
    ]


def test_allow_categories_and_sink_processor_are_in_the_schema() -> None:
    policy = {
        "version": 1,
        "sinks": [{"id": "sms", "kind": "messaging", "calls": ["a.send"], "processor": "Twilio"}],
        "rules": [
            {
                "id": "r",
                "categories": ["user"],
                "sinks": {"ids": ["sms"]},
                "allow": [
                    {
                        "functions": ["a.*"],
                        "categories": ["user.contact.phone_number"],
                        "reason": "gateway",
                    }
                ],
            }
        ],
    }
    assert errors(policy) == []
    policy["rules"][0]["allow"][0]["categories"] = ["user.contact.phone"]
    assert errors(policy) == ["rules/0/allow/0/categories/0"]
