"""The built-in name heuristics (SPEC §3, §3a): which identifiers look like personal data."""

from __future__ import annotations

import re
import textwrap
import time
from pathlib import Path

import pytest

from privlint.catalog import Catalog
from privlint.config import load_policy
from privlint.policy import NameHeuristic

# A 10 kB identifier must never take this long: a generous bound that only
# catastrophic backtracking (seconds to hours) can exceed.
TIME_LIMIT_SECONDS = 1.0

ADVERSARIAL_IDENTIFIERS = {
    "a_repeated": "a_" * 5000,
    "email_repeated": "email_" * 2000 + "x",
    "underscores": "_" * 10_000,
    "letters": "a" * 10_000,
    "is_prefix_repeated": "is_" * 3000 + "email_x",
    "e_mail_repeated": "e_mail_" * 1500 + "!",
    "phone_number_repeated": "phone_number_" * 800 + "count",
    "address_line_repeated": "address_line" * 900 + "_x",
    "camel_case": "aB" * 5000,
    "upper_case": "EMAIL" * 2000 + "_",
}


@pytest.fixture
def catalog(tmp_path: Path) -> Catalog:
    """A catalog of the built-in default policy (no privlint.yaml anywhere)."""
    return Catalog(load_policy(None, tmp_path))


def default_heuristics(tmp_path: Path) -> tuple[NameHeuristic, ...]:
    heuristics = load_policy(None, tmp_path).pii.active_names()
    assert heuristics, "builtin:default ships name heuristics"
    return heuristics


@pytest.mark.parametrize(
    ("identifier", "category"),
    [
        ("email", "user.contact.email"),
        ("customer_phone", "user.contact.phone_number"),
        ("customerPhone", "user.contact.phone_number"),
        ("ssn", "user.government_id.national_identification_number"),
        ("patient_email", "user.contact.email"),
        ("phone_number", "user.contact.phone_number"),
        ("date_of_birth", "user.demographic.date_of_birth"),
        ("credit_card_number", "user.financial.credit_card"),
        ("password", "user.authorization.credentials"),
        ("ip_address", "user.device.ip_address"),
        ("first_name", "user.name"),
        ("customer_name", "user.name"),
        ("diagnosis", "user.health_and_medical"),
        ("EMAIL", "user.contact.email"),
    ],
)
def test_pii_looking_name_is_pii(catalog: Catalog, identifier: str, category: str) -> None:
    assert catalog.name_category(identifier) == category


@pytest.mark.parametrize(
    "identifier",
    [
        "email_template",
        "phone_count",
        "is_email_verified",
        "email_sent_at",
        "user_id",
        "name",
        "has_phone",
        "emails_sent",
        "phone_verified",
        "template_name",
        "filename",
        "hostname",
    ],
)
def test_counter_flag_template_timestamp_or_id_is_not_pii(
    catalog: Catalog, identifier: str
) -> None:
    assert catalog.name_category(identifier) is None


@pytest.mark.parametrize(
    ("identifier", "category"),
    [
        ("fullname", "user.name"),
        ("firstname", "user.name"),
        ("lastName", "user.name"),
        ("surname", "user.name"),
        ("given_name", "user.name"),
        ("family_name", "user.name"),
        ("maiden_name", "user.name"),
        ("creditcard", "user.financial.credit_card"),
        ("cc_number", "user.financial.credit_card"),
        ("ccn", "user.financial.credit_card"),
        ("debit_card", "user.financial.credit_card"),
        ("iban", "user.financial.bank_account"),
        ("account_no", "user.financial.bank_account"),
        ("accountNo", "user.financial.bank_account"),
        ("bank_number", "user.financial.bank_account"),
        ("post_code", "user.contact.address"),
        ("postal_code", "user.contact.address"),
        ("zipcode", "user.contact.address"),
        ("street", "user.contact.address"),
        ("addressLine1", "user.contact.address"),
        ("latitude", "user.location.precise"),
        ("longitude", "user.location.precise"),
        ("lat", "user.location.precise"),
        ("lng", "user.location.precise"),
        ("home_lat", "user.location.precise"),
        ("birthdate", "user.demographic.date_of_birth"),
        ("dob", "user.demographic.date_of_birth"),
        ("gender", "user.demographic.gender"),
        ("nationality", "user.demographic"),
        ("tax_id", "user.government_id.national_identification_number"),
        ("passport_no", "user.government_id.passport_number"),
        ("driver_license", "user.government_id.drivers_license_number"),
        ("drivers_licence_number", "user.government_id.drivers_license_number"),
        ("remote_addr", "user.device.ip_address"),
        ("REMOTE_ADDR", "user.device.ip_address"),
        ("client_ip", "user.device.ip_address"),
        ("HTTP_X_FORWARDED_FOR", "user.device.ip_address"),
        ("imei", "user.device.device_id"),
        ("device_id", "user.device.device_id"),
        ("deviceId", "user.device.device_id"),
    ],
)
def test_common_forms_of_personal_names_are_pii(
    catalog: Catalog, identifier: str, category: str
) -> None:
    assert catalog.name_category(identifier) == category


@pytest.mark.parametrize(
    "identifier",
    [
        "street_count",
        "gender_choices",
        "GENDER_CHOICES",
        "has_gender",
        "lat_offset",
        "lat_lng_precision",
        "min_lat",
        "max_lng",
        "center_lat",
        "bbox_lon",
        "flat",
        "latency",
        "translation",
        "is_iban_valid",
        "iban_length",
        "account_no_count",
        "accountant",
        "device_id_prefix",
        "device_count",
        "imei_checked",
        "nationality_choices",
        "zipcode_count",
        "vat_rate",
        "vat_number",
        "geo_lat",
        "event_latitude",
        "venue_lng",
        "unisex",
        "long",
    ],
)
def test_counters_choices_bounds_and_lookalikes_of_new_forms_are_not_pii(
    catalog: Catalog, identifier: str
) -> None:
    assert catalog.name_category(identifier) is None


def test_email_template_is_not_pii(catalog: Catalog) -> None:
    assert catalog.name_category("email") is not None
    assert catalog.name_category("email_template") is None


@pytest.mark.parametrize(
    "identifier", ADVERSARIAL_IDENTIFIERS.values(), ids=ADVERSARIAL_IDENTIFIERS
)
def test_default_heuristics_do_not_backtrack_catastrophically(
    tmp_path: Path, identifier: str
) -> None:
    for heuristic in default_heuristics(tmp_path):
        pattern = re.compile(heuristic.pattern)
        started = time.perf_counter()
        pattern.search(identifier)
        elapsed = time.perf_counter() - started
        assert elapsed < TIME_LIMIT_SECONDS, f"{heuristic.pattern} took {elapsed:.2f}s"


@pytest.mark.parametrize(
    "identifier", ADVERSARIAL_IDENTIFIERS.values(), ids=ADVERSARIAL_IDENTIFIERS
)
def test_name_lookup_is_fast_on_long_identifiers(catalog: Catalog, identifier: str) -> None:
    # The catalog also splits camelCase and tries every heuristic: bound the whole lookup.
    started = time.perf_counter()
    catalog.name_category(identifier)
    elapsed = time.perf_counter() - started
    assert elapsed < TIME_LIMIT_SECONDS, f"lookup took {elapsed:.2f}s"


def write_policy(folder: Path, text: str) -> Path:
    path = folder / "privlint.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_disable_default_names_turns_defaults_off_but_keeps_policy_names(tmp_path: Path) -> None:
    config = write_policy(
        tmp_path,
        """\
        version: 1
        pii:
          disable_default_names: true
          names:
            - pattern: '(?i)^(msisdn|wa_number)$'
              category: user.contact.phone_number
        """,
    )
    catalog = Catalog(load_policy(config, tmp_path))
    assert catalog.name_category("email") is None
    assert catalog.name_category("phone_number") is None
    assert catalog.name_category("wa_number") == "user.contact.phone_number"


def test_policy_names_add_to_defaults_when_not_disabled(tmp_path: Path) -> None:
    config = write_policy(
        tmp_path,
        """\
        version: 1
        pii:
          names:
            - pattern: '(?i)^(msisdn|wa_number)$'
              category: user.contact.phone_number
        """,
    )
    catalog = Catalog(load_policy(config, tmp_path))
    assert catalog.name_category("email") == "user.contact.email"
    assert catalog.name_category("wa_number") == "user.contact.phone_number"


@pytest.mark.parametrize(
    "identifier", ["recipient", "recipients", "to_addrs", "rcpt", "recipient_address", "toAddress"]
)
def test_mail_codes_names_for_addresses_are_email(catalog: Catalog, identifier: str) -> None:
    assert catalog.name_category(identifier) == "user.contact.email"


@pytest.mark.parametrize(
    "identifier", ["original_sender", "envelope_sender", "_mod_sender", "moderationSender"]
)
def test_a_named_messages_sender_is_email(catalog: Catalog, identifier: str) -> None:
    assert catalog.name_category(identifier) == "user.contact.email"


@pytest.mark.parametrize(
    "identifier",
    [
        "sender",
        "recipient_count",
        "is_recipient",
        "recipient_id",
        "from_address",
        "include_sender",
        "probe_sender",
        "default_sender",
        "_sender",
        "sender_id",
    ],
)
def test_senders_counts_and_ids_of_recipients_are_not_email(
    catalog: Catalog, identifier: str
) -> None:
    assert catalog.name_category(identifier) is None


@pytest.mark.parametrize(
    "identifier", ["username", "requesting_user_username", "login_name", "screenName"]
)
def test_the_name_a_person_signs_in_with_is_a_username(catalog: Catalog, identifier: str) -> None:
    assert catalog.name_category(identifier) == "user.account.username"


@pytest.mark.parametrize(
    "identifier",
    [
        "login",
        "last_login",
        "username_validator",
        "USERNAME_FIELD",
        "username_length_max",
        "EMAIL_HOST_USER",
        "is_username_taken",
        "username_changes",
        "usernames",
    ],
)
def test_validators_settings_and_timestamps_of_usernames_are_not_usernames(
    catalog: Catalog, identifier: str
) -> None:
    assert catalog.name_category(identifier) is None


@pytest.mark.parametrize(
    "identifier",
    ["avatar_src", "avatar_tmp", "user_avatar", "profile_photo", "profile_picture"],
)
def test_a_persons_picture_is_a_self_image(catalog: Catalog, identifier: str) -> None:
    assert catalog.name_category(identifier) == "user.content.self_image"


@pytest.mark.parametrize(
    "identifier",
    ["avatar", "avatar_url", "has_avatar", "default_avatar", "avatar_set", "photo", "image"],
)
def test_a_pictures_url_size_flag_or_a_sites_default_is_not(
    catalog: Catalog, identifier: str
) -> None:
    assert catalog.name_category(identifier) is None
