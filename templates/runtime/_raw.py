"""``client.with_raw_response``: the HTTP response (status, headers) next to the parsed result.

Every generated method stays as it is. ``with_raw_response`` wraps the client (and every
resource or facade reached through it) in a proxy; calling a method through the proxy
records the responses the HTTP core receives during that call, in a context variable, so
it works the same for blocking calls, asyncio tasks and threads. The call returns a
``RawResponse`` whose ``parse()`` gives what the method would have returned, or raises
the validation error when the body did not fit its model: the raw body is still there.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import httpx
import pydantic

__all__ = ["RawResponse", "WithRawResponse", "record_response"]

T = TypeVar("T")

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
    if _is_proxyable(result):
        return WithRawResponse(result)  # e.g. client.get_agent("a") made no request yet
    return result


def _is_proxyable(value: Any) -> bool:
    """A resource or facade (it holds its client); not a stream, a model or the client itself."""
    holds_client = "_client" in getattr(value, "__dict__", {})
    return holds_client and not hasattr(value, "__iter__") and not hasattr(value, "__aiter__")


def _call_sync(method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    responses: list[httpx.Response] = []
    token = _recorded.set(responses)
    try:
        result = method(*args, **kwargs)
    except pydantic.ValidationError as exc:
        if not responses:
            raise
        return _wrap_result(None, responses, exc)
    finally:
        _recorded.reset(token)
    return _wrap_result(result, responses, None)


async def _call_async(method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    responses: list[httpx.Response] = []
    token = _recorded.set(responses)
    try:
        result = await method(*args, **kwargs)
    except pydantic.ValidationError as exc:
        if not responses:
            raise
        return _wrap_result(None, responses, exc)
    finally:
        _recorded.reset(token)
    return _wrap_result(result, responses, None)


class WithRawResponse:
    """A view of a client, resource or facade whose methods return ``RawResponse`` objects.

    Streams are returned unchanged: they expose their own ``response`` once opened.
    """

    __slots__ = ("_target",)

    def __init__(self, target: Any) -> None:
        self._target = target

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if name.startswith("_"):
            return value
        if inspect.iscoroutinefunction(value):
            return functools.wraps(value)(functools.partial(_call_async, value))
        if inspect.ismethod(value) or inspect.isfunction(value):
            return functools.wraps(value)(functools.partial(_call_sync, value))
        if _is_proxyable(value):
            return WithRawResponse(value)
        return value

    def __repr__(self) -> str:
        return f"WithRawResponse({self._target!r})"
