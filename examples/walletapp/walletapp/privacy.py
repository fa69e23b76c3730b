"""Helpers that make personal data safe to show or store."""

from __future__ import annotations


def mask_phone(phone: str) -> str:
    """Hide all but the last 3 digits: '+6281200000001' -> '**********001'."""
    digits = [c for c in phone if c.isdigit()]
    return "*" * max(len(digits) - 3, 0) + "".join(digits[-3:])
