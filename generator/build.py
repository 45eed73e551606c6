"""Build the intermediate model (operations, groups, resources) from the normalized document."""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Mapping
from dataclasses import replace
from importlib import resources
from typing import Any

from .annotations import Annotator
from .docstrings import attribute_doc, selector_doc
from .errors import CodegenError
from .ir import (
    ChunkUnionModel,
    FacadeMethod,
    Group,
    Operation,
    Pagination,
    Param,
    Resource,
    ResourceAccessor,
    ResumeSpec,
    StreamSpec,
)
from .labels import schema_label
from .naming import bounded, iterator_name, pascal, singular, snake
from .normalize import ALIASES_KEY, HTTP_METHODS, SITE_NAMES_KEY
from .overrides import (
    BASE64_JSON,
    ChunkUnion,
    Overrides,
    PaginateOverride,
    ResourceMethod,
    ResourceSpec,
    ResumeOverride,
    StreamOverride,
)
from .pysource import fstring_path
from .refs import schema_name

# Keyword arguments every generated method has; spec parameters yield to them.
RESERVED_KWARGS = frozenset(
    {
        "self",
        "extra_headers",
        "extra_query",
        "extra_body",
        "timeout",
        "max_retries",
        "retry_unsafe",
        "idle_timeout",
        "resumable",
        "reconnect",
        "strict_response_validation",
        "cast",
        "path_param",
        "parse_json",
        "validate_response",
    }
)
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})


def build_operations(document: dict[str, Any], overrides: Overrides) -> list[Operation]:
    """Every operation of the normalized document, named and typed."""
    schemas: dict[str, Any] = (document.get("components") or {}).get("schemas") or {}
    aliases: dict[str, str] = (document.get("components") or {}).get(ALIASES_KEY) or {}
    sites: dict[str, dict[str, dict[str, str]]] = (document.get("components") or {}).get(SITE_NAMES_KEY) or {}
    operations: list[Operation] = []
    for path in sorted(document.get("paths") or {}):
        for method in HTTP_METHODS:
            op = document["paths"][path].get(method)
            if op is None:
                continue
            key = f"{method.upper()} {path}"
            patch = overrides.operations.get(key, {})
            if patch.get("skip"):
                continue
            operation = _operation(key, method.upper(), path, op, patch, schemas, aliases, overrides, sites)
            operations.append(operation)
    operations = _unique_names(operations, overrides)
    operations = _resolve_resumes(operations, overrides)
    return _name_iterators(operations)


def _operation(
    key: str,
    method: str,
    path: str,
    op: dict[str, Any],
    patch: dict[str, Any],
    schemas: dict[str, Any],
    aliases: dict[str, str],
    overrides: Overrides,
    sites: Mapping[str, Mapping[str, Mapping[str, str]]] | None = None,
) -> Operation:
    """``sites``: the aliases each body type owns for its fields' shared shapes (normalize's)."""
    annotator = Annotator(schemas=schemas, aliases=aliases)
    tags = op.get("tags") or []
    group = patch.get("group") or _group_name(tags[0] if tags else None, path, overrides)
    params: list[Param] = []
    taken: set[str] = set(RESERVED_KWARGS)
    for location in ("path", "query", "header", "cookie"):
        for raw in op.get("parameters") or []:
            if raw.get("in") != location:
                continue
            schema = raw.get("schema") or {}
            has_default = isinstance(schema, dict) and "default" in schema
            required = location == "path" or (bool(raw.get("required")) and not has_default)
            py_name = _free(snake(str(raw["name"])), taken, location)
            style, explode = _param_style(raw, location)
            json_encoded = location == "query" and not style and _is_complex(schema, schemas, aliases)
            annotation = annotator.input(schema)
            params.append(
                Param(
                    name=str(raw["name"]),
                    py_name=py_name,
                    location=location,
                    annotation="str" if location == "path" and annotation == "Any" else annotation,
                    required=required,
                    description=_one_line(raw.get("description")),
                    json_encoded=json_encoded,
                    base64_json=bool(raw.get(BASE64_JSON)),
                    type_label=schema_label(schema),
                    style=style,
                    explode=explode,
                )
            )
    body_model: str | None = None
    body_kind = "none"
    body_required = False
    body_media = ""
    body = op.get("requestBody") or {}
    content = body.get("content") or {}
    if content:
        media = _body_media(content)
        media_kind = _media_kind(media)
        schema = (content.get(media) or {}).get("schema") or {}
        body_required = bool(body.get("required"))
        target = _component(schema, schemas, aliases)
        members = _object_members(schema, schemas, aliases)
        if media_kind in ("form", "multipart"):
            body_kind, body_model = _form_body(
                media_kind,
                schema,
                (content.get(media) or {}).get("encoding"),
                target,
                body_required,
                params,
                taken,
                annotator,
                schemas,
                aliases,
            )
        elif media_kind == "raw":
            body_kind, body_media = "raw", media if "*" not in media else "application/octet-stream"
            params.append(
                Param(
                    name="body",
                    py_name=_free("body", taken, "body"),
                    location="body",
                    annotation="FileContent",
                    required=body_required,
                    type_label=schema_label(schema),
                )
            )
        elif media == "application/json" and (
            (target is not None and target[1].get("properties")) or (target is None and members)
        ):
            own_names: Mapping[str, Mapping[str, str]] = {}
            if target is not None:
                name, component = target
                own_names = (sites or {}).get(name, {})
                body_model = annotator.prefix + name
                annotator.used.add(name)
                properties: dict[str, Any] = dict(component["properties"])
                required_fields = set(component.get("required") or [])
            else:
                # One of several object shapes (signals: to a run, or to a thread): every field of
                # every shape is a keyword; the union checks the combination on the client.
                body_model = " | ".join(annotator.prefix + n for n, _ in members)
                annotator.used.update(n for n, _ in members)
                properties = {}
                for _, member in members:
                    for prop, prop_schema in member["properties"].items():
                        properties.setdefault(prop, prop_schema)
                required_fields = set.intersection(*(set(m.get("required") or []) for _, m in members))
            body_kind = "fields"
            # The document's keys are sorted (canonical), so the signature lists required
            # fields first, then the rest by name: the same whatever the spec's key order.
            ordered = sorted(properties.items(), key=lambda item: item[0] not in required_fields)
            for prop, prop_schema in ordered:
                py_name = _free(snake(str(prop)), taken, "body")
                params.append(
                    Param(
                        name=str(prop),
                        py_name=py_name,
                        location="body",
                        annotation=annotator.input(prop_schema, own_names.get(str(prop))),
                        required=prop in required_fields and "default" not in (prop_schema or {}),
                        description=_one_line((prop_schema or {}).get("description")),
                        type_label=schema_label(prop_schema),
                    )
                )
        else:
            body_kind = "whole"
            params.append(
                Param(
                    name="body",
                    py_name=_free("body", taken, "body"),
                    location="body",
                    annotation=annotator.input(schema),
                    required=body_required,
                    type_label=schema_label(schema),
                )
            )
    _describe(params, patch.get("describe") or {}, key, overrides)
    returns, parse, parse_with = _response(op, annotator)
    pagination = None
    if not patch.get("stream"):
        pagination = _pagination(op, method, params, patch.get("paginate"), schemas, aliases, annotator)
    stream = _stream_spec(patch.get("stream"), overrides, key)
    if stream is not None:
        returns, parse, parse_with = "Any", "raw", None
    client_tools = _special_param(params, patch, "client_tools", "ClientToolsParam", key, overrides)
    structured = _special_param(params, patch, "structured_output", "type[ModelT] | {annotation}", key, overrides)
    object_model = None
    if structured and stream is not None:
        stream = replace(stream, structured=True)
    elif structured:
        object_model = _object_model(returns, parse, schemas, aliases)
        returns = f"{returns}[ModelT]" if object_model else returns
    deprecated = bool(op.get("deprecated"))
    return Operation(
        method=method,
        path=path,
        key=key,
        py_name=patch.get("name") or default_operation_name(method, _name_path(path, tags, patch), group),
        group=group,
        summary=_one_line(op.get("summary")),
        description=str(op.get("description") or "").strip(),
        deprecated=deprecated,
        deprecation=deprecation_message(key, op) if deprecated else "",
        body_media=body_media,
        params=tuple(params),
        body_model=body_model,
        body_kind=body_kind,
        body_required=body_required,
        returns=returns,
        return_parse=parse,
        return_model=parse_with,
        stream=stream,
        retry_safe=bool(patch.get("safe")) or method in _IDEMPOTENT,
        error_body=bool(patch.get("error_body")),
        models=tuple(sorted(annotator.used)),
        client_tools=client_tools,
        structured_output=structured,
        object_model=object_model,
        pagination=pagination,
        result_label=_result_label(op),
    )


def chunk_union_model(union: ChunkUnion) -> ChunkUnionModel:
    return ChunkUnionModel(
        name=union.name,
        codec=snake(union.name).upper(),
        discriminator=union.discriminator,
        variants=tuple((t.tag, t.name) for t in union.types),
        fallback=union.fallback,
        usage=union.usage,
    )


MODELS_PREFIX = "_models."


def _object_model(returns: str, parse: str, schemas: dict[str, Any], aliases: dict[str, str]) -> str | None:
    """The model class whose ``object`` a ``structured_output`` call types (``None``: its result has none).

    It becomes generic in that field: ``AgentGenerateResult[Weather]``.
    """
    if parse != "model" or not returns.startswith(MODELS_PREFIX):
        return None
    name = returns.removeprefix(MODELS_PREFIX)
    target = aliases.get(name, name)
    properties = (schemas.get(target) or {}).get("properties") or {}
    return target if "object" in properties else None


def _stream_spec(spec: StreamOverride | None, overrides: Overrides, key: str) -> StreamSpec | None:
    if spec is None:
        return None
    union = None
    if spec.chunks is not None:
        found = overrides.chunks.get(spec.chunks)
        if found is None:
            where = overrides.origin.get(key, key)
            raise CodegenError(where, f"stream of '{key}' names an unknown chunk union {spec.chunks!r}")
        union = chunk_union_model(found)
    return StreamSpec(
        framing=spec.framing,
        union=union,
        done=spec.done,
        finish=spec.finish,
        pause=spec.pause,
        errors=spec.errors,
        view=spec.view,
        reconnect=spec.reconnect,
        long_lived=spec.long_lived,
        final=spec.final,
    )


def _describe(params: list[Param], texts: dict[str, str], key: str, overrides: Overrides) -> None:
    """``describe:``: the overrides' text for parameters and body fields the document leaves undescribed."""
    for name, text in texts.items():
        found = [i for i, p in enumerate(params) if name in (p.name, p.py_name)]
        if not found:
            overrides.leave_out_part((key, "describe", name), f"'{key}' has no parameter or body field {name!r}")
        for index in found:
            if not params[index].description:
                params[index] = replace(params[index], description=_one_line(text))


def _special_param(
    params: list[Param], patch: dict[str, Any], part: str, annotation: str, key: str, overrides: Overrides
) -> str | None:
    """Give the body field that carries client tools (or a structured-output model) its Python type."""
    wire_name = patch.get(part)
    if wire_name is None:
        return None
    for index, param in enumerate(params):
        if param.location == "body" and param.name == wire_name:
            params[index] = replace(param, annotation=annotation.format(annotation=param.annotation))
            return param.py_name
    # An older server without the field: the feature is left out (an error in a user's file).
    overrides.leave_out_part((key, part), f"'{key}' has no body field {wire_name!r} ({part})")
    return None


def _ok_response(op: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """The first 2xx status of an operation and its content map (``(None, {})`` without one)."""
    responses = op.get("responses") or {}
    ok = [s for s in sorted(responses) if str(s).startswith("2")]
    if not ok:
        return None, {}
    return str(ok[0]), (responses[ok[0]] or {}).get("content") or {}


def _result_label(op: dict[str, Any]) -> str:
    status, content = _ok_response(op)
    if status is None or not content:
        return "none" if status == "204" else "any"
    media = "application/json" if "application/json" in content else sorted(content)[0]
    return schema_label((content.get(media) or {}).get("schema"))


def _response(op: dict[str, Any], annotator: Annotator) -> tuple[str, str, str | None]:
    """Result annotation and how to parse it: model, adapter, raw, text, bytes or none.

    ``bytes`` is an answer that is not text: audio, images, ``application/octet-stream``,
    PDF... (by its media type, or a ``format: binary`` string schema), read as the bytes
    sent, never decoded.
    """
    status, content = _ok_response(op)
    if status is None:
        return "Any", "raw", None
    if not content:
        return ("None", "none", None) if status == "204" else ("Any", "raw", None)
    media = "application/json" if "application/json" in content else sorted(content)[0]
    schema = (content.get(media) or {}).get("schema")
    if _binary_schema(schema) or _response_media_kind(media) == "binary":
        return "bytes", "bytes", None
    if _response_media_kind(media) == "text":
        return "str", "text", None
    if _response_media_kind(media) != "json":
        return "Any", "raw", None
    annotation = annotator.output(schema)
    if annotation == "Any":
        return "Any", "raw", None
    if isinstance(schema, dict) and len(schema) == 1 and annotation == annotator.prefix + str(schema_name(schema)):
        return annotation, "model", annotation
    return annotation, "adapter", annotation


_TEXT_APPLICATION_MEDIA = frozenset(
    {
        "application/javascript",
        "application/xml",
        "application/x-www-form-urlencoded",
        "application/x-ndjson",
        "application/yaml",
        "application/x-yaml",
        "application/graphql",
        "application/sql",
    }
)


def _response_media_kind(media: str) -> str:
    """``json``, ``text``, ``binary``, or ``other`` (a wildcard, multipart: read as it comes)."""
    base = media.split(";")[0].strip().lower()
    if base in ("application/json", "text/json") or base.endswith("+json"):
        return "json"
    if base.startswith("text/") or base in _TEXT_APPLICATION_MEDIA or base.endswith(("+xml", "+yaml")):
        return "text"
    if "*" in base or base.startswith("multipart/") or "/" not in base:
        return "other"
    return "binary"


def _binary_schema(schema: Any) -> bool:
    """A string of bytes: ``format: binary`` (which normalize.py made a ``contentMediaType``), or a
    ``contentMediaType`` of a binary kind, without a ``contentEncoding`` (base64 is text)."""
    if not isinstance(schema, dict) or not _is_binary(schema):
        return False
    return _response_media_kind(str(schema["contentMediaType"])) == "binary"


def _component(schema: Any, schemas: dict[str, Any], aliases: dict[str, str]) -> tuple[str, dict[str, Any]] | None:
    name = schema_name(schema)
    if name is not None:
        target = schemas.get(aliases.get(name, name))
        if isinstance(target, dict):
            return name, target
    return None


def _object_members(schema: Any, schemas: dict[str, Any], aliases: dict[str, str]) -> list[tuple[str, dict[str, Any]]]:
    """The named object shapes of an ``anyOf``/``oneOf`` body, or ``[]`` if it is anything else."""
    if not isinstance(schema, dict):
        return []
    options = schema.get("anyOf") or schema.get("oneOf")
    if not isinstance(options, list) or len(options) < 2:
        return []
    members = [_component(option, schemas, aliases) for option in options]
    if any(m is None or not m[1].get("properties") for m in members):
        return []
    return [m for m in members if m is not None]


def _is_complex(schema: Any, schemas: dict[str, Any], aliases: dict[str, str], depth: int = 0) -> bool:
    """An object or array, or a union with one: what Mastra reads as JSON from the query.

    Shallow on purpose (the members of a union, not their members): that is what Mastra's
    query parsing was checked against. A reference counts by what it names: an object, or
    an enum (a plain value).
    """
    if not isinstance(schema, dict) or depth > 8:
        return False
    if "$ref" in schema:
        target = _resolved(schema, schemas, aliases)
        return not isinstance(target, dict) or "$ref" in target or _is_complex(target, schemas, aliases, depth + 1)
    if schema.get("type") in ("object", "array") or schema.get("properties"):
        return True
    members = [m for m in (schema.get("anyOf") or schema.get("oneOf") or []) if isinstance(m, dict)]
    return any(
        m.get("type") in ("object", "array") or ("$ref" in m and _is_complex(m, schemas, aliases, depth + 1))
        for m in members
    )


def _param_style(raw: dict[str, Any], location: str) -> tuple[str, bool]:
    """The parameter's OpenAPI ``style`` and ``explode`` with the defaults of its location.

    A query parameter that declares neither keeps style ``""``: Mastra's convention (objects
    and arrays as JSON) applies to it.
    """
    style = raw.get("style")
    explode = raw.get("explode")
    if location == "query" and style is None and explode is None:
        return "", False
    default = {"path": "simple", "header": "simple"}.get(location, "form")
    style = str(style or default)
    return style, bool(explode) if isinstance(explode, bool) else style == "form"


def _body_media(content: dict[str, Any]) -> str:
    """The request body's media type, in order of preference: JSON, multipart, form, the rest."""
    ranked = sorted(content, key=lambda m: (_MEDIA_RANK.get(_media_kind(m), 9), m != "application/json", m))
    return ranked[0]


_MEDIA_RANK = {"json": 0, "multipart": 1, "form": 2, "raw": 3}


def _media_kind(media: str) -> str:
    base = media.split(";")[0].strip().lower()
    if base == "application/json" or base.endswith("+json") or base == "text/json":
        return "json"
    if base.startswith("multipart/"):
        return "multipart"
    if base == "application/x-www-form-urlencoded":
        return "form"
    return "raw"


def _file_kind(schema: Any, schemas: dict[str, Any], aliases: dict[str, str]) -> str:
    """``one`` for a file field (binary content), ``many`` for an array of them, else ``""``."""
    schema = _resolved(schema, schemas, aliases)
    if not isinstance(schema, dict):
        return ""
    if _is_binary(schema):
        return "one"
    items = _resolved(schema.get("items"), schemas, aliases)
    if schema.get("type") == "array" and isinstance(items, dict) and _is_binary(items):
        return "many"
    return ""


def _is_binary(schema: dict[str, Any]) -> bool:
    # normalize.py turns OpenAPI 3.0's ``format: binary`` into 3.1's ``contentMediaType``.
    kinds = schema.get("type") if isinstance(schema.get("type"), list) else [schema.get("type")]
    return "string" in kinds and "contentMediaType" in schema and "contentEncoding" not in schema


def _form_body(
    media_kind: str,
    schema: Any,
    encoding: Any,
    target: tuple[str, dict[str, Any]] | None,
    required: bool,
    params: list[Param],
    taken: set[str],
    annotator: Annotator,
    schemas: dict[str, Any],
    aliases: dict[str, str],
) -> tuple[str, str | None]:
    """A form or multipart body: one keyword per field (files typed as uploads), or one mapping."""
    component = target[1] if target is not None else _resolved(schema, schemas, aliases)
    properties = component.get("properties") if isinstance(component, dict) else None
    if not isinstance(properties, dict) or not properties:
        params.append(
            Param(
                name="body",
                py_name=_free("body", taken, "body"),
                location="body",
                annotation="Mapping[str, Any]",
                required=required,
                type_label=schema_label(schema),
            )
        )
        return media_kind + "_whole", None
    body_model = None
    if target is not None:
        body_model = annotator.prefix + target[0]
        annotator.used.add(target[0])
    assert isinstance(component, dict)
    required_fields = set(component.get("required") or [])
    encodings = encoding if isinstance(encoding, dict) else {}
    ordered = sorted(properties.items(), key=lambda item: item[0] not in required_fields)
    for prop, prop_schema in ordered:
        file = _file_kind(prop_schema, schemas, aliases) if media_kind == "multipart" else ""
        annotation = {"one": "FileTypes", "many": "Sequence[FileTypes]"}.get(file) or annotator.input(prop_schema)
        style, explode = "", False
        field_encoding = encodings.get(prop)
        styled = isinstance(field_encoding, dict) and ("style" in field_encoding or "explode" in field_encoding)
        if media_kind == "form" and styled:
            style, explode = _param_style(field_encoding, "form")
        params.append(
            Param(
                name=str(prop),
                py_name=_free(snake(str(prop)), taken, "body"),
                location="body",
                annotation=annotation,
                required=prop in required_fields and "default" not in (prop_schema or {}),
                description=_one_line((prop_schema or {}).get("description")),
                type_label=schema_label(prop_schema),
                style=style,
                explode=explode,
                file=file,
            )
        )
    return media_kind, body_model


_DEPRECATION_HINT = re.compile(
    r"\b(use|instead|replaced by|superseded by|in favou?r of|migrate to|switch to)\b", re.IGNORECASE
)
_DEPRECATED_MARK = re.compile(r"^\s*(\[deprecated\]|\(deprecated\)|deprecated\s*[:.!-])\s*", re.IGNORECASE)


def deprecation_message(key: str, op: dict[str, Any]) -> str:
    """``POST /a is deprecated``, plus what to use instead when the description says so.

    ``[DEPRECATED] Use /agents/:agentId/voice/listen instead. Convert...`` gives
    ``POST /agents/{agentId}/listen is deprecated: Use /agents/:agentId/voice/listen instead.``
    """
    text = _DEPRECATED_MARK.sub("", _one_line(op.get("description")))
    sentences = re.split(r"(?<=[.!?])\s+", text)
    hint = next((s for s in sentences if _DEPRECATION_HINT.search(s)), "")
    return f"{key} is deprecated: {hint}" if hint else f"{key} is deprecated"


def _free(name: str, taken: set[str], location: str) -> str:
    """A keyword not used yet in this signature (a body field ``timeout`` becomes ``body_timeout``)."""
    if name in taken:
        name = f"{location}_{name}"
    while name in taken:
        name += "_"
    taken.add(name)
    return name


def _one_line(text: Any) -> str:
    return " ".join(str(text or "").split())


# Leading path segments that say nothing about an area: /api/v2/health is about health.
_PREFIX_SEGMENT = re.compile(r"^(api|rest|v\d+([._-]?\d+)*([a-z]+\d*)?)$", re.IGNORECASE)


def _group_name(tag: str | None, path: str, overrides: Overrides) -> str:
    """The operation's area: its first tag; untagged, the first word of its path.

    ``GET /health`` is ``client.health``, ``GET /v2/ping`` is ``client.ping`` (version and
    ``api`` prefixes skipped), ``GET /`` is ``client.default``.
    """
    if tag is not None and tag in overrides.groups:
        return overrides.groups[tag]
    if tag:
        name = snake(tag)
    else:
        words = [s for s in path.split("/") if s and not _is_param(s)]
        name = snake(next((s for s in words if not _PREFIX_SEGMENT.match(s)), "default"))
    name = bounded(name)
    # a tag called "close" or "stream" must not hide the client's own method of that name
    return name + "_" if name in client_attribute_names() or name.startswith("_") else name


@functools.cache
def client_attribute_names() -> frozenset[str]:
    """Names the generated client defines itself (its runtime base class and template)."""
    runtime = resources.files("mastra_codegen.templates.runtime").joinpath("_base_client.py")
    tree = ast.parse(runtime.read_text(encoding="utf-8"))
    names = {"with_raw_response", "with_streaming_response"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    names.add(item.name)
    return frozenset(names)


def _name_path(path: str, tags: list[Any], patch: dict[str, Any]) -> str:
    """The path an operation is named from: an untagged one's without the prefix its group skipped."""
    if tags or patch.get("group"):
        return path
    segments = [s for s in path.split("/") if s]
    while segments and not _is_param(segments[0]) and _PREFIX_SEGMENT.match(segments[0]) and len(segments) > 1:
        segments.pop(0)
    return "/" + "/".join(segments)


def default_operation_name(method: str, path: str, group: str) -> str:
    """A readable, stable Python name derived from the method and path alone.

    ``GET /agents`` -> ``list_agents``; ``GET /agents/{agentId}`` -> ``get_agent``;
    ``POST /agents/{agentId}/generate`` -> ``generate`` (in group ``agents``);
    ``POST /memory/threads`` -> ``create_thread``; ``PATCH /memory/threads/{threadId}`` ->
    ``update_thread``.
    """
    segments = [s for s in path.split("/") if s]
    words: list[str] = []
    for index, segment in enumerate(segments):
        if _is_param(segment):
            continue
        followed = index + 1 < len(segments) and _is_param(segments[index + 1])
        word = snake(segment)
        words.append(snake(singular(segment)) if followed else word)
    # Drop leading path words that only repeat the group: agents.generate, not agents.agent_generate.
    group_words = [singular(w) for w in group.split("_")]
    covered: list[str] = []
    for count, word in enumerate(words[:-1], start=1):
        covered.extend(singular(w) for w in word.split("_"))
        if covered == group_words:
            words = words[count:]
            break
        if covered != group_words[: len(covered)]:
            break
    ends_with_param = bool(segments) and _is_param(segments[-1])
    last = words[-1] if words else "root"
    plural = bool(words) and snake(singular(last)) != last
    if method == "GET":
        verb = "get" if ends_with_param or not plural else "list"
    elif method == "POST":
        verb = "" if not ends_with_param and not plural else "create"
        if verb == "create" and plural:
            words = [*words[:-1], snake(singular(last))]
    else:
        verb = {"PUT": "put", "PATCH": "update", "DELETE": "delete"}.get(method, method.lower())
    name = "_".join([verb, *words] if verb else words) or method.lower()
    return name if name not in RESERVED_KWARGS else name + "_"


def _is_param(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


def _unique_names(operations: list[Operation], overrides: Overrides) -> list[Operation]:
    """Operations whose derived names collide in a group get their full, path-qualified name."""
    seen: dict[tuple[str, str], list[int]] = {}
    for index, op in enumerate(operations):
        seen.setdefault((op.group, op.py_name), []).append(index)
    out = list(operations)
    for (group, name), indexes in seen.items():
        if len(indexes) < 2:
            continue
        named = [i for i in indexes if "name" in overrides.operations.get(operations[i].key, {})]
        if len(named) > 1:
            where = overrides.origin[operations[named[1]].key]
            raise CodegenError(where, f"two operations are named {group}.{name}")
        for i in indexes:
            if i in named:
                continue
            op = operations[i]
            out[i] = replace(op, py_name=_qualified_name(op.method, op.path))
    return out


def _qualified_name(method: str, path: str) -> str:
    parts = [method.lower()]
    for segment in (s for s in path.split("/") if s):
        parts.append("by_" + snake(segment[1:-1]) if _is_param(segment) else snake(segment))
    return "_".join(parts)


def build_groups(operations: list[Operation], document: dict[str, Any] | None = None) -> list[Group]:
    """One group per area; titled by its tag as the document writes it, described by the tag's entry."""
    by_group: dict[str, list[Operation]] = {}
    for op in operations:
        by_group.setdefault(op.group, []).append(op)
    doc = document or {}
    described = {
        str(t["name"]): _one_paragraph(t.get("description"))
        for t in doc.get("tags") or []
        if isinstance(t, dict) and isinstance(t.get("name"), str)
    }
    groups: list[Group] = []
    for name in sorted(by_group):
        ops = sorted(by_group[name], key=lambda o: o.py_name)
        title = _group_tag(ops, doc) or name.replace("_", " ").title()
        groups.append(
            Group(
                name=name,
                class_name=pascal(name) + "Resource",
                title=title,
                operations=tuple(ops),
                description=described.get(title, ""),
            )
        )
    return groups


def _group_tag(ops: list[Operation], document: dict[str, Any]) -> str:
    """The first tag most of a group's operations carry (the first by name on a tie); "" untagged."""
    counts: dict[str, int] = {}
    for op in ops:
        item = (document.get("paths") or {}).get(op.path) or {}
        tags = (item.get(op.method.lower()) or {}).get("tags") if isinstance(item, dict) else None
        if isinstance(tags, list) and tags and isinstance(tags[0], str) and tags[0].strip():
            counts[tags[0]] = counts.get(tags[0], 0) + 1
    return min(counts, key=lambda tag: (-counts[tag], tag)) if counts else ""


def _one_paragraph(text: Any) -> str:
    """A description as text: its paragraphs and lists kept, blank runs and trailing spaces gone."""
    lines = [line.rstrip() for line in str(text or "").strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def build_resources(overrides: Overrides, operations: list[Operation]) -> tuple[list[Resource], list[FacadeMethod]]:
    """The client-js shaped layer: resources bound to ids, and top-level client methods."""
    by_key = {op.key: op for op in operations}
    resources: list[Resource] = []
    for spec in sorted(overrides.resources.values(), key=lambda r: r.name):
        methods = _one_iterator_each(
            [(m, fm) for m in spec.methods if (fm := _facade_method(m, by_key, spec, overrides)) is not None]
        )
        if not methods and all(m.shipped for m in spec.methods):
            continue  # a shipped resource this server has no routes for
        attrs: dict[str, tuple[str, str, bool]] = {}  # two spec names may share one attribute
        attr_docs: dict[str, str] = {}
        for json_name, attr in spec.params.items():
            optional = json_name in spec.optional
            attrs.setdefault(attr, (attr, "str | None" if optional else "str", not optional))
            attr_docs.setdefault(attr, attribute_doc(json_name, spec.name, optional))
        for selector, selects in spec.selectors.items():
            if selector in attrs:
                raise CodegenError(spec.where, f"selector {selector!r} is also an id attribute of {spec.name}")
            attrs[selector] = (selector, "Mapping[str, str] | None", False)
            attr_docs[selector] = selector_doc(selects)
        attributes = tuple(attrs.values())
        resources.append(
            Resource(
                name=spec.name,
                attributes=attributes,
                accessor=spec.accessor,
                doc=spec.doc,
                methods=methods,
                aliases=tuple(spec.aliases),
                parent=spec.parent,
                selectors=tuple(spec.selectors),
                attribute_docs=tuple(attr_docs[a[0]] for a in attributes),
            )
        )
    resources = _attach_children(resources, overrides)
    client_methods = list(
        _one_iterator_each(
            [
                (m, fm)
                for _, m in sorted(overrides.client_methods.items())
                if (fm := _facade_method(m, by_key, None, overrides)) is not None
            ]
        )
    )
    return resources, client_methods


def _one_iterator_each(methods: list[tuple[ResourceMethod, FacadeMethod]]) -> tuple[FacadeMethod, ...]:
    """Two names for one paged operation (``get_traces``, ``list_traces``) share one ``iter_traces``.

    The first method (in order) keeps it; two different operations whose iterators would have
    one name are an error.
    """
    out: list[FacadeMethod] = []
    first: dict[str, FacadeMethod] = {}
    for method, fm in methods:
        if fm.operation.pagination is not None and not fm.returns_resource:
            owner = first.setdefault(fm.iterator_name, fm)
            if owner is not fm:
                if (owner.operation.key, owner.fixed) != (fm.operation.key, fm.fixed):
                    raise CodegenError(
                        method.where,
                        f"{fm.name} and {owner.name} would both define {fm.iterator_name} (for different operations)",
                    )
                fm = replace(fm, has_iterator=False)
        out.append(fm)
    return tuple(out)


def merge_facade_groups(
    groups: list[Group], resources: list[Resource], overrides: Overrides
) -> tuple[list[Group], list[Resource]]:
    """A client property named as a group (``client.responses``) is one object: the facade extends the group.

    The facade keeps every operation of the group under its generated name and adds the
    client-js names. A facade method named as one of the group's operations is dropped when it
    is that operation (already there) and is an error when it is another one.
    """
    by_name = {g.name: g for g in groups}
    merged_groups: dict[str, Group] = {}
    out: list[Resource] = []
    for r in resources:
        accessor = r.client_accessor
        group = by_name.get(accessor.name) if accessor is not None and accessor.is_property else None
        if group is None:
            out.append(r)
            continue
        taken = {op.py_name: op for op in group.operations}
        taken.update({op.pagination.method_name: op for op in group.operations if op.pagination})
        methods: list[FacadeMethod] = []
        spec = overrides.resources[r.name]
        where = {m.name: m for m in spec.methods}
        for fm in r.methods:
            same = taken.get(fm.name) or taken.get(fm.iterator_name if fm.operation.pagination else "")
            if same is None:
                methods.append(fm)
            elif same.key != fm.operation.key:
                raise CodegenError(
                    where[fm.name].where,
                    f"{r.name}.{fm.name} would hide the operation '{same.key}' of client.{group.name}",
                )
        merged_groups[group.name] = replace(group, facade=r.name)
        out.append(replace(r, methods=tuple(methods), group=group))
    return [merged_groups.get(g.name, g) for g in groups], out


def _attach_children(resources: list[Resource], overrides: Overrides) -> list[Resource]:
    """Give each parent its child accessors (``agent.voice``); a child whose parent is absent goes too."""
    by_name = {r.name: r for r in resources}
    children: dict[str, list[ResourceAccessor]] = {}
    kept: list[Resource] = []
    for r in resources:
        if r.parent is None:
            kept.append(r)
            continue
        spec = overrides.resources[r.name]
        parent = by_name.get(r.parent)
        if parent is None:
            shipped = all(m.shipped for m in spec.methods)
            overrides.leave_out(shipped, spec.where, f"resource {r.name!r} names an absent parent {r.parent!r}")
            continue
        parent_attrs = {a[0] for a in parent.attributes}
        own = [i for i, a in enumerate(r.attributes) if a[0] not in parent_attrs]
        accessor = ResourceAccessor(
            name=str(r.accessor),
            resource=r.name,
            params=tuple(r.attributes[i] for i in own),
            inherited=tuple(a[0] for a in r.attributes if a[0] in parent_attrs),
            doc=r.doc,
            param_docs=tuple(r.attribute_docs[i] for i in own if i < len(r.attribute_docs)),
        )
        children.setdefault(r.parent, []).append(accessor)
        kept.append(r)
    return [replace(r, children=tuple(sorted(children.get(r.name, []), key=lambda a: a.name))) for r in kept]


def _bind_mode(param: Param, attribute_optional: bool) -> str:
    """How a bound attribute is passed: as is, NOT_GIVEN when None, or checked not to be None."""
    if not attribute_optional:
        return "plain"
    return "require" if param.required else "omit_none"


def _facade_method(
    method: ResourceMethod,
    by_key: dict[str, Operation],
    spec: ResourceSpec | None,
    overrides: Overrides,
) -> FacadeMethod | None:
    op = by_key.get(method.operation)
    if op is None:  # this server lacks the route: the method is left out (an error in a user's file)
        overrides.leave_out(method.shipped, method.where, f"operation '{method.operation}' is not in the spec")
        return None
    bound_names = spec.params if spec is not None else {}
    optional_attrs = {bound_names[n] for n in (spec.optional if spec is not None else [])}
    bound = tuple(
        (p.py_name, bound_names[p.name], _bind_mode(p, bound_names[p.name] in optional_attrs))
        for p in op.params
        if p.name in bound_names and p.location in ("path", "query", "body")
    )
    bound_py = {b for b, _, _ in bound}
    rest: list[Param] = []
    fixed: list[tuple[str, str]] = []
    rpc_params: tuple[Param, ...] = ()
    rpc_result = rpc_path = ""
    if method.jsonrpc is not None:
        envelope = _jsonrpc_envelope(method, op, overrides)
        if envelope is None:
            return None
        rpc_params, rpc_result = envelope
        attr_of = {py: attr for py, attr, _ in bound}
        unbound = [p.name for p in op.path_params if p.py_name not in attr_of]
        if unbound:
            raise CodegenError(method.where, f"jsonrpc: path parameter {unbound[0]!r} is not bound by the resource")
        rpc_path = fstring_path(op.path, {p.name: f"path_param(self.{attr_of[p.py_name]})" for p in op.path_params})
        if method.stream is not None:  # a streamed call: the method returns the stream of its results
            stream = _stream_spec(method.stream, overrides, method.operation)
            op = replace(op, stream=replace(stream, envelope="jsonrpc") if stream is not None else None)
    opens_stream = method.stream is not None and method.jsonrpc is None
    if opens_stream:  # a route that streams when asked to (a body field): the method asks
        if op.stream is not None:
            raise CodegenError(method.where, f"'{method.operation}' already streams: drop the method's stream")
        if op.body_kind not in ("fields", "whole", "none"):
            raise CodegenError(method.where, f"a method's own stream needs a JSON body or none ('{method.operation}')")
        op = replace(op, stream=_stream_spec(method.stream, overrides, method.operation))
    for p in op.params:
        if p.py_name in bound_py:
            continue
        if method.jsonrpc is not None:
            continue  # the envelope is built from the jsonrpc declaration
        if p.name in method.fixed or p.py_name in method.fixed:
            value = method.fixed[p.name if p.name in method.fixed else p.py_name]
            fixed.append((p.py_name, repr(value)))
            continue
        positional = p.name in method.positional or p.py_name in method.positional
        coerce = method.coerce.get(p.name) or method.coerce.get(p.py_name) or ""
        rest.append(replace(p, positional=positional, coerce=coerce))
    # Positional parameters first, in the order the override lists them.
    order = {name: i for i, name in enumerate(method.positional)}
    rest.sort(key=lambda p: (not p.positional, order.get(p.name, order.get(p.py_name, 0))))
    for name in method.fixed:
        if not any(name in (p.name, p.py_name) for p in op.params):
            overrides.leave_out(
                method.shipped, method.where, f"fixed {name!r} is not a parameter of '{method.operation}'"
            )
    for name in method.positional:
        if not any(name in (p.name, p.py_name) for p in rest):
            # An older server's body without the field: the method keeps its other parameters.
            overrides.leave_out(
                method.shipped, method.where, f"positional {name!r} is not a parameter of '{method.operation}'"
            )
    returns_resource = None
    returns_bind: tuple[tuple[str, str], ...] = ()
    if method.returns:
        target = overrides.resources.get(str(method.returns.get("resource")))
        if target is None:
            raise CodegenError(method.where, f"returns an unknown resource {method.returns.get('resource')!r}")
        returns_resource = target.name
        binds: list[tuple[str, str]] = []
        source = method.returns.get("bind") or {}
        for json_name, attr in target.params.items():
            if any(a == attr for a, _ in binds):  # two spec names, one attribute
                continue
            if json_name in source:
                binds.append((attr, f"field_of(result, {source[json_name]!r})"))
            elif spec is not None and json_name in spec.params:
                binds.append((attr, f"self.{spec.params[json_name]}"))
            elif json_name not in target.optional:
                raise CodegenError(method.where, f"cannot bind {json_name!r} of {target.name}")
        returns_bind = tuple(binds)
    result_adapter = result_model = ""
    if method.result:
        if op.stream is not None or returns_resource:
            raise CodegenError(method.where, "a result adapter needs a plain JSON answer (not a stream or resource)")
        result_adapter = method.result["adapter"]
        result_model = method.result.get("model", "")
        if result_model and result_model not in overrides.components:
            raise CodegenError(method.where, f"result model {result_model!r} is not a component of the overrides")
    return FacadeMethod(
        name=method.name,
        operation=op,
        bound=bound,
        params=tuple(rest),
        returns_resource=returns_resource,
        returns_bind=returns_bind,
        fixed=tuple(fixed),
        rpc_params=rpc_params,
        rpc_result=rpc_result,
        rpc_method=method.jsonrpc.method if method.jsonrpc is not None else "",
        rpc_path=rpc_path,
        headers=tuple(sorted(method.headers.items())),
        result_adapter=result_adapter,
        result_model=result_model,
        opens_stream=opens_stream,
    )


def _jsonrpc_envelope(
    method: ResourceMethod, op: Operation, overrides: Overrides
) -> tuple[tuple[Param, ...], str] | None:
    """The ``params`` keywords and the result annotation of a ``jsonrpc:`` method."""
    call = method.jsonrpc
    assert call is not None
    if op.method != "POST" or "jsonrpc" not in {p.name for p in op.params if p.location == "body"}:
        overrides.leave_out(
            method.shipped,
            method.where,
            f"jsonrpc: '{method.operation}' is no JSON-RPC route (no body field 'jsonrpc')",
        )
        return None
    taken = {p.py_name for p in op.path_params}
    members: list[Param] = []
    for wire in (*call.params, *call.optional):
        members.append(
            Param(
                name=wire,
                py_name=_free(snake(wire), taken, "params"),
                location="body",
                annotation="Any",
                required=wire in call.params,
                description=f"``params.{wire}`` of the JSON-RPC call ``{call.method}``",
            )
        )
    for name in call.result:
        if name not in overrides.components:
            raise CodegenError(method.where, f"jsonrpc result {name!r} is not a component of the overrides")
    result = " | ".join(f"_models.{name}" for name in call.result) or "Any"
    return tuple(members), result


# --------------------------------------------------------------------------- resumable streams


def _resolve_resumes(operations: list[Operation], overrides: Overrides) -> list[Operation]:
    """Attach each ``resume:`` override to its stream, checked against the observe operation."""
    by_key = {op.key: op for op in operations}
    out: list[Operation] = []
    for op in operations:
        resume: ResumeOverride | None = overrides.operations.get(op.key, {}).get("resume")
        if resume is None:
            out.append(op)
            continue
        if op.stream is None:
            raise CodegenError(resume.where, f"'{op.key}' has 'resume' but is not a stream")
        target = by_key.get(resume.via)
        # A server without the observe route, or one whose observe cannot start at an offset
        # (before 1.2x): the stream is not resumable there (an error in a user's file).
        problem = (
            f"resume of '{op.key}' names an unknown operation '{resume.via}'"
            if target is None
            else _resume_problem(op, target, resume)
        )
        if target is None or problem:
            overrides.leave_out((op.key, "resume") in overrides.shipped_parts, resume.where, problem)
            out.append(op)
            continue
        out.append(replace(op, stream=replace(op.stream, resume=_resume_spec(op, target, resume))))
    return out


def _resume_problem(op: Operation, target: Operation, resume: ResumeOverride) -> str:
    """Why ``target`` cannot continue ``op``'s stream ("" when it can)."""
    own = {p.name for p in op.path_params}
    for param in target.path_params:
        if param.name not in own:
            return f"'{resume.via}' needs the path parameter {param.name!r}, which '{op.key}' does not have"
    for role, wire in (("run_id", resume.run_id), ("offset", resume.offset)):
        if not any(p.name == wire and p.location in ("query", "body") for p in target.params):
            return f"'{resume.via}' has no query or body parameter {wire!r} ({role})"
    return ""


def _resume_spec(op: Operation, target: Operation, resume: ResumeOverride) -> ResumeSpec:
    """The resume route of a stream (``_resume_problem`` found nothing wrong with it)."""
    own = {p.name: p.py_name for p in op.path_params}
    path = fstring_path(target.path, {p.name: f"path_param({own[p.name]})" for p in target.path_params})
    located: dict[str, tuple[str, str]] = {}
    for role, wire in (("run_id", resume.run_id), ("offset", resume.offset)):
        param = next(p for p in target.params if p.name == wire and p.location in ("query", "body"))
        located[role] = (param.location, wire)
    run_id_param = next((p.py_name for p in op.params if p.name == resume.run_id), None)
    return ResumeSpec(
        method=target.method,
        path_expression=path,
        run_id=located["run_id"],
        offset=located["offset"],
        starts_run=resume.starts_run,
        run_id_param=run_id_param,
    )


# --------------------------------------------------------------------------- pagination

_SIZE_NAMES = ("perpage", "pagesize", "limit", "size", "count")


def _wire_key(name: str) -> str:
    return name.replace("_", "").replace("-", "").lower()


def _pagination(
    op: dict[str, Any],
    method: str,
    params: list[Param],
    patch: PaginateOverride | None,
    schemas: dict[str, Any],
    aliases: dict[str, str],
    annotator: Annotator,
) -> Pagination | None:
    """Page-number or offset paging, found from the query parameters and the answer's shape."""
    if patch is not None and not patch.enabled:
        return None
    if method != "GET" and patch is None:
        return None
    query = {_wire_key(p.name): p for p in params if p.location == "query"}
    size = next((query[name] for name in _SIZE_NAMES if name in query), None)
    style = patch.style if patch is not None and patch.style else None
    if style is None:
        style = "page" if "page" in query and size is not None else "offset" if "offset" in query else None
    if style is None or size is None:
        return None
    position = query.get("page" if style == "page" else "offset")
    if position is None or size is position:
        return None
    if patch is None and not (_takes_numbers(position, only=True) and _takes_numbers(size, only=False)):
        return None  # a ``page`` that is a cursor string (Stripe's search) is not a page number
    found = _page_items(
        (_ok_response(op)[1].get("application/json") or {}).get("schema"),
        schemas,
        aliases,
        patch.items if patch is not None else None,
    )
    if found is None:
        return None
    items, item_schema = found
    first = patch.first if patch is not None and patch.first is not None else _first_page(position, op)
    return Pagination(
        style=style,
        position=position.py_name,
        size=size.py_name,
        first=first if style == "page" else 0,
        items=items,
        item_annotation=annotator.output(item_schema),
        method_name="",
    )


def _takes_numbers(param: Param, only: bool) -> bool:
    """Whether the parameter accepts integers (``only``: and nothing else but null)."""
    kinds = {k for k in param.type_label.split(" | ") if k != "null"}
    numbers = kinds & {"integer", "number"}
    return bool(numbers) and (not only or numbers == kinds)


def _resolved(schema: Any, schemas: dict[str, Any], aliases: dict[str, str]) -> Any:
    for _ in range(32):  # alias chains are short; a cycle must not hang
        found = _component(schema, schemas, aliases)
        if found is None:
            return schema
        schema = found[1]
    return schema


def _page_items(
    schema: Any, schemas: dict[str, Any], aliases: dict[str, str], items: str | None
) -> tuple[str | None, Any] | None:
    """The answer's list: ``(None, item schema)`` for a bare array, else ``(field, item schema)``.

    An object answer needs exactly one array property (or ``items`` naming it), so a
    page with two lists (messages and uiMessages) is not guessed at.
    """
    resolved = _resolved(schema, schemas, aliases)
    if not isinstance(resolved, dict):
        return None
    if resolved.get("type") == "array" and items is None:
        return None, resolved.get("items") or {}
    properties = resolved.get("properties")
    if not isinstance(properties, dict):
        return None
    arrays: dict[str, Any] = {}
    for name, value in properties.items():
        target = _resolved(value, schemas, aliases)
        if isinstance(target, dict) and target.get("type") == "array":
            arrays[name] = target.get("items") or {}
    if items is not None:
        return (items, arrays[items]) if items in arrays else None
    if len(arrays) != 1:
        return None
    name, item_schema = next(iter(arrays.items()))
    return name, item_schema


def _first_page(position: Param, op: dict[str, Any]) -> int:
    """The first page number: the parameter's default, else its minimum, else 0."""
    for raw in op.get("parameters") or []:
        if raw.get("name") == position.name and raw.get("in") == "query":
            schema = raw.get("schema") or {}
            for key in ("default", "minimum"):
                value = schema.get(key)
                if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                    return value
    return 0


def _name_iterators(operations: list[Operation]) -> list[Operation]:
    """``iter_<what>`` for each paginated operation: ``list_threads`` gives ``iter_threads``."""
    taken = {(op.group, op.py_name) for op in operations}
    out: list[Operation] = []
    for op in operations:
        if op.pagination is None:
            out.append(op)
            continue
        name = iterator_name(op.py_name)
        if (op.group, name) in taken:
            name = f"iter_{op.py_name}"
        taken.add((op.group, name))
        out.append(replace(op, pagination=replace(op.pagination, method_name=name)))
    return out
