"""Streams as Python objects: ``with``/``for`` (sync) and ``async with``/``async for`` (asyncio).

A stream method returns one of these without sending anything; the request goes out on
``__enter__`` (or on the first iteration) and the connection is closed on ``__exit__``,
at the end, or on an error. All meaning lives in the sans-I/O ``StreamCore`` and the
views of ``_stream_views``; the two classes here only move bytes.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterator, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

import httpx

from ._errors import APITimeoutError, IncompleteStreamError
from ._stream_core import StreamCore, StreamProtocol
from ._stream_views import AgentView, Continuation, EventView, WorkflowView
from ._tools import arun_tool, run_tool
from ._types import NOT_GIVEN, NotGiven, TimeoutTypes

if TYPE_CHECKING:
    from ._base_client import AsyncAPIClient, SyncAPIClient

__all__ = [
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


def _broken(exc: httpx.TransportError, core: StreamCore) -> IncompleteStreamError | APITimeoutError:
    where = f"after {core.events} events"
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"the stream went silent {where}: read timed out", request=core.request)
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return IncompleteStreamError(f"the stream broke {where} ({detail})", request=core.request, events=core.events)


class _StreamBase(Generic[ChunkT]):
    """Request parameters and the parts of a stream that do no I/O."""

    _view: EventView

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
        reconnect: bool | int = False,
        view: EventView | None = None,
    ) -> None:
        self._method = method
        self._path = path
        self._query = query
        self._body = json_body
        self._headers = headers
        self._timeout = timeout
        self._max_retries = max_retries
        self._retry_unsafe = retry_unsafe
        self._protocol = protocol
        self._core = StreamCore(protocol)
        self._reconnects_left = (1 << 62) if reconnect is True else int(reconnect)
        self._view = view if view is not None else EventView()
        self._view.core = self._core
        self._response: httpx.Response | None = None
        self._exhausted = False
        self._closed = False

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

    def _request_args(self) -> dict[str, Any]:
        return {
            "query": self._query,
            "json_body": self._body,
            "headers": self._headers,
            "timeout": self._timeout,
            "max_retries": self._max_retries,
            "retry_unsafe": self._retry_unsafe,
        }

    def _check_readable(self) -> None:
        if self._exhausted:
            raise RuntimeError("this stream was read to its end already: a stream can be read only once")

    def _can_reconnect(self) -> bool:
        return self._reconnects_left > 0 and self._protocol.done is None

    def _next_step(self, broken: httpx.TransportError | None) -> Continuation | None:
        """A response is over (or broke): raise what went wrong, or say which request comes next.

        Next may be a continuation (client tools ran), a reconnect (a subscription that was
        asked to reconnect), or nothing: the stream is done.
        """
        if self._closed:
            return None
        core = self._core
        failed = broken is not None or isinstance(core.error, IncompleteStreamError)
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
            self._response = self._exit.enter_context(self._client.stream(self._method, self._path, **self._request_args()))
            self._core.request = self._response.request
        return self._response

    def _reopen(self, body: object) -> httpx.Response:
        self._exit.close()
        self._exit = contextlib.ExitStack()
        self._response = None
        self._body = body
        self._core.start_round()
        return self._open()

    def _events(self) -> Iterator[Any]:
        """Every event not read yet, as decoded JSON; one reader shared by every way of reading."""
        self._check_readable()
        if self._source is None:
            self._source = self._read()
        return self._source

    def _read(self) -> Iterator[Any]:
        core, view = self._core, self._view
        try:
            response = self._open()
            while True:
                broken: httpx.TransportError | None = None
                try:
                    with contextlib.closing(cast("Generator[bytes, None, None]", response.iter_bytes())) as reads:
                        for data in reads:
                            for event in core.feed(data):
                                view.observe(event)
                                yield event
                                if self._closed:
                                    return
                            if core.error is not None or core.ended:
                                break
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
                response = self._reopen(step.body)
        finally:
            self._exhausted = True
            self.close()

    def __iter__(self) -> Iterator[ChunkT]:
        for event in self._events():
            yield self._typed(event)

    def until_done(self) -> Any:
        """Read the rest of the stream and return its result (see each stream's ``result``)."""
        if not self._exhausted:
            for _ in self._events():
                pass
        return self._view.result()


class AsyncStream(_StreamBase[ChunkT]):
    """An asyncio stream of typed chunks; use it in an ``async with`` block and iterate it once."""

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
            manager = self._client.stream(self._method, self._path, **self._request_args())
            self._response = await self._exit.enter_async_context(manager)
            self._core.request = self._response.request
        return self._response

    async def _reopen(self, body: object) -> httpx.Response:
        await self._exit.aclose()
        self._exit = contextlib.AsyncExitStack()
        self._response = None
        self._body = body
        self._core.start_round()
        return await self._open()

    def _events(self) -> AsyncIterator[Any]:
        """Every event not read yet, as decoded JSON; one reader shared by every way of reading."""
        self._check_readable()
        if self._source is None:
            self._source = self._read()
        return self._source

    async def _read(self) -> AsyncIterator[Any]:
        core, view = self._core, self._view
        try:
            response = await self._open()
            while True:
                broken: httpx.TransportError | None = None
                try:
                    async with contextlib.aclosing(cast("AsyncGenerator[bytes, None]", response.aiter_bytes())) as reads:
                        async for data in reads:
                            for event in core.feed(data):
                                view.observe(event)
                                yield event
                                if self._closed:
                                    return
                            if core.error is not None or core.ended:
                                break
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
                response = await self._reopen(step.body)
        finally:
            self._exhausted = True
            await self.close()

    async def __aiter__(self) -> AsyncIterator[ChunkT]:
        async for event in self._events():
            yield self._typed(event)

    async def until_done(self) -> Any:
        """Read the rest of the stream and return its result (see each stream's ``result``)."""
        if not self._exhausted:
            async for _ in self._events():
                pass
        return self._view.result()


class _AgentProperties:
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
    def usage(self) -> dict[str, Any] | None:
        """Token usage of the last finish (``inputTokens``, ``outputTokens``, ...)."""
        return self._view.usage

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
    def object(self) -> Any:
        """The structured output, parsed into the model passed as ``structured_output``."""
        return self._view.parsed_object


class AgentStream(_AgentProperties, Stream[ChunkT]):
    """An agent's stream: typed chunks, ``text_stream``, and the result once read.

    Client tools the model calls are run here and the conversation continues until the
    model is done; the caller sees one stream.
    """

    _view: AgentView

    @property
    def text_stream(self) -> Iterator[str]:
        """Only the text deltas, as strings."""
        for event in self._events():
            if isinstance(event, dict) and event.get("type") == "text-delta":
                payload = event.get("payload")
                if isinstance(payload, dict) and isinstance(payload.get("text"), str):
                    yield payload["text"]


class AsyncAgentStream(_AgentProperties, AsyncStream[ChunkT]):
    """The asyncio version of ``AgentStream``."""

    _view: AgentView

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


class AsyncWorkflowStream(_WorkflowProperties, AsyncStream[ChunkT]):
    """The asyncio version of ``WorkflowStream``."""

    _view: WorkflowView

