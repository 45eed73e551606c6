"""The generated client against hostile answers (issue 14): size caps, secrets, redirects,
linear stream decoders, ``with_raw_response`` keyword names and argument checks.

Every server here is an ``httpx.MockTransport`` (or a socket on 127.0.0.1) that answers what
a broken or malicious server might: a body that never ends, a gzip bomb, a 401 echoing the
key, a redirect to another origin, a 64 MB event with CRLF line ends.
"""

from __future__ import annotations

import gzip
import logging
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mastra_client import (
    APIResponseValidationError,
    APIStatusError,
    AsyncMastraClient,
    AuthenticationError,
    MastraClient,
    MastraError,
    RedirectError,
    ResponseTooLargeError,
)
from mastra_client._runtime._decoders import NdjsonDecoder, RecordDecoder, SSEDecoder

BASE_URL = "http://mastra.test"
KEY = "sk-live-0123456789abcdef"
MIB = 1024 * 1024
SEND = {"message": {"messageId": "m1", "role": "user", "parts": [{"kind": "text", "text": "hi"}]}}

Handler = Callable[[httpx.Request], httpx.Response]


class Pieces(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body of ``count`` reads of ``piece``, produced lazily; counts the reads served."""

    def __init__(self, piece: bytes, count: int, head: bytes = b"") -> None:
        self.piece, self.count, self.head = piece, count, head
        self.served = 0

    def _chunks(self) -> Iterator[bytes]:
        if self.head:
            yield self.head
        for _ in range(self.count):
            self.served += 1
            yield self.piece

    def __iter__(self) -> Iterator[bytes]:
        yield from self._chunks()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks():
            yield chunk


def sync_client(handler: Handler, **kwargs: Any) -> MastraClient:
    kwargs.setdefault("max_retries", 0)
    http = httpx.Client(transport=httpx.MockTransport(handler), follow_redirects=kwargs.pop("follow", False))
    return MastraClient(BASE_URL, http_client=http, **kwargs)


def async_client(handler: Handler, **kwargs: Any) -> AsyncMastraClient:
    kwargs.setdefault("max_retries", 0)
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler), follow_redirects=kwargs.pop("follow", False))
    return AsyncMastraClient(BASE_URL, http_client=http, **kwargs)


async def call(mode: str, handler: Handler, fn: Callable[[Any], Any], **kwargs: Any) -> Any:
    """``fn(client)`` with a sync or an async client (awaited when async)."""
    if mode == "sync":
        return fn(sync_client(handler, **kwargs))
    return await fn(async_client(handler, **kwargs))


async def read_stream(mode: str, handler: Handler, open_: Callable[[Any], Any], **kwargs: Any) -> list[Any]:
    if mode == "sync":
        with open_(sync_client(handler, **kwargs)) as stream:
            return list(stream)
    async with open_(async_client(handler, **kwargs)) as stream:
        return [event async for event in stream]


MODES = pytest.mark.parametrize("mode", ["sync", "async"])


def leaks(exc: BaseException, *secrets: str) -> list[str]:
    """Where a secret shows in what an exception prints or keeps."""
    places = {"str": str(exc), "repr": repr(exc), "args": repr(exc.args)}
    body = getattr(exc, "body", None)
    places["body"] = repr(body)
    response = getattr(exc, "response", None)
    if isinstance(response, httpx.Response):
        places["response.text"] = response.text
    return [where for where, text in places.items() for secret in secrets if secret in text]


# --------------------------------------------------------------------------- 3: size caps


@MODES
async def test_a_body_past_the_cap_stops_reading_and_raises(mode: str) -> None:
    body = Pieces(b"x" * 65536, 10_000, head=b'{"a":"')  # 640 MB if read whole
    handler = lambda r: httpx.Response(200, headers={"content-type": "application/json"}, stream=body)  # noqa: E731
    with pytest.raises(ResponseTooLargeError) as info:
        await call(mode, handler, lambda c: c.agents.get_agent("a"), max_response_bytes=MIB)
    assert body.served < 40, "reading went on past the cap"
    error = info.value
    assert isinstance(error, MastraError) and error.limit == MIB and error.size > MIB
    assert "max_response_bytes" in str(error) and str(MIB) in str(error) and "response body" in str(error)


@MODES
async def test_a_gzip_bomb_is_stopped_after_decompression(mode: str) -> None:
    bomb = gzip.compress(b"[" + b" " * (64 * MIB) + b"]")  # 64 KB on the wire
    assert len(bomb) < MIB

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, headers={"content-type": "application/json", "content-encoding": "gzip"}, content=bomb
        )

    with pytest.raises(ResponseTooLargeError):
        await call(mode, handler, lambda c: c.agents.list_agents(max_response_bytes=4 * MIB))


@MODES
async def test_the_default_cap_is_documented_and_per_client(mode: str) -> None:
    client = (
        sync_client(lambda r: httpx.Response(200)) if mode == "sync" else async_client(lambda r: httpx.Response(200))
    )
    assert client.max_response_bytes == 256 * MIB
    assert client.with_options(max_response_bytes=10).max_response_bytes == 10
    assert client.with_options(max_response_bytes=None).max_response_bytes is None
    with pytest.raises(ValueError, match="max_response_bytes"):
        client.with_options(max_response_bytes=0)


@MODES
async def test_a_huge_error_body_is_kept_truncated(mode: str) -> None:
    body = Pieces(b"e" * 65536, 5_000, head=b'{"error":"')

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, headers={"content-type": "application/json"}, stream=body)

    with pytest.raises(APIStatusError) as info:
        await call(mode, handler, lambda c: c.agents.list_agents())
    error = info.value
    assert error.status_code == 500 and error.body_truncated
    assert len(error.response.content) <= MIB and "truncated" in str(error)
    assert body.served < 40


@MODES
async def test_one_sse_line_past_the_cap_raises(mode: str) -> None:
    body = Pieces(b"y" * 65536, 10_000, head=b'data: {"type":"text-delta","payload":"')

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=body)

    with pytest.raises(ResponseTooLargeError) as info:
        await read_stream(mode, handler, lambda c: c.agents.stream("a", messages="hi", max_response_bytes=MIB))
    assert info.value.what == "stream event" and body.served < 40


@MODES
async def test_with_streaming_response_has_no_whole_body_cap(mode: str) -> None:
    handler = lambda r: httpx.Response(200, headers={"content-type": "audio/mpeg"}, content=b"z" * (3 * MIB))  # noqa: E731
    if mode == "sync":
        client = sync_client(handler, max_response_bytes=MIB)
        with client.with_streaming_response.agents.list_agents() as response:
            assert sum(len(piece) for piece in response.iter_bytes()) == 3 * MIB
    else:
        aclient = async_client(handler, max_response_bytes=MIB)
        async with aclient.with_streaming_response.agents.list_agents() as response:
            assert sum([len(piece) async for piece in response.aiter_bytes()]) == 3 * MIB


# --------------------------------------------------------------------------- 4: credentials


def echo_401(request: httpx.Request) -> httpx.Response:
    """A server that quotes every credential it was sent, in its body, a header and its reason."""
    sent = " ".join(f"{name}={value}" for name, value in request.headers.items())
    return httpx.Response(
        401,
        headers={"x-echo": sent, "content-type": "application/json"},
        json={"error": f"bad credentials: {sent}", "details": [{"field": "auth", "message": sent}]},
        extensions={"reason_phrase": f"Nope {request.headers.get('authorization')}".encode()},
    )


@MODES
async def test_an_echoed_key_is_in_no_exception_text(mode: str) -> None:
    with pytest.raises(AuthenticationError) as info:
        await call(
            mode,
            echo_401,
            lambda c: c.agents.list_agents(extra_headers={"X-Session-Token": "tok-per-call-123"}),
            api_key=KEY,
            headers={"X-Api-Key": "hdr-secret-456", "X-Trace": "visible"},
        )
    assert leaks(info.value, KEY, "hdr-secret-456", "tok-per-call-123") == []
    assert "visible" in str(info.value)  # an ordinary value is kept


@MODES
async def test_an_echoed_key_is_in_no_log_record(mode: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="mastra_client")
    with pytest.raises(AuthenticationError):
        await call(mode, echo_401, lambda c: c.agents.list_agents(), api_key=KEY)
    assert caplog.records and KEY not in caplog.text


def echo_into_a_field(request: httpx.Request) -> httpx.Response:
    """A 200 that quotes the key where the model wants something else (a list of packages)."""
    flags = {"cmsEnabled": False, "isDev": False, "liveKitConnectionRouteEnabled": False, "observabilityEnabled": False}
    package = {"name": [request.headers["authorization"]], "version": "1"}
    return httpx.Response(200, json={**flags, "packages": [package]})


@MODES
async def test_a_key_echoed_into_an_answer_is_in_no_warning_nor_validation_error(
    mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    from mastra_client._runtime import _response

    _response._warned.clear()  # the warning is once per model and process
    caplog.set_level(logging.WARNING, logger="mastra_client")
    lenient = await call(mode, echo_into_a_field, lambda c: c.get_system_packages(), api_key=KEY)
    assert lenient.packages[0].name == [f"Bearer {KEY}"]  # the value as sent is the caller's to see
    assert caplog.records and "SystemPackagesResponsePackage" in caplog.text and "name" in caplog.text
    assert KEY not in caplog.text and "<redacted>" in caplog.text

    with pytest.raises(APIResponseValidationError) as info:
        await call(
            mode, echo_into_a_field, lambda c: c.get_system_packages(strict_response_validation=True), api_key=KEY
        )
    assert leaks(info.value, KEY) == [] and KEY not in repr(info.value.errors)
    assert info.value.__cause__ is None  # pydantic's error quotes the key: not chained


@MODES
async def test_a_key_with_a_trailing_newline_is_stripped(mode: str) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["authorization"])
        return httpx.Response(200, json=[])

    await call(mode, handler, lambda c: c.agents.list_agents(), api_key=KEY + "\n")
    assert seen == [f"Bearer {KEY}"]


def test_a_key_or_header_that_cannot_be_sent_is_refused_without_its_value() -> None:
    with pytest.raises(ValueError) as info:
        MastraClient(BASE_URL, api_key="sk-in\nside")
    assert "api_key" in str(info.value) and "sk-in" not in str(info.value)
    for bad in ("tok\r\nX-Evil: 1", "tök-ünïcode", "nul\x00"):
        with pytest.raises(ValueError) as info:
            MastraClient(BASE_URL, headers={"X-Api-Key": bad})
        assert "'X-Api-Key'" in str(info.value) and bad not in str(info.value)
    with pytest.raises(TypeError, match="'X-Tenant'"):
        MastraClient(BASE_URL, headers={"X-Tenant": None})  # type: ignore[dict-item]


@MODES
async def test_bad_per_call_header_values_name_the_header(mode: str) -> None:
    handler = lambda r: httpx.Response(200, json=[])  # noqa: E731
    with pytest.raises(ValueError, match="'X-Name'") as info:
        await call(mode, handler, lambda c: c.agents.list_agents(extra_headers={"X-Name": "Zoë"}))
    assert "Zoë" not in str(info.value)
    with pytest.raises(TypeError, match="'X-Count'"):
        await call(mode, handler, lambda c: c.agents.list_agents(extra_headers={"X-Count": None}))


def test_a_connection_error_does_not_quote_the_key() -> None:
    """A real socket: the server closes at once; the error names the target, never the key."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]

    def serve() -> None:
        connection, _ = listener.accept()
        connection.recv(65536)
        connection.close()

    threading.Thread(target=serve, daemon=True).start()
    client = MastraClient(f"http://127.0.0.1:{port}", api_key=KEY + "\n", max_retries=0)
    with pytest.raises(MastraError) as info:
        client.agents.list_agents()
    listener.close()
    assert leaks(info.value, KEY) == []


# --------------------------------------------------------------------------- 5: redirects


def redirect(request: httpx.Request) -> httpx.Response:
    if request.url.host == "evil.test":
        return httpx.Response(200, json={"stolen": request.headers.get("authorization")})
    return httpx.Response(307, headers={"location": f"http://evil.test/steal?token={KEY}"})


@MODES
@pytest.mark.parametrize("kind", ["typed", "untyped", "stream"])
async def test_a_redirect_is_an_error_and_is_not_followed(mode: str, kind: str) -> None:
    hosts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        hosts.append(request.url.host)
        return redirect(request)

    with pytest.raises(RedirectError) as info:
        if kind == "typed":
            await call(mode, handler, lambda c: c.agents.get_agent("a"), api_key=KEY, follow=True)
        elif kind == "untyped":
            a2a = lambda c: c.a2a.create_a2a("a", id=1, jsonrpc="2.0", method="message/send", params=SEND)  # noqa: E731
            await call(mode, handler, a2a, api_key=KEY, follow=True)
        else:
            await read_stream(mode, handler, lambda c: c.agents.stream("a", messages="hi"), api_key=KEY, follow=True)
    error = info.value
    assert isinstance(error, APIStatusError) and error.status_code == 307
    assert error.location is not None and "evil.test" in error.location and "307" in str(error)
    assert hosts == ["mastra.test"]
    assert leaks(error, KEY) == []


# --------------------------------------------------------------------------- 6: linear decoders


def test_a_64_mb_crlf_event_in_64_kib_reads_decodes_in_linear_time() -> None:
    line = b"data: " + b"q" * 1018 + b"\r\n"  # 1 KiB lines
    event = line * (64 * 1024) + b"\r\n"
    decoder = SSEDecoder(max_bytes=None)
    started = time.monotonic()
    out: list[bytes] = []
    for start in range(0, len(event), 65536):
        out.extend(decoder.feed(event[start : start + 65536]))
    elapsed = time.monotonic() - started
    assert len(out) == 1 and len(out[0]) == 64 * 1024 * 1019 - 1
    assert elapsed < 20, f"{elapsed:.1f} s: the decoder is not linear"


_ALPHABET = st.sampled_from([b"data: ", b"data:", b"\r", b"\n", b"\r\n", b":", b"x", b"{}", b"\x1e", b" ", b"event: e"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    parts=st.lists(_ALPHABET, max_size=60),
    cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=12),
    decoder_class=st.sampled_from([SSEDecoder, RecordDecoder, NdjsonDecoder]),
)
def test_any_split_gives_the_events_of_a_one_shot_feed(
    parts: list[bytes], cuts: list[int], decoder_class: type
) -> None:
    data = b"".join(parts)
    whole = decoder_class()
    expected = whole.feed(data) + whole.flush()
    split = decoder_class()
    got: list[bytes] = []
    last = 0
    for cut in sorted({min(c, len(data)) for c in cuts}) + [len(data)]:
        got.extend(split.feed(data[last:cut]))
        last = cut
    got.extend(split.flush())
    assert got == expected


@settings(max_examples=200, deadline=None)
@given(
    parts=st.lists(_ALPHABET, max_size=80),
    reads=st.lists(st.integers(min_value=1, max_value=64), min_size=1, max_size=20),
    decoder_class=st.sampled_from([SSEDecoder, RecordDecoder, NdjsonDecoder]),
)
def test_the_buffer_never_exceeds_the_cap(parts: list[bytes], reads: list[int], decoder_class: type) -> None:
    data = b"".join(parts) * 3
    cap = 40
    decoder = decoder_class(max_bytes=cap)
    position = 0
    index = 0
    while position < len(data):
        size = reads[index % len(reads)]
        index += 1
        try:
            decoder.feed(data[position : position + size])
        except ResponseTooLargeError as exc:
            assert exc.limit == cap
            return
        assert decoder.buffered <= cap
        position += size


# --------------------------------------------------------------------------- 9: raw responses


@MODES
async def test_with_raw_response_passes_a_keyword_named_method(mode: str) -> None:
    handler = lambda r: httpx.Response(200, json={"jsonrpc": "2.0", "id": 1, "result": {}})  # noqa: E731
    a2a = lambda c: c.with_raw_response.a2a.create_a2a("a", id=1, jsonrpc="2.0", method="message/send", params=SEND)  # noqa: E731
    raw = await call(mode, handler, a2a)
    assert raw.status_code == 200 and raw.parse()["id"] == 1


def test_with_streaming_response_passes_a_keyword_named_method() -> None:
    handler = lambda r: httpx.Response(200, json={"jsonrpc": "2.0", "id": 1})  # noqa: E731
    client = sync_client(handler)
    with client.with_streaming_response.a2a.create_a2a(
        "a", id=1, jsonrpc="2.0", method="message/send", params=SEND
    ) as response:
        assert response.json()["id"] == 1


async def test_async_with_streaming_response_passes_a_keyword_named_method() -> None:
    handler = lambda r: httpx.Response(200, json={"jsonrpc": "2.0", "id": 1})  # noqa: E731
    client = async_client(handler)
    streaming = client.with_streaming_response.a2a
    async with streaming.create_a2a("a", id=1, jsonrpc="2.0", method="message/send", params=SEND) as response:
        assert (await response.json())["id"] == 1


# --------------------------------------------------------------------------- 10: arguments


def refuse(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"nothing should be sent: {request.url}")


@MODES
@pytest.mark.parametrize(
    ("fn", "error", "name"),
    [
        (lambda c: c.workflows.list_runs("w", status="bogus"), ValueError, "status"),
        (lambda c: c.workflows.list_runs("w", per_page="ten"), ValueError, "per_page"),
        (lambda c: c.workflows.list_runs(["a", "b"]), TypeError, "workflow_id"),
        (lambda c: c.agents.get_agent("a", status="live"), ValueError, "status"),
    ],
)
async def test_bad_arguments_are_refused_before_sending(mode: str, fn: Any, error: type, name: str) -> None:
    with pytest.raises(error, match=name):
        await call(mode, refuse, fn)


@MODES
async def test_good_arguments_are_sent_as_given(mode: str) -> None:
    seen: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(200, json={"runs": [], "total": 0})

    await call(mode, handler, lambda c: c.workflows.list_runs("w", status="failed", per_page=10, page=0))
    assert seen[0].params["status"] == "failed" and seen[0].params["perPage"] == "10"
