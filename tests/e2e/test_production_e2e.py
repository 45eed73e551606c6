"""Pagination, raw responses and redacted logs against the real Mastra test server."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import pytest

from .test_client_e2e import call

pytestmark = pytest.mark.e2e


async def collect(items: Any) -> list[Any]:
    if hasattr(items, "__aiter__"):
        return [item async for item in items]
    return list(items)


@pytest.mark.routes("POST /memory/threads", "GET /memory/threads")
async def test_iter_memory_threads_walks_every_page(any_client: Any) -> None:
    resource = f"pager-{uuid.uuid4().hex[:8]}"
    created = []
    for i in range(5):
        thread = await call(any_client.create_memory_thread(agent_id="echo-agent", resource_id=resource, title=f"t{i}"))
        created.append(thread.id)
    threads = await collect(any_client.iter_memory_threads(agent_id="echo-agent", resource_id=resource, per_page=2))
    assert sorted(t.id for t in threads) == sorted(created)  # each once: 3 pages of 2, 2 and 1
    same = await collect(any_client.memory.iter_threads(agent_id="echo-agent", resource_id=resource, per_page=10))
    assert len(same) == 5


@pytest.mark.routes("POST /workflows/{workflowId}/create-run", "GET /workflows/{workflowId}/runs")
async def test_iter_workflow_runs(any_client: Any) -> None:
    workflow = any_client.get_workflow("greeting-workflow")
    for _ in range(3):
        run = await call(workflow.create_run())
        await call(run.start(input_data={"name": "Pat"}))
    runs = await collect(workflow.iter_runs(per_page=1))
    ids = [r.run_id for r in runs]
    assert len(ids) >= 3 and len(ids) == len(set(ids))


@pytest.mark.routes("GET /agents", "POST /agents/{agentId}/generate")
async def test_with_raw_response(any_client: Any) -> None:
    raw = await call(any_client.with_raw_response.agents.list_agents())
    assert raw.status_code == 200 and raw.headers["content-type"].startswith("application/json")
    assert "echo-agent" in raw.parse()
    raw = await call(any_client.with_raw_response.get_agent("echo-agent").generate("raw please"))
    assert raw.http_response.request.url.path == "/api/agents/echo-agent/generate"
    assert raw.parse().text


@pytest.mark.routes("GET /agents")
def test_debug_log_of_a_real_exchange_hides_the_key(mastra_server: Any, caplog: pytest.LogCaptureFixture) -> None:
    from mastra_client import MastraClient

    with (
        MastraClient(mastra_server.base_url, api_key="sk-live-abcdef") as client,
        caplog.at_level(logging.DEBUG, logger="mastra_client"),
    ):
        client.agents.list_agents()
    assert "HTTP response: GET" in caplog.text and "-> 200" in caplog.text
    assert "sk-live-abcdef" not in caplog.text and "'authorization': '<redacted>'" in caplog.text
