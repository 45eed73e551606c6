"""What a stream's events add up to, without I/O: an agent's text and tool calls, a run's status.

A view watches every event of a stream (``observe``) and answers the questions callers
ask afterwards. The agent view also drives client-side tools: when a round finishes
with ``tool-calls`` for tools that run here, it names the calls to run, turns their
outcomes into ``tool-result`` events and builds the request that continues the run.
The sync and async streams run the tools; everything else is shared.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic

import pydantic
from typing_extensions import TypeVar

from ._response import lenient_value
from ._stream_core import ChunkCodec, StreamCore
from ._tools import ClientTool, ToolCall, ToolOutcome
from ._types import ObjectT

__all__ = [
    "MAX_CLIENT_TOOL_ROUNDS",
    "UsageT",
    "AgentStreamResult",
    "AgentView",
    "Continuation",
    "EventView",
    "WorkflowStreamResult",
    "WorkflowView",
    "client_tool_calls",
    "continuation_body",
    "response_messages",
]

UsageT = TypeVar("UsageT", default=Any)
"""The token usage model of an agent stream: the one ``generate()`` answers with too."""

MAX_CLIENT_TOOL_ROUNDS = 32
"""Rounds of client tools after which a run is returned as it stands (a model that never stops)."""


@dataclass(frozen=True)
class Continuation:
    """The next request of a stream: after client tools ran, to reconnect, or to resume."""

    body: object
    calls: list[tuple[ClientTool, ToolCall]] = field(default_factory=list)
    reconnect: bool = False  # the same request again (a subscription)
    resume: bool = False  # the run's observe route, from the last event received


class EventView:
    """The base view: remembers the run id; a stream of plain events has no result."""

    def __init__(self, codec: ChunkCodec | None = None) -> None:
        self.codec = codec
        self.run_id: str | None = None
        self.core: StreamCore | None = None  # set by the stream that reads the events

    def observe(self, event: Any) -> None:
        if self.run_id is None and isinstance(event, dict):
            run_id = event.get("runId")
            if isinstance(run_id, str):
                self.run_id = run_id

    def typed(self, events: list[Any]) -> list[Any]:
        codec = self.codec
        return [codec.decode(e) for e in events] if codec is not None else list(events)

    def continuation(self, body: object) -> Continuation | None:
        return None

    def outcome_events(self, outcomes: list[ToolOutcome]) -> list[Any]:
        return []

    def continue_with(self, body: object, outcomes: list[ToolOutcome]) -> Continuation:
        return Continuation(body=body)

    def result(self) -> Any:
        return None


@dataclass(frozen=True)
class AgentStreamResult(Generic[UsageT, ObjectT]):
    """An agent stream once read: what ``until_done()`` returns.

    ``usage`` is the model ``generate()`` answers with (``usage.input_tokens``...), ``object``
    the structured output parsed into the model passed as ``structured_output``.
    """

    text: str
    finish_reason: str | None
    usage: UsageT | None
    run_id: str  # "" when no event named the run
    tool_calls: list[Any]
    tool_results: list[Any]
    paused: bool
    pending_approvals: list[Any]
    object: ObjectT | None = None
    messages: list[Any] = field(default_factory=list)  # the assistant and tool messages of the run


def _payload(event: Mapping[str, Any]) -> Mapping[str, Any]:
    payload = event.get("payload")
    return payload if isinstance(payload, dict) else {}


class AgentView(EventView):
    """Text, tool calls, approvals and the finish of an agent stream; runs client tools."""

    def __init__(
        self,
        codec: ChunkCodec | None = None,
        *,
        client_tools: Mapping[str, ClientTool | dict[str, Any]] | None = None,
        output_model: type[pydantic.BaseModel] | None = None,
        usage_model: type[pydantic.BaseModel] | None = None,
    ) -> None:
        super().__init__(codec)
        self._text: list[str] = []
        self.finish_reason: str | None = None
        self.usage: Any = None  # the usage model's instance (its wire fields kept), or the dict as sent
        self._usage_model = usage_model
        self.tool_calls: list[Any] = []
        self.tool_results: list[Any] = []
        self.approvals: list[Any] = []
        self.messages: list[Any] = []
        self._object: Any = None
        self._round_calls: list[Any] = []
        self._round_messages: list[Any] = []
        self._client_tools = dict(client_tools or {})
        self._output_model = output_model
        self._rounds = 0

    @property
    def text(self) -> str:
        return "".join(self._text)

    @property
    def paused(self) -> bool:
        """The last response ended on a pausing chunk (the protocol's ``pause`` types)."""
        return self.core is not None and self.core.paused

    @property
    def parsed_object(self) -> Any:
        """The structured output, parsed into the requested model when there is one."""
        if self._object is not None and self._output_model is not None and isinstance(self._object, dict):
            return lenient_value(self._output_model, self._object)
        return self._object

    def observe(self, event: Any) -> None:
        if not isinstance(event, dict):
            return
        kind = event.get("type")
        if kind == "text-delta":
            text = _payload(event).get("text")
            if isinstance(text, str):
                self._text.append(text)
            return
        if self.run_id is None:
            super().observe(event)
        if kind == "tool-call":
            self.tool_calls.append(event)
            self._round_calls.append(event)
        elif kind in ("tool-result", "tool-error"):
            self.tool_results.append(event)
        elif kind == "tool-call-approval":
            self.approvals.append(event)
        elif kind == "finish":
            payload = _payload(event)
            step = payload.get("stepResult")
            reason = step.get("reason") if isinstance(step, dict) else payload.get("finishReason")
            self.finish_reason = reason if isinstance(reason, str) else None
            output = payload.get("output")
            usage = output.get("usage") if isinstance(output, dict) else payload.get("usage")
            if isinstance(usage, dict):
                self.usage = lenient_value(self._usage_model, usage) if self._usage_model is not None else usage
            response = payload.get("response")
            messages = response.get("messages") if isinstance(response, dict) else None
            self._round_messages = list(messages) if isinstance(messages, list) else []
            self.messages.extend(self._round_messages)
            if "object" in payload and payload["object"] is not None:
                self._object = payload["object"]
        elif kind == "object-result":
            self._object = event.get("object", _payload(event).get("object"))

    # --- client tools -------------------------------------------------------------------

    def continuation(self, body: object) -> Continuation | None:
        """Client tool calls to run, when the round stopped for them."""
        if self.finish_reason != "tool-calls" or not self._client_tools or self._rounds >= MAX_CLIENT_TOOL_ROUNDS:
            return None
        self._rounds += 1
        calls = _client_calls((_payload(event) for event in self._round_calls), self._client_tools)
        self._round_calls = []
        if not calls:
            return None
        return Continuation(body=body, calls=calls)

    def outcome_events(self, outcomes: list[ToolOutcome]) -> list[Any]:
        """The ``tool-result`` (or ``tool-error``) events of client tools, as the caller sees them."""
        events: list[Any] = []
        for outcome in outcomes:
            call = outcome.call
            payload: dict[str, Any] = {"toolCallId": call.tool_call_id, "toolName": call.tool_name, "args": call.args}
            if outcome.is_error:
                payload["error"] = outcome.wire_result()
            else:
                payload.update(result=outcome.wire_result(), isError=False, providerExecuted=False)
            event = {
                "type": "tool-error" if outcome.is_error else "tool-result",
                "runId": self.run_id,
                "from": "AGENT",
                "payload": payload,
            }
            self.observe(event)
            events.append(event)
        return events

    def continue_with(self, body: object, outcomes: list[ToolOutcome]) -> Continuation:
        return Continuation(body=continuation_body(body, self._round_messages, outcomes))

    def result(self) -> AgentStreamResult[Any, Any]:
        return AgentStreamResult(
            text=self.text,
            finish_reason=self.finish_reason,
            usage=self.usage,
            run_id=self.run_id or "",
            tool_calls=self.typed(self.tool_calls),
            tool_results=self.typed(self.tool_results),
            paused=self.paused,
            pending_approvals=self.typed(self.approvals),
            object=self.parsed_object,
            messages=list(self.messages),
        )


def client_tool_calls(
    result: object, tools: Mapping[str, ClientTool | dict[str, Any]]
) -> list[tuple[ClientTool, ToolCall]]:
    """The client tools a ``generate`` result asks for: every call of its last step."""
    if not tools or not isinstance(result, Mapping) or result.get("finishReason") != "tool-calls":
        return []
    items = [item for item in result.get("toolCalls") or [] if isinstance(item, Mapping)]
    return _client_calls((_payload(item) or item for item in items), tools)


def _client_calls(
    payloads: Iterable[Mapping[str, Any]], tools: Mapping[str, ClientTool | dict[str, Any]]
) -> list[tuple[ClientTool, ToolCall]]:
    """The calls (``tool-call`` payloads) that are for client tools this side can run."""
    calls: list[tuple[ClientTool, ToolCall]] = []
    for payload in payloads:
        tool = tools.get(str(payload.get("toolName")))
        if isinstance(tool, ClientTool) and not payload.get("providerExecuted"):
            calls.append((tool, ToolCall(str(payload.get("toolCallId")), tool.name, payload.get("args"))))
    return calls


def response_messages(result: object) -> list[Any]:
    """The assistant (and server tool) messages of a ``generate`` result."""
    response = result.get("response") if isinstance(result, Mapping) else None
    messages = response.get("messages") if isinstance(response, Mapping) else None
    return list(messages) if isinstance(messages, list) else []


def tool_message(outcomes: list[ToolOutcome]) -> dict[str, Any]:
    """The ``tool`` message answering the model's calls (AI SDK v5 model message)."""
    parts = []
    for outcome in outcomes:
        call = outcome.call
        value = outcome.wire_result()
        output = (
            {"type": "error-text", "value": f"{value['name']}: {value['message']}"}
            if outcome.is_error
            else {"type": "json", "value": value}
        )
        parts.append(
            {
                "type": "tool-result",
                "toolCallId": call.tool_call_id,
                "toolName": call.tool_name,
                "input": call.args,
                "output": output,
            }
        )
    return {"role": "tool", "content": parts}


def uses_memory(body: Mapping[str, Any]) -> bool:
    memory = body.get("memory")
    return bool(body.get("threadId")) or (isinstance(memory, Mapping) and bool(memory.get("thread")))


def continuation_body(body: object, assistant_messages: list[Any], outcomes: list[ToolOutcome]) -> dict[str, Any]:
    """The request that continues a run after client tools: as sent, with new messages.

    With memory, the server already holds the conversation: only the tool results go.
    Without, the conversation so far is sent again: the messages of this request, the
    assistant's messages of the round, then the tool results.
    """
    out = dict(body) if isinstance(body, Mapping) else {}
    message = tool_message(outcomes)
    if uses_memory(out):
        out["messages"] = [message]
    else:
        previous = out.get("messages")
        earlier = list(previous) if isinstance(previous, list) else []
        if isinstance(previous, str):
            earlier = [{"role": "user", "content": previous}]
        out["messages"] = [*earlier, *assistant_messages, message]
    return out


@dataclass(frozen=True)
class WorkflowStreamResult:
    """A workflow stream once read: what ``until_done()`` returns."""

    run_id: str | None
    status: str | None
    result: Any
    steps: dict[str, Any]
    suspended: dict[str, Any]
    error: Any = None


_FINISHED_STATUSES = {"workflow-canceled": "canceled", "workflow-paused": "paused"}


class WorkflowView(EventView):
    """Status, result and the steps of a workflow run's events (agent-builder actions too)."""

    def __init__(self, codec: ChunkCodec | None = None) -> None:
        super().__init__(codec)
        self.status: str | None = None
        self.result_value: Any = None
        self.error: Any = None
        self.steps: dict[str, Any] = {}
        self.suspended: dict[str, Any] = {}

    def observe(self, event: Any) -> None:
        if not isinstance(event, dict):
            return
        super().observe(event)
        kind = event.get("type")
        payload = _payload(event)
        if not isinstance(kind, str):
            return
        if kind.startswith("workflow-step-") and isinstance(payload.get("id"), str):
            step_id = payload["id"]
            if kind in ("workflow-step-result", "workflow-step-suspended", "workflow-step-start"):
                self.steps[step_id] = payload
            if kind == "workflow-step-suspended":
                self.suspended[step_id] = payload
            elif kind == "workflow-step-result":
                self.suspended.pop(step_id, None)
        elif kind == "workflow-finish":
            status = payload.get("workflowStatus")
            self.status = status if isinstance(status, str) else self.status
            self.result_value = payload.get("finalWorkflowResult", self.result_value)
            self.error = payload.get("error", self.error)
        elif kind in _FINISHED_STATUSES:
            self.status = _FINISHED_STATUSES[kind]

    def result(self) -> WorkflowStreamResult:
        return WorkflowStreamResult(
            run_id=self.run_id,
            status=self.status,
            result=self.result_value,
            steps=dict(self.steps),
            suspended=dict(self.suspended),
            error=self.error,
        )
