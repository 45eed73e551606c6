"""Two facade methods on one route: ``fixed:`` parameters, and one page iterator for both.

client-js's createDatasetExperiment is triggerDatasetExperiment with ``start: false``; the
Python facade of the same route must send it and must not offer it. getTraces and listTraces
are one paged route: ``iter_traces`` is defined once.
"""

from __future__ import annotations

import importlib
import inspect
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from mastra_codegen.errors import CodegenError
from mastra_codegen.pipeline import generate

PACKAGE = "override_fixed_client"


def _paged(tag: str) -> dict[str, Any]:
    return {
        "get": {
            "tags": [tag],
            "parameters": [
                {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                {"name": "perPage", "in": "query", "schema": {"type": "integer"}},
            ],
            "responses": {
                "200": {
                    "description": "ok",
                    "content": {
                        "application/json": {
                            "schema": {"type": "object", "properties": {"traces": {"type": "array", "items": {}}}}
                        }
                    },
                }
            },
        }
    }


DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "fixed", "version": "1"},
    "paths": {
        "/traces": _paged("Traces"),
        "/old/traces": _paged("Old"),
        "/runs": {
            "post": {
                "tags": ["Runs"],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["name"],
                                "properties": {"name": {"type": "string"}, "start": {"type": "boolean"}},
                            }
                        }
                    },
                },
                "responses": {"200": {"description": "ok"}},
            }
        },
    },
}

OVERRIDES = """\
version: 1
client:
  get_traces: GET /traces
  list_traces: GET /traces
  trigger_run: POST /runs
  create_run:
    operation: POST /runs
    fixed: {start: false}
"""


def _write(tmp: Path, overrides: str) -> tuple[Path, Path]:
    spec = tmp / "spec.json"
    spec.write_text(json.dumps(DOCUMENT))
    extra = tmp / "extra.yaml"
    extra.write_text(overrides)
    return spec, extra


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    root = tmp_path_factory.mktemp("override-fixed")
    spec, extra = _write(root, OVERRIDES)
    generate(str(spec), root / PACKAGE, [extra])
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def _transport(seen: list[httpx.Request]) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    return httpx.MockTransport(answer)


def test_a_fixed_parameter_is_always_sent_and_is_not_a_keyword(package: ModuleType) -> None:
    seen: list[httpx.Request] = []
    client = package.MastraClient("http://fixed.test", http_client=httpx.Client(transport=_transport(seen)))
    client.create_run(name="a")
    client.trigger_run(name="b")
    assert [json.loads(r.content) for r in seen] == [{"name": "a", "start": False}, {"name": "b"}]
    assert "start" not in inspect.signature(package.MastraClient.create_run).parameters
    assert "start" in inspect.signature(package.MastraClient.trigger_run).parameters


async def test_the_async_method_sends_it_too(package: ModuleType) -> None:
    seen: list[httpx.Request] = []
    client = package.AsyncMastraClient("http://fixed.test", http_client=httpx.AsyncClient(transport=_transport(seen)))
    await client.create_run(name="a")
    assert json.loads(seen[0].content) == {"name": "a", "start": False}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            "version: 1\nclient:\n  c:\n    operation: POST /runs\n    fixed: {begin: false}\n",
            "fixed 'begin' is not a parameter of 'POST /runs'",
        ),
        ("version: 1\nclient:\n  c:\n    operation: POST /runs\n    fixed: [start]\n", "needs a mapping"),
        (
            "version: 1\nclient:\n  get_traces: GET /old/traces\n  list_traces: GET /traces\n",
            "list_traces and get_traces would both define iter_traces (for different operations)",
        ),
    ],
)
def test_a_bad_fixed_entry_is_a_located_error(tmp_path: Path, overrides: str, message: str) -> None:
    spec, extra = _write(tmp_path, overrides)
    with pytest.raises(CodegenError) as caught:
        generate(str(spec), tmp_path / "out" / PACKAGE, [extra])
    assert message in str(caught.value)
    assert "extra.yaml:" in str(caught.value)


def test_two_names_of_one_paged_route_share_one_iterator(package: ModuleType) -> None:
    pages = [{"traces": [1, 2]}, {"traces": [3]}, {"traces": []}]
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=pages[len(seen) - 1])

    client = package.MastraClient("http://fixed.test", http_client=httpx.Client(transport=httpx.MockTransport(answer)))
    assert list(client.iter_traces(per_page=2)) == [1, 2, 3]
    assert [r.url.params["page"] for r in seen] == ["0", "1"]
    source = inspect.getsource(package.MastraClient)
    assert source.count("def iter_traces(") == 1
