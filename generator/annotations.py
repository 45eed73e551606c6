"""Render a normalized schema as a Python type annotation (source text).

Two flavours: ``output`` is what a response is parsed into; ``input`` is what a
caller may pass (a model or a plain dict wherever a model is expected, any
sequence where a list is). Enums are open in ``output`` (``Literal["a", "b"] | str``:
a newer server's value is kept, see ``open_enums``) and closed in ``input``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .refs import schema_name

_SCALARS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "null": "None"}


class Annotator:
    """Renders annotations; model names come out as ``<prefix>Name`` (``_models.Agent``)."""

    def __init__(
        self,
        prefix: str = "_models.",
        schemas: dict[str, Any] | None = None,
        aliases: dict[str, str] | None = None,
    ) -> None:
        self.prefix = prefix
        self.used: set[str] = set()
        self._schemas = schemas or {}
        self._aliases = aliases or {}
        self._expanding: set[str] = set()
        self._names: Mapping[str, str] = {}

    def _takes_mapping(self, schema: Any, depth: int = 0) -> bool:
        """A model a plain mapping can stand in for: an object, or a union of objects only."""
        name = schema_name(schema)
        if name is not None:
            schema = self._schemas.get(self._aliases.get(name, name))
        if not isinstance(schema, dict) or depth > 8:
            return False
        if schema.get("properties") or "allOf" in schema:
            return True
        if schema.get("type") == "object" and not schema.get("additionalProperties"):
            return True
        members = schema.get("anyOf") or schema.get("oneOf")
        return isinstance(members, list) and all(self._takes_mapping(m, depth + 1) for m in members)

    def output(self, schema: Any) -> str:
        return self._render(schema, inputs=False)

    def input(self, schema: Any, names: Mapping[str, str] | None = None) -> str:
        """What a caller may pass; ``names`` renames classes (to the aliases an operation owns)."""
        self._names = names or {}
        try:
            return self._render(schema, inputs=True)
        finally:
            self._names = {}

    def _render(self, schema: Any, inputs: bool) -> str:
        if schema is True or schema is None or schema == {}:
            return "Any"
        if schema is False or not isinstance(schema, dict):
            return "Any"
        name = schema_name(schema)
        if name is not None:
            name = self._names.get(name, name)
            self.used.add(name)
            qualified = self.prefix + name
            target = self._schemas.get(self._aliases.get(name, name))
            # A model class cannot hold null: a component that may be null is the class or None.
            null = " | None" if _nullable_class(target) else ""
            if not inputs:
                return qualified + null
            if not isinstance(target, dict) or self._takes_mapping(target) or name in self._expanding:
                return f"{qualified} | Mapping[str, Any]{null}"
            # A root model (an enum, a union, an array...): callers pass the plain value too.
            self._expanding.add(name)
            try:
                return _union([qualified, self._render(target, inputs)])
            finally:
                self._expanding.discard(name)
        if "const" in schema:
            return _literal([schema["const"]])
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            return _union([_literal(enum), *([] if inputs else _open_kinds(enum))])
        for key in ("anyOf", "oneOf"):
            members = schema.get(key)
            if isinstance(members, list) and members:
                rendered = [self._render(m, inputs) for m in members]
                if not inputs:  # a union of constants is an enum too
                    rendered += _open_kinds([v for m in members for v in _constants(m)])
                return _union(rendered)
        all_of = schema.get("allOf")
        if isinstance(all_of, list):
            return self._render(all_of[0], inputs) if len(all_of) == 1 else "Any"
        kind = schema.get("type")
        if isinstance(kind, list):
            return _union([self._render({**schema, "type": k}, inputs) for k in kind])
        if kind == "array" or "items" in schema or "prefixItems" in schema:
            items = schema.get("items")
            if isinstance(schema.get("prefixItems"), list) and items is False:
                inner = [self._render(s, inputs) for s in schema["prefixItems"]]
                return f"tuple[{', '.join(inner)}]" if inner else "tuple[()]"
            inner_one = self._render(items if isinstance(items, dict) else {}, inputs)
            return f"Sequence[{inner_one}]" if inputs else f"list[{inner_one}]"
        if kind == "object" or "properties" in schema or "additionalProperties" in schema:
            extra = schema.get("additionalProperties")
            value = self._render(extra, inputs) if isinstance(extra, dict) else "Any"
            return f"Mapping[str, {value}]" if inputs else f"dict[str, {value}]"
        if isinstance(kind, str) and kind in _SCALARS:
            if kind == "string" and schema.get("format") in ("date-time", "date") and not inputs:
                return "str"  # parsed models carry datetimes; raw annotations stay honest
            if kind == "number":
                return "float"
            return _SCALARS[kind]
        return "Any"


def _nullable_class(schema: Any) -> bool:
    """A component rendered as a model class (an object with properties) whose schema admits null."""
    if not isinstance(schema, dict) or not (schema.get("properties") or "allOf" in schema):
        return False
    kind = schema.get("type")
    return isinstance(kind, list) and "null" in kind


def _constants(schema: Any) -> list[Any]:
    """The values of a member that is a constant or an enum (``[]`` for any other)."""
    if not isinstance(schema, dict) or "$ref" in schema:
        return []
    if "const" in schema:
        return [schema["const"]]
    enum = schema.get("enum")
    return list(enum) if isinstance(enum, list) else []


def _open_kinds(values: list[Any]) -> list[str]:
    """What an enum of these values accepts besides them in a response: ``str`` and/or ``int``
    (nothing for one value, a tag, nor for values a ``Literal`` cannot hold)."""
    known = [v for v in values if v is not None]
    if len(known) < 2 or not all(isinstance(v, (str, int)) for v in known):
        return []
    return [name for name, kind in (("str", str), ("int", int)) if any(type(v) is kind for v in known)]


def _literal(values: list[Any]) -> str:
    parts: list[str] = []
    has_null = False
    for value in values:
        if value is None:
            has_null = True
        elif isinstance(value, bool):
            parts.append("True" if value else "False")
        elif isinstance(value, (int, str)):
            # json.dumps gives a valid, inert Python string literal for any text
            parts.append(json.dumps(value) if isinstance(value, str) else str(value))
        else:
            return "Any"
    text = f"Literal[{', '.join(parts)}]" if parts else "None"
    return f"{text} | None" if has_null and parts else text


def _union(members: list[str]) -> str:
    flat: list[str] = []
    for member in members:
        for part in _split_union(member):
            if part not in flat:
                flat.append(part)
    if "Any" in flat:
        return "Any"
    # None last reads naturally: `str | None`
    flat.sort(key=lambda p: p == "None")
    return " | ".join(flat)


def _split_union(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return parts
