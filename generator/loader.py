"""Read the spec (file or URL, JSON or YAML) into plain Python data, with located errors."""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import CodegenError

MAX_SPEC_BYTES = 200 * 1024 * 1024  # far above any real document; stops runaway inputs
MAX_YAML_ALIASES = 10_000  # an alias bomb expands exponentially; real specs use a handful


@dataclass(frozen=True)
class LoadedSpec:
    """The parsed document plus what we need to report and fingerprint it."""

    source: str  # path or URL as the user gave it
    document: dict[str, Any]  # plain JSON data: keys and dates as strings (YAML made like JSON)
    sha256: str  # of the canonical JSON form: recorded in the generated files


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


def load_spec(source: str, headers: dict[str, str] | None = None) -> LoadedSpec:
    """Load and sanity-check an OpenAPI 3.x document from a path or an http(s) URL."""
    raw = _fetch(source, headers or {}) if source.startswith(("http://", "https://")) else _read_file(source)
    document = parse_document(raw, source)
    _check_openapi(document, source)
    try:
        sha256 = canonical_sha256(document)
    except RecursionError:
        raise CodegenError(source, "nested too deeply to be an OpenAPI document") from None
    return LoadedSpec(source=source, document=document, sha256=sha256)


def _read_file(source: str) -> bytes:
    path = Path(source)
    try:
        size = path.stat().st_size
        if size > MAX_SPEC_BYTES:
            raise CodegenError(source, f"file is {size} bytes, over the {MAX_SPEC_BYTES} limit")
        return path.read_bytes()
    except CodegenError:
        raise
    except IsADirectoryError:
        raise CodegenError(source, "is a directory, not a spec file") from None
    except OSError as exc:
        raise CodegenError(source, f"cannot read file: {exc.strerror or exc}") from None


def _fetch(url: str, headers: dict[str, str]) -> bytes:
    import httpx  # only needed for URLs

    try:
        timeout = httpx.Timeout(60.0, connect=10.0)
        with (
            httpx.Client(timeout=timeout, follow_redirects=True) as c,
            c.stream("GET", url, headers=headers) as response,
        ):
            if response.status_code != 200:
                response.read()
                hint = " (does the server need --header 'Authorization: Bearer ...'?)"
                extra = hint if response.status_code in (401, 403) else ""
                raise CodegenError(url, f"HTTP {response.status_code}{extra}")
            chunks: list[bytes] = []
            total = 0
            for chunk in response.iter_bytes():
                total += len(chunk)
                if total > MAX_SPEC_BYTES:
                    raise CodegenError(url, f"response over the {MAX_SPEC_BYTES} byte limit")
                chunks.append(chunk)
            return b"".join(chunks)
    except httpx.HTTPError as exc:
        raise CodegenError(url, f"cannot fetch: {exc}") from None


def parse_document(raw: bytes, source: str) -> dict[str, Any]:
    """Parse JSON or YAML bytes; errors name the line and column."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CodegenError(source, f"not UTF-8 text (byte {exc.start})") from None
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CodegenError(f"{source}:{exc.lineno}:{exc.colno}", f"invalid JSON: {exc.msg}") from None
    else:
        try:  # YAML has non-string keys and dates; JSON data has neither
            data = canonical_document(_parse_yaml(text, source))
        except RecursionError:
            raise CodegenError(source, "nested too deeply to be an OpenAPI document") from None
    if not isinstance(data, dict):
        raise CodegenError(source, "not an OpenAPI document (the top level is not a mapping)")
    return data


class _BoundedLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses documents with too many alias expansions."""

    alias_count = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self.alias_count += 1
            if self.alias_count > MAX_YAML_ALIASES:
                mark = self.peek_event().start_mark
                raise yaml.YAMLError(f"more than {MAX_YAML_ALIASES} aliases at line {mark.line + 1}")
        return super().compose_node(parent, index)


def _parse_yaml(text: str, source: str) -> Any:
    try:
        return yaml.load(text, Loader=_BoundedLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise CodegenError(where, f"invalid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise CodegenError(source, f"invalid YAML: {exc}") from None


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
