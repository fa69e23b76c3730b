"""Which files a scan reads and reports on: include/exclude, .gitignore, explicit files."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pytest

from privlint.discover import Discovery, discover

DEFAULT_INCLUDE = ("**/*.py",)


def tree(root: Path, *files: str) -> Path:
    """Create empty files (and their folders) below `root`."""
    for name in files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("", encoding="utf-8")
    return root


def found(
    root: Path,
    paths: Sequence[Path] = (),
    include: Sequence[str] = DEFAULT_INCLUDE,
    exclude: Sequence[str] = (),
) -> list[str]:
    """The discovered files, relative to `root`, '/' separated."""
    return relative(discover(root, paths, include, exclude).files, root)


def relative(paths: Sequence[Path] | frozenset[Path] | None, root: Path) -> list[str]:
    assert paths is not None
    return sorted(path.relative_to(root.resolve()).as_posix() for path in paths)


def test_default_include_finds_python_files_at_any_depth(tmp_path: Path) -> None:
    tree(tmp_path, "a.py", "pkg/__init__.py", "pkg/sub/deep.py", "README.md", "pkg/data.json")
    assert found(tmp_path) == ["a.py", "pkg/__init__.py", "pkg/sub/deep.py"]


def test_files_are_absolute_and_sorted(tmp_path: Path) -> None:
    tree(tmp_path, "b.py", "a/z.py", "a.py")
    files = discover(tmp_path, [], DEFAULT_INCLUDE, ()).files
    assert all(path.is_absolute() for path in files)
    assert list(files) == sorted(files)


def test_include_narrows_to_matching_files(tmp_path: Path) -> None:
    tree(tmp_path, "src/app/a.py", "scripts/b.py", "setup.py")
    assert found(tmp_path, include=["src/**/*.py"]) == ["src/app/a.py"]


def test_exclude_tests_and_migrations(tmp_path: Path) -> None:
    tree(
        tmp_path,
        "app/models.py",
        "app/migrations/0001_initial.py",
        "migrations/env.py",
        "tests/test_app.py",
        "tests/unit/test_more.py",
        "app/tests_helpers.py",
    )
    exclude = ["tests/**", "**/migrations/**"]
    assert found(tmp_path, exclude=exclude) == ["app/models.py", "app/tests_helpers.py"]


def test_exclude_negation_keeps_a_file(tmp_path: Path) -> None:
    tree(tmp_path, "gen/a.py", "gen/keep.py")
    assert found(tmp_path, exclude=["gen/*.py", "!gen/keep.py"]) == ["gen/keep.py"]


def test_root_gitignore_is_honoured(tmp_path: Path) -> None:
    tree(tmp_path, "app.py", "build/lib/app.py", "generated_pb2.py")
    (tmp_path / ".gitignore").write_text("build/\n*_pb2.py\n", encoding="utf-8")
    assert found(tmp_path) == ["app.py"]


def test_nested_gitignore_is_relative_to_its_folder(tmp_path: Path) -> None:
    tree(tmp_path, "pkg/local.py", "pkg/kept.py", "local.py", "other/pkg/local.py")
    (tmp_path / "pkg" / ".gitignore").write_text("/local.py\n", encoding="utf-8")
    assert found(tmp_path) == ["local.py", "other/pkg/local.py", "pkg/kept.py"]


def test_nested_gitignore_can_reinclude_a_file(tmp_path: Path) -> None:
    tree(tmp_path, "pkg/a.py", "pkg/keep.py", "b.py")
    (tmp_path / ".gitignore").write_text("pkg/*.py\n", encoding="utf-8")
    (tmp_path / "pkg" / ".gitignore").write_text("!keep.py\n", encoding="utf-8")
    assert found(tmp_path) == ["b.py", "pkg/keep.py"]


def test_always_skipped_folders(tmp_path: Path) -> None:
    skipped = [
        ".git",
        ".privlint_cache",
        "__pycache__",
        ".venv",
        "venv",
        ".tox",
        "node_modules",
        ".mypy_cache",
        ".ruff_cache",
    ]
    # A tool's folder holds no module of its own (a virtualenv keeps them below lib/).
    tree(tmp_path, "app.py", *(f"{name}/lib/x.py" for name in skipped), "pkg/__pycache__/c/y.py")
    tree(tmp_path, ".git/hook.py", ".privlint_cache/entry.py")  # never code
    assert found(tmp_path) == ["app.py"]


def test_explicit_files_set_report_only(tmp_path: Path) -> None:
    tree(tmp_path, "app/views.py", "app/models.py", "lib/util.py")
    changed = [tmp_path / "app/views.py", tmp_path / "lib/util.py"]
    discovery = discover(tmp_path, changed, DEFAULT_INCLUDE, ())
    assert relative(discovery.files, tmp_path) == ["app/models.py", "app/views.py", "lib/util.py"]
    assert relative(discovery.report_only, tmp_path) == ["app/views.py", "lib/util.py"]


def test_explicit_relative_files_are_taken_from_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree(tmp_path, "app/views.py", "app/models.py")
    monkeypatch.chdir(tmp_path / "app")
    discovery = discover(tmp_path, [Path("views.py")], DEFAULT_INCLUDE, ())
    assert relative(discovery.report_only, tmp_path) == ["app/views.py"]


def test_explicit_excluded_file_is_not_reported(tmp_path: Path) -> None:
    tree(tmp_path, "app/views.py", "app/migrations/0002.py", "tests/test_views.py")
    changed = [tmp_path / "app/migrations/0002.py", tmp_path / "tests/test_views.py"]
    discovery = discover(tmp_path, changed, DEFAULT_INCLUDE, ["tests/**", "**/migrations/**"])
    assert relative(discovery.files, tmp_path) == ["app/views.py"]
    assert discovery.report_only == frozenset()


def test_explicit_gitignored_file_is_not_reported(tmp_path: Path) -> None:
    tree(tmp_path, "app.py", "build/gen.py")
    (tmp_path / ".gitignore").write_text("build/\n", encoding="utf-8")
    discovery = discover(tmp_path, [tmp_path / "build/gen.py"], DEFAULT_INCLUDE, ())
    assert discovery.report_only == frozenset()


@pytest.mark.parametrize("policy", ["privlint.yaml", ".privlint.yaml", "pyproject.toml"])
def test_changed_policy_file_reports_on_all(tmp_path: Path, policy: str) -> None:
    tree(tmp_path, "app/views.py", "app/models.py", policy)
    changed = [tmp_path / "app/views.py", tmp_path / policy]
    discovery = discover(tmp_path, changed, DEFAULT_INCLUDE, ())
    assert discovery.report_only is None
    assert relative(discovery.files, tmp_path) == ["app/models.py", "app/views.py"]


def test_other_changed_files_are_ignored(tmp_path: Path) -> None:
    tree(tmp_path, "app/views.py", "app/models.py", "config/settings.yaml", "README.md")
    changed = [tmp_path / "app/views.py", tmp_path / "config/settings.yaml"]
    discovery = discover(tmp_path, changed, DEFAULT_INCLUDE, ())
    assert relative(discovery.report_only, tmp_path) == ["app/views.py"]
    only_yaml = discover(tmp_path, [tmp_path / "README.md"], DEFAULT_INCLUDE, ())
    assert only_yaml == Discovery(files=(), report_only=None, problems=())


def test_folder_paths_are_walked_with_root_patterns(tmp_path: Path) -> None:
    tree(tmp_path, "src/app/a.py", "src/app/migrations/m.py", "src/b.py", "other/c.py")
    (tmp_path / ".gitignore").write_text("b.py\n", encoding="utf-8")
    discovery = discover(tmp_path, [tmp_path / "src"], DEFAULT_INCLUDE, ["**/migrations/**"])
    assert relative(discovery.files, tmp_path) == ["src/app/a.py"]
    assert discovery.report_only is None


def test_ignored_folder_path_yields_nothing(tmp_path: Path) -> None:
    tree(tmp_path, "app.py", "build/gen.py")
    (tmp_path / ".gitignore").write_text("build/\n", encoding="utf-8")
    assert found(tmp_path, [tmp_path / "build"]) == []


def test_folder_outside_root_is_walked_relative_to_itself(tmp_path: Path) -> None:
    root = tree(tmp_path / "project", "app.py")
    outside = tree(tmp_path / "vendor", "lib.py", "tests/test_lib.py")
    discovery = discover(root, [outside], DEFAULT_INCLUDE, ["tests/**"])
    assert relative(discovery.files, outside) == ["lib.py"]


def test_explicit_file_outside_root_is_analysed_and_reported(tmp_path: Path) -> None:
    root = tree(tmp_path / "project", "app.py")
    script = tree(tmp_path / "scripts", "tool.py") / "tool.py"
    discovery = discover(root, [script], DEFAULT_INCLUDE, ())
    assert set(discovery.files) == {(root / "app.py").resolve(), script.resolve()}
    assert discovery.report_only == frozenset({script.resolve()})


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlink_loop_does_not_hang(tmp_path: Path) -> None:
    tree(tmp_path, "pkg/a.py")
    (tmp_path / "pkg" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "self").symlink_to(tmp_path / "self")  # a link to itself: broken
    assert found(tmp_path) == ["pkg/a.py"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_named_like_python_is_skipped(tmp_path: Path) -> None:
    tree(tmp_path, "a.py")
    os.mkfifo(tmp_path / "pipe.py")
    assert found(tmp_path) == ["a.py"]


def test_missing_path_becomes_a_problem(tmp_path: Path) -> None:
    tree(tmp_path, "a.py")
    missing = tmp_path / "nope.py"
    discovery = discover(tmp_path, [tmp_path / "a.py", missing], DEFAULT_INCLUDE, ())
    assert discovery.problems == ((missing, "no such file or folder"),)
    assert relative(discovery.report_only, tmp_path) == ["a.py"]


def test_unreadable_folder_becomes_a_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree(tmp_path, "a.py", "locked/b.py")
    real_scandir = os.scandir
    locked = str(tmp_path.resolve() / "locked")

    def scandir(path: str) -> object:
        if path == locked:
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    discovery = discover(tmp_path, [], DEFAULT_INCLUDE, ())
    assert relative(discovery.files, tmp_path) == ["a.py"]
    assert discovery.problems == ((Path(locked), "cannot list: Permission denied"),)
