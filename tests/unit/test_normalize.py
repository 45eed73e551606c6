"""Normalization: embedded refs, draft-07 constructs, hoisting, deduplication, names."""

from __future__ import annotations

import json
from typing import Any

import pytest
from mastra_codegen.errors import CodegenError
from mastra_codegen.normalize import ALIASES_KEY, Normalizer, operation_type_name


def doc(paths: dict[str, Any], components: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": paths,
    }
    if components:
        out["components"] = {"schemas": components}
    return out


def body_op(schema: Any, response: Any = None) -> dict[str, Any]:
    op: dict[str, Any] = {
        "requestBody": {"content": {"application/json": {"schema": schema}}},
        "responses": {"200": {"description": "ok"}},
    }
    if response is not None:
        op["responses"]["200"]["content"] = {"application/json": {"schema": response}}
    return op


OBJ = {
    "type": "object",
    "properties": {"name": {"type": "string"}},
    "required": ["name"],
    "additionalProperties": False,
}


def norm(document: dict[str, Any]) -> dict[str, Any]:
    return Normalizer(document, "spec.json").run()


def test_identical_inline_objects_become_one_component_per_role() -> None:
    out = norm(
        doc(
            {
                "/agents/{agentId}/generate": {"post": body_op(OBJ, OBJ)},
                "/agents/{agentId}/stream": {"post": body_op(OBJ)},
            }
        )
    )
    schemas = out["components"]["schemas"]
    # one request shape (shared by generate and stream) and one response shape
    assert sorted(schemas) == ["AgentGenerateResponse", "AgentStreamRequest"]
    # the request keeps additionalProperties false (checked); the response accepts more fields
    assert schemas["AgentStreamRequest"]["additionalProperties"] is False
    assert schemas["AgentGenerateResponse"]["additionalProperties"] is True
    # generate's body still has a type named after it
    assert out["components"][ALIASES_KEY] == {"AgentGenerateRequest": "AgentStreamRequest"}
    ref = out["paths"]["/agents/{agentId}/generate"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert ref == {"$ref": "#/components/schemas/AgentGenerateRequest"}


def test_descriptions_do_not_split_shapes() -> None:
    described = {**OBJ, "properties": {"name": {"type": "string", "description": "who"}}}
    out = norm(doc({"/a": {"post": body_op(OBJ)}, "/b": {"post": body_op(described)}}))
    assert len(out["components"]["schemas"]) == 1


def test_embedded_definitions_are_resolved_per_schema_and_recursive() -> None:
    json_value = {
        "anyOf": [
            {"type": "string"},
            {"type": "array", "items": {"$ref": "#/definitions/__schema0"}},
            {"type": "object", "additionalProperties": {"$ref": "#/definitions/__schema0"}},
        ]
    }
    body = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {"providerOptions": {"$ref": "#/definitions/__schema0"}},
        "definitions": {"__schema0": json_value},
    }
    out = norm(doc({"/agents/{agentId}/generate": {"post": body_op(body)}}))
    schemas = out["components"]["schemas"]
    text = json.dumps(out)
    assert "#/definitions/" not in text and "$schema" not in text
    request = schemas["AgentGenerateRequest"]
    target = request["properties"]["providerOptions"]["$ref"].rsplit("/", 1)[1]
    assert target == "AgentGenerateRequestProviderOptions"
    # the recursion now points at the component itself
    assert {"$ref": f"#/components/schemas/{target}"} == schemas[target]["anyOf"][1]["items"]


def test_dangling_embedded_ref_is_a_located_error() -> None:
    body = {"type": "object", "properties": {"x": {"$ref": "#/definitions/missing"}}}
    with pytest.raises(CodegenError) as info:
        norm(doc({"/a": {"post": body_op(body)}}))
    assert "spec.json#/paths/~1a/post/requestBody" in str(info.value)
    assert "#/definitions/missing" in str(info.value)


def test_draft07_and_openapi30_constructs_are_modernized() -> None:
    body = {
        "type": "object",
        "properties": {
            "pair": {
                "type": "array",
                "items": [{"type": "string"}, {"type": "integer"}],
                "additionalItems": False,
            },
            "maybe": {"type": "string", "nullable": True},
            "above": {"type": "number", "minimum": 0, "exclusiveMinimum": True},
            "email": {"type": "string", "format": "email"},
        },
    }
    out = norm(doc({"/a": {"post": body_op(body)}}))
    props = out["components"]["schemas"]["ARequest"]["properties"]
    assert props["pair"] == {
        "type": "array",
        "prefixItems": [{"type": "string"}, {"type": "integer"}],
        "items": False,
    }
    assert props["maybe"] == {"type": ["string", "null"]}
    assert props["above"] == {"type": "number", "exclusiveMinimum": 0}
    assert props["email"] == {"type": "string"}


def test_named_components_keep_their_names() -> None:
    components = {"user_profile": {"type": "object", "properties": {"id": {"type": "string"}}}}
    out = norm(
        doc(
            {
                "/u": {
                    "get": {
                        "responses": {
                            "200": {
                                "description": "ok",
                                "content": {
                                    "application/json": {"schema": {"$ref": "#/components/schemas/user_profile"}}
                                },
                            }
                        }
                    }
                }
            },
            components,
        )
    )
    assert "UserProfile" in out["components"]["schemas"]


def test_union_members_are_named_by_their_tag() -> None:
    signal = {
        "anyOf": [
            {
                "type": "object",
                "properties": {"type": {"const": "user-message"}, "contents": {"type": "string"}},
            },
            {
                "type": "object",
                "properties": {
                    "type": {"const": "system-reminder"},
                    "contents": {"type": "string"},
                },
            },
        ]
    }
    out = norm(doc({"/agents/{agentId}/signals": {"post": body_op(signal)}}))
    assert {"AgentSignalsRequestUserMessage", "AgentSignalsRequestSystemReminder"} <= set(out["components"]["schemas"])


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("get", "/workflows/{workflowId}/runs/{runId}", ("WorkflowRun", True)),
        ("post", "/agents/{agentId}/generate", ("AgentGenerate", False)),
        ("patch", "/memory/threads/{threadId}", ("MemoryThreadUpdate", False)),
        ("get", "/memory/threads", ("MemoryThreads", False)),
    ],
)
def test_operation_type_names(method: str, path: str, expected: tuple[str, bool]) -> None:
    assert operation_type_name(method, path) == expected


def test_names_do_not_change_when_unrelated_parts_change(pinned_spec: Any) -> None:
    from mastra_codegen.loader import load_spec

    document = load_spec(str(pinned_spec)).document
    before = norm(document)["components"]["schemas"]
    changed = json.loads(json.dumps(document))
    changed["paths"]["/zzz/new-thing"] = {"post": body_op({"type": "object", "properties": {"q": {"type": "integer"}}})}
    del changed["paths"]["/datasets"]  # and one area loses a route
    after = norm(changed)["components"]["schemas"]
    kept = {n for n in before if n in after}
    moved = [n for n in before if n not in after and not n.startswith("Datasets")]
    assert not moved, moved[:5]
    assert all(before[n] == after[n] for n in kept if not n.startswith("Dataset"))


def test_pinned_spec_names(pinned_spec: Any) -> None:
    from mastra_codegen.loader import load_spec

    out = norm(load_spec(str(pinned_spec)).document)
    names = set(out["components"]["schemas"]) | set(out["components"][ALIASES_KEY])
    for expected in (
        "AgentGenerateRequest",
        "WorkflowRun",
        "MemoryThread",
        "Agent",
        "WorkflowStartAsyncResponse",
    ):
        assert expected in names
    assert len(out["components"]["schemas"]) < 1000
