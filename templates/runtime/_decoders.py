"""Stream framings, bytes in, complete frames out: one sans-I/O parser for sync and async.

Mastra frames its streams three ways: server-sent events (``data: <json>`` plus a
blank line, ending with ``data: [DONE]``), JSON records each followed by the record
separator ``\\x1e``, and newline-delimited JSON. The decoders below split raw network
reads into frames. They work on bytes: the separators are ASCII, and an ASCII byte
never occurs inside a multi-byte UTF-8 sequence, so a character split across two reads
is joined before any text is decoded (``json.loads`` decodes the whole frame at once).
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["FrameDecoder", "NdjsonDecoder", "RecordDecoder", "SSEDecoder", "make_decoder"]


class FrameDecoder(Protocol):
    def feed(self, data: bytes) -> list[bytes]:
        """Frames completed by ``data`` (the payload bytes, separators removed)."""
        ...

    def flush(self) -> list[bytes]:
        """What is left at the end of the body: a last frame without its terminator."""
        ...


class SSEDecoder:
    """Server-sent events: yields the ``data`` of each event.

    Handles LF, CRLF and CR line ends (also split across reads), comments
    (``: keepalive``) and multi-line data (joined with ``\\n``); other fields
    (``event``, ``id``, ``retry``) are ignored: Mastra sends none.
    """

    __slots__ = ("_pieces", "_crlf")

    def __init__(self) -> None:
        self._pieces: list[bytes] = []
        self._crlf = False  # set once a CR was seen: then lines are normalized first

    def feed(self, data: bytes) -> list[bytes]:
        if not data:
            return []
        if b"\r" in data:
            self._crlf = True
        if b"\n" not in data and not self._crlf:
            self._pieces.append(data)  # no event can end here: avoid re-scanning the buffer
            return []
        buffer = b"".join(self._pieces) + data if self._pieces else data
        held = b""
        if self._crlf:
            if buffer.endswith(b"\r"):  # may be the first half of a CRLF
                buffer, held = buffer[:-1], b"\r"
            buffer = buffer.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        if b"\n\n" not in buffer:
            self._pieces = [buffer + held]
            return []
        blocks = buffer.split(b"\n\n")
        rest = blocks.pop() + held
        self._pieces = [rest] if rest else []
        out: list[bytes] = []
        for block in blocks:
            if block[:6] == b"data: " and b"\n" not in block:
                out.append(block[6:])  # the common case: one data line
            elif block:
                payload = self._event(block)
                if payload is not None:
                    out.append(payload)
        return out

    def flush(self) -> list[bytes]:
        """An event cut off before its blank line still counts if its data line is whole."""
        rest = b"".join(self._pieces)
        self._pieces = []
        if self._crlf:
            rest = rest.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        payload = self._event(rest.strip(b"\n")) if rest.strip() else None
        return [payload] if payload is not None else []

    def _event(self, block: bytes) -> bytes | None:
        data: list[bytes] = []
        for line in block.split(b"\n"):
            if not line or line[:1] == b":":
                continue  # blank line left by extra newlines, or a comment
            name, colon, value = line.partition(b":")
            if not colon:
                name, value = line, b""
            elif value[:1] == b" ":
                value = value[1:]
            if name == b"data":
                data.append(value)
        return b"\n".join(data) if data else None


class _SeparatedDecoder:
    """Frames that end with one separator byte; blank frames (keepalives) are skipped."""

    __slots__ = ("_pieces", "_separator")

    def __init__(self, separator: bytes) -> None:
        self._pieces: list[bytes] = []
        self._separator = separator

    def feed(self, data: bytes) -> list[bytes]:
        if self._separator not in data:
            if data:
                self._pieces.append(data)
            return []
        buffer = b"".join(self._pieces) + data if self._pieces else data
        frames = buffer.split(self._separator)
        rest = frames.pop()
        self._pieces = [rest] if rest else []
        return [f for f in frames if f and not f.isspace()]

    def flush(self) -> list[bytes]:
        rest = b"".join(self._pieces)
        self._pieces = []
        return [rest] if rest and not rest.isspace() else []


class RecordDecoder(_SeparatedDecoder):
    """JSON records, each followed by ``\\x1e`` (workflow and agent-builder streams)."""

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__(b"\x1e")


class NdjsonDecoder(_SeparatedDecoder):
    """Newline-delimited JSON (CRLF works too: the CR is whitespace to the JSON parser)."""

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__(b"\n")


def make_decoder(framing: str) -> FrameDecoder:
    if framing == "sse":
        return SSEDecoder()
    if framing == "records":
        return RecordDecoder()
    if framing == "ndjson":
        return NdjsonDecoder()
    raise ValueError(f"unknown stream framing {framing!r}")
