"""The intermediate model: the only thing templates see.

Plain dataclasses, built from the normalized document plus overrides by
``build.py``. Type annotations are already rendered to Python source strings
here, so templates never reason about JSON Schema.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .naming import iterator_name
from .pysource import fstring_path


@dataclass(frozen=True)
class Param:
    """One keyword argument of a generated method."""

    name: str  # name on the wire (JSON / query / path)
    py_name: str  # Python keyword
    location: str  # path | query | header | cookie | body
    annotation: str  # Python type accepted from the caller
    required: bool
    description: str = ""
    json_encoded: bool = False  # query objects and arrays travel as JSON strings (Mastra)
    base64_json: bool = False  # ...or as base64 of that JSON (the request context on reads)
    # OpenAPI style and explode; "" where the document gives neither (a query parameter then
    # follows Mastra's convention: objects and arrays as JSON). Form fields: from ``encoding``.
    style: str = ""
    explode: bool = False
    file: str = ""  # multipart field taking a file ("one") or a list of files ("many")
    positional: bool = False  # facade methods may take it positionally
    coerce: str = ""  # name of a runtime adapter applied before sending (e.g. "messages")
    type_label: str = ""  # the JSON Schema type in short (surface.schema_label): what `diff` compares


@dataclass(frozen=True)
class ChunkUnionModel:
    """A stream's chunk union: typed variants by discriminator value, and a fallback."""

    name: str  # type alias in models: AgentChunk
    codec: str  # constant in the generated _chunks module: AGENT_CHUNK
    discriminator: str
    variants: tuple[tuple[str, str], ...]  # (discriminator value, class name)
    fallback: str
    usage: str = ""  # model of a finish chunk's token usage (agent streams), "" if not given


_STREAM_CLASSES = {"agent": "AgentStream", "workflow": "WorkflowStream"}
_VIEW_CLASSES = {"agent": "AgentView", "workflow": "WorkflowView"}


@dataclass(frozen=True)
class ResumeSpec:
    """How a dropped stream continues: another route (the run's observe) from an offset."""

    method: str
    path_expression: str  # f-string body over the streaming operation's own path parameters
    run_id: tuple[str, str]  # (query | body, wire name) of the run id in the observe request
    offset: tuple[str, str]  # (query | body, wire name) of the offset
    starts_run: bool  # the stream's events are the run's from index 0
    run_id_param: str | None  # py name of the streaming operation's own run id parameter


@dataclass(frozen=True)
class StreamSpec:
    """How a streaming operation is read: framing, chunk types, and its end."""

    framing: str  # sse | records | ndjson
    union: ChunkUnionModel | None
    done: str | None
    finish: tuple[str, ...]
    pause: tuple[str, ...]
    errors: tuple[str, ...]
    view: str  # events | agent | workflow
    reconnect: bool
    long_lived: bool = False  # no idle timeout by default (a subscription)
    resume: ResumeSpec | None = None
    final: str = ""  # a boolean field of an event that, true, marks the last one
    envelope: str = ""  # "jsonrpc": each frame is a JSON-RPC response carrying the event
    structured: bool = False  # the operation takes a structured_output model: it types the result's object

    @property
    def stream_class(self) -> str:
        return _STREAM_CLASSES.get(self.view, "Stream")

    @property
    def view_class(self) -> str:
        return _VIEW_CLASSES.get(self.view, "EventView")

    @property
    def chunk_annotation(self) -> str:
        return f"_models.{self.union.name}" if self.union is not None else "Any"

    @property
    def usage_model(self) -> str:
        """The model an agent stream builds its token usage into (``None``: the dict as sent)."""
        return f"_models.{self.union.usage}" if self.union is not None and self.union.usage else "None"

    def annotation(self, prefix: str) -> str:
        """The stream's type: an agent stream's usage and structured output are typed too."""
        params = [self.chunk_annotation]
        if self.view == "agent":
            params.append(self.usage_model if self.usage_model != "None" else "Any")
            params += ["ModelT"] if self.structured else []
        return f"{prefix}{self.stream_class}[{', '.join(params)}]"


@dataclass(frozen=True)
class Pagination:
    """A list operation whose pages an ``iter_*`` method walks."""

    style: str  # page (page number and size) | offset (offset and limit)
    position: str  # py name of the page or offset parameter
    size: str | None  # py name of the page size / limit parameter
    first: int  # first page number when the caller gives none (0 or 1)
    items: str | None  # wire name of the array field in the answer; None: the answer is the array
    item_annotation: str  # Python type of one item
    method_name: str  # iter_threads


@dataclass(frozen=True)
class Operation:
    """One HTTP operation, ready to render as a method."""

    method: str  # GET, POST, ...
    path: str  # /agents/{agentId}
    key: str  # "POST /agents/{agentId}/generate"
    py_name: str  # name inside its group
    group: str  # attribute on the client: client.agents
    summary: str
    description: str
    deprecated: bool
    params: tuple[Param, ...]  # path first, then query, header, then body fields
    body_model: str | None  # request model class the flattened body is checked with
    # none | fields (flattened JSON) | whole (one `body` argument, JSON) | raw (bytes, body_media)
    # | form / multipart (flattened fields) | form_whole / multipart_whole (one mapping)
    body_kind: str
    body_required: bool
    returns: str  # Python annotation of the result
    return_parse: str  # model | adapter | raw | none
    return_model: str | None  # class or type expression used to parse
    stream: StreamSpec | None
    retry_safe: bool  # may be retried although the method is not idempotent
    error_body: bool  # a 200 body {"error": true} is an error
    models: tuple[str, ...]  # model names the method's annotations use
    client_tools: str | None = None  # py name of the parameter carrying client-side tools
    structured_output: str | None = None  # py name of the parameter that may be a pydantic model class
    object_model: str | None = None  # the result's model class, generic in its ``object`` (structured output)
    pagination: Pagination | None = None
    result_label: str = ""  # the 2xx schema in short (surface.schema_label); "" without one
    body_media: str = ""  # content type of a raw body
    deprecation: str = ""  # the DeprecationWarning's message, for a deprecated operation

    def returns_for(self, prefix: str) -> str:
        """The method's return annotation; ``prefix`` is ``"Async"`` in the asyncio client."""
        if self.stream is None:
            return self.returns
        return self.stream.annotation(prefix)

    @property
    def is_coroutine(self) -> bool:
        """Async methods are ``async def`` except streams, which return an async context manager."""
        return self.stream is None

    @property
    def path_params(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.location == "path")

    @property
    def query_params(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.location == "query")

    @property
    def header_params(self) -> tuple[Param, ...]:
        """Header and cookie parameters."""
        return tuple(p for p in self.params if p.location in ("header", "cookie"))

    @property
    def exploded_header_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.header_params if p.explode)

    @property
    def query_styles(self) -> tuple[tuple[str, str, bool], ...]:
        """``(wire name, style, explode)`` of the query parameters that declare a style."""
        return tuple((p.name, p.style, p.explode) for p in self.query_params if p.style)

    @property
    def form_styles(self) -> tuple[tuple[str, str, bool], ...]:
        """``(wire name, style, explode)`` of form fields the document's ``encoding`` styles."""
        return tuple((p.name, p.style, p.explode) for p in self.body_params if p.style)

    @property
    def file_fields(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.body_params if p.file == "one")

    @property
    def file_array_fields(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.body_params if p.file == "many")

    @property
    def body_params(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.location == "body")

    @property
    def json_query_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.query_params if p.json_encoded and not p.base64_json)

    @property
    def base64_json_query_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.query_params if p.base64_json)

    @property
    def path_expression(self) -> str:
        """An f-string body for the path, every parameter percent-encoded."""
        return fstring_path(self.path, {p.name: path_call(p) for p in self.path_params})


def path_call(param: Param) -> str:
    """``path_param(agent_id)``; with the parameter's style when it is not ``simple``."""
    if param.style in ("", "simple") and not param.explode:
        return f"path_param({param.py_name})"
    return f"path_param({param.py_name}, {param.style or 'simple'!r}, {param.explode}, {param.name!r})"


def signature_split(params: tuple[Param, ...] | list[Param]) -> tuple[tuple[Param, ...], tuple[Param, ...]]:
    """A method's arguments as its signature lists them: ``(before the *, after it)``.

    Path and positional parameters first, then required keywords, then optional ones. The
    method templates and api.md (package_docs.py) both order them here, so they agree.
    """
    first = tuple(p for p in params if p.location == "path" or p.positional)
    rest = [p for p in params if not (p.location == "path" or p.positional)]
    return first, tuple(p for p in rest if p.required) + tuple(p for p in rest if not p.required)


@dataclass(frozen=True)
class Group:
    """Operations of one area, rendered as one resource module (sync and async class)."""

    name: str  # client attribute and module name: agents
    class_name: str  # AgentsResource (AsyncAgentsResource is derived)
    title: str  # the tag as written
    operations: tuple[Operation, ...]
    description: str = ""  # the tag's description in the document's top-level ``tags``
    facade: str | None = None  # the facade class the client's attribute returns (it extends this)

    @property
    def view_members(self) -> tuple[tuple[str, bool], ...]:
        """The methods of its ``with_raw_response`` view: (name, wrapped: False for streams and iterators)."""
        pairs = [(op.py_name, op.stream is None) for op in self.operations]
        pairs += [(op.pagination.method_name, False) for op in self.operations if op.pagination]
        return _unique(pairs)


def facade_view_members(methods: tuple[FacadeMethod, ...] | list[FacadeMethod]) -> tuple[tuple[str, bool], ...]:
    """The facade methods of a ``with_raw_response`` view: (name, wrapped: False for streams and iterators)."""
    pairs = [(fm.name, fm.operation.stream is None) for fm in methods]
    pairs += [
        (fm.iterator_name, False)
        for fm in methods
        if fm.operation.pagination and not fm.returns_resource and fm.has_iterator
    ]
    return _unique(pairs)


def _unique(pairs: list[tuple[str, bool]]) -> tuple[tuple[str, bool], ...]:
    seen: dict[str, bool] = {}
    for name, wrapped in pairs:
        seen.setdefault(name, wrapped)
    return tuple(seen.items())


@dataclass(frozen=True)
class FacadeMethod:
    """A method of a hand-shaped resource (Agent.generate) delegating to one operation."""

    name: str
    operation: Operation
    bound: tuple[tuple[str, str, str], ...]  # (operation py param, resource attribute, plain|omit_none|require)
    params: tuple[Param, ...]  # the rest, in signature order
    returns_resource: str | None = None  # class name of a resource built from the result
    returns_bind: tuple[tuple[str, str], ...] = ()  # (resource attr, expression) for that resource
    opens_stream: bool = False  # the method opens its operation's route as a stream itself
    fixed: tuple[tuple[str, str], ...] = ()  # (operation py param, Python literal) always passed
    result_adapter: str = ""  # runtime RESULT_ADAPTERS entry applied to the answer
    result_model: str = ""  # model class (in ``models``) the adapted answer is validated into
    has_iterator: bool = True  # False: another method of the class already has this iterator
    # ``jsonrpc:``: the members of the JSON-RPC ``params`` object the method takes as keywords,
    # and the annotation of the unwrapped ``result`` ("" when the method is no JSON-RPC call)
    rpc_params: tuple[Param, ...] = ()
    rpc_result: str = ""
    rpc_method: str = ""  # the JSON-RPC method name
    rpc_path: str = ""  # f-string body of the route's path from the bound attributes
    headers: tuple[tuple[str, str], ...] = ()  # (name, value) always sent; the caller's extra_headers win

    def returns_for(self, prefix: str) -> str:
        """The method's return annotation on a facade class; ``prefix`` is ``"Async"`` in asyncio code."""
        if self.returns_resource:
            return prefix + self.returns_resource
        if self.operation.stream is not None:
            return self.operation.returns_for(prefix)
        if self.rpc_result:
            return self.rpc_result
        if self.result_model:
            return f"_models.{self.result_model}"
        if self.result_adapter:
            return "Any"
        return self.operation.returns_for(prefix)

    @property
    def iterator_name(self) -> str:
        """``runs`` gives ``iter_runs``, ``list_threads`` gives ``iter_threads``."""
        return iterator_name(self.name)


@dataclass(frozen=True)
class ResourceAccessor:
    """How a resource is reached: ``client.get_agent(agent_id)``, ``agent.voice``, ``controller.session(...)``."""

    name: str
    resource: str  # class name of the resource it returns
    params: tuple[tuple[str, str, bool], ...]  # attributes the caller passes (python name, annotation, required)
    inherited: tuple[str, ...] = ()  # attributes taken from the object it is reached from
    doc: str = ""
    param_docs: tuple[str, ...] = ()  # what each of ``params`` is, in the same order

    @property
    def is_property(self) -> bool:
        """Nothing to pass: ``client.responses``, ``agent.voice``."""
        return not self.params


@dataclass(frozen=True)
class Resource:
    """A client-js style object bound to ids: Agent, Workflow, WorkflowRun, MemoryThread..."""

    name: str
    attributes: tuple[tuple[str, str, bool], ...]  # (python name, annotation, required)
    accessor: str | None
    doc: str
    methods: tuple[FacadeMethod, ...]
    children: tuple[ResourceAccessor, ...] = ()  # resources reached from this one
    aliases: tuple[str, ...] = ()  # other names of the class
    parent: str | None = None
    selectors: tuple[str, ...] = ()  # attributes sent as query parameters on every call
    # The group it extends: ``client.responses`` is both the Responses facade and the group of
    # that name, so the facade subclasses the group's class and keeps its operations.
    group: Group | None = None
    attribute_docs: tuple[str, ...] = ()  # what each of ``attributes`` is, in the same order

    @property
    def view_members(self) -> tuple[tuple[str, bool], ...]:
        """The methods of its ``with_raw_response`` view, the operations of the group it extends too."""
        own = facade_view_members(self.methods)
        return _unique([*own, *(self.group.view_members if self.group else ())])

    @property
    def client_accessor(self) -> ResourceAccessor | None:
        """The client's method or property returning it (none for a child, one merged into a group)."""
        if self.accessor is None or self.parent is not None or self.group is not None:
            return None
        return ResourceAccessor(
            name=self.accessor, resource=self.name, params=self.attributes, doc=self.doc, param_docs=self.attribute_docs
        )


@dataclass(frozen=True)
class ModelModule:
    """One lazily imported module of pydantic models."""

    name: str  # module name inside models/ (agents, _shared)
    source: str  # Python source


@dataclass(frozen=True)
class ProjectInfo:
    """``--project``: the package also gets a ``pyproject.toml`` and installs as its own distribution."""

    name: str  # distribution name: mastra-client
    version: str  # also the package's __version__


@dataclass
class ClientModel:
    """Everything the templates render."""

    package: str
    generator_version: str
    spec_sha256: str
    spec_title: str
    spec_version: str
    groups: list[Group]
    resources: list[Resource]
    client_methods: list[FacadeMethod]
    model_modules: list[ModelModule]
    model_index: dict[str, str]  # class or alias name -> module
    chunk_unions: list[ChunkUnionModel] = field(default_factory=list)
    server_packages: dict[str, str] = field(default_factory=dict)  # @mastra/* versions of the server read
    project: ProjectInfo | None = None
    surface: dict[str, Any] = field(default_factory=dict)  # written as _api.json (see surface.py)
    app: Any = None  # --app: an app_model.AppModel (the typed workflows, tools and agents)

    @property
    def version(self) -> str:
        """The package's ``__version__``: the project version, else the generator's."""
        return self.project.version if self.project is not None else self.generator_version
