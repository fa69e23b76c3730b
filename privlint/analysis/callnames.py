"""What call names say, before any analysis: the tables and pure helpers `calls` consults.

Which builtins and methods drop or keep data, which names read configuration, which
method names queue a task or read like a getter, and how a callee reads as a dotted name.
"""

from __future__ import annotations

import re

from privlint.analysis import ir
from privlint.catalog import snake_case
from privlint.policy import Propagator, SinkSpec

# Where the analysis stops following data (SPEC §3a: fail closed), reported like a sink.
CUT = SinkSpec(id="analysis-incomplete", kind="analysis-incomplete", calls=())

MESSAGE = "@message"  # the field holding what an exception's `__init__` gave its base class

DROPPING_BUILTINS = frozenset(
    f"builtins.{name}"
    for name in (
        "len",
        "bool",
        "isinstance",
        "issubclass",
        "hasattr",
        "callable",
        "id",
        "hash",
        "type",
        "any",
        "all",
    )
)
PREDICATE_METHODS = frozenset(
    (
        "startswith",
        "endswith",
        "isdigit",
        "isalpha",
        "isalnum",
        "isnumeric",
        "isdecimal",
        "isspace",
        "islower",
        "isupper",
        "istitle",
        "isidentifier",
        "isascii",
        "count",
        "find",
        "rfind",
        "index",
        "rindex",
        "__len__",
        "__contains__",
        "__eq__",
    )
)
MUTATORS = frozenset(("append", "extend", "add", "update", "insert", "appendleft", "setdefault"))
# A mapping's methods that give its values, never its keys
VALUE_METHODS = frozenset(("values", "get", "pop", "setdefault"))
QUERY_METHODS = frozenset(
    (
        "get",
        "filter",
        "filter_by",
        "first",
        "last",
        "all",
        "one",
        "one_or_none",
        "scalar",
        "scalars",
        "scalar_one",
        "scalar_one_or_none",
        "exclude",
        "order_by",
        "select_related",
        "prefetch_related",
        "get_or_create",
        "get_or_404",
        "first_or_404",
        "query",
        "select",
        "execute",
        "unique",
        "limit",
        "offset",
        "latest",
        "earliest",
        "values",
        "only",
        "defer",
        "objects",
        "where",
        "create",
        "update_or_create",
        "in_bulk",
        "iterator",
        "annotate",
        "distinct",
        "fetchone",
        "fetchall",
        # SQLAlchemy's query building: still rows of the model queried
        "join",
        "outerjoin",
        "options",
        "with_parent",
        "group_by",
        "having",
        "with_for_update",
        "execution_options",
        "populate_existing",
        "yield_per",
        "params",
        "one_or_404",
        # Django's
        "reverse",
        "using",
        "select_for_update",
        "alias",
    )
)

# Query methods whose arguments are other models (`query.join(Badge)`): rows of the model
# queried still
JOINS = frozenset(("join", "outerjoin", "with_parent", "options", "group_by", "having"))

EVERY_ARGUMENT = Propagator(calls=("*",))
# `$email`, `${email}`, and flufl.i18n's attribute paths `${self.email}`
PLACEHOLDER = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\}?")

_CONFIGURATION = (
    "os.environ",
    "os.getenv",
    "os.getenvb",
    "django.conf.settings",
    "flask.current_app.config",
    "decouple.config",
    "environ.Env",
    "starlette.config.Config",
)


def is_configuration(qualname: str) -> bool:
    """Whether a name reads the application's own configuration (environment, settings):
    a service's credentials there are configuration, not a person's data (SPEC §3a)."""
    return any(qualname == c or qualname.startswith(c + ".") for c in _CONFIGURATION)


_GETTER_PREFIXES = ("get_", "fetch_", "load_", "lookup_", "find_", "read_")


def getter_noun(method: str) -> str | None:
    """`get_email` → `email`: what a getter's own name says it returns (name heuristics)."""
    snake = snake_case(method)
    for prefix in _GETTER_PREFIXES:
        if snake.startswith(prefix) and len(snake) > len(prefix):
            return snake[len(prefix) :]
    return None


def names_a_type(qualname: str) -> bool:
    """Whether the result of calling `qualname` is typed by its name (`Client()` → `Client`)."""
    if not qualname.startswith("builtins."):
        return "." in qualname
    return qualname == "builtins.open"


MAX_OVERRIDES = 32  # subclass methods a template method's `self.step()` runs

TASK_METHODS = frozenset(
    ("delay", "apply_async", "apply", "s", "si", "signature", "send", "send_with_options")
)
# a signal's methods that call its receivers (Django's `Signal`), and how many they run
SIGNAL_SENDS = frozenset(("send", "send_robust", "asend", "asend_robust"))
MAX_RECEIVERS = 32
# calls that run a function they are given (its first argument), with the rest as its arguments
RUNNERS = frozenset(
    ("enqueue", "enqueue_call", "enqueue_at", "enqueue_in", "django.db.transaction.on_commit",
     "submit", "call_soon", "run_in_executor", "add_task", "start_soon")
)  # fmt: skip


def is_super(expr: ir.Expr) -> bool:
    return (
        isinstance(expr, ir.Call)
        and isinstance(expr.func, (ir.Name, ir.Global))
        and getattr(expr.func, "name", getattr(expr.func, "qualname", "")) in _SUPER
    )


_SUPER = ("super", "builtins.super")


def dotted(expr: ir.Expr) -> str | None:
    """An expression as dotted text (`a.b`, `load().email`), None when it is not one."""
    if isinstance(expr, ir.Name):
        return expr.name
    if isinstance(expr, ir.Attr):
        base = dotted(expr.base)
        return f"{base}.{expr.attr}" if base else expr.attr
    if isinstance(expr, ir.Global):
        return expr.qualname
    if isinstance(expr, ir.Call):
        inner = dotted(expr.func)
        return f"{inner}()" if inner else None
    return None
