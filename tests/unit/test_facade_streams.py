"""A2A streams and the Responses stream: typed streams a facade method opens itself.

A2A's message/stream and tasks/resubscribe are JSON-RPC calls answered with a stream: each
SSE frame is a JSON-RPC response whose ``result`` is the event (told apart by ``kind``); the
stream is complete after a message, or after a status update with ``final: true``; an
``error`` frame raises StreamError after the events before it. ``client.responses.stream``
asks POST /v1/responses to stream (``stream: true``) and is complete after
response.completed. A cut stream raises IncompleteStreamError: the same rules as the agent
streams, over MockTransport.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from mastra_client import AsyncMastraClient, IncompleteStreamError, MastraClient, StreamError, models

TASK = {"kind": "task", "id": "t-1", "contextId": "c-1", "status": {"state": "submitted"}}
WORKING = {"kind": "status-update", "taskId": "t-1", "contextId": "c-1", "status": {"state": "working"}, "final": False}
ARTIFACT = {
    "kind": "artifact-update",
    "taskId": "t-1",
    "contextId": "c-1",
    "artifact": {"artifactId": "a-1", "parts": [{"kind": "text", "text": "Echo: hi"}]},
}
DONE = {"kind": "status-update", "taskId": "t-1", "contextId": "c-1", "status": {"state": "completed"}, "final": True}


def sse(*results: Any, error: dict[str, Any] | None = None) -> bytes:
    frames = [{"jsonrpc": "2.0", "id": "r-1", "result": r} for r in results]
    if error is not None:
        frames.append({"jsonrpc": "2.0", "id": "r-1", "error": error})
    return b"".join(b"data: " + json.dumps(f).encode() + b"\n\n" for f in frames)


def transport(body: bytes, seen: list[httpx.Request]) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})

    return httpx.MockTransport(answer)


def sync_client(body: bytes, seen: list[httpx.Request]) -> MastraClient:
    return MastraClient("http://a2a.test", http_client=httpx.Client(transport=transport(body, seen)), max_retries=0)


def test_send_message_stream_sends_the_call_and_yields_typed_events() -> None:
    seen: list[httpx.Request] = []
    client = sync_client(sse(TASK, WORKING, ARTIFACT, DONE), seen)
    message = {"kind": "message", "messageId": "m-1", "role": "user", "parts": [{"kind": "text", "text": "hi"}]}
    with client.get_a2a("echo-agent").send_message_stream(message=message) as stream:
        events = list(stream)
    sent = json.loads(seen[0].content)
    assert seen[0].url.path == "/api/a2a/echo-agent"
    assert (sent["jsonrpc"], sent["method"], sent["params"]) == ("2.0", "message/stream", {"message": message})
    assert isinstance(sent["id"], str) and sent["id"]
    assert [type(e) for e in events] == [
        models.A2aTaskEvent,
        models.A2aStatusUpdateEvent,
        models.A2aArtifactUpdateEvent,
        models.A2aStatusUpdateEvent,
    ]
    assert events[2].artifact.parts[0].text == "Echo: hi"
    assert events[-1].final is True


def test_a_direct_message_answer_ends_the_stream_cleanly() -> None:
    reply = {"kind": "message", "messageId": "m-2", "role": "agent", "parts": [{"kind": "text", "text": "ok"}]}
    with sync_client(sse(reply), []).get_a2a("a").send_message_stream(message={}) as stream:
        (event,) = list(stream)
    assert isinstance(event, models.A2aMessageEvent) and event.parts[0].text == "ok"


def test_a_stream_cut_before_its_final_event_is_incomplete() -> None:
    with sync_client(sse(TASK, WORKING), []).get_a2a("a").resubscribe_task(id="t-1") as stream:
        got: list[Any] = []
        with pytest.raises(IncompleteStreamError, match="final: true"):
            for event in stream:
                got.append(event)
    assert len(got) == 2


def test_a_json_rpc_error_frame_raises_after_the_events_before_it() -> None:
    body = sse(TASK, error={"code": -32001, "message": "Task not found"})
    with sync_client(body, []).get_a2a("a").resubscribe_task(id="nope") as stream:
        got: list[Any] = []
        with pytest.raises(StreamError, match="Task not found"):
            for event in stream:
                got.append(event)
    assert [type(e) for e in got] == [models.A2aTaskEvent]


def test_an_unknown_kind_is_kept_by_the_fallback() -> None:
    odd = {"kind": "progress", "percent": 50}
    with sync_client(sse(odd, DONE), []).get_a2a("a").send_message_stream(message={}) as stream:
        events = list(stream)
    assert isinstance(events[0], models.OtherA2aStreamEvent)
    assert events[0].model_extra == {"percent": 50} or getattr(events[0], "percent", None) == 50


async def test_the_async_stream_and_the_v1_header() -> None:
    seen: list[httpx.Request] = []
    client = AsyncMastraClient(
        "http://a2a.test", http_client=httpx.AsyncClient(transport=transport(sse(TASK, DONE), seen)), max_retries=0
    )
    async with client.get_a2a("a").resubscribe_task(id="t-1") as stream:
        kinds = [event.kind async for event in stream]
    assert kinds == ["task", "status-update"]
    async with client.get_a2a_v1("a").send_message_stream(message={"messageId": "m"}) as v1:
        frames = [event async for event in v1]
    assert seen[-1].headers["A2A-Version"] == "1.0"
    assert json.loads(seen[-1].content)["method"] == "SendStreamingMessage"
    assert frames[0]["kind"] == "task"


@pytest.mark.parametrize("name", ["send_message_stream", "send_streaming_message", "resubscribe_task"])
def test_every_stream_method_exists_sync_and_async(name: str) -> None:
    import mastra_client

    for cls in (mastra_client.A2a, mastra_client.AsyncA2a):
        method: Callable[..., Any] = getattr(cls, name)
        assert callable(method)


# --- the Responses API stream: the same route as create, asked to stream -------------------


def responses_sse(*events: dict[str, Any]) -> bytes:
    return b"".join(
        f"event: {e['type']}\ndata: {json.dumps({**e, 'sequence_number': i})}\n\n".encode()
        for i, e in enumerate(events, 1)
    )


CREATED = {"type": "response.created", "response": {"id": "resp_1", "status": "in_progress"}}
DELTA = {"type": "response.output_text.delta", "item_id": "m", "output_index": 0, "content_index": 0, "delta": "Hi"}
COMPLETED = {"type": "response.completed", "response": {"id": "resp_1", "status": "completed"}}


def test_responses_stream_asks_for_a_stream_and_yields_typed_events() -> None:
    seen: list[httpx.Request] = []
    client = sync_client(responses_sse(CREATED, DELTA, COMPLETED), seen)
    with client.responses.stream(input="hello", agent_id="echo-agent", request_context={"t": 1}) as stream:
        assert stream.response is not None and stream.response.status_code == 200  # client-js's asResponse()
        events = list(stream)
    body = json.loads(seen[0].content)
    assert body == {"input": "hello", "agent_id": "echo-agent", "stream": True}
    assert "requestContext=" in seen[0].url.query.decode()
    assert [type(e) for e in events] == [
        models.ResponseCreatedEvent,
        models.ResponseOutputTextDeltaEvent,
        models.ResponseCompletedEvent,
    ]
    assert events[1].delta == "Hi" and events[2].sequence_number == 3


def test_responses_stream_cut_before_completion_is_incomplete_and_an_error_event_raises() -> None:
    cut = sync_client(responses_sse(CREATED, DELTA), []).responses.stream(input="x")
    with cut as stream, pytest.raises(IncompleteStreamError, match="response.completed"):
        list(stream)
    failure = {"type": "error", "message": "model exploded", "code": "server_error"}
    failing = sync_client(responses_sse(CREATED, failure), []).responses.stream(input="x")
    with failing as stream, pytest.raises(StreamError, match="model exploded"):
        list(stream)


async def test_responses_stream_async() -> None:
    seen: list[httpx.Request] = []
    client = AsyncMastraClient(
        "http://r.test",
        http_client=httpx.AsyncClient(transport=transport(responses_sse(CREATED, COMPLETED), seen)),
        max_retries=0,
    )
    async with client.responses.stream(input="x") as stream:
        types = [event.type async for event in stream]
    assert types == ["response.created", "response.completed"]
    assert json.loads(seen[0].content)["stream"] is True
