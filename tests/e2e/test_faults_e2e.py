"""Faults injected in front of the real Mastra test server, and what the generated client does.

A ``FaultProxy`` (``fault_proxy.py``) sits between the client and the server: it answers 503s
and 429s itself, cuts or stalls streams at an exact event, trickles bytes, or forwards
untouched. Every scenario checks behaviour, never speed; the times it measures are printed
(``pytest -s``) as the figures of ``bench``-style notes, and only lower bounds that are part of
the behaviour (a Retry-After was waited for) are asserted.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from mastra_client import (
    APIConnectionError,
    APITimeoutError,
    AsyncMastraClient,
    IncompleteStreamError,
    InternalServerError,
    MastraClient,
)

from .fault_proxy import FaultProxy, cut_after, refuse, respond, stall_after, trickle
from .mastra_server import MastraTestServer

pytestmark = pytest.mark.e2e

RECORD = b"\x1e"


def figure(name: str, value: str) -> None:
    print(f"\nFIGURE {name}: {value}")


@pytest.fixture
def proxy(mastra_server: MastraTestServer) -> Iterator[FaultProxy]:
    with FaultProxy(mastra_server.base_url) as running:
        yield running


def proxied(proxy: FaultProxy, **options: Any) -> MastraClient:
    return MastraClient(proxy.url, **options)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def shape(events: list[Any]) -> list[tuple[str, Any]]:
    """What identifies a workflow event across a replay: its type and step."""
    return [(e.type, getattr(e.payload, "id", None)) for e in events]


# --------------------------------------------------------------------------- retries


@pytest.mark.routes("GET /agents")
def test_503_502_504_then_success(proxy: FaultProxy) -> None:
    for status in (503, 502, 504):
        proxy.add(respond(status, path=r"/api/agents$"))
    with proxied(proxy, max_retries=3) as client:
        started = time.monotonic()
        agents = client.agents.list_agents()
        elapsed = time.monotonic() - started
    assert "echo-agent" in agents
    assert [(s.fault, s.status) for s in proxy.requests] == [
        ("respond", 503),
        ("respond", 502),
        ("respond", 504),
        (None, 200),
    ]
    figure("503/502/504 then 200, 3 retries with backoff", f"{elapsed:.2f} s")


@pytest.mark.routes("GET /agents")
def test_429_retry_after_is_waited_for(proxy: FaultProxy) -> None:
    proxy.add(respond(429, headers={"Retry-After": "1"}, body=b'{"error": "slow down"}', path=r"/api/agents$"))
    with proxied(proxy) as client:
        client.agents.list_agents()
    first, second = proxy.requests
    waited = second.received_at - first.received_at
    assert waited >= 1.0
    figure("429 Retry-After: 1, measured wait", f"{waited:.3f} s")


@pytest.mark.routes("POST /agents/{agentId}/generate")
def test_post_generate_answered_503_is_not_retried_by_default(proxy: FaultProxy) -> None:
    proxy.add(respond(503, method="POST", path=r"/generate$", times=2))
    with proxied(proxy) as client:
        agent = client.get_agent("echo-agent")
        with pytest.raises(InternalServerError):
            agent.generate("once only")
        assert len(proxy.requests) == 1  # a generate may have run: repeating it could run it twice
        result = agent.generate("again, I accept a duplicate", retry_unsafe=True)
    assert result.text
    assert [s.status for s in proxy.requests] == [503, 503, 200]


def test_connection_refused(mastra_server: MastraTestServer) -> None:
    with MastraClient(f"http://127.0.0.1:{free_port()}", max_retries=2) as client:
        started = time.monotonic()
        with pytest.raises(APIConnectionError, match="Connection error") as caught:
            client.agents.list_agents()
        elapsed = time.monotonic() - started
    assert not isinstance(caught.value, APITimeoutError)
    figure("connection refused, 2 retries", f"{elapsed:.2f} s to APIConnectionError")


@pytest.mark.routes("GET /workflows")
def test_a_dropped_connection_without_answer_is_retried_for_a_get(proxy: FaultProxy) -> None:
    proxy.add(refuse(path=r"/api/workflows$"))
    with proxied(proxy) as client:
        assert "greetingWorkflow" in client.workflows.list_workflows()
    assert [s.fault for s in proxy.requests] == ["refuse", None]


# --------------------------------------------------------------------------- streams


@pytest.mark.routes("POST /workflows/{workflowId}/create-run", "POST /workflows/{workflowId}/stream")
def test_a_stalled_stream_hits_the_idle_timeout(proxy: FaultProxy) -> None:
    proxy.add(stall_after(2, seconds=30, separator=RECORD, path=r"/workflows/greeting-workflow/stream"))
    seen: list[Any] = []
    with proxied(proxy, idle_timeout=1.0) as client:
        run = client.get_workflow("greeting-workflow").create_run()
        started = time.monotonic()
        with (
            pytest.raises(APITimeoutError, match="went silent after 2 events"),
            run.stream(input_data={"name": "Ann"}) as stream,
        ):
            seen.extend(stream)
        elapsed = time.monotonic() - started
    assert [e.type for e in seen] == ["workflow-start", "workflow-step-start"]
    assert proxy.wait_upstream_closed()
    figure("stream stalled after 2 events, idle_timeout=1", f"APITimeoutError after {elapsed:.2f} s")


@pytest.mark.routes("POST /agents/{agentId}/stream")
def test_a_cut_stream_raises_instead_of_ending_quietly(proxy: FaultProxy) -> None:
    proxy.add(cut_after(3, path=r"/agents/echo-agent/stream$"))
    with proxied(proxy) as client:
        stream = client.get_agent("echo-agent").stream("count 20")
        with pytest.raises(IncompleteStreamError) as caught, stream:
            list(stream)
    assert caught.value.events == 3


@pytest.mark.routes(
    "POST /workflows/{workflowId}/create-run",
    "POST /workflows/{workflowId}/stream",
    "POST /workflows/{workflowId}/observe?offset",
)
def test_a_cut_workflow_stream_resumes_with_every_event_once(proxy: FaultProxy) -> None:
    with proxied(proxy) as client:
        workflow = client.get_workflow("greeting-workflow")
        clean_run = workflow.create_run()
        with clean_run.stream(input_data={"name": "Ann"}) as stream:
            expected = shape(list(stream))
        proxy.add(cut_after(3, separator=RECORD, path=r"/workflows/greeting-workflow/stream"))
        run = workflow.create_run()
        started = time.monotonic()
        with run.stream(input_data={"name": "Ann"}, resumable=True) as stream:
            got = shape(list(stream))
            assert stream.status == "success" and stream.result == {"greeting": "Hello, Ann!", "length": 11}
        elapsed = time.monotonic() - started
    assert got == expected and len(got) == 6
    observe = proxy.requests[-1]
    assert "/observe" in observe.path and f"runId={run.run_id}" in observe.path and "offset=3" in observe.path
    figure("workflow stream cut after 3 of 6 events, resumed", f"{elapsed * 1000:.0f} ms for the whole run")


@pytest.mark.routes(
    "POST /workflows/{workflowId}/create-run",
    "POST /workflows/{workflowId}/stream",
    "POST /workflows/{workflowId}/resume-stream",
    "POST /workflows/{workflowId}/observe?offset",
)
async def test_a_cut_resume_stream_finds_its_place_in_the_replay(proxy: FaultProxy) -> None:
    async with AsyncMastraClient(proxy.url) as client:
        run = await client.get_workflow("approval-workflow").create_run()
        async with run.stream(input_data={"amount": 5, "requester": "ann"}) as stream:
            first_round = [e async for e in stream]
            assert stream.status == "suspended"
        proxy.add(cut_after(2, separator=RECORD, path=r"/resume-stream"))
        resume = run.resume_stream(
            step="request-approval", resume_data={"approved": True, "approver": "bo"}, resumable=True
        )
        async with resume as stream:
            second_round = [e async for e in stream]
            assert stream.status == "success"
    assert len(first_round) == 4
    assert [e.type for e in second_round] == [
        "workflow-start",
        "workflow-step-start",
        "workflow-step-result",
        "workflow-step-start",
        "workflow-step-result",
        "workflow-finish",
    ]
    assert "offset=0" in proxy.requests[-1].path  # replayed from the start and aligned


@pytest.mark.routes("POST /agents/{agentId}/stream")
def test_leaving_a_stream_closes_the_upstream_connection(proxy: FaultProxy) -> None:
    with proxied(proxy) as client:
        with client.get_agent("echo-agent").stream("count 200") as stream:
            next(iter(stream))
        assert proxy.wait_upstream_closed()


@pytest.mark.routes("POST /agents/{agentId}/stream")
async def test_cancelling_the_task_closes_the_connection_at_once(proxy: FaultProxy) -> None:
    proxy.add(stall_after(2, seconds=30, path=r"/agents/echo-agent/stream$"))
    async with AsyncMastraClient(proxy.url) as client:
        got_two = asyncio.Event()

        async def consume() -> None:
            seen = 0
            async with client.get_agent("echo-agent").stream("count 5") as stream:
                async for _ in stream:
                    seen += 1
                    if seen == 2:
                        got_two.set()

        task = asyncio.create_task(consume())
        await asyncio.wait_for(got_two.wait(), 10)
        await asyncio.sleep(0.1)  # the consumer now waits on the stalled socket
        started = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        closed = await asyncio.to_thread(proxy.wait_upstream_closed, 5.0)
        elapsed = time.monotonic() - started
    assert closed and proxy.requests[-1].client_disconnected
    figure("task cancelled mid-stream -> proxy saw the disconnect", f"{elapsed * 1000:.0f} ms")


@pytest.mark.routes("GET /agents")
def test_a_trickling_answer_is_cut_at_the_read_timeout(proxy: FaultProxy) -> None:
    proxy.add(trickle(bytes_per_second=1, path=r"/api/agents$"))
    with proxied(proxy, max_retries=0, timeout=httpx.Timeout(3.0, connect=2.0)) as client:
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            client.agents.list_agents()
        elapsed = time.monotonic() - started
    assert proxy.wait_upstream_closed()
    figure("answer trickling 1 byte/s, read timeout 3 s", f"APITimeoutError after {elapsed:.2f} s")


@pytest.mark.routes("GET /workflows/{workflowId}")
def test_a_slow_answer_within_the_timeout_is_read(proxy: FaultProxy) -> None:
    proxy.add(trickle(bytes_per_second=2000, path=r"/api/workflows/greeting-workflow$"))
    with proxied(proxy, timeout=30.0) as client:
        started = time.monotonic()
        workflow = client.workflows.get_workflow("greeting-workflow")
        elapsed = time.monotonic() - started
    assert workflow.name == "greeting-workflow"
    figure("answer trickling 2,000 bytes/s read whole", f"{elapsed:.2f} s")


# --------------------------------------------------------------------------- load


@pytest.mark.routes("GET /workflows/{workflowId}")
async def test_1000_concurrent_requests_with_a_bounded_pool(mastra_server: MastraTestServer) -> None:
    limits = httpx.Limits(max_connections=50, max_keepalive_connections=50)
    http = httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(60.0, connect=5.0))
    peak = 0
    async with AsyncMastraClient(mastra_server.base_url, http_client=http) as client:

        async def one(i: int) -> bool:
            nonlocal peak
            details = await client.workflows.get_workflow("greeting-workflow")
            peak = max(peak, len(http._transport._pool.connections))  # type: ignore[attr-defined]
            return details.name == "greeting-workflow"

        started = time.monotonic()
        results = await asyncio.gather(*(one(i) for i in range(1000)), return_exceptions=True)
        elapsed = time.monotonic() - started
    await http.aclose()
    failures = [r for r in results if r is not True]
    assert failures == [] and len(results) == 1000
    assert peak <= 50
    figure("1,000 concurrent GETs, pool of 50", f"{elapsed:.2f} s, {1000 / elapsed:.0f} req/s, peak {peak} connections")
