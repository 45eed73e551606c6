"""Logging switched on from the environment, and httpx's own request line kept free of secrets.

``MASTRA_LOG=debug`` (or ``info``) makes the package's logger (named after the package,
``mastra_client``) and httpx's logger print to stderr, without any logging setup in the
program: every request, response, retry and validation warning. A program that configured
logging itself (handlers on the root logger) gets only the levels set: its handlers print.
Any other value is ignored, with a warning.

httpx logs ``HTTP Request: GET http://host/api/x?token=... "HTTP/1.1 200 OK"`` at INFO, a
line any program that logs at INFO prints. ``HttpxRedactor``, installed on httpx's logger by
every client, rewrites that line's URL as ``redact_url`` does (user info and credential-like
query values shown as ``<redacted>``), whether or not ``MASTRA_LOG`` is set.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from collections.abc import Mapping
from typing import Final

import httpx

from ._redact import redact_url

__all__ = ["ENV_VAR", "HttpxRedactor", "install_httpx_redactor", "setup_logging"]

ENV_VAR: Final = "MASTRA_LOG"
_LEVELS: Final[Mapping[str, int]] = {"debug": logging.DEBUG, "info": logging.INFO}
_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_PACKAGE: Final = __name__.split(".")[0]  # the generated package (``mastra_client``)
_HTTPX: Final = "httpx"


class HttpxRedactor(logging.Filter):
    """Rewrites the URLs in a record's arguments: no user info, no credential query values."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and any(isinstance(a, (httpx.URL, str)) for a in args):
            record.args = tuple(_redacted(a) for a in args)
        elif isinstance(record.msg, str) and "://" in record.msg and not args:
            record.msg = " ".join(str(_redacted(word)) for word in record.msg.split(" "))
        return True


def _redacted(value: object) -> object:
    """A URL (an ``httpx.URL``, or text that is one) redacted; anything else as it is."""
    if isinstance(value, httpx.URL):
        return redact_url(value)
    if isinstance(value, str) and "://" in value and " " not in value:
        return redact_url(value)
    return value


def install_httpx_redactor() -> None:
    """Put ``HttpxRedactor`` on httpx's logger, once per process."""
    logger = logging.getLogger(_HTTPX)
    if not any(isinstance(f, HttpxRedactor) for f in logger.filters):
        logger.addFilter(HttpxRedactor())


class _Handler(logging.StreamHandler):  # type: ignore[type-arg]
    """The stderr handler ``MASTRA_LOG`` adds (a class of its own: it is added only once)."""


def _configured() -> bool:
    """Whether the program set logging up itself (handlers on the root logger): they print."""
    return bool(logging.getLogger().handlers)


def setup_logging(environ: Mapping[str, str] | None = None) -> int | None:
    """Apply ``MASTRA_LOG`` (read from ``environ``, default ``os.environ``); the level set, or None.

    Called by every client when it is built; calling it again changes nothing unless the
    variable changed (then the level follows it; the handler stays one).
    """
    install_httpx_redactor()
    value = (environ if environ is not None else os.environ).get(ENV_VAR)
    if value is None or not value.strip():
        return None
    level = _LEVELS.get(value.strip().lower())
    if level is None:
        warnings.warn(
            f"{ENV_VAR}={value!r} is not one of {', '.join(_LEVELS)}: ignored",
            RuntimeWarning,
            stacklevel=3,
        )
        return None
    configured = _configured()
    for name in (_PACKAGE, _HTTPX):
        logger = logging.getLogger(name)
        logger.setLevel(level)
        if not configured and not any(isinstance(h, _Handler) for h in logger.handlers):
            handler = _Handler(sys.stderr)
            handler.setFormatter(logging.Formatter(_FORMAT))
            logger.addHandler(handler)
    return level
