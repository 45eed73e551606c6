"""The protocol facades (overrides/mastra_protocols.yaml): A2a, A2aV1, Responses, Conversations,
ConversationItems and Channels, and the generic ``jsonrpc:`` facade method.

Each call sends what @mastra/client-js 1.47.0 sends (method, path, query with the base64
``requestContext``, headers, JSON-RPC envelope), with the sync and the async client, through
httpx.MockTransport; JSON-RPC results are unwrapped and typed, JSON-RPC errors raised.
"""

from __future__ import annotations

import base64
import inspect
import json
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import mastra_client
import pytest

from generator.errors import CodegenError
from generator.overrides import load_overrides

RC = {"tenant": "acme"}
MESSAGE = {"kind": "message", "messageId": "m1", "role": "user", "parts": [{"kind": "text", "text": "hi"}]}


@dataclass
class Case:
    name: str
    call: Callable[[Any], Any]
    method: str
    path: str
    query: dict[str, Any] = field(default_factory=dict)
    body: Any = None  # for JSON-RPC: the envelope without its id
    headers: dict[str, str] = field(default_factory=dict)


def _rpc(method: str, params: Any = None) -> dict[str, Any]:
    envelope: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
    if params is not None:
        envelope["params"] = params
    return envelope


V1 = {"a2a-version": "1.0"}
CASES = [
    Case("A2a.get_agent_card", lambda c: c.get_a2a("ag").get_agent_card(), "GET", "/.well-known/ag/agent-card.json"),
    Case("A2a.get_card", lambda c: c.get_a2a("ag").get_card(), "GET", "/.well-known/ag/agent-card.json"),
    Case(
        "A2a.get_extended_agent_card",
        lambda c: c.get_a2a("ag").get_extended_agent_card(),
        "POST",
        "/a2a/ag",
        body=_rpc("agent/getAuthenticatedExtendedCard"),
    ),
    Case(
        "A2a.send_message",
        lambda c: c.get_a2a("ag").send_message(message=MESSAGE, metadata={"k": 1}),
        "POST",
        "/a2a/ag",
        body=_rpc("message/send", {"message": MESSAGE, "metadata": {"k": 1}}),
    ),
    Case(
        "A2a.get_task",
        lambda c: c.get_a2a("a/b").get_task(id="t1", history_length=2),
        "POST",
        "/a2a/a%2Fb",
        body=_rpc("tasks/get", {"id": "t1", "historyLength": 2}),
    ),
    Case(
        "A2a.cancel_task",
        lambda c: c.get_a2a("ag").cancel_task(id="t1"),
        "POST",
        "/a2a/ag",
        body=_rpc("tasks/cancel", {"id": "t1"}),
    ),
    Case(
        "A2a.set_task_push_notification_config",
        lambda c: c.get_a2a("ag").set_task_push_notification_config(
            task_id="t1", push_notification_config={"url": "http://hook"}
        ),
        "POST",
        "/a2a/ag",
        body=_rpc(
            "tasks/pushNotificationConfig/set", {"taskId": "t1", "pushNotificationConfig": {"url": "http://hook"}}
        ),
    ),
    Case(
        "A2a.get_task_push_notification_config",
        lambda c: c.get_a2a("ag").get_task_push_notification_config(id="t1", push_notification_config_id="p"),
        "POST",
        "/a2a/ag",
        body=_rpc("tasks/pushNotificationConfig/get", {"id": "t1", "pushNotificationConfigId": "p"}),
    ),
    Case(
        "A2a.list_task_push_notification_config",
        lambda c: c.get_a2a("ag").list_task_push_notification_config(id="t1"),
        "POST",
        "/a2a/ag",
        body=_rpc("tasks/pushNotificationConfig/list", {"id": "t1"}),
    ),
    Case(
        "A2a.delete_task_push_notification_config",
        lambda c: c.get_a2a("ag").delete_task_push_notification_config(id="t1", push_notification_config_id="p"),
        "POST",
        "/a2a/ag",
        body=_rpc("tasks/pushNotificationConfig/delete", {"id": "t1", "pushNotificationConfigId": "p"}),
    ),
    Case(
        "A2aV1.get_agent_card",
        lambda c: c.get_a2a_v1("ag").get_agent_card(),
        "GET",
        "/.well-known/ag/agent-card.json",
        headers=V1,
    ),
    Case(
        "A2aV1.send_message",
        lambda c: c.get_a2a_v1("ag").send_message(message={"messageId": "m"}),
        "POST",
        "/a2a/ag",
        body=_rpc("SendMessage", {"message": {"messageId": "m"}}),
        headers=V1,
    ),
    Case(
        "A2aV1.get_task",
        lambda c: c.get_a2a_v1("ag").get_task(id="t"),
        "POST",
        "/a2a/ag",
        body=_rpc("GetTask", {"id": "t"}),
        headers=V1,
    ),
    Case(
        "A2aV1.list_tasks",
        lambda c: c.get_a2a_v1("ag").list_tasks(context_id="c", page_size=5),
        "POST",
        "/a2a/ag",
        body=_rpc("ListTasks", {"contextId": "c", "pageSize": 5}),
        headers=V1,
    ),
    Case(
        "A2aV1.cancel_task",
        lambda c: c.get_a2a_v1("ag").cancel_task(id="t"),
        "POST",
        "/a2a/ag",
        body=_rpc("CancelTask", {"id": "t"}),
        headers=V1,
    ),
    Case(
        "A2aV1.create_task_push_notification_config",
        lambda c: c.get_a2a_v1("ag").create_task_push_notification_config(task_id="t", url="http://h"),
        "POST",
        "/a2a/ag",
        body=_rpc("CreateTaskPushNotificationConfig", {"taskId": "t", "url": "http://h"}),
        headers=V1,
    ),
    Case(
        "A2aV1.get_task_push_notification_config",
        lambda c: c.get_a2a_v1("ag").get_task_push_notification_config(task_id="t", id="p"),
        "POST",
        "/a2a/ag",
        body=_rpc("GetTaskPushNotificationConfig", {"taskId": "t", "id": "p"}),
        headers=V1,
    ),
    Case(
        "A2aV1.list_task_push_notification_configs",
        lambda c: c.get_a2a_v1("ag").list_task_push_notification_configs(task_id="t"),
        "POST",
        "/a2a/ag",
        body=_rpc("ListTaskPushNotificationConfigs", {"taskId": "t"}),
        headers=V1,
    ),
    Case(
        "A2aV1.delete_task_push_notification_config",
        lambda c: c.get_a2a_v1("ag").delete_task_push_notification_config(task_id="t", id="p"),
        "POST",
        "/a2a/ag",
        body=_rpc("DeleteTaskPushNotificationConfig", {"taskId": "t", "id": "p"}),
        headers=V1,
    ),
    Case(
        "Responses.create",
        lambda c: c.responses.create(input="hi", agent_id="ag", store=True, request_context=RC),
        "POST",
        "/v1/responses",
        {"requestContext": RC},
        {"input": "hi", "agent_id": "ag", "store": True, "stream": False},  # stream() streams
    ),
    Case(
        "Responses.retrieve",
        lambda c: c.responses.retrieve("r1", request_context=RC),
        "GET",
        "/v1/responses/r1",
        {"requestContext": RC},
    ),
    Case("Responses.delete", lambda c: c.responses.delete("r1"), "DELETE", "/v1/responses/r1"),
    Case(
        "Conversations.create",
        lambda c: c.conversations.create(agent_id="ag", title="t", request_context=RC),
        "POST",
        "/v1/conversations",
        {"requestContext": RC},
        {"agent_id": "ag", "title": "t"},
    ),
    Case(
        "Conversations.retrieve",
        lambda c: c.conversations.retrieve("c1", request_context=RC),
        "GET",
        "/v1/conversations/c1",
        {"requestContext": RC},
    ),
    Case("Conversations.delete", lambda c: c.conversations.delete("c1"), "DELETE", "/v1/conversations/c1"),
    Case(
        "ConversationItems.list",
        lambda c: c.conversations.items.list("c1", request_context=RC),
        "GET",
        "/v1/conversations/c1/items",
        {"requestContext": RC},
    ),
    Case("Channels.list_platforms", lambda c: c.channels.list_platforms(), "GET", "/channels/platforms"),
    Case(
        "Channels.list_installations",
        lambda c: c.channels.list_installations("slack"),
        "GET",
        "/channels/slack/installations",
    ),
    Case(
        "Channels.connect",
        lambda c: c.channels.connect("slack", agent_id="ag", options={"team": "x"}),
        "POST",
        "/channels/slack/connect",
        body={"agentId": "ag", "options": {"team": "x"}},
    ),
    Case(
        "Channels.disconnect",
        lambda c: c.channels.disconnect("slack", "ag"),
        "POST",
        "/channels/slack/ag/disconnect",
    ),
]


def _client(seen: list[httpx.Request], is_async: bool, answer: Any = None) -> Any:
    def respond(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if answer is not None:
            return httpx.Response(200, json=answer)
        if request.url.path.startswith("/api/a2a/"):
            return httpx.Response(200, json={"jsonrpc": "2.0", "id": "x", "result": {}})
        if request.url.path.endswith(("/platforms", "/installations")):
            return httpx.Response(200, json=[])
        return httpx.Response(200, json={})

    transport = httpx.MockTransport(respond)
    if is_async:
        return mastra_client.AsyncMastraClient("http://m.test", http_client=httpx.AsyncClient(transport=transport))
    return mastra_client.MastraClient("http://m.test", http_client=httpx.Client(transport=transport))


def _query(request: httpx.Request) -> dict[str, Any]:
    query: dict[str, Any] = dict(urllib.parse.parse_qsl(request.url.query.decode(), keep_blank_values=True))
    if "requestContext" in query:
        query["requestContext"] = json.loads(base64.b64decode(query["requestContext"]).decode("utf-8"))
    return query


async def _run(result: Any) -> Any:
    return await result if inspect.isawaitable(result) else result


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_the_facade_sends_what_client_js_sends(case: Case, is_async: bool) -> None:
    seen: list[httpx.Request] = []
    await _run(case.call(_client(seen, is_async)))
    assert len(seen) == 1
    request = seen[0]
    assert request.method == case.method
    assert request.url.raw_path.split(b"?")[0].decode() == "/api" + case.path
    assert _query(request) == case.query
    for name, value in case.headers.items():
        assert request.headers.get(name) == value
    if not case.headers:
        assert "a2a-version" not in request.headers
    if case.body is not None:
        sent = json.loads(request.content)
        if case.path.startswith("/a2a/"):
            uuid.UUID(sent.pop("id"))  # a fresh request id, as client-js sends
        assert sent == case.body


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
async def test_jsonrpc_results_are_unwrapped_and_typed(is_async: bool) -> None:
    task = {"kind": "task", "id": "t1", "contextId": "c1", "status": {"state": "completed"}, "history": [MESSAGE]}
    seen: list[httpx.Request] = []
    client = _client(seen, is_async, answer={"jsonrpc": "2.0", "id": "1", "result": task})
    got = await _run(client.get_a2a("ag").get_task(id="t1"))
    assert isinstance(got, mastra_client.models.A2aTask)
    assert (got.id, got.status.state, got.history[0].parts[0].text) == ("t1", "completed", "hi")

    # message/send answers a Message or a Task
    client = _client(seen, is_async, answer={"jsonrpc": "2.0", "id": "1", "result": {**MESSAGE, "role": "agent"}})
    sent = await _run(client.get_a2a("ag").send_message(message=MESSAGE))
    assert isinstance(sent, mastra_client.models.A2aMessage) and sent.role == "agent"
    client = _client(seen, is_async, answer={"jsonrpc": "2.0", "id": "1", "result": task})
    sent = await _run(client.get_a2a("ag").send_message(message=MESSAGE))
    assert isinstance(sent, mastra_client.models.A2aTask)


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
async def test_a_jsonrpc_error_is_raised_typed(is_async: bool) -> None:
    error = {"code": -32001, "message": "Task not found", "data": {"taskId": "nope"}}
    seen: list[httpx.Request] = []
    client = _client(seen, is_async, answer={"jsonrpc": "2.0", "id": "1", "error": error})
    with pytest.raises(mastra_client.JsonRpcError) as caught:
        await _run(client.get_a2a("ag").get_task(id="nope"))
    assert caught.value.code == -32001
    assert caught.value.data == {"taskId": "nope"}
    assert "Task not found" in str(caught.value)
    assert isinstance(caught.value, mastra_client.APIError)

    client = _client(seen, is_async, answer={"jsonrpc": "2.0", "id": "1"})
    with pytest.raises(mastra_client.JsonRpcError, match="did not include a result"):
        await _run(client.get_a2a("ag").cancel_task(id="t"))


def test_the_caller_headers_win_over_the_fixed_ones() -> None:
    seen: list[httpx.Request] = []
    client = _client(seen, False)
    client.get_a2a_v1("ag").get_task(id="t", extra_headers={"A2A-Version": "1.1"})
    assert seen[0].headers["a2a-version"] == "1.1"


def _override(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "o.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("jsonrpc", "message"),
    [
        ("{params: [x]}", "needs 'method:'"),
        ("{method: m, params: x}", "params is a list"),
        ("{method: m, params: [a], optional: [a]}", "both required and optional"),
        ("{method: m, result: 'not a name'}", "result names a component"),
        ("{method: m, bogus: 1}", "unknown jsonrpc key 'bogus'"),
    ],
)
def test_bad_jsonrpc_declarations_are_located_errors(tmp_path: Path, jsonrpc: str, message: str) -> None:
    text = (
        "version: 1\nresources:\n  R:\n    params: {agentId: agent_id}\n    methods:\n"
        f"      m:\n        operation: POST /a2a/{{agentId}}\n        jsonrpc: {jsonrpc}\n"
    )
    with pytest.raises(CodegenError, match=message) as caught:
        load_overrides([_override(tmp_path, text)], shipped=[])
    assert "o.yaml:" in str(caught.value)
