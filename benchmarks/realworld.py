"""privlint on real applications: labelled precision, and recall on leaks found by hand.

    python benchmarks/realworld.py --fetch              # fetch the pinned releases, then scan each
    python benchmarks/realworld.py --app pretix         # one application
    python benchmarks/realworld.py --unlabelled pretix  # the sample's findings that need a label
    python benchmarks/realworld.py --json               # machine-readable figures

Each application is a pinned release from the package index (benchmarks/realworld/<app>/app.yaml),
scanned as a new user would: the built-in policy, no cache. Not part of CI: fetching downloads.
The folder's README describes the files and how to label.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from privlint.config import find_config, load_policy
from privlint.diagnostics import DIAGNOSTICS
from privlint.fileio import write_atomic
from privlint.policy import SINK_KINDS

HERE = Path(__file__).resolve().parent
SUITE = HERE / "realworld"
APPS = SUITE / ".apps"
SAMPLE_SIZE = 40
SEED_PREFIX = "privlint-realworld:"
LABEL_COLUMNS = ("rule", "path", "line", "verdict", "reason")
LEAK_COLUMNS = ("kind", "path", "line", "category", "reason")
VERDICTS = ("tp", "fp")
# A leak's kind: the engine's sink kinds, and "cookie", which the format lists though the
# engine has no cookie sinks yet (such a leak can only count as missed).
LEAK_KINDS = (*SINK_KINDS, "cookie")
APP_KEYS = ("name", "package", "version", "file", "sha256", "root", "why")


class HarnessError(Exception):
    """A problem the user can fix (a missing download, a malformed CSV row): no traceback."""


@dataclass(frozen=True)
class App:
    """One pinned release: where it comes from and which folder of it is scanned."""

    name: str
    package: str
    version: str
    file: str
    sha256: str
    root: str
    why: str

    @property
    def folder(self) -> Path:
        return SUITE / self.name

    @property
    def unpacked(self) -> Path:
        return APPS / self.name

    @property
    def scanned(self) -> Path:
        return self.unpacked / self.root


@dataclass(frozen=True)
class Step:
    path: str
    line: int
    note: str


@dataclass(frozen=True)
class Located:
    """What a label and a finding are matched by: rule, path and (sink) line."""

    rule: str
    path: str
    line: int

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.rule, self.path, self.line)


@dataclass(frozen=True)
class Finding(Located):
    column: int
    call: str
    categories: tuple[str, ...]
    trace: tuple[Step, ...]
    other_traces: tuple[tuple[Step, ...], ...] = ()


@dataclass(frozen=True)
class Label(Located):
    verdict: str
    reason: str


@dataclass(frozen=True)
class Leak:
    kind: str
    path: str
    line: int
    category: str
    reason: str


@dataclass(frozen=True)
class Figures:
    """One application's row of the report."""

    app: str
    version: str
    files: int
    findings: int
    diagnostics: int  # analysis-incomplete, parse-error…: about the analysis, not leaks
    labelled: int
    tp: int
    fp: int
    precision: float | None
    unlabelled: int
    sample: int
    sample_unlabelled: int
    leaks_found: int
    leaks_listed: int
    recall: float | None
    seconds: float


# ---- the suite's files


def load_app(folder: Path) -> App:
    """An app.yaml, checked: every key present, a sha256, a root inside the archive."""
    where = folder / "app.yaml"
    try:
        data = yaml.safe_load(where.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise HarnessError(f"{where}: {error}") from None
    if not isinstance(data, dict):
        raise HarnessError(f"{where}: expected a mapping")
    missing = [key for key in APP_KEYS if not isinstance(data.get(key), str) or not data[key]]
    if missing:
        raise HarnessError(f"{where}: missing or not text: {', '.join(missing)}")
    app = App(**{key: data[key] for key in APP_KEYS})
    if app.name != folder.name:
        raise HarnessError(f"{where}: name {app.name!r} is not the folder's name")
    if not re.fullmatch(r"[0-9a-f]{64}", app.sha256):
        raise HarnessError(f"{where}: sha256 must be 64 lowercase hex digits")
    if not _inside(app.root) or not _inside(app.file) or "/" in app.file:
        raise HarnessError(f"{where}: root and file must be plain relative paths")
    return app


def suite_apps(names: Sequence[str] = ()) -> list[App]:
    """The applications of the suite (or the named ones), in name order."""
    apps = [load_app(f.parent) for f in sorted(SUITE.glob("*/app.yaml"))]
    unknown = sorted(set(names) - {app.name for app in apps})
    if unknown:
        raise HarnessError(f"unknown application(s): {', '.join(unknown)}")
    return [app for app in apps if not names or app.name in names]


def read_rows(path: Path, columns: Sequence[str]) -> list[dict[str, str]]:
    """The rows of a CSV file whose header is exactly `columns`; a missing file has none."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        if tuple(reader.fieldnames or ()) != tuple(columns):
            raise HarnessError(f"{path}: the header must be {','.join(columns)}")
        rows = []
        for number, row in enumerate(reader, start=2):
            if None in row or any(not (row[c] or "").strip() for c in columns):
                raise HarnessError(f"{path}:{number}: every column needs a value")
            rows.append({c: row[c].strip() for c in columns})
        return rows


def _line(path: Path, number: int, text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise HarnessError(f"{path}:{number}: line must be a positive number, not {text!r}")
    return int(text)


def read_labels(path: Path) -> list[Label]:
    """labels.csv: one verdict per (rule, path, line); two different verdicts are an error."""
    labels: dict[tuple[str, str, int], Label] = {}
    for number, row in enumerate(read_rows(path, LABEL_COLUMNS), start=2):
        if row["verdict"] not in VERDICTS:
            raise HarnessError(f"{path}:{number}: verdict must be tp or fp")
        line = _line(path, number, row["line"])
        label = Label(row["rule"], row["path"], line, row["verdict"], row["reason"])
        if labels.get(label.key, label).verdict != label.verdict:
            raise HarnessError(f"{path}:{number}: a second, different verdict for {label.key}")
        labels[label.key] = label
    return list(labels.values())


def read_leaks(path: Path) -> list[Leak]:
    """leaks.csv: the leaks found by reading the application's code."""
    leaks = []
    for number, row in enumerate(read_rows(path, LEAK_COLUMNS), start=2):
        if row["kind"] not in LEAK_KINDS:
            raise HarnessError(f"{path}:{number}: unknown sink kind {row['kind']!r}")
        line = _line(path, number, row["line"])
        leaks.append(Leak(row["kind"], row["path"], line, row["category"], row["reason"]))
    return leaks


# ---- the pure parts: paths, sample, matching


def _inside(path: str) -> bool:
    """A relative path that stays inside its folder."""
    parts = PurePosixPath(path).parts
    return bool(parts) and not PurePosixPath(path).is_absolute() and ".." not in parts


def normalise_path(path: str, unpacked: Path, root: str) -> str:
    """A report's path, made relative to `root`: privlint reports paths relative to the project
    root it picked, which may be the scanned folder, the unpacked archive, or absolute."""
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            return candidate.relative_to(unpacked / root).as_posix()
        except ValueError:
            return candidate.as_posix()
    posix = PurePosixPath(path)
    prefix = PurePosixPath(root).parts
    if (unpacked / root / posix).exists() or posix.parts[: len(prefix)] != prefix:
        return posix.as_posix()
    return PurePosixPath(*posix.parts[len(prefix) :]).as_posix()


def parse_report(report: Mapping[str, Any], unpacked: Path, root: str) -> list[Finding]:
    """The findings of privlint's JSON report, with paths relative to `root`."""

    def where(path: str) -> str:
        return normalise_path(path, unpacked, root)

    def steps(trace: Iterable[Mapping[str, Any]]) -> tuple[Step, ...]:
        return tuple(Step(where(s["path"]), s["line"], s["note"]) for s in trace)

    return [
        Finding(
            rule=item["rule_id"],
            path=where(item["path"]),
            line=item["line"],
            column=item["column"],
            call=item["sink"]["call"],
            categories=tuple(item["categories"]),
            trace=steps(item["trace"]),
            # a report kept from before findings listed their other traces has none
            other_traces=tuple(steps(trace) for trace in item.get("other_traces", ())),
        )
        for item in report["findings"]
    ]


def claims(findings: Iterable[Finding]) -> list[Finding]:
    """The findings that say data leaks: all but the diagnostics."""
    return [finding for finding in findings if finding.rule not in DIAGNOSTICS]


def seeded_sample(findings: Iterable[Finding], app_name: str) -> list[Finding]:
    """The findings to label: the same for everyone who labels, and stable between runs
    that report the same findings."""
    ordered = sorted(findings, key=lambda f: (f.rule, f.path, f.line, f.column))
    chooser = random.Random(SEED_PREFIX + app_name)
    return chooser.sample(ordered, min(SAMPLE_SIZE, len(ordered)))


def matching_labels(
    findings: Iterable[Finding], labels: Iterable[Label]
) -> dict[tuple[str, str, int], Label]:
    """The labels that match a current finding; the others wait until it comes back."""
    current = {finding.key for finding in findings}
    return {label.key: label for label in labels if label.key in current}


def found_leaks(
    findings: Iterable[Finding], leaks: Iterable[Leak], kinds: Mapping[str, Sequence[str]]
) -> list[Leak]:
    """The leaks reported by a finding of a rule covering their kind, at their path and line or
    through a call there: privlint reports a sink in a helper inside the helper (one finding
    for all its callers), while a leak is listed where the caller hands the data over, which
    is a "passed to …" step of one of the finding's traces (the one shown or the others)."""
    reported: dict[tuple[str, int], set[str]] = {}
    for finding in findings:
        covered = kinds.get(finding.rule, ())
        calls = [
            (step.path, step.line)
            for trace in (finding.trace, *finding.other_traces)
            for step in trace
            if step.note.startswith("passed to ")
        ]
        for place in [(finding.path, finding.line), *calls]:
            reported.setdefault(place, set()).update(covered)
    return [leak for leak in leaks if leak.kind in reported.get((leak.path, leak.line), set())]


def figures(
    app: App,
    files: int,
    findings: Sequence[Finding],
    labels: Iterable[Label],
    leaks: Sequence[Leak],
    kinds: Mapping[str, Sequence[str]],
    seconds: float,
) -> Figures:
    """One application's figures; every finding counts (two at one line share its label).
    Diagnostics (a cut in the analysis, an unparsable file) say where privlint could not
    look, not that data leaks there: they are counted apart, never labelled."""
    claimed = claims(findings)
    diagnostics = len(findings) - len(claimed)
    findings = claimed
    matched = matching_labels(findings, labels)
    verdicts = [matched[f.key].verdict for f in findings if f.key in matched]
    tp = verdicts.count("tp")
    sample = seeded_sample(findings, app.name)
    found = len(found_leaks(findings, leaks, kinds))
    return Figures(
        app=app.name,
        version=app.version,
        files=files,
        findings=len(findings),
        diagnostics=diagnostics,
        labelled=len(verdicts),
        tp=tp,
        fp=len(verdicts) - tp,
        precision=tp / len(verdicts) if verdicts else None,
        unlabelled=len(findings) - len(verdicts),
        sample=len(sample),
        sample_unlabelled=sum(f.key not in matched for f in sample),
        leaks_found=found,
        leaks_listed=len(leaks),
        recall=found / len(leaks) if leaks else None,
        seconds=seconds,
    )


# ---- fetching and scanning


def fetch(app: App) -> None:
    """Download the pinned file, check its sha256, unpack it into .apps/<app>/ (replacing it)."""
    with tempfile.TemporaryDirectory(prefix=f"privlint-{app.name}-") as temporary:
        download = Path(temporary)
        binary = ["--no-binary", app.package] if app.file.endswith(".tar.gz") else []
        command = [sys.executable, "-m", "pip", "download", "-q", "--no-deps"]
        command += binary or ["--no-binary", ":none:"]
        command += [f"{app.package}=={app.version}", "-d", str(download)]
        if subprocess.run(command, check=False).returncode != 0:
            raise HarnessError(f"{app.name}: pip could not download {app.package}=={app.version}")
        archive = download / app.file
        if not archive.is_file():
            got = ", ".join(sorted(p.name for p in download.iterdir())) or "nothing"
            raise HarnessError(f"{app.name}: expected {app.file}, pip fetched {got}")
        digest = hashlib.sha256(archive.read_bytes()).hexdigest()
        if digest != app.sha256:
            raise HarnessError(f"{app.name}: sha256 of {app.file} is {digest}, not {app.sha256}")
        APPS.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{app.name}.", dir=APPS))
        try:
            unpack(archive, staging)
            shutil.rmtree(app.unpacked, ignore_errors=True)
            os.replace(staging, app.unpacked)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise


def unpack(archive: Path, target: Path) -> None:
    """Unpack a wheel or an sdist, refusing absolute paths, '..' and links."""
    if archive.name.endswith(".whl") or archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as wheel:
            for info in wheel.infolist():
                if not info.is_dir():
                    _write_member(target, info.filename, wheel.read(info))
        return
    with tarfile.open(archive) as sdist:
        for member in sdist.getmembers():
            if member.isdir():
                continue
            stream = sdist.extractfile(member) if member.isfile() else None
            if stream is None:
                raise HarnessError(f"{archive.name}: refusing {member.name} (not a regular file)")
            _write_member(target, member.name, stream.read())


def _write_member(target: Path, name: str, content: bytes) -> None:
    if not _inside(name):
        raise HarnessError(f"refusing archive member {name!r} (outside the folder)")
    path = target / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def rule_kinds(app: App) -> dict[str, tuple[str, ...]]:
    """The sink kinds each rule of the built-in policy covers, as privlint loads it there;
    a policy file above the app would change what is measured, so it is refused."""
    found = find_config(app.scanned)
    if found is not None:
        raise HarnessError(f"{app.name}: {found} would replace the built-in policy; move it")
    return {rule.id: rule.sink_kinds for rule in load_policy(None, app.scanned).rules}


def scan(app: App, jobs: int | None) -> tuple[dict[str, Any], float]:
    """privlint's JSON report on the app, and the wall time of the scan; the report is also
    kept (.apps/<app>.json) for `--reuse`."""
    if not app.scanned.is_dir():
        raise HarnessError(f"{app.name}: not fetched yet (run with --fetch)")
    with tempfile.TemporaryDirectory(prefix="privlint-realworld-") as temporary:
        output = Path(temporary) / "report.json"
        command = [sys.executable, "-m", "privlint", "check", app.root, "--no-cache"]
        command += ["--format", "json", "--output", str(output), "--quiet"]
        command += ["--jobs", str(jobs)] if jobs else []
        started = time.perf_counter()
        status = subprocess.run(command, cwd=app.unpacked, check=False).returncode
        seconds = time.perf_counter() - started
        if status not in (0, 1) or not output.is_file():
            raise HarnessError(f"{app.name}: privlint failed (exit {status})")
        text = output.read_text(encoding="utf-8")
    report: dict[str, Any] = json.loads(text)
    report["realworld_seconds"] = round(seconds, 2)
    write_atomic(_kept(app), json.dumps(report))
    return report, seconds


def _kept(app: App) -> Path:
    return APPS / f"{app.name}.json"


def last_report(app: App) -> tuple[dict[str, Any], float]:
    """The report kept by the last scan of the app."""
    try:
        report: dict[str, Any] = json.loads(_kept(app).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise HarnessError(f"{app.name}: no kept report (scan once without --reuse)") from None
    return report, float(report.get("realworld_seconds", 0.0))


# ---- output


COLUMNS = (
    ("app", "app"),
    ("version", "version"),
    ("files", "files"),
    ("findings", "findings"),
    ("diagnostics", "diagnostics"),
    ("labelled", "labelled"),
    ("tp", "tp"),
    ("fp", "fp"),
    ("precision", "precision"),
    ("unlabelled", "unlabelled"),
    ("sample_unlabelled", "sample-unlabelled"),
    ("leaks", "leaks found/listed"),
    ("recall", "recall"),
    ("seconds", "time"),
)


def _cells(row: Figures) -> dict[str, str]:
    def ratio(value: float | None) -> str:
        return "-" if value is None else f"{value:.2f}"

    cells = {key: str(value) for key, value in asdict(row).items()}
    cells["precision"] = ratio(row.precision)
    cells["recall"] = ratio(row.recall)
    cells["leaks"] = f"{row.leaks_found}/{row.leaks_listed}"
    cells["seconds"] = f"{row.seconds:.1f} s"
    return cells


def render_table(rows: Sequence[Figures]) -> str:
    """A Markdown table, ready to paste into benchmarks/README.md."""
    lines = [
        "| " + " | ".join(title for _, title in COLUMNS) + " |",
        "|" + "---|" * len(COLUMNS),
    ]
    for row in rows:
        cells = _cells(row)
        lines.append("| " + " | ".join(cells[key] for key, _ in COLUMNS) + " |")
    pending = [row.app for row in rows if row.sample_unlabelled]
    if pending:
        lines.append("")
        lines.append(f"Label the sample first (--unlabelled APP): {', '.join(pending)}")
    return "\n".join(lines)


def _source_line(app: App, path: str, line: int) -> str:
    try:
        lines = (app.scanned / path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return "(file not found)"
    return lines[line - 1].strip() if 0 < line <= len(lines) else "(no such line)"


def render_unlabelled(app: App, findings: Sequence[Finding], labels: Iterable[Label]) -> str:
    """Each finding of the seeded sample without a label, with its trace and source lines."""
    matched = matching_labels(findings, labels)
    pending = [f for f in seeded_sample(claims(findings), app.name) if f.key not in matched]
    blocks = [f"{app.name}: {len(pending)} finding(s) of the sample need a label"]
    for finding in sorted(pending, key=lambda f: (f.path, f.line, f.rule)):
        head = f"{finding.rule},{finding.path},{finding.line}"
        lines = [f"\n{head}  [{finding.call}; {', '.join(finding.categories)}]"]
        for step in finding.trace:
            lines.append(f"  {step.path}:{step.line}  {step.note}")
            lines.append(f"      {_source_line(app, step.path, step.line)}")
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


def render_missed(
    app: App, findings: Sequence[Finding], leaks: Sequence[Leak], kinds: Mapping[str, Sequence[str]]
) -> str:
    """Each hand-found leak no current finding reports, with its source line."""
    found = found_leaks(findings, leaks, kinds)
    missed = [leak for leak in leaks if leak not in found]
    blocks = [f"{app.name}: {len(missed)} of {len(leaks)} hand-found leak(s) not reported"]
    for leak in missed:
        blocks.append(
            f"\n{leak.kind},{leak.path},{leak.line}  [{leak.category}] {leak.reason}"
            f"\n      {_source_line(app, leak.path, leak.line)}"
        )
    return "\n".join(blocks)


def machine() -> str:
    """The machine the figures were taken on (CPU count and model)."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs, {model}, Python {sys.version.split()[0]}"


# ---- command line


def measure(app: App, jobs: int | None, reuse: bool) -> tuple[Figures, list[Finding]]:
    report, seconds = last_report(app) if reuse else scan(app, jobs)
    findings = parse_report(report, app.unpacked, app.root)
    labels = read_labels(app.folder / "labels.csv")
    leaks = read_leaks(app.folder / "leaks.csv")
    files = int(report["summary"]["files_scanned"])
    return figures(app, files, findings, labels, leaks, rule_kinds(app), seconds), findings


def arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fetch", action="store_true", help="download and unpack the releases")
    parser.add_argument("--app", action="append", default=[], help="only this app (repeatable)")
    parser.add_argument("--unlabelled", metavar="APP", help="the sample's unlabelled findings")
    parser.add_argument("--missed", metavar="APP", help="the hand-found leaks not reported")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--jobs", type=int, help="privlint worker processes (default: its own)")
    parser.add_argument("--reuse", action="store_true", help="use each app's last kept report")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    options = arguments(argv)
    try:
        single = options.unlabelled or options.missed
        apps = suite_apps([single] if single else options.app)
        rows = []
        for app in apps:
            if options.fetch:
                fetch(app)
            row, findings = measure(app, options.jobs, options.reuse)
            if options.unlabelled:
                print(render_unlabelled(app, findings, read_labels(app.folder / "labels.csv")))
                return 0
            if options.missed:
                leaks = read_leaks(app.folder / "leaks.csv")
                print(render_missed(app, findings, leaks, rule_kinds(app)))
                return 0
            rows.append(row)
    except HarnessError as error:
        print(f"realworld: {error}", file=sys.stderr)
        return 2
    if options.json:
        print(json.dumps({"machine": machine(), "apps": [asdict(r) for r in rows]}, indent=2))
    else:
        print(f"Machine: {machine()}\n")
        print(render_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
