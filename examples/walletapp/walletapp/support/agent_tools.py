"""Actions available to support agents in the internal admin panel."""

from __future__ import annotations

import logging

from walletapp.crm import lookup_customer
from walletapp.messages import format_greeting, support_ticket_text
from walletapp.vendor.wa import WhatsAppClient

logger = logging.getLogger(__name__)


def customer_balance(agent_id: int, customer_id: int) -> int:
    """Show an agent the balance of a customer's wallet."""
    logger.info("agent %s viewed wallet %s", agent_id, customer_id)  # ok: no-pii-in-logs
    return lookup_customer(customer_id).balance_cents


def message_customer(agent_id: int, customer_id: int) -> None:
    """Let an agent write to a customer on WhatsApp from the admin panel.

    This is the leak privlint exists to stop: the agent reaches the customer's
    phone number and messages her outside the notification service, with no
    consent check and no record of it.
    """
    customer = lookup_customer(customer_id)
    text = format_greeting(customer) + "\n" + support_ticket_text(agent_id)
    WhatsAppClient().send_message(customer.phone, text)  # expect: messaging-only-via-notifications
