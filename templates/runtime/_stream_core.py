"""What a stream means, without I/O: frames -> JSON events, end markers, errors, typed chunks.

``StreamCore`` is fed the raw bytes of a response by the sync or the async stream and
returns the events they complete. It knows, from the operation's ``StreamProtocol``
(written by the generator from the overrides), which frame ends a stream cleanly
(``[DONE]``), which chunk types finish or pause it, and which are errors, so a stream
that stops early is reported instead of looking complete.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import pydantic

from ._decoders import FrameDecoder, make_decoder
from ._errors import IncompleteStreamError, ResponseTooLargeError, StreamError
from ._jsonrpc import rpc_error
from ._response import adopt_errors, lenient_value

__all__ = ["ChunkCodec", "ChunkTypes", "StreamCore", "StreamProtocol", "error_message"]

ChunkTypes = tuple[Mapping[str, type[pydantic.BaseModel]], type[pydantic.BaseModel] | None]


# @mastra/server 1.2 ended its \x1e-record streams (workflows) with an SSE end marker too; it
# ends such a stream as cleanly as the end of the body, instead of reading as a cut record.
_SSE_DONE_FRAMES = (b"data: [DONE]", b"data:[DONE]")


class ChunkCodec:
    """Turns an event (a JSON object) into its typed chunk model, chosen by the discriminator.

    Unknown types (the server adds some in most releases, and ``data-*`` chunks are the
    application's own) become the fallback model, which keeps every field. A known type
    whose payload no longer fits its model is also kept as the fallback, with a warning
    once per model; ``validation_errors(chunk)`` says what did not fit. An event that does
    not even fit the fallback (a ``type`` that is not a string, an array instead of an
    object) is the fallback built leniently: nothing is lost and no ``pydantic``
    error escapes. Models are resolved on first use, so importing a client does not
    import every chunk model.
    """

    __slots__ = ("discriminator", "_load", "_types", "_fallback")

    def __init__(self, discriminator: str, load: Callable[[], ChunkTypes]) -> None:
        self.discriminator = discriminator
        self._load = load
        self._types: Mapping[str, type[pydantic.BaseModel]] | None = None
        self._fallback: type[pydantic.BaseModel] | None = None

    def _resolve(self) -> Mapping[str, type[pydantic.BaseModel]]:
        if self._types is None:
            self._types, self._fallback = self._load()
        return self._types

    def decode(self, event: object) -> Any:
        types = self._resolve()
        kind = event.get(self.discriminator) if isinstance(event, dict) else None
        model = types.get(kind) if isinstance(kind, str) else None
        fallback = self._fallback
        if model is not None:
            try:
                return model.model_validate(event, by_alias=True, by_name=False)
            except pydantic.ValidationError as exc:
                if fallback is None:
                    return lenient_value(model, event)
                chunk = lenient_value(fallback, event)
                adopt_errors(chunk, model, exc)
                return chunk
        if fallback is None:
            return event
        if not isinstance(event, dict):
            return _not_an_object(fallback, event)
        return lenient_value(fallback, event)


def _not_an_object(fallback: type[pydantic.BaseModel], event: object) -> Any:
    """An event that is not a JSON object: an empty fallback chunk whose problem holds it."""
    chunk = fallback.model_construct()
    try:
        fallback.model_validate(event, by_alias=True, by_name=False)
    except pydantic.ValidationError as exc:
        adopt_errors(chunk, fallback, exc)
    return chunk


@dataclass(frozen=True)
class StreamProtocol:
    """How one operation's stream is framed and when it is over."""

    framing: str  # sse | records | ndjson
    codec: ChunkCodec | None = None
    done: str | None = None  # the data of the frame that ends the stream cleanly ("[DONE]")
    finish: frozenset[str] = frozenset()  # chunk types after which the end of the body is clean
    pause: frozenset[str] = frozenset()  # chunk types that end it waiting for the caller (approval)
    errors: frozenset[str] = frozenset()  # chunk types raised as StreamError
    discriminator: str = "type"
    long_lived: bool = False  # may stay silent for long (a subscription): no idle timeout by default
    final: str = ""  # a boolean field of an event that, true, marks the last one (A2A's ``final``)
    envelope: str = ""  # "jsonrpc": each frame is a JSON-RPC response; its ``result`` is the event


def error_message(event: object) -> str:
    """The message of an ``error`` chunk, wherever this server version put it."""
    if isinstance(event, dict):
        for holder in (event.get("payload"), event):
            if not isinstance(holder, dict):
                continue
            error = holder.get("error")
            if isinstance(error, dict) and isinstance(error.get("message"), str):
                return str(error["message"])
            if isinstance(error, str) and error:
                return error
            if isinstance(holder.get("message"), str):
                return str(holder["message"])
    return "the server reported an error in the stream"


class StreamCore:
    """Per-stream state: events delivered, how the current round ended, a pending error."""

    __slots__ = (
        "protocol",
        "events",
        "ended",
        "finished",
        "paused",
        "error",
        "request",
        "filter",
        "history",
        "_decoder",
        "_done",
        "_max_bytes",
    )

    def __init__(self, protocol: StreamProtocol) -> None:
        self.protocol = protocol
        self.events = 0  # events delivered so far, over every round: the offset to resume from
        self.request: httpx.Request | None = None
        self.error: StreamError | IncompleteStreamError | None = None  # raised after the events before it
        # A resumed stream replays events the caller already has: the filter drops them
        # before they are counted or looked at. ``history`` keeps the events of the current
        # run when the stream may have to find its place in such a replay.
        self.filter: Callable[[Any], bool] | None = None
        self.history: list[Any] | None = None
        self._done = protocol.done.encode() if protocol.done is not None else None
        self._max_bytes: int | None = None
        self.start_round()

    def set_limit(self, max_bytes: int | None) -> None:
        """The largest event (and unfinished event held) allowed: ``max_response_bytes``."""
        self._max_bytes = max_bytes
        self._decoder.max_bytes = max_bytes

    def start_round(self) -> None:
        """Reset for a new response (a continuation or a reconnect)."""
        self._decoder: FrameDecoder = make_decoder(self.protocol.framing, self._max_bytes)
        self.ended = False  # the end marker arrived
        self.finished = False  # a finishing chunk arrived
        self.paused = False  # the last finishing-or-pausing chunk was a pause
        self.error = None

    def feed(self, data: bytes) -> list[Any]:
        """Events completed by ``data``. After an error, ``error`` is set and nothing more is read."""
        if self.ended or self.error is not None:
            return []
        try:
            frames = self._decoder.feed(data)
        except ResponseTooLargeError as exc:
            raise ResponseTooLargeError(exc.what, size=exc.size, limit=exc.limit, request=self.request) from None
        return self._accept(frames, at_end=False)

    def end_round(self) -> list[Any]:
        """The body is over: the last unterminated frame, if whole.

        When something is missing, ``error`` is set to an ``IncompleteStreamError``, to be
        raised once the events returned here are delivered.
        """
        events = [] if self.ended or self.error is not None else self._accept(self._decoder.flush(), at_end=True)
        if self.error is None and not self.complete:
            self.error = IncompleteStreamError(
                f"the stream ended before it was complete ({self._missing()}) after {self.events} events",
                request=self.request,
                events=self.events,
            )
        return events

    @property
    def complete(self) -> bool:
        if self.protocol.done is not None:
            return self.ended
        if self.protocol.finish or self.protocol.pause or self.protocol.final:
            return self.finished or self.paused
        return True

    def _missing(self) -> str:
        if self.protocol.done is not None:
            return f"no {self.protocol.done} marker"
        wanted = sorted(self.protocol.finish | self.protocol.pause)
        if self.protocol.final:
            wanted.append(f"{self.protocol.final}: true")
        return "no " + " or ".join(wanted) + " chunk"

    def _accept(self, frames: list[bytes], *, at_end: bool) -> list[Any]:
        out: list[Any] = []
        protocol = self.protocol
        for frame in frames:
            if frame == self._done or (protocol.framing != "sse" and frame.strip() in _SSE_DONE_FRAMES):
                self.ended = True
                break
            try:
                event = json.loads(frame)
            except ValueError as exc:
                if at_end:  # the body was cut inside the last frame
                    self.error = IncompleteStreamError(
                        f"the stream was cut inside an event after {self.events} events",
                        request=self.request,
                        events=self.events,
                    )
                    break
                self.error = StreamError(
                    f"the server sent a frame that is not JSON after {self.events} events: {exc}; "
                    f"frame starts {frame[:80]!r}",
                    request=self.request,
                )
                break
            if protocol.envelope == "jsonrpc":
                failure = rpc_error(event)
                if failure is not None:
                    self.error = StreamError(str(failure), request=self.request, chunk=event)
                    break
                event = event.get("result") if isinstance(event, dict) else None
            if self.filter is not None and not self.filter(event):
                continue
            kind = event.get(protocol.discriminator) if isinstance(event, dict) else None
            if isinstance(kind, str):
                if kind in protocol.errors:
                    self.error = StreamError(error_message(event), request=self.request, chunk=event)
                    break
                if kind in protocol.finish:
                    self.finished, self.paused = True, False
                elif kind in protocol.pause:
                    self.paused = True
            if protocol.final and isinstance(event, dict) and event.get(protocol.final) is True:
                self.finished, self.paused = True, False
            self.events += 1
            out.append(event)
        if self.history is not None:
            self.history.extend(out)
        return out
