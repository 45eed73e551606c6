"""JSON-RPC 2.0 over one HTTP route: the envelope a facade sends, the result it unwraps.

A facade method declared with ``jsonrpc:`` in the overrides POSTs
``{"jsonrpc": "2.0", "id": <fresh>, "method": <its method>, "params": {...}}`` to the
route (``rpc_call``) and hands the answer to ``rpc_result``: the envelope's
``result`` (validated leniently as the declared type), or ``JsonRpcError`` for its
``error``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from ._errors import APIError
from ._response import lenient_value
from ._types import NOT_GIVEN, NotGiven

__all__ = ["JsonRpcError", "async_rpc_call", "rpc_body", "rpc_call", "rpc_id", "rpc_error", "rpc_params", "rpc_result"]


class JsonRpcError(APIError):
    """The server answered a JSON-RPC call with an ``error`` object (HTTP status 200 or not).

    ``code`` is the JSON-RPC error code (``None`` when the server sent none or not a number),
    ``data`` its optional ``data`` member, ``body`` the whole envelope.
    """

    def __init__(self, message: str, *, code: int | None = None, data: object = None, body: object = None) -> None:
        super().__init__(message, body=body)
        self.code = code
        self.data = data


def rpc_id() -> str:
    """A fresh request id, as client-js sends (``crypto.randomUUID()``)."""
    return str(uuid.uuid4())


def rpc_params(values: Mapping[str, object]) -> Any:
    """The ``params`` object from the facade's keywords (wire names); arguments not given are left out.

    Without any parameter declared (``values`` empty) no ``params`` member is sent.
    """
    if not values:
        return NOT_GIVEN
    return {key: value for key, value in values.items() if not isinstance(value, NotGiven)}


def rpc_error(envelope: object) -> JsonRpcError | None:
    """The ``JsonRpcError`` an envelope (or a stream frame) carries, or ``None``."""
    if not isinstance(envelope, Mapping):
        return None
    error = envelope.get("error")
    if not error:
        return None
    if isinstance(error, Mapping):
        raw_code = error.get("code")
        code = raw_code if isinstance(raw_code, int) and not isinstance(raw_code, bool) else None
        message = str(error.get("message") or "Unknown JSON-RPC error")
        data = error.get("data")
    else:
        code, message, data = None, str(error), None
    prefix = f"JSON-RPC error {code}" if code is not None else "JSON-RPC error"
    return JsonRpcError(f"{prefix}: {message}", code=code, data=data, body=dict(envelope))


def rpc_result(envelope: object, tp: Any = Any) -> Any:
    """The ``result`` of a JSON-RPC response envelope as ``tp``; its ``error`` raised as ``JsonRpcError``."""
    failure = rpc_error(envelope)
    if failure is not None:
        raise failure
    if not isinstance(envelope, Mapping) or "result" not in envelope:
        raise JsonRpcError("JSON-RPC response did not include a result", body=envelope)
    return lenient_value(tp, envelope["result"])


def _request_kwargs(
    method_name: str,
    params: Any,
    extra_headers: Mapping[str, str] | None,
    extra_query: Mapping[str, object] | None,
    extra_body: Mapping[str, object] | None,
) -> tuple[dict[str, object], list[tuple[str, str]], dict[str, str]]:
    from ._encoding import build_query

    envelope = rpc_body(method_name, params, extra_body)
    return envelope, list(build_query(extra_query or {})), dict(extra_headers or {})


def rpc_body(method_name: str, params: Any, extra_body: Mapping[str, object] | None = None) -> dict[str, object]:
    """The request envelope of one call (a fresh id); ``extra_body`` members on top."""
    from ._encoding import to_jsonable

    envelope: dict[str, object] = {"jsonrpc": "2.0", "id": rpc_id(), "method": method_name}
    if not isinstance(params, NotGiven):
        envelope["params"] = to_jsonable(params)
    if extra_body:
        envelope.update({str(k): to_jsonable(v) for k, v in extra_body.items()})
    return envelope


def rpc_call(
    client: Any,
    path: str,
    method_name: str,
    params: Any,
    *,
    extra_headers: Mapping[str, str] | None = None,
    extra_query: Mapping[str, object] | None = None,
    extra_body: Mapping[str, object] | None = None,
    timeout: Any = NOT_GIVEN,
    max_retries: Any = NOT_GIVEN,
    max_response_bytes: Any = NOT_GIVEN,
    retry_unsafe: bool = False,
) -> object:
    """POST one JSON-RPC 2.0 call to ``path`` and return the decoded response envelope.

    The envelope is sent as built (the route's body schema, a union of every method's, is not
    checked client-side: servers accept methods their document does not list).
    """
    from ._content import parse_json

    envelope, query, headers = _request_kwargs(method_name, params, extra_headers, extra_query, extra_body)
    response = client.request(
        "POST",
        path,
        query=query,
        json_body=envelope,
        headers=headers,
        timeout=timeout,
        max_retries=max_retries,
        max_response_bytes=max_response_bytes,
        retry_unsafe=retry_unsafe,
    )
    return parse_json(response)


async def async_rpc_call(
    client: Any,
    path: str,
    method_name: str,
    params: Any,
    *,
    extra_headers: Mapping[str, str] | None = None,
    extra_query: Mapping[str, object] | None = None,
    extra_body: Mapping[str, object] | None = None,
    timeout: Any = NOT_GIVEN,
    max_retries: Any = NOT_GIVEN,
    max_response_bytes: Any = NOT_GIVEN,
    retry_unsafe: bool = False,
) -> object:
    """``rpc_call`` of an ``AsyncMastraClient``."""
    from ._content import parse_json

    envelope, query, headers = _request_kwargs(method_name, params, extra_headers, extra_query, extra_body)
    response = await client.request(
        "POST",
        path,
        query=query,
        json_body=envelope,
        headers=headers,
        timeout=timeout,
        max_retries=max_retries,
        max_response_bytes=max_response_bytes,
        retry_unsafe=retry_unsafe,
    )
    return parse_json(response)
