"""Every discovered file gets a verdict: analysed, or a located `parse-error` finding.

A gate that crashes or skips a file lets its data through, so each hostile
input below must end in one of those two outcomes, and a leak in a healthy
file beside it must still be reported.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import libcst
import pytest

from privlint import sources
from privlint.analysis import guard
from privlint.findings import Severity

from .hostile import LEAK, findings_by_path, run_privlint, scan_root, verdict, write_project

PRINT_LEAK = "def show(email):\n    print(email)\n"


def only_finding(root: Path, name: str, content: bytes | str) -> tuple[str, int, int, str]:
    """Scan a project of one file; its single finding as (rule, line, column, message)."""
    result = scan_root(write_project(root, {name: content}))
    assert len(result.findings) == 1, result.findings
    finding = result.findings[0]
    assert finding.path == name
    assert finding.severity is Severity.ERROR
    return finding.rule_id, finding.line, finding.column, finding.message


# --- files that are not valid Python: one located parse-error each --------------------


def test_bytes_and_text_literals_joined_are_a_parse_error(tmp_path: Path) -> None:
    # LibCST parses this, then its node validation raises (found by the fuzz tests).
    rule, line, _, message = only_finding(tmp_path, "mix.py", "x = 1\ny = b'a' 'b'\n")
    assert (rule, line) == ("parse-error", 2)
    assert "bytes" in message


def test_syntax_error_is_located_with_the_parsers_reason(tmp_path: Path) -> None:
    rule, line, _, message = only_finding(tmp_path, "bad.py", "x = 1\n\ndef broken(:\n    pass\n")
    assert (rule, line) == ("parse-error", 3)
    assert message.startswith("privlint could not parse this file: ")


def test_python_2_code_is_a_parse_error(tmp_path: Path) -> None:
    rule, line, _, message = only_finding(tmp_path, "old.py", "x = 1\nprint 'hello %s' % x\n")
    assert (rule, line) == ("parse-error", 2)
    assert "Missing parentheses in call to 'print'" in message


def test_invalid_utf8_without_a_coding_line_is_located(tmp_path: Path) -> None:
    source = b"x = 1\nname = 'caf\xe9'\n"
    rule, line, column, message = only_finding(tmp_path, "latin.py", source)
    assert (rule, line, column) == ("parse-error", 2, 11)
    assert "byte 0xe9 is not valid utf-8" in message
    assert "PEP 263" in message


def test_pep_263_latin1_file_is_analysed_and_its_leak_reported(tmp_path: Path) -> None:
    source = b"# -*- coding: latin-1 -*-\nGREETING = 'd\xe9j\xe0 vu'\n\n" + PRINT_LEAK.encode()
    result = scan_root(write_project(tmp_path, {"latin.py": source}))
    assert [(f.rule_id, f.line) for f in result.findings] == [("no-pii-to-stdout", 5)]


def test_unknown_encoding_declaration_is_a_parse_error(tmp_path: Path) -> None:
    rule, line, _, message = only_finding(tmp_path, "k.py", "# coding: klingon\nx = 1\n")
    assert (rule, line) == ("parse-error", 1)
    assert "unknown encoding: klingon" in message


def test_utf16_file_is_a_parse_error(tmp_path: Path) -> None:
    rule, _, _, message = only_finding(tmp_path, "wide.py", "x = 1\n".encode("utf-16"))
    assert rule == "parse-error"
    assert "UTF-16" in message


def test_nul_byte_is_located(tmp_path: Path) -> None:
    rule, line, column, message = only_finding(tmp_path, "nul.py", b"x = 1\ny = 2\x00\n")
    assert (rule, line, column) == ("parse-error", 2, 5)
    assert "NUL byte" in message


@pytest.mark.parametrize("seed", range(5))
def test_random_binary_named_py_is_one_parse_error(tmp_path: Path, seed: int) -> None:
    data = random.Random(seed).randbytes(4096)
    rule, line, _, _ = only_finding(tmp_path, "blob.py", data)
    assert rule == "parse-error"
    assert line >= 1


# --- unusual but valid files: analysed ---------------------------------------------------


def test_utf8_bom_file_is_analysed(tmp_path: Path) -> None:
    result = scan_root(write_project(tmp_path, {"bom.py": b"\xef\xbb\xbf" + LEAK}))
    assert [(f.rule_id, f.line) for f in result.findings] == [("no-pii-in-logs", 5)]


def test_crlf_file_is_analysed_with_the_right_lines(tmp_path: Path) -> None:
    result = scan_root(write_project(tmp_path, {"crlf.py": LEAK.replace(b"\n", b"\r\n")}))
    assert [(f.rule_id, f.line) for f in result.findings] == [("no-pii-in-logs", 5)]


@pytest.mark.parametrize("content", [b"", b"# nothing here\n", b"\n\n\n", b"# a\r\n# b"])
def test_empty_and_comment_only_files_are_analysed_clean(tmp_path: Path, content: bytes) -> None:
    assert scan_root(write_project(tmp_path, {"quiet.py": content})).findings == []


def test_ninety_levels_of_indentation_are_analysed(tmp_path: Path) -> None:
    lines = ["def deep(email, flag):"]
    lines += [f"{'    ' * (level + 1)}if flag:" for level in range(90)]
    lines.append(f"{'    ' * 91}print(email)")
    result = scan_root(write_project(tmp_path, {"deep.py": "\n".join(lines) + "\n"}))
    assert [(f.rule_id, f.line) for f in result.findings] == [("no-pii-to-stdout", 92)]


def test_two_thousand_term_sum_is_analysed_without_recursion_error(tmp_path: Path) -> None:
    terms = " + ".join(["email", *(f"part{i}" for i in range(1999))])
    source = f"def greet(email):\n    print({terms})\n"
    result = scan_root(write_project(tmp_path, {"chain.py": source}))
    assert [(f.rule_id, f.line) for f in result.findings] == [("no-pii-to-stdout", 2)]


def test_long_chains_are_flat_in_the_ir() -> None:
    terms = " and ".join(f"a{i}" for i in range(1500)) + " or " + " + ".join(["b"] * 1500)
    module = guard.summarize_guarded(f"x = {terms}\n".encode(), "m.py", "m", False)
    assert module.error is None
    assert guard.ir_depth(module) <= 4


NEWER_SYNTAX = """\
type Address = str


class Box[T]:
    def __init__(self, item: T) -> None:
        self.item = item


def first[T](items: list[T]) -> T:
    return items[0]


def notify(email):
    print(f"{"to: " + f"{email}"}")


def route(command, email):
    match command:
        case {"action": "show"}:
            print(email)
        case _:
            pass
"""


def test_syntax_newer_than_the_interpreter_is_parsed_with_libcst(tmp_path: Path) -> None:
    result = scan_root(write_project(tmp_path, {"modern.py": NEWER_SYNTAX}))
    assert [(f.rule_id, f.line) for f in result.findings] == [
        ("no-pii-to-stdout", 14),
        ("no-pii-to-stdout", 20),
    ]


# --- files that would crash or stall the parser: screened, bounded ----------------------


def nested_parentheses(depth: int) -> bytes:
    return f"x = {'(' * depth}1{')' * depth}\n".encode()


def test_screen_rejects_3000_nested_parentheses_with_cpythons_reason() -> None:
    problem = guard.screen(nested_parentheses(3000))
    assert problem is not None
    assert problem.message == "too many nested parentheses"
    assert problem.line == 1


def test_3000_nested_parentheses_never_reach_libcst(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # LibCST 1.9's native parser dies with SIGSEGV on this file; the screen must stop it.
    def refuse(source: object, *args: object, **kwargs: object) -> object:
        raise AssertionError("LibCST was handed a file the screen should have stopped")

    monkeypatch.setattr(libcst, "parse_module", refuse)
    result = scan_root(write_project(tmp_path, {"parens.py": nested_parentheses(3000)}))
    assert [(f.rule_id, f.line) for f in result.findings] == [("parse-error", 1)]
    assert "too many nested parentheses" in result.findings[0].message


def test_3000_nested_parentheses_do_not_crash_the_command(tmp_path: Path) -> None:
    # In a subprocess: if the screen failed, the crash must not take pytest with it.
    write_project(tmp_path, {"parens.py": nested_parentheses(3000), "leak.py": LEAK})
    run = run_privlint(tmp_path, "check", "--jobs", "1", "--no-cache", "--format", "json")
    assert run.returncode == 1, run.stderr
    assert '"rule_id": "parse-error"' in run.stdout
    assert '"rule_id": "no-pii-in-logs"' in run.stdout


def test_unary_chain_deeper_than_python_allows_is_reported_not_parsed(tmp_path: Path) -> None:
    rule, _, _, message = only_finding(tmp_path, "neg.py", f"x = {'-' * 20000}1\n")
    assert rule == "parse-error"
    assert "too deeply nested to analyse" in message


def test_multiline_sum_of_20000_terms_is_cut_short_quickly(tmp_path: Path) -> None:
    # Short lines, one bracket: only the syntax tree shows the depth; LibCST would take minutes.
    source = "x = (\n" + " +\n".join(f"a{i}" for i in range(20000)) + "\n)\n"
    started = time.monotonic()
    rule, _, _, message = only_finding(tmp_path, "sum.py", source)
    assert time.monotonic() - started < 15
    assert rule == "parse-error"
    assert "too deeply nested to analyse" in message


def test_ir_deeper_than_the_limit_is_reported_not_passed_on(tmp_path: Path) -> None:
    # 300 nested `not`s parse fine, but IR that deep would overflow later stages.
    # (`email` makes the prefilter pass the file on to LibCST.)
    rule, _, _, message = only_finding(tmp_path, "nots.py", f"email = {'not ' * 300}y\n")
    assert rule == "parse-error"
    assert f"limit {guard.MAX_IR_DEPTH}" in message


def generated_module(size: int) -> bytes:
    """A generated module of about `size` bytes, the kind of file tools write."""
    row = "ROW_{0:07d} = {{'id': {0}, 'name': 'customer {0}', 'tier': 'gold'}}\n"
    rows = size // len(row.format(0)) + 1
    return "".join(row.format(i) for i in range(rows)).encode()


def test_3mb_generated_file_is_reported_quickly_and_the_leak_beside_it_found(
    tmp_path: Path,
) -> None:
    big = generated_module(3 * 1024 * 1024)
    assert len(big) > 3 * 1024 * 1024
    started = time.monotonic()
    result = scan_root(write_project(tmp_path, {"generated.py": big, "leak.py": LEAK}))
    assert time.monotonic() - started < 15
    assert verdict(result, "leak.py") == ["no-pii-in-logs"]
    [finding] = findings_by_path(result)["generated.py"]
    assert finding.rule_id == "parse-error"
    assert "file too large to analyse: over 2 MB" in finding.message
    assert "exclude generated files" in finding.message


def test_too_many_lines_is_reported(tmp_path: Path) -> None:
    source = "x = 1\n" * (guard.MAX_LINES + 1)
    rule, _, _, message = only_finding(tmp_path, "long.py", source)
    assert rule == "parse-error"
    assert f"{guard.MAX_LINES + 1:,} lines" in message


def test_a_file_at_the_line_limit_is_still_analysed(tmp_path: Path) -> None:
    source = LEAK + b"x = 1\n" * (guard.MAX_LINES - LEAK.count(b"\n"))
    assert source.count(b"\n") == guard.MAX_LINES
    assert guard.screen(source) is None


def test_reading_is_capped_so_a_huge_file_never_fills_memory(tmp_path: Path) -> None:
    huge = tmp_path / "huge.py"
    with huge.open("wb") as stream:
        stream.truncate(50 * 1024 * 1024)  # sparse: costs no disk
    assert len(sources.read_source(huge)) == sources.MAX_BYTES + 1


# --- what a new user sees -----------------------------------------------------------------


BROKEN_FILES: dict[str, bytes | str] = {
    "syntax.py": "def broken(:\n    pass\n",
    "python2.py": "print 'hello'\n",
    "latin_without_coding.py": b"name = 'caf\xe9'\n",
    "nul.py": b"x = 1\x00\n",
    "binary.py": random.Random(7).randbytes(2048),
    "parens.py": nested_parentheses(3000),
    "unary.py": f"x = {'-' * 20000}1\n",
    "huge.py": generated_module(sources.MAX_BYTES + 1),
}


def test_folder_of_broken_files_and_one_leak_as_a_new_user_sees_it(tmp_path: Path) -> None:
    healthy: dict[str, bytes | str] = {
        "leak.py": LEAK,
        "empty.py": "",
        "bom.py": b"\xef\xbb\xbfx = 1\n",
        "modern.py": NEWER_SYNTAX,
    }
    write_project(tmp_path, {**BROKEN_FILES, **healthy})
    run = run_privlint(tmp_path, "check", "--no-cache")
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    for name in BROKEN_FILES:
        assert run.stdout.count(f"{name}:") == 1, name
    assert "no-pii-in-logs" in run.stdout
    assert run.stdout.count("parse-error") >= len(BROKEN_FILES)


def test_parallel_scan_gives_every_broken_file_its_verdict(tmp_path: Path) -> None:
    # Enough files for the process pool: verdicts must cross it like any summary.
    files: dict[str, bytes | str] = {f"ok{i}.py": "x = 1\n" for i in range(20)}
    write_project(tmp_path, {**files, **BROKEN_FILES, "leak.py": LEAK})
    result = scan_root(tmp_path, jobs=2)
    for name in BROKEN_FILES:
        assert verdict(result, name) == ["parse-error"], name
    assert verdict(result, "leak.py") == ["no-pii-in-logs"]
