"""Streams, client tools, approval, signals and workflows against the real Mastra server.

Every scenario runs with the sync and the async client. Stream methods return a
stream object in both (``with`` / ``async with``); the helpers below read one either way.
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from pydantic import BaseModel

from .routes import run_declared, uses
from .test_client_e2e import call

pytestmark = pytest.mark.e2e

Scenario = Callable[[Any], Awaitable[None]]
SCENARIOS: list[Scenario] = []


def scenario(fn: Scenario) -> Scenario:
    SCENARIOS.append(fn)
    return fn


async def read(stream: Any) -> tuple[Any, list[Any]]:
    """Read a whole stream inside its ``with`` block; return it and its chunks."""
    if hasattr(stream, "__aenter__"):
        async with stream as opened:
            chunks = [chunk async for chunk in opened]
        return opened, chunks
    with stream as opened:
        return opened, list(opened)


async def until_done(stream: Any) -> Any:
    return await call(stream.until_done())


def types_of(chunks: list[Any]) -> list[str]:
    return [chunk.type for chunk in chunks]


def new_thread() -> tuple[str, str]:
    return f"user-{uuid.uuid4().hex[:8]}", f"thread-{uuid.uuid4().hex[:8]}"


# --- agent streams ----------------------------------------------------------------------


@scenario
@uses("POST /agents/{agentId}/stream")
async def agent_stream_text_and_chunk_types(c: Any) -> None:
    from mastra_client.models import TextDeltaChunk

    stream, chunks = await read(c.get_agent("echo-agent").stream("hello stream"))
    kinds = types_of(chunks)
    assert kinds[:3] == ["start", "step-start", "text-start"]
    assert kinds[-3:] == ["text-end", "step-finish", "finish"]
    deltas = [c for c in chunks if isinstance(c, TextDeltaChunk)]
    assert deltas and "".join(d.payload.text for d in deltas) == "Echo: hello stream"
    assert stream.text == "Echo: hello stream"
    assert stream.finish_reason == "stop"
    assert stream.usage and (stream.usage.total_tokens or 0) > 0
    assert stream.run_id and all(c.run_id == stream.run_id for c in chunks)
    assert not stream.paused


@scenario
@uses("POST /agents/{agentId}/stream")
async def agent_text_stream_yields_only_text(c: Any) -> None:
    stream = c.get_agent("echo-agent").stream("count 25")
    if hasattr(stream, "__aenter__"):
        async with stream as s:
            texts = [t async for t in s.text_stream]
    else:
        with stream as s:
            texts = list(s.text_stream)
    assert texts == [f"w{i} " for i in range(1, 26)]


@scenario
@uses("POST /agents/{agentId}/stream")
async def agent_stream_until_done_returns_the_result(c: Any) -> None:
    result = await until_done(c.get_agent("echo-agent").stream("all at once"))
    assert result.text == "Echo: all at once"
    assert result.finish_reason == "stop"
    assert result.run_id


@scenario
@uses("POST /agents/{agentId}/stream")
async def agent_stream_with_a_server_tool(c: Any) -> None:
    stream, chunks = await read(c.get_agent("tool-agent").stream("What is the weather in Oslo?"))
    kinds = types_of(chunks)
    assert kinds.index("tool-call") < kinds.index("tool-result") < kinds.index("finish")
    call_chunk = stream.tool_calls[0]
    assert call_chunk.payload.tool_name == "getWeather" and call_chunk.payload.args == {"city": "Oslo"}
    assert stream.tool_results[0].payload.result["temperatureC"] == 16
    assert stream.text.startswith("Tool results: getWeather")


@scenario
@uses(
    "POST /memory/threads",
    "POST /agents/{agentId}/stream",
    "GET /memory/threads/{threadId}/messages",
)
async def agent_stream_with_memory(c: Any) -> None:
    resource, thread = new_thread()
    await call(c.create_memory_thread(agent_id="echo-agent", resource_id=resource, thread_id=thread))
    memory = {"thread": thread, "resource": resource}
    await until_done(c.get_agent("echo-agent").stream("remember this", memory=memory))
    listed = await call(c.list_thread_messages(thread, agent_id="echo-agent"))
    texts = [str(m) for m in listed.messages]
    assert any("remember this" in t for t in texts)


@scenario
@uses("POST /agents/{agentId}/stream")
async def agent_options_reach_the_server(c: Any) -> None:
    agent = c.get_agent("tool-agent")
    one_step = await until_done(
        agent.stream("What is the weather in Rome?", max_steps=1, request_context={"tenant": "t1"}, tool_choice="auto")
    )
    assert one_step.finish_reason == "tool-calls" and one_step.text == ""
    assert one_step.tool_results[0].payload.result["city"] == "Rome"


# --- approval -----------------------------------------------------------------------------


@scenario
@uses("POST /agents/{agentId}/stream", "POST /agents/{agentId}/approve-tool-call")
async def approval_pauses_then_approve_finishes(c: Any) -> None:
    agent = c.get_agent("tool-agent")
    paused = await until_done(agent.stream("please delete rec-7"))
    assert paused.paused and paused.finish_reason is None
    approval = paused.pending_approvals[0]
    assert approval.payload.tool_name == "deleteRecord"
    stream, chunks = await read(
        agent.approve_tool_call(run_id=paused.run_id, tool_call_id=approval.payload.tool_call_id)
    )
    assert types_of(chunks)[0] == "tool-result"
    assert stream.tool_results[0].payload.result == {"deleted": True, "id": "rec-7"}
    assert stream.finish_reason == "stop" and "deleteRecord" in stream.text


@scenario
@uses("POST /agents/{agentId}/stream", "POST /agents/{agentId}/decline-tool-call")
async def approval_declined(c: Any) -> None:
    agent = c.get_agent("tool-agent")
    paused = await until_done(agent.stream("please delete rec-8"))
    approval = paused.pending_approvals[0]
    stream, chunks = await read(
        agent.decline_tool_call(run_id=paused.run_id, tool_call_id=approval.payload.tool_call_id)
    )
    kinds = types_of(chunks)
    assert kinds[0] == "tool-output-denied" and "tool-result" not in kinds  # the tool never ran
    assert "not approved" in stream.text
    assert stream.finish_reason == "stop"


@scenario
@uses(
    "POST /agents/{agentId}/generate",
    "POST /agents/{agentId}/approve-tool-call-generate",
    "POST /agents/{agentId}/decline-tool-call-generate",
)
async def approval_with_generate(c: Any) -> None:
    agent = c.get_agent("tool-agent")
    first = await call(agent.generate("please delete rec-9"))
    assert first.finish_reason == "suspended"
    tool_call_id = first.suspend_payload["toolCallId"]
    done = await call(agent.approve_tool_call_generate(run_id=first.run_id, tool_call_id=tool_call_id))
    assert done.finish_reason == "stop" and "deleteRecord" in done.text
    second = await call(agent.generate("please delete rec-10"))
    declined = await call(
        agent.decline_tool_call_generate(run_id=second.run_id, tool_call_id=second.suspend_payload["toolCallId"])
    )
    assert "not approved" in declined.text


@scenario
@uses("POST /agents/{agentId}/stream", "POST /agents/{agentId}/resume-stream")
async def approval_resumed_through_resume_stream(c: Any) -> None:
    agent = c.get_agent("tool-agent")
    paused = await until_done(agent.stream("please delete rec-11"))
    tool_call_id = paused.pending_approvals[0].payload.tool_call_id
    result = await until_done(agent.resume_stream({"approved": True}, run_id=paused.run_id, tool_call_id=tool_call_id))
    assert result.tool_results[0].payload.result == {"deleted": True, "id": "rec-11"}
    assert result.finish_reason == "stop"


@scenario
@uses("POST /agents/{agentId}/stream-until-idle")
async def stream_until_idle_without_background_tasks(c: Any) -> None:
    result = await until_done(c.get_agent("echo-agent").stream_until_idle("idle please"))
    assert result.text == "Echo: idle please" and result.finish_reason == "stop"


# --- client-side tools --------------------------------------------------------------------

SEEN: list[tuple[str, Any]] = []


def lookup_user(id: str) -> dict[str, str]:
    """Look up a user by id."""
    SEEN.append(("lookup_user", id))
    return {"name": f"Alice {id}"}


class OrderQuery(BaseModel):
    order: int


async def get_order(query: OrderQuery) -> dict[str, int]:
    """Get an order by number."""
    SEEN.append(("get_order", query.order))
    return {"order": query.order, "total": 7}


@scenario
@uses("POST /agents/{agentId}/stream?clientTools")
async def client_tools_in_a_stream_two_calls_in_one_step(c: Any) -> None:
    from mastra_client import client_tool

    SEEN.clear()
    tools = [client_tool(lookup_user), client_tool(get_order)]
    prompt = 'use lookup_user {"id":"u1"} and use get_order {"order":7}'
    stream, chunks = await read(c.get_agent("tool-agent").stream(prompt, client_tools=tools))
    assert sorted(SEEN) == [("get_order", 7), ("lookup_user", "u1")]
    kinds = types_of(chunks)
    assert kinds.count("tool-call") == 2 and kinds.count("tool-result") == 2 and kinds.count("finish") == 2
    assert stream.finish_reason == "stop"
    assert 'lookup_user -> {"name":"Alice u1"}' in stream.text
    assert 'get_order -> {"order":7,"total":7}' in stream.text


@scenario
@uses("POST /agents/{agentId}/generate?clientTools")
async def client_tools_in_generate_two_calls_in_one_step(c: Any) -> None:
    SEEN.clear()
    prompt = 'use lookup_user {"id":"u2"} and use get_order {"order":8}'
    result = await call(c.get_agent("tool-agent").generate(prompt, client_tools=[lookup_user, get_order]))
    assert sorted(SEEN) == [("get_order", 8), ("lookup_user", "u2")]
    assert result.finish_reason == "stop"
    assert 'lookup_user -> {"name":"Alice u2"}' in result.text and "get_order" in result.text


@scenario
@uses("POST /memory/threads", "POST /agents/{agentId}/stream?clientTools")
async def client_tools_with_memory(c: Any) -> None:
    resource, thread = new_thread()
    await call(c.create_memory_thread(agent_id="tool-agent", resource_id=resource, thread_id=thread))
    result = await until_done(
        c.get_agent("tool-agent").stream(
            'use lookup_user {"id":"m1"}',
            client_tools={"lookup_user": lookup_user},
            memory={"thread": thread, "resource": resource},
        )
    )
    assert result.finish_reason == "stop" and "Alice m1" in result.text


@scenario
@uses("POST /agents/{agentId}/stream?clientTools")
async def a_failing_client_tool_is_reported_to_the_model(c: Any) -> None:
    def explode(reason: str) -> None:
        """Always fails."""
        raise RuntimeError(f"boom: {reason}")

    stream, chunks = await read(c.get_agent("tool-agent").stream('use explode {"reason":"x"}', client_tools=[explode]))
    assert "tool-error" in types_of(chunks)
    assert "boom: x" in stream.text


# --- structured output --------------------------------------------------------------------


class Weather(BaseModel):
    city: str
    temperature: int
    sunny: bool


@scenario
@uses("POST /agents/{agentId}/generate?structuredOutput", "POST /agents/{agentId}/stream?structuredOutput")
async def structured_output_generate_and_stream(c: Any) -> None:
    agent = c.get_agent("echo-agent")
    result = await call(agent.generate("the weather", structured_output=Weather))
    assert result.object == Weather(city="echo", temperature=42, sunny=True)
    streamed = await until_done(agent.stream("the weather", structured_output=Weather))
    assert streamed.object == Weather(city="echo", temperature=42, sunny=True)


# --- signals and thread subscriptions ------------------------------------------------------


@scenario
@uses(
    "POST /memory/threads",
    "POST /agents/{agentId}/threads/subscribe",
    "POST /agents/{agentId}/signals",
)
async def signal_to_an_idle_thread_is_seen_by_a_subscriber(c: Any) -> None:
    resource, thread = new_thread()
    await call(c.create_memory_thread(agent_id="echo-agent", resource_id=resource, thread_id=thread))
    agent = c.get_agent("echo-agent")
    subscription = agent.subscribe_to_thread(thread_id=thread, resource_id=resource, timeout=30)
    seen: list[str] = []
    text: list[str] = []
    signal = {"type": "user-message", "contents": "signal hello"}
    if hasattr(subscription, "__aenter__"):
        async with subscription as sub:
            accepted = await agent.send_signal(resource_id=resource, thread_id=thread, signal=signal)
            async for chunk in sub:
                seen.append(chunk.type)
                if chunk.type == "text-delta":
                    text.append(chunk.payload.text)
                if chunk.type == "finish":
                    break
    else:
        with subscription as sub:
            accepted = agent.send_signal(resource_id=resource, thread_id=thread, signal=signal)
            for chunk in sub:
                seen.append(chunk.type)
                if chunk.type == "text-delta":
                    text.append(chunk.payload.text)
                if chunk.type == "finish":
                    break
    assert sub.is_closed
    assert "start" in seen and seen[-1] == "finish"
    assert "signal hello" in "".join(text)
    assert accepted.run_id


# --- workflows ----------------------------------------------------------------------------


@scenario
@uses(
    "POST /workflows/{workflowId}/create-run",
    "POST /workflows/{workflowId}/stream",
    "POST /workflows/{workflowId}/observe",
)
async def workflow_run_stream(c: Any) -> None:
    from mastra_client.models import WorkflowFinishEvent, WorkflowStepResultEvent

    run = await call(c.get_workflow("greeting-workflow").create_run())
    stream, events = await read(run.stream(input_data={"name": "grace"}))
    assert types_of(events) == [
        "workflow-start",
        "workflow-step-start",
        "workflow-step-result",
        "workflow-step-start",
        "workflow-step-result",
        "workflow-finish",
    ]
    assert isinstance(events[2], WorkflowStepResultEvent) and events[2].payload.output == {"formatted": "Grace"}
    assert isinstance(events[-1], WorkflowFinishEvent)
    assert stream.status == "success" and stream.result == {"greeting": "Hello, Grace!", "length": 13}
    assert stream.run_id == run.run_id
    replay = await until_done(run.observe_stream())
    assert replay.status == "success" and replay.result == {"greeting": "Hello, Grace!", "length": 13}


@scenario
@uses("POST /workflows/{workflowId}/create-run", "POST /workflows/{workflowId}/stream")
async def workflow_stream_in_the_seed_form(c: Any) -> None:
    workflow = c.get_workflow("greeting-workflow")
    run = await call(workflow.create_run())
    result = await until_done(workflow.stream(run_id=run.run_id, input_data={"name": "  ada"}))
    assert result.status == "success" and result.result["greeting"] == "Hello, Ada!"


@scenario
@uses(
    "POST /workflows/{workflowId}/create-run",
    "POST /workflows/{workflowId}/stream",
    "POST /workflows/{workflowId}/resume-stream",
)
async def suspended_workflow_resumed_by_stream(c: Any) -> None:
    run = await call(c.get_workflow("approval-workflow").create_run())
    first = await until_done(run.stream(input_data={"amount": 99, "requester": "carol"}))
    assert first.status == "suspended"
    assert first.suspended["request-approval"]["suspendPayload"] == {"reason": "Approval needed for 99", "amount": 99}
    resumed = await until_done(
        run.resume_stream(step="request-approval", resume_data={"approved": False, "approver": "dave"})
    )
    assert resumed.status == "success"
    assert resumed.result == {"status": "rejected", "message": "99 rejected by dave"}


# --- agent builder ------------------------------------------------------------------------


@scenario
@uses(
    "GET /agent-builder",
    "GET /agent-builder/{actionId}",
    "POST /agent-builder/{actionId}/create-run",
    "GET /agent-builder/{actionId}/runs/{runId}",
)
async def agent_builder_action_details_and_create_run(c: Any) -> None:
    listed = await call(c.get_agent_builder_actions())
    assert "greetingWorkflow" in listed  # the server lists the app's workflows here (server-notes §8)
    action = c.get_agent_builder_action("merge-template")
    details = await call(action.details())
    assert details.name == "agent-builder-template" and "clone-template" in details.steps
    run = await call(action.create_run())
    assert len(run.run_id) >= 8
    assert (await call(action.run_by_id(run.run_id))).run_id == run.run_id


# --- stored agents and versions, run cancel ---------------------------------------------------


@scenario
@uses(
    "POST /stored/agents",
    "GET /stored/agents/{storedAgentId}",
    "PATCH /stored/agents/{storedAgentId}",
    "GET /stored/agents/{agentId}/versions",
    "POST /stored/agents/{agentId}/versions",
    "GET /stored/agents/{agentId}/versions/{versionId}",
    "GET /stored/agents/{agentId}/versions/compare",
    "POST /stored/agents/{agentId}/versions/{versionId}/activate",
    "DELETE /stored/agents/{agentId}/versions/{versionId}",
    "GET /stored/agents",
    "DELETE /stored/agents/{storedAgentId}",
)
async def stored_agent_versions_round_trip(c: Any) -> None:
    from mastra_client import NotFoundError

    agent_id = f"stored-{uuid.uuid4().hex[:8]}"
    model = {"provider": "mock", "name": "echo-model"}
    created = await call(c.create_stored_agent(id=agent_id, name="Stored", instructions="Be brief.", model=model))
    assert created.id == agent_id
    stored = c.get_stored_agent(agent_id)
    assert (await call(stored.details())).name == "Stored"
    assert (await call(stored.update(name="Stored 2"))).name == "Stored 2"
    versions = await call(stored.list_versions())
    assert [v.version_number for v in versions.versions] == [2, 1]
    first = versions.versions[-1]
    third = await call(stored.create_version(change_message="a checkpoint"))
    assert (await call(stored.get_version(third.id))).change_message == "a checkpoint"
    diff = await call(stored.compare_versions(from_=first.id, to=third.id))
    assert diff is not None
    await call(stored.activate_version(first.id))
    await call(stored.delete_version(third.id))
    listed = await call(c.list_stored_agents())
    assert any(a.id == agent_id for a in listed.agents)
    await call(stored.delete())
    with pytest.raises(NotFoundError):
        await call(stored.details())


@scenario
@uses(
    "POST /workflows/{workflowId}/create-run",
    "POST /workflows/{workflowId}/start-async",
    "POST /workflows/{workflowId}/runs/{runId}/cancel",
    "GET /workflows/{workflowId}/runs/{runId}",
)
async def cancel_a_suspended_run(c: Any) -> None:
    run = await call(c.get_workflow("approval-workflow").create_run())
    started = await call(run.start_async(input_data={"amount": 5, "requester": "x"}))
    assert started.status == "suspended"
    await call(run.cancel())
    assert (await call(run.details())).status == "canceled"


@pytest.mark.parametrize("scenario_fn", SCENARIOS, ids=[s.__name__ for s in SCENARIOS])
async def test_stream_scenario(
    any_client: Any, scenario_fn: Scenario, available_routes: Any, route_matcher: Any, mastra_server_version: str
) -> None:
    await run_declared(scenario_fn, any_client, available_routes, route_matcher, mastra_server_version)


def test_scenarios_are_coroutines() -> None:
    assert all(inspect.iscoroutinefunction(s) for s in SCENARIOS)
