"""The app a client was generated for: its workflows and tools, in one shape for both sides.

A running Mastra server describes its own app (``GET /api/workflows``, ``/api/tools``): each
schema as a string of JSON, ``{"json": <JSON Schema>}`` (superjson's wrapper). mastra-codegen
decodes those answers with the functions here into a snapshot and records a fingerprint per
workflow and tool; the generated client decodes the live answers with the same functions and
compares the fingerprints, so "the app changed" means exactly "the schemas changed".
"""

from __future__ import annotations

import hashlib
import json
import threading
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SCHEMA_KEYS = ("input_schema", "output_schema", "resume_schema", "suspend_schema")
_WIRE_KEYS = {"input_schema": "inputSchema", "output_schema": "outputSchema"}
_STEP_WIRE_KEYS = {**_WIRE_KEYS, "resume_schema": "resumeSchema", "suspend_schema": "suspendSchema"}


class AppMismatchWarning(UserWarning):
    """The server's workflows or tools no longer have the schemas the client was generated from."""


def decode_schema(value: Any) -> tuple[Any, str]:
    """A JSON Schema from the server's form of it, and "" (or None and why not).

    The server sends a string holding ``{"json": <schema>}``; an object (already decoded, or
    without the wrapper) is taken as it is; a missing value is None without a problem.
    """
    if value is None:
        return None, ""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            return None, f"not JSON ({exc.msg})"
    if isinstance(value, Mapping) and set(value) <= {"json", "meta"} and "json" in value:
        value = value["json"]
    if isinstance(value, (bool, Mapping)):
        return (dict(value) if isinstance(value, Mapping) else value), ""
    return None, f"not a JSON Schema (a {type(value).__name__})"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _schemas(raw: Mapping[str, Any], keys: Mapping[str, str], where: str, problems: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, wire in keys.items():
        schema, problem = decode_schema(raw.get(wire))
        if problem:
            problems.append(f"{where} {wire}: {problem}")
        if schema is not None or key in _WIRE_KEYS:
            out[key] = schema
    return out


def workflow_entry(key: str, raw: Mapping[str, Any], problems: list[str] | None = None) -> dict[str, Any]:
    """One workflow of ``GET /api/workflows[/{id}]`` in the snapshot's shape."""
    problems = problems if problems is not None else []
    wid = _text(raw.get("name")) or key
    entry: dict[str, Any] = {"key": key, "description": _text(raw.get("description"))}
    entry.update(_schemas(raw, _WIRE_KEYS, f"workflow {wid!r}", problems))
    steps: dict[str, Any] = {}
    raw_steps = raw.get("steps")
    for step_key, step in sorted((raw_steps if isinstance(raw_steps, Mapping) else {}).items()):
        if isinstance(step, Mapping):
            sid = _text(step.get("id")) or str(step_key)
            where = f"workflow {wid!r} step {sid!r}"
            steps[sid] = {
                "description": _text(step.get("description")),
                **_schemas(step, _STEP_WIRE_KEYS, where, problems),
            }
    entry["steps"] = steps
    return entry


def tool_entry(key: str, raw: Mapping[str, Any], problems: list[str] | None = None) -> dict[str, Any]:
    """One tool of ``GET /api/tools`` (or of an agent's ``tools``) in the snapshot's shape."""
    problems = problems if problems is not None else []
    tid = _text(raw.get("id")) or key
    entry: dict[str, Any] = {"key": key, "description": _text(raw.get("description"))}
    entry.update(_schemas(raw, _WIRE_KEYS, f"tool {tid!r}", problems))
    return entry


def workflow_id(key: str, raw: Mapping[str, Any]) -> str:
    """The id a workflow was created with (its ``name`` on the wire); its registration key else."""
    return _text(raw.get("name")) or key


def tool_id(key: str, raw: Mapping[str, Any]) -> str:
    return _text(raw.get("id")) or key


def fingerprint(entry: Mapping[str, Any]) -> str:
    """A short hash of the schemas of a snapshot entry (not of its key or descriptions)."""

    def schemas(item: Mapping[str, Any]) -> dict[str, Any]:
        return {k: item.get(k) for k in SCHEMA_KEYS if item.get(k) is not None}

    shape: dict[str, Any] = schemas(entry)
    steps = entry.get("steps")
    if isinstance(steps, Mapping):
        shape["steps"] = {sid: schemas(step) for sid, step in steps.items()}
    text = json.dumps(shape, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def live_fingerprints(workflows: Any, tools: Any) -> tuple[dict[str, str], dict[str, str]]:
    """Fingerprints by id of the answers of ``GET /api/workflows`` and ``GET /api/tools``."""
    wf: dict[str, str] = {}
    for key, raw in (workflows if isinstance(workflows, Mapping) else {}).items():
        if isinstance(raw, Mapping):
            wf[workflow_id(str(key), raw)] = fingerprint(workflow_entry(str(key), raw))
    tl: dict[str, str] = {}
    for key, raw in (tools if isinstance(tools, Mapping) else {}).items():
        if isinstance(raw, Mapping):
            tl[tool_id(str(key), raw)] = fingerprint(tool_entry(str(key), raw))
    return wf, tl


@dataclass(frozen=True)
class AppCheck:
    """The workflows and tools recorded at generation time against the live server's."""

    expected_workflows: Mapping[str, str]
    expected_tools: Mapping[str, str]
    actual_workflows: Mapping[str, str]
    actual_tools: Mapping[str, str]
    base_url: str = ""
    differences: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        found: list[str] = []
        for kind, expected, actual in (
            ("workflow", self.expected_workflows, self.actual_workflows),
            ("tool", self.expected_tools, self.actual_tools),
        ):
            for name, digest in sorted(expected.items()):
                if name not in actual:
                    found.append(f"{kind} {name!r} is gone")
                elif actual[name] != digest:
                    found.append(f"{kind} {name!r} has other schemas")
        object.__setattr__(self, "differences", tuple(found))

    @property
    def matches(self) -> bool:
        return not self.differences

    def __str__(self) -> str:
        if self.matches:
            return f"the app at {self.base_url} has the workflows and tools this client was generated from"
        return (
            f"the app at {self.base_url} differs from the one this client was generated from: "
            + "; ".join(self.differences)
            + "; regenerate the client with --app to match it"
        )


_warned: set[tuple[str, tuple[str, ...]]] = set()
_warned_lock = threading.Lock()


def warn_once(check: AppCheck) -> None:
    """One ``AppMismatchWarning`` per server and set of differences, per process."""
    if check.matches:
        return
    key = (check.base_url, check.differences)
    with _warned_lock:
        if key in _warned:
            return
        _warned.add(key)
    warnings.warn(str(check), AppMismatchWarning, stacklevel=3)
