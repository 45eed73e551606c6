"""The user's own app (``--app``): its workflows, tools and agents as the running server describes them.

The OpenAPI document is the same for every Mastra app; what an app defines is served by
``GET /api/workflows`` (then ``/api/workflows/{id}`` for the step schemas), ``GET /api/tools``
and ``GET /api/agents``. This module reads those into a *snapshot* (a small JSON document,
deterministic and sorted, for CI and offline regeneration) and builds from it the typed
dataclasses the ``app`` templates render.

Snapshot format (``"format": "mastra-codegen-app"``, ``"version": 1``)::

    {
      "format": "mastra-codegen-app", "version": 1,
      "workflows": {"<workflow id>": {"key": "<registration key>", "description": "...",
                    "input_schema": {...} | null, "output_schema": {...} | null,
                    "steps": {"<step id>": {"description": "...", "input_schema": ..., "output_schema": ...,
                                            "resume_schema": ..., "suspend_schema": ...}}}},
      "tools": {"<tool id>": {"key": "...", "description": "...", "input_schema": ..., "output_schema": ...}},
      "agents": {"<agent id>": {"name": "...", "description": "...",
                 "tools": {"<key>": {"id": "<tool id>", "description": "...", "input_schema": ...}}}},
      "problems": ["workflow 'x' inputSchema: not JSON (...)", ...]
    }

Schemas are the decoded JSON Schemas (draft-07 or 2020-12, as the app defined them); a
schema missing or undecodable is ``null`` (resume and suspend schemas are left out when the
step has none). Entries are keyed by id: a workflow's key (``orderPipeline``) and its id
(``order-pipeline``) are one entry.
"""

from __future__ import annotations

import ast
import json
import re
import tokenize
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .errors import CodegenError
from .naming import pascal, snake
from .templates.runtime._app import fingerprint, tool_entry, tool_id, workflow_entry, workflow_id

SNAPSHOT_FORMAT = "mastra-codegen-app"
SNAPSHOT_VERSION = 1
DEFAULT_MAX_APP_BYTES = 32 * 1024 * 1024  # each answer of the server
_APP_HINT = " (raise it with --max-spec-size MB)"


# --- the snapshot ------------------------------------------------------------------------


def snapshot_from_answers(workflows: Any, details: Mapping[str, Any], tools: Any, agents: Any) -> dict[str, Any]:
    """The snapshot from the server's answers; ``details`` are the per-workflow answers by key."""
    problems: list[str] = []
    out_wf: dict[str, Any] = {}
    for key, raw in sorted(_mapping(workflows).items()):
        if not isinstance(raw, Mapping):
            continue
        full = details.get(key)
        raw = full if isinstance(full, Mapping) else raw
        out_wf[workflow_id(key, raw)] = workflow_entry(key, raw, problems)
    out_tools: dict[str, Any] = {}
    for key, raw in sorted(_mapping(tools).items()):
        if isinstance(raw, Mapping):
            out_tools[tool_id(key, raw)] = tool_entry(key, raw, problems)
    out_agents: dict[str, Any] = {}
    for key, raw in sorted(_mapping(agents).items()):
        if not isinstance(raw, Mapping):
            continue
        aid = raw.get("id") if isinstance(raw.get("id"), str) else key
        agent_tools: dict[str, Any] = {}
        for tkey, traw in sorted(_mapping(raw.get("tools")).items()):
            if isinstance(traw, Mapping):
                entry = tool_entry(tkey, traw, problems)
                agent_tools[tkey] = {
                    "id": tool_id(tkey, traw),
                    "description": entry["description"],
                    "input_schema": entry.get("input_schema"),
                }
        out_agents[str(aid)] = {
            "name": raw.get("name") if isinstance(raw.get("name"), str) else "",
            "description": raw.get("description") if isinstance(raw.get("description"), str) else "",
            "tools": agent_tools,
        }
    return {
        "format": SNAPSHOT_FORMAT,
        "version": SNAPSHOT_VERSION,
        "workflows": out_wf,
        "tools": out_tools,
        "agents": out_agents,
        "problems": sorted(set(problems)),
    }


def _mapping(value: Any) -> dict[str, Any]:
    return {str(k): v for k, v in value.items()} if isinstance(value, Mapping) else {}


def fetch_snapshot(
    base_url: str, headers: Mapping[str, str], *, max_bytes: int = DEFAULT_MAX_APP_BYTES, transport: Any = None
) -> dict[str, Any]:
    """GET the app's routes from the server at ``base_url`` (its root, or its ``/api`` mount)."""
    from .fetch import get, origin

    api = _api_root(base_url)
    allowed = {origin(api)}

    def answer(path: str) -> Any:
        url = api + path
        got = get(url, headers=headers, origins=allowed, max_bytes=max_bytes, hint=_APP_HINT, transport=transport)
        try:
            return json.loads(got.body)
        except ValueError as exc:
            raise CodegenError(url, f"the answer is not JSON: {exc}") from None

    workflows = answer("/workflows")
    details = {key: answer("/workflows/" + quote(key, safe="")) for key in sorted(_mapping(workflows))}
    return snapshot_from_answers(workflows, details, answer("/tools"), answer("/agents"))


def _api_root(base_url: str) -> str:
    """``http://host:4111`` and ``http://host:4111/api`` alike give ``http://host:4111/api``."""
    if not base_url.startswith(("http://", "https://")):
        raise CodegenError(base_url, "is not an http(s) URL of a Mastra server")
    root = base_url.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    return root if root.endswith("/api") else root + "/api"


def write_snapshot(snapshot: Mapping[str, Any], path: Path) -> None:
    try:
        path.write_text(json.dumps(snapshot, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise CodegenError(str(path), f"cannot write: {exc.strerror or exc}") from None


def read_snapshot(path: Path) -> dict[str, Any]:
    """A snapshot file, checked enough that building from it cannot fail on its shape."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CodegenError(str(path), f"cannot read: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise CodegenError(str(path), f"is not JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != SNAPSHOT_FORMAT:
        raise CodegenError(
            str(path),
            f'is not an app snapshot (no "format": "{SNAPSHOT_FORMAT}"); '
            "write one with `mastra-codegen app-snapshot BASE_URL -o FILE`",
        )
    if data.get("version") != SNAPSHOT_VERSION:
        raise CodegenError(
            str(path),
            f"app snapshot version {data.get('version')!r}; this mastra-codegen reads version {SNAPSHOT_VERSION}",
        )
    for section in ("workflows", "tools", "agents"):
        value = data.get(section, {})
        if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
            raise CodegenError(str(path), f"{section!r} must be an object of objects")
        data[section] = value
    return data


def load_app(source: str, headers: Mapping[str, str], *, max_bytes: int = DEFAULT_MAX_APP_BYTES) -> dict[str, Any]:
    """``--app SOURCE``: a server's base URL, or a snapshot file."""
    if source.startswith(("http://", "https://")):
        return fetch_snapshot(source, headers, max_bytes=max_bytes)
    return read_snapshot(Path(source))


# --- the typed model the templates render -------------------------------------------------


@dataclass(frozen=True)
class AppStep:
    id: str
    resume_model: str | None  # class name, when the step has a resume schema
    suspend_model: str | None


@dataclass(frozen=True)
class AppWorkflow:
    id: str
    key: str
    attr: str  # client.app.workflows.<attr>
    class_name: str  # the facade: OrderPipeline (and AsyncOrderPipeline)
    run_class: str  # OrderPipelineRun
    result_class: str  # OrderPipelineResult
    description: str
    input_model: str
    output_model: str
    steps: tuple[AppStep, ...]
    fingerprint: str

    @property
    def resume_steps(self) -> tuple[AppStep, ...]:
        return tuple(s for s in self.steps if s.resume_model)

    @property
    def suspend_steps(self) -> tuple[AppStep, ...]:
        return tuple(s for s in self.steps if s.suspend_model)


@dataclass(frozen=True)
class AppTool:
    id: str
    key: str
    attr: str
    class_name: str  # the facade: GetWeather (and AsyncGetWeather)
    description: str
    input_model: str
    output_model: str
    fingerprint: str


@dataclass(frozen=True)
class AgentTool:
    key: str
    id: str
    description: str
    input_model: str | None  # the app tool's input model, when the tool is one of the app's
    fields: tuple[str, ...]  # else the names of its input's properties


@dataclass(frozen=True)
class AppAgent:
    id: str
    attr: str
    class_name: str
    name: str
    description: str
    tools: tuple[AgentTool, ...]


@dataclass
class AppModel:
    workflows: list[AppWorkflow]
    tools: list[AppTool]
    agents: list[AppAgent]
    models_source: str  # the module of every model class (before ruff)
    model_names: list[str]  # every public name it defines, sorted
    fallbacks: list[str] = field(default_factory=list)  # "<Name>: why" for each model that is Any
    problems: list[str] = field(default_factory=list)  # the snapshot's

    @property
    def has_step_overloads(self) -> bool:
        """Some workflow resumes at several steps: its resume methods are overloaded per step."""
        return any(len(wf.resume_steps) > 1 for wf in self.workflows)

    @property
    def public_names(self) -> list[str]:
        """What ``from <package>.app import *`` gives: the models and the facades."""
        names = {"App", "AsyncApp", "AppWorkflows", "AsyncAppWorkflows", "AppTools", "AsyncAppTools"}
        names |= {"AppAgents", "AsyncAppAgents", *self.model_names}
        for wf in self.workflows:
            names |= {wf.class_name, f"Async{wf.class_name}", wf.run_class, f"Async{wf.run_class}", wf.result_class}
        for item in (*self.tools, *self.agents):
            names |= {item.class_name, f"Async{item.class_name}"}
        return sorted(names)

    def notes(self) -> list[str]:
        return [*self.problems, *(f"{f} (typed as Any)" for f in self.fallbacks)]


class _Names:
    """Unique names: attributes per namespace, classes across the whole module."""

    def __init__(self, reserved: set[str]) -> None:
        self.taken = set(reserved)

    def claim(self, wanted: str) -> str:
        name, n = wanted, 2
        while name in self.taken:
            name, n = f"{wanted}{n}", n + 1
        self.taken.add(name)
        return name


# Names the app module defines or imports itself.
_RESERVED = {
    "Any",
    "App",
    "AsyncApp",
    "BaseModel",
    "ConfigDict",
    "Field",
    "Literal",
    "Mapping",
    "RootModel",
    "AppWorkflows",
    "AppTools",
    "AppAgents",
    "AsyncAppWorkflows",
    "AsyncAppTools",
    "AsyncAppAgents",
    "WORKFLOW_FINGERPRINTS",
    "TOOL_FINGERPRINTS",
    "Agent",
    "AsyncAgent",
    "Workflow",
    "AsyncWorkflow",
    "Tool",
    "AsyncTool",
    "AppCheck",
    "AppTool",
    "AsyncAppTool",
    "AppWorkflow",
    "AsyncAppWorkflow",
    "AppWorkflowRun",
    "AsyncAppWorkflowRun",
    "AppWorkflowResult",
    "WorkflowTypes",
    "ClassVar",
    "TYPE_CHECKING",
    "MastraClient",
    "AsyncMastraClient",
    "cached_property",
    "annotations",
}


def _claim_pair(classes: _Names, wanted: str) -> str:
    """A class name free together with its ``Async`` twin."""
    name, n = wanted, 2
    while name in classes.taken or f"Async{name}" in classes.taken:
        name, n = f"{wanted}{n}", n + 1
    classes.taken.update({name, f"Async{name}"})
    return name


def _attr(wanted: str, taken: _Names) -> str:
    name = snake(wanted)
    if name.startswith("_"):
        name = "n" + name
    return taken.claim(name)


def build_app(snapshot: Mapping[str, Any], header: str) -> AppModel:
    """The typed app from a snapshot; a schema that cannot be converted becomes ``Any``."""
    classes = _Names(_RESERVED)
    schemas: dict[str, Any] = {}  # class name -> JSON Schema (None: missing)
    wf_attrs, tool_attrs, agent_attrs = _Names(set()), _Names(set()), _Names(set())
    workflows: list[AppWorkflow] = []
    for wid, entry in sorted(snapshot.get("workflows", {}).items()):
        base = pascal(wid)
        facade = _claim_pair(classes, base)
        run_class, result_class = _claim_pair(classes, facade + "Run"), classes.claim(facade + "Result")
        names = {k: classes.claim(base + k) for k in ("Input", "Output")}
        schemas[names["Input"]] = entry.get("input_schema")
        schemas[names["Output"]] = entry.get("output_schema")
        steps: list[AppStep] = []
        for sid, step in sorted((entry.get("steps") or {}).items()):
            if not isinstance(step, Mapping):
                continue
            models: dict[str, str | None] = {}
            for kind in ("Resume", "Suspend"):
                key = f"{kind.lower()}_schema"
                models[kind] = None
                if key in step:
                    models[kind] = classes.claim(base + pascal(sid) + kind)
                    schemas[models[kind]] = step[key]
            steps.append(AppStep(sid, models["Resume"], models["Suspend"]))
        workflows.append(
            AppWorkflow(
                id=wid,
                key=str(entry.get("key") or wid),
                attr=_attr(wid, wf_attrs),
                class_name=facade,
                run_class=run_class,
                result_class=result_class,
                description=str(entry.get("description") or ""),
                input_model=names["Input"],
                output_model=names["Output"],
                steps=tuple(steps),
                fingerprint=fingerprint(entry),
            )
        )
    tools: list[AppTool] = []
    for tid, entry in sorted(snapshot.get("tools", {}).items()):
        base = pascal(tid)
        facade = _claim_pair(classes, base)
        names = {k: classes.claim(base + k) for k in ("Input", "Output")}
        schemas[names["Input"]] = entry.get("input_schema")
        schemas[names["Output"]] = entry.get("output_schema")
        tools.append(
            AppTool(
                id=tid,
                key=str(entry.get("key") or tid),
                attr=_attr(tid, tool_attrs),
                class_name=facade,
                description=str(entry.get("description") or ""),
                input_model=names["Input"],
                output_model=names["Output"],
                fingerprint=fingerprint(entry),
            )
        )
    by_tool_id = {t.id: t for t in tools}
    agents: list[AppAgent] = []
    for aid, entry in sorted(snapshot.get("agents", {}).items()):
        agent_tools = []
        for tkey, tool in sorted((entry.get("tools") or {}).items()):
            if not isinstance(tool, Mapping):
                continue
            known = by_tool_id.get(str(tool.get("id") or tkey))
            schema = tool.get("input_schema")
            props = schema.get("properties") if isinstance(schema, Mapping) else None
            agent_tools.append(
                AgentTool(
                    key=tkey,
                    id=str(tool.get("id") or tkey),
                    description=str(tool.get("description") or ""),
                    input_model=known.input_model if known is not None else None,
                    fields=tuple(sorted(str(p) for p in props)) if isinstance(props, Mapping) else (),
                )
            )
        agents.append(
            AppAgent(
                id=aid,
                attr=_attr(aid, agent_attrs),
                class_name=_claim_pair(classes, pascal(aid) + "Agent"),
                name=str(entry.get("name") or ""),
                description=str(entry.get("description") or ""),
                tools=tuple(agent_tools),
            )
        )
    source, fallbacks, nested = render_app_models(schemas, header, classes)
    return AppModel(
        workflows=workflows,
        tools=tools,
        agents=agents,
        models_source=source,
        model_names=sorted({*schemas, *nested}),
        fallbacks=fallbacks,
        problems=[str(p) for p in snapshot.get("problems") or []],
    )


# --- the models ----------------------------------------------------------------------------


def render_app_models(schemas: Mapping[str, Any], header: str, classes: _Names) -> tuple[str, list[str], list[str]]:
    """One module of pydantic models, a root class per schema (nested ones prefixed by it).

    Returns the module, the fallbacks ("<Name>: why") and the names of the nested classes.
    """
    imports: set[str] = {"from typing import Any"}
    nested: list[str] = []
    bodies: list[str] = []
    fallbacks: list[str] = []
    for name in sorted(schemas):
        schema = schemas[name]
        if schema is None:
            fallbacks.append(f"{name}: no schema")
            bodies.append(f"{name} = Any")
            continue
        try:
            module_imports, body, inner = _one_model(name, schema, classes)
        except Exception as exc:  # noqa: BLE001 - whatever the converter raises, the model is Any
            fallbacks.append(f"{name}: cannot be converted ({_first_line(exc)})")
            bodies.append(f"{name} = Any")
            continue
        imports.update(module_imports)
        bodies.append(body)
        nested.extend(inner)
    lines = [header, "from __future__ import annotations", "", *sorted(imports), "", "", "\n\n\n".join(bodies)]
    return "\n".join(lines) + "\n", fallbacks, nested


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def _one_model(name: str, schema: Any, classes: _Names) -> tuple[set[str], str, list[str]]:
    from datamodel_code_generator import DataModelType, InputFileType, LiteralType, PythonVersion, generate

    from .render_models import _fix_fields

    if schema is True or schema == {}:
        raise ValueError("the schema allows anything")
    if not isinstance(schema, Mapping):
        raise ValueError("the schema is not an object")
    outside = _outside_ref(schema)
    if outside is not None:  # never fetched nor read: the server's answer is input like any other
        raise ValueError(f"it refers outside itself ($ref {outside!r})")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        output = generate(
            json.dumps(schema),
            input_file_type=InputFileType.JsonSchema,
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
            formatters=[],
            capitalise_enum_members=True,
            apply_default_values_for_required_fields=True,
            class_name=name,
        )
    if not isinstance(output, str):
        raise ValueError("no single module")
    text = _fix_fields(output).text

    tree = ast.parse(text)
    defined = [
        n.name if isinstance(n, ast.ClassDef) else n.targets[0].id  # type: ignore[attr-defined]
        for n in tree.body
        if isinstance(n, ast.ClassDef)
        or (isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name))
    ]
    if name not in defined:
        raise ValueError(f"the converter named the model otherwise ({', '.join(defined[:3])})")
    renames = {d: classes.claim(d if d.startswith(name) else name + d) for d in defined if d != name}
    text = _rename(text, renames)
    lines = text.splitlines()
    imports: set[str] = set()
    skip: set[int] = set()  # 0-based lines of the imports (and of the header comment)
    for node in ast.parse(text).body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            skip.update(range(node.lineno - 1, node.end_lineno or node.lineno))
            if not (isinstance(node, ast.ImportFrom) and node.module == "__future__"):
                imports.add(ast.unparse(node))
    body = "\n".join(line for i, line in enumerate(lines) if i not in skip)
    body = re.sub(r"\A\s*# generated by datamodel-codegen:\n#\s+filename:.*\n", "", body).strip()
    return imports, body, sorted(renames.values())


def _outside_ref(schema: Any) -> str | None:
    """The first ``$ref`` that is not to a place in the schema itself (``#...``), if any."""
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, Mapping):
            ref = node.get("$ref")
            if ref is not None and not (isinstance(ref, str) and ref.startswith("#")):
                return str(ref)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return None


def _rename(source: str, renames: Mapping[str, str]) -> str:
    """``source`` with every name token in ``renames`` replaced (strings and comments untouched)."""
    if not renames:
        return source
    tokens = list(tokenize.generate_tokens(StringIO(source).readline))
    out = [
        tok._replace(string=renames[tok.string]) if tok.type == tokenize.NAME and tok.string in renames else tok
        for tok in tokens
    ]
    return tokenize.untokenize(out)


def app_surface(app: AppModel, snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """The app's part of ``_api.json``: what ``diff`` compares (schemas as short type labels)."""
    from .labels import schema_label

    def fields(schema: Any) -> dict[str, Any]:
        if isinstance(schema, Mapping) and isinstance(schema.get("properties"), Mapping):
            required = set(schema.get("required") or [])
            return {
                "fields": {
                    str(p): {"type": schema_label(sub), "required": p in required}
                    for p, sub in sorted(schema["properties"].items())
                }
            }
        return {"type": schema_label(schema) if schema is not None else "Any"}

    out: dict[str, Any] = {"workflows": {}, "tools": {}}
    for wf in app.workflows:
        entry = snapshot["workflows"][wf.id]
        steps = {
            sid: {k.split("_")[0]: fields(step[k]) for k in ("resume_schema", "suspend_schema") if k in step}
            for sid, step in sorted((entry.get("steps") or {}).items())
            if any(k in step for k in ("resume_schema", "suspend_schema"))
        }
        out["workflows"][wf.id] = {
            "name": f"app.workflows.{wf.attr}",
            "input": fields(entry.get("input_schema")),
            "output": fields(entry.get("output_schema")),
            "steps": steps,
        }
    for tool in app.tools:
        entry = snapshot["tools"][tool.id]
        out["tools"][tool.id] = {
            "name": f"app.tools.{tool.attr}",
            "input": fields(entry.get("input_schema")),
            "output": fields(entry.get("output_schema")),
        }
    return out
