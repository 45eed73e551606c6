"""Spec text as Python source: every string from a document reaches the output through here
or through ``repr``, so quotes, backslashes, newlines and braces stay data, never code."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def _escape_char(char: str) -> str:
    """``char`` as it may stand inside a non-raw string literal (quotes are the caller's)."""
    if char == "\\":
        return "\\\\"
    if char.isprintable():  # not a surrogate, a control or a line break
        return char
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


# What may stay as it is in a URL path (RFC 3986 pchar, plus "/" and an existing "%XX"): no
# quote, backslash, brace or invisible character, so the encoded text is also a literal as it is.
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"


def fstring_path(path: str, calls: Mapping[str, str]) -> str:
    """The inside of a double-quoted f-string for ``path``: each ``{name}`` in ``calls`` becomes
    ``{calls[name]}``; everything else stays literal text, percent-encoded where a URL path
    cannot hold it as it is (so a ``?``, ``#`` or space in a spec path is still path)."""
    out: list[str] = []
    position = 0
    for match in _PLACEHOLDER.finditer(path):
        out.append(_literal(path[position : match.start()]))
        name = match.group(1)
        out.append("{" + calls[name] + "}" if name in calls else _literal(match.group(0)))
        position = match.end()
    out.append(_literal(path[position:]))
    return "".join(out)


def _literal(text: str) -> str:
    return urllib.parse.quote(text, safe=_PATH_SAFE)


_QUOTE_RUN = re.compile(r'"+')


def docstring_body(text: str) -> str:
    """Text for inside a ``\"\"\"`` docstring: backslashes and invisible characters escaped, and
    any quote run that could close the string (three or more, or one at the end) escaped."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n")
    value = "".join(char if char in '\n\t"' else _escape_char(char) for char in lines)

    def quotes(match: re.Match[str]) -> str:
        run = match.group(0)
        return run.replace('"', '\\"') if len(run) >= 3 or match.end() == len(value) else run

    return _QUOTE_RUN.sub(quotes, value)
