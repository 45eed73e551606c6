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
