"""The override keys of the client-js layer: request context on reads, child resources, aliases.

A small document gets a user's overrides file; the generated package is imported and driven
through httpx.MockTransport, so each key is checked by what goes on the wire.
"""

from __future__ import annotations

import base64
import importlib
import json
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from mastra_codegen.errors import CodegenError
from mastra_codegen.pipeline import generate

PACKAGE = "override_resources_client"

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "controllers", "version": "1"},
    "paths": {
        "/controllers": {"get": {"tags": ["Controllers"], "responses": {"200": {"description": "ok"}}}},
        "/controllers/{controllerId}/sessions/{resourceId}/state": {
            "get": {
                "tags": ["Controllers"],
                "parameters": [
                    {"name": "controllerId", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "resourceId", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "scope", "in": "query", "schema": {"type": "string"}},
                ],
                "responses": {"200": {"description": "ok"}},
            }
        },
        "/controllers/{controllerId}": {
            "get": {
                "tags": ["Controllers"],
                "parameters": [{"name": "controllerId", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok"}},
            }
        },
        "/v1/responses": {"get": {"tags": ["Responses"], "responses": {"200": {"description": "ok"}}}},
    },
}

OVERRIDES = """\
version: 1
operations:
  GET /controllers: {request_context: query}
  GET /controllers/{controllerId}/sessions/{resourceId}/state: {request_context: query}
resources:
  Controller:
    accessor: get_controller
    aliases: [OldController]
    params: {controllerId: controller_id}
    methods:
      details: GET /controllers/{controllerId}
  ControllerSession:
    parent: Controller
    accessor: session
    doc: One resource's session of a controller.
    params: {controllerId: controller_id, resourceId: resource_id, scope: scope}
    optional: [scope]
    methods:
      state: GET /controllers/{controllerId}/sessions/{resourceId}/state
  Responses:
    accessor: responses
    methods:
      list: GET /v1/responses
client:
  list_controllers: GET /controllers
"""


def _write(tmp: Path, overrides: str) -> tuple[Path, Path]:
    spec = tmp / "spec.json"
    spec.write_text(json.dumps(DOCUMENT))
    extra = tmp / "extra.yaml"
    extra.write_text(overrides)
    return spec, extra


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    root = tmp_path_factory.mktemp("override-resources")
    spec, extra = _write(root, OVERRIDES)
    generate(str(spec), root / PACKAGE, [extra])
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def _client(package: ModuleType, seen: list[httpx.Request], is_async: bool = False) -> Any:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    transport = httpx.MockTransport(answer)
    if is_async:
        return package.AsyncMastraClient("http://ctl.test", http_client=httpx.AsyncClient(transport=transport))
    return package.MastraClient("http://ctl.test", http_client=httpx.Client(transport=transport))


def _context_of(request: httpx.Request) -> Any:
    raw = urllib.parse.parse_qs(request.url.query.decode())["requestContext"][0]
    return json.loads(base64.b64decode(raw).decode("utf-8"))


def test_request_context_travels_as_base64_json_in_the_query(package: ModuleType) -> None:
    seen: list[httpx.Request] = []
    client = _client(package, seen)
    client.list_controllers(request_context={"tenant": "acme", "name": "Zoë — 東京"})
    client.list_controllers()
    assert _context_of(seen[0]) == {"tenant": "acme", "name": "Zoë — 東京"}
    assert "requestContext" not in seen[1].url.query.decode()


def test_a_child_resource_is_reached_from_its_parent_with_its_own_ids(package: ModuleType) -> None:
    seen: list[httpx.Request] = []
    client = _client(package, seen)
    session = client.get_controller("c 1").session("user-1", scope="s")
    assert isinstance(session, package.ControllerSession)
    session.state(request_context={"k": 1})
    assert seen[0].url.raw_path.split(b"?")[0] == b"/api/controllers/c%201/sessions/user-1/state"
    assert seen[0].url.params["scope"] == "s"
    assert _context_of(seen[0]) == {"k": 1}


async def test_the_async_child_and_the_async_property(package: ModuleType) -> None:
    seen: list[httpx.Request] = []
    client = _client(package, seen, is_async=True)
    session = client.get_controller("c").session("u")
    assert isinstance(session, package.AsyncControllerSession)
    await session.state()
    assert isinstance(client.responses, package.AsyncResponses)
    await client.responses.list()
    assert [r.url.path for r in seen] == ["/api/controllers/c/sessions/u/state", "/api/v1/responses"]


def test_an_id_less_resource_is_a_client_property_and_an_alias_is_the_same_class(package: ModuleType) -> None:
    seen: list[httpx.Request] = []
    client = _client(package, seen)
    assert isinstance(client.responses, package.Responses)
    # The property is also the group of that name: its generated operations stay.
    assert client.responses is client.responses
    client.responses.list()
    client.responses.list_v1_responses()
    assert [r.url.path for r in seen] == ["/api/v1/responses", "/api/v1/responses"]
    assert package.OldController is package.Controller
    assert package.AsyncOldController is package.AsyncController
    assert "OldController" in package.__all__


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ("version: 1\noperations:\n  GET /controllers: {request_context: body}\n", "request_context must be one of"),
        (
            "version: 1\nresources:\n  S:\n    parent: Nope\n    accessor: s\n    methods: {x: GET /controllers}\n",
            "names an absent parent 'Nope'",
        ),
        (
            "version: 1\nresources:\n  S:\n    parent: Controller\n    methods: {x: GET /controllers}\n",
            "needs an accessor",
        ),
        ("version: 1\nresources:\n  S:\n    aliases: [not valid]\n", "aliases is a list of Python class names"),
        ("version: 1\nresources:\n  S:\n    acessor: s\n", "unknown resource key 'acessor'"),
        (
            "version: 1\nresources:\n  Responses:\n    accessor: responses\n"
            "    methods: {list_v1_responses: GET /controllers}\n",
            "Responses.list_v1_responses would hide the operation 'GET /v1/responses' of client.responses",
        ),
    ],
)
def test_a_bad_entry_is_a_located_error(tmp_path: Path, overrides: str, message: str) -> None:
    spec, extra = _write(tmp_path, overrides)
    with pytest.raises(CodegenError) as caught:
        generate(str(spec), tmp_path / "out" / PACKAGE, [extra])
    assert message in str(caught.value)
    assert "extra.yaml:" in str(caught.value)
    assert not (tmp_path / "out" / PACKAGE).exists()


FINAL_STREAM = """\
version: 1
chunks:
  Ev:
    discriminator: kind
    types:
      tick: {fields: {last: {type: boolean}}}
operations:
  GET /controllers: {stream: {framing: sse, chunks: Ev, done: null, final: last}}
"""


def test_an_operation_stream_keeps_its_discriminator_and_final_rule(tmp_path: Path) -> None:
    spec, extra = _write(tmp_path, FINAL_STREAM)
    generate(str(spec), tmp_path / "final_stream_client", [extra])
    sys.path.insert(0, str(tmp_path))
    try:
        package = importlib.import_module("final_stream_client")

        def client(*events: dict[str, Any]) -> Any:
            body = b"".join(b"data: " + json.dumps(e).encode() + b"\n\n" for e in events)
            handler = httpx.MockTransport(lambda request: httpx.Response(200, content=body))
            return package.MastraClient("http://s.test", http_client=httpx.Client(transport=handler), max_retries=0)

        with client(
            {"kind": "tick", "last": False}, {"kind": "tick", "last": True}
        ).controllers.list_controllers() as s:
            assert [e.last for e in s] == [False, True]
        cut = client({"kind": "tick", "last": False}).controllers.list_controllers()
        with cut as s, pytest.raises(package.IncompleteStreamError, match="last: true"):
            list(s)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.split(".")[0] == "final_stream_client"]:
            del sys.modules[name]
