"""The fault-injection proxy (``tests/e2e/fault_proxy.py``) against a tiny stdlib upstream, with httpx as client.

The upstream serves JSON, an echo, SSE events and ``\\x1e``-separated records (chunked, optionally paced), and
records what it received and whether a stream it was writing lost its reader.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from e2e.fault_proxy import (
    FaultProxy,
    cut_after,
    delay,
    refuse,
    respond,
    stall_after,
    trickle,
)


def sse_event(i: int) -> bytes:
    return b'data: {"i": %d}\n\n' % i


def record(i: int) -> bytes:
    return b'{"i": %d}\x1e' % i


def rechunk(items: list[bytes], size: int) -> Iterator[bytes]:
    """One chunk per item, or ``size``-byte chunks that split items anywhere."""
    if not size:
        return iter(items)
    data = b"".join(items)
    return (data[i : i + size] for i in range(0, len(data), size))


class Upstream(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a stream the proxy abandoned must not hold up shutdown

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.seen: list[tuple[str, str, dict[str, str], bytes]] = []
        self.stream_broken = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Upstream

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _record(self) -> bytes:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.server.seen.append((self.command, self.path, headers, body))
        return body

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Upstream", "yes")
        self.end_headers()
        self.wfile.write(body)

    def _stream(self, pieces: Iterator[bytes], pause: float) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for piece in pieces:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.flush()
                time.sleep(pause)
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            self.server.stream_broken.set()
        self.close_connection = True

    def do_GET(self) -> None:
        self._record()
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        n, pause, size = int(query.get("n", 10)), float(query.get("pause", 0)), int(query.get("size", 0))
        if url.path == "/json":
            self._send(200, json.dumps({"ok": True, "path": self.path}).encode())
        elif url.path == "/bytes":
            self._send(200, bytes(range(65, 65 + n)), "application/octet-stream")
        elif url.path == "/sse":
            self._stream(rechunk([sse_event(i) for i in range(n)], size), pause)
        elif url.path == "/records":
            self._stream(rechunk([record(i) for i in range(n)], size), pause)
        else:
            self._send(404, b'{"error": "not found"}')

    def do_POST(self) -> None:
        body = self._record()
        self.send_response(201)
        self.send_header("Content-Type", self.headers.get("Content-Type", ""))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Echo-Custom", self.headers.get("X-Custom", ""))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    server = Upstream()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def proxy(upstream: Upstream) -> Iterator[FaultProxy]:
    with FaultProxy(upstream.url) as p:
        yield p


@pytest.fixture
def client(proxy: FaultProxy) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=proxy.url, timeout=5) as c:
        yield c


def read_raw(response: httpx.Response, into: bytearray) -> None:
    for data in response.iter_raw():
        into += data


# -- forwarding ----------------------------------------------------------------------------------------


def test_forwards_get_unchanged(proxy: FaultProxy, upstream: Upstream, client: httpx.Client) -> None:
    r = client.get("/json?x=1", headers={"X-Custom": "abc"})
    assert r.status_code == 200
    assert r.json() == {"ok": True, "path": "/json?x=1"}
    assert r.headers["x-upstream"] == "yes"
    assert r.headers["content-type"] == "application/json"
    assert r.headers["transfer-encoding"] == "chunked"
    ((method, path, headers, _),) = upstream.seen
    assert (method, path, headers["x-custom"]) == ("GET", "/json?x=1", "abc")
    assert headers["host"] == urlsplit(upstream.url).netloc
    assert headers["connection"] == "close"
    (seen,) = proxy.requests
    assert (seen.method, seen.path, seen.fault, seen.status, seen.client_disconnected) == (
        "GET",
        "/json?x=1",
        None,
        200,
        False,
    )
    assert seen.headers["x-custom"] == "abc"
    assert proxy.wait_upstream_closed(1)


def test_forwards_post_body_and_headers(proxy: FaultProxy, upstream: Upstream, client: httpx.Client) -> None:
    payload = json.dumps({"text": "héllo", "n": list(range(100))}).encode()
    r = client.post("/echo", content=payload, headers={"Content-Type": "application/json", "X-Custom": "v1"})
    assert (r.status_code, r.content, r.headers["x-echo-custom"]) == (201, payload, "v1")
    assert upstream.seen[0][3] == payload
    assert proxy.requests[0].body == payload


def test_chunked_request_body_is_forwarded(proxy: FaultProxy, upstream: Upstream, client: httpx.Client) -> None:
    r = client.post("/echo", content=iter([b"ab", b"cd", b"ef"]))
    assert r.content == b"abcdef"
    assert proxy.requests[0].headers["transfer-encoding"] == "chunked"
    assert upstream.seen[0][2]["content-length"] == "6"


def test_keep_alive_serves_requests_on_one_connection(proxy: FaultProxy, client: httpx.Client) -> None:
    first = client.get("/json?a")
    second = client.post("/echo", content=b"x")
    third = client.get("/sse?n=3")
    addresses = {r.extensions["network_stream"].get_extra_info("client_addr") for r in (first, second, third)}
    assert len(addresses) == 1
    assert (second.content, third.content) == (b"x", b"".join(sse_event(i) for i in range(3)))
    assert [s.path for s in proxy.requests] == ["/json?a", "/echo", "/sse?n=3"]


def test_streams_event_by_event(proxy: FaultProxy, client: httpx.Client) -> None:
    """Events reach the client as the upstream sends them (0.1 s apart), not when the stream ends."""
    start = time.monotonic()
    arrivals: list[tuple[float, bytes]] = []
    with client.stream("GET", "/sse?n=4&pause=0.1") as r:
        arrivals = [(time.monotonic() - start, data) for data in r.iter_raw()]
    assert b"".join(data for _, data in arrivals) == b"".join(sse_event(i) for i in range(4))
    assert arrivals[0][1] == sse_event(0)
    assert arrivals[0][0] < 0.25
    assert arrivals[-1][0] >= 0.3


def test_leaving_a_stream_closes_upstream(proxy: FaultProxy, upstream: Upstream, client: httpx.Client) -> None:
    with client.stream("GET", "/sse?n=200&pause=0.02") as r:
        lines = r.iter_lines()
        assert next(lines) == 'data: {"i": 0}'
        assert proxy.open_upstream() == 1
    assert proxy.wait_upstream_closed(2)
    assert upstream.stream_broken.wait(2)
    assert proxy.requests[0].client_disconnected is True


# -- faults --------------------------------------------------------------------------------------------


def test_respond_twice_then_forward(proxy: FaultProxy, upstream: Upstream, client: httpx.Client) -> None:
    fault = proxy.add(respond(503, body=b"busy", times=2))
    statuses = [client.get("/json").status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert [(s.fault, s.status) for s in proxy.requests] == [("respond", 503), ("respond", 503), (None, 200)]
    assert fault.uses == 2
    assert len(upstream.seen) == 1


def test_respond_429_passes_headers_and_body(proxy: FaultProxy, client: httpx.Client) -> None:
    proxy.add(respond(429, body=b'{"error":"slow down"}', headers={"Retry-After": "1"}, name="rate-limit"))
    r = client.get("/json")
    assert (r.status_code, r.headers["retry-after"], r.json()) == (429, "1", {"error": "slow down"})
    assert proxy.requests[0].fault == "rate-limit"


@pytest.mark.parametrize("size", [0, 7, 100_000], ids=["chunk-per-event", "7-byte-chunks", "one-chunk"])
@pytest.mark.parametrize(
    ("path", "separator", "item"), [("/sse", b"\n\n", sse_event), ("/records", b"\x1e", record)], ids=["sse", "rs"]
)
def test_cut_after_passes_exact_events_then_breaks(
    proxy: FaultProxy, client: httpx.Client, path: str, separator: bytes, item: Callable[[int], bytes], size: int
) -> None:
    proxy.add(cut_after(3, separator=separator))
    got = bytearray()
    with client.stream("GET", f"{path}?n=10&size={size}") as r, pytest.raises(httpx.RemoteProtocolError):
        assert r.status_code == 200
        read_raw(r, got)
    assert bytes(got) == item(0) + item(1) + item(2)
    assert proxy.requests[0].fault == "cut_after"
    assert proxy.wait_upstream_closed(1)


def test_cut_after_zero_cuts_after_headers(proxy: FaultProxy, client: httpx.Client) -> None:
    proxy.add(cut_after(0))
    got = bytearray()
    with client.stream("GET", "/sse") as r, pytest.raises(httpx.RemoteProtocolError):
        assert r.headers["content-type"] == "text/event-stream"
        read_raw(r, got)
    assert got == b""


def test_cut_after_closes_the_client_connection(proxy: FaultProxy, client: httpx.Client) -> None:
    proxy.add(cut_after(1))
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/sse?n=5")
    assert client.get("/json").status_code == 200  # a fresh connection works


def test_stall_after_times_out_and_closes_upstream(proxy: FaultProxy, upstream: Upstream) -> None:
    proxy.add(stall_after(2, seconds=5))
    got = bytearray()
    start = time.monotonic()
    with (
        httpx.Client(base_url=proxy.url, timeout=httpx.Timeout(5, read=0.5)) as c,
        c.stream("GET", "/sse?n=300&pause=0.01") as r,
    ):
        chunks = r.iter_raw()
        while len(got) < len(sse_event(0) + sse_event(1)):
            got += next(chunks)
        time.sleep(0.1)
        assert proxy.open_upstream() == 1  # stalling: the upstream stream is kept open
        with pytest.raises(httpx.ReadTimeout):
            for data in chunks:
                got += data
    assert bytes(got) == sse_event(0) + sse_event(1)
    assert proxy.wait_upstream_closed(2)
    assert time.monotonic() - start < 3  # did not wait for the 5 s stall
    seen = proxy.requests[0]
    assert (seen.fault, seen.client_disconnected) == ("stall_after", True)
    assert upstream.stream_broken.wait(2)


def test_stall_after_then_closes_the_connection(proxy: FaultProxy) -> None:
    proxy.add(stall_after(1, seconds=0.2, separator=b"\x1e"))
    got = bytearray()
    with httpx.Client(base_url=proxy.url, timeout=2) as c:
        start = time.monotonic()
        with c.stream("GET", "/records?n=5") as r, pytest.raises(httpx.RemoteProtocolError):
            read_raw(r, got)
        assert 0.2 <= time.monotonic() - start < 1.5
    assert bytes(got) == record(0)
    assert proxy.requests[0].client_disconnected is False


def test_trickle_is_slow_but_intact(proxy: FaultProxy, client: httpx.Client) -> None:
    proxy.add(trickle(bytes_per_second=50))
    start = time.monotonic()
    r = client.get("/bytes?n=20")
    assert time.monotonic() - start >= 0.3
    assert r.content == b"ABCDEFGHIJKLMNOPQRST"


def test_delay_then_forward(proxy: FaultProxy, client: httpx.Client) -> None:
    proxy.add(delay(0.3))
    start = time.monotonic()
    r = client.get("/json")
    assert time.monotonic() - start >= 0.3
    assert r.json()["ok"] is True
    assert proxy.requests[0].fault == "delay"


def test_refuse_gives_transport_error(proxy: FaultProxy, upstream: Upstream, client: httpx.Client) -> None:
    proxy.add(refuse())
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        client.get("/json")
    assert upstream.seen == []
    assert (proxy.requests[0].fault, proxy.requests[0].status) == ("refuse", None)
    assert client.get("/json").status_code == 200


def test_matching_by_method_path_and_times(proxy: FaultProxy, upstream: Upstream, client: httpx.Client) -> None:
    post_only = proxy.add(respond(500, method="post", path=r"^/echo\b", times=-1, name="post-echo"))
    once = proxy.add(respond(418, path=r"x=\d"))
    fallback = proxy.add(respond(502, path="/json", times=2))
    assert client.get("/echo").status_code == 404  # upstream: GET does not match the POST-only fault
    assert [client.post("/echo", content=b"a").status_code for _ in range(3)] == [500, 500, 500]
    assert client.get("/json?x=1").status_code == 418  # first matching fault wins ...
    assert client.get("/json?x=2").status_code == 502  # ... until it is spent, then the next one
    assert client.get("/json?x=3").status_code == 502
    assert client.get("/json?x=4").status_code == 200
    assert (post_only.uses, once.uses, fallback.uses) == (3, 1, 2)
    assert [s.fault for s in proxy.requests] == [None, *["post-echo"] * 3, "respond", "respond", "respond", None]
    assert [s[1] for s in upstream.seen] == ["/echo", "/json?x=4"]


def test_clear_removes_faults(proxy: FaultProxy, client: httpx.Client) -> None:
    proxy.add(respond(503, times=-1))
    assert client.get("/json").status_code == 503
    proxy.clear()
    assert client.get("/json").status_code == 200


def test_upstream_down_gives_502() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with FaultProxy(f"http://127.0.0.1:{port}") as proxy, httpx.Client(base_url=proxy.url) as c:
        assert c.get("/json").status_code == 502
        assert proxy.requests[0].status == 502


def test_exit_does_not_hang_on_open_streams(upstream: Upstream) -> None:
    proxy = FaultProxy(upstream.url).__enter__()
    proxy.add(stall_after(0, seconds=30))
    sock = socket.create_connection(("127.0.0.1", int(proxy.url.rsplit(":", 1)[1])), timeout=2)
    sock.sendall(b"GET /sse HTTP/1.1\r\nHost: x\r\n\r\n")
    assert sock.recv(4096).startswith(b"HTTP/1.1 200 OK\r\n")
    assert proxy.open_upstream() == 1
    start = time.monotonic()
    proxy.__exit__(None, None, None)
    assert time.monotonic() - start < 2
    assert proxy.open_upstream() == 0
    assert sock.recv(4096) == b""  # the proxy closed the client connection
    sock.close()
