"""Domain records of the wallet."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Customer:
    """A wallet holder, as the CRM stores them."""

    id: int
    full_name: str
    phone: str  # pii: user.contact.phone_number
    nik: str  # Indonesian national id number; tagged in privlint.yaml (pii.fields)
    email: str
    balance_cents: int
