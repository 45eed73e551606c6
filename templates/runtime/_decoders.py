"""Stream framings, bytes in, complete frames out: one sans-I/O parser for sync and async.

Mastra frames its streams three ways: server-sent events (``data: <json>`` plus a
blank line, ending with ``data: [DONE]``), JSON records each followed by the record
separator ``\\x1e``, and newline-delimited JSON. The decoders below split raw network
reads into frames. They work on bytes: the separators are ASCII, and an ASCII byte
never occurs inside a multi-byte UTF-8 sequence, so a character split across two reads
is joined before any text is decoded (``json.loads`` decodes the whole frame at once).
"""

from __future__ import annotations

import re
from typing import Protocol

from ._errors import ResponseTooLargeError

__all__ = ["FrameDecoder", "NdjsonDecoder", "RecordDecoder", "SSEDecoder", "make_decoder"]


class FrameDecoder(Protocol):
    max_bytes: int | None

    def feed(self, data: bytes) -> list[bytes]:
        """Frames completed by ``data`` (the payload bytes, separators removed)."""
        ...

    def flush(self) -> list[bytes]:
        """What is left at the end of the body: a last frame without its terminator."""
        ...

    @property
    def buffered(self) -> int:
        """Bytes held for a frame not complete yet."""
        ...


def _too_large(size: int, limit: int) -> ResponseTooLargeError:
    return ResponseTooLargeError("stream event", size=size, limit=limit)


_LINE_END = re.compile(rb"[\r\n]")


class SSEDecoder:
    """Server-sent events: yields the ``data`` of each event.

    Handles LF, CRLF and CR line ends (also split across reads), comments
    (``: keepalive``) and multi-line data (joined with ``\\n``); other fields
    (``event``, ``id``, ``retry``) are ignored: Mastra sends none.

    Linear in its input however the bytes are cut: each byte is scanned for a line end
    once (``_scan`` remembers where the search stopped), and the bytes of a line are only
    copied when the line is complete. ``max_bytes`` bounds what an unfinished event may
    hold (its data lines plus the unfinished line): past it, ``ResponseTooLargeError``.
    """

    __slots__ = ("_buffer", "_scan", "_data", "_data_size", "max_bytes")

    def __init__(self, max_bytes: int | None = None) -> None:
        self._buffer = bytearray()
        self._scan = 0  # bytes of the buffer already searched for a line end
        self._data: list[bytes] = []  # data lines of the current event
        self._data_size = 0
        self.max_bytes = max_bytes

    @property
    def buffered(self) -> int:
        return len(self._buffer) + self._data_size

    def feed(self, data: bytes) -> list[bytes]:
        if not data:
            return []
        buffer = self._buffer
        buffer += data
        out: list[bytes] = []
        start = 0  # where the current line starts
        position = self._scan
        search = _LINE_END.search
        while True:
            match = search(buffer, position)
            if match is None:
                break
            end = match.start()
            if buffer[end] == 0x0D:  # CR: a line end, with the LF that may follow it
                if end + 1 == len(buffer):
                    break  # maybe the first half of a CRLF: decide when more arrives
                after = end + 2 if buffer[end + 1] == 0x0A else end + 1
            else:
                after = end + 1
            self._line(bytes(buffer[start:end]), out)
            start = position = after
        if start:
            del buffer[:start]  # cheap: CPython moves the start of a bytearray
        # Everything is searched but a last CR, which may be the first half of a CRLF.
        self._scan = len(buffer) - 1 if buffer.endswith(b"\r") else len(buffer)
        if self.max_bytes is not None and self.buffered > self.max_bytes:
            raise _too_large(self.buffered, self.max_bytes)
        return out

    def flush(self) -> list[bytes]:
        """An event cut off before its blank line still counts if its data line is whole."""
        out: list[bytes] = []
        rest = bytes(self._buffer)
        self._buffer = bytearray()
        self._scan = 0
        if rest.endswith(b"\r"):
            rest = rest[:-1]
        if rest:
            self._line(rest, out)
        self._line(b"", out)
        return out

    def _line(self, line: bytes, out: list[bytes]) -> None:
        if not line:  # a blank line ends the event
            if self._data:
                out.append(b"\n".join(self._data))
            self._data = []
            self._data_size = 0
            return
        if line[:1] == b":":
            return  # a comment (keepalive)
        name, colon, value = line.partition(b":")
        if not colon:
            name, value = line, b""
        elif value[:1] == b" ":
            value = value[1:]
        if name == b"data":
            self._data.append(value)
            self._data_size += len(value) + 1
            if self.max_bytes is not None and self._data_size > self.max_bytes:
                raise _too_large(self._data_size, self.max_bytes)


class _SeparatedDecoder:
    """Frames that end with one separator byte; blank frames (keepalives) are skipped.

    Linear like ``SSEDecoder``: each byte is searched for the separator once.
    """

    __slots__ = ("_buffer", "_scan", "_separator", "max_bytes")

    def __init__(self, separator: bytes, max_bytes: int | None = None) -> None:
        self._buffer = bytearray()
        self._scan = 0
        self._separator = separator
        self.max_bytes = max_bytes

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def feed(self, data: bytes) -> list[bytes]:
        if not data:
            return []
        buffer = self._buffer
        buffer += data
        out: list[bytes] = []
        start = 0
        position = self._scan
        limit = self.max_bytes
        while True:
            end = buffer.find(self._separator, position)
            if end < 0:
                break
            if limit is not None and end - start > limit:
                raise _too_large(end - start, limit)
            frame = bytes(buffer[start:end])
            if frame and not frame.isspace():
                out.append(frame)
            start = position = end + 1
        if start:
            del buffer[:start]
        self._scan = len(buffer)
        if limit is not None and len(buffer) > limit:
            raise _too_large(len(buffer), limit)
        return out

    def flush(self) -> list[bytes]:
        rest = bytes(self._buffer)
        self._buffer = bytearray()
        self._scan = 0
        return [rest] if rest and not rest.isspace() else []


class RecordDecoder(_SeparatedDecoder):
    """JSON records, each followed by ``\\x1e`` (workflow and agent-builder streams)."""

    __slots__ = ()

    def __init__(self, max_bytes: int | None = None) -> None:
        super().__init__(b"\x1e", max_bytes)


class NdjsonDecoder(_SeparatedDecoder):
    """Newline-delimited JSON (CRLF works too: the CR is whitespace to the JSON parser)."""

    __slots__ = ()

    def __init__(self, max_bytes: int | None = None) -> None:
        super().__init__(b"\n", max_bytes)


def make_decoder(framing: str, max_bytes: int | None = None) -> FrameDecoder:
    if framing == "sse":
        return SSEDecoder(max_bytes)
    if framing == "records":
        return RecordDecoder(max_bytes)
    if framing == "ndjson":
        return NdjsonDecoder(max_bytes)
    raise ValueError(f"unknown stream framing {framing!r}")
