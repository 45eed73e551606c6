"""A client that survives production, without a server: the generated client over ``httpx.MockTransport``.

Retries of unsafe calls only on request, the whole-answer deadline, the stream idle timeout,
resumable streams (observe from an offset, or found in a replay of the whole run), pagination
iterators, ``with_raw_response``, redacted logs, the User-Agent, and cancellation.
The same behaviours against the real server, through a fault-injecting proxy, are in
``tests/e2e/test_faults_e2e.py``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from mastra_client import (
    NOT_GIVEN,
    APIConnectionError,
    APITimeoutError,
    AsyncMastraClient,
    IncompleteStreamError,
    InternalServerError,
    MastraClient,
    NotFoundError,
)
from test_streams import AsyncBody, Body, Server, streaming_response

BASE_URL = "http://mastra.test"
API_KEY = "sk-very-secret-key"
RUN = "run-7"


def make_client(server: Server, **kwargs: Any) -> tuple[MastraClient, list[float]]:
    kwargs.setdefault("max_retries", 2)
    client = MastraClient(BASE_URL, http_client=httpx.Client(transport=httpx.MockTransport(server)), **kwargs)
    sleeps: list[float] = []
    client._sleep = sleeps.append
    return client, sleeps


def make_async_client(server: Server, **kwargs: Any) -> tuple[AsyncMastraClient, list[float]]:
    kwargs.setdefault("max_retries", 2)
    http = httpx.AsyncClient(transport=httpx.MockTransport(server))
    client = AsyncMastraClient(BASE_URL, http_client=http, **kwargs)
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    client._sleep = sleep
    return client, sleeps


def ok(body: object) -> httpx.Response:
    return httpx.Response(200, json=body)


def event(kind: str, step: str | None = None, **payload: Any) -> dict[str, Any]:
    """A workflow event of run ``RUN``."""
    if step is not None:
        payload["id"] = step
    return {"type": kind, "runId": RUN, "from": "WORKFLOW", "payload": payload}


RUN_EVENTS = [
    event("workflow-start", workflowId="wf"),
    event("workflow-step-start", "a", startedAt=1),
    event("workflow-step-result", "a", output={"x": 1}),
    event("workflow-step-start", "b", startedAt=2),
    event("workflow-step-result", "b", output={"y": 2}),
    event("workflow-finish", workflowStatus="success", output={"result": {"y": 2}}),
]


def records(events: list[dict[str, Any]]) -> list[bytes]:
    """One read per record, as the server flushes them."""
    return [json.dumps(e).encode() + b"\x1e" for e in events]


def record_response(
    events: list[dict[str, Any]], *, cut_after: int | None = None, asynchronous: bool = False
) -> httpx.Response:
    chunks = records(events)
    body: Body | AsyncBody
    if cut_after is not None:
        body = (AsyncBody if asynchronous else Body)(
            chunks[:cut_after] + [b"{}"], fail_after=cut_after, error=httpx.RemoteProtocolError("peer closed")
        )
    else:
        body = (AsyncBody if asynchronous else Body)(chunks)
    return streaming_response(200, {"content-type": "text/plain"}, body)


# --------------------------------------------------------------------------- retries


def test_post_is_not_retried_by_default_but_can_opt_in() -> None:
    server = Server(httpx.Response(503), httpx.Response(503), ok({"runId": "r"}))
    client, sleeps = make_client(server)
    with pytest.raises(InternalServerError):
        client.workflows.create_run("wf")
    assert len(server.requests) == 1 and sleeps == []
    result = client.workflows.create_run("wf", retry_unsafe=True)
    assert result.run_id == "r"
    assert len(server.requests) == 3 and len(sleeps) == 1


def test_get_and_operations_marked_safe_are_retried() -> None:
    server = Server(httpx.Response(502), httpx.Response(504), ok({}))
    client, sleeps = make_client(server)
    client.agents.list_agents()
    assert [r.method for r in server.requests] == ["GET"] * 3
    assert len(sleeps) == 2 and 0.375 <= sleeps[0] <= 0.5 and 0.75 <= sleeps[1] <= 1.0
    # observe is a POST marked `safe: true` in the overrides: repeating it changes nothing.
    server = Server(httpx.Response(503), record_response(RUN_EVENTS))
    client, sleeps = make_client(server)
    with client.workflows.observe("wf", run_id=RUN) as stream:
        assert len(list(stream)) == len(RUN_EVENTS)
    assert len(server.requests) == 2 and len(sleeps) == 1


def test_a_stream_is_retried_only_before_its_first_byte() -> None:
    server = Server(httpx.Response(503), record_response(RUN_EVENTS, cut_after=2))
    client, sleeps = make_client(server)
    stream = client.workflows.stream("wf", run_id=RUN, retry_unsafe=True)
    with pytest.raises(IncompleteStreamError), stream:
        list(stream)
    assert len(server.requests) == 2  # the 503 was retried; the cut after 2 events was not


def test_429_retry_after_is_honoured_by_generated_calls() -> None:
    server = Server(httpx.Response(429, headers={"Retry-After": "3"}), ok({}))
    client, sleeps = make_client(server)
    client.agents.list_agents()
    assert sleeps == [3.0]


# --------------------------------------------------------------------------- timeouts


class Trickle(httpx.SyncByteStream):
    """A body that arrives one byte every ``interval`` seconds."""

    def __init__(self, body: bytes, interval: float, prefix: bytes = b"") -> None:
        self.body, self.interval, self.prefix, self.closed = body, interval, prefix, False

    def __iter__(self) -> Iterator[bytes]:
        if self.prefix:
            yield self.prefix
        for byte in self.body:
            time.sleep(self.interval)
            yield bytes([byte])

    def close(self) -> None:
        self.closed = True


class AsyncTrickle(httpx.AsyncByteStream):
    def __init__(self, body: bytes, interval: float) -> None:
        self.body, self.interval, self.closed = body, interval, False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for byte in self.body:
            await asyncio.sleep(self.interval)
            yield bytes([byte])

    async def aclose(self) -> None:
        self.closed = True


def test_a_trickling_answer_is_cut_at_the_read_timeout() -> None:
    body = Trickle(json.dumps({"padding": "x" * 200}).encode(), 0.01)
    server = Server(httpx.Response(200, headers={"content-type": "application/json"}, stream=body))
    client, _ = make_client(server, max_retries=0, timeout=httpx.Timeout(0.3, connect=1.0))
    started = time.monotonic()
    with pytest.raises(APITimeoutError, match="timed out"):
        client.agents.list_agents()
    assert time.monotonic() - started < 2.0  # not the 2 s the whole body would take
    assert body.closed


async def test_a_trickling_answer_is_cut_at_the_read_timeout_async() -> None:
    body = AsyncTrickle(json.dumps({"padding": "x" * 200}).encode(), 0.01)
    server = Server(httpx.Response(200, headers={"content-type": "application/json"}, stream=body))
    client, _ = make_async_client(server, max_retries=0, timeout=httpx.Timeout(0.3, connect=1.0))
    with pytest.raises(APITimeoutError):
        await client.agents.list_agents()
    assert body.closed


def test_a_slow_but_timely_answer_is_read_whole() -> None:
    body = Trickle(b"{" + b" " * 50 + b"}", 0.001)
    server = Server(httpx.Response(200, headers={"content-type": "application/json"}, stream=body))
    client, _ = make_client(server, timeout=5.0)
    assert client.agents.list_agents() == {}


def test_stream_idle_timeout_fires_when_bytes_trickle_without_events() -> None:
    first = json.dumps(RUN_EVENTS[0]).encode() + b"\x1e"
    body = Trickle(b'{"type": "workflow-step-start", "padding": "' + b"x" * 400, 0.005, prefix=first)
    server = Server(streaming_response(200, {"content-type": "text/plain"}, body))
    client, _ = make_client(server, max_retries=0, idle_timeout=0.5)
    seen: list[Any] = []
    with (
        pytest.raises(APITimeoutError, match="no event for 0.5 s"),
        client.workflows.stream("wf", run_id=RUN) as stream,
    ):
        for chunk in stream:
            seen.append(chunk)
    assert [c.type for c in seen] == ["workflow-start"]
    assert body.closed


def test_idle_timeout_is_the_streams_read_timeout() -> None:
    server = Server(record_response(RUN_EVENTS), record_response(RUN_EVENTS), streaming_response(200, {}, Body([])))
    client, _ = make_client(server, idle_timeout=7.0, timeout=httpx.Timeout(30.0, connect=2.0))
    with client.workflows.stream("wf", run_id=RUN) as stream:
        stream.until_done()
    with client.workflows.stream("wf", run_id=RUN, idle_timeout=3.0) as stream:
        stream.until_done()
    # A subscription waits for events that may never come: no idle timeout unless asked.
    with client.agents.subscribe_to_thread("a", resource_id="u", thread_id="t") as stream:
        list(stream)
    reads = [r.extensions["timeout"]["read"] for r in server.requests]
    connects = {r.extensions["timeout"]["connect"] for r in server.requests}
    assert reads == [7.0, 3.0, None] and connects == {2.0}


def test_idle_timeout_must_be_positive() -> None:
    with pytest.raises(ValueError, match="idle_timeout"):
        MastraClient(BASE_URL, idle_timeout=0)


# --------------------------------------------------------------------------- resumable streams


def test_a_dropped_workflow_stream_resumes_from_the_offset() -> None:
    server = Server(record_response(RUN_EVENTS, cut_after=2), record_response(RUN_EVENTS[2:]))
    client, sleeps = make_client(server)
    with client.workflows.stream("wf", run_id=RUN, input_data={"n": 1}, resumable=True) as stream:
        got = [(c.type, getattr(c.payload, "id", None)) for c in stream]
        assert stream.status == "success"
    assert got == [(e["type"], e["payload"].get("id")) for e in RUN_EVENTS]
    resumed = server.requests[1]
    assert resumed.method == "POST" and resumed.url.path == "/api/workflows/wf/observe"
    assert dict(resumed.url.params) == {"runId": RUN, "offset": "2"}
    assert stream.events_received == len(RUN_EVENTS)


async def test_a_dropped_workflow_stream_resumes_from_the_offset_async() -> None:
    server = Server(
        record_response(RUN_EVENTS, cut_after=3, asynchronous=True),
        record_response(RUN_EVENTS[3:5], cut_after=1, asynchronous=True),  # breaks again
        record_response(RUN_EVENTS[4:], asynchronous=True),
    )
    client, _ = make_async_client(server)
    async with client.workflows.stream("wf", run_id=RUN, resumable=True) as stream:
        kinds = [c.type async for c in stream]
    assert kinds == [e["type"] for e in RUN_EVENTS]
    assert [r.url.params.get("offset") for r in server.requests] == [None, "3", "4"]


def test_a_stream_that_ends_early_without_error_is_resumed_too() -> None:
    server = Server(record_response(RUN_EVENTS[:4]), record_response(RUN_EVENTS[4:]))
    client, _ = make_client(server)
    with client.workflows.stream("wf", run_id=RUN, resumable=True) as stream:
        assert len(list(stream)) == len(RUN_EVENTS)
    assert server.requests[1].url.params["offset"] == "4"


def test_without_resumable_a_dropped_stream_raises() -> None:
    server = Server(record_response(RUN_EVENTS, cut_after=2))
    client, _ = make_client(server)
    seen: list[Any] = []
    with pytest.raises(IncompleteStreamError) as caught, client.workflows.stream("wf", run_id=RUN) as stream:
        seen.extend(stream)
    assert len(seen) == 2 and caught.value.events == 2
    assert isinstance(caught.value, APIConnectionError)


def test_resume_stream_finds_its_place_in_a_replay_of_the_whole_run() -> None:
    # The run was suspended once: the server keeps that first round, then this resume round.
    first_round = [
        event("workflow-start", workflowId="wf"),
        event("workflow-step-start", "a", startedAt=1),
        event("workflow-step-suspended", "a", suspendPayload={}),
        event("workflow-finish", workflowStatus="suspended"),
    ]
    second_round = [
        event("workflow-start", workflowId="wf"),
        event("workflow-step-start", "a", startedAt=5),
        event("workflow-step-result", "a", output={"ok": True}),
        event("workflow-finish", workflowStatus="success"),
    ]
    server = Server(record_response(second_round, cut_after=2), record_response(first_round + second_round))
    client, _ = make_client(server)
    with client.workflows.resume_stream("wf", run_id=RUN, step="a", resume_data={}, resumable=True) as stream:
        got = [c.model_dump(by_alias=True, exclude_none=True) for c in stream]
    assert got == second_round
    assert dict(server.requests[1].url.params) == {"runId": RUN, "offset": "0"}


def test_resume_fails_clearly_when_the_replay_lacks_our_events() -> None:
    server = Server(
        record_response(RUN_EVENTS, cut_after=2), record_response([event("workflow-start", workflowId="x")])
    )
    client, _ = make_client(server)
    stream = client.workflows.resume_stream("wf", run_id=RUN, step="a", resumable=True)
    with pytest.raises(IncompleteStreamError, match="could not be resumed"), stream:
        list(stream)


def test_resume_gives_up_after_its_attempts() -> None:
    server = Server(
        record_response(RUN_EVENTS, cut_after=2),
        record_response(RUN_EVENTS[2:], cut_after=0),
        record_response(RUN_EVENTS[2:], cut_after=0),
    )
    client, sleeps = make_client(server)
    with (
        pytest.raises(IncompleteStreamError, match="after 2 events"),
        client.workflows.stream("wf", run_id=RUN, resumable=2) as stream,
    ):
        list(stream)
    assert len(server.requests) == 3
    assert sleeps == [0.0, 0.5]  # at once, then backing off


def test_resume_that_cannot_reach_the_server_says_so() -> None:
    server = Server(
        record_response(RUN_EVENTS, cut_after=2), httpx.Response(404, json={"error": "Workflow run not found"})
    )
    client, _ = make_client(server)
    stream = client.workflows.stream("wf", run_id=RUN, resumable=True)
    with pytest.raises(IncompleteStreamError, match="could not be resumed: 404") as caught, stream:
        list(stream)
    assert isinstance(caught.value.__cause__, NotFoundError)


def test_agent_stream_resumes_through_agent_observe_with_a_json_body() -> None:
    def chunk(kind: str, **payload: Any) -> dict[str, Any]:
        return {"type": kind, "runId": RUN, "from": "AGENT", "payload": payload}

    events = [chunk("start"), chunk("text-delta", text="a"), chunk("text-delta", text="b"), chunk("finish")]

    def sse(items: list[dict[str, Any]], cut: bool) -> httpx.Response:
        chunks = [b"data: " + json.dumps(e).encode() + b"\n\n" for e in items]
        if cut:
            return streaming_response(200, {}, Body(chunks, fail_after=len(chunks)))
        return streaming_response(200, {}, Body([*chunks, b"data: [DONE]\n\n"]))

    server = Server(sse(events[:2], cut=True), sse(events[2:], cut=False))
    client, _ = make_client(server)
    with client.get_agent("echo").stream("hi", resumable=True) as stream:
        assert stream.text == "" and "".join(stream.text_stream) == "ab"
    observe = server.requests[1]
    assert observe.url.path == "/api/agents/echo/observe"
    assert json.loads(observe.content) == {"runId": RUN, "offset": 2}


# --------------------------------------------------------------------------- pagination


def threads_page(ids: list[str], *, has_more: bool, page: int = 0) -> httpx.Response:
    threads = [
        {"id": i, "resourceId": "u", "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z"}
        for i in ids
    ]
    return ok({"threads": threads, "hasMore": has_more, "total": 99, "page": page, "perPage": 2})


def test_iter_walks_every_page_until_has_more_is_false() -> None:
    server = Server(
        threads_page(["a", "b"], has_more=True),
        threads_page(["c", "d"], has_more=True),
        threads_page(["e"], has_more=False),
    )
    client, _ = make_client(server)
    threads = list(client.memory.iter_threads(per_page=2, resource_id="u"))
    assert [t.id for t in threads] == ["a", "b", "c", "d", "e"]
    assert type(threads[0]).__name__ == "MemoryThreadDetails"
    assert [r.url.params["page"] for r in server.requests] == ["0", "1", "2"]
    assert {r.url.params["perPage"] for r in server.requests} == {"2"}
    assert {r.url.params["resourceId"] for r in server.requests} == {"u"}


def test_iter_starts_where_asked_and_stops_when_the_server_ignores_the_page() -> None:
    server = Server(threads_page(["a", "b"], has_more=True), threads_page(["a", "b"], has_more=True))
    client, _ = make_client(server)
    assert [t.id for t in client.memory.iter_threads(page=3, per_page=2)] == ["a", "b"]
    assert [r.url.params["page"] for r in server.requests] == ["3", "4"]


def run(i: int) -> dict[str, Any]:
    stamp = "2026-01-01T00:00:00Z"
    return {"runId": f"r{i}", "workflowName": "wf", "snapshot": {}, "createdAt": stamp, "updatedAt": stamp}


def test_iter_is_lazy_and_stops_at_the_total() -> None:
    runs = [run(i) for i in range(5)]
    server = Server(
        ok({"runs": runs[:2], "total": 5}), ok({"runs": runs[2:4], "total": 5}), ok({"runs": runs[4:], "total": 5})
    )
    client, _ = make_client(server)
    walk = iter(client.get_workflow("wf").iter_runs(per_page=2))
    assert server.requests == []  # nothing is fetched before the loop asks
    assert next(walk).run_id == "r0" and len(server.requests) == 1
    assert [r.run_id for r in walk] == ["r1", "r2", "r3", "r4"]
    assert len(server.requests) == 3


@pytest.mark.parametrize(
    ("style", "size", "pages", "expected_positions"),
    [
        ("page", 2, [{"items": [1, 2]}, {"items": [3]}], [0, 1]),  # a short page is the last
        ("page", None, [{"items": [1, 2], "perPage": 2}, {"items": [3], "perPage": 2}], [0, 1]),
        (
            "page",
            2,
            [{"items": [1, 2], "pagination": {"total": 4}}, {"items": [3, 4], "pagination": {"total": 4}}],
            [0, 1],
        ),
        ("page", 2, [{"items": [1, 2], "pagination": {"hasMore": False}}], [0]),
        ("offset", 2, [{"items": [1, 2], "total": 3}, {"items": [3], "total": 3}], [0, 2]),
        ("offset", None, [{"items": [1, 2]}, {"items": [3]}, {"items": []}], [0, 2, 3]),
    ],
)
def test_pager_ends(style: str, size: int | None, pages: list[dict[str, Any]], expected_positions: list[int]) -> None:
    from mastra_client._runtime._pagination import Pager

    pager = Pager(style, NOT_GIVEN, 0, size if size is not None else NOT_GIVEN, "items")
    positions, items = [], []
    for page in pages:
        assert not pager.done
        positions.append(pager.position)
        items.extend(pager.take(page))
    assert pager.done and positions == expected_positions
    assert items == [i for p in pages for i in p["items"]]


async def test_iter_async() -> None:
    server = Server(threads_page(["a", "b"], has_more=True), threads_page([], has_more=True))
    client, _ = make_async_client(server)
    assert [t.id async for t in client.memory.iter_threads(per_page=2)] == ["a", "b"]


# --------------------------------------------------------------------------- raw responses


def test_with_raw_response_gives_status_headers_and_the_parsed_result() -> None:
    server = Server(httpx.Response(200, json={}, headers={"x-request-id": "req-1"}))
    client, _ = make_client(server)
    raw = client.with_raw_response.agents.list_agents()
    assert raw.status_code == 200 and raw.headers["x-request-id"] == "req-1"
    assert raw.http_response.request.url.path == "/api/agents"
    assert raw.parse() == {} and raw.json() == {}


def test_with_raw_response_keeps_the_body_when_it_does_not_parse() -> None:
    from mastra_client import APIResponseValidationError, validation_errors

    server = Server(ok({"runId": 12}), ok({"runId": 12}), ok({"text": "hi"}))
    client, _ = make_client(server)
    raw = client.with_raw_response.workflows.create_run("wf")  # lenient: kept as sent
    assert raw.json() == {"runId": 12}
    assert raw.parse().run_id == 12 and validation_errors(raw.parse())[0]["loc"] == ("runId",)
    raw = client.with_raw_response.workflows.create_run("wf", strict_response_validation=True)
    assert raw.json() == {"runId": 12}
    with pytest.raises(APIResponseValidationError):
        raw.parse()
    # Through a facade: get_agent makes no request; it answers the facade's own view.
    raw = client.with_raw_response.get_agent("echo").generate("hi")
    assert raw.status_code == 200 and raw.parse().text == "hi"


def test_the_views_are_typed_classes_whose_streams_are_the_targets_own() -> None:
    """Each area, facade and the client has its view class: what type checkers complete on."""
    client, _ = make_client(Server())
    assert type(client.with_raw_response).__name__ == "MastraClientWithRawResponse"
    assert client.with_raw_response is client.with_raw_response  # one view per client
    view = client.with_raw_response.get_agent("echo")
    assert type(view).__name__ == "AgentWithRawResponse"
    assert view.stream.__func__ is type(client.get_agent("echo")).stream  # a stream is read a piece at a time
    assert view.generate.__name__ == "generate" and view.generate.__doc__ == client.get_agent("e").generate.__doc__
    assert type(client.with_streaming_response.agents).__name__ == "AgentsResourceWithStreamingResponse"
    assert type(client.with_streaming_response.get_agent("echo").voice).__name__ == "AgentVoiceWithStreamingResponse"


async def test_with_raw_response_async() -> None:
    server = Server(httpx.Response(201, json={"runId": "r"}))
    client, _ = make_async_client(server)
    raw = await client.with_raw_response.get_workflow("wf").create_run()
    assert raw.status_code == 201 and raw.parse().run_id == "r"


# --------------------------------------------------------------------------- logs, secrets, identity


def test_debug_logs_show_requests_and_responses_without_secrets(caplog: pytest.LogCaptureFixture) -> None:
    server = Server(httpx.Response(200, json={}, headers={"set-cookie": "session=abc123"}))
    client, _ = make_client(server, api_key=API_KEY, headers={"X-Api-Key": "other-secret"})
    with caplog.at_level(logging.DEBUG, logger="mastra_client"):
        client.agents.list_agents(extra_query={"apiKey": "query-secret"})
    text = caplog.text
    assert "HTTP request: GET" in text and "HTTP response: GET" in text and "-> 200" in text
    for secret in (API_KEY, "other-secret", "query-secret", "abc123"):
        assert secret not in text
    assert "<redacted>" in text and "user-agent" in text


def test_secrets_stay_out_of_errors_and_reprs() -> None:
    server = Server(httpx.Response(500, json={"error": "boom"}))
    client, _ = make_client(server, api_key=API_KEY, max_retries=0)
    with pytest.raises(InternalServerError) as caught:
        client.agents.list_agents(extra_query={"token": "query-secret"})
    for text in (str(caught.value), repr(caught.value), repr(client), repr(client.with_raw_response)):
        assert API_KEY not in text and "query-secret" not in text


def test_user_agent_names_the_client_and_its_version() -> None:
    server = Server(ok({}), ok({}))
    client, _ = make_client(server)
    client.agents.list_agents()
    user_agent = server.requests[0].headers["user-agent"]
    assert user_agent.startswith("mastra_client/0.1.0 (python 3.") and "httpx" in user_agent
    client.with_options(user_agent="my-app/2").agents.list_agents()
    assert server.requests[1].headers["user-agent"] == "my-app/2"


def test_with_options_on_the_generated_client() -> None:
    client = MastraClient(BASE_URL, api_key=API_KEY)
    copy = client.with_options(max_retries=0, idle_timeout=None, timeout=3.0)
    assert isinstance(copy, MastraClient)
    assert copy.max_retries == 0 and copy.idle_timeout is None and copy.timeout == 3.0
    assert client.idle_timeout == 60.0


# --------------------------------------------------------------------------- cancellation


class Endless(httpx.AsyncByteStream):
    """A stream that sends one event and then waits forever; records ``aclose()``."""

    def __init__(self) -> None:
        self.closed = asyncio.Event()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield json.dumps(RUN_EVENTS[0]).encode() + b"\x1e"
        await asyncio.Event().wait()
        yield b""  # pragma: no cover

    async def aclose(self) -> None:
        self.closed.set()


async def test_cancelling_the_task_closes_the_connection() -> None:
    body = Endless()
    server = Server(httpx.Response(200, stream=body))
    client, _ = make_async_client(server)
    first = asyncio.Event()

    async def consume() -> None:
        async with client.workflows.stream("wf", run_id=RUN) as stream:
            async for _ in stream:
                first.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first.wait(), 2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.wait_for(body.closed.wait(), 1)


def test_leaving_a_stream_early_closes_the_connection() -> None:
    body = Body(records(RUN_EVENTS))
    server = Server(streaming_response(200, {}, body))
    client, _ = make_client(server)
    with client.workflows.stream("wf", run_id=RUN) as stream:
        next(iter(stream))
    assert body.closed and stream.is_closed


def test_resume_retries_a_busy_observe_route_but_not_a_silent_one() -> None:
    server = Server(record_response(RUN_EVENTS, cut_after=2), httpx.Response(503), record_response(RUN_EVENTS[2:]))
    client, sleeps = make_client(server)
    with client.workflows.stream("wf", run_id=RUN, resumable=True) as stream:
        assert len(list(stream)) == len(RUN_EVENTS)
    assert len(server.requests) == 3 and sleeps == [0.0, 0.5]

    def silent(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/observe"):
            raise httpx.ReadTimeout("timed out", request=request)
        return record_response(RUN_EVENTS, cut_after=2)

    client = MastraClient(BASE_URL, http_client=httpx.Client(transport=httpx.MockTransport(silent)))
    client._sleep = lambda _: None
    stream = client.workflows.stream("wf", run_id=RUN, resumable=True)
    with pytest.raises(IncompleteStreamError, match="could not be resumed") as caught, stream:
        list(stream)
    assert isinstance(caught.value.__cause__, APITimeoutError)
