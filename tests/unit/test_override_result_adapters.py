"""The ``result: {adapter, model}`` key of a resource method: the answer reshaped client-side.

A small document gets a user's overrides file; the generated package is driven through
httpx.MockTransport. Bad entries are located errors.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from mastra_codegen.errors import CodegenError
from mastra_codegen.overrides import RESULT_ADAPTERS
from mastra_codegen.pipeline import generate

PACKAGE = "override_result_adapters_client"
ROOT = Path(__file__).resolve().parents[2]

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "flows", "version": "1"},
    "paths": {
        "/flows/{flowId}": {
            "get": {
                "tags": ["Flows"],
                "parameters": [{"name": "flowId", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "inputSchema": {"type": "string"},
                                        "outputSchema": {"type": "string"},
                                    },
                                }
                            }
                        },
                    }
                },
            }
        },
    },
}

OVERRIDES = """\
version: 1
components:
  FlowSchema:
    type: object
    properties:
      inputSchema: {type: [object, "null"], additionalProperties: true}
      outputSchema: {type: [object, "null"], additionalProperties: true}
resources:
  Flow:
    accessor: get_flow
    params: {flowId: flow_id}
    methods:
      details: GET /flows/{flowId}
      get_schema:
        operation: GET /flows/{flowId}
        result: {adapter: json_schemas, model: FlowSchema}
      raw_schema:
        operation: GET /flows/{flowId}
        result: {adapter: json_schemas}
"""


def _write(tmp: Path, overrides: str) -> tuple[Path, Path]:
    spec = tmp / "spec.json"
    spec.write_text(json.dumps(DOCUMENT))
    extra = tmp / "extra.yaml"
    extra.write_text(overrides)
    return spec, extra


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    root = tmp_path_factory.mktemp("override-result-adapters")
    spec, extra = _write(root, OVERRIDES)
    generate(str(spec), root / PACKAGE, [extra])
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def _transport() -> httpx.MockTransport:
    answer = {"inputSchema": json.dumps({"json": {"type": "object"}, "meta": {}}), "outputSchema": ""}
    return httpx.MockTransport(lambda request: httpx.Response(200, json=answer))


def test_the_adapter_reshapes_the_answer_into_the_model(package: ModuleType) -> None:
    client = package.MastraClient("http://f.test", http_client=httpx.Client(transport=_transport()))
    schema = client.get_flow("f").get_schema()
    assert isinstance(schema, package.models.FlowSchema)
    assert (schema.input_schema, schema.output_schema) == ({"type": "object"}, None)
    assert client.get_flow("f").raw_schema() == {"inputSchema": {"type": "object"}, "outputSchema": None}
    # The operation itself still answers the server's shape.
    assert client.get_flow("f").details().input_schema.startswith("{")


async def test_the_async_adapter(package: ModuleType) -> None:
    client = package.AsyncMastraClient("http://f.test", http_client=httpx.AsyncClient(transport=_transport()))
    schema = await client.get_flow("f").get_schema()
    assert schema.input_schema == {"type": "object"}


def test_the_generator_knows_every_runtime_adapter() -> None:
    sys.path.insert(0, str(ROOT / "templates"))
    try:
        adapters = importlib.import_module("runtime._adapters")
    except ImportError:  # the runtime imports its siblings relatively: read the names instead
        text = (ROOT / "templates" / "runtime" / "_adapters.py").read_text()
        names = set(text.split("RESULT_ADAPTERS = {", 1)[1].split("}", 1)[0].replace('"', "").split(","))
        assert {n.split(":")[0].strip() for n in names if n.strip()} == RESULT_ADAPTERS
    else:
        assert set(adapters.RESULT_ADAPTERS) == RESULT_ADAPTERS
    finally:
        sys.path.remove(str(ROOT / "templates"))


@pytest.mark.parametrize(
    ("method", "message"),
    [
        ('{operation: "GET /flows/{flowId}", result: {adapter: nope}}', "unknown result adapter 'nope'"),
        ('{operation: "GET /flows/{flowId}", result: {model: X}}', "needs {adapter: NAME, model: COMPONENT}"),
        (
            '{operation: "GET /flows/{flowId}", result: {adapter: json_schemas, model: Missing}}',
            "result model 'Missing'",
        ),
    ],
)
def test_a_bad_result_entry_is_a_located_error(tmp_path: Path, method: str, message: str) -> None:
    overrides = (
        "version: 1\nresources:\n  Flow:\n    accessor: get_flow\n    params: {flowId: flow_id}\n"
        f"    methods:\n      s: {method}\n"
    )
    spec, extra = _write(tmp_path, overrides)
    with pytest.raises(CodegenError) as caught:
        generate(str(spec), tmp_path / "out" / PACKAGE, [extra])
    assert message in str(caught.value)
    assert "extra.yaml:" in str(caught.value)
