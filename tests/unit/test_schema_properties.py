"""Property-based tests: random valid OpenAPI documents through the whole generator.

One hypothesis example is one document (3.0 or 3.1, written as JSON or YAML) holding several
``components.schemas``, with operations that use them as request bodies and responses, so the
client side is rendered too. For each document:

(a) every generated ``.py`` file compiles;
(b) the package imports (a unique package name per example, removed from ``sys.modules``
    afterwards), with every model and every resource module, without a warning;
(c) sample JSON drawn FROM each schema (valid data) validates with the generated model and
    dumps back (``model_dump(mode="json", by_alias=True, exclude_unset=True)``) to exactly the
    input; a dump with the defaults (no ``exclude_unset``) holds each absent property's default
    and raises no serialization warning;
(d) the model rejects data that breaks the schema where that is a sound claim: a required
    property, with no default, missing or of the wrong JSON kind; on request bodies also an
    unknown key under ``additionalProperties: false``, a number past one of its bounds
    (inclusive or exclusive, 3.0 or 3.1 style) or off its ``multipleOf``;
(e) the client sends a sample request body field by field (the keyword each wire name maps to
    is read from the generated method) and the server's JSON comes back as a model that dumps
    to that JSON.

What the strategies draw: objects with properties named from awkward sets (keywords, builtins,
pydantic's own attributes, the client's keyword arguments, names that collide after snake_case
or NFKC, leading digits, dashes, dots, spaces, accents, very long names), required subsets,
primitives with formats (date-time, date, uuid, email, uri, byte, binary, int32/int64,
float/double) and bounds, enums of strings, integers or both (keywords, digits first, the empty
string, quotes), ``const``, ``nullable`` (3.0) and type arrays with ``null`` (3.1), arrays,
nested inline objects, maps, ``additionalProperties`` (absent, true, a schema, false),
``anyOf``/``oneOf``/``allOf``, discriminated ``oneOf`` unions (each member a component with a
required string ``const``/``enum`` tag, with and without ``mapping``), ``$ref`` to components
including self and mutual recursion, and defaults drawn from their own schema.

Equality is plain ``==`` on the decoded JSON, so ``1 == 1.0`` (a JSON number is a number).
Choices that keep that equality legitimate:

* date-time values are drawn in the form pydantic writes back (``Z`` for UTC, other offsets as
  ``+HH:MM``, fractions of a second with six digits or none): every RFC 3339 spelling of one
  instant is the same value, and the model may pick its own; ``test_date_time_spellings_are_read``
  checks the other spellings are read as the same instant. No leap seconds (Python has none).
* numbers are finite, integers given for ``number`` stay within 2**53 (a float holds them).
* ``oneOf`` samples are drawn from one member without checking they match no other: the models
  treat ``oneOf`` as ``anyOf`` (pydantic picks the best fit). So that the fit is unambiguous,
  at most one member of a union may hold objects or arrays (another such member is replaced by
  a string): data two object members accept may be read by either, and one that drops unknown
  keys would lose them. Discriminated unions are exempt (the tag decides).
* additional keys are drawn only where the schema allows them (``true`` or a schema), and are
  never Python identifiers: models are ``populate_by_name``, so ``model_validate`` reads a key
  spelled like a field's Python name as that field (the client reads wire names only, see
  ``test_a_key_spelled_like_a_python_field_name_is_not_that_field``; for the same reason
  ``allOf`` members never name properties alike after snake_case). Where
  ``additionalProperties`` is absent the model accepts unknown keys and drops them (pydantic's
  default), which is checked separately: the data validates. ``allOf`` members take none (a key
  one member allows is a declared property of another).
* ``nullable`` (3.0) only next to a ``type``, as OpenAPI 3.0.3 specifies; an enum that may be
  null lists ``null``. A component that is a nullable object is a class, which cannot hold
  null: a null sample is checked through the client (the result is ``None``), not the class.
* defaults are drawn from their own schema (scalars, arrays, inline objects, and next to a
  ``$ref`` in 3.1 only: 3.0 ignores the siblings of a ``$ref``), where all they refer to is
  drawn already.

Known limits these strategies respect: ``prefixItems`` become lists (not drawn); named
components are lenient on ``additionalProperties: false`` (only inline request bodies are
checked strictly); a non-ASCII-only name like ``名前`` gets the Python name ``value``;
``pattern`` is dropped (not drawn). Component names follow OpenAPI's ``^[a-zA-Z0-9._-]+$`` and
differ after PascalCase, so each one's class name is known in advance.

The bugs the property found are kept as explicit ``@example`` cases (they run first, on every
run) and in the plain tests below it.

CI runs the ``ci`` profile: derandomized, so every run of the same test selection checks the
same examples (Hypothesis also draws constants found in the local modules imported so far, so
this file alone and the whole suite check different, fixed sets); about half a minute.
``MASTRA_PROPS_PROFILE=deep`` runs many more random examples.
"""

from __future__ import annotations

import ast
import base64
import datetime as dt
import hashlib
import importlib
import json
import math
import os
import sys
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pydantic
import pytest
import yaml
from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st
from mastra_codegen.naming import pascal, safe_class_name, snake
from mastra_codegen.pipeline import generate, prepare
from package_checks import import_everything

# Each example is a whole generation: no deadline, and no database (CI starts clean anyway).
_SLOW_EXAMPLES = settings(
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile("mastra-props-ci", _SLOW_EXAMPLES, max_examples=50, derandomize=True)
settings.register_profile("mastra-props-deep", _SLOW_EXAMPLES, max_examples=400, derandomize=False)
PROFILE = settings.get_profile("mastra-props-" + os.environ.get("MASTRA_PROPS_PROFILE", "ci"))

BASE_URL = "http://props.test"
BODY_PATH = "/body"
MAX_SAMPLE_DEPTH = 4  # past it, samples take the smallest valid instance (no optional keys, [] ...)

# --------------------------------------------------------------------------- names

AWKWARD_PROPERTIES = [
    # keywords, soft keywords, builtins and names a model module or pydantic uses itself
    *("from", "class", "type", "id", "def", "return", "import", "lambda", "async", "await", "None", "True"),
    *("match", "case", "_", "self", "cls", "list", "dict", "str", "int", "float", "bool", "object", "print"),
    *("model_config", "model_fields", "model_dump", "model_validate", "model_extra", "model_", "json", "schema"),
    *("copy", "dict", "fields", "construct", "validate", "parse_obj", "root", "__root__", "Field", "BaseModel"),
    *("Literal", "Any", "annotations", "__init__", "__class__", "__dict__", "_private", "__dunder__"),
    *("timeout", "extra_body", "extra_headers", "max_retries", "retry_unsafe", "body", "_body", "_response"),
    # collide after snake_case
    *("fooBar", "foo_bar", "FooBar", "foo-bar", "foo.bar", "foo bar", "FOO_BAR", "foo__bar", "foo_bar_1"),
    *("userID", "user_id", "UserId", "URL", "url", "HTTPStatus", "http_status"),
    # digits, punctuation, unicode, length
    *("2fa", "123", "1st-place", "-", "a-b-c", "a.b.c", "with space", "$ref", "@type", "x-amz-date", "a/b"),
    *("prénom", "Ünïcödé", "naïve-name", "émoji😀", "a" * 100, "VeryLong" * 20),
    # Python reads some letters as others (NFKC), ruff dislikes l, I and O
    *("µs", "μs", "ª", "a", "ﬁle", "file", "ｊｓｏｎ", "l", "I", "O", "B", "b"),
]
UNICODE_ONLY = ["名前", "имя", "😀"]  # no ASCII at all: snake_case gives "value"

COMPONENT_WORDS = [
    # names a generated module imports, or builtins, or words the generator itself uses
    *("Field", "Model", "BaseModel", "RootModel", "ConfigDict", "Literal", "Any", "Optional", "Union", "List"),
    *("Dict", "Annotated", "datetime", "date", "Enum", "Json", "TypeAdapter", "AwareDatetime", "UUID", "Decimal"),
    *("str", "int", "type", "from", "class", "None", "True", "self", "json", "model", "Response", "Request"),
    *("Error", "Item", "Value", "Mapping", "annotations", "_private", "2fa", "foo.bar", "foo-bar", "x", "Props"),
    *("MastraClient", "AsyncMastraClient", "NotGiven", "Thing", "Thing_1", "Thing.Item", "a.b.c", "Schema"),
    *("BodyRequest", "C0", "C0Response", "C1", "Props", "PropsResource", "Body", "Part1", "Option1"),  # names it makes
]

property_names = st.one_of(
    st.sampled_from(AWKWARD_PROPERTIES),
    st.from_regex(r"[a-z][a-zA-Z0-9]{0,12}", fullmatch=True),
    st.from_regex(r"[A-Za-z0-9_.$@ -]{1,20}", fullmatch=True),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12),
)

component_names = st.one_of(
    st.sampled_from(COMPONENT_WORDS),
    st.from_regex(r"[A-Z][a-zA-Z0-9]{0,15}", fullmatch=True),
    st.from_regex(r"[a-zA-Z0-9._-]{1,24}", fullmatch=True),
)

STRING_ENUM_VALUES = [
    *("a", "b", "A", "in", "class", "from", "None", "True", "false", "null", "1st", "24h", "on hold", ""),
    *("x-y", "x_y", "é", "self", "mro", "name", "value", "_", "__init__", "-1", "0", "💥", "a b c", "UPPER"),
    *("it's", 'say "hi"', "back\\slash", "tab\there", "line\nbreak", "{braces}", "%s"),
    *("yes", "no", "on", "off", "~", "1e3", "0x10", "010", "1_000", "2024-01-01", "12:30"),  # YAML 1.1 would read these
]
INT_ENUM_VALUES = [-1, 0, 1, 2, 3, 42, 100, 2**40]


def class_name(component: str) -> str:
    """The class a component named by the document gets (the document's names are claimed first)."""
    return safe_class_name(pascal(component))


# --------------------------------------------------------------------------- schemas


@dataclass
class Ctx:
    """What a schema being drawn may refer to.

    Components are drawn in order. A schema may refer to an earlier component anywhere, but to
    itself or a later one only where the smallest instance of the component need not go (an
    optional property, array items, a map value, a union member other than the first): every
    component then has a finite smallest instance, which samples fall back to past a depth.
    """

    flavour: str  # "3.0" or "3.1"
    names: list[str]
    index: int
    objects: dict[str, frozenset[str]]  # earlier plain object components -> their property names
    drawn: dict[str, Any] = field(default_factory=dict)  # the components drawn so far


def nullable(ctx: Ctx, schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` that also accepts null (it has a single ``type``)."""
    schema = dict(schema)
    if "enum" in schema:
        schema["enum"] = [*schema["enum"], None]
    if ctx.flavour == "3.0":
        schema["nullable"] = True
    else:
        schema["type"] = [schema["type"], "null"]
    return schema


@st.composite
def string_schemas(draw: st.DrawFn, ctx: Ctx) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    fmt = draw(st.sampled_from([None, None, None, "date-time", "date", "uuid", "email", "uri", "byte", "binary"]))
    if fmt:
        schema["format"] = fmt
    elif draw(st.booleans()):
        low = draw(st.integers(0, 3))
        schema["minLength"] = low
        schema["maxLength"] = draw(st.integers(low, low + 8))
    return schema


@st.composite
def number_schemas(draw: st.DrawFn, ctx: Ctx, kind: str) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": kind}
    fmt = draw(st.sampled_from([None, "int32", "int64"] if kind == "integer" else [None, "float", "double"]))
    if fmt:
        schema["format"] = fmt
    bounds = draw(st.sampled_from(["none", "inclusive", "exclusive", "multiple"]))
    if bounds in ("inclusive", "exclusive"):
        low = draw(st.integers(-1000, 1000))
        schema["minimum"] = low
        schema["maximum"] = low + draw(st.integers(2, 5000))
        if kind == "number" and draw(st.booleans()):
            schema["maximum"] += 0.5
    if bounds == "exclusive" and ctx.flavour == "3.0":  # 3.0: booleans next to the bounds
        schema["exclusiveMinimum"] = schema["exclusiveMaximum"] = True
    elif bounds == "exclusive":  # 3.1: the bounds themselves
        schema["exclusiveMinimum"], schema["exclusiveMaximum"] = schema.pop("minimum"), schema.pop("maximum")
    elif bounds == "multiple" and kind == "integer":
        schema["multipleOf"] = draw(st.integers(2, 7))
    return schema


@st.composite
def enum_schemas(draw: st.DrawFn, ctx: Ctx) -> dict[str, Any]:
    values: list[Any]
    kind = draw(st.sampled_from(["string", "string", "integer", "mixed", "number"]))
    if kind == "number":
        values = draw(st.lists(st.sampled_from([0.5, -1.25, 2.0, 1e-3]), min_size=1, max_size=3, unique=True))
        return {"type": "number", "enum": values}
    if kind == "string":
        values = draw(st.lists(st.sampled_from(STRING_ENUM_VALUES), min_size=1, max_size=6, unique=True))
        return {"type": "string", "enum": values}
    if kind == "integer":
        values = draw(st.lists(st.sampled_from(INT_ENUM_VALUES), min_size=1, max_size=5, unique=True))
        return {"type": "integer", "enum": values}
    strings = draw(st.lists(st.sampled_from(STRING_ENUM_VALUES), min_size=1, max_size=3, unique=True))
    numbers = draw(st.lists(st.sampled_from(INT_ENUM_VALUES), min_size=1, max_size=3, unique=True))
    mixed = draw(st.permutations([*strings, *numbers]))
    return (
        {"enum": mixed}
        if ctx.flavour == "3.0" or draw(st.booleans())
        else {"type": ["string", "integer"], "enum": mixed}
    )


@st.composite
def const_schemas(draw: st.DrawFn, ctx: Ctx) -> dict[str, Any]:
    value = draw(st.one_of(st.sampled_from(STRING_ENUM_VALUES), st.sampled_from(INT_ENUM_VALUES), st.booleans()))
    kind = "boolean" if isinstance(value, bool) else "integer" if isinstance(value, int) else "string"
    if ctx.flavour == "3.0":  # no const in 3.0: a one-value enum
        return {"type": kind, "enum": [value]}
    return {"const": value} if draw(st.booleans()) else {"type": kind, "const": value}


def json_kinds(schema: Any, ctx: Ctx, depth: int = 0) -> set[str]:
    """The JSON kinds (``object``, ``array``, ``scalar``) instances of ``schema`` may have."""
    if not isinstance(schema, dict) or schema == {} or depth > 10:
        return {"object", "array", "scalar"}
    if "$ref" in schema:
        target = ctx.drawn.get(schema["$ref"].rsplit("/", 1)[1])
        return json_kinds(target, ctx, depth + 1) if target is not None else {"object", "array", "scalar"}
    members = schema.get("anyOf") or schema.get("oneOf")
    if members:
        return set().union(*(json_kinds(m, ctx, depth + 1) for m in members))
    if "allOf" in schema or "properties" in schema:
        return {"object"}
    kinds = types_of(schema)
    return {k if k in ("object", "array") else "scalar" for k in kinds} or {"scalar"}


def refs(ctx: Ctx, escapable: bool) -> list[str]:
    return ctx.names if escapable else ctx.names[: ctx.index]


@st.composite
def schemas(draw: st.DrawFn, ctx: Ctx, depth: int, escapable: bool) -> Any:
    """Any schema (see ``Ctx`` for where references may go)."""
    leaves = ["string", "integer", "number", "boolean", "enum", "const"]
    inner = ["array", "object", "map", "anyOf", "oneOf", "allOf", "free"]
    kinds = leaves + (inner if depth < 3 else [])
    if refs(ctx, escapable):
        kinds += ["ref", "ref"]
    if ctx.flavour == "3.1":
        kinds += ["null_union", "types"]
    kind = draw(st.sampled_from(kinds))
    schema: dict[str, Any]
    if kind == "string":
        schema = draw(string_schemas(ctx))
    elif kind in ("integer", "number"):
        schema = draw(number_schemas(ctx, kind))
    elif kind == "boolean":
        schema = {"type": "boolean"}
    elif kind == "types":  # 3.1: several types, no other keyword
        pair = draw(st.sampled_from([["string", "integer"], ["integer", "number"], ["boolean", "integer"]]))
        return {"type": pair + (["null"] if draw(st.booleans()) else [])}
    elif kind == "enum":
        schema = draw(enum_schemas(ctx))
    elif kind == "const":
        return draw(const_schemas(ctx))
    elif kind == "ref":
        schema = {"$ref": "#/components/schemas/" + draw(st.sampled_from(refs(ctx, escapable)))}
        if ctx.flavour == "3.1":  # 3.0 ignores the siblings of a $ref
            return draw(with_default(schema, ctx))
        return schema
    elif kind == "array":
        schema = {"type": "array", "items": draw(schemas(ctx, depth + 1, True))}
        if draw(st.booleans()):
            schema["maxItems"] = draw(st.integers(1, 4))
    elif kind == "object":
        return draw(with_default(draw(object_schemas(ctx, depth + 1, escapable)), ctx))
    elif kind == "map":
        schema = {"type": "object", "additionalProperties": draw(schemas(ctx, depth + 1, True))}
    elif kind == "free":
        return draw(st.sampled_from([{}, {"type": "object"}, {"type": "object", "additionalProperties": True}]))
    elif kind in ("anyOf", "oneOf"):
        members: list[Any] = []
        used: set[str] = set()
        for i in range(draw(st.integers(2, 3))):
            member = draw(schemas(ctx, depth + 1, escapable or i > 0))
            if json_kinds(member, ctx) & used & {"object", "array"}:
                member = {"type": "string"}  # two members a structure could match: see the module docstring
            used |= json_kinds(member, ctx)
            members.append(member)
        return {kind: members}
    elif kind == "null_union":  # 3.1: a member or null
        key = draw(st.sampled_from(["anyOf", "oneOf"]))
        member = draw(schemas(ctx, depth + 1, escapable))
        return {key: draw(st.permutations([member, {"type": "null"}]))}
    else:
        return draw(all_of_schemas(ctx, depth + 1, escapable))
    if "type" in schema and isinstance(schema["type"], str) and draw(st.integers(0, 3)) == 3:
        schema = nullable(ctx, schema)
    if kind in ("string", "integer", "number", "boolean", "enum", "array"):
        return draw(with_default(schema, ctx))
    return schema


@st.composite
def with_default(draw: st.DrawFn, schema: dict[str, Any], ctx: Ctx) -> dict[str, Any]:
    """``schema``, sometimes with a default drawn from it (when all it refers to is drawn already)."""
    if draw(st.integers(0, 3)) != 3 or not set(ref_names(schema)) <= set(ctx.drawn):
        return schema
    return {**schema, "default": draw(instances(schema, ctx.drawn, depth=MAX_SAMPLE_DEPTH - 1))}


def ref_names(value: Any) -> Iterator[str]:
    """The components ``value`` refers to (not through them)."""
    if isinstance(value, dict):
        if isinstance(value.get("$ref"), str):
            yield value["$ref"].rsplit("/", 1)[1]
        for item in value.values():
            yield from ref_names(item)
    elif isinstance(value, list):
        for item in value:
            yield from ref_names(item)


@st.composite
def object_schemas(draw: st.DrawFn, ctx: Ctx, depth: int, escapable: bool, avoid: frozenset[str] = frozenset()) -> Any:
    names = draw(st.lists(property_names.filter(lambda n: n not in avoid), min_size=1, max_size=6, unique=True))
    if draw(st.integers(0, 5)) == 5:
        names.append(draw(st.sampled_from(UNICODE_ONLY)))
    required = [n for n in names if draw(st.booleans())]
    properties = {n: draw(schemas(ctx, depth, escapable or n not in required)) for n in names}
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if ctx.flavour == "3.1" and draw(st.integers(0, 4)) == 4:
        del schema["type"]  # properties alone make an object too
    if required:
        schema["required"] = required
    extra = draw(st.sampled_from(["absent", "absent", "true", "false", "schema", "empty"]))
    if extra == "true":
        schema["additionalProperties"] = True
    elif extra == "false":
        schema["additionalProperties"] = False
    elif extra == "empty":
        schema["additionalProperties"] = {}
    elif extra == "schema":
        schema["additionalProperties"] = draw(schemas(ctx, depth + 1, True))
    if ctx.flavour == "3.0" and "type" in schema and draw(st.integers(0, 4)) == 4:
        schema = nullable(ctx, schema)
    return schema


@st.composite
def all_of_schemas(draw: st.DrawFn, ctx: Ctx, depth: int, escapable: bool) -> Any:
    """``allOf`` of earlier object components and one inline object, their properties disjoint,
    even after snake_case: a field a base names ``foo_bar`` would also read the key ``foo_bar``
    of another member (the known ``populate_by_name`` bug, see the module docstring)."""
    parents = draw(st.lists(st.sampled_from(sorted(ctx.objects)), max_size=2, unique=True)) if ctx.objects else []
    taken: set[str] = set()
    chosen = []
    for parent in parents:
        if not snake_clash(ctx.objects[parent], taken):
            chosen.append(parent)
            taken |= ctx.objects[parent]
    avoid = frozenset({*taken, *(snake(n) for n in taken), *(n for n in AWKWARD_PROPERTIES if snake(n) in taken)})
    own = draw(object_schemas(ctx, depth, escapable, avoid))
    own["properties"] = {n: v for n, v in own["properties"].items() if not snake_clash({n}, taken)}
    own["required"] = [n for n in own.get("required", []) if n in own["properties"]]
    if not own["required"]:
        del own["required"]
    own.pop("additionalProperties", None)  # a member's extras would be the other members' properties
    own.pop("nullable", None)
    own["type"] = "object"
    parts = [{"$ref": "#/components/schemas/" + p} for p in chosen]
    return {"allOf": [*parts, own]}


def snake_clash(names: set[str] | frozenset[str], others: set[str] | frozenset[str]) -> bool:
    """Whether a name of one set is a name of the other, or its snake_case form."""
    return any(a == b or snake(a) == b or a == snake(b) or snake(a) == snake(b) for a in names for b in others)


def plain_object(schema: Any) -> frozenset[str] | None:
    """The property names of an object schema ``allOf`` may extend (no extras of its own)."""
    if not isinstance(schema, dict) or schema.get("type") != "object" or "additionalProperties" in schema:
        return None
    if "properties" not in schema or "nullable" in schema:
        return None
    return frozenset(schema["properties"])


@dataclass
class Union_:
    name: str
    tag: str
    variants: list[str]
    values: dict[str, list[str]]  # variant -> its tag values


@st.composite
def discriminated_unions(draw: st.DrawFn, flavour: str, taken: set[str]) -> tuple[dict[str, Any], Union_]:
    """A ``oneOf`` of component objects, each with a required string tag of its own values."""
    tag = draw(st.sampled_from(["type", "kind", "class", "from", "@type", "$type", "petType", "event-kind"]))
    count = draw(st.integers(2, 3))
    names: list[str] = []
    while len(names) < count + 1:
        name = draw(component_names)
        if class_name(name) not in taken and class_name(name) not in {class_name(n) for n in names}:
            names.append(name)
    union, variants = names[0], names[1:]
    pool = draw(st.permutations(STRING_ENUM_VALUES))
    values: dict[str, list[str]] = {}
    found: dict[str, Any] = {}
    for i, variant in enumerate(variants):
        own = [pool[2 * i]] + ([pool[2 * i + 1]] if draw(st.booleans()) else [])
        values[variant] = own
        if len(own) == 1 and flavour == "3.1" and draw(st.booleans()):
            tag_schema: dict[str, Any] = {"type": "string", "const": own[0]}
        else:
            tag_schema = {"type": "string", "enum": own}
        ctx = Ctx(flavour, [variant], 0, {})  # itself only where a sample need not go
        body = draw(object_schemas(ctx, 2, False, frozenset({tag})))
        body["type"] = "object"
        body.pop("nullable", None)
        body["properties"] = {tag: tag_schema, **body["properties"]}
        body["required"] = [tag, *body.get("required", [])]
        found[variant] = body
    spec: dict[str, Any] = {"propertyName": tag}
    if draw(st.booleans()):
        spec["mapping"] = {v[0]: "#/components/schemas/" + n for n, v in values.items()}
    found[union] = {"oneOf": [{"$ref": "#/components/schemas/" + v} for v in variants], "discriminator": spec}
    return found, Union_(union, tag, variants, values)


# --------------------------------------------------------------------------- instances

# RFC 3339 date-times as pydantic writes them back (see the module docstring).
_OFFSETS = st.one_of(
    st.just("Z"),
    st.tuples(st.sampled_from("+-"), st.integers(0, 23), st.integers(0, 59))
    .filter(lambda t: t[1:] != (0, 0))
    .map(lambda t: f"{t[0]}{t[1]:02d}:{t[2]:02d}"),
)
date_times = st.builds(
    lambda moment, micro, offset: moment.isoformat(timespec="seconds") + (f".{micro:06d}" if micro else "") + offset,
    st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30)),
    st.one_of(st.just(0), st.integers(1, 999_999)),
    _OFFSETS,
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


def types_of(schema: dict[str, Any]) -> list[str]:
    kind = schema.get("type")
    kinds = [kind] if isinstance(kind, str) else list(kind) if isinstance(kind, list) else []
    if schema.get("nullable") is True and kinds:
        kinds.append("null")
    return kinds


@st.composite
def instances(draw: st.DrawFn, schema: Any, components: dict[str, Any], depth: int = 0, extras: bool = True) -> Any:
    """Valid JSON for ``schema``; past ``MAX_SAMPLE_DEPTH`` the smallest such value."""
    small = depth >= MAX_SAMPLE_DEPTH
    if schema is True or schema == {}:
        return None if small else draw(json_values)
    ref = schema.get("$ref")
    if ref is not None:
        return draw(instances(components[ref.rsplit("/", 1)[1]], components, depth + 1, extras))
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            merged.update(draw(instances(part, components, depth, extras=False)))
        return merged
    for key in ("anyOf", "oneOf"):
        if key in schema:
            members = schema[key]
            index = 0 if small else draw(st.integers(0, len(members) - 1))
            return draw(instances(members[index], components, depth + 1, extras))
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        values = schema["enum"]
        if None in values and "null" not in types_of(schema) and schema.get("type") is not None:
            values = [v for v in values if v is not None]
        return draw(st.sampled_from(values))
    kinds = types_of(schema)
    if not kinds:
        return draw(object_instances(schema, components, depth, extras))  # properties without a type
    kind = draw(st.sampled_from(kinds)) if not small else "null" if "null" in kinds else kinds[0]
    if kind == "null":
        return None
    if kind == "boolean":
        return draw(st.booleans())
    if kind == "string":
        return draw(string_instances(schema))
    if kind in ("integer", "number"):
        return draw(number_instances(schema, kind))
    if kind == "array":
        if small:
            return []
        items = schema.get("items", {})
        return draw(st.lists(instances(items, components, depth + 1), max_size=min(schema.get("maxItems", 3), 3)))
    return draw(object_instances(schema, components, depth, extras))


@st.composite
def string_instances(draw: st.DrawFn, schema: dict[str, Any]) -> str:
    fmt = schema.get("format")
    if fmt == "date-time":
        return draw(date_times)
    if fmt == "date":
        return draw(st.dates(min_value=dt.date(1, 1, 1))).isoformat()
    if fmt == "uuid":
        return str(draw(st.uuids()))
    if fmt == "email":
        return draw(st.from_regex(r"[a-z0-9.]{1,8}@[a-z]{1,8}\.example", fullmatch=True))
    if fmt == "uri":
        return draw(st.from_regex(r"https://[a-z]{1,8}\.example/[a-z0-9/]{0,8}", fullmatch=True))
    if fmt == "byte":
        return base64.b64encode(draw(st.binary(max_size=12))).decode()
    low, high = schema.get("minLength", 0), schema.get("maxLength", 12)
    return draw(st.text(st.characters(codec="utf-8"), min_size=low, max_size=high))


@st.composite
def number_instances(draw: st.DrawFn, schema: dict[str, Any], kind: str) -> int | float:
    low, high, open_low, open_high = bounds_of(schema, kind)
    if schema.get("format") == "int32":
        low, high = max(low, -(2**31)), min(high, 2**31 - 1)
    whole_low = math.floor(low) + 1 if open_low and low == math.floor(low) else math.ceil(low)
    whole_high = math.ceil(high) - 1 if open_high and high == math.ceil(high) else math.floor(high)
    step = schema.get("multipleOf", 1)
    whole = step * draw(st.integers(math.ceil(whole_low / step), math.floor(whole_high / step)))
    if kind == "integer":
        return float(whole) if abs(whole) < 2**53 and draw(st.integers(0, 5)) == 5 else whole
    floats = st.floats(low, high, exclude_min=open_low, exclude_max=open_high, allow_nan=False, allow_infinity=False)
    return draw(st.one_of(st.just(whole), floats))


def bounds_of(schema: dict[str, Any], kind: str) -> tuple[float, float, bool, bool]:
    """``(low, high, low excluded, high excluded)`` of a number schema, 3.0 or 3.1."""
    low: float = schema.get("minimum", -(2**53) if kind == "number" else -(2**70))
    high: float = schema.get("maximum", 2**53 if kind == "number" else 2**70)
    open_low, open_high = schema.get("exclusiveMinimum") is True, schema.get("exclusiveMaximum") is True
    if not isinstance(schema.get("exclusiveMinimum"), bool) and "exclusiveMinimum" in schema:
        low, open_low = schema["exclusiveMinimum"], True
    if not isinstance(schema.get("exclusiveMaximum"), bool) and "exclusiveMaximum" in schema:
        high, open_high = schema["exclusiveMaximum"], True
    return low, high, open_low, open_high


@st.composite
def object_instances(
    draw: st.DrawFn, schema: dict[str, Any], components: dict[str, Any], depth: int, extras: bool
) -> Any:
    small = depth >= MAX_SAMPLE_DEPTH
    properties: dict[str, Any] = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    out: dict[str, Any] = {}
    for name, sub in properties.items():
        if name in required or (not small and draw(st.booleans())):
            out[name] = draw(instances(sub, components, depth + 1))
    extra = schema.get("additionalProperties")
    if extras and not small and extra is not None and extra is not False:
        # Never a Python identifier: a key spelled like a field's Python name is read as that field
        # (see test_a_key_spelled_like_a_python_field_name_is_not_that_field).
        keys = property_names.map(lambda k: k + "-x" if k.isidentifier() else k).filter(lambda k: k not in properties)
        values = json_values if extra is True or extra == {} else instances(extra, components, depth + 1)
        out.update(draw(st.dictionaries(keys, values, max_size=2)))
    return out


# --------------------------------------------------------------------------- documents


@dataclass
class Case:
    """One document and what is checked against the package generated from it."""

    spec: dict[str, Any]
    fmt: str = "json"
    samples: dict[str, list[Any]] = field(default_factory=dict)  # component -> valid instances
    body_samples: list[Any] = field(default_factory=list)  # of the inline body of POST /body, if any


def response(name: str) -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/" + name}
    return {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}


@st.composite
def cases(draw: st.DrawFn) -> Case:
    flavour = draw(st.sampled_from(["3.0", "3.1"]))
    components: dict[str, Any] = {}
    taken: set[str] = set()
    unions: list[Union_] = []
    if draw(st.integers(0, 2)) == 2:
        found, union = draw(discriminated_unions(flavour, taken))
        components.update(found)
        taken.update(class_name(n) for n in found)
        unions.append(union)
    count = draw(st.integers(1, 4))
    names: list[str] = list(components)
    while len(names) < len(components) + count:
        name = draw(component_names)
        if class_name(name) not in taken:
            taken.add(class_name(name))
            names.append(name)
    objects = {n: props for n in components if (props := plain_object(components[n])) is not None}
    for index in range(len(components), len(names)):
        ctx = Ctx(flavour, names, index, dict(objects), components)
        top = draw(st.sampled_from(["object", "object", "object", "any"]))
        schema = draw(object_schemas(ctx, 1, False) if top == "object" else schemas(ctx, 1, False))
        components[names[index]] = schema
        props = plain_object(schema)
        if props is not None:
            objects[names[index]] = props
    body: dict[str, Any] | None = None
    named = [n for n, c in components.items() if c.get("properties") and c.get("type") in (None, "object")]
    named = sorted(n for n in named if "nullable" not in components[n])
    shape = draw(st.sampled_from(["none", "inline", "ref"] if named else ["none", "inline"]))
    if shape == "inline":  # request rules: additionalProperties false and bounds are checked
        body = draw(object_schemas(Ctx(flavour, names, len(names), dict(objects), components), 1, False))
        body.pop("nullable", None)
    elif shape == "ref":  # a named component: lenient, as every named component
        body = {"$ref": "#/components/schemas/" + draw(st.sampled_from(named))}
    spec = document(flavour, components, body, draw(st.sampled_from(names)))
    samples = {
        name: draw(st.lists(instances(components[name], components), min_size=1, max_size=3)) for name in components
    }
    case = Case(spec, draw(st.sampled_from(["json", "yaml"])), samples)
    if body is not None:
        case.body_samples = draw(st.lists(instances(body, components), min_size=1, max_size=2))
    return case


def document(
    flavour: str, components: dict[str, Any], body: dict[str, Any] | None = None, reply: str | None = None
) -> dict[str, Any]:
    """An OpenAPI document: ``GET /c<i>`` answers with the i-th component, ``POST /body`` takes
    ``body`` (inline: request rules; or a ``$ref``) and answers with ``reply``."""
    paths: dict[str, Any] = {}
    for i, name in enumerate(components):
        paths[f"/c{i}"] = {"get": {"tags": ["props"], "operationId": f"getC{i}", "responses": response(name)}}
    if body is not None:
        paths[BODY_PATH] = {
            "post": {
                "tags": ["props"],
                "operationId": "postBody",
                "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
                "responses": response(reply or next(iter(components))),
            }
        }
    return {
        "openapi": "3.0.3" if flavour == "3.0" else "3.1.0",
        "info": {"title": "props", "version": "1"},
        "paths": paths,
        "components": {"schemas": components},
    }


# --------------------------------------------------------------------------- checks


@contextmanager
def generated(case: Case) -> Iterator[ModuleType]:
    """The package generated from ``case.spec``, imported under a name of its own."""
    with tempfile.TemporaryDirectory(prefix="mastra-props-") as tmp:
        root = Path(tmp)
        spec_path = root / f"spec.{case.fmt}"
        if case.fmt == "json":
            spec_path.write_text(json.dumps(case.spec, ensure_ascii=False, indent=1), encoding="utf-8")
        else:
            spec_path.write_text(yaml.safe_dump(case.spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
        # Named after the document, not at random: Hypothesis draws constants from the modules
        # imported so far (the package's name is one), so a random name would vary the examples.
        package = "props_" + hashlib.sha256(json.dumps(case.spec, sort_keys=True).encode()).hexdigest()[:16]
        generate(str(spec_path), root / package)
        for path in sorted((root / package).rglob("*.py")):
            compile(path.read_text(encoding="utf-8"), str(path), "exec")  # (a)
        sys.path.insert(0, tmp)
        try:
            yield importlib.import_module(package)
        finally:
            sys.path.remove(tmp)
            for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
                del sys.modules[name]
            importlib.invalidate_caches()


def dump(instance: pydantic.BaseModel, **kwargs: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a serialization warning: a field holds a value of the wrong type
        return instance.model_dump(mode="json", by_alias=True, **kwargs)


def difference(got: Any, want: Any, path: str = "$") -> str | None:
    """Where two JSON values differ first (``None`` when equal), for failure messages."""
    if isinstance(got, dict) and isinstance(want, dict):
        for key in [*want, *(k for k in got if k not in want)]:
            if key not in got or key not in want:
                return f"{path}[{key!r}]: {got.get(key, '<missing>')!r} != {want.get(key, '<missing>')!r}"
            found = difference(got[key], want[key], f"{path}[{key!r}]")
            if found:
                return found
        return None
    if isinstance(got, list) and isinstance(want, list) and len(got) == len(want):
        found = (difference(g, w, f"{path}[{i}]") for i, (g, w) in enumerate(zip(got, want, strict=True)))
        return next((d for d in found if d), None)
    return None if got == want else f"{path}: {got!r} != {want!r}"


def roundtrip(model: type[pydantic.BaseModel], data: Any) -> pydantic.BaseModel:
    instance = model.model_validate(data)
    dumped = dump(instance, exclude_unset=True)
    assert dumped == data, f"{model.__name__}: {difference(dumped, data)}"
    return instance


def rejects(model: type[pydantic.BaseModel], data: Any) -> None:
    with pytest.raises(pydantic.ValidationError):
        model.model_validate(data)


def resolve(schema: Any, components: dict[str, Any]) -> Any:
    for _ in range(20):
        if not (isinstance(schema, dict) and "$ref" in schema):
            return schema
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def wrong_kind(schema: Any, components: dict[str, Any]) -> Any:
    """A value of a JSON kind ``schema`` never accepts (and pydantic never coerces), or ``None``
    when ``schema`` is loose enough (a union, anything, null allowed) that no such claim is sound."""
    schema = resolve(schema, components)
    if not isinstance(schema, dict) or "default" in schema:
        return None
    if any(k in schema for k in ("anyOf", "oneOf", "allOf")) or "null" in types_of(schema):
        return None
    if "const" in schema or "enum" in schema:
        values = schema.get("enum", [schema.get("const")])
        return None if None in values else [{"wrong": 1}]
    kinds = types_of(schema)
    if kinds == ["array"]:
        return {"wrong": [1]}
    if len(kinds) == 1:
        return [{"wrong": 1}]
    if not kinds and schema.get("properties"):
        return [{"wrong": 1}]
    return None


def check_model(model: type[pydantic.BaseModel], schema: Any, components: dict[str, Any], data: Any) -> None:
    instance = roundtrip(model, data)  # (c)
    target = resolve(schema, components)
    if not (isinstance(data, dict) and isinstance(target, dict) and "properties" in target):
        return
    if "allOf" in target or "anyOf" in target or "oneOf" in target:
        return
    full = dump(instance)  # an absent property holds its default, as if it had been given
    for name, sub in target["properties"].items():
        if name not in data and isinstance(sub, dict) and "default" in sub:
            given = dump(model.model_validate({**data, name: sub["default"]}))
            assert full[name] == given[name], f"{model.__name__}.{name}: {difference(full[name], given[name])}"
    if target.get("additionalProperties") is None:
        model.model_validate({**data, "unknown-key-zz": [1, {"a": None}]})  # allowed, if dropped
    for name in target.get("required") or []:  # (d)
        sub = target["properties"].get(name)
        if isinstance(sub, dict) and "default" not in sub:
            rejects(model, {k: v for k, v in data.items() if k != name})
            wrong = wrong_kind(sub, components)
            if wrong is not None:
                rejects(model, {**data, name: wrong})


def method_of(package: ModuleType, path: str) -> tuple[str, dict[str, str], str | None]:
    """The sync method of ``path`` in group ``props``: its name, the keyword of each body field
    (wire name -> keyword, as the method hands them to ``build_body``) and the body model."""
    module = importlib.import_module(f"{package.__name__}.resources.props")
    tree = ast.parse(Path(module.__file__ or "").read_text(encoding="utf-8"))
    resource = next(n for n in tree.body if isinstance(n, ast.ClassDef) and not n.name.startswith("Async"))
    for method in resource.body:
        if not isinstance(method, ast.FunctionDef):
            continue
        if not any(isinstance(n, ast.Constant) and n.value == path for n in ast.walk(method)):
            continue
        keywords: dict[str, str] = {}
        body_model = None
        for node in ast.walk(method):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "build_body":
                model, values = node.args[0], node.args[1]
                assert isinstance(values, ast.Dict)
                for key, value in zip(values.keys, values.values, strict=True):
                    assert isinstance(key, ast.Constant) and isinstance(value, ast.Name)
                    keywords[key.value] = value.id
                if isinstance(model, ast.Attribute):
                    body_model = model.attr
        return method.name, keywords, body_model
    raise AssertionError(f"no method for {path}")


class Server:
    """A client of the package on a ``MockTransport`` that answers with queued JSON."""

    def __init__(self, package: ModuleType) -> None:
        self.requests: list[httpx.Request] = []
        self.replies: list[Any] = []
        http = httpx.Client(transport=httpx.MockTransport(self._handle))
        self.client = package.MastraClient(BASE_URL, http_client=http, max_retries=0)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json=self.replies.pop(0))

    def call(self, method: str, reply: Any, **kwargs: Any) -> Any:
        self.replies.append(reply)
        return getattr(self.client.props, method)(**kwargs)


def result_of(operation: dict[str, Any]) -> str:
    """The component an operation answers with."""
    return str(operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1])


def renamed_models(package: ModuleType) -> dict[str, str]:
    """Component class name -> the name the package gave it instead: a schema named like a class of
    the package (``NotGiven``, an area's ``...Resource``) gets a suffix, recorded in ``_api.json``."""
    surface = json.loads((Path(package.__file__ or "").parent / "_api.json").read_text(encoding="utf-8"))
    renames = {
        str(entry["renamed_from"]): name for name, entry in surface["models"].items() if entry.get("renamed_from")
    }
    for old, new in renames.items():
        assert new == old + "Details", (old, new)
    return renames


def check_case(case: Case) -> None:
    components: dict[str, Any] = case.spec["components"]["schemas"]
    with generated(case) as package:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # (b), and quietly: pydantic warns of names it dislikes
            import_everything(package.__name__)
            models = importlib.import_module(f"{package.__name__}.models")
        renamed = renamed_models(package)
        for name, samples in case.samples.items():
            model = getattr(models, renamed.get(class_name(name), class_name(name)))
            for data in samples:
                if data is None and not issubclass(model, pydantic.RootModel):
                    continue  # a class cannot hold null: a nullable object is `Model | None` where used
                check_model(model, components[name], components, data)
        server = Server(package)
        for path, item in case.spec["paths"].items():  # (e): responses
            name = result_of(item.get("get") or item["post"])
            if "get" in item and name in case.samples:
                method, _, _ = method_of(package, path)
                for data in case.samples[name]:
                    result = server.call(method, data)
                    if data is None and not isinstance(result, pydantic.RootModel):
                        assert result is None  # a nullable object component: `Model | None`
                    else:
                        assert isinstance(result, pydantic.BaseModel)
                        assert dump(result, exclude_unset=True) == data
        if BODY_PATH in case.spec["paths"]:
            method, keywords, body_model = method_of(package, BODY_PATH)
            assert body_model is not None
            operation = case.spec["paths"][BODY_PATH]["post"]
            schema = operation["requestBody"]["content"]["application/json"]["schema"]
            model = getattr(models, body_model)
            for data in case.body_samples:
                check_model(model, schema, components, data)
                kwargs = {keywords[k]: v for k, v in data.items() if k in keywords}
                extra = {k: v for k, v in data.items() if k not in keywords}
                server.call(method, case.samples[result_of(operation)][0], **kwargs, extra_body=extra or None)
                assert json.loads(server.requests[-1].content) == data
                if "$ref" not in schema:
                    check_request_limits(model, schema, data)


def check_request_limits(model: type[pydantic.BaseModel], schema: dict[str, Any], data: dict[str, Any]) -> None:
    """Request bodies keep ``additionalProperties: false`` and numeric bounds: the client checks them."""
    if schema.get("additionalProperties") is False:
        rejects(model, {**data, "unknown-key-zz": 1})
    for name, sub in schema["properties"].items():
        if not isinstance(sub, dict) or sub.get("type") not in ("integer", "number"):
            continue
        low, high, open_low, open_high = bounds_of(sub, sub["type"])
        if "maximum" in sub or "exclusiveMaximum" in sub:
            rejects(model, {**data, name: high if open_high else math.floor(high) + 1})
        if "minimum" in sub or "exclusiveMinimum" in sub:
            rejects(model, {**data, name: low if open_low else math.ceil(low) - 1})
        if "multipleOf" in sub:
            rejects(model, {**data, name: sub["multipleOf"] + 1})


# --------------------------------------------------------------------------- the tests


def ref(name: str) -> dict[str, str]:
    return {"$ref": "#/components/schemas/" + name}


# Bugs the property found, minimized: each runs first, on every run.
KEYWORD_COMPONENTS = Case(  # a component named None (True, False): `class None` did not compile
    document(
        "3.0",
        {"None": {"type": "object", "properties": {"True": {"type": "string"}}}, "False": {"enum": ["a"]}},
    ),
    samples={"None": [{"True": "x"}], "False": ["a"]},
)
_PETS = {
    "Cat": {
        "type": "object",
        "properties": {"kind": {"type": "string", "enum": ["cat", "kitten"]}, "lives": {"type": "integer"}},
        "required": ["kind"],
    },
    "Dog": {"type": "object", "properties": {"kind": {"const": "dog"}}, "required": ["kind"]},
}
ENUM_TAGS = Case(  # a member tagged by an enum of several values took its class name as its only tag
    document(
        "3.1",
        {
            **_PETS,
            "Pet": {"oneOf": [ref("Cat"), ref("Dog")], "discriminator": {"propertyName": "kind"}},
            "MappedPet": {  # a mapping naming one value of the enum lost the others
                "oneOf": [ref("Cat"), ref("Dog")],
                "discriminator": {"propertyName": "kind", "mapping": {"cat": "#/components/schemas/Cat"}},
            },
        },
    ),
    samples={
        "Pet": [{"kind": "kitten", "lives": 9}, {"kind": "cat"}, {"kind": "dog"}],
        "MappedPet": [{"kind": "kitten"}, {"kind": "dog"}],
    },
)
DATE_DEFAULTS = Case(  # date and date-time defaults stayed str in fields typed date / datetime
    document(
        "3.1",
        {
            "Stamped": {
                "type": "object",
                "properties": {
                    "on": {"type": "string", "format": "date", "default": "2024-02-29"},
                    "from": {"type": "string", "format": "date-time", "default": "2024-02-29T12:00:00.500000+05:30"},
                    "days": {"type": "array", "items": {"type": "string", "format": "date"}, "default": ["0001-01-01"]},
                    "at": {"type": ["string", "null"], "format": "date-time", "default": "2024-01-01T00:00:00Z"},
                },
            }
        },
    ),
    samples={"Stamped": [{}, {"on": "2000-01-01", "at": None}]},
)
WHOLE_FLOAT_DEFAULTS = Case(  # 3.0 written for an integer stayed a float in lists, maps, nullable fields
    document(
        "3.1",
        {
            "Counts": {
                "type": "object",
                "properties": {
                    "n": {"type": ["integer", "null"], "default": 2.0},
                    "list": {"type": "array", "items": {"type": "integer"}, "default": [20156.0, 5]},
                    "map": {"type": "object", "additionalProperties": {"type": "integer"}, "default": {"a": 1.0}},
                    "pick": {"type": "integer", "enum": [1, 2], "default": 1.0},
                },
            }
        },
    ),
    samples={"Counts": [{}, {"n": 3.0, "list": [1.0]}]},
)
REF_DEFAULTS = Case(  # a default next to a $ref (3.1), or of an inline object, was dropped
    document(
        "3.1",
        {
            "Color": {"enum": ["red", "blue"]},
            "Point": {"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"]},
            "Canvas": {
                "type": "object",
                "properties": {
                    "color": {"$ref": "#/components/schemas/Color", "default": "blue"},
                    "origin": {"$ref": "#/components/schemas/Point", "default": {"x": 1}},
                    "size": {"type": "object", "properties": {"w": {"type": "integer"}}, "default": {"w": 2}},
                },
            },
        },
    ),
    samples={"Canvas": [{}, {"color": "red", "size": {}}]},
)
NFKC_NAMES = Case(  # Python reads µ as μ and ª as a: fields lost their wire names or replaced others
    document(
        "3.1",
        {
            "Names": {
                "type": "object",
                "properties": {n: {"type": "integer"} for n in ("µą", "μą", "ª", "a", "ﬁx", "ｊｓｏｎ", "µd-x")},
                "required": ["µą", "ª"],
            }
        },
        body={"type": "object", "properties": {"µą": {"type": "string"}, "μą": {"type": "string"}}},
    ),
    samples={"Names": [{"µą": 1, "μą": 2, "ª": 3, "a": 4, "ﬁx": 5, "ｊｓｏｎ": 6, "µd-x": 7}]},
    body_samples=[{"µą": "micro", "μą": "mu"}],
)
SNAKE_COLLISIONS = Case(  # fooBar's field was named foo_bar, and took the key foo_bar of its neighbour
    document(
        "3.0",
        {
            "Pair": {
                "type": "object",
                "properties": {
                    "fooBar": {"type": "integer"},
                    "foo_bar": {"type": "string"},
                    "B": {"type": "boolean"},
                    "b": {"type": "array", "items": {"type": "integer"}},
                },
            }
        },
    ),
    samples={"Pair": [{"foo_bar": "x", "b": [1]}, {"fooBar": 1, "B": True}, {"fooBar": 2, "foo_bar": "y"}]},
)
INHERITED_NAMES = Case(  # allOf of bases naming two properties alike (field_ for ! and 😀): one was lost
    document(
        "3.1",
        {
            "A": {"type": "object", "properties": {"😀": {"type": "boolean"}, "fooBar": {"type": "string"}}},
            "B": {
                "type": "object",
                "properties": {"!": {"type": "integer"}, "foo_bar": {"type": "integer"}},
                "required": ["!"],
            },
            "C": {"allOf": [ref("A"), ref("B"), {"type": "object", "properties": {"-": {"type": "string"}}}]},
        },
    ),
    samples={"C": [{"😀": True, "!": 1, "-": "d", "fooBar": "s", "foo_bar": 2}, {"!": 0}]},
)
PYDANTIC_NAMES = Case(  # a field model_validate_ made pydantic warn at import
    document(
        "3.1",
        {
            "Meta": {
                "type": "object",
                "properties": {n: {"type": "string"} for n in ("model_validate", "model_dump", "model_config", "json")},
            }
        },
    ),
    samples={"Meta": [{"model_validate": "v", "model_dump": "d", "model_config": "c", "json": "j"}]},
)
NULLABLE_OBJECT = Case(  # a response that may be null: the client raised on null instead of returning None
    document("3.0", {"Maybe": {"type": "object", "properties": {"x": {"type": "integer"}}, "nullable": True}}),
    samples={"Maybe": [None, {"x": 1}]},
)
AMBIGUOUS_NAMES = Case(  # ruff E741-E743 (names l, I, O) failed the generation
    document("3.0", {"I": {"type": "object", "properties": {"l": {"type": "integer"}, "O": {"type": "string"}}}}),
    samples={"I": [{"l": 1, "O": "o"}]},
)
AMBIGUOUS_NAMES.spec["paths"]["/l"] = {"post": {"tags": ["props"], "responses": response("I")}}  # a method `l`


@example(case=KEYWORD_COMPONENTS)
@example(case=ENUM_TAGS)
@example(case=DATE_DEFAULTS)
@example(case=REF_DEFAULTS)
@example(case=WHOLE_FLOAT_DEFAULTS)
@example(case=NFKC_NAMES)
@example(case=SNAKE_COLLISIONS)
@example(case=PYDANTIC_NAMES)
@example(case=INHERITED_NAMES)
@example(case=NULLABLE_OBJECT)
@example(case=AMBIGUOUS_NAMES)
@PROFILE
@given(case=cases())
def test_random_documents_generate_compile_import_and_round_trip(case: Case) -> None:
    note(json.dumps(case.spec, ensure_ascii=False))  # the document, ready to save when a run fails
    check_case(case)


def test_a_key_spelled_like_a_python_field_name_is_not_that_field() -> None:
    """Models are generated with ``populate_by_name=True``, so code can write
    ``Model(foo_bar=1)``; but what a server sends is read by wire names only (``by_name=False``
    in the runtime and every generated parse): ``{"foo_bar": 5}`` is an additional key, not the
    required ``fooBar``. Direct ``Model.model_validate`` keeps pydantic's own rules."""
    schema = {
        "type": "object",
        "properties": {"fooBar": {"type": "integer"}},
        "required": ["fooBar"],
        "additionalProperties": True,
    }
    with generated(Case(document("3.1", {"O": schema}))) as package:
        model = package.models.O
        assert model(foo_bar=1).model_dump(by_alias=True) == {"fooBar": 1}  # callers may use Python names
        server = Server(package)
        both = server.call("get_c0", {"fooBar": 1, "foo_bar": 5})
        assert dump(both, exclude_unset=True) == {"fooBar": 1, "foo_bar": 5}
        with pytest.raises(package.APIResponseValidationError):  # fooBar is missing: foo_bar is not taken for it
            server.call("get_c0", {"foo_bar": 5}, strict_response_validation=True)
        lenient = server.call("get_c0", {"foo_bar": 5})  # the default keeps what was sent, where it was sent
        assert lenient.foo_bar is None and lenient.model_extra == {"foo_bar": 5}
        validate_as = importlib.import_module(f"{package.__name__}._runtime._response").validate_as
        with pytest.raises(pydantic.ValidationError):
            validate_as(list[model], [{"foo_bar": 5}])


def test_defaults_that_do_not_fit_are_dropped(tmp_path: Path) -> None:
    """The models validate date, date-time and ``$ref`` defaults: one that does not fit its schema
    would fail every instance, so it is dropped (as other unsound defaults already were)."""
    kept = {"2024-02-29", "2024-02-29T23:59:59Z", "2024-02-29t23:59:59.1-23:59"}
    dropped = {"yesterday", "2023-02-29", "2024-02-29T24:00:00Z", "2024-02-29T12:00:00", "2024-02-29T12:00:60Z"}
    dropped |= {"2024-02-29T12:00:00+24:00", "2024-02-29T12:00:00+01:60", "24-02-29"}
    properties: dict[str, Any] = {}
    for i, value in enumerate(sorted(kept | dropped)):
        properties[f"p{i}"] = {"type": "string", "format": "date-time" if "T" in value.upper() else "date"}
        properties[f"p{i}"]["default"] = value
    days = {"type": "string", "format": "date"}
    properties["days"] = {"type": "array", "items": days, "default": ["1", "2024-01-01"]}  # one bad item
    properties["color"] = {"$ref": "#/components/schemas/Color", "default": "green"}  # not in the enum
    properties["origin"] = {"$ref": "#/components/schemas/Point", "default": {"y": 1}}  # x is required
    properties["size"] = {"type": "object", "properties": {"w": {"type": "integer"}}, "required": ["w"], "default": {}}
    components = {
        "Color": {"enum": ["red", "blue"]},
        "Point": {"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"]},
        "Stamps": {"type": "object", "properties": properties},
    }
    for flavour in ("3.0", "3.1"):
        path = tmp_path / f"{flavour}.json"
        path.write_text(json.dumps(document(flavour, components)))
        schemas = prepare(str(path)).normalized["components"]["schemas"]
        normalized = schemas["Stamps"]["properties"]
        assert {p["default"] for p in normalized.values() if "default" in p} == kept
    # 3.0 ignores the siblings of a $ref, even a default that fits
    components["Stamps"]["properties"] = {"color": {"$ref": "#/components/schemas/Color", "default": "red"}}
    path.write_text(json.dumps(document("3.0", components)))
    assert prepare(str(path)).normalized["components"]["schemas"]["Stamps"]["properties"]["color"] == {
        "$ref": "#/components/schemas/Color"
    }


def test_date_time_spellings_are_read() -> None:
    """Other RFC 3339 spellings of an instant than the ones samples use: the same instant."""
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/c0": {"get": {"tags": ["props"], "responses": response("Stamp")}}},
        "components": {
            "schemas": {
                "Stamp": {"type": "object", "properties": {"at": {"type": "string", "format": "date-time"}}},
            }
        },
    }
    with generated(Case(spec)) as package:
        model = package.models.Stamp
        spellings = {
            "2024-02-29T23:59:59Z": "2024-02-29T23:59:59Z",
            "2024-02-29t23:59:59z": "2024-02-29T23:59:59Z",
            "2024-02-29T23:59:59+00:00": "2024-02-29T23:59:59Z",
            "2024-02-29T23:59:59.5+01:30": "2024-02-29T23:59:59.500000+01:30",
            "2024-02-29T23:59:59.123456789-05:00": "2024-02-29T23:59:59.123456-05:00",
        }
        for wire, canonical in spellings.items():
            assert dump(model.model_validate({"at": wire}))["at"] == canonical
        rejects(model, {"at": "2024-02-30T00:00:00Z"})
        rejects(model, {"at": "2024-02-29T00:00:00"})  # an aware model: the offset is required
