"""Open enums in response models: ``Literal["a", "b"]`` becomes ``Annotated[Literal["a", "b"] | str, OpenEnum]``.

A client is often older than its server, and a server release adds enum values (a workflow's
``stepGraph[].type`` gained kinds): a closed ``Literal`` would fail the whole answer. So every
enum of two values or more that a response can hold accepts any value of its kind as well
(``str``, or ``int`` for numbers), kept as it is; the runtime's ``OpenEnum`` (``_open_enum.py``)
says how, and how request bodies stay strict for models both directions use.

What stays a closed ``Literal``:

* fields of models only requests use (the caller's values are checked before they are sent);
* a one-value ``Literal`` (a ``const``): it is a tag, and there is nothing to add to it;
* tags that tell union members apart: a ``discriminator`` (pydantic requires a ``Literal``), the
  tag of stream chunks, and a property that two or more members of a plain union declare with
  different values (``kind: cat | kitten`` beside ``kind: dog | puppy``), also one level down
  (the ``fuel`` of a car's engine against a boat's). Open, such a tag would let the first member
  take any input: pydantic's smart mode counts the fields each member sets but not whether a
  nested value matched exactly, so ``Cat | Dog`` would read every dog as a cat. An enum class
  (a ``RootModel`` of a ``Literal``) that types such a tag stays closed too. A property all
  members declare alike (the same ``status`` enum everywhere) tells none apart: it is opened.

The models are datamodel-code-generator's module after ``render_models``'s repairs; this pass
edits its source text in place (as those repairs do) and leaves everything else byte for byte.
Which models responses use comes from the API surface (``used_in``), the same sets ``_api.json``
records; models it does not name (stream chunks) count as responses.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from .render_models import ModelSource, _alias

MARKER = "OpenEnum"
_IMPORTS = f"from typing import Annotated\nfrom .._runtime._open_enum import {MARKER}\n"


@dataclass
class _Class:
    node: ast.ClassDef
    bases: list[str]
    root_model: bool
    fields: dict[str, tuple[str, ast.AnnAssign]] = field(default_factory=dict)  # python name -> (wire, stmt)


def open_response_enums(
    models: ModelSource,
    used_in: Mapping[str, Iterable[str]],
    chunk_tags: Mapping[str, str] | None = None,
) -> ModelSource:
    """The models with the enums responses can hold opened.

    ``used_in`` maps a class name to ``request`` and/or ``response`` (the surface's ``used_in``);
    ``chunk_tags`` a stream chunk class to the wire name of its tag (``type``).
    """
    source, tree = models.text, models.tree
    classes = _classes(tree)
    if not classes:
        return models
    roles = _roles(classes, used_in)
    pinned, closed_roots = _tags(classes, chunk_tags or {})
    text = _Text(source)
    edits: list[tuple[int, int, str]] = []
    for name, cls in classes.items():
        if roles.get(name) == {"request"} or name in closed_roots:
            continue
        if cls.root_model:
            for base in cls.node.bases:
                if isinstance(base, ast.Subscript) and _name(base.value) == "RootModel":
                    edits.extend(_open_annotation(base.slice, text))
        for py_name, (_wire, stmt) in cls.fields.items():
            if (name, py_name) not in pinned:
                edits.extend(_open_annotation(stmt.annotation, text))
    if not edits:
        return models
    for start, end, new in sorted(edits, reverse=True):
        source = source[:start] + new + source[end:]
    source = _IMPORTS + source  # ruff merges and sorts the imports, and drops them where unused
    return ModelSource(source, ast.parse(source))


# ----------------------------------------------------------------------------- the classes


def _classes(tree: ast.Module) -> dict[str, _Class]:
    found: dict[str, _Class] = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        bases = [b.id for b in node.bases if isinstance(b, ast.Name)]
        root = any(isinstance(b, ast.Subscript) and _name(b.value) == "RootModel" for b in node.bases)
        cls = _Class(node, bases, root)
        for stmt in node.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                cls.fields[stmt.target.id] = (_alias(stmt.value) or stmt.target.id, stmt)
        found[node.name] = cls
    return found


def _roles(classes: Mapping[str, _Class], used_in: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
    """Each class's directions: the surface's, carried to classes it does not name (the ones
    datamodel-code-generator made itself) through the classes that refer to them."""
    roles = {name: set(used_in.get(name, ())) for name in classes}
    refs = {
        name: set().union(*(_referenced(n, classes) for n in _types_of(cls))) - {name} for name, cls in classes.items()
    }
    for role in ("request", "response"):
        stack = sorted(name for name, found in roles.items() if role in found)
        while stack:
            for ref in sorted(refs[stack.pop()]):
                if role not in roles[ref]:
                    roles[ref].add(role)
                    stack.append(ref)
    return roles


def _types_of(cls: _Class) -> list[ast.expr]:
    """What a class's types are written in: its bases and its fields' annotations (not docstrings)."""
    return [*cls.node.bases, *(stmt.annotation for _wire, stmt in cls.fields.values())]


def _referenced(node: ast.AST, classes: Mapping[str, _Class]) -> set[str]:
    found: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and sub.id in classes:
            found.add(sub.id)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str) and sub.value in classes:
            found.add(sub.value)  # a quoted forward reference
    return found


def _all_fields(
    name: str, classes: Mapping[str, _Class], seen: frozenset[str] = frozenset()
) -> dict[str, tuple[str, str]]:
    """Every field of a class by wire name, inherited ones included: ``wire -> (declaring class, python name)``."""
    cls = classes[name]
    fields: dict[str, tuple[str, str]] = {}
    for base in cls.bases:
        if base in classes and base not in seen:
            for wire, where in _all_fields(base, classes, seen | {name}).items():
                fields.setdefault(wire, where)
    for py_name, (wire, _stmt) in cls.fields.items():
        fields[wire] = (name, py_name)
    return fields


# ----------------------------------------------------------------------------- tags


def _tags(classes: Mapping[str, _Class], chunk_tags: Mapping[str, str]) -> tuple[set[tuple[str, str]], set[str]]:
    """The fields that tell union members apart, ``(declaring class, python name)``, and the enum
    classes (``RootModel`` of a ``Literal``) that type one of them."""
    pinned: set[tuple[str, str]] = set()
    for cls_name, wire in chunk_tags.items():
        if cls_name in classes:
            where = _all_fields(cls_name, classes).get(wire)
            if where is not None:
                pinned.add(where)
    groups: list[tuple[str, ...]] = []  # classes that are alternatives to each other
    for cls in classes.values():
        for _wire, stmt in cls.fields.values():
            discriminator = _discriminator(stmt.value)
            for members in _unions(stmt.annotation):
                models = _member_classes(members, classes)
                if discriminator is not None:
                    for member in models:
                        for wire, where in _all_fields(member, classes).items():
                            if discriminator in (wire, where[1]):
                                pinned.add(where)
                if len(models) > 1:
                    groups.append(tuple(models))
    seen: set[tuple[str, ...]] = set()
    while groups:
        group = groups.pop()
        if group in seen:
            continue
        seen.add(group)
        # A property several members declare is a tag when they do not all allow the same values
        # (the same enum everywhere tells no member from another). Where it holds a model, the
        # models there are alternatives too: a tag may sit one level down.
        declared: dict[str, list[tuple[tuple[str, str], ast.expr]]] = {}
        for member in group:
            for wire, where in _all_fields(member, classes).items():
                declared.setdefault(wire, []).append((where, classes[where[0]].fields[where[1]][1].annotation))
        for found in declared.values():
            if len(found) < 2 or len({_allowed(annotation, classes) for _where, annotation in found}) < 2:
                continue
            pinned.update(where for where, _annotation in found)
            nested = sorted({n for _where, annotation in found for n in _models_in(annotation, classes)})
            if len(nested) > 1:
                groups.append(tuple(nested))
    closed_roots: set[str] = set()
    for cls_name, py_name in pinned:
        annotation = classes[cls_name].fields[py_name][1].annotation
        closed_roots.update(r for r in _referenced(annotation, classes) if _is_enum_root(classes[r]))
    return pinned, closed_roots


def _allowed(annotation: ast.expr, classes: Mapping[str, _Class]) -> frozenset[str]:
    """What tells a field's values apart from another's: its literal values and its other types
    (``null`` left out: an optional tag is still the same tag)."""
    found: set[str] = set()
    for member in _members(annotation):
        if isinstance(member, ast.Subscript) and _name(member.value) == "Optional":
            found.update(_allowed(member.slice, classes))
        elif _is_literal(member):
            found.update(repr(v) for v in _literal_values(member) if v is not None)
        elif not (isinstance(member, ast.Constant) and member.value is None):
            found.add("type " + ast.unparse(member))
    return frozenset(found)


def _models_in(annotation: ast.expr, classes: Mapping[str, _Class], depth: int = 0) -> set[str]:
    """The model classes an annotation names, a ``RootModel`` counting as the models it holds."""
    found: set[str] = set()
    for name in _referenced(annotation, classes):
        cls = classes[name]
        if not cls.root_model:
            found.add(name)
        elif "root" in cls.fields and depth < 8:
            found.update(_models_in(cls.fields["root"][1].annotation, classes, depth + 1))
    return found


def _is_enum_root(cls: _Class) -> bool:
    """A ``RootModel`` whose value is (or holds) a ``Literal``: an enum component."""
    root = cls.fields.get("root")
    return cls.root_model and root is not None and any(_is_literal(n) for n in ast.walk(root[1].annotation))


def _discriminator(value: ast.expr | None) -> str | None:
    if isinstance(value, ast.Call) and _name(value.func) == "Field":
        for keyword in value.keywords:
            if keyword.arg == "discriminator" and isinstance(keyword.value, ast.Constant):
                return str(keyword.value.value)
    return None


def _unions(node: ast.expr) -> Iterator[list[ast.expr]]:
    """The members of every union in an annotation (a lone type is a union of one)."""
    members = _members(node)
    yield members
    for member in members:
        for child in _type_arguments(member):
            yield from _unions(child)


def _member_classes(members: list[ast.expr], classes: Mapping[str, _Class], depth: int = 0) -> list[str]:
    """The model classes among union members; a ``RootModel`` of a union counts as its members."""
    found: list[str] = []
    for member in members:
        name = _name(member) or (
            member.value if isinstance(member, ast.Constant) and isinstance(member.value, str) else None
        )
        if name not in classes:
            continue
        cls = classes[name]
        if cls.root_model and "root" in cls.fields:
            if depth < 8:
                inner = _member_classes(_members(cls.fields["root"][1].annotation), classes, depth + 1)
                found.extend(n for n in inner if n not in found)
        elif name not in found:
            found.append(name)
    return found


# ----------------------------------------------------------------------------- annotations


class _Text:
    """Offsets into the source (ast columns count UTF-8 bytes)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines = source.splitlines(keepends=True)
        self.starts = list(itertools.accumulate((len(line) for line in self.lines), initial=0))

    def offset(self, lineno: int, col: int) -> int:
        return self.starts[lineno - 1] + len(self.lines[lineno - 1].encode()[:col].decode())

    def span(self, node: ast.AST) -> tuple[int, int]:
        start = self.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        return start, self.offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]

    def of(self, node: ast.AST) -> str:
        return self.source[slice(*self.span(node))]


def _open_annotation(node: ast.expr, text: _Text) -> list[tuple[int, int, str]]:
    """Edits opening every enum of an annotation (nothing when it has none)."""
    new = _opened(node, text)
    return [] if new is None else [(*text.span(node), new)]


def _opened(node: ast.expr, text: _Text) -> str | None:
    """The annotation's source with its enums opened, or None when nothing changes."""
    members = _members(node)
    rewritten = [_opened_inside(m, text) for m in members]
    literals = [i for i, m in enumerate(members) if _is_literal(m)]
    values = [v for i in literals for v in _literal_values(members[i])]
    present = {_name(m) for m in members}
    kinds = [
        kind
        for kind, wanted in (("str", str), ("int", int))
        if kind not in present and any(type(v) is wanted for v in values)
    ]
    opens = (
        len([v for v in values if v is not None]) >= 2
        and kinds
        and all(v is None or type(v) in (str, int, bool) for v in values)
    )
    if not opens and all(r is None for r in rewritten):
        return None
    parts = [text.of(m) if r is None else r for m, r in zip(members, rewritten, strict=True)]
    if opens:
        known = " | ".join(parts[i] for i in literals)
        grouped = f"Annotated[{known} | {' | '.join(kinds)}, {MARKER}]"
        parts = [
            grouped if i == literals[0] else p for i, p in enumerate(parts) if i == literals[0] or i not in literals
        ]
    if len(members) == 1:
        return parts[0]
    if isinstance(node, ast.Subscript):  # Union[...]: may hold quoted forward references, which `|` cannot join
        return f"{text.of(node.value)}[{', '.join(parts)}]"
    return " | ".join(parts)


def _opened_inside(node: ast.expr, text: _Text) -> str | None:
    """A union member with the enums inside its type arguments (``list[...]``) opened."""
    if not isinstance(node, ast.Subscript) or _is_literal(node) or _name(node.value) == "Annotated":
        return None
    args = _type_arguments(node)
    new = [_opened(a, text) for a in args]
    if all(n is None for n in new):
        return None
    start, end = text.span(node)
    out = text.source[start:end]
    # Edit the arguments from the last: earlier offsets stay valid.
    for arg, replacement in sorted(zip(args, new, strict=True), key=lambda p: text.span(p[0]), reverse=True):
        if replacement is not None:
            a, b = text.span(arg)
            out = out[: a - start] + replacement + out[b - start :]
    return out


def _members(node: ast.expr) -> list[ast.expr]:
    """The members of a union written ``A | B`` or ``Union[A, B]``; ``[node]`` for anything else."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return [*_members(node.left), *_members(node.right)]
    if isinstance(node, ast.Subscript) and _name(node.value) == "Union":
        inner = node.slice
        return list(inner.elts) if isinstance(inner, ast.Tuple) else [inner]
    return [node]


def _type_arguments(node: ast.expr) -> list[ast.expr]:
    """The type arguments of ``list[X]``, ``dict[K, V]``, ``Optional[X]``... (not of ``Literal``)."""
    if not isinstance(node, ast.Subscript) or _is_literal(node):
        return []
    if _name(node.value) == "Union":
        return []  # its members are a union of their own (``_members``)
    inner = node.slice
    args = list(inner.elts) if isinstance(inner, ast.Tuple) else [inner]
    return args[:1] if _name(node.value) == "Annotated" else args


def _is_literal(node: ast.expr) -> bool:
    return isinstance(node, ast.Subscript) and _name(node.value) == "Literal"


_NOT_A_VALUE = object()


def _literal_values(node: ast.expr) -> list[object]:
    """The values of a ``Literal[...]`` (``-1`` is an expression, not a constant, in the tree)."""
    assert isinstance(node, ast.Subscript)
    inner = node.slice
    values: list[object] = []
    for element in inner.elts if isinstance(inner, ast.Tuple) else [inner]:
        try:
            values.append(ast.literal_eval(element))
        except ValueError:
            values.append(_NOT_A_VALUE)
    return values


def _name(node: ast.expr) -> str | None:
    return node.id if isinstance(node, ast.Name) else None
