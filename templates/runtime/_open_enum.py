"""Open enums: a value a newer server added is kept as it is, in responses only.

A field of a model that responses use and whose schema is an enum is written
``Annotated[Literal["a", "b"] | str, OpenEnum]``. Type checkers read ``Literal["a", "b"] | str``
(pyright and IDEs list the known values; mypy folds it into ``str``), and pydantic, through
``OpenEnum``, builds one union for it: the known values first (validated in Rust, as fast as a
plain ``Literal``), then any ``str`` (or ``int``, for an enum of numbers) of the right kind, kept
unchanged. A client older than its server thus reads ``stepGraph[].type == "someNewKind"``
instead of failing on the whole answer.

Requests stay strict. Fields of models that only requests use are plain ``Literal``s (the
generator leaves them closed), and so are method parameters. A model that requests and
responses share is open, but the client checks a request body (``build_body``, forms,
multipart) with ``context=REQUEST_CONTEXT``: then the second member refuses every value, and
the error is the one a closed ``Literal`` gives (``literal_error``, "Input should be 'a' or
'b'"). One class for both directions, rather than a strict twin of each shared model, keeps
names and ``isinstance`` checks as they are and costs one shared function, called only for a
value outside the known ones. A model instance the caller built is sent as built: pydantic does
not validate instances again (so an object read from the server can be sent back with the
server's own new value).

Tags that tell union members apart (a ``discriminator``, the ``type`` of stream chunks, a
property several members of a plain union declare) stay closed ``Literal``s: an open tag would
let the first member take every input.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Literal, get_args, get_origin

from pydantic import GetCoreSchemaHandler, ValidationInfo
from pydantic_core import CoreSchema, core_schema

__all__ = ["REQUEST_CONTEXT", "OpenEnum"]

_REQUEST_KEY = "mastra_request"
REQUEST_CONTEXT: Mapping[str, object] = MappingProxyType({_REQUEST_KEY: True})
"""The validation context of request bodies: open enums accept only their known values."""


def _unknown_value(value: Any, info: ValidationInfo) -> Any:
    """A value outside the known ones: kept in a response, refused in a request."""
    context = info.context
    if isinstance(context, Mapping) and context.get(_REQUEST_KEY):
        raise ValueError("not a known value")  # replaced by the union's literal_error
    return value


def _expected(values: list[Any]) -> str:
    """The known values as pydantic's ``literal_error`` lists them: ``'a', 'b' or 'c'``."""
    shown = [repr(v) for v in values]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"


class _OpenEnum:
    """The ``Annotated`` marker of an open enum (one shared instance, ``OpenEnum``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "OpenEnum"

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        known: list[Any] = []
        kinds: set[type] = set()
        nullable = False
        for member in get_args(source) or (source,):
            if get_origin(member) is Literal:
                known.extend(v for v in get_args(member) if v is not None)
                nullable = nullable or None in get_args(member)
            elif member is str or member is int:
                kinds.add(member)
            elif member is type(None):
                nullable = True
            else:
                return handler(source)  # not an enum: validated as written
        if not known:
            return handler(source)
        # typing may have folded ``Literal[...] | str | None`` differently (``Optional[Literal[...]]``):
        # the kinds of the known values are the open part then.
        kinds = kinds or {type(v) for v in known if type(v) in (str, int)}
        others = [
            core_schema.with_info_after_validator_function(
                _unknown_value,
                core_schema.str_schema(strict=True) if kind is str else core_schema.int_schema(strict=True),
            )
            for kind in sorted(kinds, key=lambda k: k.__name__)
        ]
        schema = core_schema.union_schema(
            [core_schema.literal_schema(known), *others],
            custom_error_type="literal_error",
            custom_error_context={"expected": _expected(known)},
        )
        return core_schema.nullable_schema(schema) if nullable else schema


OpenEnum = _OpenEnum()
