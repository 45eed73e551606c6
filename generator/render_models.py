"""Pydantic models: datamodel-code-generator over the components, split by area.

datamodel-code-generator writes one module; we split its classes into one
module per client area (``agents``, ``workflows``...) plus ``_shared`` for
classes several areas use. An area module imports only itself and ``_shared``,
and ``_shared`` only itself, so there are no import cycles, and the package
imports an area's models on first use instead of all of them at once.
"""

from __future__ import annotations

import ast
import json
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

from .errors import CodegenError
from .ir import ModelModule

SHARED = "_shared"
STREAMS = "_streams"  # chunk models of streams and their union aliases


def run_datamodel_codegen(schemas: Mapping[str, Any]) -> str:
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
            )
        except Exception as exc:  # the library raises many types; all mean "bad schema"
            raise CodegenError("components", f"datamodel-code-generator failed: {exc}") from None
    if not isinstance(output, str):
        raise CodegenError("components", "datamodel-code-generator returned no single module")
    return output


def split_models(
    source: str,
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
    tree = ast.parse(source)
    lines_of = source.splitlines()

    def segment(node: ast.stmt) -> str:
        # ast.get_source_segment re-splits the whole source on every call: quadratic here.
        start = node.lineno - 1
        if isinstance(node, ast.ClassDef) and node.decorator_list:
            start = node.decorator_list[0].lineno - 1
        return "\n".join(lines_of[start : node.end_lineno])

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
