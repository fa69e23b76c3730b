"""Name heuristics as compiled patterns, with a bounded cost per identifier.

A pattern from a policy file is run by RE2, whose matching time is linear in
the identifier's length: a pull request that adds `(?i)^([a-z0-9]+_?)+_msisdn$`
cannot stall the scan by backtracking. RE2 has no lookaround and no
backreferences; a pattern must also compile in Python's `re`, so a pattern means
what a Python user reads in it. The packs shipped with privlint are reviewed
here and use lookahead, so they run on `re`.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import re2


class NamePattern(Protocol):
    def search(self, text: str) -> object | None: ...


@cache
def _re2_options() -> re2.Options:
    """RE2's options, imported on first use: most policies bring no pattern of their own."""
    import re2

    options = re2.Options()
    options.log_errors = False  # RE2 would print each rejected pattern on stderr
    return options


def compile_name_pattern(pattern: str, builtin: bool) -> NamePattern:
    """The compiled heuristic; a user pattern must have passed `pattern_problem`."""
    if builtin:
        return re.compile(pattern)
    import re2

    compiled: NamePattern = re2.compile(pattern, options=_re2_options())
    return compiled


def pattern_problem(pattern: str) -> str | None:
    """Why a policy's name pattern is refused, or None when both engines accept it."""
    try:
        re.compile(pattern)
    except re.error as error:
        where = "" if error.pos is None else f" at position {error.pos}"
        return f"{error.msg}{where}"
    except (OverflowError, RecursionError) as error:
        return str(error)
    import re2

    try:
        re2.compile(pattern, options=_re2_options())
    except re2.error as error:
        reason = error.args[0] if error.args else ""
        text = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
        return f"{text} (patterns run on RE2: no lookaround, no backreferences)"
    return None
