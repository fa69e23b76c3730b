"""What a call does to data: sanitize it, sink it, drop it, run project code, or pass it on.

The order matters and is the contract of SPEC §2/§3a: sanitizers first, then
sinks (a sink call ends the flow: its body is not followed), then calls that
clearly drop taint (`len`, predicates), then project functions and classes,
and last unknown calls, which return clean values unless a propagator of the
policy models them (or a getter's own name, `get_email()`, says what it returns).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from privlint.analysis import ir, serializers
from privlint.analysis.callnames import (
    CUT,
    DROPPING_BUILTINS,
    EVERY_ARGUMENT,
    JOINS,
    MAX_OVERRIDES,
    MAX_RECEIVERS,
    MESSAGE,
    MUTATORS,
    PLACEHOLDER,
    PREDICATE_METHODS,
    QUERY_METHODS,
    RUNNERS,
    SIGNAL_SENDS,
    TASK_METHODS,
    VALUE_METHODS,
    dotted,
    getter_noun,
    is_configuration,
    is_super,
    names_a_type,
)
from privlint.analysis.program import generic_base
from privlint.analysis.values import (
    CLEAN,
    NO_TAINT,
    Label,
    LabelKey,
    Taint,
    Value,
    add_step,
    callables,
    combine,
    elements,
    join,
    merge_taint,
    splice_value,
    tuple_of,
    values_only,
    without_categories,
    without_fields,
)
from privlint.findings import Step
from privlint.policy import Propagator, SinkSpec

if TYPE_CHECKING:
    from privlint.analysis.propagate import Interpreter

T = TypeVar("T")

PARTIAL = "functools.partial"
PARTIAL_ARGS = "<partial>"  # fields of a `partial` value: the arguments it holds
BOUND_SELF = "<self>"  # field of a bound method value: the object it is bound to


class Callee(NamedTuple):
    """What a call expression calls: a receiver for methods, a qualified name, and the
    functions it may be when it is one of several (then the name says nothing)."""

    receiver: Value | None
    qualname: str
    options: tuple[str, ...] = ()


class CallEvaluation:
    """Evaluates `ir.Call` nodes for one interpreter."""

    def __init__(self, interpreter: Interpreter) -> None:
        self.interp = interpreter
        self.program = interpreter.program
        self.catalog = interpreter.catalog
        self.last_was_opaque = False
        self.raised: ir.Expr | None = None  # the expression a `raise` statement raises
        self.cut_below = False  # some call made here was not followed (too deep)

    def describe(self, func: ir.Expr) -> str:
        """How a callee reads in a trace: `WhatsAppClient.send_message`, `logger.info`."""
        text = dotted(func)
        if text is None:
            return "call"
        return ".".join(text.split(".")[-2:])

    def evaluate(self, call: ir.Call) -> Value:
        self.last_was_opaque = False
        receiver, qualname, options = self._callee(call.func)
        args = [(arg, self.interp.expr(arg.value)) for arg in call.args]
        if options:  # one of several functions: each may run (`HANDLERS[kind](payload)`)
            results = [self._run(call, None, option, args) for option in options]
            joined = results[0]
            for result in results[1:]:
                joined = join(joined, result)
            return joined
        return self._run(call, receiver, qualname, args)

    def _run(
        self,
        call: ir.Call,
        receiver: Value | None,
        qualname: str,
        args: list[tuple[ir.Arg, Value]],
    ) -> Value:
        """The call of `qualname` (with `receiver` for a method) with these arguments."""
        specialised = qualname.partition("[")[2]  # `Repository[User](...)`: "User]"
        qualname = generic_base(qualname)
        if receiver is None and qualname == PARTIAL and args and not args[0][0].star:
            return self._partial(args)
        if receiver is not None and receiver.ref == qualname:  # a `partial` of `qualname`
            args, receiver = self._with_held(receiver, args), None
        target = self.program.resolve(qualname)
        name = self._display(call.func, target)
        queued = self._queued(call, qualname, args)
        if queued is not None:
            return queued
        self._run_receivers(call, args)  # the send itself is judged as any other call

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
            self._sink_hit(sink, receiver, args, call.pos, name)
            return Value(type=self.catalog.result_type(qualname))
        built = self._inherited_constructor(target)
        if built is not None:  # a project message class: sent, and still an object of its own
            self._sink_hit(built, None, args, call.pos, name)

        method = call.func.attr if isinstance(call.func, ir.Attr) else None
        runs_project_code = self.program.is_function(target)
        if qualname in DROPPING_BUILTINS or (
            method in PREDICATE_METHODS
            and not runs_project_code
            and self.catalog.result_type(qualname) is None  # `client.index("x")` is no str.index
        ):
            return CLEAN

        reflected = self._reflection(qualname, args, call)
        if reflected is not None:
            return reflected
        result = self._project_call(target, receiver, args, call)
        if result is not None and specialised and result.type == target:
            result = replace(result, type=f"{target}[{specialised}")
        if built is not None and result is not None:  # the message holds what it was given
            shown = merge_taint(*(self.interp.flatten(v) for _, v in args))
            result = replace(result, taint=merge_taint(result.taint, shown))
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

    def _sink_hit(
        self,
        sink: SinkSpec,
        receiver: Value | None,
        args: list[tuple[ir.Arg, Value]],
        pos: ir.Pos,
        name: str,
    ) -> None:
        selected: list[Value] = []
        for arg, value in args:
            if arg.star == "**" and sink.args is not None and self._keyed(value):
                selected += [v for key, v in value.fields.items() if sink.selects(key)]
            elif arg.star or sink.selects(arg.key):
                selected.append(value)
        if receiver is not None and sink.args is not None and "self" in sink.args:
            selected.append(receiver)
        if sink.sender:
            selected = [without_fields(v, sink.sender) for v in selected]
        self.interp.hit(sink, pos, name, selected)
        if sink.raises:
            shown = [v for arg, v in args if arg.key in sink.raises or arg.star]
            step = self.interp.step(pos, f"in the error {name}() raises")
            taint = merge_taint(*(self.interp.flatten(v) for v in shown))
            self.interp.raising(Value(taint=add_step(taint, step)))

    def _keyed(self, value: Value) -> bool:
        """Whether all the data of a mapping is under literal keys it names (`{"auth": pw}`, a
        `**kwargs` parameter given as keywords, whose data as a whole is its keywords')."""
        if value.type is not None or not value.fields:
            return False
        held = merge_taint(*(self.interp.flatten(field) for field in value.fields.values()))
        roots = [root for _, root in held]
        return all(
            key in held or any(len(r) > len(key[1]) and r[: len(key[1])] == key[1] for r in roots)
            for key in value.taint
        )

    def _inherited_constructor(self, target: str) -> SinkSpec | None:
        """The sink a project class's constructor is by inheritance: building a subclass of
        a class whose constructor (its name, or its `__init__`) the catalog declares a sink
        (`class Notice(MIMEText)`, `class Notice(email.message.Message)`) puts what it is
        given into that message."""
        if not self.program.is_class(target):
            return None
        for base in self.program.external_bases(target):
            found = self.catalog.sink(base) or self.catalog.sink(f"{base}.__init__")
            if found is not None:
                return found
        return None

    def _queued(
        self, call: ir.Call, qualname: str, args: list[tuple[ir.Arg, Value]]
    ) -> Value | None:
        """A project function handed to a task queue runs later with these arguments:
        Celery `task.delay(...)`/`apply_async(args, kwargs)`/`.s(...)`, dramatiq `.send(...)`,
        RQ `queue.enqueue(func, ...)`, `transaction.on_commit(func)` (SPEC §3a)."""
        method = call.func.attr if isinstance(call.func, ir.Attr) else None
        owner = self.program.resolve(qualname.rpartition(".")[0])
        if method in TASK_METHODS and self.program.is_function(owner):
            task, given = owner, args
            if method in ("apply_async", "apply", "signature"):
                given = self._apply_arguments(args)
        elif method in RUNNERS or qualname in RUNNERS:
            handed = [v for arg, v in args if arg.key in (0, "func", "f", "callback")]
            if not handed or handed[0].ref is None:
                return None
            task = self.program.resolve(handed[0].ref)
            if not self.program.is_function(task):
                return None
            given = [
                (replace(arg, key=arg.key - 1) if isinstance(arg.key, int) else arg, value)
                for arg, value in args
                if arg.key not in (0, "func", "f", "callback")
            ]
        else:
            return None
        function = self.program.defined(task)[0]
        bound = self._bind(function, None, given)
        self.invoke(task, bound, call.pos)
        return CLEAN

    def _run_receivers(self, call: ir.Call, args: list[tuple[ir.Arg, Value]]) -> None:
        """`signal.send(sender, **named)` of a signal object the project's functions are
        connected to (`@receiver(signal)`, `signal.connect(f)`): Django calls each receiver
        with `sender=` and the named arguments (SPEC §3a)."""
        if not isinstance(call.func, ir.Attr) or call.func.attr not in SIGNAL_SENDS:
            return
        signal = self._module_level_name(call.func.base)
        receivers = self.program.receivers(signal) if signal is not None else ()
        given = [
            (replace(arg, key="sender") if arg.key == 0 else arg, value)
            for arg, value in args
            if not isinstance(arg.key, int) or arg.key == 0
        ]
        for receiver in receivers[:MAX_RECEIVERS]:
            function = self.program.defined(receiver)[0]
            self.invoke(receiver, self._bind(function, None, given), call.pos)

    def _module_level_name(self, expr: ir.Expr) -> str | None:
        """The qualified name a dotted expression of module-level names denotes
        (`signals.order_placed`, an imported `order_placed`); None for a local variable."""
        text = dotted(expr)
        if text is None or "(" in text:
            return None
        if isinstance(expr, ir.Global):
            return self.program.resolve(text)
        head, _, rest = text.partition(".")
        if head in self.interp.env:
            return None
        module = self.interp.module.name
        qualified = self.program.imports.get(module, {}).get(head) or f"{module}.{head}"
        return self.program.resolve(f"{qualified}.{rest}" if rest else qualified)

    def _apply_arguments(self, args: list[tuple[ir.Arg, Value]]) -> list[tuple[ir.Arg, Value]]:
        """`apply_async((a, b), {"k": c})` / `apply_async(args=..., kwargs=...)` as the task's
        arguments: the tuple spread over the positions, a literal dict by keyword, other
        dicts spread (keywords after the tuple, so they win)."""
        given: list[tuple[ir.Arg, Value]] = []
        for arg, value in args:
            if arg.key in (0, "args"):
                given.append((ir.Arg(0, arg.value, "*"), value))
            elif arg.key in (1, "kwargs"):
                if isinstance(arg.value, ir.DictLit) and all(
                    key not in (None, "**") for key, _ in arg.value.items
                ):
                    given += [
                        (ir.Arg(str(key), expr), value.fields.get(str(key), CLEAN))
                        for key, expr in arg.value.items
                    ]
                else:
                    given.append((ir.Arg(0, arg.value, "**"), value))
        return given

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
    def _callee(self, func: ir.Expr) -> Callee:
        """The receiver (for method calls on values), the callee's qualified name, and the
        functions it may be when it is one of several."""
        if isinstance(func, ir.Attr) and is_super(func.base):
            inherited = self._super_method(func.attr)
            if inherited is not None:
                return Callee(*inherited)
        if isinstance(func, ir.Attr):
            base = self.interp.expr(func.base)
            if base.ref is not None:
                return Callee(None, f"{base.ref}.{func.attr}")
            stored = base.fields.get(func.attr)
            if stored is not None:  # `self.on_done(x)`: a function kept in an attribute
                called = self._called_value(stored)
                if called is not None:
                    return called
            if base.type is not None:
                cls = self.program.class_of(base.type)
                if cls is not None:
                    method = self.program.find_method(cls, func.attr)
                    return Callee(base, method or f"{cls}.{func.attr}")
                return Callee(base, f"{generic_base(base.type)}.{func.attr}")
            if dotted(func.base) is None:  # `", ".join(...)`, `"{}".format(...)`
                return Callee(base, f"<value>.{func.attr}")
            return Callee(base, dotted(func) or func.attr)
        value = self.interp.expr(func)
        return self._called_value(value) or Callee(None, dotted(func) or "<call>")

    def _called_value(self, value: Value) -> Callee | None:
        """What calling a value runs: the function or class it names (a bound method with
        its object, a `partial` with its arguments), the functions it may be, or its
        class's `__call__`."""
        if value.ref is not None:
            bound_self = value.fields.get(BOUND_SELF)
            if bound_self is not None:
                return Callee(bound_self, value.ref)
            held = any(name.startswith(PARTIAL_ARGS) for name in value.fields)
            return Callee(value if held else None, value.ref)
        if value.options:
            return Callee(None, "<call>", value.options)
        cls = self.program.class_of(value.type)
        method = self.program.find_method(cls, "__call__") if cls is not None else None
        if method is not None:  # an instance called like a function
            return Callee(value, method)
        return None

    @staticmethod
    def _partial(args: list[tuple[ir.Arg, Value]]) -> Value:
        """`functools.partial(f, a, k=b)`: `f` holding the arguments given so far (as fields,
        so they are data like any other), which a later call passes before its own."""
        function = args[0][1]
        held = {
            f"{PARTIAL_ARGS}{arg.key - 1}"
            if isinstance(arg.key, int)
            else f"{PARTIAL_ARGS}={arg.key}": value
            for arg, value in args[1:]
        }
        return replace(function, fields={**function.fields, **held})

    @staticmethod
    def _with_held(partial: Value, args: list[tuple[ir.Arg, Value]]) -> list[tuple[ir.Arg, Value]]:
        """A call of a `partial`: the arguments it holds, then the call's own positions after
        them."""
        held: list[tuple[ir.Arg, Value]] = []
        for name, value in partial.fields.items():
            if name.startswith(PARTIAL_ARGS):
                key = name.removeprefix(PARTIAL_ARGS)
                held.append(
                    (ir.Arg(key[1:] if key.startswith("=") else int(key), ir.Const()), value)
                )
        shift = sum(isinstance(arg.key, int) for arg, _ in held)
        own = [
            (replace(arg, key=arg.key + shift) if isinstance(arg.key, int) else arg, value)
            for arg, value in args
        ]
        return [*held, *own]

    def _super_method(self, name: str) -> tuple[Value, str] | None:
        """`super().name`: the method a project base class of the current class defines."""
        function = self.interp.function
        if function.class_qualname is None or not function.params:
            return None
        for cls in self.program.mro(function.class_qualname)[1:]:
            for method_name, qualname in cls.methods:
                if method_name == name:
                    return self.interp.lookup(function.params[0].name), qualname
        return None

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

    def store_name(self, target: ir.TAttr | ir.TItem) -> tuple[str, Value | None]:
        """How a store reads for the policy's `stores` patterns: the stored-into value's
        class or dotted text, then `.attr` or `[]` (`openpyxl.cell.Cell.value`,
        `response.cookies[]`), and that value when it is an object. Evaluates the target's
        base once, for its effects too."""
        base = target.base
        value: Value | None
        if isinstance(base, ir.Attr):
            holder, owner, _ = self._callee(base)
            value = (
                None if holder is None else self.interp.read_attribute(holder, base.attr, base.pos)
            )
        else:
            value = self.interp.expr(base)
            owner = value.ref or value.type or dotted(base) or "<value>"
        name = f"{owner}.{target.attr}" if isinstance(target, ir.TAttr) else f"{owner}[]"
        return name, value

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
            return self._construct(target, args, call.pos)
        entry = self.program.function(target)
        if entry is None:  # a hook only subclasses define: `self.get_rows()` in a base class
            cls = self.program.class_of(receiver.type) if receiver is not None else None
            if cls is None or not isinstance(call.func, ir.Attr):
                return None
            return self._overridden(call, receiver, args, cls, call.func.attr, None)
        function = entry[0]
        bound = self._bind(function, receiver, args)
        result = self.invoke(target, bound, call.pos, self._updated(function, receiver, call))
        for wrapper in self._wrappers(function):
            wrapped = self.program.defined(wrapper)[0]
            result = join(result, self.invoke(wrapper, self._bind(wrapped, None, args), call.pos))
        if function.class_qualname is None:
            return result
        return self._overridden(
            call, receiver, args, function.class_qualname, function.name, result
        )

    def _wrappers(self, function: ir.FunctionIR) -> list[str]:
        """The wrapper functions the project's own decorators of `function` return
        (`@log_calls`): a call runs the wrapper's body too, which sees the same arguments."""
        found = []
        for written in function.decorators:
            decorator: str | None = written.removesuffix("()")
            if written.endswith("()") and self.program.is_function(decorator or ""):
                # `@retry(3)`: the factory's result is the decorator (arguments unseen)
                decorator = self.interp.propagation.call(written[:-2], {}).returned.ref
            entry = self.program.function(decorator) if decorator else None
            if decorator is None or entry is None or not entry[0].params:
                continue
            handed = {entry[0].params[0].name: Value(ref=function.qualname)}
            returned = self.interp.propagation.call(decorator, handed).returned.ref
            if returned not in (None, function.qualname) and self.program.is_function(returned):
                found.append(returned)
        return found

    def _overridden(
        self,
        call: ir.Call,
        receiver: Value | None,
        args: list[tuple[ir.Arg, Value]],
        cls: str,
        name: str,
        result: Value | None,
    ) -> Value | None:
        """`self.step()` in a method: what subclasses override (or define) `step` with runs
        too (template methods), up to MAX_OVERRIDES of them, joined with `result`."""
        own = self.interp.function
        if (
            receiver is None
            or not own.params
            or not isinstance(call.func, ir.Attr)
            or not isinstance(call.func.base, ir.Name)
            or call.func.base.name != own.params[0].name
            or own.kind not in ("method", "property")
        ):
            return result
        for override in self.program.overrides(cls, name)[:MAX_OVERRIDES]:
            function = self.program.defined(override)[0]
            subclass = replace(receiver, type=function.class_qualname)
            value = self.invoke(override, self._bind(function, subclass, args), call.pos)
            result = value if result is None else join(result, value)
        return result

    def _updated(
        self, function: ir.FunctionIR, receiver: Value | None, call: ir.Call
    ) -> ir.Name | None:
        """The variable whose object a method call changes: `cart.add(email)` stores on
        `cart`; `super().__init__(...)` / `Base.__init__(self, ...)` on our own `self`."""
        own = self.interp.function
        if function.name == "__init__" and own.name == "__init__" and own.params:
            return ir.Name(own.params[0].name, ir.NO_POS)
        if receiver is None or function.kind != "method" or not isinstance(call.func, ir.Attr):
            return None
        return call.func.base if isinstance(call.func.base, ir.Name) else None

    def invoke(
        self, target: str, bound: Mapping[str, Value], pos: ir.Pos, into: ir.Name | None = None
    ) -> Value:
        """Analyse a project function for these arguments and bring its effects to the
        caller: its findings, its result, and what it stored on the object `into` names."""
        outcome = self.interp.propagation.call(target, bound)
        function = self.program.defined(target)[0]
        # A `__str__` run to show an object has no call of its own (NO_POS): the sink that
        # shows it is reported with what the object holds, so the cut is not silent there.
        if outcome.cut and pos != ir.NO_POS:
            self.interp.hit(CUT, pos, self._display(ir.Global(target), target), bound.values())
        self.cut_below = self.cut_below or outcome.cut or outcome.cut_below
        note = f"read {function.name} (a property)" if function.kind == "property" else None
        steps = self._entry_steps(target, pos, note or f"passed to {function.name}()")
        self.interp.splice_hits(outcome.hits, bound, steps)
        if outcome.raised.tainted:
            self.interp.raising(splice_value(outcome.raised, bound, steps))
        if into is not None:
            for field_name, stored in outcome.stores.items():
                value = splice_value(stored, bound, steps)
                self.interp.store_field(into, field_name, value, into_taint=False)
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
        spread: list[Value] = []  # mappings passed as `**mapping`
        for arg, value in args:
            if arg.star == "*":  # fills the positional parameters left, then `*args`
                for parameter in positional:
                    bound.setdefault(parameter.name, value)
                if star is not None:
                    bound[star.name] = _joined(bound.get(star.name), value)
            elif arg.star == "**":  # fills parameters by name, then `**kwargs`
                for parameter in params:
                    if parameter.name not in bound and parameter.kind in ("positional", "keyword"):
                        entry = _spread_entry(value, parameter.name)
                        if entry is not None:
                            bound[parameter.name] = entry
                spread.append(value)
            elif isinstance(arg.key, int):
                if arg.key < len(positional):
                    bound[positional[arg.key].name] = value
                elif star is not None:
                    bound[star.name] = _joined(bound.get(star.name), value)
            elif arg.key in by_name:
                bound[arg.key] = value
            else:
                extra_kwargs[arg.key] = value
        if double_star is not None and (extra_kwargs or spread):
            fields = {n: v for given in spread for n, v in given.fields.items() if n not in by_name}
            fields.update(extra_kwargs)
            kwargs = combine([*spread, *extra_kwargs.values()])
            keys = merge_taint(*(given.keys or NO_TAINT for given in spread))
            bound[double_star.name] = replace(kwargs, fields=fields, keys=keys)
        return bound

    def _entry_steps(self, target: str, pos: ir.Pos, note: str) -> dict[str, tuple[Step, ...]]:
        """How arguments enter `target` from the call at `pos`: the caller's line first."""
        return self.interp.propagation.parameter_steps(target, self.interp.step(pos, note))

    def _construct(self, cls: str, args: list[tuple[ir.Arg, Value]], pos: ir.Pos) -> Value:
        """A new instance: fields from `__init__`'s stores on `self`, or dataclass-style."""
        new = self.program.find_method(cls, "__new__")
        if new is not None and self.program.is_function(new):  # runs before `__init__`
            function = self.program.defined(new)[0]
            self.invoke(new, self._bind(function, Value(ref=cls), args), pos)
        init = self.program.find_method(cls, "__init__")
        unmapped: list[Taint] = []
        if init is None:
            fields, unmapped = self._fields_from_arguments(cls, args)
        else:
            function = self.program.defined(init)[0]
            bound = self._bind(function, Value(type=cls), args)
            outcome = self.interp.propagation.call(init, bound)
            self.cut_below = self.cut_below or outcome.cut or outcome.cut_below
            steps = self._entry_steps(init, pos, f"passed to {cls.rsplit('.', 1)[-1]}()")
            self.interp.splice_hits(outcome.hits, bound, steps)
            fields = {name: splice_value(v, bound, steps) for name, v in outcome.stores.items()}
        given = serializers.instance_argument(args)
        if given is not None and serializers.is_serializer(self.program, cls):
            fields = {serializers.INSTANCE: args[given][1]}  # `TicketSerializer(ticket)`
            unmapped = []
        # Fields carry their own data: reading `obj.id` never sees `obj.email` (SPEC §3a).
        return Value(taint=merge_taint(*unmapped), type=cls, fields=fields)

    def special_method(
        self, receiver: Value, name: str, args: list[Value], pos: ir.Pos
    ) -> Value | None:
        """What a project class's own `__getitem__`, `__setitem__` or property setter does
        with `args` (None: the class has no such method, the usual semantics apply)."""
        cls = self.program.class_of(receiver.type)
        method = self.program.find_method(cls, name) if cls is not None else None
        if method is None or not self.program.is_function(method):
            return None
        function = self.program.defined(method)[0]
        given = [(ir.Arg(n, ir.Const()), value) for n, value in enumerate(args)]
        return self.invoke(method, self._bind(function, receiver, given), pos)

    def shown_by_method(self, value: Value, cls: str) -> dict[LabelKey, Label] | None:
        """What a project class's own `__str__`/`__repr__` returns for `value`, if it has one."""
        method = self.program.find_method(cls, "__str__") or self.program.find_method(
            cls, "__repr__"
        )
        if method is None or not self.program.is_function(method):
            return None
        function = self.program.defined(method)[0]
        if not function.params:
            return {}
        returned = self.invoke(method, {function.params[0].name: value}, ir.NO_POS)
        return self.interp.contents(returned)

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
        """A call privlint cannot see into: clean, unless a propagator models it (SPEC §3a)."""
        if is_configuration(qualname):  # `os.environ.get("SMTP_PASSWORD")`: the service's own
            return CLEAN
        self.last_was_opaque = True
        if method in ("get", "get_all") and args:
            literal = call.args[0].value
            if isinstance(literal, ir.Const) and literal.text is not None:
                self.last_was_opaque = False
                if receiver is None:  # `request.form.get("email")` on a module-level object
                    note = f'read ["{literal.text}"]'
                    return self.interp.named(CLEAN, literal.text, call.pos, note)
                assert isinstance(call.func, ir.Attr)
                found = self.interp.item(receiver, literal.text, call.pos, dotted(call.func.base))
                for _, default in args[1:2]:  # `d.get("key", fallback)` is either of them
                    found = join(found, default)
                return found
            options = callables(*receiver.fields.values()) if receiver is not None else ()
            if options:  # `HANDLERS.get(kind, default)`: one of the table's functions
                self.last_was_opaque = False
                return Value(options=callables(Value(options=options), *(v for _, v in args[1:])))
        schema = self.program.class_of(receiver.type) if receiver is not None else None
        dumped = method in serializers.SCHEMA_DUMPS and schema is not None and args
        if dumped and schema and serializers.is_schema(self.program, schema):
            self.last_was_opaque = False  # `UserSchema().dump(user)`
            return self.interp.serialized(args[0][1], schema, call.pos)
        if receiver is not None and method in MUTATORS and isinstance(call.func, ir.Attr):
            self._mutate(call.func.base, [v for _, v in args])
        if method == "__init__" and self.interp.function.name == "__init__":
            self._remember_message(args)
        if receiver is not None and receiver.keys is not None:  # a mapping's views
            if method == "keys":
                self.last_was_opaque = False
                return Value(taint=receiver.keys)
            if method == "items":  # pairs of a key and its value
                self.last_was_opaque = False
                return tuple_of([Value(taint=receiver.keys), values_only(receiver)])
            if method in VALUE_METHODS:
                receiver = values_only(receiver)
        if qualname == "typing.cast" and len(args) == 2:
            self.last_was_opaque = False
            cls = self.program.class_of(args[0][1].ref)
            return replace(args[1][1], type=cls) if cls is not None else args[1][1]
        result_type = (
            self.catalog.result_type(qualname)
            or self._inherited(receiver, call.func, self.catalog.result_type)
            or self._query_type(qualname, method, receiver, args)
        )
        if result_type is None and receiver is None and names_a_type(qualname):
            result_type = qualname
        origin: tuple[Step, ...] = ()
        if result_type is not None and self.program.class_of(result_type) is not None:
            name = self.describe(call.func)
            note = f"{result_type.rsplit('.', 1)[-1]} loaded by {name}()"
            origin = (self.interp.step(call.pos, note),)
        else:
            propagator = self.catalog.propagator(qualname)
            if propagator is None and call is self.raised:
                propagator = EVERY_ARGUMENT
            if propagator is not None:
                # parts parsed out of a text enter under the names they are given, as the
                # result of an unseen call does (`display_name, email = parseaddr(line)`)
                value = self._propagated(propagator, receiver, args, call)
                self.last_was_opaque = propagator.keeps == "parsed"
                if self.last_was_opaque:  # strings, not an object of the call's name
                    return value
                return replace(value, type=value.type or result_type)
        result = Value(type=result_type, origin=origin)
        callee = method or qualname.rsplit(".", 1)[-1]
        noun = getter_noun(callee)
        if noun is not None:
            result = self.interp.named(result, noun, call.pos, f"returned by {callee}()")
        return result

    def _remember_message(self, args: list[tuple[ir.Arg, Value]]) -> None:
        """`super().__init__(message)` in an `__init__`: what the base class shows as `str`."""
        own = self.interp.function.class_qualname
        given = [v for arg, v in args if not (arg.key == 0 and v.type == own)]
        stores = self.interp.stores
        stores[MESSAGE] = combine([stores.get(MESSAGE, CLEAN), *map(self.interp.flat, given)])

    def _propagated(
        self,
        propagator: Propagator,
        receiver: Value | None,
        args: list[tuple[ir.Arg, Value]],
        call: ir.Call,
    ) -> Value:
        """What a modelled call returns: its selected arguments' data, or one of them whole."""
        if propagator.keeps == "substitution":
            return self._substituted(receiver, args, call)
        selected = [v for arg, v in args if arg.star or propagator.selects(arg.key)]
        if receiver is not None and (propagator.args is None or "self" in propagator.args):
            selected.insert(0, receiver)
        if propagator.keeps == "result":  # a function given is called: its result counts
            selected += [
                self.invoke(value.ref, {}, call.pos)
                for value in list(selected)
                if value.ref is not None and self.program.is_function(value.ref)
            ]
        if propagator.keeps == "template" and args and isinstance(args[0][0].value, ir.Const):
            template = args[0][0].value.text or ""
            filled = [self._placeholder(path, call.pos) for path in PLACEHOLDER.findall(template)]
            selected += [value for value in filled if value.tainted or value.fields]
        if propagator.keeps == "elements":  # `list(d)`, `sorted(d)`: a mapping's keys
            selected = [elements(value) for value in selected]
        if propagator.keeps in ("object", "elements"):
            kept = CLEAN
            for value in selected:
                kept = join(kept, value)
            return kept
        shown = combine(self.interp.flat(value) for value in selected)
        if receiver is not None and selected and selected[0] is receiver:
            # what the object holds beyond its fields (a message's body), whatever it shows
            return replace(shown, taint=merge_taint(shown.taint, receiver.taint))
        return shown

    def _substituted(
        self, receiver: Value | None, args: list[tuple[ir.Arg, Value]], call: ir.Call
    ) -> Value:
        """`Template(text).substitute(mapping, **names)`: the text's own data, and of the
        mapping the values its `$name`s take. A text privlint cannot see (a template loaded
        from a file) may show any of them: all that is handed over counts."""
        shown = [receiver] if receiver is not None else []
        built = call.func.base if isinstance(call.func, ir.Attr) else None
        text = None
        if isinstance(built, ir.Call) and built.args and isinstance(built.args[0].value, ir.Const):
            text = built.args[0].value.text
        if text is None:
            return combine(self.interp.flat(value) for value in [*shown, *(v for _, v in args)])
        names = {path.split(".")[0] for path in PLACEHOLDER.findall(text)}
        for arg, value in args:
            if arg.key in (0, "mapping") and names:
                picked = [value.fields[n] for n in names if n in value.fields]
                shown += picked if value.fields else [value]
            elif isinstance(arg.key, str) and arg.key in names:
                shown.append(value)
        return combine(self.interp.flat(value) for value in shown)

    def _placeholder(self, path: str, pos: ir.Pos) -> Value:
        """What a template's `$name` or `${name.attr}` shows: the caller's variable, read on."""
        head, *attrs = path.split(".")
        value = self.interp.lookup(head)
        for attr in attrs:
            value = self.interp.read_attribute(value, attr, pos, head)
            head = f"{head}.{attr}"
        return value

    def _query_type(
        self,
        qualname: str,
        method: str | None,
        receiver: Value | None,
        args: list[tuple[ir.Arg, Value]],
    ) -> str | None:
        """ORM idioms: `session.get(Customer, id)`, `Customer.objects.filter(...)`."""
        name = method or qualname.rsplit(".", 1)[-1]
        if name not in QUERY_METHODS:
            return None
        for _, value in args if name not in JOINS else ():
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
        """`rows.append(v)`, `d.update(other)`, `self.parts.append(v)`: the container now
        holds the data; a mapping may hold it among its keys (`d.setdefault(user.email, [])`)."""
        if isinstance(container, ir.Name):
            holder = self.interp.env.get(container.name, CLEAN)
            added = merge_taint(*(self.interp.flatten(v) for v in values))
            taint = merge_taint(holder.taint, added)
            keys = None if holder.keys is None else merge_taint(holder.keys, added)
            self.interp.env[container.name] = replace(holder, taint=taint, keys=keys)
        elif isinstance(container, ir.Attr) and isinstance(container.base, ir.Name):
            owner = self.interp.env.get(container.base.name, CLEAN)
            holder = owner.fields.get(container.attr, CLEAN)
            taint = merge_taint(holder.taint, *(self.interp.flatten(v) for v in values))
            self.interp.store_field(
                container.base, container.attr, replace(holder, taint=taint), into_taint=False
            )


def _spread_entry(mapping: Value, name: str) -> Value | None:
    """What `**mapping` gives the parameter `name`: its entry of that name; None when every
    entry the mapping carries data in is known and none is that one (`f(**{"key": email})`
    leaves `config` to its default); else the whole mapping, which may hold it."""
    if name in mapping.fields:
        return mapping.fields[name]
    held = {label.category for inner in mapping.fields.values() for label in inner.taint.values()}
    carried = {label.category for label in mapping.taint.values()}
    return None if mapping.fields and carried <= held else mapping


def _joined(existing: Value | None, value: Value) -> Value:
    return value if existing is None else combine([existing, value])
