"""What a call does to data: sanitize it, sink it, drop it, run project code, or pass it on.

The order matters and is the contract of SPEC §2/§3a: sanitizers first, then
sinks (a sink call ends the flow: its body is not followed), then calls that
clearly drop taint (`len`, predicates), then project functions and classes,
and last unknown calls, which conservatively pass their arguments' taint on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

from privlint.analysis import ir
from privlint.analysis.values import (
    CLEAN,
    Label,
    Taint,
    Value,
    combine,
    merge_taint,
    splice_value,
    without_categories,
)
from privlint.findings import Step

if TYPE_CHECKING:
    from privlint.analysis.propagate import Interpreter

T = TypeVar("T")

_DROPPING_BUILTINS = frozenset(
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
_PREDICATE_METHODS = frozenset(
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
_MUTATORS = frozenset(("append", "extend", "add", "update", "insert", "appendleft", "setdefault"))
_QUERY_METHODS = frozenset(
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
    )
)


class CallEvaluation:
    """Evaluates `ir.Call` nodes for one interpreter."""

    def __init__(self, interpreter: Interpreter) -> None:
        self.interp = interpreter
        self.program = interpreter.program
        self.catalog = interpreter.catalog
        self.last_was_opaque = False

    def describe(self, func: ir.Expr) -> str:
        """How a callee reads in a trace: `WhatsAppClient.send_message`, `logger.info`."""
        text = _dotted(func)
        if text is None:
            return "call"
        return ".".join(text.split(".")[-2:])

    def evaluate(self, call: ir.Call) -> Value:
        self.last_was_opaque = False
        receiver, qualname = self._callee(call.func)
        args = [(arg, self.interp.expr(arg.value)) for arg in call.args]
        target = self.program.resolve(qualname)
        name = self._display(call.func, target)

        sanitizer = self.catalog.sanitizer(qualname) or self.catalog.sanitizer(target)
        if sanitizer is not None:
            taint = merge_taint(*(self.interp.flatten(v) for _, v in args))
            return Value(taint=without_categories(taint, sanitizer.clears))

        sink = (
            self.catalog.sink(qualname)
            or self.catalog.sink(target)
            or self._inherited(receiver, call.func, self.catalog.sink)
        )
        if sink is not None:
            selected = [v for arg, v in args if arg.star or sink.selects(arg.key)]
            if receiver is not None and sink.args is not None and "self" in sink.args:
                selected.append(receiver)
            self.interp.hit(sink, call.pos, name, selected)
            return Value(type=self.catalog.result_type(qualname))

        method = call.func.attr if isinstance(call.func, ir.Attr) else None
        runs_project_code = self.program.is_function(target)
        if qualname in _DROPPING_BUILTINS or (
            method in _PREDICATE_METHODS
            and not runs_project_code
            and self.catalog.result_type(qualname) is None  # `client.index("x")` is no str.index
        ):
            return CLEAN

        reflected = self._reflection(qualname, args, call)
        if reflected is not None:
            return reflected
        result = self._project_call(target, receiver, args, call)
        if result is None:
            result = self._external_call(qualname, receiver, method, args, call)
        returned = self.catalog.return_category(target) or self.catalog.return_category(qualname)
        if returned is not None:
            step = self.interp.step(call.pos, f"returned by {name}() (pii.returns)")
            result = replace(
                result,
                taint=merge_taint(result.taint, {(returned, ()): Label(returned, (), (step,))}),
            )
        return result

    def _reflection(
        self, qualname: str, args: list[tuple[ir.Arg, Value]], call: ir.Call
    ) -> Value | None:
        """`getattr(obj, "phone")` and `setattr(obj, "phone", v)` with literal names."""
        if qualname not in ("builtins.getattr", "builtins.setattr") or len(args) < 2:
            return None
        name = call.args[1].value
        if not isinstance(name, ir.Const) or name.text is None:
            return None
        if qualname == "builtins.getattr":
            return self.interp.read_attribute(args[0][1], name.text, call.pos)
        if len(args) >= 3:
            self.interp.store_field(call.args[0].value, name.text, args[2][1], into_taint=False)
        return CLEAN

    # --------------------------------------------------------------- callee
    def _callee(self, func: ir.Expr) -> tuple[Value | None, str]:
        """The receiver (for method calls on values) and the callee's qualified name."""
        if isinstance(func, ir.Attr):
            base = self.interp.expr(func.base)
            if base.ref is not None:
                return None, f"{base.ref}.{func.attr}"
            if base.type is not None:
                cls = self.program.class_of(base.type)
                if cls is not None:
                    method = self.program.find_method(cls, func.attr)
                    return base, method or f"{cls}.{func.attr}"
                return base, f"{base.type}.{func.attr}"
            return base, _dotted(func) or func.attr
        value = self.interp.expr(func)
        if value.ref is not None:
            return None, value.ref
        return None, _dotted(func) or "<call>"

    def _inherited(
        self, receiver: Value | None, func: ir.Expr, lookup: Callable[[str], T | None]
    ) -> T | None:
        """What the catalog says of a method a project class inherits from outside the project
        (`self.post(...)` in `class Api(requests.Session)`), by the base's name. An override
        keeps the contract of the method it overrides: a subclass's `Worksheet.append` still
        writes the row, so it is a sink too."""
        cls = self.program.class_of(receiver.type) if receiver is not None else None
        if cls is None or not isinstance(func, ir.Attr):
            return None
        for base in self.program.external_bases(cls):
            found = lookup(f"{base}.{func.attr}")
            if found is not None:
                return found
        return None

    def store_name(self, target: ir.TAttr | ir.TItem) -> str:
        """How a store reads for the policy's `stores` patterns: the stored-into value's
        class or dotted text, then `.attr` or `[]` (`openpyxl.cell.Cell.value`,
        `response.cookies[]`). Evaluates the target's base once, for its effects too."""
        base = target.base
        if isinstance(base, ir.Attr):
            owner = self._callee(base)[1]
        else:
            value = self.interp.expr(base)
            owner = value.ref or value.type or _dotted(base) or "<value>"
        return f"{owner}.{target.attr}" if isinstance(target, ir.TAttr) else f"{owner}[]"

    def _display(self, func: ir.Expr, target: str) -> str:
        entry = self.program.function(target)
        if entry is not None:
            function = entry[0]
            owner = function.class_qualname
            return f"{owner.rsplit('.', 1)[-1]}.{function.name}" if owner else function.name
        return self.describe(func)

    # ------------------------------------------------------------- project
    def _project_call(
        self, target: str, receiver: Value | None, args: list[tuple[ir.Arg, Value]], call: ir.Call
    ) -> Value | None:
        if self.program.is_class(target):
            return self._construct(target, args)
        entry = self.program.function(target)
        if entry is None:
            return None
        function = entry[0]
        bound = self._bind(function, receiver, args)
        return self.invoke(target, bound, call.pos)

    def invoke(self, target: str, bound: Mapping[str, Value], pos: ir.Pos) -> Value:
        """Analyse a project function for these arguments and bring its effects to the caller."""
        outcome = self.interp.propagation.call(target, bound)
        steps = self.interp.propagation.parameter_steps(target)
        self.interp.splice_hits(outcome.hits, bound, steps)
        return splice_value(outcome.returned, bound, steps)

    def _bind(
        self, function: ir.FunctionIR, receiver: Value | None, args: list[tuple[ir.Arg, Value]]
    ) -> dict[str, Value]:
        params = list(function.params)
        bound: dict[str, Value] = {}
        if function.class_qualname and function.kind in ("method", "property", "classmethod"):
            if params and receiver is not None:
                bound[params[0].name] = receiver
            elif params and function.kind == "classmethod":
                bound[params[0].name] = Value(ref=function.class_qualname)
            if params and (receiver is not None or function.kind == "classmethod"):
                params = params[1:]
        positional = [p for p in params if p.kind == "positional"]
        star = next((p for p in params if p.kind == "*"), None)
        double_star = next((p for p in params if p.kind == "**"), None)
        by_name = {p.name: p for p in params if p.kind in ("positional", "keyword")}
        extra_kwargs: dict[str, Value] = {}
        for arg, value in args:
            if arg.star == "*" or arg.star == "**":
                spread = [
                    p for p in params if p.name not in bound and p.kind in ("positional", "keyword")
                ]
                for parameter in spread:
                    source = value.fields.get(parameter.name, value) if arg.star == "**" else value
                    bound[parameter.name] = source
                for holder in (star, double_star):
                    if holder is not None:
                        bound[holder.name] = _joined(bound.get(holder.name), value)
            elif isinstance(arg.key, int):
                if arg.key < len(positional):
                    bound[positional[arg.key].name] = value
                elif star is not None:
                    bound[star.name] = _joined(bound.get(star.name), value)
            elif arg.key in by_name:
                bound[arg.key] = value
            else:
                extra_kwargs[arg.key] = value
        if double_star is not None and extra_kwargs:
            kwargs = combine(extra_kwargs.values())
            bound[double_star.name] = replace(kwargs, fields=extra_kwargs)
        return bound

    def _construct(self, cls: str, args: list[tuple[ir.Arg, Value]]) -> Value:
        """A new instance: fields from `__init__`'s stores on `self`, or dataclass-style."""
        init = self.program.find_method(cls, "__init__")
        unmapped: list[Taint] = []
        if init is None:
            fields, unmapped = self._fields_from_arguments(cls, args)
        else:
            function = self.program.defined(init)[0]
            bound = self._bind(function, Value(type=cls), args)
            outcome = self.interp.propagation.call(init, bound)
            steps = self.interp.propagation.parameter_steps(init)
            self.interp.splice_hits(outcome.hits, bound, steps)
            fields = {name: splice_value(v, bound, steps) for name, v in outcome.stores.items()}
        taint = merge_taint(*(value.taint for value in fields.values()), *unmapped)
        return Value(taint=taint, type=cls, fields=fields)

    def _fields_from_arguments(
        self, cls: str, args: list[tuple[ir.Arg, Value]]
    ) -> tuple[dict[str, Value], list[Taint]]:
        """Dataclass-style construction: positions follow the declared fields, keywords name them.

        Arguments that map to no field (an exception's message, `*rows`) stay in the
        object's taint, so nothing passed to a constructor is lost.
        """
        declared = [f.name for _, f in self.program.fields(cls)]
        fields: dict[str, Value] = {}
        unmapped: list[Taint] = []
        for arg, value in args:
            if not arg.star and isinstance(arg.key, int) and arg.key < len(declared):
                fields[declared[arg.key]] = value
            elif not arg.star and isinstance(arg.key, str):
                fields[arg.key] = value
            else:
                unmapped.append(value.taint)
        return fields, unmapped

    # ------------------------------------------------------------ external
    def _external_call(
        self,
        qualname: str,
        receiver: Value | None,
        method: str | None,
        args: list[tuple[ir.Arg, Value]],
        call: ir.Call,
    ) -> Value:
        self.last_was_opaque = True
        if receiver is not None and method == "get" and args:
            key = args[0][1]
            literal = call.args[0].value
            if isinstance(literal, ir.Const) and literal.text is not None and not key.tainted:
                return self.interp.item(receiver, literal.text, call.pos)
        if receiver is not None and method in _MUTATORS and isinstance(call.func, ir.Attr):
            self._mutate(call.func.base, [v for _, v in args])
        parts = [self.interp.flat(v) for _, v in args]
        if receiver is not None:
            parts.append(self.interp.flat(receiver))
        result_type = (
            self.catalog.result_type(qualname)
            or self._inherited(receiver, call.func, self.catalog.result_type)
            or self._query_type(qualname, method, receiver, args)
        )
        if result_type is None and receiver is None and _names_a_type(qualname):
            result_type = qualname
        origin: tuple[Step, ...] = ()
        if self.program.class_of(result_type) is not None:
            name = self.describe(call.func)
            origin = (
                (
                    self.interp.step(
                        call.pos, f"{result_type.rsplit('.', 1)[-1]} loaded by {name}()"
                    ),
                )
                if result_type
                else ()
            )
        return Value(taint=combine(parts).taint, type=result_type, origin=origin)

    def _query_type(
        self,
        qualname: str,
        method: str | None,
        receiver: Value | None,
        args: list[tuple[ir.Arg, Value]],
    ) -> str | None:
        """ORM idioms: `session.get(Customer, id)`, `Customer.objects.filter(...)`."""
        if (method or qualname.rsplit(".", 1)[-1]) not in _QUERY_METHODS:
            return None
        for _, value in args:
            cls = self.program.class_of(value.ref) or self.program.class_of(value.type)
            if cls is not None:
                return cls
        if receiver is not None:
            return self.program.class_of(receiver.type)
        owner = qualname
        while "." in owner:
            owner = owner.rpartition(".")[0]
            cls = self.program.class_of(owner)
            if cls is not None:
                return cls
        return None

    def _mutate(self, container: ir.Expr, values: list[Value]) -> None:
        if isinstance(container, ir.Name):
            holder = self.interp.env.get(container.name, CLEAN)
            taint = merge_taint(holder.taint, *(self.interp.flatten(v) for v in values))
            self.interp.env[container.name] = replace(holder, taint=taint)


def _names_a_type(qualname: str) -> bool:
    """Whether the result of calling `qualname` is typed by its name (`Client()` → `Client`)."""
    if not qualname.startswith("builtins."):
        return "." in qualname
    return qualname == "builtins.open"


def _joined(existing: Value | None, value: Value) -> Value:
    return value if existing is None else combine([existing, value])


def _dotted(expr: ir.Expr) -> str | None:
    if isinstance(expr, ir.Name):
        return expr.name
    if isinstance(expr, ir.Attr):
        base = _dotted(expr.base)
        return f"{base}.{expr.attr}" if base else expr.attr
    if isinstance(expr, ir.Global):
        return expr.qualname
    if isinstance(expr, ir.Call):
        inner = _dotted(expr.func)
        return f"{inner}()" if inner else None
    return None
