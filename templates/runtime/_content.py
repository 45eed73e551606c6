"""What a response body is: empty, JSON, text or binary, from its content type and its bytes.

Kept apart from ``_response`` (validation) so that ``_errors`` can decode error bodies
without importing validation, which itself raises errors.
"""

from __future__ import annotations

import json
from typing import Literal

import httpx

__all__ = ["BodyKind", "decode_body", "is_binary_media_type", "is_json_media_type", "media_type", "parse_json"]

BodyKind = Literal["empty", "json", "text", "binary"]

# Media types outside ``text/*`` that are text all the same.
_TEXT_APPLICATION_TYPES = frozenset(
    {
        "application/javascript",
        "application/ecmascript",
        "application/xml",
        "application/x-www-form-urlencoded",
        "application/x-ndjson",
        "application/ndjson",
        "application/jsonl",
        "application/yaml",
        "application/x-yaml",
        "application/graphql",
        "application/sql",
        "application/xhtml+xml",
    }
)


def media_type(content_type: str) -> str:
    """``audio/mpeg`` of ``audio/mpeg; charset=...``, lower case."""
    return content_type.split(";", 1)[0].strip().lower()


def is_json_media_type(content_type: str) -> bool:
    media = media_type(content_type)
    return media in ("application/json", "text/json") or media.endswith("+json")


def is_binary_media_type(content_type: str) -> bool:
    """Audio, images, video, fonts, ``application/octet-stream``, PDF, archives...: not text."""
    media = media_type(content_type)
    if not media or is_json_media_type(media) or media.startswith("text/") or media.endswith(("+xml", "+yaml")):
        return False
    if media.startswith("multipart/") or media == "message/http":
        return False
    return media not in _TEXT_APPLICATION_TYPES


def decode_body(response: httpx.Response) -> tuple[BodyKind, object]:
    """What the body is and its value: ``None``, decoded JSON, the text, or the bytes.

    Besides a JSON content type, a body without a content type or one that looks like a
    JSON object or array is tried as JSON too, because some servers and proxies mislabel
    JSON. Bare scalars in a ``text/*`` body stay text so ``"42"`` does not become ``42``.
    A binary content type (``audio/*``, ``image/*``, ``application/octet-stream``...), or
    no content type and bytes that are not UTF-8, gives the bytes, never a mangled text.
    """
    content = response.content
    if not content.strip():
        return "empty", None
    content_type = response.headers.get("content-type", "")
    if is_binary_media_type(content_type):
        return "binary", content
    if is_json_media_type(content_type) or not content_type or content.lstrip()[:1] in (b"{", b"["):
        try:
            return "json", json.loads(content)
        except ValueError:
            pass
    if not content_type:
        try:
            return "text", content.decode("utf-8")
        except UnicodeDecodeError:
            return "binary", content
    return "text", response.text


def parse_json(response: httpx.Response) -> object:
    """The decoded body: ``None`` when empty, JSON when it is JSON, bytes when binary, else the text."""
    return decode_body(response)[1]
