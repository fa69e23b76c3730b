"""Serializers: Django REST framework's `TicketSerializer(ticket).data` and marshmallow's
`UserSchema().dump(user)` are the object's fields that the serializer lists.

They are listed in its `Meta.fields` (`"__all__"`, or none for a model schema: every
field of `Meta.model`, less `Meta.exclude`); a serializer's own declared fields
(`email = serializers.EmailField()`, `email = fields.Email()`) are read from the object
by their names too.
"""

from __future__ import annotations

from collections.abc import Sequence

from privlint.analysis import ir
from privlint.analysis.program import Program

INSTANCE = "<instance>"  # the field of a serializer holding the object it was given
_ALL = "__all__"


def is_serializer(program: Program, cls: str) -> bool:
    """A DRF serializer class (shown by `.data`)."""
    return any(
        base.startswith("rest_framework.") and base.endswith("Serializer")
        for base in program.external_bases(cls)
    )


def is_schema(program: Program, cls: str) -> bool:
    """A marshmallow schema class (shown by `.dump(obj)`), also through Flask-Marshmallow
    and marshmallow-sqlalchemy."""
    return any(
        (base.startswith(_SCHEMA_PACKAGES) and base.endswith("Schema"))
        or base.rpartition(".")[2]
        in _MODEL_SCHEMAS  # `ma.SQLAlchemyAutoSchema` of `ma = Marshmallow()`
        for base in program.external_bases(cls)
    )


_SCHEMA_PACKAGES = ("marshmallow.", "marshmallow_sqlalchemy.", "flask_marshmallow.")
_MODEL_SCHEMAS = frozenset(("SQLAlchemyAutoSchema", "SQLAlchemySchema"))
SCHEMA_DUMPS = frozenset(("dump", "dumps"))


def instance_argument(args: Sequence[tuple[ir.Arg, object]]) -> int | None:
    """Which of a serializer's constructor arguments is the object it shows."""
    for index, (arg, _) in enumerate(args):
        if not arg.star and arg.key in (0, "instance"):
            return index
    return None


def meta(program: Program, cls: str) -> ir.ClassIR | None:
    """The `Meta` class a serializer class (or its nearest base with one) declares."""
    for klass in program.mro(cls):
        found = program.class_entry(f"{klass.qualname}.Meta")
        if found is not None:
            return found[0]
    return None


def options(meta_class: ir.ClassIR) -> tuple[list[str], list[str], ir.FieldIR | None]:
    """`Meta.fields` (empty for `"__all__"`), `Meta.exclude` and the `Meta.model` field."""
    declared = {field.name: field for field in meta_class.fields}
    listed = _texts(declared["fields"].value) if "fields" in declared else []
    excluded = _texts(declared["exclude"].value) if "exclude" in declared else []
    return [n for n in listed if n != _ALL], excluded, declared.get("model")


def _texts(expr: ir.Expr | None) -> list[str]:
    """The strings of a literal tuple or list (`("id", "email")`), or of one string."""
    if isinstance(expr, ir.Const) and expr.text:
        return [expr.text]
    if isinstance(expr, ir.Combine):
        return [part.text for part in expr.parts if isinstance(part, ir.Const) and part.text]
    return []
