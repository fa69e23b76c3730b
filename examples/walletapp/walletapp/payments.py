"""Wallet payments to merchants."""

from __future__ import annotations

import logging

from walletapp.crm import can_pay, lookup_customer
from walletapp.notifications.service import send_payment_receipt
from walletapp.privacy import mask_phone

logger = logging.getLogger(__name__)


class InsufficientFunds(Exception):
    """The balance does not cover the payment."""


def pay_merchant(customer_id: int, merchant_id: int, amount_cents: int) -> None:
    """Debit the customer's wallet and send them a receipt."""
    if not can_pay(customer_id, amount_cents):
        raise InsufficientFunds(f"wallet {customer_id} cannot pay {amount_cents}")  # ok: no-pii-in-exceptions
    customer = lookup_customer(customer_id)
    customer.balance_cents -= amount_cents
    logger.info("payment for %s", mask_phone(customer.phone))  # ok: no-pii-in-logs
    logger.info("customer %s paid merchant %s", customer.id, merchant_id)  # ok: no-pii-in-logs
    send_payment_receipt(customer, amount_cents)
