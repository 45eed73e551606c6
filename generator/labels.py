"""Short, stable descriptions of JSON Schema types, and how two of them relate.

``array[Agent]``, ``string | null``, ``"draft" | "published"``: what the API
surface records for each parameter, field and result, so ``diff`` can tell a
widened type (a new enum value, ``| null``) from a changed one.
"""

from __future__ import annotations

import json
from typing import Any

from .refs import schema_name

_SEPARATOR = " | "


def schema_label(schema: Any) -> str:
    """A short, stable description of a JSON Schema's type: ``array[Agent]``, ``string | null``."""
    if schema is True or schema == {} or schema is None:
        return "any"
    if schema is False:
        return "never"
    if not isinstance(schema, dict):
        return "any"
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return schema_name(schema) or ref
    if "const" in schema:
        return json.dumps(schema["const"], sort_keys=True)
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return _union(json.dumps(v, sort_keys=True) for v in schema["enum"])
    for key in ("anyOf", "oneOf"):
        members = schema.get(key)
        if isinstance(members, list) and members:
            return _union(schema_label(m) for m in members)
    if isinstance(schema.get("allOf"), list) and schema["allOf"]:
        return "(" + " & ".join(sorted({schema_label(m) for m in schema["allOf"]})) + ")"
    kind = schema.get("type")
    if isinstance(kind, list):
        return _union(schema_label({**schema, "type": k}) for k in kind)
    if kind == "array":
        if isinstance(schema.get("prefixItems"), list):
            return "tuple[" + ", ".join(schema_label(s) for s in schema["prefixItems"]) + "]"
        return f"array[{schema_label(schema.get('items'))}]"
    if kind == "object" or "properties" in schema or "additionalProperties" in schema:
        props = schema.get("properties")
        if isinstance(props, dict) and props:
            return "object{" + ", ".join(sorted(str(p) for p in props)) + "}"
        extra = schema.get("additionalProperties")
        return f"map[{schema_label(extra)}]" if isinstance(extra, dict) and extra else "object"
    if isinstance(kind, str):
        fmt = schema.get("format")
        return f"{kind}({fmt})" if isinstance(fmt, str) and kind == "string" else kind
    return "any"


def _union(labels: Any) -> str:
    """Members of a union, flattened and sorted: the order in the spec carries no meaning."""
    members: set[str] = set()
    for label in labels:
        members.update(union_members(label))
    return _SEPARATOR.join(sorted(members))


def union_members(label: str) -> list[str]:
    """The top-level members of a label (``a | array[b | c]`` gives ``a`` and ``array[b | c]``)."""
    members: list[str] = []
    depth = 0
    quoted = False
    escaped = False
    start = 0
    i = 0
    while i < len(label):
        char = label[i]
        if quoted:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                quoted = False
        elif char == '"':
            quoted = True
        elif char in "[({":
            depth += 1
        elif char in "])}":
            depth -= 1
        elif depth == 0 and label.startswith(_SEPARATOR, i):
            members.append(label[start:i])
            i += len(_SEPARATOR)
            start = i
            continue
        i += 1
    members.append(label[start:])
    return members


def relation(old: str, new: str) -> str:
    """``same``, ``wider`` (accepts everything the old one did, and more), ``narrower`` or ``changed``."""
    if old == new:
        return "same"
    before, after = union_members(old), union_members(new)
    widens = all(any(covers(n, o) for n in after) for o in before)
    narrows = all(any(covers(o, n) for o in before) for n in after)
    if widens and narrows:
        return "same"
    if widens:
        return "wider"
    if narrows:
        return "narrower"
    return "changed"


def covers(wide: str, narrow: str) -> bool:
    """Whether every value of the member ``narrow`` is also a value of ``wide``."""
    if wide == narrow or wide == "any":
        return True
    if wide == "number" and narrow == "integer":
        return True
    if narrow.startswith('"') and wide.startswith("string"):
        return True
    for prefix in ("array[", "map["):
        if wide.startswith(prefix) and narrow.startswith(prefix):
            return relation(narrow[len(prefix) : -1], wide[len(prefix) : -1]) in ("same", "wider")
    return False


def is_constant(member: str) -> bool:
    """A literal value (``"draft"``, ``3``, ``true``) rather than a type."""
    if member.startswith('"') or member in ("true", "false"):
        return True
    try:
        float(member)
    except ValueError:
        return False
    return True
