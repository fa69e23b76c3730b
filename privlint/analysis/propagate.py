"""Whole-program propagation: interpret every function's IR and collect sink hits.

Each function is analysed once on entry (parameters judged by their tags,
annotations and names) and once per distinct calling context (which
categories, classes and fields its arguments carry), memoised. Labels that
start at a parameter come back to the caller, which splices its own trace in
front, so a flow crossing any number of modules keeps every hop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from privlint.analysis import ir, mail, serializers
from privlint.analysis.callnames import CUT, MESSAGE, dotted, is_configuration
from privlint.analysis.calls import BOUND_SELF, CallEvaluation
from privlint.analysis.program import Program, generic_base
from privlint.analysis.relations import DJANGO_USER, related_type
from privlint.analysis.values import (
    CLEAN,
    Label,
    LabelKey,
    Taint,
    Value,
    add_step,
    annotated,
    callables,
    combine,
    elements,
    field_label,
    join,
    merge_taint,
    relative,
    shape,
    splice,
    tuple_of,
    unpacked,
    values_only,
    with_labels,
)
from privlint.catalog import Catalog, names_a_person
from privlint.findings import Step
from privlint.policy import SinkSpec

MAX_DEPTH = 32  # nested calling contexts followed before a call is treated as unknown
MAX_FRESH_ENTRIES = 16  # nested entry analyses whose calls count from their own body
MAX_CONTEXTS = 8  # distinct calling contexts analysed per function before widening
USERNAME = "user.account.username"  # what a Django user model shows as `str`


@dataclass(frozen=True)
class SinkHit:
    """Personal data reaching a sink call: where, in which function, with which labels."""

    sink: SinkSpec
    path: str
    pos: ir.Pos
    function: str
    call: str
    labels: tuple[Label, ...]


@dataclass
class Outcome:
    """What one analysis of a function tells its caller."""

    returned: Value = CLEAN
    stores: dict[str, Value] = field(default_factory=dict)
    hits: list[SinkHit] = field(default_factory=list)  # labels rooted at parameters
    env: dict[str, Value] = field(default_factory=dict)
    cut: bool = False  # not analysed: the call chain is deeper than MAX_DEPTH
    cut_below: bool = False  # analysed, but a call inside was cut: true of this depth only
    raised: Value = CLEAN  # what the exceptions it lets escape show


class Propagation:
    """Runs the interpreter over a whole program and gathers hits with real sources."""

    def __init__(self, program: Program, catalog: Catalog, known_category: set[str]) -> None:
        self.program = program
        self.catalog = catalog
        self.known_category = known_category
        self.hits: list[SinkHit] = []
        self._memo: dict[tuple[object, ...], Outcome] = {}
        self._active: set[tuple[object, ...]] = set()
        self._module_envs: dict[str, dict[str, Value]] = {}
        self._instance_fields: dict[str, Mapping[str, Value]] = {}
        self._assigned_objects: dict[str, Mapping[str, Value]] = {}
        self._contexts: dict[str, int] = {}
        self._personal_classes: dict[str, bool] = {}
        self._class_values: dict[tuple[str, str], Value] = {}
        self.running: list[Interpreter] = []  # the bodies being interpreted, innermost last
        self._entries: list[str] = []  # the entry analyses under way, nested in each other
        self.depth = 0

    def run(self, modules: Iterable[ir.ModuleIR]) -> list[SinkHit]:
        """Analyse the top-level code and every function of `modules`; returns every hit
        found so far, so it can be called again for more modules. (A module another file
        shadows, `pkg.py` beside `pkg/__init__.py`, still has its functions analysed.)"""
        chosen = sorted(modules, key=lambda module: (module.name, module.path))
        for module in chosen:
            self.module_env(module.name)
        for qualname in sorted(f.qualname for module in chosen for f in module.functions):
            self.entry(qualname)
        return self.hits

    def carried_names(self, modules: Iterable[ir.ModuleIR]) -> set[str]:
        """Names under which other code can reach personal data that analysed `modules` hold:
        functions returning it, classes with personal fields, module globals holding it."""
        names: set[str] = set()
        for module in modules:
            for function in module.functions:
                outcome = self._memo.get(("entry", function.qualname))
                if outcome is not None and self.carries(outcome.returned):
                    names.add(function.name)
            names.update(c.name for c in module.classes if self.personal_class(c.qualname))
            env = self._module_envs.get(module.name, {})
            names.update(key for key, value in env.items() if self.carries(value))
        return names

    def carries(self, value: Value) -> bool:
        """Whether `value` holds personal data of its own (not merely a caller's argument)."""
        inner = [value, *value.fields.values()]
        if any(not label.root for v in inner for label in v.taint.values()):
            return True
        if any(not label.root for label in (value.keys or {}).values()):
            return True
        return self._personal_type(value.type) or self._personal_type(value.ref)

    def personal_class(self, class_qualname: str) -> bool:
        """Whether instances hold personal data: a personal field (or one whose type is a
        personal class) or `__init__` storing some on `self`. (A method returning some is
        carried under its own name, see `carried_names`.)"""
        known = self._personal_classes.get(class_qualname)
        if known is None:
            self._personal_classes[class_qualname] = False  # a class holding itself
            known = any(
                self.field_categories(owner, declared)
                or self._personal_type(declared.type_name)
                or self._personal_relation(owner, declared)
                for owner, declared in self.program.fields(class_qualname)
            ) or any(self.carries(v) for v in self.instance_fields(class_qualname).values())
            self._personal_classes[class_qualname] = known
        return known

    def _personal_relation(self, owner: ir.ClassIR, declared: ir.FieldIR) -> bool:
        """Whether a field relates to a model holding personal data (a basket's `owner`, a
        `ForeignKey` to the user model, shown as the username)."""
        if not isinstance(declared.value, ir.Call):
            return False
        related = self.class_level(owner, declared).type
        return related == DJANGO_USER or self._personal_type(related)

    def _personal_type(self, type_name: str | None) -> bool:
        cls = self.program.class_of(type_name)
        return cls is not None and self.personal_class(cls)

    def field_categories(self, owner: ir.ClassIR, declared: ir.FieldIR) -> list[str]:
        """A field's categories: its tags, the policy's `pii.fields`, else its name."""
        categories = [tag.category for tag in declared.tags]
        configured = self.catalog.field_category(f"{owner.qualname}.{declared.name}")
        if configured is not None:
            categories.append(configured)
        if not categories and not self.program.is_settings(owner.qualname):
            named = self.catalog.name_category(declared.name)
            if named is None and names_a_person(owner.name, declared.name):
                named = "user.name"
            if named is not None:
                categories.append(named)
        return [c for c in categories if c in self.known_category]

    # -------------------------------------------------------------- contexts
    def module_env(self, module: str) -> dict[str, Value]:
        """A module's globals. While its body runs (a module-level `main()`, a module
        importing itself), they are the names bound so far, as at run time."""
        env = self._module_envs.get(module)
        if env is None:
            self._module_envs[module] = {}
            ir_module = self.program.modules[module]
            outcome = self._interpret(ir_module.body, ir_module, {})
            env = outcome.env
            self._module_envs[module] = env
        elif not env:
            return self._running_env(module) or env
        return env

    def _running_env(self, qualname: str) -> dict[str, Value] | None:
        """The variables of the body of `qualname` (a function, or a module's own body) as
        they are now, if it is being interpreted."""
        for interpreter in reversed(self.running):
            if interpreter.function.qualname == qualname:
                return interpreter.env
        return None

    def entry(self, qualname: str, receiver: str | None = None) -> Outcome:
        """The analysis where parameters are unseen: tags, annotations and names decide.
        `receiver`: the class `self` is an instance of, when a subclass inherits the method
        (a base's `__init__` reads the subclass's `formatters`)."""
        function, module = self.program.defined(qualname)
        key = _entry_key(qualname, receiver)
        cached = self._memo.get(key)
        if cached is not None:
            return cached
        if key in self._active:
            return Outcome()
        self._active.add(key)
        # The analysis is the same wherever it is asked for (an attribute read deep in a call
        # chain needs a method's stores): its calls count from its own body.
        depth, self.depth = self.depth, 0 if len(self._entries) < MAX_FRESH_ENTRIES else self.depth
        self._entries.append(qualname)
        try:
            env = {
                p.name: self.entry_parameter(function, module, p, receiver) for p in function.params
            }
            outcome = self._interpret(function, module, env)
        finally:
            self._active.discard(key)
            self._entries.pop()
            self.depth = depth
        self._memo[key] = outcome
        return outcome

    def call(self, qualname: str, bound: Mapping[str, Value]) -> Outcome:
        """The analysis of `qualname` for arguments like `bound` (labels rooted at parameters)."""
        function, module = self.program.defined(qualname)
        key = ("call", qualname, tuple(sorted((n, shape(v)) for n, v in bound.items())))
        cached = self._memo.get(key)
        if cached is not None:
            return cached
        if self._contexts.get(qualname, 0) >= MAX_CONTEXTS:
            # Widen: beyond a few contexts, arguments differ only by their categories.
            bound = {name: Value(taint=value.taint) for name, value in bound.items()}
            key = ("call", qualname, tuple(sorted((n, shape(v)) for n, v in bound.items())))
            cached = self._memo.get(key)
            if cached is not None:
                return cached
        if key in self._active:
            return Outcome(returned=combine(bound.values()))
        if self.depth >= MAX_DEPTH:
            return Outcome(returned=combine(bound.values()), cut=True)
        env: dict[str, Value] = {}
        for parameter in function.params:
            given = bound.get(parameter.name)
            if given is None:
                env[parameter.name] = annotated(CLEAN, parameter.type_name)
            else:
                value = relative(given, (parameter.name,))
                env[parameter.name] = annotated(value, parameter.type_name)
        self._active.add(key)
        self._contexts[qualname] = self._contexts.get(qualname, 0) + 1
        self.depth += 1
        try:
            outcome = self._interpret(function, module, env)
        finally:
            self.depth -= 1
            self._active.discard(key)
        if not outcome.cut_below:  # a shallower caller would see further: analyse it again
            self._memo[key] = outcome
        return outcome

    def entry_parameter(
        self, function: ir.FunctionIR, module: ir.ModuleIR, p: ir.Param, receiver: str | None
    ) -> Value:
        if function.class_qualname and p is function.params[0]:
            cls = receiver or function.class_qualname
            if function.kind in ("method", "property"):
                return Value(type=cls, fields=self.instance_fields(cls))
            if function.kind == "classmethod":
                return Value(ref=cls)
        labels = [
            Label(
                tag.category,
                (),
                (self._step(module, p.pos, f"parameter '{p.name}' tagged {tag.category}"),),
            )
            for tag in p.tags
        ]
        if not labels and p.kind in ("positional", "keyword"):
            category = self.catalog.name_category(p.name)
            if category is not None:
                note = f"parameter '{p.name}' (name suggests {category})"
                labels.append(Label(category, (), (self._step(module, p.pos, note),)))
        return with_labels(annotated(CLEAN, p.type_name), self.known(labels))

    def enclosing_env(self, qualname: str) -> dict[str, Value]:
        """The variables of an enclosing function, for a closure: as they are now if that
        function is running (a nested function or lambda called from its body), else as
        its entry analysis left them."""
        running = self._running_env(qualname)
        return running if running is not None else self.entry(qualname).env

    def instance_fields(self, class_qualname: str) -> Mapping[str, Value]:
        """Attributes `__init__` stores on `self`, as seen when its arguments are unseen."""
        known = self._instance_fields.get(class_qualname)
        if known is not None:
            return known
        init = self.program.find_method(class_qualname, "__init__")
        if init is None or not self.program.is_function(init):
            self._instance_fields[class_qualname] = {}
            return {}
        inherited = self.program.defined(init)[0].class_qualname != class_qualname
        receiver = class_qualname if inherited else None
        if _entry_key(init, receiver) in self._active:
            return {}  # asked by `__init__` itself: its stores are known once it returns
        self._instance_fields[class_qualname] = {}
        stores = self.entry(init, receiver).stores
        self._instance_fields[class_qualname] = stores
        return stores

    def assigned_objects(self, class_qualname: str) -> Mapping[str, Value]:
        """Objects other methods than `__init__` put on `self` (`self.client = Client(env)`
        in `init_api()`), by their class only: calls on them resolve, no data comes along."""
        known = self._assigned_objects.get(class_qualname)
        if known is not None:
            return known
        self._assigned_objects[class_qualname] = {}  # read by one of those methods
        found: dict[str, Value] = {}
        for cls in self.program.mro(class_qualname):
            for name, method in cls.methods:
                if name == "__init__" or not self.program.is_function(method):
                    continue
                for attr, stored in self.entry(method).stores.items():
                    if (stored.type or stored.ref) and attr not in found:
                        found[attr] = Value(ref=stored.ref, type=stored.type)
        self._assigned_objects[class_qualname] = found
        return found

    def class_level(self, owner: ir.ClassIR, declared: ir.FieldIR) -> Value:
        """A class attribute's value, evaluated where the class body runs, among its module's
        globals (`queryset = Basket.objects.filter(...)` names that module's `Basket`)."""
        key = (owner.qualname, declared.name)
        known = self._class_values.get(key)
        if known is None and declared.value is not None:
            self._class_values[key] = CLEAN  # an attribute built from itself
            module = self.program.defined_class(owner.qualname)[1]
            body = Interpreter(self, module.body, module, dict(self.module_env(module.name)))
            known = body.expr(declared.value)
            if isinstance(declared.value, ir.Call):
                # An outside class's object there is a descriptor (`models.CharField()`):
                # instances read a value of their own, unless the field is a relation.
                related = related_type(self.program, owner, declared.value, body.expr)
                if related or self.program.class_of(known.type) is None:
                    known = replace(known, type=related)
            self._class_values[key] = known
        return known or CLEAN

    # ------------------------------------------------------------- helpers
    def _interpret(
        self,
        function: ir.FunctionIR,
        module: ir.ModuleIR,
        env: dict[str, Value],
    ) -> Outcome:
        interpreter = Interpreter(self, function, module, env)
        self.running.append(interpreter)
        try:
            interpreter.block(function.body)
        finally:
            self.running.pop()
        returns = interpreter.returns
        returned = returns[0] if returns else CLEAN  # one `return f` keeps what `f` names
        for value in returns[1:]:
            returned = join(returned, value)
        return_type = self._return_type(function, env)
        returned = annotated(returned, return_type)
        return Outcome(
            returned,
            interpreter.stores,
            interpreter.relative_hits,
            interpreter.env,
            cut_below=interpreter.calls.cut_below,
            raised=combine(interpreter.escaping),
        )

    def _return_type(self, function: ir.FunctionIR, env: Mapping[str, Value]) -> str | None:
        """The declared return type, a type variable of the method's generic class made the
        class it stands for on this receiver (`Repository[User].get() -> ModelT`: User)."""
        declared = function.return_type
        if declared is None or function.kind not in ("method", "property") or not function.params:
            return declared
        if self.program.class_of(declared) is not None:
            return declared
        receiver = env.get(function.params[0].name)
        bound = self.program.type_arguments(receiver.type if receiver is not None else None)
        return bound.get(self.program.resolve(declared), declared)

    def _step(self, module: ir.ModuleIR, pos: ir.Pos, note: str) -> Step:
        return Step(module.path, pos[0], pos[1], note)

    def known(self, labels: Iterable[Label]) -> list[Label]:
        return [label for label in labels if label.category in self.known_category]

    def record(self, hit: SinkHit) -> None:
        self.hits.append(hit)

    def parameter_steps(self, qualname: str, caller: Step) -> dict[str, tuple[Step, ...]]:
        """The steps a value takes into each parameter of `qualname`: the call (`caller`,
        in the calling function), then the parameter in the callee."""
        function, module = self.program.defined(qualname)
        return {
            p.name: (caller, self._step(module, p.pos, f"argument '{p.name}' of {function.name}()"))
            for p in function.params
        }


def _entry_key(qualname: str, receiver: str | None) -> tuple[str, ...]:
    """The memo key of an entry analysis (see `Propagation.entry`)."""
    return ("entry", qualname) if receiver is None else ("entry", qualname, receiver)


class Interpreter:
    """Abstract interpretation of one function body in one context."""

    def __init__(
        self,
        propagation: Propagation,
        function: ir.FunctionIR,
        module: ir.ModuleIR,
        env: dict[str, Value],
    ) -> None:
        self.propagation = propagation
        self.program = propagation.program
        self.catalog = propagation.catalog
        self.function = function
        self.module = module
        self.env = env
        self.returns: list[Value] = []
        self.stores: dict[str, Value] = {}
        self.relative_hits: list[SinkHit] = []
        self.loop_heads: set[int] = set()  # ids of the `for` targets' assignments
        self.escaping: list[Value] = []  # exceptions raised outside any `try` of this body
        self.catching: list[list[Value]] = []  # per enclosing `try` body, what it raised
        self.caught: list[Value] = []  # per enclosing handler, the exception it handles
        self.calls = CallEvaluation(self)

    # ------------------------------------------------------------ statements
    def block(self, statements: ir.Block) -> None:
        for statement in statements:
            self.statement(statement)

    def statement(self, statement: ir.Stmt) -> None:
        if isinstance(statement, ir.Assign):
            self.assign(statement)
        elif isinstance(statement, ir.Eval):
            self.expr(statement.value)
        elif isinstance(statement, ir.Return):
            value = self.expr(statement.value)
            step = self.step(statement.pos, f"returned by {self.function.name}()")
            self.returns.append(
                replace(
                    value, taint=add_step(self.flatten(value), step), origin=(*value.origin, step)
                )
            )
        elif isinstance(statement, ir.Raise):
            self.raise_(statement)
        elif isinstance(statement, ir.Reraise):
            if self.caught:  # not reported again: the message is the one raised before
                self.raising(self.caught[-1])
        elif isinstance(statement, ir.Branch):
            self.branch(statement)
        elif isinstance(statement, ir.Loop):
            if statement.body and isinstance(statement.body[0], ir.Assign):
                self.loop_heads.add(id(statement.body[0]))
            before = dict(self.env)
            self.block(statement.body)
            self.block(statement.body)
            self.env = self.joined([before, self.env])

    def branch(self, statement: ir.Branch) -> None:
        before = self.env
        outcomes = []
        for index, arm in enumerate(statement.arms):
            self.env = dict(before)
            if statement.catches and index == 0:
                self.guarded(arm)
            else:
                self.block(arm)
            outcomes.append(self.env)
        if statement.catches:
            self.caught.pop()
        if statement.may_skip or not outcomes:
            outcomes.append(before)
        self.env = self.joined(outcomes)

    @staticmethod
    def joined(envs: list[dict[str, Value]]) -> dict[str, Value]:
        merged = dict(envs[0])
        for env in envs[1:]:
            for name, value in env.items():
                merged[name] = join(merged[name], value) if name in merged else value
        return merged

    def assign(self, statement: ir.Assign) -> None:
        value = self.expr(statement.value)
        if statement.tags:
            labels = [
                Label(
                    tag.category, (), (self.step(tag.pos, f"tagged {tag.category} ({tag.origin})"),)
                )
                for tag in statement.tags
            ]
            value = with_labels(value, self.propagation.known(labels))
        value = annotated(value, statement.type_name)
        # A value privlint cannot see enters under a name: an unknown call's result, or an
        # element of a collection it knows nothing of (`for email, role in skipped:`).
        opaque = isinstance(statement.value, ir.Call) and self.calls.last_was_opaque
        known = value.ref is not None or self.program.class_of(value.type) is not None
        unknown = not known and not value.tainted
        named = statement.targets[0] if len(statement.targets) == 1 else None
        if unknown and isinstance(statement.value, ir.Call) and isinstance(named, ir.TName):
            loaded = self.program.loaded_class(statement.value, named.name)
            if loaded is not None:
                value, opaque = Value(ref=loaded), False
        head = id(statement) in self.loop_heads
        iterated = head and self.unseen(statement.value, value)
        entry = "iterated as" if iterated else "result assigned to" if opaque else None
        if head:
            value = elements(value)
        for target in statement.targets:
            self.bind(target, value, statement.pos, entry)

    def bind(self, target: ir.Target, value: Value, pos: ir.Pos, entry: str | None) -> None:
        """Bind `value` to `target`; with `entry` (how a value privlint cannot see enters:
        "result assigned to", "iterated as"), the name heuristics judge it by the name."""
        if isinstance(target, ir.TName):
            # An object of a known class (`email = BeautifulSoup(html)`) is not an address.
            if entry and not value.tainted and value.type is None:
                value = self.named(value, target.name, pos, f"{entry} '{target.name}'")
            self.env[target.name] = value
        elif isinstance(target, ir.TTuple):
            parts = unpacked(value, len(target.elements))
            for index, element in enumerate(target.elements):
                self.bind(element, value if parts is None else parts[index], pos, entry)
        elif isinstance(target, (ir.TAttr, ir.TItem)):
            if isinstance(target, ir.TAttr) and entry and not value.tainted and value.type is None:
                value = self.named(value, target.attr, pos, f"{entry} '{target.attr}'")
            self.store(target, value, pos)

    def store(self, target: ir.TAttr | ir.TItem, value: Value, pos: ir.Pos) -> None:
        """`x.attr = v` / `x[k] = v`: a sink when the policy declares that store one
        (`response.cookies[k] = v`), and a field of `x` either way."""
        name, base = self.calls.store_name(target)  # evaluates the base
        sink = self.catalog.store(name)
        if sink is not None:
            shown = ".".join(name.split(".")[-2:])
            self.hit(sink, pos, shown, [value], note=f"stored in {shown}")
        special = f"{target.attr}.setter" if isinstance(target, ir.TAttr) else "__setitem__"
        given = [value] if isinstance(target, ir.TAttr) else [CLEAN, value]
        if base is not None and self.calls.special_method(base, special, given, pos) is not None:
            return
        if isinstance(target, ir.TAttr):
            self.store_field(target.base, target.attr, value, into_taint=False, evaluated=True)
            return
        self.store_field(target.base, target.key, value, into_taint=True, evaluated=True)
        if target.index is not None:
            self.store_key(target.base, self.flatten(self.expr(target.index)))

    def store_key(self, base: ir.Expr, taint: Taint) -> None:
        """`d[k] = v` on a mapping: `k`'s data is among its keys."""
        if not isinstance(base, ir.Name):
            return
        holder = self.env.get(base.name)
        if holder is not None and holder.keys is not None and taint:
            self.env[base.name] = replace(holder, keys=merge_taint(holder.keys, taint))

    def store_field(
        self,
        base: ir.Expr,
        name: str | None,
        value: Value,
        into_taint: bool,
        evaluated: bool = False,
    ) -> None:
        """`x.attr = v` / `x["k"] = v`: `x` now knows `v` by name; a container carries it too.

        An object only knows the attribute: `obj.id` stays clean after `obj.phone = phone`,
        while writing `obj` out as a whole still reveals its fields (see `flatten`).
        """
        if not isinstance(base, ir.Name):
            if not evaluated:
                self.expr(base)
            return
        holder = self.env.get(base.name, CLEAN)
        fields = dict(holder.fields)
        if name is not None:
            fields[name] = value
        taint = (
            merge_taint(holder.taint, value.taint) if into_taint or name is None else (holder.taint)
        )
        self.env[base.name] = replace(holder, taint=taint, fields=fields)
        if base.name == "self" and name is not None and self.function.class_qualname:
            self.stores[name] = value

    def unseen(self, expr: ir.Expr, value: Value) -> bool:
        """Whether a collection's elements are unknown to the analysis: the result of a call it
        cannot see into, or a value it knows nothing of (a parameter, an outside attribute)."""
        if isinstance(expr, ir.Call):
            return self.calls.last_was_opaque
        return value == CLEAN and isinstance(expr, (ir.Name, ir.Attr, ir.Item))

    def guarded(self, body: ir.Block) -> None:
        """A `try` body: what it raises is what its handlers handle (`except X as e`), until
        `branch` is done with them."""
        self.catching.append([])
        try:
            self.block(body)
        finally:
            self.caught.append(combine(self.catching.pop()))

    def raising(self, value: Value) -> None:
        """An exception showing `value` is raised here: the innermost `try` body of this
        function gets it, else it escapes to the caller. Handlers do not filter by class:
        any of them may be the one that catches it."""
        if value.tainted:
            (self.catching[-1] if self.catching else self.escaping).append(value)

    def raise_(self, statement: ir.Raise) -> None:
        self.calls.raised = statement.value  # whatever class it is, its arguments are the message
        value = self.expr(statement.value)
        call = statement.value
        name = "raise"
        if isinstance(call, ir.Call):
            name = self.calls.describe(call.func)
        step = self.step(statement.pos, f"raised as raise {name}()")
        self.raising(Value(taint=add_step(self.flatten(value), step)))
        sink = self.catalog.sink("raise")
        if sink is not None:
            self.hit(sink, statement.pos, f"raise {name}", [value])

    # ----------------------------------------------------------- expressions
    def expr(self, node: ir.Expr) -> Value:
        return _EXPRESSIONS[type(node)](self, node)

    def _name(self, node: ir.Name) -> Value:
        return self.lookup(node.name)

    def _call(self, node: ir.Call) -> Value:
        return self.calls.evaluate(node)

    def _combine(self, node: ir.Combine) -> Value:
        if node.positional:
            elements = [self.expr(part) for part in node.parts]
            return replace(tuple_of(elements), taint=combine(map(self.flat, elements)).taint)
        return combine(self.flat(self.expr(part)) for part in node.parts)

    def _item(self, node: ir.Item) -> Value:
        base = self.expr(node.base)
        if node.type_args is not None and self.program.class_of(base.ref) is not None:
            return replace(base, ref=f"{base.ref}[{node.type_args}]")  # `Repository[User]`
        overridden = self.calls.special_method(base, "__getitem__", [CLEAN], node.pos)
        if overridden is not None:
            return overridden
        return self.item(base, node.key, node.pos, dotted(node.base))

    def _global(self, node: ir.Global) -> Value:
        return self.global_value(node.qualname)

    def _drop(self, node: ir.Drop) -> Value:
        for part in node.parts:
            self.expr(part)
        return CLEAN

    def _comprehension(self, node: ir.Comprehension) -> Value:
        for target, iterable in node.bindings:
            value = self.expr(iterable)  # elements of an unknown collection: named, as in loops
            pos = getattr(iterable, "pos", ir.NO_POS)
            entry = "iterated as" if self.unseen(iterable, value) else None
            self.bind(target, elements(value), pos, entry)
        for condition in node.conditions:
            self.expr(condition)
        keys = None if node.key is None else self.flatten(self.expr(node.key))
        built = combine(self.flat(self.expr(element)) for element in node.elements)
        return built if keys is None else replace(built, keys=keys)

    def _walrus(self, node: ir.Walrus) -> Value:
        value = self.expr(node.value)
        self.env[node.name] = value
        return value

    def _yield(self, node: ir.Yield) -> Value:
        value = self.expr(node.value)
        step = self.step(node.pos, "yielded")
        self.returns.append(replace(value, taint=add_step(self.flatten(value), step)))
        return CLEAN

    def _caught(self, node: ir.Caught) -> Value:
        if not self.caught or not self.caught[-1].tainted:
            return CLEAN
        return Value(
            taint=add_step(self.caught[-1].taint, self.step(node.pos, f"caught as {node.name}"))
        )

    def _const(self, node: ir.Const) -> Value:
        return CLEAN

    def lookup(self, name: str) -> Value:
        value = self.env.get(name)
        if value is not None:
            return value
        parent = self.function.parent
        while parent is not None and self.program.is_function(parent):
            outer = self.propagation.enclosing_env(parent)
            if name in outer:
                return outer[name]
            parent = self.program.defined(parent)[0].parent
        if self.function.kind != "module":
            module_env = self.propagation.module_env(self.module.name)
            if name in module_env:
                return module_env[name]
        if name in _BUILTINS:
            return Value(ref=f"builtins.{name}")
        return CLEAN

    def global_value(self, qualname: str) -> Value:
        resolved = self.program.resolve(qualname)
        owner, _, name = resolved.rpartition(".")
        if (
            owner != self.module.name
            and not self.program.is_function(resolved)
            and not self.program.is_class(resolved)
            and self.program.module(owner) is not None
        ):
            module_env = self.propagation.module_env(owner)
            if name in module_env:
                return module_env[name]
        return Value(ref=resolved)

    def attribute(self, node: ir.Attr) -> Value:
        base = self.expr(node.base)
        return self.read_attribute(base, node.attr, node.pos, dotted(node.base))

    def read_attribute(
        self, base: Value, attr: str, pos: ir.Pos, written: str | None = None
    ) -> Value:
        """`base.attr`; `written` is how the base reads in the code, for the trace."""
        value = self._read_attribute(base, attr, pos, written)
        if attr in mail.ADDRESS_ATTRIBUTES and self.is_mail_message(base, written):
            note = f"read {written or ''}.{attr} (a mail's)"
            value = self.entering(value, mail.CATEGORY, pos, note)
        return value

    def is_mail_message(self, value: Value, written: str | None) -> bool:
        """A mail message by its class (the standard library's, a project class derived
        from one or named as one: `OutgoingMail`), else, of a value privlint knows nothing
        of, by its name (`msg`)."""
        cls = self.program.class_of(value.type)
        if cls is not None:  # a message class, or a project's model of one (`OutgoingMail`)
            return any(
                mail.is_message_class(base) for base in self.program.external_bases(cls)
            ) or mail.names_a_message(cls)
        if value.type is not None:
            return mail.is_message_class(value.type)
        return value.ref is None and mail.names_a_message(written)

    def _read_attribute(self, base: Value, attr: str, pos: ir.Pos, written: str | None) -> Value:
        if base.ref is not None:
            value = self.global_value(f"{base.ref}.{attr}")
            if self._outside_object(base.ref):  # `flask_login.current_user.email`
                note = f"read {written or base.ref}.{attr}"
                configured = self.configured_field(base.ref, attr, pos, note)
                value = configured or self.named(value, attr, pos, note)
            return value
        cls = self.program.class_of(base.type)
        if attr in base.fields:
            known = base.fields[attr]
            if cls is None or self.program.find_field(cls, attr) is None:
                return known  # stored at run time (`self.email = email`): what was stored
            declared = self.class_attribute(base, cls, attr, pos)  # a tagged field stays tagged
            return replace(known, taint=merge_taint(known.taint, declared.taint))
        if cls is not None:
            return self.class_attribute(base, cls, attr, pos)
        # Field sensitivity: an attribute of an object privlint knows nothing of carries
        # what its own name says, never the object's other data (SPEC §3a).
        note = f"read {written or ''}.{attr}"
        outside = generic_base(base.type) if base.type is not None else None
        type_name = f"{outside}.{attr}" if outside is not None else None
        if outside is not None:
            configured = self.configured_field(outside, attr, pos, note)
            if configured is not None:  # typed on, so its own fields can be declared too
                return replace(configured, type=type_name)
        if names_a_person(written or "", attr, variable=True):
            return self.entering(
                Value(type=type_name), "user.name", pos, f"{note} (a person's name)"
            )
        return self.named(Value(type=type_name), attr, pos, note)

    def configured_field(self, owner: str, attr: str, pos: ir.Pos, note: str) -> Value | None:
        """A field of another package's class or object that `pii.fields` declares."""
        category = self.catalog.field_category(f"{owner}.{attr}")
        if category is None or category not in self.propagation.known_category:
            return None
        return self.entering(CLEAN, category, pos, f"{note} (pii.fields)")

    def _outside_object(self, ref: str) -> bool:
        """Whether a name denotes an object of another package (`flask_login.current_user`),
        whose attributes are judged by their names, rather than a module, class or function
        privlint knows, or the application's configuration."""
        if is_configuration(ref) or ref.startswith("builtins."):
            return False
        resolved = self.program.resolve(ref)
        if self.program.module(resolved) is not None or self.program.is_class(resolved):
            return False
        return not self.program.is_function(resolved) and "." in resolved

    def class_attribute(self, base: Value, cls: str, attr: str, pos: ir.Pos) -> Value:
        if attr in VALIDATED_DATA and self.program.external_bases(cls):
            return self.declared_fields(base, cls, pos)
        if attr == "data" and serializers.is_serializer(self.program, cls):
            return self.serialized(base.fields.get(serializers.INSTANCE), cls, pos)
        method = self.program.find_method(cls, attr)
        if method is not None:
            function = self.program.defined(method)[0]
            if function.kind == "property":
                return self.calls.invoke(method, {function.params[0].name: base}, pos)
            return Value(ref=method, fields={BOUND_SELF: base})  # a bound method
        found = self.program.find_field(cls, attr)
        short = cls.rsplit(".", 1)[-1]
        if found is not None:
            owner, declared = found
            note = f"read {short}.{attr}"
            labels = [
                field_label(base, c, self.step(pos, note))
                for c in self.propagation.field_categories(owner, declared)
            ]
            value = CLEAN
            if declared.value is not None and not declared.tags:
                value = self.propagation.class_level(owner, declared)
                if value.type is not None and not value.origin:  # a related model's object
                    related = value.type.rsplit(".", 1)[-1]
                    value = replace(value, origin=(self.step(pos, f"{note} ({related})"),))
            return with_labels(annotated(value, declared.type_name), labels)
        stored = self.propagation.instance_fields(cls).get(attr)
        assigned = self.propagation.assigned_objects(cls).get(attr)
        if stored is not None or assigned is not None:
            # an object another method puts on `self` keeps its class; what `__init__`
            # stores there with a tag (`self.handle = handle  # pii: ...`) keeps its tag
            value = (
                assigned if assigned is not None else Value(type=stored.type if stored else None)
            )
            if stored is not None:
                note = f"read {short}.{attr} (stored by __init__)"
                categories = {label.category for label in stored.taint.values() if not label.root}
                step = self.step(pos, note)
                value = with_labels(value, [field_label(base, c, step) for c in sorted(categories)])
            return value
        if self.program.is_settings(cls):  # `config.NO_REPLY_EMAIL`: the service's own
            return CLEAN
        return self.named(CLEAN, attr, pos, f"read {short}.{attr}")

    def serialized(self, instance: Value | None, cls: str, pos: ir.Pos) -> Value:
        """What a serializer shows of `instance` (DRF's `.data`, marshmallow's `.dump()`):
        the fields it lists, each read as its attribute would be."""
        if instance is None:
            return CLEAN
        declared = [f.name for _, f in self.program.fields(cls)]
        names = declared
        meta = serializers.meta(self.program, cls)
        if meta is not None:
            listed, excluded, model = serializers.options(meta)
            if not listed and model is not None:  # "__all__": the model's fields
                found = self.program.class_of(self.propagation.class_level(meta, model).ref)
                listed = [f.name for _, f in self.program.fields(found)] if found else []
            names = [n for n in dict.fromkeys([*listed, *declared]) if n not in excluded]
        written = cls.rsplit(".", 1)[-1]
        fields = {name: self.read_attribute(instance, name, pos, written) for name in names}
        for name, value in fields.items():  # a related object it does not nest: its key
            if name not in declared and value.type is not None:
                fields[name] = CLEAN
        shown = combine(self.flat(value) for value in fields.values())
        return replace(shown, fields=fields)

    def declared_fields(self, base: Value, cls: str, pos: ir.Pos) -> Value:
        """A form's `cleaned_data` / a serializer's `validated_data`: a dict of the values of
        the fields the class declares (`email = forms.EmailField()`), each judged as such."""
        short = cls.rsplit(".", 1)[-1]
        fields = {}
        for owner, declared in self.program.fields(cls):
            step = self.step(pos, f"read {short}.{declared.name} (validated)")
            labels = [
                field_label(base, c, step)
                for c in self.propagation.field_categories(owner, declared)
            ]
            fields[declared.name] = with_labels(CLEAN, labels)
        return Value(fields=fields)

    def item(self, base: Value, key: str | None, pos: ir.Pos, written: str | None = None) -> Value:
        """`base[key]`; `written` is how the base reads in the code (`msg["From"]`)."""
        if key is not None and key in base.fields:
            return base.fields[key]
        if base.ref is not None and is_configuration(base.ref):
            return CLEAN
        if key is not None and self.only_named(base, written):  # `email["subject"]`: a mail
            note = f'read {written}["{key}"]'
            if mail.is_address_header(key):
                return self.entering(CLEAN, mail.CATEGORY, pos, f"{note} (a mail's)")
            return self.named(CLEAN, key, pos, note)
        options = callables(*base.fields.values()) if key is None else ()
        value = Value(taint=base.taint, type=base.type if base.type else None, options=options)
        if key is None:
            return value
        # A literal key of an object (a vendor's order, typed by the packs) reads one of its
        # fields: judged by its key as attributes are (`order["status"]` is no e-mail),
        # while a plain container's item keeps the container's data.
        if base.type is not None:
            owner = generic_base(base.type)
            configured = self.configured_field(owner, key, pos, f'read {written or ""}["{key}"]')
            if configured is not None:
                return replace(configured, type=f"{owner}.{key}")
            value = Value(type=value.type)
        if mail.is_address_header(key) and self.is_mail_message(base, written):
            note = f'read {written or ""}["{key}"] (a mail\'s)'
            return self.entering(value, mail.CATEGORY, pos, note)
        if names_a_person(written or "", key, variable=True):
            return self.entering(value, "user.name", pos, f'read ["{key}"] (a person\'s name)')
        return self.named(value, key, pos, f'read ["{key}"]')

    def dict_literal(self, node: ir.DictLit) -> Value:
        """A mapping: fields by literal key, its values' data, and apart the data its other
        keys hold (`{user.email: user.id}` has e-mail keys and id values)."""
        fields: dict[str, Value] = {}
        parts: list[Value] = []
        keys = [self.flatten(self.expr(key)) for key in node.keys]
        for key, expr in node.items:
            value = self.expr(expr)
            if key == "**":
                fields.update(value.fields)
                keys.append(dict(value.keys or {}))
                value = values_only(value)
            elif key is not None:
                fields[key] = value
            parts.append(self.flat(value))
        return replace(combine(parts), fields=fields, keys=merge_taint(*keys))

    @staticmethod
    def only_named(value: Value, written: str | None) -> bool:
        """Whether all `value` holds is what the name heuristics read into the name `written`
        itself: a value subscripted with a string (`email["subject"]`) is a mapping, not
        the address its name suggests, and its items are judged by their keys."""
        if not written or not value.taint or value.type is not None or value.fields:
            return False
        quoted = f"'{written}'"
        return all(
            not label.root and len(label.steps) == 1 and quoted in label.steps[0].note
            for label in value.taint.values()
        )

    def named(self, value: Value, identifier: str, pos: ir.Pos, note: str) -> Value:
        """Apply the name heuristics where a value enters the code under `identifier`."""
        category = self.catalog.name_category(identifier)
        return value if category is None else self.entering(value, category, pos, note)

    def entering(self, value: Value, category: str, pos: ir.Pos, note: str) -> Value:
        """`value` where personal data of `category` enters the code (a taxonomy category
        only), its trace starting here."""
        if category not in self.propagation.known_category:
            return value
        return with_labels(value, [Label(category, (), (self.step(pos, note),))])

    # ---------------------------------------------------------------- sinks
    def flatten(self, value: Value) -> dict[tuple[str, tuple[str, ...]], Label]:
        """What a value reveals when written out as text: a container its contents, an
        instance of a project class what its `str`/`repr` shows (SPEC §3a)."""
        cls = self.program.class_of(value.type)
        if value.type == DJANGO_USER:
            return self.username(value, DJANGO_USER, "username")
        if cls is None or self.program.shows_fields(cls):
            return self.contents(value)
        shown = self.calls.shown_by_method(value, cls)
        if shown is not None:
            return shown
        username = self.program.username_field(cls)
        if username is not None:
            return self.username(value, cls, username)
        taint = dict(value.taint)  # constructor arguments no field took
        if self.program.is_exception(cls):
            message = value.fields.get(MESSAGE)
            if message is not None:
                for key, label in message.taint.items():
                    taint.setdefault(key, label)
        return taint

    def username(self, value: Value, cls: str, field_name: str) -> dict[LabelKey, Label]:
        """What a Django user model shows as `str`: its username field, as the project
        declares it, else the account's user name (`user.account.username`)."""
        shown = self.declared_username(value, cls, field_name)
        if shown:
            return shown
        note = f"shown as {cls.rsplit('.', 1)[-1]}.{field_name} (USERNAME_FIELD)"
        entry = self.program.class_entry(cls)
        if entry is not None:  # a field its Django base declares: traced to the class
            step = Step(entry[1].path, entry[0].pos[0], entry[0].pos[1], note)
            label = field_label(value, USERNAME, step)
        elif value.origin and value.origin_root is None:  # Django's `User`, read from a relation
            label = Label(USERNAME, (), value.origin)
        else:
            label = field_label(value, USERNAME, self.step(ir.NO_POS, note))
        return {label.key: label}

    def declared_username(self, value: Value, cls: str, field_name: str) -> dict[LabelKey, Label]:
        """The categories of the username field a project user model declares, traced to
        the declaration (the object is shown where it is written out)."""
        found = self.program.find_field(cls, field_name)
        if found is None:
            return {}
        owner, declared = found
        path = self.program.defined_class(owner.qualname)[1].path
        note = f"shown as {cls.rsplit('.', 1)[-1]}.{field_name} (USERNAME_FIELD)"
        step = Step(path, declared.pos[0], declared.pos[1], note)
        labels = [
            field_label(value, category, step)
            for category in self.propagation.field_categories(owner, declared)
        ]
        return {label.key: label for label in labels}

    def contents(self, value: Value) -> dict[tuple[str, tuple[str, ...]], Label]:
        """Everything a value holds: its taint, its keys, its fields and its class's tagged
        fields."""
        taint = dict(value.taint)
        for key, label in (value.keys or {}).items():
            taint.setdefault(key, label)
        for inner in value.fields.values():
            for key, label in inner.taint.items():
                taint.setdefault(key, label)
        cls = self.program.class_of(value.type)
        if cls is not None:
            short = cls.rsplit(".", 1)[-1]
            for owner, declared in self.program.fields(cls):
                path = self.program.defined_class(owner.qualname)[1].path
                step = Step(
                    path, declared.pos[0], declared.pos[1], f"field {short}.{declared.name}"
                )
                for category in self.propagation.field_categories(owner, declared):
                    label = field_label(value, category, step)
                    taint.setdefault(label.key, label)
        return taint

    def flat(self, value: Value) -> Value:
        if not value.fields and not value.keys and self.program.class_of(value.type) is None:
            return value if value.type != DJANGO_USER else Value(taint=self.flatten(value))
        return Value(taint=self.flatten(value))

    def hit(
        self,
        sink: SinkSpec,
        pos: ir.Pos,
        call: str,
        values: Iterable[Value],
        note: str | None = None,
    ) -> None:
        """Record data reaching a sink; every label is kept, the judge picks the best trace.
        At a cut the data is what the values hold: showing them through their `__str__`
        would call deeper than the cut again."""
        step = self.step(pos, note or f"{_VERBS.get(sink.kind, 'reaches')} {call}()")
        reveal = self.contents if sink.id == CUT.id else self.flatten
        labels = list(
            dict.fromkeys(
                replace(label, steps=(*label.steps, step))
                for value in values
                for label in reveal(value).values()
            )
        )
        if not labels:
            return
        concrete = tuple(label for label in labels if not label.root)
        rooted = tuple(label for label in labels if label.root)
        qualname = self.function.qualname
        if concrete:
            self.propagation.record(SinkHit(sink, self.module.path, pos, qualname, call, concrete))
        if rooted:
            self.relative_hits.append(SinkHit(sink, self.module.path, pos, qualname, call, rooted))

    def splice_hits(
        self,
        hits: Iterable[SinkHit],
        bound: Mapping[str, Value],
        steps: Mapping[str, tuple[Step, ...]],
    ) -> None:
        for hit in hits:
            labels = [s for label in hit.labels for s in splice(label, bound, steps)]
            concrete = tuple(label for label in labels if not label.root)
            rooted = tuple(label for label in labels if label.root)
            if concrete:
                self.propagation.record(replace(hit, labels=concrete))
            if rooted:
                self.relative_hits.append(replace(hit, labels=rooted))

    def step(self, pos: ir.Pos, note: str) -> Step:
        return Step(self.module.path, pos[0], pos[1], note)


_VERBS = {
    "logging": "logged by",
    "stdout": "printed by",
    "file_export": "written by",
    "http": "sent by",
    "cookie": "set as a cookie by",
    "analytics": "sent by",
    "messaging": "sent by",
    "email": "sent by",
    "database": "stored by",
    "queue": "published by",
    "exception": "raised as",
    "analysis-incomplete": f"not followed (call depth over {MAX_DEPTH}) into",
}

VALIDATED_DATA = frozenset(("cleaned_data", "validated_data"))  # Django forms, DRF serializers

_BUILTINS = frozenset(dir(__import__("builtins")))

_EXPRESSIONS: dict[type, Callable[[Interpreter, Any], Value]] = {
    ir.Name: Interpreter._name,
    ir.Attr: Interpreter.attribute,
    ir.Call: Interpreter._call,
    ir.Combine: Interpreter._combine,
    ir.Item: Interpreter._item,
    ir.Global: Interpreter._global,
    ir.DictLit: Interpreter.dict_literal,
    ir.Drop: Interpreter._drop,
    ir.Comprehension: Interpreter._comprehension,
    ir.Walrus: Interpreter._walrus,
    ir.Yield: Interpreter._yield,
    ir.Const: Interpreter._const,
    ir.Caught: Interpreter._caught,
}
