"""The whole project's IR, indexed: modules, functions, classes, and name resolution.

Resolution follows re-exports (`from .crm import lookup` in `__init__`) and
class hierarchies, so a call written anywhere maps to the definition it runs.
Modules are loaded on demand: the scan hands over the files that can matter
and a loader for the rest, which runs the first time a name inside one of them
is looked up.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import TypeVar

from privlint.analysis import ir

_MAX_HOPS = 16
T = TypeVar("T")


ModuleLoader = Callable[[str], "ir.ModuleIR | None"]


class Program:
    def __init__(
        self,
        modules: Iterable[ir.ModuleIR],
        loader: ModuleLoader | None = None,
        loadable: Collection[str] = (),
        words: Mapping[str, frozenset[str]] | None = None,
    ) -> None:
        """`words`: the words of each loadable module, so that what a lookup needs from
        modules nothing has reached yet (subclasses, a signal's receivers) can be loaded."""
        self.modules: dict[str, ir.ModuleIR] = {}
        self._defining: dict[str, list[str]] = {}  # method name -> classes that define one
        self._functions: dict[str, tuple[ir.FunctionIR, ir.ModuleIR]] = {}
        self._classes: dict[str, tuple[ir.ClassIR, ir.ModuleIR]] = {}
        self.imports: dict[str, dict[str, str]] = {}
        # a signal's last name -> its connections (how, signal, receiver), as written
        self._connections: dict[str, list[tuple[str, str, str]]] = {}
        for module in modules:
            self._add(module)
        self._loader = loader
        self._unloaded = {name for name in loadable if name not in self.modules}
        self._words = words or {}
        self._mentioned: set[frozenset[str]] = set()  # the words loaded for so far
        self._mentions: dict[str, set[str]] | None = None
        self._probed: set[str] = set()
        self._resolved: dict[str, str] = {}
        self._loaded_globals: dict[str, dict[str, ir.Call]] = {}  # module -> name -> call
        self._user_model: str | None = None  # "" once known that there is none
        self._mro: dict[str, tuple[ir.ClassIR, ...]] = {}
        self._methods: dict[tuple[str, str], str | None] = {}
        self._overrides: dict[tuple[str, str], tuple[int, tuple[str, ...]]] = {}

    def _add(self, module: ir.ModuleIR) -> None:
        self.modules[module.name] = module
        self.imports[module.name] = dict(module.imports)
        for function in module.functions:
            self._functions[function.qualname] = (function, module)
        for cls in module.classes:
            self._classes[cls.qualname] = (cls, module)
            for method_name, _ in cls.methods:
                self._defining.setdefault(method_name, []).append(cls.qualname)
        for connection in module.connections:
            self._connections.setdefault(connection[1].rpartition(".")[2], []).append(connection)

    # ----------------------------------------------------------- on demand
    def _probe(self, qualname: str) -> None:
        """Load the module that would define `qualname` (its longest module prefix)."""
        self._probed.add(qualname)
        if not self._unloaded:
            return
        parts = qualname.split(".")
        for split in range(len(parts), 0, -1):
            prefix = ".".join(parts[:split])
            if prefix in self.modules:
                return
            if prefix in self._unloaded:
                self._unloaded.discard(prefix)
                module = self._loader(prefix) if self._loader else None
                if module is not None:
                    self._add(module)
                return

    def load_mentioning(self, *words: str) -> None:
        """Load the modules not loaded yet whose text has all of `words`."""
        wanted = frozenset(words)
        if wanted in self._mentioned or not self._unloaded:
            return
        self._mentioned.add(wanted)
        having = [self._mentioning(word) for word in wanted]
        for name in sorted(set.intersection(*having) & self._unloaded if having else ()):
            self._probe(name)

    def _mentioning(self, word: str) -> set[str]:
        """The loadable modules whose text has `word` (an index of every word, built once)."""
        if self._mentions is None:
            self._mentions = {}
            for name, module_words in self._words.items():
                for each in module_words:
                    self._mentions.setdefault(each, set()).add(name)
        return self._mentions.get(word, set())

    def loaded_class(self, call: ir.Call, name: str) -> str | None:
        """`Order = get_model("order", "Order")`, `User = apps.get_model("auth.User")`: a call
        given, as a literal, the name its result is assigned to loads the project's class of
        that name (the other literals, `"order"`, say where it lives)."""
        texts = [a.value.text for a in call.args if isinstance(a.value, ir.Const) and a.value.text]
        naming = [t for t in texts if t == name or t.endswith("." + name)]
        if not naming:
            return None
        places = [t for t in texts if t not in naming] + [t.rpartition(".")[0] for t in naming]
        return self.class_named(name, {part.lower() for t in places for part in t.split(".")})

    def _loaded_global(self, module: str, name: str) -> str | None:
        """The class a module-level `name = get_class("app.module", "name")` loads, so that
        `class Report(name):` has it as a base."""
        found = self._loaded_globals.get(module)
        if found is None:
            found = {}
            for statement in self.modules[module].body.body:
                if (
                    isinstance(statement, ir.Assign)
                    and len(statement.targets) == 1
                    and isinstance(statement.targets[0], ir.TName)
                    and isinstance(statement.value, ir.Call)
                ):
                    found[statement.targets[0].name] = statement.value
            self._loaded_globals[module] = found
        call = found.get(name)
        return self.loaded_class(call, name) if call is not None else None

    def class_named(self, name: str, hints: Collection[str]) -> str | None:
        """The one project class called `name` in a module whose dotted name has a part
        among `hints` (`Order` in `shop.order.models` for the hint `order`), loading the
        modules that may define it; None when there is none or more than one."""
        wanted = {hint for hint in hints if hint}
        for module_name in sorted(self._mentioning(name) & self._unloaded):
            if wanted & set(module_name.lower().split(".")):
                self._probe(module_name)
        found = [
            qualname
            for qualname, (cls, module) in self._classes.items()
            if cls.name == name and wanted & set(module.name.lower().split("."))
        ]
        return found[0] if len(found) == 1 else None

    def module(self, name: str) -> ir.ModuleIR | None:
        return self._known(self.modules, name)

    def function(self, qualname: str) -> tuple[ir.FunctionIR, ir.ModuleIR] | None:
        """A project function (or method) by its defining qualified name."""
        return self._known(self._functions, qualname)

    def class_entry(self, qualname: str) -> tuple[ir.ClassIR, ir.ModuleIR] | None:
        return self._known(self._classes, qualname)

    def _known(self, table: dict[str, T], qualname: str) -> T | None:
        """`table[qualname]`, loading the module that would define it the first time."""
        found = table.get(qualname)
        if found is None and qualname not in self._probed:
            self._probe(qualname)
            found = table.get(qualname)
        return found

    def defined(self, qualname: str) -> tuple[ir.FunctionIR, ir.ModuleIR]:
        """A function known to exist (resolved or analysed before); KeyError otherwise."""
        return self._functions[qualname]

    def defined_class(self, qualname: str) -> tuple[ir.ClassIR, ir.ModuleIR]:
        return self._classes[qualname]

    def is_function(self, qualname: str) -> bool:
        return self.function(qualname) is not None

    def is_class(self, qualname: str) -> bool:
        return self.class_entry(qualname) is not None

    def resolve(self, qualname: str) -> str:
        """The defining qualified name behind `qualname` (itself when it is not the project's)."""
        cached = self._resolved.get(qualname)
        if cached is None:
            cached = self._resolve(qualname, _MAX_HOPS)
            self._resolved[qualname] = cached
        return cached

    def _resolve(self, qualname: str, hops: int) -> str:
        if hops <= 0 or self.is_function(qualname) or self.is_class(qualname):
            return qualname
        if qualname in self.modules:
            return qualname
        parts = qualname.split(".")
        for split in range(len(parts) - 1, 0, -1):
            owner = ".".join(parts[:split])
            name, rest = parts[split], parts[split + 1 :]
            if self.module(owner) is not None:
                target = self.imports[owner].get(name) or self._loaded_global(owner, name)
                if target is not None and target != qualname:
                    return self._resolve(".".join([target, *rest]), hops - 1)
                return qualname
            if self.is_class(owner):
                method = self.find_method(owner, name)
                if method is not None and not rest:
                    return method
                return qualname
        return qualname

    def mro(self, class_qualname: str) -> tuple[ir.ClassIR, ...]:
        """The project classes of a class hierarchy, most derived first."""
        known = self._mro.get(class_qualname)
        if known is None:
            known = tuple(self._hierarchy(class_qualname))
            self._mro[class_qualname] = known
        return known

    def _hierarchy(self, class_qualname: str) -> Iterator[ir.ClassIR]:
        seen: set[str] = set()
        pending = [class_qualname]
        while pending and len(seen) < 64:
            current = self.resolve(pending.pop(0))
            entry = self.class_entry(current)
            if current in seen or entry is None:
                continue
            seen.add(current)
            cls = entry[0]
            yield cls
            pending.extend(cls.bases)

    def find_method(self, class_qualname: str, name: str) -> str | None:
        key = (class_qualname, name)
        if key not in self._methods:
            self._methods[key] = next(
                (
                    qualname
                    for cls in self.mro(class_qualname)
                    for method_name, qualname in cls.methods
                    if method_name == name
                ),
                None,
            )
        return self._methods[key]

    def overrides(self, class_qualname: str, name: str) -> tuple[str, ...]:
        """The methods `name` that subclasses of a class define (a template method's steps:
        `self.iterate_list()` in a base runs a subclass's), sorted. A subclass in a module
        nothing has reached yet names its base and the method: such modules are loaded."""
        self.load_mentioning(class_qualname.rpartition(".")[2], name)
        key = (class_qualname, name)
        known = self._overrides.get(key)
        if known is not None and known[0] == len(self._classes):
            return known[1]
        found = tuple(
            sorted(
                dict(self._classes[sub][0].methods)[name]
                for sub in self._defining.get(name, ())
                if sub != class_qualname
                and any(c.qualname == class_qualname for c in self.mro(sub)[1:])
            )
        )
        self._overrides[key] = (len(self._classes), found)
        return found

    def receivers(self, signal: str) -> tuple[str, ...]:
        """The project functions connected to the signal object `signal` (a qualified name):
        by one of the decorators `how` (`@receiver(signal)`) or by `signal.connect(f)`,
        anywhere in the project (modules that name the signal are loaded), sorted."""
        last = signal.rpartition(".")[2]
        self.load_mentioning(last)
        return tuple(
            sorted(
                {
                    self.resolve(receiver)
                    for how, written, receiver in self._connections.get(last, ())
                    if (how == "connect" or how in RECEIVER_DECORATORS)
                    and self.resolve(written) == signal
                    and self.is_function(self.resolve(receiver))
                }
            )
        )

    def external_bases(self, class_qualname: str) -> tuple[str, ...]:
        """The bases outside the project of a class hierarchy (`requests.Session` for
        `class Api(requests.Session)`): where methods the project does not define come from."""
        return tuple(
            dict.fromkeys(
                self.resolve(base)
                for cls in self.mro(class_qualname)
                for base in cls.bases
                if not self.is_class(self.resolve(base))
            )
        )

    def find_field(self, class_qualname: str, name: str) -> tuple[ir.ClassIR, ir.FieldIR] | None:
        for cls in self.mro(class_qualname):
            for field in cls.fields:
                if field.name == name:
                    return cls, field
        return None

    def fields(self, class_qualname: str) -> list[tuple[ir.ClassIR, ir.FieldIR]]:
        """All declared fields, base classes first (the dataclass constructor order)."""
        found: dict[str, tuple[ir.ClassIR, ir.FieldIR]] = {}
        for cls in reversed(list(self.mro(class_qualname))):
            for field in cls.fields:
                found[field.name] = (cls, field)
        return list(found.values())

    def shows_fields(self, class_qualname: str) -> bool:
        """Whether the default `repr` of instances lists their fields (dataclasses, attrs,
        pydantic, named tuples), rather than a class name and an id (ORM models, plain classes)."""
        for cls in self.mro(class_qualname):
            if any(d in _FIELD_SHOWING_DECORATORS for d in cls.decorators):
                return True
            if any(b in _FIELD_SHOWING_BASES for b in cls.bases):
                return True
        return False

    def username_field(self, class_qualname: str) -> str | None:
        """The field a Django user model's `str` shows (`AbstractBaseUser.__str__` returns
        `get_username()`: the field its `USERNAME_FIELD` names, `username` by default), or
        None for a class that is no Django user model."""
        if not any(base in _USER_MODEL_BASES for base in self.external_bases(class_qualname)):
            return None
        found = self.find_field(class_qualname, "USERNAME_FIELD")
        named = found[1].value if found is not None else None
        if isinstance(named, ir.Const) and named.text:
            return named.text
        return "username"

    def user_model(self) -> str | None:
        """The project's own Django user model: the one class derived from Django's user
        models that no other project class derives from; None when there is none or several."""
        if self._user_model is None:
            for word in ("AbstractBaseUser", "AbstractUser", "USERNAME_FIELD"):
                self.load_mentioning(word)
            users = [q for q in list(self._classes) if self.username_field(q) is not None]
            leaves = [q for q in users if not any(q in self.ancestors(other) for other in users)]
            self._user_model = leaves[0] if len(leaves) == 1 else ""
        return self._user_model or None

    def ancestors(self, class_qualname: str) -> set[str]:
        """The project classes a class derives from (itself excluded)."""
        return {cls.qualname for cls in self.mro(class_qualname)[1:]}

    def is_settings(self, class_qualname: str) -> bool:
        """Whether a class holds the application's configuration (`BaseSettings`, `*Settings`,
        `*Config`): its `smtp_password` is the service's own, not a person's data."""
        return any(
            cls.name.endswith(("Settings", "Config", "Configuration"))
            or any(base.rsplit(".", 1)[-1] == "BaseSettings" for base in cls.bases)
            for cls in self.mro(class_qualname)
        )

    def is_exception(self, class_qualname: str) -> bool:
        """Whether a project class derives from an exception class outside the project."""
        return any(
            base.rsplit(".", 1)[-1].endswith(("Error", "Exception", "Warning"))
            or base == "builtins.BaseException"
            for cls in self.mro(class_qualname)
            for base in cls.bases
            if not self.is_class(self.resolve(base))
        )

    def class_of(self, type_name: str | None) -> str | None:
        """The project class a type name denotes (`Repository[User]`: Repository), or None for
        external and unknown types."""
        if type_name is None:
            return None
        resolved = self.resolve(generic_base(type_name))
        return resolved if self.is_class(resolved) else None

    def type_arguments(self, type_name: str | None) -> dict[str, str]:
        """What the type variables of a generic class hierarchy stand for in `type_name`:
        `Repository[User]`, or `UserRepo` of `class UserRepo(Repository[User])`, binds
        Repository's `ModelT` to User."""
        cls = self.class_of(type_name)
        if cls is None or type_name is None:
            return {}
        bound = dict(zip(self.type_parameters(cls), _arguments(type_name), strict=False))
        for klass in self.mro(cls):
            for base, arguments in klass.base_args:
                generic = self.class_of(base)
                if generic is None:
                    continue
                given = [bound.get(self.resolve(argument), argument) for argument in arguments]
                for parameter, argument in zip(self.type_parameters(generic), given, strict=False):
                    bound.setdefault(parameter, argument)
        return bound

    def type_parameters(self, class_qualname: str) -> tuple[str, ...]:
        """A generic class's type variables: those of its `Generic[...]` base, else the
        arguments of its subscripted bases that are not classes (PEP 484's order)."""
        entry = self.class_entry(class_qualname)
        if entry is None:
            return ()
        based = entry[0].base_args
        declared = [args for base, args in based if base.rsplit(".", 1)[-1] in _GENERIC_BASES]
        written = declared[0] if declared else [a for _, args in based for a in args]
        return tuple(
            dict.fromkeys(
                self.resolve(a)
                for a in written
                if not a.startswith("builtins.") and not self.is_class(self.resolve(a))
            )
        )


_GENERIC_BASES = frozenset(("Generic", "Protocol"))


def generic_base(type_name: str) -> str:
    """`pkg.Repository[pkg.User]` → `pkg.Repository`: the class a type name names."""
    return type_name.partition("[")[0]


def _arguments(type_name: str) -> tuple[str, ...]:
    inside = type_name.partition("[")[2].removesuffix("]")
    return tuple(inside.split(",")) if inside else ()


# Decorators that connect the function they decorate to the signals they are given.
RECEIVER_DECORATORS = frozenset(("django.dispatch.receiver", "django.dispatch.dispatcher.receiver"))

_USER_MODEL_BASES = frozenset(
    (
        "django.contrib.auth.base_user.AbstractBaseUser",
        "django.contrib.auth.models.AbstractBaseUser",
        "django.contrib.auth.models.AbstractUser",
        "django.contrib.auth.models.User",
    )
)
_FIELD_SHOWING_DECORATORS = frozenset(
    (
        "dataclasses.dataclass",
        "pydantic.dataclasses.dataclass",
        "attr.s",
        "attr.attrs",
        "attr.define",
        "attr.frozen",
        "attr.mutable",
        "attr.dataclass",
        "attrs.define",
        "attrs.frozen",
        "attrs.mutable",
    )
)
_FIELD_SHOWING_BASES = frozenset(
    (
        "pydantic.BaseModel",
        "pydantic.v1.BaseModel",
        "pydantic_settings.BaseSettings",
        "typing.NamedTuple",
        "typing.TypedDict",
        "typing_extensions.TypedDict",
        "msgspec.Struct",
        "ninja.Schema",
        "sqlmodel.SQLModel",
    )
)
