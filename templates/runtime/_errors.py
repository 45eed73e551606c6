"""Exception hierarchy, and the mapping from HTTP responses to it.

Messages are built from the method, a redacted URL and the server's answer only, never
from request headers, so API keys cannot leak into logs or tracebacks; and the client's
own secret values (``_redact.secrets_of``) are scrubbed from every message and body
kept on an error, whatever the server echoed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from ._content import parse_json
from ._redact import redact_url, scrub, scrub_value, secrets_of

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "IncompleteStreamError",
    "InternalServerError",
    "MastraError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RedirectError",
    "ResponseTooLargeError",
    "StreamError",
    "ToolExecutionError",
    "UnprocessableEntityError",
    "make_status_error",
    "raise_for_error_body",
    "redact_url",
]

_MAX_TEXT_MESSAGE = 200
_MAX_ISSUES_SHOWN = 5


class MastraError(Exception):
    """Base of every error raised by the client, so callers can catch one type."""


class APIError(MastraError):
    """An error tied to one HTTP request."""

    message: str
    request: httpx.Request | None
    body: object | None

    def __init__(self, message: str, *, request: httpx.Request | None = None, body: object | None = None) -> None:
        self._secrets = secrets_of(request)
        message = scrub(message, self._secrets)
        super().__init__(message)
        self.message = message
        self.request = request
        self.body = scrub_value(body, self._secrets)

    def __str__(self) -> str:
        return self.message

    def _scrubbed(self, text: str) -> str:
        return scrub(text, self._secrets)


class APIStatusError(APIError):
    """The server answered with an error status (or an error body, see subclasses).

    ``body`` is the decoded JSON (or the text) of the answer, ``message`` the server's
    ``error`` string when it sent one, and ``issues`` the per-field validation problems.
    """

    status_code: int
    response: httpx.Response
    issues: list[dict[str, Any]]

    body_truncated: bool = False  # the error body was longer than the client keeps (see max_response_bytes)

    def __init__(self, message: str, *, response: httpx.Response, body: object | None) -> None:
        super().__init__(message, request=_request_of(response), body=body)
        self.response = response
        self.status_code = response.status_code
        self.issues = _issues_from_body(self.body)

    def __str__(self) -> str:
        prefix = f"{self.status_code} {self.response.reason_phrase}".strip()
        text = prefix if self.message in ("", prefix) else f"{prefix}: {self.message}"
        if self.issues:
            text = f"{text} ({_format_issues(self.issues)})"
        if self.body_truncated:
            text = f"{text} [error body truncated]"
        return self._scrubbed(text)

    def __repr__(self) -> str:
        return self._scrubbed(f"{type(self).__name__}(status_code={self.status_code}, message={self.message!r})")


class RedirectError(APIStatusError):
    """3xx: the server (or a proxy in front of it) redirected the request.

    The client never follows redirects, so credentials never travel to another origin; the
    redirect is an error instead of an empty answer. ``location`` is the ``Location`` header
    (redacted); point ``base_url`` at it if the server moved.
    """

    location: str | None

    def __init__(self, message: str, *, response: httpx.Response, body: object | None) -> None:
        super().__init__(message, response=response, body=body)
        target = response.headers.get("location")
        self.location = self._scrubbed(redact_url(target)) if target else None


class ResponseTooLargeError(APIError):
    """An answer (or one event of a stream) is larger than ``max_response_bytes``.

    ``what`` says which limit ("response body" or "stream event"), ``size`` how many bytes
    had arrived when reading stopped, ``limit`` the limit. Raise the limit per client
    (``MastraClient(max_response_bytes=...)``, ``with_options``) or per call
    (``max_response_bytes=``), or read a large binary answer through
    ``client.with_streaming_response``, which has no whole-body limit.
    """

    def __init__(self, what: str, *, size: int, limit: int, request: httpx.Request | None = None) -> None:
        self.what, self.size, self.limit = what, size, limit
        target = f" ({request.method} {redact_url(request.url)})" if request is not None else ""
        super().__init__(
            f"the {what} is larger than max_response_bytes={limit}: {size} bytes arrived before reading "
            f"stopped{target}; pass max_response_bytes= (to the client, with_options or the call) to raise "
            "the limit, or None for none",
            request=request,
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(what={self.what!r}, size={self.size}, limit={self.limit})"


class BadRequestError(APIStatusError):
    """400: the request was malformed or failed the server's validation."""


class AuthenticationError(APIStatusError):
    """401: missing or invalid credentials."""


class PermissionDeniedError(APIStatusError):
    """403: the credentials are valid but not allowed to do this."""


class NotFoundError(APIStatusError):
    """404: the route or the named resource (agent, workflow, thread...) does not exist.

    ``route_missing`` is true when the server does not have the route at all (its plain
    ``404 Not Found`` page, not a JSON answer about a resource): a server older than the
    client. ``client.check_server_version()`` tells which versions differ.
    """

    route_missing: bool

    def __init__(
        self, message: str, *, response: httpx.Response, body: object | None, route_missing: bool = False
    ) -> None:
        super().__init__(message, response=response, body=body)
        self.route_missing = route_missing


class ConflictError(APIStatusError):
    """409: the request conflicts with the current state of the resource."""


class UnprocessableEntityError(APIStatusError):
    """422: the request was well-formed but semantically invalid."""


class RateLimitError(APIStatusError):
    """429: too many requests."""


class InternalServerError(APIStatusError):
    """5xx: the server failed."""


class ToolExecutionError(APIStatusError):
    """A tool call was rejected although the status was 2xx.

    Mastra's tool execute endpoint answers bad tool input with
    ``{"error": true, "message": ..., "validationErrors": {...}}`` and status 200.
    ``validation_errors`` holds that object as sent; ``issues`` flattens it to
    ``{"field": ..., "message": ...}`` entries.
    """

    validation_errors: object | None

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        body: object | None,
        validation_errors: object | None = None,
    ) -> None:
        super().__init__(message, response=response, body=body)
        self.validation_errors = scrub_value(validation_errors, self._secrets)
        self.issues = _issues_from_validation_errors(validation_errors)

    def __str__(self) -> str:
        # The server's message already lists the problems; the 200 status adds nothing.
        return self.message


class APIResponseValidationError(APIError):
    """A successful answer that does not fit what the method returns.

    Raised when the call asked for strict validation (``strict_response_validation=True``,
    per client or per call) and the body does not fit its model, and always when a body
    that must be JSON is not (an HTML page from a proxy, an empty body, bytes). ``body`` is
    the decoded body, ``response`` the HTTP response, ``errors`` pydantic's list of
    problems (``[]`` when the body was not JSON); the ``pydantic.ValidationError`` is the
    ``__cause__``.
    """

    response: httpx.Response
    status_code: int
    errors: list[Any]

    def __init__(
        self, message: str, *, response: httpx.Response, body: object | None, errors: list[Any] | None = None
    ) -> None:
        super().__init__(message, request=_request_of(response), body=body)
        _scrub_content(response)
        self.response = response
        self.status_code = response.status_code
        self.errors = scrub_value(list(errors or []), self._secrets)

    def cause_unless_secret(self, cause: BaseException) -> BaseException | None:
        """``cause`` to chain, or None when its text holds a credential (a server that echoed it)."""
        text = str(cause)
        return None if self._scrubbed(text) != text else cause

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status_code={self.status_code}, errors={len(self.errors)})"


class APIConnectionError(APIError):
    """No usable answer arrived: connection refused, reset, DNS failure, protocol error."""

    def __init__(self, message: str | None = None, *, request: httpx.Request | None = None) -> None:
        if message is None:
            message = _with_target("Connection error", request)
        super().__init__(message, request=request)


class APITimeoutError(APIConnectionError):
    """The request timed out (connect, read, write or waiting for a pooled connection)."""

    def __init__(self, message: str | None = None, *, request: httpx.Request | None = None) -> None:
        if message is None:
            message = _with_target("Request timed out", request)
        super().__init__(message, request=request)


class IncompleteStreamError(APIConnectionError):
    """A stream ended before its end marker: the connection dropped or the server gave up.

    What arrived before was delivered; nothing after it will come. ``events`` counts the
    events received, the offset to resume from where the server supports observing a run.
    """

    def __init__(self, message: str, *, request: httpx.Request | None = None, events: int = 0) -> None:
        super().__init__(message, request=request)
        self.events = events


class StreamError(APIError):
    """The server reported an error inside a stream (an ``error`` chunk), or sent a bad frame.

    Every event before it was delivered first. ``chunk`` is the error event as sent
    (``None`` for a frame that was not valid JSON).
    """

    def __init__(self, message: str, *, request: httpx.Request | None = None, chunk: object = None) -> None:
        super().__init__(message, request=request, body=chunk)
        self.chunk = chunk


_STATUS_ERRORS: Mapping[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def _scrub_content(response: httpx.Response) -> None:
    """The client's credentials out of a read body an exception keeps (``exc.response.text`` too)."""
    secrets = secrets_of(_request_of(response))
    if secrets:
        with_content = getattr(response, "_content", None)
        if isinstance(with_content, bytes):
            response._content = scrub_value(with_content, secrets)


def make_status_error(response: httpx.Response, *, truncated: bool = False) -> APIStatusError:
    """Build the typed error for an error (or redirect) response whose body has been read.

    ``truncated``: only the first bytes of the body were kept (``max_response_bytes``).
    """
    _scrub_content(response)
    body = _safe_body(response)
    message = _message_from_body(body, response)
    status = response.status_code
    if 300 <= status < 400:
        location = response.headers.get("location")
        where = f" to {redact_url(location)}" if location else " (no Location header)"
        error: APIStatusError = RedirectError(
            f"the server answered {status} {response.reason_phrase}{where}; the client does not follow "
            "redirects (credentials must not travel to another address): point base_url at the right server",
            response=response,
            body=body,
        )
    elif status == 404 and _route_missing(body):
        error = NotFoundError(_missing_route_message(response), response=response, body=body, route_missing=True)
    else:
        cls = _STATUS_ERRORS.get(status)
        if cls is None:
            cls = InternalServerError if status >= 500 else APIStatusError
        error = cls(message, response=response, body=body)
    error.body_truncated = truncated
    return error


def _route_missing(body: object | None) -> bool:
    """A 404 that is the web framework's own page (hono: ``text/plain`` ``404 Not Found``).

    Mastra answers a missing agent, workflow or thread with JSON (``{"error": "Agent with
    id x not found"}``); a route it does not have gets no JSON at all.
    """
    if body is None or isinstance(body, bytes):
        return True
    return isinstance(body, str) and "not found" in body.lower()


def _missing_route_message(response: httpx.Response) -> str:
    request = _request_of(response)
    route = f"{request.method} {request.url.path}" if request is not None else "this request"
    return (
        f"{route} is not a route on this server: the server is probably older than this client "
        "(see client.check_server_version())"
    )


def raise_for_error_body(response: httpx.Response, data: object) -> None:
    """Raise ``ToolExecutionError`` when a 2xx body is Mastra's ``{"error": true}`` shape."""
    if isinstance(data, dict) and data.get("error") is True:
        message = data.get("message")
        raise ToolExecutionError(
            message if isinstance(message, str) and message else "Tool execution failed",
            response=response,
            body=data,
            validation_errors=data.get("validationErrors"),
        )


def _with_target(prefix: str, request: httpx.Request | None) -> str:
    if request is None:
        return f"{prefix}."
    return f"{prefix}: {request.method} {redact_url(request.url)}"


def _request_of(response: httpx.Response) -> httpx.Request | None:
    try:
        return response.request
    except RuntimeError:  # a Response built by hand has no request
        return None


def _safe_body(response: httpx.Response) -> object | None:
    try:
        return parse_json(response)
    except (httpx.ResponseNotRead, httpx.StreamError):
        return None  # the error body could not be read; the status still tells the story
    except UnicodeDecodeError:
        return None


def _message_from_body(body: object | None, response: httpx.Response) -> str:
    if isinstance(body, dict):
        for key in ("error", "message"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
        nested = body.get("error")
        if isinstance(nested, dict):
            value = nested.get("message")
            if isinstance(value, str) and value:
                return value
    elif isinstance(body, str) and body.strip():
        text = " ".join(body.split())
        if len(text) > _MAX_TEXT_MESSAGE:
            text = text[: _MAX_TEXT_MESSAGE - 3] + "..."
        return text
    return f"{response.status_code} {response.reason_phrase}".strip()


def _issues_from_body(body: object | None) -> list[dict[str, Any]]:
    if not isinstance(body, dict):
        return []
    for key in ("issues", "details"):
        value = body.get(key)
        if isinstance(value, list):
            return [item for item in value if isinstance(item, dict)]
    return []


def _issues_from_validation_errors(tree: object) -> list[dict[str, Any]]:
    """Flatten Zod's ``format()`` tree (``{"city": {"_errors": [...]}}``) or an issue list."""
    if isinstance(tree, list):
        return [item for item in tree if isinstance(item, dict)]
    issues: list[dict[str, Any]] = []
    _flatten_zod_tree(tree, "", issues)
    return issues


def _flatten_zod_tree(node: object, field: str, out: list[dict[str, Any]]) -> None:
    if not isinstance(node, dict):
        return
    errors = node.get("_errors")
    if isinstance(errors, list):
        for message in errors:
            out.append({"field": field, "message": str(message)})
    for key, child in node.items():
        if key != "_errors":
            _flatten_zod_tree(child, f"{field}.{key}" if field else str(key), out)


def _format_issue(issue: Mapping[str, Any]) -> str:
    field = issue.get("field")
    if field is None and isinstance(issue.get("path"), list):
        field = ".".join(str(part) for part in issue["path"])
    message = issue.get("message")
    text = str(message) if message is not None else str(dict(issue))
    return f"{field}: {text}" if field not in (None, "") else text


def _format_issues(issues: list[dict[str, Any]]) -> str:
    shown = "; ".join(_format_issue(issue) for issue in issues[:_MAX_ISSUES_SHOWN])
    hidden = len(issues) - _MAX_ISSUES_SHOWN
    return f"{shown}; and {hidden} more" if hidden > 0 else shown
