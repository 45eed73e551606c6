"""Stream objects end to end without a server: ``httpx.MockTransport`` behind the generated clients.

Covers the sync and async agent and workflow streams (typed chunks, summaries, closing, transport
failures), client-side tools over several rounds (``stream`` and ``generate``) and ``client_tool``.
"""

from __future__ import annotations

import asyncio
import json
import threading
import weakref
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pydantic
import pytest
from mastra_client import (
    AgentStream,
    AgentStreamResult,
    APITimeoutError,
    AsyncAgentStream,
    AsyncMastraClient,
    ClientTool,
    IncompleteStreamError,
    MastraClient,
    NotFoundError,
    StreamError,
    WorkflowStream,
    client_tool,
    models,
)
from mastra_client._runtime._tools import declarations, toolset

WIRE = Path(__file__).resolve().parent.parent / "fixtures" / "wire"
BASE_URL = "http://mastra.test"
RUN_ID = "run-1"


# --------------------------------------------------------------------------- fake server


class Body(httpx.SyncByteStream):
    """A response body served in the given reads; can fail after some of them; records ``close()``.

    Like a real connection, a read after ``close()`` fails with ``httpx.ReadError``.
    """

    def __init__(self, chunks: list[bytes], *, fail_after: int | None = None, error: Exception | None = None) -> None:
        self.chunks = chunks
        self.fail_after = fail_after
        self.error = error or httpx.ReadError("connection reset by peer")
        self.served = 0
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            if self.closed:  # as a real socket: reading a closed connection fails
                raise httpx.ReadError("[Errno 9] Bad file descriptor")
            if self.served == self.fail_after:
                raise self.error
            self.served += 1
            yield chunk
        if self.fail_after is not None and self.served == self.fail_after:
            raise self.error

    def close(self) -> None:
        self.closed = True


class AsyncBody(httpx.AsyncByteStream):
    """The asyncio version of ``Body``."""

    def __init__(self, chunks: list[bytes], *, fail_after: int | None = None, error: Exception | None = None) -> None:
        self.chunks = chunks
        self.fail_after = fail_after
        self.error = error or httpx.ReadError("connection reset by peer")
        self.served = 0
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            if self.closed:  # as a real socket: reading a closed connection fails
                raise httpx.ReadError("[Errno 9] Bad file descriptor")
            if self.served == self.fail_after:
                raise self.error
            self.served += 1
            yield chunk
        if self.fail_after is not None and self.served == self.fail_after:
            raise self.error

    async def aclose(self) -> None:
        self.closed = True


class Server:
    """A ``MockTransport`` handler answering with the given responses in order; records the requests."""

    def __init__(self, *responses: httpx.Response) -> None:
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert self.responses, f"unexpected request {request.method} {request.url}"
        return self.responses.pop(0)

    @property
    def bodies(self) -> list[Any]:
        return [json.loads(r.content) for r in self.requests]


def sync_client(server: Server) -> MastraClient:
    """A blocking client whose requests go to ``server``."""
    return MastraClient(BASE_URL, http_client=httpx.Client(transport=httpx.MockTransport(server)), max_retries=0)


def async_client(server: Server) -> AsyncMastraClient:
    """An asyncio client whose requests go to ``server``."""
    transport = httpx.MockTransport(server)
    return AsyncMastraClient(BASE_URL, http_client=httpx.AsyncClient(transport=transport), max_retries=0)


def split(body: bytes, size: int) -> list[bytes]:
    """``body`` in reads of ``size`` bytes."""
    return [body[i : i + size] for i in range(0, len(body), size)]


def capture(name: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (without transfer-encoding / content-length) and body of a ``curl -i`` capture."""
    head, body = (WIRE / name).read_bytes().split(b"\r\n\r\n", 1)
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        key, _, value = line.partition(":")
        if key.lower() not in ("transfer-encoding", "content-length", "connection", "keep-alive"):
            headers[key.lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


def capture_response(name: str, *, size: int = 97, asynchronous: bool = False, **fail: Any) -> httpx.Response:
    """A response replaying a capture in reads of ``size`` bytes (``fail_after``/``error`` to break it)."""
    status, headers, body = capture(name)
    stream = AsyncBody(split(body, size), **fail) if asynchronous else Body(split(body, size), **fail)
    return streaming_response(status, headers, stream)


def sse_response(*events: object, done: bool = True, asynchronous: bool = False, size: int = 50) -> httpx.Response:
    """An agent SSE response of ``events`` in reads of ``size`` bytes."""
    body = b"".join(b"data: " + json.dumps(e).encode() + b"\n\n" for e in events)
    body += b"data: [DONE]\n\n" if done else b""
    stream = AsyncBody(split(body, size)) if asynchronous else Body(split(body, size))
    return streaming_response(200, {"content-type": "text/event-stream"}, stream)


BODIES: weakref.WeakKeyDictionary[httpx.Response, Body | AsyncBody] = weakref.WeakKeyDictionary()


def streaming_response(status: int, headers: dict[str, str], stream: Body | AsyncBody) -> httpx.Response:
    """A response streaming ``stream``; ``body_of`` finds the fake body again."""
    response = httpx.Response(status, headers=headers, stream=stream)
    BODIES[response] = stream  # httpx wraps ``response.stream`` once sent
    return response


def body_of(response: httpx.Response) -> Body | AsyncBody:
    """The fake body behind a response handed to the server (to check it was closed)."""
    return BODIES[response]


# --------------------------------------------------------------------------- agent chunks


def chunk(kind: str, **payload: Any) -> dict[str, Any]:
    """An agent chunk of this run."""
    return {"type": kind, "runId": RUN_ID, "from": "AGENT", "payload": payload}


def tool_call(call_id: str, name: str, args: dict[str, Any]) -> dict[str, Any]:
    """A ``tool-call`` chunk."""
    return chunk("tool-call", toolCallId=call_id, toolName=name, args=args)


def assistant_calls(*calls: tuple[str, str, dict[str, Any]]) -> dict[str, Any]:
    """The assistant message (AI SDK model message) that made ``calls``."""
    parts = [{"type": "tool-call", "toolCallId": c, "toolName": n, "input": a} for c, n, a in calls]
    return {"role": "assistant", "content": parts}


def finish(reason: str, *messages: dict[str, Any], output_tokens: int = 5) -> dict[str, Any]:
    """A ``finish`` chunk as Mastra sends it: reason, usage and the round's response messages."""
    usage = {"inputTokens": 10, "outputTokens": output_tokens, "totalTokens": 10 + output_tokens}
    return chunk(
        "finish",
        stepResult={"reason": reason, "isContinued": False},
        output={"usage": usage},
        response={"messages": list(messages)},
    )


def tool_round(*calls: tuple[str, str, dict[str, Any]], asynchronous: bool = False) -> httpx.Response:
    """A round that stops for client tool calls."""
    events = [chunk("start"), *(tool_call(*c) for c in calls), finish("tool-calls", assistant_calls(*calls))]
    return sse_response(*events, asynchronous=asynchronous)


def text_round(text: str, *, asynchronous: bool = False) -> httpx.Response:
    """A round that answers with text and stops."""
    answer = {"role": "assistant", "content": [{"type": "text", "text": text}]}
    return sse_response(
        chunk("start"), chunk("text-delta", id="t", text=text), finish("stop", answer), asynchronous=asynchronous
    )


def tool_results(message: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(toolCallId, toolName, output) of each part of a ``tool`` message."""
    assert message["role"] == "tool"
    return [(p["toolCallId"], p["toolName"], p["output"]) for p in message["content"] if p["type"] == "tool-result"]


@client_tool
def get_weather(city: str, unit: str = "C") -> dict[str, Any]:
    """Current weather of a city.

    Used by the tests only.
    """
    return {"city": city, "temperature": 21 if unit == "C" else 70}


@client_tool
def get_time(zone: str) -> str:
    """Current time in a time zone."""
    return f"12:00 {zone}"


WEATHER_CALL = ("call-1", "get_weather", {"city": "Berlin"})
TIME_CALL = ("call-2", "get_time", {"zone": "UTC"})
USER_MESSAGE = {"role": "user", "content": "weather and time?"}

AGENT_04_TYPES = [
    models.StartChunk,
    models.StepStartChunk,
    models.TextStartChunk,
    models.TextDeltaChunk,
    models.TextDeltaChunk,
    models.TextDeltaChunk,
    models.TextDeltaChunk,
    models.TextEndChunk,
    models.StepFinishChunk,
    models.FinishChunk,
]
AGENT_04_RUN = "5b6ab848-3263-407e-877e-26199993cc3e"
AGENT_04_USAGE = {"inputTokens": 10, "outputTokens": 23, "totalTokens": 33}


def usage_subset(usage: Any) -> dict[str, Any]:
    """The token counts compared by the tests: the usage model generate() answers with, as sent."""
    assert type(usage).__name__ == "AgentUsage", usage  # one usage type for streams and generate()
    assert usage.input_tokens == AGENT_04_USAGE["inputTokens"]
    wire = usage.model_dump(by_alias=True, exclude_unset=True)
    return {k: wire[k] for k in AGENT_04_USAGE}


# --------------------------------------------------------------------------- sync agent streams


def test_agent_stream_yields_typed_chunks_and_a_summary() -> None:
    response = capture_response("04-agent-stream-sse.http")
    server = Server(response)
    client = sync_client(server)
    stream = client.get_agent("echo-agent").stream("hello wire format")
    assert isinstance(stream, AgentStream)
    assert server.requests == []  # nothing is sent before the stream is opened
    with stream as s:
        assert s.response is not None and s.response.status_code == 200
        chunks = list(s)
    assert [type(c) for c in chunks] == AGENT_04_TYPES
    assert [c.payload.text for c in chunks if isinstance(c, models.TextDeltaChunk)] == [
        "Echo: ",
        "hello ",
        "wire ",
        "format",
    ]
    assert s.text == "Echo: hello wire format"
    assert s.finish_reason == "stop"
    assert usage_subset(s.usage) == AGENT_04_USAGE
    assert s.run_id == AGENT_04_RUN
    assert s.events_received == 10
    assert not s.paused and s.pending_approvals == []
    assert s.is_closed and body_of(response).closed
    [request] = server.requests
    assert (request.method, str(request.url)) == ("POST", f"{BASE_URL}/api/agents/echo-agent/stream")
    assert json.loads(request.content) == {"messages": [{"role": "user", "content": "hello wire format"}]}


def test_agents_resource_stream_with_messages_list() -> None:
    server = Server(capture_response("04-agent-stream-sse.http", size=1))
    messages = [{"role": "user", "content": "hello wire format"}]
    with sync_client(server).agents.stream("echo-agent", messages=messages) as s:
        chunks = list(s)
    assert [type(c) for c in chunks] == AGENT_04_TYPES
    assert s.text == "Echo: hello wire format"
    assert server.bodies == [{"messages": messages}]


def test_text_stream_yields_only_the_text() -> None:
    server = Server(capture_response("04-agent-stream-sse.http", size=13))
    with sync_client(server).get_agent("echo-agent").stream("hello wire format") as s:
        assert list(s.text_stream) == ["Echo: ", "hello ", "wire ", "format"]
    assert s.finish_reason == "stop"


def test_until_done_opens_reads_and_closes() -> None:
    response = capture_response("05-tool-agent-stream-toolcall.http")
    stream = sync_client(Server(response)).get_agent("tool-agent").stream("What is the weather in Berlin?")
    result = stream.until_done()
    assert isinstance(result, AgentStreamResult)
    assert result.finish_reason == "stop"
    assert result.text.startswith("Tool results: getWeather -> ")
    assert result.run_id == "8fe3ba7a-4c2e-4bb0-a538-7dd05a42ec58"
    assert [type(t) for t in result.tool_calls] == [models.ToolCallChunk]
    assert result.tool_results[0].payload.result == {"city": "Berlin", "temperatureC": 16, "conditions": "sunny"}
    assert [m["role"] for m in result.messages] == ["assistant", "tool", "assistant"]
    assert stream.is_closed and body_of(response).closed
    assert stream.until_done() == result  # already read: the same result, no second request


def test_until_done_after_a_partial_read_reads_the_rest() -> None:
    with sync_client(Server(capture_response("04-agent-stream-sse.http"))).get_agent("a").stream("hi") as s:
        chunks = iter(s)
        next(chunks)
        result = s.until_done()
    assert (result.text, result.finish_reason) == ("Echo: hello wire format", "stop")


def test_approval_stream_ends_paused() -> None:
    server = Server(capture_response("07-tool-agent-stream-approval.http"))
    with sync_client(server).get_agent("tool-agent").stream("please delete rec-42") as s:
        chunks = list(s)
    assert type(chunks[-1]) is models.ToolCallApprovalChunk
    assert s.paused and s.finish_reason is None
    [approval] = s.pending_approvals
    assert approval.payload.tool_call_id == "call-delete-1"
    assert approval.run_id == "7882a99c-d5cb-44dd-94cf-eb38f43e7544"


def test_leaving_the_with_block_early_closes_the_response() -> None:
    response = capture_response("04-agent-stream-sse.http", size=64)
    total = len(body_of(response).chunks)
    with sync_client(Server(response)).get_agent("echo-agent").stream("hi") as s:
        chunks = iter(s)  # kept alive past the block: only __exit__ can close the response
        assert type(next(chunks)) is models.StartChunk
        assert not body_of(response).closed
    assert body_of(response).closed
    assert s.is_closed and s.response is None
    assert body_of(response).served < total


def test_iterating_after_the_with_block_stops_quietly() -> None:
    response = capture_response("04-agent-stream-sse.http", size=64)
    with sync_client(Server(response)).get_agent("echo-agent").stream("hi") as s:
        chunks = iter(s)
        next(chunks)
    assert list(chunks) == []


def test_a_loop_broken_early_continues_where_it_stopped() -> None:
    """Like a file: a second loop reads on; the ``with`` block is what closes the connection."""
    response = capture_response("04-agent-stream-sse.http", size=64)
    with sync_client(Server(response)).get_agent("echo-agent").stream("hi") as s:
        for c in s:
            assert type(c) is models.StartChunk
            break
        assert not body_of(response).closed
        rest = [c.type for c in s]
        assert rest[0] == "step-start" and rest[-1] == "finish"
        with pytest.raises(RuntimeError, match="only once"):
            list(s)
    assert body_of(response).closed and s.is_closed


def test_an_exception_in_the_with_block_closes_the_response() -> None:
    response = capture_response("04-agent-stream-sse.http")
    with pytest.raises(KeyError), sync_client(Server(response)).get_agent("echo-agent").stream("hi") as s:
        next(iter(s))
        raise KeyError("caller failed")
    assert body_of(response).closed


def test_reading_twice_raises() -> None:
    with sync_client(Server(capture_response("04-agent-stream-sse.http"))).get_agent("a").stream("hi") as s:
        assert len(list(s)) == 10
        with pytest.raises(RuntimeError, match="only once"):
            list(s)
        with pytest.raises(RuntimeError, match="only once"):
            list(s.text_stream)


def test_reading_a_closed_stream_raises() -> None:
    server = Server()
    stream = sync_client(server).get_agent("a").stream("hi")
    stream.close()
    with pytest.raises(RuntimeError, match="closed"):
        list(stream)
    assert server.requests == []


def test_error_status_raises_on_enter() -> None:
    body = json.dumps({"error": "Agent with id nope not found"}).encode()
    response = streaming_response(404, {"content-type": "application/json"}, Body([body]))
    stream = sync_client(Server(response)).get_agent("nope").stream("hi")
    with pytest.raises(NotFoundError, match="Agent with id nope not found"), stream:
        pytest.fail("the block must not run")
    assert body_of(response).closed


def test_read_error_mid_body_is_an_incomplete_stream() -> None:
    response = capture_response("04-agent-stream-sse.http", size=200, fail_after=3)
    received: list[Any] = []
    with (
        pytest.raises(IncompleteStreamError, match="ReadError") as info,
        sync_client(Server(response)).get_agent("echo-agent").stream("hi") as s,
    ):
        for c in s:
            received.append(c)
    assert 0 < len(received) < 10
    assert [type(c) for c in received] == AGENT_04_TYPES[: len(received)]
    assert info.value.events == len(received)
    assert body_of(response).closed


def test_read_timeout_mid_body_is_a_timeout() -> None:
    response = capture_response("04-agent-stream-sse.http", size=200, fail_after=2, error=httpx.ReadTimeout("slow"))
    stream = sync_client(Server(response)).get_agent("echo-agent").stream("hi")
    with pytest.raises(APITimeoutError, match="read timed out") as info:
        stream.until_done()
    assert not isinstance(info.value, IncompleteStreamError)
    assert body_of(response).closed


def test_error_chunk_raises_after_the_earlier_chunks() -> None:
    response = sse_response(
        chunk("start"),
        chunk("text-delta", id="t", text="partial"),
        chunk("error", error={"message": "rate limited by provider"}),
        chunk("text-delta", id="t", text="never"),
    )
    received: list[Any] = []
    with (
        pytest.raises(StreamError, match="rate limited by provider") as info,
        sync_client(Server(response)).get_agent("a").stream("hi") as s,
    ):
        for c in s:
            received.append(c)
    assert [type(c) for c in received] == [models.StartChunk, models.TextDeltaChunk]
    assert s.text == "partial"
    assert info.value.chunk["type"] == "error"
    assert body_of(response).closed


def test_body_ending_without_done_is_an_incomplete_stream() -> None:
    response = sse_response(chunk("start"), finish("stop"), done=False)
    stream = sync_client(Server(response)).get_agent("a").stream("hi")
    with pytest.raises(IncompleteStreamError, match=r"no \[DONE\] marker") as info:
        stream.until_done()
    assert info.value.events == 2


def test_unknown_and_data_chunks_come_through_as_the_fallback_model() -> None:
    response = sse_response(
        chunk("start"),
        {"type": "data-progress", "runId": RUN_ID, "data": {"percent": 50}},
        chunk("text-delta", id="t", text={"not": "text"}),
        finish("stop"),
    )
    with sync_client(Server(response)).get_agent("a").stream("hi") as s:
        chunks = list(s)
    assert [type(c) for c in chunks] == [
        models.StartChunk,
        models.OtherAgentChunk,
        models.OtherAgentChunk,
        models.FinishChunk,
    ]
    assert chunks[1].type == "data-progress" and chunks[1].model_extra == {"data": {"percent": 50}}
    assert chunks[2].type == "text-delta" and chunks[2].payload == {"id": "t", "text": {"not": "text"}}
    assert s.text == ""  # a text delta without text adds nothing


def test_text_stream_skips_non_object_events() -> None:
    body = b'data: 42\n\ndata: {"type":"text-delta","payload":{"text":"ok"}}\n\ndata: [DONE]\n\n'
    response = streaming_response(200, {"content-type": "text/event-stream"}, Body([body]))
    with sync_client(Server(response)).get_agent("a").stream("hi") as s:
        assert list(s.text_stream) == ["ok"]


def test_last_event_before_an_early_eof_is_delivered() -> None:
    body = b'data: {"type":"start","payload":{}}\n\ndata: {"type":"text-delta","payload":{"text":"last"}}\n'
    response = streaming_response(200, {"content-type": "text/event-stream"}, Body([body]))
    received: list[Any] = []
    with pytest.raises(IncompleteStreamError) as info, sync_client(Server(response)).get_agent("a").stream("hi") as s:
        for c in s:
            received.append(c)
    assert info.value.events == 2
    assert [c.type for c in received] == ["start", "text-delta"]


# --------------------------------------------------------------------------- thread subscription


def test_thread_subscription_carries_every_run() -> None:
    server = Server(capture_response("44-thread-subscribe-sse.http", size=300))
    stream = (
        sync_client(server).get_agent("echo-agent").subscribe_to_thread(thread_id="thread-wire-2", resource_id="user-2")
    )
    with stream as s:
        chunks = list(s)
    assert len(chunks) == 20
    assert [c.type for c in chunks].count("finish") == 2
    [data_chunk] = [c for c in chunks if c.type == "data-user-message"]
    assert type(data_chunk) is models.OtherAgentChunk
    assert len({c.run_id for c in chunks}) == 2
    assert s.run_id == "e6aa1d75-0de9-4020-a5da-5195c17681c9"
    assert server.requests[0].url.path == "/api/agents/echo-agent/threads/subscribe"
    assert server.bodies == [{"threadId": "thread-wire-2", "resourceId": "user-2"}]


def test_thread_subscription_reconnects_after_a_broken_connection() -> None:
    broken = capture_response("44-thread-subscribe-sse.http", size=1000, fail_after=2)
    server = Server(broken, capture_response("44-thread-subscribe-sse.http"))
    client = sync_client(server)
    sleeps: list[float] = []
    client._sleep = sleeps.append
    with client.get_agent("echo-agent").subscribe_to_thread(thread_id="thread-wire-2", reconnect=1) as s:
        chunks = list(s)
    first_part = chunks[: len(chunks) - 20]
    assert 0 < len(first_part) < 20
    assert [c.type for c in chunks[len(first_part) :]].count("finish") == 2
    assert s.events_received == len(chunks)
    assert len(server.requests) == 2 and server.bodies[0] == server.bodies[1]
    assert sleeps == [1.0]
    assert body_of(broken).closed


# --------------------------------------------------------------------------- sync workflow streams


def create_run_response() -> httpx.Response:
    """The captured answer of ``create-run``."""
    status, headers, body = capture("17-workflow-create-run.http")
    return httpx.Response(status, headers=headers, content=body)


def test_workflow_run_stream_yields_typed_events_and_the_result() -> None:
    response = capture_response("20-workflow-stream-x1e.http", size=31)
    server = Server(create_run_response(), response)
    client = sync_client(server)
    run = client.get_workflow("greeting-workflow").create_run()
    assert run.run_id == "cb2c8c57-0671-42bf-af14-1edb7af935c4"
    stream = run.stream(input_data={"name": "grace"})
    assert isinstance(stream, WorkflowStream)
    with stream as s:
        events = list(s)
    assert [type(e) for e in events] == [
        models.WorkflowStartEvent,
        models.WorkflowStepStartEvent,
        models.WorkflowStepResultEvent,
        models.WorkflowStepStartEvent,
        models.WorkflowStepResultEvent,
        models.WorkflowFinishEvent,
    ]
    assert s.status == "success"
    assert s.result == {"greeting": "Hello, Grace!", "length": 13}
    assert list(s.steps) == ["format-name", "make-greeting"]
    assert s.suspended == {}
    assert body_of(response).closed
    request = server.requests[1]
    assert request.url.path == "/api/workflows/greeting-workflow/stream"
    assert request.url.params["runId"] == "cb2c8c57-0671-42bf-af14-1edb7af935c4"
    assert json.loads(request.content) == {"inputData": {"name": "grace"}}


def test_suspended_workflow_stream() -> None:
    server = Server(create_run_response(), capture_response("27-workflow-stream-suspended-x1e.http", size=5))
    run = sync_client(server).get_workflow("approval-workflow").create_run()
    result = run.stream(input_data={"amount": 99, "requester": "carol"}).until_done()
    assert result.status == "suspended"
    assert result.result is None
    assert result.suspended["request-approval"]["suspendPayload"] == {"reason": "Approval needed for 99", "amount": 99}


def test_workflow_stream_without_finish_is_incomplete() -> None:
    body = (
        b'{"type":"workflow-start","runId":"r","payload":{}}\x1e{"type":"workflow-step-start","payload":{"id":"a"}}\x1e'
    )
    response = streaming_response(200, {"content-type": "text/plain"}, Body([body]))
    server = Server(create_run_response(), response)
    run = sync_client(server).get_workflow("w").create_run()
    with pytest.raises(IncompleteStreamError, match="no workflow-canceled or workflow-finish chunk") as info:
        run.stream(input_data={}).until_done()
    assert info.value.events == 2


def test_an_sse_done_marker_after_the_last_record_ends_the_stream_cleanly() -> None:
    """@mastra/server 1.2 appends ``data: [DONE]`` to its workflow record streams."""
    body = (
        b'{"type":"workflow-start","payload":{}}\x1e{"type":"workflow-finish","payload":{"workflowStatus":"success"}}'
        b"\x1edata: [DONE]\n\n"
    )
    server = Server(create_run_response(), streaming_response(200, {"content-type": "text/plain"}, Body([body])))
    run = sync_client(server).get_workflow("w").create_run()
    with run.stream(input_data={}) as s:
        received = list(s)
    assert [e.type for e in received] == ["workflow-start", "workflow-finish"]


def test_workflow_record_before_an_early_eof_is_delivered() -> None:
    body = b'{"type":"workflow-start","payload":{}}\x1e{"type":"workflow-step-result","payload":{"id":"a"}}'
    server = Server(create_run_response(), streaming_response(200, {"content-type": "text/plain"}, Body([body])))
    run = sync_client(server).get_workflow("w").create_run()
    received: list[Any] = []
    with pytest.raises(IncompleteStreamError) as info, run.stream(input_data={}) as s:
        for event in s:
            received.append(event)
    assert [e.type for e in received] == ["workflow-start", "workflow-step-result"]
    assert info.value.events == 2


# --------------------------------------------------------------------------- client tools (sync)


def test_client_tools_run_and_the_conversation_continues() -> None:
    server = Server(tool_round(WEATHER_CALL, TIME_CALL), text_round("Sunny, 12:00."))
    agent = sync_client(server).get_agent("tool-agent")
    with agent.stream([USER_MESSAGE], client_tools=[get_weather, get_time]) as s:
        chunks = list(s)
    assert [c.type for c in chunks] == [
        "start",
        "tool-call",
        "tool-call",
        "finish",
        "tool-result",
        "tool-result",
        "start",
        "text-delta",
        "finish",
    ]
    results = [c for c in chunks if c.type == "tool-result"]
    assert all(type(r) is models.ToolResultChunk for r in results)
    assert [(r.payload.tool_call_id, r.payload.result) for r in results] == [
        ("call-1", {"city": "Berlin", "temperature": 21}),
        ("call-2", "12:00 UTC"),
    ]
    assert results[0].run_id == RUN_ID
    assert s.text == "Sunny, 12:00."
    assert s.finish_reason == "stop"
    assert len(s.tool_calls) == 2 and len(s.tool_results) == 2

    first, second = server.bodies
    assert first["messages"] == [USER_MESSAGE]
    assert set(first["clientTools"]) == {"get_weather", "get_time"}
    assert first["clientTools"]["get_weather"]["description"] == "Current weather of a city."
    assert second["clientTools"] == first["clientTools"]
    *earlier, tool_message = second["messages"]
    assert earlier == [USER_MESSAGE, assistant_calls(WEATHER_CALL, TIME_CALL)]
    assert tool_results(tool_message) == [
        ("call-1", "get_weather", {"type": "json", "value": {"city": "Berlin", "temperature": 21}}),
        ("call-2", "get_time", {"type": "json", "value": "12:00 UTC"}),
    ]
    assert [p["input"] for p in tool_message["content"]] == [{"city": "Berlin"}, {"zone": "UTC"}]


def test_client_tools_with_memory_send_only_the_tool_message() -> None:
    server = Server(tool_round(WEATHER_CALL, TIME_CALL), text_round("done"))
    memory = {"thread": "thread-1", "resource": "user-1"}
    agent = sync_client(server).get_agent("tool-agent")
    result = agent.stream("weather?", memory=memory, client_tools=[get_weather, get_time]).until_done()
    assert result.text == "done"
    first, second = server.bodies
    assert first["memory"] == second["memory"] == memory
    [tool_message] = second["messages"]
    assert [call_id for call_id, _, _ in tool_results(tool_message)] == ["call-1", "call-2"]


def test_client_tools_over_several_rounds() -> None:
    server = Server(
        tool_round(WEATHER_CALL),
        tool_round(TIME_CALL),
        text_round("all done"),
    )
    agent = sync_client(server).get_agent("tool-agent")
    with agent.stream([USER_MESSAGE], client_tools={"get_weather": get_weather, "get_time": get_time}) as s:
        kinds = [c.type for c in s]
    assert kinds == [
        *("start", "tool-call", "finish", "tool-result"),
        *("start", "tool-call", "finish", "tool-result"),
        *("start", "text-delta", "finish"),
    ]
    assert s.text == "all done" and s.finish_reason == "stop"
    assert s.events_received == len(kinds) - 2  # from the server: the tool results are the client's
    first, second, third = server.bodies
    assert first["messages"] == [USER_MESSAGE]
    assert second["messages"][:2] == [USER_MESSAGE, assistant_calls(WEATHER_CALL)]
    assert third["messages"][:4] == second["messages"] + [assistant_calls(TIME_CALL)]
    assert tool_results(third["messages"][4]) == [("call-2", "get_time", {"type": "json", "value": "12:00 UTC"})]


def test_a_failing_client_tool_reports_an_error() -> None:
    @client_tool
    def explode(reason: str) -> None:
        """Always fails."""
        raise ValueError(f"boom: {reason}")

    server = Server(tool_round(("call-x", "explode", {"reason": "test"})), text_round("sorry"))
    with sync_client(server).get_agent("a").stream("go", client_tools=[explode]) as s:
        chunks = list(s)
    [error] = [c for c in chunks if c.type == "tool-error"]
    assert type(error) is models.ToolErrorChunk
    assert (error.payload.tool_call_id, error.payload.tool_name) == ("call-x", "explode")
    assert error.payload.error == {"name": "ValueError", "message": "boom: test"}
    assert not [c for c in chunks if c.type == "tool-result"]
    [_, _, tool_message] = server.bodies[1]["messages"]
    assert tool_results(tool_message) == [
        ("call-x", "explode", {"type": "error-text", "value": "ValueError: boom: test"})
    ]
    assert s.text == "sorry"


def test_calls_to_a_declared_tool_without_function_end_the_stream() -> None:
    """A declaration mapping is sent, but its calls are the caller's to answer: no second request."""
    declared = {"pick_color": {"description": "Pick a color", "inputSchema": {"type": "object"}}}
    server = Server(tool_round(("call-c", "pick_color", {})))
    with sync_client(server).get_agent("a").stream("go", client_tools=declared) as s:
        kinds = [c.type for c in s]
    assert kinds == ["start", "tool-call", "finish"]
    assert s.finish_reason == "tool-calls"
    assert len(server.requests) == 1
    assert server.bodies[0]["clientTools"] == declared


def test_server_tool_calls_are_not_run_here() -> None:
    """``tool-calls`` naming a tool this client does not have: the stream ends, nothing else is sent."""
    server = Server(tool_round(("call-s", "server_tool", {})))
    result = sync_client(server).get_agent("a").stream("go", client_tools=[get_time]).until_done()
    assert result.finish_reason == "tool-calls" and result.tool_results == []
    assert len(server.requests) == 1


def generate_tool_calls(*calls: tuple[str, str, dict[str, Any]]) -> httpx.Response:
    """A ``generate`` result that stops for client tool calls."""
    tool_calls = [
        {"type": "tool-call", "runId": RUN_ID, "from": "AGENT", "payload": {"toolCallId": c, "toolName": n, "args": a}}
        for c, n, a in calls
    ]
    data = {
        "text": "",
        "finishReason": "tool-calls",
        "toolCalls": tool_calls,
        "response": {"messages": [assistant_calls(*calls)]},
    }
    return httpx.Response(200, json=data)


def test_generate_runs_client_tools_until_the_final_result() -> None:
    final = {"text": "Sunny in Berlin at 12:00.", "finishReason": "stop", "usage": {"inputTokens": 3}}
    server = Server(generate_tool_calls(WEATHER_CALL, TIME_CALL), httpx.Response(200, json=final))
    result = sync_client(server).get_agent("tool-agent").generate([USER_MESSAGE], client_tools=[get_weather, get_time])
    assert isinstance(result, models.AgentGenerateResult)
    assert result.text == "Sunny in Berlin at 12:00."
    assert result.finish_reason == "stop"
    assert [r.url.path for r in server.requests] == ["/api/agents/tool-agent/generate"] * 2
    first, second = server.bodies
    assert set(first["clientTools"]) == {"get_weather", "get_time"}
    assert second["messages"][:2] == [USER_MESSAGE, assistant_calls(WEATHER_CALL, TIME_CALL)]
    assert tool_results(second["messages"][2]) == [
        ("call-1", "get_weather", {"type": "json", "value": {"city": "Berlin", "temperature": 21}}),
        ("call-2", "get_time", {"type": "json", "value": "12:00 UTC"}),
    ]


# --------------------------------------------------------------------------- async streams


async def test_async_agent_stream_yields_typed_chunks_and_a_summary() -> None:
    response = capture_response("04-agent-stream-sse.http", size=7, asynchronous=True)
    server = Server(response)
    client = async_client(server)
    stream = client.get_agent("echo-agent").stream("hello wire format")
    assert isinstance(stream, AsyncAgentStream)
    async with stream as s:
        chunks = [c async for c in s]
    assert [type(c) for c in chunks] == AGENT_04_TYPES
    assert s.text == "Echo: hello wire format"
    assert s.finish_reason == "stop"
    assert usage_subset(s.usage) == AGENT_04_USAGE
    assert s.run_id == AGENT_04_RUN
    assert s.is_closed and body_of(response).closed
    assert server.bodies == [{"messages": [{"role": "user", "content": "hello wire format"}]}]
    await client.close()


async def test_async_text_stream_and_until_done() -> None:
    server = Server(
        capture_response("04-agent-stream-sse.http", asynchronous=True),
        capture_response("07-tool-agent-stream-approval.http", asynchronous=True),
    )
    agent = async_client(server).get_agent("echo-agent")
    async with agent.stream("hello wire format") as s:
        assert [t async for t in s.text_stream] == ["Echo: ", "hello ", "wire ", "format"]
    result = await agent.stream("please delete rec-42").until_done()
    assert result.paused and result.finish_reason is None
    assert [a.payload.tool_name for a in result.pending_approvals] == ["deleteRecord"]


async def test_async_leaving_early_closes_and_reading_twice_raises() -> None:
    response = capture_response("04-agent-stream-sse.http", size=64, asynchronous=True)
    async with async_client(Server(response)).get_agent("echo-agent").stream("hi") as s:
        async for c in s:
            assert type(c) is models.StartChunk
            break
    assert [c async for c in s] == []  # closed: nothing more is read
    assert body_of(response).closed
    assert body_of(response).served < len(body_of(response).chunks)
    assert s.is_closed


async def test_async_read_error_and_read_timeout() -> None:
    broken = capture_response("04-agent-stream-sse.http", size=200, fail_after=3, asynchronous=True)
    slow = capture_response(
        "04-agent-stream-sse.http", size=200, fail_after=1, error=httpx.ReadTimeout("slow"), asynchronous=True
    )
    agent = async_client(Server(broken, slow)).get_agent("echo-agent")
    received: list[Any] = []
    with pytest.raises(IncompleteStreamError, match="ReadError") as info:
        async with agent.stream("hi") as s:
            async for c in s:
                received.append(c)
    assert 0 < len(received) == info.value.events < 10
    with pytest.raises(APITimeoutError) as timeout:
        await agent.stream("hi").until_done()
    assert not isinstance(timeout.value, IncompleteStreamError)
    assert body_of(broken).closed and body_of(slow).closed


async def test_async_error_chunk() -> None:
    response = sse_response(chunk("start"), chunk("error", error="plain failure"), asynchronous=True)
    stream = async_client(Server(response)).get_agent("a").stream("hi")
    with pytest.raises(StreamError, match="plain failure"):
        await stream.until_done()
    assert stream.events_received == 1
    assert body_of(response).closed


async def test_async_workflow_stream() -> None:
    status, headers, body = capture("17-workflow-create-run.http")
    server = Server(
        httpx.Response(status, headers=headers, content=body),
        capture_response("28-workflow-resume-stream-x1e.http", size=3, asynchronous=True),
    )
    run = await async_client(server).get_workflow("approval-workflow").create_run()
    async with run.stream(input_data={}) as s:
        kinds = [e.type async for e in s]
    assert kinds[0] == "workflow-start" and kinds[-1] == "workflow-finish" and len(kinds) == 6
    assert s.status == "success"
    assert s.result == {"status": "rejected", "message": "99 rejected by dave"}


async def test_async_client_tools_over_several_rounds() -> None:
    calls: list[str] = []

    @client_tool
    async def lookup(key: str) -> dict[str, str]:
        """Look a key up asynchronously."""
        await asyncio.sleep(0)
        calls.append(key)
        return {"key": key, "value": key.upper()}

    server = Server(
        tool_round(("c1", "lookup", {"key": "a"}), ("c2", "get_time", {"zone": "CET"}), asynchronous=True),
        tool_round(("c3", "lookup", {"key": "b"}), asynchronous=True),
        text_round("A and B", asynchronous=True),
    )
    agent = async_client(server).get_agent("a")
    async with agent.stream([USER_MESSAGE], client_tools=[lookup, get_time]) as s:
        kinds = [c.type async for c in s]
    assert kinds.count("tool-result") == 3 and kinds[-1] == "finish"
    assert calls == ["a", "b"]
    assert s.text == "A and B"
    _, second, third = server.bodies
    assert tool_results(second["messages"][-1]) == [
        ("c1", "lookup", {"type": "json", "value": {"key": "a", "value": "A"}}),
        ("c2", "get_time", {"type": "json", "value": "12:00 CET"}),
    ]
    assert tool_results(third["messages"][-1]) == [
        ("c3", "lookup", {"type": "json", "value": {"key": "b", "value": "B"}})
    ]
    assert third["messages"][:-2] == second["messages"]


async def test_async_generate_with_client_tools() -> None:
    server = Server(generate_tool_calls(TIME_CALL), httpx.Response(200, json={"text": "noon", "finishReason": "stop"}))
    result = await async_client(server).get_agent("a").generate("time?", client_tools=[get_time])
    assert result.text == "noon"
    assert tool_results(server.bodies[1]["messages"][-1]) == [
        ("call-2", "get_time", {"type": "json", "value": "12:00 UTC"})
    ]


# --------------------------------------------------------------------------- client_tool


def test_client_tool_schema_from_type_hints() -> None:
    assert isinstance(get_weather, ClientTool)
    assert get_weather.name == "get_weather"
    assert get_weather.description == "Current weather of a city."
    schema = get_weather.input_schema
    assert schema["type"] == "object"
    assert schema["required"] == ["city"]
    assert schema["properties"]["city"]["type"] == "string"
    assert schema["properties"]["unit"]["default"] == "C"
    assert get_weather.run({"city": "Oslo", "unit": "F"}) == {"city": "Oslo", "temperature": 70}
    assert get_weather.declaration() == {
        "id": "get_weather",
        "description": "Current weather of a city.",
        "inputSchema": schema,
    }


def test_client_tool_without_docstring_or_hints() -> None:
    def untyped(a, b=2):  # type: ignore[no-untyped-def]
        return a + b

    tool = client_tool(untyped)
    assert tool.description == "untyped"
    assert tool.input_schema["required"] == ["a"]
    assert tool.run({"a": 1}) == 3


class Order(pydantic.BaseModel):
    """An order to place."""

    item: str
    quantity: int = 1


def test_client_tool_schema_from_a_single_pydantic_parameter() -> None:
    received: list[Order] = []

    @client_tool(name="place-order", description="Place an order.")
    def place(order: Order) -> dict[str, Any]:
        """Ignored: the description is given."""
        received.append(order)
        return order.model_dump()

    assert place.name == "place-order"
    assert place.description == "Place an order."
    assert place.input_schema == Order.model_json_schema()
    assert place.input_schema["required"] == ["item"]
    assert place.run({"item": "tea"}) == {"item": "tea", "quantity": 1}
    assert received == [Order(item="tea")]
    with pytest.raises(pydantic.ValidationError):
        place.run({"quantity": "many"})


def test_client_tool_with_an_input_model_and_output_schema() -> None:
    tool = client_tool(
        lambda order: order.quantity * 2, name="double", input_model=Order, output_schema={"type": "integer"}
    )
    assert tool.run({"item": "x", "quantity": 4}) == 8
    assert tool.declaration()["outputSchema"] == {"type": "integer"}


def test_toolset_normalizes_and_rejects() -> None:
    def plain(x: int) -> int:
        """Plain function."""
        return x

    tools = toolset({"renamed": get_time, "plain": plain, "declared": {"description": "d"}})
    assert set(tools) == {"renamed", "plain", "declared"}
    assert isinstance(tools["renamed"], ClientTool) and tools["renamed"].name == "renamed"
    assert declarations(tools)["declared"] == {"description": "d"}
    assert declarations(tools)["renamed"]["id"] == "renamed"
    with pytest.raises(ValueError, match="two client tools"):
        toolset([get_time, get_time])
    with pytest.raises(TypeError):
        toolset("get_time")
    with pytest.raises(TypeError):
        toolset([42])


async def async_double(n: int) -> int:
    """Double a number, asynchronously."""
    await asyncio.sleep(0)
    return n * 2


async def test_async_tool_from_the_sync_client_inside_a_running_loop() -> None:
    """A blocking client used from async code: the ``async def`` tool runs in a worker thread's loop."""
    threads: list[int] = []

    @client_tool
    async def where(n: int) -> int:
        """Record the thread and double."""
        threads.append(threading.get_ident())
        return await async_double(n)

    asyncio.get_running_loop()  # the test really runs inside an event loop
    assert where.run({"n": 4}) == 8
    server = Server(tool_round(("c1", "where", {"n": 21})), text_round("42"))
    with sync_client(server).get_agent("a").stream("double 21", client_tools=[where]) as s:
        results = [c for c in s if c.type == "tool-result"]
    assert results[0].payload.result == 42
    assert tool_results(server.bodies[1]["messages"][-1]) == [("c1", "where", {"type": "json", "value": 42})]
    assert threads and all(t != threading.get_ident() for t in threads)


def test_async_tool_from_the_sync_client_without_a_loop() -> None:
    tool = client_tool(async_double)
    assert tool.run({"n": 5}) == 10
    assert tool.description == "Double a number, asynchronously."


async def test_sync_tool_from_the_async_client() -> None:
    seen: list[int] = []

    def count(n: int) -> int:
        seen.append(n)
        return n

    assert await client_tool(count).arun({"n": 3}) == 3
    assert seen == [3]
