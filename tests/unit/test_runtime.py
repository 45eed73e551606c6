"""Unit tests of the hand-written runtime copied into generated packages (no network)."""

from __future__ import annotations

import copy
import datetime as dt
import email.utils
import enum
import json
import logging
import pickle
from collections.abc import Iterator
from typing import Any

import httpx
import pydantic
import pytest
from mastra_codegen.templates.runtime._base_client import AsyncAPIClient, SyncAPIClient
from mastra_codegen.templates.runtime._encoding import (
    build_body,
    build_query,
    path_param,
    to_jsonable,
)
from mastra_codegen.templates.runtime._errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    MastraError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ToolExecutionError,
    UnprocessableEntityError,
    make_status_error,
    raise_for_error_body,
)
from mastra_codegen.templates.runtime._response import parse_json, validate_as
from mastra_codegen.templates.runtime._types import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    NOT_GIVEN,
    NotGiven,
)

BASE_URL = "http://mastra.test"
API_KEY = "sk-very-secret-key-0123456789"

AGENT_NOT_FOUND = {"error": "Agent with id no-such-agent not found"}
INVALID_BODY = {
    "error": "Invalid request body",
    "issues": [{"field": "messages", "message": "Invalid input"}],
}
TOOL_ERROR = {
    "error": True,
    "message": (
        "Tool input validation failed for get-weather. Please fix the following errors and "
        "try again:\n- city: Invalid input: expected string, received number\n\n"
        'Provided arguments: {\n  "city": 42\n}'
    ),
    "validationErrors": {"city": {"_errors": ["Invalid input: expected string, received number"]}},
}

Reply = httpx.Response | Exception


class Server:
    """A scripted MockTransport handler: answers in order and records every request."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if isinstance(reply, Exception):
            raise reply
        return reply


def ok(data: object = None, status: int = 200, **kwargs: Any) -> httpx.Response:
    return httpx.Response(status, json={"ok": True} if data is None else data, **kwargs)


def sync_client(server: Server, **kwargs: Any) -> tuple[SyncAPIClient, list[float]]:
    http = httpx.Client(transport=httpx.MockTransport(server))
    kwargs.setdefault("api_key", API_KEY)
    client = SyncAPIClient(base_url=BASE_URL, http_client=http, **kwargs)
    sleeps: list[float] = []
    client._sleep = sleeps.append
    client._random = lambda: 0.0
    return client, sleeps


def async_client(server: Server, **kwargs: Any) -> tuple[AsyncAPIClient, list[float]]:
    http = httpx.AsyncClient(transport=httpx.MockTransport(server))
    kwargs.setdefault("api_key", API_KEY)
    client = AsyncAPIClient(base_url=BASE_URL, http_client=http, **kwargs)
    sleeps: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    client._sleep = fake_sleep
    client._random = lambda: 0.0
    return client, sleeps


def connect_error() -> httpx.ConnectError:
    return httpx.ConnectError("[Errno 111] Connection refused")


# --------------------------------------------------------------------------- _types


def test_not_given_is_a_falsy_singleton() -> None:
    assert not NOT_GIVEN
    assert repr(NOT_GIVEN) == "NOT_GIVEN"
    assert NotGiven() is NOT_GIVEN
    assert copy.deepcopy(NOT_GIVEN) is NOT_GIVEN
    assert pickle.loads(pickle.dumps(NOT_GIVEN)) is NOT_GIVEN


def test_defaults() -> None:
    assert DEFAULT_TIMEOUT.connect == 5.0
    assert DEFAULT_TIMEOUT.read == 60.0
    assert DEFAULT_MAX_RETRIES == 2


# --------------------------------------------------------------------------- URLs


@pytest.mark.parametrize(
    ("base_url", "api_prefix", "path", "expected"),
    [
        ("http://mastra.test", "/api", "/agents", "http://mastra.test/api/agents"),
        ("http://mastra.test/", "api/", "/agents", "http://mastra.test/api/agents"),
        ("http://mastra.test", "", "/agents", "http://mastra.test/agents"),
        ("http://mastra.test", "/", "agents", "http://mastra.test/agents"),
        ("https://h.test/sub/", "//v1/api//", "/x", "https://h.test/sub/v1/api/x"),
    ],
)
def test_url_building(base_url: str, api_prefix: str, path: str, expected: str) -> None:
    server = Server(ok())
    http = httpx.Client(transport=httpx.MockTransport(server))
    client = SyncAPIClient(base_url=base_url, api_prefix=api_prefix, http_client=http)
    client.request("GET", path)
    assert str(server.requests[0].url) == expected
    assert client.base_url == base_url.rstrip("/")


def test_url_with_path_param_and_query() -> None:
    server = Server(ok())
    client, _ = sync_client(server)
    path = f"/agents/{path_param('a/b c')}/tools"
    client.request("GET", path, query=build_query({"page": 2, "q": "x y", "flag": True}))
    assert server.requests[0].url.raw_path == b"/api/agents/a%2Fb%20c/tools?page=2&q=x+y&flag=true"


@pytest.mark.parametrize("api_prefix", ["/api/../admin", "/api?x=1", "/api#frag", ".."])
def test_api_prefix_rejects_unsafe_values(api_prefix: str) -> None:
    with pytest.raises(ValueError, match="api_prefix"):
        SyncAPIClient(base_url=BASE_URL, api_prefix=api_prefix)


def test_api_prefix_is_normalized() -> None:
    assert SyncAPIClient(base_url=BASE_URL, api_prefix="api/").api_prefix == "/api"
    assert SyncAPIClient(base_url=BASE_URL, api_prefix="").api_prefix == ""
    assert SyncAPIClient(base_url=BASE_URL, api_prefix="/").api_prefix == ""


@pytest.mark.parametrize("base_url", ["localhost:4111", "ftp://h.test", "", "http://h.test/?a=1"])
def test_base_url_must_be_absolute_http(base_url: str) -> None:
    with pytest.raises(ValueError, match="base_url"):
        SyncAPIClient(base_url=base_url)


def test_negative_max_retries_rejected() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        SyncAPIClient(base_url=BASE_URL, max_retries=-1)


# --------------------------------------------------------------------------- headers


def test_default_headers_and_bearer() -> None:
    server = Server(ok())
    client, _ = sync_client(server, headers={"X-Team": "blue"})
    client.request("GET", "/agents")
    headers = server.requests[0].headers
    assert headers["accept"] == "application/json"
    assert headers["user-agent"] == "mastra-python"
    assert headers["authorization"] == f"Bearer {API_KEY}"
    assert headers["x-team"] == "blue"
    assert "content-type" not in headers


def test_no_authorization_without_api_key() -> None:
    server = Server(ok())
    client, _ = sync_client(server, api_key=None, user_agent="my-app/1.0")
    client.request("GET", "/agents")
    assert "authorization" not in server.requests[0].headers
    assert server.requests[0].headers["user-agent"] == "my-app/1.0"


def test_per_call_headers_override_client_headers() -> None:
    server = Server(ok())
    client, _ = sync_client(server, headers={"X-Team": "blue", "User-Agent": "client-ua"})
    client.request(
        "GET",
        "/agents",
        headers={"x-team": "red", "Authorization": "Bearer other", "Accept": "text/plain"},
    )
    headers = server.requests[0].headers
    assert headers.get_list("x-team") == ["red"]
    assert headers["authorization"] == "Bearer other"
    assert headers["accept"] == "text/plain"
    assert headers["user-agent"] == "client-ua"


def test_api_key_never_in_errors_reprs_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="mastra_codegen")
    server = Server(httpx.Response(401, json={"error": "Unauthorized"}))
    client, _ = sync_client(server)
    with pytest.raises(AuthenticationError) as info:
        client.request("GET", "/agents")
    texts = [str(info.value), repr(info.value), repr(client), str(info.value.args)]

    failing, _ = sync_client(Server(connect_error()), max_retries=1)
    with pytest.raises(APIConnectionError) as conn:
        failing.request("GET", "/agents")
    texts += [str(conn.value), repr(conn.value), repr(failing)]

    assert caplog.records, "expected debug logging"
    texts.append(caplog.text)
    for text in texts:
        assert API_KEY not in text
    assert "GET http://mastra.test/api/agents" in caplog.text


def test_userinfo_in_base_url_is_redacted_from_errors() -> None:
    server = Server(connect_error())
    http = httpx.Client(transport=httpx.MockTransport(server))
    client = SyncAPIClient(base_url="http://bob:hunter2@h.test", http_client=http, max_retries=0)
    with pytest.raises(APIConnectionError) as info:
        client.request("GET", "/agents")
    assert "hunter2" not in str(info.value)
    assert "GET http://h.test/api/agents" in str(info.value)


# --------------------------------------------------------------------------- bodies


def test_json_body_is_compact_with_content_type() -> None:
    server = Server(ok())
    client, _ = sync_client(server)
    body = {"messages": [{"role": "user", "content": "héllo"}], "maxSteps": 3}
    client.request("POST", "/agents/weather/generate", json_body=body)
    request = server.requests[0]
    assert request.method == "POST"
    assert request.headers["content-type"] == "application/json"
    assert request.content == json.dumps(body, separators=(",", ":")).encode()
    assert json.loads(request.content) == body


def test_json_body_none_sends_null_and_not_given_sends_nothing() -> None:
    server = Server(ok())
    client, _ = sync_client(server)
    client.request("POST", "/x", json_body=None)
    client.request("POST", "/x")
    assert server.requests[0].content == b"null"
    assert server.requests[1].content == b""
    assert "content-type" not in server.requests[1].headers


def test_request_returns_read_response() -> None:
    client, _ = sync_client(Server(ok({"agents": []})))
    response = client.request("GET", "/agents")
    assert response.json() == {"agents": []}
    assert response.is_closed


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (502, InternalServerError),
        (503, InternalServerError),
        (599, InternalServerError),
        (418, APIStatusError),
        (405, APIStatusError),
    ],
)
def test_status_to_error_class(status: int, error_class: type[APIStatusError]) -> None:
    server = Server(httpx.Response(status, json={"error": "boom"}))
    client, _ = sync_client(server)
    with pytest.raises(error_class) as info:
        client.request("GET", "/x", max_retries=0)
    error = info.value
    assert type(error) is error_class
    assert isinstance(error, APIError)
    assert isinstance(error, MastraError)
    assert error.status_code == status
    assert error.message == "boom"
    assert error.body == {"error": "boom"}
    assert error.response.status_code == status
    assert error.request is server.requests[0]
    assert len(server.requests) == 1


def test_mastra_not_found_body() -> None:
    client, _ = sync_client(Server(httpx.Response(404, json=AGENT_NOT_FOUND)))
    with pytest.raises(NotFoundError) as info:
        client.request("GET", "/agents/no-such-agent")
    error = info.value
    assert error.message == "Agent with id no-such-agent not found"
    assert error.issues == []
    assert str(error) == "404 Not Found: Agent with id no-such-agent not found"
    assert "NotFoundError" in repr(error)


def test_mastra_validation_body() -> None:
    client, _ = sync_client(Server(httpx.Response(400, json=INVALID_BODY)))
    with pytest.raises(BadRequestError) as info:
        client.request("POST", "/agents/weather/generate", json_body={"messages": 1})
    error = info.value
    assert error.message == "Invalid request body"
    assert error.issues == [{"field": "messages", "message": "Invalid input"}]
    assert str(error) == "400 Bad Request: Invalid request body (messages: Invalid input)"


def test_issues_from_details_and_zod_paths() -> None:
    body = {
        "error": "Invalid query",
        "details": [
            {"path": ["page", 0], "message": "Expected number"},
            {"field": "perPage", "message": "Too big"},
            "not-a-dict",
        ],
    }
    error = make_status_error(httpx.Response(400, json=body))
    assert len(error.issues) == 2
    expected = "400 Bad Request: Invalid query (page.0: Expected number; perPage: Too big)"
    assert str(error) == expected


def test_text_plain_error_body() -> None:
    response = httpx.Response(403, text="Forbidden by policy", headers={"content-type": "text/plain"})
    client, _ = sync_client(Server(response))
    with pytest.raises(PermissionDeniedError) as info:
        client.request("GET", "/nope")
    error = info.value
    assert error.body == "Forbidden by policy"
    assert error.message == "Forbidden by policy"
    assert str(error) == "403 Forbidden: Forbidden by policy"


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(404, text="404 Not Found", headers={"content-type": "text/plain; charset=UTF-8"}),  # hono
        httpx.Response(404, text="<html><h1>Not Found</h1></html>", headers={"content-type": "text/html"}),
        httpx.Response(404),
    ],
)
def test_a_404_that_is_not_json_is_a_missing_route(response: httpx.Response) -> None:
    client, _ = sync_client(Server(response))
    with pytest.raises(NotFoundError) as info:
        client.request("POST", "/agents/a/voice/speak?token=secret")
    error = info.value
    assert error.route_missing is True
    assert str(error) == (
        "404 Not Found: POST /api/agents/a/voice/speak is not a route on this server: the server is "
        "probably older than this client (see client.check_server_version())"
    )


def test_a_404_about_a_resource_is_not_a_missing_route() -> None:
    error = make_status_error(httpx.Response(404, json=AGENT_NOT_FOUND))
    assert isinstance(error, NotFoundError) and error.route_missing is False
    assert error.message == "Agent with id no-such-agent not found"


def test_empty_and_long_error_bodies() -> None:
    empty = make_status_error(httpx.Response(502))
    assert empty.body is None
    assert str(empty) == "502 Bad Gateway"
    long_text = make_status_error(httpx.Response(500, text="x " * 500))
    assert len(long_text.message) <= 200
    assert long_text.message.endswith("...")
    no_message = make_status_error(httpx.Response(409, json={"code": 1}))
    assert str(no_message) == "409 Conflict"


def test_tool_execution_error_from_error_body() -> None:
    response = httpx.Response(200, json=TOOL_ERROR)
    with pytest.raises(ToolExecutionError) as info:
        raise_for_error_body(response, response.json())
    error = info.value
    assert isinstance(error, APIStatusError)
    assert error.status_code == 200
    assert error.message == TOOL_ERROR["message"]
    assert str(error) == TOOL_ERROR["message"]
    assert error.validation_errors == TOOL_ERROR["validationErrors"]
    assert error.issues == [{"field": "city", "message": "Invalid input: expected string, received number"}]
    assert error.body == TOOL_ERROR


@pytest.mark.parametrize("data", [{"error": "text"}, {"error": False}, {"result": 1}, [1], "error", None])
def test_raise_for_error_body_ignores_other_bodies(data: object) -> None:
    raise_for_error_body(httpx.Response(200, json=data), data)


# --------------------------------------------------------------------------- retries


def test_get_retries_503_then_succeeds() -> None:
    server = Server(httpx.Response(503), httpx.Response(503), ok({"done": 1}))
    client, sleeps = sync_client(server)
    assert client.request("GET", "/agents").json() == {"done": 1}
    assert len(server.requests) == 3
    assert sleeps == [0.5, 1.0]


def test_backoff_jitter_and_cap() -> None:
    server = Server(httpx.Response(500))
    client, sleeps = sync_client(server, max_retries=6)
    client._random = lambda: 1.0
    with pytest.raises(InternalServerError):
        client.request("GET", "/x")
    assert len(server.requests) == 7
    assert sleeps == [0.375, 0.75, 1.5, 3.0, 6.0, 6.0]


def test_retries_exhausted_raise_last_status_error() -> None:
    server = Server(httpx.Response(503, json={"error": "overloaded"}))
    client, sleeps = sync_client(server)
    with pytest.raises(InternalServerError, match="overloaded"):
        client.request("GET", "/x")
    assert len(server.requests) == 3
    assert sleeps == [0.5, 1.0]


def test_post_not_retried_unless_retry_unsafe() -> None:
    server = Server(httpx.Response(503), ok())
    client, sleeps = sync_client(server)
    with pytest.raises(InternalServerError):
        client.request("POST", "/agents/a/generate", json_body={})
    assert len(server.requests) == 1
    assert sleeps == []

    server = Server(httpx.Response(503), ok())
    client, sleeps = sync_client(server)
    client.request("POST", "/agents/a/generate", json_body={"x": 1}, retry_unsafe=True)
    assert len(server.requests) == 2
    assert server.requests[1].content == b'{"x":1}'
    assert sleeps == [0.5]


@pytest.mark.parametrize("status", [400, 401, 404, 409, 422])
def test_client_errors_not_retried(status: int) -> None:
    server = Server(httpx.Response(status))
    client, sleeps = sync_client(server)
    with pytest.raises(APIStatusError):
        client.request("GET", "/x")
    assert len(server.requests) == 1
    assert sleeps == []


def test_429_retry_after_seconds() -> None:
    server = Server(httpx.Response(429, headers={"Retry-After": "2"}), ok())
    client, sleeps = sync_client(server)
    client.request("GET", "/x")
    assert sleeps == [2.0]


def test_retry_after_ms_wins() -> None:
    headers = {"retry-after-ms": "1500", "Retry-After": "9"}
    server = Server(httpx.Response(503, headers=headers), ok())
    client, sleeps = sync_client(server)
    client.request("GET", "/x")
    assert sleeps == [1.5]


def test_retry_after_http_date() -> None:
    when = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=10)
    headers = {"Retry-After": email.utils.format_datetime(when, usegmt=True)}
    server = Server(httpx.Response(503, headers=headers), ok())
    client, sleeps = sync_client(server)
    client.request("GET", "/x")
    assert 8.0 < sleeps[0] <= 10.0


@pytest.mark.parametrize("value", ["120", "-1", "soon"])
def test_unusable_retry_after_falls_back_to_backoff(value: str) -> None:
    server = Server(httpx.Response(429, headers={"Retry-After": value}), ok())
    client, sleeps = sync_client(server)
    client.request("GET", "/x")
    assert sleeps == [0.5]


def test_connection_error_then_success_for_get() -> None:
    server = Server(connect_error(), ok())
    client, sleeps = sync_client(server)
    assert client.request("GET", "/x").status_code == 200
    assert len(server.requests) == 2
    assert sleeps == [0.5]


def test_connect_error_retried_even_for_post_because_nothing_was_sent() -> None:
    server = Server(connect_error(), ok())
    client, _ = sync_client(server)
    client.request("POST", "/x", json_body={})
    assert len(server.requests) == 2


def test_read_error_for_post_not_retried() -> None:
    server = Server(httpx.RemoteProtocolError("Server disconnected"), ok())
    client, sleeps = sync_client(server)
    with pytest.raises(APIConnectionError, match=r"POST http://mastra.test/api/x") as info:
        client.request("POST", "/x", json_body={})
    assert not isinstance(info.value, APITimeoutError)
    assert "RemoteProtocolError: Server disconnected" in str(info.value)
    assert len(server.requests) == 1
    assert sleeps == []


def test_connection_error_after_all_retries() -> None:
    server = Server(connect_error())
    client, sleeps = sync_client(server)
    with pytest.raises(APIConnectionError) as info:
        client.request("GET", "/agents")
    assert str(info.value).startswith("Connection error: GET http://mastra.test/api/agents")
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert info.value.request is not None
    assert len(server.requests) == 3
    assert sleeps == [0.5, 1.0]


def test_max_retries_zero_per_call_and_per_client() -> None:
    server = Server(httpx.Response(503), ok())
    client, sleeps = sync_client(server)
    with pytest.raises(InternalServerError):
        client.request("GET", "/x", max_retries=0)
    assert len(server.requests) == 1

    server = Server(httpx.Response(503), ok())
    client, sleeps = sync_client(server, max_retries=0)
    with pytest.raises(InternalServerError):
        client.request("GET", "/x")
    assert len(server.requests) == 1
    client.request("GET", "/x", max_retries=1)  # the per-call value wins
    assert sleeps == []


def test_timeout_raises_api_timeout_error() -> None:
    server = Server(httpx.ReadTimeout("timed out"))
    client, sleeps = sync_client(server)
    with pytest.raises(APITimeoutError) as info:
        client.request("GET", "/agents", max_retries=1)
    assert isinstance(info.value, APIConnectionError)
    assert str(info.value) == "Request timed out: GET http://mastra.test/api/agents"
    assert len(server.requests) == 2
    assert sleeps == [0.5]


def test_timeouts_are_passed_to_httpx() -> None:
    server = Server(ok())
    client, _ = sync_client(server, timeout=12.0)
    client.request("GET", "/x")
    client.request("GET", "/x", timeout=httpx.Timeout(3.0, connect=1.0))
    client.request("GET", "/x", timeout=None)
    timeouts = [request.extensions["timeout"] for request in server.requests]
    assert timeouts[0]["read"] == 12.0
    assert timeouts[1] == {"connect": 1.0, "read": 3.0, "write": 3.0, "pool": 3.0}
    assert timeouts[2]["read"] is None


# --------------------------------------------------------------------------- streaming


class TrackedStream(httpx.SyncByteStream):
    """A response body that records whether it was closed and can fail midway."""

    def __init__(self, chunks: list[bytes], fail: bool = False) -> None:
        self.chunks = chunks
        self.fail = fail
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks
        if self.fail:
            raise httpx.ReadError("connection reset")

    def close(self) -> None:
        self.closed = True


def test_stream_yields_open_response_and_closes_it() -> None:
    body = TrackedStream([b"data: 1\n\n", b"data: 2\n\n"])
    server = Server(httpx.Response(200, stream=body))
    client, _ = sync_client(server)
    with client.stream("POST", "/agents/a/stream", json_body={"messages": "hi"}) as response:
        assert not response.is_closed
        assert list(response.iter_bytes()) == [b"data: 1\n\n", b"data: 2\n\n"]
    assert response.is_closed
    assert body.closed


def test_stream_closes_response_when_the_block_raises() -> None:
    body = TrackedStream([b"a", b"b"])
    client, _ = sync_client(Server(httpx.Response(200, stream=body)))
    with pytest.raises(KeyError), client.stream("GET", "/x") as response:
        next(response.iter_bytes())
        raise KeyError("stop")
    assert body.closed


def test_stream_is_sent_on_enter() -> None:
    server = Server(ok())
    client, _ = sync_client(server)
    manager = client.stream("GET", "/x")
    assert server.requests == []
    with manager:
        assert len(server.requests) == 1


def test_stream_error_status_reads_body_and_raises() -> None:
    body = TrackedStream([json.dumps(AGENT_NOT_FOUND).encode()])
    server = Server(httpx.Response(404, stream=body, headers={"content-type": "application/json"}))
    client, _ = sync_client(server)
    with (
        pytest.raises(NotFoundError, match="Agent with id no-such-agent not found"),
        client.stream("POST", "/agents/no-such-agent/stream", json_body={}),
    ):
        pytest.fail("the block must not run")
    assert body.closed


def test_stream_retries_before_the_response_arrives() -> None:
    first = TrackedStream([b"busy"])
    server = Server(httpx.Response(503, stream=first), connect_error(), ok({"x": 1}))
    client, sleeps = sync_client(server)
    with client.stream("GET", "/x") as response:
        assert response.read() == b'{"x":1}'
    assert first.closed
    assert sleeps == [0.5, 1.0]


def test_stream_transport_error_while_reading_is_wrapped() -> None:
    body = TrackedStream([b"data: 1\n\n"], fail=True)
    server = Server(httpx.Response(200, stream=body))
    client, sleeps = sync_client(server)
    chunks: list[bytes] = []
    with (
        pytest.raises(APIConnectionError, match="GET http://mastra.test/api/x"),
        client.stream("GET", "/x") as response,
    ):
        chunks.extend(response.iter_bytes())
    assert chunks == [b"data: 1\n\n"]
    assert len(server.requests) == 1
    assert sleeps == []


# --------------------------------------------------------------------------- lifecycle


def test_with_closes_an_owned_client() -> None:
    with SyncAPIClient(base_url=BASE_URL) as client:
        assert not client.is_closed
    assert client.is_closed


def test_with_does_not_close_a_user_client() -> None:
    http = httpx.Client(transport=httpx.MockTransport(Server(ok())))
    with SyncAPIClient(base_url=BASE_URL, http_client=http) as client:
        client.request("GET", "/x")
    assert not http.is_closed
    http.close()


def test_with_options_shares_the_pool_and_merges_settings() -> None:
    server = Server(httpx.Response(503), ok())
    client, sleeps = sync_client(server, headers={"X-A": "1"})
    other = client.with_options(api_key="sk-other", headers={"X-B": "2"}, max_retries=0)
    assert type(other) is SyncAPIClient
    assert other._client is client._client
    assert other.max_retries == 0 and client.max_retries == 2
    assert other.base_url == client.base_url and other.api_prefix == client.api_prefix
    with pytest.raises(InternalServerError):
        other.request("GET", "/x")
    headers = server.requests[0].headers
    assert headers["authorization"] == "Bearer sk-other"
    assert headers["x-a"] == "1" and headers["x-b"] == "2"
    other.close()
    assert not client.is_closed  # the copy never closes the shared pool
    assert other._sleep is client._sleep


def test_subclass_with_options_returns_subclass() -> None:
    class Mastra(SyncAPIClient):
        pass

    client = Mastra(base_url=BASE_URL, api_prefix="")
    copy_ = client.with_options(timeout=1.0)
    assert isinstance(copy_, Mastra)
    assert copy_.timeout == 1.0 and copy_.api_prefix == ""
    client.close()
    assert copy_.is_closed


# --------------------------------------------------------------------------- async


async def test_async_url_headers_and_body() -> None:
    server = Server(ok({"id": "a"}))
    client, _ = async_client(server, headers={"X-Team": "blue"})
    response = await client.request(
        "POST", f"/agents/{path_param('a/b')}/generate", json_body={"x": 1}, headers={"X-Team": "r"}
    )
    assert response.json() == {"id": "a"}
    request = server.requests[0]
    assert str(request.url) == "http://mastra.test/api/agents/a%2Fb/generate"
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.headers["x-team"] == "r"
    assert request.headers["content-type"] == "application/json"
    assert request.content == b'{"x":1}'


async def test_async_status_errors() -> None:
    client, _ = async_client(Server(httpx.Response(400, json=INVALID_BODY)))
    with pytest.raises(BadRequestError) as info:
        await client.request("POST", "/x", json_body={})
    assert str(info.value) == "400 Bad Request: Invalid request body (messages: Invalid input)"
    assert API_KEY not in repr(info.value) + repr(client)


async def test_async_retries() -> None:
    server = Server(httpx.Response(503), connect_error(), ok())
    client, sleeps = async_client(server)
    assert (await client.request("GET", "/x")).status_code == 200
    assert sleeps == [0.5, 1.0]

    server = Server(httpx.Response(429, headers={"Retry-After": "2"}), ok())
    client, sleeps = async_client(server)
    await client.request("DELETE", "/x")
    assert sleeps == [2.0]


async def test_async_post_not_retried_unless_retry_unsafe() -> None:
    server = Server(httpx.Response(503), ok())
    client, sleeps = async_client(server)
    with pytest.raises(InternalServerError):
        await client.request("POST", "/x", json_body={})
    assert len(server.requests) == 1

    server = Server(httpx.Response(503), ok())
    client, sleeps = async_client(server)
    await client.request("POST", "/x", json_body={}, retry_unsafe=True)
    assert len(server.requests) == 2
    assert sleeps == [0.5]


async def test_async_max_retries_zero_and_timeout() -> None:
    server = Server(httpx.ReadTimeout("timed out"))
    client, sleeps = async_client(server)
    with pytest.raises(APITimeoutError, match="GET http://mastra.test/api/x"):
        await client.request("GET", "/x", max_retries=0)
    assert len(server.requests) == 1
    assert sleeps == []


class AsyncTrackedStream(httpx.AsyncByteStream):
    def __init__(self, chunks: list[bytes], fail: bool = False) -> None:
        self.chunks = chunks
        self.fail = fail
        self.closed = False

    async def __aiter__(self) -> Any:
        for chunk in self.chunks:
            yield chunk
        if self.fail:
            raise httpx.ReadError("connection reset")

    async def aclose(self) -> None:
        self.closed = True


async def test_async_stream_closes_and_checks_status() -> None:
    body = AsyncTrackedStream([b"data: 1\n\n"])
    client, _ = async_client(Server(httpx.Response(200, stream=body)))
    async with client.stream("POST", "/agents/a/stream", json_body={}) as response:
        assert [chunk async for chunk in response.aiter_bytes()] == [b"data: 1\n\n"]
    assert response.is_closed
    assert body.closed

    error_body = AsyncTrackedStream([json.dumps(AGENT_NOT_FOUND).encode()])
    client, _ = async_client(Server(httpx.Response(404, stream=error_body)))
    with pytest.raises(NotFoundError, match="no-such-agent"):
        async with client.stream("GET", "/x"):
            pytest.fail("the block must not run")
    assert error_body.closed


async def test_async_stream_transport_error_while_reading_is_wrapped() -> None:
    body = AsyncTrackedStream([b"a"], fail=True)
    client, _ = async_client(Server(httpx.Response(200, stream=body)))
    with pytest.raises(APIConnectionError):
        async with client.stream("GET", "/x") as response:
            async for _ in response.aiter_bytes():
                pass
    assert body.closed


async def test_async_lifecycle() -> None:
    async with AsyncAPIClient(base_url=BASE_URL) as client:
        assert not client.is_closed
    assert client.is_closed

    http = httpx.AsyncClient(transport=httpx.MockTransport(Server(ok())))
    async with AsyncAPIClient(base_url=BASE_URL, http_client=http) as client:
        other = client.with_options(max_retries=0)
        await other.request("GET", "/x")
        await other.close()
    assert not http.is_closed
    await http.aclose()


# --------------------------------------------------------------------------- encoding


class Color(str, enum.Enum):
    RED = "red"


class Filter(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(populate_by_name=True)

    resource_id: str = pydantic.Field(alias="resourceId")
    limit: int | None = None


def test_path_param() -> None:
    assert path_param("a/b") == "a%2Fb"
    assert path_param("weather agent?#") == "weather%20agent%3F%23"
    assert path_param(42) == "42"
    assert path_param(Color.RED) == "red"
    assert path_param("ünï") == "%C3%BCn%C3%AF"
    for bad in ("", ".", "..", None, NOT_GIVEN):
        with pytest.raises(ValueError):
            path_param(bad)


def test_build_query_scalars_and_skips() -> None:
    values = {
        "a": NOT_GIVEN,
        "b": None,
        "page": 0,
        "ratio": 0.5,
        "on": True,
        "off": False,
        "color": Color.RED,
        "name": "x",
    }
    assert build_query(values) == [
        ("page", "0"),
        ("ratio", "0.5"),
        ("on", "true"),
        ("off", "false"),
        ("color", "red"),
        ("name", "x"),
    ]


def test_build_query_lists_dicts_and_json_params() -> None:
    values = {
        "tags": ["a", "b", True],
        "orderBy": {"field": "createdAt", "direction": "DESC"},
        "filter": {"status": "open", "nested": {"k": 1}},
        "ids": ("x",),
        "raw": '{"already":"json"}',
        "model": Filter(resourceId="r1"),
    }
    pairs = build_query(values, json_params={"orderBy", "raw", "model"})
    assert pairs == [
        ("tags", "a"),
        ("tags", "b"),
        ("tags", "true"),
        ("orderBy", '{"field":"createdAt","direction":"DESC"}'),
        ("filter[status]", "open"),
        ("filter[nested][k]", "1"),
        ("ids", "x"),
        ("raw", '{"already":"json"}'),
        ("model", '{"resourceId":"r1"}'),
    ]


def test_build_query_model_without_json_param_is_deep_object() -> None:
    assert build_query({"f": Filter.model_validate({"resource_id": "r", "limit": 3})}) == [
        ("f[resourceId]", "r"),
        ("f[limit]", "3"),
    ]


class Message(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")

    role: str
    content: str


class GenerateBody(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid", populate_by_name=True)

    messages: list[Message]
    max_steps: int | None = pydantic.Field(default=None, alias="maxSteps")
    thread_id: str | None = pydantic.Field(default=None, alias="threadId")


def test_build_body_validates_and_dumps_by_alias() -> None:
    body = build_body(
        GenerateBody,
        {
            "messages": [{"role": "user", "content": "hi"}, Message(role="user", content="yo")],
            "maxSteps": 3,
            "threadId": NOT_GIVEN,
        },
    )
    assert body == {
        "messages": [{"role": "user", "content": "hi"}, {"role": "user", "content": "yo"}],
        "maxSteps": 3,
    }


def test_build_body_keeps_explicit_none_and_drops_unset() -> None:
    body = build_body(GenerateBody, {"messages": [], "threadId": None})
    assert body == {"messages": [], "threadId": None}


def test_build_body_rejects_bad_input_client_side() -> None:
    with pytest.raises(pydantic.ValidationError):
        build_body(GenerateBody, {"messages": [], "unknown": 1})
    with pytest.raises(pydantic.ValidationError):
        build_body(GenerateBody, {"messages": "not a list"})


def test_build_body_extra_body_merges_unchecked() -> None:
    body = build_body(
        GenerateBody,
        {"messages": [], "maxSteps": 1},
        extra_body={"maxSteps": 9, "experimental": {"flag": True}},
    )
    assert body == {"messages": [], "maxSteps": 9, "experimental": {"flag": True}}


def test_build_body_without_model() -> None:
    when = dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    body = build_body(
        None,
        {"a": NOT_GIVEN, "m": Message(role="user", content="x"), "when": when, "n": None},
        extra_body={"e": [Color.RED]},
    )
    assert body == {
        "m": {"role": "user", "content": "x"},
        "when": "2025-01-02T03:04:05Z",
        "n": None,
        "e": ["red"],
    }


def test_to_jsonable() -> None:
    assert to_jsonable({"a": (1, 2), "b": {"c": NOT_GIVEN}, 3: Color.RED}) == {
        "a": [1, 2],
        "b": {},
        "3": "red",
    }
    assert to_jsonable(Filter.model_validate({"resource_id": "r"})) == {"resourceId": "r"}


# --------------------------------------------------------------------------- responses


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (httpx.Response(204), None),
        (httpx.Response(200, content=b"  "), None),
        (httpx.Response(200, json={"a": 1}), {"a": 1}),
        (httpx.Response(200, json=42), 42),
        (
            httpx.Response(200, content=b'{"a":1}', headers={"content-type": "text/plain"}),
            {"a": 1},
        ),
        (
            httpx.Response(200, content=b'{"a":1}', headers={"content-type": "application/problem+json"}),
            {"a": 1},
        ),
        (httpx.Response(200, content=b"[1]"), [1]),
        (httpx.Response(200, text="42"), "42"),
        (httpx.Response(200, text="hello"), "hello"),
        (
            httpx.Response(200, content=b"{oops", headers={"content-type": "application/json"}),
            "{oops",
        ),
        (httpx.Response(200, content=b"ID3\xff\x00", headers={"content-type": "audio/mpeg"}), b"ID3\xff\x00"),
        (httpx.Response(200, content=b"{}", headers={"content-type": "application/octet-stream"}), b"{}"),
        (httpx.Response(200, content=b"\x89PNG\r\n\x1a\n\xff"), b"\x89PNG\r\n\x1a\n\xff"),
        (httpx.Response(200, content=b"caf\xc3\xa9"), "caf\u00e9"),
        (httpx.Response(200, content=b"<x/>", headers={"content-type": "application/xml"}), "<x/>"),
    ],
)
def test_parse_json(response: httpx.Response, expected: object) -> None:
    assert parse_json(response) == expected


def test_validate_as() -> None:
    data = [{"role": "user", "content": "x"}]
    result = validate_as(list[Message] | None, data)
    assert result == [Message(role="user", content="x")]
    assert validate_as(list[Message] | None, None) is None
    assert validate_as(Any, data) is data
    assert validate_as(object, data) is data
    with pytest.raises(pydantic.ValidationError):
        validate_as(Message, {"role": "user"})


def test_validate_as_caches_adapters() -> None:
    from mastra_codegen.templates.runtime import _response

    _response._cached_adapter.cache_clear()
    validate_as(dict[str, int], {"a": 1})
    validate_as(dict[str, int], {"b": 2})
    info = _response._cached_adapter.cache_info()
    assert (info.hits, info.misses) == (1, 1)


def test_module_logger_is_named_after_the_package() -> None:
    from mastra_codegen.templates.runtime import _base_client

    assert _base_client.log.name == "mastra_codegen"
