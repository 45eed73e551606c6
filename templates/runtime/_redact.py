"""Keep secrets out of logs, exception messages and reprs.

Everything the client prints about a request goes through here: URLs lose their user
info and the values of query parameters that look like credentials, and headers that
carry credentials (``Authorization``, cookies, anything named like a key or a token)
are shown as ``<redacted>``.

The client's own credentials are also scrubbed by value (``scrub``): a server that echoes
the API key in an error body, a header or a reason phrase does not put it into an
exception's message, ``repr``, ``args`` or body, nor into the client's logs. The HTTP core
puts the request's secret values into ``request.extensions[SECRETS_KEY]``; every
``APIError`` built for that request scrubs them.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any

import httpx

__all__ = [
    "REDACTED",
    "SECRETS_KEY",
    "LogScrubber",
    "remember_secrets",
    "is_secret_name",
    "redact_headers",
    "redact_url",
    "scrub",
    "scrub_value",
    "secret_forms",
    "secrets_of",
]

REDACTED = "<redacted>"
SECRETS_KEY = "mastra_client.secrets"

_SECRET_WORDS = re.compile(r"auth|token|secret|passw|api[-_]?key|apikey|cookie|session|signature|credential|key", re.I)
_SECRET_NAMES = frozenset({"key", "x-key", "sig", "code"})
_SCHEMES = re.compile(r"^(?:bearer|basic|token)\s+", re.I)


def is_secret_name(name: str) -> bool:
    """Whether a header or query parameter of this name may carry a credential."""
    return name.lower() in _SECRET_NAMES or _SECRET_WORDS.search(name) is not None


def secret_forms(value: str) -> set[str]:
    """The forms a secret value may come back in: as sent, stripped, without its scheme, encoded."""
    forms: set[str] = set()
    for text in (value, value.strip(), _SCHEMES.sub("", value.strip())):
        if not text.strip():
            continue
        forms.add(text)
        forms.add(json.dumps(text)[1:-1])  # as inside a JSON string
        forms.add(repr(text)[1:-1])  # as quoted by an error message (h11: b'Bearer ...\\n')
        forms.add(urllib.parse.quote(text, safe=""))
        forms.add(urllib.parse.quote_plus(text, safe=""))
    return {form for form in forms if form.strip()}


def secrets_of(request: httpx.Request | None) -> tuple[str, ...]:
    """The secret values the client put on ``request`` (longest first), or ``()``."""
    if request is None:
        return ()
    found = request.extensions.get(SECRETS_KEY)
    return tuple(found) if isinstance(found, tuple) else ()


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret value replaced by ``<redacted>``."""
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def scrub_value(value: Any, secrets: tuple[str, ...]) -> Any:
    """Decoded JSON (or text, or bytes) with secret values replaced wherever they are."""
    if not secrets:
        return value
    if isinstance(value, str):
        return scrub(value, secrets)
    if isinstance(value, bytes):
        for secret in secrets:
            value = value.replace(secret.encode("utf-8", "replace"), REDACTED.encode())
        return value
    if isinstance(value, dict):
        return {scrub_value(key, secrets): scrub_value(item, secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [scrub_value(item, secrets) for item in value]
    return value


def redact_url(url: httpx.URL | str) -> str:
    """``url`` without user info and with credential-like query values replaced."""
    if isinstance(url, str):
        try:
            url = httpx.URL(url)
        except (httpx.InvalidURL, TypeError):
            return REDACTED
    if url.userinfo:
        url = url.copy_with(username=None, password=None)
    if url.query and any(is_secret_name(name) for name in url.params):
        params = [(name, REDACTED if is_secret_name(name) else value) for name, value in url.params.multi_items()]
        url = url.copy_with(params=params)
    return str(url)


def redact_headers(
    headers: Mapping[str, str] | Iterable[tuple[str, str]], secrets: tuple[str, ...] = ()
) -> dict[str, str]:
    """A copy of ``headers`` safe to log (names lower-cased, credential values hidden).

    Values of other headers are scrubbed of ``secrets`` (a header that echoes the key).
    """
    items = headers.items() if isinstance(headers, Mapping) else headers
    return {name.lower(): REDACTED if is_secret_name(name) else scrub(value, secrets) for name, value in items}


_known: set[str] = set()  # every secret value any client of this process sent
_known_lock = threading.Lock()


def remember_secrets(values: Iterable[str]) -> None:
    """Secret values of a request, for ``LogScrubber`` (a log line has no request to ask)."""
    new = set(values) - _known
    if new:
        with _known_lock:
            _known.update(new)


class LogScrubber(logging.Filter):
    """Scrubs the client's credentials from every record of the package's logger.

    Whatever a record quotes (a server's answer in a validation warning, a header it echoed),
    a credential any client of this process sent is shown as ``<redacted>``.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if _known:
            text = record.getMessage()
            clean = scrub(text, sorted(_known, key=len, reverse=True))
            if clean != text:
                record.msg, record.args = clean, None
        return True
