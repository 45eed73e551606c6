"""Stored resources, dynamic workflows, processors, providers and workspaces against the real server.

One scenario per client-js class (overrides/mastra_stored.yaml), each run with the sync and
the async client. The test app (server.mjs, block "issue 15: stored") registers a workspace
with a skill and a processor; stored resources are created through the API itself. Tool and
processor providers need @mastra/editor, which the app does not install: their scenario checks
that the requests reach those routes (the server's "Editor is not configured").
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from .routes import run_declared, uses

pytestmark = pytest.mark.e2e

RC = {"tenant": "acme"}


async def call(value: Any) -> Any:
    """Await what the async client returns; pass the sync client's results through."""
    return await value if inspect.isawaitable(value) else value


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


Scenario = Callable[[Any], Awaitable[None]]
SCENARIOS: list[Scenario] = []


def scenario(fn: Scenario) -> Scenario:
    SCENARIOS.append(fn)
    return fn


async def _versions_round_trip(stored: Any) -> None:
    """The version methods StoredAgent, StoredPromptBlock and StoredScorer share (client-js names)."""
    listed = await call(stored.list_versions(request_context=RC))
    first = listed.versions[-1]
    checkpoint = await call(stored.create_version(change_message="a checkpoint", request_context=RC))
    assert (await call(stored.get_version(checkpoint.id, request_context=RC))).change_message == "a checkpoint"
    diff = await call(stored.compare_versions(first.id, checkpoint.id, request_context=RC))
    assert diff.from_version.id == first.id and diff.to_version.id == checkpoint.id
    await call(stored.activate_version(first.id, request_context=RC))
    restored = await call(stored.restore_version(first.id, request_context=RC))
    assert restored.id not in (first.id, checkpoint.id)
    await call(stored.delete_version(checkpoint.id, request_context=RC))
    remaining = await call(stored.list_versions())
    assert checkpoint.id not in {v.id for v in remaining.versions}


@scenario
@uses(
    "POST /stored/agents",
    "GET /stored/agents/{storedAgentId}",
    "GET /stored/agents/{storedAgentId}/dependents",
    "POST /stored/agents/{storedAgentId}/export",
    "POST /stored/agents/{storedAgentId}/change-request",
    "GET /stored/agents/{agentId}/versions",
    "POST /stored/agents/{agentId}/versions",
    "GET /stored/agents/{agentId}/versions/{versionId}",
    "GET /stored/agents/{agentId}/versions/compare",
    "POST /stored/agents/{agentId}/versions/{versionId}/activate",
    "POST /stored/agents/{agentId}/versions/{versionId}/restore",
    "DELETE /stored/agents/{agentId}/versions/{versionId}",
    "DELETE /stored/agents/{storedAgentId}",
)
async def stored_agent(c: Any) -> None:
    from mastra_client import BadRequestError

    agent_id = unique("stored-agent")
    model = {"provider": "mock", "name": "echo-model"}
    await call(c.create_stored_agent(id=agent_id, name="Stored", instructions="Be brief.", model=model))
    stored = c.get_stored_agent(agent_id)
    assert (await call(stored.details(request_context=RC, status="draft"))).id == agent_id
    dependents = await call(stored.dependents(request_context=RC))
    assert dependents.dependents == []
    exported = await call(stored.export())
    assert exported.agent_id == agent_id and exported.file_name == f"agents/{agent_id}.json"
    # The app has no source-control provider: the route answers why.
    with pytest.raises(BadRequestError, match="cannot open change requests"):
        await call(stored.open_change_request())
    await _versions_round_trip(stored)
    await call(stored.delete(request_context=RC))


@scenario
@uses(
    "POST /stored/prompt-blocks",
    "GET /stored/prompt-blocks",
    "GET /stored/prompt-blocks/{storedPromptBlockId}",
    "PATCH /stored/prompt-blocks/{storedPromptBlockId}",
    "DELETE /stored/prompt-blocks/{storedPromptBlockId}",
    "GET /stored/prompt-blocks/{promptBlockId}/versions",
    "POST /stored/prompt-blocks/{promptBlockId}/versions",
    "GET /stored/prompt-blocks/{promptBlockId}/versions/{versionId}",
    "GET /stored/prompt-blocks/{promptBlockId}/versions/compare",
    "POST /stored/prompt-blocks/{promptBlockId}/versions/{versionId}/activate",
    "POST /stored/prompt-blocks/{promptBlockId}/versions/{versionId}/restore",
    "DELETE /stored/prompt-blocks/{promptBlockId}/versions/{versionId}",
)
async def stored_prompt_block(c: Any) -> None:
    from mastra_client import NotFoundError

    block_id = unique("block")
    created = await call(c.create_stored_prompt_block(id=block_id, name="Brevity", content="Be brief."))
    assert created.id == block_id
    block = c.get_stored_prompt_block(block_id)
    assert (await call(block.details(request_context=RC))).content == "Be brief."
    updated = await call(block.update(content="Be very brief.", request_context=RC))
    assert updated.id == block_id
    assert (await call(block.details(status="draft"))).content == "Be very brief."
    await _versions_round_trip(block)
    listed = await call(c.list_stored_prompt_blocks(per_page=100))
    assert block_id in {b.id for b in listed.prompt_blocks}
    await call(block.delete(request_context=RC))
    with pytest.raises(NotFoundError):
        await call(block.details())


@scenario
@uses(
    "POST /stored/scorers",
    "GET /stored/scorers",
    "GET /stored/scorers/{storedScorerId}",
    "PATCH /stored/scorers/{storedScorerId}",
    "DELETE /stored/scorers/{storedScorerId}",
    "GET /stored/scorers/{scorerId}/versions",
    "POST /stored/scorers/{scorerId}/versions",
    "GET /stored/scorers/{scorerId}/versions/{versionId}",
    "GET /stored/scorers/{scorerId}/versions/compare",
    "POST /stored/scorers/{scorerId}/versions/{versionId}/activate",
    "POST /stored/scorers/{scorerId}/versions/{versionId}/restore",
    "DELETE /stored/scorers/{scorerId}/versions/{versionId}",
)
async def stored_scorer(c: Any) -> None:
    from mastra_client import NotFoundError

    scorer_id = unique("scorer")
    model = {"provider": "mock", "name": "echo-model"}
    created = await call(
        c.create_stored_scorer(id=scorer_id, name="Judge", type="llm-judge", instructions="Judge it.", model=model)
    )
    assert created.type == "llm-judge"
    scorer = c.get_stored_scorer(scorer_id)
    assert (await call(scorer.details(request_context=RC))).name == "Judge"
    await call(scorer.update(instructions="Judge it strictly.", request_context=RC))
    assert (await call(scorer.details(status="draft"))).instructions == "Judge it strictly."
    await _versions_round_trip(scorer)
    listed = await call(c.list_stored_scorers(per_page=100))
    assert scorer_id in {s.id for s in listed.scorer_definitions}
    await call(scorer.delete(request_context=RC))
    with pytest.raises(NotFoundError):
        await call(scorer.details())


@scenario
@uses(
    "POST /stored/mcp-clients",
    "GET /stored/mcp-clients",
    "GET /stored/mcp-clients/{storedMCPClientId}",
    "PATCH /stored/mcp-clients/{storedMCPClientId}",
    "DELETE /stored/mcp-clients/{storedMCPClientId}",
)
async def stored_mcp_client(c: Any) -> None:
    from mastra_client import NotFoundError

    client_id = unique("mcp-client")
    servers = {"remote": {"type": "http", "url": "http://127.0.0.1:9/mcp"}}
    await call(c.create_stored_mcp_client(id=client_id, name="Remote tools", servers=servers))
    stored = c.get_stored_mcp_client(client_id)
    details = await call(stored.details(request_context=RC))
    assert details.name == "Remote tools" and set(details.servers) == {"remote"}
    assert (await call(stored.update(name="Remote", request_context=RC))).id == client_id
    listed = await call(c.list_stored_mcp_clients(per_page=100, status="draft"))
    assert client_id in {m.id for m in listed.mcp_clients}
    await call(stored.delete(request_context=RC))
    with pytest.raises(NotFoundError):
        await call(stored.details())


@scenario
@uses(
    "POST /stored/skills",
    "GET /stored/skills",
    "GET /stored/skills/{storedSkillId}",
    "PATCH /stored/skills/{storedSkillId}",
    "DELETE /stored/skills/{storedSkillId}",
    "POST /stored/workspaces",
    "GET /stored/workspaces",
    "GET /stored/workspaces/{storedWorkspaceId}",
)
async def stored_skill_and_stored_workspace(c: Any) -> None:
    from mastra_client import NotFoundError

    skill_id = unique("skill")
    await call(c.create_stored_skill(id=skill_id, name=skill_id, description="Greets.", instructions="Say hello."))
    skill = c.get_stored_skill(skill_id)
    assert (await call(skill.details(request_context=RC))).instructions == "Say hello."
    await call(skill.update(instructions="Say hello twice.", request_context=RC))
    listed = await call(c.list_stored_skills(per_page=100))
    assert skill_id in {s.id for s in listed.skills}
    await call(skill.delete(request_context=RC))
    with pytest.raises(NotFoundError):
        await call(skill.details())
    # Stored workspaces: client-js only reads them (the raw operation creates one).
    workspace_id = unique("stored-ws")
    await call(c.stored_workspaces.create_stored_workspace(id=workspace_id, name="Stored WS"))
    assert (await call(c.get_stored_workspace(workspace_id))).name == "Stored WS"
    assert workspace_id in {w.id for w in (await call(c.list_stored_workspaces(per_page=100))).workspaces}


@scenario
@uses(
    "POST /stored/workflows",
    "GET /stored/workflows",
    "GET /stored/workflows/{dynamicWorkflowId}",
    "DELETE /stored/workflows/{dynamicWorkflowId}",
    "POST /workflows/{workflowId}/create-run",
    "POST /workflows/{workflowId}/start-async",
)
async def dynamic_workflow(c: Any) -> None:
    from mastra_client import NotFoundError

    workflow_id = unique("dynamic")
    answer = await call(
        c.upsert_dynamic_workflow(
            id=workflow_id,
            description="The weather tool as a workflow",
            input_schema={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
            output_schema={"type": "object", "properties": {"city": {"type": "string"}}},
            graph=[{"type": "tool", "id": "weather", "toolId": "get-weather"}],
        )
    )
    assert answer.id == workflow_id
    dynamic = c.get_dynamic_workflow(workflow_id)
    try:
        details = await call(dynamic.details())
        assert details.id == workflow_id and details.status == "active"
        assert workflow_id in {w.id for w in (await call(c.list_dynamic_workflows(status="active"))).workflows}
        run = await call(c.get_workflow(workflow_id).create_run())
        result = await call(run.start_async(input_data={"city": "Lyon"}))
        assert result.status == "success" and result.result["city"] == "Lyon"
    finally:
        await call(dynamic.delete())  # unregisters it: the app's workflow list stays as it was
    with pytest.raises(NotFoundError):
        await call(dynamic.details())


@scenario
@uses("GET /processors", "GET /processors/{processorId}", "POST /processors/{processorId}/execute")
async def processor(c: Any) -> None:
    processors = await call(c.list_processors(request_context=RC))
    assert processors["forbidden-word"].phases == ["input"]
    proc = c.get_processor("forbidden-word")
    details = await call(proc.details(request_context=RC))
    assert details.name == "Forbidden Word" and details.is_workflow is False
    passed = await call(proc.execute(phase="input", messages=[{"id": "m1", "role": "user", "content": "hello"}]))
    assert passed.success is True and len(passed.messages) == 1
    tripped = await call(
        proc.execute(
            phase="input", messages=[{"id": "m2", "role": "user", "content": "a forbidden word"}], request_context=RC
        )
    )
    assert tripped.success is False and "forbidden" in tripped.tripwire.reason


@scenario
@uses(
    "GET /tool-providers",
    "GET /tool-providers/{providerId}/health",
    "GET /tool-providers/{providerId}/tools",
    "GET /processor-providers",
    "GET /processor-providers/{providerId}",
)
async def tool_and_processor_providers_need_the_editor(c: Any) -> None:
    from mastra_client import InternalServerError

    provider = c.get_tool_provider("composio")
    processor_provider = c.get_processor_provider("moderation")
    for request in (
        lambda: c.list_tool_providers(),
        lambda: provider.get_health(),
        lambda: provider.list_tools(toolkit="github", page=1),
        lambda: c.get_processor_providers(),
        lambda: processor_provider.details(),
    ):
        with pytest.raises(InternalServerError, match="Editor is not configured"):
            await call(request())


@scenario
@uses(
    "GET /workspaces",
    "GET /workspaces/{workspaceId}",
    "POST /workspaces/{workspaceId}/fs/write",
    "GET /workspaces/{workspaceId}/fs/read",
    "GET /workspaces/{workspaceId}/fs/stat",
    "GET /workspaces/{workspaceId}/fs/list",
    "POST /workspaces/{workspaceId}/fs/mkdir",
    "DELETE /workspaces/{workspaceId}/fs/delete",
    "POST /workspaces/{workspaceId}/index",
    "GET /workspaces/{workspaceId}/search",
    "GET /workspaces/{workspaceId}/skills",
    "GET /workspaces/{workspaceId}/skills/search",
    "GET /workspaces/{workspaceId}/skills/{skillName}",
    "GET /workspaces/{workspaceId}/skills/{skillName}/references",
    "GET /workspaces/{workspaceId}/skills/{skillName}/references/{referencePath}",
)
async def workspace_files_search_and_skills(c: Any) -> None:
    listed = await call(c.list_workspaces())
    assert "test-workspace" in {w.id for w in listed.workspaces}
    workspace = c.get_workspace("test-workspace")
    info = await call(workspace.info())
    assert info.name == "Test Workspace" and info.capabilities.has_skills is True
    folder = unique("notes")
    await call(workspace.mkdir(f"{folder}/inner", True))
    await call(workspace.write_file(f"{folder}/a.txt", "hello world"))
    assert (await call(workspace.read_file(f"{folder}/a.txt"))).content == "hello world"
    assert (await call(workspace.stat(f"{folder}/a.txt"))).size == len("hello world")
    entries = await call(workspace.list_files(folder, True))
    assert {"a.txt", "inner"} <= {e.name for e in entries.entries}
    await call(workspace.delete(folder, recursive=True))
    assert folder not in {e.name for e in (await call(workspace.list_files("."))).entries}
    token = uuid.uuid4().hex  # one word only this run's document has
    await call(workspace.index(path=f"{folder}.md", content=f"greeting notes {token}"))
    found = await call(workspace.search(query=token, top_k=3, mode="bm25"))
    assert [r.id for r in found.results] == [f"{folder}.md"]
    skills = await call(workspace.list_skills())
    assert [s.name for s in skills.skills] == ["greeting"]
    matches = await call(workspace.search_skills(query="greeting politely"))
    assert matches.results and matches.results[0].skill_name == "greeting"
    skill = workspace.get_skill("greeting", skill_path="skills/greeting")
    assert (await call(skill.details())).instructions.startswith("# Greeting")
    assert (await call(skill.list_references())).references == ["tone.md"]
    assert "Warm and brief" in (await call(skill.get_reference("tone.md"))).content
    assert (await call(workspace.get_skill("greeting").details())).name == "greeting"


@pytest.mark.parametrize("scenario_fn", SCENARIOS, ids=[s.__name__ for s in SCENARIOS])
async def test_stored_scenario(
    any_client: Any, scenario_fn: Scenario, available_routes: Any, route_matcher: Any, mastra_server_version: str
) -> None:
    await run_declared(scenario_fn, any_client, available_routes, route_matcher, mastra_server_version)
