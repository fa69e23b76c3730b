"""One module's source → its `ModuleIR` (parallel, cacheable, no CST in the result).

Lowering keeps only what dataflow needs: assignments, calls, returns, raises,
branches and loops over a small expression language, with positions, the
`# pii:` tags and the `# privlint: ignore` comments of the file.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from privlint.analysis import ir
from privlint.analysis.decoding import as_utf8
from privlint.analysis.modules import absolute_import
from privlint.suppressions import FILE, LINE, MISPLACED_FILE

_PII_COMMENT = re.compile(r"#\s*pii:\s*([\w.]+(?:\s*,\s*[\w.]+)*)")
_SUPPRESSION = re.compile(r"#\s*privlint:\s*ignore(-file)?(?:\[([^\]]*)\])?[ \t]*(.*)")
_TYPE_WRAPPERS = {
    "Optional",
    "Union",
    "List",
    "list",
    "Sequence",
    "Iterable",
    "Iterator",
    "Set",
    "set",
    "FrozenSet",
    "frozenset",
    "Tuple",
    "tuple",
    "Mapped",
    "ClassVar",
    "Final",
    "Collection",
    "AsyncIterator",
    "AsyncIterable",
    "Generator",
    "AsyncGenerator",
    "Awaitable",
    "Coroutine",
    "QuerySet",
    "Required",
    "NotRequired",
    "ReadOnly",
}
_ALIAS_FORMS = {"Annotated", *_TYPE_WRAPPERS}  # subscripts that make a module-level type alias
_MAPPINGS = {"dict", "Dict", "Mapping", "MutableMapping", "DefaultDict", "OrderedDict"}
_UNINTERESTING_TYPES = {"str", "int", "float", "bool", "bytes", "None", "object", "Any"}


def summarize_source(source: bytes, path: str, module: str, is_package: bool) -> ir.ModuleIR:
    """Lower `source` (the bytes of `path`) to IR; a syntax error becomes `ModuleIR.error`.

    Computing positions costs twice the parse, so a file without privlint markers
    (`# pii:`, `"pii:..."` in `Annotated`, `# privlint:`) gets placeholders
    (`ir.is_placeholder`); `node_positions` recovers the real positions later,
    for the few files that end up in a finding.
    """
    try:
        tree = _parse(source)
    except (cst.ParserSyntaxError, cst.CSTValidationError) as error:
        # LibCST validates the nodes it builds: `b"x" "y"` parses, then fails validation.
        line, column, message = _syntax_error(source, error)
        return _broken(path, module, is_package, line, column, message)
    text = as_utf8(source)
    marked = b"pii:" in text or b"privlint:" in text  # tags need real lines at once
    positions = _positions(tree) if marked else None
    comments = _comments(tree, positions) if positions is not None else {}
    return _ModuleLowering(path, module, is_package, positions, comments).lower(tree)


def _parse(source: bytes) -> cst.Module:
    """LibCST's tree with identifiers NFKC-normalised, as CPython reads them: fullwidth
    `email` and `email` are one name to Python, so they are one name here."""
    tree = cst.parse_module(source)
    text = as_utf8(source)  # a UTF-7 file is ASCII bytes, yet may spell fullwidth letters
    if text.isascii() or unicodedata.is_normalized("NFKC", text.decode("utf-8", "replace")):
        return tree  # nothing to normalise: the common case, even with non-ASCII text
    return tree.visit(_NormalizedNames())


class _NormalizedNames(cst.CSTTransformer):
    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        value = unicodedata.normalize("NFKC", updated_node.value)
        if value == updated_node.value:
            return updated_node
        return updated_node.with_changes(value=value)


def node_positions(source: bytes, path: str, module: str, is_package: bool) -> list[ir.Pos]:
    """The real positions behind the placeholders `summarize_source` gave this file, in order."""
    tree = _parse(source)
    lowering = _ModuleLowering(path, module, is_package, _positions(tree), {})
    lowering.lower(tree)
    return lowering.recorded


def _positions(tree: cst.Module) -> Mapping[cst.CSTNode, CodeRange]:
    return MetadataWrapper(tree, unsafe_skip_copy=True).resolve(PositionProvider)


def _broken(
    path: str, module: str, is_package: bool, line: int, column: int, message: str
) -> ir.ModuleIR:
    body = ir.FunctionIR(module, module, (), (), ir.NO_POS, kind="module")
    error = ir.ParseError(line, column, " ".join(message.split()))
    return ir.ModuleIR(path, module, is_package, (), body, (), (), error=error)


def _syntax_error(
    source: bytes, error: cst.ParserSyntaxError | cst.CSTValidationError
) -> tuple[int, int, str]:
    """Where and why a file does not parse, as CPython says it (LibCST's location is rough)."""
    try:
        ast.parse(source)
    except SyntaxError as python_error:
        if python_error.lineno:
            return python_error.lineno, max((python_error.offset or 1) - 1, 0), python_error.msg
    except (ValueError, MemoryError, RecursionError):
        pass
    if isinstance(error, cst.CSTValidationError):
        return 1, 0, str(error)
    return error.raw_line, error.raw_column, error.message.removeprefix("parser error: ")


def _comments(tree: cst.Module, positions: Mapping[cst.CSTNode, CodeRange]) -> dict[int, str]:
    """Comment text by line, from the comment tokens of the grammar LibCST parsed: a `#`
    inside a PEP 701 f-string is text, whatever an older interpreter's tokenizer says."""
    found: dict[int, str] = {}

    class _Comments(cst.CSTVisitor):
        def visit_Comment(self, node: cst.Comment) -> None:
            found[positions[node].start.line] = node.value

    tree.visit(_Comments())
    return found


class _ModuleLowering:
    """Walks one module's CST once and builds its IR."""

    def __init__(
        self,
        path: str,
        module: str,
        is_package: bool,
        positions: Mapping[cst.CSTNode, CodeRange] | None,
        comments: dict[int, str],
    ) -> None:
        self.path = path
        self.module = module
        self.is_package = is_package
        self.positions = positions
        self.comments = comments
        self.aliases: dict[str, str] = {}  # module-level import aliases, for annotations
        self.imports: list[tuple[str, str]] = []
        self.dependencies: dict[str, None] = {}  # every module path imported, anywhere
        self.connections: list[tuple[str, str, str]] = []  # see `ir.ModuleIR.connections`
        self.functions: list[ir.FunctionIR] = []
        self.classes: list[ir.ClassIR] = []
        self.tags: list[ir.Tag] = []
        self.scope = module  # the function (or module) whose body is being lowered
        self.lambdas: dict[str, int] = {}  # lambdas lowered so far, per scope, for their names
        self.recorded: list[ir.Pos] = []  # real positions, in the order placeholders count
        self.placeholders = 0

    # ----------------------------------------------------------------- module
    def lower(self, tree: cst.Module) -> ir.ModuleIR:
        self._collect_top_level_imports(tree.body)
        self._collect_type_aliases(tree.body)
        body = self._block(tree.body, self.module)
        module_fn = ir.FunctionIR(self.module, self.module, (), body, ir.NO_POS, kind="module")
        return ir.ModuleIR(
            path=self.path,
            name=self.module,
            is_package=self.is_package,
            imports=tuple(self.imports),
            body=module_fn,
            functions=tuple(self.functions),
            classes=tuple(self.classes),
            tags=tuple(self.tags),
            suppressions=self._suppressions(header=len(tree.header)),
            placeholders=self.positions is None,
            dependencies=tuple(self.dependencies),
            connections=tuple(self.connections),
        )

    def _collect_top_level_imports(
        self, statements: Sequence[cst.BaseStatement | cst.BaseSmallStatement]
    ) -> None:
        for statement in statements:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, (cst.Import, cst.ImportFrom)):
                        for local, target in self._import_bindings(small):
                            self.aliases[local] = target
                            self.imports.append((local, target))
            elif isinstance(statement, (cst.If, cst.Try)):
                self._collect_top_level_imports(statement.body.body)
                nested = statement.handlers if isinstance(statement, cst.Try) else ()
                for handler in nested:
                    self._collect_top_level_imports(handler.body.body)
                orelse = statement.orelse
                if isinstance(orelse, cst.Else):
                    self._collect_top_level_imports(orelse.body.body)

    def _collect_type_aliases(self, statements: Sequence[cst.BaseStatement]) -> None:
        """Module-level type aliases name their class, like an import of it:
        `CurrentUser = Annotated[User, Depends(get_user)]`, `Maybe = Optional[User]`,
        `Alias: TypeAlias = User`, `type Alias = User`."""
        for statement in statements:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                target, value = _alias_parts(small)
                if target is None or value is None:
                    continue
                type_name, _ = self._annotation(value)
                if type_name is not None and type_name != f"{self.module}.{target}":
                    self.imports.append((target, type_name))

    def _suppressions(self, header: int) -> tuple[ir.Suppression, ...]:
        """The file's `# privlint: ignore` comments; an `ignore-file` one covers the file
        only from the `header` lines (the comments before the first statement)."""
        found = []
        for line, text in sorted(self.comments.items()):
            match = _SUPPRESSION.search(text)
            if match:
                rules = tuple(r.strip() for r in (match.group(2) or "").split(",") if r.strip())
                scope = LINE
                if match.group(1):
                    scope = FILE if line <= header else MISPLACED_FILE
                found.append(ir.Suppression(line, rules, match.group(3).strip(), scope))
        return tuple(found)

    # ------------------------------------------------------------- positions
    def _pos(self, node: cst.CSTNode) -> ir.Pos:
        if self.positions is None:
            self.placeholders += 1
            return (-self.placeholders, 0, -self.placeholders, 0)
        code_range = self.positions[node]
        start, end = code_range.start, code_range.end
        pos = (start.line, start.column, end.line, end.column)
        self.recorded.append(pos)
        return pos

    def _comment_tags(self, line: int) -> tuple[ir.Tag, ...]:
        text = self.comments.get(line)
        if not text:
            return ()
        match = _PII_COMMENT.search(text)
        if not match:
            return ()
        column = text.find("pii:")
        tags = tuple(
            ir.Tag(category.strip(), (line, column, line, column), "comment")
            for category in match.group(1).split(",")
        )
        self.tags.extend(tags)
        return tags

    # ---------------------------------------------------------------- imports
    def _import_bindings(self, node: cst.Import | cst.ImportFrom) -> Iterable[tuple[str, str]]:
        if isinstance(node, cst.Import):
            for alias in node.names:
                dotted = _dotted_name(alias.name) or ""
                self.dependencies[dotted] = None
                if alias.asname is not None:
                    yield _asname(alias), dotted
                else:
                    head = dotted.split(".")[0]
                    yield head, head
            return
        base = absolute_import(
            self.module,
            self.is_package,
            len(node.relative),
            _dotted_name(node.module) if node.module is not None else None,
        )
        if base:
            self.dependencies[base] = None
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            name = _dotted_name(alias.name) or ""
            local = _asname(alias) if alias.asname is not None else name
            target = f"{base}.{name}" if base else name
            self.dependencies[target] = None  # `from pkg import module` names a module
            yield local, target

    # ------------------------------------------------------------ statements
    def _block(self, statements: Sequence[cst.BaseStatement], scope: str) -> ir.Block:
        lowered: list[ir.Stmt] = []
        outer, self.scope = self.scope, scope
        try:
            for statement in statements:
                lowered.extend(self._statement(statement, scope))
        finally:
            self.scope = outer
        return tuple(lowered)

    def _suite(self, suite: cst.BaseSuite, scope: str) -> ir.Block:
        if isinstance(suite, cst.IndentedBlock):
            return self._block(suite.body, scope)
        assert isinstance(suite, cst.SimpleStatementSuite)
        return tuple(s for small in suite.body for s in self._small(small))

    def _statement(self, node: cst.BaseStatement, scope: str) -> Iterable[ir.Stmt]:
        if isinstance(node, cst.SimpleStatementLine):
            for small in node.body:
                yield from self._small(small)
        elif isinstance(node, cst.FunctionDef):
            qualname = self._function(node, scope, None)
            yield self._bind(node.name.value, qualname)
        elif isinstance(node, cst.ClassDef):
            qualname = self._class(node, scope)
            yield self._bind(node.name.value, qualname)
        elif isinstance(node, cst.If):
            yield ir.Eval(ir.Drop((self._expr(node.test),)))
            orelse: ir.Block = ()
            if isinstance(node.orelse, cst.If):
                orelse = tuple(self._statement(node.orelse, scope))
            elif isinstance(node.orelse, cst.Else):
                orelse = self._suite(node.orelse.body, scope)
            yield ir.Branch((self._suite(node.body, scope), orelse), may_skip=False)
        elif isinstance(node, cst.For):
            iterable = self._expr(node.iter)
            head = ir.Assign((self._target(node.target),), iterable, self._pos(node.target))
            yield ir.Loop((head, *self._suite(node.body, scope)))
            if node.orelse is not None:
                yield from self._suite(node.orelse.body, scope)
        elif isinstance(node, cst.While):
            test = ir.Eval(ir.Drop((self._expr(node.test),)))
            yield ir.Loop((test, *self._suite(node.body, scope)))
            if node.orelse is not None:
                yield from self._suite(node.orelse.body, scope)
        elif isinstance(node, cst.With):
            for item in node.items:
                value = self._expr(item.item)
                if item.asname is not None:
                    target = self._target(item.asname.name)
                    yield ir.Assign((target,), value, self._pos(item))
                else:
                    yield ir.Eval(value)
            yield from self._suite(node.body, scope)
        elif isinstance(node, (cst.Try, cst.TryStar)):
            tried = self._suite(node.body, scope) + self._orelse(node.orelse, scope)
            handlers = tuple(self._handler(handler, scope) for handler in node.handlers)
            yield ir.Branch((tried, *handlers), may_skip=False, catches=True)
            if node.finalbody is not None:
                yield from self._suite(node.finalbody.body, scope)
        elif isinstance(node, cst.Match):
            subject = self._expr(node.subject)
            yield ir.Eval(subject)
            arms = tuple(self._match_case(case, subject, scope) for case in node.cases)
            yield ir.Branch(arms, may_skip=True)

    def _orelse(self, orelse: cst.Else | None, scope: str) -> ir.Block:
        return self._suite(orelse.body, scope) if orelse is not None else ()

    def _match_case(self, case: cst.MatchCase, subject: ir.Expr, scope: str) -> ir.Block:
        pos = self._pos(case.pattern)
        captures = [
            ir.Assign((ir.TName(name),), part, pos)
            for name, part in _pattern_captures(case.pattern, subject)
        ]
        return (*captures, *self._suite(case.body, scope))

    def _bind(self, name: str, qualname: str) -> ir.Assign:
        return ir.Assign((ir.TName(name),), ir.Global(qualname), ir.NO_POS)

    def _small(self, node: cst.BaseSmallStatement) -> Iterable[ir.Stmt]:
        if isinstance(node, cst.Assign):
            pos = self._pos(node)
            targets = tuple(self._target(t.target) for t in node.targets)
            yield ir.Assign(targets, self._expr(node.value), pos, self._comment_tags(pos[0]))
        elif isinstance(node, cst.AnnAssign):
            pos = self._pos(node)
            type_name, marker_tags = self._annotation(node.annotation.annotation)
            tags = marker_tags + self._comment_tags(pos[0])
            value = self._expr(node.value) if node.value is not None else ir.CONST
            if node.value is not None or tags:
                target = self._target(node.target)
                yield ir.Assign((target,), value, pos, tags, type_name)
        elif isinstance(node, cst.AugAssign):
            pos = self._pos(node)
            combined = ir.Combine((self._expr(node.target), self._expr(node.value)))
            yield ir.Assign((self._target(node.target),), combined, pos)
        elif isinstance(node, cst.Expr):
            # A docstring or `...` does nothing: left out, editing a docstring keeps the IR.
            if not isinstance(node.value, (cst.SimpleString, cst.Ellipsis)):
                yield ir.Eval(self._expr(node.value))
        elif isinstance(node, cst.Return):
            value = self._expr(node.value) if node.value is not None else ir.CONST
            yield ir.Return(value, self._pos(node))
        elif isinstance(node, cst.Raise) and node.exc is not None:
            yield ir.Raise(self._expr(node.exc), self._pos(node))
        elif isinstance(node, cst.Raise):
            yield ir.Reraise(self._pos(node))
        elif isinstance(node, cst.Assert):
            yield ir.Eval(ir.Drop((self._expr(node.test),)))
        elif isinstance(node, (cst.Import, cst.ImportFrom)):
            for local, qualname in self._import_bindings(node):
                yield self._bind(local, qualname)

    def _handler(self, node: cst.ExceptHandler | cst.ExceptStarHandler, scope: str) -> ir.Block:
        body = self._suite(node.body, scope)
        if node.name is None or not isinstance(node.name.name, cst.Name):
            return body
        name = node.name.name.value
        pos = self._pos(node.name)
        return (ir.Assign((ir.TName(name),), ir.Caught(name, pos), pos), *body)

    def _target(self, node: cst.BaseExpression) -> ir.Target:
        if isinstance(node, cst.Name):
            return ir.TName(node.value)
        if isinstance(node, cst.Attribute):
            return ir.TAttr(self._expr(node.value), node.attr.value)
        if isinstance(node, cst.Subscript):
            key = _literal_key(node)
            index = None
            if key is None and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
                index = self._expr(node.slice[0].slice.value)
            return ir.TItem(self._expr(node.value), key, index)
        if isinstance(node, (cst.Tuple, cst.List)):
            return ir.TTuple(tuple(self._target(element.value) for element in node.elements))
        if isinstance(node, cst.StarredElement):
            return self._target(node.value)
        return ir.TTuple(())

    # ------------------------------------------------------------ definitions
    def _function(self, node: cst.FunctionDef, scope: str, owner: str | None) -> str:
        decorators = tuple(_dotted_name(d.decorator) or "" for d in node.decorators)
        # A property's setter is a method of its own (`email.setter`), beside the getter.
        accessor = next((d for d in decorators if d.endswith((".setter", ".deleter"))), "")
        qualname = f"{scope}.{node.name.value}{accessor[accessor.rfind('.') :]}"
        # A decorator factory (`@retry(3)`) is marked as called: its result decorates.
        resolved_decorators = tuple(
            self._resolve_dotted(name) + ("()" if isinstance(d.decorator, cst.Call) else "")
            for name, d in zip(decorators, node.decorators, strict=True)
            if name
        )
        for decorator in node.decorators:
            if isinstance(decorator.decorator, cst.Call):
                self._connect(decorator.decorator, qualname)
        kind = "function" if owner is None else _method_kind(decorators)
        return_type = None
        if node.returns is not None:
            return_type, _ = self._annotation(node.returns.annotation)
        function = ir.FunctionIR(
            qualname=qualname,
            name=node.name.value,
            params=self._params(node.params),
            body=self._suite(node.body, qualname),
            pos=self._pos(node.name),
            kind=kind,
            class_qualname=owner,
            return_type=return_type,
            decorators=resolved_decorators,
            parent=scope if scope != self.module and owner is None else None,
        )
        self.functions.append(function)
        return qualname

    def _params(self, params: cst.Parameters) -> tuple[ir.Param, ...]:
        lowered = []
        groups: list[tuple[str, Sequence[cst.Param]]] = [
            ("positional", params.posonly_params),
            ("positional", params.params),
            ("keyword", params.kwonly_params),
        ]
        if isinstance(params.star_arg, cst.Param):
            groups.insert(2, ("*", [params.star_arg]))
        if params.star_kwarg is not None:
            groups.append(("**", [params.star_kwarg]))
        for kind, group in groups:
            for param in group:
                pos = self._pos(param.name)
                type_name: str | None = None
                tags: tuple[ir.Tag, ...] = ()
                if param.annotation is not None:
                    type_name, tags = self._annotation(param.annotation.annotation)
                tags = tags + self._comment_tags(pos[0])
                lowered.append(ir.Param(param.name.value, kind, pos, type_name, tags))
        return tuple(lowered)

    def _class(self, node: cst.ClassDef, scope: str) -> str:
        qualname = f"{scope}.{node.name.value}"
        fields: list[ir.FieldIR] = []
        methods: list[tuple[str, str]] = []
        for statement in _suite_statements(node.body):
            if isinstance(statement, cst.FunctionDef):
                method = self._function(statement, qualname, qualname)
                methods.append((method[len(qualname) + 1 :], method))
            elif isinstance(statement, cst.ClassDef):
                self._class(statement, qualname)
            elif isinstance(statement, cst.SimpleStatementLine):
                fields.extend(self._fields(statement))
        bases: list[str] = []
        base_args: list[tuple[str, tuple[str, ...]]] = []
        for arg in node.bases:
            written = arg.value.value if isinstance(arg.value, cst.Subscript) else arg.value
            name = _dotted_name(written) if arg.keyword is None else None
            if not name:
                continue
            bases.append(self._resolve_dotted(name))
            if isinstance(arg.value, cst.Subscript):
                base_args.append((bases[-1], self._type_arguments(arg.value)))
        decorators = tuple(
            self._resolve_dotted(name)
            for name in (_dotted_name(d.decorator) for d in node.decorators)
            if name
        )
        self.classes.append(
            ir.ClassIR(
                qualname,
                node.name.value,
                tuple(bases),
                decorators,
                tuple(fields),
                tuple(methods),
                self._pos(node.name),
                tuple(base_args),
            )
        )
        return qualname

    def _fields(self, line: cst.SimpleStatementLine) -> Iterable[ir.FieldIR]:
        for small in line.body:
            if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                pos = self._pos(small.target)
                type_name, tags = self._annotation(small.annotation.annotation)
                tags = tags + self._comment_tags(pos[0])
                value = self._class_value(small.value)
                yield ir.FieldIR(small.target.value, pos, type_name, tags, value)
            elif isinstance(small, cst.Assign):
                value = self._class_value(small.value)
                for target in small.targets:
                    if isinstance(target.target, cst.Name):
                        pos = self._pos(target.target)
                        tags = self._comment_tags(pos[0])
                        yield ir.FieldIR(target.target.value, pos, None, tags, value)

    def _class_value(self, node: cst.BaseExpression | None) -> ir.Expr | None:
        """A class attribute's value: literals (and translations of them), so
        `self.error_messages["duplicate_email"]` is judged by its value, not its key; and
        what names, attributes and calls build (`queryset = Basket.objects.filter(...)`,
        `formatters = {"csv": CSVFormatter}`), which the interpreter evaluates in the
        class's module."""
        return self._expr(node) if isinstance(node, _CLASS_VALUES) else None

    # ------------------------------------------------------------ annotations
    def _annotation(self, node: cst.BaseExpression) -> tuple[str | None, tuple[ir.Tag, ...]]:
        """The class an annotation names (unwrapping Optional, list, Mapped…) and pii markers."""
        if isinstance(node, cst.SimpleString):
            return self._string_annotation(node), ()
        if isinstance(node, cst.BinaryOperation):
            left, left_tags = self._annotation(node.left)
            right, right_tags = self._annotation(node.right)
            return left or right, left_tags + right_tags
        if isinstance(node, cst.Subscript):
            return self._subscript_annotation(node)
        name = _dotted_name(node)
        if name is None or name.split(".")[-1] in _UNINTERESTING_TYPES:
            return None, ()
        return self._resolve_dotted(name), ()

    def _subscript_annotation(self, node: cst.Subscript) -> tuple[str | None, tuple[ir.Tag, ...]]:
        base = (_dotted_name(node.value) or "").split(".")[-1]
        elements = [
            element.slice.value for element in node.slice if isinstance(element.slice, cst.Index)
        ]
        if not elements:
            return None, ()
        if base == "Annotated":
            type_name, tags = self._annotation(elements[0])
            markers = tuple(
                ir.Tag(value[4:].strip(), self._pos(element), "annotation")
                for element in elements[1:]
                if isinstance(element, cst.SimpleString)
                for value in [_string_value(element)]
                if value is not None and value.startswith("pii:")
            )
            self.tags.extend(markers)
            return type_name, tags + markers
        if base in _MAPPINGS and len(elements) == 2:
            return self._annotation(elements[1])
        if base in ("type", "Type") and len(elements) == 1:  # the class itself, not an instance
            inner, tags = self._annotation(elements[0])
            return (ir.class_object(inner) if inner else None), tags
        if base in _TYPE_WRAPPERS:
            found: str | None = None
            all_tags: tuple[ir.Tag, ...] = ()
            for element in elements:
                type_name, tags = self._annotation(element)
                found = found or type_name
                all_tags += tags
            return found, all_tags
        generic, tags = self._annotation(node.value)
        arguments = self._type_arguments(node)
        if generic is not None and any(arguments):  # `Repository[User]`
            return f"{generic}[{','.join(arguments)}]", tags
        return generic, tags

    def _type_arguments(self, node: cst.Subscript) -> tuple[str, ...]:
        """The classes (or type variables) a subscript names, `builtins.object` for others."""
        return tuple(
            self._annotation(element.slice.value)[0] or "builtins.object"
            if isinstance(element.slice, cst.Index)
            else "builtins.object"
            for element in node.slice
        )

    def _string_annotation(self, node: cst.SimpleString) -> str | None:
        value = _string_value(node)
        if not value or not re.fullmatch(r"[A-Za-z_][\w.]*", value):
            return None
        if value.split(".")[-1] in _UNINTERESTING_TYPES:
            return None
        return self._resolve_dotted(value)

    def _resolve_dotted(self, dotted: str) -> str:
        """A dotted name as written at module level → its qualified name."""
        head, _, rest = dotted.partition(".")
        if head in self.aliases:
            base = self.aliases[head]
        elif head in _BUILTIN_NAMES:
            base = f"builtins.{head}"
        else:
            base = f"{self.module}.{head}"
        return f"{base}.{rest}" if rest else base

    # ------------------------------------------------------------ expressions
    def _expr(self, node: cst.BaseExpression | None) -> ir.Expr:
        if node is None:
            return ir.CONST
        handler = _EXPRESSIONS.get(type(node))
        if handler is not None:
            return handler(self, node)
        return ir.CONST

    def _exprs(self, nodes: Iterable[cst.BaseExpression]) -> tuple[ir.Expr, ...]:
        return tuple(self._expr(node) for node in nodes)

    def _name(self, node: cst.Name) -> ir.Expr:
        if node.value in ("True", "False", "None"):
            return ir.CONST
        return ir.Name(node.value, self._pos(node))

    def _attribute(self, node: cst.Attribute) -> ir.Expr:
        return ir.Attr(self._expr(node.value), node.attr.value, self._pos(node))

    def _call(self, node: cst.Call) -> ir.Expr:
        args: list[ir.Arg] = []
        position = 0
        for arg in node.args:
            value = self._expr(arg.value)
            if arg.keyword is not None:
                args.append(ir.Arg(arg.keyword.value, value))
            elif arg.star == "**":
                args.append(ir.Arg("**", value, "**"))
            else:
                args.append(ir.Arg(position, value, arg.star if arg.star == "*" else ""))
                position += 1
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "connect":
            self._connected(node)
        return ir.Call(self._expr(node.func), tuple(args), self._pos(node))

    def _connect(self, call: cst.Call, receiver: str) -> None:
        """`@how(signal, ...)` / `@how([signal, other])` on `receiver`: a connection each."""
        how = _dotted_name(call.func)
        if how is None or not call.args or call.args[0].keyword is not None:
            return
        first = call.args[0].value
        listed = first.elements if isinstance(first, (cst.List, cst.Tuple)) else ()
        for signal in [_plain_name(e.value) for e in listed] or [_plain_name(first)]:
            if signal is not None:
                resolved = (self._resolve_dotted(how), self._resolve_dotted(signal))
                self.connections.append((*resolved, receiver))

    def _connected(self, node: cst.Call) -> None:
        """`signal.connect(receiver, ...)` (or `receiver=...`) with both as dotted names."""
        assert isinstance(node.func, cst.Attribute)
        signal = _plain_name(node.func.value)
        given = [
            arg.value
            for arg in node.args
            if (arg.keyword is None and not arg.star)
            or (arg.keyword is not None and arg.keyword.value == "receiver")
        ]
        receiver = _plain_name(given[0]) if given else None
        if signal is not None and receiver is not None:
            resolved = (self._resolve_dotted(signal), self._resolve_dotted(receiver))
            self.connections.append(("connect", *resolved))

    def _subscript(self, node: cst.Subscript) -> ir.Expr:
        base = self._expr(node.value)
        if any(isinstance(element.slice, cst.Slice) for element in node.slice):
            return ir.Combine((base,))
        type_args = None
        if all(_names_a_class(element.slice) for element in node.slice):  # `Repository[User]`
            type_args = ",".join(self._type_arguments(node))
        return ir.Item(base, _literal_key(node), self._pos(node), type_args)

    def _string(self, node: cst.SimpleString) -> ir.Expr:
        return ir.Const(_string_value(node))

    def _fstring(self, node: cst.FormattedString) -> ir.Expr:
        return ir.Combine(
            tuple(
                self._expr(part.expression)
                for part in node.parts
                if isinstance(part, cst.FormattedStringExpression)
            )
        )

    def _concatenated(self, node: cst.ConcatenatedString) -> ir.Expr:
        """`"a" "b"` is one literal (a template split over lines), unless a part is an f-string."""
        texts: list[str] = []
        current: cst.BaseExpression = node
        while isinstance(current, cst.ConcatenatedString):
            parts = (current.left, current.right)
            if not isinstance(parts[0], cst.SimpleString):
                return self._chain(node)
            texts.append(_string_value(parts[0]) or "")
            current = parts[1]
        if not isinstance(current, cst.SimpleString) or _string_value(current) is None:
            return self._chain(node)
        return ir.Const("".join([*texts, _string_value(current) or ""]))

    def _binary(self, node: cst.BinaryOperation) -> ir.Expr:
        return self._chain(node)

    def _boolean(self, node: cst.BooleanOperation) -> ir.Expr:
        return self._chain(node)

    def _chain(self, node: _Chain) -> ir.Expr:
        """`a + b + c`, `x and y or z`, `"a" "b"`: one flat Combine, built without recursion.

        Generated code has chains of thousands of terms, as deep in the CST; nested
        IR that deep would overflow the recursion of every later stage.
        """
        parts: list[ir.Expr] = []
        pending: list[cst.BaseExpression] = [node]
        while pending:
            current = pending.pop()
            if isinstance(current, _CHAINS):
                pending += (current.right, current.left)
            else:
                parts.append(self._expr(current))
        return ir.Combine(tuple(parts))

    def _unary(self, node: cst.UnaryOperation) -> ir.Expr:
        inner = self._expr(node.expression)
        return ir.Drop((inner,)) if isinstance(node.operator, cst.Not) else ir.Combine((inner,))

    def _comparison(self, node: cst.Comparison) -> ir.Expr:
        parts = [self._expr(node.left)]
        parts.extend(self._expr(target.comparator) for target in node.comparisons)
        return ir.Drop(tuple(parts))

    def _if_exp(self, node: cst.IfExp) -> ir.Expr:
        test = ir.Drop((self._expr(node.test),))
        return ir.Combine((test, self._expr(node.body), self._expr(node.orelse)))

    def _sequence(self, node: cst.List | cst.Tuple | cst.Set) -> ir.Expr:
        positional = isinstance(node, cst.Tuple) and not any(
            isinstance(element, cst.StarredElement) for element in node.elements
        )
        return ir.Combine(self._exprs(element.value for element in node.elements), positional)

    def _dict(self, node: cst.Dict) -> ir.Expr:
        items: list[tuple[str | None, ir.Expr]] = []
        keys: list[ir.Expr] = []
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                key = element.key
                literal = _string_value(key) if isinstance(key, cst.SimpleString) else None
                if literal is None and not isinstance(key, cst.SimpleString):
                    keys.append(self._expr(key))
                items.append((literal, self._expr(element.value)))
            else:
                items.append(("**", self._expr(element.value)))
        return ir.DictLit(tuple(items), tuple(keys))

    def _comprehension(
        self, node: cst.ListComp | cst.SetComp | cst.GeneratorExp | cst.DictComp
    ) -> ir.Expr:
        bindings: list[tuple[ir.Target, ir.Expr]] = []
        conditions: list[ir.Expr] = []
        clause: cst.CompFor | None = node.for_in
        while clause is not None:
            bindings.append((self._target(clause.target), self._expr(clause.iter)))
            conditions.extend(ir.Drop((self._expr(c.test),)) for c in clause.ifs)
            clause = clause.inner_for_in
        if isinstance(node, cst.DictComp):
            key = self._expr(node.key)
            return ir.Comprehension(
                tuple(bindings), tuple(conditions), (self._expr(node.value),), key
            )
        return ir.Comprehension(tuple(bindings), tuple(conditions), (self._expr(node.elt),))

    def _lambda(self, node: cst.Lambda) -> ir.Expr:
        """A lambda is a function of its own (`<lambda1>` in its scope): calling it later,
        `g = lambda: email; log(g())`, runs its body like any nested function's."""
        scope = self.scope
        count = self.lambdas[scope] = self.lambdas.get(scope, 0) + 1
        qualname = f"{scope}.<lambda{count}>"
        params = self._params(node.params)
        pos = self._pos(node)
        outer, self.scope = self.scope, qualname
        try:
            body = (ir.Return(self._expr(node.body), pos),)
        finally:
            self.scope = outer
        parent = scope if scope != self.module else None
        self.functions.append(
            ir.FunctionIR(qualname, f"<lambda{count}>", params, body, pos, parent=parent)
        )
        return ir.Global(qualname)

    def _await(self, node: cst.Await) -> ir.Expr:
        return self._expr(node.expression)

    def _yield(self, node: cst.Yield) -> ir.Expr:
        value = node.value
        inner = value.item if isinstance(value, cst.From) else value
        return ir.Yield(self._expr(inner), self._pos(node))

    def _walrus(self, node: cst.NamedExpr) -> ir.Expr:
        target = node.target
        value = self._expr(node.value)
        return ir.Walrus(target.value, value) if isinstance(target, cst.Name) else value

    def _starred(self, node: cst.StarredElement) -> ir.Expr:
        return self._expr(node.value)


_Chain = cst.BinaryOperation | cst.BooleanOperation | cst.ConcatenatedString
_CHAINS = (cst.BinaryOperation, cst.BooleanOperation, cst.ConcatenatedString)

_EXPRESSIONS: dict[type[cst.CSTNode], Callable[[_ModuleLowering, Any], ir.Expr]] = {
    cst.Name: _ModuleLowering._name,
    cst.Attribute: _ModuleLowering._attribute,
    cst.Call: _ModuleLowering._call,
    cst.Subscript: _ModuleLowering._subscript,
    cst.SimpleString: _ModuleLowering._string,
    cst.FormattedString: _ModuleLowering._fstring,
    cst.ConcatenatedString: _ModuleLowering._concatenated,
    cst.BinaryOperation: _ModuleLowering._binary,
    cst.BooleanOperation: _ModuleLowering._boolean,
    cst.UnaryOperation: _ModuleLowering._unary,
    cst.Comparison: _ModuleLowering._comparison,
    cst.IfExp: _ModuleLowering._if_exp,
    cst.List: _ModuleLowering._sequence,
    cst.Tuple: _ModuleLowering._sequence,
    cst.Set: _ModuleLowering._sequence,
    cst.Dict: _ModuleLowering._dict,
    cst.ListComp: _ModuleLowering._comprehension,
    cst.SetComp: _ModuleLowering._comprehension,
    cst.GeneratorExp: _ModuleLowering._comprehension,
    cst.DictComp: _ModuleLowering._comprehension,
    cst.Lambda: _ModuleLowering._lambda,
    cst.Await: _ModuleLowering._await,
    cst.Yield: _ModuleLowering._yield,
    cst.NamedExpr: _ModuleLowering._walrus,
    cst.StarredElement: _ModuleLowering._starred,
}

_BUILTIN_NAMES = frozenset(dir(__import__("builtins")))


# The class attributes whose values the IR keeps (see `_ModuleLowering._class_value`).
_CLASS_VALUES = (
    cst.SimpleString,
    cst.Integer,
    cst.Dict,
    cst.List,
    cst.Tuple,
    cst.Name,
    cst.Attribute,
    cst.Call,
)


def _alias_parts(small: cst.BaseSmallStatement) -> tuple[str | None, cst.BaseExpression | None]:
    """The name and type of a statement that declares a type alias, else (None, None)."""
    if isinstance(small, cst.TypeAlias):
        return small.name.value, small.value
    if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
        annotated = _dotted_name(small.annotation.annotation) or ""
        if annotated.split(".")[-1] == "TypeAlias":
            return small.target.value, small.value
    if (
        isinstance(small, cst.Assign)
        and len(small.targets) == 1
        and isinstance(small.targets[0].target, cst.Name)
        and isinstance(small.value, cst.Subscript)
        and (_dotted_name(small.value.value) or "").split(".")[-1] in _ALIAS_FORMS
    ):
        return small.targets[0].target.value, small.value
    return None, None


def _names_a_class(index: cst.BaseSlice) -> bool:
    """Whether a subscript's index reads as a class (`User`, `models.User`), by its case."""
    if not isinstance(index, cst.Index):
        return False
    name = _dotted_name(index.value)
    return name is not None and name.rsplit(".", 1)[-1][:1].isupper()


def _suite_statements(suite: cst.BaseSuite) -> Sequence[cst.BaseStatement]:
    return suite.body if isinstance(suite, cst.IndentedBlock) else ()


def _dotted_name(node: cst.CSTNode | None) -> str | None:
    """`a.b.c` for Name/Attribute chains (a decorator call `d(...)` gives `d`)."""
    if isinstance(node, cst.Call):
        return _dotted_name(node.func)
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted_name(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def _plain_name(node: cst.BaseExpression) -> str | None:
    """`a.b.c` for Name/Attribute chains only (a call's result is no name)."""
    return None if isinstance(node, cst.Call) else _dotted_name(node)


def _asname(alias: cst.ImportAlias) -> str:
    assert alias.asname is not None
    name = alias.asname.name
    return name.value if isinstance(name, cst.Name) else ""


def _string_value(node: cst.SimpleString | cst.ConcatenatedString) -> str | None:
    try:
        value = node.evaluated_value
    except Exception:  # a malformed literal the parser still accepted; a chain too deep
        return None
    return value if isinstance(value, str) else None


def _literal_key(node: cst.Subscript) -> str | None:
    if len(node.slice) != 1:
        return None
    index = node.slice[0].slice
    if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
        return _string_value(index.value)
    return None


def _method_kind(decorators: tuple[str, ...]) -> str:
    names = {decorator.split(".")[-1] for decorator in decorators}
    for kind in ("staticmethod", "classmethod", "property", "cached_property"):
        if kind in names:
            return "property" if kind == "cached_property" else kind
    return "method"


def _pattern_captures(
    pattern: cst.MatchPattern | cst.MatchStar, subject: ir.Expr
) -> Iterable[tuple[str, ir.Expr]]:
    """Names a `case` pattern binds, with the part of the subject each one holds."""
    if isinstance(pattern, cst.MatchAs):
        if pattern.name is not None:
            yield pattern.name.value, subject
        if pattern.pattern is not None:
            yield from _pattern_captures(pattern.pattern, subject)
    elif isinstance(pattern, cst.MatchStar) and pattern.name is not None:
        yield pattern.name.value, subject
    elif isinstance(pattern, (cst.MatchSequence, cst.MatchList, cst.MatchTuple)):
        for element in pattern.patterns:
            inner = element.value if isinstance(element, cst.MatchSequenceElement) else element
            yield from _pattern_captures(inner, subject)
    elif isinstance(pattern, cst.MatchMapping):
        for entry in pattern.elements:
            key = _string_value(entry.key) if isinstance(entry.key, cst.SimpleString) else None
            yield from _pattern_captures(entry.pattern, ir.Item(subject, key, ir.NO_POS))
        if pattern.rest is not None:
            yield pattern.rest.value, subject
    elif isinstance(pattern, cst.MatchClass):
        for positional in pattern.patterns:
            yield from _pattern_captures(positional.value, subject)
        for keyword in pattern.kwds:
            attribute = ir.Attr(subject, keyword.key.value, ir.NO_POS)
            yield from _pattern_captures(keyword.pattern, attribute)
    elif isinstance(pattern, cst.MatchOr):
        for alternative in pattern.patterns:
            yield from _pattern_captures(alternative.pattern, subject)
