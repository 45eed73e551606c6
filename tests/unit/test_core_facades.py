"""The core client-js classes (Agent, agent.voice, Workflow, WorkflowRun, MemoryThread, Vector,
Tool, McpTool, AgentBuilder), checked by what goes on the wire and by the parsed result.

``request_context=`` goes where @mastra/client-js 1.47.0 sends it on that route: a base64 JSON
``?requestContext=`` on reads and memory calls, the body field where the body has one. Every
scenario runs on the sync and the async client through ``httpx.MockTransport``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import inspect
import json
import urllib.parse
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from mastra_client import AsyncMastraClient, MastraClient, models

BASE_URL = "http://mastra.test"
CTX = {"tenant": "acme", "tier": 2}


class Server:
    def __init__(self, answer: Callable[[httpx.Request], Any] | Any = None) -> None:
        self.answer = answer
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        body = self.answer(request) if callable(self.answer) else self.answer
        return body if isinstance(body, httpx.Response) else httpx.Response(200, json=body if body is not None else {})

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]


async def maybe(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


def run(kind: str, server: Server, scenario: Callable[[Any], Any]) -> None:
    if kind == "sync":
        client: Any = MastraClient(
            BASE_URL, http_client=httpx.Client(transport=httpx.MockTransport(server)), max_retries=0
        )
    else:
        client = AsyncMastraClient(
            BASE_URL, http_client=httpx.AsyncClient(transport=httpx.MockTransport(server)), max_retries=0
        )
    asyncio.run(scenario(client))


def query(request: httpx.Request) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(request.url.query.decode())


def context_of(request: httpx.Request) -> Any:
    return json.loads(base64.b64decode(query(request)["requestContext"][0]))


KINDS = pytest.mark.parametrize("kind", ["sync", "async"])

# (call on the client, method, path) for every core read that sends ?requestContext=.
QUERY_CONTEXT_CALLS: list[tuple[str, Callable[[Any], Any], str, str]] = [
    ("agent.details", lambda c: c.get_agent("a1").details(request_context=CTX), "GET", "/api/agents/a1"),
    (
        "agent.get_tool",
        lambda c: c.get_agent("a1").get_tool("t1", request_context=CTX),
        "GET",
        "/api/agents/a1/tools/t1",
    ),
    (
        "agent.list_suspended_runs",
        lambda c: c.get_agent("a1").list_suspended_runs(request_context=CTX),
        "GET",
        "/api/agents/a1/suspended-runs",
    ),
    (
        "agent.read_plan",
        lambda c: c.get_agent("a1").read_plan("p.md", request_context=CTX),
        "GET",
        "/api/agents/a1/plans/file",
    ),
    (
        "voice.get_speakers",
        lambda c: c.get_agent("a1").voice.get_speakers(request_context=CTX),
        "GET",
        "/api/agents/a1/voice/speakers",
    ),
    (
        "voice.get_listener",
        lambda c: c.get_agent("a1").voice.get_listener(request_context=CTX),
        "GET",
        "/api/agents/a1/voice/listener",
    ),
    ("workflow.details", lambda c: c.get_workflow("w1").details(request_context=CTX), "GET", "/api/workflows/w1"),
    ("workflow.runs", lambda c: c.get_workflow("w1").runs(request_context=CTX), "GET", "/api/workflows/w1/runs"),
    (
        "workflow.run_by_id",
        lambda c: c.get_workflow("w1").run_by_id("r1", request_context=CTX),
        "GET",
        "/api/workflows/w1/runs/r1",
    ),
    (
        "thread.get",
        lambda c: c.get_memory_thread("th1", "a1").get(request_context=CTX),
        "GET",
        "/api/memory/threads/th1",
    ),
    (
        "thread.list_messages",
        lambda c: c.get_memory_thread("th1", "a1").list_messages(request_context=CTX),
        "GET",
        "/api/memory/threads/th1/messages",
    ),
    (
        "thread.delete_messages",
        lambda c: c.get_memory_thread("th1", "a1").delete_messages(message_ids=["m1"], request_context=CTX),
        "POST",
        "/api/memory/messages/delete",
    ),
    (
        "thread.update",
        lambda c: c.get_memory_thread("th1", "a1").update(title="t", request_context=CTX),
        "PATCH",
        "/api/memory/threads/th1",
    ),
    (
        "thread.clone",
        lambda c: c.get_memory_thread("th1", "a1").clone(request_context=CTX),
        "POST",
        "/api/memory/threads/th1/clone",
    ),
    (
        "vector.details",
        lambda c: c.get_vector("v1").details("i1", request_context=CTX),
        "GET",
        "/api/vector/v1/indexes/i1",
    ),
    (
        "vector.get_indexes",
        lambda c: c.get_vector("v1").get_indexes(request_context=CTX),
        "GET",
        "/api/vector/v1/indexes",
    ),
    ("tool.details", lambda c: c.get_tool("t1").details(request_context=CTX), "GET", "/api/tools/t1"),
    (
        "mcp_tool.details",
        lambda c: c.get_mcp_server_tool("s1", "t1").details(request_context=CTX),
        "GET",
        "/api/mcp/s1/tools/t1",
    ),
    (
        "mcp_tool.execute",
        lambda c: c.get_mcp_server_tool("s1", "t1").execute(data={"x": 1}, request_context=CTX),
        "POST",
        "/api/mcp/s1/tools/t1/execute",
    ),
    (
        "list_memory_threads",
        lambda c: c.list_memory_threads(agent_id="a1", request_context=CTX),
        "GET",
        "/api/memory/threads",
    ),
    (
        "get_memory_config",
        lambda c: c.get_memory_config(agent_id="a1", request_context=CTX),
        "GET",
        "/api/memory/config",
    ),
]


@KINDS
@pytest.mark.parametrize("call", QUERY_CONTEXT_CALLS, ids=lambda c: c[0])
def test_request_context_goes_in_the_query(kind: str, call: tuple[str, Callable[[Any], Any], str, str]) -> None:
    _, fn, method, path = call
    server = Server({})

    async def scenario(client: Any) -> None:
        # The answer may not fit the result model: the request is what counts.
        with contextlib.suppress(Exception):
            await maybe(fn(client))

    run(kind, server, scenario)
    assert server.last.method == method
    assert server.last.url.path == path
    assert context_of(server.last) == CTX


@KINDS
def test_request_context_stays_in_the_body_where_the_route_has_it(kind: str) -> None:
    server = Server({"ok": True})

    async def scenario(client: Any) -> None:
        await maybe(client.get_tool("t1").execute(data={"x": 1}, request_context=CTX))

    run(kind, server, scenario)
    assert json.loads(server.last.content)["requestContext"] == CTX
    assert "requestContext" not in query(server.last)


@KINDS
def test_agent_voice(kind: str) -> None:
    server = Server(lambda r: [{"voiceId": "alloy"}] if r.url.path.endswith("speakers") else {"enabled": True})

    async def scenario(client: Any) -> None:
        voice = client.get_agent("a1").voice
        assert type(voice).__name__ == ("AgentVoice" if kind == "sync" else "AsyncAgentVoice")
        assert voice.agent_id == "a1"
        assert (await maybe(voice.get_speakers()))[0].voice_id == "alloy"
        await maybe(voice.speak("hello", speaker_id="alloy"))
        assert server.last.url.path == "/api/agents/a1/voice/speak"
        assert json.loads(server.last.content) == {"text": "hello", "speakerId": "alloy"}

    run(kind, server, scenario)


@KINDS
def test_workflow_get_schema_decodes_the_json_strings(kind: str) -> None:
    schema = {"type": "object", "properties": {"city": {"type": "string"}}}
    answer = {
        "name": "w1",
        "steps": {},
        "stepGraph": [],
        "inputSchema": json.dumps({"json": schema}),  # superjson-wrapped, as some releases send
        "outputSchema": json.dumps(schema),
    }
    server = Server(answer)

    async def scenario(client: Any) -> None:
        result = await maybe(client.get_workflow("w1").get_schema(request_context=CTX))
        assert isinstance(result, models.WorkflowSchema)
        assert result.input_schema == schema
        assert result.output_schema == schema

    run(kind, server, scenario)
    assert server.last.url.path == "/api/workflows/w1"


@KINDS
def test_workflow_get_schema_without_schemas(kind: str) -> None:
    server = Server({"name": "w1", "steps": {}, "stepGraph": []})

    async def scenario(client: Any) -> None:
        result = await maybe(client.get_workflow("w1").get_schema())
        assert result.input_schema is None and result.output_schema is None

    run(kind, server, scenario)


@KINDS
def test_run_cancel_run(kind: str) -> None:
    server = Server({"message": "canceled"})

    async def scenario(client: Any) -> None:
        run_ = client.get_workflow("w1")
        from mastra_client import AsyncWorkflowRun, WorkflowRun

        cls = WorkflowRun if kind == "sync" else AsyncWorkflowRun
        await maybe(cls(client, workflow_id="w1", run_id="r1").cancel_run())
        assert run_.workflow_id == "w1"

    run(kind, server, scenario)
    assert (server.last.method, server.last.url.path) == ("POST", "/api/workflows/w1/runs/r1/cancel")


@KINDS
def test_mcp_tool(kind: str) -> None:
    server = Server({"id": "t1", "name": "t1", "description": "d", "inputSchema": {}})

    async def scenario(client: Any) -> None:
        tool = client.get_mcp_server_tool("s 1", "t1")
        assert (tool.server_id, tool.tool_id) == ("s 1", "t1")
        await maybe(tool.details())
        assert server.last.url.raw_path.decode().startswith("/api/mcp/s%201/tools/t1")

    run(kind, server, scenario)


@KINDS
@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (
            {"status": "success", "result": {"success": True, "applied": True, "message": "merged", "branchName": "b"}},
            {"success": True, "applied": True, "message": "merged", "branch_name": "b"},
        ),
        (
            {"status": "failed", "error": {"message": "boom"}},
            {"success": False, "applied": False, "message": "Agent builder action failed: boom", "error": "boom"},
        ),
        (
            {"status": "suspended"},
            {"success": False, "applied": False, "message": "Agent builder action was suspended"},
        ),
    ],
)
def test_agent_builder_start_async_returns_the_action_result(kind: str, answer: Any, expected: dict[str, Any]) -> None:
    server = Server(answer)

    async def scenario(client: Any) -> None:
        action = client.get_agent_builder_action("merge-template")
        assert type(action).__name__ in ("AgentBuilder", "AsyncAgentBuilder")
        result = await maybe(action.start_async(run_id="r1", input_data={"repo": "x"}))
        assert isinstance(result, models.AgentBuilderActionResult)
        for name, value in expected.items():
            assert getattr(result, name) == value
        resumed = await maybe(action.resume_async(run_id="r1", step="s"))
        assert isinstance(resumed, models.AgentBuilderActionResult)

    run(kind, server, scenario)
    assert server.requests[0].url.path == "/api/agent-builder/merge-template/start-async"
    assert query(server.requests[0])["runId"] == ["r1"]


def test_agent_builder_action_is_an_alias() -> None:
    import mastra_client

    assert mastra_client.AgentBuilderAction is mastra_client.AgentBuilder
    assert mastra_client.AsyncAgentBuilderAction is mastra_client.AsyncAgentBuilder


@KINDS
def test_memory_messages_and_vector_results_are_typed(kind: str) -> None:
    message = {
        "id": "m1",
        "role": "user",
        "createdAt": "2026-11-23T10:13:33.682Z",
        "threadId": "th1",
        "resourceId": "u1",
        "content": {"format": 2, "parts": [{"type": "text", "text": "hi"}], "content": "hi"},
    }

    def answer(request: httpx.Request) -> Any:
        if request.url.path.endswith("/query"):
            return [{"id": "a", "score": 1, "metadata": {"t": "a"}}]
        return {"messages": [message], "uiMessages": None, "total": 1, "page": 0, "perPage": 40, "hasMore": False}

    server = Server(answer)

    async def scenario(client: Any) -> None:
        page = await maybe(client.get_memory_thread("th1", "a1").list_messages())
        assert isinstance(page.messages[0], models.MastraDBMessage)
        assert [(p.type, p.text) for p in page.messages[0].content.parts] == [("text", "hi")]
        assert page.has_more is False
        hits = await maybe(client.get_vector("v1").query(index_name="i1", query_vector=[0.1]))
        assert isinstance(hits[0], models.VectorQueryResult)
        assert (hits[0].id, hits[0].score) == ("a", 1)

    run(kind, server, scenario)


@KINDS
def test_workflow_stream_legacy_is_a_typed_stream(kind: str) -> None:
    records = b"".join(
        json.dumps(r).encode() + b"\x1e" for r in [{"type": "start", "payload": {}}, {"type": "finish", "payload": {}}]
    )
    server = Server(lambda r: httpx.Response(200, content=records, headers={"content-type": "text/plain"}))

    async def scenario(client: Any) -> None:
        wf = client.get_workflow("w1")
        if kind == "sync":
            with wf.stream_legacy(run_id="r1", input_data={}) as stream:
                events = list(stream)
        else:
            async with wf.stream_legacy(run_id="r1", input_data={}) as stream:
                events = [e async for e in stream]
        assert [e["type"] for e in events] == ["start", "finish"]

    run(kind, server, scenario)
    assert server.last.url.path == "/api/workflows/w1/stream-legacy"


@KINDS
def test_agent_browser_routes(kind: str) -> None:
    server = Server(
        lambda r: {"hasSession": False, "screencastAvailable": False} if r.method == "GET" else {"success": True}
    )

    async def scenario(client: Any) -> None:
        agent = client.get_agent("a1")
        await maybe(agent.browser_session(thread_id="th1"))
        assert (server.last.url.path, query(server.last)) == ("/api/agents/a1/browser/session", {"threadId": ["th1"]})
        await maybe(agent.close_browser(thread_id="th1"))
        assert json.loads(server.last.content) == {"threadId": "th1"}

    run(kind, server, scenario)


@KINDS
def test_agent_clone_sends_request_context_in_the_body(kind: str) -> None:
    server = Server({"id": "copy", "name": "Copy"})

    async def scenario(client: Any) -> None:
        with contextlib.suppress(Exception):
            await maybe(client.get_agent("a1").clone(new_id="copy", request_context=CTX))

    run(kind, server, scenario)
    assert server.last.url.path == "/api/agents/a1/clone"
    assert json.loads(server.last.content) == {"newId": "copy", "requestContext": CTX}


def test_get_agent_with_a_version_sends_it_on_every_call_of_the_agent_and_its_voice() -> None:
    """client-js getAgent(id, {versionId} | {status}): the selector goes with each request."""
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[] if request.url.path.endswith("/speakers") else {})

    client = MastraClient("http://v.test", http_client=httpx.Client(transport=httpx.MockTransport(answer)))
    agent = client.get_agent("support", {"versionId": "v-7"})
    agent.details(request_context={"t": 1})
    agent.voice.get_speakers()
    client.get_agent("support", version={"status": "draft"}).details(extra_query={"x": "1"})
    client.get_agent("support").details()
    assert seen[0].url.params["versionId"] == "v-7" and "requestContext" in seen[0].url.params
    assert seen[1].url.params["versionId"] == "v-7"
    assert (seen[2].url.params["status"], seen[2].url.params["x"]) == ("draft", "1")
    assert "versionId" not in seen[3].url.params and "status" not in seen[3].url.params
