"""Findings privlint reports about the scan itself, documented like policy rules.

They are not in a YAML pack because no policy can turn them off: a file that
cannot be read must fail the run (privlint fails closed).
"""

from __future__ import annotations

from privlint.policy import RuleDocs

DIAGNOSTICS: dict[str, RuleDocs] = {
    "parse-error": RuleDocs(
        summary="A source file could not be parsed, so it was not analysed.",
        why=(
            "A privacy gate that silently skips a file lets whatever flows through it pass. "
            "privlint reports the file instead, as an error, so the run fails closed."
        ),
        example="def broken(:\n    ...",
        instead="Fix the syntax error, or exclude the file in the policy if it is not Python.",
    ),
    "unknown-category": RuleDocs(
        summary="A `# pii:` comment or `Annotated` marker names a category the taxonomy lacks.",
        why=(
            "A misspelt category tags nothing: the field would silently count as clean. The "
            "message suggests the closest known category."
        ),
        example='phone: str  # pii: user.contact.phone',
        instead='phone: str  # pii: user.contact.phone_number',
    ),
}
