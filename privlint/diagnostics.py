"""Findings privlint reports about the scan itself, documented like policy rules.

They are not in a YAML pack because no policy can turn them off: a file that
cannot be read must fail the run (privlint fails closed).
"""

from __future__ import annotations

from dataclasses import dataclass

from privlint.findings import Severity
from privlint.policy import RuleDocs


@dataclass(frozen=True)
class Diagnostic:
    severity: Severity
    docs: RuleDocs


def _error(**docs: str) -> Diagnostic:
    return Diagnostic(Severity.ERROR, RuleDocs(**docs))


def _warning(**docs: str) -> Diagnostic:
    return Diagnostic(Severity.WARNING, RuleDocs(**docs))


DIAGNOSTICS: dict[str, Diagnostic] = {
    "parse-error": _error(
        summary="A source file could not be parsed, so it was not analysed.",
        why=(
            "A privacy gate that silently skips a file lets whatever flows through it pass. "
            "privlint reports the file instead, as an error, so the run fails closed."
        ),
        example="def broken(:\n    ...",
        instead=(
            "Fix the syntax error, or exclude the file in the policy if it is not Python or is "
            "generated (files over 2 MB or 50,000 lines, or nested thousands of levels deep, "
            "are reported, not analysed)."
        ),
    ),
    "internal-error": _error(
        summary="privlint itself failed on a source file, so it was not analysed.",
        why=(
            "A scan that hides its own failure would pass code nobody checked. The file gets "
            "this finding, the rest of the project is still analysed, and the run exits 2 so "
            "CI never passes on a half-done scan."
        ),
        example="# any file that triggers a bug in privlint",
        instead=(
            "Report the bug with the output of `privlint check --verbose`, which shows the "
            "traceback; until it is fixed, exclude the file in the policy."
        ),
    ),
    "analysis-incomplete": _error(
        summary="Personal data reaches a call deeper than privlint follows, so it was not checked.",
        why=(
            "privlint follows data through at most 24 nested calls; past that, a leak would go "
            "unseen. It reports the cut, with the data that reached it, so the gate fails closed "
            "instead of passing code it did not analyse."
        ),
        example=(
            "def w25(v): return w24(v)  # ... 25 wrappers deep\ndef handler(email): w25(email)"
        ),
        instead=(
            "Flatten the chain of wrappers, or review the flow and suppress the finding with a "
            "reason: `# privlint: ignore[analysis-incomplete] reviewed: only hashed below`."
        ),
    ),
    "unknown-category": _error(
        summary="A `# pii:` comment or `Annotated` marker names a category the taxonomy lacks.",
        why=(
            "A misspelt category tags nothing: the field would silently count as clean. The "
            "message suggests the closest known category."
        ),
        example="phone: str  # pii: user.contact.phone",
        instead="phone: str  # pii: user.contact.phone_number",
    ),
    "unused-suppression": _warning(
        summary="A `# privlint: ignore` comment suppresses nothing.",
        why=(
            "Stale suppressions hide the next real finding on that line; remove them. A "
            "misspelt rule id suppresses nothing either (the message suggests the closest "
            "rule), nor does an `ignore-file` comment below the first statement of a file."
        ),
        example="total = price * 2  # privlint: ignore[no-pii-in-logs] legacy",
        instead="total = price * 2",
    ),
    "blanket-suppression": _warning(
        summary="A `# privlint: ignore` comment names no rule, so it hides every rule there.",
        why="A blanket suppression also hides findings nobody has reviewed yet.",
        example="logger.info(user.email)  # privlint: ignore",
        instead="logger.info(user.email)  # privlint: ignore[no-pii-in-logs] audit log, 30 days",
    ),
    "suppression-without-reason": _warning(
        summary="A `# privlint: ignore[...]` comment gives no reason.",
        why="Reviewers and auditors need to know why a flow of personal data was accepted.",
        example="logger.info(user.email)  # privlint: ignore[no-pii-in-logs]",
        instead="logger.info(user.email)  # privlint: ignore[no-pii-in-logs] audit log, 30 days",
    ),
}
