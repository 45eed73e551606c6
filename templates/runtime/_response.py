"""Validation of response bodies against the generated types, strict or lenient.

Every generated method hands its decoded body to ``validate_response``. When the body
fits its type, the result is the validated value. When it does not, the server is most
likely newer than the client (a new enum value, a new union member, a field that became
optional or changed type):

* strict (``strict_response_validation=True``): ``APIResponseValidationError``;
* lenient (the default): the value is built anyway, field by field. A model keeps every
  field that validates, the raw wire value of a field that does not, ``None`` for a
  missing required field, and unknown keys as extras; lists and dicts are built item by
  item; a union takes the first member that validates, else the model member its
  discriminator or shape points to. ``validation_errors(model)`` returns pydantic's
  problems for a model built this way, and one warning per model class and process is
  logged (logger named after the package) naming the fields.

A body that must be JSON and is not (an HTML page with status 200, an empty body, bytes)
has nothing to salvage: ``APIResponseValidationError`` in both modes. No
``pydantic.ValidationError`` leaves this module.
"""

from __future__ import annotations

import collections.abc
import contextlib
import functools
import logging
import re
import threading
import types
import weakref
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import httpx
import pydantic
from pydantic.fields import FieldInfo

from ._content import decode_body, media_type, parse_json
from ._errors import APIResponseValidationError
from ._redact import redact_url

__all__ = ["adopt_errors", "lenient_value", "parse_json", "validate_as", "validate_response", "validation_errors"]

log = logging.getLogger(__name__.split(".")[0])

_ISSUES_SHOWN = 3
_INPUT_SHOWN = 60


@functools.lru_cache(maxsize=512)
def _cached_adapter(tp: Any) -> pydantic.TypeAdapter[Any]:
    return pydantic.TypeAdapter(tp)


def _adapter(tp: Any) -> pydantic.TypeAdapter[Any]:
    # Building a TypeAdapter compiles a validator, which is costly; reuse it per type.
    try:
        return _cached_adapter(tp)
    except TypeError:  # unhashable type expression, e.g. Annotated with a dict
        return pydantic.TypeAdapter(tp)


def _validate(tp: Any, data: object) -> Any:
    return _adapter(tp).validate_python(data, by_alias=True, by_name=False)


def validate_as(tp: Any, data: object) -> Any:
    """Validate ``data`` as ``tp`` (e.g. ``list[Agent] | None``) and return the result.

    ``Any`` and ``object`` mean "no schema" and return ``data`` untouched. Keys are read by
    their wire names only: models also take Python names (``populate_by_name``) for callers
    who build them, but a server's ``foo_bar`` is not the field whose wire name is ``fooBar``.
    Raises ``pydantic.ValidationError`` when the data does not fit.
    """
    if tp is Any or tp is object:
        return data
    return _validate(tp, data)


def validate_response(tp: Any, data: object, response: httpx.Response, strict: bool) -> Any:
    """``data``, the decoded body of ``response``, as ``tp``; see the module's docstring.

    Raises ``APIResponseValidationError`` when ``strict`` and the body does not fit, or
    when the body is not JSON and ``tp`` takes no text (nothing to salvage).
    """
    if tp is Any or tp is object:
        return data
    try:
        return _validate(tp, data)
    except pydantic.ValidationError as exc:
        error = exc
    kind, _ = decode_body(response)
    if kind != "json":
        failure = APIResponseValidationError(
            _not_json_message(tp, kind, response), response=response, body=data, errors=[]
        )
        raise failure from failure.cause_unless_secret(error)
    if strict:
        errors = _errors_of(error)
        failure = APIResponseValidationError(
            _mismatch_message(tp, errors, response), response=response, body=data, errors=errors
        )
        raise failure from failure.cause_unless_secret(error)
    value, ok = _Salvage().salvage(tp, data, error=error)
    if not ok:
        _warn_once(tp, [_problem(e) for e in _errors_of(error)])
    return value


def lenient_value(tp: Any, data: object) -> Any:
    """``data`` as ``tp``, built leniently where it does not fit (streams and structured output)."""
    if tp is Any or tp is object:
        return data
    try:
        return _validate(tp, data)
    except pydantic.ValidationError as exc:
        error = exc
    value, ok = _Salvage().salvage(tp, data, error=error)
    if not ok:
        _warn_once(tp, [_problem(e) for e in _errors_of(error)])
    return value


# --------------------------------------------------------------------------- validation problems

_problems: dict[int, list[Any]] = {}
_problems_lock = threading.Lock()


def _remember(instance: pydantic.BaseModel, errors: list[Any]) -> None:
    key = id(instance)
    with _problems_lock:
        new = key not in _problems
        _problems[key] = errors
    if new:
        weakref.finalize(instance, _forget, key)


def _forget(key: int) -> None:
    with _problems_lock:
        _problems.pop(key, None)


def validation_errors(obj: object) -> list[Any]:
    """Pydantic's problems with a model the server's answer did not fit; ``[]`` for one that did.

    A model built leniently (the default: ``strict_response_validation=False``) keeps what
    the server sent where it did not fit; this lists why, as ``pydantic.ValidationError.errors()``
    does: ``loc`` (wire names, relative to ``obj``), ``msg``, ``type`` and the ``input`` as sent.
    Works for every such model of a result, nested ones and stream chunks included.
    """
    with _problems_lock:
        found = _problems.get(id(obj))
    return list(found) if found is not None else []


def adopt_errors(instance: pydantic.BaseModel, model: type, error: pydantic.ValidationError) -> None:
    """``instance`` stands for data that did not fit ``model`` (a stream chunk kept as the
    fallback): it carries ``error``'s problems, and ``model`` is warned about once."""
    errors = _errors_of(error)
    _remember(instance, [*errors, *validation_errors(instance)])
    _warn_once(model, [_problem(e) for e in errors])


def _errors_of(error: pydantic.ValidationError) -> list[Any]:
    return list(error.errors(include_url=False))


# --------------------------------------------------------------------------- warnings, once per model

_warned: set[object] = set()
_warned_lock = threading.Lock()


def _warn_once(tp: Any, problems: list[tuple[str, str]]) -> None:
    """Log the problems of a model class (or a result type) unless it was logged before."""
    key: object = tp
    try:
        hash(key)
    except TypeError:  # an unhashable type expression
        key = repr(tp)
    with _warned_lock:
        if key in _warned:
            return
        _warned.add(key)
    fields = "; ".join(f"{name}: {message}" for name, message in problems[:_ISSUES_SHOWN])
    more = len(problems) - _ISSUES_SHOWN
    if more > 0:
        fields += f"; and {more} more"
    log.warning(
        "the server's answer does not fit %s (%s); the values were kept as sent (see validation_errors()). "
        "The server is probably newer than this client: regenerate it. Logged once per model.",
        _short_type(tp),
        fields,
    )


# --------------------------------------------------------------------------- messages


def _short_type(tp: Any) -> str:
    name = getattr(tp, "__name__", None)
    if isinstance(tp, type) and isinstance(name, str):
        return name
    return re.sub(r"\b(?:[A-Za-z_][A-Za-z0-9_]*\.)+(?=[A-Za-z_])", "", str(tp))


def _short_input(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _INPUT_SHOWN else text[: _INPUT_SHOWN - 3] + "..."


def _format_error(error: Any) -> str:
    loc = ".".join(str(part) for part in error.get("loc", ()))
    message = f"{error.get('msg', '')} (got {_short_input(error.get('input'))})"
    return f"{loc}: {message}" if loc else message


def _target(response: httpx.Response) -> str:
    try:
        request = response.request
    except RuntimeError:  # a Response built by hand has no request
        return "the answer"
    return f"the answer to {request.method} {redact_url(request.url)}"


def _mismatch_message(tp: Any, errors: list[Any], response: httpx.Response) -> str:
    shown = "; ".join(_format_error(error) for error in errors[:_ISSUES_SHOWN])
    more = len(errors) - _ISSUES_SHOWN
    if more > 0:
        shown += f"; and {more} more"
    return f"{_target(response)} does not fit {_short_type(tp)}: {shown}"


def _not_json_message(tp: Any, kind: str, response: httpx.Response) -> str:
    if kind == "empty":
        got = "an empty body"
    else:
        content_type = media_type(response.headers.get("content-type", "")) or "no content type"
        got = f"{len(response.content)} bytes of {content_type}"
        if kind == "text":
            got += f": {_short_input(' '.join(response.text.split()))}"
    return f"{_target(response)} is not JSON ({got}); expected {_short_type(tp)}"


# --------------------------------------------------------------------------- lenient building

_UNION_TYPES: tuple[Any, ...] = (Union, types.UnionType)
_SEQUENCES: tuple[Any, ...] = (list, set, frozenset, collections.abc.Sequence, collections.abc.Set)
_MAPPINGS: tuple[Any, ...] = (dict, collections.abc.Mapping)


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, pydantic.BaseModel)


def _wire_name(name: str, info: FieldInfo) -> str:
    alias = info.validation_alias if isinstance(info.validation_alias, str) else info.alias
    return alias or name


def _fields(cls: type[pydantic.BaseModel]) -> dict[str, FieldInfo]:
    """The model's fields with their annotations resolved.

    A model whose annotations named classes defined after it keeps them as forward
    references in ``model_fields`` until it is rebuilt (validating through a
    ``TypeAdapter`` does not do it).
    """
    if not getattr(cls, "__pydantic_fields_complete__", True) or not cls.__pydantic_complete__:
        # Still unresolvable: the fields stay as they are, validated as they can be.
        with contextlib.suppress(Exception):
            cls.model_rebuild()
    return cls.model_fields


@functools.lru_cache(maxsize=2048)
def _field_type(cls: type[pydantic.BaseModel], name: str) -> Any:
    """The field's type with its constraints and discriminator, for validating it alone."""
    info = _fields(cls)[name]
    return Annotated[info.annotation, info] if info.metadata or info.discriminator else info.annotation


def _discriminator_of(info: FieldInfo | None) -> str | None:
    value = info.discriminator if info is not None else None
    return value if isinstance(value, str) else None


class _Salvage:
    """Builds a value leniently.

    ``build`` and ``salvage`` return the value and whether every problem inside it was taken
    in by a model built here, which carries them (``validation_errors``) and warned about them.
    """

    def build(self, tp: Any, data: object, discriminator: str | None = None) -> tuple[Any, bool]:
        try:
            return _validate(tp, data), True
        except pydantic.ValidationError as exc:
            return self.salvage(tp, data, discriminator, exc)
        except Exception:  # a type pydantic cannot build a validator for alone: keep the data
            return data, False

    def salvage(
        self,
        tp: Any,
        data: object,
        discriminator: str | None = None,
        error: pydantic.ValidationError | None = None,
    ) -> tuple[Any, bool]:
        """``data`` did not validate as ``tp`` (``error``, when known, says why): build what can be."""
        origin = get_origin(tp)
        args = get_args(tp)
        if origin is Annotated:
            inner, *metadata = args
            found = next((_discriminator_of(m) for m in metadata if isinstance(m, FieldInfo)), None)
            return self.build(inner, data, found or discriminator)
        if _is_model(tp):
            return self._model(tp, data, error)
        if origin in _UNION_TYPES:
            return self._union(args, data, discriminator)
        if origin in _SEQUENCES and isinstance(data, list):
            item = args[0] if args else Any
            return self._items([self.build(item, value) for value in data])
        if origin is tuple and isinstance(data, list):
            if len(args) == 2 and args[1] is Ellipsis:
                return self._items([self.build(args[0], value) for value in data])
            if len(args) == len(data):
                return self._items([self.build(arg, value) for arg, value in zip(args, data, strict=True)])
            return data, False
        if origin in _MAPPINGS and isinstance(data, dict):
            value_type = args[1] if len(args) == 2 else Any
            pairs = {key: self.build(value_type, value) for key, value in data.items()}
            return {key: value for key, (value, _) in pairs.items()}, all(ok for _, ok in pairs.values())
        return data, False

    @staticmethod
    def _items(built: list[tuple[Any, bool]]) -> tuple[list[Any], bool]:
        return [value for value, _ in built], all(ok for _, ok in built)

    def _union(self, members: tuple[Any, ...], data: object, discriminator: str | None) -> tuple[Any, bool]:
        for member in members:
            try:
                return _validate(member, data), True
            except Exception:  # pydantic.ValidationError, or a member that cannot be validated alone
                continue
        present = [m for m in members if m is not type(None)]
        if len(present) == 1:  # ``X | None``: the value is not None, so it is an X
            return self.salvage(present[0], data, discriminator)
        models = [m for m in present if _is_model(m) and not issubclass(m, pydantic.RootModel)]
        if isinstance(data, dict) and models:
            chosen = _by_tag(models, data, discriminator) or _by_shape(models, data, discriminator)
            if chosen is not None:
                return self.salvage(chosen, data)
        shaped = [m for m in present if _fits_container(m, data)]
        if shaped:
            return self.salvage(shaped[0], data)
        roots = [m for m in present if _is_model(m) and issubclass(m, pydantic.RootModel)]
        if roots:  # a named union or list: let it sort the data out
            return self.salvage(roots[0], data)
        return data, False

    def _model(
        self, cls: type[pydantic.BaseModel], data: object, error: pydantic.ValidationError | None
    ) -> tuple[Any, bool]:
        if error is None:
            try:
                return _validate(cls, data), True
            except pydantic.ValidationError as exc:
                error = exc
        errors = _errors_of(error)
        if issubclass(cls, pydantic.RootModel):
            value, ok = self.build(_field_type(cls, "root"), data)
            root: pydantic.BaseModel = cls.model_construct(value)
            _remember(root, errors)
            if not ok:
                _warn_once(cls, [_problem(e) for e in errors])
            return root, True
        if not isinstance(data, dict):
            return data, False
        values: dict[str, Any] = {}
        fields_set: set[str] = set()
        known: set[str] = set()
        problems: list[tuple[str, str]] = []
        for name, info in _fields(cls).items():
            key = _wire_name(name, info)
            known.add(key)
            if key in data:
                fields_set.add(name)
                raw = data[key]
                try:
                    values[name] = _validate(_field_type(cls, name), raw)
                    continue
                except pydantic.ValidationError as exc:
                    field_error = exc
                except Exception:  # no validator for the field alone: keep what was sent
                    values[name] = raw
                    continue
                values[name], ok = self.salvage(info.annotation, raw, _discriminator_of(info))
                if not ok:
                    problems.append(_problem(field_error.errors(include_url=False)[0], key))
            elif info.is_required():
                values[name] = None
                problems.append((key, "missing"))
        extras = {key: value for key, value in data.items() if key not in known}
        instance = cls.model_construct(_fields_set=fields_set)
        instance.__dict__.update(values)
        if cls.model_config.get("extra") == "allow":
            object.__setattr__(instance, "__pydantic_extra__", extras)
        elif cls.model_config.get("extra") == "forbid":
            problems.extend((key, "not allowed") for key in extras)
        _remember(instance, errors)
        if problems:
            _warn_once(cls, problems)
        return instance, True


def _problem(error: Any, field: str | None = None) -> tuple[str, str]:
    """``(field, "message (got 'value')")`` of one pydantic error, for the warning."""
    if field is None:
        field = ".".join(str(part) for part in error.get("loc", ())) or "value"
    return field, f"{error.get('msg', '')} (got {_short_input(error.get('input'))})"


def _fits_container(member: Any, data: object) -> bool:
    origin = get_origin(member)
    if isinstance(data, list):
        return origin in _SEQUENCES or origin is tuple
    if isinstance(data, dict):
        return origin in _MAPPINGS
    return False


def _tag_values(cls: type[pydantic.BaseModel], discriminator: str) -> tuple[str, tuple[Any, ...]] | None:
    for name, info in _fields(cls).items():
        key = _wire_name(name, info)
        if discriminator in (name, key) and get_origin(info.annotation) is Literal:
            return key, get_args(info.annotation)
    return None


def _by_tag(models: list[Any], data: dict[Any, Any], discriminator: str | None) -> Any:
    """The member whose literal tag is the data's (by the union's discriminator, or a ``type``-like field)."""
    names = [discriminator] if discriminator else ["type", "kind", "object"]
    for name in names:
        for model in models:
            tag = _tag_values(model, name)
            if tag is not None and tag[0] in data and data[tag[0]] in tag[1]:
                return model
    return None


def _by_shape(models: list[Any], data: dict[Any, Any], discriminator: str | None) -> Any:
    """The member that shares the most keys with the data (the first on a tie); ``None`` if none does.

    The discriminator does not count: a new tag the client does not know is a new member, not
    whichever known member happens to have a tag too.
    """
    best, best_score = None, 0
    for model in models:
        keys = {_wire_name(name, info) for name, info in _fields(model).items()}
        if discriminator:
            tag = _tag_values(model, discriminator)
            keys -= {discriminator, tag[0] if tag is not None else discriminator}
        score = sum(1 for key in data if key in keys)
        if score > best_score:
            best, best_score = model, score
    return best
