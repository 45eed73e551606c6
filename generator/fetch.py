"""Every HTTP GET the generator makes (the spec, remote ``$ref`` documents, ``/system/packages``).

A URL is input like a file, and the server behind it may be hostile, so each fetch:

* sends the user's ``--header`` values only to the origins they are for (scheme, host and
  port: the spec's own), and never again in a redirect chain once it has left them: a
  redirect to another origin (or from https to http) goes there without them;
* follows at most ``MAX_REDIRECTS`` redirects, to http(s) URLs only;
* reads the body as a stream and stops as soon as it is over ``max_bytes``, counted *after*
  decompression (the gzip or deflate is undone here, a bounded piece at a time, so a "gzip
  bomb" costs at most the limit), and the bytes on the wire count too;
* ends at a deadline for the whole exchange (connecting, redirects, headers and body), not
  per read: a server trickling a byte every few seconds is cut off at the deadline.

Errors are ``CodegenError`` located at the URL: ``TooBig``, ``BadStatus`` (any answer but
200), and one line for everything else (refused connection, timeout, broken encoding).
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import urljoin, urlsplit

from .errors import CodegenError

DEADLINE = 120.0  # seconds for one fetch, redirects included (the spec and each document it refers to)
CONNECT_TIMEOUT = 10.0
MAX_REDIRECTS = 10
CHUNK = 64 * 1024  # decompressed bytes produced at a time
RAISE_IT = " (raise it with --max-spec-size MB)"
_REDIRECTS = (301, 302, 303, 307, 308)
_DEFAULT_PORTS = {"http": 80, "https": 443}

Origin = tuple[str, str, int]


def megabytes(count: int) -> str:
    return f"{count / (1024 * 1024):g} MB"


class TooBig(CodegenError):
    """A file or a response over the size limit (refused before or while reading it)."""

    def __init__(self, where: str, what: str, max_bytes: int, size: int | None = None, hint: str = RAISE_IT) -> None:
        self.kind = what
        self.size = size
        measured = f" {size} bytes," if size is not None else ""
        super().__init__(where, f"{what} is{measured} over the limit of {megabytes(max_bytes)}{hint}")


class BadStatus(CodegenError):
    """The server answered, but not with 200."""

    def __init__(self, where: str, status: int, note: str = "", spec: bool = False) -> None:
        self.status = status
        self.note = note
        hint = " (does the server need --header 'Authorization: Bearer ...'?)" if status in (401, 403) else ""
        if spec:  # the document asked for on the command line: say what the answer may mean
            super().__init__(where, f"HTTP {status}{_phrase(status)}{note}{hint or spec_url_hint(where, status)}")
        else:
            super().__init__(where, f"HTTP {status}{hint}{note}")

    def for_spec(self) -> BadStatus:
        """The same answer to the spec's own URL, with a hint about that URL."""
        return BadStatus(self.where, self.status, self.note, spec=True)


def _phrase(status: int) -> str:
    try:
        return f" {HTTPStatus(status).phrase}"
    except ValueError:
        return ""


def spec_url_hint(url: str, status: int) -> str:
    """Why a spec URL may have failed: the wrong path (a Mastra server has one), or the server itself."""
    parts = urlsplit(url)
    served = f"{parts.scheme}://{parts.netloc}/api/openapi.json"
    if status in (404, 405, 410):
        if url.split("?", 1)[0].rstrip("/") == served:
            return "; the server has no document there: is it a Mastra server, and is its API under /api?"
        return f"; is this the document's URL? A Mastra server serves it at {served}"
    if status >= 500:
        return "; the server failed to answer it: see the server's log"
    return ""


@dataclass(frozen=True)
class Answer:
    url: str  # where the body came from, after redirects
    body: bytes  # decompressed
    content_type: str


def origin(url: str) -> Origin:
    """``(scheme, host, port)``, the unit the user's headers are scoped to (RFC 6454)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # not a URL (a bad port or IPv6 address): no origin the headers are for
        return "", "", 0
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme, 0)


def get(
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    origins: Collection[Origin] | None = None,
    max_bytes: int,
    deadline: float | None = None,
    hint: str = RAISE_IT,
    transport: Any = None,
) -> Answer:
    """GET ``url`` within the limits above; ``headers`` go only to ``origins`` (default: the URL's own).

    The exchange runs in a worker thread so that the deadline holds whatever the server does;
    past it the worker is abandoned (it stops at its next read, which is itself bounded).
    """
    allowed = {origin(url)} if origins is None else set(origins)
    limit = DEADLINE if deadline is None else deadline
    outcome: dict[str, Any] = {}
    done = threading.Event()
    cancelled = threading.Event()

    def work() -> None:
        try:
            outcome["answer"] = _get(url, dict(headers or {}), allowed, max_bytes, limit, hint, transport, cancelled)
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc
        finally:
            done.set()

    worker = threading.Thread(target=work, name=f"mastra-codegen GET {url}", daemon=True)
    worker.start()
    try:
        finished = done.wait(limit)
    finally:
        cancelled.set()  # also on Ctrl-C: the worker stops reading
    if not finished:
        raise CodegenError(url, f"no complete answer within {limit:g} s (a server sending too slowly?)")
    if "error" in outcome:
        raise outcome["error"]
    answer: Answer = outcome["answer"]
    return answer


class _Cancelled(Exception):
    pass


def _get(
    url: str,
    headers: dict[str, str],
    allowed: set[Origin],
    max_bytes: int,
    deadline: float,
    hint: str,
    transport: Any,
    cancelled: threading.Event,
) -> Answer:
    import httpx  # only needed for URLs

    per_read = min(60.0, deadline)  # the worker's own reads end soon after an abandoned deadline
    timeout = httpx.Timeout(per_read, connect=min(CONNECT_TIMEOUT, deadline))
    current = url
    trusted = True  # every URL of the chain so far is one the headers are for
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False, transport=transport) as client:
            for _ in range(MAX_REDIRECTS + 1):
                trusted = trusted and origin(current) in allowed
                mine = {k: v for k, v in headers.items() if k.lower() != "accept-encoding"} if trusted else {}
                sent = {**mine, "Accept-Encoding": "gzip, deflate"}  # the only ones decoded here
                with client.stream("GET", current, headers=sent) as response:
                    location = response.headers.get("location")
                    if response.status_code in _REDIRECTS and location:
                        current = _redirect_target(url, current, location)
                        continue
                    note = f" (redirected to {current})" if current != url else ""
                    if response.status_code != 200:
                        raise BadStatus(url, response.status_code, note)
                    body = _read_body(url, response, max_bytes, hint, cancelled)
                    return Answer(current, body, response.headers.get("content-type", ""))
    except CodegenError:
        raise
    except _Cancelled:
        raise CodegenError(url, "cancelled") from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise CodegenError(url, f"cannot fetch: {str(exc) or type(exc).__name__}") from None
    except zlib.error as exc:
        raise CodegenError(url, f"the compressed answer is corrupt: {exc}") from None
    raise CodegenError(url, f"more than {MAX_REDIRECTS} redirects")


def _redirect_target(url: str, current: str, location: str) -> str:
    target = urljoin(current, location.strip())
    if urlsplit(target).scheme not in ("http", "https"):
        raise CodegenError(url, f"redirected to {target!r}: only http(s) URLs are followed")
    return target


def _read_body(url: str, response: Any, max_bytes: int, hint: str, cancelled: threading.Event) -> bytes:
    encodings = [e.strip().lower() for e in response.headers.get("content-encoding", "").split(",")]
    encodings = [e for e in encodings if e and e != "identity"]
    if len(encodings) > 1 or (encodings and encodings[0] not in ("gzip", "x-gzip", "deflate")):
        raise CodegenError(url, f"unsupported Content-Encoding {response.headers['content-encoding']!r}")
    declared = response.headers.get("content-length", "")
    if not encodings and declared.isdigit() and int(declared) > max_bytes:  # refused before reading the body
        raise TooBig(url, "response", max_bytes, int(declared), hint)
    received = 0

    def raw() -> Iterator[bytes]:
        nonlocal received
        for chunk in response.iter_raw():
            if cancelled.is_set():
                raise _Cancelled
            received += len(chunk)
            if received > max_bytes:  # on the wire (endless empty deflate blocks decompress to nothing)
                raise TooBig(url, "response", max_bytes, None, hint)
            yield chunk

    chunks: list[bytes] = []
    total = 0
    for piece in inflate(raw(), encodings[0] if encodings else ""):
        total += len(piece)
        if total > max_bytes:
            raise TooBig(url, "response once decompressed" if encodings else "response", max_bytes, None, hint)
        chunks.append(piece)
    return b"".join(chunks)


def inflate(chunks: Iterable[bytes], encoding: str) -> Iterator[bytes]:
    """The decoded bytes of a ``gzip`` or ``deflate`` body, at most ``CHUNK`` at a time (bounded memory)."""
    if not encoding:
        yield from chunks
        return
    gzip = encoding in ("gzip", "x-gzip")
    decoder: Any = None
    wbits = zlib.MAX_WBITS | 16
    head = b""
    for chunk in chunks:
        data = head + chunk
        if decoder is None:
            if not gzip and len(data) < 2:
                head = data
                continue
            if not gzip:  # zlib data (RFC 9110), or raw deflate as some servers send: tell by the header
                zlib_header = data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
                wbits = zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS
            decoder = zlib.decompressobj(wbits)
            head = b""
        while True:
            if decoder.eof:
                if not gzip or not data.strip(b"\0"):
                    break  # what follows the end of the stream is ignored
                decoder = zlib.decompressobj(wbits)  # a gzip body may hold several members
            out = decoder.decompress(data, CHUNK)
            if out:
                yield out
            data = decoder.unused_data if decoder.eof else decoder.unconsumed_tail
            if not data and (decoder.eof or len(out) < CHUNK):
                break  # this input is used up, and zlib holds no more output for it
    if head:
        raise zlib.error("a deflate body of one byte")
