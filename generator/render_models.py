"""Pydantic models: datamodel-code-generator over the components, split by area.

datamodel-code-generator writes one module; we split its classes into one
module per client area (``agents``, ``workflows``...) plus ``_shared`` for
classes several areas use. An area module imports only itself and ``_shared``,
and ``_shared`` only itself, so there are no import cycles, and the package
imports an area's models on first use instead of all of them at once.
"""

from __future__ import annotations

import ast
import itertools
import json
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pydantic

from .docstrings import rewrap_docstring
from .errors import CodegenError
from .ir import ModelModule
from .naming import snake

SHARED = "_shared"
STREAMS = "_streams"  # chunk models of streams and their union aliases


@dataclass(frozen=True)
class ModelSource:
    """datamodel-code-generator's module after our repairs, parsed once: the repairs and the
    split both walk the tree, and parsing a large module is a tenth of a second."""

    text: str
    tree: ast.Module


def run_datamodel_codegen(schemas: Mapping[str, Any]) -> ModelSource:
    """One in-process run of datamodel-code-generator over ``components.schemas``."""
    from datamodel_code_generator import (
        DataModelType,
        InputFileType,
        LiteralType,
        PythonVersion,
        generate,
    )

    document = {
        "openapi": "3.1.0",
        "info": {"title": "models", "version": "0"},
        "paths": {},
        "components": {"schemas": dict(schemas)},
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dropped-constraint notes: we drop them on purpose
        try:
            output = generate(
                json.dumps(document),
                input_file_type=InputFileType.OpenAPI,
                output_model_type=DataModelType.PydanticV2BaseModel,
                target_python_version=PythonVersion.PY_310,
                enum_field_as_literal=LiteralType.All,
                snake_case_field=True,
                use_standard_collections=True,
                use_union_operator=True,
                field_constraints=True,
                disable_timestamp=True,
                allow_population_by_field_name=True,
                use_schema_description=True,
                use_field_description=True,
                keep_model_order=True,
                formatters=[],
                capitalise_enum_members=True,
                # A required field with a default (zod's .default()) may be left out of a request.
                apply_default_values_for_required_fields=True,
            )
        except Exception as exc:  # the library raises many types; all mean "bad schema"
            raise CodegenError("components", f"datamodel-code-generator failed: {exc}") from None
    if not isinstance(output, str):
        raise CodegenError("components", "datamodel-code-generator returned no single module")
    return _fix_fields(_runtime_bases(output))


# The runtime's subclasses of pydantic's bases (``_runtime/_base_model.py``): every model gets
# ``to_dict()`` and ``to_json()`` in wire form. Their names stay those of pydantic's classes.
_BASES = ("BaseModel", "RootModel")
_BASES_IMPORT = f"from .._runtime._base_model import {', '.join(_BASES)}\n"
# Methods of the runtime's bases that a field must not hide (a property ``to_dict``).
_MODEL_METHODS = frozenset({"to_dict", "to_json"})


def _runtime_bases(source: str) -> str:
    """datamodel-code-generator's module with ``BaseModel``/``RootModel`` imported from the runtime."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    for node in reversed(tree.body):
        if isinstance(node, ast.ImportFrom) and node.module == "pydantic" and node.level == 0:
            kept = [a for a in node.names if a.name not in _BASES]
            text = ""
            if kept:
                names = ", ".join(a.name if a.asname is None else f"{a.name} as {a.asname}" for a in kept)
                text = f"from pydantic import {names}\n"
            assert node.end_lineno is not None
            lines[node.lineno - 1 : node.end_lineno] = [text]
    return _BASES_IMPORT + "".join(lines)  # ruff sorts the imports and drops what a module does not use


# Field names pydantic warns about (its protected namespaces).
_PROTECTED = ("model_validate", "model_dump")
# Types whose Python value is not the JSON text a default is written as.
_PARSED_TYPES = frozenset({"date", "datetime", "AwareDatetime", "NaiveDatetime", "time", "timedelta"})


@dataclass(frozen=True)
class _Field:
    """A field as the final source declares it."""

    wire: str  # the JSON key
    annotation: str
    value: str | None  # what follows ``=``, alias included where the name is not the wire key


def _fix_fields(source: str) -> ModelSource:
    """Repairs to datamodel-code-generator's fields, in place in its source.

    * A field named in a form Python reads differently (NFKC: ``µ`` is read as ``μ``, ``ª`` as
      ``a``) would lose its wire name, or replace a field of the same NFKC form: it gets an ASCII
      name of its own and its wire name as alias.
    * A field named ``to_dict`` or ``to_json`` would hide the models' own methods: it becomes
      ``to_dict_`` (its wire name as alias).
    * A field whose Python name is another field's wire name (``fooBar`` named ``foo_bar`` next
      to a property ``foo_bar``) would also read that key, models being ``populate_by_name``: it
      gets a name no wire key has (``foo_bar_``).
    * A subclass (``allOf``) whose bases, or itself, name two properties alike (``field_`` for
      both ``!`` and ``-``) kept only one: its own field is renamed, and a base's field that loses
      to another base's is declared again under a name of its own.
    * Defaults of date and date-time fields are validated: pydantic does not validate defaults,
      so ``d: date | None = "2020-01-02"`` would start out holding a str (normalize keeps only
      defaults that parse).

    A class with a field named ``model_dump_`` or ``model_validate_...`` gets
    ``protected_namespaces=()``: pydantic warns about those names when the class is created.
    """
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    starts = list(itertools.accumulate((len(line) for line in lines), initial=0))

    def offset(lineno: int, col: int) -> int:  # ast columns count UTF-8 bytes
        return starts[lineno - 1] + len(lines[lineno - 1].encode()[:col].decode())

    def span(node: ast.AST) -> tuple[int, int]:
        start = offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        return start, offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]

    def text(node: ast.AST) -> str:
        return source[slice(*span(node))]

    # Union discriminators name their members' tag fields: those names stay.
    pinned = {
        k.value.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        for k in node.keywords
        if k.arg == "discriminator" and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)
    }
    every: dict[str, dict[str, _Field]] = {}  # class -> its fields by name, inherited ones included
    edits: list[tuple[int, int, str]] = []
    for cls in (node for node in tree.body if isinstance(node, ast.ClassDef)):
        inherited: dict[str, _Field] = {}
        losers: list[_Field] = []  # fields of a base that another base's field of the same name hides
        for base in (b.id for b in cls.bases if isinstance(b, ast.Name) and b.id in every):
            for name, known in every[base].items():
                if name not in inherited:
                    inherited[name] = known
                elif inherited[name].wire != known.wire:
                    losers.append(known)
        fields = [(f, f.target) for f in cls.body if isinstance(f, ast.AnnAssign) and isinstance(f.target, ast.Name)]
        written = [text(t) for _, t in fields]  # as written, not as Python reads it
        wire = [_alias(f.value) or w for (f, _), w in zip(fields, written, strict=True)]
        keys = {*wire, *(f.wire for f in inherited.values()), *(f.wire for f in losers)}
        renamed = [
            w != t.id
            or t.id in _MODEL_METHODS
            or (t.id in keys and t.id != k and t.id not in pinned)
            or (t.id in inherited and inherited[t.id].wire != k)
            for (_, t), w, k in zip(fields, written, wire, strict=True)
        ]
        taken = {t.id for (_, t), r in zip(fields, renamed, strict=True) if not r} | keys | set(inherited)
        own: dict[str, _Field] = {}
        for (stmt, target), was, key, rename in zip(fields, written, wire, renamed, strict=True):
            alias = None
            name = target.id
            if rename:
                alias = key
                name = _fresh_field_name(target.id if was == target.id else key, taken)
                taken.add(name)
                edits.append((*span(target), name))
            validate = any(isinstance(n, ast.Name) and n.id in _PARSED_TYPES for n in ast.walk(stmt.annotation))
            value = None
            if stmt.value is None:
                if alias is not None:
                    end = span(stmt.annotation)[1]
                    value = f"Field(..., alias={alias!r})"
                    edits.append((end, end, f" = {value}"))
            else:
                value = _field_value(stmt.value, text(stmt.value), alias, validate)
                if value is not None:
                    edits.append((*span(stmt.value), value))
                value = value or text(stmt.value)
            own[name] = _Field(key, text(stmt.annotation), value)
        again: list[str] = []
        for loser in losers:  # declared again in the subclass, under a name of its own
            if loser.wire in {f.wire for f in (*inherited.values(), *own.values())}:
                continue  # a field of that key is there already
            name = _fresh_field_name(loser.wire, taken)
            taken.add(name)
            value = loser.value or "Field(...)"
            if _alias_text(value) is None:
                bare = value.startswith("Field(")
                value = value[:-1].rstrip().rstrip(",") + ", " if bare else f"Field({value}, "
                value += f"alias={loser.wire!r})"
            own[name] = _Field(loser.wire, loser.annotation, value)
            again.append(f"    {name}: {loser.annotation} = {value}")
        if again:
            end = span(cls)[1]
            edits.append((end, end, "\n" + "\n".join(again)))
        every[cls.name] = {**inherited, **own}
        config = _config_call(cls)
        if config is not None and any(name.startswith(_PROTECTED) for name in every[cls.name]):
            # ``model_dump_`` is a fine name, but pydantic warns on import about names in its namespace.
            start, end = span(config)
            edits.append((start, end, text(config)[:-1].rstrip().rstrip(",") + ", protected_namespaces=(),)"))
    if not edits:
        return ModelSource(source, tree)
    for start, end, new in sorted(edits, reverse=True):
        source = source[:start] + new + source[end:]
    source = "from pydantic import Field\n" + source  # ruff merges and sorts the imports
    return ModelSource(source, ast.parse(source))


def generic_object_models(models: ModelSource, names: Iterable[str]) -> ModelSource:
    """The results of ``structured_output`` calls made generic in their ``object`` field.

    ``AgentGenerateResult`` becomes ``AgentGenerateResult(BaseModel, Generic[ObjectT])`` with
    ``object: ObjectT | None``; unparametrized (``ObjectT`` defaults to ``Any``) it validates as
    before, and a method that was given ``structured_output=Weather`` returns
    ``AgentGenerateResult[Weather]``.
    """
    wanted = set(names)
    source, tree = models.text, models.tree
    text = _Spans(source)
    edits: list[tuple[int, int, str]] = []
    for cls in (node for node in tree.body if isinstance(node, ast.ClassDef) and node.name in wanted):
        field = next(
            (
                stmt
                for stmt in cls.body
                if isinstance(stmt, ast.AnnAssign)
                and isinstance(stmt.target, ast.Name)
                and (_alias(stmt.value) or stmt.target.id) == "object"
            ),
            None,
        )
        if field is None or not cls.bases:
            raise CodegenError("components", f"{cls.name} has no field 'object' for its structured output")
        edits.append((*text.span(field.annotation), "ObjectT | None"))
        end = text.span(cls.bases[-1])[1]
        edits.append((end, end, ", Generic[ObjectT]"))
    if not edits:
        return models
    for start, end, new_text in sorted(edits, reverse=True):
        source = source[:start] + new_text + source[end:]
    source = "from typing import Generic\nfrom .._runtime._types import ObjectT\n" + source
    return ModelSource(source, ast.parse(source))


class _Spans:
    """Offsets into a source (ast columns count UTF-8 bytes)."""

    def __init__(self, source: str) -> None:
        self.lines = source.splitlines(keepends=True)
        self.starts = list(itertools.accumulate((len(line) for line in self.lines), initial=0))

    def offset(self, lineno: int, col: int) -> int:
        return self.starts[lineno - 1] + len(self.lines[lineno - 1].encode()[:col].decode())

    def span(self, node: ast.AST) -> tuple[int, int]:
        start = self.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        return start, self.offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]


def type_fallback_chunks(models: ModelSource, fallbacks: Mapping[str, str]) -> ModelSource:
    """Fallback chunk classes typed so that a check of the tag narrows a chunk union.

    ``fallbacks`` maps each fallback class to the wire name of its union's tag. Its tag
    (``type: str | None``) becomes ``AnyTag | None``: a ``str`` at run time, but to a type
    checker not a ``str``, which would stop ``chunk.type == "text-delta"`` from narrowing
    the union at all. Its ``payload`` (anything) is ``Any``, not ``Any | None``, so that
    ``chunk.payload.text`` checks on the narrowed ``TextDeltaChunk | OtherAgentChunk``.
    """
    source, tree = models.text, models.tree
    span = _Spans(source).span
    edits: list[tuple[int, int, str]] = []
    for cls in (node for node in tree.body if isinstance(node, ast.ClassDef) and node.name in fallbacks):
        for stmt in cls.body:
            if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
                continue
            wire = _alias(stmt.value) or stmt.target.id
            written = source[slice(*span(stmt.annotation))]
            if wire == fallbacks[cls.name] and written in ("str", "str | None"):
                edits.append((*span(stmt.annotation), written.replace("str", "AnyTag")))
            elif wire == "payload" and written == "Any | None":
                edits.append((*span(stmt.annotation), "Any"))
    if not edits:
        return models
    for start, end, text in sorted(edits, reverse=True):
        source = source[:start] + text + source[end:]
    source = "from .._runtime._types import AnyTag\n" + source  # ruff drops it where unused
    return ModelSource(source, ast.parse(source))


def _alias_text(value: str) -> str | None:
    """The alias in a field's value written as source."""
    try:
        return _alias(ast.parse(value, mode="eval").body)
    except SyntaxError:
        return None


def _config_call(cls: ast.ClassDef) -> ast.Call | None:
    """The ``ConfigDict(...)`` of a class's ``model_config``, if any."""
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign) and [getattr(t, "id", None) for t in stmt.targets] == ["model_config"]:
            call = stmt.value
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "ConfigDict":
                return call
    return None


def _alias(value: ast.expr | None) -> str | None:
    """The ``alias=`` of a field's ``Field(...)``, if any."""
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "Field":
        for keyword in value.keywords:
            if keyword.arg == "alias" and isinstance(keyword.value, ast.Constant):
                return str(keyword.value.value)
    return None


def _fresh_field_name(wanted: str, taken: set[str]) -> str:
    """An ASCII field name like ``wanted``, unlike ``taken`` (names and wire keys) and BaseModel's attributes."""
    base = snake(wanted)
    if hasattr(pydantic.BaseModel, base) or base in _MODEL_METHODS:
        base += "_"
    candidates = itertools.chain([base, base + "_"], (f"{base}_{n}" for n in itertools.count(2)))
    return next(name for name in candidates if name not in taken)


def _field_value(value: ast.expr, text: str, alias: str | None, validate: bool) -> str | None:
    """A field's value (``text``) with ``alias`` and its default validated; None when unchanged."""
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "Field":
        given = [*value.args[:1], *(k.value for k in value.keywords if k.arg == "default")]
        extra = []
        if alias is not None and not any(k.arg == "alias" for k in value.keywords):
            extra.append(f"alias={alias!r}")
        if validate and given and not _none_or_required(given[0]):
            extra.append("validate_default=True")
        return text[:-1].rstrip().rstrip(",") + ", " + ", ".join(extra) + ")" if extra else None
    validate = validate and not _none_or_required(value)
    if alias is None and not validate:
        return None
    extra = [f"alias={alias!r}"] * (alias is not None) + ["validate_default=True"] * validate
    return f"Field({text}, {', '.join(extra)})"


def _none_or_required(value: ast.expr) -> bool:
    return isinstance(value, ast.Constant) and (value.value is None or value.value is Ellipsis)


def split_models(
    models: ModelSource,
    usage: Mapping[str, set[str]],
    aliases: Mapping[str, str],
    header: str,
    unions: Mapping[str, list[str]] | None = None,
) -> tuple[list[ModelModule], dict[str, str]]:
    """Split one generated module into area modules.

    ``usage`` maps a class name to the areas whose operations use it directly;
    use through other classes is followed here. Returns the modules and an
    index of every public name (class or alias) to its module.
    """
    tree = models.tree
    lines_of = models.text.splitlines()

    def segment(node: ast.stmt) -> str:
        # ast.get_source_segment re-splits the whole source on every call: quadratic here.
        start = node.lineno - 1
        if isinstance(node, ast.ClassDef) and node.decorator_list:
            start = node.decorator_list[0].lineno - 1
        lines = lines_of[start : node.end_lineno]
        if isinstance(node, ast.ClassDef):  # a schema's description is one line there
            lines = rewrap_docstring(lines, node, start)
        return "\n".join(lines)

    imports: list[str] = []
    classes: dict[str, ast.stmt] = {}
    trailing: dict[str, list[ast.stmt]] = {}
    order: list[str] = []
    for stmt in tree.body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            if not (isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__"):
                imports.append(segment(stmt))
        elif isinstance(stmt, ast.ClassDef):
            classes[stmt.name] = stmt
            order.append(stmt.name)
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            classes[stmt.targets[0].id] = stmt
            order.append(stmt.targets[0].id)
        elif isinstance(stmt, ast.Expr):
            owner = _called_owner(stmt)
            if owner is not None:
                trailing.setdefault(owner, []).append(stmt)
    names = set(classes)
    refs = {name: _referenced(node, names) - {name} for name, node in classes.items()}
    bases = {
        name: [b.id for b in node.bases if isinstance(b, ast.Name) and b.id in names]
        for name, node in classes.items()
        if isinstance(node, ast.ClassDef)
    }
    areas = _propagate(usage, refs, names)
    home = {name: _home(areas.get(name, set())) for name in names}
    _close_shared(home, refs)
    modules: dict[str, list[str]] = {}
    for name in order:
        modules.setdefault(home[name], []).append(name)
    index: dict[str, str] = {name: home[name] for name in names}
    union_lines: list[str] = []
    union_members: set[str] = set()
    for union, members in sorted((unions or {}).items()):
        missing = [m for m in members if m not in home]
        if missing:
            raise CodegenError("chunks", f"chunk class {missing[0]!r} of {union} was not generated")
        union_lines.append(f"{union} = " + " | ".join(members))
        union_members.update(members)
        index[union] = STREAMS
    if union_lines:
        modules.setdefault(STREAMS, [])
    alias_lines: dict[str, list[str]] = {}
    for alias, target in sorted(aliases.items()):
        if target in home and alias not in index:
            alias_lines.setdefault(home[target], []).append(f"{alias} = {target}")
            index[alias] = home[target]
    out: list[ModelModule] = []
    for module in sorted(modules):
        members = modules[module]
        body = [segment(classes[n]) for n in members]
        for n in members:
            body.extend(segment(s) for s in trailing.get(n, []))
        # A subclass's fields include its bases' fields, whose annotations pydantic evaluates
        # in the subclass's module: what a base refers to must be importable there too.
        foreign_names = {r for n in members for r in _with_bases(n, refs, bases) if home[r] != module}
        if module == STREAMS:
            foreign_names.update(m for m in union_members if home[m] != module)
        foreign = sorted(foreign_names)
        lines = [header, "from __future__ import annotations", "", *imports]
        if foreign:
            lines.append(f"from .{SHARED} import (" + ", ".join(f"{r} as {r}" for r in foreign) + ",)")
        lines += ["", "", "\n\n\n".join(body)]
        if alias_lines.get(module):
            lines += [
                "",
                "",
                "# Other names of the shapes above: each place a shape is used keeps a type named after it.",
            ]
            lines += alias_lines[module]
        if module == STREAMS and union_lines:
            lines += ["", "", "# Chunk unions: one class per known type, the last one for every other type."]
            lines += union_lines
        out.append(ModelModule(name=module, source="\n".join(lines) + "\n"))
    return out, index


def _with_bases(name: str, refs: Mapping[str, set[str]], bases: Mapping[str, list[str]]) -> set[str]:
    """What ``name`` refers to, plus what every class it inherits from refers to."""
    found = set(refs[name])
    stack = list(bases.get(name, ()))
    seen: set[str] = set()
    while stack:
        base = stack.pop()
        if base not in seen:
            seen.add(base)
            found.update(refs[base])
            stack.extend(bases.get(base, ()))
    found.discard(name)
    return found


def _called_owner(stmt: ast.Expr) -> str | None:
    """``Foo.model_rebuild()`` belongs to Foo's module."""
    call = stmt.value
    if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute):
        target = call.func.value
        if isinstance(target, ast.Name):
            return target.id
    return None


def _referenced(node: ast.AST, names: set[str]) -> set[str]:
    found: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and sub.id in names:
            found.add(sub.id)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str) and sub.value in names:
            found.add(sub.value)  # a quoted forward reference
    return found


def _propagate(
    usage: Mapping[str, set[str]], refs: Mapping[str, set[str]], names: Iterable[str]
) -> dict[str, set[str]]:
    areas: dict[str, set[str]] = {n: set(usage.get(n, ())) for n in names}
    for area in sorted({a for groups in usage.values() for a in groups}):
        stack = [n for n, groups in usage.items() if area in groups and n in areas]
        seen: set[str] = set()
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            areas[name].add(area)
            stack.extend(refs.get(name, ()))
    return areas


def _close_shared(home: dict[str, str], refs: Mapping[str, set[str]]) -> None:
    """Move into ``_shared`` what a class refers to in a third module: a module imports only
    from itself and ``_shared``.

    A class no operation uses (only other schemas, or nothing) lives in ``_shared``; the classes
    it refers to must live there too, even when a single area uses them directly.
    """
    stack = sorted(home)
    while stack:
        name = stack.pop()
        for ref in refs[name]:
            if home[ref] not in (home[name], SHARED):
                home[ref] = SHARED
                stack.append(ref)


def _home(areas: set[str]) -> str:
    return next(iter(areas)) if len(areas) == 1 else SHARED
