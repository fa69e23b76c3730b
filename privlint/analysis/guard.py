"""Limits that keep one hostile file from taking a whole scan down.

Measured with LibCST 1.9: its native parser crashes the interpreter on a few
thousand nested brackets and slows down faster than linearly with nesting
depth and file size, and the lowering, the cache codec and the interpreter of
the IR all recurse. So each file is read with a size cap, screened before
LibCST sees it (size, NUL bytes, encoding, then CPython's own parser, which is
fast and rejects what no interpreter would run), summarized in a thread with
a large stack, and its IR checked for depth before it reaches the cache, the
process pool or the whole-program stage. Whatever a limit cuts short becomes
a `parse-error` finding, so the run still fails closed.
"""

from __future__ import annotations

import ast
import dataclasses
import io
import os
import queue
import re
import sys
import threading
import tokenize
import traceback
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from privlint.analysis import ir
from privlint.sources import MAX_BYTES

MAX_LINES = 50_000
MAX_TOKENS = 200_000  # LibCST holds 2-3 KB per token: at most about 600 MB for one file
_TOKEN = re.compile(rb"[\w\x80-\xff]+|\S")  # a word or one symbol: close to Python's tokens
MAX_NESTING = 3_000  # syntax-tree levels; LibCST takes seconds per file beyond this
MAX_IR_DEPTH = 200  # IR levels: the cache codec and propagation recurse per level
_DEEP_BRACKETS = 200  # CPython's tokenizer refuses more; LibCST crashes at a few thousand
_STACK_BYTES = 512 * 1024 * 1024  # reserved address space; only touched pages cost memory
_RECURSION_LIMIT = 200_000
_OPENING, _CLOSING = b"([{", b")]}"
_NOT_BRACKETS = bytes(b for b in range(256) if b not in _OPENING + _CLOSING)

T = TypeVar("T")
_deep = threading.Lock()
_DEEP_THREAD = "privlint-deep"


def summarize_guarded(
    source: bytes, path: str, module: str, is_package: bool, screened: bool = False
) -> ir.ModuleIR:
    """`summarize_source` behind the screen (unless the caller `screened` it already), with
    room to recurse; limits become findings.

    Unexpected exceptions propagate: the caller turns them into `internal-error`.
    """
    problem = _size_problem(source)
    if problem is not None:
        return broken_module(path, module, is_package, problem)
    return run_deep(_summarize, source, path, module, is_package, screened)


def run_deep(function: Callable[..., T], *args: Any) -> T:
    """`function(*args)` in a thread with a large stack and a high recursion limit.

    The recursion limit is process-wide, so it is raised only while the caller
    waits for the thread; calls are serialized. Called on that thread (propagation
    summarizes the modules it reaches), it runs `function` there and then.
    """
    if threading.current_thread().name == _DEEP_THREAD:
        return function(*args)
    with _deep:
        old_limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(old_limit, _RECURSION_LIMIT))
        try:
            succeeded, value = _worker.run(function, args)
        finally:
            sys.setrecursionlimit(old_limit)
    if not succeeded:
        raise value
    return value  # type: ignore[no-any-return]


_Job = tuple[Callable[..., Any], tuple[Any, ...], list[tuple[bool, Any]], threading.Event]


class _DeepWorker:
    """One long-lived thread with a large stack per process. A new thread per file would
    fault in fresh stack pages every time: a sixth of the cost of parsing."""

    def __init__(self) -> None:
        self.pid = -1
        self.jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()

    def run(self, function: Callable[..., Any], args: tuple[Any, ...]) -> tuple[bool, Any]:
        if self.pid != os.getpid():  # first use, or a forked worker process
            self.pid = os.getpid()
            self.jobs = queue.SimpleQueue()
            old_stack = threading.stack_size(_STACK_BYTES)
            try:
                thread = threading.Thread(
                    target=_serve, args=(self.jobs,), name=_DEEP_THREAD, daemon=True
                )
                thread.start()
            finally:
                threading.stack_size(old_stack)
        outcome: list[tuple[bool, Any]] = []
        done = threading.Event()
        self.jobs.put((function, args, outcome, done))
        done.wait()
        return outcome[0]


def _serve(jobs: queue.SimpleQueue[_Job]) -> None:
    while True:
        function, args, outcome, done = jobs.get()
        try:
            outcome.append((True, function(*args)))
        except BaseException as error:  # handed to the caller, who re-raises it
            outcome.append((False, error))
        finally:
            done.set()


_worker = _DeepWorker()


def broken_module(path: str, module: str, is_package: bool, error: ir.ParseError) -> ir.ModuleIR:
    """The IR of a file that was not analysed: no code, only the reason."""
    body = ir.FunctionIR(module, module, (), (), ir.NO_POS, kind="module")
    return ir.ModuleIR(path, module, is_package, (), body, (), (), error=error)


def internal_error_module(
    path: str, module: str, is_package: bool, error: BaseException
) -> ir.ModuleIR:
    """A file the engine failed on: an `internal-error` verdict with a one-line reason."""
    reason = " ".join(f"{type(error).__name__}: {error}".split())[:300]
    detail = "".join(traceback.format_exception(error))
    problem = ir.ParseError(1, 0, reason, kind="internal", detail=detail)
    return broken_module(path, module, is_package, problem)


def unreadable_module(path: str, module: str, is_package: bool, reason: str) -> ir.ModuleIR:
    """A discovered file that could not be read: a `parse-error` verdict, never a silent skip."""
    return broken_module(path, module, is_package, ir.ParseError(1, 0, reason, kind="skipped"))


def _summarize(
    source: bytes, path: str, module: str, is_package: bool, screened: bool
) -> ir.ModuleIR:
    problem = None if screened else screen(source)
    if problem is not None:
        return broken_module(path, module, is_package, problem)
    # Looked up at call time, so a test can make it fail for one file.
    from privlint.analysis import summarize

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # CPython's SyntaxWarnings about the scanned code
        result = summarize.summarize_source(source, path, module, is_package)
    depth = ir_depth(result)
    if depth > MAX_IR_DEPTH:
        message = (
            f"too deeply nested to analyse: code {depth} levels deep "
            f"(limit {MAX_IR_DEPTH}; long chains of + and `and` do not count)"
        )
        return broken_module(path, module, is_package, ir.ParseError(1, 0, message, kind="skipped"))
    return result


def screen(source: bytes) -> ir.ParseError | None:
    """Why `source` must not reach LibCST, or None. Cheap checks first."""
    problem, tree = screen_syntax(source)
    if problem is not None or tree is None:
        return problem
    return screen_depth(tree, source)


def screen_syntax(source: bytes) -> tuple[ir.ParseError | None, ast.Module | None]:
    """Size, bytes and CPython's parser: a problem, or the syntax tree CPython built (None
    when it refused the file: only LibCST's verdict is final, the file may use syntax
    newer than the running interpreter)."""
    problem = _size_problem(source) or _byte_problem(source)
    if problem is not None:
        return problem, None
    return _cpython_problem(source)


def _size_problem(source: bytes) -> ir.ParseError | None:
    if len(source) > MAX_BYTES:
        limit = f"{MAX_BYTES // (1024 * 1024)} MB"
        return _limit(f"file too large to analyse: over {limit} (limit {limit})")
    lines = source.count(b"\n") + (not source.endswith(b"\n"))
    if lines > MAX_LINES:
        return _limit(f"file too large to analyse: {lines:,} lines (limit {MAX_LINES:,})")
    if len(source) > MAX_TOKENS:  # a token is at least a byte: smaller files are within it
        tokens = len(_TOKEN.findall(source))
        if tokens > MAX_TOKENS:
            return _limit(f"file too large to analyse: {tokens:,} tokens (limit {MAX_TOKENS:,})")
    return None


def _limit(message: str) -> ir.ParseError:
    return ir.ParseError(1, 0, f"{message}; exclude generated files in the policy", kind="skipped")


def _byte_problem(source: bytes) -> ir.ParseError | None:
    """NUL bytes and undecodable text, located: CPython and LibCST say neither where."""
    if source.startswith((b"\xff\xfe", b"\xfe\xff")):
        return ir.ParseError(1, 0, "UTF-16 text: save the file as UTF-8")
    nul = source.find(b"\0")
    if nul >= 0:
        line, column = _line_column(source, nul)
        return ir.ParseError(line, column, "NUL byte: this is binary data, not Python source")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
    except SyntaxError as error:
        if "unknown encoding" in str(error.msg):
            return ir.ParseError(error.lineno or 1, 0, str(error.msg))
        encoding = "utf-8"  # undecodable first lines: located below
    try:
        source.decode(encoding)
    except UnicodeDecodeError as error:
        line, column = _line_column(source, error.start)
        return ir.ParseError(
            line,
            column,
            f"byte 0x{source[error.start]:02x} is not valid {encoding}: save the file as "
            "UTF-8 or declare its encoding in a `# -*- coding: ... -*-` line (PEP 263)",
        )
    except LookupError:  # a codec tokenize knows but this Python lacks
        return ir.ParseError(1, 0, f"unknown encoding: {encoding}")
    return None


def _line_column(source: bytes, offset: int) -> tuple[int, int]:
    return source.count(b"\n", 0, offset) + 1, offset - (source.rfind(b"\n", 0, offset) + 1)


def _cpython_problem(source: bytes) -> tuple[ir.ParseError | None, ast.Module | None]:
    """What CPython's parser says about nesting; other syntax errors are left to LibCST,
    which knows syntax newer than the running interpreter."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes and the like: not our business
            return None, ast.parse(source)
    except SyntaxError as error:
        if "too many nested" in error.msg or _bracket_depth(source) > _DEEP_BRACKETS:
            line, column = error.lineno or 1, max((error.offset or 1) - 1, 0)
            return ir.ParseError(line, column, error.msg), None
        return None, None
    except (MemoryError, RecursionError):
        message = "too deeply nested to analyse: Python's own parser gives up"
        return ir.ParseError(1, 0, message, kind="skipped"), None
    except ValueError:
        return None, None


def screen_depth(tree: ast.Module, source: bytes) -> ir.ParseError | None:
    """Code nested deeper than LibCST handles in reasonable time."""
    if len(source) < MAX_NESTING:
        return None  # every level of nesting takes at least one byte
    depth, line = _ast_depth(tree, source)
    if depth > MAX_NESTING:
        message = f"too deeply nested to analyse: {depth:,} levels (limit {MAX_NESTING:,})"
        return ir.ParseError(line, 0, message, kind="skipped")
    return None


def _bracket_depth(source: bytes) -> int:
    """The deepest bracket nesting, counting brackets in strings and comments too."""
    depth = deepest = 0
    for byte in source.translate(None, _NOT_BRACKETS):
        if byte in _OPENING:
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _ast_depth(tree: ast.Module, source: bytes) -> tuple[int, int]:
    """The depth of CPython's syntax tree (exact when over `MAX_NESTING`, else a bound
    under it) and a line where it is reached, without recursing.

    An expression nests at most about one level per byte it spans, so only expressions
    long enough to be too deep are walked: most of the tree never is.
    """
    starts = [0, *(match.end() for match in _NEWLINE.finditer(source))]
    deepest, line = 0, 1
    statements: list[tuple[ast.AST, int]] = [(tree, 1)]
    while statements:
        statement, depth = statements.pop()
        for child in ast.iter_child_nodes(statement):
            if isinstance(child, ast.stmt):
                statements.append((child, depth + 1))
                continue
            span = _span(child, starts)
            if span is not None and depth + span + 2 <= MAX_NESTING:
                reached, at = depth + span + 2, getattr(child, "lineno", 1)
            else:
                reached, at = _walk_depth(child, depth + 1)
            if reached > deepest:
                deepest, line = reached, at
    return deepest, line


_NEWLINE = re.compile(rb"\r\n|\r|\n")


def _span(node: ast.AST, starts: list[int]) -> int | None:
    """How many bytes of source `node` covers, if CPython says where it is."""
    line, end_line = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
    column, end_column = getattr(node, "col_offset", None), getattr(node, "end_col_offset", None)
    if line is None or end_line is None or column is None or end_column is None:
        return None
    if not 0 < line <= end_line <= len(starts):
        return None
    return int(starts[end_line - 1] + end_column - (starts[line - 1] + column))


def _walk_depth(node: ast.AST, depth: int) -> tuple[int, int]:
    deepest, line = 0, 1
    pending: list[tuple[ast.AST, int, int]] = [(node, depth, getattr(node, "lineno", 1))]
    while pending:
        current, level, at = pending.pop()
        at = getattr(current, "lineno", at)
        if level > deepest:
            deepest, line = level, at
        pending.extend((child, level + 1, at) for child in ast.iter_child_nodes(current))
    return deepest, line


_LEAF_TYPES = frozenset({"Pos", "str", "int", "bool", "str | None", "int | str", "tuple[str, ...]"})
_NESTED: dict[type, tuple[str, ...]] = {}


def _nested_fields(kind: type) -> tuple[str, ...]:
    """The fields of an IR class that can hold more IR (not names, positions, flags)."""
    names = _NESTED.get(kind)
    if names is None:
        names = tuple(
            f.name
            for f in dataclasses.fields(kind)
            if str(f.type) not in _LEAF_TYPES and "tuple[tuple[str, str]" not in str(f.type)
        )
        _NESTED[kind] = names
    return names


def ir_depth(module: ir.ModuleIR) -> int:
    """How many IR nodes deep the module's code nests (tuples do not count), iteratively."""
    deepest = 0
    pending: list[tuple[ir.Record, int]] = [(module.body, 1)]
    pending.extend((function, 1) for function in module.functions)
    while pending:
        node, depth = pending.pop()
        deepest = max(deepest, depth)
        for name in _nested_fields(type(node)):
            value = getattr(node, name)
            if isinstance(value, ir.Record):
                pending.append((value, depth + 1))
            elif type(value) is tuple:
                groups = [value]  # tuples of tuples: dict items, comprehension bindings
                while groups:
                    for item in groups.pop():
                        if isinstance(item, ir.Record):
                            pending.append((item, depth + 1))
                        elif type(item) is tuple:
                            groups.append(item)
    return deepest
