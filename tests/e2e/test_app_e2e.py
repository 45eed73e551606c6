"""Typed to the app (``--app``), against the real server (server.mjs block "issue 17").

generated/ is typed to the test server's app (tests/fixtures/app/e2e-app.json). Each scenario
runs with the sync and the async client: ``order-pipeline`` started with its typed input,
suspended (payload typed by the step), resumed with its typed resume data, its result typed;
the same through streams; ``quote-order`` executed with typed input and output; a mapping
validated before it is sent; ``check_app()`` finds the live app unchanged. And the snapshot
the server gives now is the checked-in one (so the fixture follows server.mjs).

It runs once, not in the nested suites (another client or server has another app).
"""

from __future__ import annotations

import inspect
import json
import warnings
from pathlib import Path
from typing import Any

import pydantic
import pytest

from .nested import skip_if_nested

pytestmark = pytest.mark.e2e

SNAPSHOT = Path(__file__).resolve().parents[1] / "fixtures" / "app" / "e2e-app.json"


@pytest.fixture(autouse=True)
def _once() -> None:
    skip_if_nested()


async def call(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


async def read(stream: Any) -> tuple[Any, list[Any]]:
    if hasattr(stream, "__aenter__"):
        async with stream as opened:
            chunks = [chunk async for chunk in opened]
        return opened, chunks
    with stream as opened:
        return opened, list(opened)


def order() -> Any:
    from mastra_client.app import OrderPipelineInput, OrderPipelineInputCustomer, OrderPipelineInputItem

    return OrderPipelineInput(
        customer=OrderPipelineInputCustomer(name="Ada", tier="pro"),
        items=[
            OrderPipelineInputItem(sku="A-1", quantity=2, unitPrice=5.0),
            OrderPipelineInputItem(sku="B-2", quantity=1, unitPrice=10.0),
        ],
    )


async def test_a_typed_run_suspends_and_resumes_with_typed_data(any_client: Any) -> None:
    from mastra_client.app import (
        OrderPipelineOutput,
        OrderPipelineResult,
        OrderPipelineReviewOrderResume,
        OrderPipelineReviewOrderSuspend,
    )

    run = await call(any_client.app.workflows.order_pipeline.create_run())
    started = await call(run.start_async(input_data=order()))
    assert isinstance(started, OrderPipelineResult) and started.status == "suspended"
    assert started.suspended_steps == ["review-order"]
    payload = started.suspend_payload("review-order")
    assert payload == OrderPipelineReviewOrderSuspend(total=18.0, checks=["stock", "credit"])
    resume = OrderPipelineReviewOrderResume.model_validate(
        {"decision": "approved", "reviewer": {"name": "Bo"}, "reason": "fine"}
    )
    done = await call(run.resume_async(resume_data=resume, step="review-order"))
    assert done.status == "success"
    assert done.result == OrderPipelineOutput(customer="Ada", total=18.0, decision="approved", reason="fine")


async def test_a_mapping_is_validated_before_it_is_sent(any_client: Any) -> None:
    pipeline = any_client.app.workflows.order_pipeline
    with pytest.raises(pydantic.ValidationError, match="items"):
        await call(pipeline.start_async(input_data={"customer": {"name": "Ada"}}))
    # A valid mapping goes through, the enum's default left to the server.
    run = await call(pipeline.create_run())
    items = [{"sku": "C", "quantity": 3, "unitPrice": 2.0}]
    started = await call(run.start_async(input_data={"customer": {"name": "Al"}, "items": items}))
    assert started.status == "suspended" and started.suspend_payload().total == 6.0
    with pytest.raises(pydantic.ValidationError, match="decision"):
        await call(run.resume_async(resume_data={"decision": "maybe", "reviewer": {"name": "x"}}))


async def test_typed_streams_start_and_resume(any_client: Any) -> None:
    from mastra_client.app import OrderPipelineReviewOrderResume

    run = await call(any_client.app.workflows.order_pipeline.create_run())
    stream, _ = await read(run.stream(input_data=order()))
    assert stream.status == "suspended"
    resume = OrderPipelineReviewOrderResume.model_validate({"decision": "rejected", "reviewer": {"name": "Bo"}})
    stream, _ = await read(run.resume_stream(resume_data=resume))  # the only step that resumes
    assert stream.status == "success" and stream.result["decision"] == "rejected"


async def test_a_tool_executes_typed(any_client: Any) -> None:
    from mastra_client.app import QuoteOrderInput, QuoteOrderInputItem, QuoteOrderOutput

    data = QuoteOrderInput(items=[QuoteOrderInputItem(sku="A", quantity=4, unitPrice=2.5)], coupon="HALF")
    quote = await call(any_client.app.tools.quote_order.execute(data=data))
    assert quote == QuoteOrderOutput(total=5.0, currency="EUR", discounted=True)
    weather = await call(any_client.app.tools.get_weather.execute(data={"city": "Oslo"}))
    assert weather.temperature_c == 16


async def test_an_agent_is_the_agent_facade_with_its_tools_listed(any_client: Any) -> None:
    agent = any_client.app.agents.tool_agent
    assert agent.agent_id == "tool-agent"
    assert "GetWeatherInput" in (type(agent).__doc__ or "")
    details = await call(agent.details())
    assert "getWeather" in details.tools


async def test_check_app_finds_the_live_app_unchanged(any_client: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check = await call(any_client.check_app())
    assert check.matches, str(check)


def test_the_checked_in_snapshot_is_what_the_server_gives(mastra_server: Any) -> None:
    from mastra_codegen.app_model import fetch_snapshot

    live = fetch_snapshot(mastra_server.base_url, {})
    assert live == json.loads(SNAPSHOT.read_text(encoding="utf-8")), (
        "server.mjs changed the app: write the snapshot again (mastra-codegen app-snapshot BASE_URL "
        "-o tests/fixtures/app/e2e-app.json) and regenerate generated/ (CONTRIBUTING.md)"
    )
