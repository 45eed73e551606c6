"""An HTTP/1.1 reverse proxy that injects faults in front of a real upstream server (stdlib only).

Tests point a client's ``base_url`` at the proxy instead of the server, then script what goes wrong::

    with FaultProxy(server.base_url) as proxy:
        proxy.add(respond(503, times=2))                 # two 503s, then requests go through
        proxy.add(cut_after(3, path=r"/stream$"))        # a stream dropped after its 3rd SSE event
        ...                                              # drive the client through proxy.url
        assert [seen.fault for seen in proxy.requests] == ["respond", "respond", None]
        assert proxy.wait_upstream_closed()              # leaving a stream closed the upstream socket

The proxy runs an asyncio loop in a daemon thread, so sync and async clients can both use it. Each
request gets a fresh upstream connection (``Connection: close``) and its response body is re-sent to the
client chunked, piece by piece as it arrives, so SSE streams flow through event by event and a fault can
act at an exact event boundary. Client keep-alive is kept: httpx reuses its connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import http.client
import re
import threading
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlsplit

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}
_READ_SIZE = 65536


@dataclass
class Seen:
    """One request as the proxy received it, and what it did with it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    received_at: float
    fault: str | None
    status: int | None = None
    client_disconnected: bool = False


@dataclass
class Fault:
    """What a fault matches and how often; subclasses say what it does (``kind``)."""

    kind: ClassVar[str] = "fault"
    method: str | None = None
    path: str | None = None
    times: int = 1
    name: str = ""
    uses: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.name = self.name or self.kind

    def matches(self, method: str, path: str) -> bool:
        """True when the request matches and the fault is not spent yet (``times=-1`` never is)."""
        if self.times != -1 and self.uses >= self.times:
            return False
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path is None or re.search(self.path, path) is not None


@dataclass
class Respond(Fault):
    kind: ClassVar[str] = "respond"
    status: int = 503
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Delay(Fault):
    kind: ClassVar[str] = "delay"
    seconds: float = 0.0


@dataclass
class CutAfter(Fault):
    kind: ClassVar[str] = "cut_after"
    events: int = 0
    separator: bytes = b"\n\n"


@dataclass
class StallAfter(Fault):
    kind: ClassVar[str] = "stall_after"
    events: int = 0
    seconds: float = 0.0
    separator: bytes = b"\n\n"


@dataclass
class Trickle(Fault):
    kind: ClassVar[str] = "trickle"
    bytes_per_second: float = 1.0


@dataclass
class Refuse(Fault):
    kind: ClassVar[str] = "refuse"


def respond(status: int, *, body: bytes = b"", headers: dict[str, str] | None = None, **match: Any) -> Respond:
    """Answer directly (e.g. 503, or 429 with ``Retry-After``); upstream never sees the request."""
    return Respond(status=status, body=body, headers=dict(headers or {}), **match)


def delay(seconds: float, **match: Any) -> Delay:
    """Wait ``seconds``, then forward normally (slow server, client timeouts)."""
    return Delay(seconds=seconds, **match)


def cut_after(events: int, *, separator: bytes = b"\n\n", **match: Any) -> CutAfter:
    """Pass the first ``events`` events of the body, then drop the connection without the last chunk."""
    return CutAfter(events=events, separator=separator, **match)


def stall_after(events: int, *, seconds: float, separator: bytes = b"\n\n", **match: Any) -> StallAfter:
    """Pass the first ``events`` events, go silent for ``seconds`` (read timeouts), then drop the connection."""
    return StallAfter(events=events, seconds=seconds, separator=separator, **match)


def trickle(*, bytes_per_second: float = 1.0, **match: Any) -> Trickle:
    """Forward, but write the body one byte at a time (slow network; a timeout that is not per read)."""
    return Trickle(bytes_per_second=bytes_per_second, **match)


def refuse(**match: Any) -> Refuse:
    """Read the request, then close the connection without any response."""
    return Refuse(**match)


@dataclass
class _Request:
    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str:
        return next((value for key, value in self.headers if key.lower() == name), "")


class _ClientProtocol(asyncio.StreamReaderProtocol):
    """A stream protocol that also sets ``gone`` when the client hangs up, without consuming its bytes.

    A half-close (EOF after the request) counts as hanging up: HTTP clients do not half-close.
    """

    def __init__(self, handler: Callable[..., Coroutine[Any, Any, None]]) -> None:
        self.gone = asyncio.Event()
        super().__init__(asyncio.StreamReader(), functools.partial(handler, gone=self.gone))

    def eof_received(self) -> bool:
        self.gone.set()
        return bool(super().eof_received())

    def connection_lost(self, exc: Exception | None) -> None:
        self.gone.set()
        super().connection_lost(exc)


class FaultProxy:
    """The proxy; a context manager. See the module docstring."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream = upstream
        self._upstream_addr = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._upstream_host = parts.netloc
        self.url = ""
        self.requests: list[Seen] = []
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._open_upstream = 0
        self._tasks: set[asyncio.Task[Any]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fault-proxy", daemon=True)
        self._server: asyncio.Server | None = None

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=5)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(timeout=5)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
            if not self._thread.is_alive():
                self._loop.close()

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def open_upstream(self) -> int:
        with self._lock:
            return self._open_upstream

    def wait_upstream_closed(self, timeout: float = 5.0) -> bool:
        """Poll until every upstream connection is closed (the proxy closes them when a client leaves)."""
        deadline = time.monotonic() + timeout
        while self.open_upstream():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
        return True

    # -- loop side -------------------------------------------------------------------------------------

    async def _start(self) -> asyncio.Server:
        return await asyncio.get_running_loop().create_server(lambda: _ClientProtocol(self._handle), "127.0.0.1", 0)

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for writer in list(self._writers):
            writer.transport.abort()

    def _track(self, task: asyncio.Task[Any]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _pick(self, method: str, path: str) -> Fault | None:
        """The first fault that matches, with its use counted; None means forward unchanged."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.uses += 1
                    return fault
        return None

    def _upstream_delta(self, delta: int) -> None:
        with self._lock:
            self._open_upstream += delta

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, gone: asyncio.Event) -> None:
        """Serve one client connection: requests in sequence until it closes or a fault drops it."""
        if task := asyncio.current_task():
            self._track(task)
        self._writers.add(writer)
        try:
            while (request := await _read_request(reader)) is not None:
                if not await self._serve(request, writer, gone):
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            pass  # a malformed or interrupted request: just drop the connection
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _serve(self, request: _Request, writer: asyncio.StreamWriter, gone: asyncio.Event) -> bool:
        """Answer one request while watching for the client to leave; True to keep the connection."""
        fault = self._pick(request.method, request.target)
        headers = {key.lower(): value for key, value in request.headers}
        seen = Seen(
            request.method, request.target, headers, request.body, time.monotonic(), fault.name if fault else None
        )
        with self._lock:
            self.requests.append(seen)
        if isinstance(fault, Refuse):
            writer.transport.abort()
            return False
        work = asyncio.create_task(self._answer(request, fault, writer, seen))
        watch = asyncio.create_task(gone.wait())
        self._track(work)
        try:
            await asyncio.wait({work, watch}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            watch.cancel()
            if not work.done():  # the client left (or we are shutting down): stop, which closes upstream
                seen.client_disconnected = gone.is_set()
                work.cancel()
                await asyncio.gather(work, return_exceptions=True)
        if work.cancelled():
            return False
        if (error := work.exception()) is not None:
            if not isinstance(error, (OSError, asyncio.IncompleteReadError, ValueError)):
                raise error  # a bug in the proxy: let it show
            seen.client_disconnected = gone.is_set()  # a failed write to the client, or upstream broke mid-body
            return False
        return work.result() and request.header("connection").lower() != "close"

    async def _answer(self, request: _Request, fault: Fault | None, writer: asyncio.StreamWriter, seen: Seen) -> bool:
        if isinstance(fault, Respond):
            seen.status = fault.status
            await _write_simple(writer, fault.status, fault.body, fault.headers)
            return True
        if isinstance(fault, Delay):
            await asyncio.sleep(fault.seconds)
        return await self._forward(request, fault, writer, seen)

    async def _forward(self, request: _Request, fault: Fault | None, writer: asyncio.StreamWriter, seen: Seen) -> bool:
        """Send the request upstream on a fresh connection and stream the response back chunked."""
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._upstream_addr)
        except OSError as exc:
            seen.status = 502
            await _write_simple(writer, 502, f"fault proxy: upstream unreachable: {exc}".encode())
            return True
        self._upstream_delta(+1)
        try:
            up_writer.write(self._upstream_request(request))
            await up_writer.drain()
            try:
                status, reason, headers = await _read_head(up_reader)
            except (asyncio.IncompleteReadError, ConnectionError, ValueError):
                seen.status = 502
                await _write_simple(writer, 502, b"fault proxy: upstream sent no response")
                return True
            seen.status = status
            if request.method == "HEAD" or status in (204, 304) or 100 <= status < 200:
                kept = [(k, v) for k, v in headers if k.lower() not in ("connection", "keep-alive")]
                writer.write(_head(status, reason, kept))
                await writer.drain()
                return True
            kept = [(k, v) for k, v in headers if k.lower() not in _HOP_BY_HOP]
            writer.write(_head(status, reason, [*kept, ("Transfer-Encoding", "chunked")]))
            await writer.drain()
            async with contextlib.aclosing(_body(up_reader, headers)) as body:
                return await _relay(body, fault, writer)
        finally:
            up_writer.close()
            try:
                await up_writer.wait_closed()
            except OSError:
                pass
            finally:
                self._upstream_delta(-1)

    def _upstream_request(self, request: _Request) -> bytes:
        headers = [(k, v) for k, v in request.headers if k.lower() not in _HOP_BY_HOP | {"host"}]
        headers = [("Host", self._upstream_host), *headers, ("Connection", "close")]
        if request.body or request.header("content-length") or request.header("transfer-encoding"):
            headers.append(("Content-Length", str(len(request.body))))
        lines = [f"{request.method} {request.target} HTTP/1.1", *(f"{k}: {v}" for k, v in headers)]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + request.body


async def _read_request(reader: asyncio.StreamReader) -> _Request | None:
    """Parse one request (Content-Length or chunked body); None when the client closed between requests."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if exc.partial.strip():
            raise
        return None
    request_line, *lines = head.decode("latin-1").split("\r\n")
    method, target, _version = request_line.split(" ", 2)
    headers = [_split_header(line) for line in lines if line]
    request = _Request(method, target, headers, b"")
    if "chunked" in request.header("transfer-encoding").lower():
        request.body = b"".join([piece async for piece in _chunks(reader)])
    elif length := int(request.header("content-length") or 0):
        request.body = await reader.readexactly(length)
    return request


def _split_header(line: str) -> tuple[str, str]:
    name, _, value = line.partition(":")
    return name.strip(), value.strip()


async def _read_head(reader: asyncio.StreamReader) -> tuple[int, str, list[tuple[str, str]]]:
    status_line, *lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    _version, status, *reason = status_line.split(" ", 2)
    return int(status), (reason[0] if reason else ""), [_split_header(line) for line in lines if line]


async def _chunks(reader: asyncio.StreamReader) -> AsyncGenerator[bytes, None]:
    """Decode a chunked body, yielding each chunk as it arrives (trailers are read and dropped)."""
    while size := int((await reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16):
        data = await reader.readexactly(size)
        await reader.readexactly(2)
        yield data
    while await reader.readuntil(b"\r\n") != b"\r\n":
        pass


def _body(reader: asyncio.StreamReader, headers: list[tuple[str, str]]) -> AsyncGenerator[bytes, None]:
    """The upstream body, decoded, piece by piece as it arrives (chunked, Content-Length or until close)."""
    fields = {k.lower(): v for k, v in headers}
    if "chunked" in fields.get("transfer-encoding", "").lower():
        return _chunks(reader)
    return _raw(reader, int(fields["content-length"]) if "content-length" in fields else -1)


async def _raw(reader: asyncio.StreamReader, remaining: int) -> AsyncGenerator[bytes, None]:
    """``remaining`` bytes (-1: until the upstream closes) as they arrive."""
    while remaining:
        piece = await reader.read(_READ_SIZE if remaining < 0 else min(_READ_SIZE, remaining))
        if not piece:
            return
        remaining -= len(piece) if remaining > 0 else 0
        yield piece


async def _relay(body: AsyncIterator[bytes], fault: Fault | None, writer: asyncio.StreamWriter) -> bool:
    """Copy the body to the client as chunks, applying a body fault; True when it ended cleanly."""
    if isinstance(fault, (CutAfter, StallAfter)):
        await _send_events(body, fault.events, fault.separator, writer)
        if isinstance(fault, StallAfter):
            await asyncio.sleep(fault.seconds)
        return False  # closed without the terminating chunk: an incomplete body for the client
    async for piece in body:
        if not isinstance(fault, Trickle):
            writer.write(_chunk(piece))
            await writer.drain()
            continue
        for i in range(len(piece)):
            await asyncio.sleep(1 / fault.bytes_per_second)
            writer.write(_chunk(piece[i : i + 1]))
            await writer.drain()
    writer.write(b"0\r\n\r\n")
    await writer.drain()
    return True


async def _send_events(body: AsyncIterator[bytes], events: int, separator: bytes, writer: asyncio.StreamWriter) -> None:
    """Forward whole events only, and stop after ``events`` of them (all of a shorter body)."""
    sent, pending = 0, b""
    while sent < events:
        piece = await anext(body, None)
        if piece is None:
            if pending:
                writer.write(_chunk(pending))
            break
        pending += piece
        out = b""
        while sent < events and (end := pending.find(separator)) >= 0:
            out, pending = out + pending[: end + len(separator)], pending[end + len(separator) :]
            sent += 1
        if out:
            writer.write(_chunk(out))
            await writer.drain()
    await writer.drain()


def _head(status: int, reason: str, headers: list[tuple[str, str]]) -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}", *(f"{k}: {v}" for k, v in headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n" if data else b""


async def _write_simple(
    writer: asyncio.StreamWriter, status: int, body: bytes, headers: dict[str, str] | None = None
) -> None:
    """A complete response with a Content-Length, for answers the proxy makes up itself."""
    fields = dict(headers or {})
    if not any(k.lower() == "content-length" for k in fields):
        fields["Content-Length"] = str(len(body))
    writer.write(_head(status, http.client.responses.get(status, ""), list(fields.items())) + body)
    await writer.drain()
