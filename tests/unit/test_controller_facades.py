"""AgentController and AgentControllerSession facades (client-js 1.47.0), on httpx.MockTransport.

Each method is checked for the exact request client-js sends (method, path, query with
``sessionScope`` when the session has a scope, JSON body) and for its parsed result, with
the sync and the async client. The session subscription is a typed stream of
``AgentControllerEvent``: known types as their variants, unknown ones kept whole, an ``error``
event delivered as an event, a broken connection raised (or subscribed again with
``reconnect=``), the server closing it ending the loop, no idle timeout unless the caller
sets one, and an HTTP error raised when subscribing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from mastra_client import (
    AgentController,
    AgentControllerSession,
    AsyncAgentController,
    AsyncAgentControllerSession,
    AsyncMastraClient,
    IncompleteStreamError,
    MastraClient,
    NotFoundError,
)
from mastra_client import models as m

BASE_URL = "http://mastra.test"
CTL = "/api/agent-controller/code"
SES = CTL + "/sessions/user%201"

MESSAGE = {
    "id": "msg-1",
    "role": "assistant",
    "content": {"format": 2, "parts": [{"type": "text", "text": "Echo: hi"}, {"type": "step-start"}]},
    "createdAt": "2026-01-02T03:04:05.000Z",
    "threadId": "t1",
    "resourceId": "user 1",
}
ANSWERS: dict[tuple[str, str], Any] = {
    ("GET", "/api/agent-controller"): {"agentControllers": [{"id": "code"}]},
    ("GET", CTL + "/modes"): {"modes": [{"id": "build", "name": "Build"}, {"id": "plan"}]},
    ("GET", CTL + "/models"): {
        "models": [{"id": "m/x", "provider": "m", "modelName": "x", "hasApiKey": True, "useCount": 2}]
    },
    ("GET", CTL + "/active-runs"): {"runs": [{"runId": "r1", "threadId": "t1", "resourceId": "user 1"}]},
    ("GET", CTL + "/workspace"): {"hasWorkspace": False, "isReady": False},
    ("POST", CTL + "/sessions"): {"controllerId": "code", "resourceId": "user 1", "threadId": "t1"},
    ("GET", SES): {"controllerId": "code", "resourceId": "user 1", "threadId": "t1", "modeId": "build", "modelId": ""},
    ("GET", SES + "/threads"): {"threads": [{"id": "t1", "title": "First", "updatedAt": "x", "state": "idle"}]},
    ("POST", SES + "/threads"): {"id": "t2", "title": "New", "resourceId": "user 1", "createdAt": "c"},
    ("POST", SES + "/threads/clone"): {"id": "t3", "title": "Copy"},
    ("GET", SES + "/threads/t1/messages"): {
        "messages": [MESSAGE],
        "total": 1,
        "page": 0,
        "perPage": False,
        "hasMore": False,
    },
    ("GET", SES + "/om"): {"record": {"id": "om-1"}},
    ("GET", SES + "/resources"): {"resourceIds": ["user 1", "other"]},
    ("GET", SES + "/goal"): {"goal": {"objective": "ship", "status": "active", "runsUsed": 0, "startedAt": 1}},
    ("POST", SES + "/goal"): {"goal": {"objective": "ship", "status": "active", "runsUsed": 0, "startedAt": 1}},
    ("PUT", SES + "/goal"): {"goal": {"objective": "ship", "status": "paused", "runsUsed": 1, "startedAt": 1}},
    ("GET", SES + "/permissions"): {"categories": {"edit": "ask"}, "tools": {"rm": "deny"}},
    ("POST", SES + "/notifications"): {"accepted": True, "notificationId": "n1", "decision": "wake"},
}

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """Answers from ANSWERS (else ``{"ok": true}``) and records (method, path, query, body)."""

    def __init__(self, stream_bodies: list[bytes] | None = None, stream_status: int = 200) -> None:
        self.requests: list[tuple[str, str, dict[str, str], Any]] = []
        self.stream_bodies = list(stream_bodies or [])
        self.stream_status = stream_status

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        query = dict(request.url.params)
        path = request.url.raw_path.decode().split("?")[0]
        self.requests.append((request.method, path, query, body))
        if path.endswith("/stream"):
            if self.stream_status != 200:
                return httpx.Response(self.stream_status, json={"error": "agent controller not found"})
            return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=self.stream_bodies.pop(0))
        return httpx.Response(200, json=ANSWERS.get((request.method, path), {"ok": True}))


def clients(handler: Handler) -> tuple[MastraClient, AsyncMastraClient]:
    sync = MastraClient(BASE_URL, http_client=httpx.Client(transport=httpx.MockTransport(handler)), max_retries=0)
    aclient = AsyncMastraClient(
        BASE_URL, http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)), max_retries=0
    )
    sync._sleep = lambda _delay: None

    async def no_sleep(_delay: float) -> None:
        return None

    aclient._sleep = no_sleep
    return sync, aclient


def run(mode: str, handler: Handler, fn: Callable[[Any], Any]) -> Any:
    """``fn(client)`` with the sync or the async client; a coroutine result is awaited."""
    sync, aclient = clients(handler)
    if mode == "sync":
        return fn(sync)

    async def main() -> Any:
        result = fn(aclient)
        return await result if asyncio.iscoroutine(result) else result

    return asyncio.run(main())


MODES = ["sync", "async"]


# --- reaching the classes --------------------------------------------------------------------


def test_classes_are_reached_as_client_js_reaches_them() -> None:
    sync, aclient = clients(Recorder())
    controller = sync.get_agent_controller("code")
    assert isinstance(controller, AgentController) and controller.controller_id == "code"
    session = controller.session("user 1")
    assert isinstance(session, AgentControllerSession)
    assert (session.controller_id, session.resource_id, session.scope) == ("code", "user 1", None)
    scoped = controller.session("user 1", scope="/repo/wt-a")
    assert scoped.scope == "/repo/wt-a"
    acontroller = aclient.get_agent_controller("code")
    assert isinstance(acontroller, AsyncAgentController)
    assert isinstance(acontroller.session("user 1", "s"), AsyncAgentControllerSession)


# --- AgentController ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_controller_methods(mode: str) -> None:
    rec = Recorder()
    listed = run(mode, rec, lambda c: c.list_agent_controllers())
    assert [x.id for x in listed.agent_controllers] == ["code"]
    modes = run(mode, rec, lambda c: c.get_agent_controller("code").list_modes())
    assert [x.id for x in modes.modes] == ["build", "plan"] and modes.modes[0].name == "Build"
    models = run(mode, rec, lambda c: c.get_agent_controller("code").list_models())
    assert models.models[0].model_name == "x" and models.models[0].has_api_key is True
    runs = run(mode, rec, lambda c: c.get_agent_controller("code").list_active_runs())
    assert runs.runs[0].run_id == "r1"
    status = run(mode, rec, lambda c: c.get_agent_controller("code").workspace_status())
    assert status.has_workspace is False and status.is_ready is False
    assert [(r[0], r[1], r[2]) for r in rec.requests] == [
        ("GET", "/api/agent-controller", {}),
        ("GET", CTL + "/modes", {}),
        ("GET", CTL + "/models", {}),
        ("GET", CTL + "/active-runs", {}),
        ("GET", CTL + "/workspace", {}),
    ]


# --- AgentControllerSession: requests ----------------------------------------------------------

# (call on the session, method, path under the session, body) - as client-js's method sends it.
SESSION_CALLS: list[tuple[str, Callable[[Any], Any], str, str, Any]] = [
    ("send_message", lambda s: s.send_message("hi"), "POST", "/messages", {"message": "hi"}),
    (
        "send_message+files+context",
        lambda s: s.send_message(
            "look", files=[{"data": "QUJD", "mediaType": "image/png"}], request_context={"tenant": "a"}
        ),
        "POST",
        "/messages",
        {"message": "look", "files": [{"data": "QUJD", "mediaType": "image/png"}], "requestContext": {"tenant": "a"}},
    ),
    ("abort", lambda s: s.abort(), "POST", "/abort", None),
    (
        "approve_tool",
        lambda s: s.approve_tool("call-1", True, request_context={"k": 1}),
        "POST",
        "/tool-approval",
        {"toolCallId": "call-1", "approved": True, "requestContext": {"k": 1}},
    ),
    (
        "respond_to_tool_suspension",
        lambda s: s.respond_to_tool_suspension("call-2", {"action": "approved", "feedback": "ok"}),
        "POST",
        "/tool-suspension",
        {"toolCallId": "call-2", "resumeData": {"action": "approved", "feedback": "ok"}},
    ),
    (
        "steer",
        lambda s: s.steer("faster", request_context={"k": 2}),
        "POST",
        "/steer",
        {"message": "faster", "requestContext": {"k": 2}},
    ),
    ("follow_up", lambda s: s.follow_up("then this"), "POST", "/follow-up", {"message": "then this"}),
    ("set_state", lambda s: s.set_state({"yolo": True}), "PUT", "/state", {"state": {"yolo": True}}),
    ("switch_mode", lambda s: s.switch_mode("plan"), "POST", "/mode", {"modeId": "plan"}),
    (
        "switch_model",
        lambda s: s.switch_model("openai/gpt-5", scope="global", mode_id="build"),
        "POST",
        "/model",
        {"modelId": "openai/gpt-5", "scope": "global", "modeId": "build"},
    ),
    ("switch_thread", lambda s: s.switch_thread("t9"), "POST", "/thread", {"threadId": "t9"}),
    ("create_thread", lambda s: s.create_thread("New"), "POST", "/threads", {"title": "New"}),
    ("delete_thread", lambda s: s.delete_thread("t 2"), "DELETE", "/threads/t%202", None),
    ("rename_thread", lambda s: s.rename_thread("t2", "Renamed"), "PUT", "/threads/t2", {"title": "Renamed"}),
    (
        "clone_thread",
        lambda s: s.clone_thread(source_thread_id="t1", title="Copy"),
        "POST",
        "/threads/clone",
        {"sourceThreadId": "t1", "title": "Copy"},
    ),
    ("set_resource_id", lambda s: s.set_resource_id("user 2"), "POST", "/resource", {"newResourceId": "user 2"}),
    ("set_goal", lambda s: s.set_goal("ship", max_runs=3), "POST", "/goal", {"objective": "ship", "maxRuns": 3}),
    ("update_goal", lambda s: s.update_goal(status="paused"), "PUT", "/goal", {"status": "paused"}),
    ("clear_goal", lambda s: s.clear_goal(), "DELETE", "/goal", None),
    (
        "set_permission_for_category",
        lambda s: s.set_permission_for_category("edit", "ask"),
        "PUT",
        "/permissions/category",
        {"category": "edit", "policy": "ask"},
    ),
    (
        "set_permission_for_tool",
        lambda s: s.set_permission_for_tool("rm", "deny"),
        "PUT",
        "/permissions/tool",
        {"toolName": "rm", "policy": "deny"},
    ),
    (
        "send_notification",
        lambda s: s.send_notification(source="ci", kind="build", summary="green", priority="high"),
        "POST",
        "/notifications",
        {"source": "ci", "kind": "build", "summary": "green", "priority": "high"},
    ),
]


@pytest.mark.parametrize("scope", [None, "/repo/wt a"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("fn", "method", "sub", "body"), [c[1:] for c in SESSION_CALLS], ids=[c[0] for c in SESSION_CALLS]
)
def test_session_request(mode: str, scope: str | None, fn: Any, method: str, sub: str, body: Any) -> None:
    rec = Recorder()
    run(mode, rec, lambda c: fn(c.get_agent_controller("code").session("user 1", scope)))
    [(sent_method, path, query, sent_body)] = rec.requests
    assert (sent_method, path) == (method, SES + sub)
    assert query == ({} if scope is None else {"sessionScope": scope})
    assert sent_body == body


@pytest.mark.parametrize("mode", MODES)
def test_create_sends_the_resource_and_scope_in_the_body(mode: str) -> None:
    rec = Recorder()
    created = run(mode, rec, lambda c: c.get_agent_controller("code").session("user 1", "wt").create(tags={"p": "x"}))
    assert (created.controller_id, created.resource_id, created.thread_id) == ("code", "user 1", "t1")
    run(mode, rec, lambda c: c.get_agent_controller("code").session("user 1").create(thread_id="t7"))
    assert rec.requests == [
        ("POST", CTL + "/sessions", {}, {"resourceId": "user 1", "tags": {"p": "x"}, "sessionScope": "wt"}),
        ("POST", CTL + "/sessions", {}, {"resourceId": "user 1", "threadId": "t7"}),
    ]


@pytest.mark.parametrize("mode", MODES)
def test_session_reads_are_typed(mode: str) -> None:
    rec = Recorder()

    def session(c: Any) -> Any:
        return c.get_agent_controller("code").session("user 1", "wt")

    state = run(mode, rec, lambda c: session(c).state(thread_id="t1"))
    assert (state.thread_id, state.mode_id) == ("t1", "build")
    threads = run(mode, rec, lambda c: session(c).list_threads(limit=5, tags={"projectPath": "/r"}))
    assert threads.threads[0].title == "First" and threads.threads[0].state == "idle"
    page = run(mode, rec, lambda c: session(c).list_messages("t1", per_page=False))
    assert isinstance(page, m.AgentControllerMessagesPage) and page.total == 1 and page.has_more is False
    [message] = page.messages
    assert isinstance(message, m.MastraDBMessage) and message.role == "assistant"
    assert message.created_at == dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    assert isinstance(message.content, m.MastraMessageContentV2)
    assert [p.text for p in message.content.parts if p.type == "text"] == ["Echo: hi"]
    run(
        mode,
        rec,
        lambda c: session(c).list_messages(
            "t1", page=2, per_page=10, order_by={"field": "createdAt", "direction": "DESC"}
        ),
    )
    assert run(mode, rec, lambda c: session(c).get_om_record()).record == {"id": "om-1"}
    assert run(mode, rec, lambda c: session(c).get_resource_ids()).resource_ids == ["user 1", "other"]
    goal = run(mode, rec, lambda c: session(c).get_goal()).goal
    assert (goal.objective, goal.status) == ("ship", "active")
    permissions = run(mode, rec, lambda c: session(c).get_permissions())
    assert permissions.categories == {"edit": "ask"} and permissions.tools == {"rm": "deny"}
    notified = run(mode, rec, lambda c: session(c).send_notification(source="ci", kind="build", summary="x"))
    assert notified.accepted is True and notified.notification_id == "n1"
    queries = [(r[0], r[1], r[2]) for r in rec.requests]
    assert queries[:4] == [
        ("GET", SES, {"threadId": "t1", "sessionScope": "wt"}),
        ("GET", SES + "/threads", {"limit": "5", "tags": '{"projectPath":"/r"}', "sessionScope": "wt"}),
        ("GET", SES + "/threads/t1/messages", {"perPage": "false", "sessionScope": "wt"}),
        (
            "GET",
            SES + "/threads/t1/messages",
            {"page": "2", "perPage": "10", "orderBy": '{"field":"createdAt","direction":"DESC"}', "sessionScope": "wt"},
        ),
    ]


# --- the session subscription ------------------------------------------------------------------


def sse(*events: Any, comment: bool = True) -> bytes:
    frames = [b": connected\n\n"] if comment else []
    frames += [b"data: " + json.dumps(e).encode() + b"\n\n" for e in events]
    return b"".join(frames)


TURN = [
    {"type": "agent_start"},
    {"type": "message_start", "message": MESSAGE},
    {"type": "message_update", "id": "msg-1", "event": {"type": "text-delta", "delta": "Echo: "}},
    {"type": "message_update", "id": "msg-1", "event": {"type": "text-delta", "delta": "hi"}},
    {"type": "tool_start", "toolCallId": "c1", "toolName": "view", "args": {"path": "/a"}, "threadId": "t1"},
    {"type": "tool_end", "toolCallId": "c1", "result": "ok", "isError": False},
    {
        "type": "thread_created",
        "thread": {
            "id": "t2",
            "resourceId": "user 1",
            "title": "T",
            "createdAt": "2026-01-02T03:04:05Z",
            "updatedAt": "2026-01-02T03:04:06Z",
        },
    },
    {"type": "error", "error": {"name": "Error", "message": "model failed"}, "retryable": False},
    {"type": "brand_new_event", "detail": {"x": 1}},
    {"type": "message_end", "id": "msg-1"},
    {"type": "agent_end", "reason": "complete"},
]


def read_until(mode: str, rec: Recorder, stop: str = "agent_end", **kwargs: Any) -> list[Any]:
    def sync_read(c: MastraClient) -> list[Any]:
        events: list[Any] = []
        with c.get_agent_controller("code").session("user 1", "wt").subscribe(**kwargs) as stream:
            for event in stream:
                events.append(event)
                if event.type == stop:
                    break
        return events

    async def async_read(c: AsyncMastraClient) -> list[Any]:
        events: list[Any] = []
        async with c.get_agent_controller("code").session("user 1", "wt").subscribe(**kwargs) as stream:
            async for event in stream:
                events.append(event)
                if event.type == stop:
                    break
        return events

    return run(mode, rec, sync_read if mode == "sync" else async_read)


@pytest.mark.parametrize("mode", MODES)
def test_subscribe_yields_typed_events(mode: str) -> None:
    rec = Recorder([sse(*TURN)])
    events = read_until(mode, rec)
    assert rec.requests == [("GET", SES + "/stream", {"sessionScope": "wt"}, None)]
    assert [type(e).__name__ for e in events] == [
        "ControllerAgentStartEvent",
        "ControllerMessageStartEvent",
        "ControllerMessageUpdateEvent",
        "ControllerMessageUpdateEvent",
        "ControllerToolStartEvent",
        "ControllerToolEndEvent",
        "ControllerThreadCreatedEvent",
        "ControllerErrorEvent",
        "OtherAgentControllerEvent",
        "ControllerMessageEndEvent",
        "ControllerAgentEndEvent",
    ]
    start = events[1]
    assert isinstance(start.message, m.MastraDBMessage) and start.message.created_at.year == 2026
    assert "".join(e.event.delta for e in events if isinstance(e, m.ControllerMessageUpdateEvent)) == "Echo: hi"
    assert events[4].tool_name == "view" and events[4].args == {"path": "/a"} and events[4].thread_id == "t1"
    assert events[5].is_error is False and events[5].result == "ok"
    assert isinstance(events[6].thread, m.AgentControllerThread)
    assert events[6].thread.updated_at == dt.datetime(2026, 1, 2, 3, 4, 6, tzinfo=dt.timezone.utc)
    # An error event reports a failed run; the subscription goes on.
    assert events[7].error == {"name": "Error", "message": "model failed"} and events[7].retryable is False
    other = events[8]
    assert other.type == "brand_new_event" and other.model_extra == {"detail": {"x": 1}}
    assert events[-1].reason == "complete"


class Broken(httpx.SyncByteStream, httpx.AsyncByteStream):
    """One event, then the connection breaks."""

    def __iter__(self) -> Iterator[bytes]:
        yield sse({"type": "agent_start"})
        raise httpx.ReadError("connection reset")

    async def __aiter__(self) -> Any:
        yield sse({"type": "agent_start"})
        raise httpx.ReadError("connection reset")


class Flaky(Recorder):
    """The first subscription breaks mid-stream; later ones answer from ``stream_bodies``."""

    def __call__(self, request: httpx.Request) -> httpx.Response:
        first = not self.requests
        response = super().__call__(request)
        if first:
            return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=Broken())
        return response


@pytest.mark.parametrize("mode", MODES)
def test_a_broken_subscription_raises(mode: str) -> None:
    rec = Flaky([sse()])
    with pytest.raises(IncompleteStreamError):
        read_until(mode, rec)


@pytest.mark.parametrize("mode", MODES)
def test_reconnect_subscribes_again_after_a_break(mode: str) -> None:
    rec = Flaky([sse(), sse({"type": "info", "message": "back"}, {"type": "agent_end"})])
    events = read_until(mode, rec, reconnect=True)
    assert [e.type for e in events] == ["agent_start", "info", "agent_end"]
    assert isinstance(events[1], m.ControllerInfoEvent) and events[1].message == "back"
    assert [r[:3] for r in rec.requests] == [("GET", SES + "/stream", {"sessionScope": "wt"})] * 2


@pytest.mark.parametrize("mode", MODES)
def test_reconnect_after_the_server_closes_and_its_count(mode: str) -> None:
    """The server ending a subscription ends the loop; reconnect=N subscribes again N times."""
    rec = Recorder([sse({"type": "agent_start"}), sse({"type": "info", "message": "back"})])
    assert [e.type for e in read_until(mode, rec, reconnect=1)] == ["agent_start", "info"]
    assert len(rec.requests) == 2
    rec = Recorder([sse({"type": "agent_start"})])
    assert [e.type for e in read_until(mode, rec)] == ["agent_start"]
    assert len(rec.requests) == 1


@pytest.mark.parametrize("mode", MODES)
def test_subscribing_to_an_unknown_controller_raises(mode: str) -> None:
    rec = Recorder(stream_status=404)
    with pytest.raises(NotFoundError):
        read_until(mode, rec)


class Silent(httpx.SyncByteStream, httpx.AsyncByteStream):
    """One event, then heartbeats only after a pause: the idle timeout fires."""

    def _chunks(self) -> Iterator[bytes]:
        yield sse({"type": "agent_start"})
        yield b": heartbeat\n\n"

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._chunks():
            yield chunk
            import time

            time.sleep(0.05)

    async def __aiter__(self) -> Any:
        for chunk in self._chunks():
            yield chunk
            await asyncio.sleep(0.05)


@pytest.mark.parametrize("mode", MODES)
def test_an_idle_timeout_the_caller_sets_applies(mode: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=Silent())

    with pytest.raises(Exception, match="(?i)idle|no event|timed out|silent"):
        read_until(mode, handler, idle_timeout=0.01)  # type: ignore[arg-type]


def test_the_subscription_is_long_lived() -> None:
    """No idle timeout unless the caller passes one (a session may be quiet for hours)."""
    sync, _ = clients(Recorder([sse({"type": "agent_end"})]))
    stream = sync.get_agent_controller("code").session("user 1").subscribe()
    assert stream._protocol.long_lived is True
    assert stream._reconnects_left == 0
