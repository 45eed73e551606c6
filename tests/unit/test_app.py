"""``--app``: the snapshot (decoding the server's schema strings), names from odd ids, the
fallback to ``Any``, ``diff`` of two apps, and the generated ``client.app`` (MockTransport).

The server answers are the wire captures of the real server (tests/fixtures/app/*.json, from
shared/mastra/wire); one package is generated from an app with odd ids and bad schemas.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from mastra_codegen.apidiff import diff_surfaces, format_text
from mastra_codegen.app_model import (
    app_surface,
    build_app,
    fetch_snapshot,
    read_snapshot,
    snapshot_from_answers,
)
from mastra_codegen.cli import main
from mastra_codegen.errors import CodegenError
from mastra_codegen.templates.runtime._app import decode_schema, fingerprint, live_fingerprints

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "app"
SPEC = ROOT / "specs" / "mastra-server-1.67.0.openapi.json"


def answer(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def wire_snapshot() -> dict[str, Any]:
    workflows = answer("15-workflows-list")
    return snapshot_from_answers(
        workflows, {"approvalWorkflow": answer("16-workflow-get")}, answer("12-tools-list"), answer("01-agents-list")
    )


def obj(**props: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": sorted(props), "additionalProperties": False}


# --- decoding --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "schema", "problem"),
    [
        ('{"json":{"$schema":"http://json-schema.org/draft-07/schema#","type":"string"}}', "draft-07", ""),
        ('{"json":{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"string"}}', "2020-12", ""),
        ({"type": "string"}, "plain", ""),  # already an object, without the wrapper
        (None, None, ""),
        ("{not json", None, "not JSON"),
        ('{"json": 3}', None, "not a JSON Schema"),
    ],
)
def test_schema_strings_are_decoded(value: Any, schema: str | None, problem: str) -> None:
    decoded, why = decode_schema(value)
    assert (decoded is None) == (schema is None)
    if schema is not None:
        assert decoded["type"] == "string"
    assert problem in why and bool(why) == bool(problem)


def test_the_snapshot_is_keyed_by_id_sorted_with_step_schemas() -> None:
    snap = wire_snapshot()
    assert list(snap["workflows"]) == ["approval-workflow", "greeting-workflow"]
    approval = snap["workflows"]["approval-workflow"]
    assert approval["key"] == "approvalWorkflow"
    step = approval["steps"]["request-approval"]
    assert step["resume_schema"]["required"] == ["approved", "approver"]
    assert step["suspend_schema"]["properties"]["reason"] == {"type": "string"}
    assert "resume_schema" not in approval["steps"]["finalize"]  # a step without one has none
    assert snap["tools"]["get-weather"]["key"] == "weatherTool"
    assert snap["agents"]["tool-agent"]["tools"]["getWeather"]["id"] == "get-weather"
    assert snap["problems"] == []
    assert json.dumps(snap, sort_keys=True) == json.dumps(wire_snapshot(), sort_keys=True)


def test_an_undecodable_schema_is_null_with_a_problem() -> None:
    tools = answer("12-tools-list")
    tools["addTool"]["inputSchema"] = "{broken"
    snap = snapshot_from_answers({}, {}, tools, {})
    assert snap["tools"]["add-numbers"]["input_schema"] is None
    assert snap["problems"] == [
        "tool 'add-numbers' inputSchema: not JSON (Expecting property name enclosed in double quotes)"
    ]


def test_fetch_snapshot_gets_each_workflow_and_sends_headers_to_the_server_only() -> None:
    seen: list[tuple[str, str | None]] = []
    bodies = {
        "/api/workflows": answer("15-workflows-list"),
        "/api/workflows/approvalWorkflow": answer("16-workflow-get"),
        "/api/workflows/greetingWorkflow": answer("15-workflows-list")["greetingWorkflow"],
        "/api/tools": answer("12-tools-list"),
        "/api/agents": answer("01-agents-list"),
    }

    def server(request: httpx.Request) -> httpx.Response:
        seen.append((request.url.path, request.headers.get("authorization")))
        return httpx.Response(200, stream=httpx.ByteStream(json.dumps(bodies[request.url.path]).encode()))

    snap = fetch_snapshot("http://app.test:4111/", {"Authorization": "Bearer t"}, transport=httpx.MockTransport(server))
    assert snap == wire_snapshot()
    assert sorted(seen) == sorted((path, "Bearer t") for path in bodies)


def test_app_snapshot_errors_are_one_located_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["app-snapshot", "ftp://x", "-o", str(tmp_path / "a.json")])
    assert result.exit_code == 2 and result.output.count("\n") == 1 and "ftp://x" in result.output
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "other"}', encoding="utf-8")
    with pytest.raises(CodegenError, match="is not an app snapshot"):
        read_snapshot(bad)


def test_the_config_file_takes_an_app_relative_to_it(tmp_path: Path) -> None:
    from mastra_codegen import config

    (tmp_path / "pyproject.toml").write_text('[tool.mastra-codegen]\napp = "snap/app.json"\n', encoding="utf-8")
    assert config.load(tmp_path / "pyproject.toml", {}).app == str((tmp_path / "snap" / "app.json").absolute())
    (tmp_path / "pyproject.toml").write_text('[tool.mastra-codegen]\napp = "http://h:1"\n', encoding="utf-8")
    assert config.load(tmp_path / "pyproject.toml", {}).app == "http://h:1"


# --- names and fallbacks ----------------------------------------------------------------------


def odd_snapshot() -> dict[str, Any]:
    """Ids that collide or are not Python names, and schemas that cannot be typed."""
    snap = wire_snapshot()
    approval = snap["workflows"]["approval-workflow"]
    two_steps = copy.deepcopy(approval)  # resumes at two steps: its resume methods are overloaded per step
    two_steps["steps"]["finalize"]["resume_schema"] = obj(confirmed={"type": "boolean"})
    snap["workflows"] = {
        "order-pipeline": {**two_steps, "key": "orderPipeline"},
        "order_pipeline": {**copy.deepcopy(approval), "key": "orderPipeline2", "input_schema": None},
        "3d-render": {"key": "render3d", "description": "", "input_schema": True, "output_schema": None, "steps": {}},
        "class": {
            "key": "klass",
            "description": "",
            "input_schema": {"type": "object", "properties": {"a": {"$ref": "other.json#/a"}}},
            "output_schema": obj(ok={"type": "boolean"}),
            "steps": {},
        },
    }
    snap["tools"]["import"] = {"key": "importTool", "description": "", "input_schema": obj(x={"type": "string"})}
    return snap


def test_odd_ids_get_python_names_and_colliding_ones_a_suffix() -> None:
    app = build_app(odd_snapshot(), "# header")
    assert [(w.id, w.attr, w.class_name) for w in app.workflows] == [
        ("3d-render", "n_3d_render", "N3dRender"),
        ("class", "class_", "Class"),
        ("order-pipeline", "order_pipeline", "OrderPipeline"),
        ("order_pipeline", "order_pipeline2", "OrderPipeline2"),
    ]
    second = app.workflows[3]
    assert second.input_model == "OrderPipelineInput2" and second.result_class == "OrderPipeline2Result"
    assert "import_" in [t.attr for t in app.tools]
    names = app.public_names
    assert len(names) == len(set(names))


def test_a_schema_that_cannot_be_typed_is_any_with_a_note() -> None:
    app = build_app(odd_snapshot(), "# header")
    fallbacks = "\n".join(app.fallbacks)
    assert "OrderPipelineInput2: no schema" in fallbacks
    assert "N3dRenderInput: cannot be converted (the schema allows anything)" in fallbacks
    assert "ClassInput: cannot be converted (it refers outside itself ($ref 'other.json#/a'))" in fallbacks
    assert "ImportOutput: no schema" in fallbacks
    assert "\nClassInput = Any\n" in app.models_source and "class ClassOutput(BaseModel)" in app.models_source
    compile(app.models_source, "models.py", "exec")


# --- diff ------------------------------------------------------------------------------------


def surface(snap: dict[str, Any]) -> dict[str, Any]:
    return {"operations": {}, "models": {}, "app": app_surface(build_app(snap, "#"), snap)}


def test_diff_flags_what_breaks_callers_of_the_app() -> None:
    old = wire_snapshot()
    new = copy.deepcopy(old)
    inputs = new["workflows"]["greeting-workflow"]["input_schema"]
    inputs["properties"]["title"] = {"type": "string"}
    inputs["required"].append("title")  # a new required input field: breaking
    new["workflows"]["greeting-workflow"]["output_schema"]["properties"]["extra"] = {"type": "string"}  # read: fine
    resume = new["workflows"]["approval-workflow"]["steps"]["request-approval"]["resume_schema"]
    resume["properties"]["approved"] = {"type": "string"}  # a resume field's type changed: breaking
    del new["tools"]["add-numbers"]  # a removed tool: breaking
    new["tools"]["new-tool"] = {"key": "n", "description": "", "input_schema": None, "output_schema": None}
    result = diff_surfaces(surface(old), surface(new))
    changes = {(c.kind, c.key): c for c in result.changes}
    assert changes[("workflow", "greeting-workflow")].breaking
    assert changes[("workflow", "approval-workflow")].breaking
    assert [d.name for d in changes[("workflow", "approval-workflow")].details] == [
        "step 'request-approval' resume.approved"
    ]
    assert changes[("tool", "add-numbers")].change == "removed" and changes[("tool", "add-numbers")].breaking
    assert not changes[("tool", "new-tool")].breaking
    greeting = {d.name: d.breaking for d in changes[("workflow", "greeting-workflow")].details}
    assert greeting == {"input.title": True, "output.extra": False}
    text = format_text(result)
    assert "app workflows: 0 added, 0 removed, 2 changed" in text and "App tools:" in text
    assert result.to_json()["summary"]["tools"] == {"added": 1, "removed": 1, "changed": 0}
    assert not diff_surfaces(surface(old), surface(wire_snapshot())).changes


# --- the generated package ------------------------------------------------------------------


@pytest.fixture(scope="module")
def odd_package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One package typed to the odd app, through the CLI (with -v, which names the fallbacks)."""
    folder = tmp_path_factory.mktemp("app")
    (folder / "app.json").write_text(json.dumps(odd_snapshot()), encoding="utf-8")
    result = CliRunner().invoke(
        main, [str(SPEC), "-o", str(folder / "odd_client"), "--app", str(folder / "app.json"), "-v"]
    )
    assert result.exit_code == 0, result.output
    assert "mastra-codegen: app: ClassInput: cannot be converted" in result.output
    yield folder


def test_the_odd_app_imports_and_types_its_calls(odd_package: Path) -> None:
    code = """
import httpx, json
from odd_client import MastraClient
from odd_client.app import OrderPipelineInput, OrderPipeline2, ClassInput
sent = []
def server(request):
    sent.append((request.url.path, json.loads(request.content or b"null")))
    return httpx.Response(200, json={"status": "success", "result": {"ok": True}, "steps": {}})
c = MastraClient("http://t", http_client=httpx.Client(transport=httpx.MockTransport(server)), max_retries=0)
w = c.app.workflows
assert type(w.order_pipeline2) is OrderPipeline2 and w.order_pipeline2.workflow_id == "order_pipeline"
assert w.class_.workflow_id == "class" and w.n_3d_render.workflow_id == "3d-render"
assert ClassInput is not None and w.class_.start_async(input_data={"anything": 1}).result.ok is True
w.order_pipeline2.start_async(input_data={"not": "checked"})  # its input is Any: sent as it is
assert sent[-1] == ("/api/workflows/order_pipeline/start-async", {"inputData": {"not": "checked"}})
try:
    w.order_pipeline.start_async(input_data={"amount": "x"})
except Exception as exc:
    assert type(exc).__name__ == "ValidationError"
else:
    raise AssertionError("not validated")
assert c.app.tools.import_.tool_id == "import"
w.order_pipeline.create_run().resume_async(resume_data={"confirmed": True}, step="finalize")  # overloaded per step
assert sent[-1][1] == {"resumeData": {"confirmed": True}, "step": "finalize"}, sent[-1]
try:
    w.order_pipeline.create_run().resume_async(resume_data={"approved": "x"}, step="request-approval")
except Exception as exc:
    assert type(exc).__name__ == "ValidationError"
else:
    raise AssertionError("not validated by the step's model")
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=odd_package, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:]


USAGE = """
from odd_client import AsyncMastraClient, MastraClient
from odd_client.app import OrderPipelineFinalizeResume as Fin
from odd_client.app import OrderPipelineRequestApprovalResume as Req


def sync(client: MastraClient) -> None:
    run = client.app.workflows.order_pipeline.create_run()
    run.resume_async(resume_data=Fin(confirmed=True), step="finalize")
    run.resume_async(resume_data={"approved": True, "approver": "a"}, step="request-approval")
    run.resume_async(resume_data=Fin(confirmed=True), step="request-approval")  # type: ignore[call-overload]
    run.resume_async(resume_data=Fin(confirmed=True))  # type: ignore[call-overload]
    client.app.workflows.order_pipeline.resume_stream(run_id="r", resume_data={}, step=["outer", "finalize"])


async def asynchronous(client: AsyncMastraClient) -> None:
    run = await client.app.workflows.order_pipeline.create_run()
    done = await run.resume_async(resume_data=Req(approved=True, approver="a"), step="request-approval")
    print(done.result)
    wf = client.app.workflows.order_pipeline
    approval = Req(approved=True, approver="a")
    await wf.resume(run_id="r", resume_data=approval, step="finalize")  # type: ignore[call-overload]
"""


def test_a_workflow_resuming_at_several_steps_types_resume_data_by_step(odd_package: Path) -> None:
    """mypy --strict: each step's own model, a wrong one or none is an error (each ignore is needed)."""
    (odd_package / "usage.py").write_text(USAGE, encoding="utf-8")
    command = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", "/dev/null"]
    done = subprocess.run(
        [*command, "odd_client/app", "usage.py"], cwd=odd_package, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:]


def test_check_reports_the_app_s_changes(odd_package: Path) -> None:
    """``--check`` with another app: out of date, and the API summary names the app's breaking changes."""
    (odd_package / "wire.json").write_text(json.dumps(wire_snapshot()), encoding="utf-8")
    args = [str(SPEC), "-o", str(odd_package / "odd_client"), "--app", str(odd_package / "wire.json"), "--check"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert "App workflows:" in result.output
    assert "- order-pipeline  (app.workflows.order_pipeline)  BREAKING" in result.output


def test_a_spec_without_mastra_routes_refuses_an_app(tmp_path: Path) -> None:
    spec = tmp_path / "things.json"
    spec.write_text(
        json.dumps({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}), encoding="utf-8"
    )
    (tmp_path / "app.json").write_text(json.dumps(wire_snapshot()), encoding="utf-8")
    result = CliRunner().invoke(main, [str(spec), "-o", str(tmp_path / "c"), "--app", str(tmp_path / "app.json")])
    assert result.exit_code == 2 and "--app: the spec has no Mastra" in result.output


# --- the live check (generated/, typed to the e2e app) -------------------------------------------


def e2e_answers() -> tuple[dict[str, Any], dict[str, Any]]:
    """What the e2e server answers for /workflows and /tools, rebuilt from the snapshot's schemas."""
    snap = json.loads((FIXTURES / "e2e-app.json").read_text(encoding="utf-8"))

    def wire(entry: dict[str, Any]) -> dict[str, Any]:
        return {
            wk: json.dumps({"json": entry[k]})
            for k, wk in (
                ("input_schema", "inputSchema"),
                ("output_schema", "outputSchema"),
                ("resume_schema", "resumeSchema"),
                ("suspend_schema", "suspendSchema"),
            )
            if k in entry and entry[k] is not None
        }

    workflows = {
        e["key"]: {"name": wid, **wire(e), "steps": {s: {"id": s, **wire(step)} for s, step in e["steps"].items()}}
        for wid, e in snap["workflows"].items()
    }
    tools = {e["key"]: {"id": tid, **wire(e)} for tid, e in snap["tools"].items()}
    return workflows, tools


def test_fingerprints_of_the_live_answers_are_the_snapshot_s() -> None:
    snap = json.loads((FIXTURES / "e2e-app.json").read_text(encoding="utf-8"))
    live_wf, live_tools = live_fingerprints(*e2e_answers())
    assert live_wf == {wid: fingerprint(e) for wid, e in snap["workflows"].items()}
    assert live_tools == {tid: fingerprint(e) for tid, e in snap["tools"].items()}


def test_check_app_warns_once_when_the_live_app_changed() -> None:
    from mastra_client import MastraClient
    from mastra_client._runtime._app import AppMismatchWarning

    workflows, tools = e2e_answers()
    del tools["quoteTool"]
    workflows["orderPipeline"]["inputSchema"] = json.dumps({"json": {"type": "object"}})

    def server(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=workflows if request.url.path.endswith("/workflows") else tools)

    transport = httpx.MockTransport(server)
    client = MastraClient("http://changed.test", http_client=httpx.Client(transport=transport), max_retries=0)
    with client as c, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = c.check_app()
        second = c.check_app()
    assert not first.matches and first == second
    assert first.differences == ("workflow 'order-pipeline' has other schemas", "tool 'quote-order' is gone")
    assert [w.category for w in caught] == [AppMismatchWarning]
