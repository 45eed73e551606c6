"""Read the spec (file or URL, JSON or YAML) into plain Python data, with located errors."""

from __future__ import annotations

import codecs
import datetime
import hashlib
import json
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from . import fetch
from .errors import CodegenError, pointer
from .fetch import BadStatus, Origin, TooBig

# Limits on untrusted input. The largest real documents we know (tests/fixtures/corpus, the Mastra
# specs) are 4.2 MB, about 300,000 values and 53 levels deep; every limit is far above that.
DEFAULT_MAX_SPEC_BYTES = 64 * 1024 * 1024  # the spec plus every document it refers to (--max-spec-size)
MAX_DOCUMENT_VALUES = 3_000_000  # values and keys, with YAML aliases and inlined $refs expanded
MAX_DEPTH = 200  # nested mappings and lists: deeper would overflow the recursive steps downstream
MAX_YAML_ALIASES = 10_000  # real specs use a handful


@dataclass(frozen=True)
class LoadedSpec:
    """The parsed document plus what we need to report and fingerprint it."""

    source: str  # path or URL as the user gave it
    document: dict[str, Any]  # plain JSON data: keys and dates as strings (YAML made like JSON)
    sha256: str  # of the canonical JSON form of ``document``: recorded in the generated files
    warnings: tuple[str, ...] = ()  # what was repaired while loading, for the user


def canonical_document(value: Any) -> Any:
    """The same data with every mapping's keys sorted (as strings) and dates as ISO strings.

    Everything downstream iterates in this order, so the output never depends on the key
    order of the spec (JSON object keys carry no meaning), nor on whether it was JSON or YAML.
    """
    if isinstance(value, dict):
        items = [(str(k), canonical_document(v)) for k, v in value.items()]
        return dict(sorted(items, key=lambda item: item[0]))
    if isinstance(value, list):
        return [canonical_document(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()  # YAML reads unquoted dates as dates; JSON has only strings
    return value


def canonical_sha256(document: Any) -> str:
    """sha256 of the canonical JSON text: equal for documents that differ only in key order or syntax."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_spec(
    source: str,
    headers: dict[str, str] | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_SPEC_BYTES,
    allow_remote_refs: bool = False,
) -> LoadedSpec:
    """Load and sanity-check an OpenAPI 3.x document from a path or an http(s) URL.

    ``$ref`` to other files (and, with ``allow_remote_refs``, URLs) are bundled into the
    document (see ``bundle.bundle``), so everything downstream sees one self-contained
    document. The sha256 recorded in the output is that of the *bundled* document: it
    changes when a referenced file changes, not only the root one, and it is exactly the
    old one for a document without external references (nothing is bundled then).
    """
    from .bundle import bundle

    try:
        raw = read_source(source, headers or {}, max_bytes)
    except BadStatus as exc:
        raise exc.for_spec() from None
    found: list[dict[str, Any]] = []
    document = parse_document(raw, source, found)
    _check_openapi(document, source)
    document = bundle(
        document,
        source,
        headers=headers or {},
        allow_remote=allow_remote_refs,
        max_bytes=max_bytes,
        used=len(raw),
        found=found,
    )
    warnings: list[str] = []
    try:
        try:
            sha256 = canonical_sha256(document)
        except UnicodeEncodeError:
            document, where = replace_lone_surrogates(document)
            warnings.append(
                f"{source}: {_short_pointer(where)}: lone UTF-16 surrogates (\\ud800-\\udfff escapes) are not "
                "text; replaced by U+FFFD wherever they occur"
            )
            sha256 = canonical_sha256(document)
    except RecursionError:
        raise CodegenError(source, "nested too deeply to be an OpenAPI document") from None
    return LoadedSpec(source=source, document=document, sha256=sha256, warnings=tuple(warnings))


_SURROGATE = re.compile("[\ud800-\udfff]")


def replace_lone_surrogates(document: Any) -> tuple[Any, tuple[Any, ...]]:
    """The document with every lone surrogate (JSON allows ``"\\ud800"``; UTF-8 and Python
    source files cannot hold it) made U+FFFD, and where the first one was."""
    first: list[tuple[Any, ...]] = []

    def clean(value: Any, path: tuple[Any, ...]) -> Any:
        if isinstance(value, str):
            if _SURROGATE.search(value) is None:
                return value
            if not first:
                first.append(path)
            return _SURROGATE.sub("\ufffd", value)
        if isinstance(value, dict):
            return {clean(k, path): clean(v, (*path, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v, (*path, i)) for i, v in enumerate(value)]
        return value

    cleaned = clean(document, ())
    return cleaned, first[0] if first else ()


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def read_source(
    source: str, headers: dict[str, str], max_bytes: int, origins: Collection[Origin] | None = None
) -> bytes:
    """The bytes of a file or an http(s) URL, refused as soon as they are over ``max_bytes``.

    A URL is fetched by ``fetch.get``: ``headers`` go only to ``origins`` (default: the URL's
    own), within the size limit (after decompression) and the deadline.
    """
    return _fetch(source, headers, max_bytes, origins) if is_url(source) else _read_file(source, max_bytes)


def _read_file(source: str, max_bytes: int) -> bytes:
    path = Path(source)
    try:
        size = path.stat().st_size
        if size > max_bytes:  # refused before reading a byte
            raise TooBig(source, "file", max_bytes, size)
        # A bounded read: a FIFO or a device (/dev/zero) has no size to check beforehand.
        with path.open("rb") as stream:
            data = stream.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise TooBig(source, "file", max_bytes)
        return data
    except CodegenError:
        raise
    except IsADirectoryError:
        raise CodegenError(source, "is a directory, not a spec file") from None
    except OSError as exc:
        raise CodegenError(source, f"cannot read file: {exc.strerror or exc}") from None


def _fetch(url: str, headers: dict[str, str], max_bytes: int, origins: Collection[Origin] | None) -> bytes:
    return fetch.get(url, headers=headers, origins=origins, max_bytes=max_bytes).body


def parse_document(raw: bytes, source: str, found: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Parse JSON or YAML bytes into a mapping; errors name the line and column."""
    data = parse_data(raw, source, found)
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "empty" if data is None else "a single value"
        raise CodegenError(source, f"not an OpenAPI document (the top level is {kind}, not a mapping)")
    return data


def parse_data(raw: bytes, source: str, found: list[dict[str, Any]] | None = None) -> Any:
    """Parse JSON or YAML bytes into plain JSON data, within the size and depth limits.

    ``found`` collects the mappings with a ``$ref`` or a ``mapping`` key (see ``check_shape``).
    """
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise CodegenError(source, "UTF-16 or UTF-32 text; save it as UTF-8")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise CodegenError(f"{source}:{line}:{column}", f"not UTF-8 text (byte {exc.start})") from None
    stripped = text.lstrip()
    if not stripped:
        raise CodegenError(source, "is empty")
    try:
        if stripped.startswith(("{", "[")):
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise CodegenError(f"{source}:{exc.lineno}:{exc.colno}", f"invalid JSON: {exc.msg}") from None
        else:  # YAML has non-string keys and dates; JSON data has neither
            data = canonical_document(_parse_yaml(text, source))
    except RecursionError:
        raise CodegenError(source, f"nested more than {MAX_DEPTH} levels deep") from None
    if isinstance(data, (dict, list)):
        check_shape(data, source, found)
    return data


def check_shape(data: Any, source: str, found: list[dict[str, Any]] | None = None) -> None:
    """Refuse data nested too deeply or with too many values (iterative: no recursion limit).

    On the way, the mappings with a ``$ref`` or a discriminator's ``mapping`` key are appended
    to ``found``, for the reference checks that come next (one walk of the document, not two).
    """
    count = 1
    level: list[Any] = [data]
    depth = 0
    while level:  # breadth first, one level at a time: the depth is the level's number
        if depth >= MAX_DEPTH:
            where = source + _short_pointer(path_to(data, level[0]))
            raise CodegenError(where, f"nested more than {MAX_DEPTH} levels deep")
        deeper: list[Any] = []
        add = deeper.append
        for value in level:
            if type(value) is dict:  # its keys and values (a container is counted once, here)
                count += 2 * len(value)
                if found is not None and ("$ref" in value or "mapping" in value):
                    found.append(value)
                value = value.values()
            else:
                count += len(value)
            for child in value:
                if type(child) is dict or type(child) is list:  # parsed data: no subclasses
                    add(child)
        if count > MAX_DOCUMENT_VALUES:
            raise CodegenError(source, f"more than {MAX_DOCUMENT_VALUES:,} values: too big to be an API description")
        level = deeper
        depth += 1


def path_to(data: Any, target: Any) -> tuple[Any, ...]:
    """The keys leading to the object ``target`` inside ``data`` (for messages)."""
    stack: list[tuple[Any, tuple[Any, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if value is target:
            return path
        if isinstance(value, dict):
            stack.extend((v, (*path, k)) for k, v in value.items() if isinstance(v, (dict, list)))
        elif isinstance(value, list):
            stack.extend((v, (*path, i)) for i, v in enumerate(value) if isinstance(v, (dict, list)))
    return ()


def _short_pointer(path: tuple[Any, ...]) -> str:
    text = pointer(*path[:12])
    return text + "/..." if len(path) > 12 else text


class _BoundedLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses alias bombs while composing, before anything is built.

    PyYAML shares an aliased node rather than copying it, so ``[*a, *a, ...]`` nine levels deep
    is a small graph, but every later step (keys sorted, JSON text for the sha256) copies
    it: 10**9 values. The expanded size of each anchored node is known when its alias is met,
    so the running total is exact and the bomb is refused at the alias that goes over.
    """

    source = ""
    alias_count = 0
    expanded = 0  # values and keys composed so far, aliases counted as what they stand for
    anchor_sizes: dict[str, int | None]  # None while the anchored node is being composed

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            mark = event.start_mark
            self.alias_count += 1
            if self.alias_count > MAX_YAML_ALIASES:
                raise yaml.YAMLError(f"more than {MAX_YAML_ALIASES} aliases at line {mark.line + 1}")
            node = super().compose_node(parent, index)
            size = self.anchor_sizes.get(event.anchor or "", 0)
            if size is None:
                what = f"alias *{event.anchor} refers to its own ancestor (infinitely deep)"
                raise CodegenError(self._at(mark), what)
            self._count(size, mark)
            return node
        event = self.peek_event()
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self.anchor_sizes[anchor] = None
        before = self.expanded
        node = super().compose_node(parent, index)
        self._count(1, event.start_mark)
        if anchor is not None:
            self.anchor_sizes[anchor] = self.expanded - before
        return node

    def _count(self, size: int, mark: Any) -> None:
        self.expanded += size
        if self.expanded > MAX_DOCUMENT_VALUES:
            raise CodegenError(
                self._at(mark),
                f"more than {MAX_DOCUMENT_VALUES:,} values once the YAML aliases are expanded (an alias bomb?)",
            )

    def _at(self, mark: Any) -> str:
        return f"{self.source}:{mark.line + 1}:{mark.column + 1}"


def _parse_yaml(text: str, source: str) -> Any:
    loader: _BoundedLoader | None = None
    try:
        loader = _BoundedLoader(text)  # its reader already refuses control characters
        loader.source = source
        loader.anchor_sizes = {}
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise CodegenError(where, f"invalid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise CodegenError(source, f"invalid YAML: {exc}") from None
    finally:
        if loader is not None:
            loader.dispose()


def _check_openapi(document: dict[str, Any], source: str) -> None:
    version = document.get("openapi")
    if version is None:
        if "swagger" in document:
            raise CodegenError(source, "Swagger 2.0 document; only OpenAPI 3.x is supported")
        raise CodegenError(source, "not an OpenAPI 3.x document (no 'openapi' field)")
    if not isinstance(version, str) or not version.startswith("3."):
        raise CodegenError(source + "#/openapi", f"unsupported OpenAPI version {version!r}; need 3.x")
    paths = document.get("paths", {})
    if not isinstance(paths, dict):
        raise CodegenError(source + "#/paths", "must be a mapping")
