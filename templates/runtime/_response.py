"""Decoding of response bodies and validation of them against generated types."""

from __future__ import annotations

import functools
import json
from typing import Any

import httpx
import pydantic

__all__ = ["parse_json", "validate_as"]


def _is_json_media_type(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


def parse_json(response: httpx.Response) -> object:
    """Return the decoded body: ``None`` when empty, JSON when it is JSON, else the text.

    Besides a JSON content type, a body without a content type or one that looks like a
    JSON object or array is tried too, because some servers and proxies mislabel JSON.
    Bare scalars in a ``text/*`` body stay text so ``"42"`` does not become ``42``.
    """
    content = response.content
    if not content.strip():
        return None
    content_type = response.headers.get("content-type", "")
    if (
        _is_json_media_type(content_type)
        or not content_type
        or content.lstrip()[:1] in (b"{", b"[")
    ):
        try:
            return json.loads(content)
        except ValueError:
            pass
    return response.text


@functools.lru_cache(maxsize=512)
def _cached_adapter(tp: Any) -> pydantic.TypeAdapter[Any]:
    return pydantic.TypeAdapter(tp)


def _adapter(tp: Any) -> pydantic.TypeAdapter[Any]:
    # Building a TypeAdapter compiles a validator, which is costly; reuse it per type.
    try:
        return _cached_adapter(tp)
    except TypeError:  # unhashable type expression, e.g. Annotated with a dict
        return pydantic.TypeAdapter(tp)


def validate_as(tp: Any, data: object) -> Any:
    """Validate ``data`` as ``tp`` (e.g. ``list[Agent] | None``) and return the result.

    ``Any`` and ``object`` mean "no schema" and return ``data`` untouched. Keys are read by
    their wire names only: models also take Python names (``populate_by_name``) for callers
    who build them, but a server's ``foo_bar`` is not the field whose wire name is ``fooBar``.
    Raises ``pydantic.ValidationError`` when the server's answer does not fit.
    """
    if tp is Any or tp is object:
        return data
    return _adapter(tp).validate_python(data, by_alias=True, by_name=False)
