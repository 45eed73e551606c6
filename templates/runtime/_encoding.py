"""Encoding of path parameters, query strings and JSON bodies the way Mastra expects."""

from __future__ import annotations

import enum
import functools
import json
import urllib.parse
from collections.abc import Collection, Mapping
from typing import Any

import pydantic
import pydantic_core

from ._types import NotGiven

__all__ = ["build_body", "build_query", "path_param", "to_jsonable"]


def to_jsonable(value: object) -> object:
    """Convert ``value`` to plain JSON data (dicts, lists, str, numbers, bools, None).

    Pydantic models are dumped by alias with ``exclude_unset`` so only what the caller
    set is sent; ``NOT_GIVEN`` entries of mappings are dropped. Dates, UUIDs, enums and
    the like are handled by pydantic's serializer.
    """
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if value is None or isinstance(value, (str, int, float)):
        return value.value if isinstance(value, enum.Enum) else value
    if isinstance(value, Mapping):
        return {
            str(key): to_jsonable(item)
            for key, item in value.items()
            if not isinstance(item, NotGiven)
        }
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(item) for item in value]
    return pydantic_core.to_jsonable_python(value, by_alias=True)


def path_param(value: object) -> str:
    """Percent-encode one path segment, ``/`` included, so ``a/b`` stays one segment.

    Empty, ``.`` and ``..`` segments are refused: the URL would silently address another
    route (``/agents//tools``, ``/agents/../workflows``).
    """
    if value is None or isinstance(value, NotGiven):
        raise ValueError(f"path parameter must be given, got {value!r}")
    text = _scalar_text(value)
    if text in ("", ".", ".."):
        raise ValueError(f"path parameter must not be {text!r}")
    return urllib.parse.quote(text, safe="")


def build_query(
    values: Mapping[str, object], json_params: Collection[str] = ()
) -> list[tuple[str, str]]:
    """Turn keyword arguments into ordered query pairs.

    ``NOT_GIVEN`` and ``None`` are skipped; booleans become ``true``/``false``. Names in
    ``json_params`` are sent as compact JSON (Mastra parses objects and arrays in the
    query that way); a ``str`` for such a name is taken as already encoded. Other lists
    repeat the key, other dicts use deepObject style ``name[key]=value``.
    """
    pairs: list[tuple[str, str]] = []
    for name, raw in values.items():
        if raw is None or isinstance(raw, NotGiven):
            continue
        value = to_jsonable(raw) if isinstance(raw, pydantic.BaseModel) else raw
        if name in json_params:
            if isinstance(value, str):
                pairs.append((name, value))
            else:
                pairs.append((name, _compact_json(to_jsonable(value))))
        else:
            _append_pairs(pairs, name, value)
    return pairs


def build_body(
    model: Any,
    values: Mapping[str, object],
    extra_body: Mapping[str, object] | None = None,
) -> object:
    """Build a JSON request body from arguments keyed by their JSON names.

    With a ``model`` the values are validated client-side first (a bad request fails
    here with ``pydantic.ValidationError`` instead of as a vague 400), then dumped by
    alias with only the fields that were set. ``extra_body`` is merged on top unchecked:
    it is the escape hatch for fields the OpenAPI document lacks.
    """
    given = {key: value for key, value in values.items() if not isinstance(value, NotGiven)}
    body: dict[str, Any]
    if isinstance(model, type) and issubclass(model, pydantic.BaseModel):
        body = model.model_validate(given).model_dump(
            mode="json", by_alias=True, exclude_unset=True
        )
    elif model is not None:  # a union of models: the one the arguments fit
        adapter = _union_adapter(model)
        body = adapter.dump_python(
            adapter.validate_python(given), mode="json", by_alias=True, exclude_unset=True
        )
    else:
        body = {key: to_jsonable(value) for key, value in given.items()}
    if extra_body:
        body.update({str(key): to_jsonable(value) for key, value in extra_body.items()})
    return body


@functools.lru_cache(maxsize=64)
def _union_adapter(model: Any) -> pydantic.TypeAdapter[Any]:
    return pydantic.TypeAdapter(model)


def _compact_json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _scalar_text(value: object) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    jsonable = pydantic_core.to_jsonable_python(value)
    return jsonable if isinstance(jsonable, str) else _compact_json(jsonable)


def _append_pairs(pairs: list[tuple[str, str]], name: str, value: object) -> None:
    if value is None or isinstance(value, NotGiven):
        return
    if isinstance(value, pydantic.BaseModel):
        value = to_jsonable(value)
    if isinstance(value, Mapping):
        for key, item in value.items():
            _append_pairs(pairs, f"{name}[{key}]", item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            if isinstance(item, (Mapping, list, tuple, pydantic.BaseModel)):
                pairs.append((name, _compact_json(to_jsonable(item))))
            elif item is not None and not isinstance(item, NotGiven):
                pairs.append((name, _scalar_text(item)))
    else:
        pairs.append((name, _scalar_text(value)))
