"""Which files can hold personal data of their own, decided from their text alone.

A LibCST parse costs about 10 ms per file, and most files of a project never
touch personal data. So every file is first read as a set of words (one regular
expression over its bytes, about 0.1 ms): a file whose words match a name
heuristic, a configured PII field or lookup, or that carries a `pii:` tag or a
`privlint:` comment is a *seed* and is parsed up front, as is a file CPython's
parser rejects (only LibCST's verdict on it is final). The others are parsed
only when the analysis needs them: when a flow calls into them, or when they
mention a name under which analysed code hands out personal data (see
`Propagation.carried_names`). Every file is still checked by CPython's parser,
so a broken file gets its `parse-error` finding either way.
"""

from __future__ import annotations

import builtins
import fnmatch
import re
import unicodedata
from functools import cache
from typing import TYPE_CHECKING

from privlint.catalog import first_heuristic
from privlint.namepatterns import compile_name_pattern
from privlint.policy import Policy

if TYPE_CHECKING:
    from privlint.analysis import ir

_WORD = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")
_UNICODE_WORD = re.compile(r"[^\W\d]\w*")
# Short one-line string literals with other characters than a word's, for literal keys
# such as `row["e-mail"]` that a heuristic may still match as a whole.
_LITERAL = re.compile(rb"\"([^\"\\\n]{1,80})\"|'([^'\\\n]{1,80})'")
_MARKERS = (b"pii:", b"privlint:")
_BUILTINS = frozenset(dir(builtins))
Heuristics = tuple[tuple[str, bool], ...]


class Prefilter:
    """The policy's word-level questions; pickled as its patterns, to go to worker processes."""

    def __init__(self, heuristics: Heuristics, last_parts: tuple[str, ...]) -> None:
        self.heuristics = heuristics  # (pattern, shipped with privlint) pairs
        self.last_parts = last_parts  # distinctive parts of `pii.fields` / `pii.returns`
        self._patterns = [compile_name_pattern(*heuristic) for heuristic in heuristics]
        self._known: dict[str, bool] = {}  # the same words recur in file after file

    @classmethod
    def of(cls, policy: Policy) -> Prefilter:
        configured = [pattern for pattern, _ in policy.pii.returns]
        for pattern, _ in policy.pii.fields:
            # A field of a type only calls produce (`types:`: `stripe.Event.data`) is reached
            # through those calls: the code writes their names, maybe never the field's.
            makers = [
                call for call, type_name in policy.types if pattern.startswith(type_name + ".")
            ]
            configured += makers or [pattern]
        return cls(
            tuple((h.pattern, h.builtin) for h in policy.pii.active_names()),
            tuple(sorted({_distinctive_part(pattern) for pattern in configured})),
        )

    def __reduce__(self) -> tuple[type[Prefilter], tuple[Heuristics, tuple[str, ...]]]:
        return (Prefilter, (self.heuristics, self.last_parts))

    def fingerprint(self) -> str:
        return repr((self.heuristics, self.last_parts))

    def facts(self, source: bytes) -> ir.FileFacts:
        """What the scan needs to know of a file before (or instead of) parsing it."""
        # Imported on first use: a warm run builds a Prefilter for its keys but reads no file.
        from privlint.analysis import ir
        from privlint.analysis.decoding import as_utf8
        from privlint.analysis.guard import screen_depth, screen_syntax

        error, tree = screen_syntax(source)
        if error is not None:
            return ir.FileFacts(frozenset(), True, error)
        text = as_utf8(source)  # the words CPython reads, whatever the coding line
        words = _words(text)
        seed = (
            tree is None
            or any(marker in text for marker in _MARKERS)
            or _mail_read().search(text) is not None
            or any(
                self.personal(word) and (word not in _BUILTINS or _used_uncalled(text, word))
                for word in words
            )
        )
        # Nesting matters only to LibCST: checked now for a seed, at its parse for the rest.
        error = screen_depth(tree, source) if seed and tree is not None else None
        return ir.FileFacts(words, seed, error)

    def personal(self, word: str) -> bool:
        """Whether a heuristic or a configured field or lookup name matches `word`."""
        known = self._known.get(word)
        if known is None:
            known = first_heuristic(self._patterns, word) is not None or any(
                fnmatch.fnmatchcase(word, part) for part in self.last_parts
            )
            self._known[word] = known
        return known


@cache
def _mail_read() -> re.Pattern[bytes]:
    """A mail message's address headers and people (`msg["From"]`, `msg.get_all("cc")`,
    `msg.sender`, see `privlint.analysis.mail`): no name heuristic matches these words."""
    from privlint.analysis import mail

    headers = b"|".join(re.escape(header.encode()) for header in sorted(mail.ADDRESS_HEADERS))
    attributes = b"|".join(attribute.encode() for attribute in sorted(mail.ADDRESS_ATTRIBUTES))
    return re.compile(
        rb"(?i)(?:\[|\.get(?:_all)?\()\s*[\"'](?:%s)[\"']|\.(?:%s)\b" % (headers, attributes)
    )


def _distinctive_part(pattern: str) -> str:
    """The last dotted part without wildcards (`crm.Customer.*` → `Customer`): code that
    reaches the configured name has to write that word."""
    for part in reversed(pattern.split(".")):
        if not any(char in part for char in "*?["):
            return part
    return "*"


def _words(source: bytes) -> frozenset[str]:
    if source.isascii():
        found = {word.decode() for word in _WORD.findall(source)}
    else:  # names are NFKC-normalised, as CPython does: fullwidth `email` is `email`
        text = source.decode("utf-8", errors="replace")
        found = {unicodedata.normalize("NFKC", word) for word in _UNICODE_WORD.findall(text)}
    for double, single in _LITERAL.findall(source):
        literal = (double or single).decode("utf-8", errors="replace")
        if not literal.isidentifier():
            found.add(literal)
    return frozenset(found)


def _used_uncalled(source: bytes, word: str) -> bool:
    """`zip` the builtin is no address; `zip` as a parameter, key or attribute may be."""
    return re.search(rb"\b%s\b(?![ \t]*\()" % re.escape(word.encode()), source) is not None
