"""Sentinels, type aliases and defaults shared by the runtime and the generated code."""

from __future__ import annotations

import os
from typing import IO, TYPE_CHECKING, Any, Final, Literal, TypeAlias

import httpx
import pydantic
from typing_extensions import TypeVar

__all__ = [
    "AnyTag",
    "DEFAULT_IDLE_TIMEOUT",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "NOT_GIVEN",
    "FileContent",
    "FileTypes",
    "ModelT",
    "NotGiven",
    "ObjectT",
    "TimeoutTypes",
]

ObjectT = TypeVar("ObjectT", default=Any)
"""The structured output of an agent call: the pydantic model passed as ``structured_output``."""

ModelT = TypeVar("ModelT", bound=pydantic.BaseModel, default=Any)
"""A method's ``structured_output`` class, which types the ``object`` of its result."""

if TYPE_CHECKING:

    class AnyTag:
        """The tag (``type``) of a fallback chunk, as type checkers see it: any string.

        At run time it is the ``str`` the server sent. It is not declared a ``str`` so that
        ``if chunk.type == "text-delta":`` narrows a chunk union to ``TextDeltaChunk`` (and the
        fallback, which may hold a text delta whose payload changed), never to another class.
        """

        def __eq__(self, other: object) -> bool:
            return NotImplemented

        def __ne__(self, other: object) -> bool:
            return NotImplemented

        def __hash__(self) -> int:
            return 0

        def startswith(self, prefix: str | tuple[str, ...], /) -> bool:
            return False

        def endswith(self, suffix: str | tuple[str, ...], /) -> bool:
            return False

else:
    AnyTag = str


class NotGiven:
    """Marks an argument the caller did not pass.

    ``None`` is a real value for many Mastra fields (it sends ``null``), so an omitted
    argument needs its own marker. It is falsy so ``if value:`` reads naturally, and
    there is only ever one instance so ``is NOT_GIVEN`` checks are reliable.
    """

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __reduce__(self) -> str:
        # Pickle/copy by name so the singleton survives a round trip.
        return "NOT_GIVEN"


NOT_GIVEN: Final[NotGiven] = NotGiven()

FileContent: TypeAlias = IO[bytes] | bytes | str | os.PathLike[str]
"""What a file upload or a raw body is made of: an open binary file, bytes, text, or a path to read."""

FileTypes: TypeAlias = FileContent | tuple[str | None, FileContent] | tuple[str | None, FileContent, str | None]
"""One file of a multipart upload: its content, or ``(filename, content)``, or
``(filename, content, content_type)``. Without a filename, an open file's own name is used
(``upload`` for bytes and text); without a content type, one is guessed from the filename."""

TimeoutTypes: TypeAlias = float | httpx.Timeout | None
"""Seconds, a full ``httpx.Timeout``, or ``None`` for no timeout."""

DEFAULT_TIMEOUT: Final[httpx.Timeout] = httpx.Timeout(60.0, connect=5.0)
"""Long read timeout because agent generation can take a while; short connect timeout.

For a call that is not a stream, the read timeout also bounds the whole answer, so a
server that trickles bytes cannot hold a call open forever.
"""

DEFAULT_IDLE_TIMEOUT: Final[float] = 60.0
"""Seconds a stream may go without an event before it is given up (``APITimeoutError``).

Subscriptions, which wait for events that may never come, have no idle timeout unless
one is passed.
"""

DEFAULT_MAX_RETRIES: Final[int] = 2

# The largest answer read whole (decompressed), error body and stream event: no normal Mastra
# answer comes near it; a hostile or broken server cannot make the client hold gigabytes.
DEFAULT_MAX_RESPONSE_BYTES: Final[int] = 256 * 1024 * 1024
