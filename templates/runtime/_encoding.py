"""Encoding of path parameters, query strings, headers and JSON bodies.

Parameters follow their OpenAPI ``style`` and ``explode`` (RFC 6570 as OpenAPI uses it);
query objects and arrays without a declared style travel as JSON, the way Mastra reads
them. Bodies that are not JSON (forms, uploads, raw bytes) are ``_bodies``'s.
"""

from __future__ import annotations

import base64
import enum
import functools
import json
import urllib.parse
from collections.abc import Callable, Collection, Mapping
from typing import Any

import pydantic
import pydantic_core

from ._open_enum import REQUEST_CONTEXT
from ._redact import is_secret_name
from ._types import NotGiven

__all__ = [
    "EncodedQueryValue",
    "build_body",
    "build_headers",
    "build_query",
    "check_params",
    "path_param",
    "to_jsonable",
]

# Styles by parameter wire name: (style, explode).
Styles = Mapping[str, tuple[str, bool]]


class EncodedQueryValue(str):
    """A query value already percent-encoded, with its delimiters (``,``, ``|``) left as they are.

    ``1,2`` for ``ids=[1, 2]`` in form style without explode: the commas separate the values,
    a comma inside a value is ``%2C``. The HTTP core writes such values into the URL as is.
    """

    __slots__ = ()


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
        return {str(key): to_jsonable(item) for key, item in value.items() if not isinstance(item, NotGiven)}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(item) for item in value]
    return pydantic_core.to_jsonable_python(value, by_alias=True)


def check_params(function: Callable[..., Any], values: Mapping[str, object]) -> None:
    """Check path, query and header arguments against ``function``'s annotations, as bodies are.

    Nothing is sent when one does not fit: ``status="bogus"`` for a ``Literal``, ``per_page="ten"``
    for an ``int``, a list for a ``str`` path parameter raise a ``ValueError`` (a ``TypeError``
    for a value of the wrong type) naming the parameter. Checked like a request body
    (``REQUEST_CONTEXT``: open enums take only their known values); the value sent is the one
    given. ``None`` and ``NOT_GIVEN`` are left out, as when encoding.
    """
    for name, value in values.items():
        if value is None or isinstance(value, NotGiven):
            continue
        adapter = _param_adapter(function, name)
        if adapter is None:
            continue
        try:
            adapter.validate_python(value, context=REQUEST_CONTEXT)
        except pydantic.ValidationError as exc:
            errors = exc.errors(include_url=False, include_input=False)
            problems = "; ".join(_param_problem(error) for error in errors[:3])
            shown = "" if is_secret_name(name) else f" {_short(value)}"
            text = f"{function.__qualname__}(): {name}={type(value).__name__}{shown} is not accepted: {problems}"
            wrong_type = all(str(error.get("type", "")).endswith("_type") for error in errors)
            raise (TypeError if wrong_type else ValueError)(text) from None


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _param_problem(error: Any) -> str:
    where = ".".join(str(part) for part in error.get("loc", ()))
    return f"{where}: {error.get('msg')}" if where else str(error.get("msg"))


@functools.lru_cache(maxsize=4096)
def _param_adapter(function: Callable[..., Any], name: str) -> pydantic.TypeAdapter[Any] | None:
    """A validator of ``function``'s parameter ``name`` (``None`` if its annotation cannot be read)."""
    annotation = getattr(function, "__annotations__", {}).get(name)
    if isinstance(annotation, str):
        try:
            annotation = eval(annotation, getattr(function, "__globals__", {}))  # noqa: S307 (our own annotation)
        except Exception:
            return None
    if annotation is None:
        return None
    config = pydantic.ConfigDict(arbitrary_types_allowed=True, coerce_numbers_to_str=True)
    try:
        return pydantic.TypeAdapter(annotation, config=config)
    except Exception:
        try:
            return pydantic.TypeAdapter(annotation)
        except Exception:
            return None


def path_param(value: object, style: str = "simple", explode: bool = False, name: str = "") -> str:
    """Percent-encode one path parameter, ``/`` included, so ``a/b`` stays one segment.

    Arrays and objects follow ``style``: ``simple`` (``1,2``), ``label`` (``.1.2`` /
    ``.1,2``) or ``matrix`` (``;id=1;id=2`` / ``;id=1,2``; ``name`` is the parameter's).
    Empty, ``.`` and ``..`` segments are refused: the URL would silently address another
    route (``/agents//tools``, ``/agents/../workflows``).
    """
    if value is None or isinstance(value, NotGiven):
        raise ValueError(f"path parameter must be given, got {value!r}")
    kind, items = _style_items(value, explode, _quote)
    if style == "label":
        text = "." + ("." if explode else ",").join(items)
    elif style == "matrix":
        key = _quote(name)
        if kind == "object" and explode:
            text = "".join(f";{item}" for item in items)
        elif kind == "array" and explode:
            text = "".join(f";{key}={item}" for item in items)
        else:
            text = f";{key}=" + ",".join(items)
    else:
        text = ",".join(items)
    if text in ("", ".", ".."):
        raise ValueError(f"path parameter must not be {text!r}")
    return text


def build_query(
    values: Mapping[str, object],
    json_params: Collection[str] = (),
    styles: Styles | None = None,
    base64_json_params: Collection[str] = (),
) -> list[tuple[str, str]]:
    """Turn keyword arguments into ordered query pairs.

    ``NOT_GIVEN`` and ``None`` are skipped; booleans become ``true``/``false``. Names in
    ``styles`` follow their OpenAPI style: ``form`` (``a=1&a=2``, or ``a=1,2`` without
    explode), ``spaceDelimited`` (``a=1%202``), ``pipeDelimited`` (``a=1|2``) or
    ``deepObject`` (``a[x]=1``). Names in ``json_params`` are sent as compact JSON (Mastra
    parses objects and arrays in the query that way); a ``str`` for such a name is taken as
    already encoded. Names in ``base64_json_params`` are sent as base64 of that JSON's UTF-8
    (Mastra's ``?requestContext=``, as @mastra/client-js sends it; a ``str`` is taken as
    encoded). Other lists repeat the key, other dicts use ``name[key]=value``.
    """
    pairs: list[tuple[str, str]] = []
    for name, raw in values.items():
        if raw is None or isinstance(raw, NotGiven):
            continue
        value = to_jsonable(raw) if isinstance(raw, pydantic.BaseModel) else raw
        if styles is not None and name in styles:
            style, explode = styles[name]
            _append_styled(pairs, name, value, style, explode)
        elif name in base64_json_params:
            if isinstance(value, str):  # already encoded
                pairs.append((name, value))
            else:
                text = _compact_json(to_jsonable(value))
                pairs.append((name, base64.b64encode(text.encode("utf-8")).decode("ascii")))
        elif name in json_params:
            if isinstance(value, str):
                pairs.append((name, value))
            else:
                pairs.append((name, _compact_json(to_jsonable(value))))
        else:
            _append_pairs(pairs, name, value)
    return pairs


def build_headers(
    values: Mapping[str, object],
    *,
    cookies: Mapping[str, object] | None = None,
    exploded: Collection[str] = (),
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Header and cookie parameters, then ``extra`` (the caller's own headers) on top.

    Headers use the ``simple`` style: arrays as ``a,b``, objects as ``k,v,k2,v2`` (``k=v,k2=v2``
    for names in ``exploded``). Cookies go in one ``Cookie`` header in ``form`` style
    (explode, the default: ``a=1; a=2``; names not in ``exploded`` as ``a=1,2``), merged with
    a ``Cookie`` in ``extra``. ``NOT_GIVEN`` and ``None`` are left out.
    """
    headers: dict[str, str] = {}
    for name, raw in values.items():
        if raw is None or isinstance(raw, NotGiven):
            continue
        _kind, items = _style_items(raw, name in exploded, _header_text)
        headers[name] = ",".join(items)
    crumbs: list[str] = []
    for name, raw in (cookies or {}).items():
        if raw is None or isinstance(raw, NotGiven):
            continue
        explode = name in exploded
        kind, items = _style_items(raw, explode, _cookie_text)
        if explode and kind == "object":
            crumbs.extend(items)
        elif explode and kind == "array":
            crumbs.extend(f"{name}={item}" for item in items)
        else:
            crumbs.append(f"{name}=" + ",".join(items))
    for key, value in (extra or {}).items():
        if key.lower() == "cookie" and crumbs:
            crumbs.append(value)
        else:
            headers[key] = value
    if crumbs:
        headers["Cookie"] = "; ".join(crumbs)
    return headers


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
    body = _validated(model, given)  # with a union of models: the one the arguments fit
    if extra_body:
        body.update({str(key): to_jsonable(value) for key, value in extra_body.items()})
    return body


def _validated(model: Any, given: Mapping[str, object]) -> dict[str, Any]:
    """``given`` checked by ``model`` (a class or a union of classes), dumped by alias; plain without one.

    Checked as a request (``REQUEST_CONTEXT``): enums that responses leave open take only their
    known values here (see ``_open_enum``).
    """
    if isinstance(model, type) and issubclass(model, pydantic.BaseModel):
        dumped: Any = model.model_validate(given, context=REQUEST_CONTEXT).model_dump(
            mode="json", by_alias=True, exclude_unset=True
        )
    elif model is not None:
        adapter = _union_adapter(model)
        dumped = adapter.dump_python(
            adapter.validate_python(given, context=REQUEST_CONTEXT), mode="json", by_alias=True, exclude_unset=True
        )
    else:
        dumped = {key: to_jsonable(value) for key, value in given.items()}
    return dict(dumped)


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


def _plain(value: object) -> object:
    """Models, enums, dates... as plain JSON data, so styles see dicts, lists and scalars."""
    if isinstance(value, (str, int, float)) and not isinstance(value, enum.Enum):
        return value
    if isinstance(value, (Mapping, list, tuple, pydantic.BaseModel)):
        return to_jsonable(value)
    if isinstance(value, enum.Enum):
        return value.value
    return pydantic_core.to_jsonable_python(value)


def _quote(text: str) -> str:
    return urllib.parse.quote(text, safe="")


# RFC 6265 cookie-octet, less "%" (the escape itself).
_COOKIE_SAFE = "!#$&'()*+-./:<=>?@[]^_`{|}~"


def _cookie_text(text: str) -> str:
    return urllib.parse.quote(text, safe=_COOKIE_SAFE)


def _header_text(text: str) -> str:
    return text


def _style_items(value: object, explode: bool, escape: Any) -> tuple[str, list[str]]:
    """The escaped pieces of a styled value: ``("array", ["1", "2"])``, ``("object", ["k=v"])``...

    Objects give ``k=v`` items with ``explode``, else alternating keys and values.
    """
    data = _plain(value)
    if isinstance(data, Mapping):
        items: list[str] = []
        for key, item in data.items():
            if item is None:
                continue
            text = escape(_item_text(item))
            items.extend([f"{escape(str(key))}={text}"] if explode else [escape(str(key)), text])
        return "object", items
    if isinstance(data, (list, tuple)):
        return "array", [escape(_item_text(item)) for item in data if item is not None]
    return "scalar", [escape(_item_text(data))]


def _item_text(item: object) -> str:
    if isinstance(item, (Mapping, list, tuple)):
        return _compact_json(item)
    return _scalar_text(item)


_DELIMITERS = {"form": ",", "spaceDelimited": "%20", "pipeDelimited": "|"}


def _append_styled(pairs: list[tuple[str, str]], name: str, value: object, style: str, explode: bool) -> None:
    """One parameter's query pairs in its OpenAPI style."""
    data = _plain(value)
    if style == "deepObject" and isinstance(data, Mapping):
        _append_pairs(pairs, name, data)
        return
    if isinstance(data, Mapping):
        if explode:
            for key, item in data.items():
                if item is not None:
                    pairs.append((str(key), _item_text(item)))
        else:
            _kind, items = _style_items(data, False, _quote)
            pairs.append((name, EncodedQueryValue(",".join(items))))
    elif isinstance(data, (list, tuple)):
        if explode:
            pairs.extend((name, _item_text(item)) for item in data if item is not None)
        else:
            _kind, items = _style_items(data, False, _quote)
            pairs.append((name, EncodedQueryValue(_DELIMITERS.get(style, ",").join(items))))
    elif data is not None:
        pairs.append((name, _scalar_text(data)))
