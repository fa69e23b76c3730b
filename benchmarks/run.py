"""privlint's speed, measured against the LibCST parse floor and semgrep in one run.

    python benchmarks/run.py                 # Django's source from its PyPI wheel
    python benchmarks/run.py --synthetic     # generated monorepos of 10k, 100k, 1M lines
    python benchmarks/run.py --smoke         # a tiny corpus: runs, and cold == warm results

Every measurement is a separate process (so peak RSS is its own), repeated
`--repeat` times interleaved with the others; the report shows medians and the
ratio of each against the floor and against semgrep (when it is installed).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
DJANGO = "django==5.2.*"

FLOOR_SCRIPT = """
import sys, pathlib, libcst
for path in sorted(pathlib.Path(sys.argv[1]).rglob("*.py")):
    try:
        libcst.parse_module(path.read_bytes())
    except Exception:
        pass
"""


# Each command runs as an installed tool does: Python caches the bytecode of the modules
# it imports. A machine that sets PYTHONDONTWRITEBYTECODE would charge every privlint run
# for compiling privlint's modules again (about 0.1 s; pip compiles installed packages).
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


@dataclass
class Sample:
    seconds: float
    peak_mb: float
    output: str


def run(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Sample:
    """Run one command to completion: wall time, and the peak RSS of the process and its
    worker processes (their high-water marks, read from /proc while it runs)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=env or ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    peaks: dict[int, int] = {}
    reader = threading.Thread(target=lambda: samples.append(process.communicate()[0]))
    samples: list[str] = []
    reader.start()
    while reader.is_alive():
        for pid in _tree(process.pid):
            peaks[pid] = max(peaks.get(pid, 0), _high_water_kb(pid))
        reader.join(0.02)
    elapsed = time.perf_counter() - started
    return Sample(elapsed, sum(peaks.values()) / 1024, samples[0] if samples else "")


def _tree(pid: int) -> list[int]:
    """A process and its descendants (Linux /proc)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                pending.extend(int(child) for child in task.read_text().split())
    return found


def _high_water_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def fetch_django() -> Path:
    """Django's source from its wheel, unpacked once into benchmarks/corpus/ (git-ignored)."""
    target = CORPUS / "django"
    if not (target / "django").is_dir():
        download = Path(tempfile.mkdtemp())
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", DJANGO, "-d", download],
            check=True,
        )
        wheel = next(download.glob("*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(target)
        shutil.rmtree(download)
    return target


# The edits of the "changed" rows: code (a new function: the file's summary changes) and a
# comment alone (the summary stays: the last result is re-located, not re-analysed).
CODE_EDIT = "\n\ndef privlint_benchmark_edit(count: int) -> int:\n    return count + 1\n"
COMMENT_EDIT = "\n# touched\n"


def privlint(corpus: Path, *options: str) -> list[str]:
    return [sys.executable, "-m", "privlint", "check", str(corpus), "--format", "json", *options]


def edit_targets(corpus: Path) -> tuple[Path, Path]:
    """Two files to edit, chosen without bias: the middle one (in path order) of the files
    the analysis reads, and of those it never reads (the prefilter left them out and no
    flow reached them; editing one reuses the last result)."""
    from privlint.config import load_policy
    from privlint.scan import scan

    analysed = scan(load_policy(None, corpus), [], use_cache=False).analysed
    files = sorted(corpus.rglob("*.py"))
    read = [f for f in files if f.relative_to(corpus).as_posix() in analysed]
    unread = [f for f in files if f.relative_to(corpus).as_posix() not in analysed]
    return read[len(read) // 2], (unread or read)[len(unread or read) // 2]


def measurements(corpus: Path) -> dict[str, Callable[[], Sample]]:
    cache = corpus / ".privlint_cache"
    targets = functools.cache(lambda: edit_targets(corpus))  # only if an edit step runs

    def cold(*options: str) -> Callable[[], Sample]:
        def measure() -> Sample:
            shutil.rmtree(cache, ignore_errors=True)
            return run(privlint(corpus, *options))

        return measure

    def warm() -> Sample:
        run(privlint(corpus))  # make sure the cache is complete
        return run(privlint(corpus))

    def warm_touched(which: int, edit: str) -> Callable[[], Sample]:
        def measure() -> Sample:
            touched = targets()[which]
            run(privlint(corpus))
            touched.write_text(touched.read_text(encoding="utf-8") + edit, "utf-8")
            try:
                return run(privlint(corpus))
            finally:
                text = touched.read_text(encoding="utf-8")
                touched.write_text(text.removesuffix(edit), encoding="utf-8")

        return measure

    steps: dict[str, Callable[[], Sample]] = {
        "libcst parse floor (1 process)": lambda: run(
            [sys.executable, "-c", FLOOR_SCRIPT, str(corpus)]
        ),
        "privlint cold --jobs 1": cold("--jobs", "1"),
        "privlint cold (default jobs)": cold(),
        "privlint warm, nothing changed": warm,
        "privlint warm, one file changed (one the analysis reads)": warm_touched(0, CODE_EDIT),
        "privlint warm, one file changed (one it never reads)": warm_touched(1, CODE_EDIT),
        "privlint warm, a comment added (to a file the analysis reads)": warm_touched(
            0, COMMENT_EDIT
        ),
    }
    if shutil.which("semgrep"):
        env = {**ENV, "SEMGREP_ENABLE_VERSION_CHECK": "0", "SEMGREP_SEND_METRICS": "off"}
        rule = str(HERE / "semgrep-rule.yaml")
        steps["semgrep (taint rule)"] = lambda: run(
            [
                "semgrep",
                "scan",
                "--metrics=off",
                "--config",
                rule,
                "--json",
                "--quiet",
                "-j",
                str(os.cpu_count() or 1),
                str(corpus),
            ],
            env=env,
        )
    return steps


def measure_all(corpus: Path, repeat: int) -> dict[str, list[Sample]]:
    steps = measurements(corpus)
    samples: dict[str, list[Sample]] = {name: [] for name in steps}
    for _ in range(repeat):  # interleaved, so drift of the machine hits every step alike
        for name, step in steps.items():
            samples[name].append(step())
    return samples


def report(title: str, corpus: Path, samples: dict[str, list[Sample]]) -> str:
    files = list(corpus.rglob("*.py"))
    lines_of_code = sum(len(p.read_bytes().splitlines()) for p in files)
    medians = {name: statistics.median(s.seconds for s in runs) for name, runs in samples.items()}
    peaks = {name: max(s.peak_mb for s in runs) for name, runs in samples.items()}
    floor = medians["libcst parse floor (1 process)"]
    semgrep = medians.get("semgrep (taint rule)")
    out = [
        f"{title}: {len(files)} files, {lines_of_code} lines; {platform.platform()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d')}",
        "",
        "| what | median wall | peak RSS | vs floor | vs semgrep |",
        "|---|---|---|---|---|",
    ]
    for name in samples:
        versus = f"{medians[name] / semgrep:.2f}" if semgrep else "n/a"
        out.append(
            f"| {name} | {medians[name]:.2f} s | {peaks[name]:.0f} MB | "
            f"{medians[name] / floor:.2f} | {versus} |"
        )
    return "\n".join(out)


def same_findings(corpus: Path) -> bool:
    """Cold, warm, serial and parallel runs must report exactly the same findings."""
    shutil.rmtree(corpus / ".privlint_cache", ignore_errors=True)
    outputs = [
        run(privlint(corpus, "--jobs", "1", "--no-cache")).output,
        run(privlint(corpus, "--jobs", "2")).output,
        run(privlint(corpus, "--jobs", "2")).output,
        run(privlint(corpus, "--jobs", "1")).output,
    ]
    findings = [json.loads(text)["findings"] for text in outputs]
    return all(f == findings[0] for f in findings)


def synthetic(lines: int, target: Path) -> Path:
    """A generated monorepo of realistic modules (about 200 lines each) with PII flows.

    Each module defines models, loaders and report functions; every fifth module
    has a leak in itself and one through the module before it, so flows cross modules.
    """
    block = (
        "\n\n@dataclass\nclass Customer{n}:\n    id: int\n    email: str\n    plan: str\n\n\n"
        "def load_{n}(customer_id: int) -> Customer{n}:\n"
        "    return Customer{n}(customer_id, 'a@example.com', 'basic')\n\n\n"
        "def greet_{n}(customer: Customer{n}) -> str:\n"
        "    return f'Hello {{customer.email}} on {{customer.plan}}'\n\n\n"
        "def report_{n}(customer_id: int) -> None:\n"
        "    customer = load_{n}(customer_id)\n    log.info({shown})\n"
        "    log.info('plan %s', customer.plan)\n"
    )
    header = (
        "import logging\nfrom dataclasses import dataclass\n{imports}\n"
        "log = logging.getLogger(__name__)\n"
    )
    blocks_per_module = 10
    per_module = header.count("\n") + blocks_per_module * block.count("\n")
    shutil.rmtree(target, ignore_errors=True)
    for index in range(max(1, lines // per_module)):
        package = target / f"pkg{index // 50}"
        package.mkdir(parents=True, exist_ok=True)
        (package / "__init__.py").touch()
        calls_previous = index % 5 == 0 and index > 0
        imports = f"from pkg{(index - 1) // 50}.mod{index - 1} import greet_{(index - 1) * 10}\n"
        text = header.format(imports=imports if calls_previous else "")
        text += "".join(
            block.format(n=n, shown=f"greet_{n}(customer)" if n % 50 == 0 else "customer.id")
            for n in range(index * 10, index * 10 + blocks_per_module)
        )
        if calls_previous:
            text += (
                f"\n\ndef relay_{index}(customer: Customer{index * 10}) -> None:\n"
                f"    log.warning(greet_{(index - 1) * 10}(customer))\n"
            )
        (package / f"mod{index}.py").write_text(text, encoding="utf-8")
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--synthetic", action="store_true", help="scaling on generated repos")
    parser.add_argument("--smoke", action="store_true", help="tiny corpus, one repetition")
    args = parser.parse_args()
    if args.smoke:
        corpus = synthetic(2_000, CORPUS / "smoke")
        print(report("smoke", corpus, measure_all(corpus, 1)))
        identical = same_findings(corpus)
        print(f"\ncold, warm, --jobs 1 and --jobs 2 findings identical: {identical}")
        return 0 if identical else 1
    if args.synthetic:
        for size in (10_000, 100_000, 1_000_000):
            corpus = synthetic(size, CORPUS / f"synthetic-{size}")
            steps = measurements(corpus)
            samples = {
                name: [steps[name]()]
                for name in ("libcst parse floor (1 process)", "privlint cold (default jobs)")
            }
            print(report(f"synthetic {size} lines", corpus, samples), "\n")
        return 0
    corpus = fetch_django()
    print(report("Django 5.2 (wheel)", corpus, measure_all(corpus, args.repeat)))
    print(f"\ncold, warm, --jobs 1 and --jobs 2 findings identical: {same_findings(corpus)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
