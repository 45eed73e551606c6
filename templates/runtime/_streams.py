"""Streams as Python objects: ``with``/``for`` (sync) and ``async with``/``async for`` (asyncio).

A stream method returns one of these without sending anything; the request goes out on
``__enter__`` (or on the first iteration) and the connection is closed on ``__exit__``,
at the end, or on an error. All meaning lives in the sans-I/O ``StreamCore`` and the
views of ``_stream_views``; the two classes here only move bytes.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

import httpx

from ._base_client import is_transient
from ._errors import APIError, APITimeoutError, IncompleteStreamError
from ._stream_core import StreamCore, StreamProtocol
from ._stream_views import (
    AgentStreamResult,
    AgentView,
    Continuation,
    EventView,
    UsageT,
    WorkflowStreamResult,
    WorkflowView,
)
from ._tools import arun_tool, run_tool
from ._types import NOT_GIVEN, NotGiven, ObjectT, TimeoutTypes

if TYPE_CHECKING:
    from ._base_client import AsyncAPIClient, SyncAPIClient

__all__ = [
    "DEFAULT_RESUME_ATTEMPTS",
    "ResumeRoute",
    "AgentStream",
    "AsyncAgentStream",
    "AsyncStream",
    "AsyncWorkflowStream",
    "Stream",
    "WorkflowStream",
]

ChunkT = TypeVar("ChunkT")
_S = TypeVar("_S", bound="Stream[Any]")
_AS = TypeVar("_AS", bound="AsyncStream[Any]")

RECONNECT_DELAY = 1.0  # seconds before a subscription is opened again
DEFAULT_RESUME_ATTEMPTS = 5  # resumptions in a row without a new event before giving up
_MAX_RESUME_DELAY = 8.0


@dataclass(frozen=True)
class ResumeRoute:
    """Where a dropped stream continues: the run's observe route, from an offset.

    ``run_id`` and ``offset`` say where each value goes (``("query", "runId")``).
    ``starts_run`` is true when this stream's events are the run's events from index 0
    (a run started by this request); otherwise (a resumed run, whose earlier rounds the
    server also keeps) the stream finds its place in a replay of the whole run.
    """

    method: str
    path: str
    run_id: tuple[str, str]
    offset: tuple[str, str]
    starts_run: bool = True
    run_id_hint: str | None = None  # the run id the caller chose, before any event named it


class _Aligner:
    """Finds, in a replay of a whole run, the end of the events this stream already delivered."""

    __slots__ = ("seen", "window", "replayed", "aligned_at")

    def __init__(self, seen: list[Any]) -> None:
        self.seen = seen
        self.window: list[Any] = []
        self.replayed = 0
        self.aligned_at: int | None = None  # index in the run of the first new event

    def accept(self, event: Any) -> bool:
        if self.aligned_at is not None:
            return True
        self.replayed += 1
        self.window.append(event)
        if len(self.window) > len(self.seen):
            del self.window[0]
        if event == self.seen[-1] and self.window == self.seen:
            self.aligned_at = self.replayed
        return False


def _idle_error(core: StreamCore, idle: float) -> httpx.ReadTimeout:
    return httpx.ReadTimeout(f"no event for {idle:g} s", request=core.request)


def _broken(exc: httpx.TransportError, core: StreamCore) -> IncompleteStreamError | APITimeoutError:
    where = f"after {core.events} events"
    if isinstance(exc, httpx.TimeoutException):
        detail = str(exc) if str(exc).startswith("no event") else "read timed out"
        return APITimeoutError(f"the stream went silent {where}: {detail}", request=core.request)
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return IncompleteStreamError(f"the stream broke {where} ({detail})", request=core.request, events=core.events)


class _StreamBase(Generic[ChunkT]):
    """Request parameters and the parts of a stream that do no I/O."""

    _view: EventView
    _client: SyncAPIClient | AsyncAPIClient

    def __init__(
        self,
        method: str,
        path: str,
        *,
        protocol: StreamProtocol,
        query: Sequence[tuple[str, str]] | None = None,
        json_body: object = NOT_GIVEN,
        headers: Mapping[str, str] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        retry_unsafe: bool = False,
        max_response_bytes: int | None | NotGiven = NOT_GIVEN,
        reconnect: bool | int = False,
        idle_timeout: float | None | NotGiven = NOT_GIVEN,
        resume: ResumeRoute | None = None,
        resumable: bool | int = False,
        view: EventView | None = None,
    ) -> None:
        self._method = method
        self._path = path
        self._query = query
        self._body = json_body
        self._headers = headers
        self._timeout = timeout
        self._max_retries = max_retries
        self._max_response_bytes = max_response_bytes
        self._retry_unsafe = retry_unsafe
        self._protocol = protocol
        self._core = StreamCore(protocol)
        self._reconnects_left = (1 << 62) if reconnect is True else int(reconnect)
        self._idle_timeout = idle_timeout
        self._view = view if view is not None else EventView()
        self._view.core = self._core
        self._response: httpx.Response | None = None
        self._exhausted = False
        self._closed = False
        self._last_event_at = 0.0
        # Resumption (resumable=True): where the current run's events started, in this
        # stream's count and in the server's record of the run.
        self._resume = resume if resumable else None
        self._resume_attempts = DEFAULT_RESUME_ATTEMPTS if resumable is True else int(resumable)
        self._resume_failures = 0
        self._events_at_break = 0
        self._run_started_at = 0
        self._run_base: int | None = None
        self._aligner: _Aligner | None = None
        self._resumed_at: int | None = None  # events delivered when the last resumption was opened
        self._new_run()

    @property
    def response(self) -> httpx.Response | None:
        """The current HTTP response (status, headers), once the stream was opened."""
        return self._response

    @property
    def events_received(self) -> int:
        """Events delivered so far, over every continuation: the offset to observe a run from."""
        return self._core.events

    @property
    def run_id(self) -> str | None:
        """The run these events belong to (from the first event that names one)."""
        return self._view.run_id

    @property
    def is_closed(self) -> bool:
        return self._closed

    def _typed(self, event: Any) -> Any:
        codec = self._protocol.codec
        return codec.decode(event) if codec is not None else event

    def _idle(self) -> float | None:
        """Seconds the stream may go without an event (``None``: forever)."""
        if not isinstance(self._idle_timeout, NotGiven):
            return self._idle_timeout
        return None if self._protocol.long_lived else self._client.idle_timeout

    def _stream_timeout(self) -> httpx.Timeout:
        """The call's timeout with the read timeout replaced by the idle timeout.

        httpx's read timeout bounds each wait for bytes, which is what an idle stream is.
        """
        timeout = httpx.Timeout(self._client.timeout if isinstance(self._timeout, NotGiven) else self._timeout)
        return httpx.Timeout(connect=timeout.connect, read=self._idle(), write=timeout.write, pool=timeout.pool)

    def _request(self) -> tuple[str, str, dict[str, Any]]:
        """Method, path and arguments of the stream's own request (the first, or after client tools)."""
        args = {
            "query": self._query,
            "json_body": self._body,
            "headers": self._headers,
            "timeout": self._stream_timeout(),
            "max_retries": self._max_retries,
            "retry_unsafe": self._retry_unsafe,
            "max_response_bytes": self._max_response_bytes,
        }
        return self._method, self._path, args

    def _next_request(self, step: Continuation) -> tuple[str, str, dict[str, Any]]:
        """The request that carries on after ``step``: the same route again, or the run's observe route."""
        self._core.start_round()
        if step.resume:
            return self._resume_request()
        if not step.reconnect:
            self._new_run()
        self._body = step.body
        return self._request()

    def _check_readable(self) -> None:
        if self._exhausted:
            raise RuntimeError("this stream was read to its end already: a stream can be read only once")

    def _check_idle(self, produced: int, idle: float | None) -> None:
        """Called after each read: bytes that trickle in without completing an event are idle too."""
        now = time.monotonic()
        if produced:
            self._last_event_at = now
        elif idle is not None and now - self._last_event_at > idle:
            raise _idle_error(self._core, idle)

    def _can_reconnect(self) -> bool:
        return self._reconnects_left > 0 and self._protocol.done is None

    def _current_run_id(self) -> str | None:
        history = self._core.history or ()
        for event in reversed(history):
            if isinstance(event, dict) and isinstance(event.get("runId"), str):
                return str(event["runId"])
        return self._resume.run_id_hint if self._resume is not None else None

    def _may_resume(self) -> bool:
        if self._resume is None or self._current_run_id() is None:
            return False
        if self._run_base is None and not self._core.history:
            return False  # nothing to find our place by in the replay
        if self._core.events > self._events_at_break:
            self._resume_failures = 0  # progress since the last break
        self._events_at_break = self._core.events
        if self._resume_failures >= self._resume_attempts:
            return False
        self._resume_failures += 1
        return True

    def _resume_delay(self) -> float:
        return 0.0 if self._resume_failures <= 1 else min(0.25 * 2 ** (self._resume_failures - 1), _MAX_RESUME_DELAY)

    def _resume_request(self) -> tuple[str, str, dict[str, Any]]:
        """Method, path and request arguments of the observe request that continues the run."""
        route = self._resume
        assert route is not None
        run_id = self._current_run_id()
        if self._aligner is not None and self._aligner.aligned_at is not None:
            self._run_base = self._aligner.aligned_at - len(self._aligner.seen)
        self._aligner = None
        self._core.filter = None
        if self._run_base is not None:
            offset = self._run_base + self._core.events - self._run_started_at
        else:
            offset = 0  # replay the whole run and find where we are in it
            self._aligner = _Aligner(list(self._core.history or ()))
            self._core.filter = self._aligner.accept
        query: list[tuple[str, str]] = []
        body: dict[str, Any] = {}
        for (where, name), value in ((route.run_id, run_id), (route.offset, offset)):
            if where == "query":
                query.append((name, str(value)))
            else:
                body[name] = value
        args = {
            "query": query or None,
            "json_body": body if body else NOT_GIVEN,
            "headers": self._headers,
            "timeout": self._stream_timeout(),
            "max_retries": 0,  # retried here, counted with the resumptions (see _retry_resume)
            "retry_unsafe": True,  # observing repeats nothing
            "max_response_bytes": self._max_response_bytes,
        }
        self._resumed_at = self._core.events
        return route.method, route.path, args

    def _retry_resume(self, exc: APIError) -> bool:
        """Whether opening the observe route failed in a way worth another attempt.

        A timeout is not: a server that keeps no replay of the run (agents that are not
        durable) answers nothing at all, and waiting again would only wait longer.
        """
        if isinstance(exc, APITimeoutError) or not is_transient(exc):
            return False
        if self._resume_failures >= self._resume_attempts:
            return False
        self._resume_failures += 1
        return True

    def _resume_failed(self, exc: APIError) -> IncompleteStreamError:
        return IncompleteStreamError(
            f"the stream broke after {self._core.events} events and could not be resumed: {exc}",
            request=self._core.request,
            events=self._core.events,
        )

    def _new_run(self) -> None:
        """The stream's first request, and each continuation (client tools), starts a run on the server."""
        self._run_started_at = self._core.events
        if self._resume is not None:
            self._core.history = []
            self._run_base = 0 if self._resume.starts_run else None

    def _next_step(self, broken: httpx.TransportError | None) -> Continuation | None:
        """A response is over (or broke): raise what went wrong, or say which request comes next.

        Next may be a continuation (client tools ran), a resumption (the stream dropped and
        the run can be observed from where it broke), a reconnect (a subscription that was
        asked to reconnect), or nothing: the stream is done.
        """
        if self._closed:
            return None
        core = self._core
        if self._aligner is not None and self._aligner.aligned_at is None and broken is None:
            raise IncompleteStreamError(
                f"the stream broke after {core.events} events and could not be resumed: the server's replay "
                "of the run does not contain the events already received",
                request=core.request,
                events=core.events,
            )
        if isinstance(broken, httpx.TimeoutException) and self._resumed_at == core.events:
            raise IncompleteStreamError(
                f"the stream broke after {core.events} events and could not be resumed: the server sent no "
                "event of the run in time (it may keep no replay of it)",
                request=core.request,
                events=core.events,
            ) from broken
        failed = broken is not None or isinstance(core.error, IncompleteStreamError)
        if failed and self._may_resume():
            return Continuation(body=self._body, resume=True)
        if failed and self._can_reconnect():
            self._reconnects_left -= 1
            return Continuation(body=self._body, reconnect=True)
        if broken is not None:
            raise _broken(broken, core) from broken
        if core.error is not None:
            raise core.error
        step = self._view.continuation(self._body)
        if step is None and self._can_reconnect():  # the server ended a subscription
            self._reconnects_left -= 1
            step = Continuation(body=self._body, reconnect=True)
        return step


class Stream(_StreamBase[ChunkT]):
    """A blocking stream of typed chunks; use it in a ``with`` block and iterate it once."""

    _client: SyncAPIClient

    def __init__(self, client: SyncAPIClient, method: str, path: str, **kwargs: Any) -> None:
        super().__init__(method, path, **kwargs)
        self._client = client
        self._exit = contextlib.ExitStack()
        self._source: Iterator[Any] | None = None

    def __enter__(self: _S) -> _S:
        self._open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection; reading stops. Safe to call twice."""
        self._closed = True
        self._response = None
        self._exit.close()

    def _open(self) -> httpx.Response:
        if self._closed:
            raise RuntimeError("this stream is closed")
        if self._response is None:
            method, path, args = self._request()
            self._enter(self._client.stream(method, path, **args))
        assert self._response is not None
        return self._response

    def _enter(self, manager: contextlib.AbstractContextManager[httpx.Response]) -> None:
        self._response = self._exit.enter_context(manager)
        self._core.request = self._response.request
        self._core.set_limit(self._client._resolve_max_response_bytes(self._max_response_bytes))
        self._last_event_at = time.monotonic()

    def _reopen(self, step: Continuation) -> httpx.Response:
        self._exit.close()
        self._exit = contextlib.ExitStack()
        self._response = None
        method, path, args = self._next_request(step)
        while True:
            try:
                self._enter(self._client.stream(method, path, **args))
                break
            except APIError as exc:
                if not step.resume:
                    raise
                if not self._retry_resume(exc):
                    raise self._resume_failed(exc) from exc
            self._client._sleep(self._resume_delay())
        assert self._response is not None
        return self._response

    def _events(self) -> Iterator[Any]:
        """Every event not read yet, as decoded JSON; one reader shared by every way of reading."""
        self._check_readable()
        if self._source is None:
            self._source = self._read()
        return self._source

    def _read(self) -> Iterator[Any]:
        core, view = self._core, self._view
        idle = self._idle()
        try:
            response = self._open()
            while True:
                broken: httpx.TransportError | None = None
                try:
                    with contextlib.closing(cast("Generator[bytes, None, None]", response.iter_bytes())) as reads:
                        for data in reads:
                            events = core.feed(data)
                            for event in events:
                                view.observe(event)
                                yield event
                                if self._closed:
                                    return
                            if core.error is not None or core.ended:
                                break
                            self._check_idle(len(events), idle)
                    if self._closed:
                        return
                    for event in core.end_round():
                        view.observe(event)
                        yield event
                except httpx.TransportError as exc:
                    broken = exc
                step = self._next_step(broken)
                if step is None:
                    return
                if step.calls:
                    outcomes = [run_tool(tool, call) for tool, call in step.calls]
                    yield from view.outcome_events(outcomes)
                    step = view.continue_with(self._body, outcomes)
                if step.reconnect:
                    self._client._sleep(RECONNECT_DELAY)
                elif step.resume:
                    self._client._sleep(self._resume_delay())
                response = self._reopen(step)
        finally:
            self._exhausted = True
            self.close()

    def __iter__(self) -> Iterator[ChunkT]:
        for event in self._events():
            yield self._typed(event)

    def until_done(self) -> object:
        """Read the rest of the stream and return its result: ``None`` here; agent and workflow streams have one."""
        if not self._exhausted:
            for _ in self._events():
                pass
        return self._view.result()


class AsyncStream(_StreamBase[ChunkT]):
    """An asyncio stream of typed chunks; use it in an ``async with`` block and iterate it once."""

    _client: AsyncAPIClient

    def __init__(self, client: AsyncAPIClient, method: str, path: str, **kwargs: Any) -> None:
        super().__init__(method, path, **kwargs)
        self._client = client
        self._exit = contextlib.AsyncExitStack()
        self._source: AsyncIterator[Any] | None = None

    async def __aenter__(self: _AS) -> _AS:
        await self._open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the connection; reading stops. Safe to call twice."""
        self._closed = True
        self._response = None
        await self._exit.aclose()

    async def _open(self) -> httpx.Response:
        if self._closed:
            raise RuntimeError("this stream is closed")
        if self._response is None:
            method, path, args = self._request()
            await self._enter(self._client.stream(method, path, **args))
        assert self._response is not None
        return self._response

    async def _enter(self, manager: contextlib.AbstractAsyncContextManager[httpx.Response]) -> None:
        self._response = await self._exit.enter_async_context(manager)
        self._core.request = self._response.request
        self._core.set_limit(self._client._resolve_max_response_bytes(self._max_response_bytes))
        self._last_event_at = time.monotonic()

    async def _reopen(self, step: Continuation) -> httpx.Response:
        await self._exit.aclose()
        self._exit = contextlib.AsyncExitStack()
        self._response = None
        method, path, args = self._next_request(step)
        while True:
            try:
                await self._enter(self._client.stream(method, path, **args))
                break
            except APIError as exc:
                if not step.resume:
                    raise
                if not self._retry_resume(exc):
                    raise self._resume_failed(exc) from exc
            await self._client._sleep(self._resume_delay())
        assert self._response is not None
        return self._response

    def _events(self) -> AsyncIterator[Any]:
        """Every event not read yet, as decoded JSON; one reader shared by every way of reading."""
        self._check_readable()
        if self._source is None:
            self._source = self._read()
        return self._source

    async def _read(self) -> AsyncIterator[Any]:
        core, view = self._core, self._view
        idle = self._idle()
        try:
            response = await self._open()
            while True:
                broken: httpx.TransportError | None = None
                try:
                    aiter_bytes = cast("AsyncGenerator[bytes, None]", response.aiter_bytes())
                    async with contextlib.aclosing(aiter_bytes) as reads:
                        async for data in reads:
                            events = core.feed(data)
                            for event in events:
                                view.observe(event)
                                yield event
                                if self._closed:
                                    return
                            if core.error is not None or core.ended:
                                break
                            self._check_idle(len(events), idle)
                    if self._closed:
                        return
                    for event in core.end_round():
                        view.observe(event)
                        yield event
                except httpx.TransportError as exc:
                    broken = exc
                step = self._next_step(broken)
                if step is None:
                    return
                if step.calls:
                    outcomes = [await arun_tool(tool, call) for tool, call in step.calls]
                    for event in view.outcome_events(outcomes):
                        yield event
                    step = view.continue_with(self._body, outcomes)
                if step.reconnect:
                    await self._client._sleep(RECONNECT_DELAY)
                elif step.resume:
                    await self._client._sleep(self._resume_delay())
                response = await self._reopen(step)
        finally:
            self._exhausted = True
            await self.close()

    async def __aiter__(self) -> AsyncIterator[ChunkT]:
        async for event in self._events():
            yield self._typed(event)

    async def until_done(self) -> object:
        """Read the rest of the stream and return its result: ``None`` here; agent and workflow streams have one."""
        if not self._exhausted:
            async for _ in self._events():
                pass
        return self._view.result()


class _AgentProperties(Generic[UsageT, ObjectT]):
    """What an agent stream has shown so far; complete once the stream is read."""

    _view: AgentView

    @property
    def text(self) -> str:
        """The text of every text delta so far."""
        return self._view.text

    @property
    def finish_reason(self) -> str | None:
        """``stop``, ``tool-calls``, ``length``... of the last finish; ``None`` while paused."""
        return self._view.finish_reason

    @property
    def usage(self) -> UsageT | None:
        """Token usage of the last finish (``input_tokens``, ``output_tokens``...): the model ``generate()`` has."""
        return cast("UsageT | None", self._view.usage)

    @property
    def tool_calls(self) -> list[Any]:
        """The ``tool-call`` chunks, typed."""
        return self._view.typed(self._view.tool_calls)

    @property
    def tool_results(self) -> list[Any]:
        """The ``tool-result`` chunks (the server's and the client tools'), typed."""
        return self._view.typed(self._view.tool_results)

    @property
    def paused(self) -> bool:
        """The run waits for the caller: a tool call needs approval, or a tool suspended."""
        return self._view.paused

    @property
    def pending_approvals(self) -> list[Any]:
        """The ``tool-call-approval`` chunks the run waits on (approve or decline each)."""
        return self._view.typed(self._view.approvals)

    @property
    def object(self) -> ObjectT | None:
        """The structured output, parsed into the model passed as ``structured_output``."""
        return cast("ObjectT | None", self._view.parsed_object)


class AgentStream(_AgentProperties[UsageT, ObjectT], Stream[ChunkT], Generic[ChunkT, UsageT, ObjectT]):
    """An agent's stream: typed chunks, ``text_stream``, and the result once read.

    Client tools the model calls are run here and the conversation continues until the
    model is done; the caller sees one stream.
    """

    _view: AgentView

    def until_done(self) -> AgentStreamResult[UsageT, ObjectT]:
        """Read the rest of the stream; its text, finish, usage, tool calls and structured output."""
        return cast("AgentStreamResult[UsageT, ObjectT]", super().until_done())

    @property
    def text_stream(self) -> Iterator[str]:
        """Only the text deltas, as strings."""
        for event in self._events():
            if isinstance(event, dict) and event.get("type") == "text-delta":
                payload = event.get("payload")
                if isinstance(payload, dict) and isinstance(payload.get("text"), str):
                    yield payload["text"]


class AsyncAgentStream(_AgentProperties[UsageT, ObjectT], AsyncStream[ChunkT], Generic[ChunkT, UsageT, ObjectT]):
    """The asyncio version of ``AgentStream``."""

    _view: AgentView

    async def until_done(self) -> AgentStreamResult[UsageT, ObjectT]:
        """Read the rest of the stream; its text, finish, usage, tool calls and structured output."""
        return cast("AgentStreamResult[UsageT, ObjectT]", await super().until_done())

    @property
    async def text_stream(self) -> AsyncIterator[str]:
        """Only the text deltas, as strings."""
        async for event in self._events():
            if isinstance(event, dict) and event.get("type") == "text-delta":
                payload = event.get("payload")
                if isinstance(payload, dict) and isinstance(payload.get("text"), str):
                    yield payload["text"]


class _WorkflowProperties:
    _view: WorkflowView

    @property
    def status(self) -> str | None:
        """``success``, ``suspended``, ``failed``, ``canceled``... from the finishing event."""
        return self._view.status

    @property
    def result(self) -> Any:
        """The workflow's result (``finalWorkflowResult``) when it succeeded."""
        return self._view.result_value

    @property
    def steps(self) -> dict[str, Any]:
        """The last event payload of each step, by step id."""
        return self._view.steps

    @property
    def suspended(self) -> dict[str, Any]:
        """Suspended steps by id, with their ``suspendPayload``: resume one of them."""
        return self._view.suspended


class WorkflowStream(_WorkflowProperties, Stream[ChunkT]):
    """A workflow run's events (``workflow-start`` ... ``workflow-finish``), typed."""

    _view: WorkflowView

    def until_done(self) -> WorkflowStreamResult:
        """Read the rest of the stream; the run's status, result, steps and suspended steps."""
        return cast(WorkflowStreamResult, super().until_done())


class AsyncWorkflowStream(_WorkflowProperties, AsyncStream[ChunkT]):
    """The asyncio version of ``WorkflowStream``."""

    _view: WorkflowView

    async def until_done(self) -> WorkflowStreamResult:
        """Read the rest of the stream; the run's status, result, steps and suspended steps."""
        return cast(WorkflowStreamResult, await super().until_done())
