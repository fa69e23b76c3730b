"""Texts the wallet sends to its customers."""

from __future__ import annotations

from walletapp.models import Customer


def format_greeting(customer: Customer) -> str:
    """Opening line of a support conversation."""
    first_name = customer.full_name.split()[0]
    return f"Hi {first_name}, this is WalletApp support, reaching you on {customer.phone}."


def support_ticket_text(agent_id: int) -> str:
    """Body of a message from the support desk."""
    return f"Agent #{agent_id} is looking into your request and will reply here."


def payment_receipt_text(customer: Customer, amount_cents: int) -> str:
    """Receipt sent after a successful payment."""
    amount = amount_cents / 100
    balance = customer.balance_cents / 100
    return f"Hi {customer.full_name}, you paid Rp{amount:,.2f}. New balance: Rp{balance:,.2f}."
