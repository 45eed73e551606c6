"""One error type for every bad input, so the CLI can print one located line and exit 2."""

from __future__ import annotations


class CodegenError(Exception):
    """A problem with the user's input, reported as ``where: what`` on one line.

    ``where`` is a file (optionally with ``:line``), a URL, or a file plus a JSON
    pointer (``spec.json#/paths/~1agents/get``).
    """

    def __init__(self, where: str, what: str) -> None:
        self.where = where
        self.what = " ".join(what.split())  # one line, whatever the cause said
        super().__init__(f"{where}: {self.what}")


def pointer(*parts: str | int) -> str:
    """Build a JSON pointer (RFC 6901) from raw path parts."""
    return "#/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)
