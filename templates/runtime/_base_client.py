"""HTTP core behind the generated clients: URLs, headers, JSON bodies, retries, errors.

``SyncAPIClient`` and ``AsyncAPIClient`` share one surface; everything that does not
perform I/O lives in ``_BaseClient`` so the two stay in step.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import json
import logging
import random
import re
import sys
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from datetime import datetime, timezone
from types import TracebackType
from typing import Any, Generic, TypeVar

import httpx

from ._bodies import RequestContent
from ._encoding import EncodedQueryValue, to_jsonable
from ._errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    ResponseTooLargeError,
    make_status_error,
)
from ._logging import setup_logging
from ._raw import claim_streaming, hand_over, record_response
from ._redact import (
    SECRETS_KEY,
    LogScrubber,
    is_secret_name,
    redact_headers,
    redact_url,
    remember_secrets,
    scrub,
    secret_forms,
    secrets_of,
)
from ._server_version import PACKAGES_PATH, ServerVersionCheck, parse_packages, warn_once
from ._types import (
    DEFAULT_IDLE_TIMEOUT,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    NOT_GIVEN,
    NotGiven,
    TimeoutTypes,
)

__all__ = ["AsyncAPIClient", "SyncAPIClient", "check_header", "default_user_agent", "is_transient"]

# Named after the generated package (``mastra_client``), not after this module.
log = logging.getLogger(__name__.split(".")[0])
if not any(isinstance(f, LogScrubber) for f in log.filters):
    log.addFilter(LogScrubber())


# Methods whose repetition cannot do anything twice (RFC 9110 idempotent methods).
_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# Raised before any byte of the request left this machine, so repeating is always safe.
_NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Mistakes on our side that fail the same way every time.
_PERMANENT_ERRORS = (httpx.UnsupportedProtocol, httpx.LocalProtocolError)

# Error bodies are kept up to this much (or max_response_bytes if smaller): they are for messages.
_MAX_ERROR_BODY = 1024 * 1024

_INITIAL_RETRY_DELAY = 0.5
_MAX_RETRY_DELAY = 8.0
_MAX_RETRY_AFTER = 60.0

_HttpxClientT = TypeVar("_HttpxClientT", httpx.Client, httpx.AsyncClient)
_SyncClientT = TypeVar("_SyncClientT", bound="SyncAPIClient")
_AsyncClientT = TypeVar("_AsyncClientT", bound="AsyncAPIClient")


def is_transient(error: APIError) -> bool:
    """A failure that may pass if the request is sent again: a dropped connection, 408, 429, 5xx."""
    if isinstance(error, APIStatusError):
        return error.status_code in _RETRY_STATUSES
    return isinstance(error, APIConnectionError)


def default_user_agent(package: str, version: str) -> str:
    """``mastra_client/0.1.0 (python 3.12.3; httpx 0.28.1)``: which client, for the server's logs."""
    python = ".".join(str(part) for part in sys.version_info[:3])
    return f"{package}/{version} (python {python}; httpx {httpx.__version__})"


def _normalize_base_url(base_url: str) -> str:
    text = base_url.strip().rstrip("/")
    try:
        url = httpx.URL(text)
    except httpx.InvalidURL as exc:
        raise ValueError(f"invalid base_url: {exc}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"base_url must be an absolute http(s) URL, got {redact_url(url)!r}")
    if url.query or url.fragment:
        raise ValueError("base_url must not contain a query string or fragment")
    return text


def _normalize_api_prefix(api_prefix: str) -> str:
    for forbidden in ("..", "?", "#"):
        if forbidden in api_prefix:
            raise ValueError(f"api_prefix must not contain {forbidden!r}, got {api_prefix!r}")
    stripped = api_prefix.strip().strip("/")
    return f"/{stripped}" if stripped else ""


def _check_max_retries(max_retries: int) -> int:
    if max_retries < 0:
        raise ValueError(f"max_retries must be >= 0, got {max_retries}")
    return max_retries


def _check_max_response_bytes(limit: int | None) -> int | None:
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0):
        raise ValueError(f"max_response_bytes must be a positive int or None, got {limit!r}")
    return limit


_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# Control characters (a tab is allowed): a line break would end the header, or split the request.
_HEADER_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def check_header(name: object, value: object, where: str = "") -> str:
    """``value`` if it can be sent as header ``name``; else a ``TypeError``/``ValueError`` naming the
    header, never quoting the value (it may be a credential)."""
    if not isinstance(name, str) or not _HEADER_NAME.fullmatch(name):
        raise ValueError(f"{name!r}{where} is not a valid HTTP header name")
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if not isinstance(value, str):
        raise TypeError(f"header {name!r}{where}: the value must be a str, got {type(value).__name__}")
    if _HEADER_CONTROL.search(value):
        raise ValueError(
            f"header {name!r}{where}: the value contains a line break or another control character "
            "(the value is not shown); remove it (e.g. .strip() a value read from a file)"
        )
    if not value.isascii():
        raise ValueError(
            f"header {name!r}{where}: the value has non-ASCII characters, which HTTP headers cannot carry "
            "(the value is not shown); encode it first (e.g. percent-encoding)"
        )
    return value


def _check_headers(headers: Mapping[str, object] | None, where: str) -> dict[str, str]:
    return {name: check_header(name, value, where) for name, value in (headers or {}).items()}


def _check_api_key(api_key: str | None) -> str | None:
    """The key with whitespace at its ends stripped (a key read from a file or a Kubernetes secret
    often ends with a newline); a key with other control or non-ASCII characters is refused."""
    if api_key is None:
        return None
    if not isinstance(api_key, str):
        raise TypeError(f"api_key must be a str, got {type(api_key).__name__}")
    stripped = api_key.strip()
    if _HEADER_CONTROL.search(stripped) or not stripped.isascii():
        raise ValueError(
            "api_key contains a line break, another control character or a non-ASCII character "
            "(the key is not shown): it cannot be sent in the Authorization header"
        )
    return stripped or None


def _check_idle_timeout(idle_timeout: float | None) -> float | None:
    if idle_timeout is not None and not idle_timeout > 0:
        raise ValueError(f"idle_timeout must be > 0 or None, got {idle_timeout}")
    return idle_timeout


def _encode_json(body: object) -> bytes:
    return json.dumps(body, separators=(",", ":"), allow_nan=False, default=to_jsonable).encode()


def _query_pair(key: str, value: str) -> str:
    """One ``key=value`` of a query string; an ``EncodedQueryValue`` is written as it is."""
    if isinstance(value, EncodedQueryValue):
        return f"{httpx.QueryParams({key: ''})}{value}"
    return str(httpx.QueryParams({key: value}))


def _retry_after(headers: httpx.Headers) -> float | None:
    """Seconds the server asked us to wait (``retry-after-ms`` or ``Retry-After``), if any."""
    milliseconds = headers.get("retry-after-ms")
    if milliseconds:
        try:
            return float(milliseconds) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _read_limited(response: httpx.Response, limit: int | None, *, error_body: bool) -> bool:
    """Read the body into ``response.content``, counting decompressed bytes; ``True`` if truncated.

    Past ``limit``, an error body (``error_body``) is kept cut at the limit, any other body
    raises ``ResponseTooLargeError``: never more than the limit plus one read is held.
    """
    if error_body:
        limit = _MAX_ERROR_BODY if limit is None else min(limit, _MAX_ERROR_BODY)
    if limit is None:
        response.read()
        return False
    pieces: list[bytes] = []
    size = 0
    for piece in response.iter_bytes():
        size += len(piece)
        if size > limit:
            response.close()
            if not error_body:
                raise ResponseTooLargeError("response body", size=size, limit=limit, request=response.request)
            pieces.append(piece[: len(piece) - (size - limit)])
            response._content = b"".join(pieces)
            return True
        pieces.append(piece)
    response._content = b"".join(pieces)
    return False


async def _aread_limited(response: httpx.Response, limit: int | None, *, error_body: bool) -> bool:
    """The asyncio version of ``_read_limited``."""
    if error_body:
        limit = _MAX_ERROR_BODY if limit is None else min(limit, _MAX_ERROR_BODY)
    if limit is None:
        await response.aread()
        return False
    pieces: list[bytes] = []
    size = 0
    async for piece in response.aiter_bytes():
        size += len(piece)
        if size > limit:
            await response.aclose()
            if not error_body:
                raise ResponseTooLargeError("response body", size=size, limit=limit, request=response.request)
            pieces.append(piece[: len(piece) - (size - limit)])
            response._content = b"".join(pieces)
            return True
        pieces.append(piece)
    response._content = b"".join(pieces)
    return False


def _connection_error(exc: httpx.TransportError, request: httpx.Request) -> APIConnectionError:
    target = f"{request.method} {redact_url(request.url)}"
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"Request timed out: {target}", request=request)
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return APIConnectionError(f"Connection error: {target} ({detail})", request=request)


class _BaseClient(Generic[_HttpxClientT]):
    """Configuration, request building and retry policy; no I/O."""

    _random: Callable[[], float]

    @property
    def _client(self) -> _HttpxClientT:  # created lazily by each subclass
        raise NotImplementedError

    def __init__(
        self,
        *,
        base_url: str,
        api_prefix: str,
        api_key: str | None,
        headers: Mapping[str, str] | None,
        timeout: TimeoutTypes,
        max_retries: int,
        user_agent: str,
        idle_timeout: float | None,
        check_server_version: bool = False,
        strict_response_validation: bool = False,
        max_response_bytes: int | None = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        setup_logging()  # MASTRA_LOG, and httpx's request line redacted
        self._base_url = _normalize_base_url(base_url)
        self._api_prefix = _normalize_api_prefix(api_prefix)
        self._api_key = _check_api_key(api_key)
        self._custom_headers = _check_headers(headers, "")
        check_header("User-Agent", user_agent, " (user_agent)")
        self._max_response_bytes = _check_max_response_bytes(max_response_bytes)
        self._timeout = timeout
        self._idle_timeout = _check_idle_timeout(idle_timeout)
        self._max_retries = _check_max_retries(max_retries)
        self._user_agent = user_agent
        self._check_server_version = check_server_version
        self._strict_response_validation = strict_response_validation
        # Checked once, before the first request, when asked for and there is something to compare.
        self._version_check_pending = check_server_version and bool(self._generated_from)
        self._version_lock = threading.Lock()
        self._random = random.random  # injectable for tests: the jitter source
        default_headers = httpx.Headers({"Accept": "application/json", "User-Agent": user_agent})
        if self._api_key:
            default_headers["Authorization"] = f"Bearer {self._api_key}"
        self._default_headers = default_headers
        # The values scrubbed from errors and logs: the key as given (a trailing newline too)
        # and every header of the client whose name looks secret.
        secrets: set[str] = secret_forms(api_key) if isinstance(api_key, str) else set()
        own: list[tuple[str, str]] = list(default_headers.items()) + list(self._custom_headers.items())
        for header, text in own:
            if is_secret_name(header):
                secrets |= secret_forms(text)
        self._secrets: frozenset[str] = frozenset(secrets)

    @property
    def base_url(self) -> str:
        """Server root without trailing slash, e.g. ``http://localhost:4111``."""
        return self._base_url

    @property
    def api_prefix(self) -> str:
        """Mount point of the API routes, e.g. ``/api`` (``""`` when mounted at the root)."""
        return self._api_prefix

    @property
    def timeout(self) -> TimeoutTypes:
        return self._timeout

    @property
    def max_retries(self) -> int:
        return self._max_retries

    @property
    def max_response_bytes(self) -> int | None:
        """The largest answer read whole, error body kept or stream event, in bytes (``None``: no limit)."""
        return self._max_response_bytes

    def _resolve_max_response_bytes(self, limit: int | None | NotGiven) -> int | None:
        if isinstance(limit, NotGiven):
            return self._max_response_bytes
        return _check_max_response_bytes(limit)

    @property
    def idle_timeout(self) -> float | None:
        """Seconds a stream may go without an event; ``None``: no limit."""
        return self._idle_timeout

    @property
    def strict_response_validation(self) -> bool:
        """Whether an answer that does not fit its model raises (``True``) or is kept leniently."""
        return self._strict_response_validation

    def strict_for(self, strict_response_validation: bool | NotGiven) -> bool:
        """A call's own ``strict_response_validation`` if it gave one, else the client's."""
        if isinstance(strict_response_validation, NotGiven):
            return self._strict_response_validation
        return strict_response_validation

    _http: _HttpxClientT | None
    _closed = False
    # The @mastra/* package versions the client was generated from (set by the generated client).
    _generated_from: Mapping[str, str] = {}

    def _claim_version_check(self) -> bool:
        """True for exactly one caller, even when several threads send their first request at once."""
        with self._version_lock:
            pending, self._version_check_pending = self._version_check_pending, False
        return pending

    def _version_check(self, response: httpx.Response) -> ServerVersionCheck:
        try:
            answer = response.json()
        except ValueError:
            answer = None
        check = ServerVersionCheck(dict(self._generated_from), parse_packages(answer), self._base_url)
        warn_once(check)
        return check

    @property
    def is_closed(self) -> bool:
        return self._closed or (self._http is not None and self._http.is_closed)

    def __repr__(self) -> str:
        # The API key is deliberately absent.
        name = type(self).__name__
        return f"{name}(base_url={self._base_url!r}, api_prefix={self._api_prefix!r})"

    def _copy_kwargs(
        self,
        *,
        base_url: str | NotGiven,
        api_prefix: str | NotGiven,
        api_key: str | None | NotGiven,
        headers: Mapping[str, str] | NotGiven,
        timeout: TimeoutTypes | NotGiven,
        max_retries: int | NotGiven,
        user_agent: str | NotGiven,
        idle_timeout: float | None | NotGiven,
        check_server_version: bool | NotGiven = NOT_GIVEN,
        strict_response_validation: bool | NotGiven = NOT_GIVEN,
        max_response_bytes: int | None | NotGiven = NOT_GIVEN,
    ) -> dict[str, Any]:
        merged_headers = dict(self._custom_headers)
        if not isinstance(headers, NotGiven):
            merged_headers.update(headers)
        return {
            "base_url": self._base_url if isinstance(base_url, NotGiven) else base_url,
            "api_prefix": self._api_prefix if isinstance(api_prefix, NotGiven) else api_prefix,
            "api_key": self._api_key if isinstance(api_key, NotGiven) else api_key,
            "headers": merged_headers,
            "timeout": self._timeout if isinstance(timeout, NotGiven) else timeout,
            "max_retries": self._max_retries if isinstance(max_retries, NotGiven) else max_retries,
            "user_agent": self._user_agent if isinstance(user_agent, NotGiven) else user_agent,
            "idle_timeout": self._idle_timeout if isinstance(idle_timeout, NotGiven) else idle_timeout,
            "check_server_version": (
                self._check_server_version if isinstance(check_server_version, NotGiven) else check_server_version
            ),
            "strict_response_validation": self.strict_for(strict_response_validation),
            "max_response_bytes": (
                self._max_response_bytes if isinstance(max_response_bytes, NotGiven) else max_response_bytes
            ),
        }

    def _build_request(
        self,
        method: str,
        path: str,
        *,
        query: Sequence[tuple[str, str]] | None,
        json_body: object,
        headers: Mapping[str, str] | None,
        timeout: TimeoutTypes | NotGiven,
    ) -> httpx.Request:
        if not path.startswith("/"):
            path = f"/{path}"
        request_headers = self._default_headers.copy()
        content: bytes | None = None
        files: list[tuple[str, tuple[str | None, Any, str | None]]] | None = None
        if isinstance(json_body, RequestContent):  # a form, a multipart upload or raw bytes
            if json_body.parts is not None:
                files = list(json_body.parts)  # httpx writes the parts and the boundary
                if not files:
                    content = b"--empty--\r\n"
                    request_headers["Content-Type"] = "multipart/form-data; boundary=empty"
            else:
                content = json_body.content
                request_headers["Content-Type"] = json_body.content_type
        elif not isinstance(json_body, NotGiven):
            content = _encode_json(json_body)
            request_headers["Content-Type"] = "application/json"
        request_headers.update(self._custom_headers)
        if headers:
            request_headers.update(_check_headers(headers, " (in this call's headers)"))
        secrets: set[str] = set(self._secrets)
        for name, value in (headers or {}).items():
            if is_secret_name(name):
                secrets |= secret_forms(value)
        url = f"{self._base_url}{self._api_prefix}{path}"
        params: tuple[tuple[str, str], ...] | None = tuple(query) if query else None
        if params and any(isinstance(value, EncodedQueryValue) for _, value in params):
            url += "?" + "&".join(_query_pair(key, value) for key, value in params)
            params = None
        remember_secrets(secrets)  # for the log filter: a log record has no request to ask
        return self._client.build_request(
            method.upper(),
            url,
            params=params,
            content=content,
            files=files or None,
            headers=request_headers,
            timeout=self._timeout if isinstance(timeout, NotGiven) else timeout,
            extensions={SECRETS_KEY: tuple(sorted(secrets, key=len, reverse=True))},
        )

    def _resolve_max_retries(self, max_retries: int | NotGiven) -> int:
        if isinstance(max_retries, NotGiven):
            return self._max_retries
        return _check_max_retries(max_retries)

    def _retry_delay(
        self,
        request: httpx.Request,
        *,
        attempt: int,
        max_retries: int,
        retry_unsafe: bool,
        response: httpx.Response | None = None,
        error: httpx.TransportError | None = None,
    ) -> float | None:
        """Seconds to wait before the next attempt, or ``None`` when not retrying."""
        if attempt >= max_retries:
            return None
        repeatable = retry_unsafe or request.method in _IDEMPOTENT_METHODS
        if error is not None:
            if isinstance(error, _PERMANENT_ERRORS):
                return None
            if not (repeatable or isinstance(error, _NOT_SENT_ERRORS)):
                return None
            reason = type(error).__name__
        elif response is not None and repeatable and response.status_code in _RETRY_STATUSES:
            reason = f"status {response.status_code}"
        else:
            return None
        delay: float | None = None
        if response is not None:
            hinted = _retry_after(response.headers)
            if hinted is not None and 0 <= hinted < _MAX_RETRY_AFTER:
                delay = hinted
        if delay is None:
            backoff = min(_INITIAL_RETRY_DELAY * 2**attempt, _MAX_RETRY_DELAY)
            delay = backoff * (1 - 0.25 * self._random())
        log.debug(
            "Retrying %s %s in %.2f s after %s (retry %d of %d)",
            request.method,
            redact_url(request.url),
            delay,
            reason,
            attempt + 1,
            max_retries,
        )
        return delay


def _log_request(request: httpx.Request) -> None:
    if log.isEnabledFor(logging.DEBUG):
        log.debug(
            "HTTP request: %s %s headers=%s",
            request.method,
            redact_url(request.url),
            redact_headers(request.headers.multi_items()),
        )


def _log_response(response: httpx.Response, started: float) -> None:
    if log.isEnabledFor(logging.DEBUG):
        secrets = secrets_of(response.request)
        log.debug(
            "HTTP response: %s %s -> %d %s in %.0f ms headers=%s",
            response.request.method,
            redact_url(response.request.url),
            response.status_code,
            scrub(response.reason_phrase, secrets),
            (time.monotonic() - started) * 1000,
            redact_headers(response.headers.multi_items(), secrets),
        )


def _body_deadline(request: httpx.Request, started: float) -> float | None:
    """When a whole (non-streaming) answer must have arrived: ``started`` + the read timeout.

    httpx's read timeout bounds each socket read, so a server that trickles one byte at a
    time would never trip it; this turns it into a bound on the whole answer.
    """
    timeouts = request.extensions.get("timeout")
    read = timeouts.get("read") if isinstance(timeouts, dict) else None
    return None if read is None else started + float(read)


def _deadline_error(request: httpx.Request) -> httpx.ReadTimeout:
    return httpx.ReadTimeout("the response body did not arrive within the read timeout", request=request)


class _DeadlineStream(httpx.SyncByteStream):
    """A response body that raises ``httpx.ReadTimeout`` once its deadline has passed."""

    def __init__(self, inner: httpx.SyncByteStream, request: httpx.Request, deadline: float) -> None:
        self._inner, self._request, self._deadline = inner, request, deadline

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            if time.monotonic() > self._deadline:
                raise _deadline_error(self._request)
            yield chunk

    def close(self) -> None:
        self._inner.close()


class _AsyncDeadlineStream(httpx.AsyncByteStream):
    """The asyncio version of ``_DeadlineStream``."""

    def __init__(self, inner: httpx.AsyncByteStream, request: httpx.Request, deadline: float) -> None:
        self._inner, self._request, self._deadline = inner, request, deadline

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            if time.monotonic() > self._deadline:
                raise _deadline_error(self._request)
            yield chunk

    async def aclose(self) -> None:
        await self._inner.aclose()


class SyncAPIClient(_BaseClient[httpx.Client]):
    """Blocking HTTP core. Subclasses must keep these keyword arguments (see ``with_options``)."""

    _sleep: Callable[[float], None]

    def __init__(
        self,
        *,
        base_url: str,
        api_prefix: str = "/api",
        api_key: str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.Client | None = None,
        user_agent: str = "mastra-python",
        idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
        check_server_version: bool = False,
        strict_response_validation: bool = False,
        max_response_bytes: int | None = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        super().__init__(
            base_url=base_url,
            api_prefix=api_prefix,
            api_key=api_key,
            headers=headers,
            timeout=timeout,
            max_retries=max_retries,
            user_agent=user_agent,
            idle_timeout=idle_timeout,
            check_server_version=check_server_version,
            strict_response_validation=strict_response_validation,
            max_response_bytes=max_response_bytes,
        )
        self._owns_client = http_client is None
        # Created on first use: building an SSL context costs ~100 ms, and constructing a
        # client should be free (it is often done at import time of the user's module).
        self._http: httpx.Client | None = http_client
        self._sleep = time.sleep  # injectable for tests

    @property
    def _client(self) -> httpx.Client:
        if self._http is None:
            if self._closed:
                raise RuntimeError("this client is closed")
            self._http = httpx.Client(timeout=self._timeout)
        return self._http

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Sequence[tuple[str, str]] | None = None,
        json_body: object = NOT_GIVEN,
        headers: Mapping[str, str] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        retry_unsafe: bool = False,
        max_response_bytes: int | None | NotGiven = NOT_GIVEN,
    ) -> httpx.Response:
        """Send a request and return the fully read response; raise a typed error on >= 400.

        ``path`` is appended to ``base_url + api_prefix``; path parameters must already be
        encoded (``path_param``). ``json_body`` is sent as JSON, unless it is a
        ``RequestContent`` (a form, a multipart upload or raw bytes: ``build_form``,
        ``build_multipart``, ``raw_body``). ``retry_unsafe`` allows retrying a
        non-idempotent method.
        """
        request = self._build_request(method, path, query=query, json_body=json_body, headers=headers, timeout=timeout)
        retries = self._resolve_max_retries(max_retries)
        limit = self._resolve_max_response_bytes(max_response_bytes)
        capture = claim_streaming()
        if capture is not None:  # client.with_streaming_response: the body is the caller's to read
            raise hand_over(
                capture, self._send(request, stream=True, max_retries=retries, retry_unsafe=retry_unsafe, limit=limit)
            )
        return self._send(request, stream=False, max_retries=retries, retry_unsafe=retry_unsafe, limit=limit)

    def stream(
        self,
        method: str,
        path: str,
        *,
        query: Sequence[tuple[str, str]] | None = None,
        json_body: object = NOT_GIVEN,
        headers: Mapping[str, str] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        retry_unsafe: bool = False,
        max_response_bytes: int | None | NotGiven = NOT_GIVEN,
    ) -> contextlib.AbstractContextManager[httpx.Response]:
        """Open a streaming response, sent on ``__enter__`` and closed on ``__exit__``.

        The status is checked before the body is handed out (>= 400 raises the typed
        error), so retries only happen before any of the body was consumed. Transport
        errors while reading inside the block surface as ``APIConnectionError``.
        """
        request = self._build_request(method, path, query=query, json_body=json_body, headers=headers, timeout=timeout)
        retries = self._resolve_max_retries(max_retries)
        limit = self._resolve_max_response_bytes(max_response_bytes)
        return self._stream(request, max_retries=retries, retry_unsafe=retry_unsafe, limit=limit)

    @contextlib.contextmanager
    def _stream(
        self, request: httpx.Request, *, max_retries: int, retry_unsafe: bool, limit: int | None
    ) -> Iterator[httpx.Response]:
        response = self._send(request, stream=True, max_retries=max_retries, retry_unsafe=retry_unsafe, limit=limit)
        try:
            yield response
        except httpx.TransportError as exc:
            raise _connection_error(exc, request) from exc
        finally:
            response.close()

    def check_server_version(self) -> ServerVersionCheck:
        """Compare the server's ``@mastra/*`` versions with the ones this client was generated from.

        Warns once (``ServerVersionWarning``) when they differ; ``.matches`` is ``None`` when
        there is nothing to compare. Errors of the request itself are raised as usual.
        """
        self._version_check_pending = False
        return self._version_check(self.request("GET", PACKAGES_PATH))

    def _send(
        self,
        request: httpx.Request,
        *,
        stream: bool,
        max_retries: int,
        retry_unsafe: bool,
        limit: int | None = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> httpx.Response:
        if self._version_check_pending and self._claim_version_check():
            try:
                self.check_server_version()
            except APIError as exc:  # the user's own request must not fail because of the check
                log.warning("could not check the server's version: %s", exc)
        attempt = 0
        while True:
            _log_request(request)
            started = time.monotonic()
            try:
                # Never following redirects: a credential must not travel to another origin.
                response = self._client.send(request, stream=True, follow_redirects=False)
                truncated = False
                if not stream or response.status_code >= 300:
                    # The whole body, read here so a broken or too slow body is retried like
                    # any transport error (and an error body gives the error its message).
                    deadline = _body_deadline(request, started)
                    if deadline is not None and isinstance(response.stream, httpx.SyncByteStream):
                        response.stream = _DeadlineStream(response.stream, request, deadline)
                    try:
                        truncated = _read_limited(response, limit, error_body=response.status_code >= 300)
                    except BaseException:
                        response.close()
                        raise
            except httpx.TransportError as exc:
                delay = self._retry_delay(
                    request,
                    attempt=attempt,
                    max_retries=max_retries,
                    retry_unsafe=retry_unsafe,
                    error=exc,
                )
                if delay is None:
                    raise _connection_error(exc, request) from exc
            else:
                _log_response(response, started)
                if response.status_code < 300:
                    record_response(response)
                    return response
                response.close()
                delay = self._retry_delay(
                    request,
                    attempt=attempt,
                    max_retries=max_retries,
                    retry_unsafe=retry_unsafe,
                    response=response,
                )
                if delay is None:
                    raise make_status_error(response, truncated=truncated)
            self._sleep(delay)
            attempt += 1

    def close(self) -> None:
        """Close the underlying ``httpx.Client`` if this object created it."""
        self._closed = True
        if self._owns_client and self._http is not None:
            self._http.close()

    def __enter__(self: _SyncClientT) -> _SyncClientT:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def with_options(
        self: _SyncClientT,
        *,
        base_url: str | NotGiven = NOT_GIVEN,
        api_prefix: str | NotGiven = NOT_GIVEN,
        api_key: str | None | NotGiven = NOT_GIVEN,
        headers: Mapping[str, str] | NotGiven = NOT_GIVEN,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        http_client: httpx.Client | NotGiven = NOT_GIVEN,
        user_agent: str | NotGiven = NOT_GIVEN,
        idle_timeout: float | None | NotGiven = NOT_GIVEN,
        check_server_version: bool | NotGiven = NOT_GIVEN,
        strict_response_validation: bool | NotGiven = NOT_GIVEN,
        max_response_bytes: int | None | NotGiven = NOT_GIVEN,
    ) -> _SyncClientT:
        """Return a copy with some options changed; ``headers`` are merged onto the current ones.

        The copy shares this client's connection pool (unless ``http_client`` is given)
        and never closes it: closing stays the original's job.
        """
        kwargs = self._copy_kwargs(
            base_url=base_url,
            api_prefix=api_prefix,
            api_key=api_key,
            headers=headers,
            timeout=timeout,
            max_retries=max_retries,
            user_agent=user_agent,
            idle_timeout=idle_timeout,
            check_server_version=check_server_version,
            strict_response_validation=strict_response_validation,
            max_response_bytes=max_response_bytes,
        )
        client = self._client if isinstance(http_client, NotGiven) else http_client
        copy = type(self)(**kwargs, http_client=client)
        copy._sleep = self._sleep
        copy._random = self._random
        return copy


class AsyncAPIClient(_BaseClient[httpx.AsyncClient]):
    """Asyncio HTTP core with the same surface as ``SyncAPIClient``."""

    _sleep: Callable[[float], Awaitable[None]]

    def __init__(
        self,
        *,
        base_url: str,
        api_prefix: str = "/api",
        api_key: str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.AsyncClient | None = None,
        user_agent: str = "mastra-python",
        idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
        check_server_version: bool = False,
        strict_response_validation: bool = False,
        max_response_bytes: int | None = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        super().__init__(
            base_url=base_url,
            api_prefix=api_prefix,
            api_key=api_key,
            headers=headers,
            timeout=timeout,
            max_retries=max_retries,
            user_agent=user_agent,
            idle_timeout=idle_timeout,
            check_server_version=check_server_version,
            strict_response_validation=strict_response_validation,
            max_response_bytes=max_response_bytes,
        )
        self._owns_client = http_client is None
        # Created on first use, as in the sync client.
        self._http: httpx.AsyncClient | None = http_client
        self._sleep = asyncio.sleep  # injectable for tests

    @property
    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            if self._closed:
                raise RuntimeError("this client is closed")
            self._http = httpx.AsyncClient(timeout=self._timeout)
        return self._http

    async def request(
        self,
        method: str,
        path: str,
        *,
        query: Sequence[tuple[str, str]] | None = None,
        json_body: object = NOT_GIVEN,
        headers: Mapping[str, str] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        retry_unsafe: bool = False,
        max_response_bytes: int | None | NotGiven = NOT_GIVEN,
    ) -> httpx.Response:
        """Send a request and return the fully read response; raise a typed error on >= 400."""
        request = self._build_request(method, path, query=query, json_body=json_body, headers=headers, timeout=timeout)
        retries = self._resolve_max_retries(max_retries)
        limit = self._resolve_max_response_bytes(max_response_bytes)
        capture = claim_streaming()
        if capture is not None:  # client.with_streaming_response: the body is the caller's to read
            response = await self._send(
                request, stream=True, max_retries=retries, retry_unsafe=retry_unsafe, limit=limit
            )
            raise hand_over(capture, response)
        return await self._send(request, stream=False, max_retries=retries, retry_unsafe=retry_unsafe, limit=limit)

    def stream(
        self,
        method: str,
        path: str,
        *,
        query: Sequence[tuple[str, str]] | None = None,
        json_body: object = NOT_GIVEN,
        headers: Mapping[str, str] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        retry_unsafe: bool = False,
        max_response_bytes: int | None | NotGiven = NOT_GIVEN,
    ) -> contextlib.AbstractAsyncContextManager[httpx.Response]:
        """Open a streaming response; see ``SyncAPIClient.stream``."""
        request = self._build_request(method, path, query=query, json_body=json_body, headers=headers, timeout=timeout)
        retries = self._resolve_max_retries(max_retries)
        limit = self._resolve_max_response_bytes(max_response_bytes)
        return self._stream(request, max_retries=retries, retry_unsafe=retry_unsafe, limit=limit)

    @contextlib.asynccontextmanager
    async def _stream(
        self, request: httpx.Request, *, max_retries: int, retry_unsafe: bool, limit: int | None
    ) -> AsyncIterator[httpx.Response]:
        response = await self._send(
            request, stream=True, max_retries=max_retries, retry_unsafe=retry_unsafe, limit=limit
        )
        try:
            yield response
        except httpx.TransportError as exc:
            raise _connection_error(exc, request) from exc
        finally:
            await response.aclose()

    async def check_server_version(self) -> ServerVersionCheck:
        """Compare the server's ``@mastra/*`` versions with the ones this client was generated from.

        See ``SyncAPIClient.check_server_version``.
        """
        self._version_check_pending = False
        return self._version_check(await self.request("GET", PACKAGES_PATH))

    async def _send(
        self,
        request: httpx.Request,
        *,
        stream: bool,
        max_retries: int,
        retry_unsafe: bool,
        limit: int | None = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> httpx.Response:
        if self._version_check_pending:
            try:
                await self.check_server_version()
            except APIError as exc:  # the user's own request must not fail because of the check
                log.warning("could not check the server's version: %s", exc)
        attempt = 0
        while True:
            _log_request(request)
            started = time.monotonic()
            try:
                # Never following redirects: a credential must not travel to another origin.
                response = await self._client.send(request, stream=True, follow_redirects=False)
                truncated = False
                if not stream or response.status_code >= 300:
                    # The whole body, read here so a broken or too slow body is retried like
                    # any transport error (and an error body gives the error its message).
                    deadline = _body_deadline(request, started)
                    if deadline is not None and isinstance(response.stream, httpx.AsyncByteStream):
                        response.stream = _AsyncDeadlineStream(response.stream, request, deadline)
                    try:
                        truncated = await _aread_limited(response, limit, error_body=response.status_code >= 300)
                    except BaseException:
                        await response.aclose()
                        raise
            except httpx.TransportError as exc:
                delay = self._retry_delay(
                    request,
                    attempt=attempt,
                    max_retries=max_retries,
                    retry_unsafe=retry_unsafe,
                    error=exc,
                )
                if delay is None:
                    raise _connection_error(exc, request) from exc
            else:
                _log_response(response, started)
                if response.status_code < 300:
                    record_response(response)
                    return response
                await response.aclose()
                delay = self._retry_delay(
                    request,
                    attempt=attempt,
                    max_retries=max_retries,
                    retry_unsafe=retry_unsafe,
                    response=response,
                )
                if delay is None:
                    raise make_status_error(response, truncated=truncated)
            await self._sleep(delay)
            attempt += 1

    async def close(self) -> None:
        """Close the underlying ``httpx.AsyncClient`` if this object created it."""
        self._closed = True
        if self._owns_client and self._http is not None:
            await self._http.aclose()

    async def __aenter__(self: _AsyncClientT) -> _AsyncClientT:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def with_options(
        self: _AsyncClientT,
        *,
        base_url: str | NotGiven = NOT_GIVEN,
        api_prefix: str | NotGiven = NOT_GIVEN,
        api_key: str | None | NotGiven = NOT_GIVEN,
        headers: Mapping[str, str] | NotGiven = NOT_GIVEN,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        http_client: httpx.AsyncClient | NotGiven = NOT_GIVEN,
        user_agent: str | NotGiven = NOT_GIVEN,
        idle_timeout: float | None | NotGiven = NOT_GIVEN,
        check_server_version: bool | NotGiven = NOT_GIVEN,
        strict_response_validation: bool | NotGiven = NOT_GIVEN,
        max_response_bytes: int | None | NotGiven = NOT_GIVEN,
    ) -> _AsyncClientT:
        """Return a copy with some options changed; see ``SyncAPIClient.with_options``."""
        kwargs = self._copy_kwargs(
            base_url=base_url,
            api_prefix=api_prefix,
            api_key=api_key,
            headers=headers,
            timeout=timeout,
            max_retries=max_retries,
            user_agent=user_agent,
            idle_timeout=idle_timeout,
            check_server_version=check_server_version,
            strict_response_validation=strict_response_validation,
            max_response_bytes=max_response_bytes,
        )
        client = self._client if isinstance(http_client, NotGiven) else http_client
        copy = type(self)(**kwargs, http_client=client)
        copy._sleep = self._sleep
        copy._random = self._random
        return copy
