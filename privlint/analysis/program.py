"""The whole project's IR, indexed: modules, functions, classes, and name resolution.

Resolution follows re-exports (`from .crm import lookup` in `__init__`) and
class hierarchies, so a call written anywhere maps to the definition it runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from privlint.analysis import ir

_MAX_HOPS = 16


class Program:
    def __init__(self, modules: Iterable[ir.ModuleIR]) -> None:
        self.modules: dict[str, ir.ModuleIR] = {}
        self.functions: dict[str, tuple[ir.FunctionIR, ir.ModuleIR]] = {}
        self.classes: dict[str, tuple[ir.ClassIR, ir.ModuleIR]] = {}
        self.imports: dict[str, dict[str, str]] = {}
        for module in modules:
            self.modules[module.name] = module
            self.imports[module.name] = dict(module.imports)
            for function in module.functions:
                self.functions[function.qualname] = (function, module)
            for cls in module.classes:
                self.classes[cls.qualname] = (cls, module)
        self._resolved: dict[str, str] = {}
        self._mro: dict[str, tuple[ir.ClassIR, ...]] = {}
        self._methods: dict[tuple[str, str], str | None] = {}

    def resolve(self, qualname: str) -> str:
        """The defining qualified name behind `qualname` (itself when it is not the project's)."""
        cached = self._resolved.get(qualname)
        if cached is None:
            cached = self._resolve(qualname, _MAX_HOPS)
            self._resolved[qualname] = cached
        return cached

    def _resolve(self, qualname: str, hops: int) -> str:
        if hops <= 0 or qualname in self.functions or qualname in self.classes:
            return qualname
        if qualname in self.modules:
            return qualname
        parts = qualname.split(".")
        for split in range(len(parts) - 1, 0, -1):
            owner = ".".join(parts[:split])
            name, rest = parts[split], parts[split + 1 :]
            if owner in self.modules:
                target = self.imports[owner].get(name)
                if target is not None and target != qualname:
                    return self._resolve(".".join([target, *rest]), hops - 1)
                return qualname
            if owner in self.classes:
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
            if current in seen or current not in self.classes:
                continue
            seen.add(current)
            cls = self.classes[current][0]
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

    def class_of(self, type_name: str | None) -> str | None:
        """The project class a type name denotes, or None for external and unknown types."""
        if type_name is None:
            return None
        resolved = self.resolve(type_name)
        return resolved if resolved in self.classes else None
