"""The stored-resource, provider, processor and workspace facades (overrides/mastra_stored.yaml).

Each client-js method of StoredAgent, StoredPromptBlock, StoredScorer, StoredMCPClient,
StoredSkill, DynamicWorkflow, ToolProvider, ProcessorProvider, Processor, Workspace and
WorkspaceSkillResource, and the MastraClient methods of these areas, sends what
@mastra/client-js 1.47.0 sends (method, path, query with the base64 ``requestContext``, body),
with the sync and the async client, through httpx.MockTransport.
"""

from __future__ import annotations

import base64
import inspect
import json
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import mastra_client
import pytest

RC = {"tenant": "acme", "user": "Zoë"}


@dataclass
class Case:
    """One facade call and the request client-js sends for it."""

    name: str
    call: Callable[[Any], Any]
    method: str
    path: str  # raw path after /api, percent-encoded as on the wire
    query: dict[str, str] = field(default_factory=dict)  # requestContext decoded from base64 JSON
    body: Any = None  # None: no JSON body is checked


def _versioned(label: str, get: Callable[[Any], Any], base: str) -> list[Case]:
    """The version methods StoredAgent, StoredPromptBlock and StoredScorer share."""
    rc = {"requestContext": RC}
    return [
        Case(
            f"{label}.details",
            lambda c: get(c).details(request_context=RC, status="draft"),
            "GET",
            base,
            {"status": "draft", **rc},
        ),
        Case(
            f"{label}.update",
            lambda c: get(c).update(description="d", request_context=RC),
            "PATCH",
            base,
            rc,
            {"description": "d"},
        ),
        Case(f"{label}.delete", lambda c: get(c).delete(request_context=RC), "DELETE", base, rc),
        Case(
            f"{label}.list_versions",
            lambda c: get(c).list_versions(page=1, per_page=5, request_context=RC),
            "GET",
            f"{base}/versions",
            {"page": "1", "perPage": "5", **rc},
        ),
        Case(
            f"{label}.create_version",
            lambda c: get(c).create_version(change_message="m", request_context=RC),
            "POST",
            f"{base}/versions",
            rc,
            {"changeMessage": "m"},
        ),
        Case(
            f"{label}.get_version",
            lambda c: get(c).get_version("v 1", request_context=RC),
            "GET",
            f"{base}/versions/v%201",
            rc,
        ),
        Case(
            f"{label}.activate_version",
            lambda c: get(c).activate_version("v1", request_context=RC),
            "POST",
            f"{base}/versions/v1/activate",
            rc,
        ),
        Case(
            f"{label}.restore_version",
            lambda c: get(c).restore_version("v1", request_context=RC),
            "POST",
            f"{base}/versions/v1/restore",
            rc,
        ),
        Case(
            f"{label}.delete_version",
            lambda c: get(c).delete_version("v1", request_context=RC),
            "DELETE",
            f"{base}/versions/v1",
            rc,
        ),
        # compareVersions(fromId, toId): positional, as client-js takes them.
        Case(
            f"{label}.compare_versions",
            lambda c: get(c).compare_versions("v1", "v2", request_context=RC),
            "GET",
            f"{base}/versions/compare",
            {"from": "v1", "to": "v2", **rc},
        ),
    ]


def _workspace(c: Any) -> Any:
    return c.get_workspace("ws 1")


def _skill(c: Any) -> Any:
    return c.get_workspace("ws 1").get_skill("my skill", skill_path="skills/my skill")


WS = "/workspaces/ws%201"
SKILL = f"{WS}/skills/my%20skill"
MESSAGES = [{"id": "m1", "role": "user", "content": "hi"}]

CASES: list[Case] = [
    *_versioned("StoredAgent", lambda c: c.get_stored_agent("a 1"), "/stored/agents/a%201"),
    Case(
        "StoredAgent.dependents",
        lambda c: c.get_stored_agent("a1").dependents(request_context=RC),
        "GET",
        "/stored/agents/a1/dependents",
        {"requestContext": RC},
    ),
    Case(
        "StoredAgent.favorite",
        lambda c: c.get_stored_agent("a1").favorite(request_context=RC),
        "PUT",
        "/stored/agents/a1/favorite",
        {"requestContext": RC},
    ),
    Case(
        "StoredAgent.unfavorite",
        lambda c: c.get_stored_agent("a1").unfavorite(request_context=RC),
        "DELETE",
        "/stored/agents/a1/favorite",
        {"requestContext": RC},
    ),
    Case(
        "StoredAgent.export",
        lambda c: c.get_stored_agent("a1").export(name="n"),
        "POST",
        "/stored/agents/a1/export",
        {},
        {"name": "n"},
    ),
    Case(
        "StoredAgent.open_change_request",
        lambda c: c.get_stored_agent("a1").open_change_request(name="n"),
        "POST",
        "/stored/agents/a1/change-request",
        {},
        {"name": "n"},
    ),
    *_versioned("StoredPromptBlock", lambda c: c.get_stored_prompt_block("pb 1"), "/stored/prompt-blocks/pb%201"),
    *_versioned("StoredScorer", lambda c: c.get_stored_scorer("sc 1"), "/stored/scorers/sc%201"),
    Case(
        "StoredMcpClient.details",
        lambda c: c.get_stored_mcp_client("m 1").details(request_context=RC),
        "GET",
        "/stored/mcp-clients/m%201",
        {"requestContext": RC},
    ),
    Case(
        "StoredMcpClient.update",
        lambda c: c.get_stored_mcp_client("m1").update(name="n", request_context=RC),
        "PATCH",
        "/stored/mcp-clients/m1",
        {"requestContext": RC},
        {"name": "n"},
    ),
    Case(
        "StoredMcpClient.delete",
        lambda c: c.get_stored_mcp_client("m1").delete(request_context=RC),
        "DELETE",
        "/stored/mcp-clients/m1",
        {"requestContext": RC},
    ),
    Case(
        "StoredSkill.details",
        lambda c: c.get_stored_skill("s 1").details(request_context=RC),
        "GET",
        "/stored/skills/s%201",
        {"requestContext": RC},
    ),
    Case(
        "StoredSkill.update",
        lambda c: c.get_stored_skill("s1").update(instructions="i", request_context=RC),
        "PATCH",
        "/stored/skills/s1",
        {"requestContext": RC},
        {"instructions": "i"},
    ),
    Case(
        "StoredSkill.delete",
        lambda c: c.get_stored_skill("s1").delete(request_context=RC),
        "DELETE",
        "/stored/skills/s1",
        {"requestContext": RC},
    ),
    Case(
        "StoredSkill.favorite",
        lambda c: c.get_stored_skill("s1").favorite(request_context=RC),
        "PUT",
        "/stored/skills/s1/favorite",
        {"requestContext": RC},
    ),
    Case(
        "StoredSkill.unfavorite",
        lambda c: c.get_stored_skill("s1").unfavorite(request_context=RC),
        "DELETE",
        "/stored/skills/s1/favorite",
        {"requestContext": RC},
    ),
    Case(
        "DynamicWorkflow.details", lambda c: c.get_dynamic_workflow("dw 1").details(), "GET", "/stored/workflows/dw%201"
    ),
    Case("DynamicWorkflow.delete", lambda c: c.get_dynamic_workflow("dw1").delete(), "DELETE", "/stored/workflows/dw1"),
    Case(
        "ToolProvider.list_toolkits",
        lambda c: c.get_tool_provider("tp 1").list_toolkits(),
        "GET",
        "/tool-providers/tp%201/toolkits",
    ),
    Case(
        "ToolProvider.list_tools",
        lambda c: c.get_tool_provider("tp").list_tools(toolkit="gh", search="issue", page=2, per_page=10),
        "GET",
        "/tool-providers/tp/tools",
        {"toolkit": "gh", "search": "issue", "page": "2", "perPage": "10"},
    ),
    Case(
        "ToolProvider.get_tool_schema",
        lambda c: c.get_tool_provider("tp").get_tool_schema("GH/ISSUE"),
        "GET",
        "/tool-providers/tp/tools/GH%2FISSUE/schema",
    ),
    Case(
        "ToolProvider.authorize",
        lambda c: c.get_tool_provider("tp").authorize(toolkit="gh"),
        "POST",
        "/tool-providers/tp/authorize",
        {},
        {"toolkit": "gh"},
    ),
    Case(
        "ToolProvider.get_auth_status",
        lambda c: c.get_tool_provider("tp").get_auth_status("auth-1"),
        "GET",
        "/tool-providers/tp/auth-status/auth-1",
    ),
    Case(
        "ToolProvider.get_connection_status",
        lambda c: c.get_tool_provider("tp").get_connection_status(items=[{"toolkit": "gh", "connectionId": "c1"}]),
        "POST",
        "/tool-providers/tp/connection-status",
        {},
        {"items": [{"toolkit": "gh", "connectionId": "c1"}]},
    ),
    Case(
        "ToolProvider.list_connections",
        lambda c: c.get_tool_provider("tp").list_connections(toolkit="gh", author_id="u1", scope="shared"),
        "GET",
        "/tool-providers/tp/connections",
        {"toolkit": "gh", "authorId": "u1", "scope": "shared"},
    ),
    Case(
        "ToolProvider.list_connection_fields",
        lambda c: c.get_tool_provider("tp").list_connection_fields(toolkit="gh"),
        "GET",
        "/tool-providers/tp/connection-fields",
        {"toolkit": "gh"},
    ),
    Case(
        "ToolProvider.disconnect_connection",
        lambda c: c.get_tool_provider("tp").disconnect_connection("conn 1", toolkit="gh", force=True),
        "DELETE",
        "/tool-providers/tp/connections/conn%201",
        {"toolkit": "gh", "force": "true"},
    ),
    Case(
        "ToolProvider.update_connection",
        lambda c: c.get_tool_provider("tp").update_connection("c1", label="Work"),
        "PATCH",
        "/tool-providers/tp/connections/c1",
        {},
        {"label": "Work"},
    ),
    Case(
        "ToolProvider.get_connection_usage",
        lambda c: c.get_tool_provider("tp").get_connection_usage("c1", toolkit="gh"),
        "GET",
        "/tool-providers/tp/connections/c1/usage",
        {"toolkit": "gh"},
    ),
    Case(
        "ToolProvider.get_health", lambda c: c.get_tool_provider("tp").get_health(), "GET", "/tool-providers/tp/health"
    ),
    Case(
        "ProcessorProvider.details",
        lambda c: c.get_processor_provider("pp 1").details(),
        "GET",
        "/processor-providers/pp%201",
    ),
    Case(
        "Processor.details",
        lambda c: c.get_processor("proc").details(request_context=RC),
        "GET",
        "/processors/proc",
        {"requestContext": RC},
    ),
    # execute carries the request context in its body, as client-js sends it there.
    Case(
        "Processor.execute",
        lambda c: c.get_processor("proc").execute(phase="input", messages=MESSAGES, agent_id="a", request_context=RC),
        "POST",
        "/processors/proc/execute",
        {},
        {"phase": "input", "messages": MESSAGES, "agentId": "a", "requestContext": RC},
    ),
    Case("Workspace.info", lambda c: _workspace(c).info(), "GET", WS),
    Case(
        "Workspace.read_file",
        lambda c: _workspace(c).read_file("docs/a b.md", "base64"),
        "GET",
        f"{WS}/fs/read",
        {"path": "docs/a b.md", "encoding": "base64"},
    ),
    Case(
        "Workspace.write_file",
        lambda c: _workspace(c).write_file("a.txt", "hi", encoding="utf-8", recursive=True),
        "POST",
        f"{WS}/fs/write",
        {},
        {"path": "a.txt", "content": "hi", "encoding": "utf-8", "recursive": True},
    ),
    # No encoding given: none sent (the server writes utf-8), as client-js does.
    Case(
        "Workspace.write_file_default",
        lambda c: _workspace(c).write_file("a.txt", "hi"),
        "POST",
        f"{WS}/fs/write",
        {},
        {"path": "a.txt", "content": "hi"},
    ),
    Case(
        "Workspace.list_files",
        lambda c: _workspace(c).list_files("/", True),
        "GET",
        f"{WS}/fs/list",
        {"path": "/", "recursive": "true"},
    ),
    Case(
        "Workspace.delete",
        lambda c: _workspace(c).delete("old", recursive=True, force=False),
        "DELETE",
        f"{WS}/fs/delete",
        {"path": "old", "recursive": "true", "force": "false"},
    ),
    Case(
        "Workspace.mkdir",
        lambda c: _workspace(c).mkdir("new/dir", True),
        "POST",
        f"{WS}/fs/mkdir",
        {},
        {"path": "new/dir", "recursive": True},
    ),
    Case("Workspace.stat", lambda c: _workspace(c).stat("a.txt"), "GET", f"{WS}/fs/stat", {"path": "a.txt"}),
    Case(
        "Workspace.search",
        lambda c: _workspace(c).search(query="q", top_k=3, mode="bm25", min_score=0.5),
        "GET",
        f"{WS}/search",
        {"query": "q", "topK": "3", "mode": "bm25", "minScore": "0.5"},
    ),
    Case(
        "Workspace.index",
        lambda c: _workspace(c).index(path="doc.md", content="text", metadata={"k": 1}),
        "POST",
        f"{WS}/index",
        {},
        {"path": "doc.md", "content": "text", "metadata": {"k": 1}},
    ),
    Case("Workspace.list_skills", lambda c: _workspace(c).list_skills(), "GET", f"{WS}/skills"),
    Case(
        "Workspace.search_skills",
        lambda c: _workspace(c).search_skills(query="q", skill_names="a,b", include_references=False),
        "GET",
        f"{WS}/skills/search",
        {"query": "q", "skillNames": "a,b", "includeReferences": "false"},
    ),
    Case("WorkspaceSkillResource.details", lambda c: _skill(c).details(), "GET", SKILL, {"path": "skills/my skill"}),
    Case(
        "WorkspaceSkillResource.list_references",
        lambda c: _skill(c).list_references(),
        "GET",
        f"{SKILL}/references",
        {"path": "skills/my skill"},
    ),
    Case(
        "WorkspaceSkillResource.get_reference",
        lambda c: _skill(c).get_reference("refs/a.md"),
        "GET",
        f"{SKILL}/references/refs%2Fa.md",
        {"path": "skills/my skill"},
    ),
    Case("WorkspaceSkillResource.no_path", lambda c: _workspace(c).get_skill("s").details(), "GET", f"{WS}/skills/s"),
    # MastraClient methods of these areas
    Case(
        "list_processors", lambda c: c.list_processors(request_context=RC), "GET", "/processors", {"requestContext": RC}
    ),
    Case(
        "list_dynamic_workflows",
        lambda c: c.list_dynamic_workflows(status="active", author_id="u"),
        "GET",
        "/stored/workflows",
        {"status": "active", "authorId": "u"},
    ),
    Case(
        "upsert_dynamic_workflow",
        lambda c: c.upsert_dynamic_workflow(id="dw", input_schema={}, output_schema={}, graph=[]),
        "POST",
        "/stored/workflows",
        {},
        {"id": "dw", "inputSchema": {}, "outputSchema": {}, "graph": []},
    ),
    Case(
        "list_stored_prompt_blocks",
        lambda c: c.list_stored_prompt_blocks(page=0, per_page=10, author_id="u"),
        "GET",
        "/stored/prompt-blocks",
        {"page": "0", "perPage": "10", "authorId": "u"},
    ),
    Case(
        "create_stored_prompt_block",
        lambda c: c.create_stored_prompt_block(id="pb", name="PB", content="Be brief."),
        "POST",
        "/stored/prompt-blocks",
        {},
        {"id": "pb", "name": "PB", "content": "Be brief."},
    ),
    Case(
        "list_stored_scorers", lambda c: c.list_stored_scorers(per_page=5), "GET", "/stored/scorers", {"perPage": "5"}
    ),
    Case(
        "create_stored_scorer",
        lambda c: c.create_stored_scorer(name="S", type="bias"),
        "POST",
        "/stored/scorers",
        {},
        {"name": "S", "type": "bias"},
    ),
    Case("list_stored_mcp_clients", lambda c: c.list_stored_mcp_clients(), "GET", "/stored/mcp-clients"),
    Case(
        "create_stored_mcp_client",
        lambda c: c.create_stored_mcp_client(name="M", servers={"s": {"type": "http", "url": "http://m.test"}}),
        "POST",
        "/stored/mcp-clients",
        {},
        {"name": "M", "servers": {"s": {"type": "http", "url": "http://m.test"}}},
    ),
    Case(
        "list_stored_skills",
        lambda c: c.list_stored_skills(visibility="public"),
        "GET",
        "/stored/skills",
        {"visibility": "public"},
    ),
    Case(
        "create_stored_skill",
        lambda c: c.create_stored_skill(name="s", description="d", instructions="i"),
        "POST",
        "/stored/skills",
        {},
        {"name": "s", "description": "d", "instructions": "i"},
    ),
    Case(
        "list_stored_workspaces", lambda c: c.list_stored_workspaces(page=0), "GET", "/stored/workspaces", {"page": "0"}
    ),
    Case("get_stored_workspace", lambda c: c.get_stored_workspace("w 1"), "GET", "/stored/workspaces/w%201"),
    Case("list_tool_providers", lambda c: c.list_tool_providers(), "GET", "/tool-providers"),
    Case("get_processor_providers", lambda c: c.get_processor_providers(), "GET", "/processor-providers"),
    Case("list_workspaces", lambda c: c.list_workspaces(), "GET", "/workspaces"),
]


def _client(seen: list[httpx.Request], is_async: bool, answer: Any = None) -> Any:
    def respond(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=answer if answer is not None else {})

    transport = httpx.MockTransport(respond)
    if is_async:
        return mastra_client.AsyncMastraClient("http://m.test", http_client=httpx.AsyncClient(transport=transport))
    return mastra_client.MastraClient("http://m.test", http_client=httpx.Client(transport=transport))


def _query(request: httpx.Request) -> dict[str, Any]:
    query: dict[str, Any] = dict(urllib.parse.parse_qsl(request.url.query.decode(), keep_blank_values=True))
    if "requestContext" in query:
        query["requestContext"] = json.loads(base64.b64decode(query["requestContext"]).decode("utf-8"))
    return query


async def _run(result: Any) -> Any:
    return await result if inspect.isawaitable(result) else result


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_the_facade_sends_what_client_js_sends(case: Case, is_async: bool) -> None:
    seen: list[httpx.Request] = []
    client = _client(seen, is_async)
    await _run(case.call(client))
    assert len(seen) == 1
    request = seen[0]
    assert request.method == case.method
    assert request.url.raw_path.split(b"?")[0].decode() == "/api" + case.path
    assert _query(request) == case.query
    if case.body is not None:
        assert json.loads(request.content) == case.body


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
async def test_results_are_parsed_into_the_models(is_async: bool) -> None:
    scorer = {
        "id": "sc",
        "name": "Judge",
        "type": "llm-judge",
        "status": "draft",
        "createdAt": "2026-01-01T00:00:00.000Z",
        "updatedAt": "2026-01-01T00:00:00.000Z",
    }
    seen: list[httpx.Request] = []
    client = _client(seen, is_async, answer=scorer)
    got = await _run(client.get_stored_scorer("sc").details())
    assert isinstance(got, mastra_client.models.StoredScorerDetails)
    assert (got.id, got.name, got.type, got.status) == ("sc", "Judge", "llm-judge", "draft")
    assert mastra_client.validation_errors(got) == []

    read = {"path": "a.txt", "content": "hello", "type": "file"}
    client = _client(seen, is_async, answer=read)
    content = await _run(client.get_workspace("w").read_file("a.txt"))
    assert content.content == "hello" and content.path == "a.txt"


def test_accessors_return_the_facades_bound_to_their_ids() -> None:
    client = mastra_client.MastraClient("http://m.test")
    for accessor, cls, attribute in [
        ("get_stored_prompt_block", "StoredPromptBlock", "stored_prompt_block_id"),
        ("get_stored_scorer", "StoredScorer", "stored_scorer_id"),
        ("get_stored_mcp_client", "StoredMcpClient", "stored_mcp_client_id"),
        ("get_stored_skill", "StoredSkill", "stored_skill_id"),
        ("get_dynamic_workflow", "DynamicWorkflow", "dynamic_workflow_id"),
        ("get_tool_provider", "ToolProvider", "provider_id"),
        ("get_processor_provider", "ProcessorProvider", "provider_id"),
        ("get_processor", "Processor", "processor_id"),
        ("get_workspace", "Workspace", "workspace_id"),
    ]:
        facade = getattr(client, accessor)("id-1")
        assert type(facade) is getattr(mastra_client, cls)
        assert getattr(facade, attribute) == "id-1"
    skill = client.get_workspace("w").get_skill("s")
    assert type(skill) is mastra_client.WorkspaceSkillResource
    assert (skill.workspace_id, skill.skill_name, skill.skill_path) == ("w", "s", None)
    aclient = mastra_client.AsyncMastraClient("http://m.test")
    assert type(aclient.get_workspace("w").get_skill("s", "p")) is mastra_client.AsyncWorkspaceSkillResource
