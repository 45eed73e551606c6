"""The API surface of a generated package: what user code can call and import.

A plain JSON document (``_api.json`` in the package) listing every operation
(its Python name, keyword arguments with their types, result, stream) and every
model (fields with their types and whether they are required, and whether
requests or responses use it). ``mastra-codegen diff`` compares two of them,
so an upgrade can be judged without reading thousands of generated lines, and
``--check`` summarizes what a regeneration would change.

It is built from the same intermediate model the templates render, so it
describes exactly the code that was generated.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .errors import CodegenError
from .ir import Operation
from .labels import schema_label
from .normalize import ALIASES_KEY, RENAMED_KEY
from .refs import schema_names_in

SURFACE_FILE = "_api.json"
SURFACE_FORMAT = 1


def build_surface(
    operations: Iterable[Operation],
    document: Mapping[str, Any],
    meta: Mapping[str, Any],
) -> dict[str, Any]:
    """The surface as JSON-ready data: keys sorted, nothing machine- or time-dependent.

    ``document`` is the normalized document the operations were built from.
    """
    components = document.get("components") or {}
    schemas: Mapping[str, Any] = components.get("schemas") or {}
    aliases: Mapping[str, str] = components.get(ALIASES_KEY) or {}
    renamed: Mapping[str, str] = components.get(RENAMED_KEY) or {}
    ops = sorted(operations, key=lambda o: o.key)
    request_roots: set[str] = set()
    response_roots: set[str] = set()
    paths = document.get("paths") or {}
    for op in ops:
        raw = (paths.get(op.path) or {}).get(op.method.lower()) or {}
        request_roots.update(schema_names_in([raw.get("parameters"), raw.get("requestBody")]))
        response_roots.update(schema_names_in(raw.get("responses")))
    requests = _reachable({aliases.get(n, n) for n in request_roots}, schemas)
    responses = _reachable({aliases.get(n, n) for n in response_roots}, schemas)
    models: dict[str, Any] = {}
    for name in sorted(schemas):
        schema = schemas[name]
        roles = [r for r, used in (("request", name in requests), ("response", name in responses)) if used]
        entry: dict[str, Any] = {"used_in": roles}
        if name in renamed:  # the package uses its first-choice name for something else (public_names.py)
            entry["renamed_from"] = renamed[name]
        if isinstance(schema, dict) and isinstance(schema.get("properties"), dict):
            required = set(schema.get("required") or [])
            entry["fields"] = {
                str(prop): {"type": schema_label(sub), "required": prop in required}
                for prop, sub in sorted(schema["properties"].items())
            }
        else:
            entry["type"] = schema_label(schema)
        models[name] = entry
    for alias, target in sorted(aliases.items()):
        if alias not in models:
            models[alias] = {"alias_of": target, "used_in": models.get(target, {}).get("used_in", [])}
            if alias in renamed:
                models[alias]["renamed_from"] = renamed[alias]
    return {
        "format": SURFACE_FORMAT,
        **{k: meta[k] for k in sorted(meta)},
        "operations": {op.key: _operation(op) for op in ops},
        "models": models,
    }


def _operation(op: Operation) -> dict[str, Any]:
    params = {
        p.py_name: {"in": p.location, "wire": p.name, "type": p.type_label, "required": p.required} for p in op.params
    }
    entry: dict[str, Any] = {
        "name": f"{op.group}.{op.py_name}",
        "params": dict(sorted(params.items())),
        "returns": op.returns_for(""),
        "result": op.result_label,
    }
    if op.stream is not None:
        entry["stream"] = op.stream.framing
    if op.deprecated:
        entry["deprecated"] = True
    return entry


def _reachable(roots: set[str], schemas: Mapping[str, Any]) -> set[str]:
    seen: set[str] = set()
    todo = sorted(roots)
    while todo:
        name = todo.pop()
        if name in seen or name not in schemas:
            continue
        seen.add(name)
        todo.extend(schema_names_in(schemas[name]))
    return seen


def render_surface(surface: Mapping[str, Any]) -> str:
    """One entry per line, sorted: an upgrade's ``git diff`` of this file reads like a changelog.

    Without the spec's hash: that is in ``_version.py`` alone, so this file changes only with the API.
    """
    recorded = {k: v for k, v in surface.items() if k != "spec_sha256"}
    return json.dumps(recorded, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


_SPEC_SHA256 = re.compile(r'^SPEC_SHA256 = "([0-9a-f]{64})"$', re.MULTILINE)


def _recorded_sha256(package: Path) -> str | None:
    """``SPEC_SHA256`` of the package's ``_version.py`` (read as text: the package is never imported)."""
    try:
        found = _SPEC_SHA256.search((package / "_version.py").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found.group(1) if found else None


def read_surface(package: Path) -> dict[str, Any]:
    """The surface recorded in a generated package, with a clear error for anything else."""
    path = package / SURFACE_FILE
    if not path.is_file():
        if (package / ".mastra-codegen").is_file():
            raise CodegenError(
                str(package),
                f"has no {SURFACE_FILE}: it was generated by an older mastra-codegen; "
                "compare the spec it was generated from instead, or regenerate it first",
            )
        raise CodegenError(str(package), "is not a package generated by mastra-codegen (no .mastra-codegen marker)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CodegenError(str(path), f"cannot read the API surface: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != SURFACE_FORMAT:
        raise CodegenError(str(path), f"unknown API surface format {data.get('format')!r}; need {SURFACE_FORMAT}")
    sha256 = data.get("spec_sha256") or _recorded_sha256(package)  # older packages recorded it here
    if sha256:
        data["spec_sha256"] = sha256
    return data
