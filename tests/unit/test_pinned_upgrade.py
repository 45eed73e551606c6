"""The real upgrade: Mastra server 1.67.0 to 1.69.0 (both specs pinned in specs/).

What ``diff`` must find (the agents' new browser fields; the new observability routes of
``server-notes`` are client-js methods the shipped overrides give 1.67.0 already), that
nothing existing in both is renamed, and that the output does not depend on key order or on
the interpreter's hash seed.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mastra_codegen.apidiff import ApiDiff, diff_surfaces
from mastra_codegen.normalize import ALIASES_KEY
from mastra_codegen.pipeline import Prepared, prepare, spec_surface
from test_upgrades import shuffled

SPECS = Path(__file__).resolve().parents[2] / "specs"
SPEC_1_67 = SPECS / "mastra-server-1.67.0.openapi.json"
SPEC_1_69 = SPECS / "mastra-server-1.69.0.openapi.json"
REF = "#/components/schemas/"


@pytest.fixture(scope="module")
def prepared() -> dict[str, Prepared]:
    return {"1.67": prepare(str(SPEC_1_67)), "1.69": prepare(str(SPEC_1_69))}


@pytest.fixture(scope="module")
def upgrade(prepared: dict[str, Prepared]) -> ApiDiff:
    return diff_surfaces(spec_surface(prepared["1.67"]), spec_surface(prepared["1.69"]))


def test_diff_finds_the_new_routes_and_fields(upgrade: ApiDiff, prepared: dict[str, Prepared]) -> None:
    ops = {c.key: c for c in upgrade.changes if c.kind == "operation"}
    added = sorted(k for k, c in ops.items() if c.change == "added")
    # 1.69.0's new routes (trace query fields and values, thread queries) are the routes of
    # client-js methods: the shipped overrides add them to older documents too
    # (overrides/mastra_platform.yaml), so the upgrade adds no operation.
    assert added == []
    older = spec_surface(prepared["1.67"])["operations"]
    assert {"POST /observability/threads/query", "POST /observability/traces/query/fields"} <= set(older)
    assert not [k for k, c in ops.items() if c.change == "removed"]
    agent = next(c for c in upgrade.changes if c.kind == "model" and c.key == "AgentDetails")
    added_fields = {d.name for d in agent.details if d.what == "field" and d.change == "added"}
    assert {"browserTools", "hasBrowser"} <= added_fields
    assert not agent.breaking  # new fields in what the server answers break no caller


def test_diff_flags_the_breaking_ones(upgrade: ApiDiff) -> None:
    breaking = {(c.kind, c.key) for c in upgrade.breaking}
    # MCP tool execution now answers one of two shapes: the old class is gone
    assert ("model", "McpToolExecuteResponse") in breaking
    assert ("operation", "POST /mcp/{serverId}/tools/{toolId}/execute") in breaking
    # an observability filter accepting one more entity type breaks nobody
    logs = next(c for c in upgrade.changes if c.key == "GET /observability/logs")
    widened = [d for d in logs.details if d.name == "entity_type"]
    assert widened and widened[0].change == "widened" and not logs.breaking


def test_no_operation_is_renamed(upgrade: ApiDiff) -> None:
    renamed = [c.key for c in upgrade.changes for d in c.details if d.what == "name"]
    assert renamed == []


def _locations(normalized: dict[str, Any]) -> dict[str, str]:
    """Where each named type is used (operation, role, property path) -> the name used there."""
    schemas = normalized["components"]["schemas"]
    aliases = normalized["components"].get(ALIASES_KEY, {})
    found: dict[str, str] = {}

    def walk(schema: Any, path: str, seen: frozenset[str]) -> None:
        if not isinstance(schema, dict):
            return
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF):
            name = ref[len(REF) :]
            found[path] = name
            target = aliases.get(name, name)
            if target not in seen:
                walk(schemas.get(target), path, seen | {target})
            return
        for key, sub in (schema.get("properties") or {}).items():
            walk(sub, f"{path}.{key}", seen)
        for key in ("items", "additionalProperties"):
            walk(schema.get(key), f"{path}[{key}]", seen)

    for path, item in normalized["paths"].items():
        for method, op in item.items():
            key = f"{method.upper()} {path}"
            for content in ((op.get("requestBody") or {}).get("content") or {}).values():
                walk(content.get("schema"), f"{key} body", frozenset())
            for status, response in (op.get("responses") or {}).items():
                for content in (response.get("content") or {}).values():
                    walk(content.get("schema"), f"{key} {status}", frozenset())
    return found


def _public_names(normalized: dict[str, Any]) -> dict[str, str]:
    """Every importable model name -> the class it is."""
    schemas = normalized["components"]["schemas"]
    aliases = normalized["components"].get(ALIASES_KEY, {})
    return {**{n: n for n in schemas}, **aliases}


def test_names_survive_the_upgrade(prepared: dict[str, Prepared]) -> None:
    """A type used at a place present in both versions is still importable under its old name,
    as the class now used there (directly or as another name of it)."""
    old, new = prepared["1.67"].normalized, prepared["1.69"].normalized
    old_at, new_at = _locations(old), _locations(new)
    new_names = _public_names(new)
    common = old_at.keys() & new_at.keys()
    assert len(common) > 1000  # the check covers the document, not a corner of it
    lost = sorted(
        f"{place}: {old_at[place]}"
        for place in common
        if new_names.get(old_at[place]) != new_names.get(new_at[place], new_at[place])
    )
    # The only exceptions: shapes the upgrade itself changed from one object into a union.
    assert [entry for entry in lost if "McpToolExecute" not in entry and "WellKnownAgentCard" not in entry] == []


def test_operation_names_survive_the_upgrade(prepared: dict[str, Prepared]) -> None:
    before = {op.key: f"{op.group}.{op.py_name}" for op in prepared["1.67"].operations}
    after = {op.key: f"{op.group}.{op.py_name}" for op in prepared["1.69"].operations}
    assert len(before) > 400
    assert {k: (v, after[k]) for k, v in before.items() if k in after and after[k] != v} == {}


def _render_digest(spec: str, hash_seed: str) -> str:
    """sha256 over every rendered file (before ruff), in a fresh interpreter with this hash seed."""
    code = (
        "import hashlib, sys\n"
        "from mastra_codegen.pipeline import Inputs, _render\n"
        "model, files, *_ = _render(sys.argv[1], 'mastra_client', Inputs())\n"
        "h = hashlib.sha256()\n"
        "for name in sorted(files):\n"
        "    h.update(name.encode() + b'\\0' + files[name].encode() + b'\\0')\n"
        "print(h.hexdigest())\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run([sys.executable, "-c", code, spec], capture_output=True, text=True, env=env, check=True)
    return done.stdout.strip()


@pytest.fixture(scope="module")
def shuffled_spec(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("shuffled") / "spec.json"
    document = json.loads(SPEC_1_69.read_text(encoding="utf-8"))
    path.write_text(json.dumps(shuffled(document, random.Random(20261123))), encoding="utf-8")
    yield path


def test_output_ignores_key_order_and_hash_seed(shuffled_spec: Path) -> None:
    digests = {
        _render_digest(str(SPEC_1_69), "0"),
        _render_digest(str(shuffled_spec), "12345"),
    }
    assert len(digests) == 1
    assert hashlib.sha256(SPEC_1_69.read_bytes()).hexdigest() != hashlib.sha256(shuffled_spec.read_bytes()).hexdigest()
