"""privlint reads a file as CPython does: the declared encoding decides the words,
NFKC-equal identifiers are one name, and only real comment tokens suppress."""

from __future__ import annotations

from pathlib import Path

import pytest

from .hostile import LEAK, scan_root, verdict, write_project

# `email` spelled so that the raw bytes never contain the word
ENCODED = {
    "utf-7": b"# coding: utf-7\n" + LEAK.replace(b"email", b"+AGU-mail"),
    "unicode_escape": b"# coding: unicode_escape\n" + LEAK.replace(b"email", b"\\x65mail"),
    # fullwidth letters in UTF-7: ASCII bytes, yet a name to normalise
    "utf-7 fullwidth": b"# coding: utf-7\n" + LEAK.replace(b"email", b"+/0X/Tf9B/0n/TA-"),
}


@pytest.mark.parametrize("codec", ENCODED)
def test_a_file_in_a_declared_encoding_is_analysed_as_decoded(tmp_path: Path, codec: str) -> None:
    compile(ENCODED[codec], "leak.py", "exec")  # valid for CPython
    write_project(tmp_path, {"leak.py": ENCODED[codec]})
    assert verdict(scan_root(tmp_path), "leak.py") == ["no-pii-in-logs"]


def test_nfkc_equal_identifiers_are_the_same_names(tmp_path: Path) -> None:
    fullwidth = {
        "email": "\uff45\uff4d\uff41\uff49\uff4c",
        "logging": "\uff4c\uff4f\uff47\uff47\uff49\uff4e\uff47",
    }
    code = LEAK.decode()
    code = code.replace("logging.info", f"{fullwidth['logging']}.info")
    code = code.replace("email", fullwidth["email"])
    write_project(tmp_path, {"leak.py": code})
    result = scan_root(tmp_path)
    assert verdict(result, "leak.py") == ["no-pii-in-logs"]
    assert result.findings[0].line == 5


def test_a_comment_inside_a_pep_701_f_string_suppresses_nothing(tmp_path: Path) -> None:
    # On Python 3.11 the standard tokenizer reads everything after the inner quote as a
    # comment; in the grammar LibCST parses it is the text of a nested string.
    code = LEAK.replace(
        b"    logging.info",
        b'    note = f"{"# privlint: ignore[no-pii-in-logs] looks like a comment"}"\n'
        b"    logging.info",
    )
    write_project(tmp_path, {"leak.py": code})
    assert verdict(scan_root(tmp_path), "leak.py") == ["no-pii-in-logs"]
