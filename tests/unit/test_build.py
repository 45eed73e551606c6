"""Operation names and signatures derived from the spec, and override layering."""

from __future__ import annotations

from pathlib import Path

import pytest
from mastra_codegen.build import build_operations, default_operation_name
from mastra_codegen.normalize import Normalizer
from mastra_codegen.overrides import apply_to_document, load_overrides


@pytest.mark.parametrize(
    ("method", "path", "group", "expected"),
    [
        ("GET", "/agents", "agents", "list_agents"),
        ("GET", "/agents/{agentId}", "agents", "get_agent"),
        ("POST", "/agents/{agentId}/generate", "agents", "generate"),
        ("GET", "/agents/{agentId}/tools/{toolId}", "agents", "get_tool"),
        ("POST", "/memory/threads", "memory", "create_thread"),
        ("PATCH", "/memory/threads/{threadId}", "memory", "update_thread"),
        ("DELETE", "/memory/threads/{threadId}", "memory", "delete_thread"),
        ("GET", "/memory/threads/{threadId}/messages", "memory", "list_thread_messages"),
        ("POST", "/agent-builder/{actionId}/create-run", "agent_builder", "create_run"),
        ("GET", "/memory/status", "memory", "get_status"),
        ("POST", "/observability/metrics/timeseries", "observability", "metrics_timeseries"),
    ],
)
def test_default_operation_names(method: str, path: str, group: str, expected: str) -> None:
    assert default_operation_name(method, path, group) == expected


DOC = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/memory/threads": {
            "get": {
                "tags": ["Memory"],
                "parameters": [
                    {"name": "page", "in": "query", "required": True, "schema": {"type": "integer", "default": 0}},
                    {
                        "name": "orderBy",
                        "in": "query",
                        "schema": {"type": "object", "properties": {"field": {"type": "string"}}},
                    },
                    {"name": "from", "in": "query", "schema": {"type": "string"}},
                ],
                "responses": {"200": {"description": "ok"}},
            },
            "post": {
                "tags": ["Memory"],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"resourceId": {"type": "string"}, "timeout": {"type": "number"}},
                                "required": ["resourceId"],
                            }
                        }
                    },
                },
                "responses": {"200": {"description": "ok"}},
            },
        }
    },
}


def build(tmp_path: Path, user_yaml: str | None = None) -> dict[str, object]:
    files = []
    if user_yaml:
        files.append(tmp_path / "mine.yaml")
        files[0].write_text(user_yaml)
    overrides = load_overrides(files)
    normalized = Normalizer(apply_to_document(DOC, overrides), "t.json").run()
    return {op.key: op for op in build_operations(normalized, overrides)}


def test_signatures(tmp_path: Path) -> None:
    ops = build(tmp_path)
    listing = ops["GET /memory/threads"]
    params = {p.py_name: p for p in listing.params}
    assert not params["page"].required  # required with a default: the server fills it in
    assert params["order_by"].json_encoded
    assert "from_" in params  # a keyword gets a trailing underscore
    create = ops["POST /memory/threads"]
    body = {p.py_name: p for p in create.body_params}
    assert body["resource_id"].required and body["resource_id"].name == "resourceId"
    assert "body_timeout" in body  # never shadows the per-call timeout
    assert create.body_kind == "fields" and create.body_model == "_models.MemoryThreadsCreateRequest"


def test_user_overrides_layer_on_top(tmp_path: Path) -> None:
    ops = build(tmp_path, "operations:\n  GET /memory/threads:\n    name: threads\n    safe: true\n")
    op = ops["GET /memory/threads"]
    assert op.py_name == "threads" and op.retry_safe
