"""Override YAML: what the OpenAPI document cannot say, validated with file:line errors.

Overrides are keyed by ``METHOD /path`` and layered: the files shipped in
``overrides/`` first, then each ``--overrides`` file of the user on top (later
wins, key by key). They are applied to the raw document before normalization,
so patched schemas are hoisted and named like any other.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .errors import CodegenError
from .naming import is_python_name
from .refs import schema_names_in

_OPERATION_KEYS: dict[str, type | tuple[type, ...]] = {
    "name": str,
    "group": str,
    "summary": str,
    "description": str,
    "response": dict,
    "request_body": dict,
    "request_media": str,
    "params": dict,
    "describe": dict,
    "safe": bool,
    "error_body": bool,
    "stream": (str, dict),
    "client_tools": str,
    "structured_output": str,
    "resume": dict,
    "paginate": (dict, bool),
    "request_context": str,
    "deprecated": bool,
    "skip": bool,
    "tags": list,
}
_RESOURCE_KEYS = {"accessor", "doc", "params", "optional", "methods", "parent", "aliases", "selectors"}
_STREAM_FORMATS = {"sse", "records", "ndjson"}
# Result adapters of the generated runtime (``_runtime/_adapters.py``, RESULT_ADAPTERS): a facade
# method's ``result: {adapter: ...}`` reshapes the operation's answer client-side, as client-js does.
RESULT_ADAPTERS = {"json_schemas", "workflow_action_result"}
_RESULT_KEYS = {"adapter", "model"}
# Where an operation takes the caller's request context besides its body: ``query`` adds the
# ``requestContext`` query parameter, base64 of its JSON, as @mastra/client-js sends it on reads.
_REQUEST_CONTEXT_PLACES = {"query"}
REQUEST_CONTEXT_PARAM = "requestContext"
# Marks a query parameter sent as base64 of its compact JSON (read by build.py).
BASE64_JSON = "x-codegen-base64-json"
_STREAM_VIEWS = {"events", "agent", "workflow"}
_STREAM_KEYS = {"framing", "chunks", "done", "finish", "pause", "errors", "view", "reconnect", "long_lived", "final"}
_RESUME_KEYS = {"via", "run_id", "offset", "starts_run"}
_PAGINATE_KEYS = {"items", "style", "first"}
_CHUNK_UNION_KEYS = {"discriminator", "envelope", "fallback", "types", "description", "usage"}
_CHUNK_TYPE_KEYS = {"name", "payload", "fields", "description"}
_TOP_KEYS = {
    "version",
    "groups",
    "operations",
    "add_operations",
    "resources",
    "client",
    "components",
    "chunks",
    "integers",
}
_METHODS = {"GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE"}


@dataclass
class Located:
    """A parsed YAML file and the line of every key path in it."""

    path: str
    data: dict[str, Any]
    lines: dict[tuple[str, ...], int]

    def at(self, *keys: str) -> str:
        """``file:line`` of the deepest key path that is known."""
        for n in range(len(keys), -1, -1):
            line = self.lines.get(tuple(keys[:n]))
            if line is not None:
                return f"{self.path}:{line}"
        return self.path


@dataclass(frozen=True)
class JsonRpcCall:
    """``jsonrpc:``: the method sends a JSON-RPC 2.0 envelope through its route and unwraps the answer."""

    method: str  # the JSON-RPC method name ("message/send")
    params: tuple[str, ...] = ()  # required members of ``params`` (wire names), taken as keywords
    optional: tuple[str, ...] = ()  # optional members of ``params``
    result: tuple[str, ...] = ()  # components the ``result`` is validated as (their union; none: any JSON)


@dataclass
class ResourceMethod:
    name: str
    operation: str  # "METHOD /path"
    positional: list[str] = field(default_factory=list)
    coerce: dict[str, str] = field(default_factory=dict)
    returns: dict[str, Any] | None = None  # {resource: Name, bind: {param: response field}}
    fixed: dict[str, Any] = field(default_factory=dict)  # parameter -> the value always sent
    jsonrpc: JsonRpcCall | None = None  # a JSON-RPC 2.0 method called through the route
    headers: dict[str, str] = field(default_factory=dict)  # headers always sent (the caller's win)
    result: dict[str, str] | None = None  # {adapter: runtime result adapter, model: component}
    # The method opens the route as this stream itself (the operation answers JSON otherwise:
    # POST /v1/responses with stream: true); with jsonrpc, a call answered with envelopes.
    stream: StreamOverride | None = None
    where: str = ""
    shipped: bool = False  # from overrides/: skipped quietly on servers that lack the route


@dataclass
class ResourceSpec:
    name: str
    accessor: str | None  # client method returning it (or the parent's, with ``parent``)
    params: dict[str, str]  # spec parameter name -> Python attribute name
    optional: list[str]
    methods: list[ResourceMethod]
    doc: str
    where: str
    parent: str | None = None  # reached from this resource (``agent.voice``), not from the client
    aliases: list[str] = field(default_factory=list)  # other names of the class (older releases')
    # Optional mappings the object is built with and sends as query parameters on every call
    # (client-js's getAgent(id, {versionId} | {status})): attribute name -> what it selects.
    selectors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StreamOverride:
    """How an operation streams: framing, chunk union, and when the stream is over."""

    framing: str  # sse | records | ndjson
    chunks: str | None = None  # name of a chunk union (``chunks:``), or None for plain JSON events
    done: str | None = None  # data of the frame that ends it cleanly
    finish: tuple[str, ...] = ()
    pause: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    view: str = "events"  # events | agent | workflow: what the stream object offers
    reconnect: bool = False  # the caller may ask to reconnect when it drops (a subscription)
    long_lived: bool = False  # may stay silent for long: no idle timeout unless the caller sets one
    final: str = ""  # a boolean field of an event that, true, marks the last one (A2A's ``final``)


@dataclass(frozen=True)
class ResumeOverride:
    """``resume:``: a dropped stream continues by observing its run from an offset."""

    via: str  # METHOD /path of the observe operation
    run_id: str  # wire name of its run id parameter
    offset: str  # wire name of its offset parameter
    starts_run: bool  # the stream's events are the run's from index 0
    where: str


@dataclass(frozen=True)
class PaginateOverride:
    """``paginate:``: how a list operation pages, where the heuristics need help."""

    enabled: bool
    items: str | None = None  # wire name of the array field of the answer
    style: str | None = None  # page | offset
    first: int | None = None  # first page number


@dataclass
class ChunkType:
    tag: str  # the discriminator value: "text-delta"
    name: str  # class name: TextDeltaChunk
    schema: dict[str, Any]  # the variant's object schema
    where: str


@dataclass
class ChunkUnion:
    """A discriminated union of stream chunks, with a fallback for types it does not know."""

    name: str
    discriminator: str
    types: list[ChunkType]
    fallback: str
    fallback_schema: dict[str, Any]
    description: str
    where: str
    usage: str = ""  # the component the agent view builds a finish chunk's token usage into


@dataclass(frozen=True)
class SkippedOverride:
    """A shipped override entry this document has no place for (an older or trimmed server)."""

    where: str  # file:line of the entry
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass
class Overrides:
    """Every override file merged, plus where each entry came from (for errors)."""

    operations: dict[str, dict[str, Any]] = field(default_factory=dict)
    added: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Routes only the shipped files add: they fill gaps of Mastra servers, so a document that is
    # not a Mastra server's (none of the shipped routes) does not get them.
    shipped_added: set[str] = field(default_factory=set)
    groups: dict[str, str] = field(default_factory=dict)
    resources: dict[str, ResourceSpec] = field(default_factory=dict)
    client_methods: dict[str, ResourceMethod] = field(default_factory=dict)
    components: dict[str, Any] = field(default_factory=dict)
    chunks: dict[str, ChunkUnion] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)  # operation key -> file:line
    # Operation keys only the shipped files mention. They describe Mastra's full route table, so a
    # document without one of those routes (an older or trimmed server) just skips the entry;
    # a user's own override for a missing route is an error (a typo, or a renamed route).
    shipped_keys: set[str] = field(default_factory=set)
    # Component and chunk union names only the shipped files define: added to a document only
    # when something it has uses them (a non-Mastra document gets none of them).
    shipped_components: set[str] = field(default_factory=set)
    shipped_chunks: set[str] = field(default_factory=set)
    # Parts of operation entries, (op key, key[, name]): where each is written, and which of them
    # only the shipped files wrote. A shipped part the document has no place for (a parameter or
    # body field an older server lacks) is left out; a user's part is an error.
    part_origin: dict[tuple[str, ...], str] = field(default_factory=dict)
    shipped_parts: set[tuple[str, ...]] = field(default_factory=set)
    group_origin: dict[str, str] = field(default_factory=dict)
    component_origin: dict[str, str] = field(default_factory=dict)
    shipped_groups: set[str] = field(default_factory=set)
    # Property names (shell patterns) whose ``type: number`` the server fills with whole numbers:
    # typed ``int``. The shipped ones describe Mastra (zod's ``z.number()`` for counts and pages).
    integers: list[str] = field(default_factory=list)
    shipped_integers: set[str] = field(default_factory=set)
    # What this document left out of the shipped files (``mastra-codegen -v`` lists it).
    skipped: list[SkippedOverride] = field(default_factory=list)

    def where(self, *keys: str) -> str:
        """``file:line`` of an operation entry or one of its parts."""
        return self.part_origin.get(keys) or self.origin.get(keys[0], keys[0])

    def leave_out(self, shipped: bool, where: str, reason: str) -> None:
        """Skip an entry the document has no place for: quietly if shipped (listed with -v), else fail.

        The shipped files describe every Mastra release; a user's file describes the user's
        server, so an entry that does not fit it is a typo or a renamed route.
        """
        if not shipped:
            raise CodegenError(where, reason)
        self.skipped.append(SkippedOverride(where, reason))

    def leave_out_part(self, keys: tuple[str, ...], reason: str) -> None:
        """``leave_out`` for a part of an operation entry (``(op key, "params", name)``...)."""
        self.leave_out(keys in self.shipped_parts, self.where(*keys), reason)


def shipped_override_files() -> list[Path]:
    folder = resources.files("mastra_codegen.shipped_overrides")
    return sorted(Path(str(p)) for p in folder.iterdir() if str(p).endswith((".yaml", ".yml")))


def load_overrides(paths: list[Path], shipped: list[Path] | None = None) -> Overrides:
    """Merge the shipped files, then the user's ``paths`` on top."""
    merged = Overrides()
    for path in shipped or []:
        _merge(merged, _load_located(path, composer=SHIPPED_COMPOSER), shipped=True)
    for path in paths:
        _merge(merged, _load_located(path), shipped=False)
    return merged


# libyaml parses the shipped files (every run reads them) 8x faster than PyYAML's Python parser.
# It accepts some text that PyYAML refuses (tabs in plain scalars, '?' inside flow scalars), so
# the user's files keep PyYAML's parser; for the shipped files, tests/unit/test_overrides_yaml.py
# checks that both give the same data and lines.
SHIPPED_COMPOSER: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = (
    yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
)


def _load_located(path: Path, composer: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = yaml.SafeLoader) -> Located:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CodegenError(str(path), f"cannot read overrides: {exc.strerror or exc}") from None
    try:
        node = yaml.compose(text, Loader=composer)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise CodegenError(where, f"invalid YAML: {exc.problem or exc}") from None
    lines: dict[tuple[str, ...], int] = {}
    # One loader builds every scalar (a new one per scalar was a third of the time): only
    # scalars reach it, and their values are immutable, so sharing its cache changes nothing.
    scalars = yaml.SafeLoader("")
    data = _construct(node, (), lines, scalars) if node is not None else {}
    if not isinstance(data, dict):
        raise CodegenError(f"{path}:1", "an overrides file must be a mapping")
    return Located(str(path), data, lines)


def _construct(
    node: yaml.Node, keys: tuple[str, ...], lines: dict[tuple[str, ...], int], scalars: yaml.SafeLoader
) -> Any:
    lines.setdefault(keys, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            # scalars only: keys are names and routes
            key = str(scalars.construct_scalar(key_node)) if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            lines[(*keys, key)] = key_node.start_mark.line + 1
            out[key] = _construct(value_node, (*keys, key), lines, scalars)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(v, (*keys, str(i)), lines, scalars) for i, v in enumerate(node.value)]
    return scalars.construct_object(node, deep=True)


def _merge(merged: Overrides, file: Located, shipped: bool) -> None:
    data = file.data
    for key in data:
        if key not in _TOP_KEYS:
            raise CodegenError(
                file.at(key),
                f"unknown key {key!r} (expected one of {', '.join(sorted(_TOP_KEYS))})",
            )
    for tag, name in (data.get("groups") or {}).items():
        if not is_python_name(name):
            raise CodegenError(file.at("groups", tag), f"group name for {tag!r} must be a Python identifier")
        merged.groups[tag] = name
        merged.group_origin[tag] = file.at("groups", tag)
        _note_origin(merged.shipped_groups, {tag: name}, shipped)
    integers = data.get("integers") or []
    if not isinstance(integers, list) or not all(isinstance(p, str) and p for p in integers):
        raise CodegenError(file.at("integers"), "integers is a list of property names (shell patterns: *Count)")
    merged.integers.extend(p for p in integers if p not in merged.integers)
    _note_origin(merged.shipped_integers, dict.fromkeys(integers), shipped)
    for op_key, body in (data.get("operations") or {}).items():
        _check_operation_key(file, ("operations", op_key), op_key)
        if not isinstance(body, dict):
            raise CodegenError(file.at("operations", op_key), "must be a mapping")
        for key, value in body.items():
            expected = _OPERATION_KEYS.get(key)
            if expected is None:
                raise CodegenError(file.at("operations", op_key, key), f"unknown operation override {key!r}")
            if not isinstance(value, expected):
                kinds = " or ".join(t.__name__ for t in (expected if isinstance(expected, tuple) else (expected,)))
                raise CodegenError(file.at("operations", op_key, key), f"{key!r} must be a {kinds}")
        if body.get("request_context", "query") not in _REQUEST_CONTEXT_PLACES:
            raise CodegenError(
                file.at("operations", op_key, "request_context"),
                f"request_context must be one of {', '.join(sorted(_REQUEST_CONTEXT_PLACES))}",
            )
        if "stream" in body:
            body = {**body, "stream": _stream(file, ("operations", op_key, "stream"), body["stream"])}
        if "resume" in body:
            body = {**body, "resume": _resume(file, ("operations", op_key, "resume"), body["resume"])}
        if "paginate" in body:
            body = {**body, "paginate": _paginate(file, ("operations", op_key, "paginate"), body["paginate"])}
        for key in ("name", "group"):
            if key in body and not is_python_name(body[key]):
                raise CodegenError(file.at("operations", op_key, key), f"{key} must be a Python identifier")
        describe = body.get("describe") or {}
        for name, text in describe.items():
            if not isinstance(name, str) or not isinstance(text, str) or not text.strip():
                raise CodegenError(
                    file.at("operations", op_key, "describe", str(name)), "describe maps a parameter to its text"
                )
        entry = merged.operations.setdefault(op_key, {})
        if describe:  # a later file's descriptions add to an earlier file's
            body = {**body, "describe": {**entry.get("describe", {}), **describe}}
        entry.update(copy.deepcopy(body))
        merged.origin[op_key] = file.at("operations", op_key)
        for part in _parts(body):
            merged.part_origin[(op_key, *part)] = file.at("operations", op_key, *part)
            if shipped:
                merged.shipped_parts.add((op_key, *part))
            else:
                merged.shipped_parts.discard((op_key, *part))
        if shipped:
            merged.shipped_keys.add(op_key)
        else:
            merged.shipped_keys.discard(op_key)
    for op_key, body in (data.get("add_operations") or {}).items():
        _check_operation_key(file, ("add_operations", op_key), op_key)
        if not isinstance(body, dict):
            raise CodegenError(file.at("add_operations", op_key), "must be an OpenAPI operation mapping")
        merged.added[op_key] = copy.deepcopy(body)
        merged.origin[op_key] = file.at("add_operations", op_key)
        if shipped:
            merged.shipped_added.add(op_key)
        else:
            merged.shipped_added.discard(op_key)
    components = data.get("components") or {}
    if not isinstance(components, dict):
        raise CodegenError(file.at("components"), "must be a mapping of schema name to schema")
    merged.components.update(copy.deepcopy(components))
    merged.component_origin.update({name: file.at("components", name) for name in components})
    _note_origin(merged.shipped_components, components, shipped)
    chunks = data.get("chunks") or {}
    if not isinstance(chunks, dict):
        raise CodegenError(file.at("chunks"), "must be a mapping of union name to chunk union")
    for name, body in chunks.items():
        merged.chunks[name] = _chunk_union(file, name, body)
    _note_origin(merged.shipped_chunks, chunks, shipped)
    for name, body in (data.get("resources") or {}).items():
        spec = _resource(file, name, body, shipped)
        earlier = merged.resources.get(name)
        merged.resources[name] = spec if earlier is None else _layer_resource(earlier, spec, body)
    for name, body in (data.get("client") or {}).items():
        merged.client_methods[name] = _method(file, ("client", name), name, body, shipped)


def _parts(body: dict[str, Any]) -> list[tuple[str, ...]]:
    """The separately skippable parts of an operation entry: each key, and each patched parameter."""
    parts: list[tuple[str, ...]] = [(key,) for key in body]
    for key in ("params", "describe"):
        names = body.get(key)
        if isinstance(names, dict):
            parts.extend((key, str(name)) for name in names)
    return parts


def _note_origin(shipped_names: set[str], names: dict[str, Any], shipped: bool) -> None:
    """A name a user's file (re)defines is the user's from then on."""
    if shipped:
        shipped_names.update(names)
    else:
        shipped_names.difference_update(names)


def for_document(document: dict[str, Any], overrides: Overrides) -> Overrides:
    """The overrides that apply to ``document``: shipped entries for routes it lacks are dropped.

    The shipped files describe Mastra's whole route table. A document without a route (an older
    server, or not a Mastra server at all) keeps none of the shipped patches for it, nor the
    shipped components and chunk unions that only those patches used, so they can neither clash
    with the document's own schema names nor add unused models. Everything from a user's file
    stays (and a patch for a missing route is an error later, in ``apply_to_document``).
    """
    present: set[str] = set()
    for path, item in (document.get("paths") or {}).items():
        if isinstance(item, dict):
            present.update(f"{method.upper()} {path}" for method in item if method.upper() in _METHODS)
    is_mastra = bool(present & overrides.shipped_keys)
    added = {k: v for k, v in overrides.added.items() if is_mastra or k not in overrides.shipped_added}
    present.update(added)
    skipped: list[SkippedOverride] = []
    operations: dict[str, dict[str, Any]] = {}
    for key, patch in overrides.operations.items():
        if key in present or key not in overrides.shipped_keys:
            operations[key] = patch
        else:
            skipped.append(SkippedOverride(overrides.origin[key], f"'{key}' is not a route of this spec"))
    union_of_class = {
        cls: name
        for name, union in overrides.chunks.items()
        for cls in [*(t.name for t in union.types), union.fallback]
    }
    pending: list[str] = [n for n in overrides.components if n not in overrides.shipped_components]
    unions: set[str] = {n for n in overrides.chunks if n not in overrides.shipped_chunks}
    components: set[str] = set()
    for patch in operations.values():
        pending.extend(schema_names_in(patch))
        stream = patch.get("stream")
        if isinstance(stream, StreamOverride) and stream.chunks is not None:
            unions.add(stream.chunks)
    for operation in added.values():
        pending.extend(schema_names_in(operation))
    for method in [*(m for r in overrides.resources.values() for m in r.methods), *overrides.client_methods.values()]:
        if method.jsonrpc is not None and method.operation in present:
            pending.extend(method.jsonrpc.result)  # the type of a JSON-RPC result the spec has the route for
        if method.stream is not None and method.stream.chunks is not None and method.operation in present:
            unions.add(method.stream.chunks)  # the events of a stream the method opens itself
    for resource in overrides.resources.values():  # a result adapter's model, where its route is
        pending.extend(
            m.result["model"] for m in resource.methods if m.result and "model" in m.result and m.operation in present
        )
    for union_name in list(unions):
        pending.extend(_union_refs(overrides, union_name))
    while pending:
        name = pending.pop()
        if name in overrides.components and name not in components:
            components.add(name)
            pending.extend(schema_names_in(overrides.components[name]))
        elif name in union_of_class and union_of_class[name] not in unions:
            unions.add(union_of_class[name])
            pending.extend(_union_refs(overrides, union_of_class[name]))
    for name in sorted(overrides.shipped_components - components):
        where = overrides.component_origin.get(name, name)
        skipped.append(SkippedOverride(where, f"component {name!r}: nothing of this spec uses it"))
    for name in sorted(overrides.chunks.keys() - unions):
        skipped.append(SkippedOverride(overrides.chunks[name].where, f"chunk union {name!r}: no stream of this spec"))
    tags = _document_tags(document)
    for tag in sorted(overrides.shipped_groups - tags):
        skipped.append(SkippedOverride(overrides.group_origin[tag], f"group of tag {tag!r}: no operation has it"))
    pruned = copy.copy(overrides)
    pruned.added = added
    pruned.operations = operations
    pruned.components = {k: v for k, v in overrides.components.items() if k in components}
    pruned.chunks = {k: v for k, v in overrides.chunks.items() if k in unions}
    pruned.skipped = skipped
    # The shipped patterns describe Mastra's fields: another document's ``total`` may be an amount.
    pruned.integers = [p for p in overrides.integers if is_mastra or p not in overrides.shipped_integers]
    return pruned


def _document_tags(document: dict[str, Any]) -> set[str]:
    """The first tag of every operation: the one that names its group."""
    tags: set[str] = set()
    for item in (document.get("paths") or {}).values():
        for method, op in item.items() if isinstance(item, dict) else ():
            if method.upper() in _METHODS and isinstance(op, dict) and isinstance(op.get("tags"), list) and op["tags"]:
                tags.add(str(op["tags"][0]))
    return tags


def _union_refs(overrides: Overrides, name: str) -> list[str]:
    union = overrides.chunks.get(name)
    if union is None:
        return []
    schemas = [*(t.schema for t in union.types), union.fallback_schema]
    return [ref for schema in schemas for ref in schema_names_in(schema)]


def _stream(file: Located, keys: tuple[str, ...], value: Any) -> StreamOverride:
    """``stream: sse`` (framing only) or a mapping with the chunk union and the end rules."""
    spec = {"framing": value} if isinstance(value, str) else value
    _check_keys(file, keys, spec, _STREAM_KEYS, "stream")
    framing = spec.get("framing")
    if framing not in _STREAM_FORMATS:
        raise CodegenError(
            file.at(*keys, "framing") if isinstance(value, dict) else file.at(*keys),
            f"unknown stream format {framing!r} (expected one of {', '.join(sorted(_STREAM_FORMATS))})",
        )
    view = spec.get("view", "events")
    if view not in _STREAM_VIEWS:
        raise CodegenError(
            file.at(*keys, "view"), f"unknown stream view {view!r} (expected one of {', '.join(sorted(_STREAM_VIEWS))})"
        )
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("finish", "pause", "errors"):
        items = spec.get(key) or []
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise CodegenError(file.at(*keys, key), f"{key!r} must be a list of chunk types")
        lists[key] = tuple(items)
    for key in ("chunks", "done"):
        if spec.get(key) is not None and not isinstance(spec[key], str):
            raise CodegenError(file.at(*keys, key), f"{key!r} must be a string")
    done = spec.get("done", "[DONE]" if framing == "sse" and isinstance(value, str) else None)
    return StreamOverride(
        framing=framing,
        chunks=spec.get("chunks"),
        done=done,
        finish=lists["finish"],
        pause=lists["pause"],
        errors=lists["errors"],
        view=view,
        reconnect=bool(spec.get("reconnect", False)),
        long_lived=bool(spec.get("long_lived", False)),
        final=_final_field(file, keys, spec.get("final", "")),
    )


def _final_field(file: Located, keys: tuple[str, ...], value: Any) -> str:
    if not isinstance(value, str) or (value and not value.replace("_", "").isalnum()):
        raise CodegenError(file.at(*keys, "final"), "final names the boolean field that marks the last event")
    return value


def _resume(file: Located, keys: tuple[str, ...], value: dict[str, Any]) -> ResumeOverride:
    """``resume: {via: POST /workflows/{workflowId}/observe, run_id: runId, offset: offset}``."""
    _check_keys(file, keys, value, _RESUME_KEYS, "resume")
    for key in ("via", "run_id", "offset"):
        if not isinstance(value.get(key), str) or not value[key]:
            raise CodegenError(file.at(*keys, key) if key in value else file.at(*keys), f"resume needs {key!r}")
    _check_operation_key(file, (*keys, "via"), value["via"])
    starts_run = value.get("starts_run", True)
    if not isinstance(starts_run, bool):
        raise CodegenError(file.at(*keys, "starts_run"), "'starts_run' must be true or false")
    return ResumeOverride(
        via=value["via"],
        run_id=value["run_id"],
        offset=value["offset"],
        starts_run=starts_run,
        where=file.at(*keys),
    )


def _paginate(file: Located, keys: tuple[str, ...], value: dict[str, Any] | bool) -> PaginateOverride:
    """``paginate: false``, or ``{items: threads, style: page, first: 0}`` (each optional)."""
    if isinstance(value, bool):
        return PaginateOverride(enabled=value)
    _check_keys(file, keys, value, _PAGINATE_KEYS, "paginate")
    items, style, first = value.get("items"), value.get("style"), value.get("first")
    if items is not None and not isinstance(items, str):
        raise CodegenError(file.at(*keys, "items"), "'items' must be the name of the answer's array field")
    if style is not None and style not in ("page", "offset"):
        raise CodegenError(file.at(*keys, "style"), f"unknown paging style {style!r} (expected page or offset)")
    if first is not None and (not isinstance(first, int) or isinstance(first, bool) or first < 0):
        raise CodegenError(file.at(*keys, "first"), "'first' must be a page number >= 0")
    return PaginateOverride(enabled=True, items=items, style=style, first=first)


def _check_keys(file: Located, keys: tuple[str, ...], value: dict[str, Any], allowed: set[str], what: str) -> None:
    for key in value:
        if key not in allowed:
            raise CodegenError(
                file.at(*keys, key), f"unknown {what} key {key!r} (expected one of {', '.join(sorted(allowed))})"
            )


def _chunk_union(file: Located, name: str, body: Any) -> ChunkUnion:
    where = ("chunks", name)
    if not is_python_name(name) or not isinstance(body, dict):
        raise CodegenError(file.at(*where), "a chunk union is a class name mapped to a mapping")
    _check_keys(file, where, body, _CHUNK_UNION_KEYS, "chunk union")
    discriminator = body.get("discriminator", "type")
    envelope = body.get("envelope") or {}
    if not isinstance(discriminator, str) or not isinstance(envelope, dict):
        raise CodegenError(file.at(*where), "discriminator is a field name, envelope a mapping of fields")
    suffix = _last_word(name)
    fallback = body.get("fallback") or f"Other{name}"
    if not is_python_name(fallback):
        raise CodegenError(file.at(*where, "fallback"), "fallback must be a class name")
    usage = body.get("usage") or ""
    if usage and not is_python_name(usage):
        raise CodegenError(file.at(*where, "usage"), "usage must be the name of a component (a model)")
    types = body.get("types") or {}
    if not isinstance(types, dict) or not types:
        raise CodegenError(file.at(*where, "types"), "types maps each chunk type to its payload")
    out: list[ChunkType] = []
    for tag, spec in types.items():
        at = file.at(*where, "types", tag)
        if spec is None or not isinstance(spec, dict) or not ({"payload", "fields"} & set(spec)):
            raise CodegenError(at, f"chunk type {tag!r} has no model: give it a payload or fields schema")
        _check_keys(file, (*where, "types", tag), spec, _CHUNK_TYPE_KEYS, "chunk type")
        class_name = spec.get("name") or _class_for(tag, suffix)
        if not is_python_name(class_name):
            raise CodegenError(at, f"chunk type {tag!r} needs a 'name:' (a Python class name)")
        properties: dict[str, Any] = {discriminator: {"const": tag, "type": "string"}, **copy.deepcopy(envelope)}
        if "payload" in spec:
            properties["payload"] = copy.deepcopy(spec["payload"])
        fields = spec.get("fields") or {}
        if not isinstance(fields, dict):
            raise CodegenError(file.at(*where, "types", tag, "fields"), "fields maps field names to schemas")
        properties.update(copy.deepcopy(fields))
        schema: dict[str, Any] = {
            "type": "object",
            "additionalProperties": True,
            "required": [discriminator] + (["payload"] if "payload" in spec else []),
            "properties": properties,
            "description": str(spec.get("description") or f"A ``{tag}`` chunk."),
        }
        out.append(ChunkType(tag=str(tag), name=class_name, schema=schema, where=at))
    names = [t.name for t in out] + [fallback, name]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate:
        raise CodegenError(file.at(*where), f"two chunk classes are named {duplicate!r}: give one a 'name:'")
    fallback_schema = {
        "type": "object",
        "additionalProperties": True,
        "properties": {discriminator: {"type": "string"}, **copy.deepcopy(envelope), "payload": {}},
        "description": f"A chunk of a type this client does not know (newer server, or ``data-*``): "
        f"every field is kept. Known types: {', '.join(t.tag for t in out)}.",
    }
    return ChunkUnion(
        name=name,
        discriminator=discriminator,
        types=out,
        fallback=fallback,
        fallback_schema=fallback_schema,
        description=str(body.get("description") or ""),
        where=file.at(*where),
        usage=str(usage),
    )


def _last_word(name: str) -> str:
    """``AgentChunk`` -> ``Chunk``: variants are named like their union (TextDeltaChunk)."""
    for index in range(len(name) - 1, 0, -1):
        if name[index].isupper():
            return name[index:]
    return name


def _class_for(tag: str, suffix: str) -> str:
    words = [w for w in "".join(c if c.isalnum() else " " for c in tag).split() if w]
    stem = "".join(w[:1].upper() + w[1:] for w in words)
    if stem[:1].isdigit():
        stem = "T" + stem
    return stem if stem.endswith(suffix) else stem + suffix


def _check_operation_key(file: Located, keys: tuple[str, ...], op_key: str) -> None:
    method, _, path = op_key.partition(" ")
    if method not in _METHODS or not path.startswith("/"):
        raise CodegenError(file.at(*keys), f"{op_key!r} is not 'METHOD /path'")


def _resource(file: Located, name: str, body: Any, shipped: bool) -> ResourceSpec:
    where = ("resources", name)
    if not is_python_name(name) or not isinstance(body, dict):
        raise CodegenError(file.at(*where), "a resource is an identifier mapped to a mapping")
    params = body.get("params") or {}
    if not isinstance(params, dict) or not all(is_python_name(v) for v in params.values()):
        raise CodegenError(file.at(*where, "params"), "params maps spec parameter names to Python names")
    accessor = body.get("accessor")
    if accessor is not None and not is_python_name(accessor):
        raise CodegenError(file.at(*where, "accessor"), "accessor must be a Python identifier")
    unknown = sorted(set(body) - _RESOURCE_KEYS)
    if unknown:
        raise CodegenError(
            file.at(*where, unknown[0]),
            f"unknown resource key {unknown[0]!r} (expected one of {', '.join(sorted(_RESOURCE_KEYS))})",
        )
    parent = body.get("parent")
    if parent is not None and (not is_python_name(parent) or accessor is None):
        raise CodegenError(file.at(*where, "parent"), "parent names a resource, and needs an accessor on it")
    aliases = body.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) and is_python_name(a) for a in aliases):
        raise CodegenError(file.at(*where, "aliases"), "aliases is a list of Python class names")
    selectors = body.get("selectors") or {}
    if not isinstance(selectors, dict) or not all(
        isinstance(k, str) and is_python_name(k) and isinstance(v, str) for k, v in selectors.items()
    ):
        raise CodegenError(file.at(*where, "selectors"), "selectors maps Python names to what they select")
    methods = [
        _method(file, (*where, "methods", m), m, spec, shipped) for m, spec in (body.get("methods") or {}).items()
    ]
    return ResourceSpec(
        name=name,
        accessor=accessor,
        params=dict(params),
        optional=list(body.get("optional") or []),
        methods=methods,
        doc=str(body.get("doc") or ""),
        where=file.at(*where),
        parent=parent,
        aliases=list(aliases),
        selectors=dict(selectors),
    )


def _layer_resource(earlier: ResourceSpec, later: ResourceSpec, body: dict[str, Any]) -> ResourceSpec:
    """A later file's entry for a resource: its keys win, its methods add to (or replace) the earlier's."""
    methods = {m.name: m for m in earlier.methods}
    methods.update({m.name: m for m in later.methods})
    return ResourceSpec(
        name=later.name,
        accessor=later.accessor if "accessor" in body else earlier.accessor,
        params=later.params if "params" in body else earlier.params,
        optional=later.optional if "optional" in body else earlier.optional,
        methods=list(methods.values()),
        doc=later.doc if "doc" in body else earlier.doc,
        where=later.where if "params" in body else earlier.where,
        parent=later.parent if "parent" in body else earlier.parent,
        aliases=later.aliases if "aliases" in body else earlier.aliases,
        selectors=later.selectors if "selectors" in body else earlier.selectors,
    )


def _method(file: Located, keys: tuple[str, ...], name: str, spec: Any, shipped: bool) -> ResourceMethod:
    if not is_python_name(name):
        raise CodegenError(file.at(*keys), f"{name!r} is not a Python identifier")
    if isinstance(spec, str):
        spec = {"operation": spec}
    if not isinstance(spec, dict) or not isinstance(spec.get("operation"), str):
        raise CodegenError(file.at(*keys), "needs 'operation: METHOD /path'")
    _check_operation_key(file, (*keys, "operation"), spec["operation"])
    fixed = spec.get("fixed") or {}
    if not isinstance(fixed, dict) or not all(isinstance(k, str) for k in fixed):
        raise CodegenError(file.at(*keys, "fixed"), "needs a mapping of parameter names to values")
    headers = spec.get("headers") or {}
    if not isinstance(headers, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items()):
        raise CodegenError(file.at(*keys, "headers"), "headers maps header names to string values")
    result = spec.get("result")
    if result is not None:
        if not isinstance(result, dict) or not set(result) <= _RESULT_KEYS or "adapter" not in result:
            raise CodegenError(file.at(*keys, "result"), "needs {adapter: NAME, model: COMPONENT}")
        if result["adapter"] not in RESULT_ADAPTERS:
            raise CodegenError(
                file.at(*keys, "result", "adapter"),
                f"unknown result adapter {result['adapter']!r} (one of {', '.join(sorted(RESULT_ADAPTERS))})",
            )
    stream = _stream(file, (*keys, "stream"), spec["stream"]) if "stream" in spec else None
    return ResourceMethod(
        stream=stream,
        headers=dict(headers),
        jsonrpc=_jsonrpc(file, (*keys, "jsonrpc"), spec["jsonrpc"]) if "jsonrpc" in spec else None,
        name=name,
        operation=spec["operation"],
        positional=list(spec.get("positional") or []),
        coerce=dict(spec.get("coerce") or {}),
        returns=spec.get("returns"),
        fixed=dict(fixed),
        result={str(k): str(v) for k, v in result.items()} if result else None,
        where=file.at(*keys),
        shipped=shipped,
    )


def _jsonrpc(file: Located, keys: tuple[str, ...], value: Any) -> JsonRpcCall:
    if isinstance(value, str):
        value = {"method": value}
    if not isinstance(value, dict) or not isinstance(value.get("method"), str) or not value["method"]:
        raise CodegenError(file.at(*keys), "jsonrpc needs 'method:' (the JSON-RPC method name)")
    _check_keys(file, keys, value, {"method", "params", "optional", "result"}, "jsonrpc")
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("params", "optional"):
        names = value.get(key) or []
        if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
            raise CodegenError(file.at(*keys, key), f"{key} is a list of member names of the params object")
        lists[key] = tuple(names)
    both = set(lists["params"]) & set(lists["optional"])
    if both:
        raise CodegenError(file.at(*keys, "optional"), f"{sorted(both)[0]!r} is both required and optional")
    result = value.get("result")
    names = [result] if isinstance(result, str) else result
    if result is not None and not (
        isinstance(names, list) and names and all(isinstance(n, str) and is_python_name(n) for n in names)
    ):
        raise CodegenError(file.at(*keys, "result"), "result names a component, or lists components (a union)")
    return JsonRpcCall(
        method=value["method"],
        params=lists["params"],
        optional=lists["optional"],
        result=tuple(names) if result is not None else (),
    )


def apply_to_document(document: dict[str, Any], overrides: Overrides) -> dict[str, Any]:
    """Patch the raw document: added routes, replaced schemas, parameter fixes.

    Errors name the override entry; an override for a route the document lacks is an error
    (it is almost always a typo or a route renamed by a server upgrade).
    """
    doc = copy.copy(document)
    paths = {k: dict(v) if isinstance(v, dict) else v for k, v in (doc.get("paths") or {}).items()}
    doc["paths"] = paths
    for op_key, operation in sorted(overrides.added.items()):
        method, _, path = op_key.partition(" ")
        item = paths.setdefault(path, {})
        if method.lower() not in item:  # a document that already serves the route wins
            item[method.lower()] = operation
    if overrides.components or overrides.chunks:
        comps = dict(doc.get("components") or {})
        schemas = dict(comps.get("schemas") or {})
        schemas.update(overrides.components)
        schemas.update(_chunk_components(overrides, taken=schemas))
        comps["schemas"] = schemas
        doc["components"] = comps
    for op_key, patch in sorted(overrides.operations.items()):
        method, _, path = op_key.partition(" ")
        item = paths.get(path)
        if not isinstance(item, dict) or method.lower() not in item:
            if op_key in overrides.shipped_keys:
                continue
            raise CodegenError(overrides.origin[op_key], f"operation '{op_key}' is not in the spec")
        op = dict(item[method.lower()])
        item[method.lower()] = op
        if "response" in patch:
            responses = dict(op.get("responses") or {})
            ok = next((s for s in sorted(responses) if str(s).startswith("2")), "200")
            response = dict(responses.get(ok) or {"description": "Successful response"})
            response["content"] = {"application/json": {"schema": patch["response"]}}
            responses[ok] = response
            op["responses"] = responses
        if "request_body" in patch:
            op["requestBody"] = {
                "required": True,
                "content": {patch.get("request_media", "application/json"): {"schema": patch["request_body"]}},
            }
        for key in ("summary", "description", "deprecated", "tags"):
            if key in patch:
                op[key] = patch[key]
        if patch.get("params"):
            op["parameters"] = _patch_params(op.get("parameters") or [], patch["params"], overrides, op_key)
        if patch.get("request_context") == "query":
            op["parameters"] = _with_request_context_query(op.get("parameters") or [])
    return doc


def _with_request_context_query(params: list[Any]) -> list[Any]:
    """Add the ``requestContext`` query parameter (base64 JSON) unless the route declares one."""
    if any(isinstance(p, dict) and p.get("name") == REQUEST_CONTEXT_PARAM and p.get("in") == "query" for p in params):
        return params
    added = {
        "name": REQUEST_CONTEXT_PARAM,
        "in": "query",
        "required": False,
        "description": "Values for the server's request context (dynamic agents, tenants), sent as"
        " base64 of their JSON.",
        "schema": {"type": "object", "additionalProperties": True},
        BASE64_JSON: True,
    }
    return [*params, added]


def _chunk_components(overrides: Overrides, taken: dict[str, Any]) -> dict[str, Any]:
    """The model of every chunk variant and fallback, to add to the document's components."""
    out: dict[str, Any] = {}
    for name in sorted(overrides.chunks):
        union = overrides.chunks[name]
        classes = {t.name: t.schema for t in union.types}
        classes[union.fallback] = union.fallback_schema
        for class_name, schema in classes.items():
            if class_name in taken:
                raise CodegenError(union.where, f"chunk class {class_name!r} is already a schema of the document")
            if class_name in out:
                raise CodegenError(union.where, f"two chunk unions define the class {class_name!r}")
            out[class_name] = schema
    return out


def _patch_params(params: list[Any], patch: dict[str, Any], overrides: Overrides, op_key: str) -> list[Any]:
    out = [dict(p) if isinstance(p, dict) else p for p in params]
    for name, change in patch.items():
        if not isinstance(change, dict):
            raise CodegenError(
                overrides.where(op_key, "params", name), f"the patch of parameter {name!r} must be a mapping"
            )
        matches = [p for p in out if isinstance(p, dict) and p.get("name") == name]
        if not matches:
            overrides.leave_out_part((op_key, "params", name), f"parameter {name!r} is not a parameter of '{op_key}'")
            continue
        for param in matches:
            param.update(change)
    return out
