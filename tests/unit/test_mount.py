"""Documents that write the /api mount into their paths (@mastra/deployer 1.0.x) read like later ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mastra_codegen.mount import hoist_api_mount
from mastra_codegen.pipeline import prepare
from mastra_codegen.server_info import packages_url

RELEASE_1_0 = Path(__file__).resolve().parents[1] / "fixtures" / "releases" / "mastra-server-1.0.4.openapi.json"


def doc(paths: list[str], servers: Any = None) -> dict[str, Any]:
    document: dict[str, Any] = {"openapi": "3.1.0", "paths": {p: {"get": {}} for p in paths}}
    if servers is not None:
        document["servers"] = servers
    return document


def test_paths_under_the_mount_are_hoisted_and_the_rest_kept() -> None:
    paths = [f"/api/r{i}" for i in range(19)] + ["/a2a/{agentId}"]
    hoisted = hoist_api_mount(doc(paths))
    assert hoisted["servers"] == [{"url": "/api"}]
    assert sorted(hoisted["paths"]) == sorted([f"/r{i}" for i in range(19)] + ["/a2a/{agentId}"])


@pytest.mark.parametrize(
    "document",
    [
        doc(["/api/a", "/api/b"], servers=[{"url": "/api"}]),  # the servers entry already names a mount
        doc(["/api/a", "/api/b"], servers=[{"url": "https://h.example/v1"}]),
        doc(["/api/a", "/b", "/c"]),  # most paths are not under /api
        doc(["/api/a"] * 1 + ["/api/b", "/a"]),  # /api/a and /a both: two different routes
        doc([]),
    ],
)
def test_other_documents_are_left_alone(document: dict[str, Any]) -> None:
    assert hoist_api_mount(document) is document


def test_a_root_server_url_still_lets_the_mount_be_hoisted() -> None:
    hoisted = hoist_api_mount(doc(["/api/a", "/api/b"], servers=[{"url": "http://h.example/"}]))
    assert sorted(hoisted["paths"]) == ["/a", "/b"] and hoisted["servers"] == [{"url": "http://h.example/api"}]


def test_release_1_0_4_matches_the_shipped_overrides_and_finds_its_packages_route() -> None:
    prepared = prepare(str(RELEASE_1_0))
    keys = {op.key for op in prepared.operations}
    assert {"GET /agents", "POST /agents/{agentId}/generate", "GET /workflows"} <= keys
    assert not any(key.split(" ", 1)[1].startswith("/api/") for key in keys)
    generate = next(op for op in prepared.operations if op.key == "POST /agents/{agentId}/generate")
    assert (generate.group, generate.py_name) == ("agents", "generate")  # the shipped override's name
    url = packages_url("http://127.0.0.1:4111/openapi.json", prepared.normalized)
    assert url == "http://127.0.0.1:4111/api/system/packages"
