"""Small conveniences of the client-js shaped layer, shared by sync and async code."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from ._response import lenient_value, validate_response

_T = TypeVar("_T")


def coerce_messages(messages: Any) -> Any:
    """``"hello"`` means one user message, as in client-js; lists pass through unchanged."""
    if isinstance(messages, str):
        return [{"role": "user", "content": messages}]
    if isinstance(messages, (Mapping, BaseModel)):
        return [messages]
    return messages


COERCERS = {"messages": coerce_messages}


def _plain(result: Any) -> Any:
    """A parsed answer as plain JSON data (a model is dumped by its wire names)."""
    if isinstance(result, BaseModel):
        return result.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return result


def _json_value(value: Any) -> Any:
    """A JSON document sent as a string (superjson's ``{"json": ...}`` unwrapped) -> its value."""
    import json

    if not value:
        return None
    if not isinstance(value, str):
        return value
    decoded = json.loads(value)
    if isinstance(decoded, Mapping) and "json" in decoded:
        return decoded["json"]
    return decoded


def json_schemas(result: Any) -> dict[str, Any]:
    """``{inputSchema, outputSchema}`` of a details answer, decoded from their JSON strings."""
    return {
        "inputSchema": _json_value(field_of(result, "inputSchema")),
        "outputSchema": _json_value(field_of(result, "outputSchema")),
    }


def workflow_action_result(result: Any) -> dict[str, Any]:
    """A workflow result ({status, result | error}) as an action result {success, applied, message...}."""
    data = _plain(result)
    data = data if isinstance(data, Mapping) else {}
    status = data.get("status")
    if status == "success":
        action = data.get("result")
        action = action if isinstance(action, Mapping) else {}
        out = {
            "success": action.get("success", False),
            "applied": action.get("applied", False),
            "branchName": action.get("branchName"),
            "message": action.get("message", "Agent builder action completed"),
            "validationResults": action.get("validationResults"),
            "error": action.get("error"),
            "errors": action.get("errors"),
            "stepResults": action.get("stepResults"),
        }
        return {k: v for k, v in out.items() if v is not None}
    if status == "failed":
        error = data.get("error")
        message = error.get("message") if isinstance(error, Mapping) else None
        message = message or "Agent builder action failed"
        return {
            "success": False,
            "applied": False,
            "message": f"Agent builder action failed: {message}",
            "error": message,
        }
    return {
        "success": False,
        "applied": False,
        "message": "Agent builder action was suspended",
        "error": "Workflow suspended - manual intervention required",
    }


# Named reshapings of an answer, as client-js does client-side (overrides: ``result: {adapter}``).
RESULT_ADAPTERS = {"json_schemas": json_schemas, "workflow_action_result": workflow_action_result}


def field_of(result: Any, name: str) -> Any:
    """Read a field from a parsed result: a model (by alias or attribute) or a plain dict."""
    if isinstance(result, Mapping):
        return result.get(name)
    if isinstance(result, BaseModel):
        for field_name, info in type(result).model_fields.items():
            if info.alias == name or field_name == name:
                return getattr(result, field_name)
        extra = result.model_extra or {}
        return extra.get(name)
    return getattr(result, name, None)


def whole_body(value: Any, extra_body: Mapping[str, object] | None) -> Any:
    """The JSON body of an operation whose body is not an object of named fields."""
    from ._encoding import to_jsonable
    from ._types import NotGiven

    if isinstance(value, NotGiven):
        return dict(extra_body) if extra_body else value
    body = to_jsonable(value)
    if extra_body and isinstance(body, dict):
        return {**body, **extra_body}
    return body


def required_attribute(resource: object, name: str) -> str:
    """A bound id this call needs; a clear error instead of a request that cannot succeed."""
    value = getattr(resource, name)
    if value is None:
        kind = type(resource).__name__
        raise ValueError(f"{kind}.{name} is needed for this call: pass {name}= when you create the {kind}")
    return str(value)


def structured_output_model(value: Any) -> tuple[type[BaseModel] | None, Any]:
    """A pydantic model class asks for structured output: send its JSON schema, parse into it.

    Accepts the class itself, or the server's options mapping with the class as ``schema``
    (``{"schema": Answer, "errorStrategy": "warn"}``). Anything else passes through.
    """
    if isinstance(value, type) and issubclass(value, BaseModel):
        return value, {"schema": value.model_json_schema()}
    if isinstance(value, Mapping):
        schema = value.get("schema")
        if isinstance(schema, type) and issubclass(schema, BaseModel):
            return schema, {**value, "schema": schema.model_json_schema()}
    return None, value


def with_structured_output(
    result: _T, model: type[BaseModel] | None, response: httpx.Response | None = None, strict: bool = False
) -> _T:
    """Parse a result's ``object`` into the model the caller asked for.

    An object that does not fit is kept leniently (see ``validate_response``), or raises
    ``APIResponseValidationError`` when ``strict``.
    """
    if model is None:
        return result
    raw = field_of(result, "object")
    if raw is None or isinstance(raw, model):
        return result
    parsed = validate_response(model, raw, response, strict) if response is not None else lenient_value(model, raw)
    if isinstance(result, dict):
        result["object"] = parsed
    else:
        target: Any = result
        with contextlib.suppress(AttributeError, TypeError, ValueError):
            target.object = parsed
    return result
