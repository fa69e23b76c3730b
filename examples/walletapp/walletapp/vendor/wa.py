"""Thin client for the WhatsApp Business Cloud API."""

from __future__ import annotations

import os

import requests

API_URL = "https://graph.facebook.com/v19.0/{sender}/messages"


class WhatsAppClient:
    """Sends text messages from the company's WhatsApp business number."""

    def __init__(self, sender: str | None = None, api_key: str | None = None) -> None:
        self._sender = sender or os.environ.get("WA_SENDER", "")
        self._api_key = api_key or os.environ.get("WA_API_KEY", "")

    def send_message(self, to: str, body: str) -> None:
        """Send `body` as a text message to the number `to`."""
        # This class is declared as a sink in privlint.yaml, so the data is
        # reported where send_message() is called, not again here.
        response = requests.post(  # ok: no-pii-to-third-parties
            API_URL.format(sender=self._sender),
            headers={"Authorization": f"Bearer {self._api_key}"},
            json={
                "messaging_product": "whatsapp",
                "to": to,
                "type": "text",
                "text": {"body": body},
            },
            timeout=10,
        )
        response.raise_for_status()
