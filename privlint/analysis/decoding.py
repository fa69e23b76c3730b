"""Source bytes as CPython reads them: a PEP 263 coding line decides the text.

`# coding: utf-7` or `unicode_escape` lets `+AGU-mail` or `\\x65mail` spell `email`:
code that looks only at the raw bytes would see other words than the interpreter
does, so the byte-level readers (the prefilter, marker checks) read this instead.
"""

from __future__ import annotations

import codecs
import io
import tokenize

_UTF8 = codecs.lookup("utf-8").name


def as_utf8(source: bytes) -> bytes:
    """`source` in UTF-8: itself when that is how CPython reads it (or when it cannot be
    decoded at all, which the syntax screen reports), else decoded and re-encoded."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
        if codecs.lookup(encoding).name in (_UTF8, "utf-8-sig"):
            return source
        return source.decode(encoding).encode("utf-8", errors="surrogatepass")
    except (SyntaxError, UnicodeError, LookupError):
        return source
