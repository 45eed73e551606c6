"""``client.with_raw_response`` and ``client.with_streaming_response``: the HTTP response itself.

Every generated method stays as it is. The client, each area and each facade has a
generated view of each kind (``AgentsResourceWithRawResponse``...) whose methods are the
object's own, wrapped here (``to_raw_response``...) with the same parameters and a typed
result; calling one sets a context variable the HTTP core reads, so it works the same for
blocking calls, asyncio tasks and threads. Streams and ``iter_*`` methods are the object's
own: they are read a piece at a time already.

* ``with_raw_response``: the core records the responses it receives during the call. The
  call returns a ``RawResponse`` whose ``parse()`` gives what the method would have
  returned, or raises the ``APIResponseValidationError`` the method raised: the raw body
  is still there.
* ``with_streaming_response``: the core hands the call's response over before reading its
  body, and the method goes no further. The call returns a ``StreamedResponse`` (an
  ``AsyncStreamedResponse`` in asyncio code) to use in a ``with`` block and read a piece
  at a time: a large audio answer, a file, an export.
"""

from __future__ import annotations

import contextvars
import functools
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator
from types import TracebackType
from typing import Any, Generic, ParamSpec, TypeVar, cast

import httpx
import pydantic

from ._errors import APIConnectionError, APIResponseValidationError, APITimeoutError
from ._redact import redact_url

__all__ = [
    "AsyncStreamedResponse",
    "AsyncStreamingCall",
    "RawResponse",
    "StreamedResponse",
    "async_to_raw_response",
    "async_to_streamed_response",
    "claim_streaming",
    "record_response",
    "to_raw_response",
    "to_streamed_response",
]

T = TypeVar("T")
P = ParamSpec("P")

_recorded: contextvars.ContextVar[list[httpx.Response] | None] = contextvars.ContextVar(
    "mastra_raw_responses", default=None
)


def record_response(response: httpx.Response) -> None:
    """Called by the HTTP core for every final response; a no-op outside ``with_raw_response``."""
    responses = _recorded.get()
    if responses is not None:
        responses.append(response)


class RawResponse(Generic[T]):
    """One call's HTTP response, and its parsed result on demand."""

    def __init__(self, responses: list[httpx.Response], result: Any, error: BaseException | None) -> None:
        self.http_response = responses[-1]
        self.responses = responses  # several when the call took several requests (client tools)
        self._result: T = result
        self._error = error

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def url(self) -> httpx.URL:
        return self.http_response.url

    @property
    def method(self) -> str:
        return self.http_response.request.method

    @property
    def elapsed(self) -> float:
        """Seconds from sending the request to the end of the response body."""
        return self.http_response.elapsed.total_seconds()

    @property
    def content(self) -> bytes:
        return self.http_response.content

    @property
    def text(self) -> str:
        return self.http_response.text

    def json(self) -> Any:
        return self.http_response.json()

    def parse(self) -> T:
        """The method's usual result; raises the error parsing it raised, if any."""
        if self._error is not None:
            raise self._error
        return self._result

    def __repr__(self) -> str:
        return f"<RawResponse [{self.status_code}] {self.method} {self.http_response.url.path}>"


def _wrap_result(result: Any, responses: list[httpx.Response], error: BaseException | None) -> Any:
    if responses:
        return RawResponse(responses, result, error)
    if error is not None:
        raise error
    return result  # the method made no request (it answered from what it had)


def _call_sync(method: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    responses: list[httpx.Response] = []
    token = _recorded.set(responses)
    try:
        result = method(*args, **kwargs)
    except (APIResponseValidationError, pydantic.ValidationError) as exc:
        if not responses:
            raise
        return _wrap_result(None, responses, exc)
    finally:
        _recorded.reset(token)
    return _wrap_result(result, responses, None)


async def _call_async(method: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    responses: list[httpx.Response] = []
    token = _recorded.set(responses)
    try:
        result = await method(*args, **kwargs)
    except (APIResponseValidationError, pydantic.ValidationError) as exc:
        if not responses:
            raise
        return _wrap_result(None, responses, exc)
    finally:
        _recorded.reset(token)
    return _wrap_result(result, responses, None)


def to_raw_response(method: Callable[P, T]) -> Callable[P, RawResponse[T]]:
    """``method`` with the same parameters, answering a ``RawResponse`` of its usual result."""

    @functools.wraps(method)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> RawResponse[T]:
        return cast("RawResponse[T]", _call_sync(method, *args, **kwargs))

    return wrapped


def async_to_raw_response(method: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[RawResponse[T]]]:
    """The asyncio ``to_raw_response``."""

    @functools.wraps(method)
    async def wrapped(*args: P.args, **kwargs: P.kwargs) -> RawResponse[T]:
        return cast("RawResponse[T]", await _call_async(method, *args, **kwargs))

    return wrapped


# --------------------------------------------------------------------------- with_streaming_response


class _Capture:
    """The streaming call waiting for its response (``None`` until the core hands it over)."""

    __slots__ = ("claimed", "response")

    def __init__(self) -> None:
        self.claimed = False
        self.response: httpx.Response | None = None


class _ResponseTaken(BaseException):
    """Stops the generated method once its response was handed over (never seen by callers)."""


_streaming: contextvars.ContextVar[_Capture | None] = contextvars.ContextVar("mastra_streaming", default=None)


def claim_streaming() -> _Capture | None:
    """Called by the HTTP core before a request: the capture this request's response goes to.

    ``None`` outside ``with_streaming_response``, and for every request after the call's
    first (the server version check, say).
    """
    capture = _streaming.get()
    if capture is None or capture.claimed:
        return None
    capture.claimed = True
    return capture


def hand_over(capture: _Capture, response: httpx.Response) -> _ResponseTaken:
    """The core's last step in a streaming call: keep the unread response, stop the method."""
    capture.response = response
    return _ResponseTaken()


def _transport_error(exc: httpx.TransportError, response: httpx.Response) -> APIConnectionError:
    target = f"{response.request.method} {redact_url(response.request.url)}"
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"Request timed out while reading the answer: {target}", request=response.request)
    return APIConnectionError(f"Connection error while reading the answer: {target} ({exc})", request=response.request)


class _StreamedBase:
    def __init__(self, response: httpx.Response) -> None:
        self.http_response = response

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def url(self) -> httpx.URL:
        return self.http_response.url

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header (``""`` without one): ``audio/mpeg``, ``image/png``..."""
        return str(self.http_response.headers.get("content-type", ""))

    @property
    def is_closed(self) -> bool:
        return self.http_response.is_closed

    def __repr__(self) -> str:
        request = self.http_response.request
        return f"<{type(self).__name__} [{self.status_code}] {request.method} {request.url.path}>"


class StreamedResponse(_StreamedBase):
    """A response whose body has not been read: read it a piece at a time, in a ``with`` block.

    ``with client.with_streaming_response.agents.voice_speak("a", text="Hi") as response:``
    then ``for chunk in response.iter_bytes(): ...``. Leaving the block closes the connection.
    """

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        """The body as it arrives, exactly as sent (decompressed if the server compressed it)."""
        yield from self._guard(self.http_response.iter_bytes(chunk_size))

    def iter_text(self, chunk_size: int | None = None) -> Iterator[str]:
        yield from self._guard(self.http_response.iter_text(chunk_size))

    def iter_lines(self) -> Iterator[str]:
        yield from self._guard(self.http_response.iter_lines())

    def read(self) -> bytes:
        """The whole body (what is left of it)."""
        try:
            return self.http_response.read()
        except httpx.TransportError as exc:
            raise _transport_error(exc, self.http_response) from exc

    def text(self) -> str:
        self.read()
        return self.http_response.text

    def json(self) -> Any:
        return json.loads(self.read())

    def close(self) -> None:
        self.http_response.close()

    def _guard(self, pieces: Iterator[Any]) -> Generator[Any, None, None]:
        try:
            yield from pieces
        except httpx.TransportError as exc:
            raise _transport_error(exc, self.http_response) from exc

    def __enter__(self) -> StreamedResponse:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncStreamedResponse(_StreamedBase):
    """The asyncio version of ``StreamedResponse``: ``async with`` and ``async for``."""

    async def aiter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        """The body as it arrives, exactly as sent (decompressed if the server compressed it)."""
        try:
            async for piece in self.http_response.aiter_bytes(chunk_size):
                yield piece
        except httpx.TransportError as exc:
            raise _transport_error(exc, self.http_response) from exc

    async def aiter_text(self, chunk_size: int | None = None) -> AsyncIterator[str]:
        try:
            async for piece in self.http_response.aiter_text(chunk_size):
                yield piece
        except httpx.TransportError as exc:
            raise _transport_error(exc, self.http_response) from exc

    async def aiter_lines(self) -> AsyncIterator[str]:
        try:
            async for line in self.http_response.aiter_lines():
                yield line
        except httpx.TransportError as exc:
            raise _transport_error(exc, self.http_response) from exc

    async def read(self) -> bytes:
        """The whole body (what is left of it)."""
        try:
            return await self.http_response.aread()
        except httpx.TransportError as exc:
            raise _transport_error(exc, self.http_response) from exc

    async def text(self) -> str:
        await self.read()
        return self.http_response.text

    async def json(self) -> Any:
        return json.loads(await self.read())

    async def close(self) -> None:
        await self.http_response.aclose()

    async def __aenter__(self) -> AsyncStreamedResponse:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


def _stream_sync(method: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    capture = _Capture()
    token = _streaming.set(capture)
    try:
        result = method(*args, **kwargs)
    except _ResponseTaken:
        assert capture.response is not None
        return StreamedResponse(capture.response)
    finally:
        _streaming.reset(token)
    return result  # the method made no request (it answered from what it had)


def to_streamed_response(method: Callable[P, object]) -> Callable[P, StreamedResponse]:
    """``method`` with the same parameters, handing over its response unread (``with`` block)."""

    @functools.wraps(method)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> StreamedResponse:
        return cast(StreamedResponse, _stream_sync(method, *args, **kwargs))

    return wrapped


def async_to_streamed_response(method: Callable[P, Awaitable[object]]) -> Callable[P, AsyncStreamingCall]:
    """The asyncio ``to_streamed_response``: the call is sent on ``async with`` (or ``await``)."""

    @functools.wraps(method)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> AsyncStreamingCall:
        return AsyncStreamingCall(method, args, kwargs)

    return wrapped


class AsyncStreamingCall:
    """An asyncio call through ``with_streaming_response``: sent on ``async with`` (or ``await``)."""

    def __init__(self, method: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self._method, self._args, self._kwargs = method, args, kwargs
        self._response: AsyncStreamedResponse | None = None

    async def _send(self) -> Any:
        capture = _Capture()
        token = _streaming.set(capture)
        try:
            result = await self._method(*self._args, **self._kwargs)
        except _ResponseTaken:
            assert capture.response is not None
            return AsyncStreamedResponse(capture.response)
        finally:
            _streaming.reset(token)
        return result  # the method made no request (it answered from what it had)

    def __await__(self) -> Generator[Any, None, AsyncStreamedResponse]:
        return cast("Generator[Any, None, AsyncStreamedResponse]", self._send().__await__())

    async def __aenter__(self) -> AsyncStreamedResponse:
        result = await self._send()
        if isinstance(result, AsyncStreamedResponse):
            self._response = result
        return cast(AsyncStreamedResponse, result)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._response is not None:
            await self._response.close()
