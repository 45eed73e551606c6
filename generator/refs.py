"""Resolve local JSON pointers inside the loaded document."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from .errors import CodegenError


def escape(token: object) -> str:
    """A key as a JSON pointer token inside a URI fragment: ``~``, ``/`` and ``%`` escaped, so
    ``unescape`` gives the key back whatever it holds."""
    return str(token).replace("~", "~0").replace("/", "~1").replace("%", "%25")


def unescape(token: str) -> str:
    return unquote(token).replace("~1", "/").replace("~0", "~")


def pointer_tokens(fragment: str) -> list[str] | None:
    """The keys of a JSON pointer (``/a/b~1c`` -> ``["a", "b/c"]``); None when it is not one."""
    if fragment in ("", "/"):
        return []
    if not fragment.startswith("/") or _BAD_ESCAPE.search(fragment):
        return None
    return [unescape(token) for token in fragment[1:].split("/")]


_BAD_ESCAPE = re.compile(r"~(?![01])")


def resolve_pointer(document: Any, ref: str, where: str) -> Any:
    """Follow ``#/a/b`` in ``document``; a located error when it goes nowhere."""
    if not ref.startswith("#"):
        raise CodegenError(where, f"$ref {ref!r} points outside the document (remote refs are not followed)")
    node = document
    tokens = pointer_tokens(ref[1:])
    if tokens is None:
        raise CodegenError(where, f"$ref {ref!r} is not a JSON pointer ('#/a/b', '~' only as ~0 or ~1)")
    for key in tokens:
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            raise CodegenError(where, f"unresolvable $ref {ref!r}")
    return node


def deref(document: Any, node: Any, where: str, limit: int = 50) -> Any:
    """Follow a chain of ``$ref`` objects (parameters, bodies, responses) to the real object."""
    seen: list[str] = []
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if ref in seen or len(seen) >= limit:
            raise CodegenError(where, f"circular $ref chain: {' -> '.join([*seen, ref])}")
        seen.append(ref)
        node = resolve_pointer(document, ref, where)
    return node


SCHEMA_REF = "#/components/schemas/"


def recurses(document: Any, ref: str) -> bool:
    """Whether the target of a local ``ref`` outside ``#/components/schemas/X`` contains ``ref``
    again, directly or through other such references (iterative; unresolvable ones are skipped)."""
    seen = {ref}
    stack = [_target_or_none(document, ref)]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            inner = item.get("$ref")
            if isinstance(inner, str) and inner.startswith("#") and not _is_component(inner):
                if inner == ref:
                    return True
                if inner not in seen:
                    seen.add(inner)
                    stack.append(_target_or_none(document, inner))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _is_component(ref: str) -> bool:
    return ref.startswith(SCHEMA_REF) and "/" not in ref[len(SCHEMA_REF) :]


def _target_or_none(document: Any, ref: str) -> Any:
    try:
        return resolve_pointer(document, ref, "")
    except CodegenError:
        return None


def schema_name(node: Any) -> str | None:
    """The component a ``{"$ref": "#/components/schemas/X"}`` names, else None (normalized documents)."""
    ref = node.get("$ref") if isinstance(node, dict) else None
    return ref[len(SCHEMA_REF) :] if isinstance(ref, str) and ref.startswith(SCHEMA_REF) else None


def schema_names_in(value: Any) -> list[str]:
    """Every component referenced anywhere inside ``value`` (iterative: no recursion limit)."""
    found: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            name = schema_name(item)
            if name is not None:
                found.append(name)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found
