"""Names and types a user sees, checked by ``mypy --strict`` (tests/typing/test_usage_names.py).

Never run: every function only has to type-check. Each ``assert_type`` fails the check when
the generated package types the expression otherwise.
"""

from __future__ import annotations

from typing import Any, Literal

import mastra_client
from mastra_client import AsyncMastraClient, MastraClient, models
from typing_extensions import assert_type


def integers_are_int(client: MastraClient) -> None:
    runs = client.workflows.list_runs("weather")
    assert_type(runs, models.WorkflowRunsResponse)
    assert_type(runs.total, int)  # the server's count, not 1.0
    threads = client.memory.list_threads(resource_id="user-1", agent_id="a")
    assert_type(threads.total, int)
    assert_type(threads.page, int)
    assert_type(threads.per_page, int | Literal[False])


def facades_and_models_have_names_of_their_own(client: MastraClient) -> None:
    agent = client.get_agent("weather")
    assert_type(agent, mastra_client.Agent)  # the facade is mastra_client.Agent ...
    assert_type(agent.details(), models.AgentDetails)  # ... and what it answers is AgentDetails
    workflow = client.get_workflow("w")
    assert_type(workflow, mastra_client.Workflow)
    assert_type(workflow.details(), models.WorkflowDetails)
    assert_type(client.get_tool("t").details(), models.ToolDetails)
    # models.Agent is gone (tests/unit/test_public_names.py): ``models`` loads lazily through a
    # module __getattr__, so mypy accepts any name there and cannot be asked.


async def async_facades_too(client: AsyncMastraClient) -> None:
    agent = client.get_agent("weather")
    assert_type(agent, mastra_client.AsyncAgent)
    assert_type(await agent.details(), models.AgentDetails)


def signatures_take_the_operations_own_types(client: MastraClient) -> None:
    # The operation's own name for a shared shape is the same class (an alias): passing it is exact.
    model = models.StoredAgentsCreateRequestModelWithName(provider="openai", name="gpt-4o")
    assert_type(model, models.StoredScorerUpdateRequestModel)
    client.stored_agents.create_stored_agent(name="a", instructions="be brief", model=model)


def models_in_wire_form(client: MastraClient) -> None:
    runs = client.workflows.list_runs("weather")
    assert_type(runs.to_dict(), dict[str, Any])
    assert_type(runs.to_dict(mode="json", use_api_names=False, exclude_none=True), dict[str, Any])
    assert_type(runs.to_json(), str)
    assert_type(runs.to_json(indent=None, exclude_unset=False), str)
    assert_type(runs.runs[0].to_dict(), dict[str, Any])  # nested models too
    assert_type(models.ExecutionPathItem(1).to_dict(), Any)  # a root model: whatever its root holds
