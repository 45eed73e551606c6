"""What the generated package's ``README.md`` and ``api.md`` say, built from the intermediate model.

The templates (``README.md.jinja``, ``api.md.jinja``) see only the ``PackageDocs`` made here.
Every signature in ``api.md`` takes its parameters, their annotations and its result from the
same IR fields the method templates render, so the reference cannot disagree with the code
(``tests/unit/test_package_docs.py`` checks it against the generated package). The README's
examples are calls the package really has: the facades of a Mastra document (``get_agent``,
``create_run``...), or the document's own operations when it has none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .ir import ClientModel, FacadeMethod, Group, Operation, Param, Resource, ResourceAccessor, signature_split
from .naming import snake

# Keyword arguments every generated method takes (templates/_macros.jinja: signature, call_kwargs).
# api.md describes them once instead of on each of its hundreds of lines.
COMMON_OPTIONS = (
    "extra_headers",
    "extra_query",
    "extra_body",
    "timeout",
    "max_retries",
    "max_response_bytes",
    "retry_unsafe",
    "strict_response_validation",
    "idle_timeout",
)

_MODELS_PREFIX = re.compile(r"\b_models\.")
_MODEL_NAME = re.compile(r"\b_models\.([A-Za-z_][A-Za-z0-9_]*)")


def display(annotation: str) -> str:
    """An annotation as a user writes it: model classes without the ``_models.`` module prefix."""
    return _MODELS_PREFIX.sub("", annotation)


@dataclass(frozen=True)
class ApiParam:
    """One argument of a documented method."""

    name: str
    annotation: str  # as the caller reads it (no ``_models.``); without ``| NotGiven``
    required: bool
    positional: bool  # before the ``*``
    default: str = "..."  # shown for an optional one: "..." (left out, not sent) or a literal

    @property
    def text(self) -> str:
        return f"{self.name}: {self.annotation}" + ("" if self.required else f" = {self.default}")


@dataclass(frozen=True)
class ApiEntry:
    """One line of api.md: ``client.agents.list_agents(*, partial: str = ...) -> ...``."""

    receiver: str  # client.agents, agent, client
    name: str
    params: tuple[ApiParam, ...]
    returns: str
    route: str = ""  # "GET /agents" (the operation it sends)
    is_property: bool = False  # reached without a call: client.responses, agent.voice

    @property
    def signature(self) -> str:
        """The call as one line, keyword-only arguments after ``*`` as in the code."""
        if self.is_property:
            return f"{self.receiver}.{self.name} -> {self.returns}"
        positional = [p.text for p in self.params if p.positional]
        keywords = [p.text for p in self.params if not p.positional]
        parts = positional + (["*", *keywords] if keywords else [])
        return f"{self.receiver}.{self.name}({', '.join(parts)}) -> {self.returns}"


@dataclass(frozen=True)
class ApiSection:
    """A class of the package and its methods: a resource area, a facade, the client."""

    title: str
    class_name: str  # MastraClient, AgentsResource, Agent
    reached: str  # how a caller gets one: "client.agents", "client.get_agent(agent_id)"
    source: str  # file in the package that defines it
    entries: tuple[ApiEntry, ...]
    types: tuple[str, ...]  # model classes its signatures name (from <package>.models)
    description: str = ""


@dataclass(frozen=True)
class Call:
    """A call written out in an example: ``client.get_agent("my-agent")``."""

    receiver: str
    method: str
    args: str = ""

    @property
    def text(self) -> str:
        return f"{self.receiver}.{self.method}({self.args})"

    @property
    def path(self) -> str:
        """The method's path from the client (``agents.list_agents``), as the response views take it."""
        owner = self.receiver.partition(".")[2]
        return f"{owner}.{self.method}" if owner else self.method


@dataclass(frozen=True)
class AgentExample:
    """An agent facade of the document: how to reach one, generate, stream and pass client tools."""

    resource: str  # the facade class: Agent
    get: Call  # client.get_agent("my-agent")
    generate: str  # method answering in one piece ("" if none)
    stream: str  # method answering as an agent stream
    prompt: str  # Python literal of the first (positional) argument
    client_tools: str  # keyword taking client-side tools ("" if none)
    memory: str  # keyword of the generate call taking the memory thread and resource ("" if none)
    structured_output: str  # keyword taking a pydantic model class ("" if none)
    result_has_text: bool  # the generate result has a ``text`` field


@dataclass(frozen=True)
class WorkflowExample:
    """A workflow facade: a run created from it, started and streamed."""

    resource: str  # the facade class: Workflow
    run_resource: str  # the class of its runs: WorkflowRun
    get: Call  # client.get_workflow("my-workflow")
    create_run: str  # create_run
    start: str  # a run's method answering in one piece ("" if none)
    start_has_status: bool  # its result has a ``status`` field (the run's outcome)
    stream: str  # a run's method answering as a workflow stream
    input_keyword: str  # the keyword taking the input ("" if none)


@dataclass(frozen=True)
class PackageDocs:
    """Everything README.md.jinja and api.md.jinja render."""

    package: str
    version: str
    generator_version: str
    spec_title: str
    spec_version: str
    server_packages: tuple[tuple[str, str], ...]
    distribution: str  # --project's distribution name; "" when the package is vendored
    first_call: Call | None  # an operation of the document, with example arguments
    first_call_route: str
    stream_call: Call | None  # any streamed operation (when there is no agent)
    agent: AgentExample | None
    workflow: WorkflowExample | None
    client_sections: tuple[ApiSection, ...]
    facade_sections: tuple[ApiSection, ...]
    group_sections: tuple[ApiSection, ...]
    operations: int
    featured_facades: tuple[str, ...] = ()  # facade classes the README names first
    common_options: tuple[str, ...] = COMMON_OPTIONS
    areas: tuple[tuple[str, str], ...] = field(default=())  # (client attribute, title)

    @property
    def has_facades(self) -> bool:
        return bool(self.facade_sections)


# ------------------------------------------------------------------ api.md


def _api_params(params: Iterable[Param]) -> tuple[ApiParam, ...]:
    """The arguments in the order and kind the method templates give them (``ir.signature_split``)."""
    positional, keywords = signature_split(tuple(params))
    return tuple(ApiParam(p.py_name, display(p.annotation), p.required, True) for p in positional) + tuple(
        ApiParam(p.py_name, display(p.annotation), p.required, False) for p in keywords
    )


def _call_params(op: Operation) -> tuple[ApiParam, ...]:
    """The call-shaping keywords worth a mention on the line itself (``_macros.call_kwargs``)."""
    extra: list[ApiParam] = []
    if op.stream is not None and op.stream.resume is not None:
        extra.append(ApiParam("resumable", "bool | int", False, False))
    if op.stream is not None and op.stream.reconnect:
        extra.append(ApiParam("reconnect", "bool | int", False, False))
    return tuple(extra)


def _iterator(receiver: str, name: str, params: tuple[Param, ...], op: Operation) -> ApiEntry:
    assert op.pagination is not None
    returns = f"Iterator[{display(op.pagination.item_annotation)}]"
    return ApiEntry(receiver, name, _api_params(params) + _call_params(op), returns, op.key)


def _operation_entries(receiver: str, op: Operation) -> list[ApiEntry]:
    entries = [
        ApiEntry(receiver, op.py_name, _api_params(op.params) + _call_params(op), display(op.returns_for("")), op.key)
    ]
    if op.pagination is not None:
        entries.append(_iterator(receiver, op.pagination.method_name, op.params, op))
    return entries


def _facade_entries(receiver: str, fm: FacadeMethod) -> list[ApiEntry]:
    op = fm.operation
    params = fm.params + fm.rpc_params
    entries = [ApiEntry(receiver, fm.name, _api_params(params) + _call_params(op), display(fm.returns_for("")), op.key)]
    if op.pagination is not None and not fm.returns_resource and fm.has_iterator:
        entries.append(_iterator(receiver, fm.iterator_name, fm.params, op))
    return entries


def _client_method_entries(fm: FacadeMethod) -> list[ApiEntry]:
    """A top-level client method (``_client.py.jinja``: the operation's own result)."""
    op = fm.operation
    entries = [
        ApiEntry("client", fm.name, _api_params(fm.params) + _call_params(op), display(op.returns_for("")), op.key)
    ]
    if op.pagination is not None and fm.has_iterator:
        entries.append(_iterator("client", fm.iterator_name, fm.params, op))
    return entries


def _accessor_entry(receiver: str, acc: ResourceAccessor) -> ApiEntry:
    params = tuple(
        ApiParam(name, display(annotation), required, True, "None") for name, annotation, required in acc.params
    )
    return ApiEntry(receiver, acc.name, params, acc.resource, is_property=acc.is_property)


def _types(source: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({name for text in source for name in _MODEL_NAME.findall(text)}))


def _section(
    title: str,
    class_name: str,
    reached: str,
    src: str,
    entries: list[ApiEntry],
    annotations: Iterable[str],
    doc: str = "",
) -> ApiSection:
    return ApiSection(title, class_name, reached, src, tuple(entries), _types(annotations), one_line(doc))


def _op_annotations(ops: Iterable[Operation]) -> list[str]:
    out: list[str] = []
    for op in ops:
        out += [p.annotation for p in op.params] + [op.returns_for("")]
    return out


def _facade_annotations(methods: Iterable[FacadeMethod]) -> list[str]:
    out: list[str] = []
    for fm in methods:
        out += [p.annotation for p in fm.params + fm.rpc_params] + [fm.returns_for("")]
    return out


def _receiver(resource: Resource) -> str:
    """The variable the examples of a facade use: ``agent``, ``workflow_run``; ``client.responses``."""
    if resource.group is not None:
        return f"client.{resource.group.name}"
    return snake(resource.name)


def _reached(resource: Resource, by_name: dict[str, Resource]) -> str:
    """How a caller gets the facade: ``client.get_agent(agent_id, version=None)``, ``agent.voice``."""
    if resource.group is not None:
        return f"client.{resource.group.name}"
    acc = resource.client_accessor
    if acc is not None:
        return _accessor_call("client", acc)
    for parent in by_name.values():
        for child in parent.children:
            if child.resource == resource.name:
                return _accessor_call(_receiver(parent), child)
    for other in by_name.values():
        for fm in other.methods:
            if fm.returns_resource == resource.name:
                return f"{_receiver(other)}.{fm.name}(...)"
    return resource.name


def _accessor_call(receiver: str, acc: ResourceAccessor) -> str:
    if acc.is_property:
        return f"{receiver}.{acc.name}"
    args = ", ".join(name if required else f"{name}=None" for name, _, required in acc.params)
    return f"{receiver}.{acc.name}({args})"


def _facade_section(resource: Resource, by_name: dict[str, Resource]) -> ApiSection:
    receiver = _receiver(resource)
    entries = [_accessor_entry(receiver, child) for child in resource.children]
    for fm in resource.methods:
        entries += _facade_entries(receiver, fm)
    annotations = _facade_annotations(resource.methods) + [a for c in resource.children for _, a, _ in c.params]
    source = "_group_facades.py" if resource.group is not None else "_resources.py"
    names = ", ".join((resource.name, *resource.aliases))
    return _section(names, resource.name, _reached(resource, by_name), source, entries, annotations, resource.doc)


def _group_section(group: Group) -> ApiSection:
    receiver = f"client.{group.name}"
    entries: list[ApiEntry] = []
    for op in group.operations:
        entries += _operation_entries(receiver, op)
    return _section(
        group.title,
        group.class_name,
        receiver,
        f"resources/{group.name}.py",
        entries,
        _op_annotations(group.operations),
    )


def _client_section(model: ClientModel) -> ApiSection:
    entries = [_accessor_entry("client", r.client_accessor) for r in model.resources if r.client_accessor]
    for fm in model.client_methods:
        entries += _client_method_entries(fm)
    annotations = [
        a for fm in model.client_methods for a in [*(p.annotation for p in fm.params), fm.operation.returns_for("")]
    ]
    annotations += [a for r in model.resources if r.client_accessor for _, a, _ in r.client_accessor.params]
    if model.app is not None:  # --app: typed to the user's own app (templates/app__init__.py.jinja)
        entries += [
            ApiEntry("client", "app", (), "App", is_property=True),
            ApiEntry("client", "check_app", (), "AppCheck"),
        ]
    return _section(
        "MastraClient", "MastraClient", "MastraClient(base_url, api_key=...)", "_client.py", entries, annotations
    )


def one_line(text: str) -> str:
    """Spec or override text on one markdown line."""
    return " ".join(str(text or "").split())


# ------------------------------------------------------------------ README examples


def _placeholder(param: Param) -> str:
    """A Python literal a reader would replace: ``"my-agent"`` for ``agent_id``, ``"Hello!"`` for a prompt."""
    name, annotation = param.py_name, param.annotation
    literal = re.match(r'Literal\[("[^"\\]*"|-?\d+)', annotation)
    if literal:
        return literal.group(1)
    if name in ("messages", "message", "prompt", "input", "query", "text"):
        return py_str("Hello!")
    head = annotation.split("|")[0].strip()
    if head.startswith("str") or "str" in [a.strip() for a in annotation.split("|")]:
        stem = re.sub(r"_(id|name|key|slug)$", "", name)
        return py_str("my-" + stem.replace("_", "-"))
    if head.startswith("int"):
        return "1"
    if head.startswith("float"):
        return "1.0"
    if head.startswith("bool"):
        return "True"
    if head.startswith(("Sequence", "list")):
        return "[]"
    return "{}"


def py_str(text: str) -> str:
    """A string literal as ruff would write it: double quotes unless the text holds one."""
    literal = repr(text)
    if literal.startswith("'") and '"' not in text:
        literal = '"' + literal[1:-1].replace("\\'", "'") + '"'
    return literal


def _args(params: Sequence[Param]) -> str:
    """Example arguments for the required parameters, positional ones first, as the signature has them."""
    ordered = _api_params(params)
    by_name = {p.py_name: p for p in params}
    parts: list[str] = []
    for p in ordered:
        if not p.required:
            continue
        value = _placeholder(by_name[p.name])
        parts.append(value if p.positional else f"{p.name}={value}")
    return ", ".join(parts)


def _accessor_args(acc: ResourceAccessor) -> str:
    fake = [
        Param(name, name, "path", annotation, True, positional=True)
        for name, annotation, required in acc.params
        if required
    ]
    return _args(fake)


def _first_call(groups: Sequence[Group]) -> tuple[Call | None, str]:
    """The first GET of the first area that needs no argument, else the first GET, else the first operation."""
    ops = [op for g in groups for op in g.operations]
    candidates = (
        [op for op in ops if op.method == "GET" and op.stream is None and not any(p.required for p in op.params)]
        or [op for op in ops if op.method == "GET" and op.stream is None]
        or ops
    )
    if not candidates:
        return None, ""
    op = candidates[0]
    return Call(f"client.{op.group}", op.py_name, _args(op.params)), op.key


def _stream_call(groups: Sequence[Group]) -> Call | None:
    for op in (op for g in groups for op in g.operations if op.stream is not None):
        return Call(f"client.{op.group}", op.py_name, _args(op.params))
    return None


def _view(fm: FacadeMethod) -> str:
    stream = fm.operation.stream
    return stream.view if stream is not None else ""


def _model_has_field(model: ClientModel, annotation: str, wire: str) -> bool:
    name = annotation.removeprefix("_models.")
    entry = (model.surface.get("models") or {}).get(name) or {}
    return wire in (entry.get("fields") or {})


def _agent_example(model: ClientModel) -> AgentExample | None:
    """The first facade reached from the client that streams as an agent and takes a prompt."""
    for r in model.resources:
        acc = r.client_accessor
        streams = [fm for fm in r.methods if _view(fm) == "agent" and fm.params and fm.params[0].positional]
        if acc is None or acc.is_property or not streams:
            continue
        stream = next((fm for fm in streams if fm.operation.client_tools), streams[0])
        generate = next(
            (
                fm
                for fm in r.methods
                if fm.operation.stream is None and fm.operation.client_tools and fm.params[0].positional
            ),
            None,
        )
        tools = stream.operation.client_tools or ""
        output = (generate.operation.structured_output if generate else "") or ""
        return AgentExample(
            resource=r.name,
            get=Call("client", acc.name, _accessor_args(acc)),
            generate=generate.name if generate else "",
            stream=stream.name,
            prompt=_placeholder(stream.params[0]),
            client_tools=tools,
            memory="memory" if generate is not None and "memory" in {p.py_name for p in generate.params} else "",
            structured_output=output,
            result_has_text=generate is not None and _model_has_field(model, generate.returns_for(""), "text"),
        )
    return None


def _workflow_example(model: ClientModel) -> WorkflowExample | None:
    """A facade from the client with a method returning a run that streams as a workflow."""
    by_name = {r.name: r for r in model.resources}
    for r in model.resources:
        acc = r.client_accessor
        if acc is None or acc.is_property:
            continue
        for fm in r.methods:
            run = by_name.get(fm.returns_resource or "")
            if run is None or any(p.required for p in fm.params):
                continue
            streams = [m for m in run.methods if _view(m) == "workflow" and not any(p.required for p in m.params)]
            if not streams:
                continue
            stream = streams[0]
            starts = [
                m
                for m in run.methods
                if m.operation.stream is None
                and m.operation.method == "POST"
                and not any(p.required for p in m.params)
                and "input_data" in {p.py_name for p in m.params}
            ]
            with_status = [m for m in starts if _model_has_field(model, m.returns_for(""), "status")]
            start = (with_status or starts or [None])[0]
            keyword = "input_data" if "input_data" in {p.py_name for p in stream.params} else ""
            return WorkflowExample(
                resource=r.name,
                run_resource=run.name,
                get=Call("client", acc.name, _accessor_args(acc)),
                create_run=fm.name,
                start=start.name if start else "",
                start_has_status=bool(with_status),
                stream=stream.name,
                input_keyword=keyword,
            )
    return None


# ------------------------------------------------------------------ the whole


def build_package_docs(model: ClientModel) -> PackageDocs:
    """What README.md and api.md say about ``model``'s package."""
    by_name = {r.name: r for r in model.resources}
    first, route = _first_call(model.groups)
    agent = _agent_example(model)
    workflow = _workflow_example(model)
    featured = [agent.resource] if agent else []
    featured += [workflow.resource, workflow.run_resource] if workflow else []
    facades = [r for r in model.resources if r.client_accessor is not None]
    featured += [r.name for r in facades if r.name not in featured][: max(0, 3 - len(featured))]
    return PackageDocs(
        package=model.package,
        version=model.version,
        generator_version=model.generator_version,
        spec_title=one_line(model.spec_title),
        spec_version=one_line(model.spec_version),
        server_packages=tuple(sorted(model.server_packages.items())),
        distribution=model.project.name if model.project is not None else "",
        first_call=first,
        first_call_route=route,
        stream_call=None if agent is not None else _stream_call(model.groups),
        agent=agent,
        workflow=workflow,
        client_sections=(_client_section(model),),
        facade_sections=tuple(_facade_section(r, by_name) for r in model.resources),
        group_sections=tuple(_group_section(g) for g in model.groups),
        operations=sum(len(g.operations) for g in model.groups),
        featured_facades=tuple(featured),
        areas=tuple((g.name, one_line(g.title)) for g in model.groups),
    )


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#!~])")


def md_text(text: Any) -> str:
    """Spec text as plain markdown on one line: its markup and HTML shown, never interpreted."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", one_line(str(text))).replace("&", "&amp;")


def code_span(text: Any) -> str:
    """``text`` as one markdown code span, whatever backticks it holds (CommonMark's rule)."""
    value = one_line(str(text))
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}"
