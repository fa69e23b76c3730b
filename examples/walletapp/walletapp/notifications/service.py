"""Customer notifications, sent only with the customer's consent."""

from __future__ import annotations

from walletapp.messages import payment_receipt_text
from walletapp.models import Customer
from walletapp.vendor.wa import WhatsAppClient

# Customers who turned WhatsApp notifications off in the app.
_OPTED_OUT: set[int] = set()


def opt_out(customer_id: int) -> None:
    """Stop sending notifications to this customer."""
    _OPTED_OUT.add(customer_id)


def send_payment_receipt(customer: Customer, amount_cents: int) -> None:
    """Send the receipt of a payment, unless the customer opted out."""
    if customer.id in _OPTED_OUT:
        return
    text = payment_receipt_text(customer, amount_cents)
    WhatsAppClient().send_message(customer.phone, text)  # ok: messaging-only-via-notifications
