"""HCL sources of a Terraform configuration, compiled once into small expression trees.

The plan reader evaluates wiring the way Terraform does (``readers/evaluate.py``); the
plan JSON only keeps an expression's ``references``, so the expressions themselves come
from the ``.tf`` files: the root module's and, for each module call, the module's own
(a local ``source`` path, or after ``terraform init`` the directory that
``.terraform/modules/modules.json`` names). Files are parsed with python-hcl2's lark
grammar (``hcl2.parses_to_tree``) and compiled here into :class:`Expr` nodes, so the
evaluator never sees the parser and each file is parsed once.

Anything the compiler does not understand becomes an :class:`Unsupported` node that
evaluates to "unknown, because ...": it can never become a value by mistake.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "Binary",
    "Block",
    "BlockBody",
    "Call",
    "Cond",
    "DynamicBlock",
    "Expr",
    "ForExpr",
    "GetAttr",
    "Index",
    "Lit",
    "ModuleCall",
    "ModuleConfig",
    "Name",
    "Object",
    "Resource",
    "Sources",
    "Splat",
    "Template",
    "Tuple",
    "Unary",
    "Unsupported",
    "Variable",
    "load_sources",
]

@dataclass(frozen=True, eq=False)
class SourceFile:
    """One ``.tf`` file: its path (for messages) and text (for expression text)."""

    path: Path
    text: str


@dataclass(eq=False, kw_only=True)
class Expr:
    """An HCL expression node. ``free`` holds the root names it uses unbound (``var``,
    ``local``, ``aws_subnet``, ``count``, ``each``, for-expression iterators, ...);
    ``heads`` the references Terraform would list for it (``var.x``, ``aws_subnet.a``)."""

    source: SourceFile | None = field(default=None, repr=False)
    start: int = field(default=0, repr=False)
    end: int = field(default=0, repr=False)
    free: frozenset[str] = field(default=frozenset(), repr=False)
    heads: frozenset[str] = field(default=frozenset(), repr=False)
    memo: bool = field(default=False, repr=False)  # worth evaluating once per module instance

    @property
    def text(self) -> str:
        """The expression as written (whitespace collapsed), for messages."""
        cached: str | None = self.__dict__.get("_text")
        if cached is None:
            if self.source is None:
                cached = "<expression>"
            else:
                raw = " ".join(self.source.text[self.start:self.end].split())
                cached = raw if len(raw) <= 160 else raw[:157] + "..."
            self.__dict__["_text"] = cached
        return cached


@dataclass(eq=False, kw_only=True)
class Lit(Expr):
    value: Any = None


@dataclass(eq=False, kw_only=True)
class Template(Expr):
    """A string with interpolations: literal parts (str) and expressions."""

    parts: tuple[str | Expr, ...] = ()


@dataclass(eq=False, kw_only=True)
class Name(Expr):
    """A root name: ``var``, ``local``, ``aws_subnet``, ``count``, an iterator, ..."""

    name: str = ""


@dataclass(eq=False, kw_only=True)
class GetAttr(Expr):
    obj: Expr
    name: str


@dataclass(eq=False, kw_only=True)
class Index(Expr):
    obj: Expr
    key: Expr


@dataclass(eq=False, kw_only=True)
class Splat(Expr):
    """``obj[*].a[0]`` (and legacy ``obj.*.a``): ``ops`` apply to each element."""

    memo: bool = field(default=True, repr=False)
    obj: Expr
    ops: tuple[tuple[str, Any], ...] = ()  # ("attr", name) or ("index", Expr)


@dataclass(eq=False, kw_only=True)
class Call(Expr):
    memo: bool = field(default=True, repr=False)
    name: str = ""
    args: tuple[Expr, ...] = ()
    expand: bool = False  # f(a, b...): the last argument's elements are the arguments


@dataclass(eq=False, kw_only=True)
class Tuple(Expr):
    items: tuple[Expr, ...] = ()


@dataclass(eq=False, kw_only=True)
class Object(Expr):
    """``{ key = value }``; a bare identifier key is a literal (a Lit)."""

    items: tuple[tuple[Expr, Expr], ...] = ()


@dataclass(eq=False, kw_only=True)
class Cond(Expr):
    cond: Expr
    then: Expr
    other: Expr


@dataclass(eq=False, kw_only=True)
class Binary(Expr):
    op: str
    left: Expr
    right: Expr


@dataclass(eq=False, kw_only=True)
class Unary(Expr):
    op: str
    operand: Expr


@dataclass(eq=False, kw_only=True)
class ForExpr(Expr):
    """``[for k, v in coll : value if cond]`` or ``{for ... : key => value...}``."""

    memo: bool = field(default=True, repr=False)
    key_var: str | None = None
    value_var: str
    collection: Expr
    key: Expr | None = None  # None: a tuple
    value: Expr
    cond: Expr | None = None
    group: bool = False


@dataclass(eq=False, kw_only=True)
class Unsupported(Expr):
    """A construct the evaluator does not model; its value is unknown, with ``reason``."""

    reason: str = ""


# ------------------------------------------------------------------ bodies

@dataclass(eq=False)
class BlockBody:
    """Attributes and nested blocks (static and ``dynamic``) of a block, in source order."""

    attributes: dict[str, Expr] = field(default_factory=dict)
    blocks: list[Block | DynamicBlock] = field(default_factory=list)

    def blocks_of(self, kind: str) -> list[Block | DynamicBlock]:
        return [b for b in self.blocks if b.type == kind]


@dataclass(eq=False)
class Block:
    type: str
    body: BlockBody


@dataclass(eq=False)
class DynamicBlock:
    """``dynamic "type" { for_each = ...; iterator = it; content { ... } }``."""

    type: str
    for_each: Expr
    iterator: str
    content: BlockBody


@dataclass(eq=False)
class Resource:
    """A ``resource`` or ``data`` block: ``type.name`` (``data.type.name``) and its body."""

    address: str
    type: str
    mode: str
    count: Expr | None
    for_each: Expr | None
    body: BlockBody


@dataclass(eq=False)
class ModuleCall:
    name: str
    source: str
    count: Expr | None
    for_each: Expr | None
    inputs: dict[str, Expr]


@dataclass(eq=False)
class Variable:
    name: str
    default: Expr | None
    type: Expr | None
    nullable: bool = True  # false: a null input takes the default


@dataclass(eq=False)
class ModuleConfig:
    """One module directory's HCL: what the evaluator needs, and what it could not read."""

    directory: Path
    variables: dict[str, Variable] = field(default_factory=dict)
    locals: dict[str, Expr] = field(default_factory=dict)
    outputs: dict[str, Expr] = field(default_factory=dict)
    resources: dict[str, Resource] = field(default_factory=dict)
    calls: dict[str, ModuleCall] = field(default_factory=dict)
    problem: str = ""  # non-empty: the module cannot be evaluated (why)


@dataclass
class Sources:
    """The HCL of a configuration: module configs by module path without keys
    (``""``, ``module.vpc``, ``module.vpc.module.x``). ``missing`` says why a module
    path has no config."""

    root: Path
    modules: dict[str, ModuleConfig] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)

    def module(self, path: str) -> ModuleConfig | None:
        return self.modules.get(path)


# ----------------------------------------------------------------- compiler

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_ESCAPE = re.compile(r'\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(.))', re.DOTALL)


def _unescape(text: str) -> str:
    def sub(match: re.Match[str]) -> str:
        code = match.group(1) or match.group(2)
        if code:
            return chr(int(code, 16))
        char = match.group(3)
        return _ESCAPES.get(char, "\\" + char)

    return _ESCAPE.sub(sub, text) if "\\" in text else text


def _is_tree(node: Any, *names: str) -> bool:
    return hasattr(node, "data") and (not names or node.data in names)


def _subtrees(node: Any) -> list[Any]:
    """Child trees, without comments/newlines."""
    return [c for c in node.children if _is_tree(c) and c.data != "new_line_or_comment"]


def _tokens(node: Any) -> list[Any]:
    return [c for c in node.children if not _is_tree(c)]


def _ident(node: Any) -> str:
    """The name of an identifier / keyword / literal_value tree."""
    return str(node.children[0])


class _Compiler:
    """Lark tree (python-hcl2's grammar) -> Expr nodes for one file."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source

    def _at(self, node: Any, expr: Expr, free: frozenset[str] = frozenset(),
            heads: frozenset[str] = frozenset()) -> Expr:
        meta = getattr(node, "meta", None)
        if meta is not None and not getattr(meta, "empty", True):
            expr.start, expr.end = meta.start_pos, meta.end_pos
        expr.source = self.source
        expr.free, expr.heads = free, heads
        return expr

    @staticmethod
    def _union(*exprs: Expr | None) -> tuple[frozenset[str], frozenset[str]]:
        free: set[str] = set()
        heads: set[str] = set()
        for e in exprs:
            if e is not None:
                free |= e.free
                heads |= e.heads
        return frozenset(free), frozenset(heads)

    def expr(self, node: Any) -> Expr:
        kind = node.data
        method = getattr(self, f"_{kind}", None)
        if method is None:
            return self._at(node, Unsupported(reason=f"HCL construct {kind!r} is not evaluated"))
        result: Expr = method(node)
        return result

    # -- terms
    def _expr_term(self, node: Any) -> Expr:
        inner = _subtrees(node)
        if len(inner) != 1:
            return self._at(node, Unsupported(reason="empty expression"))
        got = self.expr(inner[0])
        if _tokens(node):  # parentheses: keep the wider text
            meta = node.meta
            got.start, got.end = meta.start_pos, meta.end_pos
        return got

    def _int_lit(self, node: Any) -> Expr:
        return self._at(node, Lit(value=int(str(node.children[0]))))

    def _float_lit(self, node: Any) -> Expr:
        value = float(str(node.children[0]))
        return self._at(node, Lit(value=int(value) if value.is_integer() else value))

    def _literal_value(self, node: Any) -> Expr:
        word = _ident(node)
        return self._at(node, Lit(value={"true": True, "false": False, "null": None}[word]))

    def _identifier(self, node: Any) -> Expr:
        name = _ident(node)
        return self._at(node, Name(name=name), frozenset({name}), frozenset({name}))

    def _keyword(self, node: Any) -> Expr:
        return self._identifier(node)

    def _string(self, node: Any) -> Expr:
        parts: list[str | Expr] = []
        for part in _subtrees(node):  # string_part trees
            inner = part.children[0]
            if _is_tree(inner, "interpolation"):
                parts.append(self.expr(_subtrees(inner)[0]))
            elif _is_tree(inner):
                return self._at(node, Unsupported(reason="template directives (%{...}) are "
                                                  "not evaluated"))
            elif inner.type in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
                parts.append(str(inner)[1:])
            else:
                parts.append(_unescape(str(inner)))
        free, heads = self._union(*(p for p in parts if isinstance(p, Expr)))
        if all(isinstance(p, str) for p in parts):
            return self._at(node, Lit(value="".join(p for p in parts if isinstance(p, str))))
        return self._at(node, Template(parts=tuple(parts)), free, heads)

    def _heredoc(self, node: Any, trim: bool) -> Expr:
        raw = str(node.children[0])
        lines = raw.split("\n")
        body = lines[1:-2]
        if "${" in raw or "%{" in raw:
            return self._at(node, Unsupported(reason="heredoc templates are not evaluated"))
        if trim:
            indents = [len(line) - len(line.lstrip()) for line in body if line.strip()]
            cut = min(indents, default=0)
            body = [line[cut:] for line in body]
        return self._at(node, Lit(value="".join(line + "\n" for line in body)))

    def _heredoc_template(self, node: Any) -> Expr:
        return self._heredoc(node, trim=False)

    def _heredoc_template_trim(self, node: Any) -> Expr:
        return self._heredoc(node, trim=True)

    def _tuple(self, node: Any) -> Expr:
        items = tuple(self.expr(c) for c in _subtrees(node))
        free, heads = self._union(*items)
        return self._at(node, Tuple(items=items), free, heads)

    def _object(self, node: Any) -> Expr:
        items: list[tuple[Expr, Expr]] = []
        for elem in _subtrees(node):  # object_elem
            key_node, value_node = _subtrees(elem)
            inner = _subtrees(key_node)[0] if _subtrees(key_node) else key_node.children[0]
            key: Expr
            if _is_tree(inner, "keyword", "identifier"):
                key = self._at(inner, Lit(value=_ident(inner)))
            elif _is_tree(inner, "expr_term") and len(_subtrees(inner)) == 1 \
                    and not _tokens(inner) and _is_tree(_subtrees(inner)[0], "identifier"):
                key = self._at(inner, Lit(value=_ident(_subtrees(inner)[0])))
            elif _is_tree(inner):
                key = self.expr(inner)
            else:
                key = self._at(key_node, Lit(value=str(inner)))
            items.append((key, self.expr(value_node)))
        free, heads = self._union(*(e for pair in items for e in pair))
        return self._at(node, Object(items=tuple(items)), free, heads)

    # -- traversals
    def _traversal_heads(self, base: Expr, name: str) -> frozenset[str]:
        """Extend a root name's head: var.x, local.x, module.x, data.t.n, type.name."""
        out = set(base.heads)
        if isinstance(base, Name):
            root = base.name
            out.discard(root)
            if root in ("count", "each", "self", "path", "terraform"):
                out.add(root)
            else:
                out.add(f"{root}.{name}")
        elif isinstance(base, GetAttr) and isinstance(base.obj, Name) \
                and base.obj.name == "data":
            out.discard(f"data.{base.name}")
            out.add(f"data.{base.name}.{name}")
        return frozenset(out)

    def _get_attr_expr_term(self, node: Any) -> Expr:
        base_node, attr_node = _subtrees(node)
        base = self.expr(base_node)
        name = _ident(_subtrees(attr_node)[0])
        return self._at(node, GetAttr(obj=base, name=name), base.free,
                        self._traversal_heads(base, name))

    def _index_key(self, node: Any) -> Expr:
        if node.data == "short_index":
            token = next(t for t in _tokens(node) if t.type == "INT_LITERAL")
            return self._at(node, Lit(value=int(str(token))))
        return self.expr(_subtrees(node)[0])

    def _index_expr_term(self, node: Any) -> Expr:
        base_node, index_node = _subtrees(node)
        base = self.expr(base_node)
        key = self._index_key(index_node)
        free, heads = self._union(base, key)
        return self._at(node, Index(obj=base, key=key), free, heads)

    def _splat(self, node: Any) -> Expr:
        base_node, splat_node = _subtrees(node)
        base = self.expr(base_node)
        ops: list[tuple[str, Any]] = []
        keys: list[Expr] = []
        for op in _subtrees(splat_node):
            if op.data == "get_attr":
                ops.append(("attr", _ident(_subtrees(op)[0])))
            else:
                key = self._index_key(op)
                keys.append(key)
                ops.append(("index", key))
        free, heads = self._union(base, *keys)
        return self._at(node, Splat(obj=base, ops=tuple(ops)), free, heads)

    def _full_splat_expr_term(self, node: Any) -> Expr:
        return self._splat(node)

    def _attr_splat_expr_term(self, node: Any) -> Expr:
        return self._splat(node)

    def _function_call(self, node: Any) -> Expr:
        names = [c for c in _subtrees(node) if c.data == "identifier"]
        args_node = next((c for c in _subtrees(node) if c.data == "arguments"), None)
        if len(names) != 1:
            name = "::".join(_ident(n) for n in names)
            return self._at(node, Unsupported(reason=f"provider function {name} is not "
                                              "evaluated"))
        args: tuple[Expr, ...] = ()
        expand = False
        if args_node is not None:
            args = tuple(self.expr(c) for c in _subtrees(args_node))
            expand = any(t.type == "ELLIPSIS" for t in _tokens(args_node))
        free, heads = self._union(*args)
        return self._at(node, Call(name=_ident(names[0]), args=args, expand=expand),
                        free, heads)

    # -- operators
    def _conditional(self, node: Any) -> Expr:
        cond, then, other = (self.expr(c) for c in _subtrees(node))
        free, heads = self._union(cond, then, other)
        return self._at(node, Cond(cond=cond, then=then, other=other), free, heads)

    def _binary_op(self, node: Any) -> Expr:
        left_node, term = _subtrees(node)[:2]
        op_node, right_node = _subtrees(term)
        left, right = self.expr(left_node), self.expr(right_node)
        free, heads = self._union(left, right)
        return self._at(node, Binary(op=str(op_node.children[0]), left=left, right=right),
                        free, heads)

    def _unary_op(self, node: Any) -> Expr:
        operand = self.expr(_subtrees(node)[0])
        return self._at(node, Unary(op=str(_tokens(node)[0]), operand=operand),
                        operand.free, operand.heads)

    def _for(self, node: Any, is_object: bool) -> Expr:
        trees = _subtrees(node)
        intro = trees[0]
        names = [_ident(c) for c in _subtrees(intro) if c.data == "identifier"]
        coll_node = next(c for c in _subtrees(intro) if c.data != "identifier")
        collection = self.expr(coll_node)
        rest = trees[1:]
        cond: Expr | None = None
        if rest and rest[-1].data == "for_cond":
            cond = self.expr(_subtrees(rest[-1])[0])
            rest = rest[:-1]
        key: Expr | None = None
        if is_object:
            key, value = self.expr(rest[0]), self.expr(rest[1])
        else:
            value = self.expr(rest[0])
        key_var, value_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        bound = {value_var} | ({key_var} if key_var else set())
        inner_free, inner_heads = self._union(key, value, cond)
        free = collection.free | (inner_free - bound)
        heads = collection.heads | {h for h in inner_heads if h.split(".")[0] not in bound}
        group = is_object and any(getattr(t, "type", "") == "ELLIPSIS" for t in _tokens(node))
        return self._at(node, ForExpr(key_var=key_var, value_var=value_var,
                                      collection=collection, key=key, value=value, cond=cond,
                                      group=group), frozenset(free), frozenset(heads))

    def _for_tuple_expr(self, node: Any) -> Expr:
        return self._for(node, is_object=False)

    def _for_object_expr(self, node: Any) -> Expr:
        return self._for(node, is_object=True)

    def _template_string(self, node: Any) -> Expr:
        return self._at(node, Lit(value=_unescape(str(node.children[0])[2:-2])))

    # -- bodies
    def body(self, node: Any) -> BlockBody:
        body = BlockBody()
        for child in _subtrees(node):
            if child.data == "attribute":
                name_node, value_node = _subtrees(child)
                body.attributes[_ident(name_node)] = self.expr(value_node)
            elif child.data == "block":
                labels, inner = self.block(child)
                if labels[0] == "dynamic" and len(labels) == 2:
                    body.blocks.append(self.dynamic(labels[1], inner))
                else:
                    body.blocks.append(Block(labels[0], inner))
        return body

    def block(self, node: Any) -> tuple[list[str], BlockBody]:
        labels: list[str] = []
        inner: BlockBody | None = None
        for child in _subtrees(node):
            if child.data == "body":
                inner = self.body(child)
            elif child.data == "string":
                labels.append("".join(_unescape(str(p.children[0])) for p in _subtrees(child)))
            else:
                labels.append(_ident(child))
        return labels, inner or BlockBody()

    def dynamic(self, kind: str, body: BlockBody) -> DynamicBlock:
        iterator = kind
        it = body.attributes.get("iterator")
        if isinstance(it, Name):
            iterator = it.name
        content = next((b.body for b in body.blocks
                        if isinstance(b, Block) and b.type == "content"), BlockBody())
        for_each = body.attributes.get("for_each") or Unsupported(
            reason=f"dynamic {kind} block without for_each")
        return DynamicBlock(kind, for_each, iterator, content)


def _compile_file(path: Path, config: ModuleConfig) -> None:
    """Parse one ``.tf`` file into ``config`` (python-hcl2's lark parse tree)."""
    import hcl2  # heavy (lark grammar): only when a configuration is read

    text = path.read_text(encoding="utf-8")
    tree = hcl2.parses_to_tree(text)
    compiler = _Compiler(SourceFile(path, text))
    body = next(c for c in tree.children if _is_tree(c, "body"))
    for child in _subtrees(body):
        if child.data != "block":
            continue
        labels, inner = compiler.block(child)
        kind = labels[0]
        if kind == "locals":
            config.locals.update(inner.attributes)
        elif kind == "variable" and len(labels) == 2:
            nullable = inner.attributes.get("nullable")
            config.variables[labels[1]] = Variable(
                labels[1], inner.attributes.get("default"), inner.attributes.get("type"),
                not (isinstance(nullable, Lit) and nullable.value is False))
        elif kind == "output" and len(labels) == 2 and "value" in inner.attributes:
            config.outputs[labels[1]] = inner.attributes["value"]
        elif kind in ("resource", "data") and len(labels) == 3:
            address = f"{labels[1]}.{labels[2]}" if kind == "resource" \
                else f"data.{labels[1]}.{labels[2]}"
            attrs = inner.attributes
            config.resources[address] = Resource(
                address, labels[1], "managed" if kind == "resource" else "data",
                attrs.get("count"), attrs.get("for_each"), inner)
        elif kind == "module" and len(labels) == 2:
            attrs = dict(inner.attributes)
            source_expr = attrs.pop("source", None)
            source = source_expr.value if isinstance(source_expr, Lit) else ""
            count, for_each = attrs.pop("count", None), attrs.pop("for_each", None)
            for meta in ("version", "providers", "depends_on"):
                attrs.pop(meta, None)
            config.calls[labels[1]] = ModuleCall(labels[1], str(source or ""), count,
                                                 for_each, attrs)


_PARSED: dict[tuple[Path, tuple[tuple[str, int, int], ...]], ModuleConfig] = {}
"""Compiled module directories by their files' names, mtimes and sizes (read-only)."""


def load_module_dir(directory: Path) -> ModuleConfig:
    """Every ``.tf`` file of one module directory; ``problem`` says why it cannot be used.

    Compiled once per process while the files are unchanged (plans of one module share it).
    """
    files = sorted(directory.glob("*.tf")) + sorted(directory.glob("*.tf.json"))
    try:
        stamp = tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    except OSError:
        stamp = ()
    key = (directory.resolve(), stamp)
    if stamp and key in _PARSED:
        return _PARSED[key]
    config = _load_module_dir(directory, files)
    if stamp:
        if len(_PARSED) >= 128:
            _PARSED.pop(next(iter(_PARSED)))
        _PARSED[key] = config
    return config


def _load_module_dir(directory: Path, files: list[Path]) -> ModuleConfig:
    config = ModuleConfig(directory)
    json_files = [f.name for f in files if f.name.endswith(".tf.json")]
    files = [f for f in files if f.name.endswith(".tf")]
    if json_files:  # part of the module would be missing: none of it is evaluated
        config.problem = f"{directory}: .tf.json files ({', '.join(json_files[:3])}) are not read"
        return config
    if not files:
        config.problem = f"{directory} holds no .tf files"
        return config
    overrides = [f.name for f in files if f.name == "override.tf"
                 or f.name.endswith("_override.tf")]
    if overrides:
        config.problem = f"{directory}: override files ({', '.join(overrides)}) are not merged"
        return config
    for path in files:
        try:
            _compile_file(path, config)
        except Exception as exc:  # any read or parser failure: this module is not read
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            config.problem = f"{path}: python-hcl2 cannot parse it ({first[:200]})"
            return config
    return config


def _modules_json(root: Path) -> dict[str, Path]:
    """``.terraform/modules/modules.json``: module key (``vpc.sg``) -> directory."""
    manifest = root / ".terraform" / "modules" / "modules.json"
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    out: dict[str, Path] = {}
    for entry in data.get("Modules", []) if isinstance(data, Mapping) else []:
        if isinstance(entry, Mapping) and isinstance(entry.get("Dir"), str):
            out[str(entry.get("Key", ""))] = (root / entry["Dir"]).resolve()
    return out


def _is_local(source: str) -> bool:
    return source.startswith(("./", "../", ".\\", "..\\"))


def load_sources(root: Path) -> Sources:
    """The HCL of the root module in ``root`` and of every module it calls, recursively.

    Module directories come from ``modules.json`` (after ``terraform init``) when it
    lists them, else from a local ``source`` path; a module found neither way is noted
    in ``missing`` (with what to do).
    """
    root = root.resolve()
    sources = Sources(root)
    manifest = _modules_json(root)
    parsed: dict[Path, ModuleConfig] = {}

    def load(directory: Path) -> ModuleConfig:
        directory = directory.resolve()
        if directory not in parsed:
            parsed[directory] = load_module_dir(directory)
        return parsed[directory]

    def walk(path: str, key: str, directory: Path, depth: int) -> None:
        config = load(directory)
        sources.modules[path] = config
        if config.problem or depth > 32:
            return
        for name, call in config.calls.items():
            child_path = f"{path}.module.{name}" if path else f"module.{name}"
            child_key = f"{key}.{name}" if key else name
            child_dir = manifest.get(child_key)
            if child_dir is None and _is_local(call.source):
                child_dir = directory / call.source
            if child_dir is None or not child_dir.is_dir():
                where = f"{root / '.terraform' / 'modules' / 'modules.json'}"
                sources.missing[child_path] = (
                    f"the source of {child_path} ({call.source or 'no literal source'}) is "
                    f"not on disk: run `terraform init` in {root} ({where} lists the "
                    "module directories) or pass --config-dir")
                continue
            walk(child_path, child_key, child_dir, depth + 1)

    walk("", "", root, 0)
    return sources
