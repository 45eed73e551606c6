"""A resource's ``params`` bind JSON body fields too, not only path and query parameters.

client-js's ``session.create()`` posts ``{resourceId, sessionScope}`` that the session object
holds; the facade fills them from its attributes (an optional one left out when ``None``)
and does not take them as arguments.
"""

from __future__ import annotations

import importlib
import inspect
import json
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import httpx
import pytest
from mastra_codegen.pipeline import generate

PACKAGE = "override_body_binding_client"

BODY = {
    "type": "object",
    "required": ["resourceId"],
    "properties": {"resourceId": {"type": "string"}, "scope": {"type": "string"}, "tags": {"type": "object"}},
}
DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "binding", "version": "1"},
    "paths": {
        "/ctl/{controllerId}/sessions": {
            "post": {
                "tags": ["Ctl"],
                "parameters": [{"name": "controllerId", "in": "path", "required": True, "schema": {"type": "string"}}],
                "requestBody": {"required": True, "content": {"application/json": {"schema": BODY}}},
                "responses": {"200": {"description": "ok"}},
            }
        },
        "/ctl/{controllerId}": {
            "get": {
                "tags": ["Ctl"],
                "parameters": [{"name": "controllerId", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok"}},
            }
        },
    },
}
OVERRIDES = """\
version: 1
resources:
  Ctl:
    accessor: get_ctl
    params: {controllerId: controller_id}
    methods:
      details: GET /ctl/{controllerId}
  CtlSession:
    parent: Ctl
    accessor: session
    params: {controllerId: controller_id, resourceId: resource_id, scope: scope}
    optional: [scope]
    methods:
      create: POST /ctl/{controllerId}/sessions
"""


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    root = tmp_path_factory.mktemp("body-binding")
    (root / "spec.json").write_text(json.dumps(DOCUMENT))
    (root / "extra.yaml").write_text(OVERRIDES)
    generate(str(root / "spec.json"), root / PACKAGE, [root / "extra.yaml"])
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def test_bound_body_fields_come_from_the_resource(package: ModuleType) -> None:
    seen: list[Any] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append((request.url.path, json.loads(request.content)))
        return httpx.Response(200, json={})

    client = package.MastraClient("http://b.test", http_client=httpx.Client(transport=httpx.MockTransport(answer)))
    create = package.CtlSession.create
    assert {"resource_id", "scope"}.isdisjoint(inspect.signature(create).parameters)
    assert "tags" in inspect.signature(create).parameters
    client.get_ctl("c").session("u 1", scope="wt").create(tags={"a": "b"})
    client.get_ctl("c").session("u 1").create()
    assert seen == [
        ("/api/ctl/c/sessions", {"resourceId": "u 1", "scope": "wt", "tags": {"a": "b"}}),
        ("/api/ctl/c/sessions", {"resourceId": "u 1"}),
    ]
