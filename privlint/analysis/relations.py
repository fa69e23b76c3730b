"""ORM relations: a relation field's attribute holds an instance of the model it names.

Django: `owner = models.ForeignKey(settings.AUTH_USER_MODEL, ...)` makes `basket.owner`
the user, shown as its username; `models.ForeignKey("order.Order")` an order. The
related model is written as a class, as `"self"`, as `"app_label.Model"` / `"Model"`
(found by name among the project's classes, in a module of that app), or as the
configured user model (`AUTH_USER_MODEL`, `get_user_model()`). SQLAlchemy:
`user = relationship("User")` (also `db.relationship(...)` of Flask-SQLAlchemy) names a
mapped class, which its registry finds by name anywhere in the project.
"""

from __future__ import annotations

from collections.abc import Callable

from privlint.analysis import ir
from privlint.analysis.program import Program
from privlint.analysis.values import Value

RELATION_FIELDS = frozenset(("ForeignKey", "OneToOneField", "ManyToManyField", "ParentalKey"))
DJANGO_USER = "django.contrib.auth.models.User"
_USER_MODEL_WORDS = frozenset(("AUTH_USER_MODEL", "get_user_model"))
_SQLALCHEMY_RELATIONSHIPS = frozenset(("relationship", "relation"))


def related_type(
    program: Program, owner: ir.ClassIR, call: ir.Call, evaluate: Callable[[ir.Expr], Value]
) -> str | None:
    """The model a relation field declared on `owner` relates to, or None when `call` is no
    Django relation field or names a model privlint cannot find."""
    target = next((arg.value for arg in call.args if arg.key in (0, "to", "argument")), None)
    if target is None:
        return None
    field_class = evaluate(call.func).ref or ""
    if _is_relationship(call, field_class):
        if isinstance(target, ir.Const):
            root = owner.qualname.split(".", 1)[0]
            return program.class_named((target.text or "").rpartition(".")[2], [root.lower()])
        return program.class_of(evaluate(target).ref)
    if not field_class.startswith("django.") or field_class.rpartition(".")[2] not in (
        RELATION_FIELDS
    ):
        return None
    if _names_user_model(target):
        return program.user_model() or DJANGO_USER
    if isinstance(target, ir.Const):
        return _named_model(program, owner, target.text or "")
    return program.class_of(evaluate(target).ref)


def _is_relationship(call: ir.Call, written: str) -> bool:
    """`relationship(...)`, `orm.relationship(...)`, `db.relationship(...)`: SQLAlchemy's
    (`written`: what the called name resolves to)."""
    if isinstance(call.func, ir.Attr) and call.func.attr in _SQLALCHEMY_RELATIONSHIPS:
        return True  # also a project's own `db = SQLAlchemy()` subclass
    return written.startswith(("sqlalchemy.", "flask_sqlalchemy.")) and (
        written.rpartition(".")[2] in _SQLALCHEMY_RELATIONSHIPS
    )


def _names_user_model(expr: ir.Expr) -> bool:
    """`AUTH_USER_MODEL`, `settings.AUTH_USER_MODEL`, `get_user_model()`."""
    if isinstance(expr, ir.Call):
        expr = expr.func
    written = expr.name if isinstance(expr, ir.Name) else None
    if isinstance(expr, ir.Attr):
        written = expr.attr
    if isinstance(expr, ir.Global):
        written = expr.qualname.rpartition(".")[2]
    return written in _USER_MODEL_WORDS


def _named_model(program: Program, owner: ir.ClassIR, text: str) -> str | None:
    """`"self"`, `"auth.User"`, `"order.Order"`, `"Order"` (in the owner's app)."""
    if text == "self":
        return owner.qualname
    if text.lower() == "auth.user":
        return DJANGO_USER
    app, _, name = text.rpartition(".")
    places = app.lower().split(".") if app else owner.qualname.lower().split(".")[:-1]
    return program.class_named(name, places) if name.isidentifier() else None
