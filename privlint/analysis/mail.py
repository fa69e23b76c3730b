"""Mail messages: their address headers name the people a message is from and to.

`msg["From"]`, `msg.get("reply-to")`, `msg.get_all("cc")` and a message's `sender`
are people's addresses; `msg["Subject"]` and `msg["Message-ID"]` are not. A value is
a mail message when its class is one (the standard library's, or a project class
derived from one) or, when privlint knows nothing of it, when its name says so
(`msg`, `message`, `original_mail`): a dict's `params["from"]` is a date, not a person.
"""

from __future__ import annotations

from privlint.catalog import snake_case

CATEGORY = "user.contact.email"

# RFC 5322 originator and destination fields, their resent and envelope forms, and the
# delivery status fields of bounces (RFC 3464)
ADDRESS_HEADERS = frozenset(
    ("from", "to", "cc", "bcc", "reply-to", "sender", "resent-from", "resent-to", "resent-cc",
     "resent-bcc", "resent-sender", "return-path", "delivered-to", "envelope-to",
     "x-original-to", "x-envelope-from", "x-envelope-to", "x-originating-email",
     "errors-to", "disposition-notification-to", "original-recipient", "final-recipient")
)  # fmt: skip

# a message's own attributes naming its people (Django's `EmailMessage.to`, `reply_to`)
ADDRESS_ATTRIBUTES = frozenset(("sender", "senders", "to", "cc", "bcc", "reply_to"))

_MESSAGE_CLASS_PREFIXES = ("email.message.", "email.mime.")
_MESSAGE_WORDS = frozenset(("msg", "message", "mail", "mimemsg"))


def is_message_class(qualname: str) -> bool:
    """The standard library's message classes (`email.message.EmailMessage`,
    `email.mime.text.MIMEText`, `mailbox.mboxMessage`)."""
    name = qualname.rsplit(".", 1)[-1]
    if qualname.startswith("mailbox."):
        return name.endswith("Message")
    return qualname.startswith(_MESSAGE_CLASS_PREFIXES) and name[:1].isupper()


def names_a_message(written: str | None) -> bool:
    """`msg`, `self.message`, `original_mail`: the last word of the last dotted part."""
    if not written:
        return False
    last = snake_case(written.rsplit(".", 1)[-1]).strip("_")
    return last.rsplit("_", 1)[-1] in _MESSAGE_WORDS


def is_address_header(key: str) -> bool:
    """`From`, `reply-to`: header names are case-insensitive."""
    return key.lower() in ADDRESS_HEADERS
