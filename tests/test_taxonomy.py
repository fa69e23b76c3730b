"""The shipped data categories: fideslang's keys, ancestry matching, "did you mean"."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from privlint.packs import builtin_pack
from privlint.taxonomy import Taxonomy, covers, load_taxonomy

# The fideslang 3.1.4 keys as ECOSYSTEM.md lists them: a group, then its children.
FIDESLANG_GROUPS = {
    "user.account": "settings username",
    "user.authorization": "credentials biometric password",
    "user.behavior": "browsing_history media_consumption purchase_history search_history",
    "user.biometric": "fingerprint retinal voice health",
    "user.contact": "email phone_number fax_number url organization address",
    "user.contact.address": "city country postal_code state street",
    "user.content": "private public self_image",
    "user.demographic": "age_range date_of_birth gender language marital_status"
    " political_opinion profile race_ethnicity religious_belief sexual_orientation",
    "user.device": "cookie cookie_id device_id ip_address",
    "user.financial": "bank_account credit_card",
    "user.government_id": "birth_certificate drivers_license_number immigration"
    " national_identification_number passport_number vehicle_registration",
    "user.health_and_medical": "genetic insurance_beneficiary_id record_id",
    "user.location": "imprecise precise",
    "user.name": "first last",
    "user.unique_id": "pseudonymous",
    "user": "childrens criminal_history job_title privacy_preferences payment social"
    " telemetry user_sensor sensor workplace",
    "system": "authentication operations",
}
EXPECTED_KEYS = (
    {"user", "system"}
    | {
        f"{group}.{child}"
        for group, children in FIDESLANG_GROUPS.items()
        for child in children.split()
    }
    | {group for group in FIDESLANG_GROUPS}
)


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    pack = builtin_pack("taxonomy")
    assert pack is not None
    data: dict[str, Any] = yaml.safe_load(pack.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


def test_keys_are_exactly_the_fideslang_ones(taxonomy: Taxonomy) -> None:
    assert set(taxonomy.keys()) == EXPECTED_KEYS


def test_user_key_count_matches_ecosystem(taxonomy: Taxonomy) -> None:
    # ECOSYSTEM.md: 85 keys in all, of which system, system.authentication, system.operations
    assert len([key for key in taxonomy.descriptions if covers("user", key)]) == 82
    assert len(taxonomy.keys()) == 85


def test_no_key_is_listed_twice(raw: dict[str, Any]) -> None:
    keys = [entry["key"] for entry in raw["categories"]]
    assert len(keys) == len(set(keys))


def test_every_key_has_its_parent(taxonomy: Taxonomy) -> None:
    for key in taxonomy.descriptions:
        if "." in key:
            assert key.rsplit(".", 1)[0] in taxonomy, key


def test_every_key_has_a_one_sentence_description(taxonomy: Taxonomy) -> None:
    for key, description in taxonomy.descriptions.items():
        assert isinstance(description, str), key
        assert description.endswith(".") and description.count(". ") == 0, key
        assert 10 < len(description) < 130, key


def test_phone_number_is_under_contact(taxonomy: Taxonomy) -> None:
    assert "user.contact.phone_number" in taxonomy
    assert covers("user.contact", "user.contact.phone_number")


def test_category_covers_itself_and_descendants() -> None:
    assert covers("user.contact", "user.contact")
    assert covers("user.contact", "user.contact.email")
    assert covers("user", "user.contact.address.street")


def test_category_does_not_cover_a_sibling_with_the_same_prefix() -> None:
    assert not covers("user.contact", "user.contactx")
    assert not covers("user.contact.email", "user.contact")
    assert not covers("user", "system.operations")


@pytest.mark.parametrize(
    ("unknown", "intended"),
    [
        ("user.ssn", "user.government_id.national_identification_number"),
        ("user.contact.phone", "user.contact.phone_number"),
        ("user.contact.state", "user.contact.address.state"),
        ("user.health", "user.health_and_medical"),
        ("user.date_of_birth", "user.demographic.date_of_birth"),
        ("user.dob", "user.demographic.date_of_birth"),
        ("user.contact.mobile", "user.contact.phone_number"),
        ("user.passport", "user.government_id.passport_number"),
        ("user.email_address", "user.contact.email"),
        ("user.ip", "user.device.ip_address"),
        ("user.zip", "user.contact.address.postal_code"),
        ("user.iban", "user.financial.bank_account"),
        ("user.credit_card", "user.financial.credit_card"),
        ("user.gender", "user.demographic.gender"),
        ("user.contacts", "user.contact"),
    ],
)
def test_unknown_category_suggests_the_intended_key(
    taxonomy: Taxonomy, unknown: str, intended: str
) -> None:
    assert unknown not in taxonomy
    assert taxonomy.suggest(unknown) == intended


def test_unknown_message_says_did_you_mean(taxonomy: Taxonomy) -> None:
    message = taxonomy.unknown_message("user.ssn")
    assert message == (
        "unknown data category 'user.ssn'; "
        "did you mean 'user.government_id.national_identification_number'?"
    )


def test_hints_point_to_real_keys(taxonomy: Taxonomy) -> None:
    for leaf, key in taxonomy.hints.items():
        assert isinstance(leaf, str) and leaf == leaf.lower(), leaf
        assert key in taxonomy, (leaf, key)


def test_hints_do_not_shadow_real_keys(taxonomy: Taxonomy) -> None:
    """A hint is only for names that are not keys already, so it never contradicts one."""
    for leaf in taxonomy.hints:
        assert f"user.{leaf}" not in taxonomy, leaf


def test_source_and_attribution_are_present(raw: dict[str, Any], taxonomy: Taxonomy) -> None:
    assert raw["source"] == "fideslang 3.1.4"
    assert raw["license"] == "CC BY 4.0"
    assert "Ethyca" in taxonomy.attribution
    assert "CC BY 4.0" in taxonomy.attribution
    assert taxonomy.source == "fideslang 3.1.4"


def test_taxonomy_is_loaded_with_a_safe_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    loaders: list[type] = []
    real_load = yaml.load

    def spy_load(stream: Any, Loader: type) -> Any:
        loaders.append(Loader)
        return real_load(stream, Loader)

    monkeypatch.setattr(yaml, "load", spy_load)
    load_taxonomy.cache_clear()
    try:
        assert "user.contact.email" in load_taxonomy()
    finally:
        load_taxonomy.cache_clear()
    safe = {yaml.SafeLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader)}  # libyaml's, if built
    assert loaders and all(loader in safe for loader in loaders)
