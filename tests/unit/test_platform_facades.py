"""MastraClient's platform methods, as @mastra/client-js 1.47.0 names and sends them.

Observability (traces, scores, feedback, metrics), datasets and experiments, schedules, the
background-task subscription, builder and auth reads, and ``request_context=`` on the client-level
reads: each is checked by what goes on the wire (method, path, query with the base64
``requestContext``, body) and by the parsed result, on the sync and the async client, through
``httpx.MockTransport``.
"""

from __future__ import annotations

import base64
import inspect
import json
import urllib.parse
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from mastra_client import AsyncMastraClient, MastraClient, models

BASE_URL = "http://mastra.test"


class Server:
    """Answers every request with ``answer(request)`` (JSON), records the requests."""

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


def sync_client(server: Server) -> MastraClient:
    return MastraClient(BASE_URL, http_client=httpx.Client(transport=httpx.MockTransport(server)), max_retries=0)


def async_client(server: Server) -> AsyncMastraClient:
    return AsyncMastraClient(
        BASE_URL, http_client=httpx.AsyncClient(transport=httpx.MockTransport(server)), max_retries=0
    )


def query(request: httpx.Request) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(request.url.query.decode())


def context_of(request: httpx.Request) -> Any:
    return json.loads(base64.b64decode(query(request)["requestContext"][0]))


def body(request: httpx.Request) -> Any:
    return json.loads(request.content)


CONTEXT = {"tenant": "acme", "user": "Zoë"}

# --------------------------------------------------------------------------- request_context on reads

READS_WITH_CONTEXT: list[tuple[str, dict[str, Any], str, str, dict[str, str]]] = [
    ("list_agents", {}, "GET", "/api/agents", {}),
    ("list_tools", {}, "GET", "/api/tools", {}),
    ("list_workflows", {"partial": "true"}, "GET", "/api/workflows", {"partial": "true"}),
    ("list_workflow_run_counts", {}, "GET", "/api/workflows/run-counts", {}),
    ("list_processors", {}, "GET", "/api/processors", {}),
    ("list_scorers", {}, "GET", "/api/scores/scorers", {}),
    (
        "get_memory_status",
        {"agent_id": "a1", "thread_id": "t1"},
        "GET",
        "/api/memory/status",
        {"agentId": "a1", "threadId": "t1"},
    ),
    (
        "get_observational_memory",
        {"agent_id": "a1", "resource_id": "r1", "limit": 5},
        "GET",
        "/api/memory/observational-memory",
        {"agentId": "a1", "resourceId": "r1", "limit": "5"},
    ),
    ("delete_thread", {"thread_id": "t1", "agent_id": "a1"}, "DELETE", "/api/memory/threads/t1", {"agentId": "a1"}),
    (
        "search_memory",
        {"agent_id": "a1", "search_query": "blue", "resource_id": "r1"},
        "GET",
        "/api/memory/search",
        {"agentId": "a1", "searchQuery": "blue", "resourceId": "r1"},
    ),
    (
        "get_working_memory",
        {"thread_id": "t1", "agent_id": "a1", "resource_id": "r1"},
        "GET",
        "/api/memory/threads/t1/working-memory",
        {"agentId": "a1", "resourceId": "r1"},
    ),
]


def _answer_for_reads(request: httpx.Request) -> Any:
    path = request.url.path
    if path == "/api/memory/status":
        return {"result": True}
    if path == "/api/memory/search":
        return {"results": [], "count": 0, "query": "blue"}
    if path.endswith("/working-memory"):
        return {"workingMemory": "# notes", "source": "thread", "workingMemoryTemplate": None, "threadExists": True}
    if path == "/api/memory/observational-memory":
        return {"record": None, "history": []}
    if path.startswith("/api/memory/threads/"):
        return {"result": "deleted"}
    return {}


@pytest.mark.parametrize(
    ("name", "kwargs", "method", "path", "params"), READS_WITH_CONTEXT, ids=lambda v: v if isinstance(v, str) else ""
)
def test_client_level_reads_send_request_context_as_client_js_does(
    name: str, kwargs: dict[str, Any], method: str, path: str, params: dict[str, str]
) -> None:
    server = Server(_answer_for_reads)
    client = sync_client(server)
    getattr(client, name)(**kwargs, request_context=CONTEXT)
    request = server.last
    assert (request.method, request.url.path) == (method, path)
    assert context_of(request) == CONTEXT
    assert {k: v[0] for k, v in query(request).items() if k != "requestContext"} == params
    getattr(client, name)(**kwargs)
    assert "requestContext" not in query(server.last)


@pytest.mark.parametrize(
    ("name", "kwargs", "method", "path", "params"),
    READS_WITH_CONTEXT[:3],
    ids=lambda v: v if isinstance(v, str) else "",
)
async def test_the_async_client_sends_it_too(
    name: str, kwargs: dict[str, Any], method: str, path: str, params: dict[str, str]
) -> None:
    server = Server(_answer_for_reads)
    await getattr(async_client(server), name)(**kwargs, request_context=CONTEXT)
    assert (server.last.method, server.last.url.path) == (method, path)
    assert context_of(server.last) == CONTEXT


def test_writes_with_request_context_in_the_query_keep_their_body() -> None:
    server = Server({"record": None})
    client = sync_client(server)
    client.await_buffer_status(agent_id="a1", resource_id="r1", thread_id="t1", request_context=CONTEXT)
    assert server.last.method == "POST" and server.last.url.path == "/api/memory/observational-memory/buffer-status"
    assert context_of(server.last) == CONTEXT
    assert body(server.last) == {"agentId": "a1", "resourceId": "r1", "threadId": "t1"}
    server.answer = {"success": True}
    client.update_working_memory("t1", agent_id="a1", working_memory="# hi", request_context=CONTEXT)
    assert server.last.url.path == "/api/memory/threads/t1/working-memory"
    assert query(server.last)["agentId"] == ["a1"] and context_of(server.last) == CONTEXT
    assert body(server.last) == {"workingMemory": "# hi"}


# --------------------------------------------------------------------------- observability

SCORE_ROW = {
    "id": "s1",
    "scorerId": "relevance",
    "entityId": "echo-agent",
    "runId": "run-1",
    "score": 0.75,
    "reason": "close enough",
    "output": {"text": "hi"},
    "scorer": {"id": "relevance"},
    "source": "LIVE",
    "entity": {"id": "echo-agent"},
    "createdAt": "2026-01-01T00:00:00.000Z",
    "updatedAt": None,
}


def test_score_percentiles_and_feedback_have_their_client_js_names() -> None:
    server = Server(
        lambda r: (
            {"series": [{"percentile": 0.5, "points": [{"timestamp": "2026-01-01T00:00:00.000Z", "value": 0.8}]}]}
            if r.url.path.endswith("/percentiles")
            else {"feedback": {"feedbackId": "f1"}}
        )
    )
    client = sync_client(server)
    result = client.get_score_percentiles(scorer_id="relevance", percentiles=[0.5, 0.9], interval="1h")
    assert (server.last.method, server.last.url.path) == ("POST", "/api/observability/scores/percentiles")
    assert body(server.last) == {"scorerId": "relevance", "percentiles": [0.5, 0.9], "interval": "1h"}
    assert result.series[0].percentile == 0.5
    client.create_feedback(feedback={"traceId": "t1", "feedbackType": "thumbs", "value": 1, "feedbackSource": "user"})
    assert (server.last.method, server.last.url.path) == ("POST", "/api/observability/feedback")
    assert body(server.last) == {
        "feedback": {"traceId": "t1", "feedbackType": "thumbs", "value": 1, "feedbackSource": "user"}
    }


def test_trace_reads_and_the_legacy_get_traces() -> None:
    server = Server({"pagination": {"total": 0, "page": 0, "perPage": 10, "hasMore": False}, "spans": []})
    client = sync_client(server)
    client.get_traces(page=0, per_page=10, name="agent run", entity_type="agent", entity_id="echo-agent")
    assert server.last.url.path == "/api/observability/traces"
    assert {k: v[0] for k, v in query(server.last).items()} == {
        "page": "0",
        "perPage": "10",
        "name": "agent run",
        "entityType": "agent",
        "entityId": "echo-agent",
    }
    server.answer = {"traceId": "t 1", "spans": []}
    client.get_trace_light("t 1")
    assert server.last.url.raw_path == b"/api/observability/traces/t%201/light"
    server.answer = {"scores": [SCORE_ROW], "pagination": {"total": 1, "page": 0, "perPage": 10, "hasMore": False}}
    page = client.list_scores_by_span(trace_id="t1", span_id="s1", page=0, per_page=10)
    assert server.last.url.path == "/api/observability/traces/t1/s1/scores"
    assert page.scores[0].score == 0.75


def test_score_rows_of_the_scores_routes_are_typed() -> None:
    server = Server({"scores": [SCORE_ROW], "pagination": {"total": 1, "page": 0, "perPage": 10, "hasMore": False}})
    client = sync_client(server)
    page = client.list_scores_by_run_id("run-1")
    assert isinstance(page, models.ScoreRowPage)
    row = page.scores[0]
    assert isinstance(row, models.ScoreRow)
    assert (row.id, row.scorer_id, row.score, row.reason, row.source) == (
        "s1",
        "relevance",
        0.75,
        "close enough",
        "LIVE",
    )
    server.answer = {"score": SCORE_ROW}
    saved = client.save_score(score={"scorerId": "relevance", "score": 0.75})
    assert isinstance(saved.score, models.ScoreRow)


async def test_async_observability_reads() -> None:
    server = Server({"entityTypes": ["agent"]})
    client = async_client(server)
    await client.get_entity_types()
    assert server.last.url.path == "/api/observability/discovery/entity-types"
    server.answer = {"values": [{"value": "prod", "count": 3}], "valuesTruncated": False}
    values = await client.get_trace_query_values(
        time_range={"from": "2026-01-01T00:00:00Z", "to": "2026-01-02T00:00:00Z"},
        predicate_scope="trace",
        path="environment",
    )
    assert server.last.url.path == "/api/observability/traces/query/values"
    assert body(server.last)["path"] == "environment"
    assert values.values[0].count == 3
    server.answer = {"threads": [{"threadId": "th-1"}], "page": {"next": None}}
    threads = await client.query_trace_threads(
        traces={"timeRange": {"from": "2026-01-01T00:00:00Z", "to": "2026-01-02T00:00:00Z"}}, page={"limit": 10}
    )
    assert (server.last.method, server.last.url.path) == ("POST", "/api/observability/threads/query")
    assert body(server.last)["page"] == {"limit": 10}
    assert threads.threads[0].thread_id == "th-1" and threads.page.next is None


# --------------------------------------------------------------------------- datasets and experiments


def test_create_dataset_experiment_is_trigger_with_start_false() -> None:
    server = Server({"experimentId": "e1", "status": "pending", "totalItems": 0})
    client = sync_client(server)
    assert "start" not in inspect.signature(MastraClient.create_dataset_experiment).parameters
    client.create_dataset_experiment("d1", name="pending")
    assert (server.last.method, server.last.url.path) == ("POST", "/api/datasets/d1/experiments")
    assert body(server.last) == {"name": "pending", "start": False}
    client.trigger_dataset_experiment("d1", target_type="agent", target_id="echo-agent")
    assert body(server.last) == {"targetType": "agent", "targetId": "echo-agent"}


def test_dataset_routes_keep_ids_in_the_path_and_the_rest_in_query_or_body() -> None:
    server = Server({})
    client = sync_client(server)
    client.update_dataset("d 1", organization_id="org", name="renamed")
    assert server.last.method == "PATCH" and server.last.url.raw_path.startswith(b"/api/datasets/d%201?")
    assert query(server.last) == {"organizationId": ["org"]} and body(server.last) == {"name": "renamed"}
    client.list_dataset_experiment_results("d1", "e1", tags=["a", "b"], page=1)
    assert server.last.url.path == "/api/datasets/d1/experiments/e1/results"
    assert query(server.last) == {"tags": ["a", "b"], "page": ["1"]}
    client.batch_delete_dataset_items("d1", item_ids=["i1", "i2"])
    assert (server.last.method, server.last.url.path) == ("DELETE", "/api/datasets/d1/items/batch")
    assert body(server.last) == {"itemIds": ["i1", "i2"]}
    client.get_dataset_item_version("d1", "i1", 3)
    assert server.last.url.path == "/api/datasets/d1/items/i1/versions/3"


async def test_async_experiment_methods() -> None:
    server = Server({})
    client = async_client(server)
    await client.finalize_experiment("d1", "e1")
    assert (server.last.method, server.last.url.path) == ("POST", "/api/datasets/d1/experiments/e1/finalize")
    await client.compare_experiments("d1", experiment_id_a="e1", experiment_id_b="e2")
    assert body(server.last) == {"experimentIdA": "e1", "experimentIdB": "e2"}


# --------------------------------------------------------------------------- schedules

SCHEDULE = {
    "id": "sch-1",
    "target": {"type": "workflow", "workflowId": "greeting-workflow", "inputData": {"name": "x"}},
    "cron": "0 * * * *",
    "status": "paused",
    "nextFireAt": 1,
    "createdAt": 1,
    "updatedAt": 1,
}


def test_schedule_methods() -> None:
    server = Server(SCHEDULE)
    client = sync_client(server)
    client.pause_schedule("sch-1")
    assert (server.last.method, server.last.url.path) == ("POST", "/api/schedules/sch-1/pause")
    server.answer = {"triggers": []}
    client.list_schedule_triggers("sch-1", limit=5)
    assert server.last.url.path == "/api/schedules/sch-1/triggers" and query(server.last) == {"limit": ["5"]}
    server.answer = {"schedules": []}
    client.list_schedules(workflow_id="greeting-workflow")
    assert query(server.last) == {"workflowId": ["greeting-workflow"]}


# --------------------------------------------------------------------------- background-task subscription


def _sse(*events: dict[str, Any]) -> bytes:
    return b"".join(b"data: " + json.dumps(e).encode() + b"\n\n" for e in events)


RUNNING = {
    "type": "background-task-running",
    "payload": {
        "taskId": "bt1",
        "toolName": "slow",
        "toolCallId": "c1",
        "agentId": "a",
        "runId": "r",
        "args": {"n": 1},
    },
}
DONE = {
    "type": "background-task-completed",
    "payload": {
        "taskId": "bt1",
        "toolName": "slow",
        "toolCallId": "c1",
        "agentId": "a",
        "runId": "r",
        "result": {"ok": True},
    },
}
NEWER = {"type": "background-task-paused", "payload": {"taskId": "bt1"}}


class Broken(httpx.SyncByteStream):
    def __init__(self, data: bytes) -> None:
        self.data = data

    def __iter__(self) -> Iterator[bytes]:
        yield self.data
        raise httpx.ReadError("connection reset by peer")


def test_the_background_task_stream_is_typed() -> None:
    server = Server(
        lambda r: httpx.Response(200, headers={"content-type": "text/event-stream"}, content=_sse(RUNNING, DONE, NEWER))
    )
    with sync_client(server).stream_background_tasks(agent_id="a", task_id="bt1") as stream:
        chunks = list(stream)
    assert (server.last.method, server.last.url.path) == ("GET", "/api/background-tasks/stream")
    assert query(server.last) == {"agentId": ["a"], "taskId": ["bt1"]}
    assert [type(c) for c in chunks] == [
        models.BackgroundTaskRunningChunk,
        models.BackgroundTaskCompletedChunk,
        models.OtherBackgroundTaskChunk,
    ]
    assert chunks[0].payload.args == {"n": 1}
    assert chunks[1].payload.result == {"ok": True}
    assert "idle_timeout" in inspect.signature(MastraClient.stream_background_tasks).parameters


def test_the_background_task_stream_reconnects_when_the_connection_drops() -> None:
    responses = [
        httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=Broken(_sse(RUNNING))),
        httpx.Response(200, headers={"content-type": "text/event-stream"}, content=_sse(DONE)),
    ]
    server = Server(lambda r: responses.pop(0))
    client = sync_client(server)
    sleeps: list[float] = []
    client._sleep = sleeps.append  # type: ignore[method-assign]
    with client.stream_background_tasks(task_id="bt1", reconnect=1) as stream:
        types = [c.type for c in stream]
    assert types == ["background-task-running", "background-task-completed"]
    assert len(server.requests) == 2 and query(server.requests[1]) == {"taskId": ["bt1"]}
    assert sleeps == [1.0]


async def test_the_async_background_task_stream() -> None:
    server = Server(
        lambda r: httpx.Response(200, headers={"content-type": "text/event-stream"}, content=_sse(RUNNING, DONE))
    )
    async with async_client(server).stream_background_tasks(run_id="r") as stream:
        types = [c.type async for c in stream]
    assert types == ["background-task-running", "background-task-completed"]
    assert query(server.last) == {"runId": ["r"]}


# --------------------------------------------------------------------------- builder, auth


def test_builder_registry_reads() -> None:
    server = Server({"skills": []})
    client = sync_client(server)
    client.search_builder_registry("skills sh", q="pdf", limit=3)
    assert server.last.url.raw_path == b"/api/editor/builder/registries/skills%20sh/search?q=pdf&limit=3"
    client.get_builder_registry_preview("r", owner="o", repo="p", path="SKILL.md")
    assert query(server.last) == {"owner": ["o"], "repo": ["p"], "path": ["SKILL.md"]}
    server.answer = {"patterns": []}
    client.get_permission_patterns()
    assert server.last.url.path == "/api/auth/permission-patterns"


# --------------------------------------------------------------------------- Processor


def test_processor_details_and_execute() -> None:
    server = Server({"id": "p1", "name": "P", "phases": ["input"], "configurations": [], "isWorkflow": False})
    processor = sync_client(server).get_processor("p1")
    assert processor.processor_id == "p1"
    details = processor.details(request_context=CONTEXT)
    assert (server.last.method, server.last.url.path) == ("GET", "/api/processors/p1")
    assert context_of(server.last) == CONTEXT and details.phases == ["input"]
    server.answer = {"success": True, "phase": "input", "messages": []}
    processor.execute(phase="input", messages=[], agent_id="a1", request_context=CONTEXT)
    assert (server.last.method, server.last.url.path) == ("POST", "/api/processors/p1/execute")
    assert body(server.last) == {"phase": "input", "messages": [], "agentId": "a1", "requestContext": CONTEXT}


async def test_async_processor() -> None:
    server = Server({"success": True, "phase": "input", "messages": []})
    result = await async_client(server).get_processor("p1").execute(phase="input", messages=[])
    assert result.success is True and server.last.url.path == "/api/processors/p1/execute"
