"""``[tool.mastra-codegen]`` in a project's pyproject.toml: the arguments of ``generate``, kept
with the project, so that ``mastra-codegen`` and ``mastra-codegen --check`` need none.

    [tool.mastra-codegen]
    spec = "specs/mastra.openapi.json"      # or a URL
    output = "src/mastra_client"
    overrides = ["mastra-overrides.yaml"]
    headers = { Authorization = "Bearer ${MASTRA_TOKEN}" }   # ${NAME}: from the environment
    project = false
    project-name = "acme-mastra-client"
    project-version = "1.0.0"
    allow-remote-refs = false
    max-spec-size = 64                      # MB
    server-packages = "packages.json"
    app = "app.json"                        # or the server's base URL: typed workflows and tools

The file is found like ruff finds its own: the closest ``pyproject.toml`` with a
``[tool.mastra-codegen]`` table, from the working directory upward (or the one ``--config``
names). Paths in it are relative to its folder. A value given on the command line wins over
the file's; ``--header`` replaces the file's header of that name.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import CodegenError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

TABLE = "mastra-codegen"
_ENV = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$")


@dataclass(frozen=True)
class Settings:
    """What the file says, checked and with paths made absolute (None: not set there)."""

    path: Path  # the pyproject.toml
    spec: str | None = None
    output: Path | None = None
    overrides: tuple[Path, ...] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    project: bool | None = None
    project_name: str | None = None
    project_version: str | None = None
    allow_remote_refs: bool | None = None
    max_spec_size: int | None = None
    server_packages: Path | None = None
    app: str | None = None  # --app: a snapshot file (absolute here) or a base URL


def find(start: Path) -> Path | None:
    """The closest pyproject.toml with a ``[tool.mastra-codegen]`` table, from ``start`` upward."""
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and _has_table(candidate):
            return candidate
    return None


def _has_table(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if TABLE not in text:
        return False
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return True  # it mentions the table: ``load`` says what is wrong with it
    tool = data.get("tool")
    return isinstance(tool, dict) and TABLE in tool


def load(path: Path, environ: Mapping[str, str]) -> Settings:
    """Read and check the table; every problem is a ``CodegenError`` at ``path:line``."""
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as exc:
        raise CodegenError(str(path), f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise CodegenError(str(path), f"is not UTF-8 text: {exc.reason}") from None
    except tomllib.TOMLDecodeError as exc:
        raise CodegenError(str(path), f"invalid TOML: {exc}") from None
    table = (data.get("tool") or {}).get(TABLE)
    if table is None:
        raise CodegenError(str(path), f"has no [tool.{TABLE}] table")
    reader = _Reader(path, text, table if isinstance(table, dict) else {})
    if not isinstance(table, dict):
        raise CodegenError(reader.where(None), f"[tool.{TABLE}] must be a table")
    unknown = sorted(set(table) - set(_KEYS))
    if unknown:
        raise CodegenError(
            reader.where(unknown[0]),
            f"[tool.{TABLE}]: unknown key {unknown[0]!r}; the keys are: {', '.join(sorted(_KEYS))}",
        )
    values = {_KEYS[key][0]: _KEYS[key][1](reader, key, environ) for key in table}
    return Settings(path=path, **values)


class _Reader:
    """Typed access to the table's values, with errors located at the key's line."""

    def __init__(self, path: Path, text: str, table: dict[str, Any]) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.table = table

    def where(self, key: str | None) -> str:
        """``path:line`` of ``key`` (``headers.Authorization``: of that header) in the table, else ``path``."""
        if key is None:
            return str(self.path)
        start = self._line(rf"\[\s*tool\s*\.\s*[\"']?{re.escape(TABLE)}[\"']?\s*\]", 0)
        first, _, sub = key.partition(".")
        found = self._line(_key_pattern(first), start or 0)
        if found is None:  # a sub-table: [tool.mastra-codegen.headers]
            found = self._line(rf"\[\s*tool\s*\.\s*[\"']?{re.escape(TABLE)}[\"']?\s*\.\s*{re.escape(first)}\s*\]", 0)
        if found is not None and sub:
            inline = re.search(rf"\b[\"']?{re.escape(sub)}[\"']?\s*=", self.lines[found])
            if not inline:
                found = self._line(_key_pattern(sub), found + 1) or found
        return f"{self.path}:{found + 1}" if found is not None else str(self.path)

    def _line(self, pattern: str, start: int) -> int | None:
        """The index of the first line from ``start`` on that ``pattern`` matches at its start."""
        compiled = re.compile(rf"^\s*{pattern}")
        return next((i for i in range(start, len(self.lines)) if compiled.match(self.lines[i])), None)

    def fail(self, key: str, what: str) -> CodegenError:
        return CodegenError(self.where(key), f"[tool.{TABLE}] {key}: {what}")

    def string(self, key: str) -> str:
        value = self.table[key]
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"must be a non-empty string, not {value!r}")
        return value

    def folder_path(self, value: str) -> Path:
        return (self.path.parent / Path(value).expanduser()).absolute()


def _key_pattern(key: str) -> str:
    return rf"[\"']?{re.escape(key)}[\"']?\s*[=.]"


def _spec(reader: _Reader, key: str, environ: Mapping[str, str]) -> str:
    value = reader.string(key)
    return value if value.startswith(("http://", "https://")) else str(reader.folder_path(value))


def _path(reader: _Reader, key: str, environ: Mapping[str, str]) -> Path:
    return reader.folder_path(reader.string(key))


def _paths(reader: _Reader, key: str, environ: Mapping[str, str]) -> tuple[Path, ...]:
    value = reader.table[key]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise reader.fail(key, f'must be a list of paths, e.g. ["overrides.yaml"], not {value!r}')
    return tuple(reader.folder_path(v) for v in value)


def _string(reader: _Reader, key: str, environ: Mapping[str, str]) -> str:
    return reader.string(key)


def _flag(reader: _Reader, key: str, environ: Mapping[str, str]) -> bool:
    value = reader.table[key]
    if not isinstance(value, bool):
        raise reader.fail(key, f"must be true or false, not {value!r}")
    return value


def _megabytes(reader: _Reader, key: str, environ: Mapping[str, str]) -> int:
    value = reader.table[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise reader.fail(key, f"must be a whole number of MB, at least 1, not {value!r}")
    return value


def _headers(reader: _Reader, key: str, environ: Mapping[str, str]) -> dict[str, str]:
    value = reader.table[key]
    if not isinstance(value, dict):
        raise reader.fail(key, 'must be a table, e.g. { Authorization = "Bearer ${MASTRA_TOKEN}" }')
    headers: dict[str, str] = {}
    for name, template in value.items():
        if not isinstance(template, str) or not name.strip():
            raise reader.fail(key, f"{name!r} must be a string")
        headers[name.strip()] = expand(template, environ, functools.partial(reader.fail, f"{key}.{name}"))
    return headers


def expand(template: str, environ: Mapping[str, str], fail: Callable[[str], CodegenError]) -> str:
    """``${NAME}`` replaced by the environment variable ``NAME`` (unset: an error); ``$$`` is ``$``.

    The error names the variable, never a value.
    """

    def one(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group(1)
        if name is None:
            raise fail("a '$' must start ${NAME} (an environment variable) or be written $$")
        if name not in environ:
            raise fail(f"the environment variable {name} is not set")
        return environ[name]

    return _ENV.sub(one, template)


_Read = Callable[[_Reader, str, Mapping[str, str]], Any]
_KEYS: dict[str, tuple[str, _Read]] = {
    "spec": ("spec", _spec),
    "output": ("output", _path),
    "overrides": ("overrides", _paths),
    "headers": ("headers", _headers),
    "project": ("project", _flag),
    "project-name": ("project_name", _string),
    "project-version": ("project_version", _string),
    "allow-remote-refs": ("allow_remote_refs", _flag),
    "max-spec-size": ("max_spec_size", _megabytes),
    "server-packages": ("server_packages", _path),
    "app": ("app", _spec),
}
