"""Request bodies that are not JSON: forms, multipart uploads (files) and raw bytes.

The builders return a ``RequestContent``, which the HTTP core sends as it is (JSON bodies
are plain data). Form and multipart fields are checked by the request model like a JSON
body; the files themselves are not the model's to check.
"""

from __future__ import annotations

import dataclasses
import os
import urllib.parse
from collections.abc import Collection, Mapping
from typing import IO, Any

from ._encoding import (
    EncodedQueryValue,
    Styles,
    _append_styled,
    _compact_json,
    _scalar_text,
    _validated,
    to_jsonable,
)
from ._types import FileContent, FileTypes, NotGiven

__all__ = ["RequestContent", "build_form", "build_multipart", "raw_body"]


@dataclasses.dataclass(frozen=True)
class RequestContent:
    """A request body that is not JSON: a form, the parts of a multipart upload, or raw bytes."""

    content_type: str
    content: bytes = b""
    # multipart: (field name, (filename, content, content type)); None for other bodies
    parts: tuple[tuple[str, tuple[str | None, bytes | IO[bytes], str | None]], ...] | None = None


def build_form(
    model: Any,
    values: Mapping[str, object] | NotGiven,
    extra_body: Mapping[str, object] | None = None,
    styles: Styles | None = None,
) -> RequestContent:
    """An ``application/x-www-form-urlencoded`` body, checked by ``model`` like a JSON body.

    Fields use ``form`` style with explode unless ``styles`` (the spec's ``encoding``) says
    otherwise: arrays repeat their key, objects give one pair per property.
    """
    given = {} if isinstance(values, NotGiven) else {k: v for k, v in values.items() if not isinstance(v, NotGiven)}
    data = _validated(model, given)
    if extra_body:
        data.update({str(key): to_jsonable(value) for key, value in extra_body.items()})
    pairs: list[tuple[str, str]] = []
    for name, value in data.items():
        if value is None:
            continue
        style, explode = (styles or {}).get(name, ("form", True))
        _append_styled(pairs, name, value, style, explode)
    text = "&".join(
        f"{_quote_form(key)}={value if isinstance(value, EncodedQueryValue) else _quote_form(value)}"
        for key, value in pairs
    )
    return RequestContent("application/x-www-form-urlencoded", text.encode("ascii"))


def build_multipart(
    model: Any,
    values: Mapping[str, object] | NotGiven,
    extra_body: Mapping[str, object] | None = None,
    files: Collection[str] = (),
    file_arrays: Collection[str] = (),
) -> RequestContent:
    """A ``multipart/form-data`` body: one part per field, a file part per file.

    ``files`` names the fields that take one file, ``file_arrays`` those that take a list of
    them (each a ``FileTypes``). The other fields are checked by ``model`` like a JSON body,
    then sent as text parts (arrays as one part per item, objects as JSON parts).
    """
    given = {} if isinstance(values, NotGiven) else {k: v for k, v in values.items() if not isinstance(v, NotGiven)}
    uploads: list[tuple[str, Any]] = []
    for name, value in list(given.items()):
        if name in file_arrays and isinstance(value, (list, tuple)):
            uploads.extend((name, item) for item in value)
        elif name in files or name in file_arrays:
            uploads.append((name, value))
        else:
            continue
        # The files themselves are not the model's to check: it sees a placeholder.
        if name not in file_arrays:
            given[name] = ""
        else:
            given[name] = ["" for _ in value] if isinstance(value, (list, tuple)) else [""]
    if model is None:
        for name, _ in uploads:
            given.pop(name, None)
    data = _validated(model, given)
    for name, _ in uploads:
        data.pop(name, None)
    if extra_body:
        data.update({str(key): to_jsonable(value) for key, value in extra_body.items()})
    parts: list[tuple[str, tuple[str | None, bytes | IO[bytes], str | None]]] = []
    for name, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            if item is None:
                continue
            if isinstance(item, (Mapping, list)):
                parts.append((name, (None, _compact_json(item).encode(), "application/json")))
            else:
                parts.append((name, (None, _scalar_text(item).encode(), None)))
    parts.extend((name, _file_part(upload)) for name, upload in uploads)
    return RequestContent("multipart/form-data", parts=tuple(parts))


def raw_body(value: FileContent, content_type: str) -> RequestContent:
    """A body sent as it is: bytes, text (UTF-8), an open binary file or a path (read whole)."""
    return RequestContent(content_type, _read(value))


def _read(content: FileContent) -> bytes:
    if isinstance(content, bytes):
        return content
    if isinstance(content, str):
        return content.encode()
    if isinstance(content, os.PathLike):
        with open(content, "rb") as handle:
            return handle.read()
    return content.read()


def _file_part(upload: FileTypes) -> tuple[str | None, bytes | IO[bytes], str | None]:
    """``(filename, content, content type)`` of one upload; a part needs a filename to be a file."""
    filename: str | None = None
    content_type: str | None = None
    content: FileContent
    if isinstance(upload, tuple):
        if len(upload) == 3:
            filename, content, content_type = upload
        else:
            filename, content = upload
    else:
        content = upload
    if isinstance(content, os.PathLike):
        filename = filename or os.path.basename(os.fspath(content))
        return filename, _read(content), content_type
    if isinstance(content, (bytes, str)):
        data: bytes | IO[bytes] = content.encode() if isinstance(content, str) else content
    else:
        data = content
    if filename is None:
        own = getattr(content, "name", None)
        filename = os.path.basename(own) if isinstance(own, str) and own else "upload"
    return filename, data, content_type


def _quote_form(text: str) -> str:
    return urllib.parse.quote_plus(text, safe="")
