"""The per-file intermediate representation: plain, picklable data, no CST nodes.

`summarize.py` lowers one module's CST to a `ModuleIR`; `propagate.py`
interprets the IR of the whole program. Keeping the IR free of LibCST lets a
module be summarized in a worker process, cached on disk and composed later.
Imports and definitions become assignments of `Global` references, so name
lookup while interpreting follows Python's rules without a scope pre-pass.
"""

from __future__ import annotations

from dataclasses import dataclass

from privlint.suppressions import LINE

CLASS_OBJECT = "type:"  # a type name with this prefix is the class itself (`type[User]`)


def class_object(class_name: str) -> str:
    """The type name of an annotation `type[class_name]`."""
    return CLASS_OBJECT + class_name


class Record:
    """Base of IR nodes: pickled as a constructor call, which loads cached IR several times
    faster than dataclasses' generic `__setstate__`."""

    __slots__ = ()
    __match_args__: tuple[str, ...] = ()

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        return (type(self), tuple(getattr(self, name) for name in self.__match_args__))


Pos = tuple[int, int, int, int]  # line (1-based), column (0-based), end line, end column
NO_POS: Pos = (0, 0, 0, 0)


def is_placeholder(pos: Pos) -> bool:
    """A stand-in `(-n, 0, -n, 0)` for the n-th position of a file, located only when needed."""
    return pos[0] < 0


@dataclass(frozen=True, slots=True)
class Const(Record):
    """A value the analysis can see is clean (a literal, a comparison result)."""

    text: str | None = None  # the value of a string literal, for `.get("email")`


@dataclass(frozen=True, slots=True)
class Name(Record):
    """A name read; resolved while interpreting: locals, enclosing functions, module, builtins."""

    name: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class Global(Record):
    """A reference to a qualified name (an import or a definition)."""

    qualname: str


@dataclass(frozen=True, slots=True)
class Attr(Record):
    base: Expr
    attr: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class Item(Record):
    """A subscript; `key` is set when the index is a string literal, `type_args` when it
    names classes (`Repository[User]`, a generic class specialised)."""

    base: Expr
    key: str | None
    pos: Pos
    type_args: str | None = None


@dataclass(frozen=True, slots=True)
class Arg(Record):
    key: int | str  # position or keyword
    value: Expr
    star: str = ""  # "", "*" or "**"


@dataclass(frozen=True, slots=True)
class Call(Record):
    func: Expr
    args: tuple[Arg, ...]
    pos: Pos


@dataclass(frozen=True, slots=True)
class Combine(Record):
    """A value built from its parts: f-strings, `+`, `%`, containers, slices."""

    parts: tuple[Expr, ...]
    positional: bool = False  # a tuple literal: `a, b = parts` unpacks them one by one


@dataclass(frozen=True, slots=True)
class DictLit(Record):
    items: tuple[tuple[str | None, Expr], ...]
    keys: tuple[Expr, ...] = ()  # the keys that are not string literals (`{user.email: 1}`)


@dataclass(frozen=True, slots=True)
class Drop(Record):
    """Parts are evaluated (they may contain sink calls) but the result is clean."""

    parts: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Comprehension(Record):
    bindings: tuple[tuple[Target, Expr], ...]
    conditions: tuple[Expr, ...]
    elements: tuple[Expr, ...]
    key: Expr | None = None  # a dict comprehension's key: the result is a mapping


@dataclass(frozen=True, slots=True)
class Walrus(Record):
    name: str
    value: Expr


@dataclass(frozen=True, slots=True)
class Yield(Record):
    value: Expr
    pos: Pos


@dataclass(frozen=True, slots=True)
class Caught(Record):
    """`e` in `except X as e:`: the exception the `try` body raised, as its message shows it."""

    name: str
    pos: Pos


Expr = (
    Const
    | Name
    | Global
    | Attr
    | Item
    | Call
    | Combine
    | DictLit
    | Drop
    | Comprehension
    | Walrus
    | Yield
    | Caught
)

CONST = Const()


@dataclass(frozen=True, slots=True)
class TName(Record):
    name: str


@dataclass(frozen=True, slots=True)
class TAttr(Record):
    base: Expr
    attr: str


@dataclass(frozen=True, slots=True)
class TItem(Record):
    base: Expr
    key: str | None
    index: Expr | None = None  # the subscript when it is not a string literal


@dataclass(frozen=True, slots=True)
class TTuple(Record):
    elements: tuple[Target, ...]


Target = TName | TAttr | TItem | TTuple


@dataclass(frozen=True, slots=True)
class Tag(Record):
    """A category written in the code (`# pii:` comment or `Annotated` marker)."""

    category: str
    pos: Pos
    origin: str  # "comment" or "annotation"


@dataclass(frozen=True, slots=True)
class Assign(Record):
    targets: tuple[Target, ...]
    value: Expr
    pos: Pos
    tags: tuple[Tag, ...] = ()
    type_name: str | None = None  # from an annotation


@dataclass(frozen=True, slots=True)
class Eval(Record):
    value: Expr


@dataclass(frozen=True, slots=True)
class Return(Record):
    value: Expr
    pos: Pos


@dataclass(frozen=True, slots=True)
class Raise(Record):
    value: Expr
    pos: Pos


@dataclass(frozen=True, slots=True)
class Reraise(Record):
    """A bare `raise` in a handler: the exception it handles goes on up."""

    pos: Pos


@dataclass(frozen=True, slots=True)
class Branch(Record):
    """Alternative blocks (if/else, try/except, match cases); at least one runs."""

    arms: tuple[Block, ...]
    may_skip: bool
    catches: bool = False  # try/except: the first arm is the `try` body, the others handle it


@dataclass(frozen=True, slots=True)
class Loop(Record):
    """A body that may run any number of times (for, while)."""

    body: Block


Stmt = Assign | Eval | Return | Raise | Reraise | Branch | Loop
Block = tuple[Stmt, ...]


@dataclass(frozen=True, slots=True)
class Param(Record):
    name: str
    kind: str  # "positional", "keyword", "*", "**"
    pos: Pos
    type_name: str | None = None
    tags: tuple[Tag, ...] = ()


@dataclass(frozen=True, slots=True)
class FunctionIR(Record):
    qualname: str
    name: str
    params: tuple[Param, ...]
    body: Block
    pos: Pos
    kind: str = "function"  # function, method, classmethod, staticmethod, property, module
    class_qualname: str | None = None
    parent: str | None = None  # the enclosing function, for closures
    return_type: str | None = None
    decorators: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FieldIR(Record):
    name: str
    pos: Pos
    type_name: str | None = None
    tags: tuple[Tag, ...] = ()
    # a class attribute's value (`error_messages = {...}`, `queryset = Basket.objects.all()`)
    value: Expr | None = None


@dataclass(frozen=True, slots=True)
class ClassIR(Record):
    qualname: str
    name: str
    bases: tuple[str, ...]
    decorators: tuple[str, ...]
    fields: tuple[FieldIR, ...]
    methods: tuple[tuple[str, str], ...]  # method name -> function qualname
    pos: Pos
    # the subscripted bases with their type arguments: `Repository[User]`, `Generic[ModelT]`
    base_args: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class Suppression(Record):
    line: int
    rules: tuple[str, ...]  # empty: every rule
    reason: str
    scope: str = LINE  # LINE, FILE or MISPLACED_FILE (see `privlint.suppressions`)


@dataclass(frozen=True, slots=True)
class ParseError(Record):
    """Why a file has no analysis: it does not parse ("parse"), a limit or a failed read
    skipped it ("skipped"), or the engine failed on it ("internal")."""

    line: int
    column: int
    message: str
    kind: str = "parse"
    detail: str = ""  # the traceback of an internal error, shown with --verbose


@dataclass(frozen=True, slots=True)
class FileFacts(Record):
    """A file as words, read before any parse (see `privlint.prefilter`)."""

    words: frozenset[str]
    seed: bool  # may hold personal data of its own: parsed up front
    error: ParseError | None = None  # the file cannot be parsed at all


@dataclass(frozen=True, slots=True)
class ModuleIR(Record):
    path: str  # relative to the project root, '/' separated
    name: str  # dotted module name
    is_package: bool
    imports: tuple[tuple[str, str], ...]  # local name -> qualified name
    body: FunctionIR  # module-level code
    functions: tuple[FunctionIR, ...]
    classes: tuple[ClassIR, ...]
    tags: tuple[Tag, ...] = ()
    suppressions: tuple[Suppression, ...] = ()
    error: ParseError | None = None
    placeholders: bool = False  # positions are `placeholder`s until located
    dependencies: tuple[str, ...] = ()  # dotted names imported anywhere (to prefetch them)
    # (how, signal, receiver): `@how(signal)` on a function (`@receiver(post_saved)`) or a
    # `signal.connect(receiver)` call (how = "connect"), as dotted names resolved at module level
    connections: tuple[tuple[str, str, str], ...] = ()
