"""End to end: the AgentController and AgentControllerSession facades and the typed session stream.

The test app registers ``test-controller`` (tests/e2e/server/server.mjs, block "issue 15:
controller"): an AgentController over an echo agent with a mock model, modes build and plan.
One scenario per facade class, run with the sync and the async client.
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from .routes import run_declared, uses
from .test_client_e2e import call

pytestmark = pytest.mark.e2e

Scenario = Callable[[Any], Awaitable[None]]
SCENARIOS: list[Scenario] = []

CONTROLLER = "test-controller"
BASE = "/agent-controller/{controllerId}"
SESSION = BASE + "/sessions/{resourceId}"


def scenario(fn: Scenario) -> Scenario:
    SCENARIOS.append(fn)
    return fn


async def events_of_one_turn(session: Any, message: str) -> list[Any]:
    """Subscribe, send ``message`` once the stream is open, read the events up to ``agent_end``."""
    stream = session.subscribe(idle_timeout=30)
    events: list[Any] = []
    if hasattr(stream, "__aenter__"):
        async with stream as opened:
            await session.send_message(message)
            async for event in opened:
                events.append(event)
                if event.type == "agent_end":
                    break
        return events
    with stream as opened:
        session.send_message(message)
        for event in opened:
            events.append(event)
            if event.type == "agent_end":
                break
    return events


@scenario
@uses("GET /agent-controller", f"GET {BASE}/modes", f"GET {BASE}/workspace", f"GET {BASE}/active-runs")
async def controller_lists_and_status(c: Any) -> None:
    listed = await call(c.list_agent_controllers())
    assert CONTROLLER in {item.id for item in listed.agent_controllers}
    controller = c.get_agent_controller(CONTROLLER)
    assert type(controller).__name__.endswith("AgentController")
    modes = await call(controller.list_modes())
    assert {m.id for m in modes.modes} == {"build", "plan"}
    status = await call(controller.workspace_status())
    assert status.has_workspace is False
    runs = await call(controller.list_active_runs())
    assert isinstance(runs.runs, list)


@scenario
@uses(
    f"POST {BASE}/sessions",
    f"GET {SESSION}/stream",
    f"POST {SESSION}/messages",
    f"GET {SESSION}",
    f"GET {SESSION}/threads",
    f"POST {SESSION}/threads",
    f"PUT {SESSION}/threads/{{threadId}}",
    f"DELETE {SESSION}/threads/{{threadId}}",
    f"GET {SESSION}/threads/{{threadId}}/messages",
    f"POST {SESSION}/mode",
    f"GET {SESSION}/resources",
)
async def session_turn_events_threads_and_messages(c: Any) -> None:
    from mastra_client.models import (
        ControllerAgentEndEvent,
        ControllerAgentStartEvent,
        ControllerMessageStartEvent,
        ControllerMessageUpdateEvent,
        MastraDBMessage,
    )

    resource = f"user-{uuid.uuid4().hex[:8]}"
    session = c.get_agent_controller(CONTROLLER).session(resource)
    created = await call(session.create())
    assert created.controller_id == CONTROLLER and created.resource_id == resource and created.thread_id
    thread_id = created.thread_id

    events = await events_of_one_turn(session, "hello controller")
    assert isinstance(events[0], ControllerAgentStartEvent)
    assert isinstance(events[-1], ControllerAgentEndEvent) and events[-1].reason == "complete"
    starts = [e for e in events if isinstance(e, ControllerMessageStartEvent)]
    assert starts and all(isinstance(e.message, MastraDBMessage) for e in starts)
    reply = next(e.message for e in starts if e.message.role == "assistant")
    deltas = [e.event.delta for e in events if isinstance(e, ControllerMessageUpdateEvent) and e.id == reply.id]
    assert "".join(deltas) == "Echo: hello controller"

    state = await call(session.state())
    assert state.thread_id == thread_id and state.running is False and state.mode_id == "build"
    await call(session.switch_mode("plan"))
    assert (await call(session.state())).mode_id == "plan"

    page = await call(session.list_messages(thread_id))
    texts = ["".join(p.text or "" for p in m.content.parts if p.type == "text") for m in page.messages]
    assert "Echo: hello controller" in texts
    assert all(isinstance(m, MastraDBMessage) for m in page.messages)

    threads = await call(session.list_threads())
    assert thread_id in {t.id for t in threads.threads}
    second = await call(session.create_thread("second"))
    await call(session.rename_thread(second.id, "renamed"))
    titles = {t.id: t.title for t in (await call(session.list_threads(limit=10))).threads}
    assert titles.get(second.id) == "renamed"
    await call(session.delete_thread(second.id))
    assert second.id not in {t.id for t in (await call(session.list_threads())).threads}
    assert resource in (await call(session.get_resource_ids())).resource_ids


def test_scenarios_are_coroutines() -> None:
    assert all(inspect.iscoroutinefunction(s) for s in SCENARIOS)


@pytest.mark.parametrize("scenario_fn", SCENARIOS, ids=[s.__name__ for s in SCENARIOS])
async def test_controller_scenario(
    any_client: Any, scenario_fn: Scenario, available_routes: Any, route_matcher: Any, mastra_server_version: str
) -> None:
    await run_declared(scenario_fn, any_client, available_routes, route_matcher, mastra_server_version)
