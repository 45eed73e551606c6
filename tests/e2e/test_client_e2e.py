"""The generated client against a real Mastra server, with the sync and the async client.

Both clients run the same scenarios: every scenario is an async function taking a
`call` helper that awaits in async mode and calls directly in sync mode.
"""

from __future__ import annotations

import inspect
import json
import os
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from .mastra_server import spec_for
from .routes import run_declared, uses

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


async def call(value: Any) -> Any:
    """Await what the async client returns; pass the sync client's results through."""
    return await value if inspect.isawaitable(value) else value


Scenario = Callable[[Any], Awaitable[None]]
SCENARIOS: list[Scenario] = []


def field(value: Any, name: str) -> Any:
    """A field of a typed result, or of a plain dict (a client generated from an older spec)."""
    from mastra_client._runtime._adapters import field_of

    return field_of(value, name)


def scenario(fn: Scenario) -> Scenario:
    SCENARIOS.append(fn)
    return fn


@scenario
@uses("GET /agents", "GET /agents/{agentId}")
async def agents_list_and_get(c: Any) -> None:
    agents = await call(c.list_agents())
    assert {"echo-agent", "tool-agent"} <= set(agents)
    details = await call(c.get_agent("echo-agent").details())
    assert details.name
    assert "getWeather" in (await call(c.get_agent("tool-agent").details())).tools


@scenario
@uses("POST /agents/{agentId}/generate")
async def generate_from_a_string(c: Any) -> None:
    result = await call(c.get_agent("echo-agent").generate("hello from python"))
    assert result.text == "Echo: hello from python"
    assert result.finish_reason == "stop"
    assert result.usage is not None and result.usage.total_tokens
    assert result.run_id


@scenario
@uses("POST /agents/{agentId}/generate")
async def generate_from_messages(c: Any) -> None:
    messages = [{"role": "user", "content": "first"}, {"role": "user", "content": "second"}]
    result = await call(c.get_agent("echo-agent").generate(messages))
    assert result.text == "Echo: second"


@scenario
@uses("POST /agents/{agentId}/generate")
async def generate_with_a_server_tool(c: Any) -> None:
    result = await call(c.get_agent("tool-agent").generate("What is the weather in Berlin?"))
    assert result.text.startswith("Tool results: getWeather")
    assert result.tool_calls and result.tool_calls[0].payload.tool_name == "getWeather"


@scenario
@uses(
    "POST /memory/threads",
    "POST /agents/{agentId}/generate",
    "GET /memory/threads",
    "GET /memory/threads/{threadId}",
    "GET /memory/threads/{threadId}/messages",
    "PATCH /memory/threads/{threadId}",
    "DELETE /memory/threads/{threadId}",
)
async def memory_threads_round_trip(c: Any) -> None:
    resource, thread_id = f"user-{uuid.uuid4().hex[:8]}", f"thread-{uuid.uuid4().hex[:8]}"
    created = await call(
        c.create_memory_thread(agent_id="echo-agent", resource_id=resource, thread_id=thread_id, title="t1")
    )
    assert created.id == thread_id
    result = await call(
        c.get_agent("echo-agent").generate("remember me", memory={"thread": thread_id, "resource": resource})
    )
    assert result.text == "Echo: remember me"
    listed = await call(c.list_memory_threads(agent_id="echo-agent", resource_id=resource))
    assert [t.id for t in listed.threads] == [thread_id]
    thread = c.get_memory_thread(thread_id, agent_id="echo-agent")
    assert (await call(thread.get())).title == "t1"
    messages = await call(thread.list_messages())
    assert [field(m, "role") for m in messages.messages] == ["user", "assistant"]
    updated = await call(thread.update(title="t2", metadata={"k": "v"}, resource_id=resource))
    assert updated.title == "t2"
    await call(thread.delete())
    from mastra_client import NotFoundError

    with pytest.raises(NotFoundError):
        await call(thread.get())


@scenario
@uses(
    "GET /tools",
    "GET /tools/{toolId}",
    "POST /tools/{toolId}/execute",
    "POST /agents/{agentId}/tools/{toolId}/execute",
)
async def tools_list_get_execute(c: Any) -> None:
    tools = await call(c.list_tools())
    assert "weatherTool" in tools
    tool = c.get_tool("get-weather")
    assert (await call(tool.details())).id == "get-weather"
    result = await call(tool.execute(data={"city": "Lisbon"}))
    assert result == {"city": "Lisbon", "temperatureC": 16, "conditions": "sunny"}
    agent_tool = await call(c.get_agent("tool-agent").execute_tool("get-weather", data={"city": "Oslo"}))
    assert agent_tool["city"] == "Oslo"


@scenario
@uses("POST /tools/{toolId}/execute")
async def tool_input_validation_error_is_raised(c: Any) -> None:
    from mastra_client import APIStatusError, ToolExecutionError

    with pytest.raises(ToolExecutionError) as info:
        await call(c.get_tool("get-weather").execute(data={"city": 42}))
    assert isinstance(info.value, APIStatusError)
    assert "validation failed" in str(info.value)


@scenario
@uses(
    "GET /workflows",
    "GET /workflows/{workflowId}",
    "POST /workflows/{workflowId}/create-run",
    "POST /workflows/{workflowId}/start-async",
    "GET /workflows/{workflowId}/runs/{runId}",
    "GET /workflows/{workflowId}/runs",
)
async def workflows_list_get_and_run(c: Any) -> None:
    workflows = await call(c.list_workflows())
    assert {"greetingWorkflow", "approvalWorkflow"} <= set(workflows) or {"greeting-workflow"} <= set(workflows)
    workflow = c.get_workflow("greeting-workflow")
    details = await call(workflow.details())
    assert details.name
    run = await call(workflow.create_run())
    assert run.run_id
    result = await call(run.start_async(input_data={"name": "  ada"}))
    assert result.status == "success"
    assert result.result == {"greeting": "Hello, Ada!"} or "Hello, Ada!" in json.dumps(result.result)
    # the seed's form: the run id as an argument
    run2 = await call(workflow.create_run())
    again = await call(workflow.start_async(run_id=run2.run_id, input_data={"name": "grace"}))
    assert again.status == "success"
    fetched = await call(workflow.run_by_id(run_id=run.run_id))
    assert fetched.status == "success" and fetched.resource_id is None
    runs = await call(workflow.runs())
    assert run.run_id in {r.run_id for r in runs.runs}


@scenario
@uses(
    "POST /workflows/{workflowId}/create-run",
    "POST /workflows/{workflowId}/start-async",
    "POST /workflows/{workflowId}/resume-async",
)
async def suspended_workflow_resumed(c: Any) -> None:
    workflow = c.get_workflow("approval-workflow")
    run = await call(workflow.create_run())
    started = await call(run.start_async(input_data={"amount": 250, "requester": "bob"}))
    assert started.status == "suspended"
    resumed = await call(
        workflow.resume_async(
            run_id=run.run_id,
            step="request-approval",
            resume_data={"approved": True, "approver": "alice"},
        )
    )
    assert resumed.status == "success"
    assert "250 approved by alice" in json.dumps(resumed.result)


@scenario
@uses(
    "POST /vector/{vectorName}/create-index",
    "GET /vector/{vectorName}/indexes",
    "POST /vector/{vectorName}/upsert",
    "POST /vector/{vectorName}/query",
)
async def vectors_create_upsert_query(c: Any) -> None:
    vector = c.get_vector("libsqlVector")
    index = f"idx_{uuid.uuid4().hex[:8]}"
    await call(vector.create_index(index_name=index, dimension=3))
    assert index in await call(vector.get_indexes())
    ids = await call(
        vector.upsert(
            index_name=index,
            vectors=[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]],
            metadata=[{"n": "x"}, {"n": "y"}],
        )
    )
    assert len(ids.ids) == 2
    hits = await call(vector.query(index_name=index, query_vector=[0.9, 0.1, 0.0], top_k=1))
    assert field(hits[0], "metadata") == {"n": "x"}


@scenario
@uses("GET /agents/{agentId}")
async def not_found_carries_the_server_message(c: Any) -> None:
    from mastra_client import NotFoundError

    with pytest.raises(NotFoundError) as info:
        await call(c.get_agent("no-such-agent").details())
    assert info.value.status_code == 404
    assert info.value.message == "Agent with id no-such-agent not found"


@scenario
@uses("POST /memory/threads")
async def bad_request_carries_the_issues(c: Any) -> None:
    from mastra_client import BadRequestError

    with pytest.raises(BadRequestError) as info:
        await call(c.create_memory_thread(agent_id="echo-agent", resource_id="r", extra_body={"resourceId": 5}))
    assert info.value.status_code == 400
    assert info.value.issues and info.value.issues[0]["field"] == "resourceId"


@scenario
@uses(unrouted=True)
async def a_route_the_server_does_not_have_says_so(c: Any) -> None:
    from mastra_client import NotFoundError

    with pytest.raises(NotFoundError) as info:
        await call(c.request("POST", "/agents/echo-agent/no-such-action", json_body={}))
    assert info.value.route_missing is True
    assert "POST /api/agents/echo-agent/no-such-action is not a route on this server" in str(info.value)
    assert "check_server_version()" in str(info.value)


@scenario
@uses(
    "GET /agents/{agentId}/voice/speakers",
    "POST /agents/{agentId}/voice/speak",
    server_gaps={"1.24.0": "voice/speak answers 200 with an empty text/plain body under today's @mastra/core"},
)
async def voice_speak_returns_the_audio_bytes_and_streams_them(c: Any) -> None:
    expected = b"\xff\xfb\x90\x64" + "héllo".encode() + b"\xaa" * 65536
    assert await call(c.get_agent("voice-agent").get_speakers())
    assert await call(c.agents.voice_speak("voice-agent", text="héllo")) == expected
    streaming = c.with_streaming_response.get_agent("voice-agent").voice_speak("héllo")
    if hasattr(streaming, "__aenter__"):
        async with streaming as response:
            pieces = [piece async for piece in response.aiter_bytes()]
    else:
        with streaming as response:
            pieces = list(response.iter_bytes())
    assert response.status_code == 200 and response.content_type == "audio/mpeg"
    assert b"".join(pieces) == expected and response.is_closed


@pytest.mark.parametrize("scenario_fn", SCENARIOS, ids=[s.__name__ for s in SCENARIOS])
async def test_scenario(
    any_client: Any, scenario_fn: Scenario, available_routes: Any, route_matcher: Any, mastra_server_version: str
) -> None:
    await run_declared(scenario_fn, any_client, available_routes, route_matcher, mastra_server_version)


def test_live_spec_equals_the_pinned_spec(mastra_server: Any, mastra_server_version: str) -> None:
    pinned_spec = spec_for(mastra_server_version)
    if not pinned_spec.is_file():  # an older server under today's app: its document is not pinned
        pytest.skip(f"no pinned spec of @mastra/server {mastra_server_version} with this app ({pinned_spec.name})")
    live = httpx.get(f"{mastra_server.api_url}/openapi.json", timeout=30).json()
    pinned = json.loads(pinned_spec.read_text(encoding="utf-8"))
    assert live == pinned, "the server's document changed: update specs/ and regenerate generated/"


def test_system_packages_report_the_selected_server(mastra_server: Any, mastra_server_version: str) -> None:
    """The suite really talks to the @mastra/server that MASTRA_E2E_SERVER selected.

    server.mjs writes the installed @mastra/* versions to MASTRA_PACKAGES_FILE,
    which GET /api/system/packages reports (as under `mastra dev`).
    """
    body = httpx.get(f"{mastra_server.api_url}/system/packages", timeout=30).json()
    versions = {package["name"]: package["version"] for package in body["packages"]}
    assert versions.get("@mastra/server") == mastra_server_version, body["packages"]
    assert {"@mastra/core", "@mastra/hono"} <= set(versions), body["packages"]
    assert [package["name"] for package in body["packages"]] == sorted(versions)


def test_client_under_test_comes_from_the_selected_directory() -> None:
    """MASTRA_E2E_CLIENT_DIR, when set, replaces generated/ as the home of `mastra_client`."""
    import mastra_client

    client_dir = Path(os.environ.get("MASTRA_E2E_CLIENT_DIR") or ROOT / "generated").resolve()
    assert Path(mastra_client.__file__).resolve().is_relative_to(client_dir / "mastra_client")


def test_generate_from_the_live_server_url(mastra_server: Any, tmp_path: Path) -> None:
    from click.testing import CliRunner
    from mastra_codegen.cli import main

    out = tmp_path / "live_client"
    result = CliRunner().invoke(main, [f"{mastra_server.api_url}/openapi.json", "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert (out / "resources" / "agents.py").is_file()
