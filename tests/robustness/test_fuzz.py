"""Fuzzing: generated programs and mutated real files never make privlint raise, and
every file gets a verdict (analysed, or a `parse-error` finding).

Bounded to a few seconds each for CI. For a longer local run, raise the number
of examples: `PRIVLINT_FUZZ_EXAMPLES=5000 python -m pytest tests/robustness/test_fuzz.py`.
"""

from __future__ import annotations

import os
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from privlint.analysis import guard, ir, summarize
from privlint.config import load_policy
from privlint.scan import scan

from .hostile import LEAK, REPO, write_project

EXAMPLES = int(os.environ.get("PRIVLINT_FUZZ_EXAMPLES", "100"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # no .hypothesis/ folder in the checkout
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FIXTURE_FILES = sorted((REPO / "tests" / "fixtures").rglob("*.py"))
SOURCES = {path: path.read_bytes() for path in FIXTURE_FILES}


def assert_verdict(module_error: object, source: bytes) -> None:
    """A summary is either analysed IR or a located reason why not; never an internal error."""
    if module_error is not None:
        assert isinstance(module_error, ir.ParseError)
        assert module_error.kind in ("parse", "skipped"), module_error
        assert module_error.line >= 1
        assert module_error.message


@pytest.mark.filterwarnings("ignore::SyntaxWarning")  # CPython's, about generated code
@FUZZ
@given(hypothesmith.from_grammar())
def test_generated_programs_summarize_without_raising(program: str) -> None:
    source = program.encode("utf-8", errors="surrogatepass")
    module = summarize.summarize_source(source, "fuzz.py", "fuzz", False)
    assert_verdict(module.error, source)
    guarded = guard.summarize_guarded(source, "fuzz.py", "fuzz", False)
    assert_verdict(guarded.error, source)


@pytest.fixture(scope="module")
def pipeline_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with one real leak, shared by the examples of one test."""
    return write_project(tmp_path_factory.mktemp("pipeline"), {"leak.py": LEAK})


@pytest.fixture(scope="module")
def mutant_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("mutants"), {"leak.py": LEAK})


@settings(FUZZ, max_examples=max(EXAMPLES // 2, 10))
@given(program=hypothesmith.from_grammar())
def test_generated_programs_go_through_the_whole_pipeline(
    pipeline_project: Path, program: str
) -> None:
    project = pipeline_project
    (project / "generated.py").write_bytes(program.encode("utf-8", errors="surrogatepass"))
    result = scan(load_policy(None, project), [], jobs=1, use_cache=False)
    assert result.files_scanned == 2
    rules = {finding.path: finding.rule_id for finding in result.findings}
    assert rules["leak.py"] == "no-pii-in-logs"
    assert rules.get("generated.py") != "internal-error"


@st.composite
def mutated_fixture(draw: st.DrawFn) -> bytes:
    """A real fixture file, truncated at a random offset and with a few bytes flipped."""
    source = SOURCES[draw(st.sampled_from(FIXTURE_FILES))]
    data = bytearray(source[: draw(st.integers(0, len(source)))])
    for _ in range(draw(st.integers(0, 4))):
        if data:
            offset = draw(st.integers(0, len(data) - 1))
            data[offset] ^= 1 << draw(st.integers(0, 7))
    return bytes(data)


@settings(FUZZ, max_examples=EXAMPLES * 5)
@given(mutated_fixture())
def test_mutated_fixture_files_never_raise(source: bytes) -> None:
    module = guard.summarize_guarded(source, "mutant.py", "mutant", False)
    assert_verdict(module.error, source)


@settings(FUZZ, max_examples=max(EXAMPLES // 4, 5))
@given(st.lists(mutated_fixture(), min_size=1, max_size=6))
def test_every_mutated_file_in_a_project_gets_a_verdict(
    mutant_project: Path, sources: list[bytes]
) -> None:
    project = mutant_project
    folder = project / "mutants"
    folder.mkdir(exist_ok=True)
    for stale in folder.iterdir():
        stale.unlink()
    expected_errors = set()
    for number, source in enumerate(sources):
        (folder / f"m{number}.py").write_bytes(source)
        if guard.summarize_guarded(source, "m.py", "m", False).error is not None:
            expected_errors.add(f"mutants/m{number}.py")
    result = scan(load_policy(None, project), [], jobs=1, use_cache=False)
    assert result.files_scanned == len(sources) + 1
    reported = {f.path for f in result.findings if f.rule_id == "parse-error"}
    assert reported == expected_errors
    assert not any(f.rule_id == "internal-error" for f in result.findings)
