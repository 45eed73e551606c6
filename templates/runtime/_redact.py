"""Keep secrets out of logs, exception messages and reprs.

Everything the client prints about a request goes through here: URLs lose their user
info and the values of query parameters that look like credentials, and headers that
carry credentials (``Authorization``, cookies, anything named like a key or a token)
are shown as ``<redacted>``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import httpx

__all__ = ["REDACTED", "is_secret_name", "redact_headers", "redact_url"]

REDACTED = "<redacted>"

_SECRET_WORDS = re.compile(r"auth|token|secret|passw|api[-_]?key|apikey|cookie|session|signature|credential", re.I)
_SECRET_NAMES = frozenset({"key", "x-key", "sig", "code"})


def is_secret_name(name: str) -> bool:
    """Whether a header or query parameter of this name may carry a credential."""
    return name.lower() in _SECRET_NAMES or _SECRET_WORDS.search(name) is not None


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


def redact_headers(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
    """A copy of ``headers`` safe to log (names lower-cased, credential values hidden)."""
    items = headers.items() if isinstance(headers, Mapping) else headers
    return {name.lower(): REDACTED if is_secret_name(name) else value for name, value in items}
