"""Customer lookup for back-office tools.

An in-memory stand-in for the CRM database, so the example runs anywhere.
"""

from __future__ import annotations

import logging

from walletapp.models import Customer

logger = logging.getLogger(__name__)

_CUSTOMERS: dict[int, Customer] = {
    1001: Customer(
        id=1001,
        full_name="Dewi Lestari",
        phone="+6281200000001",
        nik="3174000000000001",
        email="dewi@example.com",
        balance_cents=1_250_000,
    ),
    1002: Customer(
        id=1002,
        full_name="Budi Santoso",
        phone="+6281200000002",
        nik="3174000000000002",
        email="budi@example.com",
        balance_cents=80_000,
    ),
}


class CustomerNotFound(LookupError):
    """No customer has the requested id."""


def lookup_customer(customer_id: int) -> Customer:
    """Return the customer record with this id."""
    logger.debug("crm lookup for customer %s", customer_id)  # ok: no-pii-in-logs
    try:
        return _CUSTOMERS[customer_id]
    except KeyError:
        raise CustomerNotFound(customer_id) from None  # ok: no-pii-in-exceptions


def can_pay(customer_id: int, amount_cents: int) -> bool:
    """True when the customer's balance covers the amount."""
    return lookup_customer(customer_id).balance_cents >= amount_cents
