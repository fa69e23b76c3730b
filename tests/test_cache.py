"""Cold, warm, serial and parallel scans agree exactly; the cache survives damage and races."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES

from privlint.analyse import EncodedEvidence
from privlint.analysis.ir import FileFacts, ModuleIR, Pos
from privlint.cache import CACHE_DIR, Cache, CorruptEntry, decode
from privlint.config import load_policy
from privlint.findings import Finding
from privlint.incremental import EncodedState
from privlint.scan import ScanResult, scan

PROJECT = FIXTURES / "projects" / "sqlalchemy_app"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(PROJECT, copy, ignore=shutil.ignore_patterns(CACHE_DIR))
    # enough files that the process pool is used
    for index in range(20):
        (copy / "ledger" / f"filler_{index}.py").write_text(
            f"def helper_{index}(value: int) -> int:\n    return value + {index}\n"
        )
    return copy


def _run(root: Path, **options: object) -> ScanResult:
    return scan(load_policy(root / "privlint.yaml", root), [], **options)  # type: ignore[arg-type]


def _identity(findings: list[Finding]) -> list[tuple[object, ...]]:
    return [(f.rule_id, f.path, f.line, f.categories, f.trace, f.fingerprint) for f in findings]


def test_cold_warm_serial_parallel_and_unfiltered_scans_find_the_same(project: Path) -> None:
    reference = _run(project, use_cache=False, jobs=1)
    assert reference.findings
    cold = _run(project, jobs=2)
    warm = _run(project, jobs=2)
    # six files mention personal data; `ledger/__init__.py` is loaded when a flow needs it
    assert (cold.stats.parsed, cold.stats.prefiltered_out, cold.stats.on_demand) == (7, 21, 1)
    assert not cold.stats.result_from_cache
    assert warm.stats.result_from_cache
    unfiltered = _run(project, use_cache=False, jobs=2, prefilter=False)
    assert (unfiltered.stats.parsed, unfiltered.stats.prefiltered_out) == (27, 0)
    for result in (cold, warm, _run(project, use_cache=False, jobs=2), unfiltered):
        assert _identity(result.findings) == _identity(reference.findings)


def test_one_changed_file_is_the_only_one_parsed_again(project: Path) -> None:
    _run(project)
    target = project / "ledger" / "service.py"
    target.write_text(target.read_text() + "\nRETRIES = 3\n")
    again = _run(project)
    # 6 unchanged summaries, and the changed one: parsed to compare it with the previous
    # one (it differs: see the re-location tests below), then read back from the cache
    assert (again.stats.parsed, again.stats.from_cache) == (1, 7)


# --- a changed file the last analysis never read cannot change its result ----------------


def _edit(project: Path, name: str, text: str) -> None:
    target = project / "ledger" / name
    target.write_text(target.read_text() + text)


def _same_as_cold(project: Path, result: ScanResult) -> None:
    assert _identity(result.findings) == _identity(_run(project, use_cache=False).findings)


def test_a_changed_file_the_analysis_never_read_reuses_the_last_result(project: Path) -> None:
    _run(project)
    _edit(project, "filler_3.py", "\n\ndef helper_extra(value: int) -> int:\n    return value\n")
    again = _run(project)
    assert again.stats.result_from_cache and again.stats.parsed == 0
    _same_as_cold(project, again)


@pytest.mark.parametrize(
    "edit",
    [
        # now a seed: it names personal data of its own
        "\n\ndef shout(email: str) -> None:\n    print(email)\n",
        # names what the analysis found personal data under: repository.get_customer()
        "\n\nimport logging\nfrom ledger.repository import get_customer\n\n\n"
        "def audit(session, key: int) -> None:\n"
        "    logging.info('%s', get_customer(session, key).legal_name)\n",
    ],
    ids=["becomes-a-seed", "names-a-carrier"],
)
def test_a_change_that_can_matter_is_analysed_again(project: Path, edit: str) -> None:
    before = _run(project)
    _edit(project, "filler_3.py", edit)
    again = _run(project)
    assert not again.stats.result_from_cache
    assert [f.path for f in again.findings].count("ledger/filler_3.py") == 1
    assert len(again.findings) == len(before.findings) + 1
    _same_as_cold(project, again)


def test_a_changed_file_the_analysis_read_is_analysed_again(project: Path) -> None:
    _run(project)
    _edit(project, "__init__.py", "\nVERSION = 2\n")  # loaded when a flow needed it
    again = _run(project)
    assert not again.stats.result_from_cache and not again.stats.relocated
    assert again.stats.parsed == 1
    _same_as_cold(project, again)


# --- a changed file that summarizes as before: the last result, re-located ---------------


def _rewrite(project: Path, name: str, old: str, new: str) -> None:
    target = project / "ledger" / name
    text = target.read_text()
    assert old in text
    target.write_text(text.replace(old, new, 1))


def test_comments_blank_lines_and_docstrings_re_locate_the_last_result(project: Path) -> None:
    before = _run(project)
    assert [f.line for f in before.findings if f.path == "ledger/service.py"] == [40]
    _rewrite(project, "service.py", '"""Customer', '# operations\n\n"""Customer')
    _rewrite(project, "service.py", "account and record why.", "account; say why.")
    _rewrite(project, "formatting.py", "\n\n", "\n\n# spacer\n\n")  # a file on the traces
    again = _run(project)
    assert again.stats.relocated and not again.stats.result_from_cache
    assert again.stats.parsed == 2  # only the changed files
    assert [f.line for f in again.findings if f.path == "ledger/service.py"] == [42]
    _same_as_cold(project, again)
    _rewrite(project, "service.py", "# operations", "# operations, again")
    assert _run(project).stats.relocated  # the re-located state is the base of the next
    entries = list((project / CACHE_DIR).rglob("*.bin"))
    assert len([e for e in entries if e.parent.parent.name == "module"]) == 7  # none lost


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        # a suppression: the finding it covers must go
        ("service.py", "customer.email)", "customer.email)  # privlint: ignore[no-pii-in-logs] ok"),
        # a comment naming personal data makes a read file a seed
        ("__init__.py", "\n", "\n# customers' email addresses\n"),
    ],
    ids=["suppression", "becomes-a-seed"],
)
def test_a_comment_that_changes_what_a_file_is_is_analysed_again(
    project: Path, name: str, old: str, new: str
) -> None:
    _run(project)
    _rewrite(project, name, old, new)
    again = _run(project)
    assert not again.stats.relocated and not again.stats.result_from_cache
    _same_as_cold(project, again)


def test_an_added_file_is_analysed_again(project: Path) -> None:
    _run(project)
    (project / "ledger" / "filler_new.py").write_text("X = 1\n")
    assert not _run(project).stats.result_from_cache


def test_no_cache_writes_nothing(project: Path) -> None:
    _run(project, use_cache=False)
    assert not (project / CACHE_DIR).exists()


def test_cache_keeps_itself_out_of_git(project: Path) -> None:
    _run(project)
    assert (project / CACHE_DIR / ".gitignore").read_text().strip().endswith("*")


def test_corrupt_and_truncated_entries_are_rebuilt(project: Path) -> None:
    reference = _identity(_run(project, use_cache=False).findings)
    _run(project)
    entries = sorted((project / CACHE_DIR).rglob("*.bin"))
    assert entries
    for index, entry in enumerate(entries):
        data = entry.read_bytes()
        entry.write_bytes(data[: len(data) // 2] if index % 2 else b"\x00garbage" + data)
    assert _identity(_run(project).findings) == reference
    assert _identity(_run(project).findings) == reference


def test_pickled_payloads_are_never_executed(project: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    cache = Cache(project)
    cache.store("module", "ab" * 20, ("placeholder",))
    entry = next((project / CACHE_DIR).rglob("*.bin"))
    payload = f"import pathlib; pathlib.Path({str(marker)!r}).touch()"
    pickled = b"cos\nsystem\n(S" + repr(payload).encode() + b"\ntR."
    entry.write_bytes(pickled)
    assert cache.load("module", "ab" * 20, ModuleIR) is None  # unsigned: never decoded
    with pytest.raises(CorruptEntry):
        decode(pickled)  # and were it signed, the unpickler refuses to call anything
    assert not marker.exists()


@pytest.mark.parametrize(
    "name",
    [
        b"privlint.analysis.ir\nRecord",  # in the IR module, but not one of its data classes
        b"privlint.analysis.ir\ndataclass",  # imported there: callable, but no class
        b"privlint.stats\nScanStats",  # privlint's data, but never cached
        b"privlint.findings\nfield",
    ],
)
def test_entries_may_name_only_privlint_data_classes(project: Path, name: bytes) -> None:
    cache = Cache(project)
    cache.store("module", "cd" * 20, ("placeholder",))
    entry = next((project / CACHE_DIR).rglob("*.bin"))
    pickled = b"c" + name + b"\n)R."  # call what `name` names: each works without
    entry.write_bytes(pickled)
    assert cache.load("module", "cd" * 20, ModuleIR) is None
    with pytest.raises(CorruptEntry):
        decode(pickled)


def test_a_reused_result_loads_no_engine(project: Path) -> None:
    """A warm run that changes nothing imports neither LibCST nor the IR and interpreter."""
    script = (
        "import sys\n"
        "from privlint.cli import app\n"
        f"sys.argv = ['privlint', 'check', {str(project)!r}, '-q']\n"
        "try:\n    app(standalone_mode=False)\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m == 'libcst' or m.startswith('privlint.an')))"
    )

    def loaded() -> str:
        run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
        return run.stdout.strip().splitlines()[-1]

    assert "privlint.analysis.propagate" in loaded()  # the first run analyses
    assert loaded() == "['privlint.analysis', 'privlint.analysis.modules']"


def test_two_processes_sharing_a_cache_both_finish_correctly(project: Path) -> None:
    command = [sys.executable, "-m", "privlint", "check", "--format", "json", str(project)]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [run.returncode for run in runs] == [1, 1]
    assert outputs[0] == outputs[1]


def test_a_whole_project_scan_drops_entries_it_no_longer_needs(project: Path) -> None:
    _run(project)
    target = project / "ledger" / "filler_3.py"
    for edit in range(3):
        target.write_text(target.read_text() + f"\n# edit {edit}\n")
        _run(project)
    stale = project / CACHE_DIR / "v0.0.1-0123456789ab"
    stale.mkdir()
    _run(project)
    entries = list((project / CACHE_DIR).rglob("*.bin"))
    assert not stale.exists()
    assert len([e for e in entries if e.parent.parent.name == "facts"]) == 27
    assert len([e for e in entries if e.parent.parent.name == "module"]) == 7
    assert len([e for e in entries if e.parent.parent.name == "state"]) == 1


def test_a_warm_run_that_changes_nothing_writes_nothing(project: Path) -> None:
    _run(project)
    _run(project)

    def entries() -> dict[Path, int]:
        return {path: path.stat().st_mtime_ns for path in (project / CACHE_DIR).rglob("*")}

    before = entries()
    assert _run(project).stats.result_from_cache
    assert entries() == before


def test_explicit_files_reuse_the_whole_project_analysis(project: Path) -> None:
    everything = _run(project)
    service = project / "ledger" / "service.py"
    policy = load_policy(project / "privlint.yaml", project)
    only_service = scan(policy, [service])
    assert only_service.stats.result_from_cache  # pre-commit's file lists cost no analysis
    expected = [  # the sink or a step of the trace in the given file
        f
        for f in everything.findings
        if "ledger/service.py" in (f.path, *(step.path for step in f.trace))
    ]
    assert expected and _identity(only_service.findings) == _identity(expected)


def test_every_entry_a_scan_writes_passes_its_readers_check(project: Path) -> None:
    """Entries are checked against the exact types their readers expect: one that failed
    the check would be rebuilt on every run, a slowdown no finding would show."""
    _run(project)
    (project / "ledger" / "models.py").write_text(
        (project / "ledger" / "models.py").read_text() + "\n# touched\n"
    )
    _run(project)  # re-located: evidence and positions are written too
    expected = {
        "facts": FileFacts,
        "module": ModuleIR,
        "positions": list[Pos],
        "state": EncodedState,
        "evidence": EncodedEvidence,
    }
    cache = Cache(project)
    assert cache.folder is not None
    kinds = {folder.name for folder in cache.folder.iterdir()}
    assert kinds == set(expected)
    for kind, reader in expected.items():
        for entry in cache.folder.glob(f"{kind}/*/*.bin"):
            assert cache.load(kind, entry.stem, reader) is not None, entry
